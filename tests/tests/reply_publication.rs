//! 答复公开: a consented reply is public only after a reviewer of the body approves its
//! public text (proposed by a handler, the citizen's data redacted): on one node through the
//! API and the console (four eyes, other bodies, handlers, personal data refused, return,
//! approve again after edits, withdraw), across the tree (filed on a county site for a city
//! body: listed on the county's page only once approved at the city), and the two console
//! pages in Chromium.

use govnode_accounts::{Grant, Role as R};
use govnode_tests::console::{Browser, csrf_of};
use govnode_tests::{Method, Role, StatusCode, TestNode, TestTree, browser};
use serde_json::{Value, json};

const NAME: &str = "张三丰";
const PHONE: &str = "13800138000";
const ID: &str = "440106199001011234";

async fn body(n: &TestNode, slug: &str, name: &str) -> String {
    let r = n
        .call(
            Method::PUT,
            &format!("/api/admin/interaction/bodies/{slug}"),
            Some(&n.admin),
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_string()
}

/// Files a consented letter holding the citizen's data in its text; the tracking code.
async fn file(n: &TestNode, site: &str, body: &str, subject: &str, consent: bool) -> String {
    let r = n
        .call(
            Method::POST,
            &format!("/api/interaction/tickets?site={site}"),
            None,
            Some(
                json!({ "kind": "consultation", "body": body, "subject": subject,
                "content": format!("我是{NAME}，电话{PHONE}，身份证{ID}。{subject}需要哪些材料？"),
                "name": NAME, "phone": PHONE, "id_number": ID, "consent_public": consent }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["code"].as_str().unwrap().to_string()
}

async fn call(
    n: &TestNode,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let r = n.call(method, path, Some(token), body).await;
    let j = serde_json::from_str(&r.text).unwrap_or(Value::Null);
    (r.status, j)
}

async fn answer(n: &TestNode, handler: &str, code: &str, reply: &str) {
    for action in [
        json!({ "action": "accept" }),
        json!({ "action": "reply", "text": reply }),
    ] {
        let (s, j) = call(
            n,
            handler,
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/actions"),
            Some(action),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{j}");
    }
}

fn text(subject: &str, content: &str, reply: &str) -> Value {
    json!({ "subject": subject, "content": content, "reply": reply })
}

async fn replies(n: &TestNode, query: &str) -> String {
    let r = n.get(&format!("/api/interaction/replies?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.text
}

fn no_personal_data(s: &str) {
    for needle in [NAME, PHONE, ID] {
        assert!(!s.contains(needle), "{needle} in {s}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_is_public_only_once_a_reviewer_of_its_body_approves() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let hrss = body(&t, "hrss", "广东省人力资源和社会保障厅").await;
    let jyt = body(&t, "jyt", "广东省教育厅").await;
    let handler = t.token(Role::Handler, Some(&hrss), "人社厅经办人").await;
    let reviewer = t.token(Role::Reviewer, Some(&hrss), "人社厅审核员").await;
    let other_reviewer = t.token(Role::Reviewer, Some(&jyt), "教育厅审核员").await;
    let site_reviewer = t.token(Role::Reviewer, Some("gd"), "网站审核员").await;
    let code = file(&t, "gd", &hrss, "社保转移接续", true).await;
    let reply = format!("{NAME}您好：跨省转移养老保险可在广东政务服务网办理，咨询电话12333。");
    answer(&t, &handler, &code, &reply).await;
    let publication = format!("/api/admin/interaction/tickets/{code}/publication");

    // Replied with consent, yet not public before it is proposed and approved.
    assert!(!replies(&t, "site=gd").await.contains(&code));
    let (s, case) = call(&t, &handler, Method::GET, &publication, None).await;
    assert_eq!(s, StatusCode::OK, "{case}");
    let draft = case["draft"].clone();
    no_personal_data(&draft.to_string());
    assert!(
        draft["content"].as_str().unwrap().contains("张**"),
        "{draft}"
    );
    assert!(
        draft["content"].as_str().unwrap().contains("138****8000"),
        "{draft}"
    );
    assert!(
        draft["reply"].as_str().unwrap().contains("12333"),
        "{draft}"
    );
    assert!(
        case["original"]["content"]
            .as_str()
            .unwrap()
            .contains(PHONE)
    );

    // The handler proposes; personal data is refused, naming the field.
    let (s, j) = call(
        &t,
        &handler,
        Method::POST,
        &publication,
        Some(text("社保转移接续", &format!("{NAME}来信"), "已答复。")),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{j}");
    assert!(j["message"].as_str().unwrap().starts_with("content"), "{j}");
    let (s, j) = call(
        &t,
        &reviewer,
        Method::POST,
        &publication,
        Some(draft.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a reviewer does not propose: {j}");
    let (s, j) = call(
        &t,
        &handler,
        Method::POST,
        &publication,
        Some(draft.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["state"], "proposed");
    assert_eq!(j["proposed_by"], "人社厅经办人");
    assert!(
        !replies(&t, "site=gd").await.contains(&code),
        "not public before approval"
    );
    let page = t.get("/sites/gd/letters").await;
    assert!(!page.text.contains("广东政务服务网办理"), "{}", page.text);

    // Who may not approve: a handler, a reviewer of another body or of a site.
    let approval = format!("{publication}/approval");
    for token in [&handler, &other_reviewer, &site_reviewer] {
        let (s, j) = call(&t, token, Method::POST, &approval, Some(draft.clone())).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{j}");
    }
    // The reviewer's queue lists it; another body's reviewer sees nothing.
    let (_, list) = call(
        &t,
        &reviewer,
        Method::GET,
        "/api/admin/interaction/publications",
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (_, list) = call(
        &t,
        &other_reviewer,
        Method::GET,
        "/api/admin/interaction/publications",
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    // Approval of a text holding personal data is refused.
    let mut leaky = draft.clone();
    leaky["reply"] = json!(format!("请致电 138-0013-8000 联系来信人。"));
    let (s, j) = call(&t, &reviewer, Method::POST, &approval, Some(leaky)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{j}");
    assert!(j["message"].as_str().unwrap().starts_with("reply"), "{j}");

    // Four eyes, in the console: a person both handler and reviewer proposes, and may not
    // approve their own proposal; a return with a reason goes back to them.
    let liu = t
        .console_session("liu", &[Grant::body(&hrss), Grant::body_reviewer(&hrss)])
        .await;
    let mut b = Browser::new(&t);
    b.cookies.push(("govnode_session".into(), liu));
    let form = b.get(&format!("/admin/letters/{code}/publication")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(
        form.text.contains("138****8000") && form.text.contains(PHONE),
        "original beside the draft"
    );
    let csrf = csrf_of(&form.text);
    let r = b
        .post(
            &format!("/admin/letters/{code}/publication"),
            &[
                ("csrf", &csrf),
                ("subject", "社保转移接续"),
                ("content", &format!("电话{PHONE}")),
                ("reply", "已答复。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text.contains("“公开来信内容”中含有来信人的联系电话"),
        "{}",
        r.text
    );
    let content = draft["content"].as_str().unwrap().to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("subject", "社保转移接续"),
        ("content", content.as_str()),
        ("reply", "跨省转移养老保险可在广东政务服务网办理。"),
    ];
    let r = b
        .post(&format!("/admin/letters/{code}/publication"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let queue = b.get("/admin/letters/publication").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    assert!(queue.text.contains("这是您提请的公开"), "{}", queue.text);
    assert!(
        !queue
            .text
            .contains(&format!("/admin/letters/publication/{code}/approve"))
    );
    let r = b
        .post(
            &format!("/admin/letters/publication/{code}/approve"),
            &fields,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("四眼原则"), "{}", r.text);
    let (s, j) = call(
        &t,
        &reviewer,
        Method::POST,
        &format!("{publication}/return"),
        Some(json!({ "reason": "请删去答复中的咨询电话以外的个人称呼" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["state"], "returned");
    let form = b.get(&format!("/admin/letters/{code}/publication")).await;
    assert!(
        form.text.contains("已退回") && form.text.contains("请删去答复中"),
        "{}",
        form.text
    );
    let csrf = csrf_of(&form.text);
    let mut fields = fields;
    fields[0].1 = &csrf;
    let r = b
        .post(&format!("/admin/letters/{code}/publication"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

    // Approved by another reviewer of the body: public, with the approved text only.
    let approved = text(
        "社保转移接续咨询",
        &content,
        "跨省转移养老保险可在广东政务服务网办理。",
    );
    let (s, j) = call(&t, &reviewer, Method::POST, &approval, Some(approved)).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["state"], "approved");
    let list = replies(&t, "site=gd").await;
    assert!(
        list.contains("社保转移接续咨询") && list.contains("广东政务服务网办理"),
        "{list}"
    );
    no_personal_data(&list);
    let found = replies(&t, "q=%E6%94%BF%E5%8A%A1%E6%9C%8D%E5%8A%A1%E7%BD%91").await;
    assert!(found.contains(&code), "search finds it: {found}");
    no_personal_data(&found);
    let by_body = replies(&t, &format!("body={hrss}")).await;
    assert!(by_body.contains(&code), "{by_body}");
    let page = t.get("/sites/gd/letters").await;
    assert!(page.text.contains("广东政务服务网办理"), "{}", page.text);
    no_personal_data(&page.text);

    let form = b.get(&format!("/admin/letters/{code}/publication")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(
        form.text.contains("答复已公开") && form.text.contains("<ins>咨询</ins>"),
        "{}",
        form.text
    );
    assert!(!form.text.contains("提请公开</button>"), "{}", form.text);
    // The record of every step, with who and why.
    for step in [
        "提请公开",
        "退回",
        "审核通过",
        "人社厅审核员",
        "请删去答复中",
    ] {
        assert!(form.text.contains(step), "{step}: {}", form.text);
    }

    // Approved again after edits; the handler cannot re-propose a public one.
    let edited = text(
        "社保转移接续咨询",
        &content,
        "跨省转移养老保险可在广东政务服务网或社保经办机构办理。",
    );
    let (s, j) = call(&t, &reviewer, Method::POST, &approval, Some(edited.clone())).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert!(replies(&t, "site=gd").await.contains("社保经办机构"));
    let (s, _) = call(&t, &handler, Method::POST, &publication, Some(edited)).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Withdrawn: gone from the list, the search and the page.
    let (s, j) = call(
        &t,
        &handler,
        Method::POST,
        &format!("{publication}/withdrawal"),
        Some(json!({ "reason": "来信人要求撤回" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{j}");
    let (s, j) = call(
        &t,
        &reviewer,
        Method::POST,
        &format!("{publication}/withdrawal"),
        Some(json!({ "reason": "来信人要求撤回" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["state"], "withdrawn");
    assert!(!replies(&t, "site=gd").await.contains(&code));
    assert!(!replies(&t, "q=%E7%A4%BE%E4%BF%9D").await.contains(&code));
    assert!(
        !t.get("/sites/gd/letters")
            .await
            .text
            .contains("社保经办机构")
    );

    // Without the citizen's consent there is nothing to propose.
    let private = file(&t, "gd", &hrss, "医保报销咨询", false).await;
    answer(&t, &handler, &private, "请携带材料到窗口办理。").await;
    let (s, j) = call(
        &t,
        &handler,
        Method::POST,
        &format!("/api/admin/interaction/tickets/{private}/publication"),
        Some(text(
            "医保报销咨询",
            "医保报销需要哪些材料？",
            "请携带材料到窗口办理。",
        )),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{j}");

    // Someone with no role on the body sees neither page.
    let editor = t
        .console_session("zhou", &[Grant::site(R::Editor, "gd")])
        .await;
    let mut e = Browser::new(&t);
    e.cookies.push(("govnode_session".into(), editor));
    assert_eq!(
        e.get("/admin/letters/publication").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        e.get(&format!("/admin/letters/{code}/publication"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_county_site_lists_a_city_bodys_reply_only_once_approved_at_the_city() {
    let tree = TestTree::one_two_four().await;
    let (city, county) = ("440100", "440106");
    tree.node(county).site("tianhe", "天河区人民政府").await;
    let zjj = body(tree.node(city), "zjj", "广州市住房和城乡建设局").await;
    let c = tree.node(city);
    let handler = c.token(Role::Handler, Some(&zjj), "市住建局经办人").await;
    let reviewer = c.token(Role::Reviewer, Some(&zjj), "市住建局审核员").await;
    tree.wait_for("the city's body at the county", || async {
        tree.node(county)
            .get("/api/interaction/bodies")
            .await
            .text
            .contains(&zjj)
    })
    .await;
    let code = file(tree.node(county), "tianhe", &zjj, "物业维修资金使用", true).await;
    tree.wait_for("the letter at the city", || async {
        call(
            c,
            &handler,
            Method::GET,
            &format!("/api/admin/interaction/tickets/{code}"),
            None,
        )
        .await
        .0 == StatusCode::OK
    })
    .await;
    answer(
        c,
        &handler,
        &code,
        "维修资金使用须经业主大会表决，可向街道住建部门咨询。",
    )
    .await;
    let publication = format!("/api/admin/interaction/tickets/{code}/publication");
    let (s, case) = call(c, &handler, Method::GET, &publication, None).await;
    assert_eq!(s, StatusCode::OK, "{case}");
    let (s, j) = call(
        c,
        &handler,
        Method::POST,
        &publication,
        Some(case["draft"].clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");

    // The reply reached the county, but is not listed there before approval.
    let n = tree.node(county);
    tree.wait_for("the reply at the county", || async {
        let r: Option<String> = sqlx::query_scalar("SELECT state FROM tickets WHERE code = $1")
            .bind(&code)
            .fetch_optional(&n.node.db.read)
            .await
            .unwrap();
        r.as_deref() == Some("replied")
    })
    .await;
    assert!(!replies(n, "site=tianhe").await.contains(&code));
    assert!(
        !n.get("/sites/tianhe/letters")
            .await
            .text
            .contains("业主大会表决")
    );
    // Proposals are the body's node's: the county cannot propose or approve.
    let admin = &n.admin;
    let (s, _) = call(
        n,
        admin,
        Method::POST,
        &format!("{publication}/approval"),
        Some(case["draft"].clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, j) = call(
        c,
        &reviewer,
        Method::POST,
        &format!("{publication}/approval"),
        Some(case["draft"].clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    tree.wait_for("the approved reply on the county's page", || async {
        n.get("/sites/tianhe/letters")
            .await
            .text
            .contains("业主大会表决")
    })
    .await;
    let list = replies(n, "site=tianhe").await;
    assert!(
        list.contains(&code) && list.contains("物业维修资金使用"),
        "{list}"
    );
    no_personal_data(&list);
    no_personal_data(&n.get("/sites/tianhe/letters").await.text);

    // Withdrawn at the city: gone from the county's page.
    let (s, j) = call(
        c,
        &reviewer,
        Method::POST,
        &format!("{publication}/withdrawal"),
        Some(json!({ "reason": "内容需更新" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    tree.wait_for("the withdrawn reply gone from the county", || async {
        !replies(n, "site=tianhe").await.contains(&code)
    })
    .await;
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proposal_form_and_the_reviewers_queue_in_chromium() {
    if !browser::available() {
        return;
    }
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let hrss = body(&t, "hrss", "广东省人力资源和社会保障厅").await;
    let handler = t.token(Role::Handler, Some(&hrss), "人社厅经办人").await;
    let code = file(&t, "gd", &hrss, "社保转移接续", true).await;
    answer(
        &t,
        &handler,
        &code,
        &format!("{NAME}您好：可在广东政务服务网办理。"),
    )
    .await;
    let other = file(&t, "gd", &hrss, "失业保险金申领", true).await;
    answer(&t, &handler, &other, "可在线申领失业保险金。").await;
    let publication = format!("/api/admin/interaction/tickets/{other}/publication");
    let (_, case) = call(&t, &handler, Method::GET, &publication, None).await;
    let (s, j) = call(
        &t,
        &handler,
        Method::POST,
        &publication,
        Some(case["draft"].clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let h = t.console_session("chen", &[Grant::body(&hrss)]).await;
    let r = t
        .console_session("wuyi", &[Grant::body_reviewer(&hrss)])
        .await;
    let url = |p: &str| t.url(p);
    let mut form = browser::page(
        "publication-form",
        url(&format!("/admin/letters/{other}/publication")),
    );
    form["cookies"] = json!([{ "name": "govnode_session", "value": h }]);
    let mut queue = browser::page("publication-queue", url("/admin/letters/publication"));
    queue["cookies"] = json!([{ "name": "govnode_session", "value": r }]);
    let results = browser::check(vec![form, queue]).await;
    browser::assert_no_problems(&results);
    let shown = browser::text_of(&results, "publication-form");
    assert!(
        shown.contains("重新提请公开") && shown.contains("公开记录"),
        "{shown}"
    );
    let shown = browser::text_of(&results, "publication-queue");
    assert!(
        shown.contains("失业保险金申领") && shown.contains("审核通过并公开"),
        "{shown}"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_admin_gives_a_body_reviewer_by_name_in_the_console() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let hrss = body(&t, "hrss", "广东省人力资源和社会保障厅").await;
    let admin = t
        .console_session("root", &[Grant::node(R::PlatformAdmin)])
        .await;
    t.console_session("gao", &[Grant::site(R::Editor, "gd")])
        .await;
    let users = &t.node.app_state().users;
    let gao = users.by_login("gao").await.unwrap().unwrap().id;
    let mut b = Browser::new(&t);
    b.cookies.push(("govnode_session".into(), admin));
    let page = b.get(&format!("/admin/users/{gao}")).await;
    assert!(
        page.text.contains("广东省人力资源和社会保障厅"),
        "bodies are offered by name: {}",
        page.text
    );
    let csrf = csrf_of(&page.text);
    let r = b
        .post(
            &format!("/admin/users/{gao}/grants"),
            &[
                ("csrf", &csrf),
                ("role", "reviewer"),
                ("site", ""),
                ("grant_body", &hrss),
                ("columns", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = b.get(&format!("/admin/users/{gao}")).await;
    assert!(
        page.text
            .contains("信息审核员（广东省人力资源和社会保障厅）"),
        "{}",
        page.text
    );
    let user = users.get(gao).await.unwrap().unwrap();
    assert!(
        user.grants.contains(&Grant::body_reviewer(&hrss)),
        "{user:?}"
    );
    t.stop().await;
}
