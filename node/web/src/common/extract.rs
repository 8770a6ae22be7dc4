//! Extractors: the calling person, from a bearer token or the staff session cookie, and
//! JSON bodies whose errors name the field and keep the API's error shape.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use govnode_accounts::{Access, Action, Role, Scope, SessionStore, TokenStore, csrf_check};
use serde::de::DeserializeOwned;

use crate::common::error::ApiError;
use crate::common::session::{CSRF_HEADER, changes_state, session_id};

/// The authenticated caller: what the person may do, however they authenticated (a bearer
/// token or a session cookie). Every permission check is [`Access`]'s, the same for both.
#[derive(Debug, Clone)]
pub struct Caller(pub Access);

impl Caller {
    /// Refuses unless the caller may do `action` on `target` (a site; a body for
    /// handling tickets).
    pub fn require(&self, action: Action, target: Option<&str>) -> Result<(), ApiError> {
        if self.0.may(action, target) {
            return Ok(());
        }
        let on = match (action, target) {
            (_, None) => String::new(),
            (Action::HandleTickets, Some(b)) => format!(" for body `{b}`"),
            (_, Some(s)) => format!(" on site `{s}`"),
        };
        Err(ApiError::forbidden(format!(
            "{} may not do this{on}",
            holding(&self.0)
        )))
    }

    /// Refuses unless a grant of the caller allows `action` on an article in `column` of
    /// `site` (a grant limited to some columns allows it in those only).
    pub fn require_in_column(
        &self,
        action: Action,
        site: &str,
        column: &str,
    ) -> Result<(), ApiError> {
        if self.0.may_in_column(action, site, column) {
            return Ok(());
        }
        Err(ApiError::forbidden(format!(
            "{} may not do this on column `{column}` of site `{site}`",
            holding(&self.0)
        )))
    }

    /// Refuses unless the caller holds any role on `site` (read access to admin views): a
    /// grant for the whole node or for that site.
    pub fn require_site(&self, site: &str) -> Result<(), ApiError> {
        let on_site = |g: &govnode_accounts::Grant| match &g.scope {
            Scope::Node => true,
            scope => scope.site() == Some(site),
        };
        if self.0.grants.iter().any(on_site) {
            return Ok(());
        }
        Err(ApiError::forbidden(format!(
            "{} holds no role on site `{site}`",
            holding(&self.0)
        )))
    }

    /// The one site the caller's grants are limited to: `None` when a grant covers the
    /// whole node, else the site of their first site grant.
    pub fn own_site(&self) -> Option<&str> {
        if self.0.grants.iter().any(|g| g.scope == Scope::Node) {
            return None;
        }
        self.0.grants.iter().find_map(|g| g.scope.site())
    }

    /// Whether the caller acts as a handler only (no platform-wide role).
    pub fn is_handler_only(&self) -> bool {
        !self.0.is_platform_admin() && self.0.holds(Role::Handler)
    }
}

/// "`li` (editor for site `gd`)": who, and what they hold, for a refusal.
fn holding(access: &Access) -> String {
    let held: Vec<String> = access
        .grants
        .iter()
        .map(|g| match g.scope {
            Scope::Node => g.role.to_string(),
            ref scope => format!("{} for {scope}", g.role),
        })
        .collect();
    if held.is_empty() {
        format!("`{}` (holding no role)", access.person())
    } else {
        format!("`{}` ({})", access.person(), held.join(", "))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    TokenStore: FromRef<S>,
    SessionStore: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
                })?;
            let tokens = TokenStore::from_ref(state);
            return match tokens.resolve_access(token.trim(), now_ms).await? {
                Some(access) => Ok(Caller(access)),
                None => Err(ApiError::unauthorized("unknown or revoked token")),
            };
        }
        let Some(secret) = session_id(&parts.headers) else {
            return Err(ApiError::unauthorized(
                "missing `Authorization: Bearer <token>` header (or a staff session cookie)",
            ));
        };
        let sessions = SessionStore::from_ref(state);
        let Some(signed_in) = sessions.resolve(secret, now_ms).await? else {
            return Err(ApiError::unauthorized(
                "the session has ended or is unknown: sign in again at /admin/sign-in",
            ));
        };
        if changes_state(&parts.method) {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    ApiError::forbidden(
                        "missing `X-CSRF-Token` header: a request authenticated by the session \
                         cookie that changes something must carry the session's CSRF token",
                    )
                })?;
            if !csrf_check(secret, presented) {
                return Err(ApiError::forbidden(
                    "bad `X-CSRF-Token` header: it is not this session's CSRF token",
                ));
            }
        }
        if signed_in.must_change_password {
            return Err(ApiError::forbidden(
                "the password must be changed first: /admin/password",
            ));
        }
        Ok(Caller(signed_in.access))
    }
}

/// A JSON body; rejections become API errors (400 naming the problem, 413 when too large).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

fn json_error(r: JsonRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large("request body is larger than http.max_request_bytes");
    }
    match r {
        JsonRejection::JsonDataError(e) => {
            // serde's message names the field: "missing field `title`", "unknown field `x`".
            let detail = std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.body_text());
            ApiError::bad_request(detail)
        }
        JsonRejection::JsonSyntaxError(e) => {
            let detail = std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.body_text());
            ApiError::bad_request(format!("body is not valid JSON: {detail}"))
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::bad_request("expected `Content-Type: application/json`")
        }
        other => ApiError::bad_request(other.body_text()),
    }
}

/// An optional JSON object body: empty means `None`. Errors keep the API's shape and name
/// the field, like [`ApiJson`].
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        let text = bytes.trim_ascii();
        if text.is_empty() {
            return Ok(OptionalJson(None));
        }
        if text[0] != b'{' {
            return Err(ApiError::bad_request("body must be a JSON object"));
        }
        axum::Json::<T>::from_bytes(text)
            .map(|axum::Json(v)| OptionalJson(Some(v)))
            .map_err(json_error)
    }
}

/// Path parameters whose parse errors are JSON 400s naming the value.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(r) => Err(ApiError::bad_request(format!(
                "path: {}",
                r.body_text().trim_start_matches("Invalid URL: ")
            ))),
        }
    }
}

/// Query parameters whose parse errors are JSON 400s naming the parameter.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(ApiError::bad_request(format!(
                "query: {}",
                r.body_text()
                    .trim_start_matches("Failed to deserialize query string: ")
            ))),
        }
    }
}

/// A raw body whose refusals (too large, unreadable) are JSON errors.
#[derive(Debug)]
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large("request body is larger than the limit for this route")
                } else {
                    ApiError::bad_request(r.body_text())
                }
            })
    }
}
