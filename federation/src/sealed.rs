//! Sealing data for one node: what only the addressee may read (a citizen's contact data
//! in a ticket) crosses the relays of its path sealed to the addressee's node key.
//!
//! The addressee's ed25519 key, read as X25519 (its Montgomery form), meets a fresh
//! ephemeral X25519 key; blake3 derives a ChaCha20-Poly1305 key from the shared secret and
//! both public keys. A key is used once, so the nonce is fixed.

use chacha20poly1305::aead::Aead;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use x25519_dalek::{PublicKey, StaticSecret};

use crate::identity::NodeKey;

const CONTEXT: &str = "govnode sealed box v1 (x25519 + chacha20poly1305)";
const NONCE: [u8; 12] = [0; 12];

fn cipher(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> ChaCha20Poly1305 {
    let mut material = Vec::with_capacity(96);
    material.extend_from_slice(shared);
    material.extend_from_slice(ephemeral);
    material.extend_from_slice(recipient);
    let key = blake3::derive_key(CONTEXT, &material);
    ChaCha20Poly1305::new(&key.into())
}

/// Seals `plaintext` for the node whose ed25519 public key is `recipient`; None if the key
/// is not a valid point.
pub fn seal_for(recipient: &[u8; 32], plaintext: &[u8]) -> Option<Vec<u8>> {
    let montgomery = ed25519_dalek::VerifyingKey::from_bytes(recipient)
        .ok()?
        .to_montgomery()
        .to_bytes();
    let ephemeral = StaticSecret::from(rand::random::<[u8; 32]>());
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(montgomery));
    let sealed = cipher(shared.as_bytes(), &ephemeral_public, &montgomery)
        .encrypt(&NONCE.into(), plaintext)
        .ok()?;
    let mut out = ephemeral_public.to_vec();
    out.extend(sealed);
    Some(out)
}

impl NodeKey {
    /// Opens data sealed for this node (None if it was not, or was altered).
    pub fn open_sealed(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (ephemeral, ciphertext) = sealed.split_at_checked(32)?;
        let ephemeral: [u8; 32] = ephemeral.try_into().ok()?;
        let secret = StaticSecret::from(self.signing.to_scalar_bytes());
        let own = PublicKey::from(&secret).to_bytes();
        let shared = secret.diffie_hellman(&PublicKey::from(ephemeral));
        cipher(shared.as_bytes(), &ephemeral, &own)
            .decrypt(&NONCE.into(), ciphertext)
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_addressee_opens() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let b = NodeKey::load_or_create(dir.path()).unwrap();
        let c = NodeKey::load_or_create(other.path()).unwrap();
        let sealed = seal_for(&b.public_bytes(), "张三 13800138000".as_bytes()).unwrap();
        assert!(!sealed.windows(11).any(|w| w == b"13800138000"));
        assert_eq!(
            b.open_sealed(&sealed).unwrap(),
            "张三 13800138000".as_bytes()
        );
        assert!(c.open_sealed(&sealed).is_none());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(b.open_sealed(&altered).is_none());
        assert!(b.open_sealed(&sealed[..10]).is_none());
    }
}
