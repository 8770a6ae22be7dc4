//! The `sessions` table: ids, hashes, expiry arithmetic and the statements.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::{ClientInfo, Session, SessionPolicy, SessionStage};
use crate::audit::{self, Entry};
use crate::secret::random_32;
use crate::{AccountsError, Secret};

/// Characters of a User-Agent kept.
const MAX_USER_AGENT: usize = 256;

/// The 32 bytes of a session id as given to the browser (64 hex characters).
pub(crate) fn secret_bytes(secret: &str) -> Option<[u8; 32]> {
    let secret = secret.trim();
    if secret.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(secret, &mut bytes).ok()?;
    Some(bytes)
}

/// The stored hash of a session id (`None`: not a session id).
pub(crate) fn hash_of(secret: &str) -> Option<String> {
    secret_bytes(secret).map(|b| blake3::hash(&b).to_hex().to_string())
}

/// A new session id and its hash.
fn new_secret() -> (Secret, String) {
    let bytes = random_32();
    (
        Secret::new(hex::encode(bytes)),
        blake3::hash(&bytes).to_hex().to_string(),
    )
}

/// When a session of `stage` begun at `created_ms` and last used at `last_seen_ms` ends.
pub(crate) fn expiry(
    policy: &SessionPolicy,
    stage: SessionStage,
    created_ms: i64,
    last_seen_ms: i64,
) -> i64 {
    let mut end = (last_seen_ms + policy.idle_ms).min(created_ms + policy.absolute_ms);
    if stage == SessionStage::PasswordOnly {
        end = end.min(created_ms + policy.pending_ms);
    }
    end
}

const SELECT: &str = "SELECT id, user_id, stage, created_ms, last_seen_ms, client, user_agent, single_sign_on \
     FROM sessions";

fn session_of(row: &AnyRow, policy: &SessionPolicy) -> Result<Session, AccountsError> {
    let stage = SessionStage::parse(&row.try_get::<String, _>("stage")?);
    let created_ms = row.try_get("created_ms")?;
    let last_seen_ms = row.try_get("last_seen_ms")?;
    Ok(Session {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        stage,
        created_ms,
        last_seen_ms,
        expires_ms: expiry(policy, stage, created_ms, last_seen_ms),
        client: ClientInfo {
            address: row.try_get("client")?,
            user_agent: row.try_get("user_agent")?,
        },
        single_sign_on: row.try_get::<i64, _>("single_sign_on")? != 0,
    })
}

pub(crate) async fn insert(
    write: &AnyPool,
    policy: &SessionPolicy,
    user_id: i64,
    stage: SessionStage,
    single_sign_on: bool,
    client: &ClientInfo,
    now_ms: i64,
) -> Result<(Secret, Session), AccountsError> {
    let (secret, hash) = new_secret();
    let client = ClientInfo {
        address: client.address.chars().take(64).collect(),
        user_agent: client.user_agent.chars().take(MAX_USER_AGENT).collect(),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (hash, user_id, stage, created_ms, last_seen_ms, client, user_agent, \
         single_sign_on) VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&hash)
    .bind(user_id)
    .bind(stage.as_str())
    .bind(now_ms)
    .bind(&client.address)
    .bind(&client.user_agent)
    .bind(i64::from(single_sign_on))
    .fetch_one(write)
    .await?;
    let session = Session {
        id,
        user_id,
        stage,
        created_ms: now_ms,
        last_seen_ms: now_ms,
        expires_ms: expiry(policy, stage, now_ms, now_ms),
        client,
        single_sign_on,
    };
    Ok((secret, session))
}

pub(crate) async fn by_hash(
    conn: &mut AnyConnection,
    policy: &SessionPolicy,
    hash: &str,
) -> Result<Option<Session>, AccountsError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE hash = $1")))
        .bind(hash)
        .fetch_optional(conn)
        .await?;
    row.map(|r| session_of(&r, policy)).transpose()
}

pub(crate) async fn of_user(
    conn: &mut AnyConnection,
    policy: &SessionPolicy,
    user_id: i64,
) -> Result<Vec<Session>, AccountsError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE user_id = $1 ORDER BY created_ms DESC, id DESC"
    )))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| session_of(r, policy)).collect()
}

pub(crate) async fn touch(write: &AnyPool, id: i64, now_ms: i64) -> Result<(), AccountsError> {
    sqlx::query("UPDATE sessions SET last_seen_ms = $1 WHERE id = $2 AND last_seen_ms < $1")
        .bind(now_ms)
        .bind(id)
        .execute(write)
        .await?;
    Ok(())
}

/// Gives session `id` a new id (and `stage`, if given); the new id, if the session exists.
pub(crate) async fn rotate(
    write: &AnyPool,
    id: i64,
    stage: Option<SessionStage>,
    now_ms: i64,
) -> Result<Option<Secret>, AccountsError> {
    rotate_on(&mut *write.acquire().await?, id, stage, now_ms).await
}

async fn rotate_on(
    conn: &mut AnyConnection,
    id: i64,
    stage: Option<SessionStage>,
    now_ms: i64,
) -> Result<Option<Secret>, AccountsError> {
    let (secret, hash) = new_secret();
    let done = sqlx::query(
        "UPDATE sessions SET hash = $1, stage = COALESCE($2, stage), last_seen_ms = $3 WHERE id = $4",
    )
    .bind(&hash)
    .bind(stage.map(SessionStage::as_str))
    .bind(now_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok((done.rows_affected() == 1).then_some(secret))
}

pub(crate) async fn delete(write: &AnyPool, id: i64) -> Result<(), AccountsError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(write)
        .await?;
    Ok(())
}

pub(crate) async fn delete_by_hash(write: &AnyPool, hash: &str) -> Result<bool, AccountsError> {
    let done = sqlx::query("DELETE FROM sessions WHERE hash = $1")
        .bind(hash)
        .execute(write)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn delete_of_user(
    write: &AnyPool,
    user_id: i64,
    id: i64,
) -> Result<bool, AccountsError> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(write)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of user `user_id` (inside a change's transaction); how many.
pub(crate) async fn delete_all(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<u64, AccountsError> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of user `user_id` but `keep` (if it is theirs), which gets a new id
/// (returned): after a password change.
pub(crate) async fn keep_only_rotated(
    conn: &mut AnyConnection,
    user_id: i64,
    keep: Option<&str>,
    now_ms: i64,
) -> Result<Option<Secret>, AccountsError> {
    let kept: Option<i64> = match keep.and_then(hash_of) {
        Some(hash) => {
            sqlx::query_scalar("SELECT id FROM sessions WHERE hash = $1 AND user_id = $2")
                .bind(hash)
                .bind(user_id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id != $2")
        .bind(user_id)
        .bind(kept.unwrap_or(-1))
        .execute(&mut *conn)
        .await?;
    match kept {
        Some(id) => rotate_on(conn, id, None, now_ms).await,
        None => Ok(None),
    }
}

/// Signs user `user_id` out everywhere, with an audit record; how many sessions ended.
pub(crate) async fn revoke_all_audited(
    write: &AnyPool,
    user_id: i64,
    now_ms: i64,
) -> Result<u64, AccountsError> {
    let mut tx = write.begin().await?;
    let login: Option<String> = sqlx::query_scalar("SELECT login FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(login) = login else {
        return Err(AccountsError::no_user(user_id));
    };
    let n = delete_all(&mut tx, user_id).await?;
    audit::record(
        &mut tx,
        now_ms,
        Entry {
            actor: &login,
            action: "session.revoke_all",
            user_id: Some(user_id),
            login: Some(&login),
            after: Some(format!("{n} sessions ended")),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Deletes every expired session; how many.
pub(crate) async fn prune(
    write: &AnyPool,
    policy: &SessionPolicy,
    now_ms: i64,
) -> Result<u64, AccountsError> {
    let done = sqlx::query(
        "DELETE FROM sessions WHERE last_seen_ms + $1 <= $4 OR created_ms + $2 <= $4 \
         OR (stage = 'password' AND created_ms + $3 <= $4)",
    )
    .bind(policy.idle_ms)
    .bind(policy.absolute_ms)
    .bind(policy.pending_ms)
    .bind(now_ms)
    .execute(write)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_hashes() {
        let (secret, hash) = new_secret();
        assert_eq!(secret.expose().len(), 64);
        assert_eq!(hash_of(secret.expose()).unwrap(), hash);
        assert_ne!(hash, secret.expose());
        assert!(hash_of("short").is_none());
        assert!(hash_of(&"z".repeat(64)).is_none());
    }

    #[test]
    fn expiry_is_the_earliest_limit() {
        let p = SessionPolicy {
            idle_ms: 30,
            absolute_ms: 100,
            pending_ms: 10,
        };
        assert_eq!(expiry(&p, SessionStage::SignedIn, 0, 0), 30);
        assert_eq!(expiry(&p, SessionStage::SignedIn, 0, 90), 100);
        assert_eq!(expiry(&p, SessionStage::PasswordOnly, 0, 5), 10);
    }
}
