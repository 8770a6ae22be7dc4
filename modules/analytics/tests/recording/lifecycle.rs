//! A restart, the end of a day, the memory bounds, a failed write, pruning, the worker's
//! last flush.

use super::*;

#[tokio::test]
async fn a_restart_counts_a_returning_visitor_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path(), Settings::default()).await;
    first.visits.start().await.unwrap();
    // Today by the wall clock: that is the day `start` loads.
    let now = chrono::Utc::now().timestamp_millis();
    let today = beijing::date_of(now);
    first.visits.record(&view("/", 1, CHROME, now));
    first.visits.flush(now).await.unwrap();
    assert_eq!(
        (
            rows(&first, "visit_salts").await,
            rows(&first, "visit_seen").await
        ),
        (1, 1)
    );
    // A new process over the same database.
    let second = Node {
        read: first.read.clone(),
        write: first.write.clone(),
        visits: Visits::new(
            first.read.clone(),
            first.write.clone(),
            standalone_root(&first.read, &first.write).await,
            Settings::default(),
        ),
    };
    second.visits.start().await.unwrap();
    second.visits.record(&view("/a", 1, CHROME, now + 1));
    second.visits.record(&view("/", 2, CHROME, now + 1));
    second.visits.flush(now + 2).await.unwrap();
    let counts = stored(&second, today).await;
    let get = |d: &str| counts[&("gd".to_string(), d.to_string(), String::new())];
    assert_eq!((get("pv"), get("uv")), (3, 2));
    assert_eq!(rows(&second, "visit_seen").await, 2);
    assert_eq!(rows(&second, "visit_salts").await, 1);
}

#[tokio::test]
async fn the_end_of_a_day_deletes_its_salt_and_visitors() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), Settings::default()).await;
    let late = beijing::midnight_ms(d0()) + DAY - 10 * MIN;
    node.visits.record(&view("/", 1, CHROME, late));
    node.visits.record(&view("/", 2, CHROME, late));
    node.visits.flush(late + MIN).await.unwrap();
    assert_eq!(
        (
            rows(&node, "visit_salts").await,
            rows(&node, "visit_seen").await
        ),
        (1, 2)
    );
    let first_salt: String = sqlx::query_scalar("SELECT salt FROM visit_salts")
        .fetch_one(&node.read)
        .await
        .unwrap();
    // Visitor 1 goes on after midnight: a new day's visitor and visit, and the visit of
    // the day before ends under that day.
    node.visits.record(&view("/a", 1, CHROME, late + 15 * MIN));
    let next = d0().succ_opt().unwrap();
    assert_eq!(
        node.visits.flush(late + 16 * MIN).await.unwrap(),
        vec![d0(), next]
    );
    let salts: Vec<(String, String)> = sqlx::query_as("SELECT day, salt FROM visit_salts")
        .fetch_all(&node.read)
        .await
        .unwrap();
    assert_eq!(salts.len(), 1);
    assert_eq!(salts[0].0, next.format("%Y-%m-%d").to_string());
    assert_ne!(salts[0].1, first_salt);
    let seen_days: Vec<String> = sqlx::query_scalar("SELECT DISTINCT day FROM visit_seen")
        .fetch_all(&node.read)
        .await
        .unwrap();
    assert_eq!(seen_days, [next.format("%Y-%m-%d").to_string()]);
    let before = stored(&node, d0()).await;
    let after = stored(&node, next).await;
    let get = |c: &Counts, d: &str, k: &str| {
        c.get(&("gd".to_string(), d.to_string(), k.to_string()))
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(
        (get(&before, "visits", ""), get(&before, "exit", "/")),
        (2, 2)
    );
    assert_eq!((get(&after, "uv", ""), get(&after, "visits", "")), (1, 1));
    assert_eq!(
        (get(&after, "entry", "/a"), get(&after, "exit", "/a")),
        (1, 0)
    );
    assert_eq!(get(&after, "path", "/\t/a"), 0);
}

#[tokio::test]
async fn memory_bounds_keys_and_visitors() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        max_keys: 3,
        max_visitors: 2,
        ..Settings::default()
    };
    let node = open(dir.path(), settings).await;
    let paths: Vec<String> = (0..6).map(|i| format!("/p{i}")).collect();
    for (i, path) in paths.iter().enumerate() {
        let client = u8::try_from(i).unwrap() + 1;
        node.visits.record(&view(path, client, CHROME, t0()));
        node.visits.record(&PageView {
            status: 404,
            ..view(path, client, CHROME, t0())
        });
    }
    node.visits.flush(t0() + 60 * MIN).await.unwrap();
    let c = stored(&node, d0()).await;
    let count = |d: &str| -> Vec<(String, i64)> {
        c.iter()
            .filter(|((_, dim, _), _)| dim == d)
            .map(|((_, _, k), n)| (k.clone(), *n))
            .collect()
    };
    let capped = |keys: &[&str], other: i64| -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = keys.iter().map(|k| (k.to_string(), 1)).collect();
        v.push(("(其他)".to_string(), other));
        v.sort();
        v
    };
    assert_eq!(count("page"), capped(&["/p0", "/p1", "/p2"], 3));
    assert_eq!(count("notfound"), capped(&["/p0", "/p1", "/p2"], 3));
    assert_eq!(count("pv"), [(String::new(), 6)]);
    assert_eq!(count("uv"), [(String::new(), 6)]);
    // Two visitors followed: two visits, entries and exits.
    assert_eq!(count("visits"), [(String::new(), 2)]);
    assert_eq!(
        count("entry"),
        [("/p0".to_string(), 1), ("/p1".to_string(), 1)]
    );
    assert_eq!(
        count("exit"),
        [("/p0".to_string(), 1), ("/p1".to_string(), 1)]
    );
}

#[tokio::test]
async fn a_failed_write_keeps_every_count() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), Settings::default()).await;
    node.visits.record(&view("/", 1, CHROME, t0()));
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON visit_counts BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(&node.write)
    .await
    .unwrap();
    assert!(node.visits.flush(t0() + MIN).await.is_err());
    assert!(stored(&node, d0()).await.is_empty());
    assert_eq!(
        (
            rows(&node, "visit_salts").await,
            rows(&node, "visit_seen").await
        ),
        (0, 0)
    );
    // Counting goes on meanwhile; the next write has both.
    node.visits.record(&view("/a", 1, CHROME, t0() + 2 * MIN));
    node.visits.record(&view("/", 2, CHROME, t0() + 2 * MIN));
    sqlx::query("DROP TRIGGER refuse")
        .execute(&node.write)
        .await
        .unwrap();
    assert_eq!(
        node.visits.flush(t0() + 40 * MIN).await.unwrap(),
        vec![d0()]
    );
    let c = stored(&node, d0()).await;
    let get = |d: &str, k: &str| c[&("gd".to_string(), d.to_string(), k.to_string())];
    assert_eq!((get("pv", ""), get("uv", ""), get("visits", "")), (3, 2, 2));
    assert_eq!(get("path", "/\t/a"), 1);
    assert_eq!((get("exit", "/a"), get("exit", "/")), (1, 1));
    assert_eq!(
        (
            rows(&node, "visit_salts").await,
            rows(&node, "visit_seen").await
        ),
        (1, 2)
    );
}

#[tokio::test]
async fn pruning_deletes_old_detail_only() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), Settings::default()).await;
    node.visits.record(&PageView {
        referrer: Some("https://www.baidu.com/"),
        ..view("/", 1, CHROME, t0())
    });
    node.visits.record(&PageView {
        status: 404,
        ..view("/x", 1, CHROME, t0())
    });
    node.visits.flush(t0() + 60 * MIN).await.unwrap();
    let all = stored(&node, d0()).await.len();
    assert_eq!(node.visits.prune(d0()).await.unwrap(), 0);
    // page, referrer, entry, exit, notfound (no path in a one-page visit).
    assert_eq!(
        node.visits.prune(d0().succ_opt().unwrap()).await.unwrap(),
        5
    );
    let left = stored(&node, d0()).await;
    assert_eq!(left.len(), all - 5);
    assert!(left.keys().all(|(_, d, _)| {
        govnode_analytics::Dimension::parse(d).is_some_and(|d| !d.is_detail())
    }));
}

#[tokio::test]
async fn the_worker_writes_a_last_time_when_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        flush_every: std::time::Duration::from_secs(3600),
        ..Settings::default()
    };
    let node = open(dir.path(), settings).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = {
        let visits = node.visits.clone();
        tokio::spawn(async move { visits.run(stopped).await })
    };
    let now = chrono::Utc::now().timestamp_millis();
    node.visits.record(&view("/", 1, CHROME, now));
    node.visits.record(&view("/a", 1, CHROME, now + 1));
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(30), worker)
        .await
        .expect("the worker stops")
        .unwrap();
    let c = stored(&node, beijing::date_of(now)).await;
    let get = |d: &str, k: &str| c[&("gd".to_string(), d.to_string(), k.to_string())];
    // The open visit ended at shutdown (memory goes with the process).
    assert_eq!(
        (get("pv", ""), get("exit", "/a"), get("depth", "2")),
        (2, 1, 1)
    );
}
