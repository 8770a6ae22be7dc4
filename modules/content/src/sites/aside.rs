//! Keeping a superseded site aside, and what the search index learns of it: the moves
//! and renumberings behind `claims`.

use sqlx::{AnyConnection, Row as _};

use crate::audit::record;
use crate::published::bump_change_seq;
use crate::{ArticleDoc, ContentError, Published, now_ms};

/// Moves the site `site`, held by `holder`, aside for `winner`'s claim, inside the caller's
/// transaction: a copy of its row under `<site>~<holder>` marked superseded, everything
/// of it moved there, the old row deleted; each of its published documents leaves the
/// search index in change order. Returns the aside id.
pub(crate) async fn supersede(
    conn: &mut AnyConnection,
    site: &str,
    holder: &str,
    winner: &str,
    actor: &str,
) -> Result<String, ContentError> {
    let base = format!(
        "{site}~{}",
        if holder.is_empty() { "local" } else { holder }
    );
    let mut aside = base.clone();
    let mut n = 1;
    while sqlx::query("SELECT 1 FROM sites WHERE id = $1")
        .bind(&aside)
        .fetch_optional(&mut *conn)
        .await?
        .is_some()
    {
        n += 1;
        aside = format!("{base}~{n}");
    }
    let reason = format!("站点标识 `{site}` 归属节点 {winner} 的站点（上级节点的站点优先）");
    sqlx::query(
        "INSERT INTO sites (id, name, hosts, owner_body, body_code, region, shutdown, shutdown_message, created_ms, origin, entry_hlc, \
           site_code, icp_record, police_record, conac_id, undertaker, contact_phone, contact_address, contact_email, \
           state, claimed_id, state_reason, state_by, state_ms) \
         SELECT $1, name, hosts, owner_body, body_code, region, shutdown, shutdown_message, created_ms, origin, entry_hlc, \
           site_code, icp_record, police_record, conac_id, undertaker, contact_phone, contact_address, contact_email, \
           'superseded', id, $2, $3, $4 FROM sites WHERE id = $5",
    )
    .bind(&aside)
    .bind(&reason)
    .bind(winner)
    .bind(now_ms())
    .bind(site)
    .execute(&mut *conn)
    .await?;
    for sql in [
        "UPDATE site_hosts SET site_id = $1 WHERE site_id = $2",
        "UPDATE columns SET site_id = $1 WHERE site_id = $2",
        // Nothing of a site kept aside publishes by itself.
        "UPDATE articles SET site_id = $1, scheduled_ms = CASE WHEN state = 'scheduled' THEN NULL ELSE scheduled_ms END, \
           state = CASE WHEN state = 'scheduled' THEN 'approved' ELSE state END WHERE site_id = $2",
        "UPDATE templates SET site_id = $1 WHERE site_id = $2",
        "UPDATE distribution_inbox SET site_id = $1 WHERE site_id = $2",
    ] {
        sqlx::query(sql)
            .bind(&aside)
            .bind(site)
            .execute(&mut *conn)
            .await?;
    }
    for sql in [
        "UPDATE distributions SET from_site = $1 WHERE from_site = $2 AND origin = $3",
        "UPDATE distribution_receipts SET site_id = $1 WHERE site_id = $2 AND node = $3",
    ] {
        sqlx::query(sql)
            .bind(&aside)
            .bind(site)
            .bind(holder)
            .execute(&mut *conn)
            .await?;
    }
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM published WHERE site_id = $1")
        .bind(site)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if count > 0 {
        let first = bump_change_seq(conn, count).await? - count;
        sqlx::query(
            "INSERT INTO published_removed (change_seq, site_id, article_id) \
             SELECT $1 + ROW_NUMBER() OVER (ORDER BY article_id), site_id, article_id FROM published WHERE site_id = $2",
        )
        .bind(first)
        .bind(site)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE published SET site_id = $1 WHERE site_id = $2")
            .bind(&aside)
            .bind(site)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM sites WHERE id = $1")
        .bind(site)
        .execute(&mut *conn)
        .await?;
    record(
        conn,
        actor,
        "supersede",
        Some(site),
        ("site", &aside),
        &reason,
    )
    .await?;
    tracing::warn!(
        site,
        holder,
        winner,
        aside = %aside,
        "site id claimed by an ancestor's site: the former holder is superseded and kept aside"
    );
    Ok(aside)
}

/// Gives every published document of `site` the next change sequence numbers, so the
/// search index takes it out (refused) or back in (refusal lifted).
pub(crate) async fn renumber_published(
    conn: &mut AnyConnection,
    site: &str,
) -> Result<(), ContentError> {
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM published WHERE site_id = $1")
        .bind(site)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if count == 0 {
        return Ok(());
    }
    let first = bump_change_seq(conn, count).await? - count;
    sqlx::query(
        "UPDATE published SET change_seq = r.seq FROM \
           (SELECT article_id, $1 + ROW_NUMBER() OVER (ORDER BY article_id) AS seq FROM published WHERE site_id = $2) r \
         WHERE published.site_id = $2 AND published.article_id = r.article_id",
    )
    .bind(first)
    .bind(site)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keys that left the search index's view after `after` (documents moved aside), as
/// withdrawn documents in change order: what [`Content::published_changes`] merges in.
pub(crate) async fn removed_after(
    conn: &mut AnyConnection,
    after: i64,
    limit: i64,
) -> Result<Vec<Published>, ContentError> {
    let rows = sqlx::query(
        "SELECT change_seq, site_id, article_id FROM published_removed WHERE change_seq > $1 ORDER BY change_seq LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Published {
                id: r.try_get("article_id")?,
                site: r.try_get("site_id")?,
                column_id: 0,
                revision: 0,
                index_number: String::new(),
                published_ms: 0,
                updated_ms: 0,
                withdrawn: Some(("superseded".into(), 0)),
                parent_id: None,
                doc: ArticleDoc {
                    title: String::new(),
                    subtitle: String::new(),
                    body: String::new(),
                    body_format: Default::default(),
                    body_html: String::new(),
                    summary: String::new(),
                    author: String::new(),
                    issuing_body: String::new(),
                    doc_number: String::new(),
                    theme: String::new(),
                    doc_type: String::new(),
                    date: String::new(),
                    valid_from: String::new(),
                    valid_to: String::new(),
                    attachments: Vec::new(),
                    tags: Vec::new(),
                },
                change_seq: r.try_get("change_seq")?,
            })
        })
        .collect()
}
