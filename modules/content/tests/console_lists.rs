//! What the staff console lists across sites: a reviewer's queue (submitted work of some
//! sites, oldest first), a person's own articles, who submitted, and the audit log filtered
//! by site, person, action and time, paged with a total.

use govnode_content::{
    ArticleInput, AuditFilter, ColumnInput, Content, SiteFooter, SiteInput, SiteScope, State,
    Transition, WorkQuery,
};
use govnode_federation::testing::{standalone_root, temp_database};
use govnode_library::BlobStore;
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_library::MIGRATOR,
    &govnode_content::MIGRATOR,
];

async fn site(content: &Content, id: &str, name: &str) {
    let input = SiteInput {
        id: id.into(),
        name: name.into(),
        hosts: vec![],
        owner_body: "办公厅".into(),
        body_code: "006939748".into(),
        region: "440000".into(),
        footer: SiteFooter::default(),
    };
    content.create_site("admin", &input).await.unwrap();
    let column = ColumnInput {
        slug: "news".into(),
        name: "要闻动态".into(),
        kind: "news".into(),
        parent: None,
        update_interval_days: None,
        position: 1,
    };
    content.create_column("admin", id, &column).await.unwrap();
}

async fn article(content: &Content, who: &str, site: &str, title: &str) -> i64 {
    let input = ArticleInput {
        column: Some("news".into()),
        title: title.into(),
        body: "正文。".into(),
        ..ArticleInput::default()
    };
    content.create_article(who, site, &input).await.unwrap().id
}

#[tokio::test]
async fn queues_own_work_and_a_filtered_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let blobs = BlobStore::new(
        &dir.path().join("blobs"),
        read.clone(),
        write.clone(),
        1 << 20,
    );
    let content = Content::new(read, write, blobs).with_federation(fed);
    site(&content, "gd", "广东省人民政府").await;
    site(&content, "gz", "广州市人民政府").await;

    let first = article(&content, "li", "gd", "第一篇").await;
    let second = article(&content, "li", "gd", "第二篇").await;
    let other = article(&content, "chen", "gz", "广州一篇").await;
    let draft = article(&content, "li", "gd", "草稿").await;
    for id in [first, second, other] {
        let by = if id == other { "chen" } else { "li" };
        content
            .transition(by, id, Transition::Submit, None, None)
            .await
            .unwrap();
    }

    // The queue of gd: its submitted work, oldest first; nothing of gz.
    let queue = content
        .work(&WorkQuery {
            scopes: Some(vec![SiteScope {
                site: "gd".into(),
                columns: None,
            }]),
            states: vec![State::Submitted],
            oldest_first: true,
            limit: 50,
            ..WorkQuery::default()
        })
        .await
        .unwrap();
    let ids: Vec<i64> = queue.iter().map(|a| a.id).collect();
    assert_eq!(ids, [first, second]);
    // No site named: nothing (never everything).
    let none = WorkQuery {
        scopes: Some(vec![]),
        limit: 50,
        ..WorkQuery::default()
    };
    assert!(content.work(&none).await.unwrap().is_empty());
    // A reviewer limited to another column of gd sees none of it.
    let other_column = WorkQuery {
        scopes: Some(vec![SiteScope {
            site: "gd".into(),
            columns: Some(vec!["tzgg".into()]),
        }]),
        states: vec![State::Submitted],
        limit: 50,
        ..WorkQuery::default()
    };
    assert!(content.work(&other_column).await.unwrap().is_empty());
    // li's drafts anywhere.
    let mine = content
        .work(&WorkQuery {
            states: vec![State::Draft],
            author: Some("li".into()),
            limit: 50,
            ..WorkQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|a| a.id).collect::<Vec<_>>(), [draft]);

    let (who, _) = content
        .last_action(second, "submit")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who, "li");
    assert_eq!(content.last_action(draft, "submit").await.unwrap(), None);

    content
        .transition("wang", first, Transition::Reject, Some("标题有误"), None)
        .await
        .unwrap();

    // The audit log by site, person and action, paged, with the total.
    let gd_only = AuditFilter {
        sites: Some(vec!["gd".into()]),
        limit: 2,
        ..AuditFilter::default()
    };
    let page = content.audit_filtered(&gd_only).await.unwrap();
    assert_eq!(page.records.len(), 2);
    // gd: 1 site + 1 column + 3 creates + 2 submits + 1 reject = 8 records.
    assert_eq!(page.total, 8);
    assert!(page.records.iter().all(|r| r.site.as_deref() == Some("gd")));
    let rejects = AuditFilter {
        actor: Some("wang".into()),
        action: Some("reject".into()),
        limit: 100,
        ..AuditFilter::default()
    };
    let page = content.audit_filtered(&rejects).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.records[0].detail, "标题有误");
    let future = AuditFilter {
        from_ms: Some(i64::MAX - 1),
        limit: 100,
        ..AuditFilter::default()
    };
    assert_eq!(content.audit_filtered(&future).await.unwrap().total, 0);
    let people = content
        .audit_actors(Some(&["gz".to_string()]))
        .await
        .unwrap();
    assert!(people.contains(&"chen".to_string()));
    assert!(!people.contains(&"li".to_string()));
}
