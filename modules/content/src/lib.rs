//! Content: sites, columns, articles, the review workflow, templates, rendering and feeds.
//!
//! Storage keeps three things apart: the workflow record and every revision of an article
//! (local to the owning node, never replicated), and the *published* table, the public state
//! that a later federation layer turns into signed log entries. Public pages, feeds and the
//! search index read only the published table.

mod articles;
mod audit;
mod distribution;
pub mod docx;
pub mod feeds;
pub mod footer;
mod gate;
pub mod import;
pub mod inspection;
mod listing;
mod model;
pub mod published;
mod queue;
pub mod render;
mod replica;
mod revise;
pub mod sanitize;
mod sites;
mod templates;
pub mod workflow;

pub use articles::Revision;
pub use audit::{AuditFilter, AuditPage, AuditRecord};
pub use distribution::{Distribution, InboxItem, Receipt};
pub use footer::SiteFooter;
pub use gate::{GateFinding, OVERRIDE_ACTION, PublicationGate};
pub use import::{ImportDoc, ImportOutcome};
pub use listing::{ArticleListing, ArticleSearch, ArticleSummary, SiteScope};
pub use model::{
    Article, ArticleDoc, ArticleInput, Attachment, Column, ColumnKind, Published, Site,
};
pub use queue::WorkQuery;
pub use replica::{ContentApplier, KIND_PREFIX};
pub use revise::{ArticlePatch, cleared_fields};
pub use sites::{
    ColumnInput, ColumnOrder, ColumnUpdate, MAX_COLUMNS_PER_LEVEL, MAX_COLUMNS_PER_SITE,
    MAX_POSITION, SiteInput, SiteListing, SiteState, SiteUpdate, TemplateSet,
};
pub use workflow::{State, Transition};

/// This crate's tables as SQLite migrations, versions 4xxxx (`govnode::storage` merges all modules').
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

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
    Federation(#[from] govnode_federation::FederationError),
    /// Database failure (500).
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// What follows the published table (the search index) could not catch up (500).
    #[error("bringing {follower} up to date: {message}")]
    Follower {
        /// What follows (e.g. "the search index").
        follower: &'static str,
        /// Why it failed.
        message: String,
    },
}

/// Something kept up to date with the published table, e.g. the search index. Content
/// calls it after every public change commits and before the change is answered, so no
/// caller has to remember to: a withdrawn document is gone from the very next search.
pub trait PublishedFollower: Send + Sync {
    /// What follows, for errors ("the search index").
    fn name(&self) -> &'static str;
    /// Applies every published change it lacks.
    fn catch_up(&self) -> govnode_federation::BoxFuture<'_, Result<(), String>>;
}

/// The content module's handle: its stores over the node's pools.
#[derive(Clone)]
pub struct Content {
    read: AnyPool,
    write: AnyPool,
    blobs: BlobStore,
    federation: Option<Arc<Federation>>,
    follower: Option<Arc<dyn PublishedFollower>>,
    gate: Option<Arc<dyn gate::PublicationGate>>,
}

impl Content {
    /// A handle over the read pool, the (single-connection) write pool and the blob store.
    pub fn new(read: AnyPool, write: AnyPool, blobs: BlobStore) -> Self {
        Content {
            read,
            write,
            blobs,
            federation: None,
            follower: None,
            gate: None,
        }
    }

    /// Brings `follower` up to date after every public change, before answering it.
    pub fn with_follower(mut self, follower: Arc<dyn PublishedFollower>) -> Self {
        self.follower = Some(follower);
        self
    }

    /// Lets the follower catch up with a public change that just committed.
    pub(crate) async fn published_changed(&self) -> Result<(), ContentError> {
        match &self.follower {
            Some(f) => f
                .catch_up()
                .await
                .map_err(|message| ContentError::Follower {
                    follower: f.name(),
                    message,
                }),
            None => Ok(()),
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), ContentError> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Records every public change as a signed entry in the node's log.
    pub fn with_federation(mut self, federation: Arc<Federation>) -> Self {
        self.federation = Some(federation);
        self
    }
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Content")
            .field("federated", &self.federation.is_some())
            .field("follower", &self.follower.as_ref().map(|f| f.name()))
            .finish_non_exhaustive()
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
