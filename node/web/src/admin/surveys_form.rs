//! The survey form of the console (征集调查 › 新建 / 修改): the fields, a block of fields per
//! question (题目, 题型, 选项 one per line, 必答, 排序, 删除), read into a [`SurveyInput`] and
//! shown again as submitted. No script: 再加一题 submits the form, which comes back with one
//! more empty question; empty questions are left out.

use chrono::NaiveDate;
use govnode_interaction::survey::{Question, QuestionKind, Survey, SurveyInput};
use govnode_topology::beijing;
use serde::Serialize;

/// One question as the form shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct QuestionDraft {
    /// single, multiple or text.
    pub kind: String,
    pub text: String,
    /// One option per line.
    pub options: String,
    pub required: bool,
}

/// The form as shown: the survey's fields and its questions.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct SurveyForm {
    pub title: String,
    pub body: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub opens: String,
    /// `YYYY-MM-DD`.
    pub closes: String,
    pub questions: Vec<QuestionDraft>,
}

/// The kinds offered, with their names.
pub(super) const KINDS: [(&str, &str); 3] = [
    ("single", "单选题"),
    ("multiple", "多选题"),
    ("text", "文字回答"),
];

fn kind_code(k: QuestionKind) -> &'static str {
    match k {
        QuestionKind::Single => "single",
        QuestionKind::Multiple => "multiple",
        QuestionKind::Text => "text",
    }
}

impl SurveyForm {
    /// A new survey's form: open from today for thirty days, one empty question.
    pub fn blank(body: &str) -> SurveyForm {
        let today = beijing::today();
        SurveyForm {
            body: body.to_string(),
            opens: today.to_string(),
            closes: (today + chrono::Days::new(30)).to_string(),
            ..SurveyForm::default()
        }
    }

    /// The form of a stored survey.
    pub fn of(s: &Survey) -> SurveyForm {
        SurveyForm {
            title: s.title.clone(),
            body: s.body.clone(),
            description: s.description.clone(),
            opens: beijing::date_of(s.opens_at).to_string(),
            // Closing is stored as the midnight after the last day.
            closes: beijing::date_of(s.closes_at - 1).to_string(),
            questions: s
                .questions
                .iter()
                .map(|q| QuestionDraft {
                    kind: kind_code(q.kind).into(),
                    text: q.text.clone(),
                    options: q.options.join("\n"),
                    required: q.required,
                })
                .collect(),
        }
    }

    /// The submitted form: blocks `q{i}_text`, `q{i}_kind`, `q{i}_options`, `q{i}_required`,
    /// `q{i}_order`, `q{i}_remove`; removed and empty questions left out, the rest in the
    /// order asked for.
    pub fn read(fields: &[(String, String)]) -> SurveyForm {
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| v.as_str())
        };
        let mut indices: Vec<usize> = fields
            .iter()
            .filter_map(|(k, _)| k.strip_prefix('q')?.split_once('_')?.0.parse().ok())
            .filter(|i| *i < 100)
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let mut ordered: Vec<(f64, usize, QuestionDraft)> = Vec::new();
        for i in indices {
            let f = |what: &str| get(&format!("q{i}_{what}")).to_string();
            if !f("remove").is_empty() {
                continue;
            }
            let q = QuestionDraft {
                kind: f("kind"),
                text: f("text").trim().to_string(),
                options: f("options").trim().to_string(),
                required: !f("required").is_empty(),
            };
            if q.text.is_empty() && q.options.is_empty() {
                continue;
            }
            let order = f("order").trim().parse::<f64>().unwrap_or((i + 1) as f64);
            ordered.push((order, i, q));
        }
        ordered.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        SurveyForm {
            title: get("title").trim().to_string(),
            body: get("body").trim().to_string(),
            description: get("description").trim().to_string(),
            opens: get("opens").trim().to_string(),
            closes: get("closes").trim().to_string(),
            questions: ordered.into_iter().map(|(_, _, q)| q).collect(),
        }
    }

    /// The survey the form describes; a missing or bad date or kind is named in Chinese
    /// (the rest is the module's to check).
    pub fn input(&self) -> Result<SurveyInput, String> {
        let date = |s: &str, what: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| format!("请填写有效的{what}（年-月-日）"))
        };
        let opens = date(&self.opens, "开始日期")?;
        let closes = date(&self.closes, "结束日期")?;
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            let kind = match q.kind.as_str() {
                "single" => QuestionKind::Single,
                "multiple" => QuestionKind::Multiple,
                "text" => QuestionKind::Text,
                _ => return Err(format!("请选择第 {} 题的题型", i + 1)),
            };
            let options = if kind == QuestionKind::Text {
                Vec::new()
            } else {
                q.options
                    .lines()
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            questions.push(Question {
                kind,
                text: q.text.clone(),
                options,
                required: q.required,
            });
        }
        Ok(SurveyInput {
            title: self.title.clone(),
            description: self.description.clone(),
            body: self.body.clone(),
            opens_at: beijing::midnight_ms(opens),
            closes_at: beijing::midnight_ms(closes + chrono::Days::new(1)),
            questions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn questions_are_ordered_removed_and_read() {
        let form = SurveyForm::read(&pairs(&[
            ("title", " 问卷 "),
            ("body", "广东省交通运输厅"),
            ("opens", "2026-12-05"),
            ("closes", "2026-12-31"),
            ("q0_text", "第一"),
            ("q0_kind", "single"),
            ("q0_options", "甲\n\n乙\n"),
            ("q0_order", "2"),
            ("q1_text", "第二"),
            ("q1_kind", "text"),
            ("q1_order", "1"),
            ("q1_required", "1"),
            ("q2_text", "删掉"),
            ("q2_kind", "text"),
            ("q2_remove", "1"),
            ("q3_text", ""),
            ("q3_kind", "single"),
        ]));
        assert_eq!(form.title, "问卷");
        let texts: Vec<&str> = form.questions.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(texts, ["第二", "第一"]);
        let input = form.input().unwrap();
        assert_eq!(input.questions[1].options, ["甲", "乙"]);
        assert!(input.questions[0].required);
        assert_eq!(
            input.closes_at - input.opens_at,
            27 * 86_400_000,
            "to the end of the last day"
        );
        let mut bad = form.clone();
        bad.closes = "明天".into();
        assert!(bad.input().unwrap_err().contains("结束日期"));
    }
}
