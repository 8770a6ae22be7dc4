//! Who holds a site id, and which sites this node does not serve.
//!
//! Site ids are claimed across the tree and an **ancestor's claim wins**: a node's own site
//! takes an id held by a descendant's replica, and a site replicated from an ancestor takes
//! it from a descendant's replica or from this node's own site. The loser is *superseded*:
//! its row, host names, columns, articles, published rows, templates and distribution
//! records move aside under `<id>~<its origin>`, kept for the record and never served or
//! searched; later entries of its origin for the id are refused by the ownership check.
//! A platform administrator may also *refuse* a descendant's replica site in place.
//! Pages, feeds, the portal and one-net search see serving sites only ([`Content::site`],
//! [`Content::sites`]); the admin list shows every site with its state.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

use super::aside::{renumber_published, supersede};
use super::{SITE_SELECT, site_from_row};
use crate::audit::record;
use crate::model::check_text;
use crate::{Content, ContentError, Site, now_ms};

/// Whether this node serves a site it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SiteState {
    /// Served: pages, feeds, search.
    Serving,
    /// Another node's claim on its id won; kept aside under `<id>~<origin>`.
    Superseded,
    /// Refused by a platform administrator of this node.
    Refused,
    /// Archived by its owner while empty: not served, its host names freed.
    Archived,
}

impl SiteState {
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteState::Serving => "serving",
            SiteState::Superseded => "superseded",
            SiteState::Refused => "refused",
            SiteState::Archived => "archived",
        }
    }

    fn parse(s: &str) -> Result<SiteState, ContentError> {
        Ok(match s {
            "serving" => SiteState::Serving,
            "superseded" => SiteState::Superseded,
            "refused" => SiteState::Refused,
            "archived" => SiteState::Archived,
            other => {
                return Err(ContentError::Conflict(format!(
                    "stored site state `{other}` is unknown"
                )));
            }
        })
    }
}

/// A site as the administrators' list shows it: whether it is served, and if not, why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteListing {
    /// The site (a superseded one under its aside id `<id>~<origin>`).
    #[serde(flatten)]
    pub site: Site,
    /// Served, superseded or refused.
    pub state: SiteState,
    /// The id its owner declared (differs from `id` once kept aside).
    pub claimed_id: String,
    /// Why it is not served ('' while serving).
    pub state_reason: String,
    /// The node whose claim superseded it, or the administrator who refused it.
    pub state_by: String,
    /// Since when it is not served (unix ms).
    pub state_ms: Option<i64>,
}

const STATE_COLUMNS: &str =
    ", s.state, s.claimed_id, s.state_reason, s.state_by, s.state_ms FROM sites s";

fn listing_select() -> String {
    SITE_SELECT.replacen(" FROM sites s", STATE_COLUMNS, 1)
}

fn listing_from_row(r: &sqlx::any::AnyRow) -> Result<SiteListing, ContentError> {
    let site = site_from_row(r)?;
    let claimed: String = r.try_get("claimed_id")?;
    Ok(SiteListing {
        claimed_id: if claimed.is_empty() {
            site.id.clone()
        } else {
            claimed
        },
        site,
        state: SiteState::parse(&r.try_get::<String, _>("state")?)?,
        state_reason: r.try_get("state_reason")?,
        state_by: r.try_get("state_by")?,
        state_ms: r.try_get("state_ms")?,
    })
}

/// Whether `claimant`'s claim on a site id beats `holder`'s at node `me` (an empty holder
/// is `me`): the claim of this node or of one of its ancestors wins over any holder that is
/// not the claimant itself or above it. `is_ancestor(a, b)`: `a` is a strict ancestor of `b`.
pub(crate) fn claim_wins(
    holder: &str,
    claimant: &str,
    me: &str,
    is_ancestor: impl Fn(&str, &str) -> bool,
) -> bool {
    let holder = if holder.is_empty() { me } else { holder };
    holder != claimant
        && (claimant == me || is_ancestor(claimant, me))
        && !is_ancestor(holder, claimant)
}

impl Content {
    /// Whether node `a` is a strict ancestor of node `b` in this node's tree (false when
    /// not federated or either is not a node id).
    pub(crate) fn is_ancestor(&self, a: &str, b: &str) -> bool {
        match (&self.federation, a.parse(), b.parse()) {
            (Some(fed), Ok(a), Ok(b)) => fed.is_ancestor(a, b),
            _ => false,
        }
    }

    /// Frees the id `site` for a new site of this node inside the caller's transaction: a
    /// descendant's replica holding it is superseded (returns its aside id); this node's
    /// own site or an ancestor's keeps it (409).
    pub(super) async fn take_site_id(
        &self,
        conn: &mut AnyConnection,
        actor: &str,
        site: &str,
    ) -> Result<Option<String>, ContentError> {
        let Some(row) = sqlx::query("SELECT origin FROM sites WHERE id = $1")
            .bind(site)
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let holder: String = row.try_get("origin")?;
        let me = self.origin();
        if self.federation.is_some() && claim_wins(&holder, &me, &me, |a, b| self.is_ancestor(a, b))
        {
            return supersede(conn, site, &holder, &me, actor).await.map(Some);
        }
        let whose = if holder.is_empty() || holder == me {
            String::new()
        } else if self.is_ancestor(&holder, &me) {
            format!(" (a replica of ancestor node {holder}'s site, whose claim wins)")
        } else {
            format!(" (a replica of node {holder}'s site)")
        };
        Err(ContentError::Conflict(format!(
            "site `{site}` already exists{whose}"
        )))
    }

    /// Every site held here with its state, serving or not, oldest first.
    pub async fn site_listing(&self) -> Result<Vec<SiteListing>, ContentError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} ORDER BY s.created_ms, s.id",
            listing_select()
        )))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(listing_from_row).collect()
    }

    /// One site held here with its state, serving or not.
    pub async fn site_listed(&self, id: &str) -> Result<SiteListing, ContentError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE s.id = $1",
            listing_select()
        )))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref()
            .map(listing_from_row)
            .transpose()?
            .ok_or_else(|| ContentError::NotFound(format!("site `{id}`")))
    }

    /// Refuses a descendant's replica site: no longer served or searched here; its entries
    /// still apply, so lifting the refusal serves it as its owner has it then.
    pub async fn refuse_site(
        &self,
        actor: &str,
        site: &str,
        reason: &str,
    ) -> Result<SiteListing, ContentError> {
        let reason = reason.trim();
        check_text("reason", reason, 500)?;
        let mut tx = self.write.begin().await?;
        let (holder, state) = held(&mut tx, site).await?;
        if state != SiteState::Serving {
            return Err(ContentError::Conflict(format!(
                "site `{site}` is already {}",
                state.as_str()
            )));
        }
        let me = self.origin();
        if holder.is_empty() || holder == me {
            return Err(ContentError::Conflict(format!(
                "site `{site}` is this node's own site: shut it down instead"
            )));
        }
        if !self.is_ancestor(&me, &holder) {
            return Err(ContentError::Conflict(format!(
                "site `{site}` is a replica of node {holder}, which is not below this node: only a descendant's site can be refused"
            )));
        }
        set_state(&mut tx, site, SiteState::Refused, reason, actor).await?;
        renumber_published(&mut tx, site).await?;
        record(&mut tx, actor, "refuse", Some(site), ("site", site), reason).await?;
        tx.commit().await?;
        tracing::warn!(site, holder = %holder, actor, reason, "replica site refused");
        self.published_changed().await?;
        self.site_listed(site).await
    }

    /// Lifts a refusal: the replica site is served and searched again.
    pub async fn lift_refusal(&self, actor: &str, site: &str) -> Result<SiteListing, ContentError> {
        let mut tx = self.write.begin().await?;
        let (_, state) = held(&mut tx, site).await?;
        if state != SiteState::Refused {
            return Err(ContentError::Conflict(format!(
                "site `{site}` is {}, not refused",
                state.as_str()
            )));
        }
        set_state(&mut tx, site, SiteState::Serving, "", "").await?;
        renumber_published(&mut tx, site).await?;
        record(
            &mut tx,
            actor,
            "lift-refusal",
            Some(site),
            ("site", site),
            "",
        )
        .await?;
        tx.commit().await?;
        self.published_changed().await?;
        self.site_listed(site).await
    }
}

/// The holder and state of a site held here.
pub(super) async fn held(
    conn: &mut AnyConnection,
    site: &str,
) -> Result<(String, SiteState), ContentError> {
    let row = sqlx::query("SELECT origin, state FROM sites WHERE id = $1")
        .bind(site)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ContentError::NotFound(format!("site `{site}`")))?;
    Ok((
        row.try_get("origin")?,
        SiteState::parse(&row.try_get::<String, _>("state")?)?,
    ))
}

pub(super) async fn set_state(
    conn: &mut AnyConnection,
    site: &str,
    state: SiteState,
    reason: &str,
    by: &str,
) -> Result<(), ContentError> {
    let since = (state != SiteState::Serving).then(now_ms);
    sqlx::query(
        "UPDATE sites SET state = $1, state_reason = $2, state_by = $3, state_ms = $4 WHERE id = $5",
    )
    .bind(state.as_str())
    .bind(reason)
    .bind(by)
    .bind(since)
    .bind(site)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::claim_wins;

    /// 440000 → 440100 → 440106; 440300 a sibling city.
    fn is_ancestor(a: &str, b: &str) -> bool {
        matches!(
            (a, b),
            ("440000", "440100")
                | ("440000", "440106")
                | ("440000", "440300")
                | ("440100", "440106")
        )
    }

    #[test]
    fn the_higher_claim_wins_and_a_lower_one_never_displaces() {
        // This node's own site takes the id from a descendant's replica, not from an ancestor's.
        assert!(claim_wins("440106", "440100", "440100", is_ancestor));
        assert!(!claim_wins("440000", "440100", "440100", is_ancestor));
        // Its own site keeps the id against itself (a duplicate) and against descendants.
        assert!(!claim_wins("440100", "440100", "440100", is_ancestor));
        assert!(!claim_wins("", "440100", "440100", is_ancestor));
        assert!(!claim_wins("440100", "440106", "440100", is_ancestor));
        // An ancestor's replica takes it from this node's own site and from a descendant's.
        assert!(claim_wins("440106", "440000", "440106", is_ancestor));
        assert!(claim_wins("", "440000", "440106", is_ancestor));
        assert!(claim_wins("440106", "440000", "440100", is_ancestor));
        // The higher of two ancestors wins, whichever arrived first.
        assert!(claim_wins("440100", "440000", "440106", is_ancestor));
        assert!(!claim_wins("440000", "440100", "440106", is_ancestor));
        // A claim from neither this node nor an ancestor never displaces.
        assert!(!claim_wins("440106", "440300", "440000", is_ancestor));
    }
}
