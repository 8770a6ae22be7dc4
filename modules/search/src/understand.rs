//! Query understanding: what the citizen typed becomes groups of alternatives.
//!
//! Every group must match; within a group any alternative may. A group is one query word
//! (exactly as typed), a colloquial phrase (as typed, or any of its official terms), or a
//! Latin word (as typed, or the Chinese words its pinyin or initials spell). Alternatives
//! that are not what the user literally typed are marked, so the query can rank literal
//! matches first: a pinyin-only match never outranks a real one.

use tantivy::tokenizer::TextAnalyzer;

use crate::SearchError;
use crate::lexicon::{Lexicon, Vocabulary};
use crate::places::{self, Place};
use crate::query::{QueryWord, cover};
use crate::text::{all_han, normalize_query};

/// How an alternative relates to what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The words as typed.
    Typed,
    /// Official terms of a colloquial phrase.
    Synonym,
    /// Chinese words a Latin word spells in pinyin or initials.
    Pinyin,
}

/// One way to satisfy a group: all its words must match.
#[derive(Debug, Clone)]
pub(crate) struct Alternative {
    pub words: Vec<QueryWord>,
    pub origin: Origin,
}

/// A part of the query that must match, in one of several ways.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub alternatives: Vec<Alternative>,
    /// A generic word of a question (条件, 手续, 流程…): it ranks, but is not required.
    pub optional: bool,
}

/// Words of citizens' questions that carry no subject (怎么, 需要, 吗…): dropped unless
/// the query has nothing else.
pub(crate) const QUESTION_WORDS: &[&str] = &[
    "怎么",
    "怎么办",
    "怎样",
    "如何",
    "什么",
    "哪些",
    "哪里",
    "哪儿",
    "哪个",
    "多少",
    "几天",
    "多久",
    "为什么",
    "是否",
    "是不是",
    "有没有",
    "能不能",
    "能否",
    "可不可以",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "了",
    "的",
    "地",
    "得",
    "我",
    "我们",
    "我想",
    "想",
    "请问",
    "请",
    "要",
    "需要",
    "可以",
    "能",
    "有",
    "是",
    "去",
    "在",
    "该",
    "应该",
    "谁",
    "几",
    "个",
    "办",
    "咋",
    "咋办",
    "一下",
    "到底",
    "还",
    "都",
    "和",
    "与",
    "及",
    "或",
    // Filler of spoken questions.
    "被",
    "给",
    "我的",
    "自己",
    "他们",
    "你们",
    "已经",
    "一直",
    "现在",
    "还是",
    "就是",
    "这个",
    "那个",
    "这样",
    "怎么样",
    "咋样",
    "咋整",
    "怎么弄",
    "可以吗",
    "行不行",
    "算不算",
    "管不管",
];

/// Generic words of service questions: they rank, but are not required.
const GENERIC_WORDS: &[&str] = &[
    "条件",
    "手续",
    "规定",
    "流程",
    "办理",
    "申请",
    "材料",
    "标准",
    "政策",
    "规则",
    "程序",
    "问题",
    "补办",
    "领取",
    "查询",
    "处罚",
    "赔偿",
    "费用",
    "补偿",
    "要求",
    "时间",
    "地点",
    "多少钱",
    "怎么领",
    "怎么算",
    "计算",
    "步骤",
    "网上",
    "在哪",
    "咨询",
];

/// How a part of the query was read, reported to the caller.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expansion {
    /// What was typed.
    pub from: String,
    /// What it was also searched as.
    pub to: Vec<String>,
    /// "synonym" or "pinyin".
    pub kind: String,
}

/// The understood query.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub groups: Vec<Group>,
    /// Regions the query names: preferred, not required (their groups are optional).
    pub places: Vec<Place>,
    pub expansions: Vec<Expansion>,
    /// The normalised text (folded script, half-width, lowercased).
    pub normalized: String,
}

impl Plan {
    /// Every word of every alternative (for highlighting).
    pub fn all_words(&self) -> Vec<QueryWord> {
        let mut out: Vec<QueryWord> = Vec::new();
        for g in &self.groups {
            for a in &g.alternatives {
                for w in &a.words {
                    if !out.iter().any(|o| o.text == w.text) {
                        out.push(w.clone());
                    }
                }
            }
        }
        out
    }
}

/// Whether a group is only a question word (kept when the query has nothing else).
pub(crate) fn is_question(g: &Group) -> bool {
    g.alternatives.len() == 1
        && matches!(&g.alternatives[0].words[..], [w] if QUESTION_WORDS.contains(&w.text.as_str()))
}

/// The analysers a plan is made with.
pub(crate) struct Analysers<'a> {
    pub words: &'a TextAnalyzer,
    pub index: &'a TextAnalyzer,
}

/// Upper-case operator words of other search syntaxes, ignored rather than searched for.
const OPERATOR_WORDS: [&str; 3] = ["and", "or", "not"];

/// Splits text into query words (punctuation dropped, duplicates removed).
fn words_of(text: &str, a: &Analysers<'_>, skip_operators: bool) -> Vec<QueryWord> {
    let mut words = a.words.clone();
    let mut index = a.index.clone();
    let mut out: Vec<QueryWord> = Vec::new();
    let mut stream = words.token_stream(text);
    while let Some(token) = stream.next() {
        if !token.text.chars().any(char::is_alphanumeric) {
            continue;
        }
        if skip_operators && OPERATOR_WORDS.contains(&token.text.as_str()) {
            continue;
        }
        if !out.iter().any(|w| w.text == token.text) {
            out.push(QueryWord {
                text: token.text.clone(),
                parts: cover(&token.text, &mut index),
            });
        }
    }
    out
}

/// Whether a colloquial phrase starting at a byte offset would split a word of the query
/// and leave a fragment that carries meaning: 取公积金 read out of 提取公积金 leaves 提 of
/// 提取, so the phrase is not read there (公积金 still is); 交公积金 out of 要交公积金 leaves
/// only a question word, so it is.
fn word_splits<'t>(text: &'t str, a: &Analysers<'_>) -> impl Fn(usize) -> bool + 't {
    let mut words = a.words.clone();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut stream = words.token_stream(text);
    while let Some(token) = stream.next() {
        spans.push((token.offset_from, token.offset_to));
    }
    move |at| {
        spans
            .iter()
            .any(|&(from, to)| from < at && at < to && !QUESTION_WORDS.contains(&&text[from..at]))
    }
}

/// Understands `text`. `raw_operators` lists upper-case operator words found in the raw
/// text, so only those (not the pinyin "or", say) are dropped.
pub(crate) fn plan(
    text: &str,
    lexicon: &Lexicon,
    vocabulary: &Vocabulary,
    a: &Analysers<'_>,
) -> Result<Plan, SearchError> {
    let len = text.trim().chars().count();
    if len > crate::query::MAX_QUERY_CHARS {
        return Err(SearchError::QueryTooLong { len });
    }
    let has_operators = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| ["AND", "OR", "NOT"].contains(&w));
    let normalized = normalize_query(text).trim().to_string();
    let mut groups: Vec<Group> = Vec::new();
    let mut expansions = Vec::new();
    let mut rest = normalized.clone();
    let phrases = {
        let splits_a_word = word_splits(&normalized, a);
        lexicon.find(&normalized, |at| !splits_a_word(at))
    };
    for (start, end, officials) in phrases {
        let phrase = &normalized[start..end];
        let mut alternatives = vec![Alternative {
            words: words_of(phrase, a, false),
            origin: Origin::Typed,
        }];
        for term in officials {
            alternatives.push(Alternative {
                words: words_of(term, a, false),
                origin: Origin::Synonym,
            });
        }
        alternatives.retain(|alt| !alt.words.is_empty());
        expansions.push(Expansion {
            from: phrase.to_string(),
            to: officials.to_vec(),
            kind: "synonym".into(),
        });
        groups.push(Group {
            alternatives,
            optional: false,
        });
        rest.replace_range(start..end, &" ".repeat(end - start));
    }
    let mut found_places: Vec<Place> = Vec::new();
    for word in words_of(&rest, a, has_operators) {
        let mut alternatives = vec![Alternative {
            words: vec![word.clone()],
            origin: Origin::Typed,
        }];
        if word.text.len() >= 2 && word.text.chars().all(|c| c.is_ascii_lowercase()) {
            let spelled = vocabulary.from_pinyin(&word.text);
            if !spelled.is_empty() {
                expansions.push(Expansion {
                    from: word.text.clone(),
                    to: spelled.iter().map(|w| w.concat()).collect(),
                    kind: "pinyin".into(),
                });
            }
            for chinese in spelled {
                let joined = chinese.concat();
                alternatives.push(Alternative {
                    words: chinese.iter().flat_map(|w| words_of(w, a, false)).collect(),
                    origin: Origin::Pinyin,
                });
                if let Some(officials) = lexicon.official(&joined) {
                    for term in officials {
                        alternatives.push(Alternative {
                            words: words_of(term, a, false),
                            origin: Origin::Pinyin,
                        });
                    }
                }
            }
            alternatives.retain(|alt| !alt.words.is_empty());
        }
        // Generic words, and single characters (赔, 领, 带) that rarely carry the subject.
        let single_han = word.text.chars().count() == 1 && all_han(&word.text);
        let place = (alternatives.len() == 1)
            .then(|| places::lookup(&word.text))
            .flatten();
        let optional = alternatives.len() == 1
            && (single_han || place.is_some() || GENERIC_WORDS.contains(&word.text.as_str()));
        if let Some(place) = place
            && !found_places.contains(&place)
        {
            found_places.push(place);
        }
        groups.push(Group {
            alternatives,
            optional,
        });
    }
    // Question words go when something else is left; generic words stay required when
    // nothing else is.
    if groups.iter().any(|g| !is_question(g)) {
        groups.retain(|g| !is_question(g));
    }
    if groups.iter().all(|g| g.optional) {
        groups.iter_mut().for_each(|g| g.optional = false);
    }
    if groups.is_empty() {
        return Err(SearchError::EmptyQuery);
    }
    Ok(Plan {
        groups,
        places: found_places,
        expansions,
        normalized,
    })
}

/// Proposes a correction of typos: spans of the query made of words the vocabulary does
/// not know (or single characters) are replaced by a common word that sounds the same
/// (社报 → 社保, 工积金 → 公积金, 户口签移 → 户口迁移) or, failing that, one that is a
/// look-alike character away (义务教肓法 → 义务教育法, 保脸 → 保险). The flag says
/// whether every replaced span is unknown to the index (a sure typo) rather than rare.
pub(crate) fn correct(
    normalized: &str,
    vocabulary: &Vocabulary,
    a: &Analysers<'_>,
) -> Option<(String, bool)> {
    let mut words = a.words.clone();
    let mut tokens: Vec<(usize, usize, String)> = Vec::new();
    let mut stream = words.token_stream(normalized);
    while let Some(t) = stream.next() {
        tokens.push((t.offset_from, t.offset_to, t.text.clone()));
    }
    let unknown = |w: &str| w.chars().count() == 1 || vocabulary.weight(w) == 0;
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    let mut sure = true;
    let mut i = 0;
    while i < tokens.len() {
        // The longest window starting here that holds an unknown word and has a homophone.
        let mut found = None;
        for j in (i..tokens.len().min(i + 4)).rev() {
            let window = &tokens[i..=j];
            let contiguous = window.windows(2).all(|p| p[0].1 == p[1].0);
            let text = &normalized[window[0].0..window[window.len() - 1].1];
            let chars = text.chars().count();
            if !contiguous || !(2..=6).contains(&chars) || !all_han(text) {
                continue;
            }
            if !window.iter().any(|t| unknown(&t.2)) {
                continue;
            }
            if let Some(fix) = vocabulary
                .homophone(text)
                .map(str::to_string)
                .or_else(|| vocabulary.near_shape(text))
            {
                found = Some((j, window[0].0, window[window.len() - 1].1, fix));
                break;
            }
        }
        match found {
            Some((j, start, end, fix)) => {
                sure &= vocabulary.weight(&normalized[start..end]) == 0;
                out.push_str(&normalized[copied..start]);
                out.push_str(&fix);
                copied = end;
                changed = true;
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out.push_str(&normalized[copied..]);
    changed.then_some((out, sure))
}
