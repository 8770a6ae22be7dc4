//! Interaction (互动回应): a channel for consultations on the site, and no consultation of
//! the past year left unanswered too long. Subjects are tracking codes, never personal data.

use govnode_interaction::{ConsultInspection, Interaction};

use crate::{Finding, Indicator, Monitoring, MonitoringError, Severity, Source, Thresholds};

use super::freshness::DAY_MS;

impl Monitoring {
    /// Checks `site`'s interaction at `now_ms` and replaces its [`Source::Interaction`]
    /// findings.
    pub async fn check_interaction(
        &self,
        interaction: &Interaction,
        site: &str,
        now_ms: i64,
    ) -> Result<Vec<Finding>, MonitoringError> {
        let t = &self.thresholds_in_force().await?.thresholds;
        let seen = interaction
            .consult_inspection(
                site,
                now_ms,
                t.unanswered_window_days,
                t.unanswered_consult_days,
            )
            .await
            .map_err(|e| MonitoringError::Upstream(format!("reading letters of `{site}`: {e}")))?;
        let findings = interaction_findings(site, &seen, t, now_ms);
        self.replace_findings(site, Source::Interaction, &findings)
            .await?;
        Ok(findings)
    }
}

/// The findings of a site's interaction at `now`.
pub fn interaction_findings(
    site: &str,
    seen: &ConsultInspection,
    t: &Thresholds,
    now: i64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if !seen.channel {
        out.push(Finding {
            site: site.into(),
            indicator: Indicator::NoConsultChannel,
            severity: Severity::Veto,
            subject: "互动交流".into(),
            detail: "网站没有可提交咨询的渠道：既未设置受理中心，也没有可选择的办理单位".into(),
            at_ms: now,
        });
    }
    for c in &seen.late {
        let filed = govnode_topology::beijing::date(c.filed_ms);
        let detail = match c.answered_ms {
            Some(a) => format!(
                "咨询于 {filed} 提交，{} 天后才答复（时限 {} 天）",
                (a - c.filed_ms) / DAY_MS,
                t.unanswered_consult_days
            ),
            None => format!(
                "咨询于 {filed} 提交，已 {} 天未答复（时限 {} 天）",
                (now - c.filed_ms) / DAY_MS,
                t.unanswered_consult_days
            ),
        };
        out.push(Finding {
            site: site.into(),
            indicator: Indicator::UnansweredConsult,
            severity: Severity::Veto,
            subject: c.code.clone(),
            detail,
            at_ms: now,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_interaction::LateConsultation;

    #[test]
    fn no_channel_and_late_consultations_veto() {
        let now = 1_780_000_000_000;
        let seen = ConsultInspection {
            channel: false,
            late: vec![LateConsultation {
                code: "ZX2026".into(),
                filed_ms: now - 100 * DAY_MS,
                answered_ms: None,
            }],
        };
        let f = interaction_findings("s", &seen, &Thresholds::default(), now);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.severity == Severity::Veto));
        assert_eq!(f[1].subject, "ZX2026");
        assert!(f[1].detail.contains("已 100 天未答复"), "{}", f[1].detail);
        let ok = ConsultInspection {
            channel: true,
            late: vec![],
        };
        assert!(interaction_findings("s", &ok, &Thresholds::default(), now).is_empty());
    }
}
