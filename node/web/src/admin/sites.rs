//! 站点 (sites): `/admin/sites` lists the sites this person manages (a platform admin:
//! every site held here with its state, and the form creating one); `/admin/sites/{site}`
//! edits a site's identity (platform admins; a replica of another node's site is shown
//! read-only with why) and shuts it down (一键关停) or resumes it (its administrators too).
//! Columns are in [`super::columns`]; every refusal reads as [`super::sites_errors`] says.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Action;
use govnode_content::{SiteFooter, SiteInput, SiteListing, SiteState, SiteUpdate};
use serde::{Deserialize, Serialize};

use super::sites_errors::{chinese, status};
use super::staff::Staff;
use super::{refused, render, see_other, shown};
use crate::AppState;
use crate::common::places::node_name;
use crate::common::text::url_encode;

/// `?done=` of a page answering a change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// The notice a `?done=` names (fixed texts).
fn notice(done: &str) -> Option<String> {
    Some(
        match done {
            "created" => "已创建站点",
            "saved" => "已保存站点信息",
            "shutdown" => "已一键关停该站点：各页面显示维护公告",
            "resumed" => "已恢复该站点的访问",
            "archived" => "已归档该站点：不再提供访问，域名已释放",
            "restored" => "已恢复该站点（原域名未被占用的已恢复使用）",
            "footer" => "已保存网站标识与页脚信息",
            _ => return None,
        }
        .into(),
    )
}

/// A region a site may be in: its code and full name.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Region {
    code: String,
    name: String,
    selected: bool,
}

/// A region's full name from the province down (广东省广州市), as the site pages show it;
/// 未知地区 when the node knows no name for it (never the bare code).
pub(super) fn region_name(node: &AppState, code: &str) -> String {
    crate::common::places::region_name(node, code).unwrap_or_else(|| "未知地区".into())
}

/// The regions the node knows (its tree), by full name, `selected` marked; a current
/// region outside the tree stays offered.
fn regions(node: &AppState, selected: &str) -> Vec<Region> {
    let tree = node.federation.topology();
    let mut codes: Vec<String> = tree.nodes().map(|n| n.id.as_str().to_string()).collect();
    if !codes.iter().any(|c| c == node.node.id.as_str()) {
        codes.push(node.node.id.as_str().to_string());
    }
    if !selected.is_empty() && !codes.iter().any(|c| c == selected) {
        codes.push(selected.to_string());
    }
    codes.sort();
    codes
        .into_iter()
        .map(|code| Region {
            name: region_name(node, &code),
            selected: code == selected,
            code,
        })
        .collect()
}

/// A site's state as its administrators read it.
fn state_text(l: &SiteListing) -> String {
    match l.state {
        SiteState::Serving if l.site.shutdown => format!(
            "已一键关停（维护公告：{}）",
            if l.site.shutdown_message.is_empty() {
                "无"
            } else {
                &l.site.shutdown_message
            }
        ),
        SiteState::Serving => "正常访问".into(),
        SiteState::Superseded => format!(
            "已被上级节点的同名站点取代，保留备查，不再提供访问（{}）",
            l.state_ms.map(shown).unwrap_or_default()
        ),
        SiteState::Archived => format!(
            "已归档（{}），不再提供访问，域名已释放",
            l.state_ms.map(shown).unwrap_or_default()
        ),
        SiteState::Refused => format!(
            "已被本节点平台管理员拒绝提供服务：{}",
            if l.state_reason.is_empty() {
                "未说明理由"
            } else {
                &l.state_reason
            }
        ),
    }
}

#[derive(Serialize)]
struct SiteRow {
    id: String,
    url_id: String,
    name: String,
    state: String,
    serving: bool,
    owner_body: String,
    hosts: String,
    region: String,
    replica: Option<String>,
}

/// Whether `site` is another node's (a replica), and whose, by name.
fn replica_of(node: &AppState, origin: &str) -> Option<String> {
    (!origin.is_empty() && origin != node.node.id.as_str())
        .then(|| node_name(node, origin).unwrap_or_else(|| region_name(node, origin)))
}

/// The new-site form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SiteForm {
    csrf: String,
    id: String,
    name: String,
    hosts: String,
    owner_body: String,
    body_code: String,
    region: String,
    undertaker: String,
}

/// Host names as typed: separated by spaces, commas, 、 or lines; lower-cased.
fn host_list(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|h| !h.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `GET /admin/sites`.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    list_page(
        &node,
        &staff,
        StatusCode::OK,
        &SiteForm::default(),
        None,
        frame,
    )
    .await
}

async fn list_page(
    node: &AppState,
    staff: &Staff,
    code: StatusCode,
    f: &SiteForm,
    error: Option<String>,
    frame: super::Frame,
) -> Response {
    let access = &staff.signed_in.access;
    let platform = access.is_platform_admin();
    if !platform && access.administered_sites().is_empty() {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "只有平台管理员和站点管理员可以管理站点与栏目",
            "/admin/",
        );
    }
    let listing = match node.content.site_listing().await {
        Ok(l) => l,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/"),
    };
    let rows: Vec<SiteRow> = listing
        .iter()
        .filter(|l| platform || access.may(Action::ManageSite, Some(&l.site.id)))
        .filter(|l| platform || l.state == SiteState::Serving)
        .map(|l| SiteRow {
            url_id: url_encode(&l.site.id),
            id: l.site.id.clone(),
            name: l.site.name.clone(),
            state: state_text(l),
            serving: l.state == SiteState::Serving,
            owner_body: l.site.owner_body.clone(),
            hosts: if l.site.hosts.is_empty() {
                "无（按路径访问）".into()
            } else {
                l.site.hosts.join("、")
            },
            region: region_name(node, &l.site.region),
            replica: replica_of(node, &l.site.origin),
        })
        .collect();
    let region = if f.region.is_empty() {
        node.node.id.as_str().to_string()
    } else {
        f.region.clone()
    };
    render(
        code,
        "sites_list.html",
        &frame,
        serde_json::json!({
            "sites": rows, "platform": platform, "error": error,
            "form": {
                "id": f.id, "name": f.name, "hosts": f.hosts, "owner_body": f.owner_body,
                "body_code": f.body_code, "undertaker": f.undertaker,
            },
            "regions": regions(node, &region),
        }),
    )
}

/// `POST /admin/sites`: a new site (platform admins).
pub(super) async fn create(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<SiteForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    if !staff.signed_in.access.is_platform_admin() {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "只有平台管理员可以新建站点",
            "/admin/sites",
        );
    }
    let footer = govnode_content::SiteFooter {
        undertaker: f.undertaker.trim().to_string(),
        ..Default::default()
    };
    let input = SiteInput {
        id: f.id.trim().to_string(),
        name: f.name.clone(),
        hosts: host_list(&f.hosts),
        owner_body: f.owner_body.clone(),
        body_code: f.body_code.clone(),
        region: f.region.trim().to_string(),
        footer,
    };
    match node
        .content
        .create_site(&staff.signed_in.user.login, &input)
        .await
    {
        Ok(site) => see_other(&format!(
            "/admin/sites/{}?done=created",
            url_encode(&site.id)
        )),
        Err(e) => {
            let msg = format!("未能创建站点：{}", chinese(&e));
            list_page(&node, &staff, status(&e), &f, Some(msg), frame).await
        }
    }
}

/// `GET /admin/sites/{site}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(site): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    site_page(&node, &staff, &site, StatusCode::OK, None, None, frame).await
}

async fn site_page(
    node: &AppState,
    staff: &Staff,
    id: &str,
    code: StatusCode,
    typed: Option<&SiteForm>,
    error: Option<String>,
    frame: super::Frame,
) -> Response {
    site_page_with(node, staff, id, code, typed, None, error, frame).await
}

/// The site's page, keeping what was typed into the identity or the footer form.
#[allow(clippy::too_many_arguments)]
pub(super) async fn site_page_with(
    node: &AppState,
    staff: &Staff,
    id: &str,
    code: StatusCode,
    typed: Option<&SiteForm>,
    typed_footer: Option<&SiteFooter>,
    error: Option<String>,
    frame: super::Frame,
) -> Response {
    let access = &staff.signed_in.access;
    let platform = access.is_platform_admin();
    if !access.may(Action::ManageSite, Some(id)) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "您不是该站点的管理员，不能管理该站点",
            "/admin/sites",
        );
    }
    let l = match node.content.site_listed(id).await {
        Ok(l) => l,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/sites"),
    };
    let s = &l.site;
    let replica = replica_of(node, &s.origin);
    let editable = platform && replica.is_none() && l.state == SiteState::Serving;
    let form = match typed {
        Some(f) => serde_json::json!({
            "name": f.name, "hosts": f.hosts, "owner_body": f.owner_body, "body_code": f.body_code,
        }),
        None => serde_json::json!({
            "name": s.name, "hosts": s.hosts.join("\n"), "owner_body": s.owner_body,
            "body_code": s.body_code,
        }),
    };
    let region = typed.map_or(s.region.as_str(), |f| f.region.as_str());
    render(
        code,
        "sites_edit.html",
        &frame,
        serde_json::json!({
            "id": s.id, "url_id": url_encode(&s.id), "name": s.name, "state": state_text(&l),
            "serving": l.state == SiteState::Serving, "shutdown": s.shutdown,
            "archived": l.state == SiteState::Archived,
            "shutdown_message": s.shutdown_message,
            "owner_body": s.owner_body, "body_code": s.body_code,
            "hosts": if s.hosts.is_empty() { "无（按路径访问）".to_string() } else { s.hosts.join("、") },
            "region": region_name(node, &s.region), "replica": replica, "platform": platform,
            "editable": editable, "error": error, "form": form,
            "footer": typed_footer.unwrap_or(&s.footer),
            "footer_editable": replica.is_none() && l.state == SiteState::Serving,
            "regions": regions(node, region),
        }),
    )
}

/// `POST /admin/sites/{site}`: name, hosts, owning body, code, region (platform admins).
pub(super) async fn update(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<SiteForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    if !staff.signed_in.access.is_platform_admin() {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "只有平台管理员可以修改站点名称、域名、主办单位和地区",
            &format!("/admin/sites/{}", url_encode(&id)),
        );
    }
    let update = SiteUpdate {
        name: Some(f.name.clone()),
        hosts: Some(host_list(&f.hosts)),
        owner_body: Some(f.owner_body.clone()),
        body_code: Some(f.body_code.clone()),
        region: Some(f.region.trim().to_string()),
    };
    match node
        .content
        .update_site(&staff.signed_in.user.login, &id, &update)
        .await
    {
        Ok(_) => see_other(&format!("/admin/sites/{}?done=saved", url_encode(&id))),
        Err(e) => {
            let msg = format!("未能保存：{}", chinese(&e));
            site_page(&node, &staff, &id, status(&e), Some(&f), Some(msg), frame).await
        }
    }
}

/// The shutdown form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShutdownForm {
    csrf: String,
    /// `shutdown` or `resume`.
    action: String,
    message: String,
}

/// `POST /admin/sites/{site}/shutdown`: 一键关停 with the message, or resume.
pub(super) async fn shutdown(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<ShutdownForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    if !staff.signed_in.access.may(Action::ManageSite, Some(&id)) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "您不是该站点的管理员，不能关停或恢复该站点",
            "/admin/sites",
        );
    }
    let down = f.action == "shutdown";
    if down && f.message.trim().is_empty() {
        let msg = "一键关停须填写维护公告（访问者看到的说明）".to_string();
        return site_page(
            &node,
            &staff,
            &id,
            StatusCode::BAD_REQUEST,
            None,
            Some(msg),
            frame,
        )
        .await;
    }
    let message = if down { f.message.trim() } else { "" };
    match node
        .content
        .set_shutdown(&staff.signed_in.user.login, &id, down, message)
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/sites/{}?done={}",
            url_encode(&id),
            if down { "shutdown" } else { "resumed" }
        )),
        Err(e) => {
            let msg = format!("未能完成：{}", chinese(&e));
            site_page(&node, &staff, &id, status(&e), None, Some(msg), frame).await
        }
    }
}

/// The archive form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ArchiveForm {
    csrf: String,
    /// `archive` or `restore`.
    action: String,
    reason: String,
}

/// `POST /admin/sites/{site}/archive`: 归档 an empty site of this node, or restore it
/// (platform admins).
pub(super) async fn archive(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<ArchiveForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    if !staff.signed_in.access.is_platform_admin() {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "只有平台管理员可以归档或恢复站点",
            &format!("/admin/sites/{}", url_encode(&id)),
        );
    }
    let login = &staff.signed_in.user.login;
    let (done, result) = if f.action == "restore" {
        ("restored", node.content.restore_site(login, &id).await)
    } else if f.reason.trim().is_empty() {
        let msg = "归档须填写原因（记入操作日志）".to_string();
        let code = StatusCode::BAD_REQUEST;
        return site_page(&node, &staff, &id, code, None, Some(msg), frame).await;
    } else {
        (
            "archived",
            node.content.archive_site(login, &id, &f.reason).await,
        )
    };
    match result {
        Ok(_) => see_other(&format!("/admin/sites/{}?done={done}", url_encode(&id))),
        Err(e) => {
            let msg = format!("未能完成：{}", chinese(&e));
            site_page(&node, &staff, &id, status(&e), None, Some(msg), frame).await
        }
    }
}

/// The routes of sites, columns, column template sets and page templates.
pub(super) fn routes() -> axum::Router<AppState> {
    use super::{column_templates, columns, templates};
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/sites", get(list).post(create))
        .route("/admin/sites/{site}", get(page).post(update))
        .route("/admin/sites/{site}/shutdown", post(shutdown))
        .route("/admin/sites/{site}/archive", post(archive))
        .route(
            "/admin/sites/{site}/footer",
            post(super::sites_footer::save),
        )
        .route(
            "/admin/sites/{site}/columns",
            get(columns::list).post(columns::create),
        )
        .route(
            "/admin/sites/{site}/columns/{slug}",
            get(columns::page).post(columns::update),
        )
        .route(
            "/admin/sites/{site}/columns/{slug}/move",
            post(columns::move_column),
        )
        .route(
            "/admin/sites/{site}/columns/{slug}/archive",
            post(columns::archive),
        )
        .route(
            "/admin/sites/{site}/columns/{slug}/restore",
            post(columns::restore),
        )
        .route("/admin/column-templates", get(column_templates::list))
        .route(
            "/admin/column-templates/new",
            get(column_templates::new_form).post(column_templates::create),
        )
        .route(
            "/admin/column-templates/{set}",
            get(column_templates::page).post(column_templates::update),
        )
        .route(
            "/admin/column-templates/{set}/apply",
            post(column_templates::apply),
        )
        .route("/admin/templates", get(templates::list))
        .route(
            "/admin/templates/{site}/{name}",
            get(templates::page).post(templates::save),
        )
        .route(
            "/admin/templates/{site}/{name}/preview",
            post(templates::preview),
        )
        .route(
            "/admin/templates/{site}/{name}/reset",
            post(templates::reset),
        )
}
