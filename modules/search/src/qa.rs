//! The Q&A assistant (智能问答): a citizen's question answered from what the node holds.
//!
//! The question is read like any query (question words dropped, colloquial phrases also
//! read as official terms, typos corrected) and searched twice: over the written Q&A
//! documents (问答), and over every document, because a question whose key words name a
//! published guide, policy, interpretation or law is answered by that document too, not
//! only by a Q&A written for it. Only answering kinds of document (问答, 办事指南, 政策解读,
//! 政策文件, 法律法规) can be *the* answer; news and notices are at most related.
//!
//! A document answers with confidence when its **title** holds every key word of the
//! question (every required part, in one of its readings): 0.7, up to 1.0 as it also holds
//! the question's optional words (办理, 补办…). A title holding only some key words, or a
//! document holding them only in its body, is related (at most 0.5). A written Q&A also
//! keeps the confidence of its relevance score (a title hit of all the question's words
//! scores well above 10), as before. Answers rank by confidence, then by kind (问答 first),
//! then by relevance.

use serde::Serialize;

use crate::text::normalize_query;
use crate::understand::{self, Analysers, Expansion, Plan};
use crate::{Hit, SearchError, SearchIndex, SearchQuery};

/// Confidence at or above which an answer is offered as the answer.
pub const QA_CONFIDENT: f64 = 0.6;
/// Answers given at most.
const ANSWERS: usize = 3;
/// Documents of every kind looked at.
const CANDIDATES: usize = 10;
/// Kinds of document that answer a question, best first.
const ANSWERING: [&str; 6] = ["qa", "guide", "interpretation", "policy", "law", "report"];

/// One answer: a document that answers (or relates to) the question.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QaHit {
    /// The document's title (a written Q&A's question).
    pub question: String,
    /// The passage that matched (HTML: text escaped, matches in `<mark>`).
    pub answer: String,
    /// Link to the document.
    pub url: String,
    /// Its site's id.
    pub site: String,
    /// Its site's name.
    pub site_name: String,
    /// The node it comes from.
    pub origin: String,
    /// Its document type code (qa, guide, policy…).
    pub doc_type: String,
    /// Its document type by name (问答, 办事指南, 政策文件…).
    pub type_label: String,
    /// 0–1: at least [`QA_CONFIDENT`] when it answers the question.
    pub confidence: f64,
}

/// The assistant's reply.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QaAnswer {
    /// The question as asked.
    pub q: String,
    /// The first answer answers the question.
    pub confident: bool,
    /// The best documents, best first (at most 3).
    pub answers: Vec<QaHit>,
    /// The question as corrected, when a typo was corrected.
    pub corrected: Option<String>,
    /// How parts of the question were also read.
    pub expansions: Vec<Expansion>,
}

/// How well `title` answers the question read as `plan`: 0.7–1.0 when it holds every
/// required part (more for more optional words), else at most 0.5.
fn title_confidence(plan: &Plan, title: &str) -> f64 {
    let title = normalize_query(title);
    let holds = |g: &understand::Group| {
        g.alternatives
            .iter()
            .any(|a| !a.words.is_empty() && a.words.iter().all(|w| title.contains(&w.text)))
    };
    let share = |optional: bool| {
        let groups: Vec<_> = plan
            .groups
            .iter()
            .filter(|g| g.optional == optional)
            .collect();
        if groups.is_empty() {
            return 1.0;
        }
        let held = groups.iter().filter(|g| holds(g)).count();
        held as f64 / groups.len() as f64
    };
    let (required, optional) = (share(false), share(true));
    if required >= 1.0 {
        0.7 + 0.3 * optional
    } else {
        0.5 * required
    }
}

/// The confidence a relevance score gives a written Q&A (the assistant's former measure).
fn score_confidence(score: f32) -> f64 {
    let s = f64::from(score.max(0.0));
    s / (s + 8.0)
}

fn rank_of(doc_type: &str) -> usize {
    ANSWERING
        .iter()
        .position(|t| *t == doc_type)
        .unwrap_or(ANSWERING.len())
}

impl SearchIndex {
    /// Answers `question` from the documents of this node's index (blocking: run it off
    /// the async threads).
    pub fn ask(&self, question: &str) -> Result<QaAnswer, SearchError> {
        let every = SearchQuery {
            text: question.to_string(),
            per_page: CANDIDATES,
            // An answer holds every word of the question; a partial match is no answer.
            strict: true,
            ..Default::default()
        };
        let written = SearchQuery {
            doc_type: Some("qa".into()),
            per_page: ANSWERS,
            ..every.clone()
        };
        let (every, written) = (self.search(&every)?, self.search(&written)?);
        let lexicon = self.lexicon();
        let vocabulary = self.vocabulary();
        let a = Analysers {
            words: &self.word_analyzer,
            index: &self.index_analyzer,
        };
        // The question's readings: as asked, and as corrected where a correction was searched.
        let mut readings = vec![understand::plan(question, &lexicon, &vocabulary, &a)?];
        for fix in [&written.corrected, &every.corrected].into_iter().flatten() {
            if let Ok(plan) = understand::plan(fix, &lexicon, &vocabulary, &a) {
                readings.push(plan);
            }
        }
        let mut hits: Vec<Hit> = written.hits;
        for h in every.hits {
            if !hits.iter().any(|k| k.key == h.key) {
                hits.push(h);
            }
        }
        let mut answers: Vec<(QaHit, f32)> = hits
            .into_iter()
            .map(|h| {
                let by_title = readings
                    .iter()
                    .map(|p| title_confidence(p, &h.title))
                    .fold(0.0, f64::max);
                let mut confidence = match h.doc_type.as_str() {
                    "qa" => by_title.max(score_confidence(h.score)),
                    _ => by_title,
                };
                if rank_of(&h.doc_type) == ANSWERING.len() {
                    confidence = confidence.min(0.5);
                }
                let hit = QaHit {
                    type_label: govnode_library::doc_type_label(&h.doc_type).to_string(),
                    question: h.title,
                    answer: h.snippet,
                    url: h.url,
                    site: h.site,
                    site_name: h.site_name,
                    origin: h.origin,
                    doc_type: h.doc_type,
                    confidence: (confidence * 100.0).round() / 100.0,
                };
                (hit, h.score)
            })
            .collect();
        answers.sort_by(|(a, sa), (b, sb)| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(rank_of(&a.doc_type).cmp(&rank_of(&b.doc_type)))
                .then(sb.total_cmp(sa))
        });
        answers.truncate(ANSWERS);
        let answers: Vec<QaHit> = answers.into_iter().map(|(h, _)| h).collect();
        Ok(QaAnswer {
            q: question.to_string(),
            confident: answers
                .first()
                .is_some_and(|a| a.confidence >= QA_CONFIDENT),
            answers,
            corrected: every.corrected.or(written.corrected),
            expansions: every.expansions,
        })
    }
}
