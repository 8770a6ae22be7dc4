//! What the integration tests share: a database with this crate's tables, its stores, a
//! clock to set, and a few people.
#![allow(dead_code)]

use govnode_accounts::{
    Access, AccountsPolicy, AuditLog, Grant, MIGRATOR, NewUser, Role, SessionStore, TokenStore,
    User, UserStore,
};
use govnode_federation::testing::temp_database;
use sqlx::AnyPool;

/// A moment to start from (unix ms).
pub const T0: i64 = 1_750_000_000_000;
/// A minute.
pub const MINUTE: i64 = 60_000;
/// A password that passes the policy.
pub const PASSWORD: &str = "Lotus-Pond-4821";
/// Another one.
pub const PASSWORD2: &str = "Kapok-Tree-7395";
/// The client address of most tests.
pub const IP: &str = "203.0.113.7";

/// A database and the stores over it.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub read: AnyPool,
    pub write: AnyPool,
    pub users: UserStore,
    pub sessions: SessionStore,
    pub tokens: TokenStore,
    pub audit: AuditLog,
}

/// A fresh database with the default policy.
pub async fn fixture() -> Fixture {
    fixture_with(AccountsPolicy::default()).await
}

/// A fresh database with `policy`.
pub async fn fixture_with(policy: AccountsPolicy) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &[&MIGRATOR]).await;
    Fixture {
        users: UserStore::with_policy(read.clone(), write.clone(), policy.clone()),
        sessions: SessionStore::with_policy(read.clone(), write.clone(), policy),
        tokens: TokenStore::new(read.clone(), write.clone()),
        audit: AuditLog::new(read.clone()),
        read,
        write,
        _dir: dir,
    }
}

/// The node's operator (the command line).
pub fn operator() -> Access {
    Access::operator("cli")
}

impl Fixture {
    /// A user made by the operator with `grants` and [`PASSWORD`].
    pub async fn user(&self, login: &str, grants: &[Grant]) -> User {
        let new = NewUser {
            login: login.into(),
            display_name: format!("{login} 同志"),
            body: "广东省人民政府办公厅".into(),
            ..Default::default()
        };
        self.users
            .create(&operator(), &new, PASSWORD, grants, T0)
            .await
            .unwrap()
    }

    /// A platform admin.
    pub async fn platform_admin(&self, login: &str) -> User {
        self.user(login, &[Grant::node(Role::PlatformAdmin)]).await
    }

    /// A site admin of `site`.
    pub async fn site_admin(&self, login: &str, site: &str) -> User {
        self.user(login, &[Grant::site(Role::SiteAdmin, site)])
            .await
    }

    /// Every audit record's text, for looking for what must not be there.
    pub async fn audit_text(&self) -> String {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT actor || ' ' || action || ' ' || COALESCE(login, '') || ' ' || \
             COALESCE(before, '') || ' ' || COALESCE(after, '') || ' ' || COALESCE(client, '') \
             FROM accounts_audit ORDER BY id",
        )
        .fetch_all(&self.read)
        .await
        .unwrap();
        rows.join("\n")
    }

    /// The audit actions recorded about user `id`, oldest first.
    pub async fn actions_of(&self, id: i64) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM accounts_audit WHERE user_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.read)
            .await
            .unwrap()
    }

    /// The stored password hash of user `id`.
    pub async fn password_hash(&self, id: i64) -> String {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&self.read)
            .await
            .unwrap()
    }
}
