//! The holiday calendar and the deadline policy: shipped defaults, set by the province
//! (or any level, for its subtree) as a signed entry distributed down; a node uses the
//! setting of the nearest level of its lineage that has one.

use govnode_federation::{Audience, EntryDraft, encode_payload, now_ms};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

use crate::InteractionError;
use crate::calendar::HolidayCalendar;
use crate::deadline::DeadlinePolicy;
use crate::routing::V1;
use crate::service::{Interaction, bad, fed_err};

/// Entry kind of a setting.
pub(crate) const SETTINGS: &str = "interaction.settings";

/// A level's calendar and policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    /// Holidays and make-up working days, in the calendar's text format: per line
    /// `YYYY-MM-DD holiday|workday name`, `#` comments; a date at most once, and a make-up
    /// working day (`workday`) only on a Saturday or Sunday. Merged over the shipped years.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[ \t]*(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)[ \t]+(holiday|workday)[ \t]+[^\s#\u0000-\u001f\u007f-\u009f]([^#\u0000-\u001f\u007f-\u009f]*[^\s#\u0000-\u001f\u007f-\u009f])?[ \t]*)?(#[^\n]*)?\r?(\n[ \t]*(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)[ \t]+(holiday|workday)[ \t]+[^\s#\u0000-\u001f\u007f-\u009f]([^#\u0000-\u001f\u007f-\u009f]*[^\s#\u0000-\u001f\u007f-\u009f])?[ \t]*)?(#[^\n]*)?\r?)*$"
        )
    )]
    pub calendar: String,
    /// Working days per ticket kind, the disclosure extension, the warning.
    pub policy: DeadlinePolicy,
}

/// Stores a level's setting (later entries of the same origin win).
pub(crate) async fn store(
    conn: &mut AnyConnection,
    origin: &str,
    s: &Settings,
    hlc: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO interaction_settings (origin, setting, entry_hlc) VALUES ($1, $2, $3)
         ON CONFLICT (origin) DO UPDATE SET setting = excluded.setting, entry_hlc = excluded.entry_hlc
         WHERE excluded.entry_hlc >= interaction_settings.entry_hlc",
    )
    .bind(origin)
    .bind(serde_json::to_string(s).unwrap_or_default())
    .bind(hlc)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Interaction {
    /// Sets this level's calendar and policy (validated), for this node and those below.
    pub async fn set_settings(&self, s: Settings) -> Result<(), InteractionError> {
        HolidayCalendar::parse(&s.calendar).map_err(|e| bad(format!("calendar: {e}")))?;
        s.policy
            .validate()
            .map_err(|e| bad(format!("policy: {e}")))?;
        let mut tx = self.write.begin().await?;
        let entry = self
            .federation
            .append(
                &mut tx,
                EntryDraft {
                    kind: SETTINGS.into(),
                    object: "settings".into(),
                    audience: Audience::Public,
                    payload: encode_payload(V1, &s),
                },
            )
            .await
            .map_err(fed_err)?;
        store(&mut tx, &self.me(), &s, entry.hlc as i64).await?;
        tx.commit().await?;
        self.federation.announce();
        self.reload_settings().await
    }

    /// Loads the nearest level's setting into the service (the shipped defaults if none).
    pub async fn reload_settings(&self) -> Result<(), InteractionError> {
        let mut lineage = self.federation.lineage();
        lineage.reverse();
        for origin in lineage {
            let row = sqlx::query("SELECT setting FROM interaction_settings WHERE origin = $1")
                .bind(origin.to_string())
                .fetch_optional(&self.read)
                .await?;
            let Some(row) = row else { continue };
            let text: String = row.try_get(0)?;
            let Ok(s) = serde_json::from_str::<Settings>(&text) else {
                continue;
            };
            let mut calendar = HolidayCalendar::shipped();
            match HolidayCalendar::parse(&s.calendar) {
                Ok(extra) => calendar.merge(&extra),
                Err(e) => {
                    tracing::warn!(%origin, error = %e, "ignoring a calendar that does not parse")
                }
            }
            self.install(calendar, s.policy);
            return Ok(());
        }
        self.install(HolidayCalendar::shipped(), DeadlinePolicy::default());
        Ok(())
    }

    /// The setting in use, as text and policy, with the level it comes from.
    pub async fn settings(&self) -> Result<serde_json::Value, InteractionError> {
        let calendar = self.calendar();
        Ok(serde_json::json!({
            "years": calendar.years(), "calendar": calendar.to_text(), "policy": self.policy(),
            "updated_ms": now_ms(),
        }))
    }
}

/// The settings along this node's lineage: its own, and the nearest higher level's that it
/// would use without one (the shipped defaults when no level has set any).
#[derive(Debug, Clone)]
pub struct Levels {
    /// This node's own setting, if it has set one.
    pub own: Option<Settings>,
    /// The nearest higher level with a setting: (its node id, the setting).
    pub inherited: Option<(String, Settings)>,
}

impl Levels {
    /// The setting in force (own, else inherited, else the shipped defaults with no extra days).
    pub fn in_force(&self) -> Settings {
        self.own
            .clone()
            .or_else(|| self.inherited.as_ref().map(|(_, s)| s.clone()))
            .unwrap_or_else(|| Settings {
                calendar: String::new(),
                policy: DeadlinePolicy::default(),
            })
    }

    /// What this node would use without its own setting.
    pub fn below_own(&self) -> Settings {
        self.inherited
            .as_ref()
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| Settings {
                calendar: String::new(),
                policy: DeadlinePolicy::default(),
            })
    }
}

impl Interaction {
    /// This node's own setting and the nearest higher level's.
    pub async fn settings_levels(&self) -> Result<Levels, InteractionError> {
        let me = self.me();
        let mut levels = Levels {
            own: None,
            inherited: None,
        };
        let mut lineage = self.federation.lineage();
        lineage.reverse();
        for origin in lineage {
            let origin = origin.to_string();
            let row = sqlx::query("SELECT setting FROM interaction_settings WHERE origin = $1")
                .bind(&origin)
                .fetch_optional(&self.read)
                .await?;
            let Some(row) = row else { continue };
            let text: String = row.try_get(0)?;
            let Ok(s) = serde_json::from_str::<Settings>(&text) else {
                continue;
            };
            if origin == me {
                levels.own = Some(s);
            } else {
                levels.inherited = Some((origin, s));
                break;
            }
        }
        Ok(levels)
    }
}
