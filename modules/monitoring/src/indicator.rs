//! The inspection indicators watched per site, with their names as the inspection report
//! reads them, and how heavily a finding weighs.

use serde::{Deserialize, Serialize};

/// How a finding weighs on a site's scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For a person to judge (a likely typo); costs nothing.
    Warning,
    /// Costs points.
    Deduction,
    /// Fails the site outright (单项否决).
    Veto,
}

impl Severity {
    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Deduction => "deduction",
            Severity::Veto => "veto",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Warning, Severity::Deduction, Severity::Veto]
            .into_iter()
            .find(|v| v.code() == s)
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Warning => "提示",
            Severity::Deduction => "扣分项",
            Severity::Veto => "单项否决",
        }
    }
}

/// An inspection indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// The site could not be reached, or answered too slowly (站点无法访问).
    Availability,
    /// The home page not updated within its limit (首页不更新).
    HomeStale,
    /// News and notice/policy columns not updated within their limits (栏目不更新).
    ColumnsStale,
    /// Columns past their own update interval (栏目超期未更新).
    ColumnsPastInterval,
    /// Columns with no content (空白栏目).
    BlankColumns,
    /// No channel for consultations on the site (互动回应：无咨询渠道).
    NoConsultChannel,
    /// A consultation left unanswered too long (互动回应：长期未答复).
    UnansweredConsult,
    /// Misspelt leaders' names, outdated institution names, sensitive words (严重错误).
    SeriousError,
    /// A word whose near variant is far more common (疑似错别字).
    LikelyTypo,
    /// A link that does not answer (死链).
    DeadLink,
    /// A link hidden by styling or placement (暗链).
    DarkLink,
    /// A served page that differs from what the node renders (网页篡改).
    Tampered,
}

impl Indicator {
    /// Every indicator, in the report's order.
    pub const ALL: [Indicator; 12] = [
        Indicator::Availability,
        Indicator::HomeStale,
        Indicator::ColumnsStale,
        Indicator::ColumnsPastInterval,
        Indicator::BlankColumns,
        Indicator::NoConsultChannel,
        Indicator::UnansweredConsult,
        Indicator::SeriousError,
        Indicator::LikelyTypo,
        Indicator::DeadLink,
        Indicator::DarkLink,
        Indicator::Tampered,
    ];

    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::Availability => "availability",
            Indicator::HomeStale => "home_stale",
            Indicator::ColumnsStale => "columns_stale",
            Indicator::ColumnsPastInterval => "columns_past_interval",
            Indicator::BlankColumns => "blank_columns",
            Indicator::NoConsultChannel => "no_consult_channel",
            Indicator::UnansweredConsult => "unanswered_consult",
            Indicator::SeriousError => "serious_error",
            Indicator::LikelyTypo => "likely_typo",
            Indicator::DeadLink => "dead_link",
            Indicator::DarkLink => "dark_link",
            Indicator::Tampered => "tampered",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.code() == s)
    }

    /// As the inspection report names it.
    pub fn label(self) -> &'static str {
        match self {
            Indicator::Availability => "站点无法访问",
            Indicator::HomeStale => "首页不更新",
            Indicator::ColumnsStale => "栏目不更新",
            Indicator::ColumnsPastInterval => "栏目超期未更新",
            Indicator::BlankColumns => "空白栏目",
            Indicator::NoConsultChannel => "互动回应差：无咨询渠道",
            Indicator::UnansweredConsult => "互动回应差：咨询长期未答复",
            Indicator::SeriousError => "严重错误",
            Indicator::LikelyTypo => "疑似错别字",
            Indicator::DeadLink => "死链",
            Indicator::DarkLink => "暗链",
            Indicator::Tampered => "网页篡改",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.code()), Some(i));
        }
        for s in [Severity::Warning, Severity::Deduction, Severity::Veto] {
            assert_eq!(Severity::parse(s.code()), Some(s));
        }
        assert!(Severity::Veto > Severity::Deduction);
    }
}
