//! The body (word/document.xml) read into blocks: paragraphs by style and numbering, runs
//! with bold and italic, breaks, hyperlinks, images and tables. Tracked changes are read as
//! accepted (insertions kept, deletions dropped); what cannot be carried over (text boxes,
//! footnotes, comments, equations, embedded objects, charts) is named in the warnings.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::DocxError;
use super::model::{Block, Inline};
use super::numbering::Numbering;
use super::rels::{Rels, Target};
use super::styles::Styles;
use super::table::Tables;
use super::warnings;
use super::xml::{attr, damaged, entity, local, on};

const PART: &str = "word/document.xml";

/// The body's blocks and what was left out.
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub(crate) blocks: Vec<Block>,
    pub(crate) warnings: Vec<String>,
}

#[derive(Default)]
struct Para {
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
    inlines: Vec<Inline>,
}

struct Reader_<'d> {
    styles: &'d Styles,
    numbering: &'d Numbering,
    rels: &'d Rels,
    body: Body,
    /// Depth inside an element whose content is left out (0: reading).
    skip: usize,
    para: Option<Para>,
    in_ppr: bool,
    in_rpr: bool,
    in_run: bool,
    in_text: bool,
    bold: bool,
    italic: bool,
    /// Open hyperlinks: their address (None: an internal anchor) and text so far.
    links: Vec<(Option<String>, Vec<Inline>)>,
    tables: Tables,
    image_alt: String,
}

/// Reads the body.
pub(crate) fn read(
    xml: &str,
    styles: &Styles,
    numbering: &Numbering,
    rels: &Rels,
) -> Result<Body, DocxError> {
    let mut r = Reader_ {
        styles,
        numbering,
        rels,
        body: Body::default(),
        skip: 0,
        para: None,
        in_ppr: false,
        in_rpr: false,
        in_run: false,
        in_text: false,
        bold: false,
        italic: false,
        links: Vec::new(),
        tables: Tables::default(),
        image_alt: String::new(),
    };
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|e| damaged(PART, e))? {
            Event::Start(e) => {
                if r.skip > 0 {
                    r.skip += 1;
                } else {
                    r.start(&e, false);
                }
            }
            Event::Empty(e) if r.skip == 0 => {
                r.start(&e, true);
                let name = local(&e);
                if name != "hyperlink" {
                    r.end(&name);
                }
            }
            Event::End(e) => {
                if r.skip > 0 {
                    r.skip -= 1;
                } else {
                    let name = e.local_name().as_ref().to_string();
                    r.end(&name);
                }
            }
            Event::Text(t) if r.skip == 0 && r.in_text => {
                let text = t
                    .xml_content(quick_xml::XmlVersion::Implicit1_0)
                    .into_owned();
                r.push_text(&text);
            }
            Event::GeneralRef(g) if r.skip == 0 && r.in_text => {
                let text = entity(&g);
                r.push_text(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(r.body)
}

impl Reader_<'_> {
    fn warn(&mut self, w: &str) {
        if !self.body.warnings.iter().any(|x| x == w) {
            self.body.warnings.push(w.to_string());
        }
    }

    /// Leaves out the element just opened (when it has content).
    fn skip(&mut self, empty: bool) {
        if !empty {
            self.skip = 1;
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = local(e);
        match name.as_str() {
            // Tracked changes, taken as accepted: deletions and moved-away text go.
            "del" | "moveFrom" => {
                self.warn(warnings::TRACKED);
                self.skip(empty);
            }
            "ins" | "moveTo" => self.warn(warnings::TRACKED),
            "pPrChange" | "rPrChange" | "sectPrChange" | "tblPrChange" | "trPrChange"
            | "tcPrChange" | "tblGridChange" | "numberingChange" | "Fallback" | "sdtPr"
            | "instrText" | "delInstrText" => self.skip(empty),
            "txbxContent" | "textbox" => {
                self.warn(warnings::TEXT_BOX);
                self.skip(empty);
            }
            "oMath" | "oMathPara" => {
                self.warn(warnings::EQUATION);
                self.skip(empty);
            }
            "object" => {
                self.warn(warnings::OBJECT);
                self.skip(empty);
            }
            "chart" => self.warn(warnings::CHART),
            "footnoteReference" => self.warn(warnings::FOOTNOTE),
            "endnoteReference" => self.warn(warnings::ENDNOTE),
            "commentReference" | "commentRangeStart" => self.warn(warnings::COMMENT),
            "sym" if self.in_run => self.warn(warnings::SYMBOL),
            "p" => {
                self.para = Some(Para::default());
            }
            "pPr" => self.in_ppr = true,
            "rPr" => self.in_rpr = true,
            "pStyle" if self.in_ppr && !self.in_rpr => {
                if let Some(p) = self.para.as_mut() {
                    p.style = attr(e, "val");
                }
            }
            "numId" if self.in_ppr => {
                if let Some(p) = self.para.as_mut() {
                    p.num_id = attr(e, "val");
                }
            }
            "ilvl" if self.in_ppr => {
                if let Some(p) = self.para.as_mut() {
                    p.ilvl = attr(e, "val").and_then(|v| v.parse().ok());
                }
            }
            "r" => {
                self.in_run = true;
                // A run starts with what its paragraph's style gives (a heading's own bold
                // is the heading's, not emphasis).
                let para_style = self
                    .para
                    .as_ref()
                    .and_then(|p| p.style.as_deref())
                    .filter(|s| self.styles.heading(s).is_none())
                    .map(|s| self.styles.emphasis(s))
                    .unwrap_or_default();
                self.bold = para_style.bold.unwrap_or(false);
                self.italic = para_style.italic.unwrap_or(false);
            }
            // A character style (强调, Strong …), then the run's own b and i after it.
            "rStyle" if self.in_rpr && !self.in_ppr => {
                if let Some(style) = attr(e, "val") {
                    let emphasis = self.styles.emphasis(&style);
                    self.bold = emphasis.bold.unwrap_or(self.bold);
                    self.italic = emphasis.italic.unwrap_or(self.italic);
                }
            }
            "b" if self.in_rpr && !self.in_ppr => self.bold = on(e),
            "i" if self.in_rpr && !self.in_ppr => self.italic = on(e),
            "t" if self.in_run && !empty => self.in_text = true,
            "tab" if self.in_run && !self.in_ppr => self.push_text("\t"),
            "noBreakHyphen" if self.in_run => self.push_text("-"),
            "br" | "cr" if self.in_run && attr(e, "type").as_deref() != Some("page") => {
                self.push(Inline::Break);
            }
            "hyperlink" if !empty => {
                let href = attr(e, "id").and_then(|id| match self.rels.get(&id) {
                    Some(Target::External(url)) => Some(url.clone()),
                    _ => None,
                });
                self.links.push((href, Vec::new()));
            }
            "drawing" | "pict" => self.image_alt.clear(),
            "docPr" => {
                self.image_alt = attr(e, "descr")
                    .filter(|d| !d.trim().is_empty())
                    .or_else(|| attr(e, "title"))
                    .unwrap_or_default();
            }
            "blip" | "imagedata" => {
                let id = attr(e, "embed").or_else(|| attr(e, "id"));
                match id.and_then(|id| self.rels.get(&id).cloned()) {
                    Some(Target::Part(part)) => {
                        let alt = self.image_alt.trim().to_string();
                        self.push(Inline::Image { part, alt });
                    }
                    _ => self.warn(warnings::LINKED_IMAGE),
                }
            }
            "tbl" | "tr" | "tc" | "gridSpan" | "vMerge" if self.tables.start(&name, e) => {
                self.warn(warnings::NESTED_TABLE);
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "p" => self.end_paragraph(),
            "pPr" => self.in_ppr = false,
            "rPr" => self.in_rpr = false,
            "r" => {
                self.in_run = false;
                self.in_text = false;
            }
            "t" => self.in_text = false,
            "hyperlink" => {
                if let Some((href, children)) = self.links.pop() {
                    match href {
                        Some(href) if !children.is_empty() => {
                            self.push(Inline::Link { href, children });
                        }
                        _ => children.into_iter().for_each(|c| self.push(c)),
                    }
                }
            }
            "tbl" | "tr" | "tc" => {
                if let Some(table) = self.tables.end(name) {
                    self.body.blocks.push(table);
                }
            }
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let (bold, italic) = (self.bold, self.italic);
        let Some(target) = self.target() else {
            return;
        };
        if let Some(Inline::Text {
            text: last,
            bold: b,
            italic: i,
        }) = target.last_mut()
            && *b == bold
            && *i == italic
        {
            last.push_str(text);
            return;
        }
        target.push(Inline::Text {
            text: text.to_string(),
            bold,
            italic,
        });
    }

    fn push(&mut self, inline: Inline) {
        if let Some(target) = self.target() {
            target.push(inline);
        }
    }

    /// Where inlines go now: the innermost open hyperlink, else the paragraph.
    fn target(&mut self) -> Option<&mut Vec<Inline>> {
        if let Some((_, children)) = self.links.last_mut() {
            return Some(children);
        }
        self.para.as_mut().map(|p| &mut p.inlines)
    }

    fn end_paragraph(&mut self) {
        let Some(mut para) = self.para.take() else {
            return;
        };
        // A hyperlink left open by a damaged file keeps its text.
        while let Some((_, children)) = self.links.pop() {
            para.inlines.extend(children);
        }
        trim(&mut para.inlines);
        if para.inlines.is_empty() {
            return;
        }
        if self.tables.open() {
            if let Some(cell) = self.tables.cell() {
                if !cell.is_empty() {
                    cell.push(Inline::Break);
                }
                cell.extend(para.inlines);
            }
            return;
        }
        let style = para.style.as_deref().unwrap_or("");
        if let Some(level) = self.styles.heading(style).filter(|_| !style.is_empty()) {
            self.body.blocks.push(Block::Heading(level, para.inlines));
            return;
        }
        let num = match (para.num_id, para.ilvl) {
            (Some(id), level) => Some((id, level.unwrap_or(0))),
            (None, _) => self.styles.numbering(style),
        };
        match num {
            Some((list, level)) if list != "0" => {
                let ordered = self.numbering.ordered(&list, level);
                self.body.blocks.push(Block::ListItem {
                    list,
                    level: level.min(8),
                    ordered,
                    inlines: para.inlines,
                });
            }
            _ => self.body.blocks.push(Block::Paragraph(para.inlines)),
        }
    }
}

/// Drops leading and trailing breaks and ASCII white space (never full-width spaces, which
/// Chinese documents use on purpose).
fn trim(inlines: &mut Vec<Inline>) {
    while matches!(inlines.last(), Some(Inline::Break)) {
        inlines.pop();
    }
    while matches!(inlines.first(), Some(Inline::Break)) {
        inlines.remove(0);
    }
    if let Some(Inline::Text { text, .. }) = inlines.last_mut() {
        let t = text.trim_end_matches([' ', '\t']).len();
        text.truncate(t);
    }
    if let Some(Inline::Text { text, .. }) = inlines.first_mut() {
        *text = text.trim_start_matches([' ', '\t']).to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
}
