//! Reading users and grants from their rows (shared by the stores of this crate).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{AccountsError, Grant, User};

/// The columns of a [`User`] (with whether a TOTP secret is confirmed).
const SELECT_USER: &str = "SELECT u.id, u.login, u.display_name, u.body, u.phone, u.email, u.state, \
     u.locked_until_ms, u.must_change_password, u.password_changed_ms, u.created_ms, \
     u.last_sign_in_ms, CASE WHEN t.secret IS NULL THEN 0 ELSE 1 END AS enrolled \
     FROM users u LEFT JOIN totp t ON t.user_id = u.id";

/// A user from a row of [`SELECT_USER`] and their grants.
fn user_of(row: &AnyRow, grants: Vec<Grant>) -> Result<User, AccountsError> {
    Ok(User {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
        body: row.try_get("body")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        state: row.try_get::<String, _>("state")?.parse()?,
        locked_until_ms: row.try_get("locked_until_ms")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        password_changed_ms: row.try_get("password_changed_ms")?,
        created_ms: row.try_get("created_ms")?,
        last_sign_in_ms: row.try_get("last_sign_in_ms")?,
        second_factor_enrolled: row.try_get::<i64, _>("enrolled")? != 0,
        grants,
    })
}

/// The grants of user `id`, by role and scope.
pub(crate) async fn grants_of(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<Grant>, AccountsError> {
    let rows = sqlx::query(
        "SELECT role, scope_id, columns FROM user_grants WHERE user_id = $1 ORDER BY role, scope_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Grant::from_stored(
                &r.try_get::<String, _>("role")?,
                &r.try_get::<String, _>("scope_id")?,
                r.try_get("columns")?,
            )
        })
        .collect()
}

/// Users from rows of [`SELECT_USER`], each with its grants.
async fn users_of(conn: &mut AnyConnection, rows: &[AnyRow]) -> Result<Vec<User>, AccountsError> {
    let mut users = Vec::with_capacity(rows.len());
    for row in rows {
        let grants = grants_of(conn, row.try_get("id")?).await?;
        users.push(user_of(row, grants)?);
    }
    Ok(users)
}

/// User `id`.
pub(crate) async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<User>, AccountsError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT_USER} WHERE u.id = $1"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(users_of(conn, &rows).await?.pop())
}

/// The user with login name `login` (already lower-cased).
pub(crate) async fn load_by_login(
    conn: &mut AnyConnection,
    login: &str,
) -> Result<Option<User>, AccountsError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT_USER} WHERE u.login = $1"
    )))
    .bind(login)
    .fetch_all(&mut *conn)
    .await?;
    Ok(users_of(conn, &rows).await?.pop())
}

/// A page of users matching the filters, by login name, and how many match in all.
pub(crate) async fn page(
    conn: &mut AnyConnection,
    site: Option<&str>,
    text: Option<&str>,
    state: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<User>, i64), AccountsError> {
    const FILTER: &str = "WHERE ($1 IS NULL OR EXISTS (SELECT 1 FROM user_grants g \
                 WHERE g.user_id = u.id AND g.scope_id = $1 \
                   AND g.role IN ('site-admin', 'editor', 'reviewer'))) \
         AND ($2 IS NULL OR u.login LIKE $2 ESCAPE '\\' OR u.display_name LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR u.state = $3)";
    // A LIKE pattern for "contains", its wildcards escaped.
    let text = text.map(|t| {
        let escaped: String = t
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '\\' | '%' | '_' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        format!("%{escaped}%")
    });
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM users u {FILTER}"
    )))
    .bind(site)
    .bind(text.as_deref())
    .bind(state)
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT_USER} {FILTER} ORDER BY u.login LIMIT $4 OFFSET $5"
    )))
    .bind(site)
    .bind(text.as_deref())
    .bind(state)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    Ok((users_of(conn, &rows).await?, total))
}

/// The stored password hash of user `id`.
pub(crate) async fn password_hash(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<String>, AccountsError> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}
