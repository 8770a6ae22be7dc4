//! The province's edits of the word lists, over the shipped ones: an entry added or
//! changed, or a shipped entry turned off. (Distributing them down the tree as signed
//! entries, like the synonym dictionary, is a later step; today each node edits its own.)

use serde::Serialize;
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
}

struct Edit {
    entry: WordEntry,
    removed: bool,
}

impl Monitoring {
    async fn word_edits(&self) -> Result<Vec<Edit>, MonitoringError> {
        let rows = sqlx::query(
            "SELECT list, wrong, right_form, removed FROM monitoring_word_entries ORDER BY rev",
        )
        .fetch_all(&self.read)
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

    /// The word lists: every shipped entry and every edit, by list and word.
    pub async fn word_lists(&self) -> Result<Vec<ListedWord>, MonitoringError> {
        let mut out: Vec<ListedWord> = shipped()
            .into_iter()
            .map(|entry| ListedWord {
                entry,
                shipped: true,
                edited: false,
                removed: false,
            })
            .collect();
        for e in self.word_edits().await? {
            let at = out
                .iter()
                .position(|w| w.entry.list == e.entry.list && w.entry.wrong == e.entry.wrong);
            match at {
                Some(i) => {
                    let w = &mut out[i];
                    w.edited = true;
                    w.removed = e.removed;
                    if !e.removed {
                        w.entry.right = e.entry.right;
                    }
                }
                None => out.push(ListedWord {
                    entry: e.entry,
                    shipped: false,
                    edited: true,
                    removed: e.removed,
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

    /// A number that grows with every edit (0: none), so a cached checker knows it is stale.
    pub async fn word_lists_rev(&self) -> Result<i64, MonitoringError> {
        let row = sqlx::query("SELECT COALESCE(MAX(rev), 0) FROM monitoring_word_entries")
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
        check_entry(list, wrong, right)
            .map_err(|m| MonitoringError::Invalid(format!("{}: {m}", list.code())))?;
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
                "{}: no entry `{wrong}`",
                list.code()
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
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
