//! `/admin/analytics/monthly?month=YYYY-MM&scope=…`: the printable monthly report of
//! 访问统计 (no console navigation, print styles): the month's totals against the month
//! before, the daily chart with its table, the 20 most visited pages, the sources, the
//! devices and the per-site table, for the chosen scope.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, NaiveDate};

use super::analytics::{Filters, TOP, bad, day_name, month_of, select};
use super::analytics_names::Names;
use super::analytics_page::totals;
use super::analytics_tables::{daily, lists, sites};
use super::staff::Staff;
use super::{now_ms, render, shown};
use crate::AppState;

/// The first day of `value` ("2026-11"); empty is the month before `today`'s.
fn month(value: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(month_of(month_of(today).0 - Duration::days(1)).0);
    }
    let valid = value.len() == 7 && value.as_bytes()[4] == b'-';
    valid
        .then(|| NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("月份“{value}”不是有效的月份，请按 2026-01 的格式填写"))
}

/// `GET /admin/analytics/monthly`.
pub(super) async fn report(
    State(node): State<AppState>,
    staff: Staff,
    Query(filters): Query<Filters>,
) -> Response {
    let today = govnode_topology::beijing::today();
    let first = month(&filters.month, today);
    // The refusals of access and scope come before the month's.
    let dates = first.as_ref().map_or((today, today), |f| month_of(*f));
    let (visible, sel) = match select(&node, &staff, &filters, Some(dates)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let first = match first {
        Ok(f) => f,
        Err(why) => return bad(&frame, &why),
    };
    let before_range = month_of(first - Duration::days(1));
    let analytics = super::analytics::report;
    let now = match analytics(&node, &frame, &sel, (sel.from, sel.to), TOP).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let before = match analytics(&node, &frame, &sel, before_range, 0).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let names = Names::load(&node, &visible, &[&now]).await;
    let mut tables = lists(&now, &names, &sel);
    let mut take = |id: &str| {
        tables
            .iter()
            .position(|t| t.id == id)
            .map(|i| tables.remove(i))
    };
    let (pages, sources, devices) = (take("pages"), take("sources"), take("devices"));
    let month_name = first.format("%Y年%-m月").to_string();
    render(
        StatusCode::OK,
        "analytics_report.html",
        &frame,
        serde_json::json!({
            "title": format!("{}{month_name}网站访问统计月报", sel.scope_name),
            "scope_name": sel.scope_name,
            "month_name": month_name,
            "range": format!("{}至{}", day_name(sel.from), day_name(sel.to)),
            "before_name": before_range.0.format("%Y年%-m月").to_string(),
            "generated": shown(now_ms()),
            "totals": totals(&now.totals, &before.totals),
            "daily": daily(&now),
            "pages": pages,
            "sources": sources,
            "devices": devices,
            "sites": sites(&now, &names, &sel),
            "back": format!("/admin/analytics?scope={}&from={}&to={}",
                crate::common::text::url_encode(&sel.chosen.value()), sel.from, sel.to),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(month("", today), Ok(d("2025-12-01")));
        assert_eq!(month("2026-02", today), Ok(d("2026-02-01")));
        for bad in ["2026-13", "2026-2", "202602", "二月", "2026-02-01"] {
            let e = month(bad, today).unwrap_err();
            assert!(e.contains(&format!("月份“{bad}”")), "{e}");
        }
    }
}
