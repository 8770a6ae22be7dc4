//! The federation's error type.

/// Errors of the federation layer.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The database failed.
    #[error("federation storage: {0}")]
    Db(#[from] sqlx::Error),
    /// Stored data does not decode.
    #[error("federation log is corrupt: {0}")]
    Corrupt(String),
    /// Trust material is missing or invalid.
    #[error(transparent)]
    Trust(#[from] crate::cert::TrustError),
    /// Configuration is inconsistent.
    #[error("federation config: {0}")]
    Config(String),
    /// The network failed.
    #[error("federation network: {0}")]
    Net(String),
}
