//! Keeps the search index caught up with the published table.
//!
//! The index records in each commit the highest published change it has applied; the
//! indexer reads changes after that number in order and applies them in batches. A crash
//! between a database commit and an index commit therefore loses nothing: the next sync
//! (at the latest, at start-up) re-reads from the recorded point.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use govnode_content::sanitize::html_to_text;
use govnode_content::{Content, Published};
use govnode_search::{Change, Document, SearchIndex};
use tokio::sync::Mutex;

use govnode_content::PublishedFollower;
use govnode_federation::BoxFuture;
use govnode_web::Metrics;

use crate::NodeError;

const BATCH: i64 = 2000;

/// Follows the published table into the search index. Syncs are serialised so two never
/// apply the same changes concurrently.
pub(crate) struct Indexer {
    /// This node's id: the origin of everything it publishes.
    origin: String,
    /// Reads published changes (a handle without the follower, so no cycle).
    content: Content,
    search: Arc<SearchIndex>,
    metrics: Arc<Metrics>,
    gate: Mutex<()>,
}

impl PublishedFollower for Indexer {
    fn name(&self) -> &'static str {
        "the search index"
    }

    fn catch_up(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.sync().await.map(|_| ()).map_err(|e| e.to_string()) })
    }
}

impl Indexer {
    /// An indexer of `content`'s published changes into `search`.
    pub(crate) fn new(
        origin: String,
        content: Content,
        search: Arc<SearchIndex>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Indexer {
            origin,
            content,
            search,
            metrics,
            gate: Mutex::new(()),
        }
    }

    /// Applies all pending changes; returns how many were applied.
    pub(crate) async fn sync(&self) -> Result<u64, NodeError> {
        let (origin, content, search, metrics) =
            (&self.origin, &self.content, &self.search, &self.metrics);
        let _held = self.gate.lock().await;
        let mut names = Names {
            origin: origin.clone(),
            ..Names::default()
        };
        let mut applied = 0u64;
        loop {
            let after = search.applied_through() as i64;
            let batch = content.published_changes(after, BATCH).await?;
            let Some(last) = batch.last().map(|p| p.change_seq) else {
                break;
            };
            let mut changes = Vec::with_capacity(batch.len());
            for p in &batch {
                changes.push(if p.withdrawn.is_some() {
                    Change::Remove(key(p))
                } else {
                    Change::Upsert(names.document(content, p).await?)
                });
            }
            let n = changes.len() as u64;
            let index = search.clone();
            tokio::task::spawn_blocking(move || index.apply(changes, last as u64))
                .await
                .map_err(|e| NodeError::Storage(format!("search apply: {e}")))??;
            metrics.indexed.inc_by(n);
            applied += n;
        }
        Ok(applied)
    }
}

fn key(p: &Published) -> String {
    format!("{}:{}", p.site, p.id)
}

/// Site and column names looked up once per sync.
#[derive(Default)]
struct Names {
    /// This node's id: the origin of everything it publishes.
    origin: String,
    /// Site id → (name, owning node).
    sites: HashMap<String, (String, String)>,
    columns: HashMap<i64, String>,
}

impl Names {
    async fn document(&mut self, content: &Content, p: &Published) -> Result<Document, NodeError> {
        if let Entry::Vacant(e) = self.sites.entry(p.site.clone()) {
            let site = content.site(&p.site).await?;
            let owner = if site.origin.is_empty() {
                self.origin.clone()
            } else {
                site.origin
            };
            e.insert((site.name, owner));
        }
        if let Entry::Vacant(e) = self.columns.entry(p.column_id) {
            e.insert(content.column_by_id(p.column_id).await?.name);
        }
        Ok(Document {
            key: key(p),
            title: p.doc.title.clone(),
            subtitle: p.doc.subtitle.clone(),
            body_text: html_to_text(&p.doc.body_html),
            summary: p.doc.summary.clone(),
            site: p.site.clone(),
            site_name: self.sites[&p.site].0.clone(),
            origin: self.sites[&p.site].1.clone(),
            doc_type: p.doc.doc_type.clone(),
            column: self.columns[&p.column_id].clone(),
            issuing_body: p.doc.issuing_body.clone(),
            doc_number: p.doc.doc_number.clone(),
            index_number: p.index_number.clone(),
            tags: p.doc.tags.clone(),
            url: govnode_content::article_path(&p.site, p.id),
            published: p.published_ms / 1000,
        })
    }
}
