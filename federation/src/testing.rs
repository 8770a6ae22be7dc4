//! Test support for the tests of the modules' SQL: a temp-file SQLite database with the
//! given crates' migrations merged as the node merges them, and a standalone root node's
//! federation over it. Compiled only with the `testing` feature; it panics on failure.

use std::path::Path;
use std::sync::Arc;

use govnode_topology::NodeId;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use crate::{Certificate, Federation, FederationSettings, NodeKey, now_ms};

/// `dir/test.db` (`dir` made if missing), `migrators` merged and run: (read, single-writer) pools.
pub async fn temp_database(dir: &Path, migrators: &[&Migrator]) -> (AnyPool, AnyPool) {
    sqlx::any::install_default_drivers();
    std::fs::create_dir_all(dir).expect("the test database's directory can be created");
    let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
    let write = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("the test database's writer pool opens");
    Migrator::with_migrations(migrators.iter().flat_map(|m| m.iter().cloned()).collect())
        .run(&write)
        .await
        .expect("the merged migrations run on the test database");
    // WAL (kept in the file) so the readers never wait for the writer.
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&write)
        .await
        .expect("the test database switches to WAL");
    let read = AnyPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await
        .expect("the test database's reader pool opens");
    (read, write)
}

/// Settings for `me` as a standalone root: `key` is the root key and self-signs its certificate.
pub fn standalone_root_settings(me: NodeId, key: &NodeKey) -> FederationSettings {
    FederationSettings {
        me,
        tier: me.tier(),
        parent: None,
        aerial_roots: Vec::new(),
        root_key: key.public_bytes(),
        chain: vec![Certificate::self_signed_root(key, me, now_ms() - 60_000, 1)],
        topology: None,
        batch_entries: 500,
        batch_bytes: 4 << 20,
    }
}

/// The federation of a standalone root node `440000` with a fresh key (public changes are logged).
pub async fn standalone_root(read: &AnyPool, write: &AnyPool) -> Arc<Federation> {
    let me: NodeId = "440000".parse().expect("440000 is a node id");
    let key = NodeKey::generate();
    Federation::open(
        standalone_root_settings(me, &key),
        key,
        read.clone(),
        write.clone(),
    )
    .await
    .expect("the standalone root's federation opens")
}
