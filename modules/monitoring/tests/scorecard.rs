//! The scorecard of a site seeded with stale and blank columns and a consultation left
//! unanswered, under a controlled clock: the right findings, vetoes exactly at their
//! thresholds, the score, and the weekly history.

use govnode_content::ColumnKind;
use govnode_content::inspection::{ColumnInspection, SiteInspection};
use govnode_federation::testing::{standalone_root, temp_database};
use govnode_interaction::{Filing, Interaction};
use govnode_monitoring::scorecard::freshness::freshness_findings;
use govnode_monitoring::scorecard::history::iso_week;
use govnode_monitoring::{Indicator, Monitoring, Severity, Source};
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 4] = [
    &govnode_federation::MIGRATOR,
    &govnode_content::MIGRATOR,
    &govnode_interaction::MIGRATOR,
    &govnode_monitoring::MIGRATOR,
];

const DAY: i64 = 86_400_000;
/// Monday 2026-06-01 10:00 Beijing time.
const T0: i64 = 1_780_279_200_000;

fn column(name: &str, kind: ColumnKind, last: Option<i64>) -> ColumnInspection {
    ColumnInspection {
        id: 0,
        name: name.into(),
        kind,
        update_interval_days: None,
        has_children: false,
        live_articles: i64::from(last.is_some()),
        last_published_ms: last,
    }
}

/// Four news columns last published at T0 − 10 days (stale from T0 + 4 days), one notice
/// column at T0 − 170 days (stale from T0 + 13 days), a guide column due every 30 days,
/// four blank columns and a parent whose content is in its sub-column.
fn seeded() -> SiteInspection {
    let mut columns: Vec<ColumnInspection> = (1..=4)
        .map(|i| {
            column(
                &format!("工作动态{i}"),
                ColumnKind::News,
                Some(T0 - 10 * DAY),
            )
        })
        .collect();
    columns.push(column("通知公告", ColumnKind::Notice, Some(T0 - 170 * DAY)));
    let mut guide = column("办事指南", ColumnKind::Guide, Some(T0 - 20 * DAY));
    guide.update_interval_days = Some(30);
    columns.push(guide);
    columns.extend((1..=4).map(|i| column(&format!("空白栏目{i}"), ColumnKind::Qa, None)));
    let mut parent = column("专题专栏", ColumnKind::Topic, None);
    parent.has_children = true;
    columns.push(parent);
    columns.push(column("专题一", ColumnKind::Topic, Some(T0 - DAY)));
    SiteInspection {
        home_updated_ms: Some(T0 - DAY),
        columns,
    }
}

fn count(f: &[govnode_monitoring::Finding], i: Indicator, s: Severity) -> usize {
    f.iter()
        .filter(|x| x.indicator == i && x.severity == s)
        .count()
}

#[tokio::test]
async fn stale_and_blank_columns_score_and_veto_at_thresholds_with_weekly_history() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let interaction = Interaction::new(read.clone(), write.clone(), fed);
    let db = write.clone();
    let monitoring = Monitoring::new(read, write);
    let t = monitoring.thresholds().clone();
    let mut site = seeded();

    // Week 1, T0: four blank columns, nothing stale yet; no consultation channel at all.
    let f = freshness_findings("gd", &site, &t, T0);
    assert_eq!(count(&f, Indicator::BlankColumns, Severity::Deduction), 4);
    assert_eq!(count(&f, Indicator::BlankColumns, Severity::Veto), 0);
    assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Deduction), 0);
    assert_eq!(count(&f, Indicator::HomeStale, Severity::Veto), 0);
    monitoring
        .replace_findings("gd", Source::Freshness, &f)
        .await
        .unwrap();
    let f = monitoring
        .check_interaction(&interaction, "gd", T0)
        .await
        .unwrap();
    assert_eq!(count(&f, Indicator::NoConsultChannel, Severity::Veto), 1);
    let week1 = monitoring.record_week("gd", T0).await.unwrap();
    assert!(!week1.passed);
    assert_eq!(week1.veto_labels(), ["互动回应差：无咨询渠道"]);
    assert_eq!(week1.score, 96.0);

    // A body to write to opens the channel; a consultation is filed (at the real clock).
    let body = interaction
        .put_body("zwb", "政务服务办公室", "")
        .await
        .unwrap();
    // Taken before filing: the ticket is at most this old at `filed + n days`.
    let filed = govnode_federation::now_ms();
    let (code, _) = interaction
        .file(
            "gd",
            Filing {
                kind: "consultation".into(),
                body: body.id.clone(),
                subject: "公积金提取".into(),
                content: "请问退休后如何提取住房公积金？".into(),
                name: "张三".into(),
                phone: "13800138000".into(),
                id_number: String::new(),
                email: String::new(),
                consent_public: false,
                attachments: Vec::new(),
            },
            "client-1",
            Vec::new(),
        )
        .await
        .unwrap();
    let f = monitoring
        .check_interaction(&interaction, "gd", filed + 90 * DAY)
        .await
        .unwrap();
    assert!(
        f.is_empty(),
        "channel open, 90 days is within the limit: {f:?}"
    );

    // Week 2, T0 + 8 days: four news columns stale (one short of the veto), a fifth blank
    // column reaches the blank-column veto.
    let t8 = T0 + 8 * DAY;
    site.columns
        .push(column("空白栏目5", ColumnKind::Guide, None));
    let f = freshness_findings("gd", &site, &t, t8);
    assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Deduction), 4);
    assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Veto), 0);
    assert_eq!(count(&f, Indicator::BlankColumns, Severity::Veto), 1);
    let veto = f
        .iter()
        .find(|x| x.indicator == Indicator::BlankColumns && x.severity == Severity::Veto)
        .unwrap();
    assert!(veto.detail.contains("空白栏目5"), "{}", veto.detail);
    monitoring
        .replace_findings("gd", Source::Freshness, &f)
        .await
        .unwrap();
    monitoring
        .check_interaction(&interaction, "gd", t8)
        .await
        .unwrap();
    let week2 = monitoring.record_week("gd", t8).await.unwrap();
    assert_eq!(week2.veto_labels(), ["空白栏目"]);
    // 4 stale + 5 blank deductions, one point each.
    assert_eq!(week2.score, 91.0);

    // Week 3, T0 + 16 days: the notice column is stale too (5: veto), the guide is past its
    // own 30 days, the home page is 17 days old; the consultation, 91 days unanswered,
    // vetoes under its tracking code.
    let t16 = T0 + 16 * DAY;
    let f = freshness_findings("gd", &site, &t, t16);
    assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Deduction), 5);
    assert_eq!(count(&f, Indicator::ColumnsStale, Severity::Veto), 1);
    assert_eq!(
        count(&f, Indicator::ColumnsPastInterval, Severity::Deduction),
        1
    );
    assert_eq!(count(&f, Indicator::ColumnsPastInterval, Severity::Veto), 0);
    assert_eq!(count(&f, Indicator::HomeStale, Severity::Veto), 1);
    monitoring
        .replace_findings("gd", Source::Freshness, &f)
        .await
        .unwrap();
    let f = monitoring
        .check_interaction(&interaction, "gd", filed + 91 * DAY)
        .await
        .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].indicator, Indicator::UnansweredConsult);
    assert_eq!(f[0].subject, code);
    assert!(!f[0].detail.contains("张三") && !f[0].detail.contains("138"));
    let week3 = monitoring.record_week("gd", t16).await.unwrap();
    assert_eq!(
        week3.veto_labels(),
        [
            "首页不更新",
            "栏目不更新",
            "空白栏目",
            "互动回应差：咨询长期未答复"
        ]
    );
    assert_eq!(week3.score, 100.0 - 5.0 - 1.0 - 5.0);
    assert_eq!(week3.count(Indicator::ColumnsStale), 6);

    // Answered late still counts; answered in time, or filed before the window, does not.
    // (The reply is written straight into the row: the handling workflow is tested apart.)
    let reply = |after_days: i64| {
        sqlx::query(
            "UPDATE tickets SET state = 'replied', replied_ms = filed_ms + $1 WHERE code = $2",
        )
        .bind(after_days * DAY)
        .bind(code.clone())
        .execute(&db)
    };
    reply(95).await.unwrap();
    let f = monitoring
        .check_interaction(&interaction, "gd", filed + 100 * DAY)
        .await
        .unwrap();
    assert_eq!(f.len(), 1);
    assert!(f[0].detail.contains("95 天后才答复"), "{}", f[0].detail);
    let f = monitoring
        .check_interaction(&interaction, "gd", filed + 366 * DAY)
        .await
        .unwrap();
    assert!(f.is_empty(), "out of the year's window: {f:?}");
    reply(30).await.unwrap();
    let f = monitoring
        .check_interaction(&interaction, "gd", filed + 100 * DAY)
        .await
        .unwrap();
    assert!(f.is_empty(), "answered in time: {f:?}");
    // Back to the late answer for the rest of the week.
    reply(95).await.unwrap();
    monitoring
        .check_interaction(&interaction, "gd", filed + 100 * DAY)
        .await
        .unwrap();

    // Recording again in a week replaces that week's scorecard.
    monitoring.record_week("gd", t16 + DAY).await.unwrap();
    let history = monitoring.history("gd", 52).await.unwrap();
    let weeks: Vec<&str> = history.iter().map(|w| w.week.as_str()).collect();
    assert_eq!(weeks, [iso_week(T0), iso_week(t8), iso_week(t16)]);
    assert_eq!(weeks[0], "2026-W23");
    let scores: Vec<f64> = history.iter().map(|w| w.scorecard.score).collect();
    assert_eq!(scores, [96.0, 91.0, 89.0]);
    assert_eq!(history[2].scorecard.at_ms, t16 + DAY);
    assert_eq!(monitoring.history("gd", 2).await.unwrap().len(), 2);
    assert!(monitoring.history("other", 52).await.unwrap().is_empty());
}
