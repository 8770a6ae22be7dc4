//! What the checks found, per site and source: each check replaces its own findings of a
//! site when it runs, so the table always holds the current state.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Indicator, Monitoring, MonitoringError, Severity};

/// Which check wrote a finding (it replaces only its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The content checks over published articles (serious errors, typos, dark links).
    Content,
    /// The link checks.
    Links,
    /// Home page and column freshness, blank columns.
    Freshness,
    /// Consultation channel and unanswered consultations.
    Interaction,
    /// Availability probes.
    Availability,
    /// A served page compared with what the node renders.
    Tamper,
}

impl Source {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Source::Content => "content",
            Source::Links => "links",
            Source::Freshness => "freshness",
            Source::Interaction => "interaction",
            Source::Availability => "availability",
            Source::Tamper => "tamper",
        }
    }
}

/// One problem on one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The site.
    pub site: String,
    /// The indicator it counts against.
    pub indicator: Indicator,
    /// How it weighs.
    pub severity: Severity,
    /// Where: an article's title or URL, a column's name, a link.
    pub subject: String,
    /// What is wrong, in Chinese, for the site's staff.
    pub detail: String,
    /// When it was found (unix ms).
    pub at_ms: i64,
}

impl Monitoring {
    /// Replaces `source`'s findings of `site` with `findings` (one transaction).
    pub async fn replace_findings(
        &self,
        site: &str,
        source: Source,
        findings: &[Finding],
    ) -> Result<(), MonitoringError> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM monitoring_findings WHERE site_id = $1 AND source = $2")
            .bind(site)
            .bind(source.code())
            .execute(&mut *tx)
            .await?;
        for f in findings {
            sqlx::query(
                "INSERT INTO monitoring_findings (site_id, source, indicator, severity, subject, detail, at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(site)
            .bind(source.code())
            .bind(f.indicator.code())
            .bind(f.severity.code())
            .bind(&f.subject)
            .bind(&f.detail)
            .bind(f.at_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The current findings of `site`, the heaviest first.
    pub async fn findings(&self, site: &str) -> Result<Vec<Finding>, MonitoringError> {
        let rows = sqlx::query(
            "SELECT site_id, indicator, severity, subject, detail, at_ms FROM monitoring_findings \
             WHERE site_id = $1 ORDER BY at_ms DESC",
        )
        .bind(site)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (Some(indicator), Some(severity)) = (
                Indicator::parse(&r.try_get::<String, _>(1)?),
                Severity::parse(&r.try_get::<String, _>(2)?),
            ) else {
                continue;
            };
            out.push(Finding {
                site: r.try_get(0)?,
                indicator,
                severity,
                subject: r.try_get(3)?,
                detail: r.try_get(4)?,
                at_ms: r.try_get(5)?,
            });
        }
        out.sort_by_key(|f| std::cmp::Reverse(f.severity));
        Ok(out)
    }
}
