//! What the console's 搜索管理 and 知识库 read from search: the dictionary in effect with
//! each entry's source, the unanswered questions of the Q&A assistant, and a query's
//! explanation.

use govnode_federation::testing::{standalone_root, temp_database};
use govnode_search::analytics::QueryAnalytics;
use govnode_search::dictionary::EntrySource;
use govnode_search::{Dictionary, ReadingKind, SearchIndex, Synonym};
use sqlx::migrate::Migrator;

static MIGRATIONS: [&Migrator; 2] = [&govnode_federation::MIGRATOR, &govnode_search::MIGRATOR];

#[tokio::test]
async fn a_standalone_node_keeps_the_shipped_dictionary_under_its_own_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let dictionary = Dictionary::new(read, write, fed);
    let shipped = |d: &[govnode_search::dictionary::EffectiveSynonym], p: &str| {
        d.iter()
            .find(|e| e.colloquial == p)
            .map(|e| e.source.clone())
    };
    let before = dictionary.effective_synonyms().await.unwrap();
    assert_eq!(shipped(&before, "社保卡"), Some(EntrySource::Shipped));

    dictionary
        .put_synonym(
            Synonym {
                colloquial: "开小店".into(),
                official: vec!["个体工商户登记".into()],
                category: String::new(),
            },
            "admin",
        )
        .await
        .unwrap();
    dictionary.remove_synonym("社保", "admin").await.unwrap();
    // The shipped phrases stay in effect under this level's own (they used to vanish with
    // the first local change).
    let lexicon = dictionary.lexicon().await.unwrap();
    assert!(lexicon.official("社保卡").is_some());
    assert!(lexicon.official("开小店").is_some());
    assert!(lexicon.official("社保").is_none());
    let after = dictionary.effective_synonyms().await.unwrap();
    assert_eq!(shipped(&after, "社保卡"), Some(EntrySource::Shipped));
    let added = after.iter().find(|e| e.colloquial == "开小店").unwrap();
    assert_eq!(
        (&added.source, &added.overrides),
        (&EntrySource::Here, &None)
    );
    let removed = after.iter().find(|e| e.colloquial == "社保").unwrap();
    assert!(removed.official.is_empty());
    assert_eq!(removed.overrides, Some(EntrySource::Shipped));
}

#[tokio::test]
async fn unanswered_questions_are_masked_counted_listed_and_dismissed() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
    let fed = standalone_root(&read, &write).await;
    let unanswered = QueryAnalytics::new(read, write, fed).unanswered();
    for _ in 0..3 {
        unanswered
            .record(Some("gd"), " 犬只登记在哪里办？电话13800138000 ")
            .await
            .unwrap();
    }
    unanswered.record(Some("gz"), "养犬证").await.unwrap();
    unanswered.record(Some("gd"), "   ").await.unwrap();
    let all = unanswered.list(None, 10).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].question, "犬只登记在哪里办?电话#");
    assert_eq!((all[0].site.as_str(), all[0].asked), ("gd", 3));
    assert!(all[0].first_ms <= all[0].last_ms);
    let gz = unanswered
        .list(Some(&["gz".to_string()]), 10)
        .await
        .unwrap();
    assert_eq!(gz.len(), 1);
    assert!(unanswered.dismiss("gd", &all[0].question).await.unwrap());
    assert!(!unanswered.dismiss("gd", &all[0].question).await.unwrap());
    // Asked again after dismissal: still not listed.
    unanswered
        .record(Some("gd"), "犬只登记在哪里办？电话13800138000")
        .await
        .unwrap();
    let left = unanswered.list(None, 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].question, "养犬证");
}

#[test]
fn a_query_is_explained_with_its_words_readings_and_dropped_question_words() {
    let index = SearchIndex::in_memory().unwrap();
    let e = index.explain("社保卡怎么补办").unwrap();
    assert_eq!(e.tokens, ["社保卡", "怎么", "补办"]);
    assert_eq!(e.dropped, ["怎么"]);
    let card = &e.parts[0];
    assert_eq!(card.readings[0].kind, ReadingKind::Typed);
    assert!(
        card.readings
            .iter()
            .any(|r| r.kind == ReadingKind::Synonym && r.words.join("") == "社会保障卡"),
        "{e:?}"
    );
    assert!(
        index.explain("怎么").is_ok(),
        "a question word alone is kept"
    );
    assert!(index.explain("？？").is_err());
}
