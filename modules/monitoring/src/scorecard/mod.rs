//! The scorecard per site: freshness of the home page and columns, blank columns, the
//! consultation channel and unanswered consultations, then veto items, deductions and a
//! score from every finding, with weekly history.
