//! govnode-search: the full-text search index of a government website platform node.
//!
//! Text is folded to simplified characters and segmented with jieba (its dictionary plus
//! the platform dictionary of government terms) in search mode (every word plus its
//! in-dictionary sub-words), lowercased. A query is normalised (script, width, control
//! characters), then understood ([`understand`]): colloquial phrases also match their
//! official terms, Latin words also match the Chinese words their pinyin or initials spell,
//! and when the query finds little, homophone typos are corrected against the index's own
//! vocabulary. Every part must match in at least one text field (title boosted 3×); when
//! that finds fewer than three documents, documents holding most parts follow (best match,
//! flagged `relaxed`). A place the query names (`places`) prefers documents of that region
//! without being required. The whole query is also matched verbatim against
//! `doc_number`/`index_number`. No query syntax exists, so no input can cause a syntax error.
//!
//! [`analytics`] counts searches (daily aggregates, personal numbers masked) and rolls
//! them up the tree; [`dictionary`] holds the synonyms and topic cards per level.

pub mod analytics;
mod collector;
pub mod dictionary;
mod error;
mod explain;
pub mod federated;
pub mod lexicon;
mod places;
mod qa;
mod query;
mod schema;
mod search;
mod snippet;
mod text;
mod tokenizer;
pub mod understand;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use tantivy::directory::MmapDirectory;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

pub use analytics::{AnalyticsError, QueryAnalytics, QueryReport};
pub use collector::FacetCounts;
pub use dictionary::{Dictionary, DictionaryError};
pub use error::SearchError;
pub use explain::{QueryExplanation, QueryPart, Reading, ReadingKind};
pub use federated::{OneNetSearch, SearchAnswer, SearchRequest};
pub use lexicon::{Lexicon, Synonym, TopicCard, TopicLink, Vocabulary};
pub use qa::{QA_CONFIDENT, QaAnswer, QaHit};
pub use query::MAX_QUERY_CHARS;
pub use search::{GROUPS, ResultGroup};
pub use text::normalize_query;
pub use tokenizer::PLATFORM_DICT;
pub use understand::Expansion;

/// This crate's tables as SQLite migrations, versions 5xxxx (`govnode::storage` merges all modules').
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

use schema::Fields;

/// Memory budget of the index writer, in bytes.
const WRITER_HEAP_BYTES: usize = 50_000_000;

/// One published document as the index sees it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Document {
    /// Unique across the platform, e.g. "440000:123" (origin node : article id).
    pub key: String,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Plain text body (no HTML).
    pub body_text: String,
    /// Summary.
    pub summary: String,
    /// Site id, e.g. "gd".
    pub site: String,
    /// Site display name.
    pub site_name: String,
    /// Origin node id (six-digit region code), e.g. "440000".
    pub origin: String,
    /// Document type, e.g. "policy", "news".
    pub doc_type: String,
    /// Column name.
    pub column: String,
    /// Issuing body.
    pub issuing_body: String,
    /// 发文字号, e.g. "粤府〔2024〕12号".
    pub doc_number: String,
    /// 索引号.
    pub index_number: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Public URL.
    pub url: String,
    /// Publication time, unix seconds.
    pub published: i64,
}

/// A change to apply.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "the variant shape is the agreed API; changes travel in Vecs, never on hot stacks"
)]
pub enum Change {
    /// Insert the document, replacing any document with the same key.
    Upsert(Document),
    /// Delete the document with this key (absent keys are fine).
    Remove(String),
}

/// A query.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SearchQuery {
    /// The user's text.
    pub text: String,
    /// Restrict to this site id.
    pub site: Option<String>,
    /// Restrict to this document type.
    pub doc_type: Option<String>,
    /// Restrict to this origin node.
    pub origin: Option<String>,
    /// Restrict to any of these origin nodes (a scope's shards); an empty list matches nothing.
    pub origins: Option<Vec<String>>,
    /// Restrict to documents published in this year (Beijing time).
    pub year: Option<i32>,
    /// Restrict to this issuing body (verbatim).
    pub issuing_body: Option<String>,
    /// Order of hits.
    pub sort: Sort,
    /// Also return the best hits of each result group (scenario search), on page 1.
    pub group: bool,
    /// Search only what was typed: no typo correction.
    pub literal: bool,
    /// Only documents holding every word: no best match when they are few.
    #[serde(default)]
    pub strict: bool,
    /// 1-based page number; 0 is treated as 1.
    pub page: usize,
    /// Hits per page; 0 means 10, capped at 100.
    pub per_page: usize,
}

/// Order of hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Sort {
    /// Best match first (newest first among equals).
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// One search hit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// Document key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Public URL.
    pub url: String,
    /// HTML snippet: text escaped, matches wrapped in `<mark>…</mark>`.
    pub snippet: String,
    /// Site id.
    pub site: String,
    /// Site display name.
    pub site_name: String,
    /// Origin node id.
    pub origin: String,
    /// Document type.
    pub doc_type: String,
    /// Publication time, unix seconds.
    pub published: i64,
    /// Relevance score.
    pub score: f32,
}

/// The result of a search.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    /// Number of matching documents (all pages).
    pub total: usize,
    /// Time spent searching, in milliseconds.
    pub took_ms: u64,
    /// The hits of the requested page.
    pub hits: Vec<Hit>,
    /// Matches per doc_type ignoring the doc_type filter, sorted by count descending.
    pub type_counts: Vec<(String, u64)>,
    /// Matches per facet value, ignoring the type, year and issuing-body filters.
    pub facets: FacetCounts,
    /// The query as searched (folded script, half-width, lowercased).
    pub normalized: String,
    /// How parts of the query were also read (synonyms, pinyin).
    pub expansions: Vec<Expansion>,
    /// When the query found little and a corrected spelling found more: the correction,
    /// whose results follow any results of the original.
    pub corrected: Option<String>,
    /// Too few documents held every word (or its correction), so documents holding most
    /// of the words follow those that do.
    pub relaxed: bool,
    /// Documents holding every word (`total` unless relaxed).
    pub exact_total: usize,
    /// The best hits per result group (when asked for, on page 1).
    pub groups: Vec<ResultGroup>,
    /// Topic cards matching the query.
    pub topics: Vec<TopicCard>,
}

/// The full-text index: safe to share across threads (`Send + Sync`).
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Analyser of indexed text (jieba search mode), built once per open.
    index_analyzer: TextAnalyzer,
    /// Analyser splitting queries into words (jieba default mode).
    word_analyzer: TextAnalyzer,
    applied_through: AtomicU64,
    /// Synonyms and topic cards, replaced as the node's dictionary changes.
    lexicon: RwLock<Arc<Lexicon>>,
    /// Pinyin vocabulary (index words and dictionary terms), rebuilt after commits.
    vocabulary: RwLock<(Arc<Vocabulary>, Option<Instant>)>,
}

/// Indexes up to this size rebuild their vocabulary at every commit; larger ones at most
/// every [`VOCABULARY_REFRESH`].
const SMALL_INDEX_DOCS: u64 = 20_000;
/// How stale a large index's vocabulary may get.
const VOCABULARY_REFRESH: std::time::Duration = std::time::Duration::from_secs(60);

impl SearchIndex {
    /// Opens (creating if absent) the index in `dir`. An index written with another
    /// schema is derived data: it is removed and recreated empty (applied through 0), so
    /// the caller re-feeds it.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = schema::build_schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema.clone());
        let index = match index {
            Ok(index) if index.schema() == schema => index,
            Ok(_) | Err(tantivy::TantivyError::SchemaError(_)) => {
                tracing::warn!(dir = %dir.display(), "search index has an older schema; rebuilding it");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                Index::open_or_create(MmapDirectory::open(dir)?, schema)?
            }
            Err(e) => return Err(e.into()),
        };
        Self::from_index(index)
    }

    /// Opens an in-RAM index (for tests).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, _) = schema::build_schema();
        Self::from_index(Index::create_in_ram(schema))
    }

    fn from_index(index: Index) -> Result<Self, SearchError> {
        let schema = index.schema();
        let (expected, fields) = schema::build_schema();
        if schema != expected {
            return Err(tantivy::TantivyError::SchemaError(
                "the index on disk has a different schema; rebuild it".into(),
            )
            .into());
        }
        let index_analyzer = schema::index_analyzer();
        schema::register_tokenizers(&index, index_analyzer.clone());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_HEAP_BYTES)?;
        let through = parse_payload(index.load_metas()?.payload.as_deref());
        let this = Self {
            reader,
            writer: Mutex::new(writer),
            fields,
            index_analyzer,
            word_analyzer: schema::word_analyzer(),
            applied_through: AtomicU64::new(through),
            lexicon: RwLock::new(Arc::new(Lexicon::builtin())),
            vocabulary: RwLock::new((Arc::new(Vocabulary::default()), None)),
        };
        this.refresh_vocabulary(true);
        Ok(this)
    }

    /// Replaces the synonyms and topic cards (and rebuilds the vocabulary).
    pub fn set_lexicon(&self, lexicon: Lexicon) {
        *self.lexicon.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(lexicon);
        self.refresh_vocabulary(true);
    }

    /// The synonyms and topic cards in use.
    pub fn lexicon(&self) -> Arc<Lexicon> {
        self.lexicon
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The pinyin vocabulary in use.
    pub fn vocabulary(&self) -> Arc<Vocabulary> {
        self.vocabulary
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// Rebuilds the vocabulary when forced, when the index is small, or when it is stale.
    fn refresh_vocabulary(&self, force: bool) {
        let stale = {
            let guard = self.vocabulary.read().unwrap_or_else(|p| p.into_inner());
            guard.1.is_none_or(|t| t.elapsed() >= VOCABULARY_REFRESH)
        };
        if !(force || stale || self.num_docs() <= SMALL_INDEX_DOCS) {
            return;
        }
        let lexicon = self.lexicon();
        match search::vocabulary_words(&self.reader.searcher(), &self.fields, &lexicon) {
            Ok(words) => {
                let built = Vocabulary::build(words);
                *self.vocabulary.write().unwrap_or_else(|p| p.into_inner()) =
                    (Arc::new(built), Some(Instant::now()));
            }
            Err(e) => tracing::warn!(error = %e, "cannot rebuild the search vocabulary"),
        }
    }

    /// The change sequence number recorded by the last commit (0 for a new index).
    pub fn applied_through(&self) -> u64 {
        self.applied_through.load(Ordering::Acquire)
    }

    /// Applies the changes, commits with `through` as payload and reloads the reader.
    pub fn apply(&self, changes: Vec<Change>, through: u64) -> Result<(), SearchError> {
        let mut writer = self.lock_writer();
        let result = self.apply_locked(&mut writer, changes, through);
        if result.is_err() {
            // Do not let a half-applied batch be committed by a later call.
            if let Err(e) = writer.rollback() {
                tracing::warn!(error = %e, "search index rollback failed");
            }
        }
        result
    }

    fn apply_locked(
        &self,
        writer: &mut IndexWriter,
        changes: Vec<Change>,
        through: u64,
    ) -> Result<(), SearchError> {
        for change in changes {
            match change {
                Change::Upsert(doc) => {
                    writer.delete_term(Term::from_field_text(self.fields.key, &doc.key));
                    writer.add_document(schema::to_tantivy(&self.fields, &doc))?;
                }
                Change::Remove(key) => {
                    writer.delete_term(Term::from_field_text(self.fields.key, &key));
                }
            }
        }
        self.commit(writer, through)
    }

    /// Deletes every document and records `through = 0` (used before a full rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut writer = self.lock_writer();
        writer.delete_all_documents()?;
        self.commit(&mut writer, 0)
    }

    fn commit(&self, writer: &mut IndexWriter, through: u64) -> Result<(), SearchError> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&through.to_string());
        prepared.commit()?;
        self.applied_through.store(through, Ordering::Release);
        self.reader.reload()?;
        self.refresh_vocabulary(false);
        Ok(())
    }

    fn lock_writer(&self) -> MutexGuard<'_, IndexWriter> {
        match self.writer.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                // A panic interrupted a batch: drop its uncommitted part and carry on.
                let mut guard = poisoned.into_inner();
                if let Err(e) = guard.rollback() {
                    tracing::warn!(error = %e, "search index rollback failed");
                }
                self.writer.clear_poison();
                guard
            }
        }
    }

    /// Number of documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// Reads the `through` number from a commit payload (0 if absent or unreadable).
fn parse_payload(payload: Option<&str>) -> u64 {
    match payload {
        None => 0,
        Some(p) => p.trim().parse().unwrap_or_else(|_| {
            tracing::warn!(payload = p, "unreadable search index commit payload");
            0
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SearchIndex>();
    }

    #[test]
    fn payload_parsing() {
        assert_eq!(parse_payload(None), 0);
        assert_eq!(parse_payload(Some("42")), 42);
        assert_eq!(parse_payload(Some("garbage")), 0);
    }
}
