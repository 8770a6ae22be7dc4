//! Changing sites and columns after they exist, over HTTP: a site admin renames, moves,
//! reorders, archives and restores columns (an archived column leaves the navigation and
//! its pages answer 410); a platform admin edits a site. Every refusal changes nothing.

use govnode_tests::{Method, Reply, Role, StatusCode, TestNode};
use serde_json::{Value, json};

async fn call(t: &TestNode, token: &str, method: Method, path: &str, body: Value) -> Reply {
    t.call(method, path, Some(token), Some(body)).await
}

/// The site's columns by slug: (name, parent id, position, archived).
async fn columns(t: &TestNode) -> Vec<Value> {
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/columns",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json().as_array().unwrap().clone()
}

fn by_slug<'a>(cols: &'a [Value], slug: &str) -> &'a Value {
    cols.iter()
        .find(|c| c["slug"] == slug)
        .unwrap_or_else(|| panic!("column {slug} in {cols:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_admin_renames_moves_reorders_and_archives_columns() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    for (slug, name, kind) in [
        ("zwgk", "政务公开", "policy"),
        ("tzgg", "通知公告", "notice"),
        ("gzdt", "工作动态", "news"),
        ("jggk", "机构概况", "topic"),
    ] {
        t.column("gd", slug, name, kind).await;
    }
    let admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    let staff = t.staff("gd").await;

    // Rename.
    let r = call(
        &t,
        &admin,
        Method::PATCH,
        "/api/admin/sites/gd/columns/gzdt",
        json!({ "name": "政务动态", "update_interval_days": 7 }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["name"], "政务动态");
    assert_eq!(r.json()["update_interval_days"], 7);

    // Move 通知公告 under 政务公开; the navigation then has it no more at the top level.
    let r = call(
        &t,
        &admin,
        Method::PATCH,
        "/api/admin/sites/gd/columns/tzgg",
        json!({ "parent": "zwgk" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let cols = columns(&t).await;
    assert_eq!(
        by_slug(&cols, "tzgg")["parent"],
        by_slug(&cols, "zwgk")["id"]
    );

    // A column cannot move under itself or under one of its sub-columns.
    for (slug, parent) in [("zwgk", "zwgk"), ("zwgk", "tzgg")] {
        let r = call(
            &t,
            &admin,
            Method::PATCH,
            &format!("/api/admin/sites/gd/columns/{slug}"),
            json!({ "parent": parent }),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert!(r.text.contains("parent"), "{}", r.text);
    }
    assert_eq!(by_slug(&columns(&t).await, "zwgk")["parent"], Value::Null);

    // Reorder the top level: every column of the level, once.
    let r = call(
        &t,
        &admin,
        Method::PUT,
        "/api/admin/sites/gd/column-order",
        json!({ "slugs": ["jggk", "gzdt"] }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a level's column left out: {}",
        r.text
    );
    let r = call(
        &t,
        &admin,
        Method::PUT,
        "/api/admin/sites/gd/column-order",
        json!({ "slugs": ["jggk", "gzdt", "zwgk"] }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let home = t.get("/sites/gd/").await.text;
    let nav = |name: &str| {
        home.find(name)
            .unwrap_or_else(|| panic!("{name} on the home page"))
    };
    assert!(nav("机构概况") < nav("政务动态") && nav("政务动态") < nav("政务公开"));

    // A column with an article is not archived; an empty one is, and answers 410.
    t.publish(
        "gd",
        &staff,
        json!({ "column": "gzdt", "title": "全省政务服务工作会议召开", "body": "会议要求……" }),
    )
    .await;
    let r = call(
        &t,
        &admin,
        Method::POST,
        "/api/admin/sites/gd/columns/gzdt/archive",
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("articles"), "{}", r.text);
    assert_eq!(t.get("/sites/gd/columns/jggk").await.status, StatusCode::OK);
    let r = t
        .call(
            Method::POST,
            "/api/admin/sites/gd/columns/jggk/archive",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["archived"], true);
    let page = t.get("/sites/gd/columns/jggk").await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        page.text.contains("栏目「机构概况」已撤销"),
        "{}",
        page.text
    );
    assert_eq!(
        t.get("/sites/gd/columns/jggk/feed.rss").await.status,
        StatusCode::GONE
    );
    assert!(!t.get("/sites/gd/").await.text.contains("机构概况"));
    assert!(
        !t.get("/sites/gd/sitemap.xml")
            .await
            .text
            .contains("/columns/jggk")
    );
    // Nothing is written into an archived column, and it is not changed while archived.
    let r = t
        .post(
            "/api/admin/sites/gd/articles",
            &staff.editor,
            json!({ "column": "jggk", "title": "写进已撤销栏目" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("archived"), "{}", r.text);
    let r = call(
        &t,
        &admin,
        Method::PATCH,
        "/api/admin/sites/gd/columns/jggk",
        json!({ "name": "改名" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    // Restored, it serves again.
    let r = t
        .call(
            Method::POST,
            "/api/admin/sites/gd/columns/jggk/restore",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(t.get("/sites/gd/columns/jggk").await.status, StatusCode::OK);

    // Editors do not manage columns; the audit log has every change.
    let r = call(
        &t,
        &staff.editor,
        Method::PATCH,
        "/api/admin/sites/gd/columns/jggk",
        json!({ "name": "编辑改名" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let audit = t
        .call(Method::GET, "/api/admin/audit", Some(&t.admin), None)
        .await
        .text;
    for action in ["\"update\"", "\"reorder\"", "\"archive\"", "\"restore\""] {
        assert!(audit.contains(action), "{action} audited: {audit}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_admin_edits_a_site() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("sz", "深圳市人民政府").await;
    let r = call(
        &t,
        &t.admin,
        Method::PATCH,
        "/api/admin/sites/gd",
        json!({ "name": "广东省人民政府门户网站", "hosts": ["www.gd.gov.test", "gd.gov.test"], "region": "440000" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["name"], "广东省人民政府门户网站");
    let home = t.get_host("www.gd.gov.test", "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text.contains("广东省人民政府门户网站"));

    // Another site's host name, a bad region, an unknown field: refused, nothing changed.
    for (body, status, names) in [
        (json!({ "hosts": ["gd.gov.test"] }), StatusCode::OK, "hosts"),
        (
            json!({ "name": "深圳", "hosts": ["gd.gov.test"] }),
            StatusCode::CONFLICT,
            "gd.gov.test",
        ),
        (json!({ "region": "44" }), StatusCode::BAD_REQUEST, "region"),
        (json!({ "nmae": "拼错" }), StatusCode::BAD_REQUEST, "nmae"),
    ] {
        let site = if status == StatusCode::OK { "gd" } else { "sz" };
        let r = call(
            &t,
            &t.admin,
            Method::PATCH,
            &format!("/api/admin/sites/{site}"),
            body.clone(),
        )
        .await;
        assert_eq!(r.status, status, "{body}: {}", r.text);
        if status != StatusCode::OK {
            assert!(r.text.contains(names), "{body}: {}", r.text);
        }
    }
    let sites = t
        .call(Method::GET, "/api/admin/sites", Some(&t.admin), None)
        .await
        .text;
    assert!(sites.contains("深圳市人民政府"), "sz unchanged: {sites}");
    assert!(
        sites.contains(r#""hosts":["gd.gov.test"]"#),
        "gd keeps the hosts of the last accepted change: {sites}"
    );

    // A site admin does not edit the site's identity.
    let admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    let r = call(
        &t,
        &admin,
        Method::PATCH,
        "/api/admin/sites/gd",
        json!({ "name": "站点管理员改名" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}
