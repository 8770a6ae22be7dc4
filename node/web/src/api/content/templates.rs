//! A site's template overrides.

use govnode_content::Content;
use utoipa::ToSchema;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use serde::Deserialize;
use serde_json::json;

use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

use super::Node_;

/// A site's template overrides
#[utoipa::path(
    get,
    path = "/api/admin/sites/{site}/templates",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "Template name → source of each override", body = std::collections::BTreeMap<String, String>),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not edit the site's templates", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn list_templates(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::EditTemplates, Some(&site))?;
    content.site(&site).await?;
    Ok(Json(content.template_overrides(&site).await?))
}

/// A template's name: one of the default templates' (`layout.html`, `home.html`, …).
pub struct TemplateName;

impl utoipa::PartialSchema for TemplateName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(govnode_content::render::TEMPLATE_NAMES))
            .into()
    }
}

impl ToSchema for TemplateName {}

/// A template's source.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// The template (minijinja), which must compile and may emit no script.
    source: String,
}

/// Override a template
///
/// The template must compile and may emit no script: no `<script>`, no event-handler
/// attribute (`onclick`…), no `javascript:`/`vbscript:`/non-image `data:` URL, no
/// `<iframe>`/`<object>`/`<embed>`/`<base>`/`<meta http-equiv>` (a site's pages are also
/// served on its ancestors' nodes). A refusal names the template, the line and what is
/// wrong. It is stored and installed at once (sandboxed).
#[utoipa::path(
    put,
    path = "/api/admin/sites/{site}/templates/{name}",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("name" = inline(TemplateName), Path, description = "Template name, one of the default templates'"),
    ),
    request_body = TemplateBody,
    responses(
        (status = 200, description = "`{site, name, bytes}`: the override installed", body = Object),
        (status = 400, description = "Not a template name, a missing or unknown field, the template does not compile, or it would emit script (`source`: the template, the line and the tag or attribute)", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not edit the site's templates", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_template(
    State(node): Node_,
    caller: Caller,
    Path((site, name)): Path<(String, String)>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::EditTemplates, Some(&site))?;
    let set = node
        .content
        .put_template(&caller.0.name, &site, &name, Some(&body.source))
        .await?;
    node.renderer.set_overrides(&site, set)?;
    Ok(Json(
        json!({ "site": site, "name": name, "bytes": body.source.len() }),
    ))
}

/// Back to the default template
#[utoipa::path(
    delete,
    path = "/api/admin/sites/{site}/templates/{name}",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("name" = inline(TemplateName), Path, description = "Template name, one of the default templates'"),
    ),
    responses(
        (status = 204, description = "The override is gone"),
        (status = 400, description = "Not a template name", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not edit the site's templates", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn delete_template(
    State(node): Node_,
    caller: Caller,
    Path((site, name)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::EditTemplates, Some(&site))?;
    let set = node
        .content
        .put_template(&caller.0.name, &site, &name, None)
        .await?;
    node.renderer.set_overrides(&site, set)?;
    Ok(StatusCode::NO_CONTENT)
}
