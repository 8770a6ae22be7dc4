//! Relationships (word/_rels/document.xml.rels): what an `r:id` of the body points at, a
//! hyperlink's address or an image's part; and the document's own title (docProps/core.xml).

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::DocxError;
use super::xml::{attr, damaged, entity, local};

/// Where a relationship points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An address outside the document (a hyperlink).
    External(String),
    /// A part inside the archive, as a path from its root (`word/media/image1.png`).
    Part(String),
}

/// The body's relationships by id.
#[derive(Debug, Default)]
pub(crate) struct Rels {
    by_id: HashMap<String, Target>,
}

impl Rels {
    /// Parses the relationships part (absent: none).
    pub(crate) fn parse(xml: Option<&str>) -> Result<Self, DocxError> {
        const PART: &str = "word/_rels/document.xml.rels";
        let mut rels = Rels::default();
        let Some(xml) = xml else {
            return Ok(rels);
        };
        let mut reader = Reader::from_str(xml);
        loop {
            match reader.read_event().map_err(|e| damaged(PART, e))? {
                Event::Start(e) | Event::Empty(e) if local(&e) == "Relationship" => {
                    let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) else {
                        continue;
                    };
                    let t = if attr(&e, "TargetMode").as_deref() == Some("External") {
                        Target::External(target)
                    } else {
                        Target::Part(resolve(&target))
                    };
                    rels.by_id.insert(id, t);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(rels)
    }

    /// The target of `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&Target> {
        self.by_id.get(id)
    }
}

/// A target relative to `word/` as a path from the archive's root.
fn resolve(target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = vec!["word"];
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The document's title from its properties (docProps/core.xml), if set.
pub(crate) fn core_title(xml: Option<&str>) -> Option<String> {
    let mut reader = Reader::from_str(xml?);
    let mut in_title = false;
    let mut title = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if local(&e) == "title" => in_title = true,
            Event::End(e) if e.local_name().as_ref() == "title" => in_title = false,
            Event::Text(t) if in_title => {
                title.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
            }
            Event::GeneralRef(r) if in_title => title.push_str(&entity(&r)),
            Event::Eof => break,
            _ => {}
        }
    }
    let title = title.trim().to_string();
    (!title.is_empty()).then_some(title)
}
