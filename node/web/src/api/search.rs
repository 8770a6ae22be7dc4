//! `GET /api/search`: one-net search (一网通查) over a scope, with facets, result groups,
//! topic cards, synonyms, pinyin and typo correction, and `GET /api/search/shards`. The
//! search itself (scopes, forwarding, partial answers) is the search module's
//! [`OneNetSearch`]; this file only turns query parameters into its typed request.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use govnode_search::{OneNetSearch, SearchAnswer, SearchQuery, SearchRequest, Sort};
use govnode_topology::Tier;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::openapi::ErrorBody;
use crate::common::error::ApiError;

/// One-net search and its shards.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(shards))
}

/// Hits per page of the API and the search page.
pub(crate) const PER_PAGE: usize = 10;

/// One-net search
///
/// Full-text search (一网通查) over the published documents of a scope, with facets, result
/// groups, topic cards, synonyms, pinyin and typo correction. A scope this node does not hold
/// is forwarded to the lowest ancestor that holds it, then further up; if none answers in
/// time, the answer is what this node holds, with `partial` and the `missing` shards.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(
        ("q" = String, Query, description = "The query text, 1–200 characters with a letter, digit or Chinese character (a query of stop words only, e.g. `AND`, is refused)", min_length = 1, max_length = 200, pattern = r"[0-9A-Za-z\u4e00-\u9fff]"),
        ("scope" = Option<String>, Query, description = "site (needs `site`), node, region:<id>, province; absent: everything this node holds", pattern = r"^(|site|node|province|region:(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2}))$"),
        ("site" = Option<String>, Query, description = "One site"),
        ("type" = Option<String>, Query, description = "Document type code", pattern = r"^(|news|notice|policy|interpretation|guide|qa|topic|law|report)$"),
        ("origin" = Option<String>, Query, description = "Documents of one origin node (id)"),
        ("year" = Option<i32>, Query, description = "Publication year (Beijing time), 1949–2100", minimum = 1949, maximum = 2100),
        ("issuing_body" = Option<String>, Query, description = "Issuing body, verbatim (a value of its facet), at most 100 characters", max_length = 100),
        ("level" = Option<String>, Query, description = "Level of the origin node: province, city, county", pattern = r"^(|province|city|county)$"),
        ("sort" = Option<String>, Query, description = "relevance (default) or date", pattern = r"^(|relevance|date)$"),
        ("group" = Option<String>, Query, description = "1 or true: also the best hits per result group on page 1", pattern = r"^(|0|1|true|false)$"),
        ("literal" = Option<String>, Query, description = "1 or true: only what was typed (no typo correction)", pattern = r"^(|0|1|true|false)$"),
        ("page" = Option<usize>, Query, description = "Page, 1–1000 (10 hits a page)", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "The page of hits, facets, groups, topic cards and how the query was read; `relaxed` when too few documents held every word and documents holding most of them follow", body = SearchAnswer),
        (status = 400, description = "A bad parameter (named), a query that is empty or too long, a query of stop words only, or `scope=site` without `site`", body = ErrorBody),
        (status = 404, description = "`scope` names a region that is not in the tree", body = ErrorBody),
    ),
)]
async fn search(
    State(one_net): State<OneNetSearch>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<SearchAnswer>, ApiError> {
    Ok(Json(one_net.search(request(&p)?).await?))
}

/// A search request from query parameters; errors name the parameter.
pub(crate) fn request(p: &HashMap<String, String>) -> Result<SearchRequest, ApiError> {
    let level = match p.get("level").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some("province") => Some(Tier::Province),
        Some("city") => Some(Tier::City),
        Some("county") => Some(Tier::County),
        Some(l) => {
            return Err(ApiError::bad_request(format!(
                "level: `{l}` is not a level (province, city, county)"
            )));
        }
        None => None,
    };
    Ok(SearchRequest {
        query: parse(p)?,
        scope: p.get("scope").cloned(),
        level,
    })
}

fn flag(p: &HashMap<String, String>, key: &str) -> Result<bool, ApiError> {
    match p.get(key).map(String::as_str) {
        None | Some("" | "0" | "false") => Ok(false),
        Some("1" | "true") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "{key}: `{other}` is not a flag (1, true, 0, false)"
        ))),
    }
}

/// Parses the query parameters into a search (scope origins applied by the caller).
fn parse(p: &HashMap<String, String>) -> Result<SearchQuery, ApiError> {
    let nonempty = |k: &str| {
        p.get(k)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let page = match p.get("page") {
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("page: `{s}` is not a page number (1–1000)"))
            })?,
        None => 1,
    };
    if let Some(t) = nonempty("type")
        && govnode_library::doc_type(&t).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "type: `{t}` is not a document type"
        )));
    }
    let year = match nonempty("year") {
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (1949..=2100).contains(y))
                .ok_or_else(|| {
                    ApiError::bad_request(format!("year: `{y}` is not a year (1949–2100)"))
                })?,
        ),
        None => None,
    };
    let sort = match nonempty("sort").as_deref() {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "sort: `{other}` is not an order (relevance, date)"
            )));
        }
    };
    if let Some(body) = nonempty("issuing_body")
        && body.chars().count() > 100
    {
        return Err(ApiError::bad_request(
            "issuing_body: at most 100 characters",
        ));
    }
    Ok(SearchQuery {
        text: p.get("q").cloned().unwrap_or_default(),
        site: nonempty("site"),
        doc_type: nonempty("type"),
        origin: nonempty("origin"),
        origins: None,
        year,
        issuing_body: nonempty("issuing_body"),
        sort,
        group: flag(p, "group")?,
        literal: flag(p, "literal")?,
        strict: false,
        page,
        per_page: PER_PAGE,
    })
}

/// The shards this node holds
///
/// The per-origin parts of the index (its own, its subtree's, its lineage's) with entries
/// applied, the last entry's time and live documents.
#[utoipa::path(
    get,
    path = "/api/search/shards",
    tag = "search",
    responses((status = 200, description = "`{node, shards}`, each `{shard, name, tier, held_as, entries, last_entry_ms, updated_ms, documents}`", body = Object)),
)]
async fn shards(State(node): State<AppState>) -> Result<Json<Value>, ApiError> {
    let fed = &node.federation;
    let me = fed.me();
    let tree = fed.topology();
    let heads = fed.heads().await.map_err(ApiError::internal)?;
    let documents = node.content.count_published_by_origin().await?;
    let list: Vec<Value> = heads
        .iter()
        .filter(|h| fed.related(me, h.origin))
        .map(|h| {
            let role = if h.origin == me {
                "own"
            } else if fed.is_ancestor(me, h.origin) {
                "subtree"
            } else {
                "lineage"
            };
            json!({
                "shard": h.origin, "name": tree.get(h.origin).map(|n| n.name.clone()),
                "tier": tree.get(h.origin).map_or(h.origin.tier(), |n| n.tier), "held_as": role,
                "entries": h.seq, "last_entry_ms": govnode_federation::millis_of(h.hlc), "updated_ms": h.updated_ms,
                "documents": documents.get(h.origin.as_str()).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(json!({ "node": me, "shards": list })))
}
