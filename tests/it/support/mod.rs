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
    exec(args, &[], None)
}

/// Runs `ecsform ARGS...` with colour off, seeing the process's environment with `env` on top,
/// as a child started with `Command::envs(env)` would. The tests share one process and run at
/// once: none changes the process's environment, each gives its commands what they need.
pub fn run_env<S: AsRef<str>>(args: &[S], env: &[(String, String)]) -> Output {
    exec(args, env, None)
}

/// Runs `ecsform ARGS...` as if from a terminal where the user types `answer`.
pub fn run_answering<S: AsRef<str>>(args: &[S], answer: &str) -> Output {
    exec(args, &[], Some(answer))
}

/// [`run_answering`] with `env` on top of the process's environment (see [`run_env`]).
pub fn run_answering_env<S: AsRef<str>>(
    args: &[S],
    answer: &str,
    env: &[(String, String)],
) -> Output {
    exec(args, env, Some(answer))
}

/// Runs `ecsform -chdir=DIR COMMAND -no-color EXTRA...`.
pub fn run_in<S: AsRef<str>>(dir: &Path, command: &str, extra: &[S]) -> Output {
    run(&in_dir(dir, command, extra))
}

/// [`run_in`] with `env` on top of the process's environment (see [`run_env`]).
pub fn run_in_env<S: AsRef<str>>(
    dir: &Path,
    command: &str,
    extra: &[S],
    env: &[(String, String)],
) -> Output {
    run_env(&in_dir(dir, command, extra), env)
}

/// `-chdir=DIR COMMAND -no-color EXTRA...`.
fn in_dir<S: AsRef<str>>(dir: &Path, command: &str, extra: &[S]) -> Vec<String> {
    let mut args = vec![
        format!("-chdir={}", dir.display()),
        command.to_string(),
        "-no-color".to_string(),
    ];
    args.extend(extra.iter().map(|a| a.as_ref().to_string()));
    args
}

/// The process's environment with `env` on top (a name in `env` replaces the process's value).
pub fn env_with(env: &[(String, String)]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| !env.iter().any(|(name, _)| name == k))
        .collect();
    all.extend(env.iter().cloned());
    all
}

/// Runs the CLI in-process: in the process's own environment when `env` is empty, otherwise
/// in that environment with `env` on top; from a terminal typing `answer` when there is one.
fn exec<S: AsRef<str>>(args: &[S], env: &[(String, String)], answer: Option<&str>) -> Output {
    let argv: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
    let env = (!env.is_empty()).then(|| env_with(env));
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut input = answer.map(|a| std::io::Cursor::new(a.as_bytes().to_vec()));
    let code = {
        let mut io = ecsform::cli::Io {
            out: &mut out,
            err: &mut err,
            color: false,
            input: input.as_mut().map(|i| i as &mut dyn std::io::BufRead),
            env: env.as_deref(),
        };
        ecsform::cli::run(&argv, &mut io)
    };
    Output {
        code,
        stdout: String::from_utf8(out).expect("stdout is UTF-8"),
        stderr: String::from_utf8(err).expect("stderr is UTF-8"),
    }
}

/// The repository's root (where Cargo.toml is).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the directory tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `tests/fixtures/<kind>`.
pub fn fixtures(kind: &str) -> PathBuf {
    repo().join("tests/fixtures").join(kind)
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
