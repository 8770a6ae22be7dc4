//! The module's one error type.

/// What can go wrong in monitoring.
#[derive(Debug, thiserror::Error)]
pub enum MonitoringError {
    /// The database failed.
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
    /// Input that names what is wrong (a field, a line of a list).
    #[error("{0}")]
    Invalid(String),
    /// Something monitoring asked of another module failed.
    #[error("{0}")]
    Upstream(String),
}
