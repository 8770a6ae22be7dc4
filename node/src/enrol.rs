//! Enrolment at the command line: `init` with federation links, `certify` at a parent,
//! `install-cert` at the child, and `status` of a running node. Errors are anyhow and name
//! the flag or file at fault; every function returns the text to print.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use govnode_federation::{Certificate, NodeKey, Trust, chain_from_text, chain_to_text, peer_id_of};
use govnode_topology::{NodeId, Tier};
use serde_json::Value;

use crate::cli::config_path;
use crate::config::{Config, FederationSection, Link};
use crate::federation::chain_path;

/// The default sync listen address `govnode init` writes.
pub const DEFAULT_P2P: &str = "127.0.0.1:7400";

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Parses `province`, `city` or `county` (clap value parser).
pub fn parse_tier(s: &str) -> Result<Tier, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "province" => Ok(Tier::Province),
        "city" => Ok(Tier::City),
        "county" => Ok(Tier::County),
        _ => Err(format!(
            "`{s}` is not a tier: expected province, city or county"
        )),
    }
}

/// Parses a six-digit node id (clap value parser).
pub fn parse_node_id(s: &str) -> Result<NodeId, String> {
    s.parse()
        .map_err(|e: govnode_topology::TopologyError| e.to_string())
}

/// Parses a public key: 64 hex digits of a valid ed25519 key (clap value parser).
pub fn parse_key(s: &str) -> Result<[u8; 32], String> {
    let s = s.trim();
    let bytes = hex::decode(s)
        .ok()
        .filter(|b| b.len() == 32)
        .ok_or_else(|| {
            format!(
                "`{s}` is not a public key: expected 64 hex digits (what `govnode init` printed as \"public key\")"
            )
        })?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    if peer_id_of(&key).is_none() {
        return Err(format!(
            "`{s}` is 64 hex digits but not a valid ed25519 public key"
        ));
    }
    Ok(key)
}

/// Parses `ID=ADDRESS`, e.g. `440000=10.0.0.1:7400` (clap value parser).
pub fn parse_link(s: &str) -> Result<Link, String> {
    let (id, address) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not ID=ADDRESS, e.g. 440000=10.0.0.1:7400"))?;
    let id = parse_node_id(id.trim())?;
    let address = address.trim().parse().map_err(|e| {
        format!("`{address}` is not a sync address (IP:PORT, e.g. 10.0.0.1:7400): {e}")
    })?;
    Ok(Link { id, address })
}

/// What `govnode init` creates.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Data dir to create.
    pub data_dir: PathBuf,
    /// The node's id.
    pub node_id: NodeId,
    /// Display name.
    pub name: String,
    /// HTTP listen address (default 127.0.0.1:8080).
    pub http: Option<SocketAddr>,
    /// Tier, when it differs from what the id implies.
    pub tier: Option<Tier>,
    /// Sync listen address.
    pub p2p: SocketAddr,
    /// The province root key; default: this node's own key when it has no parent.
    pub root_key: Option<[u8; 32]>,
    /// The parent.
    pub parent: Option<Link>,
    /// Aerial roots.
    pub aerial: Vec<Link>,
}

/// `govnode init`: writes the key and the commented config; returns what to print.
pub fn init(opts: &InitOptions) -> Result<String> {
    let id = opts.node_id;
    let path = config_path(&opts.data_dir);
    if path.exists() {
        bail!(
            "{} already exists: this data dir already holds a node",
            path.display()
        );
    }
    if opts.parent.is_some() && opts.root_key.is_none() {
        bail!(
            "--root-key: a node with a --parent needs the province root's public key \
             (what the province's `govnode init` printed as \"public key\")"
        );
    }
    let tier = opts.tier.unwrap_or_else(|| id.tier());
    if let Some(p) = &opts.parent
        && p.id == id
    {
        bail!("--parent: {} is this node itself", p.id);
    }
    if let Some(a) = opts.aerial.iter().find(|a| a.id == id) {
        bail!("--aerial: {} is this node itself", a.id);
    }
    std::fs::create_dir_all(&opts.data_dir)
        .with_context(|| format!("creating {}", opts.data_dir.display()))?;
    // The key first: a root's config holds its own public key.
    let key = NodeKey::create(&opts.data_dir)?;
    let root_key = opts.root_key.unwrap_or_else(|| key.public_bytes());
    let mut config = Config::new(id, &opts.name);
    if let Some(addr) = opts.http {
        config.http.listen = addr;
    }
    config.federation = Some(FederationSection {
        tier: opts.tier,
        parent: opts.parent.clone(),
        aerial_roots: opts.aerial.clone(),
        ..FederationSection::with_defaults(opts.p2p, hex::encode(root_key))
    });
    std::fs::write(&path, config.to_commented_toml())
        .with_context(|| format!("writing {}", path.display()))?;
    let dir = opts.data_dir.display();
    let public = key.public_hex();
    let mut out = format!(
        "node {id} ({name}, {tier}) created in {dir}\nconfig: {}\npublic key: {public}\nsync address: {}\n",
        path.display(),
        opts.p2p,
        name = opts.name,
    );
    match &opts.parent {
        None if root_key == key.public_bytes() => out.push_str(&format!(
            "\nThis node is the province root: it self-signs its certificate on first start.\n\
             Give every other node its key: --root-key {public}\n\
             Certify a child: govnode certify --data-dir {dir} --child-id ID --child-key KEY --out ID.certs\n"
        )),
        parent => {
            let asker = parent
                .as_ref()
                .map_or_else(|| "the parent".to_string(), |p| format!("the parent ({})", p.id));
            let tier_flag = match opts.tier {
                Some(t) if t != id.tier() => format!(" --child-tier {t}"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "\nNext, enrol this node: ask {asker} to run:\n  \
                 govnode certify --data-dir <parent dir> --child-id {id} --child-key {public}{tier_flag} --out {id}.certs\n\
                 then, with the {id}.certs it sends back:\n  \
                 govnode install-cert --data-dir {dir} --file {id}.certs\n"
            ));
        }
    }
    Ok(out)
}

/// What `govnode certify` issues.
#[derive(Debug, Clone)]
pub struct CertifyOptions {
    /// The parent's data dir.
    pub data_dir: PathBuf,
    /// The child's id.
    pub child_id: NodeId,
    /// The child's public key.
    pub child_key: [u8; 32],
    /// The child's tier (default: implied by its id).
    pub child_tier: Option<Tier>,
    /// Validity in days.
    pub days: u32,
    /// The chain file to write.
    pub out: PathBuf,
}

/// The parent's key, its verified chain, its tier and its tree, from its data dir.
struct Issuer {
    config: Config,
    key: NodeKey,
    chain: Vec<Certificate>,
    tier: Tier,
}

fn load_config(data_dir: &Path) -> Result<Config> {
    Ok(Config::load(&config_path(data_dir))?)
}

fn load_issuer(data_dir: &Path) -> Result<Issuer> {
    let config = load_config(data_dir)?;
    let key = NodeKey::load(data_dir)?;
    let path = chain_path(&config, data_dir);
    // Self-signs the root's certificate when missing, as a first start would.
    let settings = crate::federation::settings(&config, data_dir, &key)
        .with_context(|| format!("reading the certificate chain {}", path.display()))?;
    let me = config.node.id;
    if settings.chain.is_empty() {
        bail!(
            "{}: no certificate chain installed, so node {me} is not enrolled and cannot certify \
             others; enrol it first (its parent runs `govnode certify`, then `govnode install-cert` here)",
            path.display()
        );
    }
    let trust = Trust::new(settings.root_key);
    trust.admit(&settings.chain, now_ms());
    if trust.key_of(me) != Some(key.public_bytes()) {
        bail!(
            "{}: the installed chain does not certify node {me}'s key up to the root key in {}; {}",
            path.display(),
            config_path(data_dir).display(),
            diagnose(&settings.chain, settings.root_key, now_ms())
        );
    }
    Ok(Issuer {
        tier: settings.tier,
        chain: settings.chain,
        config,
        key,
    })
}

/// `govnode certify`: at the parent, certifies a child's key; returns what to print.
pub fn certify(opts: &CertifyOptions) -> Result<String> {
    let issuer = load_issuer(&opts.data_dir)?;
    let me = issuer.config.node.id;
    let child = opts.child_id;
    if child == me {
        bail!("--child-id: {child} is this node itself; a node certifies only its children");
    }
    if opts.child_key == issuer.key.public_bytes() {
        bail!(
            "--child-key: that is this node's own key; give the child's (printed by its `govnode init`)"
        );
    }
    let tree = issuer.config.tree()?;
    let child_tier = opts
        .child_tier
        .or_else(|| tree.as_ref().and_then(|t| t.get(child)).map(|n| n.tier))
        .unwrap_or_else(|| child.tier());
    if child_tier <= issuer.tier {
        bail!(
            "--child-id: {child} is a {child_tier} node, not below this {} node {me}; \
             a node certifies only nodes of a lower tier (give --child-tier if the id misleads)",
            issuer.tier
        );
    }
    match &tree {
        Some(t) => {
            let Some(node) = t.get(child) else {
                bail!(
                    "--child-id: {child} is not in the [[topology.nodes]] of {}; add it there first",
                    config_path(&opts.data_dir).display()
                );
            };
            if node.parent != Some(me) {
                bail!(
                    "--child-id: the topology in {} makes {} the parent of {child}, not this node {me}",
                    config_path(&opts.data_dir).display(),
                    node.parent
                        .map_or_else(|| "no node".to_string(), |p| p.to_string())
                );
            }
        }
        None => {
            if !child.implied_ancestors().contains(&me) {
                bail!(
                    "--child-id: {child} does not belong under {me} (its code implies {}); \
                     list it under {me} in [[topology.nodes]] if the tree differs from the codes",
                    child
                        .implied_ancestors()
                        .iter()
                        .map(NodeId::as_str)
                        .collect::<Vec<_>>()
                        .join(" → ")
                );
            }
        }
    }
    if opts.days == 0 {
        bail!("--days: must be at least 1");
    }
    let now = now_ms();
    // A minute of slack for clocks that disagree a little.
    let from = now - 60_000;
    let to = now + i64::from(opts.days) * 86_400_000;
    let cert = Certificate::issue(
        &issuer.key,
        me,
        child,
        child_tier,
        opts.child_key,
        Some(me),
        from,
        to,
    );
    let mut chain = vec![cert];
    chain.extend(issuer.chain.iter().cloned());
    write_atomically(&opts.out, chain_to_text(&chain).as_bytes())
        .with_context(|| format!("--out: writing {}", opts.out.display()))?;
    Ok(format!(
        "certified {child} ({child_tier}) with key {key}, issued by {me}, valid until {until}\n\
         chain written to {out}; send it to {child}, where the operator runs:\n  \
         govnode install-cert --data-dir <its data dir> --file {file}\n",
        key = hex::encode(opts.child_key),
        until = date(to),
        out = opts.out.display(),
        file = opts.out.file_name().map_or_else(
            || opts.out.display().to_string(),
            |f| f.to_string_lossy().into_owned()
        ),
    ))
}

/// `govnode install-cert`: verifies a chain for this node and installs it; returns what to print.
pub fn install_cert(data_dir: &Path, file: &Path) -> Result<String> {
    let config = load_config(data_dir)?;
    let key = NodeKey::load(data_dir)?;
    let me = config.node.id;
    let shown = file.display();
    let Some(section) = &config.federation else {
        bail!(
            "{} has no [federation] section: add one (root_key, parent) before installing a certificate",
            config_path(data_dir).display()
        );
    };
    let root_key = section.root_key_bytes()?;
    let text = std::fs::read_to_string(file).with_context(|| format!("--file: reading {shown}"))?;
    let chain = chain_from_text(&text).map_err(|(line, msg)| anyhow!("{shown}:{line}: {msg}"))?;
    let leaf = &chain[0];
    if leaf.node != me {
        bail!(
            "{shown}: the chain certifies node {}, not this node {me} (the first certificate is the node's own)",
            leaf.node
        );
    }
    if leaf.public_key != key.public_bytes() {
        bail!(
            "{shown}: the chain certifies key {}, not this node's key {} ({}); was it issued with this node's public key as --child-key?",
            hex::encode(leaf.public_key),
            key.public_hex(),
            data_dir.join("node.key").display()
        );
    }
    let tier = section.tier.unwrap_or_else(|| me.tier());
    if leaf.tier != tier {
        bail!(
            "{shown}: the certificate makes {me} a {} node, but this node is a {tier} node \
             (federation.tier, or implied by the id)",
            leaf.tier
        );
    }
    if let Some(parent) = &section.parent
        && leaf.parent != Some(parent.id)
    {
        bail!(
            "{shown}: the certificate was issued by {}, but federation.parent in {} is {}",
            leaf.issuer,
            config_path(data_dir).display(),
            parent.id
        );
    }
    let now = now_ms();
    let trust = Trust::new(root_key);
    trust.admit(&chain, now);
    if trust.key_of(me) != Some(key.public_bytes()) {
        bail!(
            "{shown}: the chain does not lead to the root key in {} (federation.root_key = {}): {}",
            config_path(data_dir).display(),
            section.root_key.trim(),
            diagnose(&chain, root_key, now)
        );
    }
    let dest = chain_path(&config, data_dir);
    write_atomically(&dest, text.as_bytes())
        .with_context(|| format!("installing {shown} as {}", dest.display()))?;
    Ok(format!(
        "installed the chain of {me} ({}, issued by {}, valid until {}) as {}\n\
         (re)start the node to use it: govnode serve --data-dir {}\n",
        leaf.tier,
        leaf.issuer,
        date(leaf.valid_to_ms),
        dest.display(),
        data_dir.display()
    ))
}

/// Why a chain does not verify, in words: the first problem found, root end first.
fn diagnose(chain: &[Certificate], root_key: [u8; 32], now: i64) -> String {
    if let Some(top) = chain.last() {
        if top.issuer != top.node {
            return format!(
                "it ends at {}'s certificate issued by {}, not at the root's self-signed one",
                top.node, top.issuer
            );
        }
        if top.public_key != root_key {
            return format!(
                "its root certificate ({}) is signed by key {}, not the configured root key {}",
                top.node,
                hex::encode(top.public_key),
                hex::encode(root_key)
            );
        }
    }
    for c in chain {
        if now < c.valid_from_ms {
            return format!(
                "the certificate of {} is valid only from {}",
                c.node,
                date(c.valid_from_ms)
            );
        }
        if now > c.valid_to_ms {
            return format!(
                "the certificate of {} expired on {}",
                c.node,
                date(c.valid_to_ms)
            );
        }
    }
    for pair in chain.windows(2) {
        let (child, issuer) = (&pair[0], &pair[1]);
        if child.issuer != issuer.node || child.parent != Some(issuer.node) {
            return format!(
                "the certificate of {} is issued by {} but followed by {}'s",
                child.node, child.issuer, issuer.node
            );
        }
        if issuer.tier >= child.tier {
            return format!(
                "{} ({}) is not of a higher tier than {} ({})",
                issuer.node, issuer.tier, child.node, child.tier
            );
        }
    }
    "a signature does not verify".into()
}

fn date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// Writes a file through a temporary file in the same directory and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

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
    fn links_tiers_and_keys_parse_or_say_why() {
        let l = parse_link("440000=10.0.0.1:7400").unwrap();
        assert_eq!(l.id.as_str(), "440000");
        assert_eq!(l.address.port(), 7400);
        assert!(parse_link("440000").unwrap_err().contains("ID=ADDRESS"));
        assert!(
            parse_link("44=1.2.3.4:1")
                .unwrap_err()
                .contains("six-digit")
        );
        assert!(
            parse_link("440000=host")
                .unwrap_err()
                .contains("sync address")
        );
        assert_eq!(parse_tier("City").unwrap(), Tier::City);
        assert!(parse_tier("town").is_err());
        let key = NodeKey::generate();
        assert_eq!(parse_key(&key.public_hex()).unwrap(), key.public_bytes());
        assert!(parse_key("abc").unwrap_err().contains("64 hex"));
    }

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
