//! Recording over a real SQLite database: the exact counts of a scripted day, a restart
//! recognising a returning visitor, the end of a day deleting its salt and visitor hashes,
//! the memory bounds, a failed write keeping every count, pruning of detail, the worker's
//! last flush, and that nothing about a visitor but its salted hash is ever stored.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use chrono::NaiveDate;
use govnode_analytics::{PageView, Settings, Visits};
use govnode_federation::testing::{standalone_root, temp_database};
use govnode_topology::beijing;
use sqlx::{AnyPool, Row as _};

mod lifecycle;
mod privacy;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
const WECHAT: &str = "Mozilla/5.0 (Linux; Android 13; V2238A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560";
const EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0";
const SPIDER: &str =
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)";

const MIN: i64 = 60_000;
const DAY: i64 = 24 * 60 * MIN;
/// The node `standalone_root` opens.
const ME: &str = "440000";

/// 2026-03-02 08:00 in Beijing.
fn t0() -> i64 {
    beijing::midnight_ms(d0()) + 8 * 60 * MIN
}

fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

struct Node {
    read: AnyPool,
    write: AnyPool,
    visits: Visits,
}

async fn open(dir: &Path, settings: Settings) -> Node {
    let (read, write) = temp_database(
        dir,
        &[&govnode_federation::MIGRATOR, &govnode_analytics::MIGRATOR],
    )
    .await;
    let federation = standalone_root(&read, &write).await;
    let visits = Visits::new(read.clone(), write.clone(), federation, settings);
    Node {
        read,
        write,
        visits,
    }
}

/// A page view of site `gd` (owned by this node) from 10.0.0.`client`.
fn view<'a>(path: &'a str, client: u8, user_agent: &'a str, at_ms: i64) -> PageView<'a> {
    PageView {
        site: "gd",
        owner: ME,
        path,
        column: None,
        status: 200,
        host: Some("www.gd.gov.cn"),
        referrer: None,
        user_agent: Some(user_agent),
        client: IpAddr::from([10, 0, 0, client]),
        at_ms,
    }
}

type Counts = BTreeMap<(String, String, String), i64>;

/// This node's stored counts of `day`: (site, dimension, key) → count.
async fn stored(node: &Node, day: NaiveDate) -> Counts {
    sqlx::query("SELECT site, dimension, key, count FROM visit_counts WHERE node = $1 AND day = $2")
        .bind(ME)
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_all(&node.read)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let key = (r.get(0), r.get(1), r.get(2));
            (key, r.get::<i64, _>(3))
        })
        .collect()
}

fn expected(site: &str, rows: &[(&str, &str, i64)]) -> Counts {
    rows.iter()
        .map(|(d, k, n)| ((site.to_string(), d.to_string(), k.to_string()), *n))
        .collect()
}

fn only(all: &Counts, site: &str) -> Counts {
    all.iter()
        .filter(|((s, _, _), _)| s == site)
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

async fn rows(node: &Node, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&node.read)
        .await
        .unwrap()
}

/// Records the scripted morning of site `gd` (and one view of `sz`).
fn record_morning(v: &Visits) {
    let t0 = t0();
    let with = |view: PageView<'static>, referrer: &'static str| PageView {
        referrer: Some(referrer),
        ..view
    };
    let news = |view: PageView<'static>| PageView {
        column: Some("news"),
        ..view
    };
    // A: from Baidu, three pages, two of them in the news column.
    v.record(&with(
        view("/", 1, CHROME, t0),
        "https://www.baidu.com/link?url=1",
    ));
    v.record(&news(with(
        view("/columns/news", 1, CHROME, t0 + MIN),
        "https://www.gd.gov.cn/",
    )));
    v.record(&news(with(
        view("/articles/12", 1, CHROME, t0 + 2 * MIN),
        "https://www.gd.gov.cn/columns/news",
    )));
    // B: from Weibo, one article.
    v.record(&news(with(
        view("/articles/12", 2, IPHONE, t0 + 5 * MIN),
        "https://weibo.com/u/1",
    )));
    // E: direct, then back after 40 minutes by a link of the site (an old tab): direct.
    v.record(&view("/", 5, IPAD, t0 + 10 * MIN));
    v.record(&with(
        view("/contact", 5, IPAD, t0 + 50 * MIN),
        "https://www.gd.gov.cn/",
    ));
    // D: from another government site.
    v.record(&with(
        view("/", 4, EDGE, t0 + 20 * MIN),
        "https://www.gov.cn/",
    ));
    // C: from WeChat at 09:30, then a missing page.
    v.record(&with(
        view("/", 3, WECHAT, t0 + 90 * MIN),
        "https://mp.weixin.qq.com/s/abc",
    ));
    v.record(&PageView {
        status: 404,
        ..view("/missing", 3, WECHAT, t0 + 91 * MIN)
    });
    // Not counted: a redirect.
    v.record(&PageView {
        status: 301,
        ..view("/old", 3, WECHAT, t0 + 92 * MIN)
    });
    // Bots by their agent.
    v.record(&view("/", 7, SPIDER, t0 + 100 * MIN));
    v.record(&view("/articles/12", 7, SPIDER, t0 + 101 * MIN));
    v.record(&view("/", 8, "curl/8.5.0", t0 + 102 * MIN));
    // A bot by its behaviour at 10:00: 35 pages in 35 seconds.
    for i in 0..35 {
        v.record(&view("/", 9, CHROME, t0 + 120 * MIN + i * 1_000));
    }
    // A's address and agent at another site: another visitor there.
    v.record(&PageView {
        site: "sz",
        owner: "440300",
        ..view("/", 1, CHROME, t0 + 30 * MIN)
    });
}

#[tokio::test]
async fn a_scripted_morning_is_counted_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), Settings::default()).await;
    record_morning(&node.visits);
    let days = node.visits.flush(t0() + 180 * MIN).await.unwrap();
    assert_eq!(days, vec![d0()]);
    let all = stored(&node, d0()).await;
    let gd = expected(
        "gd",
        &[
            ("pv", "", 38),
            ("uv", "", 6),
            ("visits", "", 7),
            ("column", "news", 3),
            ("page", "/", 34),
            ("page", "/columns/news", 1),
            ("page", "/articles/12", 2),
            ("page", "/contact", 1),
            ("source", "search", 1),
            ("source", "social", 2),
            ("source", "gov", 1),
            ("source", "direct", 3),
            ("engine", "百度", 1),
            ("referrer", "www.baidu.com", 1),
            ("referrer", "weibo.com", 1),
            ("referrer", "mp.weixin.qq.com", 1),
            ("referrer", "www.gov.cn", 1),
            ("entry", "/", 5),
            ("entry", "/articles/12", 1),
            ("entry", "/contact", 1),
            ("exit", "/", 4),
            ("exit", "/articles/12", 2),
            ("exit", "/contact", 1),
            ("path", "/\t/columns/news", 1),
            ("path", "/columns/news\t/articles/12", 1),
            ("path", "/\t/", 29),
            ("depth", "1", 5),
            ("depth", "3", 1),
            ("depth", "21+", 1),
            ("device", "desktop", 34),
            ("device", "mobile", 2),
            ("device", "tablet", 2),
            ("browser", "chrome", 33),
            ("browser", "safari", 3),
            ("browser", "wechat", 1),
            ("browser", "edge", 1),
            ("hour", "08", 7),
            ("hour", "09", 1),
            ("hour", "10", 30),
            ("notfound", "/missing", 1),
            ("bots", "", 8),
        ],
    );
    assert_eq!(only(&all, "gd"), gd);
    let sz = expected(
        "sz",
        &[
            ("pv", "", 1),
            ("uv", "", 1),
            ("visits", "", 1),
            ("page", "/", 1),
            ("source", "direct", 1),
            ("entry", "/", 1),
            ("exit", "/", 1),
            ("depth", "1", 1),
            ("device", "desktop", 1),
            ("browser", "chrome", 1),
            ("hour", "08", 1),
        ],
    );
    assert_eq!(only(&all, "sz"), sz);
    let owners: Vec<(String, String)> =
        sqlx::query_as("SELECT site, owner FROM visit_sites ORDER BY site")
            .fetch_all(&node.read)
            .await
            .unwrap();
    assert_eq!(
        owners,
        [("gd".into(), ME.into()), ("sz".into(), "440300".into())]
    );
    // A later flush adds to the stored counts; an empty one writes nothing.
    node.visits.record(&view("/", 20, CHROME, t0() + 200 * MIN));
    assert_eq!(
        node.visits.flush(t0() + 201 * MIN).await.unwrap(),
        vec![d0()]
    );
    let all = stored(&node, d0()).await;
    let pv = ("gd".to_string(), "pv".to_string(), String::new());
    let uv = ("gd".to_string(), "uv".to_string(), String::new());
    assert_eq!((all[&pv], all[&uv]), (39, 7));
    assert!(
        node.visits
            .flush(t0() + 202 * MIN)
            .await
            .unwrap()
            .is_empty()
    );
}
