//! The node's schema: every module's migrations merged into one [`Migrator`], and the
//! adoption of databases created while all migrations lived in the node (versions 1–9).
//!
//! Each module owns a block of 10 000 versions (`{block}{0001…9999}`), blocks in dependency
//! order: federation 1xxxx, library 2xxxx, accounts 3xxxx, content 4xxxx, search 5xxxx,
//! interaction 6xxxx, monitoring 7xxxx, analytics 8xxxx. A migration may use only tables of its own or a lower block, so
//! applying the missing ones in version order is safe even when a lower block gains a
//! migration after a higher block's later ones were applied.

use std::ops::RangeInclusive;

use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};

/// The modules with their blocks, in dependency order.
fn modules() -> [(&'static str, i64, &'static Migrator); 8] {
    [
        ("federation", 1, &govnode_federation::MIGRATOR),
        ("library", 2, &govnode_library::MIGRATOR),
        ("accounts", 3, &govnode_accounts::MIGRATOR),
        ("content", 4, &govnode_content::MIGRATOR),
        ("search", 5, &govnode_search::MIGRATOR),
        ("interaction", 6, &govnode_interaction::MIGRATOR),
        ("monitoring", 7, &govnode_monitoring::MIGRATOR),
        ("analytics", 8, &govnode_analytics::MIGRATOR),
    ]
}

/// The versions of the node's former single migration directory.
const LEGACY: RangeInclusive<i64> = 1..=9;

/// The module migrations that together build exactly the schema of legacy migrations 1–9
/// (all of them at the split). An adopted database is marked with these; later ones run.
pub const LEGACY_EQUIVALENT: [i64; 10] = [
    10001, 10002, 20001, 30001, 40001, 40002, 50001, 50002, 60001, 60002,
];

/// Every module's migrations in one migrator, ordered by version.
pub fn migrator() -> Migrator {
    Migrator::with_migrations(
        modules()
            .iter()
            .flat_map(|(_, _, m)| m.iter().cloned())
            .collect(),
    )
}

/// Brings the database to the current schema: adopts a legacy database, then applies
/// whatever migrations are missing.
pub(crate) async fn migrate(write: &AnyPool) -> Result<(), String> {
    let migrator = migrator();
    if adopt_legacy(write, &migrator).await? {
        tracing::info!("database adopted: legacy migrations 1-9 recorded as the modules' own");
    }
    migrator.run(write).await.map_err(|e| e.to_string())
}

/// Records the legacy-equivalent module migrations as applied and deletes the legacy rows
/// (their schema is the same), in one transaction so a crash leaves one layout or the
/// other; returns whether it did.
async fn adopt_legacy(write: &AnyPool, migrator: &Migrator) -> Result<bool, String> {
    let err = |e: sqlx::Error| e.to_string();
    let mut tx = write.begin().await.map_err(err)?;
    let tracked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(err)?;
    if tracked == 0 {
        return Ok(false);
    }
    let rows = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
    let versions = rows
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let legacy: Vec<i64> = versions
        .iter()
        .copied()
        .filter(|v| LEGACY.contains(v))
        .collect();
    if legacy.is_empty() {
        return Ok(false);
    }
    if legacy.len() != versions.len() {
        return Err(
            "the database records both legacy (1-9) and per-module migrations; restore a backup"
                .into(),
        );
    }
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 0")
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
    if legacy != LEGACY.collect::<Vec<_>>() || failed > 0 {
        // Only the complete legacy schema equals the modules' baseline.
        return Err(format!(
            "the database has legacy migrations {legacy:?} ({failed} failed), not all of 1-9: \
             open it once with the last release before the per-module schema, then with this one"
        ));
    }
    for m in migrator
        .iter()
        .filter(|m| LEGACY_EQUIVALENT.contains(&m.version))
    {
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, 1, $3, -1)",
        )
        .bind(m.version)
        .bind(&*m.description)
        .bind(&*m.checksum)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
    }
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version BETWEEN $1 AND $2")
        .bind(*LEGACY.start())
        .bind(*LEGACY.end())
        .execute(&mut *tx)
        .await
        .map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Versions per module block.
    const BLOCK: i64 = 10_000;

    #[test]
    fn every_module_keeps_to_its_block() {
        let mut seen = BTreeSet::new();
        for (name, block, m) in modules() {
            assert!(m.iter().next().is_some(), "{name} has no migrations");
            for mig in m.iter() {
                assert_eq!(
                    mig.version / BLOCK,
                    block,
                    "{name}: migration {} is outside {block}xxxx",
                    mig.version
                );
                assert!(seen.insert(mig.version), "version {} twice", mig.version);
            }
        }
    }

    #[test]
    fn merged_in_dependency_order() {
        let versions: Vec<i64> = migrator().iter().map(|m| m.version).collect();
        let blocks: Vec<i64> = modules().iter().map(|(_, b, _)| *b).collect();
        assert!(
            blocks.is_sorted(),
            "blocks must follow the dependency order"
        );
        assert!(versions.is_sorted());
        for v in LEGACY_EQUIVALENT {
            assert!(
                versions.contains(&v),
                "legacy-equivalent {v} is not a migration"
            );
        }
    }
}
