//! The column entry's payload. Like the site's (see `site`), it grows by appending after
//! the positional V1 record, keeping version byte 1, so an older node keeps applying a
//! column's name, parent and position and ignores what it does not know:
//!
//! ```text
//! V1: [1] ColumnRecord
//! V2: [1] ColumnRecord [2] archived_ms: Option<i64>   (archived since, 撤销)
//! ```
//!
//! A V1 payload carries no archive state: the column is in use.

use govnode_federation::{ApplyError, encode_payload};

use super::{ColumnRecord, V1};

/// The revision of the column payload that appends the archive state.
const WITH_ARCHIVE: u8 = 2;

/// The V2 payload of a column.
pub(super) fn encode_column(record: &ColumnRecord, archived_ms: Option<i64>) -> Vec<u8> {
    encode_payload(V1, &(record, WITH_ARCHIVE, archived_ms))
}

fn refused(what: &str, e: impl std::fmt::Display) -> ApplyError {
    ApplyError::Refused(format!("column payload {what}: {e}"))
}

/// Reads a column payload of any revision: the record and since when it is archived.
pub(super) fn decode_column(payload: &[u8]) -> Result<(ColumnRecord, Option<i64>), ApplyError> {
    let (&version, rest) = payload
        .split_first()
        .ok_or_else(|| ApplyError::Refused("empty payload".into()))?;
    if version != V1 {
        return Err(ApplyError::Refused(format!(
            "unsupported payload version {version}"
        )));
    }
    let (record, rest) =
        postcard::take_from_bytes::<ColumnRecord>(rest).map_err(|e| refused("v1", e))?;
    let Some((&revision, rest)) = rest.split_first() else {
        return Ok((record, None));
    };
    if revision < WITH_ARCHIVE {
        return Err(refused(
            "revision",
            format!("{revision} follows the record; revisions start at {WITH_ARCHIVE}"),
        ));
    }
    let (archived_ms, _later) =
        postcard::take_from_bytes::<Option<i64>>(rest).map_err(|e| refused("archive", e))?;
    Ok((record, archived_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ColumnRecord {
        ColumnRecord {
            site: "gd".into(),
            slug: "tzgg".into(),
            parent_slug: None,
            name: "通知公告".into(),
            kind: "notice".into(),
            update_interval_days: Some(7),
            position: 2,
            template_set: None,
            created_ms: 1,
        }
    }

    #[test]
    fn every_revision_reads_back_and_an_older_reader_keeps_the_record() {
        let v2 = encode_column(&record(), Some(42));
        let (r, archived) = decode_column(&v2).unwrap();
        assert_eq!(
            (r.slug.as_str(), r.position, archived),
            ("tzgg", 2, Some(42))
        );
        // A V1 payload (an older owner): in use.
        let v1 = encode_payload(V1, &record());
        assert_eq!(decode_column(&v1).unwrap().1, None);
        // A node knowing only V1 reads the record of a V2 payload.
        let (_, old) = govnode_federation::decode_payload::<ColumnRecord>(&v2).unwrap();
        assert_eq!(old.name, "通知公告");
        // Something appended later is ignored.
        let mut later = encode_column(&record(), None);
        later.extend([9, 9, 9]);
        assert_eq!(decode_column(&later).unwrap().1, None);
    }
}
