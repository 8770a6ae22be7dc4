//! 图片 and 附件 of an article, uploaded from the editor (a multipart form into the blob
//! store, as `POST /api/admin/blobs` stores an upload; the size limit is the library's).
//! An attachment is saved with the article at once (a new revision changing only its
//! attachments); an image is inserted into the body as Markdown: by our script at the
//! cursor (the answer is JSON when the script asks for it), else at the end of the body.

use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use govnode_content::{ArticlePatch, Attachment};
use serde::Deserialize;
use serde_json::json;

use super::articles::{chinese_error, may_edit, read_only_reason, size_label, visible_article};
use super::staff::{Staff, csrf_refusal};
use super::{refused, see_other};
use crate::AppState;

/// Image types a page shows inline.
const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Whether the script asked (it wants JSON, not a page).
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// A refusal: JSON for the script, a page otherwise.
fn refusal(
    json: bool,
    staff: &Staff,
    node: &AppState,
    status: StatusCode,
    text: &str,
    id: i64,
) -> Response {
    if json {
        return (status, axum::Json(json!({ "error": text }))).into_response();
    }
    refused(
        status,
        &staff.frame(&node.node),
        text,
        &format!("/admin/articles/{id}"),
    )
}

/// `POST /admin/articles/{id}/uploads`: fields `csrf`, `kind` (`image` or `attachment`),
/// optional `name`, and `file`.
pub(super) async fn upload(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let json = wants_json(&headers);
    let max = node.blobs.max_bytes();
    let (mut csrf, mut kind, mut name) = (String::new(), String::new(), String::new());
    let mut file: Option<(String, String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return refusal(
                    json,
                    &staff,
                    &node,
                    StatusCode::BAD_REQUEST,
                    "上传的表单不完整，请重新选择文件上传",
                    id,
                );
            }
        };
        match field.name().unwrap_or("") {
            "file" => {
                let file_name = field.file_name().unwrap_or("").to_string();
                let mime = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let mut bytes = Vec::new();
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            bytes.extend_from_slice(&c);
                            if bytes.len() as u64 > max {
                                return refusal(
                                    json,
                                    &staff,
                                    &node,
                                    StatusCode::PAYLOAD_TOO_LARGE,
                                    &format!(
                                        "文件太大：最大 {}",
                                        size_label(i64::try_from(max).unwrap_or(i64::MAX))
                                    ),
                                    id,
                                );
                            }
                        }
                        Ok(None) => break,
                        Err(_) => {
                            return refusal(
                                json,
                                &staff,
                                &node,
                                StatusCode::BAD_REQUEST,
                                "文件没有完整上传，请重试",
                                id,
                            );
                        }
                    }
                }
                file = Some((file_name, mime, bytes));
            }
            other => {
                let other = other.to_string();
                let text = field.text().await.unwrap_or_default();
                match other.as_str() {
                    "csrf" => csrf = text,
                    "kind" => kind = text,
                    "name" => name = text,
                    _ => {}
                }
            }
        }
    }
    if let Some(r) = csrf_refusal(&staff.secret, &csrf, &staff.frame(&node.node)) {
        return r;
    }
    let a = match visible_article(&node, &staff, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if !may_edit(&staff.signed_in.access, &a.site, &a.column) {
        return refusal(
            json,
            &staff,
            &node,
            StatusCode::FORBIDDEN,
            "您对这个栏目只有查看权限，不能上传文件",
            id,
        );
    }
    if let Some(why) = read_only_reason(a.state) {
        return refusal(json, &staff, &node, StatusCode::CONFLICT, why, id);
    }
    let Some((file_name, mime, bytes)) = file.filter(|(_, _, b)| !b.is_empty()) else {
        return refusal(
            json,
            &staff,
            &node,
            StatusCode::BAD_REQUEST,
            "请选择要上传的文件",
            id,
        );
    };
    let image = kind == "image";
    if image && !IMAGE_TYPES.contains(&mime.as_str()) {
        return refusal(
            json,
            &staff,
            &node,
            StatusCode::BAD_REQUEST,
            "图片须为 PNG、JPEG、GIF 或 WebP 格式",
            id,
        );
    }
    let shown_name: String = {
        let n = if name.trim().is_empty() {
            file_name.trim()
        } else {
            name.trim()
        };
        let n = n.rsplit(['/', '\\']).next().unwrap_or(n);
        let n: String = n.chars().filter(|c| !c.is_control()).take(200).collect();
        if n.trim().is_empty() {
            "未命名文件".into()
        } else {
            n
        }
    };
    let info = match node.blobs.put(&bytes, &mime).await {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "console: storing an upload failed");
            return refusal(
                json,
                &staff,
                &node,
                StatusCode::BAD_REQUEST,
                "未能保存上传的文件（类型或大小不符合要求）",
                id,
            );
        }
    };
    let url = format!("/blobs/{}", info.hash);
    let person = staff.signed_in.access.person().to_string();
    if image {
        let alt: String = shown_name
            .rsplit_once('.')
            .map_or(shown_name.as_str(), |(stem, _)| stem)
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | '\n'))
            .collect();
        let markdown = format!("![{alt}]({url})");
        if json {
            // The script inserts it at the cursor; the editor saves it with the body.
            return (
                StatusCode::CREATED,
                axum::Json(json!({
                    "kind": "image", "name": shown_name, "size": size_label(info.size),
                    "url": url, "hash": info.hash, "markdown": markdown,
                })),
            )
                .into_response();
        }
        let body = if a.doc.body.trim().is_empty() {
            markdown
        } else {
            format!("{}\n\n{markdown}\n", a.doc.body.trim_end())
        };
        let patch = ArticlePatch {
            body: Some(body),
            ..ArticlePatch::default()
        };
        return match node.content.patch_article(&person, id, &patch).await {
            Ok(_) => see_other(&format!("/admin/articles/{id}?done=image")),
            Err(e) => refusal(
                json,
                &staff,
                &node,
                StatusCode::BAD_REQUEST,
                &chinese_error(&e),
                id,
            ),
        };
    }
    let mut attachments = a.doc.attachments.clone();
    attachments.retain(|x| x.hash != info.hash);
    attachments.push(Attachment {
        hash: info.hash.clone(),
        name: shown_name.clone(),
        size: info.size,
        mime: info.mime.clone(),
    });
    let patch = ArticlePatch {
        attachments: Some(attachments),
        ..ArticlePatch::default()
    };
    match node.content.patch_article(&person, id, &patch).await {
        Ok(_) if json => (
            StatusCode::CREATED,
            axum::Json(json!({
                "kind": "attachment", "name": shown_name, "size": size_label(info.size),
                "url": url, "hash": info.hash,
            })),
        )
            .into_response(),
        Ok(_) => see_other(&format!("/admin/articles/{id}?done=uploaded")),
        Err(e) => refusal(
            json,
            &staff,
            &node,
            StatusCode::BAD_REQUEST,
            &chinese_error(&e),
            id,
        ),
    }
}

/// The form removing one attachment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RemoveForm {
    csrf: String,
    hash: String,
}

/// `POST /admin/articles/{id}/attachments/remove`.
pub(super) async fn remove(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<RemoveForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let a = match visible_article(&node, &staff, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if !may_edit(&staff.signed_in.access, &a.site, &a.column) {
        return refusal(
            false,
            &staff,
            &node,
            StatusCode::FORBIDDEN,
            "您对这个栏目只有查看权限，不能修改附件",
            id,
        );
    }
    if let Some(why) = read_only_reason(a.state) {
        return refusal(false, &staff, &node, StatusCode::CONFLICT, why, id);
    }
    let mut attachments = a.doc.attachments.clone();
    attachments.retain(|x| x.hash != f.hash);
    if attachments.len() == a.doc.attachments.len() {
        return see_other(&format!("/admin/articles/{id}"));
    }
    let patch = ArticlePatch {
        attachments: Some(attachments),
        ..ArticlePatch::default()
    };
    match node
        .content
        .patch_article(staff.signed_in.access.person(), id, &patch)
        .await
    {
        Ok(_) => see_other(&format!("/admin/articles/{id}?done=removed")),
        Err(e) => refusal(
            false,
            &staff,
            &node,
            StatusCode::BAD_REQUEST,
            &chinese_error(&e),
            id,
        ),
    }
}
