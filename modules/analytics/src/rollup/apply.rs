//! The applier of the counters nodes below send: checked whole before anything is written,
//! then merged row by row by taking the larger count.

use std::collections::BTreeMap;
use std::sync::Arc;

use govnode_federation::{Applier, ApplyError, BoxFuture, Entry, Federation};
use sqlx::AnyConnection;

use super::{DAY_KIND, DayCounters};

/// Counters per upsert statement (6 values each, under SQLite's 999).
const CHUNK: usize = 100;

/// The applier of the counters nodes below send (kind [`DAY_KIND`]): an origin's counters
/// of a site it does not serve are refused, the rest merge by the larger count.
#[derive(Clone)]
pub struct VisitsBelow {
    federation: Arc<Federation>,
}

impl std::fmt::Debug for VisitsBelow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisitsBelow").finish_non_exhaustive()
    }
}

impl VisitsBelow {
    /// The applier, checking origins against the federation's tree.
    pub fn new(federation: Arc<Federation>) -> Self {
        VisitsBelow { federation }
    }

    async fn store(
        &self,
        conn: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let failed = |e: sqlx::Error| ApplyError::Failed(e.to_string());
        if entry.kind != DAY_KIND {
            return Err(ApplyError::Refused(format!("unknown kind {}", entry.kind)));
        }
        let me = self.federation.me();
        if entry.origin == me {
            return Err(ApplyError::Refused(
                "this node's own visit counters are not applied from entries".into(),
            ));
        }
        let counters = DayCounters::decode(payload).map_err(ApplyError::Refused)?;
        counters
            .check(entry.origin, &self.federation.topology())
            .map_err(|e| ApplyError::Refused(format!("visit counters of {}: {e}", entry.origin)))?;

        // One row per counter, the larger count where an entry names one twice (a row
        // may not be touched twice by one statement on PostgreSQL).
        let mut rows: BTreeMap<(&str, &str, &str), i64> = BTreeMap::new();
        let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
        for (site, _, code, key, n) in counters.rows() {
            let count = rows.entry((site, code, key)).or_insert(n);
            *count = (*count).max(n);
        }
        for s in &counters.sites {
            owners.insert(&s.site, &s.owner);
        }
        let origin = entry.origin.to_string();
        let me = me.to_string();
        for (site, owner) in owners {
            // This node's own sites keep their owner whatever a node below says.
            sqlx::query(
                "INSERT INTO visit_sites (site, owner) VALUES ($1, $2)
                 ON CONFLICT (site) DO UPDATE SET owner = excluded.owner
                 WHERE visit_sites.owner <> $3",
            )
            .bind(site)
            .bind(owner)
            .bind(&me)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        }
        let rows: Vec<_> = rows.into_iter().collect();
        for chunk in rows.chunks(CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|k| {
                    let p = 6 * k;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        p + 6
                    )
                })
                .collect();
            // Placeholders only: the values are bound.
            let sql = format!(
                "INSERT INTO visit_counts (node, day, site, dimension, key, count) VALUES {}
                 ON CONFLICT (node, day, site, dimension, key) DO UPDATE SET count =
                 CASE WHEN excluded.count > visit_counts.count THEN excluded.count
                 ELSE visit_counts.count END",
                values.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for ((site, code, key), count) in chunk {
                q = q
                    .bind(origin.as_str())
                    .bind(counters.day.as_str())
                    .bind(*site)
                    .bind(*code)
                    .bind(*key)
                    .bind(*count);
            }
            q.execute(&mut *conn).await.map_err(failed)?;
        }
        Ok(())
    }
}

impl Applier for VisitsBelow {
    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        entry: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(self.store(conn, entry, payload))
    }
}
