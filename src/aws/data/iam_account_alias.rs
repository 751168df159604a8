//! `data "aws_iam_account_alias"`: the account's alias (`ListAccountAliases`; an account has
//! at most one). An account without one is an error in the AWS provider's words.

use async_trait::async_trait;

use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::state_object;
use crate::provider::Schema;

pub struct IamAccountAlias;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_iam_account_alias", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id account_alias;
    ],
    blocks: &[],
};

#[async_trait]
impl DataSource for IamAccountAlias {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, _config: &Value) -> Result<Value> {
        let out = call(|| clients.iam.list_account_aliases().send()).await?;
        let alias = out.account_aliases().first().ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "NoAccountAlias",
                "reading IAM Account Alias: empty result",
            )
        })?;
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(alias)),
                ("account_alias", Value::string(alias)),
            ],
        ))
    }
}
