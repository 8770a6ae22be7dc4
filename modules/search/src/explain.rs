//! How a query is understood, for administrators trying one (试一试): its segmentation,
//! the parts that must match and each part's readings (as typed, synonym, pinyin), the
//! question words dropped, and the correction a typo would get.

use serde::Serialize;

use crate::understand::{self, Analysers, Origin, QUESTION_WORDS};
use crate::{SearchError, SearchIndex};

/// How one reading of a part relates to what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReadingKind {
    /// The words as typed.
    Typed,
    /// Official terms of a colloquial phrase (百姓体词库).
    Synonym,
    /// Chinese words a Latin word spells in pinyin or initials.
    Pinyin,
}

/// One way a part of the query may match: all its words.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    /// What kind of reading it is.
    pub kind: ReadingKind,
    /// Its words, as searched.
    pub words: Vec<String>,
}

/// A part of the query that must match (or, when optional, only ranks).
#[derive(Debug, Clone, Serialize)]
pub struct QueryPart {
    /// Its readings, the typed one first.
    pub readings: Vec<Reading>,
    /// A generic word: it ranks documents but is not required.
    pub optional: bool,
}

/// How a query is understood.
#[derive(Debug, Clone, Serialize)]
pub struct QueryExplanation {
    /// The query as searched (folded script, half-width, lowercased).
    pub normalized: String,
    /// Its words as the segmenter (jieba) splits it.
    pub tokens: Vec<String>,
    /// The parts every result must match.
    pub parts: Vec<QueryPart>,
    /// Question words left out (怎么, 如何…).
    pub dropped: Vec<String>,
    /// The corrected spelling a typo gets, when one is proposed.
    pub correction: Option<String>,
    /// Whether the correction is sure (its words are unknown to the index), so the query is
    /// searched as corrected; else only when the query finds little.
    pub correction_sure: bool,
}

impl SearchIndex {
    /// Explains how `text` is understood (blocking: the segmenter; run it off async threads).
    pub fn explain(&self, text: &str) -> Result<QueryExplanation, SearchError> {
        let lexicon = self.lexicon();
        let vocabulary = self.vocabulary();
        let a = Analysers {
            words: &self.word_analyzer,
            index: &self.index_analyzer,
        };
        let plan = understand::plan(text, &lexicon, &vocabulary, &a)?;
        let mut tokens = Vec::new();
        {
            let mut words = self.word_analyzer.clone();
            let mut stream = words.token_stream(&plan.normalized);
            while let Some(t) = stream.next() {
                if t.text.chars().any(char::is_alphanumeric) {
                    tokens.push(t.text.clone());
                }
            }
        }
        let parts: Vec<QueryPart> = plan
            .groups
            .iter()
            .map(|g| QueryPart {
                optional: g.optional,
                readings: g
                    .alternatives
                    .iter()
                    .map(|alt| Reading {
                        kind: match alt.origin {
                            Origin::Typed => ReadingKind::Typed,
                            Origin::Synonym => ReadingKind::Synonym,
                            Origin::Pinyin => ReadingKind::Pinyin,
                        },
                        words: alt.words.iter().map(|w| w.text.clone()).collect(),
                    })
                    .collect(),
            })
            .collect();
        let kept = |t: &str| {
            parts
                .iter()
                .any(|p| p.readings.iter().any(|r| r.words.iter().any(|w| w == t)))
        };
        let mut dropped: Vec<String> = Vec::new();
        for t in &tokens {
            if QUESTION_WORDS.contains(&t.as_str()) && !kept(t) && !dropped.contains(t) {
                dropped.push(t.clone());
            }
        }
        let (correction, correction_sure) =
            match understand::correct(&plan.normalized, &vocabulary, &a) {
                Some((fix, sure)) => (Some(fix), sure),
                None => (None, false),
            };
        Ok(QueryExplanation {
            normalized: plan.normalized,
            tokens,
            parts,
            dropped,
            correction,
            correction_sure,
        })
    }
}
