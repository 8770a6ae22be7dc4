//! The information resource library: content-addressed blobs, the classification
//! vocabularies (theme, document type) and government-disclosure index numbers.

mod blobs;
pub use blobs::check_hash;
mod catalogue;
mod index_number;

pub use blobs::{BlobInfo, BlobStore};
pub use catalogue::{
    DOC_TYPES, DocType, THEMES, Theme, doc_type, doc_type_label, theme, theme_label,
};
pub use index_number::{IndexNumber, assign_index_number, reserve_index_numbers};

/// This crate's tables as SQLite migrations, versions 2xxxx (`govnode::storage` merges all modules').
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Errors of the library module.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// A blob larger than the configured limit.
    #[error("upload is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// Bytes offered.
        size: u64,
        /// Configured limit.
        limit: u64,
    },
    /// A hash that is not 64 hex digits.
    #[error("`{0}` is not a blake3 hash (64 hex digits)")]
    BadHash(String),
    /// A field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// File system failure.
    #[error("blob store: {0}")]
    Io(#[from] std::io::Error),
    /// Database failure.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}
