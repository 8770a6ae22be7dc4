//! A new article: the site and column chosen by name where the person may edit, then
//! the editor creating a draft.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Access;
use govnode_content::Column;
use serde::Deserialize;

use super::articles::*;
use super::names::Names;
use super::staff::Staff;
use super::{refused, render, see_other};
use crate::AppState;

/// `?site=&column=` of the new-article page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewQuery {
    site: String,
    column: String,
    /// A title to start with (a question the Q&A assistant could not answer).
    title: String,
}

/// The sites where `access` may write in some column, with those columns.
pub(super) async fn writable(
    node: &AppState,
    access: &Access,
) -> Vec<(String, String, Vec<Column>)> {
    let names = Names::load(node, &[]).await;
    let mut out = Vec::new();
    for (id, name) in &names.sites {
        let Ok(columns) = node.content.columns(id).await else {
            continue;
        };
        let columns: Vec<Column> = columns
            .into_iter()
            .filter(|c| !c.archived && may_edit(access, id, &c.slug))
            .collect();
        if !columns.is_empty() {
            out.push((id.clone(), name.clone(), columns));
        }
    }
    out
}

/// `GET /admin/articles/new?site=&column=`: the choice of site and column, then the
/// editor.
pub(super) async fn new_form(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<NewQuery>,
) -> Response {
    let access = &staff.signed_in.access;
    let frame = staff.frame(&node.node);
    let places = writable(&node, access).await;
    if places.is_empty() {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "您没有可以撰写信息的站点或栏目（需要信息编辑或站点管理员的授权）",
            "/admin/articles",
        );
    }
    let chosen_site = places
        .iter()
        .find(|(id, _, _)| *id == q.site.trim())
        .or_else(|| (places.len() == 1 && q.site.trim().is_empty()).then(|| &places[0]));
    if let Some((site, site_name, columns)) = chosen_site
        && let Some(column) = columns.iter().find(|c| c.slug == q.column.trim())
    {
        let doc = Editable {
            doc_type: column.kind.as_str().to_string(),
            theme: "01".into(),
            title: q.title.trim().chars().take(200).collect(),
            ..Editable::default()
        };
        let page = EditorPage {
            id: None,
            site,
            site_name,
            column: &column.slug,
            column_name: &column.name,
            state: None,
            read_only: None,
            reason: "",
            revision: 0,
            revisions: Vec::new(),
            fields: &doc,
            attachments: Vec::new(),
            images: Vec::new(),
            error: None,
            live_url: None,
        };
        return editor(&node, &frame, StatusCode::OK, &page).await;
    }
    let sites: Vec<Choice> = places
        .iter()
        .map(|(id, name, _)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: chosen_site.is_some_and(|(s, _, _)| s == id),
        })
        .collect();
    let columns: Vec<Choice> = chosen_site
        .map(|(_, _, cols)| {
            cols.iter()
                .map(|c| Choice {
                    value: c.slug.clone(),
                    label: c.name.clone(),
                    selected: false,
                })
                .collect()
        })
        .unwrap_or_default();
    render(
        StatusCode::OK,
        "articles_new.html",
        &frame,
        serde_json::json!({
            "sites": sites, "columns": columns,
            "site_name": chosen_site.map(|(_, n, _)| n.clone()),
            "site": chosen_site.map(|(s, _, _)| s.clone()),
        }),
    )
}

/// `POST /admin/articles/new`: the draft (and, with 提交审核, its submission).
pub(super) async fn create(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<EditorForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let access = &staff.signed_in.access;
    let frame = staff.frame(&node.node);
    let site = f.site.trim();
    let columns = node.content.columns(site).await.unwrap_or_default();
    let Some(column) = columns
        .iter()
        .find(|c| c.slug == f.column.trim() && !c.archived)
        .filter(|c| may_edit(access, site, &c.slug))
    else {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "您不能在这个站点或栏目撰写信息",
            "/admin/articles/new",
        );
    };
    let names = Names::load(&node, &[]).await;
    let fields = f.fields.over(&Editable {
        doc_type: column.kind.as_str().to_string(),
        theme: "01".into(),
        ..Editable::default()
    });
    match node
        .content
        .create_article(access.person(), site, &fields.input(&column.slug))
        .await
    {
        Ok(a) => {
            if f.action == "submit" {
                return submit(&node, &staff, a.id).await;
            }
            see_other(&format!("/admin/articles/{}?done=created", a.id))
        }
        Err(e) => {
            let page = EditorPage {
                id: None,
                site,
                site_name: names.site(site),
                column: &column.slug,
                column_name: &column.name,
                state: None,
                read_only: None,
                reason: "",
                revision: 0,
                revisions: Vec::new(),
                fields: &fields,
                attachments: Vec::new(),
                images: Vec::new(),
                error: Some(format!("未能保存：{}", chinese_error(&e))),
                live_url: None,
            };
            editor(&node, &frame, StatusCode::BAD_REQUEST, &page).await
        }
    }
}
