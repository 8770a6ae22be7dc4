//! Failed sign-ins counted per key: `login:<name>` (whether or not an account has that
//! name, so a lock-out tells nothing about which names exist) and `addr:<client>` (an IPv6
//! client by its /64, which one host usually holds whole).
//!
//! Failures are counted in a window from the first; the failure that reaches the limit
//! locks the key until `now + lock`, and the count starts again.

use std::net::IpAddr;

use sqlx::AnyConnection;

use crate::AccountsError;

/// The longest login name kept in a key (longer input is cut; real names are ≤ 40).
const MAX_KEY_NAME: usize = 64;

/// The key of login name `name` as typed (trimmed, lower-cased, cut).
pub(crate) fn login_key(name: &str) -> String {
    let name: String = name
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_KEY_NAME)
        .collect();
    format!("login:{name}")
}

/// The key of a client address: IPv4 as is, IPv6 by its /64, anything else as given (cut).
pub(crate) fn address_key(client: &str) -> String {
    match client.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => format!("addr:{v4}"),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => format!(
            "addr:{}",
            client.trim().chars().take(MAX_KEY_NAME).collect::<String>()
        ),
    }
}

/// Until when `key` is locked at `now_ms`, if it is.
pub(crate) async fn locked_until(
    conn: &mut AnyConnection,
    key: &str,
    now_ms: i64,
) -> Result<Option<i64>, AccountsError> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT locked_until_ms FROM sign_in_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(until.filter(|u| *u > now_ms))
}

/// Counts a failure of `key` at `now_ms`; `Some(until)` when it reaches `limit` within
/// `window_ms` of the window's first, which locks the key for `lock_ms`.
pub(crate) async fn count_failure(
    conn: &mut AnyConnection,
    key: &str,
    now_ms: i64,
    limit: i64,
    window_ms: i64,
    lock_ms: i64,
) -> Result<Option<i64>, AccountsError> {
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_throttle (key, failures, window_start_ms, locked_until_ms) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN sign_in_throttle.window_start_ms + $3 <= $2 THEN 1 \
                           ELSE sign_in_throttle.failures + 1 END, \
           window_start_ms = CASE WHEN sign_in_throttle.window_start_ms + $3 <= $2 THEN $2 \
                                  ELSE sign_in_throttle.window_start_ms END \
         RETURNING failures",
    )
    .bind(key)
    .bind(now_ms)
    .bind(window_ms)
    .fetch_one(&mut *conn)
    .await?;
    if failures < limit {
        return Ok(None);
    }
    let until = now_ms + lock_ms;
    sqlx::query(
        "UPDATE sign_in_throttle SET locked_until_ms = $1, failures = 0, window_start_ms = $2 \
         WHERE key = $3",
    )
    .bind(until)
    .bind(now_ms)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(Some(until))
}

/// Forgets `key`'s failures and lock (a good sign-in, an administrator's unlock).
pub(crate) async fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), AccountsError> {
    sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops keys whose window and lock are over at `now_ms` (`window_ms`: the longest window).
pub(crate) async fn prune(
    conn: &mut AnyConnection,
    now_ms: i64,
    window_ms: i64,
) -> Result<(), AccountsError> {
    sqlx::query(
        "DELETE FROM sign_in_throttle WHERE window_start_ms + $1 <= $2 AND locked_until_ms <= $2",
    )
    .bind(window_ms)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(login_key(" Wang "), "login:wang");
        assert_eq!(address_key("203.0.113.9"), "addr:203.0.113.9");
        assert_eq!(address_key("::ffff:203.0.113.9"), "addr:203.0.113.9");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:bbbb::9")
        );
        assert_eq!(address_key("2001:db8:1:2::1"), "addr:2001:db8:1:2::/64");
        assert_ne!(
            address_key("2001:db8:1:3::1"),
            address_key("2001:db8:1:2::1")
        );
    }
}
