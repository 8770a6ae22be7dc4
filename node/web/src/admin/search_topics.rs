//! 搜索管理 · 专题卡片 (`/admin/search/topics`): the topic cards in effect here with where
//! each comes from; platform administrators add, edit (or override an inherited one) and
//! remove them at this level; auditors read.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_search::dictionary::EntrySource;
use govnode_search::{TopicCard, TopicLink};
use serde::{Deserialize, Serialize};

use super::search::{access, chinese, not_allowed, source_label, terms};
use super::staff::Staff;
use super::{refused, render, see_other};
use crate::AppState;
use crate::common::text::url_encode;

#[derive(Debug, Serialize)]
struct CardRow {
    id: String,
    title: String,
    summary: String,
    keywords: String,
    links: Vec<TopicLink>,
    source: String,
    here: bool,
    removed: bool,
    overrides: Option<String>,
    edit: String,
}

/// The card form's values (also its fields as posted).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub(super) struct CardForm {
    #[serde(skip_serializing)]
    csrf: String,
    id: String,
    title: String,
    summary: String,
    keywords: String,
    /// One link a line: `标题|搜索词`.
    links: String,
}

/// `?done=` of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// The list page with the add form (`form`, `error` when a save was refused).
async fn show(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    form: &CardForm,
    error: Option<String>,
    notice: Option<String>,
    editing: bool,
) -> Response {
    let may_change = access(staff) == Some(true);
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    let cards = match node.dictionary.effective_topics().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "console: reading topic cards failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "暂时无法读取专题卡片，请稍后再试",
                "/admin/search",
            );
        }
    };
    let rows: Vec<CardRow> = cards
        .into_iter()
        .map(|c| {
            let card = c.card.clone();
            CardRow {
                edit: format!("/admin/search/topics/edit?id={}", url_encode(&c.id)),
                here: c.source == EntrySource::Here,
                removed: card.is_none(),
                title: card.as_ref().map_or(String::new(), |k| k.title.clone()),
                summary: card.as_ref().map_or(String::new(), |k| k.summary.clone()),
                keywords: card
                    .as_ref()
                    .map_or(String::new(), |k| k.keywords.join("、")),
                links: card.map_or(Vec::new(), |k| k.links),
                source: source_label(node, &c.source),
                overrides: c.overrides.as_ref().map(|s| source_label(node, s)),
                id: c.id,
            }
        })
        .collect();
    render(
        status,
        "search_topics.html",
        &frame,
        serde_json::json!({
            "tab": "topics",
            "may_change": may_change,
            "cards": rows,
            "form": form,
            "error": error,
            "editing": editing,
        }),
    )
}

/// `GET /admin/search/topics`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(d): Query<Done>,
) -> Response {
    if access(&staff).is_none() {
        return not_allowed(&node, &staff, false);
    }
    let notice = match d.done.as_str() {
        "saved" => Some("专题卡片已保存".to_string()),
        "removed" => Some("专题卡片已删除".to_string()),
        _ => None,
    };
    show(
        &node,
        &staff,
        StatusCode::OK,
        &CardForm::default(),
        None,
        notice,
        false,
    )
    .await
}

/// `?id=` of the edit page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EditQuery {
    id: String,
}

/// `GET /admin/search/topics/edit?id=`: the form filled with the card in effect.
pub(super) async fn edit(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<EditQuery>,
) -> Response {
    match access(&staff) {
        Some(true) => {}
        Some(false) => return not_allowed(&node, &staff, true),
        None => return not_allowed(&node, &staff, false),
    }
    let card = node
        .dictionary
        .effective_topics()
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.id == q.id);
    let Some(card) = card else {
        return refused(
            StatusCode::NOT_FOUND,
            &staff.frame(&node.node),
            "没有找到该专题卡片",
            "/admin/search/topics",
        );
    };
    let form = match card.card {
        Some(k) => CardForm {
            csrf: String::new(),
            id: k.id,
            title: k.title,
            summary: k.summary,
            keywords: k.keywords.join("\n"),
            links: k
                .links
                .iter()
                .map(|l| format!("{}|{}", l.title, l.q))
                .collect::<Vec<_>>()
                .join("\n"),
        },
        None => CardForm {
            id: card.id,
            ..CardForm::default()
        },
    };
    show(&node, &staff, StatusCode::OK, &form, None, None, true).await
}

/// The card a form describes, or the Chinese error naming the field.
fn card_of(f: &CardForm) -> Result<TopicCard, String> {
    let mut links = Vec::new();
    for line in f.links.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((title, q)) = line.split_once(['|', '｜']) else {
            return Err(format!("链接：“{line}”应写成“标题|搜索词”"));
        };
        let (title, q) = (title.trim(), q.trim());
        if title.is_empty() || q.is_empty() {
            return Err(format!("链接：“{line}”的标题和搜索词都须填写"));
        }
        links.push(TopicLink {
            title: title.into(),
            q: q.into(),
        });
    }
    if f.id.trim().is_empty() {
        return Err("卡片标识：请填写（小写字母、数字或下划线）".into());
    }
    if f.title.trim().is_empty() {
        return Err("标题：请填写".into());
    }
    let keywords = terms(&f.keywords);
    if keywords.is_empty() {
        return Err("触发词：请至少填写一个（每行一个）".into());
    }
    Ok(TopicCard {
        id: f.id.trim().to_string(),
        title: f.title.trim().to_string(),
        summary: f.summary.trim().to_string(),
        keywords,
        links,
    })
}

/// `POST /admin/search/topics`: `csrf`, `id`, `title`, `summary`, `keywords` (one per
/// line), `links` (`标题|搜索词` per line).
pub(super) async fn save(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<CardForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    match access(&staff) {
        Some(true) => {}
        Some(false) => return not_allowed(&node, &staff, true),
        None => return not_allowed(&node, &staff, false),
    }
    let card = match card_of(&f) {
        Ok(c) => c,
        Err(text) => {
            return show(
                &node,
                &staff,
                StatusCode::BAD_REQUEST,
                &f,
                Some(text),
                None,
                true,
            )
            .await;
        }
    };
    match node
        .dictionary
        .put_topic(card, staff.signed_in.access.person())
        .await
    {
        Ok(_) => see_other("/admin/search/topics?done=saved"),
        Err(e) => {
            let (status, text) = chinese(&e);
            show(&node, &staff, status, &f, Some(text), None, true).await
        }
    }
}

/// The removal's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RemoveForm {
    csrf: String,
    id: String,
}

/// `POST /admin/search/topics/remove`: `csrf`, `id`.
pub(super) async fn remove(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<RemoveForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    match access(&staff) {
        Some(true) => {}
        Some(false) => return not_allowed(&node, &staff, true),
        None => return not_allowed(&node, &staff, false),
    }
    match node
        .dictionary
        .remove_topic(f.id.trim(), staff.signed_in.access.person())
        .await
    {
        Ok(_) => see_other("/admin/search/topics?done=removed"),
        Err(e) => {
            let (status, text) = chinese(&e);
            refused(
                status,
                &staff.frame(&node.node),
                &text,
                "/admin/search/topics",
            )
        }
    }
}
