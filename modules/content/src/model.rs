//! The content domain: sites, columns, articles and their documents.

use serde::{Deserialize, Serialize};

use crate::ContentError;
use crate::sanitize::BodyFormat;
use crate::workflow::State;

/// A government website hosted by this node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    /// Short id used in paths: `/sites/{id}/`.
    pub id: String,
    /// Display name, e.g. 广东省人民政府.
    pub name: String,
    /// Host names that serve this site by `Host` header.
    pub hosts: Vec<String>,
    /// The government body that owns the site (主办单位).
    pub owner_body: String,
    /// Organisation code of the owning body, used in index numbers.
    pub body_code: String,
    /// Region code (GB/T 2260) of the body.
    pub region: String,
    /// One-key shutdown: serving a maintenance page.
    pub shutdown: bool,
    /// The message shown while shut down.
    pub shutdown_message: String,
    /// The node that owns the site (its origin); another node's id means this is a replica.
    pub origin: String,
    /// The footer items every government site shows (网站标识码, 备案号, contact …).
    pub footer: crate::SiteFooter,
    /// On a replica, the host names its owner serves it under (this node does not answer
    /// for them; monitoring probes them). Empty on this node's own sites.
    #[serde(default)]
    pub owner_hosts: Vec<String>,
}

/// What a column publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ColumnKind {
    /// 工作动态.
    News,
    /// 通知公告.
    Notice,
    /// 政策文件.
    Policy,
    /// 政策解读.
    Interpretation,
    /// 办事指南.
    Guide,
    /// 问答.
    Qa,
    /// 专题.
    Topic,
}

impl ColumnKind {
    /// Every kind, in display order.
    pub const ALL: [ColumnKind; 7] = [
        ColumnKind::News,
        ColumnKind::Notice,
        ColumnKind::Policy,
        ColumnKind::Interpretation,
        ColumnKind::Guide,
        ColumnKind::Qa,
        ColumnKind::Topic,
    ];

    /// Wire name; also the default document type of the column's articles.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::News => "news",
            ColumnKind::Notice => "notice",
            ColumnKind::Policy => "policy",
            ColumnKind::Interpretation => "interpretation",
            ColumnKind::Guide => "guide",
            ColumnKind::Qa => "qa",
            ColumnKind::Topic => "topic",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<ColumnKind, ContentError> {
        ColumnKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| ContentError::Invalid {
            field: "kind",
            message: format!("`{s}` is not a column kind (news, notice, policy, interpretation, guide, qa, topic)"),
        })
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        govnode_library::doc_type_label(self.as_str())
    }
}

/// A column (栏目) of a site; columns form a tree.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Column {
    /// Row id.
    pub id: i64,
    /// Owning site.
    pub site: String,
    /// Parent column, for sub-columns.
    pub parent: Option<i64>,
    /// Path segment: `/columns/{slug}`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What it publishes.
    pub kind: ColumnKind,
    /// How often it is expected to be updated (monitoring flags stale columns).
    pub update_interval_days: Option<i64>,
    /// Order among siblings.
    pub position: i64,
    /// The template set it was stamped from, if any.
    pub template_set: Option<String>,
    /// Archived (撤销): out of the navigation, its pages answer 410 Gone.
    #[serde(default)]
    pub archived: bool,
}

/// An attachment reference: a blob by hash, with the name to show.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// blake3 hash of the blob (64 lowercase hex digits).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9a-f]{64}$"))]
    pub hash: String,
    /// File name shown to readers, 1–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")
    )]
    pub name: String,
    /// Size in bytes (filled from the blob store).
    #[serde(default, deserialize_with = "govnode_topology::whole::number")]
    pub size: i64,
    /// MIME type (filled from the blob store).
    #[serde(default)]
    pub mime: String,
}

/// What an editor sends to create or revise an article.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleInput {
    /// Column slug (only when creating; an article stays in its column).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$"))]
    pub column: Option<String>,
    /// Title (required, ≤ 200 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")
    )]
    pub title: String,
    /// Subtitle, at most 200 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub subtitle: String,
    /// Body text in `body_format`, at most 1 000 000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1_000_000))]
    pub body: String,
    /// Markdown (default) or HTML.
    #[serde(default)]
    pub body_format: BodyFormat,
    /// Summary; derived from the body when empty.
    #[serde(default)]
    pub summary: String,
    /// Author shown on the page, at most 100 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub author: String,
    /// Issuing body (发文机关 / 来源), at most 100 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub issuing_body: String,
    /// Document number (发文字号), at most 100 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub doc_number: String,
    /// Theme classification code (主题分类), 01–21; default 01.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(|0[1-9]|1[0-9]|2[01])$"))]
    pub theme: String,
    /// Document type; defaults to the column's kind.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(|news|notice|policy|interpretation|guide|qa|topic|law|report)$")
    )]
    pub doc_type: String,
    /// Date of the document (成文/发布日期), YYYY-MM-DD; defaults to publication day.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)?$"
        )
    )]
    pub date: String,
    /// Valid from, YYYY-MM-DD.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)?$"
        )
    )]
    pub valid_from: String,
    /// Valid to, YYYY-MM-DD, not before `valid_from`.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^(([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)?$"
        )
    )]
    pub valid_to: String,
    /// Attachments (blobs uploaded first).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Tags: at most 20, each 1–30 characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 20,
            min_length = 1,
            max_length = 30,
            pattern = r"[^\s\u0085]"
        )
    )]
    pub tags: Vec<String>,
}

/// One revision's document: the input, normalised, with its sanitised HTML.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleDoc {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Body as submitted.
    pub body: String,
    /// Format of `body`.
    pub body_format: BodyFormat,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// Summary (given or derived).
    pub summary: String,
    /// Author.
    pub author: String,
    /// Issuing body.
    pub issuing_body: String,
    /// Document number.
    pub doc_number: String,
    /// Theme code.
    pub theme: String,
    /// Document type code.
    pub doc_type: String,
    /// Document date, YYYY-MM-DD (may be empty until publication).
    pub date: String,
    /// Valid from.
    pub valid_from: String,
    /// Valid to.
    pub valid_to: String,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Tags.
    pub tags: Vec<String>,
}

/// An article's workflow record (local to the owning node; never replicated).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    /// Row id.
    pub id: i64,
    /// Site.
    pub site: String,
    /// Column id.
    pub column_id: i64,
    /// Column slug.
    pub column: String,
    /// Workflow state of the working revision.
    pub state: State,
    /// Token name of the creator.
    pub created_by: String,
    /// Working revision number.
    pub revision: i64,
    /// Scheduled publication time (unix ms).
    pub scheduled_ms: Option<i64>,
    /// The last rejection or withdrawal reason.
    pub reason: String,
    /// Whether a live published copy exists.
    pub live: bool,
    /// Parent document (a regulation this article is a clause of).
    pub parent_id: Option<i64>,
    /// The working revision's document.
    pub doc: ArticleDoc,
    /// Public URL once published.
    pub url: Option<String>,
    /// Index number once published.
    pub index_number: Option<String>,
}

/// A published (or withdrawn) document as the public site sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    /// Article id.
    pub id: i64,
    /// Site.
    pub site: String,
    /// Column id.
    pub column_id: i64,
    /// Revision number live.
    pub revision: i64,
    /// Index number (索引号).
    pub index_number: String,
    /// Publication time of the document (unix ms).
    pub published_ms: i64,
    /// Last update (unix ms).
    pub updated_ms: i64,
    /// Withdrawn, with reason and time.
    pub withdrawn: Option<(String, i64)>,
    /// Parent document.
    pub parent_id: Option<i64>,
    /// The live document.
    pub doc: ArticleDoc,
    /// Local change sequence (what the search index has applied).
    pub change_seq: i64,
}

/// Checks a YYYY-MM-DD date (empty allowed).
pub(crate) fn check_date(field: &'static str, s: &str) -> Result<(), ContentError> {
    if s.is_empty() || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
        Ok(())
    } else {
        Err(ContentError::Invalid {
            field,
            message: format!("`{s}` is not a date (YYYY-MM-DD)"),
        })
    }
}

/// Checks an id or slug: lowercase ASCII letters, digits and '-', 1–40 characters.
pub(crate) fn check_slug(field: &'static str, s: &str) -> Result<(), ContentError> {
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ContentError::Invalid {
            field,
            message: format!("`{s}` must be 1–40 of a-z, 0-9 and '-'"),
        })
    }
}

/// Checks a required display text.
pub(crate) fn check_text(field: &'static str, s: &str, max: usize) -> Result<(), ContentError> {
    let n = s.trim().chars().count();
    if n == 0 {
        Err(ContentError::Invalid {
            field,
            message: "is required".into(),
        })
    } else if n > max {
        Err(ContentError::Invalid {
            field,
            message: format!("is {n} characters; at most {max}"),
        })
    } else {
        Ok(())
    }
}
