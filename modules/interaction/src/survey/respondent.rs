//! Who is responding: citizens carry a signed cookie `govnode_respondent=<id>.<signature>`
//! (a random id and a keyed blake3 hash of it under a key derived from the node's key), and
//! the store keeps only a hash of (survey, id). Clients are rate-limited by a hash of their
//! address: no raw cookie or address is ever stored.

/// The cookie's name.
pub const COOKIE_NAME: &str = "govnode_respondent";

/// Length of a respondent id in hex digits (128 random bits).
const ID_HEX: usize = 32;

/// Issues and verifies respondent cookies under one key.
#[derive(Clone)]
pub struct CookieSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for CookieSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieSigner").finish_non_exhaustive()
    }
}

impl CookieSigner {
    /// A signer with `key` (derive it from the node's secret; keep it out of logs).
    pub fn new(key: [u8; 32]) -> Self {
        CookieSigner { key }
    }

    fn signature(&self, id: &str) -> blake3::Hash {
        blake3::keyed_hash(&self.key, id.as_bytes())
    }

    /// A new respondent: its id and the cookie value carrying it.
    pub fn issue(&self) -> (String, String) {
        let id = hex::encode(rand::random::<[u8; ID_HEX / 2]>());
        let value = format!("{id}.{}", self.signature(&id).to_hex());
        (id, value)
    }

    /// The id in a cookie value, if the value is well formed and signed with this key.
    pub fn verify(&self, value: &str) -> Option<String> {
        let (id, sig) = value.split_once('.')?;
        if id.len() != ID_HEX || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let sig = blake3::Hash::from_hex(sig).ok()?;
        // blake3::Hash compares in constant time.
        (sig == self.signature(id)).then(|| id.to_string())
    }
}

/// The value of the respondent cookie among `Cookie` header values, if present.
pub fn find_cookie<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    headers
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().trim_matches('"'))
}

/// The key a response is stored under: a hash of the survey and the respondent's id, so
/// responses to different surveys cannot be linked to one person from the database.
pub fn respondent_key(survey: i64, respondent_id: &str) -> String {
    let mut h = blake3::Hasher::new_derive_key("govnode survey respondent key v1");
    h.update(&survey.to_le_bytes());
    h.update(respondent_id.as_bytes());
    h.finalize().to_hex().to_string()
}

/// The rate-limit bucket of a client address: a hash, never the address itself.
pub fn client_bucket(address: &str) -> String {
    let mut h = blake3::Hasher::new_derive_key("govnode survey client bucket v1");
    h.update(address.as_bytes());
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_cookies_verify_and_forged_ones_do_not() {
        let signer = CookieSigner::new([7; 32]);
        let (id, value) = signer.issue();
        assert_eq!(signer.verify(&value).as_deref(), Some(id.as_str()));
        let (other, _) = signer.issue();
        assert_ne!(id, other, "ids are random");
        // Another key, a changed id, a truncated or garbled signature: refused.
        assert_eq!(CookieSigner::new([8; 32]).verify(&value), None);
        let (_, sig) = value.split_once('.').unwrap();
        assert_eq!(signer.verify(&format!("{other}.{sig}")), None);
        assert_eq!(signer.verify(&value[..value.len() - 2]), None);
        assert_eq!(signer.verify(&id), None);
        assert_eq!(signer.verify(""), None);
        assert_eq!(signer.verify(&format!("{}.{sig}", id.to_uppercase())), None);
    }

    #[test]
    fn cookie_is_found_among_others() {
        let headers = ["elder=1; theme=x", "govnode_respondent=abc.def ; other=2"];
        assert_eq!(find_cookie(headers), Some("abc.def"));
        assert_eq!(find_cookie(["elder=1"]), None);
        assert_eq!(find_cookie(["xgovnode_respondent=1"]), None);
    }

    #[test]
    fn keys_are_hashes_distinct_per_survey() {
        let id = "0123456789abcdef0123456789abcdef";
        let a = respondent_key(1, id);
        assert_eq!(a.len(), 64);
        assert!(!a.contains(id));
        assert_ne!(a, respondent_key(2, id));
        assert_eq!(a, respondent_key(1, id));
        assert_ne!(client_bucket("1.2.3.4"), client_bucket("1.2.3.5"));
        assert!(!client_bucket("1.2.3.4").contains("1.2.3.4"));
    }
}
