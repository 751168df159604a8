//! The diagnostic corpus: every configuration under `tests/fixtures/invalid/` must make
//! `ecsform validate` exit 1 without panicking, with each error located at `file:line:col`
//! (except the few about command-line values). Each fixture's stderr is a reviewed snapshot
//! in `tests/fixtures/snapshots/`, so wording, locations and markers cannot drift unnoticed.
//!
//! A fixture is a root module directory with `main.tf`, optional modules, optional
//! `*.tfvars`, and an optional `args` file: extra command-line arguments, one per line.
//! Regenerate snapshots with `INSTA_UPDATE=always cargo test --test it invalid_configs::`, then
//! read every changed one.

use crate::support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use regex::Regex;

/// Fixtures whose errors are about command-line values, which have no place in a file.
const UNLOCATED: &[&str] = &["33-undeclared-cli-var", "52-missing-var-file"];

/// The extra arguments in a fixture's `args` file.
fn extra_args(dir: &Path) -> Vec<String> {
    match std::fs::read_to_string(dir.join("args")) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Splits rendered diagnostics into one string per diagnostic.
fn diagnostics(stderr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("Error: ") || line.starts_with("Warning: ") {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    out
}

/// Replaces absolute paths of the fixture with `<ROOT>`.
fn normalise(text: &str, dir: &Path) -> String {
    let mut text = text.to_string();
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for p in [canonical.as_path(), dir] {
        text = text.replace(&p.display().to_string(), "<ROOT>");
    }
    text
}

/// Checks one fixture; panics with a message naming it on failure.
fn check(dir: &Path, location: &Regex) {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let args = extra_args(dir);
    // Most fixtures are caught by validate; a `command` file names another (e.g. plan, for
    // counts that only plan can know are unknowable).
    let command = std::fs::read_to_string(dir.join("command"))
        .map(|c| c.trim().to_string())
        .unwrap_or_else(|_| "validate".into());
    let out = catch_unwind(|| support::run_in(dir, &command, &args))
        .unwrap_or_else(|_| panic!("{name}: ecsform panicked"));
    assert_eq!(
        out.code, 1,
        "{name}: expected exit code 1\nstderr:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Error: "),
        "{name}: no error reported\nstderr:\n{}",
        out.stderr
    );
    if !UNLOCATED.contains(&name.as_str()) {
        for d in diagnostics(&out.stderr) {
            assert!(
                location.is_match(&d),
                "{name}: diagnostic without a file:line:col location:\n{d}"
            );
        }
    }
    let text = normalise(&out.stderr, dir);
    insta::with_settings!({
        snapshot_path => "../fixtures/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("ecsform -chdir={name} {command} -no-color {}", args.join(" ")).trim_end(),
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn every_invalid_configuration_fails_with_located_diagnostics() {
    let dirs = support::subdirs(&support::fixtures("invalid"));
    assert!(dirs.len() >= 36, "only {} fixtures", dirs.len());
    let location = Regex::new(r"(?m)^ *--> [^ :]+:\d+:\d+$").unwrap();
    // Check every fixture before failing, so that one run lists every broken one.
    let failed: Vec<String> = dirs
        .iter()
        .filter(|dir| catch_unwind(AssertUnwindSafe(|| check(dir, &location))).is_err())
        .map(|dir| dir.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert!(failed.is_empty(), "failing fixtures: {failed:?}");
}

#[test]
fn a_rejected_module_call_is_reported_once_however_often_it_is_referenced() {
    let dir = support::fixtures("invalid").join("54-remote-module-referenced");
    let out = support::run_in(&dir, "validate", &[] as &[&str]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let errors = diagnostics(&out.stderr);
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].starts_with("Error: Unsupported module source\n"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.ends_with("1 error found.\n"), "{}", out.stderr);
}
