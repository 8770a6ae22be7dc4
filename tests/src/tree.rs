//! Trees of nodes in one process, on real libp2p over loopback: keys and certificates made
//! up front (as `govnode certify` would), one data dir per node kept across restarts, sync
//! ports fixed per node so children reconnect to a restarted parent by themselves.

use std::collections::BTreeMap;
use std::time::Duration;

use govnode::Config;
use govnode::local_tree::{self, LocalTree};
use serde_json::Value;
use tempfile::TempDir;

use crate::TestNode;

/// One node of a tree to start.
#[derive(Debug, Clone)]
pub struct Member {
    /// Node id.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// Parent id.
    pub parent: Option<&'static str>,
    /// Aerial roots (ids of higher ancestors).
    pub aerial: Vec<&'static str>,
}

/// A running tree.
pub struct TestTree {
    members: Vec<Member>,
    configs: BTreeMap<String, Config>,
    running: BTreeMap<String, TestNode>,
    stopped: BTreeMap<String, TempDir>,
}

impl TestTree {
    /// The 1 + 2 + 4 test tree: province 440000; cities 440100, 440300; counties 440103,
    /// 440106 under 440100 and 440303, 440304 under 440300. Every county has the province
    /// as an aerial root.
    pub async fn one_two_four() -> TestTree {
        let m = |id, name, parent: Option<&'static str>, aerial: Vec<&'static str>| Member {
            id,
            name,
            parent,
            aerial,
        };
        TestTree::start(vec![
            m("440000", "广东省", None, vec![]),
            m("440100", "广州市", Some("440000"), vec![]),
            m("440300", "深圳市", Some("440000"), vec![]),
            m("440103", "荔湾区", Some("440100"), vec!["440000"]),
            m("440106", "天河区", Some("440100"), vec!["440000"]),
            m("440303", "罗湖区", Some("440300"), vec!["440000"]),
            m("440304", "福田区", Some("440300"), vec!["440000"]),
        ])
        .await
    }

    /// Starts the given members (parents listed before children): keys, certificates,
    /// chain files and configs come from [`govnode::local_tree`], one temporary data dir
    /// per node, anti-entropy every 2 s.
    pub async fn start(members: Vec<Member>) -> TestTree {
        TestTree::start_with(members, true, |_, _| {}).await
    }

    /// As [`TestTree::start`], with `configure` changing each node's config (by node id)
    /// before it starts: a `[mail]` section, a public URL.
    pub async fn start_configured(
        members: Vec<Member>,
        configure: impl FnMut(&str, &mut Config),
    ) -> TestTree {
        TestTree::start_with(members, true, configure).await
    }

    /// Starts the members as an operator following the README's "Running a tree" would:
    /// certificates and links only, no `[[topology.nodes]]` at the root, so each node
    /// learns the tree from the certificates it verifies.
    pub async fn start_without_topology(members: Vec<Member>) -> TestTree {
        TestTree::start_with(members, false, |_, _| {}).await
    }

    async fn start_with(
        members: Vec<Member>,
        listed: bool,
        mut configure: impl FnMut(&str, &mut Config),
    ) -> TestTree {
        if let Ok(filter) = std::env::var("GOVNODE_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
        let planned: Vec<local_tree::Member> = members
            .iter()
            .map(|m| local_tree::Member::parse(m.id, m.name, m.parent, &m.aerial).expect("member"))
            .collect();
        let dirs: BTreeMap<String, TempDir> = members
            .iter()
            .map(|m| (m.id.to_string(), tempfile::tempdir().expect("temp dir")))
            .collect();
        let opts = local_tree::PlanOptions {
            anti_entropy_secs: 2,
            ..local_tree::PlanOptions::default()
        };
        let plan = LocalTree::create_with_dirs(
            &planned,
            |m| dirs[m.id.as_str()].path().to_path_buf(),
            &opts,
        )
        .expect("tree planned");
        let configs = plan
            .nodes
            .into_iter()
            .map(|n| {
                let mut config = n.config;
                if !listed {
                    config.topology = None;
                }
                configure(n.member.id.as_str(), &mut config);
                (n.member.id.to_string(), config)
            })
            .collect();
        let mut tree = TestTree {
            members: members.clone(),
            configs,
            running: BTreeMap::new(),
            stopped: dirs,
        };
        for m in &members {
            tree.restart(m.id).await;
        }
        for m in &members {
            tree.wait_connected(m.id).await;
        }
        tree
    }

    /// A running node.
    pub fn node(&self, id: &str) -> &TestNode {
        self.running
            .get(id)
            .unwrap_or_else(|| panic!("node {id} is not running"))
    }

    /// Ids of the members.
    pub fn ids(&self) -> Vec<&'static str> {
        self.members.iter().map(|m| m.id).collect()
    }

    /// Stops a node, keeping its data.
    pub async fn stop(&mut self, id: &str) {
        let node = self
            .running
            .remove(id)
            .unwrap_or_else(|| panic!("{id} not running"));
        let dir = node.stop_keeping_data().await;
        self.stopped.insert(id.to_string(), dir);
    }

    /// (Re)starts a stopped node on its data dir and sync port.
    pub async fn restart(&mut self, id: &str) {
        let dir = self
            .stopped
            .remove(id)
            .unwrap_or_else(|| panic!("{id} not stopped"));
        let node = TestNode::start_in(self.configs[id].clone(), dir).await;
        self.running.insert(id.to_string(), node);
    }

    /// Waits until a node's uplinks (parent, aerial roots that are running) are identified peers.
    pub async fn wait_connected(&self, id: &str) {
        let member = self
            .members
            .iter()
            .find(|m| m.id == id)
            .expect("member")
            .clone();
        let mut want: Vec<&str> = member
            .parent
            .into_iter()
            .chain(member.aerial.iter().copied())
            .collect();
        want.retain(|w| self.running.contains_key(*w));
        self.wait_for(&format!("{id} connected to {want:?}"), || async {
            let status = self.node(id).get("/api/federation/status").await.json();
            let peers = status["peers"].as_array().cloned().unwrap_or_default();
            want.iter().all(|w| {
                peers
                    .iter()
                    .any(|p| p["node"] == *w && p["connected"] == true)
            })
        })
        .await;
    }

    /// Polls `check` until true, failing with `what` after 60 s.
    pub async fn wait_for<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if check().await {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("timed out waiting for: {what}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Per-origin (seq, digest) at a node.
    pub async fn digests(&self, id: &str) -> BTreeMap<String, (u64, String)> {
        let v: Value = self.node(id).get("/api/federation/digests").await.json();
        v["origins"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            (
                                v["seq"].as_u64().unwrap_or(0),
                                v["digest"].as_str().unwrap_or("").to_string(),
                            ),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until `a` and `b` hold the same log of `origin` (same head, same digest).
    pub async fn wait_same_log(&self, a: &str, b: &str, origin: &str) {
        self.wait_for(&format!("{a} and {b} agree on {origin}'s log"), || async {
            let (x, y) = (self.digests(a).await, self.digests(b).await);
            x.contains_key(origin) && x.get(origin) == y.get(origin)
        })
        .await;
    }

    /// Waits until a page answers 200 at a node; returns it.
    pub async fn wait_page(&self, id: &str, path: &str) -> crate::Reply {
        self.wait_for(&format!("{path} at {id}"), || async {
            self.node(id).get(path).await.status == crate::StatusCode::OK
        })
        .await;
        self.node(id).get(path).await
    }

    /// Waits until a search at a node finds `n` or more hits.
    pub async fn wait_search(&self, id: &str, params: &[(&str, &str)], n: u64) -> Value {
        self.wait_for(&format!("search {params:?} at {id}"), || async {
            self.node(id).search_with(params).await["total"]
                .as_u64()
                .unwrap_or(0)
                >= n
        })
        .await;
        self.node(id).search_with(params).await
    }

    /// Stops every node.
    pub async fn shutdown(mut self) {
        let ids: Vec<String> = self.running.keys().cloned().collect();
        for id in ids.iter().rev() {
            self.stop(id).await;
        }
    }
}
