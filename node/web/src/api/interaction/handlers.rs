//! The handlers' side of tickets: the inbox, a ticket, its actions and attachments, bodies,
//! escalations, settings and Q&A drafts from replies.

use govnode_interaction::{Body, Inbox, Interaction, Settings, TicketView};
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_interaction::{HandlerAction, InteractionError};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

use super::*;

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
    /// Its name, 2–60 characters, e.g. 广东省人力资源和社会保障厅.
    #[schema(
        max_length = 60,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
    )]
    name: String,
    /// Body id of the superior level, "<node>.<slug>" ('' for the parent node's level).
    #[serde(default)]
    #[schema(pattern = r"^([0-9]{6}\.[a-z0-9_-]{1,40})?$")]
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
    params(("slug" = String, Path, description = "The body's slug, 1–40 of a-z, 0-9, _ and -: its id is \"<node>.<slug>\"", pattern = r"^[a-z0-9_-]{1,40}$")),
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
    let article = draft_from_ticket(&node, &caller, &code, &b.site, &b.column).await?;
    Ok((StatusCode::CREATED, Json(json!(article))))
}

/// A Q&A draft on `site`'s Q&A `column` from replied ticket `code`, by `caller`: a handler
/// of the ticket's body (onto the site the letter was filed on) or a platform
/// administrator; the citizen must have agreed to publication. The API and the console's
/// 知识库 both use it.
pub(crate) async fn draft_from_ticket(
    node: &AppState,
    caller: &Caller,
    code: &str,
    site: &str,
    column: &str,
) -> Result<govnode_content::Article, ApiError> {
    let b = KnowledgeBody {
        site: site.to_string(),
        column: column.to_string(),
    };
    let code = code.to_string();
    let view = node
        .interaction
        .handler_view(&code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {code} here")))?;
    scope(caller, Some(&view.ticket.body_id))?;
    let t = &view.ticket;
    // A handler holds no role on any site: the draft may go only to the site the letter
    // was filed on, where its reviewers decide (a platform administrator may pick any).
    if caller.is_handler_only() && b.site != t.filed_site {
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
    Ok(node
        .content
        .create_article(&caller.0.name, &b.site, &input)
        .await?)
}
