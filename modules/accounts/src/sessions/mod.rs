//! Server-side sign-in sessions.
//!
//! A session id is 32 random bytes, given to the browser as 64 hex characters and stored
//! only as its blake3 hash. A session ends after [`SessionPolicy::idle_ms`] without use or
//! [`SessionPolicy::absolute_ms`] after it began, whichever comes first; a session that has
//! only passed the password ([`SessionStage::PasswordOnly`]) is not signed in and lasts
//! [`SessionPolicy::pending_ms`] at most. The id changes whenever the session gains
//! privilege (the second factor passed, the password changed), so an id planted before
//! (session fixation) is worthless after.

mod csrf;
mod table;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use sqlx::AnyPool;

use crate::signin::Authenticated;
use crate::totp::SecondFactorPassed;
use crate::users::rows;
use crate::{Access, AccountsError, AccountsPolicy, NextStep, Secret, User, UserState};

pub use csrf::{csrf_check, csrf_token, pre_session_id};
pub(crate) use table::{delete_all, keep_only_rotated};

/// Session time-outs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ends after this long without use (30 minutes).
    pub idle_ms: i64,
    /// Ends this long after sign-in whatever happens (12 hours).
    pub absolute_ms: i64,
    /// A session waiting for its second factor ends this long after the password (10 minutes).
    pub pending_ms: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_ms: 30 * 60 * 1000,
            absolute_ms: 12 * 60 * 60 * 1000,
            pending_ms: 10 * 60 * 1000,
        }
    }
}

/// How far a sign-in has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// Only the password passed: the second factor (or its enrolment) comes next. Not
    /// signed in: [`SessionStore::resolve`] does not answer for it.
    PasswordOnly,
    /// Signed in.
    SignedIn,
}

impl SessionStage {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SessionStage::PasswordOnly => "password",
            SessionStage::SignedIn => "signed_in",
        }
    }

    pub(crate) fn parse(s: &str) -> SessionStage {
        if s == "signed_in" {
            SessionStage::SignedIn
        } else {
            SessionStage::PasswordOnly
        }
    }
}

/// Where a session was opened from (shown in the user's list of sessions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClientInfo {
    /// The client's address.
    pub address: String,
    /// Its User-Agent (cut to 256 characters).
    pub user_agent: String,
}

/// A session (never its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    /// Row id (to name a session in the user's list: [`SessionStore::revoke_by_id`]).
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// How far the sign-in has got.
    pub stage: SessionStage,
    /// When it began (unix ms).
    pub created_ms: i64,
    /// When it was last used.
    pub last_seen_ms: i64,
    /// When it ends unless used again.
    pub expires_ms: i64,
    /// Where from.
    pub client: ClientInfo,
    /// Opened by single sign-on (no password was used).
    pub single_sign_on: bool,
}

/// A signed-in request's session, user and access.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session.
    pub session: Session,
    /// The user.
    pub user: User,
    /// What they may do now (their grants as they are now).
    pub access: Access,
    /// They must change their password before anything else.
    pub must_change_password: bool,
}

/// The sessions table.
#[derive(Clone)]
pub struct SessionStore {
    read: AnyPool,
    write: AnyPool,
    policy: Arc<AccountsPolicy>,
}

impl fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionStore")
            .field("policy", &self.policy.sessions)
            .finish_non_exhaustive()
    }
}

impl SessionStore {
    /// A store over the node's pools with the default policy.
    pub fn new(read: AnyPool, write: AnyPool) -> Self {
        Self::with_policy(read, write, AccountsPolicy::default())
    }

    /// A store with `policy` (its sessions' time-outs and its password expiry).
    pub fn with_policy(read: AnyPool, write: AnyPool, policy: AccountsPolicy) -> Self {
        SessionStore {
            read,
            write,
            policy: Arc::new(policy),
        }
    }

    /// Opens a session after a right password: signed in at once when no second factor
    /// comes next, else [`SessionStage::PasswordOnly`]. Returns its id (for the cookie,
    /// shown once). Always a new id: a session the browser held before is not reused (end
    /// it with [`SessionStore::revoke`]).
    pub async fn create(
        &self,
        auth: &Authenticated,
        client: &ClientInfo,
        now_ms: i64,
    ) -> Result<(Secret, Session), AccountsError> {
        let stage = if auth.next == NextStep::SignedIn {
            SessionStage::SignedIn
        } else {
            SessionStage::PasswordOnly
        };
        table::insert(
            &self.write,
            &self.policy.sessions,
            auth.user.id,
            stage,
            auth.single_sign_on,
            client,
            now_ms,
        )
        .await
    }

    /// The session of id `secret` at `now_ms`, without using it; an expired one is
    /// deleted and `None`.
    pub async fn get(&self, secret: &str, now_ms: i64) -> Result<Option<Session>, AccountsError> {
        let Some(hash) = table::hash_of(secret) else {
            return Ok(None);
        };
        let policy = &self.policy.sessions;
        match table::by_hash(&mut *self.read.acquire().await?, policy, &hash).await? {
            Some(s) if s.expires_ms > now_ms => Ok(Some(s)),
            Some(s) => {
                table::delete(&self.write, s.id).await?;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Uses the session: as [`SessionStore::get`], and the idle time-out starts again.
    pub async fn touch(&self, secret: &str, now_ms: i64) -> Result<Option<Session>, AccountsError> {
        let Some(mut s) = self.get(secret, now_ms).await? else {
            return Ok(None);
        };
        table::touch(&self.write, s.id, now_ms).await?;
        s.last_seen_ms = now_ms;
        s.expires_ms = table::expiry(&self.policy.sessions, s.stage, s.created_ms, now_ms);
        Ok(Some(s))
    }

    /// A signed-in request: the session (used now), its user and their access as they are
    /// now. `None` for an unknown or expired id, a session still waiting for its second
    /// factor, or a user who may no longer sign in (disabled, locked by an administrator:
    /// their session ends).
    pub async fn resolve(
        &self,
        secret: &str,
        now_ms: i64,
    ) -> Result<Option<SignedIn>, AccountsError> {
        let Some(session) = self.touch(secret, now_ms).await? else {
            return Ok(None);
        };
        if session.stage != SessionStage::SignedIn {
            return Ok(None);
        }
        let user = rows::load(&mut *self.read.acquire().await?, session.user_id).await?;
        // A lock-out by failed sign-ins (someone guessing the password) leaves the
        // owner's sessions alone; an administrator's lock or disabling ends them.
        let keeps = |u: &User| match u.state {
            UserState::Active => true,
            UserState::Locked => u.locked_until_ms.is_some(),
            UserState::Disabled => false,
        };
        let Some(user) = user.filter(keeps) else {
            table::delete(&self.write, session.id).await?;
            return Ok(None);
        };
        Ok(Some(SignedIn {
            // A password to change is asked when a password was used to sign in.
            must_change_password: !session.single_sign_on
                && user.password_must_change(&self.policy.password, now_ms),
            access: user.access(),
            session,
            user,
        }))
    }

    /// Completes a sign-in waiting for its second factor: the session becomes signed in
    /// under a new id (returned). `None` if the session is gone or not `passed`'s user's.
    pub async fn complete_second_factor(
        &self,
        secret: &str,
        passed: SecondFactorPassed,
        now_ms: i64,
    ) -> Result<Option<Secret>, AccountsError> {
        match self.get(secret, now_ms).await? {
            Some(s) if s.user_id == passed.user_id => {
                table::rotate(&self.write, s.id, Some(SessionStage::SignedIn), now_ms).await
            }
            _ => Ok(None),
        }
    }

    /// Gives the session a new id (returned), ending the old one.
    pub async fn rotate(&self, secret: &str, now_ms: i64) -> Result<Option<Secret>, AccountsError> {
        match self.get(secret, now_ms).await? {
            Some(s) => table::rotate(&self.write, s.id, None, now_ms).await,
            None => Ok(None),
        }
    }

    /// Ends the session of id `secret` (signing out); whether there was one.
    pub async fn revoke(&self, secret: &str) -> Result<bool, AccountsError> {
        match table::hash_of(secret) {
            Some(hash) => table::delete_by_hash(&self.write, &hash).await,
            None => Ok(false),
        }
    }

    /// Ends session `id` of user `user_id` (from their list of sessions).
    pub async fn revoke_by_id(&self, user_id: i64, id: i64) -> Result<bool, AccountsError> {
        table::delete_of_user(&self.write, user_id, id).await
    }

    /// Ends every session of user `user_id` (signing out everywhere); how many, audited.
    pub async fn revoke_all(&self, user_id: i64, now_ms: i64) -> Result<u64, AccountsError> {
        table::revoke_all_audited(&self.write, user_id, now_ms).await
    }

    /// User `user_id`'s sessions that have not expired, newest first.
    pub async fn list(&self, user_id: i64, now_ms: i64) -> Result<Vec<Session>, AccountsError> {
        let all = table::of_user(
            &mut *self.read.acquire().await?,
            &self.policy.sessions,
            user_id,
        )
        .await?;
        Ok(all.into_iter().filter(|s| s.expires_ms > now_ms).collect())
    }

    /// Deletes every expired session (for a periodic worker); how many.
    pub async fn prune(&self, now_ms: i64) -> Result<u64, AccountsError> {
        table::prune(&self.write, &self.policy.sessions, now_ms).await
    }
}
