//! `aws_sns_topic_policy`: the access policy of an SNS topic (who may publish to it: EventBridge,
//! CloudWatch alarms, another account). Its id is the topic ARN, which is also its import ID.
//!
//! As in the AWS provider: `arn` forces a new object, `policy` changes in place; both create
//! and update are SetTopicAttributes with the `Policy` attribute, and `policy` is compared in
//! canonical form (`json_doc::canonical_policy`, as IAM policies). A topic always has a policy,
//! so delete cannot remove it: it puts back the default policy SNS gives a new topic (the
//! provider's `defaultTopicPolicy`, for the topic's owner), and a topic that is gone counts as
//! deleted. After a delete the topic still reads, with that default policy.
//!
//! Nothing to tag, and the id is the topic's: an interrupted create is found again by its
//! `arn` (a topic whose policy ecsform may not have set yet; the next plan then sets it).
//! Refresh reads each topic's attributes with GetTopicAttributes, one call per topic (the
//! floor: SNS has no call for the attributes of several topics). moto serves every call.

use async_trait::async_trait;

use super::{expect_prefix, read_created};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::{from_sdk, ApiError, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError};
use crate::aws::{Owner, ResourceType};
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct SnsTopicPolicyType;

static DECLARATION: Declaration =
    Declaration::new("aws_sns_topic_policy", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id owner;
        required String: arn.force_new() policy;
    ],
    blocks: &[],
};

/// The policy SNS gives a new topic, which delete puts back: the AWS provider's
/// `defaultTopicPolicy`.
pub fn default_topic_policy(topic_arn: &str, account: &str) -> String {
    serde_json::json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes",
                "SNS:SetTopicAttributes",
                "SNS:AddPermission",
                "SNS:RemovePermission",
                "SNS:DeleteTopic",
                "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic",
                "SNS:Publish",
                "SNS:Receive"
            ],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

async fn get_policy(clients: AwsClients, arn: String) -> Result<Option<Value>> {
    let out = clients
        .sns
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .map_err(from_sdk)?;
    let attrs = out.attributes().cloned().unwrap_or_default();
    let Some(policy) = attrs.get("Policy").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(&arn)),
            ("arn", Value::string(&arn)),
            ("owner", opt_str(attrs.get("Owner"))),
            ("policy", Value::string(canonical_policy(policy))),
        ],
    )))
}

async fn put_policy(clients: &AwsClients, arn: &str, policy: &str) -> Result<()> {
    call(|| {
        clients
            .sns
            .set_topic_attributes()
            .topic_arn(arn)
            .attribute_name("Policy")
            .attribute_value(policy)
            .send()
    })
    .await
    .map(|_| ())
}

#[async_trait]
impl ResourceType for SnsTopicPolicyType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_id_format(&self) -> &'static str {
        "the topic ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "a topic ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_policy).await
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let arn = get_str(planned, "arn").map(String::from);
        find_by_arguments(self, clients, arn).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let arn = get_str(planned, "arn").ok_or_else(|| ApiError::malformed("no arn planned"))?;
        put_policy(
            ctx.clients,
            arn,
            get_str(planned, "policy").unwrap_or_default(),
        )
        .await?;
        read_created(self, ctx.clients, arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        put_policy(
            ctx.clients,
            arn,
            get_str(planned, "policy").unwrap_or_default(),
        )
        .await?;
        read_created(self, ctx.clients, arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let owner = match get_str(prior, "owner") {
            Some(o) => o.to_string(),
            None => super::account_id(ctx.clients).await?,
        };
        put_policy(ctx.clients, arn, &default_topic_policy(arn, &owner))
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_the_providers() {
        let p: serde_json::Value = serde_json::from_str(&default_topic_policy(
            "arn:aws:sns:eu-west-1:123456789012:t",
            "123456789012",
        ))
        .unwrap();
        assert_eq!(p["Id"], "__default_policy_ID");
        let st = &p["Statement"][0];
        assert_eq!(st["Resource"], "arn:aws:sns:eu-west-1:123456789012:t");
        assert_eq!(
            st["Condition"]["StringEquals"]["AWS:SourceOwner"],
            "123456789012"
        );
        assert_eq!(st["Action"].as_array().unwrap().len(), 9);
    }
}
