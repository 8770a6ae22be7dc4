//! govnode-interaction: one-net interaction (一网通答).
//!
//! Citizens write to any government body of the province from any site: leader mailbox,
//! consultation, complaint, suggestion, report, error report, and applications for
//! disclosure of government information. A ticket travels the tree path from the node
//! where it was filed to the node of the responsible body, store-and-forward (the
//! federation's routed delivery); every change is signed by the node that made it and
//! travels to the other end. Deadlines are counted in working days on the province's
//! holiday calendar; overdue tickets are escalated to the superior level.

pub mod calendar;
pub mod deadline;
mod desk;
mod error;
mod handling;
pub mod holiday_notice;
mod inbox;
mod inspection;
pub mod model;
mod notices;
mod password;
pub mod problem;
pub mod progress;
pub mod publication;
pub mod receipt;
mod reply_templates;
mod requests;
mod rollup;
mod routing;
pub mod rules;
mod service;
mod settings;
mod store;
pub mod survey;

pub use desk::{Desk, NODE_DEFAULT};
pub use error::InteractionError;
pub use handling::{BodyStats, PublicReply};
pub use inbox::{Inbox, LetterFilter};
pub use inspection::{ConsultInspection, LateConsultation};
pub use model::{Attachment, Body, EventRecord, Personal, TicketKind, TicketRecord, TicketState};
pub use notices::{MAX_MAIL_ATTEMPTS, Notice, NoticeCounts, NoticeKind, NoticeScope};
pub use problem::Problem;
pub use progress::Progress;
pub use publication::{
    PublicText, Publication, PublicationCase, PublicationError, PublicationState,
};
pub use receipt::Receipt;
pub use reply_templates::ReplyTemplate;
#[cfg(feature = "openapi")]
pub use requests::filing_rule;
pub use requests::{Filing, HandlerAction};
pub use routing::{KIND_PREFIX, TicketDelivery};
pub use service::{Interaction, TicketView, beijing_today};
pub use settings::{Levels, Settings};

/// This crate's tables as SQLite migrations, versions 6xxxx (`govnode::storage` merges all modules').
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
