//! A collector counting matching documents per facet value: type, site, origin, issuing
//! body (fast string columns) and year of publication (Beijing time).

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::{DOC_TYPE, ISSUING_BODY, ORIGIN, PUBLISHED, SITE};

/// The string facets, in the order of [`FacetCounts`]'s fields.
const STR_FACETS: [&str; 4] = [DOC_TYPE, SITE, ORIGIN, ISSUING_BODY];

/// Counts per value of every facet, sorted by count (descending) then value.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FacetCounts {
    /// Document types.
    pub types: Vec<(String, u64)>,
    /// Sites.
    pub sites: Vec<(String, u64)>,
    /// Origin nodes.
    pub origins: Vec<(String, u64)>,
    /// Issuing bodies.
    pub issuing_bodies: Vec<(String, u64)>,
    /// Years of publication, newest first.
    pub years: Vec<(i32, u64)>,
}

/// The calendar year (Beijing time) of a unix time in seconds.
pub(crate) fn year_of(secs: i64) -> i32 {
    use chrono::Datelike as _;
    govnode_topology::beijing::date_of(secs.saturating_mul(1000)).year()
}

/// The collector.
pub(crate) struct Facets;

/// Raw per-facet counts merged across segments.
type Raw = ([HashMap<String, u64>; 4], HashMap<i32, u64>);

/// Per-segment state of [`Facets`].
pub(crate) struct SegmentFacets {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    published: Option<Column<i64>>,
    years: HashMap<i32, u64>,
}

impl Collector for Facets {
    type Fruit = Raw;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        for name in STR_FACETS {
            let column = segment.fast_fields().str(name)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        let published = segment.fast_fields().i64(PUBLISHED).ok();
        Ok(SegmentFacets {
            columns,
            counts,
            published,
            years: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Raw>) -> tantivy::Result<Raw> {
        let mut total = Raw::default();
        for (maps, years) in fruits {
            for (into, from) in total.0.iter_mut().zip(maps) {
                for (value, n) in from {
                    *into.entry(value).or_insert(0) += n;
                }
            }
            for (year, n) in years {
                *total.1.entry(year).or_insert(0) += n;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Raw;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(n) = counts.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
        }
        if let Some(secs) = self.published.as_ref().and_then(|c| c.first(doc)) {
            *self.years.entry(year_of(secs)).or_insert(0) += 1;
        }
    }

    fn harvest(self) -> Raw {
        let mut maps: [HashMap<String, u64>; 4] = Default::default();
        for ((column, counts), out) in self
            .columns
            .into_iter()
            .zip(self.counts)
            .zip(maps.iter_mut())
        {
            let Some(column) = column else {
                continue;
            };
            let mut name = String::new();
            for (ord, n) in counts.into_iter().enumerate() {
                if n == 0 {
                    continue;
                }
                match column.ord_to_str(ord as u64, &mut name) {
                    Ok(true) if !name.is_empty() => *out.entry(name.clone()).or_insert(0) += n,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read a facet dictionary"),
                }
            }
        }
        (maps, self.years)
    }
}

/// Sorts raw counts into [`FacetCounts`].
pub(crate) fn sorted(raw: Raw) -> FacetCounts {
    let ([types, sites, origins, bodies], years) = raw;
    let by_count = |m: HashMap<String, u64>| {
        let mut v: Vec<(String, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let mut years: Vec<(i32, u64)> = years.into_iter().collect();
    years.sort_by_key(|y| std::cmp::Reverse(y.0));
    FacetCounts {
        types: by_count(types),
        sites: by_count(sites),
        origins: by_count(origins),
        issuing_bodies: by_count(bodies),
        years,
    }
}
