//! `data "aws_vpc_endpoint"`: one VPC endpoint, found by `id`, `vpc_id`, `service_name`,
//! `state`, `tags` (each a `tag:KEY` filter) and `filter` blocks (`DescribeVpcEndpoints`).
//! No match, or several, is an error in the AWS provider's words. For a gateway endpoint the
//! service's prefix list (`DescribePrefixLists` by the service name) gives `prefix_list_id`
//! and `cidr_blocks`, as in the provider. The lookup arguments are plain optional attributes
//! (see `data::subnet`).

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, PrefixList, VpcEndpoint};

use super::{filter, lookup_filters, lookup_one, with_filter_blocks, FILTER_BLOCK};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::json_doc::canonical_policy;
use crate::aws::resources::ec2_arn;
use crate::aws::tags::from_ec2;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{opt_bool, opt_str, state_object, string_map, string_set, strings};
use crate::provider::{BlockSchema, Schema};

pub struct VpcEndpointData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_vpc_endpoint", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: id vpc_id service_name state;
        optional StringMap: tags;
        computed String: arn ip_address_type owner_id policy prefix_list_id;
        computed StringList: cidr_blocks;
        computed StringSet: network_interface_ids route_table_ids security_group_ids subnet_ids;
        computed Bool: private_dns_enabled requester_managed;
        computed String: service_region vpc_endpoint_type;
    ],
    blocks: &[
        FILTER_BLOCK,
        BlockSchema::list(
            "dns_entry",
            attrs![
                computed String: dns_name hosted_zone_id;
            ],
        )
        .computed(),
        BlockSchema::list(
            "dns_options",
            attrs![
                computed String: dns_record_ip_type;
                computed Bool: private_dns_only_for_inbound_resolver_endpoint;
                computed String: private_dns_preference;
                computed StringSet: private_dns_specified_domains;
            ],
        )
        .computed(),
    ],
};

/// The EC2 filters the configuration asks for (the id goes in `VpcEndpointIds`).
fn filters(config: &Value) -> Vec<Filter> {
    lookup_filters(
        config,
        &[
            ("vpc_id", "vpc-id"),
            ("service_name", "service-name"),
            ("state", "vpc-endpoint-state"),
        ],
        &[],
    )
}

fn endpoint_state(
    config: &Value,
    e: &VpcEndpoint,
    prefix_list: Option<&PrefixList>,
    region: &str,
) -> Value {
    let id = e.vpc_endpoint_id().unwrap_or_default();
    let owner = e.owner_id().unwrap_or_default();
    let dns_entries = e
        .dns_entries()
        .iter()
        .map(|d| {
            Value::map([
                ("dns_name", opt_str(d.dns_name())),
                ("hosted_zone_id", opt_str(d.hosted_zone_id())),
            ])
        })
        .collect();
    let dns_options = e.dns_options().map(|o| {
        Value::map([
            (
                "dns_record_ip_type",
                opt_str(o.dns_record_ip_type().map(|t| t.as_str())),
            ),
            (
                "private_dns_only_for_inbound_resolver_endpoint",
                opt_bool(o.private_dns_only_for_inbound_resolver_endpoint()),
            ),
            (
                "private_dns_preference",
                opt_str(o.private_dns_preference()),
            ),
            (
                "private_dns_specified_domains",
                string_set(o.private_dns_specified_domains().to_vec()),
            ),
        ])
    });
    let groups = e.groups().iter().filter_map(|g| g.group_id());
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("vpc_id", opt_str(e.vpc_id())),
            ("service_name", opt_str(e.service_name())),
            ("state", opt_str(e.state().map(|s| s.as_str()))),
            ("tags", string_map(&from_ec2(e.tags()))),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "vpc-endpoint", id)),
            ),
            (
                "ip_address_type",
                opt_str(e.ip_address_type().map(|t| t.as_str())),
            ),
            ("owner_id", opt_str(e.owner_id())),
            ("policy", opt_str(e.policy_document().map(canonical_policy))),
            (
                "prefix_list_id",
                opt_str(prefix_list.and_then(|p| p.prefix_list_id())),
            ),
            (
                "cidr_blocks",
                strings(prefix_list.map(|p| p.cidrs().to_vec()).unwrap_or_default()),
            ),
            (
                "network_interface_ids",
                string_set(e.network_interface_ids().to_vec()),
            ),
            ("route_table_ids", string_set(e.route_table_ids().to_vec())),
            ("security_group_ids", string_set(groups)),
            ("subnet_ids", string_set(e.subnet_ids().to_vec())),
            ("private_dns_enabled", opt_bool(e.private_dns_enabled())),
            ("requester_managed", opt_bool(e.requester_managed())),
            ("service_region", opt_str(e.service_region())),
            (
                "vpc_endpoint_type",
                // Endpoints in GovCloud have no type: the provider reports them as gateways.
                Value::string(e.vpc_endpoint_type().map_or("Gateway", |t| t.as_str())),
            ),
            ("dns_entry", Value::List(dns_entries)),
            (
                "dns_options",
                Value::List(dns_options.into_iter().collect()),
            ),
        ],
    );
    with_filter_blocks(state, config)
}

#[async_trait]
impl DataSource for VpcEndpointData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let endpoint: VpcEndpoint =
            lookup_one(clients, config, filters(config), "EC2 VPC Endpoint").await?;
        let service = endpoint.service_name().unwrap_or_default().to_string();
        let lists: Vec<PrefixList> = call(|| {
            clients
                .ec2
                .describe_prefix_lists()
                .filters(filter("prefix-list-name", service.clone()))
                .into_paginator()
                .items()
                .send()
                .try_collect()
        })
        .await?;
        Ok(endpoint_state(
            config,
            &endpoint,
            lists.first(),
            &clients.region,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_filters() {
        let config = SCHEMA.conformed([
            ("vpc_id", Value::string("vpc-1")),
            ("service_name", Value::string("com.amazonaws.eu-west-1.s3")),
            ("state", Value::string("available")),
            ("tags", Value::map([("Name", Value::string("s3"))])),
        ]);
        let names: Vec<_> = filters(&config)
            .iter()
            .map(|f| format!("{}={}", f.name().unwrap(), f.values().join(",")))
            .collect();
        assert_eq!(
            names,
            [
                "vpc-id=vpc-1",
                "service-name=com.amazonaws.eu-west-1.s3",
                "vpc-endpoint-state=available",
                "tag:Name=s3"
            ]
        );
    }
}
