//! Single sign-on (一号登录) against a real OpenID Connect provider (`oidc-provider` from
//! npm, run by Node.js: see provider.rs): a sign-in matched to a local user, the second
//! factor still asked of an administrator, a tampered nonce, an expired ID token, a token
//! of another issuer, a provisioned user without a grant, and local passwords switched off.

mod browser;
mod logs;
mod provider;

use browser::Browser;
use govnode::config::OidcSection;
use govnode::{Config, Node};
use govnode_accounts::{Access, AuditQuery, Grant, NewUser, Role, totp_code};
use govnode_tests::{StatusCode, TestNode};
use provider::{CLIENT_ID, CLIENT_SECRET, Provider};

/// A node whose `[auth.oidc]` names `provider`, adjusted by `adjust`; the provider then
/// learns the node's redirect URI.
async fn node_for(provider: &mut Provider, adjust: impl FnOnce(&mut Config)) -> TestNode {
    logs::capture();
    let mut config = Config::new("440000".parse().expect("id"), "广东省");
    config.auth.oidc = Some(OidcSection::new(&provider.issuer, CLIENT_ID, CLIENT_SECRET));
    adjust(&mut config);
    let t = TestNode::start_in(config, tempfile::tempdir().expect("dir")).await;
    provider.serve(&t.url("/admin/sign-in/oidc/callback")).await;
    t
}

/// Creates user `login` holding `grants` (with a local password it never uses here).
async fn user(node: &Node, login: &str, grants: &[Grant]) {
    let new = NewUser {
        login: login.into(),
        display_name: "李四".into(),
        body: "广东省政务服务数据管理局".into(),
        ..NewUser::default()
    };
    node.app_state()
        .users
        .create(
            &Access::operator("test"),
            &new,
            "Chushi-Mima-2026",
            grants,
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .expect("user created");
}

/// The audit log's actions, newest first.
async fn audit_actions(t: &TestNode) -> Vec<String> {
    t.node
        .app_state()
        .audit
        .list(&Access::operator("test"), &AuditQuery::default())
        .await
        .expect("audit")
        .into_iter()
        .map(|r| r.action)
        .collect()
}

/// No session cookie was given.
fn no_session(reply: &govnode_tests::Reply) {
    for set in reply.headers.get_all("set-cookie") {
        let set = set.to_str().expect("ascii");
        assert!(
            !set.starts_with("govnode_session=") || set.starts_with("govnode_session=;"),
            "{set}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_matches_a_local_user_and_administrators_still_need_their_second_factor() {
    let Some(mut p) = Provider::start(&[]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    user(&t.node, "wang.wu", &[Grant::node(Role::PlatformAdmin)]).await;

    // The sign-in page offers the provider, by its label, next to the password form.
    let mut b = Browser::new();
    let page = b.get(&t.url("/admin/sign-in")).await;
    assert!(
        page.text.contains("href=\"/admin/sign-in/oidc\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("使用统一身份认证平台登录"));
    assert!(page.text.contains("name=\"password\""));

    // The authorization request: code flow, PKCE S256, state and nonce.
    let (reply, callback) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", |url| {
            for part in [
                "response_type=code",
                "code_challenge_method=S256",
                "code_challenge=",
                "state=",
                "nonce=",
                "client_id=govnode-test",
            ] {
                assert!(url.contains(part), "{part} missing from {url}");
            }
            url.to_string()
        })
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/admin/"));
    let cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("govnode_session="))
        .expect("a session cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // The code and the token never reach a page or the cookie.
    assert!(!callback.contains("id_token"));
    let home = b.get(&t.url("/admin/")).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    assert!(home.text.contains("li.si"), "{}", home.text);
    assert!(audit_actions(&t).await.contains(&"sign_in.sso".to_string()));
    // The cookie binding the sign-in to this browser is gone with it.
    assert_eq!(b.cookie(&t.url("/"), "govnode_oidc"), None);

    // The callback's state is used once.
    let mut again = Browser::new();
    let replay = again.get(&callback).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.text);
    assert!(replay.text.contains("已过期或已使用"), "{}", replay.text);
    no_session(&replay);

    // An administrator signed in by the provider still sets up (then enters) the second
    // factor: not signed in before it.
    let mut admin = Browser::new();
    let (reply, _) = admin
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "wang.wu", str::to_string)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/admin/sign-in/enrol"));
    let home = admin.get(&t.url("/admin/")).await;
    assert_ne!(home.status, StatusCode::OK, "{}", home.text);
    let enrol = admin.get(&t.url("/admin/sign-in/enrol")).await;
    assert_eq!(enrol.status, StatusCode::OK, "{}", enrol.text);
    let secret = browser::between(&enrol.text, "<code id=\"secret\">", "</code>");
    let csrf = browser::between(&enrol.text, "name=\"csrf\" value=\"", "\"");
    let code = totp_code(&secret, chrono::Utc::now().timestamp_millis()).expect("code");
    let done = admin
        .post(
            &t.url("/admin/sign-in/enrol"),
            &[("csrf", csrf.as_str()), ("code", code.as_str())],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    // Signed in now; the password an administrator set is not asked to change in a
    // session no password opened.
    assert!(
        done.text.contains("href=\"&#x2f;admin&#x2f;\">"),
        "{}",
        done.text
    );
    let home = admin.get(&t.url("/admin/")).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    assert!(home.text.contains("wang.wu"), "{}", home.text);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_nonce_is_refused() {
    let Some(mut p) = Provider::start(&[]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    let mut b = Browser::new();
    // The nonce the provider puts in the ID token is not the one the node stored.
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", |url| {
            let at = url.find("nonce=").expect("nonce") + "nonce=".len();
            let end = url[at..].find('&').map_or(url.len(), |e| e + at);
            format!("{}tampered-nonce{}", &url[..at], &url[end..])
        })
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert!(reply.text.contains("一次性随机数"), "{}", reply.text);
    no_session(&reply);
    assert!(
        audit_actions(&t)
            .await
            .contains(&"sign_in.sso.fail".to_string())
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_id_token_is_refused() {
    // The provider's clock runs two hours behind: its ID tokens (valid one hour) are
    // already expired when they arrive.
    let Some(mut p) = Provider::start(&["--clock-shift-secs", "7200"]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    let mut b = Browser::new();
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", str::to_string)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert!(
        reply.text.contains("身份认证平台返回的身份令牌已过期"),
        "{}",
        reply.text
    );
    no_session(&reply);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_of_another_issuer_is_refused() {
    // The provider's own issuer identifier is another one than its discovery document
    // announces (provider.mjs --token-issuer): its tokens are, to the node, tokens of a
    // provider it does not trust, delivered by the one it does. Discovery passes (its
    // issuer is the configured one); the ID token's `iss` does not.
    let Some(mut p) = Provider::start(&["--token-issuer", "http://idp.other.example"]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    let mut b = Browser::new();
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", str::to_string)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert!(reply.text.contains("签发者"), "{}", reply.text);
    no_session(&reply);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provisioned_user_without_a_grant_is_told_to_ask_the_administrator() {
    let Some(mut p) = Provider::start(&[]).await else {
        return;
    };
    let t = node_for(&mut p, |c| {
        if let Some(o) = c.auth.oidc.as_mut() {
            o.provision_users = true;
        }
    })
    .await;
    let mut b = Browser::new();
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "zhang.san", str::to_string)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    assert!(reply.text.contains("尚未获得任何权限"), "{}", reply.text);
    assert!(reply.text.contains("管理员"), "{}", reply.text);
    no_session(&reply);
    let home = b.get(&t.url("/admin/")).await;
    assert_ne!(home.status, StatusCode::OK);
    // The user exists now, without grants, for an administrator to authorise.
    let users = t.node.app_state().users;
    let made = users
        .by_login("zhang.san")
        .await
        .expect("read")
        .expect("provisioned");
    assert!(made.grants.is_empty());
    assert_eq!(made.display_name, "张三");
    let actions = audit_actions(&t).await;
    assert!(
        actions.contains(&"user.provision".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"sign_in.sso.no_grants".to_string()),
        "{actions:?}"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_passwords_switched_off() {
    let Some(mut p) = Provider::start(&[]).await else {
        return;
    };
    let t = node_for(&mut p, |c| c.auth.local_passwords = false).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    let mut b = Browser::new();
    let page = b.get(&t.url("/admin/sign-in")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("name=\"password\""), "{}", page.text);
    assert!(
        page.text.contains("href=\"/admin/sign-in/oidc\""),
        "{}",
        page.text
    );
    // The right password is refused all the same, with the reason.
    let refused = b
        .post(
            &t.url("/admin/sign-in"),
            &[("login", "li.si"), ("password", "Chushi-Mima-2026")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert!(
        refused.text.contains("本节点已关闭本地密码登录"),
        "{}",
        refused.text
    );
    no_session(&refused);
    // The provider still signs people in.
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", str::to_string)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/admin/"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_in_another_browser_is_refused() {
    let Some(mut p) = Provider::start(&[]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    // Someone signs in at the provider and sends the callback link to a colleague (login
    // CSRF): the colleague's browser did not start that sign-in.
    let mut attacker = Browser::new();
    let callback = attacker
        .reach_callback(&t.url("/admin/sign-in/oidc"), "li.si", str::to_string)
        .await;
    let mut victim = Browser::new();
    let reply = victim.get(&callback).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert!(
        reply.text.contains("不是从本浏览器发起的"),
        "{}",
        reply.text
    );
    no_session(&reply);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_code_token_or_client_secret_is_logged() {
    let Some(mut p) = Provider::start(&[]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    let mut b = Browser::new();
    let (ok, callback) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", str::to_string)
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let mut other = Browser::new();
    let (refused, _) = other
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", |url| {
            url.replace("nonce=", "nonce=x")
        })
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let code = callback
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .expect("a code");
    let logged = logs::text();
    assert!(logged.contains("single sign-on refused"), "{logged}");
    assert!(
        logged.contains("staff signed in by single sign-on"),
        "{logged}"
    );
    for secret in [code, CLIENT_SECRET, "eyJ"] {
        assert!(!logged.contains(secret), "{secret} logged:\n{logged}");
    }
    let records = t
        .node
        .app_state()
        .audit
        .list(&Access::operator("test"), &AuditQuery::default())
        .await
        .expect("audit");
    for r in &records {
        let text = format!("{r:?}");
        assert!(!text.contains(code) && !text.contains("eyJ"), "{text}");
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_es256_id_token_signs_in() {
    let Some(mut p) = Provider::start(&["--alg", "ES256"]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    let mut b = Browser::new();
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", str::to_string)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/admin/"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_missing_from_the_id_token_is_read_from_userinfo() {
    // This provider keeps `preferred_username` out of its ID tokens: the node asks the
    // userinfo endpoint (same `sub`) for it.
    let Some(mut p) = Provider::start(&["--claims-in-userinfo"]).await else {
        return;
    };
    let t = node_for(&mut p, |_| {}).await;
    user(&t.node, "li.si", &[Grant::site(Role::Editor, "gd")]).await;
    let mut b = Browser::new();
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "li.si", str::to_string)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/admin/"));
    let home = b.get(&t.url("/admin/")).await;
    assert!(home.text.contains("li.si"), "{}", home.text);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_mapped_from_a_claim_except_platform_admin() {
    let Some(mut p) = Provider::start(&[]).await else {
        return;
    };
    let t = node_for(&mut p, |c| {
        if let Some(o) = c.auth.oidc.as_mut() {
            o.provision_users = true;
            o.scopes.push("govnode".into());
            o.grants_claim = Some("govnode_grants".into());
        }
    })
    .await;
    let mut b = Browser::new();
    let (reply, _) = b
        .sign_in_at_provider(&t.url("/admin/sign-in/oidc"), "zhao.liu", str::to_string)
        .await;
    // Provisioned with the claim's editor grant (no administrator's: no second factor).
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/admin/"));
    let made = t
        .node
        .app_state()
        .users
        .by_login("zhao.liu")
        .await
        .expect("read")
        .expect("provisioned");
    assert_eq!(made.grants, vec![Grant::site(Role::Editor, "gd")]);
    assert!(
        audit_actions(&t)
            .await
            .contains(&"grant.mapped".to_string())
    );
    t.stop().await;
}
