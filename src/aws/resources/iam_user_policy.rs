//! `aws_iam_user_policy`: an inline policy of an IAM user. Its id is `USER:NAME`, as in the
//! AWS provider (IAM names cannot contain `:`).
//!
//! The document is compared in canonical form ([`canonical_policy`]). PutUserPolicy both
//! creates and updates; right after the user's creation it may fail with `NoSuchEntity`,
//! which is retried while IAM settles. Refresh reads each policy with GetUserPolicy (a list
//! call would return names only).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{prefix_of_unique_name, read_created, retry_while};
use crate::aws::error::{from_sdk, retry, ApiError, RetryPolicy};
use crate::aws::iam::{iam_eventually_consistent, name_or_prefix, read_each, IAM_SETTLE_LIMIT};
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::AwsClients;
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::{AttrSchema, AttrType, CallContext, ResourceType, Schema};

pub struct IamUserPolicyType;

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: &[
        AttrSchema::computed("id", AttrType::String),
        AttrSchema::optional_computed("name", AttrType::String).force_new(),
        AttrSchema::optional_computed("name_prefix", AttrType::String).force_new(),
        AttrSchema::required("user", AttrType::String).force_new(),
        AttrSchema::required("policy", AttrType::String),
    ],
    blocks: &[],
};

/// `USER:NAME` split in two.
fn parse_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':')
}

async fn get_user_policy(clients: AwsClients, id: String) -> Result<Option<Value>, ApiError> {
    let Some((user, name)) = parse_id(&id) else {
        return Ok(None);
    };
    let out = clients
        .iam
        .get_user_policy()
        .user_name(user)
        .policy_name(name)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            ("name", Value::string(out.policy_name())),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            ("user", Value::string(out.user_name())),
            (
                "policy",
                Value::string(canonical_policy(out.policy_document())),
            ),
        ],
    )))
}

async fn put(
    clients: &AwsClients,
    user: &str,
    name: &str,
    planned: &Value,
) -> Result<(), ApiError> {
    let document = get_str(planned, "policy").unwrap_or_default();
    retry_while(
        &format!("inline policy {name} to be put on user {user}"),
        IAM_SETTLE_LIMIT,
        iam_eventually_consistent,
        || async {
            clients
                .iam
                .put_user_policy()
                .user_name(user)
                .policy_name(name)
                .policy_document(document)
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await?;
    Ok(())
}

fn id_of(prior: &Value) -> Result<(&str, &str), ApiError> {
    get_str(prior, "id")
        .and_then(parse_id)
        .ok_or_else(|| ApiError::malformed("aws_iam_user_policy state has no USER:NAME id"))
}

#[async_trait]
impl ResourceType for IamUserPolicyType {
    fn type_name(&self) -> &'static str {
        "aws_iam_user_policy"
    }

    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    async fn read_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
    ) -> Result<BTreeMap<String, Value>, ApiError> {
        read_each(clients, ids, get_user_policy).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value, ApiError> {
        let user = get_str(planned, "user").unwrap_or_default();
        let name = name_or_prefix(planned);
        put(ctx.clients, user, &name, planned).await?;
        read_created(self, ctx.clients, &format!("{user}:{name}")).await
    }

    async fn update(
        &self,
        ctx: &CallContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ApiError> {
        let (user, name) = id_of(prior)?;
        put(ctx.clients, user, name, planned).await?;
        read_created(self, ctx.clients, &format!("{user}:{name}")).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<(), ApiError> {
        let (user, name) = id_of(prior)?;
        let r = retry(RetryPolicy::default(), || async {
            ctx.clients
                .iam
                .delete_user_policy()
                .user_name(user)
                .policy_name(name)
                .send()
                .await
                .map_err(from_sdk)
        })
        .await;
        match r {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_at_the_colon() {
        assert_eq!(parse_id("web:s3-read"), Some(("web", "s3-read")));
        assert_eq!(parse_id("web"), None);
    }
}
