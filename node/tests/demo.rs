//! `govnode demo`: four nodes in one process, each on its own port, replicating.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

/// The first `http://…` in a line.
fn url_in(line: &str) -> Option<&str> {
    let start = line.find("http://")?;
    let rest = &line[start..];
    Some(rest.split_whitespace().next().unwrap_or(rest))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_four_nodes_replicas_and_a_stopped_county_from_its_parent() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govnode"))
        .args([
            "demo",
            "--port",
            "0",
            "--exit-after",
            "8",
            "--stop",
            "440106",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    govnode::install_tls_provider();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut seen = Vec::new();
    let mut nodes = BTreeSet::new();
    let mut checked_replica = false;
    let mut checked_stop = false;
    let mut checked_letters = false;
    let mut consoles = 0;
    let read = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push(line.clone());
            if line.starts_with("node ") {
                nodes.insert(url_in(&line).expect("node URL").to_string());
            }
            // The province serving a county's article from replica.
            if line.trim_start().starts_with("replica ") {
                let url = url_in(&line).unwrap().to_string();
                let r = http.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200, "{url}");
                let origin = r.headers().get("x-govnode-replica").cloned();
                assert_eq!(origin.unwrap(), "440106", "{url}");
                assert!(r.text().await.unwrap().contains("副本"), "{url}");
                checked_replica = true;
            }
            // The province's letters form offers its desk for letters without a body.
            if line.trim_start().starts_with("letters ") && line.contains("/sites/gd/letters") {
                let url = url_in(&line).unwrap().to_string();
                let r = http.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200, "{url}");
                let page = r.text().await.unwrap();
                assert!(page.contains("交广东省人民政府办公厅分办"), "{url}: {page}");
                checked_letters = true;
            }
            // Every node prints its console and a sign-in per role; the editor's works.
            if line.trim_start().starts_with("控制台 ") {
                consoles += 1;
                let url = url_in(&line).unwrap().to_string();
                let password = line
                    .split("初始密码 ")
                    .nth(1)
                    .and_then(|rest| rest.split('，').next())
                    .expect("the first password on the console line")
                    .to_string();
                // The form first, as a browser opens it: its cookie and token go back.
                let form = http.get(format!("{url}sign-in")).send().await.unwrap();
                let cookie = form
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .filter_map(|c| c.to_str().ok())
                    .find(|c| c.starts_with("govnode_sign_in="))
                    .and_then(|c| c.split(';').next())
                    .expect("the sign-in form's cookie")
                    .to_string();
                let page = form.text().await.unwrap();
                let csrf = page
                    .split("name=\"csrf\" value=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .expect("the form's token")
                    .to_string();
                let r = http
                    .post(format!("{url}sign-in"))
                    .header("cookie", cookie)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("login", "editor"),
                        ("password", password.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 303, "{url}: {}", r.text().await.unwrap());
                assert_eq!(
                    r.headers().get("location").unwrap(),
                    "/admin/password",
                    "the first sign-in changes the password"
                );
            }
            // After --stop: the city serves the stopped county's site.
            if line.starts_with("open ") && line.contains("while 440106 is stopped") {
                let url = url_in(&line).unwrap().to_string();
                let r = http.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200, "{url}");
                let origin = r.headers().get("x-govnode-replica").cloned();
                assert_eq!(origin.unwrap(), "440106", "{url}");
                checked_stop = true;
            }
        }
    })
    .await;
    let out = child.wait_with_output().await.unwrap();
    let all = seen.join("\n");
    read.unwrap_or_else(|_| panic!("the demo did not end by itself:\n{all}"));
    assert!(
        out.status.success(),
        "{all}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(nodes.len(), 4, "four nodes on four ports:\n{all}");
    assert!(checked_replica, "no replica URL printed:\n{all}");
    assert!(checked_stop, "--stop printed no URL to look at:\n{all}");
    assert!(checked_letters, "no letters URL printed:\n{all}");
    assert_eq!(consoles, 4, "a console line per node:\n{all}");
    for role in [
        "平台管理员",
        "站点管理员",
        "信息编辑",
        "信息审核员",
        "办理人员",
        "审计员",
    ] {
        assert_eq!(
            all.matches(role).count(),
            4,
            "a sign-in for {role} on every node:\n{all}"
        );
    }
}
