//! Conformance of the scaling types against moto: `aws_autoscaling_policy` (simple, step and
//! target tracking scaling of an Auto Scaling group), `aws_appautoscaling_target` and
//! `aws_appautoscaling_policy` (an ECS service's desired count scaled on CPU), and
//! `aws_cloudwatch_metric_alarm` (a group's CPU alarm running its step policy).
//!
//! Prerequisites (an Auto Scaling group, an ECS cluster and service) are made with plain SDK
//! calls so that each test exercises one type.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws;
use ecsform::aws::refresh_batch::RefreshBatch;
use ecsform::aws::resources::autoscaling_policy::AutoscalingPolicyType;
use ecsform::aws::AwsClients;
use ecsform::aws::{ImportIdError, ResourceType};
use ecsform::lang::Value;
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

fn list(items: Vec<Value>) -> Value {
    Value::List(items)
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

fn registered(name: &str) -> &'static dyn ResourceType {
    aws::resource_type(name).unwrap_or_else(|| panic!("{name} is not registered"))
}

/// An Auto Scaling group without instances, from a launch configuration.
async fn empty_group(c: &AwsClients, name: &str) {
    let ami = c
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("DescribeImages")
        .images()
        .iter()
        .find_map(|i| i.image_id().map(String::from))
        .expect("moto has amazon images");
    c.autoscaling
        .create_launch_configuration()
        .launch_configuration_name(name)
        .image_id(ami)
        .instance_type("t3.micro")
        .send()
        .await
        .expect("CreateLaunchConfiguration");
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .launch_configuration_name(name)
        .min_size(0)
        .max_size(4)
        .availability_zones("eu-west-1a")
        .send()
        .await
        .expect("CreateAutoScalingGroup");
}

fn step(lower: &str, upper: &str, adjustment: i32) -> Value {
    Value::map([
        ("metric_interval_lower_bound", s(lower)),
        ("metric_interval_upper_bound", s(upper)),
        ("scaling_adjustment", n(adjustment)),
    ])
}

#[tokio::test]
async fn aws_autoscaling_policy_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    empty_group(&c, "scaled").await;
    let rt = AutoscalingPolicyType.as_dyn_registered();

    // Simple scaling.
    let create = Value::map([
        ("name", s("scale-out")),
        ("autoscaling_group_name", s("scaled")),
        ("adjustment_type", s("ChangeInCapacity")),
        ("scaling_adjustment", n(1)),
        ("cooldown", n(120)),
    ]);
    let update = with(
        &create,
        &[("scaling_adjustment", n(2)), ("cooldown", n(60))],
    );
    conformance(rt, &c, create, update, |_, state| {
        assert_eq!(attr_str(state, "id"), "scale-out");
        assert_eq!(attr_str(state, "policy_type"), "SimpleScaling");
        assert!(attr_str(state, "arn").contains("policyName/scale-out"));
    })
    .await;

    // Step scaling: the steps are a set, open ends unset.
    let create = Value::map([
        ("name", s("steps")),
        ("autoscaling_group_name", s("scaled")),
        ("policy_type", s("StepScaling")),
        ("adjustment_type", s("ChangeInCapacity")),
        ("metric_aggregation_type", s("Average")),
        ("estimated_instance_warmup", n(90)),
        (
            "step_adjustment",
            list(vec![step("0", "10", 1), step("10", "", 2)]),
        ),
    ]);
    let update = with(
        &create,
        &[(
            "step_adjustment",
            list(vec![
                step("0", "10", 1),
                step("10", "20", 2),
                step("20", "", 3),
            ]),
        )],
    );
    conformance(rt, &c, create, update, |_, state| {
        assert_eq!(attr_str(state, "policy_type"), "StepScaling");
    })
    .await;

    // Target tracking on a predefined metric.
    let tracking = |target: i32| {
        list(vec![Value::map([
            ("target_value", n(target)),
            (
                "predefined_metric_specification",
                list(vec![Value::map([(
                    "predefined_metric_type",
                    s("ASGAverageCPUUtilization"),
                )])]),
            ),
        ])])
    };
    let create = Value::map([
        ("name", s("cpu")),
        ("autoscaling_group_name", s("scaled")),
        ("policy_type", s("TargetTrackingScaling")),
        ("target_tracking_configuration", tracking(50)),
    ]);
    let update = with(&create, &[("target_tracking_configuration", tracking(60))]);
    conformance(rt, &c, create.clone(), update, |_, state| {
        let t = &attr(state, "target_tracking_configuration")
            .as_list()
            .unwrap()[0];
        assert_eq!(attr(t, "disable_scale_in"), &Value::Bool(false));
    })
    .await;

    // The provider's import ID names the group; another group's name is not found.
    let ctx_extra = support::conformance::extra_tags("aws_autoscaling_policy.cpu");
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address: "aws_autoscaling_policy.cpu",
        extra_tags: &ctx_extra,
    };
    let planned = support::conformance::plan(rt, &create, None).after;
    let created = rt.create(&ctx, &planned).await.expect("create");
    assert_eq!(rt.import_id(&c, "scaled/cpu").await.unwrap(), "cpu");
    assert!(matches!(
        rt.import_id(&c, "other/cpu").await,
        Err(ImportIdError::NotFound)
    ));
    assert!(matches!(
        rt.import_id(&c, "cpu").await,
        Err(ImportIdError::Malformed(_))
    ));
    rt.delete(&ctx, &created).await.expect("delete");
}

/// `&'static dyn ResourceType` of a registered unit struct.
trait AsDynRegistered {
    fn as_dyn_registered(&self) -> &'static dyn ResourceType;
}

impl<T: ResourceType + 'static> AsDynRegistered for T {
    fn as_dyn_registered(&self) -> &'static dyn ResourceType {
        registered(self.type_name())
    }
}

/// An ECS cluster with one service (no tasks), for Application Auto Scaling to scale.
async fn ecs_service(c: &AwsClients, cluster: &str, service: &str) -> String {
    c.ecs
        .create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .expect("CreateCluster");
    let td = c
        .ecs
        .register_task_definition()
        .family(service)
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .cpu(64)
                .memory(64)
                .build(),
        )
        .send()
        .await
        .expect("RegisterTaskDefinition")
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition ARN")
        .to_string();
    c.ecs
        .create_service()
        .cluster(cluster)
        .service_name(service)
        .task_definition(td)
        .desired_count(0)
        .send()
        .await
        .expect("CreateService");
    format!("service/{cluster}/{service}")
}

/// The ECS service's desired count as a scalable target: the configuration of the tests.
fn ecs_target(resource: &str, min: i32, max: i32) -> Value {
    Value::map([
        ("service_namespace", s("ecs")),
        ("resource_id", s(resource)),
        ("scalable_dimension", s("ecs:service:DesiredCount")),
        ("min_capacity", n(min)),
        ("max_capacity", n(max)),
    ])
}

#[tokio::test]
async fn aws_appautoscaling_target_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let resource = ecs_service(&c, "scaling", "web").await;
    let rt = registered("aws_appautoscaling_target");
    let create = ecs_target(&resource, 1, 4);
    let update = ecs_target(&resource, 2, 6);
    conformance(rt, &c, create.clone(), update, |_, state| {
        assert_eq!(attr_str(state, "id"), "service/scaling/web");
        assert!(attr_str(state, "arn").contains(":scalable-target/"));
    })
    .await;

    // A change of the resource replaces the target.
    let other = support::conformance::plan(
        rt,
        &ecs_target("service/scaling/api", 1, 4),
        Some(&support::conformance::plan(rt, &create, None).after),
    );
    assert_eq!(other.action, ecsform::plan::Action::DeleteThenCreate);

    // The provider's import ID; a dimension the resource does not have is not found.
    let extra = support::conformance::extra_tags("aws_appautoscaling_target.web");
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address: "aws_appautoscaling_target.web",
        extra_tags: &extra,
    };
    let planned = support::conformance::plan(rt, &create, None).after;
    let created = rt.create(&ctx, &planned).await.expect("create");
    assert_eq!(
        rt.import_id(&c, "ecs/service/scaling/web/ecs:service:DesiredCount")
            .await
            .unwrap(),
        resource
    );
    assert!(matches!(
        rt.import_id(&c, "ecs/service/scaling/gone/ecs:service:DesiredCount")
            .await,
        Err(ImportIdError::NotFound)
    ));
    // An interrupted create is found again by its arguments.
    let owner = ecsform::aws::Owner {
        address: "aws_appautoscaling_target.web",
        lineage: "conformance",
    };
    let found = rt.find_created(&c, &planned, &owner).await.expect("find");
    assert_eq!(found.len(), 1);
    rt.delete(&ctx, &created).await.expect("delete");
    let found = rt.find_created(&c, &planned, &owner).await.expect("find");
    assert!(found.is_empty());
}

#[tokio::test]
async fn aws_appautoscaling_policy_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let resource = ecs_service(&c, "scaled", "web").await;
    let target = registered("aws_appautoscaling_target");
    let extra = support::conformance::extra_tags("aws_appautoscaling_target.web");
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address: "aws_appautoscaling_target.web",
        extra_tags: &extra,
    };
    let planned = support::conformance::plan(target, &ecs_target(&resource, 1, 4), None).after;
    target
        .create(&ctx, &planned)
        .await
        .expect("register the target");
    let rt = registered("aws_appautoscaling_policy");
    let policy = |name: &str, pairs: Vec<(&str, Value)>| {
        let mut m = vec![
            ("name", s(name)),
            ("service_namespace", s("ecs")),
            ("resource_id", s(&resource)),
            ("scalable_dimension", s("ecs:service:DesiredCount")),
        ];
        m.extend(pairs);
        Value::map(m)
    };

    // Target tracking on the service's CPU.
    let tracking = |target: i32, cooldown: i32| {
        list(vec![Value::map([
            ("target_value", n(target)),
            ("scale_in_cooldown", n(cooldown)),
            ("scale_out_cooldown", n(60)),
            (
                "predefined_metric_specification",
                list(vec![Value::map([(
                    "predefined_metric_type",
                    s("ECSServiceAverageCPUUtilization"),
                )])]),
            ),
        ])])
    };
    let create = policy(
        "cpu",
        vec![
            ("policy_type", s("TargetTrackingScaling")),
            (
                "target_tracking_scaling_policy_configuration",
                tracking(60, 300),
            ),
        ],
    );
    let update = with(
        &create,
        &[(
            "target_tracking_scaling_policy_configuration",
            tracking(70, 120),
        )],
    );
    conformance(rt, &c, create, update, |_, state| {
        assert_eq!(attr_str(state, "id"), "cpu");
        assert!(attr_str(state, "arn").contains("policyName/cpu"));
    })
    .await;

    // Step scaling (the provider's default type), the steps a set.
    let steps = |top: &str| {
        list(vec![Value::map([
            ("adjustment_type", s("ChangeInCapacity")),
            ("cooldown", n(60)),
            ("metric_aggregation_type", s("Average")),
            (
                "step_adjustment",
                list(vec![step("0", top, 1), step(top, "", 2)]),
            ),
        ])])
    };
    let create = policy(
        "steps",
        vec![("step_scaling_policy_configuration", steps("20"))],
    );
    let update = with(
        &create,
        &[("step_scaling_policy_configuration", steps("30"))],
    );
    conformance(rt, &c, create.clone(), update, |_, state| {
        assert_eq!(attr_str(state, "policy_type"), "StepScaling");
    })
    .await;

    // The provider's import ID, and a refresh that finds the policy among others.
    let planned = support::conformance::plan(rt, &create, None).after;
    let created = rt.create(&ctx, &planned).await.expect("create");
    assert_eq!(
        rt.import_id(
            &c,
            &format!("ecs/{resource}/ecs:service:DesiredCount/steps")
        )
        .await
        .unwrap(),
        "steps"
    );
    assert!(matches!(
        rt.import_id(&c, &format!("ecs/{resource}/ecs:service:DesiredCount/gone"))
            .await,
        Err(ImportIdError::NotFound)
    ));
    let read = rt
        .read_many(&c, &["steps".to_string(), "gone".to_string()])
        .await
        .expect("read");
    assert_eq!(read.keys().collect::<Vec<_>>(), ["steps"]);
    rt.delete(&ctx, &created).await.expect("delete");
    target
        .delete(&ctx, &planned_target(&c, target, &resource).await)
        .await
        .expect("deregister");
}

/// The target of `resource` as read.
async fn planned_target(
    c: &AwsClients,
    target: &'static dyn ResourceType,
    resource: &str,
) -> Value {
    target
        .read_many(c, &[resource.to_string()])
        .await
        .expect("read target")
        .remove(resource)
        .expect("the target exists")
}

/// What CloudWatch holds as an alarm's tags (ecsform's own included).
fn alarm_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .cloudwatch
            .list_tags_for_resource()
            .resource_arn(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListTagsForResource");
        out.tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    })
}

fn string_set(items: &[&str]) -> Value {
    Value::set(items.iter().map(|i| s(i)).collect())
}

#[tokio::test]
async fn aws_cloudwatch_metric_alarm_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    // The group's step policy is the alarm's action, an SNS topic hears when it is OK again.
    empty_group(&c, "alarmed").await;
    c.autoscaling
        .put_scaling_policy()
        .auto_scaling_group_name("alarmed")
        .policy_name("cpu-high")
        .policy_type("StepScaling")
        .adjustment_type("ChangeInCapacity")
        .step_adjustments(
            aws_sdk_autoscaling::types::StepAdjustment::builder()
                .metric_interval_lower_bound(0.0)
                .scaling_adjustment(1)
                .build(),
        )
        .send()
        .await
        .expect("PutScalingPolicy");
    // moto's PutScalingPolicy answers without the ARN: read it back.
    let step_policy = c
        .autoscaling
        .describe_policies()
        .auto_scaling_group_name("alarmed")
        .policy_names("cpu-high")
        .send()
        .await
        .expect("DescribePolicies")
        .scaling_policies()[0]
        .policy_arn()
        .expect("policy ARN")
        .to_string();
    let topic = c
        .sns
        .create_topic()
        .name("alarms")
        .send()
        .await
        .expect("CreateTopic")
        .topic_arn()
        .expect("topic ARN")
        .to_string();
    let rt = registered("aws_cloudwatch_metric_alarm");

    // One metric, with dimensions.
    let create = Value::map([
        ("alarm_name", s("alarmed-cpu-high")),
        ("alarm_description", s("scale out on CPU")),
        ("namespace", s("AWS/EC2")),
        ("metric_name", s("CPUUtilization")),
        (
            "dimensions",
            Value::map([("AutoScalingGroupName", s("alarmed"))]),
        ),
        ("statistic", s("Average")),
        ("period", n(60)),
        ("evaluation_periods", n(2)),
        ("threshold", n(70)),
        ("comparison_operator", s("GreaterThanOrEqualToThreshold")),
        ("alarm_actions", string_set(&[&step_policy])),
        ("ok_actions", string_set(&[&topic])),
        ("tags", Value::map([("Team", s("ops"))])),
    ]);
    let update = with(
        &create,
        &[
            ("threshold", n(80)),
            ("alarm_actions", string_set(&[&step_policy, &topic])),
            ("treat_missing_data", s("breaching")),
            ("tags", Value::map([("Team", s("platform"))])),
        ],
    );
    conformance_with_tags(
        rt,
        &c,
        alarm_tags,
        create.clone(),
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "alarmed-cpu-high");
            assert!(attr_str(state, "arn").ends_with(":alarm:alarmed-cpu-high"));
            let team = if stage == Stage::Created {
                "ops"
            } else {
                "platform"
            };
            assert_eq!(attr(state, "tags"), &Value::map([("Team", s(team))]));
        },
    )
    .await;

    // Metric math.
    let queries = |label: &str| {
        Value::set(vec![
            Value::map([
                ("id", s("rate")),
                ("expression", s("errors * 100 / requests")),
                ("label", s(label)),
                ("return_data", Value::Bool(true)),
            ]),
            Value::map([
                ("id", s("errors")),
                (
                    "metric",
                    list(vec![Value::map([
                        ("namespace", s("AWS/ApplicationELB")),
                        ("metric_name", s("HTTPCode_Target_5XX_Count")),
                        ("period", n(60)),
                        ("stat", s("Sum")),
                        ("dimensions", Value::map([("LoadBalancer", s("app/web/1"))])),
                    ])]),
                ),
            ]),
            Value::map([
                ("id", s("requests")),
                (
                    "metric",
                    list(vec![Value::map([
                        ("namespace", s("AWS/ApplicationELB")),
                        ("metric_name", s("RequestCount")),
                        ("period", n(60)),
                        ("stat", s("Sum")),
                    ])]),
                ),
            ]),
        ])
    };
    let create_math = Value::map([
        ("alarm_name", s("error-rate")),
        ("evaluation_periods", n(3)),
        ("threshold", n(5)),
        ("comparison_operator", s("GreaterThanThreshold")),
        ("alarm_actions", string_set(&[&topic])),
        ("metric_query", queries("5xx rate")),
    ]);
    let update_math = with(&create_math, &[("metric_query", queries("5xx %"))]);
    conformance_with_tags(rt, &c, alarm_tags, create_math, update_math, |_, state| {
        assert_eq!(attr(state, "metric_name"), &Value::Null);
    })
    .await;

    // Refresh takes tags from the Tagging API where it has them, and reads the same.
    let extra = support::conformance::extra_tags("aws_cloudwatch_metric_alarm.cpu");
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address: "aws_cloudwatch_metric_alarm.cpu",
        extra_tags: &extra,
    };
    let planned = support::conformance::plan(rt, &create, None).after;
    let created = rt.create(&ctx, &planned).await.expect("create");
    let ids = ["alarmed-cpu-high".to_string(), "gone".to_string()];
    let batch = RefreshBatch::for_types(["aws_cloudwatch_metric_alarm"]);
    let refreshed = rt.refresh_many(&c, &ids, &batch).await.expect("refresh");
    let read = rt.read_many(&c, &ids).await.expect("read");
    assert_eq!(refreshed, read);
    assert_eq!(read.get("alarmed-cpu-high"), Some(&created));
    // An interrupted create is found by name and judged by its lineage tag.
    let ours = ecsform::aws::Owner {
        address: "aws_cloudwatch_metric_alarm.cpu",
        lineage: "conformance",
    };
    let found = rt.find_created(&c, &planned, &ours).await.expect("find");
    assert!(matches!(
        found.as_slice(),
        [ecsform::aws::Candidate::Ours(_)]
    ));
    let theirs = ecsform::aws::Owner {
        address: "aws_cloudwatch_metric_alarm.cpu",
        lineage: "another-state",
    };
    let found = rt.find_created(&c, &planned, &theirs).await.expect("find");
    assert!(!matches!(
        found.as_slice(),
        [ecsform::aws::Candidate::Ours(_)]
    ));
    rt.delete(&ctx, &created).await.expect("delete");
}

#[tokio::test]
async fn aws_autoscaling_schedule_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    empty_group(&c, "scheduled").await;
    let rt = registered("aws_autoscaling_schedule");

    // A recurring action that leaves the desired capacity alone (-1), then a one-off one.
    let create = Value::map([
        ("scheduled_action_name", s("night")),
        ("autoscaling_group_name", s("scheduled")),
        ("min_size", n(0)),
        ("max_size", n(1)),
        ("desired_capacity", n(-1)),
        ("recurrence", s("0 21 * * *")),
        ("time_zone", s("Europe/Paris")),
    ]);
    let update = with(
        &create,
        &[
            ("max_size", n(2)),
            ("desired_capacity", n(1)),
            ("recurrence", s("30 22 * * 1-5")),
        ],
    );
    conformance(rt, &c, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "night");
        assert_eq!(attr_str(state, "autoscaling_group_name"), "scheduled");
        let desired = if stage == Stage::Created { -1 } else { 1 };
        assert_eq!(attr(state, "desired_capacity"), &n(desired));
    })
    .await;

    let create = Value::map([
        ("scheduled_action_name", s("launch-day")),
        ("autoscaling_group_name", s("scheduled")),
        ("min_size", n(2)),
        ("max_size", n(4)),
        ("desired_capacity", n(3)),
        ("start_time", s("2030-03-30T11:00:00Z")),
        ("end_time", s("2030-03-31T11:00:00Z")),
    ]);
    let update = with(&create, &[("end_time", s("2030-04-01T11:00:00Z"))]);
    conformance(rt, &c, create.clone(), update, |_, state| {
        assert_eq!(attr(state, "recurrence"), &Value::Null);
    })
    .await;

    // Import checks the group; an interrupted create is found by group and name.
    let planned = support::conformance::plan(rt, &create, None).after;
    let extra = support::conformance::extra_tags("aws_autoscaling_schedule.x");
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address: "aws_autoscaling_schedule.x",
        extra_tags: &extra,
    };
    let created = rt.create(&ctx, &planned).await.expect("create");
    assert_eq!(
        rt.import_id(&c, "scheduled/launch-day")
            .await
            .expect("import"),
        "launch-day"
    );
    assert!(matches!(
        rt.import_id(&c, "other/launch-day").await,
        Err(ImportIdError::NotFound)
    ));
    let owner = ecsform::aws::Owner {
        address: "aws_autoscaling_schedule.x",
        lineage: "conformance",
    };
    let found = rt.find_created(&c, &planned, &owner).await.expect("find");
    assert!(matches!(
        found.as_slice(),
        [ecsform::aws::Candidate::Ours(v)] if v == &created
    ));
    rt.delete(&ctx, &created).await.expect("delete");
    assert!(rt
        .find_created(&c, &planned, &owner)
        .await
        .expect("find")
        .is_empty());
}

#[tokio::test]
async fn aws_appautoscaling_scheduled_action_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let resource = ecs_service(&c, "nightly", "web").await;
    let target = registered("aws_appautoscaling_target");
    let extra = support::conformance::extra_tags("aws_appautoscaling_target.web");
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address: "aws_appautoscaling_target.web",
        extra_tags: &extra,
    };
    let planned = support::conformance::plan(target, &ecs_target(&resource, 1, 4), None).after;
    target
        .create(&ctx, &planned)
        .await
        .expect("register the target");
    let rt = registered("aws_appautoscaling_scheduled_action");
    let action = |name: &str, pairs: Vec<(&str, Value)>| {
        let mut m = vec![
            ("name", s(name)),
            ("service_namespace", s("ecs")),
            ("resource_id", s(&resource)),
            ("scalable_dimension", s("ecs:service:DesiredCount")),
        ];
        m.extend(pairs);
        Value::map(m)
    };
    let capacities = |min: &str, max: &str| {
        list(vec![Value::map([
            ("min_capacity", s(min)),
            ("max_capacity", s(max)),
        ])])
    };

    // Nightly bounds, then a later hour, another time zone and a window.
    let create = action(
        "night",
        vec![
            ("schedule", s("cron(0 21 * * ? *)")),
            ("scalable_target_action", capacities("0", "1")),
        ],
    );
    let update = with(
        &create,
        &[
            ("schedule", s("cron(30 22 * * ? *)")),
            ("timezone", s("Europe/Paris")),
            ("start_time", s("2030-01-01T00:00:00Z")),
            ("end_time", s("2030-12-31T00:00:00Z")),
            ("scalable_target_action", capacities("1", "2")),
        ],
    );
    conformance(rt, &c, create.clone(), update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "night-ecs-service/nightly/web");
        let zone = if stage == Stage::Created {
            "UTC"
        } else {
            "Europe/Paris"
        };
        assert_eq!(attr_str(state, "timezone"), zone);
    })
    .await;

    // A new name replaces the action; an interrupted create is found by its arguments.
    let planned = support::conformance::plan(rt, &create, None).after;
    let renamed = support::conformance::plan(
        rt,
        &action(
            "day",
            vec![
                ("schedule", s("cron(0 21 * * ? *)")),
                ("scalable_target_action", capacities("0", "1")),
            ],
        ),
        Some(&planned),
    );
    assert_eq!(renamed.action, ecsform::plan::Action::DeleteThenCreate);
    let created = rt.create(&ctx, &planned).await.expect("create");
    let owner = ecsform::aws::Owner {
        address: "aws_appautoscaling_scheduled_action.night",
        lineage: "conformance",
    };
    let found = rt.find_created(&c, &planned, &owner).await.expect("find");
    assert!(matches!(
        found.as_slice(),
        [ecsform::aws::Candidate::Ours(v)] if v == &created
    ));
    rt.delete(&ctx, &created).await.expect("delete");
    assert!(rt
        .find_created(&c, &planned, &owner)
        .await
        .expect("find")
        .is_empty());
    target
        .delete(&ctx, &planned_target(&c, target, &resource).await)
        .await
        .expect("deregister");
}

#[tokio::test]
async fn aws_autoscaling_attachment_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    empty_group(&c, "attached").await;
    let vpc = c
        .ec2
        .create_vpc()
        .cidr_block("10.42.0.0/16")
        .send()
        .await
        .expect("CreateVpc")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("VPC id")
        .to_string();
    let tg = c
        .elbv2
        .create_target_group()
        .name("attached")
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc)
        .send()
        .await
        .expect("CreateTargetGroup")
        .target_groups()[0]
        .target_group_arn()
        .expect("target group ARN")
        .to_string();
    let rt = registered("aws_autoscaling_attachment");
    let config = Value::map([
        ("autoscaling_group_name", s("attached")),
        ("lb_target_group_arn", s(&tg)),
    ]);
    let created = support::conformance::lifecycle_without_update(rt, &c, config.clone()).await;
    assert_eq!(attr_str(&created, "id"), format!("attached|{tg}"));
    assert_eq!(attr(&created, "elb"), &Value::Null);

    // Another target replaces the attachment; an interrupted create is found by its arguments.
    let planned = support::conformance::plan(rt, &config, None).after;
    let other = support::conformance::plan(
        rt,
        &Value::map([
            ("autoscaling_group_name", s("attached")),
            ("elb", s("classic")),
        ]),
        Some(&planned),
    );
    assert_eq!(other.action, ecsform::plan::Action::DeleteThenCreate);
    let extra = support::conformance::extra_tags("aws_autoscaling_attachment.web");
    let ctx = ecsform::aws::CallContext {
        clients: &c,
        address: "aws_autoscaling_attachment.web",
        extra_tags: &extra,
    };
    let owner = ecsform::aws::Owner {
        address: "aws_autoscaling_attachment.web",
        lineage: "conformance",
    };
    assert!(rt
        .find_created(&c, &planned, &owner)
        .await
        .expect("find")
        .is_empty());
    let created = rt.create(&ctx, &planned).await.expect("create");
    let found = rt.find_created(&c, &planned, &owner).await.expect("find");
    assert!(matches!(
        found.as_slice(),
        [ecsform::aws::Candidate::Ours(v)] if v == &created
    ));
    rt.delete(&ctx, &created).await.expect("delete");
}
