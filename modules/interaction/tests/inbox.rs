//! A handler's inbox under a burst: every open letter of a body is ranked and counted,
//! however many there are (a random-kill test once filed 5,883 letters to one body, and the
//! inbox read only the newest 5,000: the oldest, nearest their deadlines, were on no page).

use govnode_federation::testing::{standalone_root, temp_database};
use govnode_interaction::{Filing, Interaction};
use sqlx::Row;
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_content::MIGRATOR,
    &govnode_interaction::MIGRATOR,
];

const BURST: i64 = 6_000;
const OVERDUE: i64 = 900;

#[tokio::test]
async fn every_open_letter_of_a_burst_is_ranked_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let interaction = Interaction::new(read, write.clone(), fed);
    let body = interaction
        .put_body("hrss", "人力资源社会保障厅", "")
        .await
        .unwrap();
    let other = interaction.put_body("jyt", "教育厅", "").await.unwrap();
    let filing = |body: &str| Filing {
        kind: "consultation".into(),
        body: body.into(),
        subject: "社保转移接续".into(),
        content: "请问跨省转移养老保险需要哪些材料？".into(),
        name: "张三".into(),
        phone: "13800138000".into(),
        id_number: String::new(),
        email: String::new(),
        consent_public: false,
        attachments: Vec::new(),
    };
    let (code, _) = interaction
        .file("gd", filing(&body.id), "client-1", Vec::new())
        .await
        .unwrap();
    interaction
        .file("gd", filing(&other.id), "client-2", Vec::new())
        .await
        .unwrap();

    // The burst: copies of the filed letter, the oldest OVERDUE of them past their due day.
    let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('tickets')")
        .fetch_all(&write)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    let select: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "code" => "'B' || printf('%05d', i)".to_string(),
            "filed_ms" => "filed_ms + i".to_string(),
            "due_day" => {
                format!("CASE WHEN i <= {OVERDUE} THEN '2020-01-02' ELSE '2099-12-31' END")
            }
            other => other.to_string(),
        })
        .collect();
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {BURST}) \
         INSERT INTO tickets ({}) SELECT {} FROM tickets, n WHERE code = $1",
        columns.join(", "),
        select.join(", ")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&code)
        .execute(&write)
        .await
        .unwrap();

    let bodies = [body.id.clone()];
    let first = interaction.inbox(Some(&bodies), 0, 50).await.unwrap();
    assert_eq!(
        first.open,
        usize::try_from(BURST).unwrap() + 1,
        "every open letter counted"
    );
    assert_eq!(first.overdue, usize::try_from(OVERDUE).unwrap());
    assert_eq!(first.total, first.open, "nothing finished yet");
    // Overdue first, by due day, the oldest first: the burst's first letter leads.
    assert_eq!(first.tickets.len(), 50);
    assert_eq!(first.tickets[0].ticket.code, "B00001");
    assert!(
        first
            .tickets
            .iter()
            .all(|t| t.ticket.due_day == "2020-01-02")
    );
    // The last page holds the last of them; nothing of the other body anywhere.
    let last = interaction
        .inbox(Some(&bodies), first.open - 10, 50)
        .await
        .unwrap();
    assert_eq!(last.tickets.len(), 10);
    assert!(
        last.tickets
            .iter()
            .all(|t| t.ticket.body_id == body.id && t.ticket.due_day != "2020-01-02")
    );
    // The whole node's inbox counts both bodies.
    let all = interaction.inbox(None, 0, 10).await.unwrap();
    assert_eq!(all.open, first.open + 1);
    let others = interaction
        .inbox(Some(std::slice::from_ref(&other.id)), 0, 10)
        .await
        .unwrap();
    assert_eq!((others.open, others.tickets.len()), (1, 1));
}
