//! `aws_s3_bucket_versioning`: whether an S3 bucket keeps every version of its objects. Its
//! id is the bucket name.
//!
//! `versioning_configuration.status` is `Enabled`, `Suspended` or `Disabled` and changes in
//! place (PutBucketVersioning); `Disabled` is what a bucket that never had versioning reads
//! as (GetBucketVersioning without a status), and, as in the provider, creating it with
//! `Disabled` sends nothing: S3 cannot turn versioning off once it was on, only suspend it.
//! For the same reason delete suspends versioning where it is on (and sends nothing
//! otherwise), so the bucket still reads as `Suspended` afterwards, as with the provider.
//! `mfa_delete` is read back; `mfa` (the MFA device and code the request needs to change
//! `mfa_delete`) is not supported yet. A changed `bucket` replaces it. Refresh reads each
//! with GetBucketVersioning, one call per bucket (the floor). moto serves every call the type
//! makes, but its GetBucketVersioning answer has the wrong root element
//! (`GetBucketVersioningResponse`, not `VersioningConfiguration`), which the SDK refuses: the
//! conformance test checks the puts by their effect on object versions, and a unit test the
//! reading of AWS's answer.

use async_trait::async_trait;
use aws_sdk_s3::types::{BucketVersioningStatus, MfaDelete, VersioningConfiguration};

use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::s3::BucketPart;
use crate::aws::{Adoption, AwsClients, Declaration};
use crate::lang::Value;
use crate::provider::values::{get_block, get_str, opt_str};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

#[derive(Default)]
pub struct S3BucketVersioningType;

static DECLARATION: Declaration =
    Declaration::new("aws_s3_bucket_versioning", &SCHEMA, Adoption::Arguments);

static VERSIONING_CONFIGURATION: &[AttrSchema] = attrs![
    required String: status;
    optional_computed String: mfa_delete;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: bucket.force_new();
    ],
    blocks: &[
        BlockSchema::list("versioning_configuration", VERSIONING_CONFIGURATION)
            .min_items(1)
            .max_items(1),
    ],
};

/// What a bucket that never had versioning reads as.
const DISABLED: &str = "Disabled";

fn planned_status(planned: &Value) -> Option<&str> {
    get_block(planned, "versioning_configuration").and_then(|b| get_str(b, "status"))
}

async fn put_status(
    clients: &AwsClients,
    bucket: &str,
    status: &str,
    mfa_delete: Option<&str>,
) -> Result<()> {
    let configuration = VersioningConfiguration::builder()
        .status(BucketVersioningStatus::from(status))
        .set_mfa_delete(mfa_delete.map(MfaDelete::from))
        .build();
    call(|| {
        clients
            .s3
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(configuration.clone())
            .send()
    })
    .await
    .map(|_| ())
}

/// The state's `versioning_configuration` for what GetBucketVersioning answers.
fn versioning_attrs(
    status: Option<&BucketVersioningStatus>,
    mfa_delete: Option<&aws_sdk_s3::types::MfaDeleteStatus>,
) -> Vec<(&'static str, Value)> {
    let configuration = Value::map([
        (
            "status",
            Value::string(status.map_or(DISABLED, |s| s.as_str())),
        ),
        ("mfa_delete", opt_str(mfa_delete.map(|m| m.as_str()))),
    ]);
    vec![("versioning_configuration", Value::List(vec![configuration]))]
}

#[async_trait]
impl BucketPart for S3BucketVersioningType {
    fn part_declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn get(&self, clients: &AwsClients, bucket: &str) -> Result<Vec<(&'static str, Value)>> {
        let out = call(|| clients.s3.get_bucket_versioning().bucket(bucket).send()).await?;
        Ok(versioning_attrs(out.status(), out.mfa_delete()))
    }

    async fn put(&self, clients: &AwsClients, bucket: &str, planned: &Value) -> Result<()> {
        let status = planned_status(planned).unwrap_or(DISABLED);
        if status == DISABLED {
            // Nothing to send for a bucket that never had versioning; S3 refuses "Disabled".
            return Ok(());
        }
        let mfa_delete =
            get_block(planned, "versioning_configuration").and_then(|b| get_str(b, "mfa_delete"));
        put_status(clients, bucket, status, mfa_delete).await
    }

    async fn remove(&self, clients: &AwsClients, bucket: &str, prior: &Value) -> Result<()> {
        match planned_status(prior) {
            Some("Enabled") => put_status(clients, bucket, "Suspended", None).await,
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What moto cannot answer: a bucket that never had versioning reads as `Disabled`, and
    /// AWS's statuses as they are.
    #[test]
    fn a_bucket_without_a_status_reads_as_disabled() {
        let status = |attrs: Vec<(&'static str, Value)>| {
            let Value::List(items) = &attrs[0].1 else {
                panic!("a list block")
            };
            items[0].as_map().unwrap()["status"].clone()
        };
        assert_eq!(
            status(versioning_attrs(None, None)),
            Value::string("Disabled")
        );
        let suspended = BucketVersioningStatus::Suspended;
        assert_eq!(
            status(versioning_attrs(Some(&suspended), None)),
            Value::string("Suspended")
        );
    }
}
