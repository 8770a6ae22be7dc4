//! A browser without JavaScript: keeps the session cookie it is given, posts forms, and
//! remembers every page it saw (to check that none shows a secret).

use govnode_tests::console::encode;
pub use govnode_tests::console::{between, csrf_of};
use govnode_tests::{Method, Reply, TestNode};
use serde_json::Value;

pub struct Browser {
    http: reqwest::Client,
    base: String,
    /// The session cookie's value, if one is held.
    pub cookie: Option<String>,
    /// The sign-in form's pre-session cookie, if one is held.
    pub sign_in_cookie: Option<String>,
    /// Every page and answer seen.
    pub seen: Vec<String>,
}

impl Browser {
    pub fn new(t: &TestNode) -> Browser {
        Browser {
            http: t.http.clone(),
            base: t.url(""),
            cookie: None,
            sign_in_cookie: None,
            seen: Vec::new(),
        }
    }

    pub fn with_cookie(t: &TestNode, cookie: &str) -> Browser {
        let mut b = Browser::new(t);
        b.cookie = Some(cookie.to_string());
        b
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Reply {
        let cookies: Vec<String> = [
            self.cookie.as_ref().map(|c| format!("govnode_session={c}")),
            self.sign_in_cookie
                .as_ref()
                .map(|c| format!("govnode_sign_in={c}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let req = if cookies.is_empty() {
            req
        } else {
            req.header("cookie", cookies.join("; "))
        };
        let resp = req.send().await.expect("request");
        let reply = Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        };
        for set in reply.headers.get_all("set-cookie") {
            let set = set.to_str().expect("ascii cookie");
            if let Some(rest) = set.strip_prefix("govnode_session=") {
                let value = rest.split(';').next().unwrap_or("");
                self.cookie = (!value.is_empty()).then(|| value.to_string());
            }
            if let Some(rest) = set.strip_prefix("govnode_sign_in=") {
                let value = rest.split(';').next().unwrap_or("");
                self.sign_in_cookie = (!value.is_empty()).then(|| value.to_string());
            }
        }
        self.seen.push(reply.text.clone());
        reply
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Opens the sign-in form (as a browser does before posting it) and posts it.
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Reply {
        let csrf = self.sign_in_token().await;
        self.post(
            "/admin/sign-in",
            &[("csrf", &csrf), ("login", login), ("password", password)],
        )
        .await
    }

    /// The sign-in form's CSRF token (its pre-session cookie kept), read from the form as
    /// someone not yet signed in sees it.
    pub async fn sign_in_token(&mut self) -> String {
        let session = self.cookie.take();
        let form = self.get("/admin/sign-in").await;
        self.cookie = session;
        csrf_of(&form.text)
    }

    /// An API call with the session cookie and, if given, the CSRF header.
    pub async fn api(
        &mut self,
        _t: &TestNode,
        method: Method,
        path: &str,
        csrf: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        self.send(req).await
    }
}
