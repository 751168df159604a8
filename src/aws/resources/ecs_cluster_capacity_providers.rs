//! `aws_ecs_cluster_capacity_providers`: which capacity providers a cluster may use and its
//! default capacity provider strategy.
//!
//! Not an object of its own in AWS but two attributes of the cluster, set together with
//! PutClusterCapacityProviders; the id is the cluster name. Deleting it puts empty lists, so a
//! cluster with neither providers nor a strategy reads as "no associations" (absent), as does
//! a cluster that is gone or `INACTIVE`. Clusters are read with one DescribeClusters call per
//! 100.

use std::time::Duration;

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ecs::types::{CapacityProviderStrategyItem, Cluster};

use super::{read_created, retry_while};
use crate::aws::call::call;
use crate::aws::ecs_api::{
    name_from_arn, strategy_state, strategy_to_ecs, EcsObject, CAPACITY_PROVIDER_STRATEGY,
};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::paged::in_chunks;
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, get_strings, state_object, string_set};
use crate::provider::{BlockSchema, Schema};

pub struct EcsClusterCapacityProvidersType;

static DECLARATION: Declaration = Declaration::new(
    "aws_ecs_cluster_capacity_providers",
    &SCHEMA,
    Adoption::Arguments,
);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: cluster_name.force_new();
        optional StringSet: capacity_providers;
    ],
    blocks: &[BlockSchema::set(
        "default_capacity_provider_strategy",
        CAPACITY_PROVIDER_STRATEGY,
    )],
};

/// DescribeClusters takes at most 100 clusters per call.
const DESCRIBE_CHUNK: usize = 100;
/// How long a put is retried while the cluster is busy with another update.
const BUSY_LIMIT: Duration = Duration::from_secs(10 * 60);

fn associations_state(c: &Cluster) -> Option<(String, Value)> {
    let name = c.cluster_name()?.to_string();
    let strategy = strategy_state(c.default_capacity_provider_strategy());
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            ("cluster_name", Value::string(&name)),
            (
                "capacity_providers",
                string_set(c.capacity_providers().iter().cloned()),
            ),
            ("default_capacity_provider_strategy", Value::set(strategy)),
        ],
    );
    Some((name, state))
}

fn strategy(planned: &Value) -> Result<Vec<CapacityProviderStrategyItem>> {
    strategy_to_ecs(planned, "default_capacity_provider_strategy")
}

/// Sets the cluster's providers and strategy, retrying while the cluster is being updated.
async fn put(
    clients: &AwsClients,
    cluster: &str,
    providers: Vec<String>,
    strategy: Vec<CapacityProviderStrategyItem>,
) -> Result<()> {
    retry_while(
        &format!("ECS cluster {cluster} to accept its capacity providers"),
        BUSY_LIMIT,
        ApiError::is_ecs_busy,
        || async {
            clients
                .ecs
                .put_cluster_capacity_providers()
                .cluster(cluster)
                .set_capacity_providers(Some(providers.clone()))
                .set_default_capacity_provider_strategy(Some(strategy.clone()))
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for EcsClusterCapacityProvidersType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The id is the cluster's name.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id: Option<String> = get_str(planned, "cluster_name").map(String::from);
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "the cluster name"
    }

    /// `cluster_name` may be given as the cluster's ARN (`aws_ecs_cluster.x.arn`); ECS takes
    /// either, and the name is what the id and state hold.
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::String(s)) = m.get("cluster_name") {
            let name = name_from_arn(s).to_string();
            m.insert("cluster_name".into(), Value::String(name));
        }
        Value::Map(m)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let clusters = in_chunks(ids, DESCRIBE_CHUNK, |chunk| async move {
            let found = call(|| {
                clients
                    .ecs
                    .describe_clusters()
                    .set_clusters(Some(chunk.clone()))
                    .send()
            })
            .await?;
            Ok(found.clusters().to_vec())
        })
        .await?;
        Ok(clusters
            .iter()
            .filter(|c| c.is_live())
            .filter(|c| {
                !c.capacity_providers().is_empty()
                    || !c.default_capacity_provider_strategy().is_empty()
            })
            .filter_map(associations_state)
            .filter(|(id, _)| ids.contains(id))
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let cluster = get_str(planned, "cluster_name").unwrap_or_default();
        let providers = get_strings(planned, "capacity_providers");
        let strategy = strategy(planned)?;
        let empty = providers.is_empty() && strategy.is_empty();
        put(ctx.clients, cluster, providers, strategy).await?;
        if empty {
            // Nothing to read back: empty lists are what "no associations" looks like.
            return Ok(state_object(
                &SCHEMA,
                [
                    ("id", Value::string(cluster)),
                    ("cluster_name", Value::string(cluster)),
                    ("capacity_providers", Value::set(Vec::new())),
                ],
            ));
        }
        read_created(self, ctx.clients, cluster).await
    }

    async fn update(
        &self,
        ctx: &CallContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value> {
        self.create(ctx, planned).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(cluster) = get_str(prior, "id") else {
            return Ok(());
        };
        put(ctx.clients, cluster, Vec::new(), Vec::new())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_arns_are_read_as_names() {
        let v = EcsClusterCapacityProvidersType.normalize(Value::map([(
            "cluster_name",
            Value::string("arn:aws:ecs:eu-west-1:1:cluster/main"),
        )]));
        assert_eq!(v.as_map().unwrap()["cluster_name"], Value::string("main"));
        let unknown = Value::map([("cluster_name", Value::Unknown)]);
        assert_eq!(
            EcsClusterCapacityProvidersType.normalize(unknown.clone()),
            unknown
        );
    }
}
