//! The public survey pages, in the site's layout: the list (open, upcoming, closed with
//! results) and a survey's page (an accessible form while open, posting
//! `application/x-www-form-urlencoded` to itself; the results with their charts and the
//! body's feedback once closed).

use axum::extract::{Form, FromRequest as _, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use govnode_interaction::survey::{
    Status, Survey, SurveyError, answers_from_form, beijing_time, now_ms, respondent_key,
};
use serde_json::{Value, json};

use super::pages::{Ctx, v};
use super::{PageError, PageRequest, finish};
use crate::api::surveys::{RATE_LIMIT, Respondent, admit_check};

/// Renders with the site's renderer (so a site's overrides apply).
fn render(
    req: &PageRequest,
    status: StatusCode,
    name: &str,
    ctx: Ctx,
) -> Result<Response, PageError> {
    req.render(status, name, ctx)
}

/// `…/surveys`: the site's surveys.
pub(super) async fn list(req: &PageRequest) -> Result<Response, PageError> {
    list_page(req).await
}

async fn list_page(req: &PageRequest) -> Result<Response, PageError> {
    let crumbs = vec![("征集调查".to_string(), req.url("/surveys"))];
    let (mut ctx, _) = req.common("征集调查", None, Vec::new(), crumbs).await?;
    let now = now_ms();
    let surveys = req
        .node
        .surveys
        .list(&req.site.id)
        .await
        .map_err(PageError::from)?;
    let mut groups: [Vec<Value>; 3] = Default::default();
    for s in &surveys {
        let status = s.status(now);
        let mut item = s.page_view(now, &req.url(&format!("/surveys/{}", s.id)));
        item["responses"] = json!((status == Status::Closed).then_some(s.responses));
        let group = match status {
            Status::Open => 0,
            Status::Upcoming => 1,
            Status::Closed => 2,
        };
        groups[group].push(item);
    }
    let [open, upcoming, closed] = groups;
    ctx.insert("open_surveys", v(open));
    ctx.insert("upcoming_surveys", v(upcoming));
    ctx.insert("closed_surveys", v(closed));
    render(req, StatusCode::OK, "survey_list.html", ctx)
}

/// The survey of this site (another site's survey is not found here).
async fn load(req: &PageRequest, id: &str) -> Result<Survey, PageError> {
    let not_found = || PageError::NotFound(format!("征集调查 `{id}`"));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let survey = req.node.surveys.get(id).await.map_err(PageError::from)?;
    if survey.site != req.site.id {
        return Err(not_found());
    }
    Ok(survey)
}

/// What the page shows below the survey's header.
enum View {
    /// The form (with an error and the answers to keep, after a failed submission).
    Form(Option<(String, Option<usize>)>, Vec<Value>),
    /// Received.
    Thanks,
    /// This respondent has responded already.
    Already(Option<String>),
    /// Not open yet, or closed (with an error when someone tried to respond).
    Dates(Option<String>),
}

async fn survey_page(
    req: &PageRequest,
    survey: &Survey,
    status: StatusCode,
    view: View,
) -> Result<Response, PageError> {
    let now = now_ms();
    let url = req.url(&format!("/surveys/{}", survey.id));
    let crumbs = vec![
        ("征集调查".to_string(), req.url("/surveys")),
        (survey.title.clone(), url.clone()),
    ];
    let (mut ctx, _) = req.common(&survey.title, None, Vec::new(), crumbs).await?;
    ctx.insert("survey", v(survey.page_view(now, &url)));
    ctx.insert("list_url", v(req.url("/surveys")));
    let (state, error) = match view {
        View::Form(error, kept) => {
            let invalid = error.as_ref().and_then(|(_, q)| *q);
            ctx.insert("questions", v(survey.form_view(&kept, invalid)));
            let error = error.map(|(message, q)| {
                json!({ "message": message, "anchor": q.map(|i| format!("q{i}-legend")) })
            });
            ("form", error)
        }
        View::Thanks => ("thanks", None),
        View::Already(e) => ("already", e.map(|m| json!({ "message": m }))),
        View::Dates(e) => {
            let e = e.map(|m| json!({ "message": m }));
            match survey.status(now) {
                Status::Closed => ("closed", e),
                _ => ("upcoming", e),
            }
        }
    };
    if state == "closed" {
        let results = req
            .node
            .surveys
            .results(survey, false, now)
            .await
            .map_err(PageError::from)?;
        ctx.insert("results", v(results.page_view()));
    }
    ctx.insert("state", v(state));
    ctx.insert("error", v(error));
    render(req, status, "survey.html", ctx)
}

/// `GET …/surveys/{id}`: the form while open (issuing the respondent cookie on the first
/// visit), the dates or the results otherwise.
pub(super) async fn show(req: &PageRequest, id: &str, who: Respondent) -> Response {
    let mut open_survey = false;
    let result = async {
        let survey = load(req, id).await?;
        let view = match survey.status(now_ms()) {
            Status::Open => {
                open_survey = true;
                let key = respondent_key(survey.id, &who.id);
                let already = who.set_cookie.is_none()
                    && req
                        .node
                        .surveys
                        .has_responded(survey.id, &key)
                        .await
                        .map_err(PageError::from)?;
                if already {
                    View::Already(None)
                } else {
                    View::Form(None, Vec::new())
                }
            }
            _ => View::Dates(None),
        };
        survey_page(req, &survey, StatusCode::OK, view).await
    }
    .await;
    let resp = finish(req, result).await;
    // The cookie is issued on the first visit to an open survey.
    if open_survey { who.attach(resp) } else { resp }
}

/// `POST …/surveys/{id}`: the form's submission.
pub(super) async fn submit(
    req: &PageRequest,
    id: &str,
    who: Respondent,
    request: Request,
) -> Response {
    let form = Form::<Vec<(String, String)>>::from_request(request, &()).await;
    let result = async {
        let survey = load(req, id).await?;
        let now = now_ms();
        match survey.status(now) {
            Status::Open => {}
            Status::Upcoming => {
                let m = format!(
                    "本次调查将于 {} 开始，届时欢迎参与。",
                    beijing_time(survey.opens_at)
                );
                return survey_page(req, &survey, StatusCode::FORBIDDEN, View::Dates(Some(m)))
                    .await;
            }
            Status::Closed => {
                let m = format!(
                    "本次调查已于 {} 结束，不再接受回答。",
                    beijing_time(survey.closes_at)
                );
                return survey_page(req, &survey, StatusCode::FORBIDDEN, View::Dates(Some(m)))
                    .await;
            }
        }
        let refuse = |status, message: String, question: Option<usize>, kept: Vec<Value>| {
            survey_page(
                req,
                &survey,
                status,
                View::Form(Some((message, question)), kept),
            )
        };
        match admit_check(&req.node.surveys, &who)
            .await
            .map_err(PageError::from)?
        {
            None => {}
            Some(resets_ms) => {
                let m = format!(
                    "您所在网络提交的回答过多（每小时最多 {RATE_LIMIT} 份），请在 {} 之后再试。",
                    beijing_time(resets_ms)
                );
                let mut resp = refuse(StatusCode::TOO_MANY_REQUESTS, m, None, Vec::new()).await?;
                let wait = ((resets_ms - now) / 1000).max(1);
                if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return Ok(resp);
            }
        }
        let pairs = match form {
            Ok(Form(pairs)) => pairs,
            Err(e) => {
                let m = format!("无法读取提交的表单：{}", e.body_text());
                return refuse(StatusCode::BAD_REQUEST, m, None, Vec::new()).await;
            }
        };
        let answers = match answers_from_form(&survey.questions, &pairs) {
            Ok(a) => a,
            Err(SurveyError::Answer { index, problem }) => {
                let m = format!("第 {} 题：{}", index + 1, problem.message_zh());
                return refuse(StatusCode::BAD_REQUEST, m, Some(index), Vec::new()).await;
            }
            Err(e) => {
                let m = format!("提交的表单有误：{e}");
                return refuse(StatusCode::BAD_REQUEST, m, None, Vec::new()).await;
            }
        };
        let key = respondent_key(survey.id, &who.id);
        match req
            .node
            .surveys
            .respond(survey.id, &key, &answers, now)
            .await
        {
            Ok(_) => survey_page(req, &survey, StatusCode::OK, View::Thanks).await,
            Err(SurveyError::Answer { index, problem }) => {
                let m = format!("第 {} 题：{}", index + 1, problem.message_zh());
                refuse(StatusCode::BAD_REQUEST, m, Some(index), answers).await
            }
            Err(SurveyError::Conflict(_)) => {
                let m = "您已参与过本次调查，每人只能提交一次。".to_string();
                survey_page(req, &survey, StatusCode::CONFLICT, View::Already(Some(m))).await
            }
            Err(SurveyError::Refused(_)) => {
                survey_page(req, &survey, StatusCode::FORBIDDEN, View::Dates(None)).await
            }
            Err(SurveyError::Invalid { .. }) => {
                let m = "提交的回答与问卷不符，请刷新页面后重新填写。".to_string();
                refuse(StatusCode::BAD_REQUEST, m, None, answers).await
            }
            Err(e) => Err(PageError::from(e)),
        }
    }
    .await;
    who.attach(finish(req, result).await)
}

/// The site's newest survey as a visitor sees it before answering (the list when it has
/// none): for the template preview.
pub(super) async fn newest(req: &PageRequest) -> Result<Response, PageError> {
    let surveys = req.node.surveys.list(&req.site.id).await?;
    match surveys.into_iter().max_by_key(|s| s.id) {
        Some(survey) => survey_page(req, &survey, StatusCode::OK, View::Dates(None)).await,
        None => list_page(req).await,
    }
}
