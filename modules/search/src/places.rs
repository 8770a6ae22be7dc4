//! Place names a query may name (`dict/places.tsv`): provinces, their capitals and large
//! cities, by GB/T 2260 code. A place in a query is not a word every document must contain
//! (a regulation of 深圳 need not say 深圳) but a preference for documents of that region.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The table shipped with the crate.
const PLACES: &str = include_str!("../dict/places.tsv");

/// A region a query named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// Its six-digit code, e.g. "440300".
    pub code: &'static str,
    /// Its full name, e.g. "深圳市".
    pub name: &'static str,
    /// Its usual short form, e.g. "深圳" ("" when only the full name reads as the place).
    pub short: &'static str,
}

impl Place {
    /// Its names as a title or an issuing body writes them.
    pub fn forms(&self) -> impl Iterator<Item = &'static str> {
        [self.name, self.short]
            .into_iter()
            .filter(|f| !f.is_empty())
    }

    /// The first and last origin codes within its province.
    pub fn province_span(&self) -> (String, String) {
        let prefix = &self.code[..2.min(self.code.len())];
        (format!("{prefix}0000"), format!("{prefix}9999"))
    }

    /// Whether this is a province-level region.
    pub fn is_province(&self) -> bool {
        self.code.ends_with("0000")
    }

    /// The first and last origin codes within the region (prefix of its non-zero digits).
    pub fn span(&self) -> (String, String) {
        let prefix = if self.is_province() {
            &self.code[..2]
        } else if self.code.ends_with("00") {
            &self.code[..4]
        } else {
            self.code
        };
        let pad = |c: char| format!("{prefix}{}", c.to_string().repeat(6 - prefix.len()));
        (pad('0'), pad('9'))
    }
}

/// Every form (full and short) to its place.
static BY_NAME: LazyLock<HashMap<&'static str, Place>> = LazyLock::new(|| parse(PLACES));

fn parse(table: &'static str) -> HashMap<&'static str, Place> {
    let mut out = HashMap::new();
    for line in table.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(code), Some(name)) = (cols.next(), cols.next()) else {
            continue;
        };
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let shorts: Vec<&'static str> = cols
            .next()
            .unwrap_or("")
            .split('、')
            .filter(|s| !s.is_empty())
            .collect();
        let short = shorts.first().copied().unwrap_or("");
        let place = Place { code, name, short };
        out.insert(name, place.clone());
        for form in shorts {
            out.insert(form, place.clone());
        }
    }
    out
}

/// The place a query word names, in full or short form.
pub(crate) fn lookup(word: &str) -> Option<Place> {
    BY_NAME.get(word).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_short_forms() {
        let sz = lookup("深圳").unwrap();
        assert_eq!((sz.code, sz.name), ("440300", "深圳市"));
        assert_eq!(lookup("深圳市"), Some(sz.clone()));
        assert_eq!(sz.span(), ("440300".into(), "440399".into()));
        assert_eq!(sz.province_span(), ("440000".into(), "449999".into()));
        let gd = lookup("广东省").unwrap();
        assert!(gd.is_province());
        assert_eq!(lookup("广东"), Some(gd.clone()));
        assert_eq!(gd.span(), ("440000".into(), "449999".into()));
        assert_eq!(lookup("北京").unwrap().code, "110000");
        // Everyday words are places only in full.
        assert_eq!(lookup("日照"), None);
        assert_eq!(lookup("日照市").unwrap().code, "371100");
        assert_eq!(lookup("工资"), None);
    }

    #[test]
    fn every_line_is_read() {
        let lines = PLACES
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        let codes: std::collections::HashSet<&str> = BY_NAME.values().map(|p| p.code).collect();
        assert_eq!(codes.len(), lines);
    }
}
