//! 搜索管理 (`/admin/search`): the synonym dictionary (百姓体词库) of this node's level, as
//! searched here — every phrase in effect with where it comes from (the shipped platform
//! dictionary, a higher level by name, this level) — this level's changes (add, change,
//! override an inherited phrase, remove one, inherited ones included: a removal is an
//! entry of this level, replicated below like any other), filter and paging, and the
//! history of changes. Platform administrators change it; auditors read it. The other
//! pages of 搜索管理: [`super::search_topics`], [`super::search_analytics`],
//! [`super::search_try`].

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Role;
use govnode_search::dictionary::{EffectiveSynonym, EntrySource};
use govnode_search::{DictionaryError, Synonym};
use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};

use super::staff::Staff;
use super::{refused, render, see_other, shown};
use crate::AppState;
use crate::common::text::url_encode as encode_component;

/// Phrases on a page of the dictionary.
const PER_PAGE: usize = 50;
/// Changes shown in the history.
const HISTORY: i64 = 30;

/// What `staff` may do in 搜索管理: None (refused), Some(false) read, Some(true) change.
pub(super) fn access(staff: &Staff) -> Option<bool> {
    let a = &staff.signed_in.access;
    if a.is_platform_admin() {
        Some(true)
    } else if a.holds(Role::Auditor) {
        Some(false)
    } else {
        None
    }
}

/// The refusal of anyone else.
pub(super) fn not_allowed(node: &AppState, staff: &Staff, change: bool) -> Response {
    let text = if change {
        "只有平台管理员可以修改搜索设置（审计员只能查看）"
    } else {
        "搜索管理仅对平台管理员和审计员开放"
    };
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        text,
        "/admin/",
    )
}

/// A node by name (the code only when the tree does not know it).
pub(super) fn node_name(node: &AppState, id: &str) -> String {
    if id == node.node.id.to_string() {
        return node.node.name.clone();
    }
    let tree = node.federation.topology();
    match id.parse::<NodeId>().ok().and_then(|n| tree.get(n)) {
        Some(n) => n.name.clone(),
        None => format!("未知节点（{id}）"),
    }
}

/// Where an entry comes from, as staff read it.
pub(super) fn source_label(node: &AppState, source: &EntrySource) -> String {
    match source {
        EntrySource::Shipped => "平台词库".into(),
        EntrySource::Inherited(origin) => format!("上级：{}", node_name(node, origin)),
        EntrySource::Here => "本级".into(),
    }
}

/// The official terms typed in one box: one per line, or separated by 、，, ; ；.
pub(super) fn terms(text: &str) -> Vec<String> {
    text.split(['\n', '、', '，', ',', ';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A refused dictionary change in Chinese, naming the field.
pub(super) fn chinese(e: &DictionaryError) -> (StatusCode, String) {
    match e {
        DictionaryError::Invalid(e) => {
            let m = e.to_string();
            let text = if m.starts_with("colloquial") {
                "群众说法：须为 2–20 个字，且含有文字"
            } else if m.starts_with("official: at most") {
                "规范用语：最多 10 个"
            } else if m.starts_with("official") && m.contains("itself") {
                "规范用语：不能与群众说法相同"
            } else if m.starts_with("official") {
                "规范用语：请至少填写一个，每个 1–40 个字"
            } else if m.starts_with("id") {
                "卡片标识：须为 1–40 个小写字母、数字或下划线"
            } else if m.starts_with("title") {
                "标题：须为 1–40 个字"
            } else if m.starts_with("keywords") {
                "触发词：请至少填写一个"
            } else if m.starts_with("links") {
                "链接：每行“标题|搜索词”，最多 10 条"
            } else {
                "填写的内容有误，请检查后重新提交"
            };
            (StatusCode::BAD_REQUEST, text.into())
        }
        DictionaryError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "本级词库中没有该词条（可能已被删除）".into(),
        ),
        e => {
            tracing::error!(error = %e, "console: dictionary change failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统暂时无法处理，请稍后再试".into(),
            )
        }
    }
}

/// `?q=&source=&page=&done=` of the dictionary page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ListQuery {
    q: String,
    source: String,
    page: usize,
    done: String,
}

#[derive(Debug, Serialize)]
struct Row {
    colloquial: String,
    official: String,
    category: String,
    source: String,
    here: bool,
    removed: bool,
    overrides: Option<String>,
    updated: Option<String>,
    edit: String,
}

fn row(node: &AppState, e: EffectiveSynonym) -> Row {
    Row {
        edit: format!(
            "/admin/search/synonym?phrase={}",
            encode_component(&e.colloquial)
        ),
        here: e.source == EntrySource::Here,
        removed: e.official.is_empty(),
        official: e.official.join("、"),
        category: e.category,
        source: source_label(node, &e.source),
        overrides: e.overrides.as_ref().map(|s| source_label(node, s)),
        updated: (e.updated_ms > 0).then(|| shown(e.updated_ms)),
        colloquial: e.colloquial,
    }
}

/// `GET /admin/search`: the dictionary.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    let Some(may_change) = access(&staff) else {
        return not_allowed(&node, &staff, false);
    };
    let mut frame = staff.frame(&node.node);
    frame.notice = match q.done.as_str() {
        "saved" => Some("已保存，本级及下级节点将按新词条搜索".into()),
        "removed" => Some("已删除，本级及下级节点不再按该词条扩展搜索".into()),
        _ => None,
    };
    let (entries, history) = match (
        node.dictionary.effective_synonyms().await,
        node.dictionary.history(HISTORY).await,
    ) {
        (Ok(e), Ok(h)) => (e, h),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "console: reading the dictionary failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "暂时无法读取词库，请稍后再试",
                "/admin/",
            );
        }
    };
    let needle = q.q.trim().to_lowercase();
    let matching: Vec<EffectiveSynonym> = entries
        .into_iter()
        .filter(|e| {
            needle.is_empty()
                || e.colloquial.to_lowercase().contains(&needle)
                || e.official
                    .iter()
                    .any(|o| o.to_lowercase().contains(&needle))
        })
        .filter(|e| match q.source.as_str() {
            "shipped" => e.source == EntrySource::Shipped,
            "inherited" => matches!(e.source, EntrySource::Inherited(_)),
            "here" => e.source == EntrySource::Here,
            _ => true,
        })
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let current = q.page.clamp(1, pages);
    let rows: Vec<Row> = matching
        .into_iter()
        .skip((current - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|e| row(&node, e))
        .collect();
    let link = |p: usize| {
        format!(
            "/admin/search?q={}&source={}&page={p}",
            encode_component(q.q.trim()),
            encode_component(&q.source)
        )
    };
    let me = node.federation.me().to_string();
    let history: Vec<serde_json::Value> = history
        .into_iter()
        .map(|h| {
            let what = match (&h.value, h.kind.as_str()) {
                (None, "topic") => "删除专题卡片".to_string(),
                (None, _) => "删除词条".to_string(),
                (Some(v), "topic") => format!(
                    "设置专题卡片“{}”",
                    v["title"].as_str().unwrap_or_default()
                ),
                (Some(v), _) => {
                    let official: Vec<&str> = v["official"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|o| o.as_str())
                        .collect();
                    if official.is_empty() {
                        "删除词条（不再沿用上级）".to_string()
                    } else {
                        format!("设为：{}", official.join("、"))
                    }
                }
            };
            serde_json::json!({
                "at": shown(h.at_ms),
                "level": if h.origin == me { "本级".to_string() } else { node_name(&node, &h.origin) },
                "item": h.item,
                "what": what,
                "by": if h.by_user == govnode_search::dictionary::SHIPPED_BY { "平台词库".to_string() } else if h.by_user.is_empty() { "—".to_string() } else { h.by_user },
            })
        })
        .collect();
    render(
        StatusCode::OK,
        "search_dictionary.html",
        &frame,
        serde_json::json!({
            "tab": "dictionary",
            "may_change": may_change,
            "level": node_name(&node, &me),
            "q": q.q.trim(),
            "source": q.source,
            "rows": rows,
            "total": total,
            "page": current,
            "pages": pages,
            "prev": (current > 1).then(|| link(current - 1)),
            "next": (current < pages).then(|| link(current + 1)),
            "history": history,
        }),
    )
}

/// `?phrase=` of the synonym form (prefilled when the phrase is known).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SynonymQuery {
    phrase: String,
}

/// The synonym form, with `error` when a save was refused.
async fn synonym_form(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    values: (&str, &str, &str),
    error: Option<String>,
) -> Response {
    let frame = staff.frame(&node.node);
    let (phrase, official, category) = values;
    let known = match node.dictionary.effective_synonyms().await {
        Ok(list) => list
            .into_iter()
            .find(|e| e.colloquial == phrase.trim() && !e.official.is_empty()),
        Err(e) => {
            tracing::warn!(error = %e, "console: reading the dictionary failed");
            None
        }
    };
    let (official, category) = match (&known, error.is_some() || !official.is_empty()) {
        (Some(k), false) => (k.official.join("\n"), k.category.clone()),
        _ => (official.to_string(), category.to_string()),
    };
    render(
        status,
        "search_synonym.html",
        &frame,
        serde_json::json!({
            "tab": "dictionary",
            "error": error,
            "phrase": phrase.trim(),
            "official": official,
            "category": category,
            "known": known.as_ref().map(|k| source_label(node, &k.source)),
            "inherited": known.as_ref().is_some_and(|k| k.source != EntrySource::Here),
        }),
    )
}

/// `GET /admin/search/synonym?phrase=`: add, change or override a phrase.
pub(super) async fn synonym(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<SynonymQuery>,
) -> Response {
    match access(&staff) {
        Some(true) => {}
        Some(false) => return not_allowed(&node, &staff, true),
        None => return not_allowed(&node, &staff, false),
    }
    synonym_form(&node, &staff, StatusCode::OK, (&q.phrase, "", ""), None).await
}

/// The synonym form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SynonymForm {
    csrf: String,
    colloquial: String,
    official: String,
    category: String,
}

/// `POST /admin/search/synonyms`: `csrf`, `colloquial`, `official` (one per line),
/// `category`.
pub(super) async fn save_synonym(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<SynonymForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    match access(&staff) {
        Some(true) => {}
        Some(false) => return not_allowed(&node, &staff, true),
        None => return not_allowed(&node, &staff, false),
    }
    let again = |status, text: String| {
        synonym_form(
            &node,
            &staff,
            status,
            (&f.colloquial, &f.official, &f.category),
            Some(text),
        )
    };
    if f.colloquial.trim().is_empty() {
        return again(StatusCode::BAD_REQUEST, "群众说法：请填写".into()).await;
    }
    let official = terms(&f.official);
    if official.is_empty() {
        return again(
            StatusCode::BAD_REQUEST,
            "规范用语：请至少填写一个（每行一个）".into(),
        )
        .await;
    }
    let s = Synonym {
        colloquial: f.colloquial.trim().to_string(),
        official,
        category: f.category.trim().to_string(),
    };
    match node
        .dictionary
        .put_synonym(s, staff.signed_in.access.person())
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/search?q={}&done=saved",
            encode_component(f.colloquial.trim())
        )),
        Err(e) => {
            let (status, text) = chinese(&e);
            again(status, text).await
        }
    }
}

/// The removal form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RemoveForm {
    csrf: String,
    colloquial: String,
}

/// `POST /admin/search/synonyms/remove`: `csrf`, `colloquial` (hides an inherited phrase
/// at this level and below).
pub(super) async fn remove_synonym(
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
        .remove_synonym(f.colloquial.trim(), staff.signed_in.access.person())
        .await
    {
        Ok(_) => see_other("/admin/search?done=removed"),
        Err(e) => {
            let (status, text) = chinese(&e);
            refused(status, &staff.frame(&node.node), &text, "/admin/search")
        }
    }
}

/// 搜索管理's routes.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/search", get(page))
        .route("/admin/search/synonym", get(synonym))
        .route("/admin/search/synonyms", post(save_synonym))
        .route("/admin/search/synonyms/remove", post(remove_synonym))
        .route(
            "/admin/search/topics",
            get(super::search_topics::page).post(super::search_topics::save),
        )
        .route("/admin/search/topics/edit", get(super::search_topics::edit))
        .route(
            "/admin/search/topics/remove",
            post(super::search_topics::remove),
        )
        .route(
            "/admin/search/analytics",
            get(super::search_analytics::page),
        )
        .route("/admin/search/try", get(super::search_try::page))
}
