//! The same admin routes called with staff session cookies: the same answers as the same
//! people's bearer tokens (one permission check for both), the `X-CSRF-Token` header on
//! every change and not on reads, and ended sessions (signed out, signed out elsewhere,
//! idle, past their absolute limit, disabled) refused on every route with nothing changed.

use govnode_accounts::{Access, Grant, NewUser, csrf_token, totp_code};

use super::*;

const FIRST_PASSWORD: &str = "Chushi-Mima-2026";
const NEW_PASSWORD: &str = "Xin-Mima-Qiang-77";
const MINUTE: i64 = 60_000;

/// A signed-in console session: the cookie's value and the session's CSRF token as the
/// console's pages give it.
#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {text}"))
        + start.len();
    let stop = text[at..].find(end).expect("the end") + at;
    &text[at..stop]
}

/// The session id a `Set-Cookie` of the answer gives, if any.
fn set_cookie(r: &Reply) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix("govnode_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .find(|v| !v.is_empty())
}

/// A console page or form post, with the session cookie if given. The values here (login
/// names, passwords, hex tokens, digits) need no percent-encoding.
async fn console(t: &TestNode, cookie: Option<&str>, path: &str, form: &[(&str, &str)]) -> Reply {
    let method = if form.is_empty() {
        Method::GET
    } else {
        Method::POST
    };
    let body = form
        .iter()
        .map(|(k, v)| {
            assert!(
                v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)),
                "{v}"
            );
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&");
    let body = if form.is_empty() {
        Body::Empty
    } else {
        Body::Raw("application/x-www-form-urlencoded", body.into_bytes())
    };
    let cookie = cookie.map(|c| format!("govnode_session={c}"));
    let headers: Vec<(&str, &str)> = cookie.iter().map(|c| ("cookie", c.as_str())).collect();
    send_with(t, &route(method, path, body), &headers).await
}

/// Posts the console's sign-in form as a browser does: opened first, its token sent back.
async fn sign_in(t: &TestNode, login: &str, password: &str) -> Reply {
    let (cookie, csrf) = t.sign_in_form().await;
    let body = format!("csrf={csrf}&login={login}&password={password}");
    let form = route(
        Method::POST,
        "/admin/sign-in",
        Body::Raw("application/x-www-form-urlencoded", body.into_bytes()),
    );
    send_with(t, &form, &[("cookie", cookie.as_str())]).await
}

/// Creates user `login` holding `grant` and signs them in through the console: the
/// password, the authenticator's enrolment when the grant needs a second factor, and the
/// forced change of the first password. Returns the session the browser ends up with.
async fn signed_in(t: &TestNode, login: &str, grant: Grant) -> Session {
    let user = NewUser {
        login: login.into(),
        display_name: format!("{login} 本人"),
        body: "广东省政务服务数据管理局".into(),
        ..NewUser::default()
    };
    t.node
        .app_state()
        .users
        .create(
            &Access::operator("test"),
            &user,
            FIRST_PASSWORD,
            &[grant],
            now_ms(),
        )
        .await
        .expect("user created");
    let r = sign_in(t, login, FIRST_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{login}: {}", r.text);
    let mut cookie = set_cookie(&r).expect("a session cookie");
    if r.header("location") == Some("/admin/sign-in/enrol") {
        let page = console(t, Some(&cookie), "/admin/sign-in/enrol", &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{login}: {}", page.text);
        let secret = between(&page.text, "<code id=\"secret\">", "</code>");
        let csrf = between(&page.text, "name=\"csrf\" value=\"", "\"");
        let code = totp_code(secret, now_ms()).expect("a code");
        let done = console(
            t,
            Some(&cookie),
            "/admin/sign-in/enrol",
            &[("csrf", csrf), ("code", &code)],
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{login}: {}", done.text);
        cookie = set_cookie(&done).expect("a new session id after the second factor");
    }
    let page = console(t, Some(&cookie), "/admin/password", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{login}: {}", page.text);
    let csrf = between(&page.text, "name=\"csrf\" value=\"", "\"");
    let changed = console(
        t,
        Some(&cookie),
        "/admin/password",
        &[
            ("csrf", csrf),
            ("current", FIRST_PASSWORD),
            ("new", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(
        changed.status,
        StatusCode::SEE_OTHER,
        "{login}: {}",
        changed.text
    );
    let cookie = set_cookie(&changed).expect("a new session id after the change");
    let home = console(t, Some(&cookie), "/admin/", &[]).await;
    assert_eq!(home.status, StatusCode::OK, "{login}: {}", home.text);
    let csrf = between(&home.text, "name=\"csrf\" value=\"", "\"").to_string();
    Session { cookie, csrf }
}

/// Calls `r` with the session cookie and, if given, an `X-CSRF-Token` header.
async fn as_session(t: &TestNode, r: &Route, cookie: &str, csrf: Option<&str>) -> Reply {
    let cookie = format!("govnode_session={cookie}");
    let mut headers = vec![("cookie", cookie.as_str())];
    if let Some(token) = csrf {
        headers.push(("x-csrf-token", token));
    }
    send_with(t, r, &headers).await
}

/// Whether `method` changes something (and so needs the CSRF header with a cookie).
fn changes(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The answer as far as permissions go: the status, and the error code of a refusal.
fn outcome(r: &Reply) -> String {
    if r.status.is_client_error() || r.status.is_server_error() {
        format!("{} {}", r.status.as_u16(), r.json()["error"])
    } else {
        r.status.as_u16().to_string()
    }
}

/// Two identical worlds; in one, each person calls every admin route with their bearer
/// token, in the other with their session cookie (and the CSRF header on changes), in the
/// same order. Every answer is the same, refusal or success, and so is what the calls left
/// behind (attributed to the same people).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_a_session_as_it_answers_the_same_persons_token() {
    let (tokens, cookies) = tokio::join!(world(), world());
    // Beyond the suite's roles: an auditor (read-only) and a body's handler.
    let auditor = tokens.t.token(Role::Auditor, None, "auditor").await;
    let handler = tokens
        .t
        .token(Role::Handler, Some("440000.czt"), "czt-handler")
        .await;
    // The people, in this order: refused the most first, the platform admin last. The
    // users have the tokens' names, so both worlds hold the same people.
    let people = [
        ("auditor", Grant::node(Role::Auditor), &auditor),
        ("czt-handler", Grant::body("440000.czt"), &handler),
        (
            "gz-editor",
            Grant::site(Role::Editor, "gz"),
            &tokens.gz.editor,
        ),
        (
            "gz-reviewer",
            Grant::site(Role::Reviewer, "gz"),
            &tokens.gz.reviewer,
        ),
        (
            "gz-admin",
            Grant::site(Role::SiteAdmin, "gz"),
            &tokens.gz_admin,
        ),
        (
            "gd-editor",
            Grant::site(Role::Editor, "gd"),
            &tokens.gd.editor,
        ),
        (
            "gd-reviewer",
            Grant::site(Role::Reviewer, "gd"),
            &tokens.gd.reviewer,
        ),
        (
            "gd-admin",
            Grant::site(Role::SiteAdmin, "gd"),
            &tokens.gd_admin,
        ),
        (
            "platform-admin",
            Grant::node(Role::PlatformAdmin),
            &tokens.t.admin,
        ),
    ];
    let mut sessions = Vec::new();
    for (login, grant, _) in &people {
        sessions.push(signed_in(&cookies.t, login, grant.clone()).await);
    }
    let by_token = tokens.all_routes();
    let by_cookie = cookies.all_routes();
    let mut mismatches = Vec::new();
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for ((login, _, token), session) in people.iter().zip(&sessions) {
        for (rt, rc) in by_token.iter().zip(&by_cookie) {
            let a = as_token(&tokens.t, rt, token).await;
            let csrf = changes(&rc.method).then_some(session.csrf.as_str());
            let b = as_session(&cookies.t, rc, &session.cookie, csrf).await;
            let (a, b) = (outcome(&a), outcome(&b));
            *seen.entry(a.clone()).or_default() += 1;
            // Neither an auditor nor a handler changes anything of a site.
            if ["auditor", "czt-handler"].contains(login) && changes(&rt.method) {
                assert_eq!(a, "403 \"forbidden\"", "{login} {}", rt.label());
            }
            if a != b {
                mismatches.push(format!("{login} {}: token {a}, session {b}", rt.label()));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "a session and a token of the same person were answered differently:\n{}",
        mismatches.join("\n")
    );
    // The comparison covered refusals and successes alike.
    let forbidden = seen.get("403 \"forbidden\"").copied().unwrap_or(0);
    let succeeded: usize = seen
        .iter()
        .filter(|(k, _)| k.starts_with('2'))
        .map(|(_, n)| n)
        .sum();
    assert!(forbidden >= 100 && succeeded >= 60, "{seen:?}");
    assert!(!seen.keys().any(|k| k.starts_with("401")), "{seen:?}");

    // What the calls left behind is the same in both worlds, down to who did it (the
    // platform admin's token has a name no login name can have).
    let by_sessions = cookies
        .snapshot()
        .await
        .to_string()
        .replace("\"platform-admin\"", "\"平台管理员\"");
    assert_eq!(
        comparable(tokens.snapshot().await),
        comparable(serde_json::from_str(&by_sessions).expect("json")),
        "the session calls did not do what the token calls did"
    );
    tokens.t.stop().await;
    cookies.t.stop().await;
}

/// A snapshot without what differs between two nodes doing the same things: times, and
/// the node's own keys and ids (none are expected, but times are everywhere).
fn comparable(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| !(k.ends_with("_ms") || k.ends_with("_at") || k == "at"))
                .map(|(k, v)| (k, comparable(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(comparable).collect()),
        other => other,
    }
}

/// A change authenticated by the session cookie needs the session's own CSRF token in
/// `X-CSRF-Token`: without it, with a made-up one or with another session's, every change
/// is refused and nothing changes; a read needs none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_cookie_needs_the_sessions_csrf_token_and_a_read_does_not() {
    let w = world().await;
    let t = &w.t;
    // The platform admin may do everything, so a refusal here is the CSRF check alone.
    let admin = signed_in(t, "platform-admin", Grant::node(Role::PlatformAdmin)).await;
    let other = signed_in(t, "gd-editor", Grant::site(Role::Editor, "gd")).await;
    assert_ne!(admin.csrf, other.csrf);
    let routes = w.all_routes();
    let before = w.snapshot().await;
    let made_up = "0".repeat(64);
    let mut changing = 0;
    for r in routes.iter().filter(|r| changes(&r.method)) {
        changing += 1;
        for (how, csrf, says) in [
            ("no X-CSRF-Token", None, "missing `X-CSRF-Token`"),
            (
                "a made-up token",
                Some(made_up.as_str()),
                "bad `X-CSRF-Token`",
            ),
            (
                "another session's token",
                Some(other.csrf.as_str()),
                "bad `X-CSRF-Token`",
            ),
            ("an empty token", Some(""), "bad `X-CSRF-Token`"),
        ] {
            let reply = as_session(t, r, &admin.cookie, csrf).await;
            let e = assert_error(
                &reply,
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{} with {how}", r.label()),
            );
            assert!(
                e["message"].as_str().is_some_and(|m| m.contains(says)),
                "{} with {how}: {e}",
                r.label()
            );
        }
    }
    assert!(
        changing >= 20,
        "the changing admin routes were tried: {changing}"
    );
    assert_eq!(
        w.snapshot().await,
        before,
        "a change without the session's CSRF token took effect"
    );
    for (id, state) in [
        (w.draft, "draft"),
        (w.submitted, "submitted"),
        (w.approved, "approved"),
        (w.published, "published"),
    ] {
        assert_eq!(w.state_of(id).await, state);
    }
    let r = t
        .post(
            "/api/admin/column-templates/county/apply",
            &t.admin,
            json!({ "site": "gd" }),
        )
        .await;
    assert_error(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        "the template set a refused PUT carried was not saved",
    );

    // Every read answers the cookie alone.
    let mut reads = 0;
    for r in routes.iter().filter(|r| !changes(&r.method)) {
        reads += 1;
        let reply = as_session(t, r, &admin.cookie, None).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}: {}",
            r.label(),
            reply.text
        );
    }
    assert!(reads >= 10, "the reading admin routes were tried: {reads}");

    // And with its own token, a change goes through, made by the person.
    let made = as_session(
        t,
        &route(
            Method::POST,
            "/api/admin/sites/gd/articles",
            Body::Json(json!({ "column": "news", "title": "会话写的", "body": "正文。" })),
        ),
        &admin.cookie,
        Some(&admin.csrf),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.json()["created_by"], "platform-admin", "{}", made.text);
    w.t.stop().await;
}

/// A session that has ended, however it ended, is refused on every admin route (401, the
/// API's error shape) and changes nothing, even with its CSRF token; the node's configured
/// time-outs are the ones applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_session_is_refused_on_every_route() {
    // Short time-outs, so the defaults (30 minutes, 12 hours) would not end these.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = govnode::Config::new("440000".parse().expect("node id"), "广东省");
    config.auth.idle_timeout_mins = 5;
    config.auth.absolute_timeout_hours = 1;
    let w = world_on(TestNode::start_in(config, dir).await).await;
    let t = &w.t;
    let sessions = t.node.app_state().sessions;
    let users = t.node.app_state().users;
    let editor = || Grant::site(Role::Editor, "gd");
    let mut ended: Vec<(&str, String, String)> = Vec::new();

    // Signed out with the console's button.
    let s = signed_in(t, "signed.out", editor()).await;
    let out = console(t, Some(&s.cookie), "/admin/sign-out", &[("csrf", &s.csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.text);
    ended.push(("signed out", s.cookie, s.csrf));

    // Signed out from another session of the same person ("sign out the others").
    let here = signed_in(t, "two.places", editor()).await;
    let r = sign_in(t, "two.places", NEW_PASSWORD).await;
    assert_eq!(r.header("location"), Some("/admin/"), "{}", r.text);
    let elsewhere = set_cookie(&r).expect("a second session");
    let home = console(t, Some(&elsewhere), "/admin/", &[]).await;
    let elsewhere_csrf = between(&home.text, "name=\"csrf\" value=\"", "\"").to_string();
    let r = console(
        t,
        Some(&here.cookie),
        "/admin/account/sign-out-others",
        &[("csrf", &here.csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    ended.push(("signed out elsewhere", elsewhere, elsewhere_csrf));

    // Signed out everywhere (every session of the person).
    let s = signed_in(t, "everywhere", editor()).await;
    let id = users.by_login("everywhere").await.unwrap().unwrap().id;
    assert_eq!(sessions.revoke_all(id, now_ms()).await.unwrap(), 1);
    ended.push(("signed out everywhere", s.cookie, s.csrf));

    // The account disabled by an administrator.
    let s = signed_in(t, "disabled", editor()).await;
    let id = users.by_login("disabled").await.unwrap().unwrap().id;
    users
        .set_state(
            &Access::operator("test"),
            id,
            govnode_accounts::UserState::Disabled,
            now_ms(),
        )
        .await
        .unwrap();
    ended.push(("disabled", s.cookie, s.csrf));

    // Idle for the configured 5 minutes: still there after 4, gone after 6.
    let s = signed_in(t, "idle", editor()).await;
    let at = now_ms();
    assert!(
        sessions
            .get(&s.cookie, at + 4 * MINUTE)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sessions
            .get(&s.cookie, at + 6 * MINUTE)
            .await
            .unwrap()
            .is_none()
    );
    ended.push(("idle", s.cookie, s.csrf));

    // Used every 4 minutes, it still ends an hour after sign-in (while its idle time-out,
    // 5 minutes after its last use, is still ahead).
    let s = signed_in(t, "absolute", editor()).await;
    let at = now_ms();
    for minutes in (4..=56).step_by(4).chain([58]) {
        assert!(
            sessions
                .touch(&s.cookie, at + minutes * MINUTE)
                .await
                .unwrap()
                .is_some(),
            "used at {minutes} minutes"
        );
    }
    assert!(
        sessions
            .touch(&s.cookie, at + 60 * MINUTE + MINUTE / 2)
            .await
            .unwrap()
            .is_none(),
        "past the absolute time-out"
    );
    ended.push(("past its absolute time-out", s.cookie, s.csrf));

    // Never a session: an unknown id, and not an id at all.
    let unknown = "ab".repeat(32);
    ended.push(("unknown", unknown.clone(), csrf_token(&unknown)));
    ended.push(("malformed", "not-a-session".into(), "x".into()));

    // The session that signed the others out still works.
    let r = as_session(
        t,
        &route(Method::GET, "/api/admin/sites/gd/articles", Body::Empty),
        &here.cookie,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let before = w.snapshot().await;
    for (how, cookie, csrf) in &ended {
        for r in w.all_routes() {
            let reply = as_session(t, &r, cookie, Some(csrf)).await;
            let e = assert_error(
                &reply,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                &format!("{} with a session {how}", r.label()),
            );
            assert!(
                e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("/admin/sign-in")),
                "{e}"
            );
        }
    }
    assert_eq!(
        w.snapshot().await,
        before,
        "a request with an ended session changed something"
    );
    w.t.stop().await;
}
