//! Content: sites, columns, articles, the review workflow, templates, rendering and feeds.
//!
//! Storage keeps three things apart: the workflow record and every revision of an article
//! (local to the owning node, never replicated), and the *published* table, the public state
//! that a later federation layer turns into signed log entries. Public pages, feeds and the
//! search index read only the published table.

mod articles;
mod audit;
mod distribution;
pub mod feeds;
pub mod import;
mod model;
pub mod published;
pub mod render;
mod replica;
pub mod sanitize;
mod sites;
mod templates;
pub mod workflow;

pub use audit::AuditRecord;
pub use distribution::{Distribution, InboxItem, Receipt};
pub use import::{ImportDoc, ImportOutcome};
pub use model::{
    Article, ArticleDoc, ArticleInput, Attachment, Column, ColumnKind, Published, Site,
};
pub use replica::{ContentApplier, KIND_PREFIX};
pub use sites::{ColumnInput, SiteInput};
pub use workflow::{State, Transition};

use std::sync::Arc;

use govnode_federation::Federation;
use govnode_library::BlobStore;
use sqlx::AnyPool;

/// Errors of the content module; the node maps each to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// Bad input in a named field (400).
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Something named does not exist (404).
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with current state: an illegal transition, a duplicate id (409).
    #[error("{0}")]
    Conflict(String),
    /// Allowed by role but refused by a rule, e.g. four-eyes (403).
    #[error("{0}")]
    Refused(String),
    /// A template failed to compile or render.
    #[error("template {name}: {message}")]
    Template {
        /// Template name.
        name: String,
        /// Compiler or renderer message (with line).
        message: String,
    },
    /// The library refused (bad attachment hash, …).
    #[error(transparent)]
    Library(#[from] govnode_library::LibraryError),
    /// The federation log refused an entry (500).
    #[error("federation: {0}")]
    Federation(String),
    /// Database failure (500).
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// The content module's handle: its stores over the node's pools.
#[derive(Debug, Clone)]
pub struct Content {
    read: AnyPool,
    write: AnyPool,
    blobs: BlobStore,
    federation: Option<Arc<Federation>>,
}

impl Content {
    /// A handle over the read pool, the (single-connection) write pool and the blob store.
    pub fn new(read: AnyPool, write: AnyPool, blobs: BlobStore) -> Self {
        Content {
            read,
            write,
            blobs,
            federation: None,
        }
    }

    /// Records every public change as a signed entry in the node's log.
    pub fn with_federation(mut self, federation: Arc<Federation>) -> Self {
        self.federation = Some(federation);
        self
    }
}

/// Now, in unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The canonical public path of an article.
pub fn article_path(site: &str, id: i64) -> String {
    format!("/sites/{site}/articles/{id}")
}
