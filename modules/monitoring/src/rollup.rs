//! Scorecards rolled up the tree: a node reports a summary of every site it watches (its
//! own, and its children's sites it probes) as one signed `Up` entry; every ancestor keeps
//! the latest report of each origin. A site is seen by the reports of several nodes (the
//! county about its own site, the city about the county's availability): the views merge,
//! so a dead county's veto, recorded by its city, reaches the province.

use std::collections::BTreeMap;
use std::sync::Arc;

use govnode_federation::{
    Applier, ApplyError, Audience, BoxFuture, Entry, EntryDraft, Federation, decode_payload,
    encode_payload,
};
use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

use crate::{Indicator, Monitoring, MonitoringError};

/// Entry kind prefix of the module's entries (register [`ScorecardsBelow`] under it).
pub const KIND_PREFIX: &str = "monitoring.";
/// Entry kind of a node's report.
const SCORECARDS: &str = "monitoring.scorecards";
/// Payload version.
const V1: u8 = 1;
/// Most sites one report carries.
const MAX_SITES: usize = 5_000;

/// One site as a node reports it: counts and names, never content (postcard: field order is
/// the format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    /// The site id.
    pub site: String,
    /// The site's name.
    pub site_name: String,
    /// The node the site belongs to.
    pub node: String,
    /// Score 0–100, when the reporting node scores the site (its own); `None` when it only
    /// watches it (a child's site it probes).
    pub score: Option<f64>,
    /// Veto items: (indicator code, what is wrong, in Chinese).
    pub vetoes: Vec<(String, String)>,
    /// Findings per indicator code.
    pub counts: Vec<(String, u32)>,
    /// Veto items whose alert has stayed open past the escalation period (indicator
    /// codes): escalated to the levels above.
    pub escalated: Vec<String>,
    /// When the report was made (unix ms).
    pub at_ms: i64,
}

impl SiteSummary {
    /// Whether no reporter found a veto item.
    pub fn passed(&self) -> bool {
        self.vetoes.is_empty()
    }

    /// The escalated veto items' names.
    pub fn escalated_labels(&self) -> Vec<&'static str> {
        self.escalated
            .iter()
            .filter_map(|code| Indicator::parse(code).map(Indicator::label))
            .collect()
    }

    /// The veto items' names as the report reads them.
    pub fn veto_labels(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self
            .vetoes
            .iter()
            .filter_map(|(code, _)| Indicator::parse(code).map(Indicator::label))
            .collect();
        out.dedup();
        out
    }

    /// `other`'s view of the same site folded into this one: vetoes and counts joined, the
    /// owner's score kept, the newest time.
    fn merge(&mut self, other: &SiteSummary) {
        if self.score.is_none() {
            self.score = other.score;
        }
        for v in &other.vetoes {
            if !self.vetoes.iter().any(|(code, _)| *code == v.0) {
                self.vetoes.push(v.clone());
            }
        }
        for code in &other.escalated {
            if !self.escalated.contains(code) {
                self.escalated.push(code.clone());
            }
        }
        for (code, n) in &other.counts {
            match self.counts.iter_mut().find(|(c, _)| c == code) {
                Some((_, m)) => *m = (*m).max(*n),
                None => self.counts.push((code.clone(), *n)),
            }
        }
        self.at_ms = self.at_ms.max(other.at_ms);
    }
}

/// A report as it travels.
#[derive(Debug, Serialize, Deserialize)]
struct Report {
    sites: Vec<SiteSummary>,
}

impl Monitoring {
    /// Reports `sites` to this node's ancestors (one entry replacing the previous report;
    /// nothing when the report is what was last sent, times aside).
    pub async fn report_up(&self, sites: Vec<SiteSummary>) -> Result<(), MonitoringError> {
        let Some(federation) = &self.federation else {
            return Ok(());
        };
        let mut sites = sites;
        sites.truncate(MAX_SITES);
        let key = serde_json::to_string(
            &sites
                .iter()
                .map(|s| SiteSummary {
                    at_ms: 0,
                    ..s.clone()
                })
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        if *self.last_report.lock().unwrap_or_else(|e| e.into_inner()) == key {
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        federation
            .append(
                &mut tx,
                EntryDraft {
                    kind: SCORECARDS.into(),
                    object: "scorecards".into(),
                    audience: Audience::Up,
                    payload: encode_payload(V1, &Report { sites }),
                },
            )
            .await
            .map_err(|e| MonitoringError::Upstream(e.to_string()))?;
        tx.commit().await?;
        federation.announce();
        *self.last_report.lock().unwrap_or_else(|e| e.into_inner()) = key;
        Ok(())
    }

    /// Every site the nodes below report, each origin's views of a site merged, failing
    /// sites first, then by name.
    pub async fn below(&self) -> Result<Vec<SiteSummary>, MonitoringError> {
        let rows = sqlx::query("SELECT site_id, summary FROM monitoring_below ORDER BY origin")
            .fetch_all(&self.read)
            .await?;
        let mut sites: BTreeMap<String, SiteSummary> = BTreeMap::new();
        for r in rows {
            let site: String = r.try_get(0)?;
            let Ok(summary) = serde_json::from_str::<SiteSummary>(&r.try_get::<String, _>(1)?)
            else {
                continue;
            };
            match sites.get_mut(&site) {
                Some(s) => s.merge(&summary),
                None => {
                    sites.insert(site, summary);
                }
            }
        }
        let mut out: Vec<SiteSummary> = sites.into_values().collect();
        out.sort_by(|a, b| {
            a.passed()
                .cmp(&b.passed())
                .then_with(|| a.site_name.cmp(&b.site_name))
        });
        Ok(out)
    }

    /// The applier of the reports of nodes below (register under [`KIND_PREFIX`]).
    pub fn applier(&self) -> ScorecardsBelow {
        ScorecardsBelow {
            federation: self.federation.clone(),
        }
    }
}

/// The applier of the module's entries: thresholds set above (see [`crate::thresholds`]),
/// and the reports of nodes below, each origin's latest replacing its earlier one. A report
/// about a site of a node that is neither the origin nor below it is refused: a node
/// watches its own subtree, never a sibling's.
#[derive(Clone, Default)]
pub struct ScorecardsBelow {
    federation: Option<Arc<Federation>>,
}

impl std::fmt::Debug for ScorecardsBelow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScorecardsBelow").finish_non_exhaustive()
    }
}

impl ScorecardsBelow {
    async fn store(
        &self,
        conn: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let failed = |e: sqlx::Error| ApplyError::Failed(e.to_string());
        if entry.kind == crate::thresholds::THRESHOLDS {
            return crate::thresholds::store_entry(conn, entry, payload).await;
        }
        if entry.kind == crate::content_checks::store::WORDS {
            return crate::content_checks::store::store_level_entry(conn, entry, payload).await;
        }
        if entry.kind != SCORECARDS {
            return Err(ApplyError::Refused(format!("unknown kind {}", entry.kind)));
        }
        let (_, report): (u8, Report) = decode_payload(payload).map_err(ApplyError::Refused)?;
        if let Some(federation) = &self.federation {
            let tree = federation.topology();
            for s in &report.sites {
                let watched = s
                    .node
                    .parse::<NodeId>()
                    .is_ok_and(|node| node == entry.origin || tree.is_ancestor(entry.origin, node));
                if !watched {
                    return Err(ApplyError::Refused(format!(
                        "a report about site {} of node {}, not in the subtree of {}",
                        s.site, s.node, entry.origin
                    )));
                }
            }
        }
        let origin = entry.origin.to_string();
        sqlx::query("DELETE FROM monitoring_below WHERE origin = $1")
            .bind(&origin)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        for s in report.sites.iter().take(MAX_SITES) {
            let summary =
                serde_json::to_string(s).map_err(|e| ApplyError::Failed(e.to_string()))?;
            sqlx::query(
                "INSERT INTO monitoring_below (origin, site_id, site_name, summary, at_ms) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(&origin)
            .bind(&s.site)
            .bind(&s.site_name)
            .bind(summary)
            .bind(s.at_ms)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        }
        Ok(())
    }
}

impl Applier for ScorecardsBelow {
    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        entry: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(self.store(conn, entry, payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(score: Option<f64>, vetoes: &[&str], counts: &[(&str, u32)]) -> SiteSummary {
        SiteSummary {
            site: "tianhe".into(),
            site_name: "天河区人民政府".into(),
            node: "440106".into(),
            score,
            vetoes: vetoes
                .iter()
                .map(|c| (c.to_string(), "x".to_string()))
                .collect(),
            counts: counts.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
            escalated: vetoes.iter().map(|c| c.to_string()).collect(),
            at_ms: 1,
        }
    }

    #[test]
    fn views_merge_keeping_the_owners_score_and_every_veto() {
        let mut own = summary(Some(96.0), &[], &[("dead_link", 4)]);
        let parent = summary(None, &["availability"], &[("availability", 1)]);
        own.merge(&parent);
        assert_eq!(own.score, Some(96.0));
        assert!(!own.passed());
        assert_eq!(own.veto_labels(), ["站点无法访问"]);
        assert_eq!(own.escalated_labels(), ["站点无法访问"]);
        assert_eq!(own.counts.len(), 2);
        // The same veto twice is one item; merging is idempotent.
        let before = own.clone();
        own.merge(&parent);
        assert_eq!(own, before);
        // Order does not matter for what fails.
        let mut other = parent.clone();
        other.merge(&summary(Some(96.0), &[], &[("dead_link", 4)]));
        assert_eq!(other.score, Some(96.0));
        assert_eq!(other.veto_labels(), own.veto_labels());
    }
}
