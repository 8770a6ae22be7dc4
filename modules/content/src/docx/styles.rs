//! Styles (word/styles.xml): which paragraph style ids are headings, at what level, and
//! which carry a list's numbering; which paragraph and character styles make text bold or
//! italic (要点, 强调, a "Strong" character style). Chinese Word names its built-in
//! heading styles "标题 1" and gives them ids like "1"; both names and outline levels are
//! read, through `basedOn`.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::DocxError;
use super::xml::{attr, damaged, local, on};

/// What a paragraph or character style means for the import.
#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    outline: Option<u8>,
    num: Option<(String, u8)>,
    based_on: Option<String>,
    /// Bold as the style's run properties set it (None: inherited).
    bold: Option<bool>,
    /// Italic as the style's run properties set it (None: inherited).
    italic: Option<bool>,
}

/// A style's emphasis: bold and italic, each set or left to what is below it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Emphasis {
    /// Bold, if the style says.
    pub bold: Option<bool>,
    /// Italic, if the style says.
    pub italic: Option<bool>,
}

/// The styles of one document.
#[derive(Debug, Default)]
pub(crate) struct Styles {
    by_id: HashMap<String, Style>,
}

/// A heading level from a style name: Title, Heading 1–6, 标题, 标题 1–6.
fn level_of_name(name: &str) -> Option<u8> {
    let n = name.trim().to_lowercase();
    if n == "title" || n == "标题" {
        return Some(1);
    }
    let rest = n
        .strip_prefix("heading")
        .or_else(|| n.strip_prefix("标题"))?
        .trim();
    match rest.parse::<u8>() {
        Ok(l @ 1..=9) => Some(l.min(6)),
        _ => None,
    }
}

impl Styles {
    /// Parses styles.xml (absent: no styles).
    pub(crate) fn parse(xml: Option<&str>) -> Result<Self, DocxError> {
        const PART: &str = "word/styles.xml";
        let mut styles = Styles::default();
        let Some(xml) = xml else {
            return Ok(styles);
        };
        let mut reader = Reader::from_str(xml);
        let mut current: Option<(String, Style)> = None;
        let mut in_rpr = false;
        loop {
            match reader.read_event().map_err(|e| damaged(PART, e))? {
                Event::Start(e) | Event::Empty(e) => {
                    let name = local(&e);
                    match (name.as_str(), current.as_mut()) {
                        ("style", _) => {
                            let kind = attr(&e, "type");
                            let read = kind
                                .as_deref()
                                .is_none_or(|t| matches!(t, "paragraph" | "character"));
                            current = match (read, attr(&e, "styleId")) {
                                (true, Some(id)) => Some((id, Style::default())),
                                _ => None,
                            };
                        }
                        ("rPr", Some(_)) => in_rpr = true,
                        ("b", Some((_, s))) if in_rpr => s.bold = Some(on(&e)),
                        ("i", Some((_, s))) if in_rpr => s.italic = Some(on(&e)),
                        ("name", Some((_, s))) => s.name = attr(&e, "val").unwrap_or_default(),
                        ("basedOn", Some((_, s))) => s.based_on = attr(&e, "val"),
                        ("outlineLvl", Some((_, s))) => {
                            s.outline = attr(&e, "val").and_then(|v| v.parse::<u8>().ok());
                        }
                        ("numId", Some((_, s))) => {
                            let level = s.num.as_ref().map_or(0, |n| n.1);
                            s.num = attr(&e, "val").map(|v| (v, level));
                        }
                        ("ilvl", Some((_, s))) => {
                            let level = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0);
                            let id = s.num.take().map(|n| n.0).unwrap_or_default();
                            s.num = Some((id, level));
                        }
                        _ => {}
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "rPr" => in_rpr = false,
                Event::End(e) if e.local_name().as_ref() == "style" => {
                    in_rpr = false;
                    if let Some((id, s)) = current.take() {
                        styles.by_id.insert(id, s);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(styles)
    }

    /// The heading level (1–6) of a paragraph style, if it is a heading.
    pub(crate) fn heading(&self, id: &str) -> Option<u8> {
        if let Some(level) = level_of_name(id)
            && !self.by_id.contains_key(id)
        {
            return Some(level);
        }
        let mut id = id.to_string();
        for _ in 0..10 {
            let s = self.by_id.get(&id)?;
            if let Some(level) = level_of_name(&s.name) {
                return Some(level);
            }
            if let Some(o @ 0..=8) = s.outline {
                return Some((o + 1).min(6));
            }
            id = s.based_on.clone()?;
        }
        None
    }

    /// The bold and italic a paragraph or character style gives its text, through
    /// `basedOn` (the nearest style that says wins).
    pub(crate) fn emphasis(&self, id: &str) -> Emphasis {
        let mut out = Emphasis::default();
        let mut id = id.to_string();
        for _ in 0..10 {
            let Some(s) = self.by_id.get(&id) else {
                break;
            };
            out.bold = out.bold.or(s.bold);
            out.italic = out.italic.or(s.italic);
            match &s.based_on {
                Some(next) => id = next.clone(),
                None => break,
            }
        }
        out
    }

    /// The list numbering a paragraph style carries (`numId`, level), if any.
    pub(crate) fn numbering(&self, id: &str) -> Option<(String, u8)> {
        let mut id = id.to_string();
        for _ in 0..10 {
            let s = self.by_id.get(&id)?;
            if let Some((num, level)) = &s.num {
                return (!num.is_empty() && num != "0").then(|| (num.clone(), *level));
            }
            id = s.based_on.clone()?;
        }
        None
    }
}
