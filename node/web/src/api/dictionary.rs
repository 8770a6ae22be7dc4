//! Search administration: the synonym dictionary (百姓体词库), topic cards, their
//! versions and history, and query analytics.
//!
//! Dictionary changes are made at this node's level (platform administrators); they are
//! signed entries, so they reach the levels below, which may add their own.

use govnode_search::Dictionary;
use govnode_search::QueryAnalytics;
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use govnode_accounts::Action;
use govnode_search::{Synonym, TopicCard, TopicLink};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// The search dictionary (synonyms, topic cards, history) and the query analytics.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_synonyms))
        .routes(routes!(put_synonym, delete_synonym))
        .routes(routes!(list_topics))
        .routes(routes!(put_topic, delete_topic))
        .routes(routes!(history))
        .routes(routes!(queries))
}

async fn versions(dictionary: &Dictionary) -> Result<Value, ApiError> {
    let v = dictionary.versions().await?;
    Ok(v.into_iter()
        .map(|(o, n)| (o, json!(n)))
        .collect::<serde_json::Map<_, _>>()
        .into())
}

async fn changed(dictionary: &Dictionary, version: u64) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "version": version, "versions": versions(dictionary).await? }),
    ))
}

/// The synonym dictionary of this node's lineage
///
/// Platform administrators. `{node, versions, effective_phrases, entries}`: the entries of
/// every level (root first), each level's version, and the number of phrases in effect.
#[utoipa::path(
    get,
    path = "/api/admin/search/synonyms",
    tag = "dictionary",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{node, versions, effective_phrases, entries}`", body = Object),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
    ),
)]
pub async fn list_synonyms(
    State(node): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let rows = node.dictionary.synonyms().await?;
    let effective = node.search.lexicon().len();
    Ok(Json(json!({
        "node": node.federation.me(), "versions": versions(&node.dictionary).await?,
        "effective_phrases": effective, "entries": rows,
    })))
}

/// What a colloquial phrase means.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SynonymBody {
    /// Official terms, most specific first: 1–10, each of 1–40 characters, not the
    /// colloquial phrase itself.
    #[schema(
        min_items = 1,
        max_items = 10,
        max_length = 40,
        pattern = r"[^\s\u0000-\u001f\u007f-\u009f]"
    )]
    official: Vec<String>,
    /// Domain, e.g. "business".
    #[serde(default)]
    category: String,
}

/// Set a colloquial phrase at this level
///
/// Platform administrators. A signed entry: it reaches the levels below. Answers
/// `{version, versions}`: the new version of this level's dictionary, and every level's.
#[utoipa::path(
    put,
    path = "/api/admin/search/synonyms/{colloquial}",
    tag = "dictionary",
    security(("bearer" = [])),
    params(("colloquial" = String, Path, description = "The phrase citizens type, e.g. 开公司", min_length = 2, max_length = 20, pattern = r"[0-9A-Za-z\u4e00-\u9fff]")),
    request_body = SynonymBody,
    responses(
        (status = 200, description = "`{version, versions}`", body = Object),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_synonym(
    State(dictionary): State<Dictionary>,
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
    let version = dictionary.put_synonym(s, &caller.0.name).await?;
    changed(&dictionary, version).await
}

/// Remove a phrase at this level
///
/// Platform administrators. An inherited phrase is hidden here and below. Answers
/// `{version, versions}`.
#[utoipa::path(
    delete,
    path = "/api/admin/search/synonyms/{colloquial}",
    tag = "dictionary",
    security(("bearer" = [])),
    params(("colloquial" = String, Path, description = "The phrase", min_length = 2, max_length = 20, pattern = r"[0-9A-Za-z\u4e00-\u9fff]")),
    responses(
        (status = 200, description = "`{version, versions}`", body = Object),
        (status = 400, description = "Not a phrase", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 404, description = "No such phrase in the lineage", body = ErrorBody),
    ),
)]
pub async fn delete_synonym(
    State(dictionary): State<Dictionary>,
    caller: Caller,
    Path(colloquial): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let version = dictionary
        .remove_synonym(&colloquial, &caller.0.name)
        .await?;
    changed(&dictionary, version).await
}

/// Topic cards of the lineage
///
/// Platform administrators. `{versions, entries, effective}`: every level's entries and
/// the cards in effect.
#[utoipa::path(
    get,
    path = "/api/admin/search/topics",
    tag = "dictionary",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{versions, entries, effective}`", body = Object),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
    ),
)]
pub async fn list_topics(
    State(node): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(json!({
        "versions": versions(&node.dictionary).await?, "entries": node.dictionary.topics().await?,
        "effective": node.search.lexicon().topics(),
    })))
}

/// A topic card (专题卡片) shown above results for a high-frequency scenario.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicBody {
    /// Title, e.g. 社会保障.
    #[schema(min_length = 1, max_length = 40, pattern = r"[^\s\u0085]")]
    title: String,
    /// One sentence.
    #[serde(default)]
    summary: String,
    /// Words that make a query match the card, 1–50.
    #[schema(
        min_items = 1,
        max_items = 50,
        pattern = r"[^\s\u0000-\u001f\u007f-\u009f]"
    )]
    keywords: Vec<String>,
    /// Links, each `{title, q}`: its text and the search it runs; at most 12.
    #[serde(default)]
    #[schema(max_items = 12)]
    links: Vec<TopicLink>,
}

/// Set a topic card at this level
///
/// Platform administrators. A signed entry: it reaches the levels below. Answers
/// `{version, versions}`.
#[utoipa::path(
    put,
    path = "/api/admin/search/topics/{id}",
    tag = "dictionary",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Card id: lowercase letters, digits, _", pattern = r"^[a-z0-9_]{1,40}$")),
    request_body = TopicBody,
    responses(
        (status = 200, description = "`{version, versions}`", body = Object),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_topic(
    State(dictionary): State<Dictionary>,
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
    let version = dictionary.put_topic(card, &caller.0.name).await?;
    changed(&dictionary, version).await
}

/// Remove a topic card at this level
///
/// Platform administrators. Answers `{version, versions}`.
#[utoipa::path(
    delete,
    path = "/api/admin/search/topics/{id}",
    tag = "dictionary",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Card id", pattern = r"^[a-z0-9_]{1,40}$")),
    responses(
        (status = 200, description = "`{version, versions}`", body = Object),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 404, description = "No such card in the lineage", body = ErrorBody),
    ),
)]
pub async fn delete_topic(
    State(dictionary): State<Dictionary>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let version = dictionary.remove_topic(&id, &caller.0.name).await?;
    changed(&dictionary, version).await
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

/// Dictionary changes of the lineage
///
/// Platform administrators. Newest first: `{versions, changes}`.
#[utoipa::path(
    get,
    path = "/api/admin/search/history",
    tag = "dictionary",
    security(("bearer" = [])),
    params(("limit" = Option<i64>, Query, description = "Most changes, 1–1000 (default 100)", minimum = 1, maximum = 1000)),
    responses(
        (status = 200, description = "`{versions, changes}`", body = Object),
        (status = 400, description = "`limit` out of range", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
    ),
)]
pub async fn history(
    State(dictionary): State<Dictionary>,
    caller: Caller,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let limit = number(&p, "limit", 100, 1000)?;
    Ok(Json(json!({
        "versions": versions(&dictionary).await?, "changes": dictionary.history(limit).await?,
    })))
}

/// Query analytics
///
/// Daily aggregates per site and normalised query (digit runs of 6+ masked): totals, top
/// queries, zero-result queries, searches per site. Platform administrators see every site;
/// a site administrator names their site with `site`.
#[utoipa::path(
    get,
    path = "/api/admin/search/queries",
    tag = "dictionary",
    security(("bearer" = [])),
    params(
        ("site" = Option<String>, Query, description = "One site's queries"),
        ("days" = Option<i64>, Query, description = "Days back, 1–366 (default 30)", minimum = 1, maximum = 366),
        ("limit" = Option<i64>, Query, description = "Most queries per list, 1–200 (default 20)", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "`{days, since, site, searches, distinct_queries, zero_result_searches, sites, top_queries, zero_result_queries, below}`: the report (`below`: the levels below, null for one site)", body = Object),
        (status = 400, description = "`days` or `limit` out of range", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site (or of the platform, without `site`)", body = ErrorBody),
    ),
)]
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
