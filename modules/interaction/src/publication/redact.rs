//! Personal data out of a public text: the prefill masks the citizen's name, phone, id number
//! and e-mail (and any phone- or ID-card-like run of digits); the check refuses a text that
//! still holds the citizen's data.

use crate::model::{Personal, mask};

/// Shortest run of digits masked as a phone or ID-card number.
const LONG_DIGITS: usize = 7;

/// `text` with the citizen's data and phone/ID-like digit runs masked.
pub fn redact(text: &str, personal: &Personal) -> String {
    let masked = personal.masked();
    let mut out = text.to_string();
    // Longest first, so an e-mail holding the phone is masked whole.
    let mut pairs = [
        (personal.email.trim(), masked.email.as_str(), 3),
        (personal.id_number.trim(), masked.id_number.as_str(), 5),
        (personal.phone.trim(), masked.phone.as_str(), 5),
        (personal.name.trim(), masked.name.as_str(), 2),
    ];
    pairs.sort_by_key(|(v, _, _)| std::cmp::Reverse(v.chars().count()));
    for (value, replacement, min) in pairs {
        if value.chars().count() >= min {
            out = out.replace(value, replacement);
        }
    }
    mask_digit_runs(&out)
}

/// Masks runs of 7 or more digits (an ID number's final X included), keeping the first 3 and
/// last 2; a run of 8 that reads as a date (20260105) is left alone.
fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i < chars.len() && matches!(chars[i], 'X' | 'x') && i - start >= 14 {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        if run.chars().count() >= LONG_DIGITS && !is_date(&run) {
            out.push_str(&mask(&run, 3, 2));
        } else {
            out.push_str(&run);
        }
    }
    out
}

fn is_date(run: &str) -> bool {
    run.len() == 8 && chrono::NaiveDate::parse_from_str(run, "%Y%m%d").is_ok()
}

/// Which of the citizen's data `text` holds (its Chinese name), if any: the name (of two or
/// more characters), the phone and id number (also with spaces or dashes inside), the e-mail.
pub fn personal_data_in(text: &str, personal: &Personal) -> Option<&'static str> {
    let name = personal.name.trim();
    if name.chars().count() >= 2 && text.contains(name) {
        return Some("姓名");
    }
    let email = personal.email.trim().to_lowercase();
    if email.len() >= 3 && text.to_lowercase().contains(&email) {
        return Some("电子邮箱");
    }
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, 'X' | 'x'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let only = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_digit() || matches!(c, 'X' | 'x'))
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let id = only(&personal.id_number);
    if id.len() >= 6 && (digits.contains(&id) || text.contains(personal.id_number.trim())) {
        return Some("身份证号码");
    }
    let phone = only(&personal.phone);
    if phone.len() >= 5 && (digits.contains(&phone) || text.contains(personal.phone.trim())) {
        return Some("联系电话");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zhang() -> Personal {
        Personal {
            name: "张三丰".into(),
            phone: "13800138000".into(),
            id_number: "440106199001011234".into(),
            email: "zhangsf@example.com".into(),
        }
    }

    #[test]
    fn the_citizens_data_is_masked() {
        let p = zhang();
        let text =
            "我是张三丰，电话13800138000，身份证440106199001011234，邮箱zhangsf@example.com。";
        let got = redact(text, &p);
        assert!(personal_data_in(&got, &p).is_none(), "{got}");
        assert!(got.contains("张**"), "{got}");
        assert!(got.contains("138****8000"), "{got}");
        assert!(!got.contains("zhangsf@"), "{got}");
        assert_eq!(personal_data_in(text, &p), Some("姓名"));
    }

    #[test]
    fn phone_and_id_like_runs_are_masked_but_dates_and_short_numbers_stay() {
        let p = Personal::default();
        let got = redact(
            "邻居电话13912345678，证件44010619800101123X，2026年1月5日，20260105，12345热线",
            &p,
        );
        assert!(!got.contains("13912345678"), "{got}");
        assert!(got.contains("139******78"), "{got}");
        assert!(!got.contains("44010619800101123X"), "{got}");
        assert!(got.contains("20260105"), "{got}");
        assert!(got.contains("12345热线"), "{got}");
    }

    #[test]
    fn data_is_found_written_apart() {
        let p = zhang();
        assert_eq!(personal_data_in("请拨 138-0013-8000", &p), Some("联系电话"));
        assert_eq!(
            personal_data_in("证号 440106 19900101 1234", &p),
            Some("身份证号码")
        );
        assert_eq!(
            personal_data_in("ZHANGSF@example.com", &p),
            Some("电子邮箱")
        );
        assert_eq!(personal_data_in("关于社保转移的答复", &p), None);
        // A one-character name is not searched for: it would refuse every text.
        let short = Personal {
            name: "张".into(),
            ..Default::default()
        };
        assert_eq!(personal_data_in("张先生您好", &short), None);
    }
}
