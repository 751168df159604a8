//! `data "aws_launch_template"`: one launch template, found by `id`, `name`, `tags` (each a
//! `tag:KEY` filter) and `filter` blocks, with its latest version's data — read as the
//! `aws_launch_template` resource type reads it (`DescribeLaunchTemplates`, then
//! `DescribeLaunchTemplateVersions` for `$Latest`). No match, or several, is an error in the
//! AWS provider's words.
//!
//! The version data the resource type does not read is null here too: `kernel_id`,
//! `ram_disk_id`, `security_group_names` and the nested settings the resource type does not
//! implement (`cpu_options`, `placement`, `instance_requirements`...).

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, LaunchTemplate};

use super::{from_resource_state, lookup_filters, lookup_one, with_filter_blocks, FILTER_BLOCK};
use crate::aws::error::{ApiError, Result};
use crate::aws::resources::launch_template::{
    latest_versions, template_state, BLOCK_DEVICE_MAPPINGS, CREDIT_SPECIFICATION,
    IAM_INSTANCE_PROFILE, INSTANCE_MARKET_OPTIONS, METADATA_OPTIONS, MONITORING, NETWORK_INTERFACE,
    PRIVATE_DNS_NAME_OPTIONS, TAG_SPECIFICATION,
};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::{BlockSchema, Schema};

pub struct LaunchTemplateData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_launch_template", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: id name;
        optional StringMap: tags;
        computed String: arn description image_id instance_type key_name user_data;
        computed StringSet: vpc_security_group_ids;
        computed String: ebs_optimized;
        computed Bool: disable_api_termination disable_api_stop;
        computed String: instance_initiated_shutdown_behavior;
        computed Number: default_version latest_version;
    ],
    blocks: &[
        FILTER_BLOCK,
        BlockSchema::list("iam_instance_profile", IAM_INSTANCE_PROFILE).computed(),
        BLOCK_DEVICE_MAPPINGS.computed(),
        BlockSchema::list("monitoring", MONITORING).computed(),
        BlockSchema::list("metadata_options", METADATA_OPTIONS).computed(),
        BlockSchema::list("tag_specifications", TAG_SPECIFICATION).computed(),
        BlockSchema::list("credit_specification", CREDIT_SPECIFICATION).computed(),
        INSTANCE_MARKET_OPTIONS.computed(),
        BlockSchema::list("private_dns_name_options", PRIVATE_DNS_NAME_OPTIONS).computed(),
        BlockSchema::list("network_interfaces", NETWORK_INTERFACE).computed(),
    ],
};

/// The EC2 filters the configuration asks for (the id goes in `LaunchTemplateIds`).
fn filters(config: &Value) -> Vec<Filter> {
    lookup_filters(config, &[("name", "launch-template-name")], &[])
}

#[async_trait]
impl DataSource for LaunchTemplateData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let template: LaunchTemplate =
            lookup_one(clients, config, filters(config), "EC2 Launch Template").await?;
        let id = template.launch_template_id().unwrap_or_default();
        let version = latest_versions(clients, &[id])
            .await?
            .remove(id)
            .ok_or_else(|| ApiError::malformed(format!("launch template {id} has no versions")))?;
        let resource = template_state(&template, &version, &clients.region);
        let state = from_resource_state(&SCHEMA, &resource, []);
        Ok(with_filter_blocks(state, config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_tags_become_filters() {
        let config = SCHEMA.conformed([
            ("name", Value::string("web")),
            ("tags", Value::map([("Role", Value::string("ecs"))])),
        ]);
        let names: Vec<_> = filters(&config)
            .iter()
            .map(|f| format!("{}={}", f.name().unwrap(), f.values().join(",")))
            .collect();
        assert_eq!(names, ["launch-template-name=web", "tag:Role=ecs"]);
    }
}
