//! Notices of what arrives from another node: a letter routed to a body here, and an
//! overdue letter of a body below escalated here (told to its superior body).

use std::time::Duration;

use govnode_accounts::{Grant, Role};
use govnode_interaction::{HandlerAction, NoticeKind, NoticeScope};
use govnode_tests::console::Browser;
use govnode_tests::{Method, StatusCode};
use serde_json::json;

use super::{body, filing};

/// Waits (up to 60 s) until `check` holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routed_letters_and_escalations_notify_the_node_that_receives_them() {
    use govnode_tests::tree::{Member, TestTree};
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let tree = TestTree::start(vec![
        m("440000", "广东省", None),
        m("440100", "广州市", Some("440000")),
    ])
    .await;
    let (province, city) = (tree.node("440000"), tree.node("440100"));
    city.site("gz", "广州市人民政府").await;
    body(province, "czt", "广东省财政厅").await;
    let r = city
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/czj",
            Some(&city.admin),
            Some(json!({ "name": "广州市财政局", "superior": "440000.czt" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for n in [province, city] {
        eventually("both bodies in the directory", || async {
            let t = n.get("/api/interaction/bodies").await.text;
            t.contains("440000.czt") && t.contains("440100.czj")
        })
        .await;
    }
    let provincial = NoticeScope {
        all: false,
        bodies: vec!["440000.czt".into()],
    };
    // Filed at the city for the province's body: the notice is the province's.
    let r = city
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gz",
            None,
            Some(filing("440000.czt")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let routed = r.json()["code"].as_str().unwrap().to_string();
    eventually("the routed letter's notice at the province", || async {
        let list = province
            .node
            .interaction
            .notices(&provincial, 1, 50)
            .await
            .unwrap();
        list.iter()
            .any(|n| n.code == routed && n.kind == NoticeKind::Arrived)
    })
    .await;
    let all = NoticeScope {
        all: true,
        bodies: vec![],
    };
    assert!(
        city.node
            .interaction
            .notices(&all, 1, 50)
            .await
            .unwrap()
            .is_empty(),
        "the city holds no body of that letter"
    );
    // A city letter overdue: escalated to the province, told to the superior body there.
    let r = city
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gz",
            None,
            Some({
                let mut f = filing("440100.czj");
                f["kind"] = json!("consultation");
                f
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let late = r.json()["code"].as_str().unwrap().to_string();
    city.node
        .interaction
        .act(&late, "h", None, HandlerAction::Accept)
        .await
        .unwrap();
    // A consultation unanswered for more than three months: past the national red line.
    let day = govnode_interaction::beijing_today() + chrono::Days::new(100);
    assert_eq!(city.node.interaction.check_deadlines(day).await.unwrap(), 1);
    eventually("the escalation's notice at the province", || async {
        let list = province
            .node
            .interaction
            .notices(&provincial, 1, 50)
            .await
            .unwrap();
        list.iter().any(|n| {
            n.code == late && n.kind == NoticeKind::Escalated && n.ticket_body == "440100.czj"
        })
    })
    .await;
    let mut admin =
        Browser::signed_in(province, "pingtai", &[Grant::node(Role::PlatformAdmin)]).await;
    let esc = admin.get("/admin/letters/escalations").await;
    for text in [
        "广州市",
        "广州市财政局",
        late.as_str(),
        "超过三个月未回应",
        "class=\"red-line\"",
        "咨询",
    ] {
        assert!(esc.text.contains(text), "{text} missing: {}", esc.text);
    }
    let mut superior = Browser::signed_in(province, "czt-h", &[Grant::body("440000.czt")]).await;
    let esc = superior.get("/admin/letters/escalations").await;
    assert!(
        esc.text.contains(&late),
        "the superior body's handler sees it: {}",
        esc.text
    );
    let page = superior.get("/admin/notices").await;
    assert!(
        page.text.contains("超期督办") && page.text.contains(&routed),
        "{}",
        page.text
    );
    tree.shutdown().await;
}
