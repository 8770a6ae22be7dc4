//! The test harness: starts govnode nodes in-process (port 0, temporary data dir, readiness
//! wait on `/healthz`) and offers the calls tests make against them. Whole-process tests use
//! [`govnode_bin`] to spawn the real binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use govnode::{Config, Node};
pub use govnode_accounts::Role;
pub use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod bench_kit;
pub mod browser;
pub mod console;
pub mod tree;
pub use tree::TestTree;

/// A node running in this process.
pub struct TestNode {
    /// The node's state (for direct inspection).
    pub node: Arc<Node>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// A platform-admin token.
    pub admin: String,
    /// HTTP client (no redirects followed, so tests see them).
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    // Dropped last: the data dir outlives the server.
    dir: Option<TempDir>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestNode {
    /// Starts a province node 440000.
    pub async fn start() -> TestNode {
        Self::start_as("440000", "广东省").await
    }

    /// Starts a node with the given id and name.
    pub async fn start_as(id: &str, name: &str) -> TestNode {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = Config::new(id.parse().expect("node id"), name);
        Self::start_in(config, dir).await
    }

    /// Starts a node from a config in an existing data dir (which it keeps).
    pub async fn start_in(config: Config, dir: TempDir) -> TestNode {
        let node = Node::open(config, dir.path()).await.expect("node opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let served = node.clone();
        let task = tokio::spawn(async move {
            govnode::run(served, listener, async {
                let _ = stopped.await;
            })
            .await
            .expect("node runs");
        });
        let http = http_client()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let (admin, _) = node
            .tokens
            .create("平台管理员", Role::PlatformAdmin, None)
            .await
            .expect("admin token");
        let t = TestNode {
            node,
            addr,
            admin,
            http,
            stop: Some(stop),
            task: Some(task),
            dir: Some(dir),
        };
        t.wait_ready().await;
        t
    }

    async fn wait_ready(&self) {
        // Bounded (30 s) so a loaded CI machine is not mistaken for a broken node.
        for _ in 0..3000 {
            if let Ok(r) = self.http.get(self.url("/healthz")).send().await
                && r.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("node on {} never became ready", self.addr);
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(self) {
        self.stop_keeping_data().await;
    }

    /// Stops the server and hands back its data dir (for a restart).
    pub async fn stop_keeping_data(mut self) -> TempDir {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("server task");
        }
        self.dir.take().expect("data dir")
    }

    /// An absolute URL on this node.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Creates a token.
    pub async fn token(&self, role: Role, site: Option<&str>, name: &str) -> String {
        self.node
            .tokens
            .create(name, role, site)
            .await
            .expect("token")
            .0
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    /// Opens the console's sign-in form as a browser does before posting it: the `Cookie`
    /// header value to send back with the post, and the form's CSRF token (field `csrf`).
    pub async fn sign_in_form(&self) -> (String, String) {
        let r = self.get("/admin/sign-in").await;
        let cookie = r
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|c| c.to_str().ok())
            .find(|c| c.starts_with("govnode_sign_in="))
            .and_then(|c| c.split(';').next())
            .expect("the sign-in form sets its cookie")
            .to_string();
        let field = "name=\"csrf\" value=\"";
        let at = r.text.find(field).expect("a csrf field") + field.len();
        let csrf = r.text[at..]
            .split('"')
            .next()
            .expect("its value")
            .to_string();
        (cookie, csrf)
    }

    /// Creates a person holding `grants` whose first password is already changed (and an
    /// authenticator enrolled when the grants require one), and signs them in through the
    /// console's pages: the session cookie's value.
    pub async fn console_session(&self, login: &str, grants: &[govnode_accounts::Grant]) -> String {
        const FIRST: &str = "Chushi-Mima-2026";
        const PASSWORD: &str = "Ceshi-Mima-Qiang-77";
        let users = &self.node.app_state().users;
        let now = chrono::Utc::now().timestamp_millis();
        let new = govnode_accounts::NewUser {
            login: login.into(),
            display_name: "测试人员".into(),
            ..govnode_accounts::NewUser::default()
        };
        let user = users
            .create(
                &govnode_accounts::Access::operator("test"),
                &new,
                FIRST,
                grants,
                now,
            )
            .await
            .expect("user created");
        users
            .change_password(user.id, FIRST, PASSWORD, None, "127.0.0.1", now)
            .await
            .expect("password changed");
        let secret = if govnode_accounts::needs_second_factor(&user) {
            let enrolment = users.totp_begin(user.id, now).await.expect("enrolment");
            let secret = enrolment.secret.expose().to_string();
            // The previous step's code: the next sign-in's code must be a fresh one.
            let code = govnode_accounts::totp_code(&secret, now - 30_000).expect("code");
            users
                .totp_confirm(user.id, &code, now)
                .await
                .expect("confirmed");
            Some(secret)
        } else {
            None
        };
        let (cookie, csrf) = self.sign_in_form().await;
        let r = self
            .http
            .post(self.url("/admin/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(format!("csrf={csrf}&login={login}&password={PASSWORD}"))
            .send()
            .await
            .expect("sign-in");
        let mut session = session_cookie(&r).expect("a session");
        if let Some(secret) = secret {
            let page = self
                .http
                .get(self.url("/admin/sign-in/code"))
                .header("cookie", format!("govnode_session={session}"))
                .send()
                .await
                .expect("code form")
                .text()
                .await
                .expect("page");
            let field = "name=\"csrf\" value=\"";
            let at = page.find(field).expect("a csrf field") + field.len();
            let csrf = page[at..].split('"').next().expect("its value").to_string();
            let code = govnode_accounts::totp_code(&secret, chrono::Utc::now().timestamp_millis())
                .expect("code");
            let r = self
                .http
                .post(self.url("/admin/sign-in/code"))
                .header("cookie", format!("govnode_session={session}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("csrf={csrf}&code={code}"))
                .send()
                .await
                .expect("code");
            session = session_cookie(&r).expect("a signed-in session");
        }
        session
    }

    /// GET without a token.
    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None, None).await
    }

    /// GET with a Host header (host-based site routing).
    pub async fn get_host(&self, host: &str, path: &str) -> Reply {
        let resp = self
            .http
            .get(self.url(path))
            .header("host", host)
            .send()
            .await
            .expect("request");
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates a site as the platform admin (asserting success).
    pub async fn site(&self, id: &str, name: &str) -> Value {
        let r = self
            .post(
                "/api/admin/sites",
                &self.admin.clone(),
                json!({ "id": id, "name": name, "hosts": [format!("{id}.gov.test")], "owner_body": format!("{name}办公厅"), "body_code": format!("00{id}"), "region": "440000" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// Creates a column (asserting success).
    pub async fn column(&self, site: &str, slug: &str, name: &str, kind: &str) -> Value {
        let r = self
            .post(
                &format!("/api/admin/sites/{site}/columns"),
                &self.admin.clone(),
                json!({ "slug": slug, "name": name, "kind": kind }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// Editor and reviewer tokens for a site (different people).
    pub async fn staff(&self, site: &str) -> Staff {
        Staff {
            editor: self
                .token(Role::Editor, Some(site), &format!("{site}-editor"))
                .await,
            reviewer: self
                .token(Role::Reviewer, Some(site), &format!("{site}-reviewer"))
                .await,
        }
    }

    /// Creates an article as `staff.editor` and takes it through review to publication.
    /// Returns the published article.
    pub async fn publish(&self, site: &str, staff: &Staff, article: Value) -> Value {
        let r = self
            .post(
                &format!("/api/admin/sites/{site}/articles"),
                &staff.editor,
                article,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["id"].as_i64().expect("id");
        for (who, action) in [
            (&staff.editor, "submit"),
            (&staff.reviewer, "approve"),
            (&staff.reviewer, "publish"),
        ] {
            let r = self
                .post(
                    &format!("/api/admin/articles/{id}/{action}"),
                    who,
                    json!({}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text);
        }
        let a = self
            .call(
                Method::GET,
                &format!("/api/admin/articles/{id}"),
                Some(&staff.editor),
                None,
            )
            .await
            .json();
        assert_eq!(a["state"], "published");
        a
    }

    /// Searches through the JSON API.
    pub async fn search(&self, query: &str) -> Value {
        self.search_with(&[("q", query)]).await
    }

    /// Searches through the JSON API with any parameters (q, site, type, origin, page).
    pub async fn search_with(&self, params: &[(&str, &str)]) -> Value {
        let r = self
            .http
            .get(self.url("/api/search"))
            .query(params)
            .send()
            .await
            .expect("search");
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("search json")
    }
}

impl TestNode {
    /// Everything an admin request could create or change on `sites`, as the platform admin
    /// sees it: sites, columns, templates, articles with all revisions, the audit log, and
    /// the number of blob files on disk. Equal snapshots before and after a refused request
    /// prove the refusal changed nothing.
    pub async fn snapshot(&self, sites: &[&str]) -> Value {
        let get = |path: String| async move {
            let r = self.call(Method::GET, &path, Some(&self.admin), None).await;
            assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text);
            r.json()
        };
        let mut per_site = serde_json::Map::new();
        for site in sites {
            let mut articles = serde_json::Map::new();
            let list = get(format!("/api/admin/sites/{site}/articles")).await;
            for a in list.as_array().expect("articles") {
                let id = a["id"].as_i64().expect("id");
                let revisions = get(format!("/api/admin/articles/{id}/revisions")).await;
                articles.insert(
                    id.to_string(),
                    json!({ "article": a, "revisions": revisions }),
                );
            }
            per_site.insert(
                site.to_string(),
                json!({
                    "columns": get(format!("/api/admin/sites/{site}/columns")).await,
                    "templates": get(format!("/api/admin/sites/{site}/templates")).await,
                    "articles": articles,
                }),
            );
        }
        json!({
            "sites": get("/api/admin/sites".into()).await,
            "per_site": per_site,
            "audit": get("/api/admin/audit?limit=500".into()).await,
            "blob_files": count_files(&self.node.data_dir.join("blobs")),
        })
    }
}

fn count_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// An editor and a reviewer of one site.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Editor token.
    pub editor: String,
    /// Reviewer token.
    pub reviewer: String,
}

/// The real `govnode` binary, built by `cargo test` beside this test executable.
pub fn govnode_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test> → target/<profile>/govnode
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("govnode"))
        .expect("target dir");
    assert!(
        bin.exists(),
        "{} is missing: run the tests with `cargo test --workspace`, which builds it",
        bin.display()
    );
    bin
}

/// The shared corpus beside the checkout, when present (CI has it; a fresh clone may not).
pub fn shared_corpus(file: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(file);
    root.exists().then_some(root)
}

/// blake3 of bytes, hex (what blob hashes are).
pub fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A new HTTP client builder (with the TLS provider every client of the process needs).
pub fn http_client() -> reqwest::ClientBuilder {
    govnode::install_tls_provider();
    reqwest::Client::builder()
}

/// The session cookie an answer sets, if any.
fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find_map(|c| c.strip_prefix("govnode_session="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}
