//! Characters that look alike (形近字), from the shipped table `dict/shapes.txt`.
//!
//! Near-shape typos come from handwriting, scanned text and stroke-based input methods;
//! unlike homophones they cannot be read from pinyin, so they need a table.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The shipped table of look-alike groups.
pub const BUILTIN_SHAPES: &str = include_str!("../../dict/shapes.txt");

static LOOK_ALIKES: LazyLock<HashMap<char, Vec<char>>> =
    LazyLock::new(|| look_alikes(BUILTIN_SHAPES));

/// Maps each character to every other character of every group it is in.
fn look_alikes(table: &str) -> HashMap<char, Vec<char>> {
    let mut map: HashMap<char, Vec<char>> = HashMap::new();
    for line in table.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let group: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
        for &c in &group {
            let others = map.entry(c).or_default();
            for &o in &group {
                if o != c && !others.contains(&o) {
                    others.push(o);
                }
            }
        }
    }
    map
}

/// Characters that look like `c` (empty when the table has none).
pub fn look_alike(c: char) -> &'static [char] {
    LOOK_ALIKES.get(&c).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric_and_merged() {
        let map = look_alikes("# 注释\n肓盲育\n育肯\n\n");
        assert_eq!(map[&'肓'], vec!['盲', '育']);
        assert_eq!(map[&'育'], vec!['肓', '盲', '肯']);
        assert_eq!(map[&'肯'], vec!['育']);
        assert!(!map.contains_key(&'注'));
    }

    #[test]
    fn the_shipped_table_loads() {
        assert!(look_alike('肓').contains(&'育'));
        assert!(look_alike('脸').contains(&'险'));
        assert!(look_alike('a').is_empty());
        // Every group has at least two distinct characters.
        for line in BUILTIN_SHAPES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut chars: Vec<char> = line.chars().collect();
            let n = chars.len();
            chars.sort_unstable();
            chars.dedup();
            assert!(n >= 2 && chars.len() == n, "dict/shapes.txt: {line}");
        }
    }
}
