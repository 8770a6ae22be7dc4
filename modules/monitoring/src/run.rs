//! One round of the site checks over every site this node watches: for each of its own
//! sites the content checks, freshness and interaction, then the week's scorecard; for each
//! site of a child node, the availability this node measured. Every watched site's veto
//! items open or resolve alerts, and the summaries go up the tree. The probes and the link
//! checks run on their own schedules (see `web_checks`); this round reads their findings.

use govnode_content::Content;
use govnode_interaction::Interaction;

use crate::rollup::SiteSummary;
use crate::scorecard::Scorecard;
use crate::{Alert, Monitoring, MonitoringError};

/// What one round found.
#[derive(Debug, Default)]
pub struct Round {
    /// Sites checked (own and children's).
    pub sites: usize,
    /// Sites with a veto item.
    pub failing: usize,
    /// Alerts opened by this round.
    pub opened: Vec<Alert>,
}

/// A scorecard as its summary for the levels above.
fn summary(
    card: &Scorecard,
    site_name: &str,
    node: &str,
    score: bool,
    escalated: Vec<String>,
) -> SiteSummary {
    SiteSummary {
        site: card.site.clone(),
        site_name: site_name.to_string(),
        node: node.to_string(),
        score: score.then_some(card.score),
        vetoes: card
            .vetoes
            .iter()
            .map(|f| (f.indicator.code().to_string(), f.detail.clone()))
            .collect(),
        counts: card
            .counts
            .iter()
            .map(|(i, n)| (i.code().to_string(), *n))
            .collect(),
        escalated,
        at_ms: card.at_ms,
    }
}

impl Monitoring {
    /// Checks every site of this node (`me`) and of its `children`, at `now_ms`.
    pub async fn check_all(
        &self,
        content: &Content,
        interaction: &Interaction,
        me: &str,
        children: &[String],
        now_ms: i64,
    ) -> Result<Round, MonitoringError> {
        let sites = content
            .sites()
            .await
            .map_err(|e| MonitoringError::Upstream(format!("reading sites: {e}")))?;
        let mut round = Round::default();
        let mut summaries = Vec::new();
        for site in sites {
            let own = site.origin.is_empty() || site.origin == me;
            if !own && !children.contains(&site.origin) {
                continue;
            }
            let card = if own {
                if site.shutdown {
                    // Closed on purpose (一键关停): its pages answer the maintenance notice.
                    continue;
                }
                self.check_site_content(content, &site.id, now_ms).await?;
                self.check_site(content, interaction, &site.id, now_ms)
                    .await?
            } else {
                // A child scores its own sites; here only what this node measured counts.
                self.scorecard(&site.id, now_ms).await?
            };
            let findings = self.findings(&site.id).await?;
            round
                .opened
                .extend(self.update_alerts(&site.id, &findings, now_ms).await?);
            let escalated = self
                .alerts(Some(std::slice::from_ref(&site.id)), 50)
                .await?
                .into_iter()
                .filter(|a| a.escalated(now_ms))
                .map(|a| a.indicator.code().to_string())
                .collect();
            round.sites += 1;
            if !card.passed {
                round.failing += 1;
            }
            let node = if own { me } else { site.origin.as_str() };
            summaries.push(summary(&card, &site.name, node, own, escalated));
        }
        self.report_up(summaries).await?;
        Ok(round)
    }
}
