//! Validation of surveys and answers.

use serde_json::json;

use super::*;

const NOW: i64 = 1_750_000_000_000;

fn input() -> SurveyInput {
    serde_json::from_value(json!({
        "title": " 公交线路优化征求意见 ",
        "description": "请提出您的意见。",
        "body": "市交通运输局",
        "opens_at": NOW - 1000,
        "closes_at": NOW + 86_400_000,
        "questions": [
            { "kind": "single", "text": "您常坐公交吗？", "options": ["每天", "偶尔", "从不"], "required": true },
            { "kind": "multiple", "text": "您希望改进哪些方面？", "options": ["班次", "站点", "票价"] },
            { "kind": "text", "text": "其他建议" }
        ]
    }))
    .unwrap()
}

fn err(f: impl FnOnce(&mut SurveyInput)) -> String {
    let mut i = input();
    f(&mut i);
    i.checked(NOW).unwrap_err().to_string()
}

#[test]
fn a_good_survey_is_trimmed_and_accepted() {
    let s = input().checked(NOW).unwrap();
    assert_eq!(s.title, "公交线路优化征求意见");
    assert_eq!(s.questions.len(), 3);
    assert!(!s.questions[2].required);
}

#[test]
fn unknown_fields_and_kinds_are_refused() {
    let mut v = serde_json::to_value(input()).unwrap();
    v["colour"] = json!("red");
    let e = serde_json::from_value::<SurveyInput>(v)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `colour`"), "{e}");
    let mut v = serde_json::to_value(input()).unwrap();
    v["questions"][0]["kind"] = json!("ranking");
    let e = serde_json::from_value::<SurveyInput>(v)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ranking"), "{e}");
}

#[test]
fn every_bad_field_is_named() {
    assert!(err(|i| i.title = "  ".into()).starts_with("title: must be 1–100"));
    assert!(err(|i| i.title = "长".repeat(101)).starts_with("title:"));
    assert!(err(|i| i.body = String::new()).starts_with("body:"));
    assert!(err(|i| i.body = "gd".into()).starts_with("body:"));
    assert!(err(|i| i.description = "x".repeat(5001)).starts_with("description:"));
    assert!(err(|i| i.closes_at = i.opens_at).starts_with("closes_at: must be after opens_at"));
    assert!(
        err(|i| {
            i.opens_at = NOW - 10_000;
            i.closes_at = NOW - 1;
        })
        .starts_with("closes_at: must be in the future")
    );
    assert!(err(|i| i.opens_at = 0).starts_with("opens_at:"));
    assert!(err(|i| i.questions.clear()).starts_with("questions: a survey has 1–30"));
    assert!(
        err(|i| {
            let q = i.questions[0].clone();
            i.questions = vec![q; 31];
        })
        .starts_with("questions:")
    );
    assert_eq!(
        err(|i| i.questions[0].options.truncate(1)),
        "questions[0].options: a single-choice question needs 2–20 options"
    );
    assert_eq!(
        err(|i| i.questions[1].options = (0..21).map(|n| n.to_string()).collect()),
        "questions[1].options: a multiple-choice question needs 2–20 options"
    );
    assert_eq!(
        err(|i| i.questions[2].options = vec!["a".into()]),
        "questions[2].options: a text question has no options"
    );
    assert!(
        err(|i| i.questions[1].options[2] = " ".into()).starts_with("questions[1].options[2]:")
    );
    assert!(
        err(|i| i.questions[1].options[2] = "班次".into())
            .starts_with("questions[1].options[2]: `班次` is listed twice")
    );
    assert!(err(|i| i.questions[2].text = String::new()).starts_with("questions[2].text:"));
    assert!(err(|i| i.title = "a\u{0}b".into()).contains("control characters"));
}

fn answers(a: serde_json::Value) -> Result<Vec<Answer>, String> {
    let s = input().checked(NOW).unwrap();
    check_answers(&s.questions, a.as_array().unwrap()).map_err(|e| e.to_string())
}

#[test]
fn answers_are_checked_against_the_questions() {
    assert_eq!(
        answers(json!([0, [2, 0], "  多开夜班车  "])).unwrap(),
        vec![
            Answer::Single(0),
            Answer::Multiple(vec![0, 2]),
            Answer::Text("多开夜班车".into())
        ]
    );
    // Optional questions may be skipped: null, an empty list, blank text.
    assert_eq!(
        answers(json!([1, [], " "])).unwrap(),
        vec![Answer::Single(1), Answer::Skipped, Answer::Skipped]
    );
    assert_eq!(
        answers(json!([1, null, null])).unwrap(),
        vec![Answer::Single(1), Answer::Skipped, Answer::Skipped]
    );
}

#[test]
fn bad_answers_name_the_question() {
    let e = |a| answers(a).unwrap_err();
    assert_eq!(
        e(json!([null, null, null])),
        "answers[0]: this question is required"
    );
    assert!(e(json!([3, null, null])).starts_with("answers[0]: option indices run from 0 to 2"));
    assert!(e(json!([-1, null, null])).starts_with("answers[0]: a single-choice answer"));
    assert!(e(json!([[0], null, null])).starts_with("answers[0]: a single-choice answer"));
    assert!(e(json!(["0", null, null])).starts_with("answers[0]:"));
    assert!(e(json!([0, [1, 1], null])).starts_with("answers[1]: each option may be chosen once"));
    assert!(e(json!([0, 1, null])).starts_with("answers[1]: a multiple-choice answer is a list"));
    assert!(
        e(json!([0, ["a"], null])).starts_with("answers[1]: a multiple-choice answer is a list")
    );
    assert!(e(json!([0, [5], null])).starts_with("answers[1]: option indices"));
    assert!(e(json!([0, null, 5])).starts_with("answers[2]: a text answer is a string"));
    assert!(e(json!([0, null, "长".repeat(2001)])).starts_with("answers[2]: at most 2000"));
    assert!(answers(json!([0, null, "长".repeat(2000)])).is_ok());
    assert!(e(json!([0, null])).starts_with("answers: expected 3 answers"));
    assert!(e(json!([0, null, null, null])).starts_with("answers: expected 3 answers"));
}

#[test]
fn status_follows_the_dates() {
    let s = Survey {
        id: 1,
        site: "gd".into(),
        title: "t".into(),
        description: String::new(),
        body: "b".into(),
        opens_at: 100,
        closes_at: 200,
        questions: Vec::new(),
        feedback: None,
        feedback_ms: None,
        created_ms: 0,
        created_by: "x".into(),
        responses: 0,
        draft: false,
    };
    assert_eq!(s.status(99), Status::Upcoming);
    assert_eq!(s.status(100), Status::Open);
    assert_eq!(s.status(199), Status::Open);
    assert_eq!(s.status(200), Status::Closed);
}

#[test]
fn answers_round_trip_through_storage() {
    let a = vec![
        Answer::Skipped,
        Answer::Single(2),
        Answer::Multiple(vec![0, 1]),
        Answer::Text("x".into()),
    ];
    let s = serde_json::to_string(&a).unwrap();
    assert_eq!(s, r#"[null,2,[0,1],"x"]"#);
    assert_eq!(serde_json::from_str::<Vec<Answer>>(&s).unwrap(), a);
}
