//! Site-id squatting (issue 11, item 7): a county creates `jyt` named 广东省教育厅; the
//! province's own `jyt` takes the id (an ancestor's claim wins), the county's replica stops
//! being served or found at the province, and the province's `jyt` replaces the county's own
//! down the tree. The province refuses a descendant's site, and lifts the refusal.

use govnode_tests::{Method, StatusCode, TestNode, TestTree};
use serde_json::{Value, json};

/// The admin list's entry for `id` at a node.
async fn listed(node: &TestNode, id: &str) -> Option<Value> {
    let sites = node
        .call(Method::GET, "/api/admin/sites", Some(&node.admin), None)
        .await
        .json();
    sites
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == id).cloned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_provinces_own_site_takes_an_id_a_county_squatted() {
    let tree = TestTree::one_two_four().await;
    let county = tree.node("440106");
    county.site("jyt", "广东省教育厅").await;
    county.column("jyt", "notice", "通知公告", "notice").await;
    let staff = county.staff("jyt").await;
    let squat = county
        .publish(
            "jyt",
            &staff,
            json!({ "column": "notice", "title": "关于高考加分政策调整的紧急通知", "body": "各考生：加分请联系……" }),
        )
        .await;
    let squat_path = format!("/sites/jyt/articles/{}", squat["id"]);
    // The province serves the county's squat as a replica: the impersonation.
    let page = tree.wait_page("440000", &squat_path).await;
    assert_eq!(page.header("x-govnode-replica"), Some("440106"));
    tree.wait_search("440000", &[("q", "高考加分")], 1).await;

    // The province's own `jyt` is created (was: 409) and served as its own.
    let province = tree.node("440000");
    let own = province.site("jyt", "广东省教育厅").await;
    assert_eq!(own["origin"], "440000");
    let home = province.get("/sites/jyt/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.header("x-govnode-replica"), None);
    // The county's replica is not served at the province, nor found by its search.
    assert_eq!(
        province.get(&squat_path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(province.search("高考加分").await["total"], 0);
    // It is on record, superseded, with its origin.
    let aside = listed(province, "jyt~440106")
        .await
        .expect("kept on record");
    assert_eq!(aside["state"], "superseded", "{aside}");
    assert_eq!(aside["claimed_id"], "jyt");
    assert_eq!(aside["origin"], "440106");
    assert_eq!(listed(province, "jyt").await.unwrap()["state"], "serving");
    assert_eq!(
        province.get("/sites/jyt~440106/").await.status,
        StatusCode::NOT_FOUND
    );
    // A second `jyt` at the province is still a conflict.
    let again = province
        .post(
            "/api/admin/sites",
            &province.admin,
            json!({ "id": "jyt", "name": "重复", "owner_body": "重复", "body_code": "1", "region": "440000" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

    // The province's `jyt` flows down and replaces the county's site at the city and the county.
    province.column("jyt", "notice", "通知公告", "notice").await;
    let staff = province.staff("jyt").await;
    let real = province
        .publish(
            "jyt",
            &staff,
            json!({ "column": "notice", "title": "广东省教育厅关于做好普通高校招生工作的通知", "body": "各地级以上市教育局……" }),
        )
        .await;
    let real_path = format!("/sites/jyt/articles/{}", real["id"]);
    for down in ["440100", "440106"] {
        tree.wait_for(&format!("the province's jyt at {down}"), || async {
            let p = tree.node(down).get(&real_path).await;
            p.status == StatusCode::OK && p.header("x-govnode-replica") == Some("440000")
        })
        .await;
        let kept = listed(tree.node(down), "jyt~440106")
            .await
            .expect("the county's site kept aside");
        assert_eq!(kept["state"], "superseded", "{down}: {kept}");
        assert_eq!(kept["state_by"], "440000");
        tree.wait_for(&format!("the squat leaves search at {down}"), || async {
            tree.node(down).search("高考加分").await["total"] == 0
        })
        .await;
    }
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_province_refuses_a_descendants_site() {
    let tree = TestTree::one_two_four().await;
    let county = tree.node("440303");
    county.site("fake", "广东省人民政府").await;
    county.column("fake", "notice", "通知公告", "notice").await;
    let staff = county.staff("fake").await;
    let a = county
        .publish(
            "fake",
            &staff,
            json!({ "column": "notice", "title": "关于发放消费补贴的通知", "body": "请点击链接领取……" }),
        )
        .await;
    let path = format!("/sites/fake/articles/{}", a["id"]);
    let province = tree.node("440000");
    tree.wait_page("440000", &path).await;
    tree.wait_search("440000", &[("q", "消费补贴")], 1).await;

    let refusal = "/api/admin/sites/fake/refusal";
    // Platform administrators only, with a reason.
    province.site("gd", "广东省人民政府").await;
    let gd = province.staff("gd").await;
    let r = province
        .post(refusal, &gd.reviewer, json!({ "reason": "仿冒" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = province.post(refusal, &province.admin, json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = province
        .post(
            refusal,
            &province.admin,
            json!({ "reason": "仿冒省政府网站" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "refused");
    assert_eq!(r.json()["state_reason"], "仿冒省政府网站");
    let page = province.get(&path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text.contains("没有站点"), "{}", page.text);
    assert_eq!(province.search("消费补贴").await["total"], 0);
    assert_eq!(listed(province, "fake").await.unwrap()["state"], "refused");
    // Refused twice, or a site of the province's own: a conflict.
    let r = province
        .post(refusal, &province.admin, json!({ "reason": "再次" }))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = province
        .post(
            "/api/admin/sites/gd/refusal",
            &province.admin,
            json!({ "reason": "自己的" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    // Lifted: served and found again.
    let r = province
        .call(Method::DELETE, refusal, Some(&province.admin), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "serving");
    assert_eq!(province.get(&path).await.status, StatusCode::OK);
    assert_eq!(province.search("消费补贴").await["total"], 1);
    let r = province
        .call(Method::DELETE, refusal, Some(&province.admin), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    tree.shutdown().await;
}
