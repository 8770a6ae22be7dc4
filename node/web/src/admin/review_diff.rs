//! 比对修改: the working revision beside the live one (or the previous revision): the body
//! line by line with the changed characters marked, and every metadata field marked when it
//! changed. Pure: documents in, rows to render out.

use govnode_content::ArticleDoc;
use serde::Serialize;
use similar::{ChangeTag, DiffOp, TextDiff};

/// A piece of a line: changed or not.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct Piece {
    /// The text.
    pub text: String,
    /// Whether it was removed (old side) or added (new side).
    pub changed: bool,
}

/// One row of the side-by-side body: the old line, the new line (either may be absent).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct LineRow {
    /// The old side's pieces (`None`: no line there).
    pub old: Option<Vec<Piece>>,
    /// The new side's pieces.
    pub new: Option<Vec<Piece>>,
    /// Whether the row differs.
    pub changed: bool,
}

/// One metadata field, old and new as staff read them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct FieldRow {
    /// The field's name (标题, 主题分类, …).
    pub label: &'static str,
    /// Before.
    pub old: String,
    /// After.
    pub new: String,
    /// Whether it changed.
    pub changed: bool,
}

/// What is shown for an empty value.
const NONE: &str = "（无）";

fn shown(s: &str) -> String {
    if s.trim().is_empty() {
        NONE.to_string()
    } else {
        s.to_string()
    }
}

/// The metadata as staff read it: names, never codes.
fn fields(doc: &ArticleDoc) -> Vec<(&'static str, String)> {
    let attachments: Vec<String> = doc
        .attachments
        .iter()
        .map(|a| format!("{}（{} 字节）", a.name, a.size))
        .collect();
    vec![
        ("标题", shown(&doc.title)),
        ("副标题", shown(&doc.subtitle)),
        ("摘要", shown(&doc.summary)),
        ("作者", shown(&doc.author)),
        ("主题分类", shown(govnode_library::theme_label(&doc.theme))),
        (
            "文档类型",
            shown(govnode_library::doc_type_label(&doc.doc_type)),
        ),
        ("发文机关", shown(&doc.issuing_body)),
        ("发文字号", shown(&doc.doc_number)),
        ("成文日期", shown(&doc.date)),
        ("实施日期", shown(&doc.valid_from)),
        ("废止日期", shown(&doc.valid_to)),
        ("标签", shown(&doc.tags.join("、"))),
        ("附件", shown(&attachments.join("；"))),
    ]
}

/// Every metadata field of `new`, beside `old`'s when there is one.
pub(super) fn field_rows(old: Option<&ArticleDoc>, new: &ArticleDoc) -> Vec<FieldRow> {
    let before = old.map(fields);
    fields(new)
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let old_value = before
                .as_ref()
                .and_then(|b| b.get(i))
                .map(|(_, v)| v.clone());
            FieldRow {
                label,
                changed: old_value.as_ref().is_some_and(|o| *o != value),
                old: old_value.unwrap_or_else(|| NONE.to_string()),
                new: value,
            }
        })
        .collect()
}

fn whole(line: &str) -> Vec<Piece> {
    vec![Piece {
        text: line.trim_end_matches(['\n', '\r']).to_string(),
        changed: false,
    }]
}

fn marked(line: &str, changed: bool) -> Vec<Piece> {
    vec![Piece {
        text: line.trim_end_matches(['\n', '\r']).to_string(),
        changed,
    }]
}

/// Appends `text` to `pieces`, merging with the last piece of the same kind.
fn push(pieces: &mut Vec<Piece>, text: &str, changed: bool) {
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.changed == changed => last.text.push_str(text),
        _ => pieces.push(Piece {
            text: text.to_string(),
            changed,
        }),
    }
}

/// An old and a new line with the changed characters marked on each side.
fn inline(old: &str, new: &str) -> (Vec<Piece>, Vec<Piece>) {
    let diff = TextDiff::from_chars(old, new);
    let (mut o, mut n) = (Vec::new(), Vec::new());
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                push(&mut o, text, false);
                push(&mut n, text, false);
            }
            ChangeTag::Delete => push(&mut o, text, true),
            ChangeTag::Insert => push(&mut n, text, true),
        }
    }
    (o, n)
}

/// The body side by side, line by line; a replaced line pairs with its successor and marks
/// the characters that differ.
pub(super) fn body_rows(old: &str, new: &str) -> Vec<LineRow> {
    let diff = TextDiff::from_lines(old, new);
    let old_lines: Vec<&str> = diff.iter_old_slices().collect();
    let new_lines: Vec<&str> = diff.iter_new_slices().collect();
    let mut rows = Vec::new();
    for op in diff.ops() {
        match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for i in 0..len {
                    rows.push(LineRow {
                        old: Some(whole(old_lines[old_index + i])),
                        new: Some(whole(new_lines[new_index + i])),
                        changed: false,
                    });
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for line in &old_lines[old_index..old_index + old_len] {
                    rows.push(LineRow {
                        old: Some(marked(line, true)),
                        new: None,
                        changed: true,
                    });
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for line in &new_lines[new_index..new_index + new_len] {
                    rows.push(LineRow {
                        old: None,
                        new: Some(marked(line, true)),
                        changed: true,
                    });
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                for i in 0..old_len.max(new_len) {
                    let o = (i < old_len).then(|| old_lines[old_index + i]);
                    let n = (i < new_len).then(|| new_lines[new_index + i]);
                    let (o, n) = match (o, n) {
                        (Some(o), Some(n)) => {
                            let (a, b) = inline(o, n);
                            (Some(a), Some(b))
                        }
                        (o, n) => (o.map(|l| marked(l, true)), n.map(|l| marked(l, true))),
                    };
                    rows.push(LineRow {
                        old: o,
                        new: n,
                        changed: true,
                    });
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_marked_to_the_character() {
        let rows = body_rows(
            "第一条 总则\n第二条 适用范围\n",
            "第一条 总则\n第二条 适用对象\n新增一行\n",
        );
        assert_eq!(rows.len(), 3);
        assert!(!rows[0].changed);
        assert!(rows[1].changed);
        let old = rows[1].old.as_ref().unwrap();
        let new = rows[1].new.as_ref().unwrap();
        assert!(old.iter().any(|p| p.changed && p.text == "范围"));
        assert!(new.iter().any(|p| p.changed && p.text == "对象"));
        assert!(
            old.iter()
                .any(|p| !p.changed && p.text.starts_with("第二条"))
        );
        assert_eq!(rows[2].old, None);
        assert_eq!(rows[2].new.as_ref().unwrap()[0].text, "新增一行");
    }

    #[test]
    fn fields_by_name_marked_when_changed() {
        let doc = |title: &str, theme: &str| ArticleDoc {
            title: title.into(),
            subtitle: String::new(),
            body: String::new(),
            body_format: Default::default(),
            body_html: String::new(),
            summary: String::new(),
            author: String::new(),
            issuing_body: String::new(),
            doc_number: String::new(),
            theme: theme.into(),
            doc_type: "news".into(),
            date: String::new(),
            valid_from: String::new(),
            valid_to: String::new(),
            attachments: vec![],
            tags: vec![],
        };
        let rows = field_rows(Some(&doc("旧", "01")), &doc("新", "01"));
        let title = rows.iter().find(|r| r.label == "标题").unwrap();
        assert!(title.changed);
        assert_eq!((title.old.as_str(), title.new.as_str()), ("旧", "新"));
        let theme = rows.iter().find(|r| r.label == "主题分类").unwrap();
        assert!(!theme.changed);
        assert!(!theme.new.chars().all(|c| c.is_ascii_digit()));
        // A first revision: nothing is marked.
        assert!(
            field_rows(None, &doc("新", "01"))
                .iter()
                .all(|r| !r.changed)
        );
    }
}
