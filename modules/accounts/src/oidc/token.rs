//! The code exchange at the token endpoint (client_secret_basic, with the PKCE verifier)
//! and the ID token's checks: the signature against the provider's JWKS (RS256, ES256; the
//! algorithm must fit the key, never `none` nor HMAC), `iss`, `aud` (and `azp` when
//! present), `exp` and `nbf` with a small leeway, and the sign-in's `nonce`.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::OidcError;
use crate::Secret;

/// The largest token answer read.
const MAX_BYTES: usize = 256 * 1024;

/// What the token endpoint answers (the ID token; the access token for userinfo).
#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    access_token: Option<String>,
}

/// The tokens of a code exchange (never logged).
pub(crate) struct Tokens {
    /// The ID token.
    pub id_token: Secret,
    /// The access token, for the userinfo endpoint.
    pub access_token: Option<Secret>,
}

/// What the code exchange sends.
pub(crate) struct Exchange<'a> {
    pub token_endpoint: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a Secret,
    pub code: &'a str,
    pub verifier: &'a Secret,
    pub redirect_uri: &'a str,
}

/// Exchanges the code for the tokens (kept in [`Secret`]s: they are never logged).
pub(crate) async fn exchange(http: &reqwest::Client, x: Exchange<'_>) -> Result<Tokens, OidcError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", x.code),
        ("redirect_uri", x.redirect_uri),
        ("code_verifier", x.verifier.expose()),
    ];
    // RFC 6749 §2.3.1: the id and secret are form-urlencoded before basic authentication.
    let resp = http
        .post(x.token_endpoint)
        .basic_auth(
            form_encode(x.client_id),
            Some(form_encode(x.client_secret.expose())),
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .send()
        .await
        .map_err(|e| OidcError::TokenExchange(format!("token endpoint: {e}")))?;
    let status = resp.status();
    let body = resp
        .bytes()
        .await
        .map_err(|e| OidcError::TokenExchange(format!("token endpoint: {e}")))?;
    if body.len() > MAX_BYTES {
        return Err(OidcError::TokenExchange("answer too large".into()));
    }
    if !status.is_success() {
        // The error code only (RFC 6749 §5.2), never the body (it may echo the code).
        let error = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(short))
            .unwrap_or_default();
        return Err(OidcError::TokenExchange(format!(
            "status {status}, error `{error}`"
        )));
    }
    let answer: TokenAnswer = serde_json::from_slice(&body)
        .map_err(|e| OidcError::TokenExchange(format!("unreadable answer: {e}")))?;
    let id_token = answer
        .id_token
        .map(Secret::new)
        .ok_or_else(|| OidcError::TokenExchange("no id_token in the answer".into()))?;
    Ok(Tokens {
        id_token,
        access_token: answer.access_token.map(Secret::new),
    })
}

/// `application/x-www-form-urlencoded` of one value.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A provider's error code as logged: at most 64 characters of `[a-z_]` (RFC 6749's
/// codes), anything else dropped.
pub(crate) fn short(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect()
}

/// What an ID token is checked against.
pub(crate) struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub leeway_secs: u64,
}

/// The key of `keys` for a token signed with `alg`, named `kid`.
fn key_for<'k>(keys: &'k JwkSet, alg: Algorithm, kid: Option<&str>) -> Option<&'k Jwk> {
    let fits = |k: &&Jwk| {
        let kind = matches!(
            (&k.algorithm, alg),
            (AlgorithmParameters::RSA(_), Algorithm::RS256)
                | (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
        );
        let usage =
            !matches!(k.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature);
        let declared = match k.common.key_algorithm {
            None => true,
            Some(KeyAlgorithm::RS256) => alg == Algorithm::RS256,
            Some(KeyAlgorithm::ES256) => alg == Algorithm::ES256,
            Some(_) => false,
        };
        kind && usage && declared
    };
    match kid {
        Some(kid) => keys
            .keys
            .iter()
            .filter(|k| k.common.key_id.as_deref() == Some(kid))
            .find(fits),
        None => {
            let mut candidates = keys.keys.iter().filter(fits);
            let only = candidates.next();
            // Without a `kid`, only an unambiguous key is used.
            only.filter(|_| candidates.next().is_none())
        }
    }
}

/// The token's header: its algorithm (accepted ones only) and key id.
pub(crate) fn header_of(id_token: &str) -> Result<(Algorithm, Option<String>), OidcError> {
    let header = jsonwebtoken::decode_header(id_token)
        .map_err(|e| OidcError::TokenMalformed(e.to_string()))?;
    match header.alg {
        Algorithm::RS256 | Algorithm::ES256 => Ok((header.alg, header.kid)),
        other => Err(OidcError::TokenAlgorithm(format!("{other:?}"))),
    }
}

/// Whether `keys` hold a key for the token (else the JWKS is fetched again).
pub(crate) fn has_key(keys: &JwkSet, alg: Algorithm, kid: Option<&str>) -> bool {
    key_for(keys, alg, kid).is_some()
}

/// Checks `id_token` (see the module's documentation); its claims.
pub(crate) fn verify(
    id_token: &str,
    keys: &JwkSet,
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, OidcError> {
    let (alg, kid) = header_of(id_token)?;
    let jwk = key_for(keys, alg, kid.as_deref()).ok_or(OidcError::TokenKeyUnknown)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| OidcError::TokenKeyUnknown)?;
    let mut v = Validation::new(alg);
    v.set_issuer(&[expected.issuer]);
    v.set_audience(&[expected.client_id]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.leeway = expected.leeway_secs;
    v.validate_nbf = true;
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(id_token, &key, &v).map_err(|e| {
            match e.kind() {
                ErrorKind::InvalidSignature => OidcError::TokenSignature,
                ErrorKind::ExpiredSignature => OidcError::TokenExpired,
                ErrorKind::ImmatureSignature => OidcError::TokenNotYetValid,
                ErrorKind::InvalidIssuer => OidcError::TokenIssuer,
                ErrorKind::InvalidAudience => OidcError::TokenAudience,
                ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => {
                    OidcError::TokenAlgorithm(format!("{alg:?}"))
                }
                ErrorKind::InvalidEcdsaKey | ErrorKind::InvalidRsaKey(_) => {
                    OidcError::TokenKeyUnknown
                }
                ErrorKind::MissingRequiredClaim(c) => OidcError::MissingClaim(c.clone()),
                _ => OidcError::TokenMalformed(e.to_string()),
            }
        })?;
    let claims = data.claims;
    // OpenID Connect Core §3.1.3.7: an `azp`, when present, names this client.
    if let Some(azp) = claims.get("azp")
        && azp.as_str() != Some(expected.client_id)
    {
        return Err(OidcError::TokenAudience);
    }
    // `iat` far in the future is as wrong as `nbf` there.
    let now = chrono::Utc::now().timestamp();
    if let Some(iat) = claims.get("iat").and_then(Value::as_i64)
        && iat > now.saturating_add(i64::try_from(expected.leeway_secs).unwrap_or(i64::MAX))
    {
        return Err(OidcError::TokenNotYetValid);
    }
    let nonce = claims.get("nonce").and_then(Value::as_str);
    if !nonce.is_some_and(|n| constant_time_eq(n.as_bytes(), expected.nonce.as_bytes())) {
        return Err(OidcError::TokenNonce);
    }
    Ok(claims)
}

/// Equality of two byte strings in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rs256_and_es256_headers_are_accepted() {
        // {"alg":"HS256","typ":"JWT"} . {} . x
        let hs = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.eA";
        assert!(matches!(header_of(hs), Err(OidcError::TokenAlgorithm(_))));
        assert!(matches!(
            header_of("not a token"),
            Err(OidcError::TokenMalformed(_))
        ));
    }

    #[test]
    fn keys_fit_the_algorithm_and_kid() {
        let keys: JwkSet = serde_json::from_value(serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "r1", "use": "sig", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "kid": "r2", "use": "enc", "n": "sXch", "e": "AQAB"},
            {"kty": "EC", "kid": "e1", "crv": "P-256",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
        ]}))
        .unwrap();
        assert!(has_key(&keys, Algorithm::RS256, Some("r1")));
        assert!(!has_key(&keys, Algorithm::RS256, Some("r2")));
        assert!(!has_key(&keys, Algorithm::ES256, Some("r1")));
        assert!(has_key(&keys, Algorithm::ES256, Some("e1")));
        assert!(has_key(&keys, Algorithm::RS256, None));
        assert!(!has_key(&keys, Algorithm::RS256, Some("nope")));
    }

    #[test]
    fn error_codes_are_cut_and_secrets_encoded() {
        assert_eq!(short("invalid_grant<script>"), "invalid_grantscript");
        assert_eq!(form_encode("a b:c"), "a+b%3Ac");
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
