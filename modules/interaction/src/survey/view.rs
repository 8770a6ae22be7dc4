//! What the API and the pages show of a survey: the public JSON view (no respondent counts
//! while open, no creator), the staff view, and the page's view models.

use serde_json::{Value, json};

use super::{QuestionKind, Results, Status, Survey, beijing_time};

impl Survey {
    /// The public JSON view; `page_url` is the survey's page.
    pub fn public_view(&self, now_ms: i64, page_url: &str) -> Value {
        let status = self.status(now_ms);
        json!({
            "id": self.id, "site": self.site, "title": self.title, "description": self.description,
            "body": self.body, "opens_at": self.opens_at, "closes_at": self.closes_at,
            "status": status, "questions": self.questions,
            "feedback": self.feedback, "feedback_ms": self.feedback_ms,
            "page_url": page_url,
            "results_url": (status == Status::Closed).then(|| format!("/api/surveys/{}/results", self.id)),
        })
    }

    /// The staff view: everything, with the number of responses.
    pub fn staff_view(&self, now_ms: i64, page_url: &str) -> Value {
        let mut v = self.public_view(now_ms, page_url);
        v["results_url"] = json!(format!("/api/admin/surveys/{}/results", self.id));
        v["created_ms"] = json!(self.created_ms);
        v["created_by"] = json!(self.created_by);
        v["responses"] = json!(self.responses);
        v
    }

    /// The page's view of the survey itself (dates in Beijing time, text in paragraphs).
    pub fn page_view(&self, now_ms: i64, url: &str) -> Value {
        let status = self.status(now_ms);
        json!({
            "id": self.id, "title": self.title, "body": self.body, "url": url,
            "description": paragraphs(&self.description),
            "opens": beijing_time(self.opens_at), "closes": beijing_time(self.closes_at),
            "opens_iso": iso(self.opens_at), "closes_iso": iso(self.closes_at),
            "status": status,
            "status_label": match status { Status::Upcoming => "即将开始", Status::Open => "正在进行", Status::Closed => "已结束" },
            "feedback": self.feedback.as_deref().map(paragraphs),
            "feedback_date": self.feedback_ms.map(beijing_time),
            "questions": self.questions.len(),
        })
    }

    /// The form's questions, with what was submitted (`kept`: the JSON answers, if any)
    /// checked again, and the question at fault (`invalid`) marked.
    pub fn form_view(&self, kept: &[Value], invalid: Option<usize>) -> Vec<Value> {
        self.questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let kept = kept.get(i).unwrap_or(&Value::Null);
                let chosen = |j: usize| match kept {
                    Value::Array(items) => items.iter().any(|v| v.as_u64() == Some(j as u64)),
                    v => v.as_u64() == Some(j as u64),
                };
                let options: Vec<Value> = q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(j, label)| json!({ "value": j, "label": label, "id": format!("q{i}-{j}"), "checked": chosen(j) }))
                    .collect();
                json!({
                    "index": i, "number": i + 1, "name": format!("q{i}"), "kind": q.kind,
                    "text": q.text, "required": q.required, "options": options,
                    "value": kept.as_str().unwrap_or(""), "invalid": invalid == Some(i),
                    "max_chars": super::MAX_TEXT_ANSWER,
                })
            })
            .collect()
    }
}

impl Results {
    /// The page's view of the results: numbered questions, charts, counts.
    pub fn page_view(&self) -> Value {
        let questions: Vec<Value> = self
            .questions
            .iter()
            .map(|q| {
                json!({
                    "number": q.index + 1, "text": q.text, "kind": q.kind,
                    "is_text": q.kind == QuestionKind::Text, "answered": q.answered,
                    "text_answers": q.text_answers, "svg": q.svg, "options": q.options,
                })
            })
            .collect();
        json!({ "responses": self.responses, "questions": questions })
    }
}

/// Non-empty paragraphs of a text.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::Question;

    fn survey() -> Survey {
        Survey {
            id: 7,
            site: "gd".into(),
            title: "t".into(),
            description: "第一段\n\n 第二段 ".into(),
            body: "b".into(),
            opens_at: 1_000,
            closes_at: 2_000,
            questions: vec![
                Question {
                    kind: QuestionKind::Multiple,
                    text: "q".into(),
                    options: vec!["a".into(), "b".into(), "c".into()],
                    required: true,
                },
                Question {
                    kind: QuestionKind::Text,
                    text: "t".into(),
                    options: Vec::new(),
                    required: false,
                },
            ],
            feedback: None,
            feedback_ms: None,
            created_ms: 0,
            created_by: "管理员".into(),
            responses: 3,
            draft: false,
        }
    }

    #[test]
    fn public_view_hides_counts_and_creator() {
        let v = survey().public_view(1_500, "/sites/gd/surveys/7");
        assert_eq!(v["status"], "open");
        assert!(v.get("responses").is_none() && v.get("created_by").is_none());
        assert!(v["results_url"].is_null());
        let v = survey().public_view(2_000, "/sites/gd/surveys/7");
        assert_eq!(v["results_url"], "/api/surveys/7/results");
        let v = survey().staff_view(1_500, "/x");
        assert_eq!(v["responses"], 3);
    }

    #[test]
    fn form_keeps_what_was_submitted() {
        let f = survey().form_view(&[json!([0, 2]), json!("意见")], Some(1));
        let checked: Vec<bool> = f[0]["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["checked"].as_bool().unwrap())
            .collect();
        assert_eq!(checked, vec![true, false, true]);
        assert_eq!(f[1]["value"], "意见");
        assert_eq!(f[1]["invalid"], true);
        assert_eq!(f[0]["invalid"], false);
        assert_eq!(
            survey().page_view(0, "/u")["description"],
            json!(["第一段", "第二段"])
        );
    }
}
