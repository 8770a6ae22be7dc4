//! 栏目 (columns) of a site, for its administrators: `/admin/sites/{site}/columns` shows the
//! tree (top-level columns, each followed by its 子栏目) with kind, update interval, order
//! and state, creates a column, and moves one up or down among its siblings;
//! `/admin/sites/{site}/columns/{slug}` renames it, changes its kind, interval or parent,
//! archives (撤销) it after a confirmation, or restores it. Every change is the content
//! module's (the same checks and audit as the API); refusals read as
//! [`super::sites_errors`] says.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Action;
use govnode_content::{Column, ColumnInput, ColumnKind, ColumnOrder, ColumnUpdate, Site};
use serde::{Deserialize, Serialize};

use super::sites_errors::{chinese, status};
use super::staff::Staff;
use super::{Frame, refused, render, see_other};
use crate::AppState;
use crate::common::text::url_encode;

/// `?done=` of a page answering a change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

fn notice(done: &str) -> Option<String> {
    Some(
        match done {
            "created" => "已新建栏目",
            "saved" => "已保存栏目",
            "moved" => "已调整栏目顺序",
            "archived" => "已撤销栏目：栏目已移出导航，其页面不再提供访问",
            "restored" => "已恢复栏目",
            _ => return None,
        }
        .into(),
    )
}

/// The site `id` when this person manages it, else the refusal page.
async fn managed_site(node: &AppState, staff: &Staff, id: &str) -> Result<Site, Response> {
    let frame = staff.frame(&node.node);
    if !staff.signed_in.access.may(Action::ManageSite, Some(id)) {
        return Err(refused(
            StatusCode::FORBIDDEN,
            &frame,
            "您不是该站点的管理员，不能管理该站点的栏目",
            "/admin/sites",
        ));
    }
    node.content
        .site(id)
        .await
        .map_err(|e| refused(status(&e), &frame, &chinese(&e), "/admin/sites"))
}

/// Columns in tree order: each top-level column followed by its descendants, with depth.
fn tree(columns: &[Column]) -> Vec<(&Column, usize)> {
    fn walk<'a>(
        all: &'a [Column],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(&'a Column, usize)>,
    ) {
        let mut level: Vec<&Column> = all.iter().filter(|c| c.parent == parent).collect();
        level.sort_by_key(|c| (c.archived, c.position, c.id));
        for c in level {
            out.push((c, depth));
            if depth < 16 {
                walk(all, Some(c.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::with_capacity(columns.len());
    walk(columns, None, 0, &mut out);
    out
}

/// A column's update interval as staff read it.
fn interval_text(days: Option<i64>) -> String {
    days.map_or_else(|| "不要求".into(), |d| format!("每 {d} 天"))
}

#[derive(Serialize)]
struct Row {
    slug: String,
    name: String,
    depth: usize,
    indent: usize,
    parent_name: Option<String>,
    kind: &'static str,
    interval: String,
    position: usize,
    archived: bool,
    first: bool,
    last: bool,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn kind_choices(selected: &str) -> Vec<Choice> {
    ColumnKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: k.label().into(),
            selected: k.as_str() == selected,
        })
        .collect()
}

/// Parents a column may be put under: columns in use (not `except` nor below it), by name
/// with their path (通知公告 › 人事任免).
fn parent_choices(columns: &[Column], except: Option<&Column>, selected: &str) -> Vec<Choice> {
    let name_path = |c: &Column| {
        let mut names = vec![c.name.clone()];
        let mut at = c.parent;
        while let Some(p) = at.and_then(|id| columns.iter().find(|x| x.id == id)) {
            names.push(p.name.clone());
            at = p.parent;
            if names.len() > 16 {
                break;
            }
        }
        names.reverse();
        names.join(" › ")
    };
    let below = |c: &Column| {
        let Some(ex) = except else { return false };
        let mut at = Some(c.id);
        let mut steps = 0;
        while let Some(id) = at {
            if id == ex.id {
                return true;
            }
            at = columns.iter().find(|x| x.id == id).and_then(|x| x.parent);
            steps += 1;
            if steps > 16 {
                break;
            }
        }
        false
    };
    let mut out = vec![Choice {
        value: String::new(),
        label: "顶层（无上级栏目）".into(),
        selected: selected.is_empty(),
    }];
    out.extend(
        tree(columns)
            .into_iter()
            .filter(|(c, _)| !c.archived && !below(c))
            .map(|(c, _)| Choice {
                value: c.slug.clone(),
                label: name_path(c),
                selected: c.slug == selected,
            }),
    );
    out
}

/// The new-column form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewColumnForm {
    csrf: String,
    slug: String,
    name: String,
    kind: String,
    parent: String,
    interval: String,
}

/// `GET /admin/sites/{site}/columns`.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Path(site): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let site = match managed_site(&node, &staff, &site).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    list_page(
        &node,
        &site,
        StatusCode::OK,
        &NewColumnForm::default(),
        None,
        frame,
    )
    .await
}

async fn list_page(
    node: &AppState,
    site: &Site,
    code: StatusCode,
    f: &NewColumnForm,
    error: Option<String>,
    frame: Frame,
) -> Response {
    let columns = match node.content.columns(&site.id).await {
        Ok(c) => c,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/sites"),
    };
    let ordered = tree(&columns);
    let rows: Vec<Row> = ordered
        .iter()
        .map(|(c, depth)| {
            let siblings: Vec<&Column> = ordered
                .iter()
                .map(|(s, _)| *s)
                .filter(|s| s.parent == c.parent && !s.archived)
                .collect();
            let index = siblings.iter().position(|s| s.id == c.id);
            Row {
                slug: c.slug.clone(),
                name: c.name.clone(),
                depth: *depth,
                indent: (*depth).min(4),
                parent_name: c
                    .parent
                    .and_then(|p| columns.iter().find(|x| x.id == p))
                    .map(|p| p.name.clone()),
                kind: c.kind.label(),
                interval: interval_text(c.update_interval_days),
                position: index.map_or(0, |i| i + 1),
                archived: c.archived,
                first: index == Some(0),
                last: index.is_some_and(|i| i + 1 == siblings.len()),
            }
        })
        .collect();
    let kind = if f.kind.is_empty() { "news" } else { &f.kind };
    render(
        code,
        "columns_list.html",
        &frame,
        serde_json::json!({
            "site": site.name, "url_site": url_encode(&site.id), "rows": rows, "error": error,
            "form": { "slug": f.slug, "name": f.name, "interval": f.interval },
            "kinds": kind_choices(kind), "parents": parent_choices(&columns, None, &f.parent),
        }),
    )
}

/// An interval as typed: empty for none, else whole days.
fn parse_interval(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .map(Some)
        .ok_or_else(|| "更新周期须为 1 至 3650 天的整数（不填表示不要求）".to_string())
}

/// `POST /admin/sites/{site}/columns`: a new column.
pub(super) async fn create(
    State(node): State<AppState>,
    staff: Staff,
    Path(site): Path<String>,
    Form(f): Form<NewColumnForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let site = match managed_site(&node, &staff, &site).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let interval = match parse_interval(&f.interval) {
        Ok(i) => i,
        Err(msg) => {
            let msg = format!("未能新建栏目：{msg}");
            return list_page(&node, &site, StatusCode::BAD_REQUEST, &f, Some(msg), frame).await;
        }
    };
    // A new column goes last among its siblings.
    let position = match node.content.columns(&site.id).await {
        Ok(all) => {
            let parent = all.iter().find(|c| c.slug == f.parent).map(|c| c.id);
            all.iter()
                .filter(|c| c.parent == parent)
                .map(|c| c.position + 1)
                .max()
                .unwrap_or(0)
                .min(govnode_content::MAX_POSITION)
        }
        Err(_) => 0,
    };
    let input = ColumnInput {
        slug: f.slug.trim().to_string(),
        name: f.name.clone(),
        kind: f.kind.clone(),
        parent: Some(f.parent.clone()).filter(|p| !p.is_empty()),
        update_interval_days: interval,
        position,
    };
    match node
        .content
        .create_column(&staff.signed_in.user.login, &site.id, &input)
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/sites/{}/columns?done=created",
            url_encode(&site.id)
        )),
        Err(e) => {
            let msg = format!("未能新建栏目：{}", chinese(&e));
            list_page(&node, &site, status(&e), &f, Some(msg), frame).await
        }
    }
}

/// The column page's form fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ColumnForm {
    csrf: String,
    name: String,
    kind: String,
    parent: String,
    interval: String,
    /// The archive form's confirmation.
    confirm: String,
    /// The move form's direction: `up` or `down`.
    direction: String,
}

/// `GET /admin/sites/{site}/columns/{slug}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, slug)): Path<(String, String)>,
) -> Response {
    let site = match managed_site(&node, &staff, &site).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    column_page(&node, &site, &slug, StatusCode::OK, None, None, frame).await
}

async fn column_page(
    node: &AppState,
    site: &Site,
    slug: &str,
    code: StatusCode,
    typed: Option<&ColumnForm>,
    error: Option<String>,
    frame: Frame,
) -> Response {
    let back = format!("/admin/sites/{}/columns", url_encode(&site.id));
    let columns = match node.content.columns(&site.id).await {
        Ok(c) => c,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), &back),
    };
    let Some(column) = columns.iter().find(|c| c.slug == slug) else {
        return refused(StatusCode::NOT_FOUND, &frame, "没有找到该栏目", &back);
    };
    let parent_slug = column
        .parent
        .and_then(|p| columns.iter().find(|c| c.id == p))
        .map_or(String::new(), |p| p.slug.clone());
    let (name, kind, parent, interval) = match typed {
        Some(f) => (
            f.name.clone(),
            f.kind.clone(),
            f.parent.clone(),
            f.interval.clone(),
        ),
        None => (
            column.name.clone(),
            column.kind.as_str().to_string(),
            parent_slug,
            column
                .update_interval_days
                .map_or(String::new(), |d| d.to_string()),
        ),
    };
    render(
        code,
        "columns_edit.html",
        &frame,
        serde_json::json!({
            "site": site.name, "url_site": url_encode(&site.id), "slug": column.slug,
            "url_slug": url_encode(&column.slug), "column_name": column.name,
            "archived": column.archived, "kind_label": column.kind.label(),
            "interval_text": interval_text(column.update_interval_days),
            "form": { "name": name, "interval": interval },
            "kinds": kind_choices(&kind), "parents": parent_choices(&columns, Some(column), &parent),
            "error": error,
        }),
    )
}

/// `POST /admin/sites/{site}/columns/{slug}`: name, kind, interval and parent.
pub(super) async fn update(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, slug)): Path<(String, String)>,
    Form(f): Form<ColumnForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let site = match managed_site(&node, &staff, &site).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let interval = match parse_interval(&f.interval) {
        Ok(i) => i,
        Err(msg) => {
            let msg = format!("未能保存：{msg}");
            return column_page(
                &node,
                &site,
                &slug,
                StatusCode::BAD_REQUEST,
                Some(&f),
                Some(msg),
                frame,
            )
            .await;
        }
    };
    let update = ColumnUpdate {
        name: Some(f.name.clone()),
        kind: Some(f.kind.clone()),
        parent: Some(f.parent.clone()),
        update_interval_days: Some(interval.unwrap_or(0)),
        position: None,
    };
    match node
        .content
        .update_column(&staff.signed_in.user.login, &site.id, &slug, &update)
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/sites/{}/columns?done=saved",
            url_encode(&site.id)
        )),
        Err(e) => {
            let msg = format!("未能保存：{}", chinese(&e));
            column_page(&node, &site, &slug, status(&e), Some(&f), Some(msg), frame).await
        }
    }
}

/// `POST /admin/sites/{site}/columns/{slug}/move`: one place up or down among its siblings.
pub(super) async fn move_column(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, slug)): Path<(String, String)>,
    Form(f): Form<ColumnForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let site = match managed_site(&node, &staff, &site).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let back = format!("/admin/sites/{}/columns", url_encode(&site.id));
    let columns = match node.content.columns(&site.id).await {
        Ok(c) => c,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), &back),
    };
    let Some(column) = columns.iter().find(|c| c.slug == slug && !c.archived) else {
        return refused(StatusCode::NOT_FOUND, &frame, "没有找到该栏目", &back);
    };
    let mut level: Vec<&Column> = columns
        .iter()
        .filter(|c| c.parent == column.parent && !c.archived)
        .collect();
    level.sort_by_key(|c| (c.position, c.id));
    let Some(at) = level.iter().position(|c| c.id == column.id) else {
        return see_other(&back);
    };
    let to = match f.direction.as_str() {
        "up" if at > 0 => at - 1,
        "down" if at + 1 < level.len() => at + 1,
        _ => return see_other(&back),
    };
    level.swap(at, to);
    let order = ColumnOrder {
        parent: column
            .parent
            .and_then(|p| columns.iter().find(|c| c.id == p))
            .map(|p| p.slug.clone()),
        slugs: level.iter().map(|c| c.slug.clone()).collect(),
    };
    match node
        .content
        .reorder_columns(&staff.signed_in.user.login, &site.id, &order)
        .await
    {
        Ok(_) => see_other(&format!("{back}?done=moved")),
        Err(e) => refused(status(&e), &frame, &chinese(&e), &back),
    }
}

/// `POST /admin/sites/{site}/columns/{slug}/archive`: 撤销 an empty column, once confirmed.
pub(super) async fn archive(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, slug)): Path<(String, String)>,
    Form(f): Form<ColumnForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let site = match managed_site(&node, &staff, &site).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    if f.confirm != "yes" {
        let msg = "请勾选“我确认撤销该栏目”后再撤销".to_string();
        return column_page(
            &node,
            &site,
            &slug,
            StatusCode::BAD_REQUEST,
            None,
            Some(msg),
            frame,
        )
        .await;
    }
    match node
        .content
        .archive_column(&staff.signed_in.user.login, &site.id, &slug)
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/sites/{}/columns?done=archived",
            url_encode(&site.id)
        )),
        Err(e) => {
            let msg = format!("未能撤销：{}", chinese(&e));
            column_page(&node, &site, &slug, status(&e), None, Some(msg), frame).await
        }
    }
}

/// `POST /admin/sites/{site}/columns/{slug}/restore`.
pub(super) async fn restore(
    State(node): State<AppState>,
    staff: Staff,
    Path((site, slug)): Path<(String, String)>,
    Form(f): Form<ColumnForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let site = match managed_site(&node, &staff, &site).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    match node
        .content
        .restore_column(&staff.signed_in.user.login, &site.id, &slug)
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/sites/{}/columns?done=restored",
            url_encode(&site.id)
        )),
        Err(e) => {
            let msg = format!("未能恢复：{}", chinese(&e));
            column_page(&node, &site, &slug, status(&e), None, Some(msg), frame).await
        }
    }
}
