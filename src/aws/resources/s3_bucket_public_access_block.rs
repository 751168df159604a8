//! `aws_s3_bucket_public_access_block`: the four switches that keep a bucket from being made
//! public (ACLs and policies). Its id is the bucket name.
//!
//! The switches change in place (PutPublicAccessBlock sets all four; unset is false, as in
//! the provider); a changed `bucket` replaces it. Delete is DeletePublicAccessBlock, unless
//! `skip_destroy` (not stored by AWS), which leaves the settings on the bucket. Refresh reads
//! each with GetPublicAccessBlock, one call per bucket (the floor: S3 has no call for several
//! buckets). moto serves every call the type makes.

use async_trait::async_trait;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;

use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::s3::BucketPart;
use crate::aws::{Adoption, AwsClients, Declaration};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, opt_bool};
use crate::provider::{attrs, Schema};

#[derive(Default)]
pub struct S3BucketPublicAccessBlockType;

static DECLARATION: Declaration = Declaration::new(
    "aws_s3_bucket_public_access_block",
    &SCHEMA,
    Adoption::Arguments,
);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: bucket.force_new();
        optional Bool: block_public_acls.default(Default::Bool(false))
            block_public_policy.default(Default::Bool(false))
            ignore_public_acls.default(Default::Bool(false))
            restrict_public_buckets.default(Default::Bool(false));
        optional Bool: skip_destroy.local();
    ],
    blocks: &[],
};

/// The four switches, in the order of the schema and of the API.
const SWITCHES: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

#[async_trait]
impl BucketPart for S3BucketPublicAccessBlockType {
    fn part_declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn get(&self, clients: &AwsClients, bucket: &str) -> Result<Vec<(&'static str, Value)>> {
        let out = call(|| clients.s3.get_public_access_block().bucket(bucket).send()).await?;
        let c = out.public_access_block_configuration();
        let values = [
            c.and_then(|c| c.block_public_acls()),
            c.and_then(|c| c.block_public_policy()),
            c.and_then(|c| c.ignore_public_acls()),
            c.and_then(|c| c.restrict_public_buckets()),
        ];
        Ok(SWITCHES
            .into_iter()
            .zip(values)
            .map(|(name, v)| (name, opt_bool(Some(v.unwrap_or(false)))))
            .collect())
    }

    async fn put(&self, clients: &AwsClients, bucket: &str, planned: &Value) -> Result<()> {
        let on = |name| get_bool(planned, name).unwrap_or(false);
        let configuration = PublicAccessBlockConfiguration::builder()
            .block_public_acls(on(SWITCHES[0]))
            .block_public_policy(on(SWITCHES[1]))
            .ignore_public_acls(on(SWITCHES[2]))
            .restrict_public_buckets(on(SWITCHES[3]))
            .build();
        call(|| {
            clients
                .s3
                .put_public_access_block()
                .bucket(bucket)
                .public_access_block_configuration(configuration.clone())
                .send()
        })
        .await
        .map(|_| ())
    }

    async fn remove(&self, clients: &AwsClients, bucket: &str, prior: &Value) -> Result<()> {
        if get_bool(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        call(|| {
            clients
                .s3
                .delete_public_access_block()
                .bucket(bucket)
                .send()
        })
        .await
        .map(|_| ())
    }
}
