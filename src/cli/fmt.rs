//! `ecsform fmt`: rewrite `.tf` and `.tfvars` files in the canonical layout, like
//! `terraform fmt`.
//!
//! This module finds the files, reports and writes; the formatting itself is
//! [`crate::fmt::format_hcl`]. A file that does not parse is reported with its location and
//! left as it is; the other files are still formatted. Exit codes: 0, 1 on any error, 3 when
//! `-check` finds a file that is not formatted.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::{Ctx, Io};
use crate::diag::{display_path, Diagnostic, Diagnostics, Sources};
use crate::fmt::{format_hcl, FormatError};

/// Directories `-recursive` does not enter: tool state and build output, not configuration.
const SKIPPED_DIRS: [&str; 3] = [".terraform", ".git", "target"];

/// Runs `fmt` over the paths given (or the working directory) and returns the exit code.
pub fn run(ctx: &Ctx, io: &mut Io) -> u8 {
    let cmd = ctx.cmd;
    if cmd.args.iter().any(|a| a == "-") {
        if cmd.args.len() > 1 {
            let _ = writeln!(
                io.err,
                "Error: \"-\" (standard input) cannot be combined with other paths."
            );
            return 1;
        }
        return run_stdin(ctx, io);
    }
    let base = &ctx.load.dir;
    let sources = Sources::default();
    let mut diags = Diagnostics::new();
    let mut files = Vec::new();
    let roots: Vec<PathBuf> = if cmd.args.is_empty() {
        vec![base.clone()]
    } else {
        cmd.args.iter().map(|a| base.join(a)).collect()
    };
    for root in &roots {
        let shown = display_path(root, base);
        if root.is_dir() {
            if let Err(e) = collect(root, cmd.recursive, &mut files) {
                diags.push(Diagnostic::error(
                    "Failed to read directory",
                    format!("Could not read {shown}: {e}."),
                ));
            }
        } else if root.is_file() {
            if is_config_file(root) {
                files.push(root.clone());
            } else {
                diags.push(
                    Diagnostic::error(
                        "Not a configuration file",
                        format!("{shown}: only .tf and .tfvars files can be formatted."),
                    )
                    .hint("Give a .tf or .tfvars file, or a directory."),
                );
            }
        } else {
            diags.push(Diagnostic::error(
                "No such file or directory",
                format!("There is no file or directory at {shown}."),
            ));
        }
    }

    let mut unformatted = 0;
    for path in &files {
        let shown = display_path(path, base);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Failed to read file",
                    format!("Could not read {shown}: {e}."),
                ));
                continue;
            }
        };
        let formatted = match format_hcl(&text) {
            Ok(f) => f,
            Err(e) => {
                diags.push(format_error(e, &shown, &text, &sources));
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted += 1;
        let _ = writeln!(io.out, "{shown}");
        if cmd.diff {
            let _ = io
                .out
                .write_all(unified_diff(&text, &formatted, &shown).as_bytes());
        }
        if !cmd.check {
            if let Err(e) = std::fs::write(path, &formatted) {
                diags.push(Diagnostic::error(
                    "Failed to write file",
                    format!("Could not write {shown}: {e}."),
                ));
            }
        }
    }

    if !diags.is_empty() {
        let _ = io
            .err
            .write_all(diags.render(&sources, ctx.color).as_bytes());
    }
    if diags.has_errors() {
        1
    } else if cmd.check && unformatted > 0 {
        3
    } else {
        0
    }
}

/// `fmt -`: formats standard input to standard output (or only checks or diffs it).
fn run_stdin(ctx: &Ctx, io: &mut Io) -> u8 {
    let mut bytes = Vec::new();
    let read = match io.input.as_mut() {
        Some(input) => input.read_to_end(&mut bytes),
        None => std::io::stdin().read_to_end(&mut bytes),
    };
    let text = match read.map(|_| String::from_utf8(bytes)) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            let _ = writeln!(io.err, "Error: standard input is not UTF-8 text.");
            return 1;
        }
        Err(e) => {
            let _ = writeln!(io.err, "Error: could not read standard input: {e}.");
            return 1;
        }
    };
    let sources = Sources::default();
    let formatted = match format_hcl(&text) {
        Ok(f) => f,
        Err(e) => {
            let d = format_error(e, "<stdin>", &text, &sources);
            let _ = io
                .err
                .write_all(Diagnostics::from(d).render(&sources, ctx.color).as_bytes());
            return 1;
        }
    };
    let cmd = ctx.cmd;
    if cmd.diff {
        if formatted != text {
            let _ = io
                .out
                .write_all(unified_diff(&text, &formatted, "<stdin>").as_bytes());
        }
    } else if !cmd.check {
        let _ = io.out.write_all(formatted.as_bytes());
    }
    if cmd.check && formatted != text {
        3
    } else {
        0
    }
}

fn format_error(e: FormatError, shown: &str, text: &str, sources: &Sources) -> Diagnostic {
    match e {
        FormatError::Syntax(e) => {
            let file = sources.add(shown, text);
            let mut d = crate::config::syntax_diagnostic(&e, text, file);
            d.detail.push_str(&format!("\n{shown} was not changed."));
            d
        }
        FormatError::Unsafe(why) => Diagnostic::error(
            "File left unformatted",
            format!("{shown}: {why}. The file was not changed."),
        )
        .hint("This is a bug in ecsform fmt: please report it with the file."),
    }
}

fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".tf") || n.ends_with(".tfvars"))
}

/// The configuration files in `dir` (and below it, when `recursive`), sorted.
fn collect(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    let mut subdirs = Vec::new();
    for path in entries {
        if path.is_dir() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if recursive && !SKIPPED_DIRS.contains(&name) {
                subdirs.push(path);
            }
        } else if is_config_file(&path) {
            files.push(path);
        }
    }
    for sub in subdirs {
        collect(&sub, recursive, files)?;
    }
    Ok(())
}

/// A unified diff as `diff -u` prints it, with `old/` and `new/` in the file names.
fn unified_diff(old: &str, new: &str, shown: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("old/{shown}"), &format!("new/{shown}"))
        .to_string()
}
