//! 导入 Word 文档: a .docx uploaded into a new draft of a column the person may write in.
//! The form (multipart, no script) names the place (站点 · 栏目, by name), an optional
//! title and the file; the draft is made by [`govnode_content::Content::import_docx`], so
//! every rule of a draft applies. Success answers 303 to the editor; when something could
//! not be carried over, to a page listing it (by the warnings' codes) with the way on.

use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use govnode_accounts::{Access, Action};
use govnode_content::ContentError;
use govnode_content::docx::{DocxImportError, MAX_UPLOAD_BYTES, warnings};
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::staff::Staff;
use super::{Frame, refused, render, see_other};
use crate::AppState;

/// The routes of 导入 Word 文档.
pub(super) fn routes() -> axum::Router<AppState> {
    // The form's other fields are small; the file is counted against the import's cap.
    let limit = usize::try_from(MAX_UPLOAD_BYTES).unwrap_or(usize::MAX) + 64 * 1024;
    axum::Router::new()
        .route(
            "/admin/articles/import",
            get(form).post(submit).layer(DefaultBodyLimit::max(limit)),
        )
        .route("/admin/articles/import/done", get(done))
}

/// A column one may write in, as the form offers it.
#[derive(Debug, Serialize)]
struct Place {
    value: String,
    column_name: String,
    selected: bool,
}

/// A site's writable columns.
#[derive(Debug, Serialize)]
struct SitePlaces {
    site_name: String,
    places: Vec<Place>,
}

/// The sites and columns where `access` may write (`site:column`).
async fn writable(node: &AppState, access: &Access, chosen: &str) -> Vec<SitePlaces> {
    let names = Names::load(node, &[]).await;
    let mut out = Vec::new();
    for (site, site_name) in &names.sites {
        if !access.may(Action::Edit, Some(site))
            && !access
                .grants
                .iter()
                .any(|g| g.scope.site() == Some(site.as_str()))
        {
            continue;
        }
        let Ok(columns) = node.content.columns(site).await else {
            continue;
        };
        let places: Vec<Place> = columns
            .into_iter()
            .filter(|c| !c.archived && access.may_in_column(Action::Edit, site, &c.slug))
            .map(|c| {
                let value = format!("{site}:{}", c.slug);
                Place {
                    selected: value == chosen,
                    value,
                    column_name: c.name,
                }
            })
            .collect();
        if !places.is_empty() {
            out.push(SitePlaces {
                site_name: site_name.clone(),
                places,
            });
        }
    }
    out
}

/// What the form shows again after a refusal.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct FormQuery {
    place: String,
}

async fn page(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    place: &str,
    title: &str,
    error: Option<String>,
) -> Response {
    let frame = staff.frame(&node.node);
    let sites = writable(node, &staff.signed_in.access, place).await;
    if sites.is_empty() {
        return no_place(&frame);
    }
    render(
        status,
        "import.html",
        &frame,
        serde_json::json!({
            "sites": sites,
            "title": title,
            "error": error,
            "max_mb": MAX_UPLOAD_BYTES / (1024 * 1024),
        }),
    )
}

fn no_place(frame: &Frame) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        frame,
        "您没有可以撰写信息的站点或栏目（需要信息编辑或站点管理员的授权）",
        "/admin/",
    )
}

/// `GET /admin/articles/import`.
pub(super) async fn form(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<FormQuery>,
) -> Response {
    page(&node, &staff, StatusCode::OK, &q.place, "", None).await
}

/// The form as posted.
#[derive(Default)]
struct Posted {
    csrf: String,
    place: String,
    title: String,
    file: Vec<u8>,
}

/// Why the posted form could not be read.
enum Unreadable {
    TooLarge,
    Broken,
}

async fn read_form(multipart: &mut Multipart) -> Result<Posted, Unreadable> {
    let mut posted = Posted::default();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| Unreadable::Broken)?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            while let Some(chunk) = field.chunk().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Unreadable::TooLarge
                } else {
                    Unreadable::Broken
                }
            })? {
                posted.file.extend_from_slice(&chunk);
                if posted.file.len() as u64 > MAX_UPLOAD_BYTES {
                    return Err(Unreadable::TooLarge);
                }
            }
        } else {
            let text = field.text().await.map_err(|_| Unreadable::Broken)?;
            match name.as_str() {
                "csrf" => posted.csrf = text,
                "place" => posted.place = text,
                "title" => posted.title = text,
                _ => {}
            }
        }
    }
    Ok(posted)
}

/// A refusal of the draft's rules in Chinese.
fn chinese(e: &ContentError) -> String {
    match e {
        ContentError::Invalid { field, message }
            if *field == "title" && message.contains("at most") =>
        {
            "“标题”太长（最多 200 字），请删减后再导入".into()
        }
        ContentError::Invalid { field, .. } if *field == "title" => {
            "文档中没有找到标题（文档属性中的标题或第一个标题段落），请在“标题”中填写".into()
        }
        ContentError::Invalid { field, .. } if *field == "body" => {
            "文档正文过长（超过 100 万字），请拆分后分别导入".into()
        }
        ContentError::Invalid { field, .. } if *field == "column" => {
            "所选栏目不存在或已归档，请重新选择".into()
        }
        ContentError::Invalid { .. } => "文档内容不符合信息的要求，无法导入".into(),
        ContentError::NotFound(_) => "所选站点不存在，请重新选择".into(),
        ContentError::Library(_) => "文档中的图片无法保存，请检查图片后重试".into(),
        _ => "系统暂时无法处理，请稍后再试".into(),
    }
}

/// `POST /admin/articles/import`: fields `csrf`, `place` (`site:column`), `title`, `file`.
pub(super) async fn submit(
    State(node): State<AppState>,
    staff: Staff,
    mut multipart: Multipart,
) -> Response {
    let posted = read_form(&mut multipart).await;
    let csrf = posted.as_ref().map(|p| p.csrf.as_str()).unwrap_or("");
    if let Some(r) = staff.csrf_refusal(&node.node, csrf) {
        return r;
    }
    let posted = match posted {
        Ok(p) => p,
        Err(Unreadable::TooLarge) => {
            let error = format!("文档过大（上限 {} MB）", MAX_UPLOAD_BYTES / (1024 * 1024));
            return page(
                &node,
                &staff,
                StatusCode::PAYLOAD_TOO_LARGE,
                "",
                "",
                Some(error),
            )
            .await;
        }
        Err(Unreadable::Broken) => {
            let error = "上传的表单不完整，请重新选择文件上传".to_string();
            return page(&node, &staff, StatusCode::BAD_REQUEST, "", "", Some(error)).await;
        }
    };
    let again = |status, error: String| {
        let (node, staff, place, title) = (&node, &staff, &posted.place, &posted.title);
        async move { page(node, staff, status, place, title, Some(error)).await }
    };
    let Some((site, column)) = posted.place.split_once(':') else {
        return again(StatusCode::BAD_REQUEST, "请选择站点和栏目".into()).await;
    };
    if !staff
        .signed_in
        .access
        .may_in_column(Action::Edit, site, column)
    {
        let error = "您不能在所选的栏目中撰写信息，请重新选择".to_string();
        return again(StatusCode::FORBIDDEN, error).await;
    }
    if posted.file.is_empty() {
        return again(
            StatusCode::BAD_REQUEST,
            "请选择要导入的 Word 文档（.docx）".into(),
        )
        .await;
    }
    let title = Some(posted.title.trim()).filter(|t| !t.is_empty());
    let imported = node
        .content
        .import_docx(
            staff.signed_in.access.person(),
            site,
            column,
            &posted.file,
            title,
        )
        .await;
    match imported {
        Ok(i) if i.warnings.is_empty() => {
            see_other(&format!("/admin/articles/{}?done=created", i.article.id))
        }
        Ok(i) => {
            let codes: Vec<&str> = i
                .warnings
                .iter()
                .filter_map(|w| warnings::code_of(w))
                .collect();
            see_other(&format!(
                "/admin/articles/import/done?id={}&w={}",
                i.article.id,
                codes.join(",")
            ))
        }
        Err(DocxImportError::Docx(e)) => {
            let status = if e.is_too_large() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            again(status, e.chinese()).await
        }
        Err(DocxImportError::Content(e)) => {
            if !matches!(e, ContentError::Invalid { .. } | ContentError::NotFound(_)) {
                tracing::error!(error = %e, "console: importing a Word document");
            }
            again(StatusCode::BAD_REQUEST, chinese(&e)).await
        }
    }
}

/// `?id=&w=` of the page after an import with warnings.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DoneQuery {
    id: i64,
    w: String,
}

/// `GET /admin/articles/import/done`: what did not come over, and the way to the draft.
pub(super) async fn done(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<DoneQuery>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = Some("已将 Word 文档导入为草稿，请注意以下未能导入的内容".into());
    let items: Vec<&str> = q.w.split(',').filter_map(warnings::text_of).collect();
    render(
        StatusCode::OK,
        "import_done.html",
        &frame,
        serde_json::json!({ "id": q.id, "warnings": items }),
    )
}
