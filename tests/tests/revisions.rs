//! Revising an article over HTTP: `PATCH` changes only the fields sent; a `PUT` that would
//! clear the body, or a policy document's issuing body or dates, is refused naming them
//! and changes nothing.

use govnode_tests::{Method, StatusCode, TestNode};
use serde_json::{Value, json};

/// A node with a policy column and a full policy document in draft: (node, editor, id).
async fn policy_draft() -> (TestNode, govnode_tests::Staff, i64) {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    let staff = t.staff("gd").await;
    let r = t
        .post(
            "/api/admin/sites/gd/articles",
            &staff.editor,
            json!({
                "column": "zcwj",
                "title": "广东省促进民营经济发展若干措施",
                "subtitle": "（征求意见稿）",
                "body": "## 一、总体要求\n\n| 项目 | 标准 |\n|---|---|\n| 贷款贴息 | 50% |\n",
                "issuing_body": "广东省人民政府办公厅",
                "doc_number": "粤府办〔2026〕3号",
                "theme": "08",
                "date": "2026-03-01",
                "valid_from": "2026-04-01",
                "valid_to": "2028-03-31",
                "tags": ["民营经济", "融资"],
                "summary": "支持民营企业融资的十条措施"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    (t, staff, id)
}

async fn article(t: &TestNode, token: &str, id: i64) -> Value {
    let r = t
        .call(
            Method::GET,
            &format!("/api/admin/articles/{id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_that_would_empty_a_policy_document_is_refused_naming_the_fields() {
    let (t, s, id) = policy_draft().await;
    let before = article(&t, &s.editor, id).await;
    let path = format!("/api/admin/articles/{id}");
    let r = t
        .call(
            Method::PUT,
            &path,
            Some(&s.editor),
            Some(json!({ "title": "新标题", "doc_number": "粤府办〔2026〕4号" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    for field in ["body", "issuing_body", "date", "valid_from", "valid_to"] {
        assert!(
            r.text.contains(field),
            "the refusal names {field}: {}",
            r.text
        );
    }
    assert!(r.text.contains("PATCH"), "{}", r.text);
    let after = article(&t, &s.editor, id).await;
    assert_eq!(after["revision"], before["revision"], "nothing was saved");
    assert_eq!(after["doc"], before["doc"]);

    // A full replacement that keeps them is a revision as before.
    let mut whole = before["doc"].clone();
    whole.as_object_mut().unwrap().remove("body_html");
    whole["title"] = json!("广东省促进民营经济高质量发展若干措施");
    let r = t
        .call(Method::PUT, &path, Some(&s.editor), Some(whole))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["revision"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_changing_only_the_title_keeps_every_other_field() {
    let (t, s, id) = policy_draft().await;
    let before = article(&t, &s.editor, id).await;
    let path = format!("/api/admin/articles/{id}");
    let r = t
        .call(
            Method::PATCH,
            &path,
            Some(&s.editor),
            Some(json!({ "title": "广东省促进民营经济发展若干措施（修订）" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let after = r.json();
    assert_eq!(after["revision"], 2);
    assert_eq!(
        after["doc"]["title"],
        "广东省促进民营经济发展若干措施（修订）"
    );
    let (b, a) = (&before["doc"], &after["doc"]);
    for field in b.as_object().unwrap().keys().filter(|k| *k != "title") {
        assert_eq!(a[field], b[field], "{field} kept");
    }

    // An empty value clears a field on purpose; the rest stays.
    let r = t
        .call(
            Method::PATCH,
            &path,
            Some(&s.editor),
            Some(json!({ "valid_to": "" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let cleared = r.json();
    assert_eq!(cleared["doc"]["valid_to"], "");
    assert_eq!(cleared["doc"]["valid_from"], b["valid_from"]);
    assert_eq!(cleared["doc"]["body"], b["body"]);

    // The history keeps every revision.
    let revs = t
        .call(
            Method::GET,
            &format!("{path}/revisions"),
            Some(&s.editor),
            None,
        )
        .await
        .json();
    assert_eq!(revs.as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_patch_is_refused_and_changes_nothing() {
    let (t, s, id) = policy_draft().await;
    let path = format!("/api/admin/articles/{id}");
    for (body, field) in [
        (json!({ "title": "  " }), "title"),
        (json!({ "titel": "拼错的字段" }), "titel"),
        (json!({ "column": "tzgg" }), "column"),
        (json!({ "date": "2026-02-30" }), "date"),
        (json!({ "theme": "99" }), "theme"),
    ] {
        let r = t
            .call(Method::PATCH, &path, Some(&s.editor), Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert!(r.text.contains(field), "{body}: names {field}: {}", r.text);
    }
    // A reviewer may not edit; a submitted article may not be revised.
    let r = t
        .call(
            Method::PATCH,
            &path,
            Some(&s.reviewer),
            Some(json!({ "title": "审核人改的标题" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = t
        .post(&format!("{path}/submit"), &s.editor, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::PATCH,
            &path,
            Some(&s.editor),
            Some(json!({ "title": "送审后再改" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(article(&t, &s.editor, id).await["revision"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_limited_to_columns_revises_in_those_only() {
    let (t, s, id) = policy_draft().await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    let notice = t
        .post(
            "/api/admin/sites/gd/articles",
            &s.editor,
            json!({ "column": "tzgg", "title": "通知", "body": "正文" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let grant =
        govnode_accounts::Grant::site(govnode_tests::Role::Editor, "gd").in_columns(&["zcwj"]);
    let session = t.console_session("zhou.zcwj", &[grant]).await;
    let csrf = govnode_accounts::csrf_token(&session);
    let send = |method: Method, path: String, body: Value| {
        t.http
            .request(method, t.url(&path))
            .header("cookie", format!("govnode_session={session}"))
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
    };
    let ok = send(
        Method::PATCH,
        format!("/api/admin/articles/{id}"),
        json!({ "title": "政策文件栏目编辑改的标题" }),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK, "in their column");
    let refused = send(
        Method::PATCH,
        format!("/api/admin/articles/{notice}"),
        json!({ "title": "越栏目修改" }),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "another column");
    for (column, status) in [
        ("zcwj", StatusCode::CREATED),
        ("tzgg", StatusCode::FORBIDDEN),
    ] {
        let r = send(
            Method::POST,
            "/api/admin/sites/gd/articles".into(),
            json!({ "column": column, "title": "新稿件", "body": "正文" }),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), status, "create in {column}");
    }
}
