//! Staff sign-in through the console pages (`/admin/…`) and the session cookie on the API:
//! each security property asserted — one answer for a wrong password and an unknown login
//! name, the lock-out, the CSRF token on every state change, a new session id at every
//! step, the forced password change, TOTP enrolment, signing out, and no secret on a page.

mod account;
mod admin_users;
mod browser;
mod cli;
mod logs;
mod secrets;

use browser::{Browser, csrf_of};
use govnode_accounts::{Access, Grant, NewUser, totp_code};
use govnode_tests::{Method, StatusCode, TestNode};
use serde_json::json;

const FIRST_PASSWORD: &str = "Chushi-Mima-2026";
const NEW_PASSWORD: &str = "Xin-Mima-Qiang-77";

/// Creates user `login` holding `grants`, with the first password (to be changed).
async fn user(t: &TestNode, login: &str, grants: &[Grant]) {
    let new = NewUser {
        login: login.into(),
        display_name: "李四".into(),
        body: "广东省政务服务数据管理局".into(),
        ..NewUser::default()
    };
    t.node
        .app_state()
        .users
        .create(
            &Access::operator("test"),
            &new,
            FIRST_PASSWORD,
            grants,
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .expect("user created");
}

/// The sign-in page's error paragraph.
fn sign_in_error(page: &str) -> &str {
    let at = page
        .find("id=\"sign-in-error\"")
        .expect("an error paragraph");
    let end = page[at..].find("</p>").expect("its end") + at;
    &page[at..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_session_cookie_csrf_forced_change_and_sign_out() {
    logs::capture();
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    user(
        &t,
        "li.si",
        &[Grant::site(govnode_accounts::Role::Editor, "gd")],
    )
    .await;
    let mut b = Browser::new(&t);

    // The form: labelled fields, Chinese, no script.
    let form = b.get("/admin/sign-in").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text.contains("<label for=\"login\">登录名</label>"),
        "{}",
        form.text
    );
    assert!(form.text.contains("lang=\"zh-CN\"") && !form.text.contains("<script"));

    // A wrong password and an unknown login name get one and the same answer.
    let wrong = b.sign_in("li.si", "Wrong-Password-1").await;
    let unknown = b.sign_in("nobody.here", "Wrong-Password-1").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(sign_in_error(&wrong.text), sign_in_error(&unknown.text));
    assert!(wrong.text.contains("登录名或密码错误"));
    assert!(wrong.text.contains("aria-describedby=\"sign-in-error\""));
    assert!(b.cookie.is_none(), "no session for a wrong password");

    // A sign-in form posted from another site is refused (login CSRF).
    let forged = t
        .http
        .post(t.url("/admin/sign-in"))
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("login=li.si&password={FIRST_PASSWORD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get("set-cookie").is_none());
    // Without an `Origin` (older browsers, privacy settings) the form's own token decides:
    // a post without the sign-in form's cookie and token, or with the token another browser
    // was given, signs nobody in.
    let mut other = Browser::new(&t);
    let others_token = other.sign_in_token().await;
    for body in [
        format!("login=li.si&password={FIRST_PASSWORD}"),
        format!("csrf={others_token}&login=li.si&password={FIRST_PASSWORD}"),
    ] {
        let r = t
            .http
            .post(t.url("/admin/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{body}");
        assert!(
            !r.headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("govnode_session=")),
            "no session for {body}"
        );
        assert!(r.text().await.unwrap().contains("登录页面已过期"));
    }

    // The right password: a session cookie with its flags, then the forced change.
    let ok = b.sign_in("li.si", FIRST_PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(ok.header("location"), Some("/admin/password"));
    let set = ok.header("set-cookie").expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(flag), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http: {set}");
    let first = b.cookie.clone().expect("session id");
    let home = b.get("/admin/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.header("location"), Some("/admin/password"));
    let api = b
        .api(&t, Method::GET, "/api/admin/sites/gd/articles", None, None)
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN, "{}", api.text);
    assert!(
        api.text.contains("password must be changed"),
        "{}",
        api.text
    );

    // Changing it: the CSRF token is required, mismatches and weak passwords are named.
    let page = b.get("/admin/password").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page.text);
    let no_token = b
        .post(
            "/admin/password",
            &[
                ("current", FIRST_PASSWORD),
                ("new", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(no_token.text.contains("CSRF"), "{}", no_token.text);
    let mismatch = b
        .post(
            "/admin/password",
            &[
                ("csrf", &csrf),
                ("current", FIRST_PASSWORD),
                ("new", NEW_PASSWORD),
                ("confirm", "Something-Else-9"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(
        mismatch.text.contains("aria-describedby=\"confirm-error\""),
        "{}",
        mismatch.text
    );
    let weak = b
        .post(
            "/admin/password",
            &[
                ("csrf", &csrf),
                ("current", FIRST_PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(
        weak.text.contains("new-error") && weak.text.contains("密码至少"),
        "{}",
        weak.text
    );
    let changed = b
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
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
    let second = b.cookie.clone().expect("session id");
    assert_ne!(first, second, "the change gives the session a new id");
    let stale = Browser::with_cookie(&t, &first).get("/admin/").await;
    assert_eq!(
        stale.header("location"),
        Some("/admin/sign-in"),
        "the old id is dead"
    );

    // The landing page names the person and their grants in Chinese.
    let home = b.get("/admin/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    assert!(
        home.text.contains("李四") && home.text.contains("编辑（广东省人民政府）"),
        "{}",
        home.text
    );
    let csrf = csrf_of(&home.text);

    // The API takes the cookie; a change needs the session's CSRF token in the header.
    let article = json!({ "column": "tzgg", "title": "会话创建的通知", "body": "正文" });
    let bare = b
        .api(
            &t,
            Method::POST,
            "/api/admin/sites/gd/articles",
            None,
            Some(article.clone()),
        )
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN, "{}", bare.text);
    assert!(
        bare.text.contains("missing `X-CSRF-Token`"),
        "{}",
        bare.text
    );
    let bad = b
        .api(
            &t,
            Method::POST,
            "/api/admin/sites/gd/articles",
            Some(&"0".repeat(64)),
            Some(article.clone()),
        )
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    assert!(bad.text.contains("bad `X-CSRF-Token`"), "{}", bad.text);
    let made = b
        .api(
            &t,
            Method::POST,
            "/api/admin/sites/gd/articles",
            Some(&csrf),
            Some(article),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(
        made.json()["created_by"],
        "li.si",
        "the person, not a token: {}",
        made.text
    );
    let listed = b
        .api(&t, Method::GET, "/api/admin/sites/gd/articles", None, None)
        .await;
    assert_eq!(
        listed.status,
        StatusCode::OK,
        "a read needs no CSRF token: {}",
        listed.text
    );
    // The same permission rules as tokens: an editor of gd may not create sites.
    let site = b
        .api(&t, Method::POST, "/api/admin/sites", Some(&csrf), Some(json!({ "id": "sz", "name": "深圳市人民政府", "hosts": ["sz.gov.test"], "owner_body": "深圳市人民政府办公厅", "body_code": "00sz", "region": "440000" })))
        .await;
    assert_eq!(site.status, StatusCode::FORBIDDEN, "{}", site.text);

    // My account: sessions and tokens.
    let account = b.get("/admin/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.text.contains("当前会话"), "{}", account.text);

    // No page carries the session id or a password.
    for text in b.seen.iter() {
        for secret in [
            first.as_str(),
            second.as_str(),
            FIRST_PASSWORD,
            NEW_PASSWORD,
        ] {
            assert!(!text.contains(secret), "a page shows a secret: {text}");
        }
    }

    // Signing out ends the session: the cookie goes, the id is dead on pages and the API.
    let no_csrf = b.post("/admin/sign-out", &[]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let out = b.post("/admin/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.header("set-cookie")
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    let after = Browser::with_cookie(&t, &second)
        .api(&t, Method::GET, "/api/admin/sites/gd/articles", None, None)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.text);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_the_login_name_even_for_the_right_password() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    user(
        &t,
        "wang.wu",
        &[Grant::site(govnode_accounts::Role::Editor, "gd")],
    )
    .await;
    let mut b = Browser::new(&t);
    for _ in 0..5 {
        let r = b.sign_in("wang.wu", "Wrong-Password-1").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let locked = b.sign_in("wang.wu", FIRST_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "{}", locked.text);
    assert!(locked.text.contains("已锁定"), "{}", locked.text);
    assert!(b.cookie.is_none(), "no session while locked");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_enrol_an_authenticator_and_sign_in_with_its_codes() {
    logs::capture();
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    user(
        &t,
        "zhao.admin",
        &[Grant::site(govnode_accounts::Role::SiteAdmin, "gd")],
    )
    .await;
    let mut b = Browser::new(&t);
    let r = b.sign_in("zhao.admin", FIRST_PASSWORD).await;
    assert_eq!(
        r.header("location"),
        Some("/admin/sign-in/enrol"),
        "{}",
        r.text
    );
    let pending = b.cookie.clone().unwrap();
    // Half signed in: neither the console nor the API answers.
    let api = b
        .api(&t, Method::GET, "/api/admin/sites/gd/articles", None, None)
        .await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);

    let page = b.get("/admin/sign-in/enrol").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("<svg"), "an inline QR code");
    let secret = browser::between(&page.text, "<code id=\"secret\">", "</code>");
    let csrf = csrf_of(&page.text);
    let wrong = b
        .post(
            "/admin/sign-in/enrol",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.text);
    // The wrong code showed a new secret; confirm with it.
    let secret2 = browser::between(&wrong.text, "<code id=\"secret\">", "</code>");
    assert_ne!(secret, secret2);
    let now = chrono::Utc::now().timestamp_millis();
    let code = totp_code(&secret2, now).unwrap();
    let done = b
        .post("/admin/sign-in/enrol", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(
        done.text.matches("<li><code>").count(),
        10,
        "ten recovery codes: {}",
        done.text
    );
    let signed_in = b.cookie.clone().unwrap();
    assert_ne!(
        pending, signed_in,
        "a new session id after the second factor"
    );
    let fixation = Browser::with_cookie(&t, &pending).get("/admin/").await;
    assert_eq!(fixation.header("location"), Some("/admin/sign-in"));

    // The forced change, then signing out and in again with a code.
    let page = b.get("/admin/password").await;
    let csrf = csrf_of(&page.text);
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
    let home = b.get("/admin/").await;
    assert!(
        home.text.contains("站点管理员（广东省人民政府）"),
        "{}",
        home.text
    );
    let out = b
        .post("/admin/sign-out", &[("csrf", &csrf_of(&home.text))])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    b.cookie = None;
    let r = b.sign_in("zhao.admin", NEW_PASSWORD).await;
    assert_eq!(
        r.header("location"),
        Some("/admin/sign-in/code"),
        "{}",
        r.text
    );
    let page = b.get("/admin/sign-in/code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let csrf = csrf_of(&page.text);
    let bad = b
        .post(
            "/admin/sign-in/code",
            &[("csrf", &csrf), ("code", "123456")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED, "{}", bad.text);
    // The enrolment used this step's code: the next step's is accepted (±1 step).
    let code = totp_code(&secret2, chrono::Utc::now().timestamp_millis() + 30_000).unwrap();
    let ok = b
        .post("/admin/sign-in/code", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(ok.header("location"), Some("/admin/"));
    let home = b.get("/admin/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    let logged = logs::text();
    for text in b.seen.iter().chain([&logged]) {
        for secret in [pending.as_str(), &signed_in, NEW_PASSWORD, FIRST_PASSWORD] {
            assert!(!text.contains(secret), "a secret shows: {text}");
        }
        // The authenticator's secret only on the enrolment page that shows it.
        assert!(!text.contains(&secret2) || text.contains("<code id=\"secret\">"));
    }
    assert!(!logged.contains(&secret2), "the TOTP secret is logged");
    t.stop().await;
}
