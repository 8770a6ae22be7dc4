//! Node configuration: a versioned TOML file in the data dir, overridable by environment
//! variables `GOVNODE__SECTION__KEY` (e.g. `GOVNODE__HTTP__LISTEN=0.0.0.0:80`).
//! Unknown keys are rejected, naming the key, so a typo never silently falls back to a default.

use std::net::SocketAddr;
use std::path::Path;

use govnode_topology::{NodeId, Tier, Topology, TopologyNode};
use serde::{Deserialize, Serialize};

use crate::NodeError;

mod analytics;
mod auth;
mod mail;
mod monitoring;

pub use analytics::AnalyticsSection;
pub use auth::{AuthSection, OidcSection};
pub use mail::{MailSection, MailSecurity};
pub use monitoring::MonitoringSection;

/// The config file's name inside the data dir.
pub const CONFIG_FILE: &str = "govnode.toml";

/// The config format version this binary reads.
pub const CONFIG_VERSION: u32 = 1;

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Format version; must be 1.
    pub version: u32,
    /// Who this node is.
    pub node: NodeSection,
    /// The HTTP server.
    #[serde(default)]
    pub http: HttpSection,
    /// The resource library.
    #[serde(default)]
    pub library: LibrarySection,
    /// Logging.
    #[serde(default)]
    pub log: LogSection,
    /// Staff sign-in sessions.
    #[serde(default)]
    pub auth: AuthSection,
    /// The SMTP server notices of the letters desk are e-mailed through (absent: none).
    #[serde(default)]
    pub mail: Option<MailSection>,
    /// One-net management's probes and link checks.
    #[serde(default)]
    pub monitoring: MonitoringSection,
    /// Visit analytics (统一行为分析).
    #[serde(default)]
    pub analytics: AnalyticsSection,
    /// The federation: links to the tree (absent: a standalone node, its own root).
    #[serde(default)]
    pub federation: Option<FederationSection>,
    /// The province's whole tree (the root's config only).
    #[serde(default)]
    pub topology: Option<TopologySection>,
}

/// `[federation]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationSection {
    /// This node's tier (default: implied by the id).
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Address the sync protocol listens on (TCP).
    pub listen: SocketAddr,
    /// The province's root public key (64 hex digits).
    pub root_key: String,
    /// The parent node (absent at the root).
    #[serde(default)]
    pub parent: Option<Link>,
    /// Extra uplinks to higher ancestors, used while the parent is unreachable.
    #[serde(default)]
    pub aerial_roots: Vec<Link>,
    /// The certificate chain file, relative to the data dir (default node.certs).
    #[serde(default = "default_certificate")]
    pub certificate: String,
    /// Seconds between anti-entropy rounds (default 30).
    #[serde(default = "default_anti_entropy")]
    pub anti_entropy_secs: u64,
    /// Largest pull batch, entries (default 500).
    #[serde(default = "default_batch_entries")]
    pub batch_entries: u32,
    /// Largest pull batch, bytes (default 4 MiB).
    #[serde(default = "default_batch_bytes")]
    pub batch_bytes: u32,
}

fn default_certificate() -> String {
    "node.certs".into()
}
fn default_anti_entropy() -> u64 {
    30
}
fn default_batch_entries() -> u32 {
    500
}
fn default_batch_bytes() -> u32 {
    4 << 20
}

/// A link to another node: its id and sync address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Node id.
    pub id: NodeId,
    /// Sync address, e.g. 10.0.0.1:7400.
    pub address: SocketAddr,
}

/// `[topology]`: `[[topology.nodes]]` tables with id, name, tier, parent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologySection {
    /// Every node of the province.
    pub nodes: Vec<TopologyNode>,
}

impl FederationSection {
    /// The root key as bytes.
    pub fn root_key_bytes(&self) -> Result<[u8; 32], NodeError> {
        let bytes = hex::decode(self.root_key.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                NodeError::Config(
                    "federation.root_key must be 64 hex digits (the province's public key)".into(),
                )
            })?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(key)
    }
}

/// `[node]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSection {
    /// GB/T 2260 region code, e.g. "440000".
    pub id: NodeId,
    /// Display name, e.g. 广东省.
    pub name: String,
}

/// `[http]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSection {
    /// Listen address. Default 127.0.0.1:8080.
    pub listen: SocketAddr,
    /// Public base URL for absolute links in feeds and sitemaps (default: from the Host header).
    pub public_url: Option<String>,
    /// Largest JSON request body, bytes. Default 4 MiB.
    pub max_request_bytes: usize,
    /// Seconds a client has to send a whole request head (on a new connection, or once it
    /// has begun the next request on a kept-alive one) before it is disconnected. Default 10.
    pub header_read_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait idle between requests. Default 60.
    pub idle_timeout_secs: u64,
    /// Concurrent connections one client address may hold. Default 64.
    pub max_connections_per_client: usize,
    /// Concurrent connections in all; 0 (the default): derived from the open-file limit.
    pub max_connections: usize,
    /// Addresses of the reverse proxies in front of the node, whose `X-Forwarded-For`
    /// names the client that rate limits count. Default none: the header is never believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Longest header-read or idle timeout accepted, seconds (one hour).
const MAX_TIMEOUT_SECS: u64 = 3600;

/// Largest connection limit accepted.
const MAX_CONNECTIONS: usize = 1_000_000;

impl Default for HttpSection {
    fn default() -> Self {
        let limits = govnode_web::ServeLimits::default();
        HttpSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            max_request_bytes: 4 * 1024 * 1024,
            header_read_timeout_secs: limits.header_read_timeout.as_secs(),
            idle_timeout_secs: limits.idle_timeout.as_secs(),
            max_connections_per_client: limits.max_connections_per_client,
            max_connections: 0,
            trusted_proxies: Vec::new(),
        }
    }
}

impl HttpSection {
    /// Checks the values serde cannot, naming the key of a bad one.
    pub fn validate(&self) -> Result<(), String> {
        for (key, secs) in [
            ("header_read_timeout_secs", self.header_read_timeout_secs),
            ("idle_timeout_secs", self.idle_timeout_secs),
        ] {
            if !(1..=MAX_TIMEOUT_SECS).contains(&secs) {
                return Err(format!(
                    "http.{key} = {secs}: must be from 1 to {MAX_TIMEOUT_SECS} seconds"
                ));
            }
        }
        if !(1..=MAX_CONNECTIONS).contains(&self.max_connections_per_client) {
            return Err(format!(
                "http.max_connections_per_client = {}: must be from 1 to {MAX_CONNECTIONS}",
                self.max_connections_per_client
            ));
        }
        if self.max_connections > MAX_CONNECTIONS {
            return Err(format!(
                "http.max_connections = {}: must be at most {MAX_CONNECTIONS} \
                 (0: derived from the open-file limit)",
                self.max_connections
            ));
        }
        Ok(())
    }

    /// What the HTTP server loop is given.
    pub fn serve_limits(&self) -> govnode_web::ServeLimits {
        govnode_web::ServeLimits {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            idle_timeout: std::time::Duration::from_secs(self.idle_timeout_secs),
            max_connections_per_client: self.max_connections_per_client,
            max_connections: (self.max_connections > 0).then_some(self.max_connections),
        }
    }
}

/// `[library]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LibrarySection {
    /// Largest attachment or image, bytes. Default 50 MiB.
    pub max_upload_bytes: u64,
}

impl Default for LibrarySection {
    fn default() -> Self {
        LibrarySection {
            max_upload_bytes: 50 * 1024 * 1024,
        }
    }
}

/// `[log]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// tracing filter, e.g. "info" or "govnode=debug,info". `RUST_LOG` wins when set.
    pub filter: String,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            filter: "info".into(),
        }
    }
}

impl Config {
    /// A config for a new node.
    pub fn new(id: NodeId, name: &str) -> Config {
        Config {
            version: CONFIG_VERSION,
            node: NodeSection {
                id,
                name: name.to_string(),
            },
            http: HttpSection::default(),
            library: LibrarySection::default(),
            log: LogSection::default(),
            auth: AuthSection::default(),
            mail: None,
            monitoring: MonitoringSection::default(),
            analytics: AnalyticsSection::default(),
            federation: None,
            topology: None,
        }
    }

    /// The validated tree from `[[topology.nodes]]`, if given.
    pub fn tree(&self) -> Result<Option<Topology>, NodeError> {
        match &self.topology {
            None => Ok(None),
            Some(t) => Topology::new(t.nodes.clone())
                .map(Some)
                .map_err(|e| NodeError::Config(format!("topology: {e}"))),
        }
    }

    /// Reads a config file, applying `GOVNODE__…` environment overrides.
    pub fn load(path: &Path) -> Result<Config, NodeError> {
        let bad = |msg: String| NodeError::Config(format!("{}: {msg}", path.display()));
        if !path.exists() {
            return Err(bad("no such file (run `govnode init` first)".into()));
        }
        let built = config::Config::builder()
            .add_source(config::File::from(path).format(config::FileFormat::Toml))
            .add_source(
                config::Environment::with_prefix("GOVNODE")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true),
            )
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let cfg: Config = built.try_deserialize().map_err(|e| bad(e.to_string()))?;
        if cfg.version != CONFIG_VERSION {
            return Err(bad(format!(
                "version {} is not supported; this govnode reads version {CONFIG_VERSION}",
                cfg.version
            )));
        }
        cfg.http.validate().map_err(bad)?;
        cfg.auth.validate().map_err(bad)?;
        if let Some(mail) = &cfg.mail {
            mail.validate().map_err(bad)?;
        }
        cfg.monitoring.validate().map_err(bad)?;
        cfg.analytics.validate().map_err(bad)?;
        if cfg.node.name.trim().is_empty() {
            return Err(bad("node.name is empty".into()));
        }
        if let Err(e) = cfg.tree() {
            return Err(bad(e.to_string()));
        }
        if let Some(f) = &cfg.federation {
            f.root_key_bytes().map_err(|e| bad(e.to_string()))?;
            if f.parent.as_ref().is_some_and(|p| p.id == cfg.node.id) {
                return Err(bad("federation.parent names this node itself".into()));
            }
        }
        Ok(cfg)
    }

    /// The commented TOML `govnode init` writes.
    pub fn to_commented_toml(&self) -> String {
        let public_url = match &self.http.public_url {
            Some(u) => format!("public_url = {u:?}"),
            None => "# public_url = \"https://www.gd.gov.cn\"".into(),
        };
        format!(
            r#"# govnode configuration. Every key can be overridden by an environment variable
# GOVNODE__SECTION__KEY, e.g. GOVNODE__HTTP__LISTEN=0.0.0.0:8080. Unknown keys are errors.

# Format version of this file.
version = {version}

[node]
# GB/T 2260 administrative division code: 440000 a province, 440100 a city, 440106 a county.
id = "{id}"
# Display name of the node.
name = {name}

[http]
# Address the HTTP server listens on (default 127.0.0.1:8080).
listen = "{listen}"
# Base URL for absolute links in feeds and sitemaps; by default taken from the Host header.
{public_url}
# Largest JSON request body in bytes (default 4 MiB); larger requests get 413.
max_request_bytes = {max_req}
# Seconds a client has to send a whole request head before it is disconnected (default 10).
header_read_timeout_secs = {header_timeout}
# Seconds a kept-alive connection may stay idle between requests (default 60).
idle_timeout_secs = {idle_timeout}
# Concurrent connections one client address may hold (default 64); more are closed at once,
# after an idle kept-alive one of that address, if any, has been closed to make room.
max_connections_per_client = {per_client}
# Concurrent connections in all; 0 derives it from the open-file limit (`ulimit -n`, systemd
# LimitNOFILE): the limit less 256 kept for the database, the index and sync, at most 10000.
max_connections = {max_conn}

[library]
# Largest attachment or image in bytes (default 50 MiB).
max_upload_bytes = {max_up}

[log]
# tracing filter (RUST_LOG wins when set), e.g. "info" or "govnode=debug,info".
filter = {filter}

[auth]
# Minutes a staff sign-in session lasts without use (default 30).
idle_timeout_mins = {idle_mins}
# Hours a staff session lasts after sign-in, however it is used (default 12).
absolute_timeout_hours = {absolute_hours}
# The session cookie is `Secure` when http.public_url is https; set this to true when a TLS
# proxy without a public URL is in front.
# secure_cookie = true
# Local passwords (default true); false: staff sign in only by single sign-on ([auth.oidc]).
# local_passwords = true
#
# Single sign-on by the unified identity platform (OpenID Connect), e.g.:
# [auth.oidc]
# issuer = "https://sso.example.gov.cn"
# client_id = "govnode-{id}"
# client_secret_file = "/etc/govnode/oidc-client-secret"
# match_claim = "preferred_username"   # the claim holding the login name
# provision_users = false              # true: unknown people become users without grants
# grants_claim = "govnode_grants"      # optional: ["editor@gd", "handler@440000.hrss", "auditor"]
# button_label = "统一身份认证平台"
# leeway_secs = 60

# Notices of the letters desk (办件提醒) by e-mail to the handlers of each body, e.g.:
# [mail]
# host = "smtp.gd.gov.cn"
# port = 587
# security = "starttls"             # none | starttls | tls
# username = "govnode"              # optional, with password or password_file
# password_file = "/etc/govnode/smtp-password"
# from = "政府网站平台 <noreply@gd.gov.cn>"

# Visit analytics (统一行为分析): no cookie, no script, no address stored. Defaults:
# [analytics]
# enabled = true
# flush_secs = 60
# publish_hours = 6
# detail_months = 13
{federation}{topology}"#,
            version = self.version,
            id = self.node.id,
            name = toml_string(&self.node.name),
            listen = self.http.listen,
            max_req = self.http.max_request_bytes,
            header_timeout = self.http.header_read_timeout_secs,
            idle_timeout = self.http.idle_timeout_secs,
            per_client = self.http.max_connections_per_client,
            max_conn = self.http.max_connections,
            max_up = self.library.max_upload_bytes,
            filter = toml_string(&self.log.filter),
            idle_mins = self.auth.idle_timeout_mins,
            absolute_hours = self.auth.absolute_timeout_hours,
            federation = self
                .federation
                .as_ref()
                .map(federation_toml)
                .unwrap_or_else(|| NO_FEDERATION.to_string()),
            topology = self
                .topology
                .as_ref()
                .map(topology_toml)
                .unwrap_or_default(),
        )
    }
}

impl FederationSection {
    /// A section with the given sync address and root key, everything else at its default.
    pub fn with_defaults(listen: SocketAddr, root_key: String) -> FederationSection {
        FederationSection {
            tier: None,
            listen,
            root_key,
            parent: None,
            aerial_roots: Vec::new(),
            certificate: default_certificate(),
            anti_entropy_secs: default_anti_entropy(),
            batch_entries: default_batch_entries(),
            batch_bytes: default_batch_bytes(),
        }
    }
}

/// What a config without `[federation]` says about it.
const NO_FEDERATION: &str = r#"
# [federation] is absent: this node runs standalone, as its own root, and syncs with no one.
# `govnode init` writes the section; see its --p2p, --root-key, --parent and --aerial flags.
"#;

/// A TOML basic string: quoted, with quotes, backslashes and control characters escaped.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A link as a TOML table body: `id = "…"` and `address = "…"`, each explained.
fn link_toml(link: &Link) -> String {
    format!(
        "# Node id.\nid = {}\n# Its sync address (its federation.listen).\naddress = {}\n",
        toml_string(link.id.as_str()),
        toml_string(&link.address.to_string())
    )
}

/// The commented `[federation]` section, with its parent and aerial-root tables.
fn federation_toml(f: &FederationSection) -> String {
    let tier = match f.tier {
        Some(t) => format!("tier = {}", toml_string(&t.to_string())),
        None => "# tier = \"city\"".into(),
    };
    let parent = match &f.parent {
        Some(p) => format!(
            "\n# The parent: the node that certifies this one, and the uplink it syncs with.\n\
             [federation.parent]\n{}",
            link_toml(p)
        ),
        None => {
            "\n# No parent: this node is the province root. Every other node names its own as\n\
                 # [federation.parent]\n# id = \"440000\"\n# address = \"10.0.0.1:7400\"\n"
                .into()
        }
    };
    let mut aerial = String::new();
    if f.aerial_roots.is_empty() {
        aerial.push_str(
            "\n# Aerial roots: extra uplinks to higher ancestors (e.g. the province), used while the\n\
             # parent is unreachable. None configured; each would be a table like\n\
             # [[federation.aerial_roots]]\n# id = \"440000\"\n# address = \"10.0.0.1:7400\"\n",
        );
    } else {
        aerial.push_str(
            "\n# Aerial roots: extra uplinks to higher ancestors, used while the parent is unreachable.\n",
        );
        for link in &f.aerial_roots {
            aerial.push_str("[[federation.aerial_roots]]\n");
            aerial.push_str(&link_toml(link));
        }
    }
    format!(
        r#"
[federation]
# This node's tier: province, city or county. By default the id implies it (xx0000 a
# province, xxyy00 a city, anything else a county); set it only where the tree differs.
{tier}
# Address the sync protocol listens on (TCP); children and peers dial it.
listen = {listen}
# The province root's public key (64 hex digits), the same in every node of the province;
# every certificate chain must lead up to it.
root_key = {root_key}
# The certificate chain file in the data dir, leaf first: `govnode install-cert` writes it
# (the province root self-signs its own on first start).
certificate = {certificate}
# Seconds between anti-entropy rounds, which compare logs with every peer (default 30).
anti_entropy_secs = {anti_entropy}
# Largest pull batch in entries (default 500).
batch_entries = {batch_entries}
# Largest pull batch in bytes (default 4 MiB).
batch_bytes = {batch_bytes}
{parent}{aerial}"#,
        listen = toml_string(&f.listen.to_string()),
        root_key = toml_string(&f.root_key),
        certificate = toml_string(&f.certificate),
        anti_entropy = f.anti_entropy_secs,
        batch_entries = f.batch_entries,
        batch_bytes = f.batch_bytes,
    )
}

/// The `[[topology.nodes]]` tables of the province's tree.
fn topology_toml(t: &TopologySection) -> String {
    let mut out = String::from(
        "\n# The province's tree, authoritative where it differs from what region codes imply.\n\
         # Only the province root keeps it; it reaches every other node as a signed entry.\n\
         # Each node: id, display name, tier (province, city, county) and parent (absent at the root).\n",
    );
    for n in &t.nodes {
        out.push_str(&format!(
            "[[topology.nodes]]\nid = {}\nname = {}\ntier = {}\n",
            toml_string(n.id.as_str()),
            toml_string(&n.name),
            toml_string(&n.tier.to_string())
        ));
        if let Some(p) = n.parent {
            out.push_str(&format!("parent = {}\n", toml_string(p.as_str())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_config_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        let cfg = Config::new("440000".parse().unwrap(), "广东省");
        std::fs::write(&path, cfg.to_commented_toml()).unwrap();
        let back = Config::load(&path).unwrap();
        assert_eq!(back.node.id.as_str(), "440000");
        assert_eq!(back.node.name, "广东省");
        assert_eq!(back.http.listen.port(), 8080);
    }

    #[test]
    fn federation_and_topology_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        let id = |s: &str| -> NodeId { s.parse().unwrap() };
        let link = |s: &str, addr: &str| Link {
            id: id(s),
            address: addr.parse().unwrap(),
        };
        // A county with a parent, two aerial roots, a tier override and odd values.
        let mut cfg = Config::new(id("440106"), "天河区 \"中心\"\\ 区");
        cfg.log.filter = "govnode=debug,info".into();
        cfg.federation = Some(FederationSection {
            tier: Some(Tier::County),
            listen: "127.0.0.1:7402".parse().unwrap(),
            root_key: "ab".repeat(32),
            parent: Some(link("440100", "10.0.0.2:7400")),
            aerial_roots: vec![
                link("440000", "10.0.0.1:7400"),
                link("440000", "[::1]:7400"),
            ],
            certificate: "certs/tianhe.certs".into(),
            anti_entropy_secs: 1,
            batch_entries: 7,
            batch_bytes: 4096,
        });
        cfg.topology = Some(TopologySection {
            nodes: vec![
                TopologyNode::new(id("440000"), "广东省", Tier::Province, None),
                TopologyNode::new(id("440100"), "广州市", Tier::City, Some(id("440000"))),
                TopologyNode::new(id("440106"), "天河区", Tier::County, Some(id("440100"))),
            ],
        });
        let text = cfg.to_commented_toml();
        std::fs::write(&path, &text).unwrap();
        let back = Config::load(&path).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(
            serde_json::to_value(&cfg).unwrap(),
            serde_json::to_value(&back).unwrap(),
            "{text}"
        );
        assert!(
            text.contains("[federation.parent]") && text.contains("[[federation.aerial_roots]]")
        );
        assert!(text.contains("[[topology.nodes]]"), "{text}");

        // The root: no parent, no aerial roots, no tier; the commented examples stay comments.
        let mut root = Config::new(id("440000"), "广东省");
        root.federation = Some(FederationSection {
            tier: None,
            listen: "0.0.0.0:7400".parse().unwrap(),
            root_key: "cd".repeat(32),
            parent: None,
            aerial_roots: Vec::new(),
            certificate: default_certificate(),
            anti_entropy_secs: default_anti_entropy(),
            batch_entries: default_batch_entries(),
            batch_bytes: default_batch_bytes(),
        });
        let text = root.to_commented_toml();
        std::fs::write(&path, &text).unwrap();
        let back = Config::load(&path).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(
            serde_json::to_value(&root).unwrap(),
            serde_json::to_value(&back).unwrap(),
            "{text}"
        );
        // Every key written is explained by a comment line right above it.
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.contains(" = ") && !line.starts_with('#') {
                assert!(
                    lines[i - 1].starts_with('#'),
                    "`{line}` has no comment:\n{text}"
                );
            }
        }
        // No [federation]: loads back as none.
        let plain = Config::new(id("440000"), "广东省");
        std::fs::write(&path, plain.to_commented_toml()).unwrap();
        assert!(Config::load(&path).unwrap().federation.is_none());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "version = 1\n[node]\nid = \"440000\"\nname = \"x\"\n[http]\nlisten = \"127.0.0.1:1\"\nlistne = 3\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("listne"), "{err}");
        std::fs::write(
            &path,
            "version = 1\n[node]\nid = \"440000\"\nname = \"x\"\n[auth]\nidle_timeout = 3\n",
        )
        .unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("idle_timeout"), "{err}");
        std::fs::write(&path, "version = 1\n[node]\nid = \"440000\"\nname = \"x\"\n[auth]\nabsolute_timeout_hours = 0\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("auth.absolute_timeout_hours"), "{err}");
        std::fs::write(&path, "version = 1\n[node]\nid = \"44\"\nname = \"x\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("six-digit"), "{err}");
        std::fs::write(
            &path,
            "version = 2\n[node]\nid = \"440000\"\nname = \"x\"\n",
        )
        .unwrap();
        assert!(
            Config::load(&path)
                .unwrap_err()
                .to_string()
                .contains("version 2")
        );
    }

    #[test]
    fn http_limits_default_read_back_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        let head = "version = 1\n[node]\nid = \"440000\"\nname = \"x\"\n[http]\n";
        std::fs::write(&path, head).unwrap();
        let http = Config::load(&path).unwrap().http;
        assert_eq!(
            (
                http.header_read_timeout_secs,
                http.idle_timeout_secs,
                http.max_connections_per_client,
                http.max_connections
            ),
            (10, 60, 64, 0)
        );
        let limits = http.serve_limits();
        assert_eq!(limits.header_read_timeout.as_secs(), 10);
        assert_eq!(limits.max_connections, None, "0 means derived");
        std::fs::write(
            &path,
            format!("{head}header_read_timeout_secs = 2\nidle_timeout_secs = 5\nmax_connections_per_client = 3\nmax_connections = 100\n"),
        )
        .unwrap();
        let limits = Config::load(&path).unwrap().http.serve_limits();
        assert_eq!(limits.header_read_timeout.as_secs(), 2);
        assert_eq!(limits.idle_timeout.as_secs(), 5);
        assert_eq!(limits.max_connections_per_client, 3);
        assert_eq!(limits.max_connections, Some(100));
        for (line, key) in [
            (
                "header_read_timeout_secs = 0",
                "http.header_read_timeout_secs",
            ),
            ("idle_timeout_secs = 0", "http.idle_timeout_secs"),
            ("idle_timeout_secs = 86400", "http.idle_timeout_secs"),
            (
                "max_connections_per_client = 0",
                "http.max_connections_per_client",
            ),
            ("max_connections = 2000000", "http.max_connections"),
            ("max_connections = -1", "max_connections"),
            ("max_conections = 5", "max_conections"),
        ] {
            std::fs::write(&path, format!("{head}{line}\n")).unwrap();
            let err = Config::load(&path).unwrap_err().to_string();
            assert!(err.contains(key), "{line}: {err}");
        }
    }

    #[test]
    fn a_bad_tree_is_refused_naming_file_and_nodes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        let head = "version = 1\n[node]\nid = \"440000\"\nname = \"广东省\"\n";
        let node = |id: &str, tier: &str, parent: Option<&str>| {
            let parent = parent.map_or(String::new(), |p| format!("parent = \"{p}\"\n"));
            format!(
                "[[topology.nodes]]\nid = \"{id}\"\nname = \"n{id}\"\ntier = \"{tier}\"\n{parent}"
            )
        };
        let cases = [
            (
                [
                    node("440000", "province", None),
                    node("440100", "city", Some("440106")),
                    node("440106", "county", Some("440100")),
                ]
                .concat(),
                "cycle",
            ),
            (
                [
                    node("440000", "province", None),
                    node("440106", "county", Some("440100")),
                ]
                .concat(),
                "440100",
            ),
            (
                [
                    node("440000", "province", None),
                    node("440100", "city", Some("440000")),
                    node("440100", "city", Some("440000")),
                ]
                .concat(),
                "twice",
            ),
            (
                [
                    node("440000", "province", None),
                    node("440100", "county", Some("440000")),
                    node("440106", "city", Some("440100")),
                ]
                .concat(),
                "440106",
            ),
        ];
        for (tree, needle) in cases {
            std::fs::write(&path, format!("{head}{tree}")).unwrap();
            let err = Config::load(&path).unwrap_err().to_string();
            assert!(
                err.contains(CONFIG_FILE) && err.contains(needle),
                "{needle}: {err}"
            );
        }
    }
}
