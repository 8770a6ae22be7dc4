//! Replication of public content: every site, column, template-set, template and
//! published-article change becomes a signed entry (full state of the object, so applying
//! is last-writer-wins on (hlc, origin) and idempotent); entries from other nodes are
//! applied to the same tables, marked with their origin.
//!
//! Drafts, revisions and workflow state never become entries (先审后发).

mod apply;
mod claim;
mod column;
mod emit;
mod local;
mod site;

pub use apply::ContentApplier;

use govnode_federation::{ApplyError, decode_payload};

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

/// Entry kinds this module owns start with this.
pub const KIND_PREFIX: &str = "content.";
const SITE: &str = "content.site";
const COLUMN: &str = "content.column";
const ARTICLE: &str = "content.article";
const TEMPLATE_SET: &str = "content.template-set";
const TEMPLATE: &str = "content.template";
const V1: u8 = 1;

/// A site's V1 payload; what later revisions append after it is in `site`.
#[derive(Debug, Serialize, Deserialize)]
struct SiteRecord {
    id: String,
    name: String,
    owner_body: String,
    body_code: String,
    region: String,
    shutdown: bool,
    shutdown_message: String,
    created_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ColumnRecord {
    site: String,
    slug: String,
    parent_slug: Option<String>,
    name: String,
    kind: String,
    update_interval_days: Option<i64>,
    position: i64,
    template_set: Option<String>,
    created_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ArticleRecord {
    site: String,
    id: i64,
    column_slug: String,
    revision: i64,
    title: String,
    doc_type: String,
    index_number: String,
    published_ms: i64,
    updated_ms: i64,
    withdrawn: bool,
    withdraw_reason: String,
    withdrawn_ms: Option<i64>,
    parent_id: Option<i64>,
    doc_json: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TemplateSetRecord {
    id: String,
    name: String,
    columns_json: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TemplateRecord {
    site: String,
    name: String,
    source: String,
    updated_by: String,
    updated_ms: i64,
}

fn failed(e: impl std::fmt::Display) -> ApplyError {
    ApplyError::Failed(e.to_string())
}

fn decode<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, ApplyError> {
    match decode_payload::<T>(payload) {
        Ok((V1, value)) => Ok(value),
        Ok((v, _)) => Err(ApplyError::Refused(format!(
            "unsupported payload version {v}"
        ))),
        Err(e) => Err(ApplyError::Refused(e)),
    }
}

async fn site_owner(
    conn: &mut AnyConnection,
    site: &str,
) -> Result<Option<(String, i64)>, ApplyError> {
    let row = sqlx::query("SELECT origin, entry_hlc FROM sites WHERE id = $1")
        .bind(site)
        .fetch_optional(&mut *conn)
        .await
        .map_err(failed)?;
    row.map(|r| Ok((r.try_get(0).map_err(failed)?, r.try_get(1).map_err(failed)?)))
        .transpose()
}

fn check_owner(owner: &str, origin: &str, site: &str, me: &str) -> Result<(), ApplyError> {
    let owner = if owner.is_empty() { me } else { owner };
    if owner == origin {
        Ok(())
    } else {
        Err(ApplyError::Refused(format!(
            "{origin} claims site `{site}`, which belongs to {owner}"
        )))
    }
}

async fn owned_site(
    conn: &mut AnyConnection,
    site: &str,
    origin: &str,
    me: &str,
) -> Result<(), ApplyError> {
    match site_owner(conn, site).await? {
        Some((owner, _)) => check_owner(&owner, origin, site, me),
        None => Err(ApplyError::Refused(format!(
            "{origin} writes to site `{site}`, which it never declared"
        ))),
    }
}
