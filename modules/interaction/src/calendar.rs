//! The holiday calendar (节假日安排) that deadlines are counted on.
//!
//! Each year the State Council General Office names the public holidays and the weekend days
//! worked instead (调休上班). The arrangements ship as text files under `calendar/`, one line
//! per day (`2026-01-01 holiday 元旦`, `2026-01-04 workday 元旦调休`, `#` comments); a node may
//! merge its own on top (a year published after the release, a local holiday). A year with no
//! entries counts as plain Monday–Friday.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The shipped arrangements, one file per year.
const SHIPPED: [(&str, &str); 2] = [
    ("2025.txt", include_str!("../calendar/2025.txt")),
    ("2026.txt", include_str!("../calendar/2026.txt")),
];

/// What is wrong with one calendar entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryProblem {
    /// The line is not `DATE KIND NAME`.
    #[error("expected `YYYY-MM-DD holiday|workday NAME`, got {0:?}")]
    Malformed(String),
    /// The date is not a real `YYYY-MM-DD` date.
    #[error("bad date {0:?} (expected YYYY-MM-DD)")]
    BadDate(String),
    /// The kind is neither `holiday` nor `workday`.
    #[error("unknown kind {0:?} (expected `holiday` or `workday`)")]
    UnknownKind(String),
    /// The entry has no name.
    #[error("{0} has no name")]
    MissingName(NaiveDate),
    /// The name would not survive the text format.
    #[error("name {name:?} of {date} contains `#` or a control character")]
    BadName {
        /// The entry's date.
        date: NaiveDate,
        /// The offending name.
        name: String,
    },
    /// The date already has an entry.
    #[error("{0} is listed twice")]
    Duplicate(NaiveDate),
    /// A make-up working day that is not on a weekend.
    #[error("{date} is a {weekday}: a make-up working day must fall on a Saturday or Sunday")]
    WorkdayOnWeekday {
        /// The entry's date.
        date: NaiveDate,
        /// Its day of the week.
        weekday: Weekday,
    },
}

/// Why a calendar could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A line of the text format is wrong (lines count from 1).
    #[error("line {line}: {problem}")]
    Line {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        problem: EntryProblem,
    },
    /// An entry of the serialized (JSON) form is wrong.
    #[error("{0}")]
    Entry(EntryProblem),
}

#[derive(Clone, Copy)]
enum Kind {
    Holiday,
    Workday,
}

/// Public holidays and make-up working days, each with its name (元旦, 春节调休…).
///
/// Invariants: a date is in at most one of the two maps, make-up working days fall on
/// weekends, names are trimmed and free of `#` and control characters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCalendar", into = "RawCalendar")]
pub struct HolidayCalendar {
    holidays: BTreeMap<NaiveDate, String>,
    workdays: BTreeMap<NaiveDate, String>,
}

/// The serialized form: chrono's serde feature is off in the workspace, and going through
/// strings lets deserialization check the same invariants as `parse`.
#[derive(Serialize, Deserialize)]
struct RawCalendar {
    #[serde(default)]
    holidays: BTreeMap<String, String>,
    #[serde(default)]
    workdays: BTreeMap<String, String>,
}

impl TryFrom<RawCalendar> for HolidayCalendar {
    type Error = CalendarError;

    fn try_from(raw: RawCalendar) -> Result<Self, CalendarError> {
        let mut calendar = Self::default();
        let entries = (raw.holidays.iter().map(|e| (e, Kind::Holiday)))
            .chain(raw.workdays.iter().map(|e| (e, Kind::Workday)));
        for ((date, name), kind) in entries {
            parse_date(date)
                .and_then(|date| calendar.insert(date, kind, name))
                .map_err(CalendarError::Entry)?;
        }
        Ok(calendar)
    }
}

impl From<HolidayCalendar> for RawCalendar {
    fn from(calendar: HolidayCalendar) -> Self {
        let strings = |map: BTreeMap<NaiveDate, String>| {
            map.into_iter().map(|(d, n)| (d.to_string(), n)).collect()
        };
        RawCalendar {
            holidays: strings(calendar.holidays),
            workdays: strings(calendar.workdays),
        }
    }
}

impl HolidayCalendar {
    /// Every year shipped with this release (see `years()`).
    pub fn shipped() -> Self {
        let mut calendar = Self::default();
        for (file, text) in SHIPPED {
            // The shipped files are parsed by a unit test, so this cannot fire in a release.
            match Self::parse(text) {
                Ok(year) => calendar.merge(&year),
                Err(e) => panic!("calendar/{file}: {e}"),
            }
        }
        calendar
    }

    /// Reads the text format: `YYYY-MM-DD holiday|workday NAME` per line, `#` comments.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        // Files saved by Windows editors may start with a byte-order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut calendar = Self::default();
        for (line, raw) in (1..).zip(text.lines()) {
            let content = raw.split_once('#').map_or(raw, |(c, _)| c).trim();
            if content.is_empty() {
                continue;
            }
            let at_line = |problem| CalendarError::Line { line, problem };
            calendar.parse_line(content).map_err(at_line)?;
        }
        Ok(calendar)
    }

    fn parse_line(&mut self, content: &str) -> Result<(), EntryProblem> {
        let (date, rest) = split_token(content);
        let (kind, name) = split_token(rest);
        if kind.is_empty() {
            return Err(EntryProblem::Malformed(content.to_owned()));
        }
        let date = parse_date(date)?;
        let kind = match kind {
            "holiday" => Kind::Holiday,
            "workday" => Kind::Workday,
            other => return Err(EntryProblem::UnknownKind(other.to_owned())),
        };
        self.insert(date, kind, name)
    }

    fn insert(&mut self, date: NaiveDate, kind: Kind, name: &str) -> Result<(), EntryProblem> {
        let name = name.trim();
        if name.is_empty() {
            return Err(EntryProblem::MissingName(date));
        }
        if name.contains(|c: char| c == '#' || c.is_control()) {
            let name = name.to_owned();
            return Err(EntryProblem::BadName { date, name });
        }
        if self.holidays.contains_key(&date) || self.workdays.contains_key(&date) {
            return Err(EntryProblem::Duplicate(date));
        }
        // A holiday may fall on any day (the weekend inside a break is listed too), but a
        // make-up working day on a weekday would change nothing and is surely a typo.
        let map = match kind {
            Kind::Holiday => &mut self.holidays,
            Kind::Workday if !is_weekend(date) => {
                let weekday = date.weekday();
                return Err(EntryProblem::WorkdayOnWeekday { date, weekday });
            }
            Kind::Workday => &mut self.workdays,
        };
        map.insert(date, name.to_owned());
        Ok(())
    }

    /// Writes the text format, one line per day in date order; `parse` reads it back.
    pub fn to_text(&self) -> String {
        let holidays = self.holidays.iter().map(|entry| (entry, "holiday"));
        let workdays = self.workdays.iter().map(|entry| (entry, "workday"));
        let mut entries: Vec<_> = holidays.chain(workdays).collect();
        entries.sort_unstable_by_key(|((date, _), _)| **date);
        (entries.into_iter())
            .map(|((date, name), kind)| format!("{date} {kind} {name}\n"))
            .collect()
    }

    /// Adds `other`'s entries; where both have a date, `other`'s entry wins.
    pub fn merge(&mut self, other: &Self) {
        for (date, name) in &other.holidays {
            self.workdays.remove(date);
            self.holidays.insert(*date, name.clone());
        }
        for (date, name) in &other.workdays {
            self.holidays.remove(date);
            self.workdays.insert(*date, name.clone());
        }
    }

    /// The public holidays and their names.
    pub fn holidays(&self) -> &BTreeMap<NaiveDate, String> {
        &self.holidays
    }

    /// The make-up working days and their names.
    pub fn workdays(&self) -> &BTreeMap<NaiveDate, String> {
        &self.workdays
    }

    /// The years with at least one entry.
    pub fn years(&self) -> BTreeSet<i32> {
        (self.holidays.keys().chain(self.workdays.keys()))
            .map(Datelike::year)
            .collect()
    }

    /// Whether `year` has an arrangement (without one, deadlines count plain Mon–Fri).
    pub fn covers(&self, year: i32) -> bool {
        self.years().contains(&year)
    }

    /// Monday to Friday unless a holiday; Saturday and Sunday only as make-up working days.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.holidays.contains_key(&date) {
            return false;
        }
        self.workdays.contains_key(&date) || !is_weekend(date)
    }

    /// The `n`-th working day after `from` (`from` itself does not count; `n = 0` gives `from`).
    ///
    /// The day of filing is not counted, as for any period counted in days (民法典 art. 201).
    /// Saturates at the last date chrono can represent.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        match n.checked_sub(1) {
            None => from,
            Some(skip) => (from.iter_days().skip(1))
                .filter(|date| self.is_working_day(*date))
                .nth(skip as usize)
                .unwrap_or(NaiveDate::MAX),
        }
    }

    /// The number of working days in `(from, to]`; 0 if `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to <= from {
            return 0;
        }
        // Counted, not walked: a status page classifies many tickets at once.
        let range = (Bound::Excluded(from), Bound::Included(to));
        let weekdays = weekdays_through(to) - weekdays_through(from);
        let lost = (self.holidays.range(range))
            .filter(|(date, _)| !is_weekend(**date))
            .count() as i64;
        // Make-up working days are on weekends by construction, so each adds one.
        let gained = self.workdays.range(range).count() as i64;
        u32::try_from(weekdays - lost + gained).unwrap_or(u32::MAX)
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The number of Mondays–Fridays from some fixed day up to and including `date`.
fn weekdays_through(date: NaiveDate) -> i64 {
    // Day 1 of the common era (0001-01-01) is a Monday, so days 1..=5 of each 7 are weekdays.
    let day = i64::from(date.num_days_from_ce());
    5 * day.div_euclid(7) + day.rem_euclid(7).min(5)
}

/// The first whitespace-separated token and the rest, trimmed at the start.
fn split_token(s: &str) -> (&str, &str) {
    match s.split_once(char::is_whitespace) {
        Some((head, tail)) => (head, tail.trim_start()),
        None => (s, ""),
    }
}

/// Exactly `YYYY-MM-DD`, so that the text is canonical and `to_text` round-trips.
fn parse_date(s: &str) -> Result<NaiveDate, EntryProblem> {
    let bad = || EntryProblem::BadDate(s.to_owned());
    let bytes = s.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| s[range].parse::<u32>().map_err(|_| bad());
    let year = i32::try_from(number(0..4)?).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn count_year(map: &BTreeMap<NaiveDate, String>, year: i32) -> usize {
        map.keys().filter(|date| date.year() == year).count()
    }

    #[test]
    fn shipped_years_have_thirteen_statutory_days() {
        let cal = HolidayCalendar::shipped();
        assert_eq!(cal.years(), BTreeSet::from([2025, 2026]));
        assert!(cal.covers(2026) && !cal.covers(2027));
        assert_eq!(count_year(cal.holidays(), 2025), 28);
        assert_eq!(count_year(cal.workdays(), 2025), 5);
        assert_eq!(count_year(cal.holidays(), 2026), 33);
        assert_eq!(count_year(cal.workdays(), 2026), 6);
        // Both years have 261 weekdays; 13 statutory days off leaves 248 working days.
        assert_eq!(
            cal.working_days_between(d(2024, 12, 31), d(2025, 12, 31)),
            248
        );
        assert_eq!(
            cal.working_days_between(d(2025, 12, 31), d(2026, 12, 31)),
            248
        );
    }

    #[test]
    fn national_day_2026() {
        let cal = HolidayCalendar::shipped();
        assert!(cal.is_working_day(d(2026, 9, 20)), "make-up Sunday");
        assert!(!cal.is_working_day(d(2026, 9, 25)), "中秋节");
        assert!(!cal.is_working_day(d(2026, 10, 1)));
        assert!(!cal.is_working_day(d(2026, 10, 7)));
        assert!(cal.is_working_day(d(2026, 10, 8)));
        assert!(cal.is_working_day(d(2026, 10, 10)), "make-up Saturday");
        assert!(!cal.is_working_day(d(2026, 10, 11)));
        // Filed on the last day before the break: Oct 8, Oct 9, then the make-up Saturday.
        assert_eq!(cal.add_working_days(d(2026, 9, 30), 3), d(2026, 10, 10));
        assert_eq!(cal.add_working_days(d(2026, 9, 29), 3), d(2026, 10, 9));
        assert_eq!(cal.add_working_days(d(2026, 9, 18), 1), d(2026, 9, 20));
        assert_eq!(cal.working_days_between(d(2026, 9, 30), d(2026, 10, 10)), 3);
        assert_eq!(cal.working_days_between(d(2026, 9, 30), d(2026, 10, 7)), 0);
    }

    #[test]
    fn spring_festival() {
        let cal = HolidayCalendar::shipped();
        // 2026: the make-up Saturday before the break counts, then Feb 24 and 25.
        assert!(cal.is_working_day(d(2026, 2, 14)));
        assert!(!cal.is_working_day(d(2026, 2, 16)), "除夕");
        assert!(!cal.is_working_day(d(2026, 2, 23)), "正月初七");
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 3), d(2026, 2, 25));
        assert_eq!(cal.add_working_days(d(2026, 2, 14), 3), d(2026, 2, 26));
        assert_eq!(cal.add_working_days(d(2026, 2, 27), 1), d(2026, 2, 28));
        // 2025: 除夕 01-28 is a holiday; 01-26 and 02-08 are worked.
        assert!(!cal.is_working_day(d(2025, 1, 28)));
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 1), d(2025, 1, 26));
        assert_eq!(cal.add_working_days(d(2025, 1, 27), 1), d(2025, 2, 5));
        assert!(cal.is_working_day(d(2025, 2, 8)));
        assert!(cal.is_working_day(d(2025, 10, 11)) && !cal.is_working_day(d(2025, 10, 8)));
    }

    #[test]
    fn zero_and_empty_ranges() {
        let cal = HolidayCalendar::shipped();
        assert_eq!(cal.add_working_days(d(2026, 10, 3), 0), d(2026, 10, 3));
        assert_eq!(cal.working_days_between(d(2026, 5, 6), d(2026, 5, 6)), 0);
        assert_eq!(cal.working_days_between(d(2026, 5, 8), d(2026, 5, 6)), 0);
        // Without an arrangement, plain Monday–Friday.
        let plain = HolidayCalendar::default();
        assert_eq!(plain.add_working_days(d(2027, 1, 1), 1), d(2027, 1, 4));
        assert_eq!(plain.add_working_days(NaiveDate::MAX, 5), NaiveDate::MAX);
    }

    #[test]
    fn text_and_json_round_trip() {
        let cal = HolidayCalendar::shipped();
        let text = cal.to_text();
        assert!(text.starts_with("2025-01-01 holiday 元旦\n"));
        assert_eq!(HolidayCalendar::parse(&text).unwrap(), cal);
        let json = serde_json::to_string(&cal).unwrap();
        assert_eq!(serde_json::from_str::<HolidayCalendar>(&json).unwrap(), cal);
    }

    #[test]
    fn parse_skips_comments_and_keeps_spaced_names() {
        let text = "\u{feff}# header\n\n  2026-06-22   holiday  Local  day  # note\n2026-06-27 workday x\n";
        let cal = HolidayCalendar::parse(text).unwrap();
        assert_eq!(cal.holidays()[&d(2026, 6, 22)], "Local  day");
        assert_eq!(cal.workdays()[&d(2026, 6, 27)], "x");
    }

    #[test]
    fn parse_errors_name_the_line() {
        use EntryProblem as P;
        let monday = P::WorkdayOnWeekday {
            date: d(2026, 1, 5),
            weekday: Weekday::Mon,
        };
        let cases = [
            ("2026-01-01", P::Malformed("2026-01-01".into())),
            ("2026-02-30 holiday x", P::BadDate("2026-02-30".into())),
            ("2026-1-01 holiday x", P::BadDate("2026-1-01".into())),
            ("2026-01-01 rest x", P::UnknownKind("rest".into())),
            ("2026-01-01 holiday", P::MissingName(d(2026, 1, 1))),
            ("2026-01-01 holiday 元旦", P::Duplicate(d(2026, 1, 1))),
            ("2026-01-04 holiday x", P::Duplicate(d(2026, 1, 4))),
            ("2026-01-05 workday x", monday),
        ];
        for (line, problem) in cases {
            let text = format!(
                "# two entries\n2026-01-01 holiday 元旦\n2026-01-04 workday 调休\n{line}\n"
            );
            let err = HolidayCalendar::parse(&text).unwrap_err();
            assert_eq!(err, CalendarError::Line { line: 4, problem });
            assert!(err.to_string().starts_with("line 4: "), "{err}");
        }
        let json = r#"{"holidays":{},"workdays":{"2026-01-05":"x"}}"#;
        assert!(serde_json::from_str::<HolidayCalendar>(json).is_err());
    }

    #[test]
    fn merge_later_wins() {
        let mut cal = HolidayCalendar::shipped();
        let local = HolidayCalendar::parse(
            "2026-10-10 holiday 地方假日\n2026-10-04 workday 调休\n2027-02-06 holiday 春节\n",
        )
        .unwrap();
        cal.merge(&local);
        assert!(!cal.is_working_day(d(2026, 10, 10)));
        assert!(!cal.workdays().contains_key(&d(2026, 10, 10)));
        assert!(cal.is_working_day(d(2026, 10, 4)));
        assert!(!cal.holidays().contains_key(&d(2026, 10, 4)));
        assert!(cal.covers(2027));
    }

    fn date_in_2025_2026() -> impl Strategy<Value = NaiveDate> {
        (0u64..730).prop_map(|k| d(2025, 1, 1).checked_add_days(Days::new(k)).unwrap())
    }

    proptest! {
        /// Counting forward and counting between undo each other; the result is a working day
        /// and moves strictly forward with `n`.
        #[test]
        fn add_and_between_are_inverse(from in date_in_2025_2026(), n in 0u32..60) {
            let cal = HolidayCalendar::shipped();
            let due = cal.add_working_days(from, n);
            prop_assert_eq!(cal.working_days_between(from, due), n);
            if n > 0 {
                prop_assert!(cal.is_working_day(due));
            }
            prop_assert!(due < cal.add_working_days(from, n + 1));
        }

        /// The counted `working_days_between` agrees with walking the days one by one.
        #[test]
        fn between_matches_walking(from in date_in_2025_2026(), span in 0u64..500) {
            let cal = HolidayCalendar::shipped();
            let to = from.checked_add_days(Days::new(span)).unwrap();
            let walked = from.iter_days().skip(1).take_while(|x| *x <= to)
                .filter(|x| cal.is_working_day(*x)).count();
            prop_assert_eq!(cal.working_days_between(from, to) as usize, walked);
            let k = cal.working_days_between(from, to);
            prop_assert!(cal.add_working_days(from, k) <= to);
            prop_assert!(cal.add_working_days(from, k + 1) > to);
        }
    }
}
