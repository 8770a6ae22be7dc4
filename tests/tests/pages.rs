//! Public rendering: every page type and feed, host and path routing, elder mode,
//! one-key shutdown, template overrides, attachments; and the OpenAPI document.

use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::json;

async fn setup() -> (TestNode, govnode_tests::Staff, i64) {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    t.column("gd", "gzdt", "工作动态", "news").await;
    let r = t
        .post(
            "/api/admin/sites/gd/columns",
            &t.admin,
            json!({ "slug": "sjdt", "name": "市县动态", "kind": "news", "parent": "gzdt" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let s = t.staff("gd").await;
    let policy = t
        .publish(
            "gd",
            &s,
            json!({ "column": "zcwj", "title": "广东省人民政府关于印发数字政府改革建设方案的通知", "doc_number": "粤府〔2026〕8号",
                "issuing_body": "广东省人民政府", "theme": "01", "date": "2026-03-01", "valid_from": "2026-03-01",
                "body": "## 一、总体目标\n\n到2027年，基本建成**整体协同**的数字政府。\n\n<script>alert(1)</script>", "tags": ["数字政府"] }),
        )
        .await;
    for i in 0..23 {
        t.publish(
            "gd",
            &s,
            json!({ "column": "gzdt", "title": format!("工作动态第{i}条"), "body": "内容" }),
        )
        .await;
    }
    (t, s, policy["id"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_renders() {
    let (t, _s, policy) = setup().await;
    // Home: latest per column, feeds linked, accessible skeleton.
    let home = t.get("/sites/gd/").await;
    assert_eq!(home.status, StatusCode::OK);
    for needle in [
        "<html lang=\"zh-CN\"",
        "跳到主要内容",
        "<main id=\"main\"",
        "role=\"search\"",
        "数字政府改革建设方案",
        "工作动态第22条",
        "rel=\"alternate\" type=\"application/rss+xml\"",
        "application/atom+xml",
        "application/feed+json",
        "长者模式",
        // Citizens find where to write and to take part from every page's navigation.
        "<a href=\"/sites/gd/letters\">互动交流</a>",
        "<a href=\"/sites/gd/surveys\">征集调查</a>",
    ] {
        assert!(home.text.contains(needle), "home lacks {needle}");
    }
    assert!(
        !home.text.contains("<script>"),
        "no script reaches the page"
    );
    assert_eq!(home.text.matches("<h1").count(), 1, "one h1");

    // Column list with pagination: 23 items, 20 a page.
    let col = t.get("/sites/gd/columns/gzdt").await;
    assert_eq!(col.status, StatusCode::OK);
    assert!(
        col.text.contains("工作动态第22条") && !col.text.contains("工作动态第2条<"),
        "newest first"
    );
    assert!(
        col.text.contains("aria-label=\"分页\"") && col.text.contains("?page=2"),
        "pagination"
    );
    assert!(col.text.contains("市县动态"), "sub-columns listed");
    assert!(
        col.text.contains("/columns/gzdt/feed.rss"),
        "column feed linked"
    );
    let page2 = t.get("/sites/gd/columns/gzdt?page=2").await;
    assert!(page2.text.contains("工作动态第0条") && !page2.text.contains("工作动态第22条"));

    // Policy article with its disclosure metadata table.
    let art = t.get(&format!("/sites/gd/articles/{policy}")).await;
    assert_eq!(art.status, StatusCode::OK);
    for needle in [
        "文件信息",
        "索引号",
        "00gd/01-2026-",
        "粤府〔2026〕8号",
        "综合政务",
        "<strong>整体协同</strong>",
        "有效",
        "数字政府",
    ] {
        assert!(art.text.contains(needle), "article lacks {needle}");
    }
    assert!(!art.text.contains("<script>alert"), "sanitised");
    // A news article has no metadata table.
    let news = t.get("/sites/gd/columns/gzdt").await.text;
    let first = news
        .split("/sites/gd/articles/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let n = t.get(&format!("/sites/gd/articles/{first}")).await;
    assert!(!n.text.contains("文件信息"));

    // Search page, sitemap, 404s.
    let search = t.get("/sites/gd/search").await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(search.text.contains("搜索关键词"));
    let empty = t.get("/sites/gd/search?q=").await;
    assert!(empty.text.contains("请输入搜索词"));
    let sitemap = t.get("/sites/gd/sitemap.xml").await;
    assert_eq!(
        sitemap.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert_eq!(
        sitemap.text.matches("<url>").count(),
        1 + 3 + 24,
        "home + 3 columns + 24 articles"
    );
    assert!(
        sitemap
            .text
            .contains(&format!("http://{}/sites/gd/articles/{policy}", t.addr))
    );
    assert_eq!(
        t.get("/sites/gd/columns/nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/sites/gd/articles/99999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/sites/gd/articles/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.get("/sites/nosuch/").await.status, StatusCode::NOT_FOUND);
    // What a citizen reads is Chinese: never the API's English names of what is missing.
    for path in [
        "/sites/gd/columns/nope",
        "/sites/gd/articles/99999",
        "/sites/gd/articles/abc",
        "/sites/gd/feed.pdf",
        "/sites/gd/no/such/page",
    ] {
        let page = t.get(path).await;
        assert!(page.text.contains("页面不存在"), "{path}");
        for english in ["column `", "article ", "page `", "feed format", "not found"] {
            assert!(!page.text.contains(english), "{path}: {english}");
        }
    }
    let api = t.get("/api/no-such-route").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api.json()["error"],
        "not_found",
        "API paths never fall through to a site page"
    );
    let nf = t.get("/sites/gd/no/such/page").await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.text.contains("广东省人民政府"), "404 in the site's look");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_per_site_and_column() {
    let (t, _s, policy) = setup().await;
    let rss = t.get("/sites/gd/feed.rss").await;
    assert_eq!(rss.status, StatusCode::OK);
    assert_eq!(
        rss.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    assert!(rss.text.starts_with("<?xml") && rss.text.contains("<rss version=\"2.0\""));
    assert_eq!(rss.text.matches("<item>").count(), 20, "latest 20");
    let atom = t.get("/sites/gd/columns/zcwj/feed.atom").await;
    assert_eq!(
        atom.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_eq!(atom.text.matches("<entry>").count(), 1);
    assert!(atom.text.contains(&format!("/sites/gd/articles/{policy}")));
    let json_feed = t.get("/sites/gd/columns/gzdt/feed.json").await;
    let j = json_feed.json();
    assert_eq!(j["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(j["items"].as_array().unwrap().len(), 20);
    assert!(
        j["items"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://"),
        "absolute URLs"
    );
    assert_eq!(
        t.get("/sites/gd/feed.xml").await.status,
        StatusCode::NOT_FOUND
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_routing_portal_and_elder_mode() {
    let (t, _s, policy) = setup().await;
    let by_host = t.get_host("gd.gov.test", "/").await;
    assert_eq!(by_host.status, StatusCode::OK);
    assert!(by_host.text.contains("广东省人民政府"));
    assert!(
        by_host.text.contains("href=\"/columns/zcwj\""),
        "links stay on the host"
    );
    let art = t
        .get_host("gd.gov.test", &format!("/articles/{policy}"))
        .await;
    assert_eq!(art.status, StatusCode::OK);
    // An unknown host gets the node's portal listing its sites.
    let portal = t.get_host("unknown.test", "/").await;
    assert!(portal.text.contains("/sites/gd/"), "{}", portal.text);
    // Elder mode: the toggle sets a cookie and returns; pages honour it.
    let toggle = t.get("/elder?on=1&back=/sites/gd/").await;
    assert_eq!(toggle.status, StatusCode::SEE_OTHER);
    assert_eq!(toggle.header("location"), Some("/sites/gd/"));
    assert!(toggle.header("set-cookie").unwrap().starts_with("elder=1"));
    let evil = t.get("/elder?on=1&back=//evil.example/").await;
    assert_eq!(evil.header("location"), Some("/"), "no open redirect");
    // Browsers drop tabs and line breaks from a Location, so `/<tab>/host` would leave the
    // site; control characters and backslashes never make a same-site path (and never a 500).
    for back in [
        "/%09/evil.example/phish",
        "/%0A",
        "/%0D%0A/evil.example",
        "/%5C/evil.example",
        "https://evil.example/",
    ] {
        let r = t.get(&format!("/elder?on=1&back={back}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(r.header("location"), Some("/"), "{back}");
    }
    let spaced = t.get("/elder?on=1&back=/%20/evil.example").await;
    assert_eq!(spaced.header("location"), Some("/%20/evil.example"));
    let deep = t
        .get("/elder?on=0&back=/sites/gd/search%3Fq%3D%E7%A4%BE%E4%BF%9D")
        .await;
    assert_eq!(
        deep.header("location"),
        Some("/sites/gd/search?q=%E7%A4%BE%E4%BF%9D")
    );
    let elder = t
        .http
        .get(t.url("/sites/gd/"))
        .header("cookie", "elder=1")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(elder.contains("class=\"elder\"") && elder.contains("标准模式"));
    let css = t.get("/static/site.css").await;
    assert!(css.text.contains(".elder"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_shutdown_serves_maintenance() {
    let (t, _s, policy) = setup().await;
    let site_admin = t.token(Role::SiteAdmin, Some("gd"), "站点管理员").await;
    let r = t
        .post(
            "/api/admin/sites/gd/shutdown",
            &site_admin,
            json!({ "message": "系统升级，预计2小时后恢复" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for path in [
        "/sites/gd/".to_string(),
        format!("/sites/gd/articles/{policy}"),
        "/sites/gd/feed.rss".into(),
    ] {
        let p = t.get(&path).await;
        assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(p.text.contains("系统升级"), "{path}");
        assert_eq!(p.header("retry-after"), Some("3600"));
    }
    t.post("/api/admin/sites/gd/resume", &site_admin, json!({}))
        .await;
    assert_eq!(t.get("/sites/gd/").await.status, StatusCode::OK);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_overrides_are_per_site_and_sandboxed() {
    let (t, _s, _) = setup().await;
    t.site("gz", "广州市人民政府").await;
    let src = "{% extends \"layout.html\" %}{% block content %}<h1>定制首页 {{ site.name }}</h1>{% endblock %}";
    let r = t
        .call(
            Method::PUT,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            Some(json!({ "source": src })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        t.get("/sites/gd/")
            .await
            .text
            .contains("定制首页 广东省人民政府")
    );
    assert!(
        !t.get("/sites/gz/").await.text.contains("定制首页"),
        "other sites keep the default"
    );
    // A broken template is refused with its line, and the old one keeps serving.
    let r = t
        .call(
            Method::PUT,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            Some(json!({ "source": "ok\n{% if %}" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["message"].as_str().unwrap().contains("line 2"),
        "{}",
        r.text
    );
    assert!(t.get("/sites/gd/").await.text.contains("定制首页"));
    // Templates reach no file: an include of a path fails to render, it never leaks.
    let r = t
        .call(
            Method::PUT,
            "/api/admin/sites/gd/templates/error.html",
            Some(&t.admin),
            Some(json!({ "source": "{% include '/etc/passwd' %}" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let p = t.get("/sites/gd/no-such-page").await;
    assert!(!p.text.contains("root:"), "no file content");
    // Reset restores the default.
    let r = t
        .call(
            Method::DELETE,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(!t.get("/sites/gd/").await.text.contains("定制首页"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_content_addressed_and_served_safely() {
    let (t, s, _) = setup().await;
    let pdf = b"%PDF-1.4 sample attachment".to_vec();
    let up = t
        .http
        .post(t.url("/api/admin/blobs?site=gd"))
        .bearer_auth(&s.editor)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), StatusCode::CREATED);
    let blob: serde_json::Value = up.json().await.unwrap();
    assert_eq!(blob["hash"], blake3_hex(&pdf));
    let html = t
        .http
        .post(t.url("/api/admin/blobs?site=gd"))
        .bearer_auth(&s.editor)
        .header("content-type", "text/html")
        .body("<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let html: serde_json::Value = html.json().await.unwrap();
    let a = t
        .publish("gd", &s, json!({ "column": "zcwj", "title": "附件测试", "body": "见附件",
            "attachments": [{ "hash": blob["hash"], "name": "实施细则.pdf" }, { "hash": html["hash"], "name": "page.html" }] }))
        .await;
    let page = t.get(a["url"].as_str().unwrap()).await.text;
    assert!(
        page.contains("实施细则.pdf")
            && page.contains(&format!("/blobs/{}", blob["hash"].as_str().unwrap()))
    );
    let got = t
        .get(&format!("/blobs/{}", blob["hash"].as_str().unwrap()))
        .await;
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert_eq!(got.text.as_bytes(), &pdf[..]);
    let h = t
        .get(&format!("/blobs/{}", html["hash"].as_str().unwrap()))
        .await;
    assert_eq!(
        h.header("content-type"),
        Some("application/octet-stream"),
        "HTML is never served inline"
    );
    assert_eq!(h.header("content-disposition"), Some("attachment"));
    assert_eq!(
        t.get("/blobs/../../etc/passwd").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("/blobs/{}", "0".repeat(64))).await.status,
        StatusCode::NOT_FOUND
    );
    t.stop().await;
}

fn blake3_hex(b: &[u8]) -> String {
    govnode_tests::blake3_hex(b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_template_sets_stamp_fixed_columns() {
    let t = TestNode::start().await;
    for (id, name) in [("gz", "广州市人民政府"), ("sz", "深圳市人民政府")] {
        t.site(id, name).await;
    }
    let set = json!({ "name": "市政府基本栏目", "columns": [
        { "slug": "gzdt", "name": "工作动态", "kind": "news", "update_interval_days": 7 },
        { "slug": "tzgg", "name": "通知公告", "kind": "notice" },
        { "slug": "zcwj", "name": "政策文件", "kind": "policy" } ] });
    let r = t
        .call(
            Method::PUT,
            "/api/admin/column-templates/city",
            Some(&t.admin),
            Some(set),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    t.column("sz", "tzgg", "通知公告（自建）", "notice").await;
    for site in ["gz", "sz"] {
        let r = t
            .post(
                "/api/admin/column-templates/city/apply",
                &t.admin,
                json!({ "site": site }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let sz = t
        .call(
            Method::GET,
            "/api/admin/sites/sz/columns",
            Some(&t.admin),
            None,
        )
        .await
        .json();
    assert_eq!(
        sz.as_array().unwrap().len(),
        3,
        "an existing column of the same slug is kept, not duplicated"
    );
    let gz = t
        .call(
            Method::GET,
            "/api/admin/sites/gz/columns",
            Some(&t.admin),
            None,
        )
        .await
        .json();
    assert!(
        gz.as_array()
            .unwrap()
            .iter()
            .all(|c| c["template_set"] == "city")
    );
    // Stamping again creates nothing.
    let again = t
        .post(
            "/api/admin/column-templates/city/apply",
            &t.admin,
            json!({ "site": "gz" }),
        )
        .await
        .json();
    assert_eq!(again["created"].as_array().unwrap().len(), 0);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_served_and_lists_the_api() {
    let t = TestNode::start().await;
    let r = t.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "govnode API");
    let paths = doc["paths"].as_object().expect("paths");
    let sites = &paths["/api/admin/sites"];
    assert!(
        sites["post"].is_object() && sites["get"].is_object(),
        "{sites}"
    );
    // Either a bearer token or the console's session cookie (with its CSRF header).
    assert_eq!(
        sites["post"]["security"],
        json!([{ "bearer": [] }, { "cookie": [] }])
    );
    assert!(
        paths
            .get("/api/search")
            .is_some_and(|p| p["get"].is_object()),
        "GET /api/search is not in the document"
    );
    // Served as built: the same bytes every time.
    assert_eq!(t.get("/api/openapi.json").await.text, r.text);
    t.stop().await;
}

/// Methods a page does not take are refused with the methods it does; the letters form on
/// a site's own host name takes the same attachments as by path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn methods_and_the_letters_form_by_host() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    for (path, allow) in [
        ("/sites/gd/letters", "GET,HEAD,POST"),
        ("/sites/gd/surveys/1", "GET,HEAD,POST"),
        ("/sites/gd/", "GET,HEAD"),
        ("/sites/gd/search", "GET,HEAD"),
    ] {
        let r = t.http.put(t.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(
            r.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{path}"
        );
    }
    // A 4.5 MiB attachment through the form by host name is read whole (the body is past
    // the default request limit), so the answer is about the letter, not the body's size.
    let boundary = "b0undary";
    let mut body = Vec::new();
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nsuggestion\r\n"
        )
        .as_bytes(),
    );
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"scan.pdf\"\r\n\r\n").as_bytes(),
    );
    body.extend(vec![b'%'; 9 << 19]);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = t
        .http
        .post(t.url("/letters"))
        .header("host", "gd.gov.test")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let cut = text.find("Error parsing").map(|i| &text[i..i + 120]);
    assert!(cut.is_none(), "the body was cut off: {cut:?}");
    t.stop().await;
}

/// Issue 11, item 9: a client's `Host` header never names the host of absolute links.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_links_never_come_from_the_host_header() {
    let (t, _s, policy) = setup().await;
    for path in [
        "/sites/gd/sitemap.xml",
        "/sites/gd/feed.rss",
        "/sites/gd/feed.atom",
        "/sites/gd/feed.json",
    ] {
        let poisoned = t.get_host("evil.example", path).await;
        assert_eq!(poisoned.status, StatusCode::OK, "{path}");
        assert!(
            !poisoned.text.contains("evil.example"),
            "{path} links to the client's Host: {}",
            poisoned.text
        );
        assert!(
            poisoned
                .text
                .contains(&format!("http://{}/sites/gd/", t.addr)),
            "{path} links to the node's own address"
        );
    }
    // Reached by a configured host name, links use that name, and a port the client adds
    // is not carried into them.
    let by_host = t.get_host("gd.gov.test:6666", "/sitemap.xml").await;
    assert_eq!(by_host.status, StatusCode::OK);
    assert!(
        by_host
            .text
            .contains(&format!("http://gd.gov.test/articles/{policy}")),
        "{}",
        by_host.text
    );
    assert!(!by_host.text.contains(":6666"));
}

/// Issue 11: pages and feeds carry a validator (304 when unchanged) and are compressed
/// for clients that accept gzip; private answers (no-store) are never tagged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_tagged_revalidated_and_compressed() {
    let (t, _s, policy) = setup().await;
    let client = govnode_tests::http_client().build().expect("client");
    for path in [
        "/sites/gd/".to_string(),
        format!("/sites/gd/articles/{policy}"),
        "/sites/gd/columns/gzdt".into(),
        "/sites/gd/feed.rss".into(),
        "/sites/gd/sitemap.xml".into(),
    ] {
        let first = client.get(t.url(&path)).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        let tag = first
            .headers()
            .get("etag")
            .unwrap_or_else(|| panic!("{path} has no ETag"))
            .to_str()
            .unwrap()
            .to_string();
        let again = client
            .get(t.url(&path))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
        assert!(again.bytes().await.unwrap().is_empty());
        let other = client
            .get(t.url(&path))
            .header("if-none-match", "W/\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK, "{path}");
        let plain_len = other.bytes().await.unwrap().len();
        let gz = client
            .get(t.url(&path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gz.status(), StatusCode::OK);
        assert_eq!(
            gz.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
        let gz_len = gz.bytes().await.unwrap().len();
        assert!(
            gz_len < plain_len,
            "{path}: gzip {gz_len} ≥ plain {plain_len}"
        );
    }
    // The article page says when the document last changed (an HTTP date).
    let art = client
        .get(t.url(&format!("/sites/gd/articles/{policy}")))
        .send()
        .await
        .unwrap();
    let modified = art.headers()["last-modified"].to_str().unwrap().to_string();
    assert!(
        modified.ends_with(" GMT") && modified.len() == 29,
        "{modified}"
    );
    // A publication changes the home page, so its old tag no longer matches.
    let home = client.get(t.url("/sites/gd/")).send().await.unwrap();
    let tag = home.headers()["etag"].to_str().unwrap().to_string();
    let s = t.staff("gd").await;
    t.publish(
        "gd",
        &s,
        json!({ "column": "gzdt", "title": "新发布的工作动态", "body": "内容" }),
    )
    .await;
    let after = client
        .get(t.url("/sites/gd/"))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    assert!(after.text().await.unwrap().contains("新发布的工作动态"));
}
