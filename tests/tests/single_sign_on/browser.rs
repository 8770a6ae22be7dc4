//! A browser without JavaScript over plain HTTP: a cookie jar per host (the node's and the
//! provider's), redirects followed by hand (so each answer can be looked at), and the
//! provider's development login and consent forms filled in.

use std::collections::HashMap;

use govnode_tests::{Reply, StatusCode};
use reqwest::Url;

pub struct Browser {
    http: reqwest::Client,
    /// Cookies by host:port, then name.
    jar: HashMap<String, HashMap<String, String>>,
}

fn authority(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            jar: HashMap::new(),
        }
    }

    /// The cookie `name` held for `url`'s host.
    pub fn cookie(&self, url: &str, name: &str) -> Option<&str> {
        let url = Url::parse(url).expect("url");
        self.jar
            .get(&authority(&url))?
            .get(name)
            .map(String::as_str)
    }

    async fn send(&mut self, url: &Url, req: reqwest::RequestBuilder) -> Reply {
        let host = authority(url);
        let cookies: Vec<String> = self
            .jar
            .get(&host)
            .map(|c| c.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .unwrap_or_default();
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
        let jar = self.jar.entry(host).or_default();
        for set in reply.headers.get_all("set-cookie") {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let gone = value.is_empty() || set.to_ascii_lowercase().contains("max-age=0");
            if gone {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_string(), value.trim().to_string());
            }
        }
        reply
    }

    pub async fn get(&mut self, url: &str) -> Reply {
        let url = Url::parse(url).expect("url");
        let req = self.http.get(url.clone());
        self.send(&url, req).await
    }

    pub async fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> Reply {
        let url = Url::parse(url).expect("url");
        let req = self.http.post(url.clone()).form(fields);
        self.send(&url, req).await
    }

    /// Signs in at the provider as `login` (see [`Browser::reach_callback`]) and visits the
    /// node's callback: its answer, and the callback's URL.
    pub async fn sign_in_at_provider(
        &mut self,
        start: &str,
        login: &str,
        tamper: impl Fn(&str) -> String,
    ) -> (Reply, String) {
        let callback = self.reach_callback(start, login, tamper).await;
        (self.get(&callback).await, callback)
    }

    /// Signs in at the provider as `login`: from the node's `start` URL, the authorization
    /// URL (passed through `tamper` first) is visited, the login and consent forms are
    /// submitted, and redirects are followed until one leads back to the node: that URL
    /// (the callback, not visited).
    pub async fn reach_callback(
        &mut self,
        start: &str,
        login: &str,
        tamper: impl Fn(&str) -> String,
    ) -> String {
        let node_host = authority(&Url::parse(start).expect("url"));
        let first = self.get(start).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text);
        let mut url = tamper(first.header_str("location"));
        for _ in 0..20 {
            let here = Url::parse(&url).expect("url");
            if authority(&here) == node_host {
                return url;
            }
            let reply = self.get(&url).await;
            let reply =
                if reply.status == StatusCode::OK && here.path().starts_with("/interaction/") {
                    let action = between(&reply.text, "action=\"", "\"");
                    let target = here.join(&action).expect("form action").to_string();
                    if reply.text.contains("name=\"login\"") {
                        self.post(
                            &target,
                            &[("prompt", "login"), ("login", login), ("password", "any")],
                        )
                        .await
                    } else {
                        assert!(reply.text.contains("consent"), "{}", reply.text);
                        self.post(&target, &[("prompt", "consent")]).await
                    }
                } else {
                    reply
                };
            assert!(
                reply.status.is_redirection(),
                "{url}: {} {}",
                reply.status,
                reply.text
            );
            url = here
                .join(reply.header_str("location"))
                .expect("location")
                .to_string();
        }
        panic!("no way back to the node from the provider");
    }
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

trait HeaderStr {
    fn header_str(&self, name: &str) -> &str;
}

impl HeaderStr for Reply {
    fn header_str(&self, name: &str) -> &str {
        self.header(name)
            .unwrap_or_else(|| panic!("no {name} header ({} {})", self.status, self.text))
    }
}
