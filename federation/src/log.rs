//! Per-origin logs in the node's database, with heads (the version vector) and digests.
//!
//! A head is the highest *contiguous* sequence held for an origin; entries above a gap
//! wait in the log until the gap fills. The digest chains entry ids in sequence order
//! (d_n = blake3(d_{n-1} ‖ id_n)), so two nodes at the same head hold the same log iff
//! their digests match.

use crate::hlc::now_ms;
use std::collections::{BTreeMap, BTreeSet};

use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, AnyPool, Row as _};

use crate::entry::{Entry, EntryDraft};
use crate::error::FederationError;
use crate::identity::NodeKey;

/// Where an entry stands in this node's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Stored, not yet applied to local state.
    Pending = 0,
    /// Applied (or made here).
    Applied = 1,
    /// Authentic but refused by its module (e.g. a site the origin does not own).
    Refused = 2,
    /// Held without payload: this node is not entitled to the content.
    Elided = 3,
}

impl Status {
    fn from_i64(v: i64) -> Status {
        match v {
            1 => Status::Applied,
            2 => Status::Refused,
            3 => Status::Elided,
            _ => Status::Pending,
        }
    }
}

/// Origin → highest contiguous sequence held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionVector(pub BTreeMap<NodeId, u64>);

impl VersionVector {
    /// The head for an origin (0 when nothing is held).
    pub fn get(&self, origin: NodeId) -> u64 {
        self.0.get(&origin).copied().unwrap_or(0)
    }
}

/// One origin's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    /// The origin.
    pub origin: NodeId,
    /// Highest contiguous sequence held.
    pub seq: u64,
    /// Chained digest of entries 1..=seq (hex).
    pub digest: String,
    /// HLC of the entry at `seq`.
    pub hlc: u64,
    /// When the head last moved here (unix ms).
    pub updated_ms: i64,
}

/// The log store.
#[derive(Debug, Clone)]
pub struct Log {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
}

fn node(s: &str) -> Result<NodeId, FederationError> {
    s.parse()
        .map_err(|e| FederationError::Corrupt(format!("node id in log: {e}")))
}

fn decode(bytes: &[u8]) -> Result<Entry, FederationError> {
    postcard::from_bytes(bytes).map_err(|e| FederationError::Corrupt(format!("entry: {e}")))
}

fn chain(digest: &str, id: &[u8]) -> String {
    let mut prev = [0u8; 32];
    if let Ok(bytes) = hex::decode(digest)
        && bytes.len() == 32
    {
        prev.copy_from_slice(&bytes);
    }
    let mut h = blake3::Hasher::new();
    h.update(&prev);
    h.update(id);
    h.finalize().to_hex().to_string()
}

/// What inserting a batch did.
#[derive(Debug, Default)]
pub struct Inserted {
    /// Entries newly stored.
    pub stored: usize,
    /// Entries already held (same id).
    pub duplicates: usize,
    /// (origin, seq) already held with a *different* id: equivocation by the origin.
    pub conflicts: Vec<(NodeId, u64)>,
    /// Origins whose head moved.
    pub advanced: BTreeSet<NodeId>,
}

async fn head_of(
    conn: &mut AnyConnection,
    origin: NodeId,
) -> Result<(u64, String), FederationError> {
    let row = sqlx::query("SELECT seq, digest FROM fed_heads WHERE origin = $1")
        .bind(origin.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => (r.try_get::<i64, _>(0)? as u64, r.try_get(1)?),
        None => (0, String::new()),
    })
}

async fn set_head(
    conn: &mut AnyConnection,
    origin: NodeId,
    seq: u64,
    digest: &str,
    hlc: u64,
) -> Result<(), FederationError> {
    sqlx::query(
        "INSERT INTO fed_heads (origin, seq, digest, hlc, updated_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq, digest = excluded.digest,
         hlc = excluded.hlc, updated_ms = excluded.updated_ms",
    )
    .bind(origin.as_str())
    .bind(seq as i64)
    .bind(digest)
    .bind(hlc as i64)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn store(
    conn: &mut AnyConnection,
    entry: &Entry,
    status: Status,
) -> Result<(), FederationError> {
    let bytes = postcard::to_stdvec(entry).expect("entries encode");
    sqlx::query(
        "INSERT INTO fed_entries (origin, seq, hlc, kind, object, status, eid, entry, bytes, received_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.origin.as_str())
    .bind(entry.seq as i64)
    .bind(entry.hlc as i64)
    .bind(entry.kind.as_str())
    .bind(entry.object.as_str())
    .bind(status as i64)
    .bind(entry.id().to_vec())
    .bind(bytes.clone())
    .bind(bytes.len() as i64)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves an origin's head over every contiguous entry above it.
async fn advance(conn: &mut AnyConnection, origin: NodeId) -> Result<bool, FederationError> {
    let (mut seq, mut digest) = head_of(conn, origin).await?;
    let start = seq;
    let mut hlc = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT seq, eid, hlc FROM fed_entries WHERE origin = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
        )
        .bind(origin.as_str())
        .bind(seq as i64)
        .fetch_all(&mut *conn)
        .await?;
        let mut moved = false;
        for row in &rows {
            let s = row.try_get::<i64, _>(0)? as u64;
            if s != seq + 1 {
                break;
            }
            let id: Vec<u8> = row.try_get(1)?;
            digest = chain(&digest, &id);
            hlc = row.try_get::<i64, _>(2)? as u64;
            seq = s;
            moved = true;
        }
        if !moved || rows.len() < 1000 {
            break;
        }
    }
    if seq != start {
        set_head(conn, origin, seq, &digest, hlc).await?;
    }
    Ok(seq != start)
}

impl Log {
    /// A log over the node's pools (the writer pool has one connection).
    pub fn new(read: AnyPool, write: AnyPool) -> Self {
        Log { read, write }
    }

    /// Appends a local entry inside the caller's transaction (so the entry commits with
    /// the state change it records). Single-writer pool: sequences cannot race.
    pub async fn append_local(
        conn: &mut AnyConnection,
        key: &NodeKey,
        me: NodeId,
        hlc: u64,
        draft: EntryDraft,
    ) -> Result<Entry, FederationError> {
        let (seq, digest) = head_of(conn, me).await?;
        let entry = Entry::sign(key, me, seq + 1, hlc, draft);
        store(conn, &entry, Status::Applied).await?;
        set_head(conn, me, entry.seq, &chain(&digest, &entry.id()), hlc).await?;
        Ok(entry)
    }

    /// Appends several local entries inside the caller's transaction with multi-row
    /// inserts (bulk import: a few statements per hundred entries instead of three each).
    pub async fn append_local_many(
        conn: &mut AnyConnection,
        key: &NodeKey,
        me: NodeId,
        hlcs: impl Iterator<Item = u64>,
        drafts: Vec<EntryDraft>,
    ) -> Result<u64, FederationError> {
        let (mut seq, mut digest) = head_of(conn, me).await?;
        let mut hlc = 0;
        let now = now_ms();
        let mut entries = Vec::with_capacity(drafts.len());
        for (draft, h) in drafts.into_iter().zip(hlcs) {
            seq += 1;
            hlc = h;
            let entry = Entry::sign(key, me, seq, h, draft);
            digest = chain(&digest, &entry.id());
            entries.push(entry);
        }
        if entries.is_empty() {
            return Ok(seq);
        }
        const ROWS: usize = 100;
        for chunk in entries.chunks(ROWS) {
            let mut sql = String::from(
                "INSERT INTO fed_entries (origin, seq, hlc, kind, object, status, eid, entry, bytes, received_ms) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 10;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for entry in chunk {
                let bytes = postcard::to_stdvec(entry).expect("entries encode");
                q = q
                    .bind(entry.origin.as_str())
                    .bind(entry.seq as i64)
                    .bind(entry.hlc as i64)
                    .bind(entry.kind.clone())
                    .bind(entry.object.clone())
                    .bind(Status::Applied as i64)
                    .bind(entry.id().to_vec())
                    .bind(bytes.clone())
                    .bind(bytes.len() as i64)
                    .bind(now);
            }
            q.execute(&mut *conn).await?;
        }
        set_head(conn, me, seq, &digest, hlc).await?;
        Ok(seq)
    }

    /// Stores verified remote entries in one transaction and advances heads.
    pub async fn insert(&self, entries: &[(Entry, Status)]) -> Result<Inserted, FederationError> {
        let mut report = Inserted::default();
        let mut tx = self.write.begin().await?;
        let mut touched = BTreeSet::new();
        for (entry, status) in entries {
            let existing =
                sqlx::query("SELECT eid FROM fed_entries WHERE origin = $1 AND seq = $2")
                    .bind(entry.origin.as_str())
                    .bind(entry.seq as i64)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(row) => {
                    let id: Vec<u8> = row.try_get(0)?;
                    if id == entry.id() {
                        report.duplicates += 1;
                    } else {
                        report.conflicts.push((entry.origin, entry.seq));
                    }
                }
                None => {
                    store(&mut tx, entry, *status).await?;
                    report.stored += 1;
                    touched.insert(entry.origin);
                }
            }
        }
        for origin in touched {
            if advance(&mut tx, origin).await? {
                report.advanced.insert(origin);
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Every head.
    pub async fn heads(&self) -> Result<Vec<Head>, FederationError> {
        let rows = sqlx::query(
            "SELECT origin, seq, digest, hlc, updated_ms FROM fed_heads ORDER BY origin",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Head {
                    origin: node(&r.try_get::<String, _>(0)?)?,
                    seq: r.try_get::<i64, _>(1)? as u64,
                    digest: r.try_get(2)?,
                    hlc: r.try_get::<i64, _>(3)? as u64,
                    updated_ms: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// The version vector.
    pub async fn version_vector(&self) -> Result<VersionVector, FederationError> {
        Ok(VersionVector(
            self.heads()
                .await?
                .into_iter()
                .map(|h| (h.origin, h.seq))
                .collect(),
        ))
    }

    /// Up to `limit` contiguous entries of `origin` after `after`, with their status.
    pub async fn entries_after(
        &self,
        origin: NodeId,
        after: u64,
        through: u64,
        limit: u32,
    ) -> Result<Vec<(Entry, Status)>, FederationError> {
        let rows = sqlx::query(
            "SELECT entry, status FROM fed_entries WHERE origin = $1 AND seq > $2 AND seq <= $3
             ORDER BY seq LIMIT $4",
        )
        .bind(origin.as_str())
        .bind(after as i64)
        .bind(through as i64)
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let bytes: Vec<u8> = r.try_get(0)?;
                Ok((decode(&bytes)?, Status::from_i64(r.try_get(1)?)))
            })
            .collect()
    }

    /// Pending entries at or below their origin's head, oldest first per origin.
    pub async fn pending(&self, limit: u32) -> Result<Vec<Entry>, FederationError> {
        let rows = sqlx::query(
            "SELECT e.entry FROM fed_entries e JOIN fed_heads h ON h.origin = e.origin
             WHERE e.status = 0 AND e.seq <= h.seq ORDER BY e.origin, e.seq LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| decode(&r.try_get::<Vec<u8>, _>(0)?))
            .collect()
    }

    /// A transaction on the writer pool.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, FederationError> {
        Ok(self.write.begin().await?)
    }

    /// Records the outcome of applying an entry, inside the caller's transaction.
    pub async fn set_status_in(
        conn: &mut AnyConnection,
        origin: NodeId,
        seq: u64,
        status: Status,
    ) -> Result<(), FederationError> {
        sqlx::query("UPDATE fed_entries SET status = $1 WHERE origin = $2 AND seq = $3")
            .bind(status as i64)
            .bind(origin.as_str())
            .bind(seq as i64)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// The newest applied entry of a kind (e.g. the topology), by HLC.
    pub async fn latest_of_kind(&self, kind: &str) -> Result<Option<Entry>, FederationError> {
        let row = sqlx::query(
            "SELECT entry FROM fed_entries WHERE kind = $1 AND status IN (0, 1) ORDER BY hlc DESC, origin DESC LIMIT 1",
        )
        .bind(kind)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| decode(&r.try_get::<Vec<u8>, _>(0)?))
            .transpose()
    }

    /// The highest HLC in the log (the clock restarts above it).
    pub async fn max_hlc(&self) -> Result<u64, FederationError> {
        let v: Option<i64> = sqlx::query("SELECT MAX(hlc) FROM fed_entries")
            .fetch_one(&self.read)
            .await?
            .try_get(0)?;
        Ok(v.unwrap_or(0) as u64)
    }

    /// Stores a verified certificate.
    pub async fn save_certificate(
        &self,
        node_id: NodeId,
        cert: &[u8],
    ) -> Result<(), FederationError> {
        sqlx::query(
            "INSERT INTO fed_certificates (node, cert) VALUES ($1, $2)
             ON CONFLICT (node) DO UPDATE SET cert = excluded.cert",
        )
        .bind(node_id.as_str())
        .bind(cert.to_vec())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Every stored certificate (encoded).
    pub async fn certificates(&self) -> Result<Vec<Vec<u8>>, FederationError> {
        let rows = sqlx::query("SELECT cert FROM fed_certificates")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Records a rejected entry for the status page.
    pub async fn record_rejection(
        &self,
        origin: &str,
        seq: u64,
        peer: &str,
        reason: &str,
        detail: &str,
    ) -> Result<(), FederationError> {
        sqlx::query(
            "INSERT INTO fed_rejections (at_ms, origin, seq, peer, reason, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now_ms())
        .bind(origin)
        .bind(seq as i64)
        .bind(peer)
        .bind(reason)
        .bind(detail)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Rejections by reason, and the most recent ones.
    pub async fn rejections(
        &self,
        recent: u32,
    ) -> Result<(BTreeMap<String, u64>, Vec<Rejection>), FederationError> {
        let rows = sqlx::query("SELECT reason, COUNT(*) FROM fed_rejections GROUP BY reason")
            .fetch_all(&self.read)
            .await?;
        let mut counts = BTreeMap::new();
        for r in &rows {
            counts.insert(r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)? as u64);
        }
        let rows = sqlx::query(
            "SELECT at_ms, origin, seq, peer, reason, detail FROM fed_rejections ORDER BY id DESC LIMIT $1",
        )
        .bind(recent as i64)
        .fetch_all(&self.read)
        .await?;
        let list = rows
            .iter()
            .map(|r| {
                Ok(Rejection {
                    at_ms: r.try_get(0)?,
                    origin: r.try_get(1)?,
                    seq: r.try_get::<i64, _>(2)? as u64,
                    peer: r.try_get(3)?,
                    reason: r.try_get(4)?,
                    detail: r.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, FederationError>>()?;
        Ok((counts, list))
    }

    /// Number of entries held and their stored bytes.
    pub async fn size(&self) -> Result<(u64, u64), FederationError> {
        let row = sqlx::query("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM fed_entries")
            .fetch_one(&self.read)
            .await?;
        Ok((
            row.try_get::<i64, _>(0)? as u64,
            row.try_get::<i64, _>(1)? as u64,
        ))
    }
}

/// A rejected entry, as the status page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    /// When (unix ms).
    pub at_ms: i64,
    /// Claimed origin.
    pub origin: String,
    /// Claimed sequence.
    pub seq: u64,
    /// The peer that sent it.
    pub peer: String,
    /// Short reason code.
    pub reason: String,
    /// Details.
    pub detail: String,
}
