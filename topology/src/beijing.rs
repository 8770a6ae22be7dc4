//! Beijing time (UTC+8 all year, no daylight saving): the one clock offset behind every
//! date and time the platform shows to people, every "today" a deadline or a daily count
//! is reckoned from, and every date a person types.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Beijing's offset from UTC, in seconds.
pub const OFFSET_SECS: i32 = 8 * 3600;

/// Beijing's offset from UTC.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(OFFSET_SECS).expect("UTC+8 is a valid offset")
}

/// A unix time in milliseconds as Beijing local time (the epoch for an out-of-range time).
pub fn from_millis(ms: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&offset())
}

/// The Beijing date of a unix time in milliseconds.
pub fn date_of(ms: i64) -> NaiveDate {
    from_millis(ms).date_naive()
}

/// `YYYY-MM-DD` of a unix time in milliseconds.
pub fn date(ms: i64) -> String {
    from_millis(ms).format("%Y-%m-%d").to_string()
}

/// `YYYY-MM-DD HH:MM` of a unix time in milliseconds.
pub fn minute(ms: i64) -> String {
    from_millis(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// The current Beijing time.
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&offset())
}

/// Today's date in Beijing.
pub fn today() -> NaiveDate {
    now().date_naive()
}

/// 00:00 Beijing time of `day`, in unix milliseconds.
pub fn midnight_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
        - i64::from(OFFSET_SECS) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_evening_is_the_next_day_in_beijing() {
        // 2026-03-01 16:30 UTC is 2026-03-02 00:30 in Beijing.
        let ms = 1_772_382_600_000;
        assert_eq!(date(ms), "2026-03-02");
        assert_eq!(minute(ms), "2026-03-02 00:30");
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(date_of(ms), day);
        assert!(midnight_ms(day) <= ms && ms - midnight_ms(day) == 30 * 60_000);
    }
}
