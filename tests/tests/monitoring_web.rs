//! One-net management over the web, on running nodes: a site's dead internal link and an
//! external link to a local server answering 404 become dead-link findings; a city probes
//! its county's site, records the failures once the county is stopped, and the availability
//! veto appears at 5 %.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use govnode::Config;
use govnode_monitoring::web_checks::probes::probe_targets;
use govnode_monitoring::{Indicator, Severity};
use govnode_tests::tree::Member;
use govnode_tests::{StatusCode, TestNode, TestTree};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A local "external" server (plain HTTP/1.1 on a socket): `/ok` answers 200, anything
/// else 404; counts requests.
async fn external_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let line = String::from_utf8_lossy(&head);
                let path = line.split_whitespace().nth(1).unwrap_or("/");
                let status = if path == "/ok" {
                    "200 OK"
                } else {
                    "404 Not Found"
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
                let _ = conn.write_all(answer.as_bytes()).await;
            });
        }
    });
    (addr, hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_internal_and_external_links_become_findings() {
    let (ext, hits) = external_server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new("440000".parse().unwrap(), "广东省");
    // The "external" server is on loopback: allowed here, as an operator would allow a
    // network inside the government's.
    config.monitoring.allowed_networks = vec!["127.0.0.1/32".into()];
    let t = TestNode::start_in(config, dir).await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "gzdt", "工作动态", "news").await;
    let s = t.staff("gd").await;
    let target = t
        .publish(
            "gd",
            &s,
            json!({ "column": "gzdt", "title": "被引用的通知", "body": "正文" }),
        )
        .await;
    let live = target["id"].as_i64().unwrap();
    let body = format!(
        "见[有效通知](/sites/gd/articles/{live})、[本站主页](http://gd.gov.test/)、\
         [已删除的通知](/sites/gd/articles/999999)、\
         [外部有效](http://{ext}/ok)、[外部失效](http://{ext}/gone)、\
         [再次外部失效](http://{ext}/gone#part)。"
    );
    let up = t
        .http
        .post(t.url("/api/admin/blobs?site=gd"))
        .bearer_auth(&s.editor)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.4 monitoring".to_vec())
        .send()
        .await
        .unwrap();
    assert!(up.status().is_success());
    let blob: serde_json::Value = up.json().await.unwrap();
    let page = t
        .publish(
            "gd",
            &s,
            json!({ "column": "gzdt", "title": "含链接的文章", "body": body,
                "attachments": [{ "hash": blob["hash"], "name": "附件.pdf" }] }),
        )
        .await;
    let page_id = page["id"].as_i64().unwrap();

    let report = govnode::monitoring::check_links_now(&t.node, t.addr)
        .await
        .unwrap();
    // Five distinct links and the attachment on one page (a fragment makes no new URL).
    assert_eq!(
        (report.pages, report.links, report.dead),
        (2, 6, 2),
        "{report:?}"
    );
    let findings = t.node.monitoring.findings("gd").await.unwrap();
    let dead: Vec<_> = findings
        .iter()
        .filter(|f| f.indicator == Indicator::DeadLink)
        .collect();
    assert_eq!(dead.len(), 2, "{findings:#?}");
    for f in &dead {
        assert_eq!(f.severity, Severity::Deduction);
        assert!(f.subject.contains("含链接的文章"), "{}", f.subject);
        assert!(
            f.subject.contains(&format!("/sites/gd/articles/{page_id}")),
            "{}",
            f.subject
        );
        assert!(f.detail.contains("链接无法访问（404）"), "{}", f.detail);
    }
    assert!(
        dead.iter()
            .any(|f| f.detail.contains("/sites/gd/articles/999999"))
    );
    assert!(
        dead.iter()
            .any(|f| f.detail.contains(&format!("http://{ext}/gone")))
    );
    // The external server was asked once per URL (HEAD then GET for the 404, one HEAD
    // for /ok): the fragment makes no second URL.
    assert_eq!(hits.load(Ordering::SeqCst), 3);

    // Fixed: the next run replaces the findings.
    let r = t
        .post(
            &format!("/api/admin/articles/{page_id}/withdraw"),
            &s.reviewer,
            json!({ "reason": "链接失效" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    govnode::monitoring::check_links_now(&t.node, t.addr)
        .await
        .unwrap();
    let left = t.node.monitoring.findings("gd").await.unwrap();
    assert!(
        left.iter().all(|f| f.indicator != Indicator::DeadLink),
        "{left:#?}"
    );
    t.stop().await;
}

/// A webhook receiver: the JSON bodies POSTed to it.
async fn webhook() -> (String, Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    let got: Arc<std::sync::Mutex<Vec<serde_json::Value>>> = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<serde_json::Value>| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(v);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_sees_its_stopped_county_fail_and_the_veto_at_five_percent() {
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let (hook, posted) = webhook().await;
    let mut tree = TestTree::start_configured(
        vec![
            m("440000", "广东省", None),
            m("440100", "广州市", Some("440000")),
            m("440106", "天河区", Some("440100")),
        ],
        |id, config| {
            // The checks run when the test says, not on the workers' timers.
            config.monitoring.enabled = false;
            if id == "440100" {
                config.monitoring.webhook_url = hook.clone();
            }
        },
    )
    .await;
    tree.node("440106").site("tianhe", "天河区人民政府").await;
    tree.wait_page("440100", "/sites/tianhe/").await;
    let county_base = tree.node("440106").url("/");
    let city = tree.node("440100");
    // The county's site entry announces its host name: the city probes the site there,
    // straight to the name while no route is set (DNS leads to the county in a real tree).
    let replica = city.node.content.site("tianhe").await.unwrap();
    assert!(
        replica.hosts.is_empty(),
        "the city does not answer for the name"
    );
    assert_eq!(replica.owner_hosts, ["tianhe.gov.test"]);
    let targets = |routes: std::collections::BTreeMap<String, String>| {
        let content = city.node.content.clone();
        let base = reqwest::Url::parse(&city.url("/")).unwrap();
        async move {
            probe_targets(&content, "440100", &["440106".to_string()], &base, &routes)
                .await
                .unwrap()
                .into_iter()
                .filter(|t| t.site == "tianhe")
                .collect::<Vec<_>>()
        }
    };
    let direct = targets(Default::default()).await;
    assert_eq!(direct.len(), 1, "{direct:?}");
    assert_eq!(direct[0].url, "http://tianhe.gov.test/");
    assert_eq!(
        (direct[0].connect.as_str(), direct[0].host.as_deref()),
        ("http://tianhe.gov.test/", None)
    );
    let routed = targets([("440106".to_string(), county_base.clone())].into()).await;
    assert_eq!(
        (routed[0].connect.as_str(), routed[0].host.as_deref()),
        (county_base.as_str(), Some("tianhe.gov.test"))
    );
    // The operator names the county's HTTP base.
    city.node
        .monitoring
        .set_probe_route("440106", &county_base)
        .await
        .unwrap();
    assert_eq!(
        city.node
            .monitoring
            .availability("tianhe", 0)
            .await
            .unwrap()
            .probes,
        0
    );
    for _ in 0..20 {
        let r = govnode::monitoring::probe_now(&city.node, city.addr)
            .await
            .unwrap();
        let county: Vec<_> = r.iter().filter(|p| p.site == "tianhe").collect();
        assert_eq!(county.len(), 1, "{r:?}");
        // Asked at the county's HTTP base by its host name, as the county routes it.
        assert_eq!(county[0].url, "http://tianhe.gov.test/");
        assert_eq!((county[0].status, county[0].error.as_str()), (200, ""));
    }
    let a = city
        .node
        .monitoring
        .availability("tianhe", 0)
        .await
        .unwrap();
    assert_eq!((a.probes, a.failed), (20, 0));
    // The province does not probe its grandchild's site; the county probes its own.
    let p = tree.node("440000");
    let r = govnode::monitoring::probe_now(&p.node, p.addr)
        .await
        .unwrap();
    assert!(r.iter().all(|p| p.site != "tianhe"), "{r:?}");
    let c = tree.node("440106");
    let r = govnode::monitoring::probe_now(&c.node, c.addr)
        .await
        .unwrap();
    assert!(
        r.iter().any(|p| p.site == "tianhe" && p.status == 200),
        "{r:?}"
    );

    // A county page altered outside the workflow (its database edited by hand) differs from
    // the city's rendering of the signed replica: a veto item once seen twice in a row.
    let county = tree.node("440106");
    let staff = county.staff("tianhe").await;
    county.column("tianhe", "news", "新闻", "news").await;
    let article = county
        .publish(
            "tianhe",
            &staff,
            json!({ "column": "news", "title": "天河区召开工作会议", "body": "会议部署了年度重点工作。" }),
        )
        .await;
    let path = format!("/sites/tianhe/articles/{}", article["id"]);
    tree.wait_page("440100", &path).await;
    let tampered = |city: &TestNode| {
        let m = city.node.monitoring.clone();
        async move {
            m.findings("tianhe")
                .await
                .unwrap()
                .into_iter()
                .filter(|f| f.indicator == Indicator::Tampered)
                .collect::<Vec<_>>()
        }
    };
    for _ in 0..2 {
        govnode::monitoring::check_sites_now(&city.node, city.addr)
            .await
            .unwrap();
    }
    assert!(tampered(city).await.is_empty());
    sqlx::query("UPDATE published SET doc_json = REPLACE(doc_json, '年度重点工作', '博彩网站推广') WHERE site_id = 'tianhe'")
        .execute(&county.node.db.write)
        .await
        .unwrap();
    assert!(county.get(&path).await.text.contains("博彩网站推广"));
    govnode::monitoring::check_sites_now(&city.node, city.addr)
        .await
        .unwrap();
    assert!(
        tampered(city).await.is_empty(),
        "one difference may be a replica behind"
    );
    govnode::monitoring::check_sites_now(&city.node, city.addr)
        .await
        .unwrap();
    let found = tampered(city).await;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].subject, path);
    assert_eq!(found[0].severity, Severity::Veto);
    assert!(
        found[0].detail.contains("博彩网站推广"),
        "{}",
        found[0].detail
    );
    posted.lock().unwrap().clear();

    tree.stop("440106").await;
    let city = tree.node("440100");
    let r = govnode::monitoring::probe_now(&city.node, city.addr)
        .await
        .unwrap();
    let failed = r.iter().find(|p| p.site == "tianhe").unwrap();
    assert_eq!(failed.status, 0);
    assert!(!failed.error.is_empty());
    // 1 of 21 failed: under 5 %, a warning for a person to look at.
    let a = city
        .node
        .monitoring
        .availability("tianhe", 0)
        .await
        .unwrap();
    assert_eq!((a.probes, a.failed), (21, 1));
    let f = city.node.monitoring.findings("tianhe").await.unwrap();
    let avail: Vec<_> = f
        .iter()
        .filter(|f| f.indicator == Indicator::Availability)
        .collect();
    assert_eq!(avail.len(), 1, "{f:#?}");
    assert_eq!(avail[0].severity, Severity::Warning);
    // 2 of 22: over 5 %, the veto.
    govnode::monitoring::probe_now(&city.node, city.addr)
        .await
        .unwrap();
    let a = city
        .node
        .monitoring
        .availability("tianhe", 0)
        .await
        .unwrap();
    assert_eq!((a.probes, a.failed), (22, 2));
    assert!(a.percent_failed >= 5.0);
    let f = city.node.monitoring.findings("tianhe").await.unwrap();
    let veto = f
        .iter()
        .find(|f| f.indicator == Indicator::Availability)
        .expect("the availability finding");
    assert_eq!(veto.severity, Severity::Veto, "{veto:?}");
    let days = city
        .node
        .monitoring
        .availability_by_day("tianhe", 7, chrono::Utc::now().timestamp_millis())
        .await
        .unwrap();
    assert_eq!(days.last().unwrap().availability.failed, 2);

    // The city's round of site checks opens the alert, posts it to the webhook and reports
    // the county's site up: the province sees the veto though the county cannot report.
    let round = govnode::monitoring::check_sites_now(&city.node, city.addr)
        .await
        .unwrap();
    let opened: Vec<_> = round.opened.iter().filter(|a| a.site == "tianhe").collect();
    assert_eq!(opened.len(), 1, "{:?}", round.opened);
    assert_eq!(opened[0].indicator, Indicator::Availability);
    let got = posted.lock().unwrap().clone();
    let hooked: Vec<_> = got
        .iter()
        .filter(|v| v["site"] == "tianhe" && v["indicator"] == "availability")
        .collect();
    assert_eq!(hooked.len(), 1, "{got:?}");
    assert_eq!(hooked[0]["indicator_name"], "站点无法访问");
    assert_eq!(hooked[0]["site_name"], "天河区人民政府");
    assert_eq!(hooked[0]["node"], "440100");
    // The same veto again opens nothing new.
    let again = govnode::monitoring::check_sites_now(&city.node, city.addr)
        .await
        .unwrap();
    assert!(
        again.opened.iter().all(|a| a.site != "tianhe"),
        "{:?}",
        again.opened
    );
    let province = tree.node("440000");
    tree.wait_for("the county's veto at the province", || async {
        province
            .node
            .monitoring
            .below()
            .await
            .unwrap()
            .iter()
            .any(|s| s.site == "tianhe" && s.veto_labels().contains(&"站点无法访问"))
    })
    .await;
    let below = province.node.monitoring.below().await.unwrap();
    let tianhe = below.iter().find(|s| s.site == "tianhe").unwrap();
    assert_eq!(tianhe.node, "440106");
    assert!(!tianhe.passed());
    // The province's console lists it failing, by name.
    let mut admin = govnode_tests::console::Browser::signed_in(
        province,
        "province.admin",
        &[govnode_accounts::Grant::node(
            govnode_accounts::Role::PlatformAdmin,
        )],
    )
    .await;
    let page = admin.get("/admin/monitoring").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let row = govnode_tests::console::between(&page.text, "天河区人民政府", "</tr>");
    assert!(
        row.contains("站点无法访问") && row.contains("单项否决"),
        "{row}"
    );

    // Thresholds set at the province's console hold below, until a level sets its own.
    let form = "/admin/monitoring/thresholds";
    let csrf = admin.csrf(form).await;
    let r = admin
        .post(form, &[("csrf", &csrf), ("home_stale_days", "零")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("“首页更新期限”须填写数字"), "{}", r.text);
    let r = admin
        .post(form, &[("csrf", &csrf), ("home_stale_days", "10")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = admin.get(form).await;
    assert!(page.text.contains("当前使用：本节点设置"), "{}", page.text);
    tree.wait_for("the province's thresholds at the city", || async {
        let t = city.node.monitoring.thresholds_in_force().await.unwrap();
        t.origin.as_deref() == Some("440000") && t.thresholds.home_stale_days == 10
    })
    .await;
    let mut city_admin = govnode_tests::console::Browser::signed_in(
        city,
        "city.admin",
        &[govnode_accounts::Grant::node(
            govnode_accounts::Role::PlatformAdmin,
        )],
    )
    .await;
    let page = city_admin.get(form).await;
    assert!(
        page.text.contains("上级节点（广东省）设置"),
        "{}",
        page.text
    );
    // The city's console lists the alerts: the availability one waiting, by name.
    let page = city_admin.get("/admin/monitoring").await;
    let alerts = govnode_tests::console::between(&page.text, "id=\"alerts\"", "</table>");
    let row = govnode_tests::console::between(&alerts, "站点无法访问", "</tr>");
    assert!(
        alerts.contains("天河区人民政府") && row.contains("待整改"),
        "{alerts}"
    );
    // A sensitive word added at the province's console is checked at the city too; a bad
    // entry is refused naming what is wrong.
    let words = "/admin/monitoring/words";
    let csrf = admin.csrf(words).await;
    let r = admin
        .post(
            words,
            &[
                ("csrf", &csrf),
                ("list", "outdated"),
                ("wrong", "某某撤销局"),
                ("right", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text.contains("“已撤销机构名称”的每一条都须写明正确写法"),
        "{}",
        r.text
    );
    let r = admin
        .post(
            words,
            &[
                ("csrf", &csrf),
                ("list", "sensitive"),
                ("wrong", "违规代办证件"),
                ("right", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    tree.wait_for("the province's word at the city", || async {
        let checker = city.node.monitoring.content_checker().await.unwrap();
        checker
            .check("通知", "本站提供违规代办证件服务")
            .iter()
            .any(|f| f.serious())
    })
    .await;
    let page = city_admin.get(words).await;
    let row = govnode_tests::console::between(&page.text, "违规代办证件", "</tr>");
    assert!(row.contains("广东省") && row.contains("使用中"), "{row}");
    // An editor is refused the thresholds.
    let mut editor = govnode_tests::console::Browser::signed_in(
        province,
        "province.editor",
        &[govnode_accounts::Grant::site(
            govnode_accounts::Role::Editor,
            "tianhe",
        )],
    )
    .await;
    assert_eq!(editor.get(form).await.status, StatusCode::FORBIDDEN);
    assert_eq!(editor.get(words).await.status, StatusCode::FORBIDDEN);
    tree.shutdown().await;
}
