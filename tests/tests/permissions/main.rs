//! Who may call which admin route: authentication (401 without a valid bearer token),
//! site scope (403 for another site's token), role limits within a site, the four-eyes
//! rule, and scoped site listings; and the same with staff session cookies (the same
//! answers, the CSRF header on changes, ended sessions). Every refusal is checked to have
//! changed nothing.

use govnode_tests::{Method, Reply, Role, Staff, StatusCode, TestNode};
use serde_json::{Value, json};

/// Authentication and site scope on every admin route.
mod authentication_and_scope;
/// The same routes called with staff session cookies.
mod cookie_sessions;
/// The four-eyes rule and scoped site listings.
mod four_eyes_and_listings;
/// Role limits within one site.
mod roles;

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

/// The type of a Word document.
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A valid .docx of one heading and one paragraph.
fn small_docx() -> Vec<u8> {
    use std::io::Write;
    let document = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>越权导入的文档</w:t></w:r></w:p><w:p><w:r><w:t>正文。</w:t></w:r></w:p></w:body></w:document>"#;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", document),
    ] {
        w.start_file(name, options).expect("zip entry");
        w.write_all(bytes.as_bytes()).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
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
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| ("authorization", a))
        .into_iter()
        .collect();
    send_with(t, r, &headers).await
}

/// Sends a request with the given headers.
async fn send_with(t: &TestNode, r: &Route, headers: &[(&str, &str)]) -> Reply {
    let mut req = t.http.request(r.method.clone(), t.url(&r.path));
    for (name, value) in headers {
        req = req.header(*name, *value);
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
    world_on(TestNode::start().await).await
}

/// The world on node `t`.
async fn world_on(t: TestNode) -> World {
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
                Method::PATCH,
                "/api/admin/sites/gd",
                Body::Json(json!({ "name": "广东省人民政府门户网站" })),
            ),
            route(
                Method::PUT,
                "/api/admin/column-templates/county",
                Body::Json(
                    json!({ "name": "县级模板", "columns": [{ "slug": "zwgk", "name": "政务公开", "kind": "policy" }] }),
                ),
            ),
            route(Method::GET, "/api/admin/audit", Body::Empty),
            route(Method::GET, "/api/admin/search/synonyms", Body::Empty),
            route(
                Method::PUT,
                "/api/admin/search/synonyms/%E9%A2%86%E8%AF%81",
                Body::Json(json!({ "official": ["婚姻登记"] })),
            ),
            route(
                Method::DELETE,
                "/api/admin/search/synonyms/%E7%A4%BE%E4%BF%9D",
                Body::Empty,
            ),
            route(Method::GET, "/api/admin/search/topics", Body::Empty),
            route(
                Method::PUT,
                "/api/admin/search/topics/marriage",
                Body::Json(json!({ "title": "婚姻登记", "keywords": ["结婚"] })),
            ),
            route(
                Method::DELETE,
                "/api/admin/search/topics/education",
                Body::Empty,
            ),
            route(Method::GET, "/api/admin/search/history", Body::Empty),
            route(Method::GET, "/api/admin/search/queries", Body::Empty),
            route(Method::GET, "/api/admin/interaction/desks", Body::Empty),
            route(
                Method::GET,
                "/api/admin/interaction/publications",
                Body::Empty,
            ),
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
                Method::PATCH,
                format!("/api/admin/sites/{site}/columns/notice"),
                Body::Json(json!({ "name": "通知公告（越权改名）" })),
            ),
            route(
                Method::PUT,
                format!("/api/admin/sites/{site}/column-order"),
                Body::Json(json!({ "slugs": ["notice", "news"] })),
            ),
            route(
                Method::POST,
                format!("/api/admin/sites/{site}/columns/notice/archive"),
                Body::Empty,
            ),
            route(
                Method::POST,
                format!("/api/admin/sites/{site}/columns/notice/restore"),
                Body::Empty,
            ),
            route(
                Method::PUT,
                format!("/api/admin/interaction/desks/{site}"),
                Body::Json(json!({ "body": "440000.xfj" })),
            ),
            route(
                Method::DELETE,
                format!("/api/admin/interaction/desks/{site}"),
                Body::Empty,
            ),
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
                format!("/api/admin/sites/{site}/archive"),
                Body::Json(json!({ "reason": "越权归档" })),
            ),
            route(
                Method::DELETE,
                format!("/api/admin/sites/{site}/archive"),
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
                Method::PATCH,
                format!("/api/admin/articles/{draft}"),
                Body::Json(json!({ "title": "越权修改" })),
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
                Method::POST,
                format!("/api/admin/sites/{site}/articles/docx?column=notice"),
                Body::Raw(DOCX, small_docx()),
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
            route(
                Method::POST,
                format!("/api/admin/articles/{published}/distributions"),
                Body::Json(json!({ "targets": ["gz"], "note": "越权分发" })),
            ),
            route(
                Method::GET,
                format!("/api/admin/articles/{published}/distributions"),
                Body::Empty,
            ),
            route(
                Method::GET,
                format!("/api/admin/sites/{site}/inbox"),
                Body::Empty,
            ),
            route(
                Method::POST,
                format!("/api/admin/sites/{site}/inbox/440000-x-1-1/republish"),
                Body::Json(json!({ "column": "news" })),
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
