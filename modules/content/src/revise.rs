//! Revising an article: a whole new document (`PUT`, refused when it would silently clear
//! what a policy document cannot lose) or only the fields an editor changed (`PATCH`).
//!
//! A reviewer approved a policy document with an empty body once, because a client sent
//! `PUT {title, doc_number}` and everything else fell back to its default. A full
//! replacement that drops the body of any article, or the issuing body or a date of a
//! policy document, is now refused naming the fields; an editor who means to clear one
//! says so with `PATCH` and an empty value.

use serde::Deserialize;

use crate::articles::{insert_revision, lock_article};
use crate::audit::record;
use crate::sanitize::{BodyFormat, excerpt, html_to_text};
use crate::workflow::{Transition, next_state};
use crate::{Article, ArticleDoc, ArticleInput, Attachment, Content, ContentError, now_ms};

/// Document types whose issuing body and dates are part of what the document is.
const POLICY_TYPES: [&str; 2] = ["policy", "law"];

/// The fields an editor changes in a revision; every field left out keeps its value.
/// An empty string clears a text field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticlePatch {
    /// Column slug: may be given only as the article's own (an article stays in its column).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$"))]
    pub column: Option<String>,
    /// Title, 1–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")
    )]
    pub title: Option<String>,
    /// Subtitle, at most 200 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub subtitle: Option<String>,
    /// Body text, at most 1 000 000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 1_000_000))]
    pub body: Option<String>,
    /// Markdown or HTML.
    pub body_format: Option<BodyFormat>,
    /// Summary; empty derives it from the body.
    pub summary: Option<String>,
    /// Author, at most 100 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub author: Option<String>,
    /// Issuing body (发文机关), at most 100 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub issuing_body: Option<String>,
    /// Document number (发文字号), at most 100 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub doc_number: Option<String>,
    /// Theme classification code, 01–21.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(|0[1-9]|1[0-9]|2[01])$"))]
    pub theme: Option<String>,
    /// Document type.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(|news|notice|policy|interpretation|guide|qa|topic|law|report)$")
    )]
    pub doc_type: Option<String>,
    /// Document date, YYYY-MM-DD, or empty.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)?$"
        )
    )]
    pub date: Option<String>,
    /// Valid from, YYYY-MM-DD, or empty.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)?$"
        )
    )]
    pub valid_from: Option<String>,
    /// Valid to, YYYY-MM-DD, or empty.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)?$"
        )
    )]
    pub valid_to: Option<String>,
    /// Attachments (the whole list).
    pub attachments: Option<Vec<Attachment>>,
    /// Tags (the whole list).
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 20,
            min_length = 1,
            max_length = 30,
            pattern = r"[^\s\u0085]"
        )
    )]
    pub tags: Option<Vec<String>>,
}

impl ArticlePatch {
    /// The full input: `doc` with this patch's fields over it.
    pub fn apply_to(&self, doc: &ArticleDoc) -> ArticleInput {
        let keep = |patch: &Option<String>, current: &str| {
            patch.clone().unwrap_or_else(|| current.to_string())
        };
        // A summary derived from the old body is derived again from the new one.
        let derived = doc.summary == excerpt(&html_to_text(&doc.body_html), 120);
        let summary = match (&self.summary, derived) {
            (Some(s), _) => s.clone(),
            (None, true) => String::new(),
            (None, false) => doc.summary.clone(),
        };
        ArticleInput {
            column: None,
            title: keep(&self.title, &doc.title),
            subtitle: keep(&self.subtitle, &doc.subtitle),
            body: keep(&self.body, &doc.body),
            body_format: self.body_format.unwrap_or(doc.body_format),
            summary,
            author: keep(&self.author, &doc.author),
            issuing_body: keep(&self.issuing_body, &doc.issuing_body),
            doc_number: keep(&self.doc_number, &doc.doc_number),
            theme: keep(&self.theme, &doc.theme),
            doc_type: keep(&self.doc_type, &doc.doc_type),
            date: keep(&self.date, &doc.date),
            valid_from: keep(&self.valid_from, &doc.valid_from),
            valid_to: keep(&self.valid_to, &doc.valid_to),
            attachments: self
                .attachments
                .clone()
                .unwrap_or_else(|| doc.attachments.clone()),
            tags: self.tags.clone().unwrap_or_else(|| doc.tags.clone()),
        }
    }
}

/// The fields a full replacement `input` would clear in `doc` that it must not: the body
/// of any article; the issuing body and dates of a policy document.
pub fn cleared_fields(doc: &ArticleDoc, input: &ArticleInput) -> Vec<&'static str> {
    let mut cleared = Vec::new();
    let gone = |before: &str, after: &str| !before.trim().is_empty() && after.trim().is_empty();
    if gone(&doc.body, &input.body) {
        cleared.push("body");
    }
    if POLICY_TYPES.contains(&doc.doc_type.as_str()) {
        for (field, before, after) in [
            ("issuing_body", &doc.issuing_body, &input.issuing_body),
            ("date", &doc.date, &input.date),
            ("valid_from", &doc.valid_from, &input.valid_from),
            ("valid_to", &doc.valid_to, &input.valid_to),
        ] {
            if gone(before, after) {
                cleared.push(field);
            }
        }
    }
    cleared
}

impl Content {
    /// Saves a whole new document as the next revision (legal in draft, rejected, published
    /// and withdrawn states); refused when it would clear what [`cleared_fields`] names.
    pub async fn revise_article(
        &self,
        actor: &str,
        id: i64,
        input: &ArticleInput,
    ) -> Result<Article, ContentError> {
        let current = self.article(id).await?;
        // A bad value is named before what the replacement would clear.
        let doc = self.checked_doc(&current, input).await?;
        let cleared = cleared_fields(&current.doc, input);
        if let Some(first) = cleared.first() {
            let what = if cleared.iter().all(|f| *f == "body") {
                "the article"
            } else {
                "this policy document"
            };
            return Err(ContentError::Invalid {
                field: first,
                message: format!(
                    "this replacement would clear {} of {what}: send the current values, or use PATCH to change only some fields (PATCH with an empty value clears a field on purpose)",
                    cleared.join(", ")
                ),
            });
        }
        self.save_revision(actor, &current, &doc).await
    }

    /// Saves a revision changing only the fields `patch` names.
    pub async fn patch_article(
        &self,
        actor: &str,
        id: i64,
        patch: &ArticlePatch,
    ) -> Result<Article, ContentError> {
        let current = self.article(id).await?;
        let mut input = patch.apply_to(&current.doc);
        input.column = patch.column.clone();
        if input.title.trim().is_empty() {
            return Err(ContentError::Invalid {
                field: "title",
                message: "cannot be empty".into(),
            });
        }
        let doc = self.checked_doc(&current, &input).await?;
        self.save_revision(actor, &current, &doc).await
    }

    /// `input` validated as the next revision of `current` (which stays in its column).
    async fn checked_doc(
        &self,
        current: &Article,
        input: &ArticleInput,
    ) -> Result<ArticleDoc, ContentError> {
        if input.column.as_deref().is_some_and(|c| c != current.column) {
            return Err(moving_column());
        }
        let kind = self.column_by_id(current.column_id).await?.kind;
        self.normalise(input, kind).await
    }

    /// Stores `doc` as `current`'s next revision.
    async fn save_revision(
        &self,
        actor: &str,
        current: &Article,
        doc: &ArticleDoc,
    ) -> Result<Article, ContentError> {
        let id = current.id;
        let mut tx = self.write.begin().await?;
        let (state, live, revision) = lock_article(&mut tx, id).await?;
        let next = next_state(state, live, Transition::Revise).ok_or_else(|| {
            ContentError::Conflict(format!(
                "cannot revise an article in state {}",
                state.as_str()
            ))
        })?;
        let rev = revision + 1;
        insert_revision(&mut tx, id, rev, actor, doc).await?;
        sqlx::query("UPDATE articles SET state = $1, revision = $2, updated_ms = $3 WHERE id = $4")
            .bind(next.as_str())
            .bind(rev)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "revise",
            Some(&current.site),
            ("article", &id.to_string()),
            &format!("revision {rev}"),
        )
        .await?;
        tx.commit().await?;
        self.article(id).await
    }
}

fn moving_column() -> ContentError {
    ContentError::Invalid {
        field: "column",
        message: "an article cannot move between columns".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_doc() -> ArticleDoc {
        ArticleDoc {
            title: "关于促进民营经济发展的若干措施".into(),
            subtitle: String::new(),
            body: "第一条 为了……".into(),
            body_format: BodyFormat::Markdown,
            body_html: "<p>第一条 为了……</p>".into(),
            summary: "第一条 为了……".into(),
            author: String::new(),
            issuing_body: "广东省人民政府办公厅".into(),
            doc_number: "粤府办〔2026〕3号".into(),
            theme: "08".into(),
            doc_type: "policy".into(),
            date: "2026-03-01".into(),
            valid_from: "2026-04-01".into(),
            valid_to: String::new(),
            attachments: vec![],
            tags: vec!["民营经济".into()],
        }
    }

    #[test]
    fn a_title_only_replacement_of_a_policy_document_names_what_it_would_clear() {
        let doc = policy_doc();
        let input = ArticleInput {
            title: "新标题".into(),
            doc_number: "粤府办〔2026〕4号".into(),
            ..ArticleInput::default()
        };
        assert_eq!(
            cleared_fields(&doc, &input),
            vec!["body", "issuing_body", "date", "valid_from"]
        );
        // News keeps only its body safe: its issuing body and dates are optional.
        let news = ArticleDoc {
            doc_type: "news".into(),
            ..doc
        };
        assert_eq!(cleared_fields(&news, &input), vec!["body"]);
    }

    #[test]
    fn a_patch_keeps_every_field_it_does_not_name() {
        let doc = policy_doc();
        let patch = ArticlePatch {
            title: Some("新标题".into()),
            ..ArticlePatch::default()
        };
        let input = patch.apply_to(&doc);
        assert_eq!(input.title, "新标题");
        assert_eq!(input.body, doc.body);
        assert_eq!(input.issuing_body, doc.issuing_body);
        assert_eq!(input.doc_number, doc.doc_number);
        assert_eq!(input.date, doc.date);
        assert_eq!(input.valid_from, doc.valid_from);
        assert_eq!(input.theme, doc.theme);
        assert_eq!(input.tags, doc.tags);
        assert!(cleared_fields(&doc, &input).is_empty());
        // The derived summary is derived again (from the possibly new body).
        assert_eq!(input.summary, "");
    }

    #[test]
    fn an_explicit_empty_value_in_a_patch_clears_the_field() {
        let doc = policy_doc();
        let patch: ArticlePatch = serde_json::from_str(r#"{"valid_from": ""}"#).unwrap();
        let input = patch.apply_to(&doc);
        assert_eq!(input.valid_from, "");
        assert_eq!(input.issuing_body, doc.issuing_body);
        assert!(serde_json::from_str::<ArticlePatch>(r#"{"titel": "x"}"#).is_err());
    }
}
