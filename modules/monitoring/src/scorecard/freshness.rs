//! Freshness (内容更新): the home page, news and notice/policy columns within their limits,
//! columns within their own update interval, and blank columns. Judged from what the content
//! module reports of the published site, at a given time.

use govnode_content::inspection::{ColumnInspection, SiteInspection};
use govnode_content::{ColumnKind, Content};

use crate::{Finding, Indicator, Monitoring, MonitoringError, Severity, Source, Thresholds};

/// One day in milliseconds.
pub(crate) const DAY_MS: i64 = 86_400_000;

impl Monitoring {
    /// Checks `site`'s freshness at `now_ms` and replaces its [`Source::Freshness`] findings.
    pub async fn check_freshness(
        &self,
        content: &Content,
        site: &str,
        now_ms: i64,
    ) -> Result<Vec<Finding>, MonitoringError> {
        let seen = content
            .inspection(site)
            .await
            .map_err(|e| MonitoringError::Upstream(format!("reading site `{site}`: {e}")))?;
        let t = self.thresholds_in_force().await?.thresholds;
        let findings = freshness_findings(site, &seen, &t, now_ms);
        self.replace_findings(site, Source::Freshness, &findings)
            .await?;
        Ok(findings)
    }
}

/// Whole days from `then` to `now`.
fn days_since(then: i64, now: i64) -> i64 {
    (now - then).max(0) / DAY_MS
}

/// The stale limit of a column's kind, if the indicators set one: news within
/// `news_stale_days`, notices and policy documents within `notice_stale_days`.
fn stale_limit(kind: ColumnKind, t: &Thresholds) -> Option<(u32, &'static str)> {
    match kind {
        ColumnKind::News => Some((t.news_stale_days, "动态要闻类")),
        ColumnKind::Notice | ColumnKind::Policy => {
            Some((t.notice_stale_days, "通知公告、政策文件类"))
        }
        _ => None,
    }
}

/// The findings of a site's freshness at `now`.
pub fn freshness_findings(
    site: &str,
    seen: &SiteInspection,
    t: &Thresholds,
    now: i64,
) -> Vec<Finding> {
    let finding = |indicator, severity, subject: &str, detail: String| Finding {
        site: site.to_string(),
        indicator,
        severity,
        subject: subject.to_string(),
        detail,
        at_ms: now,
    };
    let mut out = Vec::new();
    match seen.home_updated_ms {
        None => out.push(finding(
            Indicator::HomeStale,
            Severity::Veto,
            "首页",
            "首页没有任何已发布的信息".into(),
        )),
        Some(at) if now - at > i64::from(t.home_stale_days) * DAY_MS => out.push(finding(
            Indicator::HomeStale,
            Severity::Veto,
            "首页",
            format!(
                "首页已 {} 天未更新（最近更新于 {}，时限 {} 天）",
                days_since(at, now),
                govnode_topology::beijing::date(at),
                t.home_stale_days
            ),
        )),
        Some(_) => {}
    }
    let (mut stale, mut past, mut blank) = (Vec::new(), Vec::new(), Vec::new());
    // A column whose content is in its sub-columns is judged through them.
    for c in seen
        .columns
        .iter()
        .filter(|c| !c.has_children || c.live_articles > 0)
    {
        let Some(last) = c.last_published_ms.filter(|_| c.live_articles > 0) else {
            blank.push(finding(
                Indicator::BlankColumns,
                Severity::Deduction,
                &c.name,
                format!("栏目“{}”没有任何已发布的信息", c.name),
            ));
            continue;
        };
        if let Some((limit, what)) = stale_limit(c.kind, t)
            && now - last > i64::from(limit) * DAY_MS
        {
            stale.push(finding(
                Indicator::ColumnsStale,
                Severity::Deduction,
                &c.name,
                format!(
                    "{what}栏目“{}”已 {} 天未更新（最近发布于 {}，时限 {limit} 天）",
                    c.name,
                    days_since(last, now),
                    govnode_topology::beijing::date(last)
                ),
            ));
        }
        if let Some(interval) = interval_of(c)
            && now - last > interval * DAY_MS
        {
            past.push(finding(
                Indicator::ColumnsPastInterval,
                Severity::Deduction,
                &c.name,
                format!(
                    "栏目“{}”应每 {interval} 天更新，已 {} 天未更新（最近发布于 {}）",
                    c.name,
                    days_since(last, now),
                    govnode_topology::beijing::date(last)
                ),
            ));
        }
    }
    for (list, indicator, veto_at, what) in [
        (
            stale,
            Indicator::ColumnsStale,
            t.stale_columns_veto,
            "栏目超过时限未更新",
        ),
        (
            past,
            Indicator::ColumnsPastInterval,
            t.past_interval_veto,
            "栏目超过自身更新周期未更新",
        ),
        (
            blank,
            Indicator::BlankColumns,
            t.blank_columns_veto,
            "空白栏目",
        ),
    ] {
        if veto_at > 0 && list.len() >= veto_at as usize {
            let names: Vec<&str> = list.iter().map(|f| f.subject.as_str()).collect();
            out.push(finding(
                indicator,
                Severity::Veto,
                &format!("共 {} 个栏目", list.len()),
                format!(
                    "{what}共 {} 个，达到 {veto_at} 个即单项否决：{}",
                    list.len(),
                    names.join("、")
                ),
            ));
        }
        out.extend(list);
    }
    out
}

/// A column's own update interval, when set to something meaningful.
fn interval_of(c: &ColumnInspection) -> Option<i64> {
    c.update_interval_days.filter(|d| *d > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000_000;

    fn column(name: &str, kind: ColumnKind, last_days_ago: Option<i64>) -> ColumnInspection {
        ColumnInspection {
            id: 0,
            name: name.into(),
            kind,
            update_interval_days: None,
            has_children: false,
            live_articles: i64::from(last_days_ago.is_some()),
            last_published_ms: last_days_ago.map(|d| NOW - d * DAY_MS),
        }
    }

    fn count(f: &[Finding], i: Indicator, s: Severity) -> usize {
        f.iter()
            .filter(|x| x.indicator == i && x.severity == s)
            .count()
    }

    #[test]
    fn home_page_stale_after_its_limit() {
        let t = Thresholds::default();
        let fresh = SiteInspection {
            home_updated_ms: Some(NOW - 14 * DAY_MS),
            columns: vec![],
        };
        assert!(freshness_findings("s", &fresh, &t, NOW).is_empty());
        let stale = SiteInspection {
            home_updated_ms: Some(NOW - 15 * DAY_MS),
            columns: vec![],
        };
        let f = freshness_findings("s", &stale, &t, NOW);
        assert_eq!(count(&f, Indicator::HomeStale, Severity::Veto), 1);
        assert!(f[0].detail.contains("15 天未更新"), "{}", f[0].detail);
    }

    #[test]
    fn stale_and_blank_columns_veto_at_their_thresholds() {
        let t = Thresholds::default();
        let mut columns: Vec<ColumnInspection> = (0..4)
            .map(|i| column(&format!("动态{i}"), ColumnKind::News, Some(20)))
            .collect();
        columns.push(column("通知", ColumnKind::Notice, Some(100)));
        columns.push(column("指南", ColumnKind::Guide, Some(1000)));
        columns.extend((0..4).map(|i| column(&format!("空{i}"), ColumnKind::Guide, None)));
        let mut parent = column("父栏目", ColumnKind::Topic, None);
        parent.has_children = true;
        columns.push(parent);
        let mut seen = SiteInspection {
            home_updated_ms: Some(NOW),
            columns,
        };
        let f = freshness_findings("s", &seen, &t, NOW);
        assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Deduction), 4);
        assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Veto), 0);
        assert_eq!(count(&f, Indicator::BlankColumns, Severity::Deduction), 4);
        assert_eq!(count(&f, Indicator::BlankColumns, Severity::Veto), 0);
        // One more of each reaches the veto.
        seen.columns
            .push(column("通知二", ColumnKind::Policy, Some(200)));
        seen.columns.push(column("空白", ColumnKind::Qa, None));
        let f = freshness_findings("s", &seen, &t, NOW);
        assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Veto), 1);
        assert_eq!(count(&f, Indicator::BlankColumns, Severity::Veto), 1);
    }

    #[test]
    fn own_interval_counts_apart() {
        let t = Thresholds {
            past_interval_veto: 2,
            ..Thresholds::default()
        };
        let mut a = column("指南", ColumnKind::Guide, Some(10));
        a.update_interval_days = Some(7);
        let mut b = column("解读", ColumnKind::Interpretation, Some(6));
        b.update_interval_days = Some(7);
        let seen = SiteInspection {
            home_updated_ms: Some(NOW),
            columns: vec![a.clone(), b],
        };
        let f = freshness_findings("s", &seen, &t, NOW);
        assert_eq!(
            count(&f, Indicator::ColumnsPastInterval, Severity::Deduction),
            1
        );
        let seen = SiteInspection {
            home_updated_ms: Some(NOW),
            columns: vec![a.clone(), a],
        };
        let f = freshness_findings("s", &seen, &t, NOW);
        assert_eq!(count(&f, Indicator::ColumnsPastInterval, Severity::Veto), 1);
    }
}
