//! One-net interaction (一网通答) routes: citizens file and follow tickets, handlers work
//! their body's inbox, platform administrators keep the directory of bodies.

use axum::extract::DefaultBodyLimit;
use govnode_interaction::{Body, Inbox, Interaction, Settings, TicketView};
use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use govnode_accounts::Action;
use govnode_interaction::{Filing, HandlerAction, InteractionError, beijing_today, rules};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Largest citizen attachment upload (5 MiB and the multipart framing).
const ATTACHMENT_LIMIT: usize = 6 << 20;

/// Tickets: the citizens' side (file, status, rating, information, replies, the Q&A
/// assistant) and the handlers' (inbox, ticket, actions, bodies, escalations, settings).
/// Every answer that shows a ticket is `no-store`.
#[allow(deprecated)] // `status`: the GET form of `track`, kept for existing clients
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox).layer(map_response(no_store)))
        .routes(routes!(knowledge))
        .routes(routes!(attachment))
        .routes(routes!(ticket).layer(map_response(no_store)))
        .routes(routes!(act).layer(map_response(no_store)))
        .routes(routes!(put_body))
        .routes(routes!(escalations))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(file))
        .routes(routes!(upload).layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT)))
        .routes(routes!(status, track).layer(map_response(no_store)))
        .routes(routes!(rate).layer(map_response(no_store)))
        .routes(routes!(info).layer(map_response(no_store)))
        .routes(routes!(bodies))
        .routes(routes!(replies))
        .routes(routes!(stats))
        .routes(routes!(qa))
}

/// A ticket as a citizen or a handler sees it (personal data, if masked, and the history):
/// never kept by a browser or a proxy.
async fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

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
    params(("site" = String, Query, description = "The site the ticket is filed on")),
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
    ConnectInfo(client): ConnectInfo<SocketAddr>,
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
        .file(site, filing, &client.ip().to_string(), attachments)
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
    /// 1–5.
    #[schema(minimum = 1, maximum = 5)]
    rating: u8,
    /// A comment on the reply.
    #[serde(default)]
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
    /// The information asked for.
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
        ("q" = Option<String>, Query, description = "Words to search for, at most 100 characters"),
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

/// Whose tickets the caller may handle (see the interaction module's rules).
fn scope(caller: &Caller, body: Option<&str>) -> Result<Option<String>, ApiError> {
    Ok(rules::handled_body(&caller.0, body)?)
}

/// Tickets on an inbox page unless `limit` says otherwise, and at most.
const INBOX_PAGE: usize = 100;
const INBOX_PAGE_MAX: usize = 1_000;

/// A handler's inbox
///
/// A page of the tickets held here for the caller's body (handlers) or any body (platform
/// administrators): overdue first, then due soon, other open tickets, the latest finished;
/// with counts of the whole list.
#[utoipa::path(
    get,
    path = "/api/admin/interaction/inbox",
    tag = "interaction",
    operation_id = "ticket_inbox",
    security(("bearer" = [])),
    params(
        ("body" = Option<String>, Query, description = "One body (platform administrators; handlers see their own)"),
        ("offset" = Option<usize>, Query, description = "Where the page starts, 0–1000000 (default 0)", minimum = 0, maximum = 1000000),
        ("limit" = Option<usize>, Query, description = "Tickets on the page, 1–1000 (default 100)", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "The page", body = Inbox),
        (status = 400, description = "`offset` or `limit` out of range", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a handler of the body", body = ErrorBody),
    ),
)]
pub async fn inbox(
    State(interaction): State<Interaction>,
    caller: Caller,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let body = scope(
        &caller,
        p.get("body").filter(|b| !b.is_empty()).map(String::as_str),
    )?;
    let number = |key: &str, default: usize, min: usize, max: usize| match p
        .get(key)
        .filter(|v| !v.is_empty())
    {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("{key}: a whole number from {min} to {max}"))
            }),
    };
    let offset = number("offset", 0, 0, 1_000_000)?;
    let limit = number("limit", INBOX_PAGE, 1, INBOX_PAGE_MAX)?;
    let bodies = body.map(|b| vec![b]);
    let page = interaction.inbox(bodies.as_deref(), offset, limit).await?;
    Ok(Json(json!(page)))
}

/// A ticket, for its handler
#[utoipa::path(
    get,
    path = "/api/admin/interaction/tickets/{code}",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a handler of the ticket's body, a site other than the one the letter was filed on, or a replica site", body = ErrorBody),
        (status = 404, description = "No such ticket here", body = ErrorBody),
    ),
)]
pub async fn ticket(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = interaction
        .handler_view(&code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {code} here")))?;
    scope(&caller, Some(&view.ticket.body_id))?;
    Ok(Json(json!(view)))
}

/// A handler's action on a ticket
///
/// accept, refuse {reason}, transfer {body, reason} (转办, to any body of the province),
/// start, request_info {question}, reply {text}, extend {reason} (disclosure applications,
/// once), close. 409 when the ticket's state does not allow it (e.g. a replayed reply).
#[utoipa::path(
    post,
    path = "/api/admin/interaction/tickets/{code}/actions",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    request_body = govnode_interaction::HandlerAction,
    responses(
        (status = 200, description = "The ticket after the action", body = TicketView),
        (status = 400, description = "An unknown action, or a missing or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a handler of the ticket's body", body = ErrorBody),
        (status = 404, description = "No such ticket here, or no such body to transfer to", body = ErrorBody),
        (status = 409, description = "The ticket's state does not allow the action", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn act(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(action): ApiJson<HandlerAction>,
) -> Result<Json<Value>, ApiError> {
    let body = scope(&caller, None)?;
    let view = interaction
        .act(&code, &caller.0.name, body.as_deref(), action)
        .await?;
    Ok(Json(json!(view)))
}

/// A body of this node.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyDecl {
    /// Its name, e.g. 广东省人力资源和社会保障厅.
    name: String,
    /// Body id of the superior level ('' for the parent node's level).
    #[serde(default)]
    superior: String,
}

/// Declare a body of this node
///
/// Platform administrators. A signed entry: the body reaches the whole province.
#[utoipa::path(
    put,
    path = "/api/admin/interaction/bodies/{slug}",
    tag = "interaction",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The body's slug: its id is \"<node>.<slug>\"")),
    request_body = BodyDecl,
    responses(
        (status = 200, description = "The body", body = Body),
        (status = 400, description = "A missing, unknown or invalid field or slug", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_body(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<BodyDecl>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let body = interaction.put_body(&slug, &b.name, &b.superior).await?;
    Ok(Json(json!(body)))
}

/// Escalated tickets
///
/// Platform administrators. Overdue tickets of the levels below escalated to this node,
/// the national red line flagged: `{escalations}`.
#[utoipa::path(
    get,
    path = "/api/admin/interaction/escalations",
    tag = "interaction",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{escalations}`", body = Object),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
    ),
)]
pub async fn escalations(
    State(interaction): State<Interaction>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(
        json!({ "escalations": interaction.escalations().await? }),
    ))
}

/// Confidence at or above which an answer is offered as the answer.
const QA_CONFIDENT: f64 = 0.6;

/// The Q&A assistant
///
/// The best answers of the knowledge base (Q&A documents the node holds: its own, its
/// lineage's, curated by editors and distributed down) with a confidence; below 0.6,
/// `consultation` offers a consultation pre-filled with the question (`form`: the site's
/// letters page). `{q, confident, answers, consultation, corrected, expansions}`.
#[utoipa::path(
    get,
    path = "/api/qa",
    tag = "interaction",
    params(
        ("q" = String, Query, description = "The question"),
        ("site" = Option<String>, Query, description = "The site asking (for the consultation form's link)"),
    ),
    responses(
        (status = 200, description = "`{q, confident, answers, consultation, corrected, expansions}`", body = Object),
        (status = 400, description = "No question, or one too long", body = ErrorBody),
    ),
)]
pub async fn qa(
    State(one_net): State<govnode_search::OneNetSearch>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let q = p.get("q").cloned().unwrap_or_default();
    let query = govnode_search::SearchQuery {
        text: q.clone(),
        doc_type: Some("qa".into()),
        per_page: 3,
        ..Default::default()
    };
    let r = one_net.search_here(query).await?;
    // Every part of the question matched (the query is a conjunction); the score says how
    // well. A title hit of all the question's words scores well above 10.
    let answers: Vec<Value> = r
        .hits
        .iter()
        .map(|h| {
            let confidence = f64::from(h.score) / (f64::from(h.score) + 8.0);
            json!({ "question": h.title, "answer": h.snippet, "url": h.url, "site": h.site,
                "origin": h.origin, "confidence": (confidence * 100.0).round() / 100.0 })
        })
        .collect();
    let best = answers
        .first()
        .and_then(|a| a["confidence"].as_f64())
        .unwrap_or(0.0);
    let confident = best >= QA_CONFIDENT;
    let site = p.get("site").filter(|s| !s.is_empty()).cloned();
    let subject: String = q.trim().chars().take(100).collect();
    let consultation = (!confident).then(|| {
        json!({
            "message": "未找到可靠答案，您可以提交咨询，由相关部门在3个工作日内答复。",
            "kind": "consultation", "subject": subject, "content": q.trim(),
            "form": site.as_ref().map(|s| format!("/sites/{s}/letters?kind=consultation&subject={}", crate::common::text::url_encode(&subject))),
        })
    });
    Ok(Json(json!({
        "q": q, "confident": confident, "answers": answers, "consultation": consultation,
        "corrected": r.corrected, "expansions": r.expansions,
    })))
}

/// The holiday calendar and deadline policy in use
///
/// Platform administrators. `{years, calendar, policy, updated_ms}`.
#[utoipa::path(
    get,
    path = "/api/admin/interaction/settings",
    tag = "interaction",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{years, calendar, policy, updated_ms}`: the years the calendar covers, the calendar as text, the `DeadlinePolicy`", body = Object),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
    ),
)]
pub async fn get_settings(
    State(interaction): State<Interaction>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(interaction.settings().await?))
}

/// Set this level's calendar and deadline policy
///
/// Platform administrators. The calendar is text, `YYYY-MM-DD holiday|workday name` per
/// line, merged over the shipped years; the setting is distributed to the levels below.
/// Answers the settings in use, as the GET does.
#[utoipa::path(
    put,
    path = "/api/admin/interaction/settings",
    tag = "interaction",
    security(("bearer" = [])),
    request_body = Settings,
    responses(
        (status = 200, description = "`{years, calendar, policy, updated_ms}`", body = Object),
        (status = 400, description = "A bad calendar line, policy value or field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_settings(
    State(interaction): State<Interaction>,
    caller: Caller,
    ApiJson(s): ApiJson<govnode_interaction::Settings>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    interaction.set_settings(s).await?;
    Ok(Json(interaction.settings().await?))
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
        description = "The file's bytes, with its own Content-Type",
        content(("application/pdf"), ("image/jpeg"), ("image/png"), ("text/plain"), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
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
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    crate::common::extract::ApiBytes(body): crate::common::extract::ApiBytes,
) -> Result<impl IntoResponse, ApiError> {
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mime = rules::check_attachment(declared, body.len())?;
    node.interaction
        .admit_upload(&client.ip().to_string())
        .await?;
    let info = node.blobs.put_private(&body, &mime).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "hash": info.hash, "size": info.size, "mime": info.mime })),
    ))
}

/// A ticket's attachment, for its handler
///
/// Never public: served as a sandboxed download.
#[utoipa::path(
    get,
    path = "/api/admin/interaction/tickets/{code}/attachments/{hash}",
    tag = "interaction",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Tracking code"),
        ("hash" = String, Path, description = "blake3 hash of the file, hex"),
    ),
    responses(
        (status = 200, description = "The file, as a download, with its type", content(("*/*"))),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a handler of the ticket's body", body = ErrorBody),
        (status = 404, description = "No such ticket here, or no such attachment", body = ErrorBody),
    ),
)]
pub async fn attachment(
    State(interaction): State<Interaction>,
    caller: Caller,
    Path((code, hash)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    let view = interaction
        .handler_view(&code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {code} here")))?;
    scope(&caller, Some(&view.ticket.body_id))?;
    let file = interaction
        .attachment(&code, &hash)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("ticket {code} has no attachment {hash}")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, file.mime),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment".to_string(),
            ),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "sandbox".to_string(),
            ),
            // A citizen's file: never kept by a browser or a proxy.
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response())
}

/// Where a Q&A draft goes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeBody {
    /// Site id.
    site: String,
    /// Slug of a Q&A column of the site.
    column: String,
}

/// Draft a Q&A article from a replied ticket
///
/// The citizen must have agreed to publication. The draft goes into a Q&A column; the
/// site's reviewers publish it through the usual workflow (nothing goes out unreviewed), and
/// it then serves the Q&A assistant here and at the levels below.
#[utoipa::path(
    post,
    path = "/api/admin/interaction/tickets/{code}/knowledge",
    tag = "interaction",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Tracking code")),
    request_body = KnowledgeBody,
    responses(
        (status = 201, description = "The draft article", body = govnode_content::Article),
        (status = 400, description = "A missing or unknown field, or not a Q&A column", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a handler of the ticket's body", body = ErrorBody),
        (status = 404, description = "No such ticket here, site or column", body = ErrorBody),
        (status = 409, description = "The ticket has no reply, or the citizen did not agree to publication", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn knowledge(
    State(node): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<KnowledgeBody>,
) -> Result<impl IntoResponse, ApiError> {
    let view = node
        .interaction
        .handler_view(&code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {code} here")))?;
    scope(&caller, Some(&view.ticket.body_id))?;
    let t = &view.ticket;
    // A handler holds no role on any site: the draft may go only to the site the letter
    // was filed on, where its reviewers decide (a platform administrator may pick any).
    if caller.0.role == govnode_accounts::Role::Handler && b.site != t.filed_site {
        return Err(ApiError::forbidden(format!(
            "site: a handler may put a reply only on the site the letter was filed on (`{}`)",
            t.filed_site
        )));
    }
    let site = node.content.site(&b.site).await?;
    if node.content.is_replica(&site) {
        return Err(ApiError::forbidden(format!(
            "site `{}` is a replica of node {}; add the draft there",
            b.site, site.origin
        )));
    }
    if t.reply.is_empty() {
        return Err(InteractionError::Conflict(format!("ticket {code} has no reply yet")).into());
    }
    if !t.consent_public {
        return Err(InteractionError::Conflict(format!(
            "the citizen of ticket {code} did not agree to publication"
        ))
        .into());
    }
    let column = node.content.column(&b.site, &b.column).await?;
    if column.kind != govnode_content::ColumnKind::Qa {
        return Err(ApiError::bad_request(format!(
            "column: `{}` is not a Q&A column",
            b.column
        )));
    }
    let input: govnode_content::ArticleInput = serde_json::from_value(json!({
        "column": b.column, "title": t.subject, "doc_type": "qa", "issuing_body": t.reply_body,
        "body": format!("**问**：{}\n\n**答**：{}\n\n（答复单位：{}）", t.content, t.reply, t.reply_body),
    }))
    .map_err(ApiError::internal)?;
    let article = node
        .content
        .create_article(&caller.0.name, &b.site, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(article))))
}
