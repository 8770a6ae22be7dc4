//! A handler's inbox is paged: counts of the whole list, pages that neither repeat nor
//! skip a ticket, and clear errors for bad paging parameters.

use super::filing;
use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_is_paged_with_counts() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/czt",
            Some(&t.admin),
            Some(json!({ "name": "广东省财政厅" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let handler = t
        .token(Role::Handler, Some("440000.czt"), "财政厅经办人")
        .await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        let r = t
            .call(
                Method::POST,
                "/api/interaction/tickets?site=gd",
                None,
                Some(filing("440000.czt")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        codes.push(r.json()["code"].as_str().unwrap().to_string());
    }
    let page = |q: &'static str| {
        let (t, handler) = (&t, handler.clone());
        async move {
            t.call(
                Method::GET,
                &format!("/api/admin/interaction/inbox{q}"),
                Some(&handler),
                None,
            )
            .await
        }
    };
    let mut seen = Vec::new();
    for (q, n) in [
        ("?limit=2", 2),
        ("?offset=2&limit=2", 2),
        ("?offset=4&limit=2", 1),
    ] {
        let r = page(q).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text);
        let j = r.json();
        assert_eq!(
            (j["total"].as_u64(), j["open"].as_u64()),
            (Some(5), Some(5)),
            "{q}: {j}"
        );
        let tickets = j["tickets"].as_array().unwrap();
        assert_eq!(tickets.len(), n, "{q}: {j}");
        seen.extend(
            tickets
                .iter()
                .map(|t| t["code"].as_str().unwrap().to_string()),
        );
    }
    seen.sort();
    codes.sort();
    assert_eq!(seen, codes, "the pages neither repeat nor skip a ticket");
    assert_eq!(
        page("").await.json()["tickets"].as_array().unwrap().len(),
        5
    );
    assert_eq!(
        page("?offset=9").await.json()["tickets"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    for (q, key) in [
        ("?limit=0", "limit"),
        ("?limit=1001", "limit"),
        ("?limit=ten", "limit"),
        ("?offset=-1", "offset"),
    ] {
        let r = page(q).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.text);
        assert!(r.text.contains(key), "{q}: {}", r.text);
    }
    t.stop().await;
}
