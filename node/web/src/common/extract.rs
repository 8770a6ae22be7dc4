//! Extractors: the calling principal from a bearer token, and JSON bodies whose errors
//! name the field and keep the API's error shape.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use govnode_accounts::{Action, Principal, Scope, TokenStore};
use serde::de::DeserializeOwned;

use crate::common::error::ApiError;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

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
        let mine = match &self.0.scope {
            Scope::Node => String::new(),
            scope => format!(" for {scope}"),
        };
        Err(ApiError::forbidden(format!(
            "a {} token{mine} may not do this{on}",
            self.0.role
        )))
    }

    /// Refuses unless the caller holds any role on `site` (read access to admin views).
    pub fn require_site(&self, site: &str) -> Result<(), ApiError> {
        match &self.0.scope {
            Scope::Node => Ok(()),
            Scope::Site(mine) if mine == site => Ok(()),
            other => Err(ApiError::forbidden(format!(
                "this token is for {other}, not site `{site}`"
            ))),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    TokenStore: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let tokens = TokenStore::from_ref(state);
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::unauthorized("missing `Authorization: Bearer <token>` header")
            })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
            })?;
        match tokens.resolve(token.trim()).await? {
            Some(p) => Ok(Caller(p)),
            None => Err(ApiError::unauthorized("unknown or revoked token")),
        }
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
