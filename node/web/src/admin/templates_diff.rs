//! A line diff of a template against its built-in default (比对修改).

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// One line of a diff: `op` is " " (kept), "-" (only in the default) or "+" (only in the
/// template), `no` its line number in the template (kept and added lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct DiffLine {
    pub op: &'static str,
    pub no: Option<usize>,
    pub text: String,
}

/// The lines of `new` against `old` (the `similar` crate's line diff).
pub(super) fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    diff.iter_all_changes()
        .map(|c| DiffLine {
            op: match c.tag() {
                ChangeTag::Equal => " ",
                ChangeTag::Delete => "-",
                ChangeTag::Insert => "+",
            },
            no: c.new_index().map(|i| i + 1),
            text: c.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(d: &[DiffLine]) -> String {
        d.iter()
            .map(|l| format!("{}{}", l.op, l.text))
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn lines_kept_removed_and_added() {
        assert_eq!(ops(&line_diff("a\nb\nc", "a\nb\nc")), " a| b| c");
        assert_eq!(ops(&line_diff("a\nb\nc", "a\nx\nc")), " a|-b|+x| c");
        assert_eq!(ops(&line_diff("a\nc\n", "a\nb\nc\nd\n")), " a|+b| c|+d");
        let d = line_diff("a\nb", "b");
        assert_eq!(ops(&d), "-a| b");
        assert_eq!(d[1].no, Some(1));
    }
}
