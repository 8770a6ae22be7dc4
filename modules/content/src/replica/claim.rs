//! A replicated site entry's claim on its id: an ancestor's claim wins (see
//! `crate::sites::claims`), anyone else's needs the id free or already theirs.

use std::sync::{Arc, Weak};

use govnode_federation::{ApplyError, Federation};
use govnode_topology::NodeId;
use sqlx::AnyConnection;

use super::{check_owner, failed, site_owner};

/// This node's view of the tree, for deciding whose claim is higher. Weak: the federation
/// holds the applier that holds this.
#[derive(Debug, Clone)]
pub(super) struct Lineage(Weak<Federation>);

impl Lineage {
    pub(super) fn new(federation: &Arc<Federation>) -> Self {
        Lineage(Arc::downgrade(federation))
    }

    /// Whether `a` is a strict ancestor of `b` (by the ids alone once the federation is gone).
    fn is_ancestor(&self, a: &str, b: &str) -> bool {
        let (Ok(a), Ok(b)) = (a.parse::<NodeId>(), b.parse::<NodeId>()) else {
            return false;
        };
        match self.0.upgrade() {
            Some(fed) => fed.is_ancestor(a, b),
            None => b.implied_ancestors().contains(&a),
        }
    }
}

/// What a site entry may do with the id it names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum SiteClaim {
    /// The id is free or the origin's: write the entry.
    Apply,
    /// The origin's, and the row is as new or newer: nothing to do.
    Stale,
    /// The origin's claim won over the holder, now kept aside under this id: write it.
    Took(String),
}

/// Settles `origin`'s claim on site id `site` at node `me`, inside the applying
/// transaction: a holder whose claim loses to the origin's is superseded; an origin whose
/// claim loses is refused.
pub(super) async fn settle_site_claim(
    conn: &mut AnyConnection,
    site: &str,
    origin: &str,
    hlc: i64,
    me: &str,
    lineage: &Lineage,
) -> Result<SiteClaim, ApplyError> {
    let Some((holder, stamp)) = site_owner(&mut *conn, site).await? else {
        return Ok(SiteClaim::Apply);
    };
    if crate::sites::claim_wins(&holder, origin, me, |a, b| lineage.is_ancestor(a, b)) {
        let holder = if holder.is_empty() { me } else { &holder };
        let aside = crate::sites::supersede(conn, site, holder, origin, origin)
            .await
            .map_err(failed)?;
        return Ok(SiteClaim::Took(aside));
    }
    check_owner(&holder, origin, site, me)?;
    Ok(if stamp >= hlc {
        SiteClaim::Stale
    } else {
        SiteClaim::Apply
    })
}
