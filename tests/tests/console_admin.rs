//! 单位与办件设置 and 征集调查 through the console's pages: bodies added and renamed by name,
//! the letters desk set per site (a letter without a body goes to it), next year's holiday
//! notice added and a bad line named, a changed deadline changing a new letter's due date;
//! a survey created, opened, answered by three citizens, closed, its results shown with
//! charts, editing its questions after a response refused in Chinese; an editor of another
//! site refused; every new page checked in Chromium with axe-core at 375 px.

use govnode_accounts::{Grant, Role};
use govnode_tests::browser::{assert_no_problems, available, check, text_of};
use govnode_tests::console::{Browser, csrf_of};
use govnode_tests::{Method, StatusCode, TestNode};
use serde_json::json;

/// The id in a `Location: /admin/surveys/{id}?…`.
fn survey_id(location: &str) -> i64 {
    location
        .trim_start_matches("/admin/surveys/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{location}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_desks_calendar_and_deadlines() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gdjyt", "广东省教育厅").await;
    let mut admin = Browser::signed_in(&t, "wang.admin", &[Grant::node(Role::PlatformAdmin)]).await;
    let csrf = admin.csrf("/admin/bodies").await;

    // Bodies: added with a superior picked by name, then renamed.
    let r = admin
        .post(
            "/admin/bodies",
            &[
                ("csrf", &csrf),
                ("slug", "xfj"),
                ("name", "广东省信访局"),
                ("superior", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = admin
        .post(
            "/admin/bodies",
            &[
                ("csrf", &csrf),
                ("slug", "jyt"),
                ("name", "广东省教育厅"),
                ("superior", "440000.xfj"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // A bad slug is named in Chinese, the form kept.
    let r = admin
        .post(
            "/admin/bodies",
            &[
                ("csrf", &csrf),
                ("slug", "Bad Slug"),
                ("name", "某某局"),
                ("superior", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text.contains("简称（英文标识）须为") && r.text.contains("某某局"),
        "{}",
        r.text
    );
    let r = admin
        .post(
            "/admin/bodies/xfj/rename",
            &[("csrf", &csrf), ("name", "广东省信访局（受理中心）")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let p = admin.get("/admin/bodies").await;
    assert!(
        p.text
            .contains("<th scope=\"row\">广东省信访局（受理中心）</th>"),
        "{}",
        p.text
    );
    // The superior is shown by its (new) name, never its id.
    assert!(
        p.text
            .contains("<th scope=\"row\">广东省教育厅</th><td>广东省信访局（受理中心）</td>"),
        "{}",
        p.text
    );
    assert!(!p.text.contains(">440000.xfj<"), "{}", p.text);

    // The desk of 广东省人民政府: a letter without a body goes to it.
    let r = admin
        .post(
            "/admin/bodies/desk",
            &[("csrf", &csrf), ("site", "gd"), ("body", "440000.xfj")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let p = admin.get("/admin/bodies").await;
    assert!(
        p.text.contains("<td>广东省信访局（受理中心）</td>"),
        "{}",
        p.text
    );
    let letter = json!({ "kind": "consultation", "subject": "孩子入学需要哪些材料",
        "content": "外省户籍孩子在广州入学需要准备哪些材料？", "name": "赵六", "phone": "13600136000" });
    let file = || {
        t.call(
            Method::POST,
            "/api/interaction/tickets?site=gd",
            None,
            Some(letter.clone()),
        )
    };
    let r = file().await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let code = r.json()["code"].as_str().unwrap().to_string();
    let xfj = t
        .token(Role::Handler, Some("440000.xfj"), "信访局经办人")
        .await;
    let inbox = t
        .call(
            Method::GET,
            "/api/admin/interaction/inbox",
            Some(&xfj),
            None,
        )
        .await;
    assert!(inbox.text.contains(&code), "{}", inbox.text);
    let accept = |code: String| {
        let (t, xfj) = (&t, xfj.clone());
        async move {
            let r = t
                .call(
                    Method::POST,
                    &format!("/api/admin/interaction/tickets/{code}/actions"),
                    Some(&xfj),
                    Some(json!({ "action": "accept" })),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.json()["due_day"].as_str().unwrap().to_string()
        }
    };
    let due_before = accept(code).await;

    // The calendar: the shipped years with their holidays, by name.
    let p = admin.get("/admin/calendar").await;
    assert_eq!(p.status, StatusCode::OK);
    for needle in [
        "2026年",
        "春节",
        "2026年2月15日至2月23日",
        "随系统发布",
        "咨询",
        "依申请公开",
    ] {
        assert!(p.text.contains(needle), "missing {needle}: {}", p.text);
    }
    // A bad line is named.
    let r = admin
        .post(
            "/admin/calendar/year",
            &[
                ("csrf", &csrf),
                ("year", "2027"),
                ("holidays", "1月1日 元旦\n2月30日 春节"),
                ("workdays", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("放假安排第 2 行"), "{}", r.text);
    assert!(
        r.text.contains("2月30日 春节"),
        "the form is kept: {}",
        r.text
    );
    // A make-up day on a weekday is named too (2027-01-04 is a Monday).
    let r = admin
        .post(
            "/admin/calendar/year",
            &[
                ("csrf", &csrf),
                ("year", "2027"),
                ("holidays", "1月1日至3日 元旦"),
                ("workdays", "1月4日 元旦调休"),
            ],
        )
        .await;
    assert!(
        r.text.contains("调休上班第 1 行") && r.text.contains("星期一"),
        "{}",
        r.text
    );
    let r = admin
        .post(
            "/admin/calendar/year",
            &[
                ("csrf", &csrf),
                ("year", "2027"),
                ("holidays", "1月1日至3日 元旦\n2月6日至13日 春节"),
                ("workdays", "2月14日 春节调休"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let p = admin.get("/admin/calendar").await;
    assert!(p.text.contains("2027年2月6日至2月13日"), "{}", p.text);
    assert!(p.text.contains("本节点设置"), "{}", p.text);
    let cal = t.node.app_state().interaction.calendar();
    assert!(cal.covers(2027) && cal.covers(2026));

    // The deadline policy: consultations from 3 to 10 working days.
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
    for (code, days) in [
        ("leader_mailbox", "15"),
        ("consultation", "10"),
        ("complaint", "15"),
        ("suggestion", "7"),
        ("report", "15"),
        ("site_error", "3"),
        ("disclosure", "20"),
    ] {
        fields.push((format!("days_{code}"), days.into()));
    }
    fields.push(("extension".into(), "20".into()));
    fields.push(("warn".into(), "1".into()));
    let mut bad = fields.clone();
    bad[2].1 = "0".into();
    let as_refs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
    let pairs = as_refs(&bad);
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = admin.post("/admin/calendar/policy", &refs).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("“咨询”须为 1–60 个工作日"), "{}", r.text);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = admin.post("/admin/calendar/policy", &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = file().await;
    let code = r.json()["code"].as_str().unwrap().to_string();
    let due_after = accept(code).await;
    assert!(due_after > due_before, "{due_before} → {due_after}");

    // A form without its CSRF token changes nothing.
    let r = admin
        .post(
            "/admin/bodies",
            &[("slug", "x"), ("name", "无令牌局"), ("superior", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!admin.get("/admin/bodies").await.text.contains("无令牌局"));

    // Only platform administrators.
    let mut editor = Browser::signed_in(&t, "li.bian", &[Grant::site(Role::SiteAdmin, "gd")]).await;
    assert_eq!(
        editor.get("/admin/bodies").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        editor.get("/admin/calendar").await.status,
        StatusCode::FORBIDDEN
    );
    let r = editor
        .post("/admin/calendar/year", &[("csrf", &csrf), ("year", "2028")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_from_draft_to_results() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gz", "广州市人民政府").await;
    let mut editor = Browser::signed_in(&t, "li.bian", &[Grant::site(Role::Editor, "gd")]).await;
    let p = editor.get("/admin/surveys").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert!(
        p.text.contains("广东省人民政府") && !p.text.contains("广州市人民政府"),
        "{}",
        p.text
    );
    let csrf = csrf_of(&editor.get("/admin/surveys/new?site=gd").await.text);
    let today = govnode_topology::beijing::today();
    let opens = today.to_string();
    let closes = (today + chrono::Days::new(10)).to_string();
    let base = [
        ("csrf", csrf.as_str()),
        ("site", "gd"),
        ("title", "公交线路优化意见征集"),
        ("body", "广东省交通运输厅"),
        ("description", "欢迎提出意见"),
        ("opens", opens.as_str()),
        ("closes", closes.as_str()),
        ("q0_text", "您多久乘坐一次公交？"),
        ("q0_kind", "single"),
        ("q0_options", "每天\n每周\n很少"),
        ("q0_required", "1"),
        ("q1_text", "您希望增加哪些线路？"),
        ("q1_kind", "text"),
        ("q1_options", ""),
    ];
    // 再加一题 comes back with one more empty question, nothing saved.
    let mut more = base.to_vec();
    more.push(("action", "more"));
    let r = editor.post("/admin/surveys/new", &more).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.text.contains("第 3 题") && r.text.contains("name=\"q2_text\""),
        "{}",
        r.text
    );
    // A choice question with one option is named in Chinese.
    let mut bad = base.to_vec();
    bad[9] = ("q0_options", "每天");
    bad.push(("action", "save"));
    let r = editor.post("/admin/surveys/new", &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text.contains("第 1 题是选择题，须有 2–20 个选项"),
        "{}",
        r.text
    );
    let mut save = base.to_vec();
    save.push(("action", "save"));
    let r = editor.post("/admin/surveys/new", &save).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = survey_id(r.header("location").unwrap());
    let page = format!("/admin/surveys/{id}");
    let p = editor.get(&page).await;
    assert!(
        p.text.contains("草稿") && p.text.contains(">发布<"),
        "{}",
        p.text
    );
    // A draft is not public.
    assert_eq!(
        t.get(&format!("/api/surveys/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("/sites/gd/surveys/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // 发布; three citizens answer.
    let r = editor
        .post(&format!("{page}/publish"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(editor.get(&page).await.text.contains("征集中"));
    for (i, answers) in [
        json!([0, "增加夜班车"]),
        json!([0, null]),
        json!([2, "到机场的线路"]),
    ]
    .into_iter()
    .enumerate()
    {
        let r = t
            .http
            .post(t.url(&format!("/api/surveys/{id}/responses")))
            .header("x-forwarded-for", format!("203.0.113.{}", i + 1))
            .json(&json!({ "answers": answers }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
    }
    // The questions can no longer change.
    let mut edit = base.to_vec();
    edit[7] = ("q0_text", "改过的题目");
    edit.push(("action", "save"));
    let r = editor.post(&format!("{page}/edit"), &edit).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        r.text.contains("已收到 3 份答卷，不能再修改题目"),
        "{}",
        r.text
    );
    let list = editor.get("/admin/surveys").await;
    assert!(
        list.text.contains("征集中") && list.text.contains("<td>3</td>"),
        "{}",
        list.text
    );

    // An editor of another site is refused everywhere.
    let mut other = Browser::signed_in(&t, "zhao", &[Grant::site(Role::Editor, "gz")]).await;
    let other_csrf = csrf_of(&other.get("/admin/surveys").await.text);
    assert_eq!(other.get(&page).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        other.get("/admin/surveys/new?site=gd").await.status,
        StatusCode::FORBIDDEN
    );
    let r = other
        .post(&format!("{page}/close"), &[("csrf", &other_csrf)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut handler = Browser::signed_in(&t, "liu", &[Grant::body("440000.gd")]).await;
    assert_eq!(
        handler.get("/admin/surveys").await.status,
        StatusCode::FORBIDDEN
    );

    // 结束征集; the results with charts and tables, the text answers; the feedback.
    let r = editor
        .post(&format!("{page}/close"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let p = editor.get(&page).await;
    for needle in [
        "已结束",
        "<svg",
        "每天：2 票（66.7%）",
        "<th scope=\"row\">每天</th><td>2</td><td>66.7%</td>",
        "增加夜班车",
        "到机场的线路",
        "征集结果反馈",
    ] {
        assert!(p.text.contains(needle), "missing {needle}: {}", p.text);
    }
    let r = editor
        .post(
            &format!("{page}/feedback"),
            &[("csrf", &csrf), ("feedback", "已采纳增开夜班车的建议。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let public = t.get(&format!("/sites/gd/surveys/{id}")).await;
    assert!(
        public.text.contains("已采纳增开夜班车的建议"),
        "{}",
        public.text
    );

    // Chromium: every new page at 375 px, and forms shown again with their errors.
    if !available() {
        eprintln!("skipping the browser check: Chromium or the checker is missing");
        t.stop().await;
        return;
    }
    let admin = t
        .console_session("wang.admin", &[Grant::node(Role::PlatformAdmin)])
        .await;
    let cookies = |c: &str| json!([{ "name": "govnode_session", "value": c }]);
    let session = editor
        .cookies
        .iter()
        .find(|(k, _)| k == "govnode_session")
        .unwrap()
        .1
        .clone();
    let mut pages = Vec::new();
    for (name, path, who) in [
        ("bodies", "/admin/bodies".to_string(), &admin),
        ("calendar", "/admin/calendar".to_string(), &admin),
        ("surveys", "/admin/surveys".to_string(), &session),
        (
            "survey-new",
            "/admin/surveys/new?site=gd".to_string(),
            &session,
        ),
        ("survey-results", page.clone(), &session),
    ] {
        let mut p = govnode_tests::browser::page(name, t.url(&path));
        p["cookies"] = cookies(who);
        pages.push(p);
    }
    let mut p = govnode_tests::browser::page("calendar-error", t.url("/admin/calendar"));
    p["cookies"] = cookies(&admin);
    p["submit"] = json!({ "form": "form[action=\"/admin/calendar/year\"]",
        "fields": { "year": "2028", "holidays": "1月1日 元旦\n13月1日 春节" } });
    pages.push(p);
    let mut p = govnode_tests::browser::page("survey-error", t.url("/admin/surveys/new?site=gd"));
    p["cookies"] = cookies(&session);
    p["submit"] = json!({ "form": "form[action=\"/admin/surveys/new\"]",
        "fields": { "title": "测试", "q0_text": "题目", "q0_options": "只有一个" } });
    pages.push(p);
    let results = check(pages).await;
    assert_no_problems(&results);
    assert!(text_of(&results, "calendar-error").contains("放假安排第 2 行"));
    assert!(text_of(&results, "survey-error").contains("须有 2–20 个选项"));
    assert!(text_of(&results, "survey-results").contains("征集结果"));
    assert!(text_of(&results, "bodies").contains("来信受理单位"));
    t.stop().await;
}
