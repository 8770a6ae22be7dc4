//! `[auth.oidc]`: single sign-on through the province's unified identity platform (an
//! OpenID Connect provider).
//!
//! ```toml
//! [auth.oidc]
//! issuer = "https://sso.gd.gov.cn"          # exactly as its discovery document names it
//! client_id = "govnode-440000"
//! client_secret_file = "/etc/govnode/oidc-secret"   # or client_secret = "…"
//! scopes = ["openid", "profile"]
//! match_claim = "preferred_username"        # its value is the login name of the user
//! provision_users = false                   # true: unknown people become users, without grants
//! grants_claim = "govnode_grants"           # optional: ["editor@gd", "auditor", …]
//! button_label = "统一身份认证平台"
//! leeway_secs = 60
//! ```
//!
//! The claim named by `grants_claim` holds a list of strings (or one space-separated
//! string), each a grant as `<role>` or `<role>@<scope>`: `editor@gd`, `reviewer@gd`,
//! `site-admin@gd`, `handler@440000.hrss`, `auditor`. Such grants are replaced at each
//! sign-in by what the claim then says; grants given on this node stay. `platform-admin`
//! is never taken from a claim.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The largest clock leeway accepted, seconds.
const MAX_LEEWAY_SECS: u64 = 300;

/// `[auth.oidc]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSection {
    /// The provider's issuer identifier (an https URL; http only on a loopback address).
    pub issuer: String,
    /// This node's client id at the provider.
    pub client_id: String,
    /// The client secret (or `client_secret_file`; exactly one of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// A file holding the client secret (surrounding white space ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// The scopes asked (`openid` is always asked). Default `openid profile`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim whose value is the user's login name. Default `preferred_username`.
    #[serde(default = "default_match_claim")]
    pub match_claim: String,
    /// Whether a person without a user here becomes one (without grants) at their first
    /// sign-in. Default false.
    #[serde(default)]
    pub provision_users: bool,
    /// The claim grants are mapped from (see the module's documentation). Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants_claim: Option<String>,
    /// The sign-in page's button. Default 统一身份认证平台.
    #[serde(default = "default_label")]
    pub button_label: String,
    /// Seconds of clock difference tolerated on the ID token's `exp` and `nbf`. Default 60.
    #[serde(default = "default_leeway")]
    pub leeway_secs: u64,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into()]
}

fn default_match_claim() -> String {
    "preferred_username".into()
}

fn default_label() -> String {
    "统一身份认证平台".into()
}

fn default_leeway() -> u64 {
    60
}

/// Whether `host` (of a URL's authority) is a loopback address.
fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `s` is a claim or scope name: printable ASCII without spaces or quotes.
fn token_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

impl OidcSection {
    /// A section with the defaults, for `issuer` and `client_id` and a secret.
    pub fn new(issuer: &str, client_id: &str, client_secret: &str) -> OidcSection {
        OidcSection {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: Some(client_secret.into()),
            client_secret_file: None,
            scopes: default_scopes(),
            match_claim: default_match_claim(),
            provision_users: false,
            grants_claim: None,
            button_label: default_label(),
            leeway_secs: default_leeway(),
        }
    }

    /// Checks the values serde cannot, naming the key of a bad one (never a secret).
    pub fn validate(&self) -> Result<(), String> {
        let url = reqwest::Url::parse(&self.issuer).ok();
        let fine = url.as_ref().is_some_and(|u| {
            let host = u.host_str().unwrap_or("");
            let scheme_ok = u.scheme() == "https" || (u.scheme() == "http" && loopback(host));
            scheme_ok
                && !host.is_empty()
                && u.query().is_none()
                && u.fragment().is_none()
                && u.username().is_empty()
                && u.password().is_none()
        });
        if !fine || self.issuer.trim() != self.issuer {
            return Err(format!(
                "auth.oidc.issuer = {:?}: must be an https URL without query or fragment \
                 (http only on a loopback address, for tests)",
                self.issuer
            ));
        }
        if !token_like(&self.client_id) {
            return Err("auth.oidc.client_id: must be non-empty printable ASCII".into());
        }
        match (&self.client_secret, &self.client_secret_file) {
            (Some(_), Some(_)) => {
                return Err("auth.oidc: give client_secret or client_secret_file, not both".into());
            }
            (None, None) => {
                return Err("auth.oidc: client_secret or client_secret_file is missing".into());
            }
            (Some(s), None) if s.trim().is_empty() => {
                return Err("auth.oidc.client_secret is empty".into());
            }
            _ => {}
        }
        if let Some(bad) = self.scopes.iter().find(|s| !token_like(s)) {
            return Err(format!("auth.oidc.scopes: {bad:?} is not a scope name"));
        }
        if !token_like(&self.match_claim) {
            return Err(format!(
                "auth.oidc.match_claim = {:?}: not a claim name",
                self.match_claim
            ));
        }
        if let Some(c) = &self.grants_claim
            && !token_like(c)
        {
            return Err(format!("auth.oidc.grants_claim = {c:?}: not a claim name"));
        }
        let label = self.button_label.trim();
        if label.is_empty() || label.chars().count() > 40 {
            return Err("auth.oidc.button_label: must be 1 to 40 characters".into());
        }
        if self.leeway_secs > MAX_LEEWAY_SECS {
            return Err(format!(
                "auth.oidc.leeway_secs = {}: at most {MAX_LEEWAY_SECS}",
                self.leeway_secs
            ));
        }
        Ok(())
    }

    /// The accounts module's settings, with the client secret read (from its file when
    /// configured so).
    pub fn settings(&self) -> Result<govnode_accounts::OidcSettings, String> {
        let secret = match (&self.client_secret, &self.client_secret_file) {
            (Some(s), _) => s.trim().to_string(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| format!("auth.oidc.client_secret_file {}: {e}", path.display()))?
                .trim()
                .to_string(),
            (None, None) => String::new(),
        };
        if secret.is_empty() {
            return Err("auth.oidc: the client secret is empty".into());
        }
        Ok(govnode_accounts::OidcSettings {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: secret.into(),
            scopes: self.scopes.clone(),
            match_claim: self.match_claim.clone(),
            provision: self.provision_users,
            grants_claim: self.grants_claim.clone(),
            leeway_secs: self.leeway_secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> OidcSection {
        OidcSection::new("https://sso.gd.gov.cn", "govnode-440000", "s3cret")
    }

    #[test]
    fn a_good_section_and_its_defaults() {
        let s = ok();
        assert!(s.validate().is_ok());
        assert_eq!(s.match_claim, "preferred_username");
        assert_eq!(s.button_label, "统一身份认证平台");
        let local = OidcSection::new("http://127.0.0.1:8080", "c", "s");
        assert!(local.validate().is_ok());
        let parsed: OidcSection = toml::from_str(
            "issuer = \"https://sso.example\"\nclient_id = \"c\"\nclient_secret = \"s\"\n",
        )
        .unwrap();
        assert_eq!(parsed, OidcSection::new("https://sso.example", "c", "s"));
        let unknown = toml::from_str::<OidcSection>(
            "issuer = \"https://sso.example\"\nclient_id = \"c\"\nclient_secret = \"s\"\nsecret = 1\n",
        );
        assert!(unknown.is_err());
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases: Vec<(OidcSection, &str)> = vec![
            (
                OidcSection {
                    issuer: "http://sso.gd.gov.cn".into(),
                    ..ok()
                },
                "auth.oidc.issuer",
            ),
            (
                OidcSection {
                    issuer: "https://sso.gd.gov.cn/?x=1".into(),
                    ..ok()
                },
                "auth.oidc.issuer",
            ),
            (
                OidcSection {
                    issuer: "sso.gd.gov.cn".into(),
                    ..ok()
                },
                "auth.oidc.issuer",
            ),
            (
                OidcSection {
                    client_id: String::new(),
                    ..ok()
                },
                "auth.oidc.client_id",
            ),
            (
                OidcSection {
                    client_secret_file: Some("/x".into()),
                    ..ok()
                },
                "not both",
            ),
            (
                OidcSection {
                    client_secret: None,
                    ..ok()
                },
                "missing",
            ),
            (
                OidcSection {
                    scopes: vec!["open id".into()],
                    ..ok()
                },
                "auth.oidc.scopes",
            ),
            (
                OidcSection {
                    match_claim: String::new(),
                    ..ok()
                },
                "auth.oidc.match_claim",
            ),
            (
                OidcSection {
                    button_label: " ".into(),
                    ..ok()
                },
                "auth.oidc.button_label",
            ),
            (
                OidcSection {
                    leeway_secs: 3600,
                    ..ok()
                },
                "auth.oidc.leeway_secs",
            ),
        ];
        for (section, key) in cases {
            let err = section.validate().unwrap_err();
            assert!(err.contains(key), "{err} lacks {key}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn the_secret_is_read_from_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-the-file\n").unwrap();
        let s = OidcSection {
            client_secret: None,
            client_secret_file: Some(path.clone()),
            ..ok()
        };
        assert!(s.validate().is_ok());
        assert_eq!(
            s.settings().unwrap().client_secret.expose(),
            "from-the-file"
        );
        let missing = OidcSection {
            client_secret: None,
            client_secret_file: Some(dir.path().join("absent")),
            ..ok()
        };
        assert!(
            missing
                .settings()
                .unwrap_err()
                .contains("client_secret_file")
        );
    }
}
