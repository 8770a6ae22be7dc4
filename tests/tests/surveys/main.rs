//! Surveys and opinion solicitations (征集调查): creation, one response per citizen (signed
//! cookie), the rate limit, results hidden until closing then published as SVG charts with
//! the body's feedback, the public pages, bad input and permissions.

use govnode_tests::{Method, Reply, Role, StatusCode, TestNode};
use serde_json::{Value, json};

/// Creation, responses, closing, results, charts, feedback and the pages.
mod lifecycle;
/// The rate limit, forged cookies, bad input and permissions.
mod limits;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn survey_body(closes_in_ms: i64) -> Value {
    json!({
        "title": "公交线路优化征求意见",
        "description": "为方便市民出行，现就公交线路优化公开征求意见。\n欢迎提出宝贵建议。",
        "body": "广东省交通运输厅",
        "opens_at": now_ms() - 60_000,
        "closes_at": now_ms() + closes_in_ms,
        "questions": [
            { "kind": "single", "text": "您多久乘坐一次公交？", "options": ["每天", "每周", "很少 <偶尔>"], "required": true },
            { "kind": "multiple", "text": "您希望改进哪些方面？", "options": ["班次", "站点", "票价"] },
            { "kind": "text", "text": "其他意见建议" }
        ]
    })
}

/// A citizen's browser: its own cookie jar (the respondent cookie) and address.
struct Citizen {
    cookie: Option<String>,
    ip: String,
    /// The host name the citizen's browser asks for (None: the node's address).
    host: Option<String>,
}

impl Citizen {
    fn new(ip: &str) -> Self {
        Citizen {
            cookie: None,
            ip: ip.into(),
            host: None,
        }
    }

    /// A citizen reaching the site by its own host name.
    fn on_host(ip: &str, host: &str) -> Self {
        Citizen {
            host: Some(host.into()),
            ..Citizen::new(ip)
        }
    }

    async fn send(&mut self, t: &TestNode, method: Method, path: &str, body: Body<'_>) -> Reply {
        let mut req = t
            .http
            .request(method, t.url(path))
            .header("x-forwarded-for", &self.ip);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(h) = &self.host {
            req = req.header("host", h);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(&v),
            Body::Form(pairs) => req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(pairs)),
        };
        let resp = req.send().await.expect("request");
        let reply = Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        };
        if let Some(set) = reply.header("set-cookie") {
            let pair = set.split(';').next().unwrap().to_string();
            assert!(pair.starts_with("govnode_respondent="), "{set}");
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Lax"),
                "{set}"
            );
            self.cookie = Some(pair);
        }
        reply
    }

    async fn get(&mut self, t: &TestNode, path: &str) -> Reply {
        self.send(t, Method::GET, path, Body::None).await
    }

    async fn respond(&mut self, t: &TestNode, id: i64, answers: Value) -> Reply {
        let path = format!("/api/surveys/{id}/responses");
        let body = Body::Json(json!({ "answers": answers }));
        self.send(t, Method::POST, &path, body).await
    }
}

enum Body<'a> {
    None,
    Json(Value),
    Form(&'a [(&'a str, &'a str)]),
}

fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A node behind a reverse proxy on 127.0.0.1 (configured as trusted), so each `Citizen`
/// is told apart by the `X-Forwarded-For` address the proxy records.
async fn setup() -> (TestNode, String) {
    let mut config = govnode::Config::new("440000".parse().unwrap(), "广东省");
    config.http.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let t = TestNode::start_in(config, tempfile::tempdir().unwrap()).await;
    t.site("gd", "广东省人民政府").await;
    t.site("sz", "深圳市人民政府").await;
    let admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    (t, admin)
}

async fn create(t: &TestNode, token: &str, body: Value) -> i64 {
    let r = t.post("/api/admin/sites/gd/surveys", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}
