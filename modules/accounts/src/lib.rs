//! Accounts: staff users and their grants, sign-in (passwords, lock-out, TOTP), sessions,
//! API tokens, and the permission rules every admin route checks.
//!
//! Everything here lives on this node only: no table of this crate ever becomes a
//! federation entry.
//!
//! - [`Role`] × [`Scope`] is a [`Grant`]; a user holds several, and what they may do is the
//!   union: [`Access`]. A CLI token still resolves to a single-grant [`Principal`].
//! - People are identified by name: a user's login name (for their own tokens too), a CLI
//!   token's name. The four-eyes rule compares [`Access::person`], never tokens.
//! - Who may manage whom is [`delegation`] (pure functions); [`UserStore`] applies it and
//!   writes every change, with an [`AuditLog`] record, in one transaction.
//! - Passwords: argon2id, [`PasswordPolicy`]; sign-in: [`UserStore::authenticate`] with
//!   lock-out per login name and per client address ([`SignInPolicy`]); a second factor
//!   by TOTP with recovery codes, required for administrators.
//! - Sessions: [`SessionStore`], ids stored hashed, idle and absolute time-outs, rotation,
//!   and a CSRF token per session ([`csrf_token`], [`csrf_check`]).
//! - API tokens: 32 random bytes shown once, stored as a blake3 hash (they are
//!   high-entropy, so a fast hash is enough; argon2 is for passwords).
//! - Single sign-on: [`Oidc`], an OpenID Connect relying party (code flow with PKCE); its
//!   sign-in ends in the same [`Authenticated`] as a password's.
//!
//! Every refusal a member of staff reads has an English text (`Display`) and a Chinese one
//! (`chinese()`), naming the rule.

mod audit;
pub mod delegation;
mod error;
mod grant;
mod oidc;
mod password;
mod role;
mod secret;
mod sessions;
mod signin;
mod tokens;
mod totp;
mod users;

pub use audit::{AuditLog, AuditQuery, AuditRecord};
pub use delegation::Refusal;
pub use error::AccountsError;
pub use grant::{Access, Grant};
pub use oidc::{Oidc, OidcError, OidcFault, OidcSettings, OidcStart};
pub use password::{PasswordPolicy, PasswordRejected, PasswordRule};
pub use role::{Action, Principal, Role, Scope};
pub use secret::Secret;
pub use sessions::{
    ClientInfo, Session, SessionPolicy, SessionStage, SessionStore, SignedIn, csrf_check,
    csrf_token, pre_session_id,
};
pub use signin::{Authenticated, NextStep, SignInPolicy, SignInRefusal};
pub use tokens::{TokenStore, TokenSummary};
pub use totp::{
    RecoveryCodes, SecondFactor, SecondFactorMethod, SecondFactorPassed, SecondFactorRefusal,
    TotpEnrolment, needs_second_factor, otpauth_qr_svg, totp_code,
};
pub use users::{
    AccountsPolicy, NewUser, ProfileUpdate, User, UserPage, UserQuery, UserState, UserStore,
    validate_login,
};

/// This crate's tables as SQLite migrations, versions 3xxxx (`govnode::storage` merges all modules').
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Now, in unix milliseconds (for the few calls that take no `now`).
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
