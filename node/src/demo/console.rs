//! The demo's console: commands read from stdin, one a line.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

use govnode_topology::NodeId;

use super::{Demo, DemoNode, DemoOptions, STOP_AFTER, parse_id, seed};

const HELP: &str = "commands:
  status                 per node: peers connected, and per origin the head held and the lag
  stop <id>              stop a node (its data stays); its parent serves its sites from replica
  start <id>             start a stopped node again on the same ports; it catches up
  publish <id> <title>   publish a news article on the node's site (editor, then reviewer)
  help                   this list
  quit                   stop every node and end the demo (also Ctrl-C)
nodes: 440000 广东省, 440100 广州市, 440103 荔湾区, 440106 天河区";

/// What a command asks of the loop.
enum Next {
    Continue,
    Quit,
}

fn prompt() {
    if std::io::stdin().is_terminal() {
        print!("> ");
        let _ = std::io::stdout().flush();
    }
}

/// Reads commands until `quit`, end of the `--exit-after` time, or Ctrl-C; performs the
/// `--stop` of the options when its time comes. A closed stdin just stops the reading.
pub(super) async fn run(demo: &mut Demo, opts: &DemoOptions) {
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    // A plain thread: a blocking read of stdin cannot be cancelled, and a thread left
    // reading does not keep the process alive the way a runtime's blocking task would.
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(l) = line else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let ready = tokio::time::Instant::now();
    let mut stop_due = opts.stop.map(|id| (ready + STOP_AFTER, id));
    let exit_at = opts.exit_after.map(|s| ready + Duration::from_secs(s));
    if let Some((_, id)) = stop_due {
        println!(
            "{id} will be stopped in {} s (--stop).",
            STOP_AFTER.as_secs()
        );
    }
    if let Some(s) = opts.exit_after {
        println!("The demo ends in {s} s (--exit-after).");
    }
    println!("Type `help` for the console's commands; Ctrl-C or `quit` ends the demo.");
    prompt();
    let ctrl_c = crate::node::shutdown_signal();
    tokio::pin!(ctrl_c);
    let mut stdin_open = true;
    loop {
        let far = ready + Duration::from_secs(365 * 86_400);
        tokio::select! {
            line = lines.recv(), if stdin_open => match line {
                None => stdin_open = false,
                Some(line) => {
                    if let Next::Quit = command(demo, line.trim()).await {
                        return;
                    }
                    prompt();
                }
            },
            _ = tokio::time::sleep_until(stop_due.map_or(far, |s| s.0)), if stop_due.is_some() => {
                if let Some((_, id)) = stop_due.take() {
                    stop(demo, id).await;
                    prompt();
                }
            }
            _ = tokio::time::sleep_until(exit_at.unwrap_or(far)), if exit_at.is_some() => {
                println!();
                return;
            }
            _ = &mut ctrl_c => {
                println!();
                return;
            }
        }
    }
}

/// Performs one command line.
async fn command(demo: &mut Demo, line: &str) -> Next {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else {
        return Next::Continue;
    };
    let id = words.next().map(parse_id);
    match (cmd, id) {
        ("help" | "?", _) => println!("{HELP}"),
        ("quit" | "exit" | "q", _) => return Next::Quit,
        ("status", None) => status(demo).await,
        ("status", Some(Ok(id))) => match demo.get(id) {
            Some(n) => print_status(n).await,
            None => println!("no node {id} in the demo"),
        },
        ("stop" | "start" | "publish", None) => println!("`{cmd}` needs a node id; type help"),
        (_, Some(Err(e))) => println!("{e}"),
        ("stop", Some(Ok(id))) => stop(demo, id).await,
        ("start", Some(Ok(id))) => start(demo, id).await,
        ("publish", Some(Ok(id))) => {
            // The title is the rest of the line, spaces and all.
            let title = line
                .split_once(id.as_str())
                .map_or("", |(_, rest)| rest)
                .trim();
            publish(demo, id, title).await;
        }
        _ => println!("unknown command `{line}`; type help"),
    }
    Next::Continue
}

async fn stop(demo: &mut Demo, id: NodeId) {
    if demo.get(id).is_none_or(|n| n.running.is_none()) {
        println!("{id} is not a running node of the demo");
        return;
    }
    match demo.stop(id).await {
        Ok(()) => {
            let n = demo.get(id).expect("node");
            println!(
                "{id} {} stopped; its data stays in {}",
                n.name(),
                n.plan.data_dir.display()
            );
            let sites: Vec<&str> = seed::sites_of(id.as_str()).map(|s| s.id).collect();
            match demo.serving_ancestor(id) {
                Some(up) => {
                    for site in sites {
                        println!(
                            "open {} — served by {} {} from replica while {id} is stopped",
                            up.url(&format!("/sites/{site}/")),
                            up.id(),
                            up.name()
                        );
                    }
                }
                None => println!("no ancestor of {id} is running to serve its sites"),
            }
        }
        Err(e) => println!("stopping {id}: {e}"),
    }
}

async fn start(demo: &mut Demo, id: NodeId) {
    if demo.get(id).is_none_or(|n| n.running.is_some()) {
        println!("{id} is not a stopped node of the demo");
        return;
    }
    let started = Instant::now();
    if let Err(e) = demo.start(id, None).await {
        println!("starting {id}: {e}");
        return;
    }
    let n = demo.get(id).expect("node");
    println!(
        "{id} {} started on {} (sync {}); catching up …",
        n.name(),
        n.url("/"),
        n.plan.sync_addr()
    );
    let uplinks = demo.wait_uplinks(id, Duration::from_secs(30)).await;
    if !uplinks.is_empty() {
        println!(
            "{id} connected to {} after {:.1} s",
            uplinks.join(", "),
            started.elapsed().as_secs_f64()
        );
    }
    if demo.wait_converged(Duration::from_secs(30)).await {
        println!(
            "{id} caught up with the tree {:.1} s after starting",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("{id} has not caught up after 30 s; `status` shows the lag");
    }
}

async fn publish(demo: &mut Demo, id: NodeId, title: &str) {
    if title.is_empty() {
        println!("usage: publish <id> <title>");
        return;
    }
    let Some(n) = demo.get(id) else {
        println!("no node {id} in the demo");
        return;
    };
    let Some(node) = n.node() else {
        println!("{id} is stopped; `start {id}` first");
        return;
    };
    let input = seed::console_article(n.name(), title);
    let started = Instant::now();
    let published = seed::publish(node, n.site.id, &input).await;
    let article = match published {
        Ok(a) => a,
        Err(e) => {
            println!("publishing at {id}: {e}");
            return;
        }
    };
    if let Err(e) = node.sync_search().await {
        println!("indexing at {id}: {e}");
    }
    let path = format!("/sites/{}/articles/{article}", n.site.id);
    println!("published at {id}: {}", n.url(&path));
    let mut up = n.plan.member.parent;
    let mut ancestors = Vec::new();
    while let Some(a) = up.and_then(|a| demo.get(a)) {
        if a.running.is_some() {
            ancestors.push(a);
        }
        up = a.plan.member.parent;
    }
    if demo.wait_converged(Duration::from_secs(10)).await {
        for a in &ancestors {
            println!("  replica at {} {}: {}", a.id(), a.name(), a.url(&path));
        }
        println!(
            "  replicated to every running ancestor {:.0} ms after publication",
            started.elapsed().as_secs_f64() * 1e3
        );
    } else {
        println!("  not replicated everywhere after 10 s; `status` shows the lag");
    }
}

async fn status(demo: &Demo) {
    for n in &demo.nodes {
        print_status(n).await;
    }
}

async fn print_status(n: &DemoNode) {
    let Some(node) = n.node() else {
        println!(
            "{} {}  stopped  (data in {})",
            n.id(),
            n.name(),
            n.plan.data_dir.display()
        );
        return;
    };
    println!("{} {}  running  {}", n.id(), n.name(), n.url("/"));
    let sync = node.sync.get();
    let peers: Vec<String> = sync
        .map(|s| s.peers())
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let who = p
                .node
                .map_or_else(|| p.peer_id.clone(), |id| id.to_string());
            let dir = if p.outbound { "uplink" } else { "child" };
            let state = if p.connected { "connected" } else { "down" };
            format!("{who} ({dir}, {state})")
        })
        .collect();
    println!(
        "  peers   {}",
        if peers.is_empty() {
            "none".to_string()
        } else {
            peers.join(", ")
        }
    );
    let heads = match node.federation.heads().await {
        Ok(h) => h,
        Err(e) => {
            println!("  heads   unreadable: {e}");
            return;
        }
    };
    let known = sync.map(|s| s.known_heads()).unwrap_or_default();
    let (mut origins, mut seqs, mut lags) = (
        String::from("  origin "),
        String::from("  head   "),
        String::from("  lag    "),
    );
    for h in &heads {
        let lag = known
            .get(&h.origin)
            .map_or(0, |(k, _)| k.saturating_sub(h.seq));
        origins.push_str(&format!(" {:>7}", h.origin.as_str()));
        seqs.push_str(&format!(" {:>7}", h.seq));
        lags.push_str(&format!(" {lag:>7}"));
    }
    println!("{origins}\n{seqs}\n{lags}");
}
