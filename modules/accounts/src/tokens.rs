//! Bearer tokens: created once, stored hashed, resolved per request.
//!
//! Two kinds: a command-line token (a name, one role and scope, no owner or expiry) and a
//! user's own token (owner, label, optional expiry, grants that are a subset of the
//! owner's). A user's token acts as its owner (their login name is the person, for the
//! four-eyes rule) and never beyond the owner's grants *as they are now*: a grant the owner
//! lost is gone from their tokens too, and a disabled owner's tokens stop working.

use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::audit::{self, Entry};
use crate::delegation::{self, Refusal};
use crate::users::rows;
use crate::{Access, AccountsError, Grant, Principal, Role, Scope, Secret, UserState};

/// Prefix that makes a leaked token easy to recognise in logs and scanners.
const TOKEN_PREFIX: &str = "gnt_";

/// A token as listed (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenSummary {
    /// Row id.
    pub id: i64,
    /// Person or system behind it (a user's token: the owner's login name).
    pub name: String,
    /// Role (a user's token: its first grant's).
    pub role: Role,
    /// Site or body scope (a user's token: its first grant's).
    pub site: Option<String>,
    /// Creation time (unix ms).
    pub created_ms: i64,
    /// The owner, for a user's token.
    pub user_id: Option<i64>,
    /// What the owner calls it.
    pub label: String,
    /// When it stops working (unix ms); `None`: never.
    pub expires_ms: Option<i64>,
    /// Everything it grants (at most; a user's token never more than its owner now holds).
    pub grants: Vec<Grant>,
}

/// The token table.
#[derive(Debug, Clone)]
pub struct TokenStore {
    read: AnyPool,
    write: AnyPool,
}

fn hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", hex::encode(crate::secret::random_32()))
}

const SELECT: &str =
    "SELECT id, name, role, site_id, created_ms, user_id, label, expires_ms FROM tokens";

/// A token's summary from a row of [`SELECT`], with its grants.
async fn summary_of(
    conn: &mut AnyConnection,
    row: &sqlx::any::AnyRow,
) -> Result<TokenSummary, AccountsError> {
    let id: i64 = row.try_get("id")?;
    let role: Role = row.try_get::<String, _>("role")?.parse()?;
    let site: Option<String> = row.try_get("site_id")?;
    let user_id: Option<i64> = row.try_get("user_id")?;
    let grants = if user_id.is_some() {
        let rows = sqlx::query(
            "SELECT role, scope_id, columns FROM token_grants WHERE token_id = $1 ORDER BY role, scope_id",
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
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![Grant {
            role,
            scope: Scope::of(role, site.clone()),
            columns: None,
        }]
    };
    Ok(TokenSummary {
        id,
        name: row.try_get("name")?,
        role,
        site,
        created_ms: row.try_get("created_ms")?,
        user_id,
        label: row.try_get("label")?,
        expires_ms: row.try_get("expires_ms")?,
        grants,
    })
}

impl TokenStore {
    /// A store over the node's read and write pools.
    pub fn new(read: AnyPool, write: AnyPool) -> Self {
        TokenStore { read, write }
    }

    /// Creates a command-line token and returns its secret (shown once) with its summary.
    /// `site_exists` is checked by the caller, which owns the site table.
    pub async fn create(
        &self,
        name: &str,
        role: Role,
        site: Option<&str>,
    ) -> Result<(String, TokenSummary), AccountsError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AccountsError::invalid(
                "name",
                "must be 1 to 64 characters",
                "名称须为 1 至 64 个字符",
            ));
        }
        match (role, site) {
            (Role::PlatformAdmin | Role::Auditor, Some(_)) => {
                return Err(AccountsError::BadScope(format!(
                    "a {role} token is not scoped to a site: drop --site"
                )));
            }
            (Role::SiteAdmin | Role::Editor | Role::Reviewer, None) => {
                return Err(AccountsError::BadScope(format!(
                    "a {role} token needs --site SITE"
                )));
            }
            (Role::Handler, None) => {
                return Err(AccountsError::BadScope(
                    "a handler token needs --site BODY (the body id, e.g. 440000.hrss)".into(),
                ));
            }
            _ => {}
        }
        let token = new_token();
        let created_ms = crate::now_ms();
        let row = sqlx::query(
            "INSERT INTO tokens (name, role, site_id, hash, created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(site)
        .bind(hash(&token))
        .bind(created_ms)
        .fetch_one(&self.write)
        .await?;
        let summary = TokenSummary {
            id: row.try_get("id")?,
            name: name.to_string(),
            role,
            site: site.map(String::from),
            created_ms,
            user_id: None,
            label: String::new(),
            expires_ms: None,
            grants: vec![Grant {
                role,
                scope: Scope::of(role, site.map(String::from)),
                columns: None,
            }],
        };
        Ok((token, summary))
    }

    /// A signed-in user (`owner`) creates a token for themselves with `grants`, each
    /// covered by one of their own (wider is refused: [`delegation::may_give_token`]),
    /// valid until `expires_ms` (or until revoked). Returns the secret (shown once).
    pub async fn create_for_user(
        &self,
        owner: &Access,
        label: &str,
        grants: &[Grant],
        expires_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(Secret, TokenSummary), AccountsError> {
        let Some(user_id) = owner.user_id else {
            return Err(Refusal::NotAnAdministrator.into());
        };
        let label = label.trim();
        if label.chars().count() > 64 || label.chars().any(char::is_control) {
            return Err(AccountsError::invalid(
                "label",
                "at most 64 characters",
                "令牌名称最多 64 个字符",
            ));
        }
        if expires_ms.is_some_and(|e| e <= now_ms) {
            return Err(AccountsError::invalid(
                "expires_ms",
                "must be in the future",
                "到期时间须晚于现在",
            ));
        }
        let grants = crate::users::checked_grants(grants)?;
        delegation::may_give_token(owner, &grants)?;
        let first = &grants[0];
        let token = new_token();
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tokens (name, role, site_id, hash, created_ms, user_id, label, expires_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(owner.person())
        .bind(first.role.as_str())
        .bind((!first.scope.id().is_empty()).then(|| first.scope.id()))
        .bind(hash(&token))
        .bind(now_ms)
        .bind(user_id)
        .bind(label)
        .bind(expires_ms)
        .fetch_one(&mut *tx)
        .await?;
        for g in &grants {
            sqlx::query(
                "INSERT INTO token_grants (token_id, role, scope_id, columns) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(g.role.as_str())
            .bind(g.scope.id())
            .bind(g.columns_text())
            .execute(&mut *tx)
            .await?;
        }
        let shown: Vec<String> = grants.iter().map(Grant::summary).collect();
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: owner.person(),
                action: "token.create",
                user_id: Some(user_id),
                login: Some(owner.person()),
                after: Some(format!(
                    "token {id} label={label} grants={} expires_ms={}",
                    shown.join(","),
                    expires_ms.map_or("never".into(), |e| e.to_string())
                )),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        let summary = TokenSummary {
            id,
            name: owner.person().to_string(),
            role: first.role,
            site: (!first.scope.id().is_empty()).then(|| first.scope.id().to_string()),
            created_ms: now_ms,
            user_id: Some(user_id),
            label: label.to_string(),
            expires_ms,
            grants,
        };
        Ok((Secret::new(token), summary))
    }

    /// Resolves a presented token to what it may do at `now_ms` (`None`: unknown, revoked,
    /// expired, or its owner may no longer sign in or holds none of its grants any more).
    pub async fn resolve_access(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<Access>, AccountsError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let mut conn = self.read.acquire().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE hash = $1 AND revoked = 0"
        )))
        .bind(hash(token))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let t = summary_of(&mut conn, &row).await?;
        if t.expires_ms.is_some_and(|e| e <= now_ms) {
            return Ok(None);
        }
        let Some(user_id) = t.user_id else {
            return Ok(Some(Access {
                name: t.name,
                user_id: None,
                grants: t.grants,
            }));
        };
        let Some(owner) = rows::load(&mut conn, user_id).await? else {
            return Ok(None);
        };
        let usable = match owner.state {
            UserState::Active => true,
            UserState::Locked => owner.locked_until_ms.is_some(),
            UserState::Disabled => false,
        };
        let holds = owner.access();
        let grants: Vec<Grant> = t.grants.into_iter().filter(|g| holds.covers(g)).collect();
        if !usable || grants.is_empty() {
            return Ok(None);
        }
        Ok(Some(Access::user(owner.id, &owner.login, grants)))
    }

    /// Resolves a presented token to a single-grant principal (the API's bearer tokens
    /// today): a command-line token's role and scope; for a user's token, its first grant
    /// without a column limit (a principal cannot carry one), else `None`. Prefer
    /// [`TokenStore::resolve_access`].
    pub async fn resolve(&self, token: &str) -> Result<Option<Principal>, AccountsError> {
        let Some(access) = self.resolve_access(token, crate::now_ms()).await? else {
            return Ok(None);
        };
        Ok(access
            .grants
            .into_iter()
            .find(|g| g.columns.is_none())
            .map(|g| Principal {
                name: access.name,
                role: g.role,
                scope: g.scope,
            }))
    }

    /// Lists every live token (summaries only).
    pub async fn list(&self) -> Result<Vec<TokenSummary>, AccountsError> {
        self.list_where("revoked = 0", None).await
    }

    /// Lists user `user_id`'s live tokens.
    pub async fn list_for_user(&self, user_id: i64) -> Result<Vec<TokenSummary>, AccountsError> {
        self.list_where("revoked = 0 AND user_id = $1", Some(user_id))
            .await
    }

    async fn list_where(
        &self,
        filter: &str,
        user_id: Option<i64>,
    ) -> Result<Vec<TokenSummary>, AccountsError> {
        let mut conn = self.read.acquire().await?;
        let sql = format!("{SELECT} WHERE {filter} ORDER BY id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(u) = user_id {
            q = q.bind(u);
        }
        let rows = q.fetch_all(&mut *conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(summary_of(&mut conn, r).await?);
        }
        Ok(out)
    }

    /// Revokes a token by id; returns whether one was revoked.
    pub async fn revoke(&self, id: i64) -> Result<bool, AccountsError> {
        let done = sqlx::query("UPDATE tokens SET revoked = 1 WHERE id = $1 AND revoked = 0")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// `actor` revokes token `id`: one of their own, or any as a platform admin; audited.
    /// Whether one was revoked.
    pub async fn revoke_own(
        &self,
        actor: &Access,
        id: i64,
        now_ms: i64,
    ) -> Result<bool, AccountsError> {
        let mut tx = self.write.begin().await?;
        let owner: Option<Option<i64>> =
            sqlx::query_scalar("SELECT user_id FROM tokens WHERE id = $1 AND revoked = 0")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(owner) = owner else { return Ok(false) };
        if !actor.is_platform_admin() && (owner.is_none() || owner != actor.user_id) {
            return Err(AccountsError::NotFound {
                what: "token",
                id: id.to_string(),
            });
        }
        sqlx::query("UPDATE tokens SET revoked = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            now_ms,
            Entry {
                actor: actor.person(),
                action: "token.revoke",
                user_id: owner,
                after: Some(format!("token {id} revoked")),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
