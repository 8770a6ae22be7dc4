//! Hybrid logical clock: wall-clock milliseconds in the high 48 bits, a counter in the low 16.
//!
//! Timestamps from one node strictly increase even if the wall clock steps back, and a
//! node that observes a remote timestamp never issues one below it, so (hlc, origin)
//! orders concurrent writes to one object the same way on every node.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// A node's clock.
#[derive(Debug, Default)]
pub struct Hlc {
    last: Mutex<u64>,
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The wall-clock part of a timestamp, in unix milliseconds.
pub fn millis_of(hlc: u64) -> i64 {
    (hlc >> 16) as i64
}

fn wall() -> u64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    ms << 16
}

impl Hlc {
    /// A clock that will never issue a timestamp at or below `floor`.
    pub fn starting_after(floor: u64) -> Self {
        Hlc {
            last: Mutex::new(floor),
        }
    }

    /// The next timestamp.
    pub fn now(&self) -> u64 {
        let mut last = self.last.lock().expect("hlc lock");
        let next = wall().max(*last + 1);
        *last = next;
        next
    }

    /// Folds in a timestamp seen from another node.
    pub fn observe(&self, remote: u64) {
        let mut last = self.last.lock().expect("hlc lock");
        // Ignore timestamps absurdly far in the future (a broken clock must not drag ours).
        let horizon = wall() + (3_600_000 << 16);
        if remote > *last && remote < horizon {
            *last = remote;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictly_increasing_and_past_observed() {
        let clock = Hlc::default();
        let a = clock.now();
        let b = clock.now();
        assert!(b > a);
        clock.observe(b + 1000);
        assert!(clock.now() > b + 1000);
        assert!(millis_of(a) > 1_700_000_000_000);
    }
}
