//! The coordinator's charts as geometry: what `templates/web/chart.svg` draws — bars,
//! stacked shares, a sparkline — in whole SVG user units, with the texts as plain
//! strings (askama escapes them like every other value). Pure: no I/O, no HTML.
//! Colours are CSS classes (`chart-*` in `assets/app.css`), so dark mode and the page's
//! palette apply; nothing here says a colour.

use askama::Template;

/// A rectangle of the drawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rect {
    pub class: &'static str,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A line of the drawing (axes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub class: &'static str,
    pub x1: u32,
    pub y1: u32,
    pub x2: u32,
    pub y2: u32,
}

/// A text of the drawing (axis labels).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub x: u32,
    pub y: u32,
    /// `start`, `middle` or `end`.
    pub anchor: &'static str,
    pub text: String,
}

/// One drawing: an `<svg role="img">` with its title and description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    /// The element id prefix (unique on the page): `{id}-title`, `{id}-desc`.
    pub id: String,
    /// A CSS class for the drawing's size (`chart-wide`, `chart-spark`).
    pub class: &'static str,
    pub title: String,
    pub desc: String,
    pub width: u32,
    pub height: u32,
    pub rects: Vec<Rect>,
    pub lines: Vec<Line>,
    pub labels: Vec<Label>,
}

/// The drawing alone, as a document (its unit tests; the pages include the same file).
#[derive(Template)]
#[template(path = "web/chart.svg")]
pub struct ChartSvg<'a> {
    pub chart: &'a Chart,
}

/// The four statuses of the shares chart, bottom to top, with their classes.
pub const STATUS_CLASSES: [&str; 4] = ["chart-on-track", "chart-slowing", "chart-dormant", "chart-not-started"];

const WIDE_W: u32 = 600;
const WIDE_H: u32 = 240;
/// Room for the labels: left of the plot (the scale) and below it (the weeks).
const LEFT: u32 = 72;
const BOTTOM: u32 = 28;
const TOP: u32 = 12;

/// `value / max` of `span`, rounded; a value above zero is at least 1 high, so a small
/// count never vanishes.
fn scaled(value: u32, max: u32, span: u32) -> u32 {
    if value == 0 || max == 0 {
        return 0;
    }
    let h = (u64::from(value) * u64::from(span) + u64::from(max) / 2) / u64::from(max);
    u32::try_from(h).unwrap_or(span).clamp(1, span)
}

/// The x of column `i` of `n` across the plot, and the column width.
fn column(i: usize, n: usize) -> (u32, u32) {
    let plot = WIDE_W - LEFT - 4;
    let n = u32::try_from(n.max(1)).unwrap_or(u32::MAX);
    let step = plot / n;
    let i = u32::try_from(i).unwrap_or(0);
    (LEFT + i * step + step / 8, (step * 3 / 4).max(1))
}

fn axes(labels: &[String], max_label: String) -> (Vec<Line>, Vec<Label>) {
    let base = WIDE_H - BOTTOM;
    let lines = vec![
        Line { class: "chart-axis", x1: LEFT, y1: base, x2: WIDE_W - 4, y2: base },
        Line { class: "chart-axis", x1: LEFT, y1: TOP, x2: LEFT, y2: base },
    ];
    let mut texts = vec![
        Label { x: LEFT - 6, y: TOP + 6, anchor: "end", text: max_label },
        Label { x: LEFT - 6, y: base, anchor: "end", text: "0".to_owned() },
    ];
    // Every other week's label, so they never overlap; the table has them all.
    for (i, label) in labels.iter().enumerate() {
        if (labels.len() - 1 - i).is_multiple_of(2) {
            let (x, w) = column(i, labels.len());
            texts.push(Label { x: x + w / 2, y: WIDE_H - 8, anchor: "middle", text: label.clone() });
        }
    }
    (lines, texts)
}

/// A bar per value, scaled to the largest; `labels` name the columns (short texts).
pub fn bars(id: &str, title: String, desc: String, values: &[u32], labels: &[String]) -> Chart {
    let max = values.iter().copied().max().unwrap_or(0);
    let span = WIDE_H - BOTTOM - TOP;
    let base = WIDE_H - BOTTOM;
    let rects = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .map(|(i, v)| {
            let (x, width) = column(i, values.len());
            let height = scaled(*v, max, span);
            Rect { class: "chart-bar", x, y: base - height, width, height }
        })
        .collect();
    let (lines, labels) = axes(labels, max.to_string());
    Chart { id: id.to_owned(), class: "chart-wide", title, desc, width: WIDE_W, height: WIDE_H, rects, lines, labels }
}

/// A column per week, split by the share of each status (counts in
/// [`STATUS_CLASSES`] order); a week with no mentorships stays empty.
pub fn shares(id: &str, title: String, desc: String, columns: &[[u32; 4]], labels: &[String], full_label: String) -> Chart {
    let span = WIDE_H - BOTTOM - TOP;
    let base = WIDE_H - BOTTOM;
    let mut rects = Vec::new();
    for (i, counts) in columns.iter().enumerate() {
        let total: u32 = counts.iter().sum();
        if total == 0 {
            continue;
        }
        let (x, width) = column(i, columns.len());
        // Cumulative rounding, so the parts always add up to the whole column.
        let mut below = 0u32;
        let mut top_of = base;
        for (k, count) in counts.iter().enumerate() {
            below += count;
            let upto = base - u32::try_from(u64::from(below) * u64::from(span) / u64::from(total)).unwrap_or(span);
            let height = top_of - upto;
            if height > 0 {
                rects.push(Rect { class: STATUS_CLASSES[k], x, y: upto, width, height });
            }
            top_of = upto;
        }
    }
    let (lines, labels) = axes(labels, full_label);
    Chart { id: id.to_owned(), class: "chart-wide", title, desc, width: WIDE_W, height: WIDE_H, rects, lines, labels }
}

const SPARK_W: u32 = 96;
const SPARK_H: u32 = 24;

/// A small bar per value (weekly contacts in a table row), on a base line.
pub fn sparkline(id: &str, title: String, desc: String, values: &[u32]) -> Chart {
    let max = values.iter().copied().max().unwrap_or(0);
    let n = u32::try_from(values.len().max(1)).unwrap_or(u32::MAX);
    let step = (SPARK_W / n).max(1);
    let rects = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .map(|(i, v)| {
            let height = scaled(*v, max, SPARK_H - 2);
            let x = u32::try_from(i).unwrap_or(0) * step + 1;
            Rect { class: "chart-bar", x, y: SPARK_H - 1 - height, width: step.saturating_sub(2).max(1), height }
        })
        .collect();
    let lines = vec![Line { class: "chart-axis", x1: 0, y1: SPARK_H - 1, x2: SPARK_W, y2: SPARK_H - 1 }];
    Chart { id: id.to_owned(), class: "chart-spark", title, desc, width: SPARK_W, height: SPARK_H, rects, lines, labels: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small XML well-formedness check: tags nest and close, attributes are quoted,
    /// no raw `<` or stray `&` in text or attribute values.
    fn well_formed(xml: &str) -> Result<(), String> {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = xml;
        while let Some(open) = rest.find('<') {
            check_text(&rest[..open])?;
            let after = &rest[open + 1..];
            let close = after.find('>').ok_or("unclosed tag")?;
            let tag = &after[..close];
            rest = &after[close + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let top = stack.pop().ok_or(format!("</{name}> without an opening tag"))?;
                if top != name.trim() {
                    return Err(format!("</{name}> closes <{top}>"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().ok_or("empty tag")?;
            check_attributes(&body[name.len()..])?;
            if !self_closing {
                stack.push(name.to_owned());
            }
        }
        check_text(rest)?;
        if stack.is_empty() { Ok(()) } else { Err(format!("unclosed: {stack:?}")) }
    }

    fn check_text(text: &str) -> Result<(), String> {
        for (i, _) in text.match_indices('&') {
            let entity = &text[i + 1..];
            let named = ["amp;", "lt;", "gt;", "quot;", "apos;"].iter().any(|e| entity.starts_with(e));
            let numeric = entity
                .strip_prefix('#')
                .and_then(|r| r.split_once(';'))
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if !named && !numeric {
                return Err(format!("stray & in {text:?}"));
            }
        }
        Ok(())
    }

    fn check_attributes(mut attrs: &str) -> Result<(), String> {
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                return Ok(());
            }
            let eq = attrs.find('=').ok_or(format!("attribute without a value: {attrs}"))?;
            let after = &attrs[eq + 1..];
            let value = after.strip_prefix('"').ok_or(format!("unquoted attribute: {attrs}"))?;
            let end = value.find('"').ok_or("unterminated attribute")?;
            check_text(&value[..end])?;
            if value[..end].contains('<') {
                return Err("< in an attribute".into());
            }
            attrs = &value[end + 1..];
        }
    }

    fn svg(chart: &Chart) -> String {
        ChartSvg { chart }.render().expect("render")
    }

    fn weeks(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("W{i}")).collect()
    }

    #[test]
    fn the_checker_catches_broken_markup() {
        assert!(well_formed("<svg><title>a &amp; b</title></svg>").is_ok());
        assert!(well_formed("<svg><title>a & b</title></svg>").is_err());
        assert!(well_formed("<svg><g></svg>").is_err());
        assert!(well_formed("<svg x=1></svg>").is_err());
    }

    #[test]
    fn texts_are_escaped_and_the_drawing_is_well_formed() {
        let title = "Contacts <per> week & \"more\"".to_owned();
        let desc = "Zofia's <script>alert(1)</script> & Łukasz".to_owned();
        let labels = vec!["<w1>".to_owned(), "w&2".to_owned(), "\"w3\"".to_owned()];
        for chart in [
            bars("c1", title.clone(), desc.clone(), &[1, 2, 3], &labels),
            shares("c2", title.clone(), desc.clone(), &[[1, 1, 0, 0], [0, 0, 0, 0], [2, 0, 1, 1]], &labels, "100%".into()),
            sparkline("c3", title.clone(), desc.clone(), &[0, 4, 1]),
        ] {
            let out = svg(&chart);
            well_formed(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
            assert!(!out.contains("<script>") && !out.contains("<per>") && !out.contains("<w1>"), "{out}");
            assert!(out.contains("role=\"img\""), "{out}");
            assert!(out.contains(&format!("aria-labelledby=\"{0}-title {0}-desc\"", chart.id)), "{out}");
            assert!(out.contains(&format!("<title id=\"{}-title\">", chart.id)), "{out}");
            assert!(!out.contains("style="), "no inline style: {out}");
        }
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let span = WIDE_H - BOTTOM - TOP;
        // Empty: no bars, the scale reads 0.
        let empty = bars("e", "t".into(), "d".into(), &[], &[]);
        assert!(empty.rects.is_empty());
        assert_eq!(empty.labels[0].text, "0");
        well_formed(&svg(&empty)).expect("empty chart");
        let zeros = bars("z", "t".into(), "d".into(), &[0; 12], &weeks(12));
        assert!(zeros.rects.is_empty());
        // One point fills the height.
        let one = bars("o", "t".into(), "d".into(), &[5], &weeks(1));
        assert_eq!(one.rects.len(), 1);
        assert_eq!(one.rects[0].height, span);
        assert_eq!(one.rects[0].y + one.rects[0].height, WIDE_H - BOTTOM, "standing on the axis");
        // Many: the largest is full height, others in proportion, small ones visible.
        let values = [0, 1, 50, 100, 25, 0, 0, 0, 0, 0, 0, 100];
        let many = bars("m", "t".into(), "d".into(), &values, &weeks(12));
        assert_eq!(many.rects.len(), 5);
        let heights: Vec<u32> = many.rects.iter().map(|r| r.height).collect();
        assert_eq!(heights, [span / 100, span / 2, span, span / 4, span]);
        // A count far below the largest still shows.
        let tiny = bars("t", "t".into(), "d".into(), &[1, 10_000], &weeks(2));
        assert_eq!(tiny.rects[0].height, 1);
        assert!(many.rects.windows(2).all(|w| w[0].x + w[0].width <= w[1].x), "columns do not overlap");
        assert!(many.rects.iter().all(|r| r.x + r.width <= WIDE_W));
        assert_eq!(many.labels[0].text, "100");
    }

    #[test]
    fn shares_fill_each_column_whole() {
        let span = WIDE_H - BOTTOM - TOP;
        let chart = shares("s", "t".into(), "d".into(), &[[1, 1, 1, 0], [0, 0, 0, 0], [3, 0, 0, 0]], &weeks(3), "100%".into());
        let first: Vec<&Rect> = chart.rects.iter().filter(|r| r.x == chart.rects[0].x).collect();
        assert_eq!(first.len(), 3);
        assert_eq!(first.iter().map(|r| r.height).sum::<u32>(), span, "thirds add up to the whole");
        assert_eq!(first[0].class, "chart-on-track");
        let last: Vec<&Rect> = chart.rects.iter().filter(|r| r.x != chart.rects[0].x).collect();
        assert_eq!(last.len(), 1, "the empty week draws nothing: {:?}", chart.rects);
        assert_eq!(last[0].height, span);
        assert!(shares("n", "t".into(), "d".into(), &[], &[], "100%".into()).rects.is_empty());
    }

    #[test]
    fn a_sparkline_fits_its_box() {
        let s = sparkline("s", "t".into(), "d".into(), &[0, 1, 2, 12, 0, 0, 0, 0, 0, 0, 0, 3]);
        assert_eq!(s.rects.len(), 4);
        assert!(s.rects.iter().all(|r| r.y + r.height == SPARK_H - 1 && r.x + r.width <= SPARK_W));
        assert_eq!(s.rects.iter().map(|r| r.height).max(), Some(SPARK_H - 2));
        assert!(sparkline("e", "t".into(), "d".into(), &[]).rects.is_empty());
        assert_eq!(sparkline("o", "t".into(), "d".into(), &[7]).rects[0].height, SPARK_H - 2);
    }
}
