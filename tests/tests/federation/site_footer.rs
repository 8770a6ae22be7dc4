//! A site's footer (网站标识码, 备案号, 党政机关 mark, 承办单位, contact) travels with the
//! site: set at creation or replaced later at the county, shown on the site's pages at the
//! city and the province. A footer a modified node signs that the county's own API would
//! refuse is refused on arrival; an older node's site entry (no footer) keeps the footer.

use govnode_federation::{Audience, Entry, EntryDraft, encode_payload};
use govnode_tests::tree::Member;
use govnode_tests::{Method, Reply, StatusCode, TestNode, TestTree};
use serde_json::{Value, json};

/// The page's `<footer role="contentinfo">…</footer>`.
fn footer(page: &Reply) -> String {
    let start = page
        .text
        .find("<footer role=\"contentinfo\"")
        .unwrap_or_else(|| panic!("no footer: {}", page.text));
    let end = page.text[start..].find("</footer>").expect("footer closed") + start;
    page.text[start..end].to_string()
}

async fn put_footer(node: &TestNode, site: &str, body: Value) -> Reply {
    node.call(
        Method::PUT,
        &format!("/api/admin/sites/{site}/footer"),
        Some(&node.admin),
        Some(body),
    )
    .await
}

/// Waits until `/sites/{site}/` at `id` has `needle` in its footer; returns the footer.
async fn wait_footer(tree: &TestTree, id: &str, site: &str, needle: &str) -> String {
    let path = format!("/sites/{site}/");
    tree.wait_for(&format!("{needle} in {path} at {id}"), || async {
        let page = tree.node(id).get(&path).await;
        page.status == StatusCode::OK && footer(&page).contains(needle)
    })
    .await;
    footer(&tree.node(id).get(&path).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_county_s_footer_reaches_the_city_and_the_province_and_follows_changes() {
    let tree = TestTree::one_two_four().await;
    let county = tree.node("440106");
    let r = county
        .post(
            "/api/admin/sites",
            &county.admin,
            json!({ "id": "tianhe", "name": "天河区人民政府", "owner_body": "天河区人民政府办公室",
                "body_code": "006940060", "region": "440106",
                "footer": { "site_code": "4401060001", "icp_record": "粤ICP备05070829号",
                    "conac_id": "BFC1D08BF3309DDCE05310291AAC2C98", "undertaker": "天河区政务服务数据管理局",
                    "phone": "020-38622222", "email": "webmaster@thnet.gov.cn" } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // Set at creation: the replica's pages show it, as the county's own page does.
    for up in ["440100", "440000"] {
        let f = wait_footer(&tree, up, "tianhe", "网站标识码：4401060001").await;
        for needle in [
            "<a href=\"https://beian.miit.gov.cn/\">粤ICP备05070829号</a>",
            "href=\"https://bszs.conac.cn/sitename?method=show&amp;id=BFC1D08BF3309DDCE05310291AAC2C98\"",
            "承办单位：天河区政务服务数据管理局",
            "联系电话：020-38622222",
            "<a href=\"mailto:webmaster@thnet.gov.cn\">webmaster@thnet.gov.cn</a>",
            "jcInfoNew?siteCode=4401060001&amp;url=",
            "我为政府网站找错</a>",
        ] {
            assert!(f.contains(needle), "{up} lacks {needle}: {f}");
        }
        let home = tree.node(up).get("/sites/tianhe/").await;
        assert_eq!(home.header("x-govnode-replica"), Some("440106"), "{up}");
        assert!(
            home.text
                .contains("<meta name=\"SiteIDCode\" content=\"4401060001\">"),
            "{up}"
        );
    }

    // Replaced at the county: the new footer reaches the province, what it left out is gone.
    let r = put_footer(
        county,
        "tianhe",
        json!({ "site_code": "4401060002", "police_record": "粤公网安备 44010602000195号",
            "undertaker": "天河区政务服务和数据管理局" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for up in ["440000", "440100"] {
        let f = wait_footer(&tree, up, "tianhe", "网站标识码：4401060002").await;
        for needle in [
            "<a href=\"https://beian.mps.gov.cn/#/query/webSearch?code=44010602000195\">粤公网安备 44010602000195号</a>",
            "承办单位：天河区政务服务和数据管理局",
        ] {
            assert!(f.contains(needle), "{up} lacks {needle}: {f}");
        }
        for gone in ["4401060001", "ICP备", "gov-mark", "联系电话", "webmaster@"] {
            assert!(!f.contains(gone), "{up} still shows {gone}: {f}");
        }
    }
    // The admin list at the province has it as the county set it.
    let sites = tree
        .node("440000")
        .call(
            Method::GET,
            "/api/admin/sites",
            Some(&tree.node("440000").admin),
            None,
        )
        .await
        .json();
    let replica = sites
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == "tianhe"))
        .cloned()
        .expect("listed at the province");
    assert_eq!(replica["footer"]["site_code"], "4401060002", "{replica}");
    assert_eq!(replica["footer"]["icp_record"], "", "{replica}");

    // Only the owner sets it: the province may not change the county's footer.
    let r = put_footer(
        tree.node("440000"),
        "tianhe",
        json!({ "site_code": "4400000114" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // The logs still agree (the footer change is one entry of the county's).
    tree.wait_same_log("440106", "440000", "440106").await;
    tree.shutdown().await;
}

/// A `content.site` payload as the content module encodes it: the V1 record (a tuple of
/// the same fields in the same order encodes alike), then, for V2, the revision 2 and the
/// footer's eight fields.
fn site_payload(name: &str, footer: Option<[&str; 8]>) -> Vec<u8> {
    let record = (
        "tianhe",
        name,
        "天河区人民政府办公室",
        "006940060",
        "440106",
        false,
        "",
        1_767_225_600_000_i64,
    );
    match footer {
        None => encode_payload(1, &record),
        Some(f) => encode_payload(1, &(record, 2u8, f)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_footer_the_owner_s_api_would_refuse_is_refused_and_older_entries_keep_the_footer() {
    let m = |id, name, parent: Option<&'static str>| Member {
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
    let r = put_footer(
        county,
        "tianhe",
        json!({ "site_code": "4401060001", "undertaker": "天河区政务服务数据管理局" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    wait_footer(&tree, "440000", "tianhe", "网站标识码：4401060001").await;
    tree.wait_same_log("440106", "440000", "440106").await;

    // A modified county node signs, with its own certified key: a footer its API refuses
    // (a site code that is not one, a script URL for the 党政机关 id), with a new name; then
    // a site entry as a node from before the footer writes it (V1: no footer).
    let fed = &county.node.federation;
    let me = fed.me();
    let head = fed.log().version_vector().await.unwrap().get(me);
    let entries = fed.log().entries_after(me, 0, head, 100).await.unwrap();
    let last_hlc = entries.iter().map(|(e, _)| e.hlc).max().unwrap();
    let sign = |seq: u64, payload: Vec<u8>| {
        Entry::sign(
            &county.node.key,
            me,
            seq,
            last_hlc + seq - head,
            EntryDraft {
                kind: "content.site".into(),
                object: "tianhe".into(),
                audience: Audience::Public,
                payload,
            },
        )
    };
    let bad = [
        "<script>",
        "",
        "",
        "javascript:alert(1)",
        "天河区",
        "",
        "",
        "",
    ];
    let batch = vec![
        sign(head + 1, site_payload("天河区人民政府（篡改）", Some(bad))),
        sign(head + 2, site_payload("天河区人民政府（旧版节点）", None)),
    ];
    let province = tree.node("440000");
    let report = province
        .node
        .federation
        .ingest("test-modified-county", batch, fed.own_chain())
        .await
        .unwrap();
    assert!(report.rejected.is_empty(), "authentic entries: {report:?}");

    // The V1 entry applied (the new name), the footer kept; the bad footer never shown.
    tree.wait_for("the older node's entry at the province", || async {
        province
            .get("/sites/tianhe/")
            .await
            .text
            .contains("天河区人民政府（旧版节点）")
    })
    .await;
    let page = province.get("/sites/tianhe/").await;
    let f = footer(&page);
    assert!(f.contains("网站标识码：4401060001"), "{f}");
    assert!(f.contains("承办单位：天河区政务服务数据管理局"), "{f}");
    for bad in ["<script", "javascript:", "篡改"] {
        assert!(!page.text.contains(bad), "{bad} in {}", page.text);
    }
    // The refusal is on record, naming the field.
    let status = province.get("/api/federation/status").await.json();
    let recent = status["rejected"]["recent"].to_string();
    assert!(
        recent.contains("tianhe") && recent.contains("footer.site_code"),
        "{recent}"
    );
    tree.shutdown().await;
}
