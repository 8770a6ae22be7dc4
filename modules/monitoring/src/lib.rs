//! govnode-monitoring: one-net management (一网通管).
//!
//! Every node watches its own sites, and its children's, against the national inspection
//! indicators for government websites (政府网站与政务新媒体检查指标, 国办函〔2019〕80号): a
//! single-veto item (单项否决) fails a site outright, other problems cost points. Checks
//! write [`Finding`]s per site and source; the scorecard reads them.

pub mod alerts;
pub mod content_checks;
mod error;
pub mod findings;
pub mod indicator;
pub mod rollup;
pub mod run;
pub mod scorecard;
pub mod thresholds;
pub mod web_checks;

pub use alerts::Alert;
pub use error::MonitoringError;
pub use findings::{Finding, Source};
pub use indicator::{Indicator, Severity};
pub use rollup::{KIND_PREFIX, ScorecardsBelow, SiteSummary};
pub use thresholds::Thresholds;

use std::sync::Arc;

use govnode_federation::Federation;
use sqlx::AnyPool;

/// The module's migrations (block 7xxxx).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The monitoring service: findings, probes, scorecards of this node's sites and its
/// children's. Cheap to clone.
#[derive(Clone)]
pub struct Monitoring {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    pub(crate) thresholds: Thresholds,
    /// Where reports up the tree are appended (none in unit tests of the checks).
    pub(crate) federation: Option<Arc<Federation>>,
    /// The last report sent up (times left out): an unchanged report is not sent again.
    pub(crate) last_report: Arc<std::sync::Mutex<String>>,
}

impl std::fmt::Debug for Monitoring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitoring").finish_non_exhaustive()
    }
}

impl Monitoring {
    /// The service over the node's pools, with the default thresholds.
    pub fn new(read: AnyPool, write: AnyPool) -> Self {
        Monitoring {
            read,
            write,
            thresholds: Thresholds::default(),
            federation: None,
            last_report: Arc::default(),
        }
    }

    /// This service reporting up the tree through `federation`.
    pub fn with_federation(mut self, federation: Arc<Federation>) -> Self {
        self.federation = Some(federation);
        self
    }

    /// The thresholds in force.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }
}
