//! 操作日志: `/admin/audit`, the content module's audit records filtered by site, person,
//! action and date range (Beijing days), a page at a time; `/admin/audit.csv`, the filtered
//! records as CSV (UTF-8 with a BOM so Excel reads it, Chinese headers, RFC 4180 quoting).
//! Platform admins and auditors read everything, site admins their own sites' records.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Access, Role};
use govnode_content::{AuditFilter, AuditRecord};
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::staff::Staff;
use super::{refused, render, shown};
use crate::AppState;
use crate::common::text::url_encode;

/// Records per page.
const PAGE: i64 = 50;
/// Records one CSV export holds at most.
const CSV_MAX: i64 = 10_000;

/// Every audited action as staff read it: the one mapping.
const ACTIONS: &[(&str, &str)] = &[
    ("create", "新建"),
    ("update", "修改"),
    ("revise", "修改稿件"),
    ("submit", "提交审核"),
    ("approve", "审核通过"),
    ("override-check", "越过发布前检查"),
    ("reject", "退回"),
    ("publish", "立即发布"),
    ("schedule", "定时发布"),
    ("publish-due", "定时发布生效"),
    ("withdraw", "撤稿"),
    ("distribute", "分发"),
    ("import", "导入"),
    ("footer", "修改网站底部信息"),
    ("put", "保存栏目模板"),
    ("apply", "应用栏目模板"),
    ("reorder", "调整栏目顺序"),
    ("archive", "撤销栏目"),
    ("restore", "恢复栏目"),
    ("shutdown", "一键关停"),
    ("resume", "恢复访问"),
    ("refuse", "拒绝下级站点"),
    ("lift-refusal", "解除拒绝"),
    ("archive-site", "归档站点"),
    ("restore-site", "恢复站点"),
    ("supersede", "站点让位于上级"),
    ("reset", "恢复默认模板"),
    ("view-personal", "查看来信人信息"),
];

/// An action's Chinese name (an unknown one is shown as recorded).
pub(super) fn action_label(action: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(action, |(_, l)| l)
}

/// An object kind's Chinese name.
fn kind_label(kind: &str) -> &str {
    match kind {
        "site" => "站点",
        "column" => "栏目",
        "article" => "稿件",
        "template" => "页面模板",
        "column-template-set" => "栏目模板",
        "ticket" => "来信",
        other => other,
    }
}

/// A record's detail as staff read it: "revision 3" → 第 3 版; a scheduled time in
/// Beijing time.
fn detail_shown(detail: &str) -> String {
    let Some(rest) = detail.strip_prefix("revision ") else {
        return detail.to_string();
    };
    let mut parts = rest.split(" at ");
    let (Some(rev), at) = (parts.next(), parts.next()) else {
        return detail.to_string();
    };
    if rev.parse::<i64>().is_err() {
        return detail.to_string();
    }
    match at.and_then(|a| a.parse::<i64>().ok()) {
        Some(ms) => format!("第 {rev} 版，定于 {} 发布", shown(ms)),
        None => format!("第 {rev} 版"),
    }
}

/// The filter's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AuditQuery {
    site: String,
    person: String,
    action: String,
    from: String,
    to: String,
    page: String,
}

/// The sites `access` reads the records of (`None`: all).
fn readable(access: &Access) -> Option<Option<Vec<String>>> {
    if access.is_platform_admin() || access.holds(Role::Auditor) {
        return Some(None);
    }
    let sites: Vec<String> = access
        .administered_sites()
        .into_iter()
        .map(String::from)
        .collect();
    (!sites.is_empty()).then_some(Some(sites))
}

/// The filter from the query, or the Chinese reason it is refused.
fn filter(q: &AuditQuery, visible: &Option<Vec<String>>) -> Result<AuditFilter, String> {
    let sites = match (q.site.as_str(), visible) {
        ("", v) => v.clone(),
        (s, Some(v)) if !v.iter().any(|x| x == s) => {
            return Err("您只能查看本站点的操作日志".into());
        }
        (s, _) => Some(vec![s.to_string()]),
    };
    let day = |s: &str, label: &str| -> Result<Option<chrono::NaiveDate>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{label}不是有效的日期"))
    };
    let from = day(&q.from, "开始日期")?;
    let to = day(&q.to, "结束日期")?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err("结束日期不能早于开始日期".into());
    }
    let page: i64 = q.page.parse().unwrap_or(1).clamp(1, 1_000_000);
    Ok(AuditFilter {
        sites,
        actor: (!q.person.is_empty()).then(|| q.person.clone()),
        action: (!q.action.is_empty()).then(|| q.action.clone()),
        from_ms: from.map(govnode_topology::beijing::midnight_ms),
        to_ms: to
            .and_then(|d| d.succ_opt())
            .map(govnode_topology::beijing::midnight_ms),
        offset: (page - 1) * PAGE,
        limit: PAGE,
    })
}

/// A record as a row of the table or the CSV.
#[derive(Debug, Serialize)]
struct Row {
    at: String,
    person: String,
    action: String,
    site: String,
    object: String,
    detail: String,
}

fn row(r: &AuditRecord, names: &Names) -> Row {
    Row {
        at: shown(r.at_ms),
        person: r.actor.clone(),
        action: action_label(&r.action).to_string(),
        site: r
            .site
            .as_deref()
            .map_or_else(|| "—".to_string(), |s| names.site(s).to_string()),
        object: format!("{} {}", kind_label(&r.object_kind), r.object_id),
        detail: detail_shown(&r.detail),
    }
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The query string of `q` for page `page` (the CSV link: `page` 0 leaves it out).
fn query_string(q: &AuditQuery, page: i64) -> String {
    let mut parts: Vec<String> = [
        ("site", &q.site),
        ("person", &q.person),
        ("action", &q.action),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", url_encode(v)))
    .collect();
    if page > 0 {
        parts.push(format!("page={page}"));
    }
    parts.join("&")
}

/// `GET /admin/audit`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> Response {
    let frame = staff.frame(&node.node);
    let Some(visible) = readable(&staff.signed_in.access) else {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "操作日志仅对平台管理员、审计员和站点管理员开放",
            "/admin/",
        );
    };
    let names = Names::load(&node, &[]).await;
    let (error, status, f) = match filter(&q, &visible) {
        Ok(f) => (None, StatusCode::OK, Some(f)),
        Err(e) => (Some(e), StatusCode::BAD_REQUEST, None),
    };
    let (records, total) = match &f {
        Some(f) => match node.content.audit_filtered(f).await {
            Ok(p) => (p.records, p.total),
            Err(e) => {
                tracing::error!(error = %e, "console: reading the audit log failed");
                return refused(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &frame,
                    "系统暂时无法处理，请稍后再试",
                    "/admin/",
                );
            }
        },
        None => (Vec::new(), 0),
    };
    let page = f.as_ref().map_or(1, |f| f.offset / PAGE + 1);
    let pages = (total + PAGE - 1) / PAGE;
    let sites: Vec<Choice> = names
        .sites
        .iter()
        .filter(|(id, _)| visible.as_ref().is_none_or(|v| v.contains(id)))
        .map(|(id, name)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: *id == q.site,
        })
        .collect();
    let people: Vec<Choice> = node
        .content
        .audit_actors(visible.as_deref())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| Choice {
            selected: p == q.person,
            label: p.clone(),
            value: p,
        })
        .collect();
    let actions: Vec<Choice> = ACTIONS
        .iter()
        .map(|(a, l)| Choice {
            value: a.to_string(),
            label: l.to_string(),
            selected: *a == q.action,
        })
        .collect();
    let rows: Vec<Row> = records.iter().map(|r| row(r, &names)).collect();
    render(
        status,
        "audit.html",
        &frame,
        serde_json::json!({
            "error": error,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "prev_url": (page > 1).then(|| format!("/admin/audit?{}", query_string(&q, page - 1))),
            "next_url": (page < pages).then(|| format!("/admin/audit?{}", query_string(&q, page + 1))),
            "csv_url": format!("/admin/audit.csv?{}", query_string(&q, 0)),
            "sites": sites,
            "all_sites": visible.is_none() || visible.as_ref().is_some_and(|v| v.len() > 1),
            "people": people,
            "actions": actions,
            "from": q.from,
            "to": q.to,
        }),
    )
}

/// The CSV of `rows`: a BOM, Chinese headers, CRLF line ends.
fn csv(rows: &[Row]) -> String {
    let mut out = String::from("\u{feff}时间,操作人,操作,站点,对象,详情\r\n");
    for r in rows {
        let fields = [&r.at, &r.person, &r.action, &r.site, &r.object, &r.detail];
        super::csv::line(&mut out, &fields);
    }
    out
}

/// `GET /admin/audit.csv`: the filtered records (at most 10 000), newest first.
pub(super) async fn export(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> Response {
    let frame = staff.frame(&node.node);
    let Some(visible) = readable(&staff.signed_in.access) else {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "操作日志仅对平台管理员、审计员和站点管理员开放",
            "/admin/",
        );
    };
    let mut f = match filter(&q, &visible) {
        Ok(f) => f,
        Err(e) => return refused(StatusCode::BAD_REQUEST, &frame, &e, "/admin/audit"),
    };
    f.offset = 0;
    f.limit = CSV_MAX;
    let records = match node.content.audit_filtered(&f).await {
        Ok(p) => p.records,
        Err(e) => {
            tracing::error!(error = %e, "console: exporting the audit log failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "系统暂时无法处理，请稍后再试",
                "/admin/audit",
            );
        }
    };
    let names = Names::load(&node, &[]).await;
    let rows: Vec<Row> = records.iter().map(|r| row(r, &names)).collect();
    super::csv::download(csv(&rows), "audit.csv")
}

/// The audit log's routes.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/admin/audit", get(page))
        .route("/admin/audit.csv", get(export))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_chinese_headers() {
        let out = csv(&[Row {
            at: "2026-12-05 09:30".into(),
            person: "wang".into(),
            action: "退回".into(),
            site: "广东省人民政府".into(),
            object: "稿件 7".into(),
            detail: "标题有误，请改".into(),
        }]);
        assert!(out.starts_with("\u{feff}时间,操作人,操作,站点,对象,详情\r\n"));
        assert!(out.ends_with("\"标题有误，请改\"\r\n") || out.ends_with("标题有误，请改\r\n"));
    }

    #[test]
    fn every_action_has_one_chinese_name() {
        assert_eq!(action_label("reject"), "退回");
        assert_eq!(action_label("approve"), "审核通过");
        let mut codes: Vec<&str> = ACTIONS.iter().map(|(a, _)| *a).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ACTIONS.len());
        assert_eq!(detail_shown("revision 3"), "第 3 版");
    }
}
