//! Benchmark: `ecsform plan -refresh=false` at scale, as a process.
//!
//! For 1,000, 10,000 and 50,000 resource instances (the generated cells of
//! `tests/it/support/generated.rs`: VPCs, subnets, route tables and associations, security groups
//! and rules, log groups, IAM roles and inline policies, in modules with `count` and
//! `for_each`), it writes the configuration, seeds a state holding every instance (planned
//! with the library from an empty state, unknown attributes filled with fake deterministic IDs,
//! repeated until the plan is empty — no AWS involved), then runs the release binary with
//! `-var gold_cells=N` so that exactly 1% of the instances (the log groups of the first tenth
//! of the cells) change their retention. It checks the plan says so, and reports the median
//! wall time and peak RSS of several runs.
//!
//! ```sh
//! cargo bench --bench plan_scale               # 1000, 10000, 50000
//! cargo bench --bench plan_scale -- 10000      # only these sizes
//! ```
//!
//! (`cargo test --all-targets` runs it once for 1,000 instances, as a check that it works.)
//! Seeded working directories are kept under `target/tmp/plan_scale/` and reused while their
//! configuration is unchanged; each run's command line is printed for profiling
//! (`perf record -g -- <command>`).

#[path = "support/process.rs"]
mod process;

#[path = "../tests/it/support/generated.rs"]
mod generated;

use std::collections::BTreeMap;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ecsform::aws;
use ecsform::aws::AwsEnv;
use ecsform::lang::Value;
use ecsform::ops::load::LoadOptions;
use ecsform::ops::{self, RunOptions};
use ecsform::plan::Action;
use ecsform::provider::AttrType;
use ecsform::state::{ResourceRecord, ResourceStatus, ResourceWrite, StateStore};

use process::{ecsform_binary, measuring, median, megabytes, positional_args, secs};

/// Instance counts measured by default.
const SIZES: &[usize] = &[1_000, 10_000, 50_000];
/// Measured runs per size (the median is reported).
const RUNS: usize = 5;
/// Seeding stops with an error after this many plan-and-write rounds.
const MAX_SEED_ROUNDS: usize = 10;
/// Bump when the seeding changes, so that cached states are rebuilt.
const SEED_VERSION: u32 = 1;

/// The targets of issue 6.
const TARGET_10K: Duration = Duration::from_millis(500);
const TARGET_10K_RSS: u64 = 300_000_000;
const TARGET_50K: Duration = Duration::from_secs(3);
const TARGET_RATIO: f64 = 12.0;

struct Measured {
    instances: usize,
    changed: usize,
    seed: Option<Duration>,
    wall: Duration,
    wall_min: Duration,
    cpu: Duration,
    max_rss: u64,
}

/// Set (to `CELLS:DIR`) when this benchmark runs itself to seed a state; see [`prepare`].
const SEED_ENV: &str = "ECSFORM_PLAN_SCALE_SEED";

fn main() {
    if let Ok(job) = std::env::var(SEED_ENV) {
        return seed_in_this_process(&job);
    }
    let bin = ecsform_binary();
    let sizes: Vec<usize> = match positional_args() {
        _ if !measuring() => vec![SIZES[0]],
        args if args.is_empty() => SIZES.to_vec(),
        args => args
            .iter()
            .map(|a| {
                a.parse()
                    .unwrap_or_else(|_| panic!("a size is a number of instances, not {a:?}"))
            })
            .collect(),
    };
    let mut results = Vec::new();
    for &instances in &sizes {
        assert!(
            instances % (generated::CELL_INSTANCES * 10) == 0,
            "a size must be a multiple of {} (cells of {} instances, 10% of them changed)",
            generated::CELL_INSTANCES * 10,
            generated::CELL_INSTANCES
        );
        let cells = instances / generated::CELL_INSTANCES;
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("plan_scale")
            .join(instances.to_string());
        let seed = prepare(&dir, cells);
        results.push(measure(&bin, &dir, instances, cells, seed));
    }
    print_table(&results);
}

/// Writes the configuration and seeds its state, unless `dir` already holds both for this
/// configuration. Returns how long seeding took, if it ran.
///
/// The seeding runs in a child process (this benchmark again, with [`SEED_ENV`] set): it
/// plans 10,000 instances in memory, and a process that grew that large would make every
/// measured run look as large — Linux starts the `ru_maxrss` of a child spawned with `vfork`
/// (as `Command` does) from its parent's peak.
fn prepare(dir: &Path, cells: usize) -> Option<Duration> {
    let staging = tempfile::tempdir().expect("temporary directory");
    generated::write_cells(staging.path(), cells);
    let fingerprint = format!("{SEED_VERSION}:{:016x}", hash_tree(staging.path()));
    let marker = dir.join(".seeded");
    if fs::read_to_string(&marker).ok().as_deref() == Some(fingerprint.as_str()) {
        eprintln!("reusing the seeded state in {}", dir.display());
        return None;
    }
    if dir.exists() {
        fs::remove_dir_all(dir).unwrap_or_else(|e| panic!("removing {}: {e}", dir.display()));
    }
    generated::write_cells(dir, cells);
    let start = Instant::now();
    let me = std::env::current_exe().expect("the benchmark's own path");
    let status = std::process::Command::new(&me)
        .env(SEED_ENV, format!("{cells}:{}", dir.display()))
        .status()
        .unwrap_or_else(|e| panic!("starting {} to seed: {e}", me.display()));
    assert!(
        status.success(),
        "seeding {} failed: {status}",
        dir.display()
    );
    let took = start.elapsed();
    fs::write(&marker, fingerprint).expect("writing the seed marker");
    eprintln!("seeded {} in {}", dir.display(), secs(took));
    Some(took)
}

/// The seeding child: `job` is `CELLS:DIR`, as [`prepare`] sets it.
fn seed_in_this_process(job: &str) {
    let (_, dir) = job
        .split_once(':')
        .unwrap_or_else(|| panic!("{SEED_ENV} is CELLS:DIR, not {job:?}"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(seed_state(Path::new(dir)));
}

/// Plans `dir` against its state and records every planned object, with fake values for what
/// only AWS would know, until the plan has nothing left to do. Each round settles one more
/// level of references (a subnet's `vpc_id` is unknown until the VPC has a recorded ID).
async fn seed_state(dir: &Path) {
    let opts = RunOptions {
        load: LoadOptions {
            dir: dir.to_path_buf(),
            vars: Vec::new(),
            env: Vec::new(),
        },
        state_path: dir.join(ecsform::state::DEFAULT_PATH),
        lock_timeout: Duration::ZERO,
        refresh: false,
        destroy: false,
        parallelism: 1,
        command: "plan",
        targets: Vec::new(),
        replace: Vec::new(),
        no_rolling: false,
        // The seeding plans in-process; keep the SDK from looking for an instance profile.
        aws_env: AwsEnv::vars(
            std::env::vars().chain([("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string())]),
        ),
    };
    for round in 1..=MAX_SEED_ROUNDS {
        let planned = match ops::plan(&opts).await {
            Ok(p) => p,
            Err((diags, _)) => panic!("seeding plan failed: {diags:?}"),
        };
        let mut records = Vec::new();
        for c in &planned.plan.changes {
            let after = match (c.action, &c.after) {
                (Action::NoOp, _) => continue,
                (Action::Create | Action::Update, Some(after))
                | (Action::DeleteThenCreate | Action::CreateThenDelete, Some(after)) => after,
                (action, _) => panic!("seeding does not expect {action:?} for {}", c.addr),
            };
            let type_name = &c.addr.resource.type_name;
            let address = c.addr.to_string();
            let filled = fill_unknowns(type_name, &address, after);
            let attributes = filled.to_json().expect("every unknown is filled");
            records.push(ResourceRecord {
                id: attributes
                    .get("id")
                    .and_then(|v| v.as_str())
                    .map(String::from),
                address,
                mode: "managed".into(),
                type_name: type_name.clone(),
                module_path: c.addr.module.to_string(),
                index_key: ecsform::state::index_key_json(&c.addr.key),
                attributes,
                dependencies: c.dependencies.iter().map(ToString::to_string).collect(),
                status: ResourceStatus::Ready,
                schema_version: aws::resource_type(type_name)
                    .map(|t| t.schema().version)
                    .unwrap_or(1),
                sensitive_paths: vec![],
            });
        }
        let outputs: Vec<(String, serde_json::Value, bool)> = planned
            .plan
            .outputs
            .iter()
            .filter_map(|o| Some((o.name.clone(), o.after.as_ref()?.to_json()?, o.sensitive)))
            .collect();
        drop(planned); // releases the lock
        let state_path = &opts.state_path;
        let mut state = StateStore::open(state_path)
            .unwrap_or_else(|e| panic!("opening {}: {e}", state_path.display()));
        if records.is_empty() {
            state.set_outputs(&outputs).expect("writing outputs");
            eprintln!("  seeding settled after {round} rounds");
            return;
        }
        eprintln!("  round {round}: recording {} objects", records.len());
        let writes: Vec<ResourceWrite> = records
            .iter()
            .map(|r| ResourceWrite {
                record: r,
                action: "create",
                before: None,
            })
            .collect();
        state.put_resources(&writes).expect("writing the state");
    }
    panic!("seeding did not settle in {MAX_SEED_ROUNDS} rounds");
}

/// `after` with every unknown attribute replaced by a deterministic fake of its type: the same
/// address and attribute always get the same value, so that rounds of seeding settle.
fn fill_unknowns(type_name: &str, address: &str, after: &Value) -> Value {
    let schema = aws::resource_type(type_name)
        .unwrap_or_else(|| panic!("{type_name} is not a resource type"))
        .schema();
    let Some(attrs) = after.as_map() else {
        panic!("{address}: planned value is not an object")
    };
    let filled = attrs
        .iter()
        .map(|(name, v)| {
            let ty = schema.attribute(name).map(|a| a.ty);
            (
                name.clone(),
                fill(v, ty, &format!("{address}.{name}"), name),
            )
        })
        .collect();
    Value::Map(filled)
}

fn fill(v: &Value, ty: Option<AttrType>, path: &str, name: &str) -> Value {
    match v {
        Value::Unknown => fake(ty, path, name),
        Value::Sensitive(inner) => Value::Sensitive(Box::new(fill(inner, ty, path, name))),
        Value::List(items) => Value::List(fill_items(items, path)),
        Value::Set(items) => Value::Set(fill_items(items, path)),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), fill(v, None, &format!("{path}.{k}"), k)))
                .collect(),
        ),
        known => known.clone(),
    }
}

fn fill_items(items: &[Value], path: &str) -> Vec<Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| fill(v, None, &format!("{path}[{i}]"), ""))
        .collect()
}

fn fake(ty: Option<AttrType>, path: &str, name: &str) -> Value {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    let hash = h.finish();
    match ty {
        Some(AttrType::Number) => Value::Number((hash % 1000) as f64),
        Some(AttrType::Bool) => Value::Bool(false),
        Some(AttrType::StringList | AttrType::StringSet | AttrType::NumberList) => {
            Value::List(Vec::new())
        }
        Some(AttrType::StringMap) => Value::Map(BTreeMap::new()),
        _ if name == "arn" || name.ends_with("_arn") => Value::String(format!(
            "arn:aws:fake:eu-west-1:123456789012:{name}/{hash:016x}"
        )),
        _ => Value::String(format!("fake-{hash:016x}")),
    }
}

/// Runs the plan `RUNS` times and checks that it changes exactly the expected instances.
fn measure(
    bin: &Path,
    dir: &Path,
    instances: usize,
    cells: usize,
    seed: Option<Duration>,
) -> Measured {
    let changed = instances / 100;
    let args = vec![
        format!("-chdir={}", dir.display()),
        "plan".to_string(),
        "-refresh=false".to_string(),
        "-no-color".to_string(),
        format!("-var=gold_cells={}", cells / 10),
    ];
    eprintln!("{} {}", bin.display(), args.join(" "));
    let env = vec![("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string())];
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut rss = Vec::new();
    let runs = if measuring() { RUNS } else { 1 };
    for _ in 0..runs {
        let run = process::run(bin, &args, &env);
        assert_eq!(run.code, 0, "plan failed:\n{}{}", run.stdout, run.stderr);
        check_plan(&run.stdout, changed);
        walls.push(run.wall);
        cpus.push(run.cpu);
        rss.push(run.max_rss);
    }
    Measured {
        instances,
        changed,
        seed,
        wall: median(&walls),
        wall_min: *walls.iter().min().expect("at least one run"),
        cpu: median(&cpus),
        max_rss: median(&rss),
    }
}

/// The plan must update exactly `changed` log groups and do nothing else, or the benchmark
/// would not measure what it claims.
fn check_plan(stdout: &str, changed: usize) {
    let summary = format!("Plan: 0 to add, {changed} to change, 0 to destroy.");
    assert!(
        stdout.contains(&summary),
        "expected {summary:?} in the plan; it ends with:\n{}",
        tail(stdout)
    );
    let updated: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("# ") && l.ends_with(" will be updated in-place"))
        .collect();
    assert_eq!(updated.len(), changed, "{}", tail(stdout));
    assert!(
        updated
            .iter()
            .all(|l| l.contains(".aws_cloudwatch_log_group.this ")),
        "only log groups change: {updated:?}"
    );
    assert!(
        !stdout.contains("changed outside of ecsform"),
        "the seeded state shows drift:\n{}",
        tail(stdout)
    );
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

fn print_table(results: &[Measured]) {
    println!();
    println!("plan -refresh=false, {RUNS} runs each (median; min), 1% of the instances changed");
    println!();
    println!(
        "| instances | changed | wall (median) | wall (min) | CPU (median) | peak RSS | seeding |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in results {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.instances,
            r.changed,
            secs(r.wall),
            secs(r.wall_min),
            secs(r.cpu),
            megabytes(r.max_rss),
            r.seed.map(secs).unwrap_or_else(|| "cached".into()),
        );
    }
    println!();
    let find = |n: usize| results.iter().find(|r| r.instances == n);
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    if let Some(r) = find(10_000) {
        println!(
            "10,000: {} (target ≤ {}) {}; {} (target ≤ {}) {}",
            secs(r.wall),
            secs(TARGET_10K),
            verdict(r.wall <= TARGET_10K),
            megabytes(r.max_rss),
            megabytes(TARGET_10K_RSS),
            verdict(r.max_rss <= TARGET_10K_RSS)
        );
    }
    if let Some(r) = find(50_000) {
        println!(
            "50,000: {} (target ≤ {}) {}",
            secs(r.wall),
            secs(TARGET_50K),
            verdict(r.wall <= TARGET_50K)
        );
    }
    if let (Some(small), Some(large)) = (find(1_000), find(10_000)) {
        let ratio = large.wall.as_secs_f64() / small.wall.as_secs_f64();
        println!(
            "time ratio 10,000 / 1,000: {ratio:.1} (target ≤ {TARGET_RATIO}) {}",
            verdict(ratio <= TARGET_RATIO)
        );
    }
    if let (Some(small), Some(large)) = (find(10_000), find(50_000)) {
        let ratio = large.wall.as_secs_f64() / small.wall.as_secs_f64();
        println!("time ratio 50,000 / 10,000: {ratio:.1} (linear: 5)");
    }
}

/// A hash of every file below `dir` (relative path and content).
fn hash_tree(dir: &Path) -> u64 {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("reading the staging directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.strip_prefix(dir).expect("below dir").hash(&mut h);
        fs::read(&f).expect("reading a generated file").hash(&mut h);
    }
    h.finish()
}
