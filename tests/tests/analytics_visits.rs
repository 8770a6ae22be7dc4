//! Visit analytics (统一行为分析) end to end: a synthetic access log with answers worked
//! out by hand, replayed through the HTTP server (each line a request with its own client
//! address, user agent and referrer), gives exactly those page views, visitors, visits,
//! sources, entry and exit pages, paths, depth, devices, browsers, missing pages and bots;
//! nothing that identifies a visitor is in the database files; across a tree, the
//! province's figures are the sum of what every node below counted.

use std::collections::BTreeMap;

use govnode_analytics::{KeyCount, Report, Scope};
use govnode_tests::tree::Member;
use govnode_tests::{StatusCode, TestNode, TestTree};
use serde_json::json;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const WECHAT: &str = "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.193 Mobile Safari/537.36 MicroMessenger/8.0.49";
const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SPIDER: &str =
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)";
const CURL: &str = "curl/8.5.0";

const HOST: &str = "gd.gov.test";
const MINUTE: i64 = 60_000;

/// One request of the log: client address, user agent ("" for none), referrer ("" for
/// none), path on the site's host. `{a1}`… stand for the articles' ids.
type Line = (&'static str, &'static str, &'static str, &'static str);

/// The log, in time order. Worked out by hand below (V1…V6 are the visitors).
const LOG: &[Line] = &[
    // V1 arrives from Baidu and reads three pages …
    (
        "203.0.113.1",
        CHROME,
        "https://www.baidu.com/s?wd=营商环境",
        "/articles/{a1}",
    ),
    (
        "203.0.113.1",
        CHROME,
        "http://gd.gov.test/articles/{a1}",
        "/columns/yw",
    ),
    (
        "203.0.113.1",
        CHROME,
        "http://gd.gov.test/columns/yw",
        "/articles/{a2}",
    ),
    // V2 types the address.
    ("203.0.113.2", IPHONE, "", "/"),
    (
        "203.0.113.2",
        IPHONE,
        "http://gd.gov.test/",
        "/articles/{a3}",
    ),
    // V3 from a WeChat article; a feed is not a page view.
    (
        "203.0.113.3",
        WECHAT,
        "https://mp.weixin.qq.com/s/abcdef",
        "/articles/{a1}",
    ),
    ("203.0.113.3", WECHAT, "", "/feed.rss"),
    // Bots, by their agents.
    ("66.249.66.1", SPIDER, "", "/"),
    ("66.249.66.1", SPIDER, "", "/articles/{a1}"),
    ("192.0.2.9", CURL, "", "/"),
    ("192.0.2.10", "", "", "/"),
    // V4 from the city's site, then a missing page (not a page view).
    (
        "203.0.113.4",
        FIREFOX,
        "https://www.gz.gov.cn/zwgk/",
        "/columns/zc",
    ),
    (
        "203.0.113.4",
        FIREFOX,
        "http://gd.gov.test/columns/zc",
        "/articles/{a3}",
    ),
    (
        "203.0.113.4",
        FIREFOX,
        "http://gd.gov.test/articles/{a3}",
        "/articles/99999",
    ),
    // V5 from a news site.
    ("198.51.100.7", IPAD, "https://news.example.com/x", "/"),
    // V2 searches (the query is not kept).
    (
        "203.0.113.2",
        IPHONE,
        "http://gd.gov.test/articles/{a3}",
        "/search?q=营商环境",
    ),
    // V1's fourth page.
    (
        "203.0.113.1",
        CHROME,
        "http://gd.gov.test/articles/{a2}",
        "/",
    ),
    // V6: V1's address with another browser is another visitor.
    ("203.0.113.1", IPHONE, "", "/columns/yw"),
];

/// A node believing loopback's `X-Forwarded-For`, with site gd: columns 要闻 (yw) and 政策
/// (zc), articles a1 and a2 in yw and a3 in zc.
async fn seeded() -> (TestNode, BTreeMap<&'static str, String>) {
    let mut config = govnode::Config::new("440000".parse().unwrap(), "广东省");
    config.monitoring.enabled = false;
    config.http.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let t = TestNode::start_in(config, tempfile::tempdir().unwrap()).await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "yw", "要闻", "news").await;
    t.column("gd", "zc", "政策", "policy").await;
    let staff = t.staff("gd").await;
    let mut ids = BTreeMap::new();
    for (name, column) in [("a1", "yw"), ("a2", "yw"), ("a3", "zc")] {
        let a = t
            .publish(
                "gd",
                &staff,
                json!({ "column": column, "title": format!("文章{name}"), "body": "正文。" }),
            )
            .await;
        ids.insert(name, a["id"].to_string());
    }
    (t, ids)
}

/// Replays `log` through the HTTP server on the site's host name.
async fn replay(t: &TestNode, ids: &BTreeMap<&'static str, String>, log: &[Line]) {
    let fill = |s: &str| {
        ids.iter()
            .fold(s.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
    };
    for (ip, agent, referrer, path) in log {
        let path = fill(path);
        let mut req = t
            .http
            .get(t.url(&path))
            .header("host", HOST)
            .header("x-forwarded-for", *ip);
        if !agent.is_empty() {
            req = req.header("user-agent", *agent);
        }
        if !referrer.is_empty() {
            req = req.header("referer", fill(referrer));
        }
        let resp = req.send().await.expect("request");
        let expected = if path.ends_with("99999") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(resp.status(), expected, "GET {path}");
    }
}

/// A top list as (key, count), site dropped.
fn counts(list: &[KeyCount]) -> BTreeMap<String, i64> {
    list.iter()
        .filter(|k| k.count > 0)
        .map(|k| (k.key.clone(), k.count))
        .collect()
}

fn map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

async fn today_report(t: &TestNode, sites: Option<&[&str]>) -> Report {
    let today = govnode_topology::beijing::today();
    let scope = Scope {
        sites: sites.map(|s| s.iter().map(|s| s.to_string()).collect()),
    };
    t.node
        .visits
        .report(&scope, today - chrono::Days::new(1), today, 50)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_access_log_gives_the_known_answers_and_nothing_identifying_is_stored() {
    let (t, ids) = seeded().await;
    replay(&t, &ids, LOG).await;
    // 31 minutes on: every visit has ended (exit pages and depth are counted then).
    let now = chrono::Utc::now().timestamp_millis();
    t.node.visits.flush(now + 31 * MINUTE).await.unwrap();
    let r = today_report(&t, Some(&["gd"])).await;
    let (a1, a2, a3) = (
        format!("/articles/{}", ids["a1"]),
        format!("/articles/{}", ids["a2"]),
        format!("/articles/{}", ids["a3"]),
    );
    assert_eq!(r.totals.page_views, 12, "{:#?}", r.totals);
    assert_eq!(r.totals.visitors, 6);
    assert_eq!(r.totals.visits, 6);
    assert_eq!(r.totals.single_page_visits, 3);
    assert_eq!(r.totals.not_found, 1);
    assert_eq!(r.totals.bots, 4);
    assert_eq!(
        counts(&r.pages),
        map(&[
            ("/", 3),
            (&a1, 2),
            (&a2, 1),
            (&a3, 2),
            ("/columns/yw", 2),
            ("/columns/zc", 1),
            ("/search", 1),
        ])
    );
    assert_eq!(counts(&r.columns), map(&[("yw", 5), ("zc", 3)]));
    assert_eq!(
        counts(&r.sources),
        map(&[
            ("search", 1),
            ("direct", 2),
            ("social", 1),
            ("gov", 1),
            ("other", 1)
        ])
    );
    assert_eq!(counts(&r.engines), map(&[("百度", 1)]));
    assert_eq!(
        counts(&r.referrers),
        map(&[
            ("www.baidu.com", 1),
            ("mp.weixin.qq.com", 1),
            ("www.gz.gov.cn", 1),
            ("news.example.com", 1)
        ])
    );
    assert_eq!(
        counts(&r.entries),
        map(&[(&a1, 2), ("/", 2), ("/columns/zc", 1), ("/columns/yw", 1)])
    );
    assert_eq!(
        counts(&r.exits),
        map(&[
            ("/", 2),
            (&a3, 1),
            ("/search", 1),
            (&a1, 1),
            ("/columns/yw", 1)
        ])
    );
    let step = |a: &str, b: &str| format!("{a}\t{b}");
    assert_eq!(
        counts(&r.paths),
        [
            (step(&a1, "/columns/yw"), 1),
            (step("/columns/yw", &a2), 1),
            (step(&a2, "/"), 1),
            (step("/", &a3), 1),
            (step(&a3, "/search"), 1),
            (step("/columns/zc", &a3), 1),
        ]
        .into_iter()
        .collect::<BTreeMap<_, _>>()
    );
    assert_eq!(
        counts(&r.depth),
        map(&[("1", 3), ("2", 1), ("3", 1), ("4", 1)])
    );
    assert_eq!(
        counts(&r.devices),
        map(&[("desktop", 6), ("mobile", 5), ("tablet", 1)])
    );
    assert_eq!(
        counts(&r.browsers),
        map(&[("chrome", 4), ("safari", 5), ("wechat", 1), ("firefox", 2)])
    );
    assert_eq!(counts(&r.not_found), map(&[("/articles/99999", 1)]));
    assert_eq!(r.hours.iter().map(|h| h.count).sum::<i64>(), 12);
    assert_eq!(r.hours.len(), 24);

    // A visitor hammering the site is a bot for the rest of the day: a site of its own.
    t.site("sz", "深圳市人民政府").await;
    for _ in 0..40 {
        let resp = t
            .http
            .get(t.url("/"))
            .header("host", "sz.gov.test")
            .header("x-forwarded-for", "192.0.2.77")
            .header("user-agent", CHROME)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
    t.node.visits.flush(now + 62 * MINUTE).await.unwrap();
    let sz = today_report(&t, Some(&["sz"])).await;
    assert_eq!(sz.totals.visitors, 1);
    assert!(
        sz.totals.page_views <= 31 && sz.totals.bots >= 9,
        "{:#?}",
        sz.totals
    );
    assert_eq!(sz.totals.page_views + sz.totals.bots, 40);

    // The next day: the salt and the day's visitor hashes are gone; no address, agent or
    // search query is anywhere in the database files.
    t.node.visits.flush(now + 25 * 60 * MINUTE).await.unwrap();
    for table in ["visit_salts", "visit_seen"] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&t.node.db.read)
                .await
                .unwrap();
        assert_eq!(n, 0, "{table} after the day ended");
    }
    let files: Vec<_> = std::fs::read_dir(&t.node.data_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    assert!(
        files.iter().any(|p| p.to_string_lossy().contains(".db")),
        "{files:?}"
    );
    let mut needles: Vec<String> = LOG
        .iter()
        .flat_map(|(ip, agent, _, _)| [ip.to_string(), agent.to_string()])
        .filter(|s| !s.is_empty())
        .collect();
    needles.extend(
        [
            "192.0.2.77",
            "MicroMessenger",
            "Baiduspider",
            "wd=",
            "abcdef",
        ]
        .map(String::from),
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for needle in &needles {
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "{needle:?} stored in {}", file.display());
        }
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_sees_the_sum_of_its_subtree() {
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let tree = TestTree::start_configured(
        vec![
            m("440000", "广东省", None),
            m("440100", "广州市", Some("440000")),
            m("440106", "天河区", Some("440100")),
        ],
        |_, config| {
            config.monitoring.enabled = false;
            config.http.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        },
    )
    .await;
    tree.node("440106").site("tianhe", "天河区人民政府").await;
    tree.node("440100").site("gz", "广州市人民政府").await;
    tree.wait_page("440100", "/sites/tianhe/").await;
    let visit = |node: &'static str, site: &'static str, visitors: usize| {
        let t = tree.node(node);
        async move {
            for v in 0..visitors {
                let resp = t
                    .http
                    .get(t.url(&format!("/sites/{site}/")))
                    .header("x-forwarded-for", format!("203.0.113.{v}"))
                    .header("user-agent", CHROME)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
            }
        }
    };
    // The county's site at the county, and its replica served by the city; the city's own.
    visit("440106", "tianhe", 5).await;
    visit("440100", "tianhe", 3).await;
    visit("440100", "gz", 4).await;
    let today = govnode_topology::beijing::today();
    let now = chrono::Utc::now().timestamp_millis();
    for id in ["440106", "440100"] {
        let n = &tree.node(id).node;
        n.visits.flush(now).await.unwrap();
        assert!(n.visits.publish(today).await.unwrap(), "{id} sent its day");
        // Unchanged: not sent again.
        assert!(!n.visits.publish(today).await.unwrap());
    }
    let province = tree.node("440000");
    let totals = |sites: Option<&'static [&'static str]>| async move {
        today_report(province, sites).await.totals
    };
    tree.wait_for("the subtree's counts at the province", || async {
        totals(None).await.page_views == 12
    })
    .await;
    assert_eq!(totals(Some(&["tianhe"])).await.page_views, 8);
    assert_eq!(totals(Some(&["gz"])).await.page_views, 4);
    // The county counts more and sends its day again: the province replaces the county's
    // earlier figures (grow-only per node), never adds them twice.
    visit("440106", "tianhe", 2).await;
    let county = &tree.node("440106").node;
    county.visits.flush(now + 1).await.unwrap();
    assert!(county.visits.publish(today).await.unwrap());
    tree.wait_for("the county's second report at the province", || async {
        totals(None).await.page_views == 14
    })
    .await;
    let city = today_report(tree.node("440100"), None).await.totals;
    assert_eq!(city.page_views, 14, "the city sums its subtree as well");
}
