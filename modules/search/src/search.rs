//! Running a query: hits, totals, facets, typo correction, result groups and snippets.

use std::time::Instant;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::collector::{Facets, sorted};
use crate::lexicon::Lexicon;
use crate::query::{self, with_bonus};
use crate::schema::{Fields, PUBLISHED};
use crate::snippet::Snippets;
use crate::understand::{self, Analysers, Plan};
use crate::{Hit, SearchError, SearchIndex, SearchQuery, SearchResults, Sort};

/// Hits per page when the query asks for 0.
const DEFAULT_PER_PAGE: usize = 10;
/// Largest page size.
const MAX_PER_PAGE: usize = 100;
/// Deepest hit that can be paged to (offset + page size).
const MAX_WINDOW: usize = 10_000;
/// Below this many results a typo correction is tried.
const FEW_RESULTS: usize = 3;
/// Score added to matches of what was typed when a correction is shown after them.
const ORIGINAL_BONUS: f32 = 10_000.0;
/// Hits shown per result group.
const GROUP_HITS: usize = 3;

/// Result groups of scenario search (搜索即服务): code, label, document types.
pub const GROUPS: [(&str, &str, &[&str]); 5] = [
    ("guide", "办事指南", &["guide"]),
    ("policy", "政策文件", &["policy", "law", "report"]),
    ("interpretation", "政策解读", &["interpretation"]),
    ("qa", "问答", &["qa"]),
    ("news", "新闻动态", &["news", "notice", "topic"]),
];

/// The best hits of one result group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ResultGroup {
    /// Group code, e.g. "guide".
    pub code: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Matches in the group.
    pub total: u64,
    /// The best hits.
    pub hits: Vec<Hit>,
}

/// One page of hits (score, address), the total and the facets.
type Page = (Vec<(f32, DocAddress)>, usize, crate::FacetCounts);

/// A relaxed search's page and the query that found it.
type Relaxed = (Page, Box<dyn Query>);

/// The query's filters: scope (site, origins) and facet filters (type, year, body).
struct Filters {
    scope: Vec<Box<dyn Query>>,
    facet: Vec<Box<dyn Query>>,
}

impl Filters {
    /// Scope and facet filters together.
    fn all(&self) -> Vec<Box<dyn Query>> {
        self.scope
            .iter()
            .chain(&self.facet)
            .map(|f| f.box_clone())
            .collect()
    }
}

impl SearchIndex {
    /// Runs a query.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let lexicon = self.lexicon();
        let vocabulary = self.vocabulary();
        let a = Analysers {
            words: &self.word_analyzer,
            index: &self.index_analyzer,
        };
        let plan = understand::plan(&q.text, &lexicon, &vocabulary, &a)?;
        let filters = self.filters(q);
        let searcher = self.reader.searcher();
        let mut text_query = query::text_query(&self.fields, &plan, &q.text);
        let mut words = plan.all_words();
        let mut corrected = None;
        let mut searched = None;

        let mut page = self.page(&searcher, q, text_query.as_ref(), &filters)?;
        // A sure typo (words the index has never seen) is searched as corrected; a
        // possible one only when the query finds little, after the original's results.
        if !q.literal
            && let Some((fix, sure)) = understand::correct(&plan.normalized, &vocabulary, &a)
            && (sure || page.1 < FEW_RESULTS)
            && let Ok(fixed) = understand::plan(&fix, &lexicon, &vocabulary, &a)
        {
            let fixed_query = query::text_query(&self.fields, &fixed, &fix);
            let candidate: Box<dyn Query> = if sure {
                fixed_query
            } else {
                Box::new(BooleanQuery::new(vec![
                    (
                        Occur::Should,
                        with_bonus(text_query.box_clone(), ORIGINAL_BONUS),
                    ),
                    (Occur::Should, fixed_query),
                ]))
            };
            let better = self.page(&searcher, q, candidate.as_ref(), &filters)?;
            if better.1 > 0 && (sure || better.1 > page.1) {
                page = better;
                text_query = candidate;
                words.extend(fixed.all_words());
                corrected = Some(fix);
                searched = Some(fixed);
            }
        }
        // Too little with every word: best match over most of them, after what matched all.
        // For a query naming a place, only what applies there counts (its province's
        // documents and national ones), and only that stays first.
        let mut relaxed = false;
        let exact_total = page.1;
        let base = searched.as_ref().unwrap_or(&plan);
        let (strict, found): (Box<dyn Query>, usize) = match query::home(&self.fields, base) {
            Some(home) => {
                let strict = query::with_filters(text_query.as_ref(), &[home]);
                let found = self.count(&searcher, strict.as_ref(), &filters)?;
                (strict, found)
            }
            None => (text_query.box_clone(), page.1),
        };
        if !q.strict && found < FEW_RESULTS {
            let raw = corrected.as_deref().unwrap_or(&q.text);
            if let Some((better, query)) =
                self.relax(&searcher, q, base, raw, strict.as_ref(), &filters, page.1)?
            {
                page = better;
                text_query = query;
                relaxed = true;
            }
        }
        let (top, total, facets) = page;

        let snippets = Snippets::new(&words);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            hits.push(self.hit(&searcher, address, score, &snippets)?);
        }
        let groups = if q.group && q.page <= 1 && q.doc_type.is_none() {
            self.groups(
                &searcher,
                text_query.as_ref(),
                &filters,
                &facets.types,
                &snippets,
            )?
        } else {
            Vec::new()
        };
        let topics = topics(&lexicon, &plan, corrected.as_deref());
        Ok(SearchResults {
            total,
            took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            hits,
            type_counts: facets.types.clone(),
            facets,
            normalized: plan.normalized,
            expansions: plan.expansions,
            corrected,
            relaxed,
            exact_total,
            groups,
            topics,
        })
    }

    /// The best-match form of a query that found `found` results with every group: first
    /// with half its required groups, then with any one. `None` when it finds no more.
    #[expect(clippy::too_many_arguments, reason = "one private step of `search`")]
    fn relax(
        &self,
        searcher: &Searcher,
        q: &SearchQuery,
        plan: &Plan,
        raw: &str,
        strict: &dyn Query,
        filters: &Filters,
        found: usize,
    ) -> Result<Option<Relaxed>, SearchError> {
        let required = plan
            .groups
            .iter()
            .filter(|g| !g.optional && !understand::is_question(g))
            .count();
        let mut best: Option<Relaxed> = None;
        let half = (required / 2).max(1);
        let tries: &[usize] = if half > 1 { &[half, 1] } else { &[1] };
        for &min in tries {
            if best.as_ref().is_some_and(|(p, _)| p.1 >= FEW_RESULTS) || min >= required {
                break;
            }
            let Some(loose) = query::relaxed_query(&self.fields, plan, raw, min) else {
                break;
            };
            let candidate: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (
                    Occur::Should,
                    with_bonus(strict.box_clone(), ORIGINAL_BONUS),
                ),
                (Occur::Should, loose),
            ]));
            let page = self.page(searcher, q, candidate.as_ref(), filters)?;
            if page.1 > found && best.as_ref().is_none_or(|(p, _)| page.1 > p.1) {
                best = Some((page, candidate));
            }
        }
        Ok(best)
    }

    fn filters(&self, q: &SearchQuery) -> Filters {
        let f = &self.fields;
        let mut scope = Vec::new();
        if let Some(site) = &q.site {
            scope.push(query::filter(f.site, site));
        }
        if let Some(origin) = &q.origin {
            scope.push(query::filter(f.origin, origin));
        }
        if let Some(origins) = &q.origins {
            scope.push(query::any_of(f.origin, origins));
        }
        let mut facet = Vec::new();
        if let Some(doc_type) = &q.doc_type {
            facet.push(query::filter(f.doc_type, doc_type));
        }
        if let Some(body) = &q.issuing_body {
            facet.push(query::filter(f.issuing_body_raw, body.trim()));
        }
        if let Some(year) = q.year {
            facet.push(year_filter(f, year));
        }
        Filters { scope, facet }
    }

    /// How many documents a text query matches under the filters.
    fn count(
        &self,
        searcher: &Searcher,
        text: &dyn Query,
        filters: &Filters,
    ) -> Result<usize, SearchError> {
        Ok(searcher.search(query::with_filters(text, &filters.all()).as_ref(), &Count)?)
    }

    /// One page of hits, the total and the facets of a text query under the filters.
    fn page(
        &self,
        searcher: &Searcher,
        q: &SearchQuery,
        text: &dyn Query,
        filters: &Filters,
    ) -> Result<Page, SearchError> {
        let full = query::with_filters(text, &filters.all());
        let per_page = match q.per_page {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        };
        let offset = q.page.max(1).saturating_sub(1).saturating_mul(per_page);
        let in_window = offset.saturating_add(per_page) <= MAX_WINDOW;
        let facets_apart = !filters.facet.is_empty();
        let (top, total, raw) = match (q.sort, in_window) {
            (_, false) => {
                let (total, raw) = searcher.search(full.as_ref(), &(Count, Facets))?;
                (Vec::new(), total, raw)
            }
            (Sort::Relevance, true) => {
                let top = TopDocs::with_limit(per_page).and_offset(offset).order_by((
                    (SortBySimilarityScore, Order::Desc),
                    (
                        SortByStaticFastValue::<i64>::for_field(PUBLISHED),
                        Order::Desc,
                    ),
                ));
                let (top, total, raw) = searcher.search(full.as_ref(), &(top, Count, Facets))?;
                let top = top.into_iter().map(|((s, _), a)| (s, a)).collect();
                (top, total, raw)
            }
            (Sort::Date, true) => {
                let top = TopDocs::with_limit(per_page).and_offset(offset).order_by((
                    SortByStaticFastValue::<i64>::for_field(PUBLISHED),
                    Order::Desc,
                ));
                let (top, total, raw) = searcher.search(full.as_ref(), &(top, Count, Facets))?;
                let top = top.into_iter().map(|(_, a)| (0.0, a)).collect();
                (top, total, raw)
            }
        };
        let raw = if facets_apart {
            // Facets count as if their own filters were off, so every value stays choosable.
            let scoped = query::with_filters(text, &filters.scope);
            searcher.search(scoped.as_ref(), &Facets)?
        } else {
            raw
        };
        Ok((top, total, sorted(raw)))
    }

    fn groups(
        &self,
        searcher: &Searcher,
        text: &dyn Query,
        filters: &Filters,
        types: &[(String, u64)],
        snippets: &Snippets,
    ) -> Result<Vec<ResultGroup>, SearchError> {
        let mut out = Vec::new();
        for (code, label, doc_types) in GROUPS {
            let total: u64 = types
                .iter()
                .filter(|(t, _)| doc_types.contains(&t.as_str()))
                .map(|(_, n)| n)
                .sum();
            if total == 0 {
                continue;
            }
            let mut all: Vec<Box<dyn Query>> =
                filters.scope.iter().map(|f| f.box_clone()).collect();
            let codes: Vec<String> = doc_types.iter().map(|s| s.to_string()).collect();
            all.push(query::any_of(self.fields.doc_type, &codes));
            let q = query::with_filters(text, &all);
            let top = searcher.search(
                q.as_ref(),
                &TopDocs::with_limit(GROUP_HITS).order_by((
                    (SortBySimilarityScore, Order::Desc),
                    (
                        SortByStaticFastValue::<i64>::for_field(PUBLISHED),
                        Order::Desc,
                    ),
                )),
            )?;
            let mut hits = Vec::new();
            for ((score, _), address) in top {
                hits.push(self.hit(searcher, address, score, snippets)?);
            }
            out.push(ResultGroup {
                code,
                label,
                total,
                hits,
            });
        }
        Ok(out)
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        snippets: &Snippets,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = &self.fields;
        let text = |field: Field| -> String {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let title = text(f.title);
        let snippet = snippets.render(&[&text(f.body_text), &text(f.summary), &title]);
        Ok(Hit {
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
        })
    }
}

/// Documents published in `year`, Beijing time.
fn year_filter(f: &Fields, year: i32) -> Box<dyn Query> {
    let start = |y: i32| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .map_or(0, |d| govnode_topology::beijing::midnight_ms(d) / 1000)
    };
    let range = RangeQuery::new(
        std::ops::Bound::Included(Term::from_field_i64(f.published, start(year))),
        std::ops::Bound::Excluded(Term::from_field_i64(f.published, start(year + 1))),
    );
    Box::new(tantivy::query::ConstScoreQuery::new(Box::new(range), 0.0))
}

/// Topic cards for the query, its expansions and its correction.
fn topics(lexicon: &Lexicon, plan: &Plan, corrected: Option<&str>) -> Vec<crate::TopicCard> {
    let mut texts: Vec<&str> = vec![plan.normalized.as_str()];
    texts.extend(corrected);
    for e in &plan.expansions {
        texts.extend(e.to.iter().map(String::as_str));
    }
    lexicon.topics_for(&texts)
}

/// The words the vocabulary is built from, with weights: dictionary terms, and the
/// index's words of titles, tags, issuing bodies and bodies.
pub(crate) fn vocabulary_words(
    searcher: &Searcher,
    fields: &Fields,
    lexicon: &Lexicon,
) -> Result<Vec<(String, u32)>, SearchError> {
    let mut words: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut add = |w: &str, n: u32| {
        let e = words.entry(w.to_string()).or_insert(0);
        *e = e.saturating_add(n);
    };
    for (w, freq) in crate::tokenizer::platform_words() {
        add(w, u32::try_from(freq).unwrap_or(u32::MAX));
    }
    for term in lexicon.terms() {
        add(term, 500);
    }
    // In a small index every body word counts; in a large one, words seen at least thrice.
    let body_min_df = if searcher.num_docs() < 50_000 { 1 } else { 3 };
    let sources = [
        (fields.title, 20, 1),
        (fields.tags, 20, 1),
        (fields.issuing_body, 5, 1),
        (fields.body_text, 1, body_min_df),
    ];
    for segment in searcher.segment_readers() {
        for (field, weight, min_df) in sources {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let df = stream.value().doc_freq;
                if df < min_df {
                    continue;
                }
                let Ok(word) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let chars = word.chars().count();
                // Single characters only from titles: they let "fa" read as 法.
                let shortest = if field == fields.title { 1 } else { 2 };
                if (shortest..=6).contains(&chars) && crate::text::all_han(word) {
                    add(word, df.saturating_mul(weight));
                }
            }
        }
    }
    Ok(words.into_iter().collect())
}
