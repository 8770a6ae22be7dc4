//! Sessions: idle and absolute expiry, revocation, rotation, and the CSRF token.

mod common;

use common::*;
use govnode_accounts::{
    AccountsPolicy, ClientInfo, Grant, Role, SessionPolicy, SessionStage, UserState, csrf_check,
    csrf_token,
};

fn client() -> ClientInfo {
    ClientInfo {
        address: IP.into(),
        user_agent: "Mozilla/5.0 (test)".into(),
    }
}

/// A signed-in session of a new editor: (user id, session id).
async fn signed_in(f: &Fixture, login: &str, at: i64) -> (i64, String) {
    let u = f.user(login, &[Grant::site(Role::Editor, "gd")]).await;
    let auth = f.users.authenticate(login, PASSWORD, IP, at).await.unwrap();
    let (secret, session) = f.sessions.create(&auth, &client(), at).await.unwrap();
    assert_eq!(session.stage, SessionStage::SignedIn);
    (u.id, secret.expose().to_string())
}

#[tokio::test]
async fn the_id_is_stored_only_hashed() {
    let f = fixture().await;
    let (_, id) = signed_in(&f, "han", T0).await;
    assert_eq!(id.len(), 64);
    let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM sessions")
        .fetch_all(&f.read)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], id);
    let row_text: Vec<(String, String, String)> =
        sqlx::query_as("SELECT hash, client, user_agent FROM sessions")
            .fetch_all(&f.read)
            .await
            .unwrap();
    assert!(!format!("{row_text:?}").contains(&id));
}

#[tokio::test]
async fn idle_time_out_and_touch() {
    let f = fixture().await;
    let (user, id) = signed_in(&f, "tang", T0).await;
    let idle = 30 * MINUTE;
    // Used at 29 minutes: good for another 30.
    let s = f
        .sessions
        .resolve(&id, T0 + 29 * MINUTE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.user.id, user);
    assert_eq!(s.session.expires_ms, T0 + 29 * MINUTE + idle);
    assert!(s.access.may(govnode_accounts::Action::Edit, Some("gd")));
    assert!(
        f.sessions
            .get(&id, T0 + 58 * MINUTE)
            .await
            .unwrap()
            .is_some()
    );
    // Not used for 30 minutes: gone, and deleted.
    assert!(
        f.sessions
            .get(&id, T0 + 59 * MINUTE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        f.sessions
            .get(&id, T0 + 30 * MINUTE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(f.sessions.list(user, T0).await.unwrap().is_empty());
}

#[tokio::test]
async fn absolute_time_out() {
    let f = fixture().await;
    let (_, id) = signed_in(&f, "feng", T0).await;
    let mut at = T0;
    while at < T0 + 12 * 60 * MINUTE - 20 * MINUTE {
        at += 20 * MINUTE;
        assert!(
            f.sessions.touch(&id, at).await.unwrap().is_some(),
            "at {at}"
        );
    }
    assert!(
        f.sessions
            .touch(&id, T0 + 12 * 60 * MINUTE)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn configurable_time_outs() {
    let policy = AccountsPolicy {
        sessions: SessionPolicy {
            idle_ms: MINUTE,
            absolute_ms: 3 * MINUTE,
            pending_ms: MINUTE,
        },
        ..Default::default()
    };
    let f = fixture_with(policy).await;
    let (_, id) = signed_in(&f, "deng", T0).await;
    assert!(
        f.sessions
            .touch(&id, T0 + MINUTE - 1)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        f.sessions
            .touch(&id, T0 + 2 * MINUTE - 2)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        f.sessions
            .touch(&id, T0 + 3 * MINUTE)
            .await
            .unwrap()
            .is_none()
    );
    // The pruner removes what expired.
    let (_, other) = signed_in(&f, "xie", T0).await;
    assert_eq!(f.sessions.prune(T0 + 10 * MINUTE).await.unwrap(), 1);
    assert!(f.sessions.get(&other, T0).await.unwrap().is_none());
}

#[tokio::test]
async fn revocation_one_or_everywhere() {
    let f = fixture().await;
    let (user, a) = signed_in(&f, "cao", T0).await;
    let auth = f.users.authenticate("cao", PASSWORD, IP, T0).await.unwrap();
    let (b, _) = f.sessions.create(&auth, &client(), T0 + 1).await.unwrap();
    let (c, _) = f.sessions.create(&auth, &client(), T0 + 2).await.unwrap();
    let listed = f.sessions.list(user, T0 + 3).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0].client.user_agent, "Mozilla/5.0 (test)");

    assert!(f.sessions.revoke(&a).await.unwrap());
    assert!(!f.sessions.revoke(&a).await.unwrap());
    assert!(f.sessions.get(&a, T0 + 3).await.unwrap().is_none());
    let b_row = f.sessions.get(b.expose(), T0 + 3).await.unwrap().unwrap();
    assert!(!f.sessions.revoke_by_id(user + 1, b_row.id).await.unwrap());
    assert!(f.sessions.revoke_by_id(user, b_row.id).await.unwrap());

    assert_eq!(f.sessions.revoke_all(user, T0 + 4).await.unwrap(), 1);
    assert!(f.sessions.get(c.expose(), T0 + 4).await.unwrap().is_none());
    assert!(
        f.actions_of(user)
            .await
            .contains(&"session.revoke_all".to_string())
    );
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions() {
    let f = fixture().await;
    let (user, id) = signed_in(&f, "peng", T0).await;
    f.users
        .set_state(&operator(), user, UserState::Disabled, T0 + 1)
        .await
        .unwrap();
    assert!(f.sessions.resolve(&id, T0 + 2).await.unwrap().is_none());
}

#[tokio::test]
async fn a_password_change_rotates_the_session_and_ends_the_others() {
    let f = fixture().await;
    let (user, here) = signed_in(&f, "lu.min", T0).await;
    let auth = f
        .users
        .authenticate("lu.min", PASSWORD, IP, T0)
        .await
        .unwrap();
    let (elsewhere, _) = f.sessions.create(&auth, &client(), T0).await.unwrap();
    let s = f.sessions.resolve(&here, T0 + 1).await.unwrap().unwrap();
    assert!(s.must_change_password);

    let new_id = f
        .users
        .change_password(user, PASSWORD, PASSWORD2, Some(&here), IP, T0 + 2)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(new_id.expose(), here);
    assert!(f.sessions.get(&here, T0 + 3).await.unwrap().is_none());
    assert!(
        f.sessions
            .get(elsewhere.expose(), T0 + 3)
            .await
            .unwrap()
            .is_none()
    );
    let s = f
        .sessions
        .resolve(new_id.expose(), T0 + 3)
        .await
        .unwrap()
        .unwrap();
    assert!(!s.must_change_password);

    // The old password is gone, the rules apply, and the same one again is refused.
    assert!(
        f.users
            .authenticate("lu.min", PASSWORD, IP, T0 + 4)
            .await
            .is_err()
    );
    let same = f
        .users
        .change_password(user, PASSWORD2, PASSWORD2, None, IP, T0 + 5)
        .await
        .unwrap_err();
    assert!(
        same.chinese().contains("新密码不能与当前密码相同"),
        "{}",
        same.chinese()
    );
    let wrong = f
        .users
        .change_password(
            user,
            "Wrong-Pass-000",
            "Another-Pass-2931",
            None,
            IP,
            T0 + 6,
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.chinese(), "当前密码不正确");
}

#[tokio::test]
async fn explicit_rotation_keeps_the_session_under_a_new_id() {
    let f = fixture().await;
    let (user, id) = signed_in(&f, "jiang", T0).await;
    let new_id = f.sessions.rotate(&id, T0 + 1).await.unwrap().unwrap();
    assert!(f.sessions.get(&id, T0 + 1).await.unwrap().is_none());
    let s = f
        .sessions
        .resolve(new_id.expose(), T0 + 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.user.id, user);
    assert!(f.sessions.rotate("garbage", T0).await.unwrap().is_none());
}

#[tokio::test]
async fn csrf_tokens_belong_to_the_session() {
    let f = fixture().await;
    let (_, a) = signed_in(&f, "dai", T0).await;
    let (_, b) = signed_in(&f, "xia", T0).await;
    let token = csrf_token(&a);
    assert!(csrf_check(&a, &token));
    assert!(!csrf_check(&b, &token));
    assert!(!csrf_check(&a, &csrf_token(&b)));
    // One hex digit changed (whatever the digit was) is another token.
    let last = token.chars().last().unwrap();
    let altered = format!("{}{}", &token[..63], if last == '0' { '1' } else { '0' });
    assert!(!csrf_check(&a, &altered));
    // Upper-case hex is the same token.
    assert!(csrf_check(&a, &token.to_uppercase()));
    // After rotation the old token is worthless.
    let rotated = f.sessions.rotate(&a, T0 + 1).await.unwrap().unwrap();
    assert!(!csrf_check(rotated.expose(), &token));
}

#[tokio::test]
async fn an_administrator_signs_someone_out_everywhere() {
    let f = fixture().await;
    let (id, a) = signed_in(&f, "qian", T0).await;
    let auth = f
        .users
        .authenticate("qian", PASSWORD, IP, T0)
        .await
        .unwrap();
    let (b, _) = f.sessions.create(&auth, &client(), T0 + 1).await.unwrap();
    // Only one who manages the account: not the person themselves, not another site's admin.
    let own = f.users.get(id).await.unwrap().unwrap().access();
    let err = f.users.sign_out_everywhere(&own, id, T0).await.unwrap_err();
    assert!(err.chinese().contains("自己的账号"), "{}", err.chinese());
    let gz = f.site_admin("gz.admin", "gz").await.access();
    assert!(f.users.sign_out_everywhere(&gz, id, T0).await.is_err());
    assert!(f.sessions.get(&a, T0 + 2).await.unwrap().is_some());
    let gd = f.site_admin("gd.admin", "gd").await.access();
    let n = f.users.sign_out_everywhere(&gd, id, T0 + 2).await.unwrap();
    assert_eq!(n, 2);
    for s in [a.as_str(), b.expose()] {
        assert!(f.sessions.get(s, T0 + 3).await.unwrap().is_none());
    }
    assert_eq!(
        f.actions_of(id).await.last().map(String::as_str),
        Some("session.revoke_all")
    );
    assert!(
        f.audit_text()
            .await
            .contains("gd.admin session.revoke_all qian")
    );
}
