//! Conformance of the ECS resource types against moto: `aws_ecs_cluster`,
//! `aws_ecs_capacity_provider`, `aws_ecs_cluster_capacity_providers`,
//! `aws_ecs_task_definition` and `aws_ecs_service`, with tags checked through ECS's own
//! ListTagsForResource. Prerequisites (a cluster for a service, an Auto Scaling group for a
//! capacity provider) are made with plain SDK calls so that each test exercises one type.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/support/moto.rs).
#![allow(clippy::await_holding_lock)]

mod support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::resources::ecs_cluster::EcsClusterType;
use ecsform::aws::AwsClients;
use ecsform::lang::Value;
use support::conformance::{conformance_with_tags, Stage};
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
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
    arn: &'a str,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + Send + 'a>> {
    Box::pin(async move {
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
            Value::List(vec![Value::map([
                ("execute_command_logging", s("OVERRIDE")),
                ("cloud_watch_log_group_name", s("/ecs/exec")),
            ])]),
        ),
        ("tags", tags(&[("Name", "main"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &EcsClusterType,
        &c,
        create,
        update,
        ecs_tags,
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
