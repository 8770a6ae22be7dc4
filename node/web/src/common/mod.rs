//! What every room of the web layer shares: one error pair, extractors, the request-body
//! drain, the request observer, the security headers, metrics, the page helpers (Beijing
//! time, escaping), and page validators.

pub mod client;
pub mod drain;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod observe;
pub mod paging;
pub mod places;
pub mod security_headers;
pub mod session;
pub mod text;
pub mod validators;

pub use error::{ApiError, PageError};
pub use extract::{ApiBytes, ApiJson, ApiPath, ApiQuery, Caller, OptionalJson};
