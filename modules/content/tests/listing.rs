//! Finding articles for the console's 信息管理: only within the scopes a person may see,
//! by site, column, state and words of the title (never of the body), paged with a total.

use govnode_content::{
    ArticleInput, ArticleSearch, ColumnInput, Content, SiteFooter, SiteInput, SiteScope, State,
    Transition,
};
use govnode_federation::testing::temp_database;
use govnode_library::BlobStore;
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_library::MIGRATOR,
    &govnode_content::MIGRATOR,
];

async fn site(content: &Content, id: &str, name: &str, columns: &[&str]) {
    let input = SiteInput {
        id: id.into(),
        name: name.into(),
        hosts: vec![],
        owner_body: name.into(),
        body_code: "006939748".into(),
        region: "440000".into(),
        footer: SiteFooter::default(),
    };
    content.create_site("admin", &input).await.unwrap();
    for (i, slug) in columns.iter().enumerate() {
        let column = ColumnInput {
            slug: (*slug).into(),
            name: format!("栏目{slug}"),
            kind: "news".into(),
            parent: None,
            update_interval_days: None,
            position: i64::try_from(i).unwrap(),
        };
        content.create_column("admin", id, &column).await.unwrap();
    }
}

async fn article(content: &Content, site: &str, column: &str, title: &str, body: &str) -> i64 {
    let input = ArticleInput {
        column: Some(column.into()),
        title: title.into(),
        body: body.into(),
        ..ArticleInput::default()
    };
    content
        .create_article("editor", site, &input)
        .await
        .unwrap()
        .id
}

fn titles(l: &govnode_content::ArticleListing) -> Vec<&str> {
    l.rows.iter().map(|r| r.title.as_str()).collect()
}

#[tokio::test]
async fn scopes_filters_words_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let blobs = BlobStore::new(
        &dir.path().join("blobs"),
        read.clone(),
        write.clone(),
        1 << 20,
    );
    let content = Content::new(read, write, blobs);
    site(&content, "gd", "广东省人民政府", &["news", "notice"]).await;
    site(&content, "gz", "广州市人民政府", &["news"]).await;
    let a = article(
        &content,
        "gd",
        "news",
        "全省一网通办 100% 上线",
        "正文提到“养老”",
    )
    .await;
    let b = article(&content, "gd", "notice", "关于养老服务的通知", "正文。").await;
    article(&content, "gz", "news", "广州养老服务", "正文。").await;
    content
        .transition("editor", b, Transition::Submit, None, None)
        .await
        .unwrap();

    let all = content
        .search_articles(&ArticleSearch {
            limit: 50,
            ..ArticleSearch::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, 3);
    // Newest change first (then the newer article, for changes in the same millisecond).
    let keys: Vec<(i64, i64)> = all.rows.iter().map(|r| (r.updated_ms, r.id)).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(keys, sorted);
    let notice = all.rows.iter().find(|r| r.id == b).unwrap();
    assert_eq!(
        (notice.column_name.as_str(), notice.state),
        ("栏目notice", State::Submitted)
    );

    let gd_only = ArticleSearch {
        scopes: Some(vec![SiteScope {
            site: "gd".into(),
            columns: None,
        }]),
        limit: 50,
        ..ArticleSearch::default()
    };
    let l = content.search_articles(&gd_only).await.unwrap();
    assert_eq!(l.total, 2);
    assert!(l.rows.iter().all(|r| r.site == "gd"));
    // Asking for another site within one's scopes finds nothing.
    let l = content
        .search_articles(&ArticleSearch {
            site: Some("gz".into()),
            ..gd_only.clone()
        })
        .await
        .unwrap();
    assert_eq!(l.total, 0);
    // A column-limited scope.
    let news_only = ArticleSearch {
        scopes: Some(vec![SiteScope {
            site: "gd".into(),
            columns: Some(vec!["news".into()]),
        }]),
        limit: 50,
        ..ArticleSearch::default()
    };
    let l = content.search_articles(&news_only).await.unwrap();
    assert_eq!((l.total, l.rows[0].id), (1, a));
    // No scope at all sees nothing.
    let none = ArticleSearch {
        scopes: Some(vec![]),
        limit: 50,
        ..ArticleSearch::default()
    };
    assert_eq!(content.search_articles(&none).await.unwrap().total, 0);

    // Words of the title, never of the body; LIKE's wildcards are literal.
    let words = |w: &[&str]| ArticleSearch {
        words: w.iter().map(|s| s.to_string()).collect(),
        limit: 50,
        ..ArticleSearch::default()
    };
    let l = content.search_articles(&words(&["养老"])).await.unwrap();
    let mut found = titles(&l);
    found.sort_unstable();
    assert_eq!(found, ["关于养老服务的通知", "广州养老服务"]);
    let l = content
        .search_articles(&words(&["养老", "通知"]))
        .await
        .unwrap();
    assert_eq!(titles(&l), ["关于养老服务的通知"]);
    assert_eq!(
        content
            .search_articles(&words(&["100%"]))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        content
            .search_articles(&words(&["0%上"]))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        content.search_articles(&words(&["_"])).await.unwrap().total,
        0
    );

    // State, column, paging.
    let l = content
        .search_articles(&ArticleSearch {
            state: Some(State::Submitted),
            limit: 50,
            ..ArticleSearch::default()
        })
        .await
        .unwrap();
    assert_eq!((l.total, l.rows[0].id), (1, b));
    let l = content
        .search_articles(&ArticleSearch {
            site: Some("gd".into()),
            column: Some("news".into()),
            limit: 50,
            ..ArticleSearch::default()
        })
        .await
        .unwrap();
    assert_eq!(titles(&l), ["全省一网通办 100% 上线"]);
    let page2 = content
        .search_articles(&ArticleSearch {
            limit: 2,
            offset: 2,
            ..ArticleSearch::default()
        })
        .await
        .unwrap();
    assert_eq!((page2.total, page2.rows.len()), (3, 1));
}
