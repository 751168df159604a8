//! `aws_service_discovery_private_dns_namespace`: a Cloud Map namespace whose names resolve in
//! one VPC, through a private Route 53 hosted zone Cloud Map makes for it (`hosted_zone`). Its
//! id is AWS's, `ns-…`; the import ID is the provider's `NAMESPACE_ID:VPC_ID` (the VPC is
//! recorded from it).
//!
//! As in the AWS provider: `name` and `vpc` force a new namespace; `description` changes in
//! place (UpdatePrivateDnsNamespace); tags, ecsform's ownership tags among them, are set by the
//! create. Creating, updating and deleting a namespace are asynchronous in Cloud Map: each
//! answers an OperationId, polled with GetOperation until it succeeds (a failed operation is
//! the error, with its code). AWS does not report the VPC of a namespace: `vpc` keeps the value
//! the state has (from the configuration, or from the import ID), as the provider keeps it.
//!
//! An interrupted create is found again by its name (ListNamespaces), checked against its
//! `ecsform:lineage` tag. Refresh is one paginated ListNamespaces for all namespaces, plus one
//! ListTagsForResource per namespace (Cloud Map returns tags only per resource). moto serves
//! all of it.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_servicediscovery::types::{
    NamespaceSummary, OperationStatus, OperationTargetType, PrivateDnsNamespaceChange, Tag,
};

use super::{changed, read_created, recorded_id, split_import_id};
use crate::aws::adopt::read_judged;
use crate::aws::call::call;
use crate::aws::error::{wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct ServiceDiscoveryPrivateDnsNamespaceType;

static DECLARATION: Declaration = Declaration::new(
    "aws_service_discovery_private_dns_namespace",
    &SCHEMA,
    Adoption::NameAndTags,
);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn hosted_zone;
        required String: name.force_new() vpc.force_new().local();
        optional String: description;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// How long a Cloud Map operation may take (the provider waits 5 minutes).
const OPERATION_LIMIT: Duration = Duration::from_secs(5 * 60);

/// Cloud Map tags as the SDK takes them (shared with `aws_service_discovery_service`).
pub(crate) fn to_cloud_map_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// All the tags of the Cloud Map resource `arn`, ecsform's own included.
pub(crate) async fn cloud_map_tags(
    clients: &AwsClients,
    arn: &str,
) -> Result<BTreeMap<String, String>> {
    let out = call(|| {
        clients
            .servicediscovery
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
    })
    .await?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

/// Brings the tags of the Cloud Map resource `arn` from `prior` to `planned`.
pub(crate) async fn update_cloud_map_tags(
    clients: &AwsClients,
    arn: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    send_tag_changes!(
        TagChanges::between(prior, planned),
        clients.servicediscovery,
        untag_resource,
        tag_resource,
        resource_arn(arn),
        to_cloud_map_tags
    )
    .await
}

/// Waits for the Cloud Map operation `id` to succeed (for `what`, in messages) and returns its
/// target of `kind` (the namespace a create made), if it names one.
pub(crate) async fn wait_operation(
    clients: &AwsClients,
    id: &str,
    what: &str,
    kind: OperationTargetType,
) -> Result<Option<String>> {
    wait_until(
        &format!("Cloud Map operation {id} ({what}) to succeed"),
        Duration::from_secs(2),
        OPERATION_LIMIT,
        || async {
            let out = call(|| {
                clients
                    .servicediscovery
                    .get_operation()
                    .operation_id(id)
                    .send()
            })
            .await?;
            let Some(op) = out.operation() else {
                return Ok(None);
            };
            match op.status() {
                Some(OperationStatus::Success) => {
                    Ok(Some(op.targets().and_then(|t| t.get(&kind)).cloned()))
                }
                Some(OperationStatus::Fail) => Err(ApiError::new(
                    ErrorKind::Other,
                    op.error_code().unwrap_or("OperationFailed"),
                    format!(
                        "{what}: {}",
                        op.error_message().unwrap_or("the operation failed")
                    ),
                )),
                _ => Ok(None),
            }
        },
    )
    .await
}

fn namespace_state(ns: &NamespaceSummary, tags: BTreeMap<String, String>) -> Option<Value> {
    let [tags, tags_all] = read_tags(tags);
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(ns.id()?)),
            ("arn", opt_str(ns.arn())),
            (
                "hosted_zone",
                opt_str(
                    ns.properties()
                        .and_then(|p| p.dns_properties())
                        .and_then(|d| d.hosted_zone_id()),
                ),
            ),
            ("name", opt_str(ns.name())),
            ("description", opt_str(ns.description())),
            tags,
            tags_all,
        ],
    ))
}

async fn list_namespaces(clients: &AwsClients) -> Result<Vec<NamespaceSummary>> {
    let pages = call(|| {
        clients
            .servicediscovery
            .list_namespaces()
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.namespaces().iter().cloned())
        .collect())
}

#[async_trait]
impl ResourceType for ServiceDiscoveryPrivateDnsNamespaceType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_id_format(&self) -> &'static str {
        "`NAMESPACE_ID:VPC_ID`"
    }

    /// The namespace id of `NAMESPACE_ID:VPC_ID`.
    async fn import_id(&self, _clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (namespace, _vpc) = split_import_id(id, ':', "NAMESPACE_ID:VPC_ID")?;
        Ok(namespace.to_string())
    }

    /// The VPC of `NAMESPACE_ID:VPC_ID`, which AWS does not report, as the provider's import
    /// sets it.
    fn import_id_arguments(&self, import_id: &str) -> Vec<(&'static str, Value)> {
        match import_id.split_once(':') {
            Some((_, vpc)) => vec![("vpc", Value::string(vpc))],
            None => Vec::new(),
        }
    }

    /// The namespaces of the planned name, judged by their tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        for ns in list_namespaces(clients).await? {
            let (Some(id), Some(arn)) = (ns.id(), ns.arn()) else {
                continue;
            };
            if ns.name() != Some(name) {
                continue;
            }
            if let Some(tags) = cloud_map_tags(clients, arn).await.found()? {
                found.push((id.to_string(), tags));
            }
        }
        read_judged(self, clients, owner, found).await
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut out = BTreeMap::new();
        for ns in list_namespaces(clients).await? {
            let (Some(id), Some(arn)) = (ns.id(), ns.arn()) else {
                continue;
            };
            if !ids.iter().any(|i| i == id) {
                continue;
            }
            let Some(tags) = cloud_map_tags(clients, arn).await.found()? else {
                continue;
            };
            if let Some(state) = namespace_state(&ns, tags) {
                out.insert(id.to_string(), state);
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = get_str(planned, "name").unwrap_or_default();
        let tags = to_cloud_map_tags(&creation_tags(planned, ctx.extra_tags));
        let request = uuid::Uuid::new_v4().to_string();
        let out = call(|| {
            clients
                .servicediscovery
                .create_private_dns_namespace()
                .creator_request_id(&request)
                .name(name)
                .vpc(get_str(planned, "vpc").unwrap_or_default())
                .set_description(get_str(planned, "description").map(String::from))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let operation = out.operation_id().ok_or_else(|| {
            ApiError::malformed("CreatePrivateDnsNamespace returned no operation")
        })?;
        let id = wait_operation(
            clients,
            operation,
            &format!("creating namespace {name}"),
            OperationTargetType::Namespace,
        )
        .await?
        .ok_or_else(|| {
            ApiError::malformed("the namespace's create operation names no namespace")
        })?;
        let state = read_created(self, clients, &id).await?;
        Ok(with_vpc(state, planned))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        if changed(prior, planned, "description") {
            let change = PrivateDnsNamespaceChange::builder()
                .description(get_str(planned, "description").unwrap_or_default())
                .build();
            let request = uuid::Uuid::new_v4().to_string();
            let out = call(|| {
                clients
                    .servicediscovery
                    .update_private_dns_namespace()
                    .id(&id)
                    .updater_request_id(&request)
                    .namespace(change.clone())
                    .send()
            })
            .await?;
            if let Some(operation) = out.operation_id() {
                let what = format!("updating namespace {id}");
                wait_operation(clients, operation, &what, OperationTargetType::Namespace).await?;
            }
        }
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_cloud_map_tags(clients, arn, prior, planned).await?;
        let state = read_created(self, clients, &id).await?;
        Ok(with_vpc(state, planned))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = recorded_id(self, prior)?;
        let out = call(|| {
            ctx.clients
                .servicediscovery
                .delete_namespace()
                .id(&id)
                .send()
        })
        .await
        .found()?;
        if let Some(operation) = out.as_ref().and_then(|o| o.operation_id()) {
            let what = format!("deleting namespace {id}");
            wait_operation(
                ctx.clients,
                operation,
                &what,
                OperationTargetType::Namespace,
            )
            .await?;
        }
        Ok(())
    }
}

/// `state` with the VPC of `planned`, which AWS does not report.
fn with_vpc(state: Value, planned: &Value) -> Value {
    super::with_attrs(state, [("vpc", opt_str(get_str(planned, "vpc")))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_servicediscovery::types::{DnsProperties, NamespaceProperties};

    #[test]
    fn the_state_has_the_hosted_zone_and_no_ecsform_tags() {
        let ns = NamespaceSummary::builder()
            .id("ns-1")
            .arn("arn:aws:servicediscovery:eu-west-1:1:namespace/ns-1")
            .name("internal")
            .properties(
                NamespaceProperties::builder()
                    .dns_properties(DnsProperties::builder().hosted_zone_id("Z1").build())
                    .build(),
            )
            .build();
        let tags = BTreeMap::from([
            ("ecsform:address".to_string(), "a".to_string()),
            ("Env".to_string(), "test".to_string()),
        ]);
        let v = namespace_state(&ns, tags).unwrap();
        assert_eq!(get_str(&v, "hosted_zone"), Some("Z1"));
        assert_eq!(crate::provider::values::get_string_map(&v, "tags").len(), 1);
    }
}
