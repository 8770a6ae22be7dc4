//! 预览: an article as the public page will show it (the site's renderer and templates,
//! through the same [`crate::site::pages::article_page`]) with a 预览 banner:
//! `GET /admin/articles/{id}/preview?revision=N` for any revision of an article this person
//! may see, and `POST /admin/articles/preview` for the editor's unsaved form (nothing is
//! saved). Never cached (`no-store`), never indexed (`X-Robots-Tag: noindex`); previews are
//! under `/admin/`, so never in a sitemap or the search index.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use govnode_content::sanitize::{BodyFormat, body_to_html, excerpt, html_to_text};
use govnode_content::{Article, ArticleDoc, Published};
use serde::Deserialize;

use super::articles::{Editable, EditorForm, failed, may_see, not_visible, visible_article};
use super::staff::Staff;
use super::{now_ms, refused, shown};
use crate::AppState;
use crate::common::error::PageError;
use crate::site::PageRequest;

/// `?revision=N`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RevisionQuery {
    revision: String,
}

/// The banner put at the top of every preview.
fn banner(what: &str) -> String {
    format!(
        "<div role=\"region\" aria-label=\"预览提示\" style=\"background:#fff4ce;color:#3b2a00;border-bottom:3px solid #b58100;padding:.75em 1em;font-size:1rem\">\
         <p style=\"margin:0\"><strong>预览</strong>：{} 这是尚未公开的页面，仅工作人员可见，不会被搜索引擎收录。</p></div>",
        govnode_topology::markup::escape(what)
    )
}

/// The page of `p`, rendered for site `a.site` with the banner, never cached or indexed.
async fn preview_page(
    node: &AppState,
    staff: &Staff,
    site: &str,
    p: &Published,
    what: &str,
) -> Response {
    let frame = staff.frame(&node.node);
    let site = match node.content.site(site).await {
        Ok(s) => s,
        Err(e) => return failed(&frame, &e),
    };
    let req = PageRequest {
        node: node.clone(),
        base: format!("/sites/{}", site.id),
        origin: node.node.base_url.clone(),
        query: HashMap::new(),
        elder: false,
        path: format!("/sites/{}/articles/{}", site.id, p.id),
        site,
    };
    let page = match crate::site::pages::article_page(&req, p).await {
        Ok(r) => r,
        Err(PageError::NotFound(_) | PageError::Gone(_)) => return not_visible(&frame),
        Err(PageError::Internal(m)) => {
            tracing::error!(error = %m, "console: preview failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "预览失败：站点模板无法显示这篇信息，请联系平台管理员",
                "/admin/articles",
            );
        }
    };
    let status = page.status();
    let body = match axum::body::to_bytes(page.into_body(), 16 << 20).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let banner = banner(what);
    let html = match body
        .find("<body")
        .and_then(|at| body[at..].find('>').map(|e| at + e + 1))
    {
        Some(at) => format!("{}{banner}{}", &body[..at], &body[at..]),
        None => format!("{banner}{body}"),
    };
    let mut resp = (status, Html(html)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    resp
}

/// A document as the public page reads it.
fn published(
    a: &Article,
    column_id: i64,
    revision: i64,
    updated_ms: i64,
    doc: ArticleDoc,
) -> Published {
    Published {
        id: a.id,
        site: a.site.clone(),
        column_id,
        revision,
        index_number: a.index_number.clone().unwrap_or_default(),
        published_ms: updated_ms,
        updated_ms,
        withdrawn: None,
        parent_id: a.parent_id,
        doc,
        change_seq: 0,
    }
}

/// `GET /admin/articles/{id}/preview?revision=N` (default: the working revision).
pub(super) async fn revision(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<RevisionQuery>,
) -> Response {
    let a = match visible_article(&node, &staff, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let frame = staff.frame(&node.node);
    let n = q.revision.trim().parse::<i64>().unwrap_or(a.revision);
    let revisions = match node.content.revisions(id).await {
        Ok(r) => r,
        Err(e) => return failed(&frame, &e),
    };
    let Some(r) = revisions.into_iter().find(|r| r.revision == n) else {
        return refused(
            StatusCode::NOT_FOUND,
            &frame,
            &format!("这篇信息没有第 {n} 版修订"),
            &format!("/admin/articles/{id}"),
        );
    };
    let what = format!(
        "第 {} 版修订（{} 保存于 {}，当前状态：{}）。",
        r.revision,
        r.created_by,
        shown(r.created_ms),
        a.state.label()
    );
    let p = published(&a, a.column_id, r.revision, r.created_ms, r.doc);
    preview_page(&node, &staff, &a.site, &p, &what).await
}

/// The unsaved form's preview: `id` is the article's (0 for a new one).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct UnsavedForm {
    id: String,
    #[serde(flatten)]
    form: EditorForm,
}

/// `POST /admin/articles/preview`: the editor's form rendered without saving.
pub(super) async fn unsaved(
    State(node): State<AppState>,
    staff: Staff,
    Form(u): Form<UnsavedForm>,
) -> Response {
    let f = &u.form;
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let access = &staff.signed_in.access;
    // An existing article: its own site, column and attachments; else the chosen ones.
    let id = u.id.trim().parse::<i64>().unwrap_or(0);
    let existing = if id > 0 {
        match visible_article(&node, &staff, id).await {
            Ok(a) => Some(a),
            Err(r) => return r,
        }
    } else {
        None
    };
    let (site, column) = match &existing {
        Some(a) => (a.site.clone(), a.column.clone()),
        None => (f.site.trim().to_string(), f.column.trim().to_string()),
    };
    if !may_see(access, &site, &column) {
        return not_visible(&frame);
    }
    let columns = node.content.columns(&site).await.unwrap_or_default();
    let Some(col) = columns.iter().find(|c| c.slug == column) else {
        return not_visible(&frame);
    };
    let base = match &existing {
        Some(a) => Editable::of(&a.doc),
        None => Editable::default(),
    };
    let e = &f.fields.over(&base);
    let body = e.body.replace("\r\n", "\n");
    let body_html = body_to_html(&body, BodyFormat::Markdown);
    let summary = if e.summary.trim().is_empty() {
        excerpt(&html_to_text(&body_html), 120)
    } else {
        e.summary.trim().to_string()
    };
    let doc = ArticleDoc {
        title: e.title.trim().to_string(),
        subtitle: e.subtitle.trim().to_string(),
        body,
        body_format: BodyFormat::Markdown,
        body_html,
        summary,
        author: e.author.trim().to_string(),
        issuing_body: e.issuing_body.trim().to_string(),
        doc_number: e.doc_number.trim().to_string(),
        theme: if govnode_library::theme(&e.theme).is_some() {
            e.theme.clone()
        } else {
            "01".into()
        },
        doc_type: if govnode_library::doc_type(&e.doc_type).is_some() {
            e.doc_type.clone()
        } else {
            col.kind.as_str().to_string()
        },
        date: e.date.clone(),
        valid_from: e.valid_from.clone(),
        valid_to: e.valid_to.clone(),
        attachments: existing
            .as_ref()
            .map(|a| a.doc.attachments.clone())
            .unwrap_or_default(),
        tags: e.tag_list(),
    };
    let now = now_ms();
    let p = match &existing {
        Some(a) => published(a, a.column_id, a.revision, now, doc),
        None => Published {
            id: 0,
            site: site.clone(),
            column_id: col.id,
            revision: 0,
            index_number: String::new(),
            published_ms: now,
            updated_ms: now,
            withdrawn: None,
            parent_id: None,
            doc,
            change_seq: 0,
        },
    };
    preview_page(
        &node,
        &staff,
        &site,
        &p,
        "尚未保存的修改（关闭此页不会保存）。",
    )
    .await
}
