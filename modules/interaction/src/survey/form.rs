//! The survey page's form (`application/x-www-form-urlencoded`): field `q{i}` carries the
//! answer to question i (an option index for a radio button, once per ticked checkbox,
//! the text of a textarea). It becomes the same JSON answers the API takes.

use serde_json::Value;

use super::{AnswerProblem, Question, QuestionKind, SurveyError, invalid};

/// The JSON answers of a submitted form, one per question (null when the field is absent
/// or empty). Unknown fields are refused, naming the field.
pub fn answers_from_form(
    questions: &[Question],
    pairs: &[(String, String)],
) -> Result<Vec<Value>, SurveyError> {
    let mut values: Vec<Vec<&str>> = vec![Vec::new(); questions.len()];
    for (name, value) in pairs {
        let index = name
            .strip_prefix('q')
            .filter(|n| *n == "0" || !(n.starts_with('0') || n.starts_with('+')))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|i| *i < questions.len())
            .ok_or_else(|| invalid(name.clone(), "unknown field"))?;
        values[index].push(value.as_str());
    }
    let problem = |index, problem| SurveyError::Answer { index, problem };
    questions
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (q, vs))| {
            let index = |v: &str| {
                v.trim()
                    .parse::<u64>()
                    .map(Value::from)
                    .map_err(|_| problem(i, AnswerProblem::NotAnIndex))
            };
            match (q.kind, vs.as_slice()) {
                (_, []) => Ok(Value::Null),
                (QuestionKind::Single, [v]) => index(v),
                (QuestionKind::Single, _) => Err(problem(i, AnswerProblem::NotAnIndex)),
                (QuestionKind::Multiple, vs) => vs
                    .iter()
                    .map(|v| index(v))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array),
                (QuestionKind::Text, [v]) => Ok(Value::from(*v)),
                (QuestionKind::Text, _) => Err(problem(i, AnswerProblem::NotText)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn questions() -> Vec<Question> {
        let q = |kind, options: &[&str]| Question {
            kind,
            text: "问".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            required: false,
        };
        vec![
            q(QuestionKind::Single, &["a", "b"]),
            q(QuestionKind::Multiple, &["a", "b", "c"]),
            q(QuestionKind::Text, &[]),
        ]
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_become_answers() {
        let got = answers_from_form(
            &questions(),
            &pairs(&[("q0", "1"), ("q1", "0"), ("q1", "2"), ("q2", "意见")]),
        )
        .unwrap();
        assert_eq!(got, vec![json!(1), json!([0, 2]), json!("意见")]);
        let none = answers_from_form(&questions(), &[]).unwrap();
        assert_eq!(none, vec![Value::Null, Value::Null, Value::Null]);
    }

    #[test]
    fn bad_fields_are_named() {
        let err = |p: &[(&str, &str)]| {
            answers_from_form(&questions(), &pairs(p))
                .unwrap_err()
                .to_string()
        };
        assert!(err(&[("q3", "1")]).starts_with("q3: unknown field"));
        assert!(err(&[("name", "x")]).starts_with("name: unknown field"));
        assert!(err(&[("q01", "1")]).starts_with("q01: unknown field"));
        assert!(err(&[("q0", "x")]).starts_with("answers[0]:"));
        assert!(err(&[("q0", "0"), ("q0", "1")]).starts_with("answers[0]:"));
        assert!(err(&[("q1", "-1")]).starts_with("answers[1]:"));
        assert!(err(&[("q2", "a"), ("q2", "b")]).starts_with("answers[2]:"));
    }
}
