//! 答复公开: publishing a reply with review. With the citizen's consent a handler of the body
//! proposes the reply for publication with a public text (subject, letter, reply; the
//! citizen's data redacted); it is public only once a reviewer of the body who is not the
//! proposer approves that text (or returns it with a reason), until withdrawn (撤回公开).
//! Proposed and reviewed where the body is; an approved or withdrawn publication travels to
//! the node the letter was filed on ([`Transfer::Publication`]), whose site lists it.

mod redact;
mod refusal;
mod rows;

use govnode_accounts::{Access, Action, Role};
use govnode_federation::{encode_payload, now_ms};
use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};

pub use redact::{personal_data_in, redact};
pub use refusal::{PublicationError, Refusal};
pub(crate) use rows::{approved, receive};
use rows::{get, history, log, put};

use crate::model::{Personal, PublishedReply, TicketKind, TicketRecord, Transfer};
use crate::routing::V1;
use crate::service::{Interaction, MAX_CONTENT_CHARS, fed_err};
use crate::store;

/// Where a publication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PublicationState {
    /// Proposed by a handler, awaiting review.
    Proposed,
    /// Approved: public.
    Approved,
    /// Returned by the reviewer with a reason.
    Returned,
    /// Withdrawn after approval (撤回公开).
    Withdrawn,
}

impl PublicationState {
    const ALL: [PublicationState; 4] = [
        PublicationState::Proposed,
        PublicationState::Approved,
        PublicationState::Returned,
        PublicationState::Withdrawn,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            PublicationState::Proposed => "proposed",
            PublicationState::Approved => "approved",
            PublicationState::Returned => "returned",
            PublicationState::Withdrawn => "withdrawn",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PublicationState::Proposed => "待审核",
            PublicationState::Approved => "已公开",
            PublicationState::Returned => "已退回",
            PublicationState::Withdrawn => "已撤回公开",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<PublicationState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The public text of a reply: what the site shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicText {
    /// The public subject.
    pub subject: String,
    /// The public letter.
    pub content: String,
    /// The public reply.
    pub reply: String,
}

/// A reply's publication as kept where the body is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Publication {
    /// The ticket's tracking code.
    pub code: String,
    /// The state.
    pub state: PublicationState,
    /// The state's Chinese name.
    pub state_label: &'static str,
    /// The public text.
    #[serde(flatten)]
    pub text: PublicText,
    /// Who proposed it.
    pub proposed_by: String,
    /// When (unix ms).
    pub proposed_ms: i64,
    /// Who approved, returned or withdrew it ('' before).
    pub reviewed_by: String,
    /// When (unix ms, 0 before).
    pub reviewed_ms: i64,
    /// The reviewer's reason (returned, withdrawn).
    pub note: String,
    /// Raised by every change.
    pub version: u64,
}

/// One change of a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationEvent {
    /// When (unix ms).
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// The state it led to.
    pub action: PublicationState,
    /// 提请公开, 审核通过, 退回, 撤回公开.
    pub label: &'static str,
    /// The reviewer's reason (returned, withdrawn).
    pub note: String,
}

/// A letter to publish, as its handler and reviewers see it: the original beside the public
/// text, and the publication so far.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationCase {
    /// The ticket's tracking code.
    pub code: String,
    /// The responsible body.
    pub body_id: String,
    /// Kind label.
    pub kind_label: &'static str,
    /// The letter and reply as they are (may hold personal data: staff only).
    pub original: PublicText,
    /// The citizen consented to publication.
    pub consent_public: bool,
    /// Replied (unix ms, 0 before).
    pub replied_ms: i64,
    /// The public text proposed so far, else the original redacted.
    pub draft: PublicText,
    /// The publication, once proposed.
    pub publication: Option<Publication>,
    /// Its changes made on this node, oldest first.
    pub history: Vec<PublicationEvent>,
}

/// Whether `who` may propose a reply of `body` for publication: a handler of it, a platform admin.
pub fn may_propose(who: &Access, body: &str) -> bool {
    who.is_platform_admin() || who.may(Action::HandleTickets, Some(body))
}

/// Whether `who` may approve, return or withdraw a publication of `body`'s reply.
pub fn may_review(who: &Access, body: &str) -> bool {
    who.may(Action::ReviewReplies, Some(body))
}

/// Whether `who` reviews replies of any body (the reviewers' queue is theirs).
pub fn reviews_replies(who: &Access) -> bool {
    who.is_platform_admin()
        || who
            .grants
            .iter()
            .any(|g| g.role == Role::Reviewer && g.scope.body().is_some())
}

/// Checks a public text: lengths, and none of the citizen's data.
pub fn check_text(text: &PublicText, personal: &Personal) -> Result<(), Refusal> {
    for (field, value, max) in [
        ("subject", &text.subject, 200),
        ("content", &text.content, MAX_CONTENT_CHARS),
        ("reply", &text.reply, 10_000),
    ] {
        check_len(field, value, max)?;
        if let Some(what) = personal_data_in(value, personal) {
            return Err(Refusal::PersonalData(field, what));
        }
    }
    Ok(())
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), Refusal> {
    let n = value.trim().chars().count();
    let control = value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t');
    if n < 2 || n > max || control {
        return Err(Refusal::Length(field, 2, max));
    }
    Ok(())
}

fn trimmed(t: &PublicText) -> PublicText {
    PublicText {
        subject: t.subject.trim().into(),
        content: t.content.trim().into(),
        reply: t.reply.trim().into(),
    }
}

impl Interaction {
    /// A held ticket and its personal data, for a publication change.
    async fn publishable(
        &self,
        code: &str,
    ) -> Result<(TicketRecord, Personal, Option<Publication>), PublicationError> {
        let mut conn = self.read.acquire().await?;
        let (t, holder) = store::get(&mut conn, code)
            .await?
            .ok_or(Refusal::NoTicket)?;
        if !holder {
            return Err(Refusal::NotHeld.into());
        }
        let personal = store::personal(&mut conn, code).await?.unwrap_or_default();
        let publication = get(&mut conn, code).await?;
        Ok((t, personal, publication))
    }

    fn case(
        t: TicketRecord,
        personal: &Personal,
        publication: Option<Publication>,
        history: Vec<PublicationEvent>,
    ) -> PublicationCase {
        let original = PublicText {
            subject: t.subject.clone(),
            content: t.content.clone(),
            reply: t.reply.clone(),
        };
        let draft = match &publication {
            Some(p) => p.text.clone(),
            None => PublicText {
                subject: redact(&original.subject, personal),
                content: redact(&original.content, personal),
                reply: redact(&original.reply, personal),
            },
        };
        PublicationCase {
            kind_label: TicketKind::parse(&t.kind).map_or("", |k| k.label()),
            code: t.code,
            body_id: t.body_id,
            original,
            consent_public: t.consent_public,
            replied_ms: t.replied_ms,
            draft,
            publication,
            history,
        }
    }

    /// A letter's publication for its handler or a reviewer of its body: the original, the
    /// publication so far, else the original with the citizen's data redacted as the draft.
    pub async fn publication_case(
        &self,
        code: &str,
        who: &Access,
    ) -> Result<PublicationCase, PublicationError> {
        let (t, personal, publication) = self.publishable(code).await?;
        if !may_propose(who, &t.body_id) && !may_review(who, &t.body_id) {
            return Err(Refusal::NotHandler.into());
        }
        let mut conn = self.read.acquire().await?;
        let history = history(&mut conn, code).await?;
        Ok(Self::case(t, &personal, publication, history))
    }

    /// Letters proposed for publication (or published, returned, withdrawn) of the bodies
    /// `who` reviews or handles (every body for a platform admin), awaiting review first.
    pub async fn publication_cases(
        &self,
        who: &Access,
    ) -> Result<Vec<PublicationCase>, PublicationError> {
        let mut conn = self.read.acquire().await?;
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT p.code FROM reply_publications p JOIN tickets t ON t.code = p.code
             WHERE t.holder = 1 ORDER BY CASE p.state WHEN 'proposed' THEN 0 ELSE 1 END, p.proposed_ms DESC LIMIT 1000",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for code in codes {
            let Some((t, _)) = store::get(&mut conn, &code).await? else {
                continue;
            };
            if !may_review(who, &t.body_id) && !may_propose(who, &t.body_id) {
                continue;
            }
            let personal = store::personal(&mut conn, &code).await?.unwrap_or_default();
            let publication = get(&mut conn, &code).await?;
            let history = history(&mut conn, &code).await?;
            out.push(Self::case(t, &personal, publication, history));
        }
        Ok(out)
    }

    /// A handler proposes the reply for publication with `text` (again after a return or a
    /// withdrawal, or to change a proposal not yet reviewed).
    pub async fn propose_publication(
        &self,
        code: &str,
        who: &Access,
        text: &PublicText,
    ) -> Result<Publication, PublicationError> {
        let (t, personal, before) = self.publishable(code).await?;
        if !may_propose(who, &t.body_id) {
            return Err(Refusal::NotHandler.into());
        }
        if !t.consent_public {
            return Err(Refusal::NoConsent.into());
        }
        if t.replied_ms <= 0 || t.reply.is_empty() {
            return Err(Refusal::NotReplied.into());
        }
        if let Some(p) = before
            .as_ref()
            .filter(|p| p.state == PublicationState::Approved)
        {
            return Err(Refusal::State(p.state, "重新提请（请先撤回公开）").into());
        }
        check_text(text, &personal)?;
        let p = Publication {
            code: code.into(),
            state: PublicationState::Proposed,
            state_label: PublicationState::Proposed.label(),
            text: trimmed(text),
            proposed_by: who.person().into(),
            proposed_ms: now_ms(),
            reviewed_by: String::new(),
            reviewed_ms: 0,
            note: String::new(),
            version: before.map_or(1, |b| b.version + 1),
        };
        let mut tx = self.write.begin().await?;
        put(&mut tx, &p).await?;
        log(&mut tx, &p, who.person(), p.proposed_ms).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// A reviewer of the body approves the public text (`text`, edited or as proposed): it is
    /// public from now on, here and on the node the letter was filed on. Approving again
    /// after edits is allowed; the proposer never approves.
    pub async fn approve_publication(
        &self,
        code: &str,
        who: &Access,
        text: &PublicText,
    ) -> Result<Publication, PublicationError> {
        let (t, personal, before) = self.publishable(code).await?;
        let mut p = self.reviewable(&t, who, before)?;
        if !matches!(
            p.state,
            PublicationState::Proposed | PublicationState::Approved
        ) {
            return Err(Refusal::State(p.state, "审核通过").into());
        }
        if p.proposed_by == who.person() {
            return Err(Refusal::OwnProposal.into());
        }
        if !t.consent_public {
            return Err(Refusal::NoConsent.into());
        }
        check_text(text, &personal)?;
        p.state = PublicationState::Approved;
        p.text = trimmed(text);
        p.note.clear();
        self.reviewed(&t, p, who).await
    }

    /// A reviewer of the body returns a proposal with a reason.
    pub async fn return_publication(
        &self,
        code: &str,
        who: &Access,
        reason: &str,
    ) -> Result<Publication, PublicationError> {
        let (t, _, before) = self.publishable(code).await?;
        let mut p = self.reviewable(&t, who, before)?;
        if p.state != PublicationState::Proposed {
            return Err(Refusal::State(p.state, "退回").into());
        }
        check_len("note", reason, 500)?;
        p.state = PublicationState::Returned;
        p.note = reason.trim().into();
        self.reviewed(&t, p, who).await
    }

    /// A reviewer of the body withdraws an approved publication (撤回公开) with a reason.
    pub async fn withdraw_publication(
        &self,
        code: &str,
        who: &Access,
        reason: &str,
    ) -> Result<Publication, PublicationError> {
        let (t, _, before) = self.publishable(code).await?;
        let mut p = self.reviewable(&t, who, before)?;
        if p.state != PublicationState::Approved {
            return Err(Refusal::State(p.state, "撤回公开").into());
        }
        check_len("note", reason, 500)?;
        p.state = PublicationState::Withdrawn;
        p.note = reason.trim().into();
        self.reviewed(&t, p, who).await
    }

    fn reviewable(
        &self,
        t: &TicketRecord,
        who: &Access,
        before: Option<Publication>,
    ) -> Result<Publication, PublicationError> {
        if !may_review(who, &t.body_id) {
            return Err(Refusal::NotReviewer.into());
        }
        Ok(before.ok_or(Refusal::NotProposed)?)
    }

    /// Stores a review, and sends an approval or withdrawal to the filing node, in one
    /// transaction.
    async fn reviewed(
        &self,
        t: &TicketRecord,
        mut p: Publication,
        who: &Access,
    ) -> Result<Publication, PublicationError> {
        p.state_label = p.state.label();
        p.reviewed_by = who.person().into();
        p.reviewed_ms = now_ms();
        p.version += 1;
        let mut tx = self.write.begin().await?;
        put(&mut tx, &p).await?;
        log(&mut tx, &p, who.person(), p.reviewed_ms).await?;
        let filed: Option<NodeId> = t.filed_node.parse().ok();
        let travels = matches!(
            p.state,
            PublicationState::Approved | PublicationState::Withdrawn
        );
        if let Some(filed) = filed.filter(|f| *f != self.federation.me() && travels) {
            let transfer = Transfer::Publication {
                code: p.code.clone(),
                publication: PublishedReply {
                    state: p.state.code().into(),
                    subject: p.text.subject.clone(),
                    content: p.text.content.clone(),
                    reply: p.text.reply.clone(),
                    reviewed_ms: p.reviewed_ms,
                    version: p.version,
                },
            };
            self.federation
                .send(
                    &mut tx,
                    filed,
                    crate::routing::PUBLICATION,
                    encode_payload(V1, &transfer),
                )
                .await
                .map_err(fed_err)?;
        }
        tx.commit().await?;
        self.federation.kick_outbox();
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use govnode_accounts::Grant;

    use super::*;
    use crate::InteractionError;

    #[test]
    fn who_proposes_and_who_reviews() {
        let handler = Access::user(1, "li", vec![Grant::body("440000.hrss")]);
        let reviewer = Access::user(2, "wang", vec![Grant::body_reviewer("440000.hrss")]);
        let other = Access::user(3, "zhao", vec![Grant::body_reviewer("440000.edu")]);
        let admin = Access::user(4, "root", vec![Grant::node(Role::PlatformAdmin)]);
        assert!(may_propose(&handler, "440000.hrss"));
        assert!(!may_review(&handler, "440000.hrss"));
        assert!(may_review(&reviewer, "440000.hrss"));
        assert!(!may_propose(&reviewer, "440000.hrss"));
        assert!(!may_review(&other, "440000.hrss"));
        assert!(may_review(&admin, "440000.hrss") && may_propose(&admin, "440000.hrss"));
        assert!(reviews_replies(&reviewer) && reviews_replies(&admin));
        assert!(!reviews_replies(&handler));
    }

    #[test]
    fn texts_are_checked_for_length_and_personal_data() {
        let p = Personal {
            name: "张三丰".into(),
            phone: "13800138000".into(),
            ..Default::default()
        };
        let ok = PublicText {
            subject: "社保转移".into(),
            content: "请问跨省转移需要哪些材料？".into(),
            reply: "可在网上办理。".into(),
        };
        assert_eq!(check_text(&ok, &p), Ok(()));
        let named = PublicText {
            content: "我是张三丰，请问……".into(),
            ..ok.clone()
        };
        assert_eq!(
            check_text(&named, &p),
            Err(Refusal::PersonalData("content", "姓名"))
        );
        let short = PublicText {
            subject: "社".into(),
            ..ok
        };
        assert!(matches!(
            check_text(&short, &p),
            Err(Refusal::Length("subject", ..))
        ));
        let e: InteractionError = Refusal::OwnProposal.into();
        assert!(matches!(e, InteractionError::Forbidden(_)));
        assert!(
            Refusal::PersonalData("reply", "联系电话")
                .chinese()
                .contains("公开答复内容")
        );
    }
}
