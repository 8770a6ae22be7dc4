//! `GET /api/search`: one-net search (一网通查) over a scope, with facets, result groups,
//! topic cards, synonyms, pinyin and typo correction; forwarded over the federation when
//! this node does not hold the scope.

use axum::Router;
use axum::routing::get;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use govnode_search::{Hit, SearchQuery, SearchResults, Sort};
use govnode_topology::Tier;
use serde_json::{Value, json};

use crate::AppState;
use crate::common::error::ApiError;

/// One-net search and its shards.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(search))
        .route("/api/search/shards", get(super::scope::shards))
}

/// Hits per page of the API and the search page.
pub(crate) const PER_PAGE: usize = 10;

/// Runs a search on the blocking pool, recording metrics.
pub async fn run_search(node: &AppState, q: SearchQuery) -> Result<SearchResults, ApiError> {
    let index = node.search.clone();
    let started = Instant::now();
    let r = tokio::task::spawn_blocking(move || index.search(&q))
        .await
        .map_err(ApiError::internal)??;
    node.metrics.searches.inc();
    node.metrics
        .search_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(r)
}

/// `GET /api/search?q=&scope=&site=&type=&year=&issuing_body=&level=&sort=&group=&literal=&page=`
pub async fn search(
    State(node): State<AppState>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(search_json(&node, &p, true).await?))
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
        page,
        per_page: PER_PAGE,
    })
}

/// Runs a search from its query parameters. A scope this node does not hold is, when
/// `forward` is set, sent to the lowest ancestor that holds it (then further up); if none
/// answers in time, the answer is what this node holds, marked partial.
pub(crate) async fn search_json(
    node: &AppState,
    p: &HashMap<String, String>,
    forward: bool,
) -> Result<Value, ApiError> {
    let mut q = parse(p)?;
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
    let scope = super::scope::resolve(node, p.get("scope").map(String::as_str), q.site.as_deref())?;
    if forward && !scope.missing.is_empty() {
        match super::scope::forward(node, &scope, p).await {
            Ok(answer) => {
                record(node, &q, &answer);
                return Ok(answer);
            }
            Err(why) => {
                tracing::info!(scope = %scope.name, why, "scope not reachable; answering from held shards")
            }
        }
    }
    let tree = node.federation.topology();
    q.origins = scope.origins.clone();
    if let Some(level) = level {
        let at_level: Vec<String> = tree
            .nodes()
            .filter(|n| n.tier == level)
            .map(|n| n.id.to_string())
            .filter(|id| q.origins.as_ref().is_none_or(|o| o.contains(id)))
            .collect();
        q.origins = Some(at_level);
    }
    let page = q.page;
    let r = run_search(node, q.clone()).await?;
    let sites: HashMap<String, govnode_content::Site> = node
        .content
        .sites()
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let down = owners_down(node);
    let hit = |h: &Hit| hit_json(node, h, &sites, &down);
    let hits: Vec<Value> = r.hits.iter().map(hit).collect();
    let groups: Vec<Value> = r
        .groups
        .iter()
        .map(|g| json!({ "code": g.code, "label": g.label, "total": g.total, "hits": g.hits.iter().map(hit).collect::<Vec<_>>() }))
        .collect();
    let types: serde_json::Map<String, Value> = r
        .type_counts
        .iter()
        .map(|(t, n)| (t.clone(), json!(n)))
        .collect();
    let answer = json!({
        "total": r.total, "took_ms": r.took_ms, "page": page, "per_page": PER_PAGE, "hits": hits,
        "types": types, "facets": facets_json(node, &r, &sites), "groups": groups, "topics": r.topics,
        "normalized": r.normalized, "expansions": r.expansions,
        "corrected": r.corrected, "did_you_mean": r.corrected,
        "scope": scope.name, "partial": !scope.missing.is_empty(), "missing": scope.missing,
        "answered_by": node.federation.me(),
    });
    if forward {
        record(node, &q, &answer);
    }
    Ok(answer)
}

/// Counts the search in the query analytics (where it was asked, not where answered).
fn record(node: &AppState, q: &SearchQuery, answer: &Value) {
    let total = answer["total"].as_u64().unwrap_or(0) as usize;
    let normalized = answer["normalized"].as_str().unwrap_or(&q.text);
    node.analytics.record(q.site.as_deref(), normalized, total);
}

/// Owners this node knows to be unreachable: peers it syncs with that are disconnected.
fn owners_down(node: &AppState) -> Vec<String> {
    node.sync
        .get()
        .map(|s| {
            s.peers()
                .into_iter()
                .filter(|p| !p.connected)
                .filter_map(|p| p.node.map(|n| n.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A hit with its level, its owner's link, and this node's replica link when it holds one.
fn hit_json(
    node: &AppState,
    h: &Hit,
    sites: &HashMap<String, govnode_content::Site>,
    down: &[String],
) -> Value {
    let tree = node.federation.topology();
    let tier = h
        .origin
        .parse()
        .ok()
        .and_then(|id| tree.get(id))
        .map(|n| n.tier);
    let site = sites.get(&h.site);
    let site_path = h
        .url
        .strip_prefix(&format!("/sites/{}", h.site))
        .unwrap_or("");
    let owner_url = site.and_then(|s| s.hosts.first()).map(|host| {
        format!(
            "https://{host}{}",
            if site_path.is_empty() { "/" } else { site_path }
        )
    });
    let replica = site.is_some_and(|s| node.content.is_replica(s));
    let owner_down = down.contains(&h.origin);
    // Own sites link here; a replica links to its owner's host unless the owner is known
    // to be down, then to the copy here.
    let url = match (&owner_url, replica && !owner_down) {
        (Some(owner), true) => owner.clone(),
        _ => h.url.clone(),
    };
    json!({
        "title": h.title, "url": url, "path": h.url, "owner_url": owner_url,
        "replica_url": replica.then(|| h.url.clone()), "owner_down": owner_down,
        "snippet": h.snippet, "site": h.site, "site_name": h.site_name, "origin": h.origin,
        "level": tier.map(|t| t.to_string()), "level_label": tier.map(|t| t.label()),
        "type": h.doc_type, "type_label": govnode_library::doc_type_label(&h.doc_type),
        "published": chrono::DateTime::from_timestamp(h.published, 0).unwrap_or_default().to_rfc3339(),
    })
}

/// Facets as value/label/count lists; levels are summed from origins.
fn facets_json(
    node: &AppState,
    r: &SearchResults,
    sites: &HashMap<String, govnode_content::Site>,
) -> Value {
    let tree = node.federation.topology();
    let list = |v: &[(String, u64)], label: &dyn Fn(&str) -> String| -> Vec<Value> {
        v.iter()
            .map(|(value, n)| json!({ "value": value, "label": label(value), "count": n }))
            .collect()
    };
    let mut levels: BTreeMap<Tier, u64> = BTreeMap::new();
    for (origin, n) in &r.facets.origins {
        if let Some(t) = origin
            .parse()
            .ok()
            .and_then(|id| tree.get(id))
            .map(|n| n.tier)
        {
            *levels.entry(t).or_insert(0) += n;
        }
    }
    json!({
        "type": list(&r.facets.types, &|t| govnode_library::doc_type(t).map_or(t.to_string(), |d| d.label.to_string())),
        "site": list(&r.facets.sites, &|s| sites.get(s).map_or(s.to_string(), |s| s.name.clone())),
        "level": levels.iter().map(|(t, n)| json!({ "value": t.to_string(), "label": t.label(), "count": n })).collect::<Vec<_>>(),
        "year": r.facets.years.iter().map(|(y, n)| json!({ "value": y.to_string(), "label": format!("{y}年"), "count": n })).collect::<Vec<_>>(),
        "issuing_body": list(&r.facets.issuing_bodies[..r.facets.issuing_bodies.len().min(20)], &|b| b.to_string()),
    })
}

/// Answers searches other nodes route here (the federation's `search` query kind).
/// Holds the state weakly: the federation that calls it is part of that state.
pub fn search_query_handler(
    state: std::sync::Weak<AppState>,
) -> (&'static str, Arc<dyn govnode_federation::QueryHandler>) {
    (
        super::scope::SEARCH_QUERY,
        Arc::new(super::scope::SearchQueries(state)),
    )
}
