//! Conformance of the Cloud Map types against moto: private DNS namespaces (asynchronous
//! operations polled with GetOperation) and services.
//!
//! Cloud Map tags are read with its ListTagsForResource (a `TagReader`). The VPC is moto's
//! default one; a service's namespace is made with plain SDK calls.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::resources::{
    service_discovery_private_dns_namespace::ServiceDiscoveryPrivateDnsNamespaceType,
    service_discovery_service::ServiceDiscoveryServiceType,
};
use ecsform::aws::{AwsClients, CallContext, ResourceType};
use ecsform::lang::Value;

use crate::support;
use support::conformance::{
    attr, attr_str, block, conformance_with_tags, extra_tags, plan, s, tags, Stage,
};
use support::moto::{exclusive, moto, sdk_config_for};
use support::proxy::{Faults, Proxy};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn cloud_map_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .servicediscovery
            .list_tags_for_resource()
            .resource_arn(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListTagsForResource");
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
}

async fn default_vpc(c: &AwsClients) -> String {
    let out = c
        .ec2
        .describe_vpcs()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("is-default")
                .values("true")
                .build(),
        )
        .send()
        .await
        .expect("DescribeVpcs");
    out.vpcs()[0].vpc_id().unwrap().to_string()
}

#[tokio::test]
async fn aws_service_discovery_private_dns_namespace_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let vpc = default_vpc(&c).await;
    let config = |description: &str, t: Value| {
        Value::map([
            ("name", s("conformance.internal")),
            ("vpc", s(&vpc)),
            ("description", s(description)),
            ("tags", t),
        ])
    };
    conformance_with_tags(
        &ServiceDiscoveryPrivateDnsNamespaceType,
        &c,
        cloud_map_tags,
        config("first", tags(&[("Env", "test")])),
        config("second", tags(&[("Env", "test"), ("Team", "web")])),
        |stage, state| {
            let id = attr_str(state, "id");
            assert!(id.starts_with("ns-"), "{id}");
            assert!(attr_str(state, "arn").ends_with(&format!(":namespace/{id}")));
            assert!(!attr_str(state, "hosted_zone").is_empty());
            assert_eq!(attr_str(state, "vpc"), vpc);
            let want = if stage == Stage::Created {
                "first"
            } else {
                "second"
            };
            assert_eq!(attr_str(state, "description"), want);
        },
    )
    .await;
}

#[tokio::test]
async fn aws_service_discovery_service_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let vpc = default_vpc(&c).await;
    // The namespace, through the type itself (its create waits for the operation).
    let ns_type = &ServiceDiscoveryPrivateDnsNamespaceType;
    let address = "aws_service_discovery_private_dns_namespace.svc";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let ns_config = Value::map([("name", s("services.internal")), ("vpc", s(&vpc))]);
    let ns = ns_type
        .create(&ctx, &plan(ns_type, &ns_config, None).after)
        .await
        .expect("namespace");
    let ns_id = attr_str(&ns, "id").to_string();
    let config = |ttl: i32, description: &str, t: Value| {
        Value::map([
            ("name", s("web")),
            ("description", s(description)),
            (
                "dns_config",
                block(&[
                    ("namespace_id", s(&ns_id)),
                    (
                        "dns_records",
                        block(&[("ttl", Value::number(ttl)), ("type", s("A"))]),
                    ),
                ]),
            ),
            ("force_destroy", Value::Bool(true)),
            ("tags", t),
        ])
    };
    conformance_with_tags(
        &ServiceDiscoveryServiceType,
        &c,
        cloud_map_tags,
        config(10, "web tasks", tags(&[("Env", "test")])),
        config(
            60,
            "web tasks (A)",
            tags(&[("Env", "test"), ("Team", "web")]),
        ),
        |stage, state| {
            let id = attr_str(state, "id");
            assert!(id.starts_with("srv-"), "{id}");
            assert!(attr_str(state, "arn").ends_with(&format!(":service/{id}")));
            let dns = &attr(state, "dns_config").as_list().unwrap()[0];
            assert_eq!(attr_str(dns, "routing_policy"), "MULTIVALUE");
            let ttl = attr(&attr(dns, "dns_records").as_list().unwrap()[0], "ttl").clone();
            let want = if stage == Stage::Created { 10 } else { 60 };
            assert_eq!(ttl, Value::number(want));
        },
    )
    .await;
    ns_type.delete(&ctx, &ns).await.expect("namespace delete");
}

/// `force_destroy` deregisters the instances before DeleteService (counted at the fault proxy,
/// as moto would delete a service with instances anyway, which AWS refuses).
#[tokio::test]
async fn aws_service_discovery_service_force_destroy_deregisters_instances() {
    let _moto = exclusive();
    let proxy = Proxy::start(moto().port(), Faults::default());
    let c = AwsClients::from_config(&sdk_config_for(&proxy.endpoint).await);
    let rt = &ServiceDiscoveryServiceType;
    let address = "aws_service_discovery_service.forced";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let config = Value::map([("name", s("forced")), ("force_destroy", Value::Bool(true))]);
    let created = rt
        .create(&ctx, &plan(rt, &config, None).after)
        .await
        .expect("create");
    let id = attr_str(&created, "id").to_string();
    for task in ["task-1", "task-2"] {
        c.servicediscovery
            .register_instance()
            .service_id(&id)
            .instance_id(task)
            .attributes("AWS_INSTANCE_IPV4", "10.0.0.1")
            .send()
            .await
            .expect("RegisterInstance");
    }
    rt.delete(&ctx, &created).await.expect("delete");
    let requests = proxy.stats().requests;
    assert_eq!(requests.get("DeregisterInstance"), Some(&2), "{requests:?}");
    assert_eq!(requests.get("DeleteService"), Some(&1), "{requests:?}");
    assert!(rt.read_many(&c, &[id]).await.expect("read").is_empty());
}
