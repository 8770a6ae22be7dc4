//! The citizens' letters pages (issue 11, "Citizens"): problems said in Chinese next to
//! their fields with the input kept; filing redirects to a confirmation that shows the
//! tracking code and password once (never in a URL); the tracking page tells the history
//! in words, Beijing time and bodies by name, and offers 补充材料 and 评价 when the state
//! allows, the password proved again in the body.

use super::form_body;
use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::json;

/// A letter's fields as the form sends them.
const LETTER: [(&str, &str); 6] = [
    ("kind", "consultation"),
    ("body", "440000.zwfw"),
    ("subject", "社保卡补办需要多久"),
    ("content", "请问社会保障卡丢失后补办需要几个工作日？"),
    ("name", "王五"),
    ("phone", "13700137000"),
];

/// A node with site `gd` and two bodies, 政务服务数据管理局 and 信访局, of this node.
async fn node() -> TestNode {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    for (slug, name) in [
        ("zwfw", "广东省政务服务数据管理局"),
        ("xfj", "广东省信访局"),
    ] {
        let r = t
            .call(
                Method::PUT,
                &format!("/api/admin/interaction/bodies/{slug}"),
                Some(&t.admin),
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    t
}

/// Posts a URL-encoded form to `path` (optionally by host name).
pub async fn post(
    t: &TestNode,
    host: Option<&str>,
    path: &str,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    let mut r = t
        .http
        .post(t.url(path))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(host) = host {
        r = r.header("host", host);
    }
    r.body(form_body(pairs)).send().await.unwrap()
}

/// The text between `<strong>` and `</strong>` after `label` in `html`.
fn strong_after(html: &str, label: &str) -> String {
    let rest = &html[html
        .find(label)
        .unwrap_or_else(|| panic!("{label}: {html}"))
        + label.len()..];
    let rest = &rest[rest.find("<strong>").unwrap() + "<strong>".len()..];
    rest[..rest.find("</strong>").unwrap()].to_string()
}

/// Follows a filing's redirect with its receipt cookie: (code, password, confirmation page).
pub async fn receipt(t: &TestNode, resp: reqwest::Response) -> (String, String, String) {
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    let token = cookie.split(';').next().unwrap().to_string();
    let page = t
        .http
        .get(t.url(&location))
        .header("cookie", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("提交成功"), "{html}");
    (
        strong_after(&html, "<dt>查询码</dt>"),
        strong_after(&html, "<dt>查询密码</dt>"),
        html,
    )
}

async fn tickets(t: &TestNode) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&t.node.db.read)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_are_said_in_chinese_next_to_their_fields() {
    let t = node().await;
    let mut letter = LETTER.to_vec();
    letter[3] = ("content", "太短了吧");
    letter[5] = ("phone", "12ab");
    let r = post(&t, None, "/sites/gd/letters", &letter).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    for (field, message) in [
        ("content", "信件内容应为 5 至 5000 字（现为 4 字）"),
        ("phone", "联系电话应为 6 至 20 位数字"),
    ] {
        // Next to the field, tied to it, and listed in the summary linking to it.
        assert!(
            html.contains(&format!(
                "<p class=\"field-error\" id=\"{field}-error\">{message}</p>"
            )),
            "{field}: {html}"
        );
        let control = &html[html.find(&format!("id=\"{field}\"")).unwrap()..];
        let control = &control[..control.find('>').unwrap()];
        assert!(
            control.contains(&format!("{field}-error\""))
                && control.contains("aria-invalid=\"true\""),
            "{control}"
        );
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{message}</a>")),
            "{html}"
        );
    }
    assert!(
        !html.contains("content:") && !html.contains("phone:"),
        "{html}"
    );
    // Labels name the fields as the messages do; what was typed is kept.
    assert!(html.contains("<label for=\"content\">信件内容"), "{html}");
    assert!(html.contains("<label for=\"phone\">联系电话"), "{html}");
    assert!(html.contains(">太短了吧</textarea>") && html.contains("value=\"社保卡补办需要多久\""));
    assert!(
        html.contains("<option value=\"440000.zwfw\" selected>"),
        "{html}"
    );
    // Nothing was filed; the large textarea is there.
    assert_eq!(tickets(&t).await, 0);
    assert!(html.contains("rows=\"12\""), "{html}");
    // The stylesheet sizes the controls, in elder mode too.
    let css = t.get("/static/site.css").await.text;
    assert!(css.contains(".letter-form textarea#content") && css.contains(".elder .letter-form"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filing_redirects_and_the_receipt_is_shown_once() {
    let t = node().await;
    let resp = post(&t, None, "/sites/gd/letters", &LETTER).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/sites/gd/letters/sent");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    for part in [
        "govnode_receipt=",
        "Path=/sites/gd/letters",
        "HttpOnly",
        "Max-Age=600",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let token = cookie.split(';').next().unwrap().to_string();
    let page = t
        .http
        .get(t.url("/sites/gd/letters/sent"))
        .header("cookie", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(
        page.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let html = page.text().await.unwrap();
    let password = strong_after(&html, "<dt>查询密码</dt>");
    let code = strong_after(&html, "<dt>查询码</dt>");
    assert!(html.contains("已提交至广东省政务服务数据管理局"), "{html}");
    assert!(password.len() == 8 && code.len() == 14, "{code} {password}");
    // The password opens the ticket.
    let r = post(
        &t,
        None,
        "/sites/gd/letters",
        &[
            ("action", "track"),
            ("code", &code),
            ("password", &password),
        ],
    )
    .await;
    assert!(r.text().await.unwrap().contains("社保卡补办需要多久"));
    // A refresh files nothing and shows the password no more.
    for cookie in [Some(token.as_str()), None] {
        let mut again = t.http.get(t.url("/sites/gd/letters/sent"));
        if let Some(c) = cookie {
            again = again.header("cookie", c);
        }
        let html = again.send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("页面已失效") && !html.contains(&password),
            "{html}"
        );
    }
    assert_eq!(tickets(&t).await, 1);
    // By host name: the same, on the host's paths.
    let resp = post(&t, Some("gd.gov.test"), "/letters", &LETTER).await;
    assert_eq!(resp.headers()["location"], "/letters/sent");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Path=/letters;"), "{cookie}");
    let token = cookie.split(';').next().unwrap().to_string();
    let page = t
        .http
        .get(t.url("/letters/sent"))
        .header("host", "gd.gov.test")
        .header("cookie", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<dt>查询密码</dt>"), "{page}");
    assert_eq!(tickets(&t).await, 2);
    t.stop().await;
}

/// Posts a tracking page's form and answers (status, cache-control, page).
async fn act(t: &TestNode, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
    let r = post(t, None, "/sites/gd/letters", pairs).await;
    let status = r.status();
    let cache = r.headers()["cache-control"].to_str().unwrap().to_string();
    (status, cache, r.text().await.unwrap())
}

async fn handle(t: &TestNode, token: &str, code: &str, action: serde_json::Value) {
    let r = t
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/actions"),
            Some(token),
            Some(action),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tracking_page_tells_the_history_and_takes_material_and_a_rating() {
    let t = node().await;
    let (code, pw, _) = receipt(&t, post(&t, None, "/sites/gd/letters", &LETTER).await).await;
    let zwfw = t
        .token(Role::Handler, Some("440000.zwfw"), "经办人甲")
        .await;
    let xfj = t.token(Role::Handler, Some("440000.xfj"), "经办人乙").await;
    handle(
        &t,
        &zwfw,
        &code,
        json!({ "action": "transfer", "body": "440000.xfj", "reason": "属信访局职责" }),
    )
    .await;
    handle(&t, &xfj, &code, json!({ "action": "accept" })).await;
    handle(
        &t,
        &xfj,
        &code,
        json!({ "action": "request_info", "question": "请提供原社保卡号" }),
    )
    .await;
    let track = [
        ("action", "track"),
        ("code", code.as_str()),
        ("password", pw.as_str()),
    ];
    let (status, cache, html) = act(&t, &track).await;
    assert_eq!((status, cache.as_str()), (StatusCode::OK, "no-store"));
    // States and actions by name, bodies by name, times in Beijing time.
    for words in [
        "已提交",
        "转办",
        "由广东省政务服务数据管理局转至广东省信访局。转办理由：属信访局职责",
        "已受理",
        "待补充材料",
        "受理单位请您补充：请提供原社保卡号",
        "<td>广东省信访局</td>",
    ] {
        assert!(html.contains(words), "{words}: {html}");
    }
    for code_word in [
        "submitted",
        "transferred",
        "440000.",
        "info_requested",
        ">accepted",
    ] {
        assert!(!html.contains(code_word), "{code_word}: {html}");
    }
    let filed: i64 = sqlx::query_scalar("SELECT filed_ms FROM tickets WHERE code = $1")
        .bind(&code)
        .fetch_one(&t.node.db.read)
        .await
        .unwrap();
    let when = govnode_topology::beijing::minute(filed);
    assert!(
        html.contains(&format!("<time>{when}</time>")),
        "{when}: {html}"
    );
    // Only the form the state allows, the password asked again and never in the page.
    assert!(
        html.contains("name=\"action\" value=\"supplement\"") && !html.contains("value=\"rate\"")
    );
    assert!(!html.contains(&pw));

    // Material: a wrong password keeps what was typed; too short is said; then it is taken.
    let material = "原社保卡号为 123456789";
    let (status, _, html) = act(
        &t,
        &[
            ("action", "supplement"),
            ("code", &code),
            ("password", "wrongpass"),
            ("text", material),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("查询码或查询密码不正确") && html.contains(material),
        "{html}"
    );
    let (status, _, html) = act(
        &t,
        &[
            ("action", "supplement"),
            ("code", &code),
            ("password", &pw),
            ("text", "好"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("补充材料应为 2 至 5000 字（现为 1 字）"),
        "{html}"
    );
    let (status, cache, html) = act(
        &t,
        &[
            ("action", "supplement"),
            ("code", &code),
            ("password", &pw),
            ("text", material),
        ],
    )
    .await;
    assert_eq!((status, cache.as_str()), (StatusCode::OK, "no-store"));
    assert!(
        html.contains("补充材料已提交") && html.contains("办理中"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<strong>补充材料</strong>（办理中）<br>{material}"
        )),
        "{html}"
    );

    // A reply: the rating form, a choice required, then 满意; once only.
    handle(
        &t,
        &xfj,
        &code,
        json!({ "action": "reply", "text": "补办需5个工作日。" }),
    )
    .await;
    let (_, _, html) = act(&t, &track).await;
    assert!(
        html.contains("已答复") && html.contains("补办需5个工作日。"),
        "{html}"
    );
    assert!(html.contains("name=\"action\" value=\"rate\"") && html.contains("基本满意"));
    let (status, _, html) = act(
        &t,
        &[("action", "rate"), ("code", &code), ("password", &pw)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("请选择评价：满意、基本满意或不满意"),
        "{html}"
    );
    let rate = [
        ("action", "rate"),
        ("code", code.as_str()),
        ("password", pw.as_str()),
        ("rating", "5"),
        ("comment", "答复及时"),
    ];
    let (status, _, html) = act(&t, &rate).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("感谢您的评价") && html.contains("已评价") && html.contains("<td>满意</td>"),
        "{html}"
    );
    let (status, _, html) = act(&t, &rate).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("该信件目前为“已评价”，不能评价"), "{html}");
    t.stop().await;
}
