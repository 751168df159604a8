//! Crash safety against moto, with the `ecsform` binary as a child process:
//!
//! * the example's apply is killed with SIGKILL at random moments (50 kills), rerun each time,
//!   and what AWS holds is then audited through the SDK, not through ecsform: every object in
//!   state exists exactly once, and nothing tagged with the state's lineage is missing from it;
//! * one Ctrl-C (SIGINT) lets running calls finish and be recorded and exits cleanly; two stop
//!   at once; either way the state stays consistent and a rerun completes;
//! * an object created by an interrupted apply is adopted, by each lookup strategy, and an
//!   object of the same name that is not ours is not.
//!
//! Set `ECSFORM_CRASH_SEED` to replay a run of the kill test with other moments.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ecsform::state::{ResourceRecord, ResourceStatus, StateStore};
use support::example::{
    apply_args, audit, example_dir, example_vars, records, run, state_path, Audit, ADDRESS,
    EXAMPLE_OBJECTS, LINEAGE,
};
use support::moto::{exclusive, moto};
use support::proxy::{Faults, Proxy};

/// `ecsform COMMAND ARGS...` in `dir`, talking to moto.
fn ecsform(dir: &Path, command: &str, args: &[String]) -> Command {
    support::example::command(dir, command, args, &moto().env())
}

/// Releases the lock a killed apply left, as a user would: `ecsform force-unlock ID`.
fn release_lock(dir: &Path) {
    let Some(store) = StateStore::open_existing(&state_path(dir)).unwrap() else {
        return;
    };
    if let Some(holder) = store.lock_holder().unwrap() {
        let out = run(ecsform(
            dir,
            "force-unlock",
            &["-force".to_string(), holder.id],
        ));
        assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    }
}

/// A small deterministic generator (xorshift64*), so that a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [lo, hi).
    fn between(&mut self, lo: Duration, hi: Duration) -> Duration {
        let span = hi.saturating_sub(lo).as_micros().max(1) as u64;
        lo + Duration::from_micros(self.next() % span)
    }
}

// ---------------------------------------------------------------------------------------------
// SIGKILL at random moments.

/// Spawns `cmd` with its output captured; the first line that contains `marker` is reported
/// (with the time since the start) on the returned channel.
fn spawn_watching(mut cmd: Command, marker: &'static str) -> (Child, mpsc::Receiver<Duration>) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting ecsform");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent && line.contains(marker) {
                sent = true;
                let _ = tx.send(start.elapsed());
            }
        }
    });
    (child, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_fifty_random_moments_leaves_no_orphan_and_no_duplicate() {
    const KILLS: usize = 50;
    let _guard = exclusive();
    let seed = std::env::var("ECSFORM_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x005e_edc4_a511_u64);
    let mut rng = Rng(seed | 1);

    // How long the example's apply takes here: from the start to the first create, and to the
    // end. Kills land uniformly in between, where state is written.
    let (_tmp, dir) = example_dir();
    let vars = example_vars().await;
    let (mut child, first_create) =
        spawn_watching(ecsform(&dir, "apply", &apply_args(&vars)), ": Creating...");
    let started = Instant::now();
    let status = tokio::task::block_in_place(|| child.wait()).unwrap();
    let total = started.elapsed();
    assert!(status.success(), "the calibration apply failed");
    let first = first_create.recv_timeout(Duration::from_secs(5)).unwrap();
    eprintln!("calibration: first create after {first:?}, apply done after {total:?}");

    let mut kills = 0;
    let mut cycles = 0;
    let mut attempts_done = 0;
    let mut with_intents = 0;
    let mut adopted = 0;
    let mut totals = Audit::default();
    while kills < KILLS {
        cycles += 1;
        moto().reset();
        let (_tmp, dir) = example_dir();
        let vars = example_vars().await;
        // Kill, rerun and kill again, until a rerun finishes before its moment comes (that
        // rerun is the one that completes) or the kills are done.
        let mut completed = false;
        loop {
            let delay = rng.between(first, total);
            let log = dir.join("attempt.log");
            let file = std::fs::File::create(&log).unwrap();
            let mut child = ecsform(&dir, "apply", &apply_args(&vars))
                .stdout(file.try_clone().unwrap())
                .stderr(file)
                .spawn()
                .unwrap();
            let start = Instant::now();
            let finished = tokio::task::block_in_place(|| loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Some(status);
                }
                if start.elapsed() >= delay {
                    break None;
                }
                std::thread::sleep(Duration::from_millis(2));
            });
            if let Some(status) = finished {
                assert!(
                    status.success(),
                    "an apply failed on its own:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
                attempts_done += 1;
                adopted += std::fs::read_to_string(&log)
                    .unwrap_or_default()
                    .matches(": Adopted ")
                    .count();
                completed = true;
                break;
            }
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
            if records(&dir)
                .iter()
                .any(|r| r.status == ResourceStatus::Creating)
            {
                with_intents += 1;
            }
            release_lock(&dir);
            if kills == KILLS {
                break;
            }
        }
        if !completed {
            let out =
                tokio::task::block_in_place(|| run(ecsform(&dir, "apply", &apply_args(&vars))));
            assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
            adopted += out.stdout.matches(": Adopted ").count();
        }
        let a = audit(&dir).await;
        eprintln!(
            "cycle {cycles}: {kills} kills so far; {} objects, {} orphaned, {} duplicated, {} missing",
            a.objects,
            a.orphaned.len(),
            a.duplicated.len(),
            a.missing.len()
        );
        totals.objects += a.objects;
        totals.orphaned.extend(a.orphaned);
        totals.duplicated.extend(a.duplicated);
        totals.missing.extend(a.missing);
        // State, configuration and AWS agree.
        let mut plan = vec!["-detailed-exitcode".to_string()];
        plan.extend(vars.iter().cloned());
        let out = tokio::task::block_in_place(|| run(ecsform(&dir, "plan", &plan)));
        assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    }
    eprintln!(
        "\nSIGKILL test (seed {seed:#x}): {kills} kills in {cycles} cycles ({attempts_done} reruns finished before their moment); \
         {with_intents} kills left intent rows, {adopted} objects adopted by reruns.\n\
         Audit over {} recorded objects: {} orphaned, {} duplicated, {} missing.",
        totals.objects,
        totals.orphaned.len(),
        totals.duplicated.len(),
        totals.missing.len()
    );
    assert_eq!(totals.orphaned, Vec::<String>::new(), "orphaned objects");
    assert_eq!(
        totals.duplicated,
        Vec::<String>::new(),
        "duplicated objects"
    );
    assert_eq!(
        totals.missing,
        Vec::<String>::new(),
        "records without an object"
    );
    assert!(
        with_intents > 0,
        "no kill landed while a create was pending"
    );
}

/// The narrowest window, aimed at rather than sampled: AWS has answered a create (the
/// progress line is printed) and the record may not be written yet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_right_after_a_create_is_reported_adopts_instead_of_duplicating() {
    const KILLS: usize = 10;
    let _guard = exclusive();
    let mut rng = Rng(0x0dd0_ba11 | 1);
    let mut adopted = 0;
    let mut totals = Audit::default();
    for kill in 0..KILLS {
        moto().reset();
        let (_tmp, dir) = example_dir();
        let vars = example_vars().await;
        let nth = 1 + (rng.next() % 50) as usize;
        let (mut child, rx) = spawn_lines(&mut ecsform(&dir, "apply", &apply_args(&vars)));
        let mut seen = 0;
        tokio::task::block_in_place(|| {
            while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
                if line.contains(": Creation complete") {
                    seen += 1;
                    if seen == nth {
                        child.kill().unwrap();
                        break;
                    }
                }
            }
            child.wait().unwrap();
        });
        release_lock(&dir);
        let out = tokio::task::block_in_place(|| run(ecsform(&dir, "apply", &apply_args(&vars))));
        assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
        adopted += out.stdout.matches(": Adopted ").count();
        let a = audit(&dir).await;
        eprintln!(
            "kill {} after create {nth}: {} adopted so far; {} orphaned, {} duplicated, {} missing",
            kill + 1,
            adopted,
            a.orphaned.len(),
            a.duplicated.len(),
            a.missing.len()
        );
        totals.objects += a.objects;
        totals.orphaned.extend(a.orphaned);
        totals.duplicated.extend(a.duplicated);
        totals.missing.extend(a.missing);
    }
    eprintln!(
        "\nSIGKILL after a reported create: {KILLS} kills, {adopted} objects adopted by reruns; audit over {} recorded objects: {} orphaned, {} duplicated, {} missing.",
        totals.objects,
        totals.orphaned.len(),
        totals.duplicated.len(),
        totals.missing.len()
    );
    assert_eq!(totals.orphaned, Vec::<String>::new(), "orphaned objects");
    assert_eq!(
        totals.duplicated,
        Vec::<String>::new(),
        "duplicated objects"
    );
    assert_eq!(
        totals.missing,
        Vec::<String>::new(),
        "records without an object"
    );
    assert!(adopted > 0, "no kill fell between a create and its record");
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C.

/// Spawns an apply of the example with its output read line by line; returns the child and a
/// channel of its stdout lines.
fn spawn_lines(cmd: &mut Command) -> (Child, mpsc::Receiver<String>) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ecsform");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn sigint(child: &Child) {
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("running kill")
        .success();
    assert!(ok, "kill -INT failed");
}

/// Waits for the child, collecting the rest of its stdout lines.
fn finish(mut child: Child, rx: &mpsc::Receiver<String>, lines: &mut Vec<String>) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "ecsform did not exit");
        std::thread::sleep(Duration::from_millis(10));
    };
    while let Ok(l) = rx.recv_timeout(Duration::from_millis(500)) {
        lines.push(l);
    }
    status.code().expect("exited, not killed")
}

/// Reads lines until one contains `marker` (kept in `lines`).
fn wait_for_line(rx: &mpsc::Receiver<String>, marker: &str, lines: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(100)) {
            let hit = l.contains(marker);
            lines.push(l);
            if hit {
                return;
            }
        }
    }
    panic!("no line with {marker:?} in:\n{}", lines.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ctrl_c_finishes_and_records_running_calls_then_exits_cleanly() {
    let _guard = exclusive();
    let (_tmp, dir) = example_dir();
    let vars = example_vars().await;
    let (child, rx) = spawn_lines(&mut ecsform(&dir, "apply", &apply_args(&vars)));
    let mut lines = Vec::new();
    tokio::task::block_in_place(|| wait_for_line(&rx, ": Creating...", &mut lines));
    sigint(&child);
    let code = tokio::task::block_in_place(|| finish(child, &rx, &mut lines));
    let text = lines.join("\n");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "Interrupt received.\nPlease wait for ecsform to exit or data loss may occur.\nGracefully shutting down..."
        ),
        "{text}"
    );
    assert!(text.contains("Apply interrupted. Resources: "), "{text}");
    // Nothing started after the interrupt; everything that started finished.
    let after = text.split("Interrupt received.").nth(1).unwrap();
    assert!(!after.contains(": Creating..."), "{text}");
    let started: BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l.strip_suffix(": Creating..."))
        .collect();
    let done: BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l.split_once(": Creation complete").map(|(a, _)| a))
        .collect();
    assert_eq!(started, done, "{text}");
    // ... and is recorded; the lock is released.
    let store = StateStore::open_existing(&state_path(&dir))
        .unwrap()
        .unwrap();
    assert_eq!(store.lock_holder().unwrap(), None);
    let recs = store.resources().unwrap();
    assert!(recs.iter().all(|r| r.status == ResourceStatus::Ready));
    let recorded: BTreeSet<&str> = recs.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(recorded, done);
    assert!(
        recs.len() < EXAMPLE_OBJECTS,
        "the interrupt came too late to test anything"
    );

    // A rerun completes, and AWS holds exactly what the state says.
    let out = tokio::task::block_in_place(|| run(ecsform(&dir, "apply", &apply_args(&vars))));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("Adopted"), "{}", out.stdout);
    let a = audit(&dir).await;
    assert_eq!(a.objects, EXAMPLE_OBJECTS);
    assert_eq!(
        (a.orphaned, a.duplicated, a.missing),
        (vec![], vec![], vec![])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ctrl_c_stop_at_once_and_the_state_stays_consistent() {
    let _guard = exclusive();
    let (_tmp, dir) = example_dir();
    let vars = example_vars().await;
    // Every call takes a second, so that calls are still running when the second interrupt
    // comes: it is sent once the first has been seen (two signals sent at once may arrive
    // as one).
    let slow = Proxy::start(
        moto().port(),
        Faults {
            latency: Duration::from_secs(1),
            ..Faults::default()
        },
    );
    let mut cmd = ecsform(&dir, "apply", &apply_args(&vars));
    cmd.env("AWS_ENDPOINT_URL", &slow.endpoint);
    let (child, rx) = spawn_lines(&mut cmd);
    let mut lines = Vec::new();
    tokio::task::block_in_place(|| wait_for_line(&rx, ": Creating...", &mut lines));
    sigint(&child);
    tokio::task::block_in_place(|| wait_for_line(&rx, "Interrupt received.", &mut lines));
    sigint(&child);
    let code = tokio::task::block_in_place(|| finish(child, &rx, &mut lines));
    drop(slow);
    let text = lines.join("\n");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("Two interrupts received. Exiting immediately."),
        "{text}"
    );
    assert!(text.contains("Apply interrupted."), "{text}");
    let store = StateStore::open_existing(&state_path(&dir))
        .unwrap()
        .unwrap();
    assert_eq!(store.lock_holder().unwrap(), None, "the lock is released");
    drop(store);

    let out = tokio::task::block_in_place(|| run(ecsform(&dir, "apply", &apply_args(&vars))));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let a = audit(&dir).await;
    assert_eq!(a.objects, EXAMPLE_OBJECTS);
    assert_eq!(
        (a.orphaned, a.duplicated, a.missing),
        (vec![], vec![], vec![])
    );
}

// ---------------------------------------------------------------------------------------------
// Adoption, by strategy.

const ADOPTION_CONFIG: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

variable "ami" {
  type = string
}

# Found by its tags.
resource "aws_vpc" "main" {
  cidr_block = "10.42.0.0/16"
}

# Found by its name, and its lineage tag.
resource "aws_iam_role" "app" {
  name = "crash-app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

# Found by the id its arguments give.
resource "aws_iam_role_policy_attachment" "app" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"
}

# Found by its name (no tags).
resource "aws_launch_configuration" "lc" {
  name          = "crash-lc"
  image_id      = var.ami
  instance_type = "t3.micro"
}

# Its name is taken by an object that is not ours: not adopted.
resource "aws_cloudwatch_log_group" "taken" {
  name = "crash-taken"
}
"#;

/// An intent row, as apply writes it before a create.
fn intent(
    address: &str,
    type_name: &str,
    args: serde_json::Value,
    deps: &[&str],
) -> ResourceRecord {
    ResourceRecord {
        address: address.to_string(),
        mode: "managed".into(),
        type_name: type_name.to_string(),
        module_path: String::new(),
        index_key: serde_json::Value::Null,
        id: None,
        attributes: args,
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
        status: ResourceStatus::Creating,
        schema_version: 1,
        sensitive_paths: vec![],
    }
}

fn ec2_tags(address: &str, lineage: &str) -> aws_sdk_ec2::types::TagSpecification {
    aws_sdk_ec2::types::TagSpecification::builder()
        .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key(ADDRESS)
                .value(address)
                .build(),
        )
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key(LINEAGE)
                .value(lineage)
                .build(),
        )
        .build()
}

async fn vpcs_tagged(ec2: &aws_sdk_ec2::Client, address: &str) -> Vec<String> {
    let out = ec2
        .describe_vpcs()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name(format!("tag:{ADDRESS}"))
                .values(address)
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.vpcs()
        .iter()
        .filter_map(|v| v.vpc_id().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_left_by_an_interrupted_apply_are_adopted_by_every_strategy() {
    let _guard = exclusive();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), ADOPTION_CONFIG).unwrap();
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let ami = ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap()
        .images()[0]
        .image_id()
        .unwrap()
        .to_string();
    let vars = vec!["-var".to_string(), format!("ami={ami}")];

    // An apply was killed after these create calls and before their ids were recorded.
    let mut store = StateStore::open(&state_path(dir.path())).unwrap();
    let lineage = store.lineage();
    let policy = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess";
    for rec in [
        intent(
            "aws_vpc.main",
            "aws_vpc",
            serde_json::json!({"cidr_block": "10.42.0.0/16"}),
            &[],
        ),
        intent(
            "aws_iam_role.app",
            "aws_iam_role",
            serde_json::json!({"name": "crash-app"}),
            &[],
        ),
        intent(
            "aws_iam_role_policy_attachment.app",
            "aws_iam_role_policy_attachment",
            serde_json::json!({"role": "crash-app", "policy_arn": policy}),
            &["aws_iam_role.app"],
        ),
        intent(
            "aws_launch_configuration.lc",
            "aws_launch_configuration",
            serde_json::json!({"name": "crash-lc", "image_id": ami, "instance_type": "t3.micro"}),
            &[],
        ),
        intent(
            "aws_cloudwatch_log_group.taken",
            "aws_cloudwatch_log_group",
            serde_json::json!({"name": "crash-taken"}),
            &[],
        ),
    ] {
        store.put_resource(&rec, "intent", None).unwrap();
    }
    drop(store);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.42.0.0/16")
        .tag_specifications(ec2_tags("aws_vpc.main", &lineage))
        .send()
        .await
        .unwrap()
        .vpc()
        .unwrap()
        .vpc_id()
        .unwrap()
        .to_string();
    let iam = aws_sdk_iam::Client::new(&config);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}"#;
    let tag = |k: &str, v: &str| {
        aws_sdk_iam::types::Tag::builder()
            .key(k)
            .value(v)
            .build()
            .unwrap()
    };
    iam.create_role()
        .role_name("crash-app")
        .assume_role_policy_document(trust)
        .tags(tag(ADDRESS, "aws_iam_role.app"))
        .tags(tag(LINEAGE, &lineage))
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("crash-app")
        .policy_arn(policy)
        .send()
        .await
        .unwrap();
    let asg = aws_sdk_autoscaling::Client::new(&config);
    asg.create_launch_configuration()
        .launch_configuration_name("crash-lc")
        .image_id(&ami)
        .instance_type("t3.micro")
        .instance_monitoring(
            aws_sdk_autoscaling::types::InstanceMonitoring::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // Someone else's log group, with the name the configuration wants.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    logs.create_log_group()
        .log_group_name("crash-taken")
        .send()
        .await
        .unwrap();

    let out = tokio::task::block_in_place(|| run(ecsform(dir.path(), "plan", &vars)));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    for line in [
        format!("aws_vpc.main: Adopted {vpc} (created by an interrupted apply)"),
        "aws_iam_role.app: Adopted crash-app (created by an interrupted apply)".to_string(),
        format!("aws_iam_role_policy_attachment.app: Adopted crash-app/{policy} (created by an interrupted apply)"),
        "aws_launch_configuration.lc: Adopted crash-lc (created by an interrupted apply)".to_string(),
    ] {
        assert!(out.stdout.contains(&line), "no {line:?} in\n{}", out.stdout);
    }
    for adopted in [
        "aws_vpc.main",
        "aws_iam_role.app",
        "aws_iam_role_policy_attachment.app",
        "aws_launch_configuration.lc",
    ] {
        assert!(
            !out.stdout.contains(&format!("# {adopted} will be created")),
            "{}",
            out.stdout
        );
    }
    assert!(
        out.stdout
            .contains("# aws_cloudwatch_log_group.taken will be created"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("Not adopting crash-taken"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("it was not created by ecsform"),
        "{}",
        out.stderr
    );

    // Apply records the adopted objects; the name that is taken fails, naming the way out.
    let mut args = vec!["-auto-approve".to_string()];
    args.extend(vars.iter().cloned());
    let out = tokio::task::block_in_place(|| run(ecsform(dir.path(), "apply", &args)));
    assert_eq!(out.code, Some(1), "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("Resources: 4 adopted, 0 added"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("Error creating aws_cloudwatch_log_group.taken"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("import it"), "{}", out.stderr);
    let recs: BTreeMap<String, ResourceRecord> = records(dir.path())
        .into_iter()
        .map(|r| (r.address.clone(), r))
        .collect();
    assert_eq!(recs["aws_vpc.main"].id.as_deref(), Some(vpc.as_str()));
    assert_eq!(recs["aws_vpc.main"].status, ResourceStatus::Ready);
    assert_eq!(recs["aws_iam_role.app"].id.as_deref(), Some("crash-app"));
    assert_eq!(
        recs["aws_launch_configuration.lc"].id.as_deref(),
        Some("crash-lc")
    );
    assert_eq!(
        recs["aws_iam_role_policy_attachment.app"].id.as_deref(),
        Some(format!("crash-app/{policy}").as_str())
    );
    // The way out the error names: importing the object replaces the intent row.
    let mut import = vars.clone();
    import.extend([
        "aws_cloudwatch_log_group.taken".to_string(),
        "crash-taken".to_string(),
    ]);
    let out = tokio::task::block_in_place(|| run(ecsform(dir.path(), "import", &import)));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let taken = records(dir.path())
        .into_iter()
        .find(|r| r.address == "aws_cloudwatch_log_group.taken")
        .unwrap();
    assert_eq!(
        (taken.id.as_deref(), taken.status),
        (Some("crash-taken"), ResourceStatus::Ready)
    );
    // Nothing was created twice, and the stranger's log group was not touched.
    assert_eq!(vpcs_tagged(&ec2, "aws_vpc.main").await, vec![vpc]);
    let arn = logs
        .describe_log_groups()
        .log_group_name_prefix("crash-taken")
        .send()
        .await
        .unwrap()
        .log_groups()[0]
        .arn()
        .unwrap()
        .trim_end_matches(":*")
        .to_string();
    let tags = logs
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    assert!(tags.tags().is_none_or(|t| t.is_empty()), "{tags:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_objects_tagged_as_one_instance_are_an_error_naming_them() {
    let _guard = exclusive();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.43.0.0/16\"\n}\n",
    )
    .unwrap();
    let mut store = StateStore::open(&state_path(dir.path())).unwrap();
    let lineage = store.lineage();
    store
        .put_resource(
            &intent(
                "aws_vpc.main",
                "aws_vpc",
                serde_json::json!({"cidr_block": "10.43.0.0/16"}),
                &[],
            ),
            "intent",
            None,
        )
        .unwrap();
    drop(store);
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config().await);
    for _ in 0..2 {
        ec2.create_vpc()
            .cidr_block("10.43.0.0/16")
            .tag_specifications(ec2_tags("aws_vpc.main", &lineage))
            .send()
            .await
            .unwrap();
    }
    let out = tokio::task::block_in_place(|| run(ecsform(dir.path(), "plan", &[])));
    assert_eq!(out.code, Some(1), "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("Several objects for aws_vpc.main"),
        "{}",
        out.stderr
    );
    let ids = vpcs_tagged(&ec2, "aws_vpc.main").await;
    assert_eq!(ids.len(), 2);
    for id in ids {
        assert!(out.stderr.contains(&id), "{}", out.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_create_before_destroy_replacement_is_finished_without_a_second_copy() {
    let _guard = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let ami = ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap()
        .images()[0]
        .image_id()
        .unwrap()
        .to_string();
    let tf = |prefix: &str| {
        format!(
            "resource \"aws_launch_template\" \"lt\" {{\n  name_prefix   = \"{prefix}\"\n  image_id      = \"{ami}\"\n  instance_type = \"t3.micro\"\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n"
        )
    };
    std::fs::write(dir.path().join("main.tf"), tf("crash-a-")).unwrap();
    let args = vec!["-auto-approve".to_string()];
    let out = tokio::task::block_in_place(|| run(ecsform(dir.path(), "apply", &args)));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let old = records(dir.path())[0].id.clone().unwrap();

    // The name apply pinned for the replacement (a prefix, a timestamp and 8 hex digits).
    const NEW_NAME: &str = "crash-b-202611220700000000c0ffee01";
    // A new prefix forces a replacement. The apply was killed right after AWS created the new
    // template: the row still has the old one, with the intent to create its replacement.
    std::fs::write(dir.path().join("main.tf"), tf("crash-b-")).unwrap();
    let mut store = StateStore::open(&state_path(dir.path())).unwrap();
    let lineage = store.lineage();
    let mut row = store.resource("aws_launch_template.lt").unwrap().unwrap();
    row.status = ResourceStatus::Creating;
    row.attributes["ecsform:replacement"] = serde_json::json!({
        "name": NEW_NAME, "name_prefix": "crash-b-", "image_id": ami, "instance_type": "t3.micro"
    });
    store.put_resource(&row, "intent", None).unwrap();
    drop(store);
    let new = ec2
        .create_launch_template()
        .launch_template_name(NEW_NAME)
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .image_id(&ami)
                .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                .build(),
        )
        .tag_specifications(
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::LaunchTemplate)
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key(ADDRESS)
                        .value("aws_launch_template.lt")
                        .build(),
                )
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key(LINEAGE)
                        .value(&lineage)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .launch_template()
        .unwrap()
        .launch_template_id()
        .unwrap()
        .to_string();

    let out = tokio::task::block_in_place(|| run(ecsform(dir.path(), "plan", &[])));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(&format!(
            "aws_launch_template.lt: Found {new}, the replacement an interrupted apply created"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("# aws_launch_template.lt must be replaced"),
        "{}",
        out.stdout
    );

    let out = tokio::task::block_in_place(|| run(ecsform(dir.path(), "apply", &args)));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains(&format!("aws_launch_template.lt: Adopted {new}")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Resources: 1 adopted, 0 added, 0 changed, 1 destroyed."),
        "{}",
        out.stdout
    );
    let recs = records(dir.path());
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].id.as_deref(), Some(new.as_str()));
    assert_eq!(recs[0].status, ResourceStatus::Ready);
    assert!(recs[0].attributes.get("ecsform:replacement").is_none());
    let left: Vec<String> = ec2
        .describe_launch_templates()
        .send()
        .await
        .unwrap()
        .launch_templates()
        .iter()
        .filter_map(|t| t.launch_template_id().map(String::from))
        .collect();
    assert_eq!(
        left,
        vec![new],
        "the old template ({old}) is gone, the new one kept once"
    );
    let out = tokio::task::block_in_place(|| {
        run(ecsform(
            dir.path(),
            "plan",
            &["-detailed-exitcode".to_string()],
        ))
    });
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
}
