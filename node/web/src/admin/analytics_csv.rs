//! `/admin/analytics.csv?<the dashboard's filters>`: what the dashboard shows as CSV (UTF-8
//! with a byte-order mark so that Excel reads the Chinese, RFC 4180 quoting, CRLF lines):
//! the selection, the totals against the previous period, the daily series, the per-site
//! table and every top list, each under a section header in Chinese.

use axum::extract::{Query, State};
use axum::response::Response;

use super::analytics::{Filters, TOP, select};
use super::analytics_names::Names;
use super::analytics_page::{TotalRow, range_name, totals};
use super::analytics_tables::{Table, daily, lists, sites};
use super::csv::line;
use super::staff::Staff;
use crate::AppState;

/// Appends a section: a blank line, its header, its column names and its rows.
fn section(out: &mut String, table: &Table) {
    out.push_str("\r\n");
    line(out, &[table.title]);
    line(out, &table.head);
    for r in &table.rows {
        line(out, &r.cells);
    }
}

/// The whole file.
pub(super) fn document(
    heading: &[(&str, String)],
    totals: &[TotalRow],
    tables: &[Table],
) -> String {
    let mut out = super::csv::document();
    line(&mut out, &["访问统计"]);
    for (k, v) in heading {
        line(&mut out, &[*k, v.as_str()]);
    }
    out.push_str("\r\n");
    line(&mut out, &["总体指标"]);
    line(&mut out, &["指标", "本期", "上期", "较上期"]);
    for t in totals {
        let change = match t.direction {
            "up" => format!("上升 {}", t.change),
            "down" => format!("下降 {}", t.change),
            _ => t.change.clone(),
        };
        line(&mut out, &[t.name, &t.now, &t.before, &change]);
    }
    for t in tables {
        section(&mut out, t);
    }
    out
}

/// `GET /admin/analytics.csv`.
pub(super) async fn csv(
    State(node): State<AppState>,
    staff: Staff,
    Query(filters): Query<Filters>,
) -> Response {
    let (visible, sel) = match select(&node, &staff, &filters, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let analytics = super::analytics::report;
    let now = match analytics(&node, &frame, &sel, (sel.from, sel.to), TOP).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let before_range = sel.previous();
    let before = match analytics(&node, &frame, &sel, before_range, 0).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let names = Names::load(&node, &visible, &[&now]).await;
    let mut tables = vec![daily(&now), sites(&now, &names, &sel)];
    tables.extend(lists(&now, &names, &sel));
    let body = document(
        &[
            ("范围", sel.scope_name.clone()),
            ("时段", range_name(sel.from, sel.to)),
            ("上期", range_name(before_range.0, before_range.1)),
        ],
        &totals(&now.totals, &before.totals),
        &tables,
    );
    let filename = format!("analytics-{}-{}.csv", sel.from, sel.to);
    super::csv::download(body, &filename)
}

#[cfg(test)]
mod tests {
    use super::super::analytics_tables::Row;
    use super::*;

    #[test]
    fn a_document_has_a_bom_and_sections() {
        let table = Table {
            id: "pages",
            title: "热点信息",
            head: vec!["页面", "访问量（PV）"],
            rows: vec![Row {
                cells: vec!["首页".into(), "3".into()],
                href: None,
            }],
            chart: None,
        };
        let doc = document(&[("范围", "全部站点".into())], &[], &[table]);
        assert!(doc.starts_with("\u{feff}访问统计\r\n范围,全部站点\r\n"));
        assert!(doc.contains("\r\n热点信息\r\n页面,访问量（PV）\r\n首页,3\r\n"));
    }
}
