//! The site's letters page (一网通答): an accessible form to write to any body of the
//! province (no CAPTCHA image; rate-limited), progress by tracking code and password (a
//! POST form: the password stays out of URLs), and the replies published with the
//! citizens' consent.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::rules::{
    self, MAX_ATTACHMENT_FILE as MAX_FILE, MAX_ATTACHMENT_FILES as MAX_FILES,
};
use govnode_interaction::{Filing, InteractionError, TicketKind};
use minijinja::Value;
use serde_json::json;

use super::pages::v;
use super::{PageError, PageRequest};
use crate::AppState;

/// Internal keys the submit handler hands the page (never read from the form).
const FILED_CODE: &str = "\u{0}filed_code";
const FILED_PASSWORD: &str = "\u{0}filed_password";
const FORM_ERROR: &str = "\u{0}form_error";
const TRACK_CODE: &str = "\u{0}track_code";
const TRACK_PASSWORD: &str = "\u{0}track_password";

/// `GET …/letters`, and the page a POST of the letters or tracking form answers with.
///
/// A ticket shown (tracked by the POST form, or by the deprecated `?code=&password=`) and
/// a filing's tracking password make the page `no-store`; the GET form's password is kept
/// out of the page's own links (the elder toggle's return, the canonical link).
pub async fn letters(req: &PageRequest) -> Result<Response, PageError> {
    let tracking = match (req.query.get(TRACK_CODE), req.query.get(TRACK_PASSWORD)) {
        (Some(code), Some(password)) => Some((code, password)),
        _ => match (req.query.get("code"), req.query.get("password")) {
            (Some(code), Some(password)) if !code.is_empty() => Some((code, password)),
            _ => None,
        },
    };
    let secret = tracking.is_some() || req.query.contains_key(FILED_CODE);
    let unlinked;
    let req = if req.query.contains_key("password") {
        unlinked = PageRequest {
            node: req.node.clone(),
            site: req.site.clone(),
            base: req.base.clone(),
            origin: req.origin.clone(),
            query: req.query.clone(),
            elder: req.elder,
            path: req.path.split('?').next().unwrap_or_default().to_string(),
        };
        &unlinked
    } else {
        req
    };
    let (mut ctx, _) = req
        .common(
            "互动交流",
            None,
            Vec::new(),
            vec![("互动交流".into(), req.url("/letters"))],
        )
        .await?;
    let interaction = &req.node.interaction;
    let bodies = interaction
        .bodies()
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let desk = interaction
        .desk_for(&req.site.id)
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let kinds: Vec<_> = TicketKind::ALL
        .iter()
        .map(|k| json!({ "code": k.code(), "label": k.label() }))
        .collect();
    let replies = interaction
        .public_replies(Some(&req.site.id), None, 20)
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let q = |k: &str| req.query.get(k).cloned().unwrap_or_default();
    let mut status = StatusCode::OK;
    let tracked = match tracking {
        Some((code, password)) => {
            match interaction.citizen_view(code.trim(), password.trim()).await {
                // The view leaves the password's hash out; the code stays in the form.
                Ok(view) => json!({ "view": view, "code": code.trim() }),
                Err(InteractionError::NotFound(m)) => json!({ "error": m, "code": code.trim() }),
                Err(InteractionError::RateLimited(m)) => {
                    status = StatusCode::TOO_MANY_REQUESTS;
                    json!({ "error": m, "code": code.trim() })
                }
                Err(e) => return Err(PageError::Internal(e.to_string())),
            }
        }
        None => json!(null),
    };
    let filed = req
        .query
        .get(FILED_CODE)
        .map(|code| json!({ "code": code, "password": q(FILED_PASSWORD) }));
    let form: HashMap<&str, String> = [
        "kind", "body", "subject", "content", "name", "phone", "email",
    ]
    .into_iter()
    .map(|k| (k, q(k)))
    .collect();
    ctx.insert("kinds", v(kinds));
    ctx.insert("bodies", v(bodies));
    ctx.insert("desk", v(desk));
    ctx.insert("replies", v(replies));
    ctx.insert("tracked", v(tracked));
    ctx.insert("filed", v(filed));
    ctx.insert("form", v(form));
    ctx.insert(
        "form_error",
        Value::from(req.query.get(FORM_ERROR).cloned()),
    );
    ctx.insert(
        "action",
        Value::from(format!("/sites/{}/letters", req.site.id)),
    );
    let mut resp = req.render(status, "letters.html", ctx)?;
    if secret {
        resp.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    Ok(resp)
}

/// `POST …/letters` (form): files the letter and shows the tracking code, or the form
/// again with what is wrong; or, from the tracking form (`action=track`), shows the
/// ticket's progress.
pub(super) async fn submit(req: &PageRequest, request: Request) -> Response {
    let client = crate::common::client::client_address(
        request.headers(),
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0),
        &req.node.node.trusted_proxies,
    );
    let node = &req.node;
    let site = &req.site.id;
    let (form, attachments, read_error) = match read_form(node, request).await {
        Ok((form, files)) => (form, files, None),
        Err(why) => (HashMap::new(), Vec::new(), Some(why)),
    };
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let page = |query: HashMap<String, String>| PageRequest {
        node: req.node.clone(),
        site: req.site.clone(),
        base: req.base.clone(),
        origin: req.origin.clone(),
        query,
        elder: req.elder,
        path: req.path.clone(),
    };
    if read_error.is_none() && get("action") == "track" {
        let query = HashMap::from([
            (TRACK_CODE.to_string(), get("code")),
            (TRACK_PASSWORD.to_string(), get("password")),
        ]);
        let page = page(query);
        return super::finish(&page, letters(&page).await).await;
    }
    let filing = Filing {
        kind: get("kind"),
        body: get("body"),
        subject: get("subject"),
        content: get("content"),
        name: get("name"),
        phone: get("phone"),
        id_number: get("id_number"),
        email: get("email"),
        consent_public: form
            .get("consent_public")
            .is_some_and(|v| v == "1" || v == "on"),
        attachments: attachments
            .iter()
            .map(|a| (a.hash.clone(), a.name.clone()))
            .collect(),
    };
    let mut query: HashMap<String, String> = HashMap::new();
    let filed = match read_error {
        Some(why) => Err(InteractionError::Invalid(why)),
        None => {
            node.interaction
                .file(site, filing, &client, attachments)
                .await
        }
    };
    let status = match filed {
        Ok((code, password)) => {
            query.insert(FILED_CODE.into(), code);
            query.insert(FILED_PASSWORD.into(), password);
            StatusCode::CREATED
        }
        Err(e) => {
            let status = match &e {
                InteractionError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                InteractionError::Invalid(_) | InteractionError::NotFound(_) => {
                    StatusCode::BAD_REQUEST
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(error = %e, "filing a letter failed");
            }
            // Keep what the citizen typed (not the ID number), and say what is wrong.
            for k in [
                "kind", "body", "subject", "content", "name", "phone", "email",
            ] {
                query.insert(k.into(), get(k));
            }
            query.insert(FORM_ERROR.into(), e.to_string());
            status
        }
    };
    let page = page(query);
    let mut resp = super::finish(&page, letters(&page).await).await;
    if resp.status() == StatusCode::OK {
        *resp.status_mut() = status;
    }
    resp
}

/// Reads the letter form: URL-encoded, or multipart with up to five files (`attachment`),
/// each stored as a verified blob before the letter is filed.
async fn read_form(
    node: &AppState,
    request: axum::extract::Request,
) -> Result<
    (
        HashMap<String, String>,
        Vec<govnode_interaction::Attachment>,
    ),
    String,
> {
    use axum::extract::FromRequest as _;
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(form) = Form::<HashMap<String, String>>::from_request(request, &())
            .await
            .map_err(|e| format!("form: {e}"))?;
        return Ok((form, Vec::new()));
    }
    let mut parts = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|e| format!("form: {e}"))?;
    let mut form = HashMap::new();
    let mut files = Vec::new();
    while let Some(field) = parts.next_field().await.map_err(|e| format!("form: {e}"))? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| format!("{name}: {e}"))?;
        match file_name {
            Some(file) if name == "attachment" => {
                if file.is_empty() && bytes.is_empty() {
                    continue; // the file input was left empty
                }
                let mime = rules::attachment_type_of_name(&file).map_err(|e| e.to_string())?;
                if bytes.is_empty() || bytes.len() > MAX_FILE {
                    return Err(format!("attachment: `{file}` must be 1 byte to 5 MiB"));
                }
                if files.len() == MAX_FILES {
                    return Err(format!("attachment: at most {MAX_FILES} files"));
                }
                let info = node
                    .blobs
                    .put_private(&bytes, mime)
                    .await
                    .map_err(|e| format!("attachment: {e}"))?;
                let name: String = file.chars().take(100).collect();
                files.push(govnode_interaction::Attachment {
                    hash: info.hash,
                    name,
                    mime: mime.into(),
                    bytes: bytes.to_vec(),
                });
            }
            _ => {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| format!("{name}: not UTF-8 text"))?;
                form.insert(name, text);
            }
        }
    }
    Ok((form, files))
}
