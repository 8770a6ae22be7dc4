//! Notices of the letters desk (办件提醒): a letter arrived at a body of this node (filed
//! here, transferred or routed here), an open letter due soon or overdue, an overdue letter
//! of a level below escalated to this node. Each is written in the transaction of what it
//! tells, once (its id names the ticket and the deadline or arrival); handlers read them in
//! the console, each person marking their own as read, and the mail worker e-mails them.

use chrono::NaiveDate;
use govnode_federation::now_ms;
use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use crate::deadline::DeadlineStatus;
use crate::model::{TicketRecord, TicketState};
use crate::service::Interaction;
use crate::{InteractionError, store};

/// Mail attempts after which a notice is no longer e-mailed (it stays in the console).
pub const MAX_MAIL_ATTEMPTS: i64 = 8;

/// Notices older than this (ms) are no longer e-mailed: mail switched on later does not
/// flood handlers with old news (the console keeps them).
const MAIL_WITHIN_MS: i64 = 3 * 24 * 3_600_000;

/// What a notice tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A letter arrived at the body.
    Arrived,
    /// An open letter is due within the warning days.
    DueSoon,
    /// An open letter is past its due day.
    Overdue,
    /// An overdue letter of a level below was escalated to this node.
    Escalated,
}

impl NoticeKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Arrived => "arrived",
            NoticeKind::DueSoon => "due_soon",
            NoticeKind::Overdue => "overdue",
            NoticeKind::Escalated => "escalated",
        }
    }

    /// From the stored code.
    pub fn parse(s: &str) -> Option<NoticeKind> {
        [
            NoticeKind::Arrived,
            NoticeKind::DueSoon,
            NoticeKind::Overdue,
            NoticeKind::Escalated,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::Arrived => "新来信",
            NoticeKind::DueSoon => "即将到期",
            NoticeKind::Overdue => "已超期",
            NoticeKind::Escalated => "超期督办",
        }
    }
}

/// One notice.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// Its id.
    pub id: String,
    /// The body whose handlers are told (an escalation: the superior body, or '' for the node).
    pub body_id: String,
    /// The body the ticket is with.
    pub ticket_body: String,
    /// What it tells.
    pub kind: NoticeKind,
    /// The ticket's tracking code.
    pub code: String,
    /// The ticket's subject.
    pub subject: String,
    /// The due day (`YYYY-MM-DD`), '' before acceptance.
    pub due_day: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// Whether it was e-mailed.
    pub mailed: bool,
    /// Failed mail attempts.
    pub mail_attempts: i64,
    /// Whether the person asking has read it (false where nobody asked).
    pub read: bool,
}

/// Unread notices of a person, by kind.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NoticeCounts {
    /// New letters.
    pub arrived: i64,
    /// Due soon.
    pub due_soon: i64,
    /// Overdue.
    pub overdue: i64,
    /// Escalated from below.
    pub escalated: i64,
}

/// Whose notices a person sees: their handler bodies, and with `node` the node-level ones
/// (platform administrators: `all`).
#[derive(Debug, Clone, Default)]
pub struct NoticeScope {
    /// Every notice (platform administrators).
    pub all: bool,
    /// The bodies whose notices are shown.
    pub bodies: Vec<String>,
}

impl NoticeScope {
    fn filter(&self) -> (String, Vec<String>) {
        if self.all {
            return ("1 = 1".into(), Vec::new());
        }
        if self.bodies.is_empty() {
            return ("1 = 0".into(), Vec::new());
        }
        let marks: Vec<String> = (0..self.bodies.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        (
            format!("n.body_id IN ({})", marks.join(", ")),
            self.bodies.clone(),
        )
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    conn: &mut AnyConnection,
    id: String,
    body_id: &str,
    ticket_body: &str,
    kind: NoticeKind,
    code: &str,
    subject: &str,
    due_day: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO interaction_notices (id, body_id, ticket_body, kind, code, subject, due_day, at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(body_id)
    .bind(ticket_body)
    .bind(kind.code())
    .bind(code)
    .bind(subject)
    .bind(due_day)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// A letter arrived at its body on this node (`ticket` as stored): one notice per arrival
/// (a ticket transferred away and back arrives again, at a higher version).
pub(crate) async fn arrived(
    conn: &mut AnyConnection,
    ticket: &TicketRecord,
) -> Result<(), sqlx::Error> {
    let id = format!(
        "arrived:{}:{}:{}",
        ticket.code, ticket.body_id, ticket.version
    );
    insert(
        conn,
        id,
        &ticket.body_id,
        &ticket.body_id,
        NoticeKind::Arrived,
        &ticket.code,
        &ticket.subject,
        "",
    )
    .await
}

/// A change made here: a ticket transferred to a body of this node arrives there.
pub(crate) async fn changed(
    conn: &mut AnyConnection,
    ticket: &TicketRecord,
    action: &str,
    holder_here: bool,
) -> Result<(), sqlx::Error> {
    if holder_here && action == "transferred" {
        arrived(conn, ticket).await?;
    }
    Ok(())
}

/// An overdue ticket of a body below escalated to this node (once per level: overdue, and
/// again past the red line). Told to the handlers of the body's superior body when the
/// directory names one, else to the node (its platform administrators).
pub(crate) async fn escalated(
    conn: &mut AnyConnection,
    code: &str,
    body_id: &str,
    subject: &str,
    due_day: &str,
    red_line: bool,
) -> Result<(), sqlx::Error> {
    let id = format!("escalated:{code}:{}", u8::from(red_line));
    let superior: Option<String> =
        sqlx::query_scalar("SELECT superior FROM interaction_bodies WHERE id = $1")
            .bind(body_id)
            .fetch_optional(&mut *conn)
            .await?;
    insert(
        conn,
        id,
        superior.as_deref().unwrap_or(""),
        body_id,
        NoticeKind::Escalated,
        code,
        subject,
        due_day,
    )
    .await
}

impl Interaction {
    /// The deadline notices of one ticket held here on `today`: due soon, or overdue (one
    /// each per ticket and due day). Called by the daily deadline check.
    pub(crate) async fn deadline_notice(
        &self,
        t: &TicketRecord,
        today: NaiveDate,
    ) -> Result<(), InteractionError> {
        let open = TicketState::parse(&t.state)
            .is_some_and(|s| s.open() && s != TicketState::InfoRequested);
        let Ok(due) = NaiveDate::parse_from_str(&t.due_day, "%Y-%m-%d") else {
            return Ok(());
        };
        if !open {
            return Ok(());
        }
        let kind = match self.policy().status(&self.calendar(), due, today) {
            DeadlineStatus::DueSoon => NoticeKind::DueSoon,
            DeadlineStatus::Overdue { .. } => NoticeKind::Overdue,
            DeadlineStatus::OnTime => return Ok(()),
        };
        let id = format!("{}:{}:{}", kind.code(), t.code, t.due_day);
        // Checked on the read pool first: the check runs every minute over every open
        // ticket, and the one writer is taken only for a new notice.
        let known: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM interaction_notices WHERE id = $1")
                .bind(&id)
                .fetch_optional(&self.read)
                .await?;
        if known.is_some() {
            return Ok(());
        }
        let mut conn = self.write.acquire().await?;
        insert(
            &mut conn, id, &t.body_id, &t.body_id, kind, &t.code, &t.subject, &t.due_day,
        )
        .await?;
        Ok(())
    }

    /// The notices `scope` sees, newest first, read marks as `user`'s.
    pub async fn notices(
        &self,
        scope: &NoticeScope,
        user: i64,
        limit: i64,
    ) -> Result<Vec<Notice>, InteractionError> {
        let (filter, binds) = scope.filter();
        let sql = format!(
            "SELECT n.id, n.body_id, n.ticket_body, n.kind, n.code, n.subject, n.due_day, n.at_ms, \
             n.mailed, n.mail_attempts, CASE WHEN r.user_id IS NULL THEN 0 ELSE 1 END \
             FROM interaction_notices n LEFT JOIN interaction_notice_reads r \
             ON r.notice_id = n.id AND r.user_id = $1 WHERE {filter} \
             ORDER BY n.at_ms DESC, n.id LIMIT {}",
            limit.clamp(1, 1000)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter().map(notice_of).collect()
    }

    /// Unread notices `user` sees in `scope`, by kind.
    pub async fn notice_counts(
        &self,
        scope: &NoticeScope,
        user: i64,
    ) -> Result<NoticeCounts, InteractionError> {
        let mut counts = NoticeCounts::default();
        for n in self.notices(scope, user, 1000).await? {
            if n.read {
                continue;
            }
            match n.kind {
                NoticeKind::Arrived => counts.arrived += 1,
                NoticeKind::DueSoon => counts.due_soon += 1,
                NoticeKind::Overdue => counts.overdue += 1,
                NoticeKind::Escalated => counts.escalated += 1,
            }
        }
        Ok(counts)
    }

    /// Marks notice `id` read by `user`, if `scope` sees it; false when it does not.
    pub async fn mark_notice_read(
        &self,
        scope: &NoticeScope,
        user: i64,
        id: &str,
    ) -> Result<bool, InteractionError> {
        let Some(notice) = self.notice(id).await? else {
            return Ok(false);
        };
        if !(scope.all || scope.bodies.contains(&notice.body_id)) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO interaction_notice_reads (notice_id, user_id, at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (notice_id, user_id) DO NOTHING",
        )
        .bind(id)
        .bind(user)
        .bind(now_ms())
        .execute(&self.write)
        .await?;
        Ok(true)
    }

    /// Marks every notice `scope` sees read by `user`; returns how many were unread.
    pub async fn mark_all_notices_read(
        &self,
        scope: &NoticeScope,
        user: i64,
    ) -> Result<usize, InteractionError> {
        let unread: Vec<Notice> = self
            .notices(scope, user, 1000)
            .await?
            .into_iter()
            .filter(|n| !n.read)
            .collect();
        let mut tx = self.write.begin().await?;
        for n in &unread {
            sqlx::query(
                "INSERT INTO interaction_notice_reads (notice_id, user_id, at_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (notice_id, user_id) DO NOTHING",
            )
            .bind(&n.id)
            .bind(user)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(unread.len())
    }

    /// Notice `id`.
    pub async fn notice(&self, id: &str) -> Result<Option<Notice>, InteractionError> {
        let row = sqlx::query(
            "SELECT id, body_id, ticket_body, kind, code, subject, due_day, at_ms, mailed, mail_attempts, 0 \
             FROM interaction_notices WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(notice_of).transpose()
    }

    /// Notices not yet e-mailed whose next attempt is due at `now` (of the last three days),
    /// oldest first.
    pub async fn notices_to_mail(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<Notice>, InteractionError> {
        let rows = sqlx::query(
            "SELECT id, body_id, ticket_body, kind, code, subject, due_day, at_ms, mailed, mail_attempts, 0 \
             FROM interaction_notices WHERE mailed = 0 AND next_mail_ms <= $1 AND mail_attempts < $2 \
             AND at_ms > $4 ORDER BY at_ms, id LIMIT $3",
        )
        .bind(now)
        .bind(MAX_MAIL_ATTEMPTS)
        .bind(limit)
        .bind(now - MAIL_WITHIN_MS)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(notice_of).collect()
    }

    /// Records that notice `id` was e-mailed (the SMTP server accepted it), or that there
    /// was nobody to e-mail.
    pub async fn notice_mailed(&self, id: &str) -> Result<(), InteractionError> {
        sqlx::query("UPDATE interaction_notices SET mailed = 1 WHERE id = $1")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Records a failed mail attempt of notice `id`; the next one waits longer each time
    /// (1, 2, 4 … minutes, at most an hour). Returns the attempts made.
    pub async fn notice_mail_failed(&self, id: &str, now: i64) -> Result<i64, InteractionError> {
        let attempts: i64 = sqlx::query_scalar(
            "UPDATE interaction_notices SET mail_attempts = mail_attempts + 1 WHERE id = $1 RETURNING mail_attempts",
        )
        .bind(id)
        .fetch_one(&self.write)
        .await?;
        let wait = (60_000_i64 << (attempts - 1).clamp(0, 6)).min(3_600_000);
        sqlx::query("UPDATE interaction_notices SET next_mail_ms = $2 WHERE id = $1")
            .bind(id)
            .bind(now + wait)
            .execute(&self.write)
            .await?;
        Ok(attempts)
    }

    /// The ticket a notice is about, if still known here (its due day may have moved).
    pub async fn notice_ticket(
        &self,
        code: &str,
    ) -> Result<Option<TicketRecord>, InteractionError> {
        let mut conn = self.read.acquire().await?;
        Ok(store::get(&mut conn, code).await?.map(|(t, _)| t))
    }
}

fn notice_of(r: &sqlx::any::AnyRow) -> Result<Notice, InteractionError> {
    let kind: String = r.try_get(3)?;
    Ok(Notice {
        id: r.try_get(0)?,
        body_id: r.try_get(1)?,
        ticket_body: r.try_get(2)?,
        kind: NoticeKind::parse(&kind).unwrap_or(NoticeKind::Arrived),
        code: r.try_get(4)?,
        subject: r.try_get(5)?,
        due_day: r.try_get(6)?,
        at_ms: r.try_get(7)?,
        mailed: r.try_get::<i64, _>(8)? != 0,
        mail_attempts: r.try_get(9)?,
        read: r.try_get::<i64, _>(10)? != 0,
    })
}
