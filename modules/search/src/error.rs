//! Error type of the search index.

use crate::query::MAX_QUERY_CHARS;

/// Everything that can go wrong while opening, updating or querying the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// An error reported by tantivy (storage, schema, locking, ...).
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// An I/O error outside tantivy (e.g. creating the index directory).
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The index directory could not be opened.
    #[error("cannot open search index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// The query holds no searchable word (empty, whitespace or punctuation only).
    #[error("the query contains no searchable word")]
    EmptyQuery,
    /// The query text is longer than the allowed number of characters.
    #[error("the query is {len} characters long; at most {MAX_QUERY_CHARS} are allowed")]
    QueryTooLong {
        /// Length of the rejected query, in characters.
        len: usize,
    },
}
