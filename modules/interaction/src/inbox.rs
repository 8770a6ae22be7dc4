//! A handler's inbox: every open ticket of their bodies, ranked and counted in SQL (overdue
//! first, then due soon, then the other open ones, each by due date), then the latest
//! finished ones. Nothing is read into memory but the page: a burst of thousands of letters
//! to one body leaves none of them off the list or out of the counts.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::InteractionError;
use crate::model::{TicketRecord, TicketState};
use crate::service::{DeadlineClock, Interaction, TicketView};
use crate::store::{self, TICKET_COLUMNS};

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

/// Most words of a search that are matched (the rest are ignored).
const MAX_WORDS: usize = 5;

/// What narrows an inbox (the console's 办件 filters); the default narrows nothing.
#[derive(Debug, Clone, Default)]
pub struct LetterFilter {
    /// Only this kind (a `TicketKind` code).
    pub kind: Option<String>,
    /// Only this state (a `TicketState` code).
    pub state: Option<String>,
    /// Only this body (one of the bodies asked for).
    pub body: Option<String>,
    /// Only letters filed on this site.
    pub site: Option<String>,
    /// Filed at or after (unix ms).
    pub filed_from_ms: Option<i64>,
    /// Filed before (unix ms).
    pub filed_to_ms: Option<i64>,
    /// A tracking code, or words every one of which is in the code, subject or letter.
    pub text: String,
}

impl LetterFilter {
    /// Whether it narrows nothing (the inbox then lists only the latest finished letters).
    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.state.is_none()
            && self.body.is_none()
            && self.site.is_none()
            && self.filed_from_ms.is_none()
            && self.filed_to_ms.is_none()
            && self.text.trim().is_empty()
    }

    /// ` AND …` for the filter (the state left out when `with_state` is false), binding
    /// from `$first`; with the values to bind.
    fn sql(&self, first: usize, with_state: bool) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut binds: Vec<String> = Vec::new();
        let next = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", first + binds.len() - 1)
        };
        for (column, value) in [
            ("kind", &self.kind),
            ("state", if with_state { &self.state } else { &None }),
            ("body_id", &self.body),
            ("filed_site", &self.site),
        ] {
            if let Some(v) = value {
                let mark = next(v.clone(), &mut binds);
                sql.push_str(&format!(" AND {column} = {mark}"));
            }
        }
        // Whole numbers computed here, never text from the request.
        if let Some(from) = self.filed_from_ms {
            sql.push_str(&format!(" AND filed_ms >= {from}"));
        }
        if let Some(to) = self.filed_to_ms {
            sql.push_str(&format!(" AND filed_ms < {to}"));
        }
        for word in self.text.split_whitespace().take(MAX_WORDS) {
            let escaped = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let mark = next(format!("%{escaped}%"), &mut binds);
            sql.push_str(&format!(
                " AND (code LIKE {mark} ESCAPE '\\' OR subject LIKE {mark} ESCAPE '\\' \
                 OR content LIKE {mark} ESCAPE '\\')"
            ));
        }
        (sql, binds)
    }
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
        self.inbox_filtered(bodies, &LetterFilter::default(), offset, limit)
            .await
    }

    /// [`Interaction::inbox`] narrowed by `filter`: ranked and counted the same way; a
    /// filter that narrows anything lists every finished letter it matches, not only the
    /// latest.
    pub async fn inbox_filtered(
        &self,
        bodies: Option<&[String]>,
        filter: &LetterFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Inbox, InteractionError> {
        let clock = DeadlineClock::now(self);
        let (today, soon) = clock.rank_days();
        let mut conn = self.read.acquire().await?;
        let conn = &mut *conn;
        let n_bodies = bodies.map_or(0, <[String]>::len);
        let (narrow, narrow_binds) = filter.sql(3 + n_bodies, true);
        let held = format!("{}{narrow}", held_of(bodies, 3));
        let open_where = format!("{held} AND state IN {OPEN_STATES}");
        let done_where = format!("{held} AND state NOT IN {OPEN_STATES}");
        let binds: Vec<&str> = [today.as_str(), soon.as_str()]
            .into_iter()
            .chain(bodies.unwrap_or_default().iter().map(String::as_str))
            .chain(narrow_binds.iter().map(String::as_str))
            .collect();
        let max_done = if filter.is_empty() {
            MAX_DONE_LISTED
        } else {
            i64::MAX
        };

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
                "SELECT COUNT(*) FROM ({latest_done}) d WHERE n <= {max_done}"
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
                "SELECT {TICKET_COLUMNS} FROM ({latest_done}) d WHERE n <= {max_done} \
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

impl Interaction {
    /// How many letters of `bodies` held here (None: all) are in each state, narrowed by
    /// `filter` but for its state: every state, in workflow order, with its count.
    pub async fn letter_counts(
        &self,
        bodies: Option<&[String]>,
        filter: &LetterFilter,
    ) -> Result<Vec<(TicketState, usize)>, InteractionError> {
        let n_bodies = bodies.map_or(0, <[String]>::len);
        let (narrow, narrow_binds) = filter.sql(1 + n_bodies, false);
        let sql = format!(
            "SELECT state, COUNT(*) AS n FROM tickets WHERE {}{narrow} GROUP BY state",
            held_of(bodies, 1)
        );
        let binds: Vec<&str> = bodies
            .unwrap_or_default()
            .iter()
            .map(String::as_str)
            .chain(narrow_binds.iter().map(String::as_str))
            .collect();
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_all(&self.read)
            .await?;
        let mut counts: Vec<(TicketState, usize)> =
            TicketState::ALL.into_iter().map(|s| (s, 0)).collect();
        for r in rows {
            let (state, n): (String, i64) = (r.try_get(0)?, r.try_get(1)?);
            if let Some(c) = counts.iter_mut().find(|(s, _)| s.code() == state) {
                c.1 = to_usize(n);
            }
        }
        Ok(counts)
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

    #[test]
    fn filters_bind_their_values_after_the_bodies() {
        let f = LetterFilter {
            kind: Some("complaint".into()),
            filed_from_ms: Some(5),
            text: "50%_off 排队".into(),
            ..LetterFilter::default()
        };
        assert!(!f.is_empty() && LetterFilter::default().is_empty());
        let (sql, binds) = f.sql(4, true);
        assert!(
            sql.starts_with(" AND kind = $4 AND filed_ms >= 5 AND (code LIKE $5"),
            "{sql}"
        );
        assert!(sql.contains("content LIKE $6 ESCAPE"), "{sql}");
        assert_eq!(binds, ["complaint", "%50\\%\\_off%", "%排队%"]);
        let with_state = LetterFilter {
            state: Some("closed".into()),
            ..LetterFilter::default()
        };
        assert_eq!(with_state.sql(1, false).0, "");
        assert_eq!(with_state.sql(1, true).0, " AND state = $1");
    }
}
