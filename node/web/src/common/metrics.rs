//! Prometheus metrics, one registry per node (so several nodes can run in one test process).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of an HTTP request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// Method.
    pub method: String,
    /// Matched route pattern (never the raw path, to bound cardinality).
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// Labels of a workflow transition.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TransitionLabels {
    /// Transition name.
    pub transition: String,
}

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    /// HTTP requests served.
    pub requests: Family<RequestLabels, Counter>,
    /// HTTP latency.
    pub request_seconds: Histogram,
    /// Workflow transitions.
    pub transitions: Family<TransitionLabels, Counter>,
    /// Search queries.
    pub searches: Counter,
    /// Search latency.
    pub search_seconds: Histogram,
    /// Documents applied to the search index.
    pub indexed: Counter,
    /// Live published documents (set at scrape).
    pub published: Gauge,
    /// Published changes not yet in the search index (set at scrape).
    pub index_lag: Gauge,
    /// Federation entries rejected since start, by reason (set at scrape).
    pub rejected: Family<ReasonLabels, Counter>,
    /// Entries held per origin (set at scrape).
    pub log_head: Family<OriginLabels, Gauge>,
}

/// Labels of rejected entries.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    /// bad-signature, bad-hash, unchained-certificate, refused, equivocation.
    pub reason: String,
}

/// Labels per origin node.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OriginLabels {
    /// The origin node id.
    pub origin: String,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("govnode");
        let requests = Family::<RequestLabels, Counter>::default();
        let request_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let transitions = Family::<TransitionLabels, Counter>::default();
        let searches = Counter::default();
        let search_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let indexed = Counter::default();
        let published = Gauge::default();
        let index_lag = Gauge::default();
        let rejected = Family::<ReasonLabels, Counter>::default();
        let log_head = Family::<OriginLabels, Gauge>::default();
        registry.register(
            "federation_rejected_entries",
            "Replicated entries rejected (bad signature, bad hash, unchained certificate, refused by a module)",
            rejected.clone(),
        );
        registry.register(
            "federation_log_head",
            "Highest contiguous entry held per origin",
            log_head.clone(),
        );
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            request_seconds.clone(),
        );
        registry.register(
            "workflow_transitions",
            "Article workflow transitions",
            transitions.clone(),
        );
        registry.register(
            "search_queries",
            "Search queries answered",
            searches.clone(),
        );
        registry.register(
            "search_duration_seconds",
            "Search latency",
            search_seconds.clone(),
        );
        registry.register(
            "search_indexed_documents",
            "Document changes applied to the search index",
            indexed.clone(),
        );
        registry.register(
            "published_documents",
            "Live published documents",
            published.clone(),
        );
        registry.register(
            "search_index_lag",
            "Published changes not yet searchable",
            index_lag.clone(),
        );
        Metrics {
            registry,
            requests,
            request_seconds,
            transitions,
            searches,
            search_seconds,
            indexed,
            published,
            index_lag,
            rejected,
            log_head,
        }
    }
}

impl Metrics {
    /// The text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
