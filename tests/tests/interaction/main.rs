//! Interaction on one node: bad input on every route gets a clear error, handlers are
//! confined to their body, deadlines and the disclosure extension, the rate limit.

use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::json;

mod desks;
mod inbox;
mod letters;
mod password;
mod qa;

fn filing(body: &str) -> serde_json::Value {
    json!({ "kind": "disclosure", "body": body, "subject": "申请公开2025年部门预算", "content": "请公开本部门2025年部门预算及说明。",
        "name": "李四", "phone": "13900139000", "id_number": "44010619900101123X", "consent_public": false })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_permissions_on_every_route() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/czt",
            Some(&t.admin),
            Some(json!({ "name": "广东省财政厅" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = "440000.czt";
    // A status lookup without its password is refused in the API's error shape.
    let bare = t.get("/api/interaction/tickets/20260101ABCDEF").await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert_eq!(bare.json()["error"], "bad_request", "{}", bare.text);
    assert!(
        bare.json()["message"]
            .as_str()
            .unwrap()
            .contains("password")
    );
    let other = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/jyt",
            Some(&t.admin),
            Some(json!({ "name": "广东省教育厅" })),
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    let handler = t.token(Role::Handler, Some(body), "财政厅经办人").await;
    let other_handler = t
        .token(Role::Handler, Some("440000.jyt"), "教育厅经办人")
        .await;

    // Filing: every field checked, with its name.
    let post = |q: &'static str, b: serde_json::Value| {
        let t = &t;
        async move {
            t.call(
                Method::POST,
                &format!("/api/interaction/tickets{q}"),
                None,
                Some(b),
            )
            .await
        }
    };
    for (q, mut b, field) in [
        ("", filing(body), "site"),
        ("?site=nowhere", filing(body), "nowhere"),
        (
            "?site=gd",
            json!({ "kind": "consultation" }),
            "missing field",
        ),
    ]
    .map(|(q, b, f)| (q, b, f))
    {
        let r = post(q, b.take()).await;
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::NOT_FOUND,
            "{field}: {}",
            r.text
        );
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    for (key, value, field) in [
        ("kind", json!("gossip"), "kind"),
        ("body", json!("czt"), "body"),
        ("body", json!("450000.czt"), "body"),
        ("subject", json!("x"), "subject"),
        ("content", json!("短"), "content"),
        ("content", json!("长".repeat(5001)), "content"),
        ("phone", json!("call me"), "phone"),
        ("id_number", json!(""), "id_number"),
        ("id_number", json!("12345"), "id_number"),
        ("email", json!("nobody"), "email"),
        ("subject", json!("申请\u{0}公开"), "subject"),
        ("colour", json!("red"), "colour"),
    ] {
        let mut b = filing(body);
        b[key] = value;
        let r = post("?site=gd", b).await;
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::NOT_FOUND,
            "{key}: {} {}",
            r.status,
            r.text
        );
        assert!(r.text.contains(field), "{key}: {}", r.text);
    }
    let big = "长".repeat(2_000_000);
    let mut b = filing(body);
    b["content"] = json!(big);
    let r = post("?site=gd", b).await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &r.text[..r.text.len().min(200)]
    );

    let r = post("?site=gd", filing(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let created = r.json();
    let (code, pw) = (
        created["code"].as_str().unwrap().to_string(),
        created["password"].as_str().unwrap().to_string(),
    );

    // Status: the wrong password is the same as an unknown code.
    for path in [
        format!("/api/interaction/tickets/{code}?password=wrong"),
        format!("/api/interaction/tickets/NOPE?password={pw}"),
    ] {
        let r = t.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
    }
    let r = t.get(&format!("/api/interaction/tickets/{code}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let view = t
        .get(&format!("/api/interaction/tickets/{code}?password={pw}"))
        .await
        .json();
    assert_eq!(
        view["personal"]["id_number"], "4401**********123X",
        "{view}"
    );

    // Handlers: only their body, only handler actions.
    let act = |token: String, action: serde_json::Value| {
        let (t, code) = (&t, code.clone());
        async move {
            t.call(
                Method::POST,
                &format!("/api/admin/interaction/tickets/{code}/actions"),
                Some(&token),
                Some(action),
            )
            .await
        }
    };
    let r = act(other_handler.clone(), json!({ "action": "accept" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let editor = t.token(Role::Editor, Some("gd"), "编辑").await;
    let r = act(editor, json!({ "action": "accept" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = t
        .call(Method::GET, "/api/admin/interaction/inbox", None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for (action, needle) in [
        (json!({ "action": "dance" }), "unknown variant"),
        (json!({ "action": "refuse" }), "reason"),
        (json!({ "action": "reply", "text": "x" }), "text"),
        (
            json!({ "action": "transfer", "body": "nowhere", "reason": "不归我管" }),
            "body",
        ),
    ] {
        let r = act(handler.clone(), action.clone()).await;
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::CONFLICT,
            "{action}: {}",
            r.text
        );
        assert!(r.text.contains(needle), "{action}: {}", r.text);
    }
    // Reply before acceptance is a conflict; the workflow then runs.
    let r = act(
        handler.clone(),
        json!({ "action": "reply", "text": "答复内容" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let accepted = act(handler.clone(), json!({ "action": "accept" }))
        .await
        .json();
    let due = accepted["due_day"].as_str().unwrap().to_string();
    let extended = act(
        handler.clone(),
        json!({ "action": "extend", "reason": "需征求第三方意见" }),
    )
    .await;
    assert_eq!(extended.status, StatusCode::OK, "{}", extended.text);
    assert!(extended.json()["due_day"].as_str().unwrap() > due.as_str());
    let again = act(
        handler.clone(),
        json!({ "action": "extend", "reason": "再次延期" }),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    act(
        handler.clone(),
        json!({ "action": "request_info", "question": "请补充身份证明" }),
    )
    .await;
    let r = t
        .call(
            Method::POST,
            &format!("/api/interaction/tickets/{code}/info"),
            None,
            Some(json!({ "password": pw, "text": "已补充身份证复印件" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "in_progress");
    let r = t
        .call(
            Method::POST,
            &format!("/api/interaction/tickets/{code}/rating"),
            None,
            Some(json!({ "password": pw, "rating": 4 })),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "rating before the reply: {}",
        r.text
    );
    let r = act(
        handler.clone(),
        json!({ "action": "reply", "text": "已依法公开，详见附件。" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for (b, needle) in [
        (json!({ "password": pw, "rating": 9 }), "rating"),
        (json!({ "password": "wrong", "rating": 4 }), "tracking code"),
        (json!({ "rating": 4 }), "password"),
    ] {
        let r = t
            .call(
                Method::POST,
                &format!("/api/interaction/tickets/{code}/rating"),
                None,
                Some(b.clone()),
            )
            .await;
        assert!(r.status.is_client_error(), "{b}: {}", r.text);
        assert!(r.text.contains(needle), "{b}: {}", r.text);
    }
    // Not published without consent.
    let list = t.get("/api/interaction/replies?site=gd").await.json();
    assert_eq!(list["replies"].as_array().unwrap().len(), 0, "{list}");
    let stats = t.get("/api/interaction/stats").await.json();
    assert_eq!(stats["bodies"][0]["replied"], 1, "{stats}");

    // Attachments: accepted types only, and a filing may name only uploaded files.
    for (mime, bytes, status) in [
        (
            "application/x-msdownload",
            b"MZ".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        ("image/png", Vec::new(), StatusCode::BAD_REQUEST),
        (
            "image/png",
            vec![0u8; 6 << 20],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ] {
        let r = t
            .http
            .post(t.url("/api/interaction/attachments"))
            .header("content-type", mime)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{mime}: {}", r.text().await.unwrap());
    }
    let mut b = filing(body);
    b["attachments"] = json!([["0".repeat(64), "a.pdf"]]);
    let r = post("?site=gd", b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("attachments[0]"), "{}", r.text);

    // The rate limit per client and hour.
    let mut last = StatusCode::CREATED;
    for _ in 0..25 {
        last = post("?site=gd", filing(body)).await.status;
        if last != StatusCode::CREATED {
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    t.stop().await;
}

/// The letters page: an accessible form on the site, the tracking code shown once,
/// progress by code and password, and the replies published with consent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_letters_page_files_and_tracks() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/zwfw",
            Some(&t.admin),
            Some(json!({ "name": "广东省政务服务数据管理局" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = t.get("/sites/gd/letters").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("广东省政务服务数据管理局")
            && page.text.contains("<label for=\"content\">")
    );
    // A forged success notice through the URL is ignored.
    let forged = t.get("/sites/gd/letters?%00filed_code=FAKE").await;
    assert!(!forged.text.contains("提交成功"));
    let form = [
        ("kind", "suggestion"),
        ("body", "440000.zwfw"),
        ("subject", "建议延长政务大厅周末服务时间"),
        ("content", "建议政务服务大厅周六全天开放。"),
        ("name", "王五"),
        ("phone", "13700137000"),
        ("consent_public", "1"),
    ];
    let resp = t
        .http
        .post(t.url("/sites/gd/letters"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&form))
        .send()
        .await
        .unwrap();
    let (code, password, _) = letters::receipt(&t, resp).await;
    let tracked = t
        .get(&format!(
            "/sites/gd/letters?code={code}&password={password}"
        ))
        .await;
    assert!(tracked.text.contains("已提交"), "{}", tracked.text);
    let wrong = t
        .get(&format!("/sites/gd/letters?code={code}&password=nope"))
        .await;
    assert!(
        wrong.text.contains("查询码或查询密码不正确"),
        "{}",
        wrong.text
    );
    // A bad form is shown again with the reason, keeping what was typed.
    let bad = t
        .http
        .post(t.url("/sites/gd/letters"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("kind", "suggestion"),
            ("body", "440000.zwfw"),
            ("subject", "短"),
            ("content", "内容太短了吗"),
            ("name", "王五"),
            ("phone", "13700137000"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let text = bad.text().await.unwrap();
    assert!(
        text.contains("信件标题应为 2 至 100 字（现为 1 字）") && text.contains("内容太短了吗"),
        "{text}"
    );
    // The form with a file (multipart, as browsers send it): the handler can download it.
    let (ctype, body) = multipart(
        &[
            ("kind", "complaint"),
            ("body", "440000.zwfw"),
            ("subject", "政务大厅排队时间过长"),
            ("content", "上午排队超过两小时，现场照片见附件。"),
            ("name", "王五"),
            ("phone", "13700137000"),
        ],
        ("排队.png", b"\x89PNG fake photo bytes"),
    );
    let resp = t
        .http
        .post(t.url("/sites/gd/letters"))
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    let (code2, _, _) = letters::receipt(&t, resp).await;
    let h0 = t
        .token(Role::Handler, Some("440000.zwfw"), "经办人甲")
        .await;
    let view = t
        .call(
            Method::GET,
            &format!("/api/admin/interaction/tickets/{code2}"),
            Some(&h0),
            None,
        )
        .await
        .json();
    let hash = view["attachments"][0][0].as_str().unwrap().to_string();
    assert_eq!(view["attachments"][0][1], "排队.png");
    let file = t
        .http
        .get(t.url(&format!(
            "/api/admin/interaction/tickets/{code2}/attachments/{hash}"
        )))
        .bearer_auth(&h0)
        .send()
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(
        file.bytes().await.unwrap().as_ref(),
        b"\x89PNG fake photo bytes"
    );
    let (ctype, body) = multipart(&[("kind", "complaint")], ("run.exe", b"MZ"));
    let bad = t
        .http
        .post(t.url("/sites/gd/letters"))
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("run.exe"));

    // Answered: the reply is published on the site's page, without personal data.
    let h = t.token(Role::Handler, Some("440000.zwfw"), "经办人").await;
    for action in [
        json!({ "action": "accept" }),
        json!({ "action": "reply", "text": "自下月起周六上午开放。" }),
    ] {
        let r = t
            .call(
                Method::POST,
                &format!("/api/admin/interaction/tickets/{code}/actions"),
                Some(&h),
                Some(action),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    // 答复公开: public once proposed by the handler and approved by a reviewer of the body.
    let page = t.get("/sites/gd/letters").await;
    assert!(
        !page.text.contains("自下月起周六上午开放。"),
        "not before approval"
    );
    let reviewer = t.token(Role::Reviewer, Some("440000.zwfw"), "审核员").await;
    let publication = format!("/api/admin/interaction/tickets/{code}/publication");
    let case = t
        .call(Method::GET, &publication, Some(&h), None)
        .await
        .json();
    for (token, path) in [
        (&h, publication.clone()),
        (&reviewer, format!("{publication}/approval")),
    ] {
        let r = t
            .call(
                Method::POST,
                &path,
                Some(token),
                Some(case["draft"].clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let page = t.get("/sites/gd/letters").await;
    assert!(
        page.text.contains("自下月起周六上午开放。"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("13700137000") && !page.text.contains("王五"));
    t.stop().await;
}

/// An `application/x-www-form-urlencoded` body.
fn form_body(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The Q&A assistant answers from the knowledge base when confident, and otherwise offers
/// a consultation pre-filled with the question.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qa_answers_or_hands_over_to_a_consultation() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "wd", "常见问题", "qa").await;
    let staff = t.staff("gd").await;
    t.publish("gd", &staff, json!({ "column": "wd", "title": "社会保障卡丢失了怎么补办？",
        "body": "社会保障卡丢失后，可通过粤省事小程序或到社保经办机构申请挂失和补办，补办一般需要5个工作日。" })).await;
    t.publish(
        "gd",
        &staff,
        json!({ "column": "wd", "title": "如何提取住房公积金？",
        "body": "职工购买自住住房、退休等情形可申请提取住房公积金。" }),
    )
    .await;
    // Colloquial and abbreviated: 社保卡 → 社会保障卡 through the dictionary.
    let r = t.get("/api/qa?q=社保卡丢了怎么补办&site=gd").await.json();
    assert_eq!(r["confident"], true, "{r}");
    assert_eq!(r["answers"][0]["question"], "社会保障卡丢失了怎么补办？");
    assert!(r["consultation"].is_null());
    let r = t.get("/api/qa?q=宠物犬只登记办理地点&site=gd").await.json();
    assert_eq!(r["confident"], false, "{r}");
    let form = r["consultation"]["form"].as_str().unwrap();
    assert!(
        form.starts_with("/sites/gd/letters?kind=consultation&subject="),
        "{form}"
    );
    let page = t.get(form).await;
    assert!(
        page.text.contains("宠物犬只登记办理地点"),
        "the form is pre-filled"
    );
    let r = t.get("/api/qa?q=").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // A replied ticket (with consent) becomes a Q&A draft; once reviewed and published,
    // the assistant answers with it.
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/gaj",
            Some(&t.admin),
            Some(json!({ "name": "广东省公安厅" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let handler = t
        .token(Role::Handler, Some("440000.gaj"), "公安厅经办人")
        .await;
    let filed = t
        .call(Method::POST, "/api/interaction/tickets?site=gd", None,
            Some(json!({ "kind": "consultation", "body": "440000.gaj", "subject": "宠物犬只登记在哪里办理？",
                "content": "请问宠物犬只登记办理地点在哪里？", "name": "钱七", "phone": "13500135000", "consent_public": true })))
        .await
        .json();
    let code = filed["code"].as_str().unwrap();
    for action in [
        json!({ "action": "accept" }),
        json!({ "action": "reply", "text": "可到居住地派出所或通过粤省事办理犬只登记。" }),
    ] {
        let r = t
            .call(
                Method::POST,
                &format!("/api/admin/interaction/tickets/{code}/actions"),
                Some(&handler),
                Some(action),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    // A handler writes the draft on the site the letter came from, never on another site
    // (where it holds no role).
    t.site("hrss", "广东省人力资源和社会保障厅").await;
    t.column("hrss", "wd", "问答", "qa").await;
    let elsewhere = t
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/knowledge"),
            Some(&handler),
            Some(json!({ "site": "hrss", "column": "wd" })),
        )
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::FORBIDDEN,
        "{}",
        elsewhere.text
    );
    let r = t
        .call(
            Method::POST,
            &format!("/api/admin/interaction/tickets/{code}/knowledge"),
            Some(&handler),
            Some(json!({ "site": "gd", "column": "wd" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let draft = r.json();
    assert_eq!(draft["state"], "draft");
    let id = draft["id"].as_i64().unwrap();
    for action in ["submit", "approve", "publish"] {
        let who = if action == "submit" {
            &staff.editor
        } else {
            &staff.reviewer
        };
        let r = t
            .post(
                &format!("/api/admin/articles/{id}/{action}"),
                who,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text);
    }
    let r = t.get("/api/qa?q=宠物犬只登记办理地点&site=gd").await.json();
    assert_eq!(
        r["answers"][0]["question"], "宠物犬只登记在哪里办理？",
        "{r}"
    );
    t.stop().await;
}

/// A `multipart/form-data` body with text fields and one file field `attachment`.
fn multipart(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "govnode-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend(file.1);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Files citizens attach to letters (ID scans, photos) are never served by the public
/// blob route, whether uploaded through the API or the letters form; only the handler of
/// the responsible body reads them, never cached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizens_attachments_are_never_public() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/zwfw",
            Some(&t.admin),
            Some(json!({ "name": "广东省政务服务数据管理局" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Through the API.
    let scan = b"%PDF-1.4 ID card scan of a citizen".to_vec();
    let up = t
        .http
        .post(t.url("/api/interaction/attachments"))
        .header("content-type", "application/pdf")
        .body(scan.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), StatusCode::CREATED);
    let hash = up.json::<serde_json::Value>().await.unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = filing("440000.zwfw");
    b["attachments"] = json!([[hash, "身份证.pdf"]]);
    let filed = t
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gd",
            None,
            Some(b),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    let code = filed.json()["code"].as_str().unwrap().to_string();
    let public = t.get(&format!("/blobs/{hash}")).await;
    assert_eq!(
        public.status,
        StatusCode::NOT_FOUND,
        "a citizen's file is public"
    );
    // Through the letters form.
    let (ctype, body) = multipart(
        &[
            ("kind", "complaint"),
            ("body", "440000.zwfw"),
            ("subject", "窗口工作人员态度恶劣"),
            ("content", "办理业务时窗口工作人员态度恶劣，附现场照片。"),
            ("name", "赵六"),
            ("phone", "13600136000"),
        ],
        ("现场.png", b"\x89PNG photo of the counter"),
    );
    let form = t
        .http
        .post(t.url("/sites/gd/letters"))
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::SEE_OTHER);
    let photo = blake3::hash(b"\x89PNG photo of the counter")
        .to_hex()
        .to_string();
    let public = t.get(&format!("/blobs/{photo}")).await;
    assert_eq!(
        public.status,
        StatusCode::NOT_FOUND,
        "a form attachment is public"
    );
    // The handler reads it, and nothing caches it.
    let h = t.token(Role::Handler, Some("440000.zwfw"), "经办人").await;
    let file = t
        .call(
            Method::GET,
            &format!("/api/admin/interaction/tickets/{code}/attachments/{hash}"),
            Some(&h),
            None,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text);
    assert_eq!(file.header("cache-control"), Some("no-store"));
    // A file staff publish stays public.
    let editor = t.token(Role::Editor, Some("gd"), "编辑").await;
    let logo = t
        .http
        .post(t.url("/api/admin/blobs?site=gd"))
        .bearer_auth(&editor)
        .header("content-type", "image/png")
        .body(b"\x89PNG site logo".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), StatusCode::CREATED);
    let logo_hash = blake3::hash(b"\x89PNG site logo").to_hex().to_string();
    assert_eq!(
        t.get(&format!("/blobs/{logo_hash}")).await.status,
        StatusCode::OK
    );
    t.stop().await;
}
