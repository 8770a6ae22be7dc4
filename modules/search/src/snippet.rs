//! Result snippets: the fragment (~120 characters) holding the most query words, with
//! whole query words marked.
//!
//! Fragments are chosen by string matching on the script-folded text: whole query words
//! weigh 1, sub-words of long query words 0.25 (so a fragment holding "社会保险费" is found
//! for the query "社会保险"). Highlighting then marks every occurrence of a whole query
//! word in that fragment with `<mark>…</mark>`; a lone sub-word (the "保险" of "养老保险"
//! for the query "社会保险") is not marked. Everything else is HTML-escaped.
//!
//! (tantivy's `SnippetGenerator` assumes tokens that do not overlap; the search-mode
//! segmentation emits a word and its sub-words, which made it cut or mis-mark fragments.)

use govnode_topology::markup::escape as escape_html;
use std::ops::Range;

use crate::query::QueryWord;
use crate::text::fold_script;

/// Snippet length, in characters.
const SNIPPET_CHARS: usize = 120;
/// Snippet length budget in bytes (CJK characters take three bytes).
const SNIPPET_BYTES: usize = SNIPPET_CHARS * 3;
/// Context kept before the first match of a fragment, in bytes.
const LEAD_BYTES: usize = 30;
/// Texts longer than this (in bytes) are cut to a window around the first match before
/// fragment selection, so a 100k-character body is not scanned for every hit.
const SNIPPET_SOURCE_BYTES: usize = 6_000;
/// Weight of a whole query word in fragment selection.
const WORD_WEIGHT: f32 = 1.0;
/// Weight of a sub-word of a long query word in fragment selection.
const PART_WEIGHT: f32 = 0.25;

/// Snippet generation for one query, shared by all its hits.
pub(crate) struct Snippets {
    /// Strings that make a fragment relevant, with their weights.
    terms: Vec<(String, f32)>,
    /// The whole query words (lowercased), the strings to mark.
    needles: Vec<String>,
}

impl Snippets {
    /// Prepares snippets for the query `words`.
    pub fn new(words: &[QueryWord]) -> Self {
        let mut terms: Vec<(String, f32)> = words
            .iter()
            .map(|w| (w.text.clone(), WORD_WEIGHT))
            .collect();
        for word in words {
            for (_, part) in &word.parts {
                if !terms.iter().any(|(t, _)| t == part) {
                    terms.push((part.clone(), PART_WEIGHT));
                }
            }
        }
        Self {
            terms,
            needles: words.iter().map(|w| w.text.clone()).collect(),
        }
    }

    /// Renders the snippet of the first text (e.g. body, summary, title) holding a match,
    /// or the escaped start of the first non-empty text.
    pub fn render(&self, texts: &[&str]) -> String {
        for text in texts {
            let window = self.window(text);
            if let Some(fragment) = self.fragment(window) {
                let marks = self.marks(fragment);
                if !marks.is_empty() {
                    return to_html(fragment, &marks);
                }
            }
        }
        let first = texts
            .iter()
            .map(|t| t.trim())
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        let mut out = escape_html(&first.chars().take(SNIPPET_CHARS).collect::<String>());
        if first.chars().nth(SNIPPET_CHARS).is_some() {
            out.push('…');
        }
        out
    }

    /// The fragment of `text` whose matches weigh most (the earliest among equals).
    fn fragment<'a>(&self, text: &'a str) -> Option<&'a str> {
        let folded = fold_script(text).to_ascii_lowercase();
        let mut hits: Vec<(usize, usize, f32)> = Vec::new();
        for (term, weight) in &self.terms {
            for (start, _) in folded.match_indices(term.as_str()) {
                hits.push((start, start + term.len(), *weight));
            }
        }
        hits.sort_by_key(|h| h.0);
        let mut best: Option<(f32, usize)> = None;
        for (i, &(start, _, _)) in hits.iter().enumerate() {
            let limit = start + SNIPPET_BYTES - LEAD_BYTES;
            let score: f32 = hits[i..]
                .iter()
                .take_while(|h| h.1 <= limit)
                .map(|h| h.2)
                .sum();
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, start));
            }
        }
        let (_, anchor) = best?;
        // A full-length fragment: near the end of the text, it starts earlier.
        let start = anchor
            .saturating_sub(LEAD_BYTES)
            .min(text.len().saturating_sub(SNIPPET_BYTES));
        let start = floor_char_boundary(text, start);
        let end = floor_char_boundary(text, start + SNIPPET_BYTES);
        Some(&text[start..end])
    }

    /// Cuts a long text to a window around the earliest query word it contains.
    fn window<'a>(&self, text: &'a str) -> &'a str {
        if text.len() <= SNIPPET_SOURCE_BYTES {
            return text;
        }
        // ASCII lowercasing keeps byte offsets; query words are already lowercased.
        let lower = text.to_ascii_lowercase();
        let Some(pos) = self
            .needles
            .iter()
            .filter_map(|n| lower.find(n.as_str()))
            .min()
        else {
            return text;
        };
        let start = floor_char_boundary(text, pos.saturating_sub(SNIPPET_SOURCE_BYTES / 4));
        let end = floor_char_boundary(text, start + SNIPPET_SOURCE_BYTES);
        &text[start..end]
    }

    /// Byte ranges of whole query words in `fragment`, sorted and merged.
    fn marks(&self, fragment: &str) -> Vec<Range<usize>> {
        let lower = fold_script(fragment).to_ascii_lowercase();
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for needle in &self.needles {
            for (start, _) in lower.match_indices(needle.as_str()) {
                let end = start + needle.len();
                if whole_latin_word(&lower, start, end) {
                    ranges.push(start..end);
                }
            }
        }
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        merged
    }
}

/// False when the match starts or ends inside a longer run of ASCII letters/digits
/// (so "12" is not marked inside "2012"); CJK matches are always accepted.
fn whole_latin_word(text: &str, start: usize, end: usize) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let cuts_before = alnum(first) && alnum(before);
    let cuts_after = alnum(last) && alnum(after);
    !cuts_before && !cuts_after
}

/// Renders `text` as escaped HTML with `marks` wrapped in `<mark>…</mark>`.
fn to_html(text: &str, marks: &[Range<usize>]) -> String {
    let mut html = String::with_capacity(text.len() + marks.len() * 13);
    let mut from = 0;
    for mark in marks {
        html.push_str(&escape_html(&text[from..mark.start]));
        html.push_str("<mark>");
        html.push_str(&escape_html(&text[mark.clone()]));
        html.push_str("</mark>");
        from = mark.end;
    }
    html.push_str(&escape_html(&text[from..]));
    html
}

/// The largest char boundary of `s` at or before `i`.
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{index_analyzer, word_analyzer};

    fn snippets(query: &str) -> Snippets {
        let (w, i) = (word_analyzer(), index_analyzer());
        let a = crate::understand::Analysers {
            words: &w,
            index: &i,
        };
        let plan = crate::understand::plan(
            query,
            &crate::Lexicon::default(),
            &crate::Vocabulary::default(),
            &a,
        )
        .unwrap();
        Snippets::new(&plan.all_words())
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn char_boundaries() {
        let s = "社会保险";
        assert_eq!(floor_char_boundary(s, 4), 3);
        assert_eq!(floor_char_boundary(s, 3), 3);
        assert_eq!(floor_char_boundary(s, 100), s.len());
    }

    #[test]
    fn only_whole_words_are_marked() {
        let s = snippets("社会保险");
        let html = s.render(&["国家建立基本养老保险等社会保险制度，缴纳社会保险费。"]);
        assert_eq!(
            html,
            "国家建立基本养老保险等<mark>社会保险</mark>制度，缴纳<mark>社会保险</mark>费。"
        );
        let html = snippets("人民共和国").render(&["中华人民共和国社会保险法"]);
        assert_eq!(html, "中华<mark>人民共和国</mark>社会保险法");
    }

    #[test]
    fn latin_words_respect_boundaries_and_case() {
        let html = snippets("covid 12").render(&["2012年 COVID-19 第12号"]);
        assert_eq!(html, "2012年 <mark>COVID</mark>-19 第<mark>12</mark>号");
    }

    #[test]
    fn fallback_is_escaped_and_cut() {
        let s = snippets("区块链");
        assert_eq!(s.render(&["", "  a<b  ", "标题"]), "a&lt;b");
        let long = "规".repeat(200);
        let html = s.render(&[&long]);
        assert_eq!(html.chars().count(), SNIPPET_CHARS + 1);
        assert!(html.ends_with('…'));
    }
}
