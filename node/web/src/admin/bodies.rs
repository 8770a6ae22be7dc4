//! 单位与办件设置 (platform administrators): `/admin/bodies`, the government bodies of this
//! node (listed, added, renamed; the superior picked by name) and the letters desk
//! (来信受理单位) of each site of this node. The holiday calendar and the deadline policy
//! are in `calendar.rs`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::{Body, InteractionError, NODE_DEFAULT};
use serde::{Deserialize, Serialize};

use super::staff::Staff;
use super::{refused, render, see_other};
use crate::AppState;

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct BodyRow {
    slug: String,
    name: String,
    superior: String,
}

#[derive(Debug, Serialize)]
struct DeskRow {
    site: String,
    site_name: String,
    body: String,
    body_name: String,
}

/// `?done=` (fixed texts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// Whether `staff` may use 单位与办件设置: platform administrators only.
pub(super) fn may_use(staff: &Staff) -> bool {
    staff.signed_in.access.is_platform_admin()
}

/// The refusal for everyone else.
pub(super) fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "单位与办件设置仅对平台管理员开放",
        "/admin/",
    )
}

/// Every body the province knows, and this node's id.
async fn all_bodies(node: &AppState) -> Vec<Body> {
    node.interaction.bodies().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "console: listing bodies failed");
        Vec::new()
    })
}

/// The page, with `error` when a form was refused and the form's values kept.
async fn show(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
    kept: &[(String, String)],
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    let me = node.node.id.to_string();
    let bodies = all_bodies(node).await;
    let name_of = |id: &str| {
        bodies
            .iter()
            .find(|b| b.id == id)
            .map_or(id.to_string(), |b| b.name.clone())
    };
    let own: Vec<BodyRow> = bodies
        .iter()
        .filter(|b| b.node == me)
        .map(|b| BodyRow {
            slug: b.id.split_once('.').map_or("", |(_, s)| s).to_string(),
            name: b.name.clone(),
            superior: if b.superior.is_empty() {
                "—".into()
            } else {
                name_of(&b.superior)
            },
        })
        .collect();
    let superiors: Vec<Choice> = bodies
        .iter()
        .map(|b| Choice {
            value: b.id.clone(),
            label: b.name.clone(),
        })
        .collect();
    let own_choices: Vec<Choice> = bodies
        .iter()
        .filter(|b| b.node == me)
        .map(|b| Choice {
            value: b.id.clone(),
            label: b.name.clone(),
        })
        .collect();
    let desks = node.interaction.desks().await.unwrap_or_default();
    let sites = node.content.sites().await.unwrap_or_default();
    // The node's default first: sites without a desk of their own use it.
    let default = (NODE_DEFAULT.to_string(), "本节点各站点（默认）".to_string());
    let rows: Vec<DeskRow> = std::iter::once(default)
        .chain(
            sites
                .iter()
                .filter(|s| s.origin == me)
                .map(|s| (s.id.clone(), s.name.clone())),
        )
        .map(|(site, site_name)| {
            let desk = desks.iter().find(|d| d.site == site);
            let fallback = desks.iter().find(|d| d.site == NODE_DEFAULT);
            let body_name = match (desk, fallback) {
                (Some(d), _) => d.name.clone(),
                (None, Some(d)) => format!("{}（默认）", d.name),
                (None, None) => "未设置".to_string(),
            };
            DeskRow {
                body: desk.map(|d| d.body.clone()).unwrap_or_default(),
                body_name,
                site,
                site_name,
            }
        })
        .collect();
    let kept: serde_json::Map<String, serde_json::Value> = kept
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    render(
        status,
        "bodies.html",
        &frame,
        serde_json::json!({
            "error": error, "bodies": own, "superiors": superiors, "own_bodies": own_choices,
            "desks": rows, "kept": kept,
        }),
    )
}

/// `GET /admin/bodies`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let notice = match done.done.as_str() {
        "added" => Some("已添加单位".to_string()),
        "renamed" => Some("已修改单位名称".to_string()),
        "desk" => Some("已设置来信受理单位".to_string()),
        "desk-removed" => Some("已取消该站点的来信受理单位，来信须选择受理单位".to_string()),
        _ => None,
    };
    show(&node, &staff, StatusCode::OK, None, notice, &[]).await
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    super::staff::form_field(fields, name)
}

/// A refused change of a body or desk, in Chinese.
fn chinese(e: &InteractionError) -> (StatusCode, String) {
    match e {
        InteractionError::Invalid(m) if m.starts_with("id") => (
            StatusCode::BAD_REQUEST,
            "简称（英文标识）须为 1–40 个小写字母、数字、下划线或连字符".into(),
        ),
        InteractionError::Invalid(m) if m.starts_with("name") => {
            (StatusCode::BAD_REQUEST, "单位名称须为 2–60 字".into())
        }
        InteractionError::Invalid(m) if m.starts_with("superior") => {
            (StatusCode::BAD_REQUEST, "请从列表中选择上级单位".into())
        }
        InteractionError::Invalid(_) => (StatusCode::BAD_REQUEST, "填写的内容有误".into()),
        InteractionError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "没有找到该单位（只能选择本节点的单位）".into(),
        ),
        e => {
            tracing::error!(error = %e, "console: changing a body failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统暂时无法处理，请稍后再试".into(),
            )
        }
    }
}

/// Checks the form's token and the permission.
fn checked(node: &AppState, staff: &Staff, fields: &[(String, String)]) -> Option<Response> {
    if let Some(r) = staff.csrf_refusal(&node.node, field(fields, "csrf")) {
        return Some(r);
    }
    (!may_use(staff)).then(|| not_allowed(node, staff))
}

/// `POST /admin/bodies`: `csrf`, `slug`, `name`, `superior` (a body id from the list, or
/// empty).
pub(super) async fn add(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, &fields) {
        return r;
    }
    let slug = field(&fields, "slug").trim();
    let name = field(&fields, "name").trim();
    let again = |status, text: String| show(&node, &staff, status, Some(text), None, &fields);
    if slug.is_empty() {
        return again(StatusCode::BAD_REQUEST, "请填写简称（英文标识）".into()).await;
    }
    if name.is_empty() {
        return again(StatusCode::BAD_REQUEST, "请填写单位名称".into()).await;
    }
    let exists = all_bodies(&node)
        .await
        .iter()
        .any(|b| b.id == format!("{}.{slug}", node.node.id));
    if exists {
        return again(
            StatusCode::CONFLICT,
            format!("简称“{slug}”已被本节点的其他单位使用，请换一个"),
        )
        .await;
    }
    match node
        .interaction
        .put_body(slug, name, field(&fields, "superior"))
        .await
    {
        Ok(_) => see_other("/admin/bodies?done=added"),
        Err(e) => {
            let (status, text) = chinese(&e);
            again(status, text).await
        }
    }
}

/// `POST /admin/bodies/{slug}/rename`: `csrf`, `name`.
pub(super) async fn rename(
    State(node): State<AppState>,
    staff: Staff,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, &fields) {
        return r;
    }
    let id = format!("{}.{slug}", node.node.id);
    let Some(body) = all_bodies(&node).await.into_iter().find(|b| b.id == id) else {
        return refused(
            StatusCode::NOT_FOUND,
            &staff.frame(&node.node),
            "没有找到该单位",
            "/admin/bodies",
        );
    };
    let name = field(&fields, "name").trim();
    match node.interaction.put_body(&slug, name, &body.superior).await {
        Ok(_) => see_other("/admin/bodies?done=renamed"),
        Err(e) => {
            let (status, text) = chinese(&e);
            let text = format!("“{}”改名未成功：{text}", body.name);
            show(&node, &staff, status, Some(text), None, &[]).await
        }
    }
}

/// `POST /admin/bodies/desk`: `csrf`, `site` (`*`: the node's default), `body` (a body of
/// this node; empty removes the desk).
pub(super) async fn desk(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = checked(&node, &staff, &fields) {
        return r;
    }
    let site = field(&fields, "site");
    let local = site == NODE_DEFAULT
        || node
            .content
            .site(site)
            .await
            .is_ok_and(|s| s.origin == node.node.id.to_string());
    if !local {
        return refused(
            StatusCode::NOT_FOUND,
            &staff.frame(&node.node),
            "没有找到该站点（只能设置本节点的站点）",
            "/admin/bodies",
        );
    }
    let body = field(&fields, "body");
    let result = if body.is_empty() {
        match node.interaction.remove_desk(site).await {
            Ok(()) | Err(InteractionError::NotFound(_)) => Ok("desk-removed"),
            Err(e) => Err(e),
        }
    } else {
        node.interaction.set_desk(site, body).await.map(|_| "desk")
    };
    match result {
        Ok(done) => see_other(&format!("/admin/bodies?done={done}")),
        Err(e) => {
            let (status, text) = chinese(&e);
            show(&node, &staff, status, Some(text), None, &[]).await
        }
    }
}

/// The routes of 单位与办件设置 (the calendar's too).
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/bodies", get(page).post(add))
        .route("/admin/bodies/{slug}/rename", post(rename))
        .route("/admin/bodies/desk", post(desk))
        .route("/admin/calendar", get(super::calendar::page))
        .route("/admin/calendar/year", post(super::calendar::add_year))
        .route("/admin/calendar/policy", post(super::calendar::policy))
}
