//! The edits of the word lists over the shipped ones: an entry added or changed, or a
//! shipped entry turned off. A level (the province, or a city for its subtree) edits its own;
//! each change sends the level's whole set of edits down as one signed `Public` entry, and a
//! node's lists in force are the shipped ones, then each level's edits from the root down to
//! itself (a nearer level's edit of the same word wins).

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::checker::ContentChecker;
use super::lists::{WordEntry, WordList, check_entry, shipped};
use crate::{Monitoring, MonitoringError};

/// An entry as the list editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedWord {
    /// The entry (for a removed one, as it was).
    pub entry: WordEntry,
    /// Whether the product ships it.
    pub shipped: bool,
    /// Whether the province changed or added it.
    pub edited: bool,
    /// Whether the province turned it off.
    pub removed: bool,
    /// The node whose edit this is (`None`: as shipped).
    pub level: Option<String>,
}

/// One edit, as stored and as its level's entry carries it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Edit {
    entry: WordEntry,
    removed: bool,
}

/// Entry kind of a level's edits.
pub(crate) const WORDS: &str = "monitoring.words";

/// Stores a level's edits from its entry (last writer wins on the entry's HLC).
pub(crate) async fn store_level_entry(
    conn: &mut sqlx::AnyConnection,
    entry: &govnode_federation::Entry,
    payload: &[u8],
) -> Result<(), govnode_federation::ApplyError> {
    use govnode_federation::ApplyError;
    let (_, edits): (u8, String) =
        govnode_federation::decode_payload(payload).map_err(ApplyError::Refused)?;
    let parsed: Vec<Edit> = serde_json::from_str(&edits)
        .map_err(|e| ApplyError::Refused(format!("word lists: {e}")))?;
    for e in &parsed {
        if !e.removed
            && let Err(m) = check_entry(e.entry.list, &e.entry.wrong, &e.entry.right)
        {
            return Err(ApplyError::Refused(format!("word lists: {m}")));
        }
    }
    sqlx::query(
        "INSERT INTO monitoring_word_levels (origin, edits, entry_hlc, at_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (origin) DO UPDATE SET edits = excluded.edits, entry_hlc = excluded.entry_hlc, \
         at_ms = excluded.at_ms WHERE excluded.entry_hlc >= monitoring_word_levels.entry_hlc",
    )
    .bind(entry.origin.to_string())
    .bind(&edits)
    .bind(entry.hlc as i64)
    .bind(chrono::Utc::now().timestamp_millis())
    .execute(conn)
    .await
    .map_err(|e| ApplyError::Failed(e.to_string()))?;
    Ok(())
}

/// This node's own edits, in the order they were made.
async fn own_edits<'e, E>(executor: E) -> Result<Vec<Edit>, MonitoringError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query(
        "SELECT list, wrong, right_form, removed FROM monitoring_word_entries ORDER BY rev",
    )
    .fetch_all(executor)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(list) = WordList::parse(&r.try_get::<String, _>(0)?) else {
            continue;
        };
        out.push(Edit {
            entry: WordEntry {
                list,
                wrong: r.try_get(1)?,
                right: r.try_get(2)?,
            },
            removed: r.try_get::<i64, _>(3)? != 0,
        });
    }
    Ok(out)
}

impl Monitoring {
    /// Every level's edits, root first and this node's last, each with its level.
    async fn word_edits(&self) -> Result<Vec<(String, Edit)>, MonitoringError> {
        let mut out = Vec::new();
        let me = self.federation.as_ref().map(|f| f.me().to_string());
        if let Some(f) = &self.federation {
            for origin in f.lineage().iter().map(ToString::to_string) {
                if Some(&origin) == me.as_ref() {
                    continue;
                }
                let row = sqlx::query("SELECT edits FROM monitoring_word_levels WHERE origin = $1")
                    .bind(&origin)
                    .fetch_optional(&self.read)
                    .await?;
                let Some(row) = row else { continue };
                let edits: Vec<Edit> =
                    serde_json::from_str(&row.try_get::<String, _>(0)?).unwrap_or_default();
                out.extend(edits.into_iter().map(|e| (origin.clone(), e)));
            }
        }
        let mine = me.unwrap_or_default();
        out.extend(
            own_edits(&self.read)
                .await?
                .into_iter()
                .map(|e| (mine.clone(), e)),
        );
        Ok(out)
    }

    /// The word lists: every shipped entry and every edit, by list and word.
    pub async fn word_lists(&self) -> Result<Vec<ListedWord>, MonitoringError> {
        let mut out: Vec<ListedWord> = shipped()
            .into_iter()
            .map(|entry| ListedWord {
                entry,
                shipped: true,
                edited: false,
                removed: false,
                level: None,
            })
            .collect();
        for (level, e) in self.word_edits().await? {
            let at = out
                .iter()
                .position(|w| w.entry.list == e.entry.list && w.entry.wrong == e.entry.wrong);
            match at {
                Some(i) => {
                    let w = &mut out[i];
                    w.edited = true;
                    w.removed = e.removed;
                    w.level = Some(level);
                    if !e.removed {
                        w.entry.right = e.entry.right;
                    }
                }
                None => out.push(ListedWord {
                    entry: e.entry,
                    shipped: false,
                    edited: true,
                    removed: e.removed,
                    level: Some(level),
                }),
            }
        }
        out.sort_by(|a, b| (a.entry.list, &a.entry.wrong).cmp(&(b.entry.list, &b.entry.wrong)));
        Ok(out)
    }

    /// The entries in force: shipped ones not turned off, and the province's.
    pub async fn word_entries(&self) -> Result<Vec<WordEntry>, MonitoringError> {
        Ok(self
            .word_lists()
            .await?
            .into_iter()
            .filter(|w| !w.removed)
            .map(|w| w.entry)
            .collect())
    }

    /// A checker over the lists in force.
    pub async fn content_checker(&self) -> Result<ContentChecker, MonitoringError> {
        Ok(ContentChecker::new(self.word_entries().await?))
    }

    /// A number that grows with every edit here or above (0: none), so a cached checker
    /// knows it is stale.
    pub async fn word_lists_rev(&self) -> Result<i64, MonitoringError> {
        let row = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(rev), 0) FROM monitoring_word_entries) \
             + (SELECT COALESCE(MAX(entry_hlc), 0) FROM monitoring_word_levels)",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Adds or changes an entry (`right` empty: a word that should not be there at all,
    /// sensitive and allowed lists only).
    pub async fn set_word_entry(
        &self,
        actor: &str,
        list: WordList,
        wrong: &str,
        right: &str,
    ) -> Result<(), MonitoringError> {
        let (wrong, right) = (wrong.trim(), right.trim());
        check_entry(list, wrong, right).map_err(MonitoringError::Invalid)?;
        self.write_edit(actor, list, wrong, right, false).await
    }

    /// Turns an entry off (a shipped one stays off; a province's one is gone).
    pub async fn remove_word_entry(
        &self,
        actor: &str,
        list: WordList,
        wrong: &str,
    ) -> Result<(), MonitoringError> {
        let wrong = wrong.trim();
        let known = self
            .word_lists()
            .await?
            .iter()
            .any(|w| w.entry.list == list && w.entry.wrong == wrong && !w.removed);
        if !known {
            return Err(MonitoringError::Invalid(format!(
                "“{}”中没有“{wrong}”",
                list.label()
            )));
        }
        self.write_edit(actor, list, wrong, "", true).await
    }

    async fn write_edit(
        &self,
        actor: &str,
        list: WordList,
        wrong: &str,
        right: &str,
        removed: bool,
    ) -> Result<(), MonitoringError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO monitoring_word_entries (list, wrong, right_form, removed, rev, updated_by, updated_ms) \
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(rev), 0) + 1 FROM monitoring_word_entries), $5, $6) \
             ON CONFLICT (list, wrong) DO UPDATE SET right_form = excluded.right_form, removed = excluded.removed, \
             rev = excluded.rev, updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
        )
        .bind(list.code())
        .bind(wrong)
        .bind(right)
        .bind(i64::from(removed))
        .bind(actor)
        .bind(chrono::Utc::now().timestamp_millis())
        .execute(&mut *tx)
        .await?;
        // The level's whole set of edits goes down in the same transaction.
        if let Some(federation) = &self.federation {
            let edits = serde_json::to_string(&own_edits(&mut *tx).await?)
                .map_err(|e| MonitoringError::Invalid(e.to_string()))?;
            federation
                .append(
                    &mut tx,
                    govnode_federation::EntryDraft {
                        kind: WORDS.into(),
                        object: "words".into(),
                        audience: govnode_federation::Audience::Public,
                        payload: govnode_federation::encode_payload(1, &edits),
                    },
                )
                .await
                .map_err(|e| MonitoringError::Upstream(e.to_string()))?;
        }
        tx.commit().await?;
        if let Some(federation) = &self.federation {
            federation.announce();
        }
        Ok(())
    }
}
