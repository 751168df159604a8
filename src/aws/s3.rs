//! S3: what the bucket types share. A bucket's names as the AWS provider derives them (ARN,
//! domain names, the hosted zone of its region), its region and tags, and the skeleton of the
//! types that manage one configuration of a bucket ([`BucketPart`]: `aws_s3_bucket_policy`,
//! `aws_s3_bucket_versioning`...), whose objects are read with Get<X>, written with Put<X> and
//! removed with Delete<X>, with the bucket name as their id.
//!
//! S3 reads one bucket, and one configuration of one bucket, per call: there is no call that
//! returns the tags or a configuration of several buckets, so a refresh of N objects of these
//! types makes at least N calls (the floor), each type's reads running a few at a time.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_s3::types::{Tag, Tagging};

use super::adopt::find_by_arguments;
use super::call::call;
use super::data::partition::partition_of;
use super::error::{ApiError, OrGone, Result};
use super::iam::read_each;
use super::resource_type::States;
use super::resources::{read_created, recorded_id};
use super::tags::ECSFORM_PREFIX;
use super::{AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::values::{get_str, state_object};

/// The region S3 assumes where a bucket has no location constraint.
pub const DEFAULT_REGION: &str = "us-east-1";

/// `arn:aws:s3:::bucket`: buckets are global, so their ARNs name no region or account.
pub fn bucket_arn(region: &str, bucket: &str) -> String {
    format!("arn:{}:s3:::{bucket}", partition_of(region).0)
}

/// `bucket.s3.amazonaws.com` (the provider's `bucket_domain_name`: the global form).
pub fn bucket_domain_name(bucket: &str) -> String {
    format!("{bucket}.s3.amazonaws.com")
}

/// `bucket.s3.eu-west-1.amazonaws.com` (the provider's `bucket_regional_domain_name`).
pub fn bucket_regional_domain_name(bucket: &str, region: &str) -> String {
    format!("{bucket}.s3.{region}.{}", partition_of(region).1)
}

/// The Route 53 hosted zone of S3's website endpoints in `region` (the provider's
/// `hosted_zone_id`, for alias records), from the provider's table.
pub fn hosted_zone_id(region: &str) -> Option<&'static str> {
    const ZONES: &[(&str, &str)] = &[
        ("af-south-1", "Z83WF9RJE8B12"),
        ("ap-east-1", "ZNB98KWMFR0R6"),
        ("ap-northeast-1", "Z2M4EHUR26P7ZW"),
        ("ap-northeast-2", "Z3W03O7B5YMIYP"),
        ("ap-northeast-3", "Z2YQB5RD63NC85"),
        ("ap-south-1", "Z11RGJOFQNVJUP"),
        ("ap-south-2", "Z02976202B4EZMXIPMXF7"),
        ("ap-southeast-1", "Z3O0J2DXBE1FTB"),
        ("ap-southeast-2", "Z1WCIGYICN2BYD"),
        ("ap-southeast-3", "Z01846753K324LI26A3VV"),
        ("ap-southeast-4", "Z0312387243XT5FE14WFO"),
        ("ap-southeast-5", "Z08660063OXLMA7F1FJHU"),
        ("ca-central-1", "Z1QDHH18159H29"),
        ("ca-west-1", "Z03565811Z33SLEZTHOUL"),
        ("cn-north-1", "Z5CN8UMXT92WN"),
        ("cn-northwest-1", "Z282HJ1KT0DH03"),
        ("eu-central-1", "Z21DNDUVLTQW6Q"),
        ("eu-central-2", "Z030506016YDQGETNASS"),
        ("eu-north-1", "Z3BAZG2TWCNX0D"),
        ("eu-south-1", "Z30OZKI7KPW7MI"),
        ("eu-south-2", "Z0081959F7139GRJC19J"),
        ("eu-west-1", "Z1BKCTXD74EZPE"),
        ("eu-west-2", "Z3GKZC51ZF0DB4"),
        ("eu-west-3", "Z3R1K369G5AVDG"),
        ("il-central-1", "Z09640613K4A3MN55U7GU"),
        ("me-central-1", "Z06143092I8HRXZRUZROF"),
        ("me-south-1", "Z1MPMWCPA7YB62"),
        ("sa-east-1", "Z7KQH4QJS55SO"),
        ("us-east-1", "Z3AQBSTGFYJSTF"),
        ("us-east-2", "Z2O1EMRO9K5GLX"),
        ("us-gov-east-1", "Z2NIFVYYW2VKV1"),
        ("us-gov-west-1", "Z31GFT0UA1I2HV"),
        ("us-west-1", "Z2F56UZL2M1ACD"),
        ("us-west-2", "Z3BJ6K6RIION7M"),
    ];
    ZONES.iter().find(|(r, _)| *r == region).map(|(_, z)| *z)
}

/// The region of `bucket` (HeadBucket's `x-amz-bucket-region`), or `None` where there is no
/// such bucket.
pub async fn bucket_region(clients: &AwsClients, bucket: &str) -> Result<Option<String>> {
    let out = call(|| clients.s3.head_bucket().bucket(bucket).send())
        .await
        .found()?;
    Ok(out.map(|o| o.bucket_region().unwrap_or(DEFAULT_REGION).to_string()))
}

/// All tags of `bucket`, ecsform's own included (none where it has no tag set).
pub async fn bucket_tags(clients: &AwsClients, bucket: &str) -> Result<BTreeMap<String, String>> {
    match call(|| clients.s3.get_bucket_tagging().bucket(bucket).send()).await {
        Ok(out) => Ok(out
            .tag_set()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()),
        Err(e) if e.is_no_tag_set() => Ok(BTreeMap::new()),
        Err(e) => Err(e),
    }
}

/// Replaces the tags of `bucket` (PutBucketTagging sets the whole set) with `tags` and the
/// ecsform tags it has now, which stay as they are; no tags at all is DeleteBucketTagging.
pub async fn replace_bucket_tags(
    clients: &AwsClients,
    bucket: &str,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let mut all: BTreeMap<String, String> = bucket_tags(clients, bucket)
        .await?
        .into_iter()
        .filter(|(k, _)| k.starts_with(ECSFORM_PREFIX))
        .collect();
    all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    put_bucket_tags(clients, bucket, &all).await
}

/// Sets exactly `tags` on `bucket`.
pub async fn put_bucket_tags(
    clients: &AwsClients,
    bucket: &str,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    if tags.is_empty() {
        return call(|| clients.s3.delete_bucket_tagging().bucket(bucket).send())
            .await
            .map(|_| ());
    }
    let tagging = tagging(tags)?;
    call(|| {
        clients
            .s3
            .put_bucket_tagging()
            .bucket(bucket)
            .tagging(tagging.clone())
            .send()
    })
    .await
    .map(|_| ())
}

fn tagging(tags: &BTreeMap<String, String>) -> Result<Tagging> {
    let set = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::malformed(format!("tag: {e}")))?;
    Tagging::builder()
        .set_tag_set(Some(set))
        .build()
        .map_err(|e| ApiError::malformed(format!("tagging: {e}")))
}

/// An SDK builder's missing required field, as an error (the type's own checks make it
/// unreachable from a conformed configuration).
pub fn built<T>(r: std::result::Result<T, aws_sdk_s3::error::BuildError>) -> Result<T> {
    r.map_err(|e| ApiError::malformed(e.to_string()))
}

/// One configuration of a bucket, managed as its own resource type: its id and `bucket` are
/// the bucket's name; Get<X> reads it (a missing bucket or configuration is "not found"),
/// Put<X> writes it (create and update alike) and Delete<X> removes it. Such objects have no
/// tags and cannot exist twice, so one created before a crash is found again by its bucket
/// ([`Adoption::Arguments`](super::Adoption::Arguments)). Every `BucketPart` is a
/// [`ResourceType`]. It is a unit struct (`Default`), so that reads running at once each
/// have one.
#[async_trait]
pub trait BucketPart: Default + Send + Sync + 'static {
    /// The type's declaration; its schema has `id` and `bucket`, and attributes marked
    /// `local` are kept from the configuration.
    fn part_declaration(&self) -> &'static Declaration;

    /// The configuration of `bucket`, as the state's attributes other than `id` and `bucket`,
    /// or a NotFound error where it (or the bucket) does not exist.
    async fn get(&self, clients: &AwsClients, bucket: &str) -> Result<Vec<(&'static str, Value)>>;

    /// Writes the configuration `planned` to `bucket`.
    async fn put(&self, clients: &AwsClients, bucket: &str, planned: &Value) -> Result<()>;

    /// Removes the configuration from `bucket`, as the provider's delete does.
    async fn remove(&self, clients: &AwsClients, bucket: &str, prior: &Value) -> Result<()>;

    /// See [`ResourceType::normalize`].
    fn normalize_part(&self, value: Value) -> Value {
        value
    }
}

/// The state of `part` on `bucket`, `None` where it or the bucket does not exist.
async fn read_part<P: BucketPart>(
    part: &P,
    clients: &AwsClients,
    bucket: &str,
) -> Result<Option<Value>> {
    let Some(attrs) = part.get(clients, bucket).await.found()? else {
        return Ok(None);
    };
    let mut given = vec![
        ("id", Value::string(bucket)),
        ("bucket", Value::string(bucket)),
    ];
    given.extend(attrs);
    let schema = part.part_declaration().schema;
    let state = state_object(schema, given);
    // Switches AWS does not store read as their defaults; create and update keep the
    // configuration's.
    Ok(Some(locals_from(schema, state, &Value::Null)))
}

/// `state` with the `local` attributes of `schema` (switches AWS does not store) taken from
/// `planned`, or their defaults where it has none.
fn locals_from(schema: &crate::provider::Schema, state: Value, planned: &Value) -> Value {
    let Value::Map(mut m) = state else {
        return state;
    };
    for a in schema.attributes.iter().filter(|a| a.local) {
        let from_plan = planned
            .as_map()
            .and_then(|p| p.get(a.name))
            .filter(|v| !v.is_null())
            .cloned();
        let v = from_plan.unwrap_or_else(|| a.default_value());
        m.insert(a.name.to_string(), v);
    }
    Value::Map(m)
}

#[async_trait]
impl<P: BucketPart> ResourceType for P {
    fn declaration(&self) -> &'static Declaration {
        self.part_declaration()
    }

    fn normalize(&self, value: Value) -> Value {
        self.normalize_part(value)
    }

    fn import_id_format(&self) -> &'static str {
        "the bucket name"
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = get_str(planned, "bucket").map(String::from);
        find_by_arguments(self, clients, id).await
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, |clients, id| async move {
            read_part(&P::default(), &clients, &id).await
        })
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let bucket = get_str(planned, "bucket")
            .ok_or_else(|| ApiError::malformed("no bucket in the plan"))?;
        self.put(ctx.clients, bucket, planned).await?;
        let state = read_created(self, ctx.clients, bucket).await?;
        Ok(locals_from(self.part_declaration().schema, state, planned))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let bucket = recorded_id(self, prior)?;
        self.put(ctx.clients, &bucket, planned).await?;
        let state = read_created(self, ctx.clients, &bucket).await?;
        Ok(locals_from(self.part_declaration().schema, state, planned))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let bucket = recorded_id(self, prior)?;
        self.remove(ctx.clients, &bucket, prior).await.ok_if_gone()
    }
}
