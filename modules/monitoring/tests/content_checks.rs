//! The content checks: the shipped lists parse; each kind of problem is found with its
//! Chinese explanation; correct forms containing a wrong one are not flagged; the
//! province's edits change what is checked; dark links; the pre-publication gate.

use std::time::Instant;

use govnode_content::PublicationGate;
use govnode_federation::testing::temp_database;
use govnode_monitoring::content_checks::{
    ContentChecker, MonitoringGate, WordList, dark_links, parse,
};
use govnode_monitoring::{Indicator, Monitoring, Severity};

#[test]
fn every_shipped_list_parses_and_a_bad_line_is_named() {
    for list in WordList::ALL {
        let (file, text) = list.shipped();
        let entries = parse(list, file, text).unwrap_or_else(|e| panic!("{e}"));
        assert!(entries.len() >= 5, "{file} has {} entries", entries.len());
    }
    let e = parse(
        WordList::Outdated,
        "lists/outdated.txt",
        "农业部\t农业农村部\n只有一个词\n",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "lists/outdated.txt:2: “已撤销机构名称”的每一条都须写明正确写法"
    );
}

#[test]
fn each_kind_is_found_with_its_detail() {
    let c = ContentChecker::shipped();
    let cases = [
        (
            "学习贯彻习近萍总书记重要讲话精神",
            "习近萍",
            Indicator::SeriousError,
            "‘习近萍’疑为国家领导人姓名或机构名称的错误写法，应为‘习近平’",
        ),
        (
            "请向国家工商行政管理总局咨询",
            "国家工商行政管理总局",
            Indicator::SeriousError,
            "‘国家工商行政管理总局’为已撤销机构名称，应为‘国家市场监督管理总局’",
        ),
        (
            "原中国银行保险监督管理委员会",
            "中国银行保险监督管理委员会",
            Indicator::SeriousError,
            "‘中国银行保险监督管理委员会’为已撤销机构名称，应为‘国家金融监督管理总局’",
        ),
        (
            "点击进入网上赌场",
            "网上赌场",
            Indicator::SeriousError,
            "含敏感词‘网上赌场’，不宜出现在政府网站上，请删除或核实",
        ),
        (
            "台湾政府宣布",
            "台湾政府",
            Indicator::SeriousError,
            "‘台湾政府’为错误表述，应为‘台湾当局’",
        ),
        (
            "做为一名党员",
            "做为",
            Indicator::LikelyTypo,
            "‘做为’疑为错别字，应为‘作为’",
        ),
        (
            "北京赛车PK10开奖",
            "北京赛车pk10",
            Indicator::SeriousError,
            "含敏感词‘北京赛车pk10’，不宜出现在政府网站上，请删除或核实",
        ),
    ];
    for (text, word, indicator, detail) in cases {
        let found = c.check("", text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        let f = &found[0];
        assert_eq!((f.text.as_str(), f.indicator), (word, indicator), "{text}");
        assert_eq!(f.detail, detail);
        assert_eq!(f.serious(), indicator == Indicator::SeriousError);
    }
    let found = c.check("赵乐技同志", "");
    assert_eq!(found[0].severity, Severity::Veto);
    assert_eq!(found[0].context, "赵乐技同志");
}

#[test]
fn correct_forms_are_not_flagged() {
    let c = ContentChecker::shipped();
    let text = "习近平、李强、赵乐际、王沪宁、蔡奇、丁薛祥、李希、韩正出席。农业农村部、生态环境部、\
        文化和旅游部、自然资源部、国家卫生健康委员会、国家市场监督管理总局、国家药品监督管理局、\
        应急管理部、国家金融监督管理总局、国家税务总局广东省税务局、交通运输部、司法部。\
        各级农业部门、文化部门、卫生部门、交通部门和纪检监察部门协同推进；中国共产党第二十次全国代表大会、\
        中国人民政治协商会议、最高人民检察院、国家监察委员会、中华人民共和国。作为基层单位，部署工作。";
    assert_eq!(c.check("国务院办公厅关于印发通知", text), vec![]);
}

#[tokio::test]
async fn the_provinces_edits_change_the_lists_and_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &[&govnode_monitoring::MIGRATOR]).await;
    let m = Monitoring::new(read, write);
    let gate = MonitoringGate::new(m.clone());
    assert_eq!(m.word_lists_rev().await.unwrap(), 0);
    let found = gate
        .check("关于某某局的通知", "<p>某某局已更名。</p>")
        .await;
    assert!(found.is_empty());
    m.set_word_entry("省平台管理员", WordList::Outdated, "某某局", "某某中心")
        .await
        .unwrap();
    let found = gate.check("关于某某局的通知", "<p>正文</p>").await;
    assert_eq!(found.len(), 1);
    assert!(found[0].serious);
    assert_eq!(found[0].label, "严重错误");
    assert_eq!(found[0].detail, "‘某某局’为已撤销机构名称，应为‘某某中心’");
    // A shipped entry turned off is no longer found; the lists show it as removed.
    m.remove_word_entry("省平台管理员", WordList::Typos, "做为")
        .await
        .unwrap();
    assert!(gate.check("", "<p>做为</p>").await.is_empty());
    let lists = m.word_lists().await.unwrap();
    let off = lists.iter().find(|w| w.entry.wrong == "做为").unwrap();
    assert!(off.shipped && off.removed);
    assert!(
        lists
            .iter()
            .any(|w| w.entry.wrong == "某某局" && !w.shipped)
    );
    // Bad edits are refused, naming the list.
    let e = m
        .set_word_entry("x", WordList::Names, "习进平", "")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("领导人姓名和机构名称"), "{e}");
    assert!(
        m.remove_word_entry("x", WordList::Names, "没有这个词")
            .await
            .is_err()
    );
}

#[test]
fn dark_links_in_a_template() {
    let template = r#"<!doctype html><html><head><style>.k{display:none}</style></head>
<body><header><a href="/">首页</a></header>
<div class="k"><a href="http://bet.example/">百家乐</a></div>
<p style="position:absolute;top:-5000px"><a href="http://porn.example/">x</a></p>
<a href="http://ok.example/" style="color:#000;background:#fff">正常链接</a>
</body></html>"#;
    let found = dark_links(template);
    let hrefs: Vec<&str> = found.iter().map(|d| d.href.as_str()).collect();
    assert_eq!(hrefs, ["http://bet.example/", "http://porn.example/"]);
    assert_eq!(found[0].text, "百家乐");
}

/// The cost of the pre-publication check on a 10,000-character article (printed; the
/// bound is loose so a slow debug build on a shared machine passes).
#[test]
fn a_ten_thousand_character_article_is_checked_quickly() {
    let c = ContentChecker::shipped();
    let para = "为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，市场监督管理部门会同农业农村部门开展专项行动。";
    let mut text = String::new();
    while text.chars().count() < 10_000 {
        text.push_str(para);
    }
    text.push_str("国土资源部");
    let started = Instant::now();
    let rounds = 20;
    for _ in 0..rounds {
        assert_eq!(c.check("标题", &text).len(), 1);
    }
    let each = started.elapsed() / rounds;
    println!(
        "content check of {} characters: {:?} each",
        text.chars().count(),
        each
    );
    assert!(each.as_millis() < 200, "{each:?}");
    let built = Instant::now();
    let _ = ContentChecker::shipped();
    println!("building the checker: {:?}", built.elapsed());
}
