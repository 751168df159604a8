//! `aws_efs_access_point`: an application entry point into an EFS file system, with the POSIX
//! user its requests act as and the directory it exposes. Its id is AWS's, `fsap-…`, which is
//! also the import ID; `arn`, `file_system_arn` and `owner_id` are read from AWS.
//!
//! As in the AWS provider (whose schema for this type, missing from the reference file, was
//! written from `internal/service/efs/access_point.go`): everything but the tags forces a new
//! access point (`file_system_id`, the `posix_user` block, the `root_directory` block with its
//! `creation_info`); `root_directory` is computed (AWS reports `/` when it is left out). The
//! tags, ecsform's ownership tags among them, are set by CreateAccessPoint, and an
//! interrupted create is found again by them.
//!
//! Refresh is one DescribeAccessPoints per id when one is read, else one paginated
//! DescribeAccessPoints of all access points. moto serves all of it.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_efs::types::{
    AccessPointDescription, CreationInfo, LifeCycleState, PosixUser, RootDirectory,
};

use super::efs_file_system::{efs_tag_map, to_efs_tags, update_efs_tags};
use super::{partition, read_created, recorded_id, wait_gone};
use crate::aws::adopt::read_judged;
use crate::aws::call::call;
use crate::aws::error::{wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::service_tags::read_tags;
use crate::aws::tags::creation_tags;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::values::{
    block_object, get_block, get_number, get_str, opt_str, state_object,
};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

pub struct EfsAccessPointType;

static DECLARATION: Declaration = Declaration::new("aws_efs_access_point", &SCHEMA, Adoption::Tags);

static POSIX_USER: &[AttrSchema] = attrs![
    required Number: gid.force_new();
    optional NumberSet: secondary_gids.force_new();
    required Number: uid.force_new();
];

static CREATION_INFO: &[AttrSchema] = attrs![
    required Number: owner_gid.force_new() owner_uid.force_new();
    required String: permissions.force_new();
];

static ROOT_DIRECTORY: &[AttrSchema] = attrs![
    optional_computed String: path.force_new();
];

static ROOT_DIRECTORY_BLOCKS: &[BlockSchema] = &[BlockSchema::list("creation_info", CREATION_INFO)
    .max_items(1)
    .computed()
    .force_new()];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn file_system_arn owner_id;
        required String: file_system_id.force_new();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("posix_user", POSIX_USER)
            .max_items(1)
            .force_new(),
        BlockSchema::list("root_directory", ROOT_DIRECTORY)
            .blocks(ROOT_DIRECTORY_BLOCKS)
            .max_items(1)
            .computed()
            .force_new(),
    ],
};

/// The provider's create and delete waits (10 minutes each).
const SETTLE_LIMIT: Duration = Duration::from_secs(10 * 60);

fn number_set(items: &[i64]) -> Value {
    Value::set(items.iter().map(|n| Value::number(*n as f64)).collect())
}

fn access_point_state(ap: &AccessPointDescription, region: &str) -> Option<Value> {
    let id = ap.access_point_id()?;
    let fs = ap.file_system_id().unwrap_or_default();
    let owner = ap.owner_id().unwrap_or_default();
    let [tags, tags_all] = read_tags(efs_tag_map(ap.tags()));
    let posix: Vec<Value> = ap
        .posix_user()
        .map(|p| {
            block_object(
                POSIX_USER,
                [
                    ("gid", Value::number(p.gid() as f64)),
                    ("uid", Value::number(p.uid() as f64)),
                    (
                        "secondary_gids",
                        if p.secondary_gids().is_empty() {
                            Value::Null
                        } else {
                            number_set(p.secondary_gids())
                        },
                    ),
                ],
            )
        })
        .into_iter()
        .collect();
    let root: Vec<Value> = ap
        .root_directory()
        .map(|r| {
            let info: Vec<Value> = r
                .creation_info()
                .map(|c| {
                    block_object(
                        CREATION_INFO,
                        [
                            ("owner_gid", Value::number(c.owner_gid() as f64)),
                            ("owner_uid", Value::number(c.owner_uid() as f64)),
                            ("permissions", Value::string(c.permissions())),
                        ],
                    )
                })
                .into_iter()
                .collect();
            Value::map([
                ("path", opt_str(r.path())),
                ("creation_info", Value::List(info)),
            ])
        })
        .into_iter()
        .collect();
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("arn", opt_str(ap.access_point_arn())),
            (
                "file_system_arn",
                Value::string(format!(
                    "arn:{}:elasticfilesystem:{region}:{owner}:file-system/{fs}",
                    partition(region)
                )),
            ),
            ("owner_id", opt_str(ap.owner_id())),
            ("file_system_id", Value::string(fs)),
            tags,
            tags_all,
            ("posix_user", Value::List(posix)),
            ("root_directory", Value::List(root)),
        ],
    ))
}

/// The access point `id` (one), or all of them, every page.
async fn describe(clients: &AwsClients, id: Option<&str>) -> Result<Vec<AccessPointDescription>> {
    call(|| {
        clients
            .efs
            .describe_access_points()
            .set_access_point_id(id.map(String::from))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
}

fn gone(ap: &AccessPointDescription) -> bool {
    matches!(
        ap.life_cycle_state(),
        Some(LifeCycleState::Deleted | LifeCycleState::Deleting)
    )
}

fn as_i64(n: f64) -> i64 {
    n as i64
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> Result<aws_sdk_efs::operation::create_access_point::builders::CreateAccessPointFluentBuilder> {
    let malformed = |e: aws_sdk_efs::error::BuildError| ApiError::malformed(e.to_string());
    let posix = match get_block(planned, "posix_user") {
        Some(p) => {
            let secondary: Vec<i64> = p
                .as_map()
                .and_then(|m| m.get("secondary_gids"))
                .and_then(|v| v.as_list())
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_number().map(as_i64))
                .collect();
            Some(
                PosixUser::builder()
                    .gid(as_i64(get_number(p, "gid").unwrap_or_default()))
                    .uid(as_i64(get_number(p, "uid").unwrap_or_default()))
                    .set_secondary_gids((!secondary.is_empty()).then_some(secondary))
                    .build()
                    .map_err(malformed)?,
            )
        }
        None => None,
    };
    let root = match get_block(planned, "root_directory") {
        Some(r) => {
            let info = match get_block(r, "creation_info") {
                Some(c) => Some(
                    CreationInfo::builder()
                        .owner_gid(as_i64(get_number(c, "owner_gid").unwrap_or_default()))
                        .owner_uid(as_i64(get_number(c, "owner_uid").unwrap_or_default()))
                        .permissions(get_str(c, "permissions").unwrap_or_default())
                        .build()
                        .map_err(malformed)?,
                ),
                None => None,
            };
            Some(
                RootDirectory::builder()
                    .set_path(get_str(r, "path").map(String::from))
                    .set_creation_info(info)
                    .build(),
            )
        }
        None => None,
    };
    Ok(clients
        .efs
        .create_access_point()
        .client_token(uuid::Uuid::new_v4().to_string())
        .file_system_id(get_str(planned, "file_system_id").unwrap_or_default())
        .set_posix_user(posix)
        .set_root_directory(root)
        .set_tags(Some(to_efs_tags(tags))))
}

#[async_trait]
impl ResourceType for EfsAccessPointType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(an "access point id", "fsap-"))
    }

    /// The file system's access points tagged as `owner`'s.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(fs) = get_str(planned, "file_system_id") else {
            return Ok(Vec::new());
        };
        let found = call(|| {
            clients
                .efs
                .describe_access_points()
                .file_system_id(fs)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .found()?
        .unwrap_or_default();
        let found = found
            .iter()
            .filter(|ap| !gone(ap))
            .filter_map(|ap| Some((ap.access_point_id()?.to_string(), efs_tag_map(ap.tags()))))
            .collect();
        read_judged(self, clients, owner, found).await
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let found = match ids {
            [] => return Ok(BTreeMap::new()),
            [id] => describe(clients, Some(id))
                .await
                .found()?
                .unwrap_or_default(),
            _ => describe(clients, None).await?,
        };
        Ok(found
            .iter()
            .filter(|ap| !gone(ap))
            .filter_map(|ap| {
                let id = ap.access_point_id()?.to_string();
                let state = access_point_state(ap, &clients.region)?;
                ids.contains(&id).then_some((id, state))
            })
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let tags = creation_tags(planned, ctx.extra_tags);
        let request = create_request(ctx.clients, planned, &tags)?;
        let out = call(|| request.clone().send()).await?;
        let id = out
            .access_point_id()
            .ok_or_else(|| ApiError::malformed("CreateAccessPoint returned no access point id"))?
            .to_string();
        wait_until(
            &format!("EFS access point {id} to become available"),
            Duration::from_secs(2),
            SETTLE_LIMIT,
            || async {
                let found = describe(ctx.clients, Some(&id)).await.found()?;
                match found
                    .as_ref()
                    .and_then(|f| f.first())
                    .and_then(|a| a.life_cycle_state())
                {
                    Some(LifeCycleState::Available) => Ok(Some(())),
                    Some(LifeCycleState::Creating) | None => Ok(None),
                    Some(other) => Err(ApiError::new(
                        ErrorKind::Other,
                        "UnexpectedState",
                        format!("EFS access point {id} is {}", other.as_str()),
                    )),
                }
            },
        )
        .await?;
        read_created(self, ctx.clients, &id).await
    }

    /// Tags only: every other argument forces a new access point.
    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = recorded_id(self, prior)?;
        update_efs_tags(ctx.clients, &id, prior, planned).await?;
        read_created(self, ctx.clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = recorded_id(self, prior)?;
        let deleted = call(|| {
            ctx.clients
                .efs
                .delete_access_point()
                .access_point_id(&id)
                .send()
        })
        .await
        .found()?;
        if deleted.is_none() {
            return Ok(());
        }
        wait_gone(self, ctx.clients, "EFS access point", &id, SETTLE_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    #[test]
    fn the_request_has_the_posix_user_and_root_directory() {
        let c = offline_clients();
        let p = SCHEMA.conformed([
            ("file_system_id", Value::string("fs-1")),
            (
                "posix_user",
                Value::List(vec![Value::map([
                    ("gid", Value::number(1000)),
                    ("uid", Value::number(1001)),
                    ("secondary_gids", Value::set(vec![Value::number(5)])),
                ])]),
            ),
            (
                "root_directory",
                Value::List(vec![Value::map([
                    ("path", Value::string("/app")),
                    (
                        "creation_info",
                        Value::List(vec![Value::map([
                            ("owner_gid", Value::number(1000)),
                            ("owner_uid", Value::number(1001)),
                            ("permissions", Value::string("0755")),
                        ])]),
                    ),
                ])]),
            ),
        ]);
        let r = create_request(&c, &p, &BTreeMap::new()).unwrap();
        let input = r.as_input();
        let posix = input.get_posix_user().as_ref().unwrap();
        assert_eq!((posix.gid(), posix.uid()), (1000, 1001));
        assert_eq!(posix.secondary_gids(), [5]);
        let root = input.get_root_directory().as_ref().unwrap();
        assert_eq!(root.path(), Some("/app"));
        assert_eq!(root.creation_info().unwrap().permissions(), "0755");
    }
}
