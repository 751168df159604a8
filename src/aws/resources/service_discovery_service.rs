//! `aws_service_discovery_service`: a Cloud Map service, the name under which instances (an
//! ECS service's tasks, through its `service_registries { registry_arn = ... }`) register. Its
//! id is AWS's, `srv-…`, which is also the import ID.
//!
//! As in the AWS provider: `name`, `namespace_id`, `type`, the `dns_config`'s `namespace_id`
//! and `routing_policy` (default `MULTIVALUE`), a DNS record's `type`, the health check's
//! `type` and the whole `health_check_custom_config` force a new service; the description, the
//! DNS records' TTLs and the `health_check_config` change in place with UpdateService (an
//! asynchronous operation, polled with GetOperation). `force_destroy` (not stored by AWS)
//! deregisters every instance (ListInstances, DeregisterInstance) before DeleteService.
//!
//! An interrupted create is found again by its name among the services of its namespace,
//! checked against its `ecsform:lineage` tag. Refresh is one GetService and one
//! ListTagsForResource per service: ListServices does not return a service's namespace, and
//! Cloud Map returns tags only per resource. moto serves all of it (it deletes a service that
//! still has instances, which AWS refuses).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_servicediscovery::types::{
    DnsConfig, DnsConfigChange, DnsRecord, HealthCheckConfig, HealthCheckCustomConfig,
    HealthCheckType, OperationTargetType, RecordType, RoutingPolicy, Service, ServiceChange,
    ServiceFilter, ServiceFilterName, ServiceTypeOption,
};

use super::service_discovery_private_dns_namespace::{
    cloud_map_tags, to_cloud_map_tags, update_cloud_map_tags, wait_operation,
};
use super::{changed, read_created, recorded_id, with_attrs};
use crate::aws::adopt::read_judged;
use crate::aws::call::call;
use crate::aws::error::{ApiError, OrGone, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::service_tags::read_tags;
use crate::aws::tags::creation_tags;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_block, get_blocks, get_bool, get_i32, get_number, get_str, opt_number,
    opt_str, state_object,
};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

pub struct ServiceDiscoveryServiceType;

static DECLARATION: Declaration = Declaration::new(
    "aws_service_discovery_service",
    &SCHEMA,
    Adoption::NameAndTags,
);

static DNS_RECORDS: &[AttrSchema] = attrs![
    required Number: ttl;
    required String: type.force_new();
];

static DNS_CONFIG: &[AttrSchema] = attrs![
    required String: namespace_id.force_new();
    optional String: routing_policy.force_new().default(Default::Str("MULTIVALUE"));
];

static DNS_CONFIG_BLOCKS: &[BlockSchema] =
    &[BlockSchema::list("dns_records", DNS_RECORDS).min_items(1)];

static HEALTH_CHECK_CONFIG: &[AttrSchema] = attrs![
    optional Number: failure_threshold;
    optional String: resource_path type.force_new();
];

static HEALTH_CHECK_CUSTOM_CONFIG: &[AttrSchema] = attrs![
    optional Number: failure_threshold.force_new();
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required String: name.force_new();
        optional_computed String: namespace_id.force_new() type.force_new();
        optional String: description;
        optional Bool: force_destroy.local().default(Default::Bool(false));
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("dns_config", DNS_CONFIG)
            .blocks(DNS_CONFIG_BLOCKS)
            .max_items(1),
        BlockSchema::list("health_check_config", HEALTH_CHECK_CONFIG).max_items(1),
        BlockSchema::list("health_check_custom_config", HEALTH_CHECK_CUSTOM_CONFIG)
            .max_items(1)
            .force_new(),
    ],
};

// The provider's schema keeps `dns_config.namespace_id` and the custom health check's
// `failure_threshold`, which the API has deprecated (AWS still takes and returns them).
#[allow(deprecated)]
fn service_state(s: &Service, tags: BTreeMap<String, String>) -> Option<Value> {
    let [tags, tags_all] = read_tags(tags);
    let dns: Vec<Value> = s
        .dns_config()
        .map(|d| {
            let records = d
                .dns_records()
                .iter()
                .map(|r| {
                    block_object(
                        DNS_RECORDS,
                        [
                            ("ttl", Value::number(r.ttl() as f64)),
                            ("type", Value::string(r.r#type().as_str())),
                        ],
                    )
                })
                .collect();
            Value::map([
                ("namespace_id", opt_str(d.namespace_id())),
                (
                    "routing_policy",
                    opt_str(d.routing_policy().map(|p| p.as_str())),
                ),
                ("dns_records", Value::List(records)),
            ])
        })
        .into_iter()
        .collect();
    let health: Vec<Value> = s
        .health_check_config()
        .map(|h| {
            block_object(
                HEALTH_CHECK_CONFIG,
                [
                    ("failure_threshold", opt_number(h.failure_threshold())),
                    ("resource_path", opt_str(h.resource_path())),
                    ("type", Value::string(h.r#type().as_str())),
                ],
            )
        })
        .into_iter()
        .collect();
    let custom: Vec<Value> = s
        .health_check_custom_config()
        .map(|h| {
            block_object(
                HEALTH_CHECK_CUSTOM_CONFIG,
                [("failure_threshold", opt_number(h.failure_threshold()))],
            )
        })
        .into_iter()
        .collect();
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(s.id()?)),
            ("arn", opt_str(s.arn())),
            ("name", opt_str(s.name())),
            ("namespace_id", opt_str(s.namespace_id())),
            ("type", opt_str(s.r#type().map(|t| t.as_str()))),
            ("description", opt_str(s.description())),
            tags,
            tags_all,
            ("dns_config", Value::List(dns)),
            ("health_check_config", Value::List(health)),
            ("health_check_custom_config", Value::List(custom)),
        ],
    ))
}

fn dns_records(config: &Value) -> Result<Vec<DnsRecord>> {
    get_blocks(config, "dns_records")
        .iter()
        .map(|r| {
            DnsRecord::builder()
                .ttl(get_number(r, "ttl").unwrap_or_default() as i64)
                .r#type(RecordType::from(get_str(r, "type").unwrap_or_default()))
                .build()
                .map_err(|e| ApiError::malformed(e.to_string()))
        })
        .collect()
}

#[allow(deprecated)] // `dns_config.namespace_id`, as the provider sends it.
fn dns_config(planned: &Value) -> Result<Option<DnsConfig>> {
    let Some(d) = get_block(planned, "dns_config") else {
        return Ok(None);
    };
    DnsConfig::builder()
        .set_namespace_id(get_str(d, "namespace_id").map(String::from))
        .set_routing_policy(get_str(d, "routing_policy").map(RoutingPolicy::from))
        .set_dns_records(Some(dns_records(d)?))
        .build()
        .map(Some)
        .map_err(|e| ApiError::malformed(e.to_string()))
}

fn health_check_config(planned: &Value) -> Result<Option<HealthCheckConfig>> {
    let Some(h) = get_block(planned, "health_check_config") else {
        return Ok(None);
    };
    HealthCheckConfig::builder()
        .set_failure_threshold(get_i32(h, "failure_threshold").filter(|n| *n != 0))
        .set_resource_path(get_str(h, "resource_path").map(String::from))
        .set_type(get_str(h, "type").map(HealthCheckType::from))
        .build()
        .map(Some)
        .map_err(|e| ApiError::malformed(e.to_string()))
}

#[allow(deprecated)] // `failure_threshold`, as the provider sends it.
fn health_check_custom_config(planned: &Value) -> Option<HealthCheckCustomConfig> {
    let h = get_block(planned, "health_check_custom_config")?;
    Some(
        HealthCheckCustomConfig::builder()
            .set_failure_threshold(get_i32(h, "failure_threshold").filter(|n| *n != 0))
            .build(),
    )
}

/// UpdateService's change: the description, the DNS records and the health check, as the
/// provider sends them (what is left out is removed from the service).
fn service_change(planned: &Value) -> Result<ServiceChange> {
    let dns = match get_block(planned, "dns_config") {
        Some(d) => Some(
            DnsConfigChange::builder()
                .set_dns_records(Some(dns_records(d)?))
                .build()
                .map_err(|e| ApiError::malformed(e.to_string()))?,
        ),
        None => None,
    };
    Ok(ServiceChange::builder()
        .description(get_str(planned, "description").unwrap_or_default())
        .set_dns_config(dns)
        .set_health_check_config(health_check_config(planned)?)
        .build())
}

async fn get_service(clients: &AwsClients, id: &str) -> Result<Option<Service>> {
    let out = call(|| clients.servicediscovery.get_service().id(id).send())
        .await
        .found()?;
    Ok(out.and_then(|o| o.service().cloned()))
}

/// `state` with `force_destroy` as planned (AWS does not store it).
fn recorded(state: Value, planned: &Value) -> Value {
    with_attrs(
        state,
        [(
            "force_destroy",
            Value::Bool(get_bool(planned, "force_destroy").unwrap_or(false)),
        )],
    )
}

#[async_trait]
impl ResourceType for ServiceDiscoveryServiceType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "service id", "srv-"))
    }

    /// The services of the planned name in the planned namespace, judged by their tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let namespace = get_str(planned, "namespace_id")
            .or_else(|| get_block(planned, "dns_config").and_then(|d| get_str(d, "namespace_id")));
        let filter = namespace
            .map(|ns| {
                ServiceFilter::builder()
                    .name(ServiceFilterName::NamespaceId)
                    .values(ns)
                    .build()
            })
            .transpose()
            .map_err(|e| ApiError::malformed(e.to_string()))?;
        let pages = call(|| {
            clients
                .servicediscovery
                .list_services()
                .set_filters(filter.clone().map(|f| vec![f]))
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
        let services = pages.iter().flat_map(|p| p.services());
        let mut found = Vec::new();
        for s in services.filter(|s| s.name() == Some(name)) {
            let (Some(id), Some(arn)) = (s.id(), s.arn()) else {
                continue;
            };
            if let Some(tags) = cloud_map_tags(clients, arn).await.found()? {
                found.push((id.to_string(), tags));
            }
        }
        read_judged(self, clients, owner, found).await
    }

    /// One GetService and one ListTagsForResource per id.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut out = BTreeMap::new();
        for id in ids {
            let Some(service) = get_service(clients, id).await? else {
                continue;
            };
            let Some(arn) = service.arn() else {
                continue;
            };
            let Some(tags) = cloud_map_tags(clients, arn).await.found()? else {
                continue;
            };
            if let Some(state) = service_state(&service, tags) {
                out.insert(id.clone(), state);
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = to_cloud_map_tags(&creation_tags(planned, ctx.extra_tags));
        let dns = dns_config(planned)?;
        let health = health_check_config(planned)?;
        let request = uuid::Uuid::new_v4().to_string();
        let out = call(|| {
            clients
                .servicediscovery
                .create_service()
                .creator_request_id(&request)
                .name(get_str(planned, "name").unwrap_or_default())
                .set_namespace_id(get_str(planned, "namespace_id").map(String::from))
                .set_description(get_str(planned, "description").map(String::from))
                .set_dns_config(dns.clone())
                .set_health_check_config(health.clone())
                .set_health_check_custom_config(health_check_custom_config(planned))
                .set_type(get_str(planned, "type").map(ServiceTypeOption::from))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let id = out
            .service()
            .and_then(|s| s.id())
            .ok_or_else(|| ApiError::malformed("CreateService returned no service id"))?
            .to_string();
        let state = read_created(self, clients, &id).await?;
        Ok(recorded(state, planned))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let changes = ["description", "dns_config", "health_check_config"];
        if changes.iter().any(|a| changed(prior, planned, a)) {
            let change = service_change(planned)?;
            let out = call(|| {
                clients
                    .servicediscovery
                    .update_service()
                    .id(&id)
                    .service(change.clone())
                    .send()
            })
            .await?;
            if let Some(operation) = out.operation_id() {
                let what = format!("updating service {id}");
                wait_operation(clients, operation, &what, OperationTargetType::Service).await?;
            }
        }
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_cloud_map_tags(clients, arn, prior, planned).await?;
        let state = read_created(self, clients, &id).await?;
        Ok(recorded(state, planned))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        if get_bool(prior, "force_destroy") == Some(true) {
            let pages = call(|| {
                clients
                    .servicediscovery
                    .list_instances()
                    .service_id(&id)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
            })
            .await
            .found()?
            .unwrap_or_default();
            let instances = pages.iter().flat_map(|p| p.instances());
            for instance in instances.filter_map(|i| i.id()) {
                let out = call(|| {
                    clients
                        .servicediscovery
                        .deregister_instance()
                        .service_id(&id)
                        .instance_id(instance)
                        .send()
                })
                .await
                .found()?;
                if let Some(operation) = out.as_ref().and_then(|o| o.operation_id()) {
                    let what = format!("deregistering instance {instance} of service {id}");
                    wait_operation(clients, operation, &what, OperationTargetType::Instance)
                        .await?;
                }
            }
        }
        call(|| clients.servicediscovery.delete_service().id(&id).send())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(pairs: &[(&str, Value)]) -> Value {
        SCHEMA.conformed(pairs.iter().cloned())
    }

    fn dns(ttl: i32) -> Value {
        Value::List(vec![Value::map([
            ("namespace_id", Value::string("ns-1")),
            ("routing_policy", Value::string("MULTIVALUE")),
            (
                "dns_records",
                Value::List(vec![Value::map([
                    ("ttl", Value::number(ttl)),
                    ("type", Value::string("A")),
                ])]),
            ),
        ])])
    }

    #[test]
    fn the_update_sends_the_records_and_health_check() {
        let p = planned(&[
            ("name", Value::string("web")),
            ("dns_config", dns(30)),
            (
                "health_check_config",
                Value::List(vec![Value::map([
                    ("type", Value::string("HTTP")),
                    ("resource_path", Value::string("/health")),
                    ("failure_threshold", Value::number(3)),
                ])]),
            ),
        ]);
        let change = service_change(&p).unwrap();
        let records = change.dns_config().unwrap().dns_records();
        assert_eq!(
            (records[0].ttl(), records[0].r#type()),
            (30, &RecordType::A)
        );
        let health = change.health_check_config().unwrap();
        assert_eq!(health.r#type(), &HealthCheckType::Http);
        assert_eq!(health.failure_threshold(), Some(3));
        assert_eq!(change.description(), Some(""));
    }

    #[test]
    fn the_state_reads_back_the_dns_config() {
        let s = Service::builder()
            .id("srv-1")
            .arn("arn:aws:servicediscovery:eu-west-1:1:service/srv-1")
            .name("web")
            .namespace_id("ns-1")
            .dns_config(
                dns_config(&planned(&[
                    ("name", Value::string("web")),
                    ("dns_config", dns(10)),
                ]))
                .unwrap()
                .unwrap(),
            )
            .build();
        let v = service_state(&s, BTreeMap::new()).unwrap();
        let d = get_block(&v, "dns_config").unwrap();
        assert_eq!(get_str(d, "routing_policy"), Some("MULTIVALUE"));
        let r = &get_blocks(d, "dns_records")[0];
        assert_eq!(get_number(r, "ttl"), Some(10.0));
    }
}
