//! `data "aws_secretsmanager_secret"`: one Secrets Manager secret by `arn` or `name` (exactly
//! one of them, as in the provider), with its description, KMS key, tags, dates and resource
//! policy; never its value. The id is the ARN. A secret that does not exist, or is scheduled
//! for deletion, is an error in the provider's words.

use async_trait::async_trait;

use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, OrGone, Result};
use crate::aws::iam::iso8601;
use crate::aws::json_doc::canonical_policy;
use crate::aws::resources::secretsmanager_secret::policy_of;
use crate::aws::service_tags::read_tags;
use crate::aws::{AwsClients, DataDeclaration, DataSource};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct SecretsmanagerSecretData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_secretsmanager_secret", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional_computed String: arn name;
        computed String: id created_date description kms_key_id last_changed_date policy;
        optional_computed StringMap: tags;
    ],
    blocks: &[],
};

/// Which secret the arguments name: `arn` or `name`, exactly one, as the provider's
/// `ExactlyOneOf` wants it (in Terraform's words).
fn secret_id(config: &Value) -> Result<&str> {
    match (get_str(config, "arn"), get_str(config, "name")) {
        (Some(arn), None) => Ok(arn),
        (None, Some(name)) => Ok(name),
        (Some(_), Some(_)) => Err(ApiError::new(
            ErrorKind::Invalid,
            "InvalidArguments",
            "only one of `arn,name` can be specified",
        )),
        (None, None) => Err(ApiError::new(
            ErrorKind::Invalid,
            "InvalidArguments",
            "one of `arn,name` must be specified",
        )),
    }
}

#[async_trait]
impl DataSource for SecretsmanagerSecretData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let id = secret_id(config)?;
        let not_found = || {
            ApiError::new(
                ErrorKind::NotFound,
                "ResourceNotFoundException",
                format!("reading Secrets Manager Secret ({id}): couldn't find resource"),
            )
        };
        let described = call(|| {
            clients
                .secretsmanager
                .describe_secret()
                .secret_id(id)
                .send()
        })
        .await
        .found()?;
        let Some(s) = described.filter(|s| s.deleted_date().is_none()) else {
            return Err(not_found());
        };
        let arn = s.arn().ok_or_else(not_found)?;
        let policy = policy_of(clients, arn).await.found()?.flatten();
        let time = |t: Option<&aws_smithy_types::DateTime>| t.map_or(Value::Null, iso8601);
        let [tags, _] = read_tags(s.tags().iter().filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        }));
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(arn)),
                ("arn", Value::string(arn)),
                ("name", opt_str(s.name())),
                ("created_date", time(s.created_date())),
                ("last_changed_date", time(s.last_changed_date())),
                ("description", opt_str(s.description())),
                ("kms_key_id", opt_str(s.kms_key_id())),
                (
                    "policy",
                    opt_str(
                        policy
                            .filter(|p| !p.is_empty())
                            .map(|p| canonical_policy(&p)),
                    ),
                ),
                tags,
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_of_arn_and_name() {
        let both = SCHEMA.conformed([
            ("arn", Value::string("arn:x")),
            ("name", Value::string("n")),
        ]);
        assert_eq!(
            secret_id(&both).unwrap_err().message,
            "only one of `arn,name` can be specified"
        );
        let none = SCHEMA.conformed::<&str>([]);
        assert_eq!(
            secret_id(&none).unwrap_err().message,
            "one of `arn,name` must be specified"
        );
        let by_name = SCHEMA.conformed([("name", Value::string("db"))]);
        assert_eq!(secret_id(&by_name).unwrap(), "db");
    }
}
