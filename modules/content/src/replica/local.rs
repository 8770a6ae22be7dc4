//! The node's side of replication that touches content's tables: the origin of rows
//! written before the node knew its id, and attachments of replicated articles still to
//! be fetched from peers.

use sqlx::Row as _;

use crate::{Content, ContentError};

impl Content {
    /// Marks rows written before this node knew its id (origin '') as this node's own.
    pub async fn claim_origin(&self, me: &str) -> Result<(), ContentError> {
        for sql in [
            "UPDATE sites SET origin = $1 WHERE origin = ''",
            "UPDATE column_template_sets SET origin = $1 WHERE origin = ''",
        ] {
            sqlx::query(sql).bind(me).execute(&self.write).await?;
        }
        Ok(())
    }

    /// Hashes of attachments replicated articles name that have not arrived yet, oldest
    /// first.
    pub async fn wanted_blobs(&self, limit: i64) -> Result<Vec<String>, ContentError> {
        let rows = sqlx::query("SELECT hash FROM wanted_blobs ORDER BY since_ms LIMIT $1")
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Forgets a wanted attachment once it is stored.
    pub async fn blob_arrived(&self, hash: &str) -> Result<(), ContentError> {
        sqlx::query("DELETE FROM wanted_blobs WHERE hash = $1")
            .bind(hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
