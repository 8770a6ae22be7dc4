//! Content's tables over exactly the migrations it depends on (federation, library, its
//! own): a site and column read back, an article taken through review to publication.

use govnode_content::{
    ArticleInput, ColumnInput, ColumnKind, Content, SiteFooter, SiteInput, Transition,
};
use govnode_federation::testing::{standalone_root, temp_database};
use govnode_library::BlobStore;
use sqlx::migrate::Migrator;

/// Federation's, library's and content's migrations, merged as the node merges them.
static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_library::MIGRATOR,
    &govnode_content::MIGRATOR,
];

#[tokio::test]
async fn site_column_and_publication() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    // A standalone root node's federation, so every public change is also logged.
    let fed = standalone_root(&read, &write).await;
    let blobs = BlobStore::new(
        &dir.path().join("blobs"),
        read.clone(),
        write.clone(),
        1 << 20,
    );
    let content = Content::new(read, write, blobs).with_federation(fed.clone());

    let site = SiteInput {
        id: "gd".into(),
        name: "广东省人民政府".into(),
        hosts: vec!["www.gd.gov.cn".into()],
        owner_body: "广东省人民政府办公厅".into(),
        body_code: "006939748".into(),
        region: "440000".into(),
        footer: SiteFooter {
            site_code: "4400000114".into(),
            undertaker: "广东省政务服务数据管理局".into(),
            ..SiteFooter::default()
        },
    };
    content.create_site("admin", &site).await.unwrap();
    assert!(content.create_site("admin", &site).await.is_err());
    let by_host = content
        .site_by_host("www.gd.gov.cn")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (by_host.id.as_str(), by_host.origin.as_str()),
        ("gd", "440000")
    );
    // The footer given at creation is stored; an update replaces it whole, and a bad item
    // is refused naming its field, changing nothing.
    assert_eq!(by_host.footer, site.footer);
    let footer = SiteFooter {
        icp_record: " 粤ICP备05070829号 ".into(),
        email: "webmaster@gd.gov.cn".into(),
        ..SiteFooter::default()
    };
    let updated = content.set_footer("admin", "gd", &footer).await.unwrap();
    assert_eq!(updated.footer, footer.trimmed());
    assert_eq!(updated.footer.site_code, "");
    let bad = SiteFooter {
        email: "webmaster".into(),
        ..SiteFooter::default()
    };
    match content.set_footer("admin", "gd", &bad).await {
        Err(govnode_content::ContentError::Invalid { field, .. }) => assert_eq!(field, "email"),
        other => panic!("{other:?}"),
    }
    assert_eq!(content.site("gd").await.unwrap().footer, footer.trimmed());
    assert!(matches!(
        content.set_footer("admin", "nope", &footer).await,
        Err(govnode_content::ContentError::NotFound(_))
    ));

    let column = ColumnInput {
        slug: "news".into(),
        name: "要闻动态".into(),
        kind: "news".into(),
        parent: None,
        update_interval_days: Some(7),
        position: 1,
    };
    content.create_column("admin", "gd", &column).await.unwrap();
    let columns = content.columns("gd").await.unwrap();
    assert_eq!(columns.len(), 1);
    assert_eq!(
        (columns[0].slug.as_str(), columns[0].kind),
        ("news", ColumnKind::News)
    );

    let input = ArticleInput {
        column: Some("news".into()),
        title: "全省政务服务事项实现一网通办".into(),
        body: "正文。".into(),
        ..ArticleInput::default()
    };
    let article = content
        .create_article("editor", "gd", &input)
        .await
        .unwrap();
    for (who, t) in [
        ("editor", Transition::Submit),
        ("reviewer", Transition::Approve),
        ("editor", Transition::Publish),
    ] {
        content
            .transition(who, article.id, t, None, None)
            .await
            .unwrap();
    }
    let live = content.published("gd", article.id).await.unwrap().unwrap();
    assert_eq!(live.doc.title, input.title);
    // The index number's sequence comes from the library's table.
    assert!(
        live.index_number.starts_with("006939748/") && live.index_number.ends_with("-00001"),
        "{}",
        live.index_number
    );
    assert_eq!(content.last_change_seq().await.unwrap(), live.change_seq);
    // Site, column and article were logged as entries.
    assert!(fed.heads().await.unwrap()[0].seq >= 3);
}

/// Every page carries the top level of columns: a level holds at most 100 columns, so no
/// site makes every page huge; the refusal names the limit.
#[tokio::test]
async fn column_levels_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let blobs = BlobStore::new(&dir.path().join("blobs"), read.clone(), write.clone(), 1);
    let content = Content::new(read, write, blobs);
    let site = SiteInput {
        id: "gd".into(),
        name: "广东省人民政府".into(),
        hosts: Vec::new(),
        owner_body: "广东省人民政府办公厅".into(),
        body_code: "006939748".into(),
        region: "440000".into(),
        footer: Default::default(),
    };
    content.create_site("admin", &site).await.unwrap();
    let column = |slug: String, parent: Option<&str>| ColumnInput {
        slug,
        name: "栏目".into(),
        kind: "news".into(),
        parent: parent.map(str::to_string),
        update_interval_days: None,
        position: 0,
    };
    for i in 0..govnode_content::MAX_COLUMNS_PER_LEVEL {
        content
            .create_column("admin", "gd", &column(format!("c{i}"), None))
            .await
            .unwrap();
    }
    let err = content
        .create_column("admin", "gd", &column("one-more".into(), None))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 100"), "{err}");
    // Another level still has room.
    content
        .create_column("admin", "gd", &column("child".into(), Some("c0")))
        .await
        .unwrap();
}
