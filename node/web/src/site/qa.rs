//! The site's Q&A assistant page (智能问答), at `…/qa`: a GET form for a question; the
//! answer with links to the documents it comes from (written Q&A, guides, policies,
//! interpretations); when nothing answers, the related documents and a link to write a
//! consultation pre-filled with the question. The API's `/api/qa` answers the same way.

use axum::http::StatusCode;
use axum::response::Response;
use govnode_search::{MAX_QUERY_CHARS, QaAnswer, SearchError};
use minijinja::Value;

use super::pages::{enc, v};
use super::{PageError, PageRequest};
use crate::AppState;

/// Answers `question` from this node's index, off the async threads.
pub(crate) async fn ask(node: &AppState, question: &str) -> Result<QaAnswer, SearchError> {
    let index = node.search.clone();
    let question = question.to_string();
    tokio::task::spawn_blocking(move || index.ask(&question))
        .await
        .map_err(|e| SearchError::Io(std::io::Error::other(e.to_string())))?
}

/// The letters page's link for a consultation about `question` (its form pre-filled).
pub(crate) fn consultation_link(letters: &str, question: &str) -> String {
    let subject: String = question.trim().chars().take(100).collect();
    format!(
        "{letters}?kind=consultation&subject={}&content={}",
        enc(&subject),
        enc(question.trim())
    )
}

/// `GET …/qa?q=`.
pub async fn qa(req: &PageRequest) -> Result<Response, PageError> {
    let (mut ctx, _) = req
        .common(
            "智能问答",
            None,
            Vec::new(),
            vec![("智能问答".into(), req.url("/qa"))],
        )
        .await?;
    let asked = req.query.contains_key("q");
    let q = req
        .query
        .get("q")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let len = q.chars().count();
    let mut status = StatusCode::OK;
    let mut error = None;
    let mut answer = None;
    if asked && q.is_empty() {
        error = Some("请输入您的问题".to_string());
    } else if len > MAX_QUERY_CHARS {
        status = StatusCode::BAD_REQUEST;
        error = Some(format!(
            "问题不能超过 {MAX_QUERY_CHARS} 字（现为 {len} 字），请简要描述"
        ));
    } else if !q.is_empty() {
        answer = match ask(&req.node, &q).await {
            Ok(a) => Some(a),
            // Only question words or punctuation: nothing to look for, nothing found.
            Err(SearchError::EmptyQuery) => None,
            Err(e) => return Err(PageError::Internal(e.to_string())),
        };
    }
    let answered = answer.as_ref().is_some_and(|a| a.confident);
    // What citizens ask and find no answer to is what the site's Q&A should cover next.
    if answer.is_some() && !answered {
        let unanswered = req.node.analytics.unanswered();
        if let Err(e) = unanswered.record(Some(&req.site.id), &q).await {
            tracing::warn!(error = %e, "recording an unanswered question failed");
        }
    }
    ctx.insert("question", Value::from(q.clone()));
    ctx.insert("asked", Value::from(!q.is_empty() && error.is_none()));
    ctx.insert("error", Value::from(error));
    ctx.insert("answered", Value::from(answered));
    ctx.insert("answer", v(answer));
    ctx.insert("qa_url", Value::from(req.url("/qa")));
    ctx.insert(
        "consultation_url",
        Value::from(consultation_link(&req.url("/letters"), &q)),
    );
    ctx.insert("letters_url", Value::from(req.url("/letters")));
    req.render(status, "qa.html", ctx)
}
