//! Per-site template overrides, stored in the database (platform admins edit them).

use std::collections::HashMap;

use sqlx::Row;

use crate::audit::record;
use crate::render::Renderer;
use crate::{Content, ContentError, now_ms};

impl Content {
    /// A site's overrides.
    pub async fn template_overrides(
        &self,
        site: &str,
    ) -> Result<HashMap<String, String>, ContentError> {
        let rows = sqlx::query("SELECT name, source FROM templates WHERE site_id = $1")
            .bind(site)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("source")?)))
            .collect()
    }

    /// The site's overrides as they would stand with `name` set to `source` (or, with
    /// `None`, back to its default), checked as [`Content::put_template`] checks them (a
    /// template name, at most 256 KiB, no script, the whole set compiles), without storing
    /// anything: what a preview renders with ([`Renderer::preview`]).
    pub async fn candidate_templates(
        &self,
        site: &str,
        name: &str,
        source: Option<&str>,
    ) -> Result<HashMap<String, String>, ContentError> {
        if !crate::render::TEMPLATE_NAMES.contains(&name) {
            return Err(ContentError::Invalid {
                field: "name",
                message: format!(
                    "`{name}` is not a template name ({})",
                    crate::render::TEMPLATE_NAMES.join(", ")
                ),
            });
        }
        self.site(site).await?;
        let mut set = self.template_overrides(site).await?;
        match source {
            Some(s) if s.len() > 256 * 1024 => {
                return Err(ContentError::Invalid {
                    field: "source",
                    message: "at most 256 KiB".into(),
                });
            }
            Some(s) => {
                // Also checked with the whole set below; first on its own so the answer
                // names this template's line.
                crate::render::check_template_source(name, s)?;
                set.insert(name.to_string(), s.to_string());
            }
            None => {
                set.remove(name);
            }
        }
        Renderer::check(&set)?;
        Ok(set)
    }

    /// Saves (or with `None`, removes) one override after checking that it emits no script
    /// and that the whole set compiles.
    /// Returns the site's overrides as they now stand, for the renderer.
    pub async fn put_template(
        &self,
        actor: &str,
        site: &str,
        name: &str,
        source: Option<&str>,
    ) -> Result<HashMap<String, String>, ContentError> {
        let set = self.candidate_templates(site, name, source).await?;
        let mut tx = self.write.begin().await?;
        match source {
            Some(s) => {
                sqlx::query(
                    "INSERT INTO templates (site_id, name, source, updated_by, updated_ms) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (site_id, name) DO UPDATE SET source = excluded.source, updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
                )
                .bind(site)
                .bind(name)
                .bind(s)
                .bind(actor)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM templates WHERE site_id = $1 AND name = $2")
                    .bind(site)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        record(
            &mut tx,
            actor,
            if source.is_some() { "put" } else { "reset" },
            Some(site),
            ("template", name),
            "",
        )
        .await?;
        self.emit_template(&mut tx, site, name).await?;
        tx.commit().await?;
        self.announce();
        Ok(set)
    }
}
