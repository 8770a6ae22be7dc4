//! The lexicon: colloquial→official synonyms (百姓体词库), topic cards, and the pinyin
//! vocabulary used for pinyin queries and typo correction (homophones, look-alike characters).
//!
//! The node owns where synonyms and cards come from (its own and its ancestors' signed
//! entries); the index only reads the lexicon it was last given.

mod shapes;
mod vocabulary;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use shapes::BUILTIN_SHAPES;
pub use vocabulary::{Vocabulary, pinyin_keys};

/// The starting synonym dictionary shipped with the node (category, colloquial, officials).
pub const BUILTIN_SYNONYMS: &str = include_str!("../../dict/synonyms.tsv");
/// The starting topic cards shipped with the node.
pub const BUILTIN_TOPICS: &str = include_str!("../../dict/topics.json");

/// Longest colloquial phrase, in characters.
pub const MAX_SYNONYM_CHARS: usize = 20;

/// One colloquial phrase and the official terms it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synonym {
    /// What citizens type, e.g. "开公司".
    pub colloquial: String,
    /// Official terms, most specific first, e.g. ["企业设立登记", "公司登记"]; empty
    /// means the phrase is suppressed (a lower level removing an inherited entry).
    pub official: Vec<String>,
    /// Domain, e.g. "business".
    #[serde(default)]
    pub category: String,
}

/// A link on a topic card: a title and the search it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicLink {
    /// Link text.
    pub title: String,
    /// Search query the link runs.
    pub q: String,
}

/// A topic card (专题卡片) shown above results for a high-frequency scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TopicCard {
    /// Stable id, e.g. "social_security".
    pub id: String,
    /// Title, e.g. "社会保障".
    pub title: String,
    /// One sentence.
    #[serde(default)]
    pub summary: String,
    /// Words that make a query match the card.
    pub keywords: Vec<String>,
    /// Links.
    #[serde(default)]
    pub links: Vec<TopicLink>,
}

/// Problems with a synonym or card given by an administrator.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LexiconError {
    /// A field is wrong; the message says which and why.
    #[error("{0}")]
    Invalid(String),
}

impl Synonym {
    /// Normalises and checks an entry (folded, trimmed, official terms deduplicated).
    pub fn validated(mut self) -> Result<Self, LexiconError> {
        self.colloquial = crate::text::normalize_query(self.colloquial.trim())
            .trim()
            .to_string();
        let n = self.colloquial.chars().count();
        if !(2..=MAX_SYNONYM_CHARS).contains(&n) {
            return Err(LexiconError::Invalid(format!(
                "colloquial: `{}` must be 2–{MAX_SYNONYM_CHARS} characters",
                self.colloquial
            )));
        }
        if !self.colloquial.chars().any(char::is_alphanumeric) {
            return Err(LexiconError::Invalid(
                "colloquial: needs at least one letter or character".into(),
            ));
        }
        let mut official: Vec<String> = Vec::new();
        for term in &self.official {
            let term = crate::text::normalize_query(term.trim()).trim().to_string();
            let len = term.chars().count();
            if len == 0 || len > 40 {
                return Err(LexiconError::Invalid(format!(
                    "official: `{term}` must be 1–40 characters"
                )));
            }
            if term == self.colloquial {
                return Err(LexiconError::Invalid(format!(
                    "official: `{term}` is the colloquial phrase itself"
                )));
            }
            if !official.contains(&term) {
                official.push(term);
            }
        }
        if official.len() > 10 {
            return Err(LexiconError::Invalid("official: at most 10 terms".into()));
        }
        self.official = official;
        Ok(self)
    }
}

impl TopicCard {
    /// Checks a card given by an administrator.
    pub fn validated(mut self) -> Result<Self, LexiconError> {
        let bad = |m: String| Err(LexiconError::Invalid(m));
        if self.id.is_empty()
            || self.id.len() > 40
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return bad(format!(
                "id: `{}` must be 1–40 lowercase letters, digits or _",
                self.id
            ));
        }
        if self.title.trim().is_empty() || self.title.chars().count() > 40 {
            return bad("title: must be 1–40 characters".into());
        }
        self.keywords = self
            .keywords
            .iter()
            .map(|k| crate::text::normalize_query(k.trim()).trim().to_string())
            .filter(|k| !k.is_empty())
            .collect();
        if self.keywords.is_empty() || self.keywords.len() > 50 {
            return bad("keywords: give 1–50 keywords".into());
        }
        if self.links.len() > 12 {
            return bad("links: at most 12".into());
        }
        Ok(self)
    }
}

/// Parses the shipped synonym dictionary (`category<TAB>colloquial<TAB>a|b`).
pub fn builtin_synonyms() -> &'static [Synonym] {
    static PARSED: std::sync::OnceLock<Vec<Synonym>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| parse_synonyms(BUILTIN_SYNONYMS).unwrap_or_default())
}

/// Parses synonyms in the shipped TSV format; errors name the line.
pub fn parse_synonyms(text: &str) -> Result<Vec<Synonym>, LexiconError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [category, colloquial, official] = cols[..] else {
            return Err(LexiconError::Invalid(format!(
                "line {}: expected 3 tab-separated columns",
                i + 1
            )));
        };
        let s = Synonym {
            colloquial: colloquial.into(),
            official: official.split('|').map(str::to_string).collect(),
            category: category.trim().into(),
        }
        .validated()
        .map_err(|LexiconError::Invalid(m)| {
            LexiconError::Invalid(format!("line {}: {m}", i + 1))
        })?;
        out.push(s);
    }
    Ok(out)
}

/// Parses the shipped topic cards.
pub fn builtin_topics() -> Vec<TopicCard> {
    serde_json::from_str::<Vec<TopicCard>>(BUILTIN_TOPICS)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.validated().ok())
        .collect()
}

/// The synonyms and topic cards a node searches with.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    synonyms: HashMap<String, Vec<String>>,
    longest: usize,
    topics: Vec<TopicCard>,
    /// Version the node gave this lexicon (e.g. the sum of dictionary entry counts).
    pub version: u64,
}

impl Lexicon {
    /// The shipped dictionary and cards.
    pub fn builtin() -> Self {
        Self::new(builtin_synonyms().to_vec(), builtin_topics(), 0)
    }

    /// A lexicon from synonyms (later ones override earlier ones with the same phrase;
    /// an empty official list removes the phrase) and topic cards.
    pub fn new(synonyms: Vec<Synonym>, topics: Vec<TopicCard>, version: u64) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for s in synonyms {
            if s.official.is_empty() {
                map.remove(&s.colloquial);
            } else {
                map.insert(s.colloquial, s.official);
            }
        }
        let longest = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Self {
            synonyms: map,
            longest,
            topics,
            version,
        }
    }

    /// Number of synonym phrases.
    pub fn len(&self) -> usize {
        self.synonyms.len()
    }

    /// Whether there are no synonyms.
    pub fn is_empty(&self) -> bool {
        self.synonyms.is_empty()
    }

    /// Official terms for an exact phrase.
    pub fn official(&self, phrase: &str) -> Option<&[String]> {
        self.synonyms.get(phrase).map(Vec::as_slice)
    }

    /// Every phrase and official term (vocabulary for pinyin and typo correction).
    pub(crate) fn terms(&self) -> impl Iterator<Item = &str> {
        self.synonyms
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.as_str()).chain(v.iter().map(String::as_str)))
    }

    /// Finds colloquial phrases in normalised query text, longest first, left to right,
    /// without overlaps, starting only where `may_start` allows (a byte offset):
    /// (byte start, byte end, officials).
    pub(crate) fn find(
        &self,
        text: &str,
        may_start: impl Fn(usize) -> bool,
    ) -> Vec<(usize, usize, &[String])> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if !may_start(chars[i].0) {
                i += 1;
                continue;
            }
            let mut matched = None;
            let max = self.longest.min(chars.len() - i);
            for len in (2..=max).rev() {
                let start = chars[i].0;
                let end = chars.get(i + len).map_or(text.len(), |c| c.0);
                if let Some(official) = self.synonyms.get(&text[start..end]) {
                    matched = Some((start, end, official.as_slice(), len));
                    break;
                }
            }
            match matched {
                Some((start, end, official, len)) => {
                    out.push((start, end, official));
                    i += len;
                }
                None => i += 1,
            }
        }
        out
    }

    /// Topic cards whose keywords occur in the query or its expansions (best first, ≤ 2).
    pub(crate) fn topics_for(&self, texts: &[&str]) -> Vec<TopicCard> {
        let mut scored: Vec<(usize, &TopicCard)> = self
            .topics
            .iter()
            .filter_map(|card| {
                let hits = card
                    .keywords
                    .iter()
                    .filter(|k| texts.iter().any(|t| t.contains(k.as_str())))
                    .map(|k| k.chars().count())
                    .sum::<usize>();
                (hits > 0).then_some((hits, card))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        scored.into_iter().take(2).map(|(_, c)| c.clone()).collect()
    }

    /// All topic cards.
    pub fn topics(&self) -> &[TopicCard] {
        &self.topics
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_dictionary_parses_and_is_large_enough() {
        parse_synonyms(BUILTIN_SYNONYMS).expect("shipped synonyms parse");
        assert!(
            builtin_synonyms().len() >= 300,
            "{}",
            builtin_synonyms().len()
        );
        let topics = builtin_topics();
        for id in [
            "education",
            "transport",
            "social_security",
            "employment",
            "business_environment",
        ] {
            assert!(topics.iter().any(|t| t.id == id), "missing card {id}");
        }
    }

    #[test]
    fn longest_phrase_wins_and_suppression_removes() {
        let s = |c: &str, o: &[&str]| Synonym {
            colloquial: c.into(),
            official: o.iter().map(|s| s.to_string()).collect(),
            category: String::new(),
        };
        let lex = Lexicon::new(
            vec![
                s("开公司", &["企业设立登记"]),
                s("公司", &["企业"]),
                s("退休金", &["基本养老金"]),
                s("退休金", &[]),
            ],
            vec![],
            1,
        );
        let found = lex.find("我想开公司", |_| true);
        assert_eq!(found.len(), 1);
        assert_eq!(&"我想开公司"[found[0].0..found[0].1], "开公司");
        assert!(lex.official("退休金").is_none());
    }

    #[test]
    fn bad_entries_are_refused_with_the_field_named() {
        let e = Synonym {
            colloquial: "x".into(),
            official: vec!["y".into()],
            category: String::new(),
        }
        .validated()
        .unwrap_err();
        assert!(e.to_string().starts_with("colloquial"), "{e}");
        let e = parse_synonyms("a\tb").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
