//! `aws_secretsmanager_secret`: a Secrets Manager secret, without its value (that is
//! `aws_secretsmanager_secret_version`). Its id is its ARN, which is also its import ID.
//!
//! As in the AWS provider: `name` and `name_prefix` force a new secret; `description` and
//! `kms_key_id` change in place with UpdateSecret, `policy` with PutResourcePolicy (compared
//! in canonical policy form; a policy removed from the configuration stays, as the argument
//! is optional and computed), tags with TagResource/UntagResource. CreateSecret carries the
//! tags (ecsform's ownership tags among them). `recovery_window_in_days` (default 30, not
//! stored by AWS) is how delete schedules the deletion; 0 deletes at once, without recovery.
//! A secret scheduled for deletion counts as gone, as in the provider.
//!
//! `replica` blocks, `force_overwrite_replica_secret` and `type` are refused as not supported
//! yet. An interrupted create is found again by the pinned name (DescribeSecret), checked
//! against its `ecsform:lineage` tag. Refresh is one paginated ListSecrets for every secret
//! (names, descriptions, keys and tags of all of them) plus one GetResourcePolicy per secret
//! found: ListSecrets does not return policies, so that is the floor. moto serves every call.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use aws_sdk_secretsmanager::types::{SecretListEntry, Tag};

use super::{changed, expect_prefix, prefix_of_unique_name, read_created};
use crate::aws::adopt::find_named;
use crate::aws::call::call;
use crate::aws::error::{ApiError, OrGone, Result};
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError};
use crate::aws::{Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_number, get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct SecretsmanagerSecretType;

static DECLARATION: Declaration = Declaration::new(
    "aws_secretsmanager_secret",
    &SCHEMA,
    Adoption::NameAndTags,
)
.generated_name("name", "name_prefix", "terraform-");

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional_computed String: name.force_new() name_prefix.force_new() policy;
        optional String: description kms_key_id;
        optional Number: recovery_window_in_days.default(Default::Number(30.0)).local();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// How long a deleted secret may still be listed.
const DELETE_LIMIT: std::time::Duration = std::time::Duration::from_secs(2 * 60);

/// A secret's state from its ListSecrets (or DescribeSecret) entry and its policy.
fn secret_state(
    arn: &str,
    name: &str,
    description: Option<&str>,
    kms_key_id: Option<&str>,
    tags: &[Tag],
    policy: Option<&str>,
) -> Value {
    let [tags, tags_all] = read_tags(tags.iter().filter_map(|t| {
        Some((
            t.key()?.to_string(),
            t.value().unwrap_or_default().to_string(),
        ))
    }));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            (
                "description",
                opt_str(description.filter(|d| !d.is_empty())),
            ),
            ("kms_key_id", opt_str(kms_key_id.filter(|k| !k.is_empty()))),
            (
                "policy",
                opt_str(policy.filter(|p| !p.is_empty()).map(canonical_policy)),
            ),
            ("recovery_window_in_days", Value::Number(30.0)),
            tags,
            tags_all,
        ],
    )
}

/// Every secret ListSecrets shows (those scheduled for deletion left out, as gone).
pub(crate) async fn list_secrets(clients: &AwsClients) -> Result<Vec<SecretListEntry>> {
    let pages = call(|| {
        clients
            .secretsmanager
            .list_secrets()
            .into_paginator()
            .send()
            .collect::<std::result::Result<Vec<_>, _>>()
    })
    .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.secret_list().iter().cloned())
        .collect())
}

/// The secret's resource policy, if it has one.
pub(crate) async fn policy_of(clients: &AwsClients, arn: &str) -> Result<Option<String>> {
    let out = call(|| {
        clients
            .secretsmanager
            .get_resource_policy()
            .secret_id(arn)
            .send()
    })
    .await?;
    Ok(out.resource_policy().map(String::from))
}

/// The secret's tags, all of them (for adoption), or `None` when there is no such secret or
/// it is scheduled for deletion.
async fn tags_by_name(clients: &AwsClients, name: &str) -> Result<Option<(String, Vec<Tag>)>> {
    let out = call(|| {
        clients
            .secretsmanager
            .describe_secret()
            .secret_id(name)
            .send()
    })
    .await
    .found()?;
    Ok(out
        .filter(|s| s.deleted_date().is_none())
        .and_then(|s| Some((s.arn()?.to_string(), s.tags().to_vec()))))
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

async fn put_policy(clients: &AwsClients, arn: &str, policy: &str) -> Result<()> {
    call(|| {
        clients
            .secretsmanager
            .put_resource_policy()
            .secret_id(arn)
            .resource_policy(policy)
            .send()
    })
    .await
    .map(|_| ())
}

#[async_trait]
impl ResourceType for SecretsmanagerSecretType {
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
        let Some((arn, tags)) = tags_by_name(clients, name).await? else {
            return Ok(Vec::new());
        };
        let tags: BTreeMap<String, String> = tags
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_string(),
                    t.value().unwrap_or_default().to_string(),
                ))
            })
            .collect();
        find_named(self, clients, owner, &arn, || async { Ok(Some(tags)) }).await
    }

    fn import_id_format(&self) -> &'static str {
        "the secret ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "a secret ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    /// One ListSecrets for all, then each found secret's policy.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(States::new());
        }
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let mut out = States::new();
        for s in list_secrets(clients).await? {
            let Some(arn) = s.arn().filter(|a| wanted.contains(a)) else {
                continue;
            };
            let Some(policy) = policy_of(clients, arn).await.found()? else {
                continue;
            };
            out.insert(
                arn.to_string(),
                secret_state(
                    arn,
                    s.name().unwrap_or_default(),
                    s.description(),
                    s.kms_key_id(),
                    s.tags(),
                    policy.as_deref(),
                ),
            );
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = get_str(planned, "name")
            .map(String::from)
            .unwrap_or_else(|| crate::aws::iam::name_or_prefix(planned));
        let tags = to_tags(&creation_tags(planned, ctx.extra_tags));
        let out = call(|| {
            clients
                .secretsmanager
                .create_secret()
                .name(&name)
                .set_description(get_str(planned, "description").map(String::from))
                .set_kms_key_id(get_str(planned, "kms_key_id").map(String::from))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let arn = out
            .arn()
            .ok_or_else(|| ApiError::malformed("CreateSecret returned no ARN"))?
            .to_string();
        if let Some(policy) = get_str(planned, "policy") {
            put_policy(clients, &arn, policy).await?;
        }
        let state = read_created(self, clients, &arn).await?;
        Ok(super::with_attrs(state, recovery_window(planned)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        if changed(prior, planned, "description") || changed(prior, planned, "kms_key_id") {
            call(|| {
                clients
                    .secretsmanager
                    .update_secret()
                    .secret_id(arn)
                    .description(get_str(planned, "description").unwrap_or_default())
                    .set_kms_key_id(get_str(planned, "kms_key_id").map(String::from))
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "policy") {
            match get_str(planned, "policy") {
                Some(policy) => put_policy(clients, arn, policy).await?,
                None => {
                    call(|| {
                        clients
                            .secretsmanager
                            .delete_resource_policy()
                            .secret_id(arn)
                            .send()
                    })
                    .await?;
                }
            }
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.secretsmanager,
            untag_resource,
            tag_resource,
            secret_id(arn),
            to_tags
        )
        .await?;
        let state = read_created(self, clients, arn).await?;
        Ok(super::with_attrs(state, recovery_window(planned)))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let days = get_number(prior, "recovery_window_in_days").unwrap_or(30.0) as i64;
        let request = || {
            let req = clients.secretsmanager.delete_secret().secret_id(arn);
            if days == 0 {
                req.force_delete_without_recovery(true)
            } else {
                req.recovery_window_in_days(days)
            }
            .send()
        };
        match call(request).await {
            // Scheduled for deletion already: gone, as the provider takes it.
            Err(e)
                if e.message.contains("marked deleted")
                    || e.message.contains("marked for deletion") =>
            {
                return Ok(())
            }
            other => other.ok_if_gone()?,
        }
        super::wait_gone(self, clients, "Secrets Manager secret", arn, DELETE_LIMIT).await
    }
}

/// `recovery_window_in_days` as planned, recorded with the state read back.
fn recovery_window(planned: &Value) -> [(&'static str, Value); 1] {
    [(
        "recovery_window_in_days",
        Value::Number(get_number(planned, "recovery_window_in_days").unwrap_or(30.0)),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_hides_ecsform_tags_and_reads_the_prefix() {
        let name = crate::aws::resources::unique_name("db-");
        let tags = [
            Tag::builder().key("ecsform:lineage").value("L").build(),
            Tag::builder().key("Service").value("db").build(),
        ];
        let s = secret_state(
            "arn:aws:secretsmanager:eu-west-1:1:secret:x",
            &name,
            Some(""),
            None,
            &tags,
            Some(r#"{"Version":"2012-10-17","Statement":[]}"#),
        );
        let m = s.as_map().unwrap();
        assert_eq!(m["name_prefix"], Value::string("db-"));
        assert_eq!(m["description"], Value::Null);
        assert_eq!(m["tags"], Value::map([("Service", Value::string("db"))]));
        assert!(m["policy"].as_str().unwrap().contains("2012-10-17"));
    }
}
