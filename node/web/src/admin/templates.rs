//! 页面模板 (page templates), platform admins: `/admin/templates?site=` lists a site's
//! templates with whether each is overridden; `/admin/templates/{site}/{name}` edits one
//! (a text editor) with its differences from the built-in default, saves it after the
//! content module's compile and safety check (a refusal names the line, in Chinese),
//! previews the unsaved source on the site's real content (marked 预览, stored nowhere,
//! never cached or indexed), and restores the default (恢复默认).

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use govnode_accounts::Action;
use govnode_content::render::{Renderer, TEMPLATE_NAMES, default_template};
use govnode_content::{ContentError, Site};
use serde::{Deserialize, Serialize};

use super::sites_errors::{chinese, status};
use super::staff::Staff;
use super::templates_diff::{DiffLine, line_diff};
use super::{Frame, refused, render, see_other};
use crate::AppState;
use crate::common::text::url_encode;
use crate::site::PageRequest;

/// What each template shows, as staff read it.
fn describe(name: &str) -> &'static str {
    match name {
        "layout.html" => "页面框架（页头、导航、页脚）",
        "home.html" => "首页",
        "column.html" => "栏目页",
        "article.html" => "信息正文页",
        "search.html" => "搜索页",
        "letters.html" => "留言（领导信箱等）页",
        "letter_sent.html" => "留言提交成功页",
        "letter_track.html" => "办理进度查询页",
        "qa.html" => "智能问答页",
        "survey.html" => "征集调查页",
        "survey_list.html" => "征集调查列表页",
        "maintenance.html" => "一键关停时的维护公告页",
        "gone.html" => "已撤销栏目的提示页",
        "error.html" => "出错提示页",
        _ => "页面模板",
    }
}

/// `?site=&done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ListQuery {
    site: String,
    done: String,
}

fn notice(done: &str) -> Option<String> {
    Some(
        match done {
            "saved" => "已保存模板，站点页面即刻使用新模板",
            "reset" => "已恢复默认模板",
            _ => return None,
        }
        .into(),
    )
}

/// The 403 of someone who may not edit templates (platform admins only).
fn not_allowed(node: &AppState, staff: &Staff, site: Option<&str>) -> Option<Response> {
    (!staff.signed_in.access.may(Action::EditTemplates, site)).then(|| {
        refused(
            StatusCode::FORBIDDEN,
            &staff.frame(&node.node),
            "只有平台管理员可以修改页面模板",
            "/admin/",
        )
    })
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct TemplateRow {
    name: &'static str,
    what: &'static str,
    overridden: bool,
}

/// `GET /admin/templates?site=`.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = not_allowed(&node, &staff, None) {
        return r;
    }
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&q.done);
    let sites = match node.content.sites().await {
        Ok(s) => s,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/"),
    };
    let chosen = sites
        .iter()
        .find(|s| s.id == q.site)
        .or(sites.first())
        .cloned();
    let choices: Vec<Choice> = sites
        .iter()
        .map(|s| Choice {
            value: s.id.clone(),
            label: s.name.clone(),
            selected: chosen.as_ref().is_some_and(|c| c.id == s.id),
        })
        .collect();
    let rows: Vec<TemplateRow> = match &chosen {
        Some(site) => {
            let overrides = match node.content.template_overrides(&site.id).await {
                Ok(o) => o,
                Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/"),
            };
            TEMPLATE_NAMES
                .iter()
                .map(|n| TemplateRow {
                    name: n,
                    what: describe(n),
                    overridden: overrides.contains_key(*n),
                })
                .collect()
        }
        None => Vec::new(),
    };
    render(
        StatusCode::OK,
        "page_templates_list.html",
        &frame,
        serde_json::json!({
            "sites": choices, "rows": rows,
            "site": chosen.as_ref().map(|s| s.name.clone()),
            "url_site": chosen.as_ref().map(|s| url_encode(&s.id)),
        }),
    )
}

/// The editor's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SourceForm {
    csrf: String,
    source: String,
}

/// The site and template a path names, when both exist.
async fn site_and_name(
    node: &AppState,
    frame: &Frame,
    site: &str,
    name: &str,
) -> Result<(Site, &'static str), Response> {
    let Some(name) = TEMPLATE_NAMES.iter().copied().find(|n| *n == name) else {
        return Err(refused(
            StatusCode::NOT_FOUND,
            frame,
            "没有这个页面模板",
            "/admin/templates",
        ));
    };
    match node.content.site(site).await {
        Ok(s) => Ok((s, name)),
        Err(e) => Err(refused(status(&e), frame, &chinese(&e), "/admin/templates")),
    }
}

/// `GET /admin/templates/{site}/{name}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, name)): Path<(String, String)>,
) -> Response {
    if let Some(r) = not_allowed(&node, &staff, Some(&site)) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let (site, name) = match site_and_name(&node, &frame, &site, &name).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    editor(&node, &site, name, StatusCode::OK, None, None, frame).await
}

async fn editor(
    node: &AppState,
    site: &Site,
    name: &'static str,
    code: StatusCode,
    typed: Option<&str>,
    error: Option<String>,
    frame: Frame,
) -> Response {
    let stored = match node.content.template_overrides(&site.id).await {
        Ok(mut o) => o.remove(name),
        Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/templates"),
    };
    let default = default_template(name).unwrap_or("");
    let source = typed
        .map(str::to_string)
        .or_else(|| stored.clone())
        .unwrap_or_else(|| default.to_string());
    let diff: Vec<DiffLine> = line_diff(default, &source);
    let changed = diff.iter().any(|d| d.op != " ");
    render(
        code,
        "page_templates_edit.html",
        &frame,
        serde_json::json!({
            "site": site.name, "url_site": url_encode(&site.id), "name": name,
            "what": describe(name), "overridden": stored.is_some(), "source": source,
            "diff": if changed { diff } else { Vec::new() }, "error": error,
        }),
    )
}

/// `POST /admin/templates/{site}/{name}`: saves the override after the checks.
pub(super) async fn save(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, name)): Path<(String, String)>,
    Form(f): Form<SourceForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_allowed(&node, &staff, Some(&site)) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let (site, name) = match site_and_name(&node, &frame, &site, &name).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let source = f.source.replace("\r\n", "\n");
    let saved = node
        .content
        .put_template(&staff.signed_in.user.login, &site.id, name, Some(&source))
        .await
        .and_then(|set| node.renderer.set_overrides(&site.id, set));
    match saved {
        Ok(()) => see_other(&format!(
            "/admin/templates?site={}&done=saved",
            url_encode(&site.id)
        )),
        Err(e) => {
            let msg = format!("未能保存：{}", chinese(&e));
            editor(
                &node,
                &site,
                name,
                status(&e),
                Some(&source),
                Some(msg),
                frame,
            )
            .await
        }
    }
}

/// `POST /admin/templates/{site}/{name}/reset`: 恢复默认.
pub(super) async fn reset(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, name)): Path<(String, String)>,
    Form(f): Form<SourceForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_allowed(&node, &staff, Some(&site)) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let (site, name) = match site_and_name(&node, &frame, &site, &name).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = node
        .content
        .put_template(&staff.signed_in.user.login, &site.id, name, None)
        .await
        .and_then(|set| node.renderer.set_overrides(&site.id, set));
    match done {
        Ok(()) => see_other(&format!(
            "/admin/templates?site={}&done=reset",
            url_encode(&site.id)
        )),
        Err(e) => {
            let msg = format!("未能恢复默认：{}", chinese(&e));
            editor(&node, &site, name, status(&e), None, Some(msg), frame).await
        }
    }
}

/// `POST /admin/templates/{site}/{name}/preview`: the site's page that uses the template,
/// rendered with the unsaved source on the site's real content, marked 预览, stored
/// nowhere.
pub(super) async fn preview(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, name)): Path<(String, String)>,
    Form(f): Form<SourceForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_allowed(&node, &staff, Some(&site)) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let (site, name) = match site_and_name(&node, &frame, &site, &name).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let source = f.source.replace("\r\n", "\n");
    let renderer = node
        .content
        .candidate_templates(&site.id, name, Some(&source))
        .await
        .and_then(|set| Renderer::preview(&site.id, set));
    let renderer = match renderer {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("无法预览：{}", chinese(&e));
            return editor(
                &node,
                &site,
                name,
                status(&e),
                Some(&source),
                Some(msg),
                frame,
            )
            .await;
        }
    };
    match preview_page(&node, &site, name, renderer).await {
        Ok(page) => page,
        Err(e) => {
            let msg = format!("无法预览：{}", chinese(&e));
            editor(
                &node,
                &site,
                name,
                StatusCode::BAD_REQUEST,
                Some(&source),
                Some(msg),
                frame,
            )
            .await
        }
    }
}

/// The page of `site` that shows template `name` (`site::sample`: an article page for
/// `article.html`, a search for `search.html`, the maintenance notice …), rendered by
/// `renderer`.
async fn preview_page(
    node: &AppState,
    site: &Site,
    name: &str,
    renderer: Renderer,
) -> Result<Response, ContentError> {
    let mut state = node.clone();
    state.renderer = Arc::new(renderer);
    let req = PageRequest {
        node: state,
        site: site.clone(),
        base: format!("/sites/{}", url_encode(&site.id)),
        origin: node.node.base_url.clone(),
        query: Default::default(),
        elder: false,
        path: format!("/sites/{}/", url_encode(&site.id)),
    };
    let rendered = crate::site::sample::page_using(&req, name).await;
    let page = rendered.map_err(|e| ContentError::Template {
        name: name.to_string(),
        message: match e {
            crate::common::error::PageError::Internal(m) => m,
            _ => "该页面暂无可预览的内容".into(),
        },
    })?;
    let (parts, body) = page.into_parts();
    let bytes = axum::body::to_bytes(body, govnode_content::render::MAX_PAGE_BYTES)
        .await
        .map_err(|e| ContentError::Template {
            name: name.to_string(),
            message: e.to_string(),
        })?;
    let html = String::from_utf8_lossy(&bytes);
    let mark = "<p class=\"preview-mark\" role=\"note\" style=\"background:#fef3c7;border:2px dashed #b45309;padding:.5rem;margin:0;font-weight:bold\">预览：未保存的模板，仅供查看，未保存、未发布</p>";
    let marked = match html.find("<body") {
        Some(at) => match html[at..].find('>') {
            Some(end) => format!("{}{mark}{}", &html[..at + end + 1], &html[at + end + 1..]),
            None => format!("{mark}{html}"),
        },
        None => format!("{mark}{html}"),
    };
    let mut resp = Response::from_parts(parts, axum::body::Body::from(marked));
    *resp.status_mut() = StatusCode::OK;
    let headers = resp.headers_mut();
    headers.remove(header::ETAG);
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(resp)
}
