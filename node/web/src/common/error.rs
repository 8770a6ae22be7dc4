//! One error classification for the whole web layer. Every module error says which
//! [`ErrorKind`] it is ([`Classify`], below, one match per module); the kind alone decides
//! the HTTP status and the stable code. API clients get `{"error": code, "message": text}`
//! ([`ApiError`]); pages get an error page in the site's look ([`PageError`]).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use govnode_accounts::{AccountsError, SecondFactorRefusal, SignInRefusal};
use govnode_content::ContentError;
use govnode_interaction::InteractionError;
use govnode_interaction::survey::SurveyError;
use govnode_library::LibraryError;
use govnode_search::federated::FederatedError;
use govnode_search::{AnalyticsError, DictionaryError, SearchError};
use serde_json::json;

/// What kind of failure an error is, whatever module it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is wrong (400).
    BadRequest,
    /// No or bad credentials (401).
    Unauthorized,
    /// Not allowed, by role or by a rule (403).
    Forbidden,
    /// Something named does not exist (404).
    NotFound,
    /// Conflicts with the current state (409).
    Conflict,
    /// The body is too large (413).
    TooLarge,
    /// Too many requests from this client (429).
    RateLimited,
    /// The node failed (500); the detail goes to the log only.
    Internal,
}

impl ErrorKind {
    /// The HTTP status and the stable machine code.
    pub fn status_and_code(self) -> (StatusCode, &'static str) {
        match self {
            ErrorKind::BadRequest => (StatusCode::BAD_REQUEST, "bad_request"),
            ErrorKind::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ErrorKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
            ErrorKind::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// A module error that knows its [`ErrorKind`].
pub trait Classify: std::error::Error {
    /// The kind of failure.
    fn kind(&self) -> ErrorKind;
    /// What the client is told (not for internal errors).
    fn message(&self) -> String {
        self.to_string()
    }
}

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code.
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl ApiError {
    /// An error of `kind` with `message`.
    pub fn of(kind: ErrorKind, message: impl Into<String>) -> Self {
        let (status, code) = kind.status_and_code();
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::BadRequest, message)
    }
    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::Unauthorized, message)
    }
    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::Forbidden, message)
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::NotFound, message)
    }
    /// 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::Conflict, message)
    }
    /// 413.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::TooLarge, message)
    }
    /// 500; the detail (with its chain of sources) goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::of(ErrorKind::Internal, "internal error; see the node's log")
    }
}

/// An error and its sources, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl<E: Classify> From<E> for ApiError {
    fn from(e: E) -> Self {
        match e.kind() {
            ErrorKind::Internal => ApiError::internal(chain(&e)),
            kind => ApiError::of(kind, e.message()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.code, "message": self.message })),
        )
            .into_response()
    }
}

/// A page-level failure, rendered as an HTML error page.
#[derive(Debug)]
pub enum PageError {
    /// 404, with what is missing in Chinese (or nothing).
    NotFound(String),
    /// 410: what was here is gone for good (an archived column), said in Chinese.
    Gone(String),
    /// Anything else: logged, 500.
    Internal(String),
}

impl<E: Classify> From<E> for PageError {
    fn from(e: E) -> Self {
        match e.kind() {
            // The modules name what is missing in English for the API; a citizen reads
            // only that the page does not exist.
            ErrorKind::NotFound => {
                tracing::debug!(error = %e, "page not found");
                PageError::NotFound(String::new())
            }
            _ => PageError::Internal(chain(&e)),
        }
    }
}

impl Classify for ContentError {
    fn kind(&self) -> ErrorKind {
        match self {
            ContentError::Invalid { .. } | ContentError::Template { .. } => ErrorKind::BadRequest,
            ContentError::NotFound(_) => ErrorKind::NotFound,
            ContentError::Conflict(_) => ErrorKind::Conflict,
            ContentError::Refused(_) => ErrorKind::Forbidden,
            ContentError::Library(l) => l.kind(),
            ContentError::Db(_) | ContentError::Federation(_) | ContentError::Follower { .. } => {
                ErrorKind::Internal
            }
        }
    }
}

impl Classify for LibraryError {
    fn kind(&self) -> ErrorKind {
        match self {
            LibraryError::TooLarge { .. } => ErrorKind::TooLarge,
            LibraryError::BadHash(_) | LibraryError::Invalid { .. } => ErrorKind::BadRequest,
            LibraryError::Io(_) | LibraryError::Db(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for AccountsError {
    fn kind(&self) -> ErrorKind {
        match self {
            AccountsError::SignIn(SignInRefusal::Throttled { .. }) => ErrorKind::RateLimited,
            AccountsError::SignIn(_) => ErrorKind::Unauthorized,
            AccountsError::SecondFactor(
                SecondFactorRefusal::WrongCode | SecondFactorRefusal::CodeReused,
            ) => ErrorKind::Unauthorized,
            AccountsError::SecondFactor(SecondFactorRefusal::AlreadyEnrolled) => {
                ErrorKind::Conflict
            }
            AccountsError::Refused(_) => ErrorKind::Forbidden,
            AccountsError::NotFound { .. } => ErrorKind::NotFound,
            AccountsError::LoginTaken(_) => ErrorKind::Conflict,
            AccountsError::Db(_) => ErrorKind::Internal,
            AccountsError::UnknownRole(_)
            | AccountsError::BadScope(_)
            | AccountsError::Invalid { .. }
            | AccountsError::Password(_)
            | AccountsError::SecondFactor(_) => ErrorKind::BadRequest,
        }
    }
}

impl Classify for SearchError {
    fn kind(&self) -> ErrorKind {
        match self {
            SearchError::EmptyQuery | SearchError::QueryTooLong { .. } => ErrorKind::BadRequest,
            _ => ErrorKind::Internal,
        }
    }
    fn message(&self) -> String {
        format!("q: {self}")
    }
}

impl Classify for DictionaryError {
    fn kind(&self) -> ErrorKind {
        match self {
            DictionaryError::Invalid(_) => ErrorKind::BadRequest,
            DictionaryError::NotFound(_) => ErrorKind::NotFound,
            DictionaryError::Storage(_)
            | DictionaryError::Federation(_)
            | DictionaryError::Index(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for AnalyticsError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

impl Classify for InteractionError {
    fn kind(&self) -> ErrorKind {
        match self {
            InteractionError::Invalid(_) => ErrorKind::BadRequest,
            InteractionError::NotFound(_) => ErrorKind::NotFound,
            InteractionError::Forbidden(_) => ErrorKind::Forbidden,
            InteractionError::Conflict(_) => ErrorKind::Conflict,
            InteractionError::RateLimited(_) => ErrorKind::RateLimited,
            InteractionError::TooLarge(_) => ErrorKind::TooLarge,
            InteractionError::Db(_)
            | InteractionError::Federation(_)
            | InteractionError::Unroutable(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for SurveyError {
    fn kind(&self) -> ErrorKind {
        match self {
            SurveyError::Invalid { .. } | SurveyError::Answer { .. } => ErrorKind::BadRequest,
            SurveyError::NotFound(_) => ErrorKind::NotFound,
            SurveyError::Conflict(_) => ErrorKind::Conflict,
            SurveyError::Refused(_) => ErrorKind::Forbidden,
            SurveyError::Stored(_) | SurveyError::Db(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for FederatedError {
    fn kind(&self) -> ErrorKind {
        match self {
            FederatedError::Invalid(_) => ErrorKind::BadRequest,
            FederatedError::NotFound(_) => ErrorKind::NotFound,
            FederatedError::Search(e) => e.kind(),
            FederatedError::Failed(_) => ErrorKind::Internal,
        }
    }
    fn message(&self) -> String {
        match self {
            FederatedError::Search(e) => e.message(),
            other => other.to_string(),
        }
    }
}
