//! Server-rendered bar charts of survey results: plain SVG, no script, readable by screen
//! readers (`role="img"`, a `<title>` naming the question and a `<desc>` listing every
//! option's count and share).

use govnode_topology::markup::escape;
use std::fmt::Write;

/// Width of the drawing.
const WIDTH: u32 = 640;
/// Left margin.
const LEFT: u32 = 8;
/// Length of a bar at 100 %.
pub const BAR_MAX: f64 = 480.0;
/// Height of one option's row: label above, bar below.
const ROW: u32 = 48;
/// Labels longer than this are shortened on the bar (the full label stays in its title).
const LABEL_CHARS: usize = 36;

fn share(count: i64, total: i64) -> f64 {
    if total <= 0 {
        0.0
    } else {
        count.max(0) as f64 / total as f64
    }
}

/// A horizontal bar chart of `bars` (label, count) out of `total` respondents: each bar's
/// length is its count's share of `total`. `id` makes the element ids unique in a page
/// (letters, digits and `-` are kept, anything else dropped).
pub fn bar_chart(id: &str, title: &str, bars: &[(&str, i64)], total: i64) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let height = 8 + ROW * bars.len() as u32;
    let summary: Vec<String> = bars
        .iter()
        .map(|(label, count)| {
            format!(
                "{}：{} 票（{:.1}%）",
                label,
                count,
                share(*count, total) * 100.0
            )
        })
        .collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"survey-chart\" role=\"img\" \
         width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"14\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">共 {total} 人作答。{}</desc>",
        escape(title),
        escape(&summary.join("；"))
    );
    for (i, ((label, count), line)) in bars.iter().zip(&summary).enumerate() {
        let top = 8 + ROW * i as u32;
        let fraction = share(*count, total);
        let width = BAR_MAX * fraction;
        let shown: String = if label.chars().count() > LABEL_CHARS {
            let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
            s.push('…');
            s
        } else {
            label.to_string()
        };
        let _ = write!(
            svg,
            "<g class=\"bar\"><title>{}</title>\
             <text x=\"{LEFT}\" y=\"{}\" fill=\"#1a1a1a\">{}</text>\
             <rect x=\"{LEFT}\" y=\"{}\" width=\"{BAR_MAX:.1}\" height=\"16\" fill=\"#e8ecf1\"/>\
             <rect x=\"{LEFT}\" y=\"{}\" width=\"{width:.1}\" height=\"16\" fill=\"#1d5fa8\"/>\
             <text x=\"{:.1}\" y=\"{}\" fill=\"#1a1a1a\">{} 票 · {:.1}%</text></g>",
            escape(line),
            top + 14,
            escape(&shown),
            top + 20,
            top + 20,
            f64::from(LEFT) + BAR_MAX + 8.0,
            top + 33,
            count,
            fraction * 100.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart of values that are not votes (the letters desk's statistics):
/// each bar is (label, value, the value as shown, e.g. "12 件" or "86.0%"), its length the
/// value's share of `max`. Same look and accessibility as [`bar_chart`].
pub fn value_chart(id: &str, title: &str, bars: &[(&str, f64, String)], max: f64) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let height = 8 + ROW * bars.len() as u32;
    let summary: Vec<String> = bars
        .iter()
        .map(|(label, _, shown)| format!("{label}：{shown}"))
        .collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"survey-chart\" role=\"img\" \
         width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"14\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(&summary.join("；"))
    );
    for (i, ((label, value, shown), line)) in bars.iter().zip(&summary).enumerate() {
        let top = 8 + ROW * i as u32;
        let fraction = if max > 0.0 {
            (value / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let width = BAR_MAX * fraction;
        let name: String = if label.chars().count() > LABEL_CHARS {
            let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
            s.push('…');
            s
        } else {
            label.to_string()
        };
        let _ = write!(
            svg,
            "<g class=\"bar\"><title>{}</title>\
             <text x=\"{LEFT}\" y=\"{}\" fill=\"#1a1a1a\">{}</text>\
             <rect x=\"{LEFT}\" y=\"{}\" width=\"{BAR_MAX:.1}\" height=\"16\" fill=\"#e8ecf1\"/>\
             <rect x=\"{LEFT}\" y=\"{}\" width=\"{width:.1}\" height=\"16\" fill=\"#1d5fa8\"/>\
             <text x=\"{:.1}\" y=\"{}\" fill=\"#1a1a1a\">{}</text></g>",
            escape(line),
            top + 14,
            escape(&name),
            top + 20,
            top + 20,
            f64::from(LEFT) + BAR_MAX + 8.0,
            top + 33,
            escape(shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(svg: &str) -> Vec<f64> {
        // The second rect of each bar is the filled one.
        svg.split("<rect ")
            .skip(1)
            .skip(1)
            .step_by(2)
            .map(|r| {
                let w = r
                    .split("width=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                w.parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn labels_and_title_are_escaped() {
        let svg = bar_chart(
            "s1-q0",
            "A & B <script>alert(1)</script>",
            &[("<b>\"x\"</b>", 1), ("it's", 0)],
            1,
        );
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(svg.contains("A &amp; B &lt;script&gt;"), "{svg}");
        assert!(svg.contains("&lt;b&gt;&quot;x&quot;&lt;/b&gt;"), "{svg}");
        assert!(svg.contains("it&#39;s"), "{svg}");
        // Still well formed: one root, balanced groups.
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());
    }

    #[test]
    fn bar_widths_are_proportional_to_counts() {
        let svg = bar_chart("c", "q", &[("a", 1), ("b", 2), ("c", 4), ("d", 0)], 4);
        assert_eq!(widths(&svg), vec![120.0, 240.0, 480.0, 0.0]);
        assert!(svg.contains("2 票 · 50.0%"), "{svg}");
        assert!(svg.contains("1 票 · 25.0%"), "{svg}");
        // Multiple choice: shares are of respondents, so they may sum past 100 %.
        let svg = bar_chart("m", "q", &[("a", 3), ("b", 3)], 3);
        assert_eq!(widths(&svg), vec![BAR_MAX, BAR_MAX]);
    }

    #[test]
    fn zero_responses_draw_empty_bars() {
        let svg = bar_chart("z", "没有人回答", &[("甲", 0), ("乙", 0)], 0);
        assert_eq!(widths(&svg), vec![0.0, 0.0]);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.contains("0 票 · 0.0%"), "{svg}");
        assert!(svg.contains("共 0 人作答"), "{svg}");
    }

    #[test]
    fn accessible_and_script_free() {
        let svg = bar_chart(
            "survey-3-q1",
            "您最关心哪项服务？",
            &[("社保", 2), ("医保", 1)],
            3,
        );
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"survey-3-q1-title survey-3-q1-desc\""));
        assert!(svg.contains("<title id=\"survey-3-q1-title\">您最关心哪项服务？</title>"));
        assert!(
            svg.contains("社保：2 票（66.7%）；医保：1 票（33.3%）"),
            "{svg}"
        );
        let lower = svg.to_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains(" on"),
            "{svg}"
        );
        // Ids cannot break out of their attribute.
        let svg = bar_chart("x\" onload=\"y", "q", &[("a", 1), ("b", 1)], 2);
        assert!(svg.contains("aria-labelledby=\"xonloady-title"), "{svg}");
    }

    #[test]
    fn long_labels_are_shortened_on_the_bar_but_kept_whole_in_the_title() {
        let long = "很".repeat(60);
        let svg = bar_chart("l", "q", &[(long.as_str(), 1), ("b", 0)], 1);
        assert!(
            svg.contains(&format!("{}…</text>", "很".repeat(35))),
            "{svg}"
        );
        assert!(svg.contains(&format!("<title>{long}：1 票")), "{svg}");
    }
}
