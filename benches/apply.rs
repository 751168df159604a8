//! Apply against the critical path (issue 6, benchmark 4).
//!
//! moto behind the fault proxy (`tests/it/support/proxy.rs`) with 100 ms added to every call and
//! NAT gateways and load balancers pending for 3 s after their creation. Two workloads:
//!
//! - **example**: `ecsform apply -auto-approve` of `examples/ecs.tf` (all four modules);
//! - **wide**: 300 independent resources (log groups, security groups, IAM roles).
//!
//! The lower bound comes from the plan's graph. A calibration apply with parallelism 1 and a
//! small latency (20 ms, so that calls made one after another do not overlap) records through
//! the proxy the AWS calls each instance's create makes, and how many of them had to wait for
//! the one before (`rounds`: the longest chain of calls that do not overlap; calls made
//! concurrently count once). Each instance then costs `rounds × latency`, plus the pending
//! time for NAT gateways and load balancers (the Describe call that finds them available is
//! one of the rounds). The bound is the longest path of those costs through the dependency
//! graph, no less than the total cost divided by the parallelism, and no less than what the
//! client-side rate limits (at AWS's published rates) allow: for each bucket, the earliest
//! its calls can start, its refill time for the calls beyond its burst, and the shortest work
//! that must follow its last call. ecsform's own time, and
//! moto's, count against ecsform: the bound has none. After every reset of moto, each service
//! is called once directly, so that moto's lazy set-up (e.g. of the default VPC, which AWS
//! accounts have already) is not timed.
//!
//! Then `ecsform apply -auto-approve` runs as a process (the release binary) several times
//! against a freshly reset moto; the table shows the median wall time, the bound and their
//! ratio (target ≤ 1.2), and the ratio to the critical path alone.
//!
//! `cargo bench --bench apply`. Environment: `ECSFORM_RATE_LIMIT_SCALE=off` measures without
//! the client-side rate limits (and a bound without them); `APPLY_BENCH_RUNS` (default 3) runs per
//! workload; `APPLY_BENCH_WIDE` (default 300) instances in the wide configuration;
//! `APPLY_BENCH_TRACE=1` also prints, per instance of a traced library apply, when it
//! started and ended against when it could have.

#[path = "../tests/it/support/moto.rs"]
mod moto;
#[path = "../tests/it/support/proxy.rs"]
mod proxy;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ecsform::addrs::ResourceInstanceAddr;
use ecsform::apply::{ApplyHooks, Phase};
use ecsform::aws::error::ApiError;
use ecsform::aws::AwsEnv;
use ecsform::config::inputs::VarArg;
use ecsform::ops::load::LoadOptions;
use ecsform::ops::{self, RunOptions};
use ecsform::plan::{Action, Plan};
use proxy::{Faults, Proxy};

/// Added to every AWS call.
const LATENCY: Duration = Duration::from_millis(100);
/// How long NAT gateways and load balancers stay pending after their creation.
const PENDING: Duration = Duration::from_secs(3);
/// The types that stay pending (and whose creates wait for them).
const PENDING_TYPES: &[&str] = &["aws_nat_gateway", "aws_lb"];
/// The latency of the calibration run.
const CAL_LATENCY: Duration = Duration::from_millis(20);
/// ecsform's default `-parallelism`.
const PARALLELISM: usize = 10;

fn main() {
    // `cargo test --all-targets` runs this without `--bench`: then one run of a small wide
    // configuration, as a check that the benchmark still works, not a measurement.
    let measuring = std::env::args().any(|a| a == "--bench");
    let runs = if measuring {
        env_number("APPLY_BENCH_RUNS", 3)
    } else {
        1
    };
    let wide = if measuring {
        env_number("APPLY_BENCH_WIDE", 300)
    } else {
        12
    };
    let trace = std::env::var_os("APPLY_BENCH_TRACE").is_some();
    let only = if measuring {
        std::env::var("APPLY_BENCH_ONLY").ok()
    } else {
        Some("wide".to_string())
    };

    // The client-side rate limits at AWS's published rates, as against AWS (the test suite
    // runs them ten times faster): the bound includes what they imply. With
    // ECSFORM_RATE_LIMIT_SCALE=off in the environment, apply runs without them, and the
    // bound leaves them out.
    let rate_limits = !std::env::var("ECSFORM_RATE_LIMIT_SCALE")
        .is_ok_and(|v| v.trim().eq_ignore_ascii_case("off"));
    let scale = if rate_limits { "1" } else { "off" };
    let moto = moto::moto();
    let proxy = Proxy::start(moto.port(), Faults::default());
    // ecsform (the library and the process alike) finds AWS through the environment: the
    // process's own with these on top.
    let mut env = moto::env_for(&proxy.endpoint);
    env.retain(|(k, _)| k != "ECSFORM_RATE_LIMIT_SCALE");
    env.push(("ECSFORM_RATE_LIMIT_SCALE".to_string(), scale.to_string()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let ami = rt.block_on(moto_ami(&proxy));
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let workloads = [
        Workload::example(tmp.path(), &ami),
        Workload::wide(tmp.path(), wide),
    ];
    let bench = Bench {
        moto,
        proxy: &proxy,
        env: &env,
        rt: &rt,
        rate_limits,
    };
    let rows: Vec<Row> = workloads
        .iter()
        .filter(|w| only.as_ref().is_none_or(|o| *o == w.name))
        .map(|w| bench.workload(w, runs, trace))
        .collect();
    print_table(&rows, runs);
}

/// What the benchmark runs against.
struct Bench<'a> {
    moto: &'a moto::Moto,
    proxy: &'a Proxy,
    /// What ecsform's environment adds to the process's: the proxy as AWS, the rate limits.
    env: &'a [(String, String)],
    rt: &'a tokio::runtime::Runtime,
    /// Whether apply runs with the client-side rate limits (at AWS's rates).
    rate_limits: bool,
}

impl Bench<'_> {
    /// A freshly reset moto (warmed up), and a proxy that has forgotten everything.
    fn reset(&self, faults: Faults) {
        self.moto.reset();
        self.rt.block_on(warm_up(self.moto));
        self.proxy.forget_created();
        self.proxy.reset_stats();
        self.proxy.set_faults(faults);
    }

    /// Calibrates, computes the bound, (traces,) and measures `runs` applies of `w`.
    fn workload(&self, w: &Workload, runs: usize, trace: bool) -> Row {
        eprintln!("== {}: calibration (parallelism 1)", w.name);
        self.reset(Faults {
            latency: CAL_LATENCY,
            ..Faults::default()
        });
        let cal = self
            .rt
            .block_on(library_apply(w, self.proxy, self.env, 1, "calibration"));
        let bound = Bound::of(&cal, self.rate_limits);
        print_critical_path(&cal, &bound);
        let slow = Faults {
            latency: LATENCY,
            pending: PENDING,
            ..Faults::default()
        };
        if trace {
            self.reset(slow.clone());
            let traced = self.rt.block_on(library_apply(
                w,
                self.proxy,
                self.env,
                PARALLELISM,
                "traced",
            ));
            print_trace(&cal, &traced);
        }
        let mut walls = Vec::new();
        let mut calls = Vec::new();
        let mut moto_per_call = Vec::new();
        for run in 1..=runs {
            self.reset(slow.clone());
            let wall = w.run_cli(run, self.env);
            let n = self.proxy.stats().total();
            let moto_time: Duration = self.proxy.exchanges().iter().map(|e| e.upstream).sum();
            let per_call = moto_time / n.max(1) as u32;
            eprintln!(
                "   run {run}: {:.2} s, {n} calls, moto {:.1} ms per call",
                wall.as_secs_f64(),
                per_call.as_secs_f64() * 1000.0
            );
            walls.push(wall);
            calls.push(n);
            moto_per_call.push(per_call);
        }
        Row {
            name: w.name.clone(),
            instances: cal.plan.changes.len(),
            calls: median(&mut calls),
            moto_per_call: median(&mut moto_per_call),
            wall: median(&mut walls),
            bound,
        }
    }
}

/// One line of the table.
struct Row {
    name: String,
    instances: usize,
    calls: u64,
    moto_per_call: Duration,
    wall: Duration,
    bound: Bound,
}

fn print_table(rows: &[Row], runs: usize) {
    println!();
    println!(
        "apply through the fault proxy: +{} ms per call, NAT gateways and load balancers \
         pending {} s, parallelism {PARALLELISM}; median of {runs} runs",
        LATENCY.as_millis(),
        PENDING.as_secs()
    );
    println!(
        "{:<8} {:>9} {:>6} {:>10} {:>13} {:>13} {:>11} {:>8} {:>8} {:>6} {:>10}",
        "workload",
        "instances",
        "calls",
        "moto/call",
        "critical path",
        "work/parall.",
        "rate limits",
        "bound",
        "wall",
        "ratio",
        "wall/path"
    );
    for r in rows {
        eprintln!(
            "{}: slowest rate-limit bucket {}",
            r.name, r.bound.rate_bucket
        );
        println!(
            "{:<8} {:>9} {:>6} {:>7.1} ms {:>11.2} s {:>11.2} s {:>9.2} s {:>6.2} s {:>6.2} s {:>5.2}× {:>9.2}×",
            r.name,
            r.instances,
            r.calls,
            r.moto_per_call.as_secs_f64() * 1000.0,
            r.bound.path_cost.as_secs_f64(),
            r.bound.spread_cost.as_secs_f64(),
            r.bound.rate_cost.as_secs_f64(),
            r.bound.total().as_secs_f64(),
            r.wall.as_secs_f64(),
            r.wall.as_secs_f64() / r.bound.total().as_secs_f64(),
            r.wall.as_secs_f64() / r.bound.path_cost.as_secs_f64()
        );
    }
}

/// The critical path of the calibrated plan, instance by instance.
fn print_critical_path(cal: &Applied, bound: &Bound) {
    let on_path = |f: fn(&InstanceRun) -> u64| -> u64 {
        bound.path.iter().map(|a| f(&cal.instances[a])).sum()
    };
    let moto_time: Duration = bound.path.iter().map(|a| cal.instances[a].upstream).sum();
    let steps: Vec<String> = bound
        .path
        .iter()
        .map(|a| {
            let i = &cal.instances[a];
            format!("{a} ({} calls, {} rounds)", i.calls, i.rounds)
        })
        .collect();
    eprintln!(
        "   {} instances, {} calls; critical path {:.1} s ({} calls in {} rounds; moto's own \
         time on it {:.2} s):\n     {}",
        cal.plan.changes.len(),
        cal.instances.values().map(|i| i.calls).sum::<u64>(),
        bound.path_cost.as_secs_f64(),
        on_path(|i| i.calls),
        on_path(|i| i.rounds),
        moto_time.as_secs_f64(),
        steps.join("\n     → ")
    );
}

/// A configuration to apply.
struct Workload {
    name: String,
    dir: PathBuf,
    vars: Vec<VarArg>,
    /// The same variables as command-line flags.
    flags: Vec<String>,
}

impl Workload {
    /// `examples/ecs.tf` with `examples/ecs.tfvars`, next to a copy of `modules/`.
    fn example(tmp: &Path, ami: &str) -> Workload {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&repo.join("modules"), &tmp.join("modules"));
        let dir = tmp.join("examples");
        std::fs::create_dir_all(&dir).expect("creating the example directory");
        for f in ["ecs.tf", "ecs.tfvars"] {
            std::fs::copy(repo.join("examples").join(f), dir.join(f)).expect("copying examples");
        }
        let tfvars = dir.join("ecs.tfvars");
        // moto has no ECS-optimised AMI: use one it knows.
        let ami_var = format!("ecs_ami_id={ami}");
        Workload {
            name: "example".into(),
            vars: vec![VarArg::File(tfvars.clone()), VarArg::Var(ami_var.clone())],
            flags: vec![
                format!("-var-file={}", tfvars.display()),
                "-var".into(),
                ami_var,
            ],
            dir,
        }
    }

    /// `n` independent instances: a third each of log groups, security groups and IAM roles.
    fn wide(tmp: &Path, n: usize) -> Workload {
        let dir = tmp.join("wide");
        std::fs::create_dir_all(&dir).expect("creating the wide configuration's directory");
        let (groups, sgs) = (n / 3, n / 3);
        let roles = n - groups - sgs;
        let config = format!(
            r#"provider "aws" {{
  region = "eu-west-1"
}}

resource "aws_cloudwatch_log_group" "wide" {{
  count             = {groups}
  name              = "/bench/wide/${{count.index}}"
  retention_in_days = 7
}}

resource "aws_security_group" "wide" {{
  count       = {sgs}
  name        = "wide-${{count.index}}"
  description = "apply benchmark"
}}

resource "aws_iam_role" "wide" {{
  count = {roles}
  name  = "wide-${{count.index}}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
}}
"#
        );
        std::fs::write(dir.join("main.tf"), config).expect("writing the wide configuration");
        Workload {
            name: "wide".into(),
            dir,
            vars: Vec::new(),
            flags: Vec::new(),
        }
    }

    fn state_path(&self, what: &str) -> PathBuf {
        self.dir.join(format!("{what}.sqlite"))
    }

    /// `ecsform apply -auto-approve` as a process; its wall time.
    fn run_cli(&self, run: usize, env: &[(String, String)]) -> Duration {
        let state = self.state_path(&format!("run-{run}"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecsform"));
        cmd.arg(format!("-chdir={}", self.dir.display()))
            .args(["apply", "-auto-approve", "-no-color"])
            .arg(format!("-state={}", state.display()))
            .args(&self.flags)
            .envs(env.iter().map(|(k, v)| (k, v)));
        let started = Instant::now();
        let out = cmd.output().expect("running ecsform");
        let wall = started.elapsed();
        if !out.status.success() {
            panic!(
                "ecsform apply failed ({}):\n{}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        wall
    }
}

/// What one instance's create did, seen from the hooks and the proxy. The calls are those
/// made between its start and its end: exactly its own with parallelism 1.
#[derive(Clone, Debug)]
struct InstanceRun {
    calls: u64,
    /// Those calls: (signing name, action).
    actions: Vec<(String, String)>,
    /// The longest chain of those calls in which each starts after the one before ended.
    rounds: u64,
    /// moto's time answering them.
    upstream: Duration,
    start: Duration,
    end: Duration,
}

/// An apply through the library with hooks that time each instance.
struct Applied {
    plan: Plan,
    instances: BTreeMap<ResourceInstanceAddr, InstanceRun>,
}

struct Recorder<'a> {
    proxy: &'a Proxy,
    started: Instant,
    /// Started instances: when, and how many exchanges the proxy had logged then.
    open: HashMap<ResourceInstanceAddr, (Duration, usize)>,
    done: BTreeMap<ResourceInstanceAddr, InstanceRun>,
    failures: Vec<String>,
}

impl ApplyHooks for Recorder<'_> {
    fn pre(&mut self, addr: &ResourceInstanceAddr, _: Phase) {
        let at = self.started.elapsed();
        self.open
            .insert(addr.clone(), (at, self.proxy.exchange_count()));
    }

    fn still(&mut self, _: &ResourceInstanceAddr, _: Phase, _: Duration) {}

    fn post(
        &mut self,
        addr: &ResourceInstanceAddr,
        _: Phase,
        outcome: Result<Option<&str>, &ApiError>,
        _: Duration,
    ) {
        let end = self.started.elapsed();
        let (start, before) = self.open.remove(addr).expect("post after pre");
        if let Err(e) = outcome {
            self.failures.push(format!("{addr}: {e}"));
        }
        let log = self.proxy.exchanges();
        let mine = &log[before.min(log.len())..];
        self.done.insert(
            addr.clone(),
            InstanceRun {
                calls: mine.len() as u64,
                actions: mine
                    .iter()
                    .map(|e| (e.service.clone(), e.action.clone()))
                    .collect(),
                rounds: rounds(mine),
                upstream: mine.iter().map(|e| e.upstream).sum(),
                start,
                end,
            },
        );
    }
}

/// Plans and applies `w` through the library with `parallelism`, timing every instance, in the
/// environment `env` (on top of the process's).
async fn library_apply(
    w: &Workload,
    proxy: &Proxy,
    env: &[(String, String)],
    parallelism: usize,
    what: &str,
) -> Applied {
    let opts = RunOptions {
        load: LoadOptions {
            dir: w.dir.clone(),
            vars: w.vars.clone(),
            env: Vec::new(),
        },
        state_path: w.state_path(what),
        lock_timeout: Duration::ZERO,
        refresh: true,
        destroy: false,
        parallelism,
        command: "apply",
        targets: Vec::new(),
        replace: Vec::new(),
        no_rolling: false,
        aws_env: AwsEnv::vars(
            std::env::vars()
                .filter(|(k, _)| !env.iter().any(|(name, _)| name == k))
                .chain(env.iter().cloned()),
        ),
    };
    let _ = std::fs::remove_file(&opts.state_path);
    let mut planned = match ops::plan(&opts).await {
        Ok(p) => p,
        Err((diags, _)) => panic!("planning {} failed: {diags:?}", w.name),
    };
    let mut rec = Recorder {
        proxy,
        started: Instant::now(),
        open: HashMap::new(),
        done: BTreeMap::new(),
        failures: Vec::new(),
    };
    let summary = ops::apply(&mut planned, parallelism, None, &mut rec).await;
    if summary.diags.has_errors() || !rec.failures.is_empty() {
        panic!(
            "{what} apply of {} failed: {:?} {:?}",
            w.name, rec.failures, summary.diags
        );
    }
    let creates = planned
        .plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .count();
    assert_eq!(rec.done.len(), creates, "every planned create ran");
    Applied {
        plan: planned.plan,
        instances: rec.done,
    }
}

/// The lower bound of an apply's wall time.
struct Bound {
    /// The longest path of instance costs through the dependency graph.
    path_cost: Duration,
    path: Vec<ResourceInstanceAddr>,
    /// All instance costs together, divided by the parallelism.
    spread_cost: Duration,
    /// The earliest end AWS's rate limits (ecsform's client-side buckets at AWS's published
    /// rates) allow, given when the calls can start: the slowest bucket (see [`rate_cost`]).
    rate_cost: Duration,
    /// That bucket.
    rate_bucket: String,
    /// The modelled cost of each instance.
    cost: BTreeMap<ResourceInstanceAddr, Duration>,
}

impl Bound {
    fn of(cal: &Applied, rate_limits: bool) -> Bound {
        let cost: BTreeMap<ResourceInstanceAddr, Duration> = cal
            .instances
            .iter()
            .map(|(addr, run)| (addr.clone(), model_cost(addr, run.rounds)))
            .collect();
        let deps: BTreeMap<&ResourceInstanceAddr, &Vec<ResourceInstanceAddr>> = cal
            .plan
            .changes
            .iter()
            .map(|c| (&c.addr, &c.dependencies))
            .collect();
        // The calibration ran one instance at a time in dependency order: by start, every
        // instance comes after its dependencies. The longest path ending at each instance,
        // and the instance before it on that path:
        let mut order: Vec<&ResourceInstanceAddr> = cal.instances.keys().collect();
        order.sort_by_key(|a| cal.instances[*a].start);
        let mut finish: BTreeMap<&ResourceInstanceAddr, (Duration, Option<&ResourceInstanceAddr>)> =
            BTreeMap::new();
        for a in order {
            let before = deps[a]
                .iter()
                .filter_map(|d| finish.get_key_value(d).map(|(d, (f, _))| (*f, *d)))
                .max();
            let (f, d) = before.map_or((Duration::ZERO, None), |(f, d)| (f, Some(d)));
            finish.insert(a, (f + cost[a], d));
        }
        let last = finish.iter().max_by_key(|(_, (f, _))| *f).map(|(a, _)| *a);
        let mut path = Vec::new();
        let mut at = last;
        while let Some(a) = at {
            path.push(a.clone());
            at = finish[a].1;
        }
        path.reverse();
        let path_cost = last.map(|a| finish[a].0).unwrap_or_default();
        let total: Duration = cost.values().sum();
        // When each instance can start at the earliest, and the longest path of work that
        // must follow it (its dependents').
        let ready: BTreeMap<&ResourceInstanceAddr, Duration> = finish
            .iter()
            .map(|(a, (f, _))| (*a, *f - cost[*a]))
            .collect();
        let mut tail: BTreeMap<&ResourceInstanceAddr, Duration> = BTreeMap::new();
        let mut by_start: Vec<&ResourceInstanceAddr> = cal.instances.keys().collect();
        by_start.sort_by_key(|a| cal.instances[*a].start);
        for a in by_start.into_iter().rev() {
            let after = deps
                .iter()
                .filter(|(_, ds)| ds.contains(a))
                .filter_map(|(d, _)| Some(*cost.get(*d)? + *tail.get(*d)?))
                .max()
                .unwrap_or_default();
            tail.insert(a, after);
        }
        let (rate_cost, rate_bucket) = if rate_limits {
            rate_cost(cal, &ready, &tail)
        } else {
            (
                Duration::ZERO,
                "none (ECSFORM_RATE_LIMIT_SCALE=off)".to_string(),
            )
        };
        Bound {
            path_cost,
            path,
            spread_cost: total / PARALLELISM as u32,
            rate_cost,
            rate_bucket,
            cost,
        }
    }

    fn total(&self) -> Duration {
        self.path_cost.max(self.spread_cost).max(self.rate_cost)
    }
}

/// The earliest end the client-side rate limits allow. For each bucket: its calls cannot start
/// before the first instance making them can (`ready`); the calls beyond its burst then need
/// their share of its refill rate; the last call takes one call's latency; and the instance
/// that made it is followed by at least the shortest `tail` of work among the bucket's users.
/// Any apply that keeps to the limits ends no sooner; the slowest bucket, and its name.
fn rate_cost(
    cal: &Applied,
    ready: &BTreeMap<&ResourceInstanceAddr, Duration>,
    tail: &BTreeMap<&ResourceInstanceAddr, Duration>,
) -> (Duration, String) {
    use ecsform::aws::ratelimit::limits::{buckets, service};
    struct Use {
        calls: f64,
        capacity: f64,
        refill: f64,
        first: Duration,
        shortest_tail: Duration,
    }
    let mut per_bucket: BTreeMap<(&str, String), Use> = BTreeMap::new();
    for (addr, run) in &cal.instances {
        let (Some(&at), Some(&after)) = (ready.get(addr), tail.get(addr)) else {
            continue;
        };
        for (signing, action) in &run.actions {
            let svc = match signing.as_str() {
                "ec2" => service::EC2,
                "ecs" => service::ECS,
                "elasticloadbalancing" => service::ELBV2,
                "autoscaling" => service::AUTO_SCALING,
                "logs" => service::LOGS,
                "events" => service::EVENTS,
                "iam" => service::IAM,
                "sns" => service::SNS,
                "ssm" => service::SSM,
                "sts" => service::STS,
                _ => continue,
            };
            for b in buckets(svc, action) {
                let u = per_bucket.entry((svc, b.name.to_string())).or_insert(Use {
                    calls: 0.0,
                    capacity: b.limit.capacity,
                    refill: b.limit.refill_per_sec,
                    first: at,
                    shortest_tail: after,
                });
                u.calls += 1.0;
                u.first = u.first.min(at);
                u.shortest_tail = u.shortest_tail.min(after);
            }
        }
    }
    per_bucket
        .into_iter()
        .filter(|(_, u)| u.calls > u.capacity)
        .map(|((svc, name), u)| {
            let wait = Duration::from_secs_f64((u.calls - u.capacity) / u.refill);
            (
                u.first + wait + LATENCY + u.shortest_tail,
                format!(
                    "{svc} {name}: {} calls, the first possible at {:.2} s, then {:.2} s of \
                     refills and at least {:.2} s of work after the last",
                    u.calls,
                    u.first.as_secs_f64(),
                    wait.as_secs_f64(),
                    (LATENCY + u.shortest_tail).as_secs_f64()
                ),
            )
        })
        .max_by_key(|(d, _)| *d)
        .unwrap_or_else(|| {
            (
                Duration::ZERO,
                "none: no bucket gets more calls than its burst".to_string(),
            )
        })
}

/// The longest chain of exchanges in which each starts after the one before ended (the
/// greatest set of pairwise disjoint intervals: greedy by end).
fn rounds(exchanges: &[proxy::Exchange]) -> u64 {
    let mut spans: Vec<(Instant, Instant)> =
        exchanges.iter().map(|e| (e.arrived, e.ended)).collect();
    spans.sort_by_key(|&(_, end)| end);
    let mut n = 0;
    let mut free_from: Option<Instant> = None;
    for (start, end) in spans {
        if free_from.is_none_or(|f| start >= f) {
            n += 1;
            free_from = Some(end);
        }
    }
    n
}

/// An instance whose create makes `rounds` AWS calls one after another: each takes the
/// added latency; a NAT gateway or load balancer is also pending for a while, between its
/// create call and the Describe call that finds it available.
fn model_cost(addr: &ResourceInstanceAddr, rounds: u64) -> Duration {
    let pending = if PENDING_TYPES.contains(&addr.resource.type_name.as_str()) {
        PENDING
    } else {
        Duration::ZERO
    };
    LATENCY * rounds as u32 + pending
}

/// Per instance of a traced apply: when it could have started (its dependencies done), when
/// it started and ended, and its modelled cost — where the time went.
fn print_trace(cal: &Applied, traced: &Applied) {
    let bound = Bound::of(cal, false); // only its per-instance costs are shown
    let deps: BTreeMap<&ResourceInstanceAddr, &Vec<ResourceInstanceAddr>> = traced
        .plan
        .changes
        .iter()
        .map(|c| (&c.addr, &c.dependencies))
        .collect();
    let mut rows: Vec<_> = traced.instances.iter().collect();
    rows.sort_by_key(|(_, r)| r.start);
    eprintln!(
        "   {:>7} {:>7} {:>7} {:>6} {:>6}  instance",
        "ready", "start", "end", "took", "model"
    );
    for (addr, r) in rows {
        let ready = deps[addr]
            .iter()
            .filter_map(|d| traced.instances.get(d))
            .map(|d| d.end)
            .max()
            .unwrap_or_default();
        eprintln!(
            "   {:>7.2} {:>7.2} {:>7.2} {:>6.2} {:>6.2}  {addr} ({} calls; calibrated {} rounds)",
            ready.as_secs_f64(),
            r.start.as_secs_f64(),
            r.end.as_secs_f64(),
            (r.end - r.start).as_secs_f64(),
            bound.cost[addr].as_secs_f64(),
            r.calls,
            cal.instances[addr].rounds
        );
    }
}

/// One call to each service the workloads use, straight to moto: after a reset, moto sets up
/// a region's backend (the default VPC and its subnets, for EC2) on first use. Creates the
/// hosted zone the example expects to exist.
async fn warm_up(moto: &moto::Moto) {
    fn check<T, E: std::fmt::Debug>(what: &str, r: Result<T, E>) {
        if let Err(e) = r {
            panic!("warming up moto: {what}: {e:?}");
        }
    }
    let c = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&c);
    check("DescribeVpcs", ec2.describe_vpcs().send().await);
    let ecs = aws_sdk_ecs::Client::new(&c);
    check("ListClusters", ecs.list_clusters().send().await);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&c);
    check("DescribeLogGroups", logs.describe_log_groups().send().await);
    let iam = aws_sdk_iam::Client::new(&c);
    check("ListRoles", iam.list_roles().send().await);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
    check(
        "DescribeLoadBalancers",
        elb.describe_load_balancers().send().await,
    );
    let asg = aws_sdk_autoscaling::Client::new(&c);
    check(
        "DescribeAutoScalingGroups",
        asg.describe_auto_scaling_groups().send().await,
    );
    let sns = aws_sdk_sns::Client::new(&c);
    check("ListTopics", sns.list_topics().send().await);
    let events = aws_sdk_eventbridge::Client::new(&c);
    check("ListRules", events.list_rules().send().await);
    let acm = aws_sdk_acm::Client::new(&c);
    check("ListCertificates", acm.list_certificates().send().await);
    // The public hosted zone the example looks up (examples/ecs.tfvars' hosted_zone).
    let r53 = aws_sdk_route53::Client::new(&c);
    check(
        "CreateHostedZone",
        r53.create_hosted_zone()
            .name("example.com")
            .caller_reference(format!("bench-{}", std::process::id()))
            .send()
            .await,
    );
}

/// An AMI moto knows (it has no ECS-optimised one).
async fn moto_ami(proxy: &Proxy) -> String {
    let config = moto::sdk_config_for(&proxy.endpoint).await;
    let images = aws_sdk_ec2::Client::new(&config)
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("DescribeImages");
    images.images()[0]
        .image_id()
        .expect("an image id")
        .to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating a directory");
    for entry in std::fs::read_dir(from).expect("reading a directory") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copying a file");
        }
    }
}

fn median<T: Ord + Copy>(xs: &mut [T]) -> T {
    xs.sort();
    xs[xs.len() / 2]
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}
