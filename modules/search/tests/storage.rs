//! The search dictionary's tables over exactly the migrations it depends on (federation,
//! its own): a synonym stored, listed, versioned and logged, then removed.

use govnode_federation::testing::{standalone_root, temp_database};
use govnode_search::{Dictionary, Synonym};
use sqlx::migrate::Migrator;

/// Federation's and search's migrations, merged as the node merges them.
static MIGRATIONS: [&Migrator; 2] = [&govnode_federation::MIGRATOR, &govnode_search::MIGRATOR];

#[tokio::test]
async fn dictionary_stores_a_synonym() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    // A standalone root node's federation: the dictionary signs its changes with it.
    let fed = standalone_root(&read, &write).await;
    let dictionary = Dictionary::new(read, write, fed.clone());

    let synonym = Synonym {
        colloquial: "办暂住证".into(),
        official: vec!["居住证办理".into()],
        category: "public-security".into(),
    };
    let version = dictionary.put_synonym(synonym, "editor").await.unwrap();
    assert_eq!(version, 1);
    let rows = dictionary.synonyms().await.unwrap();
    let row = rows.iter().find(|r| r.colloquial == "办暂住证").unwrap();
    assert_eq!(
        (row.origin.as_str(), row.official.as_slice(), row.version),
        ("440000", &["居住证办理".to_string()][..], 1)
    );
    assert_eq!(
        dictionary.versions().await.unwrap(),
        [("440000".to_string(), 1)]
    );
    assert_eq!(dictionary.history(10).await.unwrap()[0].by_user, "editor");
    assert_eq!(fed.heads().await.unwrap()[0].seq, 1);

    assert_eq!(
        dictionary
            .remove_synonym("办暂住证", "editor")
            .await
            .unwrap(),
        2
    );
    assert!(
        dictionary
            .lexicon()
            .await
            .unwrap()
            .official("办暂住证")
            .is_none()
    );
}
