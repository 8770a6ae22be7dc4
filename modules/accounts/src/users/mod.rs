//! Staff users of this node: the types, field checks, and [`UserStore`] (its operations are
//! split by concern: `store` accounts, `grants`, `passwords`; sign-in and the second
//! factor live in `crate::signin` and `crate::totp`).

mod grants;
mod passwords;
pub(crate) mod rows;
mod store;

pub(crate) use store::checked_grants;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;

use crate::password::hash::Hasher;
use crate::{Access, AccountsError, Grant, PasswordPolicy, SessionPolicy, SignInPolicy};

/// The rules of this module a node may configure.
#[derive(Debug, Clone)]
pub struct AccountsPolicy {
    /// What passwords must be.
    pub password: PasswordPolicy,
    /// Lock-out after failed sign-ins.
    pub sign_in: SignInPolicy,
    /// Session time-outs.
    pub sessions: SessionPolicy,
    /// The issuer authenticator apps show next to the account (no `:`).
    pub totp_issuer: String,
}

impl Default for AccountsPolicy {
    fn default() -> Self {
        AccountsPolicy {
            password: PasswordPolicy::default(),
            sign_in: SignInPolicy::default(),
            sessions: SessionPolicy::default(),
            totp_issuer: "govnode".into(),
        }
    }
}

/// An account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserState {
    /// Signs in.
    Active,
    /// Does not sign in: locked by an administrator, or by failed sign-ins until a time.
    Locked,
    /// Does not sign in; kept for the record.
    Disabled,
}

impl UserState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Active => "active",
            UserState::Locked => "locked",
            UserState::Disabled => "disabled",
        }
    }

    /// The state as staff read it.
    pub fn chinese(self) -> &'static str {
        match self {
            UserState::Active => "正常",
            UserState::Locked => "已锁定",
            UserState::Disabled => "已停用",
        }
    }
}

impl fmt::Display for UserState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserState {
    type Err = AccountsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(UserState::Active),
            "locked" => Ok(UserState::Locked),
            "disabled" => Ok(UserState::Disabled),
            other => Err(AccountsError::invalid(
                "state",
                format!("unknown state `{other}`: expected active, locked or disabled"),
                format!("未知状态“{other}”：应为正常、已锁定或已停用"),
            )),
        }
    }
}

/// A member of staff (never their password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name: unique, 3–40 of `a-z0-9._-`; the person's identity, never changed.
    pub login: String,
    /// Name shown.
    pub display_name: String,
    /// The government body they work for (free text).
    pub body: String,
    /// Phone (may be empty).
    pub phone: String,
    /// E-mail (may be empty).
    pub email: String,
    /// Stored state (see [`User::state_at`] for a lock-out that has run out).
    pub state: UserState,
    /// With `Locked`: locked by failed sign-ins until then; `None`: by an administrator.
    pub locked_until_ms: Option<i64>,
    /// The password was set by an administrator: changed at the next sign-in.
    pub must_change_password: bool,
    /// When the password was last set (unix ms).
    pub password_changed_ms: i64,
    /// When the account was made (unix ms).
    pub created_ms: i64,
    /// The last successful sign-in (unix ms).
    pub last_sign_in_ms: Option<i64>,
    /// Whether a TOTP authenticator is set up.
    pub second_factor_enrolled: bool,
    /// What they hold.
    pub grants: Vec<Grant>,
}

impl User {
    /// What the user may do.
    pub fn access(&self) -> Access {
        Access::user(self.id, &self.login, self.grants.clone())
    }

    /// The state at `now_ms`: a lock-out by failed sign-ins ends by itself.
    pub fn state_at(&self, now_ms: i64) -> UserState {
        match (self.state, self.locked_until_ms) {
            (UserState::Locked, Some(until)) if until <= now_ms => UserState::Active,
            (state, _) => state,
        }
    }

    /// Whether the user must set a new password before anything else: one set by an
    /// administrator, or one past the policy's expiry.
    pub fn password_must_change(&self, policy: &PasswordPolicy, now_ms: i64) -> bool {
        self.must_change_password || policy.expired(self.password_changed_ms, now_ms)
    }
}

/// A new account's profile.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUser {
    /// Login name (lower-cased).
    pub login: String,
    /// Name shown.
    pub display_name: String,
    /// Government body (free text).
    #[serde(default)]
    pub body: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
}

/// A change of profile: the fields given change.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileUpdate {
    /// Name shown.
    pub display_name: Option<String>,
    /// Government body.
    pub body: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// Which users to list, a page at a time.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserQuery {
    /// Only people with a grant on this site.
    pub site: Option<String>,
    /// Login or display name containing this.
    pub text: Option<String>,
    /// Only this state (as stored).
    pub state: Option<UserState>,
    /// Page (1-based; default 1).
    pub page: Option<i64>,
    /// Users per page (default 50, at most 200).
    pub per_page: Option<i64>,
}

/// A page of users.
#[derive(Debug, Clone, Serialize)]
pub struct UserPage {
    /// The users, by login name.
    pub users: Vec<User>,
    /// How many match in all.
    pub total: i64,
}

/// The users, their grants and second factors, and sign-in.
#[derive(Clone)]
pub struct UserStore {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    pub(crate) policy: Arc<AccountsPolicy>,
    pub(crate) hasher: Hasher,
}

impl fmt::Debug for UserStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserStore")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl UserStore {
    /// A store over the node's read and write pools with the default policy.
    pub fn new(read: AnyPool, write: AnyPool) -> Self {
        Self::with_policy(read, write, AccountsPolicy::default())
    }

    /// A store with `policy`.
    pub fn with_policy(read: AnyPool, write: AnyPool, policy: AccountsPolicy) -> Self {
        UserStore {
            read,
            write,
            policy: Arc::new(policy),
            hasher: Hasher::new(),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &AccountsPolicy {
        &self.policy
    }
}

/// A login name, lower-cased, if it is one: 3–40 of `a-z0-9._-`.
pub fn validate_login(login: &str) -> Result<String, AccountsError> {
    let login = login.trim().to_lowercase();
    let ok = (3..=40).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(login)
    } else {
        Err(AccountsError::invalid(
            "login",
            "3 to 40 characters of a-z, 0-9, '.', '_' and '-'",
            "登录名须为 3 至 40 位小写字母、数字或 . _ -",
        ))
    }
}

/// A text field trimmed, within `max` characters, without control characters; `min` 1
/// makes it required.
fn text(
    field: &'static str,
    label: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, AccountsError> {
    let value = value.trim();
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(char::is_control) {
        let (en, zh) = if min > 0 {
            (
                format!("{min} to {max} characters, no control characters"),
                format!("{label}须为 {min} 至 {max} 个字符"),
            )
        } else {
            (
                format!("at most {max} characters, no control characters"),
                format!("{label}最多 {max} 个字符"),
            )
        };
        return Err(AccountsError::invalid(field, en, zh));
    }
    Ok(value.to_string())
}

pub(crate) fn display_name(v: &str) -> Result<String, AccountsError> {
    text("display_name", "姓名", v, 1, 64)
}

pub(crate) fn body(v: &str) -> Result<String, AccountsError> {
    text("body", "所在单位", v, 0, 100)
}

pub(crate) fn phone(v: &str) -> Result<String, AccountsError> {
    let v = text("phone", "电话", v, 0, 30)?;
    let ok = v.is_empty()
        || (v.bytes().any(|b| b.is_ascii_digit())
            && v.bytes()
                .all(|b| b.is_ascii_digit() || b"+-() ".contains(&b)));
    if ok {
        Ok(v)
    } else {
        Err(AccountsError::invalid(
            "phone",
            "digits, spaces and + - ( ) only",
            "电话只能包含数字、空格和 + - ( )",
        ))
    }
}

pub(crate) fn email(v: &str) -> Result<String, AccountsError> {
    let v = text("email", "电子邮箱", v, 0, 254)?;
    let ok = v.is_empty()
        || v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.contains(char::is_whitespace)
        });
    if ok {
        Ok(v)
    } else {
        Err(AccountsError::invalid(
            "email",
            "not an e-mail address",
            "电子邮箱格式不正确",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names() {
        assert_eq!(validate_login(" Wang.Wei_2 ").unwrap(), "wang.wei_2");
        for bad in ["ab", "王伟", "wang wei", &"a".repeat(41), "x@y"] {
            let err = validate_login(bad).unwrap_err();
            assert!(err.chinese().contains("登录名"), "{bad}");
        }
    }

    #[test]
    fn profile_fields() {
        assert_eq!(display_name(" 王伟 ").unwrap(), "王伟");
        assert!(display_name("").is_err());
        assert!(phone("020-8888 6666").is_ok());
        assert!(phone("call me").is_err());
        assert!(email("wang@gd.gov.cn").is_ok());
        assert!(email("").is_ok());
        assert!(email("wang@").is_err());
        assert!(body(&"局".repeat(101)).is_err());
    }

    #[test]
    fn a_lock_out_ends_by_itself() {
        let mut u = User {
            id: 1,
            login: "wang".into(),
            display_name: "王".into(),
            body: String::new(),
            phone: String::new(),
            email: String::new(),
            state: UserState::Locked,
            locked_until_ms: Some(1_000),
            must_change_password: false,
            password_changed_ms: 0,
            created_ms: 0,
            last_sign_in_ms: None,
            second_factor_enrolled: false,
            grants: vec![],
        };
        assert_eq!(u.state_at(999), UserState::Locked);
        assert_eq!(u.state_at(1_000), UserState::Active);
        u.locked_until_ms = None;
        assert_eq!(u.state_at(i64::MAX), UserState::Locked);
    }
}
