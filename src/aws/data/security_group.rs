//! `data "aws_security_group"`: one security group, found by `id`, `name`, `vpc_id`, `tags`
//! (each a `tag:KEY` filter) and `filter` blocks. No match, or several, is an error in the
//! AWS provider's words. The lookup arguments are plain optional attributes (see
//! `data::subnet`).

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, SecurityGroup};

use super::{lookup_filters, lookup_one, with_filter_blocks, FILTER_BLOCK};
use crate::aws::error::Result;
use crate::aws::resources::ec2_arn;
use crate::aws::tags::from_ec2;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct SecurityGroupData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_security_group", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: id name vpc_id;
        optional StringMap: tags;
        computed String: arn description;
    ],
    blocks: &[FILTER_BLOCK],
};

/// The EC2 filters the configuration asks for (the id goes in `GroupIds`).
fn filters(config: &Value) -> Vec<Filter> {
    lookup_filters(config, &[("name", "group-name"), ("vpc_id", "vpc-id")], &[])
}

fn group_state(config: &Value, g: &SecurityGroup, region: &str) -> Value {
    let id = g.group_id().unwrap_or_default();
    let owner = g.owner_id().unwrap_or_default();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("name", opt_str(g.group_name())),
            ("vpc_id", opt_str(g.vpc_id())),
            ("tags", string_map(&from_ec2(g.tags()))),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "security-group", id)),
            ),
            ("description", opt_str(g.description())),
        ],
    );
    with_filter_blocks(state, config)
}

#[async_trait]
impl DataSource for SecurityGroupData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let group: SecurityGroup =
            lookup_one(clients, config, filters(config), "EC2 Security Group").await?;
        Ok(group_state(config, &group, &clients.region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_filters() {
        let config = SCHEMA.conformed([
            ("name", Value::string("web")),
            ("vpc_id", Value::string("vpc-1")),
            ("tags", Value::map([("Tier", Value::string("front"))])),
        ]);
        let names: Vec<_> = filters(&config)
            .iter()
            .map(|f| format!("{}={}", f.name().unwrap(), f.values().join(",")))
            .collect();
        assert_eq!(names, ["group-name=web", "vpc-id=vpc-1", "tag:Tier=front"]);
    }
}
