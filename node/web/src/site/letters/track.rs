//! The tracking page (办理进度): a ticket opened with its code and password (POST), its
//! history in words (states and actions by name, Beijing time, bodies by name), and the
//! forms its state allows — 补充材料 while the body waits for more information, 评价 once
//! it has replied — each proving the password again in the body. Never stored by caches.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::problem::{self, MAX_COMMENT_CHARS, MAX_SUPPLEMENT_CHARS};
use govnode_interaction::progress::RATINGS;
use govnode_interaction::{InteractionError, Problem, TicketState, TicketView};
use minijinja::Value;
use serde_json::json;

use super::form::Read;
use super::{labels, no_store};
use crate::site::pages::v;
use crate::site::{PageError, PageRequest};

/// What the page shows besides the ticket.
#[derive(Default)]
struct Shown {
    /// Why the ticket could not be opened (wrong code or password, too many tries).
    refused: Option<String>,
    /// What was done (补充材料已提交…).
    done: Option<String>,
    /// Why what the citizen asked for was not done (the state does not allow it).
    not_done: Option<String>,
    /// Problems of the form the citizen sent, by field.
    errors: HashMap<&'static str, String>,
    /// The form the citizen sent (supplement or rate) and what they typed in it.
    sent: Option<&'static str>,
    kept: HashMap<&'static str, String>,
}

/// The ticket `code` opened with `password`, or what to tell the citizen and the status.
async fn open(
    req: &PageRequest,
    code: &str,
    password: &str,
) -> Result<Result<TicketView, (StatusCode, String)>, PageError> {
    let (code, password) = (code.trim(), password.trim());
    if code.is_empty() || password.is_empty() {
        return Ok(Err((StatusCode::OK, "请填写查询码和查询密码".to_string())));
    }
    let interaction = &req.node.interaction;
    match interaction.citizen_view(code, password).await {
        Ok(view) => Ok(Ok(view)),
        Err(e) => refusal(req, code, e).await.map(Err),
    }
}

/// What a refused password means to the citizen; other errors fail the page.
async fn refusal(
    req: &PageRequest,
    code: &str,
    e: InteractionError,
) -> Result<(StatusCode, String), PageError> {
    match e {
        InteractionError::NotFound(_) => Ok((
            StatusCode::OK,
            "查询码或查询密码不正确，请核对后重新输入".to_string(),
        )),
        InteractionError::RateLimited(_) => {
            let when = req.node.interaction.tracking_locked_until(code).await?;
            let when = when.map_or_else(|| "一小时".to_string(), |w| format!("{w}（北京时间）"));
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                format!("查询密码错误次数过多，为保护您的信息，请于{when}后再试"),
            ))
        }
        e => Err(e.into()),
    }
}

/// The page: the ticket (when opened), the forms it allows, and the lookup form.
async fn render(
    req: &PageRequest,
    status: StatusCode,
    code: &str,
    view: Option<TicketView>,
    shown: Shown,
) -> Result<Response, PageError> {
    let (mut ctx, _) = req
        .common(
            "办理进度查询",
            None,
            Vec::new(),
            vec![
                ("互动交流".into(), req.url("/letters")),
                ("办理进度查询".into(), req.url("/letters")),
            ],
        )
        .await?;
    let ticket = match &view {
        Some(view) => Some(req.node.interaction.progress(view).await?),
        None => None,
    };
    let ratings: Vec<_> = RATINGS
        .iter()
        .map(|(value, name)| json!({ "value": value.to_string(), "label": name }))
        .collect();
    ctx.insert("ticket", v(ticket));
    ctx.insert("code", Value::from(code.trim()));
    ctx.insert("refused", Value::from(shown.refused));
    ctx.insert("done", Value::from(shown.done));
    ctx.insert("not_done", Value::from(shown.not_done));
    ctx.insert("errors", v(shown.errors));
    ctx.insert("sent", Value::from(shown.sent));
    ctx.insert("kept", v(shown.kept));
    ctx.insert("ratings", v(ratings));
    ctx.insert("labels", labels());
    ctx.insert("max_text", Value::from(MAX_SUPPLEMENT_CHARS));
    ctx.insert("max_comment", Value::from(MAX_COMMENT_CHARS));
    ctx.insert("action", Value::from(req.url("/letters")));
    ctx.insert("letters_url", Value::from(req.url("/letters")));
    Ok(no_store(req.render(status, "letter_track.html", ctx)?))
}

/// Shows the progress of ticket `code` to whoever knows its password.
pub(super) async fn lookup(
    req: &PageRequest,
    code: &str,
    password: &str,
) -> Result<Response, PageError> {
    match open(req, code, password).await? {
        Ok(view) => render(req, StatusCode::OK, code, Some(view), Shown::default()).await,
        Err((status, why)) => {
            let shown = Shown {
                refused: Some(why),
                ..Shown::default()
            };
            render(req, status, code, None, shown).await
        }
    }
}

/// What the citizen's action led to: the ticket after it, or the ticket as it stands with
/// the problems, or the refusal of the password (the form kept, to try again).
async fn after(
    req: &PageRequest,
    code: &str,
    password: &str,
    mut shown: Shown,
    result: Result<TicketView, InteractionError>,
    refused_state: &str,
) -> Result<Response, PageError> {
    let status = if shown.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    match result {
        Ok(view) => {
            if status == StatusCode::OK {
                shown.kept.clear();
            }
            render(req, status, code, Some(view), shown).await
        }
        Err(InteractionError::Conflict(_)) => match open(req, code, password).await? {
            Ok(view) => {
                let state = TicketState::parse(&view.ticket.state).map_or("", |s| s.label());
                shown.not_done = Some(format!("该信件目前为“{state}”，{refused_state}"));
                shown.kept.clear();
                shown.errors.clear();
                render(req, StatusCode::CONFLICT, code, Some(view), shown).await
            }
            Err((status, why)) => {
                shown.refused = Some(why);
                render(req, status, code, None, shown).await
            }
        },
        Err(e) => {
            let (status, why) = refusal(req, code, e).await?;
            shown.refused = Some(why);
            render(req, status, code, None, shown).await
        }
    }
}

/// The ticket, if its state is `state` (the one the citizen's form needs); else a conflict.
fn allowed(
    r: Result<TicketView, InteractionError>,
    state: TicketState,
) -> Result<TicketView, InteractionError> {
    match r {
        Ok(view) if view.ticket.state != state.code() => {
            Err(InteractionError::Conflict(String::new()))
        }
        r => r,
    }
}

/// The problems of a form, by field, in Chinese.
fn by_field(problems: Vec<Problem>) -> HashMap<&'static str, String> {
    problems
        .into_iter()
        .map(|p| (p.field, p.citizen()))
        .collect()
}

/// `action=supplement`: the citizen answers the body's request for information.
pub(super) async fn supplement(req: &PageRequest, read: &Read) -> Result<Response, PageError> {
    let (code, password, text) = (read.get("code"), read.get("password"), read.get("text"));
    let mut shown = Shown {
        sent: Some("supplement"),
        kept: HashMap::from([("text", text.clone())]),
        ..Shown::default()
    };
    let result = match problem::check_supplement(&text) {
        Some(p) => {
            shown.errors = by_field(vec![p]);
            let r = req
                .node
                .interaction
                .citizen_view(code.trim(), password.trim())
                .await;
            allowed(r, TicketState::InfoRequested)
        }
        None => {
            let r = req
                .node
                .interaction
                .supply_info(code.trim(), password.trim(), &text)
                .await;
            if r.is_ok() {
                shown.done = Some("补充材料已提交，受理单位将继续办理。".into());
            }
            r
        }
    };
    after(req, &code, &password, shown, result, "不需要补充材料").await
}

/// `action=rate`: the citizen rates the reply (满意, 基本满意 or 不满意).
pub(super) async fn rate(req: &PageRequest, read: &Read) -> Result<Response, PageError> {
    let (code, password) = (read.get("code"), read.get("password"));
    let (rating, comment) = (read.get("rating"), read.get("comment"));
    let value: u8 = rating.trim().parse().unwrap_or(0);
    let mut shown = Shown {
        sent: Some("rate"),
        kept: HashMap::from([("rating", rating.clone()), ("comment", comment.clone())]),
        ..Shown::default()
    };
    let problems = problem::check_rating(value, &comment);
    let result = if problems.is_empty() {
        let r = req
            .node
            .interaction
            .rate(code.trim(), password.trim(), value, &comment)
            .await;
        if r.is_ok() {
            shown.done = Some("感谢您的评价！".into());
        }
        r
    } else {
        shown.errors = by_field(problems);
        let r = req
            .node
            .interaction
            .citizen_view(code.trim(), password.trim())
            .await;
        allowed(r, TicketState::Replied)
    };
    after(req, &code, &password, shown, result, "不能评价").await
}
