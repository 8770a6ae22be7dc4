//! Running a query: hits, totals, type counts and snippets.

use std::time::Instant;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{Field, Value};
use tantivy::{Order, TantivyDocument};

use crate::collector::{TypeCounts, sorted};
use crate::query;
use crate::schema::PUBLISHED;
use crate::snippet::Snippets;
use crate::{Hit, SearchError, SearchIndex, SearchQuery, SearchResults};

/// Hits per page when the query asks for 0.
const DEFAULT_PER_PAGE: usize = 10;
/// Largest page size.
const MAX_PER_PAGE: usize = 100;
/// Deepest hit that can be paged to (offset + page size).
const MAX_WINDOW: usize = 10_000;

impl SearchIndex {
    /// Runs a query.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let words = query::analyse(&q.text, &self.word_analyzer, &self.index_analyzer)?;
        let text_query = query::text_query(&self.fields, &words, &q.text);

        let f = &self.fields;
        let mut filters = Vec::new();
        if let Some(site) = &q.site {
            filters.push(query::filter(f.site, site));
        }
        if let Some(origin) = &q.origin {
            filters.push(query::filter(f.origin, origin));
        }
        if let Some(origins) = &q.origins {
            filters.push(query::any_of(f.origin, origins));
        }
        let unfiltered_by_type = query::with_filters(text_query.as_ref(), &filters);
        if let Some(doc_type) = &q.doc_type {
            filters.push(query::filter(f.doc_type, doc_type));
        }
        let full = query::with_filters(text_query.as_ref(), &filters);

        let per_page = match q.per_page {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        };
        let offset = q.page.max(1).saturating_sub(1).saturating_mul(per_page);
        let top = (offset.saturating_add(per_page) <= MAX_WINDOW).then(|| {
            TopDocs::with_limit(per_page).and_offset(offset).order_by((
                (SortBySimilarityScore, Order::Desc),
                (
                    SortByStaticFastValue::<i64>::for_field(PUBLISHED),
                    Order::Desc,
                ),
            ))
        });

        let searcher = self.reader.searcher();
        let (top, total, counts) = if q.doc_type.is_none() {
            searcher.search(full.as_ref(), &(top, Count, TypeCounts))?
        } else {
            let (top, total) = searcher.search(full.as_ref(), &(top, Count))?;
            let counts = searcher.search(unfiltered_by_type.as_ref(), &TypeCounts)?;
            (top, total, counts)
        };

        let snippets = Snippets::new(&self.index_analyzer, self.fields.body_text, &words);
        let mut hits = Vec::new();
        for ((score, _published), address) in top.unwrap_or_default() {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, score, &snippets));
        }
        Ok(SearchResults {
            total,
            took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            hits,
            type_counts: sorted(counts),
        })
    }

    fn hit(&self, doc: &TantivyDocument, score: f32, snippets: &Snippets) -> Hit {
        let f = &self.fields;
        let text = |field: Field| -> String {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let title = text(f.title);
        let snippet = snippets.render(&[&text(f.body_text), &text(f.summary), &title]);
        Hit {
            key: text(f.key),
            url: text(f.url),
            snippet,
            site: text(f.site),
            site_name: text(f.site_name),
            origin: text(f.origin),
            doc_type: text(f.doc_type),
            published: doc
                .get_first(f.published)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            score,
            title,
        }
    }
}
