//! The thresholds of the indicators: defaults from the national indicators (国办函〔2019〕80号),
//! configurable at the province.

use serde::{Deserialize, Serialize};

/// Every threshold the checks and the scorecard use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Seconds between availability probes of one site (jittered).
    pub probe_interval_secs: u64,
    /// A probe slower than this counts as failed.
    pub probe_slow_secs: u64,
    /// Days of probes the availability veto looks at.
    pub availability_window_days: u32,
    /// Percentage of failed probes in the window that vetoes.
    pub availability_veto_percent: f64,
    /// Days the home page may go without an update.
    pub home_stale_days: u32,
    /// Days a news or dynamic column may go without an update.
    pub news_stale_days: u32,
    /// Days a notice or policy column may go without an update.
    pub notice_stale_days: u32,
    /// Stale news/notice/policy columns that veto.
    pub stale_columns_veto: u32,
    /// Columns past their own update interval that veto.
    pub past_interval_veto: u32,
    /// Blank columns that veto.
    pub blank_columns_veto: u32,
    /// Days a consultation may go unanswered before it vetoes.
    pub unanswered_consult_days: u32,
    /// Days back the unanswered-consultation check looks.
    pub unanswered_window_days: u32,
    /// Points one deduction costs.
    pub deduction_points: f64,
    /// Most points one indicator's deductions may cost.
    pub deduction_cap: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            probe_interval_secs: 300,
            probe_slow_secs: 15,
            availability_window_days: 7,
            availability_veto_percent: 5.0,
            home_stale_days: 14,
            news_stale_days: 14,
            notice_stale_days: 183,
            stale_columns_veto: 5,
            past_interval_veto: 10,
            blank_columns_veto: 5,
            unanswered_consult_days: 90,
            unanswered_window_days: 365,
            deduction_points: 1.0,
            deduction_cap: 20.0,
        }
    }
}
