//! Tables of the body: rows of cells, merged cells kept in place (a cell spanning columns
//! leaves the ones it covers empty, a cell merged with the one above is empty: its text is
//! there), every row as wide as the widest. A table inside a cell is flattened into it.

use quick_xml::events::BytesStart;

use super::model::{Block, Cell};
use super::xml::attr;

/// The table being read, if any.
#[derive(Default)]
pub(crate) struct Tables {
    /// Nesting: 1 inside a table, more inside a table in a cell.
    depth: usize,
    rows: Vec<Vec<Cell>>,
    row: Option<Vec<Cell>>,
    /// The open cell: its text, the columns it spans, whether it continues the one above.
    cell: Option<(Cell, usize, bool)>,
}

impl Tables {
    /// Whether a table is open.
    pub(crate) fn open(&self) -> bool {
        self.depth > 0
    }

    /// The open cell of the outermost table, where paragraphs go.
    pub(crate) fn cell(&mut self) -> Option<&mut Cell> {
        self.cell.as_mut().map(|(c, _, _)| c)
    }

    /// An element opened; true when it is a table nested in a cell.
    pub(crate) fn start(&mut self, name: &str, e: &BytesStart<'_>) -> bool {
        if name == "tbl" {
            self.depth += 1;
            if self.depth == 1 {
                self.rows.clear();
                self.row = None;
                self.cell = None;
            }
            return self.depth > 1;
        }
        if self.depth != 1 {
            return false;
        }
        match name {
            "tr" => self.row = Some(Vec::new()),
            "tc" => self.cell = Some((Vec::new(), 1, false)),
            "gridSpan" => {
                let span = attr(e, "val").and_then(|v| v.parse::<usize>().ok());
                if let Some((_, s, _)) = self.cell.as_mut() {
                    *s = span.unwrap_or(1).clamp(1, 64);
                }
            }
            "vMerge" => {
                let continues = attr(e, "val").is_none_or(|v| v == "continue");
                if let Some((_, _, c)) = self.cell.as_mut() {
                    *c = continues;
                }
            }
            _ => {}
        }
        false
    }

    /// An element closed; the finished table when it was the outermost one.
    pub(crate) fn end(&mut self, name: &str) -> Option<Block> {
        match name {
            "tc" if self.depth == 1 => {
                if let Some((cell, span, continues)) = self.cell.take() {
                    let row = self.row.get_or_insert_with(Vec::new);
                    row.push(if continues { Vec::new() } else { cell });
                    row.extend((1..span).map(|_| Vec::new()));
                }
                None
            }
            "tr" if self.depth == 1 => {
                if let Some(row) = self.row.take()
                    && !row.is_empty()
                {
                    self.rows.push(row);
                }
                None
            }
            "tbl" => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth > 0 {
                    return None;
                }
                let rows = std::mem::take(&mut self.rows);
                let width = rows.iter().map(Vec::len).max().unwrap_or(0);
                (width > 0).then(|| {
                    Block::Table(
                        rows.into_iter()
                            .map(|mut r| {
                                r.resize(width, Vec::new());
                                r
                            })
                            .collect(),
                    )
                })
            }
            _ => None,
        }
    }
}
