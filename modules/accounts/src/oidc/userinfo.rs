//! The userinfo endpoint (OpenID Connect Core §5.3): asked only when the ID token lacks a
//! claim the node needs (a provider that keeps profile claims out of its ID tokens). Its
//! `sub` must be the ID token's (§5.3.2); its claims only add to the token's, never replace
//! them.

use serde_json::{Map, Value};

use super::OidcError;
use crate::Secret;

/// The largest userinfo answer read.
const MAX_BYTES: usize = 256 * 1024;

/// Adds to `claims` the claims of the userinfo endpoint at `url` (with `access_token`) that
/// they lack.
pub(crate) async fn complete(
    http: &reqwest::Client,
    url: &str,
    access_token: &Secret,
    claims: &mut Map<String, Value>,
) -> Result<(), OidcError> {
    let fail = |why: String| OidcError::Discovery(format!("userinfo: {why}"));
    let resp = http
        .get(url)
        .bearer_auth(access_token.expose())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(fail(format!("status {status}")));
    }
    let body = resp.bytes().await.map_err(|e| fail(e.to_string()))?;
    if body.len() > MAX_BYTES {
        return Err(fail("answer too large".into()));
    }
    let info: Map<String, Value> =
        serde_json::from_slice(&body).map_err(|e| fail(format!("not a JSON object: {e}")))?;
    merge(claims, info)
}

/// Adds `info`'s claims that `claims` lack, once `info` is known to be about the same `sub`.
fn merge(claims: &mut Map<String, Value>, info: Map<String, Value>) -> Result<(), OidcError> {
    if info.get("sub").is_none() || info.get("sub") != claims.get("sub") {
        return Err(OidcError::UserinfoSubject);
    }
    for (name, value) in info {
        claims.entry(name).or_insert(value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_adds_claims_of_the_same_subject_only() {
        let mut claims = serde_json::json!({"sub": "a", "name": "甲"})
            .as_object()
            .cloned()
            .unwrap();
        let info = serde_json::json!({"sub": "a", "name": "乙", "preferred_username": "li.si"});
        merge(&mut claims, info.as_object().cloned().unwrap()).unwrap();
        assert_eq!(claims["name"], "甲");
        assert_eq!(claims["preferred_username"], "li.si");
        let other = serde_json::json!({"sub": "b", "preferred_username": "x"});
        assert!(matches!(
            merge(&mut claims, other.as_object().cloned().unwrap()),
            Err(OidcError::UserinfoSubject)
        ));
    }
}
