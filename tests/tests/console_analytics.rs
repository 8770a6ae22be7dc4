//! 访问统计 in the console, end to end: visits generated through the real page server
//! (different visitors by `X-Forwarded-For` from a trusted proxy, user agents and
//! referrers: a search engine, a social site, direct; a crawler; a missing page), written by
//! the module's flush, then read back: the dashboard's totals against the previous period,
//! an article by its title, a column by its name, sources, devices and browsers by their
//! Chinese names (never codes), the per-site table, the filters (one site, this node's
//! sites, custom dates) and their 400s, the CSV, the printable monthly report, a site
//! administrator refused another site (403), an editor refused altogether; every page
//! checked in Chromium with axe-core.

use govnode_accounts::{Grant, Role};
use govnode_tests::browser::{assert_no_problems, available, check, text_of};
use govnode_tests::console::Browser;
use govnode_tests::{StatusCode, TestNode};
use serde_json::json;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const WECHAT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
const SPIDER: &str =
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)";

/// One page request from `client` (through the trusted proxy), as a browser sends it.
async fn visit(
    t: &TestNode,
    site: &str,
    path: &str,
    client: &str,
    agent: &str,
    referrer: Option<&str>,
) -> StatusCode {
    let mut req = t
        .http
        .get(t.url(path))
        .header("host", format!("{site}.gov.test"))
        .header("user-agent", agent)
        .header("x-forwarded-for", client);
    if let Some(r) = referrer {
        req = req.header("referer", r);
    }
    req.send().await.expect("page request").status()
}

/// The row of the totals table named `name`: (本期, 较上期).
fn total(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("<th scope=\"row\">{name}</th>"))
        .unwrap_or_else(|| panic!("no total {name} in {page}"));
    page[at..].split("</tr>").next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_csv_monthly_report_and_refusals() {
    let mut config = govnode::Config::new("440000".parse().unwrap(), "广东省");
    config.monitoring.enabled = false;
    config.http.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let t = TestNode::start_in(config, tempfile::tempdir().unwrap()).await;
    t.site("gd", "广东省人民政府").await;
    t.site("sz", "深圳市人民政府").await;
    t.column("gd", "yw", "要闻动态", "news").await;
    let staff = t.staff("gd").await;
    let article = t
        .publish(
            "gd",
            &staff,
            json!({ "column": "yw", "title": "全省政务服务工作会议召开", "body": "会议部署了下一阶段工作。" }),
        )
        .await;
    let id = article["id"].as_i64().expect("article id");
    let article_path = format!("/articles/{id}");

    // Visitor A from Baidu reads three pages on a computer; B opens the article in WeChat
    // on a phone; C comes from Weibo to the home page; a crawler is filtered; A asks for a
    // missing page; D visits Shenzhen directly.
    let a = "203.0.113.1";
    let ok = StatusCode::OK;
    let home = "http://gd.gov.test/";
    assert_eq!(
        visit(
            &t,
            "gd",
            "/",
            a,
            CHROME,
            Some("https://www.baidu.com/s?wd=%E6%94%BF%E5%8A%A1%E6%9C%8D%E5%8A%A1")
        )
        .await,
        ok
    );
    assert_eq!(
        visit(&t, "gd", &article_path, a, CHROME, Some(home)).await,
        ok
    );
    let from_article = format!("http://gd.gov.test{article_path}");
    assert_eq!(
        visit(&t, "gd", "/columns/yw", a, CHROME, Some(&from_article)).await,
        ok
    );
    assert_eq!(
        visit(&t, "gd", "/articles/99999", a, CHROME, None).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visit(&t, "gd", &article_path, "203.0.113.2", WECHAT, None).await,
        ok
    );
    assert_eq!(
        visit(
            &t,
            "gd",
            "/",
            "203.0.113.3",
            FIREFOX,
            Some("https://weibo.com/u/1234")
        )
        .await,
        ok
    );
    assert_eq!(visit(&t, "gd", "/", "203.0.113.4", SPIDER, None).await, ok);
    assert_eq!(visit(&t, "sz", "/", "203.0.113.5", CHROME, None).await, ok);
    // Written as the worker writes them; 31 minutes on, every visit has ended (its exit
    // page and depth count).
    let now = chrono::Utc::now().timestamp_millis();
    t.node.visits.flush(now + 31 * 60_000).await.unwrap();

    // The dashboard, by default 近30天 over every site.
    let mut admin = Browser::signed_in(&t, "wang.admin", &[Grant::node(Role::PlatformAdmin)]).await;
    let r = admin.get("/admin/analytics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let page = r.text;
    assert!(page.contains(r#"<option value="30d" selected>近30天</option>"#));
    assert!(page.contains(">访问统计</a>"), "in the navigation");
    for (name, now) in [
        ("访问量（PV）", "6"),
        ("访客数（UV）", "4"),
        ("访问次数", "4"),
        ("页面不存在（404）请求", "1"),
        ("过滤的机器访问", "1"),
    ] {
        let row = total(&page, name);
        assert!(row.contains(&format!("<strong>{now}</strong>")), "{row}");
        assert!(row.contains("上期无数据"), "{row}");
    }
    assert!(total(&page, "跳出率").contains("<strong>75.0%</strong>"));
    assert!(total(&page, "平均访问深度（页）").contains("<strong>1.5</strong>"));
    // (The console's templates write "/" as "&#x2f;".)
    for text in [
        "全省政务服务工作会议召开",
        "首页",
        "要闻动态（栏目页）",
        "<th scope=\"row\">要闻动态</th>",
        "首页 → 全省政务服务工作会议召开",
        "全省政务服务工作会议召开 → 要闻动态（栏目页）",
        "<th scope=\"row\">搜索引擎</th><td>1</td><td>25.0%</td>",
        "<th scope=\"row\">社交媒体</th>",
        "<th scope=\"row\">直接访问</th><td>2</td><td>50.0%</td>",
        "<th scope=\"row\">百度</th>",
        "www.baidu.com",
        "weibo.com",
        "<th scope=\"row\">电脑</th><td>5</td>",
        "<th scope=\"row\">手机</th><td>1</td>",
        "<th scope=\"row\">微信</th>",
        "<th scope=\"row\">Chrome</th><td>4</td>",
        "<th scope=\"row\">Firefox</th>",
        "<th scope=\"row\">1 页</th><td>3</td>",
        "<th scope=\"row\">3 页</th><td>1</td>",
        "&#x2f;articles&#x2f;99999",
        "广东省人民政府",
        "深圳市人民政府",
        "&#x2f;admin&#x2f;analytics?scope=site%3Agd&amp;period=30d",
        "时段分布",
        "<svg",
        "每日访问量与访客数（表格）",
        "&#x2f;admin&#x2f;analytics.csv?scope=all&amp;period=30d",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    for code in [
        ">search<",
        ">social<",
        ">direct<",
        ">desktop<",
        ">mobile<",
        ">wechat<",
        ">chrome<",
        ">&#x2f;columns&#x2f;yw<",
        &format!(">&#x2f;articles&#x2f;{id}<"),
    ] {
        assert!(!page.contains(code), "{code} shown: {page}");
    }

    // One site: Guangdong alone; this node's sites: both.
    let r = admin.get("/admin/analytics?scope=site:gd").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(total(&r.text, "访问量（PV）").contains("<strong>5</strong>"));
    assert!(total(&r.text, "跳出率").contains("<strong>66.7%</strong>"));
    assert!(r.text.contains("范围：<strong>广东省人民政府</strong>"));
    let r = admin.get("/admin/analytics?scope=local&period=7d").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(total(&r.text, "访问量（PV）").contains("<strong>6</strong>"));
    assert!(r.text.contains("（7 天）"));
    // A preset chosen while the custom dates are still in the form wins over them.
    let r = admin
        .get("/admin/analytics?period=7d&from=2020-01-01&to=2020-01-02")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(total(&r.text, "访问量（PV）").contains("<strong>6</strong>"));
    // Custom dates: today alone counts everything; the days before nothing, against the
    // period before that.
    let today = govnode_topology::beijing::today();
    let r = admin
        .get(&format!("/admin/analytics?from={today}&to={today}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(total(&r.text, "访客数（UV）").contains("<strong>4</strong>"));
    assert!(r.text.contains(r#"<option value="custom" selected>"#));
    let (a, b) = (
        today - chrono::Duration::days(20),
        today - chrono::Duration::days(1),
    );
    let r = admin
        .get(&format!("/admin/analytics?from={a}&to={b}"))
        .await;
    assert!(total(&r.text, "访问量（PV）").contains("<strong>0</strong>"));
    assert!(r.text.contains("该时段没有访问记录"));

    // Bad filters: 400 naming the field.
    let tomorrow = today + chrono::Duration::days(1);
    for (query, why) in [
        (
            "from=2026-13-01&to=2026-12-01",
            "开始日期“2026-13-01”不是有效的日期",
        ),
        (
            "from=2026-01-01&to=yesterday",
            "结束日期“yesterday”不是有效的日期",
        ),
        (
            &format!("from={tomorrow}&to={today}") as &str,
            "不能晚于结束日期",
        ),
        ("from=2024-01-01&to=2026-01-01", "统计时段最长 366 天"),
        ("from=2026-01-01", "请填写结束日期"),
        ("period=year", "时间“year”不是可选的统计时段"),
        ("scope=everything", "范围“everything”不是可选的统计范围"),
    ] {
        let r = admin.get(&format!("/admin/analytics?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.text.contains(why), "{query}: {}", r.text);
    }

    // The CSV: a BOM, an attachment, sections in Chinese, names not codes.
    let r = admin.get("/admin/analytics.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let csv = r.text;
    assert!(
        csv.starts_with("\u{feff}访问统计\r\n范围,全部站点\r\n"),
        "{csv}"
    );
    for text in [
        "\r\n总体指标\r\n指标,本期,上期,较上期\r\n访问量（PV）,6,0,上期无数据\r\n",
        "\r\n每日访问量与访客数\r\n日期,访问量（PV）,访客数（UV）,访问次数\r\n",
        &format!("{today},6,4,4\r\n"),
        "\r\n各站点访问情况\r\n",
        "广东省人民政府,本节点,5,3,3,83.3%\r\n",
        "\r\n热点信息（访问量最多的页面）\r\n页面,站点,访问量（PV）,占比\r\n",
        "全省政务服务工作会议召开,广东省人民政府,2,33.3%\r\n",
        "\r\n来源\r\n来源类型,访问次数,占比\r\n",
        "搜索引擎,1,25.0%\r\n",
        "电脑,5,83.3%\r\n",
        "首页 → 全省政务服务工作会议召开,广东省人民政府,1\r\n",
    ] {
        assert!(csv.contains(text), "{text:?} missing: {csv}");
    }
    assert!(!csv.contains(",desktop,") && !csv.contains("\r\nsearch,"));
    let r = admin.get("/admin/analytics.csv?period=year").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // The monthly report of this month: print styles, no navigation.
    let month = today.format("%Y-%m").to_string();
    let r = admin
        .get(&format!(
            "/admin/analytics/monthly?month={month}&scope=site:gd"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let title = format!(
        "广东省人民政府{}网站访问统计月报",
        today.format("%Y年%-m月")
    );
    for text in [
        title.as_str(),
        "@media print",
        "全省政务服务工作会议召开",
        "搜索引擎",
        "电脑",
        "<svg",
        "上期无数据",
    ] {
        assert!(r.text.contains(text), "{text} missing: {}", r.text);
    }
    assert!(!r.text.contains("console-nav"));
    assert!(!r.text.contains("深圳市人民政府"));
    for bad in ["2026-13", "2026-1", "last"] {
        let r = admin
            .get(&format!("/admin/analytics/monthly?month={bad}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.text.contains(&format!("月份“{bad}”")), "{}", r.text);
    }

    // A site administrator of Shenzhen: their site only; Guangdong's figures refused.
    let mut sz_admin = Browser::signed_in(&t, "li.sz", &[Grant::site(Role::SiteAdmin, "sz")]).await;
    let r = sz_admin.get("/admin/analytics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(total(&r.text, "访问量（PV）").contains("<strong>1</strong>"));
    assert!(r.text.contains("深圳市人民政府"));
    assert!(!r.text.contains("广东省人民政府") && !r.text.contains("全省政务服务工作会议召开"));
    for path in [
        "/admin/analytics?scope=site:gd",
        "/admin/analytics.csv?scope=site:gd",
        "/admin/analytics/monthly?scope=site:gd",
    ] {
        let r = sz_admin.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            r.text.contains("您无权查看站点“广东省人民政府”的访问统计"),
            "{path}: {}",
            r.text
        );
    }
    let csv = sz_admin.get("/admin/analytics.csv").await.text;
    assert!(csv.contains("深圳市人民政府") && !csv.contains("广东省人民政府"));
    // An auditor reads every site; an editor may not look.
    let mut auditor = Browser::signed_in(&t, "zhao.audit", &[Grant::node(Role::Auditor)]).await;
    let r = auditor.get("/admin/analytics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(total(&r.text, "访问量（PV）").contains("<strong>6</strong>"));
    let mut editor =
        Browser::signed_in(&t, "chen.editor", &[Grant::site(Role::Editor, "gd")]).await;
    let r = editor.get("/admin/analytics").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.text
            .contains("访问统计仅对平台管理员、审计员和站点管理员开放")
    );

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
            ("dashboard", "/admin/analytics".to_string()),
            (
                "site",
                "/admin/analytics?scope=site:gd&period=7d".to_string(),
            ),
            ("empty", format!("/admin/analytics?from={a}&to={b}")),
            ("monthly", format!("/admin/analytics/monthly?month={month}")),
            ("bad", "/admin/analytics?period=year".to_string()),
        ]
        .into_iter()
        .map(|(name, path)| {
            let mut p = govnode_tests::browser::page(name, t.url(&path));
            p["cookies"] = json!([{ "name": "govnode_session", "value": session }]);
            p
        })
        .collect();
        let results = check(pages).await;
        assert_no_problems(&results);
        assert!(text_of(&results, "dashboard").contains("全省政务服务工作会议召开"));
        assert!(text_of(&results, "site").contains("广东省人民政府"));
        assert!(text_of(&results, "monthly").contains("网站访问统计月报"));
        assert!(text_of(&results, "bad").contains("不是可选的统计时段"));
    }
    t.stop().await;
}
