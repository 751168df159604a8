//! `aws_efs_file_system`: an EFS file system. Its id is AWS's, `fs-…`, which is also the
//! import ID; `arn`, `dns_name` (`ID.efs.REGION.amazonaws.com`), `name` (its `Name` tag),
//! `owner_id`, `size_in_bytes` and `number_of_mount_targets` are AWS's.
//!
//! As in the AWS provider: `creation_token` (a generated unique name when unset, pinned before
//! the call so that an interrupted create is found again by it), `encrypted`, `kms_key_id`,
//! `performance_mode` and `availability_zone_name` force a new file system; `throughput_mode`
//! (default `bursting`) and `provisioned_throughput_in_mibps` (sent only in `provisioned`
//! mode) change in place with UpdateFileSystem; the `lifecycle_policy` blocks are one
//! PutLifecycleConfiguration (an empty one removes them); the `protection` block is
//! UpdateFileSystemProtection. Create and UpdateFileSystem wait for the `available`
//! LifeCycleState; delete waits until the file system is gone.
//!
//! Refresh is one paginated DescribeFileSystems (all file systems, with their tags) plus one
//! DescribeLifecycleConfiguration per file system read, which AWS has no batch call for.
//! moto has no UpdateFileSystem nor UpdateFileSystemProtection and reports no protection:
//! their requests are covered by unit tests below, the rest by the conformance test.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_efs::types::{
    FileSystemDescription, LifeCycleState, LifecyclePolicy, PerformanceMode,
    ReplicationOverwriteProtection, Tag, ThroughputMode, TransitionToArchiveRules,
    TransitionToIaRules, TransitionToPrimaryStorageClassRules,
};

use super::{changed, read_created, recorded_id, unique_name, wait_gone};
use crate::aws::adopt::read_judged;
use crate::aws::call::call;
use crate::aws::error::{wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_block, get_blocks, get_bool, get_number, get_str, opt_bool, opt_number,
    opt_str, state_object,
};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

pub struct EfsFileSystemType;

static DECLARATION: Declaration =
    Declaration::new("aws_efs_file_system", &SCHEMA, Adoption::NameAndTags)
        .generated_name_without_prefix("creation_token", "terraform-");

static LIFECYCLE_POLICY: &[AttrSchema] = attrs![
    optional String: transition_to_archive transition_to_ia transition_to_primary_storage_class;
];

static PROTECTION: &[AttrSchema] = attrs![
    optional_computed String: replication_overwrite;
];

static SIZE_IN_BYTES: &[AttrSchema] = attrs![
    computed Number: value value_in_ia value_in_standard;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn availability_zone_id dns_name name owner_id;
        optional_computed String: availability_zone_name.force_new() creation_token.force_new();
        optional_computed Bool: encrypted.force_new();
        optional_computed String: kms_key_id.force_new() performance_mode.force_new();
        computed Number: number_of_mount_targets;
        optional Number: provisioned_throughput_in_mibps;
        optional String: throughput_mode.default(Default::Str("bursting"));
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("lifecycle_policy", LIFECYCLE_POLICY).max_items(3),
        BlockSchema::list("protection", PROTECTION)
            .max_items(1)
            .computed(),
        BlockSchema::list("size_in_bytes", SIZE_IN_BYTES).computed(),
    ],
};

/// How long a file system may take to become available (the provider's 10 minutes), or to go.
const SETTLE_LIMIT: Duration = Duration::from_secs(10 * 60);

/// EFS tags as the SDK takes them (shared with the other EFS types).
pub(crate) fn to_efs_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// All of an EFS object's tags, ecsform's own included.
pub(crate) fn efs_tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// Brings an EFS object's tags (by its id) from `prior` to `planned`.
pub(crate) async fn update_efs_tags(
    clients: &AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    send_tag_changes!(
        TagChanges::between(prior, planned),
        clients.efs,
        untag_resource,
        tag_resource,
        resource_id(id),
        to_efs_tags
    )
    .await
}

fn lifecycle_state(policies: &[LifecyclePolicy]) -> Value {
    Value::List(
        policies
            .iter()
            .map(|p| {
                block_object(
                    LIFECYCLE_POLICY,
                    [
                        (
                            "transition_to_archive",
                            opt_str(p.transition_to_archive().map(|r| r.as_str())),
                        ),
                        (
                            "transition_to_ia",
                            opt_str(p.transition_to_ia().map(|r| r.as_str())),
                        ),
                        (
                            "transition_to_primary_storage_class",
                            opt_str(p.transition_to_primary_storage_class().map(|r| r.as_str())),
                        ),
                    ],
                )
            })
            .collect(),
    )
}

fn file_system_state(
    fs: &FileSystemDescription,
    region: &str,
    lifecycle: &[LifecyclePolicy],
) -> Value {
    let id = fs.file_system_id();
    let [tags, tags_all] = read_tags(efs_tag_map(fs.tags()));
    let protection: Vec<Value> = fs
        .file_system_protection()
        .and_then(|p| p.replication_overwrite_protection())
        .map(|r| {
            block_object(
                PROTECTION,
                [("replication_overwrite", Value::string(r.as_str()))],
            )
        })
        .into_iter()
        .collect();
    let size: Vec<Value> = fs
        .size_in_bytes()
        .map(|s| {
            block_object(
                SIZE_IN_BYTES,
                [
                    ("value", Value::number(s.value() as f64)),
                    ("value_in_ia", opt_number(s.value_in_ia().map(|v| v as f64))),
                    (
                        "value_in_standard",
                        opt_number(s.value_in_standard().map(|v| v as f64)),
                    ),
                ],
            )
        })
        .into_iter()
        .collect();
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("arn", opt_str(fs.file_system_arn())),
            ("availability_zone_id", opt_str(fs.availability_zone_id())),
            (
                "availability_zone_name",
                opt_str(fs.availability_zone_name()),
            ),
            ("creation_token", Value::string(fs.creation_token())),
            (
                "dns_name",
                Value::string(format!("{id}.efs.{region}.amazonaws.com")),
            ),
            ("encrypted", opt_bool(fs.encrypted())),
            ("kms_key_id", opt_str(fs.kms_key_id())),
            // AWS leaves a file system without a `Name` tag nameless (moto says "").
            ("name", opt_str(fs.name().filter(|n| !n.is_empty()))),
            (
                "number_of_mount_targets",
                Value::number(fs.number_of_mount_targets()),
            ),
            ("owner_id", Value::string(fs.owner_id())),
            (
                "performance_mode",
                Value::string(fs.performance_mode().as_str()),
            ),
            (
                "provisioned_throughput_in_mibps",
                opt_number(fs.provisioned_throughput_in_mibps()),
            ),
            (
                "throughput_mode",
                opt_str(fs.throughput_mode().map(|m| m.as_str())),
            ),
            tags,
            tags_all,
            ("lifecycle_policy", lifecycle_state(lifecycle)),
            ("protection", Value::List(protection)),
            ("size_in_bytes", Value::List(size)),
        ],
    )
}

/// The file systems `id` names (one), or all of them, every page.
async fn describe(
    clients: &AwsClients,
    id: Option<&str>,
    creation_token: Option<&str>,
) -> Result<Vec<FileSystemDescription>> {
    call(|| {
        clients
            .efs
            .describe_file_systems()
            .set_file_system_id(id.map(String::from))
            .set_creation_token(creation_token.map(String::from))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
}

async fn lifecycle_of(clients: &AwsClients, id: &str) -> Result<Vec<LifecyclePolicy>> {
    let out = call(|| {
        clients
            .efs
            .describe_lifecycle_configuration()
            .file_system_id(id)
            .send()
    })
    .await?;
    Ok(out.lifecycle_policies().to_vec())
}

/// The file systems `ids`: by id when there is one, else the whole listing (one paginated
/// call), without those being deleted.
async fn read_file_systems(clients: &AwsClients, ids: &[String]) -> Result<States> {
    let found = match ids {
        [] => return Ok(BTreeMap::new()),
        [id] => describe(clients, Some(id), None)
            .await
            .found()?
            .unwrap_or_default(),
        _ => describe(clients, None, None).await?,
    };
    let mut out = BTreeMap::new();
    for fs in found {
        let id = fs.file_system_id();
        if !ids.iter().any(|i| i == id)
            || matches!(
                fs.life_cycle_state(),
                LifeCycleState::Deleted | LifeCycleState::Deleting
            )
        {
            continue;
        }
        let Some(lifecycle) = lifecycle_of(clients, id).await.found()? else {
            continue;
        };
        out.insert(
            id.to_string(),
            file_system_state(&fs, &clients.region, &lifecycle),
        );
    }
    Ok(out)
}

/// Waits until the file system is `available` (not `creating` or `updating`).
async fn wait_available(clients: &AwsClients, id: &str) -> Result<()> {
    wait_until(
        &format!("EFS file system {id} to become available"),
        Duration::from_secs(3),
        SETTLE_LIMIT,
        || async {
            let found = describe(clients, Some(id), None).await.found()?;
            match found
                .as_ref()
                .and_then(|f| f.first())
                .map(|f| f.life_cycle_state())
            {
                Some(LifeCycleState::Available) => Ok(Some(())),
                Some(LifeCycleState::Creating | LifeCycleState::Updating) | None => Ok(None),
                Some(other) => Err(ApiError::new(
                    ErrorKind::Other,
                    "UnexpectedState",
                    format!("EFS file system {id} is {}", other.as_str()),
                )),
            }
        },
    )
    .await
}

fn lifecycle_policies(planned: &Value) -> Vec<LifecyclePolicy> {
    get_blocks(planned, "lifecycle_policy")
        .iter()
        .map(|b| {
            LifecyclePolicy::builder()
                .set_transition_to_archive(
                    get_str(b, "transition_to_archive").map(TransitionToArchiveRules::from),
                )
                .set_transition_to_ia(get_str(b, "transition_to_ia").map(TransitionToIaRules::from))
                .set_transition_to_primary_storage_class(
                    get_str(b, "transition_to_primary_storage_class")
                        .map(TransitionToPrimaryStorageClassRules::from),
                )
                .build()
        })
        .collect()
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
    token: &str,
    tags: &BTreeMap<String, String>,
) -> Result<aws_sdk_efs::operation::create_file_system::builders::CreateFileSystemFluentBuilder> {
    let mode = get_str(planned, "throughput_mode").unwrap_or("bursting");
    let encrypted = get_bool(planned, "encrypted");
    let kms_key_id = get_str(planned, "kms_key_id");
    if kms_key_id.is_some() && encrypted != Some(true) {
        return Err(ApiError::new(
            ErrorKind::Invalid,
            "ValidationException",
            "encrypted must be set to true when kms_key_id is specified",
        ));
    }
    Ok(clients
        .efs
        .create_file_system()
        .creation_token(token)
        .throughput_mode(ThroughputMode::from(mode))
        .set_provisioned_throughput_in_mibps(provisioned(planned))
        .set_availability_zone_name(get_str(planned, "availability_zone_name").map(String::from))
        .set_performance_mode(get_str(planned, "performance_mode").map(PerformanceMode::from))
        .set_encrypted(encrypted)
        .set_kms_key_id(kms_key_id.map(String::from))
        .set_tags(Some(to_efs_tags(tags))))
}

/// The provisioned throughput, sent only in `provisioned` mode (as the provider does).
fn provisioned(planned: &Value) -> Option<f64> {
    (get_str(planned, "throughput_mode") == Some(ThroughputMode::Provisioned.as_str()))
        .then(|| get_number(planned, "provisioned_throughput_in_mibps").unwrap_or(0.0))
}

fn update_request(
    clients: &AwsClients,
    id: &str,
    planned: &Value,
) -> aws_sdk_efs::operation::update_file_system::builders::UpdateFileSystemFluentBuilder {
    let mode = get_str(planned, "throughput_mode").unwrap_or("bursting");
    clients
        .efs
        .update_file_system()
        .file_system_id(id)
        .throughput_mode(ThroughputMode::from(mode))
        .set_provisioned_throughput_in_mibps(provisioned(planned))
}

fn protection_request(
    clients: &AwsClients,
    id: &str,
    planned: &Value,
) -> Option<aws_sdk_efs::operation::update_file_system_protection::builders::UpdateFileSystemProtectionFluentBuilder>
{
    let block = get_block(planned, "protection")?;
    let value = get_str(block, "replication_overwrite")?;
    Some(
        clients
            .efs
            .update_file_system_protection()
            .file_system_id(id)
            .replication_overwrite_protection(ReplicationOverwriteProtection::from(value)),
    )
}

async fn put_lifecycle(clients: &AwsClients, id: &str, planned: &Value) -> Result<()> {
    let policies = lifecycle_policies(planned);
    call(|| {
        clients
            .efs
            .put_lifecycle_configuration()
            .file_system_id(id)
            .set_lifecycle_policies(Some(policies.clone()))
            .send()
    })
    .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for EfsFileSystemType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "file system id", "fs-"))
    }

    /// By the creation token pinned before the call (AWS's idempotency token: a second create
    /// with it fails), judged by the file system's tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(token) = get_str(planned, "creation_token") else {
            return Ok(Vec::new());
        };
        let found = describe(clients, None, Some(token))
            .await
            .found()?
            .unwrap_or_default();
        let found = found
            .iter()
            .map(|fs| (fs.file_system_id().to_string(), efs_tag_map(fs.tags())))
            .collect();
        read_judged(self, clients, owner, found).await
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_file_systems(clients, ids).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let token = get_str(planned, "creation_token")
            .map(String::from)
            .unwrap_or_else(|| unique_name("terraform-"));
        let tags = creation_tags(planned, ctx.extra_tags);
        let request = create_request(clients, planned, &token, &tags)?;
        let out = call(|| request.clone().send()).await?;
        let id = out.file_system_id().to_string();
        wait_available(clients, &id).await?;
        if !get_blocks(planned, "lifecycle_policy").is_empty() {
            put_lifecycle(clients, &id, planned).await?;
        }
        if let Some(request) = protection_request(clients, &id, planned) {
            call(|| request.clone().send()).await?;
        }
        read_created(self, clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        if changed(prior, planned, "throughput_mode")
            || changed(prior, planned, "provisioned_throughput_in_mibps")
        {
            let request = update_request(clients, &id, planned);
            call(|| request.clone().send()).await?;
            wait_available(clients, &id).await?;
        }
        if changed(prior, planned, "lifecycle_policy") {
            put_lifecycle(clients, &id, planned).await?;
        }
        if changed(prior, planned, "protection") {
            if let Some(request) = protection_request(clients, &id, planned) {
                call(|| request.clone().send()).await?;
            }
        }
        update_efs_tags(clients, &id, prior, planned).await?;
        read_created(self, clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = recorded_id(self, prior)?;
        let deleted = call(|| {
            ctx.clients
                .efs
                .delete_file_system()
                .file_system_id(&id)
                .send()
        })
        .await
        .found()?;
        if deleted.is_none() {
            return Ok(());
        }
        wait_gone(self, ctx.clients, "EFS file system", &id, SETTLE_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    fn planned(pairs: &[(&str, Value)]) -> Value {
        SCHEMA.conformed(pairs.iter().cloned())
    }

    #[test]
    fn provisioned_throughput_is_sent_only_in_provisioned_mode() {
        let c = offline_clients();
        let p = planned(&[
            ("throughput_mode", Value::string("provisioned")),
            ("provisioned_throughput_in_mibps", Value::number(256)),
        ]);
        let r = update_request(&c, "fs-1", &p);
        let input = r.as_input();
        assert_eq!(input.get_file_system_id().as_deref(), Some("fs-1"));
        assert_eq!(
            input.get_throughput_mode(),
            &Some(ThroughputMode::Provisioned)
        );
        assert_eq!(input.get_provisioned_throughput_in_mibps(), &Some(256.0));
        let p = planned(&[
            ("throughput_mode", Value::string("elastic")),
            ("provisioned_throughput_in_mibps", Value::number(256)),
        ]);
        let r = update_request(&c, "fs-1", &p);
        assert_eq!(
            r.as_input().get_throughput_mode(),
            &Some(ThroughputMode::Elastic)
        );
        assert_eq!(r.as_input().get_provisioned_throughput_in_mibps(), &None);
    }

    #[test]
    fn the_create_sends_the_token_tags_and_encryption() {
        let c = offline_clients();
        let tags = BTreeMap::from([("Name".to_string(), "data".to_string())]);
        let p = planned(&[
            ("encrypted", Value::Bool(true)),
            ("kms_key_id", Value::string("arn:aws:kms:eu-west-1:1:key/k")),
            ("performance_mode", Value::string("maxIO")),
        ]);
        let r = create_request(&c, &p, "tok", &tags).unwrap();
        let input = r.as_input();
        assert_eq!(input.get_creation_token().as_deref(), Some("tok"));
        assert_eq!(input.get_encrypted(), &Some(true));
        assert_eq!(input.get_performance_mode(), &Some(PerformanceMode::MaxIo));
        assert_eq!(input.get_throughput_mode(), &Some(ThroughputMode::Bursting));
        assert_eq!(input.get_tags().as_ref().map(Vec::len), Some(1));
        // As the provider: a key needs `encrypted = true`.
        let p = planned(&[("kms_key_id", Value::string("arn:aws:kms:eu-west-1:1:key/k"))]);
        assert!(create_request(&c, &p, "tok", &tags).is_err());
    }

    #[test]
    fn protection_is_sent_when_configured() {
        let c = offline_clients();
        let p = planned(&[(
            "protection",
            Value::List(vec![Value::map([(
                "replication_overwrite",
                Value::string("DISABLED"),
            )])]),
        )]);
        let r = protection_request(&c, "fs-1", &p).expect("a request");
        assert_eq!(
            r.as_input().get_replication_overwrite_protection(),
            &Some(ReplicationOverwriteProtection::Disabled)
        );
        assert!(protection_request(&c, "fs-1", &planned(&[])).is_none());
    }

    #[test]
    fn the_state_reads_lifecycle_policies_and_the_regional_dns_name() {
        let fs = FileSystemDescription::builder()
            .file_system_id("fs-1")
            .owner_id("123456789012")
            .creation_token("tok")
            .creation_time(aws_smithy_types::DateTime::from_secs(0))
            .life_cycle_state(LifeCycleState::Available)
            .number_of_mount_targets(2)
            .performance_mode(PerformanceMode::GeneralPurpose)
            .name("")
            .set_tags(Some(Vec::new()))
            .build()
            .unwrap();
        let policies = [LifecyclePolicy::builder()
            .transition_to_ia(TransitionToIaRules::After30Days)
            .build()];
        let v = file_system_state(&fs, "eu-west-1", &policies);
        assert_eq!(
            get_str(&v, "dns_name"),
            Some("fs-1.efs.eu-west-1.amazonaws.com")
        );
        assert_eq!(get_str(&v, "name"), None);
        let lc = get_blocks(&v, "lifecycle_policy");
        assert_eq!(get_str(&lc[0], "transition_to_ia"), Some("AFTER_30_DAYS"));
        assert_eq!(get_str(&lc[0], "transition_to_archive"), None);
    }
}
