//! The binary's command line: help, init, enrolment (certify, install-cert), status, and
//! clear errors naming what is wrong.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use govnode::Config;

fn govnode() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govnode"));
    c.env("RUST_BACKTRACE", "0");
    c
}

#[test]
fn help_documents_every_command() {
    let out = govnode().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for cmd in [
        "init",
        "serve",
        "certify",
        "install-cert",
        "status",
        "token",
        "user",
        "import",
        "reindex",
        "demo",
    ] {
        assert!(text.contains(cmd), "--help does not mention {cmd}:\n{text}");
    }
    let out = govnode().args(["import", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--split-articles") && text.contains("--column"),
        "{text}"
    );
    let out = govnode().args(["init", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in ["--tier", "--p2p", "--root-key", "--parent", "--aerial"] {
        assert!(text.contains(flag), "init --help lacks {flag}:\n{text}");
    }
}

#[test]
fn init_writes_config_and_key_and_refuses_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    let out = govnode()
        .args(["init", "--data-dir"])
        .arg(&data)
        .args(["--node-id", "440000", "--name", "广东省"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("public key: "), "{stdout}");
    let config = std::fs::read_to_string(data.join("govnode.toml")).unwrap();
    assert!(
        config.contains("id = \"440000\"") && config.contains("# "),
        "{config}"
    );
    assert!(data.join("node.key").exists());
    let again = govnode()
        .args(["init", "--data-dir"])
        .arg(&data)
        .args(["--node-id", "440000", "--name", "x"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already"));
}

#[test]
fn bad_node_id_and_unknown_config_key_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = govnode()
        .args(["init", "--data-dir"])
        .arg(dir.path())
        .args(["--node-id", "44", "--name", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("six-digit"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let data = dir.path().join("n");
    assert!(
        govnode()
            .args(["init", "--data-dir"])
            .arg(&data)
            .args(["--node-id", "440100", "--name", "广州市"])
            .status()
            .unwrap()
            .success()
    );
    let path = data.join("govnode.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("[log]", "[log]\nfliter = \"debug\"");
    std::fs::write(&path, text).unwrap();
    let out = govnode()
        .args(["serve", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fliter") && err.contains("govnode.toml"),
        "{err}"
    );
}

#[test]
fn env_overrides_reach_the_config() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        govnode()
            .args(["init", "--data-dir"])
            .arg(dir.path())
            .args(["--node-id", "440000", "--name", "x"])
            .status()
            .unwrap()
            .success()
    );
    // A bad override is reported as such, proving the variable was read.
    let out = govnode()
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .env("GOVNODE__HTTP__LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("listen")
            || err.contains("not-an-address")
            || err.contains("invalid socket address"),
        "{err}"
    );
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command that must succeed; returns its stdout.
fn ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?} failed:\n{}{}",
        stdout_of(&out),
        stderr_of(&out)
    );
    stdout_of(&out)
}

/// Runs a command that must fail; returns its stderr.
fn fails(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        !out.status.success(),
        "{c:?} succeeded:\n{}",
        stdout_of(&out)
    );
    stderr_of(&out)
}

/// The value of the `public key: ` line `init` prints.
fn public_key(init_stdout: &str) -> String {
    init_stdout
        .lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .unwrap_or_else(|| panic!("no public key in {init_stdout}"))
        .trim()
        .to_string()
}

/// `govnode init`; returns the node's public key.
fn init(data: &Path, id: &str, name: &str, extra: &[&str]) -> String {
    public_key(&ok(govnode()
        .args(["init", "--data-dir"])
        .arg(data)
        .args(["--node-id", id, "--name", name])
        .args(extra)))
}

fn certify(parent: &Path, child: &str, key: &str, out: &Path) -> Command {
    let mut c = govnode();
    c.args(["certify", "--data-dir"])
        .arg(parent)
        .args(["--child-id", child, "--child-key", key, "--out"])
        .arg(out);
    c
}

fn install(data: &Path, file: &Path) -> Command {
    let mut c = govnode();
    c.args(["install-cert", "--data-dir"])
        .arg(data)
        .arg("--file")
        .arg(file);
    c
}

/// A province root, a city under it and a county under the city, initialised (not enrolled).
struct Tree {
    _dir: tempfile::TempDir,
    root: PathBuf,
    province: PathBuf,
    city: PathBuf,
    county: PathBuf,
    root_key: String,
    city_key: String,
    county_key: String,
}

fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let (province, city, county) = (root.join("gd"), root.join("gz"), root.join("th"));
    let root_key = init(&province, "440000", "广东省", &["--p2p", "127.0.0.1:17400"]);
    let city_key = init(
        &city,
        "440100",
        "广州市",
        &[
            "--p2p",
            "127.0.0.1:17401",
            "--parent",
            "440000=127.0.0.1:17400",
            "--root-key",
            &root_key,
        ],
    );
    let county_key = init(
        &county,
        "440106",
        "天河区",
        &[
            "--p2p",
            "127.0.0.1:17402",
            "--parent",
            "440100=127.0.0.1:17401",
            "--aerial",
            "440000=127.0.0.1:17400",
            "--root-key",
            &root_key,
        ],
    );
    Tree {
        _dir: dir,
        root,
        province,
        city,
        county,
        root_key,
        city_key,
        county_key,
    }
}

impl Tree {
    /// Certifies the city at the province and installs it at the city.
    fn enrol_city(&self) {
        let file = self.root.join("440100.certs");
        let said = ok(&mut certify(
            &self.province,
            "440100",
            &self.city_key,
            &file,
        ));
        assert!(said.contains("install-cert"), "{said}");
        ok(&mut install(&self.city, &file));
    }

    /// Certifies the county at the city and installs it at the county.
    fn enrol_county(&self) {
        let file = self.root.join("440106.certs");
        ok(&mut certify(&self.city, "440106", &self.county_key, &file));
        ok(&mut install(&self.county, &file));
    }
}

#[test]
fn init_writes_federation_links_that_load_back() {
    let t = tree();
    let root = Config::load(&t.province.join("govnode.toml")).unwrap();
    let f = root.federation.expect("[federation] written");
    assert_eq!(
        f.root_key, t.root_key,
        "a node without --parent is the root"
    );
    assert!(f.parent.is_none() && f.aerial_roots.is_empty());
    assert_eq!(f.listen.port(), 17400);

    let county = Config::load(&t.county.join("govnode.toml")).unwrap();
    let f = county.federation.expect("[federation] written");
    assert_eq!(f.root_key, t.root_key);
    let parent = f.parent.expect("parent");
    assert_eq!(
        (parent.id.as_str(), parent.address.port()),
        ("440100", 17401)
    );
    assert_eq!(f.aerial_roots.len(), 1);
    assert_eq!(f.aerial_roots[0].id.as_str(), "440000");
    assert_eq!(f.certificate, "node.certs");
    let text = std::fs::read_to_string(t.county.join("govnode.toml")).unwrap();
    assert!(
        text.contains("[federation.parent]") && text.contains("[[federation.aerial_roots]]"),
        "{text}"
    );

    // A non-root is told the next step, naming its id and key.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("x");
    let out = ok(govnode()
        .args(["init", "--data-dir"])
        .arg(&data)
        .args(["--node-id", "440200", "--name", "韶关市", "--parent"])
        .args(["440000=127.0.0.1:17400", "--root-key", &t.root_key]));
    let key = public_key(&out);
    assert!(
        out.contains(&format!("--child-id 440200 --child-key {key}"))
            && out.contains("install-cert"),
        "{out}"
    );

    // A parent without the root key, and malformed links, are refused before anything is written.
    let data = dir.path().join("y");
    let err = fails(
        govnode()
            .args(["init", "--data-dir"])
            .arg(&data)
            .args(["--node-id", "440300", "--name", "深圳市"])
            .args(["--parent", "440000=127.0.0.1:17400"]),
    );
    assert!(err.contains("--root-key"), "{err}");
    assert!(!data.join("govnode.toml").exists() && !data.join("node.key").exists());
    let err = fails(
        govnode()
            .args(["init", "--data-dir"])
            .arg(&data)
            .args(["--node-id", "440300", "--name", "深圳市"])
            .args(["--parent", "440000:7400", "--root-key", &t.root_key]),
    );
    assert!(err.contains("--parent") && err.contains("ID=ADDR"), "{err}");
    let err = fails(
        govnode()
            .args(["init", "--data-dir"])
            .arg(&data)
            .args(["--node-id", "440300", "--name", "深圳市"])
            .args(["--root-key", "abc"]),
    );
    assert!(err.contains("--root-key"), "{err}");
    let err = fails(govnode().args(["init", "--data-dir"]).arg(&data).args([
        "--node-id",
        "440300",
        "--name",
        "深圳市",
        "--tier",
        "town",
    ]));
    assert!(err.contains("--tier"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_province_city_county_then_every_node_opens() {
    let t = tree();
    t.enrol_city();
    t.enrol_county();
    // The root self-signed its chain when it first certified.
    assert!(t.province.join("node.certs").exists());
    for (data, id, chain_len) in [
        (&t.province, "440000", 1),
        (&t.city, "440100", 2),
        (&t.county, "440106", 3),
    ] {
        let config = Config::load(&data.join("govnode.toml")).unwrap();
        let node = govnode::Node::open(config, data)
            .await
            .unwrap_or_else(|e| panic!("{id} does not open: {e}"));
        let chain = node.federation.own_chain();
        assert_eq!(chain.len(), chain_len, "{id}: {chain:?}");
        assert_eq!(chain[0].node.as_str(), id);
        assert_eq!(chain[0].public_key, node.key.public_bytes());
        assert_eq!(hex_of(&chain.last().unwrap().public_key), t.root_key);
        node.close().await;
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn install_cert_refuses_chains_that_do_not_fit_and_names_the_file() {
    let t = tree();
    // A second "province" with its own key certifies the city: rooted in another key.
    let rogue = t.root.join("rogue");
    init(&rogue, "440000", "假冒省", &[]);
    let file = t.root.join("rogue-440100.certs");
    ok(&mut certify(&rogue, "440100", &t.city_key, &file));
    let err = fails(&mut install(&t.city, &file));
    assert!(
        err.contains(&file.display().to_string()) && err.contains("root key"),
        "{err}"
    );
    assert!(!t.city.join("node.certs").exists(), "nothing installed");

    // The city's genuine chain, installed at the county: another node's certificate.
    let city_file = t.root.join("440100.certs");
    ok(&mut certify(&t.province, "440100", &t.city_key, &city_file));
    let err = fails(&mut install(&t.county, &city_file));
    assert!(
        err.contains(&city_file.display().to_string()) && err.contains("not this node 440106"),
        "{err}"
    );
    // Issued for another key than this node's.
    let other = t.root.join("other-key.certs");
    ok(&mut certify(&t.province, "440100", &t.county_key, &other));
    let err = fails(&mut install(&t.city, &other));
    assert!(
        err.contains("other-key.certs") && err.contains("not this node's key"),
        "{err}"
    );

    // Not a chain file: the file and line are named.
    let junk = t.root.join("junk.certs");
    std::fs::write(&junk, "GOVNODE CERTIFICATE CHAIN v1\n# ok\nnot-hex\n").unwrap();
    let err = fails(&mut install(&t.city, &junk));
    assert!(err.contains(&format!("{}:3", junk.display())), "{err}");
    let missing = t.root.join("missing.certs");
    let err = fails(&mut install(&t.city, &missing));
    assert!(err.contains("missing.certs"), "{err}");
    assert!(!t.city.join("node.certs").exists(), "nothing installed");

    // The genuine one installs.
    ok(&mut install(&t.city, &city_file));
    assert!(t.city.join("node.certs").exists());
}

#[test]
fn certify_refuses_bad_keys_wrong_tiers_and_unenrolled_parents() {
    let t = tree();
    let out = t.root.join("out.certs");
    // The city is not enrolled yet: it has no chain to extend.
    let err = fails(&mut certify(&t.city, "440106", &t.county_key, &out));
    assert!(
        err.contains("not enrolled") && err.contains("node.certs"),
        "{err}"
    );
    t.enrol_city();

    let err = fails(&mut certify(&t.city, "440106", "not-a-key", &out));
    assert!(
        err.contains("--child-key") && err.contains("64 hex"),
        "{err}"
    );
    let err = fails(&mut certify(&t.city, "440106", &t.county_key[..60], &out));
    assert!(err.contains("--child-key"), "{err}");
    let err = fails(&mut certify(&t.city, "44010x", &t.county_key, &out));
    assert!(err.contains("--child-id"), "{err}");
    // Same tier, higher tier, itself.
    let err = fails(&mut certify(&t.city, "440200", &t.county_key, &out));
    assert!(
        err.contains("--child-id") && err.contains("not below"),
        "{err}"
    );
    let err = fails(&mut certify(&t.city, "440000", &t.county_key, &out));
    assert!(err.contains("not below"), "{err}");
    let err = fails(&mut certify(&t.city, "440100", &t.county_key, &out));
    assert!(err.contains("itself"), "{err}");
    // A county of another city.
    let err = fails(&mut certify(&t.city, "440206", &t.county_key, &out));
    assert!(err.contains("does not belong under 440100"), "{err}");
    // A --child-tier that is not below the parent.
    let err = fails(certify(&t.city, "440106", &t.county_key, &out).args(["--child-tier", "city"]));
    assert!(err.contains("not below"), "{err}");
    let err = fails(certify(&t.city, "440106", &t.county_key, &out).args(["--days", "0"]));
    assert!(err.contains("--days"), "{err}");
    assert!(!out.exists(), "nothing written on refusal");
    // And the right one works.
    ok(&mut certify(&t.city, "440106", &t.county_key, &out));
    assert!(out.exists());
}

/// Serves one HTTP request with `body` as JSON; returns the port.
fn serve_once(body: &'static str) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let head = String::from_utf8_lossy(&got);
        assert!(head.starts_with("GET /api/federation/status "), "{head}");
        write!(
            s,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    });
    port
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn status_prints_tables_and_fails_clearly_when_the_node_is_down() {
    const STATUS: &str = r#"{"node":"440100","tier":"city","parent":"440000","aerial_roots":["440000"],
        "sync_address":"127.0.0.1:7401","enrolled":true,
        "peers":[{"peer_id":"12D3KooWAbc","node":"440000","address":"/ip4/127.0.0.1/tcp/7400",
          "connected":true,"outbound":true,"last_contact_ms":null,"entries_received":12,"last_error":null}],
        "origins":[{"origin":"440106","seq":12,"digest":"aaaabbbbccccddddeeee","hlc":1,"updated_ms":0,
          "known_seq":12,"lag_entries":0,"lag_seconds":0}],
        "rejected":{"total":1,"by_reason":{"bad-signature":1},"recent":[]},
        "log":{"entries":30,"bytes":12345},"wire":{"sent":1,"received":2}}"#;
    let port = serve_once(STATUS);
    let out = ok(govnode()
        .args(["status", "--url"])
        .arg(format!("http://127.0.0.1:{port}")));
    for want in [
        "440100",
        "/ip4/127.0.0.1/tcp/7400",
        "aaaabbbbcccc",
        "bad-signature",
        "ORIGIN",
        "LAG ENTRIES",
    ] {
        assert!(out.contains(want), "missing {want}:\n{out}");
    }
    assert!(!out.contains("aaaabbbbccccd"), "digest shortened:\n{out}");

    // Nothing listening: a clear error and a non-zero exit, by URL and by data dir.
    let port = free_port();
    let err = fails(
        govnode()
            .args(["status", "--url"])
            .arg(format!("http://127.0.0.1:{port}")),
    );
    assert!(
        err.contains("not reachable") && err.contains(&port.to_string()),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("n");
    init(
        &data,
        "440000",
        "广东省",
        &["--http", &format!("127.0.0.1:{port}")],
    );
    let err = fails(govnode().args(["status", "--data-dir"]).arg(&data));
    assert!(
        err.contains("not reachable") && err.contains(&port.to_string()),
        "{err}"
    );
    let err = fails(govnode().arg("status"));
    assert!(err.contains("--data-dir") || err.contains("--url"), "{err}");
}
