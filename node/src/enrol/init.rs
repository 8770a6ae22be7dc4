//! `govnode init`: the flag parsers (tiers, node ids, keys, links) and the key and config
//! it writes.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use govnode_federation::{NodeKey, peer_id_of};
use govnode_topology::{NodeId, Tier};

use crate::cli::config_path;
use crate::config::{Config, FederationSection, Link};

/// The default sync listen address `govnode init` writes.
pub const DEFAULT_P2P: &str = "127.0.0.1:7400";

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
}
