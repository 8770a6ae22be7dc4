//! Whole-process tests with the real binary: SIGKILL during an import, restart, resume,
//! consistency; the data-dir lock while serving.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use govnode_tests::govnode_bin;
use serde_json::json;

const RECORDS: usize = 1500;
const CLAUSES: usize = 8;

fn write_corpus(path: &Path) {
    use std::io::Write;
    let nums = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..RECORDS {
        let body: Vec<String> = (0..CLAUSES).map(|c| format!("第{}条 本条例第{i}号关于行政许可事项的规定，县级以上人民政府应当加强监督管理。", nums[c])).collect();
        let line = json!({ "id": format!("{i:016x}"), "type": "regulation", "title": format!("测试条例第{i}号"), "issued": "2020-01-01",
            "region": "440000", "issuer_scope": "广东", "body_markdown": body.join("\n\n") });
        writeln!(f, "{line}").unwrap();
    }
}

fn govnode(args: &[&str], data: &Path) -> Command {
    let mut c = Command::new(govnode_bin());
    c.args(args).arg("--data-dir").arg(data);
    c
}

fn run_ok(mut c: Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn published_count(data: &Path) -> i64 {
    let db = govnode::storage::Db::open(data).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM published")
        .fetch_one(&db.read)
        .await
        .unwrap();
    db.close().await;
    n
}

/// Runs `govnode init` for a province node in `data`.
fn init_node(data: &Path) {
    let mut c = Command::new(govnode_bin());
    c.args([
        "init",
        "--node-id",
        "440000",
        "--name",
        "广东省",
        "--data-dir",
    ])
    .arg(data);
    run_ok(c);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_healthy(port: u16, child: &mut Child) {
    let client = govnode_tests::http_client().build().expect("client");
    for _ in 0..600 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && r.status().is_success()
        {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "serve exited early");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("serve never became healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_import_then_resume_and_serve_consistently() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    let corpus = dir.path().join("corpus.jsonl");
    write_corpus(&corpus);
    let total = (RECORDS * (CLAUSES + 1)) as i64;
    init_node(&data);
    // Sites and columns come from a running node; create them in-process, then close it.
    {
        let config = govnode::Config::load(&data.join("govnode.toml")).unwrap();
        let node = govnode::Node::open(config, &data).await.unwrap();
        let site = govnode_content::SiteInput {
            id: "gd".into(),
            name: "广东省人民政府".into(),
            hosts: vec![],
            owner_body: "广东省人民政府办公厅".into(),
            body_code: "006939748".into(),
            region: "440000".into(),
            footer: Default::default(),
        };
        node.content.create_site("test", &site).await.unwrap();
        let col = govnode_content::ColumnInput {
            slug: "fg".into(),
            name: "法规".into(),
            kind: "policy".into(),
            parent: None,
            update_interval_days: None,
            position: 0,
        };
        node.content
            .create_column("test", "gd", &col)
            .await
            .unwrap();
        node.close().await;
    }

    // Start an import in small batches and SIGKILL it once some (not all) of it is in.
    let mut import = govnode(
        &[
            "import",
            "--site",
            "gd",
            "--column",
            "fg",
            "--split-articles",
            "--batch-size",
            "90",
            "--quiet",
        ],
        &data,
    )
    .arg(&corpus)
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut seen = 0;
    for _ in 0..2000 {
        seen = published_count(&data).await;
        if seen >= 900 || import.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    import.kill().unwrap(); // SIGKILL
    import.wait().unwrap();
    let after_kill = published_count(&data).await;
    assert!(
        after_kill >= seen && after_kill < total,
        "killed mid-import: {after_kill} of {total}"
    );
    // Whole batches only: each transaction holds whole records of 9 documents.
    assert_eq!(
        after_kill % (CLAUSES as i64 + 1),
        0,
        "no half-imported record"
    );

    // Re-running resumes: what is in is skipped, the rest imported.
    let out = run_ok({
        let mut c = govnode(
            &[
                "import",
                "--site",
                "gd",
                "--column",
                "fg",
                "--split-articles",
                "--quiet",
            ],
            &data,
        );
        c.arg(&corpus);
        c
    });
    assert!(
        out.contains(&format!(
            "{} documents imported, {after_kill} already present",
            total - after_kill
        )),
        "{out}"
    );
    assert_eq!(published_count(&data).await, total);

    // The node starts on the data dir, its index caught up, and serves everything.
    let port = free_port();
    let mut serve = govnode(&["serve", "--http", &format!("127.0.0.1:{port}")], &data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_healthy(port, &mut serve).await;
    let res: serde_json::Value = reqwest::get(format!(
        "http://127.0.0.1:{port}/api/search?q=%E8%A1%8C%E6%94%BF%E8%AE%B8%E5%8F%AF"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        res["total"].as_i64().unwrap(),
        total,
        "every document searchable exactly once"
    );
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("govnode_search_index_lag 0"), "{metrics}");
    assert!(metrics.contains(&format!("govnode_published_documents {total}")));

    // While it serves, an import refuses clearly and changes nothing.
    let out = govnode(
        &["import", "--site", "gd", "--column", "fg", "--quiet"],
        &data,
    )
    .arg(&corpus)
    .output()
    .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("in use") && err.contains("stop the node"),
        "{err}"
    );

    // SIGKILL the server too; it restarts cleanly on the same data.
    serve.kill().unwrap();
    serve.wait().unwrap();
    let port = free_port();
    let mut serve = govnode(&["serve", "--http", &format!("127.0.0.1:{port}")], &data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_healthy(port, &mut serve).await;
    let page = reqwest::get(format!("http://127.0.0.1:{port}/sites/gd/columns/fg"))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    serve.kill().unwrap();
    serve.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cli_creates_scoped_tokens_and_names_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    init_node(&data);
    let admin = run_ok(govnode(
        &[
            "token",
            "create",
            "--role",
            "platform-admin",
            "--name",
            "运维",
        ],
        &data,
    ));
    assert!(admin.trim().starts_with("gnt_") && admin.trim().len() == 68);
    let bad_role = govnode(&["token", "create", "--role", "root", "--name", "x"], &data)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role `root`"));
    let no_site = govnode(
        &["token", "create", "--role", "editor", "--name", "x"],
        &data,
    )
    .output()
    .unwrap();
    assert!(String::from_utf8_lossy(&no_site.stderr).contains("--site"));
    let unknown_site = govnode(
        &[
            "token", "create", "--role", "editor", "--site", "nope", "--name", "x",
        ],
        &data,
    )
    .output()
    .unwrap();
    assert!(String::from_utf8_lossy(&unknown_site.stderr).contains("no site `nope`"));
    // A handler's scope is a body of the directory (README's `--role handler --site <body id>`).
    let unknown_body = govnode(
        &[
            "token",
            "create",
            "--role",
            "handler",
            "--site",
            "440000.hrss",
            "--name",
            "x",
        ],
        &data,
    )
    .output()
    .unwrap();
    assert!(
        String::from_utf8_lossy(&unknown_body.stderr).contains("no body `440000.hrss`"),
        "{}",
        String::from_utf8_lossy(&unknown_body.stderr)
    );
    {
        let config = govnode::Config::load(&data.join("govnode.toml")).unwrap();
        let node = govnode::Node::open(config, &data).await.unwrap();
        node.interaction
            .put_body("hrss", "广东省人力资源和社会保障厅", "")
            .await
            .unwrap();
        node.close().await;
    }
    let handler = run_ok(govnode(
        &[
            "token",
            "create",
            "--role",
            "handler",
            "--site",
            "440000.hrss",
            "--name",
            "李四",
        ],
        &data,
    ));
    assert!(handler.trim().starts_with("gnt_"), "{handler}");
    let list = run_ok(govnode(&["token", "list"], &data));
    assert!(list.contains("handler\t440000.hrss\t李四"), "{list}");
    assert!(
        list.contains("platform-admin") && list.contains("运维") && !list.contains("gnt_"),
        "secrets never listed: {list}"
    );
    let missing = govnode(
        &[
            "import",
            "--site",
            "gd",
            "--column",
            "fg",
            "/no/such/file.jsonl",
        ],
        &data,
    )
    .output()
    .unwrap();
    assert!(!missing.status.success());
}
