//! govnode: the one binary every tier of a provincial government website platform runs.
//!
//! The library half exists so tests can start nodes in-process: [`Node::open`] takes a
//! config and a data dir, [`run`] takes a bound listener and a shutdown future.

pub mod cli;
pub mod config;
pub mod demo;
pub mod enrol;
pub mod import;
mod indexer;
pub mod local_tree;
pub mod lock;
mod mail;
pub mod monitoring;
pub mod node;
pub mod replication;
mod site_directory;
pub mod staff;
pub mod storage;
mod workers;

pub use config::Config;
pub use node::{Node, run};

/// Errors at the node's edge (startup, CLI, storage). HTTP errors are `http::ApiError`.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// Bad or missing configuration.
    #[error("config: {0}")]
    Config(String),
    /// The database could not be opened or migrated.
    #[error("storage: {0}")]
    Storage(String),
    /// The data dir is in use by another process.
    #[error("{0}")]
    Locked(String),
    /// The search index failed.
    #[error("search: {0}")]
    Search(#[from] govnode_search::SearchError),
    /// The content module failed.
    #[error(transparent)]
    Content(#[from] govnode_content::ContentError),
    /// The node key failed.
    #[error(transparent)]
    Identity(#[from] govnode_federation::IdentityError),
    /// The federation failed (trust material, log, network).
    #[error("federation: {0}")]
    Federation(#[from] govnode_federation::FederationError),
    /// I/O.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Makes `ring` the process's TLS crypto provider, once, before any HTTP client is built
/// (reqwest is built without a provider of its own: `ring` is already in the build for
/// libp2p, where the default would add aws-lc). Idempotent.
pub fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err means another provider is installed already, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
