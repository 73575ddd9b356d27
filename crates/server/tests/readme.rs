//! The README's configuration table stays true to the command line: every flag that
//! reads an environment variable has a row, under exactly the commands that take it,
//! with its variable; every row names a real flag.

use clap::CommandFactory;
use mentorpost_server::cli::Cli;
use std::collections::{BTreeMap, BTreeSet};

/// The commands a row names: `every command` for global flags.
const EVERY: &str = "every command";

/// flag → (environment variable, commands taking it), from clap's own description.
fn from_clap() -> BTreeMap<String, (String, BTreeSet<String>)> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut BTreeMap<String, (String, BTreeSet<String>)>) {
        for arg in cmd.get_arguments() {
            let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) else { continue };
            let command = if arg.is_global_set() || path.is_empty() { EVERY.to_owned() } else { path.to_owned() };
            let entry = out.entry(format!("--{long}")).or_insert_with(|| (env.to_string_lossy().into_owned(), BTreeSet::new()));
            assert_eq!(entry.0, env.to_string_lossy(), "--{long} reads the same variable wherever it is taken");
            entry.1.insert(command);
        }
        for sub in cmd.get_subcommands() {
            let name = if path.is_empty() { sub.get_name().to_owned() } else { format!("{path} {}", sub.get_name()) };
            walk(sub, &name, out);
        }
    }
    let mut out = BTreeMap::new();
    walk(&Cli::command(), "", &mut out);
    out
}

/// flag → (environment variable, commands), from the README's table.
fn from_readme() -> BTreeMap<String, (String, BTreeSet<String>)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README.md");
    let section = readme.split("\n## Configuration\n").nth(1).expect("a Configuration section").split("\n## ").next().unwrap_or_default();
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with('|')).collect();
    let header: Vec<&str> = rows.first().expect("a table").trim_matches('|').split('|').map(str::trim).collect();
    assert_eq!(header[..3], ["flag", "commands", "environment"], "the table's first columns");
    let mut out = BTreeMap::new();
    for row in rows.iter().skip(2) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let ticked = |cell: &str| cell.split('`').skip(1).step_by(2).map(str::to_owned).collect::<Vec<_>>();
        let flags = ticked(cells[0]);
        let envs = ticked(cells[2]);
        if flags.is_empty() {
            assert_eq!(cells[1], "—", "a row without a flag names no command: {row}");
            continue;
        }
        assert_eq!(flags.len(), envs.len(), "one variable per flag: {row}");
        let commands: BTreeSet<String> = if cells[1] == EVERY { [EVERY.to_owned()].into() } else { ticked(cells[1]).into_iter().collect() };
        assert!(!commands.is_empty(), "a flag's row names its commands: {row}");
        for (flag, env) in flags.into_iter().zip(envs) {
            assert!(flag.starts_with("--") && !flag.contains(' '), "the flag cell holds only flags: {row}");
            assert!(out.insert(flag.clone(), (env, commands.clone())).is_none(), "{flag} has one row");
        }
    }
    out
}

#[test]
fn the_configuration_table_matches_the_command_line() {
    let clap = from_clap();
    let readme = from_readme();
    for (flag, (env, commands)) in &clap {
        let Some((row_env, row_commands)) = readme.get(flag) else { panic!("{flag} ({env}) has no row in the README's table") };
        assert_eq!(row_env, env, "{flag}: the README names another variable");
        assert_eq!(row_commands, commands, "{flag}: the README lists it under other commands");
    }
    for flag in readme.keys() {
        assert!(clap.contains_key(flag), "the README lists {flag}, which no command takes with a variable");
    }
    // The table really was read.
    assert!(readme.len() >= 15, "{readme:?}");
    assert_eq!(readme["--http"].1, BTreeSet::from(["serve".to_owned(), "demo".to_owned(), "probe".to_owned()]));
}
