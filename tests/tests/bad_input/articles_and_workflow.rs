//! Articles on create and revise, and workflow actions.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_are_validated_on_create_and_revise() {
    let w = world().await;
    let editor = w.gd.editor.clone();
    let art = json!({ "column": "news", "title": "关于开展安全检查的通知", "body": "正文。" });
    let c = |what: &str, body: Body| {
        case(
            what,
            Method::POST,
            "/api/admin/sites/gd/articles",
            &editor,
            body,
        )
    };
    let unknown_hash = "0".repeat(64);
    let blob = w.blob.clone();
    let mut cases = vec![
        c("missing title", without(&art, "title")).names(&["missing field", "`title`"]),
        c("missing column", without(&art, "column")).names(&["column:"]),
        c("unknown field", with(&art, "colum", json!("news"))).names(&["unknown field", "`colum`"]),
        c("server-side field", with(&art, "state", json!("published"))).names(&["unknown field", "`state`"]),
        c("title as a number", with(&art, "title", json!(5))).names(&["title:", "invalid type"]),
        c("column as a number", with(&art, "column", json!(1))).names(&["column:", "invalid type"]),
        c("body as a list", with(&art, "body", json!(["x"]))).names(&["body:", "invalid type"]),
        c("tags as a string", with(&art, "tags", json!("a,b"))).names(&["tags:", "invalid type"]),
        c("attachments as an object", with(&art, "attachments", json!({ "hash": blob }))).names(&["attachments:", "invalid type"]),
        c("unknown body format", with(&art, "body_format", json!("pdf"))).names(&["body_format:", "pdf"]),
        c("invalid JSON", raw_json("{\"column\": \"news\", \"title\": \"x\"")).names(&["JSON"]),
        c("no content type", Body::Raw(None, art.to_string().into_bytes())).names(&["Content-Type"]),
        c("form content type", Body::Raw(Some("application/x-www-form-urlencoded"), b"column=news&title=x".to_vec())).names(&["Content-Type"]),
        c("unknown column", with(&art, "column", json!("nope"))).names(&["column:", "nope"]),
        c("a column only another site has", with(&art, "column", json!("zhuanti"))).names(&["column:", "zhuanti"]),
        c("empty title", with(&art, "title", json!(""))).names(&["title:"]),
        c("blank title", with(&art, "title", json!("  \t "))).names(&["title:"]),
        c("title of 201 characters", with(&art, "title", json!(text_of(201, 'x')))).names(&["title:", "201"]),
        c("title of 201 Chinese characters", with(&art, "title", json!(text_of(201, '通')))).names(&["title:"]),
        c("subtitle of 201 characters", with(&art, "subtitle", json!(text_of(201, 's')))).names(&["subtitle:"]),
        c("author of 101 characters", with(&art, "author", json!(text_of(101, 'a')))).names(&["author:"]),
        c("issuing_body of 101 characters", with(&art, "issuing_body", json!(text_of(101, 'a')))).names(&["issuing_body:"]),
        c("doc_number of 101 characters", with(&art, "doc_number", json!(text_of(101, 'a')))).names(&["doc_number:"]),
        c("theme 22", with(&art, "theme", json!("22"))).names(&["theme:", "22"]),
        c("theme 00", with(&art, "theme", json!("00"))).names(&["theme:"]),
        c("one-digit theme", with(&art, "theme", json!("1"))).names(&["theme:"]),
        c("theme as a number", with(&art, "theme", json!(1))).names(&["theme:", "invalid type"]),
        c("unknown doc_type", with(&art, "doc_type", json!("blog"))).names(&["doc_type:", "blog"]),
        c("capitalised doc_type", with(&art, "doc_type", json!("Policy"))).names(&["doc_type:"]),
        c("month 13", with(&art, "date", json!("2024-13-01"))).names(&["date:", "2024-13-01"]),
        c("30 February", with(&art, "date", json!("2024-02-30"))).names(&["date:"]),
        c("slashed date", with(&art, "date", json!("2024/01/01"))).names(&["date:"]),
        c("compact date", with(&art, "date", json!("20240101"))).names(&["date:"]),
        c("date with a time", with(&art, "date", json!("2024-01-01T00:00:00Z"))).names(&["date:"]),
        c("bad valid_from", with(&art, "valid_from", json!("yesterday"))).names(&["valid_from:"]),
        c("bad valid_to", with(&art, "valid_to", json!("2024-02-30"))).names(&["valid_to:"]),
        c("valid_to before valid_from", Body::Json(json!({ "column": "news", "title": "t", "valid_from": "2024-06-01", "valid_to": "2024-05-31" })))
            .names(&["valid_to:"]),
        c("21 tags", with(&art, "tags", json!((0..21).map(|i| format!("标签{i}")).collect::<Vec<_>>()))).names(&["tags:"]),
        c("a tag of 31 characters", with(&art, "tags", json!([text_of(31, '标')]))).names(&["tags:"]),
        c("an empty tag", with(&art, "tags", json!(["", "ok"]))).names(&["tags:"]),
        c("a blank tag", with(&art, "tags", json!(["  "]))).names(&["tags:"]),
        c("an attachment never uploaded", with(&art, "attachments", json!([{ "hash": unknown_hash, "name": "通知.pdf" }])))
            .names(&["attachments:", "no uploaded blob"]),
        c("an uploaded attachment and one never uploaded", with(&art, "attachments", json!([{ "hash": blob, "name": "a.pdf" }, { "hash": "f".repeat(64), "name": "b.pdf" }])))
            .names(&["attachments:"]),
        c("an attachment hash that is no hash", with(&art, "attachments", json!([{ "hash": "../../etc/passwd", "name": "x" }]))).names(&["hash"]),
        c("an upper-case attachment hash", with(&art, "attachments", json!([{ "hash": blob.to_uppercase(), "name": "x" }]))).names(&["hash"]),
        c("an attachment without a name", with(&art, "attachments", json!([{ "hash": blob }]))).names(&["missing field", "`name`"]),
        c("an attachment with a blank name", with(&art, "attachments", json!([{ "hash": blob, "name": " " }]))).names(&["attachments.name:"]),
        c("an attachment with an unknown field", with(&art, "attachments", json!([{ "hash": blob, "name": "a", "url": "/x" }]))).names(&["unknown field", "`url`"]),
        c("a body over a million characters", with(&art, "body", json!(text_of(1_000_001, 'b')))).names(&["body:"]),
        case("an article on an unknown site", Method::POST, "/api/admin/sites/nope/articles", &w.t.admin, Body::Json(art.clone()))
            .names(&["nope"])
            .status(StatusCode::NOT_FOUND, "not_found"),
    ];

    // The same checks on a new revision: nothing is saved, the revision number stays.
    let draft = w.draft;
    let p = format!("/api/admin/articles/{draft}");
    let r =
        |what: &str, body: Body| case(format!("revise: {what}"), Method::PUT, &p, &editor, body);
    let rev = json!({ "title": "修订后的标题", "body": "新正文" });
    cases.extend([
        r("missing title", without(&rev, "title")).names(&["missing field", "`title`"]),
        r("unknown field", with(&rev, "revision", json!(7)))
            .names(&["unknown field", "`revision`"]),
        r("title as a number", with(&rev, "title", json!(5))).names(&["title:", "invalid type"]),
        r(
            "title of 201 characters",
            with(&rev, "title", json!(text_of(201, '修'))),
        )
        .names(&["title:"]),
        r(
            "moving to another column",
            with(&rev, "column", json!("notice")),
        )
        .names(&["column:"]),
        r("bad theme", with(&rev, "theme", json!("99"))).names(&["theme:"]),
        r("bad doc_type", with(&rev, "doc_type", json!("memo"))).names(&["doc_type:"]),
        r("bad date", with(&rev, "date", json!("2024-00-10"))).names(&["date:"]),
        r(
            "valid_to before valid_from",
            Body::Json(
                json!({ "title": "t", "valid_from": "2025-01-02", "valid_to": "2025-01-01" }),
            ),
        )
        .names(&["valid_to:"]),
        r(
            "21 tags",
            with(
                &rev,
                "tags",
                json!((0..21).map(|i| i.to_string()).collect::<Vec<_>>()),
            ),
        )
        .names(&["tags:"]),
        r(
            "an attachment never uploaded",
            with(
                &rev,
                "attachments",
                json!([{ "hash": "e".repeat(64), "name": "x.pdf" }]),
            ),
        )
        .names(&["attachments:"]),
        r("invalid JSON", raw_json("{\"title\"")).names(&["JSON"]),
        r(
            "no content type",
            Body::Raw(None, rev.to_string().into_bytes()),
        )
        .names(&["Content-Type"]),
        case(
            "revise: an article under review",
            Method::PUT,
            format!("/api/admin/articles/{}", w.submitted),
            &editor,
            Body::Json(rev.clone()),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        case(
            "revise: an approved article",
            Method::PUT,
            format!("/api/admin/articles/{}", w.approved),
            &editor,
            Body::Json(rev.clone()),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        case(
            "revise: an article that does not exist",
            Method::PUT,
            "/api/admin/articles/999999",
            &w.t.admin,
            Body::Json(rev.clone()),
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
    ]);
    w.refuse_all(cases).await;

    // The limits themselves are accepted.
    let before = w.count("/api/admin/sites/gd/articles").await;
    let ok = json!({
        "column": "news", "title": text_of(200, '题'), "subtitle": text_of(200, 's'), "theme": "21", "doc_type": "law",
        "date": "2024-02-29", "valid_from": "2024-03-01", "valid_to": "2024-03-01",
        "tags": (0..20).map(|i| format!("{i:0>30}")).collect::<Vec<_>>(),
        "attachments": [{ "hash": w.blob, "name": "附件.pdf" }], "body_format": "html", "body": "<p>正文</p>",
    });
    let r = w.t.post("/api/admin/sites/gd/articles", &editor, ok).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let a = r.json();
    assert_eq!(a["state"], "draft");
    assert_eq!(a["doc"]["attachments"][0]["mime"], "application/pdf", "{a}");
    assert_eq!(w.count("/api/admin/sites/gd/articles").await, before + 1);
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_actions_are_validated() {
    let w = world().await;
    let (draft, submitted, approved, published) = (w.draft, w.submitted, w.approved, w.published);
    let (editor, reviewer) = (w.gd.editor.clone(), w.gd.reviewer.clone());
    let c = |what: &str, id: i64, action: &str, token: &str, body: Body| {
        case(
            what,
            Method::POST,
            format!("/api/admin/articles/{id}/{action}"),
            token,
            body,
        )
    };
    let long_reason = text_of(501, '因');
    let cases = vec![
        c(
            "reject without a body",
            submitted,
            "reject",
            &reviewer,
            Body::Empty,
        )
        .names(&["reason:"]),
        c(
            "reject without a reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({})),
        )
        .names(&["reason:"]),
        c(
            "reject with an empty reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": "" })),
        )
        .names(&["reason:"]),
        c(
            "reject with a blank reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": " \n " })),
        )
        .names(&["reason:"]),
        c(
            "reject with a null reason",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": null })),
        )
        .names(&["reason:"]),
        c(
            "reject with a reason of 501 characters",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": long_reason })),
        )
        .names(&["reason:"]),
        c(
            "reject with a reason that is a number",
            submitted,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": 5 })),
        )
        .names(&["reason:"]),
        c(
            "withdraw without a body",
            published,
            "withdraw",
            &reviewer,
            Body::Empty,
        )
        .names(&["reason:"]),
        c(
            "withdraw without a reason",
            published,
            "withdraw",
            &reviewer,
            Body::Json(json!({})),
        )
        .names(&["reason:"]),
        c(
            "withdraw with a blank reason",
            published,
            "withdraw",
            &reviewer,
            Body::Json(json!({ "reason": "   " })),
        )
        .names(&["reason:"]),
        c(
            "publish at a word",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "tomorrow" })),
        )
        .names(&["at:", "tomorrow"]),
        c(
            "publish at a bare date",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2030-01-01" })),
        )
        .names(&["at:"]),
        c(
            "publish at a time without zone",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2030-01-01T08:00:00" })),
        )
        .names(&["at:"]),
        c(
            "publish at month 13",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2030-13-01T00:00:00Z" })),
        )
        .names(&["at:"]),
        c(
            "publish at an empty time",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "" })),
        )
        .names(&["at:"]),
        c(
            "publish at a number",
            approved,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": 1_900_000_000 })),
        )
        .names(&["at:"]),
        c(
            "approve with a time",
            submitted,
            "approve",
            &w.t.admin,
            Body::Json(json!({ "at": "2030-01-01T00:00:00Z" })),
        )
        .names(&["at:"]),
        c(
            "submit with an unknown field",
            draft,
            "submit",
            &editor,
            Body::Json(json!({ "comment": "请审核" })),
        )
        .names(&["unknown field", "`comment`"]),
        c(
            "submit with invalid JSON",
            draft,
            "submit",
            &editor,
            raw_json("{\"reason\": "),
        )
        .names(&["JSON"]),
        c(
            "unknown action",
            submitted,
            "destroy",
            &reviewer,
            Body::Json(json!({})),
        )
        .names(&["destroy"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "upper-case action",
            submitted,
            "APPROVE",
            &reviewer,
            Body::Empty,
        )
        .names(&["APPROVE"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "schedule is not an action",
            approved,
            "schedule",
            &reviewer,
            Body::Empty,
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "unknown action with a token of no role",
            submitted,
            "delete",
            &editor,
            Body::Empty,
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
        c(
            "action on an article that does not exist",
            999_999,
            "submit",
            &w.t.admin,
            Body::Empty,
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
        c("publish a draft", draft, "publish", &reviewer, Body::Empty)
            .names(&["draft"])
            .status(StatusCode::CONFLICT, "conflict"),
        c("approve a draft", draft, "approve", &reviewer, Body::Empty)
            .status(StatusCode::CONFLICT, "conflict"),
        c(
            "publish a submitted article",
            submitted,
            "publish",
            &reviewer,
            Body::Empty,
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c("submit twice", submitted, "submit", &editor, Body::Empty)
            .status(StatusCode::CONFLICT, "conflict"),
        c(
            "reject an approved article",
            approved,
            "reject",
            &reviewer,
            Body::Json(json!({ "reason": "迟了" })),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c(
            "withdraw what was never published",
            approved,
            "withdraw",
            &reviewer,
            Body::Json(json!({ "reason": "无" })),
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c(
            "publish twice",
            published,
            "publish",
            &reviewer,
            Body::Empty,
        )
        .status(StatusCode::CONFLICT, "conflict"),
        c(
            "schedule in the future a published article",
            published,
            "publish",
            &reviewer,
            Body::Json(json!({ "at": "2099-01-01T00:00:00Z" })),
        )
        .status(StatusCode::CONFLICT, "conflict"),
    ];
    w.refuse_all(cases).await;

    // A well-formed time is taken: a future one schedules, with an offset as well as Z.
    let r =
        w.t.post(
            &format!("/api/admin/articles/{approved}/publish"),
            &reviewer,
            json!({ "at": "2099-01-01T08:00:00+08:00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "scheduled");
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributions_and_republication_are_validated() {
    let w = world().await;
    let (draft, published) = (w.draft, w.published);
    let reviewer = w.gd.reviewer.clone();
    let send_to = |what: &str, id: i64, body: Body| {
        case(
            what,
            Method::POST,
            format!("/api/admin/articles/{id}/distributions"),
            &reviewer,
            body,
        )
    };
    let ok = json!({ "targets": ["gz"], "note": "请转载" });
    let republish = |what: &str, dist: &str, body: Body| {
        case(
            what,
            Method::POST,
            format!("/api/admin/sites/gd/inbox/{dist}/republish"),
            &reviewer,
            body,
        )
    };
    let cases = vec![
        send_to("missing targets", published, without(&ok, "targets"))
            .names(&["missing field", "`targets`"]),
        send_to("no targets", published, with(&ok, "targets", json!([]))).names(&["targets:"]),
        send_to(
            "a target unknown here",
            published,
            with(&ok, "targets", json!(["nowhere"])),
        )
        .names(&["targets:", "nowhere"]),
        // gz is this node's own site, not one below it.
        send_to(
            "a target not below this node",
            published,
            with(&ok, "targets", json!(["gz"])),
        )
        .names(&["targets:", "not below"]),
        send_to(
            "a note over 500 characters",
            published,
            with(&ok, "note", json!(text_of(501, '转'))),
        )
        .names(&["note:"]),
        send_to(
            "an unknown field",
            published,
            with(&ok, "priority", json!(1)),
        )
        .names(&["priority"]),
        send_to("invalid JSON", published, raw_json("{\"targets\": [")).names(&["JSON"]),
        send_to("an unpublished article", draft, Body::Json(ok.clone()))
            .status(StatusCode::NOT_FOUND, "not_found"),
        republish(
            "no such distribution",
            "440000-gd-1-1",
            Body::Json(json!({ "column": "news" })),
        )
        .status(StatusCode::NOT_FOUND, "not_found"),
        republish("missing column", "440000-gd-1-1", Body::Json(json!({})))
            .names(&["missing field", "`column`"]),
    ];
    w.refuse_all(cases).await;
    w.t.stop().await;
}
