//! Failure behaviour: a dead county is served from replica and catches up; a dead city is
//! bypassed through aerial roots; a long absence is caught up in bounded batches.

use std::io::Write as _;

use govnode::import::{ImportOptions, import_file};
use govnode_tests::tree::Member;
use govnode_tests::{StatusCode, TestTree};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_county_is_served_from_replica_and_catches_up_on_return() {
    let mut tree = TestTree::one_two_four().await;
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "guides", "办事指南", "guide").await;
    let staff = county.staff("tianhe").await;
    let a = county
        .publish("tianhe", &staff, json!({ "column": "guides", "title": "天河区居住证办理指南", "body": "办理条件：……", "doc_type": "guide" }))
        .await;
    let article = format!("/sites/tianhe/articles/{}", a["id"]);
    tree.wait_page("440100", &article).await;
    tree.wait_same_log("440100", "440106", "440106").await;
    tree.stop("440106").await;

    // Its city (and the province) serve the county's site from replica, visibly marked.
    for up in ["440100", "440000"] {
        for path in [
            "/sites/tianhe/",
            "/sites/tianhe/columns/guides",
            article.as_str(),
        ] {
            let page = tree.wait_page(up, path).await;
            assert_eq!(
                page.header("x-govnode-replica"),
                Some("440106"),
                "{up}{path}"
            );
            assert!(
                page.text.contains("本页面是天河区人民政府的副本"),
                "{up}{path}: {}",
                page.text
            );
        }
    }

    // Meanwhile the province and a sibling county publish.
    let province = tree.node("440000");
    province.site("gd", "广东省人民政府").await;
    province.column("gd", "notice", "通知公告", "notice").await;
    let gd = province.staff("gd").await;
    let p = province
        .publish("gd", &gd, json!({ "column": "notice", "title": "广东省关于做好春节期间安全生产工作的通知", "body": "各地级以上市人民政府……" }))
        .await;
    let sibling = tree.node("440103");
    sibling.site("liwan", "荔湾区人民政府").await;
    sibling.column("liwan", "news", "工作动态", "news").await;
    let lw = sibling.staff("liwan").await;
    sibling
        .publish(
            "liwan",
            &lw,
            json!({ "column": "news", "title": "荔湾区开展老旧小区改造", "body": "……" }),
        )
        .await;
    tree.wait_same_log("440000", "440100", "440000").await;

    // Back: the county catches up with no operator action, and agrees with its parent.
    tree.restart("440106").await;
    tree.wait_connected("440106").await;
    tree.wait_same_log("440100", "440106", "440000").await;
    tree.wait_same_log("440100", "440106", "440106").await;
    let county = tree.node("440106");
    tree.wait_page("440106", &format!("/sites/gd/articles/{}", p["id"]))
        .await;
    // Lineage only: the sibling's content is not the county's to hold.
    assert!(!tree.digests("440106").await.contains_key("440103"));
    let own = county.get(&article).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.header("x-govnode-replica"), None);
    tree.wait_search("440106", &[("q", "春节期间安全生产")], 1)
        .await;
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counties_sync_through_their_aerial_root_while_their_city_is_down() {
    let mut tree = TestTree::one_two_four().await;
    tree.stop("440100").await;
    // Published at the county while its city is down: reaches the province directly.
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "news", "工作动态", "news").await;
    let staff = county.staff("tianhe").await;
    let a = county
        .publish(
            "tianhe",
            &staff,
            json!({ "column": "news", "title": "天河区举办就业招聘会", "body": "……" }),
        )
        .await;
    tree.wait_page("440000", &format!("/sites/tianhe/articles/{}", a["id"]))
        .await;
    // And the province's content reaches the county the same way.
    let province = tree.node("440000");
    province.site("gd", "广东省人民政府").await;
    province.column("gd", "policy", "政策文件", "policy").await;
    let gd = province.staff("gd").await;
    let p = province
        .publish(
            "gd",
            &gd,
            json!({ "column": "policy", "title": "广东省促进就业若干措施", "body": "……" }),
        )
        .await;
    tree.wait_page("440106", &format!("/sites/gd/articles/{}", p["id"]))
        .await;
    tree.wait_page("440103", &format!("/sites/gd/articles/{}", p["id"]))
        .await;
    // When the city returns it catches up from both sides, and everyone agrees.
    tree.restart("440100").await;
    tree.wait_same_log("440000", "440100", "440106").await;
    tree.wait_same_log("440106", "440100", "440000").await;
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_county_away_for_twenty_thousand_entries_catches_up_in_bounded_batches() {
    let m = |id, name, parent: Option<&'static str>| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let mut tree = TestTree::start(vec![
        m("440000", "广东省", None),
        m("440106", "天河区", Some("440000")),
    ])
    .await;
    tree.node("440000").site("gd", "广东省人民政府").await;
    tree.node("440000")
        .column("gd", "library", "政策文件库", "policy")
        .await;
    tree.wait_same_log("440000", "440106", "440000").await;
    let before = tree.digests("440106").await["440000"].0;
    tree.stop("440106").await;
    let province = tree.node("440000");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docs.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    for i in 0..20_000 {
        let rec = json!({
            "id": format!("doc-{i}"), "type": "regulation", "title": format!("广东省第{i}号管理办法"),
            "issued": "2024-03-01", "region": "440000",
            "body_markdown": format!("第一条 为了规范第{i}项管理工作，制定本办法。"),
        });
        writeln!(out, "{rec}").unwrap();
    }
    out.flush().unwrap();
    drop(out);
    let opts = ImportOptions {
        site: "gd",
        column: "library",
        split: false,
        batch_size: 1000,
        progress: false,
    };
    let report = import_file(&province.node, &file, &opts, |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.imported, 20_000);
    let head = tree.digests("440000").await["440000"].0;
    assert!(head > 20_000, "{head}");

    tree.restart("440106").await;
    tree.wait_same_log("440000", "440106", "440000").await;
    let county = tree.node("440106");
    // Exactly the missing entries crossed the link, once each.
    tree.wait_for("the last batch counted", || async {
        let status = county.get("/api/federation/status").await.json();
        status["peers"][0]["entries_received"].as_u64() == Some(head - before)
    })
    .await;
    let status = county.get("/api/federation/status").await.json();
    assert_eq!(status["peers"][0]["node"], "440000");
    // Held entries are applied right after they are stored.
    tree.wait_for("all 20,000 applied", || async {
        county.node.content.count_published(None).await.unwrap() == 20_000
    })
    .await;
    tree.wait_search("440106", &[("q", "管理办法")], 20_000)
        .await;
    tree.shutdown().await;
}
