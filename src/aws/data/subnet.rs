//! `data "aws_subnet"`: one subnet, found by id, by its attributes (`vpc_id`,
//! `availability_zone`, `cidr_block`, `default_for_az`, `state`, `tags`) and `filter` blocks.
//! No match, or several, is an error.
//!
//! The lookup arguments are plain optional attributes, so that one not known yet (a VPC
//! created in the same run) defers the read to apply; the result carries the subnet's real
//! values in them.

use crate::provider::attrs;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, Subnet, SubnetCidrBlockStateCode};

#[cfg(test)]
use super::exactly_one;
use super::{lookup_filters, lookup_one, with_filter_blocks, FILTER_BLOCK};
use crate::aws::error::Result;
use crate::aws::resources::ec2_arn;
use crate::aws::tags::from_ec2;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::values::{opt_bool, opt_number, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct SubnetData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_subnet", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: id vpc_id availability_zone availability_zone_id cidr_block;
        optional Bool: default_for_az;
        optional String: state;
        optional StringMap: tags;
        computed String: arn owner_id;
        computed Number: available_ip_address_count;
        computed Bool: map_public_ip_on_launch assign_ipv6_address_on_creation;
        computed String: ipv6_cidr_block ipv6_cidr_block_association_id;
    ],
    blocks: &[FILTER_BLOCK],
};

/// The EC2 filters the configuration asks for (the id goes in `SubnetIds`).
fn filters(config: &Value) -> Vec<Filter> {
    lookup_filters(
        config,
        &[
            ("vpc_id", "vpc-id"),
            ("availability_zone", "availability-zone"),
            ("availability_zone_id", "availability-zone-id"),
            ("cidr_block", "cidr-block"),
            ("state", "state"),
        ],
        &[("default_for_az", "default-for-az")],
    )
}

fn subnet_state(config: &Value, s: &Subnet, region: &str) -> Value {
    let id = s.subnet_id().unwrap_or_default();
    let arn = s
        .subnet_arn()
        .map(String::from)
        .unwrap_or_else(|| ec2_arn(region, s.owner_id().unwrap_or_default(), "subnet", id));
    let ipv6 = s.ipv6_cidr_block_association_set().iter().find(|a| {
        a.ipv6_cidr_block_state().and_then(|st| st.state())
            == Some(&SubnetCidrBlockStateCode::Associated)
    });
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("vpc_id", opt_str(s.vpc_id())),
            ("availability_zone", opt_str(s.availability_zone())),
            ("availability_zone_id", opt_str(s.availability_zone_id())),
            ("cidr_block", opt_str(s.cidr_block())),
            ("default_for_az", opt_bool(s.default_for_az())),
            ("state", opt_str(s.state().map(|st| st.as_str()))),
            ("tags", string_map(&from_ec2(s.tags()))),
            ("arn", Value::string(arn)),
            ("owner_id", opt_str(s.owner_id())),
            (
                "available_ip_address_count",
                opt_number(s.available_ip_address_count()),
            ),
            (
                "map_public_ip_on_launch",
                opt_bool(s.map_public_ip_on_launch()),
            ),
            (
                "assign_ipv6_address_on_creation",
                opt_bool(s.assign_ipv6_address_on_creation()),
            ),
            (
                "ipv6_cidr_block",
                opt_str(ipv6.and_then(|a| a.ipv6_cidr_block())),
            ),
            (
                "ipv6_cidr_block_association_id",
                opt_str(ipv6.and_then(|a| a.association_id())),
            ),
        ],
    );
    with_filter_blocks(state, config)
}

#[async_trait]
impl DataSource for SubnetData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let subnet: Subnet = lookup_one(clients, config, filters(config), "EC2 Subnet").await?;
        Ok(subnet_state(config, &subnet, &clients.region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_filters() {
        let config = SCHEMA.conformed([
            ("vpc_id", Value::string("vpc-1")),
            ("default_for_az", Value::Bool(true)),
            ("tags", Value::map([("Tier", Value::string("private"))])),
        ]);
        let names: Vec<_> = filters(&config)
            .iter()
            .map(|f| format!("{}={}", f.name().unwrap(), f.values().join(",")))
            .collect();
        assert_eq!(
            names,
            ["vpc-id=vpc-1", "default-for-az=true", "tag:Tier=private"]
        );
    }

    #[test]
    fn several_matches_are_an_error() {
        let e = exactly_one("EC2 Subnet", vec![1, 2]).unwrap_err();
        assert!(e.message == "multiple EC2 Subnets matched; use additional constraints to reduce matches to a single EC2 Subnet", "{e}");
        assert!(exactly_one::<u8>("EC2 Subnet", vec![])
            .unwrap_err()
            .is_not_found());
    }
}
