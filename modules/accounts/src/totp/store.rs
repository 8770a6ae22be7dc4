//! The second factor of [`UserStore`]'s users: enrolment, verification (wrong codes count
//! towards the sign-in lock-out), recovery codes, removal and an administrator's reset.

use sqlx::{AnyConnection, Row};

use super::{
    RecoveryCodes, SecondFactorMethod, SecondFactorPassed, SecondFactorRefusal, TotpEnrolment,
    matching_step, needs_second_factor, new_secret, recovery, totp,
};
use crate::audit::{self, Entry};
use crate::delegation;
use crate::signin::throttle;
use crate::{Access, AccountsError, Secret, SignInRefusal, User, UserStore, sessions};

/// A user's TOTP row: the confirmed secret, one being enrolled, the last step used.
struct Stored {
    secret: Option<Vec<u8>>,
    pending: Option<Vec<u8>>,
    last_step: i64,
}

async fn stored(conn: &mut AnyConnection, user_id: i64) -> Result<Stored, AccountsError> {
    let row = sqlx::query("SELECT secret, pending_secret, last_step FROM totp WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    let bytes = |hex: Option<String>| hex.and_then(|h| hex::decode(h).ok());
    Ok(match row {
        Some(r) => Stored {
            secret: bytes(r.try_get("secret")?),
            pending: bytes(r.try_get("pending_secret")?),
            last_step: r.try_get("last_step")?,
        },
        None => Stored {
            secret: None,
            pending: None,
            last_step: -1,
        },
    })
}

impl UserStore {
    async fn user(&self, id: i64) -> Result<User, AccountsError> {
        self.get(id)
            .await?
            .ok_or_else(|| AccountsError::no_user(id))
    }

    async fn audit_user(
        &self,
        conn: &mut AnyConnection,
        user: &User,
        action: &'static str,
        after: Option<String>,
        client_ip: Option<&str>,
        now_ms: i64,
    ) -> Result<(), AccountsError> {
        audit::record(
            conn,
            now_ms,
            Entry {
                actor: &user.login,
                action,
                user_id: Some(user.id),
                login: Some(&user.login),
                after,
                client: client_ip,
                ..Default::default()
            },
        )
        .await
    }

    /// Starts setting up an authenticator for user `id`: a new secret, its otpauth:// URI
    /// (show the QR code), until [`UserStore::totp_confirm`] confirms it with a first code.
    /// Refused when one is set up already (so a half-signed-in session cannot replace it).
    pub async fn totp_begin(&self, id: i64, now_ms: i64) -> Result<TotpEnrolment, AccountsError> {
        let user = self.user(id).await?;
        if user.second_factor_enrolled {
            return Err(SecondFactorRefusal::AlreadyEnrolled.into());
        }
        let secret = new_secret();
        let t = totp(&secret, &self.policy.totp_issuer, &user.login);
        let uri = t.to_url().expect("a TOTP with an account name has a URL");
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO totp (user_id, pending_secret) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET pending_secret = excluded.pending_secret",
        )
        .bind(id)
        .bind(hex::encode(&secret))
        .execute(&mut *tx)
        .await?;
        self.audit_user(&mut tx, &user, "second_factor.begin", None, None, now_ms)
            .await?;
        tx.commit().await?;
        Ok(TotpEnrolment {
            secret: Secret::new(t.secret().to_base32()),
            uri: Secret::new(uri),
        })
    }

    /// Confirms user `id`'s enrolment with a first code of the new authenticator: it
    /// becomes their second factor, with 10 new recovery codes (shown once). The code also
    /// passes the second factor of a sign-in under way.
    pub async fn totp_confirm(
        &self,
        id: i64,
        code: &str,
        now_ms: i64,
    ) -> Result<(RecoveryCodes, SecondFactorPassed), AccountsError> {
        let user = self.user(id).await?;
        let mut tx = self.write.begin().await?;
        let s = stored(&mut tx, id).await?;
        if s.secret.is_some() {
            return Err(SecondFactorRefusal::AlreadyEnrolled.into());
        }
        let pending = s.pending.ok_or(SecondFactorRefusal::NoEnrolment)?;
        let step = matching_step(&pending, code, now_ms).ok_or(SecondFactorRefusal::WrongCode)?;
        sqlx::query(
            "UPDATE totp SET secret = pending_secret, pending_secret = NULL, last_step = $1, \
             confirmed_ms = $2 WHERE user_id = $3",
        )
        .bind(step)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let codes = recovery::replace(&mut tx, id, now_ms).await?;
        self.audit_user(&mut tx, &user, "second_factor.enrol", None, None, now_ms)
            .await?;
        tx.commit().await?;
        Ok((codes, SecondFactorPassed::new(id, SecondFactorMethod::Totp)))
    }

    /// Checks user `id`'s second factor: a 6-digit code of their authenticator (±1 step,
    /// each step once) or one of their recovery codes (used up). A wrong code counts as a
    /// failed sign-in of their login name and the client address.
    pub async fn verify_second_factor(
        &self,
        id: i64,
        code: &str,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<SecondFactorPassed, AccountsError> {
        let user = self.user(id).await?;
        let (login_key, address_key) = (
            throttle::login_key(&user.login),
            throttle::address_key(client_ip),
        );
        let mut conn = self.read.acquire().await?;
        if let Some(until) = throttle::locked_until(&mut conn, &address_key, now_ms).await? {
            return Err(SignInRefusal::Throttled { until_ms: until }.into());
        }
        if let Some(until) = throttle::locked_until(&mut conn, &login_key, now_ms).await? {
            return Err(SignInRefusal::Locked { until_ms: until }.into());
        }
        drop(conn);
        let mut tx = self.write.begin().await?;
        let s = stored(&mut tx, id).await?;
        let secret = s.secret.ok_or(SecondFactorRefusal::NotEnrolled)?;
        let method = match matching_step(&secret, code, now_ms) {
            Some(step) if step <= s.last_step => {
                return Err(SecondFactorRefusal::CodeReused.into());
            }
            Some(step) => {
                // `last_step < step` again in the update: of two requests with one code,
                // one wins.
                let won = sqlx::query(
                    "UPDATE totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1",
                )
                .bind(step)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if won == 0 {
                    return Err(SecondFactorRefusal::CodeReused.into());
                }
                Some(SecondFactorMethod::Totp)
            }
            None => recovery::use_up(&mut tx, id, code)
                .await?
                .map(|remaining| SecondFactorMethod::RecoveryCode { remaining }),
        };
        let Some(method) = method else {
            drop(tx);
            let locked = self
                .count_failure(
                    &user.login,
                    Some(&user),
                    client_ip,
                    "second_factor.fail",
                    now_ms,
                )
                .await?;
            return Err(match locked {
                Some(until) => SignInRefusal::Locked { until_ms: until }.into(),
                None => SecondFactorRefusal::WrongCode.into(),
            });
        };
        throttle::clear(&mut tx, &login_key).await?;
        let after = match method {
            SecondFactorMethod::Totp => "totp".to_string(),
            SecondFactorMethod::RecoveryCode { remaining } => {
                format!("recovery code; {remaining} left")
            }
        };
        self.audit_user(
            &mut tx,
            &user,
            "second_factor.ok",
            Some(after),
            Some(client_ip),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(SecondFactorPassed::new(id, method))
    }

    /// New recovery codes for user `id` (the old ones stop working), after a second factor
    /// passed in this request.
    pub async fn new_recovery_codes(
        &self,
        passed: SecondFactorPassed,
        now_ms: i64,
    ) -> Result<RecoveryCodes, AccountsError> {
        let user = self.user(passed.user_id).await?;
        let mut tx = self.write.begin().await?;
        let codes = recovery::replace(&mut tx, user.id, now_ms).await?;
        self.audit_user(
            &mut tx,
            &user,
            "second_factor.recovery_codes",
            None,
            None,
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// User `id` removes their own authenticator, proving it with a code; refused for
    /// administrators, who must keep one.
    pub async fn totp_remove(
        &self,
        id: i64,
        code: &str,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<(), AccountsError> {
        let user = self.user(id).await?;
        if needs_second_factor(&user) {
            return Err(SecondFactorRefusal::Required.into());
        }
        self.verify_second_factor(id, code, client_ip, now_ms)
            .await?;
        let mut tx = self.write.begin().await?;
        remove(&mut tx, id).await?;
        self.audit_user(
            &mut tx,
            &user,
            "second_factor.remove",
            None,
            Some(client_ip),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An administrator who manages user `id`'s account removes their authenticator and
    /// recovery codes (a lost phone); the user's sessions end, and they enrol again at the
    /// next sign-in if their grants require it.
    pub async fn totp_reset(
        &self,
        actor: &Access,
        id: i64,
        now_ms: i64,
    ) -> Result<(), AccountsError> {
        let user = self.user(id).await?;
        delegation::may_manage_account(actor, id, &user.grants)?;
        let mut tx = self.write.begin().await?;
        remove(&mut tx, id).await?;
        sessions::delete_all(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "second_factor.reset",
                user_id: Some(id),
                login: Some(&user.login),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Deletes user `id`'s authenticator and recovery codes.
async fn remove(conn: &mut AnyConnection, id: i64) -> Result<(), AccountsError> {
    sqlx::query("DELETE FROM totp WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
