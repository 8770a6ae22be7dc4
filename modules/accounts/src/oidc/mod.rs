//! Single sign-on (一号登录): this node as an OpenID Connect relying party of the
//! province's unified identity platform, by the authorization code flow with PKCE.
//!
//! 1. [`Oidc::begin`]: the provider's discovery (`provider`), a new `state`, `nonce` and
//!    PKCE verifier kept server-side (`pending`), and the authorization URL to send the
//!    browser to.
//! 2. [`Oidc::finish`]: the callback's `state` taken (once, unexpired, and the one this
//!    browser started), the code exchanged and the ID token checked (`token`), then the
//!    person matched to a user of this node, or provisioned (`people`); a claim the ID
//!    token lacks is asked of the userinfo endpoint (`userinfo`). What it returns is
//!    the [`Authenticated`] a password sign-in returns: the same session creation and the
//!    same second factor follow.
//!
//! Neither a code, a token, the verifier nor the client secret is ever logged or shown: they
//! are held in [`Secret`]s, and errors name what was wrong, never a value.

mod error;
mod pending;
mod people;
mod provider;
mod token;
mod userinfo;

use std::sync::Arc;
use std::time::Duration;

use crate::{Authenticated, Secret, UserStore};

pub use error::{OidcError, OidcFault};

/// How long a request to the provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What single sign-on is configured with (`[auth.oidc]`).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The provider's issuer identifier, exactly as its discovery document and its tokens
    /// name it.
    pub issuer: String,
    /// This node's client id at the provider.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: Secret,
    /// The scopes asked (always with `openid`).
    pub scopes: Vec<String>,
    /// The claim whose value is the login name users are matched by.
    pub match_claim: String,
    /// Whether an unknown person becomes a user (without grants) at their first sign-in.
    pub provision: bool,
    /// The claim grants are mapped from, if any (see `people`).
    pub grants_claim: Option<String>,
    /// Seconds of clock difference tolerated for `exp` and `nbf`.
    pub leeway_secs: u64,
}

/// A sign-in sent to the provider.
#[derive(Debug)]
pub struct OidcStart {
    /// Where to send the browser.
    pub authorization_url: String,
    /// The `state`, for the browser's cookie binding the sign-in to it.
    pub state: Secret,
}

/// The relying party: settings, an HTTP client, the provider's discovery.
#[derive(Clone)]
pub struct Oidc {
    settings: Arc<OidcSettings>,
    http: reqwest::Client,
    provider: Arc<provider::ProviderCache>,
    users: UserStore,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.settings.issuer)
            .field("client_id", &self.settings.client_id)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    /// The relying party over `users`' database.
    pub fn new(settings: OidcSettings, users: UserStore) -> Result<Oidc, String> {
        // rustls over `ring` for https providers (another provider installed first stays).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            // The provider's endpoints answer directly; a redirect is not followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client for single sign-on: {e}"))?;
        Ok(Oidc {
            settings: Arc::new(settings),
            http,
            provider: Arc::new(provider::ProviderCache::default()),
            users,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// Starts a sign-in that comes back to `redirect_uri`.
    pub async fn begin(&self, redirect_uri: &str, now_ms: i64) -> Result<OidcStart, OidcError> {
        let d = self
            .provider
            .get(&self.http, &self.settings.issuer, now_ms)
            .await?;
        let started = pending::start(&self.users.write, redirect_uri, now_ms).await?;
        let mut scopes = vec!["openid".to_string()];
        scopes.extend(
            self.settings
                .scopes
                .iter()
                .filter(|s| s.as_str() != "openid")
                .cloned(),
        );
        let mut url = reqwest::Url::parse(&d.metadata.authorization_endpoint).map_err(|e| {
            OidcError::Discovery(format!("authorization_endpoint is not a URL: {e}"))
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", started.state.expose())
            .append_pair("nonce", &started.nonce)
            .append_pair("code_challenge", &started.challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(OidcStart {
            authorization_url: url.into(),
            state: started.state,
        })
    }

    /// Completes a sign-in from the callback's `state` and `code`; `browser_state` is the
    /// state the browser's cookie holds. The user signed in (their second factor may still
    /// be due), audited with `client_ip`.
    pub async fn finish(
        &self,
        state: &str,
        code: &str,
        browser_state: Option<&str>,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<Authenticated, OidcError> {
        let s = &self.settings;
        let returned = pending::take(&self.users.write, state, now_ms)
            .await?
            .ok_or(OidcError::UnknownState)?;
        if browser_state != Some(state) {
            return Err(OidcError::OtherBrowser);
        }
        let mut d = self.provider.get(&self.http, &s.issuer, now_ms).await?;
        let tokens = token::exchange(
            &self.http,
            token::Exchange {
                token_endpoint: &d.metadata.token_endpoint,
                client_id: &s.client_id,
                client_secret: &s.client_secret,
                code,
                verifier: &returned.verifier,
                redirect_uri: &returned.redirect_uri,
            },
        )
        .await?;
        let id_token = &tokens.id_token;
        let (alg, kid) = token::header_of(id_token.expose())?;
        if !token::has_key(&d.keys, alg, kid.as_deref())
            && let Some(fresh) = self
                .provider
                .refresh_for_key(&self.http, &s.issuer, now_ms)
                .await?
        {
            d = fresh;
        }
        let expected = token::Expected {
            issuer: &s.issuer,
            client_id: &s.client_id,
            nonce: &returned.nonce,
            leeway_secs: s.leeway_secs,
        };
        let mut claims = token::verify(id_token.expose(), &d.keys, &expected)?;
        let lacking = !claims.contains_key(&s.match_claim)
            || s.grants_claim
                .as_ref()
                .is_some_and(|g| !claims.contains_key(g));
        if lacking
            && let (Some(url), Some(access)) = (&d.metadata.userinfo_endpoint, &tokens.access_token)
        {
            userinfo::complete(&self.http, url, access, &mut claims).await?;
        }
        self.users
            .authenticate_oidc(s, &claims, client_ip, now_ms)
            .await
    }

    /// Records a refused single sign-on in the audit log (the reason in English, never a
    /// value of a token).
    pub async fn audit_refusal(
        &self,
        error: &OidcError,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<(), crate::AccountsError> {
        self.users
            .audit_sso_refusal(&error.to_string(), client_ip, now_ms)
            .await
    }

    /// A provider's `error` code as it may be logged and kept.
    pub fn error_code(raw: &str) -> String {
        token::short(raw)
    }
}

impl UserStore {
    async fn audit_sso_refusal(
        &self,
        reason: &str,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<(), crate::AccountsError> {
        let mut conn = self.write.acquire().await?;
        crate::audit::record(
            &mut conn,
            now_ms,
            crate::audit::Entry {
                actor: "(sso)",
                action: "sign_in.sso.fail",
                after: Some(reason.to_string()),
                client: Some(client_ip),
                ..Default::default()
            },
        )
        .await
    }
}
