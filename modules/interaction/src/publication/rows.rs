//! Reading and writing publications: made here, received from the body's node, and the
//! approved ones with their tickets for the public lists.

use sqlx::{AnyConnection, Row as _};

use super::{PublicText, Publication, PublicationEvent, PublicationState};
use crate::handling::PublicReply;
use crate::model::{PublishedReply, TicketKind};

const COLUMNS: &str = "code, state, subject, content, reply, proposed_by, proposed_ms, reviewed_by, reviewed_ms, note, version";

fn row(r: &sqlx::any::AnyRow) -> Result<Publication, sqlx::Error> {
    let state: String = r.try_get("state")?;
    let state = PublicationState::parse(&state).unwrap_or(PublicationState::Proposed);
    Ok(Publication {
        code: r.try_get("code")?,
        state,
        state_label: state.label(),
        text: PublicText {
            subject: r.try_get("subject")?,
            content: r.try_get("content")?,
            reply: r.try_get("reply")?,
        },
        proposed_by: r.try_get("proposed_by")?,
        proposed_ms: r.try_get("proposed_ms")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_ms: r.try_get("reviewed_ms")?,
        note: r.try_get("note")?,
        version: r.try_get::<i64, _>("version")? as u64,
    })
}

pub(super) async fn get(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<Publication>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM reply_publications WHERE code = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

pub(super) async fn put(conn: &mut AnyConnection, p: &Publication) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reply_publications (code, state, subject, content, reply, proposed_by, proposed_ms, reviewed_by, reviewed_ms, note, version, origin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '')
         ON CONFLICT (code) DO UPDATE SET state = excluded.state, subject = excluded.subject, content = excluded.content,
           reply = excluded.reply, proposed_by = excluded.proposed_by, proposed_ms = excluded.proposed_ms,
           reviewed_by = excluded.reviewed_by, reviewed_ms = excluded.reviewed_ms, note = excluded.note,
           version = excluded.version, origin = ''",
    )
    .bind(&p.code)
    .bind(p.state.code())
    .bind(&p.text.subject)
    .bind(&p.text.content)
    .bind(&p.text.reply)
    .bind(&p.proposed_by)
    .bind(p.proposed_ms)
    .bind(&p.reviewed_by)
    .bind(p.reviewed_ms)
    .bind(&p.note)
    .bind(p.version as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps a publication received from the body's node `origin` (a later version wins).
pub(crate) async fn receive(
    conn: &mut AnyConnection,
    code: &str,
    p: &PublishedReply,
    origin: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reply_publications (code, state, subject, content, reply, reviewed_ms, version, origin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (code) DO UPDATE SET state = excluded.state, subject = excluded.subject, content = excluded.content,
           reply = excluded.reply, reviewed_ms = excluded.reviewed_ms, version = excluded.version, origin = excluded.origin
         WHERE excluded.version > reply_publications.version",
    )
    .bind(code)
    .bind(&p.state)
    .bind(&p.subject)
    .bind(&p.content)
    .bind(&p.reply)
    .bind(p.reviewed_ms)
    .bind(p.version as i64)
    .bind(origin)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Approved publications with their tickets: filed on `site`, or of `body`, newest reply
/// first. A publication received from another node counts only when that node is the body's.
pub(crate) async fn approved(
    conn: &mut AnyConnection,
    site: Option<&str>,
    body: Option<&str>,
    limit: i64,
) -> Result<Vec<(PublicReply, String)>, sqlx::Error> {
    let (filter, bind) = match (site, body) {
        (Some(site), _) => ("AND t.filed_site = $1", Some(site)),
        (None, Some(body)) => ("AND t.body_id = $1", Some(body)),
        (None, None) => ("", None),
    };
    let sql = format!(
        "SELECT p.code, p.subject, p.content, p.reply, t.kind, t.accepted_day, t.replied_ms, t.reply_body, t.body_id
         FROM reply_publications p JOIN tickets t ON t.code = p.code
         WHERE p.state = 'approved' AND t.consent_public = 1 AND t.replied_ms > 0
           AND (p.origin = '' OR p.origin = t.body_node) {filter}
         ORDER BY t.replied_ms DESC LIMIT {limit}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let mut out = Vec::new();
    for r in q.fetch_all(&mut *conn).await? {
        let kind: String = r.try_get("kind")?;
        let reply = PublicReply {
            code: r.try_get("code")?,
            kind: TicketKind::parse(&kind).map_or("", |k| k.label()),
            subject: r.try_get("subject")?,
            content: r.try_get("content")?,
            accepted_day: r.try_get("accepted_day")?,
            replied_day: govnode_topology::beijing::date(r.try_get("replied_ms")?),
            body: r.try_get("reply_body")?,
            reply: r.try_get("reply")?,
        };
        out.push((reply, r.try_get("body_id")?));
    }
    Ok(out)
}

/// Records a change of a publication, in the transaction of the change.
pub(super) async fn log(
    conn: &mut AnyConnection,
    p: &Publication,
    actor: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reply_publication_events (code, at_ms, actor, action, note) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&p.code)
    .bind(at_ms)
    .bind(actor)
    .bind(p.state.code())
    .bind(&p.note)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The changes of a publication, oldest first.
pub(super) async fn history(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<PublicationEvent>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT at_ms, actor, action, note FROM reply_publication_events WHERE code = $1 ORDER BY id",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let action: String = r.try_get("action")?;
            let state = PublicationState::parse(&action).unwrap_or(PublicationState::Proposed);
            Ok(PublicationEvent {
                at_ms: r.try_get("at_ms")?,
                actor: r.try_get("actor")?,
                action: state,
                label: match state {
                    PublicationState::Proposed => "提请公开",
                    PublicationState::Approved => "审核通过",
                    PublicationState::Returned => "退回",
                    PublicationState::Withdrawn => "撤回公开",
                },
                note: r.try_get("note")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use govnode_federation::testing::temp_database;

    use super::*;
    use crate::model::TicketRecord;

    fn ticket() -> TicketRecord {
        TicketRecord {
            code: "20260101ABCDEF".into(),
            kind: "consultation".into(),
            subject: "原标题 张三丰".into(),
            content: "原文".into(),
            body_id: "440100.zjj".into(),
            filed_node: "440106".into(),
            filed_site: "tianhe".into(),
            state: "replied".into(),
            consent_public: true,
            password_hash: String::new(),
            attachments: Vec::new(),
            filed_ms: 1,
            accepted_day: "2026-01-05".into(),
            due_day: String::new(),
            paused_days: 0,
            paused_since: String::new(),
            extended: false,
            reply: "原答复".into(),
            reply_body: "广州市住房和城乡建设局".into(),
            replied_ms: 2,
            rating: 0,
            rating_comment: String::new(),
            version: 3,
        }
    }

    fn published(state: &str, reply: &str, version: u64) -> PublishedReply {
        PublishedReply {
            state: state.into(),
            subject: "公开标题".into(),
            content: "公开来信".into(),
            reply: reply.into(),
            reviewed_ms: 5,
            version,
        }
    }

    #[tokio::test]
    async fn received_publications_apply_once_and_the_later_version_wins() {
        let dir = tempfile::tempdir().unwrap();
        let migrations = [
            &govnode_federation::MIGRATOR,
            &govnode_content::MIGRATOR,
            &crate::MIGRATOR,
        ];
        let (_, write) = temp_database(dir.path(), &migrations).await;
        let mut conn = write.acquire().await.unwrap();
        let code = "20260101ABCDEF";
        // Before the ticket arrives: kept, not listed.
        receive(
            &mut conn,
            code,
            &published("approved", "答复一", 2),
            "440100",
        )
        .await
        .unwrap();
        assert!(
            approved(&mut conn, Some("tianhe"), None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        crate::store::put(&mut conn, &ticket(), false, 1, "440100")
            .await
            .unwrap();
        let list = approved(&mut conn, Some("tianhe"), None, 10).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            list[0].0.subject, "公开标题",
            "the public text, never the original"
        );
        assert_eq!(list[0].0.reply, "答复一");
        // Repeated and older deliveries change nothing; a later one wins.
        receive(
            &mut conn,
            code,
            &published("approved", "答复一", 2),
            "440100",
        )
        .await
        .unwrap();
        receive(&mut conn, code, &published("withdrawn", "旧", 1), "440100")
            .await
            .unwrap();
        assert_eq!(approved(&mut conn, None, None, 10).await.unwrap().len(), 1);
        receive(
            &mut conn,
            code,
            &published("approved", "答复二", 4),
            "440100",
        )
        .await
        .unwrap();
        let list = approved(&mut conn, None, Some("440100.zjj"), 10)
            .await
            .unwrap();
        assert_eq!(list[0].0.reply, "答复二");
        receive(
            &mut conn,
            code,
            &published("withdrawn", "答复二", 5),
            "440100",
        )
        .await
        .unwrap();
        assert!(
            approved(&mut conn, None, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // From a node that is not the body's: never listed.
        receive(&mut conn, code, &published("approved", "冒充", 9), "440300")
            .await
            .unwrap();
        assert!(
            approved(&mut conn, None, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
