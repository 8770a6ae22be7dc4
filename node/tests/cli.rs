//! The binary's command line: help, init, and clear errors naming what is wrong.

use std::process::Command;

fn govnode() -> Command {
    Command::new(env!("CARGO_BIN_EXE_govnode"))
}

#[test]
fn help_documents_every_command() {
    let out = govnode().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for cmd in ["init", "serve", "token", "import", "reindex", "demo"] {
        assert!(text.contains(cmd), "--help does not mention {cmd}:\n{text}");
    }
    let out = govnode().args(["import", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--split-articles") && text.contains("--column"),
        "{text}"
    );
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
