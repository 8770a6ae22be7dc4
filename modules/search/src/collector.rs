//! A collector counting matching documents per `doc_type`.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::DOC_TYPE;

/// Counts matching documents per value of the `doc_type` fast column.
pub(crate) struct TypeCounts;

/// Per-segment state of [`TypeCounts`].
pub(crate) struct SegmentTypeCounts {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for TypeCounts {
    type Fruit = HashMap<String, u64>;
    type Child = SegmentTypeCounts;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentTypeCounts> {
        let column = segment.fast_fields().str(DOC_TYPE)?;
        let num_terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentTypeCounts {
            column,
            counts: vec![0; num_terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut total = HashMap::new();
        for fruit in fruits {
            for (doc_type, n) in fruit {
                *total.entry(doc_type).or_insert(0) += n;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentTypeCounts {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(n) = self.counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        let Some(column) = self.column else {
            return out;
        };
        let mut name = String::new();
        for (ord, n) in self.counts.into_iter().enumerate() {
            if n == 0 {
                continue;
            }
            match column.ord_to_str(ord as u64, &mut name) {
                Ok(true) if !name.is_empty() => {
                    *out.entry(name.clone()).or_insert(0) += n;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read doc_type dictionary"),
            }
        }
        out
    }
}

/// Sorts counts by count (descending), then name.
pub(crate) fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}
