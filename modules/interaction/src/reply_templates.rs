//! Reply templates (答复模板): texts a body's handlers start a reply from, per body of this
//! node. Local working material: never replicated, never shown to citizens. Who may edit a
//! body's templates is the caller's check (`rules::handled_body`).

use govnode_federation::now_ms;
use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::service::{Interaction, check_len};
use crate::{InteractionError, model::Body};

/// Most templates one body keeps.
pub const MAX_TEMPLATES_PER_BODY: i64 = 200;

/// A reply template of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyTemplate {
    /// Its id.
    pub id: i64,
    /// The body whose template it is.
    pub body_id: String,
    /// Its title, 2–40 characters.
    pub title: String,
    /// The reply text, 2–10000 characters.
    pub text: String,
    /// Who changed it last.
    pub updated_by: String,
    /// When (unix ms).
    pub updated_ms: i64,
}

fn template(r: &AnyRow) -> Result<ReplyTemplate, sqlx::Error> {
    Ok(ReplyTemplate {
        id: r.try_get("id")?,
        body_id: r.try_get("body_id")?,
        title: r.try_get("title")?,
        text: r.try_get("text")?,
        updated_by: r.try_get("updated_by")?,
        updated_ms: r.try_get("updated_ms")?,
    })
}

const COLUMNS: &str = "id, body_id, title, text, updated_by, updated_ms";

impl Interaction {
    /// The reply templates of `body`, by title.
    pub async fn reply_templates(
        &self,
        body: &str,
    ) -> Result<Vec<ReplyTemplate>, InteractionError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM interaction_reply_templates WHERE body_id = $1 ORDER BY title, id"
        )))
        .bind(body)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(template).collect::<Result<_, _>>()?)
    }

    /// A reply template by id (None if there is none).
    pub async fn reply_template(&self, id: i64) -> Result<Option<ReplyTemplate>, InteractionError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM interaction_reply_templates WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(template).transpose()?)
    }

    /// Adds a template to `body` (a body of this node), or changes template `id` of it.
    pub async fn put_reply_template(
        &self,
        body: &str,
        id: Option<i64>,
        title: &str,
        text: &str,
        actor: &str,
    ) -> Result<ReplyTemplate, InteractionError> {
        if Body::node_of(body) != Some(self.me().as_str()) {
            return Err(InteractionError::invalid(format!(
                "body: `{body}` is not a body of this node"
            )));
        }
        check_len("title", title, 2, 40)?;
        check_len("text", text, 2, 10_000)?;
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let row = match id {
            Some(id) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE interaction_reply_templates SET title = $1, text = $2, updated_by = $3, updated_ms = $4 \
                 WHERE id = $5 AND body_id = $6 RETURNING {COLUMNS}"
            )))
            .bind(title.trim())
            .bind(text.trim())
            .bind(actor)
            .bind(now)
            .bind(id)
            .bind(body)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| InteractionError::NotFound(format!("no reply template {id} of {body}")))?,
            None => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM interaction_reply_templates WHERE body_id = $1",
                )
                .bind(body)
                .fetch_one(&mut *tx)
                .await?;
                if n >= MAX_TEMPLATES_PER_BODY {
                    return Err(InteractionError::Conflict(format!(
                        "body {body} already has {MAX_TEMPLATES_PER_BODY} reply templates"
                    )));
                }
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO interaction_reply_templates (body_id, title, text, updated_by, updated_ms) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
                )))
                .bind(body)
                .bind(title.trim())
                .bind(text.trim())
                .bind(actor)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let saved = template(&row)?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Deletes template `id` of `body`; false when it has no such template.
    pub async fn delete_reply_template(
        &self,
        body: &str,
        id: i64,
    ) -> Result<bool, InteractionError> {
        let done =
            sqlx::query("DELETE FROM interaction_reply_templates WHERE id = $1 AND body_id = $2")
                .bind(id)
                .bind(body)
                .execute(&self.write)
                .await?;
        Ok(done.rows_affected() > 0)
    }
}
