//! Query analytics rolled up the tree: a node publishes its day's aggregates (the 500 most
//! searched queries per day, counts only) as an entry for its ancestors, at most once a
//! minute while searches come in; an ancestor keeps the latest of every node below.

use std::sync::Arc;

use govnode_federation::{
    Applier, ApplyError, Audience, BoxFuture, Entry, EntryDraft, decode_payload, encode_payload,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{AnyConnection, AnyPool, Row as _};

use crate::Node;

/// Entry kind prefix of analytics entries.
pub(crate) const KIND_PREFIX: &str = "analytics.";
/// Entry kind of a node's query aggregates for one day.
const QUERIES: &str = "analytics.queries";
/// Queries published per node and day.
const TOP: i64 = 500;

/// One day's aggregates of one node.
#[derive(Debug, Serialize, Deserialize)]
struct QueryDay {
    day: String,
    /// (site, query, searches, zero-result searches, results)
    rows: Vec<(String, String, i64, i64, i64)>,
}

/// Publishes the day's aggregates of this node to its ancestors.
pub(crate) async fn publish(node: &Node, day: &str) -> Result<(), String> {
    let db = |e: sqlx::Error| e.to_string();
    let rows = sqlx::query(
        "SELECT site, query, searches, zero_results, results FROM search_query_stats WHERE day = $1
         ORDER BY searches DESC, query LIMIT $2",
    )
    .bind(day)
    .bind(TOP)
    .fetch_all(&node.db.read)
    .await
    .map_err(db)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push((
            r.try_get(0).map_err(db)?,
            r.try_get(1).map_err(db)?,
            r.try_get(2).map_err(db)?,
            r.try_get(3).map_err(db)?,
            r.try_get(4).map_err(db)?,
        ));
    }
    if out.is_empty() {
        return Ok(());
    }
    let payload = QueryDay {
        day: day.to_string(),
        rows: out,
    };
    let mut tx = node.db.write.begin().await.map_err(db)?;
    node.federation
        .append(
            &mut tx,
            EntryDraft {
                kind: QUERIES.into(),
                object: format!("queries:{day}"),
                audience: Audience::Up,
                payload: encode_payload(1, &payload),
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(db)?;
    node.federation.announce();
    Ok(())
}

/// Keeps the aggregates nodes below publish.
pub(crate) struct QueriesBelow;

impl QueriesBelow {
    async fn store(
        conn: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let refused = |m: String| ApplyError::Refused(m);
        let failed = |e: sqlx::Error| ApplyError::Failed(e.to_string());
        if entry.kind != QUERIES {
            return Err(refused(format!("unknown kind {}", entry.kind)));
        }
        let (_, day): (u8, QueryDay) = decode_payload(payload).map_err(refused)?;
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

/// The levels below, since `since` (YYYY-MM-DD): searches per node and their top queries.
pub(crate) async fn below(pool: &AnyPool, since: &str, limit: i64) -> Result<Value, sqlx::Error> {
    let nodes = sqlx::query(
        "SELECT origin, SUM(searches), SUM(zero_results) FROM search_query_stats_below WHERE day >= $1
         GROUP BY origin ORDER BY origin",
    )
    .bind(since)
    .fetch_all(pool)
    .await?;
    let mut per_node = Vec::new();
    for r in nodes {
        per_node.push(
            json!({ "node": r.try_get::<String, _>(0)?, "searches": r.try_get::<i64, _>(1)?,
            "zero_results": r.try_get::<i64, _>(2)? }),
        );
    }
    let top = sqlx::query(
        "SELECT query, SUM(searches) AS n, SUM(zero_results) FROM search_query_stats_below WHERE day >= $1
         GROUP BY query ORDER BY n DESC, query LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut queries = Vec::new();
    for r in top {
        queries.push(
            json!({ "query": r.try_get::<String, _>(0)?, "searches": r.try_get::<i64, _>(1)?,
            "zero_results": r.try_get::<i64, _>(2)? }),
        );
    }
    Ok(json!({ "nodes": per_node, "top_queries": queries }))
}

/// Registers the applier of the levels below's aggregates.
pub(crate) fn register(node: &Arc<Node>) {
    node.federation
        .register(KIND_PREFIX, Arc::new(QueriesBelow));
}
