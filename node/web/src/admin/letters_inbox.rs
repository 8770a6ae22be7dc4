//! 办件's inbox, `GET /admin/letters`: every open letter of the person's bodies ranked by the
//! interaction module in SQL (已超期 first, then 即将到期, then the other open ones by due
//! date), then the finished ones; counts of the ranking and per state; filters by kind,
//! state, body, site of filing (all by name) and filing dates; a search by tracking code or
//! words; a page at a time.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::deadline::DeadlineStatus;
use govnode_interaction::{LetterFilter, TicketKind, TicketState};
use serde::{Deserialize, Serialize};

use super::letters::{Choice, body_name, directory, failed, handler_scope, own_bodies};
use super::staff::Staff;
use super::{render, shown};
use crate::AppState;
use crate::common::paging::pagination;
use crate::common::text::url_encode;

/// Letters per page.
const PAGE: usize = 30;

/// The filter's fields, as the form sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct InboxQuery {
    kind: String,
    state: String,
    body: String,
    site: String,
    from: String,
    to: String,
    q: String,
    page: String,
    done: String,
}

impl InboxQuery {
    /// The query string for page `page`.
    fn with_page(&self, page: i64) -> String {
        let mut parts: Vec<String> = [
            ("kind", &self.kind),
            ("state", &self.state),
            ("body", &self.body),
            ("site", &self.site),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
        parts.push(format!("page={page}"));
        format!("/admin/letters?{}", parts.join("&"))
    }
}

/// The module's filter from the query, or the Chinese reason it is refused.
fn filter(q: &InboxQuery, bodies: &[Choice]) -> Result<LetterFilter, String> {
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let kind = some(&q.kind);
    if kind
        .as_deref()
        .is_some_and(|k| TicketKind::parse(k).is_none())
    {
        return Err("请从列表中选择来信类型".into());
    }
    let state = some(&q.state);
    if state
        .as_deref()
        .is_some_and(|s| TicketState::parse(s).is_none())
    {
        return Err("请从列表中选择办理状态".into());
    }
    let body = some(&q.body);
    if body
        .as_deref()
        .is_some_and(|b| !bodies.iter().any(|c| c.value == b))
    {
        return Err("您只能查看本单位的来信，请从列表中选择单位".into());
    }
    let day = |s: &str, label: &str| -> Result<Option<chrono::NaiveDate>, String> {
        match some(s) {
            None => Ok(None),
            Some(s) => chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("{label}不是有效的日期")),
        }
    };
    let from = day(&q.from, "来信开始日期")?;
    let to = day(&q.to, "来信结束日期")?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err("来信结束日期不能早于开始日期".into());
    }
    if q.q.chars().count() > 100 {
        return Err("搜索内容最多 100 字".into());
    }
    Ok(LetterFilter {
        kind,
        state,
        body,
        site: some(&q.site),
        filed_from_ms: from.map(govnode_topology::beijing::midnight_ms),
        filed_to_ms: to
            .and_then(|d| d.succ_opt())
            .map(govnode_topology::beijing::midnight_ms),
        text: q.q.trim().to_string(),
    })
}

/// One letter of the list.
#[derive(Debug, Serialize)]
struct Row {
    code: String,
    subject: String,
    kind: &'static str,
    state: &'static str,
    body: String,
    site: String,
    filed: String,
    due_day: String,
    /// 已超期（N 个工作日）, 即将到期, or empty.
    deadline: String,
    /// danger, warn or empty: how the row is highlighted.
    mark: &'static str,
}

/// `GET /admin/letters`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<InboxQuery>,
) -> Response {
    let handled = match handler_scope(&node, &staff) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    let mut frame = staff.frame(&node.node);
    if q.done == "transfer" {
        frame.notice = Some("已转办，该来信已交由所选单位办理".into());
    }
    let bodies = directory(&node).await;
    let mut body_choices = own_bodies(&node, &bodies, &handled);
    let sites: BTreeMap<String, String> = node
        .content
        .sites()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let page: i64 = q.page.parse().unwrap_or(1).clamp(1, 100_000);
    let (error, status, f) = match filter(&q, &body_choices) {
        Ok(f) => (None, StatusCode::OK, f),
        Err(e) => (
            Some(e),
            StatusCode::BAD_REQUEST,
            LetterFilter {
                // Nothing matches a refused filter: the page shows the error and no letters.
                state: Some("-".into()),
                ..LetterFilter::default()
            },
        ),
    };
    let offset = usize::try_from(page - 1).unwrap_or(0) * PAGE;
    let scope = handled.as_deref();
    let inbox = match node
        .interaction
        .inbox_filtered(scope, &f, offset, PAGE)
        .await
    {
        Ok(i) => i,
        Err(e) => return failed(&frame, "reading the letters inbox", &e),
    };
    let counts = match node.interaction.letter_counts(scope, &f).await {
        Ok(c) => c,
        Err(e) => return failed(&frame, "counting letters", &e),
    };
    let rows: Vec<Row> = inbox
        .tickets
        .iter()
        .map(|v| {
            let t = &v.ticket;
            let (deadline, mark) = match v.deadline {
                Some(DeadlineStatus::Overdue { working_days_late }) => {
                    (format!("已超期 {working_days_late} 个工作日"), "danger")
                }
                Some(DeadlineStatus::DueSoon) => ("即将到期".to_string(), "warn"),
                _ => (String::new(), ""),
            };
            Row {
                code: t.code.clone(),
                subject: t.subject.clone(),
                kind: v.kind_label,
                state: v.state_label,
                body: body_name(&bodies, &t.body_id),
                site: sites
                    .get(&t.filed_site)
                    .cloned()
                    .unwrap_or_else(|| "其他节点的站点".into()),
                filed: shown(t.filed_ms),
                due_day: t.due_day.clone(),
                deadline,
                mark,
            }
        })
        .collect();
    for c in &mut body_choices {
        c.selected = c.value == q.body;
    }
    let kinds: Vec<Choice> = TicketKind::ALL
        .iter()
        .map(|k| Choice::new(k.code(), k.label(), k.code() == q.kind))
        .collect();
    let states: Vec<Choice> = TicketState::ALL
        .iter()
        .map(|s| Choice::new(s.code(), s.label(), s.code() == q.state))
        .collect();
    let site_choices: Vec<Choice> = sites
        .iter()
        .map(|(id, name)| Choice::new(id, name, *id == q.site))
        .collect();
    let by_state: Vec<serde_json::Value> = counts
        .iter()
        .map(|(s, n)| {
            serde_json::json!({
                "label": s.label(), "n": n,
                "url": format!("/admin/letters?state={}", s.code()),
            })
        })
        .collect();
    let total = i64::try_from(inbox.total).unwrap_or(0);
    let pages = pagination(page, total, PAGE as i64, |n| q.with_page(n));
    render(
        status,
        "letters_inbox.html",
        &frame,
        serde_json::json!({
            "error": error,
            "rows": rows,
            "total": inbox.total,
            "open": inbox.open,
            "overdue": inbox.overdue,
            "due_soon": inbox.due_soon,
            "by_state": by_state,
            "kinds": kinds,
            "states": states,
            "bodies": body_choices,
            "sites": site_choices,
            "from": q.from,
            "to": q.to,
            "q": q.q,
            "pagination": pages,
            "filtered": !f.is_empty(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_in_chinese() {
        let bodies = vec![Choice::new(
            "440000.hrss",
            "广东省人力资源和社会保障厅",
            false,
        )];
        let q = |kind: &str, body: &str, from: &str, to: &str| InboxQuery {
            kind: kind.into(),
            body: body.into(),
            from: from.into(),
            to: to.into(),
            ..InboxQuery::default()
        };
        assert!(filter(&q("", "", "", ""), &bodies).unwrap().is_empty());
        assert_eq!(
            filter(&q("x", "", "", ""), &bodies).unwrap_err(),
            "请从列表中选择来信类型"
        );
        assert!(
            filter(&q("", "440000.czt", "", "",), &bodies)
                .unwrap_err()
                .contains("本单位")
        );
        assert!(filter(&q("", "", "2026-12-05", "2026-12-01"), &bodies).is_err());
        let f = filter(
            &q("consultation", "440000.hrss", "2026-12-01", "2026-12-01"),
            &bodies,
        )
        .unwrap();
        assert_eq!(
            f.filed_to_ms.unwrap() - f.filed_from_ms.unwrap(),
            86_400_000
        );
    }
}
