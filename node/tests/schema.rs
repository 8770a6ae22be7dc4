//! The per-module migrations build exactly the schema of the node's former single
//! migration directory (kept in `fixtures/legacy_migrations`), and a database created by
//! those is adopted when opened: same schema, data kept, the modules' migrations recorded.

use std::path::Path;

use govnode::storage::{DB_FILE, Db, schema};
use govnode_content::{ColumnInput, Content};
use govnode_library::BlobStore;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};

/// The node's migrations before each module owned its tables, byte for byte.
static LEGACY: Migrator = sqlx::migrate!("./tests/fixtures/legacy_migrations");

/// One schema object: type, name, table, normalised SQL.
type Object = (String, String, String, String);

async fn connect(dir: &Path) -> AnyPool {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rwc", dir.join(DB_FILE).display());
    AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap()
}

/// SQL as SQLite keeps it, minus what does not change the schema: comments, identifier
/// quotes (a renamed table's SQL gains them), and whitespace (ALTER TABLE … ADD COLUMN
/// splices the column into the original text).
fn normalise(sql: &str) -> String {
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            in_string = c != '\'';
            out.push(c);
        } else if c == '\'' {
            in_string = true;
            out.push(c);
        } else if c == '-' && chars.peek() == Some(&'-') {
            chars.by_ref().take_while(|&c| c != '\n').for_each(drop);
            out.push(' ');
        } else if c != '"' {
            out.push(if c.is_whitespace() { ' ' } else { c });
        }
    }
    let mut spaced = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in ["(", ")", ","] {
        spaced = spaced
            .replace(&format!(" {p}"), p)
            .replace(&format!("{p} "), p);
    }
    spaced
}

/// Every table, index and trigger but sqlx's bookkeeping, sorted.
async fn schema(pool: &AnyPool) -> Vec<Object> {
    let rows = sqlx::query(
        "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master \
         WHERE tbl_name != '_sqlx_migrations' ORDER BY type, name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let sql: String = r.get(3);
            (r.get(0), r.get(1), r.get(2), normalise(&sql))
        })
        .collect()
}

/// The migrations a database records as applied: (version, checksum).
async fn applied(pool: &AnyPool) -> Vec<(i64, Vec<u8>)> {
    sqlx::query("SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

async fn counters(pool: &AnyPool) -> Vec<(String, i64)> {
    sqlx::query("SELECT name, value FROM counters ORDER BY name")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// A database built by the legacy migrations (up to `to`), as an older node left it.
async fn legacy_db(dir: &Path, to: i64) -> AnyPool {
    let pool = connect(dir).await;
    LEGACY.run_to(to, &pool).await.unwrap();
    pool
}

#[test]
fn normalising_keeps_what_matters() {
    let altered = "CREATE TABLE \"t\" (\n  a TEXT NOT NULL -- note\n, b TEXT DEFAULT '--')";
    let written = "CREATE TABLE t (a TEXT NOT NULL, b TEXT DEFAULT '--')";
    assert_eq!(normalise(altered), normalise(written));
    assert_ne!(
        normalise(written),
        normalise("CREATE TABLE t (a TEXT, b TEXT DEFAULT '--')")
    );
}

#[tokio::test]
async fn module_schema_equals_legacy_schema() {
    let legacy_dir = tempfile::tempdir().unwrap();
    let fresh_dir = tempfile::tempdir().unwrap();
    let legacy = legacy_db(legacy_dir.path(), 9).await;
    // The module migrations that replaced the legacy directory (later ones, such as
    // 20002's private blobs, change the schema on purpose and are applied on top).
    let fresh = Db {
        read: connect(fresh_dir.path()).await,
        write: connect(fresh_dir.path()).await,
    };
    let split = schema::migrator()
        .iter()
        .filter(|m| schema::LEGACY_EQUIVALENT.contains(&m.version))
        .cloned()
        .collect();
    Migrator::with_migrations(split)
        .run(&fresh.write)
        .await
        .unwrap();

    let want = schema(&legacy).await;
    assert!(
        want.iter().filter(|o| o.0 == "table").count() > 40,
        "{want:?}"
    );
    let got = schema(&fresh.write).await;
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(w, g);
    }
    assert_eq!(want, got);
    assert_eq!(counters(&legacy).await, counters(&fresh.write).await);
    fresh.close().await;
}

#[tokio::test]
async fn legacy_database_is_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = legacy_db(dir.path(), 9).await;
    sqlx::query(
        "INSERT INTO sites (id, name, owner_body, body_code, region, created_ms) \
         VALUES ('gd', '广东省人民政府', '办公厅', '006939748', '440000', 1)",
    )
    .execute(&legacy)
    .await
    .unwrap();
    legacy.close().await;

    let db = Db::open(dir.path()).await.unwrap();
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = Db::open(fresh_dir.path()).await.unwrap();
    let want = applied(&fresh.write).await;
    assert_eq!(applied(&db.write).await, want);
    assert_eq!(schema(&db.write).await, schema(&fresh.write).await);

    // The old data works with the new code.
    let blobs = BlobStore::new(
        &dir.path().join("blobs"),
        db.read.clone(),
        db.write.clone(),
        1,
    );
    let content = Content::new(db.read.clone(), db.write.clone(), blobs);
    assert_eq!(content.site("gd").await.unwrap().name, "广东省人民政府");
    let column = ColumnInput {
        slug: "news".into(),
        name: "要闻".into(),
        kind: "news".into(),
        parent: None,
        update_interval_days: None,
        position: 0,
    };
    content.create_column("admin", "gd", &column).await.unwrap();
    db.close().await;
    fresh.close().await;

    // Adopted once: opening again changes nothing.
    let again = Db::open(dir.path()).await.unwrap();
    assert_eq!(applied(&again.write).await, want);
    let columns: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM columns")
        .fetch_one(&again.write)
        .await
        .unwrap();
    assert_eq!(columns, 1);
    again.close().await;
}

#[tokio::test]
async fn incomplete_legacy_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = legacy_db(dir.path(), 5).await;
    let before = applied(&legacy).await;
    legacy.close().await;

    let err = Db::open(dir.path()).await.unwrap_err().to_string();
    assert!(err.contains("not all of 1-9"), "{err}");
    let legacy = connect(dir.path()).await;
    assert_eq!(applied(&legacy).await, before);
    assert_eq!(before.len(), 5);
}
