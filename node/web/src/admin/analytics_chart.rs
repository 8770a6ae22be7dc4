//! Column charts of 访问统计 (the daily 访问量/访客数, the 24 hours), drawn here as inline
//! SVG: no script, a title and a description read by screen readers, a tooltip per column,
//! and always shown next to a table of the same numbers. Horizontal bar charts come from
//! the interaction module's `value_chart`.

use std::fmt::Write as _;

use govnode_topology::markup::escape;

/// One series of a column chart.
pub(super) struct Series<'a> {
    /// Its name (the legend).
    pub name: &'a str,
    /// Its colour (dark enough to read against white).
    pub fill: &'a str,
    /// One value per label.
    pub values: Vec<i64>,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 36.0;
/// Labels under the axis at most (every k-th label beyond).
const MAX_LABELS: usize = 12;

/// The axis: a round step (1, 2 or 5 times a power of ten) giving at most four gridlines
/// above zero, and how many steps reach `max`.
fn axis(max: i64) -> (i64, i64) {
    if max <= 0 {
        return (1, 1);
    }
    let mut power = 1i64;
    loop {
        for m in [1, 2, 5] {
            let step = power * m;
            if step * 4 >= max {
                return (step, (max + step - 1) / step);
            }
        }
        power *= 10;
    }
}

/// A column chart of `series` over `labels`, with `unit` after every value read.
pub(super) fn columns(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[Series<'_>],
    unit: &str,
) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let (step, steps) = axis(max);
    let top = step * steps;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = labels.len().max(1);
    let group = plot_w / n as f64;
    let bar = (group * 0.8 / series.len().max(1) as f64).max(1.0);
    let desc: Vec<String> = series
        .iter()
        .map(|s| {
            let total: i64 = s.values.iter().sum();
            let peak = s
                .values
                .iter()
                .enumerate()
                .max_by_key(|(i, v)| (**v, std::cmp::Reverse(*i)))
                .filter(|(_, v)| **v > 0)
                .map(|(i, v)| format!("，最高为{}的 {v} {unit}", labels[i]))
                .unwrap_or_default();
            format!("{}合计 {total} {unit}{peak}", s.name)
        })
        .collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"sans-serif\" font-size=\"12\"><title id=\"{id}-title\">{}</title>\
         <desc id=\"{id}-desc\">{}（详见下表）</desc>",
        escape(title),
        escape(&desc.join("；"))
    );
    // The legend.
    let mut x = LEFT;
    for s in series {
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"19\" fill=\"#1a1a1a\">{}</text>",
            s.fill,
            x + 16.0,
            escape(s.name)
        );
        x += 16.0 + 14.0 * s.name.chars().count() as f64 + 24.0;
    }
    // The axis: a gridline with its value at every step.
    for k in 0..=steps {
        let value = step * k;
        let y = TOP + plot_h - plot_h * k as f64 / steps as f64;
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d0d7de\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1a1a1a\">{value}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let every = labels.len().div_ceil(MAX_LABELS).max(1);
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + group * i as f64 + group * 0.1;
        let read: Vec<String> = series
            .iter()
            .map(|s| {
                format!(
                    "{} {} {unit}",
                    s.name,
                    s.values.get(i).copied().unwrap_or(0)
                )
            })
            .collect();
        let _ = write!(
            svg,
            "<g><title>{}：{}</title>",
            escape(label),
            escape(&read.join("，"))
        );
        for (j, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0);
            let h = plot_h * v as f64 / top as f64;
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                x0 + bar * j as f64,
                TOP + plot_h - h,
                s.fill
            );
        }
        svg.push_str("</g>");
        if i % every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>",
                LEFT + group * (i as f64 + 0.5),
                HEIGHT - BOTTOM + 16.0,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(1), (1, 1));
        assert_eq!(axis(3), (1, 3));
        assert_eq!(axis(6), (2, 3));
        assert_eq!(axis(10), (5, 2));
        assert_eq!(axis(17), (5, 4));
        assert_eq!(axis(120), (50, 3));
    }

    #[test]
    fn a_chart_says_what_it_shows() {
        let labels: Vec<String> = ["12月1日", "12月2日"].map(String::from).into();
        let svg = columns(
            "daily<x>",
            "每日访问量",
            &labels,
            &[Series {
                name: "访问量（PV）",
                fill: "#1d5fa8",
                values: vec![3, 7],
            }],
            "次",
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("aria-labelledby=\"dailyx-title dailyx-desc\""));
        assert!(svg.contains("访问量（PV）合计 10 次，最高为12月2日的 7 次"));
        assert!(svg.contains("<title>12月2日：访问量（PV） 7 次</title>"));
        assert_eq!(
            svg.matches("<rect").count(),
            3,
            "the legend and two columns"
        );
    }
}
