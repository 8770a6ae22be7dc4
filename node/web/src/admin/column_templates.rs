//! 栏目模板（"1+N" 标准栏目）, platform admins: `/admin/column-templates` lists the sets with
//! the sites using them; `/admin/column-templates/{set}` edits one (its columns as rows,
//! three empty rows to add more) and applies it to a site picked by name (the site gains
//! the set's columns it lacks); `/admin/column-templates/new` starts a set.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_content::{ColumnInput, ColumnKind, TemplateSet};
use serde::{Deserialize, Serialize};

use super::sites_errors::{chinese, status};
use super::staff::Staff;
use super::{Frame, refused, render, see_other, shown};
use crate::AppState;
use crate::common::text::url_encode;

/// Empty rows offered for new columns.
const SPARE_ROWS: usize = 3;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

fn notice(done: &str) -> Option<String> {
    Some(
        match done {
            "saved" => "已保存栏目模板",
            "applied" => "已将栏目模板应用到站点：站点已有同一地址的栏目保持不变",
            _ => return None,
        }
        .into(),
    )
}

fn not_platform(node: &AppState, staff: &Staff) -> Option<Response> {
    (!staff.signed_in.access.is_platform_admin()).then(|| {
        refused(
            StatusCode::FORBIDDEN,
            &staff.frame(&node.node),
            "只有平台管理员可以管理栏目模板",
            "/admin/",
        )
    })
}

/// Site id → name, for what the pages show.
async fn site_names(node: &AppState) -> Vec<(String, String)> {
    node.content
        .sites()
        .await
        .map(|s| s.into_iter().map(|s| (s.id, s.name)).collect())
        .unwrap_or_default()
}

#[derive(Serialize)]
struct SetRow {
    id: String,
    name: String,
    columns: usize,
    sites: String,
    updated: String,
}

/// `GET /admin/column-templates`.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    if let Some(r) = not_platform(&node, &staff) {
        return r;
    }
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    let sets = match node.content.template_sets().await {
        Ok(s) => s,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/sites"),
    };
    let names = site_names(&node).await;
    let rows: Vec<SetRow> = sets
        .iter()
        .map(|s| SetRow {
            id: url_encode(&s.id),
            name: s.name.clone(),
            columns: s.columns.len(),
            sites: sites_text(&s.sites, &names),
            updated: shown(s.updated_ms),
        })
        .collect();
    render(
        StatusCode::OK,
        "columns_templates.html",
        &frame,
        serde_json::json!({ "sets": rows }),
    )
}

fn sites_text(ids: &[String], names: &[(String, String)]) -> String {
    if ids.is_empty() {
        return "尚未应用到站点".into();
    }
    ids.iter()
        .map(|id| {
            names
                .iter()
                .find(|(s, _)| s == id)
                .map_or(id.as_str(), |(_, n)| n.as_str())
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Serialize)]
struct ColumnRow {
    n: usize,
    slug: String,
    name: String,
    interval: String,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The editor's rows: `columns` then spare ones; parents are the set's columns by name.
fn rows(columns: &[ColumnInput]) -> Vec<ColumnRow> {
    let parents = |selected: &str, own: &str| {
        let mut out = vec![Choice {
            value: String::new(),
            label: "顶层".into(),
            selected: selected.is_empty(),
        }];
        out.extend(
            columns
                .iter()
                .filter(|c| !c.slug.is_empty() && c.slug != own)
                .map(|c| Choice {
                    value: c.slug.clone(),
                    label: c.name.clone(),
                    selected: c.slug == selected,
                }),
        );
        out
    };
    let kinds = |selected: &str| {
        ColumnKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label().into(),
                selected: k.as_str() == selected,
            })
            .collect()
    };
    columns
        .iter()
        .map(|c| {
            (
                c.slug.as_str(),
                c.name.as_str(),
                c.kind.as_str(),
                c.parent.as_deref().unwrap_or(""),
                c.update_interval_days,
            )
        })
        .chain(std::iter::repeat_n(("", "", "news", "", None), SPARE_ROWS))
        .enumerate()
        .map(|(n, (slug, name, kind, parent, interval))| ColumnRow {
            n,
            slug: slug.into(),
            name: name.into(),
            interval: interval.map_or(String::new(), |d| d.to_string()),
            kinds: kinds(kind),
            parents: parents(parent, slug),
        })
        .collect()
}

/// `GET /admin/column-templates/new`.
pub(super) async fn new_form(State(node): State<AppState>, staff: Staff) -> Response {
    if let Some(r) = not_platform(&node, &staff) {
        return r;
    }
    let frame = staff.frame(&node.node);
    editor(&node, None, "", "", &[], StatusCode::OK, None, frame).await
}

/// `GET /admin/column-templates/{set}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(set): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    if let Some(r) = not_platform(&node, &staff) {
        return r;
    }
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    let set = match node.content.template_set(&set).await {
        Ok(s) => s,
        Err(e) => return refused(status(&e), &frame, &chinese(&e), "/admin/column-templates"),
    };
    let (id, name, columns) = (set.id.clone(), set.name.clone(), set.columns.clone());
    editor(
        &node,
        Some(&set),
        &id,
        &name,
        &columns,
        StatusCode::OK,
        None,
        frame,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn editor(
    node: &AppState,
    stored: Option<&TemplateSet>,
    id: &str,
    name: &str,
    columns: &[ColumnInput],
    code: StatusCode,
    error: Option<String>,
    frame: Frame,
) -> Response {
    let names = site_names(node).await;
    let sites: Vec<Choice> = names
        .iter()
        .map(|(id, name)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: false,
        })
        .collect();
    render(
        code,
        "columns_template_set.html",
        &frame,
        serde_json::json!({
            "exists": stored.is_some(), "id": id, "url_id": url_encode(id), "name": name,
            "rows": rows(columns), "error": error, "sites": sites,
            "used_by": stored.map(|s| sites_text(&s.sites, &names)),
        }),
    )
}

/// The editor's fields: `id`, `name`, and per row `slug_N`, `name_N`, `kind_N`,
/// `parent_N`, `interval_N`.
fn read_form(
    fields: &[(String, String)],
) -> (String, String, String, Result<Vec<ColumnInput>, String>) {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let mut columns = Vec::new();
    let mut bad = None;
    for n in 0..200 {
        let slug = get(&format!("slug_{n}"));
        let name = get(&format!("name_{n}"));
        if !fields.iter().any(|(f, _)| *f == format!("slug_{n}")) {
            break;
        }
        if slug.trim().is_empty() && name.trim().is_empty() {
            continue;
        }
        let interval = get(&format!("interval_{n}"));
        let interval = match interval.trim() {
            "" => None,
            d => match d.parse::<i64>() {
                Ok(d) => Some(d),
                Err(_) => {
                    bad = Some(format!("第 {} 行的更新周期须为整数天", n + 1));
                    None
                }
            },
        };
        let parent = get(&format!("parent_{n}"));
        columns.push(ColumnInput {
            slug: slug.trim().to_string(),
            name,
            kind: get(&format!("kind_{n}")),
            parent: Some(parent).filter(|p| !p.is_empty()),
            update_interval_days: interval,
            position: i64::try_from(columns.len()).unwrap_or(0),
        });
    }
    let result = match bad {
        Some(b) => Err(b),
        None => Ok(columns),
    };
    (get("csrf"), get("id"), get("name"), result)
}

/// `POST /admin/column-templates/new` and `POST /admin/column-templates/{set}`.
async fn save(
    node: AppState,
    staff: Staff,
    set: Option<String>,
    fields: Vec<(String, String)>,
) -> Response {
    let (csrf, typed_id, name, columns) = read_form(&fields);
    if let Some(r) = staff.csrf_refusal(&node.node, &csrf) {
        return r;
    }
    if let Some(r) = not_platform(&node, &staff) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let id = set.clone().unwrap_or_else(|| typed_id.trim().to_string());
    let stored = match &set {
        Some(s) => node.content.template_set(s).await.ok(),
        None => None,
    };
    let columns_typed = columns.clone().unwrap_or_default();
    let result = match columns {
        Err(msg) => Err(msg),
        Ok(columns) => {
            if set.is_none() && node.content.template_set(&id).await.is_ok() {
                Err(format!("栏目模板标识“{id}”已被使用"))
            } else {
                node.content
                    .put_template_set(&staff.signed_in.user.login, &id, &name, &columns)
                    .await
                    .map_err(|e| set_error(&e))
            }
        }
    };
    match result {
        Ok(()) => see_other(&format!(
            "/admin/column-templates/{}?done=saved",
            url_encode(&id)
        )),
        Err(msg) => {
            let msg = format!("未能保存：{msg}");
            editor(
                &node,
                stored.as_ref(),
                &id,
                &name,
                &columns_typed,
                StatusCode::BAD_REQUEST,
                Some(msg),
                frame,
            )
            .await
        }
    }
}

/// A set's refusal in Chinese: a column's error names its row.
fn set_error(e: &govnode_content::ContentError) -> String {
    if let govnode_content::ContentError::Invalid {
        field: "columns",
        message,
    } = e
    {
        if message.contains("at least one column") {
            return "栏目模板至少要有一个栏目".into();
        }
        if let Some(rest) = message.strip_prefix("column ")
            && let Some((n, detail)) = rest.split_once(": ")
            && let Some((field, msg)) = detail.split_once(": ")
        {
            let field: &'static str = match field {
                "slug" => "slug",
                "name" => "name",
                "kind" => "kind",
                "update_interval_days" => "update_interval_days",
                _ => "columns",
            };
            let inner = govnode_content::ContentError::Invalid {
                field,
                message: msg.to_string(),
            };
            return format!("第 {n} 行：{}", chinese(&inner));
        }
    }
    if let govnode_content::ContentError::Invalid { field: "kind", .. } = e {
        return "请选择栏目类型".into();
    }
    chinese(e)
}

/// `POST /admin/column-templates/new`.
pub(super) async fn create(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    save(node, staff, None, fields).await
}

/// `POST /admin/column-templates/{set}`.
pub(super) async fn update(
    State(node): State<AppState>,
    staff: Staff,
    Path(set): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    save(node, staff, Some(set), fields).await
}

/// The apply form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ApplyForm {
    csrf: String,
    site: String,
}

/// `POST /admin/column-templates/{set}/apply`.
pub(super) async fn apply(
    State(node): State<AppState>,
    staff: Staff,
    Path(set): Path<String>,
    Form(f): Form<ApplyForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_platform(&node, &staff) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let back = format!("/admin/column-templates/{}", url_encode(&set));
    match node
        .content
        .apply_template_set(&staff.signed_in.user.login, &set, &f.site)
        .await
    {
        Ok(_) => see_other(&format!("{back}?done=applied")),
        Err(e) => refused(
            status(&e),
            &frame,
            &format!("未能应用：{}", chinese(&e)),
            &back,
        ),
    }
}
