//! Bad input on every write route: each refusal is a JSON error with the right status and a
//! message naming the offending field, and leaves nothing behind (no site, column, article,
//! revision, template, blob or audit record appears).

use govnode_tests::{Method, Reply, Role, Staff, StatusCode, TestNode};
use serde_json::{Value, json};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_are_validated() {
    let w = world().await;
    let admin = w.t.admin.clone();
    let site = json!({ "id": "sz", "name": "深圳市人民政府", "hosts": ["sz.gov.test"], "owner_body": "深圳市政府办公厅", "body_code": "00sz", "region": "440300" });
    let c = |what: &str, body: Body| case(what, Method::POST, "/api/admin/sites", &admin, body);
    let mut cases = vec![];
    for field in ["id", "name", "owner_body", "body_code", "region"] {
        let named: &'static str = match field {
            "id" => "`id`",
            "name" => "`name`",
            "owner_body" => "`owner_body`",
            "body_code" => "`body_code`",
            _ => "`region`",
        };
        cases.push(
            c(&format!("missing {field}"), without(&site, field)).names(&["missing field", named]),
        );
    }
    cases.extend([
        c("unknown field", with(&site, "province", json!("广东")))
            .names(&["unknown field", "`province`"]),
        c("name of the wrong type", with(&site, "name", json!(5)))
            .names(&["name:", "invalid type"]),
        c(
            "hosts as a string",
            with(&site, "hosts", json!("sz.gov.test")),
        )
        .names(&["hosts:", "invalid type"]),
        c("a host of the wrong type", with(&site, "hosts", json!([5]))).names(&["hosts[0]"]),
        c("region as a number", with(&site, "region", json!(440300)))
            .names(&["region:", "invalid type"]),
        c("null body", raw_json("null")).names(&["invalid type"]),
        c("array body", raw_json("[]")).names(&["expected"]),
        c("invalid JSON", raw_json(r#"{"id": "sz", "name": "#)).names(&["JSON"]),
        c("trailing garbage", raw_json(&format!("{site} x"))).names(&["JSON", "trailing"]),
        c(
            "no content type",
            Body::Raw(None, site.to_string().into_bytes()),
        )
        .names(&["Content-Type", "application/json"]),
        c(
            "text/plain content type",
            Body::Raw(Some("text/plain"), site.to_string().into_bytes()),
        )
        .names(&["Content-Type"]),
        c("no body at all", Body::Empty).names(&["Content-Type"]),
        c("empty id", with(&site, "id", json!(""))).names(&["id:"]),
        c("upper-case id", with(&site, "id", json!("SZ"))).names(&["id:", "SZ"]),
        c("id starting with '-'", with(&site, "id", json!("-sz"))).names(&["id:", "-sz"]),
        c("id with a space", with(&site, "id", json!("s z"))).names(&["id:"]),
        c("id with a slash", with(&site, "id", json!("s/z"))).names(&["id:"]),
        c("Chinese id", with(&site, "id", json!("深圳"))).names(&["id:"]),
        c(
            "id of 41 characters",
            with(&site, "id", json!(text_of(41, 'a'))),
        )
        .names(&["id:"]),
        c("blank name", with(&site, "name", json!("   "))).names(&["name:"]),
        c(
            "name of 101 characters",
            with(&site, "name", json!(text_of(101, '深'))),
        )
        .names(&["name:"]),
        c("blank owner_body", with(&site, "owner_body", json!(""))).names(&["owner_body:"]),
        c("blank body_code", with(&site, "body_code", json!(""))).names(&["body_code:"]),
        c("five-digit region", with(&site, "region", json!("44030"))).names(&["region:", "44030"]),
        c(
            "seven-digit region",
            with(&site, "region", json!("4403000")),
        )
        .names(&["region:"]),
        c(
            "region with a letter",
            with(&site, "region", json!("44030a")),
        )
        .names(&["region:"]),
        c("empty region", with(&site, "region", json!(""))).names(&["region:"]),
        c(
            "upper-case host",
            with(&site, "hosts", json!(["SZ.gov.test"])),
        )
        .names(&["hosts:", "SZ.gov.test"]),
        c(
            "host with a space",
            with(&site, "hosts", json!(["sz gov.test"])),
        )
        .names(&["hosts:"]),
        c(
            "host with a path",
            with(&site, "hosts", json!(["sz.gov.test/x"])),
        )
        .names(&["hosts:"]),
        c("empty host", with(&site, "hosts", json!([""]))).names(&["hosts:"]),
        c(
            "one good and one bad host",
            with(&site, "hosts", json!(["sz.gov.test", "Bad"])),
        )
        .names(&["hosts:", "Bad"]),
        c("duplicate site id", with(&site, "id", json!("gd")))
            .names(&["gd"])
            .status(StatusCode::CONFLICT, "conflict"),
        // The site row is written before the host is found taken: the whole creation must roll back.
        c(
            "host of another site",
            with(&site, "hosts", json!(["sz.gov.test", "gd.gov.test"])),
        )
        .names(&["gd.gov.test"])
        .status(StatusCode::CONFLICT, "conflict"),
    ]);
    w.refuse_all(cases).await;
    let r = w.t.post("/api/admin/sites", &w.t.admin, site.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the valid input is accepted: {}",
        r.text
    );
    assert_eq!(w.count("/api/admin/sites").await, 3);
    // A site without hosts is fine (served by path only); an id of exactly 40 is fine.
    let long_id = text_of(40, 'a');
    let r = w.t.post("/api/admin/sites", &w.t.admin, json!({ "id": long_id, "name": "长", "owner_body": "办公厅", "body_code": "001", "region": "440000" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_and_template_sets_are_validated() {
    let w = world().await;
    let admin = w.t.admin.clone();
    let col = json!({ "slug": "policy", "name": "政策文件", "kind": "policy" });
    let c = |what: &str, body: Body| {
        case(
            what,
            Method::POST,
            "/api/admin/sites/gd/columns",
            &w.gd_admin,
            body,
        )
    };
    let mut cases = vec![];
    for (field, named) in [("slug", "`slug`"), ("name", "`name`"), ("kind", "`kind`")] {
        cases.push(
            c(&format!("missing {field}"), without(&col, field)).names(&["missing field", named]),
        );
    }
    cases.extend([
        c("unknown field", with(&col, "colour", json!("red")))
            .names(&["unknown field", "`colour`"]),
        c("kind of the wrong type", with(&col, "kind", json!(1))).names(&["kind:", "invalid type"]),
        c(
            "interval as a string",
            with(&col, "update_interval_days", json!("7")),
        )
        .names(&["update_interval_days:", "invalid type"]),
        c(
            "fractional interval",
            with(&col, "update_interval_days", json!(1.5)),
        )
        .names(&["update_interval_days:"]),
        c(
            "position as a string",
            with(&col, "position", json!("first")),
        )
        .names(&["position:", "invalid type"]),
        c("parent of the wrong type", with(&col, "parent", json!(1)))
            .names(&["parent:", "invalid type"]),
        c("invalid JSON", raw_json("{\"slug\": ")).names(&["JSON"]),
        c(
            "no content type",
            Body::Raw(None, col.to_string().into_bytes()),
        )
        .names(&["Content-Type"]),
        c("unknown kind", with(&col, "kind", json!("blog"))).names(&["kind:", "blog"]),
        c("capitalised kind", with(&col, "kind", json!("News"))).names(&["kind:"]),
        c("empty kind", with(&col, "kind", json!(""))).names(&["kind:"]),
        c(
            "a document type that is no column kind",
            with(&col, "kind", json!("law")),
        )
        .names(&["kind:"]),
        c(
            "zero interval",
            with(&col, "update_interval_days", json!(0)),
        )
        .names(&["update_interval_days:"]),
        c(
            "negative interval",
            with(&col, "update_interval_days", json!(-7)),
        )
        .names(&["update_interval_days:"]),
        c(
            "interval over ten years",
            with(&col, "update_interval_days", json!(3651)),
        )
        .names(&["update_interval_days:"]),
        c("unknown parent", with(&col, "parent", json!("nope"))).names(&["parent:", "nope"]),
        c(
            "parent in another site",
            with(&col, "parent", json!("zhuanti")),
        )
        .names(&["parent:", "zhuanti"]),
        c("empty slug", with(&col, "slug", json!(""))).names(&["slug:"]),
        c("upper-case slug", with(&col, "slug", json!("Policy"))).names(&["slug:"]),
        c("slug with a slash", with(&col, "slug", json!("a/b"))).names(&["slug:"]),
        c(
            "slug of 41 characters",
            with(&col, "slug", json!(text_of(41, 'p'))),
        )
        .names(&["slug:"]),
        c("blank name", with(&col, "name", json!(" "))).names(&["name:"]),
        c(
            "name of 51 characters",
            with(&col, "name", json!(text_of(51, '栏'))),
        )
        .names(&["name:"]),
        c("duplicate slug", with(&col, "slug", json!("news")))
            .names(&["news"])
            .status(StatusCode::CONFLICT, "conflict"),
        c(
            "duplicate slug under a parent",
            Body::Json(
                json!({ "slug": "notice", "name": "子栏目", "kind": "notice", "parent": "news" }),
            ),
        )
        .names(&["notice"])
        .status(StatusCode::CONFLICT, "conflict"),
        case(
            "column of an unknown site",
            Method::POST,
            "/api/admin/sites/nope/columns",
            &admin,
            Body::Json(col.clone()),
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
    ]);

    // Column template sets (platform admin).
    let set = json!({ "name": "县级模板", "columns": [col.clone()] });
    let s = |what: &str, body: Body| {
        case(
            what,
            Method::PUT,
            "/api/admin/column-templates/county",
            &admin,
            body,
        )
    };
    cases.extend([
        s("set without name", without(&set, "name")).names(&["missing field", "`name`"]),
        s("set without columns", without(&set, "columns")).names(&["missing field", "`columns`"]),
        s("set with no columns", with(&set, "columns", json!([]))).names(&["columns:"]),
        s(
            "set with an unknown field",
            with(&set, "sites", json!(["gd"])),
        )
        .names(&["unknown field", "`sites`"]),
        s(
            "set whose column lacks a kind",
            with(&set, "columns", json!([{ "slug": "a", "name": "甲" }])),
        )
        .names(&["`kind`"]),
        s(
            "set whose column has an unknown field",
            with(
                &set,
                "columns",
                json!([{ "slug": "a", "name": "甲", "kind": "news", "x": 1 }]),
            ),
        )
        .names(&["`x`"]),
        s(
            "set whose second column has a bad kind",
            with(
                &set,
                "columns",
                json!([col.clone(), { "slug": "a", "name": "甲", "kind": "blog" }]),
            ),
        )
        .names(&["columns:", "kind:", "blog"]),
        s(
            "set whose column has a bad slug",
            with(
                &set,
                "columns",
                json!([{ "slug": "A", "name": "甲", "kind": "news" }]),
            ),
        )
        .names(&["columns:", "slug:"]),
        s(
            "set whose column has a bad interval",
            with(
                &set,
                "columns",
                json!([{ "slug": "a", "name": "甲", "kind": "news", "update_interval_days": 0 }]),
            ),
        )
        .names(&["columns:", "update_interval_days:"]),
        s(
            "columns as an object",
            with(&set, "columns", json!({ "slug": "a" })),
        )
        .names(&["columns:", "invalid type"]),
        s("invalid JSON", raw_json("{")).names(&["JSON"]),
        case(
            "set with a bad id",
            Method::PUT,
            "/api/admin/column-templates/Bad_Set",
            &admin,
            Body::Json(set.clone()),
        )
        .names(&["id:", "Bad_Set"]),
    ]);
    w.refuse_all(cases).await;

    // A saved set whose second column names a parent the site lacks: applying it must fail
    // whole, creating not even the first column.
    let broken = json!({ "name": "有问题的模板", "columns": [
        { "slug": "first", "name": "第一", "kind": "news" },
        { "slug": "second", "name": "第二", "kind": "news", "parent": "missing" },
    ] });
    let r =
        w.t.call(
            Method::PUT,
            "/api/admin/column-templates/broken",
            Some(&admin),
            Some(broken),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r =
        w.t.call(
            Method::PUT,
            "/api/admin/column-templates/county",
            Some(&admin),
            Some(set.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let a = |what: &str, path: &str, body: Body| case(what, Method::POST, path, &admin, body);
    w.refuse_all(vec![
        a(
            "apply without site",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({})),
        )
        .names(&["missing field", "`site`"]),
        a(
            "apply with site as a number",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({ "site": 1 })),
        )
        .names(&["site:", "invalid type"]),
        a(
            "apply with an unknown field",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({ "site": "gd", "force": true })),
        )
        .names(&["`force`"]),
        a(
            "apply with no content type",
            "/api/admin/column-templates/county/apply",
            Body::Raw(None, br#"{"site":"gd"}"#.to_vec()),
        )
        .names(&["Content-Type"]),
        a(
            "apply an unknown set",
            "/api/admin/column-templates/nope/apply",
            Body::Json(json!({ "site": "gd" })),
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        a(
            "apply to an unknown site",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({ "site": "nope" })),
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        a(
            "apply a set with a missing parent",
            "/api/admin/column-templates/broken/apply",
            Body::Json(json!({ "site": "gd" })),
        )
        .names(&["parent:", "missing"]),
    ])
    .await;

    // The limits themselves are accepted.
    let before = w.count("/api/admin/sites/gd/columns").await;
    for (slug, days) in [("daily", 1), ("decade", 3650)] {
        let r = w.t.post("/api/admin/sites/gd/columns", &w.gd_admin, json!({ "slug": slug, "name": "栏目", "kind": "news", "update_interval_days": days, "parent": "news", "position": -3 })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["update_interval_days"], days);
    }
    assert_eq!(w.count("/api/admin/sites/gd/columns").await, before + 2);
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_are_validated_on_create_and_revise() {
    let w = world().await;
    let editor = w.gd.editor.clone();
    let art = json!({ "column": "news", "title": "关于开展安全检查的通知", "body": "正文。" });
    let c = |what: &str, body: Body| {
        case(
            what,
            Method::POST,
            "/api/admin/sites/gd/articles",
            &editor,
            body,
        )
    };
    let unknown_hash = "0".repeat(64);
    let blob = w.blob.clone();
    let mut cases = vec![
        c("missing title", without(&art, "title")).names(&["missing field", "`title`"]),
        c("missing column", without(&art, "column")).names(&["column:"]),
        c("unknown field", with(&art, "colum", json!("news"))).names(&["unknown field", "`colum`"]),
        c("server-side field", with(&art, "state", json!("published"))).names(&["unknown field", "`state`"]),
        c("title as a number", with(&art, "title", json!(5))).names(&["title:", "invalid type"]),
        c("column as a number", with(&art, "column", json!(1))).names(&["column:", "invalid type"]),
        c("body as a list", with(&art, "body", json!(["x"]))).names(&["body:", "invalid type"]),
        c("tags as a string", with(&art, "tags", json!("a,b"))).names(&["tags:", "invalid type"]),
        c("attachments as an object", with(&art, "attachments", json!({ "hash": blob }))).names(&["attachments:", "invalid type"]),
        c("unknown body format", with(&art, "body_format", json!("pdf"))).names(&["body_format:", "pdf"]),
        c("invalid JSON", raw_json("{\"column\": \"news\", \"title\": \"x\"")).names(&["JSON"]),
        c("no content type", Body::Raw(None, art.to_string().into_bytes())).names(&["Content-Type"]),
        c("form content type", Body::Raw(Some("application/x-www-form-urlencoded"), b"column=news&title=x".to_vec())).names(&["Content-Type"]),
        c("unknown column", with(&art, "column", json!("nope"))).names(&["column:", "nope"]),
        c("a column only another site has", with(&art, "column", json!("zhuanti"))).names(&["column:", "zhuanti"]),
        c("empty title", with(&art, "title", json!(""))).names(&["title:"]),
        c("blank title", with(&art, "title", json!("  \t "))).names(&["title:"]),
        c("title of 201 characters", with(&art, "title", json!(text_of(201, 'x')))).names(&["title:", "201"]),
        c("title of 201 Chinese characters", with(&art, "title", json!(text_of(201, '通')))).names(&["title:"]),
        c("subtitle of 201 characters", with(&art, "subtitle", json!(text_of(201, 's')))).names(&["subtitle:"]),
        c("author of 101 characters", with(&art, "author", json!(text_of(101, 'a')))).names(&["author:"]),
        c("issuing_body of 101 characters", with(&art, "issuing_body", json!(text_of(101, 'a')))).names(&["issuing_body:"]),
        c("doc_number of 101 characters", with(&art, "doc_number", json!(text_of(101, 'a')))).names(&["doc_number:"]),
        c("theme 22", with(&art, "theme", json!("22"))).names(&["theme:", "22"]),
        c("theme 00", with(&art, "theme", json!("00"))).names(&["theme:"]),
        c("one-digit theme", with(&art, "theme", json!("1"))).names(&["theme:"]),
        c("theme as a number", with(&art, "theme", json!(1))).names(&["theme:", "invalid type"]),
        c("unknown doc_type", with(&art, "doc_type", json!("blog"))).names(&["doc_type:", "blog"]),
        c("capitalised doc_type", with(&art, "doc_type", json!("Policy"))).names(&["doc_type:"]),
        c("month 13", with(&art, "date", json!("2024-13-01"))).names(&["date:", "2024-13-01"]),
        c("30 February", with(&art, "date", json!("2024-02-30"))).names(&["date:"]),
        c("slashed date", with(&art, "date", json!("2024/01/01"))).names(&["date:"]),
        c("compact date", with(&art, "date", json!("20240101"))).names(&["date:"]),
        c("date with a time", with(&art, "date", json!("2024-01-01T00:00:00Z"))).names(&["date:"]),
        c("bad valid_from", with(&art, "valid_from", json!("yesterday"))).names(&["valid_from:"]),
        c("bad valid_to", with(&art, "valid_to", json!("2024-02-30"))).names(&["valid_to:"]),
        c("valid_to before valid_from", Body::Json(json!({ "column": "news", "title": "t", "valid_from": "2024-06-01", "valid_to": "2024-05-31" })))
            .names(&["valid_to:"]),
        c("21 tags", with(&art, "tags", json!((0..21).map(|i| format!("标签{i}")).collect::<Vec<_>>()))).names(&["tags:"]),
        c("a tag of 31 characters", with(&art, "tags", json!([text_of(31, '标')]))).names(&["tags:"]),
        c("an empty tag", with(&art, "tags", json!(["", "ok"]))).names(&["tags:"]),
        c("a blank tag", with(&art, "tags", json!(["  "]))).names(&["tags:"]),
        c("an attachment never uploaded", with(&art, "attachments", json!([{ "hash": unknown_hash, "name": "通知.pdf" }])))
            .names(&["attachments:", "no uploaded blob"]),
        c("an uploaded attachment and one never uploaded", with(&art, "attachments", json!([{ "hash": blob, "name": "a.pdf" }, { "hash": "f".repeat(64), "name": "b.pdf" }])))
            .names(&["attachments:"]),
        c("an attachment hash that is no hash", with(&art, "attachments", json!([{ "hash": "../../etc/passwd", "name": "x" }]))).names(&["hash"]),
        c("an upper-case attachment hash", with(&art, "attachments", json!([{ "hash": blob.to_uppercase(), "name": "x" }]))).names(&["hash"]),
        c("an attachment without a name", with(&art, "attachments", json!([{ "hash": blob }]))).names(&["missing field", "`name`"]),
        c("an attachment with a blank name", with(&art, "attachments", json!([{ "hash": blob, "name": " " }]))).names(&["attachments.name:"]),
        c("an attachment with an unknown field", with(&art, "attachments", json!([{ "hash": blob, "name": "a", "url": "/x" }]))).names(&["unknown field", "`url`"]),
        c("a body over a million characters", with(&art, "body", json!(text_of(1_000_001, 'b')))).names(&["body:"]),
        case("an article on an unknown site", Method::POST, "/api/admin/sites/nope/articles", &w.t.admin, Body::Json(art.clone()))
            .names(&["nope"])
            .status(StatusCode::NOT_FOUND, "not_found"),
    ];

    // The same checks on a new revision: nothing is saved, the revision number stays.
    let draft = w.draft;
    let p = format!("/api/admin/articles/{draft}");
    let r =
        |what: &str, body: Body| case(format!("revise: {what}"), Method::PUT, &p, &editor, body);
    let rev = json!({ "title": "修订后的标题", "body": "新正文" });
    cases.extend([
        r("missing title", without(&rev, "title")).names(&["missing field", "`title`"]),
        r("unknown field", with(&rev, "revision", json!(7)))
            .names(&["unknown field", "`revision`"]),
        r("title as a number", with(&rev, "title", json!(5))).names(&["title:", "invalid type"]),
        r(
            "title of 201 characters",
            with(&rev, "title", json!(text_of(201, '修'))),
        )
        .names(&["title:"]),
        r(
            "moving to another column",
            with(&rev, "column", json!("notice")),
        )
        .names(&["column:"]),
        r("bad theme", with(&rev, "theme", json!("99"))).names(&["theme:"]),
        r("bad doc_type", with(&rev, "doc_type", json!("memo"))).names(&["doc_type:"]),
        r("bad date", with(&rev, "date", json!("2024-00-10"))).names(&["date:"]),
        r(
            "valid_to before valid_from",
            Body::Json(
                json!({ "title": "t", "valid_from": "2025-01-02", "valid_to": "2025-01-01" }),
            ),
        )
        .names(&["valid_to:"]),
        r(
            "21 tags",
            with(
                &rev,
                "tags",
                json!((0..21).map(|i| i.to_string()).collect::<Vec<_>>()),
            ),
        )
        .names(&["tags:"]),
        r(
            "an attachment never uploaded",
            with(
                &rev,
                "attachments",
                json!([{ "hash": "e".repeat(64), "name": "x.pdf" }]),
            ),
        )
        .names(&["attachments:"]),
        r("invalid JSON", raw_json("{\"title\"")).names(&["JSON"]),
        r(
            "no content type",
            Body::Raw(None, rev.to_string().into_bytes()),
        )
        .names(&["Content-Type"]),
        case(
            "revise: an article under review",
            Method::PUT,
            format!("/api/admin/articles/{}", w.submitted),
            &editor,
            Body::Json(rev.clone()),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        case(
            "revise: an approved article",
            Method::PUT,
            format!("/api/admin/articles/{}", w.approved),
            &editor,
            Body::Json(rev.clone()),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        case(
            "revise: an article that does not exist",
            Method::PUT,
            "/api/admin/articles/999999",
            &w.t.admin,
            Body::Json(rev.clone()),
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
    ]);
    w.refuse_all(cases).await;

    // The limits themselves are accepted.
    let before = w.count("/api/admin/sites/gd/articles").await;
    let ok = json!({
        "column": "news", "title": text_of(200, '题'), "subtitle": text_of(200, 's'), "theme": "21", "doc_type": "law",
        "date": "2024-02-29", "valid_from": "2024-03-01", "valid_to": "2024-03-01",
        "tags": (0..20).map(|i| format!("{i:0>30}")).collect::<Vec<_>>(),
        "attachments": [{ "hash": w.blob, "name": "附件.pdf" }], "body_format": "html", "body": "<p>正文</p>",
    });
    let r = w.t.post("/api/admin/sites/gd/articles", &editor, ok).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let a = r.json();
    assert_eq!(a["state"], "draft");
    assert_eq!(a["doc"]["attachments"][0]["mime"], "application/pdf", "{a}");
    assert_eq!(w.count("/api/admin/sites/gd/articles").await, before + 1);
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_actions_are_validated() {
    let w = world().await;
    let (draft, submitted, approved, published) = (w.draft, w.submitted, w.approved, w.published);
    let (editor, reviewer) = (w.gd.editor.clone(), w.gd.reviewer.clone());
    let c = |what: &str, id: i64, action: &str, token: &str, body: Body| {
        case(
            what,
            Method::POST,
            format!("/api/admin/articles/{id}/{action}"),
            token,
            body,
        )
    };
    let long_reason = text_of(501, '因');
    let cases = vec![
        c(
            "reject without a body",
            submitted,
            "reject",
            &reviewer,
            Body::Empty,
        )
        .names(&["reason:"]),
        c(
            "reject without a reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({})),
        )
        .names(&["reason:"]),
        c(
            "reject with an empty reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": "" })),
        )
        .names(&["reason:"]),
        c(
            "reject with a blank reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": " \n " })),
        )
        .names(&["reason:"]),
        c(
            "reject with a null reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": null })),
        )
        .names(&["reason:"]),
        c(
            "reject with a reason of 501 characters",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": long_reason })),
        )
        .names(&["reason:"]),
        c(
            "reject with a reason that is a number",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": 5 })),
        )
        .names(&["reason:"]),
        c(
            "withdraw without a body",
            published,
            "withdraw",
            &reviewer,
            Body::Empty,
        )
        .names(&["reason:"]),
        c(
            "withdraw without a reason",
            published,
            "withdraw",
            &reviewer,
            Body::Json(json!({})),
        )
        .names(&["reason:"]),
        c(
            "withdraw with a blank reason",
            published,
            "withdraw",
            &reviewer,
            Body::Json(json!({ "reason": "   " })),
        )
        .names(&["reason:"]),
        c(
            "publish at a word",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "tomorrow" })),
        )
        .names(&["at:", "tomorrow"]),
        c(
            "publish at a bare date",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2030-01-01" })),
        )
        .names(&["at:"]),
        c(
            "publish at a time without zone",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2030-01-01T08:00:00" })),
        )
        .names(&["at:"]),
        c(
            "publish at month 13",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2030-13-01T00:00:00Z" })),
        )
        .names(&["at:"]),
        c(
            "publish at an empty time",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "" })),
        )
        .names(&["at:"]),
        c(
            "publish at a number",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": 1_900_000_000 })),
        )
        .names(&["at:"]),
        c(
            "approve with a time",
            submitted,
            "approve",
            &w.t.admin,
            Body::Json(json!({ "at": "2030-01-01T00:00:00Z" })),
        )
        .names(&["at:"]),
        c(
            "submit with an unknown field",
            draft,
            "submit",
            &editor,
            Body::Json(json!({ "comment": "请审核" })),
        )
        .names(&["unknown field", "`comment`"]),
        c(
            "submit with invalid JSON",
            draft,
            "submit",
            &editor,
            raw_json("{\"reason\": "),
        )
        .names(&["JSON"]),
        c(
            "unknown action",
            submitted,
            "destroy",
            &reviewer,
            Body::Json(json!({})),
        )
        .names(&["destroy"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "upper-case action",
            submitted,
            "APPROVE",
            &reviewer,
            Body::Empty,
        )
        .names(&["APPROVE"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "schedule is not an action",
            approved,
            "schedule",
            &reviewer,
            Body::Empty,
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "unknown action with a token of no role",
            submitted,
            "delete",
            &editor,
            Body::Empty,
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "action on an article that does not exist",
            999_999,
            "submit",
            &w.t.admin,
            Body::Empty,
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
        c("publish a draft", draft, "publish", &reviewer, Body::Empty)
            .names(&["draft"])
            .status(StatusCode::CONFLICT, "conflict"),
        c("approve a draft", draft, "approve", &reviewer, Body::Empty)
            .status(StatusCode::CONFLICT, "conflict"),
        c(
            "publish a submitted article",
            submitted,
            "publish",
            &reviewer,
            Body::Empty,
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c("submit twice", submitted, "submit", &editor, Body::Empty)
            .status(StatusCode::CONFLICT, "conflict"),
        c(
            "reject an approved article",
            approved,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": "迟了" })),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c(
            "withdraw what was never published",
            approved,
            "withdraw",
            &reviewer,
            Body::Json(json!({ "reason": "无" })),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c(
            "publish twice",
            published,
            "publish",
            &reviewer,
            Body::Empty,
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c(
            "schedule in the future a published article",
            published,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2099-01-01T00:00:00Z" })),
        )
        .status(StatusCode::CONFLICT, "conflict"),
    ];
    w.refuse_all(cases).await;

    // A well-formed time is taken: a future one schedules, with an offset as well as Z.
    let r =
        w.t.post(
            &format!("/api/admin/articles/{approved}/publish"),
            &reviewer,
            json!({ "at": "2099-01-01T08:00:00+08:00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "scheduled");
    w.t.stop().await;
}

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
    w.t.stop().await;
}
