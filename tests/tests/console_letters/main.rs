//! 办件 through the console's pages: a handler's inbox ranked (已超期, then 即将到期) with its
//! counts, filters and search; a letter opened with the citizen's data (each view in the
//! audit log); 受理, 要求补充材料, 答复 from a reply template, 办结; 转办 to another body by
//! name; the refusals: another body's handler (403 on the page and every action), a form
//! without its CSRF token, an action the state does not allow (explained in Chinese), an
//! unknown code (404). And the pages under Chromium with axe-core at 375 px.

use govnode_accounts::{Grant, Role};
use govnode_interaction::HandlerAction;
use govnode_tests::console::{Browser, between, csrf_of};
use govnode_tests::{Method, StatusCode, TestNode};
use serde_json::json;

mod attachments;
mod pages;

pub(crate) const HRSS: &str = "440000.hrss";
pub(crate) const CZT: &str = "440000.czt";

/// A node with site gd and two bodies.
pub(crate) async fn node() -> TestNode {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    for (slug, name) in [
        ("hrss", "广东省人力资源和社会保障厅"),
        ("czt", "广东省财政厅"),
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

/// Files a letter on gd: (code, password).
pub(crate) async fn file(
    t: &TestNode,
    kind: &str,
    body: &str,
    subject: &str,
    content: &str,
) -> (String, String) {
    let r = t
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gd",
            None,
            Some(
                json!({ "kind": kind, "body": body, "subject": subject, "content": content,
                "name": "张三丰", "phone": "13800138000", "email": "zhang@example.cn",
                "consent_public": true }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    (
        j["code"].as_str().unwrap().into(),
        j["password"].as_str().unwrap().into(),
    )
}

/// Accepts `code` and moves its due date to `due`.
pub(crate) async fn accepted_due(t: &TestNode, code: &str, due: &str) {
    t.node
        .interaction
        .act(code, "test", Some(HRSS), HandlerAction::Accept)
        .await
        .unwrap();
    sqlx::query("UPDATE tickets SET due_day = $1 WHERE code = $2")
        .bind(due)
        .bind(code)
        .execute(&t.node.db.write)
        .await
        .unwrap();
}

fn pos(text: &str, what: &str) -> usize {
    text.find(what)
        .unwrap_or_else(|| panic!("no {what} in {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_works_the_letters_desk() {
    let t = node().await;
    let (a, a_pw) = file(
        &t,
        "consultation",
        HRSS,
        "社保转移接续咨询",
        "请问跨省转移养老保险需要哪些材料？",
    )
    .await;
    let (b, _) = file(
        &t,
        "complaint",
        HRSS,
        "窗口排队时间过长",
        "办事大厅窗口排队两个小时，希望改进。",
    )
    .await;
    let (c, _) = file(
        &t,
        "suggestion",
        HRSS,
        "建议延长办公时间",
        "建议周六上午也开放办事窗口。",
    )
    .await;
    let (d, _) = file(
        &t,
        "consultation",
        CZT,
        "财政预算公开咨询",
        "请问部门预算在哪里公开？",
    )
    .await;
    let (e, _) = file(
        &t,
        "consultation",
        HRSS,
        "公积金提取咨询",
        "请问离职后如何提取住房公积金？",
    )
    .await;
    accepted_due(&t, &b, "2000-01-04").await;
    let today = govnode_topology::beijing::today()
        .format("%Y-%m-%d")
        .to_string();
    accepted_due(&t, &c, &today).await;

    let mut li = Browser::signed_in(&t, "li.handler", &[Grant::body(HRSS)]).await;
    let mut qian = Browser::signed_in(&t, "qian.handler", &[Grant::body(CZT)]).await;

    // The inbox: overdue first, then due soon, then the rest; counts; no other body's letter.
    let inbox = li.get("/admin/letters").await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text);
    let page = &inbox.text;
    assert!(
        pos(page, &b) < pos(page, &c) && pos(page, &c) < pos(page, &a),
        "{page}"
    );
    assert!(!page.contains(&d), "another body's letter is listed");
    assert!(page.contains("待办来信 <strong>4</strong>"), "{page}");
    assert!(page.contains("已超期</span> <strong>1</strong>"), "{page}");
    assert!(
        page.contains("即将到期</span> <strong>1</strong>"),
        "{page}"
    );
    assert!(
        page.contains("class=\"letter-danger\"") && page.contains("已超期 "),
        "{page}"
    );
    assert!(page.contains("广东省人力资源和社会保障厅") && page.contains("广东省人民政府"));
    assert!(
        !page.contains(&format!(">{HRSS}")) && !page.contains(">consultation"),
        "codes shown: {page}"
    );
    // Counts per state by name.
    assert!(page.contains("<th scope=\"col\">已受理</th>"), "{page}");

    // Filters and search.
    for (q, shown, hidden) in [
        ("?kind=complaint", vec![&b], vec![&a, &c]),
        ("?state=submitted", vec![&a, &e], vec![&b, &c]),
        (&*format!("?q={a}"), vec![&a], vec![&b, &e]),
        ("?q=%E6%8E%92%E9%98%9F", vec![&b], vec![&a, &c]), // 排队
        ("?site=gd", vec![&a, &b, &c], vec![]),
        ("?from=2000-01-01&to=2000-01-02", vec![], vec![&a, &b]),
    ] {
        let r = li.get(&format!("/admin/letters{q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text);
        for code in shown {
            assert!(r.text.contains(code.as_str()), "{q}: {code} missing");
        }
        for code in hidden {
            assert!(!r.text.contains(code.as_str()), "{q}: {code} listed");
        }
    }
    let bad = li.get("/admin/letters?kind=nonsense").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("请从列表中选择来信类型"), "{}", bad.text);
    let other = li.get(&format!("/admin/letters?body={CZT}")).await;
    assert!(
        other.text.contains("您只能查看本单位的来信"),
        "{}",
        other.text
    );

    // A letter: the citizen's data, recorded in the audit log without the data.
    let path = format!("/admin/letters/{a}");
    let open = li.get(&path).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.text);
    for shown in [
        "张三丰",
        "13800138000",
        "zhang@example.cn",
        "请问跨省转移养老保险",
        "提交",
        "已提交",
        "广东省人力资源和社会保障厅",
    ] {
        assert!(open.text.contains(shown), "{shown} missing: {}", open.text);
    }
    assert!(
        !open.text.contains(HRSS) && !open.text.contains("submitted"),
        "{}",
        open.text
    );
    let audit = t.node.content.audit(None, None, 50).await.unwrap();
    let seen: Vec<_> = audit
        .iter()
        .filter(|r| r.action == "view-personal" && r.object_id == a)
        .collect();
    assert_eq!(seen.len(), 1, "{audit:?}");
    assert_eq!(
        (seen[0].actor.as_str(), seen[0].object_kind.as_str()),
        ("li.handler", "ticket")
    );
    assert!(!seen[0].detail.contains("张三丰") && !seen[0].detail.contains("13800138000"));
    let mut admin = Browser::signed_in(&t, "wang.admin", &[Grant::node(Role::PlatformAdmin)]).await;
    let log = admin.get("/admin/audit?action=view-personal").await;
    assert!(
        log.text.contains("查看来信人信息") && log.text.contains(&format!("来信 {a}")),
        "{}",
        log.text
    );
    // Platform admins see every body's letters of this node.
    let all = admin.get("/admin/letters").await;
    assert!(
        all.text.contains(&a) && all.text.contains(&d),
        "{}",
        all.text
    );

    // Another body's handler: 403 on the page and on every action; an unknown code 404.
    let refused = qian.get(&path).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.text.contains("不属于您所在的单位"),
        "{}",
        refused.text
    );
    let qian_csrf = qian.csrf("/admin/letters").await;
    for action in [
        "accept",
        "refuse",
        "transfer",
        "start",
        "request-info",
        "reply",
        "extend",
        "close",
    ] {
        let r = qian
            .post(
                &format!("{path}/{action}"),
                &[
                    ("csrf", &qian_csrf),
                    ("reason", "不属本单位"),
                    ("text", "答复内容"),
                    ("question", "请补充"),
                    ("body", CZT),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}: {}", r.text);
    }
    assert_eq!(
        qian.get("/admin/letters/20000101ZZZZZZ").await.status,
        StatusCode::NOT_FOUND
    );
    let mut editor =
        Browser::signed_in(&t, "zhao.editor", &[Grant::site(Role::Editor, "gd")]).await;
    assert_eq!(
        editor.get("/admin/letters").await.status,
        StatusCode::FORBIDDEN
    );

    // A form without its CSRF token changes nothing.
    let r = li.post(&format!("{path}/accept"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("安全校验码"), "{}", r.text);
    let csrf = csrf_of(&open.text);
    assert!(li.get(&path).await.text.contains("已提交"));

    // 受理; then 受理 again is explained, not done.
    let r = li.post(&format!("{path}/accept"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.header("location"),
        Some(format!("{path}?done=accept").as_str())
    );
    let accepted = li.get(&format!("{path}?done=accept")).await;
    assert!(
        accepted.text.contains("已受理，答复期限已开始计算"),
        "{}",
        accepted.text
    );
    assert!(
        accepted.text.contains("已受理的来信不能再受理"),
        "not explained: {}",
        accepted.text
    );
    assert!(accepted.text.contains("个工作日"), "{}", accepted.text);
    assert!(accepted.text.contains("只有依申请公开的申请可以延期答复"));
    let again = li.post(&format!("{path}/accept"), &[("csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.text.contains("role=\"alert\"") && again.text.contains("已受理的来信不能再受理"),
        "{}",
        again.text
    );
    assert!(
        !again.text.contains("cannot"),
        "English shown: {}",
        again.text
    );

    // 要求补充材料, answered by the citizen.
    let r = li
        .post(
            &format!("{path}/request-info"),
            &[
                ("csrf", &csrf),
                ("question", "请补充原参保地的社保卡复印件"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let waiting = li.get(&path).await;
    assert!(
        waiting.text.contains("待补充材料") && waiting.text.contains("暂停计时"),
        "{}",
        waiting.text
    );
    assert!(
        waiting.text.contains("正在等待来信人补充材料"),
        "{}",
        waiting.text
    );
    t.node
        .interaction
        .supply_info(&a, &a_pw, "已上传社保卡复印件。")
        .await
        .unwrap();

    // A reply template, then 答复 from it (a too short reply refused first, what was typed kept).
    let tpl_csrf = li.csrf("/admin/letters/templates").await;
    let r = li
        .post(
            "/admin/letters/templates",
            &[
                ("csrf", &tpl_csrf),
                ("body", HRSS),
                ("id", ""),
                ("title", "社保转移答复"),
                (
                    "text",
                    "您好，跨省转移养老保险可在国家社会保险公共服务平台申请。",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let short = li
        .post(
            "/admin/letters/templates",
            &[
                ("csrf", &tpl_csrf),
                ("body", HRSS),
                ("id", ""),
                ("title", "短"),
                ("text", "内容"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.text.contains("模板标题：请填写 2–40 字"),
        "{}",
        short.text
    );
    let templates = li.get("/admin/letters/templates").await;
    assert!(
        templates.text.contains("社保转移答复"),
        "{}",
        templates.text
    );
    let id = between(&templates.text, "/admin/letters/templates/", "/delete");
    let filled = li.get(&format!("{path}?template={id}")).await;
    let text = between(
        &filled.text,
        "name=\"text\" rows=\"8\" maxlength=\"10000\" required>",
        "</textarea>",
    );
    assert_eq!(
        text,
        "您好，跨省转移养老保险可在国家社会保险公共服务平台申请。"
    );
    let short = li
        .post(&format!("{path}/reply"), &[("csrf", &csrf), ("text", "好")])
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.text.contains("答复：请填写答复内容（2–10000 字）"),
        "{}",
        short.text
    );
    assert!(
        short.text.contains(">好</textarea>"),
        "what was typed is lost"
    );
    let r = li
        .post(
            &format!("{path}/reply"),
            &[("csrf", &csrf), ("text", &text)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let replied = li.get(&path).await;
    assert!(replied.text.contains("已答复") && replied.text.contains(&text));
    assert!(
        replied
            .text
            .contains(&format!("href=\"{path}/publication\""))
            && replied.text.contains("申请答复公开")
    );
    assert!(
        replied.text.contains("已答复的来信不能再转办"),
        "{}",
        replied.text
    );

    // 办结.
    let r = li.post(&format!("{path}/close"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let closed = li.get(&path).await;
    assert!(
        closed.text.contains("已办结") && closed.text.contains("办结"),
        "{}",
        closed.text
    );

    // 延期答复: an application for disclosure, once.
    let r = t
        .call(Method::POST, "/api/interaction/tickets?site=gd", None, Some(json!({ "kind": "disclosure",
            "body": HRSS, "subject": "申请公开社保基金年报", "content": "请公开2025年社保基金年度报告。",
            "name": "李四", "phone": "13900139000", "id_number": "44010619900101123X" })))
        .await;
    let f = r.json()["code"].as_str().unwrap().to_string();
    t.node
        .interaction
        .act(&f, "test", Some(HRSS), HandlerAction::Accept)
        .await
        .unwrap();
    let f_path = format!("/admin/letters/{f}");
    let r = li
        .post(
            &format!("{f_path}/extend"),
            &[("csrf", &csrf), ("reason", "需要向其他单位征求意见")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let extended = li.get(&f_path).await;
    assert!(
        extended.text.contains("<dd>已延期</dd>")
            && extended.text.contains("延期答复过一次，不能再延期"),
        "{}",
        extended.text
    );
    let twice = li
        .post(
            &format!("{f_path}/extend"),
            &[("csrf", &csrf), ("reason", "再次延期")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // 转办 to another body of the node, picked by name; refused without a body.
    let e_path = format!("/admin/letters/{e}");
    let e_page = li.get(&e_path).await;
    assert!(
        e_page.text.contains("<optgroup label=\"广东省\">")
            && e_page
                .text
                .contains(&format!("<option value=\"{CZT}\">广东省财政厅</option>")),
        "{}",
        e_page.text
    );
    let none = li
        .post(
            &format!("{e_path}/transfer"),
            &[("csrf", &csrf), ("body", ""), ("reason", "属财政厅职责")],
        )
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(
        none.text.contains("请选择要转往的单位") && none.text.contains("属财政厅职责"),
        "{}",
        none.text
    );
    let r = li
        .post(
            &format!("{e_path}/transfer"),
            &[("csrf", &csrf), ("body", CZT), ("reason", "属财政厅职责")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.header("location"), Some("/admin/letters?done=transfer"));
    assert_eq!(li.get(&e_path).await.status, StatusCode::FORBIDDEN);
    let theirs = qian.get(&e_path).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.text);
    assert!(
        theirs
            .text
            .contains("由广东省人力资源和社会保障厅转至广东省财政厅。转办理由：属财政厅职责"),
        "{}",
        theirs.text
    );
    assert!(!theirs.text.contains("transferred"), "{}", theirs.text);
    t.stop().await;
}
