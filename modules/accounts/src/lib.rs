//! Accounts: API tokens, roles scoped to sites, and the permission rules every admin route checks.
//!
//! A token is 32 random bytes shown once; only its blake3 hash is stored. Tokens are
//! high-entropy, so a fast hash is enough (argon2 is for low-entropy passwords).
//! A token's `name` is the person or system behind it: the four-eyes rule compares names,
//! so one person holding an editor and a reviewer token still cannot approve their own work.

mod role;
mod tokens;

pub use role::{Action, Principal, Role, Scope};
pub use tokens::{TokenStore, TokenSummary};

/// This crate's tables as SQLite migrations, versions 3xxxx (`govnode::storage` merges all modules').
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Errors of the accounts module.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Unknown role name.
    #[error("unknown role `{0}`: expected platform-admin, site-admin, editor or reviewer")]
    UnknownRole(String),
    /// A site-scoped role without a site, or a platform role with one.
    #[error("{0}")]
    BadScope(String),
    /// A field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}
