//! `aws_iam_policy`: a customer managed IAM policy. Its id is its ARN.
//!
//! The document (`policy`) is compared in canonical form ([`canonical_policy`]). Changing it
//! creates a new policy version and makes it the default, as the AWS provider does; IAM keeps
//! at most five versions, so when five exist the oldest non-default one is deleted first.
//! Deletion deletes the non-default versions, then the policy. Refresh takes every policy's
//! document from the GetAccountAuthorizationDetails call it shares with the other IAM
//! types (`aws::refresh_batch`), and the rest, tags above all, from one GetPolicy per policy:
//! no IAM call returns the tags of several policies. A policy missing there is read with
//! GetPolicy plus GetPolicyVersion for its document (ListPolicies has neither tags nor
//! documents).

use std::collections::BTreeMap;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_iam::types::Policy;

use super::{changed, expect_prefix, prefix_of_unique_name, read_created, retry_while};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::iam::{
    find_iam_named, name_or_prefix, read_each, tag_pairs, to_iam_tags, IAM_SETTLE_LIMIT,
};
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::object_ids::state_id;
use crate::aws::refresh_batch::{IamAccount, RefreshBatch};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct IamPolicyType;

static DECLARATION: Declaration = Declaration::new(
    "aws_iam_policy",
    &SCHEMA,
    Adoption::NameAndTags,
)
.generated_name("name", "name_prefix", "terraform-");

/// IAM's limit on versions per managed policy.
const MAX_VERSIONS: usize = 5;

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn policy_id;
        computed Number: attachment_count;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional String: path.force_new().default(Default::Str("/")) description.force_new();
        required String: policy;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

async fn get_policy(clients: AwsClients, arn: String) -> Result<Option<Value>> {
    read_policy(clients, arn, None).await
}

/// The policy `arn` with GetPolicy, and its document: `document` where the caller has it
/// already, else the default version's from GetPolicyVersion.
pub(crate) async fn read_policy(
    clients: AwsClients,
    arn: String,
    document: Option<String>,
) -> Result<Option<Value>> {
    let out = clients
        .iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .map_err(from_sdk)?;
    let Some(p) = out.policy() else {
        return Ok(None);
    };
    let document = match (document, p.default_version_id()) {
        (Some(d), _) => Some(canonical_policy(&d)),
        (None, Some(v)) => clients
            .iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await
            .map_err(from_sdk)?
            .policy_version()
            .and_then(|v| v.document())
            .map(canonical_policy),
        (None, None) => None,
    };
    Ok(Some(policy_state(&arn, p, document)))
}

/// The state of the policy `p` (read with GetPolicy, or built from the refresh's account
/// details) whose default version's document is `document` (canonical).
fn policy_state(arn: &str, p: &Policy, document: Option<String>) -> Value {
    let name = p.policy_name().unwrap_or_default();
    let [tags, tags_all] = read_tags(tag_pairs(p.tags()));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("policy_id", opt_str(p.policy_id())),
            (
                "attachment_count",
                Value::number(p.attachment_count().unwrap_or(0)),
            ),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            ("path", opt_str(p.path())),
            (
                "description",
                opt_str(p.description().filter(|d| !d.is_empty())),
            ),
            ("policy", opt_str(document)),
            tags,
            tags_all,
        ],
    )
}

/// Versions other than the default, oldest first.
async fn old_versions(clients: &AwsClients, arn: &str) -> Result<(Vec<String>, usize)> {
    let versions = call(|| {
        clients
            .iam
            .list_policy_versions()
            .policy_arn(arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let total = versions.len();
    let mut old: Vec<_> = versions
        .into_iter()
        .filter(|v| !v.is_default_version())
        .collect();
    old.sort_by_key(|v| v.create_date().map(|d| (d.secs(), d.subsec_nanos())));
    Ok((
        old.into_iter()
            .filter_map(|v| v.version_id().map(String::from))
            .collect(),
        total,
    ))
}

async fn delete_version(clients: &AwsClients, arn: &str, version: &str) -> Result<()> {
    call(|| {
        clients
            .iam
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
    })
    .await
    .ok_if_gone()
}

#[async_trait]
impl ResourceType for IamPolicyType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let path = get_str(planned, "path").unwrap_or("/");
        let account = super::account_id(clients).await?;
        let id: String = format!(
            "arn:{}:iam::{account}:policy{path}{name}",
            super::partition(&clients.region)
        );
        find_iam_named!(self, clients, owner, &id, get_policy, policy_arn, policy).await
    }

    fn import_id_format(&self) -> &'static str {
        "the policy ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "an ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_policy).await
    }

    /// Documents from the refresh's GetAccountAuthorizationDetails, the rest from one
    /// GetPolicy per policy (the account details have no tags); a policy missing there
    /// (created a moment ago, or gone) is read with GetPolicy and GetPolicyVersion.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let account = batch.iam_account(clients).await?;
        let documents: BTreeMap<String, String> = ids
            .iter()
            .filter_map(|id| {
                let detail = account.policies.get(id)?;
                Some((
                    id.clone(),
                    IamAccount::default_document(detail)?.to_string(),
                ))
            })
            .collect();
        let documents = std::sync::Arc::new(documents);
        read_each(clients, ids, move |clients, arn| {
            // A document from the account details spares GetPolicyVersion (the rest, tags above
            // all, which the account details leave out, comes from GetPolicy).
            let document = documents.get(&arn).cloned();
            read_policy(clients, arn, document)
        })
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = name_or_prefix(planned);
        let tags = to_iam_tags(&creation_tags(planned, ctx.extra_tags));
        let s = |n| get_str(planned, n).map(String::from);
        let out = call(|| {
            clients
                .iam
                .create_policy()
                .policy_name(&name)
                .set_path(s("path"))
                .set_description(s("description"))
                .set_policy_document(s("policy"))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let arn = out
            .policy()
            .and_then(|p| p.arn())
            .ok_or_else(|| ApiError::malformed("CreatePolicy returned no ARN"))?;
        read_created(self, clients, arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?;
        if changed(prior, planned, "policy") {
            let (old, total) = old_versions(clients, arn).await?;
            if total >= MAX_VERSIONS {
                if let Some(oldest) = old.first() {
                    delete_version(clients, arn, oldest).await?;
                }
            }
            let document = get_str(planned, "policy").unwrap_or_default();
            call(|| {
                clients
                    .iam
                    .create_policy_version()
                    .policy_arn(arn)
                    .policy_document(document)
                    .set_as_default(true)
                    .send()
            })
            .await?;
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.iam,
            untag_policy,
            tag_policy,
            policy_arn(arn),
            to_iam_tags
        )
        .await?;
        read_created(self, clients, arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?;
        let deleted = async {
            let (old, _) = old_versions(clients, arn).await?;
            for v in &old {
                delete_version(clients, arn, v).await?;
            }
            // Attachments deleted a moment ago may still count ("DeleteConflict").
            retry_while(
                &format!("IAM policy {arn} to be deleted"),
                IAM_SETTLE_LIMIT,
                ApiError::is_delete_conflict,
                || async {
                    clients
                        .iam
                        .delete_policy()
                        .policy_arn(arn)
                        .send()
                        .await
                        .map_err(from_sdk)
                },
            )
            .await
        };
        deleted.await.ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_normalise_and_unknowns_pass() {
        let config =
            SCHEMA.conformed([("name", Value::string("read")), ("policy", Value::Unknown)]);
        let n = IamPolicyType.normalize(config.clone());
        assert_eq!(n, config);
        let config = SCHEMA.conformed([(
                "policy",
                Value::string(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}"#),
            )]);
        assert_eq!(
            IamPolicyType.normalize(config).as_map().unwrap()["policy"],
            Value::string(
                r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#
            )
        );
    }
}
