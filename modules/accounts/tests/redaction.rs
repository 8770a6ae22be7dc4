//! No password, password hash, session id, API token, TOTP secret or recovery code in the
//! `Debug` output of any public type, nor in the audit log.

mod common;

use common::*;
use govnode_accounts::{
    AccountsError, ClientInfo, PasswordPolicy, SecondFactor, TokenStore, UserQuery, totp_code,
};

#[tokio::test]
async fn secrets_never_show_in_debug_output_or_the_audit_log() {
    let f = fixture().await;
    let admin = f.platform_admin("root").await;
    let hash = f.password_hash(admin.id).await;

    let auth = f
        .users
        .authenticate("root", PASSWORD, IP, T0)
        .await
        .unwrap();
    let (pending, pending_session) = f
        .sessions
        .create(&auth, &ClientInfo::default(), T0)
        .await
        .unwrap();
    let enrolment = f.users.totp_begin(admin.id, T0).await.unwrap();
    let totp_secret = enrolment.secret.expose().to_string();
    let code = totp_code(&totp_secret, T0).unwrap();
    let (codes, passed) = f.users.totp_confirm(admin.id, &code, T0).await.unwrap();
    let signed = f
        .sessions
        .complete_second_factor(pending.expose(), passed, T0)
        .await
        .unwrap()
        .unwrap();
    let signed_in = f
        .sessions
        .resolve(signed.expose(), T0)
        .await
        .unwrap()
        .unwrap();
    let (token, token_summary) = f
        .tokens
        .create_for_user(&admin.access(), "ci", &admin.grants, None, T0)
        .await
        .unwrap();
    let (cli_token, _) = TokenStore::new(f.read.clone(), f.write.clone())
        .create("ops", govnode_accounts::Role::Auditor, None)
        .await
        .unwrap();
    let user = f.users.get(admin.id).await.unwrap().unwrap();
    let page = f
        .users
        .list(&admin.access(), &UserQuery::default())
        .await
        .unwrap();
    let records = f
        .audit
        .list(&admin.access(), &Default::default())
        .await
        .unwrap();
    let errors: Vec<AccountsError> = vec![
        f.users
            .authenticate("root", "Wrong-Pass-000", IP, T0)
            .await
            .unwrap_err(),
        PasswordPolicy::default()
            .check("root", PASSWORD)
            .map_err(AccountsError::from)
            .err()
            .unwrap_or(AccountsError::NotFound {
                what: "user",
                id: "x".into(),
            }),
    ];

    let debug = [
        format!("{auth:?}"),
        format!("{pending:?}"),
        format!("{pending_session:?}"),
        format!("{enrolment:?}"),
        format!("{codes:?}"),
        format!("{passed:?}"),
        format!("{signed:?}"),
        format!("{signed_in:?}"),
        format!("{token:?}"),
        format!("{token_summary:?}"),
        format!("{user:?}"),
        format!("{page:?}"),
        format!("{records:?}"),
        format!("{errors:?}"),
        format!("{:?}", SecondFactor::of(&user)),
        format!("{:?}", f.users),
        format!("{:?}", f.sessions),
        format!("{:?}", f.tokens),
        format!("{:?}", f.audit),
    ]
    .join("\n");

    let mut secrets = vec![
        PASSWORD.to_string(),
        hash.clone(),
        pending.expose().to_string(),
        signed.expose().to_string(),
        totp_secret.clone(),
        enrolment.uri.expose().to_string(),
        token.expose().to_string(),
        cli_token.clone(),
    ];
    secrets.extend(codes.expose().into_iter().map(String::from));
    // The hash's salt and digest parts, however a type might print it.
    secrets.extend(hash.split('$').filter(|p| p.len() > 16).map(String::from));
    for s in &secrets {
        assert!(
            !debug.contains(s.as_str()),
            "{s} shows in Debug output:\n{debug}"
        );
    }
    assert!(debug.contains("<redacted>"));

    let audit = f.audit_text().await;
    for s in &secrets {
        assert!(
            !audit.contains(s.as_str()),
            "{s} is in the audit log:\n{audit}"
        );
    }
    assert!(!audit.contains("$argon2"));
}
