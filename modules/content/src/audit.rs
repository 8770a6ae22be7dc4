//! The audit log: who did what, when, to which object. Written in the same transaction
//! as the change it records, so neither exists without the other.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::{Content, ContentError, now_ms};

/// One audit record.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// Row id (increasing).
    pub id: i64,
    /// Time (unix ms).
    pub at_ms: i64,
    /// Token name, or `import`/`scheduler` for system actions.
    pub actor: String,
    /// What was done: create, revise, submit, approve, reject, publish, …
    pub action: String,
    /// Site concerned, if any.
    pub site: Option<String>,
    /// Kind of object: site, column, article, template, column-template-set.
    pub object_kind: String,
    /// Object id.
    pub object_id: String,
    /// Free detail (reason, revision number, …).
    pub detail: String,
}

/// Appends an audit record inside the caller's transaction.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    site: Option<&str>,
    object: (&str, &str),
    detail: &str,
) -> Result<(), ContentError> {
    sqlx::query(
        "INSERT INTO audit (at_ms, actor, action, site_id, object_kind, object_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now_ms())
    .bind(actor)
    .bind(action)
    .bind(site)
    .bind(object.0)
    .bind(object.1)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

impl Content {
    /// Audit records, newest first, optionally for one site and before an id (paging).
    pub async fn audit(
        &self,
        site: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, ContentError> {
        let rows = sqlx::query(
            "SELECT id, at_ms, actor, action, site_id, object_kind, object_id, detail FROM audit \
             WHERE (CAST($1 AS TEXT) IS NULL OR site_id = $1) AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(site)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: r.try_get("id")?,
                    at_ms: r.try_get("at_ms")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    site: r.try_get("site_id")?,
                    object_kind: r.try_get("object_kind")?,
                    object_id: r.try_get("object_id")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}
