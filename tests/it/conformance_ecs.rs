//! Conformance of the ECS resource types against moto: `aws_ecs_cluster`,
//! `aws_ecs_capacity_provider`, `aws_ecs_cluster_capacity_providers`,
//! `aws_ecs_task_definition` and `aws_ecs_service`, with tags checked through ECS's own
//! ListTagsForResource. Prerequisites (a cluster for a service, an Auto Scaling group for a
//! capacity provider) are made with plain SDK calls so that each test exercises one type.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::resources::ecs_capacity_provider::EcsCapacityProviderType;
use ecsform::aws::resources::ecs_cluster::EcsClusterType;
use ecsform::aws::resources::ecs_cluster_capacity_providers::EcsClusterCapacityProvidersType;
use ecsform::aws::resources::ecs_service::EcsServiceType;
use ecsform::aws::resources::ecs_task_definition::EcsTaskDefinitionType;
use ecsform::aws::AwsClients;
use ecsform::aws::ResourceType;
use ecsform::lang::Value;
use ecsform::plan::Action;
use support::conformance::{conformance, conformance_with_tags, Stage};
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn n(v: i32) -> Value {
    Value::number(v)
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

/// ECS's tags for an ARN (ecsform's own included).
fn ecs_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let m = state.as_map().expect("state is an object");
        let arn = m
            .get("arn")
            .and_then(Value::as_str)
            .or_else(|| m.get("id").and_then(Value::as_str))
            .expect("an ARN")
            .to_string();
        let out = c
            .ecs
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .expect("ListTagsForResource");
        out.tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    })
}

fn setting(name: &str, value: &str) -> Value {
    Value::map([("name", s(name)), ("value", s(value))])
}

#[tokio::test]
async fn aws_ecs_cluster_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("main")),
        (
            "setting",
            Value::List(vec![setting("containerInsights", "enabled")]),
        ),
        ("tags", tags(&[("Name", "main")])),
    ]);
    let update = Value::map([
        ("name", s("main")),
        (
            "setting",
            Value::List(vec![setting("containerInsights", "disabled")]),
        ),
        (
            "configuration",
            Value::List(vec![Value::map([(
                "execute_command_configuration",
                Value::List(vec![Value::map([
                    ("kms_key_id", s("alias/exec")),
                    ("logging", s("OVERRIDE")),
                    (
                        "log_configuration",
                        Value::List(vec![Value::map([
                            ("cloud_watch_log_group_name", s("/ecs/exec")),
                            ("cloud_watch_encryption_enabled", Value::Bool(true)),
                            ("s3_bucket_name", s("exec-logs")),
                            ("s3_key_prefix", s("exec/")),
                        ])]),
                    ),
                ])]),
            )])]),
        ),
        ("tags", tags(&[("Name", "main"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &EcsClusterType,
        &c,
        ecs_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(
                attr_str(state, "id"),
                "arn:aws:ecs:eu-west-1:123456789012:cluster/main"
            );
            assert_eq!(attr(state, "arn"), attr(state, "id"));
            let want = if stage == Stage::Created {
                "enabled"
            } else {
                "disabled"
            };
            let settings = attr(state, "setting").as_list().unwrap();
            assert_eq!(settings.len(), 1, "{state}");
            assert_eq!(attr_str(&settings[0], "value"), want);
            let n_config = if stage == Stage::Created { 0 } else { 1 };
            assert_eq!(
                attr(state, "configuration").as_list().unwrap().len(),
                n_config
            );
        },
    )
    .await;
}

/// An empty Auto Scaling group (no instances) and its ARN.
async fn asg(c: &AwsClients, name: &str) -> String {
    let images = c
        .ec2
        .describe_images()
        .send()
        .await
        .expect("DescribeImages");
    let image = images.images()[0].image_id().expect("image id").to_string();
    c.autoscaling
        .create_launch_configuration()
        .launch_configuration_name(name)
        .image_id(image)
        .instance_type("t3.micro")
        .send()
        .await
        .expect("CreateLaunchConfiguration");
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .launch_configuration_name(name)
        .min_size(0)
        .max_size(0)
        .desired_capacity(0)
        .availability_zones("eu-west-1a")
        .send()
        .await
        .expect("CreateAutoScalingGroup");
    let out = c
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .expect("DescribeAutoScalingGroups");
    out.auto_scaling_groups()[0]
        .auto_scaling_group_arn()
        .expect("group ARN")
        .to_string()
}

async fn ecs_cluster(c: &AwsClients, name: &str) -> String {
    let out = c
        .ecs
        .create_cluster()
        .cluster_name(name)
        .send()
        .await
        .expect("CreateCluster");
    out.cluster()
        .and_then(|c| c.cluster_arn())
        .expect("cluster ARN")
        .to_string()
}

#[tokio::test]
async fn aws_ecs_capacity_provider_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let group = asg(&c, "ecs-hosts").await;
    let create = Value::map([
        ("name", s("hosts")),
        (
            "auto_scaling_group_provider",
            Value::List(vec![Value::map([("auto_scaling_group_arn", s(&group))])]),
        ),
        ("tags", tags(&[("Name", "hosts")])),
    ]);
    let update = Value::map([
        ("name", s("hosts")),
        (
            "auto_scaling_group_provider",
            Value::List(vec![Value::map([
                ("auto_scaling_group_arn", s(&group)),
                (
                    "managed_scaling",
                    Value::List(vec![Value::map([
                        ("status", s("ENABLED")),
                        ("target_capacity", n(80)),
                        ("maximum_scaling_step_size", n(5)),
                    ])]),
                ),
            ])]),
        ),
        ("tags", tags(&[("Name", "hosts"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &EcsCapacityProviderType,
        &c,
        ecs_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(
                attr_str(state, "id"),
                "arn:aws:ecs:eu-west-1:123456789012:capacity-provider/hosts"
            );
            let b = &attr(state, "auto_scaling_group_provider")
                .as_list()
                .unwrap()[0];
            assert_eq!(attr_str(b, "auto_scaling_group_arn"), group);
            let (status, target) = match stage {
                Stage::Created => ("DISABLED", 100),
                Stage::Updated => ("ENABLED", 80),
            };
            let scaling = &attr(b, "managed_scaling").as_list().unwrap()[0];
            assert_eq!(attr_str(scaling, "status"), status);
            assert_eq!(attr(scaling, "target_capacity"), &n(target));
            assert_eq!(attr(scaling, "instance_warmup_period"), &n(300));
            assert_eq!(attr_str(b, "managed_draining"), "ENABLED");
        },
    )
    .await;
}

/// Another Auto Scaling group replaces the capacity provider: the ARN inside the block
/// forces a new one.
#[test]
fn aws_ecs_capacity_provider_is_replaced_for_another_group() {
    let config = |arn: &str| {
        Value::map([
            ("name", s("hosts")),
            (
                "auto_scaling_group_provider",
                Value::List(vec![Value::map([("auto_scaling_group_arn", s(arn))])]),
            ),
        ])
    };
    let prior = EcsCapacityProviderType
        .schema()
        .conform(&config("arn:one"))
        .unwrap();
    let p = support::conformance::plan(&EcsCapacityProviderType, &config("arn:two"), Some(&prior));
    assert_eq!(p.action, ecsform::plan::Action::DeleteThenCreate);
    assert_eq!(p.replace_paths, ["auto_scaling_group_provider"]);
}

fn strategy(provider: &str, weight: i32, base: i32) -> Value {
    Value::map([
        ("capacity_provider", s(provider)),
        ("weight", n(weight)),
        ("base", n(base)),
    ])
}

#[tokio::test]
async fn aws_ecs_cluster_capacity_providers_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let cluster = ecs_cluster(&c, "apps").await;
    let group = asg(&c, "apps-hosts").await;
    c.ecs
        .create_capacity_provider()
        .name("apps-hosts")
        .auto_scaling_group_provider(
            aws_sdk_ecs::types::AutoScalingGroupProvider::builder()
                .auto_scaling_group_arn(&group)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateCapacityProvider");
    let providers = |names: &[&str]| Value::List(names.iter().map(|p| s(p)).collect());
    let create = Value::map([
        // The cluster's ARN, as `aws_ecs_cluster.x.arn` gives it, reads back as its name.
        ("cluster_name", s(&cluster)),
        ("capacity_providers", providers(&["apps-hosts"])),
        (
            "default_capacity_provider_strategy",
            Value::List(vec![strategy("apps-hosts", 1, 0)]),
        ),
    ]);
    let update = Value::map([
        ("cluster_name", s("apps")),
        ("capacity_providers", providers(&["apps-hosts", "FARGATE"])),
        (
            "default_capacity_provider_strategy",
            Value::List(vec![
                strategy("apps-hosts", 2, 1),
                strategy("FARGATE", 1, 0),
            ]),
        ),
    ]);
    conformance(
        &EcsClusterCapacityProvidersType,
        &c,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "apps");
            let n_strategies = if stage == Stage::Created { 1 } else { 2 };
            assert_eq!(
                attr(state, "default_capacity_provider_strategy")
                    .as_list()
                    .unwrap()
                    .len(),
                n_strategies
            );
        },
    )
    .await;
}

/// Written as a person would: keys in their own order, indented, ECS's defaults left out.
const CONTAINERS: &str = r#"[
  {
    "name": "web",
    "image": "nginx:1.25",
    "memory": 256,
    "portMappings": [{ "containerPort": 80 }],
    "environment": [
      { "name": "MODE", "value": "prod" },
      { "name": "LEVEL", "value": "info" }
    ],
    "logConfiguration": {
      "logDriver": "awslogs",
      "options": { "awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1" }
    }
  }
]"#;

/// The same document: other key order, no whitespace, defaults spelled out.
const CONTAINERS_REORDERED: &str = r#"[{"environment":[{"value":"info","name":"LEVEL"},{"name":"MODE","value":"prod"}],"essential":true,"cpu":0,"memory":256,"image":"nginx:1.25","name":"web","mountPoints":[],"portMappings":[{"protocol":"tcp","hostPort":80,"containerPort":80}],"volumesFrom":[],"logConfiguration":{"options":{"awslogs-region":"eu-west-1","awslogs-group":"/ecs/web"},"logDriver":"awslogs"}}]"#;

fn task_definition(containers: &str, tag_pairs: &[(&str, &str)]) -> Value {
    Value::map([
        ("family", s("web")),
        ("container_definitions", s(containers)),
        ("network_mode", s("awsvpc")),
        ("cpu", s("256")),
        ("memory", s("512")),
        ("requires_compatibilities", Value::List(vec![s("EC2")])),
        (
            "volume",
            Value::List(vec![Value::map([
                ("name", s("data")),
                ("host_path", s("/srv/data")),
            ])]),
        ),
        ("runtime_platform", runtime_platform("ARM64")),
        ("tags", tags(tag_pairs)),
    ])
}

fn runtime_platform(cpu_architecture: &str) -> Value {
    Value::List(vec![Value::map([
        ("operating_system_family", s("LINUX")),
        ("cpu_architecture", s(cpu_architecture)),
    ])])
}

#[tokio::test]
async fn aws_ecs_task_definition_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = task_definition(CONTAINERS, &[("Name", "web")]);
    let update = task_definition(CONTAINERS, &[("Name", "web"), ("Env", "test")]);
    conformance_with_tags(
        &EcsTaskDefinitionType,
        &c,
        ecs_tags,
        create,
        update,
        |_, state| {
            let arn = attr_str(state, "arn");
            assert_eq!(
                arn,
                "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1"
            );
            assert_eq!(attr(state, "id"), attr(state, "arn"));
            assert_eq!(
                attr_str(state, "arn_without_revision"),
                "arn:aws:ecs:eu-west-1:123456789012:task-definition/web"
            );
            assert_eq!(attr(state, "revision"), &n(1));
            let containers = attr_str(state, "container_definitions");
            assert!(containers.contains(r#""hostPort":80"#), "{containers}");
            assert_eq!(attr(state, "runtime_platform"), &runtime_platform("ARM64"));
        },
    )
    .await;
}

/// A new image registers a new revision (replace); the same document written differently
/// changes nothing.
#[tokio::test]
async fn aws_ecs_task_definition_changes_replace_and_formatting_does_not() {
    let _moto = exclusive();
    let c = clients().await;
    let address = "aws_ecs_task_definition.web";
    let extra = support::conformance::extra_tags(address);
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let config = task_definition(CONTAINERS, &[]);
    let planned = support::conformance::plan(&EcsTaskDefinitionType, &config, None);
    let created = EcsTaskDefinitionType
        .create(&ctx, &planned.after)
        .await
        .unwrap();
    let arn = attr_str(&created, "id").to_string();
    let read = EcsTaskDefinitionType
        .read_many(&c, std::slice::from_ref(&arn))
        .await
        .unwrap()[&arn]
        .clone();

    let same = task_definition(CONTAINERS_REORDERED, &[]);
    let p = support::conformance::plan(&EcsTaskDefinitionType, &same, Some(&read));
    assert_eq!(p.action, Action::NoOp, "{}", p.after);

    let newer = task_definition(&CONTAINERS.replace("nginx:1.25", "nginx:1.27"), &[]);
    let p = support::conformance::plan(&EcsTaskDefinitionType, &newer, Some(&read));
    assert_eq!(p.action, Action::DeleteThenCreate);
    assert_eq!(p.replace_paths, ["container_definitions"]);

    let mut other_platform = config.clone();
    if let Value::Map(m) = &mut other_platform {
        m.insert("runtime_platform".into(), runtime_platform("X86_64"));
    }
    let q = support::conformance::plan(&EcsTaskDefinitionType, &other_platform, Some(&read));
    assert_eq!(q.action, Action::DeleteThenCreate);
    assert_eq!(q.replace_paths, ["runtime_platform"]);

    // The replacement: the old revision is deregistered, the new one is revision 2.
    EcsTaskDefinitionType.delete(&ctx, &read).await.unwrap();
    let replaced = EcsTaskDefinitionType.create(&ctx, &p.after).await.unwrap();
    assert_eq!(attr(&replaced, "revision"), &n(2));
    let found = EcsTaskDefinitionType
        .read_many(&c, &[arn.clone(), attr_str(&replaced, "id").to_string()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "the deregistered revision is gone");

    // skip_destroy keeps the revision registered.
    let mut kept = replaced.clone();
    if let Value::Map(m) = &mut kept {
        m.insert("skip_destroy".into(), Value::Bool(true));
    }
    EcsTaskDefinitionType.delete(&ctx, &kept).await.unwrap();
    let id = attr_str(&replaced, "id").to_string();
    let found = EcsTaskDefinitionType
        .read_many(&c, std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

/// A VPC with one subnet and one security group, for `awsvpc` services.
async fn network(c: &AwsClients, cidr: &str, subnet_cidr: &str) -> (String, String) {
    let vpc = c
        .ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateVpc")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let subnet = c
        .ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block(subnet_cidr)
        .send()
        .await
        .expect("CreateSubnet")
        .subnet()
        .and_then(|s| s.subnet_id())
        .expect("subnet id")
        .to_string();
    let sg = c
        .ec2
        .create_security_group()
        .vpc_id(&vpc)
        .group_name("tasks")
        .description("tasks")
        .send()
        .await
        .expect("CreateSecurityGroup")
        .group_id()
        .expect("group id")
        .to_string();
    (subnet, sg)
}

async fn registered_task_definition(c: &AwsClients, family: &str) -> String {
    let containers = ecsform::aws::resources::ecs_container_definitions::to_sdk(
        r#"[{"name":"web","image":"nginx","memory":256,"portMappings":[{"containerPort":80}]}]"#,
    )
    .unwrap();
    c.ecs
        .register_task_definition()
        .family(family)
        .set_container_definitions(Some(containers))
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .send()
        .await
        .expect("RegisterTaskDefinition")
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition ARN")
        .to_string()
}

fn service_config(
    cluster: &str,
    task_definition: &str,
    subnet: &str,
    sg: &str,
    desired: i32,
    extra: &[(&str, Value)],
) -> Value {
    let mut m = BTreeMap::from([
        ("name".to_string(), s("web")),
        ("cluster".to_string(), s(cluster)),
        ("task_definition".to_string(), s(task_definition)),
        ("desired_count".to_string(), n(desired)),
        ("launch_type".to_string(), s("EC2")),
        (
            "network_configuration".to_string(),
            Value::List(vec![Value::map([
                ("subnets", Value::List(vec![s(subnet)])),
                ("security_groups", Value::List(vec![s(sg)])),
            ])]),
        ),
    ]);
    for (k, v) in extra {
        m.insert(k.to_string(), v.clone());
    }
    Value::Map(m)
}

#[tokio::test]
async fn aws_ecs_service_conforms() {
    const REGISTRY: &str = "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-web";
    let _moto = exclusive();
    let c = clients().await;
    let cluster = ecs_cluster(&c, "svc").await;
    let td = registered_task_definition(&c, "svc-web").await;
    let (subnet, sg) = network(&c, "10.20.0.0/16", "10.20.1.0/24").await;
    let create = service_config(
        &cluster,
        &td,
        &subnet,
        &sg,
        1,
        &[("tags", tags(&[("Name", "web")]))],
    );
    let update = service_config(
        &cluster,
        &td,
        &subnet,
        &sg,
        2,
        &[
            ("wait_for_steady_state", Value::Bool(true)),
            ("deployment_minimum_healthy_percent", n(50)),
            (
                "deployment_circuit_breaker",
                Value::List(vec![Value::map([
                    ("enable", Value::Bool(true)),
                    ("rollback", Value::Bool(true)),
                ])]),
            ),
            ("tags", tags(&[("Name", "web"), ("Env", "test")])),
            (
                "service_registries",
                Value::List(vec![Value::map([
                    ("registry_arn", s(REGISTRY)),
                    ("container_name", s("web")),
                    ("container_port", n(80)),
                ])]),
            ),
        ],
    );
    conformance_with_tags(
        &EcsServiceType,
        &c,
        ecs_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(
                attr_str(state, "id"),
                "arn:aws:ecs:eu-west-1:123456789012:service/svc/web"
            );
            assert_eq!(attr_str(state, "cluster"), "svc");
            assert_eq!(attr_str(state, "task_definition"), "svc-web:1");
            let desired = if stage == Stage::Created { 1 } else { 2 };
            assert_eq!(attr(state, "desired_count"), &n(desired));
            assert_eq!(attr_str(state, "scheduling_strategy"), "REPLICA");
            assert_eq!(attr(state, "deployment_maximum_percent"), &n(200));
            // The Cloud Map registry is added in place.
            let registries = attr(state, "service_registries").as_list().unwrap();
            if stage == Stage::Created {
                assert!(registries.is_empty(), "{registries:?}");
            } else {
                assert_eq!(attr_str(&registries[0], "registry_arn"), REGISTRY);
                assert_eq!(attr(&registries[0], "container_port"), &n(80));
            }
        },
    )
    .await;
}

/// Refresh asks once per cluster for up to 10 services; services that are gone are left out.
#[tokio::test]
async fn aws_ecs_service_reads_are_batched_per_cluster() {
    let _moto = exclusive();
    let c = clients().await;
    let m = moto();
    ecs_cluster(&c, "one").await;
    ecs_cluster(&c, "two").await;
    let td = registered_task_definition(&c, "batch").await;
    let mut arns = Vec::new();
    for (cluster, name) in [("one", "a"), ("one", "b"), ("one", "c"), ("two", "d")] {
        let out = c
            .ecs
            .create_service()
            .cluster(cluster)
            .service_name(name)
            .task_definition(&td)
            .desired_count(0)
            .send()
            .await
            .expect("CreateService");
        arns.push(out.service().unwrap().service_arn().unwrap().to_string());
    }
    c.ecs
        .delete_service()
        .cluster("one")
        .service("c")
        .force(true)
        .send()
        .await
        .unwrap();
    m.recorder_start();
    let found = EcsServiceType.read_many(&c, &arns).await.unwrap();
    m.recorder_stop();
    assert_eq!(found.len(), 3, "{:?}", found.keys());
    assert!(!found.contains_key(&arns[2]));
    assert_eq!(
        m.recorded_actions(),
        ["DescribeServices", "DescribeServices"]
    );
}

/// A change of `triggers` (which AWS does not store) redeploys the service in place:
/// UpdateService with forceNewDeployment, and the new map kept in state.
#[tokio::test]
async fn aws_ecs_service_triggers_redeploy_in_place() {
    let _moto = exclusive();
    let c = clients().await;
    let m = moto();
    let cluster = ecs_cluster(&c, "trig").await;
    let td = registered_task_definition(&c, "trig-web").await;
    let (subnet, sg) = network(&c, "10.30.0.0/16", "10.30.1.0/24").await;
    let with = |t: &str| {
        service_config(
            &cluster,
            &td,
            &subnet,
            &sg,
            1,
            &[("triggers", Value::map([("redeploy", s(t))]))],
        )
    };
    m.reset_recording();
    m.recorder_start();
    conformance_with_tags(
        &EcsServiceType,
        &c,
        ecs_tags,
        with("1"),
        with("2"),
        |stage, state| {
            let want = if stage == Stage::Created { "1" } else { "2" };
            assert_eq!(
                attr(state, "triggers"),
                &Value::map([("redeploy", s(want))])
            );
        },
    )
    .await;
    m.recorder_stop();
    let updates: Vec<String> = m
        .recorded_calls()
        .iter()
        .filter(|call| {
            call["headers"]
                .as_object()
                .into_iter()
                .flatten()
                .any(|(k, v)| {
                    k.eq_ignore_ascii_case("x-amz-target")
                        && v.as_str().is_some_and(|t| t.ends_with(".UpdateService"))
                })
        })
        .map(|call| {
            use base64::Engine as _;
            let body = call["body"].as_str().unwrap_or_default();
            if call["body_encoded"].as_bool() == Some(true) {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .expect("base64");
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                body.to_string()
            }
        })
        .collect();
    // The update redeploys and changes nothing else; the deletion's scale to 0 follows.
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert!(
        updates[0].contains("\"forceNewDeployment\":true") && !updates[0].contains("desiredCount"),
        "{}",
        updates[0]
    );
    assert!(updates[1].contains("\"desiredCount\":0"), "{}", updates[1]);
}
