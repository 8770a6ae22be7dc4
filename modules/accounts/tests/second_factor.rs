//! TOTP: enrolment, ±1 step accepted, ±2 refused, a code never twice, recovery codes used
//! once, and who must have a second factor.

mod common;

use common::*;
use govnode_accounts::{
    AccountsError, ClientInfo, Grant, NextStep, Role, SecondFactorMethod, SecondFactorRefusal,
    SessionStage, SignInRefusal, needs_second_factor, totp_code,
};

const STEP: i64 = 30_000;

fn second(r: Result<govnode_accounts::SecondFactorPassed, AccountsError>) -> SecondFactorRefusal {
    match r {
        Err(AccountsError::SecondFactor(s)) => s,
        other => panic!("expected a second-factor refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn administrators_enrol_then_enter_codes() {
    let f = fixture().await;
    let admin = f.site_admin("gd.admin", "gd").await;
    let editor = f
        .user("ye.editor", &[Grant::site(Role::Editor, "gd")])
        .await;
    assert!(needs_second_factor(&admin));
    assert!(!needs_second_factor(&editor));

    // The password passes; the session is not signed in until the enrolment is confirmed.
    let auth = f
        .users
        .authenticate("gd.admin", PASSWORD, IP, T0)
        .await
        .unwrap();
    assert_eq!(auth.next, NextStep::Enrol);
    let (cookie, session) = f
        .sessions
        .create(&auth, &ClientInfo::default(), T0)
        .await
        .unwrap();
    assert_eq!(session.stage, SessionStage::PasswordOnly);
    assert!(
        f.sessions
            .resolve(cookie.expose(), T0)
            .await
            .unwrap()
            .is_none()
    );

    let enrolment = f.users.totp_begin(admin.id, T0).await.unwrap();
    let uri = enrolment.uri.expose();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(
        uri.contains("gd.admin") && uri.contains("issuer=govnode"),
        "{uri}"
    );
    assert!(enrolment.qr_svg().starts_with("<svg"));
    let secret = enrolment.secret.expose().to_string();

    // A wrong first code does not confirm.
    let wrong = f
        .users
        .totp_confirm(admin.id, "000000", T0)
        .await
        .unwrap_err();
    assert!(matches!(
        wrong,
        AccountsError::SecondFactor(SecondFactorRefusal::WrongCode)
    ));
    let code = totp_code(&secret, T0).unwrap();
    let (codes, passed) = f.users.totp_confirm(admin.id, &code, T0).await.unwrap();
    assert_eq!(codes.expose().len(), 10);
    let signed = f
        .sessions
        .complete_second_factor(cookie.expose(), passed, T0)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(signed.expose(), cookie.expose(), "the id rotates");
    assert!(f.sessions.get(cookie.expose(), T0).await.unwrap().is_none());
    let now = f
        .sessions
        .resolve(signed.expose(), T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.user.id, admin.id);
    assert!(now.user.second_factor_enrolled);

    // Enrolled: no second enrolment (a half-signed-in session cannot replace it), and
    // the next sign-in asks for a code.
    let again = f.users.totp_begin(admin.id, T0).await.unwrap_err();
    assert!(matches!(
        again,
        AccountsError::SecondFactor(SecondFactorRefusal::AlreadyEnrolled)
    ));
    let auth = f
        .users
        .authenticate("gd.admin", PASSWORD, IP, T0 + STEP)
        .await
        .unwrap();
    assert_eq!(auth.next, NextStep::EnterCode);
}

/// An enrolled user and their authenticator's secret.
async fn enrolled(f: &Fixture, login: &str) -> (i64, String) {
    let u = f.platform_admin(login).await;
    let e = f.users.totp_begin(u.id, T0).await.unwrap();
    let secret = e.secret.expose().to_string();
    f.users
        .totp_confirm(u.id, &totp_code(&secret, T0).unwrap(), T0)
        .await
        .unwrap();
    (u.id, secret)
}

#[tokio::test]
async fn one_step_of_skew_either_way_and_no_more() {
    let f = fixture().await;
    let (id, secret) = enrolled(&f, "root").await;
    let now = T0 + 100 * STEP;
    for offset in [-2 * STEP, 2 * STEP] {
        let code = totp_code(&secret, now + offset).unwrap();
        assert_eq!(
            second(f.users.verify_second_factor(id, &code, IP, now).await),
            SecondFactorRefusal::WrongCode,
            "offset {offset}"
        );
    }
    // Each of the three accepted steps once, in increasing order.
    for (i, offset) in [-STEP, 0, STEP].into_iter().enumerate() {
        let code = totp_code(&secret, now + offset).unwrap();
        let passed = f
            .users
            .verify_second_factor(id, &code, IP, now + i as i64)
            .await
            .unwrap();
        assert_eq!(passed.method, SecondFactorMethod::Totp);
    }
}

#[tokio::test]
async fn a_code_is_never_accepted_twice() {
    let f = fixture().await;
    let (id, secret) = enrolled(&f, "root").await;
    let now = T0 + 10 * STEP;
    let code = totp_code(&secret, now).unwrap();
    f.users
        .verify_second_factor(id, &code, IP, now)
        .await
        .unwrap();
    let replay = f
        .users
        .verify_second_factor(id, &code, IP, now + 5_000)
        .await;
    assert_eq!(second(replay), SecondFactorRefusal::CodeReused);
    // Nor an older step still within the skew.
    let older = totp_code(&secret, now - STEP).unwrap();
    assert_eq!(
        second(
            f.users
                .verify_second_factor(id, &older, IP, now + 6_000)
                .await
        ),
        SecondFactorRefusal::CodeReused
    );
    assert!(SecondFactorRefusal::CodeReused.chinese().contains("已使用"));
    // The next step is fine.
    let next = totp_code(&secret, now + STEP).unwrap();
    f.users
        .verify_second_factor(id, &next, IP, now + STEP)
        .await
        .unwrap();
}

#[tokio::test]
async fn recovery_codes_work_once_each() {
    let f = fixture().await;
    let u = f.platform_admin("root").await;
    let e = f.users.totp_begin(u.id, T0).await.unwrap();
    let (codes, _) = f
        .users
        .totp_confirm(u.id, &totp_code(e.secret.expose(), T0).unwrap(), T0)
        .await
        .unwrap();
    let codes: Vec<String> = codes.expose().into_iter().map(String::from).collect();
    let first = &codes[0];
    let passed = f
        .users
        .verify_second_factor(u.id, &first.to_uppercase(), IP, T0)
        .await
        .unwrap();
    assert_eq!(
        passed.method,
        SecondFactorMethod::RecoveryCode { remaining: 9 }
    );
    assert_eq!(
        second(f.users.verify_second_factor(u.id, first, IP, T0).await),
        SecondFactorRefusal::WrongCode
    );
    // New codes replace the old ones.
    let fresh = f.users.new_recovery_codes(passed, T0).await.unwrap();
    assert_eq!(
        second(f.users.verify_second_factor(u.id, &codes[1], IP, T0).await),
        SecondFactorRefusal::WrongCode
    );
    f.users
        .verify_second_factor(u.id, fresh.expose()[0], IP, T0)
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lock_out() {
    let f = fixture().await;
    let (id, secret) = enrolled(&f, "root").await;
    for i in 0..4 {
        assert_eq!(
            second(f.users.verify_second_factor(id, "123456", IP, T0 + i).await),
            SecondFactorRefusal::WrongCode
        );
    }
    let fifth = f.users.verify_second_factor(id, "123456", IP, T0 + 4).await;
    assert!(matches!(
        fifth,
        Err(AccountsError::SignIn(SignInRefusal::Locked { .. }))
    ));
    let right = totp_code(&secret, T0 + 5).unwrap();
    assert!(matches!(
        f.users.verify_second_factor(id, &right, IP, T0 + 5).await,
        Err(AccountsError::SignIn(SignInRefusal::Locked { .. }))
    ));
}

#[tokio::test]
async fn removal_and_reset() {
    let f = fixture().await;
    let (admin_id, admin_secret) = enrolled(&f, "root").await;
    // Administrators keep theirs.
    let code = totp_code(&admin_secret, T0 + STEP).unwrap();
    let kept = f.users.totp_remove(admin_id, &code, IP, T0 + STEP).await;
    assert!(matches!(
        kept,
        Err(AccountsError::SecondFactor(SecondFactorRefusal::Required))
    ));
    // An editor may remove theirs, with a code.
    let u = f.user("yan", &[Grant::site(Role::Editor, "gd")]).await;
    let e = f.users.totp_begin(u.id, T0).await.unwrap();
    let s = e.secret.expose().to_string();
    f.users
        .totp_confirm(u.id, &totp_code(&s, T0).unwrap(), T0)
        .await
        .unwrap();
    f.users
        .totp_remove(u.id, &totp_code(&s, T0 + STEP).unwrap(), IP, T0 + STEP)
        .await
        .unwrap();
    assert!(
        !f.users
            .get(u.id)
            .await
            .unwrap()
            .unwrap()
            .second_factor_enrolled
    );
    // A platform admin resets another admin's lost authenticator.
    let other = f.platform_admin("root2").await;
    let e = f.users.totp_begin(other.id, T0).await.unwrap();
    f.users
        .totp_confirm(other.id, &totp_code(e.secret.expose(), T0).unwrap(), T0)
        .await
        .unwrap();
    let root = f.users.get(admin_id).await.unwrap().unwrap().access();
    f.users.totp_reset(&root, other.id, T0).await.unwrap();
    let again = f
        .users
        .authenticate("root2", PASSWORD, IP, T0 + 1)
        .await
        .unwrap();
    assert_eq!(again.next, NextStep::Enrol);
    assert!(
        f.actions_of(other.id)
            .await
            .contains(&"second_factor.reset".to_string())
    );
}
