//! `data "aws_vpc"`: one VPC, found by id, `cidr_block`, `default`, `dhcp_options_id`,
//! `state`, `tags` and `filter` blocks. No match, or several, is an error.
//!
//! Besides the VPC itself, the result has its DNS settings (two `DescribeVpcAttribute` calls)
//! and its main route table (`DescribeRouteTables`), as the AWS provider's has. The lookup
//! arguments are plain optional attributes (see `data::subnet`).

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, RouteTable, Vpc, VpcAttributeName, VpcCidrBlockStateCode};

use super::{lookup_filters, lookup_one, with_filter_blocks, FILTER_BLOCK};
use crate::aws::error::Result;
use crate::aws::resources::ec2_arn;
use crate::aws::resources::vpc::{defaults_in, dns_attribute};
use crate::aws::tags::from_ec2;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{opt_bool, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct VpcData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_vpc", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: id cidr_block;
        optional Bool: default;
        optional String: dhcp_options_id state;
        optional StringMap: tags;
        computed String: arn owner_id instance_tenancy ipv6_cidr_block ipv6_association_id;
        computed Bool: enable_dns_support enable_dns_hostnames;
        computed String: main_route_table_id;
    ],
    blocks: &[FILTER_BLOCK],
};

/// The EC2 filters the configuration asks for (the id goes in `VpcIds`).
fn filters(config: &Value) -> Vec<Filter> {
    lookup_filters(
        config,
        &[
            ("cidr_block", "cidr"),
            ("dhcp_options_id", "dhcp-options-id"),
            ("state", "state"),
        ],
        &[("default", "is-default")],
    )
}

/// What the VPC's own description lacks.
struct Extras {
    dns_support: Option<bool>,
    dns_hostnames: Option<bool>,
    main_route_table: Option<String>,
}

fn vpc_state(config: &Value, v: &Vpc, extras: Extras, region: &str) -> Value {
    let id = v.vpc_id().unwrap_or_default();
    let ipv6 = v.ipv6_cidr_block_association_set().iter().find(|a| {
        a.ipv6_cidr_block_state().and_then(|s| s.state())
            == Some(&VpcCidrBlockStateCode::Associated)
    });
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("cidr_block", opt_str(v.cidr_block())),
            ("default", opt_bool(v.is_default())),
            ("dhcp_options_id", opt_str(v.dhcp_options_id())),
            ("state", opt_str(v.state().map(|s| s.as_str()))),
            ("tags", string_map(&from_ec2(v.tags()))),
            (
                "arn",
                Value::string(ec2_arn(region, v.owner_id().unwrap_or_default(), "vpc", id)),
            ),
            ("owner_id", opt_str(v.owner_id())),
            (
                "instance_tenancy",
                opt_str(v.instance_tenancy().map(|t| t.as_str())),
            ),
            (
                "ipv6_cidr_block",
                opt_str(ipv6.and_then(|a| a.ipv6_cidr_block())),
            ),
            (
                "ipv6_association_id",
                opt_str(ipv6.and_then(|a| a.association_id())),
            ),
            ("enable_dns_support", opt_bool(extras.dns_support)),
            ("enable_dns_hostnames", opt_bool(extras.dns_hostnames)),
            ("main_route_table_id", opt_str(extras.main_route_table)),
        ],
    );
    with_filter_blocks(state, config)
}

async fn main_route_table(clients: &AwsClients, id: &str) -> Result<Option<String>> {
    let vpc = [id.to_string()];
    let main = ("association.main", "true");
    let found = defaults_in(clients, &vpc, main, RouteTable::vpc_id).await?;
    Ok(found.into_iter().next().map(|(_, table)| table))
}

#[async_trait]
impl DataSource for VpcData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let vpc: Vpc = lookup_one(clients, config, filters(config), "EC2 VPC").await?;
        let vpc_id = vpc.vpc_id().unwrap_or_default();
        let extras = Extras {
            dns_support: dns_attribute(clients, vpc_id, VpcAttributeName::EnableDnsSupport).await?,
            dns_hostnames: dns_attribute(clients, vpc_id, VpcAttributeName::EnableDnsHostnames)
                .await?,
            main_route_table: main_route_table(clients, vpc_id).await?,
        };
        Ok(vpc_state(config, &vpc, extras, &clients.region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_cidr_become_filters() {
        let config = SCHEMA.conformed([
            ("default", Value::Bool(true)),
            ("cidr_block", Value::string("172.31.0.0/16")),
        ]);
        let names: Vec<_> = filters(&config)
            .iter()
            .map(|f| format!("{}={}", f.name().unwrap(), f.values().join(",")))
            .collect();
        assert_eq!(names, ["cidr=172.31.0.0/16", "is-default=true"]);
    }

    #[test]
    fn state_carries_the_extras() {
        let vpc = Vpc::builder()
            .vpc_id("vpc-1")
            .owner_id("123456789012")
            .cidr_block("10.0.0.0/16")
            .is_default(false)
            .build();
        let s = vpc_state(
            &Value::map::<&str>([]),
            &vpc,
            Extras {
                dns_support: Some(true),
                dns_hostnames: Some(false),
                main_route_table: Some("rtb-1".into()),
            },
            "eu-west-1",
        );
        let m = s.as_map().unwrap();
        assert_eq!(m["main_route_table_id"], Value::string("rtb-1"));
        assert_eq!(m["enable_dns_hostnames"], Value::Bool(false));
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1")
        );
    }
}
