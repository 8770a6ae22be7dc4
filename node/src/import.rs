//! `govnode import`: reads a JSONL corpus and publishes its documents in batches.
//!
//! Each batch is one transaction, so a crash never leaves half a batch; every document has
//! an import key, so re-running skips what is already in. Bad lines are reported with their
//! line number and skipped. The search index catches up after each batch (and, after a
//! crash, when the node next opens).

use std::io::{BufRead, BufReader};
use std::path::Path;

use govnode_content::ImportDoc;
use govnode_content::import::{parse_line, to_docs};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{Node, NodeError};

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// Lines read.
    pub lines: u64,
    /// Documents published.
    pub imported: u64,
    /// Documents already present.
    pub skipped: u64,
    /// Lines rejected (unparsable, or holding a refused document).
    pub bad_lines: u64,
    /// Documents refused as invalid.
    pub rejected_docs: u64,
}

/// Options of one import run.
#[derive(Debug, Clone)]
pub struct ImportOptions<'a> {
    /// Site id.
    pub site: &'a str,
    /// Column slug.
    pub column: &'a str,
    /// Split regulations at their articles.
    pub split: bool,
    /// Documents per transaction.
    pub batch_size: usize,
    /// Show a progress bar.
    pub progress: bool,
}

/// Imports `file` into `node`; bad lines go to `on_bad(line_no, message)`.
pub async fn import_file(
    node: &Node,
    file: &Path,
    opts: &ImportOptions<'_>,
    mut on_bad: impl FnMut(u64, &str),
) -> Result<ImportReport, NodeError> {
    // Fail before reading anything if the target does not exist.
    node.content.column(opts.site, opts.column).await?;
    let f = std::fs::File::open(file).map_err(|e| {
        NodeError::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", file.display()),
        ))
    })?;
    let size = f.metadata()?.len();
    let bar = if opts.progress {
        ProgressBar::new(size)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut reader = BufReader::new(f);
    let mut report = ImportReport::default();
    let mut batch: Vec<ImportDoc> = Vec::new();
    // Import key of each batched document's source line, to report refusals by line.
    let mut lines_of: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut first_line = 1;
    let mut line = String::new();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n > 0 {
            report.lines += 1;
            bar.inc(n as u64);
            let text = line.trim();
            if !text.is_empty() {
                match parse_line(text) {
                    Ok(rec) => {
                        for d in to_docs(&rec, opts.split) {
                            lines_of.insert(d.key.clone(), report.lines);
                            batch.push(d);
                        }
                    }
                    Err(msg) => {
                        report.bad_lines += 1;
                        on_bad(report.lines, &msg);
                    }
                }
            }
        }
        // A record's documents stay in one batch: flush only between lines.
        if batch.len() >= opts.batch_size.max(1) || (n == 0 && !batch.is_empty()) {
            let note = format!("{name} lines {first_line}–{}", report.lines);
            let out = node
                .content
                .import_batch("import", opts.site, opts.column, &batch, &note)
                .await?;
            report.imported += out.imported;
            report.skipped += out.skipped;
            let mut bad: Vec<u64> = Vec::new();
            for (key, msg) in &out.rejected {
                let at = lines_of.get(key).copied().unwrap_or(0);
                on_bad(at, &format!("document {key}: {msg}"));
                bad.push(at);
            }
            bad.dedup();
            report.bad_lines += bad.len() as u64;
            report.rejected_docs += out.rejected.len() as u64;
            batch.clear();
            lines_of.clear();
            first_line = report.lines + 1;
            node.sync_search().await?;
            bar.set_message(format!(
                "{} imported, {} skipped",
                report.imported, report.skipped
            ));
        }
        if n == 0 {
            break;
        }
    }
    bar.finish_and_clear();
    Ok(report)
}
