//! How citizens type: traditional characters, pinyin and initials, homophone typos,
//! colloquial synonyms; and facets, sorting, result groups and topic cards.

mod common;

use common::*;
use govnode_search::{Lexicon, SearchQuery, Sort, Synonym};

fn housing_fund_guide() -> govnode_search::Document {
    let mut d = doc(
        "440100:5",
        "guide",
        "住房公积金提取办事指南",
        "职工购买、建造、翻建、大修自住住房的，可以提取职工住房公积金账户内的存储余额。\
         户口迁移后可凭户籍证明办理销户提取。",
    );
    d.origin = "440100".into();
    d.site = "gz".into();
    d.issuing_body = "广州住房公积金管理中心".into();
    d.published = MARCH_2024 - 86_400 * 400;
    d
}

fn business_registration() -> govnode_search::Document {
    doc(
        "440000:40",
        "guide",
        "企业设立登记办事指南",
        "申请人办理企业设立登记，应当提交公司章程、股东主体资格证明等材料，领取营业执照。",
    )
}

fn scenic_news() -> govnode_search::Document {
    doc(
        "440000:50",
        "news",
        "国庆假期全省景点接待游客情况",
        "国庆期间各景点运行平稳。",
    )
}

fn classic_news() -> govnode_search::Document {
    doc(
        "440000:51",
        "news",
        "经典诵读活动在全省中小学开展",
        "活动以经典诵读为主题。",
    )
}

fn all() -> Vec<govnode_search::Document> {
    let mut docs = corpus();
    docs.extend([
        housing_fund_guide(),
        business_registration(),
        scenic_news(),
        classic_news(),
    ]);
    docs
}

#[test]
fn traditional_and_simplified_find_each_other() {
    let mut trad = doc(
        "440000:60",
        "news",
        "個人所得稅年度匯算開始辦理",
        "納稅人可通過個人所得稅應用程式辦理。",
    );
    trad.published = MARCH_2024;
    let mut docs = all();
    docs.push(trad);
    let index = index_with(docs);
    // A traditional query finds a simplified document…
    assert_eq!(keys(&search(&index, "社會保險法")), ["100000:1"]);
    assert!(keys(&search(&index, "住房公積金")).contains(&"440100:5"));
    // …and a simplified query finds a traditional one.
    assert_eq!(keys(&search(&index, "个人所得税")), ["440000:60"]);
}

#[test]
fn pinyin_and_initials_find_their_words() {
    let index = index_with(all());
    let r = search(&index, "gongjijin");
    assert_eq!(keys(&r).first(), Some(&"440100:5"), "{:?}", keys(&r));
    assert!(
        r.expansions
            .iter()
            .any(|e| e.kind == "pinyin" && e.to.contains(&"公积金".to_string()))
    );
    let r = search(&index, "gjj");
    assert_eq!(keys(&r).first(), Some(&"440100:5"));
    let r = search(&index, "shebaoka");
    assert!(keys(&r).contains(&"440300:7"), "{:?}", keys(&r));
    let r = search(&index, "sbk");
    assert!(keys(&r).contains(&"440300:7"), "{:?}", keys(&r));
    // Several pinyin words, and pinyin next to Chinese.
    let r = search(&index, "zhufang gongjijin 提取");
    assert_eq!(keys(&r).first(), Some(&"440100:5"));
}

#[test]
fn exact_characters_rank_above_pinyin_only_matches() {
    let mut latin = doc(
        "440000:70",
        "news",
        "COVID与jingdian数据开放",
        "开放数据集jingdian上线。",
    );
    latin.published = MARCH_2024 - 86_400 * 900;
    let mut docs = all();
    docs.push(latin);
    let index = index_with(docs);
    // "jingdian" spells both 景点 and 经典; the document holding the letters comes first.
    let r = search(&index, "jingdian");
    assert_eq!(keys(&r).first(), Some(&"440000:70"), "{:?}", keys(&r));
    // A Chinese query never matches by sound: 景点 does not find 经典.
    assert_eq!(keys(&search(&index, "景点")), ["440000:50"]);
    assert_eq!(keys(&search(&index, "经典")), ["440000:51"]);
}

#[test]
fn homophone_typos_are_corrected_and_said_so() {
    let index = index_with(all());
    for (typo, fixed, key) in [
        ("工积金", "公积金", "440100:5"),
        ("社报卡", "社保卡", "440300:7"),
        ("户口签移", "户口迁移", "440100:5"),
    ] {
        let r = search(&index, typo);
        assert_eq!(r.corrected.as_deref(), Some(fixed), "{typo}");
        assert!(keys(&r).contains(&key), "{typo}: {:?}", keys(&r));
    }
    // A query that finds enough is not corrected; `literal` turns correction off.
    assert_eq!(search(&index, "公积金").corrected, None);
    let r = index
        .search(&SearchQuery {
            text: "工积金".into(),
            literal: true,
            ..Default::default()
        })
        .unwrap();
    // (Whatever the letters match as typed; no correction is made or reported.)
    assert_eq!(r.corrected, None);
    assert!(r.expansions.is_empty());
}

#[test]
fn colloquial_phrases_find_official_documents() {
    let index = index_with(all());
    index.set_lexicon(Lexicon::new(
        vec![Synonym {
            colloquial: "开公司".into(),
            official: vec!["企业设立登记".into()],
            category: "business".into(),
        }],
        Vec::new(),
        1,
    ));
    let r = search(&index, "开公司");
    assert_eq!(keys(&r), ["440000:40"]);
    assert_eq!(r.expansions[0].from, "开公司");
    // Without the entry the phrase finds nothing.
    index.set_lexicon(Lexicon::new(Vec::new(), Vec::new(), 2));
    assert_eq!(search(&index, "开公司").total, 0);
}

#[test]
fn facets_sorting_year_and_groups() {
    let index = index_with(all());
    let r = index
        .search(&SearchQuery {
            text: "就业".into(),
            group: true,
            ..Default::default()
        })
        .unwrap();
    assert!(r.total >= 2);
    let types: Vec<&str> = r.facets.types.iter().map(|(t, _)| t.as_str()).collect();
    assert!(
        types.contains(&"guide") && types.contains(&"notice"),
        "{types:?}"
    );
    assert!(r.facets.years.iter().any(|(y, _)| *y == 2024));
    assert!(
        r.facets
            .issuing_bodies
            .iter()
            .any(|(b, _)| b == "广东省人民政府")
    );
    assert!(r.facets.origins.iter().any(|(o, _)| o == "440000"));
    let codes: Vec<&str> = r.groups.iter().map(|g| g.code).collect();
    assert!(
        codes.contains(&"guide") && codes.contains(&"news"),
        "{codes:?}"
    );
    assert!(
        r.groups
            .iter()
            .all(|g| !g.hits.is_empty() && g.hits.len() <= 3)
    );

    // Newest first.
    let by_date = index
        .search(&SearchQuery {
            text: "保险".into(),
            sort: Sort::Date,
            ..Default::default()
        })
        .unwrap();
    let dates: Vec<i64> = by_date.hits.iter().map(|h| h.published).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");

    // A year filter keeps facet counts of the other years.
    let y = index
        .search(&SearchQuery {
            text: "保险".into(),
            year: Some(2023),
            ..Default::default()
        })
        .unwrap();
    assert!(
        y.hits
            .iter()
            .all(|h| h.published < MARCH_2024 - 86_400 * 30)
    );
    assert!(y.facets.years.len() >= 2, "{:?}", y.facets.years);
    let body = index
        .search(&SearchQuery {
            text: "公积金".into(),
            issuing_body: Some("广州住房公积金管理中心".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(keys(&body), ["440100:5"]);
}

#[test]
fn topic_cards_match_their_keywords() {
    let index = index_with(all());
    index.set_lexicon(Lexicon::new(
        Vec::new(),
        vec![govnode_search::TopicCard {
            id: "social_security".into(),
            title: "社会保障".into(),
            summary: String::new(),
            keywords: vec!["社保".into(), "养老保险".into()],
            links: Vec::new(),
        }],
        1,
    ));
    assert_eq!(search(&index, "社保卡").topics[0].id, "social_security");
    assert!(search(&index, "营商环境").topics.is_empty());
}

#[test]
fn awkward_input_is_handled() {
    let index = index_with(all());
    for text in [
        "\"社会保险",
        "社会保险 AND OR (",
        "社\u{0}会\u{7}保险",
        "((((",
        "ＳＨＥＢＡＯＫＡ",
        "a",
    ] {
        let r = index.search(&SearchQuery {
            text: text.into(),
            ..Default::default()
        });
        match r {
            Ok(_) | Err(govnode_search::SearchError::EmptyQuery) => {}
            Err(e) => panic!("{text:?}: {e}"),
        }
    }
}
