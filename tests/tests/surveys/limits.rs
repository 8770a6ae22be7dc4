//! The rate limit, forged cookies, bad input and permissions.

use super::*;

/// Without a configured proxy, `X-Forwarded-For` is the client's own say: a client changing
/// it on every ballot still counts as one address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_forwarded_for_does_not_dodge_the_limit() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    let id = create(&t, &admin, survey_body(3_600_000)).await;
    let mut last = StatusCode::CREATED;
    for i in 0..25 {
        // A fresh browser (no cookie) claiming a fresh address each time.
        let mut ballot = Citizen::new(&format!("198.51.100.{i}"));
        last = ballot.respond(&t, id, json!([0, null, null])).await.status;
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(last, StatusCode::CREATED, "ballot {i}");
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "forged addresses dodged the limit"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_rate_limited_per_address_and_forged_cookies_replaced() {
    let (t, admin) = setup().await;
    let id = create(&t, &admin, survey_body(3_600_000)).await;
    // A forged cookie is not trusted: a new one is issued and the response counts as new.
    let mut forger = Citizen::new("192.0.2.7");
    forger.cookie = Some(format!(
        "govnode_respondent={}.{}",
        "a".repeat(32),
        "b".repeat(64)
    ));
    let r = forger.respond(&t, id, json!([0, null, null])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.header("set-cookie").is_some());
    // Nineteen more attempts from that address (refused as duplicates), then 429.
    for _ in 0..19 {
        let r = forger.respond(&t, id, json!([0, null, null])).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    }
    let mut neighbour = Citizen::new("192.0.2.7");
    let r = neighbour.respond(&t, id, json!([0, null, null])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    // One code per error, whichever limit it is.
    assert_eq!(r.json()["error"], "rate_limited", "{}", r.text);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("at most 20 an hour")
    );
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    let r = neighbour
        .send(
            &t,
            Method::POST,
            &format!("/sites/gd/surveys/{id}"),
            Body::Form(&[("q0", "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.text.contains("每小时最多 20 份"), "{}", r.text);
    // Another address is not affected.
    let mut other = Citizen::new("192.0.2.8");
    let r = other.respond(&t, id, json!([2, [1], null])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_naming_the_field() {
    let (t, admin) = setup().await;
    let bad = |f: &dyn Fn(&mut Value)| {
        let mut b = survey_body(3_600_000);
        f(&mut b);
        b
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            bad(&|b| b["colour"] = json!("red")),
            "unknown field `colour`",
        ),
        (
            bad(&|b| b["questions"][0]["weight"] = json!(1)),
            "unknown field `weight`",
        ),
        (
            bad(&|b| b["title"] = json!("")),
            "title: must be 1–100 characters",
        ),
        (
            bad(&|b| b["questions"][0]["options"] = json!(["只有一个"])),
            "questions[0].options: a single-choice question needs 2–20 options",
        ),
        (
            bad(&|b| b["questions"][2]["options"] = json!(["a", "b"])),
            "questions[2].options: a text question has no options",
        ),
        (
            bad(&|b| b["questions"] = json!([])),
            "questions: a survey has 1–30 questions",
        ),
        (
            bad(&|b| b["closes_at"] = b["opens_at"].clone()),
            "closes_at: must be after opens_at",
        ),
        (
            bad(&|b| b["questions"][1]["kind"] = json!("ranking")),
            "unknown variant `ranking`",
        ),
        (
            bad(&|b| {
                b.as_object_mut().unwrap().remove("body");
            }),
            "missing field `body`",
        ),
    ];
    for (body, message) in cases {
        let r = t.post("/api/admin/sites/gd/surveys", &admin, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{message}: {}", r.text);
        assert!(
            r.json()["message"].as_str().unwrap().contains(message),
            "{message}: {}",
            r.text
        );
    }
    let r = t
        .post(
            "/api/admin/sites/nosuch/surveys",
            &t.admin,
            survey_body(3_600_000),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    let id = create(&t, &admin, survey_body(3_600_000)).await;
    let mut c = Citizen::new("198.51.100.9");
    for (answers, message) in [
        (
            json!([5, null, null]),
            "answers[0]: option indices run from 0 to 2",
        ),
        (
            json!([null, null, null]),
            "answers[0]: this question is required",
        ),
        (
            json!([0, [1, 1], null]),
            "answers[1]: each option may be chosen once",
        ),
        (
            json!([0, 1, null]),
            "answers[1]: a multiple-choice answer is a list",
        ),
        (
            json!([0, null, "长".repeat(2001)]),
            "answers[2]: at most 2000 characters",
        ),
        (json!([0, null]), "answers: expected 3 answers"),
    ] {
        let r = c.respond(&t, id, answers).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{message}: {}", r.text);
        assert!(
            r.json()["message"].as_str().unwrap().contains(message),
            "{message}: {}",
            r.text
        );
    }
    let path = format!("/api/surveys/{id}/responses");
    let r = c
        .send(
            &t,
            Method::POST,
            &path,
            Body::Json(json!({ "answers": [0, null, null], "name": "张三" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("unknown field `name`"), "{}", r.text);
    let r = c.send(&t, Method::POST, &path, Body::None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // The form refuses fields it does not have.
    let page = format!("/sites/gd/surveys/{id}");
    let r = c
        .send(
            &t,
            Method::POST,
            &page,
            Body::Form(&[("q0", "0"), ("phone", "138")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("phone: unknown field"), "{}", r.text);
    // Unknown surveys; a survey of another site is not found under this one.
    for path in ["/api/surveys/999", "/api/surveys/999/results"] {
        assert_eq!(t.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = c.respond(&t, 999, json!([0])).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(
        t.get("/api/surveys/abc").await.status,
        StatusCode::BAD_REQUEST
    );
    for path in [
        "/sites/gd/surveys/999",
        "/sites/gd/surveys/abc",
        &format!("/sites/sz/surveys/{id}"),
    ] {
        let p = t.get(path).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.text);
        assert!(p.text.contains("页面不存在"), "{path}");
    }
    assert_eq!(
        t.get("/sites/nosuch/surveys").await.status,
        StatusCode::NOT_FOUND
    );
    // Feedback: after closing, non-empty, no unknown fields.
    t.post(&format!("/api/admin/surveys/{id}/close"), &admin, json!({}))
        .await;
    let fb = format!("/api/admin/surveys/{id}/feedback");
    for (body, message) in [
        (
            json!({ "feedback": "  " }),
            "feedback: must be 1–10000 characters",
        ),
        (json!({ "feedback": "好", "by": "x" }), "unknown field `by`"),
    ] {
        let r = t.call(Method::PUT, &fb, Some(&admin), Some(body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert!(r.text.contains(message), "{message}: {}", r.text);
    }
    let r = t
        .call(
            Method::PUT,
            "/api/admin/surveys/999/feedback",
            Some(&admin),
            Some(json!({ "feedback": "好" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_sites_admins_manage_its_surveys() {
    let (t, admin) = setup().await;
    let id = create(&t, &admin, survey_body(3_600_000)).await;
    let other = t.token(Role::SiteAdmin, Some("sz"), "sz-admin").await;
    let editor = t.token(Role::Editor, Some("gd"), "gd-editor").await;
    let manage = [
        (
            Method::POST,
            "/api/admin/sites/gd/surveys".to_string(),
            Some(survey_body(3_600_000)),
        ),
        (Method::POST, format!("/api/admin/surveys/{id}/close"), None),
        (
            Method::PUT,
            format!("/api/admin/surveys/{id}/feedback"),
            Some(json!({ "feedback": "好" })),
        ),
        (
            Method::GET,
            format!("/api/admin/surveys/{id}/results"),
            None,
        ),
    ];
    for (method, path, body) in &manage {
        let r = t.call(method.clone(), path, None, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.text);
        for token in [&other, &editor] {
            let r = t
                .call(method.clone(), path, Some(token), body.clone())
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text);
        }
    }
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/surveys",
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The site's staff may list; the platform admin may do everything.
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/surveys",
            Some(&editor),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()[0]["id"], id);
    assert_eq!(r.json()[0]["created_by"], "gd-admin");
    let r = t
        .call(
            Method::GET,
            &format!("/api/admin/surveys/{id}/results"),
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::GET,
            "/api/admin/sites/sz/surveys",
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!([]));
    t.stop().await;
}
