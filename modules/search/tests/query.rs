//! Query semantics: matching, ranking, snippets, syntax-free input.

mod common;

use common::*;
use govnode_search::{SearchError, SearchQuery};

#[test]
fn body_word_and_title_word_find_the_document() {
    let index = index_with(corpus());
    // "待遇" only occurs in the body of the social insurance law.
    let r = search(&index, "待遇");
    assert_eq!(keys(&r), ["100000:1"]);
    assert_eq!(r.total, 1);
    let hit = &r.hits[0];
    assert_eq!(hit.title, "中华人民共和国社会保险法");
    assert_eq!(hit.site, "gov");
    assert_eq!(hit.site_name, "中国政府网");
    assert_eq!(hit.origin, "100000");
    assert_eq!(hit.doc_type, "policy");
    assert_eq!(hit.published, MARCH_2024 - 86_400 * 365);
    assert!(hit.score > 0.0);

    // "政策措施" only occurs in the title of the employment notice.
    let r = search(&index, "政策措施");
    assert_eq!(keys(&r), ["440000:12"]);

    // Two words: only the law holds both 养老保险 and 宪法, so it comes first; too few
    // documents hold both, so those holding one follow (issue 17).
    let r = search(&index, "养老保险 宪法");
    assert_eq!(r.exact_total, 1);
    assert_eq!(keys(&r)[0], "100000:1");
    assert!(r.relaxed);
    let r = search(&index, "养老保险");
    assert_eq!(r.total, 2, "{:?}", keys(&r));
}

#[test]
fn absent_term_gives_no_hits() {
    let index = index_with(corpus());
    let r = search(&index, "区块链");
    assert_eq!(r.total, 0);
    assert!(r.hits.is_empty());
    assert!(r.type_counts.is_empty());
    // One present and one absent word: no document holds both; the best partial match is
    // shown, flagged (issue 17).
    let r = search(&index, "社会保险 区块链");
    assert_eq!(r.exact_total, 0);
    assert!(r.relaxed && r.total > 0, "{:?}", keys(&r));
}

#[test]
fn long_words_match_inside_longer_words() {
    let index = index_with(corpus());
    // Indexed as a word of its own.
    assert_eq!(keys(&search(&index, "中华人民共和国")), ["100000:1"]);
    // "人民共和国" is not an indexed term of the law (jieba emits 中华人民共和国 and its 2/3-grams);
    // it is found through the phrase of its sub-words.
    assert_eq!(keys(&search(&index, "人民共和国")), ["100000:1"]);

    // "社会保险费" is one jieba word; "社会保险" is not among its sub-words.
    let mut fee = doc(
        "440000:50",
        "notice",
        "关于做好2024年度缴费工作的通知",
        "用人单位应当按时足额缴纳社会保险费。",
    );
    fee.published = MARCH_2024;
    let index = index_with(vec![fee]);
    let r = search(&index, "社会保险");
    assert_eq!(keys(&r), ["440000:50"]);
    assert!(
        r.hits[0].snippet.contains("缴纳<mark>社会保险</mark>费"),
        "{}",
        r.hits[0].snippet
    );
    assert_eq!(keys(&search(&index, "保险费")), ["440000:50"]);
    // The sub-words must be adjacent: 社会 … 保险 apart does not spell 社会保险.
    let apart = doc(
        "440000:51",
        "news",
        "社会新闻",
        "社会各界关注商业保险发展。",
    );
    let index = index_with(vec![apart]);
    assert_eq!(search(&index, "社会保险").total, 0);
}

#[test]
fn abbreviations_match_through_the_synonym_dictionary_only() {
    // jieba does not know that 社保 abbreviates 社会保险: without a dictionary entry only
    // documents writing 社保 are found…
    let index = index_with(corpus());
    index.set_lexicon(govnode_search::Lexicon::default());
    let r = search(&index, "社保");
    assert_eq!(keys(&r), ["440300:7"], "found via 社保卡");
    // …with the shipped dictionary, 社保 also finds 社会保险.
    index.set_lexicon(govnode_search::Lexicon::builtin());
    let r = search(&index, "社保");
    assert!(keys(&r).contains(&"100000:1"), "{:?}", keys(&r));
    let r = search(&index, "社会保险");
    assert!(keys(&r).contains(&"100000:1"));
    assert!(keys(&r).contains(&"440300:7"));
}

#[test]
fn title_matches_rank_higher_and_ties_prefer_newer() {
    let mut in_title = doc("1:1", "policy", "养老保险政策问答", "答复内容见附件。");
    in_title.published = MARCH_2024 - 1000;
    let in_body = doc("1:2", "policy", "政策问答", "养老保险答复内容见附件。");
    let index = index_with(vec![in_body, in_title]);
    let r = search(&index, "养老保险");
    assert_eq!(keys(&r), ["1:1", "1:2"]);
    assert!(r.hits[0].score > r.hits[1].score);

    let mut older = doc("2:1", "news", "防汛工作部署", "全力做好防汛工作。");
    older.published = MARCH_2024 - 86_400;
    let mut newer = doc("2:2", "news", "防汛工作部署", "全力做好防汛工作。");
    newer.published = MARCH_2024;
    let index = index_with(vec![older, newer]);
    let r = search(&index, "防汛");
    assert_eq!(r.hits[0].score, r.hits[1].score);
    assert_eq!(keys(&r), ["2:2", "2:1"]);
}

#[test]
fn document_numbers_are_searchable() {
    let index = index_with(corpus());
    assert_eq!(keys(&search(&index, "粤府〔2024〕12号")), ["440000:12"]);
    assert_eq!(keys(&search(&index, " 粤府〔2024〕12号 ")), ["440000:12"]);
    assert_eq!(keys(&search(&index, "粤府〔2024〕")), ["440000:12"]);
    assert_eq!(keys(&search(&index, "2024-00123")), ["440000:12"]);
    assert_eq!(
        keys(&search(&index, "11440000006935240K/2024-00123")),
        ["440000:12"]
    );
}

#[test]
fn latin_text_is_case_insensitive() {
    let index = index_with(corpus());
    assert_eq!(keys(&search(&index, "covid")), ["440300:99"]);
    assert_eq!(keys(&search(&index, "COVID-19")), ["440300:99"]);
}

#[test]
fn other_fields_are_searched() {
    let index = index_with(corpus());
    // Tag.
    assert!(keys(&search(&index, "稳岗")).contains(&"440000:12"));
    // Issuing body.
    assert_eq!(keys(&search(&index, "常务委员会")), ["100000:1"]);
    // Column.
    assert_eq!(keys(&search(&index, "办事指南")), ["440000:30"]);
}

#[test]
fn snippet_marks_matches_and_escapes_html() {
    let mut d = doc(
        "440000:77",
        "notice",
        "关于网站安全检查的通知",
        "检查发现部分页面存在<script>alert('xss')</script>等恶意代码，\
         请各单位立即开展网络安全自查，并于本月底前报送自查报告。",
    );
    d.summary = "网络安全自查".to_owned();
    let index = index_with(vec![d]);
    let r = search(&index, "自查");
    assert_eq!(r.total, 1);
    let snippet = &r.hits[0].snippet;
    assert!(snippet.contains("<mark>自查</mark>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(!snippet.contains("<script>"), "{snippet}");
    assert!(snippet.chars().count() < 300, "{snippet}");
}

#[test]
fn snippet_falls_back_to_title_then_plain_start() {
    let index = index_with(corpus());
    // Only the title holds 政策措施: the snippet highlights it there.
    let r = search(&index, "政策措施");
    assert!(
        r.hits[0].snippet.contains("<mark>"),
        "{}",
        r.hits[0].snippet
    );
    // Found only through a tag: no text holds the word, so the body start is shown.
    let r = search(&index, "稳岗");
    let snippet = &r.hits[0].snippet;
    assert!(!snippet.contains("<mark>"), "{snippet}");
    assert!(snippet.starts_with("各地级以上市人民政府"), "{snippet}");
    assert!(snippet.chars().count() <= 121, "{snippet}");
}

#[test]
fn snippet_in_a_long_body_shows_the_match() {
    let filler = "各级人民政府应当加强对本行政区域内相关工作的领导。".repeat(3000);
    let body = format!("{filler}第九十八条 本法自2011年7月1日起施行。{filler}");
    let index = index_with(vec![doc("1:1", "policy", "某法", &body)]);
    let r = search(&index, "施行");
    assert!(
        r.hits[0].snippet.contains("<mark>施行</mark>"),
        "{}",
        r.hits[0].snippet
    );
}

#[test]
fn syntax_characters_never_error() {
    let index = index_with(corpus());
    for text in [
        "\"社会保险",
        "(社会保险",
        "社会保险)",
        "title:社会保险",
        "社会保险 AND 待遇",
        "社会保险 OR",
        "NOT 待遇",
        "*",
        "社会保险~2",
        "[1 TO 2]",
        "+社会保险 -待遇",
        "a:b:c\\",
    ] {
        match index.search(&SearchQuery {
            text: text.to_owned(),
            ..SearchQuery::default()
        }) {
            Ok(_) | Err(SearchError::EmptyQuery) => {}
            Err(e) => panic!("{text:?}: {e}"),
        }
    }
    // Operators and punctuation are ignored, the words still count.
    let r = search(&index, "社会保险 AND 待遇");
    assert_eq!((keys(&r)[0], r.exact_total), ("100000:1", 1));
    assert_eq!(keys(&search(&index, "(待遇):")), ["100000:1"]);
    assert_eq!(keys(&search(&index, "“待遇”")), ["100000:1"]);
}

#[test]
fn empty_and_too_long_queries_are_rejected() {
    let index = index_with(corpus());
    for text in ["", "   ", "\t\n　", "，。、；：？！", "\"()\":", "AND"] {
        let err = index
            .search(&SearchQuery {
                text: text.to_owned(),
                ..SearchQuery::default()
            })
            .unwrap_err();
        assert!(matches!(err, SearchError::EmptyQuery), "{text:?}: {err}");
    }
    let err = index
        .search(&SearchQuery {
            text: "社会保险".repeat(60),
            ..SearchQuery::default()
        })
        .unwrap_err();
    assert!(
        matches!(err, SearchError::QueryTooLong { len: 240 }),
        "{err}"
    );
}
