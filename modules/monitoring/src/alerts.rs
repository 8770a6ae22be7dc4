//! Alerts: when a site's veto item first appears an alert opens (for the console of the
//! site's administrators, an e-mail, the optional webhook); it resolves when the item is
//! gone. An alert still open after the escalation period is shown to the parent node too
//! (it travels in the site's report up the tree, see [`crate::rollup`]).

use serde::Serialize;
use sqlx::Row as _;

use crate::{Finding, Indicator, Monitoring, MonitoringError, Severity};

/// Days an alert stays open before it is escalated to the parent node.
pub const ESCALATE_AFTER_DAYS: i64 = 3;
const DAY_MS: i64 = 86_400_000;

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Its id.
    pub id: i64,
    /// The site.
    pub site: String,
    /// The veto item.
    pub indicator: Indicator,
    /// What was wrong when it opened, in Chinese.
    pub detail: String,
    /// Opened (unix ms).
    pub opened_ms: i64,
    /// Resolved (unix ms), while open `None`.
    pub resolved_ms: Option<i64>,
    /// Whether the e-mail went out.
    pub mailed: bool,
    /// Failed e-mail attempts.
    pub mail_attempts: i64,
}

impl Alert {
    /// Whether it has been open longer than the escalation period at `now_ms`.
    pub fn escalated(&self, now_ms: i64) -> bool {
        self.resolved_ms.is_none() && now_ms - self.opened_ms >= ESCALATE_AFTER_DAYS * DAY_MS
    }
}

fn alert_from(r: &sqlx::any::AnyRow) -> Result<Option<Alert>, sqlx::Error> {
    let Some(indicator) = Indicator::parse(&r.try_get::<String, _>(2)?) else {
        return Ok(None);
    };
    Ok(Some(Alert {
        id: r.try_get(0)?,
        site: r.try_get(1)?,
        indicator,
        detail: r.try_get(3)?,
        opened_ms: r.try_get(4)?,
        resolved_ms: r.try_get(5)?,
        mailed: r.try_get::<i64, _>(6)? != 0,
        mail_attempts: r.try_get(7)?,
    }))
}

/// The columns [`alert_from`] reads, in its order.
macro_rules! columns {
    () => {
        "id, site_id, indicator, detail, opened_ms, resolved_ms, mailed, mail_attempts"
    };
}

impl Monitoring {
    /// Opens an alert for each veto item of `site` in `findings` not already alerted, and
    /// resolves the open ones whose item is gone. Returns the alerts opened.
    pub async fn update_alerts(
        &self,
        site: &str,
        findings: &[Finding],
        now_ms: i64,
    ) -> Result<Vec<Alert>, MonitoringError> {
        let mut vetoes: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity == Severity::Veto)
            .collect();
        vetoes.sort_by_key(|f| f.indicator);
        vetoes.dedup_by_key(|f| f.indicator);
        let mut tx = self.write.begin().await?;
        let open: Vec<(i64, String)> = sqlx::query(
            "SELECT id, indicator FROM monitoring_alerts WHERE site_id = $1 AND resolved_ms IS NULL",
        )
        .bind(site)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
        for (id, code) in &open {
            if !vetoes.iter().any(|f| f.indicator.code() == code) {
                sqlx::query("UPDATE monitoring_alerts SET resolved_ms = $1 WHERE id = $2")
                    .bind(now_ms)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let mut opened = Vec::new();
        for f in vetoes {
            if open.iter().any(|(_, code)| code == f.indicator.code()) {
                continue;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO monitoring_alerts (site_id, indicator, detail, opened_ms) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(site)
            .bind(f.indicator.code())
            .bind(&f.detail)
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await?;
            opened.push(Alert {
                id,
                site: site.to_string(),
                indicator: f.indicator,
                detail: f.detail.clone(),
                opened_ms: now_ms,
                resolved_ms: None,
                mailed: false,
                mail_attempts: 0,
            });
        }
        tx.commit().await?;
        Ok(opened)
    }

    /// The alerts of `sites` (every site when `None`), open first, newest first; at most
    /// `limit`.
    pub async fn alerts(
        &self,
        sites: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Alert>, MonitoringError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM monitoring_alerts ORDER BY (resolved_ms IS NULL) DESC, opened_ms DESC, id DESC"
        ))
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let Some(a) = alert_from(r)? else { continue };
            if sites.is_none_or(|s| s.contains(&a.site)) {
                out.push(a);
                if out.len() as i64 >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Open alerts not yet e-mailed, oldest first, with fewer than `max_attempts` failures.
    pub async fn alerts_to_mail(&self, max_attempts: i64) -> Result<Vec<Alert>, MonitoringError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM monitoring_alerts WHERE mailed = 0 AND resolved_ms IS NULL AND mail_attempts < $1 ",
            "ORDER BY opened_ms, id"
        ))
        .bind(max_attempts)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            if let Some(a) = alert_from(r)? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Records an e-mail attempt for alert `id`: sent, or one more failure.
    pub async fn alert_mailed(&self, id: i64, sent: bool) -> Result<(), MonitoringError> {
        let sql = if sent {
            "UPDATE monitoring_alerts SET mailed = 1 WHERE id = $1"
        } else {
            "UPDATE monitoring_alerts SET mail_attempts = mail_attempts + 1 WHERE id = $1"
        };
        sqlx::query(sql).bind(id).execute(&self.write).await?;
        Ok(())
    }
}
