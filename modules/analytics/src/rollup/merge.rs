//! The merge of counters in memory, exactly as the applier does it in SQL: per counting
//! node, day, site, dimension and key, the larger count. Its laws (commutative,
//! associative, idempotent; a node's latest snapshot absorbs its earlier ones) are what
//! make delivery order and duplicates irrelevant.

use std::collections::BTreeMap;

use super::DayCounters;

/// (counting node, day, site, dimension code, key).
pub type CounterKey = (String, String, String, String, String);

/// Counters as an ancestor holds them: one grow-only count per counting node and key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Merged {
    counts: BTreeMap<CounterKey, i64>,
}

impl Merged {
    /// No counters.
    pub fn new() -> Merged {
        Merged::default()
    }

    /// Applies `node`'s counters of a day: each count replaces the held one if larger.
    pub fn apply(&mut self, node: &str, counters: &DayCounters) {
        for (site, _, code, key, n) in counters.rows() {
            let key = (
                node.to_string(),
                counters.day.clone(),
                site.to_string(),
                code.to_string(),
                key.to_string(),
            );
            self.take_max(key, n);
        }
    }

    /// Joins another state into this one (per key, the larger count).
    pub fn merge(&mut self, other: &Merged) {
        for (key, n) in &other.counts {
            self.take_max(key.clone(), *n);
        }
    }

    fn take_max(&mut self, key: CounterKey, n: i64) {
        let held = self.counts.entry(key).or_insert(n);
        *held = (*held).max(n);
    }

    /// Every counter held.
    pub fn counts(&self) -> &BTreeMap<CounterKey, i64> {
        &self.counts
    }

    /// The figures a report reads: per (day, site, dimension, key), the sum over nodes.
    pub fn sum_over_nodes(&self) -> BTreeMap<(String, String, String, String), i64> {
        let mut out = BTreeMap::new();
        for ((_, day, site, code, key), n) in &self.counts {
            *out.entry((day.clone(), site.clone(), code.clone(), key.clone()))
                .or_insert(0) += n;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;
    use crate::rollup::SiteCounters;

    const SITES: [&str; 2] = ["gz", "th"];
    const DIMENSIONS: [&str; 3] = ["pv", "page", "source"];
    const KEYS: [&str; 3] = ["", "/a", "/b"];
    const NODES: [&str; 3] = ["440100", "440101", "440102"];

    /// A counter key and an amount: small alphabets, so keys collide.
    type Step = (usize, usize, usize, i64);

    fn to_counters(day: &str, counts: &BTreeMap<(usize, usize, usize), i64>) -> DayCounters {
        let mut sites: Vec<SiteCounters> = Vec::new();
        for (&(s, d, k), &n) in counts {
            let row = (DIMENSIONS[d].to_string(), KEYS[k].to_string(), n);
            match sites.last_mut() {
                Some(last) if last.site == SITES[s] => last.counts.push(row),
                _ => sites.push(SiteCounters {
                    site: SITES[s].into(),
                    owner: NODES[0].into(),
                    counts: vec![row],
                }),
            }
        }
        DayCounters {
            day: day.into(),
            sites,
        }
    }

    fn counters() -> impl Strategy<Value = DayCounters> {
        (
            prop::sample::select(vec!["2026-01-01", "2026-01-02"]),
            prop::collection::vec((0..2usize, 0..3usize, 0..3usize, 0..100i64), 0..8),
        )
            .prop_map(|(day, steps)| {
                let counts: BTreeMap<_, _> =
                    steps.iter().map(|&(s, d, k, n)| ((s, d, k), n)).collect();
                to_counters(day, &counts)
            })
    }

    fn state() -> impl Strategy<Value = Merged> {
        prop::collection::vec((0..3usize, counters()), 0..5).prop_map(|applied| {
            let mut m = Merged::new();
            for (node, c) in &applied {
                m.apply(NODES[*node], c);
            }
            m
        })
    }

    /// A node's snapshots of one day as it counts on: each adds to the one before.
    fn snapshots() -> impl Strategy<Value = Vec<DayCounters>> {
        let step = prop::collection::vec((0..2usize, 0..3usize, 0..3usize, 0..50i64), 0..6);
        prop::collection::vec(step, 1..6).prop_map(|steps: Vec<Vec<Step>>| {
            let mut acc = BTreeMap::new();
            steps
                .iter()
                .map(|step| {
                    for &(s, d, k, n) in step {
                        *acc.entry((s, d, k)).or_insert(0) += n;
                    }
                    to_counters("2026-01-01", &acc)
                })
                .collect()
        })
    }

    /// Snapshots and an order of delivery: the latest, and any of them again and again, in
    /// any order (earlier ones may be missing).
    fn delivery() -> impl Strategy<Value = (Vec<DayCounters>, Vec<usize>)> {
        (snapshots(), prop::collection::vec(any::<Index>(), 0..8)).prop_flat_map(
            |(snaps, extra)| {
                let mut order = vec![snaps.len() - 1];
                order.extend(extra.iter().map(|i| i.index(snaps.len())));
                (Just(snaps), Just(order).prop_shuffle())
            },
        )
    }

    fn joined(a: &Merged, b: &Merged) -> Merged {
        let mut out = a.clone();
        out.merge(b);
        out
    }

    proptest! {
        #[test]
        fn the_merge_is_commutative_associative_and_idempotent(
            a in state(), b in state(), c in state()
        ) {
            prop_assert_eq!(joined(&a, &b), joined(&b, &a));
            prop_assert_eq!(joined(&joined(&a, &b), &c), joined(&a, &joined(&b, &c)));
            prop_assert_eq!(joined(&a, &a), a.clone());
        }

        #[test]
        fn any_delivery_of_growing_snapshots_equals_the_latest_alone(
            (snaps, order) in delivery()
        ) {
            let mut delivered = Merged::new();
            for &k in &order {
                delivered.apply(NODES[1], &snaps[k]);
            }
            let mut latest = Merged::new();
            latest.apply(NODES[1], snaps.last().unwrap());
            prop_assert_eq!(delivered, latest);
        }

        #[test]
        fn the_sum_over_nodes_is_the_sum_of_each_nodes_latest(
            nodes in prop::collection::vec(delivery(), 1..4),
            seed in any::<u64>(),
        ) {
            // Every node's deliveries interleaved in one shuffled stream.
            let mut stream: Vec<(usize, &DayCounters)> = nodes
                .iter()
                .enumerate()
                .flat_map(|(n, (snaps, order))| order.iter().map(move |&k| (n, &snaps[k])))
                .collect();
            shuffle(&mut stream, seed);
            let mut merged = Merged::new();
            for (n, c) in &stream {
                merged.apply(NODES[*n], c);
            }
            let mut expected: BTreeMap<(String, String, String, String), i64> = BTreeMap::new();
            for (snaps, _) in &nodes {
                let latest = snaps.last().unwrap();
                for (site, _, code, key, n) in latest.rows() {
                    let k = (latest.day.clone(), site.to_string(), code.to_string(), key.to_string());
                    *expected.entry(k).or_insert(0) += n;
                }
            }
            prop_assert_eq!(merged.sum_over_nodes(), expected);
        }
    }

    /// Fisher–Yates with a xorshift generator (deterministic for a seed).
    fn shuffle<T>(items: &mut [T], seed: u64) {
        let mut x = seed | 1;
        for i in (1..items.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            items.swap(i, (x % (i as u64 + 1)) as usize);
        }
    }

    #[test]
    fn a_smaller_count_never_replaces_a_larger_one() {
        let day = |n| to_counters("2026-01-01", &BTreeMap::from([((0, 0, 0), n)]));
        let mut m = Merged::new();
        m.apply("440101", &day(7));
        m.apply("440101", &day(3));
        m.apply("440102", &day(2));
        let sums = m.sum_over_nodes();
        assert_eq!(sums.values().copied().collect::<Vec<_>>(), [9]);
        assert_eq!(m.counts().len(), 2, "one counter per counting node");
    }
}
