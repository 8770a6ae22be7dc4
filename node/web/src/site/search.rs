//! The site's search page: scope choice (default this site, one click to widen), result
//! groups and topic cards, facets and sorting, the correction and incompleteness notices.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::Value;
use serde_json::json;

use govnode_search::federated::{AnswerHit, FacetValue};
use govnode_topology::{NodeId, Tier};

use super::pages::{enc, page_param, pagination, v};
use super::{PageError, PageRequest};
use crate::common::error::ApiError;

/// Query parameters the page keeps when it builds links.
const KEPT: [&str; 6] = ["scope", "type", "year", "level", "sort", "issuing_body"];

/// Builds the page URL for `q` with the kept parameters, `change` applied (None removes).
fn link(req: &PageRequest, q: &str, change: &[(&str, Option<&str>)]) -> String {
    let mut url = format!("{}?q={}", req.url("/search"), enc(q));
    for key in KEPT {
        let value = match change.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => v.map(str::to_string),
            None => req.query.get(key).filter(|v| !v.is_empty()).cloned(),
        };
        if let Some(value) = value {
            url.push_str(&format!("&{key}={}", enc(&value)));
        }
    }
    url
}

/// The scopes a search from this site can take, narrowest first, each offered only when it
/// covers more than the one before it, so widening always adds something: 本站; 本级 (this
/// node's sites, when the node runs more than this one); 本市 (the city's subtree, on a city
/// or a county under one, when the city has more than one node); 全省 (the whole tree).
/// A replica site's scopes are those of its own node (本级 is this node's, so it is left out).
async fn offered_scopes(req: &PageRequest) -> Result<Vec<(String, String)>, PageError> {
    let me = req.node.federation.me();
    let tree = req.node.federation.topology();
    let home: NodeId = if req.node.content.is_replica(&req.site) {
        req.site.origin.parse().unwrap_or(me)
    } else {
        me
    };
    let sites_at_home = req
        .node
        .content
        .sites()
        .await?
        .iter()
        .filter(|s| s.origin.parse::<NodeId>().unwrap_or(me) == home)
        .count();
    let city = match tree.get(home).map(|n| n.tier) {
        Some(Tier::City) => Some(home),
        Some(Tier::County) => tree
            .parent(home)
            .filter(|p| tree.get(*p).is_some_and(|n| n.tier == Tier::City)),
        _ => None,
    };
    // (value, label, nodes covered); the site scope covers part of one node.
    let mut ladder = Vec::new();
    if home == me {
        ladder.push(("node".to_string(), "本级", 1));
    }
    if let Some(c) = city {
        ladder.push((format!("region:{c}"), "本市", tree.subtree(c).len()));
    }
    ladder.push(("province".to_string(), "全省", tree.len()));
    let mut offered = vec![("site".to_string(), "本站".to_string())];
    let mut covered: Option<usize> = None;
    for (value, label, nodes) in ladder {
        let adds = match covered {
            None => nodes > 1 || sites_at_home > 1,
            Some(before) => nodes > before,
        };
        if adds {
            offered.push((value, label.to_string()));
            covered = Some(nodes);
        }
    }
    Ok(offered)
}

/// The label of a scope a link chose that the ladder does not offer, when it is one.
fn chosen_label(req: &PageRequest, scope: &str) -> Option<String> {
    match scope {
        "node" => Some("本级".into()),
        "province" => Some("全省".into()),
        other => {
            let id: NodeId = other.strip_prefix("region:")?.parse().ok()?;
            let tree = req.node.federation.topology();
            tree.contains(id).then(|| {
                req.node_name(id.as_str())
                    .unwrap_or_else(|| "所选地区".into())
            })
        }
    }
}

/// `GET …/search`.
pub async fn search(req: &PageRequest) -> Result<Response, PageError> {
    let (mut ctx, _) = req
        .common(
            "站内搜索",
            None,
            Vec::new(),
            vec![("站内搜索".into(), req.url("/search"))],
        )
        .await?;
    let q = req
        .query
        .get("q")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let scope = req
        .query
        .get("scope")
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "site".into());
    let tree = req.node.federation.topology();
    let mut scopes = offered_scopes(req).await?;
    if !scopes.iter().any(|(value, _)| *value == scope)
        && let Some(label) = chosen_label(req, &scope)
    {
        // A scope reached by a link (another city's region) stays chosen on the form.
        scopes.push((scope.clone(), label));
    }
    let scope_links: Vec<_> = scopes
        .iter()
        .map(|(value, label)| {
            json!({ "value": value, "label": label, "current": *value == scope,
                "url": link(req, &q, &[("scope", Some(value.as_str())), ("type", None), ("year", None), ("level", None), ("issuing_body", None)]) })
        })
        .collect();
    ctx.insert("query", Value::from(q.clone()));
    ctx.insert("scope", Value::from(scope.clone()));
    ctx.insert("scopes", v(scope_links));
    ctx.insert(
        "sort",
        Value::from(
            req.query
                .get("sort")
                .cloned()
                .unwrap_or_else(|| "relevance".into()),
        ),
    );
    ctx.insert("results", Value::from(()));
    ctx.insert("pagination", Value::from(()));
    ctx.insert("error", Value::from(()));
    if q.is_empty() {
        if req.query.contains_key("q") {
            ctx.insert("error", Value::from("请输入搜索词"));
        }
        return req.render(StatusCode::OK, "search.html", ctx);
    }
    let page = page_param(req);
    let mut params: HashMap<String, String> = KEPT
        .iter()
        .filter_map(|k| req.query.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    params.insert("q".into(), q.clone());
    params.insert("page".into(), page.to_string());
    params.insert("scope".into(), scope.clone());
    params.insert("group".into(), "1".into());
    if let Some(literal) = req.query.get("literal") {
        params.insert("literal".into(), literal.clone());
    }
    if scope == "site" {
        params.insert("site".into(), req.site.id.clone());
    }
    let answer = match crate::api::search::request(&params) {
        Ok(request) => req
            .node
            .one_net
            .search(request)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let mut r = match answer {
        Ok(r) => r,
        Err(e) if e.status == StatusCode::BAD_REQUEST || e.status == StatusCode::NOT_FOUND => {
            ctx.insert("error", Value::from(format!("无法搜索：{}", e.message)));
            return req.render(StatusCode::OK, "search.html", ctx);
        }
        Err(e) => return Err(PageError::Internal(e.message)),
    };
    // Links to this site stay under this site's base; others go where the answer says.
    let own_prefix = format!("/sites/{}", req.site.id);
    let local = |hit: &mut AnswerHit| {
        if hit.site == req.site.id {
            let inner = hit.path.strip_prefix(&own_prefix).unwrap_or(&hit.path);
            hit.url = req.url(inner);
        }
    };
    r.hits.iter_mut().for_each(local);
    for g in &mut r.groups {
        g.hits.iter_mut().for_each(local);
    }
    let facet_links = |key: &str, values: &[FacetValue]| -> serde_json::Value {
        let current = req.query.get(key).cloned().unwrap_or_default();
        let items: Vec<_> = values
            .iter()
            .map(|f| {
                json!({ "label": f.label, "count": f.count, "current": f.value == current,
                    "url": link(req, &q, &[(key, Some(&f.value))]) })
            })
            .collect();
        json!({ "items": items, "all_url": link(req, &q, &[(key, None)]), "any": !current.is_empty() })
    };
    let facets = json!({
        "type": facet_links("type", &r.facets.doc_type),
        "level": facet_links("level", &r.facets.level),
        "year": facet_links("year", &r.facets.year),
        "issuing_body": facet_links("issuing_body", &r.facets.issuing_body),
    });
    let missing: Vec<String> = r
        .missing
        .iter()
        .map(|id| {
            id.parse()
                .ok()
                .and_then(|id| tree.get(id))
                .map_or(id.to_string(), |n| format!("{}（{id}）", n.name))
        })
        .collect();
    let total = r.total as i64;
    let corrected = r
        .corrected
        .as_deref()
        .map(|c| json!({ "text": c, "original_url": link(req, &q, &[]) + "&literal=1" }));
    let widen = scopes
        .iter()
        .skip_while(|(value, _)| *value != scope)
        .nth(1)
        .map(|(value, label)| json!({ "label": label, "url": link(req, &q, &[("scope", Some(value.as_str()))]) }));
    ctx.insert(
        "results",
        v(json!({
            "total": total, "took_ms": r.took_ms, "hits": r.hits, "groups": r.groups,
            "topics": r.topics, "expansions": r.expansions, "corrected": corrected,
            "relaxed": r.relaxed,
            "partial": r.partial, "missing": missing, "facets": facets, "widen": widen,
            "answered_by": r.answered_by, "show_groups": page == 1 && !req.query.contains_key("type"),
            "sort_links": {
                "relevance": link(req, &q, &[("sort", None)]),
                "date": link(req, &q, &[("sort", Some("date"))]),
            },
        })),
    );
    let base = link(req, &q, &[]);
    ctx.insert(
        "pagination",
        pagination(page, total, 10, |n| format!("{base}&page={n}")),
    );
    req.render(StatusCode::OK, "search.html", ctx)
}
