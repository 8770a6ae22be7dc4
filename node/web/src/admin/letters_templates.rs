//! 答复模板, `/admin/letters/templates`: a body's reply templates, listed, added, edited and
//! deleted by its handlers (platform administrators: any body of this node). A letter's page
//! offers its body's templates to fill the reply.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::InteractionError;
use serde::Deserialize;

use super::letters::{Choice, directory, failed, handler_scope, own_bodies};
use super::staff::Staff;
use super::{render, see_other, shown};
use crate::AppState;
use crate::common::text::url_encode;

/// `?body=`, `?edit=`, `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TemplatesQuery {
    body: String,
    edit: String,
    done: String,
}

/// The form being edited: (id, title, text).
type Draft = (Option<i64>, String, String);

/// The page of body `body` (one of `bodies`), with `draft` in the form and `error`.
async fn show(
    node: &AppState,
    staff: &Staff,
    bodies: Vec<Choice>,
    body: &str,
    draft: Draft,
    error: Option<(StatusCode, String)>,
    notice: Option<&str>,
) -> Response {
    let (status, error) = match error {
        Some((status, text)) => (status, Some(text)),
        None => (StatusCode::OK, None),
    };
    let mut frame = staff.frame(&node.node);
    frame.notice = notice.map(str::to_string);
    let list = if body.is_empty() {
        Vec::new()
    } else {
        match node.interaction.reply_templates(body).await {
            Ok(l) => l,
            Err(e) => return failed(&frame, "listing reply templates", &e),
        }
    };
    let rows: Vec<serde_json::Value> = list
        .iter()
        .map(|t| {
            let excerpt: String = t.text.chars().take(60).collect();
            serde_json::json!({
                "id": t.id, "title": t.title,
                "excerpt": if t.text.chars().count() > 60 { format!("{excerpt}…") } else { excerpt },
                "updated": shown(t.updated_ms), "by": t.updated_by,
                "edit_url": format!("/admin/letters/templates?body={}&edit={}", url_encode(body), t.id),
            })
        })
        .collect();
    let body_name = bodies
        .iter()
        .find(|c| c.value == body)
        .map(|c| c.label.clone())
        .unwrap_or_default();
    let bodies: Vec<Choice> = bodies
        .into_iter()
        .map(|c| Choice {
            selected: c.value == body,
            ..c
        })
        .collect();
    render(
        status,
        "letters_templates.html",
        &frame,
        serde_json::json!({
            "error": error,
            "bodies": bodies,
            "body": body,
            "body_name": body_name,
            "rows": rows,
            "id": draft.0,
            "title": draft.1,
            "text": draft.2,
            "cancel_url": format!("/admin/letters/templates?body={}", url_encode(body)),
        }),
    )
}

/// The person's bodies, and the one asked for (else their first), if they handle any.
async fn bodies_of(
    node: &AppState,
    staff: &Staff,
    asked: &str,
) -> Result<(Vec<Choice>, String), Box<Response>> {
    let handled = handler_scope(node, staff)?;
    let bodies = own_bodies(node, &directory(node).await, &handled);
    let body = match bodies.iter().find(|c| c.value == asked) {
        Some(c) => c.value.clone(),
        None if asked.is_empty() => bodies.first().map(|c| c.value.clone()).unwrap_or_default(),
        None => {
            return Err(Box::new(super::letters::forbidden(
                &staff.frame(&node.node),
                "您只能管理本单位的答复模板",
            )));
        }
    };
    Ok((bodies, body))
}

/// `GET /admin/letters/templates`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<TemplatesQuery>,
) -> Response {
    let (bodies, body) = match bodies_of(&node, &staff, &q.body).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut draft: Draft = (None, String::new(), String::new());
    if let Ok(id) = q.edit.parse::<i64>() {
        match node.interaction.reply_template(id).await {
            Ok(Some(t)) if t.body_id == body => draft = (Some(t.id), t.title, t.text),
            Ok(_) => {
                return super::refused(
                    StatusCode::NOT_FOUND,
                    &staff.frame(&node.node),
                    "没有找到该答复模板",
                    "/admin/letters/templates",
                );
            }
            Err(e) => return failed(&staff.frame(&node.node), "reading a reply template", &e),
        }
    }
    let notice = match q.done.as_str() {
        "saved" => Some("答复模板已保存"),
        "deleted" => Some("答复模板已删除"),
        _ => None,
    };
    show(&node, &staff, bodies, &body, draft, None, notice).await
}

fn field(fields: &[(String, String)], name: &str) -> String {
    super::staff::form_field(fields, name).to_string()
}

/// `POST /admin/letters/templates`: `csrf`, `body`, `id` (empty for a new one), `title`,
/// `text`.
pub(super) async fn save(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &field(&fields, "csrf")) {
        return r;
    }
    let (bodies, body) = match bodies_of(&node, &staff, &field(&fields, "body")).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let id = field(&fields, "id").parse::<i64>().ok();
    let (title, text) = (field(&fields, "title"), field(&fields, "text"));
    let person = staff.signed_in.access.person().to_string();
    match node
        .interaction
        .put_reply_template(&body, id, &title, &text, &person)
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/letters/templates?body={}&done=saved",
            url_encode(&body)
        )),
        Err(e) => {
            let (status, error) = match &e {
                InteractionError::Invalid(m) if m.starts_with("title") => {
                    (StatusCode::BAD_REQUEST, "模板标题：请填写 2–40 字")
                }
                InteractionError::Invalid(m) if m.starts_with("text") => {
                    (StatusCode::BAD_REQUEST, "模板内容：请填写 2–10000 字")
                }
                InteractionError::Invalid(_) => (StatusCode::BAD_REQUEST, "请选择本节点的单位"),
                InteractionError::NotFound(_) => {
                    (StatusCode::NOT_FOUND, "没有找到该答复模板，可能已被删除")
                }
                InteractionError::Conflict(_) => (
                    StatusCode::CONFLICT,
                    "每个单位最多保存 200 个答复模板，请先删除不用的模板",
                ),
                e => return failed(&staff.frame(&node.node), "saving a reply template", e),
            };
            show(
                &node,
                &staff,
                bodies,
                &body,
                (id, title, text),
                Some((status, error.to_string())),
                None,
            )
            .await
        }
    }
}

/// `POST /admin/letters/templates/{id}/delete`: `csrf`, `body`.
pub(super) async fn delete(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &field(&fields, "csrf")) {
        return r;
    }
    let (_, body) = match bodies_of(&node, &staff, &field(&fields, "body")).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    match node.interaction.delete_reply_template(&body, id).await {
        Ok(true) => see_other(&format!(
            "/admin/letters/templates?body={}&done=deleted",
            url_encode(&body)
        )),
        Ok(false) => super::refused(
            StatusCode::NOT_FOUND,
            &staff.frame(&node.node),
            "没有找到该答复模板，可能已被删除",
            "/admin/letters/templates",
        ),
        Err(e) => failed(&staff.frame(&node.node), "deleting a reply template", &e),
    }
}
