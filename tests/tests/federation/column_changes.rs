//! A county's column changes travel with its site: the parent's replica shows a renamed
//! and reordered column as the county does, and an archived column answers 410 there too.

use govnode_tests::tree::Member;
use govnode_tests::{Method, StatusCode, TestTree};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_moves_and_archives_reach_the_parent_s_replica() {
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let tree = TestTree::start(vec![
        m("440000", "广东省", None),
        m("440106", "天河区", Some("440000")),
    ])
    .await;
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "zwgk", "政务公开", "policy").await;
    county.column("tianhe", "gzdt", "工作动态", "news").await;
    county.column("tianhe", "jggk", "机构概况", "topic").await;
    let province = tree.node("440000");
    tree.wait_page("440000", "/sites/tianhe/columns/jggk").await;

    for (method, path, body) in [
        (
            Method::PATCH,
            "/api/admin/sites/tianhe/columns/gzdt",
            json!({ "name": "天河动态" }),
        ),
        (
            Method::PUT,
            "/api/admin/sites/tianhe/column-order",
            json!({ "slugs": ["gzdt", "zwgk", "jggk"] }),
        ),
        (
            Method::POST,
            "/api/admin/sites/tianhe/columns/jggk/archive",
            json!({}),
        ),
    ] {
        let r = county
            .call(method, path, Some(&county.admin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    }
    assert_eq!(
        county.get("/sites/tianhe/columns/jggk").await.status,
        StatusCode::GONE
    );
    tree.wait_for("the archived column gone at the province", || async {
        province.get("/sites/tianhe/columns/jggk").await.status == StatusCode::GONE
    })
    .await;
    let home = province.get("/sites/tianhe/").await.text;
    assert!(
        !home.contains("机构概况"),
        "archived: out of the navigation"
    );
    let (renamed, other) = (
        home.find("天河动态")
            .expect("renamed column in the navigation"),
        home.find("政务公开").expect("政务公开"),
    );
    assert!(renamed < other, "the county's order holds at the province");
}
