//! Statistics rolled up the tree: each node publishes its bodies' statistics as an entry
//! for its ancestors (when they changed), and keeps the latest of every body below.

use chrono::NaiveDate;
use govnode_federation::{Audience, EntryDraft, encode_payload, now_ms};
use sqlx::{AnyConnection, Row as _};

use crate::InteractionError;
use crate::handling::BodyStats;
use crate::routing::V1;
use crate::service::{Interaction, fed_err};

/// Entry kind of a node's statistics.
pub(crate) const STATS: &str = "interaction.stats";

/// Stores a node's published statistics (the latest per body).
pub(crate) async fn store(
    conn: &mut AnyConnection,
    node: &str,
    stats: &[BodyStats],
) -> Result<(), sqlx::Error> {
    for s in stats {
        sqlx::query(
            "INSERT INTO interaction_stats (body_id, node, stats, updated_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (body_id) DO UPDATE SET node = excluded.node, stats = excluded.stats, updated_ms = excluded.updated_ms",
        )
        .bind(&s.body)
        .bind(node)
        .bind(serde_json::to_string(s).unwrap_or_default())
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Interaction {
    /// Publishes this node's statistics to its ancestors if they changed since last time;
    /// returns whether it did.
    pub async fn publish_stats(&self, today: NaiveDate) -> Result<bool, InteractionError> {
        let stats = self.stats(today).await?;
        if stats.is_empty() {
            return Ok(false);
        }
        let me = self.me();
        let mut tx = self.write.begin().await?;
        let mut changed = false;
        for s in &stats {
            let held: Option<String> =
                sqlx::query("SELECT stats FROM interaction_stats WHERE body_id = $1")
                    .bind(&s.body)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
            changed |= held
                .and_then(|h| serde_json::from_str::<BodyStats>(&h).ok())
                .as_ref()
                != Some(s);
        }
        if !changed {
            return Ok(false);
        }
        store(&mut tx, &me, &stats).await?;
        self.federation
            .append(
                &mut tx,
                EntryDraft {
                    kind: STATS.into(),
                    object: "stats".into(),
                    audience: Audience::Up,
                    payload: encode_payload(V1, &stats),
                },
            )
            .await
            .map_err(fed_err)?;
        tx.commit().await?;
        self.federation.announce();
        Ok(true)
    }

    /// The latest statistics of bodies below this node, rolled up from their nodes.
    pub async fn rolled_up(&self) -> Result<Vec<(String, BodyStats)>, InteractionError> {
        let rows = sqlx::query(
            "SELECT node, stats FROM interaction_stats WHERE node != $1 ORDER BY node, body_id",
        )
        .bind(self.me())
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let stats: String = r.try_get(1)?;
            if let Ok(s) = serde_json::from_str::<BodyStats>(&stats) {
                out.push((r.try_get(0)?, s));
            }
        }
        Ok(out)
    }
}
