//! A filing's receipt: the tracking code and password, shown to the citizen once.
//!
//! The letters form answers a filing with a redirect (so a refresh cannot file the letter
//! twice), and the password must not travel in the URL it redirects to. So the receipt
//! stays on the node, in memory, under a random token the browser carries in a cookie to
//! the confirmation page: the first request with the token takes the receipt, a second
//! finds nothing. Receipts expire after [`RECEIPT_MS`] and never outlive the process; at
//! most [`MAX_RECEIPTS`] are held (the oldest go first), which the hourly filing limit per
//! client keeps far away in practice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use govnode_federation::now_ms;

use crate::Interaction;

/// How long a receipt waits to be shown.
pub const RECEIPT_MS: i64 = 10 * 60_000;
/// Most receipts held at once.
const MAX_RECEIPTS: usize = 10_000;

/// What the confirmation page shows once.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Receipt {
    /// The tracking code (查询码).
    pub code: String,
    /// The tracking password (查询密码).
    pub password: String,
    /// The letter's subject.
    pub subject: String,
    /// The body it went to (its id).
    pub body: String,
}

/// Receipts waiting for their page, by token.
#[derive(Debug, Clone, Default)]
pub(crate) struct Receipts(Arc<Mutex<HashMap<String, (i64, Receipt)>>>);

impl Receipts {
    fn hold(&self, receipt: Receipt, now: i64) -> String {
        let token = hex::encode(rand::random::<[u8; 16]>());
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        held.retain(|_, (until, _)| *until > now);
        while held.len() >= MAX_RECEIPTS {
            let oldest = held
                .iter()
                .min_by_key(|(_, (until, _))| *until)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => held.remove(&k),
                None => break,
            };
        }
        held.insert(token.clone(), (now + RECEIPT_MS, receipt));
        token
    }

    fn take(&self, token: &str, now: i64) -> Option<Receipt> {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match held.remove(token) {
            Some((until, receipt)) if until > now => Some(receipt),
            _ => None,
        }
    }
}

impl Interaction {
    /// Holds a filing's receipt for its confirmation page; returns the token that takes it.
    pub fn hold_receipt(&self, receipt: Receipt) -> String {
        self.receipts.hold(receipt, now_ms())
    }

    /// The receipt held under `token`, once: a second call finds nothing.
    pub fn take_receipt(&self, token: &str) -> Option<Receipt> {
        self.receipts.take(token, now_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(code: &str) -> Receipt {
        Receipt {
            code: code.into(),
            password: "abcd2345".into(),
            subject: "建议".into(),
            body: "440000.zwfw".into(),
        }
    }

    #[test]
    fn a_receipt_is_taken_once_and_expires() {
        let r = Receipts::default();
        let token = r.hold(receipt("A"), 0);
        assert_eq!(token.len(), 32);
        assert_eq!(r.take("nonsense", 1), None);
        assert_eq!(r.take(&token, 1), Some(receipt("A")));
        assert_eq!(r.take(&token, 2), None, "taken once");
        let late = r.hold(receipt("B"), 0);
        assert_eq!(r.take(&late, RECEIPT_MS), None, "expired");
        assert_ne!(r.hold(receipt("C"), 0), r.hold(receipt("C"), 0));
    }

    #[test]
    fn the_oldest_receipts_make_room() {
        let r = Receipts::default();
        let first = r.hold(receipt("first"), 0);
        for i in 1..MAX_RECEIPTS {
            r.hold(receipt("x"), i64::try_from(i).unwrap());
        }
        let last = r.hold(receipt("last"), 20_000);
        assert_eq!(r.take(&first, 20_001), None);
        assert_eq!(r.take(&last, 20_001), Some(receipt("last")));
    }
}
