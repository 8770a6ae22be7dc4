//! The editor of an existing article: its page, 保存草稿 (only the fields that
//! changed), 提交审核, and its revision history.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_content::{Article, State as ArticleState, Transition};
use serde::{Deserialize, Serialize};

use super::articles::*;
use super::names::Names;
use super::staff::Staff;
use super::{Frame, refused, render, see_other, shown};
use crate::AppState;

#[derive(Serialize)]
pub(super) struct RevisionRow {
    n: i64,
    by: String,
    at: String,
    title: String,
    current: bool,
}

#[derive(Serialize)]
pub(super) struct FileRow {
    pub name: String,
    pub size: String,
    pub url: String,
    pub hash: String,
    pub markdown: String,
}

/// Everything the editor page shows.
pub(super) struct EditorPage<'a> {
    pub id: Option<i64>,
    pub site: &'a str,
    pub site_name: &'a str,
    pub column: &'a str,
    pub column_name: &'a str,
    pub state: Option<ArticleState>,
    pub read_only: Option<&'static str>,
    pub reason: &'a str,
    pub revision: i64,
    pub revisions: Vec<RevisionRow>,
    pub fields: &'a Editable,
    pub attachments: Vec<FileRow>,
    pub images: Vec<FileRow>,
    pub error: Option<String>,
    pub live_url: Option<String>,
}

/// A size as staff read it.
pub(super) fn size_label(bytes: i64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} 字节")
    }
}

/// The images a Markdown body shows from the blob store: (alt text, hash).
pub(super) fn body_images(body: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("![") {
        rest = &rest[start + 2..];
        let Some(close) = rest.find("](/blobs/") else {
            break;
        };
        let alt = &rest[..close];
        let after = &rest[close + 9..];
        let hash: String = after.chars().take(64).collect();
        if !alt.contains('\n')
            && hash.len() == 64
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && !out.iter().any(|(_, h)| *h == hash)
        {
            out.push((alt.to_string(), hash));
        }
    }
    out
}

/// Renders the editor.
pub(super) async fn editor(
    node: &AppState,
    frame: &Frame,
    status: StatusCode,
    p: &EditorPage<'_>,
) -> Response {
    let themes: Vec<Choice> = govnode_library::THEMES
        .iter()
        .map(|t| Choice {
            value: t.code.into(),
            label: t.label.into(),
            selected: t.code == p.fields.theme,
        })
        .collect();
    let doc_types: Vec<Choice> = govnode_library::DOC_TYPES
        .iter()
        .map(|t| Choice {
            value: t.code.into(),
            label: t.label.into(),
            selected: t.code == p.fields.doc_type,
        })
        .collect();
    let theme_name = govnode_library::theme_label(&p.fields.theme);
    let doc_type_name = govnode_library::doc_type_label(&p.fields.doc_type);
    let bodies = body_names(node).await;
    render(
        status,
        "articles_edit.html",
        frame,
        serde_json::json!({
            "id": p.id, "site": p.site, "site_name": p.site_name, "column": p.column,
            "column_name": p.column_name,
            "state": p.state.map(ArticleState::label),
            "read_only": p.read_only, "reason": p.reason, "revision": p.revision,
            "revisions": p.revisions, "f": p.fields, "themes": themes, "doc_types": doc_types,
            "theme_name": theme_name, "doc_type_name": doc_type_name,
            "attachments": p.attachments, "images": p.images, "error": p.error,
            "live_url": p.live_url, "bodies": bodies,
            "action": p.id.map_or_else(|| "/admin/articles/new".to_string(), |id| format!("/admin/articles/{id}")),
        }),
    )
}

/// The body datalist of the 发文机关 field: the bodies the node knows, by name.
pub(super) async fn body_names(node: &AppState) -> Vec<String> {
    let names = Names::load(node, &[]).await;
    let mut out: Vec<String> = names.bodies.into_iter().map(|(_, n)| n).collect();
    out.extend(
        node.content
            .sites()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.owner_body)
            .filter(|b| !b.is_empty()),
    );
    out.sort();
    out.dedup();
    out
}

/// Submits article `id` and answers with its page.
pub(super) async fn submit(node: &AppState, staff: &Staff, id: i64) -> Response {
    match node
        .content
        .transition(
            staff.signed_in.access.person(),
            id,
            Transition::Submit,
            None,
            None,
        )
        .await
    {
        Ok(_) => see_other(&format!("/admin/articles/{id}?done=submitted")),
        Err(e) => refused(
            StatusCode::CONFLICT,
            &staff.frame(&node.node),
            &format!("已保存，但未能提交审核：{}", chinese_error(&e)),
            &format!("/admin/articles/{id}"),
        ),
    }
}

/// `?done=` of the editor.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

pub(super) fn notice(done: &str) -> Option<String> {
    Some(
        match done {
            "created" => "已保存草稿",
            "saved" => "已保存草稿",
            "unchanged" => "没有修改，无需保存",
            "submitted" => "已提交审核",
            "uploaded" => "已上传附件",
            "image" => "已上传图片，并已插入正文末尾",
            "removed" => "已移除附件",
            _ => return None,
        }
        .to_string(),
    )
}

/// The editor page of article `a`.
pub(super) async fn article_editor(
    node: &AppState,
    staff: &Staff,
    a: &Article,
    fields: &Editable,
    status: StatusCode,
    error: Option<String>,
    notice_text: Option<String>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice_text;
    let names = Names::load(node, &[]).await;
    let column_name = node
        .content
        .columns(&a.site)
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.id == a.column_id)
        .map_or_else(|| a.column.clone(), |c| c.name);
    let revisions = node.content.revisions(a.id).await.unwrap_or_default();
    let rows: Vec<RevisionRow> = revisions
        .iter()
        .rev()
        .map(|r| RevisionRow {
            n: r.revision,
            by: r.created_by.clone(),
            at: shown(r.created_ms),
            title: r.doc.title.clone(),
            current: r.revision == a.revision,
        })
        .collect();
    let attachments: Vec<FileRow> = a
        .doc
        .attachments
        .iter()
        .map(|x| FileRow {
            name: x.name.clone(),
            size: size_label(x.size),
            url: format!("/blobs/{}", x.hash),
            hash: x.hash.clone(),
            markdown: String::new(),
        })
        .collect();
    let mut images = Vec::new();
    for (alt, hash) in body_images(&a.doc.body) {
        let size = match node.blobs.info(&hash).await {
            Ok(Some(info)) => size_label(info.size),
            _ => "—".into(),
        };
        images.push(FileRow {
            markdown: format!("![{alt}](/blobs/{hash})"),
            name: if alt.is_empty() {
                "（无说明）".into()
            } else {
                alt
            },
            size,
            url: format!("/blobs/{hash}"),
            hash,
        });
    }
    let may_write = may_edit(&staff.signed_in.access, &a.site, &a.column);
    let read_only = read_only_reason(a.state)
        .or_else(|| (!may_write).then_some("您对这个栏目只有查看权限，不能修改这篇信息。"));
    let page = EditorPage {
        id: Some(a.id),
        site: &a.site,
        site_name: names.site(&a.site),
        column: &a.column,
        column_name: &column_name,
        state: Some(a.state),
        read_only,
        reason: &a.reason,
        revision: a.revision,
        revisions: rows,
        fields,
        attachments,
        images,
        error,
        live_url: a.url.clone(),
    };
    editor(node, &frame, status, &page).await
}

/// `GET /admin/articles/{id}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Response {
    let a = match visible_article(&node, &staff, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let fields = Editable::of(&a.doc);
    article_editor(
        &node,
        &staff,
        &a,
        &fields,
        StatusCode::OK,
        None,
        notice(&done.done),
    )
    .await
}

/// `POST /admin/articles/{id}`: 保存草稿 (only the changed fields) or 提交审核.
pub(super) async fn save(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<EditorForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let a = match visible_article(&node, &staff, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let access = &staff.signed_in.access;
    if !may_edit(access, &a.site, &a.column) {
        return refused(
            StatusCode::FORBIDDEN,
            &staff.frame(&node.node),
            "您对这个栏目只有查看权限，不能修改这篇信息",
            &format!("/admin/articles/{id}"),
        );
    }
    let fields = f.fields.over(&Editable::of(&a.doc));
    let patch = fields.patch(&a.doc);
    let changed = !is_empty(&patch);
    if changed {
        if let Some(why) = read_only_reason(a.state) {
            return article_editor(
                &node,
                &staff,
                &a,
                &fields,
                StatusCode::CONFLICT,
                Some(format!("未能保存：{why}")),
                None,
            )
            .await;
        }
        if let Err(e) = node
            .content
            .patch_article(access.person(), id, &patch)
            .await
        {
            return article_editor(
                &node,
                &staff,
                &a,
                &fields,
                StatusCode::BAD_REQUEST,
                Some(format!("未能保存：{}", chinese_error(&e))),
                None,
            )
            .await;
        }
    }
    if f.action == "submit" {
        return submit(&node, &staff, id).await;
    }
    see_other(&format!(
        "/admin/articles/{id}?done={}",
        if changed { "saved" } else { "unchanged" }
    ))
}
