//! Notices of the letters desk (办件提醒) over the module's tables: written with the filing,
//! once per ticket and deadline, read marks per person, seen only within one's bodies, and
//! the mail bookkeeping (backoff, mailed).

use govnode_federation::now_ms;
use govnode_federation::testing::{standalone_root, temp_database};
use govnode_interaction::{Filing, HandlerAction, Interaction, NoticeKind, NoticeScope};
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_content::MIGRATOR,
    &govnode_interaction::MIGRATOR,
];

fn scope(body: &str) -> NoticeScope {
    NoticeScope {
        all: false,
        bodies: vec![body.to_string()],
    }
}

#[tokio::test]
async fn notices_once_per_event_read_per_person() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let i = Interaction::new(read, write, fed);
    let body = i.put_body("hrss", "人力资源社会保障厅", "").await.unwrap();
    i.put_body("edu", "教育厅", "").await.unwrap();
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
    let (code, _) = i.file("gd", filing, "client-1", Vec::new()).await.unwrap();
    let mine = scope(&body.id);
    let list = i.notices(&mine, 1, 10).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].kind, NoticeKind::Arrived);
    assert_eq!(
        (list[0].code.as_str(), list[0].read),
        (code.as_str(), false)
    );
    assert!(
        i.notices(&scope("440000.edu"), 1, 10)
            .await
            .unwrap()
            .is_empty()
    );

    i.act(&code, "h", None, HandlerAction::Accept)
        .await
        .unwrap();
    let due = i.handler_view(&code).await.unwrap().unwrap().ticket.due_day;
    let due = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap();
    for day in [
        due,
        due,
        due + chrono::Days::new(20),
        due + chrono::Days::new(21),
    ] {
        i.check_deadlines(day).await.unwrap();
    }
    let kinds: Vec<NoticeKind> = i
        .notices(&mine, 1, 10)
        .await
        .unwrap()
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    for k in [
        NoticeKind::Arrived,
        NoticeKind::DueSoon,
        NoticeKind::Overdue,
    ] {
        assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
    }

    // Read marks are per person and only within one's bodies.
    let first = i.notices(&mine, 1, 10).await.unwrap()[0].id.clone();
    assert!(
        !i.mark_notice_read(&scope("440000.edu"), 1, &first)
            .await
            .unwrap()
    );
    assert!(i.mark_notice_read(&mine, 1, &first).await.unwrap());
    assert_eq!(
        i.notice_counts(&mine, 1).await.unwrap().arrived
            + i.notice_counts(&mine, 1).await.unwrap().due_soon
            + i.notice_counts(&mine, 1).await.unwrap().overdue,
        2
    );
    let c2 = i.notice_counts(&mine, 2).await.unwrap();
    assert_eq!(
        c2.arrived + c2.due_soon + c2.overdue,
        3,
        "another person's marks are theirs"
    );
    assert_eq!(i.mark_all_notices_read(&mine, 1).await.unwrap(), 2);

    // Mail: a failure waits (backoff), a success is final.
    let now = now_ms();
    assert_eq!(i.notices_to_mail(now, 10).await.unwrap().len(), 3);
    assert_eq!(i.notice_mail_failed(&first, now).await.unwrap(), 1);
    assert_eq!(i.notices_to_mail(now, 10).await.unwrap().len(), 2);
    assert_eq!(i.notices_to_mail(now + 61_000, 10).await.unwrap().len(), 3);
    i.notice_mailed(&first).await.unwrap();
    assert_eq!(i.notices_to_mail(now + 61_000, 10).await.unwrap().len(), 2);
}
