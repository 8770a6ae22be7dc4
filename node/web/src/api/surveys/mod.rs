//! Surveys and opinion solicitations (征集调查): the admin API (create, list, close early,
//! feedback, results with text answers) and the public API (survey, response, results once
//! closed). The pages are in `site/surveys.rs`, reached through the site dispatcher.
//!
//! Citizens are told apart by a signed cookie (`govnode_respondent`), issued when they
//! first open an open survey or respond without one; responses are also rate-limited per
//! client address (the connection's peer, or the `X-Forwarded-For` hop added by a reverse
//! proxy on a loopback or private address).

use govnode_content::Content;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use govnode_accounts::Action;
use govnode_interaction::survey::{
    Results, Status, Survey, SurveyError, SurveyInput, Surveys, beijing_time, now_ms,
    respondent_key,
};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod respondent;

pub(crate) use respondent::Respondent;

use crate::AppState;
use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::{ApiError, ErrorKind};
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Responses a client address may send per window, across all surveys.
pub(crate) const RATE_LIMIT: i64 = 20;
/// The rate limit's window.
const RATE_WINDOW_MS: i64 = 3_600_000;

/// Survey routes.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(close))
        .routes(routes!(feedback))
        .routes(routes!(staff_results))
        .routes(routes!(public_survey))
        .routes(routes!(respond))
        .routes(routes!(public_results))
}

/// What the survey views (`Survey::staff_view`, `Survey::public_view`) hold.
const STAFF_VIEW: &str = "The survey: `{id, site, title, description, body, opens_at, closes_at, status, questions, feedback, feedback_ms, page_url, results_url, created_ms, created_by, responses}`";

/// The canonical page of a survey.
fn page_url(s: &Survey) -> String {
    format!("/sites/{}/surveys/{}", s.site, s.id)
}

/// A local site the caller may manage (surveys live on the node that owns the site).
async fn managed_site(content: &Content, caller: &Caller, site: &str) -> Result<(), ApiError> {
    caller.require(Action::ManageSite, Some(site))?;
    let s = content.site(site).await?;
    if content.is_replica(&s) {
        return Err(ApiError::forbidden(format!(
            "site `{site}` is a replica of node {}; run its surveys there",
            s.origin
        )));
    }
    Ok(())
}

/// A survey the caller may manage.
async fn managed_survey(surveys: &Surveys, caller: &Caller, id: i64) -> Result<Survey, ApiError> {
    let survey = surveys.get(id).await?;
    caller.require(Action::ManageSite, Some(&survey.site))?;
    Ok(survey)
}

/// Create a survey
///
/// A survey or opinion solicitation (征集调查) on a site of this node; site administrators.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/surveys",
    tag = "surveys",
    operation_id = "create_survey",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = SurveyInput,
    responses(
        (status = 201, description = STAFF_VIEW, body = Object),
        (status = 400, description = "A missing, unknown or invalid field (named)", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site, or the site is a replica", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
async fn create(
    State(node): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<impl IntoResponse, ApiError> {
    managed_site(&node.content, &caller, &site).await?;
    let now = now_ms();
    let survey = node
        .surveys
        .create(&site, &caller.0.name, input, now)
        .await?;
    tracing::info!(site = %site, survey = survey.id, by = %caller.0.name, "survey created");
    Ok((
        StatusCode::CREATED,
        Json(survey.staff_view(now, &page_url(&survey))),
    ))
}

/// A site's surveys
///
/// With their response counts; the site's staff.
#[utoipa::path(
    get,
    path = "/api/admin/sites/{site}/surveys",
    tag = "surveys",
    operation_id = "list_surveys",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "The surveys, each as the staff view: `{id, site, title, …, created_by, responses}`", body = Vec<Object>),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "A token for another site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
async fn list(
    State(node): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_site(&site)?;
    node.content.site(&site).await?;
    let now = now_ms();
    let surveys = node.surveys.list(&site).await?;
    Ok(Json(
        surveys
            .iter()
            .map(|s| s.staff_view(now, &page_url(s)))
            .collect::<Vec<_>>(),
    ))
}

/// Close a survey now
///
/// Responses stop and the results are published; site administrators.
#[utoipa::path(
    post,
    path = "/api/admin/surveys/{id}/close",
    tag = "surveys",
    operation_id = "close_survey",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Survey id")),
    responses(
        (status = 200, description = STAFF_VIEW, body = Object),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the survey's site", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 409, description = "The survey is closed already", body = ErrorBody),
    ),
)]
async fn close(
    State(surveys): State<Surveys>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    managed_survey(&surveys, &caller, id).await?;
    let now = now_ms();
    let survey = surveys.close(id, now).await?;
    tracing::info!(survey = id, by = %caller.0.name, "survey closed early");
    Ok(Json(survey.staff_view(now, &page_url(&survey))))
}

/// The body's feedback on a closed survey.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct FeedbackBody {
    /// What the body adopted, 1–10000 characters.
    #[schema(
        max_length = 10000,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
    )]
    feedback: String,
}

/// Set the feedback on what was adopted
///
/// Site administrators; only once the survey has closed (409 before).
#[utoipa::path(
    put,
    path = "/api/admin/surveys/{id}/feedback",
    tag = "surveys",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Survey id")),
    request_body = FeedbackBody,
    responses(
        (status = 200, description = STAFF_VIEW, body = Object),
        (status = 400, description = "A missing, unknown or invalid field, or `id` not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the survey's site", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 409, description = "The survey is still open", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
async fn feedback(
    State(surveys): State<Surveys>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FeedbackBody>,
) -> Result<impl IntoResponse, ApiError> {
    managed_survey(&surveys, &caller, id).await?;
    let now = now_ms();
    let survey = surveys.set_feedback(id, &body.feedback, now).await?;
    Ok(Json(survey.staff_view(now, &page_url(&survey))))
}

/// A survey's results, for staff
///
/// At any time, the text answers included; site administrators.
#[utoipa::path(
    get,
    path = "/api/admin/surveys/{id}/results",
    tag = "surveys",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Survey id")),
    responses(
        (status = 200, description = "The results", body = Results),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the survey's site", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
    ),
)]
async fn staff_results(
    State(surveys): State<Surveys>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let survey = managed_survey(&surveys, &caller, id).await?;
    Ok(Json(surveys.results(&survey, true, now_ms()).await?))
}

/// A survey
///
/// Its questions, dates, status and feedback.
#[utoipa::path(
    get,
    path = "/api/surveys/{id}",
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    responses(
        (status = 200, description = "The survey: `{id, site, title, description, body, opens_at, closes_at, status, questions, feedback, feedback_ms, page_url, results_url}` (`results_url` once closed)", body = Object),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
    ),
)]
async fn public_survey(
    State(surveys): State<Surveys>,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let survey = surveys.get(id).await?;
    Ok(Json(survey.public_view(now_ms(), &page_url(&survey))))
}

/// The refusal while results are not yet public.
fn results_not_public(survey: &Survey) -> SurveyError {
    SurveyError::Refused(format!(
        "the results of survey {} will be published when it closes at {} (Beijing time)",
        survey.id,
        beijing_time(survey.closes_at)
    ))
}

/// A survey's results
///
/// Once it has closed (403 before, saying when): counts per option, percentages, SVG
/// charts, the number of text answers (never their text).
#[utoipa::path(
    get,
    path = "/api/surveys/{id}/results",
    tag = "surveys",
    operation_id = "survey_results",
    params(("id" = i64, Path, description = "Survey id")),
    responses(
        (status = 200, description = "The results", body = Results),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 403, description = "The survey has not closed yet", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
    ),
)]
async fn public_results(
    State(surveys): State<Surveys>,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let now = now_ms();
    let survey = surveys.get(id).await?;
    if survey.status(now) != Status::Closed {
        return Err(results_not_public(&survey).into());
    }
    Ok(Json(surveys.results(&survey, false, now).await?))
}

/// A response to a survey.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SurveyResponse)]
struct ResponseBody {
    /// One per question: an option index (single), a list of distinct indices (multiple), a
    /// string of at most 2000 characters (text), null when skipped.
    answers: Vec<Value>,
}

/// Respond to an open survey
///
/// Once per respondent. The respondent is the signed cookie `govnode_respondent` (set in
/// the answer when absent or forged); responses are limited to 20 an hour per client
/// address (429 with `Retry-After`).
#[utoipa::path(
    post,
    path = "/api/surveys/{id}/responses",
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    request_body = ResponseBody,
    responses(
        (status = 201, description = "`{survey, message}`: the response is recorded", body = Object),
        (status = 400, description = "A bad answer (named by its index) or field, or `id` not a number", body = ErrorBody),
        (status = 403, description = "The survey is not open for responses", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 409, description = "This respondent has responded already", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
        (status = 429, description = "Too many responses from this client address (`rate_limited`, with `Retry-After`)", body = ErrorBody),
    ),
)]
async fn respond(
    State(surveys): State<Surveys>,
    Path(id): Path<i64>,
    who: Respondent,
    body: Result<ApiJson<ResponseBody>, ApiError>,
) -> Response {
    let result: Result<Response, Response> = async {
        admit(&surveys, &who).await?;
        let ApiJson(body) = body.map_err(IntoResponse::into_response)?;
        let key = respondent_key(id, &who.id);
        surveys
            .respond(id, &key, &body.answers, now_ms())
            .await
            .map_err(|e| ApiError::from(e).into_response())?;
        Ok((
            StatusCode::CREATED,
            Json(json!({ "survey": id, "message": "thank you: your response was recorded" })),
        )
            .into_response())
    }
    .await;
    who.attach(result.unwrap_or_else(|e| e))
}

/// Counts a response attempt against the client's rate limit: when past it, the time
/// its window ends.
pub(crate) async fn admit_check(
    surveys: &Surveys,
    who: &Respondent,
) -> Result<Option<i64>, SurveyError> {
    let a = surveys
        .admit(&who.bucket, RATE_LIMIT, RATE_WINDOW_MS, now_ms())
        .await?;
    Ok((!a.allowed).then_some(a.resets_ms))
}

/// [`admit_check`] for the API: 429 with `Retry-After` past the limit.
async fn admit(surveys: &Surveys, who: &Respondent) -> Result<(), Response> {
    let resets_ms = match admit_check(surveys, who).await {
        Ok(None) => return Ok(()),
        Ok(Some(resets_ms)) => resets_ms,
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    let wait = ((resets_ms - now_ms()) / 1000).max(1);
    let err = ApiError::of(
        ErrorKind::RateLimited,
        format!(
            "too many survey responses from your network: at most {RATE_LIMIT} an hour; try again after {} (Beijing time)",
            beijing_time(resets_ms)
        ),
    );
    Err(([(header::RETRY_AFTER, wait.to_string())], err).into_response())
}
