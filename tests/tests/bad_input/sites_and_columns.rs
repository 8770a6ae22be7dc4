//! Sites, columns and column template sets.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_are_validated() {
    let w = world().await;
    let admin = w.t.admin.clone();
    let site = json!({ "id": "sz", "name": "深圳市人民政府", "hosts": ["sz.gov.test"], "owner_body": "深圳市政府办公厅", "body_code": "00sz", "region": "440300" });
    let c = |what: &str, body: Body| case(what, Method::POST, "/api/admin/sites", &admin, body);
    let mut cases = vec![];
    for field in ["id", "name", "owner_body", "body_code", "region"] {
        let named: &'static str = match field {
            "id" => "`id`",
            "name" => "`name`",
            "owner_body" => "`owner_body`",
            "body_code" => "`body_code`",
            _ => "`region`",
        };
        cases.push(
            c(&format!("missing {field}"), without(&site, field)).names(&["missing field", named]),
        );
    }
    cases.extend([
        c("unknown field", with(&site, "province", json!("广东")))
            .names(&["unknown field", "`province`"]),
        c("name of the wrong type", with(&site, "name", json!(5)))
            .names(&["name:", "invalid type"]),
        c(
            "hosts as a string",
            with(&site, "hosts", json!("sz.gov.test")),
        )
        .names(&["hosts:", "invalid type"]),
        c("a host of the wrong type", with(&site, "hosts", json!([5]))).names(&["hosts[0]"]),
        c("region as a number", with(&site, "region", json!(440300)))
            .names(&["region:", "invalid type"]),
        c("null body", raw_json("null")).names(&["invalid type"]),
        c("array body", raw_json("[]")).names(&["expected"]),
        c("invalid JSON", raw_json(r#"{"id": "sz", "name": "#)).names(&["JSON"]),
        c("trailing garbage", raw_json(&format!("{site} x"))).names(&["JSON", "trailing"]),
        c(
            "no content type",
            Body::Raw(None, site.to_string().into_bytes()),
        )
        .names(&["Content-Type", "application/json"]),
        c(
            "text/plain content type",
            Body::Raw(Some("text/plain"), site.to_string().into_bytes()),
        )
        .names(&["Content-Type"]),
        c("no body at all", Body::Empty).names(&["Content-Type"]),
        c("empty id", with(&site, "id", json!(""))).names(&["id:"]),
        c("upper-case id", with(&site, "id", json!("SZ"))).names(&["id:", "SZ"]),
        c("id starting with '-'", with(&site, "id", json!("-sz"))).names(&["id:", "-sz"]),
        c("id with a space", with(&site, "id", json!("s z"))).names(&["id:"]),
        c("id with a slash", with(&site, "id", json!("s/z"))).names(&["id:"]),
        c("Chinese id", with(&site, "id", json!("深圳"))).names(&["id:"]),
        c(
            "id of 41 characters",
            with(&site, "id", json!(text_of(41, 'a'))),
        )
        .names(&["id:"]),
        c("blank name", with(&site, "name", json!("   "))).names(&["name:"]),
        c(
            "name of 101 characters",
            with(&site, "name", json!(text_of(101, '深'))),
        )
        .names(&["name:"]),
        c("blank owner_body", with(&site, "owner_body", json!(""))).names(&["owner_body:"]),
        c("blank body_code", with(&site, "body_code", json!(""))).names(&["body_code:"]),
        c("five-digit region", with(&site, "region", json!("44030"))).names(&["region:", "44030"]),
        c(
            "seven-digit region",
            with(&site, "region", json!("4403000")),
        )
        .names(&["region:"]),
        c(
            "region with a letter",
            with(&site, "region", json!("44030a")),
        )
        .names(&["region:"]),
        c("empty region", with(&site, "region", json!(""))).names(&["region:"]),
        c(
            "upper-case host",
            with(&site, "hosts", json!(["SZ.gov.test"])),
        )
        .names(&["hosts:", "SZ.gov.test"]),
        c(
            "host with a space",
            with(&site, "hosts", json!(["sz gov.test"])),
        )
        .names(&["hosts:"]),
        c(
            "host with a path",
            with(&site, "hosts", json!(["sz.gov.test/x"])),
        )
        .names(&["hosts:"]),
        c("empty host", with(&site, "hosts", json!([""]))).names(&["hosts:"]),
        c(
            "one good and one bad host",
            with(&site, "hosts", json!(["sz.gov.test", "Bad"])),
        )
        .names(&["hosts:", "Bad"]),
        c("duplicate site id", with(&site, "id", json!("gd")))
            .names(&["gd"])
            .status(StatusCode::CONFLICT, "conflict"),
        // The site row is written before the host is found taken: the whole creation must roll back.
        c(
            "host of another site",
            with(&site, "hosts", json!(["sz.gov.test", "gd.gov.test"])),
        )
        .names(&["gd.gov.test"])
        .status(StatusCode::CONFLICT, "conflict"),
    ]);
    w.refuse_all(cases).await;
    let r = w.t.post("/api/admin/sites", &w.t.admin, site.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the valid input is accepted: {}",
        r.text
    );
    assert_eq!(w.count("/api/admin/sites").await, 3);
    // A site without hosts is fine (served by path only); an id of exactly 40 is fine.
    let long_id = text_of(40, 'a');
    let r = w.t.post("/api/admin/sites", &w.t.admin, json!({ "id": long_id, "name": "长", "owner_body": "办公厅", "body_code": "001", "region": "440000" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    w.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_and_template_sets_are_validated() {
    let w = world().await;
    let admin = w.t.admin.clone();
    let col = json!({ "slug": "policy", "name": "政策文件", "kind": "policy" });
    let c = |what: &str, body: Body| {
        case(
            what,
            Method::POST,
            "/api/admin/sites/gd/columns",
            &w.gd_admin,
            body,
        )
    };
    let mut cases = vec![];
    for (field, named) in [("slug", "`slug`"), ("name", "`name`"), ("kind", "`kind`")] {
        cases.push(
            c(&format!("missing {field}"), without(&col, field)).names(&["missing field", named]),
        );
    }
    cases.extend([
        c("unknown field", with(&col, "colour", json!("red")))
            .names(&["unknown field", "`colour`"]),
        c("kind of the wrong type", with(&col, "kind", json!(1))).names(&["kind:", "invalid type"]),
        c(
            "interval as a string",
            with(&col, "update_interval_days", json!("7")),
        )
        .names(&["update_interval_days:", "invalid type"]),
        c(
            "fractional interval",
            with(&col, "update_interval_days", json!(1.5)),
        )
        .names(&["update_interval_days:"]),
        c(
            "position as a string",
            with(&col, "position", json!("first")),
        )
        .names(&["position:", "invalid type"]),
        c("fractional position", with(&col, "position", json!(2.5))).names(&[
            "position:",
            "2.5",
            "whole number",
        ]),
        c("parent of the wrong type", with(&col, "parent", json!(1)))
            .names(&["parent:", "invalid type"]),
        c("invalid JSON", raw_json("{\"slug\": ")).names(&["JSON"]),
        c(
            "no content type",
            Body::Raw(None, col.to_string().into_bytes()),
        )
        .names(&["Content-Type"]),
        c("unknown kind", with(&col, "kind", json!("blog"))).names(&["kind:", "blog"]),
        c("capitalised kind", with(&col, "kind", json!("News"))).names(&["kind:"]),
        c("empty kind", with(&col, "kind", json!(""))).names(&["kind:"]),
        c(
            "a document type that is no column kind",
            with(&col, "kind", json!("law")),
        )
        .names(&["kind:"]),
        c(
            "zero interval",
            with(&col, "update_interval_days", json!(0)),
        )
        .names(&["update_interval_days:"]),
        c(
            "negative interval",
            with(&col, "update_interval_days", json!(-7)),
        )
        .names(&["update_interval_days:"]),
        c(
            "interval over ten years",
            with(&col, "update_interval_days", json!(3651)),
        )
        .names(&["update_interval_days:"]),
        c("unknown parent", with(&col, "parent", json!("nope"))).names(&["parent:", "nope"]),
        c(
            "parent in another site",
            with(&col, "parent", json!("zhuanti")),
        )
        .names(&["parent:", "zhuanti"]),
        c("empty slug", with(&col, "slug", json!(""))).names(&["slug:"]),
        c("upper-case slug", with(&col, "slug", json!("Policy"))).names(&["slug:"]),
        c("slug with a slash", with(&col, "slug", json!("a/b"))).names(&["slug:"]),
        c(
            "slug of 41 characters",
            with(&col, "slug", json!(text_of(41, 'p'))),
        )
        .names(&["slug:"]),
        c("blank name", with(&col, "name", json!(" "))).names(&["name:"]),
        c(
            "name of 51 characters",
            with(&col, "name", json!(text_of(51, '栏'))),
        )
        .names(&["name:"]),
        c("duplicate slug", with(&col, "slug", json!("news")))
            .names(&["news"])
            .status(StatusCode::CONFLICT, "conflict"),
        c(
            "duplicate slug under a parent",
            Body::Json(
                json!({ "slug": "notice", "name": "子栏目", "kind": "notice", "parent": "news" }),
            ),
        )
        .names(&["notice"])
        .status(StatusCode::CONFLICT, "conflict"),
        case(
            "column of an unknown site",
            Method::POST,
            "/api/admin/sites/nope/columns",
            &admin,
            Body::Json(col.clone()),
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
    ]);

    // Column template sets (platform admin).
    let set = json!({ "name": "县级模板", "columns": [col.clone()] });
    let s = |what: &str, body: Body| {
        case(
            what,
            Method::PUT,
            "/api/admin/column-templates/county",
            &admin,
            body,
        )
    };
    cases.extend([
        s("set without name", without(&set, "name")).names(&["missing field", "`name`"]),
        s("set without columns", without(&set, "columns")).names(&["missing field", "`columns`"]),
        s("set with no columns", with(&set, "columns", json!([]))).names(&["columns:"]),
        s(
            "set with an unknown field",
            with(&set, "sites", json!(["gd"])),
        )
        .names(&["unknown field", "`sites`"]),
        s(
            "set whose column lacks a kind",
            with(&set, "columns", json!([{ "slug": "a", "name": "甲" }])),
        )
        .names(&["`kind`"]),
        s(
            "set whose column has an unknown field",
            with(
                &set,
                "columns",
                json!([{ "slug": "a", "name": "甲", "kind": "news", "x": 1 }]),
            ),
        )
        .names(&["`x`"]),
        s(
            "set whose second column has a bad kind",
            with(
                &set,
                "columns",
                json!([col.clone(), { "slug": "a", "name": "甲", "kind": "blog" }]),
            ),
        )
        .names(&["columns:", "kind:", "blog"]),
        s(
            "set whose column has a bad slug",
            with(
                &set,
                "columns",
                json!([{ "slug": "A", "name": "甲", "kind": "news" }]),
            ),
        )
        .names(&["columns:", "slug:"]),
        s(
            "set whose column has a bad interval",
            with(
                &set,
                "columns",
                json!([{ "slug": "a", "name": "甲", "kind": "news", "update_interval_days": 0 }]),
            ),
        )
        .names(&["columns:", "update_interval_days:"]),
        s(
            "columns as an object",
            with(&set, "columns", json!({ "slug": "a" })),
        )
        .names(&["columns:", "invalid type"]),
        s("invalid JSON", raw_json("{")).names(&["JSON"]),
        case(
            "set with a bad id",
            Method::PUT,
            "/api/admin/column-templates/Bad_Set",
            &admin,
            Body::Json(set.clone()),
        )
        .names(&["id:", "Bad_Set"]),
    ]);
    w.refuse_all(cases).await;

    // A saved set whose second column names a parent the site lacks: applying it must fail
    // whole, creating not even the first column.
    let broken = json!({ "name": "有问题的模板", "columns": [
        { "slug": "first", "name": "第一", "kind": "news" },
        { "slug": "second", "name": "第二", "kind": "news", "parent": "missing" },
    ] });
    let r =
        w.t.call(
            Method::PUT,
            "/api/admin/column-templates/broken",
            Some(&admin),
            Some(broken),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r =
        w.t.call(
            Method::PUT,
            "/api/admin/column-templates/county",
            Some(&admin),
            Some(set.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let a = |what: &str, path: &str, body: Body| case(what, Method::POST, path, &admin, body);
    w.refuse_all(vec![
        a(
            "apply without site",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({})),
        )
        .names(&["missing field", "`site`"]),
        a(
            "apply with site as a number",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({ "site": 1 })),
        )
        .names(&["site:", "invalid type"]),
        a(
            "apply with an unknown field",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({ "site": "gd", "force": true })),
        )
        .names(&["`force`"]),
        a(
            "apply with no content type",
            "/api/admin/column-templates/county/apply",
            Body::Raw(None, br#"{"site":"gd"}"#.to_vec()),
        )
        .names(&["Content-Type"]),
        a(
            "apply an unknown set",
            "/api/admin/column-templates/nope/apply",
            Body::Json(json!({ "site": "gd" })),
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        a(
            "apply to an unknown site",
            "/api/admin/column-templates/county/apply",
            Body::Json(json!({ "site": "nope" })),
        )
        .names(&["nope"])
        .status(StatusCode::NOT_FOUND, "not_found"),
        a(
            "apply a set with a missing parent",
            "/api/admin/column-templates/broken/apply",
            Body::Json(json!({ "site": "gd" })),
        )
        .names(&["parent:", "missing"]),
    ])
    .await;

    // The limits themselves are accepted, and whole numbers written as JSON Schema allows
    // them (`7.0`, as some clients send every number).
    let before = w.count("/api/admin/sites/gd/columns").await;
    for (slug, days, position) in [
        ("daily", json!(1), json!(-3)),
        ("decade", json!(3650), json!(-3)),
        ("weekly", json!(7.0), json!(2.0)),
    ] {
        let r = w.t.post("/api/admin/sites/gd/columns", &w.gd_admin, json!({ "slug": slug, "name": "栏目", "kind": "news", "update_interval_days": days, "parent": "news", "position": position })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            r.json()["update_interval_days"],
            days.as_f64().unwrap() as i64
        );
        assert_eq!(r.json()["position"], position.as_f64().unwrap() as i64);
    }
    assert_eq!(w.count("/api/admin/sites/gd/columns").await, before + 3);
    w.t.stop().await;
}
