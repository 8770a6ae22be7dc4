//! 一网通管 › 监测词库 (platform administrators): `/admin/monitoring/words`. The content
//! checks' word lists in force — shipped with the product, edited at a level above, or here —
//! and this level's edits: add or change an entry, turn one off. Each change goes down the
//! tree to every level that does not edit the same word itself.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use govnode_monitoring::MonitoringError;
use govnode_monitoring::content_checks::WordList;
use serde::{Deserialize, Serialize};

use super::staff::{Staff, form_field};
use super::{refused, render, see_other};
use crate::AppState;
use crate::common::places::node_name;

fn may_use(staff: &Staff) -> bool {
    staff.signed_in.access.is_platform_admin()
}

fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "监测词库仅对平台管理员开放",
        "/admin/",
    )
}

#[derive(Debug, Serialize)]
struct Row {
    wrong: String,
    right: String,
    source: String,
    removed: bool,
    /// Whether this level may turn it off (it is in force).
    may_remove: bool,
}

#[derive(Debug, Serialize)]
struct ListView {
    code: &'static str,
    label: &'static str,
    rows: Vec<Row>,
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

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
    let words = match node.monitoring.word_lists().await {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = %e, "console: reading the word lists failed");
            Vec::new()
        }
    };
    let me = node.node.id.to_string();
    let lists: Vec<ListView> = WordList::ALL
        .iter()
        .map(|list| ListView {
            code: list.code(),
            label: list.label(),
            rows: words
                .iter()
                .filter(|w| w.entry.list == *list)
                .map(|w| Row {
                    wrong: w.entry.wrong.clone(),
                    right: w.entry.right.clone(),
                    source: match &w.level {
                        None => "随系统发布".to_string(),
                        Some(l) if *l == me => "本节点".to_string(),
                        Some(l) => node_name(node, l).unwrap_or_else(|| l.clone()),
                    },
                    removed: w.removed,
                    may_remove: !w.removed,
                })
                .collect(),
        })
        .collect();
    let kept: serde_json::Map<String, serde_json::Value> = kept
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    render(
        status,
        "monitoring_words.html",
        &frame,
        serde_json::json!({ "error": error, "lists": lists, "kept": kept }),
    )
}

/// `GET /admin/monitoring/words`.
async fn page(State(node): State<AppState>, staff: Staff, Query(done): Query<Done>) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let notice = match done.done.as_str() {
        "saved" => Some("已保存词条，本节点及下级节点的检查随即使用".to_string()),
        "removed" => Some("已停用该词条".to_string()),
        _ => None,
    };
    show(&node, &staff, StatusCode::OK, None, notice, &[]).await
}

/// The refusal of a change, in Chinese, or a failure.
async fn refusal(
    node: &AppState,
    staff: &Staff,
    e: MonitoringError,
    fields: &[(String, String)],
) -> Response {
    match e {
        MonitoringError::Invalid(text) => {
            show(
                node,
                staff,
                StatusCode::BAD_REQUEST,
                Some(text),
                None,
                fields,
            )
            .await
        }
        e => {
            tracing::error!(error = %e, "console: changing the word lists failed");
            let text = "保存未成功，请稍后重试".to_string();
            show(
                node,
                staff,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(text),
                None,
                fields,
            )
            .await
        }
    }
}

/// The list a form names; a refusal in Chinese otherwise.
fn list_of(fields: &[(String, String)]) -> Result<WordList, MonitoringError> {
    WordList::parse(form_field(fields, "list"))
        .ok_or_else(|| MonitoringError::Invalid("请选择词库".to_string()))
}

/// `POST /admin/monitoring/words`: `csrf`, `list`, `wrong`, `right`.
async fn save(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, form_field(&fields, "csrf")) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let by = staff.signed_in.access.person().to_string();
    let done = match list_of(&fields) {
        Ok(list) => {
            node.monitoring
                .set_word_entry(
                    &by,
                    list,
                    form_field(&fields, "wrong"),
                    form_field(&fields, "right"),
                )
                .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => see_other("/admin/monitoring/words?done=saved"),
        Err(e) => refusal(&node, &staff, e, &fields).await,
    }
}

/// `POST /admin/monitoring/words/remove`: `csrf`, `list`, `wrong`.
async fn remove(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, form_field(&fields, "csrf")) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let by = staff.signed_in.access.person().to_string();
    let done = match list_of(&fields) {
        Ok(list) => {
            node.monitoring
                .remove_word_entry(&by, list, form_field(&fields, "wrong"))
                .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => see_other("/admin/monitoring/words?done=removed"),
        Err(e) => refusal(&node, &staff, e, &[]).await,
    }
}

/// The page's routes.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/admin/monitoring/words", get(page).post(save))
        .route("/admin/monitoring/words/remove", post(remove))
}
