//! `data "aws_ecs_cluster"`: one ECS cluster by `cluster_name` (a name or an ARN), read with
//! `DescribeClusters` as the `aws_ecs_cluster` resource type reads it (settings, service
//! connect defaults, tags), with its status and task and instance counts. A cluster that does
//! not exist, or is `INACTIVE` (deleted), is an error in the AWS provider's words.

use async_trait::async_trait;
use aws_sdk_ecs::types::Cluster;

use super::{from_resource_state, given};
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::ecs_cluster::{
    cluster_state, describe, SERVICE_CONNECT_DEFAULTS, SETTING,
};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str};
use crate::provider::{BlockSchema, Schema};

pub struct EcsClusterData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_ecs_cluster", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: cluster_name;
        computed String: id arn status;
        computed Number: pending_tasks_count registered_container_instances_count;
        computed Number: running_tasks_count;
        computed StringMap: tags;
    ],
    blocks: &[
        BlockSchema::set("setting", SETTING).computed(),
        BlockSchema::list("service_connect_defaults", SERVICE_CONNECT_DEFAULTS).computed(),
    ],
};

fn data_state(config: &Value, c: &Cluster) -> Option<Value> {
    let (_, resource) = cluster_state(c)?;
    Some(from_resource_state(
        &SCHEMA,
        &resource,
        [
            given(config, "cluster_name"),
            ("status", opt_str(c.status())),
            (
                "pending_tasks_count",
                Value::number(c.pending_tasks_count()),
            ),
            (
                "registered_container_instances_count",
                Value::number(c.registered_container_instances_count()),
            ),
            (
                "running_tasks_count",
                Value::number(c.running_tasks_count()),
            ),
        ],
    ))
}

#[async_trait]
impl DataSource for EcsClusterData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let name = get_str(config, "cluster_name").unwrap_or_default();
        let clusters = describe(clients, &[name.to_string()]).await?;
        let not_found = |why: &str| {
            ApiError::new(
                ErrorKind::NotFound,
                "ClusterNotFoundException",
                format!("reading ECS Cluster ({name}): {why}"),
            )
        };
        let cluster = clusters.first().ok_or_else(|| not_found("empty result"))?;
        if cluster.status() == Some("INACTIVE") {
            return Err(not_found("INACTIVE"));
        }
        data_state(config, cluster).ok_or_else(|| not_found("empty result"))
    }
}
