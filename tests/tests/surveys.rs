//! Surveys and opinion solicitations (征集调查): creation, one response per citizen (signed
//! cookie), the rate limit, results hidden until closing then published as SVG charts with
//! the body's feedback, the public pages, bad input and permissions.

use std::time::Duration;

use govnode_tests::{Method, Reply, Role, StatusCode, TestNode};
use serde_json::{Value, json};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn survey_body(closes_in_ms: i64) -> Value {
    json!({
        "title": "公交线路优化征求意见",
        "description": "为方便市民出行，现就公交线路优化公开征求意见。\n欢迎提出宝贵建议。",
        "body": "广东省交通运输厅",
        "opens_at": now_ms() - 60_000,
        "closes_at": now_ms() + closes_in_ms,
        "questions": [
            { "kind": "single", "text": "您多久乘坐一次公交？", "options": ["每天", "每周", "很少 <偶尔>"], "required": true },
            { "kind": "multiple", "text": "您希望改进哪些方面？", "options": ["班次", "站点", "票价"] },
            { "kind": "text", "text": "其他意见建议" }
        ]
    })
}

/// A citizen's browser: its own cookie jar (the respondent cookie) and address.
struct Citizen {
    cookie: Option<String>,
    ip: String,
}

impl Citizen {
    fn new(ip: &str) -> Self {
        Citizen {
            cookie: None,
            ip: ip.into(),
        }
    }

    async fn send(&mut self, t: &TestNode, method: Method, path: &str, body: Body<'_>) -> Reply {
        let mut req = t
            .http
            .request(method, t.url(path))
            .header("x-forwarded-for", &self.ip);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(&v),
            Body::Form(pairs) => req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(pairs)),
        };
        let resp = req.send().await.expect("request");
        let reply = Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        };
        if let Some(set) = reply.header("set-cookie") {
            let pair = set.split(';').next().unwrap().to_string();
            assert!(pair.starts_with("govnode_respondent="), "{set}");
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Lax"),
                "{set}"
            );
            self.cookie = Some(pair);
        }
        reply
    }

    async fn get(&mut self, t: &TestNode, path: &str) -> Reply {
        self.send(t, Method::GET, path, Body::None).await
    }

    async fn respond(&mut self, t: &TestNode, id: i64, answers: Value) -> Reply {
        let path = format!("/api/surveys/{id}/responses");
        let body = Body::Json(json!({ "answers": answers }));
        self.send(t, Method::POST, &path, body).await
    }
}

enum Body<'a> {
    None,
    Json(Value),
    Form(&'a [(&'a str, &'a str)]),
}

fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn setup() -> (TestNode, String) {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("sz", "深圳市人民政府").await;
    let admin = t.token(Role::SiteAdmin, Some("gd"), "gd-admin").await;
    (t, admin)
}

async fn create(t: &TestNode, token: &str, body: Value) -> i64 {
    let r = t.post("/api/admin/sites/gd/surveys", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

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
    for _ in 0..100 {
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
