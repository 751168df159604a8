//! Benchmark: the AWS API calls of a refresh. Against moto (the AWS emulator of the tests,
//! with its request recorder), it applies a stack with the release binary, then records the
//! calls of `ecsform plan` (which refreshes every object) and reports them per API action,
//! in total, and the plan's wall time. Two stacks:
//!
//! * **worst** (`tests/it/support/generated.rs::write_stack`): 20 groups of 21 types — VPCs,
//!   subnets, gateways, routes, security groups and rules, log groups, IAM roles, inline and
//!   managed policies, attachments and instance profiles, launch templates, target groups, SNS
//!   topics, EventBridge rules and targets, ECS clusters and task definitions — 495 instances,
//!   one or two of each type per group: as many objects as possible of the types AWS reads
//!   one object per call.
//! * **ecs** (`write_ecs_stack`): the example's own modules (`modules/vpc`, `ecs_instances`,
//!   `alb`, `ecs_events`) wired as `examples/ecs.tf` wires them, scaled up: a VPC over six
//!   zones with NAT gateways, 15 instance groups, each with a security group and rules for its
//!   services and, per service, a log group and a task role with its inline policy — 520
//!   instances of 24 types.
//! * **types** (`write_types_stack`): every other resource type, as the import test applies it
//!   (`tests/fixtures/import/extra`), repeated as a module; measured with one group and with
//!   [`TYPES_GROUPS`], and reported per action as calls per group: an action whose count grows
//!   with the groups reads one object (or one parent) per call, which is AWS's floor for that
//!   type where it has no batch read.
//!
//! ```sh
//! cargo bench --bench refresh_calls                # both stacks
//! cargo bench --bench refresh_calls -- worst 4     # 4 groups of the worst case: 100 instances
//! cargo bench --bench refresh_calls -- ecs 5       # 5 instance groups: 220 instances
//! cargo bench --bench refresh_calls -- types 4     # 1 and 4 groups of every other type
//! REFRESH_BENCH_BASELINE=/tmp/ecsform-old cargo bench --bench refresh_calls
//! ```
//!
//! With `REFRESH_BENCH_BASELINE` set to another `ecsform` binary, each measured plan is
//! followed by the same plan with that binary, on the same applied stack, and the report adds
//! its median wall time and the ratio: an A/B comparison measured in one run.

#[path = "support/process.rs"]
mod process;

#[path = "../tests/it/support/generated.rs"]
mod generated;

#[path = "../tests/it/support/moto.rs"]
mod moto;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use process::{ecsform_binary, measuring, median, positional_args, secs};

/// Groups of the worst-case stack applied by default.
const WORST_GROUPS: usize = 20;
/// Instance groups of the realistic stack applied by default (moto lists at most 15 launch
/// templates, one a group).
const ECS_GROUPS: usize = 15;
/// Groups of the every-other-type stack measured next to one group.
const TYPES_GROUPS: usize = 5;
/// Measured plans (the median wall time is reported; the calls of the first are listed).
const RUNS: usize = 3;
/// The target of issue 6 for 500 instances.
const TARGET_CALLS: usize = 40;

#[derive(Clone, Copy, Debug)]
enum Stack {
    /// The worst case, with this many groups.
    Worst(usize),
    /// The example's modules, with this many instance groups.
    Ecs(usize),
    /// Every other resource type, this many times.
    Types(usize),
}

impl Stack {
    fn name(self) -> &'static str {
        match self {
            Stack::Worst(_) => "worst case (generated)",
            Stack::Ecs(_) => "ECS example's modules",
            Stack::Types(_) => "every other type",
        }
    }

    fn instances(self) -> usize {
        match self {
            Stack::Worst(g) => generated::stack_instances(g),
            Stack::Ecs(c) => generated::ecs_stack_instances(c),
            Stack::Types(g) => g * generated::types_group_instances(),
        }
    }

    fn write(self, dir: &Path) {
        match self {
            Stack::Worst(g) => generated::write_stack(dir, g, "bench"),
            Stack::Ecs(c) => generated::write_ecs_stack(dir, c, "rc"),
            Stack::Types(g) => generated::write_types_stack(dir, g, "ty"),
        }
    }
}

/// What one stack's refresh cost.
struct Measured {
    stack: Stack,
    types: usize,
    actions: Vec<String>,
    apply: Duration,
    plan: Duration,
    /// The same plan with `REFRESH_BENCH_BASELINE`'s binary, when set.
    baseline: Option<Duration>,
}

/// The binary to compare with (`REFRESH_BENCH_BASELINE`), if any.
fn baseline_binary() -> Option<std::path::PathBuf> {
    let path = std::path::PathBuf::from(std::env::var_os("REFRESH_BENCH_BASELINE")?);
    assert!(
        path.is_file(),
        "REFRESH_BENCH_BASELINE names no file: {}",
        path.display()
    );
    Some(path)
}

fn stacks() -> Vec<Stack> {
    let args = positional_args();
    let count = |default: usize| match args.get(1) {
        Some(n) => n
            .parse()
            .unwrap_or_else(|_| panic!("the second argument is a number, not {n:?}")),
        None => default,
    };
    match args.first().map(String::as_str) {
        Some("worst") => vec![Stack::Worst(count(WORST_GROUPS))],
        Some("ecs") => vec![Stack::Ecs(count(ECS_GROUPS))],
        Some("types") => vec![Stack::Types(1), Stack::Types(count(TYPES_GROUPS))],
        Some(other) => panic!("the first argument is `worst`, `ecs` or `types`, not {other:?}"),
        None if measuring() => vec![
            Stack::Worst(WORST_GROUPS),
            Stack::Ecs(ECS_GROUPS),
            Stack::Types(1),
            Stack::Types(TYPES_GROUPS),
        ],
        // Under `cargo test`: one group, as a check that the benchmark works.
        None => vec![Stack::Worst(1)],
    }
}

fn main() {
    let m = moto::moto();
    let _guard = moto::exclusive();
    let results: Vec<Measured> = stacks()
        .into_iter()
        .map(|s| {
            m.reset();
            measure(m, s)
        })
        .collect();
    for r in &results {
        report_actions(r);
    }
    per_group(&results);
    summary(&results);
}

fn measure(m: &moto::Moto, stack: Stack) -> Measured {
    let instances = stack.instances();
    let bin = ecsform_binary();
    let env = m.env();
    let work = tempfile::tempdir().expect("temporary directory");
    let dir = work.path();
    stack.write(dir);
    let chdir = format!("-chdir={}", dir.display());

    eprintln!(
        "{}: applying {instances} instances to moto...",
        stack.name()
    );
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
    let types = managed_types(&bin, &chdir, &env);

    let plan_args = [
        chdir,
        "plan".into(),
        "-no-color".into(),
        "-detailed-exitcode".into(),
    ];
    let mut walls = Vec::new();
    let mut baseline_walls = Vec::new();
    let baseline = baseline_binary();
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
        if let Some(b) = &baseline {
            let run = process::run(b, &plan_args, &env);
            assert_eq!(
                run.code, 0,
                "the baseline's plan must find no changes (exit 0):\n{}\n{}",
                run.stdout, run.stderr
            );
            baseline_walls.push(run.wall);
        }
    }
    Measured {
        stack,
        types,
        actions: first_actions.expect("at least one run"),
        apply: apply_time,
        plan: median(&walls),
        baseline: (!baseline_walls.is_empty()).then(|| median(&baseline_walls)),
    }
}

/// The number of resource types in the state (from `ecsform state list`).
fn managed_types(bin: &Path, chdir: &str, env: &[(String, String)]) -> usize {
    let list = process::run(
        bin,
        &[chdir.to_string(), "state".into(), "list".into()],
        env,
    );
    assert_eq!(list.code, 0, "state list: {}", list.stderr);
    list.stdout
        .lines()
        .filter_map(|address| {
            address
                .split('.')
                .find(|segment| segment.starts_with("aws_"))
                .map(String::from)
        })
        .collect::<BTreeSet<_>>()
        .len()
}

fn report_actions(r: &Measured) {
    let mut per_action: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &r.actions {
        *per_action.entry(a.as_str()).or_default() += 1;
    }
    println!();
    println!(
        "{}: plan (refresh) of {} instances of {} resource types on moto (applied in {})",
        r.stack.name(),
        r.stack.instances(),
        r.types,
        secs(r.apply)
    );
    println!();
    println!("| API action | calls |");
    println!("| --- | ---: |");
    for (action, n) in &per_action {
        println!("| {action} | {n} |");
    }
    println!("| **total** | **{}** |", r.actions.len());
}

/// For the every-other-type stack measured at one group and at more: each action's calls at
/// both sizes and its growth per added group (0: one batched call whatever the size).
fn per_group(results: &[Measured]) {
    let types: Vec<&Measured> = results
        .iter()
        .filter(|r| matches!(r.stack, Stack::Types(_)))
        .collect();
    let (Some(one), Some(many)) = (
        types.iter().find(|r| matches!(r.stack, Stack::Types(1))),
        types.iter().find(|r| !matches!(r.stack, Stack::Types(1))),
    ) else {
        return;
    };
    let Stack::Types(groups) = many.stack else {
        return;
    };
    let count = |r: &Measured| {
        let mut per: BTreeMap<String, usize> = BTreeMap::new();
        for a in &r.actions {
            *per.entry(a.clone()).or_default() += 1;
        }
        per
    };
    let (at_one, at_many) = (count(one), count(many));
    let actions: BTreeSet<&String> = at_one.keys().chain(at_many.keys()).collect();
    println!();
    println!(
        "every other type: calls per action with 1 group ({} instances) and {groups} groups ({} instances)",
        one.stack.instances(),
        many.stack.instances()
    );
    println!();
    println!("| API action | 1 group | {groups} groups | per added group |");
    println!("| --- | ---: | ---: | ---: |");
    for a in actions {
        let (x, y) = (
            at_one.get(a).copied().unwrap_or(0),
            at_many.get(a).copied().unwrap_or(0),
        );
        println!(
            "| {a} | {x} | {y} | {:.1} |",
            (y as f64 - x as f64) / (groups - 1) as f64
        );
    }
    println!(
        "| **total** | **{}** | **{}** | **{:.1}** |",
        one.actions.len(),
        many.actions.len(),
        (many.actions.len() as f64 - one.actions.len() as f64) / (groups - 1) as f64
    );
}

fn summary(results: &[Measured]) {
    println!();
    println!(
        "| stack | instances | types | calls | plan wall time (median of {}) | Terraform's AWS provider |",
        if measuring() { RUNS } else { 1 }
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for r in results {
        let instances = r.stack.instances();
        println!(
            "| {} | {instances} | {} | {} | {} | ≥ {instances} (one or more per instance) |",
            r.stack.name(),
            r.types,
            r.actions.len(),
            secs(r.plan)
        );
    }
    for r in results {
        if let Some(b) = r.baseline {
            println!(
                "{}: plan {} with this binary, {} with the baseline (REFRESH_BENCH_BASELINE): {:.2}x",
                r.stack.name(),
                secs(r.plan),
                secs(b),
                b.as_secs_f64() / r.plan.as_secs_f64()
            );
        }
    }
    println!();
    for r in results.iter().filter(|r| matches!(r.stack, Stack::Ecs(_))) {
        println!(
            "{}: {} calls for {} instances (target ≤ {TARGET_CALLS} for about 500): {}",
            r.stack.name(),
            r.actions.len(),
            r.stack.instances(),
            if r.actions.len() <= TARGET_CALLS {
                "ok"
            } else {
                "MISSED"
            }
        );
    }
}
