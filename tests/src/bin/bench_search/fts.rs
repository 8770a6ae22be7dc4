//! SQLite FTS5 with the trigram tokenizer, through sqlx: one table (title, body), built in
//! transactions of 10,000 rows, queried as a search page would (10 rows by rank).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row as _, SqlitePool};

use crate::corpus::Query;
use crate::util::{median, stats};

/// Rows per transaction.
const TX_ROWS: usize = 10_000;
/// Rows per INSERT statement: fewer round trips to sqlx's worker thread than one a row.
const STMT_ROWS: usize = 100;

/// Opens (creating) the database with one connection and creates the table.
pub(crate) async fn create(path: &Path) -> Result<SqlitePool> {
    // A bulk build: WAL without an fsync per commit, as an operator would load it.
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .context("opening the FTS5 database")?;
    sqlx::query("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='trigram')")
        .execute(&pool)
        .await
        .context("creating the FTS5 table (is SQLite built with FTS5?)")?;
    Ok(pool)
}

/// Inserts rows `0..count` (rowid i + 1) made by `text`; stops early, at a transaction
/// boundary, once `budget` has passed. Returns the rows inserted and the seconds taken.
pub(crate) async fn build(
    pool: &SqlitePool,
    count: usize,
    budget: Duration,
    label: &str,
    text: impl Fn(usize) -> (String, String),
) -> Result<(usize, f64)> {
    let started = Instant::now();
    let mut reported = Instant::now();
    let mut next = 0;
    while next < count && started.elapsed() < budget {
        let end = (next + TX_ROWS).min(count);
        let mut tx = pool.begin().await?;
        for chunk_start in (next..end).step_by(STMT_ROWS) {
            let chunk_end = (chunk_start + STMT_ROWS).min(end);
            let values = vec!["(?, ?, ?)"; chunk_end - chunk_start].join(", ");
            let sql = format!("INSERT INTO docs(rowid, title, body) VALUES {values}");
            // Only placeholders vary in the text; the values are bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for i in chunk_start..chunk_end {
                let (title, body) = text(i);
                q = q.bind(i as i64 + 1).bind(title).bind(body);
            }
            q.execute(&mut *tx).await.context("inserting into FTS5")?;
        }
        tx.commit().await?;
        next = end;
        if reported.elapsed().as_secs() >= 10 || next == count {
            let s = started.elapsed().as_secs_f64();
            eprintln!(
                "{label}: {next}/{count} rows, {s:.0} s ({:.0} rows/s)",
                next as f64 / s
            );
            reported = Instant::now();
        }
    }
    Ok((next, started.elapsed().as_secs_f64()))
}

/// Merges the index's segments into one (`'optimize'`) and checkpoints the WAL into the
/// database file; returns the seconds the merge took.
pub(crate) async fn optimize(pool: &SqlitePool) -> Result<f64> {
    let started = Instant::now();
    sqlx::query("INSERT INTO docs(docs) VALUES('optimize')")
        .execute(pool)
        .await?;
    let s = started.elapsed().as_secs_f64();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await?;
    Ok(s)
}

/// A term as an FTS5 string: in double quotes, inner quotes doubled.
fn quoted(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The WHERE clause for a query and its bound values, and whether it uses MATCH. Trigram
/// matching needs 3+ characters a term, so shorter terms become `LIKE '%term%'` on both
/// columns, as the SQLite documentation recommends (a scan of the table when no term
/// reaches the index). Terms come from titles' Han characters: no LIKE wildcards in them.
fn where_clause(q: &Query) -> (String, Vec<String>, bool) {
    let long: Vec<String> = q
        .terms
        .iter()
        .filter(|t| t.chars().count() >= 3)
        .map(|t| quoted(t))
        .collect();
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    if !long.is_empty() {
        parts.push("docs MATCH ?".to_string());
        binds.push(long.join(" "));
    }
    // With MATCH present, the LIKE terms are written `+title`: an expression, not a column,
    // so SQLite filters rows with them instead of planning them as index constraints (an
    // OR over FTS5 constraints fails with "unable to use function MATCH").
    let column = |c: &str| {
        if long.is_empty() {
            c.to_string()
        } else {
            format!("+{c}")
        }
    };
    for t in q.terms.iter().filter(|t| t.chars().count() < 3) {
        parts.push(format!(
            "({} LIKE ? OR {} LIKE ?)",
            column("title"),
            column("body")
        ));
        binds.push(format!("%{t}%"));
        binds.push(format!("%{t}%"));
    }
    (parts.join(" AND "), binds, !long.is_empty())
}

/// The first page: 10 rows (rowid, title and a snippet), by rank where MATCH is used.
async fn page(pool: &SqlitePool, q: &Query) -> Result<usize> {
    let (cond, binds, matched) = where_clause(q);
    let sql = if matched {
        format!(
            "SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', '…', 16) FROM docs \
             WHERE {cond} ORDER BY rank LIMIT 10"
        )
    } else {
        format!("SELECT rowid, title, substr(body, 1, 60) FROM docs WHERE {cond} LIMIT 10")
    };
    // Fixed fragments and placeholders only; the terms are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(pool).await?;
    for r in &rows {
        let _: (i64, String) = (r.try_get(0)?, r.try_get(1)?);
    }
    Ok(rows.len())
}

/// How many rows match (measured apart, for the hit-count comparison).
async fn count(pool: &SqlitePool, q: &Query) -> Result<u64> {
    let (cond, binds, _) = where_clause(q);
    let sql = format!("SELECT count(*) FROM docs WHERE {cond}");
    let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    Ok(query.fetch_one(pool).await? as u64)
}

/// Whether a query goes through MATCH alone (no LIKE term).
pub(crate) fn match_only(q: &Query) -> bool {
    q.terms.iter().all(|t| t.chars().count() >= 3)
}

/// Runs the mix once to warm up, then `rounds` times one after another; latencies overall
/// and split by MATCH-only and LIKE queries, throughput, and total matches counted for
/// as many queries as fit in `count_budget`.
pub(crate) async fn run_mix(
    pool: &SqlitePool,
    queries: &[Query],
    rounds: usize,
    count_budget: Duration,
) -> Result<Value> {
    for q in queries {
        page(pool, q).await?;
    }
    let (mut all, mut matched, mut like) = (Vec::new(), Vec::new(), Vec::new());
    let started = Instant::now();
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            page(pool, q)
                .await
                .with_context(|| format!("FTS5 query `{}`", q.text()))?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            all.push(ms);
            if match_only(q) {
                &mut matched
            } else {
                &mut like
            }
            .push(ms);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let counting = Instant::now();
    let mut totals = Vec::new();
    for q in queries {
        if counting.elapsed() > count_budget {
            break;
        }
        totals.push(count(pool, q).await?);
    }
    Ok(json!({
        "latency": stats(all.clone()),
        "latency_match": stats(matched),
        "latency_like": stats(like),
        "qps1": all.len() as f64 / wall,
        "median_total": median(totals.clone()),
        "counted": totals.len(),
        "totals": totals,
    }))
}
