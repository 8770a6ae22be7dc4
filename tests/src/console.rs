//! A browser without JavaScript for the console's pages: it keeps the cookies it is given,
//! posts forms (and multipart uploads), and signs people in.

use crate::{Reply, StatusCode, TestNode};

/// `s` percent-encoded for a form body.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The text between `start` and the next `end`.
pub fn between(text: &str, start: &str, end: &str) -> String {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {text}"))
        + start.len();
    let stop = text[at..].find(end).expect("the end") + at;
    text[at..stop].to_string()
}

/// The CSRF token of a page's forms.
pub fn csrf_of(page: &str) -> String {
    between(page, "name=\"csrf\" value=\"", "\"")
}

/// A browser without JavaScript holding the session cookie (and the sign-in form's).
pub struct Browser {
    http: reqwest::Client,
    base: String,
    /// The cookies it holds: (name, value).
    pub cookies: Vec<(String, String)>,
}

impl Browser {
    pub fn new(t: &TestNode) -> Browser {
        Browser {
            http: t.http.clone(),
            base: t.url(""),
            cookies: Vec::new(),
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Reply {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie)
        };
        let resp = req.send().await.expect("request");
        let reply = Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        };
        for set in reply.headers.get_all("set-cookie") {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(name, _)| name != k);
                if !v.is_empty() {
                    self.cookies.push((k.to_string(), v.to_string()));
                }
            }
        }
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

    /// A multipart form: text fields and one file.
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Reply {
        self.upload_as(path, fields, file, "text/html").await
    }

    /// The same, accepting `accept` (our script asks for JSON).
    pub async fn upload_as(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
        accept: &str,
    ) -> Reply {
        let boundary = "----govnode-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, mime, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("accept", accept)
            .body(body);
        self.send(req).await
    }

    /// The CSRF token of the forms on `path`.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
        csrf_of(&page.text)
    }
}

impl Browser {
    /// Creates `login` holding `grants` (first password changed, an authenticator enrolled
    /// when the grants need one) and signs them in through the console's pages.
    pub async fn signed_in(
        t: &TestNode,
        login: &str,
        grants: &[govnode_accounts::Grant],
    ) -> Browser {
        let session = t.console_session(login, grants).await;
        let mut b = Browser::new(t);
        b.cookies.push(("govnode_session".into(), session));
        b
    }
}
