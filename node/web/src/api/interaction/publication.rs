//! 答复公开: a handler proposes a consented reply for publication with a public text (the
//! citizen's data redacted); a reviewer of the body approves it (then it is public), returns
//! it with a reason, or withdraws an approved one. The rules are the interaction module's.

use axum::Json;
use axum::extract::State;
use govnode_interaction::publication::PublicationError;
use govnode_interaction::{
    Interaction, InteractionError, PublicText, Publication, PublicationCase,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// A reviewer's reason for returning or withdrawing a publication.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Reason {
    /// 2–500 characters.
    pub reason: String,
}

fn api(e: PublicationError) -> ApiError {
    InteractionError::from(e).into()
}

/// Replies proposed for publication
///
/// The publications (proposed first, then approved, returned, withdrawn) of the bodies the
/// caller reviews or handles (every body for platform administrators), each with the
/// original letter and reply beside the public text.
#[utoipa::path(
    get,
    path = "/api/admin/interaction/publications",
    tag = "interaction",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The publications", body = [PublicationCase]),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
    ),
)]
pub async fn publications(
    State(interaction): State<Interaction>,
    caller: Caller,
) -> Result<Json<Vec<PublicationCase>>, ApiError> {
    Ok(Json(
        interaction
            .publication_cases(&caller.0)
            .await
            .map_err(api)?,
    ))
}

/// A reply's publication
///
/// The letter and reply, the publication so far, and the draft public text (the proposed
/// one, else the original with the citizen's name, phone, id number, e-mail and phone- or
/// ID-like numbers masked).
#[utoipa::path(
    get,
    path = "/api/admin/interaction/tickets/{code}/publication",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    responses(
        (status = 200, description = "The publication", body = PublicationCase),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Neither a handler nor a reviewer of the ticket's body, or the ticket is handled on another node", body = ErrorBody),
        (status = 404, description = "No such ticket here", body = ErrorBody),
    ),
)]
pub async fn publication(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<PublicationCase>, ApiError> {
    Ok(Json(
        interaction
            .publication_case(&code, &caller.0)
            .await
            .map_err(api)?,
    ))
}

/// Propose a reply for publication
///
/// A handler of the body proposes the public text of a replied letter whose citizen
/// consented; it is not public until a reviewer of the body approves it. Refused (400) when
/// a text holds the citizen's personal data.
#[utoipa::path(
    post,
    path = "/api/admin/interaction/tickets/{code}/publication",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    request_body = PublicText,
    responses(
        (status = 200, description = "The proposal", body = Publication),
        (status = 400, description = "A text is too short or long, or holds the citizen's personal data", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a handler of the ticket's body", body = ErrorBody),
        (status = 404, description = "No such ticket here", body = ErrorBody),
        (status = 409, description = "No consent, no reply yet, or already public", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn propose(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(text): ApiJson<PublicText>,
) -> Result<Json<Publication>, ApiError> {
    Ok(Json(
        interaction
            .propose_publication(&code, &caller.0, &text)
            .await
            .map_err(api)?,
    ))
}

/// Approve a publication
///
/// A reviewer of the body (not the proposer) approves the public text given (edited or as
/// proposed): it is listed on the site the letter was filed on from now on. An approved
/// publication may be approved again with an edited text.
#[utoipa::path(
    post,
    path = "/api/admin/interaction/tickets/{code}/publication/approval",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    request_body = PublicText,
    responses(
        (status = 200, description = "The approved publication", body = Publication),
        (status = 400, description = "A text is too short or long, or holds the citizen's personal data", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a reviewer of the ticket's body, or the proposer", body = ErrorBody),
        (status = 404, description = "No such ticket here, or nothing proposed", body = ErrorBody),
        (status = 409, description = "Returned or withdrawn: propose again first", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn approve(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(text): ApiJson<PublicText>,
) -> Result<Json<Publication>, ApiError> {
    Ok(Json(
        interaction
            .approve_publication(&code, &caller.0, &text)
            .await
            .map_err(api)?,
    ))
}

/// Return a proposal
///
/// A reviewer of the body returns a proposal to the handler with a reason.
#[utoipa::path(
    post,
    path = "/api/admin/interaction/tickets/{code}/publication/return",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    request_body = Reason,
    responses(
        (status = 200, description = "The returned publication", body = Publication),
        (status = 400, description = "`reason` is not 2–500 characters", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a reviewer of the ticket's body", body = ErrorBody),
        (status = 404, description = "No such ticket here, or nothing proposed", body = ErrorBody),
        (status = 409, description = "Not awaiting review", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn give_back(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(r): ApiJson<Reason>,
) -> Result<Json<Publication>, ApiError> {
    Ok(Json(
        interaction
            .return_publication(&code, &caller.0, &r.reason)
            .await
            .map_err(api)?,
    ))
}

/// Withdraw a publication (撤回公开)
///
/// A reviewer of the body takes an approved publication off the public lists, with a reason.
#[utoipa::path(
    post,
    path = "/api/admin/interaction/tickets/{code}/publication/withdrawal",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    request_body = Reason,
    responses(
        (status = 200, description = "The withdrawn publication", body = Publication),
        (status = 400, description = "`reason` is not 2–500 characters", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a reviewer of the ticket's body", body = ErrorBody),
        (status = 404, description = "No such ticket here, or nothing proposed", body = ErrorBody),
        (status = 409, description = "Not public", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn withdraw(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(r): ApiJson<Reason>,
) -> Result<Json<Publication>, ApiError> {
    Ok(Json(
        interaction
            .withdraw_publication(&code, &caller.0, &r.reason)
            .await
            .map_err(api)?,
    ))
}
