//! 一网通管 in the console: a site seeded with a stale home page, a stale news column, five
//! blank columns and no consultation channel, checked under a controlled clock: the overview
//! lists it first with its veto items by Chinese name, the site page groups the findings and
//! charts the weekly score, the printable report has no navigation, the CSV has a BOM and
//! the vetoes; a site admin of another site sees only theirs and is refused this one (403, in
//! Chinese), runs 立即检查 on theirs; an auditor reads but may not check; a veto reported from
//! a node below joins the site's row, page and CSV; every page checked in Chromium with
//! axe-core.

use govnode_accounts::{Grant, Role};
use govnode_monitoring::SiteSummary;
use govnode_monitoring::web_checks::ProbeResult;
use govnode_tests::browser::{assert_no_problems, available, check, text_of};
use govnode_tests::console::{Browser, csrf_of};
use govnode_tests::{Method, StatusCode, TestNode};
use govnode_topology::{NodeId, Tier, TopologyNode};
use serde_json::json;

const DAY: i64 = 86_400_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scorecards_pages_csv_and_refusals() {
    // The background probes and link checks stay off: every finding here is the test's.
    let mut config = govnode::Config::new("440000".parse().unwrap(), "广东省");
    config.monitoring.enabled = false;
    // The tree names the regions the regional report groups by.
    let id = |c: &str| c.parse::<NodeId>().unwrap();
    config.topology = Some(govnode::config::TopologySection {
        nodes: vec![
            TopologyNode::new(id("440000"), "广东省", Tier::Province, None),
            TopologyNode::new(id("440300"), "深圳市", Tier::City, Some(id("440000"))),
        ],
    });
    let t = TestNode::start_in(config, tempfile::tempdir().unwrap()).await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "yw", "要闻动态", "news").await;
    for i in 1..=5 {
        t.column("gd", &format!("kb{i}"), &format!("办事指南{i}"), "guide")
            .await;
    }
    // A parent column whose content is in its sub-column is not blank.
    t.column("gd", "zt", "专题专栏", "topic").await;
    let r = t
        .post(
            "/api/admin/sites/gd/columns",
            &t.admin,
            json!({ "slug": "zt1", "name": "优化营商环境", "kind": "topic", "parent": "zt" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    t.site("sz", "深圳市人民政府").await;
    let r = t
        .call(
            Method::PATCH,
            "/api/admin/sites/sz",
            Some(&t.admin),
            Some(json!({ "region": "440300" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    t.column("sz", "tz", "通知公告", "notice").await;
    for (site, column) in [("gd", "yw"), ("gd", "zt1"), ("sz", "tz")] {
        let staff = t.staff(site).await;
        t.publish(
            site,
            &staff,
            json!({ "column": column, "title": "全省政务服务工作会议召开", "body": "会议部署了下一阶段工作。" }),
        )
        .await;
    }

    // Checked 20 days from now: the home page and the news column are stale by then.
    let now = chrono::Utc::now().timestamp_millis();
    let card = t
        .node
        .monitoring
        .check_site(&t.node.content, &t.node.interaction, "gd", now + 20 * DAY)
        .await
        .unwrap();
    assert!(!card.passed);
    assert_eq!(
        card.veto_labels(),
        ["首页不更新", "空白栏目", "互动回应差：无咨询渠道"]
    );
    // One stale news column and five blank columns, a point each; neither the topic parent
    // nor its sub-column is blank.
    assert_eq!(card.score, 94.0);
    let findings = t.node.monitoring.findings("gd").await.unwrap();
    assert!(
        !findings
            .iter()
            .any(|f| f.subject == "专题专栏" || f.subject == "优化营商环境"),
        "{findings:?}"
    );
    assert_eq!(t.node.monitoring.history("gd", 10).await.unwrap().len(), 1);

    // Probes of today (as the availability worker records them): three answered, one not.
    let probes: Vec<ProbeResult> = [200, 200, 200, 0]
        .into_iter()
        .map(|status| ProbeResult {
            site: "gd".into(),
            url: "http://gd.gov.test/".into(),
            at_ms: now,
            status,
            error: if status == 0 {
                "连接被拒绝".into()
            } else {
                String::new()
            },
            millis: 120,
        })
        .collect();
    t.node.monitoring.record_probes(&probes).await.unwrap();

    // The overview: the failing site first, its veto items by name.
    let mut admin = Browser::signed_in(&t, "wang.admin", &[Grant::node(Role::PlatformAdmin)]).await;
    let r = admin.get("/admin/monitoring").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let gd = r.text.find("广东省人民政府").expect("gd listed");
    let sz = r.text.find("深圳市人民政府").expect("sz listed");
    assert!(gd < sz, "the failing site comes first");
    for name in [
        "首页不更新",
        "空白栏目",
        "互动回应差：无咨询渠道",
        "单项否决",
        "合格",
        "一网通管",
    ] {
        assert!(r.text.contains(name), "{name} missing: {}", r.text);
    }
    assert!(r.text.contains(">一网通管</a>"), "in the navigation");

    // The site page: grouped findings, the stale column by name, the weekly score.
    let r = admin.get("/admin/monitoring/sites/gd").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for text in [
        "栏目不更新",
        "要闻动态",
        "办事指南5",
        "94",
        "每周得分",
        "<svg",
        "<title",
    ] {
        assert!(r.text.contains(text), "{text} missing: {}", r.text);
    }
    assert!(
        !r.text.contains("no_consult_channel"),
        "codes are never shown"
    );

    // The printable report: no navigation, print styles.
    let r = admin.get("/admin/monitoring/sites/gd/report").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("广东省人民政府检查报告"));
    assert!(r.text.contains("@media print"));
    assert!(!r.text.contains("console-nav"));
    assert!(r.text.contains("空白栏目"));

    // The CSV: a BOM, a header by name, the failing site with its vetoes.
    let r = admin.get("/admin/monitoring/report.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        r.text.starts_with('\u{feff}'),
        "a byte-order mark for Excel"
    );
    let lines: Vec<&str> = r.text.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("站点,所属节点,得分,检查结果,单项否决项,站点无法访问,首页不更新"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(
            "广东省人民政府,本节点,94,单项否决,首页不更新；空白栏目；互动回应差：无咨询渠道"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("深圳市人民政府,本节点,100,合格"),
        "{}",
        lines[2]
    );

    // A site admin of Shenzhen: their site only; Guangdong's page and check refused.
    let mut sz_admin = Browser::signed_in(&t, "li.sz", &[Grant::site(Role::SiteAdmin, "sz")]).await;
    let r = sz_admin.get("/admin/monitoring").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("深圳市人民政府"));
    assert!(!r.text.contains("广东省人民政府"));
    let csrf = csrf_of(&r.text);
    let r = sz_admin.get("/admin/monitoring/sites/gd").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("您无权查看该站点的监测结果"), "{}", r.text);
    let r = sz_admin.get("/admin/monitoring/sites/gd/report").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = sz_admin
        .post("/admin/monitoring/sites/gd/check", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let csv = sz_admin.get("/admin/monitoring/report.csv").await.text;
    assert!(!csv.contains("广东省人民政府") && csv.contains("深圳市人民政府"));
    // 立即检查 on their own site: no consultation channel on this node yet.
    let r = sz_admin
        .post("/admin/monitoring/sites/sz/check", &[("csrf", "forged")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a forged CSRF token");
    let r = sz_admin
        .post("/admin/monitoring/sites/sz/check", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.header("location"),
        Some("/admin/monitoring/sites/sz?checked=1")
    );
    let r = sz_admin.get("/admin/monitoring/sites/sz?checked=1").await;
    assert!(r.text.contains("检查已完成"));
    assert!(r.text.contains("互动回应差：无咨询渠道"), "{}", r.text);

    // An auditor reads every site but may not check; an editor may not look.
    let mut auditor = Browser::signed_in(&t, "zhao.audit", &[Grant::node(Role::Auditor)]).await;
    let r = auditor.get("/admin/monitoring").await;
    assert!(r.text.contains("广东省人民政府") && r.text.contains("深圳市人民政府"));
    assert!(!r.text.contains("/check\""), "no check form for an auditor");
    let csrf = csrf_of(&r.text);
    let r = auditor
        .post("/admin/monitoring/sites/gd/check", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("审计员只能查看结果"));
    let mut editor =
        Browser::signed_in(&t, "chen.editor", &[Grant::site(Role::Editor, "gd")]).await;
    let r = editor.get("/admin/monitoring").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.text
            .contains("一网通管仅对平台管理员、审计员和站点管理员开放")
    );

    // What a node below reported about Shenzhen (its city probing it found it down) joins
    // this node's view. Stored as the rollup's applier stores a received report.
    let summary = SiteSummary {
        site: "sz".into(),
        site_name: "深圳市人民政府".into(),
        node: "440300".into(),
        score: None,
        vetoes: vec![(
            "availability".into(),
            "近 7 天 12.0% 的探测失败或超时".into(),
        )],
        counts: vec![("availability".into(), 1)],
        escalated: vec!["availability".into()],
        at_ms: now,
    };
    sqlx::query(
        "INSERT INTO monitoring_below (origin, site_id, site_name, summary, at_ms) \
         VALUES ('440300', 'sz', '深圳市人民政府', $1, $2)",
    )
    .bind(serde_json::to_string(&summary).unwrap())
    .bind(now)
    .execute(&t.node.db.write)
    .await
    .unwrap();
    let r = admin.get("/admin/monitoring").await;
    let sz_row = r.text[r.text.find("深圳市人民政府").unwrap()..]
        .split("</tr>")
        .next()
        .unwrap()
        .to_string();
    assert!(
        sz_row.contains("站点无法访问") && sz_row.contains("单项否决"),
        "{sz_row}"
    );
    let r = admin.get("/admin/monitoring/sites/sz").await;
    assert!(
        r.text.contains("下级节点检查上报的单项否决项"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("12.0% 的探测失败或超时（逾期未整改，已报送上级）")
    );
    let csv = admin.get("/admin/monitoring/report.csv").await.text;
    assert!(csv.contains("深圳市人民政府,本节点,100,单项否决"), "{csv}");

    // The regional report: Shenzhen alone, then the province with its own level and
    // Shenzhen as one region below; the overview offers both by name.
    let r = admin.get("/admin/monitoring").await;
    assert!(
        r.text
            .contains(r#"<option value="440300">广东省深圳市</option>"#),
        "{}",
        r.text
    );
    let r = admin
        .get("/admin/monitoring/region-report?region=440300")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.text.contains("广东省深圳市政府网站检查报告"),
        "{}",
        r.text
    );
    assert!(r.text.contains("深圳市人民政府") && !r.text.contains("广东省人民政府"));
    assert!(
        r.text.contains("共检查站点 <strong>1</strong> 个"),
        "{}",
        r.text
    );
    assert!(r.text.contains("@media print") && !r.text.contains("console-nav"));
    let r = admin
        .get("/admin/monitoring/region-report?region=440000")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for text in [
        "广东省政府网站检查报告",
        "共检查站点 <strong>2</strong> 个",
        "存在单项否决项（不合格）2 个",
        "<th scope=\"row\">广东省本级</th><td>1</td>",
        "<th scope=\"row\">深圳市</th><td>1</td>",
        "首页不更新、空白栏目",
        "站点无法访问",
    ] {
        assert!(r.text.contains(text), "{text} missing: {}", r.text);
    }
    for (query, why) in [
        ("", "请选择要生成检查报告的地区"),
        ("?region=shenzhen", "“shenzhen”不是有效的行政区划代码"),
    ] {
        let r = admin
            .get(&format!("/admin/monitoring/region-report{query}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text.contains(why), "{}", r.text);
    }

    // Every page in Chromium with axe-core.
    if available() {
        let session = admin
            .cookies
            .iter()
            .find(|(k, _)| k == "govnode_session")
            .unwrap()
            .1
            .clone();
        let pages = [
            ("overview", "/admin/monitoring"),
            ("site", "/admin/monitoring/sites/gd"),
            ("report", "/admin/monitoring/sites/gd/report"),
            ("reported", "/admin/monitoring/sites/sz"),
            ("region", "/admin/monitoring/region-report?region=440000"),
            ("thresholds", "/admin/monitoring/thresholds"),
            ("words", "/admin/monitoring/words"),
        ]
        .into_iter()
        .map(|(name, path)| {
            let mut p = govnode_tests::browser::page(name, t.url(path));
            p["cookies"] = json!([{ "name": "govnode_session", "value": session }]);
            p
        })
        .collect();
        let results = check(pages).await;
        assert_no_problems(&results);
        assert!(text_of(&results, "overview").contains("单项否决"));
        assert!(text_of(&results, "site").contains("空白栏目"));
        assert!(text_of(&results, "report").contains("检查结论"));
        assert!(text_of(&results, "thresholds").contains("首页更新期限"));
        assert!(text_of(&results, "words").contains("国家市场监督管理总局"));
    }
    t.stop().await;
}
