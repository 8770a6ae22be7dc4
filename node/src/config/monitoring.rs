//! `[monitoring]`: one-net management's checks over the web (availability probes, link
//! checks): whether they run, which non-public networks external link checks may reach,
//! the per-host rate, time limits and the User-Agent.
//!
//! ```toml
//! [monitoring]
//! enabled = true
//! allowed_networks = ["10.20.0.0/16"]   # default none: no private address is ever checked
//! per_host_per_sec = 2
//! link_timeout_secs = 15                # one link, redirects included
//! probe_timeout_secs = 30
//! link_check_hours = 24
//! site_check_minutes = 60               # content, freshness, interaction, scorecards, alerts
//! concurrency = 16
//! webhook_url = ""                      # optional: each new alert POSTed as JSON
//! user_agent = ""                       # default: govnode-monitoring/0.1 (…; +public_url)
//!
//! # A child node's HTTP base, for probing its sites where their host names do not lead
//! # there by DNS (a private network). Routes set at run time win.
//! [monitoring.probe_routes]
//! "440106" = "http://10.0.0.5:8080"
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[monitoring]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonitoringSection {
    /// Whether the probes and link checks run. Default true (a node without sites probes nothing).
    pub enabled: bool,
    /// Non-public networks (CIDR) external link checks may connect to. Default none.
    pub allowed_networks: Vec<String>,
    /// Requests per second to one host during a link check run. Default 2.
    pub per_host_per_sec: u32,
    /// Seconds one link check may take, redirects included. Default 15.
    pub link_timeout_secs: u64,
    /// Seconds a probe waits for a home page before it counts as failed. Default 30.
    pub probe_timeout_secs: u64,
    /// Hours between link check runs. Default 24.
    pub link_check_hours: u64,
    /// Minutes between rounds of the site checks (content, freshness, interaction, the
    /// scorecards, alerts, the report up the tree). Default 60.
    pub site_check_minutes: u64,
    /// Link checks in flight at once. Default 16.
    pub concurrency: usize,
    /// Where each new alert is POSTed as JSON (empty: none). Default none.
    pub webhook_url: String,
    /// The User-Agent of probes and checks (empty: the default, naming `http.public_url`).
    pub user_agent: String,
    /// Node id → HTTP base where that node's sites are probed (`/sites/{id}/`, or with
    /// `Host: {site host}`). Default none.
    pub probe_routes: BTreeMap<String, String>,
}

impl Default for MonitoringSection {
    fn default() -> Self {
        MonitoringSection {
            enabled: true,
            allowed_networks: Vec::new(),
            per_host_per_sec: 2,
            link_timeout_secs: 15,
            probe_timeout_secs: 30,
            link_check_hours: 24,
            site_check_minutes: 60,
            concurrency: 16,
            webhook_url: String::new(),
            user_agent: String::new(),
            probe_routes: BTreeMap::new(),
        }
    }
}

impl MonitoringSection {
    /// Checks the values serde cannot, naming the key of a bad one.
    pub fn validate(&self) -> Result<(), String> {
        self.networks()?;
        let ranges: [(&str, u64, u64, u64); 6] = [
            (
                "per_host_per_sec",
                u64::from(self.per_host_per_sec),
                1,
                1000,
            ),
            ("link_timeout_secs", self.link_timeout_secs, 1, 300),
            ("probe_timeout_secs", self.probe_timeout_secs, 1, 300),
            ("link_check_hours", self.link_check_hours, 1, 24 * 31),
            ("site_check_minutes", self.site_check_minutes, 1, 24 * 60),
            ("concurrency", self.concurrency as u64, 1, 256),
        ];
        for (key, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                return Err(format!(
                    "monitoring.{key} = {value}: must be from {min} to {max}"
                ));
            }
        }
        let hook = self.webhook_url.trim();
        if !hook.is_empty()
            && !reqwest::Url::parse(hook)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        {
            return Err(format!(
                "monitoring.webhook_url = {hook:?}: must be an http(s) URL"
            ));
        }
        for (node, base) in &self.probe_routes {
            if node.parse::<govnode_topology::NodeId>().is_err() {
                return Err(format!(
                    "monitoring.probe_routes.{node:?}: not a node id (six digits, e.g. \"440106\")"
                ));
            }
            let ok = reqwest::Url::parse(base)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(format!(
                    "monitoring.probe_routes.{node} = {base:?}: must be an http(s) URL such as \"http://10.0.0.5:8080\""
                ));
            }
        }
        if self.user_agent.chars().any(char::is_control) {
            return Err("monitoring.user_agent must not hold control characters".into());
        }
        Ok(())
    }

    /// The allowed networks, parsed; the error names the entry.
    pub fn networks(&self) -> Result<Vec<govnode_monitoring::web_checks::Network>, String> {
        self.allowed_networks
            .iter()
            .enumerate()
            .map(|(i, n)| {
                govnode_monitoring::web_checks::Network::parse(n)
                    .map_err(|e| format!("monitoring.allowed_networks[{i}]: {e}"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_key() {
        assert!(MonitoringSection::default().validate().is_ok());
        let ok = MonitoringSection {
            allowed_networks: vec!["10.20.0.0/16".into(), "fd00::/8".into(), "127.0.0.1".into()],
            ..MonitoringSection::default()
        };
        assert_eq!(ok.networks().unwrap().len(), 3);
        let cases = [
            (
                MonitoringSection {
                    allowed_networks: vec!["10.0.0.0/8".into(), "intranet".into()],
                    ..MonitoringSection::default()
                },
                "monitoring.allowed_networks[1]",
            ),
            (
                MonitoringSection {
                    per_host_per_sec: 0,
                    ..MonitoringSection::default()
                },
                "monitoring.per_host_per_sec",
            ),
            (
                MonitoringSection {
                    link_timeout_secs: 0,
                    ..MonitoringSection::default()
                },
                "monitoring.link_timeout_secs",
            ),
            (
                MonitoringSection {
                    probe_timeout_secs: 301,
                    ..MonitoringSection::default()
                },
                "monitoring.probe_timeout_secs",
            ),
            (
                MonitoringSection {
                    link_check_hours: 0,
                    ..MonitoringSection::default()
                },
                "monitoring.link_check_hours",
            ),
            (
                MonitoringSection {
                    concurrency: 0,
                    ..MonitoringSection::default()
                },
                "monitoring.concurrency",
            ),
            (
                MonitoringSection {
                    user_agent: "a\nb".into(),
                    ..MonitoringSection::default()
                },
                "monitoring.user_agent",
            ),
            (
                MonitoringSection {
                    probe_routes: BTreeMap::from([("440106".into(), "10.0.0.5:8080".into())]),
                    ..MonitoringSection::default()
                },
                "monitoring.probe_routes.440106",
            ),
            (
                MonitoringSection {
                    probe_routes: BTreeMap::from([("tianhe".into(), "http://10.0.0.5".into())]),
                    ..MonitoringSection::default()
                },
                "monitoring.probe_routes.\"tianhe\"",
            ),
        ];
        for (s, key) in cases {
            let e = s.validate().unwrap_err();
            assert!(e.contains(key), "{e} should name {key}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let e = toml::from_str::<MonitoringSection>("enabled = true\nper_host = 3\n").unwrap_err();
        assert!(e.to_string().contains("per_host"), "{e}");
        let s: MonitoringSection = toml::from_str("enabled = false").unwrap();
        assert!(!s.enabled);
        assert_eq!(s.per_host_per_sec, 2);
    }
}
