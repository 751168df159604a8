//! Conformance of the EFS types against moto: file systems, mount targets and access
//! points, with what changes in place and what replaces.
//!
//! EFS tags are read with EFS's ListTagsForResource (a `TagReader`). Prerequisites (subnets of
//! moto's default VPC, security groups) are made with plain SDK calls.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::resources::{
    efs_access_point::EfsAccessPointType, efs_file_system::EfsFileSystemType,
    efs_mount_target::EfsMountTargetType,
};
use ecsform::aws::AwsClients;
use ecsform::lang::Value;

use crate::support;
use support::conformance::{attr, attr_str, block, conformance_with_tags, s, tags, Stage};
use support::moto::{exclusive, moto, REGION};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

/// The tags EFS holds for the object whose id the state has.
fn efs_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .efs
            .list_tags_for_resource()
            .resource_id(attr_str(state, "id"))
            .send()
            .await
            .expect("ListTagsForResource");
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
}

#[tokio::test]
async fn aws_efs_file_system_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("creation_token", s("ecs-shared")),
        ("encrypted", Value::Bool(true)),
        (
            "lifecycle_policy",
            block(&[("transition_to_ia", s("AFTER_30_DAYS"))]),
        ),
        ("tags", tags(&[("Name", "shared")])),
    ]);
    let update = Value::map([
        ("creation_token", s("ecs-shared")),
        ("encrypted", Value::Bool(true)),
        (
            "lifecycle_policy",
            Value::List(vec![
                Value::map([("transition_to_ia", s("AFTER_7_DAYS"))]),
                Value::map([("transition_to_primary_storage_class", s("AFTER_1_ACCESS"))]),
            ]),
        ),
        ("tags", tags(&[("Name", "shared"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &EfsFileSystemType,
        &c,
        efs_tags,
        create,
        update,
        |stage, state| {
            let id = attr_str(state, "id");
            assert!(id.starts_with("fs-"), "{id}");
            assert!(attr_str(state, "arn").ends_with(&format!(":file-system/{id}")));
            assert_eq!(
                attr_str(state, "dns_name"),
                format!("{id}.efs.{REGION}.amazonaws.com")
            );
            assert_eq!(attr_str(state, "name"), "shared");
            assert_eq!(attr_str(state, "performance_mode"), "generalPurpose");
            assert_eq!(attr_str(state, "throughput_mode"), "bursting");
            assert_eq!(attr(state, "number_of_mount_targets"), &Value::number(0));
            let policies = attr(state, "lifecycle_policy").as_list().unwrap().len();
            assert_eq!(policies, if stage == Stage::Created { 1 } else { 2 });
        },
    )
    .await;
}

/// A file system made with the SDK, for the types that hang off one.
async fn file_system(c: &AwsClients, token: &str) -> String {
    let out = c
        .efs
        .create_file_system()
        .creation_token(token)
        .send()
        .await
        .expect("CreateFileSystem");
    out.file_system_id().to_string()
}

/// A default subnet of moto's default VPC, and that VPC's id.
async fn default_subnet(c: &AwsClients) -> (String, String) {
    let out = c
        .ec2
        .describe_subnets()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("default-for-az")
                .values("true")
                .build(),
        )
        .send()
        .await
        .expect("DescribeSubnets");
    let subnet = &out.subnets()[0];
    (
        subnet.subnet_id().unwrap().to_string(),
        subnet.vpc_id().unwrap().to_string(),
    )
}

async fn security_group(c: &AwsClients, vpc: &str, name: &str) -> String {
    let out = c
        .ec2
        .create_security_group()
        .group_name(name)
        .description("efs test")
        .vpc_id(vpc)
        .send()
        .await
        .expect("CreateSecurityGroup");
    out.group_id().unwrap().to_string()
}

/// Mount targets have no tags; the conformance run checks none (their schema has no `tags`).
fn no_tags<'a>(
    _c: &'a AwsClients,
    _state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async { BTreeMap::new() })
}

#[tokio::test]
async fn aws_efs_mount_target_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let fs = file_system(&c, "mount-target-test").await;
    let (subnet, vpc) = default_subnet(&c).await;
    let sg_a = security_group(&c, &vpc, "efs-mt-a").await;
    let sg_b = security_group(&c, &vpc, "efs-mt-b").await;
    let groups = |ids: &[&str]| Value::set(ids.iter().map(|i| s(i)).collect());
    let create = Value::map([
        ("file_system_id", s(&fs)),
        ("subnet_id", s(&subnet)),
        ("security_groups", groups(&[&sg_a])),
    ]);
    let update = Value::map([
        ("file_system_id", s(&fs)),
        ("subnet_id", s(&subnet)),
        ("security_groups", groups(&[&sg_a, &sg_b])),
    ]);
    conformance_with_tags(
        &EfsMountTargetType,
        &c,
        no_tags,
        create,
        update,
        |stage, state| {
            let id = attr_str(state, "id");
            assert!(id.starts_with("fsmt-"), "{id}");
            let zone = attr_str(state, "availability_zone_name");
            assert_eq!(
                attr_str(state, "mount_target_dns_name"),
                format!("{zone}.{fs}.efs.{REGION}.amazonaws.com")
            );
            assert_eq!(
                attr_str(state, "dns_name"),
                format!("{fs}.efs.{REGION}.amazonaws.com")
            );
            assert!(attr_str(state, "file_system_arn").ends_with(&format!(":file-system/{fs}")));
            assert!(!attr_str(state, "ip_address").is_empty());
            let n = attr(state, "security_groups").as_list().unwrap().len();
            assert_eq!(n, if stage == Stage::Created { 1 } else { 2 });
        },
    )
    .await;
    c.efs
        .delete_file_system()
        .file_system_id(&fs)
        .send()
        .await
        .expect("DeleteFileSystem");
}

#[tokio::test]
async fn aws_efs_access_point_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let fs = file_system(&c, "access-point-test").await;
    let posix = block(&[("gid", Value::number(1000)), ("uid", Value::number(1001))]);
    let root = block(&[
        ("path", s("/app")),
        (
            "creation_info",
            block(&[
                ("owner_gid", Value::number(1000)),
                ("owner_uid", Value::number(1001)),
                ("permissions", s("0755")),
            ]),
        ),
    ]);
    let config = |t: Value| {
        Value::map([
            ("file_system_id", s(&fs)),
            ("posix_user", posix.clone()),
            ("root_directory", root.clone()),
            ("tags", t),
        ])
    };
    conformance_with_tags(
        &EfsAccessPointType,
        &c,
        efs_tags,
        config(tags(&[("Name", "app")])),
        config(tags(&[("Name", "app"), ("Env", "test")])),
        |stage, state| {
            let id = attr_str(state, "id");
            assert!(id.starts_with("fsap-"), "{id}");
            assert!(attr_str(state, "arn").ends_with(&format!(":access-point/{id}")));
            assert!(attr_str(state, "file_system_arn").ends_with(&format!(":file-system/{fs}")));
            let n = attr(state, "tags").as_map().unwrap().len();
            assert_eq!(n, if stage == Stage::Created { 1 } else { 2 });
        },
    )
    .await;
    c.efs
        .delete_file_system()
        .file_system_id(&fs)
        .send()
        .await
        .expect("DeleteFileSystem");
}
