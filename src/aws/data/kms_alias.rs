//! `data "aws_kms_alias"`: one KMS alias by `name` (`alias/...`), with the key it points to.
//! The alias is found in the account's aliases (one paginated ListAliases, as the provider
//! does); an AWS-managed alias (`alias/aws/s3`) that lists no key yet is resolved with
//! DescribeKey, which makes AWS create the key, as in the provider. The id is the alias ARN.
//! An alias that does not exist is an error in the provider's words.

use async_trait::async_trait;

use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::kms_alias::{list_aliases, target_key_arn};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct KmsAliasData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_kms_alias", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: name;
        computed String: id arn target_key_arn target_key_id;
    ],
    blocks: &[],
};

fn alias_data_state(
    name: &str,
    arn: Option<&str>,
    key_id: Option<&str>,
    key_arn: Option<String>,
) -> Value {
    state_object(
        &SCHEMA,
        [
            ("name", Value::string(name)),
            ("id", opt_str(arn)),
            ("arn", opt_str(arn)),
            ("target_key_id", opt_str(key_id)),
            ("target_key_arn", opt_str(key_arn)),
        ],
    )
}

#[async_trait]
impl DataSource for KmsAliasData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let name = get_str(config, "name").unwrap_or_default();
        let aliases = list_aliases(clients).await?;
        let Some(alias) = aliases.iter().find(|a| a.alias_name() == Some(name)) else {
            return Err(ApiError::new(
                ErrorKind::NotFound,
                "NotFoundException",
                format!("reading KMS Alias ({name}): couldn't find resource"),
            ));
        };
        let arn = alias.alias_arn();
        if let Some(key) = alias.target_key_id() {
            let key_arn = arn.and_then(|a| target_key_arn(a, key));
            return Ok(alias_data_state(name, arn, Some(key), key_arn));
        }
        // An AWS-managed alias whose key AWS has not made yet: describing it makes it.
        let described = call(|| clients.kms.describe_key().key_id(name).send()).await?;
        let meta = described.key_metadata();
        Ok(alias_data_state(
            name,
            arn,
            meta.map(|m| m.key_id()),
            meta.and_then(|m| m.arn()).map(String::from),
        ))
    }
}
