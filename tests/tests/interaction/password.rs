//! The tracking password (issue 11, item 4): never shown in any view, stored as a slow
//! salted hash (argon2) while tickets filed before keep opening with theirs, taken from a
//! POST body rather than the URL, limited in wrong tries per ticket, and never cached.

use super::form_body;
use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::{Value, json};

/// A node with site `gd`, a body and its handler, and one ticket: (node, code, password,
/// handler's token).
async fn one_ticket() -> (TestNode, String, String, String) {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/zwfw",
            Some(&t.admin),
            Some(json!({ "name": "广东省政务服务数据管理局" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let handler = t
        .token(Role::Handler, Some("440000.zwfw"), "经办人甲")
        .await;
    let (code, pw) = file(&t).await;
    (t, code, pw, handler)
}

async fn file(t: &TestNode) -> (String, String) {
    let r = t
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gd",
            None,
            Some(json!({ "kind": "consultation", "body": "440000.zwfw", "subject": "网上办事大厅登录问题",
                "content": "网上办事大厅无法用手机号登录，请问如何处理？", "name": "陈七", "phone": "13500135000" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    (
        j["code"].as_str().unwrap().to_string(),
        j["password"].as_str().unwrap().to_string(),
    )
}

/// The tracking password's hash as stored.
async fn stored_hash(t: &TestNode, code: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM tickets WHERE code = $1")
        .bind(code)
        .fetch_one(&t.node.db.read)
        .await
        .unwrap()
}

/// The hash tickets were stored with before issue 11: blake3, unsalted.
fn legacy_hash(code: &str, password: &str) -> String {
    blake3::hash(format!("govnode ticket {code}:{password}").as_bytes())
        .to_hex()
        .to_string()
}

/// POST `{"password": …}` to the citizen's view.
async fn track(t: &TestNode, code: &str, password: &str) -> govnode_tests::Reply {
    t.call(
        Method::POST,
        &format!("/api/interaction/tickets/{code}"),
        None,
        Some(json!({ "password": password })),
    )
    .await
}

/// Neither the password, nor any hash of it, nor a field named after it is in `v`.
fn no_secret(what: &str, v: &Value, code: &str, pw: &str, stored: &str) {
    fn keys<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    out.push(k);
                    keys(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    keys(v, &mut all);
    assert!(
        !all.iter().any(|k| k.contains("password")),
        "{what}: a password field: {v}"
    );
    let text = v.to_string();
    for secret in [pw, stored, &legacy_hash(code, pw)] {
        assert!(!text.contains(secret), "{what}: holds {secret}: {text}");
    }
    assert!(!text.contains("$argon2"), "{what}: a password hash: {text}");
}

fn no_store(what: &str, r: &govnode_tests::Reply) {
    assert_eq!(
        r.header("cache-control"),
        Some("no-store"),
        "{what}: {:?}",
        r.headers
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tracking_password_is_never_shown_and_is_hashed_slowly() {
    let (t, code, pw, handler) = one_ticket().await;
    let stored = stored_hash(&t, &code).await;

    // The views: the citizen's (GET, the deprecated form, and POST), the handler's, the
    // inbox and an action's answer.
    let got = t
        .get(&format!("/api/interaction/tickets/{code}?password={pw}"))
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text);
    no_secret("GET status", &got.json(), &code, &pw, &stored);
    no_store("GET status", &got);
    let posted = track(&t, &code, &pw).await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.text);
    assert_eq!(posted.json(), got.json(), "POST answers what GET does");
    no_store("POST status", &posted);
    let admin = t
        .call(
            Method::GET,
            &format!("/api/admin/interaction/tickets/{code}"),
            Some(&handler),
            None,
        )
        .await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.text);
    assert_eq!(admin.json()["code"], code.as_str());
    no_secret("the handler's view", &admin.json(), &code, &pw, &stored);
    no_store("the handler's view", &admin);
    let inbox = t
        .call(
            Method::GET,
            "/api/admin/interaction/inbox",
            Some(&handler),
            None,
        )
        .await;
    assert!(inbox.text.contains(&code), "{}", inbox.text);
    no_secret("the inbox", &inbox.json(), &code, &pw, &stored);
    let accepted = t
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/actions"),
            Some(&handler),
            Some(json!({ "action": "accept" })),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    no_secret("an action's answer", &accepted.json(), &code, &pw, &stored);

    // Stored with argon2id (PHC string, a salt of its own per ticket), never the fast hash.
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let (code2, pw2) = file(&t).await;
    let stored2 = stored_hash(&t, &code2).await;
    let salt = |h: &str| h.split('$').nth(4).unwrap_or_default().to_string();
    assert!(!salt(&stored).is_empty() && salt(&stored) != salt(&stored2));
    assert_ne!(pw, pw2);

    // A wrong password by POST is a 404 with the same message as an unknown code and as
    // the GET form; a POST without one says what is missing.
    let wrong = track(&t, &code, "wrongpass").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.text);
    let unknown = track(&t, "NOPE", &pw).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    let wrong_get = t
        .get(&format!(
            "/api/interaction/tickets/{code}?password=wrongpass"
        ))
        .await;
    assert_eq!(wrong.json(), unknown.json());
    assert_eq!(wrong.json(), wrong_get.json());
    let r = t
        .call(
            Method::POST,
            &format!("/api/interaction/tickets/{code}"),
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("password"), "{}", r.text);

    // The document says which form to use.
    let doc = t.get("/api/openapi.json").await.json();
    let item = &doc["paths"]["/api/interaction/tickets/{code}"];
    assert_eq!(item["get"]["deprecated"], true, "{item}");
    assert!(
        item["get"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("Deprecated")),
        "{item}"
    );
    assert_eq!(
        item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PasswordBody",
        "{item}"
    );
    assert!(item["post"].get("deprecated").is_none(), "{item}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_filed_before_keeps_its_password() {
    let (t, code, pw, _) = one_ticket().await;
    // As a node stored it before argon2: the unsalted fast hash.
    sqlx::query("UPDATE tickets SET password_hash = $1 WHERE code = $2")
        .bind(legacy_hash(&code, &pw))
        .bind(&code)
        .execute(&t.node.db.write)
        .await
        .unwrap();
    let wrong = track(&t, &code, "wrongpass").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.text);
    assert_eq!(stored_hash(&t, &code).await, legacy_hash(&code, &pw));
    let r = track(&t, &code, &pw).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["code"], code.as_str());
    // The first good check upgraded it; it opens as before.
    let upgraded = stored_hash(&t, &code).await;
    assert!(upgraded.starts_with("$argon2id$"), "{upgraded}");
    let r = t
        .get(&format!("/api/interaction/tickets/{code}?password={pw}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    no_secret("a ticket filed before", &r.json(), &code, &pw, &upgraded);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_limited_per_ticket() {
    let (t, code, pw, _) = one_ticket().await;
    let (other, other_pw) = file(&t).await;
    for i in 0..10 {
        let r = track(&t, &code, &format!("wrong{i:03}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "try {i}: {}", r.text);
    }
    // The eleventh try within the hour is refused, whatever the password, and says when
    // to try again; the GET form counts the same.
    for (what, r) in [
        ("a wrong password", track(&t, &code, "wrong010").await),
        ("the right one", track(&t, &code, &pw).await),
        (
            "the GET form",
            t.get(&format!("/api/interaction/tickets/{code}?password={pw}"))
                .await,
        ),
    ] {
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{what}: {}",
            r.text
        );
        assert_eq!(r.json()["error"], "rate_limited", "{what}: {}", r.text);
        let message = r.json()["message"].as_str().unwrap().to_string();
        assert!(
            message.contains("try again after") && message.contains("Beijing time"),
            "{what}: {message}"
        );
    }
    // Rating and information take the password too: refused alike.
    let r = t
        .call(
            Method::POST,
            &format!("/api/interaction/tickets/{code}/rating"),
            None,
            Some(json!({ "password": pw, "rating": 5 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    // Per ticket: another ticket opens.
    let r = track(&t, &other, &other_pw).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // An hour later the ticket opens again (the window is moved back instead of waiting).
    sqlx::query(
        "UPDATE ticket_password_failures SET since_ms = since_ms - 3600000 WHERE code = $1",
    )
    .bind(&code)
    .execute(&t.node.db.write)
    .await
    .unwrap();
    let r = track(&t, &code, &pw).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    t.stop().await;
}

/// Every `href`, `src` and `action` of a page.
fn urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "action=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            out.push(rest[..end].to_string());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_letters_page_tracks_by_post() {
    let (t, code, pw, _) = one_ticket().await;
    // The tracking form posts; no GET form on the page takes a password.
    let page = t.get("/sites/gd/letters").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let start = page.text.find("id=\"track-h\"").unwrap();
    let section = &page.text[start..];
    let form = &section[section.find("<form").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("method=\"post\""), "{form}");
    assert!(
        form.contains("name=\"action\" value=\"track\""),
        "a tracking submission says so: {form}"
    );
    for form in page.text.split("<form").skip(1) {
        let form = &form[..form.find("</form>").unwrap()];
        assert!(
            !(form.contains("method=\"get\"") && form.contains("password")),
            "a password in a GET form: {form}"
        );
    }

    // Tracking by POST shows the ticket, is never cached, and the password is in no URL.
    let post = |pairs: Vec<(&'static str, String)>| {
        let t = &t;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = t
                .http
                .post(t.url("/sites/gd/letters"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form_body(&pairs))
                .send()
                .await
                .unwrap();
            let status = r.status();
            let cache = r
                .headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            (status, cache, r.text().await.unwrap())
        }
    };
    let (status, cache, html) = post(vec![
        ("action", "track".into()),
        ("code", code.clone()),
        ("password", pw.clone()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("网上办事大厅登录问题") && html.contains("已提交"),
        "{html}"
    );
    assert_eq!(cache.as_deref(), Some("no-store"));
    for url in urls(&html) {
        assert!(!url.contains(&pw), "the password in a URL: {url}");
    }
    assert!(
        !html.contains(&pw),
        "the password is not shown back: {html}"
    );
    assert!(!html.contains("提交成功"), "tracking files nothing: {html}");
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&t.node.db.read)
        .await
        .unwrap();
    assert_eq!(tickets, 1, "tracking filed a letter");

    // A wrong password says so, as the API does.
    let (status, cache, html) = post(vec![
        ("action", "track".into()),
        ("code", code.clone()),
        ("password", "wrongpass".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("查询码或查询密码不正确"), "{html}");
    assert!(!html.contains("网上办事大厅登录问题"), "{html}");
    assert_eq!(cache.as_deref(), Some("no-store"));

    // The deprecated GET form still tracks, never cached, and no link of its page carries
    // the password on (the elder toggle's return, the canonical link).
    let got = t
        .get(&format!("/sites/gd/letters?code={code}&password={pw}"))
        .await;
    assert!(got.text.contains("已提交"), "{}", got.text);
    no_store("the GET tracking page", &got);
    for url in urls(&got.text) {
        assert!(!url.contains(&pw), "the password in a URL: {url}");
    }

    // Too many wrong tries: the page says when to try again.
    for i in 0..10 {
        post(vec![
            ("action", "track".into()),
            ("code", code.clone()),
            ("password", format!("wrong{i:03}")),
        ])
        .await;
    }
    let (status, _, html) = post(vec![
        ("action", "track".into()),
        ("code", code.clone()),
        ("password", pw.clone()),
    ])
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{html}");
    assert!(
        html.contains("查询密码错误次数过多") && html.contains("（北京时间）后再试"),
        "{html}"
    );
    t.stop().await;
}
