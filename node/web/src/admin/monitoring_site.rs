//! One site in 一网通管: `/admin/monitoring/sites/{site}` (the scorecard, the findings grouped by
//! indicator, what nodes below reported about it, the weekly score trend and the daily
//! availability as charts with their tables) and
//! `/admin/monitoring/sites/{site}/report`, the printable inspection report (no navigation, print
//! styles). Only for those who may see the site (see [`super::monitoring`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_content::Site;
use govnode_interaction::survey::value_chart;
use govnode_monitoring::scorecard::{Scorecard, Week};
use govnode_monitoring::web_checks::DayAvailability;
use govnode_monitoring::{Finding, Indicator, SiteSummary};
use serde::{Deserialize, Serialize};

use super::monitoring::{
    internal, may_open, not_allowed, not_theirs, render, replica_of, score_text, visible_site,
};
use super::staff::Staff;
use super::{now_ms, shown};
use crate::AppState;
use crate::common::text::url_encode;

/// Weeks of history the trend shows.
const TREND_WEEKS: u32 = 12;
/// Days of probes the availability chart shows.
const AVAILABILITY_DAYS: u32 = 14;

#[derive(Debug, Serialize)]
struct Item {
    severity: &'static str,
    veto: bool,
    subject: String,
    detail: String,
    at: String,
}

#[derive(Debug, Serialize)]
struct Group {
    indicator: &'static str,
    count: usize,
    items: Vec<Item>,
}

#[derive(Debug, Serialize)]
struct DeductionRow {
    indicator: &'static str,
    count: u32,
    points: String,
}

#[derive(Debug, Serialize)]
struct DayRow {
    day: String,
    probes: i64,
    failed: i64,
    slow: i64,
    rate: String,
}

#[derive(Debug, Serialize)]
struct WeekRow {
    week: String,
    score: String,
    result: &'static str,
}

fn item(f: &Finding) -> Item {
    Item {
        severity: f.severity.label(),
        veto: f.severity == govnode_monitoring::Severity::Veto,
        subject: f.subject.clone(),
        detail: f.detail.clone(),
        at: shown(f.at_ms),
    }
}

/// "2026-W49" as read: "2026年第49周".
fn week_label(week: &str) -> String {
    match week.split_once("-W") {
        Some((y, w)) => format!("{y}年第{}周", w.trim_start_matches('0')),
        None => week.to_string(),
    }
}

/// Everything both pages show of a site.
fn page_values(node: &AppState, loaded: &Loaded) -> serde_json::Value {
    let Loaded {
        site,
        findings,
        card,
        weeks,
        days,
        reported,
    } = loaded;
    // Veto items nodes below found (the parent probing a county) that this node did not.
    let reported_vetoes: Vec<serde_json::Value> = reported
        .iter()
        .flat_map(|r| r.vetoes.iter().map(move |v| (r, v)))
        .filter_map(|(r, (code, detail))| {
            let i = Indicator::parse(code)?;
            (!card.vetoes.iter().any(|f| f.indicator == i)).then(|| {
                serde_json::json!({
                    "indicator": i.label(), "detail": detail,
                    "escalated": r.escalated.contains(code),
                })
            })
        })
        .collect();
    let mut veto_labels = card.veto_labels();
    for v in reported.iter().flat_map(SiteSummary::veto_labels) {
        if !veto_labels.contains(&v) {
            veto_labels.push(v);
        }
    }
    let groups: Vec<Group> = Indicator::ALL
        .iter()
        .filter_map(|i| {
            let items: Vec<Item> = findings
                .iter()
                .filter(|f| f.indicator == *i)
                .map(item)
                .collect();
            (!items.is_empty()).then(|| Group {
                indicator: i.label(),
                count: items.len(),
                items,
            })
        })
        .collect();
    let deductions: Vec<DeductionRow> = card
        .deductions
        .iter()
        .map(|d| DeductionRow {
            indicator: d.indicator.label(),
            count: d.count,
            points: format!("{:.1}", d.points),
        })
        .collect();
    let trend: Vec<WeekRow> = weeks
        .iter()
        .map(|w| WeekRow {
            week: week_label(&w.week),
            score: score_text(w.scorecard.score),
            result: if w.scorecard.passed {
                "合格"
            } else {
                "单项否决"
            },
        })
        .collect();
    let bars: Vec<(&str, f64, String)> = trend
        .iter()
        .zip(weeks)
        .map(|(r, w)| {
            (
                r.week.as_str(),
                w.scorecard.score,
                format!("{} 分（{}）", r.score, r.result),
            )
        })
        .collect();
    let chart = (!bars.is_empty())
        .then(|| value_chart("score-trend", "每周得分（满分 100 分）", &bars, 100.0));
    let day_rows: Vec<DayRow> = days
        .iter()
        .map(|d| {
            let a = &d.availability;
            DayRow {
                day: d.day.format("%-m月%-d日").to_string(),
                probes: a.probes,
                failed: a.failed,
                slow: a.slow,
                rate: if a.probes > 0 {
                    format!("{:.1}%", 100.0 - a.percent_failed)
                } else {
                    "无探测".into()
                },
            }
        })
        .collect();
    let probed = days.iter().any(|d| d.availability.probes > 0);
    let day_bars: Vec<(&str, f64, String)> = day_rows
        .iter()
        .zip(days.iter())
        .map(|(r, d)| {
            let a = &d.availability;
            let value = if a.probes > 0 {
                100.0 - a.percent_failed
            } else {
                0.0
            };
            (r.day.as_str(), value, r.rate.clone())
        })
        .collect();
    let availability_chart = probed.then(|| {
        value_chart(
            "availability-days",
            "每日可访问率（成功且未超时的探测占比）",
            &day_bars,
            100.0,
        )
    });
    serde_json::json!({
        "days": if probed { day_rows } else { Vec::new() },
        "availability_chart": availability_chart,
        "site": { "id": site.id, "url_id": url_encode(&site.id), "name": site.name,
                  "node": replica_of(node, &site.origin) },
        "score": score_text(card.score),
        "passed": veto_labels.is_empty(),
        "reported_vetoes": reported_vetoes,
        "vetoes": card.vetoes.iter().map(|f| serde_json::json!({
            "indicator": f.indicator.label(), "subject": f.subject, "detail": f.detail,
        })).collect::<Vec<_>>(),
        "veto_labels": veto_labels,
        "deductions": deductions,
        "warnings": card.warnings.len(),
        "groups": groups,
        "trend": trend,
        "chart": chart,
        "generated": shown(card.at_ms),
    })
}

/// What both pages show of a site.
struct Loaded {
    site: Site,
    findings: Vec<Finding>,
    card: Scorecard,
    weeks: Vec<Week>,
    days: Vec<DayAvailability>,
    /// What nodes below reported about the site, merged.
    reported: Option<SiteSummary>,
}

/// The site, its current findings, its scorecard, its weekly history and its recent
/// availability, for `staff`; or the refusal.
async fn load(node: &AppState, staff: &Staff, id: &str) -> Result<Loaded, Response> {
    if !may_open(&staff.signed_in.access) {
        return Err(not_allowed(node, staff));
    }
    let frame = staff.frame(&node.node);
    let site = match visible_site(node, staff, id).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(not_theirs(node, staff)),
        Err(e) => {
            tracing::error!(error = %e, "console: reading sites failed");
            return Err(internal(&frame));
        }
    };
    let now = now_ms();
    let loaded = async {
        Ok::<_, govnode_monitoring::MonitoringError>(Loaded {
            findings: node.monitoring.findings(id).await?,
            card: node.monitoring.scorecard(id, now).await?,
            weeks: node.monitoring.history(id, TREND_WEEKS).await?,
            days: node
                .monitoring
                .availability_by_day(id, AVAILABILITY_DAYS, now)
                .await?,
            reported: node
                .monitoring
                .below()
                .await?
                .into_iter()
                .find(|s| s.site == id),
            site,
        })
    };
    loaded.await.map_err(|e| {
        tracing::error!(site = id, error = %e, "console: reading a scorecard failed");
        internal(&frame)
    })
}

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    #[serde(default)]
    checked: String,
}

/// `GET /admin/monitoring/sites/{site}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<Shown>,
) -> Response {
    let loaded = match load(&node, &staff, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut frame = staff.frame(&node.node);
    if !q.checked.is_empty() {
        frame.notice = Some("检查已完成，以下为最新结果".into());
    }
    let access = &staff.signed_in.access;
    let mut values = page_values(&node, &loaded);
    values["may_check"] = (access.is_platform_admin()
        || access.may(govnode_accounts::Action::ManageSite, Some(&loaded.site.id)))
    .into();
    render(StatusCode::OK, "monitoring_site.html", &frame, values)
}

/// `GET /admin/monitoring/sites/{site}/report`: the printable inspection report.
pub(super) async fn report(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let loaded = match load(&node, &staff, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let values = page_values(&node, &loaded);
    render(StatusCode::OK, "monitoring_report.html", &frame, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_read_in_chinese() {
        assert_eq!(week_label("2026-W05"), "2026年第5周");
        assert_eq!(week_label("2026-W49"), "2026年第49周");
    }
}
