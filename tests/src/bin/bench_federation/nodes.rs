//! Nodes in this process, and the content the parts publish at them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use govnode::local_tree::PlannedNode;
use govnode::{Node, NodeError};
use govnode_content::sanitize::BodyFormat;
use govnode_content::{ArticleInput, ColumnInput, SiteInput, Transition};
use govnode_topology::NodeId;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const EDITOR: &str = "张编辑";
const REVIEWER: &str = "李审核";

/// A node served in this process (HTTP on a free port, sync as its config says).
pub(crate) struct Running {
    pub(crate) node: Arc<Node>,
    stop: oneshot::Sender<()>,
    pub(crate) task: JoinHandle<Result<(), NodeError>>,
}

impl Running {
    pub(crate) async fn open(plan: &PlannedNode) -> Result<Running> {
        let node = Node::open(plan.config.clone(), &plan.data_dir).await;
        let node = node.with_context(|| format!("opening node {}", plan.member.id))?;
        Running::serve(node).await
    }

    pub(crate) async fn serve(node: Arc<Node>) -> Result<Running> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(govnode::run(node.clone(), listener, async {
            let _ = stopped.await;
        }));
        Ok(Running { node, stop, task })
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }

    /// Nodes this one is connected to.
    pub(crate) fn connected(&self) -> Vec<NodeId> {
        self.node
            .sync
            .get()
            .map(|s| s.peers())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.connected)
            .filter_map(|p| p.node)
            .collect()
    }

    /// The head this node holds of `origin`.
    pub(crate) async fn head(&self, origin: NodeId) -> Result<u64> {
        let heads = self.node.federation.heads().await?;
        Ok(heads
            .iter()
            .find(|h| h.origin == origin)
            .map_or(0, |h| h.seq))
    }
}

/// Polls `check` every 50 ms until true; fails naming `what` after `limit`.
pub(crate) async fn wait_until<F, Fut>(
    what: &str,
    limit: Duration,
    mut check: F,
) -> Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let started = Instant::now();
    loop {
        if check().await? {
            return Ok(started.elapsed());
        }
        if started.elapsed() > limit {
            bail!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates a county's site and news column.
pub(crate) async fn county_site(node: &Node, id: NodeId, name: &str) -> Result<String> {
    let site = format!("s{id}");
    let input = SiteInput {
        id: site.clone(),
        name: format!("{name}人民政府"),
        hosts: vec![format!("{site}.localhost")],
        owner_body: format!("{name}人民政府办公室"),
        body_code: format!("B{id}"),
        region: id.to_string(),
        footer: Default::default(),
    };
    node.content.create_site("bench", &input).await?;
    let column = ColumnInput {
        slug: "gzdt".into(),
        name: "工作动态".into(),
        kind: "news".into(),
        parent: None,
        update_interval_days: Some(7),
        position: 1,
    };
    node.content.create_column("bench", &site, &column).await?;
    Ok(site)
}

/// Publishes one article through the workflow (editor writes and submits, reviewer
/// approves and publishes).
pub(crate) async fn publish(node: &Node, site: &str, title: String) -> Result<i64> {
    let c = &node.content;
    let input = ArticleInput {
        column: Some("gzdt".into()),
        title,
        body: "为进一步做好信息公开工作，现将有关事项通知如下：一、提高认识，加强领导；二、明确责任，抓好落实；三、强化监督，确保实效。".into(),
        body_format: BodyFormat::Markdown,
        ..ArticleInput::default()
    };
    let a = c.create_article(EDITOR, site, &input).await?;
    c.transition(EDITOR, a.id, Transition::Submit, None, None)
        .await?;
    c.transition(REVIEWER, a.id, Transition::Approve, None, None)
        .await?;
    c.transition(REVIEWER, a.id, Transition::Publish, None, None)
        .await?;
    Ok(a.id)
}
