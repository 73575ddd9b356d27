//! Layers point down: reads every source file of `crates/server/src`, finds each
//! module it names (`use crate::…`, `super::…`, paths written out in code), and fails
//! when one names a module of a higher layer. The table is the one in
//! `docs/architecture.md` ("Layers").

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (file or folder under `src/`, layer, area). The first matching row wins, so a file
/// listed by name comes before its folder.
const LAYERS: &[(&str, u8, &str)] = &[
    ("db/", 0, "db"),
    ("store/", 1, "store"),
    ("config.rs", 2, "config"),
    ("config_file.rs", 6, "top"),
    ("probe.rs", 6, "top"),
    ("i18n.rs", 2, "i18n"),
    // What the shared state holds: below it, so they never reach back for it.
    ("live/mod.rs", 3, "live"),
    ("live/hub.rs", 3, "live"),
    ("live/fanout.rs", 3, "live"),
    ("mail/mod.rs", 3, "mail"),
    ("mail/compose.rs", 3, "mail"),
    ("mail/transport.rs", 3, "mail"),
    ("mail/tokens.rs", 3, "mail"),
    ("health.rs", 3, "health"),
    ("state.rs", 4, "state"),
    ("error.rs", 4, "error"),
    // The edges: handlers, sockets and jobs, which reach the state and each other.
    ("http/", 5, "edges"),
    ("live/", 5, "edges"),
    ("mail/", 5, "edges"),
    ("inbound/", 5, "edges"),
    ("web/", 5, "edges"),
    ("drain.rs", 5, "edges"),
    ("erasure.rs", 5, "edges"),
    ("telemetry.rs", 5, "edges"),
    // Assembling and running.
    ("app.rs", 6, "top"),
    ("demo.rs", 6, "top"),
    ("cli.rs", 6, "top"),
    ("lib.rs", 6, "top"),
    ("main.rs", 6, "top"),
];

fn layer_of(rel: &str) -> (u8, &'static str) {
    LAYERS
        .iter()
        .find(|(prefix, ..)| if prefix.ends_with('/') { rel.starts_with(prefix) } else { rel == *prefix })
        .map(|(_, layer, area)| (*layer, *area))
        .unwrap_or_else(|| panic!("{rel} has no row in the layer table"))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `http/threads.rs` → [http, threads]; `live/mod.rs` → [live].
fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.trim_end_matches(".rs").split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib" || p == "main") {
        parts.pop();
    }
    parts
}

/// The file a module path names: the deepest existing file along it.
fn file_of(path: &[String]) -> Option<String> {
    let root = src();
    for n in (1..=path.len()).rev() {
        let joined = path[..n].join("/");
        for candidate in [format!("{joined}.rs"), format!("{joined}/mod.rs")] {
            if root.join(&candidate).is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Parses a path (or use tree) starting at `text`, after its `crate::`/`super::`
/// prefix: returns every module path it names (lower-case segments).
fn paths_in(text: &str, base: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut segments: Vec<String> = base.to_vec();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == '{' {
            // A group: each item is a subtree of the path so far.
            i += 1;
            loop {
                let rest: String = bytes[i..].iter().collect();
                i += paths_in(&rest, &segments, out);
                while i < bytes.len() && (bytes[i].is_whitespace() || bytes[i] == ',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == '}' {
                    return i + 1;
                }
            }
        }
        let start = i;
        while i < bytes.len() && is_ident_char(bytes[i]) {
            i += 1;
        }
        let ident: String = bytes[start..i].iter().collect();
        let lower = !ident.is_empty() && ident.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if lower && ident != "self" {
            segments.push(ident);
        }
        if lower && i + 1 < bytes.len() && bytes[i] == ':' && bytes[i + 1] == ':' {
            i += 2;
            continue;
        }
        if segments.len() > base.len() || !base.is_empty() {
            out.push(segments);
        }
        return i;
    }
}

#[test]
fn layers_point_down() {
    let root = src();
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut broken = BTreeSet::new();
    for file in &all {
        let rel = file.strip_prefix(&root).expect("under src").to_string_lossy().replace('\\', "/");
        let (layer, area) = layer_of(&rel);
        let module = module_of(&rel);
        let text = std::fs::read_to_string(file).expect("read source");
        for line in text.lines() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let mut named = Vec::new();
            for (prefix, base) in [("crate::", Vec::new()), ("super::", module[..module.len().saturating_sub(1)].to_vec())] {
                let mut from = 0;
                while let Some(at) = code[from..].find(prefix) {
                    let pos = from + at;
                    let before = code[..pos].chars().next_back();
                    if before.is_none_or(|c| !is_ident_char(c) && c != ':') {
                        paths_in(&code[pos + prefix.len()..], &base, &mut named);
                    }
                    from = pos + prefix.len();
                }
            }
            // A module file naming its own children (`use tokens::MailTokens;`).
            if (rel.ends_with("mod.rs") || rel == "lib.rs")
                && let Some(rest) = code.strip_prefix("use ").or_else(|| code.strip_prefix("pub use "))
            {
                let first: String = rest.chars().take_while(|c| is_ident_char(*c)).collect();
                let child: Vec<String> = module.iter().cloned().chain([first]).collect();
                if file_of(&child).is_some_and(|f| module_of(&f) == child) {
                    named.push(child);
                }
            }
            for path in named {
                let Some(target) = file_of(&path) else { continue };
                if target == rel {
                    continue;
                }
                let (target_layer, target_area) = layer_of(&target);
                let allowed = target_layer < layer || (target_layer == layer && (target_area == area || area == "edges"));
                if !allowed {
                    broken.insert(format!("{rel} (layer {layer}) uses {} in {target} (layer {target_layer})", path.join("::")));
                }
            }
        }
    }
    assert!(broken.is_empty(), "imports that point up or sideways:\n{}", broken.into_iter().collect::<Vec<_>>().join("\n"));
}

#[test]
fn the_parser_finds_grouped_and_relative_paths() {
    let mut out = Vec::new();
    paths_in("{demo, drain::{close, Open}, http, store::mail::NewToken};", &[], &mut out);
    let names: Vec<String> = out.iter().map(|p| p.join("::")).collect();
    assert_eq!(names, ["demo", "drain::close", "drain", "http", "store::mail"]);
    let mut out = Vec::new();
    paths_in("tokens::TokenKind;", &["mail".to_owned()], &mut out);
    assert_eq!(out, [vec!["mail".to_owned(), "tokens".to_owned()]]);
}
