//! The document against the router: every route documented, every documented route served.

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
    // The staff session cookie, the other credential the admin routes take, and the CSRF
    // header it needs on changes.
    let cookie = &doc["components"]["securitySchemes"]["cookie"];
    assert_eq!(cookie["type"], "apiKey", "{cookie}");
    assert_eq!(cookie["in"], "cookie", "{cookie}");
    assert_eq!(cookie["name"], "govnode_session", "{cookie}");
    assert!(
        cookie["description"]
            .as_str()
            .is_some_and(|d| d.contains("`X-CSRF-Token`") && d.contains("403")),
        "{cookie}"
    );
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(
        description.contains("govnode_session") && description.contains("X-CSRF-Token"),
        "{description}"
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

        // Admin routes take the bearer token or the session cookie (and may refuse
        // either); with the cookie, a change carries the CSRF header or is refused with
        // 403. Others are open.
        let either = serde_json::json!([{ "bearer": [] }, { "cookie": [] }]);
        let csrf: Vec<&Value> = params
            .iter()
            .filter(|p| p["name"] == "X-CSRF-Token")
            .collect();
        if path.starts_with("/api/admin/") {
            assert_eq!(op["security"], either, "{what}: bearer or cookie auth");
            assert!(responses.contains_key("401"), "{what}: no 401");
            if method == "GET" {
                assert!(csrf.is_empty(), "{what}: a read needs no CSRF token");
            } else {
                assert_eq!(csrf.len(), 1, "{what}: the CSRF header");
                assert_eq!(csrf[0]["in"], "header", "{what}");
                assert_eq!(
                    csrf[0]["required"], false,
                    "{what}: not with a bearer token"
                );
                assert_eq!(csrf[0]["schema"]["type"], "string", "{what}");
                assert!(
                    responses["403"]["description"]
                        .as_str()
                        .is_some_and(|d| d.contains("X-CSRF-Token")),
                    "{what}: the 403 names the CSRF header"
                );
            }
        } else {
            assert!(csrf.is_empty(), "{what}: a public route");
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

/// The constraints the server checks, stated where the derive cannot: closed variants,
/// rules between fields, lists kept from the code, non-empty uploads.
#[test]
fn the_document_states_what_the_server_checks() {
    let (_, doc) = built();
    let schemas = &doc["components"]["schemas"];
    // A handler's action: a variant with fields takes no others; a unit variant's extra
    // fields are ignored by serde, so it stays open.
    for variant in schemas["HandlerAction"]["oneOf"].as_array().unwrap() {
        let fields = variant["properties"].as_object().unwrap().len();
        let closed = variant.get("additionalProperties") == Some(&Value::Bool(false));
        assert_eq!(closed, fields > 1, "{variant}");
    }
    // Rules between fields join the derived object.
    for name in ["Filing", "SurveyQuestion"] {
        let all_of = schemas[name]["allOf"].as_array().unwrap();
        assert_eq!(all_of[0]["additionalProperties"], false, "{name}");
        assert!(all_of[1]["anyOf"].is_array(), "{name}");
    }
    // Lists the code keeps: template names, document types, themes.
    let params = &doc["paths"]["/api/admin/sites/{site}/templates/{name}"]["put"]["parameters"];
    let names = params
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "name");
    assert_eq!(
        names.unwrap()["schema"]["enum"],
        serde_json::json!(govnode_content::render::TEMPLATE_NAMES)
    );
    let codes: Vec<&str> = govnode_library::DOC_TYPES.iter().map(|t| t.code).collect();
    let input = &schemas["ArticleInput"]["properties"];
    assert_eq!(
        input["doc_type"]["pattern"],
        format!("^(|{})$", codes.join("|"))
    );
    for n in 0..=22 {
        let code = format!("{n:02}");
        let listed = (1..=21).contains(&n);
        assert_eq!(
            govnode_library::theme(&code).is_some(),
            listed,
            "theme {code}"
        );
    }
    assert_eq!(input["theme"]["pattern"], "^(|0[1-9]|1[0-9]|2[01])$");
    // Creating an article names its column; a revision need not.
    assert_eq!(schemas["NewArticle"]["required"][0], "column");
    assert!(
        !schemas["ArticleInput"]["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("column"))
    );
    // An upload is at least one byte, and the body is required.
    for path in ["/api/admin/blobs", "/api/interaction/attachments"] {
        let body = &doc["paths"][path]["post"]["requestBody"];
        assert_eq!(body["required"], true, "{path}");
        for content in body["content"].as_object().unwrap().values() {
            assert_eq!(content["schema"]["minLength"], 1, "{path}");
        }
    }
}
