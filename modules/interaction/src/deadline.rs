//! Response deadlines per ticket type, counted in working days on the holiday calendar.
//!
//! The clock starts the day after acceptance (the Beijing date the ticket was accepted), stops
//! while the body waits for information requested from the citizen, and for disclosure
//! applications may be extended once (政府信息公开条例 art. 33). Separately, a consultation
//! left unanswered for three calendar months is past the national red line for government
//! websites, whatever the configured deadline.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::HolidayCalendar;

/// Letter to the leader mailbox (领导信箱).
pub const LEADER_MAILBOX: &str = "leader_mailbox";
/// Consultation (咨询).
pub const CONSULTATION: &str = "consultation";
/// Complaint (投诉).
pub const COMPLAINT: &str = "complaint";
/// Suggestion (建议).
pub const SUGGESTION: &str = "suggestion";
/// Report of wrongdoing (举报).
pub const REPORT: &str = "report";
/// Error report on a government website (网站纠错).
pub const SITE_ERROR: &str = "site_error";
/// Application for disclosure of government information (依申请公开).
pub const DISCLOSURE: &str = "disclosure";

/// Every ticket type code, in the order forms list them.
pub const TICKET_TYPES: [&str; 7] = [
    LEADER_MAILBOX,
    CONSULTATION,
    COMPLAINT,
    SUGGESTION,
    REPORT,
    SITE_ERROR,
    DISCLOSURE,
];

/// The most working days a policy may give (a typo like 150 should not pass silently).
pub const MAX_WORKING_DAYS: u32 = 60;

/// How long a consultation may stay unanswered before it is past the national red line.
pub const RED_LINE: Months = Months::new(3);

/// Why a policy or a deadline request is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// The policy has no deadline for a ticket type.
    #[error("working_days.{0} is missing")]
    MissingType(String),
    /// The policy has a deadline for a type that does not exist (a typo would be ignored).
    #[error("working_days.{0}: unknown ticket type")]
    UnknownKey(String),
    /// A number of days outside its range.
    #[error("{field} is {value}, expected {min}..={max}")]
    OutOfRange {
        /// The field, e.g. `working_days.complaint` or `disclosure_extension_days`.
        field: String,
        /// The value given.
        value: u32,
        /// The smallest value allowed.
        min: u32,
        /// The largest value allowed.
        max: u32,
    },
    /// A deadline was asked for a type the policy does not know.
    #[error("unknown ticket type {0:?}")]
    UnknownType(String),
    /// The extension was granted to a ticket that is not a disclosure application.
    #[error("only disclosure applications can be extended, not {0:?}")]
    ExtensionNotAllowed(String),
}

/// Working days allowed per ticket type, the disclosure extension and the early warning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlinePolicy {
    /// Working days to answer, per ticket type code: every type, 1–60 days each.
    #[serde(deserialize_with = "whole_days")]
    #[cfg_attr(feature = "openapi", schema(schema_with = working_days_schema))]
    pub working_days: BTreeMap<String, u32>,
    /// Working days a granted disclosure extension adds, 1–60.
    #[serde(deserialize_with = "govnode_topology::whole::number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub disclosure_extension_days: u32,
    /// A ticket is due soon this many working days before its due date, 0–60.
    #[serde(deserialize_with = "govnode_topology::whole::number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 60))]
    pub warn_before_days: u32,
}

/// `working_days`, whose days may be written `3.0` (see [`govnode_topology::whole`]).
fn whole_days<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u32>, D::Error> {
    use govnode_topology::whole::Whole;
    let days = BTreeMap::<String, Whole<u32>>::deserialize(d)?;
    Ok(days.into_iter().map(|(code, Whole(n))| (code, n)).collect())
}

/// `working_days`: every ticket type, and nothing else.
#[cfg(feature = "openapi")]
fn working_days_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
    let days = || {
        (ObjectBuilder::new().schema_type(Type::Integer))
            .minimum(Some(1))
            .maximum(Some(MAX_WORKING_DAYS))
    };
    TICKET_TYPES
        .iter()
        .fold(ObjectBuilder::new().schema_type(Type::Object), |o, code| {
            o.property(*code, days()).required(*code)
        })
        .additional_properties(Some(
            AdditionalProperties::<utoipa::openapi::schema::Schema>::FreeForm(false),
        ))
        .description(Some(
            "Working days to answer, per ticket type code: every type, 1–60 days each.",
        ))
        .build()
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        let working_days = [
            (CONSULTATION, 3),
            (SUGGESTION, 7),
            (COMPLAINT, 15),
            (REPORT, 15),
            // 政府信息公开条例 art. 33: 20 working days, extendable once by at most 20.
            (DISCLOSURE, 20),
            (LEADER_MAILBOX, 15),
            // The national rule for error reports on government websites: 3 working days.
            (SITE_ERROR, 3),
        ];
        Self {
            working_days: (working_days.into_iter())
                .map(|(code, days)| (code.to_owned(), days))
                .collect(),
            disclosure_extension_days: 20,
            warn_before_days: 1,
        }
    }
}

impl DeadlinePolicy {
    /// Checks that every type has 1..=60 days, the extension 1..=60 and the warning 0..=60.
    pub fn validate(&self) -> Result<(), DeadlineError> {
        for code in TICKET_TYPES {
            let days = self.days(code)?;
            check_range(&format!("working_days.{code}"), days, 1)?;
        }
        if let Some(key) = (self.working_days.keys()).find(|k| !TICKET_TYPES.contains(&k.as_str()))
        {
            return Err(DeadlineError::UnknownKey(key.clone()));
        }
        check_range(
            "disclosure_extension_days",
            self.disclosure_extension_days,
            1,
        )?;
        check_range("warn_before_days", self.warn_before_days, 0)
    }

    /// The working days allowed for `ticket_type`, before pauses and extension.
    pub fn days(&self, ticket_type: &str) -> Result<u32, DeadlineError> {
        (self.working_days.get(ticket_type).copied())
            .ok_or_else(|| DeadlineError::MissingType(ticket_type.to_owned()))
    }

    /// The due date of a ticket accepted on `filed` (Beijing date).
    ///
    /// `paused_working_days` is how long the clock stood while waiting for the citizen;
    /// `extended` says the disclosure extension was granted. The filing day itself does not
    /// count, so a 3-day ticket filed on Monday is due on Thursday. For disclosure, time spent
    /// consulting third parties is a pause (art. 33), but a request to correct the application
    /// restarts the period (art. 30): pass the date the correction arrived as `filed`.
    pub fn due_date(
        &self,
        calendar: &HolidayCalendar,
        filed: NaiveDate,
        ticket_type: &str,
        paused_working_days: u32,
        extended: bool,
    ) -> Result<NaiveDate, DeadlineError> {
        let days = (self.working_days.get(ticket_type).copied())
            .ok_or_else(|| DeadlineError::UnknownType(ticket_type.to_owned()))?;
        let extension = match (extended, ticket_type) {
            (false, _) => 0,
            (true, DISCLOSURE) => self.disclosure_extension_days,
            (true, other) => return Err(DeadlineError::ExtensionNotAllowed(other.to_owned())),
        };
        let total = days
            .saturating_add(paused_working_days)
            .saturating_add(extension);
        Ok(calendar.add_working_days(filed, total))
    }

    /// The status of a ticket due on `due`, warning `warn_before_days` ahead.
    pub fn status(
        &self,
        calendar: &HolidayCalendar,
        due: NaiveDate,
        today: NaiveDate,
    ) -> DeadlineStatus {
        status(due, today, calendar, self.warn_before_days)
    }
}

fn check_range(field: &str, value: u32, min: u32) -> Result<(), DeadlineError> {
    if (min..=MAX_WORKING_DAYS).contains(&value) {
        return Ok(());
    }
    Err(DeadlineError::OutOfRange {
        field: field.to_owned(),
        value,
        min,
        max: MAX_WORKING_DAYS,
    })
}

/// Where an open ticket stands against its due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeadlineStatus {
    /// More than `warn_before` working days left.
    OnTime,
    /// Due today or within `warn_before` working days.
    DueSoon,
    /// Past the due date.
    Overdue {
        /// Working days after the due date up to today (0 on the weekend right after it).
        working_days_late: u32,
    },
}

/// Classifies a ticket due on `due` as seen on `today`.
///
/// Overdue as soon as the due date has passed, even if today is not a working day: the answer
/// was owed by the end of the due date.
pub fn status(
    due: NaiveDate,
    today: NaiveDate,
    calendar: &HolidayCalendar,
    warn_before: u32,
) -> DeadlineStatus {
    if today > due {
        let working_days_late = calendar.working_days_between(due, today);
        return DeadlineStatus::Overdue { working_days_late };
    }
    if calendar.working_days_between(today, due) <= warn_before {
        DeadlineStatus::DueSoon
    } else {
        DeadlineStatus::OnTime
    }
}

/// The last day a consultation filed on `filed` is within the red line (`RED_LINE` later,
/// clamped to the month's end: filed on Jan 31, the red line is Apr 30).
pub fn red_line(filed: NaiveDate) -> Option<NaiveDate> {
    filed.checked_add_months(RED_LINE)
}

/// Whether a consultation filed on `filed` and still unanswered on `today` is past the red line.
pub fn past_red_line(filed: NaiveDate, today: NaiveDate) -> bool {
    red_line(filed).is_some_and(|line| today > line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn due(filed: NaiveDate, ticket_type: &str, paused: u32, extended: bool) -> NaiveDate {
        let cal = HolidayCalendar::shipped();
        (DeadlinePolicy::default().due_date(&cal, filed, ticket_type, paused, extended)).unwrap()
    }

    #[test]
    fn defaults() {
        let policy = DeadlinePolicy::default();
        assert_eq!(policy.validate(), Ok(()));
        let expected = [
            (LEADER_MAILBOX, 15),
            (CONSULTATION, 3),
            (COMPLAINT, 15),
            (SUGGESTION, 7),
            (REPORT, 15),
            (SITE_ERROR, 3),
            (DISCLOSURE, 20),
        ];
        for (code, days) in expected {
            assert_eq!(policy.days(code), Ok(days), "{code}");
        }
        assert_eq!(policy.working_days.len(), TICKET_TYPES.len());
        assert_eq!(policy.disclosure_extension_days, 20);
        assert_eq!(policy.warn_before_days, 1);
        let json = serde_json::to_string(&policy).unwrap();
        assert_eq!(
            serde_json::from_str::<DeadlinePolicy>(&json).unwrap(),
            policy
        );
        let partial: DeadlinePolicy = serde_json::from_str(r#"{"warn_before_days":2}"#).unwrap();
        assert_eq!(partial.days(COMPLAINT), Ok(15));
    }

    #[test]
    fn consultation_before_national_day_2026() {
        // Thursday 09-24: 中秋 takes Fri 25–Sun 27, then Mon 28, Tue 29, Wed 30.
        assert_eq!(due(d(2026, 9, 24), CONSULTATION, 0, false), d(2026, 9, 30));
        // Wednesday 09-30: the whole National Day week passes, then Oct 8, 9 and make-up Sat 10.
        assert_eq!(due(d(2026, 9, 30), CONSULTATION, 0, false), d(2026, 10, 10));
        assert_eq!(due(d(2026, 9, 30), SITE_ERROR, 0, false), d(2026, 10, 10));
    }

    #[test]
    fn disclosure_with_and_without_extension() {
        // Sep 2026 from Tue 09-01: make-up Sun 09-20 counts, 中秋 does not.
        assert_eq!(due(d(2026, 9, 1), DISCLOSURE, 0, false), d(2026, 9, 29));
        // 20 more: Sep 30, the week after National Day incl. Sat 10-10, … Mon 11-02.
        assert_eq!(due(d(2026, 9, 1), DISCLOSURE, 0, true), d(2026, 11, 2));
        let cal = HolidayCalendar::shipped();
        let policy = DeadlinePolicy::default();
        assert_eq!(
            policy.due_date(&cal, d(2026, 9, 1), COMPLAINT, 0, true),
            Err(DeadlineError::ExtensionNotAllowed(COMPLAINT.into()))
        );
        assert_eq!(
            policy.due_date(&cal, d(2026, 9, 1), "petition", 0, false),
            Err(DeadlineError::UnknownType("petition".into()))
        );
    }

    #[test]
    fn pause_shifts_due_date() {
        // Mon 11-16 + 3 = Thu 11-19; two working days paused push it over the weekend.
        assert_eq!(
            due(d(2026, 11, 16), CONSULTATION, 0, false),
            d(2026, 11, 19)
        );
        assert_eq!(
            due(d(2026, 11, 16), CONSULTATION, 2, false),
            d(2026, 11, 23)
        );
        // A pause across 春节 2026 jumps the break.
        assert_eq!(due(d(2026, 2, 9), CONSULTATION, 0, false), d(2026, 2, 12));
        assert_eq!(due(d(2026, 2, 9), CONSULTATION, 3, false), d(2026, 2, 24));
    }

    #[test]
    fn status_around_a_weekend() {
        let cal = HolidayCalendar::shipped();
        let monday = d(2026, 11, 23);
        let at = |today| status(monday, today, &cal, 1);
        assert_eq!(at(d(2026, 11, 19)), DeadlineStatus::OnTime);
        assert_eq!(at(d(2026, 11, 20)), DeadlineStatus::DueSoon);
        assert_eq!(at(d(2026, 11, 21)), DeadlineStatus::DueSoon);
        assert_eq!(at(monday), DeadlineStatus::DueSoon);
        let late = |working_days_late| DeadlineStatus::Overdue { working_days_late };
        assert_eq!(at(d(2026, 11, 24)), late(1));
        // Due on a Friday: the Saturday after is overdue by no working day yet.
        let friday = d(2026, 11, 20);
        assert_eq!(status(friday, d(2026, 11, 21), &cal, 1), late(0));
        assert_eq!(status(friday, d(2026, 11, 23), &cal, 1), late(1));
        assert_eq!(
            status(friday, d(2026, 11, 19), &cal, 0),
            DeadlineStatus::OnTime
        );
        assert_eq!(status(friday, friday, &cal, 0), DeadlineStatus::DueSoon);
        let policy = DeadlinePolicy::default();
        assert_eq!(
            policy.status(&cal, monday, d(2026, 11, 20)),
            DeadlineStatus::DueSoon
        );
        let json = serde_json::to_string(&late(2)).unwrap();
        assert_eq!(json, r#"{"status":"overdue","working_days_late":2}"#);
    }

    #[test]
    fn red_line_on_month_ends() {
        assert_eq!(red_line(d(2026, 1, 31)), Some(d(2026, 4, 30)));
        assert!(!past_red_line(d(2026, 1, 31), d(2026, 4, 30)));
        assert!(past_red_line(d(2026, 1, 31), d(2026, 5, 1)));
        assert_eq!(red_line(d(2025, 11, 30)), Some(d(2026, 2, 28)));
        assert_eq!(red_line(d(2027, 11, 30)), Some(d(2028, 2, 29)));
        assert_eq!(red_line(d(2026, 8, 22)), Some(d(2026, 11, 22)));
        assert!(!past_red_line(d(2026, 8, 22), d(2026, 11, 22)));
        assert!(past_red_line(d(2026, 8, 21), d(2026, 11, 22)));
        assert!(!past_red_line(NaiveDate::MAX, NaiveDate::MAX));
    }

    #[test]
    fn validation_names_the_field() {
        let out_of_range = |field: &str, value, min| DeadlineError::OutOfRange {
            field: field.into(),
            value,
            min,
            max: MAX_WORKING_DAYS,
        };
        let mut policy = DeadlinePolicy::default();
        policy.working_days.remove(REPORT);
        assert_eq!(
            policy.validate(),
            Err(DeadlineError::MissingType(REPORT.into()))
        );
        assert_eq!(
            policy.validate().unwrap_err().to_string(),
            "working_days.report is missing"
        );

        let mut policy = DeadlinePolicy::default();
        policy.working_days.insert(COMPLAINT.into(), 0);
        let err = policy.validate().unwrap_err();
        assert_eq!(err, out_of_range("working_days.complaint", 0, 1));
        assert_eq!(
            err.to_string(),
            "working_days.complaint is 0, expected 1..=60"
        );
        policy.working_days.insert(COMPLAINT.into(), 61);
        assert_eq!(
            policy.validate(),
            Err(out_of_range("working_days.complaint", 61, 1))
        );
        policy.working_days.insert(COMPLAINT.into(), 60);
        assert_eq!(policy.validate(), Ok(()));

        policy.working_days.insert("complain".into(), 5);
        assert_eq!(
            policy.validate(),
            Err(DeadlineError::UnknownKey("complain".into()))
        );
        policy.working_days.remove("complain");

        policy.disclosure_extension_days = 0;
        assert_eq!(
            policy.validate(),
            Err(out_of_range("disclosure_extension_days", 0, 1))
        );
        policy.disclosure_extension_days = 61;
        assert_eq!(
            policy.validate(),
            Err(out_of_range("disclosure_extension_days", 61, 1))
        );
        policy.disclosure_extension_days = 20;

        policy.warn_before_days = 61;
        assert_eq!(
            policy.validate(),
            Err(out_of_range("warn_before_days", 61, 0))
        );
        policy.warn_before_days = 0;
        assert_eq!(policy.validate(), Ok(()));
    }
}
