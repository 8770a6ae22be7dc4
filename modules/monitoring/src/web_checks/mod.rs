//! Checks over the web: availability probes of this node's sites and its children's, and
//! dead links in published pages and attachments (external ones checked safely).

pub mod address;
pub mod extract;
pub mod fetch;
pub mod links;
pub mod probes;
pub mod tamper;

pub use address::Network;
pub use extract::{Link, LinkKind, extract_links};
pub use fetch::{FetchSettings, LinkFetcher, Outcome, OwnSites, user_agent};
pub use links::LinkReport;
pub use probes::{Availability, DayAvailability, ProbeResult, ProbeTarget, Prober};
