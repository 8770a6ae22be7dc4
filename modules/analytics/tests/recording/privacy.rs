//! Nothing about a visitor but its salted hash is ever stored.

use super::*;

#[tokio::test]
async fn no_address_agent_or_unsalted_hash_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), Settings::default()).await;
    let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 PrivacyMarker/7.7";
    let client: IpAddr = "203.0.113.77".parse().unwrap();
    let at = |i: i64| t0() + i * MIN;
    let views = [
        PageView {
            client,
            referrer: Some("https://www.baidu.com/s?wd=x"),
            ..view("/", 1, agent, at(0))
        },
        PageView {
            client,
            column: Some("news"),
            ..view("/columns/news", 1, agent, at(1))
        },
        PageView {
            client,
            status: 404,
            ..view("/nothing", 1, agent, at(2))
        },
    ];
    for v in &views {
        node.visits.record(v);
    }
    node.visits.flush(at(3)).await.unwrap();
    node.visits.flush(at(60)).await.unwrap();
    assert!(rows(&node, "visit_seen").await == 1 && rows(&node, "visit_counts").await > 10);
    let unsalted = {
        let h = blake3::hash(format!("gd\0{client}\0{agent}").as_bytes());
        i64::from_le_bytes(h.as_bytes()[..8].try_into().unwrap())
    };
    let forbidden = ["203.0.113.77", "203.0.113", "PrivacyMarker", agent];
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&node.read)
            .await
            .unwrap();
    assert!(tables.iter().any(|t| t == "visit_counts"));
    let mut cells = 0;
    // The referring host is stored (a control that the scan reads the counters' text).
    let mut referrer_seen = false;
    for table in &tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(table)
            .fetch_all(&node.read)
            .await
            .unwrap();
        for column in columns {
            // Every cell as text (blobs as hex), whatever its type.
            let sql = format!(
                "SELECT typeof(\"{column}\"), CASE typeof(\"{column}\") WHEN 'blob' THEN hex(\"{column}\") \
                 ELSE CAST(\"{column}\" AS TEXT) END FROM \"{table}\""
            );
            for row in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&node.read)
                .await
                .unwrap()
            {
                cells += 1;
                let kind: String = row.get(0);
                let Some(text) = row.get::<Option<String>, _>(1) else {
                    continue;
                };
                referrer_seen |= text == "www.baidu.com";
                for f in forbidden {
                    let hex = hex::encode_upper(f);
                    assert!(
                        !text.contains(f) && !text.contains(&hex),
                        "{table}.{column} holds {f:?}"
                    );
                }
                if kind == "integer" {
                    assert_ne!(
                        text,
                        unsalted.to_string(),
                        "{table}.{column} holds the unsalted hash"
                    );
                }
            }
        }
    }
    assert!(cells > 50 && referrer_seen);
}
