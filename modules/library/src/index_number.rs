//! Index numbers (索引号) as disclosure catalogues print them:
//! `{body code}/{theme code}-{year}-{sequence:05}`, e.g. `006939748/01-2024-00012`.
//! The sequence runs per issuing body and year, without gaps, assigned at first publication.

use sqlx::{AnyConnection, Row};

use crate::LibraryError;

/// The parts an index number is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexNumber {
    /// Organisation code of the issuing body.
    pub body_code: String,
    /// Theme classification code.
    pub theme_code: String,
    /// Year of publication.
    pub year: i32,
    /// Sequence within body and year.
    pub seq: i64,
}

impl std::fmt::Display for IndexNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}-{}-{:05}",
            self.body_code, self.theme_code, self.year, self.seq
        )
    }
}

/// Takes the next sequence for (body, year) inside the caller's transaction.
pub async fn assign_index_number(
    conn: &mut AnyConnection,
    body_code: &str,
    theme_code: &str,
    year: i32,
) -> Result<IndexNumber, LibraryError> {
    let seq = reserve_index_numbers(conn, body_code, year, 1).await?;
    Ok(IndexNumber {
        body_code: body_code.into(),
        theme_code: theme_code.into(),
        year,
        seq,
    })
}

/// Reserves `count` consecutive sequences for (body, year) inside the caller's transaction
/// and returns the first; a bulk import takes one block per year instead of one per document.
pub async fn reserve_index_numbers(
    conn: &mut AnyConnection,
    body_code: &str,
    year: i32,
    count: i64,
) -> Result<i64, LibraryError> {
    if body_code.is_empty() {
        return Err(LibraryError::Invalid {
            field: "body_code",
            message: "the site has no body code".into(),
        });
    }
    let row = sqlx::query(
        "INSERT INTO index_sequences (body_code, year, last_seq) VALUES ($1, $2, $3) \
         ON CONFLICT (body_code, year) DO UPDATE SET last_seq = index_sequences.last_seq + $3 \
         RETURNING last_seq",
    )
    .bind(body_code)
    .bind(i64::from(year))
    .bind(count)
    .fetch_one(&mut *conn)
    .await?;
    let last: i64 = row.try_get("last_seq")?;
    Ok(last - count + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_a_disclosure_catalogue() {
        let n = IndexNumber {
            body_code: "006939748".into(),
            theme_code: "01".into(),
            year: 2024,
            seq: 12,
        };
        assert_eq!(n.to_string(), "006939748/01-2024-00012");
    }
}
