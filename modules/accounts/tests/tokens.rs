//! A user's own API tokens: no wider than their grants, expiring, following the owner.

mod common;

use common::*;
use govnode_accounts::{AccountsError, Action, Grant, Refusal, Role, Scope, UserState};

#[tokio::test]
async fn a_user_token_is_a_subset_of_the_owners_grants() {
    let f = fixture().await;
    let u = f
        .user(
            "wei",
            &[
                Grant::site(Role::SiteAdmin, "gd"),
                Grant::site(Role::Reviewer, "gz").in_columns(&["news", "notice"]),
            ],
        )
        .await;
    let owner = u.access();
    let (secret, summary) = f
        .tokens
        .create_for_user(
            &owner,
            "发布脚本",
            &[
                Grant::site(Role::Editor, "gd"),
                Grant::site(Role::Reviewer, "gz").in_columns(&["news"]),
            ],
            Some(T0 + 60 * MINUTE),
            T0,
        )
        .await
        .unwrap();
    assert!(secret.expose().starts_with("gnt_"));
    assert_eq!(summary.user_id, Some(u.id));
    assert_eq!(summary.name, "wei", "the person is the owner");

    let access = f
        .tokens
        .resolve_access(secret.expose(), T0 + MINUTE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((access.person(), access.user_id), ("wei", Some(u.id)));
    assert!(access.may(Action::Edit, Some("gd")));
    assert!(
        !access.may(Action::ManageSite, Some("gd")),
        "narrower than the owner"
    );
    assert!(access.may_in_column(Action::Review, "gz", "news"));
    assert!(!access.may_in_column(Action::Review, "gz", "notice"));

    // Wider than the owner: refused, naming the grant.
    for wider in [
        Grant::site(Role::SiteAdmin, "gz"),
        Grant::site(Role::Reviewer, "gz"),
        Grant::site(Role::Reviewer, "gz").in_columns(&["jobs"]),
        Grant::node(Role::Auditor),
    ] {
        let err = f
            .tokens
            .create_for_user(&owner, "x", std::slice::from_ref(&wider), None, T0)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AccountsError::Refused(Refusal::WiderThanOwn { .. })),
            "{wider:?}: {err:?}"
        );
        assert!(err.chinese().contains("不能超出"));
    }
    // Expired: nothing.
    assert!(
        f.tokens
            .resolve_access(secret.expose(), T0 + 60 * MINUTE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(f.audit_text().await.contains("token.create"));
    assert!(!f.audit_text().await.contains(secret.expose()));
}

#[tokio::test]
async fn a_token_follows_its_owner() {
    let f = fixture().await;
    let u = f
        .user(
            "kong",
            &[
                Grant::site(Role::Editor, "gd"),
                Grant::site(Role::Editor, "gz"),
            ],
        )
        .await;
    let (secret, _) = f
        .tokens
        .create_for_user(
            &u.access(),
            "",
            &[
                Grant::site(Role::Editor, "gd"),
                Grant::site(Role::Editor, "gz"),
            ],
            None,
            T0,
        )
        .await
        .unwrap();
    // A grant the owner loses is gone from the token.
    f.users
        .revoke_grant(
            &operator(),
            u.id,
            Role::Editor,
            &Scope::Site("gz".into()),
            T0,
        )
        .await
        .unwrap();
    let access = f
        .tokens
        .resolve_access(secret.expose(), T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(access.grants, vec![Grant::site(Role::Editor, "gd")]);
    // The bearer-token principal of today's API: the first grant without a column limit.
    let p = f.tokens.resolve(secret.expose()).await.unwrap().unwrap();
    assert_eq!((p.name.as_str(), p.role), ("kong", Role::Editor));
    assert_eq!(p.scope.site(), Some("gd"));
    // A disabled owner's tokens stop working.
    f.users
        .set_state(&operator(), u.id, UserState::Disabled, T0)
        .await
        .unwrap();
    assert!(
        f.tokens
            .resolve_access(secret.expose(), T0)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn owners_list_and_revoke_their_own_tokens() {
    let f = fixture().await;
    let a = f.user("bai", &[Grant::site(Role::Editor, "gd")]).await;
    let b = f.user("cui", &[Grant::site(Role::Editor, "gd")]).await;
    let (secret, t) = f
        .tokens
        .create_for_user(
            &a.access(),
            "ci",
            &[Grant::site(Role::Editor, "gd")],
            None,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(f.tokens.list_for_user(a.id).await.unwrap().len(), 1);
    assert!(f.tokens.list_for_user(b.id).await.unwrap().is_empty());
    let theirs = f.tokens.revoke_own(&b.access(), t.id, T0).await;
    assert!(matches!(theirs, Err(AccountsError::NotFound { .. })));
    assert!(f.tokens.revoke_own(&a.access(), t.id, T0).await.unwrap());
    assert!(f.tokens.resolve(secret.expose()).await.unwrap().is_none());
    // Command-line tokens are not users': a user token needs a user.
    let err = f
        .tokens
        .create_for_user(&operator(), "x", &[Grant::node(Role::Auditor)], None, T0)
        .await;
    assert!(err.is_err());
}

#[tokio::test]
async fn one_person_behind_several_tokens_for_the_four_eyes_rule() {
    let f = fixture().await;
    let u = f
        .user(
            "pan",
            &[
                Grant::site(Role::Editor, "gd"),
                Grant::site(Role::Reviewer, "gd"),
            ],
        )
        .await;
    let mut people = Vec::new();
    for g in [
        Grant::site(Role::Editor, "gd"),
        Grant::site(Role::Reviewer, "gd"),
    ] {
        let (secret, _) = f
            .tokens
            .create_for_user(&u.access(), g.role.as_str(), &[g], None, T0)
            .await
            .unwrap();
        let access = f
            .tokens
            .resolve_access(secret.expose(), T0)
            .await
            .unwrap()
            .unwrap();
        let principal = f.tokens.resolve(secret.expose()).await.unwrap().unwrap();
        people.push((access.person().to_string(), principal.name));
    }
    // The editor token and the reviewer token are one person, as is the user signed in.
    assert_eq!(people[0], people[1]);
    assert_eq!(people[0].0, u.access().person());
}
