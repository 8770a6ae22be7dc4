//! Articles across sites for the staff console: a reviewer's queue (submitted work of their
//! sites, oldest first), a person's drafts and returned work, what is scheduled or was
//! published lately; and who last did something to an article (who submitted it).

use sqlx::Row;

use crate::articles::article_from_row;
use crate::listing::SiteScope;
use crate::workflow::State;
use crate::{Article, Content, ContentError};

/// Which articles to list, with their working revisions.
#[derive(Debug, Clone, Default)]
pub struct WorkQuery {
    /// `None`: every site of the node; else only within these scopes (empty: nothing).
    pub scopes: Option<Vec<SiteScope>>,
    /// Only articles in one of these states (empty: any state).
    pub states: Vec<State>,
    /// Only articles this person created or wrote the working revision of.
    pub author: Option<String>,
    /// Oldest change first (a queue) rather than newest first.
    pub oldest_first: bool,
    /// At most this many (1–500).
    pub limit: i64,
}

impl Content {
    /// Articles matching `q`, with their working revisions.
    pub async fn work(&self, q: &WorkQuery) -> Result<Vec<Article>, ContentError> {
        let mut sql = String::from(
            "SELECT a.id, a.site_id, a.column_id, c.slug AS column_slug, a.state, a.created_by, a.revision, \
             a.scheduled_ms, a.reason, a.parent_id, r.doc_json, p.index_number, p.withdrawn \
             FROM articles a JOIN columns c ON c.id = a.column_id \
             JOIN revisions r ON r.article_id = a.id AND r.revision = a.revision \
             LEFT JOIN published p ON p.article_id = a.id AND p.site_id = a.site_id WHERE 1 = 1",
        );
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let mut binds: Vec<String> = Vec::new();
        if let Some(scopes) = &q.scopes {
            let mut alternatives = Vec::new();
            for scope in scopes {
                if scope.columns.as_ref().is_some_and(Vec::is_empty) {
                    continue;
                }
                let site = next();
                binds.push(scope.site.clone());
                match &scope.columns {
                    None => alternatives.push(format!("a.site_id = {site}")),
                    Some(cols) => {
                        let marks: Vec<String> = cols.iter().map(|_| next()).collect();
                        binds.extend(cols.iter().cloned());
                        alternatives.push(format!(
                            "(a.site_id = {site} AND c.slug IN ({}))",
                            marks.join(", ")
                        ));
                    }
                }
            }
            if alternatives.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
        }
        if !q.states.is_empty() {
            let marks: Vec<String> = q.states.iter().map(|_| next()).collect();
            sql.push_str(&format!(" AND a.state IN ({})", marks.join(", ")));
            binds.extend(q.states.iter().map(|s| s.as_str().to_string()));
        }
        if let Some(author) = &q.author {
            let (x, y) = (next(), next());
            sql.push_str(&format!(" AND (a.created_by = {x} OR r.created_by = {y})"));
            binds.push(author.clone());
            binds.push(author.clone());
        }
        let order = if q.oldest_first { "ASC" } else { "DESC" };
        sql.push_str(&format!(
            " ORDER BY a.updated_ms {order}, a.id {order} LIMIT {}",
            q.limit.clamp(1, 500)
        ));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.read).await?;
        rows.iter().map(article_from_row).collect()
    }

    /// Who last did `action` (an audit action: submit, reject, …) to article `id`, and
    /// when (unix ms).
    pub async fn last_action(
        &self,
        id: i64,
        action: &str,
    ) -> Result<Option<(String, i64)>, ContentError> {
        let row = sqlx::query(
            "SELECT actor, at_ms FROM audit WHERE object_kind = 'article' AND object_id = $1 AND action = $2 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(id.to_string())
        .bind(action)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| Ok((r.try_get("actor")?, r.try_get("at_ms")?)))
            .transpose()
    }
}
