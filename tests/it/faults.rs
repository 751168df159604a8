//! The example's apply against moto behind the fault proxy (`tests/it/support/proxy.rs`), with
//! `ecsform` as a child process, and what AWS holds audited through the SDK afterwards
//! (`tests/it/support/example.rs`: every object exactly once, nothing orphaned):
//!
//! * throttling past a rate: apply completes, its retry report matches the throttles the proxy
//!   answered, a second plan has no changes; with AWS's published rates on both sides,
//!   ecsform's client-side limits keep the throttles to (almost) none;
//! * HTTP 500/503, dropped connections, "not found" right after a create, lost answers — each,
//!   and all together: apply completes and converges, each object exists once;
//! * a permanent error fails fast (no retries), names the address and the AWS error code;
//!   what could finish is in state, and a rerun once the fault is lifted creates only what is
//!   missing.
//!
//! Every test prints its figures (retries, faults injected, wall time) to stderr: run with
//! `--nocapture` to see them.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ecsform::state::ResourceStatus;
use support::example::{
    apply_args, audit, example_dir, example_vars, records, run, Ran, EXAMPLE_OBJECTS,
};
use support::moto::{env_for, exclusive, moto};
use support::proxy::{Call, Failure, Faults, Outcome, Proxy, Stats, Throttle};

/// The example in a fresh directory, moto emptied, and a proxy in front of moto.
struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    vars: Vec<String>,
    proxy: Proxy,
    /// `ECSFORM_RATE_LIMIT_SCALE` for ecsform (the harness's default: 10).
    scale: String,
}

async fn setup(faults: Faults) -> Setup {
    moto().reset();
    let (_tmp, dir) = example_dir();
    let vars = example_vars().await;
    Setup {
        _tmp,
        dir,
        vars,
        proxy: Proxy::start(moto().port(), faults),
        scale: "10".to_string(),
    }
}

impl Setup {
    /// `ecsform COMMAND ARGS...` through the proxy.
    fn ecsform(&self, command: &str, args: &[String]) -> Command {
        let mut env = env_for(&self.proxy.endpoint);
        for (k, v) in env.iter_mut() {
            if k == "ECSFORM_RATE_LIMIT_SCALE" {
                *v = self.scale.clone();
            }
        }
        support::example::command(&self.dir, command, args, &env)
    }

    /// `apply -auto-approve` of the example; its output, how long it took, and what the proxy
    /// saw during it.
    fn apply(&self) -> (Ran, Duration, Stats) {
        self.proxy.reset_stats();
        let started = Instant::now();
        let out =
            tokio::task::block_in_place(|| run(self.ecsform("apply", &apply_args(&self.vars))));
        (out, started.elapsed(), self.proxy.stats())
    }

    /// `plan -detailed-exitcode`: 0 when AWS, state and configuration agree.
    fn plan(&self) -> Ran {
        let mut args = vec!["-detailed-exitcode".to_string()];
        args.extend(self.vars.iter().cloned());
        tokio::task::block_in_place(|| run(self.ecsform("plan", &args)))
    }

    /// Asserts that the state records the whole example, that AWS holds each of its objects
    /// exactly once and nothing else of this state's, and that a second plan (still through
    /// the faults) has nothing to do.
    async fn assert_converged(&self) {
        let a = audit(&self.dir).await;
        assert_eq!(a.objects, EXAMPLE_OBJECTS, "{a:?}");
        assert_eq!(
            (a.orphaned, a.duplicated, a.missing),
            (vec![], vec![], vec![]),
            "AWS and state disagree"
        );
        let plan = self.plan();
        assert_eq!(plan.code, Some(0), "{}\n{}", plan.stdout, plan.stderr);
    }
}

/// The proxy's exchanges in the order it decided on them: place, connection, action, what it
/// did, and when (ms after the first).
fn timeline(proxy: &Proxy) -> String {
    let mut log = proxy.exchanges();
    log.sort_by_key(|e| e.decision);
    let Some(start) = log.iter().map(|e| e.arrived).min() else {
        return "the proxy saw no request".into();
    };
    let mut out =
        String::from("proxy timeline (decision, connection, action, outcome, arrived ms):\n");
    for e in &log {
        out.push_str(&format!(
            "  #{:<4} conn {:<4} {:<32} {:<14} {:>7.0}\n",
            e.decision,
            e.connection,
            e.action,
            format!("{:?}", e.outcome),
            e.arrived.duration_since(start).as_secs_f64() * 1000.0
        ));
    }
    out
}

fn dump(out: &Ran) -> String {
    format!("--- stdout\n{}\n--- stderr\n{}", out.stdout, out.stderr)
}

/// The numbers of the apply's `AWS retried N requests (...)` line: (N, throttled, server
/// errors, timeouts or connection errors); zeros without the line.
fn retried(stdout: &str) -> (u64, u64, u64, u64) {
    let Some(line) = stdout.lines().find(|l| l.starts_with("AWS retried ")) else {
        return (0, 0, 0, 0);
    };
    let number_before = |what: &str| -> u64 {
        line.find(what)
            .map(|at| {
                let head = line[..at].trim_end();
                let digits: String = head
                    .chars()
                    .rev()
                    .take_while(char::is_ascii_digit)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                digits.parse().unwrap_or_else(|_| panic!("{line}"))
            })
            .unwrap_or(0)
    };
    let total = number_before(" request");
    let throttled = number_before(" throttled");
    let server = number_before(" server error");
    let transient = number_before(" timeout");
    assert_eq!(
        total,
        throttled + server + transient,
        "the parts do not add up: {line}"
    );
    (total, throttled, server, transient)
}

#[test]
fn the_retry_line_is_read_back() {
    let out = "Apply complete!\nAWS retried 12 requests (9 throttled: RequestLimitExceeded ×7, Throttling ×2; 2 server errors; 1 timeout or connection error).\n";
    assert_eq!(retried(out), (12, 9, 2, 1));
    assert_eq!(
        retried("AWS retried 1 request (1 server error)."),
        (1, 0, 1, 0)
    );
    assert_eq!(retried("Apply complete!"), (0, 0, 0, 0));
}

fn report(what: &str, took: Duration, stats: &Stats, stdout: &str) {
    let (total, throttled, server, transient) = retried(stdout);
    eprintln!(
        "{what}: apply {:.1}s, {} requests; proxy: {} throttled, {} errors, {} dropped, {} lost answers, {} not found; \
         ecsform: {total} retries ({throttled} throttled, {server} server errors, {transient} connection errors)",
        took.as_secs_f64(),
        stats.total(),
        stats.throttled,
        stats.errors,
        stats.dropped,
        stats.lost_responses,
        stats.not_found,
    );
}

// ---------------------------------------------------------------------------------------------
// Throttling.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_apply_completes_and_reports_every_retry() {
    let _moto = exclusive();
    let mut s = setup(Faults {
        throttle: Some(Throttle {
            rate: 8.0,
            burst: 8.0,
            per_service: true,
        }),
        ..Faults::default()
    })
    .await;
    // No client-side limits: the proxy's rate is what holds ecsform back.
    s.scale = "off".to_string();
    let (out, took, stats) = s.apply();
    report("throttled at 8/s per service", took, &stats, &out.stdout);
    assert_eq!(out.code, Some(0), "{}", dump(&out));
    assert!(stats.throttled > 0, "nothing was throttled: {stats:?}");
    let (_, throttled, server, transient) = retried(&out.stdout);
    // Each throttled answer is retried (the apply succeeded, so none was the last attempt),
    // and counted once.
    assert_eq!(throttled, stats.throttled, "{}", dump(&out));
    assert_eq!((server, transient), (0, 0), "{}", dump(&out));
    assert!(
        out.stdout.contains("throttled: "),
        "the retry line names the codes: {}",
        dump(&out)
    );
    s.assert_converged().await;
}

/// A configuration of many independent EC2 creates: 80 security groups in one VPC.
const WIDE: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.70.0.0/16"
}

resource "aws_security_group" "many" {
  count  = 80
  name   = "wide-${count.index}"
  vpc_id = aws_vpc.main.id
}
"#;

/// AWS's published EC2 throttling: a bucket per action, sized by the action's category
/// ("Request throttling for the Amazon EC2 API"; the categories of the actions this test's
/// configuration calls).
fn aws_ec2_rates(call: &Call) -> Option<(String, Throttle)> {
    if call.service != "ec2" {
        return None;
    }
    let a = call.action.as_str();
    let (burst, rate) = match a {
        "CreateTags" | "DeleteTags" => (100.0, 10.0),
        // Unfiltered and unpaginated calls of these use the smaller bucket.
        "DescribeInstances" | "DescribeNetworkInterfaces" | "DescribeSecurityGroups" => {
            (50.0, 10.0)
        }
        _ if ["Describe", "Get", "List"].iter().any(|p| a.starts_with(p)) => (100.0, 20.0),
        // Mutating and resource-intensive actions.
        _ => (50.0, 5.0),
    };
    Some((
        a.to_string(),
        Throttle {
            rate,
            burst,
            per_service: false,
        },
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_aws_rates_the_client_side_limits_keep_throttling_away() {
    let _moto = exclusive();
    moto().reset();
    let proxy = Proxy::start(
        moto().port(),
        Faults {
            throttle_table: Some(aws_ec2_rates),
            ..Faults::default()
        },
    );
    let mut throttles = Vec::new();
    for scale in ["off", "1"] {
        proxy.set_faults(proxy.faults()); // full buckets for each run
        proxy.reset_stats();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), WIDE).unwrap();
        let mut env = env_for(&proxy.endpoint);
        env.retain(|(k, _)| k != "ECSFORM_RATE_LIMIT_SCALE");
        env.push(("ECSFORM_RATE_LIMIT_SCALE".into(), scale.into()));
        let started = Instant::now();
        let out = tokio::task::block_in_place(|| {
            run(support::example::command(
                dir.path(),
                "apply",
                &["-auto-approve".to_string()],
                &env,
            ))
        });
        let took = started.elapsed();
        let stats = proxy.stats();
        report(
            &format!("80 security groups, AWS's EC2 rates, ECSFORM_RATE_LIMIT_SCALE={scale}"),
            took,
            &stats,
            &out.stdout,
        );
        assert_eq!(out.code, Some(0), "{}", dump(&out));
        assert_eq!(retried(&out.stdout).1, stats.throttled, "{}", dump(&out));
        throttles.push(stats.throttled);
        let destroy = tokio::task::block_in_place(|| {
            run(support::example::command(
                dir.path(),
                "destroy",
                &["-auto-approve".to_string()],
                &env,
            ))
        });
        assert_eq!(destroy.code, Some(0), "{}", dump(&destroy));
    }
    eprintln!(
        "throttles answered at AWS's rates: {} without client-side limits, {} with them",
        throttles[0], throttles[1]
    );
    // The test can tell: without the limits, this configuration is throttled...
    assert!(throttles[0] > 0, "the proxy never throttled");
    // ... with AWS's rates, hardly ever (the proxy's clock and ecsform's are not in step).
    assert!(throttles[1] <= 2, "{} throttles", throttles[1]);
}

// ---------------------------------------------------------------------------------------------
// Transient faults: each, and all together.

/// Applies the example through `faults`; what the proxy saw and apply's output.
async fn converges_under(what: &str, faults: Faults) -> (Stats, String) {
    let s = setup(faults).await;
    let (out, took, stats) = s.apply();
    report(what, took, &stats, &out.stdout);
    if out.code != Some(0) || std::env::var_os("FAULT_PROXY_TIMELINE").is_some() {
        // The error first: a long timeline pushes the panic's message out of a truncated log.
        eprintln!("ecsform's stderr:\n{}", out.stderr);
        eprintln!("{}", timeline(&s.proxy));
    }
    assert_eq!(out.code, Some(0), "{what}: {}", dump(&out));
    s.assert_converged().await;
    (stats, out.stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_under_server_errors() {
    let _moto = exclusive();
    let (stats, _) = converges_under(
        "10% HTTP 500/503",
        Faults {
            error_rate: 0.10,
            seed: 1,
            ..Faults::default()
        },
    )
    .await;
    assert!(stats.errors > 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_under_dropped_connections() {
    let _moto = exclusive();
    let (stats, stdout) = converges_under(
        "5% dropped connections",
        Faults {
            drop_rate: 0.05,
            seed: 2,
            ..Faults::default()
        },
    )
    .await;
    assert!(stats.dropped > 0, "{stats:?}");
    every_drop_is_retried_and_counted(&stats, &stdout);
}

/// The retries apply reports for the faults the proxy injected, checked by
/// [`apply_converges_under_dropped_connections`]: every dropped request is sent again (by the
/// SDK, or by apply after looking for the object of a create that is not resent blindly) and
/// counted once.
fn every_drop_is_retried_and_counted(stats: &Stats, stdout: &str) {
    let (_, throttled, server, transient) = retried(stdout);
    assert_eq!((throttled, server), (0, 0), "{stdout}");
    assert_eq!(transient, stats.dropped, "{stats:?}\n{stdout}");
}

/// One subnet in one VPC: the only create in flight when the subnet's connection drops.
const ONE_SUBNET: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.71.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.71.1.0/24"
}
"#;

/// A create that AWS would make twice if sent again blindly (`CreateSubnet`), whose connection
/// drops four times in a row — more than apply used to try (three sends, with no pause: the
/// create, the lookup and the resend were the next three requests the proxy saw). Each time
/// apply pauses (the SDK's backoff), looks for the subnet by its tags, finds nothing and sends
/// the create again; the fifth send creates it. Every resend is reported as a retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_connection_keeps_dropping_is_looked_up_and_sent_again_after_a_pause() {
    let _moto = exclusive();
    moto().reset();
    const DROPS: u32 = 4;
    let proxy = Proxy::start(
        moto().port(),
        Faults {
            drop_first: [("CreateSubnet".to_string(), DROPS)].into(),
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), ONE_SUBNET).unwrap();
    let env = env_for(&proxy.endpoint);
    let out = tokio::task::block_in_place(|| {
        run(support::example::command(
            dir.path(),
            "apply",
            &["-auto-approve".to_string()],
            &env,
        ))
    });
    let log = timeline(&proxy);
    assert_eq!(out.code, Some(0), "{}\n{log}", dump(&out));
    let mut exchanges = proxy.exchanges();
    exchanges.sort_by_key(|e| e.decision);
    let creates: Vec<usize> = (0..exchanges.len())
        .filter(|&i| exchanges[i].action == "CreateSubnet")
        .collect();
    assert_eq!(creates.len(), DROPS as usize + 1, "{log}");
    for (n, pair) in creates.windows(2).enumerate() {
        let (before, after) = (&exchanges[pair[0]], &exchanges[pair[1]]);
        assert_eq!(before.outcome, Outcome::Dropped, "{log}");
        // The lookup comes between two sends...
        assert!(
            exchanges[pair[0] + 1..pair[1]]
                .iter()
                .any(|e| e.action == "DescribeSubnets"),
            "send {} was not followed by a lookup before the next:\n{log}",
            n + 1
        );
        // ... after a pause: the SDK's backoff starts at half a second or more.
        let gap = after.arrived.duration_since(before.arrived);
        assert!(
            gap >= Duration::from_millis(250),
            "send {} came {gap:?} after the one before:\n{log}",
            n + 2
        );
    }
    assert_eq!(
        exchanges[*creates.last().unwrap()].outcome,
        Outcome::Forwarded(200),
        "{log}"
    );
    let (_, _, _, transient) = retried(&out.stdout);
    assert_eq!(transient, u64::from(DROPS), "{}", dump(&out));
    // AWS holds exactly one subnet in the VPC.
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config().await);
    let subnets = ec2
        .describe_subnets()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("cidr-block")
                .values("10.71.1.0/24")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(subnets.subnets().len(), 1, "{subnets:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_when_new_objects_are_not_found_at_first() {
    let _moto = exclusive();
    let (stats, _) = converges_under(
        "not found for 2 s after create",
        Faults {
            not_found_after_create: Duration::from_secs(2),
            ..Faults::default()
        },
    )
    .await;
    assert!(stats.not_found > 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_when_answers_are_lost() {
    let _moto = exclusive();
    let (stats, _) = converges_under(
        "10% lost answers",
        Faults {
            lose_response_rate: 0.10,
            seed: 3,
            ..Faults::default()
        },
    )
    .await;
    assert!(stats.lost_responses > 0, "{stats:?}");
}

/// A VPC and its internet gateway.
const ONE_GATEWAY: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.72.0.0/16"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}
"#;

/// The gateway's create loses its answer: apply finds the gateway by its tags and attaches it
/// by an update, whose answer is lost too. The SDK sends the attach again and EC2 answers
/// `Resource.AlreadyAssociated`: the gateway is attached to this VPC, which is what apply
/// wanted, so it is done (it failed once with that error in a run of the test below).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attach_whose_answer_was_lost_is_done_when_the_resend_finds_it_attached() {
    let _moto = exclusive();
    moto().reset();
    let proxy = Proxy::start(
        moto().port(),
        Faults {
            lose_first: [
                ("CreateInternetGateway".to_string(), 1),
                ("AttachInternetGateway".to_string(), 1),
            ]
            .into(),
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), ONE_GATEWAY).unwrap();
    let env = env_for(&proxy.endpoint);
    let apply = |dir: &Path| {
        tokio::task::block_in_place(|| {
            run(support::example::command(
                dir,
                "apply",
                &["-auto-approve".to_string()],
                &env,
            ))
        })
    };
    let out = apply(dir.path());
    let log = timeline(&proxy);
    assert_eq!(out.code, Some(0), "{}\n{log}", dump(&out));
    let mut exchanges = proxy.exchanges();
    exchanges.sort_by_key(|e| e.decision);
    let attaches: Vec<Outcome> = exchanges
        .into_iter()
        .filter(|e| e.action == "AttachInternetGateway")
        .map(|e| e.outcome)
        .collect();
    assert_eq!(
        attaches,
        [Outcome::Lost, Outcome::Forwarded(400)],
        "the lost attach and the resend refused as already associated:\n{log}"
    );
    // One gateway, attached to the VPC, and nothing left to do.
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config().await);
    let gateways = ec2.describe_internet_gateways().send().await.unwrap();
    let gateways = gateways.internet_gateways();
    assert_eq!(gateways.len(), 1, "{gateways:?}");
    assert_eq!(gateways[0].attachments().len(), 1, "{gateways:?}");
    let plan = tokio::task::block_in_place(|| {
        run(support::example::command(
            dir.path(),
            "plan",
            &["-detailed-exitcode".to_string()],
            &env,
        ))
    });
    assert_eq!(plan.code, Some(0), "{}", dump(&plan));
}

/// The example's calls that create or change something.
const WRITES: &[&str] = &[
    "CreateVpc",
    "ModifyVpcAttribute",
    "CreateSubnet",
    "CreateInternetGateway",
    "AttachInternetGateway",
    "CreateRouteTable",
    "AssociateRouteTable",
    "CreateRoute",
    "AllocateAddress",
    "CreateNatGateway",
    "CreateSecurityGroup",
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupEgress",
    "CreateLaunchTemplate",
    "CreateLoadBalancer",
    "CreateTargetGroup",
    "ModifyTargetGroupAttributes",
    "CreateListener",
    "CreateAutoScalingGroup",
    "CreateRole",
    "CreateInstanceProfile",
    "AddRoleToInstanceProfile",
    "AttachRolePolicy",
    "CreateLogGroup",
    "PutRetentionPolicy",
    "CreateCluster",
    "CreateCapacityProvider",
    "PutClusterCapacityProviders",
    "CreateTopic",
    "PutRule",
    "PutTargets",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_when_a_third_of_the_writes_lose_their_answer() {
    let _moto = exclusive();
    let (stats, _) = converges_under(
        "30% of the writes' answers lost",
        Faults {
            lose_response_rate: 0.30,
            only_actions: WRITES.iter().map(|a| a.to_string()).collect(),
            seed: 5,
            ..Faults::default()
        },
    )
    .await;
    assert!(stats.lost_responses >= 10, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_under_all_faults_together() {
    let _moto = exclusive();
    converges_under(
        "all together: 10% 5xx, 5% drops, 5% lost answers, not found 2 s, throttled at 20/s",
        Faults {
            error_rate: 0.10,
            drop_rate: 0.05,
            lose_response_rate: 0.05,
            not_found_after_create: Duration::from_secs(2),
            throttle: Some(Throttle {
                rate: 20.0,
                burst: 20.0,
                per_service: true,
            }),
            seed: 4,
            ..Faults::default()
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Permanent failures.

/// The addresses the output says were created.
fn created(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|l| {
            l.split_once(": Creation complete")
                .map(|(a, _)| a.to_string())
        })
        .collect()
}

fn ready(dir: &Path) -> BTreeSet<String> {
    records(dir)
        .into_iter()
        .filter(|r| r.status == ResourceStatus::Ready)
        .map(|r| r.address)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_error_fails_fast_naming_the_address_and_code() {
    let _moto = exclusive();
    let s = setup(Faults {
        fail_actions: vec![Failure::new("CreateLaunchTemplate", 403, "AccessDenied")],
        ..Faults::default()
    })
    .await;
    let (out, took, stats) = s.apply();
    report("CreateLaunchTemplate denied", took, &stats, &out.stdout);
    assert_eq!(out.code, Some(1), "{}", dump(&out));
    // The example has two launch templates (one per instance group): each called once, not
    // retried.
    assert_eq!(stats.count("CreateLaunchTemplate"), 2, "{stats:?}");
    assert_eq!(stats.failed, 2);
    assert_eq!(retried(&out.stdout).0, 0, "{}", dump(&out));
    let text = format!("{}{}", out.stdout, out.stderr);
    for group in ["default", "batch"] {
        let address = format!("module.ecs_instances[\"{group}\"].aws_launch_template.instance");
        let error = text
            .lines()
            .skip_while(|l| !l.contains(&format!("Error creating {address}")))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(error.contains("AccessDenied"), "{address}: {}", dump(&out));
    }
    // Everything that does not need the launch template is recorded.
    let done = ready(&s.dir);
    assert_eq!(done, created(&out.stdout), "{}", dump(&out));
    assert!(!done.iter().any(|a| a.contains("aws_launch_template")));
    assert!(done.len() >= 40, "{} recorded: {done:?}", done.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_partial_failure_a_rerun_creates_only_what_is_missing() {
    let _moto = exclusive();
    // The target group fails for a reason a user fixes (a value AWS rejects); everything
    // else that does not need it is created.
    let s = setup(Faults {
        fail_actions: vec![Failure::new("CreateTargetGroup", 400, "ValidationError")],
        ..Faults::default()
    })
    .await;
    let (first, took, stats) = s.apply();
    report("CreateTargetGroup rejected", took, &stats, &first.stdout);
    assert_eq!(first.code, Some(1), "{}", dump(&first));
    assert_eq!(stats.count("CreateTargetGroup"), 1, "{stats:?}");
    let done = ready(&s.dir);
    assert_eq!(done, created(&first.stdout), "{}", dump(&first));
    assert!(done.len() < EXAMPLE_OBJECTS);

    // The fault is lifted: the rerun creates exactly what is missing, nothing twice.
    s.proxy.set_faults(Faults::default());
    let (second, took, stats) = s.apply();
    report("rerun", took, &stats, &second.stdout);
    assert_eq!(second.code, Some(0), "{}", dump(&second));
    let again = created(&second.stdout);
    assert_eq!(again.intersection(&done).count(), 0, "{}", dump(&second));
    assert_eq!(
        again.len() + done.len(),
        EXAMPLE_OBJECTS,
        "{}",
        dump(&second)
    );
    assert_eq!(stats.count("CreateTargetGroup"), 1, "{stats:?}");
    assert_eq!(stats.count("CreateVpc"), 0, "{stats:?}");
    s.assert_converged().await;
}
