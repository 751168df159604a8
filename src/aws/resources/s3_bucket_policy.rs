//! `aws_s3_bucket_policy`: the bucket policy of an S3 bucket (who may do what with it and its
//! objects; the load balancer's access-log permission, for one). Its id is the bucket name.
//!
//! `policy` changes in place (PutBucketPolicy replaces the policy) and is compared in
//! canonical form (`json_doc::canonical_policy`, as IAM policies: key order, formatting and
//! the order of statements, actions and principals never show as a change); a changed
//! `bucket` replaces it. Delete is DeleteBucketPolicy. Refresh reads each policy with
//! GetBucketPolicy, one call per bucket (the floor: S3 has no call for several buckets'
//! policies). moto serves every call the type makes.

use async_trait::async_trait;

use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::s3::BucketPart;
use crate::aws::{Adoption, AwsClients, Declaration};
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str};
use crate::provider::{attrs, Schema};

#[derive(Default)]
pub struct S3BucketPolicyType;

static DECLARATION: Declaration =
    Declaration::new("aws_s3_bucket_policy", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: bucket.force_new() policy;
    ],
    blocks: &[],
};

#[async_trait]
impl BucketPart for S3BucketPolicyType {
    fn part_declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn normalize_part(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    async fn get(&self, clients: &AwsClients, bucket: &str) -> Result<Vec<(&'static str, Value)>> {
        let out = call(|| clients.s3.get_bucket_policy().bucket(bucket).send()).await?;
        Ok(vec![(
            "policy",
            opt_str(out.policy().map(canonical_policy)),
        )])
    }

    async fn put(&self, clients: &AwsClients, bucket: &str, planned: &Value) -> Result<()> {
        let policy = get_str(planned, "policy").unwrap_or_default();
        call(|| {
            clients
                .s3
                .put_bucket_policy()
                .bucket(bucket)
                .policy(policy)
                .send()
        })
        .await
        .map(|_| ())
    }

    async fn remove(&self, clients: &AwsClients, bucket: &str, _prior: &Value) -> Result<()> {
        call(|| clients.s3.delete_bucket_policy().bucket(bucket).send())
            .await
            .map(|_| ())
    }
}
