//! The accounts audit log: every change to users and grants and every sign-in, written in
//! the transaction of the change. Summaries only: never a password, a hash, a session id
//! or a TOTP secret.

use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::delegation::Refusal;
use crate::{Access, AccountsError, Role};

/// Records returned at most per page.
const MAX_PAGE: i64 = 500;

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Row id (descending order: newest first).
    pub id: i64,
    /// When (unix ms).
    pub at_ms: i64,
    /// Who: the person's name (a login name, a command-line token's name), or the login
    /// name tried for a sign-in.
    pub actor: String,
    /// What: `user.create`, `grant.add`, `sign_in.fail`, …
    pub action: String,
    /// The user concerned.
    pub user_id: Option<i64>,
    /// Their login name.
    pub login: Option<String>,
    /// The site concerned (grant changes).
    pub site: Option<String>,
    /// Summary before the change.
    pub before: Option<String>,
    /// Summary after the change.
    pub after: Option<String>,
    /// The client address (sign-ins).
    pub client: Option<String>,
}

/// What to list: filters and a page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only records about this user.
    pub user_id: Option<i64>,
    /// Only records about this site (site admins must name one of theirs).
    pub site: Option<String>,
    /// Only records older than this id (the next page).
    pub before_id: Option<i64>,
    /// Records at most (default 100, at most 500).
    pub limit: Option<i64>,
}

/// A record to write.
#[derive(Debug, Default)]
pub(crate) struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'static str,
    pub user_id: Option<i64>,
    pub login: Option<&'a str>,
    pub site: Option<&'a str>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub client: Option<&'a str>,
}

/// Writes `entry` at `at_ms` on `conn` (inside the change's transaction).
pub(crate) async fn record(
    conn: &mut AnyConnection,
    at_ms: i64,
    entry: Entry<'_>,
) -> Result<(), AccountsError> {
    sqlx::query(
        "INSERT INTO accounts_audit (at_ms, actor, action, user_id, login, site_id, before, after, client) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(at_ms)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.user_id)
    .bind(entry.login)
    .bind(entry.site)
    .bind(entry.before)
    .bind(entry.after)
    .bind(entry.client)
    .execute(conn)
    .await?;
    Ok(())
}

/// Reading the accounts audit log.
#[derive(Debug, Clone)]
pub struct AuditLog {
    read: AnyPool,
}

impl AuditLog {
    /// The log over the node's read pool.
    pub fn new(read: AnyPool) -> Self {
        AuditLog { read }
    }

    /// Records matching `query`, newest first, as `reader` may see them: platform admins
    /// and auditors every record, site admins those of a site of theirs (named in the query).
    pub async fn list(
        &self,
        reader: &Access,
        query: &AuditQuery,
    ) -> Result<Vec<AuditRecord>, AccountsError> {
        let everything = reader.is_platform_admin() || reader.holds(Role::Auditor);
        if !everything {
            let sites = reader.administered_sites();
            if sites.is_empty() {
                return Err(Refusal::NotAnAdministrator.into());
            }
            match query.site.as_deref() {
                Some(s) if sites.contains(&s) => {}
                other => {
                    return Err(Refusal::OutsideOwnSites {
                        scope: other.unwrap_or_default().to_string(),
                    }
                    .into());
                }
            }
        }
        let limit = query.limit.unwrap_or(100).clamp(1, MAX_PAGE);
        let rows = sqlx::query(
            "SELECT id, at_ms, actor, action, user_id, login, site_id, before, after, client \
             FROM accounts_audit \
             WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR site_id = $2) \
               AND ($3 IS NULL OR id < $3) \
             ORDER BY id DESC LIMIT $4",
        )
        .bind(query.user_id)
        .bind(query.site.as_deref())
        .bind(query.before_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: r.try_get("id")?,
                    at_ms: r.try_get("at_ms")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    user_id: r.try_get("user_id")?,
                    login: r.try_get("login")?,
                    site: r.try_get("site_id")?,
                    before: r.try_get("before")?,
                    after: r.try_get("after")?,
                    client: r.try_get("client")?,
                })
            })
            .collect()
    }
}
