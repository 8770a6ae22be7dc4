//! What is wrong with what a citizen submitted, said twice: for programs (the API's
//! `field: reason`, English, unchanged) and for the citizen (Chinese, naming the field by
//! the label the form shows). The API, the letters form and the tracking page's forms
//! check with these, so they apply the same rules and say the same thing.

use govnode_topology::NodeId;

use crate::model::{Body, TicketKind};
use crate::requests::Filing;
use crate::service::{MAX_ATTACHMENT_BYTES, MAX_CONTENT_CHARS};
use crate::{Interaction, InteractionError};

/// Longest answer to a request for information (补充材料).
pub const MAX_SUPPLEMENT_CHARS: usize = 5_000;
/// Longest comment on a rating.
pub const MAX_COMMENT_CHARS: usize = 500;
/// Most files a letter may carry.
pub const MAX_FILES: usize = 5;

/// The Chinese name of a field of the citizens' forms (empty for an unknown field).
pub fn label(field: &str) -> &'static str {
    match field {
        "kind" => "信件类型",
        "body" => "受理单位",
        "subject" => "信件标题",
        "content" => "信件内容",
        "name" => "姓名",
        "phone" => "联系电话",
        "id_number" => "身份证号码",
        "email" => "电子邮箱",
        "attachment" | "attachments" => "附件",
        "code" => "查询码",
        "password" => "查询密码",
        "text" => "补充材料",
        "rating" => "评价",
        "comment" => "评价意见",
        _ => "",
    }
}

/// One thing wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field, as the API and the form name it ("content").
    pub field: &'static str,
    what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum What {
    Length { min: usize, max: usize, got: usize },
    Control,
    UnknownKind(String),
    NoBody,
    NotABody(String),
    NodeNotInTree(String),
    Phone,
    IdRequired,
    IdNumber,
    Email,
    AttachmentsTotal(usize),
    AttachmentList,
    FileType(String),
    FileSize(String),
    TooManyFiles,
    Unreadable(String),
    Rating,
}

impl Problem {
    fn new(field: &'static str, what: What) -> Self {
        Problem { field, what }
    }

    /// The message for programs (the API): `field: reason`.
    pub fn message(&self) -> String {
        let f = self.field;
        match &self.what {
            What::Length { min, max, got } => {
                format!("{f}: must be {min}–{max} characters (got {got})")
            }
            What::Control => format!("{f}: control characters are not allowed"),
            What::UnknownKind(kind) => format!(
                "kind: `{kind}` is not one of {}",
                TicketKind::ALL.map(|k| k.code()).join(", ")
            ),
            What::NoBody => "body: choose the body to write to (this site has no letters desk to pass the letter on)".into(),
            What::NotABody(id) => format!("body: `{id}` is not a body id"),
            What::NodeNotInTree(node) => format!("body: node {node} is not in the province's tree"),
            What::Phone => "phone: 6–20 digits".into(),
            What::IdRequired => "id_number: required for an application for disclosure".into(),
            What::IdNumber => "id_number: 18 digits (the last may be X)".into(),
            What::Email => "email: not an e-mail address".into(),
            What::AttachmentsTotal(total) => {
                format!("attachments: {total} bytes in all; at most {MAX_ATTACHMENT_BYTES}")
            }
            What::AttachmentList => "attachments: at most 5 of [blake3 hash, name]".into(),
            What::FileType(file) => {
                format!("attachment: `{file}` is not a PDF, JPEG, PNG, text or DOCX file")
            }
            What::FileSize(file) => format!("attachment: `{file}` must be 1 byte to 5 MiB"),
            What::TooManyFiles => format!("attachment: at most {MAX_FILES} files"),
            What::Unreadable(why) => format!("{f}: {why}"),
            What::Rating => "rating: 1 (very unsatisfied) to 5 (very satisfied)".into(),
        }
    }

    /// The message for the citizen: Chinese, the field by its label on the form.
    pub fn citizen(&self) -> String {
        let l = label(self.field);
        match &self.what {
            What::Length { got: 0, .. } => format!("请填写{l}"),
            What::Length { min, max, got } if min == max => {
                format!("{l}应为 {min} 个字（现为 {got} 个字）")
            }
            What::Length { min: 0, max, got } => format!("{l}不能超过 {max} 字（现为 {got} 字）"),
            What::Length { min, max, got } => format!("{l}应为 {min} 至 {max} 字（现为 {got} 字）"),
            What::Control => format!("{l}含有无法识别的控制字符，请删除后再提交"),
            What::UnknownKind(_) => "请选择信件类型".into(),
            What::NoBody => "请选择受理单位".into(),
            What::NotABody(_) | What::NodeNotInTree(_) => "所选受理单位不存在，请重新选择".into(),
            What::Phone => "联系电话应为 6 至 20 位数字".into(),
            What::IdRequired => "申请政府信息公开须填写身份证号码".into(),
            What::IdNumber => "身份证号码应为 18 位（最后一位可以是 X）".into(),
            What::Email => "电子邮箱格式不正确，例如 name@example.com".into(),
            What::AttachmentsTotal(total) => format!(
                "附件合计不能超过 {} MB（现为 {:.1} MB）",
                MAX_ATTACHMENT_BYTES >> 20,
                *total as f64 / f64::from(1u32 << 20)
            ),
            What::AttachmentList | What::TooManyFiles => format!("附件最多 {MAX_FILES} 个"),
            What::FileType(file) => {
                format!("附件“{file}”不是 PDF、JPG、PNG、TXT 或 DOCX 文件")
            }
            What::FileSize(file) => format!("附件“{file}”是空文件或超过 5 MB"),
            What::Unreadable(_) => "表单未能读取，请重新填写后提交".into(),
            What::Rating => "请选择评价：满意、基本满意或不满意".into(),
        }
    }

    /// A text field of `min` to `max` characters (trimmed) without control characters
    /// other than line breaks and tabs.
    pub fn check_len(field: &'static str, value: &str, min: usize, max: usize) -> Option<Self> {
        let got = value.trim().chars().count();
        if got < min || got > max {
            return Some(Problem::new(field, What::Length { min, max, got }));
        }
        value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            .then(|| Problem::new(field, What::Control))
    }

    /// No body chosen, and the site has no letters desk.
    pub(crate) fn no_body() -> Self {
        Problem::new("body", What::NoBody)
    }

    /// `id` names no body.
    pub(crate) fn not_a_body(id: &str) -> Self {
        Problem::new("body", What::NotABody(id.into()))
    }

    /// The body's node is not in the province's tree.
    pub(crate) fn node_not_in_tree(node: &str) -> Self {
        Problem::new("body", What::NodeNotInTree(node.into()))
    }

    /// A file of a type a citizen may not attach.
    pub fn file_type(file: &str) -> Self {
        Problem::new("attachment", What::FileType(file.into()))
    }

    /// A file that is empty or larger than 5 MiB.
    pub fn file_size(file: &str) -> Self {
        Problem::new("attachment", What::FileSize(file.into()))
    }

    /// More files than a letter may carry.
    pub fn too_many_files() -> Self {
        Problem::new("attachment", What::TooManyFiles)
    }

    /// A form that could not be read (`why` for the log and the API).
    pub fn unreadable(field: &'static str, why: impl Into<String>) -> Self {
        Problem::new(field, What::Unreadable(why.into()))
    }
}

impl From<Problem> for InteractionError {
    fn from(p: Problem) -> Self {
        match p.what {
            What::NodeNotInTree(_) => InteractionError::NotFound(p.message()),
            _ => InteractionError::Invalid(p.message()),
        }
    }
}

/// Everything wrong with a filing that can be told without the database, in the form's
/// order, at most one problem a field; the body is checked by `Interaction::file`.
/// `attachment_bytes` is the size of the files uploaded with it.
pub fn check_filing(f: &Filing, attachment_bytes: usize) -> Vec<Problem> {
    let mut out = Vec::new();
    if TicketKind::parse(&f.kind).is_none() {
        out.push(Problem::new("kind", What::UnknownKind(f.kind.clone())));
    }
    out.extend(Problem::check_len("subject", &f.subject, 2, 100));
    out.extend(Problem::check_len(
        "content",
        &f.content,
        5,
        MAX_CONTENT_CHARS,
    ));
    out.extend(Problem::check_len("name", &f.name, 1, 40));
    let phone_ok = (6..=20).contains(&f.phone.len())
        && f.phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ');
    if !phone_ok {
        out.push(Problem::new("phone", What::Phone));
    }
    let id_ok = f.id_number.len() == 18
        && f.id_number
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x');
    if TicketKind::parse(&f.kind) == Some(TicketKind::Disclosure) && f.id_number.trim().is_empty() {
        out.push(Problem::new("id_number", What::IdRequired));
    } else if !f.id_number.is_empty() && !id_ok {
        out.push(Problem::new("id_number", What::IdNumber));
    }
    if f.email.len() > 100 || (!f.email.is_empty() && !f.email.contains('@')) {
        out.push(Problem::new("email", What::Email));
    }
    if attachment_bytes > MAX_ATTACHMENT_BYTES {
        out.push(Problem::new(
            "attachments",
            What::AttachmentsTotal(attachment_bytes),
        ));
    } else if f.attachments.len() > MAX_FILES
        || f.attachments.iter().any(|(h, n)| {
            h.len() != 64
                || !h.bytes().all(|b| b.is_ascii_hexdigit())
                || n.is_empty()
                || n.chars().count() > 100
        })
    {
        out.push(Problem::new("attachments", What::AttachmentList));
    }
    out
}

/// What is wrong with the citizen's answer to a request for information, if anything.
pub fn check_supplement(text: &str) -> Option<Problem> {
    Problem::check_len("text", text, 2, MAX_SUPPLEMENT_CHARS)
}

/// What is wrong with a rating (1–5) and its comment.
pub fn check_rating(rating: u8, comment: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if !(1..=5).contains(&rating) {
        out.push(Problem::new("rating", What::Rating));
    }
    out.extend(Problem::check_len("comment", comment, 0, MAX_COMMENT_CHARS));
    out
}

/// Where a filing without problems goes: its kind, the body, the body's node.
pub(crate) type Addressee = (TicketKind, String, NodeId);

impl Interaction {
    /// Everything wrong with a filing on `site` (with `attachment_bytes` of uploaded
    /// files), in the form's order, at most one problem a field; empty when it can be filed.
    pub async fn filing_problems(
        &self,
        site: &str,
        f: &Filing,
        attachment_bytes: usize,
    ) -> Result<Vec<Problem>, InteractionError> {
        Ok(self.review(site, f, attachment_bytes).await?.1)
    }

    /// The filing's problems, and where it goes when the kind and the body are right.
    pub(crate) async fn review(
        &self,
        site: &str,
        f: &Filing,
        attachment_bytes: usize,
    ) -> Result<(Option<Addressee>, Vec<Problem>), InteractionError> {
        let mut problems = check_filing(f, attachment_bytes);
        let body = match self.addressee(site, &f.body).await? {
            None => Err(Problem::no_body()),
            Some(id) => match Body::node_of(&id).and_then(|n| n.parse::<NodeId>().ok()) {
                None => Err(Problem::not_a_body(&id)),
                Some(node)
                    if !self.federation.topology().contains(node)
                        && node != self.federation.me() =>
                {
                    Err(Problem::node_not_in_tree(&node.to_string()))
                }
                Some(node) => Ok((id, node)),
            },
        };
        let after_kind = usize::from(problems.first().is_some_and(|p| p.field == "kind"));
        match (body, TicketKind::parse(&f.kind)) {
            (Err(p), _) => {
                problems.insert(after_kind, p);
                Ok((None, problems))
            }
            (Ok((id, node)), Some(kind)) => Ok((Some((kind, id, node)), problems)),
            (Ok(_), None) => Ok((None, problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filing() -> Filing {
        Filing {
            kind: "consultation".into(),
            body: String::new(),
            subject: "公积金提取".into(),
            content: "请问如何提取住房公积金？".into(),
            name: "张三".into(),
            phone: "13800138000".into(),
            id_number: String::new(),
            email: String::new(),
            consent_public: false,
            attachments: Vec::new(),
        }
    }

    #[test]
    fn a_good_filing_has_no_problem() {
        assert_eq!(check_filing(&filing(), 0), Vec::new());
    }

    #[test]
    fn problems_are_told_to_programs_and_to_citizens() {
        let mut f = filing();
        f.content = "太短了吧".into();
        f.phone = "12ab".into();
        f.kind = "nonsense".into();
        let p = check_filing(&f, 0);
        let fields: Vec<_> = p.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["kind", "content", "phone"], "in the form's order");
        assert_eq!(p[1].message(), "content: must be 5–5000 characters (got 4)");
        assert_eq!(p[1].citizen(), "信件内容应为 5 至 5000 字（现为 4 字）");
        assert_eq!(p[2].message(), "phone: 6–20 digits");
        assert_eq!(p[2].citizen(), "联系电话应为 6 至 20 位数字");
        assert_eq!(p[0].citizen(), "请选择信件类型");
        f = filing();
        f.name = "  ".into();
        f.kind = "disclosure".into();
        let p = check_filing(&f, 11 << 20);
        assert_eq!(p[0].citizen(), "请填写姓名");
        assert_eq!(p[1].citizen(), "申请政府信息公开须填写身份证号码");
        assert_eq!(p[2].citizen(), "附件合计不能超过 10 MB（现为 11.0 MB）");
        for p in &p {
            assert!(!p.citizen().is_ascii(), "{p:?}");
            assert!(!p.citizen().contains(p.field), "no field code: {p:?}");
        }
    }

    #[test]
    fn a_rating_and_a_supplement_are_checked() {
        assert!(check_rating(5, "").is_empty());
        assert_eq!(
            check_rating(0, "")[0].citizen(),
            "请选择评价：满意、基本满意或不满意"
        );
        let long = "很".repeat(501);
        assert_eq!(
            check_rating(3, &long)[0].citizen(),
            "评价意见不能超过 500 字（现为 501 字）"
        );
        assert_eq!(
            check_supplement("好").unwrap().citizen(),
            "补充材料应为 2 至 5000 字（现为 1 字）"
        );
        assert!(check_supplement("已上传材料").is_none());
        assert!(matches!(
            InteractionError::from(Problem::node_not_in_tree("450000")),
            InteractionError::NotFound(_)
        ));
    }
}
