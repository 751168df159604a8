//! `data "aws_iam_role"`: one IAM role by `name` (`GetRole`), read as the `aws_iam_role`
//! resource type reads it (the assume-role policy in canonical form), with when and where it
//! was last used. A role that does not exist is an error in the AWS provider's words.

use async_trait::async_trait;
use aws_sdk_iam::types::Role;

use super::from_resource_state;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::iam::iso8601;
use crate::aws::resources::iam_role::role_state;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str};
use crate::provider::{BlockSchema, Schema};

pub struct IamRoleData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_iam_role", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: name;
        computed String: id arn assume_role_policy create_date description path;
        computed String: permissions_boundary unique_id;
        computed Number: max_session_duration;
        computed StringMap: tags;
    ],
    blocks: &[BlockSchema::list(
        "role_last_used",
        attrs![
            computed String: last_used_date region;
        ],
    )
    .computed()],
};

fn data_state(r: &Role) -> Value {
    let last_used = r.role_last_used().map(|u| {
        Value::map([
            (
                "last_used_date",
                u.last_used_date().map_or(Value::Null, iso8601),
            ),
            ("region", opt_str(u.region())),
        ])
    });
    from_resource_state(
        &SCHEMA,
        &role_state(r),
        [(
            "role_last_used",
            Value::List(last_used.into_iter().collect()),
        )],
    )
}

#[async_trait]
impl DataSource for IamRoleData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let name = get_str(config, "name").unwrap_or_default();
        let not_found = || {
            ApiError::new(
                ErrorKind::NotFound,
                "NoSuchEntity",
                format!("reading IAM Role ({name}): couldn't find resource"),
            )
        };
        let out = match call(|| clients.iam.get_role().role_name(name).send()).await {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Err(not_found()),
            Err(e) => return Err(e),
        };
        let role = out.role().ok_or_else(not_found)?;
        Ok(data_state(role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::RoleLastUsed;
    use aws_smithy_types::DateTime;

    #[test]
    fn state_has_the_role_and_its_last_use() {
        let role = Role::builder()
            .role_name("tasks")
            .path("/")
            .arn("arn:aws:iam::123456789012:role/tasks")
            .role_id("AROA1")
            .create_date(DateTime::from_secs(0))
            .assume_role_policy_document("%7B%22Version%22%3A%222012-10-17%22%7D")
            .role_last_used(
                RoleLastUsed::builder()
                    .last_used_date(DateTime::from_secs(60))
                    .region("eu-west-1")
                    .build(),
            )
            .build()
            .unwrap();
        let s = data_state(&role);
        let m = s.as_map().unwrap();
        assert_eq!(m["id"], Value::string("tasks"));
        assert_eq!(m["unique_id"], Value::string("AROA1"));
        assert_eq!(m["max_session_duration"], Value::number(3600));
        assert_eq!(
            m["role_last_used"],
            Value::List(vec![Value::map([
                ("last_used_date", Value::string("1970-01-01T00:01:00Z")),
                ("region", Value::string("eu-west-1")),
            ])])
        );
        assert!(!m.contains_key("force_detach_policies"));
    }
}
