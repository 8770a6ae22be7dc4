//! Templates, shutdowns, uploads, size limits, search parameters, malformed ids.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_shutdowns_and_uploads_are_validated() {
    let w = world().await;
    let admin = w.t.admin.clone();
    let tp = |name: &str| format!("/api/admin/sites/gd/templates/{name}");
    let put = |what: &str, name: &str, body: Body| case(what, Method::PUT, tp(name), &admin, body);
    let src = |s: &str| Body::Json(json!({ "source": s }));
    let mut cases = vec![
        put(
            "a for loop without an iterable",
            "home.html",
            src("{% for x in %}{% endfor %}"),
        )
        .names(&["home.html", "line 1"]),
        put(
            "an unclosed block on line 3",
            "layout.html",
            src("<html>\n<body>\n{% if site %}\n</body>"),
        )
        .names(&["layout.html", "line"]),
        put(
            "an unclosed expression",
            "article.html",
            src("<h1>{{ article.title </h1>"),
        )
        .names(&["article.html"]),
        put("an unknown tag", "column.html", src("{% frobnicate %}"))
            .names(&["column.html", "line 1"]),
        put("an unknown template name", "evil.html", src("hello")).names(&["evil.html"]),
        put("a template name without .html", "home", src("hello")).names(&["home"]),
        put(
            "a path as a template name",
            "..%2F..%2Fhome.html",
            src("hello"),
        )
        .names(&["../../home.html"]),
        case(
            "reset an unknown template name",
            Method::DELETE,
            tp("evil.html"),
            &admin,
            Body::Empty,
        )
        .names(&["evil.html"]),
        put("missing source", "home.html", Body::Json(json!({})))
            .names(&["missing field", "`source`"]),
        put(
            "source as a number",
            "home.html",
            Body::Json(json!({ "source": 1 })),
        )
        .names(&["source:", "invalid type"]),
        put(
            "an unknown field",
            "home.html",
            Body::Json(json!({ "source": "x", "engine": "jinja" })),
        )
        .names(&["unknown field", "`engine`"]),
        put(
            "source over 256 KiB",
            "home.html",
            src(&text_of(256 * 1024 + 1, 'x')),
        )
        .names(&["source:"]),
        put("invalid JSON", "home.html", raw_json("{\"source\": \"x")).names(&["JSON"]),
        put(
            "no content type",
            "home.html",
            Body::Raw(None, br#"{"source":"x"}"#.to_vec()),
        )
        .names(&["Content-Type"]),
        case(
            "a template of an unknown site",
            Method::PUT,
            "/api/admin/sites/nope/templates/home.html",
            &admin,
            src("x"),
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
    ];

    // One-key shutdown (its body is optional).
    let sd = |what: &str, body: Body| {
        case(
            what,
            Method::POST,
            "/api/admin/sites/gd/shutdown",
            &w.gd_admin,
            body,
        )
    };
    cases.extend([
        sd(
            "a message of 501 characters",
            Body::Json(json!({ "message": text_of(501, '维') })),
        )
        .names(&["message:"]),
        sd(
            "a message that is a number",
            Body::Json(json!({ "message": 5 })),
        )
        .names(&["message:"]),
        sd("an unknown field", Body::Json(json!({ "msg": "维护" })))
            .names(&["unknown field", "`msg`"]),
        sd("invalid JSON", raw_json("{\"message\": ")).names(&["JSON"]),
        case(
            "shut down an unknown site",
            Method::POST,
            "/api/admin/sites/nope/shutdown",
            &admin,
            Body::Empty,
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        case(
            "resume an unknown site",
            Method::POST,
            "/api/admin/sites/nope/resume",
            &admin,
            Body::Empty,
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
    ]);

    // Uploads.
    let up =
        |what: &str, path: &str, body: Body| case(what, Method::POST, path, &w.gd.editor, body);
    cases.extend([
        up(
            "upload without site",
            "/api/admin/blobs",
            Body::Raw(Some("text/plain"), b"hello".to_vec()),
        )
        .names(&["site:"]),
        up(
            "upload with an empty body",
            "/api/admin/blobs?site=gd",
            Body::Raw(Some("text/plain"), Vec::new()),
        )
        .names(&["body:"]),
        up(
            "upload without anything",
            "/api/admin/blobs?site=gd",
            Body::Empty,
        )
        .names(&["body:"]),
        up(
            "upload with a content type that is no MIME type",
            "/api/admin/blobs?site=gd",
            Body::Raw(Some("nonsense"), b"hello".to_vec()),
        )
        .names(&["content-type:", "nonsense"]),
    ]);
    w.refuse_all(cases).await;

    let r =
        w.t.call(
            Method::GET,
            "/api/admin/sites/gd/templates",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.json(), json!({}), "no override was stored");
    let r =
        w.t.call(Method::GET, "/api/admin/sites", Some(&admin), None)
            .await
            .json();
    assert!(
        r.as_array()
            .expect("sites")
            .iter()
            .all(|s| s["shutdown"] == false),
        "no site was shut down: {r}"
    );
    // The site still renders with the defaults.
    let r = w.t.get("/sites/gd/").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Good input is accepted.
    let r =
        w.t.call(
            Method::PUT,
            &tp("home.html"),
            Some(&admin),
            Some(json!({ "source": "{% for x in [1, 2] %}{{ x }}{% endfor %}" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(
        &w.t,
        &Method::POST,
        "/api/admin/blobs?site=gd",
        Some(&w.gd.editor),
        &Body::Raw(Some("text/plain"), b"hello".to_vec()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["mime"], "text/plain");
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_request_limit_are_refused_with_413() {
    let w = world().await;
    let admin = w.t.admin.clone();
    let big = text_of(4 * 1024 * 1024 + 1, 'x');
    let too_large = |what: &str, method: Method, path: String, token: &str, body: Value| {
        case(what, method, path, token, Body::Json(body))
            .status(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    };
    w.refuse_all(vec![
        too_large(
            "article",
            Method::POST,
            "/api/admin/sites/gd/articles".into(),
            &w.gd.editor,
            json!({ "column": "news", "title": "大", "body": big }),
        ),
        too_large(
            "revision",
            Method::PUT,
            format!("/api/admin/articles/{}", w.draft),
            &w.gd.editor,
            json!({ "title": "大", "body": big }),
        ),
        too_large(
            "site",
            Method::POST,
            "/api/admin/sites".into(),
            &admin,
            json!({ "id": "big", "name": big }),
        ),
        too_large(
            "column",
            Method::POST,
            "/api/admin/sites/gd/columns".into(),
            &admin,
            json!({ "slug": "big", "name": big, "kind": "news" }),
        ),
        too_large(
            "template",
            Method::PUT,
            "/api/admin/sites/gd/templates/home.html".into(),
            &admin,
            json!({ "source": big }),
        ),
        too_large(
            "template set",
            Method::PUT,
            "/api/admin/column-templates/big".into(),
            &admin,
            json!({ "name": big, "columns": [] }),
        ),
        too_large(
            "apply",
            Method::POST,
            "/api/admin/column-templates/big/apply".into(),
            &admin,
            json!({ "site": big }),
        ),
        too_large(
            "reject reason",
            Method::POST,
            format!("/api/admin/articles/{}/reject", w.submitted),
            &w.gd.reviewer,
            json!({ "reason": big }),
        ),
        too_large(
            "withdraw reason",
            Method::POST,
            format!("/api/admin/articles/{}/withdraw", w.published),
            &w.gd.reviewer,
            json!({ "reason": big }),
        ),
        too_large(
            "shutdown message",
            Method::POST,
            "/api/admin/sites/gd/shutdown".into(),
            &admin,
            json!({ "message": big }),
        ),
    ])
    .await;
    // Under the limit, the same kind of request is judged on its content.
    let r =
        w.t.post(
            "/api/admin/sites/gd/articles",
            &w.gd.editor,
            json!({ "column": "news", "title": "较大", "body": text_of(3 * 1024 * 1024, 'x') }),
        )
        .await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "bad_request",
        &["body:"],
        "a 3 MiB body is refused for its length, not its size",
    );
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_parameters_are_validated() {
    let w = world().await;
    let t = &w.t;
    // Real words, 200 characters of them: the longest query accepted; one more is too long.
    let words = "关于进一步加强安全生产工作的通知".repeat(13);
    let ok_long: String = words.chars().take(200).collect();
    let long = format!("?q={ok_long}政");
    let ok_long = format!("?q={ok_long}");
    for (query, field) in [
        ("", "q"),
        ("?q=", "q"),
        ("?q=%20%20", "q"),
        ("?site=gd", "q"),
        (long.as_str(), "q"),
        ("?q=通知&type=blog", "type"),
        ("?q=通知&type=News", "type"),
        ("?q=通知&page=0", "page"),
        ("?q=通知&page=x", "page"),
        ("?q=通知&page=-1", "page"),
        ("?q=通知&page=1.5", "page"),
        ("?q=通知&page=1001", "page"),
        ("?q=通知&scope=planet", "scope"),
        ("?q=通知&scope=region:44", "scope"),
        ("?q=通知&scope=site", "scope"),
        ("?q=通知&sort=best", "sort"),
        ("?q=通知&year=99", "year"),
        ("?q=通知&level=village", "level"),
        ("?q=通知&group=maybe", "group"),
        ("?q=通知&literal=yes", "literal"),
    ] {
        let r = t.get(&format!("/api/search{query}")).await;
        assert_error(
            &r,
            StatusCode::BAD_REQUEST,
            "bad_request",
            &[&format!("{field}:")],
            &format!("GET /api/search{query}"),
        );
    }
    for query in [
        "?q=通知",
        ok_long.as_str(),
        "?q=通知&type=policy&page=1",
        "?q=通知&page=1000&site=gd",
        "?q=通知&type=",
        "?q=通知&scope=node",
        "?q=通知&scope=province",
        "?q=通知&scope=site&site=gd",
        "?q=通知&sort=date&year=2026&level=province&group=1&literal=1",
    ] {
        let r = t.get(&format!("/api/search{query}")).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "GET /api/search{query}: {}",
            r.text
        );
    }
    w.t.stop().await;
}

/// Awkward queries (10 kB long, control characters, unbalanced quotes and operators, only
/// punctuation) get a clear 400 or a sane answer, never a 500; the search page shows the
/// same as a message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_queries_never_fail() {
    let w = world().await;
    let t = &w.t;
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let ten_kb = "社会保险".repeat(900);
    let too_long = [ten_kb.as_str(), &"a".repeat(10_240)];
    for q in too_long {
        let r = t.get(&format!("/api/search?q={}", enc(q))).await;
        assert_error(
            &r,
            StatusCode::BAD_REQUEST,
            "bad_request",
            &["q:", "at most 200"],
            "10 kB query",
        );
        let page = t.get(&format!("/sites/gd/search?q={}", enc(q))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("无法搜索"), "{}", page.text);
    }
    for q in [
        "\"\"\"",
        "((((",
        "AND OR NOT",
        "，。！？",
        "\u{0}\u{1}\u{7f}",
    ] {
        let r = t.get(&format!("/api/search?q={}", enc(q))).await;
        assert_error(
            &r,
            StatusCode::BAD_REQUEST,
            "bad_request",
            &["q:", "no searchable word"],
            q,
        );
    }
    for q in [
        "\"社会保险",
        "社会保险\"",
        "社会(保险",
        "社会保险 AND",
        "OR 通知 NOT",
        "社\u{0}会\u{7}保\u{1b}险",
        "通知 -保险 +养老 *",
        "title:通知",
        "ｇｏｎｇｊｉｊｉｎ",
        "<script>alert(1)</script>",
        "\u{202e}通知",
    ] {
        let r = t.get(&format!("/api/search?q={}", enc(q))).await;
        assert_eq!(r.status, StatusCode::OK, "{q:?}: {}", r.text);
        assert!(r.json()["total"].is_u64(), "{q:?}: {}", r.text);
        let page = t.get(&format!("/sites/gd/search?q={}", enc(q))).await;
        assert_eq!(page.status, StatusCode::OK, "{q:?}");
        assert!(!page.text.contains("<script>alert"), "{q:?}");
    }
    w.t.stop().await;
}

/// Path ids and query parameters of the wrong type are bad input too, and get the API's
/// JSON error like every other refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_ids_and_query_parameters_get_json_errors() {
    let w = world().await;
    let admin = w.t.admin.clone();
    let cases = vec![
        case(
            "a state that does not exist",
            Method::GET,
            "/api/admin/sites/gd/articles?state=live",
            &admin,
            Body::Empty,
        )
        .names(&["state:", "live"]),
        case(
            "a page that is no number",
            Method::GET,
            "/api/admin/sites/gd/articles?page=x",
            &admin,
            Body::Empty,
        )
        .names(&["page:"]),
        case(
            "an audit limit that is no number",
            Method::GET,
            "/api/admin/audit?limit=x",
            &admin,
            Body::Empty,
        )
        .names(&["limit:"]),
        case(
            "an audit cursor that is no number",
            Method::GET,
            "/api/admin/audit?before=x",
            &admin,
            Body::Empty,
        )
        .names(&["before:"]),
        case(
            "an article id that is no number",
            Method::GET,
            "/api/admin/articles/abc",
            &admin,
            Body::Empty,
        ),
        case(
            "revisions of an article id that is no number",
            Method::GET,
            "/api/admin/articles/abc/revisions",
            &admin,
            Body::Empty,
        ),
        case(
            "revising an article id that is no number",
            Method::PUT,
            "/api/admin/articles/abc",
            &admin,
            Body::Json(json!({ "title": "x" })),
        ),
        case(
            "an action on an article id that is no number",
            Method::POST,
            "/api/admin/articles/abc/submit",
            &admin,
            Body::Empty,
        ),
        case(
            "an article id too large for a number",
            Method::GET,
            "/api/admin/articles/99999999999999999999",
            &admin,
            Body::Empty,
        ),
    ];
    w.refuse_all(cases).await;
    // A page number far past the end is an empty page, not an overflow that drops the
    // connection (a panic in the handler before the fix).
    for path in [
        "/api/admin/sites/gd/articles?page=9223372036854775806",
        "/sites/gd/columns/news?page=9223372036854775806",
    ] {
        let r = w.t.call(Method::GET, path, Some(&admin), None).await;
        assert!(
            r.status.is_success() || r.status.is_client_error(),
            "{path}: {} {}",
            r.status,
            r.text
        );
    }
    w.t.stop().await;
}

/// A handler may answer before reading the body (413 over the limit, 401 before an upload);
/// the client must read that answer, not a reset connection, every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_answers_reach_a_client_still_sending() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let big_json = json!({ "kind": "consultation", "content": "长".repeat(2_000_000) });
    let big_upload = vec![0u8; 12 << 20];
    for round in 0..15 {
        let r = t
            .call(
                Method::POST,
                "/api/interaction/tickets?site=gd",
                None,
                Some(big_json.clone()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "json, round {round}"
        );
        for (path, status) in [
            (
                "/api/interaction/attachments",
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            ("/api/admin/blobs", StatusCode::UNAUTHORIZED),
        ] {
            let r = t
                .http
                .post(t.url(path))
                .header("content-type", "image/png")
                .body(big_upload.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path}, round {round}: {e}"));
            assert_eq!(r.status(), status, "{path}, round {round}");
        }
    }
    t.stop().await;
}
