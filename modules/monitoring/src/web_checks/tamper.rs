//! Tampering (网页篡改): a parent holds its children's sites as signed replicas and renders
//! their pages itself, so it can tell when a child serves something else. It fetches the
//! child's page, renders its own, and compares them without the one part that differs on
//! purpose (the replica notice). A page that differs twice in a row with the same served
//! bytes is tampered with; a replica only a little behind differs once at most.

use sqlx::Row as _;

use crate::findings::{Finding, Source};
use crate::{Indicator, Monitoring, MonitoringError, Severity};

/// One page of a child's site, as served there and as rendered here.
#[derive(Debug, Clone)]
pub struct PagePair {
    /// The path compared, e.g. `/sites/tianhe/articles/3`.
    pub path: String,
    /// What the child's node served (`None`: it could not be fetched, which is the
    /// availability check's business, not this one's).
    pub served: Option<String>,
    /// What this node renders from the replica (`None`: not here).
    pub rendered: Option<String>,
}

/// `html` without the replica notice and with whitespace collapsed.
pub fn normalize(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<div class=\"notice replica") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</div>") {
            Some(end) => rest = &rest[start + end + "</div>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first place two normalized pages differ, as a short excerpt of the served one.
fn excerpt(served: &str, rendered: &str) -> String {
    let at = served
        .char_indices()
        .zip(rendered.chars())
        .find(|((_, a), b)| a != b)
        .map_or(served.len().min(rendered.len()), |((i, _), _)| i);
    let start = served[..at]
        .char_indices()
        .rev()
        .nth(20)
        .map_or(0, |(i, _)| i);
    let text: String = served[start..].chars().take(60).collect();
    text
}

impl Monitoring {
    /// Compares the pages of `site` (a child's) and replaces its tampering findings: a page
    /// differing twice in a row with the same served content is a veto item.
    pub async fn check_tamper(
        &self,
        site: &str,
        pages: &[PagePair],
        now_ms: i64,
    ) -> Result<Vec<Finding>, MonitoringError> {
        // A page that could not be fetched this time keeps what was found before.
        let before = self.findings(site).await?;
        let mut findings: Vec<Finding> = before
            .into_iter()
            .filter(|f| {
                f.indicator == Indicator::Tampered
                    && pages.iter().any(|p| {
                        p.path == f.subject && (p.served.is_none() || p.rendered.is_none())
                    })
            })
            .collect();
        let mut tx = self.write.begin().await?;
        for p in pages {
            let (Some(served), Some(rendered)) = (&p.served, &p.rendered) else {
                continue;
            };
            let (served, rendered) = (normalize(served), normalize(rendered));
            if served == rendered {
                sqlx::query("DELETE FROM monitoring_tamper WHERE site_id = $1 AND path = $2")
                    .bind(site)
                    .bind(&p.path)
                    .execute(&mut *tx)
                    .await?;
                continue;
            }
            let hash = blake3::hash(served.as_bytes()).to_hex().to_string();
            let before: Option<String> = sqlx::query(
                "SELECT served_hash FROM monitoring_tamper WHERE site_id = $1 AND path = $2",
            )
            .bind(site)
            .bind(&p.path)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
            if before.as_deref() == Some(hash.as_str()) {
                findings.push(Finding {
                    site: site.to_string(),
                    indicator: Indicator::Tampered,
                    severity: Severity::Veto,
                    subject: p.path.clone(),
                    detail: format!(
                        "该页面在原站点上的内容与平台签名发布的内容不一致，疑似被篡改（不一致处：“{}”）",
                        excerpt(&served, &rendered)
                    ),
                    at_ms: now_ms,
                });
            } else {
                sqlx::query(
                    "INSERT INTO monitoring_tamper (site_id, path, served_hash, seen_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (site_id, path) DO UPDATE SET served_hash = excluded.served_hash, seen_ms = excluded.seen_ms",
                )
                .bind(site)
                .bind(&p.path)
                .bind(&hash)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.replace_findings(site, Source::Tamper, &findings)
            .await?;
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replica_notice_and_spacing_do_not_count() {
        let own = "<main>\n  <h1>通知</h1>\n</main>";
        let replica = "<div class=\"notice replica wrap\" role=\"note\">本页面是副本</div><main> <h1>通知</h1> </main>";
        assert_eq!(normalize(own), normalize(replica));
        let altered = "<main><h1>通知</h1><a href=\"http://bad.example/\">x</a></main>";
        assert_ne!(normalize(own), normalize(altered));
        let e = excerpt(&normalize(altered), &normalize(own));
        assert!(e.contains("bad.example"), "{e}");
    }
}
