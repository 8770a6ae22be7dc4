//! Federation: keys and the trust chain, signed entries, per-origin logs, version vectors
//! and sync between nodes.
//!
//! This crate knows entries, keys, logs and peers, never articles or tickets: modules
//! hand it an entry kind, an object id, an audience and payload bytes, and register an
//! [`Applier`] for the kinds they own.

mod cert;
mod delivery;
mod entitlement;
mod entry;
mod hlc;
mod identity;

pub use cert::{Certificate, Trust, TrustError, chain_from_file, chain_from_text, chain_to_text};
pub use entry::{Audience, ENTRY_FORMAT, Entry, EntryDraft, decode_payload, encode_payload};
pub use hlc::{Hlc, millis_of, now_ms};
pub use identity::{IdentityError, NodeKey, peer_id_of};
mod error;
mod log;
pub mod net;
mod replica;
mod sealed;
mod sync;
#[cfg(feature = "testing")]
pub mod testing;

pub use delivery::{DeliveryHandler, Pending, envelope_id};
pub use entitlement::Batch;
pub use error::FederationError;
pub use log::{Head, Log, Rejection, Status, VersionVector};
pub use replica::{
    Applier, ApplyError, BoxFuture, Federation, FederationSettings, IngestReport, TOPOLOGY_KIND,
};
pub use sealed::seal_for;
pub use sync::{
    BlobSource, PeerStatus, QueryHandler, QueryHandlers, SyncRequest, SyncResponse, SyncService,
    SyncSettings,
};

/// This crate's tables as SQLite migrations, versions 1xxxx (`govnode::storage` merges all modules').
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
