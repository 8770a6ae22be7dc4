//! Sign-in with login name and password, and the lock-out after failures.
//!
//! What a sign-in answers, and why (enumeration: nobody learns from the answers which
//! login names exist):
//!
//! 1. The client address had too many failures (20 in 15 minutes): `Throttled`, for every
//!    name, without checking anything.
//! 2. The login name had too many failures (5 in 15 minutes): `Locked` until the lock ends,
//!    without checking the password. Failures are counted per login name *as typed*,
//!    whether or not an account has it, so an unknown name locks exactly like a real one.
//!    (Anyone may thus lock a colleague out for 15 minutes by failing 5 times; that is the
//!    price of a lock-out, bounded by the address throttle.)
//! 3. The password is checked, against the account's hash or, for an unknown name, a dummy
//!    hash of the same cost. Unknown name and wrong password answer the same
//!    `WrongCredentials` after the same work and the same writes (the failure reaching the
//!    limit answers `Locked`, for both alike).
//! 4. Only after a right password: a disabled account answers `Disabled`, an account locked
//!    by an administrator `LockedByAdministrator` (this tells the account's state only to
//!    someone who knows its password).
//! 5. Success clears the name's failures and says what comes next: the second factor
//!    (entered, or enrolled first where required) and whether the password must change.

pub(crate) mod throttle;

use std::fmt;

use crate::audit::{self, Entry};
use crate::totp::SecondFactor;
use crate::users::rows;
use crate::{AccountsError, User, UserState, UserStore, validate_login};

/// Lock-out rules: per login name and per client address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Failures of one login name that lock it (5).
    pub max_failures: i64,
    /// The window they are counted in, from the first (15 minutes).
    pub window_ms: i64,
    /// How long the name is then locked (15 minutes).
    pub lock_ms: i64,
    /// Failures from one client address that throttle it (20).
    pub max_failures_per_address: i64,
    /// The window they are counted in (15 minutes).
    pub address_window_ms: i64,
    /// How long the address is then refused (15 minutes).
    pub address_lock_ms: i64,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        const QUARTER: i64 = 15 * 60 * 1000;
        SignInPolicy {
            max_failures: 5,
            window_ms: QUARTER,
            lock_ms: QUARTER,
            max_failures_per_address: 20,
            address_window_ms: QUARTER,
            address_lock_ms: QUARTER,
        }
    }
}

/// Why a sign-in is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Unknown login name or wrong password: one answer for both.
    WrongCredentials,
    /// Too many failures for this login name (known or not): locked until then.
    Locked {
        /// Unix ms.
        until_ms: i64,
    },
    /// Too many failures from this client address: refused until then.
    Throttled {
        /// Unix ms.
        until_ms: i64,
    },
    /// The account is disabled (said only after a right password).
    Disabled,
    /// An administrator locked the account (said only after a right password).
    LockedByAdministrator,
}

/// A time as staff read it: Beijing time, rounded up to the minute (at the time named, the
/// lock is over).
fn minute(ms: i64) -> String {
    govnode_topology::beijing::minute(ms + 59_999)
}

impl SignInRefusal {
    /// The refusal in Chinese.
    pub fn chinese(&self) -> String {
        match self {
            SignInRefusal::WrongCredentials => "登录名或密码错误".into(),
            SignInRefusal::Locked { until_ms } => format!(
                "该登录名登录失败次数过多，已锁定至 {}（北京时间），请稍后再试",
                minute(*until_ms)
            ),
            SignInRefusal::Throttled { until_ms } => format!(
                "您所在网络地址的登录失败次数过多，请于 {}（北京时间）后再试",
                minute(*until_ms)
            ),
            SignInRefusal::Disabled => "该账号已停用，请联系管理员".into(),
            SignInRefusal::LockedByAdministrator => "该账号已被管理员锁定，请联系管理员解锁".into(),
        }
    }
}

impl fmt::Display for SignInRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignInRefusal::WrongCredentials => f.write_str("login name or password wrong"),
            SignInRefusal::Locked { until_ms } => write!(
                f,
                "too many failed sign-ins for this login name: locked until {} (Beijing time)",
                minute(*until_ms)
            ),
            SignInRefusal::Throttled { until_ms } => write!(
                f,
                "too many failed sign-ins from this address: try again after {} (Beijing time)",
                minute(*until_ms)
            ),
            SignInRefusal::Disabled => {
                f.write_str("this account is disabled: ask an administrator")
            }
            SignInRefusal::LockedByAdministrator => {
                f.write_str("this account is locked by an administrator: ask them to unlock it")
            }
        }
    }
}

/// What comes after the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Nothing: signed in (no second factor set up, none required).
    SignedIn,
    /// The TOTP code (or a recovery code) of the authenticator set up.
    EnterCode,
    /// Setting up an authenticator, which the user's grants require, then its first code.
    Enrol,
}

/// A right password: the proof [`crate::SessionStore::create`] takes (only
/// [`UserStore::authenticate`] makes one).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Authenticated {
    /// The user.
    pub user: User,
    /// The next step of the sign-in.
    pub next: NextStep,
    /// The password must be changed first (set by an administrator, or expired).
    pub must_change_password: bool,
    /// Signed in by single sign-on (the identity provider), not by a password.
    pub single_sign_on: bool,
}

impl UserStore {
    /// Checks a sign-in (see the module's documentation for what it answers and why);
    /// records it, success or failure, in the audit log (never the password).
    pub async fn authenticate(
        &self,
        login: &str,
        password: &str,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<Authenticated, AccountsError> {
        let name = login.trim().to_lowercase();
        let (login_key, address_key) =
            (throttle::login_key(&name), throttle::address_key(client_ip));
        let mut conn = self.read.acquire().await?;
        if let Some(until) = throttle::locked_until(&mut conn, &address_key, now_ms).await? {
            drop(conn);
            self.audit_sign_in(&name, None, client_ip, "sign_in.throttled", now_ms)
                .await?;
            return Err(SignInRefusal::Throttled { until_ms: until }.into());
        }
        if let Some(until) = throttle::locked_until(&mut conn, &login_key, now_ms).await? {
            drop(conn);
            self.audit_sign_in(&name, None, client_ip, "sign_in.locked", now_ms)
                .await?;
            return Err(SignInRefusal::Locked { until_ms: until }.into());
        }
        let user = match validate_login(&name) {
            Ok(l) => rows::load_by_login(&mut conn, &l).await?,
            Err(_) => None,
        };
        let stored = match &user {
            Some(u) => rows::password_hash(&mut conn, u.id).await?,
            None => None,
        };
        drop(conn);
        let right = self.hasher.verify(password, stored.as_deref()).await;
        let Some(mut user) = user.filter(|_| right) else {
            let locked = self
                .count_failure(&name, None, client_ip, "sign_in.fail", now_ms)
                .await?;
            return Err(match locked {
                Some(until) => SignInRefusal::Locked { until_ms: until },
                None => SignInRefusal::WrongCredentials,
            }
            .into());
        };
        let refusal = match (user.state_at(now_ms), user.locked_until_ms) {
            (UserState::Active, _) => None,
            (UserState::Disabled, _) => Some(SignInRefusal::Disabled),
            (UserState::Locked, Some(until)) => Some(SignInRefusal::Locked { until_ms: until }),
            (UserState::Locked, None) => Some(SignInRefusal::LockedByAdministrator),
        };
        if let Some(refusal) = refusal {
            self.audit_sign_in(&name, Some(&user), client_ip, "sign_in.refused", now_ms)
                .await?;
            return Err(refusal.into());
        }
        let mut tx = self.write.begin().await?;
        throttle::clear(&mut tx, &login_key).await?;
        sqlx::query(
            "UPDATE users SET last_sign_in_ms = $1, state = 'active', locked_until_ms = NULL \
             WHERE id = $2",
        )
        .bind(now_ms)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
        let second = SecondFactor::of(&user);
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: &user.login,
                action: "sign_in.password",
                user_id: Some(user.id),
                login: Some(&user.login),
                after: Some(format!("next: {:?}", second.next_step())),
                client: Some(client_ip),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        user.last_sign_in_ms = Some(now_ms);
        user.state = UserState::Active;
        user.locked_until_ms = None;
        Ok(Authenticated {
            must_change_password: user.password_must_change(&self.policy.password, now_ms),
            next: second.next_step(),
            single_sign_on: false,
            user,
        })
    }

    /// Counts a failed sign-in (or second factor, or current password) of login name
    /// `name` from `client_ip`, with its audit record; when the name reaches the limit it
    /// is locked (and the account, if there is one, shows as locked until then).
    /// Returns when the lock ends, if this failure started one.
    pub(crate) async fn count_failure(
        &self,
        name: &str,
        user: Option<&User>,
        client_ip: &str,
        action: &'static str,
        now_ms: i64,
    ) -> Result<Option<i64>, AccountsError> {
        let p = &self.policy.sign_in;
        let mut tx = self.write.begin().await?;
        let locked = throttle::count_failure(
            &mut tx,
            &throttle::login_key(name),
            now_ms,
            p.max_failures,
            p.window_ms,
            p.lock_ms,
        )
        .await?;
        throttle::count_failure(
            &mut tx,
            &throttle::address_key(client_ip),
            now_ms,
            p.max_failures_per_address,
            p.address_window_ms,
            p.address_lock_ms,
        )
        .await?;
        throttle::prune(&mut tx, now_ms, p.window_ms.max(p.address_window_ms)).await?;
        if let Some(until) = locked {
            // The account shows the lock-out (an administrator's lock and a disabled state
            // stay as they are).
            sqlx::query(
                "UPDATE users SET state = 'locked', locked_until_ms = $1 \
                 WHERE login = $2 AND (state = 'active' OR locked_until_ms IS NOT NULL)",
            )
            .bind(until)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        let shown = shown_name(name);
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: &shown,
                action,
                user_id: user.map(|u| u.id),
                login: Some(&shown),
                after: locked.map(|until| format!("locked until_ms={until}")),
                client: Some(client_ip),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(locked)
    }

    /// An audit record of a sign-in refused before or after the password.
    async fn audit_sign_in(
        &self,
        name: &str,
        user: Option<&User>,
        client_ip: &str,
        action: &'static str,
        now_ms: i64,
    ) -> Result<(), AccountsError> {
        let shown = shown_name(name);
        let mut conn = self.write.acquire().await?;
        audit::record(
            &mut conn,
            now_ms,
            Entry {
                actor: &shown,
                action,
                user_id: user.map(|u| u.id),
                login: Some(&shown),
                after: user.map(|u| format!("state={}", u.state)),
                client: Some(client_ip),
                ..Default::default()
            },
        )
        .await
    }
}

/// A typed login name as audit records show it: only if it is a well-formed login name
/// (someone typing their password into the name field must not have it logged).
fn shown_name(name: &str) -> String {
    validate_login(name).unwrap_or_else(|_| "(not a login name)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_in_both_languages() {
        let until = 1_700_000_000_000;
        let locked = SignInRefusal::Locked { until_ms: until };
        assert!(
            locked.chinese().contains("已锁定至"),
            "{}",
            locked.chinese()
        );
        assert!(locked.to_string().contains("locked until"));
        assert_eq!(
            SignInRefusal::WrongCredentials.chinese(),
            "登录名或密码错误"
        );
        assert_eq!(
            SignInRefusal::WrongCredentials.to_string(),
            "login name or password wrong"
        );
        for r in [
            SignInRefusal::Throttled { until_ms: until },
            SignInRefusal::Disabled,
            SignInRefusal::LockedByAdministrator,
        ] {
            assert!(!r.chinese().is_empty() && !r.to_string().is_empty());
        }
    }

    #[test]
    fn only_login_names_are_logged() {
        assert_eq!(shown_name("wang.wei"), "wang.wei");
        assert_eq!(shown_name("My Secret Pass!"), "(not a login name)");
    }
}
