//! The node key: one ed25519 secret, created on first start, kept in the data dir.
//!
//! The same 32-byte secret will also make the libp2p identity, so the PeerId and the
//! signing key are one identity.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// File name of the node key inside the data dir.
pub const KEY_FILE: &str = "node.key";

/// Errors loading or creating the node key.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The key file could not be read or written.
    #[error("node key {path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The key file does not hold a 64-hex-digit secret.
    #[error("node key {0} is malformed: expected 64 hex digits")]
    Malformed(PathBuf),
    /// `create` found an existing key it must not overwrite.
    #[error("node key {0} already exists; refusing to overwrite it")]
    Exists(PathBuf),
}

/// The node's signing identity.
#[derive(Clone)]
pub struct NodeKey {
    pub(crate) signing: SigningKey,
}

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("NodeKey")
            .field("public", &self.public_hex())
            .finish()
    }
}

impl NodeKey {
    /// Generates a fresh key.
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::fill(&mut secret);
        NodeKey {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    /// Creates the key file in `data_dir` (mode 0600); fails if one exists.
    pub fn create(data_dir: &Path) -> Result<Self, IdentityError> {
        let path = data_dir.join(KEY_FILE);
        let io = |source| IdentityError::Io {
            path: path.clone(),
            source,
        };
        let key = Self::generate();
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                IdentityError::Exists(path.clone())
            } else {
                io(e)
            }
        })?;
        file.write_all(hex::encode(key.signing.to_bytes()).as_bytes())
            .map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(key)
    }

    /// Loads the key file from `data_dir`.
    pub fn load(data_dir: &Path) -> Result<Self, IdentityError> {
        let path = data_dir.join(KEY_FILE);
        let text = fs::read_to_string(&path).map_err(|source| IdentityError::Io {
            path: path.clone(),
            source,
        })?;
        let bytes = hex::decode(text.trim()).map_err(|_| IdentityError::Malformed(path.clone()))?;
        let secret: [u8; 32] = bytes
            .try_into()
            .map_err(|_| IdentityError::Malformed(path.clone()))?;
        Ok(NodeKey {
            signing: SigningKey::from_bytes(&secret),
        })
    }

    /// Loads the key, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, IdentityError> {
        if data_dir.join(KEY_FILE).exists() {
            Self::load(data_dir)
        } else {
            Self::create(data_dir)
        }
    }

    /// The public key.
    pub fn public(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The public key as 64 hex digits (what an operator copies for enrolment).
    pub fn public_hex(&self) -> String {
        hex::encode(self.public().to_bytes())
    }

    /// Signs bytes.
    pub fn sign(&self, msg: &[u8]) -> Signature {
        self.signing.sign(msg)
    }

    /// Verifies a signature against a public key.
    pub fn verify(public: &VerifyingKey, msg: &[u8], sig: &Signature) -> bool {
        public.verify(msg, sig).is_ok()
    }
}

impl NodeKey {
    /// The libp2p identity made from the same secret, so PeerId and signing key are one.
    pub fn libp2p_keypair(&self) -> libp2p::identity::Keypair {
        // ed25519_from_bytes zeroizes its argument: hand it a copy.
        let mut secret = self.signing.to_bytes();
        libp2p::identity::Keypair::ed25519_from_bytes(&mut secret)
            .expect("a 32-byte ed25519 secret is always valid")
    }

    /// The public key as raw bytes.
    pub fn public_bytes(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// Rebuilds a key from its 32-byte secret (tests and in-process trees).
    pub fn from_secret(secret: [u8; 32]) -> Self {
        NodeKey {
            signing: SigningKey::from_bytes(&secret),
        }
    }
}

/// The libp2p PeerId that belongs to an ed25519 public key.
pub fn peer_id_of(public: &[u8; 32]) -> Option<libp2p::PeerId> {
    let key = libp2p::identity::ed25519::PublicKey::try_from_bytes(public).ok()?;
    Some(libp2p::PeerId::from_public_key(
        &libp2p::identity::PublicKey::from(key),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_load_and_sign() {
        let dir = tempfile::tempdir().unwrap();
        let created = NodeKey::create(dir.path()).unwrap();
        let loaded = NodeKey::load(dir.path()).unwrap();
        assert_eq!(created.public_hex(), loaded.public_hex());
        let sig = loaded.sign(b"entry");
        assert!(NodeKey::verify(&created.public(), b"entry", &sig));
        assert!(!NodeKey::verify(&created.public(), b"altered", &sig));
        assert!(matches!(
            NodeKey::create(dir.path()),
            Err(IdentityError::Exists(_))
        ));
    }

    #[test]
    fn malformed_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KEY_FILE), "not hex").unwrap();
        let err = NodeKey::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("node.key"), "{err}");
    }
}
