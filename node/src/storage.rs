//! The node's database: SQLite in the data dir (WAL, synchronous=FULL), through sqlx's
//! `Any` driver so one code path will also serve PostgreSQL.
//!
//! Two pools: a single-connection writer (SQLite allows one writer; serialising writes in
//! the pool avoids busy-snapshot failures when a transaction reads then writes) and a
//! reader pool for everything else. Each module owns its tables' migrations; `schema`
//! merges them and adopts databases created before that split.

pub mod schema;

use std::path::Path;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

use crate::NodeError;

/// The database file inside the data dir.
pub const DB_FILE: &str = "govnode.db";

/// The node's pools.
#[derive(Debug, Clone)]
pub struct Db {
    /// Reader pool.
    pub read: AnyPool,
    /// The single writer.
    pub write: AnyPool,
}

async fn pool(url: &str, max: u32) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // synchronous=FULL: a commit is on disk before it is acknowledged.
                conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
                    .await?;
                Ok(())
            })
        })
        .connect(url)
        .await
}

impl Db {
    /// Opens (creating if needed) the SQLite database in `data_dir` and runs migrations.
    pub async fn open(data_dir: &Path) -> Result<Db, NodeError> {
        sqlx::any::install_default_drivers();
        let path = data_dir.join(DB_FILE);
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let open_err =
            |e: sqlx::Error| NodeError::Storage(format!("opening {}: {e}", path.display()));
        let write = pool(&url, 1).await.map_err(open_err)?;
        schema::migrate(&write)
            .await
            .map_err(|e| NodeError::Storage(format!("migrating {}: {e}", path.display())))?;
        let read = pool(&url, 8).await.map_err(open_err)?;
        Ok(Db { read, write })
    }

    /// Closes both pools (checkpointing the WAL).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
