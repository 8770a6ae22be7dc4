//! Bookkeeping of the uplinks (addresses kept connected) and their redial backoff.
//!
//! Pure state: the swarm task dials, this decides when.

use std::net::SocketAddr;
use std::time::Duration;

use libp2p::swarm::ConnectionId;
use tokio::time::Instant;

/// Where an uplink stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Dialing(ConnectionId),
    Connected(ConnectionId),
    Waiting(Instant),
}

struct Uplink {
    addr: SocketAddr,
    state: State,
    /// The next redial delay, before jitter.
    backoff: Duration,
}

/// Uplinks with capped, jittered exponential backoff: the delay starts at `min`, doubles
/// per failed dial or lost connection up to `max`, varies ±20 %, and is reset to `min`
/// once a connection is established.
pub(crate) struct Uplinks {
    list: Vec<Uplink>,
    min: Duration,
    max: Duration,
}

impl Uplinks {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            list: Vec::new(),
            min,
            max: max.max(min),
        }
    }

    /// Registers `addr`, due for dialling now. False if it already is an uplink.
    pub(crate) fn add(&mut self, addr: SocketAddr) -> bool {
        if self.list.iter().any(|u| u.addr == addr) {
            return false;
        }
        self.list.push(Uplink {
            addr,
            state: State::Waiting(Instant::now()),
            backoff: self.min,
        });
        true
    }

    /// A dial of `addr` is under way as connection `id`.
    pub(crate) fn dialing(&mut self, addr: SocketAddr, id: ConnectionId) {
        if let Some(u) = self.list.iter_mut().find(|u| u.addr == addr) {
            u.state = State::Dialing(id);
        }
    }

    /// Connection `id` opened; if it is an uplink's, returns its address.
    pub(crate) fn established(&mut self, id: ConnectionId) -> Option<SocketAddr> {
        let min = self.min;
        let u = self.by_connection(id)?;
        u.state = State::Connected(id);
        u.backoff = min;
        Some(u.addr)
    }

    /// Connection `id` failed to open or closed; if it is an uplink's, schedules its
    /// redial and returns the address and the delay.
    pub(crate) fn lost(&mut self, id: ConnectionId) -> Option<(SocketAddr, Duration)> {
        let addr = self.by_connection(id)?.addr;
        Some((addr, self.retry(addr)))
    }

    /// Schedules the redial of `addr` after its backoff; returns the delay.
    pub(crate) fn retry(&mut self, addr: SocketAddr) -> Duration {
        let max = self.max;
        let Some(u) = self.list.iter_mut().find(|u| u.addr == addr) else {
            return Duration::ZERO;
        };
        let delay = u.backoff.mul_f64(rand::random_range(0.8..=1.2));
        u.state = State::Waiting(Instant::now() + delay);
        u.backoff = (u.backoff * 2).min(max);
        delay
    }

    /// When the next redial is due, if any is waiting.
    pub(crate) fn next_redial(&self) -> Option<Instant> {
        let waits = self.list.iter().filter_map(|u| match u.state {
            State::Waiting(at) => Some(at),
            _ => None,
        });
        waits.min()
    }

    /// The uplinks whose redial is due at `now`.
    pub(crate) fn due(&self, now: Instant) -> Vec<SocketAddr> {
        let due = self.list.iter().filter(|u| match u.state {
            State::Waiting(at) => at <= now,
            _ => false,
        });
        due.map(|u| u.addr).collect()
    }

    fn by_connection(&mut self, id: ConnectionId) -> Option<&mut Uplink> {
        self.list.iter_mut().find(|u| match u.state {
            State::Dialing(c) | State::Connected(c) => c == id,
            State::Waiting(_) => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[tokio::test]
    async fn backoff_doubles_with_jitter_caps_and_resets() {
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let mut uplinks = Uplinks::new(ms(100), ms(1000));
        assert!(uplinks.add(addr));
        assert!(!uplinks.add(addr), "added twice");
        assert_eq!(uplinks.due(Instant::now()), vec![addr]);

        let mut delays = Vec::new();
        for _ in 0..6 {
            let id = ConnectionId::new_unchecked(delays.len());
            uplinks.dialing(addr, id);
            assert_eq!(uplinks.next_redial(), None);
            delays.push(uplinks.lost(id).unwrap().1);
        }
        let expected = [100, 200, 400, 800, 1000, 1000];
        for (delay, base) in delays.iter().zip(expected) {
            assert!(
                *delay >= ms(base * 8 / 10) && *delay <= ms(base * 12 / 10),
                "{delays:?}"
            );
        }

        let id = ConnectionId::new_unchecked(99);
        uplinks.dialing(addr, id);
        assert_eq!(uplinks.established(id), Some(addr));
        assert_eq!(uplinks.established(ConnectionId::new_unchecked(7)), None);
        let (_, delay) = uplinks.lost(id).unwrap();
        assert!(
            delay <= ms(120),
            "reset to min after a connection: {delay:?}"
        );
        assert!(uplinks.next_redial().is_some());
    }
}
