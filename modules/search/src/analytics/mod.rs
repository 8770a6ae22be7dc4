//! Search analytics: searches are counted in memory per day (Beijing time), site and
//! normalised query, with their result counts, and written as daily aggregates. Nothing
//! about who searched is kept, and long digit runs (phone or ID numbers typed into the box)
//! are masked. A node publishes its day's aggregates to its ancestors as a signed
//! `analytics.queries` entry; an ancestor keeps the latest of every node below.

mod rollup;
mod stats;
mod unanswered;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use govnode_federation::{Federation, FederationError};
use sqlx::AnyPool;
use tokio::sync::watch;

pub use rollup::{BelowQueryCount, BelowReport, NodeCount, QueriesBelow};
pub use stats::{QueryCount, QueryReport, SiteCount};
pub use unanswered::{UnansweredQuestion, UnansweredQuestions, unanswered_key};

use stats::Pending;

/// Entry kind prefix of analytics entries (register [`QueryAnalytics::applier`] under it).
pub const KIND_PREFIX: &str = "analytics.";

/// How often pending counts are written.
const FLUSH_EVERY: Duration = Duration::from_secs(10);
/// How often the day's aggregates go to the ancestors (while searches come in).
const PUBLISH_EVERY: Duration = Duration::from_secs(60);

/// Errors of the search analytics.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// Reading or writing the aggregates failed.
    #[error("query analytics storage: {0}")]
    Storage(#[from] sqlx::Error),
    /// The federation did not take the day's entry.
    #[error("query analytics entry: {0}")]
    Federation(#[from] FederationError),
}

/// Today in Beijing, YYYY-MM-DD (the day analytics are counted under).
pub fn beijing_today() -> String {
    beijing_date().format("%Y-%m-%d").to_string()
}

/// Today's date in Beijing.
fn beijing_date() -> chrono::NaiveDate {
    govnode_topology::beijing::today()
}

/// The node's search analytics: cheap to clone, every clone counts into the same pending
/// aggregates.
#[derive(Clone)]
pub struct QueryAnalytics {
    read: AnyPool,
    write: AnyPool,
    federation: Arc<Federation>,
    /// Counts not yet written; a std mutex since `record` is sync and never awaits inside.
    pending: Arc<Mutex<Pending>>,
}

impl std::fmt::Debug for QueryAnalytics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryAnalytics")
            .field("me", &self.federation.me())
            .finish_non_exhaustive()
    }
}

impl QueryAnalytics {
    /// Analytics over the node's database, publishing with its federation service.
    pub fn new(read: AnyPool, write: AnyPool, federation: Arc<Federation>) -> Self {
        Self {
            read,
            write,
            federation,
            pending: Arc::default(),
        }
    }

    /// Counts one search (`normalized` as searched, `results` found) under today; kept in
    /// memory until the next [`flush`](Self::flush).
    pub fn record(&self, site: Option<&str>, normalized: &str, results: usize) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        stats::count(&mut pending, beijing_today(), site, normalized, results);
    }

    /// Writes the pending counts in one transaction; returns whether there were any.
    pub async fn flush(&self) -> Result<bool, AnalyticsError> {
        // Taken out before the await so searches never wait on the database.
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        Ok(stats::write(&self.write, &pending).await?)
    }

    /// Publishes this node's aggregates of `day` (YYYY-MM-DD) to its ancestors, replacing
    /// what they hold for that day; nothing is published for a day without searches.
    pub async fn publish(&self, day: &str) -> Result<(), AnalyticsError> {
        rollup::publish(&self.read, &self.write, &self.federation, day).await
    }

    /// The report over the last `days` days (today included) of what has been flushed:
    /// totals, the top `limit` queries and zero-result queries, searches per site, and,
    /// for all sites (`site` None), the levels below.
    pub async fn report(
        &self,
        site: Option<&str>,
        days: i64,
        limit: i64,
    ) -> Result<QueryReport, AnalyticsError> {
        // An absurd `days` gives the whole history instead of an overflow panic.
        let since = chrono::TimeDelta::try_days(days.saturating_sub(1))
            .and_then(|back| beijing_date().checked_sub_signed(back))
            .unwrap_or(chrono::NaiveDate::MIN)
            .format("%Y-%m-%d")
            .to_string();
        let mut report = stats::report(&self.read, &since, site, days, limit).await?;
        if site.is_none() {
            report.below = Some(rollup::below(&self.read, &since, limit).await?);
        }
        Ok(report)
    }

    /// The questions the Q&A assistant could not answer (over the same database).
    pub fn unanswered(&self) -> UnansweredQuestions {
        UnansweredQuestions {
            read: self.read.clone(),
            write: self.write.clone(),
        }
    }

    /// The applier of the aggregates nodes below publish (register under [`KIND_PREFIX`]).
    pub fn applier(&self) -> QueriesBelow {
        QueriesBelow
    }

    /// Writes counts every few seconds until `stop` changes, then a last time; publishes
    /// the day's aggregates to the ancestors at most once a minute while searches come in.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) {
        let mut published: Option<Instant> = None;
        let mut unpublished = false;
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(FLUSH_EVERY) => {}
            }
            match self.flush().await {
                Ok(wrote) => unpublished |= wrote,
                Err(e) => tracing::warn!(error = %e, "writing query analytics failed"),
            }
            if unpublished && published.is_none_or(|t| t.elapsed() >= PUBLISH_EVERY) {
                match self.publish(&beijing_today()).await {
                    Ok(()) => {
                        published = Some(Instant::now());
                        unpublished = false;
                    }
                    Err(e) => tracing::warn!(error = %e, "publishing query analytics failed"),
                }
            }
        }
        if let Err(e) = self.flush().await {
            tracing::warn!(error = %e, "writing query analytics failed");
        }
    }
}
