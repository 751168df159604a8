//! `aws_s3_bucket`: an S3 general purpose bucket, with the AWS provider's v5+ schema. Its id
//! is its name (`bucket`, or a unique name from `bucket_prefix`, `terraform-` by default, as
//! in the provider); `arn`, `bucket_domain_name`, `bucket_regional_domain_name` and
//! `hosted_zone_id` follow from the name and region as the provider derives them, and
//! `region`/`bucket_region` are the bucket's region (HeadBucket's). The bucket is created in
//! the provider's region (CreateBucket with that region as LocationConstraint, none in
//! us-east-1, as S3 wants); a bucket elsewhere cannot be managed through this region's
//! endpoint, so such a bucket is not supported.
//!
//! `bucket`, `bucket_prefix` and `object_lock_enabled` force a new bucket; `tags` change in
//! place (PutBucketTagging sets the whole set: ecsform's own tags are kept as they are).
//! `force_destroy` (not stored by AWS) empties the bucket, every object version and delete
//! marker (bypassing governance retention where object lock is on), before DeleteBucket, as
//! the provider does. The settings the provider deprecated in favour of standalone types
//! (`acl`, `policy`, `versioning`, `lifecycle_rule`, `server_side_encryption_configuration`,
//! `logging`, `website`, `cors_rule`, `grant`, `replication_configuration`,
//! `object_lock_configuration`, `acceleration_status`, `request_payer`) are in the schema as
//! the provider's and refused where set ("not supported yet"): use `aws_s3_bucket_policy`,
//! `aws_s3_bucket_versioning`... instead; unset, they are not read (null).
//!
//! Refresh: S3 has no call that reads several buckets. A refresh of more than one bucket
//! lists the account's buckets once (ListBuckets, paginated), which tells which still exist
//! and, where AWS reports it, each one's region; each bucket then takes GetBucketTagging and
//! GetObjectLockConfiguration (the floor: two calls per bucket), and HeadBucket where the
//! listing gave no region or did not list it (a bucket created a moment ago may not be
//! listed yet, so it is not taken for gone). moto's ListBuckets reports no regions, so
//! against moto every bucket also takes a HeadBucket. Tags do not come from the Resource
//! Groups Tagging API: moto does not report buckets there.
//!
//! A bucket created before a crash is found again by its name (pinned before the call) and
//! judged by its `ecsform:lineage` tag; tags are set right after CreateBucket, so a crash
//! between the two leaves a bucket without them, which is not adopted (docs/state.md).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier,
    ObjectLockEnabled,
};

use super::{changed, prefix_of_unique_name, read_created, recorded_id, unique_name};
use crate::aws::adopt::find_named;
use crate::aws::call::call;
use crate::aws::error::{ApiError, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::resource_type::{fill_local_from_config, States};
use crate::aws::s3::{
    bucket_arn, bucket_domain_name, bucket_region, bucket_regional_domain_name, bucket_tags, built,
    hosted_zone_id, put_bucket_tags, replace_bucket_tags, DEFAULT_REGION,
};
use crate::aws::service_tags::read_tags;
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, get_string_map, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct S3BucketType;

static DECLARATION: Declaration = Declaration::new("aws_s3_bucket", &SCHEMA, Adoption::NameAndTags)
    .generated_name("bucket", "bucket_prefix", "terraform-");

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn bucket_domain_name bucket_regional_domain_name hosted_zone_id
            region bucket_region;
        optional_computed String: bucket.force_new() bucket_prefix.force_new();
        optional Bool: force_destroy.default(Default::Bool(false)).local();
        optional_computed Bool: object_lock_enabled.force_new();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// DeleteObjects takes at most 1000 keys per call.
const DELETE_BATCH: i32 = 1000;

fn bucket_state(name: &str, region: &str, tags: BTreeMap<String, String>, lock: bool) -> Value {
    let [tags, tags_all] = read_tags(tags);
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(name)),
            ("bucket", Value::string(name)),
            ("bucket_prefix", opt_str(prefix_of_unique_name(name))),
            ("arn", Value::string(bucket_arn(region, name))),
            (
                "bucket_domain_name",
                Value::string(bucket_domain_name(name)),
            ),
            (
                "bucket_regional_domain_name",
                Value::string(bucket_regional_domain_name(name, region)),
            ),
            ("hosted_zone_id", opt_str(hosted_zone_id(region))),
            ("region", Value::string(region)),
            ("bucket_region", Value::string(region)),
            ("force_destroy", Value::Bool(false)),
            ("object_lock_enabled", Value::Bool(lock)),
            tags,
            tags_all,
        ],
    )
}

/// Whether object lock is on for `bucket` (GetObjectLockConfiguration; a bucket without the
/// configuration has it off).
async fn object_lock_enabled(clients: &AwsClients, bucket: &str) -> Result<bool> {
    let out = call(|| {
        clients
            .s3
            .get_object_lock_configuration()
            .bucket(bucket)
            .send()
    })
    .await;
    match out {
        Ok(o) => Ok(o
            .object_lock_configuration()
            .and_then(|c| c.object_lock_enabled())
            == Some(&ObjectLockEnabled::Enabled)),
        Err(e) if e.is_not_found() && e.code != "NoSuchBucket" => Ok(false),
        Err(e) => Err(e),
    }
}

/// The state of `bucket`, `None` where it does not exist. `region` is its region where a
/// listing told it; otherwise HeadBucket asks.
async fn read_bucket(
    clients: &AwsClients,
    bucket: &str,
    region: Option<String>,
) -> Result<Option<Value>> {
    let region = match region {
        Some(r) => r,
        None => match bucket_region(clients, bucket).await? {
            Some(r) => r,
            None => return Ok(None),
        },
    };
    let Some(tags) = bucket_tags(clients, bucket).await.found()? else {
        return Ok(None);
    };
    let lock = object_lock_enabled(clients, bucket).await?;
    Ok(Some(bucket_state(bucket, &region, tags, lock)))
}

/// The account's buckets by name, each with its region where ListBuckets reports it.
async fn list_buckets(clients: &AwsClients) -> Result<BTreeMap<String, Option<String>>> {
    let buckets = call(|| {
        clients
            .s3
            .list_buckets()
            .max_buckets(DELETE_BATCH)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(buckets
        .iter()
        .filter_map(|b| Some((b.name()?.to_string(), b.bucket_region().map(String::from))))
        .collect())
}

/// Deletes every object version and delete marker of `bucket`, a page at a time.
async fn empty_bucket(clients: &AwsClients, bucket: &str, bypass_governance: bool) -> Result<()> {
    loop {
        let page = call(|| {
            clients
                .s3
                .list_object_versions()
                .bucket(bucket)
                .max_keys(DELETE_BATCH)
                .send()
        })
        .await?;
        let versions = page
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(
                page.delete_markers()
                    .iter()
                    .map(|m| (m.key(), m.version_id())),
            );
        let objects = versions
            .filter_map(|(key, version)| {
                Some(built(
                    ObjectIdentifier::builder()
                        .key(key?)
                        .set_version_id(version.map(String::from))
                        .build(),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        if objects.is_empty() {
            return Ok(());
        }
        let delete = built(Delete::builder().set_objects(Some(objects)).build())?;
        let out = call(|| {
            clients
                .s3
                .delete_objects()
                .bucket(bucket)
                .delete(delete.clone())
                .bypass_governance_retention(bypass_governance)
                .send()
        })
        .await?;
        if let Some(e) = out.errors().first() {
            return Err(ApiError::malformed(format!(
                "emptying bucket {bucket}: {} ({}): {}",
                e.key().unwrap_or_default(),
                e.code().unwrap_or_default(),
                e.message().unwrap_or_default()
            )));
        }
    }
}

#[async_trait]
impl ResourceType for S3BucketType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(bucket) = get_str(planned, "bucket") else {
            return Ok(Vec::new());
        };
        find_named(self, clients, owner, bucket, || async {
            bucket_tags(clients, bucket).await.map(Some)
        })
        .await
    }

    fn import_id_format(&self) -> &'static str {
        "the bucket name"
    }

    /// One bucket: HeadBucket, GetBucketTagging, GetObjectLockConfiguration. More: one
    /// ListBuckets first, which saves the HeadBucket of each bucket it gives a region for.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let listed = if ids.len() > 1 {
            list_buckets(clients).await?
        } else {
            BTreeMap::new()
        };
        let regions: Arc<BTreeMap<String, String>> = Arc::new(
            listed
                .into_iter()
                .filter_map(|(name, region)| Some((name, region?)))
                .collect(),
        );
        read_each(clients, ids, move |clients, id| {
            let region = regions.get(&id).cloned();
            async move { read_bucket(&clients, &id, region).await }
        })
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = match get_str(planned, "bucket") {
            Some(b) => b.to_string(),
            None => unique_name(get_str(planned, "bucket_prefix").unwrap_or("terraform-")),
        };
        let region = clients.region.as_str();
        // In us-east-1 CreateBucket answers success for a bucket the account has already, as
        // the provider notes; ask first so that it is not taken over.
        if region == DEFAULT_REGION && bucket_region(clients, &name).await?.is_some() {
            return Err(ApiError::new(
                crate::aws::error::ErrorKind::AlreadyExists,
                "BucketAlreadyOwnedByYou",
                format!("bucket {name} exists already"),
            ));
        }
        let configuration = (region != DEFAULT_REGION).then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build()
        });
        call(|| {
            clients
                .s3
                .create_bucket()
                .bucket(&name)
                .set_create_bucket_configuration(configuration.clone())
                .set_object_lock_enabled_for_bucket(get_bool(planned, "object_lock_enabled"))
                .send()
        })
        .await?;
        put_bucket_tags(clients, &name, &creation_tags(planned, ctx.extra_tags)).await?;
        let state = read_created(self, clients, &name).await?;
        Ok(fill_local_from_config(&SCHEMA, state, planned))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let name = recorded_id(self, prior)?;
        if changed(prior, planned, "tags_all") {
            replace_bucket_tags(ctx.clients, &name, &get_string_map(planned, "tags_all")).await?;
        }
        let state = read_created(self, ctx.clients, &name).await?;
        Ok(fill_local_from_config(&SCHEMA, state, planned))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let name = recorded_id(self, prior)?;
        let delete = || async { call(|| clients.s3.delete_bucket().bucket(&name).send()).await };
        match delete().await {
            Err(e) if e.is_bucket_not_empty() && get_bool(prior, "force_destroy") == Some(true) => {
                let lock = get_bool(prior, "object_lock_enabled") == Some(true);
                empty_bucket(clients, &name, lock).await?;
                delete().await.ok_if_gone()
            }
            other => other.ok_if_gone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_from_the_bucket_and_its_region_as_the_provider_derives_them() {
        let s = bucket_state(
            "logs",
            "eu-west-1",
            BTreeMap::from([
                ("ecsform:address".to_string(), "x".to_string()),
                ("Team".to_string(), "web".to_string()),
            ]),
            false,
        );
        let m = s.as_map().unwrap();
        assert_eq!(m["arn"], Value::string("arn:aws:s3:::logs"));
        assert_eq!(
            m["bucket_domain_name"],
            Value::string("logs.s3.amazonaws.com")
        );
        assert_eq!(
            m["bucket_regional_domain_name"],
            Value::string("logs.s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(m["hosted_zone_id"], Value::string("Z1BKCTXD74EZPE"));
        assert_eq!(m["tags"], Value::map([("Team", Value::string("web"))]));
        let cn = bucket_state("logs", "cn-north-1", BTreeMap::new(), true);
        let m = cn.as_map().unwrap();
        assert_eq!(m["arn"], Value::string("arn:aws-cn:s3:::logs"));
        assert_eq!(
            m["bucket_regional_domain_name"],
            Value::string("logs.s3.cn-north-1.amazonaws.com.cn")
        );
        assert_eq!(m["object_lock_enabled"], Value::Bool(true));
    }
}
