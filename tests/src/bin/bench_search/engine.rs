//! Tantivy through `govnode_search::SearchIndex`: indexing in batches, the query mix one
//! query after another, and the mix from several threads at once.

use std::time::Instant;

use anyhow::{Context, Result};
use govnode_search::{Change, Document, SearchIndex, SearchQuery};
use serde_json::{Value, json};

use crate::corpus::Query;
use crate::util::{median, stats};

/// Indexes documents `0..count` made by `make`, `batch` per `apply` (one commit each);
/// returns the seconds it took.
pub(crate) fn index_all(
    index: &SearchIndex,
    count: usize,
    batch: usize,
    label: &str,
    make: impl Fn(usize) -> Document,
) -> Result<f64> {
    let started = Instant::now();
    let mut next = 0;
    let mut reported = Instant::now();
    while next < count {
        let end = (next + batch).min(count);
        let changes: Vec<Change> = (next..end).map(|i| Change::Upsert(make(i))).collect();
        index
            .apply(changes, end as u64)
            .with_context(|| format!("indexing documents {next}..{end}"))?;
        next = end;
        if reported.elapsed().as_secs() >= 10 || next == count {
            let s = started.elapsed().as_secs_f64();
            eprintln!(
                "{label}: {next}/{count} indexed, {s:.0} s ({:.0} docs/s)",
                next as f64 / s
            );
            reported = Instant::now();
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The first page (10 hits) for `text`, as the search page asks for it.
fn search(index: &SearchIndex, text: String) -> Result<usize> {
    let q = SearchQuery {
        text,
        per_page: 10,
        ..Default::default()
    };
    Ok(index.search(&q)?.total)
}

/// Runs the mix once to warm up, then `rounds` times one query after another: latencies,
/// single-thread throughput and the median total hits.
pub(crate) fn run_mix(index: &SearchIndex, queries: &[Query], rounds: usize) -> Result<Value> {
    let mut totals = Vec::new();
    for q in queries {
        totals.push(search(index, q.text())? as u64);
    }
    let mut ms = Vec::new();
    let started = Instant::now();
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            search(index, q.text())?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    Ok(json!({
        "latency": stats(ms.clone()),
        "qps1": ms.len() as f64 / wall,
        "median_total": median(totals.clone()),
        "totals": totals,
    }))
}

/// Queries per second with `threads` threads each running the mix `rounds` times.
pub(crate) fn throughput(
    index: &SearchIndex,
    queries: &[Query],
    threads: usize,
    rounds: usize,
) -> Result<f64> {
    let started = Instant::now();
    let done: Result<Vec<usize>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || -> Result<usize> {
                    let mut n = 0;
                    for r in 0..rounds {
                        // Each thread starts at a different query, so they do not run in step.
                        let offset = (t * queries.len() / threads + r) % queries.len();
                        for i in 0..queries.len() {
                            search(index, queries[(i + offset) % queries.len()].text())?;
                            n += 1;
                        }
                    }
                    Ok(n)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("search thread"))
            .collect()
    });
    let n: usize = done?.into_iter().sum();
    Ok(n as f64 / started.elapsed().as_secs_f64())
}
