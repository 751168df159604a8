//! Helpers shared by the integration tests: run the `ecsform` CLI in-process and capture
//! what it prints, and find the fixture directories.

// Each test crate uses only some of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// What one CLI run returned and printed.
#[derive(Debug)]
pub struct Output {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ecsform ARGS...` (without the program name) with colour off.
pub fn run<S: AsRef<str>>(args: &[S]) -> Output {
    let argv: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = {
        let mut io = ecsform::cli::Io {
            out: &mut out,
            err: &mut err,
            color: false,
            input: None,
            env: None,
        };
        ecsform::cli::run(&argv, &mut io)
    };
    Output {
        code,
        stdout: String::from_utf8(out).expect("stdout is UTF-8"),
        stderr: String::from_utf8(err).expect("stderr is UTF-8"),
    }
}

/// Runs `ecsform ARGS...` as if from a terminal where the user types `answer`.
pub fn run_answering<S: AsRef<str>>(args: &[S], answer: &str) -> Output {
    let argv: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut input = std::io::Cursor::new(answer.as_bytes().to_vec());
    let code = {
        let mut io = ecsform::cli::Io {
            out: &mut out,
            err: &mut err,
            color: false,
            input: Some(&mut input),
            env: None,
        };
        ecsform::cli::run(&argv, &mut io)
    };
    Output {
        code,
        stdout: String::from_utf8(out).expect("stdout is UTF-8"),
        stderr: String::from_utf8(err).expect("stderr is UTF-8"),
    }
}

/// Runs `ecsform -chdir=DIR COMMAND -no-color EXTRA...`.
pub fn run_in<S: AsRef<str>>(dir: &Path, command: &str, extra: &[S]) -> Output {
    let mut args = vec![
        format!("-chdir={}", dir.display()),
        command.to_string(),
        "-no-color".to_string(),
    ];
    args.extend(extra.iter().map(|a| a.as_ref().to_string()));
    run(&args)
}

/// `tests/fixtures/<kind>`.
pub fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
}

/// The subdirectories of `dir`, sorted by name.
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

pub mod conformance;
pub mod ecs_agent;
pub mod example;
pub mod generated;
pub mod json_schema;
pub mod moto;
pub mod proxy;
