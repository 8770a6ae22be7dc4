//! No secret anywhere it could be read: after a whole life of an account (created by an
//! administrator, a wrong password, the password, the authenticator's enrolment, the forced
//! change, signing out and in again with a code, an API token of one's own, work through
//! the session and the token), no password, password hash, session id, TOTP secret,
//! recovery code or API token shows in a log line, an API answer, a console page, the
//! accounts' audit log, a federation entry or any file of the data directory but the
//! database that must hold them (hashed where it can).

use govnode_accounts::{AuditQuery, Grant, Role, totp_code};
use govnode_tests::{Method, StatusCode, TestNode};
use serde_json::json;
use sqlx::Row;

use super::browser::{Browser, between, csrf_of};
use super::{FIRST_PASSWORD, NEW_PASSWORD, logs, user};

const WRONG_PASSWORD: &str = "Cuowu-Mima-2026";

/// Every file under `dir` (recursively) but `skip`'s names.
fn files(dir: &std::path::Path, skip: &[&str], out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("data dir").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if skip.iter().any(|s| name.starts_with(s)) {
            continue;
        }
        if path.is_dir() {
            files(&path, skip, out);
        } else {
            out.push(path);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_shows_in_logs_answers_pages_audit_entries_or_files() {
    logs::capture();
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    user(&t, "qian.ba", &[Grant::node(Role::PlatformAdmin)]).await;
    let mut sessions: Vec<String> = Vec::new();
    let mut b = Browser::new(&t);

    // A wrong password first, then the right one, then the authenticator's enrolment.
    let r = b.sign_in("qian.ba", WRONG_PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = b.sign_in("qian.ba", FIRST_PASSWORD).await;
    assert_eq!(r.header("location"), Some("/admin/sign-in/enrol"));
    sessions.extend(b.cookie.clone());
    let page = b.get("/admin/sign-in/enrol").await;
    let totp_secret = between(&page.text, "<code id=\"secret\">", "</code>");
    let csrf = csrf_of(&page.text);
    let code = totp_code(&totp_secret, chrono::Utc::now().timestamp_millis()).unwrap();
    let done = b
        .post("/admin/sign-in/enrol", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let recovery: Vec<String> = done
        .text
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split("</code>").next().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10, "{}", done.text);
    sessions.extend(b.cookie.clone());

    // The forced change of the first password.
    let csrf = csrf_of(&b.get("/admin/password").await.text);
    let r = b
        .post(
            "/admin/password",
            &[
                ("csrf", &csrf),
                ("current", FIRST_PASSWORD),
                ("new", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    sessions.extend(b.cookie.clone());

    // Out, and in again with the password and a code.
    let csrf = csrf_of(&b.get("/admin/").await.text);
    let r = b.post("/admin/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = b.sign_in("qian.ba", NEW_PASSWORD).await;
    assert_eq!(r.header("location"), Some("/admin/sign-in/code"));
    sessions.extend(b.cookie.clone());
    let csrf = csrf_of(&b.get("/admin/sign-in/code").await.text);
    let code = totp_code(&totp_secret, chrono::Utc::now().timestamp_millis() + 30_000).unwrap();
    let r = b
        .post("/admin/sign-in/code", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(r.header("location"), Some("/admin/"), "{}", r.text);
    sessions.extend(b.cookie.clone());

    // An API token of one's own, and a command-line one.
    let state = t.node.app_state();
    let owner = state.users.by_login("qian.ba").await.unwrap().unwrap();
    let (own_token, _) = state
        .tokens
        .create_for_user(
            &owner.access(),
            "发布脚本",
            &[Grant::site(Role::Editor, "gd")],
            None,
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();
    let own_token = own_token.expose().to_string();
    let reviewer = t.token(Role::Reviewer, Some("gd"), "审核员").await;

    // Work through the session and the tokens: a published article (so entries exist).
    let home = b.get("/admin/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    let csrf = csrf_of(&home.text);
    let made = b
        .api(
            &t,
            Method::POST,
            "/api/admin/sites/gd/articles",
            Some(&csrf),
            Some(json!({ "column": "tzgg", "title": "会话写的通知", "body": "正文" })),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.json()["id"].as_i64().unwrap();
    let r = t
        .post(
            &format!("/api/admin/articles/{id}/submit"),
            &own_token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .post(
            &format!("/api/admin/articles/{id}/approve"),
            &reviewer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = b
        .api(
            &t,
            Method::POST,
            &format!("/api/admin/articles/{id}/publish"),
            Some(&csrf),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // What there is to read: pages, API answers (by session and by token), the accounts'
    // audit log, the federation's entries, the data directory's files, the log.
    let user_page = format!("/admin/users/{}", owner.id);
    for page in [
        "/admin/",
        "/admin/account",
        "/admin/password",
        "/admin/users",
        &user_page,
    ] {
        let r = b.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.text);
    }
    let mut read: Vec<(String, String)> = Vec::new();
    for path in [
        "/api/admin/sites",
        "/api/admin/audit?limit=500",
        "/api/admin/audit?site=gd",
        "/api/admin/sites/gd/articles",
        &format!("/api/admin/articles/{id}"),
        &format!("/api/admin/articles/{id}/revisions"),
        "/api/admin/search/history",
        "/api/admin/search/queries",
        "/api/admin/interaction/desks",
        "/api/federation/status",
        "/api/federation/digests",
        "/api/federation/topology",
    ] {
        let by_session = b.api(&t, Method::GET, path, None, None).await;
        assert_eq!(
            by_session.status,
            StatusCode::OK,
            "{path}: {}",
            by_session.text
        );
        let by_token = t.call(Method::GET, path, Some(&t.admin), None).await;
        assert_eq!(by_token.status, StatusCode::OK, "{path}: {}", by_token.text);
        read.push((format!("GET {path}"), by_token.text));
    }
    for path in ["/metrics", "/healthz", "/sites/gd/"] {
        let r = b.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    }
    for (n, page) in b.seen.iter().enumerate() {
        read.push((format!("page or answer #{n}"), page.clone()));
    }
    let audit = state
        .audit
        .list(
            &owner.access(),
            &AuditQuery {
                limit: Some(500),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(
        actions.iter().any(|a| a.starts_with("sign_in")) && audit.len() >= 5,
        "the flow was audited: {actions:?}"
    );
    read.push(("the accounts' audit log".into(), format!("{audit:?}")));
    let entries: Vec<Vec<u8>> = sqlx::query("SELECT entry FROM fed_entries")
        .fetch_all(&t.node.db.read)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<Vec<u8>, _>(0))
        .collect();
    assert!(
        entries.len() >= 3,
        "the site, its column and the article: {}",
        entries.len()
    );
    for (n, e) in entries.iter().enumerate() {
        read.push((
            format!("entry #{n}"),
            String::from_utf8_lossy(e).into_owned(),
        ));
    }
    let mut paths = Vec::new();
    // The database holds the hashes and the authenticator's secret by necessity; the node's
    // key is its own secret.
    files(&t.node.data_dir, &["govnode.db", "node.key"], &mut paths);
    assert!(paths.len() >= 3, "{paths:?}");
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        read.push((
            path.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let logged = logs::text();
    assert!(logged.lines().count() > 100, "the log was captured");
    read.push(("the log".into(), logged));

    // The secrets, from where they are kept.
    let mut secrets: Vec<(String, String)> = Vec::new();
    for (login, hash) in sqlx::query("SELECT login, password_hash FROM users")
        .fetch_all(&t.node.db.read)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
    {
        assert!(hash.starts_with("$argon2id$"), "{login}");
        let digest = hash.rsplit('$').next().unwrap().to_string();
        secrets.push((format!("{login}'s password hash"), hash.clone()));
        secrets.push((format!("{login}'s password digest"), digest));
    }
    secrets.push(("an argon2id hash".into(), "$argon2id$".into()));
    for (what, password) in [
        ("the first password", FIRST_PASSWORD),
        ("the new password", NEW_PASSWORD),
        ("a wrong password", WRONG_PASSWORD),
    ] {
        secrets.push((what.into(), password.into()));
    }
    assert_eq!(sessions.len(), 5, "every session id the browser held");
    for s in &sessions {
        secrets.push(("a session id".into(), s.clone()));
    }
    for (what, token) in [
        ("the user's API token", own_token.as_str()),
        ("a command-line token", reviewer.as_str()),
        ("the platform token", t.admin.as_str()),
    ] {
        secrets.push((what.into(), token.into()));
    }
    let enrolment = |text: &str| text.contains("<code id=\"secret\">");
    let recovery_page = |text: &str| text.matches("<li><code>").count() == 10;
    for (place, text) in &read {
        for (what, secret) in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{what} shows in {place}: {text}"
            );
        }
        // The authenticator's secret and the recovery codes only on the one page each
        // that shows them, once.
        assert!(
            !text.contains(&totp_secret) || enrolment(text),
            "the TOTP secret shows in {place}: {text}"
        );
        for code in &recovery {
            assert!(
                !text.contains(code.as_str()) || recovery_page(text),
                "a recovery code shows in {place}: {text}"
            );
        }
    }
    t.stop().await;
}
