//! The editor's form: what it posts, and the patch of only the fields that changed.

use govnode_content::{ArticleDoc, ArticleInput, ArticlePatch};
use serde::{Deserialize, Serialize};

/// The editor's fields as the form posts them (and as the page shows them).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub(super) struct Editable {
    pub title: String,
    pub subtitle: String,
    pub body: String,
    pub summary: String,
    pub author: String,
    pub issuing_body: String,
    pub doc_number: String,
    pub theme: String,
    pub doc_type: String,
    pub date: String,
    pub valid_from: String,
    pub valid_to: String,
    /// Tags separated by 、 , ， or ;.
    pub tags: String,
}

impl Editable {
    /// A stored document's fields.
    pub fn of(doc: &ArticleDoc) -> Editable {
        Editable {
            title: doc.title.clone(),
            subtitle: doc.subtitle.clone(),
            body: doc.body.clone(),
            summary: doc.summary.clone(),
            author: doc.author.clone(),
            issuing_body: doc.issuing_body.clone(),
            doc_number: doc.doc_number.clone(),
            theme: doc.theme.clone(),
            doc_type: doc.doc_type.clone(),
            date: doc.date.clone(),
            valid_from: doc.valid_from.clone(),
            valid_to: doc.valid_to.clone(),
            tags: doc.tags.join("、"),
        }
    }

    /// The tags typed, each trimmed, none empty.
    pub fn tag_list(&self) -> Vec<String> {
        self.tags
            .split(['、', ',', '，', ';', '；', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Line endings as stored (a browser posts CRLF).
    fn body_lf(&self) -> String {
        self.body.replace("\r\n", "\n")
    }

    /// A new article's input.
    pub fn input(&self, column: &str) -> ArticleInput {
        ArticleInput {
            column: Some(column.to_string()),
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            body: self.body_lf(),
            summary: self.summary.clone(),
            author: self.author.clone(),
            issuing_body: self.issuing_body.clone(),
            doc_number: self.doc_number.clone(),
            theme: self.theme.clone(),
            doc_type: self.doc_type.clone(),
            date: self.date.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            tags: self.tag_list(),
            ..ArticleInput::default()
        }
    }

    /// Only what differs from `doc`: nothing else is sent, so nothing is cleared by accident.
    pub fn patch(&self, doc: &ArticleDoc) -> ArticlePatch {
        let changed = |new: &str, old: &str| (new.trim() != old.trim()).then(|| new.to_string());
        let body = self.body_lf();
        let tags = self.tag_list();
        ArticlePatch {
            title: changed(&self.title, &doc.title),
            subtitle: changed(&self.subtitle, &doc.subtitle),
            body: (body != doc.body).then_some(body),
            summary: changed(&self.summary, &doc.summary),
            author: changed(&self.author, &doc.author),
            issuing_body: changed(&self.issuing_body, &doc.issuing_body),
            doc_number: changed(&self.doc_number, &doc.doc_number),
            theme: changed(&self.theme, &doc.theme),
            doc_type: changed(&self.doc_type, &doc.doc_type),
            date: changed(&self.date, &doc.date),
            valid_from: changed(&self.valid_from, &doc.valid_from),
            valid_to: changed(&self.valid_to, &doc.valid_to),
            tags: (tags != doc.tags).then_some(tags),
            ..ArticlePatch::default()
        }
    }
}

/// Whether a patch changes nothing.
pub(super) fn is_empty(p: &ArticlePatch) -> bool {
    p.title.is_none()
        && p.subtitle.is_none()
        && p.body.is_none()
        && p.summary.is_none()
        && p.author.is_none()
        && p.issuing_body.is_none()
        && p.doc_number.is_none()
        && p.theme.is_none()
        && p.doc_type.is_none()
        && p.date.is_none()
        && p.valid_from.is_none()
        && p.valid_to.is_none()
        && p.tags.is_none()
        && p.attachments.is_none()
        && p.column.is_none()
        && p.body_format.is_none()
}

/// The editor's fields as posted: a field the form did not send keeps its value.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Posted {
    title: Option<String>,
    subtitle: Option<String>,
    body: Option<String>,
    summary: Option<String>,
    author: Option<String>,
    issuing_body: Option<String>,
    doc_number: Option<String>,
    theme: Option<String>,
    doc_type: Option<String>,
    date: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    tags: Option<String>,
}

impl Posted {
    /// `base` with every field the form sent over it.
    pub fn over(&self, base: &Editable) -> Editable {
        let pick = |p: &Option<String>, b: &str| p.clone().unwrap_or_else(|| b.to_string());
        Editable {
            title: pick(&self.title, &base.title),
            subtitle: pick(&self.subtitle, &base.subtitle),
            body: pick(&self.body, &base.body),
            summary: pick(&self.summary, &base.summary),
            author: pick(&self.author, &base.author),
            issuing_body: pick(&self.issuing_body, &base.issuing_body),
            doc_number: pick(&self.doc_number, &base.doc_number),
            theme: pick(&self.theme, &base.theme),
            doc_type: pick(&self.doc_type, &base.doc_type),
            date: pick(&self.date, &base.date),
            valid_from: pick(&self.valid_from, &base.valid_from),
            valid_to: pick(&self.valid_to, &base.valid_to),
            tags: pick(&self.tags, &base.tags),
        }
    }
}

/// The editor's form as posted: the fields, the button pressed, the CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EditorForm {
    pub csrf: String,
    /// `save` (保存草稿) or `submit` (提交审核).
    pub action: String,
    /// For a new article (and the preview of unsaved work).
    pub site: String,
    pub column: String,
    #[serde(flatten)]
    pub fields: Posted,
}
