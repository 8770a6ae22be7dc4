//! 答复公开: the handler's proposal of a consented reply for publication
//! (`/admin/letters/{code}/publication`: the public text prefilled with the citizen's data
//! masked, the original beside it, the state and the reviewer's note) and the reviewers'
//! queue (`/admin/letters/publication`: 比对 of original and public text; approve with an
//! edited text, return with a reason, withdraw an approved one). The rules (who, four eyes,
//! no personal data) are the interaction module's; refusals are shown as it words them.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use govnode_interaction::publication::{
    PublicationError, Refusal, may_propose, may_review, reviews_replies,
};
use govnode_interaction::{Body, PublicText, PublicationCase, PublicationState};
use serde::{Deserialize, Serialize};

use super::review_diff::{LineRow, body_rows};
use super::staff::Staff;
use super::{Frame, refused, render, see_other, shown};
use crate::AppState;

/// The queue's address.
const QUEUE: &str = "/admin/letters/publication";

/// The routes of 答复公开.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(QUEUE, get(queue))
        .route(
            "/admin/letters/{code}/publication",
            get(proposal).post(propose),
        )
        .route("/admin/letters/publication/{code}/approve", post(approve))
        .route("/admin/letters/publication/{code}/return", post(give_back))
        .route("/admin/letters/publication/{code}/withdraw", post(withdraw))
}

/// A form with the public text.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TextForm {
    csrf: String,
    subject: String,
    content: String,
    reply: String,
}

impl TextForm {
    fn text(&self) -> PublicText {
        PublicText {
            subject: self.subject.clone(),
            content: self.content.clone(),
            reply: self.reply.clone(),
        }
    }
}

/// A reviewer's reason.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReasonForm {
    csrf: String,
    reason: String,
}

/// `?done=` after a change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

fn notice(done: &str) -> Option<String> {
    match done {
        "proposed" => Some("已提请公开，待本单位信息审核员审核后在网站公开".into()),
        "approved" => Some("已审核通过，答复已在网站公开".into()),
        "returned" => Some("已退回提请人".into()),
        "withdrawn" => Some("已撤回公开，网站不再显示该答复".into()),
        _ => None,
    }
}

/// A refusal's Chinese, else the generic failure (logged).
fn chinese(e: &PublicationError) -> (StatusCode, String) {
    match e {
        PublicationError::Refused(r) => {
            let status = match r {
                Refusal::NoTicket | Refusal::NotProposed => StatusCode::NOT_FOUND,
                Refusal::NotHeld | Refusal::NotHandler | Refusal::NotReviewer => {
                    StatusCode::FORBIDDEN
                }
                Refusal::OwnProposal => StatusCode::FORBIDDEN,
                Refusal::NoConsent | Refusal::NotReplied | Refusal::State(..) => {
                    StatusCode::CONFLICT
                }
                Refusal::Length(..) | Refusal::PersonalData(..) => StatusCode::BAD_REQUEST,
            };
            (status, r.chinese())
        }
        PublicationError::Failed(e) => {
            tracing::error!(error = %e, "console: 答复公开 failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统暂时无法处理，请稍后再试".into(),
            )
        }
    }
}

fn body_name(bodies: &[Body], id: &str) -> String {
    bodies
        .iter()
        .find(|b| b.id == id)
        .map_or_else(|| "相关单位".to_string(), |b| b.name.clone())
}

/// One text compared: original beside public.
#[derive(Serialize)]
struct Compared {
    label: &'static str,
    rows: Vec<LineRow>,
}

fn compared(c: &PublicationCase, public: &PublicText) -> Vec<Compared> {
    vec![
        Compared {
            label: "标题",
            rows: body_rows(&c.original.subject, &public.subject),
        },
        Compared {
            label: "来信内容",
            rows: body_rows(&c.original.content, &public.content),
        },
        Compared {
            label: "答复内容",
            rows: body_rows(&c.original.reply, &public.reply),
        },
    ]
}

/// A case as a page shows it.
#[derive(Serialize)]
struct Shown {
    code: String,
    body: String,
    kind: &'static str,
    replied: String,
    consent: bool,
    original: PublicText,
    /// What the form holds: typed values after a refusal, else the draft.
    text: PublicText,
    state: Option<&'static str>,
    state_code: &'static str,
    proposed_by: String,
    proposed: String,
    reviewed_by: String,
    reviewed: String,
    note: String,
    compared: Vec<Compared>,
    may_propose: bool,
    may_approve: bool,
    may_return: bool,
    may_withdraw: bool,
    own: bool,
    error: Option<String>,
    history: Vec<Step>,
}

/// One change of the publication as staff read it.
#[derive(Serialize)]
struct Step {
    at: String,
    actor: String,
    label: &'static str,
    note: String,
}

fn shown_case(
    c: &PublicationCase,
    bodies: &[Body],
    staff: &Staff,
    typed: Option<(PublicText, String)>,
) -> Shown {
    let access = &staff.signed_in.access;
    let p = c.publication.as_ref();
    let state = p.map(|p| p.state);
    let reviewer = may_review(access, &c.body_id);
    let own = p.is_some_and(|p| p.proposed_by == access.person());
    let public = p.map_or_else(|| c.draft.clone(), |p| p.text.clone());
    let (text, error) = match typed {
        Some((t, e)) => (t, Some(e)),
        None => (public.clone(), None),
    };
    Shown {
        code: c.code.clone(),
        body: body_name(bodies, &c.body_id),
        kind: c.kind_label,
        replied: if c.replied_ms > 0 {
            shown(c.replied_ms)
        } else {
            String::new()
        },
        consent: c.consent_public,
        original: c.original.clone(),
        compared: compared(c, &public),
        text,
        state: state.map(PublicationState::label),
        state_code: state.map_or("", PublicationState::code),
        proposed_by: p.map(|p| p.proposed_by.clone()).unwrap_or_default(),
        proposed: p.map(|p| shown(p.proposed_ms)).unwrap_or_default(),
        reviewed_by: p.map(|p| p.reviewed_by.clone()).unwrap_or_default(),
        reviewed: p
            .filter(|p| p.reviewed_ms > 0)
            .map(|p| shown(p.reviewed_ms))
            .unwrap_or_default(),
        note: p.map(|p| p.note.clone()).unwrap_or_default(),
        may_propose: may_propose(access, &c.body_id)
            && c.consent_public
            && c.replied_ms > 0
            && state != Some(PublicationState::Approved),
        may_approve: reviewer
            && !own
            && matches!(
                state,
                Some(PublicationState::Proposed | PublicationState::Approved)
            ),
        may_return: reviewer && state == Some(PublicationState::Proposed),
        may_withdraw: reviewer && state == Some(PublicationState::Approved),
        own,
        error,
        history: c
            .history
            .iter()
            .map(|e| Step {
                at: shown(e.at_ms),
                actor: e.actor.clone(),
                label: e.label,
                note: e.note.clone(),
            })
            .collect(),
    }
}

/// `GET /admin/letters/{code}/publication`: the handler's proposal form.
pub(super) async fn proposal(
    State(node): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    proposal_page(&node, &staff, frame, &code, None).await
}

async fn proposal_page(
    node: &AppState,
    staff: &Staff,
    frame: Frame,
    code: &str,
    typed: Option<(PublicText, String, StatusCode)>,
) -> Response {
    let case = match node
        .interaction
        .publication_case(code, &staff.signed_in.access)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            let (status, text) = chinese(&e);
            return refused(status, &frame, &text, "/admin/letters");
        }
    };
    let bodies = node.interaction.bodies().await.unwrap_or_default();
    let status = typed.as_ref().map_or(StatusCode::OK, |t| t.2);
    let shown = shown_case(&case, &bodies, staff, typed.map(|(t, e, _)| (t, e)));
    render(
        status,
        "letters_publication.html",
        &frame,
        serde_json::json!({ "case": shown, "queue": reviews_replies(&staff.signed_in.access) }),
    )
}

/// `POST /admin/letters/{code}/publication`: proposes the public text.
pub(super) async fn propose(
    State(node): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(f): Form<TextForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    match node
        .interaction
        .propose_publication(&code, &staff.signed_in.access, &f.text())
        .await
    {
        Ok(_) => see_other(&format!("/admin/letters/{code}/publication?done=proposed")),
        Err(e) => {
            let (status, text) = chinese(&e);
            if matches!(status, StatusCode::BAD_REQUEST | StatusCode::CONFLICT) {
                let frame = staff.frame(&node.node);
                return proposal_page(&node, &staff, frame, &code, Some((f.text(), text, status)))
                    .await;
            }
            refused(status, &staff.frame(&node.node), &text, "/admin/letters")
        }
    }
}

/// `GET /admin/letters/publication`: the reviewers' queue.
pub(super) async fn queue(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    queue_page(&node, &staff, frame, None).await
}

async fn queue_page(
    node: &AppState,
    staff: &Staff,
    frame: Frame,
    typed: Option<(String, PublicText, String, StatusCode)>,
) -> Response {
    let access = &staff.signed_in.access;
    if !reviews_replies(access) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "答复公开审核仅对单位的信息审核员和平台管理员开放",
            "/admin/",
        );
    }
    let cases = match node.interaction.publication_cases(access).await {
        Ok(c) => c,
        Err(e) => {
            let (status, text) = chinese(&e);
            return refused(status, &frame, &text, "/admin/");
        }
    };
    let bodies = node.interaction.bodies().await.unwrap_or_default();
    let status = typed.as_ref().map_or(StatusCode::OK, |t| t.3);
    let (waiting, other): (Vec<Shown>, Vec<Shown>) = cases
        .iter()
        .filter(|c| may_review(access, &c.body_id))
        .map(|c| {
            let mine = typed
                .as_ref()
                .filter(|t| t.0 == c.code)
                .map(|t| (t.1.clone(), t.2.clone()));
            shown_case(c, &bodies, staff, mine)
        })
        .partition(|s| s.state_code == PublicationState::Proposed.code());
    render(
        status,
        "letters_publication_queue.html",
        &frame,
        serde_json::json!({ "waiting": waiting, "other": other }),
    )
}

/// After a reviewer's change: back to the queue, or the queue with the refusal.
async fn reviewed(
    node: &AppState,
    staff: &Staff,
    code: &str,
    typed: PublicText,
    result: Result<govnode_interaction::Publication, PublicationError>,
    done: &str,
) -> Response {
    match result {
        Ok(_) => see_other(&format!("{QUEUE}?done={done}#p-{code}")),
        Err(e) => {
            let (status, text) = chinese(&e);
            if matches!(
                status,
                StatusCode::BAD_REQUEST | StatusCode::CONFLICT | StatusCode::FORBIDDEN
            ) && reviews_replies(&staff.signed_in.access)
            {
                let frame = staff.frame(&node.node);
                return queue_page(node, staff, frame, Some((code.into(), typed, text, status)))
                    .await;
            }
            refused(status, &staff.frame(&node.node), &text, QUEUE)
        }
    }
}

/// `POST /admin/letters/publication/{code}/approve`: approves the (edited) public text.
pub(super) async fn approve(
    State(node): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(f): Form<TextForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let result = node
        .interaction
        .approve_publication(&code, &staff.signed_in.access, &f.text())
        .await;
    reviewed(&node, &staff, &code, f.text(), result, "approved").await
}

/// `POST /admin/letters/publication/{code}/return`: returns a proposal with a reason.
pub(super) async fn give_back(
    State(node): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let result = node
        .interaction
        .return_publication(&code, &staff.signed_in.access, &f.reason)
        .await;
    reviewed(
        &node,
        &staff,
        &code,
        current(&node, &staff, &code).await,
        result,
        "returned",
    )
    .await
}

/// `POST /admin/letters/publication/{code}/withdraw`: 撤回公开, with a reason.
pub(super) async fn withdraw(
    State(node): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let result = node
        .interaction
        .withdraw_publication(&code, &staff.signed_in.access, &f.reason)
        .await;
    reviewed(
        &node,
        &staff,
        &code,
        current(&node, &staff, &code).await,
        result,
        "withdrawn",
    )
    .await
}

/// The public text as stored (what the approve form shows again after a refused reason).
async fn current(node: &AppState, staff: &Staff, code: &str) -> PublicText {
    node.interaction
        .publication_case(code, &staff.signed_in.access)
        .await
        .map(|c| c.publication.map_or(c.draft, |p| p.text))
        .unwrap_or_default()
}
