//! The letters desk's pages under Chromium with axe-core (1280 and 375 px): the inbox, a
//! ticket, the reply templates and a reply refused and shown again.

use govnode_accounts::Grant;
use govnode_interaction::HandlerAction;
use govnode_tests::browser;
use serde_json::json;

use super::{HRSS, accepted_due, file, node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_letters_pages_pass_the_browser_checks() {
    if !browser::available() {
        return;
    }
    let t = node().await;
    let (a, _) = file(
        &t,
        "consultation",
        HRSS,
        "社保转移接续咨询",
        "请问跨省转移养老保险需要哪些材料？",
    )
    .await;
    let (b, _) = file(
        &t,
        "complaint",
        HRSS,
        "窗口排队时间过长",
        "办事大厅窗口排队两个小时，希望改进。",
    )
    .await;
    accepted_due(&t, &b, "2000-01-04").await;
    t.node
        .interaction
        .act(&a, "test", Some(HRSS), HandlerAction::Accept)
        .await
        .unwrap();
    t.node
        .interaction
        .put_reply_template(
            HRSS,
            None,
            "社保转移答复",
            "您好，跨省转移养老保险可在国家社会保险公共服务平台申请。",
            "li.handler",
        )
        .await
        .unwrap();
    let session = t.console_session("li.handler", &[Grant::body(HRSS)]).await;
    let cookies = json!([{ "name": "govnode_session", "value": session }]);
    let signed = |name: &str, path: &str| {
        let mut p = browser::page(name, t.url(path));
        p["cookies"] = cookies.clone();
        p
    };
    let mut error = signed("reply-error", &format!("/admin/letters/{a}"));
    error["submit"] = json!({ "form": "form[action$=\"/reply\"]", "fields": { "text": "好" } });
    let results = browser::check(vec![
        signed("inbox", "/admin/letters"),
        signed("ticket", &format!("/admin/letters/{b}")),
        signed("templates", "/admin/letters/templates"),
        error,
    ])
    .await;
    browser::assert_no_problems(&results);
    assert!(browser::text_of(&results, "inbox").contains("已超期"));
    assert!(
        browser::text_of(&results, "reply-error").contains("请填写答复内容"),
        "{}",
        browser::text_of(&results, "reply-error")
    );
    t.stop().await;
}
