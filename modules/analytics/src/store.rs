//! Writing the counts: a flush adds what memory counted to this node's rows in one
//! transaction (a failed write puts everything back), keeps today's salt and visitor
//! hashes for a restart and deletes those of ended days; pruning of old detail; the worker.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{Months, NaiveDate};
use govnode_topology::beijing;
use sqlx::{AnyPool, Row as _};
use tokio::sync::watch;

use crate::recorder::{Batch, Memory};
use crate::{AnalyticsError, Dimension, Visits};

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn lock(memory: &Mutex<Memory>) -> std::sync::MutexGuard<'_, Memory> {
    memory.lock().unwrap_or_else(|p| p.into_inner())
}

/// Loads today's salt and visitors, so a restart counts a returning visitor once; deletes
/// the salts and visitor hashes of ended days left by a node stopped over midnight.
pub(crate) async fn load_today(
    read: &AnyPool,
    write: &AnyPool,
    memory: &Mutex<Memory>,
) -> Result<(), AnalyticsError> {
    let today = beijing::today();
    let day = day_text(today);
    sqlx::query("DELETE FROM visit_salts WHERE day < $1")
        .bind(&day)
        .execute(write)
        .await?;
    sqlx::query("DELETE FROM visit_seen WHERE day < $1")
        .bind(&day)
        .execute(write)
        .await?;
    let salt: Option<String> = sqlx::query_scalar("SELECT salt FROM visit_salts WHERE day = $1")
        .bind(&day)
        .fetch_optional(read)
        .await?;
    // No salt yet: the first request of the day makes one.
    let Some(salt) = salt else {
        return Ok(());
    };
    let Some(salt) = hex::decode(&salt)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
    else {
        tracing::warn!(
            day,
            "today's visitor salt is unreadable; visitors are counted afresh"
        );
        return Ok(());
    };
    let seen = sqlx::query("SELECT visitor FROM visit_seen WHERE day = $1")
        .bind(&day)
        .fetch_all(read)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    lock(memory).load(today, salt, seen);
    Ok(())
}

/// Writes pending counts (after ending visits idle as of `now_ms`); returns the days that
/// received counts, in order.
pub(crate) async fn flush(
    write: &AnyPool,
    memory: &Mutex<Memory>,
    me: &str,
    now_ms: i64,
) -> Result<Vec<NaiveDate>, AnalyticsError> {
    flush_with(write, memory, me, now_ms, false).await
}

/// [`flush`], ending every visit when `close_all` (at shutdown: memory is about to go).
async fn flush_with(
    write: &AnyPool,
    memory: &Mutex<Memory>,
    me: &str,
    now_ms: i64,
    close_all: bool,
) -> Result<Vec<NaiveDate>, AnalyticsError> {
    // Taken out before the await: requests never wait on the database.
    let batch = lock(memory).take(now_ms, close_all);
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    match write_batch(write, me, &batch).await {
        Ok(()) => {
            lock(memory).written(&batch);
            Ok(batch.days())
        }
        Err(e) => {
            lock(memory).restore(batch);
            Err(e.into())
        }
    }
}

/// Writes `batch` in one transaction.
async fn write_batch(write: &AnyPool, me: &str, batch: &Batch) -> Result<(), sqlx::Error> {
    let mut tx = write.begin().await?;
    for (day, sites) in &batch.counts.days {
        let day = day_text(*day);
        for (site, counts) in sites {
            sqlx::query(
                "INSERT INTO visit_sites (site, owner) VALUES ($1, $2)
                 ON CONFLICT (site) DO UPDATE SET owner = excluded.owner",
            )
            .bind(site)
            .bind(&counts.owner)
            .execute(&mut *tx)
            .await?;
            for (dimension, keys) in Dimension::ALL.iter().zip(&counts.dims) {
                for (key, n) in keys {
                    sqlx::query(
                        "INSERT INTO visit_counts (node, day, site, dimension, key, count) VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (node, day, site, dimension, key) DO UPDATE SET count = visit_counts.count + excluded.count",
                    )
                    .bind(me)
                    .bind(&day)
                    .bind(site)
                    .bind(dimension.code())
                    .bind(key)
                    .bind(*n)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
    }
    if let Some((day, salt)) = &batch.salt {
        sqlx::query(
            "INSERT INTO visit_salts (day, salt) VALUES ($1, $2)
             ON CONFLICT (day) DO UPDATE SET salt = excluded.salt",
        )
        .bind(day_text(*day))
        .bind(hex::encode(salt))
        .execute(&mut *tx)
        .await?;
    }
    for (day, site, visitor) in &batch.seen {
        sqlx::query(
            "INSERT INTO visit_seen (day, site, visitor) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(day_text(*day))
        .bind(site)
        .bind(*visitor)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(before) = batch.clean_before {
        let before = day_text(before);
        for sql in [
            "DELETE FROM visit_salts WHERE day < $1",
            "DELETE FROM visit_seen WHERE day < $1",
        ] {
            sqlx::query(sql).bind(&before).execute(&mut *tx).await?;
        }
    }
    tx.commit().await
}

/// Deletes rows of detail dimensions of days before `before`; returns rows deleted.
pub(crate) async fn prune(write: &AnyPool, before: NaiveDate) -> Result<u64, AnalyticsError> {
    let before = day_text(before);
    let mut tx = write.begin().await?;
    let mut deleted = 0;
    for dimension in Dimension::ALL.into_iter().filter(|d| d.is_detail()) {
        deleted += sqlx::query("DELETE FROM visit_counts WHERE day < $1 AND dimension = $2")
            .bind(&before)
            .bind(dimension.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(deleted)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The worker: flushes every `flush_every`; sends a day up once it has ended (retrying
/// until it goes) and today every `publish_every` while it gets counts; prunes detail past
/// the retention once a day; a last flush, ending every visit, when `stop` changes.
pub(crate) async fn run(visits: &Visits, mut stop: watch::Receiver<bool>) {
    let settings = visits.settings().clone();
    let me = visits.federation.me().to_string();
    // Days with counts not yet sent up.
    let mut unsent: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut last_publish = Instant::now();
    let mut pruned: Option<NaiveDate> = None;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            () = tokio::time::sleep(settings.flush_every.max(Duration::from_millis(10))) => {}
        }
        let now = now_ms();
        let today = beijing::date_of(now);
        match visits.flush(now).await {
            Ok(days) => unsent.extend(days),
            Err(e) => tracing::warn!(error = %e, "writing visit counts failed"),
        }
        for day in unsent.clone() {
            let due = day < today || last_publish.elapsed() >= settings.publish_every;
            if !due {
                continue;
            }
            match visits.publish(day).await {
                Ok(_) => {
                    unsent.remove(&day);
                    if day == today {
                        last_publish = Instant::now();
                    }
                }
                Err(e) => tracing::warn!(error = %e, %day, "sending visit counts up failed"),
            }
        }
        if pruned != Some(today) {
            let before = today
                .checked_sub_months(Months::new(settings.detail_months))
                .unwrap_or(NaiveDate::MIN);
            match visits.prune(before).await {
                Ok(n) => {
                    pruned = Some(today);
                    if n > 0 {
                        tracing::info!(rows = n, %before, "visit detail past the retention deleted");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "pruning visit detail failed"),
            }
        }
    }
    if let Err(e) = flush_with(&visits.write, &visits.memory, &me, now_ms(), true).await {
        tracing::warn!(error = %e, "writing visit counts at shutdown failed");
    }
}
