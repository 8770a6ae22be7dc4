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
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::common::error::ApiError;

/// Response description of a refused credential (every admin route).
pub(crate) const UNAUTHORIZED: &str =
    "No `Authorization: Bearer <token>` header, a malformed one, or an unknown or revoked token";
/// Response description of a JSON body over the node's limit.
pub(crate) const TOO_LARGE: &str = "The body is larger than `http.max_request_bytes`";

/// The base document: the info block, the services' tags, the error shape and the bearer
/// scheme. The paths come from the services' routers.
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
Admin routes (`/api/admin/…`) take `Authorization: Bearer <token>` (tokens from `govnode token \
create`); what a token may do depends on its role and, for site-scoped tokens, its site.\n\n\
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
    modifiers(&BearerAuth),
)]
struct ApiDoc;

/// Adds the `bearer` security scheme the admin routes require.
struct BearerAuth;

impl Modify for BearerAuth {
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
    }
}

/// The base document the services' paths are merged into.
pub(super) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Last touches once every service's paths are in: an optional body (`request_body =
/// Option<T>`, read with `OptionalJson`) may be left out, but is never `null`, so its schema
/// is `T` alone rather than `T` or null.
pub(super) fn finish(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    use utoipa::openapi::{RefOr, Required};
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
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
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::panic::AssertUnwindSafe;
    use std::path::Path;

    use axum::Router;
    use axum::routing::{MethodFilter, on};
    use serde_json::Value;

    use crate::AppState;

    /// Routes registered but not documented yet: the search service (`api/search.rs`) still
    /// registers them with a plain router. Remove an entry when its handler is documented
    /// (the test fails until then, to keep this list honest).
    const UNDOCUMENTED: &[(&str, &str)] = &[];

    /// Errors answered as plain text rather than the error object (none: every refusal of
    /// the API has its error shape).
    const PLAIN_TEXT_ERRORS: &[(&str, &str, &str)] = &[];

    /// Path prefixes of the documented surface: a route the router serves under one of these
    /// must be in the document.
    const DOCUMENTED_PREFIXES: [&str; 4] = ["/api", "/blobs", "/healthz", "/metrics"];

    const METHODS: [(&str, MethodFilter); 9] = [
        ("GET", MethodFilter::GET),
        ("HEAD", MethodFilter::HEAD),
        ("POST", MethodFilter::POST),
        ("PUT", MethodFilter::PUT),
        ("DELETE", MethodFilter::DELETE),
        ("PATCH", MethodFilter::PATCH),
        ("OPTIONS", MethodFilter::OPTIONS),
        ("TRACE", MethodFilter::TRACE),
        ("CONNECT", MethodFilter::CONNECT),
    ];

    /// The whole router and the document, from one construction (as the node builds them).
    fn built() -> (Router<AppState>, Value) {
        let (router, document) = crate::routes(10 << 20);
        let json = serde_json::to_value(&document).expect("document serialises");
        (router, json)
    }

    /// Every operation of the document: (METHOD, path) → operation.
    fn operations(doc: &Value) -> BTreeMap<(String, String), Value> {
        let mut out = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                if METHODS.iter().any(|(m, _)| m.eq_ignore_ascii_case(method)) {
                    out.insert((method.to_uppercase(), path.clone()), op.clone());
                }
            }
        }
        out
    }

    /// Whether `router` serves `method` at exactly `path`: axum refuses a second handler for
    /// the same method and path with a panic saying so.
    fn registered(router: &Router<AppState>, path: &str, method: MethodFilter) -> bool {
        static QUIET: std::sync::Once = std::sync::Once::new();
        QUIET.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let probe = info
                    .payload()
                    .downcast_ref::<String>()
                    .is_some_and(|m| m.contains("Overlapping method route"));
                if !probe {
                    previous(info);
                }
            }));
        });
        let probe = router.clone();
        let attempt = std::panic::catch_unwind(AssertUnwindSafe(move || {
            let _ = probe.route(path, on(method, || async {}));
        }));
        match attempt {
            Ok(()) => false,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or_default();
                // Anything else (a different parameter name at the same place, a malformed
                // literal) means no route at exactly this path.
                message.contains("Overlapping method route")
            }
        }
    }

    /// Route-like string literals of this crate's sources (`"/api…"`, `"/blobs…"`,
    /// `"/healthz"`, `"/metrics"`): where a route would be registered without
    /// `#[utoipa::path]`, its path is one of these.
    fn path_literals() -> BTreeSet<String> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("source dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).expect("source file"));
                }
            }
        }
        let mut sources = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        let mut out = BTreeSet::new();
        for src in &sources {
            for (at, _) in src.match_indices("\"/") {
                let rest = &src[at + 1..];
                if !DOCUMENTED_PREFIXES.iter().any(|p| rest.starts_with(p)) {
                    continue;
                }
                let literal: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "/{}_.-".contains(*c))
                    .collect();
                out.insert(literal);
            }
        }
        out
    }

    #[test]
    fn document_is_openapi_3_1() {
        let (_, doc) = built();
        // It is what the node serves: JSON that parses back.
        let text = serde_json::to_string(&doc).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["title"], "govnode API");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(
            doc["info"]["description"]
                .as_str()
                .unwrap()
                .contains("Bearer")
        );
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"],
            serde_json::json!({ "type": "http", "scheme": "bearer", "description": "A staff token: `Authorization: Bearer <token>` (`govnode token create`)" })
        );
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let tags: BTreeSet<&str> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();

        // Every reference resolves.
        fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        out.push(r);
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{r}: not a schema reference"));
            assert!(schemas.contains_key(name), "{r} does not resolve");
        }

        let mut ids = BTreeSet::new();
        for ((method, path), op) in operations(&doc) {
            let what = format!("{method} {path}");
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_string()), "{what}: operationId {id} twice");
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(
                !summary.is_empty() && !summary.contains('`') && !summary.contains('\n'),
                "{what}: summary {summary:?} (one line, from the handler's doc comment)"
            );
            let op_tags = op["tags"].as_array().unwrap();
            assert_eq!(op_tags.len(), 1, "{what}: one tag, its service");
            assert!(
                tags.contains(op_tags[0].as_str().unwrap()),
                "{what}: undeclared tag"
            );

            // Path parameters: exactly those of the path.
            let in_path: BTreeSet<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let declared: BTreeSet<&str> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(in_path, declared, "{what}: path parameters");
            for p in &params {
                assert!(
                    p["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{what}: parameter {} has no description",
                    p["name"]
                );
            }

            // Responses: a success, and every error in the API's shape.
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{what}: no success response"
            );
            for (status, r) in responses {
                assert!(
                    r["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{what} {status}: no description"
                );
                if PLAIN_TEXT_ERRORS.contains(&(method.as_str(), path.as_str(), status.as_str())) {
                    assert!(r["content"]["text/plain"].is_object(), "{what} {status}");
                } else if status.starts_with('4') {
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/Error",
                        "{what} {status}: not the error shape"
                    );
                }
            }

            // Admin routes declare the bearer token (and may refuse it); others are open.
            let bearer = serde_json::json!([{ "bearer": [] }]);
            if path.starts_with("/api/admin/") {
                assert_eq!(op["security"], bearer, "{what}: bearer auth");
                assert!(responses.contains_key("401"), "{what}: no 401");
            } else {
                assert!(op.get("security").is_none(), "{what}: a public route");
                assert!(!responses.contains_key("401"), "{what}: a public route");
            }
            // A JSON body may be too large.
            if op["requestBody"]["content"]
                .get("application/json")
                .is_some()
            {
                assert!(responses.contains_key("400"), "{what}: no 400");
                assert!(responses.contains_key("413"), "{what}: no 413");
            }
        }
    }

    #[test]
    fn every_registered_route_is_documented_and_every_documented_one_registered() {
        let (router, doc) = built();
        let documented: BTreeSet<(String, String)> = operations(&doc).into_keys().collect();
        let literals = path_literals();
        // The scan reads the sources: each documented path is written in one of them.
        let paths: BTreeSet<String> = documented.iter().map(|(_, p)| p.clone()).collect();
        for p in &paths {
            assert!(
                literals.contains(p),
                "{p}: not found in the sources; the scan is broken"
            );
        }
        let pending: BTreeSet<(String, String)> = UNDOCUMENTED
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();

        let mut checked = 0;
        for path in paths.union(&literals) {
            for (name, filter) in METHODS {
                let key = (name.to_string(), path.clone());
                let served = registered(&router, path, filter);
                let listed = documented.contains(&key);
                if pending.contains(&key) {
                    assert!(
                        served && !listed,
                        "{name} {path} is documented now: remove it from UNDOCUMENTED"
                    );
                    continue;
                }
                assert_eq!(
                    served,
                    listed,
                    "{name} {path}: {}",
                    if served {
                        "served but not in the OpenAPI document; register it with `.routes(routes!(handler))` and a #[utoipa::path] on the handler"
                    } else {
                        "in the OpenAPI document but not served"
                    }
                );
                checked += usize::from(served);
            }
        }
        assert_eq!(checked, documented.len());
        assert!(checked >= 67, "only {checked} documented routes");
    }

    #[test]
    fn services_do_not_share_schema_names() {
        // Merging the services' documents keeps the first schema of a name and drops the
        // rest: two different types of one name would lose one silently.
        let served = super::Served::default();
        let mut seen: BTreeMap<String, Value> = BTreeMap::new();
        for service in super::super::services(10 << 20, &served) {
            let doc = serde_json::to_value(service.into_openapi()).unwrap();
            let Some(schemas) = doc["components"]["schemas"].as_object() else {
                continue;
            };
            for (name, schema) in schemas {
                if let Some(before) = seen.insert(name.clone(), schema.clone()) {
                    assert_eq!(&before, schema, "two schemas named {name}");
                }
            }
        }
        assert!(seen.len() > 30);
    }

    #[test]
    fn creating_a_site_takes_a_site_input_and_answers_201_with_the_site() {
        let (_, doc) = built();
        let op = &doc["paths"]["/api/admin/sites"]["post"];
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/SiteInput"
        );
        assert_eq!(op["requestBody"]["required"], true);
        assert_eq!(
            op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Site"
        );
        assert_eq!(op["tags"], serde_json::json!(["content"]));
        let input = &doc["components"]["schemas"]["SiteInput"];
        let required: BTreeSet<&str> = input["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            required,
            BTreeSet::from(["id", "name", "owner_body", "body_code", "region"])
        );
        assert_eq!(input["additionalProperties"], false);
        // An optional body may be left out, and is never null.
        let optional = &doc["paths"]["/api/admin/articles/{id}/{action}"]["post"]["requestBody"];
        assert!(optional.get("required").is_none_or(|r| r == false));
        assert_eq!(
            optional["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/TransitionBody"
        );
        // The upload keeps its own body limit and is documented as raw bytes.
        let upload = &doc["paths"]["/api/admin/blobs"]["post"];
        assert!(upload["requestBody"]["content"]["*/*"].is_object());
        assert!(upload["responses"]["413"].is_object());
    }
}
