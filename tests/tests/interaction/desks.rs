//! Letters desks (受理中心): a letter whose writer did not choose a body goes to the
//! site's desk, whose handler passes it on to the body that must answer.

use super::form_body;
use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::json;

async fn declare(t: &TestNode, slug: &str, name: &str) {
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/interaction/bodies/{slug}"),
            Some(&t.admin),
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letters_without_a_body_go_to_the_desk_and_are_passed_on() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gdjyt", "广东省教育厅").await;
    declare(&t, "xfj", "广东省信访局").await;
    declare(&t, "jyt", "广东省教育厅").await;
    let letter = json!({ "kind": "consultation", "subject": "孩子入学需要哪些材料",
        "content": "外省户籍孩子在广州入学需要准备哪些材料？", "name": "赵六", "phone": "13600136000" });
    let file = |site: &'static str| {
        let t = &t;
        let letter = letter.clone();
        async move {
            t.call(
                Method::POST,
                &format!("/api/interaction/tickets?site={site}"),
                None,
                Some(letter),
            )
            .await
        }
    };

    // No desk yet: the letter must name its body, and the form requires one.
    let r = file("gd").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.text.contains("body") && r.text.contains("desk"),
        "{}",
        r.text
    );
    let page = t.get("/sites/gd/letters").await;
    assert!(
        page.text.contains("name=\"body\" required"),
        "{}",
        page.text
    );

    // Setting desks: bad input is named, scope is checked.
    let desk = |site: &str, body: serde_json::Value, token: Option<String>| {
        let t = &t;
        let path = format!("/api/admin/interaction/desks/{site}");
        async move {
            t.call(
                Method::PUT,
                &path,
                Some(token.as_deref().unwrap_or(&t.admin)),
                Some(body),
            )
            .await
        }
    };
    for (site, body, status, needle) in [
        (
            "gd",
            json!({ "body": "440100.xfj" }),
            StatusCode::NOT_FOUND,
            "440100.xfj",
        ),
        (
            "gd",
            json!({ "body": "440000.none" }),
            StatusCode::NOT_FOUND,
            "440000.none",
        ),
        (
            "nowhere",
            json!({ "body": "440000.xfj" }),
            StatusCode::NOT_FOUND,
            "nowhere",
        ),
        (
            "gd",
            json!({ "desk": "440000.xfj" }),
            StatusCode::BAD_REQUEST,
            "desk",
        ),
    ] {
        let r = desk(site, body, None).await;
        assert_eq!(r.status, status, "{site}: {}", r.text);
        assert!(r.text.contains(needle), "{site}: {}", r.text);
    }
    let gd_admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    let r = desk("*", json!({ "body": "440000.xfj" }), Some(gd_admin.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = desk(
        "gdjyt",
        json!({ "body": "440000.jyt" }),
        Some(gd_admin.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The node's default desk, and a site of its own for the education department.
    let r = desk("*", json!({ "body": "440000.xfj" }), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = desk("gdjyt", json!({ "body": "440000.jyt" }), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["name"], "广东省教育厅");
    let list = t
        .call(
            Method::GET,
            "/api/admin/interaction/desks",
            Some(&t.admin),
            None,
        )
        .await
        .json();
    let sites: Vec<&str> = list["desks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites, ["*", "gdjyt"], "{list}");
    let bodies = t.get("/api/interaction/bodies?site=gd").await.json();
    assert_eq!(bodies["desk"]["body"], "440000.xfj", "{bodies}");

    // A letter without a body goes to the desk that applies to its site.
    let r = file("gd").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let code = r.json()["code"].as_str().unwrap().to_string();
    let r = file("gdjyt").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let code2 = r.json()["code"].as_str().unwrap().to_string();
    let xfj = t
        .token(Role::Handler, Some("440000.xfj"), "信访局经办人")
        .await;
    let jyt = t
        .token(Role::Handler, Some("440000.jyt"), "教育厅经办人")
        .await;
    let inbox = |token: String| {
        let t = &t;
        async move {
            t.call(
                Method::GET,
                "/api/admin/interaction/inbox",
                Some(&token),
                None,
            )
            .await
            .text
        }
    };
    let at_desk = inbox(xfj.clone()).await;
    assert!(
        at_desk.contains(&code) && !at_desk.contains(&code2),
        "{at_desk}"
    );
    assert!(inbox(jyt.clone()).await.contains(&code2));

    // The desk's handler passes it on (转办); the body then answers it.
    let r = t
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/actions"),
            Some(&xfj),
            Some(json!({ "action": "transfer", "body": "440000.jyt", "reason": "属教育厅职责" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(inbox(jyt.clone()).await.contains(&code));
    assert!(!inbox(xfj.clone()).await.contains(&code));

    // The form offers the desk first and no longer requires a body.
    let page = t.get("/sites/gd/letters").await;
    assert!(
        page.text.contains("交广东省信访局分办") && !page.text.contains("name=\"body\" required"),
        "{}",
        page.text
    );
    let resp = t
        .http
        .post(t.url("/sites/gd/letters"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("kind", "suggestion"),
            ("body", ""),
            ("subject", "建议公布各区学位情况"),
            ("content", "建议每年公布各区公办学校学位数量。"),
            ("name", "钱七"),
            ("phone", "13500135000"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    // Removing the default desk: letters to gd must name a body again.
    let r = t
        .call(
            Method::DELETE,
            "/api/admin/interaction/desks/*",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::DELETE,
            "/api/admin/interaction/desks/*",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(file("gd").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(file("gdjyt").await.status, StatusCode::CREATED);
    t.stop().await;
}
