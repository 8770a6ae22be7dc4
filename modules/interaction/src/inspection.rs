//! What inspection (一网通管) asks of a site's interaction: whether citizens can send a
//! consultation there, and which consultations filed there were left unanswered too long.
//! Tracking codes only, never personal data.

use serde::Serialize;
use sqlx::Row;

use crate::{Interaction, InteractionError, TicketKind};

const DAY_MS: i64 = 86_400_000;

/// A consultation answered too late, or still unanswered past the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateConsultation {
    /// Its tracking code.
    pub code: String,
    /// When it was filed (unix ms).
    pub filed_ms: i64,
    /// When it was answered (replied, refused or closed), if it was.
    pub answered_ms: Option<i64>,
}

/// A site's interaction as inspection sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultInspection {
    /// Whether the site takes consultations: it has a letters desk (its own or the node's
    /// default), or there are bodies for the writer to choose.
    pub channel: bool,
    /// Consultations filed on the site within the window and left unanswered longer than
    /// the limit (while open, or answered late), oldest first.
    pub late: Vec<LateConsultation>,
}

impl Interaction {
    /// Inspects `site` at `now_ms`: consultations filed in the last `window_days` and left
    /// unanswered for more than `limit_days`.
    pub async fn consult_inspection(
        &self,
        site: &str,
        now_ms: i64,
        window_days: u32,
        limit_days: u32,
    ) -> Result<ConsultInspection, InteractionError> {
        let channel = self.desk_for(site).await?.is_some() || !self.bodies().await?.is_empty();
        let limit = i64::from(limit_days) * DAY_MS;
        // Answered: the reply's time, else (refused or closed without one) its last change.
        let rows = sqlx::query(
            "SELECT code, filed_ms, \
                    CASE WHEN replied_ms > 0 THEN replied_ms \
                         WHEN state IN ('refused', 'closed') THEN updated_ms END AS answered \
             FROM tickets WHERE filed_site = $1 AND kind = $2 AND filed_ms >= $3 ORDER BY filed_ms, code",
        )
        .bind(site)
        .bind(TicketKind::Consultation.code())
        .bind(now_ms - i64::from(window_days) * DAY_MS)
        .fetch_all(&self.read)
        .await?;
        let mut late = Vec::new();
        for r in rows {
            let filed_ms: i64 = r.try_get("filed_ms")?;
            let answered_ms: Option<i64> = r.try_get("answered")?;
            if answered_ms.unwrap_or(now_ms) - filed_ms > limit {
                late.push(LateConsultation {
                    code: r.try_get("code")?,
                    filed_ms,
                    answered_ms,
                });
            }
        }
        Ok(ConsultInspection { channel, late })
    }
}
