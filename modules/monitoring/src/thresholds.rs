//! The thresholds of the indicators: defaults from the national indicators (国办函〔2019〕80号),
//! configurable at the province.

use serde::{Deserialize, Serialize};

/// Every threshold the checks and the scorecard use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Seconds between availability probes of one site (jittered).
    pub probe_interval_secs: u64,
    /// A probe slower than this counts as failed.
    pub probe_slow_secs: u64,
    /// Days of probes the availability veto looks at.
    pub availability_window_days: u32,
    /// Percentage of failed probes in the window that vetoes.
    pub availability_veto_percent: f64,
    /// Days the home page may go without an update.
    pub home_stale_days: u32,
    /// Days a news or dynamic column may go without an update.
    pub news_stale_days: u32,
    /// Days a notice or policy column may go without an update.
    pub notice_stale_days: u32,
    /// Stale news/notice/policy columns that veto.
    pub stale_columns_veto: u32,
    /// Columns past their own update interval that veto.
    pub past_interval_veto: u32,
    /// Blank columns that veto.
    pub blank_columns_veto: u32,
    /// Days a consultation may go unanswered before it vetoes.
    pub unanswered_consult_days: u32,
    /// Days back the unanswered-consultation check looks.
    pub unanswered_window_days: u32,
    /// Points one deduction costs.
    pub deduction_points: f64,
    /// Most points one indicator's deductions may cost.
    pub deduction_cap: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            probe_interval_secs: 300,
            probe_slow_secs: 15,
            availability_window_days: 7,
            availability_veto_percent: 5.0,
            home_stale_days: 14,
            news_stale_days: 14,
            notice_stale_days: 183,
            stale_columns_veto: 5,
            past_interval_veto: 10,
            blank_columns_veto: 5,
            unanswered_consult_days: 90,
            unanswered_window_days: 365,
            deduction_points: 1.0,
            deduction_cap: 20.0,
        }
    }
}

/// Entry kind of thresholds set at a level; they flow down to every descendant.
pub(crate) const THRESHOLDS: &str = "monitoring.thresholds";
/// Payload version.
const V1: u8 = 1;

/// Thresholds as their entry carries them (postcard: field order is the format; the
/// thresholds travel as JSON so a field added later does not change the format).
#[derive(Debug, Serialize, Deserialize)]
struct ThresholdsChange {
    thresholds: String,
    by: String,
    at_ms: i64,
}

/// Every threshold's field, its name as staff read it, and its unit, in the form's order.
pub const FIELDS: [(&str, &str, &str); 14] = [
    ("probe_interval_secs", "探测间隔", "秒"),
    ("probe_slow_secs", "响应超时", "秒"),
    ("availability_window_days", "可用性统计天数", "天"),
    ("availability_veto_percent", "不可访问比例（单项否决）", "%"),
    ("home_stale_days", "首页更新期限", "天"),
    ("news_stale_days", "动态类栏目更新期限", "天"),
    (
        "notice_stale_days",
        "通知公告、政策文件类栏目更新期限",
        "天",
    ),
    ("stale_columns_veto", "不更新栏目数（单项否决）", "个"),
    ("past_interval_veto", "超期未更新栏目数（单项否决）", "个"),
    ("blank_columns_veto", "空白栏目数（单项否决）", "个"),
    ("unanswered_consult_days", "咨询答复期限", "天"),
    ("unanswered_window_days", "咨询统计天数", "天"),
    ("deduction_points", "每项扣分", "分"),
    ("deduction_cap", "单项扣分上限", "分"),
];

impl Thresholds {
    /// The values by field, as a form shows them.
    pub fn values(&self) -> Vec<(&'static str, String)> {
        let map = serde_json::to_value(self).unwrap_or_default();
        FIELDS
            .iter()
            .map(|(field, _, _)| {
                (
                    *field,
                    map.get(*field).map_or(String::new(), ToString::to_string),
                )
            })
            .collect()
    }

    /// These thresholds with the values a form sent (`field`, text), each a number; a
    /// refusal names the item in Chinese. Fields not sent keep their values.
    pub fn with_values(&self, sent: &[(String, String)]) -> Result<Thresholds, String> {
        let mut map = serde_json::to_value(self).unwrap_or_default();
        for (field, label, _) in FIELDS {
            let Some((_, text)) = sent.iter().find(|(k, _)| k == field) else {
                continue;
            };
            let text = text.trim();
            let value: serde_json::Value = if matches!(
                field,
                "availability_veto_percent" | "deduction_points" | "deduction_cap"
            ) {
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(serde_json::Value::from)
            } else {
                text.parse::<u32>().ok().map(serde_json::Value::from)
            }
            .ok_or_else(|| format!("“{label}”须填写数字"))?;
            map[field] = value;
        }
        let out: Thresholds = serde_json::from_value(map).map_err(|e| e.to_string())?;
        out.check().map_err(|(_, chinese)| chinese)?;
        Ok(out)
    }

    /// Checks every value; a refusal names the field and says what is wrong in Chinese.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let label = |field: &str| {
            FIELDS
                .iter()
                .find(|(f, _, _)| *f == field)
                .map_or("", |(_, l, _)| *l)
        };
        let positive: [(&'static str, f64); 13] = [
            ("probe_interval_secs", self.probe_interval_secs as f64),
            ("probe_slow_secs", self.probe_slow_secs as f64),
            (
                "availability_window_days",
                self.availability_window_days as f64,
            ),
            ("availability_veto_percent", self.availability_veto_percent),
            ("home_stale_days", self.home_stale_days as f64),
            ("news_stale_days", self.news_stale_days as f64),
            ("notice_stale_days", self.notice_stale_days as f64),
            ("stale_columns_veto", self.stale_columns_veto as f64),
            ("past_interval_veto", self.past_interval_veto as f64),
            ("blank_columns_veto", self.blank_columns_veto as f64),
            (
                "unanswered_consult_days",
                self.unanswered_consult_days as f64,
            ),
            ("unanswered_window_days", self.unanswered_window_days as f64),
            ("deduction_cap", self.deduction_cap),
        ];
        for (field, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err((field, format!("“{}”须大于零", label(field))));
            }
        }
        if self.probe_interval_secs < 30 {
            return Err(("probe_interval_secs", "“探测间隔”不得少于30秒".into()));
        }
        if self.availability_veto_percent > 100.0 {
            return Err((
                "availability_veto_percent",
                "“不可访问比例（单项否决）”不得超过100%".into(),
            ));
        }
        if !(self.deduction_points.is_finite() && self.deduction_points >= 0.0) {
            return Err(("deduction_points", "“每项扣分”不得为负数".into()));
        }
        Ok(())
    }
}

/// Stores thresholds of `origin` from its entry (last writer wins on the entry's HLC).
pub(crate) async fn store_entry(
    conn: &mut sqlx::AnyConnection,
    entry: &govnode_federation::Entry,
    payload: &[u8],
) -> Result<(), govnode_federation::ApplyError> {
    use govnode_federation::ApplyError;
    let (_, change): (u8, ThresholdsChange) =
        govnode_federation::decode_payload(payload).map_err(ApplyError::Refused)?;
    let parsed: Thresholds = serde_json::from_str(&change.thresholds)
        .map_err(|e| ApplyError::Refused(format!("thresholds: {e}")))?;
    if let Err((field, _)) = parsed.check() {
        return Err(ApplyError::Refused(format!("thresholds: bad {field}")));
    }
    store(conn, &entry.origin.to_string(), &change, entry.hlc as i64)
        .await
        .map_err(|e| ApplyError::Failed(e.to_string()))
}

async fn store(
    conn: &mut sqlx::AnyConnection,
    origin: &str,
    change: &ThresholdsChange,
    hlc: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO monitoring_thresholds (origin, thresholds, entry_hlc, set_by, at_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (origin) DO UPDATE SET \
         thresholds = excluded.thresholds, entry_hlc = excluded.entry_hlc, \
         set_by = excluded.set_by, at_ms = excluded.at_ms \
         WHERE excluded.entry_hlc >= monitoring_thresholds.entry_hlc",
    )
    .bind(origin)
    .bind(&change.thresholds)
    .bind(hlc)
    .bind(&change.by)
    .bind(change.at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Thresholds in force and the level that set them (`None`: the national defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdsInForce {
    /// The values.
    pub thresholds: Thresholds,
    /// The node whose setting this is.
    pub origin: Option<String>,
    /// Who set them there.
    pub set_by: Option<String>,
    /// When (unix ms).
    pub at_ms: Option<i64>,
}

impl crate::Monitoring {
    /// The thresholds in force here: the nearest level's of this node's lineage (itself
    /// first), else the defaults.
    pub async fn thresholds_in_force(&self) -> Result<ThresholdsInForce, crate::MonitoringError> {
        use sqlx::Row as _;
        let lineage: Vec<String> = match &self.federation {
            Some(f) => f.lineage().iter().rev().map(|n| n.to_string()).collect(),
            None => Vec::new(),
        };
        for origin in lineage {
            let row = sqlx::query(
                "SELECT thresholds, set_by, at_ms FROM monitoring_thresholds WHERE origin = $1",
            )
            .bind(&origin)
            .fetch_optional(&self.read)
            .await?;
            if let Some(r) = row
                && let Ok(t) = serde_json::from_str::<Thresholds>(&r.try_get::<String, _>(0)?)
            {
                return Ok(ThresholdsInForce {
                    thresholds: t,
                    origin: Some(origin),
                    set_by: Some(r.try_get(1)?),
                    at_ms: Some(r.try_get(2)?),
                });
            }
        }
        Ok(ThresholdsInForce {
            thresholds: self.thresholds.clone(),
            origin: None,
            set_by: None,
            at_ms: None,
        })
    }

    /// Sets this level's thresholds (checked), for itself and every level below that sets
    /// none of its own: stored and sent down in one transaction.
    pub async fn set_thresholds(
        &self,
        by: &str,
        thresholds: &Thresholds,
        now_ms: i64,
    ) -> Result<(), crate::MonitoringError> {
        thresholds
            .check()
            .map_err(|(_, chinese)| crate::MonitoringError::Invalid(chinese))?;
        let Some(federation) = &self.federation else {
            return Err(crate::MonitoringError::Upstream(
                "thresholds need the federation".into(),
            ));
        };
        let change = ThresholdsChange {
            thresholds: serde_json::to_string(thresholds)
                .map_err(|e| crate::MonitoringError::Invalid(e.to_string()))?,
            by: by.to_string(),
            at_ms: now_ms,
        };
        let mut tx = self.write.begin().await?;
        let entry = federation
            .append(
                &mut tx,
                govnode_federation::EntryDraft {
                    kind: THRESHOLDS.into(),
                    object: "thresholds".into(),
                    audience: govnode_federation::Audience::Public,
                    payload: govnode_federation::encode_payload(V1, &change),
                },
            )
            .await
            .map_err(|e| crate::MonitoringError::Upstream(e.to_string()))?;
        store(
            &mut tx,
            &federation.me().to_string(),
            &change,
            entry.hlc as i64,
        )
        .await?;
        tx.commit().await?;
        federation.announce();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_sets_numbers_and_names_what_is_wrong() {
        let d = Thresholds::default();
        assert_eq!(d.values().len(), FIELDS.len());
        assert!(d.values().iter().all(|(_, v)| !v.is_empty()));
        let sent = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let t = d.with_values(&sent("home_stale_days", " 10 ")).unwrap();
        assert_eq!(t.home_stale_days, 10);
        let t = d
            .with_values(&sent("availability_veto_percent", "2.5"))
            .unwrap();
        assert_eq!(t.availability_veto_percent, 2.5);
        let e = d.with_values(&sent("home_stale_days", "十")).unwrap_err();
        assert!(e.contains("首页更新期限"), "{e}");
        let e = d.with_values(&sent("blank_columns_veto", "0")).unwrap_err();
        assert!(e.contains("空白栏目数"), "{e}");
        let e = d
            .with_values(&sent("probe_interval_secs", "5"))
            .unwrap_err();
        assert!(e.contains("30秒"), "{e}");
        // Every field has a label and appears in the check's list or is checked apart.
        for (field, _, _) in FIELDS {
            assert!(
                serde_json::to_value(&d).unwrap().get(field).is_some(),
                "{field}"
            );
        }
    }
}
