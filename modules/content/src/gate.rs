//! The pre-publication check (发布前检查): something outside content (the monitoring
//! module's content checks) reads an article's title and body before it is approved. The
//! findings are computed when shown, so they always match the lists in force; a serious one
//! refuses approval unless the reviewer gives a reason, which the audit log keeps.

use std::sync::Arc;

use serde::Serialize;

use crate::model::check_text;
use crate::{ArticleDoc, Content, ContentError};

/// One problem the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateFinding {
    /// Whether it blocks approval (a likely typo does not).
    pub serious: bool,
    /// What kind of problem, as staff read it (严重错误, 疑似错别字, …).
    pub label: String,
    /// The text found.
    pub text: String,
    /// What is wrong and what it should be, in Chinese.
    pub detail: String,
}

/// The check run on an article before approval.
pub trait PublicationGate: Send + Sync {
    /// The problems of a title and a body (its HTML).
    fn check<'a>(
        &'a self,
        title: &'a str,
        body_html: &'a str,
    ) -> govnode_federation::BoxFuture<'a, Vec<GateFinding>>;
}

/// The audit action of an approval over serious findings.
pub const OVERRIDE_ACTION: &str = "override-check";

impl Content {
    /// Runs `gate` on every article before it is approved.
    pub fn with_gate(mut self, gate: Arc<dyn PublicationGate>) -> Self {
        self.gate = Some(gate);
        self
    }

    /// The pre-publication check of a document (none without a gate).
    pub async fn check_article(&self, doc: &ArticleDoc) -> Vec<GateFinding> {
        match &self.gate {
            Some(g) => g.check(&doc.title, &doc.body_html).await,
            None => Vec::new(),
        }
    }

    /// Before approving article `id`: `Ok(None)` when nothing serious was found, the audit
    /// detail of the override when the reviewer gave a reason, else the refusal (409)
    /// naming the findings. Checked against revision `revision` (the approval re-checks it
    /// is still the working one).
    pub(crate) async fn gate_approval(
        &self,
        id: i64,
        override_reason: Option<&str>,
    ) -> Result<(i64, Result<Option<String>, ContentError>), ContentError> {
        let a = self.article(id).await?;
        let serious: Vec<GateFinding> = self
            .check_article(&a.doc)
            .await
            .into_iter()
            .filter(|f| f.serious)
            .collect();
        if serious.is_empty() {
            return Ok((a.revision, Ok(None)));
        }
        let named = serious
            .iter()
            .map(|f| f.detail.as_str())
            .collect::<Vec<_>>()
            .join("；");
        let reason = override_reason.map(str::trim).unwrap_or("");
        if reason.is_empty() {
            return Ok((
                a.revision,
                Err(ContentError::Conflict(format!(
                    "the pre-publication check found serious problems: {named}; approve with an override_reason to publish anyway"
                ))),
            ));
        }
        check_text("override_reason", reason, 500)?;
        let texts = serious
            .iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>()
            .join("、");
        Ok((
            a.revision,
            Ok(Some(format!("理由：{reason}；问题：{texts}"))),
        ))
    }
}

/// The verdict of [`Content::gate_approval`] for the revision being approved: the
/// override's audit detail, if any, or the refusal.
pub(crate) fn settle(
    gate: Option<(i64, Result<Option<String>, ContentError>)>,
    id: i64,
    revision: i64,
) -> Result<Option<String>, ContentError> {
    match gate {
        None => Ok(None),
        Some((checked, _)) if checked != revision => Err(ContentError::Conflict(format!(
            "article {id} changed while it was being checked"
        ))),
        Some((_, verdict)) => verdict,
    }
}
