//! 信息分发: `/admin/distribution`. 分发: a published article of one's sites sent to sites
//! below this node (picked by name) with a note; 回执: what each distribution's targets did
//! (已转载 with the time and the link, else 待接收); 待接收: the inbox of one's own sites,
//! each waiting item 转载 into a column picked by name.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Action, Role};
use govnode_content::{Article, ContentError, Site, State as ArticleState, WorkQuery};
use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};

use super::review::scopes;
use super::staff::Staff;
use super::{refused, render, see_other, shown};
use crate::AppState;

/// Published articles offered for distribution at most.
const ARTICLES: i64 = 50;

#[derive(Debug, Clone, Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct TargetRow {
    site: String,
    state: &'static str,
    at: String,
    url: Option<String>,
}

#[derive(Debug, Serialize)]
struct SentRow {
    title: String,
    from: String,
    sent: String,
    note: String,
    targets: Vec<TargetRow>,
}

#[derive(Debug, Serialize)]
struct InboxRow {
    id: String,
    site: String,
    site_name: String,
    title: String,
    from: String,
    note: String,
    sent: String,
    pending: bool,
    url: Option<String>,
    columns: Vec<Choice>,
    may_republish: bool,
}

/// `?done=` (fixed texts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// The node's sites by id.
async fn all_sites(node: &AppState) -> Vec<Site> {
    node.content.sites().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "console: listing sites failed");
        Vec::new()
    })
}

/// The sites below this node that a distribution may go to.
fn targets(node: &AppState, sites: &[Site]) -> Vec<Choice> {
    let me = node.federation.me();
    sites
        .iter()
        .filter(|s| {
            s.origin
                .parse::<NodeId>()
                .is_ok_and(|o| o != me && node.federation.is_ancestor(me, o))
        })
        .map(|s| Choice {
            value: s.id.clone(),
            label: s.name.clone(),
        })
        .collect()
}

/// The live articles of `staff`'s sites that they may publish (so distribute).
async fn distributable(node: &AppState, staff: &Staff) -> Vec<Article> {
    let access = &staff.signed_in.access;
    let q = WorkQuery {
        scopes: scopes(access, &[Role::SiteAdmin, Role::Editor, Role::Reviewer]),
        states: vec![ArticleState::Published],
        limit: ARTICLES,
        ..WorkQuery::default()
    };
    match node.content.work(&q).await {
        Ok(list) => list
            .into_iter()
            .filter(|a| a.live && access.may_in_column(Action::Publish, &a.site, &a.column))
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "console: listing published articles failed");
            Vec::new()
        }
    }
}

/// The page, with `error` when a form was refused.
async fn show(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let access = &staff.signed_in.access;
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    let sites = all_sites(node).await;
    let name_of: BTreeMap<&str, &str> = sites
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let name = |id: &str| name_of.get(id).map_or(id.to_string(), |n| n.to_string());
    let published = distributable(node, staff).await;
    let articles: Vec<Choice> = published
        .iter()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!("{}（{}）", a.doc.title, name(&a.site)),
        })
        .collect();
    let target_choices = targets(node, &sites);
    // 回执: what was sent from these articles.
    let mut sent = Vec::new();
    for a in &published {
        let Ok(list) = node.content.distributions_of(&a.site, a.id).await else {
            continue;
        };
        for d in list.into_iter().rev() {
            let targets = d
                .targets
                .iter()
                .map(|t| match d.receipts.iter().find(|r| &r.site == t) {
                    Some(r) => TargetRow {
                        site: name(t),
                        state: "已转载",
                        at: shown(r.at_ms),
                        url: Some(r.path.clone()),
                    },
                    None => TargetRow {
                        site: name(t),
                        state: "待接收",
                        at: String::new(),
                        url: None,
                    },
                })
                .collect();
            sent.push(SentRow {
                title: d.title,
                from: name(&d.from_site),
                sent: shown(d.sent_ms),
                note: d.note,
                targets,
            });
        }
    }
    // 待接收: the inbox of the person's own sites.
    let me = node.node.id.to_string();
    let mut inbox = Vec::new();
    for s in sites
        .iter()
        .filter(|s| s.origin == me && access.may(Action::Edit, Some(&s.id)))
    {
        let Ok(items) = node.content.inbox(&s.id).await else {
            continue;
        };
        if items.is_empty() {
            continue;
        }
        let columns: Vec<Choice> = node
            .content
            .columns(&s.id)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| !c.archived && access.may_in_column(Action::Publish, &s.id, &c.slug))
            .map(|c| Choice {
                value: c.slug,
                label: c.name,
            })
            .collect();
        for i in items {
            inbox.push(InboxRow {
                pending: i.state == "pending",
                url: i
                    .article_id
                    .map(|id| govnode_content::article_path(&s.id, id)),
                id: i.id,
                site: s.id.clone(),
                site_name: s.name.clone(),
                title: i.title,
                from: i.from_site_name,
                note: i.note,
                sent: shown(i.sent_ms),
                may_republish: !columns.is_empty(),
                columns: columns.clone(),
            });
        }
    }
    render(
        status,
        "distribution.html",
        &frame,
        serde_json::json!({
            "error": error,
            "articles": articles,
            "targets": target_choices,
            "sent": sent,
            "inbox": inbox,
        }),
    )
}

/// Whether `staff` may use 信息分发 at all.
fn may_use(staff: &Staff) -> bool {
    let a = &staff.signed_in.access;
    a.is_platform_admin() || a.holds(Role::SiteAdmin) || a.holds(Role::Editor)
}

fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "信息分发仅对信息编辑和管理员开放",
        "/admin/",
    )
}

/// `GET /admin/distribution`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let notice = match done.done.as_str() {
        "sent" => Some("已分发，接收站点确认转载后将在下方显示回执".to_string()),
        "republished" => Some("已转载并发布，回执已发送给分发单位".to_string()),
        _ => None,
    };
    show(&node, &staff, StatusCode::OK, None, notice).await
}

/// A refused distribution action in Chinese.
fn chinese(e: &ContentError) -> (StatusCode, String) {
    match e {
        ContentError::Invalid {
            field: "targets", ..
        } => (
            StatusCode::BAD_REQUEST,
            "请选择本节点下级的接收站点（最多 500 个）".into(),
        ),
        ContentError::Invalid { field: "note", .. } => {
            (StatusCode::BAD_REQUEST, "附言最多 500 字".into())
        }
        ContentError::Invalid {
            field: "column", ..
        } => (StatusCode::BAD_REQUEST, "请选择转载到的栏目".into()),
        ContentError::Invalid { .. } => (StatusCode::BAD_REQUEST, "填写的内容有误".into()),
        ContentError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "没有找到该稿件或分发信息（稿件须已发布）".into(),
        ),
        ContentError::Conflict(m) if m.contains("already republished") => {
            (StatusCode::CONFLICT, "该分发信息已转载".into())
        }
        ContentError::Conflict(m) if m.contains("withdrawn") => {
            (StatusCode::CONFLICT, "该稿件已撤稿，不能分发".into())
        }
        ContentError::Conflict(m) if m.contains("not federated") => (
            StatusCode::CONFLICT,
            "本节点未加入省级平台，不能分发".into(),
        ),
        e => {
            tracing::error!(error = %e, "console: distribution failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统暂时无法处理，请稍后再试".into(),
            )
        }
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    super::staff::form_field(fields, name)
}

/// `POST /admin/distribution/send`: `csrf`, `article`, one `targets` per checked site,
/// `note`.
pub(super) async fn send(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, field(&fields, "csrf")) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let access = &staff.signed_in.access;
    let again = |status, text: &str| show(&node, &staff, status, Some(text.to_string()), None);
    let Ok(id) = field(&fields, "article").parse::<i64>() else {
        return again(StatusCode::BAD_REQUEST, "请选择要分发的稿件").await;
    };
    let targets: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "targets")
        .map(|(_, v)| v.clone())
        .collect();
    if targets.is_empty() {
        return again(StatusCode::BAD_REQUEST, "请至少选择一个接收站点").await;
    }
    let a = match node.content.article(id).await {
        Ok(a) if access.may_in_column(Action::Publish, &a.site, &a.column) => a,
        _ => return again(StatusCode::NOT_FOUND, "没有找到该稿件，或您无权分发该稿件").await,
    };
    match node
        .content
        .distribute(
            access.person(),
            &a.site,
            id,
            &targets,
            field(&fields, "note"),
        )
        .await
    {
        Ok(_) => see_other("/admin/distribution?done=sent"),
        Err(e) => {
            let (status, text) = chinese(&e);
            again(status, &text).await
        }
    }
}

/// `POST /admin/distribution/republish`: `csrf`, `site`, `dist`, `column`.
pub(super) async fn republish(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, field(&fields, "csrf")) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let access = &staff.signed_in.access;
    let (site, dist, column) = (
        field(&fields, "site"),
        field(&fields, "dist"),
        field(&fields, "column"),
    );
    let again = |status, text: &str| show(&node, &staff, status, Some(text.to_string()), None);
    if column.is_empty() {
        return again(StatusCode::BAD_REQUEST, "请选择转载到的栏目").await;
    }
    if !access.may_in_column(Action::Publish, site, column) {
        return again(StatusCode::FORBIDDEN, "您无权在该栏目发布信息").await;
    }
    match node
        .content
        .republish(access.person(), site, dist, column)
        .await
    {
        Ok(_) => see_other("/admin/distribution?done=republished"),
        Err(e) => {
            let (status, text) = chinese(&e);
            again(status, &text).await
        }
    }
}

/// The distribution pages' routes.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/distribution", get(page))
        .route("/admin/distribution/send", post(send))
        .route("/admin/distribution/republish", post(republish))
}
