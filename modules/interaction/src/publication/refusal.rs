//! Why a publication change is refused, said for programs and in Chinese for staff, and the
//! error publication changes return.

use crate::InteractionError;

use super::PublicationState;

/// Why a publication change is refused: said for programs and in Chinese for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such ticket on this node.
    NoTicket,
    /// The ticket is handled on another node.
    NotHeld,
    /// The citizen did not consent to publication.
    NoConsent,
    /// The letter has no reply yet.
    NotReplied,
    /// Only a handler of the body (or a platform admin) proposes.
    NotHandler,
    /// Only a reviewer of the body (or a platform admin) reviews.
    NotReviewer,
    /// Four eyes: the proposer does not approve.
    OwnProposal,
    /// Nothing proposed yet.
    NotProposed,
    /// The state does not allow the change.
    State(PublicationState, &'static str),
    /// A text's length or characters.
    Length(&'static str, usize, usize),
    /// A text holds the citizen's data.
    PersonalData(&'static str, &'static str),
}

/// A field's Chinese name.
fn label(field: &str) -> &'static str {
    match field {
        "subject" => "公开标题",
        "content" => "公开来信内容",
        "reply" => "公开答复内容",
        _ => "理由",
    }
}

impl Refusal {
    /// The refusal in Chinese, naming the field or the rule.
    pub fn chinese(&self) -> String {
        match self {
            Refusal::NoTicket => "本节点没有这件来信".into(),
            Refusal::NotHeld => "这件来信由其他节点的单位办理，请在该节点提请公开".into(),
            Refusal::NoConsent => "来信人未同意公开，不能提请公开".into(),
            Refusal::NotReplied => "这件来信尚未答复，答复后才能提请公开".into(),
            Refusal::NotHandler => "只有本单位的办理人员可以提请公开答复".into(),
            Refusal::NotReviewer => "只有本单位的信息审核员可以审核答复公开".into(),
            Refusal::OwnProposal => {
                "不能审核通过自己提请的公开（四眼原则），请由另一位审核员审核".into()
            }
            Refusal::NotProposed => "这件来信尚未提请公开".into(),
            Refusal::State(s, what) => format!("公开状态为“{}”，不能{what}", s.label()),
            Refusal::Length(field, min, max) => {
                format!("“{}”须为 {min} 至 {max} 个字，且不含控制字符", label(field))
            }
            Refusal::PersonalData(field, what) => format!(
                "“{}”中含有来信人的{what}，请删除或遮盖后再提交",
                label(field)
            ),
        }
    }

    /// The refusal for programs.
    pub fn message(&self) -> String {
        match self {
            Refusal::NoTicket => "no such ticket here".into(),
            Refusal::NotHeld => "the ticket is handled on another node".into(),
            Refusal::NoConsent => "the citizen did not consent to publication".into(),
            Refusal::NotReplied => "the ticket has no reply yet".into(),
            Refusal::NotHandler => {
                "only a handler of the ticket's body proposes publication".into()
            }
            Refusal::NotReviewer => {
                "only a reviewer of the ticket's body reviews publication".into()
            }
            Refusal::OwnProposal => "four eyes: the proposer may not approve".into(),
            Refusal::NotProposed => "no publication proposed for this ticket".into(),
            Refusal::State(s, _) => format!("the publication is {}", s.code()),
            Refusal::Length(field, min, max) => {
                format!("{field}: must be {min}–{max} characters, without control characters")
            }
            Refusal::PersonalData(field, _) => {
                format!("{field}: holds the citizen's personal data; redact it")
            }
        }
    }
}

impl From<Refusal> for InteractionError {
    fn from(r: Refusal) -> Self {
        let m = r.message();
        match r {
            Refusal::NoTicket | Refusal::NotProposed => InteractionError::NotFound(m),
            Refusal::NotHeld
            | Refusal::NotHandler
            | Refusal::NotReviewer
            | Refusal::OwnProposal => InteractionError::Forbidden(m),
            Refusal::NoConsent | Refusal::NotReplied | Refusal::State(..) => {
                InteractionError::Conflict(m)
            }
            Refusal::Length(..) | Refusal::PersonalData(..) => InteractionError::Invalid(m),
        }
    }
}

/// A publication change's failure: a rule's refusal, or the storage's.
#[derive(Debug, thiserror::Error)]
pub enum PublicationError {
    /// Refused by a rule.
    #[error("{}", .0.message())]
    Refused(Refusal),
    /// Anything else.
    #[error(transparent)]
    Failed(#[from] InteractionError),
}

impl From<sqlx::Error> for PublicationError {
    fn from(e: sqlx::Error) -> Self {
        PublicationError::Failed(e.into())
    }
}

impl From<Refusal> for PublicationError {
    fn from(r: Refusal) -> Self {
        PublicationError::Refused(r)
    }
}

impl From<PublicationError> for InteractionError {
    fn from(e: PublicationError) -> Self {
        match e {
            PublicationError::Refused(r) => r.into(),
            PublicationError::Failed(e) => e,
        }
    }
}
