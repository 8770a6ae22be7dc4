//! Articles: creation, revisions (every one kept) and workflow transitions.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::record;
use crate::model::{check_date, check_text};
use crate::published::{bump_change_seq, is_live, publish_in};
use crate::sanitize::{body_to_html, excerpt, html_to_text};
use crate::workflow::{State, Transition, next_state};
use crate::{
    Article, ArticleDoc, ArticleInput, ColumnKind, Content, ContentError, article_path, now_ms,
};

/// A revision as listed in an article's history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revision {
    /// Revision number, from 1.
    pub revision: i64,
    /// Who saved it.
    pub created_by: String,
    /// When (unix ms).
    pub created_ms: i64,
    /// The document.
    pub doc: ArticleDoc,
}

const MAX_BODY_CHARS: usize = 1_000_000;

impl Content {
    /// Validates author input and turns it into a revision document.
    pub(crate) async fn normalise(
        &self,
        input: &ArticleInput,
        kind: ColumnKind,
    ) -> Result<ArticleDoc, ContentError> {
        check_text("title", &input.title, 200)?;
        if input.subtitle.chars().count() > 200 {
            return Err(ContentError::Invalid {
                field: "subtitle",
                message: "at most 200 characters".into(),
            });
        }
        if input.body.chars().count() > MAX_BODY_CHARS {
            return Err(ContentError::Invalid {
                field: "body",
                message: format!("at most {MAX_BODY_CHARS} characters"),
            });
        }
        for (field, v) in [
            ("author", &input.author),
            ("issuing_body", &input.issuing_body),
            ("doc_number", &input.doc_number),
        ] {
            if v.chars().count() > 100 {
                return Err(ContentError::Invalid {
                    field,
                    message: "at most 100 characters".into(),
                });
            }
        }
        let theme = if input.theme.is_empty() {
            "01".to_string()
        } else {
            input.theme.clone()
        };
        if govnode_library::theme(&theme).is_none() {
            return Err(ContentError::Invalid {
                field: "theme",
                message: format!("`{theme}` is not a theme code (01–21)"),
            });
        }
        let doc_type = if input.doc_type.is_empty() {
            kind.as_str().to_string()
        } else {
            input.doc_type.clone()
        };
        if govnode_library::doc_type(&doc_type).is_none() {
            return Err(ContentError::Invalid {
                field: "doc_type",
                message: format!("`{doc_type}` is not a document type"),
            });
        }
        check_date("date", &input.date)?;
        check_date("valid_from", &input.valid_from)?;
        check_date("valid_to", &input.valid_to)?;
        if !input.valid_from.is_empty()
            && !input.valid_to.is_empty()
            && input.valid_to < input.valid_from
        {
            return Err(ContentError::Invalid {
                field: "valid_to",
                message: "is before valid_from".into(),
            });
        }
        if input.tags.len() > 20
            || input
                .tags
                .iter()
                .any(|t| t.trim().is_empty() || t.chars().count() > 30)
        {
            return Err(ContentError::Invalid {
                field: "tags",
                message: "at most 20 tags of 1–30 characters".into(),
            });
        }
        let mut attachments = Vec::with_capacity(input.attachments.len());
        for a in &input.attachments {
            check_text("attachments.name", &a.name, 200)?;
            let info = self
                .blobs
                .info(&a.hash)
                .await?
                .ok_or_else(|| ContentError::Invalid {
                    field: "attachments",
                    message: format!(
                        "no uploaded blob {}: upload it to /api/admin/blobs first",
                        a.hash
                    ),
                })?;
            attachments.push(crate::Attachment {
                hash: info.hash,
                name: a.name.trim().to_string(),
                size: info.size,
                mime: info.mime,
            });
        }
        let body_html = body_to_html(&input.body, input.body_format);
        let summary = if input.summary.trim().is_empty() {
            excerpt(&html_to_text(&body_html), 120)
        } else {
            input.summary.trim().to_string()
        };
        Ok(ArticleDoc {
            title: input.title.trim().to_string(),
            subtitle: input.subtitle.trim().to_string(),
            body: input.body.clone(),
            body_format: input.body_format,
            body_html,
            summary,
            author: input.author.trim().to_string(),
            issuing_body: input.issuing_body.trim().to_string(),
            doc_number: input.doc_number.trim().to_string(),
            theme,
            doc_type,
            date: input.date.clone(),
            valid_from: input.valid_from.clone(),
            valid_to: input.valid_to.clone(),
            attachments,
            tags: input.tags.iter().map(|t| t.trim().to_string()).collect(),
        })
    }

    /// Creates a draft article in a column of a site.
    pub async fn create_article(
        &self,
        actor: &str,
        site: &str,
        input: &ArticleInput,
    ) -> Result<Article, ContentError> {
        self.site(site).await?;
        let slug = input.column.as_deref().ok_or(ContentError::Invalid {
            field: "column",
            message: "is required".into(),
        })?;
        let column = self
            .column(site, slug)
            .await
            .map_err(|_| ContentError::Invalid {
                field: "column",
                message: format!("no column `{slug}` in site `{site}`"),
            })?;
        if column.archived {
            return Err(ContentError::Invalid {
                field: "column",
                message: format!("column `{slug}` is archived"),
            });
        }
        let doc = self.normalise(input, column.kind).await?;
        let mut tx = self.write.begin().await?;
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO articles (site_id, column_id, state, created_by, revision, reason, created_ms, updated_ms) \
             VALUES ($1, $2, 'draft', $3, 1, '', $4, $4) RETURNING id",
        )
        .bind(site)
        .bind(column.id)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        insert_revision(&mut tx, id, 1, actor, &doc).await?;
        record(
            &mut tx,
            actor,
            "create",
            Some(site),
            ("article", &id.to_string()),
            &doc.title,
        )
        .await?;
        tx.commit().await?;
        self.article(id).await
    }

    /// Moves an article through the workflow. `reason` is required for reject and withdraw;
    /// `at_ms` in the future turns a publish into a scheduled publication.
    pub async fn transition(
        &self,
        actor: &str,
        id: i64,
        t: Transition,
        reason: Option<&str>,
        at_ms: Option<i64>,
    ) -> Result<Article, ContentError> {
        self.transition_overriding(actor, id, t, reason, at_ms, None)
            .await
    }

    /// [`Content::transition`], where an approval over serious findings of the
    /// pre-publication check goes ahead with `override_reason` (audited).
    pub async fn transition_overriding(
        &self,
        actor: &str,
        id: i64,
        t: Transition,
        reason: Option<&str>,
        at_ms: Option<i64>,
        override_reason: Option<&str>,
    ) -> Result<Article, ContentError> {
        // Checked before the write transaction (the gate reads other tables); the approval
        // below refuses if the working revision changed meanwhile.
        let gate = match t {
            Transition::Approve => Some(self.gate_approval(id, override_reason).await?),
            _ => None,
        };
        let reason = reason.map(str::trim).unwrap_or("");
        if matches!(t, Transition::Reject | Transition::Withdraw) {
            check_text("reason", reason, 500)?;
        }
        let now = now_ms();
        let t = match (t, at_ms) {
            (Transition::Publish, Some(at)) if at > now => Transition::Schedule,
            (t, _) => t,
        };
        let mut tx = self.write.begin().await?;
        let (state, live, revision) = lock_article(&mut tx, id).await?;
        let next = next_state(state, live, t).ok_or_else(|| {
            ContentError::Conflict(format!(
                "cannot {} an article in state {}",
                t.as_str(),
                state.as_str()
            ))
        })?;
        let site: String = sqlx::query("SELECT site_id FROM articles WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("site_id")?;
        if t == Transition::Approve {
            let authors = sqlx::query(
                "SELECT created_by FROM articles WHERE id = $1 UNION SELECT created_by FROM revisions WHERE article_id = $1 AND revision = $2",
            )
            .bind(id)
            .bind(revision)
            .fetch_all(&mut *tx)
            .await?;
            for a in authors {
                if a.try_get::<String, _>("created_by")? == actor {
                    return Err(ContentError::Refused(format!(
                        "{actor} wrote this article and cannot approve it (four-eyes rule)"
                    )));
                }
            }
        }
        let overridden = crate::gate::settle(gate, id, revision)?;
        match t {
            Transition::Publish | Transition::PublishDue => {
                publish_in(&mut tx, id, revision, &site, now).await?
            }
            Transition::Withdraw => {
                let seq = bump_change_seq(&mut tx, 1).await?;
                sqlx::query("UPDATE published SET withdrawn = 1, withdraw_reason = $1, withdrawn_ms = $2, change_seq = $3 WHERE article_id = $4 AND site_id = $5")
                    .bind(reason)
                    .bind(now)
                    .bind(seq)
                    .bind(id)
                    .bind(&site)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => {}
        }
        sqlx::query("UPDATE articles SET state = $1, reason = $2, scheduled_ms = $3, updated_ms = $4 WHERE id = $5")
            .bind(next.as_str())
            .bind(reason)
            .bind(if t == Transition::Schedule { at_ms } else { None })
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail = match (t, at_ms) {
            (Transition::Schedule, Some(at)) => format!("revision {revision} at {at}"),
            _ if !reason.is_empty() => reason.to_string(),
            _ => format!("revision {revision}"),
        };
        record(
            &mut tx,
            actor,
            t.as_str(),
            Some(&site),
            ("article", &id.to_string()),
            &detail,
        )
        .await?;
        if let Some(detail) = overridden {
            record(
                &mut tx,
                actor,
                crate::OVERRIDE_ACTION,
                Some(&site),
                ("article", &id.to_string()),
                &detail,
            )
            .await?;
        }
        let went_public = matches!(
            t,
            Transition::Publish | Transition::PublishDue | Transition::Withdraw
        );
        if went_public {
            self.emit_article(&mut tx, &site, id).await?;
        }
        tx.commit().await?;
        if went_public {
            self.announce();
            self.published_changed().await?;
        }
        self.article(id).await
    }

    /// Publishes every scheduled article whose time has come; returns their ids.
    pub async fn publish_due(&self, now: i64) -> Result<Vec<i64>, ContentError> {
        let rows = sqlx::query("SELECT id FROM articles WHERE state = 'scheduled' AND scheduled_ms <= $1 ORDER BY scheduled_ms")
            .bind(now)
            .fetch_all(&self.read)
            .await?;
        let mut done = Vec::new();
        for r in rows {
            let id: i64 = r.try_get("id")?;
            match self
                .transition("scheduler", id, Transition::PublishDue, None, None)
                .await
            {
                Ok(_) => done.push(id),
                // Withdrawn or revised meanwhile: nothing to publish.
                Err(ContentError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// One article with its working revision.
    pub async fn article(&self, id: i64) -> Result<Article, ContentError> {
        let row = sqlx::query(ARTICLE_SELECT)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        let row = row.ok_or_else(|| ContentError::NotFound(format!("article {id}")))?;
        article_from_row(&row)
    }

    /// A site's articles, newest first, optionally in one state.
    pub async fn articles(
        &self,
        site: &str,
        state: Option<State>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Article>, ContentError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE a.site_id = $1 AND (CAST($2 AS TEXT) IS NULL OR a.state = $2) ORDER BY a.updated_ms DESC, a.id DESC LIMIT $3 OFFSET $4",
            ARTICLE_SELECT.split(" WHERE ").next().unwrap_or(ARTICLE_SELECT)
        )))
        .bind(site)
        .bind(state.map(State::as_str))
        .bind(limit.clamp(1, 200))
        .bind(offset.max(0))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(article_from_row).collect()
    }

    /// Every revision of an article, oldest first.
    pub async fn revisions(&self, id: i64) -> Result<Vec<Revision>, ContentError> {
        self.article(id).await?;
        let rows = sqlx::query("SELECT revision, created_by, created_ms, doc_json FROM revisions WHERE article_id = $1 ORDER BY revision")
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Revision {
                    revision: r.try_get("revision")?,
                    created_by: r.try_get("created_by")?,
                    created_ms: r.try_get("created_ms")?,
                    doc: parse_doc(&r.try_get::<String, _>("doc_json")?)?,
                })
            })
            .collect()
    }
}

const ARTICLE_SELECT: &str = "SELECT a.id, a.site_id, a.column_id, c.slug AS column_slug, a.state, a.created_by, a.revision, \
     a.scheduled_ms, a.reason, a.parent_id, r.doc_json, p.index_number, p.withdrawn \
     FROM articles a JOIN columns c ON c.id = a.column_id \
     JOIN revisions r ON r.article_id = a.id AND r.revision = a.revision \
     LEFT JOIN published p ON p.article_id = a.id AND p.site_id = a.site_id WHERE a.id = $1";

pub(crate) fn article_from_row(r: &AnyRow) -> Result<Article, ContentError> {
    let state: String = r.try_get("state")?;
    let site: String = r.try_get("site_id")?;
    let id: i64 = r.try_get("id")?;
    let withdrawn: Option<i64> = r.try_get("withdrawn")?;
    let live = withdrawn == Some(0);
    Ok(Article {
        id,
        column_id: r.try_get("column_id")?,
        column: r.try_get("column_slug")?,
        state: State::parse(&state).ok_or_else(|| {
            ContentError::Conflict(format!("article {id} has unknown state {state}"))
        })?,
        created_by: r.try_get("created_by")?,
        revision: r.try_get("revision")?,
        scheduled_ms: r.try_get("scheduled_ms")?,
        reason: r.try_get("reason")?,
        live,
        parent_id: r.try_get("parent_id")?,
        doc: parse_doc(&r.try_get::<String, _>("doc_json")?)?,
        url: live.then(|| article_path(&site, id)),
        index_number: r.try_get("index_number")?,
        site,
    })
}

pub(crate) fn parse_doc(json: &str) -> Result<ArticleDoc, ContentError> {
    serde_json::from_str(json)
        .map_err(|e| ContentError::Conflict(format!("stored document is unreadable: {e}")))
}

pub(crate) fn doc_json(doc: &ArticleDoc) -> String {
    // A struct of strings and vectors always serialises.
    serde_json::to_string(doc).unwrap_or_default()
}

pub(crate) async fn insert_revision(
    conn: &mut AnyConnection,
    id: i64,
    rev: i64,
    actor: &str,
    doc: &ArticleDoc,
) -> Result<(), ContentError> {
    sqlx::query("INSERT INTO revisions (article_id, revision, created_by, created_ms, doc_json) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(rev)
        .bind(actor)
        .bind(now_ms())
        .bind(doc_json(doc))
        .execute(conn)
        .await?;
    Ok(())
}

/// Reads the article's state inside a write transaction (the single writer serialises them).
pub(crate) async fn lock_article(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<(State, bool, i64), ContentError> {
    let row = sqlx::query("SELECT state, revision FROM articles WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let row = row.ok_or_else(|| ContentError::NotFound(format!("article {id}")))?;
    let state: String = row.try_get("state")?;
    let state = State::parse(&state)
        .ok_or_else(|| ContentError::Conflict(format!("article {id} has unknown state {state}")))?;
    Ok((state, is_live(conn, id).await?, row.try_get("revision")?))
}
