//! One-net search (一网通查): a search over a scope of the tree (this site, this node, a
//! region, the province). The scope names the shards (origins) it covers; a node holds
//! its own shard, its subtree's (replicated up) and its lineage's. A scope this node does
//! not hold is forwarded hop by hop to the lowest ancestor that holds it, then further up;
//! if none answers in time the answer is what this node holds, marked partial, naming the
//! missing shards. Nodes answer each other with the same typed [`SearchAnswer`] the API
//! and the search page get.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use govnode_federation::{BoxFuture, Federation, QueryHandler, SyncService};
use govnode_topology::{NodeId, Tier};
use serde::{Deserialize, Serialize};

mod answer;

pub use answer::{AnswerFacets, AnswerGroup, AnswerHit, FacetValue, SearchAnswer};

use crate::{Hit, QueryAnalytics, SearchError, SearchIndex, SearchQuery, SearchResults};

/// Query kind of routed searches.
pub const SEARCH_QUERY: &str = "search";
/// How long a forwarded search may take before the local partial answer is used.
const FORWARD_DEADLINE: Duration = Duration::from_secs(3);

/// A search as the API takes it and as nodes forward it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The query and its filters (the scope's origins are filled in here).
    pub query: SearchQuery,
    /// `site`, `node`, `region:<id>`, `province`; none: everything held.
    pub scope: Option<String>,
    /// Only documents of nodes at this level.
    pub level: Option<Tier>,
}

/// What a search link needs to know of a site this node holds.
#[derive(Debug, Clone)]
pub struct SiteLink {
    /// Site name.
    pub name: String,
    /// Its first host name.
    pub host: Option<String>,
    /// Held here as a replica of another node's site.
    pub replica: bool,
}

/// The sites this node holds, as the content module knows them.
pub trait SiteDirectory: Send + Sync {
    /// Every site held here, by id.
    fn sites(&self) -> BoxFuture<'_, Result<HashMap<String, SiteLink>, String>>;
}

/// Why a search could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum FederatedError {
    /// A bad scope (400); the message names the parameter.
    #[error("{0}")]
    Invalid(String),
    /// The scope's region is not in the tree (404).
    #[error("{0}")]
    NotFound(String),
    /// The query itself (400) or the index (500).
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The site directory or the search task failed (500).
    #[error("search: {0}")]
    Failed(String),
}

/// A resolved scope.
#[derive(Debug, Clone)]
pub struct Scope {
    /// As the caller named it.
    pub name: String,
    /// Origins to search (None: no origin filter).
    pub origins: Option<Vec<String>>,
    /// Origins the scope covers that this node does not hold.
    pub missing: Vec<String>,
    /// The region the scope covers (the root for `province`), when it is a subtree.
    pub region: Option<NodeId>,
}

/// Resolves `scope` (site, node, region:{id}, province; absent: everything held).
pub fn resolve(
    fed: &Federation,
    scope: Option<&str>,
    site: Option<&str>,
) -> Result<Scope, FederatedError> {
    let me = fed.me();
    let tree = fed.topology();
    let split = |needed: Vec<NodeId>, name: String, region: NodeId| {
        let (held, missing): (Vec<NodeId>, Vec<NodeId>) =
            needed.into_iter().partition(|o| fed.related(me, *o));
        Scope {
            name,
            origins: Some(held.iter().map(NodeId::to_string).collect()),
            missing: missing.iter().map(NodeId::to_string).collect(),
            region: Some(region),
        }
    };
    let whole = |name: &str, origins: Option<Vec<String>>| Scope {
        name: name.into(),
        origins,
        missing: Vec::new(),
        region: None,
    };
    match scope.map(str::trim) {
        None | Some("") => Ok(whole(if site.is_some() { "site" } else { "held" }, None)),
        Some("site") if site.is_none() => Err(FederatedError::Invalid(
            "scope: `site` needs the `site` parameter".into(),
        )),
        Some("site") => Ok(whole("site", None)),
        Some("node") => Ok(whole("node", Some(vec![me.to_string()]))),
        Some("province") => Ok(split(
            tree.nodes().map(|n| n.id).collect(),
            "province".into(),
            tree.root(),
        )),
        Some(other) => match other.strip_prefix("region:") {
            Some(id) => {
                let id: NodeId = id
                    .parse()
                    .map_err(|e| FederatedError::Invalid(format!("scope: {e}")))?;
                if !tree.contains(id) {
                    return Err(FederatedError::NotFound(format!(
                        "scope: region {id} is not in the tree"
                    )));
                }
                Ok(split(tree.subtree(id), format!("region:{id}"), id))
            }
            None => Err(FederatedError::Invalid(format!(
                "scope: `{other}` is not a scope (site, node, region:<id>, province)"
            ))),
        },
    }
}

/// Called with the time of every search of the local index (for metrics).
pub type SearchObserver = Arc<dyn Fn(Duration) + Send + Sync>;

struct Inner {
    index: Arc<SearchIndex>,
    federation: Arc<Federation>,
    sync: Arc<OnceLock<SyncService>>,
    sites: Arc<dyn SiteDirectory>,
    analytics: QueryAnalytics,
    observer: Option<SearchObserver>,
}

/// The one-net search service of a node. Cheap to clone.
#[derive(Clone)]
pub struct OneNetSearch(Arc<Inner>);

impl std::fmt::Debug for OneNetSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneNetSearch")
            .field("node", &self.0.federation.me())
            .finish()
    }
}

impl OneNetSearch {
    /// The service over this node's index, federation, sync (once started), sites and
    /// query analytics; `observer` is told the time of every local index search.
    pub fn new(
        index: Arc<SearchIndex>,
        federation: Arc<Federation>,
        sync: Arc<OnceLock<SyncService>>,
        sites: Arc<dyn SiteDirectory>,
        analytics: QueryAnalytics,
        observer: Option<SearchObserver>,
    ) -> Self {
        OneNetSearch(Arc::new(Inner {
            index,
            federation,
            sync,
            sites,
            analytics,
            observer,
        }))
    }

    /// Searches the local index on the blocking pool.
    pub async fn search_here(&self, q: SearchQuery) -> Result<SearchResults, FederatedError> {
        let index = self.0.index.clone();
        let started = Instant::now();
        let r = tokio::task::spawn_blocking(move || index.search(&q))
            .await
            .map_err(|e| FederatedError::Failed(e.to_string()))??;
        if let Some(observe) = &self.0.observer {
            observe(started.elapsed());
        }
        Ok(r)
    }

    /// Answers a citizen's search asked at this node: forwarded when this node does not
    /// hold the scope, counted in the query analytics.
    pub async fn search(&self, req: SearchRequest) -> Result<SearchAnswer, FederatedError> {
        let answer = self.search_uncounted(&req).await?;
        self.0
            .analytics
            // A relaxed search counts what held every word: the analytics' zero-result list
            // is where the dictionary learns what the library does not answer well.
            .record(
                req.query.site.as_deref(),
                &answer.normalized,
                answer.exact_total.unwrap_or(answer.total),
            );
        Ok(answer)
    }

    /// Answers like [`OneNetSearch::search`] without counting the search in the query
    /// analytics (an administrator trying a query).
    pub async fn search_uncounted(
        &self,
        req: &SearchRequest,
    ) -> Result<SearchAnswer, FederatedError> {
        let scope = resolve(
            &self.0.federation,
            req.scope.as_deref(),
            req.query.site.as_deref(),
        )?;
        match self.forward(&scope, req).await {
            Some(answer) => Ok(answer),
            None => self.answer_here(req, &scope).await,
        }
    }

    /// The handler of searches other nodes route here (never forwarded again). It holds
    /// the service weakly: the federation that calls it is part of the service.
    pub fn query_handler(&self) -> Arc<dyn QueryHandler> {
        Arc::new(RoutedSearches(Arc::downgrade(&self.0)))
    }

    /// Sends a search whose scope this node does not hold to the lowest ancestor that
    /// holds it (the lowest common ancestor of this node and the region), then further
    /// up; `None` when nobody answered whole in time.
    async fn forward(&self, scope: &Scope, req: &SearchRequest) -> Option<SearchAnswer> {
        if scope.missing.is_empty() {
            return None;
        }
        let why = match self.try_forward(scope, req).await {
            Ok(answer) => return Some(answer),
            Err(why) => why,
        };
        tracing::info!(scope = %scope.name, why, "scope not reachable; answering from held shards");
        None
    }

    async fn try_forward(
        &self,
        scope: &Scope,
        req: &SearchRequest,
    ) -> Result<SearchAnswer, String> {
        let sync = self.0.sync.get().ok_or("this node does not sync")?;
        let region = scope.region.ok_or("only subtree scopes are forwarded")?;
        let fed = &self.0.federation;
        let tree = fed.topology();
        let lowest = tree
            .lowest_common_ancestor(fed.me(), region)
            .ok_or("the region is not in this node's tree")?;
        let mut candidates = vec![lowest];
        candidates.extend(tree.ancestors(lowest));
        let body = serde_json::to_vec(req).map_err(|e| e.to_string())?;
        let mut last = String::new();
        for target in candidates {
            match sync
                .query(target, SEARCH_QUERY, body.clone(), FORWARD_DEADLINE)
                .await
            {
                Ok(bytes) => {
                    let answer: SearchAnswer =
                        serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
                    if !answer.partial {
                        return Ok(answer);
                    }
                    last = format!("{target} holds only part of it");
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(last)
    }

    /// Searches the shards of `scope` this node holds.
    async fn answer_here(
        &self,
        req: &SearchRequest,
        scope: &Scope,
    ) -> Result<SearchAnswer, FederatedError> {
        let fed = &self.0.federation;
        let tree = fed.topology();
        let mut q = req.query.clone();
        q.origins = scope.origins.clone();
        if let Some(level) = req.level {
            let at_level: Vec<String> = tree
                .nodes()
                .filter(|n| n.tier == level)
                .map(|n| n.id.to_string())
                .filter(|id| q.origins.as_ref().is_none_or(|o| o.contains(id)))
                .collect();
            q.origins = Some(at_level);
        }
        let (page, per_page) = (q.page, q.per_page);
        let r = self.search_here(q).await?;
        let sites = self.0.sites.sites().await.map_err(FederatedError::Failed)?;
        let links = Links {
            tree: &tree,
            sites: &sites,
            down: self.owners_down(),
        };
        let hits = r.hits.iter().map(|h| links.hit(h)).collect();
        let groups = r
            .groups
            .iter()
            .map(|g| AnswerGroup {
                code: g.code.into(),
                label: g.label.into(),
                total: g.total,
                hits: g.hits.iter().map(|h| links.hit(h)).collect(),
            })
            .collect();
        Ok(SearchAnswer {
            total: r.total,
            took_ms: r.took_ms,
            page,
            per_page,
            hits,
            types: r.type_counts.iter().cloned().collect(),
            facets: links.facets(&r),
            groups,
            topics: r.topics,
            normalized: r.normalized,
            expansions: r.expansions,
            did_you_mean: r.corrected.clone(),
            corrected: r.corrected,
            relaxed: r.relaxed,
            exact_total: r.relaxed.then_some(r.exact_total),
            scope: scope.name.clone(),
            partial: !scope.missing.is_empty(),
            missing: scope.missing.clone(),
            answered_by: fed.me(),
        })
    }

    /// Owners this node knows to be unreachable: peers it syncs with that are disconnected.
    fn owners_down(&self) -> Vec<String> {
        self.0
            .sync
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
}

/// What hits and facets are decorated with.
struct Links<'a> {
    tree: &'a govnode_topology::Topology,
    sites: &'a HashMap<String, SiteLink>,
    down: Vec<String>,
}

impl Links<'_> {
    fn tier(&self, origin: &str) -> Option<Tier> {
        origin
            .parse()
            .ok()
            .and_then(|id| self.tree.get(id))
            .map(|n| n.tier)
    }

    /// A hit with its level, its owner's link, and this node's replica link when it holds one.
    fn hit(&self, h: &Hit) -> AnswerHit {
        let tier = self.tier(&h.origin);
        let site = self.sites.get(&h.site);
        let site_path = h
            .url
            .strip_prefix(&format!("/sites/{}", h.site))
            .unwrap_or("");
        let owner_url = site.and_then(|s| s.host.as_ref()).map(|host| {
            format!(
                "https://{host}{}",
                if site_path.is_empty() { "/" } else { site_path }
            )
        });
        let replica = site.is_some_and(|s| s.replica);
        let owner_down = self.down.contains(&h.origin);
        // Own sites link here; a replica links to its owner's host unless the owner is
        // known to be down, then to the copy here.
        let url = match (&owner_url, replica && !owner_down) {
            (Some(owner), true) => owner.clone(),
            _ => h.url.clone(),
        };
        AnswerHit {
            title: h.title.clone(),
            url,
            path: h.url.clone(),
            owner_url,
            replica_url: replica.then(|| h.url.clone()),
            owner_down,
            snippet: h.snippet.clone(),
            site: h.site.clone(),
            site_name: h.site_name.clone(),
            origin: h.origin.clone(),
            level: tier.map(|t| t.to_string()),
            level_label: tier.map(|t| t.label().to_string()),
            doc_type: h.doc_type.clone(),
            type_label: govnode_library::doc_type_label(&h.doc_type).to_string(),
            published: govnode_topology::beijing::from_millis(h.published.saturating_mul(1000))
                .to_rfc3339(),
        }
    }

    fn facets(&self, r: &SearchResults) -> AnswerFacets {
        let list = |v: &[(String, u64)], label: &dyn Fn(&str) -> String| -> Vec<FacetValue> {
            v.iter()
                .map(|(value, n)| FacetValue {
                    value: value.clone(),
                    label: label(value),
                    count: *n,
                })
                .collect()
        };
        let mut levels: BTreeMap<Tier, u64> = BTreeMap::new();
        for (origin, n) in &r.facets.origins {
            if let Some(t) = self.tier(origin) {
                *levels.entry(t).or_insert(0) += n;
            }
        }
        let f = &r.facets;
        AnswerFacets {
            doc_type: list(&f.types, &|t| {
                govnode_library::doc_type(t).map_or(t.to_string(), |d| d.label.to_string())
            }),
            site: list(&f.sites, &|s| {
                self.sites.get(s).map_or(s.to_string(), |s| s.name.clone())
            }),
            level: levels
                .iter()
                .map(|(t, n)| FacetValue {
                    value: t.to_string(),
                    label: t.label().to_string(),
                    count: *n,
                })
                .collect(),
            year: f
                .years
                .iter()
                .map(|(y, n)| FacetValue {
                    value: y.to_string(),
                    label: format!("{y}年"),
                    count: *n,
                })
                .collect(),
            issuing_body: list(&f.issuing_bodies[..f.issuing_bodies.len().min(20)], &|b| {
                b.to_string()
            }),
        }
    }
}

/// Answers searches routed to this node.
struct RoutedSearches(Weak<Inner>);

impl QueryHandler for RoutedSearches {
    fn answer(&self, body: Vec<u8>) -> BoxFuture<'static, Result<Vec<u8>, String>> {
        let inner = self.0.upgrade();
        Box::pin(async move {
            let service = OneNetSearch(inner.ok_or("the node is stopping")?);
            let req: SearchRequest =
                serde_json::from_slice(&body).map_err(|e| format!("bad search request: {e}"))?;
            let scope = resolve(
                &service.0.federation,
                req.scope.as_deref(),
                req.query.site.as_deref(),
            )
            .map_err(|e| e.to_string())?;
            let answer = service
                .answer_here(&req, &scope)
                .await
                .map_err(|e| e.to_string())?;
            serde_json::to_vec(&answer).map_err(|e| e.to_string())
        })
    }
}
