//! One-net interaction (一网通答) routes: citizens file and follow tickets, handlers work
//! their body's inbox, platform administrators keep the directory of bodies.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use govnode_interaction::Interaction;
use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_interaction::{Filing, HandlerAction, InteractionError, beijing_today, rules};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Largest citizen attachment upload (5 MiB and the multipart framing).
const ATTACHMENT_LIMIT: usize = 6 << 20;

/// Tickets: the citizens' side (file, status, rating, information, replies, the Q&A
/// assistant) and the handlers' (inbox, ticket, actions, bodies, escalations, settings).
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/interaction/inbox", get(inbox))
        .route(
            "/api/admin/interaction/tickets/{code}/knowledge",
            post(knowledge),
        )
        .route(
            "/api/admin/interaction/tickets/{code}/attachments/{hash}",
            get(attachment),
        )
        .route("/api/admin/interaction/tickets/{code}", get(ticket))
        .route("/api/admin/interaction/tickets/{code}/actions", post(act))
        .route("/api/admin/interaction/bodies/{slug}", put(put_body))
        .route("/api/admin/interaction/escalations", get(escalations))
        .route(
            "/api/admin/interaction/settings",
            get(get_settings).put(put_settings),
        )
        .route("/api/interaction/tickets", post(file))
        .route(
            "/api/interaction/attachments",
            post(upload).layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT)),
        )
        .route("/api/interaction/tickets/{code}", get(status))
        .route("/api/interaction/tickets/{code}/rating", post(rate))
        .route("/api/interaction/tickets/{code}/info", post(info))
        .route("/api/interaction/bodies", get(bodies))
        .route("/api/interaction/replies", get(replies))
        .route("/api/interaction/stats", get(stats))
        .route("/api/qa", get(qa))
}

/// `POST /api/interaction/tickets?site=`: file a ticket; answers the tracking code and
/// the query password once.
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

/// `GET /api/interaction/tickets/{code}?password=`: the citizen's view (personal data masked).
pub async fn status(
    State(interaction): State<Interaction>,
    Path(code): Path<String>,
    Query(q): Query<PasswordQuery>,
) -> Result<Json<Value>, ApiError> {
    let view = interaction.citizen_view(&code, &q.password).await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    password: String,
    rating: u8,
    #[serde(default)]
    comment: String,
}

/// `POST /api/interaction/tickets/{code}/rating`.
pub async fn rate(
    State(node): State<AppState>,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<RatingBody>,
) -> Result<Json<Value>, ApiError> {
    let view = node
        .interaction
        .rate(&code, &b.password, b.rating, &b.comment)
        .await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoBody {
    password: String,
    text: String,
}

/// `POST /api/interaction/tickets/{code}/info`: the citizen answers a request for information.
pub async fn info(
    State(node): State<AppState>,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<InfoBody>,
) -> Result<Json<Value>, ApiError> {
    let view = node
        .interaction
        .supply_info(&code, &b.password, &b.text)
        .await?;
    Ok(Json(json!(view)))
}

/// `GET /api/interaction/bodies?site=`: the directory of bodies of the province known
/// here, and the letters desk that takes the site's letters without a chosen body.
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

/// `GET /api/interaction/replies?site=&body=&q=`: published replies, optionally searched.
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

/// `GET /api/interaction/stats`: per body of this node: received, replied, on time,
/// overdue, average working days to reply, satisfaction; `below`: the latest of every
/// body of the levels below, rolled up as entries.
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

/// `GET /api/admin/interaction/inbox?body=&offset=&limit=`: a page of the tickets held
/// here, overdue first, with counts of the whole list.
pub async fn inbox(
    State(node): State<AppState>,
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
    let page = node
        .interaction
        .inbox(bodies.as_deref(), offset, limit)
        .await?;
    Ok(Json(json!(page)))
}

/// `GET /api/admin/interaction/tickets/{code}`.
pub async fn ticket(
    State(node): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = node
        .interaction
        .handler_view(&code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {code} here")))?;
    scope(&caller, Some(&view.ticket.body_id))?;
    Ok(Json(json!(view)))
}

/// `POST /api/admin/interaction/tickets/{code}/actions` `{action: accept|refuse|transfer|
/// start|request_info|reply|extend|close, …}`.
pub async fn act(
    State(node): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(action): ApiJson<HandlerAction>,
) -> Result<Json<Value>, ApiError> {
    let body = scope(&caller, None)?;
    let view = node
        .interaction
        .act(&code, &caller.0.name, body.as_deref(), action)
        .await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyDecl {
    name: String,
    #[serde(default)]
    superior: String,
}

/// `PUT /api/admin/interaction/bodies/{slug}`: declares a body of this node.
pub async fn put_body(
    State(node): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<BodyDecl>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let body = node
        .interaction
        .put_body(&slug, &b.name, &b.superior)
        .await?;
    Ok(Json(json!(body)))
}

/// `GET /api/admin/interaction/escalations`: overdue tickets escalated to this level.
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

/// `GET /api/qa?q=&site=`: the best answers of the knowledge base (Q&A documents the
/// node holds: its own, its lineage's, curated by editors and distributed down) with a
/// confidence; below the threshold, a consultation pre-filled with the question.
pub async fn qa(
    State(node): State<AppState>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let q = p.get("q").cloned().unwrap_or_default();
    let query = govnode_search::SearchQuery {
        text: q.clone(),
        doc_type: Some("qa".into()),
        per_page: 3,
        ..Default::default()
    };
    let r = super::search::run_search(&node, query).await?;
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

/// `GET /api/admin/interaction/settings`: the holiday calendar and deadline policy in use.
pub async fn get_settings(
    State(interaction): State<Interaction>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(interaction.settings().await?))
}

/// `PUT /api/admin/interaction/settings` `{calendar: "2027-01-01 holiday 元旦\n…", policy:
/// {working_days: {…}, disclosure_extension_days, warn_before_days}}`: this level's
/// setting, distributed to the levels below.
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

/// `POST /api/interaction/attachments` (raw body with its Content-Type): uploads a file to
/// attach to a letter; answers its hash. Counted against the client's hourly allowance.
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
    let info = node.blobs.put(&body, &mime).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "hash": info.hash, "size": info.size, "mime": info.mime })),
    ))
}

/// `GET /api/admin/interaction/tickets/{code}/attachments/{hash}`: a ticket's file, for its
/// handler (never public).
pub async fn attachment(
    State(node): State<AppState>,
    caller: Caller,
    Path((code, hash)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    let view = node
        .interaction
        .handler_view(&code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {code} here")))?;
    scope(&caller, Some(&view.ticket.body_id))?;
    let file = node
        .interaction
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
        ],
        file.bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeBody {
    site: String,
    column: String,
}

/// `POST /api/admin/interaction/tickets/{code}/knowledge` `{site, column}`: drafts a Q&A
/// article from a replied ticket whose citizen agreed to publication, in a Q&A column; the
/// site's reviewers publish it through the usual workflow (nothing goes out unreviewed),
/// and it then reaches the knowledge base and the levels below.
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
        "body": format!("**问：**{}\n\n**答：**{}\n\n（答复单位：{}）", t.content, t.reply, t.reply_body),
    }))
    .map_err(ApiError::internal)?;
    let article = node
        .content
        .create_article(&caller.0.name, &b.site, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(article))))
}
