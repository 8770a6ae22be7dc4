//! Bad input on every write route: each refusal is a JSON error with the right status and a
//! message naming the offending field, and leaves nothing behind (no site, column, article,
//! revision, template, blob or audit record appears).

use govnode_tests::{Method, Reply, Role, Staff, StatusCode, TestNode};
use serde_json::{Value, json};

/// Articles on create and revise, and workflow actions.
mod articles_and_workflow;
/// The OpenAPI document against the server (Schemathesis).
mod contract;
/// Sites, columns and column template sets.
mod sites_and_columns;
/// Templates, shutdowns, uploads, size limits, search parameters, malformed ids.
mod templates_and_limits;

/// A request body as sent on the wire.
#[derive(Debug, Clone)]
enum Body {
    /// No body and no content type.
    Empty,
    /// JSON with `Content-Type: application/json`.
    Json(Value),
    /// Raw bytes with the given content type (or none).
    Raw(Option<&'static str>, Vec<u8>),
}

fn raw_json(text: &str) -> Body {
    Body::Raw(Some("application/json"), text.as_bytes().to_vec())
}

async fn send(
    t: &TestNode,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: &Body,
) -> Reply {
    let mut req = t.http.request(method.clone(), t.url(path));
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    req = match body {
        Body::Empty => req,
        Body::Json(v) => req.json(v),
        Body::Raw(Some(ct), bytes) => req.header("content-type", *ct).body(bytes.clone()),
        Body::Raw(None, bytes) => req.body(bytes.clone()),
    };
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    Reply {
        status: resp.status(),
        headers: resp.headers().clone(),
        text: resp.text().await.expect("body"),
    }
}

/// Checks an API error: status, JSON shape, code, and that the message mentions each of `mentions`.
fn check_error(r: &Reply, status: StatusCode, code: &str, mentions: &[&str]) -> Result<(), String> {
    if r.status != status {
        return Err(format!("expected {status}, got {}: {}", r.status, r.text));
    }
    if !r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
    {
        return Err(format!(
            "the error is not JSON (content-type {:?}): {}",
            r.header("content-type"),
            r.text
        ));
    }
    let v: Value = serde_json::from_str(&r.text)
        .map_err(|e| format!("the error body is not JSON ({e}): {}", r.text))?;
    if v["error"] != code {
        return Err(format!("expected error code {code:?}: {}", r.text));
    }
    let message = v["message"]
        .as_str()
        .ok_or_else(|| format!("no message: {}", r.text))?;
    let missing: Vec<_> = mentions.iter().filter(|m| !message.contains(**m)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "the message should mention {missing:?}: {message:?}"
        ));
    }
    Ok(())
}

/// Asserts an API error (see [`check_error`]).
fn assert_error(r: &Reply, status: StatusCode, code: &str, mentions: &[&str], what: &str) {
    if let Err(e) = check_error(r, status, code, mentions) {
        panic!("{what}: {e}");
    }
}

/// One refused request.
#[derive(Debug, Clone)]
struct Case {
    what: String,
    method: Method,
    path: String,
    token: String,
    body: Body,
    status: StatusCode,
    code: &'static str,
    mentions: Vec<&'static str>,
}

fn case(
    what: impl Into<String>,
    method: Method,
    path: impl Into<String>,
    token: &str,
    body: Body,
) -> Case {
    Case {
        what: what.into(),
        method,
        path: path.into(),
        token: token.to_string(),
        body,
        status: StatusCode::BAD_REQUEST,
        code: "bad_request",
        mentions: Vec::new(),
    }
}

impl Case {
    /// Expects 400 naming these.
    fn names(mut self, mentions: &[&'static str]) -> Case {
        self.mentions = mentions.to_vec();
        self
    }
    /// Expects another status and code.
    fn status(mut self, status: StatusCode, code: &'static str) -> Case {
        self.status = status;
        self.code = code;
        self
    }
}

/// The common setup: sites `gd` and `gz` with columns, staff, a site admin, a `gd` article
/// in each workflow state, and one uploaded blob.
struct World {
    t: TestNode,
    gd: Staff,
    gd_admin: String,
    draft: i64,
    submitted: i64,
    approved: i64,
    published: i64,
    blob: String,
}

async fn create_article(t: &TestNode, token: &str, title: &str) -> i64 {
    let r = t
        .post(
            "/api/admin/sites/gd/articles",
            token,
            json!({ "column": "news", "title": title, "body": "正文。" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "create {title}: {}", r.text);
    r.json()["id"].as_i64().expect("id")
}

async fn act_ok(t: &TestNode, id: i64, action: &str, token: &str) {
    let r = t
        .post(
            &format!("/api/admin/articles/{id}/{action}"),
            token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{action} {id}: {}", r.text);
}

async fn world() -> World {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gz", "广州市人民政府").await;
    for site in ["gd", "gz"] {
        t.column(site, "news", "工作动态", "news").await;
        t.column(site, "notice", "通知公告", "notice").await;
    }
    // A column only gz has: naming it on gd must fail.
    t.column("gz", "zhuanti", "专题专栏", "topic").await;
    let gd = t.staff("gd").await;
    let gd_admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    let draft = create_article(&t, &gd.editor, "草稿").await;
    let submitted = create_article(&t, &gd.editor, "待审").await;
    act_ok(&t, submitted, "submit", &gd.editor).await;
    let approved = create_article(&t, &gd.editor, "已审").await;
    act_ok(&t, approved, "submit", &gd.editor).await;
    act_ok(&t, approved, "approve", &gd.reviewer).await;
    let published = t
        .publish(
            "gd",
            &gd,
            json!({ "column": "news", "title": "已发布", "body": "正文。" }),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let r = send(
        &t,
        &Method::POST,
        "/api/admin/blobs?site=gd",
        Some(&gd.editor),
        &Body::Raw(Some("application/pdf"), b"%PDF-1.4 attachment".to_vec()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let blob = r.json()["hash"].as_str().expect("hash").to_string();
    World {
        t,
        gd,
        gd_admin,
        draft,
        submitted,
        approved,
        published,
        blob,
    }
}

impl World {
    /// Everything a refused request could have created or changed.
    async fn snapshot(&self) -> Value {
        self.t.snapshot(&["gd", "gz"]).await
    }

    /// Sends each case, checks the refusal, and checks that nothing changed after each one.
    /// Every case runs; the failures are reported together.
    async fn refuse_all(&self, cases: Vec<Case>) {
        let total = cases.len();
        let mut failures = Vec::new();
        let mut before = self.snapshot().await;
        for c in cases {
            let r = send(&self.t, &c.method, &c.path, Some(&c.token), &c.body).await;
            let what = format!("{} ({} {})", c.what, c.method, c.path);
            if let Err(e) = check_error(&r, c.status, c.code, &c.mentions) {
                failures.push(format!("{what}: {e}"));
            }
            let after = self.snapshot().await;
            if after != before {
                failures.push(format!(
                    "{what}: the refused request changed something: {}",
                    differences(&before, &after).join("; ")
                ));
            }
            before = after;
        }
        assert!(
            failures.is_empty(),
            "{} of {total} cases failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    async fn count(&self, path: &str) -> usize {
        let r = self
            .t
            .call(Method::GET, path, Some(&self.t.admin), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json().as_array().expect("list").len()
    }
}

/// Where two snapshots differ, as `path: before → after` (short).
fn differences(a: &Value, b: &Value) -> Vec<String> {
    fn walk(path: String, a: &Value, b: &Value, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    walk(
                        format!("{path}.{k}"),
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    walk(format!("{path}[{i}]"), p, q, out);
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                let added: Vec<_> = y.iter().filter(|v| !x.contains(v)).collect();
                let removed: Vec<_> = x.iter().filter(|v| !y.contains(v)).collect();
                out.push(format!(
                    "{path}: {} → {} items, added {added:?}, removed {removed:?}",
                    x.len(),
                    y.len()
                ));
            }
            _ if a != b => {
                let short = |v: &Value| v.to_string().chars().take(300).collect::<String>();
                out.push(format!("{path}: {} → {}", short(a), short(b)));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(String::new(), a, b, &mut out);
    out
}

/// `base` with `key` set to `value`.
fn with(base: &Value, key: &str, value: Value) -> Body {
    let mut v = base.clone();
    v[key] = value;
    Body::Json(v)
}

/// `base` without `key`.
fn without(base: &Value, key: &str) -> Body {
    let mut v = base.clone();
    v.as_object_mut().expect("object").remove(key);
    Body::Json(v)
}

fn text_of(n: usize, c: char) -> String {
    std::iter::repeat_n(c, n).collect()
}
