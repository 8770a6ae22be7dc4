//! Storing dictionary changes, local or from other levels' entries.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use govnode_federation::{Applier, ApplyError, BoxFuture, Entry, decode_payload};
use sqlx::AnyConnection;

use super::{DictionaryChange, Item, SYNONYM, TOPIC, V1};

/// Applies other levels' dictionary entries (stored for every related origin; used for
/// searching only from the lineage).
pub struct DictionaryApplier {
    pub(super) changes: Arc<AtomicU64>,
}

/// Stores one change of `origin` (last writer wins on the entry's HLC).
pub(super) async fn store(
    conn: &mut AnyConnection,
    origin: &str,
    change: &DictionaryChange,
    hlc: i64,
    by: &str,
) -> Result<(), sqlx::Error> {
    let version = change.version as i64;
    let (kind, item, value) = match &change.item {
        Item::Synonym(s) => {
            let official = serde_json::to_string(&s.official).unwrap_or_else(|_| "[]".into());
            sqlx::query(
                "INSERT INTO search_synonyms (origin, colloquial, official, category, version, updated_ms, entry_hlc) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (origin, colloquial) DO UPDATE SET official = excluded.official, category = excluded.category,
                   version = excluded.version, updated_ms = excluded.updated_ms, entry_hlc = excluded.entry_hlc
                 WHERE excluded.version >= search_synonyms.version",
            )
            .bind(origin)
            .bind(&s.colloquial)
            .bind(&official)
            .bind(&s.category)
            .bind(version)
            .bind(change.at_ms)
            .bind(hlc)
            .execute(&mut *conn)
            .await?;
            let value =
                (!s.official.is_empty()).then(|| serde_json::to_string(s).unwrap_or_default());
            ("synonym", s.colloquial.clone(), value)
        }
        Item::Topic { id, card } => {
            let json = card
                .as_ref()
                .map(|c| serde_json::to_string(c).unwrap_or_default());
            sqlx::query(
                "INSERT INTO search_topics (origin, id, card, version, updated_ms, entry_hlc) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (origin, id) DO UPDATE SET card = excluded.card, version = excluded.version,
                   updated_ms = excluded.updated_ms, entry_hlc = excluded.entry_hlc
                 WHERE excluded.version >= search_topics.version",
            )
            .bind(origin)
            .bind(id)
            .bind(json.clone())
            .bind(version)
            .bind(change.at_ms)
            .bind(hlc)
            .execute(&mut *conn)
            .await?;
            ("topic", id.clone(), json)
        }
    };
    sqlx::query(
        "INSERT INTO search_dictionary_history (origin, version, kind, item, value, at_ms, by_user) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (origin, version) DO NOTHING",
    )
    .bind(origin)
    .bind(version)
    .bind(kind)
    .bind(item)
    .bind(value)
    .bind(change.at_ms)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl DictionaryApplier {
    async fn apply_entry(
        &self,
        conn: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        if entry.kind != SYNONYM && entry.kind != TOPIC {
            return Err(ApplyError::Refused(format!(
                "unknown dictionary kind {}",
                entry.kind
            )));
        }
        let (version, change): (u8, DictionaryChange) =
            decode_payload(payload).map_err(ApplyError::Refused)?;
        if version != V1 {
            return Err(ApplyError::Refused(format!(
                "dictionary payload v{version} is not understood"
            )));
        }
        let valid = match &change.item {
            Item::Synonym(s) => {
                entry.kind == SYNONYM && s.clone().validated().is_ok_and(|v| v == *s)
            }
            Item::Topic { id, card } => {
                entry.kind == TOPIC
                    && card
                        .as_ref()
                        .is_none_or(|c| c.id == *id && c.clone().validated().is_ok())
            }
        };
        if !valid {
            return Err(ApplyError::Refused("malformed dictionary entry".into()));
        }
        store(
            conn,
            &entry.origin.to_string(),
            &change,
            entry.hlc as i64,
            "",
        )
        .await
        .map_err(|e| ApplyError::Failed(e.to_string()))?;
        self.changes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Applier for DictionaryApplier {
    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        entry: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(self.apply_entry(conn, entry, payload))
    }
}
