//! 访问统计 (统一行为分析): `/admin/analytics`, the figures the visit analytics module
//! counts as pages are served, for the sites a person may see; `/admin/analytics.csv` the
//! same as CSV ([`super::analytics_csv`]); `/admin/analytics/monthly` the printable monthly
//! report ([`super::analytics_monthly`]). Platform administrators and auditors see every
//! site this node holds counters for (at an ancestor, the subtree's replicas too); a site
//! administrator only the sites they administer, and a request for another site is refused.
//! This file holds the routes, who sees what, and the filters (范围, 时间); the
//! dashboard is [`super::analytics_page`], its tables and charts [`super::analytics_tables`]
//! and [`super::analytics_chart`], names [`super::analytics_names`].

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Duration, NaiveDate};
use govnode_accounts::{Access, Action, Role};
use govnode_analytics::{Report, Scope};
use govnode_content::SiteState;
use serde::Deserialize;

use super::staff::Staff;
use super::{Frame, refused};
use crate::AppState;

/// The longest range the console reports, in days.
pub(super) const MAX_DAYS: i64 = 366;
/// Rows in each top list of the dashboard and the CSV.
pub(super) const TOP: usize = 20;

/// The console's analytics routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/analytics", get(super::analytics_page::page))
        .route("/admin/analytics.csv", get(super::analytics_csv::csv))
        .route(
            "/admin/analytics/monthly",
            get(super::analytics_monthly::report),
        )
}

/// A site as the pages name it.
#[derive(Debug, Clone)]
pub(super) struct SiteInfo {
    pub id: String,
    pub name: String,
    /// Its owner node, for a replica of another node's site.
    pub node: Option<String>,
}

/// The sites a person may see, and whether they see every site here.
#[derive(Debug)]
pub(super) struct Visible {
    pub every: bool,
    pub sites: Vec<SiteInfo>,
}

impl Visible {
    /// The site `id`, if visible.
    pub(super) fn get(&self, id: &str) -> Option<&SiteInfo> {
        self.sites.iter().find(|s| s.id == id)
    }
}

/// Whether `access` may open the analytics at all.
fn may_open(access: &Access) -> bool {
    access.is_platform_admin() || access.holds(Role::Auditor) || access.holds(Role::SiteAdmin)
}

/// Whether `access` sees every site.
fn sees_every(access: &Access) -> bool {
    access.is_platform_admin() || access.holds(Role::Auditor)
}

/// The sites held here that `staff` may see (every state but superseded: an archived or
/// refused site keeps its history), with every site's name for those who see all.
pub(super) async fn visible(node: &AppState, staff: &Staff) -> Result<Visible, String> {
    let access = &staff.signed_in.access;
    let every = sees_every(access);
    let listing = node
        .content
        .site_listing()
        .await
        .map_err(|e| e.to_string())?;
    let sites = listing
        .into_iter()
        .filter(|l| l.state != SiteState::Superseded)
        .filter(|l| every || access.may(Action::ManageSite, Some(&l.site.id)))
        .map(|l| SiteInfo {
            node: super::monitoring::replica_of(node, &l.site.origin),
            id: l.site.id,
            name: l.site.name,
        })
        .collect();
    Ok(Visible { every, sites })
}

/// The filters of every analytics page: `?scope=&period=&from=&to=` (and `month=` for the
/// monthly report).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(super) struct Filters {
    pub scope: String,
    pub period: String,
    pub from: String,
    pub to: String,
    pub month: String,
}

/// Which sites: 全部站点, 本节点站点 or one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Chosen {
    All,
    Local,
    Site(String),
}

impl Chosen {
    /// The form's value (`all`, `local`, `site:<id>`).
    pub(super) fn value(&self) -> String {
        match self {
            Chosen::All => "all".into(),
            Chosen::Local => "local".into(),
            Chosen::Site(id) => format!("site:{id}"),
        }
    }
}

/// What a request asks for, checked: the sites and the range.
#[derive(Debug)]
pub(super) struct Selection {
    pub chosen: Chosen,
    /// The sites the report covers.
    pub scope: Scope,
    /// 全部站点, 本节点站点, or the site's name.
    pub scope_name: String,
    /// The preset (`7d`, `30d`, `month`, `lastmonth`) or `custom`.
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Selection {
    /// Days in the range.
    pub(super) fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The range before, of the same length.
    pub(super) fn previous(&self) -> (NaiveDate, NaiveDate) {
        let to = self.from - Duration::days(1);
        (to - Duration::days(self.days() - 1), to)
    }

    /// The query string that selects the same (for links).
    pub(super) fn query(&self) -> String {
        let scope = crate::common::text::url_encode(&self.chosen.value());
        if self.period == "custom" {
            format!("scope={scope}&from={}&to={}", self.from, self.to)
        } else {
            format!("scope={scope}&period={}", self.period)
        }
    }
}

/// The presets of 时间, with their names.
pub(super) const PERIODS: [(&str, &str); 4] = [
    ("7d", "近7天"),
    ("30d", "近30天"),
    ("month", "本月"),
    ("lastmonth", "上月"),
];

/// A day as people read it: 2026年12月5日.
pub(super) fn day_name(day: NaiveDate) -> String {
    day.format("%Y年%-m月%-d日").to_string()
}

/// The first and last day of the month of `day`.
pub(super) fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (first, next - Duration::days(1))
}

/// A date field: empty is None, otherwise it must be a date (the message names the field).
fn date_field(value: &str, field: &str) -> Result<Option<NaiveDate>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{field}“{value}”不是有效的日期，请按 2026-01-31 的格式填写"))
}

/// The range of `filters` as of `today` (Beijing): a preset, or the custom dates.
pub(super) fn range(
    filters: &Filters,
    today: NaiveDate,
) -> Result<(String, NaiveDate, NaiveDate), String> {
    let from = date_field(&filters.from, "开始日期")?;
    let to = date_field(&filters.to, "结束日期")?;
    let period = filters.period.trim();
    // A preset chosen wins over dates left in the form; dates alone are a custom range.
    if period == "custom" || (period.is_empty() && (from.is_some() || to.is_some())) {
        let from = from.ok_or("请填写开始日期（自定义时段需要开始日期和结束日期）")?;
        let to = to.ok_or("请填写结束日期（自定义时段需要开始日期和结束日期）")?;
        if from > to {
            return Err(format!(
                "开始日期（{}）不能晚于结束日期（{}）",
                day_name(from),
                day_name(to)
            ));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_DAYS {
            return Err(format!(
                "统计时段最长 {MAX_DAYS} 天，所选时段为 {days} 天，请缩短开始日期与结束日期之间的间隔"
            ));
        }
        return Ok(("custom".into(), from, to));
    }
    let (from, to) = match period {
        "7d" => (today - Duration::days(6), today),
        "" | "30d" => (today - Duration::days(29), today),
        "month" => (month_of(today).0, today),
        "lastmonth" => month_of(month_of(today).0 - Duration::days(1)),
        other => return Err(format!("时间“{other}”不是可选的统计时段")),
    };
    let period = if period.is_empty() { "30d" } else { period };
    Ok((period.to_string(), from, to))
}

/// Why a scope cannot be reported: a bad value (400) or a site that is not the person's (403).
pub(super) enum ScopeRefusal {
    Bad(String),
    NotTheirs(String),
}

/// The sites of `value` (范围) for someone who sees `visible`.
pub(super) fn scope(
    visible: &Visible,
    value: &str,
) -> Result<(Chosen, Scope, String), ScopeRefusal> {
    let value = value.trim();
    let ids = |keep: &dyn Fn(&SiteInfo) -> bool| {
        visible
            .sites
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    match value {
        "" | "all" => {
            // Who sees every site sees every counter held here, named or not.
            let sites = (!visible.every).then(|| ids(&|_| true));
            Ok((Chosen::All, Scope { sites }, "全部站点".into()))
        }
        "local" => Ok((
            Chosen::Local,
            Scope {
                sites: Some(ids(&|s| s.node.is_none())),
            },
            "本节点站点".into(),
        )),
        _ => {
            let Some(id) = value.strip_prefix("site:").filter(|id| !id.is_empty()) else {
                return Err(ScopeRefusal::Bad(format!(
                    "范围“{value}”不是可选的统计范围"
                )));
            };
            match visible.get(id) {
                Some(site) => Ok((
                    Chosen::Site(id.to_string()),
                    Scope {
                        sites: Some(vec![id.to_string()]),
                    },
                    site.name.clone(),
                )),
                None => Err(ScopeRefusal::NotTheirs(id.to_string())),
            }
        }
    }
}

/// Reads what the request selects, or the refusal page.
pub(super) async fn select(
    node: &AppState,
    staff: &Staff,
    filters: &Filters,
    dates: Option<(NaiveDate, NaiveDate)>,
) -> Result<(Visible, Selection), Response> {
    let frame = staff.frame(&node.node);
    if !may_open(&staff.signed_in.access) {
        return Err(refused(
            StatusCode::FORBIDDEN,
            &frame,
            "访问统计仅对平台管理员、审计员和站点管理员开放",
            "/admin/",
        ));
    }
    let visible = visible(node, staff).await.map_err(|e| {
        tracing::error!(error = %e, "console: reading sites failed");
        internal(&frame)
    })?;
    let (chosen, scope, scope_name) = match scope(&visible, &filters.scope) {
        Ok(x) => x,
        Err(ScopeRefusal::Bad(why)) => return Err(bad(&frame, &why)),
        Err(ScopeRefusal::NotTheirs(id)) => {
            let name = node.content.site(&id).await.map(|s| s.name).unwrap_or(id);
            return Err(refused(
                StatusCode::FORBIDDEN,
                &frame,
                &format!("您无权查看站点“{name}”的访问统计，只能查看您管理的站点"),
                "/admin/analytics",
            ));
        }
    };
    let (period, from, to) = match dates {
        Some((from, to)) => ("custom".to_string(), from, to),
        None => range(filters, govnode_topology::beijing::today()).map_err(|e| bad(&frame, &e))?,
    };
    Ok((
        visible,
        Selection {
            chosen,
            scope,
            scope_name,
            period,
            from,
            to,
        },
    ))
}

/// The report of `selection` over `from..=to`, or the refusal page.
pub(super) async fn report(
    node: &AppState,
    frame: &Frame,
    selection: &Selection,
    (from, to): (NaiveDate, NaiveDate),
    limit: usize,
) -> Result<Report, Response> {
    node.visits
        .report(&selection.scope, from, to, limit)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "console: reading visit analytics failed");
            internal(frame)
        })
}

/// A request the pages cannot answer: 400 with the reason.
pub(super) fn bad(frame: &Frame, why: &str) -> Response {
    refused(StatusCode::BAD_REQUEST, frame, why, "/admin/analytics")
}

/// A failure the person cannot fix.
pub(super) fn internal(frame: &Frame) -> Response {
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        frame,
        "暂时无法读取访问统计，请稍后再试",
        "/admin/analytics",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(period: &str, from: &str, to: &str) -> Filters {
        Filters {
            period: period.into(),
            from: from.into(),
            to: to.into(),
            ..Filters::default()
        }
    }

    #[test]
    fn presets_and_custom_ranges() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            range(&f("", "", ""), today).unwrap(),
            ("30d".into(), d("2026-11-06"), today)
        );
        assert_eq!(range(&f("7d", "", ""), today).unwrap().1, d("2026-11-29"));
        assert_eq!(
            range(&f("month", "", ""), today).unwrap().1,
            d("2026-12-01")
        );
        let last = range(&f("lastmonth", "", ""), today).unwrap();
        assert_eq!((last.1, last.2), (d("2026-11-01"), d("2026-11-30")));
        let custom = range(&f("", "2026-01-01", "2026-03-31"), today).unwrap();
        assert_eq!(custom.0, "custom");
        assert!(
            range(&f("", "2026-13-01", "2026-12-01"), today)
                .unwrap_err()
                .contains("开始日期“2026-13-01”")
        );
        assert!(
            range(&f("", "2026-12-01", "2026-11-01"), today)
                .unwrap_err()
                .contains("不能晚于结束日期")
        );
        assert!(
            range(&f("", "2025-01-01", "2026-12-01"), today)
                .unwrap_err()
                .contains("最长 366 天")
        );
        assert!(
            range(&f("", "2026-01-01", ""), today)
                .unwrap_err()
                .contains("请填写结束日期")
        );
        assert!(
            range(&f("year", "", ""), today)
                .unwrap_err()
                .contains("时间“year”")
        );
        // A preset chosen with the custom dates still in the form; 自定义 without dates.
        let preset = range(&f("7d", "2026-01-01", "2026-01-02"), today).unwrap();
        assert_eq!(preset.0, "7d");
        assert!(
            range(&f("custom", "", ""), today)
                .unwrap_err()
                .contains("请填写开始日期")
        );
    }

    #[test]
    fn the_previous_period_has_the_same_length() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let s = Selection {
            chosen: Chosen::All,
            scope: Scope::default(),
            scope_name: String::new(),
            period: "custom".into(),
            from: d("2026-11-01"),
            to: d("2026-11-30"),
        };
        assert_eq!(s.previous(), (d("2026-10-02"), d("2026-10-31")));
        assert_eq!(s.query(), "scope=all&from=2026-11-01&to=2026-11-30");
        assert_eq!(
            month_of(d("2024-02-10")),
            (d("2024-02-01"), d("2024-02-29"))
        );
    }
}
