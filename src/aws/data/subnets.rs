//! `data "aws_subnets"`: the ids of every subnet that the `filter` blocks and `tags` select
//! (each tag a `tag:KEY` filter), in the order `DescribeSubnets` lists them. No match is an
//! empty list, not an error, as in the AWS provider; the id is the region.

use async_trait::async_trait;
use aws_sdk_ec2::types::Subnet;

use super::{given, lookup_filters, with_filter_blocks, FILTER_BLOCK};
use crate::aws::ec2::{describe_matching, Ec2Object};
use crate::aws::error::Result;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{state_object, strings};
use crate::provider::Schema;

pub struct Subnets;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_subnets", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        optional StringMap: tags;
        computed StringList: ids;
    ],
    blocks: &[FILTER_BLOCK],
};

#[async_trait]
impl DataSource for Subnets {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let filters = lookup_filters(config, &[], &[]);
        let found: Vec<Subnet> = describe_matching(clients, None, filters).await?;
        let state = state_object(
            &SCHEMA,
            [
                ("id", Value::string(&clients.region)),
                given(config, "tags"),
                ("ids", strings(found.iter().filter_map(Ec2Object::ec2_id))),
            ],
        );
        Ok(with_filter_blocks(state, config))
    }
}
