//! Tickets, their kinds and states, bodies, and what travels between nodes.

use serde::{Deserialize, Serialize};

/// What a citizen writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TicketKind {
    /// 领导信箱.
    LeaderMailbox,
    /// 咨询.
    Consultation,
    /// 投诉.
    Complaint,
    /// 建议.
    Suggestion,
    /// 举报.
    Report,
    /// 纠错: an error on a government website.
    SiteError,
    /// 依申请公开: application for disclosure of government information.
    Disclosure,
}

impl TicketKind {
    /// Every kind.
    pub const ALL: [TicketKind; 7] = [
        TicketKind::LeaderMailbox,
        TicketKind::Consultation,
        TicketKind::Complaint,
        TicketKind::Suggestion,
        TicketKind::Report,
        TicketKind::SiteError,
        TicketKind::Disclosure,
    ];

    /// The wire code, e.g. "consultation".
    pub fn code(self) -> &'static str {
        match self {
            TicketKind::LeaderMailbox => "leader_mailbox",
            TicketKind::Consultation => "consultation",
            TicketKind::Complaint => "complaint",
            TicketKind::Suggestion => "suggestion",
            TicketKind::Report => "report",
            TicketKind::SiteError => "site_error",
            TicketKind::Disclosure => "disclosure",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            TicketKind::LeaderMailbox => "领导信箱",
            TicketKind::Consultation => "咨询",
            TicketKind::Complaint => "投诉",
            TicketKind::Suggestion => "建议",
            TicketKind::Report => "举报",
            TicketKind::SiteError => "纠错",
            TicketKind::Disclosure => "依申请公开",
        }
    }

    /// Parses a wire code.
    pub fn parse(code: &str) -> Option<TicketKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Filed, not yet looked at by the responsible body.
    Submitted,
    /// Accepted: the deadline runs.
    Accepted,
    /// Refused, with a reason (final).
    Refused,
    /// Being handled.
    InProgress,
    /// The handler asked the citizen for more information: the clock pauses.
    InfoRequested,
    /// Answered.
    Replied,
    /// The citizen rated the reply.
    Rated,
    /// Closed (final).
    Closed,
}

impl TicketState {
    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            TicketState::Submitted => "submitted",
            TicketState::Accepted => "accepted",
            TicketState::Refused => "refused",
            TicketState::InProgress => "in_progress",
            TicketState::InfoRequested => "info_requested",
            TicketState::Replied => "replied",
            TicketState::Rated => "rated",
            TicketState::Closed => "closed",
        }
    }

    /// The Chinese name shown to citizens.
    pub fn label(self) -> &'static str {
        match self {
            TicketState::Submitted => "已提交",
            TicketState::Accepted => "已受理",
            TicketState::Refused => "不予受理",
            TicketState::InProgress => "办理中",
            TicketState::InfoRequested => "待补充材料",
            TicketState::Replied => "已答复",
            TicketState::Rated => "已评价",
            TicketState::Closed => "已办结",
        }
    }

    /// Every state, in workflow order.
    pub const ALL: [TicketState; 8] = [
        TicketState::Submitted,
        TicketState::Accepted,
        TicketState::Refused,
        TicketState::InProgress,
        TicketState::InfoRequested,
        TicketState::Replied,
        TicketState::Rated,
        TicketState::Closed,
    ];

    /// Parses a wire code.
    pub fn parse(code: &str) -> Option<TicketState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the body still owes an answer (the deadline runs or is paused).
    pub fn open(self) -> bool {
        matches!(
            self,
            TicketState::Submitted
                | TicketState::Accepted
                | TicketState::InProgress
                | TicketState::InfoRequested
        )
    }
}

/// A government body that answers tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Body {
    /// "<node id>.<slug>", e.g. "440000.hrss".
    pub id: String,
    /// The node it belongs to.
    pub node: String,
    /// Its name, e.g. 广东省人力资源和社会保障厅.
    pub name: String,
    /// The body of the superior level ('' for the parent node's level).
    pub superior: String,
    /// The node's public key (hex): the citizen's data is sealed to it on the way.
    pub public_key: String,
}

impl Body {
    /// The node named by a body id.
    pub fn node_of(id: &str) -> Option<&str> {
        let (node, slug) = id.split_once('.')?;
        (node.len() == 6
            && node.bytes().all(|b| b.is_ascii_digit())
            && !slug.is_empty()
            && slug.len() <= 40
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'))
        .then_some(node)
    }
}

/// The citizen's personal data: kept where filed and where answered, never published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Personal {
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// ID number (optional).
    pub id_number: String,
    /// E-mail (optional).
    pub email: String,
}

impl Personal {
    /// The data masked for listings: 张*, 138****5678, 4401**********1234.
    pub fn masked(&self) -> Personal {
        Personal {
            name: mask(&self.name, 1, 0),
            phone: mask(&self.phone, 3, 4),
            id_number: mask(&self.id_number, 4, 4),
            email: match self.email.split_once('@') {
                Some((user, domain)) => format!("{}@{domain}", mask(user, 1, 0)),
                None => mask(&self.email, 1, 0),
            },
        }
    }
}

/// Keeps `head` and `tail` characters, masks the rest with `*`.
pub fn mask(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A file the citizen attached (kept where filed and where answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// blake3 of the bytes (hex).
    pub hash: String,
    /// File name.
    pub name: String,
    /// MIME type.
    pub mime: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// What only the responsible body's node may read: sealed to its key on the way.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sealed {
    /// The citizen's data.
    pub personal: Personal,
    /// The attachments.
    pub attachments: Vec<Attachment>,
}

/// A ticket's state as every node holding it keeps it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketRecord {
    /// Tracking code.
    pub code: String,
    /// Kind code.
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// The citizen's text.
    pub content: String,
    /// Responsible body.
    pub body_id: String,
    /// Where it was filed.
    pub filed_node: String,
    /// Site it was filed on.
    pub filed_site: String,
    /// State code.
    pub state: String,
    /// The citizen agreed to publish the letter and the reply.
    pub consent_public: bool,
    /// The tracking password's hash, for the citizen's queries at either end: an argon2id
    /// PHC string (`$argon2id$v=19$…`, a salt of its own), or for a ticket filed before,
    /// blake3 of "govnode ticket {code}:{password}" (64 hex digits) until its first good
    /// check. Never serialised with the record, so no view (API, page) can show it: it
    /// travels between nodes only inside a [`Transfer`], whose wire form keeps it.
    #[serde(skip)]
    pub password_hash: String,
    /// Attachment hashes and names.
    pub attachments: Vec<(String, String)>,
    /// Filed (unix ms).
    pub filed_ms: i64,
    /// Accepted (Beijing date), '' before.
    pub accepted_day: String,
    /// Due (Beijing date), '' before acceptance.
    pub due_day: String,
    /// Working days the clock was paused.
    pub paused_days: u32,
    /// Paused since (Beijing date) while information is requested.
    pub paused_since: String,
    /// The disclosure extension was granted.
    pub extended: bool,
    /// The reply.
    pub reply: String,
    /// The body that replied.
    pub reply_body: String,
    /// Replied (unix ms).
    pub replied_ms: i64,
    /// 1–5, 0 before rating.
    pub rating: u8,
    /// The citizen's comment on the reply.
    pub rating_comment: String,
    /// Version, raised by every change (later versions win).
    pub version: u64,
}

/// One change of a ticket, signed by the node that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventRecord {
    /// Event id (unique).
    pub id: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// The node that made it.
    pub node: String,
    /// submitted, accepted, refused, transferred, …
    pub action: String,
    /// State after it.
    pub state: String,
    /// Reason, question, information given, comment.
    pub detail: String,
}

/// What travels between nodes (inside signed envelopes).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Transfer {
    /// A ticket for a body at the destination (new, or transferred there), with its
    /// history and the citizen's personal data.
    Ticket {
        /// The ticket (with its password's hash: see [`WireTicket`]).
        #[serde(with = "wire_ticket")]
        ticket: TicketRecord,
        /// Its events so far.
        events: Vec<EventRecord>,
        /// The citizen's data (postcard), sealed to the destination node's key so the
        /// relays on the path cannot read it.
        sealed_personal: Vec<u8>,
    },
    /// A change of a ticket the destination also holds.
    Update {
        /// The ticket after the change (with its password's hash: see [`WireTicket`]).
        #[serde(with = "wire_ticket")]
        ticket: TicketRecord,
        /// The change.
        event: EventRecord,
    },
    /// An overdue ticket escalated to the superior level (no personal data).
    Escalation {
        /// Code.
        code: String,
        /// Responsible body.
        body_id: String,
        /// Kind.
        kind: String,
        /// Subject.
        subject: String,
        /// Due date.
        due_day: String,
        /// Working days late.
        working_days_late: u32,
        /// Past the national red line (a consultation unanswered for 3 months).
        red_line: bool,
    },
    /// 答复公开: a reply's public text as the body's reviewer approved (or withdrew) it, for
    /// the node the letter was filed on, whose site lists it (no personal data).
    Publication {
        /// The ticket's tracking code.
        code: String,
        /// The publication (full state: a later version wins).
        publication: PublishedReply,
    },
}

/// A reply's publication as it travels to the filing node: its state and public texts.
/// Postcard is positional: fields are only ever appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedReply {
    /// `approved` or `withdrawn`.
    pub state: String,
    /// The public subject.
    pub subject: String,
    /// The public letter.
    pub content: String,
    /// The public reply.
    pub reply: String,
    /// When it was reviewed (unix ms).
    pub reviewed_ms: i64,
    /// Version, raised by every change (later versions win).
    pub version: u64,
}

/// A ticket as it travels inside a [`Transfer`]: the fields of [`TicketRecord`] in their
/// order, the password's hash in its place. Payloads are postcard, which is positional, so
/// this layout is what nodes of every version exchange (and what outboxes hold across an
/// upgrade); the record itself leaves the hash out of every other serialisation.
#[derive(Serialize, Deserialize)]
struct WireTicket {
    code: String,
    kind: String,
    subject: String,
    content: String,
    body_id: String,
    filed_node: String,
    filed_site: String,
    state: String,
    consent_public: bool,
    password_hash: String,
    attachments: Vec<(String, String)>,
    filed_ms: i64,
    accepted_day: String,
    due_day: String,
    paused_days: u32,
    paused_since: String,
    extended: bool,
    reply: String,
    reply_body: String,
    replied_ms: i64,
    rating: u8,
    rating_comment: String,
    version: u64,
}

impl From<TicketRecord> for WireTicket {
    fn from(t: TicketRecord) -> Self {
        WireTicket {
            code: t.code,
            kind: t.kind,
            subject: t.subject,
            content: t.content,
            body_id: t.body_id,
            filed_node: t.filed_node,
            filed_site: t.filed_site,
            state: t.state,
            consent_public: t.consent_public,
            password_hash: t.password_hash,
            attachments: t.attachments,
            filed_ms: t.filed_ms,
            accepted_day: t.accepted_day,
            due_day: t.due_day,
            paused_days: t.paused_days,
            paused_since: t.paused_since,
            extended: t.extended,
            reply: t.reply,
            reply_body: t.reply_body,
            replied_ms: t.replied_ms,
            rating: t.rating,
            rating_comment: t.rating_comment,
            version: t.version,
        }
    }
}

impl From<WireTicket> for TicketRecord {
    fn from(t: WireTicket) -> Self {
        TicketRecord {
            code: t.code,
            kind: t.kind,
            subject: t.subject,
            content: t.content,
            body_id: t.body_id,
            filed_node: t.filed_node,
            filed_site: t.filed_site,
            state: t.state,
            consent_public: t.consent_public,
            password_hash: t.password_hash,
            attachments: t.attachments,
            filed_ms: t.filed_ms,
            accepted_day: t.accepted_day,
            due_day: t.due_day,
            paused_days: t.paused_days,
            paused_since: t.paused_since,
            extended: t.extended,
            reply: t.reply,
            reply_body: t.reply_body,
            replied_ms: t.replied_ms,
            rating: t.rating,
            rating_comment: t.rating_comment,
            version: t.version,
        }
    }
}

/// `#[serde(with)]` for a [`TicketRecord`] inside a [`Transfer`]: as a [`WireTicket`].
mod wire_ticket {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{TicketRecord, WireTicket};

    pub(super) fn serialize<S: Serializer>(t: &TicketRecord, s: S) -> Result<S::Ok, S::Error> {
        WireTicket::from(t.clone()).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TicketRecord, D::Error> {
        WireTicket::deserialize(d).map(TicketRecord::from)
    }
}

#[cfg(test)]
mod tests {
    use govnode_federation::{decode_payload, encode_payload};
    use serde::{Deserialize, Serialize};

    use super::*;

    /// `TicketRecord` and `Transfer` as they were before the hash left the record's
    /// serialisation (issue 11): what older nodes send and understand.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct OldTicketRecord {
        code: String,
        kind: String,
        subject: String,
        content: String,
        body_id: String,
        filed_node: String,
        filed_site: String,
        state: String,
        consent_public: bool,
        password_hash: String,
        attachments: Vec<(String, String)>,
        filed_ms: i64,
        accepted_day: String,
        due_day: String,
        paused_days: u32,
        paused_since: String,
        extended: bool,
        reply: String,
        reply_body: String,
        replied_ms: i64,
        rating: u8,
        rating_comment: String,
        version: u64,
    }

    #[derive(Debug, Serialize, Deserialize)]
    enum OldTransfer {
        Ticket {
            ticket: OldTicketRecord,
            events: Vec<EventRecord>,
            sealed_personal: Vec<u8>,
        },
        Update {
            ticket: OldTicketRecord,
            event: EventRecord,
        },
    }

    fn ticket() -> TicketRecord {
        TicketRecord {
            code: "20260101ABCDEF".into(),
            kind: "consultation".into(),
            subject: "社保转移接续".into(),
            content: "请问跨省转移养老保险需要哪些材料？".into(),
            body_id: "440000.hrss".into(),
            filed_node: "440106".into(),
            filed_site: "tianhe".into(),
            state: "replied".into(),
            consent_public: true,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"
                .into(),
            attachments: vec![("ab".repeat(32), "材料.pdf".into())],
            filed_ms: 1_767_225_600_000,
            accepted_day: "2026-01-05".into(),
            due_day: "2026-01-08".into(),
            paused_days: 1,
            paused_since: String::new(),
            extended: false,
            reply: "可在广东政务服务网办理。".into(),
            reply_body: "广东省人力资源和社会保障厅".into(),
            replied_ms: 1_767_600_000_000,
            rating: 5,
            rating_comment: "答复及时".into(),
            version: 7,
        }
    }

    fn event() -> EventRecord {
        EventRecord {
            id: "20260101ABCDEF-1-0a".into(),
            at_ms: 1,
            node: "440000".into(),
            action: "replied".into(),
            state: "replied".into(),
            detail: String::new(),
        }
    }

    #[test]
    fn a_publication_is_the_last_variant_and_leaves_the_others_as_they_were() {
        // postcard writes the variant index first: Ticket 0, Update 1, Escalation 2.
        let update = encode_payload(
            1,
            &Transfer::Update {
                ticket: ticket(),
                event: event(),
            },
        );
        assert_eq!(update[1], 1);
        let publication = Transfer::Publication {
            code: "20260101ABCDEF".into(),
            publication: PublishedReply {
                state: "approved".into(),
                subject: "社保转移接续".into(),
                content: "请问需要哪些材料？".into(),
                reply: "可在网上办理。".into(),
                reviewed_ms: 1,
                version: 3,
            },
        };
        let bytes = encode_payload(1, &publication);
        assert_eq!(bytes[1], 3);
        let (_, back): (u8, Transfer) = decode_payload(&bytes).unwrap();
        let Transfer::Publication { code, publication } = back else {
            panic!("not a publication");
        };
        assert_eq!(code, "20260101ABCDEF");
        assert_eq!(publication.version, 3);
        // An older node reading it fails on the unknown variant instead of misreading it.
        assert!(decode_payload::<OldTransfer>(&bytes).is_err());
    }

    #[test]
    fn views_never_serialise_the_password_hash() {
        let json = serde_json::to_value(ticket()).unwrap();
        assert!(json.get("password_hash").is_none(), "{json}");
        assert!(!json.to_string().contains("argon2"), "{json}");
        assert_eq!(json["code"], "20260101ABCDEF");
    }

    #[test]
    fn transfers_keep_the_wire_layout_of_older_nodes() {
        let t = ticket();
        let old = OldTicketRecord {
            code: t.code.clone(),
            kind: t.kind.clone(),
            subject: t.subject.clone(),
            content: t.content.clone(),
            body_id: t.body_id.clone(),
            filed_node: t.filed_node.clone(),
            filed_site: t.filed_site.clone(),
            state: t.state.clone(),
            consent_public: t.consent_public,
            password_hash: t.password_hash.clone(),
            attachments: t.attachments.clone(),
            filed_ms: t.filed_ms,
            accepted_day: t.accepted_day.clone(),
            due_day: t.due_day.clone(),
            paused_days: t.paused_days,
            paused_since: t.paused_since.clone(),
            extended: t.extended,
            reply: t.reply.clone(),
            reply_body: t.reply_body.clone(),
            replied_ms: t.replied_ms,
            rating: t.rating,
            rating_comment: t.rating_comment.clone(),
            version: t.version,
        };
        // What this node sends, an older node reads, hash included; and back.
        let update = Transfer::Update {
            ticket: t.clone(),
            event: event(),
        };
        let bytes = encode_payload(1, &update);
        let old_update = OldTransfer::Update {
            ticket: old.clone(),
            event: event(),
        };
        assert_eq!(bytes, encode_payload(1, &old_update), "byte for byte");
        let (_, read): (u8, OldTransfer) = decode_payload(&bytes).unwrap();
        let OldTransfer::Update { ticket: read, .. } = read else {
            panic!("not an update");
        };
        assert_eq!(read, old);
        let sent = OldTransfer::Ticket {
            ticket: old,
            events: vec![event()],
            sealed_personal: vec![1, 2, 3],
        };
        let (_, got): (u8, Transfer) = decode_payload(&encode_payload(1, &sent)).unwrap();
        let Transfer::Ticket { ticket: got, .. } = got else {
            panic!("not a ticket");
        };
        assert_eq!(got, t, "the hash arrives with the record");
    }
}
