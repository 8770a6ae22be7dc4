//! List numbering (word/numbering.xml): whether a list level is numbered or bulleted.
//! A paragraph names a `numId`; that names an abstract definition whose levels (`ilvl`)
//! each have a format (`decimal`, `chineseCounting`, `bullet`, …).

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::DocxError;
use super::xml::{attr, damaged, local};

/// The numbering definitions of one document.
#[derive(Debug, Default)]
pub(crate) struct Numbering {
    /// numId → abstractNumId.
    nums: HashMap<String, String>,
    /// (abstractNumId, ilvl) → numFmt.
    formats: HashMap<(String, u8), String>,
}

impl Numbering {
    /// Parses numbering.xml (absent: every list is bulleted).
    pub(crate) fn parse(xml: Option<&str>) -> Result<Self, DocxError> {
        const PART: &str = "word/numbering.xml";
        let mut numbering = Numbering::default();
        let Some(xml) = xml else {
            return Ok(numbering);
        };
        let mut reader = Reader::from_str(xml);
        let mut abstract_id: Option<String> = None;
        let mut level: Option<u8> = None;
        let mut num_id: Option<String> = None;
        loop {
            match reader.read_event().map_err(|e| damaged(PART, e))? {
                Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                    "abstractNum" => abstract_id = attr(&e, "abstractNumId"),
                    "lvl" => level = attr(&e, "ilvl").and_then(|v| v.parse().ok()),
                    "numFmt" => {
                        if let (Some(a), Some(l), Some(f)) =
                            (abstract_id.as_ref(), level, attr(&e, "val"))
                        {
                            numbering.formats.entry((a.clone(), l)).or_insert(f);
                        }
                    }
                    "num" => num_id = attr(&e, "numId"),
                    "abstractNumId" => {
                        if let (Some(n), Some(a)) = (num_id.as_ref(), attr(&e, "val")) {
                            numbering.nums.insert(n.clone(), a);
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "abstractNum" => abstract_id = None,
                    "lvl" => level = None,
                    "num" => num_id = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(numbering)
    }

    /// Whether level `ilvl` of list `num_id` is numbered (else bulleted).
    pub(crate) fn ordered(&self, num_id: &str, ilvl: u8) -> bool {
        self.nums
            .get(num_id)
            .and_then(|a| self.formats.get(&(a.clone(), ilvl)))
            .is_some_and(|f| f != "bullet" && f != "none")
    }
}
