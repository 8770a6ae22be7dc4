//! A handler's inbox: every open ticket of their bodies, ranked and counted in SQL (overdue
//! first, then due soon, then the other open ones, each by due date), then the latest
//! finished ones. Nothing is read into memory but the page: a burst of thousands of letters
//! to one body leaves none of them off the list or out of the counts.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::service::{DeadlineClock, Interaction, TicketView};
use crate::store::{self, TICKET_COLUMNS};
use crate::{InteractionError, model::TicketRecord};

/// The states of an open ticket, as SQL.
pub(crate) const OPEN_STATES: &str = "('submitted', 'accepted', 'in_progress', 'info_requested')";

/// Finished tickets (refused, replied, rated, closed) an inbox lists per body (or in all,
/// for the whole node's inbox), latest filed first.
const MAX_DONE_LISTED: i64 = 200;

/// A page of a handler's inbox.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    /// The page's tickets.
    pub tickets: Vec<TicketView>,
    /// Tickets in the whole list (open, and the latest finished).
    pub total: usize,
    /// Open tickets in it.
    pub open: usize,
    /// Of which overdue.
    pub overdue: usize,
    /// Of which due soon.
    pub due_soon: usize,
    /// Where the page starts.
    pub offset: usize,
    /// Most tickets on a page.
    pub limit: usize,
}

/// `WHERE` for the tickets held here of `bodies` (None: all), binds from `$first`.
fn held_of(bodies: Option<&[String]>, first: usize) -> String {
    match bodies {
        None => "holder = 1".to_string(),
        Some([]) => "holder = 1 AND 1 = 0".to_string(),
        Some(b) => {
            let marks: Vec<String> = (first..first + b.len()).map(|i| format!("${i}")).collect();
            format!("holder = 1 AND body_id IN ({})", marks.join(", "))
        }
    }
}

/// The rank of an open ticket: 0 overdue, 1 due soon, 2 other ($1 today, $2 the last day
/// due soon).
const RANK: &str = "CASE WHEN due_day <> '' AND due_day < $1 THEN 0 \
     WHEN due_day <> '' AND due_day <= $2 THEN 1 ELSE 2 END";

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl Interaction {
    /// A page of the tickets held here for the given bodies (None: all): overdue first,
    /// then due soon, then other open tickets by due date, then the latest finished ones;
    /// with counts of the whole list.
    pub async fn inbox(
        &self,
        bodies: Option<&[String]>,
        offset: usize,
        limit: usize,
    ) -> Result<Inbox, InteractionError> {
        let clock = DeadlineClock::now(self);
        let (today, soon) = clock.rank_days();
        let mut conn = self.read.acquire().await?;
        let conn = &mut *conn;
        let held = held_of(bodies, 3);
        let open_where = format!("{held} AND state IN {OPEN_STATES}");
        let done_where = format!("{held} AND state NOT IN {OPEN_STATES}");
        let binds: Vec<&str> = [today.as_str(), soon.as_str()]
            .into_iter()
            .chain(bodies.unwrap_or_default().iter().map(String::as_str))
            .collect();

        let counts = format!(
            "SELECT COALESCE(SUM(CASE WHEN {RANK} = 0 THEN 1 ELSE 0 END), 0) AS overdue, \
             COALESCE(SUM(CASE WHEN {RANK} = 1 THEN 1 ELSE 0 END), 0) AS due_soon, \
             COUNT(*) AS open FROM tickets WHERE {open_where}"
        );
        let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(counts)), &binds)
            .fetch_one(&mut *conn)
            .await?;
        let (overdue, due_soon, open): (i64, i64, i64) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let partition = if bodies.is_some() {
            "PARTITION BY body_id "
        } else {
            ""
        };
        // $1 and $2 are bound to every statement, so each names them.
        let latest_done = format!(
            "SELECT {TICKET_COLUMNS}, $1 AS today, $2 AS soon, ROW_NUMBER() OVER ({partition}ORDER BY filed_ms DESC, code) AS n \
             FROM tickets WHERE {done_where}"
        );
        let done: i64 = bind_all(
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM ({latest_done}) d WHERE n <= {MAX_DONE_LISTED}"
            ))),
            &binds,
        )
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;

        let (offset_i, limit_i) = (
            i64::try_from(offset).unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX),
        );
        let mut page = Vec::new();
        if offset_i < open {
            let sql = format!(
                "SELECT {TICKET_COLUMNS} FROM tickets WHERE {open_where} \
                 ORDER BY {RANK}, due_day, filed_ms, code LIMIT {limit_i} OFFSET {offset_i}"
            );
            page.extend(fetch(conn, sql, &binds).await?);
        }
        let room = limit_i - i64::try_from(page.len()).unwrap_or(0);
        if room > 0 && offset_i + limit_i > open {
            let skip = (offset_i - open).max(0);
            let sql = format!(
                "SELECT {TICKET_COLUMNS} FROM ({latest_done}) d WHERE n <= {MAX_DONE_LISTED} \
                 ORDER BY filed_ms DESC, code LIMIT {room} OFFSET {skip}"
            );
            page.extend(fetch(conn, sql, &binds).await?);
        }

        // Events and personal data of the page only, in batches.
        let codes: Vec<String> = page.iter().map(|t| t.code.clone()).collect();
        let mut events = store::events_of(conn, &codes).await?;
        let mut personal = store::personal_of(conn, &codes).await?;
        let tickets = page
            .into_iter()
            .map(|t| {
                let (p, e) = (
                    personal.remove(&t.code),
                    events.remove(&t.code).unwrap_or_default(),
                );
                clock.view(t, p, e, true)
            })
            .collect();
        Ok(Inbox {
            tickets,
            total: to_usize(open + done),
            open: to_usize(open),
            overdue: to_usize(overdue),
            due_soon: to_usize(due_soon),
            offset,
            limit,
        })
    }
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: &[&'q str],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for b in binds {
        q = q.bind(*b);
    }
    q
}

async fn fetch(
    conn: &mut AnyConnection,
    sql: String,
    binds: &[&str],
) -> Result<Vec<TicketRecord>, InteractionError> {
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .map(store::ticket)
        .collect::<Result<_, sqlx::Error>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TicketState;

    #[test]
    fn the_open_states_are_the_states_that_are_open() {
        for state in TicketState::ALL {
            let quoted = format!("'{}'", state.code());
            assert_eq!(OPEN_STATES.contains(&quoted), state.open(), "{quoted}");
        }
    }

    #[test]
    fn bodies_are_bound_after_the_days() {
        assert_eq!(held_of(None, 3), "holder = 1");
        assert_eq!(
            held_of(Some(&["440000.gd".into(), "440000.hrss".into()]), 3),
            "holder = 1 AND body_id IN ($3, $4)"
        );
        assert!(held_of(Some(&[]), 3).ends_with("1 = 0"));
    }
}
