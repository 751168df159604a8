//! `aws_kms_key`: a KMS key. Its id is the key id AWS gives it; `arn` and `key_id` are
//! AWS's.
//!
//! `policy` is optional and computed (KMS gives every key a default policy) and compared in
//! canonical policy form. In place: `description` (UpdateKeyDescription), `policy`
//! (PutKeyPolicy), `is_enabled` (EnableKey/DisableKey), `enable_key_rotation`
//! (EnableKeyRotation/DisableKeyRotation) and tags. `key_usage`, `customer_master_key_spec`
//! and `multi_region` force a new key. Destroying a key schedules its deletion
//! (ScheduleKeyDeletion) after `deletion_window_in_days` (AWS's 30 when unset); a key pending
//! deletion reads as gone. `custom_key_store_id`, `xks_key_id` and `rotation_period_in_days`
//! are not supported yet (moto ignores a rotation period).
//!
//! Refresh reads each key with DescribeKey, GetKeyPolicy and, for symmetric keys,
//! GetKeyRotationStatus: KMS has no call that describes several keys (ListKeys returns ids
//! only), so three calls per key is the floor. Tags come from the Resource Groups Tagging
//! API's GetResources, one paginated call shared with the other types whose tags come from
//! there (`aws::refresh_batch`); a key missing there, and every other read, takes one
//! ListResourceTags. A key created before a crash is found by its ecsform tags through
//! GetResources.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType, Tag};

use super::{changed, read_created, recorded_id, with_attrs};
use crate::aws::adopt::{read_judged, tagged_through_getresources};
use crate::aws::call::call;
use crate::aws::error::{from_sdk, ApiError, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::refresh_batch::{RefreshBatch, TagsByArn};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_i32, get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct KmsKeyType;

static DECLARATION: Declaration = Declaration::new("aws_kms_key", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn key_id;
        optional_computed String: description policy;
        optional String: key_usage.default(Default::Str("ENCRYPT_DECRYPT")).force_new();
        optional String: customer_master_key_spec.default(Default::Str("SYMMETRIC_DEFAULT")).force_new();
        optional Bool: bypass_policy_lockout_safety_check.default(Default::Bool(false)).local();
        optional Number: deletion_window_in_days.local();
        optional Bool: is_enabled.default(Default::Bool(true));
        optional Bool: enable_key_rotation.default(Default::Bool(false));
        optional_computed Bool: multi_region.force_new();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// The `service:type` of KMS keys in the Resource Groups Tagging API.
const TAGGING_TYPE: &str = "kms:key";

/// The key id at the end of a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`), or `id` itself.
pub fn key_id_of(id: &str) -> &str {
    match id.strip_prefix("arn:") {
        Some(_) => id.rsplit_once(":key/").map_or(id, |(_, k)| k),
        None => id,
    }
}

async fn tags_of(clients: &AwsClients, key_id: &str) -> Result<BTreeMap<String, String>> {
    let tags = call(|| {
        clients
            .kms
            .list_resource_tags()
            .key_id(key_id)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(tags
        .iter()
        .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
        .collect())
}

/// Key `id` with its policy, rotation and tags (`tags` when known, else read); `None` when
/// it is gone or pending deletion.
async fn get_key(
    clients: AwsClients,
    id: String,
    tags: Option<BTreeMap<String, String>>,
) -> Result<Option<Value>> {
    let kms = &clients.kms;
    let described = kms
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .map_err(from_sdk);
    let Some(meta) = described.found()?.and_then(|d| d.key_metadata) else {
        return Ok(None);
    };
    if matches!(
        meta.key_state(),
        Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion)
    ) {
        return Ok(None);
    }
    let policy = kms
        .get_key_policy()
        .key_id(&id)
        .policy_name("default")
        .send()
        .await
        .map_err(from_sdk)?;
    let spec = meta.key_spec().map(|s| s.as_str().to_string());
    let rotation = if spec.as_deref() == Some(KeySpec::SymmetricDefault.as_str()) {
        kms.get_key_rotation_status()
            .key_id(&id)
            .send()
            .await
            .map_err(from_sdk)?
            .key_rotation_enabled()
    } else {
        false
    };
    let tags = match tags {
        Some(t) => t,
        None => tags_of(&clients, &id).await?,
    };
    let [tags, tags_all] = read_tags(tags);
    Ok(Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(meta.key_id())),
            ("key_id", Value::string(meta.key_id())),
            ("arn", opt_str(meta.arn())),
            (
                "description",
                Value::string(meta.description().unwrap_or("")),
            ),
            ("policy", opt_str(policy.policy().map(canonical_policy))),
            ("key_usage", opt_str(meta.key_usage().map(|u| u.as_str()))),
            ("customer_master_key_spec", opt_str(spec)),
            ("bypass_policy_lockout_safety_check", Value::Bool(false)),
            ("is_enabled", Value::Bool(meta.enabled())),
            ("enable_key_rotation", Value::Bool(rotation)),
            (
                "multi_region",
                Value::Bool(meta.multi_region().unwrap_or(false)),
            ),
            tags,
            tags_all,
        ],
    )))
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().tag_key(k).tag_value(v).build().ok())
        .collect()
}

async fn set_rotation(clients: &AwsClients, key_id: &str, on: bool) -> Result<()> {
    if on {
        call(|| clients.kms.enable_key_rotation().key_id(key_id).send()).await?;
    } else {
        call(|| clients.kms.disable_key_rotation().key_id(key_id).send()).await?;
    }
    Ok(())
}

async fn set_enabled(clients: &AwsClients, key_id: &str, on: bool) -> Result<()> {
    if on {
        call(|| clients.kms.enable_key().key_id(key_id).send()).await?;
    } else {
        call(|| clients.kms.disable_key().key_id(key_id).send()).await?;
    }
    Ok(())
}

fn planned_only(planned: &Value) -> [(&'static str, Value); 2] {
    [
        (
            "bypass_policy_lockout_safety_check",
            Value::Bool(get_bool(planned, "bypass_policy_lockout_safety_check") == Some(true)),
        ),
        (
            "deletion_window_in_days",
            get_i32(planned, "deletion_window_in_days").map_or(Value::Null, Value::number),
        ),
    ]
}

#[async_trait]
impl ResourceType for KmsKeyType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        _planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let found = tagged_through_getresources(clients, owner, TAGGING_TYPE)
            .await?
            .into_iter()
            .map(|(arn, tags)| (key_id_of(&arn).to_string(), tags))
            .collect();
        read_judged(self, clients, owner, found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the key id"
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, |clients, id| get_key(clients, id, None)).await
    }

    /// Tags from the refresh's GetResources call (shared with the other types whose tags
    /// come from the Tagging API); a key missing there is read with ListResourceTags.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let known: Arc<TagsByArn> = batch.tags(clients).await?;
        let by_id: Arc<BTreeMap<String, BTreeMap<String, String>>> = Arc::new(
            known
                .iter()
                .map(|(arn, tags)| (key_id_of(arn).to_string(), tags.clone()))
                .collect(),
        );
        read_each(clients, ids, move |clients, id| {
            let tags = by_id.get(&id).cloned();
            get_key(clients, id, tags)
        })
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = to_tags(&creation_tags(planned, ctx.extra_tags));
        let out = call(|| {
            clients
                .kms
                .create_key()
                .set_description(get_str(planned, "description").map(String::from))
                .set_key_usage(get_str(planned, "key_usage").map(KeyUsageType::from))
                .set_key_spec(get_str(planned, "customer_master_key_spec").map(KeySpec::from))
                .set_policy(get_str(planned, "policy").map(String::from))
                .set_bypass_policy_lockout_safety_check(get_bool(
                    planned,
                    "bypass_policy_lockout_safety_check",
                ))
                .set_multi_region(get_bool(planned, "multi_region"))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let key_id = out
            .key_metadata()
            .map(|m| m.key_id().to_string())
            .ok_or_else(|| ApiError::malformed("CreateKey returned no key"))?;
        if get_bool(planned, "enable_key_rotation") == Some(true) {
            set_rotation(clients, &key_id, true).await?;
        }
        if get_bool(planned, "is_enabled") == Some(false) {
            set_enabled(clients, &key_id, false).await?;
        }
        let state = read_created(self, clients, &key_id).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let key_id = recorded_id(self, prior)?;
        let enabled = get_bool(planned, "is_enabled") != Some(false);
        // A disabled key takes no other change: enable it first, disable it last.
        if enabled && changed(prior, planned, "is_enabled") {
            set_enabled(clients, &key_id, true).await?;
        }
        if changed(prior, planned, "description") {
            let description = get_str(planned, "description").unwrap_or("");
            call(|| {
                clients
                    .kms
                    .update_key_description()
                    .key_id(&key_id)
                    .description(description)
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "policy") {
            if let Some(policy) = get_str(planned, "policy") {
                call(|| {
                    clients
                        .kms
                        .put_key_policy()
                        .key_id(&key_id)
                        .policy_name("default")
                        .policy(policy)
                        .set_bypass_policy_lockout_safety_check(get_bool(
                            planned,
                            "bypass_policy_lockout_safety_check",
                        ))
                        .send()
                })
                .await?;
            }
        }
        if changed(prior, planned, "enable_key_rotation") {
            let on = get_bool(planned, "enable_key_rotation") == Some(true);
            set_rotation(clients, &key_id, on).await?;
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.kms,
            untag_resource,
            tag_resource,
            key_id(&key_id),
            to_tags
        )
        .await?;
        if !enabled && changed(prior, planned, "is_enabled") {
            set_enabled(clients, &key_id, false).await?;
        }
        let state = read_created(self, clients, &key_id).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    /// Schedules the key's deletion; a key already pending deletion (or gone) is done.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let key_id = recorded_id(self, prior)?;
        let scheduled = call(|| {
            ctx.clients
                .kms
                .schedule_key_deletion()
                .key_id(&key_id)
                .set_pending_window_in_days(get_i32(prior, "deletion_window_in_days"))
                .send()
        })
        .await;
        match scheduled {
            Err(e)
                if e.code == "KMSInvalidStateException"
                    && e.message.contains("pending deletion") =>
            {
                Ok(())
            }
            other => other.ok_if_gone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_come_from_arns_or_stay() {
        assert_eq!(
            key_id_of("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab"),
            "1234abcd-12ab"
        );
        assert_eq!(key_id_of("1234abcd-12ab"), "1234abcd-12ab");
        assert_eq!(key_id_of("alias/web"), "alias/web");
    }
}
