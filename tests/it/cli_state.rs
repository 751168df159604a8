//! The state file and its lock as users meet them through the CLI: confirmation before
//! apply, refusal without a terminal, a held lock failing at once (or waited for with
//! -lock-timeout), force-unlock, a foreign file left untouched, prevent_destroy, -state.
//! Uses only `null_resource`, so no AWS endpoint is involved.

use crate::support;

use std::path::Path;
use std::time::Duration;

use ecsform::state::StateStore;

const CONFIG: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

resource "null_resource" "a" {
  triggers = { v = "1" }
}

resource "null_resource" "keep" {
  lifecycle {
    prevent_destroy = true
  }
}
"#;

fn workdir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    dir
}

fn args(dir: &Path, command: &str, extra: &[&str]) -> Vec<String> {
    let mut a = vec![
        format!("-chdir={}", dir.display()),
        command.into(),
        "-no-color".into(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn state_file(dir: &Path) -> std::path::PathBuf {
    dir.join("state/ecsform.sqlite")
}

#[test]
fn apply_asks_and_refuses_without_a_terminal() {
    let dir = workdir(CONFIG);
    let out = support::run(&args(dir.path(), "apply", &[]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("No terminal to confirm with"),
        "{}",
        out.stderr
    );
    let store = StateStore::open(&state_file(dir.path())).unwrap();
    assert!(store.resources().unwrap().is_empty());

    let out = support::run_answering(&args(dir.path(), "apply", &[]), "no\n");
    assert_eq!(out.code, 1);
    assert!(out
        .stdout
        .contains("Only 'yes' will be accepted to approve."));
    assert!(out.stderr.contains("Apply cancelled"));
    assert!(store.resources().unwrap().is_empty());

    let out = support::run_answering(&args(dir.path(), "apply", &[]), "yes\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out
        .stdout
        .contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."));
    assert_eq!(store.resources().unwrap().len(), 2);
    let history = store.history(10).unwrap();
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|h| h.action == "create"));

    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(state_file(dir.path()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn held_lock_fails_at_once_waits_with_timeout_and_can_be_forced() {
    let dir = workdir(CONFIG);
    let path = state_file(dir.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let store = StateStore::open(&path).unwrap();
    let lock = store.lock("apply", Duration::ZERO).unwrap();
    let id = lock.info().id.clone();

    let out = support::run(&args(dir.path(), "plan", &[]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Error acquiring the state lock"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("locked by ecsform apply"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&id));

    // -lock-timeout waits for the holder to finish.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        drop(lock);
    });
    let out = support::run(&args(dir.path(), "plan", &["-lock-timeout=10s"]));
    releaser.join().unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);

    // A lock left by a dead process is released with force-unlock.
    let stale = store.lock("apply", Duration::ZERO).unwrap();
    let stale_id = stale.info().id.clone();
    std::mem::forget(stale);
    let out = support::run(&args(dir.path(), "force-unlock", &["not-the-id"]));
    assert_eq!(out.code, 1);
    // It asks first; without a terminal to ask on, it needs -force.
    let out = support::run(&args(dir.path(), "force-unlock", &[&stale_id]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("run again with -force"),
        "{}",
        out.stderr
    );
    assert!(store.lock_holder().unwrap().is_some());
    let out = support::run(&args(dir.path(), "force-unlock", &["-force", &stale_id]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("successfully unlocked"));
    assert_eq!(support::run(&args(dir.path(), "plan", &[])).code, 0);
}

#[test]
fn a_foreign_state_file_is_an_error_and_left_alone() {
    let dir = workdir(CONFIG);
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, b"these are my notes, not a database").unwrap();
    let before = std::fs::read(&path).unwrap();
    let out = support::run(&args(
        dir.path(),
        "apply",
        &["-auto-approve", "-state=notes.sqlite"],
    ));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Error opening the state"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn prevent_destroy_blocks_destroy_and_state_path_is_honoured() {
    let dir = workdir(CONFIG);
    let out = support::run(&args(
        dir.path(),
        "apply",
        &["-auto-approve", "-state=custom.sqlite"],
    ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("custom.sqlite").exists());
    assert!(!state_file(dir.path()).exists());

    let out = support::run(&args(
        dir.path(),
        "destroy",
        &["-auto-approve", "-state=custom.sqlite"],
    ));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Instance cannot be destroyed"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("null_resource.keep"));

    // Changing a trigger replaces the instance; plan says so and exits 2.
    let changed = CONFIG.replace("v = \"1\"", "v = \"2\"");
    std::fs::write(dir.path().join("main.tf"), changed).unwrap();
    let out = support::run(&args(
        dir.path(),
        "plan",
        &["-detailed-exitcode", "-state=custom.sqlite"],
    ));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("# null_resource.a must be replaced"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("# forces replacement"));
}
