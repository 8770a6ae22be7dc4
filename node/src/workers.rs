//! The node's background workers, all of one shape: a named task that runs until the stop
//! signal, started by [`Workers`] and stopped by it in the order they were started, after
//! HTTP and before storage (see `run`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

use crate::Node;

/// The running workers and their stop signal.
pub(crate) struct Workers {
    stop_tx: watch::Sender<bool>,
    stop: watch::Receiver<bool>,
    running: Vec<(&'static str, JoinHandle<()>)>,
}

impl Workers {
    /// No workers yet.
    pub(crate) fn new() -> Self {
        let (stop_tx, stop) = watch::channel(false);
        Workers {
            stop_tx,
            stop,
            running: Vec::new(),
        }
    }

    /// The stop signal, for a task started elsewhere (e.g. the sync service).
    pub(crate) fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.clone()
    }

    /// Starts `work`, which returns once its stop signal changes.
    pub(crate) fn spawn<F>(
        &mut self,
        name: &'static str,
        work: impl FnOnce(watch::Receiver<bool>) -> F,
    ) where
        F: Future<Output = ()> + Send + 'static,
    {
        let handle = tokio::spawn(work(self.stop.clone()));
        self.running.push((name, handle));
    }

    /// Adopts a task started elsewhere on [`Workers::stop_signal`].
    pub(crate) fn adopt(&mut self, name: &'static str, handle: JoinHandle<()>) {
        self.running.push((name, handle));
    }

    /// Runs `tick` every `period` until stopped (the first run after one period).
    pub(crate) fn every<F, Fut>(&mut self, name: &'static str, period: Duration, tick: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        self.spawn(name, move |mut stop| async move {
            loop {
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(period) => tick().await,
                }
            }
        });
    }

    /// Signals every worker to stop and waits for each, in the order they were started.
    pub(crate) async fn stop(self) {
        let _ = self.stop_tx.send(true);
        for (name, handle) in self.running {
            if let Err(e) = handle.await {
                warn!(worker = name, error = %e, "worker ended abnormally");
            }
        }
    }
}

/// Publishes scheduled articles when due (a cheap indexed query, every second).
pub(crate) async fn publish_scheduled(node: Arc<Node>) {
    match node
        .content
        .publish_due(chrono::Utc::now().timestamp_millis())
        .await
    {
        Ok(ids) if !ids.is_empty() => info!(count = ids.len(), "scheduled articles published"),
        Ok(_) => {}
        Err(e) => warn!(error = %e, "scheduled publication failed"),
    }
}

/// Marks overdue tickets, escalates them, and rolls the statistics up (every minute).
pub(crate) async fn check_deadlines(node: Arc<Node>) {
    let today = govnode_topology::beijing::today();
    match node.interaction.check_deadlines(today).await {
        Ok(n) if n > 0 => info!(escalated = n, "overdue tickets escalated"),
        Ok(_) => {}
        Err(e) => warn!(error = %e, "deadline check failed"),
    }
    if let Err(e) = node.interaction.publish_stats(today).await {
        warn!(error = %e, "publishing ticket statistics failed");
    }
}

/// Deletes expired staff sessions (every five minutes; an expired one is refused anyway).
pub(crate) async fn prune_sessions(sessions: govnode_accounts::SessionStore) {
    match sessions.prune(chrono::Utc::now().timestamp_millis()).await {
        Ok(n) if n > 0 => debug!(count = n, "expired sessions deleted"),
        Ok(_) => {}
        Err(e) => warn!(error = %e, "pruning expired sessions failed"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn workers_stop_in_start_order() {
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let ticks = Arc::new(AtomicUsize::new(0));
        let mut workers = Workers::new();
        for name in ["first", "second"] {
            let order = order.clone();
            workers.spawn(name, move |mut stop| async move {
                let _ = stop.changed().await;
                // The later worker finishes first unless stop waits in order.
                if name == "first" {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                order.lock().unwrap().push(name);
            });
        }
        let counted = ticks.clone();
        workers.every("tick", Duration::from_millis(5), move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        });
        tokio::time::sleep(Duration::from_millis(40)).await;
        workers.stop().await;
        assert!(ticks.load(Ordering::Relaxed) > 0);
        let done = order.lock().unwrap().clone();
        assert_eq!(done.len(), 2);
        assert!(done.contains(&"first") && done.contains(&"second"));
    }
}
