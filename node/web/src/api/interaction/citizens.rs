//! The citizens' side of tickets: filing, attachments, status, rating, more information,
//! bodies, published replies, statistics and the Q&A assistant.

use govnode_interaction::{Interaction, TicketView};
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_interaction::{Filing, beijing_today, rules};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::blobs::Upload;
use crate::api::openapi::{ErrorBody, TOO_LARGE};
use crate::common::client::ClientAddress;
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path};

/// File a ticket
///
/// A letter to a leader's mailbox, a consultation, complaint, suggestion, report, website
/// error report or disclosure application. Durable before 201; routed store-and-forward to
/// the body's node (or the site's letters desk when `body` is empty). Answers the tracking
/// code and the query password, once. 20 submissions an hour per client.
#[utoipa::path(
    post,
    path = "/api/interaction/tickets",
    tag = "interaction",
    params(("site" = String, Query, description = "The site the ticket is filed on", min_length = 1)),
    request_body = govnode_interaction::Filing,
    responses(
        (status = 201, description = "`{code, password, state, message}`: the tracking code and query password (shown once), `submitted`, and a note for the citizen", body = Object),
        (status = 400, description = "No `site`; a missing, unknown or invalid field; an attachment not uploaded", body = ErrorBody),
        (status = 404, description = "No such site, or no such body", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
        (status = 429, description = "Too many submissions from this client", body = ErrorBody),
    ),
)]
pub async fn file(
    State(node): State<AppState>,
    ClientAddress(client): ClientAddress,
    Query(p): Query<HashMap<String, String>>,
    ApiJson(filing): ApiJson<Filing>,
) -> Result<impl IntoResponse, ApiError> {
    let site = p.get("site").filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::bad_request("site: the site the ticket is filed on is required")
    })?;
    node.content.site(site).await?;
    let attachments = uploaded(&node, &filing).await?;
    let (code, password) = node
        .interaction
        .file(site, filing, &client, attachments)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "code": code, "password": password, "state": "submitted",
            "message": "请妥善保存查询码和查询密码，凭此查询办理进度、补充材料和评价答复。" }),
        ),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordQuery {
    password: String,
}

/// What 429 means wherever the citizen gives the tracking password.
const WRONG_TOO_OFTEN: &str = "10 wrong passwords for this ticket within an hour of the first: every password is refused until then; the message says when to try again";

/// A ticket's progress, for the citizen (deprecated: the password in the URL)
///
/// Deprecated: a password in the URL is kept in server and proxy logs, browser histories
/// and `Referer` headers. POST it in the body to the same path instead (same answer). The
/// citizen's personal data masked. A wrong password is a 404, like an unknown code. Never
/// cached (`Cache-Control: no-store`).
#[utoipa::path(
    get,
    path = "/api/interaction/tickets/{code}",
    tag = "interaction",
    operation_id = "ticket_status",
    params(
        ("code" = String, Path, description = "Tracking code"),
        ("password" = String, Query, deprecated, description = "The query password (deprecated: POST it in the body)"),
    ),
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 400, description = "No `password`, or another parameter", body = ErrorBody),
        (status = 404, description = "No such ticket, or a wrong password", body = ErrorBody),
        (status = 429, description = WRONG_TOO_OFTEN, body = ErrorBody),
    ),
)]
#[deprecated = "the password in the URL: POST it in the body (`track`)"]
pub async fn status(
    State(interaction): State<Interaction>,
    Path(code): Path<String>,
    crate::common::extract::ApiQuery(q): crate::common::extract::ApiQuery<PasswordQuery>,
) -> Result<Json<Value>, ApiError> {
    let view = interaction.citizen_view(&code, &q.password).await?;
    Ok(Json(json!(view)))
}

/// The citizen's tracking password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// The query password.
    password: String,
}

/// A ticket's progress, for the citizen
///
/// The tracking password in the body, out of URLs and logs. The citizen's personal data
/// masked. A wrong password is a 404, like an unknown code; 10 wrong ones within an hour
/// refuse every password until the hour is over (429). Never cached
/// (`Cache-Control: no-store`).
#[utoipa::path(
    post,
    path = "/api/interaction/tickets/{code}",
    tag = "interaction",
    operation_id = "ticket_track",
    params(("code" = String, Path, description = "Tracking code")),
    request_body = PasswordBody,
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 400, description = "No `password`, or another field", body = ErrorBody),
        (status = 404, description = "No such ticket, or a wrong password", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
        (status = 429, description = WRONG_TOO_OFTEN, body = ErrorBody),
    ),
)]
pub async fn track(
    State(interaction): State<Interaction>,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<Json<Value>, ApiError> {
    let view = interaction.citizen_view(&code, &b.password).await?;
    Ok(Json(json!(view)))
}

/// The citizen's rating of the reply.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// The query password.
    password: String,
    /// 1 (very unsatisfied) to 5 (very satisfied).
    #[serde(deserialize_with = "govnode_topology::whole::number")]
    #[schema(minimum = 1, maximum = 5)]
    rating: u8,
    /// A comment on the reply, at most 500 characters.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
    )]
    comment: String,
}

/// Rate the reply, for the citizen
#[utoipa::path(
    post,
    path = "/api/interaction/tickets/{code}/rating",
    tag = "interaction",
    params(("code" = String, Path, description = "Tracking code")),
    request_body = RatingBody,
    responses(
        (status = 200, description = "The ticket, rated", body = TicketView),
        (status = 400, description = "A missing, unknown or invalid field (rating 1–5)", body = ErrorBody),
        (status = 404, description = "No such ticket, or a wrong password", body = ErrorBody),
        (status = 409, description = "The ticket has no reply to rate, or is rated", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
        (status = 429, description = WRONG_TOO_OFTEN, body = ErrorBody),
    ),
)]
pub async fn rate(
    State(interaction): State<Interaction>,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<RatingBody>,
) -> Result<Json<Value>, ApiError> {
    let view = interaction
        .rate(&code, &b.password, b.rating, &b.comment)
        .await?;
    Ok(Json(json!(view)))
}

/// The citizen's answer to a request for information.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InfoBody {
    /// The query password.
    password: String,
    /// The information asked for, 2–5000 characters.
    #[schema(
        max_length = 5000,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
    )]
    text: String,
}

/// Answer a request for information, for the citizen
///
/// The deadline's clock runs again.
#[utoipa::path(
    post,
    path = "/api/interaction/tickets/{code}/info",
    tag = "interaction",
    params(("code" = String, Path, description = "Tracking code")),
    request_body = InfoBody,
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 404, description = "No such ticket, or a wrong password", body = ErrorBody),
        (status = 409, description = "No information was requested", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
        (status = 429, description = WRONG_TOO_OFTEN, body = ErrorBody),
    ),
)]
pub async fn info(
    State(interaction): State<Interaction>,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<InfoBody>,
) -> Result<Json<Value>, ApiError> {
    let view = interaction.supply_info(&code, &b.password, &b.text).await?;
    Ok(Json(json!(view)))
}

/// The directory of bodies
///
/// The province's bodies known here (replicated down), and the letters desk that takes the
/// site's letters when the writer names no body: `{bodies, desk}` (`desk`: a `Desk` or
/// null).
#[utoipa::path(
    get,
    path = "/api/interaction/bodies",
    tag = "interaction",
    params(("site" = Option<String>, Query, description = "Also answer this site's letters desk")),
    responses(
        (status = 200, description = "`{bodies, desk}`: `Body` objects, and the site's `Desk` or null", body = Object),
    ),
)]
pub async fn bodies(
    State(interaction): State<Interaction>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let desk = match p.get("site").filter(|s| !s.is_empty()) {
        Some(site) => interaction.desk_for(site).await?,
        None => None,
    };
    Ok(Json(
        json!({ "bodies": interaction.bodies().await?, "desk": desk }),
    ))
}

/// Published replies
///
/// Replies published with the citizens' consent, optionally searched: `{replies}` (at most
/// 100 `PublicReply` objects: subject, 受理日期, 答复日期, 答复部门, the letter and the reply).
#[utoipa::path(
    get,
    path = "/api/interaction/replies",
    tag = "interaction",
    params(
        ("site" = Option<String>, Query, description = "Filed on this site"),
        ("body" = Option<String>, Query, description = "Answered by this body"),
        ("q" = Option<String>, Query, description = "Words to search for, at most 100 characters", max_length = 100),
    ),
    responses(
        (status = 200, description = "`{replies}`", body = Object),
        (status = 400, description = "`q` is longer than 100 characters", body = ErrorBody),
    ),
)]
pub async fn replies(
    State(interaction): State<Interaction>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let site = p.get("site").filter(|s| !s.is_empty()).map(String::as_str);
    let body = p.get("body").filter(|s| !s.is_empty()).map(String::as_str);
    let q = p.get("q").map(String::as_str).unwrap_or_default();
    if q.chars().count() > 100 {
        return Err(ApiError::bad_request("q: at most 100 characters"));
    }
    let list = interaction.search_replies(site, body, q, 100).await?;
    Ok(Json(json!({ "replies": list })))
}

/// Statistics per body
///
/// Per body of this node: received, replied, on time, overdue, average working days to
/// reply, satisfaction; `below`: the latest of every body of the levels below, rolled up as
/// entries. `{node, bodies, below}` (`bodies`: `BodyStats`; `below`: `{node, stats}`).
#[utoipa::path(
    get,
    path = "/api/interaction/stats",
    tag = "interaction",
    responses(
        (status = 200, description = "`{node, bodies, below}`", body = Object),
    ),
)]
pub async fn stats(State(node): State<AppState>) -> Result<Json<Value>, ApiError> {
    let stats = node.interaction.stats(beijing_today()).await?;
    let below: Vec<Value> = node
        .interaction
        .rolled_up()
        .await?
        .into_iter()
        .map(|(n, s)| json!({ "node": n, "stats": s }))
        .collect();
    Ok(Json(
        json!({ "node": node.federation.me(), "bodies": stats, "below": below }),
    ))
}

/// The Q&A assistant
///
/// The best answers from the documents the node holds (its own, its lineage's,
/// distributed down): written Q&A, and guides, policies, interpretations and laws whose
/// titles hold the question's key words (news only as related). `confident` when the first
/// answer's confidence is at least 0.6; otherwise `consultation` offers a consultation
/// pre-filled with the question (`form`: the site's letters page). The page `…/qa` of every
/// site answers the same way. `{q, confident, answers, consultation, corrected,
/// expansions}`.
#[utoipa::path(
    get,
    path = "/api/qa",
    tag = "interaction",
    params(
        ("q" = String, Query, description = "The question, 1–200 characters with a letter, digit or Chinese character (a question of stop words only is refused)", min_length = 1, max_length = 200, pattern = r"[0-9A-Za-z\u4e00-\u9fff]"),
        ("site" = Option<String>, Query, description = "The site asking (for the consultation form's link)"),
    ),
    responses(
        (status = 200, description = "`{q, confident, answers, consultation, corrected, expansions}`", body = Object),
        (status = 400, description = "No question, one too long, or one of stop words only", body = ErrorBody),
    ),
)]
pub async fn qa(
    State(node): State<AppState>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let q = p.get("q").cloned().unwrap_or_default();
    let answer = crate::site::qa::ask(&node, &q).await?;
    let site = p.get("site").filter(|s| !s.is_empty()).cloned();
    let subject: String = q.trim().chars().take(100).collect();
    let consultation = (!answer.confident).then(|| {
        json!({
            "message": "未找到可靠答案，您可以提交咨询，由相关部门在3个工作日内答复。",
            "kind": "consultation", "subject": subject, "content": q.trim(),
            "form": site.as_ref().map(|s| crate::site::qa::consultation_link(&format!("/sites/{s}/letters"), &q)),
        })
    });
    Ok(Json(json!({
        "q": q, "confident": answer.confident, "answers": answer.answers, "consultation": consultation,
        "corrected": answer.corrected, "expansions": answer.expansions,
    })))
}

/// The uploaded files a filing names, read back from the blob store (verified there).
pub(super) async fn uploaded(
    node: &AppState,
    filing: &Filing,
) -> Result<Vec<govnode_interaction::Attachment>, ApiError> {
    let mut out = Vec::new();
    for (i, (hash, name)) in filing.attachments.iter().enumerate() {
        let (info, bytes) = node.blobs.get(hash).await?.ok_or_else(|| {
            ApiError::bad_request(format!(
                "attachments[{i}]: no uploaded file {hash}; upload it with POST /api/interaction/attachments first"
            ))
        })?;
        out.push(govnode_interaction::Attachment {
            hash: info.hash,
            name: name.clone(),
            mime: info.mime,
            bytes,
        });
    }
    Ok(out)
}

/// Upload a file to attach to a letter
///
/// The raw body with its Content-Type: PDF, JPEG, PNG, plain text or DOCX, at most 5 MiB;
/// counted against the client's hourly allowance. Answers `{hash, size, mime}`; name it in
/// the filing's `attachments` as `[hash, file name]`. Attachments travel sealed with the
/// ticket to the body's node.
#[utoipa::path(
    post,
    path = "/api/interaction/attachments",
    tag = "interaction",
    request_body(
        description = "The file's bytes (at least one), with its own Content-Type",
        content(
            (inline(Upload) = "application/pdf"),
            (inline(Upload) = "image/jpeg"),
            (inline(Upload) = "image/png"),
            (inline(Upload) = "text/plain"),
            (inline(Upload) = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ),
    ),
    responses(
        (status = 201, description = "`{hash, size, mime}`", body = Object),
        (status = 400, description = "A type that is not accepted, or an empty file", body = ErrorBody),
        (status = 413, description = "Larger than 5 MiB", body = ErrorBody),
        (status = 429, description = "Too many uploads from this client", body = ErrorBody),
    ),
)]
pub async fn upload(
    State(node): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: axum::http::HeaderMap,
    crate::common::extract::ApiBytes(body): crate::common::extract::ApiBytes,
) -> Result<impl IntoResponse, ApiError> {
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mime = rules::check_attachment(declared, body.len())?;
    node.interaction.admit_upload(&client).await?;
    let info = node.blobs.put_private(&body, &mime).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "hash": info.hash, "size": info.size, "mime": info.mime })),
    ))
}
