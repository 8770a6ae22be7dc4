//! The `user` and `token` commands against a running node: the first administrator made
//! on the command line signs in with the password it printed; a handler's token made on
//! the command line for a body works that body's letters end to end, and no other's.

use std::io::Write;
use std::process::{Command, Stdio};

use govnode::Config;
use govnode_tests::{Method, StatusCode, TestNode, govnode_bin};
use serde_json::json;

use super::browser::Browser;

fn run(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(govnode_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("govnode runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_tokens_made_on_the_command_line_work() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new("440000".parse().unwrap(), "广东省");
    std::fs::write(
        dir.path().join(govnode::config::CONFIG_FILE),
        config.to_commented_toml(),
    )
    .unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let t = TestNode::start_in(config, dir).await;
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

    // The first platform administrator: a generated password, printed once on stdout.
    let (ok, password, err) = run(
        &[
            "user",
            "create",
            "--data-dir",
            &data,
            "--login",
            "root.admin",
            "--name",
            "管理员",
            "--role",
            "platform-admin",
        ],
        None,
    );
    assert!(ok, "{err}");
    let password = password.trim().to_string();
    assert!(
        password.len() >= 20 && err.contains("shown once"),
        "{password} / {err}"
    );
    let (ok, _, err) = run(
        &[
            "user",
            "create",
            "--data-dir",
            &data,
            "--login",
            "root.admin",
            "--name",
            "x",
            "--role",
            "platform-admin",
        ],
        None,
    );
    assert!(!ok && err.contains("taken"), "{err}");
    let (ok, _, err) = run(
        &[
            "user",
            "create",
            "--data-dir",
            &data,
            "--login",
            "h.one",
            "--name",
            "经办人",
            "--role",
            "handler",
            "--site",
            "440000.nope",
        ],
        None,
    );
    assert!(!ok && err.contains("no body `440000.nope`"), "{err}");
    // From stdin, and listed without secrets.
    let (ok, out, err) = run(
        &[
            "user",
            "create",
            "--data-dir",
            &data,
            "--login",
            "h.one",
            "--name",
            "经办人",
            "--role",
            "handler",
            "--site",
            "440000.czt",
            "--password-stdin",
        ],
        Some("Jingban-Ren-2026!\n"),
    );
    assert!(ok && out.is_empty(), "{out} {err}");
    let (ok, list, _) = run(&["user", "list", "--data-dir", &data], None);
    assert!(
        ok && list.contains("root.admin\tactive\tplatform-admin"),
        "{list}"
    );
    assert!(
        list.contains("handler@440000.czt") && !list.contains(&password),
        "{list}"
    );

    // The administrator signs in with it: the second factor is set up first.
    let mut b = Browser::new(&t);
    let r = b.sign_in("root.admin", &password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.header("location"), Some("/admin/sign-in/enrol"));

    // Recovery: a reset ends the sessions and prints a new password.
    let (ok, new_password, err) = run(
        &[
            "user",
            "reset-password",
            "--data-dir",
            &data,
            "--login",
            "root.admin",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert_ne!(new_password.trim(), password);
    let r = b.get("/admin/sign-in/enrol").await;
    assert_eq!(
        r.header("location"),
        Some("/admin/sign-in"),
        "the session ended"
    );
    let r = b.sign_in("root.admin", new_password.trim()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

    // A handler's token for a body, made on the command line, reads that body's inbox.
    let (ok, token, err) = run(
        &[
            "token",
            "create",
            "--data-dir",
            &data,
            "--role",
            "handler",
            "--site",
            "440000.czt",
            "--name",
            "财政厅经办人",
        ],
        None,
    );
    assert!(ok, "{err}");
    let r = t
        .call(
            Method::GET,
            "/api/admin/interaction/inbox",
            Some(token.trim()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .call(
            Method::GET,
            "/api/admin/interaction/inbox?body=440000.jyt",
            Some(token.trim()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // End to end: a citizen's letter to the body reaches that token's inbox, the handler
    // accepts and answers it, and the citizen reads the answer; another body's handler
    // can do nothing with it.
    let token = token.trim();
    let filed = t
        .call(
            Method::POST,
            "/api/interaction/tickets?site=gd",
            None,
            Some(json!({ "kind": "disclosure", "body": "440000.czt", "subject": "申请公开2025年部门预算",
                "content": "请公开本部门2025年部门预算及说明。", "name": "李四", "phone": "13900139000",
                "id_number": "44010619900101123X", "consent_public": false })),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    let code = filed.json()["code"].as_str().unwrap().to_string();
    let password = filed.json()["password"].as_str().unwrap().to_string();
    let inbox = t
        .call(
            Method::GET,
            "/api/admin/interaction/inbox",
            Some(token),
            None,
        )
        .await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text);
    assert!(
        inbox.text.contains(&code),
        "the letter is in the inbox: {}",
        inbox.text
    );
    let (ok, other, err) = run(
        &[
            "token",
            "create",
            "--data-dir",
            &data,
            "--role",
            "handler",
            "--site",
            "440000.jyt",
            "--name",
            "教育厅经办人",
        ],
        None,
    );
    assert!(
        !ok && other.is_empty() && err.contains("440000.jyt"),
        "no such body yet: {err}"
    );
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/jyt",
            Some(&t.admin),
            Some(json!({ "name": "广东省教育厅" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (ok, other, err) = run(
        &[
            "token",
            "create",
            "--data-dir",
            &data,
            "--role",
            "handler",
            "--site",
            "440000.jyt",
            "--name",
            "教育厅经办人",
        ],
        None,
    );
    assert!(ok, "{err}");
    let act = |token: String, action: serde_json::Value| {
        let (t, path) = (&t, format!("/api/admin/interaction/tickets/{code}/actions"));
        async move {
            t.call(Method::POST, &path, Some(&token), Some(action))
                .await
        }
    };
    for action in [
        json!({ "action": "accept" }),
        json!({ "action": "reply", "text": "已依法公开，详见附件。" }),
    ] {
        let r = act(other.trim().to_string(), action.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "another body's handler: {}",
            r.text
        );
        let r = act(token.to_string(), action.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text);
    }
    let seen = t
        .get(&format!(
            "/api/interaction/tickets/{code}?password={password}"
        ))
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert!(
        seen.text.contains("已依法公开，详见附件。"),
        "the citizen reads the answer: {}",
        seen.text
    );
    t.stop().await;
}
