//! Who may call which admin route: authentication (401 without a valid bearer token),
//! site scope (403 for another site's token), role limits within a site, the four-eyes
//! rule, and scoped site listings. Every refusal is checked to have changed nothing.

use govnode_tests::{Method, Reply, Role, Staff, StatusCode, TestNode};
use serde_json::{Value, json};

/// A request body as sent on the wire.
#[derive(Debug, Clone)]
enum Body {
    /// No body.
    Empty,
    /// JSON with `Content-Type: application/json`.
    Json(Value),
    /// Raw bytes with a content type (blob uploads).
    Raw(&'static str, Vec<u8>),
}

/// One admin route, called with real ids and a body that would be accepted.
#[derive(Debug, Clone)]
struct Route {
    method: Method,
    path: String,
    body: Body,
}

fn route(method: Method, path: impl Into<String>, body: Body) -> Route {
    Route {
        method,
        path: path.into(),
        body,
    }
}

impl Route {
    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Sends a request with a raw `Authorization` header value (or none).
async fn send(t: &TestNode, r: &Route, authorization: Option<&str>) -> Reply {
    let mut req = t.http.request(r.method.clone(), t.url(&r.path));
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    req = match &r.body {
        Body::Empty => req,
        Body::Json(v) => req.json(v),
        Body::Raw(ct, bytes) => req.header("content-type", *ct).body(bytes.clone()),
    };
    let resp = req.send().await.expect("request");
    Reply {
        status: resp.status(),
        headers: resp.headers().clone(),
        text: resp.text().await.expect("body"),
    }
}

async fn as_token(t: &TestNode, r: &Route, token: &str) -> Reply {
    send(t, r, Some(&format!("Bearer {token}"))).await
}

/// Asserts an API error: status, JSON shape and code.
fn assert_error(r: &Reply, status: StatusCode, code: &str, what: &str) -> Value {
    assert_eq!(
        r.status, status,
        "{what}: expected {status}, got {} {}",
        r.status, r.text
    );
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{what}: error is not JSON ({:?}): {}",
        r.header("content-type"),
        r.text
    );
    let v = r.json();
    assert_eq!(v["error"], code, "{what}: {}", r.text);
    assert!(
        v["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: no message: {}",
        r.text
    );
    assert_eq!(
        v.as_object().map(|o| o.len()),
        Some(2),
        "{what}: error has exactly `error` and `message`: {}",
        r.text
    );
    v
}

/// Two sites, `gd` and `gz`, each with two columns, staff and a site admin, and a `gd`
/// article in every workflow state the routes need.
struct World {
    t: TestNode,
    gd: Staff,
    gz: Staff,
    gd_admin: String,
    gz_admin: String,
    draft: i64,
    submitted: i64,
    approved: i64,
    published: i64,
    gz_article: i64,
}

async fn create_article(t: &TestNode, site: &str, token: &str, title: &str) -> i64 {
    let r = t
        .post(
            &format!("/api/admin/sites/{site}/articles"),
            token,
            json!({ "column": "news", "title": title, "body": "正文。" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "create {title}: {}", r.text);
    r.json()["id"].as_i64().expect("id")
}

async fn act(t: &TestNode, id: i64, action: &str, token: &str, body: Value) -> Reply {
    t.post(&format!("/api/admin/articles/{id}/{action}"), token, body)
        .await
}

async fn act_ok(t: &TestNode, id: i64, action: &str, token: &str, body: Value) -> Value {
    let r = act(t, id, action, token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{action} {id}: {}", r.text);
    r.json()
}

async fn world() -> World {
    let t = TestNode::start().await;
    for (id, name) in [("gd", "广东省人民政府"), ("gz", "广州市人民政府")] {
        t.site(id, name).await;
        t.column(id, "news", "工作动态", "news").await;
        t.column(id, "notice", "通知公告", "notice").await;
    }
    let gd = t.staff("gd").await;
    let gz = t.staff("gz").await;
    let gd_admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    let gz_admin = t.token(Role::SiteAdmin, Some("gz"), "gz-admin").await;

    let draft = create_article(&t, "gd", &gd.editor, "草稿文章").await;
    let submitted = create_article(&t, "gd", &gd.editor, "待审文章").await;
    act_ok(&t, submitted, "submit", &gd.editor, json!({})).await;
    let approved = create_article(&t, "gd", &gd.editor, "已审文章").await;
    act_ok(&t, approved, "submit", &gd.editor, json!({})).await;
    act_ok(&t, approved, "approve", &gd.reviewer, json!({})).await;
    let published = t
        .publish(
            "gd",
            &gd,
            json!({ "column": "news", "title": "已发布文章", "body": "正文。" }),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let gz_article = create_article(&t, "gz", &gz.editor, "广州草稿").await;
    World {
        t,
        gd,
        gz,
        gd_admin,
        gz_admin,
        draft,
        submitted,
        approved,
        published,
        gz_article,
    }
}

impl World {
    /// Every admin route, with bodies that the right caller would have accepted.
    fn all_routes(&self) -> Vec<Route> {
        let mut routes = vec![
            route(
                Method::POST,
                "/api/admin/sites",
                Body::Json(
                    json!({ "id": "sz", "name": "深圳市人民政府", "hosts": ["sz.gov.test"], "owner_body": "深圳市政府办公厅", "body_code": "00sz", "region": "440300" }),
                ),
            ),
            route(Method::GET, "/api/admin/sites", Body::Empty),
            route(
                Method::PUT,
                "/api/admin/column-templates/county",
                Body::Json(
                    json!({ "name": "县级模板", "columns": [{ "slug": "zwgk", "name": "政务公开", "kind": "policy" }] }),
                ),
            ),
            route(Method::GET, "/api/admin/audit", Body::Empty),
        ];
        routes.extend(self.site_routes("gd"));
        routes
    }

    /// Every route that acts on `site` or on one of its articles.
    fn site_routes(&self, site: &str) -> Vec<Route> {
        let (draft, submitted, approved, published) =
            (self.draft, self.submitted, self.approved, self.published);
        vec![
            route(
                Method::POST,
                format!("/api/admin/sites/{site}/shutdown"),
                Body::Json(json!({ "message": "系统维护" })),
            ),
            route(
                Method::POST,
                format!("/api/admin/sites/{site}/resume"),
                Body::Empty,
            ),
            route(
                Method::POST,
                format!("/api/admin/sites/{site}/columns"),
                Body::Json(json!({ "slug": "policy", "name": "政策文件", "kind": "policy" })),
            ),
            route(
                Method::GET,
                format!("/api/admin/sites/{site}/columns"),
                Body::Empty,
            ),
            route(
                Method::POST,
                "/api/admin/column-templates/county/apply",
                Body::Json(json!({ "site": site })),
            ),
            route(
                Method::POST,
                format!("/api/admin/sites/{site}/articles"),
                Body::Json(json!({ "column": "news", "title": "越权文章", "body": "不应出现" })),
            ),
            route(
                Method::GET,
                format!("/api/admin/sites/{site}/articles"),
                Body::Empty,
            ),
            route(
                Method::GET,
                format!("/api/admin/sites/{site}/articles?state=draft&page=1"),
                Body::Empty,
            ),
            route(
                Method::GET,
                format!("/api/admin/articles/{draft}"),
                Body::Empty,
            ),
            route(
                Method::PUT,
                format!("/api/admin/articles/{draft}"),
                Body::Json(json!({ "title": "越权修改", "body": "不应出现" })),
            ),
            route(
                Method::GET,
                format!("/api/admin/articles/{draft}/revisions"),
                Body::Empty,
            ),
            route(
                Method::POST,
                format!("/api/admin/articles/{draft}/submit"),
                Body::Empty,
            ),
            route(
                Method::POST,
                format!("/api/admin/articles/{submitted}/approve"),
                Body::Json(json!({})),
            ),
            route(
                Method::POST,
                format!("/api/admin/articles/{submitted}/reject"),
                Body::Json(json!({ "reason": "越权驳回" })),
            ),
            route(
                Method::POST,
                format!("/api/admin/articles/{approved}/publish"),
                Body::Empty,
            ),
            route(
                Method::POST,
                format!("/api/admin/articles/{published}/withdraw"),
                Body::Json(json!({ "reason": "越权撤回" })),
            ),
            route(
                Method::GET,
                format!("/api/admin/audit?site={site}"),
                Body::Empty,
            ),
            route(
                Method::POST,
                format!("/api/admin/blobs?site={site}"),
                Body::Raw("text/plain", "越权上传的附件".as_bytes().to_vec()),
            ),
            route(
                Method::GET,
                format!("/api/admin/sites/{site}/templates"),
                Body::Empty,
            ),
            route(
                Method::PUT,
                format!("/api/admin/sites/{site}/templates/home.html"),
                Body::Json(json!({ "source": "越权模板 {{ site.name }}" })),
            ),
            route(
                Method::DELETE,
                format!("/api/admin/sites/{site}/templates/home.html"),
                Body::Empty,
            ),
        ]
    }

    /// Everything a refused request could have changed, as the platform admin sees it.
    async fn snapshot(&self) -> Value {
        self.t.snapshot(&["gd", "gz"]).await
    }

    async fn state_of(&self, id: i64) -> String {
        let r = self
            .t
            .call(
                Method::GET,
                &format!("/api/admin/articles/{id}"),
                Some(&self.t.admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()["state"].as_str().expect("state").to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_needs_a_valid_bearer_token() {
    let w = world().await;
    let before = w.snapshot().await;
    let unknown = format!("Bearer gnt_{}", "0".repeat(64));
    let routes = w.all_routes();
    assert_eq!(routes.len(), 25, "every admin method+path is listed");
    for r in &routes {
        for (how, header) in [
            ("no token", None),
            ("Basic auth", Some("Basic x")),
            ("unknown token", Some(unknown.as_str())),
            ("token without the gnt_ prefix", Some("Bearer not-a-token")),
            ("empty bearer", Some("Bearer ")),
            ("lower-case scheme and no token", Some("bearer")),
        ] {
            let reply = send(&w.t, r, header).await;
            assert_error(
                &reply,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                &format!("{} with {how}", r.label()),
            );
        }
    }
    // A revoked-looking token is the same as an unknown one; a real one still works.
    let ok = send(
        &w.t,
        &route(Method::GET, "/api/admin/sites", Body::Empty),
        Some(&format!("Bearer {}", w.t.admin)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    // Nothing any of those requests carried took effect.
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused unauthenticated request changed something"
    );
    // The template set the PUT carried was not saved either.
    let r =
        w.t.post(
            "/api/admin/column-templates/county/apply",
            &w.t.admin,
            json!({ "site": "gd" }),
        )
        .await;
    assert_error(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        "applying a template set nobody could save",
    );
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_tokens_are_refused_on_every_site_route() {
    let w = world().await;
    // The platform admin saves the template set, so applying it to gd is refused for scope alone.
    let r = w
        .t
        .call(Method::PUT, "/api/admin/column-templates/county", Some(&w.t.admin), Some(json!({ "name": "县级模板", "columns": [{ "slug": "zwgk", "name": "政务公开", "kind": "policy" }] })))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let before = w.snapshot().await;
    let states = [
        (w.draft, "draft"),
        (w.submitted, "submitted"),
        (w.approved, "approved"),
        (w.published, "published"),
    ];
    for (who, token) in [
        ("gz editor", &w.gz.editor),
        ("gz reviewer", &w.gz.reviewer),
        ("gz site-admin", &w.gz_admin),
    ] {
        for r in w.site_routes("gd") {
            let reply = as_token(&w.t, &r, token).await;
            assert_error(
                &reply,
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{who}: {}", r.label()),
            );
        }
        for (id, state) in states {
            assert_eq!(w.state_of(id).await, state, "{who} moved article {id}");
        }
    }
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused cross-site request changed something"
    );
    let gd =
        w.t.call(Method::GET, "/api/admin/sites", Some(&w.t.admin), None)
            .await
            .json();
    assert!(
        gd.as_array()
            .expect("sites")
            .iter()
            .all(|s| s["shutdown"] == false),
        "{gd}"
    );

    // And the other way round: gd's people cannot touch gz's article.
    for (who, token) in [
        ("gd editor", &w.gd.editor),
        ("gd reviewer", &w.gd.reviewer),
        ("gd site-admin", &w.gd_admin),
    ] {
        for (method, path, body) in [
            (
                Method::GET,
                format!("/api/admin/articles/{}", w.gz_article),
                None,
            ),
            (
                Method::PUT,
                format!("/api/admin/articles/{}", w.gz_article),
                Some(json!({ "title": "越权" })),
            ),
            (
                Method::GET,
                format!("/api/admin/articles/{}/revisions", w.gz_article),
                None,
            ),
            (
                Method::POST,
                format!("/api/admin/articles/{}/submit", w.gz_article),
                None,
            ),
            (Method::GET, "/api/admin/sites/gz/columns".to_string(), None),
            (
                Method::GET,
                "/api/admin/sites/gz/articles".to_string(),
                None,
            ),
        ] {
            let reply = w.t.call(method.clone(), &path, Some(token), body).await;
            assert_error(
                &reply,
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{who}: {method} {path}"),
            );
        }
    }
    assert_eq!(w.state_of(w.gz_article).await, "draft");
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused cross-site request changed something"
    );
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_limited_within_a_site() {
    let w = world().await;
    let t = &w.t;
    let (draft, submitted, approved, published) = (w.draft, w.submitted, w.approved, w.published);
    let site_input = json!({ "id": "sz", "name": "深圳市人民政府", "hosts": ["sz.gov.test"], "owner_body": "深圳市政府办公厅", "body_code": "00sz", "region": "440300" });
    let set_input = json!({ "name": "县级模板", "columns": [{ "slug": "zwgk", "name": "政务公开", "kind": "policy" }] });
    let template = json!({ "source": "{{ site.name }}" });
    let column = json!({ "slug": "policy", "name": "政策文件", "kind": "policy" });
    let article = json!({ "column": "news", "title": "审核员写的", "body": "不应出现" });
    let platform_only = |who: &'static str| {
        vec![
            (
                who,
                Method::POST,
                "/api/admin/sites".to_string(),
                Body::Json(site_input.clone()),
            ),
            (
                who,
                Method::PUT,
                "/api/admin/column-templates/county".to_string(),
                Body::Json(set_input.clone()),
            ),
            (
                who,
                Method::POST,
                "/api/admin/column-templates/county/apply".to_string(),
                Body::Json(json!({ "site": "gd" })),
            ),
            (
                who,
                Method::GET,
                "/api/admin/sites/gd/templates".to_string(),
                Body::Empty,
            ),
            (
                who,
                Method::PUT,
                "/api/admin/sites/gd/templates/home.html".to_string(),
                Body::Json(template.clone()),
            ),
            (
                who,
                Method::DELETE,
                "/api/admin/sites/gd/templates/home.html".to_string(),
                Body::Empty,
            ),
        ]
    };
    let mut refused: Vec<(&str, Method, String, Body)> = Vec::new();
    // Editors write; they do not review, manage the site, read the audit log or edit templates.
    refused.extend(platform_only("editor"));
    refused.extend([
        (
            "editor",
            Method::POST,
            format!("/api/admin/articles/{submitted}/approve"),
            Body::Empty,
        ),
        (
            "editor",
            Method::POST,
            format!("/api/admin/articles/{submitted}/reject"),
            Body::Json(json!({ "reason": "编辑不能驳回" })),
        ),
        (
            "editor",
            Method::POST,
            format!("/api/admin/articles/{published}/withdraw"),
            Body::Json(json!({ "reason": "编辑不能撤回" })),
        ),
        (
            "editor",
            Method::POST,
            "/api/admin/sites/gd/columns".to_string(),
            Body::Json(column.clone()),
        ),
        (
            "editor",
            Method::POST,
            "/api/admin/sites/gd/shutdown".to_string(),
            Body::Json(json!({ "message": "维护" })),
        ),
        (
            "editor",
            Method::POST,
            "/api/admin/sites/gd/resume".to_string(),
            Body::Empty,
        ),
        (
            "editor",
            Method::GET,
            "/api/admin/audit".to_string(),
            Body::Empty,
        ),
        (
            "editor",
            Method::GET,
            "/api/admin/audit?site=gd".to_string(),
            Body::Empty,
        ),
    ]);
    // Reviewers review; they do not write, submit, upload or manage the site.
    refused.extend(platform_only("reviewer"));
    refused.extend([
        (
            "reviewer",
            Method::POST,
            "/api/admin/sites/gd/articles".to_string(),
            Body::Json(article.clone()),
        ),
        (
            "reviewer",
            Method::PUT,
            format!("/api/admin/articles/{draft}"),
            Body::Json(json!({ "title": "审核员改的" })),
        ),
        (
            "reviewer",
            Method::POST,
            format!("/api/admin/articles/{draft}/submit"),
            Body::Empty,
        ),
        (
            "reviewer",
            Method::POST,
            "/api/admin/blobs?site=gd".to_string(),
            Body::Raw("text/plain", b"reviewer upload".to_vec()),
        ),
        (
            "reviewer",
            Method::POST,
            "/api/admin/sites/gd/columns".to_string(),
            Body::Json(column.clone()),
        ),
        (
            "reviewer",
            Method::POST,
            "/api/admin/sites/gd/shutdown".to_string(),
            Body::Empty,
        ),
        (
            "reviewer",
            Method::GET,
            "/api/admin/audit?site=gd".to_string(),
            Body::Empty,
        ),
    ]);
    // Site admins run their site, not the platform, and not another site's audit log.
    refused.extend(platform_only("site-admin"));
    refused.push((
        "site-admin",
        Method::GET,
        "/api/admin/audit?site=gz".to_string(),
        Body::Empty,
    ));

    let before = w.snapshot().await;
    for (who, method, path, body) in refused {
        let token = match who {
            "editor" => &w.gd.editor,
            "reviewer" => &w.gd.reviewer,
            _ => &w.gd_admin,
        };
        let r = route(method, path, body);
        let reply = as_token(t, &r, token).await;
        assert_error(
            &reply,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("gd {who}: {}", r.label()),
        );
    }
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused in-site request changed something"
    );
    for (id, state) in [
        (draft, "draft"),
        (submitted, "submitted"),
        (approved, "approved"),
        (published, "published"),
    ] {
        assert_eq!(w.state_of(id).await, state);
    }
    let r = t
        .post(
            "/api/admin/column-templates/county/apply",
            &t.admin,
            json!({ "site": "gd" }),
        )
        .await;
    assert_error(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        "the refused template set was not saved",
    );

    // What each role may do.
    // Editor: write, revise, submit, upload, read, and publish approved work (any role may).
    let mine = create_article(t, "gd", &w.gd.editor, "编辑的文章").await;
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/articles/{mine}"),
            Some(&w.gd.editor),
            Some(json!({ "title": "编辑的文章（修订）" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act_ok(t, mine, "submit", &w.gd.editor, json!({})).await;
    let r = as_token(
        t,
        &route(
            Method::POST,
            "/api/admin/blobs?site=gd",
            Body::Raw("text/plain", b"editor upload".to_vec()),
        ),
        &w.gd.editor,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let revisions = format!("/api/admin/articles/{draft}/revisions");
    for path in [
        "/api/admin/sites/gd/columns",
        "/api/admin/sites/gd/articles",
        revisions.as_str(),
    ] {
        for token in [&w.gd.editor, &w.gd.reviewer, &w.gd_admin] {
            let r = t.call(Method::GET, path, Some(token), None).await;
            assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text);
        }
    }
    assert_eq!(
        act_ok(t, approved, "publish", &w.gd.editor, json!({})).await["state"],
        "published"
    );

    // Reviewer: approve, reject, publish, withdraw.
    assert_eq!(
        act_ok(
            t,
            mine,
            "reject",
            &w.gd.reviewer,
            json!({ "reason": "请补充来源" })
        )
        .await["state"],
        "rejected"
    );
    act_ok(t, mine, "submit", &w.gd.editor, json!({})).await;
    assert_eq!(
        act_ok(t, mine, "approve", &w.gd.reviewer, json!({})).await["state"],
        "approved"
    );
    assert_eq!(
        act_ok(t, mine, "publish", &w.gd.reviewer, json!({})).await["state"],
        "published"
    );
    assert_eq!(
        act_ok(
            t,
            mine,
            "withdraw",
            &w.gd.reviewer,
            json!({ "reason": "内容过时" })
        )
        .await["state"],
        "withdrawn"
    );

    // Site admin: columns, shutdown/resume, own audit log, and every editor and reviewer action.
    let r = t
        .post("/api/admin/sites/gd/columns", &w.gd_admin, column.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .post(
            "/api/admin/sites/gd/shutdown",
            &w.gd_admin,
            json!({ "message": "系统维护" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["shutdown"], true);
    let r = t
        .call(
            Method::POST,
            "/api/admin/sites/gd/resume",
            Some(&w.gd_admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["shutdown"], false);
    for path in ["/api/admin/audit", "/api/admin/audit?site=gd"] {
        let r = t.call(Method::GET, path, Some(&w.gd_admin), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        let records = r.json();
        let records = records.as_array().expect("audit records");
        assert!(!records.is_empty(), "{path}");
        assert!(
            records.iter().all(|a| a["site"] == "gd"),
            "{path}: a site admin sees only their site's records: {records:?}"
        );
    }
    let own = create_article(t, "gd", &w.gd_admin, "站点管理员的文章").await;
    act_ok(t, own, "submit", &w.gd_admin, json!({})).await;
    act_ok(t, own, "approve", &w.gd.reviewer, json!({})).await;
    act_ok(t, own, "publish", &w.gd_admin, json!({})).await;
    assert_eq!(
        act_ok(
            t,
            published,
            "withdraw",
            &w.gd_admin,
            json!({ "reason": "已失效" })
        )
        .await["state"],
        "withdrawn"
    );
    act_ok(
        t,
        submitted,
        "reject",
        &w.gd_admin,
        json!({ "reason": "格式不对" }),
    )
    .await;

    // Platform admin: everything, on any site.
    let r = t
        .post("/api/admin/sites", &t.admin, site_input.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .call(
            Method::PUT,
            "/api/admin/column-templates/county",
            Some(&t.admin),
            Some(set_input.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .post(
            "/api/admin/column-templates/county/apply",
            &t.admin,
            json!({ "site": "sz" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json()["created"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text
    );
    let r = t
        .call(
            Method::PUT,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            Some(template.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/templates",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json().get("home.html").is_some(), "{}", r.text);
    let r = t
        .call(
            Method::DELETE,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = t
        .post("/api/admin/sites/gz/columns", &t.admin, column.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .post("/api/admin/sites/gz/shutdown", &t.admin, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::POST,
            "/api/admin/sites/gz/resume",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::GET,
            "/api/admin/audit?site=gz",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let all = t
        .call(Method::GET, "/api/admin/audit", Some(&t.admin), None)
        .await
        .json();
    let sites_in_audit: Vec<_> = all
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|a| a["site"].as_str())
        .collect();
    assert!(
        sites_in_audit.contains(&"gd") && sites_in_audit.contains(&"gz"),
        "the platform admin sees every site: {sites_in_audit:?}"
    );
    let r = as_token(
        t,
        &route(
            Method::POST,
            "/api/admin/blobs?site=gz",
            Body::Raw("text/plain", b"admin upload".to_vec()),
        ),
        &t.admin,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let theirs = create_article(t, "gz", &w.gz.editor, "广州的文章").await;
    act_ok(t, theirs, "submit", &w.gz.editor, json!({})).await;
    act_ok(t, theirs, "approve", &t.admin, json!({})).await;
    act_ok(t, theirs, "publish", &t.admin, json!({})).await;
    act_ok(
        t,
        theirs,
        "withdraw",
        &t.admin,
        json!({ "reason": "平台撤回" }),
    )
    .await;
    let admins = create_article(t, "gz", &t.admin, "平台写的文章").await;
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/articles/{admins}"),
            Some(&t.admin),
            Some(json!({ "title": "平台写的文章（修订）" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act_ok(t, admins, "submit", &t.admin, json!({})).await;
    act_ok(
        t,
        admins,
        "reject",
        &t.admin,
        json!({ "reason": "平台驳回" }),
    )
    .await;
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_approves_their_own_work() {
    let w = world().await;
    let t = &w.t;
    // One person, 张三, holds both an editor and a reviewer token for gd.
    let zhang_editor = t.token(Role::Editor, Some("gd"), "张三").await;
    let zhang_reviewer = t.token(Role::Reviewer, Some("gd"), "张三").await;
    let id = create_article(t, "gd", &zhang_editor, "张三写的").await;
    act_ok(t, id, "submit", &zhang_editor, json!({})).await;
    let r = act(t, id, "approve", &zhang_reviewer, json!({})).await;
    let e = assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "approving one's own article",
    );
    assert!(
        e["message"].as_str().unwrap_or("").contains("four-eyes"),
        "the refusal names the rule: {e}"
    );
    assert_eq!(
        w.state_of(id).await,
        "submitted",
        "the refused approval left the article as it was"
    );
    // Another reviewer approves it.
    assert_eq!(
        act_ok(t, id, "approve", &w.gd.reviewer, json!({})).await["state"],
        "approved"
    );

    // Revising someone else's article makes you one of its authors.
    let other = create_article(t, "gd", &w.gd.editor, "别人写的").await;
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/articles/{other}"),
            Some(&zhang_editor),
            Some(json!({ "title": "张三改过" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act_ok(t, other, "submit", &zhang_editor, json!({})).await;
    let r = act(t, other, "approve", &zhang_reviewer, json!({})).await;
    let e = assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "approving a revision one wrote",
    );
    assert!(
        e["message"].as_str().unwrap_or("").contains("four-eyes"),
        "{e}"
    );
    assert_eq!(w.state_of(other).await, "submitted");
    act_ok(t, other, "approve", &w.gd.reviewer, json!({})).await;

    // A site admin who wrote an article cannot approve it either; the reviewer can.
    let own = create_article(t, "gd", &w.gd_admin, "管理员写的").await;
    act_ok(t, own, "submit", &w.gd_admin, json!({})).await;
    let r = act(t, own, "approve", &w.gd_admin, json!({})).await;
    let e = assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a site admin approving their own article",
    );
    assert!(
        e["message"].as_str().unwrap_or("").contains("four-eyes"),
        "{e}"
    );
    assert_eq!(w.state_of(own).await, "submitted");
    act_ok(t, own, "approve", &w.gd.reviewer, json!({})).await;

    // Nor can the platform admin approve what it wrote.
    let admins = create_article(t, "gd", &t.admin, "平台写的").await;
    act_ok(t, admins, "submit", &t.admin, json!({})).await;
    let r = act(t, admins, "approve", &t.admin, json!({})).await;
    assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "the platform admin approving its own article",
    );
    assert_eq!(w.state_of(admins).await, "submitted");
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_lists_are_scoped_to_the_token() {
    let w = world().await;
    let t = &w.t;
    t.site("sz", "深圳市人民政府").await;
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .expect("sites")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_string())
            .collect()
    };
    for (who, token, site) in [
        ("gz editor", &w.gz.editor, "gz"),
        ("gz reviewer", &w.gz.reviewer, "gz"),
        ("gz site-admin", &w.gz_admin, "gz"),
        ("gd editor", &w.gd.editor, "gd"),
        ("gd reviewer", &w.gd.reviewer, "gd"),
        ("gd site-admin", &w.gd_admin, "gd"),
    ] {
        let r = t
            .call(Method::GET, "/api/admin/sites", Some(token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.text);
        assert_eq!(
            ids(r.json()),
            vec![site.to_string()],
            "{who} sees only its site"
        );
    }
    let r = t
        .call(Method::GET, "/api/admin/sites", Some(&t.admin), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut all = ids(r.json());
    all.sort();
    assert_eq!(
        all,
        ["gd", "gz", "sz"],
        "the platform admin sees every site"
    );
    // A token for a site that does not exist (yet) sees nothing, not everything.
    let ghost = t.token(Role::Editor, Some("ghost"), "幽灵").await;
    let r = t
        .call(Method::GET, "/api/admin/sites", Some(&ghost), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(ids(r.json()), Vec::<String>::new());
    w.t.stop().await;
}
