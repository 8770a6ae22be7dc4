//! What staff do with a survey before and after citizens see it: drafts (草稿) prepared in
//! the console, changing the questions while no response has arrived, publishing (发布).

use super::store::survey_from_row;
use super::{Survey, SurveyError, SurveyInput, Surveys};

/// Why questions can no longer change once someone has answered them.
fn locked(responses: i64) -> SurveyError {
    SurveyError::Conflict(format!(
        "已收到 {responses} 份答卷，不能再修改题目：修改题目会使已提交的回答与题目对不上。\
         如需调整，请结束本次征集后重新发起。"
    ))
}

impl Surveys {
    /// Any survey by id, drafts included (for staff).
    pub async fn staff_get(&self, id: i64) -> Result<Survey, SurveyError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM surveys WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| SurveyError::NotFound(format!("survey {id}")))?;
        survey_from_row(&row)
    }

    /// A site's surveys, drafts included, the latest created first (for staff).
    pub async fn staff_list(&self, site: &str) -> Result<Vec<Survey>, SurveyError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM surveys WHERE site_id = $1 ORDER BY id DESC"
        ))
        .bind(site)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(survey_from_row).collect()
    }

    /// Creates a draft on `site` (checked like [`Surveys::create`]), hidden until published.
    pub async fn create_draft(
        &self,
        site: &str,
        by: &str,
        input: SurveyInput,
        now_ms: i64,
    ) -> Result<Survey, SurveyError> {
        self.insert(site, by, input, now_ms, true).await
    }

    /// Replaces a survey's text, dates and questions; refused once a response has arrived
    /// (checked in the write transaction, so a response cannot slip in between).
    pub async fn update(
        &self,
        id: i64,
        input: SurveyInput,
        now_ms: i64,
    ) -> Result<Survey, SurveyError> {
        let input = input.checked(now_ms)?;
        let questions = serde_json::to_string(&input.questions)
            .map_err(|e| SurveyError::Stored(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM surveys WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| SurveyError::NotFound(format!("survey {id}")))?;
        let survey = survey_from_row(&row)?;
        if survey.responses > 0 {
            return Err(locked(survey.responses));
        }
        if !survey.draft && survey.closes_at <= now_ms {
            return Err(SurveyError::Conflict(
                "本次征集已结束，不能再修改".to_string(),
            ));
        }
        let row = sqlx::query(concat!(
            "UPDATE surveys SET title = $2, description = $3, body = $4, opens_ms = $5, ",
            "closes_ms = $6, questions = $7 WHERE id = $1 RETURNING ",
            columns!()
        ))
        .bind(id)
        .bind(&input.title)
        .bind(&input.description)
        .bind(&input.body)
        .bind(input.opens_at)
        .bind(input.closes_at)
        .bind(questions)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        survey_from_row(&row)
    }

    /// Publishes a draft (发布): citizens see it, and it takes responses from its opening
    /// time. A draft whose closing time has passed must get new dates first.
    pub async fn publish(&self, id: i64, now_ms: i64) -> Result<Survey, SurveyError> {
        let survey = self.staff_get(id).await?;
        if !survey.draft {
            return Err(SurveyError::Conflict("该征集调查已发布".to_string()));
        }
        if survey.closes_at <= now_ms {
            return Err(SurveyError::Conflict(
                "结束时间已过，请先修改结束日期再发布".to_string(),
            ));
        }
        let row = sqlx::query(concat!(
            "UPDATE surveys SET draft = 0 WHERE id = $1 AND draft = 1 RETURNING ",
            columns!()
        ))
        .bind(id)
        .fetch_optional(&self.write)
        .await?
        .ok_or_else(|| SurveyError::Conflict("该征集调查已发布".to_string()))?;
        survey_from_row(&row)
    }
}
