//! The Q&A assistant: a question is answered by a document whose title holds its key
//! words, whatever the document's kind; a document holding them only in its body, or a
//! news item, is related but not the answer.

mod common;

use common::*;

fn fund_policy() -> govnode_search::Document {
    doc(
        "440000:70",
        "policy",
        "住房公积金提取管理办法",
        "第一条 为规范住房公积金提取，制定本办法。第二条 职工购买、建造自住住房的，\
         可以申请提取住房公积金账户内的存储余额。",
    )
}

fn fund_news() -> govnode_search::Document {
    doc(
        "440000:71",
        "news",
        "我市召开住房公积金管理委员会会议",
        "会议审议了住房公积金年度报告，全年办理提取业务二十万笔。",
    )
}

fn card_qa() -> govnode_search::Document {
    doc(
        "440000:72",
        "qa",
        "社会保障卡丢失了怎么补办？",
        "社会保障卡丢失后，可到社保经办机构申请挂失和补办，一般需要5个工作日。",
    )
}

#[test]
fn a_policy_whose_title_holds_the_key_words_answers_the_question() {
    let index = index_with(vec![fund_news(), fund_policy(), card_qa()]);
    let a = index.ask("怎么提取公积金").unwrap();
    assert!(a.confident, "{a:?}");
    assert_eq!(a.answers[0].question, "住房公积金提取管理办法");
    assert_eq!(a.answers[0].type_label, "政策文件");
    assert_eq!(a.answers[0].url, "https://www.gd.gov.cn/doc/440000:70.html");
    // The news item is at most related.
    let news = a.answers.iter().find(|h| h.doc_type == "news");
    assert!(news.is_none_or(|h| h.confidence < 0.6), "{a:?}");
    let a = index.ask("社保卡丢了怎么补办").unwrap();
    assert!(a.confident, "{a:?}");
    assert_eq!(a.answers[0].question, "社会保障卡丢失了怎么补办？");
}

#[test]
fn body_matches_and_news_are_related_not_answers() {
    let index = index_with(vec![fund_news()]);
    let a = index.ask("怎么提取公积金").unwrap();
    assert!(!a.confident, "{a:?}");
    assert_eq!(a.answers.len(), 1, "{a:?}");
    let index = index_with(vec![doc(
        "440000:73",
        "policy",
        "广东省职工住房保障若干规定",
        "职工购买自住住房的，可以申请提取住房公积金。",
    )]);
    let a = index.ask("怎么提取公积金").unwrap();
    assert!(!a.confident, "{a:?}");
    assert_eq!(a.answers[0].question, "广东省职工住房保障若干规定");
    let a = index.ask("宠物犬只登记办理地点").unwrap();
    assert!(!a.confident && a.answers.is_empty(), "{a:?}");
}

#[test]
fn a_colloquial_phrase_is_not_read_out_of_the_middle_of_a_word() {
    // 取公积金 (a colloquial phrase) inside 提取公积金 used to take 取 from 提取, leaving
    // 提 alone and optional: the policy titled with 提取 ranked below a news item.
    let index = index_with(vec![fund_news(), fund_policy()]);
    let r = search(&index, "怎么提取公积金");
    assert_eq!(keys(&r)[0], "440000:70", "{:?}", keys(&r));
    assert!(
        r.expansions.iter().all(|e| e.from != "取公积金"),
        "{:?}",
        r.expansions
    );
    // Where only a question word is left of the word, the phrase is still read.
    let r = search(&index, "要交公积金");
    assert!(
        r.expansions.iter().any(|e| e.from.contains("公积金")),
        "{:?}",
        r.expansions
    );
}
