//! Query analytics: searches are counted per day, site and normalised query, with their
//! result counts, and written as aggregates. Nothing about who searched is kept, and
//! long digit runs (phone or ID numbers typed into the box) are masked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::{AnyPool, Row as _};
use tokio::sync::watch;

use crate::Node;

/// How often pending counts are written.
const FLUSH_EVERY: Duration = Duration::from_secs(10);
/// How often the day's aggregates go to the ancestors (while searches come in).
const PUBLISH_EVERY: Duration = Duration::from_secs(60);
/// Longest query kept, in characters.
const MAX_QUERY_CHARS: usize = 50;

/// (day, site, query) → (searches, zero-result searches, results).
type Pending = HashMap<(String, String, String), (i64, i64, i64)>;

/// Counts not yet written.
#[derive(Default)]
pub(crate) struct QueryStats {
    pending: Mutex<Pending>,
}

/// Masks digit runs of six or more (personal numbers) and caps the length.
fn anonymise(query: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().count() >= 6 {
            out.push('#');
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in query.chars().take(MAX_QUERY_CHARS) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Today in Beijing, YYYY-MM-DD.
fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}

impl QueryStats {
    /// Counts one search.
    pub(crate) fn record(&self, site: Option<&str>, normalized: &str, total: usize) {
        let query = anonymise(normalized.trim());
        if query.is_empty() {
            return;
        }
        let key = (today(), site.unwrap_or_default().to_string(), query);
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let e = pending.entry(key).or_insert((0, 0, 0));
        e.0 += 1;
        e.1 += i64::from(total == 0);
        e.2 += i64::try_from(total).unwrap_or(i64::MAX);
    }

    /// Writes pending counts in one transaction; returns whether there were any.
    pub(crate) async fn flush(&self, pool: &AnyPool) -> Result<bool, sqlx::Error> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if pending.is_empty() {
            return Ok(false);
        }
        let mut tx = pool.begin().await?;
        for ((day, site, query), (n, zero, results)) in &pending {
            sqlx::query(
                "INSERT INTO search_query_stats (day, site, query, searches, zero_results, results) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (day, site, query) DO UPDATE SET searches = searches + excluded.searches,
                   zero_results = zero_results + excluded.zero_results, results = results + excluded.results",
            )
            .bind(day)
            .bind(site)
            .bind(query)
            .bind(n)
            .bind(zero)
            .bind(results)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Writes counts every few seconds until stopped, then a last time; publishes the day's
/// aggregates to the ancestors at most once a minute while searches come in.
pub(crate) async fn flush_periodically(node: Arc<Node>, mut stop: watch::Receiver<bool>) {
    let mut published: Option<std::time::Instant> = None;
    let mut unpublished = false;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(FLUSH_EVERY) => {}
        }
        match node.query_stats.flush(&node.db.write).await {
            Ok(wrote) => unpublished |= wrote,
            Err(e) => tracing::warn!(error = %e, "writing query analytics failed"),
        }
        if unpublished && published.is_none_or(|t| t.elapsed() >= PUBLISH_EVERY) {
            match crate::query_rollup::publish(&node, &today()).await {
                Ok(()) => {
                    published = Some(std::time::Instant::now());
                    unpublished = false;
                }
                Err(e) => tracing::warn!(error = %e, "publishing query analytics failed"),
            }
        }
    }
    if let Err(e) = node.query_stats.flush(&node.db.write).await {
        tracing::warn!(error = %e, "writing query analytics failed");
    }
}

/// The analytics report: totals, top queries and zero-result queries over the last
/// `days` days, for one site or all, and searches per site.
pub(crate) async fn report(
    pool: &AnyPool,
    site: Option<&str>,
    days: i64,
    limit: i64,
) -> Result<Value, sqlx::Error> {
    let since = ((chrono::Utc::now() + chrono::Duration::hours(8))
        - chrono::Duration::days(days - 1))
    .format("%Y-%m-%d")
    .to_string();
    let site_filter = site.unwrap_or("");
    let all_sites = i64::from(site.is_none());
    let totals = sqlx::query(
        "SELECT COALESCE(SUM(searches), 0), COALESCE(SUM(zero_results), 0), COUNT(DISTINCT query) FROM search_query_stats
         WHERE day >= $1 AND ($2 = 1 OR site = $3)",
    )
    .bind(&since)
    .bind(all_sites)
    .bind(site_filter)
    .fetch_one(pool)
    .await?;
    let list = |sql: &'static str| {
        let since = since.clone();
        async move {
            let rows = sqlx::query(sql)
                .bind(since)
                .bind(all_sites)
                .bind(site_filter)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::new();
            for r in rows {
                out.push(json!({
                    "query": r.try_get::<String, _>(0)?,
                    "searches": r.try_get::<i64, _>(1)?,
                    "zero_results": r.try_get::<i64, _>(2)?,
                    "average_results": r.try_get::<f64, _>(3)?,
                }));
            }
            Ok::<_, sqlx::Error>(out)
        }
    };
    let top = list(
        "SELECT query, SUM(searches) AS n, SUM(zero_results), CAST(SUM(results) AS REAL) / SUM(searches) FROM search_query_stats
         WHERE day >= $1 AND ($2 = 1 OR site = $3) GROUP BY query ORDER BY n DESC, query LIMIT $4",
    )
    .await?;
    let zero = list(
        "SELECT query, SUM(searches) AS n, SUM(zero_results) AS z, CAST(SUM(results) AS REAL) / SUM(searches) FROM search_query_stats
         WHERE day >= $1 AND ($2 = 1 OR site = $3) GROUP BY query HAVING SUM(zero_results) > 0 ORDER BY z DESC, query LIMIT $4",
    )
    .await?;
    let per_site = sqlx::query(
        "SELECT site, SUM(searches), SUM(zero_results) FROM search_query_stats WHERE day >= $1 AND ($2 = 1 OR site = $3)
         GROUP BY site ORDER BY SUM(searches) DESC",
    )
    .bind(&since)
    .bind(all_sites)
    .bind(site_filter)
    .fetch_all(pool)
    .await?;
    let mut sites = Vec::new();
    for r in per_site {
        sites.push(json!({
            "site": r.try_get::<String, _>(0)?,
            "searches": r.try_get::<i64, _>(1)?,
            "zero_results": r.try_get::<i64, _>(2)?,
        }));
    }
    let below = match site {
        None => crate::query_rollup::below(pool, &since, limit).await?,
        Some(_) => Value::Null,
    };
    Ok(json!({
        "below": below,
        "since": since, "days": days, "site": site,
        "searches": totals.try_get::<i64, _>(0)?,
        "zero_result_searches": totals.try_get::<i64, _>(1)?,
        "distinct_queries": totals.try_get::<i64, _>(2)?,
        "top_queries": top, "zero_result_queries": zero, "sites": sites,
    }))
}

#[cfg(test)]
mod tests {
    use super::anonymise;

    #[test]
    fn personal_numbers_are_masked() {
        assert_eq!(anonymise("身份证440101199001011234查询"), "身份证#查询");
        assert_eq!(anonymise("2024年 社保"), "2024年 社保");
        assert_eq!(anonymise(&"社".repeat(80)).chars().count(), 50);
    }
}
