//! The state under contention and after mistakes, with the `ecsform` binary as child processes:
//!
//! * two applies of one state against moto (the first held up by the fault proxy's latency):
//!   the second fails in under 2 s naming the holder's command, PID, host and age; with
//!   `-lock-timeout=30s` it waits, then proceeds, and the state and AWS agree (one VPC);
//! * an apply killed with SIGKILL leaves a lock that is reported as stale (PID gone on this
//!   host, with its age), is released by `force-unlock`, and the next apply completes;
//! * `state rollback` (local `null_resource` state): apply, change, apply, roll back to the
//!   first serial, and `state show`/`state list`/`output` are as after the first apply.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ecsform::state::{LockInfo, StateStore};
use support::moto::{env_for, moto, sdk_config_for};
use support::proxy::{Faults, Proxy};

const VPC: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.77.0.0/16"
}
"#;

fn state_path(dir: &Path) -> PathBuf {
    dir.join("state/ecsform.sqlite")
}

/// `ecsform COMMAND ARGS...` in `dir`, talking to AWS at `endpoint`.
fn ecsform(dir: &Path, endpoint: &str, command: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecsform"));
    cmd.current_dir(dir)
        .arg(command)
        .arg("-no-color")
        .args(args)
        .envs(env_for(endpoint))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn finish(child: Child, started: Instant) -> Ran {
    let out = child.wait_with_output().expect("waiting for ecsform");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    }
}

fn run(mut cmd: Command) -> Ran {
    let started = Instant::now();
    finish(cmd.spawn().expect("starting ecsform"), started)
}

/// Waits until the process `pid` holds the state lock and has written the intent row of its
/// create: it is then inside the slow call.
fn wait_for_lock_held_by(dir: &Path, pid: u32) -> LockInfo {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(store)) = StateStore::open_existing(&state_path(dir)) {
            let holder = store.lock_holder().unwrap();
            let intent = store.resources().unwrap().iter().any(|r| r.id.is_none());
            if let Some(h) = holder.filter(|h| h.pid == pid && intent) {
                return h;
            }
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} never took the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The VPCs tagged with this state's lineage, through the SDK (not through ecsform).
fn vpcs_of(dir: &Path) -> Vec<String> {
    let lineage = StateStore::open(&state_path(dir)).unwrap().lineage();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&sdk_config_for(&moto_endpoint()).await);
        let out = ec2
            .describe_vpcs()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("tag:ecsform:lineage")
                    .values(lineage)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        out.vpcs()
            .iter()
            .filter_map(|v| v.vpc_id().map(String::from))
            .collect()
    })
}

fn moto_endpoint() -> String {
    format!("http://127.0.0.1:{}", moto().port())
}

/// A working directory with the one-VPC configuration.
fn vpc_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), VPC).unwrap();
    dir
}

/// A proxy in front of moto that makes every call take `latency`.
fn slow_proxy(latency: Duration) -> Proxy {
    Proxy::start(
        moto().port(),
        Faults {
            latency,
            ..Faults::default()
        },
    )
}

#[test]
fn a_second_apply_fails_fast_naming_the_holder_and_with_a_timeout_waits_and_proceeds() {
    let _moto = support::moto::exclusive();
    let dir = vpc_dir();
    let dir = dir.path();
    let proxy = slow_proxy(Duration::from_millis(1500));
    let started = Instant::now();
    let first = ecsform(dir, &proxy.endpoint, "apply", &["-auto-approve"])
        .spawn()
        .unwrap();
    let holder = wait_for_lock_held_by(dir, first.id());
    std::thread::sleep(Duration::from_millis(1100));

    // Without a timeout: at once, naming the holder.
    let second = run(ecsform(dir, &proxy.endpoint, "apply", &["-auto-approve"]));
    eprintln!("the second apply failed after {:?}", second.took);
    assert_eq!(second.code, Some(1), "{}", second.stderr);
    // It did not wait: when it had failed, the first still held the same lock (the first
    // has seconds of 1.5 s calls left after its create).
    let still = StateStore::open_existing(&state_path(dir))
        .unwrap()
        .unwrap()
        .lock_holder()
        .unwrap();
    assert_eq!(
        still.map(|h| h.id),
        Some(holder.id.clone()),
        "the second apply returned after the first released its lock"
    );
    let expected = format!(
        "is locked by ecsform apply (pid {} on host {}) since {} (locked ",
        holder.pid, holder.host, holder.created_at
    );
    assert!(second.stderr.contains(&expected), "{}", second.stderr);
    assert!(
        second.stderr.contains(&format!(
            " ago), lock ID {}. Wait for it to finish",
            holder.id
        )),
        "{}",
        second.stderr
    );
    let age = second
        .stderr
        .split("(locked ")
        .nth(1)
        .and_then(|s| s.split(" ago)").next())
        .unwrap();
    assert!(age.ends_with('s') && age != "0s", "age {age:?}");

    // With a timeout: waits for the first, then plans against what it recorded.
    let third = run(ecsform(
        dir,
        &proxy.endpoint,
        "apply",
        &["-auto-approve", "-lock-timeout=30s"],
    ));
    let first = finish(first, started);
    assert_eq!(first.code, Some(0), "{}{}", first.stdout, first.stderr);
    assert_eq!(third.code, Some(0), "{}{}", third.stdout, third.stderr);
    assert!(
        third.stdout.contains("No changes"),
        "the waiting apply saw the first one's VPC: {}",
        third.stdout
    );

    let store = StateStore::open(&state_path(dir)).unwrap();
    assert_eq!(store.lock_holder().unwrap(), None);
    let records = store.resources().unwrap();
    assert_eq!(records.len(), 1);
    let vpcs = vpcs_of(dir);
    assert_eq!(
        vpcs,
        vec![records[0].id.clone().unwrap()],
        "one VPC, in state"
    );
}

#[test]
fn a_lock_left_by_a_killed_apply_is_stale_and_force_unlock_releases_it() {
    let _moto = support::moto::exclusive();
    let dir = vpc_dir();
    let dir = dir.path();
    let proxy = slow_proxy(Duration::from_millis(1500));
    let mut child = ecsform(dir, &proxy.endpoint, "apply", &["-auto-approve"])
        .spawn()
        .unwrap();
    let pid = child.id();
    let holder = wait_for_lock_held_by(dir, pid);
    let lock_seen = Instant::now();
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    // The proxy still forwards a request the killed process had sent, after its latency; let
    // it land before the rerun looks for what the killed apply created (a request reaching AWS
    // after its sender died is outside what this test is about).
    proxy.wait_until_idle(Duration::from_secs(60));
    // The lock is at least two seconds old when the plan reads it, so that its age must show
    // as more than "0s" (the proxy may be idle at once when the kill came before any request).
    if let Some(rest) = Duration::from_secs(2).checked_sub(lock_seen.elapsed()) {
        std::thread::sleep(rest);
    }

    let plan = run(ecsform(
        dir,
        &moto_endpoint(),
        "plan",
        &["-lock-timeout=30s"],
    ));
    assert_eq!(plan.code, Some(1), "{}", plan.stderr);
    // Waiting for the lock would have taken the whole -lock-timeout.
    assert!(
        plan.took < Duration::from_secs(30),
        "a stale lock is not waited for: {:?}",
        plan.took
    );
    for phrase in [
        format!(
            "is locked by ecsform apply (pid {pid} on host {})",
            holder.host
        ),
        format!("The lock is stale: process {pid} no longer runs on this host"),
        format!("ecsform force-unlock {}", holder.id),
    ] {
        assert!(plan.stderr.contains(&phrase), "{phrase:?}: {}", plan.stderr);
    }
    assert!(!plan.stderr.contains("(locked 0s ago)"), "{}", plan.stderr);

    // force-unlock asks first; without a terminal it needs -force.
    let unlock = run(ecsform(
        dir,
        &moto_endpoint(),
        "force-unlock",
        &[&holder.id],
    ));
    assert_eq!(unlock.code, Some(1), "{}", unlock.stderr);
    assert!(
        unlock.stdout.contains("It looks stale"),
        "{}",
        unlock.stdout
    );
    let unlock = run(ecsform(
        dir,
        &moto_endpoint(),
        "force-unlock",
        &["-force", &holder.id],
    ));
    assert_eq!(unlock.code, Some(0), "{}", unlock.stderr);

    let apply = run(ecsform(dir, &moto_endpoint(), "apply", &["-auto-approve"]));
    assert_eq!(apply.code, Some(0), "{}{}", apply.stdout, apply.stderr);
    let records = StateStore::open(&state_path(dir))
        .unwrap()
        .resources()
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(vpcs_of(dir), vec![records[0].id.clone().unwrap()]);
}

const NULLS_V1: &str = r#"
resource "null_resource" "a" {
  triggers = { version = "1" }
}

output "version" {
  value = null_resource.a.triggers.version
}
"#;

const NULLS_V2: &str = r#"
resource "null_resource" "a" {
  triggers = { version = "2" }
}

resource "null_resource" "b" {
  triggers = { added = "yes" }
}

output "version" {
  value = null_resource.a.triggers.version
}

output "b" {
  value = null_resource.b.id
}
"#;

/// What the user sees of the state: the list, every instance, the outputs.
fn visible(dir: &Path) -> String {
    let list = support::run_in(dir, "state", &["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let mut out = list.stdout.clone();
    for address in list.stdout.lines() {
        let show = support::run_in(dir, "state", &["show", address]);
        assert_eq!(show.code, 0, "{}", show.stderr);
        out.push_str(&show.stdout);
    }
    let outputs = support::run_in(dir, "output", &["-json"]);
    assert_eq!(outputs.code, 0, "{}", outputs.stderr);
    out + &outputs.stdout
}

#[test]
fn rollback_to_the_first_apply_shows_the_first_state_again_as_a_new_serial() {
    // Nothing here talks to AWS; if something tried, it would meet a closed local port.
    let offline = [(
        "AWS_ENDPOINT_URL".to_string(),
        "http://127.0.0.1:9".to_string(),
    )];
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("main.tf"), NULLS_V1).unwrap();
    let out = support::run_in_env(dir, "apply", &["-auto-approve"], &offline);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first_serial = StateStore::open(&state_path(dir)).unwrap().serial();
    let first = visible(dir);
    let lineage = StateStore::open(&state_path(dir)).unwrap().lineage();

    std::fs::write(dir.join("main.tf"), NULLS_V2).unwrap();
    let out = support::run_in_env(dir, "apply", &["-auto-approve"], &offline);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let second = visible(dir);
    assert_ne!(first, second);
    let second_serial = StateStore::open(&state_path(dir)).unwrap().serial();

    // Asked without a terminal, and not approved: nothing changes.
    let serial_flag = format!("-serial={first_serial}");
    let chdir = format!("-chdir={}", dir.display());
    let out = support::run_in(dir, "state", &["rollback", &serial_flag]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("-auto-approve"), "{}", out.stderr);
    let out = support::run_answering(&[&chdir, "state", "rollback", &serial_flag], "no\n");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("Rollback cancelled"), "{}", out.stderr);
    assert_eq!(visible(dir), second);

    let out = support::run_answering(&[&chdir, "state", "rollback", &serial_flag], "yes\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let diff = out.stdout.as_str();
    for line in [
        format!("the state is at serial {second_serial}; its resources and outputs go back to what they were at serial {first_serial}, written as serial {}", second_serial + 1),
        "no AWS object is created, changed or destroyed".to_string(),
        "~ null_resource.a".to_string(),
        "changes id, triggers (id=".to_string(),
        "- null_resource.b".to_string(),
        "- output \"b\"".to_string(),
        "~ output \"version\"".to_string(),
        "Rollback: 0 to restore, 2 to change, 2 to remove.".to_string(),
    ] {
        assert!(diff.contains(&line), "{line:?} in:\n{diff}");
    }
    assert_eq!(
        visible(dir),
        first,
        "the state shows as after the first apply"
    );
    let store = StateStore::open(&state_path(dir)).unwrap();
    assert_eq!(store.serial(), second_serial + 1);
    assert_eq!(store.lineage(), lineage);
    drop(store);

    let history = support::run_in(dir, "state", &["history"]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    let rollback_lines: Vec<&str> = history
        .stdout
        .lines()
        .filter(|l| l.contains("rollback"))
        .collect();
    assert_eq!(rollback_lines.len(), 2, "{}", history.stdout);
    assert!(
        history.stdout.contains(&format!(
            "removed by state rollback to serial {first_serial}: it was not in the state then"
        )),
        "{}",
        history.stdout
    );
    assert!(
        history.stdout.contains(&format!(
            "rolled back to serial {first_serial}: id, triggers"
        )),
        "{}",
        history.stdout
    );

    // The configuration still says version 2: the next plan wants to put it back.
    let plan = support::run_in(dir, "plan", &["-detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}{}", plan.stdout, plan.stderr);

    // Undoing the rollback is another rollback.
    let out = support::run_in(dir, "state", &["rollback", "-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(visible(dir), second);

    // A serial that is not earlier, and a bad flag value.
    let out = support::run_in(dir, "state", &["rollback", "-serial=99", "-auto-approve"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("cannot roll back to serial 99: the state is at serial"),
        "{}",
        out.stderr
    );
    let out = support::run_in(dir, "state", &["rollback", "-serial=x"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("-serial needs a state serial"),
        "{}",
        out.stderr
    );
    let out = support::run_in(dir, "state", &["list", "-serial=1"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("options of \"state rollback\""),
        "{}",
        out.stderr
    );
    assert_eq!(visible(dir), second);
}
