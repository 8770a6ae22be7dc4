//! The scorecard per site: freshness of the home page and columns, blank columns, the
//! consultation channel and unanswered consultations, then veto items, deductions and a
//! score from every finding, with weekly history.

pub mod freshness;
pub mod history;
pub mod interaction;

use std::collections::BTreeMap;

use govnode_content::Content;
use govnode_interaction::Interaction;
use serde::{Deserialize, Serialize};

use crate::{Finding, Indicator, Monitoring, MonitoringError, Severity, Thresholds};

pub use history::Week;

/// What one indicator's deductions cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deduction {
    /// The indicator.
    pub indicator: Indicator,
    /// Its deduction findings.
    pub count: u32,
    /// Points they cost, capped by `deduction_cap`.
    pub points: f64,
}

/// A site's standing against the indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// The site.
    pub site: String,
    /// Veto items (单项否决): any one fails the site.
    pub vetoes: Vec<Finding>,
    /// Deductions per indicator, in the report's order (indicators with none left out).
    pub deductions: Vec<Deduction>,
    /// Findings for a person to judge; they cost nothing.
    pub warnings: Vec<Finding>,
    /// Findings of every severity per indicator, in the report's order (zeros left out).
    pub counts: Vec<(Indicator, u32)>,
    /// 100 less the deductions, 0–100.
    pub score: f64,
    /// No veto item.
    pub passed: bool,
    /// When it was computed (unix ms).
    pub at_ms: i64,
}

impl Scorecard {
    /// The scorecard of `site` from its current `findings`.
    pub fn from_findings(site: &str, findings: &[Finding], t: &Thresholds, now_ms: i64) -> Self {
        let mut per: BTreeMap<Indicator, (u32, u32)> = BTreeMap::new();
        let (mut vetoes, mut warnings) = (Vec::new(), Vec::new());
        for f in findings {
            let e = per.entry(f.indicator).or_default();
            e.0 += 1;
            match f.severity {
                Severity::Veto => vetoes.push(f.clone()),
                Severity::Deduction => e.1 += 1,
                Severity::Warning => warnings.push(f.clone()),
            }
        }
        vetoes.sort_by_key(|f| f.indicator);
        let deductions: Vec<Deduction> = per
            .iter()
            .filter(|(_, (_, d))| *d > 0)
            .map(|(i, (_, d))| Deduction {
                indicator: *i,
                count: *d,
                points: (f64::from(*d) * t.deduction_points).min(t.deduction_cap),
            })
            .collect();
        let lost: f64 = deductions.iter().map(|d| d.points).sum();
        Scorecard {
            site: site.to_string(),
            passed: vetoes.is_empty(),
            vetoes,
            deductions,
            warnings,
            counts: per.iter().map(|(i, (n, _))| (*i, *n)).collect(),
            score: (100.0 - lost).clamp(0.0, 100.0),
            at_ms: now_ms,
        }
    }

    /// The names of the indicators with a veto item, once each, in the report's order.
    pub fn veto_labels(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for f in &self.vetoes {
            if !out.contains(&f.indicator.label()) {
                out.push(f.indicator.label());
            }
        }
        out
    }

    /// Findings of `indicator`, of every severity.
    pub fn count(&self, indicator: Indicator) -> u32 {
        self.counts
            .iter()
            .find(|(i, _)| *i == indicator)
            .map_or(0, |(_, n)| *n)
    }
}

impl Monitoring {
    /// `site`'s scorecard from all its current findings.
    pub async fn scorecard(&self, site: &str, now_ms: i64) -> Result<Scorecard, MonitoringError> {
        let findings = self.findings(site).await?;
        let t = self.thresholds_in_force().await?.thresholds;
        Ok(Scorecard::from_findings(site, &findings, &t, now_ms))
    }

    /// Checks `site`'s freshness and interaction at `now_ms`, then records the week's
    /// scorecard (over these and the other checks' current findings).
    pub async fn check_site(
        &self,
        content: &Content,
        interaction: &Interaction,
        site: &str,
        now_ms: i64,
    ) -> Result<Scorecard, MonitoringError> {
        self.check_freshness(content, site, now_ms).await?;
        self.check_interaction(interaction, site, now_ms).await?;
        self.record_week(site, now_ms).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(indicator: Indicator, severity: Severity) -> Finding {
        Finding {
            site: "s".into(),
            indicator,
            severity,
            subject: "x".into(),
            detail: "y".into(),
            at_ms: 0,
        }
    }

    #[test]
    fn deductions_are_capped_per_indicator_and_vetoes_fail() {
        let t = Thresholds {
            deduction_points: 2.0,
            deduction_cap: 10.0,
            ..Thresholds::default()
        };
        let mut all: Vec<Finding> = (0..8)
            .map(|_| f(Indicator::DeadLink, Severity::Deduction))
            .collect();
        all.push(f(Indicator::BlankColumns, Severity::Deduction));
        all.push(f(Indicator::LikelyTypo, Severity::Warning));
        let card = Scorecard::from_findings("s", &all, &t, 1);
        assert!(card.passed);
        assert_eq!(card.score, 88.0);
        assert_eq!(card.warnings.len(), 1);
        assert_eq!(card.count(Indicator::DeadLink), 8);
        all.push(f(Indicator::HomeStale, Severity::Veto));
        all.push(f(Indicator::HomeStale, Severity::Veto));
        let card = Scorecard::from_findings("s", &all, &t, 1);
        assert!(!card.passed);
        assert_eq!(card.veto_labels(), ["首页不更新"]);
        let lots: Vec<Finding> = Indicator::ALL
            .iter()
            .flat_map(|i| (0..30).map(|_| f(*i, Severity::Deduction)))
            .collect();
        assert_eq!(Scorecard::from_findings("s", &lots, &t, 1).score, 0.0);
    }
}
