//! Conformance of the compute resource types against moto: `aws_key_pair`,
//! `aws_launch_template` (a data change makes a new version), `aws_launch_configuration`
//! (immutable: a change replaces it), `aws_autoscaling_group`, `aws_autoscaling_lifecycle_hook`,
//! and the data sources `aws_ami`, `aws_subnet` and `aws_vpc`.
//!
//! Prerequisites (VPC, subnets, a launch template or configuration for a group) are made with
//! plain SDK calls so that each test exercises one type. Images come from moto's catalogue of
//! fake AMIs.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws;
use ecsform::aws::resources::{
    autoscaling_group::AutoscalingGroupType,
    autoscaling_lifecycle_hook::AutoscalingLifecycleHookType,
    launch_configuration::LaunchConfigurationType, launch_template::LaunchTemplateType,
};
use ecsform::aws::AwsClients;
use ecsform::aws::{CallContext, ResourceType};
use ecsform::lang::Value;
use ecsform::plan::Action;
use support::conformance::{aws_tags, conformance, conformance_with_tags, extra_tags, plan, Stage};
use support::moto::{exclusive, moto};

const PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC4S4JP4PC139CQfybKDkYiZUZkVxGMNXAN9k0cdPOR2a5hvg+XPP5IuopOXTbMt+27HFjBjPRZ12+z4DLtMc4FdgfB8Nx7XycF8BYogIDn2/N7GP/LyCydgVtXmp7kJ8Fn4wf+3D6F+YFXIoVpkR7FCMh2JZ0lXzfhvV/80CmM1676/ElZKtyB3Fn2R5umEmvznlGQ7ZDe9TwD50hElDCerVO29YNJqDWR4962GvdW3aXJS0rVdwMw15gdAaESKcotO+tIv3dYOr8a8P4Az/bCVUi8VuEDlrFHbIw/LA6tR4soQ3xSC43XZe8KjHekiC5HtUrWVCgyqIvFRlOscRRB";

/// What moto reports for every lifecycle hook, whatever it was given.
const MOTO_HOOK_ROLE: &str = "arn:aws:iam::1234567890:role/my-auto-scaling-role";
const MOTO_HOOK_TARGET: &str = "arn:aws:sqs:us-east-1:123456789012:my-queue";

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn n(v: i32) -> Value {
    Value::number(v)
}

fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    attr(state, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {state}"))
}

fn with(config: &Value, pairs: &[(&str, Value)]) -> Value {
    let mut m = config.as_map().cloned().unwrap_or_default();
    for (k, v) in pairs {
        m.insert(k.to_string(), v.clone());
    }
    Value::Map(m)
}

/// An image from moto's catalogue.
async fn some_ami(c: &AwsClients) -> String {
    let out = c
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("DescribeImages");
    out.images()
        .iter()
        .find_map(|i| i.image_id().map(String::from))
        .expect("moto has amazon images")
}

async fn vpc_with_subnets(c: &AwsClients) -> (String, Vec<String>) {
    let vpc = c
        .ec2
        .create_vpc()
        .cidr_block("10.7.0.0/16")
        .send()
        .await
        .expect("CreateVpc")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let mut subnets = Vec::new();
    for (i, zone) in ["eu-west-1a", "eu-west-1b"].iter().enumerate() {
        let id = c
            .ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.7.{i}.0/24"))
            .availability_zone(*zone)
            .send()
            .await
            .expect("CreateSubnet")
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        subnets.push(id);
    }
    (vpc, subnets)
}

async fn launch_template(c: &AwsClients, name: &str, ami: &str) -> String {
    c.ec2
        .create_launch_template()
        .launch_template_name(name)
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .image_id(ami)
                .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                .build(),
        )
        .send()
        .await
        .expect("CreateLaunchTemplate")
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .expect("template id")
        .to_string()
}

/// Tags of a key pair: EC2 tags on its `key_pair_id` (its id is its name).
fn key_pair_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move { aws_tags(c, attr_str(state, "key_pair_id")).await })
}

/// Tags of an Auto Scaling group, from Auto Scaling's DescribeTags.
async fn asg_tags(c: &AwsClients, name: &str) -> BTreeMap<String, (String, bool)> {
    let out = c
        .autoscaling
        .describe_tags()
        .filters(
            aws_sdk_autoscaling::types::Filter::builder()
                .name("auto-scaling-group")
                .values(name)
                .build(),
        )
        .send()
        .await
        .expect("DescribeTags");
    out.tags()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                (
                    t.value().unwrap_or_default().to_string(),
                    t.propagate_at_launch().unwrap_or(false),
                ),
            ))
        })
        .collect()
}

#[tokio::test]
async fn key_pair_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = aws::resource_type("aws_key_pair").expect("registered");
    let create = Value::map([
        ("key_name", s("deployer")),
        ("public_key", s(PUBLIC_KEY)),
        ("tags", tags(&[("Name", "deployer")])),
    ]);
    let update = with(
        &create,
        &[("tags", tags(&[("Name", "deployer"), ("Team", "ops")]))],
    );
    conformance_with_tags(rt, &c, key_pair_tags, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "deployer");
        assert!(attr_str(state, "key_pair_id").starts_with("key-"));
        assert!(!attr_str(state, "fingerprint").is_empty());
        assert_eq!(attr_str(state, "key_type"), "rsa");
        assert!(
            attr_str(state, "arn").ends_with(":key-pair/deployer"),
            "{state}"
        );
        if stage == Stage::Updated {
            assert_eq!(
                attr(state, "tags"),
                &tags(&[("Name", "deployer"), ("Team", "ops")])
            );
        }
    })
    .await;
    assert!(rt.read_many(&c, &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn key_pair_name_prefix_and_replacement() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = aws::resource_type("aws_key_pair").expect("registered");
    let config = Value::map([("key_name_prefix", s("ci-")), ("public_key", s(PUBLIC_KEY))]);
    let p = plan(rt, &config, None);
    let extra = extra_tags("aws_key_pair.ci");
    let ctx = CallContext {
        clients: &c,
        address: "aws_key_pair.ci",
        extra_tags: &extra,
    };
    let created = rt.create(&ctx, &p.after).await.expect("create");
    assert!(attr_str(&created, "key_name").starts_with("ci-"));
    assert_eq!(attr_str(&created, "key_name_prefix"), "ci-");
    assert_eq!(plan(rt, &config, Some(&created)).action, Action::NoOp);
    let other = with(&config, &[("public_key", s("ssh-rsa AAAAother"))]);
    let p = plan(rt, &other, Some(&created));
    assert_eq!(p.action, Action::DeleteThenCreate);
    assert_eq!(p.replace_paths, ["public_key"]);
    rt.delete(&ctx, &created).await.expect("delete");
}

#[tokio::test]
async fn launch_template_change_makes_a_new_version() {
    let _moto = exclusive();
    let c = clients().await;
    let ami = some_ami(&c).await;
    let (_, _) = vpc_with_subnets(&c).await;
    let sg = c
        .ec2
        .describe_security_groups()
        .send()
        .await
        .expect("DescribeSecurityGroups")
        .security_groups()[0]
        .group_id()
        .unwrap()
        .to_string();
    let create = Value::map([
        ("name", s("web")),
        ("description", s("first")),
        ("image_id", s(&ami)),
        ("instance_type", s("t3.micro")),
        ("user_data", s("IyEvYmluL3NoCmVjaG8gaGkK")),
        ("vpc_security_group_ids", list(vec![s(&sg)])),
        (
            "iam_instance_profile",
            list(vec![Value::map([("name", s("ecs-instance"))])]),
        ),
        (
            "block_device_mappings",
            list(vec![Value::map([
                ("device_name", s("/dev/xvda")),
                (
                    "ebs",
                    list(vec![Value::map([
                        ("volume_size", n(30)),
                        ("volume_type", s("gp3")),
                        ("delete_on_termination", s("true")),
                    ])]),
                ),
            ])]),
        ),
        (
            "monitoring",
            list(vec![Value::map([("enabled", Value::Bool(true))])]),
        ),
        (
            "metadata_options",
            list(vec![Value::map([("http_tokens", s("required"))])]),
        ),
        (
            "tag_specifications",
            list(vec![Value::map([
                ("resource_type", s("instance")),
                ("tags", tags(&[("Name", "web")])),
            ])]),
        ),
        ("tags", tags(&[("Name", "web")])),
    ]);
    let update = with(
        &create,
        &[
            ("instance_type", s("t3.small")),
            ("update_default_version", Value::Bool(true)),
        ],
    );
    let first_id = std::sync::Mutex::new(String::new());
    conformance(
        LaunchTemplateType.as_dyn(),
        &c,
        create,
        update,
        |stage, state| {
            let id = attr_str(state, "id").to_string();
            assert!(id.starts_with("lt-"));
            assert!(attr_str(state, "arn").ends_with(&format!(":launch-template/{id}")));
            match stage {
                Stage::Created => {
                    assert_eq!(attr(state, "latest_version"), &n(1));
                    assert_eq!(attr(state, "default_version"), &n(1));
                    *first_id.lock().unwrap() = id;
                }
                Stage::Updated => {
                    // A new version of the same template, made the default.
                    assert_eq!(*first_id.lock().unwrap(), id);
                    assert_eq!(attr(state, "latest_version"), &n(2));
                    assert_eq!(attr(state, "default_version"), &n(2));
                    assert_eq!(attr_str(state, "instance_type"), "t3.small");
                }
            }
        },
    )
    .await;
}

#[tokio::test]
async fn launch_template_without_default_update_keeps_the_default_and_reads_in_batches() {
    let _moto = exclusive();
    let c = clients().await;
    let ami = some_ami(&c).await;
    let rt = LaunchTemplateType.as_dyn();
    let extra = extra_tags("aws_launch_template.x");
    let ctx = CallContext {
        clients: &c,
        address: "aws_launch_template.x",
        extra_tags: &extra,
    };
    let config = Value::map([
        ("name_prefix", s("app-")),
        ("image_id", s(&ami)),
        ("instance_type", s("t3.micro")),
    ]);
    let created = rt
        .create(&ctx, &plan(rt, &config, None).after)
        .await
        .expect("create");
    assert!(attr_str(&created, "name").starts_with("app-"));
    let other = rt
        .create(
            &ctx,
            &plan(rt, &with(&config, &[("name_prefix", s("other-"))]), None).after,
        )
        .await
        .expect("create another");
    let changed = with(&config, &[("image_id", s("ami-12c6146b"))]);
    let p = plan(rt, &changed, Some(&created));
    assert_eq!(p.action, Action::Update);
    let updated = rt.update(&ctx, &created, &p.after).await.expect("update");
    assert_eq!(attr(&updated, "latest_version"), &n(2));
    assert_eq!(attr(&updated, "default_version"), &n(1));
    assert_eq!(attr_str(&updated, "image_id"), "ami-12c6146b");

    // Both templates (and a gone one) in one read.
    let ids = vec![
        attr_str(&updated, "id").to_string(),
        attr_str(&other, "id").to_string(),
        "lt-0123456789abcdef0".to_string(),
    ];
    let read = rt.read_many(&c, &ids).await.expect("read_many");
    assert_eq!(read.len(), 2);
    assert_eq!(read[&ids[0]], updated);
    for state in [&updated, &other] {
        rt.delete(&ctx, state).await.expect("delete");
    }
    assert!(rt.read_many(&c, &ids).await.unwrap().is_empty());
}

#[tokio::test]
async fn launch_configuration_is_replaced_not_updated() {
    let _moto = exclusive();
    let c = clients().await;
    let ami = some_ami(&c).await;
    let rt = LaunchConfigurationType.as_dyn();
    let extra = extra_tags("aws_launch_configuration.web");
    let ctx = CallContext {
        clients: &c,
        address: "aws_launch_configuration.web",
        extra_tags: &extra,
    };
    let config = Value::map([
        ("name_prefix", s("web-")),
        ("image_id", s(&ami)),
        ("instance_type", s("t3.micro")),
        ("key_name", s("deployer")),
        (
            "user_data",
            s("#!/bin/sh\necho ECS_CLUSTER=main >> /etc/ecs/ecs.config\n"),
        ),
        ("enable_monitoring", Value::Bool(false)),
        (
            "root_block_device",
            list(vec![Value::map([
                ("volume_size", n(30)),
                ("volume_type", s("gp3")),
            ])]),
        ),
    ]);
    let p = plan(rt, &config, None);
    assert_eq!(p.action, Action::Create);
    let created = rt.create(&ctx, &p.after).await.expect("create");
    let name = attr_str(&created, "id").to_string();
    assert!(name.starts_with("web-"));
    assert_eq!(attr_str(&created, "name"), name);
    assert_eq!(attr_str(&created, "name_prefix"), "web-");
    assert!(
        attr_str(&created, "arn").contains(":launchConfiguration:"),
        "{created}"
    );
    let read = rt
        .read_many(&c, std::slice::from_ref(&name))
        .await
        .expect("read");
    assert_eq!(read.get(&name), Some(&created));
    let again = plan(rt, &config, Some(&created));
    assert_eq!(
        again.action,
        Action::NoOp,
        "perpetual diff: {}",
        again.after
    );

    // Any change replaces it; with a prefix the new one can exist alongside the old one.
    let changed = with(&config, &[("instance_type", s("t3.small"))]);
    let p = plan(rt, &changed, Some(&created));
    assert_eq!(p.action, Action::DeleteThenCreate);
    assert_eq!(p.replace_paths, ["instance_type"]);
    let replacement = rt.create(&ctx, &p.after).await.expect("create replacement");
    let new_name = attr_str(&replacement, "id").to_string();
    assert_ne!(new_name, name);
    rt.delete(&ctx, &created).await.expect("delete old");
    let left = rt
        .read_many(&c, &[name.clone(), new_name.clone()])
        .await
        .expect("read both");
    assert_eq!(left.keys().collect::<Vec<_>>(), [&new_name]);
    rt.delete(&ctx, &replacement).await.expect("delete new");
    rt.delete(&ctx, &replacement).await.expect("delete again");
    assert!(rt.read_many(&c, &[new_name]).await.unwrap().is_empty());
}

#[tokio::test]
async fn autoscaling_group_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    let ami = some_ami(&c).await;
    let (_, subnets) = vpc_with_subnets(&c).await;
    let template = launch_template(&c, "asg-web", &ami).await;
    let create = Value::map([
        ("name", s("web")),
        ("min_size", n(1)),
        ("max_size", n(2)),
        ("desired_capacity", n(1)),
        (
            "vpc_zone_identifier",
            list(subnets.iter().map(|i| s(i)).collect()),
        ),
        (
            "launch_template",
            list(vec![Value::map([
                ("id", s(&template)),
                ("version", s("$Latest")),
            ])]),
        ),
        ("health_check_grace_period", n(60)),
        ("wait_for_capacity_timeout", s("1m")),
        (
            "enabled_metrics",
            list(vec![s("GroupMinSize"), s("GroupMaxSize")]),
        ),
        (
            "tag",
            list(vec![Value::map([
                ("key", s("Name")),
                ("value", s("web")),
                ("propagate_at_launch", Value::Bool(true)),
            ])]),
        ),
    ]);
    let update = with(
        &create,
        &[
            ("max_size", n(3)),
            // Added only: moto has no DisableMetricsCollection to take one away.
            (
                "enabled_metrics",
                list(vec![
                    s("GroupMinSize"),
                    s("GroupMaxSize"),
                    s("GroupDesiredCapacity"),
                ]),
            ),
            (
                "tag",
                list(vec![
                    Value::map([
                        ("key", s("Name")),
                        ("value", s("web-2")),
                        ("propagate_at_launch", Value::Bool(true)),
                    ]),
                    Value::map([
                        ("key", s("AmazonECSManaged")),
                        ("value", s("")),
                        ("propagate_at_launch", Value::Bool(true)),
                    ]),
                ]),
            ),
        ],
    );
    conformance(
        AutoscalingGroupType.as_dyn(),
        &c,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "web");
            assert!(
                attr_str(state, "arn").contains(":autoScalingGroup:"),
                "{state}"
            );
            let zones = attr(state, "availability_zones").as_list().unwrap();
            assert_eq!(zones.len(), 2, "{state}");
            assert_eq!(attr(state, "metrics_granularity"), &s("1Minute"));
            let metrics = attr(state, "enabled_metrics").as_list().unwrap();
            match stage {
                Stage::Created => {
                    assert_eq!(attr(state, "max_size"), &n(2));
                    assert_eq!(metrics.len(), 2, "{state}");
                }
                Stage::Updated => {
                    assert_eq!(attr(state, "max_size"), &n(3));
                    assert_eq!(attr(state, "tag").as_list().unwrap().len(), 2);
                    assert_eq!(metrics.len(), 3, "{state}");
                }
            }
        },
    )
    .await;
}

#[tokio::test]
async fn autoscaling_group_tags_target_groups_and_capacity() {
    let _moto = exclusive();
    let c = clients().await;
    let ami = some_ami(&c).await;
    let (vpc, subnets) = vpc_with_subnets(&c).await;
    c.autoscaling
        .create_launch_configuration()
        .launch_configuration_name("lc-web")
        .image_id(&ami)
        .instance_type("t3.micro")
        .send()
        .await
        .expect("CreateLaunchConfiguration");
    let mut target_groups = Vec::new();
    for name in ["tg-a", "tg-b"] {
        let out = c
            .elbv2
            .create_target_group()
            .name(name)
            .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
            .port(80)
            .vpc_id(&vpc)
            .send()
            .await
            .expect("CreateTargetGroup");
        target_groups.push(
            out.target_groups()[0]
                .target_group_arn()
                .unwrap()
                .to_string(),
        );
    }
    let rt = AutoscalingGroupType.as_dyn();
    let address = "aws_autoscaling_group.workers";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let config = Value::map([
        ("name_prefix", s("workers-")),
        ("min_size", n(2)),
        ("max_size", n(4)),
        ("vpc_zone_identifier", list(vec![s(&subnets[0])])),
        ("launch_configuration", s("lc-web")),
        ("target_group_arns", list(vec![s(&target_groups[0])])),
        ("protect_from_scale_in", Value::Bool(true)),
        ("force_delete", Value::Bool(true)),
    ]);
    let p = plan(rt, &config, None);
    let created = rt.create(&ctx, &p.after).await.expect("create");
    let name = attr_str(&created, "id").to_string();
    assert!(name.starts_with("workers-"));
    // Waited for capacity: min_size instances in service.
    let g = c
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(g.auto_scaling_groups()[0].instances().len(), 2);
    assert_eq!(attr(&created, "desired_capacity"), &n(2));
    assert_eq!(attr(&created, "force_delete"), &Value::Bool(true));
    // ecsform's tags are on the group, not propagated, and not in the state.
    let in_aws = asg_tags(&c, &name).await;
    for (k, v) in &extra {
        assert_eq!(in_aws.get(k), Some(&(v.clone(), false)), "{k}: {in_aws:?}");
    }
    assert_eq!(attr(&created, "tag"), &Value::set(vec![]));
    assert_eq!(plan(rt, &config, Some(&created)).action, Action::NoOp);

    // Swap the target group, grow the group.
    let changed = with(
        &config,
        &[
            ("target_group_arns", list(vec![s(&target_groups[1])])),
            ("desired_capacity", n(3)),
        ],
    );
    let p = plan(rt, &changed, Some(&created));
    assert_eq!(p.action, Action::Update);
    let updated = rt.update(&ctx, &created, &p.after).await.expect("update");
    assert_eq!(
        attr(&updated, "target_group_arns"),
        &Value::set(vec![s(&target_groups[1])])
    );
    assert_eq!(attr(&updated, "desired_capacity"), &n(3));
    assert_eq!(plan(rt, &changed, Some(&updated)).action, Action::NoOp);

    rt.delete(&ctx, &updated).await.expect("delete");
    assert!(rt
        .read_many(&c, std::slice::from_ref(&name))
        .await
        .unwrap()
        .is_empty());
    rt.delete(&ctx, &updated).await.expect("delete again");
}

#[tokio::test]
async fn autoscaling_lifecycle_hook_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    let ami = some_ami(&c).await;
    let (_, subnets) = vpc_with_subnets(&c).await;
    let template = launch_template(&c, "hooked", &ami).await;
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("hooked")
        .min_size(0)
        .max_size(1)
        .vpc_zone_identifier(&subnets[0])
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_id(&template)
                .build(),
        )
        .send()
        .await
        .expect("CreateAutoScalingGroup");
    // moto reports fixed ARNs for the role and target, so the test configures those.
    let create = Value::map([
        ("name", s("drain")),
        ("autoscaling_group_name", s("hooked")),
        (
            "lifecycle_transition",
            s("autoscaling:EC2_INSTANCE_TERMINATING"),
        ),
        ("default_result", s("CONTINUE")),
        ("heartbeat_timeout", n(300)),
        ("role_arn", s(MOTO_HOOK_ROLE)),
        ("notification_target_arn", s(MOTO_HOOK_TARGET)),
    ]);
    let update = with(&create, &[("heartbeat_timeout", n(900))]);
    let rt = AutoscalingLifecycleHookType.as_dyn();
    conformance(rt, &c, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "hooked:drain");
        let want = if stage == Stage::Created { 300 } else { 900 };
        assert_eq!(attr(state, "heartbeat_timeout"), &n(want));
    })
    .await;

    // Hooks of a group that is gone are simply absent.
    let gone = rt
        .read_many(&c, &["nosuchgroup:drain".to_string()])
        .await
        .expect("read of a gone group");
    assert!(gone.is_empty());
}

#[tokio::test]
async fn ami_data_source_picks_one_image() {
    let _moto = exclusive();
    let c = clients().await;
    let ds = aws::data_source("aws_ami").expect("registered");
    let conform = |v: Value| ds.schema().conform(&v).expect("conforms");

    let newest = ds
        .read(
            &c,
            &conform(Value::map([
                ("owners", list(vec![s("amazon")])),
                ("most_recent", Value::Bool(true)),
            ])),
        )
        .await
        .expect("most recent amazon image");
    let id = attr_str(&newest, "id").to_string();
    assert!(id.starts_with("ami-"));
    assert_eq!(attr_str(&newest, "image_id"), id);
    let created = attr_str(&newest, "creation_date").to_string();
    assert!(!attr_str(&newest, "root_device_name").is_empty());
    assert!(!attr_str(&newest, "architecture").is_empty());

    // It is the newest of them all.
    let all = c
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap();
    assert!(all.images().len() > 1);
    assert!(all
        .images()
        .iter()
        .all(|i| i.creation_date().unwrap_or_default() <= created.as_str()));

    // Several matches without most_recent are an error.
    let e = ds
        .read(
            &c,
            &conform(Value::map([("owners", list(vec![s("amazon")]))])),
        )
        .await
        .unwrap_err();
    assert!(e.message.contains("more than one result"), "{e}");

    // A filter and a name regex narrow it to one.
    let name = attr_str(&newest, "name").to_string();
    let one = ds
        .read(
            &c,
            &conform(Value::map([
                ("owners", list(vec![s("amazon")])),
                (
                    "filter",
                    list(vec![Value::map([
                        ("name", s("image-id")),
                        ("values", list(vec![s(&id)])),
                    ])]),
                ),
                ("name_regex", s(&format!("^{}$", regex_escape(&name)))),
            ])),
        )
        .await
        .expect("filtered image");
    assert_eq!(attr_str(&one, "id"), id);
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

#[tokio::test]
async fn subnet_and_vpc_data_sources_find_exactly_one() {
    let _moto = exclusive();
    let c = clients().await;
    let (vpc, subnets) = vpc_with_subnets(&c).await;
    c.ec2
        .create_tags()
        .resources(&subnets[1])
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("Tier")
                .value("private")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let subnet = aws::data_source("aws_subnet").expect("registered");
    let conform = |v: Value| subnet.schema().conform(&v).expect("conforms");

    let by_id = subnet
        .read(&c, &conform(Value::map([("id", s(&subnets[0]))])))
        .await
        .expect("by id");
    assert_eq!(attr_str(&by_id, "vpc_id"), vpc);
    assert_eq!(attr_str(&by_id, "cidr_block"), "10.7.0.0/24");
    assert_eq!(attr_str(&by_id, "availability_zone"), "eu-west-1a");

    let by_tag = subnet
        .read(
            &c,
            &conform(Value::map([
                ("vpc_id", s(&vpc)),
                ("tags", tags(&[("Tier", "private")])),
            ])),
        )
        .await
        .expect("by tag");
    assert_eq!(attr_str(&by_tag, "id"), subnets[1]);
    assert_eq!(attr(&by_tag, "tags"), &tags(&[("Tier", "private")]));

    let by_filter = subnet
        .read(
            &c,
            &conform(Value::map([(
                "filter",
                list(vec![Value::map([
                    ("name", s("cidr-block")),
                    ("values", list(vec![s("10.7.1.0/24")])),
                ])]),
            )])),
        )
        .await
        .expect("by filter");
    assert_eq!(attr_str(&by_filter, "id"), subnets[1]);

    let several = subnet
        .read(&c, &conform(Value::map([("vpc_id", s(&vpc))])))
        .await
        .unwrap_err();
    assert!(
        several.message.contains("multiple EC2 Subnets matched"),
        "{several}"
    );
    let none = subnet
        .read(
            &c,
            &conform(Value::map([("cidr_block", s("10.99.0.0/24"))])),
        )
        .await
        .unwrap_err();
    assert!(none.message == "no matching EC2 Subnet found", "{none}");

    let vpc_ds = aws::data_source("aws_vpc").expect("registered");
    let conform = |v: Value| vpc_ds.schema().conform(&v).expect("conforms");
    let default = vpc_ds
        .read(&c, &conform(Value::map([("default", Value::Bool(true))])))
        .await
        .expect("default VPC");
    assert_eq!(attr(&default, "default"), &Value::Bool(true));
    assert!(attr_str(&default, "main_route_table_id").starts_with("rtb-"));
    assert_eq!(attr(&default, "enable_dns_support"), &Value::Bool(true));
    let mine = vpc_ds
        .read(&c, &conform(Value::map([("id", s(&vpc))])))
        .await
        .expect("by id");
    assert_eq!(attr_str(&mine, "cidr_block"), "10.7.0.0/16");
    assert!(attr_str(&mine, "arn").ends_with(&format!(":vpc/{vpc}")));
    let by_cidr = vpc_ds
        .read(&c, &conform(Value::map([("cidr_block", s("10.7.0.0/16"))])))
        .await
        .expect("by cidr");
    assert_eq!(attr_str(&by_cidr, "id"), vpc);
    let none = vpc_ds
        .read(
            &c,
            &conform(Value::map([("cidr_block", s("10.99.0.0/16"))])),
        )
        .await
        .unwrap_err();
    assert!(none.message == "no matching EC2 VPC found", "{none}");
}

/// `&'static dyn ResourceType` from a unit struct, for the helpers.
trait AsDyn {
    fn as_dyn(&self) -> &'static dyn ResourceType;
}

impl<T: ResourceType + 'static> AsDyn for T {
    fn as_dyn(&self) -> &'static dyn ResourceType {
        let name = self.type_name();
        aws::resource_type(name).unwrap_or_else(|| panic!("{name} is not registered"))
    }
}

#[tokio::test]
async fn reads_are_batched() {
    let _moto = exclusive();
    let m = moto();
    let c = clients().await;
    let ami = some_ami(&c).await;
    let (_, subnets) = vpc_with_subnets(&c).await;
    let mut templates = Vec::new();
    let mut groups = Vec::new();
    for name in ["a", "b"] {
        templates.push(launch_template(&c, name, &ami).await);
        c.autoscaling
            .create_launch_configuration()
            .launch_configuration_name(name)
            .image_id(&ami)
            .instance_type("t3.micro")
            .send()
            .await
            .expect("CreateLaunchConfiguration");
        c.autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(name)
            .min_size(0)
            .max_size(1)
            .vpc_zone_identifier(&subnets[0])
            .launch_configuration_name(name)
            .send()
            .await
            .expect("CreateAutoScalingGroup");
        for hook in ["drain", "warm"] {
            c.autoscaling
                .put_lifecycle_hook()
                .auto_scaling_group_name(name)
                .lifecycle_hook_name(hook)
                .lifecycle_transition("autoscaling:EC2_INSTANCE_TERMINATING")
                .send()
                .await
                .expect("PutLifecycleHook");
        }
        groups.push(name.to_string());
    }
    let with_gone = |ids: &[String], gone: &str| {
        let mut ids = ids.to_vec();
        ids.push(gone.to_string());
        ids
    };
    let read = |rt: &'static dyn ResourceType, ids: Vec<String>| {
        let c = c.clone();
        async move {
            m.reset_recording();
            m.recorder_start();
            let found = rt.read_many(&c, &ids).await.expect("read_many");
            m.recorder_stop();
            (found.len(), m.recorded_actions())
        }
    };

    let (found, calls) = read(AutoscalingGroupType.as_dyn(), with_gone(&groups, "gone")).await;
    assert_eq!(
        (found, calls.as_slice()),
        (2, &["DescribeAutoScalingGroups".to_string()][..])
    );

    let (found, calls) = read(LaunchConfigurationType.as_dyn(), with_gone(&groups, "gone")).await;
    assert_eq!(found, 2);
    assert_eq!(calls, ["DescribeLaunchConfigurations"]);

    // One request per group, for all its hooks.
    let hooks: Vec<String> = ["a:drain", "a:warm", "b:drain", "gone:drain"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (found, calls) = read(AutoscalingLifecycleHookType.as_dyn(), hooks).await;
    assert_eq!(found, 3);
    assert_eq!(
        calls,
        [
            "DescribeLifecycleHooks",
            "DescribeLifecycleHooks",
            "DescribeLifecycleHooks"
        ]
    );

    // Templates, then the latest versions of all of them at once.
    let (found, calls) = read(LaunchTemplateType.as_dyn(), templates.clone()).await;
    assert_eq!(found, 2);
    assert_eq!(
        calls,
        ["DescribeLaunchTemplates", "DescribeLaunchTemplateVersions"]
    );
}

/// A security group in `vpc`, by name.
async fn security_group(c: &AwsClients, vpc: &str, name: &str) -> String {
    c.ec2
        .create_security_group()
        .vpc_id(vpc)
        .group_name(name)
        .description(name)
        .send()
        .await
        .expect("CreateSecurityGroup")
        .group_id()
        .expect("group id")
        .to_string()
}

async fn instance_profile(c: &AwsClients, name: &str) {
    c.iam
        .create_instance_profile()
        .instance_profile_name(name)
        .send()
        .await
        .expect("CreateInstanceProfile");
}

#[tokio::test]
async fn aws_instance_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = aws::resource_type("aws_instance").expect("registered");
    let ami = some_ami(&c).await;
    let (vpc, subnets) = vpc_with_subnets(&c).await;
    let sg_a = security_group(&c, &vpc, "bastion-a").await;
    let sg_b = security_group(&c, &vpc, "bastion-b").await;
    instance_profile(&c, "bastion-a").await;
    instance_profile(&c, "bastion-b").await;
    let create = Value::map([
        ("ami", s(&ami)),
        ("instance_type", s("t3.micro")),
        ("subnet_id", s(&subnets[0])),
        ("vpc_security_group_ids", Value::set(vec![s(&sg_a)])),
        ("user_data", s("#!/bin/sh\necho one\n")),
        ("instance_initiated_shutdown_behavior", s("stop")),
        ("tags", tags(&[("Name", "bastion")])),
        ("volume_tags", tags(&[("Backup", "daily")])),
        (
            "metadata_options",
            list(vec![Value::map([("http_tokens", s("required"))])]),
        ),
        (
            "root_block_device",
            list(vec![Value::map([
                ("volume_size", n(10)),
                ("volume_type", s("gp3")),
            ])]),
        ),
    ]);
    // Everything that changes in place: the type (stopped, changed, started), groups,
    // profile, protections, metadata options, root volume, tags. (User data changes the same
    // way; moto wants it encoded twice, see the type's unit tests.)
    let update = with(
        &create,
        &[
            ("instance_type", s("t3.small")),
            ("vpc_security_group_ids", Value::set(vec![s(&sg_b)])),
            ("iam_instance_profile", s("bastion-a")),
            ("source_dest_check", Value::Bool(false)),
            ("disable_api_termination", Value::Bool(true)),
            ("instance_initiated_shutdown_behavior", s("terminate")),
            ("tags", tags(&[("Name", "bastion"), ("Team", "ops")])),
            ("volume_tags", tags(&[("Backup", "weekly")])),
            (
                "metadata_options",
                list(vec![Value::map([
                    ("http_tokens", s("required")),
                    ("http_put_response_hop_limit", n(2)),
                ])]),
            ),
            (
                "root_block_device",
                list(vec![Value::map([
                    ("volume_size", n(20)),
                    ("volume_type", s("gp3")),
                ])]),
            ),
        ],
    );
    let subnet = subnets[0].clone();
    conformance(rt, &c, create.clone(), update, |stage, state| {
        assert!(attr_str(state, "id").starts_with("i-"));
        assert!(
            attr_str(state, "arn").ends_with(&format!(":instance/{}", attr_str(state, "id"))),
            "{state}"
        );
        assert_eq!(attr_str(state, "instance_state"), "running");
        assert_eq!(attr_str(state, "subnet_id"), subnet);
        assert_eq!(attr_str(state, "availability_zone"), "eu-west-1a");
        assert!(attr_str(state, "primary_network_interface_id").starts_with("eni-"));
        assert!(
            attr_str(state, "private_ip").starts_with("10.7.0."),
            "{state}"
        );
        let root = &attr(state, "root_block_device").as_list().unwrap()[0];
        assert!(attr_str(root, "volume_id").starts_with("vol-"));
        assert!(!attr_str(root, "device_name").is_empty());
        let md = &attr(state, "metadata_options").as_list().unwrap()[0];
        assert_eq!(attr_str(md, "http_endpoint"), "enabled");
        match stage {
            Stage::Created => {
                assert_eq!(attr(state, "source_dest_check"), &Value::Bool(true));
                assert_eq!(attr(state, "disable_api_termination"), &Value::Bool(false));
                assert_eq!(attr(root, "volume_size"), &n(10));
            }
            Stage::Updated => {
                assert_eq!(attr(state, "source_dest_check"), &Value::Bool(false));
                assert_eq!(attr(md, "http_put_response_hop_limit"), &n(2));
                assert_eq!(attr(root, "volume_size"), &n(20));
            }
        }
    })
    .await;

    // With user_data_replace_on_change, new user data replaces the instance instead.
    let replacing = with(
        &create,
        &[("user_data_replace_on_change", Value::Bool(true))],
    );
    let address = "aws_instance.bastion";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let created = rt
        .create(&ctx, &plan(rt, &replacing, None).after)
        .await
        .expect("create");
    assert_eq!(plan(rt, &replacing, Some(&created)).action, Action::NoOp);
    let new_data = with(&replacing, &[("user_data", s("#!/bin/sh\necho three\n"))]);
    let p = plan(rt, &new_data, Some(&created));
    assert_eq!(p.action, Action::DeleteThenCreate);
    assert_eq!(p.replace_paths, ["user_data"]);
    // Another instance profile replaces the association (which moto does not show in
    // DescribeInstances: the association is checked instead).
    let mut state = created.clone();
    for profile in ["bastion-a", "bastion-b"] {
        let config = with(&replacing, &[("iam_instance_profile", s(profile))]);
        let p = plan(rt, &config, Some(&state));
        assert_eq!(p.action, Action::Update, "{:?}", p.replace_paths);
        state = rt.update(&ctx, &state, &p.after).await.expect("update");
        let associations = c
            .ec2
            .describe_iam_instance_profile_associations()
            .send()
            .await
            .expect("DescribeIamInstanceProfileAssociations");
        let arns: Vec<&str> = associations
            .iam_instance_profile_associations()
            .iter()
            .filter(|a| a.instance_id() == Some(attr_str(&created, "id")))
            .filter_map(|a| a.iam_instance_profile()?.arn())
            .collect();
        assert_eq!(arns.len(), 1, "{arns:?}");
        assert!(arns[0].ends_with(&format!("/{profile}")), "{arns:?}");
    }
    // A new subnet replaces it too, as in the provider.
    let moved = with(&create, &[("subnet_id", s(&subnets[1]))]);
    assert_eq!(
        plan(rt, &moved, Some(&created)).replace_paths,
        ["subnet_id"]
    );

    // Refresh: one DescribeInstances for all, one DescribeVolumes, and the four attributes
    // DescribeInstanceAttribute reads one at a time; a terminated instance is gone.
    let id = attr_str(&created, "id").to_string();
    let m = moto();
    m.reset_recording();
    m.recorder_start();
    let found = rt
        .read_many(&c, &[id.clone(), "i-0123456789abcdef0".to_string()])
        .await
        .expect("read_many");
    m.recorder_stop();
    assert_eq!(found.len(), 1);
    let mut calls = m.recorded_actions();
    calls.sort();
    assert_eq!(
        calls,
        [
            "DescribeInstanceAttribute",
            "DescribeInstanceAttribute",
            "DescribeInstanceAttribute",
            "DescribeInstanceAttribute",
            "DescribeInstances",
            "DescribeInstances",
            "DescribeVolumes"
        ]
    );
    rt.delete(&ctx, &created).await.expect("delete");
    assert!(rt.read_many(&c, &[id]).await.unwrap().is_empty());
}
