//! `govnode certify` at a parent and `govnode install-cert` at the child, with the chain
//! diagnosis both print.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use govnode_federation::{Certificate, NodeKey, Trust, chain_from_text, chain_to_text};
use govnode_topology::{NodeId, Tier};

use super::{load_config, now_ms};
use crate::cli::config_path;
use crate::config::Config;
use crate::replication::chain_path;

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

fn load_issuer(data_dir: &Path) -> Result<Issuer> {
    let config = load_config(data_dir)?;
    let key = NodeKey::load(data_dir)?;
    let path = chain_path(&config, data_dir);
    // Self-signs the root's certificate when missing, as a first start would.
    let settings = crate::replication::settings(&config, data_dir, &key)
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
