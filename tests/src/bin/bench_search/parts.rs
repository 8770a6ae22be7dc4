//! The index parts: the article corpus in tantivy and FTS5, then the generated corpus of
//! `--docs` documents in tantivy, and in FTS5 as far as its time budget goes.

use std::time::Duration;

use anyhow::{Context, Result};
use govnode_search::SearchIndex;
use serde_json::{Value, json};

use crate::corpus::{self, Corpus, Query};
use crate::util::{cpu_self, mib, proc_mib, rss, settled_size};
use crate::{Args, engine, fts};

/// Documents per `SearchIndex::apply` call.
const BATCH: usize = 10_000;
/// Measured rounds of the query mix.
const ROUNDS: usize = 3;
/// Rounds of the mix each thread runs for the 2-thread throughput.
const THREAD_ROUNDS: usize = 2;
/// How long counting FTS5 matches (for the hit-count comparison) may take.
const COUNT_BUDGET: Duration = Duration::from_secs(300);

/// The corpus and the query mix, as every part derives them.
pub(crate) fn inputs(args: &Args) -> Result<(Corpus, Vec<Query>)> {
    eprintln!("reading {} …", args.corpus.display());
    let corpus = corpus::load(&args.corpus)?;
    let queries = corpus::query_mix(&corpus, 60, 60);
    Ok((corpus, queries))
}

/// A description of the query mix for the report.
pub(crate) fn mix_json(queries: &[Query]) -> Value {
    let len = |n: usize| {
        queries
            .iter()
            .filter(|q| q.terms.len() == 1 && q.terms[0].chars().count() == n)
            .count()
    };
    let pairs = queries.iter().filter(|q| q.terms.len() == 2).count();
    let like = queries.iter().filter(|q| !fts::match_only(q)).count();
    let sample: Vec<String> = queries.iter().step_by(12).map(Query::text).collect();
    json!({
        "n": queries.len(), "two": len(2), "three": len(3), "four": len(4), "pairs": pairs,
        "like": like, "sample": sample, "all": queries.iter().map(Query::text).collect::<Vec<_>>(),
    })
}

/// Part 1–3: the article corpus in tantivy, then in FTS5, and the query mix on both.
pub(crate) async fn part_articles(args: &Args) -> Result<Value> {
    let (corpus, queries) = inputs(args)?;
    let n = corpus.articles.len();
    let chars: usize = corpus.articles.iter().map(|a| a.body.chars().count()).sum();
    let dir = tempfile::Builder::new()
        .prefix("govnode-bench-search-")
        .tempdir()?;
    let index = SearchIndex::open(&dir.path().join("index")).context("opening the index")?;
    let index_s = engine::index_all(&index, n, BATCH, "articles/tantivy", |i| {
        corpus.article_doc(i)
    })?;
    let size = settled_size(&dir.path().join("index"));
    eprintln!("articles/tantivy: {} queries …", queries.len());
    let mut tantivy = engine::run_mix(&index, &queries, ROUNDS)?;
    tantivy["qps2"] = json!(engine::throughput(&index, &queries, 2, THREAD_ROUNDS)?);
    tantivy["index_s"] = json!(index_s);
    tantivy["size_mib"] = json!(mib(size));
    tantivy["docs"] = json!(index.num_docs());
    drop(index);

    let db = dir.path().join("fts.db");
    let pool = fts::create(&db).await?;
    let budget = Duration::from_secs(args.fts_budget_secs);
    let (rows, build_s) = fts::build(&pool, n, budget, "articles/fts5", |i| {
        let a = &corpus.articles[i];
        (a.title.clone(), a.body.clone())
    })
    .await?;
    let optimize_s = fts::optimize(&pool).await?;
    let db_size = std::fs::metadata(&db).map_or(0, |m| m.len());
    eprintln!("articles/fts5: {} queries …", queries.len());
    let mut fts = fts::run_mix(&pool, &queries, ROUNDS, COUNT_BUDGET).await?;
    pool.close().await;
    fts["rows"] = json!(rows);
    fts["build_s"] = json!(build_s);
    fts["optimize_s"] = json!(optimize_s);
    fts["size_mib"] = json!(mib(db_size));
    Ok(json!({
        "laws": corpus.laws, "articles": n, "chars_mean": chars as f64 / n as f64,
        "mix": mix_json(&queries), "tantivy": tantivy, "fts": fts,
    }))
}

/// Part 4: `--docs` generated documents in tantivy, on disk; time, size, memory, queries.
pub(crate) async fn part_large(args: &Args) -> Result<Value> {
    let (corpus, queries) = inputs(args)?;
    let (rss_before, _) = rss()?;
    let cpu_before = cpu_self();
    let dir = tempfile::Builder::new()
        .prefix("govnode-bench-search-large-")
        .tempdir()?;
    let index = SearchIndex::open(dir.path()).context("opening the index")?;
    let index_s = engine::index_all(&index, args.docs, BATCH, "large/tantivy", |i| {
        corpus.generated_doc(i)
    })?;
    let index_cpu = cpu_self() - cpu_before;
    let (rss_indexed, hwm_indexed) = rss()?;
    let size = settled_size(dir.path());
    let chars: usize = (0..args.docs.min(10_000))
        .map(|i| corpus.generated_doc(i).body_text.chars().count())
        .sum();
    eprintln!("large/tantivy: {} queries …", queries.len());
    let mut r = engine::run_mix(&index, &queries, ROUNDS)?;
    r["qps2"] = json!(engine::throughput(&index, &queries, 2, THREAD_ROUNDS)?);
    let (rss_end, hwm_end) = rss()?;
    r["docs"] = json!(index.num_docs());
    r["index_s"] = json!(index_s);
    r["index_cpu_s"] = json!(index_cpu);
    r["size_mib"] = json!(mib(size));
    r["chars_mean"] = json!(chars as f64 / args.docs.clamp(1, 10_000) as f64);
    r["rss_before_mib"] = json!(rss_before);
    r["rss_indexed_mib"] = json!(rss_indexed);
    r["hwm_indexed_mib"] = json!(hwm_indexed);
    r["rss_end_mib"] = json!(rss_end);
    r["hwm_end_mib"] = json!(hwm_end);
    r["anon_end_mib"] = json!(proc_mib("/proc/self/status", "RssAnon")?);
    r["file_end_mib"] = json!(proc_mib("/proc/self/status", "RssFile")?);
    Ok(r)
}

/// Part 4, FTS5: the same generated documents, until `--fts-budget-secs` has passed.
pub(crate) async fn part_large_fts(args: &Args) -> Result<Value> {
    let (corpus, queries) = inputs(args)?;
    let dir = tempfile::Builder::new()
        .prefix("govnode-bench-search-fts-")
        .tempdir()?;
    let db = dir.path().join("fts.db");
    let pool = fts::create(&db).await?;
    let budget = Duration::from_secs(args.fts_budget_secs);
    let (rows, build_s) = fts::build(&pool, args.docs, budget, "large/fts5", |i| {
        corpus.generated_text(i)
    })
    .await?;
    let optimize_s = fts::optimize(&pool).await?;
    let size = std::fs::metadata(&db).map_or(0, |m| m.len());
    eprintln!("large/fts5: {} queries …", queries.len());
    // One measured round: a LIKE on a rare two-character term reads the whole table.
    let mut r = fts::run_mix(&pool, &queries, 1, COUNT_BUDGET).await?;
    pool.close().await;
    r["target"] = json!(args.docs);
    r["rows"] = json!(rows);
    r["build_s"] = json!(build_s);
    r["optimize_s"] = json!(optimize_s);
    r["size_mib"] = json!(mib(size));
    r["budget_s"] = json!(args.fts_budget_secs);
    Ok(r)
}
