//! `aws_appautoscaling_target`: a scalable target of Application Auto Scaling, such as an
//! ECS service's desired count (`service_namespace = "ecs"`, `scalable_dimension =
//! "ecs:service:DesiredCount"`, `resource_id = "service/CLUSTER/SERVICE"`).
//!
//! The id is the resource id, as the AWS provider's; the import ID is
//! `SERVICE_NAMESPACE/RESOURCE_ID/SCALABLE_DIMENSION`. `RegisterScalableTarget` both creates
//! and updates, so the capacities, the role and the suspended state change in place; the
//! namespace, resource id and dimension replace the target. Refresh reads with one paginated
//! `DescribeScalableTargets` per service namespace and 50 resource ids (the API takes one
//! namespace and at most 50 ids a call): the namespace follows from the resource id's form
//! ([`namespaces_of`]; only `cluster:NAME`, Aurora's or Neptune's, asks two namespaces). A
//! resource with several scalable dimensions (a DynamoDB table's read and write capacity) has
//! one id for all of them in the provider; ecsform's batched read cannot tell which one a
//! state holds and fails naming them rather than guess.
//!
//! A scalable target exists once per namespace, resource and dimension, so an interrupted
//! create is found again by those. `tags` are not supported yet (moto 5.2.5 has no tagging
//! for Application Auto Scaling, and ignores `Tags` in `RegisterScalableTarget`). moto also
//! reports no role and no suspended state for a target registered without them (AWS reports
//! its service-linked role and all three suspensions false); both are optional and computed,
//! so an unset one keeps what AWS reports.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_applicationautoscaling::types::{
    ScalableDimension, ScalableTarget, ServiceNamespace, SuspendedState,
};

use super::{create_call, recorded_id};
use crate::aws::adopt::read_ours;
use crate::aws::call::call;
use crate::aws::error::{from_sdk, ApiError, ErrorKind, OrGone, Result};
use crate::aws::paged::{all_pages, in_chunks};
use crate::aws::resource_type::States;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{block_object, get_block, get_bool, get_i32, get_str, state_object};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct AppautoscalingTargetType;

static DECLARATION: Declaration =
    Declaration::new("aws_appautoscaling_target", &SCHEMA, Adoption::Arguments);

/// Unset, a suspension is off (what AWS reports).
static SUSPENDED_STATE: &[AttrSchema] = attrs![
    optional Bool: dynamic_scaling_in_suspended.default(Default::Bool(false));
    optional Bool: dynamic_scaling_out_suspended.default(Default::Bool(false));
    optional Bool: scheduled_scaling_suspended.default(Default::Bool(false));
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required Number: max_capacity min_capacity;
        required String: resource_id.force_new() scalable_dimension.force_new() service_namespace.force_new();
        optional_computed String: role_arn;
    ],
    blocks: &[BlockSchema::list("suspended_state", SUSPENDED_STATE)
        .max_items(1)
        .computed()],
};

/// `DescribeScalableTargets` takes at most 50 resource ids.
const IDS_PER_CALL: usize = 50;

/// The service namespaces whose resource ids have the form of `resource_id`, as the
/// `ResourceId` of Application Auto Scaling's API reference lists them; every namespace for
/// a form it does not list.
pub fn namespaces_of(resource_id: &str) -> Vec<ServiceNamespace> {
    use ServiceNamespace as N;
    let first = resource_id.split(['/', ':']).next().unwrap_or(resource_id);
    let one = |n: N| vec![n];
    match first {
        "service" => one(N::Ecs),
        "spot-fleet-request" => one(N::Ec2),
        "instancegroup" => one(N::Emr),
        "fleet" => one(N::Appstream),
        "table" => one(N::Dynamodb),
        "cluster" => vec![N::Rds, N::Neptune],
        "endpoint" | "inference-component" => one(N::Sagemaker),
        "https" => one(N::CustomResource),
        "function" => one(N::Lambda),
        "keyspace" => one(N::Cassandra),
        "replication-group" | "cache-cluster" => one(N::Elasticache),
        "workspacespool" => one(N::Workspaces),
        "arn" if resource_id.contains(":comprehend:") => one(N::Comprehend),
        "arn" if resource_id.contains(":kafka:") => one(N::Kafka),
        _ => ServiceNamespace::values()
            .iter()
            .map(|v| N::from(*v))
            .collect(),
    }
}

fn target_state(t: &ScalableTarget) -> (String, Value) {
    let id = t.resource_id().to_string();
    let suspended: Vec<Value> = t
        .suspended_state()
        .map(|s| {
            block_object(
                SUSPENDED_STATE,
                [
                    (
                        "dynamic_scaling_in_suspended",
                        Value::Bool(s.dynamic_scaling_in_suspended().unwrap_or(false)),
                    ),
                    (
                        "dynamic_scaling_out_suspended",
                        Value::Bool(s.dynamic_scaling_out_suspended().unwrap_or(false)),
                    ),
                    (
                        "scheduled_scaling_suspended",
                        Value::Bool(s.scheduled_scaling_suspended().unwrap_or(false)),
                    ),
                ],
            )
        })
        .into_iter()
        .collect();
    let role = t.role_arn();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            (
                "arn",
                crate::provider::values::opt_str(t.scalable_target_arn()),
            ),
            ("resource_id", Value::string(&id)),
            (
                "scalable_dimension",
                Value::string(t.scalable_dimension().as_str()),
            ),
            (
                "service_namespace",
                Value::string(t.service_namespace().as_str()),
            ),
            ("max_capacity", Value::number(t.max_capacity())),
            ("min_capacity", Value::number(t.min_capacity())),
            (
                "role_arn",
                if role.is_empty() {
                    Value::Null
                } else {
                    Value::string(role)
                },
            ),
            ("suspended_state", Value::List(suspended)),
        ],
    );
    (id, state)
}

/// The targets of `namespace` with resource ids among `ids` (`dimension`: only that one).
pub(crate) async fn describe_targets(
    clients: &AwsClients,
    namespace: &ServiceNamespace,
    ids: &[String],
    dimension: Option<&str>,
) -> Result<Vec<ScalableTarget>> {
    in_chunks(ids, IDS_PER_CALL, |chunk| {
        all_pages(
            move |token| {
                clients
                    .appautoscaling
                    .describe_scalable_targets()
                    .service_namespace(namespace.clone())
                    .set_resource_ids(Some(chunk.clone()))
                    .set_scalable_dimension(dimension.map(ScalableDimension::from))
                    .set_next_token(token)
                    .send()
            },
            |page| page.scalable_targets(),
            |page| page.next_token(),
        )
    })
    .await
}

/// `ids` by the namespaces to ask for them.
fn by_namespace(ids: &[String]) -> BTreeMap<String, (ServiceNamespace, Vec<String>)> {
    let mut out: BTreeMap<String, (ServiceNamespace, Vec<String>)> = BTreeMap::new();
    for id in ids {
        for n in namespaces_of(id) {
            out.entry(n.as_str().to_string())
                .or_insert_with(|| (n.clone(), Vec::new()))
                .1
                .push(id.clone());
        }
    }
    out
}

/// The states of `found` by resource id; a resource id with several targets is an error.
fn states_by_resource(found: &[ScalableTarget]) -> Result<States> {
    let mut out = States::new();
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in found {
        let (id, state) = target_state(t);
        seen.entry(id.clone()).or_default().push(format!(
            "{} {}",
            t.service_namespace().as_str(),
            t.scalable_dimension().as_str()
        ));
        out.insert(id, state);
    }
    if let Some((id, targets)) = seen.iter().find(|(_, t)| t.len() > 1) {
        return Err(ApiError::new(
            ErrorKind::Other,
            "AmbiguousResourceId",
            format!(
                "the resource {id:?} has several scalable targets ({}); ecsform identifies a \
                 scalable target by its resource id, as the AWS provider does, and reads them \
                 in batches that cannot tell them apart",
                targets.join(", ")
            ),
        ));
    }
    Ok(out)
}

fn suspended_state(planned: &Value) -> Option<SuspendedState> {
    let s = get_block(planned, "suspended_state")?;
    Some(
        SuspendedState::builder()
            .set_dynamic_scaling_in_suspended(get_bool(s, "dynamic_scaling_in_suspended"))
            .set_dynamic_scaling_out_suspended(get_bool(s, "dynamic_scaling_out_suspended"))
            .set_scheduled_scaling_suspended(get_bool(s, "scheduled_scaling_suspended"))
            .build(),
    )
}

async fn register(clients: &AwsClients, planned: &Value) -> Result<()> {
    let s = |n| get_str(planned, n).unwrap_or_default().to_string();
    // Retried while a service created a moment ago is not visible yet.
    create_call("scalable target to be registered", || async {
        clients
            .appautoscaling
            .register_scalable_target()
            .service_namespace(ServiceNamespace::from(s("service_namespace").as_str()))
            .resource_id(s("resource_id"))
            .scalable_dimension(ScalableDimension::from(s("scalable_dimension").as_str()))
            .set_min_capacity(get_i32(planned, "min_capacity"))
            .set_max_capacity(get_i32(planned, "max_capacity"))
            .set_role_arn(get_str(planned, "role_arn").map(String::from))
            .set_suspended_state(suspended_state(planned))
            .send()
            .await
            .map_err(from_sdk)
    })
    .await?;
    Ok(())
}

/// The namespace, resource id and dimension of an import ID: the resource id is what lies
/// between the first and the last `/`.
pub(crate) fn split_target_id(id: &str) -> Option<(&str, &str, &str)> {
    let (namespace, rest) = id.split_once('/')?;
    let (resource, dimension) = rest.rsplit_once('/')?;
    (!namespace.is_empty() && !resource.is_empty() && !dimension.is_empty())
        .then_some((namespace, resource, dimension))
}

#[async_trait]
impl ResourceType for AppautoscalingTargetType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The target of the planned namespace, resource and dimension (AWS has one at most).
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let (Some(namespace), Some(resource), Some(dimension)) = (
            get_str(planned, "service_namespace"),
            get_str(planned, "resource_id"),
            get_str(planned, "scalable_dimension"),
        ) else {
            return Ok(Vec::new());
        };
        let found = describe_targets(
            clients,
            &ServiceNamespace::from(namespace),
            &[resource.to_string()],
            Some(dimension),
        )
        .await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        read_ours(self, clients, &[resource.to_string()]).await
    }

    fn import_id_format(&self) -> &'static str {
        "`SERVICE_NAMESPACE/RESOURCE_ID/SCALABLE_DIMENSION` (`ecs/service/CLUSTER/SERVICE/ecs:service:DesiredCount`)"
    }

    /// The AWS provider's import ID becomes the resource id, once the target is found.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (namespace, resource, dimension) = split_target_id(id).ok_or_else(|| {
            ImportIdError::Malformed(
                "expected SERVICE_NAMESPACE/RESOURCE_ID/SCALABLE_DIMENSION".to_string(),
            )
        })?;
        let found = describe_targets(
            clients,
            &ServiceNamespace::from(namespace),
            &[resource.to_string()],
            Some(dimension),
        )
        .await?;
        if found.is_empty() {
            return Err(ImportIdError::NotFound);
        }
        Ok(resource.to_string())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut found = Vec::new();
        for (namespace, ids) in by_namespace(ids).into_values() {
            found.extend(describe_targets(clients, &namespace, &ids, None).await?);
        }
        states_by_resource(&found)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        register(ctx.clients, planned).await?;
        let id = get_str(planned, "resource_id").unwrap_or_default();
        super::read_created(self, ctx.clients, id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        register(ctx.clients, planned).await?;
        let id = recorded_id(self, prior)?;
        super::read_created(self, ctx.clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let s = |n| get_str(prior, n).unwrap_or_default();
        call(|| {
            ctx.clients
                .appautoscaling
                .deregister_scalable_target()
                .service_namespace(ServiceNamespace::from(s("service_namespace")))
                .resource_id(s("resource_id"))
                .scalable_dimension(ScalableDimension::from(s("scalable_dimension")))
                .send()
        })
        .await
        .ok_if(ApiError::is_unknown_scaling_object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_follows_from_the_resource_id() {
        use ServiceNamespace as N;
        assert_eq!(namespaces_of("service/main/web"), [N::Ecs]);
        assert_eq!(namespaces_of("table/orders/index/by-date"), [N::Dynamodb]);
        assert_eq!(namespaces_of("cluster:db"), [N::Rds, N::Neptune]);
        assert_eq!(namespaces_of("function:f:live"), [N::Lambda]);
        assert_eq!(
            namespaces_of("arn:aws:kafka:eu-west-1:1:cluster/c/x"),
            [N::Kafka]
        );
        assert_eq!(
            namespaces_of("something-new/x").len(),
            ServiceNamespace::values().len()
        );
        let ids = vec!["service/a/b".to_string(), "service/a/c".to_string()];
        let asked = by_namespace(&ids);
        assert_eq!(asked.len(), 1);
        assert_eq!(asked["ecs"].1, ids);
    }

    #[test]
    fn import_ids_split_around_the_resource_id() {
        assert_eq!(
            split_target_id("ecs/service/main/web/ecs:service:DesiredCount"),
            Some(("ecs", "service/main/web", "ecs:service:DesiredCount"))
        );
        assert_eq!(
            split_target_id("rds/cluster:db/rds:cluster:ReadReplicaCount"),
            Some(("rds", "cluster:db", "rds:cluster:ReadReplicaCount"))
        );
        assert_eq!(split_target_id("ecs/service"), None);
        assert_eq!(
            split_target_id("service/main/web"),
            Some(("service", "main", "web"))
        );
    }

    #[test]
    fn a_resource_with_two_targets_is_refused_rather_than_guessed() {
        let target = |dimension: &str| {
            ScalableTarget::builder()
                .service_namespace(ServiceNamespace::Dynamodb)
                .resource_id("table/orders")
                .scalable_dimension(ScalableDimension::from(dimension))
                .min_capacity(1)
                .max_capacity(5)
                .role_arn("")
                .creation_time(aws_smithy_types::DateTime::from_secs(0))
                .build()
                .unwrap()
        };
        let one = states_by_resource(&[target("dynamodb:table:ReadCapacityUnits")]).unwrap();
        assert_eq!(
            one["table/orders"].as_map().unwrap()["role_arn"],
            Value::Null
        );
        let e = states_by_resource(&[
            target("dynamodb:table:ReadCapacityUnits"),
            target("dynamodb:table:WriteCapacityUnits"),
        ])
        .unwrap_err();
        assert!(e.message.contains("WriteCapacityUnits"), "{e}");
    }

    #[test]
    fn suspended_state_is_sent_only_when_configured() {
        let planned = SCHEMA.conformed([
            ("service_namespace", Value::string("ecs")),
            ("resource_id", Value::string("service/main/web")),
            (
                "scalable_dimension",
                Value::string("ecs:service:DesiredCount"),
            ),
            ("min_capacity", Value::number(1)),
            ("max_capacity", Value::number(4)),
        ]);
        assert!(suspended_state(&planned).is_none());
        let planned = SCHEMA.conformed([
            ("service_namespace", Value::string("ecs")),
            ("resource_id", Value::string("service/main/web")),
            (
                "scalable_dimension",
                Value::string("ecs:service:DesiredCount"),
            ),
            ("min_capacity", Value::number(1)),
            ("max_capacity", Value::number(4)),
            (
                "suspended_state",
                Value::List(vec![Value::map([(
                    "scheduled_scaling_suspended",
                    Value::Bool(true),
                )])]),
            ),
        ]);
        let sent = suspended_state(&planned).unwrap();
        assert_eq!(sent.scheduled_scaling_suspended(), Some(true));
        assert_eq!(sent.dynamic_scaling_in_suspended(), Some(false));
    }
}
