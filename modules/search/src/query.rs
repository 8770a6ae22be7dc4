//! Turning user text into a tantivy query without any query syntax.
//!
//! The text is split into words with jieba's default (non-overlapping) mode. Every word must
//! match (AND). A word matches a document when, in any searched text field, either
//! - the word itself is an indexed term (the index uses jieba's search mode, which emits every
//!   word plus its in-dictionary 2- and 3-character sub-words), or
//! - for words of three or more characters, its sub-words occur contiguously, at the character
//!   offsets they have inside the word (a phrase query over character positions). This finds
//!   "社会保险" inside "社会保险费" and "人民共和国" inside "中华人民共和国", where the long word
//!   is not an indexed term of its own.
//!
//! In addition, the whole query (whitespace removed, lowercased) is matched verbatim against
//! `doc_number` and `index_number`, so an exact 发文字号 always finds its document.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::SearchError;
use crate::schema::{Fields, normalize_number};

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// Boost of a verbatim document-number match.
const EXACT_NUMBER_BOOST: f32 = 5.0;

/// Upper-case operator words of other search syntaxes, ignored rather than searched for.
const OPERATOR_WORDS: [&str; 3] = ["AND", "OR", "NOT"];

/// One word of the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryWord {
    /// The word as indexed (lowercased).
    pub text: String,
    /// Sub-words covering the whole word, with their character offsets (empty if none).
    pub parts: Vec<(usize, String)>,
}

/// Splits the user's text into query words.
pub(crate) fn analyse(
    text: &str,
    words: &TextAnalyzer,
    index: &TextAnalyzer,
) -> Result<Vec<QueryWord>, SearchError> {
    let text = text.trim();
    let len = text.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(SearchError::QueryTooLong { len });
    }
    let mut words = words.clone();
    let mut index = index.clone();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut stream = words.token_stream(text);
    while let Some(token) = stream.next() {
        if !token.text.chars().any(char::is_alphanumeric) {
            continue;
        }
        if OPERATOR_WORDS.contains(&&text[token.offset_from..token.offset_to]) {
            continue;
        }
        if seen.insert(token.text.clone()) {
            let parts = cover(&token.text, &mut index);
            out.push(QueryWord {
                text: token.text.clone(),
                parts,
            });
        }
    }
    if out.is_empty() {
        return Err(SearchError::EmptyQuery);
    }
    Ok(out)
}

/// Finds sub-words (as the index analyser emits them) that cover `word` without gaps.
fn cover(word: &str, index: &mut TextAnalyzer) -> Vec<(usize, String)> {
    let word_len = word.chars().count();
    if word_len < 3 {
        return Vec::new();
    }
    let mut subs: Vec<(usize, usize, String)> = Vec::new();
    let mut stream = index.token_stream(word);
    while let Some(token) = stream.next() {
        if token.text != word {
            let start = word[..token.offset_from].chars().count();
            subs.push((start, token.text.chars().count(), token.text.clone()));
        }
    }
    subs.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut parts = Vec::new();
    let mut covered = 0;
    for (start, len, text) in subs {
        if start > covered {
            return Vec::new(); // a gap: the sub-words do not spell the word
        }
        if start + len > covered {
            covered = start + len;
            parts.push((start, text));
        }
    }
    if covered < word_len || parts.len() < 2 {
        return Vec::new();
    }
    parts
}

/// Builds the scored full-text part of the query.
pub(crate) fn text_query(fields: &Fields, words: &[QueryWord], raw: &str) -> Box<dyn Query> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len());
    for word in words {
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in fields.text_fields() {
            let term = TermQuery::new(
                Term::from_field_text(field, &word.text),
                IndexRecordOption::WithFreqs,
            );
            should.push((Occur::Should, boosted(Box::new(term), boost)));
            if !word.parts.is_empty() {
                let terms = word
                    .parts
                    .iter()
                    .map(|(offset, part)| (*offset, Term::from_field_text(field, part)))
                    .collect();
                let phrase = PhraseQuery::new_with_offset(terms);
                should.push((Occur::Should, boosted(Box::new(phrase), boost)));
            }
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
    }
    let words_query: Box<dyn Query> = Box::new(BooleanQuery::new(must));
    let exact = normalize_number(raw);
    if exact.is_empty() {
        return words_query;
    }
    let exact_query = TermQuery::new(
        Term::from_field_text(fields.numbers_exact, &exact),
        IndexRecordOption::Basic,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, words_query),
        (
            Occur::Should,
            boosted(Box::new(exact_query), EXACT_NUMBER_BOOST),
        ),
    ]))
}

/// Wraps a query in a boost unless the boost is 1.
fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// An unscored exact-match filter on a raw string field.
pub(crate) fn filter(field: Field, value: &str) -> Box<dyn Query> {
    let term = TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    );
    Box::new(ConstScoreQuery::new(Box::new(term), 0.0))
}

/// A filter matching any of `values` in `field` (none when `values` is empty).
pub(crate) fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| (Occur::Should, filter(field, v)))
        .collect();
    if clauses.is_empty() {
        return Box::new(tantivy::query::EmptyQuery);
    }
    Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        0.0,
    ))
}

/// Combines the text query with filters (all required).
pub(crate) fn with_filters(text: &dyn Query, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return text.box_clone();
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
    clauses.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{index_analyzer, word_analyzer};

    fn words(text: &str) -> Result<Vec<QueryWord>, SearchError> {
        analyse(text, &word_analyzer(), &index_analyzer())
    }

    #[test]
    fn punctuation_and_operators_are_dropped() {
        let w = words("“社会保险” AND (待遇):").unwrap();
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["社会保险", "待遇"]);
    }

    #[test]
    fn long_words_get_a_covering_phrase() {
        let w = words("中华人民共和国").unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].text, "中华人民共和国");
        let parts = &w[0].parts;
        assert!(parts.len() >= 2, "{parts:?}");
        assert_eq!(parts[0].0, 0);
        let (last_off, last) = parts.last().unwrap();
        assert_eq!(last_off + last.chars().count(), 7, "{parts:?}");
    }

    #[test]
    fn short_words_have_no_parts_and_latin_is_lowercased() {
        let w = words("COVID 社保").unwrap();
        assert_eq!(w[0].text, "covid");
        assert!(w.iter().all(|w| w.parts.is_empty()));
    }

    #[test]
    fn empty_and_too_long() {
        assert!(matches!(words(""), Err(SearchError::EmptyQuery)));
        assert!(matches!(words(" \t　"), Err(SearchError::EmptyQuery)));
        assert!(matches!(
            words("，。！？（）《》"),
            Err(SearchError::EmptyQuery)
        ));
        let long = "社".repeat(MAX_QUERY_CHARS + 1);
        assert!(matches!(
            words(&long),
            Err(SearchError::QueryTooLong { len }) if len == MAX_QUERY_CHARS + 1
        ));
        assert!(words(&"社".repeat(MAX_QUERY_CHARS)).is_ok());
    }
}
