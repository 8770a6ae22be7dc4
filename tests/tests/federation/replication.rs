//! Content flows up to every ancestor and an ancestor's own content down to its lineage.

use govnode_tests::{StatusCode, TestTree};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn county_content_reaches_city_and_province_and_province_content_reaches_counties() {
    let tree = TestTree::one_two_four().await;
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county
        .column("tianhe", "notices", "通知公告", "notice")
        .await;
    let staff = county.staff("tianhe").await;
    let a = county
        .publish(
            "tianhe",
            &staff,
            json!({ "column": "notices", "title": "天河区关于开展垃圾分类宣传周的通知", "body": "各街道：为推进垃圾分类……" }),
        )
        .await;
    let path = format!("/sites/tianhe/articles/{}", a["id"]);

    for up in ["440100", "440000"] {
        let page = tree.wait_page(up, &path).await;
        assert!(page.text.contains("垃圾分类宣传周"), "{up}: {}", page.text);
        assert_eq!(
            page.header("x-govnode-replica"),
            Some("440106"),
            "{up} marks the replica"
        );
        assert!(page.text.contains("副本"), "{up} shows a visible note");
        let hits = tree.wait_search(up, &[("q", "垃圾分类")], 1).await;
        assert_eq!(hits["hits"][0]["origin"], "440106", "{hits}");
        assert_eq!(hits["hits"][0]["site"], "tianhe");
    }
    // The owner serves its own page without the replica mark.
    let own = county.get(&path).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.header("x-govnode-replica"), None);

    // Siblings and the other city hold nothing of it (not their lineage).
    for other in ["440103", "440300", "440303"] {
        assert_eq!(
            tree.node(other).get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{other}"
        );
    }

    // The province's own content flows down to every county (lineage), and is searchable there.
    let province = tree.node("440000");
    province.site("gd", "广东省人民政府").await;
    province.column("gd", "policy", "政策文件", "policy").await;
    let staff = province.staff("gd").await;
    let p = province
        .publish(
            "gd",
            &staff,
            json!({ "column": "policy", "title": "广东省优化营商环境条例实施办法", "body": "第一条 为了优化营商环境……", "doc_type": "policy" }),
        )
        .await;
    let path = format!("/sites/gd/articles/{}", p["id"]);
    for down in ["440100", "440300", "440103", "440106", "440303", "440304"] {
        tree.wait_page(down, &path).await;
        let hits = tree.wait_search(down, &[("q", "营商环境")], 1).await;
        assert_eq!(hits["hits"][0]["origin"], "440000");
    }
    // Withdrawal is a tombstone everywhere: 410 with the reason, gone from search.
    let id = p["id"].as_i64().unwrap();
    let r = province
        .post(
            &format!("/api/admin/articles/{id}/withdraw"),
            &staff.reviewer,
            json!({ "reason": "已被新办法替代" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for down in ["440100", "440106"] {
        tree.wait_for("withdrawal replicated", || async {
            tree.node(down).get(&path).await.status == StatusCode::GONE
        })
        .await;
        assert!(
            tree.node(down)
                .get(&path)
                .await
                .text
                .contains("已被新办法替代")
        );
        tree.wait_for("withdrawn leaves search", || async {
            tree.node(down).search("营商环境").await["total"] == 0
        })
        .await;
    }
    // The province's tree reached the counties as an entry; any node answers tree queries.
    tree.wait_for("tree at a county", || async {
        tree.node("440304")
            .get("/api/federation/topology")
            .await
            .json()["nodes"]
            .as_array()
            .map(Vec::len)
            == Some(7)
    })
    .await;
    let t = tree
        .node("440304")
        .get("/api/federation/topology?ancestors=440106&subtree=440300&path=440106,440304")
        .await
        .json();
    assert_eq!(t["ancestors"], json!(["440100", "440000"]));
    assert_eq!(t["subtree"], json!(["440300", "440303", "440304"]));
    assert_eq!(
        t["path"],
        json!(["440106", "440100", "440000", "440300", "440304"])
    );
    let bad = tree
        .node("440304")
        .get("/api/federation/topology?path=440106")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        tree.node("440304")
            .get("/api/federation/topology?subtree=440999")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The operators' page lists peers and per-origin logs.
    let page = tree.node("440000").get("/federation").await;
    assert_eq!(page.status, StatusCode::OK);
    // Nodes by name, the tier in Chinese: never a bare code.
    for text in [
        "联邦状态",
        "广东省（省级节点）",
        "广州市",
        "深圳市",
        "已连接",
        "天河区",
    ] {
        assert!(page.text.contains(text), "{text}: {}", page.text);
    }
    assert!(!page.text.contains("未知节点"), "{}", page.text);
    // Every node holding the province's log agrees on it.
    for n in ["440100", "440106", "440304"] {
        tree.wait_same_log("440000", n, "440000").await;
    }
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_distributed_notice_is_republished_by_two_counties_and_receipts_come_back() {
    let tree = TestTree::one_two_four().await;
    for (node, site, name) in [
        ("440106", "tianhe", "天河区人民政府"),
        ("440303", "luohu", "罗湖区人民政府"),
    ] {
        let n = tree.node(node);
        n.site(site, name).await;
        n.column(site, "upper", "上级文件", "notice").await;
    }
    let province = tree.node("440000");
    province.site("gd", "广东省人民政府").await;
    province.column("gd", "notice", "通知公告", "notice").await;
    let staff = province.staff("gd").await;
    // The county sites must have reached the province before it can address them.
    tree.wait_for("county sites known at the province", || async {
        let sites = province
            .call(
                govnode_tests::Method::GET,
                "/api/admin/sites",
                Some(&province.admin),
                None,
            )
            .await
            .json();
        ["tianhe", "luohu"]
            .iter()
            .all(|s| sites.as_array().unwrap().iter().any(|x| x["id"] == *s))
    })
    .await;
    let a = province
        .publish("gd", &staff, json!({ "column": "notice", "title": "关于做好2027年元旦春节期间有关工作的通知", "body": "各市、县（区）人民政府……", "doc_number": "粤府办〔2026〕30号" }))
        .await;
    let id = a["id"].as_i64().unwrap();
    // Bad targets are named.
    let r = province
        .post(
            &format!("/api/admin/articles/{id}/distributions"),
            &staff.reviewer,
            json!({ "targets": ["nowhere"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("nowhere"));
    let r = province
        .post(
            &format!("/api/admin/articles/{id}/distributions"),
            &staff.reviewer,
            json!({ "targets": ["tianhe", "luohu"], "note": "请于本周内转载" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let dist = r.json()["id"].as_str().unwrap().to_string();

    for (node, site) in [("440106", "tianhe"), ("440303", "luohu")] {
        let n = tree.node(node);
        let local = n.staff(site).await;
        tree.wait_for("distribution in the inbox", || async {
            let inbox = n
                .call(
                    govnode_tests::Method::GET,
                    &format!("/api/admin/sites/{site}/inbox"),
                    Some(&local.editor),
                    None,
                )
                .await
                .json();
            inbox
                .as_array()
                .is_some_and(|a| a.iter().any(|i| i["id"] == dist && i["state"] == "pending"))
        })
        .await;
        let r = n
            .post(
                &format!("/api/admin/sites/{site}/inbox/{dist}/republish"),
                &local.reviewer,
                json!({ "column": "upper" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let path = r.json()["path"].as_str().unwrap().to_string();
        let page = n.get(&path).await;
        assert!(page.text.contains("元旦春节期间"), "{}", page.text);
        // Twice is a conflict, not a second copy.
        let again = n
            .post(
                &format!("/api/admin/sites/{site}/inbox/{dist}/republish"),
                &local.reviewer,
                json!({ "column": "upper" }),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
    }
    // Nodes off the path hold the distribution's signed header only (elided), so the
    // province's log stays gap-free everywhere; the city on the path holds it whole.
    let province_id: govnode_topology::NodeId = "440000".parse().unwrap();
    for (node, whole) in [
        ("440100", true),
        ("440300", true),
        ("440103", false),
        ("440304", false),
    ] {
        let fed = &tree.node(node).node.federation;
        tree.wait_for("distribution entry held", || async {
            let head = fed.log().version_vector().await.unwrap().get(province_id);
            fed.log()
                .entries_after(province_id, 0, head, 1000)
                .await
                .unwrap()
                .iter()
                .any(|(e, _)| e.kind == "content.distribution")
        })
        .await;
        let head = fed.log().version_vector().await.unwrap().get(province_id);
        let entries = fed
            .log()
            .entries_after(province_id, 0, head, 1000)
            .await
            .unwrap();
        let (entry, _) = entries
            .iter()
            .find(|(e, _)| e.kind == "content.distribution")
            .unwrap();
        assert_eq!(entry.payload.is_some(), whole, "{node}");
    }

    // Receipts flow back up to the sender.
    tree.wait_for("receipts at the province", || async {
        let list = province
            .call(
                govnode_tests::Method::GET,
                &format!("/api/admin/articles/{id}/distributions"),
                Some(&staff.editor),
                None,
            )
            .await
            .json();
        list[0]["receipts"].as_array().is_some_and(|r| r.len() == 2)
    })
    .await;
    let list = province
        .call(
            govnode_tests::Method::GET,
            &format!("/api/admin/articles/{id}/distributions"),
            Some(&staff.editor),
            None,
        )
        .await
        .json();
    let nodes: Vec<&str> = list[0]["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["node"].as_str().unwrap())
        .collect();
    assert!(
        nodes.contains(&"440106") && nodes.contains(&"440303"),
        "{list}"
    );
    // The republished copies are the counties' own content, replicated up like any other.
    let path = list[0]["receipts"][0]["path"].as_str().unwrap().to_string();
    tree.wait_page("440000", &path).await;
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attachments_follow_their_article_by_hash_and_survive_the_owner_going_down() {
    let m = |id, name, parent: Option<&'static str>| govnode_tests::tree::Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let mut tree = TestTree::start(vec![
        m("440000", "广东省", None),
        m("440106", "天河区", Some("440000")),
    ])
    .await;
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county
        .column("tianhe", "notice", "通知公告", "notice")
        .await;
    let staff = county.staff("tianhe").await;
    let pdf = "%PDF-1.4 天河区2027年重点项目清单".repeat(200).into_bytes();
    let blob: serde_json::Value = county
        .http
        .post(county.url("/api/admin/blobs?site=tianhe"))
        .bearer_auth(&staff.editor)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hash = blob["hash"].as_str().unwrap().to_string();
    let a = county
        .publish("tianhe", &staff, json!({ "column": "notice", "title": "天河区2027年重点建设项目计划", "body": "详见附件。",
            "attachments": [{ "hash": hash, "name": "项目清单.pdf" }] }))
        .await;
    let path = format!("/blobs/{hash}");
    let got = tree.wait_page("440000", &path).await;
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert_eq!(
        govnode_tests::blake3_hex(got.text.as_bytes()),
        hash,
        "verified on arrival"
    );
    tree.stop("440106").await;
    let page = tree
        .wait_page("440000", &format!("/sites/tianhe/articles/{}", a["id"]))
        .await;
    assert!(
        page.text.contains(&path),
        "the replica page links the attachment"
    );
    assert_eq!(tree.node("440000").get(&path).await.status, StatusCode::OK);
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_site_s_own_templates_are_used_where_it_is_served_from_replica() {
    let m = |id, name, parent: Option<&'static str>| govnode_tests::tree::Member {
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
    let src = "{% extends \"layout.html\" %}{% block content %}<h1>天河定制首页 {{ site.name }}</h1>{% endblock %}";
    let r = county
        .call(
            govnode_tests::Method::PUT,
            "/api/admin/sites/tianhe/templates/home.html",
            Some(&county.admin),
            Some(json!({ "source": src })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    tree.wait_for("the override used on the replica", || async {
        tree.node("440000")
            .get("/sites/tianhe/")
            .await
            .text
            .contains("天河定制首页 天河区人民政府")
    })
    .await;
    // Reset at the owner: the replica goes back to the default layout.
    let r = county
        .call(
            govnode_tests::Method::DELETE,
            "/api/admin/sites/tianhe/templates/home.html",
            Some(&county.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    tree.wait_for("the reset reaches the replica", || async {
        !tree
            .node("440000")
            .get("/sites/tianhe/")
            .await
            .text
            .contains("天河定制首页")
    })
    .await;
    tree.shutdown().await;
}
