//! The content scan of a site: every live article's title and body through the checker
//! and the dark-link detector, and the site's template overrides through the latter; the
//! result replaces the site's [`Source::Content`] findings.

use govnode_content::Content;
use govnode_content::sanitize::html_to_text;

use super::dark_links::{DarkLink, dark_links};
use crate::{Finding, Indicator, Monitoring, MonitoringError, Severity, Source};

/// Live articles read per scan (the newest first).
const MAX_ARTICLES: i64 = 100_000;

fn dark(site: &str, subject: String, where_: &str, d: &DarkLink, now_ms: i64) -> Finding {
    let text = if d.text.is_empty() {
        String::new()
    } else {
        format!("“{}”", d.text)
    };
    Finding {
        site: site.to_string(),
        indicator: Indicator::DarkLink,
        severity: Severity::Veto,
        subject,
        detail: format!("{where_}有隐藏的链接{text}（{}），指向 {}", d.how, d.href),
        at_ms: now_ms,
    }
}

impl Monitoring {
    /// Checks `site`'s live articles and template overrides, replaces its content
    /// findings, and returns them.
    pub async fn check_site_content(
        &self,
        content: &Content,
        site: &str,
        now_ms: i64,
    ) -> Result<Vec<Finding>, MonitoringError> {
        let upstream = |e: govnode_content::ContentError| MonitoringError::Upstream(e.to_string());
        let checker = self.content_checker().await?;
        let docs = content
            .latest_published(site, MAX_ARTICLES)
            .await
            .map_err(upstream)?;
        let mut out = Vec::new();
        for p in &docs {
            let title = &p.doc.title;
            for f in checker.check(title, &html_to_text(&p.doc.body_html)) {
                out.push(Finding {
                    site: site.to_string(),
                    indicator: f.indicator,
                    severity: f.severity,
                    subject: title.clone(),
                    detail: f.detail,
                    at_ms: now_ms,
                });
            }
            for d in dark_links(&p.doc.body_html) {
                out.push(dark(site, title.clone(), "正文中", &d, now_ms));
            }
        }
        let mut templates: Vec<(String, String)> = content
            .template_overrides(site)
            .await
            .map_err(upstream)?
            .into_iter()
            .collect();
        templates.sort();
        for (name, source) in templates {
            for d in dark_links(&source) {
                out.push(dark(site, format!("模板 {name}"), "模板中", &d, now_ms));
            }
        }
        self.replace_findings(site, Source::Content, &out).await?;
        Ok(out)
    }
}
