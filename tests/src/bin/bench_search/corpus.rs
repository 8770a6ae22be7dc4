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

/// Characters a word rarely starts or ends with in a title (关于…的决定, …和…).
const EDGE_STOP: &str = "的于和与及之在对为其等";

/// Words from the laws' titles: 2–4 character n-grams in 3+ titles that are "closed" (no
/// one-character extension on either side occurs in 60% of their titles, so `华人民共`,
/// always inside 中华人民共和国, is out while `社会保险` is in), without function characters
/// at their edges. Sorted, so the sampling below is the same on every run.
fn title_words(titles: &[Vec<char>]) -> Vec<String> {
    let mut df: HashMap<String, usize> = HashMap::new();
    for t in titles {
        let mut seen = HashSet::new();
        for run in t.split(|c| !is_han(*c)) {
            for n in 2..=5 {
                for w in run.windows(n) {
                    seen.insert(w.iter().collect::<String>());
                }
            }
        }
        for g in seen {
            *df.entry(g).or_default() += 1;
        }
    }
    let mut left: HashMap<String, usize> = HashMap::new();
    let mut right: HashMap<String, usize> = HashMap::new();
    for (g, &n) in &df {
        let chars: Vec<char> = g.chars().collect();
        if chars.len() < 3 {
            continue;
        }
        // `g` extends its suffix to the left and its prefix to the right.
        let suffix: String = chars[1..].iter().collect();
        let prefix: String = chars[..chars.len() - 1].iter().collect();
        let l = left.entry(suffix).or_default();
        *l = (*l).max(n);
        let r = right.entry(prefix).or_default();
        *r = (*r).max(n);
    }
    let mut words: Vec<String> = df
        .iter()
        .filter(|(g, n)| {
            let len = g.chars().count();
            let edges = [g.chars().next(), g.chars().last()];
            (2..=4).contains(&len)
                && **n >= 3
                && edges.iter().flatten().all(|c| !EDGE_STOP.contains(*c))
                && left.get(*g).copied().unwrap_or(0) * 10 < **n * 6
                && right.get(*g).copied().unwrap_or(0) * 10 < **n * 6
        })
        .map(|(g, _)| g.clone())
        .collect();
    words.sort();
    words
}

/// The query mix: `singles` one-word queries for each length 2, 3 and 4 (as many as there
/// are words), then `pairs` two-word queries whose words occur in one title.
pub(crate) fn query_mix(corpus: &Corpus, singles: usize, pairs: usize) -> Vec<Query> {
    let mut titles: Vec<&str> = corpus.articles.iter().map(|a| a.law.as_str()).collect();
    titles.dedup();
    let titles: Vec<Vec<char>> = titles.iter().map(|t| t.chars().collect()).collect();
    let words = title_words(&titles);
    let mut rng = Rng::new(0x5EED_2026);
    let mut out = Vec::new();
    for len in 2..=4 {
        let mut pool: Vec<&String> = words.iter().filter(|w| w.chars().count() == len).collect();
        for _ in 0..singles.min(pool.len()) {
            let w = pool.swap_remove(rng.below(pool.len()));
            out.push(Query {
                terms: vec![w.clone()],
            });
        }
    }
    let mut seen = HashSet::new();
    let mut tries = 0;
    while seen.len() < pairs && tries < pairs * 1000 {
        tries += 1;
        let title: String = titles[rng.below(titles.len())].iter().collect();
        let inside: Vec<&String> = words
            .iter()
            .filter(|w| title.contains(w.as_str()))
            .collect();
        if inside.len() < 2 {
            continue;
        }
        let (a, b) = (
            inside[rng.below(inside.len())],
            inside[rng.below(inside.len())],
        );
        // Two different words, neither inside the other, in title order.
        if a.contains(b.as_str()) || b.contains(a.as_str()) {
            continue;
        }
        let (a, b) = if title.find(a.as_str()) < title.find(b.as_str()) {
            (a, b)
        } else {
            (b, a)
        };
        if seen.insert((a.clone(), b.clone())) {
            out.push(Query {
                terms: vec![a.clone(), b.clone()],
            });
        }
    }
    out
}
