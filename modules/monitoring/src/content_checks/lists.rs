//! The word lists: shipped with the product as text files (`lists/*.txt`), edited at the
//! province. One entry a line, `wrong<TAB>right` or a single word, `#` comments.

use serde::{Deserialize, Serialize};

/// Which list an entry belongs to; each reads differently to staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WordList {
    /// Misspelt names of national leaders and institutions (serious).
    Names,
    /// Names of abolished or renamed institutions (serious).
    Outdated,
    /// Sensitive words and wrong political expressions (serious).
    Sensitive,
    /// Common typos (a warning for a person to judge).
    Typos,
    /// Correct words that contain a wrong form (never flagged there).
    Allowed,
}

impl WordList {
    /// Every list.
    pub const ALL: [WordList; 5] = [
        WordList::Names,
        WordList::Outdated,
        WordList::Sensitive,
        WordList::Typos,
        WordList::Allowed,
    ];

    /// Stored and API code (also the shipped file's stem).
    pub fn code(self) -> &'static str {
        match self {
            WordList::Names => "names",
            WordList::Outdated => "outdated",
            WordList::Sensitive => "sensitive",
            WordList::Typos => "typos",
            WordList::Allowed => "allowed",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<WordList> {
        WordList::ALL.into_iter().find(|l| l.code() == s)
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            WordList::Names => "领导人姓名和机构名称",
            WordList::Outdated => "已撤销机构名称",
            WordList::Sensitive => "敏感词和错误表述",
            WordList::Typos => "常见错别字",
            WordList::Allowed => "正确用语（不报）",
        }
    }

    /// Whether an entry needs a right form (a single word is allowed in the sensitive and
    /// allowed lists only).
    pub fn needs_right(self) -> bool {
        matches!(self, WordList::Names | WordList::Outdated | WordList::Typos)
    }

    /// The shipped file.
    pub fn shipped(self) -> (&'static str, &'static str) {
        match self {
            WordList::Names => ("lists/names.txt", include_str!("../../lists/names.txt")),
            WordList::Outdated => (
                "lists/outdated.txt",
                include_str!("../../lists/outdated.txt"),
            ),
            WordList::Sensitive => (
                "lists/sensitive.txt",
                include_str!("../../lists/sensitive.txt"),
            ),
            WordList::Typos => ("lists/typos.txt", include_str!("../../lists/typos.txt")),
            WordList::Allowed => ("lists/allowed.txt", include_str!("../../lists/allowed.txt")),
        }
    }
}

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordEntry {
    /// The list.
    pub list: WordList,
    /// The form to find.
    pub wrong: String,
    /// What it should be (empty: the word should not be there at all).
    pub right: String,
}

/// A line of a list file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ListError {
    /// The file.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Checks one entry (shared by the file parser and the province's edits).
pub fn check_entry(list: WordList, wrong: &str, right: &str) -> Result<(), String> {
    if wrong.is_empty() || wrong.chars().count() > 50 {
        return Err("词语须为1至50个字".into());
    }
    if wrong.chars().any(char::is_control) || right.chars().any(char::is_control) {
        return Err("词语中不能有控制字符".into());
    }
    if right.chars().count() > 100 {
        return Err("正确写法最多100个字".into());
    }
    if list.needs_right() && right.is_empty() {
        return Err(format!("“{}”的每一条都须写明正确写法", list.label()));
    }
    if list == WordList::Allowed && !right.is_empty() {
        return Err(format!("“{}”只列词语，不写正确写法", list.label()));
    }
    if wrong == right {
        return Err("错误写法与正确写法相同".into());
    }
    Ok(())
}

/// Parses a list file; an error names the file and line.
pub fn parse(list: WordList, file: &str, text: &str) -> Result<Vec<WordEntry>, ListError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let err = |message: String| ListError {
            file: file.to_string(),
            line: i + 1,
            message,
        };
        let mut parts = line.split('\t');
        let wrong = parts.next().unwrap_or("").trim();
        let right = parts.next().unwrap_or("").trim();
        if parts.next().is_some() {
            return Err(err("more than one tab".into()));
        }
        check_entry(list, wrong, right).map_err(err)?;
        out.push(WordEntry {
            list,
            wrong: wrong.to_string(),
            right: right.to_string(),
        });
    }
    Ok(out)
}

/// Every shipped entry. The shipped files are tested to parse, so a bad line is a build
/// defect; it is logged and the list skipped rather than failing the node.
pub fn shipped() -> Vec<WordEntry> {
    let mut out = Vec::new();
    for list in WordList::ALL {
        let (file, text) = list.shipped();
        match parse(list, file, text) {
            Ok(entries) => out.extend(entries),
            Err(e) => tracing::error!(error = %e, "monitoring: shipped word list unreadable"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_parse() {
        for list in WordList::ALL {
            let (file, text) = list.shipped();
            let entries = parse(list, file, text).unwrap();
            assert!(!entries.is_empty(), "{file} is empty");
        }
    }

    #[test]
    fn a_bad_line_names_file_and_line() {
        let e = parse(WordList::Names, "x.txt", "# c\n习进平\t习近平\n孤词\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.txt", 3));
        assert!(e.to_string().starts_with("x.txt:3:"));
        let e = parse(WordList::Sensitive, "s.txt", "a\tb\tc\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse(WordList::Sensitive, "s.txt", "单词\n").is_ok());
    }
}
