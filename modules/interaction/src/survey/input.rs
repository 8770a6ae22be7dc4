//! What a site administrator sends to create a survey, its checks, and the constraints
//! the API's document states for it.

use serde::{Deserialize, Serialize};

use super::{
    MAX_BODY, MAX_DESCRIPTION, MAX_OPTION, MAX_QUESTION_TEXT, MAX_QUESTIONS, MAX_TITLE, OPTIONS,
    SurveyError, invalid,
};

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SurveyQuestionKind))]
pub enum QuestionKind {
    /// Exactly one option.
    Single,
    /// One or more options.
    Multiple,
    /// Free text (counted in public results, read only by staff).
    Text,
}

/// A question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SurveyQuestion))]
pub struct Question {
    /// single, multiple or text.
    pub kind: QuestionKind,
    /// The question, 1–500 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        )
    )]
    pub text: String,
    /// Option labels, each 1–200 characters (without white space at either end) and listed
    /// once: 2–20 for a choice question, none for a text question.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 20,
            max_length = 200,
            pattern = r"^[^\s\u0000-\u001f\u007f-\u009f]([^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f])?$"
        )
    )]
    pub options: Vec<String>,
    /// Whether an answer is required.
    #[serde(default)]
    pub required: bool,
}

/// What a site admin sends to create a survey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyInput {
    /// Title, 1–100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        )
    )]
    pub title: String,
    /// What is asked and why, at most 5000 characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 5000,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        )
    )]
    pub description: String,
    /// The government body running it, by name (with Chinese characters, not a code),
    /// 1–100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[\u4e00-\u9fff][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        )
    )]
    pub body: String,
    /// When responses open (unix ms).
    #[serde(deserialize_with = "govnode_topology::whole::number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub opens_at: i64,
    /// When responses close and results are published (unix ms): after `opens_at`, and in
    /// the future.
    #[serde(deserialize_with = "govnode_topology::whole::number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 2))]
    pub closes_at: i64,
    /// 1–30 questions.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 30))]
    pub questions: Vec<Question>,
}

fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<(), SurveyError> {
    let n = value.chars().count();
    if n < min || n > max {
        let what = if min == 0 {
            format!("at most {max} characters")
        } else {
            format!("must be {min}–{max} characters")
        };
        return Err(invalid(field, format!("{what} (got {n})")));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(())
}

impl SurveyInput {
    /// Trims the text fields and checks everything, naming the field at fault.
    pub fn checked(mut self, now_ms: i64) -> Result<SurveyInput, SurveyError> {
        self.title = self.title.trim().to_string();
        self.description = self.description.trim().to_string();
        self.body = self.body.trim().to_string();
        check_len("title", &self.title, 1, MAX_TITLE)?;
        check_len("description", &self.description, 0, MAX_DESCRIPTION)?;
        check_len("body", &self.body, 1, MAX_BODY)?;
        // Citizens read it as 征集单位: a name, never a code such as a site id.
        if !self
            .body
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            return Err(invalid(
                "body",
                "must be the name of the body running the survey (e.g. 广东省交通运输厅), not a code",
            ));
        }
        if self.opens_at <= 0 {
            return Err(invalid("opens_at", "must be a time in unix milliseconds"));
        }
        if self.closes_at <= self.opens_at {
            return Err(invalid("closes_at", "must be after opens_at"));
        }
        if self.closes_at <= now_ms {
            return Err(invalid("closes_at", "must be in the future"));
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(invalid(
                "questions",
                format!(
                    "a survey has 1–{MAX_QUESTIONS} questions (got {})",
                    self.questions.len()
                ),
            ));
        }
        for (i, q) in self.questions.iter_mut().enumerate() {
            q.text = q.text.trim().to_string();
            check_len(
                &format!("questions[{i}].text"),
                &q.text,
                1,
                MAX_QUESTION_TEXT,
            )?;
            let field = format!("questions[{i}].options");
            let (min, max) = OPTIONS;
            match q.kind {
                QuestionKind::Text if !q.options.is_empty() => {
                    return Err(invalid(field, "a text question has no options"));
                }
                QuestionKind::Single | QuestionKind::Multiple
                    if q.options.len() < min || q.options.len() > max =>
                {
                    let kind = if q.kind == QuestionKind::Single {
                        "single"
                    } else {
                        "multiple"
                    };
                    return Err(invalid(
                        field,
                        format!("a {kind}-choice question needs {min}–{max} options"),
                    ));
                }
                _ => {}
            }
            for (j, o) in q.options.iter_mut().enumerate() {
                *o = o.trim().to_string();
                check_len(&format!("{field}[{j}]"), o, 1, MAX_OPTION)?;
            }
            for (j, o) in q.options.iter().enumerate() {
                if q.options[..j].contains(o) {
                    return Err(invalid(
                        format!("{field}[{j}]"),
                        format!("`{o}` is listed twice"),
                    ));
                }
            }
        }
        Ok(self)
    }
}

/// What a question must also satisfy, beyond each field's own constraints: a text question
/// has no options, a choice question 2–20 different ones. `SurveyQuestion`'s schema in the
/// API's document is both.
#[cfg(feature = "openapi")]
pub fn question_rule() -> utoipa::openapi::schema::AnyOf {
    use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Type};
    let kinds = |kinds: &[&str]| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(kinds.to_vec()))
    };
    let text = ObjectBuilder::new()
        .property("kind", kinds(&["text"]))
        .property("options", ArrayBuilder::new().max_items(Some(0)));
    let (min, max) = OPTIONS;
    let choice = ObjectBuilder::new()
        .property("kind", kinds(&["single", "multiple"]))
        .property(
            "options",
            ArrayBuilder::new()
                .min_items(Some(min))
                .max_items(Some(max))
                .unique_items(true),
        )
        .required("options");
    AnyOfBuilder::new()
        .item(text)
        .item(choice)
        .description(Some(
            "A text question has no options; a choice question 2–20 different ones.",
        ))
        .build()
}
