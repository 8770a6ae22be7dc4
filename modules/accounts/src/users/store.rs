//! Accounts: create (an administrator's invitation), read, list, profile, state, delete.
//! Each change checks the delegation rules and is written with its audit record.

use sqlx::AnyConnection;

use super::{NewUser, ProfileUpdate, User, UserPage, UserQuery, UserState, UserStore, rows};
use crate::audit::{self, Entry};
use crate::delegation::{self, Refusal};
use crate::{Access, AccountsError, Grant, Role, sessions, signin};

/// Users per page unless asked, and at most.
const PER_PAGE: (i64, i64) = (50, 200);

/// A user as audit records summarise them (no contact details, never a secret).
pub(crate) fn summary(u: &User) -> String {
    let grants: Vec<String> = u.grants.iter().map(Grant::summary).collect();
    format!(
        "login={} display_name={} body={} state={} grants={}",
        u.login,
        u.display_name,
        u.body,
        u.state,
        grants.join(",")
    )
}

/// Whether the login name is or was someone's.
async fn login_used(conn: &mut AnyConnection, login: &str) -> Result<bool, AccountsError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM users WHERE login = $1) + \
                (SELECT COUNT(*) FROM retired_logins WHERE login = $1)",
    )
    .bind(login)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Validates grants and drops repeats (the last of a role and scope wins).
pub(crate) fn checked_grants(grants: &[Grant]) -> Result<Vec<Grant>, AccountsError> {
    let mut out: Vec<Grant> = Vec::with_capacity(grants.len());
    for g in grants {
        let mut g = g.clone();
        g.validate()?;
        out.retain(|o| !(o.role == g.role && o.scope == g.scope));
        out.push(g);
    }
    Ok(out)
}

impl UserStore {
    /// Creates an account on behalf of `actor` (a platform admin, or a site admin inviting
    /// someone to their site: see [`delegation::may_invite`]) with an initial password
    /// (policy-checked; it must be changed at the first sign-in) and `grants`.
    pub async fn create(
        &self,
        actor: &Access,
        new: &NewUser,
        initial_password: &str,
        grants: &[Grant],
        now_ms: i64,
    ) -> Result<User, AccountsError> {
        let login = super::validate_login(&new.login)?;
        let display_name = super::display_name(&new.display_name)?;
        let body = super::body(&new.body)?;
        let phone = super::phone(&new.phone)?;
        let email = super::email(&new.email)?;
        let grants = checked_grants(grants)?;
        delegation::may_invite(actor, &grants)?;
        self.policy.password.check(&login, initial_password)?;
        let hash = self.hasher.hash(initial_password).await;

        let mut tx = self.write.begin().await?;
        if login_used(&mut tx, &login).await? {
            return Err(AccountsError::LoginTaken(login));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (login, display_name, body, phone, email, state, password_hash, \
             must_change_password, password_changed_ms, created_ms) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6, 1, $7, $7) RETURNING id",
        )
        .bind(&login)
        .bind(&display_name)
        .bind(&body)
        .bind(&phone)
        .bind(&email)
        .bind(&hash)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await?;
        for g in &grants {
            super::grants::insert(&mut tx, id, g, actor.person(), now_ms).await?;
        }
        let user = rows::load(&mut tx, id)
            .await?
            .ok_or_else(|| AccountsError::no_user(id))?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "user.create",
                user_id: Some(id),
                login: Some(&login),
                site: grants.iter().find_map(|g| g.scope.site()),
                after: Some(summary(&user)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// User `id`, with grants (no permission check: for the node's own use, such as a
    /// session's user).
    pub async fn get(&self, id: i64) -> Result<Option<User>, AccountsError> {
        rows::load(&mut *self.read.acquire().await?, id).await
    }

    /// User `id` as `viewer` may see them (see [`delegation::may_view_user`]); `NotFound`
    /// when they may not.
    pub async fn get_for(&self, viewer: &Access, id: i64) -> Result<User, AccountsError> {
        match self.get(id).await? {
            Some(u) if delegation::may_view_user(viewer, u.id, &u.grants) => Ok(u),
            _ => Err(AccountsError::no_user(id)),
        }
    }

    /// The user with login name `login` (any case).
    pub async fn by_login(&self, login: &str) -> Result<Option<User>, AccountsError> {
        let login = login.trim().to_lowercase();
        rows::load_by_login(&mut *self.read.acquire().await?, &login).await
    }

    /// A page of users as `viewer` may list them: platform admins and auditors everyone
    /// (or one site's people); site admins the people of a site of theirs (the query's
    /// site, or their only one).
    pub async fn list(
        &self,
        viewer: &Access,
        query: &UserQuery,
    ) -> Result<UserPage, AccountsError> {
        let mut site = query.site.clone();
        if !(viewer.is_platform_admin() || viewer.holds(Role::Auditor)) {
            let mine = viewer.administered_sites();
            if mine.is_empty() {
                return Err(Refusal::NotAnAdministrator.into());
            }
            match (&site, mine.as_slice()) {
                (None, [only]) => site = Some(only.to_string()),
                (Some(s), _) if mine.contains(&s.as_str()) => {}
                (s, _) => {
                    return Err(Refusal::OutsideOwnSites {
                        scope: s.clone().unwrap_or_default(),
                    }
                    .into());
                }
            }
        }
        let per_page = query.per_page.unwrap_or(PER_PAGE.0).clamp(1, PER_PAGE.1);
        let offset = (query.page.unwrap_or(1).max(1) - 1).saturating_mul(per_page);
        let text = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let (users, total) = rows::page(
            &mut *self.read.acquire().await?,
            site.as_deref(),
            text,
            query.state.map(UserState::as_str),
            offset,
            per_page,
        )
        .await?;
        Ok(UserPage { users, total })
    }

    /// Loads user `id` for a change by `actor` inside `conn`.
    pub(crate) async fn target(conn: &mut AnyConnection, id: i64) -> Result<User, AccountsError> {
        rows::load(conn, id)
            .await?
            .ok_or_else(|| AccountsError::no_user(id))
    }

    /// Changes the fields given of user `id`'s profile: their own, or one whose account
    /// `actor` manages.
    pub async fn update_profile(
        &self,
        actor: &Access,
        id: i64,
        update: &ProfileUpdate,
        now_ms: i64,
    ) -> Result<User, AccountsError> {
        let mut tx = self.write.begin().await?;
        let before = Self::target(&mut tx, id).await?;
        delegation::may_edit_profile(actor, id, &before.grants)?;
        let mut after = before.clone();
        let mut changed = Vec::new();
        if let Some(v) = &update.display_name {
            after.display_name = super::display_name(v)?;
            changed.push(format!("display_name={}", after.display_name));
        }
        if let Some(v) = &update.body {
            after.body = super::body(v)?;
            changed.push(format!("body={}", after.body));
        }
        if let Some(v) = &update.phone {
            after.phone = super::phone(v)?;
            changed.push("phone changed".into());
        }
        if let Some(v) = &update.email {
            after.email = super::email(v)?;
            changed.push("email changed".into());
        }
        if after == before {
            return Ok(before);
        }
        sqlx::query(
            "UPDATE users SET display_name = $1, body = $2, phone = $3, email = $4 WHERE id = $5",
        )
        .bind(&after.display_name)
        .bind(&after.body)
        .bind(&after.phone)
        .bind(&after.email)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "user.profile",
                user_id: Some(id),
                login: Some(&before.login),
                before: Some(format!(
                    "display_name={} body={}",
                    before.display_name, before.body
                )),
                after: Some(changed.join(" ")),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets user `id`'s state on behalf of `actor` (who manages the account, and is not its
    /// owner). Locking or disabling ends the user's sessions; making it active ends a
    /// lock-out by failed sign-ins.
    pub async fn set_state(
        &self,
        actor: &Access,
        id: i64,
        state: UserState,
        now_ms: i64,
    ) -> Result<User, AccountsError> {
        let mut tx = self.write.begin().await?;
        let mut user = Self::target(&mut tx, id).await?;
        delegation::may_manage_account(actor, id, &user.grants)?;
        let before = match (user.state, user.locked_until_ms) {
            (UserState::Locked, Some(until)) => format!("state=locked until_ms={until}"),
            (s, _) => format!("state={s}"),
        };
        sqlx::query("UPDATE users SET state = $1, locked_until_ms = NULL WHERE id = $2")
            .bind(state.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if state == UserState::Active {
            signin::throttle::clear(&mut tx, &signin::throttle::login_key(&user.login)).await?;
        } else {
            sessions::delete_all(&mut tx, id).await?;
        }
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "user.state",
                user_id: Some(id),
                login: Some(&user.login),
                before: Some(before),
                after: Some(format!("state={state}")),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        user.state = state;
        user.locked_until_ms = None;
        Ok(user)
    }

    /// Ends every session of user `id` on behalf of `actor`, who manages the account (a
    /// person signs out their own sessions with [`crate::SessionStore::revoke_all`]); how
    /// many ended.
    pub async fn sign_out_everywhere(
        &self,
        actor: &Access,
        id: i64,
        now_ms: i64,
    ) -> Result<u64, AccountsError> {
        let mut tx = self.write.begin().await?;
        let user = Self::target(&mut tx, id).await?;
        delegation::may_manage_account(actor, id, &user.grants)?;
        let n = sessions::delete_all(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "session.revoke_all",
                user_id: Some(id),
                login: Some(&user.login),
                after: Some(format!("{n} sessions ended by an administrator")),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Deletes user `id` on behalf of `actor`: their grants, sessions, second factor and
    /// tokens go; their login name is retired (never given to anyone else, since audit
    /// records and the four-eyes rule name people by it).
    pub async fn delete(&self, actor: &Access, id: i64, now_ms: i64) -> Result<(), AccountsError> {
        let mut tx = self.write.begin().await?;
        let user = Self::target(&mut tx, id).await?;
        delegation::may_manage_account(actor, id, &user.grants)?;
        if user.grants.iter().any(|g| g.role == Role::PlatformAdmin)
            && super::grants::platform_admins(&mut tx).await? <= 1
        {
            return Err(Refusal::LastPlatformAdmin.into());
        }
        sqlx::query("INSERT INTO retired_logins (login, retired_ms) VALUES ($1, $2)")
            .bind(&user.login)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM totp WHERE user_id = $1",
            "DELETE FROM user_grants WHERE user_id = $1",
            "UPDATE tokens SET revoked = 1 WHERE user_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "user.delete",
                user_id: Some(id),
                login: Some(&user.login),
                before: Some(summary(&user)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
