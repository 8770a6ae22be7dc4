//! 用户管理 and the rest of 我的账号 through the pages: a platform admin creates an account
//! (the person must change the password), a site admin grants on their own site only and
//! never changes their own grants, people who administer nothing get 403, a form without
//! its CSRF token changes nothing; one's own API token carries only the grants chosen,
//! recovery codes are renewed and an authenticator removed where the grants allow.

use govnode_accounts::{Grant, Role, UserState, totp_code};
use govnode_tests::{Method, StatusCode, TestNode};

use super::browser::{Browser, between, csrf_of};
use super::{FIRST_PASSWORD, NEW_PASSWORD, user};

/// A signed-in person: their browser, id, and (when enrolled) the authenticator's secret
/// and recovery codes.
struct Person {
    b: Browser,
    id: i64,
    secret: Option<String>,
    codes: Vec<String>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Creates `login` with `grants`, their own password set, an authenticator when `enrol`
/// (confirmed with the previous step's code, so the sign-in's code is a later step), and
/// signs them in through the pages.
async fn signed_in(t: &TestNode, login: &str, grants: &[Grant], enrol: bool) -> Person {
    user(t, login, grants).await;
    let state = t.node.app_state();
    let u = state.users.by_login(login).await.unwrap().unwrap();
    state
        .users
        .change_password(u.id, FIRST_PASSWORD, NEW_PASSWORD, None, "127.0.0.1", now())
        .await
        .unwrap();
    let (mut secret, mut codes) = (None, Vec::new());
    if enrol {
        let e = state.users.totp_begin(u.id, now()).await.unwrap();
        let s = e.secret.expose().to_string();
        let code = totp_code(&s, now() - 30_000).unwrap();
        let (rc, _) = state.users.totp_confirm(u.id, &code, now()).await.unwrap();
        codes = rc.expose().iter().map(|c| c.to_string()).collect();
        secret = Some(s);
    }
    let mut b = Browser::new(t);
    let r = b.sign_in(login, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    if let Some(s) = &secret {
        assert_eq!(r.header("location"), Some("/admin/sign-in/code"));
        let page = b.get("/admin/sign-in/code").await;
        let csrf = csrf_of(&page.text);
        let code = totp_code(s, now()).unwrap();
        let r = b
            .post("/admin/sign-in/code", &[("csrf", &csrf), ("code", &code)])
            .await;
        assert_eq!(r.header("location"), Some("/admin/"), "{}", r.text);
    } else {
        assert_eq!(r.header("location"), Some("/admin/"), "{}", r.text);
    }
    Person {
        b,
        id: u.id,
        secret,
        codes,
    }
}

/// A CSRF token of `b`'s session.
async fn page_csrf(b: &mut Browser) -> String {
    csrf_of(&b.get("/admin/").await.text)
}

async fn grants_of(t: &TestNode, id: i64) -> Vec<Grant> {
    t.node
        .app_state()
        .users
        .get(id)
        .await
        .unwrap()
        .unwrap()
        .grants
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_admin_creates_an_account_that_must_change_its_password() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gz", "广州市人民政府").await;
    let mut root = signed_in(&t, "root.admin", &[Grant::node(Role::PlatformAdmin)], true).await;
    let home = root.b.get("/admin/").await;
    assert!(
        home.text.contains("<a href=\"/admin/users\">用户管理</a>"),
        "{}",
        home.text
    );
    let form = root.b.get("/admin/users/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    for label in [
        "<label for=\"login\">登录名</label>",
        "<option value=\"editor\">信息编辑</option>",
        "<option value=\"gz\">广州市人民政府</option>",
    ] {
        assert!(form.text.contains(label), "{label}: {}", form.text);
    }
    let csrf = csrf_of(&form.text);
    let fields = [
        ("login", "Zhang.Bian"),
        ("display_name", "张编辑"),
        ("body", "广州市人民政府办公厅"),
        ("phone", "020-8888 6666"),
        ("email", "zhang@gz.gov.cn"),
        ("password_mode", "generate"),
        ("role", "editor"),
        ("site", "gz"),
        ("columns", ""),
    ];

    // Without the CSRF token: refused, nothing created.
    let forged = root.b.post("/admin/users/new", &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.text.contains("CSRF"), "{}", forged.text);
    let state = t.node.app_state();
    assert!(state.users.by_login("zhang.bian").await.unwrap().is_none());

    // A weak typed password is named; the form keeps what was typed.
    let mut weak: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .filter(|(k, _)| *k != "password_mode")
        .collect();
    weak.extend([
        ("csrf", csrf.as_str()),
        ("password_mode", "set"),
        ("password", "short"),
    ]);
    let r = root.b.post("/admin/users/new", &weak).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.text.contains("密码至少") && r.text.contains("value=\"张编辑\""),
        "{}",
        r.text
    );

    // Generated: shown once, with the warning; the account has the grant.
    let mut good = fields.to_vec();
    good.push(("csrf", &csrf));
    let made = root.b.post("/admin/users/new", &good).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    assert!(made.text.contains("只显示这一次"), "{}", made.text);
    let password = between(&made.text, "<code id=\"shown-once\">", "</code>");
    let zhang = state.users.by_login("zhang.bian").await.unwrap().unwrap();
    assert_eq!(zhang.grants, vec![Grant::site(Role::Editor, "gz")]);
    assert!(zhang.must_change_password);

    // Its page: names, not ids; the list finds it by name and state.
    let page = root.b.get(&format!("/admin/users/{}", zhang.id)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("编辑（广州市人民政府）") && page.text.contains("正常"),
        "{}",
        page.text
    );
    assert!(!page.text.contains(&password), "shown once only");
    let list = root.b.get("/admin/users?q=%E5%BC%A0").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(
        list.text.contains(">zhang.bian</a>") && !list.text.contains(">root.admin</a>"),
        "{}",
        list.text
    );
    let disabled = root.b.get("/admin/users?state=disabled").await;
    assert!(!disabled.text.contains("zhang.bian"), "{}", disabled.text);

    // The person signs in with it and must change it first.
    let mut zb = Browser::new(&t);
    let r = zb.sign_in("zhang.bian", &password).await;
    assert_eq!(r.header("location"), Some("/admin/password"), "{}", r.text);
    assert_eq!(
        zb.get("/admin/").await.header("location"),
        Some("/admin/password")
    );

    // A reset password is shown once and ends their session; so does signing them out.
    let csrf = csrf_of(&page.text);
    let reset = root
        .b
        .post(
            &format!("/admin/users/{}/password", zhang.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    let second = between(&reset.text, "<code id=\"shown-once\">", "</code>");
    assert_ne!(second, password);
    assert_eq!(
        zb.get("/admin/password").await.header("location"),
        Some("/admin/sign-in")
    );
    let r = zb.sign_in("zhang.bian", &second).await;
    assert_eq!(r.header("location"), Some("/admin/password"), "{}", r.text);
    let r = root
        .b
        .post(
            &format!("/admin/users/{}/sign-out", zhang.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let notice = root.b.get(r.header("location").unwrap()).await;
    assert!(
        notice.text.contains("已退出该人员的全部会话"),
        "{}",
        notice.text
    );
    assert_eq!(
        zb.get("/admin/password").await.header("location"),
        Some("/admin/sign-in")
    );

    // A platform admin gives any role, and locks the account.
    let r = root
        .b
        .post(
            &format!("/admin/users/{}/grants", zhang.id),
            &[
                ("csrf", &csrf),
                ("role", "reviewer"),
                ("site", "gd"),
                ("columns", "tzgg"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(
        grants_of(&t, zhang.id)
            .await
            .contains(&Grant::site(Role::Reviewer, "gd").in_columns(&["tzgg"]))
    );
    let r = root
        .b
        .post(
            &format!("/admin/users/{}/state", zhang.id),
            &[("csrf", &csrf), ("state", "locked")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let locked = state.users.get(zhang.id).await.unwrap().unwrap();
    assert_eq!(locked.state, UserState::Locked);
    let page = root.b.get(&format!("/admin/users/{}", zhang.id)).await;
    assert!(page.text.contains("已锁定"), "{}", page.text);

    // The profile: changed, or refused naming the field.
    let profile = format!("/admin/users/{}/profile", zhang.id);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("display_name", "张晓编辑"),
        ("body", "广州市人民政府办公厅"),
        ("phone", "020-1234 5678"),
        ("email", "not-an-address"),
    ];
    let r = root.b.post(&profile, &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("电子邮箱格式不正确"), "{}", r.text);
    fields[4].1 = "zhangx@gz.gov.cn";
    let r = root.b.post(&profile, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let u = state.users.get(zhang.id).await.unwrap().unwrap();
    assert_eq!(
        (u.display_name.as_str(), u.email.as_str()),
        ("张晓编辑", "zhangx@gz.gov.cn")
    );

    // Nobody locks their own account.
    let own = root
        .b
        .post(
            &format!("/admin/users/{}/state", root.id),
            &[("csrf", &csrf), ("state", "disabled")],
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.text);
    assert!(own.text.contains("不能停用、锁定"), "{}", own.text);

    // No page showed a password hash or a TOTP secret.
    let secret = root.secret.clone().unwrap();
    for text in root.b.seen.iter() {
        assert!(!text.contains("$argon2"), "a password hash shows: {text}");
        assert!(!text.contains(&secret), "the TOTP secret shows: {text}");
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_admin_grants_on_their_own_site_only_and_never_to_themselves() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gz", "广州市人民政府").await;
    user(&t, "xu.bian", &[Grant::site(Role::Reviewer, "gd")]).await;
    user(&t, "gz.bian", &[Grant::site(Role::Editor, "gz")]).await;
    let state = t.node.app_state();
    let xu = state.users.by_login("xu.bian").await.unwrap().unwrap().id;
    let gz = state.users.by_login("gz.bian").await.unwrap().unwrap().id;
    let mut admin = signed_in(&t, "gd.admin", &[Grant::site(Role::SiteAdmin, "gd")], true).await;

    // The people of their site, not those of another.
    let list = admin.b.get("/admin/users").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(
        list.text.contains("xu.bian") && !list.text.contains("gz.bian"),
        "{}",
        list.text
    );
    let hidden = admin.b.get(&format!("/admin/users/{gz}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.text);
    let other = admin.b.get("/admin/users?site=gz").await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.text);

    // The form offers editor and reviewer on their own site.
    let page = admin.b.get(&format!("/admin/users/{xu}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text
            .contains("<option value=\"gd\">广东省人民政府</option>")
    );
    assert!(
        !page.text.contains("<option value=\"gz\">"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("<option value=\"platform-admin\">"));
    let csrf = csrf_of(&page.text);
    let path = format!("/admin/users/{xu}/grants");

    // Editor on their site: given.
    let ok = admin
        .b
        .post(
            &path,
            &[("csrf", &csrf), ("role", "editor"), ("site", "gd")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let after = admin.b.get(ok.header("location").unwrap()).await;
    assert!(
        after.text.contains("已添加授权") && after.text.contains("编辑（广东省人民政府）"),
        "{}",
        after.text
    );
    let before = grants_of(&t, xu).await;
    assert!(before.contains(&Grant::site(Role::Editor, "gd")));

    // Another site: refused in Chinese, naming the site; nothing changed.
    let r = admin
        .b
        .post(
            &path,
            &[("csrf", &csrf), ("role", "editor"), ("site", "gz")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(
        r.text
            .contains("站点管理员只能管理本站点的授权，“广州市人民政府”不是您管理的站点"),
        "{}",
        r.text
    );
    assert_eq!(grants_of(&t, xu).await, before);
    // A role a site admin does not give.
    let r = admin
        .b
        .post(
            &path,
            &[("csrf", &csrf), ("role", "site-admin"), ("site", "gd")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("站点管理员只能授予"), "{}", r.text);
    assert_eq!(grants_of(&t, xu).await, before);

    // Without the CSRF token: refused, nothing changed.
    let r = admin
        .b
        .post(
            &format!("/admin/users/{xu}/grants/revoke"),
            &[("role", "editor"), ("scope", "gd")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("CSRF"), "{}", r.text);
    assert_eq!(grants_of(&t, xu).await, before);
    // With it: revoked.
    let r = admin
        .b
        .post(
            &format!("/admin/users/{xu}/grants/revoke"),
            &[("csrf", &csrf), ("role", "editor"), ("scope", "gd")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        grants_of(&t, xu).await,
        vec![Grant::site(Role::Reviewer, "gd")]
    );

    // Their own grants: refused, whatever the form says.
    let own_page = admin.b.get(&format!("/admin/users/{}", admin.id)).await;
    assert_eq!(own_page.status, StatusCode::OK, "{}", own_page.text);
    assert!(
        own_page.text.contains("不能修改自己的授权"),
        "{}",
        own_page.text
    );
    let mine = grants_of(&t, admin.id).await;
    for (target, fields) in [
        (
            format!("/admin/users/{}/grants", admin.id),
            vec![("csrf", csrf.as_str()), ("role", "editor"), ("site", "gd")],
        ),
        (
            format!("/admin/users/{}/grants/revoke", admin.id),
            vec![
                ("csrf", csrf.as_str()),
                ("role", "site-admin"),
                ("scope", "gd"),
            ],
        ),
    ] {
        let r = admin.b.post(&target, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert!(r.text.contains("不能修改自己的授权"), "{}", r.text);
    }
    assert_eq!(grants_of(&t, admin.id).await, mine);

    // An invitation to their site through the form.
    let r = admin
        .b
        .post(
            "/admin/users/new",
            &[
                ("csrf", &csrf),
                ("login", "he.shen"),
                ("display_name", "何审核"),
                ("password_mode", "generate"),
                ("role", "reviewer"),
                ("site", "gd"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let he = state.users.by_login("he.shen").await.unwrap().unwrap();
    assert_eq!(he.grants, vec![Grant::site(Role::Reviewer, "gd")]);
    // ... but not to another site.
    let r = admin
        .b
        .post(
            "/admin/users/new",
            &[
                ("csrf", &csrf),
                ("login", "wu.bian"),
                ("display_name", "吴编辑"),
                ("password_mode", "generate"),
                ("role", "editor"),
                ("site", "gz"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(
        r.text.contains("“广州市人民政府”不是您管理的站点"),
        "{}",
        r.text
    );
    assert!(state.users.by_login("wu.bian").await.unwrap().is_none());

    // The account of someone of their site: disabled.
    let r = admin
        .b
        .post(
            &format!("/admin/users/{xu}/state"),
            &[("csrf", &csrf), ("state", "disabled")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let disabled = state.users.get(xu).await.unwrap().unwrap();
    assert_eq!(disabled.state, UserState::Disabled);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_who_administer_nothing_get_403() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    user(&t, "xu.bian", &[Grant::site(Role::Reviewer, "gd")]).await;
    let xu = t
        .node
        .app_state()
        .users
        .by_login("xu.bian")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut editor = signed_in(&t, "ma.bian", &[Grant::site(Role::Editor, "gd")], false).await;
    let home = editor.b.get("/admin/").await;
    assert!(!home.text.contains("用户管理"), "{}", home.text);
    for path in [
        "/admin/users".to_string(),
        "/admin/users/new".into(),
        format!("/admin/users/{xu}"),
    ] {
        let r = editor.b.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text);
        assert!(
            r.text
                .contains("只有平台管理员或站点管理员可以管理人员和授权"),
            "{}",
            r.text
        );
    }
    let csrf = page_csrf(&mut editor.b).await;
    let r = editor
        .b
        .post(
            &format!("/admin/users/{xu}/grants"),
            &[("csrf", &csrf), ("role", "editor"), ("site", "gd")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        grants_of(&t, xu).await,
        vec![Grant::site(Role::Reviewer, "gd")]
    );
    // Signed out: the sign-in page.
    let mut nobody = Browser::new(&t);
    assert_eq!(
        nobody.get("/admin/users").await.header("location"),
        Some("/admin/sign-in")
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_token_carries_only_the_grants_i_choose() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gz", "广州市人民政府").await;
    let mut me = signed_in(
        &t,
        "lin.bian",
        &[
            Grant::site(Role::Editor, "gd"),
            Grant::site(Role::Editor, "gz"),
        ],
        false,
    )
    .await;
    let page = me.b.get("/admin/account").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("value=\"editor@gd\"") && page.text.contains("编辑（广州市人民政府）"),
        "{}",
        page.text
    );
    let csrf = csrf_of(&page.text);
    // Refusals: no grant, a grant not one's own, an expiry out of range.
    for (fields, status, text) in [
        (
            vec![("csrf", csrf.as_str()), ("label", "x"), ("days", "30")],
            StatusCode::BAD_REQUEST,
            "请至少选择一项权限",
        ),
        (
            vec![
                ("csrf", csrf.as_str()),
                ("grant", "site-admin@gd"),
                ("days", "30"),
            ],
            StatusCode::FORBIDDEN,
            "只能从您本人的授权中选择",
        ),
        (
            vec![
                ("csrf", csrf.as_str()),
                ("grant", "editor@gd"),
                ("days", "366"),
            ],
            StatusCode::BAD_REQUEST,
            "有效期须为 1 至 365 天",
        ),
        (
            vec![("grant", "editor@gd"), ("days", "30")],
            StatusCode::FORBIDDEN,
            "CSRF",
        ),
    ] {
        let r = me.b.post("/admin/account/tokens", &fields).await;
        assert_eq!(r.status, status, "{}", r.text);
        assert!(r.text.contains(text), "{text}: {}", r.text);
    }
    let state = t.node.app_state();
    assert!(state.tokens.list_for_user(me.id).await.unwrap().is_empty());

    let made =
        me.b.post(
            "/admin/account/tokens",
            &[
                ("csrf", &csrf),
                ("label", "发布脚本"),
                ("grant", "editor@gd"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    assert!(
        made.text.contains("只显示这一次") && made.text.contains("编辑（广东省人民政府）"),
        "{}",
        made.text
    );
    let token = between(&made.text, "<code id=\"shown-once\">", "</code>");
    let gd = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/articles",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(gd.status, StatusCode::OK, "{}", gd.text);
    let gz = t
        .call(
            Method::GET,
            "/api/admin/sites/gz/articles",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(gz.status, StatusCode::FORBIDDEN, "{}", gz.text);
    let tokens = state.tokens.list_for_user(me.id).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].grants, vec![Grant::site(Role::Editor, "gd")]);
    let days = (tokens[0].expires_ms.unwrap() - now()) / 86_400_000;
    assert!((29..=30).contains(&days), "{days}");
    let listed = me.b.get("/admin/account").await;
    assert!(
        listed.text.contains("发布脚本") && !listed.text.contains(&token),
        "{}",
        listed.text
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_codes_are_renewed_and_an_authenticator_removed_where_allowed() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let mut me = signed_in(&t, "qin.bian", &[Grant::site(Role::Editor, "gd")], true).await;
    let page = me.b.get("/admin/account").await;
    assert!(
        page.text.contains("重新生成恢复码") && page.text.contains("解除身份验证器"),
        "{}",
        page.text
    );
    let csrf = csrf_of(&page.text);

    // New recovery codes, proven with an old one; shown once; the old ones stop working.
    let bad =
        me.b.post(
            "/admin/account/recovery-codes",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED, "{}", bad.text);
    assert!(bad.text.contains("验证码不正确"), "{}", bad.text);
    let r =
        me.b.post(
            "/admin/account/recovery-codes",
            &[("csrf", &csrf), ("code", &me.codes[0])],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.text.matches("<li><code>").count(), 10, "{}", r.text);
    assert!(r.text.contains("只显示这一次"));
    let fresh = between(&r.text, "<li><code>", "</code>");
    assert!(!me.codes.contains(&fresh));
    let old =
        me.b.post(
            "/admin/account/recovery-codes",
            &[("csrf", &csrf), ("code", &me.codes[1])],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "{}", old.text);

    // Removing the authenticator (an editor's is optional), proven with a code.
    let secret = me.secret.clone().unwrap();
    let code = totp_code(&secret, now() + 30_000).unwrap();
    let r =
        me.b.post(
            "/admin/account/totp-remove",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let u = t.node.app_state().users.get(me.id).await.unwrap().unwrap();
    assert!(!u.second_factor_enrolled);
    let page = me.b.get(r.header("location").unwrap()).await;
    assert!(
        page.text.contains("已解除身份验证器的绑定") && page.text.contains("您没有设置身份验证器"),
        "{}",
        page.text
    );

    // An administrator's is required: the page says so, and the domain refuses.
    let mut admin = signed_in(&t, "gd.admin", &[Grant::site(Role::SiteAdmin, "gd")], true).await;
    let page = admin.b.get("/admin/account").await;
    assert!(
        page.text.contains("必须使用身份验证器") && !page.text.contains("解除身份验证器</button>"),
        "{}",
        page.text
    );
    let csrf = csrf_of(&page.text);
    let code = totp_code(admin.secret.as_ref().unwrap(), now() + 30_000).unwrap();
    let r = admin
        .b
        .post(
            "/admin/account/totp-remove",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("管理员必须使用双重验证"), "{}", r.text);
    let a = t
        .node
        .app_state()
        .users
        .get(admin.id)
        .await
        .unwrap()
        .unwrap();
    assert!(a.second_factor_enrolled);

    // A platform admin resets a lost authenticator: gone, sessions ended.
    let mut root = signed_in(&t, "root.admin", &[Grant::node(Role::PlatformAdmin)], true).await;
    let csrf = page_csrf(&mut root.b).await;
    let r = root
        .b
        .post(
            &format!("/admin/users/{}/totp-reset", admin.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let a = t
        .node
        .app_state()
        .users
        .get(admin.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!a.second_factor_enrolled);
    assert_eq!(
        admin.b.get("/admin/").await.header("location"),
        Some("/admin/sign-in")
    );
    t.stop().await;
}
