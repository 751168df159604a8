//! `data "aws_default_tags"`: the `default_tags` of the `provider "aws"` block. No AWS call.
//! The id is the partition, as the AWS provider sets it.

use async_trait::async_trait;

use crate::aws::error::Result;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::state_object;
use crate::provider::Schema;

pub struct DefaultTags;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_default_tags", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        computed StringMap: tags;
    ],
    blocks: &[],
};

#[async_trait]
impl DataSource for DefaultTags {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, _config: &Value) -> Result<Value> {
        let (partition, ..) = super::partition::partition_of(&clients.region);
        let tags = clients
            .default_tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v)))
            .collect();
        Ok(state_object(
            &SCHEMA,
            [("id", Value::string(partition)), ("tags", Value::Map(tags))],
        ))
    }
}
