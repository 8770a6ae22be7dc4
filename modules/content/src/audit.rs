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
    /// Records that `actor` read something sensitive outside content (e.g. `view-personal`
    /// on object kind `ticket`, id its tracking code), under no site; `detail` must hold no
    /// personal data.
    pub async fn record_access(
        &self,
        actor: &str,
        action: &str,
        object: (&str, &str),
        detail: &str,
    ) -> Result<(), ContentError> {
        let mut conn = self.write.acquire().await?;
        record(&mut conn, actor, action, None, object, detail).await
    }

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

    /// Audit records matching `f`, newest first, one page of them, with how many match.
    pub async fn audit_filtered(&self, f: &AuditFilter) -> Result<AuditPage, ContentError> {
        if f.sites.as_ref().is_some_and(Vec::is_empty) {
            return Ok(AuditPage::default());
        }
        let mut cond = String::from(" WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        enum Bind<'a> {
            Text(&'a str),
            Int(i64),
        }
        let mut binds: Vec<Bind<'_>> = Vec::new();
        if let Some(sites) = &f.sites {
            let marks: Vec<String> = sites.iter().map(|_| next()).collect();
            cond.push_str(&format!(" AND site_id IN ({})", marks.join(", ")));
            binds.extend(sites.iter().map(|s| Bind::Text(s)));
        }
        if let Some(actor) = f.actor.as_deref().filter(|a| !a.is_empty()) {
            cond.push_str(&format!(" AND actor = {}", next()));
            binds.push(Bind::Text(actor));
        }
        if let Some(action) = f.action.as_deref().filter(|a| !a.is_empty()) {
            cond.push_str(&format!(" AND action = {}", next()));
            binds.push(Bind::Text(action));
        }
        if let Some(from) = f.from_ms {
            cond.push_str(&format!(" AND at_ms >= {}", next()));
            binds.push(Bind::Int(from));
        }
        if let Some(to) = f.to_ms {
            cond.push_str(&format!(" AND at_ms < {}", next()));
            binds.push(Bind::Int(to));
        }
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit{cond}");
        let list_sql = format!(
            "SELECT id, at_ms, actor, action, site_id, object_kind, object_id, detail FROM audit{cond} \
             ORDER BY id DESC LIMIT {} OFFSET {}",
            f.limit.clamp(1, 10_000),
            f.offset.max(0)
        );
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
        for b in &binds {
            match b {
                Bind::Text(t) => {
                    count = count.bind(t.to_string());
                    list = list.bind(t.to_string());
                }
                Bind::Int(i) => {
                    count = count.bind(*i);
                    list = list.bind(*i);
                }
            }
        }
        let total: i64 = count.fetch_one(&self.read).await?.try_get("n")?;
        let rows = list.fetch_all(&self.read).await?;
        let records = rows
            .iter()
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
            .collect::<Result<Vec<_>, ContentError>>()?;
        Ok(AuditPage { records, total })
    }

    /// The distinct people who appear in the audit records of `sites` (`None`: all).
    pub async fn audit_actors(
        &self,
        sites: Option<&[String]>,
    ) -> Result<Vec<String>, ContentError> {
        let rows = sqlx::query("SELECT DISTINCT actor, site_id FROM audit ORDER BY actor")
            .fetch_all(&self.read)
            .await?;
        let mut out: Vec<String> = Vec::new();
        for r in rows {
            let actor: String = r.try_get("actor")?;
            let site: Option<String> = r.try_get("site_id")?;
            let visible = match sites {
                None => true,
                Some(s) => site.is_some_and(|x| s.contains(&x)),
            };
            if visible && !out.contains(&actor) {
                out.push(actor);
            }
        }
        Ok(out)
    }
}

/// Which audit records to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only these sites' records (`None`: every record, also those of no site).
    pub sites: Option<Vec<String>>,
    /// Only this person's.
    pub actor: Option<String>,
    /// Only this action (create, submit, approve, …).
    pub action: Option<String>,
    /// From this time on (unix ms, inclusive).
    pub from_ms: Option<i64>,
    /// Before this time (unix ms, exclusive).
    pub to_ms: Option<i64>,
    /// Records skipped (paging).
    pub offset: i64,
    /// At most this many (1–10 000).
    pub limit: i64,
}

/// One page of audit records and how many match in all.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditPage {
    /// The records, newest first.
    pub records: Vec<AuditRecord>,
    /// How many match the filter.
    pub total: i64,
}
