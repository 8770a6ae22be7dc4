//! Index maintenance (upsert, remove, clear, persistence), filters, counts and paging.

mod common;

use std::sync::Arc;

use common::*;
use govnode_search::{Change, SearchIndex, SearchQuery};

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        ..SearchQuery::default()
    }
}

#[test]
fn new_index_is_empty() {
    let index = SearchIndex::in_memory().unwrap();
    assert_eq!(index.num_docs(), 0);
    assert_eq!(index.applied_through(), 0);
    assert_eq!(search(&index, "社会保险").total, 0);
}

#[test]
fn upsert_with_the_same_key_replaces() {
    let index = index_with(vec![social_insurance_law()]);
    assert_eq!(index.num_docs(), 1);
    let mut revised = social_insurance_law();
    revised.title = "中华人民共和国社会保险法（2018年修正）".to_owned();
    index.apply(vec![Change::Upsert(revised)], 2).unwrap();
    assert_eq!(index.num_docs(), 1);
    assert_eq!(index.applied_through(), 2);
    let r = search(&index, "社会保险");
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].title, "中华人民共和国社会保险法（2018年修正）");
    assert_eq!(search(&index, "修正").total, 1);
}

#[test]
fn upserting_a_key_twice_in_one_batch_keeps_the_last() {
    let index = SearchIndex::in_memory().unwrap();
    let first = doc("1:1", "news", "第一版标题", "防汛抗旱工作会议召开。");
    let second = doc("1:1", "news", "第二版标题", "防汛抗旱工作会议召开。");
    index
        .apply(vec![Change::Upsert(first), Change::Upsert(second)], 7)
        .unwrap();
    assert_eq!(index.num_docs(), 1);
    let r = search(&index, "防汛");
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].title, "第二版标题");
}

#[test]
fn remove_is_visible_to_the_very_next_search() {
    let index = index_with(corpus());
    assert_eq!(search(&index, "待遇").total, 1);
    index
        .apply(
            vec![
                Change::Remove("100000:1".to_owned()),
                Change::Remove("999999:404".to_owned()), // absent: fine
            ],
            2,
        )
        .unwrap();
    assert_eq!(search(&index, "待遇").total, 0);
    assert_eq!(index.num_docs(), 4);
    // Remove then re-add in one batch: present afterwards.
    index
        .apply(
            vec![
                Change::Remove("100000:1".to_owned()),
                Change::Upsert(social_insurance_law()),
            ],
            3,
        )
        .unwrap();
    assert_eq!(search(&index, "待遇").total, 1);
    // Empty batch still records the sequence number.
    index.apply(Vec::new(), 4).unwrap();
    assert_eq!(index.applied_through(), 4);
}

#[test]
fn site_origin_and_doc_type_filters() {
    let index = index_with(corpus());
    let all = search(&index, "社会保险");
    assert_eq!(all.total, 2);

    let r = index
        .search(&SearchQuery {
            site: Some("sz".to_owned()),
            ..query("社会保险")
        })
        .unwrap();
    assert_eq!(keys(&r), ["440300:7"]);

    let r = index
        .search(&SearchQuery {
            origin: Some("100000".to_owned()),
            ..query("社会保险")
        })
        .unwrap();
    assert_eq!(keys(&r), ["100000:1"]);

    let r = index
        .search(&SearchQuery {
            doc_type: Some("policy".to_owned()),
            ..query("社会保险")
        })
        .unwrap();
    assert_eq!(keys(&r), ["100000:1"]);

    let r = index
        .search(&SearchQuery {
            site: Some("gd".to_owned()),
            ..query("社会保险")
        })
        .unwrap();
    assert_eq!(r.total, 0);

    let r = index
        .search(&SearchQuery {
            site: Some("sz".to_owned()),
            doc_type: Some("news".to_owned()),
            ..query("深圳")
        })
        .unwrap();
    assert_eq!(keys(&r), ["440300:99"]);
}

#[test]
fn type_counts_ignore_the_doc_type_filter() {
    let mut docs = corpus();
    for i in 0..3 {
        docs.push(doc(
            &format!("440000:{}", 200 + i),
            "news",
            "全省就业形势总体稳定",
            "今年以来，全省城镇新增就业保持增长，就业形势总体稳定。",
        ));
    }
    let index = index_with(docs);
    let expected = vec![
        ("news".to_owned(), 3),
        ("guide".to_owned(), 1),
        ("notice".to_owned(), 1),
    ];
    // 就业: 3 news + the notice + the guide (灵活就业).
    let r = search(&index, "就业");
    assert_eq!(r.total, 5);
    assert_eq!(r.type_counts, expected);

    let r = index
        .search(&SearchQuery {
            doc_type: Some("guide".to_owned()),
            ..query("就业")
        })
        .unwrap();
    assert_eq!(keys(&r), ["440000:30"]);
    assert_eq!(r.total, 1);
    assert_eq!(r.type_counts, expected);

    // The site filter does apply to the counts.
    let r = index
        .search(&SearchQuery {
            site: Some("sz".to_owned()),
            ..query("就业")
        })
        .unwrap();
    assert_eq!(r.total, 0);
    assert!(r.type_counts.is_empty());
}

#[test]
fn pagination() {
    let docs: Vec<_> = (0..15)
        .map(|i| {
            let mut d = doc(
                &format!("440000:{i}"),
                "notice",
                &format!("关于做好第{i}批高标准农田建设项目验收工作的通知"),
                "请各地按照高标准农田建设标准组织验收。",
            );
            d.published = MARCH_2024 + i;
            d
        })
        .collect();
    let index = index_with(docs);
    let page = |page, per_page| {
        index
            .search(&SearchQuery {
                page,
                per_page,
                ..query("农田")
            })
            .unwrap()
    };
    let first = page(1, 10);
    let second = page(2, 10);
    assert_eq!(first.total, 15);
    assert_eq!(second.total, 15);
    assert_eq!(first.hits.len(), 10);
    assert_eq!(second.hits.len(), 5);
    let mut all: Vec<&str> = keys(&first);
    all.extend(keys(&second));
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 15, "pages overlap");
    // Page 0 is page 1; per_page 0 is 10.
    assert_eq!(keys(&page(0, 0)), keys(&first));
    assert!(page(3, 10).hits.is_empty());
    assert_eq!(page(1, 1000).hits.len(), 15);
    // Absurd pages return no hits (but the total), never an error.
    let far = page(usize::MAX, 100);
    assert!(far.hits.is_empty());
    assert_eq!(far.total, 15);
}

#[test]
fn applied_through_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.applied_through(), 0);
        index
            .apply(corpus().into_iter().map(Change::Upsert).collect(), 41)
            .unwrap();
        index
            .apply(vec![Change::Remove("440300:99".to_owned())], 42)
            .unwrap();
        assert_eq!(index.applied_through(), 42);
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.applied_through(), 42);
    assert_eq!(index.num_docs(), 4);
    assert_eq!(keys(&search(&index, "待遇")), ["100000:1"]);
    assert_eq!(search(&index, "营商环境").total, 0);

    // A directory that does not exist yet is created.
    let nested = dir.path().join("a").join("b");
    let fresh = SearchIndex::open(&nested).unwrap();
    assert_eq!(fresh.num_docs(), 0);
}

#[test]
fn clear_empties_the_index_and_resets_through() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index
            .apply(corpus().into_iter().map(Change::Upsert).collect(), 9)
            .unwrap();
        assert_eq!(index.num_docs(), 5);
        index.clear().unwrap();
        assert_eq!(index.num_docs(), 0);
        assert_eq!(index.applied_through(), 0);
        assert_eq!(search(&index, "待遇").total, 0);
        // Usable again after clearing.
        index
            .apply(vec![Change::Upsert(pension_guide())], 3)
            .unwrap();
        assert_eq!(keys(&search(&index, "养老保险")), ["440000:30"]);
        index.clear().unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.num_docs(), 0);
    assert_eq!(index.applied_through(), 0);
}

#[test]
fn bulk_batch_and_concurrent_searches() {
    let index = Arc::new(SearchIndex::in_memory().unwrap());
    let batch: Vec<Change> = (0..2000)
        .map(|i| {
            let mut d = doc(
                &format!("440000:{i}"),
                if i % 2 == 0 { "news" } else { "notice" },
                &format!("第{i}号公告：关于开展安全生产大检查的通知"),
                "为深入贯彻落实安全生产责任制，切实防范化解重大安全风险，决定在全省开展安全生产大检查。",
            );
            d.published = MARCH_2024 + i;
            Change::Upsert(d)
        })
        .collect();
    index.apply(batch, 2000).unwrap();
    assert_eq!(index.num_docs(), 2000);

    let readers: Vec<_> = (0..4)
        .map(|_| {
            let index = Arc::clone(&index);
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let r = search(&index, "安全生产");
                    assert!(r.total >= 2000);
                    assert_eq!(r.hits.len(), 10);
                }
            })
        })
        .collect();
    index
        .apply(vec![Change::Upsert(social_insurance_law())], 2001)
        .unwrap();
    for reader in readers {
        reader.join().unwrap();
    }
    let r = search(&index, "安全生产");
    assert_eq!(r.total, 2000);
    assert_eq!(
        r.type_counts,
        vec![("news".to_owned(), 1000), ("notice".to_owned(), 1000)]
    );
    // Equal scores: newest first.
    assert_eq!(r.hits[0].key, "440000:1999");
}
