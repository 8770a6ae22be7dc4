//! This node's aggregates: counting in memory, writing to `search_query_stats`, the report.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row as _};

use super::rollup::BelowReport;

/// Longest query kept, in characters.
const MAX_QUERY_CHARS: usize = 50;
/// Digit runs at least this long are taken for personal numbers and masked.
const MASKED_DIGITS: usize = 6;

/// (day, site, query) → (searches, zero-result searches, results).
pub(super) type Pending = HashMap<(String, String, String), (i64, i64, i64)>;

/// The analytics report of this node.
///
/// Fields are declared in alphabetical order on purpose: the report used to be built with
/// `serde_json::json!`, whose map sorts keys, so this order keeps the JSON byte-identical.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryReport {
    /// The levels below (None, serialised as `null`, when the report is for one site).
    pub below: Option<BelowReport>,
    /// Days covered, today included.
    pub days: i64,
    /// Distinct queries searched.
    pub distinct_queries: i64,
    /// Searches.
    pub searches: i64,
    /// First day covered, YYYY-MM-DD (Beijing time).
    pub since: String,
    /// The site reported on (None: all sites).
    pub site: Option<String>,
    /// Searches per site ('' for searches outside a site), most searched first.
    pub sites: Vec<SiteCount>,
    /// Most searched queries.
    pub top_queries: Vec<QueryCount>,
    /// Queries that found nothing most often.
    pub zero_result_queries: Vec<QueryCount>,
    /// Searches that found nothing.
    pub zero_result_searches: i64,
}

/// One query's counts (fields in alphabetical order, see [`QueryReport`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryCount {
    /// Results found per search, on average.
    pub average_results: f64,
    /// The normalised, masked query.
    pub query: String,
    /// Searches.
    pub searches: i64,
    /// Searches that found nothing.
    pub zero_results: i64,
}

/// One site's counts (fields in alphabetical order, see [`QueryReport`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteCount {
    /// Searches.
    pub searches: i64,
    /// Site id ('' for searches outside a site).
    pub site: String,
    /// Searches that found nothing.
    pub zero_results: i64,
}

/// Masks digit runs of six or more (personal numbers) and caps the length.
pub(super) fn anonymise(query: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().count() >= MASKED_DIGITS {
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

/// Adds one search to the pending counts of `day`; an empty query is not counted.
pub(super) fn count(
    pending: &mut Pending,
    day: String,
    site: Option<&str>,
    normalized: &str,
    results: usize,
) {
    let query = anonymise(normalized.trim());
    if query.is_empty() {
        return;
    }
    let key = (day, site.unwrap_or_default().to_string(), query);
    let e = pending.entry(key).or_insert((0, 0, 0));
    e.0 += 1;
    e.1 += i64::from(results == 0);
    e.2 += i64::try_from(results).unwrap_or(i64::MAX);
}

/// Adds the pending counts to the stored ones in one transaction; returns whether there
/// were any.
pub(super) async fn write(pool: &AnyPool, pending: &Pending) -> Result<bool, sqlx::Error> {
    if pending.is_empty() {
        return Ok(false);
    }
    let mut tx = pool.begin().await?;
    for ((day, site, query), (n, zero, results)) in pending {
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

/// The report of this node since `since` (YYYY-MM-DD), for one site or all; `below` is
/// left None for the caller to fill in.
pub(super) async fn report(
    pool: &AnyPool,
    since: &str,
    site: Option<&str>,
    days: i64,
    limit: i64,
) -> Result<QueryReport, sqlx::Error> {
    let filter = Filter {
        since,
        all_sites: i64::from(site.is_none()),
        site: site.unwrap_or(""),
    };
    let totals = sqlx::query(
        "SELECT COALESCE(SUM(searches), 0), COALESCE(SUM(zero_results), 0), COUNT(DISTINCT query) FROM search_query_stats
         WHERE day >= $1 AND ($2 = 1 OR site = $3)",
    )
    .bind(filter.since)
    .bind(filter.all_sites)
    .bind(filter.site)
    .fetch_one(pool)
    .await?;
    let top = query_counts(
        pool,
        &filter,
        limit,
        "SELECT query, SUM(searches) AS n, SUM(zero_results), CAST(SUM(results) AS REAL) / SUM(searches) FROM search_query_stats
         WHERE day >= $1 AND ($2 = 1 OR site = $3) GROUP BY query ORDER BY n DESC, query LIMIT $4",
    )
    .await?;
    let zero = query_counts(
        pool,
        &filter,
        limit,
        "SELECT query, SUM(searches) AS n, SUM(zero_results) AS z, CAST(SUM(results) AS REAL) / SUM(searches) FROM search_query_stats
         WHERE day >= $1 AND ($2 = 1 OR site = $3) GROUP BY query HAVING SUM(zero_results) > 0 ORDER BY z DESC, query LIMIT $4",
    )
    .await?;
    let sites = sqlx::query(
        "SELECT site, SUM(searches), SUM(zero_results) FROM search_query_stats WHERE day >= $1 AND ($2 = 1 OR site = $3)
         GROUP BY site ORDER BY SUM(searches) DESC",
    )
    .bind(filter.since)
    .bind(filter.all_sites)
    .bind(filter.site)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(SiteCount {
            site: r.try_get(0)?,
            searches: r.try_get(1)?,
            zero_results: r.try_get(2)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(QueryReport {
        below: None,
        days,
        distinct_queries: totals.try_get(2)?,
        searches: totals.try_get(0)?,
        since: since.to_string(),
        site: site.map(str::to_string),
        sites,
        top_queries: top,
        zero_result_queries: zero,
        zero_result_searches: totals.try_get(1)?,
    })
}

/// The rows a report covers: days from `since`, and every site or only `site`.
struct Filter<'a> {
    since: &'a str,
    /// 1 for every site (an integer, as the portable SQL has no booleans).
    all_sites: i64,
    site: &'a str,
}

/// Runs a query-count list (`sql` binds since, all-sites flag, site, limit).
async fn query_counts(
    pool: &AnyPool,
    filter: &Filter<'_>,
    limit: i64,
    sql: &'static str,
) -> Result<Vec<QueryCount>, sqlx::Error> {
    sqlx::query(sql)
        .bind(filter.since)
        .bind(filter.all_sites)
        .bind(filter.site)
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(query_count)
        .collect()
}

fn query_count(r: &AnyRow) -> Result<QueryCount, sqlx::Error> {
    Ok(QueryCount {
        query: r.try_get(0)?,
        searches: r.try_get(1)?,
        zero_results: r.try_get(2)?,
        average_results: r.try_get(3)?,
    })
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
