//! `[analytics]`: visit analytics (统一行为分析) — whether page views are counted, how often
//! counts are written and sent up the tree, how long per-page detail is kept, and the
//! memory bounds.
//!
//! ```toml
//! [analytics]
//! enabled = true
//! flush_secs = 60          # counts written to the database
//! publish_hours = 6        # today's counters so far sent up the tree (a closed day at once)
//! detail_months = 13       # pages, referrers, entry/exit pages, paths, missing pages
//! max_visitors = 200000    # visitors followed per day (visits, paths)
//! max_keys = 10000         # distinct pages (etc.) per site held between writes
//! publish_top = 200        # pages (etc.) per site and day sent up
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `[analytics]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyticsSection {
    /// Whether page views are counted. Default true.
    pub enabled: bool,
    /// Seconds between writes of the counts. Default 60.
    pub flush_secs: u64,
    /// Hours between sending today's counters up the tree. Default 6.
    pub publish_hours: u64,
    /// Months per-page detail is kept (totals are kept). Default 13.
    pub detail_months: u32,
    /// Visitors followed per day. Default 200,000.
    pub max_visitors: usize,
    /// Distinct keys per site and detail dimension held between writes. Default 10,000.
    pub max_keys: usize,
    /// Keys per site and detail dimension sent up per day. Default 200.
    pub publish_top: usize,
}

impl Default for AnalyticsSection {
    fn default() -> Self {
        let d = govnode_analytics::Settings::default();
        AnalyticsSection {
            enabled: d.enabled,
            flush_secs: d.flush_every.as_secs(),
            publish_hours: d.publish_every.as_secs() / 3600,
            detail_months: d.detail_months,
            max_visitors: d.max_visitors,
            max_keys: d.max_keys,
            publish_top: d.publish_top,
        }
    }
}

impl AnalyticsSection {
    /// Checks the ranges serde cannot, naming the key of a bad one.
    pub fn validate(&self) -> Result<(), String> {
        let ranges: [(&str, u64, u64, u64); 6] = [
            ("flush_secs", self.flush_secs, 1, 3600),
            ("publish_hours", self.publish_hours, 1, 24),
            ("detail_months", u64::from(self.detail_months), 1, 120),
            ("max_visitors", self.max_visitors as u64, 100, 10_000_000),
            ("max_keys", self.max_keys as u64, 10, 1_000_000),
            ("publish_top", self.publish_top as u64, 10, 10_000),
        ];
        for (key, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                return Err(format!(
                    "analytics.{key} = {value}: must be from {min} to {max}"
                ));
            }
        }
        Ok(())
    }

    /// The module's settings.
    pub fn settings(&self) -> govnode_analytics::Settings {
        govnode_analytics::Settings {
            enabled: self.enabled,
            flush_every: Duration::from_secs(self.flush_secs),
            publish_every: Duration::from_secs(self.publish_hours * 3600),
            detail_months: self.detail_months,
            max_visitors: self.max_visitors,
            max_keys: self.max_keys,
            publish_top: self.publish_top,
        }
    }
}
