//! The pre-publication check (issue 15): an article with a misspelt leader's name is shown
//! with its finding to the reviewer (console and API), approval is refused until the
//! reviewer gives a reason, and the override with its reason is in the audit log; the
//! site's content scan finds a sensitive word in a published article and a dark link in a
//! template override.

use govnode_accounts::{Grant, Role};
use govnode_tests::{Reply, StatusCode, TestNode};
use reqwest::Method;
use serde_json::json;

/// `s` percent-encoded for a form body.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A signed-in reviewer's browser (no JavaScript).
struct Person {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Person {
    async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req
            .header("cookie", format!("govnode_session={}", self.cookie))
            .send()
            .await
            .expect("request");
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }
}

/// Creates an article as the editor and submits it; its id.
async fn submitted(t: &TestNode, editor: &str, title: &str, body: &str) -> i64 {
    let r = t
        .post(
            "/api/admin/sites/gd/articles",
            editor,
            json!({ "column": "news", "title": title, "body": body }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    let r = t
        .post(
            &format!("/api/admin/articles/{id}/submit"),
            editor,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    id
}

const LEADER: &str = "‘习进平’疑为国家领导人姓名或机构名称的错误写法，应为‘习近平’";

#[tokio::test]
async fn a_serious_finding_blocks_approval_until_overridden_with_a_reason() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "news", "政务动态", "news").await;
    let staff = t.staff("gd").await;
    let state = t.node.app_state();

    let id = submitted(
        &t,
        &staff.editor,
        "全省深入学习习进平总书记重要讲话精神",
        "会议强调，要做为表率，抓好落实。",
    )
    .await;

    // The API shows the findings, the serious one first.
    let r = t
        .call(
            Method::GET,
            &format!("/api/admin/articles/{id}/checks"),
            Some(&staff.reviewer),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let checks = r.json();
    assert_eq!(checks[0]["serious"], true, "{checks}");
    assert_eq!(checks[0]["detail"], LEADER);
    assert_eq!(checks[1]["serious"], false);
    assert_eq!(checks[1]["text"], "做为");

    // The reviewer sees the finding on the console's review page, with the override field.
    let reviewer = Person {
        http: t.http.clone(),
        base: t.url(""),
        cookie: t
            .console_session("wang.shen", &[Grant::site(Role::Reviewer, "gd")])
            .await,
    };
    let review = format!("/admin/review/{id}");
    let page = reviewer.get(&review).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for text in [
        "发布前检查",
        "严重错误",
        LEADER,
        "疑似错别字",
        "越过检查的理由",
    ] {
        assert!(page.text.contains(text), "{text}: {}", page.text);
    }
    let csrf = page
        .text
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();

    // Approval without a reason is refused, naming the finding (console and API).
    let refused = reviewer
        .post(&format!("{review}/approve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert!(
        refused.text.contains("发布前检查发现严重问题") && refused.text.contains(LEADER),
        "{}",
        refused.text
    );
    let r = t
        .post(
            &format!("/api/admin/articles/{id}/approve"),
            &staff.reviewer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        r.text.contains("习进平") && r.text.contains("override_reason"),
        "{}",
        r.text
    );
    // An override reason is for approval only.
    let r = t
        .post(
            &format!("/api/admin/articles/{id}/reject"),
            &staff.reviewer,
            json!({ "reason": "请修改", "override_reason": "x" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        state.content.article(id).await.unwrap().state.as_str(),
        "submitted"
    );

    // With a reason it goes ahead, and the audit log keeps the override and its reason.
    let ok = reviewer
        .post(
            &format!("{review}/approve"),
            &[
                ("csrf", &csrf),
                ("override_reason", "引用的是错误示例，已与作者核实"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(
        state.content.article(id).await.unwrap().state.as_str(),
        "approved"
    );
    let audit = state.content.audit(Some("gd"), None, 50).await.unwrap();
    let rec = audit
        .iter()
        .find(|r| r.action == govnode_content::OVERRIDE_ACTION)
        .expect("the override is audited");
    assert_eq!(rec.actor, "wang.shen");
    assert_eq!(rec.object_id, id.to_string());
    assert_eq!(
        rec.detail,
        "理由：引用的是错误示例，已与作者核实；问题：习进平"
    );
    t.stop().await;
}

#[tokio::test]
async fn the_site_scan_finds_a_sensitive_word_and_a_planted_dark_link() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "news", "政务动态", "news").await;
    let staff = t.staff("gd").await;
    let state = t.node.app_state();

    let clean = submitted(
        &t,
        &staff.editor,
        "全省政务服务工作会议召开",
        "会议部署了工作。",
    )
    .await;
    let bad = submitted(
        &t,
        &staff.editor,
        "关于打击违法广告的通报",
        "近期发现有网站发布“网上赌场”广告，请各单位提高警惕。",
    )
    .await;
    // The clean article needs no reason; the other goes ahead over the API with one.
    for (id, body) in [
        (clean, json!({})),
        (
            bad,
            json!({ "override_reason": "通报违法广告，须引用原词" }),
        ),
    ] {
        for (action, body) in [("approve", body), ("publish", json!({}))] {
            let r = t
                .post(
                    &format!("/api/admin/articles/{id}/{action}"),
                    &staff.reviewer,
                    body,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{action} {id}: {}", r.text);
        }
    }

    // A template override carrying a link hidden off screen (a planted 暗链).
    let src = "{% extends \"layout.html\" %}{% block content %}<h1>首页</h1>\
        <div style=\"position:absolute;left:-9999px\"><a href=\"http://bet.example/\">百家乐</a></div>{% endblock %}";
    let r = t
        .call(
            Method::PUT,
            "/api/admin/sites/gd/templates/home.html",
            Some(&t.admin),
            Some(json!({ "source": src })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let now = chrono::Utc::now().timestamp_millis();
    let mut found = state
        .monitoring
        .check_site_content(&state.content, "gd", now)
        .await
        .unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let dark = found.pop().unwrap();
    assert_eq!(dark.indicator, govnode_monitoring::Indicator::DarkLink);
    assert_eq!(dark.subject, "模板 home.html");
    assert!(
        dark.detail.contains("http://bet.example/") && dark.detail.contains("定位到页面之外"),
        "{}",
        dark.detail
    );
    assert_eq!(found[0].subject, "关于打击违法广告的通报");
    assert_eq!(
        found[0].detail,
        "含敏感词‘网上赌场’，不宜出现在政府网站上，请删除或核实"
    );
    assert_eq!(
        found[0].indicator,
        govnode_monitoring::Indicator::SeriousError
    );
    let stored = state.monitoring.findings("gd").await.unwrap();
    assert!(
        stored.iter().any(|f| f.detail == found[0].detail),
        "{stored:?}"
    );
    t.stop().await;
}
