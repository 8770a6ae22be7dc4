//! `govnode demo`: a small tree in one process — province 440000 广东省, city 440100 广州市,
//! counties 440103 荔湾区 and 440106 天河区 (the latter with the province as aerial root) —
//! each node with its own data dir, HTTP port, sync port, sites and articles published
//! through the editorial workflow. A console on stdin shows the federation at work:
//! `status`, `stop`/`start` a node, `publish` an article, `help`, `quit`.

mod console;
mod people;
pub mod seed;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use govnode_accounts::Role;
use govnode_topology::NodeId;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::local_tree::{LocalTree, Member, PlanOptions, PlannedNode};
use crate::{Node, NodeError};
use seed::{EDITOR, REVIEWER, SiteSeed};

/// The demo's options (the `demo` command's flags).
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// First HTTP port on 127.0.0.1; the nodes take it and the next three. 0: free ports.
    pub port: u16,
    /// Stop this node about 5 s after the demo is ready (its parent serves its sites from replica).
    pub stop: Option<NodeId>,
    /// End the demo this many seconds after it is ready (for scripted runs).
    pub exit_after: Option<u64>,
}

/// How long after the demo is ready `--stop` stops its node.
const STOP_AFTER: Duration = Duration::from_secs(5);

/// The tree: id, name, parent, aerial roots.
const TREE: &[(&str, &str, Option<&str>, &[&str])] = &[
    ("440000", "广东省", None, &[]),
    ("440100", "广州市", Some("440000"), &[]),
    ("440103", "荔湾区", Some("440100"), &[]),
    ("440106", "天河区", Some("440100"), &["440000"]),
];

/// The API tokens of one node.
#[derive(Debug, Clone)]
struct Tokens {
    admin: String,
    editor: String,
    reviewer: String,
}

/// A node running in this process.
struct Running {
    node: Arc<Node>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), NodeError>>,
}

/// One node of the demo, running or stopped.
struct DemoNode {
    plan: PlannedNode,
    http: SocketAddr,
    site: &'static SiteSeed,
    tokens: Tokens,
    people: Vec<people::Person>,
    running: Option<Running>,
}

impl DemoNode {
    fn id(&self) -> NodeId {
        self.plan.member.id
    }

    fn name(&self) -> &str {
        &self.plan.member.name
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    fn node(&self) -> Option<&Arc<Node>> {
        self.running.as_ref().map(|r| &r.node)
    }
}

/// The whole demo: its nodes by id, in tree order.
pub(crate) struct Demo {
    nodes: Vec<DemoNode>,
}

fn parse_id(s: &str) -> Result<NodeId, NodeError> {
    s.parse()
        .map_err(|e| NodeError::Config(format!("node id `{s}`: {e}")))
}

impl Demo {
    fn get(&self, id: NodeId) -> Option<&DemoNode> {
        self.nodes.iter().find(|n| n.id() == id)
    }

    fn get_mut(&mut self, id: NodeId) -> Option<&mut DemoNode> {
        self.nodes.iter_mut().find(|n| n.id() == id)
    }

    /// The nearest running ancestor of `id` (who serves its sites while it is down).
    fn serving_ancestor(&self, id: NodeId) -> Option<&DemoNode> {
        let mut at = self.get(id)?.plan.member.parent;
        while let Some(p) = at {
            let n = self.get(p)?;
            if n.running.is_some() {
                return Some(n);
            }
            at = n.plan.member.parent;
        }
        None
    }

    /// Starts a stopped node on its data dir, HTTP port and sync port.
    async fn start(
        &mut self,
        id: NodeId,
        listener: Option<tokio::net::TcpListener>,
    ) -> Result<(), NodeError> {
        let n = self
            .get_mut(id)
            .ok_or_else(|| NodeError::Config(format!("no node {id} in the demo")))?;
        if n.running.is_some() {
            return Err(NodeError::Config(format!("{id} is already running")));
        }
        let listener = match listener {
            Some(l) => l,
            None => bind(n.http).await?,
        };
        let node = Node::open(n.plan.config.clone(), &n.plan.data_dir).await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::run(node.clone(), listener, async {
            let _ = stopped.await;
        }));
        n.running = Some(Running { node, stop, task });
        Ok(())
    }

    /// Stops a running node; its data dir stays.
    async fn stop(&mut self, id: NodeId) -> Result<(), NodeError> {
        let n = self
            .get_mut(id)
            .ok_or_else(|| NodeError::Config(format!("no node {id} in the demo")))?;
        let Some(r) = n.running.take() else {
            return Err(NodeError::Config(format!("{id} is not running")));
        };
        let _ = r.stop.send(());
        drop(r.node);
        match r.task.await {
            Ok(result) => result,
            Err(e) => Err(NodeError::Storage(format!("node {id} task failed: {e}"))),
        }
    }

    /// Stops every running node, children first.
    async fn shutdown(&mut self) {
        let ids: Vec<NodeId> = self.nodes.iter().rev().map(DemoNode::id).collect();
        for id in ids {
            if self.get(id).is_some_and(|n| n.running.is_some())
                && let Err(e) = self.stop(id).await
            {
                eprintln!("stopping {id}: {e}");
            }
        }
    }

    /// Whether every running node holds every related running node's log: ancestors hold
    /// their descendants', descendants the province's.
    async fn converged(&self) -> bool {
        let mut heads: BTreeMap<NodeId, BTreeMap<NodeId, u64>> = BTreeMap::new();
        for n in &self.nodes {
            if let Some(node) = n.node() {
                let Ok(h) = node.federation.heads().await else {
                    return false;
                };
                heads.insert(n.id(), h.into_iter().map(|h| (h.origin, h.seq)).collect());
            }
        }
        let own = |id: NodeId| heads.get(&id).and_then(|h| h.get(&id)).copied();
        let held = |at: NodeId, of: NodeId| heads.get(&at).and_then(|h| h.get(&of)).copied();
        let root = self.nodes[0].id();
        for n in self.nodes.iter().filter(|n| n.running.is_some()) {
            let mut at = n.plan.member.parent;
            while let Some(a) = at {
                if heads.contains_key(&a) && held(a, n.id()) != own(n.id()) {
                    return false;
                }
                at = self.get(a).and_then(|x| x.plan.member.parent);
            }
            if n.id() != root && heads.contains_key(&root) && held(n.id(), root) != own(root) {
                return false;
            }
        }
        true
    }

    /// Waits up to `limit` until `id` is connected to its running uplinks (parent and
    /// aerial roots); returns those connected.
    async fn wait_uplinks(&self, id: NodeId, limit: Duration) -> Vec<String> {
        let Some(n) = self.get(id) else {
            return Vec::new();
        };
        let m = &n.plan.member;
        let want: Vec<NodeId> = m
            .parent
            .iter()
            .chain(&m.aerial)
            .copied()
            .filter(|u| self.get(*u).is_some_and(|x| x.running.is_some()))
            .collect();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let connected: Vec<NodeId> = n
                .node()
                .and_then(|node| node.sync.get())
                .map(|s| s.peers())
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p.connected)
                .filter_map(|p| p.node)
                .collect();
            let done = want.iter().all(|w| connected.contains(w));
            if done || tokio::time::Instant::now() > deadline {
                return want
                    .iter()
                    .filter(|w| connected.contains(w))
                    .map(|w| w.to_string())
                    .collect();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to `limit` for [`Demo::converged`].
    async fn wait_converged(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if self.converged().await {
                return true;
            }
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, NodeError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        NodeError::Io(std::io::Error::new(
            e.kind(),
            format!("binding {addr}: {e} (pass --port 0 to use free ports)"),
        ))
    })
}

async fn tokens(node: &Node, site: &str) -> Result<Tokens, NodeError> {
    let t = &node.tokens;
    let err = |e: govnode_accounts::AccountsError| NodeError::Storage(e.to_string());
    Ok(Tokens {
        admin: t
            .create("平台管理员", Role::PlatformAdmin, None)
            .await
            .map_err(err)?
            .0,
        editor: t
            .create(EDITOR, Role::Editor, Some(site))
            .await
            .map_err(err)?
            .0,
        reviewer: t
            .create(REVIEWER, Role::Reviewer, Some(site))
            .await
            .map_err(err)?
            .0,
    })
}

/// Runs the demo in `base` (one data dir per node below it) until `quit`, Ctrl-C or
/// `--exit-after`.
pub async fn run(opts: &DemoOptions, base: &Path) -> Result<(), NodeError> {
    let members = TREE
        .iter()
        .map(|(id, name, parent, aerial)| Member::parse(id, name, *parent, aerial))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(stop) = opts.stop
        && !members.iter().any(|m| m.id == stop)
    {
        return Err(NodeError::Config(format!(
            "--stop {stop}: the demo's nodes are 440000, 440100, 440103 and 440106"
        )));
    }
    // HTTP listeners first, so port 0 gets real ports before the configs are written.
    let mut listeners = Vec::with_capacity(members.len());
    let mut plan_opts = PlanOptions {
        anti_entropy_secs: 2,
        ..PlanOptions::default()
    };
    for (i, m) in members.iter().enumerate() {
        let port = if opts.port == 0 {
            0
        } else {
            opts.port.checked_add(i as u16).ok_or_else(|| {
                NodeError::Config(format!("--port {}: too high for four nodes", opts.port))
            })?
        };
        let l = bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        plan_opts.http.insert(m.id, l.local_addr()?);
        listeners.push(l);
    }
    let tree = LocalTree::create(base, &members, &plan_opts)?;

    // Seed every node offline, then start them all, the province first.
    let mut demo = Demo { nodes: Vec::new() };
    let mut published = BTreeMap::new();
    for plan in tree.nodes {
        let id = plan.member.id.to_string();
        let site = seed::main_site(&id)
            .ok_or_else(|| NodeError::Config(format!("no demo site for {id}")))?;
        let node = Node::open(plan.config.clone(), &plan.data_dir).await?;
        published.insert(plan.member.id, seed::seed(&node).await?);
        let tokens = tokens(&node, site.id).await?;
        let people = people::create(
            &node,
            site.id,
            site.owner,
            &format!("{}.{}", plan.member.id, site.id),
        )
        .await?;
        node.close().await;
        drop(node);
        demo.nodes.push(DemoNode {
            http: plan_opts.http[&plan.member.id],
            plan,
            site,
            tokens,
            people,
            running: None,
        });
    }
    let ids: Vec<NodeId> = demo.nodes.iter().map(DemoNode::id).collect();
    for (id, listener) in ids.iter().zip(listeners) {
        demo.start(*id, Some(listener)).await?;
    }
    println!(
        "govnode demo: 4 nodes in one process, data dirs under {}",
        base.display()
    );
    if !demo.wait_converged(Duration::from_secs(60)).await {
        println!("  (replication has not settled after 60 s; `status` shows where it stands)");
    }
    print_nodes(&demo, &published);
    console::run(&mut demo, opts).await;
    println!("stopping the demo; its data dirs are deleted");
    demo.shutdown().await;
    Ok(())
}

/// Prints every node's URLs and tokens, and what to look at.
fn print_nodes(demo: &Demo, published: &BTreeMap<NodeId, Vec<seed::Published>>) {
    println!();
    for n in &demo.nodes {
        let m = &n.plan.member;
        let parent = match (m.parent, m.aerial.as_slice()) {
            (None, _) => "root".to_string(),
            (Some(p), []) => format!("parent {p}"),
            (Some(p), a) => format!(
                "parent {p}, aerial root {}",
                a.iter().map(NodeId::as_str).collect::<Vec<_>>().join(", ")
            ),
        };
        println!(
            "node {} {} ({}, {parent})  {}  sync {}",
            m.id,
            n.name(),
            m.tier,
            n.url("/"),
            n.plan.sync_addr()
        );
        let sites: Vec<&SiteSeed> = seed::sites_of(m.id.as_str()).collect();
        for s in &sites {
            println!(
                "  site     {}   {}",
                n.url(&format!("/sites/{}/", s.id)),
                s.name
            );
        }
        println!(
            "  letters  {}",
            n.url(&format!("/sites/{}/letters", n.site.id))
        );
        println!("  status   {}", n.url("/api/federation/status"));
        for line in people::sign_in_lines(&n.url("/admin/"), &n.people) {
            println!("{line}");
        }
        println!(
            "  search   {}",
            n.url(&format!("/sites/{}/search?q={}", n.site.id, n.site.query))
        );
        println!(
            "  tokens   admin {}  editor({}) {}  reviewer({}) {}",
            n.tokens.admin, n.site.id, n.tokens.editor, n.site.id, n.tokens.reviewer
        );
    }
    println!();
    println!("What to look at:");
    let province = &demo.nodes[0];
    let find = |node: &str, site: &str, column: &str| {
        published
            .get(&parse_id(node).ok()?)?
            .iter()
            .find(|p| p.site == site && p.column == column)
            .cloned()
    };
    if let Some(a) = find("440106", "tianhe", "tzgg") {
        println!(
            "  replica  {}\n           ← the province serving 天河区's notice from replica (header x-govnode-replica: 440106, a 副本 note on the page)",
            province.url(&format!("/sites/tianhe/articles/{}", a.id))
        );
    }
    println!(
        "  search   {}\n           ← the province's search finds the counties' articles too",
        province.url("/api/search?q=垃圾分类")
    );
    if let (Some(a), Some(county)) = (
        find("440000", "gd", "zcwj"),
        demo.get(parse_id("440106").expect("id")),
    ) {
        println!(
            "  down     {}\n           ← the province's policy document, replicated down to 天河区",
            county.url(&format!("/sites/gd/articles/{}", a.id))
        );
    }
    if let Some(city) = demo.get(parse_id("440100").expect("id")) {
        println!(
            "  city     {}\n           ← the city holds both counties' sites; `stop 440106` and it keeps serving 天河区's",
            city.url("/sites/tianhe/")
        );
    }
    println!();
}
