//! `govnode status`: fetching `/api/federation/status` and rendering it as tables.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use super::{load_config, now_ms};
use crate::config::Config;

/// Where `govnode status` asks.
#[derive(Debug, Clone)]
pub enum StatusTarget {
    /// The node of a data dir (its http.listen).
    DataDir(PathBuf),
    /// A base URL, e.g. http://127.0.0.1:8080.
    Url(String),
}

/// The base URL of a data dir's node: its http.listen, with 127.0.0.1 for 0.0.0.0.
pub fn base_url(config: &Config) -> String {
    let mut addr = config.http.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            [127, 0, 0, 1].into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{addr}")
}

/// Fetches `/api/federation/status`.
pub async fn fetch_status(target: &StatusTarget) -> Result<Value> {
    let base = match target {
        StatusTarget::Url(u) if u.contains("://") => u.trim_end_matches('/').to_string(),
        StatusTarget::Url(u) => format!("http://{}", u.trim_end_matches('/')),
        StatusTarget::DataDir(d) => base_url(&load_config(d)?),
    };
    let url = format!("{base}/api/federation/status");
    let client = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .build()?;
    let resp = client.get(&url).send().await.map_err(|e| {
        let mut why = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            why = format!("{why}: {s}");
            source = s.source();
        }
        anyhow!("the node at {base} is not reachable ({why}); is `govnode serve` running there?")
    })?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .with_context(|| format!("reading the answer of {url}"))?;
    if !status.is_success() {
        bail!("GET {url}: {status}: {}", text.trim());
    }
    serde_json::from_str(&text).with_context(|| format!("GET {url}: the answer is not JSON"))
}

/// `govnode status`: the status as tables (or the JSON as is).
pub async fn status(target: &StatusTarget, json: bool) -> Result<String> {
    let v = fetch_status(target).await?;
    Ok(if json {
        format!("{}\n", serde_json::to_string_pretty(&v)?)
    } else {
        render_status(&v, now_ms())
    })
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => other.to_string(),
    }
}

/// "3s ago", "5m ago", "never".
fn ago(at_ms: Option<i64>, now: i64) -> String {
    let Some(at) = at_ms else {
        return "never".into();
    };
    let ms = (now - at).max(0);
    let s = ms / 1000;
    if s < 1 {
        format!("{ms}ms ago")
    } else if s < 120 {
        format!("{s}s ago")
    } else if s < 7200 {
        format!("{}m ago", s / 60)
    } else if s < 172_800 {
        format!("{}h ago", s / 3600)
    } else {
        format!("{}d ago", s / 86_400)
    }
}

/// Left-aligned columns separated by two spaces, indented by two.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::from(" ");
        for (cell, w) in cells.zip(&widths) {
            out.push(' ');
            out.push_str(cell);
            out.push_str(&" ".repeat(w - cell.chars().count() + 1));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    };
    let mut out = line(&mut header.iter().copied());
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

/// Renders the status JSON as readable tables.
pub fn render_status(v: &Value, now: i64) -> String {
    let mut out = String::new();
    let aerial = v["aerial_roots"]
        .as_array()
        .map(|a| a.iter().map(text).collect::<Vec<_>>().join(", "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "-".into());
    for (label, value) in [
        (
            "node",
            match v["name"].as_str() {
                Some(name) => format!("{} ({name})", text(&v["node"])),
                None => text(&v["node"]),
            },
        ),
        ("tier", text(&v["tier"])),
        ("parent", text(&v["parent"])),
        ("aerial roots", aerial),
        ("sync address", text(&v["sync_address"])),
        ("enrolled", text(&v["enrolled"])),
    ] {
        out.push_str(&format!("{label:<13} {value}\n"));
    }

    let peers = v["peers"].as_array().cloned().unwrap_or_default();
    out.push_str(&format!("\npeers ({})\n", peers.len()));
    if !peers.is_empty() {
        let rows: Vec<Vec<String>> = peers
            .iter()
            .map(|p| {
                let node = match &p["node"] {
                    Value::Null => {
                        let id = text(&p["peer_id"]);
                        let tail: String = id
                            .chars()
                            .rev()
                            .take(8)
                            .collect::<Vec<_>>()
                            .into_iter()
                            .rev()
                            .collect();
                        format!("? (peer …{tail})")
                    }
                    n => text(n),
                };
                vec![
                    node,
                    text(&p["address"]),
                    text(&p["connected"]),
                    if p["outbound"].as_bool() == Some(true) {
                        "out"
                    } else {
                        "in"
                    }
                    .into(),
                    ago(p["last_contact_ms"].as_i64(), now),
                    text(&p["entries_received"]),
                    text(&p["last_error"]),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "NODE",
                "ADDRESS",
                "CONNECTED",
                "DIR",
                "LAST CONTACT",
                "ENTRIES IN",
                "LAST ERROR",
            ],
            &rows,
        ));
    }

    let origins = v["origins"].as_array().cloned().unwrap_or_default();
    out.push_str(&format!("\norigins ({})\n", origins.len()));
    if !origins.is_empty() {
        let rows: Vec<Vec<String>> = origins
            .iter()
            .map(|o| {
                let digest = text(&o["digest"]);
                vec![
                    text(&o["origin"]),
                    text(&o["seq"]),
                    text(&o["lag_entries"]),
                    text(&o["lag_seconds"]),
                    digest.chars().take(12).collect(),
                ]
            })
            .collect();
        out.push_str(&table(
            &["ORIGIN", "SEQ", "LAG ENTRIES", "LAG SECONDS", "DIGEST"],
            &rows,
        ));
    }

    let rejected = &v["rejected"];
    out.push_str(&format!(
        "\nrejected entries: {}\n",
        rejected["total"].as_u64().unwrap_or(0)
    ));
    if let Some(by) = rejected["by_reason"].as_object().filter(|m| !m.is_empty()) {
        let rows: Vec<Vec<String>> = by.iter().map(|(k, n)| vec![k.clone(), text(n)]).collect();
        out.push_str(&table(&["REASON", "COUNT"], &rows));
    }
    if let Some(recent) = rejected["recent"].as_array().filter(|r| !r.is_empty()) {
        out.push_str("  recent:\n");
        for r in recent.iter().take(10) {
            out.push_str(&format!(
                "    {} {}#{} from {}: {} {}\n",
                ago(r["at_ms"].as_i64(), now),
                text(&r["origin"]),
                text(&r["seq"]),
                text(&r["peer"]),
                text(&r["reason"]),
                text(&r["detail"])
            ));
        }
    }
    if v["log"].is_object() || v["wire"].is_object() {
        out.push_str(&format!(
            "\nlog: {} entries, {} bytes; wire: {} sent, {} received\n",
            text(&v["log"]["entries"]),
            text(&v["log"]["bytes"]),
            text(&v["wire"]["sent"]),
            text(&v["wire"]["received"])
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_renders_as_tables() {
        let v: Value = serde_json::from_str(
            r#"{"node":"440100","tier":"city","parent":"440000","aerial_roots":["440000"],
            "sync_address":"127.0.0.1:7401","enrolled":true,
            "peers":[{"peer_id":"12D3KooWabcdefgh12345678","node":"440000","address":"/ip4/127.0.0.1/tcp/7400",
              "connected":true,"outbound":true,"last_contact_ms":1760000000000,"entries_received":12,"last_error":null},
              {"peer_id":"12D3KooWzzzzzzzzABCDEFGH","node":null,"address":"/ip4/127.0.0.1/tcp/50000",
              "connected":false,"outbound":false,"last_contact_ms":null,"entries_received":0,"last_error":"refused"}],
            "origins":[{"origin":"440106","seq":12,"digest":"0123456789abcdef0123","hlc":123,
              "updated_ms":1760000000000,"known_seq":14,"lag_entries":2,"lag_seconds":3}],
            "rejected":{"total":1,"by_reason":{"bad-signature":1},
              "recent":[{"at_ms":1759999990000,"origin":"440106","seq":3,"peer":"440100","reason":"bad-signature","detail":"x"}]},
            "log":{"entries":30,"bytes":12345},"wire":{"sent":1,"received":2}}"#,
        )
        .unwrap();
        let out = render_status(&v, 1_760_000_003_000);
        for want in [
            "node          440100",
            "parent        440000",
            "enrolled      yes",
            "/ip4/127.0.0.1/tcp/7400",
            "3s ago",
            "never",
            "? (peer …ABCDEFGH)",
            "0123456789ab",
            "bad-signature",
            "rejected entries: 1",
            "log: 30 entries, 12345 bytes",
        ] {
            assert!(out.contains(want), "missing `{want}` in\n{out}");
        }
        assert!(!out.contains("0123456789abc"), "{out}");
        // A root with nothing yet.
        let out = render_status(
            &serde_json::json!({"node":"440000","tier":"province","parent":null,"aerial_roots":[],
                "enrolled":true,"peers":[],"origins":[],"rejected":{"total":0,"by_reason":{}}}),
            0,
        );
        assert!(
            out.contains("parent        -") && out.contains("peers (0)"),
            "{out}"
        );
    }
}
