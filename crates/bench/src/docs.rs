//! Splicing one benchmark's section into `docs/benchmarks.md`: the section under its
//! heading is replaced as a whole (or appended); everything else is kept as it is.

use crate::sys::Machine;
use anyhow::Context;
use std::path::Path;

/// The document a bench writes its section into unless told another (`--docs`): the
/// one of the checkout the bench was built from.
pub const BENCHMARKS_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/benchmarks.md");

/// Prints `section` and, given a document (`--write-docs`, `--docs`), splices it under
/// `heading` there.
pub fn publish(heading: &str, section: &str, write: Option<&Path>) -> anyhow::Result<()> {
    println!("{section}");
    if let Some(path) = write {
        splice_into(path, heading, section)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The opening of a bench's section: its heading, the target it measures against, the
/// method, and the machine it ran on.
pub fn intro(heading: &str, target: &str, method: &str, machine: &Machine) -> String {
    format!("{heading}\n\n{target}\n\n{method} Machine: {}.\n\n", machine.line())
}

/// Replaces the section under `heading` in `path` (see [`splice`]), or appends it;
/// creates the file.
pub fn splice_into(path: &Path, heading: &str, section: &str) -> anyhow::Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => "# Benchmarks\n".to_owned(),
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    std::fs::write(path, splice(&existing, heading, section)).with_context(|| format!("writing {}", path.display()))
}

/// `existing` with the section under `heading` replaced by `section`. Headings inside
/// code fences do not count.
pub fn splice(existing: &str, heading: &str, section: &str) -> String {
    let section = format!("{}\n", section.trim_end());
    let (mut offset, mut start, mut end, mut fenced) = (0, None, None, false);
    for line in existing.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare.starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            if start.is_none() {
                if bare == heading {
                    start = Some(offset);
                }
            } else if bare.starts_with("## ") || bare.starts_with("# ") {
                end = Some(offset);
                break;
            }
        }
        offset += line.len();
    }
    match start {
        Some(a) => {
            let b = end.unwrap_or(existing.len());
            let tail = &existing[b..];
            let sep = if tail.is_empty() { "" } else { "\n" };
            format!("{}{section}{sep}{tail}", &existing[..a])
        }
        None => format!("{}\n\n{section}", existing.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::splice;

    #[test]
    fn replaces_only_its_own_section() {
        let doc = "# B\n\n## A\nold a\n\n## X\nx\n";
        assert_eq!(splice(doc, "## A", "## A\nnew a"), "# B\n\n## A\nnew a\n\n## X\nx\n");
        assert_eq!(splice("# B\n", "## A", "## A\na"), "# B\n\n## A\na\n");
        let middle = "# B\n\n## A\n\nold\n### sub\nold\n\n## Other\n\nkeep\n";
        assert_eq!(splice(middle, "## A", "## A\n\nnew\n"), "# B\n\n## A\n\nnew\n\n## Other\n\nkeep\n");
    }

    #[test]
    fn appends_a_new_section_and_replaces_it_on_a_rerun() {
        let doc = "# Benchmarks\n\nIntro.\n\n## Live delivery (WebSocket)\n\nTheirs.\n";
        let once = splice(doc, "## POST messages", "## POST messages\n\nMine 1.\n\n### Latest run\n\n```sh\n# a comment\n```\n");
        assert_eq!(
            once,
            "# Benchmarks\n\nIntro.\n\n## Live delivery (WebSocket)\n\nTheirs.\n\n## POST messages\n\nMine 1.\n\n### Latest run\n\n```sh\n# a comment\n```\n"
        );
        let twice = splice(&once, "## POST messages", "## POST messages\n\nMine 2.\n");
        assert_eq!(twice, "# Benchmarks\n\nIntro.\n\n## Live delivery (WebSocket)\n\nTheirs.\n\n## POST messages\n\nMine 2.\n");
    }

    #[test]
    fn headings_inside_code_fences_do_not_count() {
        let fenced = "# B\n\n## Live\n\n```sh\n# not a heading\n```\n\n## Other\n";
        assert_eq!(splice(fenced, "## Live", "## Live\n\nnew\n"), "# B\n\n## Live\n\nnew\n\n## Other\n");
    }
}
