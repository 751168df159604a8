//! `aws_ecr_repository`: an ECR container image repository. Its id is its name; `arn`,
//! `registry_id` and `repository_url` are AWS's.
//!
//! `image_tag_mutability` and `image_scanning_configuration` change in place
//! (PutImageTagMutability, PutImageScanningConfiguration); `encryption_configuration` is set
//! at creation only (ECR has no call to change it), so a change replaces the repository. Both
//! blocks are computed, as the provider suppresses their absence: left out, they keep what
//! AWS chose (AES256, no scan on push). `force_delete` (not stored by AWS) deletes a
//! repository that still holds images. The `image_tag_mutability_exclusion_filter` blocks are
//! not supported yet.
//!
//! Refresh reads the repositories with one DescribeRepositories call per 100 names (when one
//! of them is gone, AWS fails the call, and the repositories are listed instead). ECR returns
//! no tags there: they come from the Resource Groups Tagging API's GetResources, one
//! paginated call shared with the other types whose tags come from there
//! (`aws::refresh_batch`); a repository missing there, and every other read, takes one
//! ListTagsForResource. moto does not report ECR repositories in GetResources, so against
//! moto every repository takes the per-object call; and moto ignores a
//! PutImageScanningConfiguration that turns scanning off (the SDK leaves the false
//! `scanOnPush` out, which AWS reads as false and moto as no change), so the conformance test
//! turns it on.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    Repository, Tag,
};

use super::{changed, describe_batched, read_created, recorded_id, with_attrs};
use crate::aws::adopt::find_named;
use crate::aws::call::call;
use crate::aws::error::{ApiError, OrGone, Result};
use crate::aws::refresh_batch::{RefreshBatch, TagsByArn};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_block, get_bool, get_str, opt_str, state_object};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

pub struct EcrRepositoryType;

static DECLARATION: Declaration =
    Declaration::new("aws_ecr_repository", &SCHEMA, Adoption::NameAndTags);

static ENCRYPTION_CONFIGURATION: &[AttrSchema] = attrs![
    optional String: encryption_type.default(Default::Str("AES256")).force_new();
    optional_computed String: kms_key.force_new();
];

static IMAGE_SCANNING_CONFIGURATION: &[AttrSchema] = attrs![
    required Bool: scan_on_push;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn registry_id repository_url;
        required String: name.force_new();
        optional String: image_tag_mutability.default(Default::Str("MUTABLE"));
        optional Bool: force_delete.local();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("encryption_configuration", ENCRYPTION_CONFIGURATION)
            .computed()
            .force_new(),
        BlockSchema::list("image_scanning_configuration", IMAGE_SCANNING_CONFIGURATION)
            .max_items(1)
            .computed(),
    ],
};

/// DescribeRepositories takes at most 100 names per call.
const DESCRIBE_CHUNK: usize = 100;

pub(crate) fn repository_state(r: &Repository, tags: BTreeMap<String, String>) -> Value {
    let [tags, tags_all] = read_tags(tags);
    let encryption: Vec<Value> = r
        .encryption_configuration()
        .map(|e| {
            Value::map([
                (
                    "encryption_type",
                    Value::string(e.encryption_type().as_str()),
                ),
                ("kms_key", opt_str(e.kms_key())),
            ])
        })
        .into_iter()
        .collect();
    let scanning: Vec<Value> = r
        .image_scanning_configuration()
        .map(|s| Value::map([("scan_on_push", Value::Bool(s.scan_on_push()))]))
        .into_iter()
        .collect();
    state_object(
        &SCHEMA,
        [
            ("id", opt_str(r.repository_name())),
            ("arn", opt_str(r.repository_arn())),
            ("registry_id", opt_str(r.registry_id())),
            ("repository_url", opt_str(r.repository_uri())),
            ("name", opt_str(r.repository_name())),
            (
                "image_tag_mutability",
                opt_str(r.image_tag_mutability().map(|m| m.as_str())),
            ),
            tags,
            tags_all,
            ("encryption_configuration", Value::List(encryption)),
            ("image_scanning_configuration", Value::List(scanning)),
        ],
    )
}

/// The repositories named `names` (all of them with `None`), all pages.
async fn describe(clients: &AwsClients, names: Option<Vec<String>>) -> Result<Vec<Repository>> {
    call(|| {
        clients
            .ecr
            .describe_repositories()
            .set_repository_names(names.clone())
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
}

pub(crate) async fn tags_of(clients: &AwsClients, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = call(|| {
        clients
            .ecr
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
    })
    .await?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

/// The repositories named `ids`, with their tags from `known` or, for repositories it lacks,
/// from one ListTagsForResource each.
async fn read_repositories(
    clients: &AwsClients,
    ids: &[String],
    known: &TagsByArn,
) -> Result<States> {
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let found = describe_batched(
        ids,
        DESCRIBE_CHUNK,
        |names| describe(clients, Some(names)),
        |_| describe(clients, None),
    )
    .await?;
    let mut out = BTreeMap::new();
    for r in found {
        let (Some(name), Some(arn)) = (r.repository_name(), r.repository_arn()) else {
            continue;
        };
        if !wanted.contains(name) {
            continue;
        }
        let tags = match known.get(arn) {
            Some(tags) => tags.clone(),
            None => match tags_of(clients, arn).await.found()? {
                Some(tags) => tags,
                None => continue,
            },
        };
        out.insert(name.to_string(), repository_state(&r, tags));
    }
    Ok(out)
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

fn scanning_configuration(planned: &Value) -> Option<ImageScanningConfiguration> {
    let block = get_block(planned, "image_scanning_configuration")?;
    Some(
        ImageScanningConfiguration::builder()
            .scan_on_push(get_bool(block, "scan_on_push").unwrap_or(false))
            .build(),
    )
}

fn encryption_configuration(planned: &Value) -> Result<Option<EncryptionConfiguration>> {
    let Some(block) = get_block(planned, "encryption_configuration") else {
        return Ok(None);
    };
    let kind = get_str(block, "encryption_type").unwrap_or("AES256");
    EncryptionConfiguration::builder()
        .encryption_type(EncryptionType::from(kind))
        .set_kms_key(get_str(block, "kms_key").map(String::from))
        .build()
        .map(Some)
        .map_err(|e| ApiError::malformed(e.to_string()))
}

fn planned_only(planned: &Value) -> [(&'static str, Value); 1] {
    [(
        "force_delete",
        get_bool(planned, "force_delete").map_or(Value::Null, Value::Bool),
    )]
}

#[async_trait]
impl ResourceType for EcrRepositoryType {
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
        find_named(self, clients, owner, name, || async {
            let Some(found) = describe(clients, Some(vec![name.to_string()]))
                .await
                .found()?
            else {
                return Ok(None);
            };
            match found.first().and_then(|r| r.repository_arn()) {
                Some(arn) => Ok(Some(tags_of(clients, arn).await?)),
                None => Ok(None),
            }
        })
        .await
    }

    fn import_id_format(&self) -> &'static str {
        "the repository name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_repositories(clients, ids, &TagsByArn::new()).await
    }

    /// Tags from the refresh's GetResources call (shared with the other types whose tags
    /// come from the Tagging API); a repository missing there is read with
    /// ListTagsForResource.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let tags = batch.tags(clients).await?;
        read_repositories(clients, ids, &tags).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = get_str(planned, "name").unwrap_or_default();
        let tags = to_tags(&creation_tags(planned, ctx.extra_tags));
        let encryption = encryption_configuration(planned)?;
        let mutability = get_str(planned, "image_tag_mutability").map(ImageTagMutability::from);
        call(|| {
            clients
                .ecr
                .create_repository()
                .repository_name(name)
                .set_image_tag_mutability(mutability.clone())
                .set_image_scanning_configuration(scanning_configuration(planned))
                .set_encryption_configuration(encryption.clone())
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let state = read_created(self, clients, name).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = recorded_id(self, prior)?;
        let registry = get_str(prior, "registry_id").map(String::from);
        if changed(prior, planned, "image_tag_mutability") {
            let mutability = get_str(planned, "image_tag_mutability").unwrap_or("MUTABLE");
            call(|| {
                clients
                    .ecr
                    .put_image_tag_mutability()
                    .repository_name(&name)
                    .set_registry_id(registry.clone())
                    .image_tag_mutability(ImageTagMutability::from(mutability))
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "image_scanning_configuration") {
            if let Some(scanning) = scanning_configuration(planned) {
                call(|| {
                    clients
                        .ecr
                        .put_image_scanning_configuration()
                        .repository_name(&name)
                        .set_registry_id(registry.clone())
                        .image_scanning_configuration(scanning.clone())
                        .send()
                })
                .await?;
            }
        }
        if let Some(arn) = get_str(prior, "arn") {
            send_tag_changes!(
                TagChanges::between(prior, planned),
                clients.ecr,
                untag_resource,
                tag_resource,
                resource_arn(arn),
                to_tags
            )
            .await?;
        }
        let state = read_created(self, clients, &name).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let name = recorded_id(self, prior)?;
        let deleted = call(|| {
            ctx.clients
                .ecr
                .delete_repository()
                .repository_name(&name)
                .set_registry_id(get_str(prior, "registry_id").map(String::from))
                .force(get_bool(prior, "force_delete") == Some(true))
                .send()
        })
        .await;
        match deleted {
            Err(mut e) if e.code == "RepositoryNotEmptyException" => {
                e.message = format!("{} (set force_delete to delete its images)", e.message);
                Err(e)
            }
            other => other.ok_if_gone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_read_with_both_blocks_and_without_ecsform_tags() {
        let r = Repository::builder()
            .repository_name("web")
            .repository_arn("arn:aws:ecr:eu-west-1:1:repository/web")
            .registry_id("1")
            .repository_uri("1.dkr.ecr.eu-west-1.amazonaws.com/web")
            .image_tag_mutability(ImageTagMutability::Immutable)
            .image_scanning_configuration(
                ImageScanningConfiguration::builder()
                    .scan_on_push(true)
                    .build(),
            )
            .encryption_configuration(
                EncryptionConfiguration::builder()
                    .encryption_type(EncryptionType::Aes256)
                    .build()
                    .unwrap(),
            )
            .build();
        let tags = BTreeMap::from([
            ("ecsform:address".to_string(), "x".to_string()),
            ("Team".to_string(), "a".to_string()),
        ]);
        let s = repository_state(&r, tags);
        let m = s.as_map().unwrap();
        assert_eq!(m["id"], Value::string("web"));
        assert_eq!(m["image_tag_mutability"], Value::string("IMMUTABLE"));
        assert_eq!(
            m["encryption_configuration"],
            Value::List(vec![Value::map([
                ("encryption_type", Value::string("AES256")),
                ("kms_key", Value::Null)
            ])])
        );
        assert_eq!(
            m["image_scanning_configuration"],
            Value::List(vec![Value::map([("scan_on_push", Value::Bool(true))])])
        );
        assert_eq!(m["tags"], Value::map([("Team", Value::string("a"))]));
    }

    #[test]
    fn a_kms_encryption_block_is_sent_with_its_key() {
        let planned = SCHEMA.conformed([
            ("name", Value::string("x")),
            (
                "encryption_configuration",
                Value::List(vec![Value::map([
                    ("encryption_type", Value::string("KMS")),
                    ("kms_key", Value::string("arn:aws:kms:eu-west-1:1:key/k")),
                ])]),
            ),
        ]);
        let e = encryption_configuration(&planned).unwrap().unwrap();
        assert_eq!(e.encryption_type(), &EncryptionType::Kms);
        assert_eq!(e.kms_key(), Some("arn:aws:kms:eu-west-1:1:key/k"));
        let none = SCHEMA.conformed([("name", Value::string("x"))]);
        assert!(encryption_configuration(&none).unwrap().is_none());
        assert!(scanning_configuration(&none).is_none());
    }
}
