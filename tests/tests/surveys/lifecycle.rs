//! Creation, responses, closing, results, charts, feedback and the pages.

use std::time::Duration;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_from_creation_to_published_results() {
    let (t, admin) = setup().await;
    let id = create(&t, &admin, survey_body(3_600_000)).await;
    let page = format!("/sites/gd/surveys/{id}");

    // The public view: open, no counts, no results yet.
    let s = t.get(&format!("/api/surveys/{id}")).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    let s = s.json();
    assert_eq!(s["status"], "open");
    assert_eq!(s["questions"][0]["options"][2], "很少 <偶尔>");
    assert!(s.get("responses").is_none() && s["results_url"].is_null());

    // Citizen A opens the page: an accessible form, and a respondent cookie.
    let mut a = Citizen::new("203.0.113.1");
    let p = a.get(&t, &page).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert!(a.cookie.is_some(), "first visit issues the cookie");
    let action = format!("<form class=\"survey-form\" method=\"post\" action=\"{page}\"");
    for needle in [
        action.as_str(),
        "<fieldset id=\"q0\"",
        "<legend id=\"q0-legend\" tabindex=\"-1\">1. 您多久乘坐一次公交？",
        "type=\"radio\" id=\"q0-2\" name=\"q0\" value=\"2\"",
        "type=\"checkbox\" id=\"q1-0\" name=\"q1\" value=\"0\"",
        "<textarea id=\"q2-text\" name=\"q2\"",
        "很少 &lt;偶尔&gt;",
        "广东省交通运输厅",
    ] {
        assert!(p.text.contains(needle), "missing {needle}:\n{}", p.text);
    }
    // A responds through the API; a second response is refused, the cookie kept.
    let r = a
        .respond(&t, id, json!([0, [0, 2], "希望增加夜班车"]))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.header("set-cookie").is_none(), "a valid cookie is kept");
    let r = a.respond(&t, id, json!([1, null, null])).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("already responded")
    );
    let p = a.get(&t, &page).await;
    assert!(p.text.contains("您已参与过本次调查"), "{}", p.text);

    // Citizen B answers with the form, without having opened the page first.
    let mut b = Citizen::new("203.0.113.2");
    let fields = [("q0", "2"), ("q1", "0"), ("q2", "站点太远")];
    let r = b.send(&t, Method::POST, &page, Body::Form(&fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("感谢您的参与"), "{}", r.text);
    assert!(b.cookie.is_some(), "a response without a cookie issues one");
    let r = b.send(&t, Method::POST, &page, Body::Form(&fields)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("每人只能提交一次"), "{}", r.text);
    // Citizen C skips the required question: the page says which one, keeping the answers.
    let mut c = Citizen::new("203.0.113.3");
    let r = c
        .send(
            &t,
            Method::POST,
            &page,
            Body::Form(&[("q1", "1"), ("q2", "无")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("第 1 题：此题为必答题"), "{}", r.text);
    assert!(r.text.contains("role=\"alert\""), "{}", r.text);
    assert!(
        r.text
            .contains("id=\"q1-1\" name=\"q1\" value=\"1\" checked"),
        "{}",
        r.text
    );
    assert!(r.text.contains(">无</textarea>"), "{}", r.text);

    // While open, results are not public; staff see them, text answers included.
    let r = t.get(&format!("/api/surveys/{id}/results")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("will be published when it closes at")
    );
    let r = t
        .call(
            Method::GET,
            &format!("/api/admin/surveys/{id}/results"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let staff = r.json();
    assert_eq!(staff["responses"], 2);
    assert_eq!(staff["questions"][2]["texts"][0]["text"], "希望增加夜班车");
    assert_eq!(staff["questions"][2]["texts"][1]["text"], "站点太远");
    // Feedback waits for the close.
    let fb = format!("/api/admin/surveys/{id}/feedback");
    let r = t
        .call(
            Method::PUT,
            &fb,
            Some(&admin),
            Some(json!({ "feedback": "x" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    // Closed early by the site admin: responses stop, results are published.
    let r = t
        .post(&format!("/api/admin/surveys/{id}/close"), &admin, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["status"], "closed");
    let r = t
        .post(&format!("/api/admin/surveys/{id}/close"), &admin, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let mut d = Citizen::new("203.0.113.4");
    let r = d.respond(&t, id, json!([0, null, null])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("takes no more responses"), "{}", r.text);

    let r = t.get(&format!("/api/surveys/{id}/results")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let res = r.json();
    assert_eq!(res["responses"], 2);
    let q0 = &res["questions"][0];
    let counts: Vec<i64> = q0["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, vec![1, 0, 1]);
    assert_eq!(q0["options"][0]["percent"], 50.0);
    assert_eq!(res["questions"][1]["options"][0]["count"], 2);
    assert_eq!(res["questions"][1]["options"][2]["count"], 1);
    // Text answers are counted, never published.
    assert_eq!(res["questions"][2]["text_answers"], 2);
    assert!(
        !r.text.contains("夜班车") && !r.text.contains("站点太远"),
        "{}",
        r.text
    );
    let svg = q0["svg"].as_str().unwrap();
    assert!(svg.starts_with("<svg ") && svg.contains("role=\"img\"") && svg.contains("<title"));
    assert!(svg.contains("很少 &lt;偶尔&gt;") && !svg.contains("<script"));

    // The body's feedback, then the page: charts inline, feedback, no form.
    let feedback = "采纳了增加夜班车的建议，将于下月开通两条夜班线路。";
    let r = t
        .call(
            Method::PUT,
            &fb,
            Some(&admin),
            Some(json!({ "feedback": feedback })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["feedback"], feedback);
    let p = t.get(&page).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert!(
        p.header("set-cookie").is_none(),
        "no cookie for a closed survey"
    );
    for needle in [
        "调查结果",
        "共收到 2 份回答",
        "<svg ",
        "role=\"img\"",
        "意见采纳情况",
        feedback,
        "收到文字意见 2 条",
    ] {
        assert!(p.text.contains(needle), "missing {needle}:\n{}", p.text);
    }
    assert!(
        !p.text.contains("<form class=\"survey-form\"") && !p.text.contains("希望增加夜班车"),
        "{}",
        p.text
    );
    let list = t.get("/sites/gd/surveys").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(
        list.text.contains(&format!("href=\"{page}\"")),
        "{}",
        list.text
    );
    assert!(list.text.contains("已公布结果和采纳情况"), "{}", list.text);

    // Only hashes are stored: neither the cookie's id nor the address.
    let rows: Vec<(String,)> = sqlx::query_as("SELECT respondent FROM survey_responses")
        .fetch_all(&t.node.db.read)
        .await
        .unwrap();
    let id_of = |c: &Citizen| {
        c.cookie
            .as_ref()
            .unwrap()
            .split(['=', '.'])
            .nth(1)
            .unwrap()
            .to_string()
    };
    for (key,) in &rows {
        assert!(
            !key.contains(&id_of(&a)) && !key.contains(&id_of(&b)) && !key.contains("203.0.113")
        );
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_closes_on_its_own_and_an_upcoming_one_waits() {
    let (t, admin) = setup().await;
    let id = create(&t, &admin, survey_body(1_500)).await;
    let mut a = Citizen::new("198.51.100.1");
    let r = a.respond(&t, id, json!([1, [], ""])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mut published = None;
    // Bounded readiness wait (30 s: generous for a loaded CI machine).
    for _ in 0..600 {
        let r = t.get(&format!("/api/surveys/{id}/results")).await;
        if r.status == StatusCode::OK {
            published = Some(r.json());
            break;
        }
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = published.expect("results are published once the survey closes");
    assert_eq!(res["status"], "closed");
    assert_eq!(res["questions"][0]["options"][1]["count"], 1);
    assert_eq!(res["questions"][1]["answered"], 0);
    assert!(
        res["questions"][1]["svg"]
            .as_str()
            .unwrap()
            .contains("0 票 · 0.0%")
    );

    // Upcoming: the page says when, responses are refused.
    let mut body = survey_body(7_200_000);
    body["opens_at"] = json!(now_ms() + 3_600_000);
    let soon = create(&t, &admin, body).await;
    let p = a.get(&t, &format!("/sites/gd/surveys/{soon}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert!(
        p.text.contains("本次调查将于") && !p.text.contains("<form class=\"survey-form\""),
        "{}",
        p.text
    );
    let r = a.respond(&t, soon, json!([0, null, null])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let list = t.get("/sites/gd/surveys").await;
    assert!(
        list.text.contains("即将开始") && list.text.contains("已经结束"),
        "{}",
        list.text
    );
    t.stop().await;
}

/// The survey pages also answer on the site's own host name, with links and the form's
/// action relative to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_pages_answer_on_the_site_host_name() {
    let (t, admin) = setup().await;
    let id = create(&t, &admin, survey_body(3_600_000)).await;
    let page = format!("/surveys/{id}");
    let mut a = Citizen::on_host("203.0.113.9", "gd.gov.test");
    let list = a.get(&t, "/surveys").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(
        list.text.contains(&format!("href=\"{page}\"")),
        "{}",
        list.text
    );
    let p = a.get(&t, &page).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert!(a.cookie.is_some(), "first visit issues the cookie");
    let action = format!("<form class=\"survey-form\" method=\"post\" action=\"{page}\"");
    assert!(p.text.contains(&action), "{}", p.text);
    let fields = [("q0", "1"), ("q1", "2"), ("q2", "")];
    let r = a.send(&t, Method::POST, &page, Body::Form(&fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("感谢您的参与"), "{}", r.text);
    // The same person by path is the same respondent.
    let r = a
        .send(
            &t,
            Method::POST,
            &format!("/sites/gd/surveys/{id}"),
            Body::Form(&fields),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Another site's host does not show gd's survey; an unknown host has no surveys.
    let mut sz = Citizen::on_host("203.0.113.11", "sz.gov.test");
    assert_eq!(sz.get(&t, &page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sz.get(&t, "/surveys").await.status, StatusCode::OK);
    let mut other = Citizen::on_host("203.0.113.10", "nowhere.gov.test");
    assert_eq!(
        other.get(&t, "/surveys").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get(&t, &page).await.status, StatusCode::NOT_FOUND);
    t.stop().await;
}
