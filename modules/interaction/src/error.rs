//! Errors of the interaction module.

/// Everything that can go wrong with tickets and bodies.
#[derive(Debug, thiserror::Error)]
pub enum InteractionError {
    /// Bad input; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// No such ticket, body or survey (or a wrong tracking password).
    #[error("{0}")]
    NotFound(String),
    /// The action does not fit the ticket's state.
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many submissions from this client.
    #[error("{0}")]
    RateLimited(String),
    /// A file is larger than a citizen may attach.
    #[error("{0}")]
    TooLarge(String),
    /// Storage failed.
    #[error("interaction storage: {0}")]
    Db(#[from] sqlx::Error),
    /// The federation refused an envelope.
    #[error("interaction routing: {0}")]
    Federation(#[from] govnode_federation::FederationError),
    /// A ticket cannot be routed (e.g. the body's node has no usable key).
    #[error("interaction routing: {0}")]
    Unroutable(String),
}

impl InteractionError {
    pub(crate) fn invalid(m: impl Into<String>) -> Self {
        InteractionError::Invalid(m.into())
    }
}
