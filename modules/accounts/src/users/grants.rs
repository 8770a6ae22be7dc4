//! Giving, changing and revoking grants, each checked by the delegation rules and audited.

use sqlx::AnyConnection;

use super::{User, UserStore};
use crate::audit::{self, Entry};
use crate::delegation::{self, Refusal};
use crate::{Access, AccountsError, Grant, Role, Scope};

/// Inserts (or replaces the columns of) `grant` of user `id`.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    id: i64,
    grant: &Grant,
    by: &str,
    now_ms: i64,
) -> Result<(), AccountsError> {
    sqlx::query(
        "INSERT INTO user_grants (user_id, role, scope_id, columns, granted_by, granted_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id, role, scope_id) DO UPDATE SET columns = excluded.columns, \
         granted_by = excluded.granted_by, granted_ms = excluded.granted_ms",
    )
    .bind(id)
    .bind(grant.role.as_str())
    .bind(grant.scope.id())
    .bind(grant.columns_text())
    .bind(by)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many platform-admin grants the node's users hold.
pub(crate) async fn platform_admins(conn: &mut AnyConnection) -> Result<i64, AccountsError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM user_grants WHERE role = 'platform-admin'")
            .fetch_one(conn)
            .await?,
    )
}

impl UserStore {
    /// The e-mail addresses of active users (a lock by failed sign-ins that has run out
    /// counts as active) holding `role` in `scope`, those with an address only.
    pub async fn emails_of_holders(
        &self,
        role: Role,
        scope: &Scope,
        now_ms: i64,
    ) -> Result<Vec<String>, AccountsError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT u.email FROM users u JOIN user_grants g ON g.user_id = u.id \
             WHERE g.role = $1 AND g.scope_id = $2 AND u.email != '' AND (u.state = 'active' \
             OR (u.state = 'locked' AND u.locked_until_ms IS NOT NULL AND u.locked_until_ms <= $3)) \
             ORDER BY u.email",
        )
        .bind(role.as_str())
        .bind(scope.id())
        .bind(now_ms)
        .fetch_all(&self.read)
        .await?)
    }

    /// Gives `grant` to user `id` on behalf of `actor`, or changes the columns of the grant
    /// of that role and scope the user holds (see [`delegation::may_change_grant`]).
    pub async fn grant(
        &self,
        actor: &Access,
        id: i64,
        grant: &Grant,
        now_ms: i64,
    ) -> Result<User, AccountsError> {
        let mut grant = grant.clone();
        grant.validate()?;
        let mut tx = self.write.begin().await?;
        let mut user = Self::target(&mut tx, id).await?;
        delegation::may_change_grant(actor, id, &grant)?;
        let held = user
            .grants
            .iter()
            .position(|g| g.role == grant.role && g.scope == grant.scope);
        if let Some(i) = held {
            // A change: the grant as it was must be the actor's to change too.
            delegation::may_change_grant(actor, id, &user.grants[i])?;
            if user.grants[i] == grant {
                return Ok(user);
            }
        }
        insert(&mut tx, id, &grant, actor.person(), now_ms).await?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: if held.is_some() {
                    "grant.change"
                } else {
                    "grant.add"
                },
                user_id: Some(id),
                login: Some(&user.login),
                site: grant.scope.site(),
                before: held.map(|i| user.grants[i].summary()),
                after: Some(grant.summary()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        match held {
            Some(i) => user.grants[i] = grant,
            None => user.grants.push(grant),
        }
        Ok(user)
    }

    /// Revokes user `id`'s grant of `role` in `scope` on behalf of `actor`. The node's last
    /// platform-admin grant stays.
    pub async fn revoke_grant(
        &self,
        actor: &Access,
        id: i64,
        role: Role,
        scope: &Scope,
        now_ms: i64,
    ) -> Result<User, AccountsError> {
        let mut tx = self.write.begin().await?;
        let mut user = Self::target(&mut tx, id).await?;
        let Some(i) = user
            .grants
            .iter()
            .position(|g| g.role == role && &g.scope == scope)
        else {
            return Err(AccountsError::NotFound {
                what: "grant",
                id: format!("{role} on {scope} of user {id}"),
            });
        };
        delegation::may_change_grant(actor, id, &user.grants[i])?;
        if role == Role::PlatformAdmin && platform_admins(&mut tx).await? <= 1 {
            return Err(Refusal::LastPlatformAdmin.into());
        }
        sqlx::query("DELETE FROM user_grants WHERE user_id = $1 AND role = $2 AND scope_id = $3")
            .bind(id)
            .bind(role.as_str())
            .bind(scope.id())
            .execute(&mut *tx)
            .await?;
        let old = user.grants.remove(i);
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "grant.revoke",
                user_id: Some(id),
                login: Some(&user.login),
                site: old.scope.site(),
                before: Some(old.summary()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }
}
