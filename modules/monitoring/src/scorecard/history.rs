//! Weekly history: one scorecard per site and ISO week (Beijing time), the last recorded in
//! the week standing for it.

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::Scorecard;
use crate::{Monitoring, MonitoringError};

/// A site's scorecard of one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Week {
    /// ISO week, e.g. "2026-W49".
    pub week: String,
    /// The scorecard recorded last in the week.
    pub scorecard: Scorecard,
}

/// The ISO week (Beijing time) of `ms`.
pub fn iso_week(ms: i64) -> String {
    let w = govnode_topology::beijing::date_of(ms).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

impl Monitoring {
    /// Computes `site`'s scorecard at `now_ms` and stores it as its week's.
    pub async fn record_week(&self, site: &str, now_ms: i64) -> Result<Scorecard, MonitoringError> {
        let card = self.scorecard(site, now_ms).await?;
        let json = serde_json::to_string(&card)
            .map_err(|e| MonitoringError::Invalid(format!("scorecard: {e}")))?;
        sqlx::query(
            "INSERT INTO monitoring_weeks (site_id, week, score, passed, vetoes, scorecard, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (site_id, week) DO UPDATE SET score = excluded.score, passed = excluded.passed, \
             vetoes = excluded.vetoes, scorecard = excluded.scorecard, at_ms = excluded.at_ms",
        )
        .bind(site)
        .bind(iso_week(now_ms))
        .bind(card.score)
        .bind(i64::from(card.passed))
        .bind(card.vetoes.len() as i64)
        .bind(json)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        Ok(card)
    }

    /// `site`'s last `weeks` recorded weeks, oldest first.
    pub async fn history(&self, site: &str, weeks: u32) -> Result<Vec<Week>, MonitoringError> {
        let rows = sqlx::query(
            "SELECT week, scorecard FROM monitoring_weeks WHERE site_id = $1 \
             ORDER BY week DESC LIMIT $2",
        )
        .bind(site)
        .bind(i64::from(weeks))
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows.iter().rev() {
            let json: String = r.try_get(1)?;
            let scorecard = serde_json::from_str(&json)
                .map_err(|e| MonitoringError::Invalid(format!("stored scorecard: {e}")))?;
            out.push(Week {
                week: r.try_get(0)?,
                scorecard,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_in_beijing_time() {
        // 2026-01-04 20:00 UTC is Monday 2026-01-05 04:00 in Beijing: week 2.
        assert_eq!(iso_week(1_767_556_800_000), "2026-W02");
        // 2026-01-01 (Thursday) belongs to 2026-W01.
        assert_eq!(iso_week(1_767_225_600_000), "2026-W01");
    }
}
