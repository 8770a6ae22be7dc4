//! The search dictionaries of a node: synonyms and topic cards, per origin, as signed
//! entries. The province seeds the shipped dictionary; every level may add entries of its
//! own (an entry without official terms removes an inherited phrase). A node searches
//! with its lineage's entries, root first, its own last, nearer levels overriding.

mod apply;
mod effective;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use govnode_federation::{Audience, EntryDraft, Federation, encode_payload, now_ms};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, AnyPool, Row as _};

pub use apply::DictionaryApplier;
pub use effective::{EffectiveSynonym, EffectiveTopic, EntrySource};

use crate::lexicon::{Lexicon, LexiconError, Synonym, TopicCard, builtin_synonyms, builtin_topics};

/// Entry kind prefix of dictionary entries.
pub const KIND_PREFIX: &str = "search.";
/// Entry kind of a synonym change.
pub(crate) const SYNONYM: &str = "search.synonym";
/// Entry kind of a topic card change.
pub(crate) const TOPIC: &str = "search.topic";
/// Payload version.
pub(crate) const V1: u8 = 1;
/// Who the root's seed of the shipped dictionary is recorded as made by.
pub const SHIPPED_BY: &str = "shipped dictionary";

/// One change, as it travels.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DictionaryChange {
    /// The origin's dictionary version this change makes.
    pub version: u64,
    /// When it was made (unix ms).
    pub at_ms: i64,
    /// What changed.
    pub item: Item,
}

/// The changed item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Item {
    /// A synonym set (or, with no official terms, a removal).
    Synonym(Synonym),
    /// A topic card set (Some) or removed (None).
    Topic { id: String, card: Option<TopicCard> },
}

/// Errors of the dictionary store.
#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    /// Bad input from an administrator.
    #[error(transparent)]
    Invalid(#[from] LexiconError),
    /// Nothing with this key at this node's level.
    #[error("{0}")]
    NotFound(String),
    /// Storage failed.
    #[error("dictionary storage: {0}")]
    Storage(#[from] sqlx::Error),
    /// The federation refused the entry.
    #[error("dictionary entry: {0}")]
    Federation(#[from] govnode_federation::FederationError),
    /// The search index could not take the new lexicon.
    #[error("loading the lexicon into the search index: {0}")]
    Index(String),
}

/// A synonym as listed to administrators.
#[derive(Debug, Clone, Serialize)]
pub struct SynonymRow {
    /// The level that set it.
    pub origin: String,
    /// The phrase.
    pub colloquial: String,
    /// Its official terms (empty: removed at this level).
    pub official: Vec<String>,
    /// Domain.
    pub category: String,
    /// The origin's dictionary version that last changed it.
    pub version: u64,
    /// When (unix ms).
    pub updated_ms: i64,
}

/// A topic card as listed to administrators.
#[derive(Debug, Clone, Serialize)]
pub struct TopicRow {
    /// The level that set it.
    pub origin: String,
    /// The card (None: removed at this level).
    pub card: Option<TopicCard>,
    /// Card id.
    pub id: String,
    /// The origin's dictionary version that last changed it.
    pub version: u64,
}

/// One change in a dictionary's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    /// Level.
    pub origin: String,
    /// Version it made.
    pub version: u64,
    /// synonym | topic.
    pub kind: String,
    /// Phrase or card id.
    pub item: String,
    /// New value (None for a removal).
    pub value: Option<serde_json::Value>,
    /// When (unix ms).
    pub at_ms: i64,
    /// Who (known at the origin only).
    pub by_user: String,
}

/// The node's dictionary store.
#[derive(Clone)]
pub struct Dictionary {
    read: AnyPool,
    write: AnyPool,
    federation: Arc<Federation>,
    changes: Arc<AtomicU64>,
    index: Option<Arc<crate::SearchIndex>>,
}

impl Dictionary {
    /// A store over the node's database, signing its changes with the federation.
    pub fn new(read: AnyPool, write: AnyPool, federation: Arc<Federation>) -> Self {
        Self {
            read,
            write,
            federation,
            changes: Arc::new(AtomicU64::new(0)),
            index: None,
        }
    }

    /// Keeps `index` searching with this dictionary: every local change reloads it before
    /// the change is answered (replicated changes: see [`Dictionary::refresh_index`]).
    pub fn with_index(mut self, index: Arc<crate::SearchIndex>) -> Self {
        self.index = Some(index);
        self
    }

    /// Hands the index the lineage's current synonyms and topic cards.
    pub async fn refresh_index(&self) -> Result<(), DictionaryError> {
        let Some(index) = self.index.clone() else {
            return Ok(());
        };
        let lexicon = self.lexicon().await?;
        tokio::task::spawn_blocking(move || index.set_lexicon(lexicon))
            .await
            .map_err(|e| DictionaryError::Index(e.to_string()))
    }

    /// The applier of other levels' dictionary entries.
    pub fn applier(&self) -> DictionaryApplier {
        DictionaryApplier {
            changes: self.changes.clone(),
        }
    }

    /// Counts dictionary changes (local and applied), so the node knows when to reload.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Relaxed)
    }

    /// At the root of a federation (the province), writes the shipped dictionary as its
    /// first version; returns whether it did. A standalone node searches with the shipped
    /// dictionary without writing it (see [`Dictionary::lexicon`]).
    pub async fn seed_if_new(&self, federated: bool) -> Result<bool, DictionaryError> {
        if !federated || self.federation.settings().parent.is_some() {
            return Ok(false);
        }
        let me = self.federation.me().to_string();
        let seen: i64 =
            sqlx::query("SELECT COUNT(*) FROM search_dictionary_history WHERE origin = $1")
                .bind(&me)
                .fetch_one(&self.read)
                .await?
                .try_get(0)?;
        if seen > 0 {
            return Ok(false);
        }
        let mut items: Vec<Item> = builtin_synonyms()
            .iter()
            .cloned()
            .map(Item::Synonym)
            .collect();
        items.extend(builtin_topics().into_iter().map(|c| Item::Topic {
            id: c.id.clone(),
            card: Some(c),
        }));
        self.record(items, SHIPPED_BY).await?;
        Ok(true)
    }

    /// Sets a synonym at this node's level; returns the new version.
    pub async fn put_synonym(&self, s: Synonym, by: &str) -> Result<u64, DictionaryError> {
        let s = s.validated()?;
        if s.official.is_empty() {
            return Err(
                LexiconError::Invalid("official: give at least one official term".into()).into(),
            );
        }
        self.record(vec![Item::Synonym(s)], by).await
    }

    /// Removes a phrase at this node's level (also hiding an inherited one).
    pub async fn remove_synonym(&self, colloquial: &str, by: &str) -> Result<u64, DictionaryError> {
        let s = Synonym {
            colloquial: colloquial.into(),
            official: Vec::new(),
            category: String::new(),
        }
        .validated()?;
        let known = self.lexicon().await?.official(&s.colloquial).is_some();
        if !known {
            return Err(DictionaryError::NotFound(format!(
                "no synonym `{}` in this node's dictionary",
                s.colloquial
            )));
        }
        self.record(vec![Item::Synonym(s)], by).await
    }

    /// Sets a topic card at this node's level.
    pub async fn put_topic(&self, card: TopicCard, by: &str) -> Result<u64, DictionaryError> {
        let card = card.validated()?;
        self.record(
            vec![Item::Topic {
                id: card.id.clone(),
                card: Some(card),
            }],
            by,
        )
        .await
    }

    /// Removes a topic card at this node's level (also hiding an inherited one).
    pub async fn remove_topic(&self, id: &str, by: &str) -> Result<u64, DictionaryError> {
        if !self.lexicon().await?.topics().iter().any(|c| c.id == id) {
            return Err(DictionaryError::NotFound(format!("no topic card `{id}`")));
        }
        self.record(
            vec![Item::Topic {
                id: id.into(),
                card: None,
            }],
            by,
        )
        .await
    }

    /// Stores changes and their entries in one transaction; returns the last version.
    async fn record(&self, items: Vec<Item>, by: &str) -> Result<u64, DictionaryError> {
        let me = self.federation.me().to_string();
        let mut tx = self.write.begin().await?;
        let mut version = current_version(&mut tx, &me).await?;
        let at_ms = now_ms();
        let mut drafts = Vec::with_capacity(items.len());
        for item in items {
            version += 1;
            let change = DictionaryChange {
                version,
                at_ms,
                item,
            };
            let (kind, object) = match &change.item {
                Item::Synonym(s) => (SYNONYM, format!("synonym:{}", s.colloquial)),
                Item::Topic { id, .. } => (TOPIC, format!("topic:{id}")),
            };
            apply::store(&mut tx, &me, &change, 0, by).await?;
            drafts.push(EntryDraft {
                kind: kind.into(),
                object,
                audience: Audience::Public,
                payload: encode_payload(V1, &change),
            });
        }
        self.federation.append_many(&mut tx, drafts).await?;
        tx.commit().await?;
        self.changes.fetch_add(1, Ordering::Relaxed);
        self.federation.announce();
        self.refresh_index().await?;
        Ok(version)
    }

    /// The lexicon this node searches with: its lineage's entries, root first.
    pub async fn lexicon(&self) -> Result<Lexicon, DictionaryError> {
        let lineage: Vec<String> = self
            .federation
            .lineage()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let mut synonyms = Vec::new();
        let mut topics: Vec<TopicCard> = Vec::new();
        let mut version = 0;
        // Until the root's seeded dictionary is here (a standalone node, whose own changes
        // then come on top of it, or one not yet synced), the shipped dictionary stands in.
        if let Some(root) = lineage.first()
            && self.shipped_stands_in(root).await?
        {
            synonyms.extend(builtin_synonyms().iter().cloned());
            topics.extend(builtin_topics());
        }
        for origin in &lineage {
            for row in self.synonyms_of(origin).await? {
                synonyms.push(Synonym {
                    colloquial: row.colloquial,
                    official: row.official,
                    category: row.category,
                });
            }
            for row in self.topics_of(origin).await? {
                topics.retain(|c| c.id != row.id);
                topics.extend(row.card);
            }
            version += self.version_of(origin).await?;
        }
        Ok(Lexicon::new(synonyms, topics, version))
    }

    /// Synonyms set at each level of the lineage (root first).
    pub async fn synonyms(&self) -> Result<Vec<SynonymRow>, DictionaryError> {
        let mut out = Vec::new();
        for origin in self.federation.lineage() {
            out.extend(self.synonyms_of(&origin.to_string()).await?);
        }
        Ok(out)
    }

    /// Topic cards set at each level of the lineage (root first).
    pub async fn topics(&self) -> Result<Vec<TopicRow>, DictionaryError> {
        let mut out = Vec::new();
        for origin in self.federation.lineage() {
            out.extend(self.topics_of(&origin.to_string()).await?);
        }
        Ok(out)
    }

    /// The dictionary version of each level of the lineage.
    pub async fn versions(&self) -> Result<Vec<(String, u64)>, DictionaryError> {
        let mut out = Vec::new();
        for origin in self.federation.lineage() {
            let origin = origin.to_string();
            let v = self.version_of(&origin).await?;
            out.push((origin, v));
        }
        Ok(out)
    }

    /// The latest changes of the lineage's dictionaries, newest first.
    pub async fn history(&self, limit: i64) -> Result<Vec<HistoryRow>, DictionaryError> {
        let lineage: Vec<String> = self
            .federation
            .lineage()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let rows = sqlx::query(
            "SELECT origin, version, kind, item, value, at_ms, by_user FROM search_dictionary_history ORDER BY at_ms DESC, version DESC LIMIT $1",
        )
        .bind(limit.saturating_mul(4))
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let origin: String = r.try_get(0)?;
            if !lineage.contains(&origin) {
                continue;
            }
            let value: Option<String> = r.try_get(4)?;
            out.push(HistoryRow {
                origin,
                version: r.try_get::<i64, _>(1)? as u64,
                kind: r.try_get(2)?,
                item: r.try_get(3)?,
                value: value.and_then(|v| serde_json::from_str(&v).ok()),
                at_ms: r.try_get(5)?,
                by_user: r.try_get(6)?,
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        Ok(out)
    }

    async fn synonyms_of(&self, origin: &str) -> Result<Vec<SynonymRow>, DictionaryError> {
        let rows = sqlx::query(
            "SELECT colloquial, official, category, version, updated_ms FROM search_synonyms WHERE origin = $1 ORDER BY colloquial",
        )
        .bind(origin)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let official: String = r.try_get(1)?;
            out.push(SynonymRow {
                origin: origin.to_string(),
                colloquial: r.try_get(0)?,
                official: serde_json::from_str(&official).unwrap_or_default(),
                category: r.try_get(2)?,
                version: r.try_get::<i64, _>(3)? as u64,
                updated_ms: r.try_get(4)?,
            });
        }
        Ok(out)
    }

    async fn topics_of(&self, origin: &str) -> Result<Vec<TopicRow>, DictionaryError> {
        let rows = sqlx::query(
            "SELECT id, card, version FROM search_topics WHERE origin = $1 ORDER BY id",
        )
        .bind(origin)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let card: Option<String> = r.try_get(1)?;
            out.push(TopicRow {
                origin: origin.to_string(),
                id: r.try_get(0)?,
                card: card.and_then(|c| serde_json::from_str(&c).ok()),
                version: r.try_get::<i64, _>(2)? as u64,
            });
        }
        Ok(out)
    }

    /// Whether the shipped dictionary stands in for `root`'s: the root's first version is
    /// not its seed (recorded as made by [`SHIPPED_BY`] there, replicated without a name).
    async fn shipped_stands_in(&self, root: &str) -> Result<bool, DictionaryError> {
        let seeded: i64 = sqlx::query(
            "SELECT COUNT(*) FROM search_dictionary_history WHERE origin = $1 AND version = 1 AND by_user IN ('', $2)",
        )
        .bind(root)
        .bind(SHIPPED_BY)
        .fetch_one(&self.read)
        .await?
        .try_get(0)?;
        Ok(seeded == 0)
    }

    async fn version_of(&self, origin: &str) -> Result<u64, DictionaryError> {
        let mut conn = self.read.acquire().await?;
        current_version(&mut conn, origin).await
    }
}

/// The highest version recorded for an origin (0 if none).
async fn current_version(conn: &mut AnyConnection, origin: &str) -> Result<u64, DictionaryError> {
    let v: Option<i64> =
        sqlx::query("SELECT MAX(version) FROM search_dictionary_history WHERE origin = $1")
            .bind(origin)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
    Ok(v.unwrap_or(0) as u64)
}
