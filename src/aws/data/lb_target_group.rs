//! `data "aws_lb_target_group"` (also `data "aws_alb_target_group"`): one target group by
//! `arn` or `name`, and `tags` it must carry (`DescribeTargetGroups`, then batched
//! `DescribeTags` when tags are given). No match, or several, is an error in the AWS
//! provider's words ("Search returned 0 results, please revise so only one is returned").
//! The group is then read as the `aws_lb_target_group` resource type reads it (its
//! attributes with `DescribeTargetGroupAttributes`), with the load balancers that use it; the
//! provider's attributes that resource type does not implement are null.

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::TargetGroup;

use super::{found, from_resource_state, one_elbv2};
use crate::aws::call::call;
use crate::aws::error::{ApiError, Result};
use crate::aws::resources::lb_target_group::{LbTargetGroupType, HEALTH_CHECK, STICKINESS};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::{DataSource, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, get_string_map, string_set};
use crate::provider::{BlockSchema, Schema};

pub struct LbTargetGroupData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_lb_target_group", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: arn name;
        optional StringMap: tags;
        computed String: id arn_suffix;
        computed Number: port;
        computed String: protocol vpc_id target_type deregistration_delay;
        computed Number: slow_start;
        computed Bool: proxy_protocol_v2;
        computed StringSet: load_balancer_arns;
    ],
    blocks: &[
        BlockSchema::list("health_check", HEALTH_CHECK).computed(),
        BlockSchema::list("stickiness", STICKINESS).computed(),
    ],
};

/// The target groups the configuration's `arn` or `name` names (every one when neither).
async fn candidates(clients: &AwsClients, config: &Value) -> Result<Vec<TargetGroup>> {
    let arn = get_str(config, "arn").map(|a| vec![a.to_string()]);
    let name = get_str(config, "name").map(|n| vec![n.to_string()]);
    let described = call(|| {
        clients
            .elbv2
            .describe_target_groups()
            .set_target_group_arns(arn.clone())
            .set_names(if arn.is_some() { None } else { name.clone() })
            .into_paginator()
            .items()
            .send()
            .try_collect()
    })
    .await;
    found(described)
}

#[async_trait]
impl DataSource for LbTargetGroupData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let groups = candidates(clients, config).await?;
        let arns = groups
            .iter()
            .filter_map(|g| g.target_group_arn().map(String::from))
            .collect();
        let arn = one_elbv2(clients, arns, &get_string_map(config, "tags")).await?;
        let group = groups.iter().find(|g| g.target_group_arn() == Some(&arn));
        let balancers = group.map(|g| g.load_balancer_arns().to_vec());
        let resource = LbTargetGroupType
            .read_many(clients, std::slice::from_ref(&arn))
            .await?
            .remove(&arn)
            .ok_or_else(|| ApiError::malformed(format!("target group {arn} is gone")))?;
        Ok(from_resource_state(
            &SCHEMA,
            &resource,
            [(
                "load_balancer_arns",
                string_set(balancers.unwrap_or_default()),
            )],
        ))
    }
}
