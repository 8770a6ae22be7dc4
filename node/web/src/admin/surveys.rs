//! 征集调查 (site administrators and editors of a site, platform administrators):
//! `/admin/surveys`, the surveys of one's sites with their state (草稿 / 未开始 / 征集中 /
//! 已结束) and responses; creating a draft and changing it while no response has arrived
//! (the form in `surveys_form.rs`). The survey's own page, with 发布, 结束征集, the results
//! and the feedback, is in `surveys_page.rs`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Role;
use govnode_interaction::survey::{Status, Survey, now_ms};
use serde::{Deserialize, Serialize};

use super::staff::Staff;
use super::surveys_form::{KINDS, QuestionDraft, SurveyForm};
use super::{refused, render, see_other, shown};
use crate::AppState;

/// Whether `staff` may use 征集调查 at all.
fn may_use(staff: &Staff) -> bool {
    let a = &staff.signed_in.access;
    a.is_platform_admin() || a.holds(Role::SiteAdmin) || a.holds(Role::Editor)
}

/// Whether `staff` may run the surveys of `site`: its administrators and editors, and
/// platform administrators.
pub(super) fn may_run(staff: &Staff, site: &str) -> bool {
    let a = &staff.signed_in.access;
    a.is_platform_admin()
        || a.grants.iter().any(|g| {
            matches!(g.role, Role::SiteAdmin | Role::Editor) && g.scope.site() == Some(site)
        })
}

/// The refusal of a page or form `staff` may not use.
pub(super) fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "征集调查仅对本站点的站点管理员、信息编辑和平台管理员开放",
        "/admin/",
    )
}

/// A survey's state as staff read it.
pub(super) fn state_label(s: &Survey, now: i64) -> &'static str {
    if s.draft {
        return "草稿";
    }
    match s.status(now) {
        Status::Upcoming => "未开始",
        Status::Open => "征集中",
        Status::Closed => "已结束",
    }
}

/// The local sites `staff` may run surveys on: (id, name).
async fn my_sites(node: &AppState, staff: &Staff) -> Vec<(String, String)> {
    let me = node.node.id.to_string();
    node.content
        .sites()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.origin == me && may_run(staff, &s.id))
        .map(|s| (s.id, s.name))
        .collect()
}

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    title: String,
    state: &'static str,
    dates: String,
    responses: i64,
}

#[derive(Debug, Serialize)]
struct SiteGroup {
    id: String,
    name: String,
    surveys: Vec<Row>,
}

/// `?done=` (fixed texts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
    site: String,
}

/// `GET /admin/surveys`: by site.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<Done>,
) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let now = now_ms();
    let mut groups = Vec::new();
    for (id, name) in my_sites(&node, &staff).await {
        let surveys = node.surveys.staff_list(&id).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "console: listing surveys failed");
            Vec::new()
        });
        let surveys = surveys
            .iter()
            .map(|s| Row {
                id: s.id,
                title: s.title.clone(),
                state: state_label(s, now),
                dates: format!("{} 至 {}", shown(s.opens_at), shown(s.closes_at)),
                responses: s.responses,
            })
            .collect();
        groups.push(SiteGroup { id, name, surveys });
    }
    let mut frame = staff.frame(&node.node);
    frame.notice = (q.done == "deleted").then(|| "已删除".to_string());
    render(
        StatusCode::OK,
        "surveys_list.html",
        &frame,
        serde_json::json!({ "sites": groups }),
    )
}

/// The form page (new when `id` is None).
async fn form_page(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    (site, site_name, id): (&str, &str, Option<i64>),
    mut form: SurveyForm,
    extra: usize,
    error: Option<String>,
) -> Response {
    for _ in 0..extra.max(usize::from(form.questions.is_empty())) {
        form.questions.push(QuestionDraft {
            kind: "single".into(),
            ..QuestionDraft::default()
        });
    }
    let kinds: Vec<serde_json::Value> = KINDS
        .iter()
        .map(|(v, l)| serde_json::json!({ "value": v, "label": l }))
        .collect();
    let action = match id {
        Some(id) => format!("/admin/surveys/{id}/edit"),
        None => "/admin/surveys/new".to_string(),
    };
    render(
        status,
        "surveys_edit.html",
        &staff.frame(&node.node),
        serde_json::json!({
            "error": error, "form": form, "kinds": kinds, "action": action, "id": id,
            "site": site, "site_name": site_name,
        }),
    )
}

/// `?site=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SiteQuery {
    site: String,
}

/// The site by id if `staff` may run its surveys: (id, name).
async fn site_of(node: &AppState, staff: &Staff, site: &str) -> Option<(String, String)> {
    my_sites(node, staff)
        .await
        .into_iter()
        .find(|(id, _)| id == site)
}

/// `GET /admin/surveys/new?site=`.
pub(super) async fn new_form(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<SiteQuery>,
) -> Response {
    let Some((id, name)) = site_of(&node, &staff, &q.site).await else {
        return not_allowed(&node, &staff);
    };
    let sponsor = node
        .content
        .site(&id)
        .await
        .map(|s| s.owner_body.clone())
        .unwrap_or_default();
    let form = SurveyForm::blank(&sponsor);
    form_page(
        &node,
        &staff,
        StatusCode::OK,
        (&id, &name, None),
        form,
        1,
        None,
    )
    .await
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    super::staff::form_field(fields, name)
}

/// Reads the submitted form; `Err` is the page to show again (再加一题, or a bad date).
async fn submitted(
    node: &AppState,
    staff: &Staff,
    target: (&str, &str, Option<i64>),
    fields: &[(String, String)],
) -> Result<(SurveyForm, govnode_interaction::survey::SurveyInput), Response> {
    let form = SurveyForm::read(fields);
    if field(fields, "action") == "more" {
        return Err(form_page(node, staff, StatusCode::OK, target, form, 1, None).await);
    }
    match form.input() {
        Ok(input) => Ok((form, input)),
        Err(text) => Err(form_page(
            node,
            staff,
            StatusCode::BAD_REQUEST,
            target,
            form,
            0,
            Some(text),
        )
        .await),
    }
}

/// `POST /admin/surveys/new`: `csrf`, `site`, the form's fields, `action` (`more`: add a
/// question; else save as a draft).
pub(super) async fn create(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, field(&fields, "csrf")) {
        return r;
    }
    let Some((site, name)) = site_of(&node, &staff, field(&fields, "site")).await else {
        return not_allowed(&node, &staff);
    };
    let (form, input) = match submitted(&node, &staff, (&site, &name, None), &fields).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    let by = staff.signed_in.access.person().to_string();
    match node.surveys.create_draft(&site, &by, input, now_ms()).await {
        Ok(s) => see_other(&format!("/admin/surveys/{}?done=created", s.id)),
        Err(e) => {
            let status = StatusCode::BAD_REQUEST;
            let text = Some(e.chinese());
            form_page(&node, &staff, status, (&site, &name, None), form, 0, text).await
        }
    }
}

/// The survey `id` if `staff` may run it (else the refusal page: 404 or 403).
pub(super) async fn survey_for(
    node: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<(Survey, String), Response> {
    let Ok(s) = node.surveys.staff_get(id).await else {
        return Err(refused(
            StatusCode::NOT_FOUND,
            &staff.frame(&node.node),
            "没有找到该征集调查",
            "/admin/surveys",
        ));
    };
    match site_of(node, staff, &s.site).await {
        Some((_, name)) => Ok((s, name)),
        None => Err(not_allowed(node, staff)),
    }
}

/// `GET /admin/surveys/{id}/edit`.
pub(super) async fn edit_form(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let (s, name) = match survey_for(&node, &staff, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = SurveyForm::of(&s);
    let error = (s.responses > 0).then(|| {
        format!(
            "已收到 {} 份答卷，不能再修改题目：修改题目会使已提交的回答与题目对不上。",
            s.responses
        )
    });
    form_page(
        &node,
        &staff,
        StatusCode::OK,
        (&s.site, &name, Some(id)),
        form,
        0,
        error,
    )
    .await
}

/// `POST /admin/surveys/{id}/edit`: the form's fields, `action` as for creating.
pub(super) async fn edit(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, field(&fields, "csrf")) {
        return r;
    }
    let (s, name) = match survey_for(&node, &staff, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let target = (s.site.as_str(), name.as_str(), Some(id));
    let (form, input) = match submitted(&node, &staff, target, &fields).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    match node.surveys.update(id, input, now_ms()).await {
        Ok(_) => see_other(&format!("/admin/surveys/{id}?done=saved")),
        Err(e) => {
            let status = match e {
                govnode_interaction::survey::SurveyError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            let text = Some(e.chinese());
            form_page(&node, &staff, status, target, form, 0, text).await
        }
    }
}

/// The routes of 征集调查.
pub(super) fn routes() -> axum::Router<AppState> {
    use super::surveys_page as page;
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/surveys", get(list))
        .route("/admin/surveys/new", get(new_form).post(create))
        .route("/admin/surveys/{id}", get(page::page))
        .route("/admin/surveys/{id}/edit", get(edit_form).post(edit))
        .route("/admin/surveys/{id}/publish", post(page::publish))
        .route("/admin/surveys/{id}/close", post(page::close))
        .route("/admin/surveys/{id}/feedback", post(page::feedback))
}
