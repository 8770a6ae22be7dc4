//! Bearer tokens: created once, stored hashed, resolved to a principal per request.

use serde::Serialize;
use sqlx::{AnyPool, Row};

use crate::{AccountsError, Principal, Role, Scope};

/// Prefix that makes a leaked token easy to recognise in logs and scanners.
const TOKEN_PREFIX: &str = "gnt_";

/// A token as listed (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenSummary {
    /// Row id.
    pub id: i64,
    /// Person or system behind it.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Site scope.
    pub site: Option<String>,
    /// Creation time (unix ms).
    pub created_ms: i64,
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

impl TokenStore {
    /// A store over the node's read and write pools.
    pub fn new(read: AnyPool, write: AnyPool) -> Self {
        TokenStore { read, write }
    }

    /// Creates a token and returns its secret (shown once) with its summary.
    /// `site_exists` is checked by the caller, which owns the site table.
    pub async fn create(
        &self,
        name: &str,
        role: Role,
        site: Option<&str>,
    ) -> Result<(String, TokenSummary), AccountsError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AccountsError::Invalid {
                field: "name",
                message: "must be 1 to 64 characters".into(),
            });
        }
        match (role, site) {
            (Role::PlatformAdmin, Some(_)) => {
                return Err(AccountsError::BadScope(
                    "a platform-admin token is not scoped to a site: drop --site".into(),
                ));
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
        let mut secret = [0u8; 32];
        rand::fill(&mut secret);
        let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
        let created_ms = chrono::Utc::now().timestamp_millis();
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
        };
        Ok((token, summary))
    }

    /// Resolves a presented token to its principal (`None`: unknown or revoked).
    pub async fn resolve(&self, token: &str) -> Result<Option<Principal>, AccountsError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let row =
            sqlx::query("SELECT name, role, site_id FROM tokens WHERE hash = $1 AND revoked = 0")
                .bind(hash(token))
                .fetch_optional(&self.read)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let role: Role = row.try_get::<String, _>("role")?.parse()?;
        Ok(Some(Principal {
            name: row.try_get("name")?,
            role,
            scope: Scope::of(role, row.try_get("site_id")?),
        }))
    }

    /// Lists tokens (summaries only).
    pub async fn list(&self) -> Result<Vec<TokenSummary>, AccountsError> {
        let rows = sqlx::query(
            "SELECT id, name, role, site_id, created_ms FROM tokens WHERE revoked = 0 ORDER BY id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok(TokenSummary {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    role: role.parse()?,
                    site: r.try_get("site_id")?,
                    created_ms: r.try_get("created_ms")?,
                })
            })
            .collect()
    }

    /// Revokes a token by id; returns whether one was revoked.
    pub async fn revoke(&self, id: i64) -> Result<bool, AccountsError> {
        let done = sqlx::query("UPDATE tokens SET revoked = 1 WHERE id = $1 AND revoked = 0")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
