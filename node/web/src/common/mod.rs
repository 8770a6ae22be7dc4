//! What every room of the web layer shares: one error pair, extractors, the request-body
//! drain, the request observer, metrics, and the page helpers (Beijing time, escaping).

pub mod client;
pub mod drain;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod observe;
pub mod paging;
pub mod text;

pub use error::{ApiError, PageError};
pub use extract::{ApiBytes, ApiJson, ApiPath, ApiQuery, Caller, OptionalJson};
