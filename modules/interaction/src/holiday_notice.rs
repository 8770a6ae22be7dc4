//! A year's holiday notice (国务院办公厅关于部分节假日安排的通知) as staff type it in the
//! console: the year, then one line per holiday or make-up working day, a date or a range
//! with its name (`1月1日至3日 元旦`, `2027-02-06 春节调休`). It becomes calendar entries,
//! checked like the calendar files, and errors name the line.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::calendar::{CalendarError, EntryProblem, HolidayCalendar};

/// Which list a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeList {
    /// 放假 (public holidays, with the weekend days joined to them).
    Holidays,
    /// 调休上班 (a weekend day worked instead).
    Workdays,
}

impl NoticeList {
    /// Its name on the form.
    pub fn label(self) -> &'static str {
        match self {
            NoticeList::Holidays => "放假安排",
            NoticeList::Workdays => "调休上班",
        }
    }
}

/// What is wrong with a notice, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NoticeError {
    /// The list at fault (None: the year).
    pub list: Option<NoticeList>,
    /// The line, from 1.
    pub line: usize,
    /// The whole message, naming the list and the line.
    pub message: String,
}

/// The earliest and latest year a notice may be for.
pub const YEARS: (i32, i32) = (2000, 2100);

fn weekday_zh(w: Weekday) -> &'static str {
    [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ][w.num_days_from_monday() as usize]
}

/// `2027-01-01`, `2027年1月1日`, `1月1日`; `day_only` also `3日` (a range's end in the
/// same month as its start).
fn parse_day(s: &str, year: i32, month: Option<u32>) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    let (y, rest) = match s.split_once('年') {
        Some((y, rest)) => (y.trim().parse().ok()?, rest),
        None => (year, s),
    };
    let rest = rest
        .strip_suffix('日')
        .or_else(|| rest.strip_suffix('号'))?;
    let (m, d) = match rest.split_once('月') {
        Some((m, d)) => (m.trim().parse().ok()?, d),
        None => (month?, rest),
    };
    NaiveDate::from_ymd_opt(y, m, d.trim().parse().ok()?)
}

/// Reads one list: each line a date or a range (`至`, `-`, `~`) and a name.
fn read_list(
    list: NoticeList,
    year: i32,
    text: &str,
    out: &mut Vec<(NaiveDate, String, NoticeList, usize)>,
) -> Result<(), NoticeError> {
    for (line, raw) in (1..).zip(text.lines()) {
        let content = raw.trim();
        if content.is_empty() {
            continue;
        }
        let fail = |what: String| NoticeError {
            list: Some(list),
            line,
            message: format!("{}第 {line} 行（{content}）：{what}", list.label()),
        };
        let (dates, name) = match content.split_once(char::is_whitespace) {
            Some((d, n)) => (d, n.trim()),
            None => {
                return Err(fail(
                    "请在日期后空一格写明名称，如“1月1日至3日 元旦”".into(),
                ));
            }
        };
        if name.is_empty() || name.contains(|c: char| c == '#' || c.is_control()) {
            return Err(fail("名称不能为空，也不能含 # 号".into()));
        }
        let (first, last) = match dates.split_once(['至', '~', '～', '—']) {
            Some((a, b)) => (a, Some(b)),
            None => (dates, None),
        };
        let bad_date = || fail("日期应写作“2027-01-01”或“1月1日”，区间写作“1月1日至3日”".into());
        let start = parse_day(first, year, None).ok_or_else(bad_date)?;
        let end = match last {
            Some(b) => parse_day(b, start.year(), Some(start.month())).ok_or_else(bad_date)?,
            None => start,
        };
        if end < start {
            return Err(fail("区间的结束日期早于开始日期".into()));
        }
        if start.year() != year && end.year() != year {
            return Err(fail(format!("日期不在 {year} 年")));
        }
        if (end - start).num_days() > 15 {
            return Err(fail("一段假期最长 16 天，请检查日期".into()));
        }
        for d in start.iter_days().take_while(|d| *d <= end) {
            out.push((d, name.to_string(), list, line));
        }
    }
    Ok(())
}

/// The calendar of one year's notice, checked: a date at most once, make-up working days on
/// a Saturday or Sunday. Errors name the list and the line.
pub fn parse_notice(
    year: i32,
    holidays: &str,
    workdays: &str,
) -> Result<HolidayCalendar, NoticeError> {
    if !(YEARS.0..=YEARS.1).contains(&year) {
        return Err(NoticeError {
            list: None,
            line: 0,
            message: format!("年份须在 {}–{} 之间", YEARS.0, YEARS.1),
        });
    }
    let mut days = Vec::new();
    read_list(NoticeList::Holidays, year, holidays, &mut days)?;
    read_list(NoticeList::Workdays, year, workdays, &mut days)?;
    if days.is_empty() {
        return Err(NoticeError {
            list: Some(NoticeList::Holidays),
            line: 0,
            message: "请至少填写一行放假安排".into(),
        });
    }
    let text: String = days
        .iter()
        .map(|(d, name, list, _)| {
            let kind = match list {
                NoticeList::Holidays => "holiday",
                NoticeList::Workdays => "workday",
            };
            format!("{d} {kind} {name}\n")
        })
        .collect();
    HolidayCalendar::parse(&text).map_err(|e| {
        let CalendarError::Line { line, problem } = e else {
            unreachable!("parse reports lines");
        };
        let (_, _, list, form_line) = &days[line - 1];
        let what = match problem {
            EntryProblem::Duplicate(d) => format!("{d} 已在前面列出，同一天只能出现一次"),
            EntryProblem::WorkdayOnWeekday { date, weekday } => format!(
                "{date} 是{}，调休上班日只能是星期六或星期日",
                weekday_zh(weekday)
            ),
            other => format!("无法识别（{other}）"),
        };
        NoticeError {
            list: Some(*list),
            line: *form_line,
            message: format!("{}第 {form_line} 行：{what}", list.label()),
        }
    })
}

/// `calendar` (the text format) with `year`'s entries replaced by `notice`'s.
pub fn with_year(calendar: &str, year: i32, notice: &HolidayCalendar) -> String {
    let prefix = format!("{year}-");
    let mut text: String = calendar
        .lines()
        .filter(|l| !l.trim_start().starts_with(&prefix))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str(&notice.to_text());
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_make_up_days() {
        let c = parse_notice(
            2027,
            "1月1日至3日 元旦\n2027-02-06~2027-02-13 春节",
            "2月14日 春节调休",
        )
        .unwrap();
        assert_eq!(c.holidays().len(), 3 + 8);
        assert_eq!(c.workdays().len(), 1);
        let text = with_year(
            "2026-01-01 holiday 元旦\n2027-05-01 holiday 劳动节\n",
            2027,
            &c,
        );
        assert!(text.contains("2026-01-01 holiday 元旦"));
        assert!(!text.contains("劳动节"));
        assert!(text.contains("2027-01-02 holiday 元旦"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_notice(2027, "1月1日 元旦\n13月40日 春节", "").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.starts_with("放假安排第 2 行"), "{}", e.message);
        // 2027-01-04 is a Monday.
        let e = parse_notice(2027, "1月1日 元旦", "\n1月4日 元旦调休").unwrap_err();
        assert_eq!((e.list, e.line), (Some(NoticeList::Workdays), 2));
        assert!(e.message.contains("星期一"), "{}", e.message);
        let e = parse_notice(2027, "1月1日", "").unwrap_err();
        assert!(e.message.contains("名称"), "{}", e.message);
    }
}
