//! 信息审核, 工作台, 操作日志 and 信息分发 through the console's pages (issue 13): a reviewer
//! sees the queue of their site, 比对修改 shows a changed field and changed body lines,
//! 退回 needs a reason (refused in Chinese without one) and the editor's 工作台 shows it;
//! 审核通过, 定时发布, 立即发布, 撤稿 with a reason; the four-eyes rule explained and a forged
//! approval refused; a reviewer of another site sees nothing of this one; a form without
//! its CSRF token changes nothing; the audit log filtered and exported as CSV; a
//! distribution sent down the tree, 转载 at the county and the 回执 back at the province.

use govnode_accounts::{Grant, Role};
use govnode_content::{ArticleInput, State as ArticleState, Transition};
use govnode_tests::tree::Member;
use govnode_tests::{Reply, StatusCode, TestNode, TestTree};
use serde_json::json;

/// `s` percent-encoded for a form body or a query.
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

/// The text between `start` and the next `end`.
fn between(text: &str, start: &str, end: &str) -> String {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {text}"))
        + start.len();
    let stop = text[at..].find(end).expect("the end") + at;
    text[at..stop].to_string()
}

/// A signed-in member of staff's browser (no JavaScript).
struct Person {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Person {
    async fn sign_in(t: &TestNode, login: &str, grants: &[Grant]) -> Person {
        Person {
            http: t.http.clone(),
            base: t.url(""),
            cookie: t.console_session(login, grants).await,
        }
    }

    async fn reply(resp: reqwest::Response) -> Reply {
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("govnode_session={}", self.cookie))
            .send()
            .await
            .expect("request");
        Person::reply(resp).await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("govnode_session={}", self.cookie))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request");
        Person::reply(resp).await
    }

    /// The CSRF token of the forms of page `path`.
    async fn csrf(&self, path: &str) -> String {
        let page = self.get(path).await;
        between(&page.text, "name=\"csrf\" value=\"", "\"")
    }
}

fn input(title: &str, body: &str) -> ArticleInput {
    ArticleInput {
        column: Some("notice".into()),
        title: title.into(),
        body: body.into(),
        issuing_body: "广东省人民政府办公厅".into(),
        doc_number: "粤府办〔2026〕12号".into(),
        ..ArticleInput::default()
    }
}

#[tokio::test]
async fn review_dashboard_and_audit_through_the_pages() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "notice", "通知公告", "notice").await;
    t.site("gz", "广州市人民政府").await;
    t.column("gz", "notice", "通知公告", "notice").await;
    let content = t.node.app_state().content;

    let editor = Person::sign_in(&t, "li.bian", &[Grant::site(Role::Editor, "gd")]).await;
    let reviewer = Person::sign_in(&t, "wang.shen", &[Grant::site(Role::Reviewer, "gd")]).await;
    let other = Person::sign_in(&t, "chen.shen", &[Grant::site(Role::Reviewer, "gz")]).await;
    // Someone who both writes and reviews on gd.
    let both = Person::sign_in(
        &t,
        "zhao.shen",
        &[
            Grant::site(Role::Editor, "gd"),
            Grant::site(Role::Reviewer, "gd"),
        ],
    )
    .await;

    // A published notice, then revised by its editor: a new title and a changed line.
    let a = content
        .create_article(
            "li.bian",
            "gd",
            &input(
                "关于开展安全生产检查的通知",
                "第一条 检查范围为全省。\n第二条 检查时间为十二月。\n",
            ),
        )
        .await
        .unwrap();
    let id = a.id;
    content
        .transition("li.bian", id, Transition::Submit, None, None)
        .await
        .unwrap();
    for step in [Transition::Approve, Transition::Publish] {
        content
            .transition("wang.shen", id, step, None, None)
            .await
            .unwrap();
    }
    content
        .revise_article(
            "li.bian",
            id,
            &ArticleInput {
                column: None,
                ..input(
                    "关于开展安全生产大检查的通知",
                    "第一条 检查范围为全省。\n第二条 检查时间为十一月至十二月。\n",
                )
            },
        )
        .await
        .unwrap();
    content
        .transition("li.bian", id, Transition::Submit, None, None)
        .await
        .unwrap();

    // The queue: the site and column by name, who submitted.
    let queue = reviewer.get("/admin/review").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    assert!(
        queue.text.contains("关于开展安全生产大检查的通知")
            && queue.text.contains("广东省人民政府")
            && queue.text.contains("通知公告")
            && queue.text.contains("li.bian"),
        "{}",
        queue.text
    );
    assert_eq!(
        queue.headers.get("cache-control").unwrap(),
        "no-store",
        "never cached"
    );

    // 比对修改 against the live copy: the title marked, the changed line's characters.
    let review = format!("/admin/review/{id}");
    let page = reviewer.get(&review).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("线上版本（第 1 版）"), "{}", page.text);
    assert!(
        page.text.contains("<del>关于开展安全生产检查的通知</del>")
            && page
                .text
                .contains("<ins>关于开展安全生产大检查的通知</ins>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("已修改"), "{}", page.text);
    assert!(page.text.contains("<ins>一月至十</ins>"), "{}", page.text);
    assert!(
        page.text.contains("第一条 检查范围为全省。"),
        "{}",
        page.text
    );
    assert!(page.text.contains("审核通过") && page.text.contains("退回"));
    assert!(!page.text.contains("您编辑过该稿件"), "{}", page.text);

    // A form without its CSRF token changes nothing.
    let forged = reviewer
        .post(&format!("{review}/reject"), &[("reason", "没有令牌")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    assert_eq!(
        content.article(id).await.unwrap().state,
        ArticleState::Submitted
    );

    // 退回 needs a reason.
    let csrf = reviewer.csrf(&review).await;
    let empty = reviewer
        .post(
            &format!("{review}/reject"),
            &[("csrf", &csrf), ("reason", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.text);
    assert!(
        empty.text.contains("role=\"alert\">请填写退回原因"),
        "{}",
        empty.text
    );
    assert_eq!(
        content.article(id).await.unwrap().state,
        ArticleState::Submitted
    );
    let rejected = reviewer
        .post(
            &format!("{review}/reject"),
            &[("csrf", &csrf), ("reason", "检查时间与正文不一致，请核对")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.text);
    assert_eq!(
        content.article(id).await.unwrap().state,
        ArticleState::Rejected
    );

    // The editor's 工作台 shows it returned, with the reason.
    let home = editor.get("/admin/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    assert!(
        home.text.contains("退回给我的稿件")
            && home.text.contains("检查时间与正文不一致，请核对")
            && home.text.contains(&format!("/admin/articles/{id}")),
        "{}",
        home.text
    );
    assert!(
        home.text.contains("编辑（广东省人民政府）"),
        "{}",
        home.text
    );

    // Fixed and submitted again: the reviewer's 工作台 has it waiting.
    content
        .patch_article(
            "li.bian",
            id,
            &serde_json::from_value(json!({ "subtitle": "（已核对）" })).unwrap(),
        )
        .await
        .unwrap();
    content
        .transition("li.bian", id, Transition::Submit, None, None)
        .await
        .unwrap();
    let home = reviewer.get("/admin/").await;
    assert!(
        home.text.contains("等待我审核") && home.text.contains(&review),
        "{}",
        home.text
    );

    // 审核通过, then 定时发布 tomorrow at 09:30 Beijing time.
    let csrf = reviewer.csrf(&review).await;
    let r = reviewer
        .post(&format!("{review}/approve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        content.article(id).await.unwrap().state,
        ArticleState::Approved
    );
    let page = reviewer.get(&review).await;
    assert!(
        page.text.contains("立即发布") && page.text.contains("type=\"datetime-local\""),
        "{}",
        page.text
    );
    let tomorrow = govnode_topology::beijing::today().succ_opt().unwrap();
    let at = format!("{tomorrow}T09:30");
    let past = reviewer
        .post(
            &format!("{review}/publish"),
            &[
                ("csrf", &csrf),
                ("when", "scheduled"),
                ("at", "2020-01-01T09:30"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST, "{}", past.text);
    assert!(past.text.contains("须晚于现在"), "{}", past.text);
    let r = reviewer
        .post(
            &format!("{review}/publish"),
            &[("csrf", &csrf), ("when", "scheduled"), ("at", &at)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let scheduled = content.article(id).await.unwrap();
    assert_eq!(scheduled.state, ArticleState::Scheduled);
    assert_eq!(
        govnode_topology::beijing::minute(scheduled.scheduled_ms.unwrap()),
        format!("{tomorrow} 09:30")
    );
    let home = editor.get("/admin/").await;
    assert!(
        home.text.contains("定时发布") && home.text.contains(&format!("{tomorrow} 09:30")),
        "{}",
        home.text
    );

    // 立即发布 instead; the public page shows the new title.
    let r = reviewer
        .post(
            &format!("{review}/publish"),
            &[("csrf", &csrf), ("when", "now")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        content.article(id).await.unwrap().state,
        ArticleState::Published
    );
    let public = t.get(&format!("/sites/gd/articles/{id}")).await;
    assert!(public.text.contains("安全生产大检查"), "{}", public.text);
    let home = editor.get("/admin/").await;
    assert!(home.text.contains("最近发布"), "{}", home.text);

    // 撤稿 needs a reason too.
    let empty = reviewer
        .post(
            &format!("{review}/withdraw"),
            &[("csrf", &csrf), ("reason", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.text.contains("请填写撤稿原因"), "{}", empty.text);
    let r = reviewer
        .post(
            &format!("{review}/withdraw"),
            &[("csrf", &csrf), ("reason", "内容已过时")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        content.article(id).await.unwrap().state,
        ArticleState::Withdrawn
    );

    // Four eyes: zhao revised this one; the rule is explained, no approval offered, and a
    // forged approval refused.
    let own = content
        .create_article(
            "zhao.shen",
            "gd",
            &input("关于调整办公时间的通知", "正文。\n"),
        )
        .await
        .unwrap();
    content
        .transition("zhao.shen", own.id, Transition::Submit, None, None)
        .await
        .unwrap();
    let own_review = format!("/admin/review/{}", own.id);
    let page = both.get(&own_review).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text
            .contains("您编辑过该稿件，按照先审后发规定须由其他审核员审核"),
        "{}",
        page.text
    );
    assert!(page.text.contains("新稿件"), "{}", page.text);
    assert!(!page.text.contains("/approve\""), "{}", page.text);
    let csrf = both.csrf(&own_review).await;
    let forged = both
        .post(&format!("{own_review}/approve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    assert!(
        forged.text.contains("须由其他审核员审核"),
        "{}",
        forged.text
    );
    assert_eq!(
        content.article(own.id).await.unwrap().state,
        ArticleState::Submitted
    );

    // A reviewer of another site sees nothing of gd: not in the queue, not by URL.
    let queue = other.get("/admin/review").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        !queue.text.contains("关于调整办公时间的通知"),
        "{}",
        queue.text
    );
    let page = other.get(&own_review).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.text);
    assert!(!page.text.contains("关于调整办公时间的通知"));
    let csrf = other.csrf("/admin/review").await;
    let r = other
        .post(
            &format!("{own_review}/reject"),
            &[("csrf", &csrf), ("reason", "越权")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(
        content.article(own.id).await.unwrap().state,
        ArticleState::Submitted
    );
    // An editor has no review queue.
    assert_eq!(
        editor.get("/admin/review").await.status,
        StatusCode::FORBIDDEN
    );

    // 操作日志: an auditor filters by person and action and exports the CSV.
    let auditor = Person::sign_in(&t, "sun.shenji", &[Grant::node(Role::Auditor)]).await;
    let log = auditor
        .get("/admin/audit?person=wang.shen&action=reject")
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text);
    assert!(
        log.text.contains("共 1 条记录")
            && log.text.contains("检查时间与正文不一致，请核对")
            && log.text.contains("<td>退回</td>")
            && log.text.contains("广东省人民政府"),
        "{}",
        log.text
    );
    let today = govnode_topology::beijing::today();
    let dated = auditor
        .get(&format!("/admin/audit?site=gd&from={today}&to={today}"))
        .await;
    assert!(dated.text.contains("<td>撤稿</td>"), "{}", dated.text);
    let before = auditor
        .get("/admin/audit?site=gd&from=2020-01-01&to=2020-01-02")
        .await;
    assert!(before.text.contains("共 0 条记录"), "{}", before.text);
    let csv = auditor
        .get("/admin/audit.csv?person=wang.shen&action=reject")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment")),
        "{:?}",
        csv.headers
    );
    assert!(
        csv.text
            .starts_with("\u{feff}时间,操作人,操作,站点,对象,详情\r\n")
    );
    let rows: Vec<&str> = csv.text.trim_end().split("\r\n").collect();
    assert_eq!(rows.len(), 2, "{}", csv.text);
    assert!(
        rows[1].contains(",wang.shen,退回,广东省人民政府,")
            && rows[1].ends_with(",检查时间与正文不一致，请核对"),
        "{}",
        rows[1]
    );
    // A site admin reads their own site's records only; an editor none.
    let gz_admin = Person::sign_in(&t, "gz.admin", &[Grant::site(Role::SiteAdmin, "gz")]).await;
    let refused = gz_admin.get("/admin/audit?site=gd").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("您只能查看本站点的操作日志"));
    let own_log = gz_admin.get("/admin/audit").await;
    assert!(!own_log.text.contains("安全生产"), "{}", own_log.text);
    assert_eq!(
        editor.get("/admin/audit").await.status,
        StatusCode::FORBIDDEN
    );
    t.stop().await;
}

#[tokio::test]
async fn a_distribution_through_the_pages_comes_back_with_its_receipt() {
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let tree = TestTree::start(vec![
        m("440000", "广东省", None),
        m("440106", "天河区", Some("440000")),
    ])
    .await;
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "upper", "上级文件", "notice").await;
    let province = tree.node("440000");
    province.site("gd", "广东省人民政府").await;
    province.column("gd", "notice", "通知公告", "notice").await;
    let staff = province.staff("gd").await;
    let a = province
        .publish(
            "gd",
            &staff,
            json!({ "column": "notice", "title": "关于做好冬季防火工作的通知", "body": "各县（区）……" }),
        )
        .await;
    let id = a["id"].as_i64().unwrap().to_string();

    let sender = Person::sign_in(province, "gd.bian", &[Grant::site(Role::Editor, "gd")]).await;
    tree.wait_for("the county site offered as a target", || async {
        sender
            .get("/admin/distribution")
            .await
            .text
            .contains("天河区人民政府")
    })
    .await;
    let csrf = sender.csrf("/admin/distribution").await;
    let none = sender
        .post(
            "/admin/distribution/send",
            &[("csrf", &csrf), ("article", &id), ("note", "")],
        )
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(
        none.text.contains("请至少选择一个接收站点"),
        "{}",
        none.text
    );
    let r = sender
        .post(
            "/admin/distribution/send",
            &[
                ("csrf", &csrf),
                ("article", &id),
                ("targets", "tianhe"),
                ("note", "请尽快转载"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = sender.get("/admin/distribution").await;
    assert!(
        page.text.contains("关于做好冬季防火工作的通知") && page.text.contains("待接收"),
        "{}",
        page.text
    );

    // The county's inbox: 待接收 on the 工作台, 转载 into a column picked by name.
    let receiver = Person::sign_in(county, "th.bian", &[Grant::site(Role::Editor, "tianhe")]).await;
    tree.wait_for("the distribution in the county's inbox", || async {
        receiver
            .get("/admin/distribution")
            .await
            .text
            .contains("name=\"dist\"")
    })
    .await;
    let home = receiver.get("/admin/").await;
    assert!(
        home.text.contains("分发待接收") && home.text.contains("关于做好冬季防火工作的通知"),
        "{}",
        home.text
    );
    let page = receiver.get("/admin/distribution").await;
    assert!(page.text.contains("上级文件"), "{}", page.text);
    let dist = between(&page.text, "name=\"dist\" value=\"", "\"");
    let csrf = between(&page.text, "name=\"csrf\" value=\"", "\"");
    let r = receiver
        .post(
            "/admin/distribution/republish",
            &[
                ("csrf", &csrf),
                ("site", "tianhe"),
                ("dist", &dist),
                ("column", "upper"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = receiver.get("/admin/distribution").await;
    assert!(page.text.contains("已转载"), "{}", page.text);

    // The receipt comes back to the sender.
    tree.wait_for("the receipt at the province", || async {
        let page = sender.get("/admin/distribution").await;
        page.text.contains("已转载</a>")
    })
    .await;
    tree.shutdown().await;
}

/// Whether the browser tools are there; under CI a missing one fails the test.
fn browser_missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let missing = if !std::path::Path::new(&chromium).is_file() {
        Some(format!("{chromium} (apt-get install chromium)"))
    } else if !dir.join("node_modules/playwright-core").is_dir() {
        Some("playwright-core (npm ci in tests/browser)".into())
    } else {
        None
    };
    if let Some(tool) = &missing {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the browser test needs {tool}; .ci/run installs it"
        );
    }
    missing
}

/// Issue 13, browser test 1: write → reject → fix → approve and schedule → live → found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_from_writing_to_search_in_chromium() {
    if let Some(tool) = browser_missing() {
        eprintln!("SKIPPED: the browser test needs {tool}");
        return;
    }
    use govnode_accounts::{Access, NewUser};
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    let first = "Chushi-Mima-2026";
    t.node
        .app_state()
        .users
        .create(
            &Access::operator("test"),
            &NewUser {
                login: "xin.bian".into(),
                display_name: "新编辑".into(),
                ..NewUser::default()
            },
            first,
            &[Grant::site(Role::Editor, "gd")],
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();
    let reviewer = t
        .console_session("shen.he", &[Grant::site(Role::Reviewer, "gd")])
        .await;
    let title = "关于优化营商环境若干措施的通知";
    let fixed = "关于进一步优化营商环境若干措施的通知";
    let reason = "标题请补充“进一步”";
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(
        &plan,
        json!({
            "base": t.url(""), "site": "gd", "column": "zcwj",
            "editor": { "login": "xin.bian", "first": first, "password": "Xin-Bianji-Mima-88" },
            "reviewer_cookie": reviewer, "title": title, "fixed_title": fixed, "reason": reason,
        })
        .to_string(),
    )
    .unwrap();
    let out = tokio::process::Command::new("node")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/workflow.mjs"))
        .arg(&plan)
        .kill_on_drop(true)
        .output()
        .await
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(report["failure"].is_null(), "{report:#}");
    assert_eq!(report["errors"], json!([]), "{report:#}");
    let step = |name: &str| {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no step {name}: {report:#}"))
            .clone()
    };
    assert!(
        step("first sign-in")["url"]
            .as_str()
            .unwrap()
            .ends_with("/admin/password")
    );
    assert!(
        step("password changed")["url"]
            .as_str()
            .unwrap()
            .ends_with("/admin/")
    );
    // The toolbar and autosave: the bold placeholder was saved by the script's PATCH.
    let autosaved = step("autosaved");
    assert!(
        autosaved["status"]
            .as_str()
            .unwrap()
            .contains("已自动保存草稿")
            && autosaved["body"].as_str().unwrap().contains("**加粗文字**"),
        "{autosaved:#}"
    );
    let preview = step("preview");
    assert!(
        preview["text"].as_str().unwrap().contains("预览")
            && preview["tables"].as_u64() >= Some(1)
            && preview["headings"].as_u64() >= Some(1)
            && preview["images"].as_u64() >= Some(1),
        "{preview:#}"
    );
    assert!(
        step("submitted")["text"]
            .as_str()
            .unwrap()
            .contains("待审核")
    );
    let diff = step("diff");
    assert!(
        diff["text"]
            .as_str()
            .unwrap()
            .contains(&format!("比对修改：{title}")),
        "{diff:#}"
    );
    assert!(step("dashboard")["text"].as_str().unwrap().contains(reason));
    assert!(
        step("second diff")["html"]
            .as_str()
            .unwrap()
            .contains(&format!("<ins>{fixed}</ins>")),
        "{report:#}"
    );
    assert!(
        step("scheduled")["text"]
            .as_str()
            .unwrap()
            .contains("已设置定时发布")
    );
    let id = report["id"].as_i64().unwrap();
    let content = t.node.app_state().content;
    assert_eq!(
        content.article(id).await.unwrap().state,
        ArticleState::Scheduled
    );

    // It goes live at that time (the scheduler), and search finds it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let found = t.search("进一步优化营商环境").await;
        if found["hits"]
            .as_array()
            .is_some_and(|h| h.iter().any(|x| x.to_string().contains(fixed)))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not live and found by {}: {found}",
            report["at"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let public = t.get(&format!("/sites/gd/articles/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text.contains(fixed) && public.text.contains("<table"));
    t.stop().await;
}
