//! `data "aws_lb"` (also `data "aws_alb"`): one load balancer by `arn` or `name`, and `tags`
//! it must carry (`DescribeLoadBalancers`, then batched `DescribeTags` when tags are given).
//! No match, or several, is an error in the AWS provider's words ("Search returned 0 results,
//! please revise so only one is returned"). The load balancer is then read as the `aws_lb`
//! resource type reads it (its attributes with `DescribeLoadBalancerAttributes`); the
//! provider's attributes that resource type does not implement are null.

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::LoadBalancer;

use super::{found, from_resource_state, one_elbv2};
use crate::aws::call::call;
use crate::aws::error::{ApiError, Result};
use crate::aws::resources::lb::{LbType, ACCESS_LOGS};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::{DataSource, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, get_string_map};
use crate::provider::{BlockSchema, Schema};

pub struct LbData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_lb", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: arn name;
        optional StringMap: tags;
        computed String: id arn_suffix;
        computed Bool: internal;
        computed String: load_balancer_type;
        computed StringSet: security_groups subnets;
        computed String: ip_address_type;
        computed Bool: enable_deletion_protection;
        computed Number: idle_timeout;
        computed Bool: enable_http2 drop_invalid_header_fields enable_cross_zone_load_balancing;
        computed String: dns_name zone_id vpc_id;
    ],
    blocks: &[BlockSchema::list("access_logs", ACCESS_LOGS).computed()],
};

/// The load balancers the configuration's `arn` or `name` names (every one when neither).
async fn candidates(clients: &AwsClients, config: &Value) -> Result<Vec<String>> {
    let arn = get_str(config, "arn").map(|a| vec![a.to_string()]);
    let name = get_str(config, "name").map(|n| vec![n.to_string()]);
    let described: Result<Vec<LoadBalancer>> = call(|| {
        clients
            .elbv2
            .describe_load_balancers()
            .set_load_balancer_arns(arn.clone())
            .set_names(if arn.is_some() { None } else { name.clone() })
            .into_paginator()
            .items()
            .send()
            .try_collect()
    })
    .await;
    Ok(found(described)?
        .iter()
        .filter_map(|lb| lb.load_balancer_arn().map(String::from))
        .collect())
}

#[async_trait]
impl DataSource for LbData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let arns = candidates(clients, config).await?;
        let arn = one_elbv2(clients, arns, &get_string_map(config, "tags")).await?;
        let resource = LbType
            .read_many(clients, std::slice::from_ref(&arn))
            .await?
            .remove(&arn)
            .ok_or_else(|| ApiError::malformed(format!("load balancer {arn} is gone")))?;
        Ok(from_resource_state(&SCHEMA, &resource, []))
    }
}
