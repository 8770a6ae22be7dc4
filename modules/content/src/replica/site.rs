//! The site entry's payload, and applying it.
//!
//! postcard is positional, so a field cannot be added to [`SiteRecord`]. The payload grows
//! by appending instead, keeping its version byte 1:
//!
//! ```text
//! V1: [1] SiteRecord
//! V2: [1] SiteRecord [2] FooterRecord          (the site's footer, 网站标识码 …)
//! V3: [1] SiteRecord [3] FooterRecord archived  (the site archived by its owner while empty)
//! V4: [1] SiteRecord [4] FooterRecord archived hosts  (the host names the owner serves it under)
//! ```
//!
//! A node that knows only V1 reads the `SiteRecord` it understands and ignores the rest
//! (postcard stops at the record's last field), so an older node keeps applying a site's
//! name, region and shutdown from a V2 entry and only its footer is missing there until it
//! is upgraded and the site changes again. A new leading version would have had older nodes
//! refuse every later site entry for good (a refused entry is never applied again), and with
//! a site's first entry every column and article of it. A V1 payload (entries already in
//! logs, or from an older owner) carries no footer: the replica keeps the footer it has.
//!
//! The byte after the record is the layout's revision: 2 says a footer follows. A later
//! revision may only append after the footer, so this node reads the footer of any revision
//! from 2 up and ignores what follows it.

use std::sync::atomic::Ordering;

use govnode_federation::{ApplyError, Entry, encode_payload};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use super::claim::{SiteClaim, settle_site_claim};
use super::{ContentApplier, SiteRecord, V1, failed};
use crate::SiteFooter;

/// The revision of the site payload that appends the footer.
const WITH_FOOTER: u8 = 2;
/// The revision that appends, after the footer, whether the site is archived.
const WITH_ARCHIVED: u8 = 3;
/// The revision that appends, after the flag, the site's host names.
const WITH_HOSTS: u8 = 4;

/// What a site payload of any revision carries.
#[derive(Debug)]
pub(super) struct SitePayload {
    /// The record every revision has.
    pub record: SiteRecord,
    /// The footer, from revision 2.
    pub footer: Option<SiteFooter>,
    /// Whether the owner archived the site, from revision 3.
    pub archived: Option<bool>,
    /// The host names the owner serves the site under, from revision 4.
    pub hosts: Option<Vec<String>>,
}

/// A site's footer as its entry carries it (positional: never reorder, only append in a
/// new revision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FooterRecord {
    site_code: String,
    icp_record: String,
    police_record: String,
    conac_id: String,
    undertaker: String,
    phone: String,
    address: String,
    email: String,
}

impl From<&SiteFooter> for FooterRecord {
    fn from(f: &SiteFooter) -> Self {
        FooterRecord {
            site_code: f.site_code.clone(),
            icp_record: f.icp_record.clone(),
            police_record: f.police_record.clone(),
            conac_id: f.conac_id.clone(),
            undertaker: f.undertaker.clone(),
            phone: f.phone.clone(),
            address: f.address.clone(),
            email: f.email.clone(),
        }
    }
}

impl From<FooterRecord> for SiteFooter {
    fn from(f: FooterRecord) -> Self {
        SiteFooter {
            site_code: f.site_code,
            icp_record: f.icp_record,
            police_record: f.police_record,
            conac_id: f.conac_id,
            undertaker: f.undertaker,
            phone: f.phone,
            address: f.address,
            email: f.email,
        }
    }
}

/// The V4 payload of a site: the V1 record, the revision byte, the footer, the archived
/// flag, the host names.
pub(super) fn encode_site(
    record: &SiteRecord,
    footer: &SiteFooter,
    archived: bool,
    hosts: &[String],
) -> Vec<u8> {
    // A tuple is encoded as its fields one after another.
    encode_payload(
        V1,
        &(
            record,
            WITH_HOSTS,
            FooterRecord::from(footer),
            archived,
            hosts,
        ),
    )
}

fn refused(what: &str, e: impl std::fmt::Display) -> ApplyError {
    ApplyError::Refused(format!("site payload {what}: {e}"))
}

/// Reads a site payload of any revision: the record, and what its revision appends.
pub(super) fn decode_site(payload: &[u8]) -> Result<SitePayload, ApplyError> {
    let (&version, rest) = payload
        .split_first()
        .ok_or_else(|| ApplyError::Refused("empty payload".into()))?;
    if version != V1 {
        return Err(ApplyError::Refused(format!(
            "unsupported payload version {version}"
        )));
    }
    let (record, rest) =
        postcard::take_from_bytes::<SiteRecord>(rest).map_err(|e| refused("v1", e))?;
    let Some((&revision, rest)) = rest.split_first() else {
        return Ok(SitePayload {
            record,
            footer: None,
            archived: None,
            hosts: None,
        });
    };
    if revision < WITH_FOOTER {
        return Err(refused(
            "revision",
            format!("{revision} follows the record; revisions start at {WITH_FOOTER}"),
        ));
    }
    let (footer, rest) = postcard::take_from_bytes::<FooterRecord>(rest)
        .map_err(|e| refused(&format!("revision {revision}, footer"), e))?;
    let (archived, rest) = if revision >= WITH_ARCHIVED {
        let (archived, rest) = postcard::take_from_bytes::<bool>(rest)
            .map_err(|e| refused(&format!("revision {revision}, archived"), e))?;
        (Some(archived), rest)
    } else {
        (None, rest)
    };
    let hosts = if revision >= WITH_HOSTS {
        // What a later revision appends after the hosts is left to the nodes that know it.
        let (hosts, _later) = postcard::take_from_bytes::<Vec<String>>(rest)
            .map_err(|e| refused(&format!("revision {revision}, hosts"), e))?;
        Some(hosts)
    } else {
        None
    };
    Ok(SitePayload {
        record,
        footer: Some(footer.into()),
        archived,
        hosts,
    })
}

impl ContentApplier {
    /// Applies a site entry: the claim on its id settled, the row written (with the footer
    /// when the entry carries one, checked as local input is checked).
    pub(super) async fn apply_site(
        &self,
        tx: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let origin = entry.origin.to_string();
        let hlc = entry.hlc as i64;
        let SitePayload {
            record: r,
            footer,
            archived,
            hosts,
        } = decode_site(payload)?;
        if r.id != entry.object {
            return Err(ApplyError::Refused(format!(
                "site entry for `{}` carries site `{}`",
                entry.object, r.id
            )));
        }
        // Refused before anything is written: a modified node must not put on this node's
        // pages what its own API would refuse.
        if let Some(f) = &footer
            && let Err(e) = f.validate(true)
        {
            tracing::warn!(%origin, site = %r.id, error = %e, "replicated site footer refused");
            return Err(ApplyError::Refused(format!(
                "site `{}` carries a footer this node does not accept: {e}",
                r.id
            )));
        }
        if let Some(bad) = hosts
            .iter()
            .flatten()
            .find(|h| crate::sites::check_host(h).is_err())
        {
            return Err(ApplyError::Refused(format!(
                "site `{}` carries host name {bad:?}, not a lowercase host name",
                r.id
            )));
        }
        match settle_site_claim(&mut *tx, &r.id, &origin, hlc, &self.me, &self.lineage).await? {
            SiteClaim::Stale => return Ok(()),
            SiteClaim::Apply => {}
            // The former holder's template overrides leave the renderer.
            SiteClaim::Took(_) => {
                self.templates_applied.fetch_add(1, Ordering::Relaxed);
            }
        }
        sqlx::query(
            "INSERT INTO sites (id, name, hosts, owner_body, body_code, region, shutdown, shutdown_message, created_ms, origin, entry_hlc) \
             VALUES ($1, $2, '', $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             owner_body = excluded.owner_body, body_code = excluded.body_code, region = excluded.region, shutdown = excluded.shutdown, \
             shutdown_message = excluded.shutdown_message, entry_hlc = excluded.entry_hlc",
        )
        .bind(&r.id)
        .bind(&r.name)
        .bind(&r.owner_body)
        .bind(&r.body_code)
        .bind(&r.region)
        .bind(r.shutdown as i64)
        .bind(&r.shutdown_message)
        .bind(r.created_ms)
        .bind(&origin)
        .bind(hlc)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        // Kept apart from `hosts`: this node does not answer for the owner's names.
        if let Some(hosts) = hosts {
            sqlx::query("UPDATE sites SET owner_hosts = $1 WHERE id = $2")
                .bind(hosts.join(","))
                .bind(&r.id)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
        }
        // A V1 entry says nothing of the footer: the replica keeps what it has.
        if let Some(f) = footer {
            crate::footer::store_footer(&mut *tx, &r.id, &f)
                .await
                .map_err(failed)?;
        }
        if let Some(archived) = archived
            && crate::sites::apply_archived(&mut *tx, &r.id, archived, &origin)
                .await
                .map_err(failed)?
        {
            crate::sites::renumber_published(&mut *tx, &r.id)
                .await
                .map_err(failed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_federation::decode_payload;

    fn record() -> SiteRecord {
        SiteRecord {
            id: "tianhe".into(),
            name: "天河区人民政府".into(),
            owner_body: "天河区人民政府办公室".into(),
            body_code: "006940060".into(),
            region: "440106".into(),
            shutdown: false,
            shutdown_message: String::new(),
            created_ms: 1_767_225_600_000,
        }
    }

    fn footer() -> SiteFooter {
        SiteFooter {
            site_code: "4401060001".into(),
            icp_record: "粤ICP备05070829号".into(),
            police_record: "粤公网安备 44010602000195号".into(),
            conac_id: "BFC1D08BF3309DDCE05310291AAC2C98".into(),
            undertaker: "天河区政务服务数据管理局".into(),
            phone: "020-38622222".into(),
            address: "广州市天河区天府路1号".into(),
            email: "webmaster@thnet.gov.cn".into(),
        }
    }

    fn fields(r: &SiteRecord) -> (String, String, i64) {
        (r.id.clone(), r.name.clone(), r.created_ms)
    }

    /// The V1 payload as nodes before the footer wrote it: the record as a tuple of the
    /// same fields in the same order (postcard encodes both alike).
    fn v1_bytes(r: &SiteRecord) -> Vec<u8> {
        let tuple = (
            r.id.as_str(),
            r.name.as_str(),
            r.owner_body.as_str(),
            r.body_code.as_str(),
            r.region.as_str(),
            r.shutdown,
            r.shutdown_message.as_str(),
            r.created_ms,
        );
        encode_payload(1, &tuple)
    }

    #[test]
    fn a_v1_payload_still_decodes_without_a_footer() {
        let r = record();
        let bytes = v1_bytes(&r);
        assert_eq!(bytes, encode_payload(V1, &r), "the V1 layout is unchanged");
        let read = decode_site(&bytes).unwrap();
        assert_eq!(fields(&read.record), fields(&r));
        assert_eq!((read.footer, read.archived), (None, None));
    }

    #[test]
    fn a_v4_payload_carries_footer_flag_and_hosts_and_is_v1_to_an_older_node() {
        let r = record();
        let hosts = vec!["www.thnet.gov.cn".to_string(), "thnet.gov.cn".to_string()];
        let bytes = encode_site(&r, &footer(), true, &hosts);
        assert!(
            bytes.starts_with(&v1_bytes(&r)),
            "V1 first, then the footer"
        );
        assert_eq!(bytes[v1_bytes(&r).len()], WITH_HOSTS);
        let read = decode_site(&bytes).unwrap();
        assert_eq!(fields(&read.record), fields(&r));
        assert_eq!(read.footer, Some(footer()));
        assert_eq!(read.archived, Some(true));
        assert_eq!(read.hosts, Some(hosts.clone()));
        // A V3 payload (an older owner's): the flag, nothing said of host names.
        let v3 = encode_payload(
            V1,
            &(&r, WITH_ARCHIVED, FooterRecord::from(&footer()), false),
        );
        let read = decode_site(&v3).unwrap();
        assert_eq!((read.archived, read.hosts), (Some(false), None));
        // A V2 payload (an older owner's): the footer, nothing said of archiving.
        let v2 = encode_payload(V1, &(&r, WITH_FOOTER, FooterRecord::from(&footer())));
        let read = decode_site(&v2).unwrap();
        assert_eq!((read.footer, read.archived), (Some(footer()), None));
        // A node that knows revision 2 only reads the footer and ignores the flag after it.
        let (old, _, old_footer, _rest): (SiteRecord, u8, FooterRecord, bool) =
            postcard::from_bytes(&bytes[1..]).unwrap();
        assert_eq!(
            (fields(&old), SiteFooter::from(old_footer)),
            (fields(&r), footer())
        );
        // An older node's reading (`decode` as it has always been): version 1, the record.
        let (version, old): (u8, SiteRecord) = decode_payload(&bytes).unwrap();
        assert_eq!((version, fields(&old)), (1, fields(&r)));
        let old: SiteRecord = super::super::decode(&bytes).unwrap();
        assert_eq!(old.shutdown_message, r.shutdown_message);
        // An empty footer travels as such (it clears the replica's).
        let none = decode_site(&encode_site(&r, &SiteFooter::default(), false, &[])).unwrap();
        assert_eq!(none.footer, Some(SiteFooter::default()));
        assert_eq!(none.archived, Some(false));
        assert_eq!(none.hosts, Some(vec![]));
    }

    #[test]
    fn later_revisions_keep_the_footer_readable_and_bad_tails_are_refused() {
        let r = record();
        // A revision 5 that appends a field after the hosts.
        let hosts = vec!["www.thnet.gov.cn".to_string()];
        let later = encode_payload(
            V1,
            &(
                &r,
                5u8,
                FooterRecord::from(&footer()),
                true,
                &hosts,
                "以后的字段",
            ),
        );
        let read = decode_site(&later).unwrap();
        assert_eq!((read.footer, read.archived), (Some(footer()), Some(true)));
        assert_eq!(read.hosts, Some(hosts));
        // A tail that is not a revision, or a footer cut short: refused with a reason.
        let mut bad = v1_bytes(&r);
        bad.push(1);
        let Err(ApplyError::Refused(why)) = decode_site(&bad) else {
            panic!("revision 1 after the record");
        };
        assert!(why.contains("revision"), "{why}");
        let mut cut = encode_site(&r, &footer(), false, &[]);
        cut.truncate(cut.len() - 4);
        let Err(ApplyError::Refused(why)) = decode_site(&cut) else {
            panic!("a footer cut short");
        };
        assert!(why.contains("footer"), "{why}");
        let mut newer = encode_site(&r, &footer(), false, &[]);
        newer[0] = 2;
        assert!(matches!(decode_site(&newer), Err(ApplyError::Refused(_))));
        assert!(matches!(decode_site(&[]), Err(ApplyError::Refused(_))));
    }
}
