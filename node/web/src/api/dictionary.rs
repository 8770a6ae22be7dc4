//! Search administration: the synonym dictionary (百姓体词库), topic cards, their
//! versions and history, and query analytics.
//!
//! Dictionary changes are made at this node's level (platform administrators); they are
//! signed entries, so they reach the levels below, which may add their own.

use axum::Router;
use axum::routing::{get, put};
use govnode_search::QueryAnalytics;
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use govnode_accounts::Action;
use govnode_search::{Synonym, TopicCard, TopicLink};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// The search dictionary (synonyms, topic cards, history) and the query analytics.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/search/synonyms", get(list_synonyms))
        .route(
            "/api/admin/search/synonyms/{colloquial}",
            put(put_synonym).delete(delete_synonym),
        )
        .route("/api/admin/search/topics", get(list_topics))
        .route(
            "/api/admin/search/topics/{id}",
            put(put_topic).delete(delete_topic),
        )
        .route("/api/admin/search/history", get(history))
        .route("/api/admin/search/queries", get(queries))
}

async fn versions(node: &AppState) -> Result<Value, ApiError> {
    let v = node.dictionary.versions().await?;
    Ok(v.into_iter()
        .map(|(o, n)| (o, json!(n)))
        .collect::<serde_json::Map<_, _>>()
        .into())
}

async fn changed(node: &AppState, version: u64) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "version": version, "versions": versions(node).await? }),
    ))
}

/// `GET /api/admin/search/synonyms`: the lineage's entries and the effective dictionary.
pub async fn list_synonyms(
    State(node): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let rows = node.dictionary.synonyms().await?;
    let effective = node.search.lexicon().len();
    Ok(Json(json!({
        "node": node.federation.me(), "versions": versions(&node).await?,
        "effective_phrases": effective, "entries": rows,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymBody {
    official: Vec<String>,
    #[serde(default)]
    category: String,
}

/// `PUT /api/admin/search/synonyms/{colloquial}`: sets a phrase at this level.
pub async fn put_synonym(
    State(node): State<AppState>,
    caller: Caller,
    Path(colloquial): Path<String>,
    ApiJson(body): ApiJson<SynonymBody>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let s = Synonym {
        colloquial,
        official: body.official,
        category: body.category,
    };
    let version = node.dictionary.put_synonym(s, &caller.0.name).await?;
    changed(&node, version).await
}

/// `DELETE /api/admin/search/synonyms/{colloquial}`: removes a phrase at this level (an
/// inherited one is hidden here and below).
pub async fn delete_synonym(
    State(node): State<AppState>,
    caller: Caller,
    Path(colloquial): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let version = node
        .dictionary
        .remove_synonym(&colloquial, &caller.0.name)
        .await?;
    changed(&node, version).await
}

/// `GET /api/admin/search/topics`: topic cards of the lineage.
pub async fn list_topics(
    State(node): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(json!({
        "versions": versions(&node).await?, "entries": node.dictionary.topics().await?,
        "effective": node.search.lexicon().topics(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicBody {
    title: String,
    #[serde(default)]
    summary: String,
    keywords: Vec<String>,
    #[serde(default)]
    links: Vec<TopicLink>,
}

/// `PUT /api/admin/search/topics/{id}`: sets a topic card at this level.
pub async fn put_topic(
    State(node): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TopicBody>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let card = TopicCard {
        id,
        title: body.title,
        summary: body.summary,
        keywords: body.keywords,
        links: body.links,
    };
    let version = node.dictionary.put_topic(card, &caller.0.name).await?;
    changed(&node, version).await
}

/// `DELETE /api/admin/search/topics/{id}`.
pub async fn delete_topic(
    State(node): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let version = node.dictionary.remove_topic(&id, &caller.0.name).await?;
    changed(&node, version).await
}

fn number(p: &HashMap<String, String>, key: &str, default: i64, max: i64) -> Result<i64, ApiError> {
    match p.get(key) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("{key}: `{s}` is not a number from 1 to {max}"))
            }),
    }
}

/// `GET /api/admin/search/history?limit=`: the latest dictionary changes of the lineage.
pub async fn history(
    State(node): State<AppState>,
    caller: Caller,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let limit = number(&p, "limit", 100, 1000)?;
    Ok(Json(json!({
        "versions": versions(&node).await?, "changes": node.dictionary.history(limit).await?,
    })))
}

/// `GET /api/admin/search/queries?site=&days=&limit=`: query analytics (aggregates).
/// Platform administrators see every site; a site administrator sees their site.
pub async fn queries(
    State(analytics): State<QueryAnalytics>,
    caller: Caller,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let site = p.get("site").filter(|s| !s.is_empty()).map(String::as_str);
    match site {
        Some(site) => caller.require(Action::ManageSite, Some(site))?,
        None => caller.require(Action::ManagePlatform, None)?,
    }
    let days = number(&p, "days", 30, 366)?;
    let limit = number(&p, "limit", 20, 200)?;
    analytics.flush().await?;
    let report = analytics.report(site, days, limit).await?;
    Ok(Json(
        serde_json::to_value(report).map_err(ApiError::internal)?,
    ))
}
