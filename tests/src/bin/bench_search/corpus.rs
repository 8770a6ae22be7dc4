//! The documents and queries every part uses, all derived from the laws corpus: articles
//! (regulations split at 第N条), generated documents recombining two real articles, and a
//! query mix of words taken from the laws' titles.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use govnode_content::import::{parse_line, to_docs};
use govnode_search::Document;

use crate::util::Rng;

/// One article of a regulation.
pub(crate) struct Article {
    /// The regulation's title.
    pub(crate) law: String,
    /// `law title 第N条`.
    pub(crate) title: String,
    /// The article's text.
    pub(crate) body: String,
    /// Region code of the issuing level.
    pub(crate) region: String,
    /// The region's name.
    pub(crate) issuer: String,
    /// Unix seconds of the regulation's date (0 if unknown).
    pub(crate) published: i64,
    /// `id#N`, as the import keys it.
    pub(crate) key: String,
}

/// The article corpus.
pub(crate) struct Corpus {
    /// Regulations read.
    pub(crate) laws: usize,
    /// Their articles, in corpus order.
    pub(crate) articles: Vec<Article>,
}

/// Reads the corpus and splits every regulation at its articles (the import's splitting).
pub(crate) fn load(path: &Path) -> Result<Corpus> {
    if !path.is_file() {
        bail!(
            "corpus not found: {} (pass --corpus PATH to a laws.jsonl)",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path).context("reading the corpus")?;
    let (mut laws, mut articles) = (0, Vec::new());
    for line in text.lines() {
        // The four records with an empty body have no articles either.
        let Ok(rec) = parse_line(line) else { continue };
        laws += 1;
        let region = rec.region.clone().unwrap_or_default();
        for d in to_docs(&rec, true)
            .into_iter()
            .filter(|d| d.parent_key.is_some())
        {
            articles.push(Article {
                law: rec.title.trim().to_string(),
                title: d.input.title,
                body: d.input.body,
                region: region.clone(),
                issuer: d.input.issuing_body,
                published: d.published_ms.unwrap_or(0) / 1000,
                key: d.key,
            });
        }
    }
    if articles.is_empty() {
        bail!("no articles in {}", path.display());
    }
    Ok(Corpus { laws, articles })
}

/// A search document with the fields a law's page would give it.
fn document(key: String, a: &Article, title: String, body: String) -> Document {
    Document {
        url: format!("/laws/{key}"),
        key,
        title,
        subtitle: String::new(),
        body_text: body,
        summary: String::new(),
        site: "laws".into(),
        site_name: "法律法规".into(),
        origin: a.region.clone(),
        doc_type: "law".into(),
        column: String::new(),
        issuing_body: a.issuer.clone(),
        doc_number: String::new(),
        index_number: String::new(),
        tags: Vec::new(),
        published: a.published,
    }
}

impl Corpus {
    /// Article `i` as a search document.
    pub(crate) fn article_doc(&self, i: usize) -> Document {
        let a = &self.articles[i];
        document(a.key.clone(), a, a.title.clone(), a.body.clone())
    }

    /// The two articles generated document `i` is made of: every article in turn, followed
    /// by another picked by a multiplicative stride, so pairs do not repeat.
    pub(crate) fn pair(&self, i: usize) -> (usize, usize) {
        let n = self.articles.len();
        let a = i % n;
        let b = (i.wrapping_mul(7919).wrapping_add(104_729)) % n;
        (a, if b == a { (b + 1) % n } else { b })
    }

    /// Generated document `i` (0-based): an article's text with another's appended, titled
    /// with the first article's law and a sequence number. Only real text, recombined.
    pub(crate) fn generated_doc(&self, i: usize) -> Document {
        let (a, b) = self.pair(i);
        let (first, second) = (&self.articles[a], &self.articles[b]);
        let title = format!("{} {}", first.law, i + 1);
        let body = format!("{}\n\n{}", first.body, second.body);
        document(format!("g{}", i + 1), first, title, body)
    }

    /// Title and body of generated document `i` (what the FTS5 table stores).
    pub(crate) fn generated_text(&self, i: usize) -> (String, String) {
        let d = self.generated_doc(i);
        (d.title, d.body_text)
    }
}

/// One query of the mix.
pub(crate) struct Query {
    /// Its words (1 or 2), each 2–4 characters.
    pub(crate) terms: Vec<String>,
}

impl Query {
    /// As typed into the search box.
    pub(crate) fn text(&self) -> String {
        self.terms.join(" ")
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The words of each title (jieba's dictionary, no HMM guesses), each title's words once.
fn title_words(jieba: &jieba_rs::Jieba, titles: &[&str]) -> Vec<Vec<String>> {
    titles
        .iter()
        .map(|t| {
            let mut words: Vec<String> = Vec::new();
            for tok in jieba.cut(t, false) {
                let w = tok.word;
                let len = w.chars().count();
                if (2..=4).contains(&len) && w.chars().all(is_han) && !words.iter().any(|x| x == w)
                {
                    words.push(w.to_string());
                }
            }
            words
        })
        .collect()
}

/// The query mix: `singles` one-word queries for each length 2, 3 and 4 (as many as there
/// are words), then `pairs` two-word queries whose words occur in one title. Words are
/// those of the laws' titles in 3 or more titles but not in more than 1 in 20 (条例, 办法,
/// 管理 say nothing alone), sorted so that the seeded sampling is the same on every run.
pub(crate) fn query_mix(corpus: &Corpus, singles: usize, pairs: usize) -> Vec<Query> {
    let mut titles: Vec<&str> = corpus.articles.iter().map(|a| a.law.as_str()).collect();
    titles.sort_unstable();
    titles.dedup();
    let jieba = jieba_rs::Jieba::new();
    let per_title = title_words(&jieba, &titles);
    let mut df: HashMap<&str, usize> = HashMap::new();
    for words in &per_title {
        for w in words {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let common = titles.len() / 20;
    let keep = |w: &str| df.get(w).is_some_and(|&n| n >= 3 && n <= common);
    let mut words: Vec<&str> = df.keys().copied().filter(|w| keep(w)).collect();
    words.sort_unstable();
    let mut rng = Rng::new(0x5EED_2026);
    let mut out = Vec::new();
    for len in 2..=4 {
        let mut pool: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| w.chars().count() == len)
            .collect();
        for _ in 0..singles.min(pool.len()) {
            let w = pool.swap_remove(rng.below(pool.len()));
            out.push(Query {
                terms: vec![w.to_string()],
            });
        }
    }
    let mut seen = HashSet::new();
    let mut tries = 0;
    while seen.len() < pairs && tries < pairs * 1000 {
        tries += 1;
        let inside: Vec<&String> = per_title[rng.below(per_title.len())]
            .iter()
            .filter(|w| keep(w))
            .collect();
        if inside.len() < 2 {
            continue;
        }
        let (i, j) = (rng.below(inside.len()), rng.below(inside.len()));
        // Two different words, in title order.
        let (a, b) = match i.cmp(&j) {
            std::cmp::Ordering::Less => (inside[i], inside[j]),
            std::cmp::Ordering::Greater => (inside[j], inside[i]),
            std::cmp::Ordering::Equal => continue,
        };
        if seen.insert((a.clone(), b.clone())) {
            out.push(Query {
                terms: vec![a.clone(), b.clone()],
            });
        }
    }
    out
}
