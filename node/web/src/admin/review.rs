//! 信息审核: `/admin/review`, the queue of submitted articles a reviewer may review (their
//! sites; only their columns when their grant is limited to some), oldest first, and the
//! approved ones waiting to be published; `/admin/review/{id}`, 比对修改 beside the live
//! copy (or the previous revision) with the actions the state and the person's grants
//! allow: 审核通过, 退回, 立即发布, 定时发布, 撤稿. The four-eyes rule is explained where it
//! applies and enforced by the content module whatever is posted.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Access, Action, Role};
use govnode_content::{
    Article, ContentError, SiteScope, State as ArticleState, Transition, WorkQuery,
};
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::review_diff::{body_rows, field_rows};
use super::staff::Staff;
use super::{Frame, now_ms, refused, render, see_other, shown};
use crate::AppState;

/// The scopes in which `access` holds one of `roles` (`None`: the whole node, for a
/// platform admin).
pub(super) fn scopes(access: &Access, roles: &[Role]) -> Option<Vec<SiteScope>> {
    if access.is_platform_admin() {
        return None;
    }
    Some(
        access
            .grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .filter_map(|g| {
                g.scope.site().map(|site| SiteScope {
                    site: site.to_string(),
                    columns: g.columns.clone(),
                })
            })
            .collect(),
    )
}

/// Column names of the sites asked for, by (site, slug).
pub(super) struct ColumnNames(BTreeMap<(String, String), String>);

impl ColumnNames {
    /// The columns of every site of `articles`.
    pub async fn of(node: &AppState, articles: &[&Article]) -> ColumnNames {
        let mut sites: Vec<&str> = articles.iter().map(|a| a.site.as_str()).collect();
        sites.sort_unstable();
        sites.dedup();
        let mut map = BTreeMap::new();
        for site in sites {
            match node.content.columns(site).await {
                Ok(cols) => map.extend(
                    cols.into_iter()
                        .map(|c| ((site.to_string(), c.slug), c.name)),
                ),
                Err(e) => tracing::warn!(site, error = %e, "console: listing columns failed"),
            }
        }
        ColumnNames(map)
    }

    /// Column `slug` of `site` by name, else its slug.
    pub fn get(&self, site: &str, slug: &str) -> String {
        self.0
            .get(&(site.to_string(), slug.to_string()))
            .cloned()
            .unwrap_or_else(|| slug.to_string())
    }
}

/// One row of a list of articles as the console shows them.
#[derive(Debug, Serialize)]
pub(super) struct ArticleRow {
    id: i64,
    title: String,
    site: String,
    column: String,
    state: &'static str,
    who: String,
    when: String,
    reason: String,
}

impl ArticleRow {
    /// `a` with its site and column by name; `who`/`when` as the list needs.
    pub fn new(
        a: &Article,
        names: &Names,
        columns: &ColumnNames,
        who: String,
        when: String,
    ) -> ArticleRow {
        ArticleRow {
            id: a.id,
            title: a.doc.title.clone(),
            site: names.site(&a.site).to_string(),
            column: columns.get(&a.site, &a.column),
            state: a.state.label(),
            who,
            when,
            reason: a.reason.clone(),
        }
    }
}

/// The submitted articles `access` may review, oldest first.
pub(super) async fn queue(
    node: &AppState,
    access: &Access,
    states: Vec<ArticleState>,
    limit: i64,
) -> Result<Vec<Article>, ContentError> {
    let q = WorkQuery {
        scopes: scopes(access, &[Role::SiteAdmin, Role::Reviewer]),
        states,
        oldest_first: true,
        limit,
        ..WorkQuery::default()
    };
    node.content.work(&q).await
}

/// Rows of the queue: who submitted and when.
pub(super) async fn queue_rows(node: &AppState, list: &[Article]) -> Vec<ArticleRow> {
    let refs: Vec<&Article> = list.iter().collect();
    let names = Names::load(node, &[]).await;
    let columns = ColumnNames::of(node, &refs).await;
    let mut rows = Vec::new();
    for a in list {
        let (who, at) = match node.content.last_action(a.id, "submit").await {
            Ok(Some((who, at))) => (who, shown(at)),
            _ => (a.created_by.clone(), String::new()),
        };
        rows.push(ArticleRow::new(a, &names, &columns, who, at));
    }
    rows
}

/// `?done=` of the review pages (fixed texts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

fn notice(done: &str) -> Option<String> {
    Some(
        match done {
            "approved" => "已审核通过",
            "rejected" => "已退回，编辑将在工作台看到退回原因",
            "published" => "已发布",
            "scheduled" => "已设置定时发布",
            "withdrawn" => "已撤稿",
            _ => return None,
        }
        .into(),
    )
}

/// `GET /admin/review`: the queue.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    let access = &staff.signed_in.access;
    if !may_review_anywhere(access) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "信息审核仅对信息审核员和管理员开放",
            "/admin/",
        );
    }
    let submitted = match queue(&node, access, vec![ArticleState::Submitted], 200).await {
        Ok(l) => l,
        Err(e) => return failed(&frame, &e),
    };
    let approved = match queue(
        &node,
        access,
        vec![ArticleState::Approved, ArticleState::Scheduled],
        200,
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return failed(&frame, &e),
    };
    // What the person may publish (an editor's grant may publish, a column-limited one only
    // in its columns).
    let approved: Vec<Article> = approved
        .into_iter()
        .filter(|a| access.may_in_column(Action::Publish, &a.site, &a.column))
        .collect();
    let mut approved_rows = Vec::new();
    {
        let refs: Vec<&Article> = approved.iter().collect();
        let names = Names::load(&node, &[]).await;
        let columns = ColumnNames::of(&node, &refs).await;
        for a in &approved {
            let when = a.scheduled_ms.map(shown).unwrap_or_default();
            approved_rows.push(ArticleRow::new(
                a,
                &names,
                &columns,
                a.created_by.clone(),
                when,
            ));
        }
    }
    render(
        StatusCode::OK,
        "review_list.html",
        &frame,
        serde_json::json!({
            "queue": queue_rows(&node, &submitted).await,
            "approved": approved_rows,
        }),
    )
}

/// Whether `access` reviews anything at all.
fn may_review_anywhere(access: &Access) -> bool {
    access.is_platform_admin()
        || access.holds(Role::SiteAdmin)
        || access.holds_on_sites(Role::Reviewer)
}

fn failed(frame: &Frame, e: &ContentError) -> Response {
    tracing::error!(error = %e, "console: review failed");
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        frame,
        "系统暂时无法处理，请稍后再试",
        "/admin/",
    )
}

/// Whether `access` may see article `a` on the review page: it may review, publish or
/// withdraw in its column.
fn may_see(access: &Access, a: &Article) -> bool {
    [Action::Review, Action::Publish, Action::Withdraw]
        .into_iter()
        .any(|x| access.may_in_column(x, &a.site, &a.column))
}

/// Whether `person` wrote the article or its working revision (the four-eyes rule).
async fn wrote(node: &AppState, a: &Article, person: &str) -> bool {
    if a.created_by == person {
        return true;
    }
    match node.content.revisions(a.id).await {
        Ok(revs) => revs
            .iter()
            .any(|r| r.revision == a.revision && r.created_by == person),
        Err(_) => false,
    }
}

/// The article by id, if it exists and `staff` may see it; else the refusal page.
async fn article_for(node: &AppState, staff: &Staff, id: i64) -> Result<Article, Response> {
    let frame = staff.frame(&node.node);
    match node.content.article(id).await {
        Ok(a) if may_see(&staff.signed_in.access, &a) => Ok(a),
        Ok(_) | Err(ContentError::NotFound(_)) => Err(refused(
            StatusCode::NOT_FOUND,
            &frame,
            "没有找到该稿件，或该稿件不在您的审核范围内",
            "/admin/review",
        )),
        Err(e) => Err(failed(&frame, &e)),
    }
}

/// `GET /admin/review/{id}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Response {
    let a = match article_for(&node, &staff, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    show(&node, &staff, frame, &a, StatusCode::OK, None, "").await
}

/// The review page of `a`, with an error (role="alert") when a form was refused.
async fn show(
    node: &AppState,
    staff: &Staff,
    frame: Frame,
    a: &Article,
    status: StatusCode,
    error: Option<String>,
    reason: &str,
) -> Response {
    let access = &staff.signed_in.access;
    let revisions = node.content.revisions(a.id).await.unwrap_or_default();
    let live = match node.content.published(&a.site, a.id).await {
        Ok(Some(p)) if p.withdrawn.is_none() && p.revision != a.revision => Some(p),
        _ => None,
    };
    let (basis, old_doc) = match &live {
        Some(p) => (
            format!("线上版本（第 {} 版）", p.revision),
            Some(p.doc.clone()),
        ),
        None => match revisions.iter().find(|r| r.revision == a.revision - 1) {
            Some(r) => (
                format!("上一版本（第 {} 版）", r.revision),
                Some(r.doc.clone()),
            ),
            None => ("新稿件".to_string(), None),
        },
    };
    let author = revisions
        .iter()
        .find(|r| r.revision == a.revision)
        .map(|r| r.created_by.clone())
        .unwrap_or_else(|| a.created_by.clone());
    let four_eyes = wrote(node, a, access.person()).await;
    let may_review = access.may_in_column(Action::Review, &a.site, &a.column);
    let may_publish = access.may_in_column(Action::Publish, &a.site, &a.column);
    let may_withdraw = access.may_in_column(Action::Withdraw, &a.site, &a.column);
    let submitted = a.state == ArticleState::Submitted;
    let names = Names::load(node, &[]).await;
    let columns = ColumnNames::of(node, &[a]).await;
    let old_body = old_doc.as_ref().map(|d| d.body.as_str()).unwrap_or("");
    // The pre-publication check, computed now against the lists in force.
    let mut checks = node.content.check_article(&a.doc).await;
    checks.sort_by_key(|f| !f.serious);
    let serious = checks.iter().any(|f| f.serious);
    let submitted_by = node
        .content
        .last_action(a.id, "submit")
        .await
        .ok()
        .flatten()
        .map(|(who, at)| format!("{who}（{}）", shown(at)));
    render(
        status,
        "review_page.html",
        &frame,
        serde_json::json!({
            "id": a.id,
            "title": a.doc.title,
            "site": names.site(&a.site),
            "column": columns.get(&a.site, &a.column),
            "state": a.state.label(),
            "revision": a.revision,
            "author": author,
            "created_by": a.created_by,
            "submitted_by": submitted_by,
            "reason": a.reason,
            "scheduled": a.scheduled_ms.map(shown),
            "live": a.live,
            "url": a.url,
            "basis": basis,
            "is_new": old_doc.is_none(),
            "fields": field_rows(old_doc.as_ref(), &a.doc),
            "body": body_rows(old_body, &a.doc.body),
            "four_eyes": four_eyes && submitted && may_review,
            "may_review": submitted && may_review && !four_eyes,
            "may_publish": may_publish && matches!(a.state, ArticleState::Approved | ArticleState::Scheduled),
            "may_schedule": may_publish && a.state == ArticleState::Approved,
            "may_withdraw": may_withdraw && a.live,
            "checks": checks,
            "serious": serious,
            "default_at": default_at(),
            "error": error,
            "reason_value": reason,
        }),
    )
}

/// The time offered for 定时发布: the next whole hour, Beijing time.
fn default_at() -> String {
    let next = govnode_topology::beijing::from_millis(now_ms() + 3_600_000);
    next.format("%Y-%m-%dT%H:00").to_string()
}

/// `2026-12-05T09:30` (Beijing time, as a datetime-local field sends it) as unix ms.
pub(super) fn parse_beijing(s: &str) -> Option<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    t.and_local_timezone(govnode_topology::beijing::offset())
        .single()
        .map(|t| t.timestamp_millis())
}

/// A workflow form: the CSRF token, a reason (退回, 撤稿), and for publishing whether now
/// or at a time.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ActionForm {
    csrf: String,
    reason: String,
    when: String,
    at: String,
    /// Why an article with a serious finding of the pre-publication check is approved.
    override_reason: String,
}

/// The review page again with `error` (a refused form), keeping the reason typed.
async fn again(
    node: &AppState,
    staff: &Staff,
    a: &Article,
    reason: &str,
    status: StatusCode,
    error: String,
) -> Response {
    show(
        node,
        staff,
        staff.frame(&node.node),
        a,
        status,
        Some(error),
        reason,
    )
    .await
}

/// The Chinese text of a refused workflow action.
fn chinese(e: &ContentError, t: Transition) -> (StatusCode, String) {
    match e {
        ContentError::Invalid {
            field: "reason", ..
        } => (
            StatusCode::BAD_REQUEST,
            match t {
                Transition::Withdraw => "请填写撤稿原因（最多 500 字）",
                _ => "请填写退回原因（最多 500 字）",
            }
            .into(),
        ),
        ContentError::Invalid {
            field: "override_reason",
            ..
        } => (StatusCode::BAD_REQUEST, "越过检查的理由最多 500 字".into()),
        ContentError::Refused(_) => (
            StatusCode::FORBIDDEN,
            "您编辑过该稿件，按照先审后发规定须由其他审核员审核".into(),
        ),
        ContentError::Conflict(_) => (
            StatusCode::CONFLICT,
            "稿件的状态已经改变（可能已由他人处理），不能执行该操作，请查看稿件当前状态".into(),
        ),
        ContentError::NotFound(_) => (StatusCode::NOT_FOUND, "没有找到该稿件".into()),
        e => {
            tracing::error!(error = %e, "console: workflow action failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统暂时无法处理，请稍后再试".into(),
            )
        }
    }
}

/// `POST /admin/review/{id}/{action}`: approve, reject, publish (now or at a time),
/// withdraw.
pub(super) async fn act(
    State(node): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let a = match article_for(&node, &staff, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let access = &staff.signed_in.access;
    let (t, needed) = match action.as_str() {
        "approve" => (Transition::Approve, Action::Review),
        "reject" => (Transition::Reject, Action::Review),
        "publish" => (Transition::Publish, Action::Publish),
        "withdraw" => (Transition::Withdraw, Action::Withdraw),
        _ => {
            return refused(
                StatusCode::NOT_FOUND,
                &staff.frame(&node.node),
                "没有这项操作",
                &format!("/admin/review/{id}"),
            );
        }
    };
    if !access.may_in_column(needed, &a.site, &a.column) {
        return again(
            &node,
            &staff,
            &a,
            &f.reason,
            StatusCode::FORBIDDEN,
            "您没有对该稿件执行此操作的权限".into(),
        )
        .await;
    }
    let reason = match t {
        Transition::Reject | Transition::Withdraw => {
            if f.reason.trim().is_empty() {
                let text = if t == Transition::Reject {
                    "请填写退回原因"
                } else {
                    "请填写撤稿原因"
                };
                return again(
                    &node,
                    &staff,
                    &a,
                    &f.reason,
                    StatusCode::BAD_REQUEST,
                    text.into(),
                )
                .await;
            }
            Some(f.reason.as_str())
        }
        _ => None,
    };
    let at_ms = if t == Transition::Publish && f.when == "scheduled" {
        match parse_beijing(&f.at) {
            Some(at) if at > now_ms() => Some(at),
            Some(_) => {
                return again(
                    &node,
                    &staff,
                    &a,
                    &f.reason,
                    StatusCode::BAD_REQUEST,
                    "定时发布的时间须晚于现在（北京时间）".into(),
                )
                .await;
            }
            None => {
                return again(
                    &node,
                    &staff,
                    &a,
                    &f.reason,
                    StatusCode::BAD_REQUEST,
                    "请选择定时发布的日期和时间（北京时间）".into(),
                )
                .await;
            }
        }
    } else {
        None
    };
    let overriding =
        Some(f.override_reason.trim()).filter(|r| t == Transition::Approve && !r.is_empty());
    if t == Transition::Approve && overriding.is_none() {
        let serious: Vec<String> = node
            .content
            .check_article(&a.doc)
            .await
            .into_iter()
            .filter(|f| f.serious)
            .map(|f| f.detail)
            .collect();
        if !serious.is_empty() {
            let text = format!(
                "发布前检查发现严重问题，不能审核通过：{}。如确需通过，请填写越过检查的理由后再审核通过",
                serious.join("；")
            );
            return again(&node, &staff, &a, &f.reason, StatusCode::CONFLICT, text).await;
        }
    }
    match node
        .content
        .transition_overriding(access.person(), id, t, reason, at_ms, overriding)
        .await
    {
        Ok(after) => {
            let done = match (t, after.state) {
                (Transition::Approve, _) => "approved",
                (Transition::Reject, _) => "rejected",
                (_, ArticleState::Scheduled) => "scheduled",
                (Transition::Publish, _) => "published",
                _ => "withdrawn",
            };
            if t == Transition::Reject {
                see_other(&format!("/admin/review?done={done}"))
            } else {
                see_other(&format!("/admin/review/{id}?done={done}"))
            }
        }
        Err(e) => {
            let (status, text) = chinese(&e, t);
            // The article as it is now (the action may have lost a race).
            let now = node.content.article(id).await.unwrap_or(a.clone());
            show(
                &node,
                &staff,
                staff.frame(&node.node),
                &now,
                status,
                Some(text),
                &f.reason,
            )
            .await
        }
    }
}

/// The review pages' routes.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/review", get(list))
        .route("/admin/review/{id}", get(page))
        .route("/admin/review/{id}/{action}", post(act))
}
