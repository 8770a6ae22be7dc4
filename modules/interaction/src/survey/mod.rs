//! Surveys and opinion solicitations (征集调查).
//!
//! A government body asks the public: a survey belongs to one site, has single-choice,
//! multiple-choice and free-text questions, opens and closes at fixed times, and takes one
//! response per respondent. Respondents are citizens without accounts: each carries a
//! signed cookie ([`CookieSigner`]), and the store keeps only a hash of (survey, cookie id),
//! never the cookie or the client's address. Results are counts per option and the number
//! of text answers (the texts may hold personal data: only staff read them); they become
//! public when the survey closes, drawn as server-rendered SVG bar charts ([`bar_chart`]),
//! together with the body's feedback on what it adopted.

/// The columns a [`Survey`] is read from, for `concat!` (sqlx takes static SQL only).
macro_rules! columns {
    () => {
        "id, site_id, title, description, body, opens_ms, closes_ms, questions, \
         feedback, feedback_ms, created_ms, created_by, responses, draft"
    };
}

mod chart;
mod drafts;
mod form;
mod input;
mod respondent;
mod store;
mod view;
mod zh;

pub use chart::{bar_chart, value_chart};
pub use form::answers_from_form;
#[cfg(feature = "openapi")]
pub use input::question_rule;
pub use input::{Question, QuestionKind, SurveyInput};
pub use respondent::{COOKIE_NAME, CookieSigner, client_bucket, find_cookie, respondent_key};
pub use store::{Admission, OptionResult, QuestionResult, Results, Surveys, TextAnswer};
pub use view::paragraphs;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 100;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 5000;
/// Longest name of the body running the survey.
pub const MAX_BODY: usize = 100;
/// Most questions in one survey.
pub const MAX_QUESTIONS: usize = 30;
/// Longest question text.
pub const MAX_QUESTION_TEXT: usize = 500;
/// Fewest and most options of a choice question.
pub const OPTIONS: (usize, usize) = (2, 20);
/// Longest option label.
pub const MAX_OPTION: usize = 200;
/// Longest text answer.
pub const MAX_TEXT_ANSWER: usize = 2000;
/// Longest feedback.
pub const MAX_FEEDBACK: usize = 10_000;

/// Errors of the survey store; the node maps each to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    /// Bad input in a named field (400).
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field, e.g. `questions[2].options`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A bad answer to one question (400).
    #[error("answers[{index}]: {}", problem.message())]
    Answer {
        /// The question's index (from 0).
        index: usize,
        /// What is wrong.
        problem: AnswerProblem,
    },
    /// No such survey (404).
    #[error("{0} not found")]
    NotFound(String),
    /// Conflicts with the current state: a second response, feedback while open (409).
    #[error("{0}")]
    Conflict(String),
    /// Refused by the survey's dates: not open for responses, results not yet public (403).
    #[error("{0}")]
    Refused(String),
    /// A stored survey could not be read back (500).
    #[error("stored survey is unreadable: {0}")]
    Stored(String),
    /// Database failure (500).
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> SurveyError {
    SurveyError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// What is wrong with one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerProblem {
    /// A required question was skipped.
    Required,
    /// A single-choice answer is not one option index.
    NotAnIndex,
    /// A multiple-choice answer is not a list of option indices.
    NotAList,
    /// A text answer is not a string.
    NotText,
    /// An option index past the last option.
    OutOfRange {
        /// The number of options.
        options: usize,
    },
    /// The same option twice in a multiple-choice answer.
    Duplicate,
    /// A text answer longer than [`MAX_TEXT_ANSWER`].
    TooLong,
}

impl AnswerProblem {
    /// The API's message (English).
    pub fn message(&self) -> String {
        match self {
            AnswerProblem::Required => "this question is required".into(),
            AnswerProblem::NotAnIndex => "a single-choice answer is one option index".into(),
            AnswerProblem::NotAList => {
                "a multiple-choice answer is a list of option indices".into()
            }
            AnswerProblem::NotText => "a text answer is a string".into(),
            AnswerProblem::OutOfRange { options } => {
                format!("option indices run from 0 to {}", options.saturating_sub(1))
            }
            AnswerProblem::Duplicate => "each option may be chosen once".into(),
            AnswerProblem::TooLong => format!("at most {MAX_TEXT_ANSWER} characters"),
        }
    }

    /// The page's message (Chinese, for citizens).
    pub fn message_zh(&self) -> String {
        match self {
            AnswerProblem::Required => "此题为必答题，请作答".into(),
            AnswerProblem::NotAnIndex | AnswerProblem::OutOfRange { .. } => {
                "请选择一个有效的选项".into()
            }
            AnswerProblem::NotAList | AnswerProblem::Duplicate => {
                "请选择有效的选项，每个选项只能选一次".into()
            }
            AnswerProblem::NotText => "请填写文字".into(),
            AnswerProblem::TooLong => format!("回答不能超过 {MAX_TEXT_ANSWER} 字"),
        }
    }
}

/// Where a survey stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SurveyStatus))]
pub enum Status {
    /// Not open yet.
    Upcoming,
    /// Taking responses.
    Open,
    /// Closed: results public.
    Closed,
}

/// A survey.
#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    /// Id.
    pub id: i64,
    /// The site it belongs to.
    pub site: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The government body running it.
    pub body: String,
    /// Opens (unix ms).
    pub opens_at: i64,
    /// Closes (unix ms).
    pub closes_at: i64,
    /// The questions.
    pub questions: Vec<Question>,
    /// The body's feedback on what it adopted (after closing).
    pub feedback: Option<String>,
    /// When the feedback was last set.
    pub feedback_ms: Option<i64>,
    /// Created (unix ms).
    pub created_ms: i64,
    /// Who created it (staff name).
    pub created_by: String,
    /// Number of responses.
    pub responses: i64,
    /// A draft (草稿) prepared in the console: hidden from citizens until published.
    pub draft: bool,
}

impl Survey {
    /// Where it stands at `now_ms`.
    pub fn status(&self, now_ms: i64) -> Status {
        if now_ms < self.opens_at {
            Status::Upcoming
        } else if now_ms < self.closes_at {
            Status::Open
        } else {
            Status::Closed
        }
    }
}

/// A checked answer, stored as JSON: null, an index, a list of indices, a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// Not answered.
    Skipped,
    /// The chosen option.
    Single(usize),
    /// The chosen options.
    Multiple(Vec<usize>),
    /// The text.
    Text(String),
}

/// Checks answers against the questions: one per question (null for a skipped one),
/// an index for single choice, a list of distinct indices for multiple, a string for text.
pub fn check_answers(
    questions: &[Question],
    answers: &[Value],
) -> Result<Vec<Answer>, SurveyError> {
    if answers.len() != questions.len() {
        return Err(invalid(
            "answers",
            format!(
                "expected {} answers, one per question (null for a skipped one), got {}",
                questions.len(),
                answers.len()
            ),
        ));
    }
    questions
        .iter()
        .zip(answers)
        .enumerate()
        .map(|(index, (q, a))| {
            check_answer(q, a).map_err(|problem| SurveyError::Answer { index, problem })
        })
        .collect()
}

fn check_answer(q: &Question, a: &Value) -> Result<Answer, AnswerProblem> {
    let index = |v: &Value| -> Result<usize, AnswerProblem> {
        let i = v.as_u64().ok_or(AnswerProblem::NotAnIndex)?;
        usize::try_from(i)
            .ok()
            .filter(|i| *i < q.options.len())
            .ok_or(AnswerProblem::OutOfRange {
                options: q.options.len(),
            })
    };
    let answer = match (q.kind, a) {
        (_, Value::Null) => Answer::Skipped,
        (QuestionKind::Single, v) => Answer::Single(index(v)?),
        (QuestionKind::Multiple, Value::Array(items)) => {
            let mut chosen = Vec::with_capacity(items.len());
            for v in items {
                let i = index(v).map_err(|e| match e {
                    AnswerProblem::NotAnIndex => AnswerProblem::NotAList,
                    other => other,
                })?;
                if chosen.contains(&i) {
                    return Err(AnswerProblem::Duplicate);
                }
                chosen.push(i);
            }
            if chosen.is_empty() {
                Answer::Skipped
            } else {
                chosen.sort_unstable();
                Answer::Multiple(chosen)
            }
        }
        (QuestionKind::Multiple, _) => return Err(AnswerProblem::NotAList),
        (QuestionKind::Text, Value::String(s)) => {
            let s = s.trim();
            if s.chars().count() > MAX_TEXT_ANSWER {
                return Err(AnswerProblem::TooLong);
            }
            if s.is_empty() {
                Answer::Skipped
            } else {
                Answer::Text(s.to_string())
            }
        }
        (QuestionKind::Text, _) => return Err(AnswerProblem::NotText),
    };
    if q.required && answer == Answer::Skipped {
        return Err(AnswerProblem::Required);
    }
    Ok(answer)
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A time as shown to citizens: Beijing time, to the minute.
pub fn beijing_time(ms: i64) -> String {
    govnode_topology::beijing::minute(ms)
}

#[cfg(test)]
mod tests;
