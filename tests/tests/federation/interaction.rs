//! Tickets routed across the tree, store-and-forward: county → province, province →
//! county, a transfer from a city body to a county body in another branch, the middle
//! city down during a whole exchange, overdue escalation, and personal data kept only
//! where the ticket was filed and where it is answered.

use govnode_tests::{Method, Role, StatusCode, TestNode, TestTree};
use serde_json::{Value, json};

pub(super) async fn declare_body(n: &TestNode, slug: &str, name: &str) -> String {
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

pub(super) async fn file(
    n: &TestNode,
    site: &str,
    body: &str,
    kind: &str,
    subject: &str,
    phone: &str,
) -> (String, String) {
    let r = n
        .call(
            Method::POST,
            &format!("/api/interaction/tickets?site={site}"),
            None,
            Some(json!({ "kind": kind, "body": body, "subject": subject,
                "content": format!("{subject}，请予答复。"), "name": "张三丰", "phone": phone, "consent_public": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    (
        j["code"].as_str().unwrap().into(),
        j["password"].as_str().unwrap().into(),
    )
}

pub(super) async fn act(n: &TestNode, token: &str, code: &str, action: Value) -> Value {
    let r = n
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/actions"),
            Some(token),
            Some(action),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

pub(super) async fn status(n: &TestNode, code: &str, password: &str) -> Value {
    let r = n
        .get(&format!(
            "/api/interaction/tickets/{code}?password={password}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

/// Waits until the directory at `id` lists `body` (the province re-declares every body,
/// with its node's key, for the whole province).
pub(super) async fn wait_body(tree: &TestTree, id: &str, body: &str) {
    let n = tree.node(id);
    tree.wait_for(&format!("body {body} in the directory at {id}"), || async {
        n.get("/api/interaction/bodies").await.text.contains(body)
    })
    .await;
}

/// Waits until the handler of `body` at `n` sees the ticket.
pub(super) async fn wait_inbox(tree: &TestTree, id: &str, token: &str, code: &str) {
    let n = tree.node(id);
    tree.wait_for(&format!("ticket {code} in an inbox at {id}"), || async {
        let r = n
            .call(
                Method::GET,
                "/api/admin/interaction/inbox",
                Some(token),
                None,
            )
            .await;
        r.status == StatusCode::OK && r.text.contains(code)
    })
    .await;
}

pub(super) async fn wait_state(
    tree: &TestTree,
    id: &str,
    code: &str,
    password: &str,
    state: &str,
) -> Value {
    let n = tree.node(id);
    tree.wait_for(&format!("ticket {code} {state} at {id}"), || async {
        let r = n
            .get(&format!(
                "/api/interaction/tickets/{code}?password={password}"
            ))
            .await;
        r.status == StatusCode::OK && r.json()["state"] == state
    })
    .await;
    status(n, code, password).await
}

/// Waits until the citizen's view at `id` records `action` (a state alone cannot tell a
/// transferred ticket from a new one: both are `submitted`).
async fn wait_event(tree: &TestTree, id: &str, code: &str, password: &str, action: &str) -> Value {
    let n = tree.node(id);
    tree.wait_for(&format!("ticket {code} {action} at {id}"), || async {
        let r = n
            .get(&format!(
                "/api/interaction/tickets/{code}?password={password}"
            ))
            .await;
        r.status == StatusCode::OK
            && r.json()["events"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["action"] == action))
    })
    .await;
    status(n, code, password).await
}

/// Personal data never appears in any entry payload of any node's log, nor in a
/// relay's ticket tables.
async fn no_personal_data_outside(tree: &TestTree, phone: &str, holders: &[&str]) {
    for id in tree.ids() {
        let n = tree.node(id);
        let payloads: Vec<Vec<u8>> = sqlx::query_scalar("SELECT entry FROM fed_entries")
            .fetch_all(&n.node.db.read)
            .await
            .unwrap();
        assert!(
            !payloads
                .iter()
                .any(|p| p.windows(phone.len()).any(|w| w == phone.as_bytes())),
            "{id}: a replicated entry holds the phone number"
        );
        let personal: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ticket_personal WHERE phone = $1")
                .bind(phone)
                .fetch_one(&n.node.db.read)
                .await
                .unwrap();
        assert_eq!(
            personal > 0,
            holders.contains(&id),
            "{id}: personal data held: {personal}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tickets_travel_the_tree_and_replies_come_back() {
    let mut tree = TestTree::one_two_four().await;
    let (province, city, county, cousin) = ("440000", "440100", "440106", "440303");
    tree.node(province).site("gd", "广东省人民政府").await;
    tree.node(county).site("tianhe", "天河区人民政府").await;
    tree.node(cousin).site("luohu", "罗湖区人民政府").await;
    let hrss = declare_body(tree.node(province), "hrss", "广东省人力资源和社会保障厅").await;
    let zjj = declare_body(tree.node(city), "zjj", "广州市住房和城乡建设局").await;
    let zwb = declare_body(tree.node(county), "zwb", "天河区政务服务数据管理局").await;
    let h_prov = tree
        .node(province)
        .token(Role::Handler, Some(&hrss), "省人社厅经办人")
        .await;
    let h_city = tree
        .node(city)
        .token(Role::Handler, Some(&zjj), "市住建局经办人")
        .await;
    let h_county = tree
        .node(county)
        .token(Role::Handler, Some(&zwb), "区政数局经办人")
        .await;

    // The directory reaches every node, cousins included.
    for id in tree.ids() {
        for body in [&hrss, &zjj, &zwb] {
            wait_body(&tree, id, body).await;
        }
    }

    // County → province: filed at the county, answered at the province, rated at the county.
    let (code, pw) = file(
        tree.node(county),
        "tianhe",
        &hrss,
        "consultation",
        "灵活就业人员社保缴费咨询",
        "13800138001",
    )
    .await;
    assert_eq!(
        status(tree.node(county), &code, &pw).await["state"],
        "submitted"
    );
    wait_inbox(&tree, province, &h_prov, &code).await;
    // The tracking password travelled as its argon2 hash, so the citizen may check at
    // either end (by POST, the password out of the URL); no view shows the hash.
    for id in [county, province] {
        let n = tree.node(id);
        let stored: String =
            sqlx::query_scalar("SELECT password_hash FROM tickets WHERE code = $1")
                .bind(&code)
                .fetch_one(&n.node.db.read)
                .await
                .unwrap();
        assert!(stored.starts_with("$argon2id$"), "{id}: {stored}");
        let r = n
            .call(
                Method::POST,
                &format!("/api/interaction/tickets/{code}"),
                None,
                Some(json!({ "password": pw })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{id}: {}", r.text);
        assert_eq!(r.json()["code"], code.as_str());
        assert!(
            !r.text.contains("password") && !r.text.contains(&stored),
            "{id}: {}",
            r.text
        );
        assert_eq!(r.header("cache-control"), Some("no-store"), "{id}");
    }
    let handled = tree
        .node(province)
        .call(
            Method::GET,
            &format!("/api/admin/interaction/tickets/{code}"),
            Some(&h_prov),
            None,
        )
        .await;
    assert_eq!(handled.status, StatusCode::OK, "{}", handled.text);
    assert!(
        !handled.text.contains("password") && !handled.text.contains("$argon2"),
        "{}",
        handled.text
    );
    let accepted = act(
        tree.node(province),
        &h_prov,
        &code,
        json!({ "action": "accept" }),
    )
    .await;
    assert!(
        !accepted["due_day"].as_str().unwrap().is_empty(),
        "{accepted}"
    );
    act(
        tree.node(province),
        &h_prov,
        &code,
        json!({ "action": "reply", "text": "可通过广东政务服务网办理灵活就业人员参保缴费。" }),
    )
    .await;
    // Replaying the reply is refused.
    let again = tree
        .node(province)
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/actions"),
            Some(&h_prov),
            Some(json!({ "action": "reply", "text": "再次答复" })),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    let at_county = wait_state(&tree, county, &code, &pw, "replied").await;
    assert_eq!(
        at_county["reply"],
        "可通过广东政务服务网办理灵活就业人员参保缴费。"
    );
    assert_eq!(at_county["reply_body"], "广东省人力资源和社会保障厅");
    assert_eq!(
        at_county["personal"]["phone"], "138****8001",
        "masked: {at_county}"
    );
    let r = tree
        .node(county)
        .call(
            Method::POST,
            &format!("/api/interaction/tickets/{code}/rating"),
            None,
            Some(json!({ "password": pw, "rating": 5 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let at_province = wait_state(&tree, province, &code, &pw, "rated").await;
    assert_eq!(at_province["rating"], 5);
    // Each change arrived once.
    let actions: Vec<&str> = at_province["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["submitted", "accepted", "replied", "rated"],
        "{at_province}"
    );

    // Province → county.
    let (code2, pw2) = file(
        tree.node(province),
        "gd",
        &zwb,
        "complaint",
        "天河区某小区噪音扰民投诉",
        "13800138002",
    )
    .await;
    wait_inbox(&tree, county, &h_county, &code2).await;
    act(
        tree.node(county),
        &h_county,
        &code2,
        json!({ "action": "accept" }),
    )
    .await;
    act(
        tree.node(county),
        &h_county,
        &code2,
        json!({ "action": "reply", "text": "已责成物业整改。" }),
    )
    .await;
    let back = wait_state(&tree, province, &code2, &pw2, "replied").await;
    assert_eq!(back["reply"], "已责成物业整改。");

    // Cousin → city body, with an attachment, transferred (转办) to a county body in the
    // city's branch.
    let photo = b"\x89PNG\r\n\x1a\n charging pile photo".to_vec();
    let up = tree
        .node(cousin)
        .http
        .post(tree.node(cousin).url("/api/interaction/attachments"))
        .header("content-type", "image/png")
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), StatusCode::CREATED);
    let hash = up.json::<Value>().await.unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let r = tree
        .node(cousin)
        .call(
            Method::POST,
            "/api/interaction/tickets?site=luohu",
            None,
            Some(json!({ "kind": "suggestion", "body": zjj, "subject": "建议增设天河区公共充电桩",
                "content": "建议增设公共充电桩，现场照片见附件。", "name": "张三丰", "phone": "13800138003",
                "consent_public": true, "attachments": [[hash, "现场.png"]] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let (code3, pw3) = (
        r.json()["code"].as_str().unwrap().to_string(),
        r.json()["password"].as_str().unwrap().to_string(),
    );
    wait_inbox(&tree, city, &h_city, &code3).await;
    act(
        tree.node(city),
        &h_city,
        &code3,
        json!({ "action": "transfer", "body": zwb, "reason": "属区级事权" }),
    )
    .await;
    wait_inbox(&tree, county, &h_county, &code3).await;
    let transferred = wait_event(&tree, cousin, &code3, &pw3, "transferred").await;
    assert_eq!(transferred["state"], "submitted", "{transferred}");
    assert!(
        transferred["events"].to_string().contains("transferred"),
        "{transferred}"
    );
    act(
        tree.node(county),
        &h_county,
        &code3,
        json!({ "action": "accept" }),
    )
    .await;
    act(
        tree.node(county),
        &h_county,
        &code3,
        json!({ "action": "reply", "text": "已纳入年度充电设施建设计划。" }),
    )
    .await;
    let got = tree
        .node(county)
        .http
        .get(tree.node(county).url(&format!(
            "/api/admin/interaction/tickets/{code3}/attachments/{hash}"
        )))
        .bearer_auth(&h_county)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(
        got.bytes().await.unwrap().to_vec(),
        photo,
        "the attachment travelled sealed with the ticket"
    );
    let replied = wait_state(&tree, cousin, &code3, &pw3, "replied").await;
    assert_eq!(replied["body_id"], zwb);
    // The city handed it on and no longer holds the citizen's data; its handler cannot act.
    let r = tree
        .node(city)
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code3}/actions"),
            Some(&h_city),
            Some(json!({ "action": "close" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    no_personal_data_outside(&tree, "13800138001", &[county, province]).await;
    no_personal_data_outside(&tree, "13800138003", &[cousin, county]).await;

    // Published with consent at the filing site, once approved by a reviewer of the body
    // (答复公开, see `reply_publication.rs`), without personal data.
    let reviewer = tree
        .node(province)
        .token(Role::Reviewer, Some(&hrss), "省人社厅审核员")
        .await;
    let publication = format!("/api/admin/interaction/tickets/{code}/publication");
    let p = tree.node(province);
    let case = p
        .call(Method::GET, &publication, Some(&h_prov), None)
        .await
        .json();
    for (token, path) in [
        (&h_prov, publication.clone()),
        (&reviewer, format!("{publication}/approval")),
    ] {
        let r = p
            .call(
                Method::POST,
                &path,
                Some(token),
                Some(case["draft"].clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    tree.wait_for("the approved reply at the county", || async {
        tree.node(county)
            .get("/api/interaction/replies?site=tianhe")
            .await
            .text
            .contains(&code)
    })
    .await;
    let list = tree
        .node(county)
        .get("/api/interaction/replies?site=tianhe")
        .await;
    assert!(
        list.text.contains("灵活就业人员社保缴费咨询"),
        "{}",
        list.text
    );
    assert!(
        !list.text.contains("138") && !list.text.contains("张三丰"),
        "{}",
        list.text
    );
    let found = tree
        .node(county)
        .get("/api/interaction/replies?site=tianhe&q=社保%20灵活")
        .await
        .json();
    assert_eq!(found["replies"].as_array().unwrap().len(), 1, "{found}");
    let none = tree
        .node(county)
        .get("/api/interaction/replies?site=tianhe&q=公积金")
        .await
        .json();
    assert_eq!(none["replies"].as_array().unwrap().len(), 0, "{none}");

    // The middle city down for a whole exchange: through the aerial link, nothing lost or doubled.
    tree.stop(city).await;
    let (code4, pw4) = file(
        tree.node(county),
        "tianhe",
        &hrss,
        "consultation",
        "养老保险关系转移咨询",
        "13800138004",
    )
    .await;
    wait_inbox(&tree, province, &h_prov, &code4).await;
    act(
        tree.node(province),
        &h_prov,
        &code4,
        json!({ "action": "accept" }),
    )
    .await;
    act(
        tree.node(province),
        &h_prov,
        &code4,
        json!({ "action": "reply", "text": "可在国家社会保险公共服务平台申请转移。" }),
    )
    .await;
    let done = wait_state(&tree, county, &code4, &pw4, "replied").await;
    assert_eq!(done["events"].as_array().unwrap().len(), 3, "{done}");
    tree.restart(city).await;

    // Overdue: a county ticket past its deadline is escalated to the city, once.
    let (code5, _) = file(
        tree.node(county),
        "tianhe",
        &zwb,
        "consultation",
        "办理居住证需要哪些材料",
        "13800138005",
    )
    .await;
    act(
        tree.node(county),
        &h_county,
        &code5,
        json!({ "action": "accept" }),
    )
    .await;
    let later = govnode_interaction::beijing_today() + chrono::Duration::days(30);
    let n = tree
        .node(county)
        .node
        .interaction
        .check_deadlines(later)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        tree.node(county)
            .node
            .interaction
            .check_deadlines(later)
            .await
            .unwrap(),
        0
    );
    let city_admin = tree.node(city).admin.clone();
    tree.wait_for("escalation at the city", || async {
        let r = tree
            .node(city)
            .call(
                Method::GET,
                "/api/admin/interaction/escalations",
                Some(&city_admin),
                None,
            )
            .await;
        r.text.contains(&code5)
    })
    .await;
    let inbox = tree
        .node(county)
        .call(
            Method::GET,
            "/api/admin/interaction/inbox",
            Some(&h_county),
            None,
        )
        .await
        .json();
    assert_eq!(
        inbox["tickets"][0]["code"],
        code5.as_str(),
        "overdue first: {inbox}"
    );

    // Statistics roll up: the county publishes its bodies' figures; the province sees them.
    let today = govnode_interaction::beijing_today();
    assert!(
        tree.node(county)
            .node
            .interaction
            .publish_stats(today)
            .await
            .unwrap()
    );
    assert!(
        !tree
            .node(county)
            .node
            .interaction
            .publish_stats(today)
            .await
            .unwrap(),
        "unchanged: not again"
    );
    tree.wait_for("county statistics at the province", || async {
        let s = tree
            .node(province)
            .get("/api/interaction/stats")
            .await
            .json();
        s["below"].as_array().is_some_and(|b| {
            b.iter()
                .any(|x| x["stats"]["body"] == zwb.as_str() && x["stats"]["replied"] == 2)
        })
    })
    .await;

    // The province sets next year's calendar and a policy; the county applies both.
    let province_admin = tree.node(province).admin.clone();
    let mut policy = tree
        .node(province)
        .call(
            Method::GET,
            "/api/admin/interaction/settings",
            Some(&province_admin),
            None,
        )
        .await
        .json()["policy"]
        .clone();
    policy["working_days"]["consultation"] = json!(5);
    let r = tree
        .node(province)
        .call(Method::PUT, "/api/admin/interaction/settings", Some(&province_admin),
            Some(json!({ "calendar": "2027-01-01 holiday 元旦\n2027-02-20 workday 春节调休\n", "policy": policy })))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let bad = tree
        .node(province)
        .call(
            Method::PUT,
            "/api/admin/interaction/settings",
            Some(&province_admin),
            Some(json!({ "calendar": "2027-13-01 holiday 无", "policy": policy })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert!(bad.text.contains("line 1"), "{}", bad.text);
    let county_admin = tree.node(county).admin.clone();
    tree.wait_for("the province's settings at the county", || async {
        let s = tree
            .node(county)
            .call(
                Method::GET,
                "/api/admin/interaction/settings",
                Some(&county_admin),
                None,
            )
            .await
            .json();
        s["policy"]["working_days"]["consultation"] == 5 && s["years"].to_string().contains("2027")
    })
    .await;
    tree.shutdown().await;
}
