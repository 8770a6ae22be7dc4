//! Search finds published Chinese documents, never drafts, and forgets withdrawn ones at once.

use govnode_tests::{StatusCode, TestNode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_found_draft_and_withdrawn_not() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("hrss", "广东省人力资源和社会保障厅").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    t.column("hrss", "zcwj", "政策文件", "policy").await;
    let gd = t.staff("gd").await;
    let hrss = t.staff("hrss").await;
    let published = t
        .publish("hrss", &hrss, json!({ "column": "zcwj", "title": "关于调整社会保险缴费基数的通知", "doc_number": "粤人社规〔2026〕2号",
            "body": "职工基本养老保险缴费基数下限为全省全口径城镇单位就业人员月平均工资的60%。" }))
        .await;
    t.publish("gd", &gd, json!({ "column": "zcwj", "title": "广东省进一步优化营商环境若干措施", "body": "推进企业开办一网通办。" })).await;
    // A draft with the same words must never be found.
    let r = t
        .post(
            "/api/admin/sites/gd/articles",
            &gd.editor,
            json!({ "column": "zcwj", "title": "社会保险草稿", "body": "养老保险缴费基数草稿" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    let res = t.search("养老保险").await;
    assert_eq!(res["total"], 1, "{res}");
    let hit = &res["hits"][0];
    assert_eq!(hit["title"], "关于调整社会保险缴费基数的通知");
    assert_eq!(hit["url"], published["url"]);
    assert_eq!(hit["site"], "hrss");
    assert_eq!(hit["origin"], "440000");
    assert_eq!(hit["type"], "policy");
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
    assert!(hit["published"].as_str().unwrap().contains('T'));
    assert!(res["took_ms"].is_number());
    // By document number, by site filter, by type filter.
    assert_eq!(t.search("粤人社规〔2026〕2号").await["total"], 1);
    let scoped = t.search_with(&[("q", "营商环境"), ("site", "hrss")]).await;
    assert_eq!(scoped["total"], 0);
    let typed = t
        .search_with(&[("q", "营商环境"), ("type", "policy")])
        .await;
    assert_eq!(typed["total"], 1);

    // Withdrawal removes it from the very next search.
    let id = published["id"].as_i64().unwrap();
    let r = t
        .post(
            &format!("/api/admin/articles/{id}/withdraw"),
            &hrss.reviewer,
            json!({ "reason": "已废止" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(t.search("养老保险").await["total"], 0);
    // The search page renders the same results.
    let page = t
        .get("/sites/gd/search?q=%E8%90%A5%E5%95%86%E7%8E%AF%E5%A2%83")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("广东省进一步优化营商环境若干措施") && page.text.contains("<mark>"),
        "{}",
        page.text
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_rebuilds_from_the_database() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "gzdt", "工作动态", "news").await;
    let s = t.staff("gd").await;
    for i in 0..3 {
        t.publish("gd", &s, json!({ "column": "gzdt", "title": format!("数字政府建设第{i}次推进会召开"), "body": "数字政府" })).await;
    }
    assert_eq!(t.search("数字政府").await["total"], 3);
    let n = t.node.reindex().await.unwrap();
    assert_eq!(n, 3);
    assert_eq!(t.search("数字政府").await["total"], 3);
    t.stop().await;
}
