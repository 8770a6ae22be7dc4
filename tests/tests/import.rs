//! Importing the corpus format: bad lines reported by number and skipped, nothing half
//! imported, re-runs resume, regulations split at their articles and linked to their parent.

use std::io::Write;

use govnode::import::{ImportOptions, import_file};
use govnode_tests::{StatusCode, TestNode, shared_corpus};
use serde_json::json;

fn record(id: &str, title: &str, body: &str) -> String {
    json!({ "id": id, "type": "regulation", "category": "地方性法规", "title": title, "issued": "2021-09-29",
        "history": "2021年9月29日广东省第十三届人民代表大会常务委员会第三十五次会议通过", "region": "440000",
        "issuer_scope": "广东", "body_markdown": body, "source_path": "test" })
    .to_string()
}

fn sample_file() -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    let lines = [
        record("0000000000000001", "广东省数据条例", "## 第一章 总则\n\n第一条 为了规范数据处理活动，促进数据依法有序流动，制定本条例。\n\n第二条 本条例适用于本省行政区域内的数据处理活动。\n\n## 第二章 附则\n\n第三条 本条例自2021年11月1日起施行。"),
        "{ this is not json".to_string(),
        record("0000000000000002", "广东省志愿服务条例", "第一条 为了弘扬志愿精神，规范志愿服务，制定本条例。\n\n第二条 志愿服务遵循自愿、无偿、平等、诚信、合法的原则。"),
        json!({ "id": "0000000000000003", "type": "regulation", "title": "", "body_markdown": "x" }).to_string(),
        String::new(),
        json!({ "id": "0000000000000004", "type": "report", "title": "政府工作报告", "issued": 2024, "body_markdown": "各位代表：现在，我代表省人民政府，向大会报告政府工作。" }).to_string(),
        json!({ "id": "0000000000000005", "type": "regulation", "title": "无正文" }).to_string(),
    ];
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_reported_and_reruns_resume() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "fg", "法规规章", "policy").await;
    let file = sample_file();
    let opts = ImportOptions {
        site: "gd",
        column: "fg",
        split: true,
        batch_size: 2,
        progress: false,
    };
    let mut bad = Vec::new();
    let report = import_file(&t.node, file.path(), &opts, |line, msg| {
        bad.push((line, msg.to_string()))
    })
    .await
    .unwrap();
    assert_eq!(report.lines, 7);
    // 广东省数据条例: 1 + 3 articles; 志愿服务条例: 1 + 2; the report is never split.
    assert_eq!(report.imported, 4 + 3 + 1);
    assert_eq!(report.bad_lines, 3);
    let bad_lines: Vec<u64> = bad.iter().map(|(l, _)| *l).collect();
    assert_eq!(bad_lines, [2, 4, 7]);
    assert!(bad[0].1.contains("not a corpus record"));
    assert!(bad[1].1.contains("title"));
    assert!(bad[2].1.contains("body_markdown"));

    // A second run skips everything already in.
    let again = import_file(&t.node, file.path(), &opts, |_, _| {})
        .await
        .unwrap();
    assert_eq!((again.imported, again.skipped), (0, 8));
    assert_eq!(t.node.content.count_published(Some("gd")).await.unwrap(), 8);

    // Split articles link to their parent and carry their chapter.
    let hits = t.search("促进数据依法有序流动").await;
    assert_eq!(
        hits["exact_total"], 2,
        "the whole regulation and its first article: {hits}"
    );
    // Fewer than 3 hold every word: the other articles follow as partial matches.
    let first_two: Vec<&str> = hits["hits"].as_array().unwrap()[..2]
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert!(
        first_two.contains(&"广东省数据条例") && first_two.contains(&"广东省数据条例 第一条"),
        "{hits}"
    );
    let article = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["title"] == "广东省数据条例 第一条")
        .expect("article doc");
    let page = t.get(article["url"].as_str().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("所属文件") && page.text.contains("广东省数据条例"),
        "links to its parent"
    );
    assert!(page.text.contains("第一章 总则"));
    let parent = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["title"] == "广东省数据条例")
        .unwrap();
    let parent_page = t.get(parent["url"].as_str().unwrap()).await.text;
    assert!(
        parent_page.contains("广东省数据条例 第三条"),
        "the parent lists its articles"
    );
    assert!(
        parent_page.contains("第十三届人民代表大会常务委员会"),
        "history is kept"
    );
    // Imports are audited.
    let audit = t
        .call(
            govnode_tests::Method::GET,
            "/api/admin/audit?site=gd",
            Some(&t.admin),
            None,
        )
        .await
        .json();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "import" && r["actor"] == "import")
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_site_or_column_fails_before_reading() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let file = sample_file();
    let opts = ImportOptions {
        site: "gd",
        column: "nope",
        split: false,
        batch_size: 100,
        progress: false,
    };
    let err = import_file(&t.node, file.path(), &opts, |_, _| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    assert_eq!(t.node.content.count_published(None).await.unwrap(), 0);
    t.stop().await;
}

/// The real corpus, when the checkout sits beside `shared/` (CI does): import every law
/// split into articles, then search it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_laws_corpus_imports_split_and_searches() {
    let Some(laws) = shared_corpus("laws.jsonl") else {
        eprintln!("../shared/corpus/laws.jsonl is absent: corpus import not exercised here");
        return;
    };
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "fg", "法律法规", "policy").await;
    let opts = ImportOptions {
        site: "gd",
        column: "fg",
        split: true,
        batch_size: 2000,
        progress: false,
    };
    let mut bad = 0;
    let report = import_file(&t.node, &laws, &opts, |_, _| bad += 1)
        .await
        .unwrap();
    assert_eq!(report.lines, 3475);
    assert_eq!(report.bad_lines, bad);
    assert!(
        report.imported > 50_000,
        "splitting at articles gives tens of thousands of documents: {report:?}"
    );
    let published = t.node.content.count_published(None).await.unwrap() as u64;
    assert_eq!(published, report.imported);
    assert_eq!(
        t.node.search.num_docs(),
        published,
        "everything published is searchable"
    );
    let res = t.search("个人信息保护").await;
    assert!(res["total"].as_u64().unwrap() > 10, "{res}");
    assert!(
        res["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>")
    );
    t.stop().await;
}
