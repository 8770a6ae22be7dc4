//! The search page offers the scopes that exist for its node (本站, 本级, 本市, 全省), each
//! only when it covers more than the one before, so "扩大到…" always adds something; a
//! replica site's are its own node's; and a county's footer names its region from the
//! province down. On the 1 + 2 + 4 test tree.

use govnode_tests::{Reply, StatusCode, TestTree};
use serde_json::json;

/// The `value`s of the page's scope radios, in order.
fn offered(page: &Reply) -> Vec<String> {
    page.text
        .split("name=\"scope\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect()
}

/// The radio labels, in order.
fn labels(page: &Reply) -> Vec<String> {
    page.text
        .split("name=\"scope\" value=\"")
        .skip(1)
        .map(|rest| {
            let after = rest.split_once('>').map_or("", |(_, a)| a);
            after
                .split('<')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_level_offers_the_scopes_it_has_and_widens_only_to_more() {
    let tree = TestTree::one_two_four().await;
    tree.node("440000").site("gd", "广东省人民政府").await;
    tree.node("440100").site("gz", "广州市人民政府").await;
    let county = tree.node("440106");
    let r = county
        .post(
            "/api/admin/sites",
            &county.admin,
            json!({ "id": "tianhe", "name": "天河区人民政府", "owner_body": "天河区人民政府办公室",
                "body_code": "00tianhe", "region": "440106" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Every node knows the province's tree once the root's entry has reached it.
    for id in ["440100", "440106"] {
        tree.wait_for(&format!("the tree at {id}"), || async {
            tree.node(id).get("/api/federation/topology").await.json()["nodes"]
                .as_array()
                .is_some_and(|n| n.len() == 7)
        })
        .await;
    }

    // The province running one site: this site or the whole province; never 本市, and the
    // province is offered once (not also as "广东省全域").
    let page = tree.node("440000").get("/sites/gd/search?q=社保").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(offered(&page), ["site", "province"], "{}", page.text);
    assert_eq!(labels(&page), ["本站", "全省"]);
    assert!(!page.text.contains("全域") && !page.text.contains("本市"));
    assert!(page.text.contains(r#"value="site" checked"#));
    // A second site at the province: 本级 now adds something, and is what widening offers.
    tree.node("440000")
        .site("hrss", "广东省人力资源和社会保障厅")
        .await;
    let page = tree.node("440000").get("/sites/gd/search?q=社保").await;
    assert_eq!(offered(&page), ["site", "node", "province"]);
    assert_eq!(labels(&page), ["本站", "本级", "全省"]);
    assert!(page.text.contains("扩大到本级搜索"), "{}", page.text);

    // A city with counties: 本市 is its subtree.
    let page = tree.node("440100").get("/sites/gz/search?q=社保").await;
    assert_eq!(offered(&page), ["site", "region:440100", "province"]);
    assert_eq!(labels(&page), ["本站", "本市", "全省"]);

    // A county running one site: 本级 would find nothing new, so the first widening is
    // to its city; from the city, to the province; from the province, nowhere.
    let page = tree.node("440106").get("/sites/tianhe/search?q=社保").await;
    assert_eq!(offered(&page), ["site", "region:440100", "province"]);
    assert_eq!(labels(&page), ["本站", "本市", "全省"]);
    assert!(page.text.contains("扩大到本市搜索"), "{}", page.text);
    assert!(!page.text.contains("扩大到本级"), "{}", page.text);
    assert!(
        page.text.contains("scope=region%3A440100"),
        "the widening link: {}",
        page.text
    );
    let wider = tree
        .node("440106")
        .get("/sites/tianhe/search?q=社保&scope=region:440100")
        .await;
    assert_eq!(wider.status, StatusCode::OK, "{}", wider.text);
    assert!(wider.text.contains(r#"value="region:440100" checked"#));
    assert!(wider.text.contains("扩大到全省搜索"), "{}", wider.text);
    let widest = tree
        .node("440106")
        .get("/sites/tianhe/search?q=社保&scope=province")
        .await;
    assert!(widest.text.contains(r#"value="province" checked"#));
    assert!(!widest.text.contains("扩大到"), "{}", widest.text);
    // A scope chosen by a link that the ladder does not hold stays chosen, by its name.
    let other = tree
        .node("440106")
        .get("/sites/tianhe/search?q=社保&scope=region:440300")
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
    assert_eq!(
        offered(&other),
        ["site", "region:440100", "province", "region:440300"]
    );
    assert_eq!(labels(&other)[3], "深圳市");

    // The county's footer names its region from the province down, never by code.
    let home = tree.node("440106").get("/sites/tianhe/").await;
    let footer = home.text.split("<footer").nth(1).unwrap_or_default();
    assert!(footer.contains("所在地区：广东省广州市天河区"), "{footer}");
    assert!(!footer.contains("440106"), "{footer}");

    // The province's replica of the county's site: its scopes are the county's (this node's
    // 本级 is not the site's level), and its notice names the owner, not its code.
    let replica = tree.wait_page("440000", "/sites/tianhe/").await;
    assert!(
        replica.text.contains("原站点由天河区的节点运行"),
        "{}",
        replica.text
    );
    let page = tree.node("440000").get("/sites/tianhe/search?q=社保").await;
    assert_eq!(offered(&page), ["site", "region:440100", "province"]);
    tree.shutdown().await;
}
