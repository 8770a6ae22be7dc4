//! The banyan federation on the 1 + 2 + 4 test tree, real libp2p over loopback.

mod column_changes;
mod console_view;
mod convergence;
mod failure;
mod interaction;
mod interaction_races;
mod replication;
mod scopes;
mod site_archive;
mod site_claims;
mod site_footer;
mod trust;
