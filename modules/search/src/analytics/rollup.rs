//! Analytics rolled up the tree: a node publishes a day's aggregates (the 500 most searched
//! queries, counts only) as an `Up` entry for its ancestors; an ancestor keeps the latest
//! of every node below, per day, in `search_query_stats_below`.

use govnode_federation::{
    Applier, ApplyError, Audience, BoxFuture, Entry, EntryDraft, Federation, decode_payload,
    encode_payload,
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, AnyPool, Row as _};

use super::AnalyticsError;

/// Entry kind of a node's query aggregates for one day (kept from the node crate, so
/// entries already in logs still apply).
const QUERIES: &str = "analytics.queries";
/// Payload version.
const V1: u8 = 1;
/// Queries published per node and day.
const TOP: i64 = 500;

/// One day's aggregates of one node, as it travels (postcard: field order is the format).
#[derive(Debug, Serialize, Deserialize)]
struct QueryDay {
    day: String,
    /// (site, query, searches, zero-result searches, results)
    rows: Vec<(String, String, i64, i64, i64)>,
}

/// The levels below in a report (fields in alphabetical order, see
/// [`QueryReport`](super::QueryReport)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BelowReport {
    /// Searches per node below, by node id.
    pub nodes: Vec<NodeCount>,
    /// Most searched queries below, all nodes together.
    pub top_queries: Vec<BelowQueryCount>,
}

/// One node's counts (fields in alphabetical order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeCount {
    /// Node id.
    pub node: String,
    /// Searches.
    pub searches: i64,
    /// Searches that found nothing.
    pub zero_results: i64,
}

/// One query's counts below (fields in alphabetical order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BelowQueryCount {
    /// The normalised, masked query.
    pub query: String,
    /// Searches.
    pub searches: i64,
    /// Searches that found nothing.
    pub zero_results: i64,
}

/// Publishes this node's aggregates of `day` to its ancestors.
pub(super) async fn publish(
    read: &AnyPool,
    write: &AnyPool,
    federation: &Federation,
    day: &str,
) -> Result<(), AnalyticsError> {
    let rows = sqlx::query(
        "SELECT site, query, searches, zero_results, results FROM search_query_stats WHERE day = $1
         ORDER BY searches DESC, query LIMIT $2",
    )
    .bind(day)
    .bind(TOP)
    .fetch_all(read)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
        ))
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    if rows.is_empty() {
        return Ok(());
    }
    let payload = QueryDay {
        day: day.to_string(),
        rows,
    };
    let mut tx = write.begin().await?;
    federation
        .append(
            &mut tx,
            EntryDraft {
                kind: QUERIES.into(),
                object: format!("queries:{day}"),
                audience: Audience::Up,
                payload: encode_payload(V1, &payload),
            },
        )
        .await?;
    tx.commit().await?;
    federation.announce();
    Ok(())
}

/// Keeps the aggregates nodes below publish: the latest entry per origin and day replaces
/// the earlier one (each is the whole day so far).
#[derive(Debug, Clone, Copy, Default)]
pub struct QueriesBelow;

impl QueriesBelow {
    async fn store(
        conn: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let failed = |e: sqlx::Error| ApplyError::Failed(e.to_string());
        if entry.kind != QUERIES {
            return Err(ApplyError::Refused(format!("unknown kind {}", entry.kind)));
        }
        let (_, day): (u8, QueryDay) = decode_payload(payload).map_err(ApplyError::Refused)?;
        let origin = entry.origin.to_string();
        sqlx::query("DELETE FROM search_query_stats_below WHERE origin = $1 AND day = $2")
            .bind(&origin)
            .bind(&day.day)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        for (site, query, searches, zero, results) in day.rows.iter().take(TOP as usize) {
            sqlx::query(
                "INSERT INTO search_query_stats_below (origin, day, site, query, searches, zero_results, results)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(&origin)
            .bind(&day.day)
            .bind(site)
            .bind(query)
            .bind(searches)
            .bind(zero)
            .bind(results)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        }
        Ok(())
    }
}

impl Applier for QueriesBelow {
    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        entry: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(Self::store(conn, entry, payload))
    }
}

/// The levels below since `since` (YYYY-MM-DD): searches per node and their top queries.
pub(super) async fn below(
    pool: &AnyPool,
    since: &str,
    limit: i64,
) -> Result<BelowReport, sqlx::Error> {
    let nodes = sqlx::query(
        "SELECT origin, SUM(searches), SUM(zero_results) FROM search_query_stats_below WHERE day >= $1
         GROUP BY origin ORDER BY origin",
    )
    .bind(since)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(NodeCount {
            node: r.try_get(0)?,
            searches: r.try_get(1)?,
            zero_results: r.try_get(2)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let top_queries = sqlx::query(
        "SELECT query, SUM(searches) AS n, SUM(zero_results) FROM search_query_stats_below WHERE day >= $1
         GROUP BY query ORDER BY n DESC, query LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(BelowQueryCount {
            query: r.try_get(0)?,
            searches: r.try_get(1)?,
            zero_results: r.try_get(2)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(BelowReport { nodes, top_queries })
}
