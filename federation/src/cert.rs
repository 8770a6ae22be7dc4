//! Certificates and the trust chain: each node's key is certified by its parent, the
//! province's root key certifies itself, and the root public key is in every config.

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use govnode_topology::{NodeId, Tier, Topology, TopologyNode};
use serde::{Deserialize, Serialize};

use crate::identity::NodeKey;

const DOMAIN: &[u8] = b"govnode-cert-v1";
const FILE_HEADER: &str = "GOVNODE CERTIFICATE CHAIN v1";

/// A node's certificate, issued by its parent (or self-signed by the root).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// The certified node.
    pub node: NodeId,
    /// Its tier.
    pub tier: Tier,
    /// Its ed25519 public key.
    pub public_key: [u8; 32],
    /// Its parent (None for the root).
    pub parent: Option<NodeId>,
    /// Who signed: the parent, or the node itself for the root.
    pub issuer: NodeId,
    /// Valid from (unix ms).
    pub valid_from_ms: i64,
    /// Valid until (unix ms).
    pub valid_to_ms: i64,
    /// The issuer's signature.
    pub signature: Vec<u8>,
}

#[derive(Serialize)]
struct Signed<'a> {
    domain: &'a [u8],
    node: &'a str,
    tier: Tier,
    public_key: &'a [u8; 32],
    parent: Option<&'a str>,
    issuer: &'a str,
    valid_from_ms: i64,
    valid_to_ms: i64,
}

/// Why a certificate or chain is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// No certificate is known for the node.
    #[error("no certificate chain reaches the root for node {0}")]
    Unchained(NodeId),
    /// A signature does not verify.
    #[error("certificate of {node} is not validly signed by {issuer}")]
    BadSignature {
        /// Certified node.
        node: NodeId,
        /// Claimed issuer.
        issuer: NodeId,
    },
    /// A self-signed certificate that is not the configured root.
    #[error("certificate of {0} is self-signed but its key is not the province root key")]
    NotRoot(NodeId),
    /// The issuer is not the certified node's parent, or tiers are out of order.
    #[error(
        "certificate of {node} was issued by {issuer}, which is not its parent of a higher tier"
    )]
    WrongIssuer {
        /// Certified node.
        node: NodeId,
        /// Issuer.
        issuer: NodeId,
    },
    /// Outside the validity window.
    #[error("certificate of {0} is expired or not yet valid")]
    Expired(NodeId),
    /// A chain file cannot be read.
    #[error("{0}")]
    File(String),
}

impl Certificate {
    fn signed_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(&Signed {
            domain: DOMAIN,
            node: self.node.as_str(),
            tier: self.tier,
            public_key: &self.public_key,
            parent: self.parent.as_ref().map(NodeId::as_str),
            issuer: self.issuer.as_str(),
            valid_from_ms: self.valid_from_ms,
            valid_to_ms: self.valid_to_ms,
        })
        .expect("postcard encodes plain structs")
    }

    /// Issues a certificate signed by `issuer_key` (the parent's, or the root's own).
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        issuer_key: &NodeKey,
        issuer: NodeId,
        node: NodeId,
        tier: Tier,
        public_key: [u8; 32],
        parent: Option<NodeId>,
        valid_from_ms: i64,
        valid_to_ms: i64,
    ) -> Certificate {
        let mut cert = Certificate {
            node,
            tier,
            public_key,
            parent,
            issuer,
            valid_from_ms,
            valid_to_ms,
            signature: Vec::new(),
        };
        cert.signature = issuer_key.sign(&cert.signed_bytes()).to_bytes().to_vec();
        cert
    }

    /// The root's self-signed certificate.
    pub fn self_signed_root(key: &NodeKey, node: NodeId, now_ms: i64, years: i64) -> Certificate {
        let to = now_ms + years * 365 * 86_400_000;
        Certificate::issue(
            key,
            node,
            node,
            Tier::Province,
            key.public_bytes(),
            None,
            now_ms,
            to,
        )
    }

    fn signed_by(&self, public: &[u8; 32]) -> bool {
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(public) else {
            return false;
        };
        let Ok(sig) = ed25519_dalek::Signature::from_slice(&self.signature) else {
            return false;
        };
        NodeKey::verify(&key, &self.signed_bytes(), &sig)
    }
}

/// Writes a chain (leaf first, root last) as a text file: a header, then one hex line per certificate.
pub fn chain_to_text(chain: &[Certificate]) -> String {
    let mut out = format!("{FILE_HEADER}\n");
    for cert in chain {
        out.push_str(&format!(
            "# {} ({}) issued by {}\n{}\n",
            cert.node,
            cert.tier,
            cert.issuer,
            hex::encode(postcard::to_stdvec(cert).expect("encodes"))
        ));
    }
    out
}

/// Reads a chain file; errors name the file and line.
pub fn chain_from_file(path: &Path) -> Result<Vec<Certificate>, TrustError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| TrustError::File(format!("{}: {e}", path.display())))?;
    chain_from_text(&text)
        .map_err(|(line, msg)| TrustError::File(format!("{}:{line}: {msg}", path.display())))
}

/// Parses chain text; the error carries the 1-based line number.
pub fn chain_from_text(text: &str) -> Result<Vec<Certificate>, (usize, String)> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim() == FILE_HEADER => {}
        _ => return Err((1, format!("expected the header `{FILE_HEADER}`"))),
    }
    let mut chain = Vec::new();
    for (i, line) in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bytes = hex::decode(line).map_err(|e| (i + 1, format!("not hex: {e}")))?;
        let cert =
            postcard::from_bytes(&bytes).map_err(|e| (i + 1, format!("not a certificate: {e}")))?;
        chain.push(cert);
    }
    if chain.is_empty() {
        return Err((1, "the file holds no certificate".into()));
    }
    Ok(chain)
}

/// The certificates a node has verified, anchored at the configured root key.
#[derive(Debug)]
pub struct Trust {
    root_key: [u8; 32],
    verified: RwLock<HashMap<NodeId, Certificate>>,
    /// Bumped whenever a certificate is admitted, so derived views know to rebuild.
    generation: AtomicU64,
}

impl Trust {
    /// Trust anchored at the province root key.
    pub fn new(root_key: [u8; 32]) -> Self {
        Trust {
            root_key,
            verified: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// The root key.
    pub fn root_key(&self) -> [u8; 32] {
        self.root_key
    }

    /// The verified key of a node, if its chain reached the root.
    pub fn key_of(&self, node: NodeId) -> Option<[u8; 32]> {
        self.verified
            .read()
            .expect("trust lock")
            .get(&node)
            .map(|c| c.public_key)
    }

    /// The verified certificate of a node.
    pub fn certificate(&self, node: NodeId) -> Option<Certificate> {
        self.verified
            .read()
            .expect("trust lock")
            .get(&node)
            .cloned()
    }

    /// The chain from `node` up to the root, from what is verified.
    pub fn chain_of(&self, node: NodeId) -> Vec<Certificate> {
        let verified = self.verified.read().expect("trust lock");
        let mut chain = Vec::new();
        let mut at = node;
        while let Some(cert) = verified.get(&at) {
            chain.push(cert.clone());
            if cert.issuer == cert.node || chain.len() > 8 {
                break;
            }
            at = cert.issuer;
        }
        chain
    }

    /// Verifies certificates (any order) and keeps those whose chain reaches the root.
    /// Returns the newly verified ones and the errors of the rest.
    pub fn admit(&self, certs: &[Certificate], now_ms: i64) -> (Vec<Certificate>, Vec<TrustError>) {
        let mut pending: Vec<&Certificate> = certs.iter().collect();
        let mut admitted = Vec::new();
        // Repeat until no progress: a chain may arrive leaf-first.
        loop {
            let mut progress = false;
            let mut rest = Vec::new();
            for cert in pending {
                match self.check(cert, now_ms) {
                    Ok(true) => {
                        self.insert(cert.clone());
                        admitted.push(cert.clone());
                        progress = true;
                    }
                    Ok(false) => {}
                    Err(TrustError::Unchained(_)) => rest.push(cert),
                    Err(e) => {
                        tracing::warn!(node = %cert.node, error = %e, "certificate refused");
                    }
                }
            }
            pending = rest;
            if !progress || pending.is_empty() {
                break;
            }
        }
        let errors = pending
            .into_iter()
            .map(|c| TrustError::Unchained(c.node))
            .collect();
        (admitted, errors)
    }

    fn insert(&self, cert: Certificate) {
        let mut verified = self.verified.write().expect("trust lock");
        let replace = verified
            .get(&cert.node)
            .is_none_or(|old| old.valid_from_ms <= cert.valid_from_ms);
        if replace {
            verified.insert(cert.node, cert);
            self.generation.fetch_add(1, Ordering::Release);
        }
    }

    /// Changes whenever a certificate is admitted.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The tree the verified certificates draw: every certified node under the parent that
    /// issued its certificate, named by its code. `None` when no root is verified yet.
    pub fn certified_tree(&self) -> Option<Topology> {
        let verified = self.verified.read().expect("trust lock");
        let nodes = verified
            .values()
            .map(|c| TopologyNode::new(c.node, c.node.as_str(), c.tier, c.parent))
            .collect();
        Topology::new(nodes).ok()
    }

    /// Ok(true) if the certificate verifies and is new, Ok(false) if already known.
    fn check(&self, cert: &Certificate, now_ms: i64) -> Result<bool, TrustError> {
        if self.certificate(cert.node).as_ref() == Some(cert) {
            return Ok(false);
        }
        if now_ms < cert.valid_from_ms || now_ms > cert.valid_to_ms {
            return Err(TrustError::Expired(cert.node));
        }
        let bad = || TrustError::BadSignature {
            node: cert.node,
            issuer: cert.issuer,
        };
        if cert.issuer == cert.node {
            if cert.public_key != self.root_key || cert.parent.is_some() {
                return Err(TrustError::NotRoot(cert.node));
            }
            return if cert.signed_by(&self.root_key) {
                Ok(true)
            } else {
                Err(bad())
            };
        }
        if cert.parent != Some(cert.issuer) {
            return Err(TrustError::WrongIssuer {
                node: cert.node,
                issuer: cert.issuer,
            });
        }
        let Some(issuer) = self.certificate(cert.issuer) else {
            return Err(TrustError::Unchained(cert.node));
        };
        if issuer.tier >= cert.tier {
            return Err(TrustError::WrongIssuer {
                node: cert.node,
                issuer: cert.issuer,
            });
        }
        if cert.signed_by(&issuer.public_key) {
            Ok(true)
        } else {
            Err(bad())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> NodeId {
        s.parse().unwrap()
    }

    #[test]
    fn chain_verifies_up_to_the_root_and_nothing_else_does() {
        let now = 1_800_000_000_000;
        let (root, city, county) = (
            NodeKey::generate(),
            NodeKey::generate(),
            NodeKey::generate(),
        );
        let root_cert = Certificate::self_signed_root(&root, id("440000"), now - 1, 10);
        let city_cert = Certificate::issue(
            &root,
            id("440000"),
            id("440100"),
            Tier::City,
            city.public_bytes(),
            Some(id("440000")),
            now - 1,
            now + 1_000_000,
        );
        let county_cert = Certificate::issue(
            &city,
            id("440100"),
            id("440106"),
            Tier::County,
            county.public_bytes(),
            Some(id("440100")),
            now - 1,
            now + 1_000_000,
        );
        let trust = Trust::new(root.public_bytes());
        // Leaf first, as a chain file holds them.
        let (ok, errors) = trust.admit(
            &[county_cert.clone(), city_cert.clone(), root_cert.clone()],
            now,
        );
        assert_eq!(ok.len(), 3, "{errors:?}");
        assert_eq!(trust.key_of(id("440106")), Some(county.public_bytes()));
        assert_eq!(trust.chain_of(id("440106")).len(), 3);

        // A chain rooted in another key is refused.
        let rogue = NodeKey::generate();
        let other = Trust::new(root.public_bytes());
        let fake_root = Certificate::self_signed_root(&rogue, id("440000"), now - 1, 10);
        let fake_city = Certificate::issue(
            &rogue,
            id("440000"),
            id("440100"),
            Tier::City,
            city.public_bytes(),
            Some(id("440000")),
            now - 1,
            now + 1_000_000,
        );
        let (ok, errors) = other.admit(&[fake_city, fake_root], now);
        assert!(ok.is_empty());
        assert_eq!(errors, vec![TrustError::Unchained(id("440100"))]);
        assert_eq!(other.key_of(id("440100")), None);

        // Text round trip, and line numbers in errors.
        let text = chain_to_text(&[county_cert, city_cert, root_cert]);
        assert_eq!(chain_from_text(&text).unwrap().len(), 3);
        let broken = text.replacen("\n", "\nzz\n", 1);
        assert_eq!(chain_from_text(&broken).unwrap_err().0, 2);
        // Expired.
        assert_eq!(
            trust
                .admit(
                    &[Certificate::self_signed_root(
                        &root,
                        id("440000"),
                        now - 10,
                        0
                    )],
                    now
                )
                .0
                .len(),
            0
        );
    }
}
