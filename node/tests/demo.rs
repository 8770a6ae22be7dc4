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

/// The value of form field `name` in `page`.
fn field(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no field {name} in {page}"))
        .to_string()
}

/// Signs in at console `url` as a browser does (the form first, its cookie and token sent
/// back): the status, the `Location` and the session cookie's value.
async fn sign_in(
    http: &reqwest::Client,
    url: &str,
    login: &str,
    password: &str,
) -> (u16, String, String) {
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
    let csrf = field(&form.text().await.unwrap(), "csrf");
    let r = http
        .post(format!("{url}sign-in"))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", login),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        r.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let location = header("location").into_iter().next().unwrap_or_default();
    let session = header("set-cookie")
        .into_iter()
        .find_map(|c| {
            c.strip_prefix("govnode_session=")
                .map(|v| v.split(';').next().unwrap_or("").to_string())
        })
        .unwrap_or_default();
    (r.status().as_u16(), location, session)
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
    let mut checked_inbox = false;
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
                let (status, location, _) = sign_in(&http, &url, "editor", &password).await;
                assert_eq!(status, 303, "{url}");
                assert_eq!(
                    location, "/admin/password",
                    "the first sign-in changes the password"
                );
                // At the province, the handler finds the seeded letter in their inbox.
                if !checked_inbox {
                    let (_, _, session) = sign_in(&http, &url, "handler", &password).await;
                    let cookie = format!("govnode_session={session}");
                    let page = http
                        .get(format!("{url}password"))
                        .header("cookie", &cookie)
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    let csrf = field(&page, "csrf");
                    let r = http
                        .post(format!("{url}password"))
                        .header("cookie", &cookie)
                        .form(&[
                            ("csrf", csrf.as_str()),
                            ("current", password.as_str()),
                            ("new", "Banli-Xin-Mima-88"),
                            ("confirm", "Banli-Xin-Mima-88"),
                        ])
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 303);
                    // The change of password gives the session a new id.
                    let cookie = r
                        .headers()
                        .get_all("set-cookie")
                        .iter()
                        .filter_map(|c| c.to_str().ok())
                        .find(|c| c.starts_with("govnode_session="))
                        .and_then(|c| c.split(';').next())
                        .map_or(cookie, str::to_string);
                    let base = url.trim_end_matches("/admin/");
                    let inbox = http
                        .get(format!("{base}/api/admin/interaction/inbox"))
                        .header("cookie", &cookie)
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    assert!(
                        inbox.contains("灵活就业人员如何办理社保参保登记"),
                        "{inbox}"
                    );
                    checked_inbox = true;
                }
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
    assert!(checked_inbox, "the handler's inbox was not checked:\n{all}");
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
