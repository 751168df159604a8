//! `data "aws_caller_identity"`: the account, ARN and user id of the credentials in use
//! (STS `GetCallerIdentity`, which needs no permissions).

use async_trait::async_trait;

use crate::aws::call::call;
use crate::aws::error::ApiError;
use crate::aws::error::Result;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{opt_str, state_object};
use crate::provider::Schema;

pub struct CallerIdentity;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_caller_identity", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id account_id arn user_id;
    ],
    blocks: &[],
};

#[async_trait]
impl DataSource for CallerIdentity {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, _config: &Value) -> Result<Value> {
        let out = call(|| clients.sts.get_caller_identity().send()).await?;
        let account = out
            .account()
            .ok_or_else(|| ApiError::malformed("GetCallerIdentity returned no account"))?;
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(account)),
                ("account_id", Value::string(account)),
                ("arn", opt_str(out.arn())),
                ("user_id", opt_str(out.user_id())),
            ],
        ))
    }
}
