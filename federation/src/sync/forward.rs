//! The forwarder: passes envelopes in the outbox one hop closer to their destination
//! (parent, child, an aerial root, or the destination itself when connected), and drops
//! each from the outbox only once the next hop has acknowledged it.

use std::time::Duration;

use tokio::sync::watch;
use tracing::{debug, warn};

use super::query::next_hops;
use super::{SyncRequest, SyncResponse, SyncService};

/// How often the outbox is retried without a kick (a hop may have come back).
const RETRY_EVERY: Duration = Duration::from_secs(2);
/// Envelopes handled per round.
const ROUND: i64 = 200;

impl SyncService {
    /// Runs until shutdown.
    pub(super) async fn forward_loop(self, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = stop.changed() => if *stop.borrow() { return },
                _ = self.fed.outbox_kicked() => {}
                _ = tokio::time::sleep(RETRY_EVERY) => {}
            }
            if let Err(e) = self.forward_round().await {
                warn!(error = %e, "forwarding round failed");
            }
        }
    }

    /// One pass over the outbox; returns how many envelopes were passed on.
    pub async fn forward_round(&self) -> Result<usize, crate::FederationError> {
        let mut passed = 0;
        for pending in self.fed.outbox(ROUND).await? {
            let chain = self.fed.trust().chain_of(pending.envelope.origin);
            let mut last = format!("no connected peer leads to {}", pending.destination);
            let mut done = false;
            for peer in next_hops(&self.fed, &self.peers, pending.destination) {
                let request = SyncRequest::Deliver {
                    envelope: pending.envelope.clone(),
                    chain: chain.clone(),
                };
                match self.net.request(peer, request).await {
                    Ok(SyncResponse::Ack) => {
                        done = true;
                        break;
                    }
                    Ok(SyncResponse::Refused(why)) => last = why,
                    Ok(other) => last = format!("unexpected answer {other:?}"),
                    Err(e) => last = e.to_string(),
                }
            }
            if done {
                self.fed.passed_on(&pending.id).await?;
                debug!(id = %pending.id, to = %pending.destination, "envelope passed on");
                passed += 1;
            } else {
                if pending.attempts % 30 == 0 {
                    debug!(id = %pending.id, to = %pending.destination, why = %last, "envelope waits");
                }
                self.fed.attempt_failed(&pending.id, &last).await?;
            }
        }
        Ok(passed)
    }
}
