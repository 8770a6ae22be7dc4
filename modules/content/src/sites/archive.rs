//! Archiving an empty site (归档): a site created by mistake, or one whose government body
//! was merged away before anything was published, leaves the lists, its pages and search;
//! its host names are freed for another site; its id stays taken, so nothing else can
//! later publish under it. Only a site with no article at all (in any state) is archived:
//! one with content is shut down (一键关停) instead, which keeps its record public.
//! The state travels in the site's entry, so replicas above stop serving it too.

use sqlx::{AnyConnection, Row as _};

use super::check_host;
use super::claims::{SiteListing, SiteState, held, set_state};
use crate::audit::record;
use crate::model::check_text;
use crate::{Content, ContentError};

impl Content {
    /// Archives one of this node's own sites, which must hold no article.
    pub async fn archive_site(
        &self,
        actor: &str,
        site: &str,
        reason: &str,
    ) -> Result<SiteListing, ContentError> {
        let reason = reason.trim();
        check_text("reason", reason, 500)?;
        let mut tx = self.write.begin().await?;
        let (holder, state) = held(&mut tx, site).await?;
        self.check_own(&holder, site)?;
        if state != SiteState::Serving {
            return Err(ContentError::Conflict(format!(
                "site `{site}` is {}, not serving",
                state.as_str()
            )));
        }
        // Drafts and revisions live in `articles`; a replica's or a republished document
        // only in `published`.
        let mut articles = count(
            &mut tx,
            "SELECT COUNT(*) FROM articles WHERE site_id = $1",
            site,
        )
        .await?;
        if articles == 0 {
            articles = count(
                &mut tx,
                "SELECT COUNT(*) FROM published WHERE site_id = $1",
                site,
            )
            .await?;
        }
        if articles > 0 {
            return Err(ContentError::Conflict(format!(
                "site `{site}` holds {articles} article(s): only an empty site can be archived; shut it down instead"
            )));
        }
        set_state(&mut tx, site, SiteState::Archived, reason, actor).await?;
        sqlx::query("DELETE FROM site_hosts WHERE site_id = $1")
            .bind(site)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "archive-site",
            Some(site),
            ("site", site),
            reason,
        )
        .await?;
        self.emit_site(&mut tx, site).await?;
        tx.commit().await?;
        self.announce();
        self.published_changed().await?;
        self.site_listed(site).await
    }

    /// Serves an archived site of this node again, with its host names if still free.
    pub async fn restore_site(&self, actor: &str, site: &str) -> Result<SiteListing, ContentError> {
        let mut tx = self.write.begin().await?;
        let (holder, state) = held(&mut tx, site).await?;
        self.check_own(&holder, site)?;
        if state != SiteState::Archived {
            return Err(ContentError::Conflict(format!(
                "site `{site}` is {}, not archived",
                state.as_str()
            )));
        }
        let hosts: String = sqlx::query("SELECT hosts FROM sites WHERE id = $1")
            .bind(site)
            .fetch_one(&mut *tx)
            .await?
            .try_get("hosts")?;
        for host in hosts.split(',').filter(|h| !h.is_empty()) {
            check_host(host)?;
            let taken = sqlx::query("SELECT site_id FROM site_hosts WHERE host = $1")
                .bind(host)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = taken {
                let other: String = row.try_get("site_id")?;
                return Err(ContentError::Conflict(format!(
                    "host `{host}` now belongs to site `{other}`: remove it there first"
                )));
            }
            sqlx::query("INSERT INTO site_hosts (host, site_id) VALUES ($1, $2)")
                .bind(host)
                .bind(site)
                .execute(&mut *tx)
                .await?;
        }
        set_state(&mut tx, site, SiteState::Serving, "", "").await?;
        record(
            &mut tx,
            actor,
            "restore-site",
            Some(site),
            ("site", site),
            "",
        )
        .await?;
        self.emit_site(&mut tx, site).await?;
        tx.commit().await?;
        self.announce();
        self.published_changed().await?;
        self.site_listed(site).await
    }

    /// Refuses a change to a site this node does not own.
    fn check_own(&self, holder: &str, site: &str) -> Result<(), ContentError> {
        if holder.is_empty() || holder == self.origin() {
            Ok(())
        } else {
            Err(ContentError::Refused(format!(
                "site `{site}` belongs to node {holder}: it is archived there and replicated here"
            )))
        }
    }
}

async fn count(
    conn: &mut AnyConnection,
    sql: &'static str,
    site: &str,
) -> Result<i64, ContentError> {
    Ok(sqlx::query(sql)
        .bind(site)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?)
}

/// Applies a replicated site's archived flag to its replica here: archived or served again.
/// A superseded or refused replica keeps its state.
pub(crate) async fn apply_archived(
    conn: &mut AnyConnection,
    site: &str,
    archived: bool,
    origin: &str,
) -> Result<bool, ContentError> {
    let (_, state) = held(conn, site).await?;
    let next = match (state, archived) {
        (SiteState::Serving, true) => SiteState::Archived,
        (SiteState::Archived, false) => SiteState::Serving,
        _ => return Ok(false),
    };
    let reason = if archived { "归档" } else { "" };
    let by = if archived { origin } else { "" };
    set_state(conn, site, next, reason, by).await?;
    Ok(true)
}
