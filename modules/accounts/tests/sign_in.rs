//! Sign-in: one answer for an unknown name and a wrong password, the lock-out per login
//! name and per client address (with the clock set by the test), and the states told only
//! after a right password.

mod common;

use std::time::Instant;

use common::*;
use govnode_accounts::{
    AccountsError, AccountsPolicy, Grant, NextStep, PasswordPolicy, Role, SignInRefusal, UserState,
};

fn refusal(r: Result<govnode_accounts::Authenticated, AccountsError>) -> SignInRefusal {
    match r {
        Err(AccountsError::SignIn(s)) => s,
        other => panic!("expected a sign-in refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_name_and_wrong_password_answer_alike() {
    let f = fixture().await;
    let u = f.user("wang", &[Grant::site(Role::Editor, "gd")]).await;

    let wrong = f.users.authenticate("wang", "Wrong-Pass-000", IP, T0).await;
    let unknown = f.users.authenticate("nobody", PASSWORD, IP, T0).await;
    let (wrong, unknown) = (wrong.unwrap_err(), unknown.unwrap_err());
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(wrong.to_string(), "login name or password wrong");
    assert_eq!(wrong.chinese(), "登录名或密码错误");
    assert_eq!(wrong.chinese(), unknown.chinese());

    // Similar timing: both check a password hash (the unknown name against a dummy).
    let time = |login: &'static str| {
        let users = f.users.clone();
        async move {
            let start = Instant::now();
            for _ in 0..3 {
                let _ = users
                    .authenticate(login, "Wrong-Pass-000", "198.51.100.1", T0)
                    .await;
            }
            start.elapsed()
        }
    };
    let (known, unknown) = (time("wang").await, time("nobody").await);
    let ratio = known.as_secs_f64() / unknown.as_secs_f64();
    assert!(
        (0.33..3.0).contains(&ratio),
        "known {known:?}, unknown {unknown:?}"
    );

    // The right password signs in; the record says so, without the password.
    let ok = f
        .users
        .authenticate(" WANG ", PASSWORD, IP, T0)
        .await
        .unwrap();
    assert_eq!(ok.user.id, u.id);
    assert!(ok.must_change_password, "set by an administrator");
    assert_eq!(ok.next, NextStep::SignedIn);
    assert_eq!(ok.user.last_sign_in_ms, Some(T0));
    let text = f.audit_text().await;
    assert!(text.contains("sign_in.fail") && text.contains("sign_in.password"));
    assert!(!text.contains(PASSWORD) && !text.contains("Wrong-Pass-000"));
}

#[tokio::test]
async fn five_failures_in_fifteen_minutes_lock_for_fifteen_minutes() {
    let f = fixture().await;
    let u = f.user("lin", &[Grant::site(Role::Editor, "gd")]).await;
    for i in 0..4 {
        let at = T0 + i * MINUTE;
        assert_eq!(
            refusal(f.users.authenticate("lin", "Wrong-Pass-000", IP, at).await),
            SignInRefusal::WrongCredentials
        );
    }
    // The fifth locks, until 15 minutes after it.
    let fifth = T0 + 4 * MINUTE;
    let until = fifth + 15 * MINUTE;
    assert_eq!(
        refusal(
            f.users
                .authenticate("lin", "Wrong-Pass-000", IP, fifth)
                .await
        ),
        SignInRefusal::Locked { until_ms: until }
    );
    let shown = f.users.get(u.id).await.unwrap().unwrap();
    assert_eq!(
        (shown.state, shown.locked_until_ms),
        (UserState::Locked, Some(until))
    );
    // Even the right password is refused while locked …
    let locked = f
        .users
        .authenticate("lin", PASSWORD, IP, until - 1)
        .await
        .unwrap_err();
    assert!(
        locked.chinese().contains("已锁定至"),
        "{}",
        locked.chinese()
    );
    assert!(locked.to_string().contains("locked until"));
    // … and accepted when the lock is over.
    let ok = f
        .users
        .authenticate("lin", PASSWORD, IP, until)
        .await
        .unwrap();
    assert_eq!(ok.user.state, UserState::Active);
    assert_eq!(
        f.users.get(u.id).await.unwrap().unwrap().locked_until_ms,
        None
    );
}

#[tokio::test]
async fn failures_spread_over_more_than_the_window_do_not_lock() {
    let f = fixture().await;
    f.user("guo", &[]).await;
    for i in 0..4 {
        let _ = f
            .users
            .authenticate("guo", "Wrong-Pass-000", IP, T0 + i * MINUTE)
            .await;
    }
    // 15 minutes after the first failure the count starts again.
    let later = T0 + 15 * MINUTE;
    for i in 0..4 {
        assert_eq!(
            refusal(
                f.users
                    .authenticate("guo", "Wrong-Pass-000", IP, later + i)
                    .await
            ),
            SignInRefusal::WrongCredentials
        );
    }
    f.users
        .authenticate("guo", PASSWORD, IP, later + 10)
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_names_lock_exactly_like_real_ones() {
    let f = fixture().await;
    f.user("real", &[]).await;
    let mut answers = Vec::new();
    for login in ["real", "ghost"] {
        let mut seen = Vec::new();
        for i in 0..6 {
            seen.push(refusal(
                f.users
                    .authenticate(login, "Wrong-Pass-000", IP, T0 + i)
                    .await,
            ));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][3], SignInRefusal::WrongCredentials);
    assert!(matches!(answers[0][4], SignInRefusal::Locked { .. }));
    assert!(matches!(answers[0][5], SignInRefusal::Locked { .. }));
}

#[tokio::test]
async fn a_client_address_is_throttled_after_twenty_failures() {
    let f = fixture().await;
    f.user("xu.min", &[]).await;
    // 20 names, one failure each, from one address.
    for i in 0..19 {
        assert_eq!(
            refusal(
                f.users
                    .authenticate(&format!("name{i}"), "x", "2001:db8:5:6::1", T0 + i)
                    .await
            ),
            SignInRefusal::WrongCredentials
        );
    }
    let _ = f
        .users
        .authenticate("name19", "x", "2001:db8:5:6::2", T0 + 19)
        .await;
    // The same /64 is refused for any name, even with the right password …
    let r = refusal(
        f.users
            .authenticate("xu.min", PASSWORD, "2001:db8:5:6::99", T0 + 20)
            .await,
    );
    assert_eq!(
        r,
        SignInRefusal::Throttled {
            until_ms: T0 + 19 + 15 * MINUTE
        }
    );
    assert!(r.chinese().contains("网络地址"));
    // … another address is not.
    f.users
        .authenticate("xu.min", PASSWORD, IP, T0 + 21)
        .await
        .unwrap();
}

#[tokio::test]
async fn disabled_and_admin_locked_accounts_are_told_only_after_the_right_password() {
    let f = fixture().await;
    let u = f.user("zhu", &[]).await;
    f.users
        .set_state(&operator(), u.id, UserState::Disabled, T0)
        .await
        .unwrap();
    assert_eq!(
        refusal(f.users.authenticate("zhu", "Wrong-Pass-000", IP, T0).await),
        SignInRefusal::WrongCredentials
    );
    assert_eq!(
        refusal(f.users.authenticate("zhu", PASSWORD, IP, T0).await),
        SignInRefusal::Disabled
    );
    f.users
        .set_state(&operator(), u.id, UserState::Locked, T0)
        .await
        .unwrap();
    assert_eq!(
        refusal(f.users.authenticate("zhu", PASSWORD, IP, T0).await),
        SignInRefusal::LockedByAdministrator
    );
    f.users
        .set_state(&operator(), u.id, UserState::Active, T0)
        .await
        .unwrap();
    f.users.authenticate("zhu", PASSWORD, IP, T0).await.unwrap();
}

#[tokio::test]
async fn an_admin_unlocks_a_locked_out_account() {
    let f = fixture().await;
    let u = f.user("qian", &[]).await;
    for i in 0..5 {
        let _ = f
            .users
            .authenticate("qian", "Wrong-Pass-000", IP, T0 + i)
            .await;
    }
    assert!(matches!(
        refusal(f.users.authenticate("qian", PASSWORD, IP, T0 + 10).await),
        SignInRefusal::Locked { .. }
    ));
    f.users
        .set_state(&operator(), u.id, UserState::Active, T0 + 11)
        .await
        .unwrap();
    f.users
        .authenticate("qian", PASSWORD, IP, T0 + 12)
        .await
        .unwrap();
}

#[tokio::test]
async fn administrators_go_on_to_the_second_factor() {
    let f = fixture().await;
    f.site_admin("gd.admin", "gd").await;
    let a = f
        .users
        .authenticate("gd.admin", PASSWORD, IP, T0)
        .await
        .unwrap();
    assert_eq!(a.next, NextStep::Enrol);
}

#[tokio::test]
async fn expired_passwords_must_change() {
    let policy = AccountsPolicy {
        password: PasswordPolicy {
            expiry_days: 90,
            ..Default::default()
        },
        ..Default::default()
    };
    let f = fixture_with(policy).await;
    let u = f.user("song", &[]).await;
    let changed = f
        .users
        .change_password(u.id, PASSWORD, PASSWORD2, None, IP, T0)
        .await
        .unwrap();
    assert!(changed.is_none(), "no session to rotate");
    let a = f
        .users
        .authenticate("song", PASSWORD2, IP, T0 + 1)
        .await
        .unwrap();
    assert!(!a.must_change_password);
    let later = T0 + 90 * 86_400_000;
    let a = f
        .users
        .authenticate("song", PASSWORD2, IP, later)
        .await
        .unwrap();
    assert!(a.must_change_password);
}
