//! Setting passwords: an administrator's reset (to be changed at the next sign-in) and a
//! user's own change (which rotates their session and ends their other sessions).

use super::{UserStore, rows};
use crate::audit::{self, Entry};
use crate::delegation;
use crate::signin::throttle;
use crate::{
    Access, AccountsError, PasswordRejected, PasswordRule, Secret, SignInRefusal, sessions,
};

impl UserStore {
    /// Sets user `id`'s password on behalf of `actor` (who manages the account): policy-
    /// checked, to be changed at the next sign-in; the user's sessions end.
    pub async fn reset_password(
        &self,
        actor: &Access,
        id: i64,
        new_password: &str,
        now_ms: i64,
    ) -> Result<(), AccountsError> {
        let user = self
            .get(id)
            .await?
            .ok_or_else(|| AccountsError::no_user(id))?;
        delegation::may_manage_account(actor, id, &user.grants)?;
        self.policy.password.check(&user.login, new_password)?;
        let hash = self.hasher.hash(new_password).await;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 1, password_changed_ms = $2 \
             WHERE id = $3",
        )
        .bind(&hash)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sessions::delete_all(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "user.password.reset",
                user_id: Some(id),
                login: Some(&user.login),
                after: Some("password set by an administrator; to be changed at sign-in".into()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// User `id` changes their own password: the current one must be right (a wrong one
    /// counts as a failed sign-in), the new one must pass the policy and differ. In the
    /// same transaction every other session of the user ends and `session` (the one the
    /// change is made in, if any) gets a new id, which is returned.
    pub async fn change_password(
        &self,
        id: i64,
        current: &str,
        new_password: &str,
        session: Option<&str>,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<Option<Secret>, AccountsError> {
        let user = self
            .get(id)
            .await?
            .ok_or_else(|| AccountsError::no_user(id))?;
        let key = throttle::login_key(&user.login);
        if let Some(until) =
            throttle::locked_until(&mut *self.read.acquire().await?, &key, now_ms).await?
        {
            return Err(SignInRefusal::Locked { until_ms: until }.into());
        }
        let stored = rows::password_hash(&mut *self.read.acquire().await?, id).await?;
        if !self.hasher.verify(current, stored.as_deref()).await {
            let locked = self
                .count_failure(
                    &user.login,
                    Some(&user),
                    client_ip,
                    "user.password.wrong",
                    now_ms,
                )
                .await?;
            return Err(match locked {
                Some(until) => SignInRefusal::Locked { until_ms: until }.into(),
                None => AccountsError::invalid(
                    "current_password",
                    "the current password is wrong",
                    "当前密码不正确",
                ),
            });
        }
        let mut broken = match self.policy.password.check(&user.login, new_password) {
            Ok(()) => vec![],
            Err(e) => e.rules,
        };
        if self.hasher.verify(new_password, stored.as_deref()).await {
            broken.push(PasswordRule::SameAsCurrent);
        }
        if !broken.is_empty() {
            return Err(PasswordRejected { rules: broken }.into());
        }
        let hash = self.hasher.hash(new_password).await;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0, password_changed_ms = $2 \
             WHERE id = $3",
        )
        .bind(&hash)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let rotated = sessions::keep_only_rotated(&mut tx, id, session, now_ms).await?;
        throttle::clear(&mut tx, &key).await?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: &user.login,
                action: "user.password.change",
                user_id: Some(id),
                login: Some(&user.login),
                after: Some("password changed; other sessions ended".into()),
                client: Some(client_ip),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rotated)
    }
}
