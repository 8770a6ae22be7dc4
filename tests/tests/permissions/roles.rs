//! Role limits within one site.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_limited_within_a_site() {
    let w = world().await;
    let t = &w.t;
    let (draft, submitted, approved, published) = (w.draft, w.submitted, w.approved, w.published);
    let site_input = json!({ "id": "sz", "name": "深圳市人民政府", "hosts": ["sz.gov.test"], "owner_body": "深圳市政府办公厅", "body_code": "00sz", "region": "440300" });
    let set_input = json!({ "name": "县级模板", "columns": [{ "slug": "zwgk", "name": "政务公开", "kind": "policy" }] });
    let template = json!({ "source": "{{ site.name }}" });
    let column = json!({ "slug": "policy", "name": "政策文件", "kind": "policy" });
    let article = json!({ "column": "news", "title": "审核员写的", "body": "不应出现" });
    let platform_only = |who: &'static str| {
        vec![
            (
                who,
                Method::POST,
                "/api/admin/sites".to_string(),
                Body::Json(site_input.clone()),
            ),
            (
                who,
                Method::PUT,
                "/api/admin/column-templates/county".to_string(),
                Body::Json(set_input.clone()),
            ),
            (
                who,
                Method::POST,
                "/api/admin/column-templates/county/apply".to_string(),
                Body::Json(json!({ "site": "gd" })),
            ),
            (
                who,
                Method::GET,
                "/api/admin/sites/gd/templates".to_string(),
                Body::Empty,
            ),
            (
                who,
                Method::PUT,
                "/api/admin/sites/gd/templates/home.html".to_string(),
                Body::Json(template.clone()),
            ),
            (
                who,
                Method::DELETE,
                "/api/admin/sites/gd/templates/home.html".to_string(),
                Body::Empty,
            ),
        ]
    };
    let mut refused: Vec<(&str, Method, String, Body)> = Vec::new();
    // Editors write; they do not review, manage the site, read the audit log or edit templates.
    refused.extend(platform_only("editor"));
    refused.extend([
        (
            "editor",
            Method::POST,
            format!("/api/admin/articles/{submitted}/approve"),
            Body::Empty,
        ),
        (
            "editor",
            Method::POST,
            format!("/api/admin/articles/{submitted}/reject"),
            Body::Json(json!({ "reason": "编辑不能驳回" })),
        ),
        (
            "editor",
            Method::POST,
            format!("/api/admin/articles/{published}/withdraw"),
            Body::Json(json!({ "reason": "编辑不能撤回" })),
        ),
        (
            "editor",
            Method::POST,
            "/api/admin/sites/gd/columns".to_string(),
            Body::Json(column.clone()),
        ),
        (
            "editor",
            Method::POST,
            "/api/admin/sites/gd/shutdown".to_string(),
            Body::Json(json!({ "message": "维护" })),
        ),
        (
            "editor",
            Method::POST,
            "/api/admin/sites/gd/resume".to_string(),
            Body::Empty,
        ),
        (
            "editor",
            Method::GET,
            "/api/admin/audit".to_string(),
            Body::Empty,
        ),
        (
            "editor",
            Method::GET,
            "/api/admin/audit?site=gd".to_string(),
            Body::Empty,
        ),
    ]);
    // Reviewers review; they do not write, submit, upload or manage the site.
    refused.extend(platform_only("reviewer"));
    refused.extend([
        (
            "reviewer",
            Method::POST,
            "/api/admin/sites/gd/articles".to_string(),
            Body::Json(article.clone()),
        ),
        (
            "reviewer",
            Method::PUT,
            format!("/api/admin/articles/{draft}"),
            Body::Json(json!({ "title": "审核员改的" })),
        ),
        (
            "reviewer",
            Method::POST,
            format!("/api/admin/articles/{draft}/submit"),
            Body::Empty,
        ),
        (
            "reviewer",
            Method::POST,
            "/api/admin/blobs?site=gd".to_string(),
            Body::Raw("text/plain", b"reviewer upload".to_vec()),
        ),
        (
            "reviewer",
            Method::POST,
            "/api/admin/sites/gd/columns".to_string(),
            Body::Json(column.clone()),
        ),
        (
            "reviewer",
            Method::POST,
            "/api/admin/sites/gd/shutdown".to_string(),
            Body::Empty,
        ),
        (
            "reviewer",
            Method::GET,
            "/api/admin/audit?site=gd".to_string(),
            Body::Empty,
        ),
    ]);
    // Site admins run their site, not the platform, and not another site's audit log.
    refused.extend(platform_only("site-admin"));
    refused.push((
        "site-admin",
        Method::GET,
        "/api/admin/audit?site=gz".to_string(),
        Body::Empty,
    ));

    let before = w.snapshot().await;
    for (who, method, path, body) in refused {
        let token = match who {
            "editor" => &w.gd.editor,
            "reviewer" => &w.gd.reviewer,
            _ => &w.gd_admin,
        };
        let r = route(method, path, body);
        let reply = as_token(t, &r, token).await;
        assert_error(
            &reply,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("gd {who}: {}", r.label()),
        );
    }
    assert_eq!(
        w.snapshot().await,
        before,
        "a refused in-site request changed something"
    );
    for (id, state) in [
        (draft, "draft"),
        (submitted, "submitted"),
        (approved, "approved"),
        (published, "published"),
    ] {
        assert_eq!(w.state_of(id).await, state);
    }
    let r = t
        .post(
            "/api/admin/column-templates/county/apply",
            &t.admin,
            json!({ "site": "gd" }),
        )
        .await;
    assert_error(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        "the refused template set was not saved",
    );

    // What each role may do.
    // Editor: write, revise, submit, upload, read, and publish approved work (any role may).
    let mine = create_article(t, "gd", &w.gd.editor, "编辑的文章").await;
    let r = t
        .call(
            Method::PATCH,
            &format!("/api/admin/articles/{mine}"),
            Some(&w.gd.editor),
            Some(json!({ "title": "编辑的文章（修订）" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act_ok(t, mine, "submit", &w.gd.editor, json!({})).await;
    let r = as_token(
        t,
        &route(
            Method::POST,
            "/api/admin/blobs?site=gd",
            Body::Raw("text/plain", b"editor upload".to_vec()),
        ),
        &w.gd.editor,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let revisions = format!("/api/admin/articles/{draft}/revisions");
    for path in [
        "/api/admin/sites/gd/columns",
        "/api/admin/sites/gd/articles",
        revisions.as_str(),
    ] {
        for token in [&w.gd.editor, &w.gd.reviewer, &w.gd_admin] {
            let r = t.call(Method::GET, path, Some(token), None).await;
            assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text);
        }
    }
    assert_eq!(
        act_ok(t, approved, "publish", &w.gd.editor, json!({})).await["state"],
        "published"
    );

    // Reviewer: approve, reject, publish, withdraw.
    assert_eq!(
        act_ok(
            t,
            mine,
            "reject",
            &w.gd.reviewer,
            json!({ "reason": "请补充来源" })
        )
        .await["state"],
        "rejected"
    );
    act_ok(t, mine, "submit", &w.gd.editor, json!({})).await;
    assert_eq!(
        act_ok(t, mine, "approve", &w.gd.reviewer, json!({})).await["state"],
        "approved"
    );
    assert_eq!(
        act_ok(t, mine, "publish", &w.gd.reviewer, json!({})).await["state"],
        "published"
    );
    assert_eq!(
        act_ok(
            t,
            mine,
            "withdraw",
            &w.gd.reviewer,
            json!({ "reason": "内容过时" })
        )
        .await["state"],
        "withdrawn"
    );

    // Site admin: columns, shutdown/resume, own audit log, and every editor and reviewer action.
    let r = t
        .post("/api/admin/sites/gd/columns", &w.gd_admin, column.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .post(
            "/api/admin/sites/gd/shutdown",
            &w.gd_admin,
            json!({ "message": "系统维护" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["shutdown"], true);
    let r = t
        .call(
            Method::POST,
            "/api/admin/sites/gd/resume",
            Some(&w.gd_admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["shutdown"], false);
    for path in ["/api/admin/audit", "/api/admin/audit?site=gd"] {
        let r = t.call(Method::GET, path, Some(&w.gd_admin), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        let records = r.json();
        let records = records.as_array().expect("audit records");
        assert!(!records.is_empty(), "{path}");
        assert!(
            records.iter().all(|a| a["site"] == "gd"),
            "{path}: a site admin sees only their site's records: {records:?}"
        );
    }
    let own = create_article(t, "gd", &w.gd_admin, "站点管理员的文章").await;
    act_ok(t, own, "submit", &w.gd_admin, json!({})).await;
    act_ok(t, own, "approve", &w.gd.reviewer, json!({})).await;
    act_ok(t, own, "publish", &w.gd_admin, json!({})).await;
    assert_eq!(
        act_ok(
            t,
            published,
            "withdraw",
            &w.gd_admin,
            json!({ "reason": "已失效" })
        )
        .await["state"],
        "withdrawn"
    );
    act_ok(
        t,
        submitted,
        "reject",
        &w.gd_admin,
        json!({ "reason": "格式不对" }),
    )
    .await;

    // Platform admin: everything, on any site.
    let r = t
        .post("/api/admin/sites", &t.admin, site_input.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .call(
            Method::PUT,
            "/api/admin/column-templates/county",
            Some(&t.admin),
            Some(set_input.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .post(
            "/api/admin/column-templates/county/apply",
            &t.admin,
            json!({ "site": "sz" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json()["created"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text
    );
    let r = t
        .call(
            Method::PUT,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            Some(template.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/templates",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json().get("home.html").is_some(), "{}", r.text);
    let r = t
        .call(
            Method::DELETE,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = t
        .post("/api/admin/sites/gz/columns", &t.admin, column.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .post("/api/admin/sites/gz/shutdown", &t.admin, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::POST,
            "/api/admin/sites/gz/resume",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::GET,
            "/api/admin/audit?site=gz",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let all = t
        .call(Method::GET, "/api/admin/audit", Some(&t.admin), None)
        .await
        .json();
    let sites_in_audit: Vec<_> = all
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|a| a["site"].as_str())
        .collect();
    assert!(
        sites_in_audit.contains(&"gd") && sites_in_audit.contains(&"gz"),
        "the platform admin sees every site: {sites_in_audit:?}"
    );
    let r = as_token(
        t,
        &route(
            Method::POST,
            "/api/admin/blobs?site=gz",
            Body::Raw("text/plain", b"admin upload".to_vec()),
        ),
        &t.admin,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let theirs = create_article(t, "gz", &w.gz.editor, "广州的文章").await;
    act_ok(t, theirs, "submit", &w.gz.editor, json!({})).await;
    act_ok(t, theirs, "approve", &t.admin, json!({})).await;
    act_ok(t, theirs, "publish", &t.admin, json!({})).await;
    act_ok(
        t,
        theirs,
        "withdraw",
        &t.admin,
        json!({ "reason": "平台撤回" }),
    )
    .await;
    let admins = create_article(t, "gz", &t.admin, "平台写的文章").await;
    let r = t
        .call(
            Method::PATCH,
            &format!("/api/admin/articles/{admins}"),
            Some(&t.admin),
            Some(json!({ "title": "平台写的文章（修订）" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act_ok(t, admins, "submit", &t.admin, json!({})).await;
    act_ok(
        t,
        admins,
        "reject",
        &t.admin,
        json!({ "reason": "平台驳回" }),
    )
    .await;
    w.t.stop().await;
}
