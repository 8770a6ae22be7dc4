//! API errors: one JSON shape `{"error": code, "message": text}`, one status per cause.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use govnode_accounts::AccountsError;
use govnode_content::ContentError;
use govnode_library::LibraryError;
use govnode_search::SearchError;
use serde_json::json;

use crate::NodeError;

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
    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
        }
    }
    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
        }
    }
    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message: message.into(),
        }
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
        }
    }
    /// 413.
    pub fn too_large(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: message.into(),
        }
    }
    /// 500; the detail goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error; see the node's log".into(),
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

impl From<ContentError> for ApiError {
    fn from(e: ContentError) -> Self {
        match e {
            ContentError::Invalid { .. } | ContentError::Template { .. } => {
                ApiError::bad_request(e.to_string())
            }
            ContentError::NotFound(_) => ApiError::not_found(e.to_string()),
            ContentError::Conflict(_) => ApiError {
                status: StatusCode::CONFLICT,
                code: "conflict",
                message: e.to_string(),
            },
            ContentError::Refused(_) => ApiError::forbidden(e.to_string()),
            ContentError::Library(l) => l.into(),
            ContentError::Db(_) | ContentError::Federation(_) => ApiError::internal(e),
        }
    }
}

impl From<LibraryError> for ApiError {
    fn from(e: LibraryError) -> Self {
        match e {
            LibraryError::TooLarge { .. } => ApiError::too_large(e.to_string()),
            LibraryError::BadHash(_) | LibraryError::Invalid { .. } => {
                ApiError::bad_request(e.to_string())
            }
            LibraryError::Io(_) | LibraryError::Db(_) => ApiError::internal(e),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(e: AccountsError) -> Self {
        match e {
            AccountsError::Db(_) => ApiError::internal(e),
            _ => ApiError::bad_request(e.to_string()),
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::EmptyQuery | SearchError::QueryTooLong { .. } => {
                ApiError::bad_request(format!("q: {e}"))
            }
            _ => ApiError::internal(e),
        }
    }
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::Content(c) => c.into(),
            NodeError::Search(s) => s.into(),
            other => ApiError::internal(other),
        }
    }
}
