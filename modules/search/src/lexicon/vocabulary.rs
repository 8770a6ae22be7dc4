//! The pinyin vocabulary: the index's own words (titles, tags, frequent body words) and
//! the dictionaries' terms, keyed by full pinyin and by initials.
//!
//! It turns a pinyin query ("shebaoka", "sbk") into the Chinese words it spells, and a
//! homophone typo (社报, 工积金) into the word that sounds the same and is common, and a
//! near-shape typo (义务教肓) into the common word one look-alike character away.

use std::collections::HashMap;

use pinyin::ToPinyinMulti;

use crate::text::all_han;

/// Readings of a word kept per key kind (heteronyms multiply them).
const MAX_READINGS: usize = 6;
/// Candidates kept per pinyin key, most frequent first.
const MAX_PER_KEY: usize = 8;

/// Words keyed by their pinyin.
#[derive(Debug, Default)]
pub struct Vocabulary {
    weights: HashMap<String, u32>,
    full: HashMap<String, Vec<(String, u32)>>,
    initials: HashMap<String, Vec<(String, u32)>>,
    longest_key: usize,
}

/// Full-pinyin spellings of a Han word (no tones; heteronyms give a few variants).
pub fn pinyin_keys(word: &str) -> Vec<String> {
    readings(word, false)
}

fn initials_keys(word: &str) -> Vec<String> {
    readings(word, true)
}

fn readings(word: &str, initials: bool) -> Vec<String> {
    let per_char: Vec<Vec<String>> = word
        .to_pinyin_multi()
        .map(|multi| {
            let mut v: Vec<String> = Vec::new();
            for p in multi.into_iter().flatten() {
                let s = if initials {
                    p.first_letter()
                } else {
                    p.plain()
                };
                // Keyboards type ü as v (lv, nv).
                let s = s.replace('ü', "v");
                if !v.contains(&s) {
                    v.push(s);
                }
            }
            v
        })
        .collect();
    if per_char.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    // The first reading of every character, then one character at a time varied.
    let first: Vec<&str> = per_char.iter().map(|v| v[0].as_str()).collect();
    let mut out = vec![first.concat()];
    for (i, options) in per_char.iter().enumerate() {
        for alt in options.iter().skip(1) {
            if out.len() >= MAX_READINGS {
                return out;
            }
            let mut variant = first.clone();
            variant[i] = alt.as_str();
            let s = variant.concat();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

impl Vocabulary {
    /// Builds the vocabulary from (word, weight) pairs; non-Han words are ignored and
    /// repeated words keep their highest weight.
    pub fn build(words: impl IntoIterator<Item = (String, u32)>) -> Self {
        let mut weights: HashMap<String, u32> = HashMap::new();
        for (w, n) in words {
            let len = w.chars().count();
            if !(1..=8).contains(&len) || !all_han(&w) {
                continue;
            }
            let e = weights.entry(w).or_insert(0);
            *e = (*e).max(n);
        }
        let mut full: HashMap<String, Vec<(String, u32)>> = HashMap::new();
        let mut initials: HashMap<String, Vec<(String, u32)>> = HashMap::new();
        for (w, &n) in &weights {
            for key in pinyin_keys(w) {
                full.entry(key).or_default().push((w.clone(), n));
            }
            if w.chars().count() >= 2 {
                for key in initials_keys(w) {
                    initials.entry(key).or_default().push((w.clone(), n));
                }
            }
        }
        for list in full.values_mut().chain(initials.values_mut()) {
            list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(MAX_PER_KEY);
        }
        let longest_key = full.keys().map(String::len).max().unwrap_or(0);
        Self {
            weights,
            full,
            initials,
            longest_key,
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// How common a word is (0 if unknown).
    pub fn weight(&self, word: &str) -> u32 {
        self.weights.get(word).copied().unwrap_or(0)
    }

    /// Words spelled by full pinyin, most common first.
    pub fn by_pinyin(&self, key: &str) -> &[(String, u32)] {
        self.full.get(key).map_or(&[], Vec::as_slice)
    }

    /// Words whose initials are `key`, most common first.
    pub fn by_initials(&self, key: &str) -> &[(String, u32)] {
        self.initials.get(key).map_or(&[], Vec::as_slice)
    }

    /// Reads a Latin string as pinyin: the whole string as one word (full pinyin, then
    /// initials), else split into the fewest known full-pinyin words. Returns the
    /// alternatives, each a sequence of words that must all match.
    pub fn from_pinyin(&self, latin: &str) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = self
            .by_pinyin(latin)
            .iter()
            .take(3)
            .map(|(w, _)| vec![w.clone()])
            .collect();
        if out.is_empty() && (2..=6).contains(&latin.len()) {
            out = self
                .by_initials(latin)
                .iter()
                .take(3)
                .map(|(w, _)| vec![w.clone()])
                .collect();
        }
        if out.is_empty()
            && let Some(split) = self.split_pinyin(latin)
        {
            out.push(split);
        }
        out
    }

    /// Splits a pinyin string into the fewest known words (dynamic programming over
    /// prefixes), taking the most common word for each piece.
    fn split_pinyin(&self, latin: &str) -> Option<Vec<String>> {
        if !latin.is_ascii() || latin.len() > 64 {
            return None;
        }
        let n = latin.len();
        // best[i]: fewest pieces covering latin[..i], with the piece start.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for end in 1..=n {
            for start in end.saturating_sub(self.longest_key)..end {
                let Some((count, _)) = best[start] else {
                    continue;
                };
                if self.full.contains_key(&latin[start..end])
                    && best[end].is_none_or(|(c, _)| count + 1 < c)
                {
                    best[end] = Some((count + 1, start));
                }
            }
        }
        let (pieces, _) = best[n]?;
        if pieces < 2 {
            return None;
        }
        let mut words = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, start) = best[end]?;
            words.push(self.by_pinyin(&latin[start..end]).first()?.0.clone());
            end = start;
        }
        words.reverse();
        Some(words)
    }

    /// The most common known word that sounds like `word` but is written differently,
    /// when it is clearly more common than `word` itself.
    pub fn homophone(&self, word: &str) -> Option<&str> {
        let own = self.weight(word);
        let len = word.chars().count();
        pinyin_keys(word)
            .iter()
            .flat_map(|k| self.by_pinyin(k))
            .filter(|(w, n)| w != word && w.chars().count() == len && *n > own.saturating_mul(4))
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(w, _)| w.as_str())
    }

    /// The common word this one becomes when one character is replaced by a look-alike
    /// (义务教肓 → 义务教育), if it is clearly more common than the word as typed.
    pub fn near_shape(&self, word: &str) -> Option<String> {
        let own = self.weight(word);
        let chars: Vec<char> = word.chars().collect();
        let mut best: Option<(String, u32)> = None;
        for (i, &c) in chars.iter().enumerate() {
            for &alike in super::shapes::look_alike(c) {
                let mut candidate = chars.clone();
                candidate[i] = alike;
                let candidate: String = candidate.into_iter().collect();
                let n = self.weight(&candidate);
                let better = best
                    .as_ref()
                    .is_none_or(|(w, m)| n > *m || (n == *m && candidate < *w));
                if n > own.saturating_mul(4) && better {
                    best = Some((candidate, n));
                }
            }
        }
        best.map(|(w, _)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::build(
            [
                ("社保卡", 50),
                ("社保", 300),
                ("公积金", 200),
                ("劳动", 100),
                ("合同", 120),
                ("户口", 80),
                ("迁移", 60),
                ("银行", 40),
                ("经典", 5),
                ("景点", 9),
            ]
            .map(|(w, n)| (w.to_string(), n)),
        )
    }

    #[test]
    fn pinyin_and_initials_find_words() {
        let v = vocab();
        assert_eq!(v.from_pinyin("shebaoka"), vec![vec!["社保卡".to_string()]]);
        assert_eq!(v.from_pinyin("gjj"), vec![vec!["公积金".to_string()]]);
        assert_eq!(
            v.from_pinyin("laodonghetong"),
            vec![vec!["劳动".to_string(), "合同".to_string()]]
        );
        assert_eq!(v.from_pinyin("yinhang")[0], vec!["银行".to_string()]);
        assert!(v.from_pinyin("xyzzy").is_empty());
    }

    #[test]
    fn homophones_correct_towards_common_words_only() {
        let v = vocab();
        assert_eq!(v.homophone("社报"), Some("社保"));
        assert_eq!(v.homophone("工积金"), Some("公积金"));
        assert_eq!(v.homophone("签移"), Some("迁移"));
        // Neither 景点 nor 经典 is corrected into the other: both are real words.
        assert_eq!(v.homophone("景点"), None);
        assert_eq!(v.homophone("经典"), None);
    }

    #[test]
    fn look_alike_characters_correct_towards_common_words_only() {
        let v = Vocabulary::build(
            [
                ("义务教育", 90),
                ("保险", 300),
                ("盲人", 3),
                ("已经", 50),
                ("自己", 60),
            ]
            .map(|(w, n)| (w.to_string(), n)),
        );
        assert_eq!(v.near_shape("义务教肓").as_deref(), Some("义务教育"));
        assert_eq!(v.near_shape("保脸").as_deref(), Some("保险"));
        // Real words stay: 已经 is not turned into anything, 自已 becomes 自己.
        assert_eq!(v.near_shape("已经"), None);
        assert_eq!(v.near_shape("自已").as_deref(), Some("自己"));
        // Two changes are not a near-shape typo.
        assert_eq!(v.near_shape("义务孝肓"), None);
    }
}
