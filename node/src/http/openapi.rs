//! The OpenAPI document, served at `/api/openapi.json`. A test checks it against the router.

/// The document.
pub const DOCUMENT: &str = include_str!("openapi.json");

#[cfg(test)]
mod tests {
    #[test]
    fn document_is_valid_json_and_lists_the_admin_routes() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        // Every API route the router declares (node/src/http/mod.rs) is documented.
        let router_src = include_str!("mod.rs");
        for line in router_src
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with(".route(\""))
        {
            let path = line
                .trim_start_matches(".route(\"")
                .split('"')
                .next()
                .unwrap();
            let full = if line.contains("admin::") {
                format!("/api/admin{path}")
            } else {
                path.to_string()
            };
            if full.starts_with("/api") || full == "/healthz" || full == "/metrics" {
                assert!(paths.contains_key(&full), "{full} is not in openapi.json");
            }
        }
    }
}
