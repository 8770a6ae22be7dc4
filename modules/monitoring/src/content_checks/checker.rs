//! The content checker: every list entry found in one pass over a text. Patterns are
//! indexed by their first character, so each position costs one hash look-up and a few
//! prefix comparisons. A wrong form inside a right form or an allowed word (农业部 in
//! 农业部门) is not reported, nor one inside a longer wrong form (保监会 in 银保监会).

use std::collections::HashMap;

use serde::Serialize;

use super::lists::{WordEntry, WordList};
use crate::{Indicator, Severity};

/// One problem found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentFinding {
    /// SeriousError, LikelyTypo or DarkLink.
    pub indicator: Indicator,
    /// Veto, or Warning for a likely typo.
    pub severity: Severity,
    /// The list that matched (none for a dark link).
    pub list: Option<WordList>,
    /// The text found (a dark link: its address).
    pub text: String,
    /// A few characters around the first occurrence.
    pub context: String,
    /// What is wrong and what it should be, in Chinese.
    pub detail: String,
    /// Occurrences in the text.
    pub count: usize,
}

impl ContentFinding {
    /// Whether it blocks publication and fails the site (anything but a warning).
    pub fn serious(&self) -> bool {
        self.severity != Severity::Warning
    }
}

enum Kind {
    Wrong(usize),
    Protected,
}

struct Pattern {
    text: String,
    kind: Kind,
}

/// The checker built from the lists in force.
pub struct ContentChecker {
    entries: Vec<WordEntry>,
    patterns: Vec<Pattern>,
    /// Pattern indexes by first character, longest first.
    by_first: HashMap<char, Vec<usize>>,
}

impl std::fmt::Debug for ContentChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentChecker")
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// Characters of context shown on each side.
const CONTEXT: usize = 12;

impl ContentChecker {
    /// The checker over `entries` (shipped and edited; the last entry for a word wins).
    pub fn new(entries: Vec<WordEntry>) -> ContentChecker {
        let mut patterns = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<WordEntry> = Vec::new();
        for e in entries {
            let key = e.wrong.to_lowercase();
            match seen.get(&key) {
                Some(&i) => kept[i] = e,
                None => {
                    seen.insert(key, kept.len());
                    kept.push(e);
                }
            }
        }
        for (i, e) in kept.iter().enumerate() {
            let kind = if e.list == WordList::Allowed {
                Kind::Protected
            } else {
                Kind::Wrong(i)
            };
            patterns.push(Pattern {
                text: e.wrong.to_lowercase(),
                kind,
            });
            // Each right form, without its note in brackets, is correct wherever it stands.
            for right in e.right.split('、') {
                let right = right.split('（').next().unwrap_or("").trim();
                if !right.is_empty() {
                    patterns.push(Pattern {
                        text: right.to_lowercase(),
                        kind: Kind::Protected,
                    });
                }
            }
        }
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, p) in patterns.iter().enumerate() {
            if let Some(c) = p.text.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        for v in by_first.values_mut() {
            v.sort_by_key(|&i| std::cmp::Reverse(patterns[i].text.len()));
        }
        ContentChecker {
            entries: kept,
            patterns,
            by_first,
        }
    }

    /// The checker over the shipped lists alone.
    pub fn shipped() -> ContentChecker {
        ContentChecker::new(super::lists::shipped())
    }

    /// The entries in force.
    pub fn entries(&self) -> &[WordEntry] {
        &self.entries
    }

    /// The problems of an article's title and text, the title's first; one finding per
    /// word, with its count.
    pub fn check(&self, title: &str, text: &str) -> Vec<ContentFinding> {
        let mut out = self.check_text(title);
        for f in self.check_text(text) {
            match out
                .iter_mut()
                .find(|o| o.list == f.list && o.text == f.text)
            {
                Some(o) => o.count += f.count,
                None => out.push(f),
            }
        }
        for f in &mut out {
            f.detail = detail(f);
        }
        out
    }

    fn check_text(&self, text: &str) -> Vec<ContentFinding> {
        // Lower-casing ASCII keeps byte offsets (Latin words in the lists match any case).
        let lower = text.to_ascii_lowercase();
        let mut wrong: Vec<(usize, usize, usize)> = Vec::new();
        let mut protected: Vec<(usize, usize)> = Vec::new();
        for (pos, c) in lower.char_indices() {
            let Some(cands) = self.by_first.get(&c) else {
                continue;
            };
            for &i in cands {
                let p = &self.patterns[i];
                if lower[pos..].starts_with(&p.text) {
                    let end = pos + p.text.len();
                    match p.kind {
                        Kind::Wrong(e) => wrong.push((pos, end, e)),
                        Kind::Protected => protected.push((pos, end)),
                    }
                }
            }
        }
        let covers = |s: usize, e: usize| {
            move |&(ps, pe): &(usize, usize)| ps <= s && e <= pe && pe - ps > e - s
        };
        let mut out: Vec<ContentFinding> = Vec::new();
        for &(s, e, entry) in &wrong {
            if protected.iter().any(covers(s, e))
                || wrong.iter().map(|w| (w.0, w.1)).any(|w| covers(s, e)(&w))
            {
                continue;
            }
            let entry = &self.entries[entry];
            match out
                .iter_mut()
                .find(|f| f.list == Some(entry.list) && f.text == entry.wrong)
            {
                Some(f) => f.count += 1,
                None => out.push(finding(entry, context(text, s, e))),
            }
        }
        out
    }
}

fn finding(entry: &WordEntry, context: String) -> ContentFinding {
    let (indicator, severity) = match entry.list {
        WordList::Typos => (Indicator::LikelyTypo, Severity::Warning),
        _ => (Indicator::SeriousError, Severity::Veto),
    };
    ContentFinding {
        indicator,
        severity,
        list: Some(entry.list),
        text: entry.wrong.clone(),
        context,
        detail: right_of(entry),
        count: 1,
    }
}

/// The right form is kept in `detail` until [`detail`] writes the sentence.
fn right_of(entry: &WordEntry) -> String {
    entry.right.clone()
}

/// The Chinese sentence of a word finding (its `detail` holds the right form until now).
fn detail(f: &ContentFinding) -> String {
    let (w, r) = (&f.text, &f.detail);
    let mut s = match f.list {
        Some(WordList::Names) => format!("‘{w}’疑为国家领导人姓名或机构名称的错误写法，应为‘{r}’"),
        Some(WordList::Outdated) => format!("‘{w}’为已撤销机构名称，应为‘{r}’"),
        Some(WordList::Sensitive) if r.is_empty() => {
            format!("含敏感词‘{w}’，不宜出现在政府网站上，请删除或核实")
        }
        Some(WordList::Sensitive) => format!("‘{w}’为错误表述，应为‘{r}’"),
        Some(WordList::Typos) => format!("‘{w}’疑为错别字，应为‘{r}’"),
        _ => r.clone(),
    };
    if f.count > 1 {
        s.push_str(&format!("（共 {} 处）", f.count));
    }
    s
}

/// `text[s..e]` with up to [`CONTEXT`] characters on each side.
fn context(text: &str, s: usize, e: usize) -> String {
    let before: String = {
        let mut v: Vec<char> = text[..s].chars().rev().take(CONTEXT).collect();
        v.reverse();
        v.into_iter().collect()
    };
    let after: String = text[e..].chars().take(CONTEXT).collect();
    let flat = |x: &str| x.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{}{}{}{}{}",
        if before.len() < text[..s].len() {
            "…"
        } else {
            ""
        },
        flat(&before),
        &text[s..e],
        flat(&after),
        if after.len() < text[e..].len() {
            "…"
        } else {
            ""
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_explains() {
        let c = ContentChecker::shipped();
        let f = c.check(
            "关于习进平同志讲话的学习",
            "原国家工商行政管理总局发布。做为基层单位……",
        );
        let texts: Vec<&str> = f.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["习进平", "国家工商行政管理总局", "做为"]);
        assert_eq!(
            f[0].detail,
            "‘习进平’疑为国家领导人姓名或机构名称的错误写法，应为‘习近平’"
        );
        assert_eq!(
            f[1].detail,
            "‘国家工商行政管理总局’为已撤销机构名称，应为‘国家市场监督管理总局’"
        );
        assert_eq!(f[2].severity, Severity::Warning);
        assert!(f[1].context.contains("原国家工商行政管理总局发布"));
    }

    #[test]
    fn right_forms_and_allowed_words_pass() {
        let c = ContentChecker::shipped();
        let text = "习近平总书记强调，农业部门、文化部门和纪检监察部门要配合农业农村部、国家监察委员会，\
                    国家税务总局和国家市场监督管理总局。";
        assert_eq!(c.check("", text), vec![]);
    }

    #[test]
    fn the_longest_wrong_form_wins_and_counts() {
        let c = ContentChecker::shipped();
        let f = c.check("", "银保监会与银保监会");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].text, "银保监会");
        assert_eq!(f[0].count, 2);
        assert!(f[0].detail.ends_with("（共 2 处）"));
    }
}
