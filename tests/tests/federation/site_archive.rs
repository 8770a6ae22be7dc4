//! Archiving an empty site (归档): only an empty site of this node, its host names freed,
//! restorable; the state travels in the site's entry, so the parent's replica stops (and
//! resumes) serving it too. A site with an article is refused in Chinese in the console.

use govnode_tests::console::Browser;
use govnode_tests::tree::Member;
use govnode_tests::{Method, StatusCode, TestTree};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_site_is_archived_everywhere_and_restored() {
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
    let province = tree.node("440000");
    let r = county
        .post(
            "/api/admin/sites",
            &county.admin,
            json!({ "id": "wujian", "name": "误建站点", "hosts": ["wujian.example.gov.cn"],
                    "owner_body": "天河区人民政府办公室", "body_code": "006940060", "region": "440106" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "gzdt", "工作动态", "news").await;
    let staff = county.staff("tianhe").await;
    county
        .publish(
            "tianhe",
            &staff,
            json!({ "column": "gzdt", "title": "天河区召开会议", "body": "会议内容。" }),
        )
        .await;
    tree.wait_page("440000", "/sites/wujian/").await;

    // A site with content is shut down, never archived; a replica is archived by its owner.
    let r = county
        .post(
            "/api/admin/sites/tianhe/archive",
            &county.admin,
            json!({ "reason": "误建" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("1 article(s)"), "{}", r.text);
    let r = province
        .post(
            "/api/admin/sites/wujian/archive",
            &province.admin,
            json!({ "reason": "误建" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let editor = county
        .token(govnode_tests::Role::SiteAdmin, Some("wujian"), "wang")
        .await;
    let r = county
        .post(
            "/api/admin/sites/wujian/archive",
            &editor,
            json!({ "reason": "误建" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a site admin may not: {}",
        r.text
    );

    let r = county
        .post(
            "/api/admin/sites/wujian/archive",
            &county.admin,
            json!({ "reason": "误建，机构已合并" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "archived");
    assert_eq!(
        county.get("/sites/wujian/").await.status,
        StatusCode::NOT_FOUND
    );
    // The host name is free for another site at once.
    let r = county
        .call(
            Method::PATCH,
            "/api/admin/sites/tianhe",
            Some(&county.admin),
            Some(json!({ "hosts": ["wujian.example.gov.cn"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    tree.wait_for("the archived site gone at the province", || async {
        province.get("/sites/wujian/").await.status == StatusCode::NOT_FOUND
    })
    .await;
    let r = province
        .call(Method::GET, "/api/admin/sites", Some(&province.admin), None)
        .await;
    let held = r.json();
    let replica = held
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "wujian")
        .expect("the province keeps the archived replica");
    assert_eq!(replica["state"], "archived");

    // Restoring while its host serves another site names the host; freed, it comes back.
    let r = county
        .call(
            Method::DELETE,
            "/api/admin/sites/wujian/archive",
            Some(&county.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("wujian.example.gov.cn"), "{}", r.text);
    let r = county
        .call(
            Method::PATCH,
            "/api/admin/sites/tianhe",
            Some(&county.admin),
            Some(json!({ "hosts": [] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = county
        .call(
            Method::DELETE,
            "/api/admin/sites/wujian/archive",
            Some(&county.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        county.get_host("wujian.example.gov.cn", "/").await.status,
        StatusCode::OK
    );
    tree.wait_page("440000", "/sites/wujian/").await;

    // In the console: the refusal of a site with content reads in Chinese, naming the count.
    let grants = [govnode_accounts::Grant::node(
        govnode_tests::Role::PlatformAdmin,
    )];
    let mut b = Browser::signed_in(county, "root.admin", &grants).await;
    let csrf = b.csrf("/admin/sites/tianhe").await;
    let r = b
        .post(
            "/admin/sites/tianhe/archive",
            &[("csrf", &csrf), ("action", "archive"), ("reason", "误建")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        r.text.contains("站点中还有 1 篇信息，不能归档"),
        "{}",
        r.text
    );
    let r = b
        .post(
            "/admin/sites/wujian/archive",
            &[("csrf", &csrf), ("action", "archive"), ("reason", "误建")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = b.get("/admin/sites/wujian?done=archived").await;
    assert!(page.text.contains("已归档该站点"), "{}", page.text);
    assert!(page.text.contains("恢复站点"), "{}", page.text);
}
