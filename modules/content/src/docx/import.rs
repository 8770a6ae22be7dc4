//! A .docx becomes a draft article: its images stored as public library blobs (served at
//! `/blobs/{hash}`), its body as Markdown, the draft created by `create_article`, so every
//! rule of an editor's draft applies.

use std::collections::HashMap;

use serde::Serialize;

use super::warnings;
use super::{DocxDocument, DocxError};
use crate::{Article, ArticleInput, Content, ContentError};

/// A draft made from a document, and what did not come over.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocxImported {
    /// The new draft.
    pub article: Article,
    /// What was left out or changed, in Chinese, once each (empty: nothing).
    pub warnings: Vec<String>,
}

/// Why a document was not imported: the document itself, or the draft's rules.
#[derive(Debug, thiserror::Error)]
pub enum DocxImportError {
    /// The file is not an importable .docx.
    #[error(transparent)]
    Docx(#[from] DocxError),
    /// The draft was refused (no such column, no title, a body too long, …).
    #[error(transparent)]
    Content(#[from] ContentError),
}

/// Where the public site serves a blob.
pub fn blob_url(hash: &str) -> String {
    format!("/blobs/{hash}")
}

impl Content {
    /// Imports a .docx into a draft in `column` of `site`, titled `title_override` when it
    /// is not blank, else by the document's title or first heading.
    pub async fn import_docx(
        &self,
        actor: &str,
        site: &str,
        column: &str,
        bytes: &[u8],
        title_override: Option<&str>,
    ) -> Result<DocxImported, DocxImportError> {
        // The column first: nothing is stored for a draft that cannot be made.
        self.site(site).await?;
        self.column(site, column)
            .await
            .map_err(|_| ContentError::Invalid {
                field: "column",
                message: format!("no column `{column}` in site `{site}`"),
            })?;
        if title_override.is_some_and(|t| t.trim().chars().count() > 200) {
            return Err(ContentError::Invalid {
                field: "title",
                message: "at most 200 characters".into(),
            }
            .into());
        }
        let owned = bytes.to_vec();
        let mut doc = tokio::task::spawn_blocking(move || DocxDocument::read(&owned))
            .await
            .map_err(|e| DocxError::Damaged {
                part: "word/document.xml".into(),
                detail: e.to_string(),
            })??;
        let title = title_override
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .or(doc.title())
            .map(str::to_string)
            .ok_or_else(|| ContentError::Invalid {
                field: "title",
                message: "the document has no title or heading: give one".into(),
            })?;
        let mut urls = HashMap::new();
        let images = std::mem::take(&mut doc.images);
        for image in images {
            if image.bytes.len() as u64 > self.blobs.max_bytes() {
                doc.warn(warnings::IMAGE_TOO_LARGE);
                continue;
            }
            let info = self
                .blobs
                .put(&image.bytes, image.mime)
                .await
                .map_err(ContentError::from)?;
            urls.insert(image.part, blob_url(&info.hash));
        }
        let body = doc.markdown(&|part| urls.get(part).cloned());
        let input = ArticleInput {
            column: Some(column.to_string()),
            title,
            body,
            ..ArticleInput::default()
        };
        let article = self.create_article(actor, site, &input).await?;
        Ok(DocxImported {
            article,
            warnings: doc.warnings,
        })
    }
}
