//! Accounts and grants through the store: who may create, change and see whom, and the
//! audit record of every change.

mod common;

use common::*;
use govnode_accounts::{
    AccountsError, AuditQuery, Grant, NewUser, ProfileUpdate, Refusal, Role, Scope, UserQuery,
    UserState,
};

fn new_user(login: &str) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: "李编辑".into(),
        body: "广州市人力资源和社会保障局".into(),
        phone: "020-8888 6666".into(),
        email: "li@gz.gov.cn".into(),
    }
}

#[tokio::test]
async fn an_admin_creates_an_account_that_must_change_its_password() {
    let f = fixture().await;
    let u = f
        .users
        .create(
            &operator(),
            &new_user("Li.Bian"),
            PASSWORD,
            &[Grant::site(Role::Editor, "gd").in_columns(&["news"])],
            T0,
        )
        .await
        .unwrap();
    assert_eq!(u.login, "li.bian");
    assert_eq!(u.state, UserState::Active);
    assert!(u.must_change_password);
    assert_eq!((u.created_ms, u.password_changed_ms), (T0, T0));
    assert_eq!(u.last_sign_in_ms, None);
    assert_eq!(
        u.grants,
        vec![Grant::site(Role::Editor, "gd").in_columns(&["news"])]
    );
    assert_eq!(f.users.get(u.id).await.unwrap().unwrap(), u);
    assert_eq!(f.users.by_login("LI.BIAN").await.unwrap().unwrap(), u);

    // The login name is taken, in any case; the password must pass the policy.
    let again = f
        .users
        .create(&operator(), &new_user("li.bian"), PASSWORD, &[], T0)
        .await;
    assert!(
        matches!(again, Err(AccountsError::LoginTaken(_))),
        "{again:?}"
    );
    let weak = f
        .users
        .create(&operator(), &new_user("zhao"), "password1", &[], T0)
        .await
        .unwrap_err();
    assert!(
        weak.chinese().contains("密码至少 10 位"),
        "{}",
        weak.chinese()
    );
    assert_eq!(f.actions_of(u.id).await, ["user.create"]);
}

#[tokio::test]
async fn site_admins_invite_to_their_own_site_only() {
    let f = fixture().await;
    let admin = f.site_admin("gd.admin", "gd").await.access();
    let editor = f
        .users
        .create(
            &admin,
            &new_user("chen"),
            PASSWORD,
            &[Grant::site(Role::Editor, "gd")],
            T0,
        )
        .await
        .unwrap();
    for grants in [
        vec![Grant::site(Role::Editor, "gz")],
        vec![Grant::site(Role::SiteAdmin, "gd")],
        vec![Grant::node(Role::Auditor)],
        vec![],
    ] {
        let err = f
            .users
            .create(&admin, &new_user("zhou"), PASSWORD, &grants, T0)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AccountsError::Refused(_)),
            "{grants:?}: {err:?}"
        );
    }
    // An editor invites nobody.
    let err = f
        .users
        .create(
            &editor.access(),
            &new_user("wu.xin"),
            PASSWORD,
            &[Grant::site(Role::Editor, "gd")],
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AccountsError::Refused(Refusal::NotAnAdministrator)
    ));
}

#[tokio::test]
async fn site_admins_cannot_grant_outside_their_site_or_to_themselves() {
    let f = fixture().await;
    let admin_user = f.site_admin("gd.admin", "gd").await;
    let admin = admin_user.access();
    let other = f.user("sun", &[Grant::site(Role::Editor, "gd")]).await;

    let u = f
        .users
        .grant(&admin, other.id, &Grant::site(Role::Reviewer, "gd"), T0)
        .await
        .unwrap();
    assert_eq!(u.grants.len(), 2);
    // Changing the columns of a grant they may give.
    let u = f
        .users
        .grant(
            &admin,
            other.id,
            &Grant::site(Role::Reviewer, "gd").in_columns(&["notice"]),
            T0,
        )
        .await
        .unwrap();
    assert!(
        u.grants
            .contains(&Grant::site(Role::Reviewer, "gd").in_columns(&["notice"]))
    );

    let refused = [
        (other.id, Grant::site(Role::Editor, "gz")),
        (other.id, Grant::site(Role::SiteAdmin, "gd")),
        (other.id, Grant::node(Role::PlatformAdmin)),
        (admin_user.id, Grant::site(Role::Editor, "gd")),
    ];
    for (who, g) in refused {
        let err = f.users.grant(&admin, who, &g, T0).await.unwrap_err();
        assert!(matches!(err, AccountsError::Refused(_)), "{g:?}: {err:?}");
        assert!(!err.chinese().is_empty());
    }
    let own = f
        .users
        .revoke_grant(
            &admin,
            admin_user.id,
            Role::SiteAdmin,
            &Scope::Site("gd".into()),
            T0,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(own, AccountsError::Refused(Refusal::OwnGrants)),
        "{own:?}"
    );

    let u = f
        .users
        .revoke_grant(
            &admin,
            other.id,
            Role::Editor,
            &Scope::Site("gd".into()),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        u.grants,
        vec![Grant::site(Role::Reviewer, "gd").in_columns(&["notice"])]
    );
    assert_eq!(
        f.actions_of(other.id).await,
        ["user.create", "grant.add", "grant.change", "grant.revoke"]
    );
    let records = f
        .audit
        .list(
            &admin,
            &AuditQuery {
                site: Some("gd".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let change = records.iter().find(|r| r.action == "grant.change").unwrap();
    assert_eq!(change.actor, "gd.admin");
    assert_eq!(change.before.as_deref(), Some("reviewer@gd"));
    assert_eq!(change.after.as_deref(), Some("reviewer@gd[notice]"));
    // A site admin reads their own site's records only.
    let elsewhere = f
        .audit
        .list(
            &admin,
            &AuditQuery {
                site: Some("gz".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(elsewhere, Err(AccountsError::Refused(_))));
}

#[tokio::test]
async fn the_last_platform_admin_stays() {
    let f = fixture().await;
    let root = f.platform_admin("root").await;
    let err = f
        .users
        .revoke_grant(&operator(), root.id, Role::PlatformAdmin, &Scope::Node, T0)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AccountsError::Refused(Refusal::LastPlatformAdmin)
    ));
    let second = f.platform_admin("root2").await;
    f.users
        .revoke_grant(
            &second.access(),
            root.id,
            Role::PlatformAdmin,
            &Scope::Node,
            T0,
        )
        .await
        .unwrap();
    let err = f
        .users
        .delete(&operator(), second.id, T0)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AccountsError::Refused(Refusal::LastPlatformAdmin)
    ));
}

#[tokio::test]
async fn profiles_states_and_deletion() {
    let f = fixture().await;
    let admin = f.site_admin("gd.admin", "gd").await.access();
    let u = f.user("he.bian", &[Grant::site(Role::Editor, "gd")]).await;

    // Their own profile, or one an admin manages.
    let mine = f
        .users
        .update_profile(
            &u.access(),
            u.id,
            &ProfileUpdate {
                display_name: Some("何编辑".into()),
                email: Some("he@gd.gov.cn".into()),
                ..Default::default()
            },
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        (mine.display_name.as_str(), mine.email.as_str()),
        ("何编辑", "he@gd.gov.cn")
    );
    let bad = f
        .users
        .update_profile(
            &u.access(),
            u.id,
            &ProfileUpdate {
                email: Some("not-an-address".into()),
                ..Default::default()
            },
            T0,
        )
        .await
        .unwrap_err();
    assert_eq!(bad.chinese(), "电子邮箱格式不正确");

    // Nobody disables themselves; the site admin disables the editor of their site.
    let err = f
        .users
        .set_state(&u.access(), u.id, UserState::Disabled, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, AccountsError::Refused(Refusal::OwnAccount)));
    let disabled = f
        .users
        .set_state(&admin, u.id, UserState::Disabled, T0)
        .await
        .unwrap();
    assert_eq!(disabled.state, UserState::Disabled);
    // Someone with a grant elsewhere too is the platform admin's.
    let wide = f
        .user(
            "ma.li",
            &[
                Grant::site(Role::Editor, "gd"),
                Grant::site(Role::Editor, "gz"),
            ],
        )
        .await;
    let err = f
        .users
        .set_state(&admin, wide.id, UserState::Locked, T0)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AccountsError::Refused(Refusal::UserOutsideOwnSites)
    ));

    // Deleted: gone, and the login name is never given again.
    f.users.delete(&admin, u.id, T0).await.unwrap();
    assert!(f.users.get(u.id).await.unwrap().is_none());
    let reuse = f
        .users
        .create(&operator(), &new_user("he.bian"), PASSWORD, &[], T0)
        .await;
    assert!(matches!(reuse, Err(AccountsError::LoginTaken(_))));
    let actions = f.actions_of(u.id).await;
    assert_eq!(
        actions,
        ["user.create", "user.profile", "user.state", "user.delete"]
    );
    let text = f.audit_text().await;
    assert!(
        !text.contains("he@gd.gov.cn"),
        "contact details stay out: {text}"
    );
}

#[tokio::test]
async fn listing_is_paged_and_confined() {
    let f = fixture().await;
    let root = f.platform_admin("root").await.access();
    let admin = f.site_admin("gd.admin", "gd").await.access();
    for i in 0..5 {
        f.user(&format!("gd.editor{i}"), &[Grant::site(Role::Editor, "gd")])
            .await;
    }
    f.user("gz.editor", &[Grant::site(Role::Editor, "gz")])
        .await;

    let all = f
        .users
        .list(
            &root,
            &UserQuery {
                per_page: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((all.total, all.users.len()), (8, 3));
    let page3 = f
        .users
        .list(
            &root,
            &UserQuery {
                per_page: Some(3),
                page: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page3.users.len(), 2);

    // The site admin sees their site's people (themselves included), not gz's.
    let mine = f.users.list(&admin, &UserQuery::default()).await.unwrap();
    assert_eq!(mine.total, 6);
    assert!(mine.users.iter().all(|u| u.login.starts_with("gd.")));
    let theirs = f
        .users
        .list(
            &admin,
            &UserQuery {
                site: Some("gz".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(theirs, Err(AccountsError::Refused(_))));
    let found = f
        .users
        .list(
            &admin,
            &UserQuery {
                text: Some("EDITOR3".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.users.len(), 1);
    let wildcard = f
        .users
        .list(
            &root,
            &UserQuery {
                text: Some("%".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(wildcard.total, 0, "a % is a character, not a wildcard");

    let gz = f.users.by_login("gz.editor").await.unwrap().unwrap();
    assert!(f.users.get_for(&admin, gz.id).await.is_err());
    assert!(f.users.get_for(&root, gz.id).await.is_ok());
}
