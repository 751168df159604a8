//! `data "aws_ssm_parameter"`: one SSM Parameter Store parameter, e.g. the ECS-optimised AMI
//! id AWS publishes at `/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id`.
//!
//! `value` is always sensitive; `insecure_value` carries the same value unmarked, except for
//! `SecureString` parameters, where it is null (as in the AWS provider). `with_decryption`
//! (default true) decrypts SecureString values.

use async_trait::async_trait;

use crate::aws::call::call;
use crate::aws::error::ApiError;
use crate::aws::error::Result;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct SsmParameter;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_ssm_parameter", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: name;
        optional Bool: with_decryption.default(Default::Bool(true));
        computed String: arn type value.sensitive() insecure_value;
        computed Number: version;
    ],
    blocks: &[],
};

#[async_trait]
impl DataSource for SsmParameter {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let name = get_str(config, "name").unwrap_or_default();
        let decrypt = get_bool(config, "with_decryption").unwrap_or(true);
        let out = call(|| {
            clients
                .ssm
                .get_parameter()
                .name(name)
                .with_decryption(decrypt)
                .send()
        })
        .await?;
        let p = out
            .parameter()
            .ok_or_else(|| ApiError::malformed("GetParameter returned no parameter"))?;
        let ty = p.r#type().map(|t| t.as_str()).unwrap_or("String");
        let value = p.value().unwrap_or_default();
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(p.name().unwrap_or(name))),
                ("name", Value::string(p.name().unwrap_or(name))),
                ("with_decryption", Value::Bool(decrypt)),
                ("arn", opt_str(p.arn())),
                ("type", Value::string(ty)),
                ("value", Value::string(value).mark_sensitive(true)),
                (
                    "insecure_value",
                    if ty == "SecureString" {
                        Value::Null
                    } else {
                        Value::string(value)
                    },
                ),
                ("version", Value::Number(p.version() as f64)),
            ],
        ))
    }
}
