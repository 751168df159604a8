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

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ecsform::state::{ResourceRecord, ResourceStatus, StateStore};
use support::moto::{exclusive, moto};
use support::proxy::{Faults, Proxy};

const ADDRESS: &str = "ecsform:address";
const LINEAGE: &str = "ecsform:lineage";

fn copy_dir(from: &Path, to: &Path) {
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

/// A copy of examples/ and modules/ side by side, as in the repository.
fn example_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("modules"), &tmp.path().join("modules"));
    let root = tmp.path().join("examples");
    std::fs::create_dir_all(&root).unwrap();
    for f in ["ecs.tf", "ecs.tfvars"] {
        std::fs::copy(repo.join("examples").join(f), root.join(f)).unwrap();
    }
    (tmp, root)
}

/// `ecsform COMMAND ARGS...` in `dir`, talking to moto.
fn ecsform(dir: &Path, command: &str, args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecsform"));
    cmd.current_dir(dir)
        .arg(command)
        .arg("-no-color")
        .args(args)
        .envs(moto().env())
        .stdin(Stdio::null());
    cmd
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command) -> Ran {
    let out = cmd.output().expect("running ecsform");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The example's variables, with an AMI moto knows.
async fn example_vars() -> Vec<String> {
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let images = ec2.describe_images().owners("amazon").send().await.unwrap();
    let ami = images.images()[0].image_id().unwrap().to_string();
    vec![
        "-var-file=ecs.tfvars".to_string(),
        "-var".to_string(),
        format!("ecs_ami_id={ami}"),
    ]
}

fn apply_args(vars: &[String]) -> Vec<String> {
    let mut a = vec!["-auto-approve".to_string()];
    a.extend(vars.iter().cloned());
    a
}

fn state_path(dir: &Path) -> PathBuf {
    dir.join("state/ecsform.sqlite")
}

fn records(dir: &Path) -> Vec<ResourceRecord> {
    match StateStore::open_existing(&state_path(dir)).unwrap() {
        Some(s) => s.resources().unwrap(),
        None => Vec::new(),
    }
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
// The audit: what AWS holds, read through the SDK.

/// What AWS holds for one state, compared with its records.
#[derive(Debug, Default)]
struct Audit {
    /// Objects checked (the state's records).
    objects: usize,
    /// Objects of this lineage that the state does not record (`type address id`).
    orphaned: Vec<String>,
    /// Addresses with more than one object in AWS.
    duplicated: Vec<String>,
    /// Records whose object AWS does not have (or has under other tags).
    missing: Vec<String>,
}

/// Every object tagged with `lineage`, by address: (type family, id).
async fn tagged_objects(
    config: &aws_config::SdkConfig,
    lineage: &str,
) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut add = |tags: &BTreeMap<String, String>, kind: &str, id: &str| {
        if tags.get(LINEAGE).map(String::as_str) == Some(lineage) {
            let address = tags.get(ADDRESS).cloned().unwrap_or_default();
            out.entry(address)
                .or_default()
                .push((kind.to_string(), id.to_string()));
        }
    };

    // EC2: one DescribeTags for ecsform's two keys.
    let ec2 = aws_sdk_ec2::Client::new(config);
    let rows: Vec<aws_sdk_ec2::types::TagDescription> = ec2
        .describe_tags()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("key")
                .values(ADDRESS)
                .values(LINEAGE)
                .build(),
        )
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    let mut by_id: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for r in rows {
        by_id
            .entry(r.resource_id().unwrap_or_default().to_string())
            .or_default()
            .insert(
                r.key().unwrap_or_default().to_string(),
                r.value().unwrap_or_default().to_string(),
            );
    }
    for (id, tags) in &by_id {
        add(tags, "ec2", id);
    }

    // Load balancing: load balancers, target groups, listeners, and their tags.
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let lbs = elb.describe_load_balancers().send().await.unwrap();
    let mut arns: Vec<String> = Vec::new();
    for lb in lbs.load_balancers() {
        let arn = lb.load_balancer_arn().unwrap().to_string();
        let listeners = elb
            .describe_listeners()
            .load_balancer_arn(&arn)
            .send()
            .await
            .unwrap();
        arns.extend(
            listeners
                .listeners()
                .iter()
                .filter_map(|l| l.listener_arn().map(String::from)),
        );
        arns.push(arn);
    }
    let tgs = elb.describe_target_groups().send().await.unwrap();
    arns.extend(
        tgs.target_groups()
            .iter()
            .filter_map(|t| t.target_group_arn().map(String::from)),
    );
    for chunk in arns.chunks(20) {
        let tags = elb
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap();
        for d in tags.tag_descriptions() {
            let t = d
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            add(&t, "elbv2", d.resource_arn().unwrap_or_default());
        }
    }

    // ECS clusters.
    let ecs = aws_sdk_ecs::Client::new(config);
    let clusters = ecs.list_clusters().send().await.unwrap();
    if !clusters.cluster_arns().is_empty() {
        let described = ecs
            .describe_clusters()
            .set_clusters(Some(clusters.cluster_arns().to_vec()))
            .include(aws_sdk_ecs::types::ClusterField::Tags)
            .send()
            .await
            .unwrap();
        for c in described
            .clusters()
            .iter()
            .filter(|c| c.status() == Some("ACTIVE"))
        {
            let t = c
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            add(&t, "ecs", c.cluster_arn().unwrap_or_default());
        }
    }

    // CloudWatch Logs.
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    let groups: Vec<aws_sdk_cloudwatchlogs::types::LogGroup> = logs
        .describe_log_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    for g in groups {
        let arn = g
            .arn()
            .unwrap_or_default()
            .trim_end_matches(":*")
            .to_string();
        let tags = logs
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        add(&t, "logs", g.log_group_name().unwrap_or_default());
    }

    // IAM roles and instance profiles.
    let iam = aws_sdk_iam::Client::new(config);
    let roles = iam.list_roles().send().await.unwrap();
    for r in roles.roles() {
        let tags = iam
            .list_role_tags()
            .role_name(r.role_name())
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "iam", r.role_name());
    }
    // moto has no ListInstanceProfileTags; its list call carries the tags.
    let profiles = iam.list_instance_profiles().send().await.unwrap();
    for p in profiles.instance_profiles() {
        let t = p
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "iam", p.instance_profile_name());
    }

    // SNS topics.
    let sns = aws_sdk_sns::Client::new(config);
    let topics = sns.list_topics().send().await.unwrap();
    for topic in topics.topics() {
        let arn = topic.topic_arn().unwrap_or_default();
        let tags = sns
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "sns", arn);
    }

    // EventBridge rules (default bus).
    let events = aws_sdk_eventbridge::Client::new(config);
    let rules = events.list_rules().send().await.unwrap();
    for rule in rules.rules() {
        let tags = events
            .list_tags_for_resource()
            .resource_arn(rule.arn().unwrap_or_default())
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "events", rule.name().unwrap_or_default());
    }

    // Auto Scaling groups.
    let asg = aws_sdk_autoscaling::Client::new(config);
    let groups = asg.describe_auto_scaling_groups().send().await.unwrap();
    for g in groups.auto_scaling_groups() {
        let t = g
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect();
        add(
            &t,
            "autoscaling",
            g.auto_scaling_group_name().unwrap_or_default(),
        );
    }
    out
}

/// The objects of the types AWS gives no tags to, by natural key, inside the parents the
/// state records (its route tables, roles and rules): `(type, key)`.
async fn untagged_objects(
    config: &aws_config::SdkConfig,
    recs: &[ResourceRecord],
) -> BTreeSet<(String, String)> {
    let ids_of = |t: &str| -> Vec<String> {
        recs.iter()
            .filter(|r| r.type_name == t)
            .filter_map(|r| r.id.clone())
            .collect()
    };
    let mut out = BTreeSet::new();
    let ec2 = aws_sdk_ec2::Client::new(config);
    let tables = ids_of("aws_route_table");
    if !tables.is_empty() {
        let described = ec2
            .describe_route_tables()
            .set_route_table_ids(Some(tables))
            .send()
            .await
            .unwrap();
        for t in described.route_tables() {
            let table = t.route_table_id().unwrap_or_default();
            for r in t.routes() {
                if r.origin() == Some(&aws_sdk_ec2::types::RouteOrigin::CreateRoute) {
                    let dest = r.destination_cidr_block().unwrap_or_default();
                    out.insert(("aws_route".into(), format!("{table} {dest}")));
                }
            }
            for a in t.associations() {
                if !a.main().unwrap_or(false) {
                    out.insert((
                        "aws_route_table_association".into(),
                        a.route_table_association_id().unwrap_or_default().into(),
                    ));
                }
            }
        }
    }
    let iam = aws_sdk_iam::Client::new(config);
    for role in ids_of("aws_iam_role") {
        let attached = iam
            .list_attached_role_policies()
            .role_name(&role)
            .send()
            .await
            .unwrap();
        for p in attached.attached_policies() {
            out.insert((
                "aws_iam_role_policy_attachment".into(),
                format!("{role}/{}", p.policy_arn().unwrap_or_default()),
            ));
        }
    }
    let events = aws_sdk_eventbridge::Client::new(config);
    for rule in ids_of("aws_cloudwatch_event_rule") {
        let targets = events
            .list_targets_by_rule()
            .rule(&rule)
            .send()
            .await
            .unwrap();
        for t in targets.targets() {
            out.insert((
                "aws_cloudwatch_event_target".into(),
                format!("{rule}/{}", t.id()),
            ));
        }
    }
    out
}

/// The natural key of a record of an untagged type, as [`untagged_objects`] spells it.
fn untagged_key(r: &ResourceRecord) -> Option<String> {
    let a = |k: &str| r.attributes.get(k).and_then(|v| v.as_str()).unwrap_or("");
    match r.type_name.as_str() {
        "aws_route" => Some(format!(
            "{} {}",
            a("route_table_id"),
            a("destination_cidr_block")
        )),
        "aws_route_table_association"
        | "aws_iam_role_policy_attachment"
        | "aws_cloudwatch_event_target" => r.id.clone(),
        _ => None,
    }
}

/// Compares what AWS holds with the state's records.
async fn audit(dir: &Path) -> Audit {
    let config = moto().sdk_config().await;
    let store = StateStore::open_existing(&state_path(dir))
        .unwrap()
        .unwrap();
    let lineage = store.lineage();
    let recs = store.resources().unwrap();
    let tagged = tagged_objects(&config, &lineage).await;
    let untagged = untagged_objects(&config, &recs).await;
    let mut a = Audit {
        objects: recs.len(),
        ..Audit::default()
    };
    for r in &recs {
        assert_eq!(
            r.status,
            ResourceStatus::Ready,
            "{} is {}",
            r.address,
            r.status
        );
    }
    let mut recorded_untagged = BTreeSet::new();
    for r in &recs {
        if let Some(key) = untagged_key(r) {
            recorded_untagged.insert((r.type_name.clone(), key.clone()));
            if !untagged.contains(&(r.type_name.clone(), key.clone())) {
                a.missing
                    .push(format!("{} {} {key}", r.type_name, r.address));
            }
            continue;
        }
        let found = tagged.get(&r.address).cloned().unwrap_or_default();
        let id = r.id.clone().unwrap_or_default();
        if !found.iter().any(|(_, i)| *i == id) {
            a.missing
                .push(format!("{} {} {id}", r.type_name, r.address));
        }
    }
    let recorded: BTreeMap<&str, &ResourceRecord> =
        recs.iter().map(|r| (r.address.as_str(), r)).collect();
    for (address, objects) in &tagged {
        if objects.len() > 1 {
            a.duplicated.push(format!("{address}: {objects:?}"));
        }
        for (kind, id) in objects {
            let ours = recorded
                .get(address.as_str())
                .is_some_and(|r| r.id.as_deref() == Some(id.as_str()));
            if !ours {
                a.orphaned.push(format!("{kind} {address} {id}"));
            }
        }
    }
    for (t, key) in untagged.difference(&recorded_untagged) {
        a.orphaned.push(format!("{t} {key}"));
    }
    a
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
        recs.len() < 54,
        "the interrupt came too late to test anything"
    );

    // A rerun completes, and AWS holds exactly what the state says.
    let out = tokio::task::block_in_place(|| run(ecsform(&dir, "apply", &apply_args(&vars))));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("Adopted"), "{}", out.stdout);
    let a = audit(&dir).await;
    assert_eq!(a.objects, 54);
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
    assert_eq!(a.objects, 54);
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
