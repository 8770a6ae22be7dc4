//! 搜索管理 · 试一试 (`/admin/search/try?q=&scope=`): how a query is understood — the
//! segmentation, the parts that must match and their readings (synonyms, pinyin), the
//! question words left out, a typo's correction — and what one-net search answers, with
//! the node that answered and the nodes whose documents were missing. Not counted in the
//! query analytics.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_search::federated::FederatedError;
use govnode_search::{
    MAX_QUERY_CHARS, QueryExplanation, ReadingKind, SearchError, SearchQuery, SearchRequest,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::search::{access, node_name, not_allowed};
use super::staff::Staff;
use super::{refused, render};
use crate::AppState;

/// Scopes offered: (value, name).
const SCOPES: [(&str, &str); 3] = [
    ("", "本节点持有的全部信息"),
    ("node", "仅本级"),
    ("province", "全省"),
];

/// `?q=&scope=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TryQuery {
    q: String,
    scope: String,
}

fn kind_label(kind: ReadingKind) -> &'static str {
    match kind {
        ReadingKind::Typed => "原词",
        ReadingKind::Synonym => "同义词",
        ReadingKind::Pinyin => "拼音",
    }
}

fn explained(e: &QueryExplanation) -> Value {
    let parts: Vec<Value> = e
        .parts
        .iter()
        .map(|p| {
            json!({
                "optional": p.optional,
                "readings": p.readings.iter().map(|r| json!({
                    "kind": kind_label(r.kind),
                    "words": r.words.join(" "),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "normalized": e.normalized,
        "tokens": e.tokens,
        "parts": parts,
        "dropped": e.dropped,
        "correction": e.correction,
        "correction_sure": e.correction_sure,
    })
}

/// `GET /admin/search/try?q=&scope=`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(t): Query<TryQuery>,
) -> Response {
    if access(&staff).is_none() {
        return not_allowed(&node, &staff, false);
    }
    let frame = staff.frame(&node.node);
    let q = t.q.trim().to_string();
    let scope = SCOPES
        .iter()
        .find(|(v, _)| *v == t.scope)
        .map_or("", |(v, _)| *v);
    let scopes: Vec<Value> = SCOPES
        .iter()
        .map(|(v, n)| json!({ "value": v, "name": n, "selected": *v == scope }))
        .collect();
    let mut status = StatusCode::OK;
    let mut error: Option<String> = None;
    let mut explanation = None;
    let mut answer = None;
    let len = q.chars().count();
    if len > MAX_QUERY_CHARS {
        status = StatusCode::BAD_REQUEST;
        error = Some(format!(
            "搜索词：不能超过 {MAX_QUERY_CHARS} 字（现为 {len} 字）"
        ));
    } else if !q.is_empty() {
        let index = node.search.clone();
        let text = q.clone();
        match tokio::task::spawn_blocking(move || index.explain(&text)).await {
            Ok(Ok(e)) => explanation = Some(explained(&e)),
            Ok(Err(SearchError::EmptyQuery)) => {
                error = Some("搜索词：只有标点或疑问词，没有可搜索的内容".into());
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "console: explaining a query failed"),
            Err(e) => tracing::warn!(error = %e, "console: explaining a query failed"),
        }
        if explanation.is_some() {
            let req = SearchRequest {
                query: SearchQuery {
                    text: q.clone(),
                    per_page: 10,
                    ..SearchQuery::default()
                },
                scope: (!scope.is_empty()).then(|| scope.to_string()),
                level: None,
            };
            match node.one_net.search_uncounted(&req).await {
                Ok(a) => {
                    let hits: Vec<Value> = a
                        .hits
                        .iter()
                        .map(|h| {
                            json!({
                                "title": h.title,
                                "url": h.url,
                                "site": h.site_name,
                                "node": node_name(&node, &h.origin),
                                "type": h.type_label,
                            })
                        })
                        .collect();
                    answer = Some(json!({
                        "total": a.total,
                        "took_ms": a.took_ms,
                        "hits": hits,
                        "answered_by": node_name(&node, &a.answered_by.to_string()),
                        "partial": a.partial,
                        "missing": a.missing.iter().map(|m| node_name(&node, m)).collect::<Vec<_>>(),
                        "corrected": a.corrected,
                        "relaxed": a.relaxed,
                        "exact_total": a.exact_total,
                        "topics": a.topics.iter().map(|c| c.title.clone()).collect::<Vec<_>>(),
                    }));
                }
                Err(FederatedError::Search(SearchError::EmptyQuery)) => {}
                Err(e) => {
                    tracing::error!(error = %e, "console: trying a query failed");
                    return refused(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &frame,
                        "暂时无法搜索，请稍后再试",
                        "/admin/search/try",
                    );
                }
            }
        }
    }
    render(
        status,
        "search_try.html",
        &frame,
        json!({
            "tab": "try",
            "q": q,
            "scopes": scopes,
            "error": error,
            "explanation": explanation,
            "answer": answer,
        }),
    )
}
