//! 单位与办件设置 › 节假日与答复期限 (platform administrators): `/admin/calendar`. The years
//! the holiday calendar knows, each year's holidays and make-up working days; adding a
//! year's State Council notice (checked, errors naming the line); the working days allowed
//! per kind of letter and the disclosure extension. Settings made at a higher level are
//! inherited: the page says which values are this node's own.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use govnode_interaction::calendar::HolidayCalendar;
use govnode_interaction::deadline::{DeadlinePolicy, MAX_WORKING_DAYS, TICKET_TYPES};
use govnode_interaction::holiday_notice::{parse_notice, with_year};
use govnode_interaction::{Levels, Settings, TicketKind};
use serde::{Deserialize, Serialize};

use super::bodies::{may_use, not_allowed};
use super::render;
use super::see_other;
use super::staff::Staff;
use crate::AppState;
use crate::common::places::node_name;

/// `2026年1月1日`.
fn day(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[derive(Debug, Serialize)]
struct Span {
    name: String,
    dates: String,
    days: usize,
}

#[derive(Debug, Serialize)]
struct YearView {
    year: i32,
    source: String,
    holidays: Vec<Span>,
    workdays: Vec<Span>,
}

#[derive(Debug, Serialize)]
struct PolicyRow {
    field: String,
    label: String,
    value: u32,
    source: &'static str,
    min: u32,
}

/// Consecutive days of one name as one span: 2026年2月15日至2月23日 春节（9天）.
fn spans(days: &std::collections::BTreeMap<NaiveDate, String>, year: i32) -> Vec<Span> {
    let mut out: Vec<(NaiveDate, NaiveDate, String)> = Vec::new();
    for (d, name) in days.range(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()..) {
        if d.year() != year {
            break;
        }
        match out.last_mut() {
            Some((_, end, n)) if n == name && end.succ_opt() == Some(*d) => *end = *d,
            _ => out.push((*d, *d, name.clone())),
        }
    }
    out.into_iter()
        .map(|(start, end, name)| Span {
            dates: if start == end {
                day(start)
            } else {
                format!("{}至{}月{}日", day(start), end.month(), end.day())
            },
            days: (end - start).num_days() as usize + 1,
            name,
        })
        .collect()
}

/// The entries of `text` (the calendar's text format) in `year`.
fn year_lines(text: &str, year: i32) -> Vec<&str> {
    let prefix = format!("{year}-");
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with(&prefix))
        .collect()
}

/// The kinds' fields: (form field, Chinese label, value in force, value below own, min).
fn policy_rows(levels: &Levels) -> Vec<PolicyRow> {
    let force = levels.in_force().policy;
    let below = levels.below_own().policy;
    let own = levels.own.is_some();
    let source = |a: u32, b: u32| {
        if own && a != b {
            "本节点设置"
        } else if levels.inherited.is_some() {
            "沿用上级设置"
        } else {
            "默认"
        }
    };
    let mut rows: Vec<PolicyRow> = TICKET_TYPES
        .iter()
        .map(|code| {
            let a = force.working_days.get(*code).copied().unwrap_or(0);
            let b = below.working_days.get(*code).copied().unwrap_or(0);
            PolicyRow {
                field: format!("days_{code}"),
                label: TicketKind::parse(code).map_or(code.to_string(), |k| k.label().into()),
                value: a,
                source: source(a, b),
                min: 1,
            }
        })
        .collect();
    rows.push(PolicyRow {
        field: "extension".into(),
        label: "依申请公开延期答复（限一次）增加".into(),
        value: force.disclosure_extension_days,
        source: source(
            force.disclosure_extension_days,
            below.disclosure_extension_days,
        ),
        min: 1,
    });
    rows.push(PolicyRow {
        field: "warn".into(),
        label: "到期前提示“即将到期”".into(),
        value: force.warn_before_days,
        source: source(force.warn_before_days, below.warn_before_days),
        min: 0,
    });
    rows
}

/// `?done=` (fixed texts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// The page; `error` and `kept` when a form was refused.
async fn show(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
    kept: &[(String, String)],
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    let levels = match node.interaction.settings_levels().await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "console: reading the settings failed");
            Levels {
                own: None,
                inherited: None,
            }
        }
    };
    let calendar = node.interaction.calendar();
    let shipped = HolidayCalendar::shipped().years();
    let inherited_text = levels
        .inherited
        .as_ref()
        .map_or(String::new(), |(_, s)| s.calendar.clone());
    let own_text = levels
        .own
        .as_ref()
        .map_or(String::new(), |s| s.calendar.clone());
    let higher = levels.inherited.as_ref().map(|(origin, _)| {
        format!(
            "上级节点（{}）设置",
            node_name(node, origin).unwrap_or_else(|| origin.clone())
        )
    });
    let years: Vec<YearView> = calendar
        .years()
        .into_iter()
        .rev()
        .map(|year| {
            let own = year_lines(&own_text, year);
            let inherited = year_lines(&inherited_text, year);
            let source = if !own.is_empty() && own != inherited {
                "本节点设置".to_string()
            } else if !inherited.is_empty() {
                higher.clone().unwrap_or_default()
            } else if shipped.contains(&year) {
                "随系统发布（国务院办公厅通知）".to_string()
            } else {
                "本节点设置".to_string()
            };
            YearView {
                year,
                source,
                holidays: spans(calendar.holidays(), year),
                workdays: spans(calendar.workdays(), year),
            }
        })
        .collect();
    let next_year = calendar
        .years()
        .last()
        .map_or(chrono::Utc::now().year(), |y| y + 1);
    let kept: serde_json::Map<String, serde_json::Value> = kept
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    render(
        status,
        "calendar.html",
        &frame,
        serde_json::json!({
            "error": error, "years": years, "next_year": next_year, "kept": kept,
            "policy": policy_rows(&levels), "max_days": MAX_WORKING_DAYS,
            "own": levels.own.is_some(), "higher": higher,
        }),
    )
}

/// `GET /admin/calendar`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let notice = match done.done.as_str() {
        "year" => Some("已保存该年度的节假日安排，新的答复期限按此计算".to_string()),
        "policy" => Some("已保存答复期限，此后受理的来信按新期限计算".to_string()),
        _ => None,
    };
    show(&node, &staff, StatusCode::OK, None, notice, &[]).await
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    super::staff::form_field(fields, name)
}

/// Stores `s` as this node's own setting; a refusal as Chinese text.
async fn save(node: &AppState, s: Settings) -> Result<(), String> {
    node.interaction.set_settings(s).await.map_err(|e| {
        tracing::error!(error = %e, "console: saving the settings failed");
        "保存未成功，请检查填写的内容后重试".to_string()
    })
}

/// Checks the form's token and the permission.
fn checked(node: &AppState, staff: &Staff, fields: &[(String, String)]) -> Option<Response> {
    if let Some(r) = staff.csrf_refusal(&node.node, field(fields, "csrf")) {
        return Some(r);
    }
    (!may_use(staff)).then(|| not_allowed(node, staff))
}

/// `POST /admin/calendar/year`: `csrf`, `year`, `holidays` and `workdays` (a line each).
pub(super) async fn add_year(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, &fields) {
        return r;
    }
    let again = |text: String| {
        show(
            &node,
            &staff,
            StatusCode::BAD_REQUEST,
            Some(text),
            None,
            &fields,
        )
    };
    let Ok(year) = field(&fields, "year").trim().parse::<i32>() else {
        return again("请填写年份，如 2027".into()).await;
    };
    let notice = match parse_notice(year, field(&fields, "holidays"), field(&fields, "workdays")) {
        Ok(c) => c,
        Err(e) => return again(e.message).await,
    };
    let levels = match node.interaction.settings_levels().await {
        Ok(l) => l,
        Err(_) => return again("系统暂时无法处理，请稍后再试".into()).await,
    };
    let mut s = levels.in_force();
    s.calendar = with_year(&s.calendar, year, &notice);
    match save(&node, s).await {
        Ok(()) => see_other("/admin/calendar?done=year"),
        Err(text) => again(text).await,
    }
}

/// `POST /admin/calendar/policy`: `csrf`, `days_<kind>` per kind, `extension`, `warn`.
pub(super) async fn policy(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, &fields) {
        return r;
    }
    let again = |text: String| {
        show(
            &node,
            &staff,
            StatusCode::BAD_REQUEST,
            Some(text),
            None,
            &fields,
        )
    };
    let levels = match node.interaction.settings_levels().await {
        Ok(l) => l,
        Err(_) => return again("系统暂时无法处理，请稍后再试".into()).await,
    };
    let mut s = levels.in_force();
    let mut policy = DeadlinePolicy {
        working_days: Default::default(),
        ..s.policy.clone()
    };
    for row in policy_rows(&levels) {
        let value = field(&fields, &row.field).trim();
        let n = match value.parse::<u32>() {
            Ok(n) if (row.min..=MAX_WORKING_DAYS).contains(&n) => n,
            _ => {
                return again(format!(
                    "“{}”须为 {}–{MAX_WORKING_DAYS} 个工作日",
                    row.label, row.min
                ))
                .await;
            }
        };
        match row.field.strip_prefix("days_") {
            Some(code) => {
                policy.working_days.insert(code.to_string(), n);
            }
            None if row.field == "extension" => policy.disclosure_extension_days = n,
            None => policy.warn_before_days = n,
        }
    }
    s.policy = policy;
    match save(&node, s).await {
        Ok(()) => see_other("/admin/calendar?done=policy"),
        Err(text) => again(text).await,
    }
}
