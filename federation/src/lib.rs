//! Federation: node identity now; signed entries, logs and sync come next.
//!
//! This crate knows keys, entries, logs and peers, never articles or tickets.

mod identity;

pub use identity::{IdentityError, NodeKey};
