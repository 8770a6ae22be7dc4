//! A survey's console page, `/admin/surveys/{id}`: what it asks, its state and dates, 发布
//! (a draft), 结束征集, the results (a chart per choice question from `survey::bar_chart`,
//! with a table of the same counts, and the free-text answers), and 征集结果反馈, published
//! with the results.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::survey::{QuestionKind, Status, SurveyError, now_ms};
use serde::Deserialize;

use super::staff::Staff;
use super::surveys::{state_label, survey_for};
use super::surveys_form::KINDS;
use super::{render, see_other, shown};
use crate::AppState;

/// `?done=` (fixed texts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// The page, with `error` when a form was refused.
async fn show(
    node: &AppState,
    staff: &Staff,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let (s, site_name) = match survey_for(node, staff, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = now_ms();
    let results = match node.surveys.results(&s, true, now).await {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::error!(error = %e, "console: survey results failed");
            None
        }
    };
    let kind_name = |k: QuestionKind| {
        let code = serde_json::to_value(k).ok();
        KINDS
            .iter()
            .find(|(c, _)| code.as_ref().and_then(|v| v.as_str()) == Some(*c))
            .map_or("", |(_, l)| *l)
    };
    let questions: Vec<serde_json::Value> = s
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let r = results.as_ref().and_then(|r| r.questions.get(i));
            serde_json::json!({
                "number": i + 1, "text": q.text, "kind": kind_name(q.kind), "required": q.required,
                "options": q.options,
                "answered": r.map(|r| r.answered),
                "svg": r.and_then(|r| r.svg.clone()),
                "counts": r.map(|r| r.options.iter().map(|o| serde_json::json!({
                    "label": o.label, "count": o.count, "percent": format!("{:.1}%", o.percent),
                })).collect::<Vec<_>>()),
                "texts": r.and_then(|r| r.texts.as_ref()).map(|t| t.iter().map(|a| serde_json::json!({
                    "text": a.text, "at": shown(a.received_ms),
                })).collect::<Vec<_>>()),
            })
        })
        .collect();
    let closed = !s.draft && s.status(now) == Status::Closed;
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    render(
        status,
        "surveys_page.html",
        &frame,
        serde_json::json!({
            "error": error,
            "survey": {
                "id": s.id, "title": s.title, "body": s.body, "description": s.description,
                "site_name": site_name, "state": state_label(&s, now),
                "opens": shown(s.opens_at), "closes": shown(s.closes_at),
                "responses": s.responses, "draft": s.draft, "closed": closed,
                "open": !s.draft && !closed,
                "editable": s.responses == 0 && !closed,
                "feedback": s.feedback, "feedback_at": s.feedback_ms.map(shown),
                "public_url": (!s.draft).then(|| format!("/sites/{}/surveys/{}", s.site, s.id)),
                "created_by": s.created_by,
            },
            "questions": questions,
        }),
    )
}

/// `GET /admin/surveys/{id}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Response {
    let notice = match done.done.as_str() {
        "created" => Some("已保存为草稿，检查无误后请发布".to_string()),
        "saved" => Some("已保存修改".to_string()),
        "published" => Some("已发布，公众可在开始日期后参与".to_string()),
        "closed" => Some("已结束征集，征集结果已向公众公布".to_string()),
        "feedback" => Some("已发布征集结果反馈".to_string()),
        _ => None,
    };
    show(&node, &staff, id, StatusCode::OK, None, notice).await
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    super::staff::form_field(fields, name)
}

/// A state change's outcome: to the page with a notice, or the page with the refusal.
async fn after(
    node: &AppState,
    staff: &Staff,
    id: i64,
    result: Result<(), SurveyError>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/admin/surveys/{id}?done={done}")),
        Err(e) => {
            let status = match e {
                SurveyError::Invalid { .. } => StatusCode::BAD_REQUEST,
                SurveyError::NotFound(_) => StatusCode::NOT_FOUND,
                SurveyError::Conflict(_) | SurveyError::Refused(_) => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            show(node, staff, id, status, Some(e.chinese()), None).await
        }
    }
}

/// Checks the token and that `staff` runs survey `id`'s site.
async fn checked(
    node: &AppState,
    staff: &Staff,
    id: i64,
    fields: &[(String, String)],
) -> Option<Response> {
    if let Some(r) = staff.csrf_refusal(&node.node, field(fields, "csrf")) {
        return Some(r);
    }
    survey_for(node, staff, id).await.err()
}

/// `POST /admin/surveys/{id}/publish`: `csrf`.
pub(super) async fn publish(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, id, &fields).await {
        return r;
    }
    let result = node.surveys.publish(id, now_ms()).await.map(|_| ());
    if result.is_ok() {
        tracing::info!(survey = id, by = %staff.signed_in.access.person(), "survey published");
    }
    after(&node, &staff, id, result, "published").await
}

/// `POST /admin/surveys/{id}/close`: `csrf`.
pub(super) async fn close(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, id, &fields).await {
        return r;
    }
    let result = node.surveys.close(id, now_ms()).await.map(|_| ());
    if result.is_ok() {
        tracing::info!(survey = id, by = %staff.signed_in.access.person(), "survey closed");
    }
    after(&node, &staff, id, result, "closed").await
}

/// `POST /admin/surveys/{id}/feedback`: `csrf`, `feedback`.
pub(super) async fn feedback(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, id, &fields).await {
        return r;
    }
    let text = field(&fields, "feedback");
    let result = node
        .surveys
        .set_feedback(id, text, now_ms())
        .await
        .map(|_| ());
    after(&node, &staff, id, result, "feedback").await
}
