//! The `user` and `token` commands against a running node: the first administrator made
//! on the command line signs in with the password it printed; a handler's token made on
//! the command line for a body reads that body's inbox.

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
    t.stop().await;
}
