//! Concurrent changes to one ticket on two nodes cut off from each other: when the
//! link returns both nodes hold the same ticket, and neither change is lost.

use govnode_tests::{Method, Role, StatusCode, TestTree};
use serde_json::json;

use super::interaction::{act, declare_body, file, status, wait_body, wait_inbox, wait_state};

/// Filed at a county for a body of a cousin county (their only path is the province).
/// With the province down, the citizen rates at the filing county while the handler
/// closes at the body's county; after the province returns, both show the ticket closed,
/// with the rating, and every event once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rating_and_a_closing_made_apart_both_survive() {
    let mut tree = TestTree::one_two_four().await;
    let (province, filing, holding) = ("440000", "440106", "440303");
    tree.node(filing).site("tianhe", "天河区人民政府").await;
    let body = declare_body(tree.node(holding), "zwb", "罗湖区政务服务数据管理局").await;
    let handler = tree
        .node(holding)
        .token(Role::Handler, Some(&body), "罗湖区经办人")
        .await;
    wait_body(&tree, filing, &body).await;
    let (code, pw) = file(
        tree.node(filing),
        "tianhe",
        &body,
        "consultation",
        "跨区通办的营业执照变更咨询",
        "13800138031",
    )
    .await;
    wait_inbox(&tree, holding, &handler, &code).await;
    let n = tree.node(holding);
    act(n, &handler, &code, json!({ "action": "accept" })).await;
    act(
        n,
        &handler,
        &code,
        json!({ "action": "reply", "text": "可在广东政务服务网申请跨区通办。" }),
    )
    .await;
    wait_state(&tree, filing, &code, &pw, "replied").await;

    tree.stop(province).await;
    let r = tree
        .node(filing)
        .call(
            Method::POST,
            &format!("/api/interaction/tickets/{code}/rating"),
            None,
            Some(json!({ "password": pw, "rating": 4, "comment": "答复及时" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act(
        tree.node(holding),
        &handler,
        &code,
        json!({ "action": "close" }),
    )
    .await;
    tree.restart(province).await;

    for id in [filing, holding] {
        wait_state(&tree, id, &code, &pw, "closed").await;
        tree.wait_for(&format!("the rating of {code} at {id}"), || async {
            status(tree.node(id), &code, &pw).await["rating"] == 4
        })
        .await;
        let t = status(tree.node(id), &code, &pw).await;
        let mut actions: Vec<&str> = t["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        actions.sort_unstable();
        assert_eq!(
            actions,
            ["accepted", "closed", "rated", "replied", "submitted"],
            "{id}: {t}"
        );
        assert_eq!(t["rating_comment"], "答复及时", "{id}: {t}");
    }
    tree.shutdown().await;
}

/// The citizen answers a request for information at the filing county while, cut off
/// from it, the body's county transfers the ticket to a body of a third county: the
/// answer reaches the new body when the link returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_answer_sent_while_the_ticket_moved_on_follows_it() {
    let mut tree = TestTree::one_two_four().await;
    let (province, filing, first, second) = ("440000", "440106", "440303", "440304");
    tree.node(filing).site("tianhe", "天河区人民政府").await;
    let body = declare_body(tree.node(first), "zwb", "罗湖区政务服务数据管理局").await;
    let next = declare_body(tree.node(second), "jyj", "福田区教育局").await;
    let handler = tree
        .node(first)
        .token(Role::Handler, Some(&body), "罗湖区经办人")
        .await;
    let next_handler = tree
        .node(second)
        .token(Role::Handler, Some(&next), "福田区经办人")
        .await;
    wait_body(&tree, filing, &body).await;
    wait_body(&tree, first, &next).await;
    let (code, pw) = file(
        tree.node(filing),
        "tianhe",
        &body,
        "consultation",
        "随迁子女转学手续咨询",
        "13800138032",
    )
    .await;
    wait_inbox(&tree, first, &handler, &code).await;
    let n = tree.node(first);
    act(n, &handler, &code, json!({ "action": "accept" })).await;
    act(
        n,
        &handler,
        &code,
        json!({ "action": "request_info", "question": "请说明孩子目前就读的学校和年级。" }),
    )
    .await;
    wait_state(&tree, filing, &code, &pw, "info_requested").await;

    tree.stop(province).await;
    let r = tree
        .node(filing)
        .call(
            Method::POST,
            &format!("/api/interaction/tickets/{code}/info"),
            None,
            Some(json!({ "password": pw, "text": "目前在罗湖区某小学四年级就读。" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    act(
        tree.node(first),
        &handler,
        &code,
        json!({ "action": "transfer", "body": next, "reason": "转学事宜属福田区教育局" }),
    )
    .await;
    wait_inbox(&tree, second, &next_handler, &code).await;
    tree.restart(province).await;

    let holder = tree.node(second);
    tree.wait_for(&format!("the citizen's answer at {second}"), || async {
        let r = holder
            .call(
                Method::GET,
                &format!("/api/admin/interaction/tickets/{code}"),
                Some(&next_handler),
                None,
            )
            .await;
        r.status == StatusCode::OK && r.text.contains("目前在罗湖区某小学四年级就读")
    })
    .await;
    // The filing county follows the ticket to its new body.
    let t = wait_state(&tree, filing, &code, &pw, "submitted").await;
    assert_eq!(t["body_id"], next.as_str(), "{t}");
    tree.shutdown().await;
}
