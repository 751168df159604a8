//! Benchmark: the AWS API calls of a refresh. Against moto (the AWS emulator of the tests,
//! with its request recorder), it applies the generated stack of `tests/support/generated.rs`
//! (495 instances of 21 types: VPCs, subnets, gateways, routes, security groups and rules, log
//! groups, IAM roles, policies, attachments and instance profiles, launch templates, target
//! groups, SNS topics, EventBridge rules and targets, ECS clusters and task definitions) with
//! the release binary, then records the calls of `ecsform plan` (which refreshes every object)
//! and reports them per API action, in total, and the plan's wall time.
//!
//! ```sh
//! cargo bench --bench refresh_calls            # 20 groups: 495 instances
//! cargo bench --bench refresh_calls -- 4       # 4 groups: 100 instances
//! ```

#[path = "support/process.rs"]
mod process;

#[path = "../tests/support/generated.rs"]
mod generated;

#[path = "../tests/support/moto.rs"]
mod moto;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use process::{ecsform_binary, measuring, median, positional_args, secs};

/// Groups of [`generated::STACK_GROUP_INSTANCES`] instances applied by default.
const GROUPS: usize = 20;
/// Measured plans (the median wall time is reported; the calls of the first are listed).
const RUNS: usize = 3;
/// The target of issue 6 for 500 instances.
const TARGET_CALLS: usize = 40;

fn main() {
    let groups = match positional_args().first() {
        Some(n) => n
            .parse()
            .unwrap_or_else(|_| panic!("the argument is a number of groups, not {n:?}")),
        None if measuring() => GROUPS,
        // Under `cargo test`: one group, as a check that the benchmark works.
        None => 1,
    };
    let instances = generated::stack_instances(groups);
    let bin = ecsform_binary();
    let m = moto::moto();
    let _guard = moto::exclusive();
    let env = m.env();
    let work = tempfile::tempdir().expect("temporary directory");
    let dir = work.path();
    generated::write_stack(dir, groups, "bench");
    let chdir = format!("-chdir={}", dir.display());

    eprintln!("applying {instances} instances to moto...");
    let start = Instant::now();
    let apply = process::run(
        &bin,
        &[
            chdir.clone(),
            "apply".into(),
            "-no-color".into(),
            "-auto-approve".into(),
        ],
        &env,
    );
    assert_eq!(
        apply.code,
        0,
        "apply failed:\n{}\n{}\n{}",
        apply.stdout,
        apply.stderr,
        m.log_tail()
    );
    assert!(
        apply
            .stdout
            .contains(&format!("Apply complete! Resources: {instances} added")),
        "{}",
        apply.stdout
    );
    let apply_time = start.elapsed();

    let plan_args = [
        chdir,
        "plan".into(),
        "-no-color".into(),
        "-detailed-exitcode".into(),
    ];
    let mut walls = Vec::new();
    let mut first_actions = None;
    let runs = if measuring() { RUNS } else { 1 };
    for _ in 0..runs {
        m.reset_recording();
        m.recorder_start();
        let run = process::run(&bin, &plan_args, &env);
        m.recorder_stop();
        assert_eq!(
            run.code, 0,
            "the plan after apply must find no changes (exit 0):\n{}\n{}",
            run.stdout, run.stderr
        );
        walls.push(run.wall);
        first_actions.get_or_insert_with(|| m.recorded_actions());
    }
    let actions = first_actions.expect("at least one run");
    report(instances, &actions, apply_time, median(&walls));
}

fn report(instances: usize, actions: &[String], apply_time: Duration, plan: Duration) {
    let mut per_action: BTreeMap<&str, usize> = BTreeMap::new();
    for a in actions {
        *per_action.entry(a.as_str()).or_default() += 1;
    }
    let types = generated::STACK_TYPES.len();
    println!();
    println!(
        "plan (refresh) of {instances} instances of {types} resource types on moto \
         (applied in {})",
        secs(apply_time)
    );
    println!();
    println!("| API action | calls |");
    println!("| --- | ---: |");
    for (action, n) in &per_action {
        println!("| {action} | {n} |");
    }
    println!("| **total** | **{}** |", actions.len());
    println!();
    println!(
        "calls: {} for {instances} instances (target ≤ {TARGET_CALLS} for 500) {}; \
         plan wall time (median): {}",
        actions.len(),
        if actions.len() <= TARGET_CALLS {
            "ok"
        } else {
            "MISSED"
        },
        secs(plan)
    );
}
