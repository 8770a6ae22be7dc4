//! A county's pages cannot script its ancestors' (issue 11, item 6): template overrides
//! may emit no script, replicated bodies are cleaned again on arrival, every answer
//! carries a Content-Security-Policy, and replica sites are sandboxed.

mod pages;
mod replicas;

use govnode_tests::{Reply, StatusCode, TestNode};

/// The form body browsers send (`application/x-www-form-urlencoded`).
fn form_body(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Files a letter through a site's form as a browser does (from a replica's sandboxed page,
/// the form's `Origin` is `null`), following the redirect to the confirmation with the
/// cookie it set. Returns the form answer's and the confirmation page's policies.
async fn file_letter(t: &TestNode, site: &str) -> (String, String) {
    let resp = t
        .http
        .post(t.url(&format!("/sites/{site}/letters")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "null")
        .body(form_body(&[
            ("kind", "suggestion"),
            ("body", "440000.zwfw"),
            ("subject", "建议增设防汛物资存放点"),
            ("content", "建议在低洼路段增设防汛沙袋存放点。"),
            ("name", "张三"),
            ("phone", "13900139000"),
        ]))
        .send()
        .await
        .unwrap();
    let policy = |r: &reqwest::Response| {
        r.headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let answered = policy(&resp);
    let page = if resp.status() == StatusCode::SEE_OTHER {
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
        t.http
            .get(t.url(&location))
            .header("cookie", cookie.split(';').next().unwrap())
            .send()
            .await
            .unwrap()
    } else {
        assert_eq!(resp.status(), StatusCode::CREATED);
        resp
    };
    assert_eq!(page.status(), StatusCode::OK);
    let shown = policy(&page);
    let html = page.text().await.unwrap();
    assert!(html.contains("提交成功"), "{html}");
    (answered, shown)
}

/// The answer's Content-Security-Policy: only this node, no inline script; and the other
/// security headers every answer has.
fn assert_policy(r: &Reply, what: &str) -> String {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy ({:?})", r.headers))
        .to_string();
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("{what}: no {name} in {csp}"))
            .to_string()
    };
    assert_eq!(directive("script-src"), "script-src 'self'", "{what}");
    assert_eq!(directive("default-src"), "default-src 'self'", "{what}");
    for fixed in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
        "form-action 'self'",
    ] {
        assert_eq!(directive(fixed.split(' ').next().unwrap()), fixed, "{what}");
    }
    assert!(
        !csp.contains("http") && !csp.contains('*'),
        "{what}: no other origin: {csp}"
    );
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        r.header("referrer-policy"),
        Some("strict-origin-when-cross-origin"),
        "{what}"
    );
    csp
}
