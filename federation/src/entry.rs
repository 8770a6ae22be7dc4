//! Signed entries: the unit of replication.
//!
//! The signature covers a canonical encoding (postcard, fixed field order, a format byte
//! and a domain tag) of everything but the payload itself, which it covers through its
//! blake3 hash. That lets a relay hand on an entry *without* its payload (an elided
//! entry, for a peer not entitled to the content) that the peer can still verify, so
//! every node's per-origin log stays gap-free.

use govnode_topology::NodeId;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::identity::NodeKey;

/// Version of the canonical encoding.
pub const ENTRY_FORMAT: u8 = 1;
const DOMAIN: &[u8] = b"govnode-entry";

/// Who is entitled to hold an entry, besides its origin and every ancestor of the origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Public content: also every descendant of the origin (its lineage view).
    Public,
    /// Only the origin's ancestors (receipts, rollups).
    Up,
    /// The named nodes, and every node on the tree path to them (distribution, routing).
    Nodes(Vec<NodeId>),
}

/// One signed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The node that made it.
    pub origin: NodeId,
    /// Per-origin sequence, gap-free from 1.
    pub seq: u64,
    /// Hybrid logical clock at creation.
    pub hlc: u64,
    /// What it is, e.g. `content.article` (modules own their kinds).
    pub kind: String,
    /// The object it writes, e.g. `gd/12`; last writer wins per (kind, object).
    pub object: String,
    /// Who may hold it.
    pub audience: Audience,
    /// blake3 of the payload.
    pub payload_hash: [u8; 32],
    /// The payload, or None when elided for a peer not entitled to it.
    pub payload: Option<Vec<u8>>,
    /// ed25519 signature over the canonical bytes.
    pub signature: Vec<u8>,
}

#[derive(Serialize)]
struct Canonical<'a> {
    domain: &'a [u8],
    format: u8,
    origin: &'a str,
    seq: u64,
    hlc: u64,
    kind: &'a str,
    object: &'a str,
    audience: &'a Audience,
    payload_hash: &'a [u8; 32],
}

/// The fields of an entry before it is signed.
#[derive(Debug, Clone)]
pub struct EntryDraft {
    /// Entry kind.
    pub kind: String,
    /// Object id.
    pub object: String,
    /// Audience.
    pub audience: Audience,
    /// Encoded payload (see [`encode_payload`]).
    pub payload: Vec<u8>,
}

impl Entry {
    /// Signs a draft as `origin`'s entry number `seq`.
    pub fn sign(key: &NodeKey, origin: NodeId, seq: u64, hlc: u64, draft: EntryDraft) -> Entry {
        let mut entry = Entry {
            origin,
            seq,
            hlc,
            kind: draft.kind,
            object: draft.object,
            audience: draft.audience,
            payload_hash: *blake3::hash(&draft.payload).as_bytes(),
            payload: Some(draft.payload),
            signature: Vec::new(),
        };
        entry.signature = key.sign(&entry.canonical_bytes()).to_bytes().to_vec();
        entry
    }

    /// The bytes the signature covers.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(&Canonical {
            domain: DOMAIN,
            format: ENTRY_FORMAT,
            origin: self.origin.as_str(),
            seq: self.seq,
            hlc: self.hlc,
            kind: &self.kind,
            object: &self.object,
            audience: &self.audience,
            payload_hash: &self.payload_hash,
        })
        .expect("postcard encodes plain structs")
    }

    /// The entry's identity: blake3 of its canonical bytes (chained into digests).
    pub fn id(&self) -> [u8; 32] {
        *blake3::hash(&self.canonical_bytes()).as_bytes()
    }

    /// Whether the payload (if present) matches its hash.
    pub fn payload_intact(&self) -> bool {
        match &self.payload {
            Some(p) => blake3::hash(p).as_bytes() == &self.payload_hash,
            None => true,
        }
    }

    /// Whether the signature verifies under `public`.
    pub fn signed_by(&self, public: &[u8; 32]) -> bool {
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(public) else {
            return false;
        };
        let Ok(sig) = ed25519_dalek::Signature::from_slice(&self.signature) else {
            return false;
        };
        NodeKey::verify(&key, &self.canonical_bytes(), &sig)
    }

    /// A copy without the payload, still verifiable.
    pub fn elided(&self) -> Entry {
        Entry {
            payload: None,
            ..self.clone()
        }
    }

    /// Approximate size on the wire, for batch limits.
    pub fn wire_size(&self) -> usize {
        96 + self.kind.len()
            + self.object.len()
            + self.payload.as_ref().map_or(0, Vec::len)
            + match &self.audience {
                Audience::Nodes(n) => n.len() * 7,
                _ => 0,
            }
    }
}

/// Encodes a module's payload: a version byte, then postcard (deterministic for a given value).
pub fn encode_payload<T: Serialize>(version: u8, value: &T) -> Vec<u8> {
    let mut out = vec![version];
    out.extend(postcard::to_stdvec(value).expect("postcard encodes plain structs"));
    out
}

/// Decodes a payload made by [`encode_payload`], returning its version.
pub fn decode_payload<T: DeserializeOwned>(bytes: &[u8]) -> Result<(u8, T), String> {
    let (&version, rest) = bytes
        .split_first()
        .ok_or_else(|| "empty payload".to_string())?;
    let value = postcard::from_bytes(rest).map_err(|e| format!("payload v{version}: {e}"))?;
    Ok((version, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &NodeKey) -> Entry {
        Entry::sign(
            key,
            "440106".parse().unwrap(),
            7,
            42,
            EntryDraft {
                kind: "content.article".into(),
                object: "th/1".into(),
                audience: Audience::Public,
                payload: encode_payload(1, &("标题", 3u32)),
            },
        )
    }

    #[test]
    fn signature_covers_every_field_and_survives_elision() {
        let key = NodeKey::generate();
        let e = entry(&key);
        assert!(e.signed_by(&key.public_bytes()));
        assert!(e.payload_intact());
        let elided = e.elided();
        assert!(elided.signed_by(&key.public_bytes()));
        assert_eq!(elided.id(), e.id());

        let mut altered = e.clone();
        altered.object = "th/2".into();
        assert!(!altered.signed_by(&key.public_bytes()));
        let mut altered = e.clone();
        altered.payload = Some(encode_payload(1, &("改过", 3u32)));
        assert!(altered.signed_by(&key.public_bytes()), "hash unchanged");
        assert!(
            !altered.payload_intact(),
            "but the payload no longer matches it"
        );
        assert!(!e.signed_by(&NodeKey::generate().public_bytes()));
    }

    #[test]
    fn payload_round_trip_and_determinism() {
        let a = encode_payload(2, &vec!["a", "b"]);
        assert_eq!(a, encode_payload(2, &vec!["a", "b"]));
        let (v, back): (u8, Vec<String>) = decode_payload(&a).unwrap();
        assert_eq!((v, back), (2, vec!["a".to_string(), "b".to_string()]));
        assert!(decode_payload::<Vec<String>>(&[]).is_err());
    }
}
