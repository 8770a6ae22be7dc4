//! The tables of 访问统计 (the daily series, the per-site table and every top list with
//! names instead of codes) and the charts drawn from them: the dashboard, the monthly report
//! and the CSV show the same rows.

use govnode_analytics::{KeyCount, Report};
use govnode_interaction::survey::value_chart;
use serde::Serialize;

use super::analytics::{Chosen, Selection};
use super::analytics_chart::{Series, columns};
use super::analytics_names::{self as named, Names};
use crate::common::text::url_encode;

/// The colours of 访问量 and 访客数 in the charts.
const PV_FILL: &str = "#1d5fa8";
const UV_FILL: &str = "#b45309";

/// One row of a table; the first cell links to `href` when set.
#[derive(Debug, Serialize)]
pub(super) struct Row {
    pub cells: Vec<String>,
    pub href: Option<String>,
}

/// A table of the pages and the CSV, with the chart drawn from it.
#[derive(Debug, Serialize)]
pub(super) struct Table {
    pub id: &'static str,
    pub title: &'static str,
    pub head: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub chart: Option<String>,
}

/// A share of `whole`, as read.
fn share(part: i64, whole: i64) -> String {
    if whole > 0 {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    } else {
        "—".into()
    }
}

/// "12月5日" for charts and tables (the year is in the heading).
fn short_day(day: chrono::NaiveDate) -> String {
    day.format("%-m月%-d日").to_string()
}

/// The daily series as a table.
pub(super) fn daily(report: &Report) -> Table {
    let rows = report
        .daily
        .iter()
        .map(|d| Row {
            cells: vec![
                d.day.format("%Y-%m-%d").to_string(),
                d.totals.page_views.to_string(),
                d.totals.visitors.to_string(),
                d.totals.visits.to_string(),
            ],
            href: None,
        })
        .collect();
    Table {
        id: "daily",
        title: "每日访问量与访客数",
        head: vec!["日期", "访问量（PV）", "访客数（UV）", "访问次数"],
        rows,
        chart: Some(daily_chart(report)),
    }
}

/// The daily 访问量 and 访客数 as columns.
fn daily_chart(report: &Report) -> String {
    let labels: Vec<String> = report.daily.iter().map(|d| short_day(d.day)).collect();
    columns(
        "daily-chart",
        "每日访问量（PV）与访客数（UV）",
        &labels,
        &[
            Series {
                name: "访问量（PV）",
                fill: PV_FILL,
                values: report.daily.iter().map(|d| d.totals.page_views).collect(),
            },
            Series {
                name: "访客数（UV）",
                fill: UV_FILL,
                values: report.daily.iter().map(|d| d.totals.visitors).collect(),
            },
        ],
        "",
    )
}

/// Per site, each linking to its own dashboard over the same range.
pub(super) fn sites(report: &Report, names: &Names, sel: &Selection) -> Table {
    let range = if sel.period == "custom" {
        format!("from={}&to={}", sel.from, sel.to)
    } else {
        format!("period={}", sel.period)
    };
    let rows = report
        .sites
        .iter()
        .map(|s| Row {
            cells: vec![
                names.site(&s.site),
                names.node_of(&s.site).unwrap_or_else(|| "本节点".into()),
                s.totals.page_views.to_string(),
                s.totals.visitors.to_string(),
                s.totals.visits.to_string(),
                share(s.totals.page_views, report.totals.page_views),
            ],
            href: Some(format!(
                "/admin/analytics?scope={}&{range}",
                url_encode(&format!("site:{}", s.site))
            )),
        })
        .collect();
    Table {
        id: "sites",
        title: "各站点访问情况",
        head: vec![
            "站点",
            "所属节点",
            "访问量（PV）",
            "访客数（UV）",
            "访问次数",
            "访问量占比",
        ],
        rows,
        chart: None,
    }
}

/// A top list: its name column, an optional site column, the count and its share of `whole`.
struct List<'a> {
    id: &'static str,
    title: &'static str,
    key: &'static str,
    count: &'static str,
    keys: &'a [KeyCount],
    /// What a share is of (None: no share column).
    whole: Option<i64>,
    /// Whether the list shows each key's site (per-site keys over several sites).
    site: bool,
    /// Whether a horizontal bar chart goes with it.
    chart: bool,
}

impl List<'_> {
    fn table(&self, names: &Names, name: impl Fn(&KeyCount) -> String) -> Table {
        let mut head = vec![self.key];
        if self.site {
            head.push("站点");
        }
        head.push(self.count);
        if self.whole.is_some() {
            head.push("占比");
        }
        let rows: Vec<Row> = self
            .keys
            .iter()
            .map(|k| {
                let mut cells = vec![name(k)];
                if self.site {
                    cells.push(k.site.as_deref().map(|s| names.site(s)).unwrap_or_default());
                }
                cells.push(k.count.to_string());
                if let Some(whole) = self.whole {
                    cells.push(share(k.count, whole));
                }
                Row { cells, href: None }
            })
            .collect();
        let chart = (self.chart && self.keys.iter().any(|k| k.count > 0)).then(|| {
            let bars: Vec<(&str, f64, String)> = rows
                .iter()
                .zip(self.keys)
                .map(|(r, k)| {
                    let shown = format!("{}（{}）", k.count, r.cells[r.cells.len() - 1]);
                    (r.cells[0].as_str(), k.count as f64, shown)
                })
                .collect();
            let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
            value_chart(&format!("{}-chart", self.id), self.title, &bars, max)
        });
        Table {
            id: self.id,
            title: self.title,
            head,
            rows,
            chart,
        }
    }
}

/// Every top list of `report`, in the dashboard's order.
pub(super) fn lists(report: &Report, names: &Names, sel: &Selection) -> Vec<Table> {
    let t = &report.totals;
    let several = !matches!(sel.chosen, Chosen::Site(_));
    let list = |id, title, key, count, keys, whole, site, chart| List {
        id,
        title,
        key,
        count,
        keys,
        whole,
        site: site && several,
        chart,
    };
    let page = |k: &KeyCount| names.page(k.site.as_deref(), &k.key);
    let (pv, visits) = (Some(t.page_views), Some(t.visits));
    vec![
        list(
            "pages",
            "热点信息（访问量最多的页面）",
            "页面",
            "访问量（PV）",
            &report.pages,
            pv,
            true,
            false,
        )
        .table(names, page),
        list(
            "columns",
            "栏目访问量",
            "栏目",
            "访问量（PV）",
            &report.columns,
            pv,
            true,
            false,
        )
        .table(names, |k| names.column(k.site.as_deref(), &k.key)),
        list(
            "sources",
            "来源",
            "来源类型",
            "访问次数",
            &report.sources,
            visits,
            false,
            true,
        )
        .table(names, |k| named::source(&k.key)),
        list(
            "engines",
            "搜索引擎",
            "搜索引擎",
            "访问次数",
            &report.engines,
            visits,
            false,
            false,
        )
        .table(names, |k| k.key.clone()),
        list(
            "referrers",
            "来源网站",
            "来源网站",
            "访问次数",
            &report.referrers,
            visits,
            false,
            false,
        )
        .table(names, |k| k.key.clone()),
        list(
            "entries",
            "入口页",
            "页面",
            "访问次数",
            &report.entries,
            visits,
            true,
            false,
        )
        .table(names, page),
        list(
            "exits",
            "退出页",
            "页面",
            "访问次数",
            &report.exits,
            visits,
            true,
            false,
        )
        .table(names, page),
        list(
            "paths",
            "访问路径（从一页到下一页）",
            "访问路径",
            "次数",
            &report.paths,
            None,
            true,
            false,
        )
        .table(names, |k| names.path(k)),
        list(
            "depth",
            "访问深度（每次访问浏览的页数）",
            "访问深度",
            "访问次数",
            &report.depth,
            visits,
            false,
            true,
        )
        .table(names, |k| named::depth(&k.key)),
        list(
            "devices",
            "设备",
            "设备",
            "访问量（PV）",
            &report.devices,
            pv,
            false,
            true,
        )
        .table(names, |k| named::device(&k.key)),
        list(
            "browsers",
            "浏览器",
            "浏览器",
            "访问量（PV）",
            &report.browsers,
            pv,
            false,
            false,
        )
        .table(names, |k| named::browser(&k.key)),
        hours(report),
        list(
            "not-found",
            "页面不存在（404）的请求",
            "页面",
            "请求次数",
            &report.not_found,
            Some(t.not_found),
            true,
            false,
        )
        .table(names, |k| k.key.clone()),
    ]
}

/// 时段分布: page views per Beijing hour, as columns and a table.
fn hours(report: &Report) -> Table {
    let labels: Vec<String> = report.hours.iter().map(|k| named::hour(&k.key)).collect();
    let values: Vec<i64> = report.hours.iter().map(|k| k.count).collect();
    let chart = columns(
        "hours-chart",
        "时段分布（各小时的访问量，北京时间）",
        &labels,
        &[Series {
            name: "访问量（PV）",
            fill: PV_FILL,
            values: values.clone(),
        }],
        "次",
    );
    let rows = labels
        .into_iter()
        .zip(values)
        .map(|(label, n)| Row {
            cells: vec![label, n.to_string(), share(n, report.totals.page_views)],
            href: None,
        })
        .collect();
    Table {
        id: "hours",
        title: "时段分布（北京时间）",
        head: vec!["时段", "访问量（PV）", "占比"],
        rows,
        chart: Some(chart),
    }
}

#[cfg(test)]
mod tests {
    use govnode_analytics::Totals;

    use super::*;

    #[test]
    fn lists_read_as_names_with_shares() {
        let report = Report {
            totals: Totals {
                page_views: 10,
                visitors: 3,
                visits: 4,
                single_page_visits: 1,
                ..Totals::default()
            },
            sources: vec![
                KeyCount {
                    site: None,
                    key: "search".into(),
                    count: 3,
                },
                KeyCount {
                    site: None,
                    key: "direct".into(),
                    count: 1,
                },
            ],
            pages: vec![KeyCount {
                site: Some("gd".into()),
                key: "/".into(),
                count: 6,
            }],
            ..Report::default()
        };
        let sel = Selection {
            chosen: Chosen::All,
            scope: Default::default(),
            scope_name: "全部站点".into(),
            period: "30d".into(),
            from: chrono::NaiveDate::from_ymd_opt(2026, 11, 6).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        };
        let tables = lists(&report, &Names::default(), &sel);
        let sources = tables.iter().find(|t| t.id == "sources").unwrap();
        assert_eq!(sources.rows[0].cells, ["搜索引擎", "3", "75.0%"]);
        assert_eq!(sources.rows[1].cells, ["直接访问", "1", "25.0%"]);
        assert!(
            sources
                .chart
                .as_deref()
                .unwrap()
                .contains("搜索引擎：3（75.0%）")
        );
        let pages = tables.iter().find(|t| t.id == "pages").unwrap();
        assert_eq!(pages.head, ["页面", "站点", "访问量（PV）", "占比"]);
        assert_eq!(pages.rows[0].cells, ["首页", "站点 gd", "6", "60.0%"]);
    }
}
