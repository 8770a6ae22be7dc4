//! Reading and writing tickets, events, personal data and bodies.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use crate::model::{Attachment, Body, EventRecord, Personal, TicketRecord};

pub(crate) const TICKET_COLUMNS: &str = "code, kind, subject, content, body_id, filed_node, filed_site, state, consent_public, password_hash, attachments, filed_ms, accepted_day, due_day, paused_days, paused_since, extended, reply, reply_body, replied_ms, rating, rating_comment, version";

pub(crate) fn ticket(r: &AnyRow) -> Result<TicketRecord, sqlx::Error> {
    let attachments: String = r.try_get("attachments")?;
    Ok(TicketRecord {
        code: r.try_get("code")?,
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        content: r.try_get("content")?,
        body_id: r.try_get("body_id")?,
        filed_node: r.try_get("filed_node")?,
        filed_site: r.try_get("filed_site")?,
        state: r.try_get("state")?,
        consent_public: r.try_get::<i64, _>("consent_public")? != 0,
        password_hash: r.try_get("password_hash")?,
        attachments: serde_json::from_str(&attachments).unwrap_or_default(),
        filed_ms: r.try_get("filed_ms")?,
        accepted_day: r.try_get("accepted_day")?,
        due_day: r.try_get("due_day")?,
        paused_days: r.try_get::<i64, _>("paused_days")? as u32,
        paused_since: r.try_get("paused_since")?,
        extended: r.try_get::<i64, _>("extended")? != 0,
        reply: r.try_get("reply")?,
        reply_body: r.try_get("reply_body")?,
        replied_ms: r.try_get("replied_ms")?,
        rating: r.try_get::<i64, _>("rating")? as u8,
        rating_comment: r.try_get("rating_comment")?,
        version: r.try_get::<i64, _>("version")? as u64,
    })
}

/// A ticket by code, with whether this node holds it (its body is here).
pub(crate) async fn get(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<(TicketRecord, bool)>, sqlx::Error> {
    let sql = format!("SELECT {TICKET_COLUMNS}, holder FROM tickets WHERE code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((ticket(&r)?, r.try_get::<i64, _>("holder")? != 0)))
        .transpose()
}

/// Tickets matching a WHERE clause written here (never from input) with binds.
pub(crate) async fn list(
    conn: &mut AnyConnection,
    filter: &'static str,
    binds: &[&str],
    limit: i64,
) -> Result<Vec<TicketRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE {filter} ORDER BY filed_ms DESC LIMIT {limit}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_all(&mut *conn).await?.iter().map(ticket).collect()
}

/// Inserts or replaces a ticket when `t.version` is newer than what is stored.
///
/// Two nodes may change a ticket apart (the citizen rates at the filing node while the
/// handler closes it at the body's node), giving two versions with one number. The merge
/// converges whatever the order: on a tie the change made by the node of the body the
/// stored ticket is with wins (`from` names the node the change came from; empty for this
/// node's own, which always raise the version), and a rating, given once by the citizen,
/// is kept from whichever side has it.
pub(crate) async fn put(
    conn: &mut AnyConnection,
    t: &TicketRecord,
    holder: bool,
    now_ms: i64,
    from: &str,
) -> Result<(), sqlx::Error> {
    let body_node = Body::node_of(&t.body_id).unwrap_or_default().to_string();
    sqlx::query(
        "INSERT INTO tickets (code, kind, subject, content, body_id, body_node, filed_node, filed_site, state, consent_public, password_hash,
            attachments, filed_ms, accepted_day, due_day, paused_days, paused_since, extended, reply, reply_body, replied_ms, rating,
            rating_comment, version, holder, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)
         ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, subject = excluded.subject, content = excluded.content,
            body_id = excluded.body_id, body_node = excluded.body_node, state = excluded.state, consent_public = excluded.consent_public,
            attachments = excluded.attachments, accepted_day = excluded.accepted_day, due_day = excluded.due_day,
            paused_days = excluded.paused_days, paused_since = excluded.paused_since, extended = excluded.extended,
            reply = excluded.reply, reply_body = excluded.reply_body, replied_ms = excluded.replied_ms,
            rating = CASE WHEN excluded.rating > 0 THEN excluded.rating ELSE tickets.rating END,
            rating_comment = CASE WHEN excluded.rating > 0 THEN excluded.rating_comment ELSE tickets.rating_comment END,
            version = excluded.version, holder = excluded.holder, updated_ms = excluded.updated_ms
         WHERE excluded.version > tickets.version
            OR (excluded.version = tickets.version AND tickets.body_node = $27)",
    )
    .bind(&t.code)
    .bind(&t.kind)
    .bind(&t.subject)
    .bind(&t.content)
    .bind(&t.body_id)
    .bind(body_node)
    .bind(&t.filed_node)
    .bind(&t.filed_site)
    .bind(&t.state)
    .bind(i64::from(t.consent_public))
    .bind(&t.password_hash)
    .bind(serde_json::to_string(&t.attachments).unwrap_or_else(|_| "[]".into()))
    .bind(t.filed_ms)
    .bind(&t.accepted_day)
    .bind(&t.due_day)
    .bind(i64::from(t.paused_days))
    .bind(&t.paused_since)
    .bind(i64::from(t.extended))
    .bind(&t.reply)
    .bind(&t.reply_body)
    .bind(t.replied_ms)
    .bind(i64::from(t.rating))
    .bind(&t.rating_comment)
    .bind(t.version as i64)
    .bind(i64::from(holder))
    .bind(now_ms)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    if t.rating > 0 {
        // A change that lost the merge may still carry the citizen's rating.
        sqlx::query(
            "UPDATE tickets SET rating = $1, rating_comment = $2 WHERE code = $3 AND rating = 0",
        )
        .bind(i64::from(t.rating))
        .bind(&t.rating_comment)
        .bind(&t.code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records an event (once).
pub(crate) async fn add_event(
    conn: &mut AnyConnection,
    code: &str,
    e: &EventRecord,
    actor: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ticket_events (id, code, at_ms, node, actor, action, state, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&e.id)
    .bind(code)
    .bind(e.at_ms)
    .bind(&e.node)
    .bind(actor)
    .bind(&e.action)
    .bind(&e.state)
    .bind(&e.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A ticket's events, oldest first.
pub(crate) async fn events(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<EventRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at_ms, node, action, state, detail FROM ticket_events WHERE code = $1 ORDER BY at_ms, id",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventRecord {
                id: r.try_get(0)?,
                at_ms: r.try_get(1)?,
                node: r.try_get(2)?,
                action: r.try_get(3)?,
                state: r.try_get(4)?,
                detail: r.try_get(5)?,
            })
        })
        .collect()
}

/// Codes per batched query: well under SQLite's limit on bound parameters.
const BATCH: usize = 500;

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The events of many tickets, oldest first, by code (one query per 500 tickets).
pub(crate) async fn events_of(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<HashMap<String, Vec<EventRecord>>, sqlx::Error> {
    let mut out: HashMap<String, Vec<EventRecord>> = HashMap::new();
    for chunk in codes.chunks(BATCH) {
        let sql = format!(
            "SELECT code, id, at_ms, node, action, state, detail FROM ticket_events
             WHERE code IN ({}) ORDER BY at_ms, id",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for code in chunk {
            q = q.bind(code);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.entry(r.try_get(0)?).or_default().push(EventRecord {
                id: r.try_get(1)?,
                at_ms: r.try_get(2)?,
                node: r.try_get(3)?,
                action: r.try_get(4)?,
                state: r.try_get(5)?,
                detail: r.try_get(6)?,
            });
        }
    }
    Ok(out)
}

/// The personal data of many tickets, by code (one query per 500 tickets).
pub(crate) async fn personal_of(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<HashMap<String, Personal>, sqlx::Error> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(BATCH) {
        let sql = format!(
            "SELECT code, name, phone, id_number, email FROM ticket_personal WHERE code IN ({})",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for code in chunk {
            q = q.bind(code);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(
                r.try_get(0)?,
                Personal {
                    name: r.try_get(1)?,
                    phone: r.try_get(2)?,
                    id_number: r.try_get(3)?,
                    email: r.try_get(4)?,
                },
            );
        }
    }
    Ok(out)
}

/// Stores the citizen's personal data.
pub(crate) async fn put_personal(
    conn: &mut AnyConnection,
    code: &str,
    p: &Personal,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ticket_personal (code, name, phone, id_number, email) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, phone = excluded.phone, id_number = excluded.id_number, email = excluded.email",
    )
    .bind(code)
    .bind(&p.name)
    .bind(&p.phone)
    .bind(&p.id_number)
    .bind(&p.email)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The citizen's personal data, if held here.
pub(crate) async fn personal(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<Personal>, sqlx::Error> {
    let row =
        sqlx::query("SELECT name, phone, id_number, email FROM ticket_personal WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|r| {
        Ok(Personal {
            name: r.try_get(0)?,
            phone: r.try_get(1)?,
            id_number: r.try_get(2)?,
            email: r.try_get(3)?,
        })
    })
    .transpose()
}

/// Forgets personal data (a ticket transferred to a body on another node).
pub(crate) async fn drop_personal(conn: &mut AnyConnection, code: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ticket_personal WHERE code = $1")
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Inserts or updates a body.
pub(crate) async fn put_body(
    conn: &mut AnyConnection,
    b: &Body,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO interaction_bodies (id, node, name, superior, public_key, updated_ms) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, superior = excluded.superior, public_key = excluded.public_key,
           updated_ms = excluded.updated_ms",
    )
    .bind(&b.id)
    .bind(&b.node)
    .bind(&b.name)
    .bind(&b.superior)
    .bind(&b.public_key)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every known body, by node then id.
pub(crate) async fn bodies(conn: &mut AnyConnection) -> Result<Vec<Body>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, node, name, superior, public_key FROM interaction_bodies ORDER BY node, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Body {
                id: r.try_get(0)?,
                node: r.try_get(1)?,
                name: r.try_get(2)?,
                superior: r.try_get(3)?,
                public_key: r.try_get(4)?,
            })
        })
        .collect()
}

/// Stores attachments (once per ticket and hash).
pub(crate) async fn put_attachments(
    conn: &mut AnyConnection,
    code: &str,
    files: &[Attachment],
) -> Result<(), sqlx::Error> {
    for f in files {
        sqlx::query(
            "INSERT INTO ticket_attachments (code, hash, name, mime, bytes) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code, hash) DO NOTHING",
        )
        .bind(code)
        .bind(&f.hash)
        .bind(&f.name)
        .bind(&f.mime)
        .bind(&f.bytes)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A ticket's attachments.
pub(crate) async fn attachments(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<Attachment>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT hash, name, mime, bytes FROM ticket_attachments WHERE code = $1 ORDER BY hash",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                hash: r.try_get(0)?,
                name: r.try_get(1)?,
                mime: r.try_get(2)?,
                bytes: r.try_get(3)?,
            })
        })
        .collect()
}

/// Forgets attachments (a ticket handed to another node).
pub(crate) async fn drop_attachments(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ticket_attachments WHERE code = $1")
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A ticket's wrong tracking passwords: (first of the window, how many), if any.
pub(crate) async fn password_failures(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query("SELECT since_ms, n FROM ticket_password_failures WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// Counts a wrong tracking password at `now_ms`; a window older than `window_ms` starts
/// over.
pub(crate) async fn count_password_failure(
    conn: &mut AnyConnection,
    code: &str,
    now_ms: i64,
    window_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ticket_password_failures (code, since_ms, n) VALUES ($1, $2, 1)
         ON CONFLICT (code) DO UPDATE SET
            n = CASE WHEN ticket_password_failures.since_ms <= $3 THEN 1 ELSE ticket_password_failures.n + 1 END,
            since_ms = CASE WHEN ticket_password_failures.since_ms <= $3 THEN excluded.since_ms ELSE ticket_password_failures.since_ms END",
    )
    .bind(code)
    .bind(now_ms)
    .bind(now_ms - window_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A good tracking password: clears the count of wrong ones, and replaces the stored hash
/// `(new, old)` when given (an old blake3 hash by an argon2 one; only if it is still `old`).
pub(crate) async fn password_opened(
    conn: &mut AnyConnection,
    code: &str,
    rehash: Option<(&str, &str)>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ticket_password_failures WHERE code = $1")
        .bind(code)
        .execute(&mut *conn)
        .await?;
    if let Some((new, old)) = rehash {
        sqlx::query("UPDATE tickets SET password_hash = $1 WHERE code = $2 AND password_hash = $3")
            .bind(new)
            .bind(code)
            .bind(old)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
