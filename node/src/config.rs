//! Node configuration: a versioned TOML file in the data dir, overridable by environment
//! variables `GOVNODE__SECTION__KEY` (e.g. `GOVNODE__HTTP__LISTEN=0.0.0.0:80`).
//! Unknown keys are rejected, naming the key, so a typo never silently falls back to a default.

use std::net::SocketAddr;
use std::path::Path;

use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};

use crate::NodeError;

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
}

impl Default for HttpSection {
    fn default() -> Self {
        HttpSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            max_request_bytes: 4 * 1024 * 1024,
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
        if cfg.node.name.trim().is_empty() {
            return Err(bad("node.name is empty".into()));
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
name = {name:?}

[http]
# Address the HTTP server listens on (default 127.0.0.1:8080).
listen = "{listen}"
# Base URL for absolute links in feeds and sitemaps; by default taken from the Host header.
{public_url}
# Largest JSON request body in bytes (default 4 MiB); larger requests get 413.
max_request_bytes = {max_req}

[library]
# Largest attachment or image in bytes (default 50 MiB).
max_upload_bytes = {max_up}

[log]
# tracing filter (RUST_LOG wins when set), e.g. "info" or "govnode=debug,info".
filter = {filter:?}
"#,
            version = self.version,
            id = self.node.id,
            name = self.node.name,
            listen = self.http.listen,
            max_req = self.http.max_request_bytes,
            max_up = self.library.max_upload_bytes,
            filter = self.log.filter,
        )
    }
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
    fn unknown_keys_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "version = 1\n[node]\nid = \"440000\"\nname = \"x\"\n[http]\nlisten = \"127.0.0.1:1\"\nlistne = 3\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("listne"), "{err}");
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
}
