//! Surveys prepared in the console: a draft is hidden from citizens and takes no response
//! until published; its questions change until the first response, then are refused in
//! Chinese. And a level's own calendar and policy told apart from what it inherits.

use govnode_federation::now_ms;
use govnode_federation::testing::{standalone_root, temp_database};
use govnode_interaction::survey::{Question, QuestionKind, SurveyError, SurveyInput, Surveys};
use govnode_interaction::{Interaction, Settings};
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_content::MIGRATOR,
    &govnode_interaction::MIGRATOR,
];

fn input(now: i64, question: &str) -> SurveyInput {
    SurveyInput {
        title: "政务服务满意度调查".into(),
        description: String::new(),
        body: "广东省政务服务数据管理局".into(),
        opens_at: now - 1,
        closes_at: now + 86_400_000,
        questions: vec![Question {
            kind: QuestionKind::Single,
            text: question.into(),
            options: vec!["满意".into(), "不满意".into()],
            required: true,
        }],
    }
}

#[tokio::test]
async fn drafts_are_hidden_until_published_and_locked_by_the_first_response() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    sqlx::query(
        "INSERT INTO sites (id, name, owner_body, body_code, region, created_ms) \
         VALUES ('gd', '广东省人民政府', '办公厅', '006939748', '440000', 0)",
    )
    .execute(&write)
    .await
    .unwrap();
    let surveys = Surveys::new(read, write);
    let now = now_ms();
    let draft = surveys
        .create_draft("gd", "li", input(now, "您是否满意？"), now)
        .await
        .unwrap();
    assert!(draft.draft);
    // Hidden from citizens: not found, not listed, no response taken.
    assert!(matches!(
        surveys.get(draft.id).await,
        Err(SurveyError::NotFound(_))
    ));
    assert!(surveys.list("gd").await.unwrap().is_empty());
    assert!(
        surveys
            .respond(draft.id, "r1", &[serde_json::json!(0)], now)
            .await
            .is_err()
    );
    assert_eq!(surveys.staff_list("gd").await.unwrap().len(), 1);
    // Changed while a draft, then published.
    let changed = surveys
        .update(draft.id, input(now, "您对办事效率是否满意？"), now)
        .await
        .unwrap();
    assert_eq!(changed.questions[0].text, "您对办事效率是否满意？");
    let published = surveys.publish(draft.id, now).await.unwrap();
    assert!(!published.draft);
    assert!(surveys.publish(draft.id, now).await.is_err());
    assert_eq!(surveys.list("gd").await.unwrap().len(), 1);
    surveys
        .respond(draft.id, "r1", &[serde_json::json!(0)], now)
        .await
        .unwrap();
    // After the first response the questions stay as answered.
    let e = surveys
        .update(draft.id, input(now, "改过的题目"), now)
        .await
        .unwrap_err();
    assert!(matches!(e, SurveyError::Conflict(_)), "{e}");
    assert!(
        e.chinese().contains("已收到 1 份答卷，不能再修改题目"),
        "{}",
        e.chinese()
    );
    let kept = surveys.staff_get(draft.id).await.unwrap();
    assert_eq!(kept.questions[0].text, "您对办事效率是否满意？");
}

#[tokio::test]
async fn a_levels_own_setting_is_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let interaction = Interaction::new(read, write, fed);
    let levels = interaction.settings_levels().await.unwrap();
    assert!(levels.own.is_none() && levels.inherited.is_none());
    let mut s: Settings = levels.in_force();
    s.policy.working_days.insert("consultation".into(), 10);
    s.calendar = "2027-01-01 holiday 元旦\n".into();
    interaction.set_settings(s.clone()).await.unwrap();
    let levels = interaction.settings_levels().await.unwrap();
    assert_eq!(levels.own.as_ref(), Some(&s));
    assert_eq!(levels.below_own().policy.working_days["consultation"], 3);
    assert!(interaction.calendar().covers(2027));
    assert_eq!(interaction.policy().working_days["consultation"], 10);
}
