//! Best match when every word finds too little, and places as preferences (issue 17).

mod common;

use common::*;
use govnode_search::Document;

/// A regulation of a region: its origin, site and issuing body.
fn regulation(key: &str, origin: &str, issuer: &str, title: &str, body: &str) -> Document {
    let mut d = doc(key, "law", title, body);
    d.origin = origin.to_owned();
    d.issuing_body = issuer.to_owned();
    d
}

fn dogs() -> Vec<Document> {
    vec![
        regulation(
            "440300:1",
            "440300",
            "深圳市人民代表大会常务委员会",
            "深圳经济特区养犬管理条例",
            "饲养犬只应当办理养犬登记，携犬出户应当束犬链。",
        ),
        regulation(
            "440100:1",
            "440100",
            "广州市人民代表大会常务委员会",
            "广州市养犬管理条例",
            "个人饲养犬只应当办理养犬登记，每户限养一只。",
        ),
        regulation(
            "100000:7",
            "100000",
            "全国人民代表大会常务委员会",
            "中华人民共和国动物防疫法",
            "饲养犬只的单位和个人应当按照规定定期免疫接种狂犬病疫苗，凭动物诊疗机构出具的免疫证明向所在地养犬登记机关申请登记。",
        ),
    ]
}

#[test]
fn a_query_sharing_some_words_finds_the_best_partial_match() {
    let index = index_with(corpus());
    // No document has both; the AND plan alone finds nothing.
    let r = search(&index, "社会保险 区块链");
    assert!(r.relaxed, "{r:?}");
    assert!(r.total >= 1, "{r:?}");
    assert!(r.hits[0].title.contains("社会保险"), "{:?}", keys(&r));

    // Words of a question that no single document holds together: the one holding most
    // of them, by its title, comes first.
    let r = search(&index, "社会保险待遇 宪法 区块链 无人机");
    assert!(r.relaxed);
    assert_eq!(keys(&r).first(), Some(&"100000:1"), "{:?}", keys(&r));
}

#[test]
fn what_matched_every_word_comes_first() {
    let index = index_with(corpus());
    // One document has both words; the others with one of them follow it.
    let r = search(&index, "养老保险 宪法");
    assert_eq!(keys(&r).first(), Some(&"100000:1"), "{:?}", keys(&r));
    assert!(r.relaxed);
    assert!(r.total >= 2, "{:?}", keys(&r));
}

#[test]
fn a_query_whose_words_all_match_is_not_relaxed() {
    let docs: Vec<Document> = (1..=4)
        .map(|i| {
            doc(
                &format!("440000:{i}"),
                "policy",
                &format!("关于养老保险待遇调整的通知（第{i}批）"),
                "按规定调整基本养老保险待遇。",
            )
        })
        .collect();
    let index = index_with(docs);
    let r = search(&index, "养老保险 待遇");
    assert!(!r.relaxed, "{r:?}");
    assert_eq!(r.total, 4);
    // A single word cannot be relaxed, even when it finds nothing.
    let r = search(&index, "区块链");
    assert!(!r.relaxed);
    assert_eq!(r.total, 0);
}

#[test]
fn a_query_with_nothing_informative_stays_empty() {
    let index = index_with(corpus());
    for q in ["怎么办 吗", "我的 了 呢", "区块链 元宇宙"] {
        let r = search(&index, q);
        assert_eq!(r.total, 0, "{q}: {:?}", keys(&r));
        assert!(!r.relaxed, "{q}");
    }
}

#[test]
fn a_place_prefers_its_regulation_and_keeps_national_law() {
    let index = index_with(dogs());
    for q in ["深圳 养犬登记", "深圳市养犬登记怎么办", "养犬登记 深圳"] {
        let r = search(&index, q);
        assert_eq!(keys(&r).first(), Some(&"440300:1"), "{q}: {:?}", keys(&r));
        // The place is not a word every document must hold: national law still qualifies.
        assert!(keys(&r).contains(&"100000:7"), "{q}: {:?}", keys(&r));
    }
    // The other city's regulation is preferred when that city is named.
    let r = search(&index, "广州 养犬登记");
    assert_eq!(keys(&r).first(), Some(&"440100:1"), "{:?}", keys(&r));
    // A province prefers the regulations of its cities over national law.
    let r = search(&index, "广东省 养犬登记");
    assert_ne!(keys(&r).first(), Some(&"100000:7"), "{:?}", keys(&r));
    assert_eq!(r.total, 3);
    // A place with nothing of its own: national law answers.
    let r = search(&index, "北京 狂犬病疫苗");
    assert_eq!(keys(&r), ["100000:7"]);
    // A place alone is what is searched for.
    let r = search(&index, "深圳");
    assert_eq!(keys(&r), ["440300:1"]);
}
