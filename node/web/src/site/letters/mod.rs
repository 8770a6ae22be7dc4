//! The site's letters page (一网通答): an accessible form to write to any body of the
//! province (no CAPTCHA image; rate-limited), progress by tracking code and password (a
//! POST form: the password stays out of URLs), and the replies published with the
//! citizens' consent.
//!
//! What is wrong with a letter is said in Chinese next to its field, naming the field as
//! the form labels it, with the citizen's input kept. A letter filed answers with a
//! redirect (303) to the confirmation page, so a refresh never files it twice; the
//! tracking code and password reach that page through a one-time receipt held on the node
//! (`Interaction::hold_receipt`) whose random token travels in a short-lived, HttpOnly
//! cookie scoped to the letters pages — never in a URL. The first visit takes the
//! receipt; a refresh finds it gone and says so.

mod form;
mod track;

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use govnode_interaction::{Filing, InteractionError, Problem, Receipt, TicketKind, problem};
use minijinja::Value;
use serde_json::json;

use super::pages::v;
use super::{PageError, PageRequest};

/// The cookie carrying a filing's receipt token to the confirmation page.
const RECEIPT_COOKIE: &str = "govnode_receipt";

/// The letter's text fields a page shows again (never the ID number).
const KEPT: [&str; 7] = [
    "kind", "body", "subject", "content", "name", "phone", "email",
];

/// Every field of the letters page's forms, for their labels.
const LABELLED: [&str; 14] = [
    "kind",
    "body",
    "subject",
    "content",
    "name",
    "phone",
    "id_number",
    "email",
    "attachment",
    "code",
    "password",
    "text",
    "rating",
    "comment",
];

/// The forms' labels, from the one place they are named (`problem::label`).
fn labels() -> Value {
    v(LABELLED
        .iter()
        .map(|f| (*f, problem::label(f)))
        .collect::<HashMap<_, _>>())
}

/// Marks a page never to be stored (it shows a ticket or a password).
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The request without its query in the path, so no link of the page (the elder toggle's
/// return, the canonical link) carries a password given in the URL.
fn unlinked(req: &PageRequest) -> PageRequest {
    PageRequest {
        node: req.node.clone(),
        site: req.site.clone(),
        base: req.base.clone(),
        origin: req.origin.clone(),
        query: HashMap::new(),
        elder: req.elder,
        path: req.path.split('?').next().unwrap_or_default().to_string(),
    }
}

/// `GET …/letters`: the form (pre-filled from the query, as the Q&A page's link does),
/// the tracking form and the published replies. The deprecated `?code=&password=` shows
/// the ticket's progress instead.
pub async fn letters(req: &PageRequest) -> Result<Response, PageError> {
    if let (Some(code), Some(password)) = (req.query.get("code"), req.query.get("password"))
        && !code.is_empty()
    {
        return track::lookup(&unlinked(req), code, password).await;
    }
    let form = KEPT
        .iter()
        .map(|k| (*k, req.query.get(*k).cloned().unwrap_or_default()))
        .collect();
    render_form(req, StatusCode::OK, form, &[], None).await
}

/// The letters page with the form holding `form`, its `problems` next to their fields.
async fn render_form(
    req: &PageRequest,
    status: StatusCode,
    form: HashMap<&str, String>,
    problems: &[Problem],
    form_error: Option<String>,
) -> Result<Response, PageError> {
    let (mut ctx, _) = req
        .common(
            "互动交流",
            None,
            Vec::new(),
            vec![("互动交流".into(), req.url("/letters"))],
        )
        .await?;
    let interaction = &req.node.interaction;
    let kinds: Vec<_> = TicketKind::ALL
        .iter()
        .map(|k| json!({ "code": k.code(), "label": k.label() }))
        .collect();
    // One problem a field, on the input it concerns (the attachment list on the file input).
    let mut errors: HashMap<&str, String> = HashMap::new();
    let mut summary = Vec::new();
    for p in problems {
        let field = match p.field {
            "attachments" => "attachment",
            f => f,
        };
        if !errors.contains_key(field) {
            errors.insert(field, p.citizen());
            summary.push(json!({ "field": field, "message": p.citizen() }));
        }
    }
    ctx.insert("kinds", v(kinds));
    ctx.insert("bodies", v(interaction.bodies().await?));
    ctx.insert("desk", v(interaction.desk_for(&req.site.id).await?));
    ctx.insert(
        "replies",
        v(interaction
            .public_replies(Some(&req.site.id), None, 20)
            .await?),
    );
    ctx.insert("form", v(form));
    ctx.insert("errors", v(errors));
    ctx.insert("summary", v(summary));
    ctx.insert("form_error", Value::from(form_error));
    ctx.insert("labels", labels());
    ctx.insert("action", Value::from(req.url("/letters")));
    ctx.insert("qa_url", Value::from(req.url("/qa")));
    req.render(status, "letters.html", ctx)
}

/// `POST …/letters` (form): files the letter and redirects to its confirmation, or shows
/// the form again with what is wrong; from the tracking page's forms (`action`): shows a
/// ticket's progress (`track`), or takes the citizen's material (`supplement`) or rating
/// (`rate`), the password given again in the body each time.
pub(super) async fn submit(req: &PageRequest, request: Request) -> Response {
    let client = crate::common::client::client_address(
        request.headers(),
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0),
        &req.node.node.trusted_proxies,
    );
    let result = match form::read(&req.node, request).await {
        Ok(read) => match read.get("action").as_str() {
            "track" => track::lookup(req, &read.get("code"), &read.get("password")).await,
            "supplement" => track::supplement(req, &read).await,
            "rate" => track::rate(req, &read).await,
            _ => file(req, read, &client).await,
        },
        Err(unreadable) => {
            tracing::debug!(problem = %unreadable.message(), "a letter form could not be read");
            let form = KEPT.iter().map(|k| (*k, String::new())).collect();
            render_form(
                req,
                StatusCode::BAD_REQUEST,
                form,
                &[],
                Some(unreadable.citizen()),
            )
            .await
        }
    };
    super::finish(req, result).await
}

/// Files the letter read from the form.
async fn file(req: &PageRequest, read: form::Read, client: &str) -> Result<Response, PageError> {
    let interaction = &req.node.interaction;
    let filing = Filing {
        kind: read.get("kind"),
        body: read.get("body"),
        subject: read.get("subject"),
        content: read.get("content"),
        name: read.get("name"),
        phone: read.get("phone"),
        id_number: read.get("id_number"),
        email: read.get("email"),
        consent_public: matches!(read.get("consent_public").as_str(), "1" | "on"),
        attachments: read
            .files
            .iter()
            .map(|a| (a.hash.clone(), a.name.clone()))
            .collect(),
    };
    let kept: HashMap<&str, String> = KEPT.iter().map(|k| (*k, read.get(k))).collect();
    let bytes = read.files.iter().map(|a| a.bytes.len()).sum();
    let mut problems = interaction
        .filing_problems(&req.site.id, &filing, bytes)
        .await?;
    problems.extend(read.problems);
    if !problems.is_empty() {
        // A browser cannot fill a file input again: say so when files were chosen.
        let again = (!read.files.is_empty()).then(|| "请重新选择要上传的附件。".to_string());
        return render_form(req, StatusCode::BAD_REQUEST, kept, &problems, again).await;
    }
    let subject = filing.subject.trim().to_string();
    let (code, password) = match interaction
        .file(&req.site.id, filing, client, read.files)
        .await
    {
        Ok(filed) => filed,
        Err(InteractionError::RateLimited(_)) => {
            let why = "提交过于频繁，已达到每小时可提交的信件数量上限，请一小时后再试。";
            return render_form(
                req,
                StatusCode::TOO_MANY_REQUESTS,
                kept,
                &[],
                Some(why.into()),
            )
            .await;
        }
        Err(InteractionError::Invalid(m) | InteractionError::NotFound(m)) => {
            tracing::info!(reason = %m, "a letter from the page was not filed");
            let why = "所选受理单位暂时无法接收信件，请稍后再试或选择其他单位。";
            return render_form(req, StatusCode::BAD_REQUEST, kept, &[], Some(why.into())).await;
        }
        Err(e) => return Err(e.into()),
    };
    let body = match interaction.handler_view(&code).await? {
        Some(view) => view.ticket.body_id,
        None => String::new(),
    };
    let token = interaction.hold_receipt(Receipt {
        code,
        password,
        subject,
        body,
    });
    let secure = if req.origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{RECEIPT_COOKIE}={token}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        req.url("/letters"),
        govnode_interaction::receipt::RECEIPT_MS / 1000
    );
    let mut resp = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, req.url("/letters/sent"))],
    )
        .into_response();
    if let Ok(c) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(no_store(resp))
}

/// `GET …/letters/sent`: the confirmation of a letter just filed, with its tracking code
/// and password, once; the receipt's cookie is cleared.
pub(super) async fn sent(req: &PageRequest, headers: &HeaderMap) -> Result<Response, PageError> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == RECEIPT_COOKIE)
        .map(|(_, value)| value.trim().to_string());
    let interaction = &req.node.interaction;
    let receipt = token.and_then(|t| interaction.take_receipt(&t));
    let title = if receipt.is_some() {
        "提交成功"
    } else {
        "页面已失效"
    };
    let (mut ctx, _) = req
        .common(
            title,
            None,
            Vec::new(),
            vec![
                ("互动交流".into(), req.url("/letters")),
                (title.into(), req.url("/letters/sent")),
            ],
        )
        .await?;
    let receipt = match receipt {
        Some(r) => {
            let body = interaction
                .bodies()
                .await?
                .into_iter()
                .find(|b| b.id == r.body)
                .map(|b| b.name);
            Some(
                json!({ "code": r.code, "password": r.password, "subject": r.subject, "body": body }),
            )
        }
        None => None,
    };
    ctx.insert("receipt", v(receipt));
    ctx.insert("letters_url", Value::from(req.url("/letters")));
    ctx.insert(
        "track_url",
        Value::from(format!("{}#track-h", req.url("/letters"))),
    );
    let mut resp = req.render(StatusCode::OK, "letter_sent.html", ctx)?;
    let clear = format!(
        "{RECEIPT_COOKIE}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax",
        req.url("/letters")
    );
    if let Ok(c) = HeaderValue::from_str(&clear) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(no_store(resp))
}
