//! Column template sets ("1+N" 标准栏目) read back with the sites using them.

use govnode_content::{ColumnInput, Content, SiteInput};
use govnode_federation::testing::temp_database;
use govnode_library::BlobStore;
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_library::MIGRATOR,
    &govnode_content::MIGRATOR,
];

#[tokio::test]
async fn template_sets_list_their_columns_and_sites() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let blobs = BlobStore::new(&dir.path().join("blobs"), read.clone(), write.clone(), 1);
    let content = Content::new(read, write, blobs);
    assert!(content.template_sets().await.unwrap().is_empty());
    for id in ["a", "b"] {
        let site = SiteInput {
            id: id.into(),
            name: format!("站点{id}"),
            hosts: Vec::new(),
            owner_body: "某单位".into(),
            body_code: "006939748".into(),
            region: "440000".into(),
            footer: Default::default(),
        };
        content.create_site("admin", &site).await.unwrap();
    }
    let columns = vec![ColumnInput {
        slug: "tzgg".into(),
        name: "通知公告".into(),
        kind: "notice".into(),
        parent: None,
        update_interval_days: Some(14),
        position: 0,
    }];
    content
        .put_template_set("admin", "county", "县级标准栏目", &columns)
        .await
        .unwrap();
    let set = content.template_set("county").await.unwrap();
    assert_eq!(
        (set.name.as_str(), set.columns.clone()),
        ("县级标准栏目", columns)
    );
    assert!(set.sites.is_empty());
    content
        .apply_template_set("admin", "county", "b")
        .await
        .unwrap();
    let sets = content.template_sets().await.unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].sites, ["b"]);
    assert!(content.template_set("none").await.is_err());
}
