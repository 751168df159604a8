//! `data "aws_ecs_task_definition"`: one task definition by `task_definition` (a family, for
//! its latest active revision, `family:revision`, or an ARN), read with
//! `DescribeTaskDefinition` as the `aws_ecs_task_definition` resource type reads it
//! (container definitions in canonical form, volumes, placement constraints, runtime
//! platform), with its status. One that does not exist is an error in the AWS provider's
//! words; what that resource type does not implement (`ephemeral_storage`,
//! `proxy_configuration`, a volume's Docker and EFS settings...) is null.

use async_trait::async_trait;

use super::{from_resource_state, given};
use crate::aws::ecs_api::PLACEMENT_CONSTRAINT;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::ecs_task_definition::{
    definition_state, describe, RUNTIME_PLATFORM, VOLUME,
};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str};
use crate::provider::{BlockSchema, Schema};

pub struct EcsTaskDefinitionData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_ecs_task_definition", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: task_definition;
        computed String: id arn arn_without_revision family container_definitions;
        computed Number: revision;
        computed String: task_role_arn execution_role_arn network_mode cpu memory;
        computed StringSet: requires_compatibilities;
        computed String: pid_mode ipc_mode status;
    ],
    blocks: &[
        BlockSchema::set("volume", VOLUME).computed(),
        BlockSchema::set("placement_constraints", PLACEMENT_CONSTRAINT).computed(),
        BlockSchema::list("runtime_platform", RUNTIME_PLATFORM).computed(),
    ],
};

#[async_trait]
impl DataSource for EcsTaskDefinitionData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let wanted = get_str(config, "task_definition").unwrap_or_default();
        let not_found = || {
            ApiError::new(
                ErrorKind::NotFound,
                "ClientException",
                format!("reading ECS Task Definition ({wanted}): couldn't find resource"),
            )
        };
        let (td, tags) = describe(clients, wanted).await?.ok_or_else(not_found)?;
        let resource = definition_state(&td, &tags).ok_or_else(not_found)?;
        Ok(from_resource_state(
            &SCHEMA,
            &resource,
            [
                given(config, "task_definition"),
                ("status", opt_str(td.status().map(|s| s.as_str()))),
            ],
        ))
    }
}
