//! Importing a Word document (.docx) into a draft article: the raw file as the body.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_content::Content;
use govnode_content::docx::{DocxImportError, DocxImported, MAX_UPLOAD_BYTES};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::openapi::{ErrorBody, UNAUTHORIZED};
use crate::common::error::{ApiError, Classify, ErrorKind};
use crate::common::extract::{ApiPath as Path, ApiQuery as Query, Caller};

/// The largest document accepted, as the route's body limit.
pub(crate) const LIMIT: usize = MAX_UPLOAD_BYTES as usize;

impl Classify for DocxImportError {
    fn kind(&self) -> ErrorKind {
        match self {
            DocxImportError::Docx(d) if d.is_too_large() => ErrorKind::TooLarge,
            DocxImportError::Docx(_) => ErrorKind::BadRequest,
            DocxImportError::Content(c) => c.kind(),
        }
    }
}

/// Where the draft goes and what it is called.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocxQuery {
    /// The column's slug.
    #[param(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$")]
    column: String,
    /// The draft's title; when absent or blank, the document's title or first heading.
    #[serde(default)]
    #[param(max_length = 200)]
    title: Option<String>,
}

/// A .docx file's bytes.
pub(crate) struct DocxFile;

impl utoipa::PartialSchema for DocxFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .min_length(Some(1))
            .max_length(Some(LIMIT))
            .description(Some("The .docx file (a zip of WordprocessingML parts)"))
            .into()
    }
}

impl utoipa::ToSchema for DocxFile {}

/// Import a Word document as a draft
///
/// Editors of the column. The body is the .docx file itself (at most 20 MiB, unpacking to
/// at most 100 MiB). Headings, paragraphs, bold and italic, lists, tables, hyperlinks and
/// images become the draft's Markdown body; images are stored as blobs. `warnings` (Chinese)
/// names what was left out: text boxes, footnotes, comments, equations; tracked changes are
/// taken as accepted.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/articles/docx",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id"), DocxQuery),
    request_body(
        content(
            (inline(DocxFile) = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (inline(DocxFile) = "application/octet-stream"),
        ),
        description = "The .docx file, sent as the Word type or as `application/octet-stream` (the type is not checked: the bytes are)"
    ),
    responses(
        (status = 201, description = "The draft and the warnings", body = DocxImported),
        (status = 400, description = "Not a .docx, a damaged one, no column or no such column, no title found and none given", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an editor of the column", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 413, description = "The document is larger than 20 MiB", body = ErrorBody),
    ),
)]
pub async fn import_docx(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<DocxQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    if !caller.0.may_in_column(Action::Edit, &site, &q.column) {
        caller.require(Action::Edit, Some(&site))?;
        return Err(ApiError::forbidden(format!(
            "may not edit in column `{}` of site `{site}`",
            q.column
        )));
    }
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(format!(
                "document too large: at most {MAX_UPLOAD_BYTES} bytes"
            ))
        } else {
            ApiError::bad_request(r.body_text())
        }
    })?;
    if body.is_empty() {
        return Err(ApiError::bad_request("body: empty upload"));
    }
    let imported = content
        .import_docx(&caller.0.name, &site, &q.column, &body, q.title.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(imported)))
}
