//! The Chinese tokenizer: jieba with the platform dictionary, over script-folded text.
//!
//! tantivy-jieba's tokenizer clones its `Jieba` with every analyser clone (several MB per
//! query); this one shares a single dictionary behind an `Arc` and folds traditional
//! characters first, so both scripts index and query as the same terms.

use std::sync::{Arc, OnceLock};

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The platform dictionary of government terms (jieba user-dictionary format).
pub const PLATFORM_DICT: &str = include_str!("../dict/platform.txt");

/// The shared jieba instance: jieba's own dictionary, the platform dictionary and the
/// terms of the starting synonym dictionary. Built once per process (~0.2 s).
pub(crate) fn jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA
        .get_or_init(|| {
            let mut jieba = Jieba::new();
            for (word, freq) in platform_words() {
                jieba.add_word(word, Some(freq), None);
            }
            for s in crate::lexicon::builtin_synonyms() {
                for w in std::iter::once(&s.colloquial).chain(&s.official) {
                    if w.chars().count() >= 2 && jieba.suggest_freq(w) < 100 {
                        jieba.add_word(w, Some(200), None);
                    }
                }
            }
            Arc::new(jieba)
        })
        .clone()
}

/// Words of the platform dictionary with their frequencies (comments and bad lines skipped).
pub(crate) fn platform_words() -> impl Iterator<Item = (&'static str, usize)> {
    PLATFORM_DICT.lines().filter_map(|line| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let mut parts = line.split_whitespace();
        let word = parts.next()?;
        let freq = parts.next().and_then(|f| f.parse().ok()).unwrap_or(1000);
        Some((word, freq))
    })
}

/// Segments folded text with the shared jieba; search mode also emits sub-words.
#[derive(Clone)]
pub(crate) struct ChineseTokenizer {
    jieba: Arc<Jieba>,
    search_mode: bool,
}

impl ChineseTokenizer {
    /// A tokenizer in search mode (indexing) or default mode (splitting queries).
    pub(crate) fn new(search_mode: bool) -> Self {
        Self {
            jieba: jieba(),
            search_mode,
        }
    }
}

/// Tokens of one text, computed eagerly.
pub(crate) struct ChineseTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream {
        let folded = crate::text::fold_script(text);
        let mode = if self.search_mode {
            TokenizeMode::Search
        } else {
            TokenizeMode::Default
        };
        let base = folded.as_ptr() as usize;
        let mut tokens: Vec<Token> = self
            .jieba
            .tokenize(&folded, mode, true)
            .into_iter()
            .filter(|t| !t.word.trim().is_empty())
            .map(|t| {
                let from = t.word.as_ptr() as usize - base;
                Token {
                    offset_from: from,
                    offset_to: from + t.word.len(),
                    position: t.start,
                    position_length: t.end - t.start,
                    text: t.word.to_string(),
                }
            })
            .collect();
        // Search mode emits a word's sub-words before the word itself; consumers (snippet
        // fragments, position deltas) expect tokens in text order, longest first.
        tokens.sort_by(|a, b| {
            a.offset_from
                .cmp(&b.offset_from)
                .then(b.offset_to.cmp(&a.offset_to))
        });
        ChineseTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for ChineseTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, search: bool) -> Vec<String> {
        let mut t = ChineseTokenizer::new(search);
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn platform_terms_stay_whole_and_traditional_folds() {
        assert!(words("办理社保卡", false).contains(&"社保卡".to_string()));
        assert!(
            words("住房公積金", false).contains(&"公积金".to_string())
                || words("住房公積金", false).contains(&"住房公积金".to_string())
        );
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "勞動 合同";
        let mut t = ChineseTokenizer::new(false);
        let mut s = t.token_stream(text);
        while s.advance() {
            let tok = s.token();
            assert!(text.is_char_boundary(tok.offset_from) && text.is_char_boundary(tok.offset_to));
        }
    }
}
