//! `aws_s3_bucket_server_side_encryption_configuration`: how S3 encrypts the objects written
//! to a bucket by default (SSE-S3 `AES256`, or `aws:kms`/`aws:kms:dsse` with a KMS key), and
//! whether it uses an S3 Bucket Key. Its id is the bucket name.
//!
//! The `rule` blocks change in place (PutBucketEncryption sets them all); a changed `bucket`
//! replaces it; delete is DeleteBucketEncryption, after which AWS encrypts with its default
//! (SSE-S3) again. Left unset, `kms_master_key_id` and `bucket_key_enabled` keep what AWS
//! reports. `blocked_encryption_types` is not supported yet. Refresh reads each with
//! GetBucketEncryption, one call per bucket (the floor). moto serves every call the type
//! makes; unlike AWS, which reports its SSE-S3 default for every bucket, moto reports no
//! configuration after the delete, which the conformance test relies on.

use async_trait::async_trait;
use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};

use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::s3::{built, BucketPart};
use crate::aws::{Adoption, AwsClients, Declaration};
use crate::lang::Value;
use crate::provider::values::{get_block, get_blocks, get_bool, get_str, opt_bool, opt_str};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

#[derive(Default)]
pub struct S3BucketServerSideEncryptionConfigurationType;

static DECLARATION: Declaration = Declaration::new(
    "aws_s3_bucket_server_side_encryption_configuration",
    &SCHEMA,
    Adoption::Arguments,
);

static BY_DEFAULT: &[AttrSchema] = attrs![
    required String: sse_algorithm;
    optional_computed String: kms_master_key_id;
];

static RULE_BLOCKS: &[BlockSchema] =
    &[BlockSchema::list("apply_server_side_encryption_by_default", BY_DEFAULT).max_items(1)];

static RULE: &[AttrSchema] = attrs![
    optional_computed Bool: bucket_key_enabled;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: bucket.force_new();
    ],
    blocks: &[BlockSchema::set("rule", RULE)
        .blocks(RULE_BLOCKS)
        .min_items(1)],
};

fn rule_value(r: &ServerSideEncryptionRule) -> Value {
    let by_default: Vec<Value> = r
        .apply_server_side_encryption_by_default()
        .map(|d| {
            Value::map([
                ("sse_algorithm", Value::string(d.sse_algorithm().as_str())),
                ("kms_master_key_id", opt_str(d.kms_master_key_id())),
            ])
        })
        .into_iter()
        .collect();
    Value::map([
        ("bucket_key_enabled", opt_bool(r.bucket_key_enabled())),
        (
            "apply_server_side_encryption_by_default",
            Value::List(by_default),
        ),
    ])
}

fn rule_request(rule: &Value) -> Result<ServerSideEncryptionRule> {
    let by_default = get_block(rule, "apply_server_side_encryption_by_default")
        .map(|d| {
            built(
                ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::from(
                        get_str(d, "sse_algorithm").unwrap_or_default(),
                    ))
                    .set_kms_master_key_id(get_str(d, "kms_master_key_id").map(String::from))
                    .build(),
            )
        })
        .transpose()?;
    Ok(ServerSideEncryptionRule::builder()
        .set_apply_server_side_encryption_by_default(by_default)
        .set_bucket_key_enabled(get_bool(rule, "bucket_key_enabled"))
        .build())
}

#[async_trait]
impl BucketPart for S3BucketServerSideEncryptionConfigurationType {
    fn part_declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn get(&self, clients: &AwsClients, bucket: &str) -> Result<Vec<(&'static str, Value)>> {
        let out = call(|| clients.s3.get_bucket_encryption().bucket(bucket).send()).await?;
        let rules = out
            .server_side_encryption_configuration()
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .map(rule_value)
            .collect();
        Ok(vec![("rule", Value::set(rules))])
    }

    async fn put(&self, clients: &AwsClients, bucket: &str, planned: &Value) -> Result<()> {
        let rules = get_blocks(planned, "rule")
            .iter()
            .map(rule_request)
            .collect::<Result<Vec<_>>>()?;
        let configuration = built(
            ServerSideEncryptionConfiguration::builder()
                .set_rules(Some(rules))
                .build(),
        )?;
        call(|| {
            clients
                .s3
                .put_bucket_encryption()
                .bucket(bucket)
                .server_side_encryption_configuration(configuration.clone())
                .send()
        })
        .await
        .map(|_| ())
    }

    async fn remove(&self, clients: &AwsClients, bucket: &str, _prior: &Value) -> Result<()> {
        call(|| clients.s3.delete_bucket_encryption().bucket(bucket).send())
            .await
            .map(|_| ())
    }
}
