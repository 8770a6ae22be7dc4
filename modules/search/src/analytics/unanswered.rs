//! Questions the Q&A assistant could not answer, per site: how often each was asked and
//! when first and last, so editors write the Q&A entries citizens miss. Questions are kept
//! normalised and masked like searches (digit runs of personal numbers become `#`).

use serde::Serialize;
use sqlx::{AnyPool, Row as _};

use super::AnalyticsError;
use super::stats::anonymise;
use crate::text::normalize_query;

/// One unanswered question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnansweredQuestion {
    /// The site it was asked on ('' outside a site).
    pub site: String,
    /// The question, normalised and masked.
    pub question: String,
    /// How often it was asked.
    pub asked: i64,
    /// First asked (unix ms).
    pub first_ms: i64,
    /// Last asked (unix ms).
    pub last_ms: i64,
}

/// The store of unanswered questions (over the node's database).
#[derive(Debug, Clone)]
pub struct UnansweredQuestions {
    pub(super) read: AnyPool,
    pub(super) write: AnyPool,
}

/// The form a question is kept in: normalised, masked, trimmed.
pub fn unanswered_key(question: &str) -> String {
    anonymise(normalize_query(question).trim())
        .trim()
        .to_string()
}

impl UnansweredQuestions {
    /// Counts one question asked on `site` that found no answer (an empty one is not kept).
    pub async fn record(&self, site: Option<&str>, question: &str) -> Result<(), AnalyticsError> {
        let question = unanswered_key(question);
        if question.is_empty() {
            return Ok(());
        }
        let now = chrono::Utc::now().timestamp_millis();
        sqlx::query(
            "INSERT INTO search_unanswered (site, question, asked, first_ms, last_ms) VALUES ($1, $2, 1, $3, $3) \
             ON CONFLICT (site, question) DO UPDATE SET asked = search_unanswered.asked + 1, last_ms = excluded.last_ms",
        )
        .bind(site.unwrap_or(""))
        .bind(&question)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The questions not dismissed of `sites` (None: every site), most asked first.
    pub async fn list(
        &self,
        sites: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<UnansweredQuestion>, AnalyticsError> {
        let rows = sqlx::query(
            "SELECT site, question, asked, first_ms, last_ms FROM search_unanswered WHERE dismissed = 0 \
             ORDER BY asked DESC, last_ms DESC, question",
        )
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let site: String = r.try_get(0)?;
            if sites.is_some_and(|s| !s.contains(&site)) {
                continue;
            }
            out.push(UnansweredQuestion {
                site,
                question: r.try_get(1)?,
                asked: r.try_get(2)?,
                first_ms: r.try_get(3)?,
                last_ms: r.try_get(4)?,
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Dismisses (忽略) a question of `site`: no longer listed, even if asked again.
    /// Returns whether there was such a question.
    pub async fn dismiss(&self, site: &str, question: &str) -> Result<bool, AnalyticsError> {
        let done = sqlx::query(
            "UPDATE search_unanswered SET dismissed = 1 WHERE site = $1 AND question = $2 AND dismissed = 0",
        )
        .bind(site)
        .bind(question)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
