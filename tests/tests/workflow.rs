//! The review-before-publish workflow over HTTP: every legal and illegal transition, the
//! four-eyes rule, revisions, scheduling, withdrawal and the audit trail.

use std::time::Duration;

use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::{Value, json};

async fn setup() -> (TestNode, govnode_tests::Staff) {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    let staff = t.staff("gd").await;
    (t, staff)
}

async fn draft(t: &TestNode, editor: &str, title: &str) -> i64 {
    let r = t
        .post(
            "/api/admin/sites/gd/articles",
            editor,
            json!({ "column": "tzgg", "title": title, "body": "正文内容" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let a = r.json();
    assert_eq!(a["state"], "draft");
    assert_eq!(a["url"], Value::Null, "a draft has no public URL");
    a["id"].as_i64().unwrap()
}

async fn act(
    t: &TestNode,
    token: &str,
    id: i64,
    action: &str,
    body: Value,
) -> govnode_tests::Reply {
    t.post(&format!("/api/admin/articles/{id}/{action}"), token, body)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_publishes_and_page_appears() {
    let (t, s) = setup().await;
    let id = draft(&t, &s.editor, "关于开展安全生产检查的通知").await;
    assert_eq!(
        t.get(&format!("/sites/gd/articles/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "drafts are not public"
    );
    assert_eq!(
        act(&t, &s.editor, id, "submit", json!({})).await.json()["state"],
        "submitted"
    );
    assert_eq!(
        act(&t, &s.reviewer, id, "approve", json!({})).await.json()["state"],
        "approved"
    );
    let published = act(&t, &s.reviewer, id, "publish", json!({})).await.json();
    assert_eq!(published["state"], "published");
    let url = published["url"].as_str().unwrap().to_string();
    assert_eq!(url, format!("/sites/gd/articles/{id}"));
    assert!(
        published["index_number"]
            .as_str()
            .unwrap()
            .starts_with("00gd/01-"),
        "{published}"
    );
    let page = t.get(&url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("关于开展安全生产检查的通知"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_illegal_transition_is_a_conflict() {
    let (t, s) = setup().await;
    // (state reached by the prefix, action that is illegal there)
    let illegal: &[(&[&str], &str)] = &[
        (&[], "approve"),
        (&[], "reject"),
        (&[], "publish"),
        (&[], "withdraw"),
        (&["submit"], "submit"),
        (&["submit"], "publish"),
        (&["submit"], "withdraw"),
        (&["submit", "approve"], "approve"),
        (&["submit", "approve"], "reject"),
        (&["submit", "approve"], "submit"),
        (&["submit", "approve"], "withdraw"),
        (&["submit", "reject"], "approve"),
        (&["submit", "reject"], "publish"),
        (&["submit", "reject"], "withdraw"),
        (&["submit", "approve", "publish"], "submit"),
        (&["submit", "approve", "publish"], "approve"),
        (&["submit", "approve", "publish"], "publish"),
        (&["submit", "approve", "publish", "withdraw"], "withdraw"),
        (&["submit", "approve", "publish", "withdraw"], "publish"),
        (&["submit", "approve", "publish", "withdraw"], "approve"),
    ];
    let admin = t.token(Role::SiteAdmin, Some("gd"), "站点管理员").await;
    for (prefix, bad) in illegal {
        let id = draft(&t, &s.editor, &format!("测试 {prefix:?} {bad}")).await;
        for step in *prefix {
            let r = act(
                &t,
                &admin_or(&s, &admin, step),
                id,
                step,
                json!({ "reason": "理由" }),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.text);
        }
        let before = t
            .call(
                Method::GET,
                &format!("/api/admin/articles/{id}"),
                Some(&admin),
                None,
            )
            .await
            .json();
        let r = act(&t, &admin, id, bad, json!({ "reason": "理由" })).await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{bad} after {prefix:?}: {}",
            r.text
        );
        assert_eq!(r.json()["error"], "conflict");
        assert!(
            r.json()["message"].as_str().unwrap().contains(bad),
            "{}",
            r.text
        );
        let after = t
            .call(
                Method::GET,
                &format!("/api/admin/articles/{id}"),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(
            before["state"], after["state"],
            "a refused transition changes nothing"
        );
    }
    t.stop().await;
}

fn admin_or<'a>(s: &'a govnode_tests::Staff, _admin: &'a str, step: &str) -> String {
    // The editor submits; the (different) reviewer does the rest, respecting four-eyes.
    if step == "submit" {
        s.editor.clone()
    } else {
        s.reviewer.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_eyes_rule_holds_across_tokens_and_revisions() {
    let (t, s) = setup().await;
    // 王五 holds both an editor and a reviewer token: still cannot approve his own work.
    let wang_editor = t.token(Role::Editor, Some("gd"), "王五").await;
    let wang_reviewer = t.token(Role::Reviewer, Some("gd"), "王五").await;
    let wang_admin = t.token(Role::SiteAdmin, Some("gd"), "王五").await;
    let id = draft(&t, &wang_editor, "王五起草的通知").await;
    act(&t, &wang_editor, id, "submit", json!({})).await;
    for token in [&wang_reviewer, &wang_admin] {
        let r = act(&t, token, id, "approve", json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert!(r.json()["message"].as_str().unwrap().contains("four-eyes"));
    }
    // Someone who only revised it cannot approve it either.
    let id2 = draft(&t, &s.editor, "他人起草").await;
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/articles/{id2}"),
            Some(&wang_editor),
            Some(json!({ "title": "王五修改过", "body": "x" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act(&t, &s.editor, id2, "submit", json!({})).await;
    assert_eq!(
        act(&t, &wang_reviewer, id2, "approve", json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // An independent reviewer can.
    assert_eq!(
        act(&t, &s.reviewer, id, "approve", json!({})).await.status,
        StatusCode::OK
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_and_withdraw_need_reasons_and_show_them() {
    let (t, s) = setup().await;
    let id = draft(&t, &s.editor, "待退回的稿件").await;
    act(&t, &s.editor, id, "submit", json!({})).await;
    let r = act(&t, &s.reviewer, id, "reject", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"].as_str().unwrap().contains("reason"));
    let r = act(
        &t,
        &s.reviewer,
        id,
        "reject",
        json!({ "reason": "标题不规范" }),
    )
    .await
    .json();
    assert_eq!(r["state"], "rejected");
    assert_eq!(r["reason"], "标题不规范");
    // Rejected work is revised and resubmitted.
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/articles/{id}"),
            Some(&s.editor),
            Some(json!({ "title": "规范后的标题", "body": "正文" })),
        )
        .await;
    assert_eq!(r.json()["state"], "draft");
    assert_eq!(r.json()["revision"], 2);
    act(&t, &s.editor, id, "submit", json!({})).await;
    act(&t, &s.reviewer, id, "approve", json!({})).await;
    act(&t, &s.reviewer, id, "publish", json!({})).await;
    assert_eq!(
        act(&t, &s.reviewer, id, "withdraw", json!({ "reason": "  " }))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let w = act(
        &t,
        &s.reviewer,
        id,
        "withdraw",
        json!({ "reason": "内容已过时效" }),
    )
    .await
    .json();
    assert_eq!(w["state"], "withdrawn");
    let page = t.get(&format!("/sites/gd/articles/{id}")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        page.text.contains("内容已过时效"),
        "the 410 page gives the reason"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revising_a_live_article_keeps_the_live_copy_until_republished() {
    let (t, s) = setup().await;
    let a = t
        .publish(
            "gd",
            &s,
            json!({ "column": "zcwj", "title": "第一版标题", "body": "第一版正文" }),
        )
        .await;
    let id = a["id"].as_i64().unwrap();
    let index = a["index_number"].clone();
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/articles/{id}"),
            Some(&s.editor),
            Some(json!({ "title": "第二版标题", "body": "第二版正文" })),
        )
        .await
        .json();
    assert_eq!(r["state"], "draft");
    assert_eq!(r["live"], true);
    let page = t.get(&format!("/sites/gd/articles/{id}")).await.text;
    assert!(
        page.contains("第一版标题") && !page.contains("第二版标题"),
        "the unreviewed revision is not public"
    );
    act(&t, &s.editor, id, "submit", json!({})).await;
    act(&t, &s.reviewer, id, "approve", json!({})).await;
    let republished = act(&t, &s.reviewer, id, "publish", json!({})).await.json();
    assert_eq!(
        republished["index_number"], index,
        "the index number is kept across revisions"
    );
    let page = t.get(&format!("/sites/gd/articles/{id}")).await.text;
    assert!(page.contains("第二版标题"));
    let revs = t
        .call(
            Method::GET,
            &format!("/api/admin/articles/{id}/revisions"),
            Some(&s.editor),
            None,
        )
        .await
        .json();
    let titles: Vec<&str> = revs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["doc"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["第一版标题", "第二版标题"],
        "every revision is kept"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_publication_goes_live_when_due() {
    let (t, s) = setup().await;
    let id = draft(&t, &s.editor, "定时发布的公告").await;
    act(&t, &s.editor, id, "submit", json!({})).await;
    act(&t, &s.reviewer, id, "approve", json!({})).await;
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let r = act(&t, &s.reviewer, id, "publish", json!({ "at": at }))
        .await
        .json();
    assert_eq!(r["state"], "scheduled");
    assert_eq!(
        t.get(&format!("/sites/gd/articles/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Readiness wait (bounded): the scheduler publishes, then brings the index up to date.
    let (mut state, mut hits) = (Value::Null, Value::Null);
    for _ in 0..600 {
        let a = t
            .call(
                Method::GET,
                &format!("/api/admin/articles/{id}"),
                Some(&s.editor),
                None,
            )
            .await
            .json();
        state = a["state"].clone();
        hits = t.search("定时发布").await["total"].clone();
        if state == "published" && hits == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, "published");
    assert_eq!(hits, 1, "scheduled publication is indexed");
    assert_eq!(
        t.get(&format!("/sites/gd/articles/{id}")).await.status,
        StatusCode::OK
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_log_records_who_did_what() {
    let (t, s) = setup().await;
    let a = t
        .publish(
            "gd",
            &s,
            json!({ "column": "tzgg", "title": "审计测试", "body": "x" }),
        )
        .await;
    let id = a["id"].as_i64().unwrap().to_string();
    let audit = t
        .call(
            Method::GET,
            "/api/admin/audit?site=gd",
            Some(&t.admin),
            None,
        )
        .await
        .json();
    let mine: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["object_kind"] == "article" && r["object_id"] == id.as_str())
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_string(),
                r["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [
            ("publish".to_string(), "gd-reviewer".to_string()),
            ("approve".to_string(), "gd-reviewer".to_string()),
            ("submit".to_string(), "gd-editor".to_string()),
            ("create".to_string(), "gd-editor".to_string()),
        ],
        "newest first"
    );
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["object_kind"] == "site" && r["action"] == "create")
    );
    t.stop().await;
}
