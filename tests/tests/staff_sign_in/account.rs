//! What a signed-in person does with their own account: the four-eyes rule between their
//! session and their tokens, signing their other sessions out, revoking their tokens.

use govnode_accounts::Grant;
use govnode_tests::{Method, StatusCode, TestNode};
use serde_json::json;

use super::browser::{Browser, csrf_of};
use super::{FIRST_PASSWORD, NEW_PASSWORD, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_eyes_compares_the_person_across_session_and_token() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    let role = govnode_accounts::Role::Reviewer;
    user(
        &t,
        "chen.liu",
        &[
            Grant::site(govnode_accounts::Role::Editor, "gd"),
            Grant::site(role, "gd"),
        ],
    )
    .await;
    let mut b = Browser::new(&t);
    b.sign_in("chen.liu", FIRST_PASSWORD).await;
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
    let csrf = csrf_of(&b.get("/admin/").await.text);
    let made = b
        .api(
            &t,
            Method::POST,
            "/api/admin/sites/gd/articles",
            Some(&csrf),
            Some(json!({ "column": "tzgg", "title": "自己写的", "body": "正文" })),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.json()["id"].as_i64().unwrap();
    let submit = b
        .api(
            &t,
            Method::POST,
            &format!("/api/admin/articles/{id}/submit"),
            Some(&csrf),
            Some(json!({})),
        )
        .await;
    assert_eq!(submit.status, StatusCode::OK, "{}", submit.text);
    // The same person may not approve it, by session or by a token of the same name.
    let own = b
        .api(
            &t,
            Method::POST,
            &format!("/api/admin/articles/{id}/approve"),
            Some(&csrf),
            Some(json!({})),
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.text);
    let token = t.token(role, Some("gd"), "chen.liu").await;
    let by_token = t
        .post(
            &format!("/api/admin/articles/{id}/approve"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(by_token.status, StatusCode::FORBIDDEN, "{}", by_token.text);
    let other = t.token(role, Some("gd"), "另一位审核员").await;
    let ok = t
        .post(
            &format!("/api/admin/articles/{id}/approve"),
            &other,
            json!({}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_account_signs_out_other_sessions_and_revokes_my_tokens() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let editor = Grant::site(govnode_accounts::Role::Editor, "gd");
    user(&t, "sun.qi", std::slice::from_ref(&editor)).await;
    // Two browsers; the first changes the password (which ends the other sessions), then
    // the second signs in with the new one.
    let mut one = Browser::new(&t);
    one.sign_in("sun.qi", FIRST_PASSWORD).await;
    let csrf = csrf_of(&one.get("/admin/password").await.text);
    one.post(
        "/admin/password",
        &[
            ("csrf", &csrf),
            ("current", FIRST_PASSWORD),
            ("new", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
        ],
    )
    .await;
    let mut two = Browser::new(&t);
    let r = two.sign_in("sun.qi", NEW_PASSWORD).await;
    assert_eq!(r.header("location"), Some("/admin/"), "{}", r.text);

    // A token of the user's own, listed on the account page and revoked there.
    let state = t.node.app_state();
    let owner = state.users.by_login("sun.qi").await.unwrap().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let (secret, summary) = state
        .tokens
        .create_for_user(&owner.access(), "发布脚本", &[editor], None, now)
        .await
        .unwrap();
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/articles",
            Some(secret.expose()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let page = one.get("/admin/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("发布脚本") && page.text.contains("当前会话"),
        "{}",
        page.text
    );
    assert_eq!(
        page.text.matches("<tr><td>").count(),
        3,
        "two sessions and a token: {}",
        page.text
    );
    let csrf = csrf_of(&page.text);
    let path = format!("/admin/account/tokens/{}/revoke", summary.id);
    assert_eq!(
        one.post(&path, &[]).await.status,
        StatusCode::FORBIDDEN,
        "CSRF"
    );
    let r = one.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/articles",
            Some(secret.expose()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "revoked: {}", r.text);

    // Signing the others out ends the second browser's session, not this one.
    let r = one
        .post("/admin/account/sign-out-others", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        two.get("/admin/").await.header("location"),
        Some("/admin/sign-in")
    );
    assert_eq!(one.get("/admin/").await.status, StatusCode::OK);
    t.stop().await;
}
