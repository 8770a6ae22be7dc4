//! 搜索管理 · 搜索统计 (`/admin/search/analytics`): the most searched queries and the
//! queries that found nothing over a chosen period, each as an inline SVG bar chart drawn
//! here with a table holding the same numbers; every zero-result query links to the
//! synonym form prefilled with it (一键添加同义词).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::survey::value_chart;
use govnode_search::analytics::QueryCount;
use serde::{Deserialize, Serialize};

use super::search::{access, not_allowed};
use super::staff::Staff;
use super::{refused, render};
use crate::AppState;
use crate::common::text::url_encode;

/// Periods offered, in days, with their names.
const PERIODS: [(i64, &str); 4] = [
    (1, "今天"),
    (7, "最近 7 天"),
    (30, "最近 30 天"),
    (90, "最近 90 天"),
];
/// Queries in each list.
const TOP: i64 = 20;
/// Bars in each chart.
const BARS: usize = 10;

/// `?days=&site=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Period {
    days: i64,
    site: String,
}

#[derive(Debug, Serialize)]
struct QueryRow {
    query: String,
    searches: i64,
    zero_results: i64,
    average: String,
    add_synonym: String,
}

fn rows(list: &[QueryCount]) -> Vec<QueryRow> {
    list.iter()
        .map(|q| QueryRow {
            query: q.query.clone(),
            searches: q.searches,
            zero_results: q.zero_results,
            average: format!("{:.1}", q.average_results),
            add_synonym: format!("/admin/search/synonym?phrase={}", url_encode(&q.query)),
        })
        .collect()
}

/// A chart of `values(q)` per query (the first [`BARS`]).
fn chart(id: &str, title: &str, list: &[QueryCount], value: fn(&QueryCount) -> i64) -> String {
    let bars: Vec<(&str, f64, String)> = list
        .iter()
        .take(BARS)
        .map(|q| {
            (
                q.query.as_str(),
                value(q) as f64,
                format!("{} 次", value(q)),
            )
        })
        .collect();
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    value_chart(id, title, &bars, max)
}

/// `GET /admin/search/analytics?days=&site=`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Response {
    if access(&staff).is_none() {
        return not_allowed(&node, &staff, false);
    }
    let frame = staff.frame(&node.node);
    let days = PERIODS
        .iter()
        .find(|(d, _)| *d == p.days)
        .map_or(7, |(d, _)| *d);
    let sites = node.content.sites().await.unwrap_or_default();
    let site = sites.iter().find(|s| s.id == p.site.trim());
    let report = match node
        .analytics
        .report(site.map(|s| s.id.as_str()), days, TOP)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "console: the query report failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "暂时无法读取搜索统计，请稍后再试",
                "/admin/search",
            );
        }
    };
    let period = PERIODS
        .iter()
        .find(|(d, _)| *d == days)
        .map_or("", |(_, n)| n);
    let top_chart = (!report.top_queries.is_empty()).then(|| {
        chart(
            "top-queries",
            &format!("{period}搜索次数最多的搜索词"),
            &report.top_queries,
            |q| q.searches,
        )
    });
    let zero_chart = (!report.zero_result_queries.is_empty()).then(|| {
        chart(
            "zero-queries",
            &format!("{period}无结果次数最多的搜索词"),
            &report.zero_result_queries,
            |q| q.zero_results,
        )
    });
    let site_names: Vec<serde_json::Value> = sites
        .iter()
        .map(|s| serde_json::json!({ "id": s.id, "name": s.name, "selected": site.is_some_and(|c| c.id == s.id) }))
        .collect();
    let periods: Vec<serde_json::Value> = PERIODS
        .iter()
        .map(|(d, n)| serde_json::json!({ "days": d, "name": n, "selected": *d == days }))
        .collect();
    render(
        StatusCode::OK,
        "search_analytics.html",
        &frame,
        serde_json::json!({
            "tab": "analytics",
            "may_change": access(&staff) == Some(true),
            "periods": periods,
            "period": period,
            "sites": site_names,
            "site_name": site.map(|s| s.name.clone()),
            "since": report.since,
            "searches": report.searches,
            "zero_searches": report.zero_result_searches,
            "distinct": report.distinct_queries,
            "top": rows(&report.top_queries),
            "zero": rows(&report.zero_result_queries),
            "top_chart": top_chart,
            "zero_chart": zero_chart,
        }),
    )
}
