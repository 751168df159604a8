//! The patterns real configurations use (tests/fixtures/idioms), applied against moto and
//! planned again with no changes: `for`/`for_each` over resources with `count` and `for_each`,
//! `each.value.<computed>` from a resource map, a module whose outputs are a whole data source
//! value and a map of resources, `values()`/`keys()`/splat on resource maps, `one()` and `try()`
//! on a conditional resource, `dynamic` blocks two deep, nested blocks three deep (an Auto
//! Scaling group's `mixed_instances_policy`, an ECS cluster's `configuration`), `for` with
//! an `if` filter over a module output, bare `type = list`/`map`, and a sensitive value through
//! `for`, functions and outputs (masked everywhere).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::path::{Path, PathBuf};

use support::moto::{exclusive, moto};

const PASSWORD: &str = "hunter2-idioms";

fn workdir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let from = support::fixtures("idioms");
    for rel in ["main.tf", "modules/net/main.tf"] {
        let to = root.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.join(rel), to).unwrap();
    }
    (tmp, root)
}

fn cli(root: &Path, command: &str, extra: &[&str]) -> support::Output {
    let out =
        tokio::task::block_in_place(|| support::run_in_env(root, command, extra, &moto().env()));
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    assert!(
        !out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD),
        "the sensitive value leaked in `{command}`"
    );
    out
}

fn no_changes(root: &Path, extra: &[&str]) {
    let mut args = vec!["-detailed-exitcode"];
    args.extend(extra);
    let out = cli(root, "plan", &args);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);
}

fn outputs(root: &Path) -> serde_json::Value {
    let out = cli(root, "output", &["-json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_world_idioms_apply_and_plan_no_changes() {
    let _guard = exclusive();
    let (_tmp, root) = workdir();
    // moto makes the first subnet of each availability zone (in any VPC) its zone's default
    // subnet, with public IPs on launch; AWS does that only in the default VPC. Take those
    // places first, so the configuration's subnets are created as AWS would create them.
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config().await);
    let vpc = ec2
        .create_vpc()
        .cidr_block("172.31.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap();
    for (i, az) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        ec2.create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(format!("172.31.{i}.0/24"))
            .availability_zone(format!("us-east-1{az}"))
            .send()
            .await
            .unwrap();
    }

    let out = cli(&root, "validate", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = cli(&root, "plan", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Planned values that depend on computed attributes are unknown, not errors.
    assert!(
        out.stdout
            .contains("Plan: 16 to add, 0 to change, 0 to destroy."),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("(sensitive value)"), "{}", out.stdout);

    let out = cli(&root, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    no_changes(&root, &[]);

    let o = outputs(&root);
    let ids = |name: &str| -> Vec<String> {
        o[name]["value"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {}", o[name]))
            .iter()
            .map(|v| v.as_str().expect("a string").to_string())
            .collect()
    };
    // The `if` filter kept two of the module's three subnets; every id is a real subnet id.
    assert_eq!(ids("private_ids").len(), 2, "{o}");
    assert_eq!(ids("public_ids").len(), 2, "{o}");
    assert!(ids("private_ids")
        .iter()
        .chain(&ids("public_ids"))
        .all(|id| id.starts_with("subnet-")));
    assert_eq!(ids("all_subnet_arns").len(), 5, "{o}");
    assert_eq!(o["vpc_cidr_through_module"]["value"], "10.20.0.0/16");
    assert_eq!(o["extra_arn"]["value"], serde_json::Value::Null);
    assert_eq!(o["extra_or_none"]["value"], "none");
    let hosts = o["host_arns"]["value"].as_object().expect("a map");
    assert!(
        hosts["ecs-agent"]
            .as_str()
            .is_some_and(|a| a.contains("log-group:/idioms/ecs-agent")),
        "{o}"
    );
    assert_eq!(o["password_by_subnet"]["sensitive"], true);
    assert_eq!(
        o["mixed_overrides"]["value"],
        serde_json::json!(["t3.micro", "t3a.micro"])
    );
    assert_eq!(o["mixed_template_name"]["value"], "idioms-ecs");

    // AWS has the policy three deep as written, with the launch template's id.
    let asg = aws_sdk_autoscaling::Client::new(&moto().sdk_config().await);
    let groups = asg
        .describe_auto_scaling_groups()
        .auto_scaling_group_names("idioms-mixed")
        .send()
        .await
        .unwrap();
    let policy = groups.auto_scaling_groups()[0]
        .mixed_instances_policy()
        .expect("a mixed instances policy");
    let template = policy.launch_template().unwrap();
    let types: Vec<_> = template
        .overrides()
        .iter()
        .filter_map(|o| o.instance_type())
        .collect();
    assert_eq!(types, ["t3.micro", "t3a.micro"]);
    assert!(template
        .launch_template_specification()
        .and_then(|s| s.launch_template_id())
        .is_some_and(|id| id.starts_with("lt-")));
    assert_eq!(
        policy
            .instances_distribution()
            .and_then(|d| d.on_demand_percentage_above_base_capacity()),
        Some(25)
    );

    // The conditional resource appears: one() and try() see it.
    let out = cli(
        &root,
        "apply",
        &["-auto-approve", "-var", "extra_logs=true"],
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let o = outputs(&root);
    let arn = o["extra_arn"]["value"].as_str().expect("an ARN");
    assert!(arn.contains("log-group:/idioms/extra"), "{arn}");
    assert_eq!(o["extra_or_none"]["value"], arn);
    no_changes(&root, &["-var", "extra_logs=true"]);
}
