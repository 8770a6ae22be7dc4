//! The operators' view of the tree in the console (节点与同步): at the city, its parent,
//! children and every origin's log read by name, in Chinese; only platform admins and
//! auditors see it.

use govnode_accounts::{Grant, Role};
use govnode_tests::tree::Member;
use govnode_tests::{StatusCode, TestTree};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_s_operators_read_the_tree_by_name() {
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let tree = TestTree::start(vec![
        m("440000", "广东省", None),
        m("440100", "广州市", Some("440000")),
        m("440106", "天河区", Some("440100")),
    ])
    .await;
    tree.node("440106").site("tianhe", "天河区人民政府").await;
    tree.wait_page("440100", "/sites/tianhe/").await;
    tree.wait_connected("440100").await;
    let city = tree.node("440100");

    let auditor = city
        .console_session("zhao.shenji", &[Grant::node(Role::Auditor)])
        .await;
    let page = city
        .http
        .get(city.url("/admin/federation"))
        .header("cookie", format!("govnode_session={auditor}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    for needle in [
        "<h1>节点与同步</h1>",
        "广州市（市级节点）",
        "<dt>上级节点</dt><dd>广东省</dd>",
        "<td>广东省</td><td>上级节点</td>",
        "<td>天河区</td><td>下级节点</td>",
        "已连接",
        "<td>天河区</td><td>",
        "没有被拒绝的条目",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert!(!page.contains("未知节点"), "every node by name: {page}");
    assert!(
        page.contains("federation\">节点与同步</a>"),
        "in the navigation"
    );

    // An editor is refused, in Chinese.
    let editor = city
        .console_session("li.bianji", &[Grant::site(Role::Editor, "tianhe")])
        .await;
    let r = city
        .http
        .get(city.url("/admin/federation"))
        .header("cookie", format!("govnode_session={editor}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("只有平台管理员和审计员"));

    // A platform admin (signed in with an authenticator) reads it too.
    let admin = city
        .console_session("wang.pingtai", &[Grant::node(Role::PlatformAdmin)])
        .await;
    let r = city
        .http
        .get(city.url("/admin/federation"))
        .header("cookie", format!("govnode_session={admin}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
