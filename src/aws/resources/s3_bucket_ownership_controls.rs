//! `aws_s3_bucket_ownership_controls`: who owns the objects written to an S3 bucket
//! (`BucketOwnerEnforced` turns ACLs off; `BucketOwnerPreferred`; `ObjectWriter`). Its id is
//! the bucket name.
//!
//! `rule.object_ownership` changes in place (PutBucketOwnershipControls); a changed `bucket`
//! replaces it; delete is DeleteBucketOwnershipControls. Refresh reads each with
//! GetBucketOwnershipControls, one call per bucket (the floor). moto serves every call the
//! type makes.

use async_trait::async_trait;
use aws_sdk_s3::types::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};

use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::s3::{built, BucketPart};
use crate::aws::{Adoption, AwsClients, Declaration};
use crate::lang::Value;
use crate::provider::values::{get_block, get_str};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

#[derive(Default)]
pub struct S3BucketOwnershipControlsType;

static DECLARATION: Declaration = Declaration::new(
    "aws_s3_bucket_ownership_controls",
    &SCHEMA,
    Adoption::Arguments,
);

static RULE: &[AttrSchema] = attrs![
    required String: object_ownership;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: bucket.force_new();
    ],
    blocks: &[BlockSchema::list("rule", RULE).min_items(1).max_items(1)],
};

#[async_trait]
impl BucketPart for S3BucketOwnershipControlsType {
    fn part_declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn get(&self, clients: &AwsClients, bucket: &str) -> Result<Vec<(&'static str, Value)>> {
        let out = call(|| {
            clients
                .s3
                .get_bucket_ownership_controls()
                .bucket(bucket)
                .send()
        })
        .await?;
        let rules = out
            .ownership_controls()
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .map(|r| {
                Value::map([(
                    "object_ownership",
                    Value::string(r.object_ownership().as_str()),
                )])
            })
            .collect();
        Ok(vec![("rule", Value::List(rules))])
    }

    async fn put(&self, clients: &AwsClients, bucket: &str, planned: &Value) -> Result<()> {
        let ownership = get_block(planned, "rule")
            .and_then(|r| get_str(r, "object_ownership"))
            .unwrap_or_default();
        let rule = built(
            OwnershipControlsRule::builder()
                .object_ownership(ObjectOwnership::from(ownership))
                .build(),
        )?;
        let controls = built(OwnershipControls::builder().rules(rule).build())?;
        call(|| {
            clients
                .s3
                .put_bucket_ownership_controls()
                .bucket(bucket)
                .ownership_controls(controls.clone())
                .send()
        })
        .await
        .map(|_| ())
    }

    async fn remove(&self, clients: &AwsClients, bucket: &str, _prior: &Value) -> Result<()> {
        call(|| {
            clients
                .s3
                .delete_bucket_ownership_controls()
                .bucket(bucket)
                .send()
        })
        .await
        .map(|_| ())
    }
}
