//! End to end against moto: apply modules/vpc with two availability zones and check every
//! object through the SDK (not through ecsform), then plan again (no changes), change a tag
//! (update in place), change a subnet CIDR (replacement), shrink to one zone (the right
//! instances destroyed), drift made behind ecsform's back, and destroy (nothing left).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_sdk_ec2::types::Filter;
use support::moto::{exclusive, moto};

/// A working directory with the root config and a copy of modules/vpc.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    support::copy_dir(&support::fixtures("e2e/vpc"), &root);
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("modules/vpc"),
        &root.join("modules/vpc"),
    );
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

const TWO_ZONES: &str = r#"availability_zones=["eu-west-1a","eu-west-1b"]"#;
const ONE_ZONE: &str = r#"availability_zones=["eu-west-1a"]"#;

fn tags(tags: &[aws_sdk_ec2::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or("").to_string(),
                t.value().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn ours() -> Filter {
    Filter::builder().name("tag:Project").values("e2e").build()
}

async fn ec2() -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&moto().sdk_config().await)
}

async fn subnets(ec2: &aws_sdk_ec2::Client) -> Vec<aws_sdk_ec2::types::Subnet> {
    ec2.describe_subnets()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .subnets()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vpc_module_lifecycle() {
    let _guard = exclusive();
    let (_tmp, root) = workdir();
    let ec2 = ec2().await;

    // Apply two zones.
    let out =
        tokio::task::block_in_place(|| cli(&root, "apply", &["-auto-approve", "-var", TWO_ZONES]));
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("Apply complete! Resources: 22 added, 0 changed, 0 destroyed."),
        "{}",
        out.stdout
    );

    let vpcs = ec2
        .describe_vpcs()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .vpcs()
        .to_vec();
    assert_eq!(vpcs.len(), 1);
    let vpc = &vpcs[0];
    assert_eq!(vpc.cidr_block(), Some("10.20.0.0/16"));
    let vt = tags(vpc.tags());
    assert_eq!(vt["Name"], "e2e");
    assert_eq!(vt["Environment"], "acc");
    assert_eq!(vt["ecsform:address"], "module.vpc.aws_vpc.vpc");
    assert!(vt.contains_key("ecsform:lineage"));
    let vpc_id = vpc.vpc_id().unwrap().to_string();

    let subs = subnets(&ec2).await;
    let mut cidrs: Vec<&str> = subs.iter().filter_map(|s| s.cidr_block()).collect();
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "10.20.0.0/24",
            "10.20.1.0/24",
            "10.20.50.0/24",
            "10.20.51.0/24"
        ]
    );
    assert!(subs.iter().all(|s| s.vpc_id() == Some(vpc_id.as_str())));
    let public: Vec<_> = subs
        .iter()
        .filter(|s| s.map_public_ip_on_launch() == Some(true))
        .collect();
    assert_eq!(public.len(), 2);
    let igws = ec2
        .describe_internet_gateways()
        .filters(ours())
        .send()
        .await
        .unwrap();
    assert_eq!(igws.internet_gateways().len(), 1);
    assert_eq!(
        igws.internet_gateways()[0].attachments()[0].vpc_id(),
        Some(vpc_id.as_str())
    );
    let nats = ec2
        .describe_nat_gateways()
        .filter(ours())
        .send()
        .await
        .unwrap();
    assert_eq!(nats.nat_gateways().len(), 2);
    let eips = ec2
        .describe_addresses()
        .filters(ours())
        .send()
        .await
        .unwrap();
    assert_eq!(eips.addresses().len(), 2);
    let rts = ec2
        .describe_route_tables()
        .filters(ours())
        .send()
        .await
        .unwrap();
    assert_eq!(rts.route_tables().len(), 4);
    let default_routes = rts
        .route_tables()
        .iter()
        .filter(|rt| {
            rt.routes()
                .iter()
                .any(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
        })
        .count();
    assert_eq!(default_routes, 4);

    // Nothing to do the second time.
    let out = tokio::task::block_in_place(|| {
        cli(&root, "plan", &["-detailed-exitcode", "-var", TWO_ZONES])
    });
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("No changes."));

    // A tag change is an update in place.
    let out = tokio::task::block_in_place(|| {
        cli(
            &root,
            "plan",
            &[
                "-detailed-exitcode",
                "-var",
                TWO_ZONES,
                "-var",
                "environment=prod",
            ],
        )
    });
    assert_eq!(out.code, 2);
    assert!(
        out.stdout
            .contains("# module.vpc.aws_vpc.vpc will be updated in-place"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("must be replaced"));
    let out = tokio::task::block_in_place(|| {
        cli(
            &root,
            "apply",
            &[
                "-auto-approve",
                "-var",
                TWO_ZONES,
                "-var",
                "environment=prod",
            ],
        )
    });
    assert_eq!(out.code, 0);
    let vpcs = ec2.describe_vpcs().vpc_ids(&vpc_id).send().await.unwrap();
    assert_eq!(tags(vpcs.vpcs()[0].tags())["Environment"], "prod");

    // A subnet CIDR change replaces the subnet.
    let cidr_args = [
        "-var",
        TWO_ZONES,
        "-var",
        "environment=prod",
        "-var",
        r#"public_subnet_cidrs=["10.20.7.0/24","10.20.1.0/24"]"#,
    ];
    let mut plan_args = vec!["-detailed-exitcode"];
    plan_args.extend(cidr_args);
    let out = tokio::task::block_in_place(|| cli(&root, "plan", &plan_args));
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("# module.vpc.module.network.module.public_subnet.aws_subnet.subnet[0] must be replaced"), "{}", out.stdout);
    assert!(out.stdout.contains("# forces replacement"));
    let mut apply_args = vec!["-auto-approve"];
    apply_args.extend(cidr_args);
    let out = tokio::task::block_in_place(|| cli(&root, "apply", &apply_args));
    assert_eq!(out.code, 0);
    let mut cidrs: Vec<String> = subnets(&ec2)
        .await
        .iter()
        .filter_map(|s| s.cidr_block().map(String::from))
        .collect();
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "10.20.1.0/24",
            "10.20.50.0/24",
            "10.20.51.0/24",
            "10.20.7.0/24"
        ]
    );

    // One zone: the second zone's objects go.
    let out = tokio::task::block_in_place(|| {
        cli(
            &root,
            "apply",
            &[
                "-auto-approve",
                "-var",
                ONE_ZONE,
                "-var",
                "environment=prod",
                "-var",
                r#"public_subnet_cidrs=["10.20.7.0/24"]"#,
            ],
        )
    });
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("(because index [1] is out of range for count)"),
        "{}",
        out.stdout
    );
    let subs = subnets(&ec2).await;
    let mut cidrs: Vec<&str> = subs.iter().filter_map(|s| s.cidr_block()).collect();
    cidrs.sort();
    assert_eq!(cidrs, ["10.20.50.0/24", "10.20.7.0/24"]);
    let nats = ec2
        .describe_nat_gateways()
        .filter(ours())
        .send()
        .await
        .unwrap();
    let live = nats
        .nat_gateways()
        .iter()
        .filter(|n| n.state().map(|s| s.as_str()) != Some("deleted"))
        .count();
    assert_eq!(live, 1);

    // Drift: tag the VPC by hand; plan reports it in its own section.
    ec2.create_tags()
        .resources(&vpc_id)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("Environment")
                .value("hand-edited")
                .build(),
        )
        .send()
        .await
        .unwrap();
    // ... and delete the private subnet (after freeing it from its route table).
    let private = subnets(&ec2)
        .await
        .into_iter()
        .find(|s| s.cidr_block() == Some("10.20.50.0/24"))
        .unwrap();
    let private_id = private.subnet_id().unwrap().to_string();
    let rts = ec2
        .describe_route_tables()
        .filters(
            Filter::builder()
                .name("association.subnet-id")
                .values(&private_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    for rt in rts.route_tables() {
        for a in rt.associations() {
            if a.subnet_id() == Some(private_id.as_str()) {
                ec2.disassociate_route_table()
                    .association_id(a.route_table_association_id().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
    ec2.delete_subnet()
        .subnet_id(&private_id)
        .send()
        .await
        .unwrap();
    let out = tokio::task::block_in_place(|| {
        cli(
            &root,
            "plan",
            &[
                "-var",
                ONE_ZONE,
                "-var",
                "environment=prod",
                "-var",
                r#"public_subnet_cidrs=["10.20.7.0/24"]"#,
            ],
        )
    });
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("Objects have changed outside of ecsform"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("# module.vpc.aws_vpc.vpc has changed"));
    assert!(out.stdout.contains("\"hand-edited\" -> \"prod\""));
    assert!(out.stdout.contains(
        "# module.vpc.module.network.module.private_subnet.aws_subnet.subnet[0] has been deleted"
    ));
    assert!(out.stdout.contains(
        "# module.vpc.module.network.module.private_subnet.aws_subnet.subnet[0] will be created"
    ));

    // Destroy: nothing of ours is left.
    let out = tokio::task::block_in_place(|| {
        cli(
            &root,
            "destroy",
            &[
                "-auto-approve",
                "-var",
                ONE_ZONE,
                "-var",
                "environment=prod",
                "-var",
                r#"public_subnet_cidrs=["10.20.7.0/24"]"#,
            ],
        )
    });
    assert_eq!(out.code, 0);
    assert!(ec2
        .describe_vpcs()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .vpcs()
        .is_empty());
    assert!(subnets(&ec2).await.is_empty());
    assert!(ec2
        .describe_internet_gateways()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .internet_gateways()
        .is_empty());
    assert!(ec2
        .describe_addresses()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .addresses()
        .is_empty());
    assert!(ec2
        .describe_route_tables()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .route_tables()
        .is_empty());
}

/// An AWS error names the address and the AWS code; independent branches still finish and
/// what succeeded is recorded in state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_errors_are_reported_and_other_branches_finish() {
    let _guard = exclusive();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "v" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_subnet" "good" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.30.1.0/24"
}

resource "aws_subnet" "bad" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "192.168.0.0/24"
}

resource "null_resource" "independent" {}
"#,
    )
    .unwrap();
    let out = tokio::task::block_in_place(|| cli(dir.path(), "apply", &["-auto-approve"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Error creating aws_subnet.bad"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("InvalidSubnet"), "{}", out.stderr);
    let store = ecsform::state::StateStore::open(&dir.path().join("state/ecsform.sqlite")).unwrap();
    let mut recorded: Vec<String> = store
        .resources()
        .unwrap()
        .into_iter()
        .map(|r| r.address)
        .collect();
    recorded.sort();
    assert_eq!(
        recorded,
        ["aws_subnet.good", "aws_vpc.v", "null_resource.independent"]
    );
    let out = tokio::task::block_in_place(|| cli(dir.path(), "destroy", &["-auto-approve"]));
    assert_eq!(out.code, 0);
}
