//! The survey store: surveys, responses (one per respondent key), running tallies per
//! option, and the per-client rate limit on responses.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::chart::bar_chart;
use super::{
    Answer, MAX_FEEDBACK, QuestionKind, Status, Survey, SurveyError, SurveyInput, beijing_time,
    check_answers, invalid,
};

/// Tally row counting the respondents who answered a question (the others count options).
const ANSWERED: i64 = -1;

/// The surveys of this node's sites.
#[derive(Debug, Clone)]
pub struct Surveys {
    pub(super) read: AnyPool,
    pub(super) write: AnyPool,
}

/// Results of a survey.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SurveyResults))]
pub struct Results {
    /// The survey's id.
    pub survey: i64,
    /// Where it stands.
    pub status: Status,
    /// Number of responses.
    pub responses: i64,
    /// Per question.
    pub questions: Vec<QuestionResult>,
}

/// Results of one question.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SurveyQuestionResult))]
pub struct QuestionResult {
    /// Index (from 0).
    pub index: usize,
    /// Kind.
    pub kind: QuestionKind,
    /// The question.
    pub text: String,
    /// Respondents who answered it.
    pub answered: i64,
    /// Counts per option (choice questions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionResult>,
    /// Number of text answers (text questions; the texts are not public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_answers: Option<i64>,
    /// The text answers themselves: staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub texts: Option<Vec<TextAnswer>>,
    /// The bar chart (choice questions), SVG.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
}

/// One option's count.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SurveyOptionResult))]
pub struct OptionResult {
    /// The option's label.
    pub label: String,
    /// How many chose it.
    pub count: i64,
    /// Share of those who answered the question, in percent (one decimal).
    pub percent: f64,
}

/// A text answer, for staff.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SurveyTextAnswer))]
pub struct TextAnswer {
    /// The text.
    pub text: String,
    /// When it was received (unix ms).
    pub received_ms: i64,
}

/// The outcome of a rate-limit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// When the client's window ends (unix ms).
    pub resets_ms: i64,
}

pub(super) fn survey_from_row(r: &AnyRow) -> Result<Survey, SurveyError> {
    let questions: String = r.try_get("questions")?;
    Ok(Survey {
        id: r.try_get("id")?,
        site: r.try_get("site_id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        body: r.try_get("body")?,
        opens_at: r.try_get("opens_ms")?,
        closes_at: r.try_get("closes_ms")?,
        questions: serde_json::from_str(&questions)
            .map_err(|e| SurveyError::Stored(e.to_string()))?,
        feedback: r.try_get("feedback")?,
        feedback_ms: r.try_get("feedback_ms")?,
        created_ms: r.try_get("created_ms")?,
        created_by: r.try_get("created_by")?,
        responses: r.try_get("responses")?,
        draft: r.try_get::<i64, _>("draft")? != 0,
    })
}

fn percent(count: i64, of: i64) -> f64 {
    if of <= 0 {
        0.0
    } else {
        (count as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

impl Surveys {
    /// A store over the node's read pool and its single-connection write pool.
    pub fn new(read: AnyPool, write: AnyPool) -> Self {
        Surveys { read, write }
    }

    /// Creates a survey on `site` (which the caller has checked exists and is local).
    pub async fn create(
        &self,
        site: &str,
        by: &str,
        input: SurveyInput,
        now_ms: i64,
    ) -> Result<Survey, SurveyError> {
        self.insert(site, by, input, now_ms, false).await
    }

    /// Stores a checked new survey, published or a draft.
    pub(super) async fn insert(
        &self,
        site: &str,
        by: &str,
        input: SurveyInput,
        now_ms: i64,
        draft: bool,
    ) -> Result<Survey, SurveyError> {
        let input = input.checked(now_ms)?;
        let questions = serde_json::to_string(&input.questions)
            .map_err(|e| SurveyError::Stored(e.to_string()))?;
        let row = sqlx::query(concat!(
            "INSERT INTO surveys (site_id, title, description, body, opens_ms, closes_ms, ",
            "questions, created_ms, created_by, responses, draft) ",
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10) RETURNING ",
            columns!()
        ))
        .bind(site)
        .bind(&input.title)
        .bind(&input.description)
        .bind(&input.body)
        .bind(input.opens_at)
        .bind(input.closes_at)
        .bind(questions)
        .bind(now_ms)
        .bind(by)
        .bind(i64::from(draft))
        .fetch_one(&self.write)
        .await?;
        survey_from_row(&row)
    }

    /// A published survey by id (a draft is not found: see `staff_get`).
    pub async fn get(&self, id: i64) -> Result<Survey, SurveyError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM surveys WHERE id = $1 AND draft = 0"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| SurveyError::NotFound(format!("survey {id}")))?;
        survey_from_row(&row)
    }

    /// A site's published surveys, the latest opening first (drafts: see `staff_list`).
    pub async fn list(&self, site: &str) -> Result<Vec<Survey>, SurveyError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM surveys WHERE site_id = $1 AND draft = 0 ORDER BY opens_ms DESC, id DESC"
        ))
        .bind(site)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(survey_from_row).collect()
    }

    /// Closes a survey now (before its closing time): responses stop, results are published.
    pub async fn close(&self, id: i64, now_ms: i64) -> Result<Survey, SurveyError> {
        let survey = self.get(id).await?;
        if survey.status(now_ms) == Status::Closed {
            return Err(SurveyError::Conflict(format!(
                "survey {id} closed at {} (Beijing time)",
                beijing_time(survey.closes_at)
            )));
        }
        let row = sqlx::query(concat!(
            "UPDATE surveys SET closes_ms = $2, ",
            "opens_ms = CASE WHEN opens_ms > $3 THEN $3 ELSE opens_ms END ",
            "WHERE id = $1 RETURNING ",
            columns!()
        ))
        .bind(id)
        .bind(now_ms)
        .bind(now_ms - 1)
        .fetch_one(&self.write)
        .await?;
        survey_from_row(&row)
    }

    /// Sets the body's feedback on what it adopted; only once the survey has closed.
    pub async fn set_feedback(
        &self,
        id: i64,
        feedback: &str,
        now_ms: i64,
    ) -> Result<Survey, SurveyError> {
        let feedback = feedback.trim();
        let n = feedback.chars().count();
        if n == 0 || n > MAX_FEEDBACK {
            return Err(invalid(
                "feedback",
                format!("must be 1–{MAX_FEEDBACK} characters (got {n})"),
            ));
        }
        let survey = self.get(id).await?;
        if survey.status(now_ms) != Status::Closed {
            return Err(SurveyError::Conflict(format!(
                "survey {id} is not closed yet: feedback can be given after it closes at {} (Beijing time)",
                beijing_time(survey.closes_at)
            )));
        }
        let row = sqlx::query(concat!(
            "UPDATE surveys SET feedback = $2, feedback_ms = $3 WHERE id = $1 RETURNING ",
            columns!()
        ))
        .bind(id)
        .bind(feedback)
        .bind(now_ms)
        .fetch_one(&self.write)
        .await?;
        survey_from_row(&row)
    }

    /// Records a response from `respondent` (a key from [`super::respondent_key`]), durably,
    /// with the tallies, in one transaction. A second response from the same key is refused.
    pub async fn respond(
        &self,
        id: i64,
        respondent: &str,
        answers: &[serde_json::Value],
        now_ms: i64,
    ) -> Result<Vec<Answer>, SurveyError> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM surveys WHERE id = $1 AND draft = 0"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| SurveyError::NotFound(format!("survey {id}")))?;
        let survey = survey_from_row(&row)?;
        match survey.status(now_ms) {
            Status::Upcoming => {
                return Err(SurveyError::Refused(format!(
                    "survey {id} opens at {} (Beijing time)",
                    beijing_time(survey.opens_at)
                )));
            }
            Status::Closed => {
                return Err(SurveyError::Refused(format!(
                    "survey {id} closed at {} (Beijing time) and takes no more responses",
                    beijing_time(survey.closes_at)
                )));
            }
            Status::Open => {}
        }
        let checked = check_answers(&survey.questions, answers)?;
        let stored =
            serde_json::to_string(&checked).map_err(|e| SurveyError::Stored(e.to_string()))?;
        let inserted = sqlx::query(
            "INSERT INTO survey_responses (survey_id, respondent, answers, created_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (survey_id, respondent) DO NOTHING RETURNING survey_id",
        )
        .bind(id)
        .bind(respondent)
        .bind(stored)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            return Err(SurveyError::Conflict(format!(
                "you have already responded to survey {id}; one response per person"
            )));
        }
        for (q, answer) in checked.iter().enumerate() {
            let chosen: Vec<usize> = match answer {
                Answer::Skipped => continue,
                Answer::Single(i) => vec![*i],
                Answer::Multiple(is) => is.clone(),
                Answer::Text(_) => Vec::new(),
            };
            let options = std::iter::once(ANSWERED).chain(chosen.iter().map(|i| *i as i64));
            for option in options {
                sqlx::query(
                    "INSERT INTO survey_tallies (survey_id, question, option, count) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (survey_id, question, option) DO UPDATE SET count = survey_tallies.count + 1",
                )
                .bind(id)
                .bind(q as i64)
                .bind(option)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("UPDATE surveys SET responses = responses + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(checked)
    }

    /// Whether `respondent` has responded to survey `id`.
    pub async fn has_responded(&self, id: i64, respondent: &str) -> Result<bool, SurveyError> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM survey_responses WHERE survey_id = $1 AND respondent = $2",
        )
        .bind(id)
        .bind(respondent)
        .fetch_optional(&self.read)
        .await?
        .is_some())
    }

    /// The results of `survey`: counts and charts; with `texts`, the text answers too
    /// (staff only). The caller decides whether they may be shown.
    pub async fn results(
        &self,
        survey: &Survey,
        texts: bool,
        now_ms: i64,
    ) -> Result<Results, SurveyError> {
        let rows =
            sqlx::query("SELECT question, option, count FROM survey_tallies WHERE survey_id = $1")
                .bind(survey.id)
                .fetch_all(&self.read)
                .await?;
        let n = survey.questions.len();
        let mut answered = vec![0i64; n];
        let mut counts: Vec<Vec<i64>> = survey
            .questions
            .iter()
            .map(|q| vec![0; q.options.len()])
            .collect();
        for r in &rows {
            let q: i64 = r.try_get("question")?;
            let option: i64 = r.try_get("option")?;
            let count: i64 = r.try_get("count")?;
            let Some(q) = usize::try_from(q).ok().filter(|q| *q < n) else {
                continue;
            };
            if option == ANSWERED {
                answered[q] = count;
            } else if let Some(c) = usize::try_from(option)
                .ok()
                .and_then(|o| counts[q].get_mut(o))
            {
                *c = count;
            }
        }
        let mut text_lists: Vec<Vec<TextAnswer>> = vec![Vec::new(); n];
        if texts
            && survey
                .questions
                .iter()
                .any(|q| q.kind == QuestionKind::Text)
        {
            let rows = sqlx::query(
                "SELECT answers, created_ms FROM survey_responses WHERE survey_id = $1 ORDER BY created_ms, respondent",
            )
            .bind(survey.id)
            .fetch_all(&self.read)
            .await?;
            for r in &rows {
                let answers: String = r.try_get("answers")?;
                let received_ms: i64 = r.try_get("created_ms")?;
                let answers: Vec<Answer> = serde_json::from_str(&answers)
                    .map_err(|e| SurveyError::Stored(e.to_string()))?;
                for (q, a) in answers.into_iter().enumerate() {
                    if let (Answer::Text(text), Some(list)) = (a, text_lists.get_mut(q)) {
                        list.push(TextAnswer { text, received_ms });
                    }
                }
            }
        }
        let questions = survey
            .questions
            .iter()
            .enumerate()
            .zip(text_lists)
            .map(|((index, q), list)| {
                let of = answered[index];
                let options: Vec<OptionResult> = q
                    .options
                    .iter()
                    .zip(&counts[index])
                    .map(|(label, &count)| OptionResult {
                        label: label.clone(),
                        count,
                        percent: percent(count, of),
                    })
                    .collect();
                let is_text = q.kind == QuestionKind::Text;
                let svg = (!is_text).then(|| {
                    let bars: Vec<(&str, i64)> = options
                        .iter()
                        .map(|o| (o.label.as_str(), o.count))
                        .collect();
                    bar_chart(
                        &format!("survey-{}-q{index}", survey.id),
                        &q.text,
                        &bars,
                        of,
                    )
                });
                QuestionResult {
                    index,
                    kind: q.kind,
                    text: q.text.clone(),
                    answered: of,
                    options,
                    text_answers: is_text.then_some(of),
                    texts: (texts && is_text).then_some(list),
                    svg,
                }
            })
            .collect();
        Ok(Results {
            survey: survey.id,
            status: survey.status(now_ms),
            responses: survey.responses,
            questions,
        })
    }

    /// Counts a request of `bucket` (a hash from [`super::client_bucket`]) in its fixed
    /// window of `window_ms`; allowed while the window holds at most `limit` requests.
    pub async fn admit(
        &self,
        bucket: &str,
        limit: i64,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Admission, SurveyError> {
        let expired = now_ms - window_ms;
        let row = sqlx::query(
            "INSERT INTO survey_rate (bucket, window_ms, count) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
               count = CASE WHEN survey_rate.window_ms <= $3 THEN 1 ELSE survey_rate.count + 1 END, \
               window_ms = CASE WHEN survey_rate.window_ms <= $3 THEN $2 ELSE survey_rate.window_ms END \
             RETURNING count, window_ms",
        )
        .bind(bucket)
        .bind(now_ms)
        .bind(expired)
        .fetch_one(&self.write)
        .await?;
        let count: i64 = row.try_get("count")?;
        let started: i64 = row.try_get("window_ms")?;
        // Forget the windows that have ended (the table holds only the last hour's clients).
        sqlx::query("DELETE FROM survey_rate WHERE window_ms <= $1")
            .bind(expired)
            .execute(&self.write)
            .await?;
        Ok(Admission {
            allowed: count <= limit,
            resets_ms: started + window_ms,
        })
    }
}
