//! 办件提醒: notices of the letters desk in the console and by e-mail through a real SMTP
//! server (the npm package smtp-server, run by Node.js from tests/smtp/sink.mjs, in
//! [`sink`]), the escalation and statistics pages, the `[mail]` section's errors, and
//! notices of letters and escalations arriving from another node ([`tree`]).

mod scenario;
mod sink;
mod tree;

use std::time::Duration;

use govnode::config::{MailSection, MailSecurity};
use govnode::{Config, NodeError};
use govnode_accounts::{Access, Grant, ProfileUpdate, Role};
use govnode_interaction::{HandlerAction, NoticeScope};
use govnode_tests::console::Browser;
use govnode_tests::{Method, StatusCode, TestNode, browser};
use serde_json::{Value, json};
use sink::{Sink, sink_available};

const SUBJECT: &str = "申请公开2025年部门预算";
const CZT_MAIL: &str = "czt-handler@czt.gd.gov.cn";
const JYT_MAIL: &str = "jyt-handler@jyt.gd.gov.cn";

pub(crate) fn filing(body: &str) -> Value {
    json!({ "kind": "disclosure", "body": body, "subject": SUBJECT, "content": "请公开本部门2025年部门预算及说明。",
        "name": "李四", "phone": "13900139000", "id_number": "44010619900101123X",
        "email": "lisi@example.com", "consent_public": false })
}

pub(crate) async fn body(t: &TestNode, slug: &str, name: &str) {
    let r = t
        .call(
            Method::PUT,
            &format!("/api/admin/interaction/bodies/{slug}"),
            Some(&t.admin),
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// A handler of `body` signed in, with an e-mail address.
async fn handler(t: &TestNode, login: &str, body: &str, email: &str) -> Browser {
    let b = Browser::signed_in(t, login, &[Grant::body(body)]).await;
    let users = &t.node.app_state().users;
    let user = users.by_login(login).await.unwrap().unwrap();
    let update = ProfileUpdate {
        email: Some(email.into()),
        ..ProfileUpdate::default()
    };
    users
        .update_profile(&Access::operator("test"), user.id, &update, now())
        .await
        .expect("e-mail set");
    b
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The notice ids of the "mark read" forms on a notices page.
fn unread_ids(page: &str) -> Vec<String> {
    page.split("name=\"id\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_in_the_console_and_by_mail() {
    if !sink_available() {
        return;
    }
    let mut sink = Sink::start(&[]).await;
    let mut config = Config::new("440000".parse().unwrap(), "广东省");
    config.http.public_url = Some("http://www.gd.gov.cn".into());
    config.mail = Some(MailSection {
        enabled: true,
        host: "127.0.0.1".into(),
        port: sink.port,
        security: MailSecurity::None,
        username: None,
        password: None,
        password_file: None,
        from: "广东省政府网站平台 <noreply@gd.gov.cn>".into(),
    });
    let t = TestNode::start_in(config, tempfile::tempdir().unwrap()).await;
    t.site("gd", "广东省人民政府").await;
    body(&t, "czt", "广东省财政厅").await;
    body(&t, "jyt", "广东省教育厅").await;
    let mut czt = handler(&t, "czt-handler", "440000.czt", CZT_MAIL).await;
    let mut jyt = handler(&t, "jyt-handler", "440000.jyt", JYT_MAIL).await;

    // A letter filed to the body: a notice in the console and an e-mail.
    let r = t
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gd",
            None,
            Some(filing("440000.czt")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let code = r.json()["code"].as_str().unwrap().to_string();
    let page = czt.get("/admin/notices").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for text in [
        "新来信",
        SUBJECT,
        code.as_str(),
        "广东省财政厅",
        "未读",
        "class=\"unread\"",
    ] {
        assert!(page.text.contains(text), "{text} missing: {}", page.text);
    }
    assert!(
        page.text
            .contains(&format!("href=\"/admin/letters/{code}\""))
    );
    let mail = sink.next().await;
    assert_eq!(
        mail["subject"],
        format!("【办件提醒】新来信（查询码：{code}）"),
        "{mail}"
    );
    assert_eq!(mail["to"], json!([CZT_MAIL]), "{mail}");
    let text = mail["text"].as_str().unwrap();
    for wanted in [
        code.as_str(),
        "广东省财政厅",
        &format!("http://www.gd.gov.cn/admin/letters/{code}"),
    ] {
        assert!(text.contains(wanted), "{wanted} missing: {text}");
    }
    let whole = mail.to_string();
    for personal in [
        "李四",
        "13900139000",
        "44010619900101123X",
        "lisi@example.com",
        JYT_MAIL,
    ] {
        assert!(
            !whole.contains(personal),
            "{personal} in an e-mail: {whole}"
        );
    }
    // The dashboard counts it.
    let home = czt.get("/admin/").await;
    assert!(home.text.contains("办件提醒"), "{}", home.text);
    assert!(
        home.text.contains("href=\"/admin/notices\""),
        "{}",
        home.text
    );

    // Due soon, then overdue, each once, by the daily check on a chosen day.
    t.node
        .interaction
        .act(
            &code,
            "czt-handler",
            Some("440000.czt"),
            HandlerAction::Accept,
        )
        .await
        .expect("accepted");
    let view = t
        .node
        .interaction
        .handler_view(&code)
        .await
        .unwrap()
        .unwrap();
    let due = chrono::NaiveDate::parse_from_str(&view.ticket.due_day, "%Y-%m-%d").unwrap();
    for _ in 0..2 {
        t.node.interaction.check_deadlines(due).await.unwrap();
    }
    let mail = sink.next().await;
    assert_eq!(
        mail["subject"],
        format!("【办件提醒】即将到期（查询码：{code}）"),
        "{mail}"
    );
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains(&due.format("%Y年%-m月%-d日").to_string())
    );
    let late = due + chrono::Days::new(30);
    for _ in 0..2 {
        t.node.interaction.check_deadlines(late).await.unwrap();
    }
    let mail = sink.next().await;
    assert_eq!(
        mail["subject"],
        format!("【办件提醒】已超期（查询码：{code}）"),
        "{mail}"
    );
    sink.quiet(Duration::from_secs(8)).await;
    let page = czt.get("/admin/notices").await;
    assert!(
        page.text.contains("即将到期") && page.text.contains("已超期"),
        "{}",
        page.text
    );
    let ids = unread_ids(&page.text);
    assert_eq!(ids.len(), 3, "one notice each, no duplicates: {ids:?}");

    // A handler of another body sees none of it, and may not mark it read.
    let other = jyt.get("/admin/notices").await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(
        !other.text.contains(&code) && !other.text.contains(SUBJECT),
        "{}",
        other.text
    );
    let csrf = jyt.csrf("/admin/notices").await;
    let r = jyt
        .post("/admin/notices/read", &[("csrf", &csrf), ("id", &ids[0])])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Marking read is per person: one, then all.
    let csrf = czt.csrf("/admin/notices").await;
    let r = czt
        .post("/admin/notices/read", &[("csrf", "wrong"), ("id", &ids[0])])
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a bad CSRF token is refused"
    );
    let r = czt
        .post("/admin/notices/read", &[("csrf", &csrf), ("id", &ids[0])])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = czt.get("/admin/notices?done=read").await;
    assert_eq!(unread_ids(&page.text).len(), 2, "{}", page.text);
    assert!(page.text.contains("已标记为已读"));
    let r = czt
        .post("/admin/notices/read", &[("csrf", &csrf), ("all", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = czt.get("/admin/notices").await;
    assert!(unread_ids(&page.text).is_empty(), "{}", page.text);
    let mut second = Browser::signed_in(&t, "czt-second", &[Grant::body("440000.czt")]).await;
    assert_eq!(
        unread_ids(&second.get("/admin/notices").await.text).len(),
        3,
        "another handler of the body still has them unread"
    );

    // Editors see no notices; the oversight pages refuse them too.
    let mut editor = Browser::signed_in(&t, "gd-editor", &[Grant::site(Role::Editor, "gd")]).await;
    for path in [
        "/admin/notices",
        "/admin/letters/escalations",
        "/admin/letters/stats",
    ] {
        assert_eq!(
            editor.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // The province keeps its own escalation; the pages show it by name.
    let mut admin = Browser::signed_in(&t, "pingtai", &[Grant::node(Role::PlatformAdmin)]).await;
    let esc = admin.get("/admin/letters/escalations").await;
    assert_eq!(esc.status, StatusCode::OK, "{}", esc.text);
    for text in [SUBJECT, "广东省财政厅", "广东省", "依申请公开"] {
        assert!(esc.text.contains(text), "{text} missing: {}", esc.text);
    }
    assert!(
        !esc.text.contains("440000.czt"),
        "a body by name, never its id"
    );
    let stats = admin.get("/admin/letters/stats").await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.text);
    for text in [
        "<svg",
        "广东省财政厅",
        "收到来信",
        "<th scope=\"row\">广东省财政厅</th>",
    ] {
        assert!(stats.text.contains(text), "{text} missing: {}", stats.text);
    }
    let handler_stats = czt.get("/admin/letters/stats").await;
    assert!(handler_stats.text.contains("广东省财政厅"));
    let jyt_stats = jyt.get("/admin/letters/stats").await;
    assert!(
        !jyt_stats.text.contains("广东省财政厅"),
        "another body's statistics"
    );

    // Chromium and axe over the pages.
    if browser::available() {
        let signed = |b: &Browser, name: &str, path: &str| {
            let mut p = browser::page(name, t.url(path));
            p["cookies"] = json!([{ "name": "govnode_session", "value": b.cookies.iter().find(|(k, _)| k == "govnode_session").unwrap().1 }]);
            p
        };
        let results = browser::check(vec![
            signed(&second, "notices", "/admin/notices"),
            signed(&second, "home", "/admin/"),
            signed(&admin, "escalations", "/admin/letters/escalations"),
            signed(&admin, "stats", "/admin/letters/stats"),
        ])
        .await;
        browser::assert_no_problems(&results);
        assert!(browser::text_of(&results, "notices").contains("标记已读"));
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_retries_until_the_server_accepts() {
    if !sink_available() {
        return;
    }
    let mut sink = Sink::start(&["--reject", "1"]).await;
    let mut config = Config::new("440000".parse().unwrap(), "广东省");
    config.mail = Some(MailSection {
        enabled: true,
        host: "127.0.0.1".into(),
        port: sink.port,
        security: MailSecurity::None,
        username: None,
        password: None,
        password_file: None,
        from: "noreply@gd.gov.cn".into(),
    });
    let t = TestNode::start_in(config, tempfile::tempdir().unwrap()).await;
    t.site("gd", "广东省人民政府").await;
    body(&t, "czt", "广东省财政厅").await;
    let _czt = handler(&t, "czt-handler", "440000.czt", CZT_MAIL).await;
    let r = t
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gd",
            None,
            Some(filing("440000.czt")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // The first attempt is refused (451); the notice stays unmailed and is tried again
    // after a minute's backoff.
    let code = r.json()["code"].as_str().unwrap().to_string();
    let mut attempts = 0;
    for _ in 0..200 {
        let list = t
            .node
            .interaction
            .notices(
                &NoticeScope {
                    all: true,
                    bodies: vec![],
                },
                0,
                10,
            )
            .await
            .unwrap();
        let n = list.iter().find(|n| n.code == code).expect("the notice");
        assert!(!n.mailed, "not mailed while the server refuses");
        attempts = n.mail_attempts;
        if attempts > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(attempts, 1, "one failed attempt recorded");
    sink.quiet(Duration::from_secs(5)).await;
    t.stop().await;
}

#[test]
fn mail_config_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govnode.toml");
    let load = |mail: &str| -> String {
        std::fs::write(
            &path,
            format!("version = 1\n[node]\nid = \"440000\"\nname = \"广东省\"\n[mail]\n{mail}\n"),
        )
        .unwrap();
        match Config::load(&path) {
            Ok(_) => String::new(),
            Err(NodeError::Config(e)) => e,
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(
        load("host = \"smtp.gd.gov.cn\"\nfrom = \"noreply@gd.gov.cn\""),
        "",
        "a good section loads"
    );
    for (mail, key) in [
        ("host = \"\"\nfrom = \"noreply@gd.gov.cn\"", "mail.host"),
        (
            "host = \"smtp.gd.gov.cn\"\nfrom = \"不是地址\"",
            "mail.from",
        ),
        (
            "host = \"smtp.gd.gov.cn\"\nport = 0\nfrom = \"a@b.cn\"",
            "mail.port",
        ),
        (
            "host = \"smtp.gd.gov.cn\"\nfrom = \"a@b.cn\"\nusername = \"govnode\"",
            "mail.username",
        ),
        (
            "host = \"smtp.gd.gov.cn\"\nfrom = \"a@b.cn\"\nsecurity = \"ssl\"",
            "security",
        ),
        (
            "host = \"smtp.gd.gov.cn\"\nfrom = \"a@b.cn\"\nhots = \"x\"",
            "hots",
        ),
    ] {
        let e = load(mail);
        assert!(e.contains(key), "{mail}: {e:?} should name {key}");
    }
}
