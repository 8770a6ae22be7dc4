//! The OpenAPI document, served at `/api/openapi.json`, generated from the handlers.
//!
//! Every service registers its routes on a [`utoipa_axum::router::OpenApiRouter`] with
//! `.routes(routes!(handler, …))`, and every handler carries a `#[utoipa::path(…)]` with its
//! method, path, tag (the service), parameters, request body and responses; the summary and
//! description are its doc comment. Registering a route therefore documents it: the path the
//! router serves is the path the document names. [`super::routes`] builds the router and the
//! document together, once; the document is then served as built. The tests below check the
//! router against the document, so a route added without documentation fails them.

use std::sync::{Arc, OnceLock};

use axum::Extension;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::common::error::ApiError;
use crate::common::session::SESSION_COOKIE;

/// Response description of a refused credential (every admin route).
pub(crate) const UNAUTHORIZED: &str = "No `Authorization: Bearer <token>` header and no staff session cookie, a malformed \
     header, an unknown or revoked token, or a session that has ended";
/// Response description of a JSON body over the node's limit.
pub(crate) const TOO_LARGE: &str = "The body is larger than `http.max_request_bytes`";

/// The base document: the info block, the services' tags, the error shape and the bearer
/// and session cookie schemes. The paths come from the services' routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "govnode API",
        version = env!("CARGO_PKG_VERSION"),
        description = "The JSON API of a govnode, a node of the federated government-website platform: \
sites, columns, articles and the review-before-publish workflow, distribution to the levels below, \
blobs, templates and audit; one-net search and its dictionary; one-net interaction (tickets, bodies, \
letters desks, the Q&A assistant); surveys; the federation's status; and the operators' health and \
metrics.\n\n\
Admin routes (`/api/admin/…`) take either `Authorization: Bearer <token>` (tokens from `govnode token \
create`, or a signed-in person's own) or the staff session cookie `govnode_session` that signing in \
at `/admin/sign-in` sets; with the cookie, every call that changes something (POST, PUT, PATCH, DELETE) \
must also carry the session's CSRF token in the `X-CSRF-Token` header (the console's pages hold it), \
else it is refused with 403. What a caller may do depends on the person's roles and their scopes (the \
node, a site, a body), checked the same way for both.\n\n\
Errors are `{\"error\": code, \"message\": text}` with a stable code per status: `bad_request` (400), \
`unauthorized` (401), `forbidden` (403), `not_found` (404), `conflict` (409), `payload_too_large` \
(413), `rate_limited` (429, with `Retry-After` where a wait is known). Any route may also answer 500 `internal`, whose detail goes to the node's log only.\n\n\
This document is generated from the node's handlers: every route it lists is served, and every \
route served under `/api`, `/blobs`, `/healthz` and `/metrics` is listed."
    ),
    tags(
        (name = "content", description = "Sites, columns, column template sets, articles and the review-before-publish workflow (先审后发), template overrides, audit"),
        (name = "distribution", description = "Information distribution (信息分发): live articles sent down to descendant sites, their inboxes, republication and receipts"),
        (name = "blobs", description = "Attachments and images by blake3 hash"),
        (name = "search", description = "One-net search (一网通查) over a scope of the province's tree, and the shards this node holds"),
        (name = "dictionary", description = "Search administration: the synonym dictionary (百姓体词库), topic cards, their history, query analytics"),
        (name = "interaction", description = "One-net interaction (一网通答): citizens file and follow tickets; handlers work their body's inbox; bodies, settings, the Q&A assistant"),
        (name = "desks", description = "Letters desks (受理中心): which body takes a site's letters when the writer names none"),
        (name = "surveys", description = "Surveys and opinion solicitations (征集调查)"),
        (name = "federation", description = "The federation: status, per-origin digests, the province's tree"),
        (name = "openapi", description = "This document"),
        (name = "ops", description = "For operators and their tools: readiness and metrics"),
    ),
    components(schemas(ErrorBody)),
    modifiers(&StaffAuth),
)]
struct ApiDoc;

/// The name of the session cookie's security scheme.
const COOKIE_SCHEME: &str = "cookie";

/// The header a cookie-authenticated change carries the session's CSRF token in.
const CSRF_HEADER: &str = "X-CSRF-Token";

/// What [`CSRF_HEADER`] is, on every admin operation that changes something.
const CSRF_DESCRIPTION: &str = "The session's CSRF token (64 hex characters, from the console's pages), required \
     with the `govnode_session` cookie on a call that changes something: without it, or with \
     another, the call is refused with 403. Not needed (and ignored) with a bearer token";

/// Adds the security schemes the admin routes take: the `bearer` token and the staff
/// session `cookie` (either one; [`finish`] lets every bearer operation take the cookie).
struct StaffAuth;

impl Modify for StaffAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A staff token: `Authorization: Bearer <token>` (`govnode token create`)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            COOKIE_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The staff session cookie set by signing in at `/admin/sign-in` (`HttpOnly`, \
                 `SameSite=Lax`). A call with it that changes something (POST, PUT, PATCH, DELETE) must \
                 also carry the session's CSRF token in the `X-CSRF-Token` header, else it is \
                 refused with 403; reads need none. The permission check is the bearer token's.",
            ))),
        );
    }
}

/// The base document the services' paths are merged into.
pub(super) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Internally tagged enums (`#[serde(tag = …, deny_unknown_fields)]`) read as request
/// bodies: serde refuses a field a variant with fields does not name (a unit variant's
/// extra fields are ignored), but utoipa leaves the variants' objects open, so [`finish`]
/// closes those with fields.
const CLOSED_TAGGED_ENUMS: [&str; 1] = ["HandlerAction"];

/// Rules between fields of a request body, which a derived schema cannot state, from the
/// module that owns the type: the schema of that name becomes `allOf` its derived object
/// and the rule.
fn cross_field_rules() -> [(&'static str, utoipa::openapi::schema::AnyOf); 2] {
    [
        ("Filing", govnode_interaction::filing_rule()),
        (
            "SurveyQuestion",
            govnode_interaction::survey::question_rule(),
        ),
    ]
}

/// Last touches once every service's paths are in: the variants of
/// [`CLOSED_TAGGED_ENUMS`] with fields take no others (`additionalProperties: false`); the
/// [`cross_field_rules`] join their schemas; an optional body (`request_body = Option<T>`,
/// read with `OptionalJson`) may be left out, but is never `null`, so its schema is `T`
/// alone rather than `T` or null; an admin operation takes the session cookie as well as the
/// bearer token (see [`either_credential`]).
pub(super) fn finish(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AdditionalProperties, AllOfBuilder, Schema, SchemaType, Type};
    use utoipa::openapi::{RefOr, Required};
    let schemas = document.components.get_or_insert_with(Default::default);
    let schemas = &mut schemas.schemas;
    for name in CLOSED_TAGGED_ENUMS {
        if let Some(RefOr::T(Schema::OneOf(one_of))) = schemas.get_mut(name) {
            for variant in &mut one_of.items {
                if let RefOr::T(Schema::Object(object)) = variant
                    && object.properties.len() > 1
                {
                    object.additional_properties =
                        Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
    }
    for (name, rule) in cross_field_rules() {
        if let Some(schema) = schemas.get_mut(name) {
            let fields = schema.clone();
            *schema = RefOr::T(Schema::AllOf(
                AllOfBuilder::new()
                    .item(fields)
                    .item(Schema::AnyOf(rule))
                    .build(),
            ));
        }
    }
    for item in document.paths.paths.values_mut() {
        let operations = [
            (false, &mut item.get),
            (true, &mut item.put),
            (true, &mut item.post),
            (true, &mut item.delete),
            (true, &mut item.patch),
        ];
        for (changes, operation) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            either_credential(operation, changes);
            let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                continue;
            };
            if body.required == Some(Required::True) {
                continue;
            }
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else {
                    continue;
                };
                if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
                    && let [RefOr::Ref(body), RefOr::T(Schema::Object(null))] =
                        one_of.items.as_slice()
                    && null.schema_type == SchemaType::Type(Type::Null)
                {
                    content.schema = Some(RefOr::Ref(body.clone()));
                }
            }
        }
    }
}

/// An operation that takes the bearer token takes the session cookie instead just as well
/// (the same [`crate::common::extract::Caller`]); one that `changes` something then also
/// names the CSRF header, and the 403 its absence gets.
fn either_credential(operation: &mut utoipa::openapi::path::Operation, changes: bool) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};
    let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
    let Some(security) = operation.security.as_mut() else {
        return;
    };
    if !security.contains(&bearer) {
        return;
    }
    security.push(SecurityRequirement::new(
        COOKIE_SCHEME,
        Vec::<String>::new(),
    ));
    if !changes {
        return;
    }
    let header = ParameterBuilder::new()
        .name(CSRF_HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(CSRF_DESCRIPTION))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build();
    operation
        .parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::T(header));
    const WITHOUT_CSRF: &str =
        "a session cookie without the session's `X-CSRF-Token` (or with another)";
    match operation.responses.responses.entry("403".to_string()) {
        std::collections::btree_map::Entry::Occupied(mut refused) => {
            if let RefOr::T(refused) = refused.get_mut() {
                refused.description = format!("{}; or {WITHOUT_CSRF}", refused.description);
            }
        }
        std::collections::btree_map::Entry::Vacant(none) => {
            let mut description = WITHOUT_CSRF.to_string();
            description[..1].make_ascii_uppercase();
            none.insert(RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Error")))
                            .build(),
                    )
                    .build(),
            ));
        }
    }
}

/// What every API error answers (see [`ApiError`]).
#[derive(ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)]
pub(crate) struct ErrorBody {
    /// Stable machine code: bad_request, unauthorized, forbidden, not_found, conflict,
    /// payload_too_large, rate_limited, internal.
    #[schema(example = "not_found")]
    error: String,
    /// What is wrong, for a person (English); for a bad field, it names the field.
    #[schema(example = "site `gd`")]
    message: String,
}

/// The serialised document, set once the router is built and served from then on.
#[derive(Clone, Default)]
pub(super) struct Served(Arc<OnceLock<Bytes>>);

impl Served {
    /// Keeps the finished document.
    pub(super) fn set(&self, document: &utoipa::openapi::OpenApi) {
        // Serialising the document's own types cannot fail; an empty body would show it did.
        let json = document.to_pretty_json().unwrap_or_default();
        let _ = self.0.set(Bytes::from(json));
    }
}

/// `GET /api/openapi.json`, given the document once it is built.
pub(super) fn routes(served: Served) -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi).layer(Extension(served)))
}

/// This document
///
/// OpenAPI 3.1, generated from the node's handlers.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object)),
)]
async fn openapi(Extension(served): Extension<Served>) -> Response {
    match served.0.get() {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response(),
        None => ApiError::internal("the OpenAPI document was not built").into_response(),
    }
}

#[cfg(test)]
mod tests;
