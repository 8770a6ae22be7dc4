//! Connections per client address, and making room for a new one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use super::*;

/// The open connections of every client address.
#[derive(Default)]
pub(super) struct Clients {
    pub(super) by_address: Mutex<HashMap<IpAddr, Vec<Arc<ConnState>>>>,
}

impl Clients {
    pub(super) fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, Vec<Arc<ConnState>>>> {
        self.by_address.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a new connection of `client`, making room by closing its longest-idle
    /// kept-alive connection when it holds `cap` already; `None` when there is none to close.
    pub(super) fn admit(self: &Arc<Self>, client: IpAddr, cap: usize) -> Option<ClientSlot> {
        let mut by_address = self.lock();
        let held = by_address.entry(client).or_default();
        let closing = held
            .iter()
            .filter(|c| c.evicted.load(Ordering::Acquire))
            .count();
        if held.len() - closing >= cap {
            let oldest_idle = held
                .iter()
                .filter(|c| !c.evicted.load(Ordering::Acquire))
                .filter_map(|c| c.idle_since().map(|since| (since, c)))
                .min_by_key(|(since, _)| *since)
                .map(|(_, c)| c)?;
            oldest_idle.evicted.store(true, Ordering::Release);
            oldest_idle.changed.notify_one();
        }
        let conn = Arc::new(ConnState::new());
        held.push(conn.clone());
        Some(ClientSlot {
            clients: self.clone(),
            client,
            conn,
        })
    }
}

/// One connection's place among its client's; given back when dropped.
pub(super) struct ClientSlot {
    pub(super) clients: Arc<Clients>,
    pub(super) client: IpAddr,
    pub(super) conn: Arc<ConnState>,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut by_address = self.clients.lock();
        if let Some(held) = by_address.get_mut(&self.client) {
            held.retain(|c| !Arc::ptr_eq(c, &self.conn));
            if held.is_empty() {
                by_address.remove(&self.client);
            }
        }
    }
}
