//! Turning user text into a tantivy query without any query syntax.
//!
//! The text is split into words with jieba's default (non-overlapping) mode. Every word must
//! match (AND); when that finds too little, [`relaxed_query`] asks only for most of them
//! (best match). Places the query names are preferences, not words to match. A word matches a document when, in any searched text field, either
//! - the word itself is an indexed term (the index uses jieba's search mode, which emits every
//!   word plus its in-dictionary 2- and 3-character sub-words), or
//! - for words of three or more characters, its sub-words occur contiguously, at the character
//!   offsets they have inside the word (a phrase query over character positions). This finds
//!   "社会保险" inside "社会保险费" and "人民共和国" inside "中华人民共和国", where the long word
//!   is not an indexed term of its own.
//!
//! In addition, the whole query (whitespace removed, lowercased) is matched verbatim against
//! `doc_number` and `index_number`, so an exact 发文字号 always finds its document.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::schema::{Fields, normalize_number, title_keys};
use crate::understand::{Group, Origin, Plan, is_question};

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// Boost of a verbatim document-number match.
const EXACT_NUMBER_BOOST: f32 = 5.0;

/// One word of the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryWord {
    /// The word as indexed (lowercased).
    pub text: String,
    /// Sub-words covering the whole word, with their character offsets (empty if none).
    pub parts: Vec<(usize, String)>,
}

/// Finds sub-words (as the index analyser emits them) that cover `word` without gaps.
pub(crate) fn cover(word: &str, index: &mut TextAnalyzer) -> Vec<(usize, String)> {
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

/// Score added to alternatives the user literally typed when the group also has pinyin
/// readings: far above any BM25 score, so a pinyin-only match never outranks a real one.
const TYPED_BONUS: f32 = 1000.0;
/// Boost of official terms found through the synonym dictionary.
const SYNONYM_BOOST: f32 = 0.8;
/// Boost of a query that is a document's whole title.
const TITLE_EXACT_BOOST: f32 = 10.0;
/// Boost of words read from pinyin.
const PINYIN_BOOST: f32 = 0.5;
/// Extra weight of a group found in a title, in a best-match query: a law whose title
/// names the subject is the likelier answer than one mentioning it in passing.
const RELAXED_TITLE_BOOST: f32 = 2.0;
/// Score of documents of a region the query names (by origin, title or issuing body): more
/// than a word's title match, since another region's rules do not apply there.
const PLACE_BONUS: f32 = 60.0;
/// Score of documents of the province of a city the query names (not added to the city's).
const PROVINCE_BONUS: f32 = 45.0;
/// Score of national documents when the query names a place: they apply there too.
const NATIONAL_BONUS: f32 = 40.0;
/// The first and last origin codes of provinces (GB/T 2260): below and above are national.
const FIRST_PROVINCE: &str = "110000";
const LAST_PROVINCE: &str = "829999";

/// Matches one word in any of `fields` (as a term, or as the phrase of its sub-words).
fn word_query(fields: &[(Field, f32)], word: &QueryWord) -> Box<dyn Query> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for &(field, boost) in fields {
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
    Box::new(BooleanQuery::new(should))
}

/// Every word of an alternative must match.
fn all_words(fields: &[(Field, f32)], words: &[QueryWord]) -> Box<dyn Query> {
    if let [one] = words {
        return word_query(fields, one);
    }
    Box::new(BooleanQuery::new(
        words
            .iter()
            .map(|w| (Occur::Must, word_query(fields, w)))
            .collect(),
    ))
}

/// One group in any of its alternatives, literal ones first.
fn group_query(fields: &[(Field, f32)], group: &Group) -> Box<dyn Query> {
    let has_pinyin = group
        .alternatives
        .iter()
        .any(|a| a.origin == Origin::Pinyin);
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for alt in &group.alternatives {
        let q = all_words(fields, &alt.words);
        let q = match alt.origin {
            Origin::Typed if has_pinyin => with_bonus(q, TYPED_BONUS),
            Origin::Typed => q,
            Origin::Synonym => boosted(q, SYNONYM_BOOST),
            Origin::Pinyin => boosted(q, PINYIN_BOOST),
        };
        should.push((Occur::Should, q));
    }
    if should.len() == 1 {
        return should
            .pop()
            .map(|(_, q)| q)
            .unwrap_or_else(|| Box::new(EmptyQuery));
    }
    Box::new(BooleanQuery::new(should))
}

/// A required bonus-carrying form of `query`: matches what it matches, scoring `bonus` more.
pub(crate) fn with_bonus(query: Box<dyn Query>, bonus: f32) -> Box<dyn Query> {
    let constant: Box<dyn Query> = Box::new(ConstScoreQuery::new(query.box_clone(), bonus));
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::Should, constant),
    ]))
}

/// Builds the scored full-text part of the query: every group must match, in any of its
/// alternatives; the whole query verbatim also matches document numbers.
pub(crate) fn text_query(fields: &Fields, plan: &Plan, raw: &str) -> Box<dyn Query> {
    let all = fields.text_fields();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(plan.groups.len());
    for group in &plan.groups {
        let occur = if group.optional {
            Occur::Should
        } else {
            Occur::Must
        };
        clauses.push((occur, group_query(&all, group)));
    }
    clauses.extend(preferences(fields, plan, raw));
    with_number(fields, Box::new(BooleanQuery::new(clauses)), raw)
}

/// The best-match form of the query, for when matching every group finds too little: at
/// least `min` of the required groups must match (optional ones only rank), a group found
/// in a title counts more. `None` when fewer than two groups are required: nothing to relax.
pub(crate) fn relaxed_query(
    fields: &Fields,
    plan: &Plan,
    raw: &str,
    min: usize,
) -> Option<Box<dyn Query>> {
    let all = fields.text_fields();
    let title = [(fields.title, 1.0)];
    let informative: Vec<&Group> = plan
        .groups
        .iter()
        .filter(|g| !g.optional && !is_question(g))
        .collect();
    if informative.len() < 2 {
        return None;
    }
    let core: Vec<(Occur, Box<dyn Query>)> = informative
        .iter()
        .map(|g| (Occur::Should, group_query(&all, g)))
        .collect();
    let min = min.clamp(1, informative.len());
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Must,
        Box::new(BooleanQuery::with_minimum_required_clauses(core, min)),
    )];
    for g in &informative {
        clauses.push((
            Occur::Should,
            boosted(group_query(&title, g), RELAXED_TITLE_BOOST),
        ));
    }
    for g in plan.groups.iter().filter(|g| g.optional) {
        clauses.push((Occur::Should, group_query(&all, g)));
    }
    clauses.extend(preferences(fields, plan, raw));
    Some(with_number(
        fields,
        Box::new(BooleanQuery::new(clauses)),
        raw,
    ))
}

/// What ranks without being required: the query as a whole title, the places it names.
fn preferences(fields: &Fields, plan: &Plan, raw: &str) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // A query that is a document's whole title ranks that document first.
    for key in title_keys(raw) {
        let term = TermQuery::new(
            Term::from_field_text(fields.title_exact, &key),
            IndexRecordOption::Basic,
        );
        out.push((Occur::Should, boosted(Box::new(term), TITLE_EXACT_BOOST)));
    }
    // Documents of a named region (its own or its subdivisions'), then of its province,
    // then national ones: another region's rules do not apply there.
    for place in &plan.places {
        // Its own documents: by origin, or titled or issued in its name.
        let (first, last) = place.span();
        let mut own: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, origins(fields, &first, &last))];
        for field in [fields.title, fields.issuing_body] {
            for form in place.forms() {
                let term =
                    TermQuery::new(Term::from_field_text(field, form), IndexRecordOption::Basic);
                own.push((Occur::Should, Box::new(term)));
            }
        }
        let own = Box::new(BooleanQuery::new(own));
        if place.is_province() {
            out.push((Occur::Should, bonus(own, PLACE_BONUS)));
        } else {
            // A city's documents are also its province's: the bonuses do not add up.
            out.push((Occur::Should, bonus(own, PLACE_BONUS - PROVINCE_BONUS)));
            let (first, last) = place.province_span();
            out.push((
                Occur::Should,
                bonus(origins(fields, &first, &last), PROVINCE_BONUS),
            ));
        }
    }
    if !plan.places.is_empty() {
        out.push((Occur::Should, bonus(national(fields), NATIONAL_BONUS)));
    }
    out
}

/// A constant score for what `query` matches.
fn bonus(query: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, score))
}

/// Documents whose origin lies between two codes (inclusive).
fn origins(fields: &Fields, first: &str, last: &str) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_text(fields.origin, first)),
        Bound::Included(Term::from_field_text(fields.origin, last)),
    ))
}

/// Documents of no province: origins outside the provinces' codes (11…82).
fn national(fields: &Fields) -> Box<dyn Query> {
    let below = RangeQuery::new(
        Bound::Unbounded,
        Bound::Excluded(Term::from_field_text(fields.origin, FIRST_PROVINCE)),
    );
    let above = RangeQuery::new(
        Bound::Excluded(Term::from_field_text(fields.origin, LAST_PROVINCE)),
        Bound::Unbounded,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, Box::new(below)),
        (Occur::Should, Box::new(above)),
    ]))
}

/// For a query naming places: documents that apply there (of the places' provinces, or
/// national), as an unscored filter. `None` when the query names no place.
pub(crate) fn home(fields: &Fields, plan: &Plan) -> Option<Box<dyn Query>> {
    if plan.places.is_empty() {
        return None;
    }
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, national(fields))];
    for place in &plan.places {
        let (first, last) = place.province_span();
        any.push((Occur::Should, origins(fields, &first, &last)));
    }
    Some(bonus(Box::new(BooleanQuery::new(any)), 0.0))
}

/// The words' query, or a verbatim document number.
fn with_number(fields: &Fields, words_query: Box<dyn Query>, raw: &str) -> Box<dyn Query> {
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
pub(crate) fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
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
    use crate::SearchError;
    use crate::lexicon::{Lexicon, Vocabulary};
    use crate::query::{MAX_QUERY_CHARS, QueryWord};
    use crate::schema::{index_analyzer, word_analyzer};
    use crate::understand::{Analysers, plan};

    fn words(text: &str) -> Result<Vec<QueryWord>, SearchError> {
        let (w, i) = (word_analyzer(), index_analyzer());
        let a = Analysers {
            words: &w,
            index: &i,
        };
        let p = plan(text, &Lexicon::default(), &Vocabulary::default(), &a)?;
        Ok(p.groups
            .into_iter()
            .flat_map(|g| g.alternatives[0].words.clone())
            .collect())
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
