//! The identity provider as discovered: its endpoints (from
//! `<issuer>/.well-known/openid-configuration`, whose `issuer` must equal the configured one
//! exactly) and its signing keys (the JWKS), kept for an hour; the keys are fetched again,
//! at most once a minute, when a token names a key not held (the provider rotated its keys).

use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::OidcError;

/// How long a discovery is used before it is fetched again.
const FRESH_MS: i64 = 60 * 60 * 1000;
/// The shortest time between two fetches forced by an unknown key.
const REFETCH_MS: i64 = 60 * 1000;
/// The largest discovery document or JWKS read.
const MAX_BYTES: usize = 512 * 1024;

/// The endpoints of the provider.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
}

/// A discovery and when it was made.
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    pub metadata: Metadata,
    pub keys: JwkSet,
    fetched_ms: i64,
}

/// The cache of the provider's discovery.
#[derive(Debug, Default)]
pub(crate) struct ProviderCache {
    current: Mutex<Option<Discovered>>,
}

/// GETs `url` as JSON, at most [`MAX_BYTES`].
async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<T, OidcError> {
    let resp = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| OidcError::Discovery(format!("{url}: {e}")))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(OidcError::Discovery(format!("{url}: status {status}")));
    }
    let body = resp
        .bytes()
        .await
        .map_err(|e| OidcError::Discovery(format!("{url}: {e}")))?;
    if body.len() > MAX_BYTES {
        return Err(OidcError::Discovery(format!("{url}: answer too large")));
    }
    serde_json::from_slice(&body).map_err(|e| OidcError::Discovery(format!("{url}: {e}")))
}

/// The keys of a JWKS document that this crate can use (a key of an unknown type is
/// skipped rather than failing the whole set).
fn usable_keys(doc: &serde_json::Value) -> JwkSet {
    let keys = doc
        .get("keys")
        .and_then(|k| k.as_array())
        .map(|keys| {
            keys.iter()
                .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    JwkSet { keys }
}

/// Fetches the discovery document of `issuer` and the JWKS it names.
async fn discover(
    http: &reqwest::Client,
    issuer: &str,
    now_ms: i64,
) -> Result<Discovered, OidcError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let metadata: Metadata = get_json(http, &url).await?;
    if metadata.issuer != issuer {
        return Err(OidcError::IssuerMismatch {
            found: metadata.issuer,
        });
    }
    let jwks: serde_json::Value = get_json(http, &metadata.jwks_uri).await?;
    Ok(Discovered {
        keys: usable_keys(&jwks),
        metadata,
        fetched_ms: now_ms,
    })
}

impl ProviderCache {
    /// The provider's discovery, fetched when missing or stale.
    pub(crate) async fn get(
        &self,
        http: &reqwest::Client,
        issuer: &str,
        now_ms: i64,
    ) -> Result<Discovered, OidcError> {
        let mut current = self.current.lock().await;
        if let Some(d) = current.as_ref()
            && now_ms - d.fetched_ms < FRESH_MS
        {
            return Ok(d.clone());
        }
        let d = discover(http, issuer, now_ms).await?;
        *current = Some(d.clone());
        Ok(d)
    }

    /// The discovery fetched again, when `kid` is not among the keys held (unless the last
    /// fetch is under a minute old); `None` when nothing new was fetched.
    pub(crate) async fn refresh_for_key(
        &self,
        http: &reqwest::Client,
        issuer: &str,
        now_ms: i64,
    ) -> Result<Option<Discovered>, OidcError> {
        let mut current = self.current.lock().await;
        if current
            .as_ref()
            .is_some_and(|d| now_ms - d.fetched_ms < REFETCH_MS)
        {
            return Ok(None);
        }
        let d = discover(http, issuer, now_ms).await?;
        *current = Some(d.clone());
        Ok(Some(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_types_are_skipped() {
        let doc = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "a", "use": "sig", "alg": "RS256", "n": "sXch", "e": "AQAB"},
            7,
            "not a key"
        ]});
        let set = usable_keys(&doc);
        assert_eq!(set.keys.len(), 1);
        assert!(set.find("a").is_some());
        assert!(usable_keys(&serde_json::json!({})).keys.is_empty());
    }
}
