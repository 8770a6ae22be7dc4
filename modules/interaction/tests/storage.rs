//! Interaction's tables over exactly the migrations they depend on (federation, through
//! which tickets travel; content, whose sites surveys belong to; its own): a ticket filed
//! and tracked, a survey stored and listed.

use govnode_federation::now_ms;
use govnode_federation::testing::{standalone_root, temp_database};
use govnode_interaction::survey::{Question, QuestionKind, SurveyInput, Surveys};
use govnode_interaction::{Filing, Interaction, InteractionError};
use sqlx::migrate::Migrator;

/// Federation's, content's and interaction's migrations, merged as the node merges them.
static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_content::MIGRATOR,
    &govnode_interaction::MIGRATOR,
];

#[tokio::test]
async fn ticket_filed_and_tracked() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    // A standalone root node's federation: tickets and bodies are signed with it.
    let fed = standalone_root(&read, &write).await;
    let interaction = Interaction::new(read, write, fed);

    let body = interaction
        .put_body("hrss", "人力资源社会保障厅", "")
        .await
        .unwrap();
    assert_eq!(
        interaction.bodies().await.unwrap(),
        std::slice::from_ref(&body)
    );
    let filing = Filing {
        kind: "consultation".into(),
        body: body.id.clone(),
        subject: "社保转移接续".into(),
        content: "请问跨省转移养老保险需要哪些材料？".into(),
        name: "张三".into(),
        phone: "13800138000".into(),
        id_number: String::new(),
        email: String::new(),
        consent_public: false,
        attachments: Vec::new(),
    };
    let (code, password) = interaction
        .file("gd", filing, "client-1", Vec::new())
        .await
        .unwrap();
    let view = interaction.citizen_view(&code, &password).await.unwrap();
    assert_eq!(view.ticket.body_id, body.id);
    assert_eq!(view.ticket.state, "submitted");
    assert!(view.holder, "the body is on this node");
    assert_eq!(view.events.len(), 1);
    assert!(interaction.citizen_view(&code, "wrong").await.is_err());
}

#[tokio::test]
async fn wrong_passwords_lock_a_ticket_for_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let interaction = Interaction::new(read.clone(), write.clone(), fed);
    let body = interaction
        .put_body("hrss", "人力资源社会保障厅", "")
        .await
        .unwrap();
    let filing = Filing {
        kind: "consultation".into(),
        body: body.id.clone(),
        subject: "社保转移接续".into(),
        content: "请问跨省转移养老保险需要哪些材料？".into(),
        name: "张三".into(),
        phone: "13800138000".into(),
        id_number: String::new(),
        email: String::new(),
        consent_public: false,
        attachments: Vec::new(),
    };
    let (code, password) = interaction
        .file("gd", filing, "client-1", Vec::new())
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM tickets WHERE code = $1")
        .bind(&code)
        .fetch_one(&read)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    // A good password clears what wrong ones counted.
    for _ in 0..9 {
        let e = interaction.citizen_view(&code, "wrong").await.unwrap_err();
        assert!(matches!(e, InteractionError::NotFound(_)), "{e}");
    }
    interaction.citizen_view(&code, &password).await.unwrap();
    for i in 0..10 {
        let e = interaction.citizen_view(&code, "wrong").await.unwrap_err();
        assert!(matches!(e, InteractionError::NotFound(_)), "{i}: {e}");
    }
    for p in ["wrong", password.as_str()] {
        let e = interaction.citizen_view(&code, p).await.unwrap_err();
        assert!(matches!(e, InteractionError::RateLimited(_)), "{e}");
        assert!(e.to_string().contains("try again after"), "{e}");
    }
    // The hour over, a wrong password starts a new window.
    sqlx::query("UPDATE ticket_password_failures SET since_ms = since_ms - 3600000")
        .execute(&write)
        .await
        .unwrap();
    assert!(matches!(
        interaction.citizen_view(&code, "wrong").await.unwrap_err(),
        InteractionError::NotFound(_)
    ));
    let n: i64 = sqlx::query_scalar("SELECT n FROM ticket_password_failures WHERE code = $1")
        .bind(&code)
        .fetch_one(&read)
        .await
        .unwrap();
    assert_eq!(n, 1);
    interaction.citizen_view(&code, &password).await.unwrap();
}

#[tokio::test]
async fn survey_stored_on_an_existing_site_only() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    // The site row stands for what content would have created.
    sqlx::query(
        "INSERT INTO sites (id, name, owner_body, body_code, region, created_ms) \
         VALUES ('gd', '广东省人民政府', '办公厅', '006939748', '440000', 0)",
    )
    .execute(&write)
    .await
    .unwrap();
    let surveys = Surveys::new(read, write);
    let now = now_ms();
    let input = SurveyInput {
        title: "政务服务满意度调查".into(),
        description: String::new(),
        body: "广东省政务服务数据管理局".into(),
        opens_at: now,
        closes_at: now + 86_400_000,
        questions: vec![Question {
            kind: QuestionKind::Single,
            text: "您对办事效率是否满意？".into(),
            options: vec!["满意".into(), "不满意".into()],
            required: true,
        }],
    };

    let survey = surveys
        .create("gd", "admin", input.clone(), now)
        .await
        .unwrap();
    assert_eq!(surveys.get(survey.id).await.unwrap().title, input.title);
    assert_eq!(surveys.list("gd").await.unwrap().len(), 1);
    // surveys.site_id references content's sites table.
    assert!(
        surveys
            .create("nowhere", "admin", input, now)
            .await
            .is_err()
    );
}
