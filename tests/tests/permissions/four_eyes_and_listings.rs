//! The four-eyes rule and scoped site listings.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_approves_their_own_work() {
    let w = world().await;
    let t = &w.t;
    // One person, 张三, holds both an editor and a reviewer token for gd.
    let zhang_editor = t.token(Role::Editor, Some("gd"), "张三").await;
    let zhang_reviewer = t.token(Role::Reviewer, Some("gd"), "张三").await;
    let id = create_article(t, "gd", &zhang_editor, "张三写的").await;
    act_ok(t, id, "submit", &zhang_editor, json!({})).await;
    let r = act(t, id, "approve", &zhang_reviewer, json!({})).await;
    let e = assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "approving one's own article",
    );
    assert!(
        e["message"].as_str().unwrap_or("").contains("four-eyes"),
        "the refusal names the rule: {e}"
    );
    assert_eq!(
        w.state_of(id).await,
        "submitted",
        "the refused approval left the article as it was"
    );
    // Another reviewer approves it.
    assert_eq!(
        act_ok(t, id, "approve", &w.gd.reviewer, json!({})).await["state"],
        "approved"
    );

    // Revising someone else's article makes you one of its authors.
    let other = create_article(t, "gd", &w.gd.editor, "别人写的").await;
    let r = t
        .call(
            Method::PATCH,
            &format!("/api/admin/articles/{other}"),
            Some(&zhang_editor),
            Some(json!({ "title": "张三改过" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act_ok(t, other, "submit", &zhang_editor, json!({})).await;
    let r = act(t, other, "approve", &zhang_reviewer, json!({})).await;
    let e = assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "approving a revision one wrote",
    );
    assert!(
        e["message"].as_str().unwrap_or("").contains("four-eyes"),
        "{e}"
    );
    assert_eq!(w.state_of(other).await, "submitted");
    act_ok(t, other, "approve", &w.gd.reviewer, json!({})).await;

    // A site admin who wrote an article cannot approve it either; the reviewer can.
    let own = create_article(t, "gd", &w.gd_admin, "管理员写的").await;
    act_ok(t, own, "submit", &w.gd_admin, json!({})).await;
    let r = act(t, own, "approve", &w.gd_admin, json!({})).await;
    let e = assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a site admin approving their own article",
    );
    assert!(
        e["message"].as_str().unwrap_or("").contains("four-eyes"),
        "{e}"
    );
    assert_eq!(w.state_of(own).await, "submitted");
    act_ok(t, own, "approve", &w.gd.reviewer, json!({})).await;

    // Nor can the platform admin approve what it wrote.
    let admins = create_article(t, "gd", &t.admin, "平台写的").await;
    act_ok(t, admins, "submit", &t.admin, json!({})).await;
    let r = act(t, admins, "approve", &t.admin, json!({})).await;
    assert_error(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        "the platform admin approving its own article",
    );
    assert_eq!(w.state_of(admins).await, "submitted");
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_lists_are_scoped_to_the_token() {
    let w = world().await;
    let t = &w.t;
    t.site("sz", "深圳市人民政府").await;
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .expect("sites")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_string())
            .collect()
    };
    for (who, token, site) in [
        ("gz editor", &w.gz.editor, "gz"),
        ("gz reviewer", &w.gz.reviewer, "gz"),
        ("gz site-admin", &w.gz_admin, "gz"),
        ("gd editor", &w.gd.editor, "gd"),
        ("gd reviewer", &w.gd.reviewer, "gd"),
        ("gd site-admin", &w.gd_admin, "gd"),
    ] {
        let r = t
            .call(Method::GET, "/api/admin/sites", Some(token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.text);
        assert_eq!(
            ids(r.json()),
            vec![site.to_string()],
            "{who} sees only its site"
        );
    }
    let r = t
        .call(Method::GET, "/api/admin/sites", Some(&t.admin), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut all = ids(r.json());
    all.sort();
    assert_eq!(
        all,
        ["gd", "gz", "sz"],
        "the platform admin sees every site"
    );
    // A token for a site that does not exist (yet) sees nothing, not everything.
    let ghost = t.token(Role::Editor, Some("ghost"), "幽灵").await;
    let r = t
        .call(Method::GET, "/api/admin/sites", Some(&ghost), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(ids(r.json()), Vec::<String>::new());
    w.t.stop().await;
}
