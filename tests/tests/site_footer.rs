//! The footer every government site must show (政府网站发展指引): the region by name, never
//! its code; 网站标识码, 备案号, the 党政机关 mark, 承办单位, contact and 我为政府网站找错 as
//! the site configures them through the API, each only when set; bad items refused naming
//! the field. And the navigation's 智能问答 link.

use govnode_tests::{Method, Reply, Role, StatusCode, TestNode};
use serde_json::{Value, json};

/// The page's `<footer role="contentinfo">…</footer>`.
fn footer(page: &Reply) -> &str {
    let start = page
        .text
        .find("<footer role=\"contentinfo\"")
        .unwrap_or_else(|| panic!("no footer: {}", page.text));
    let end = page.text[start..].find("</footer>").expect("footer closed") + start;
    &page.text[start..end]
}

async fn put_footer(t: &TestNode, token: &str, site: &str, body: Value) -> Reply {
    t.call(
        Method::PUT,
        &format!("/api/admin/sites/{site}/footer"),
        Some(token),
        Some(body),
    )
    .await
}

/// A 400 in the API's error shape whose message names `field` (`field: …`, or serde's
/// "unknown field `field`").
fn assert_refused(r: &Reply, field: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.text);
    let v = r.json();
    assert_eq!(v["error"], "bad_request", "{}", r.text);
    let message = v["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!("{field}:"))
            || message.contains(&format!("unknown field `{field}`")),
        "the message names {field}: {message}"
    );
}

async fn sites(t: &TestNode) -> Value {
    let r = t
        .call(Method::GET, "/api/admin/sites", Some(&t.admin), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_footer_shows_what_the_site_sets_and_names_its_region() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;

    // Nothing set: the region by name, 主办单位, and none of the optional items.
    let home = t.get("/sites/gd/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    let f = footer(&home);
    assert!(f.contains("所在地区：广东省"), "{f}");
    assert!(f.contains("主办单位：广东省人民政府办公厅"), "{f}");
    assert!(!f.contains("440000"), "the region's code never shows: {f}");
    for absent in [
        "网站标识码",
        "ICP备",
        "公网安备",
        "党政机关",
        "gov-mark",
        "承办单位",
        "联系电话",
        "联系邮箱",
        "我为政府网站找错",
    ] {
        assert!(!f.contains(absent), "{absent} is not set: {f}");
    }
    assert!(!home.text.contains("SiteIDCode"));
    // Every page's navigation leads to 智能问答 beside 互动交流.
    assert!(
        home.text.contains("<a href=\"/sites/gd/qa\">智能问答</a>"),
        "{}",
        home.text
    );

    // Everything set by a site administrator.
    let admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    let all = json!({
        "site_code": "4400000114",
        "icp_record": "粤ICP备05070829号",
        "police_record": "粤公网安备 44010402000195号",
        "conac_id": "BFC1D08BF3309DDCE05310291AAC2C98",
        "undertaker": "广东省政务服务数据管理局",
        "phone": "020-83133333",
        "address": "广州市越秀区东风中路305号",
        "email": "webmaster@gd.gov.cn",
    });
    let r = put_footer(&t, &admin, "gd", all.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["footer"], all);
    let home = t.get("/sites/gd/").await;
    let f = footer(&home);
    for needle in [
        "网站标识码：4400000114",
        "<a href=\"https://beian.miit.gov.cn/\">粤ICP备05070829号</a>",
        "<a href=\"https://beian.mps.gov.cn/#/query/webSearch?code=44010402000195\">粤公网安备 44010402000195号</a>",
        "href=\"https://bszs.conac.cn/sitename?method=show&amp;id=BFC1D08BF3309DDCE05310291AAC2C98\"",
        "<img src=\"/static/gov-mark.svg\" alt=\"\"",
        "党政机关",
        "承办单位：广东省政务服务数据管理局",
        "联系电话：020-83133333",
        "联系地址：广州市越秀区东风中路305号",
        "<a href=\"mailto:webmaster@gd.gov.cn\">webmaster@gd.gov.cn</a>",
        "href=\"https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?siteCode=4400000114&amp;url=http%3A%2F%2F",
        "我为政府网站找错</a>",
        "所在地区：广东省",
    ] {
        assert!(f.contains(needle), "footer lacks {needle}: {f}");
    }
    assert!(!f.contains("所在地区：440000"), "{f}");
    assert!(
        home.text
            .contains("<meta name=\"SiteIDCode\" content=\"4400000114\">")
    );
    // Every page has it, the search page and a column's too.
    t.column("gd", "gzdt", "工作动态", "news").await;
    for path in ["/sites/gd/search", "/sites/gd/columns/gzdt"] {
        let page = t.get(path).await;
        assert!(footer(&page).contains("网站标识码：4400000114"), "{path}");
    }
    // The mark's image comes from the node itself.
    let mark = t.get("/static/gov-mark.svg").await;
    assert_eq!(mark.status, StatusCode::OK);
    assert_eq!(mark.header("content-type"), Some("image/svg+xml"));
    assert!(mark.text.starts_with("<svg"), "{}", mark.text);

    // An update replaces the footer whole: what it leaves out is gone from the page.
    let r = put_footer(&t, &admin, "gd", json!({ "site_code": "4400000114" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let f = footer(&t.get("/sites/gd/").await).to_string();
    assert!(f.contains("网站标识码：4400000114") && f.contains("我为政府网站找错"));
    for absent in ["ICP备", "公网安备", "gov-mark", "承办单位", "联系"] {
        assert!(!f.contains(absent), "{absent} was removed: {f}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_footer_items_are_refused_naming_the_field() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let before = sites(&t).await;
    for (body, field) in [
        (json!({ "site_code": "440000" }), "site_code"),
        (json!({ "icp_record": "ICP备05070829号" }), "icp_record"),
        (
            json!({ "police_record": "粤公网安备 4401号" }),
            "police_record",
        ),
        (json!({ "conac_id": "<script>" }), "conac_id"),
        (json!({ "undertaker": "办".repeat(101) }), "undertaker"),
        (json!({ "phone": "call us" }), "phone"),
        (json!({ "email": "webmaster" }), "email"),
        (json!({ "address": "东风中路\u{7}" }), "address"),
        (json!({ "fax": "020-1" }), "fax"),
        (json!({ "site_code": 4400000114_i64 }), "site_code"),
    ] {
        let r = put_footer(&t, &t.admin, "gd", body.clone()).await;
        assert_refused(&r, field);
    }
    assert_eq!(before, sites(&t).await, "a refused footer changes nothing");

    // At creation the footer is nested, and so is the field a refusal names.
    let site = |footer: Value| {
        json!({ "id": "hrss", "name": "广东省人力资源和社会保障厅", "owner_body": "广东省人力资源和社会保障厅",
            "body_code": "006940060", "region": "440000", "footer": footer })
    };
    let r = t
        .post(
            "/api/admin/sites",
            &t.admin,
            site(json!({ "email": "hr@" })),
        )
        .await;
    assert_refused(&r, "footer.email");
    assert_eq!(
        t.get("/sites/hrss/").await.status,
        StatusCode::NOT_FOUND,
        "a refused creation creates nothing"
    );
    let r = t
        .post(
            "/api/admin/sites",
            &t.admin,
            site(json!({ "site_code": "4400000121", "undertaker": "广东省人力资源和社会保障厅信息中心" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let f = footer(&t.get("/sites/hrss/").await).to_string();
    assert!(f.contains("网站标识码：4400000121"), "{f}");
    assert!(
        f.contains("承办单位：广东省人力资源和社会保障厅信息中心"),
        "{f}"
    );

    // Who may: the site's administrators, not its editors nor another site's.
    let editor = t.token(Role::Editor, Some("gd"), "gd-editor").await;
    let other = t.token(Role::SiteAdmin, Some("hrss"), "hrss-admin").await;
    for token in [&editor, &other] {
        let r = put_footer(&t, token, "gd", json!({ "site_code": "4400000114" })).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    let r = put_footer(&t, &t.admin, "nope", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    t.stop().await;
}
