//! A survey refusal as staff read it in the console: the field named in Chinese.

use super::{
    MAX_BODY, MAX_DESCRIPTION, MAX_FEEDBACK, MAX_OPTION, MAX_QUESTION_TEXT, MAX_QUESTIONS,
    MAX_TITLE, OPTIONS, SurveyError,
};

/// Whether `s` is already written for people (holds Chinese).
fn is_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// `questions[2].options[1]` → (2, Some("options"), Some(1)).
fn question_field(field: &str) -> Option<(usize, &str, Option<usize>)> {
    let rest = field.strip_prefix("questions[")?;
    let (i, rest) = rest.split_once(']')?;
    let i: usize = i.parse().ok()?;
    let rest = rest.strip_prefix('.')?;
    match rest.split_once('[') {
        Some((name, j)) => Some((i, name, j.trim_end_matches(']').parse().ok())),
        None => Some((i, rest, None)),
    }
}

impl SurveyError {
    /// The refusal in Chinese, naming the field (标题, 第 2 题的选项 …).
    pub fn chinese(&self) -> String {
        let (min, max) = OPTIONS;
        match self {
            SurveyError::Invalid { field, message } => match field.as_str() {
                "title" => format!("标题须为 1–{MAX_TITLE} 字"),
                "description" => format!("说明最多 {MAX_DESCRIPTION} 字"),
                "body" if message.contains("name") => {
                    "征集单位请填写单位名称（如 广东省交通运输厅），不要填写代码".into()
                }
                "body" => format!("征集单位须为 1–{MAX_BODY} 字"),
                "opens_at" => "请填写有效的开始日期".into(),
                "closes_at" if message.contains("future") => "结束日期不能早于今天".into(),
                "closes_at" => "结束日期须晚于开始日期".into(),
                "questions" => format!("请至少设置 1 道题目，最多 {MAX_QUESTIONS} 道"),
                "feedback" => format!("征集结果反馈须为 1–{MAX_FEEDBACK} 字"),
                f => match question_field(f) {
                    Some((i, "text", _)) => {
                        format!("第 {} 题的题目须为 1–{MAX_QUESTION_TEXT} 字", i + 1)
                    }
                    Some((i, "options", None)) if message.contains("text question") => {
                        format!("第 {} 题是文字回答题，不需要选项", i + 1)
                    }
                    Some((i, "options", None)) => {
                        format!("第 {} 题是选择题，须有 {min}–{max} 个选项", i + 1)
                    }
                    Some((i, "options", Some(j))) if message.contains("twice") => {
                        format!("第 {} 题的第 {} 个选项与前面的选项重复", i + 1, j + 1)
                    }
                    Some((i, "options", Some(j))) => {
                        format!("第 {} 题的第 {} 个选项须为 1–{MAX_OPTION} 字", i + 1, j + 1)
                    }
                    _ => "填写的内容有误".into(),
                },
            },
            SurveyError::Answer { index, problem } => {
                format!("第 {} 题：{}", index + 1, problem.message_zh())
            }
            SurveyError::NotFound(_) => "没有找到该征集调查".into(),
            SurveyError::Conflict(m) | SurveyError::Refused(m) if is_chinese(m) => m.clone(),
            SurveyError::Conflict(m) if m.contains("feedback") => {
                "征集结束后才能发布征集结果反馈".into()
            }
            SurveyError::Conflict(m) if m.contains("closed") => "该征集调查已结束".into(),
            SurveyError::Conflict(_) | SurveyError::Refused(_) => {
                "该征集调查当前的状态不允许这样操作".into()
            }
            SurveyError::Stored(_) | SurveyError::Db(_) => "系统暂时无法处理，请稍后再试".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_in_chinese() {
        let e = SurveyError::Invalid {
            field: "questions[1].options".into(),
            message: "a single-choice question needs 2–20 options".into(),
        };
        assert_eq!(e.chinese(), "第 2 题是选择题，须有 2–20 个选项");
        let e = SurveyError::Invalid {
            field: "questions[0].options[2]".into(),
            message: "`a` is listed twice".into(),
        };
        assert_eq!(e.chinese(), "第 1 题的第 3 个选项与前面的选项重复");
        assert!(
            SurveyError::Conflict("已收到 1 份答卷".into())
                .chinese()
                .contains("答卷")
        );
    }
}
