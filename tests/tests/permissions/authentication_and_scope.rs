//! Authentication and site scope on every admin route.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_needs_a_valid_bearer_token() {
    let w = world().await;
    let before = w.snapshot().await;
    let unknown = format!("Bearer gnt_{}", "0".repeat(64));
    let routes = w.all_routes();
    assert_eq!(routes.len(), 50, "every admin method+path is listed");
    for r in &routes {
        for (how, header) in [
            ("no token", None),
            ("Basic auth", Some("Basic x")),
            ("unknown token", Some(unknown.as_str())),
            ("token without the gnt_ prefix", Some("Bearer not-a-token")),
            ("empty bearer", Some("Bearer ")),
            ("lower-case scheme and no token", Some("bearer")),
        ] {
            let reply = send(&w.t, r, header).await;
            assert_error(
                &reply,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                &format!("{} with {how}", r.label()),
            );
        }
    }
    // A revoked-looking token is the same as an unknown one; a real one still works.
    let ok = send(
        &w.t,
        &route(Method::GET, "/api/admin/sites", Body::Empty),
        Some(&format!("Bearer {}", w.t.admin)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    // Nothing any of those requests carried took effect.
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused unauthenticated request changed something"
    );
    // The template set the PUT carried was not saved either.
    let r =
        w.t.post(
            "/api/admin/column-templates/county/apply",
            &w.t.admin,
            json!({ "site": "gd" }),
        )
        .await;
    assert_error(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        "applying a template set nobody could save",
    );
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_tokens_are_refused_on_every_site_route() {
    let w = world().await;
    // The platform admin saves the template set, so applying it to gd is refused for scope alone.
    let r = w
        .t
        .call(Method::PUT, "/api/admin/column-templates/county", Some(&w.t.admin), Some(json!({ "name": "县级模板", "columns": [{ "slug": "zwgk", "name": "政务公开", "kind": "policy" }] })))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let before = w.snapshot().await;
    let states = [
        (w.draft, "draft"),
        (w.submitted, "submitted"),
        (w.approved, "approved"),
        (w.published, "published"),
    ];
    for (who, token) in [
        ("gz editor", &w.gz.editor),
        ("gz reviewer", &w.gz.reviewer),
        ("gz site-admin", &w.gz_admin),
    ] {
        for r in w.site_routes("gd") {
            let reply = as_token(&w.t, &r, token).await;
            assert_error(
                &reply,
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{who}: {}", r.label()),
            );
        }
        for (id, state) in states {
            assert_eq!(w.state_of(id).await, state, "{who} moved article {id}");
        }
    }
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused cross-site request changed something"
    );
    let gd =
        w.t.call(Method::GET, "/api/admin/sites", Some(&w.t.admin), None)
            .await
            .json();
    assert!(
        gd.as_array()
            .expect("sites")
            .iter()
            .all(|s| s["shutdown"] == false),
        "{gd}"
    );

    // And the other way round: gd's people cannot touch gz's article.
    for (who, token) in [
        ("gd editor", &w.gd.editor),
        ("gd reviewer", &w.gd.reviewer),
        ("gd site-admin", &w.gd_admin),
    ] {
        for (method, path, body) in [
            (
                Method::GET,
                format!("/api/admin/articles/{}", w.gz_article),
                None,
            ),
            (
                Method::PUT,
                format!("/api/admin/articles/{}", w.gz_article),
                Some(json!({ "title": "越权" })),
            ),
            (
                Method::GET,
                format!("/api/admin/articles/{}/revisions", w.gz_article),
                None,
            ),
            (
                Method::POST,
                format!("/api/admin/articles/{}/submit", w.gz_article),
                None,
            ),
            (Method::GET, "/api/admin/sites/gz/columns".to_string(), None),
            (
                Method::GET,
                "/api/admin/sites/gz/articles".to_string(),
                None,
            ),
        ] {
            let reply = w.t.call(method.clone(), &path, Some(token), body).await;
            assert_error(
                &reply,
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{who}: {method} {path}"),
            );
        }
    }
    assert_eq!(w.state_of(w.gz_article).await, "draft");
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused cross-site request changed something"
    );
    w.t.stop().await;
}
