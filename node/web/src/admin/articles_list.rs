//! 信息管理's list: the articles a person may see, by site, column, state and words of
//! the title, a page at a time.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Role;
use govnode_content::{ArticleSearch, Column, SiteScope, State as ArticleState};
use serde::{Deserialize, Serialize};

use super::articles::*;
use super::names::Names;
use super::staff::Staff;
use super::{render, shown};
use crate::AppState;
use crate::common::paging::pagination;
use crate::common::text::url_encode;

#[derive(Serialize)]
pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

/// The list's query: every field optional and read leniently.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ListQuery {
    site: String,
    column: String,
    state: String,
    q: String,
    page: String,
}

#[derive(Serialize)]
pub(super) struct Row {
    id: i64,
    title: String,
    site: String,
    column: String,
    state: &'static str,
    updated: String,
    author: String,
}

/// The states in the glossary's order.
pub(super) const STATES: [ArticleState; 7] = [
    ArticleState::Draft,
    ArticleState::Submitted,
    ArticleState::Approved,
    ArticleState::Rejected,
    ArticleState::Scheduled,
    ArticleState::Published,
    ArticleState::Withdrawn,
];

/// The sites (id, name) `scopes` lets a person see, in the node's order.
pub(super) fn visible_sites(
    names: &Names,
    scopes: Option<&Vec<SiteScope>>,
) -> Vec<(String, String)> {
    names
        .sites
        .iter()
        .filter(|(id, _)| scopes.is_none_or(|s| s.iter().any(|x| &x.site == id)))
        .cloned()
        .collect()
}

/// `GET /admin/articles`.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    let access = &staff.signed_in.access;
    let frame = staff.frame(&node.node);
    let scopes = visible_scopes(access);
    let names = Names::load(&node, &[]).await;
    let sites = visible_sites(&names, scopes.as_ref());
    let site = Some(q.site.trim().to_string()).filter(|s| sites.iter().any(|(id, _)| id == s));
    let columns: Vec<Column> = match &site {
        Some(s) => node
            .content
            .columns(s)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| may_see(access, s, &c.slug))
            .collect(),
        None => Vec::new(),
    };
    let column = Some(q.column.trim().to_string()).filter(|c| columns.iter().any(|x| &x.slug == c));
    let state = ArticleState::parse(q.state.trim());
    let page = q.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 100_000);
    let words: Vec<String> = q.q.split_whitespace().map(str::to_string).take(8).collect();
    let search = ArticleSearch {
        scopes,
        site: site.clone(),
        column: column.clone(),
        state,
        words,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let found = match node.content.search_articles(&search).await {
        Ok(f) => f,
        Err(e) => return failed(&frame, &e),
    };
    let rows: Vec<Row> = found
        .rows
        .iter()
        .map(|r| Row {
            id: r.id,
            title: r.title.clone(),
            site: names.site(&r.site).to_string(),
            column: r.column_name.clone(),
            state: r.state.label(),
            updated: shown(r.updated_ms),
            author: if r.author.is_empty() {
                r.created_by.clone()
            } else {
                format!("{}（{}）", r.author, r.created_by)
            },
        })
        .collect();
    let site_s = site.clone().unwrap_or_default();
    let column_s = column.clone().unwrap_or_default();
    let state_s = state.map_or("", ArticleState::as_str);
    let text = q.q.trim().to_string();
    let url = |n: i64| {
        format!(
            "/admin/articles?site={}&column={}&state={}&q={}&page={n}",
            url_encode(&site_s),
            url_encode(&column_s),
            state_s,
            url_encode(&text)
        )
    };
    let pages =
        serde_json::to_value(pagination(page, found.total, PER_PAGE, url)).unwrap_or_default();
    let site_choices: Vec<Choice> = sites
        .iter()
        .map(|(id, name)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: site.as_deref() == Some(id.as_str()),
        })
        .collect();
    let column_choices: Vec<Choice> = columns
        .iter()
        .map(|c| Choice {
            value: c.slug.clone(),
            label: c.name.clone(),
            selected: column.as_deref() == Some(c.slug.as_str()),
        })
        .collect();
    let state_choices: Vec<Choice> = STATES
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.label().into(),
            selected: Some(*s) == state,
        })
        .collect();
    let may_write =
        access.holds(Role::Editor) || access.holds(Role::SiteAdmin) || access.is_platform_admin();
    render(
        StatusCode::OK,
        "articles_list.html",
        &frame,
        serde_json::json!({
            "rows": rows, "total": found.total, "q": text, "sites": site_choices,
            "columns": column_choices, "states": state_choices, "pagination": pages,
            "may_write": may_write,
        }),
    )
}
