//! `GET /admin/analytics`: 访问统计's dashboard, the filter form (范围, 时间) over the
//! totals against the previous period of the same length, and the tables and charts of
//! [`super::analytics_tables`] (the monthly report and the CSV show the same rows).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use govnode_analytics::Totals;
use serde::Serialize;

use super::analytics::{Chosen, Filters, PERIODS, Selection, TOP, Visible, day_name, select};
use super::analytics_names::Names;
use super::analytics_tables::{daily, lists, sites};
use super::render;
use super::staff::Staff;
use crate::AppState;

/// One total against the previous period.
#[derive(Debug, Serialize)]
pub(super) struct TotalRow {
    pub name: &'static str,
    pub now: String,
    pub before: String,
    /// `up`, `down`, `same`, or `none` (上期无数据).
    pub direction: &'static str,
    /// The change as read ("12.5%", "2.0 个百分点"), or 上期无数据 / 持平.
    pub change: String,
}

/// A change from `before` to `now` as a percentage of `before`.
fn relative(now: f64, before: f64) -> (&'static str, String) {
    if before <= 0.0 {
        return ("none", "上期无数据".into());
    }
    let pct = (now - before) / before * 100.0;
    up_or_down(pct, format!("{:.1}%", pct.abs()))
}

/// Up, down or the same, by the sign of `delta` as shown with one decimal.
fn up_or_down(delta: f64, shown: String) -> (&'static str, String) {
    if (delta * 10.0).round() == 0.0 {
        ("same", "持平".into())
    } else if delta > 0.0 {
        ("up", shown)
    } else {
        ("down", shown)
    }
}

/// 跳出率: the share of visits of a single page.
fn bounce(t: &Totals) -> f64 {
    if t.visits > 0 {
        t.single_page_visits as f64 * 100.0 / t.visits as f64
    } else {
        0.0
    }
}

/// The totals of `now` against `before`.
pub(super) fn totals(now: &Totals, before: &Totals) -> Vec<TotalRow> {
    let count = |name, n: i64, b: i64| {
        let (direction, change) = relative(n as f64, b as f64);
        TotalRow {
            name,
            now: n.to_string(),
            before: b.to_string(),
            direction,
            change,
        }
    };
    let mut rows = vec![
        count("访问量（PV）", now.page_views, before.page_views),
        count("访客数（UV）", now.visitors, before.visitors),
        count("访问次数", now.visits, before.visits),
    ];
    let (direction, change) = if before.visits > 0 {
        relative(now.pages_per_visit(), before.pages_per_visit())
    } else {
        ("none", "上期无数据".into())
    };
    rows.push(TotalRow {
        name: "平均访问深度（页）",
        now: format!("{:.1}", now.pages_per_visit()),
        before: format!("{:.1}", before.pages_per_visit()),
        direction,
        change,
    });
    let (direction, change) = if before.visits > 0 {
        let delta = bounce(now) - bounce(before);
        up_or_down(delta, format!("{:.1} 个百分点", delta.abs()))
    } else {
        ("none", "上期无数据".into())
    };
    rows.push(TotalRow {
        name: "跳出率",
        now: format!("{:.1}%", bounce(now)),
        before: format!("{:.1}%", bounce(before)),
        direction,
        change,
    });
    rows.push(count(
        "页面不存在（404）请求",
        now.not_found,
        before.not_found,
    ));
    rows.push(count("过滤的机器访问", now.bots, before.bots));
    rows
}

/// The range as read: "2026年11月6日至2026年12月5日（30 天）".
pub(super) fn range_name(from: chrono::NaiveDate, to: chrono::NaiveDate) -> String {
    format!(
        "{}至{}（{} 天）",
        day_name(from),
        day_name(to),
        (to - from).num_days() + 1
    )
}

/// The form's choices of 范围.
fn scope_choices(visible: &Visible, sel: &Selection) -> Vec<serde_json::Value> {
    let mut out = vec![
        serde_json::json!({ "value": "all", "name": "全部站点", "selected": sel.chosen == Chosen::All }),
        serde_json::json!({ "value": "local", "name": "本节点站点", "selected": sel.chosen == Chosen::Local }),
    ];
    for s in &visible.sites {
        let chosen = Chosen::Site(s.id.clone());
        let name = match &s.node {
            Some(node) => format!("{}（{node}）", s.name),
            None => s.name.clone(),
        };
        out.push(serde_json::json!({
            "value": chosen.value(), "name": name, "selected": sel.chosen == chosen,
        }));
    }
    out
}

/// `GET /admin/analytics?scope=&period=&from=&to=`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(filters): Query<Filters>,
) -> Response {
    let (visible, sel) = match select(&node, &staff, &filters, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let now = match super::analytics::report(&node, &frame, &sel, (sel.from, sel.to), TOP).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let before_range = sel.previous();
    let before = match super::analytics::report(&node, &frame, &sel, before_range, 0).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let names = Names::load(&node, &visible, &[&now]).await;
    let periods: Vec<serde_json::Value> = PERIODS
        .iter()
        .map(|(v, n)| serde_json::json!({ "value": v, "name": n, "selected": sel.period == *v }))
        .collect();
    let last_month =
        super::analytics::month_of(govnode_topology::beijing::today()).0 - Duration::days(1);
    render(
        StatusCode::OK,
        "analytics.html",
        &frame,
        serde_json::json!({
            "scopes": scope_choices(&visible, &sel),
            "periods": periods,
            "custom": sel.period == "custom",
            "from": sel.from.to_string(),
            "to": sel.to.to_string(),
            "scope_name": sel.scope_name,
            "scope_value": sel.chosen.value(),
            "range": range_name(sel.from, sel.to),
            "before_range": range_name(before_range.0, before_range.1),
            "totals": totals(&now.totals, &before.totals),
            "daily": daily(&now),
            "sites": sites(&now, &names, &sel),
            "lists": lists(&now, &names, &sel),
            "csv": format!("/admin/analytics.csv?{}", sel.query()),
            "month": last_month.format("%Y-%m").to_string(),
            "empty": now.totals.page_views == 0 && now.totals.not_found == 0,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pv: i64, uv: i64, visits: i64, single: i64) -> Totals {
        Totals {
            page_views: pv,
            visitors: uv,
            visits,
            single_page_visits: single,
            not_found: 0,
            bots: 0,
        }
    }

    #[test]
    fn totals_change_against_the_previous_period() {
        let rows = totals(&t(150, 40, 50, 25), &t(100, 40, 40, 10));
        let pv = &rows[0];
        assert_eq!(
            (pv.now.as_str(), pv.direction, pv.change.as_str()),
            ("150", "up", "50.0%")
        );
        assert_eq!(
            (rows[1].direction, rows[1].change.as_str()),
            ("same", "持平")
        );
        assert_eq!(rows[3].now, "3.0");
        // 跳出率 50% against 25%: 25 points up.
        assert_eq!(rows[4].now, "50.0%");
        assert_eq!(rows[4].change, "25.0 个百分点");
        assert_eq!(rows[5].change, "上期无数据");
        let down = totals(&t(50, 10, 10, 0), &t(100, 20, 20, 0));
        assert_eq!(
            (down[0].direction, down[0].change.as_str()),
            ("down", "50.0%")
        );
        let none = totals(&t(5, 1, 1, 1), &Totals::default());
        assert!(
            none.iter()
                .all(|r| r.direction == "none" && r.change == "上期无数据")
        );
    }
}
