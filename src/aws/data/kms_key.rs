//! `data "aws_kms_key"`: one KMS key by `key_id`, which may be the key id, the key ARN, an
//! alias name (`alias/...`) or an alias ARN, as DescribeKey takes them (with `grant_tokens`).
//! Unlike the resource type, a key pending deletion is found, with its `key_state` and
//! `deletion_date`, as in the provider. The id is the key id. A key that does not exist is an
//! error in the provider's words.

use async_trait::async_trait;
use aws_sdk_kms::types::{KeyMetadata, MultiRegionKey};

use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::iam::iso8601;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, get_strings, opt_str, state_object};
use crate::provider::{BlockSchema, Schema};

pub struct KmsKeyData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_kms_key", &SCHEMA);

static MULTI_REGION_KEY: &[crate::provider::AttrSchema] = attrs![
    computed String: arn region;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: key_id;
        optional StringList: grant_tokens;
        computed String: id arn aws_account_id cloud_hsm_cluster_id creation_date;
        computed String: custom_key_store_id customer_master_key_spec deletion_date description;
        computed Bool: enabled multi_region;
        computed String: expiration_model key_manager key_spec key_state key_usage origin;
        computed Number: pending_deletion_window_in_days;
        computed String: valid_to;
    ],
    blocks: &[
        BlockSchema::list(
            "multi_region_configuration",
            attrs![
                computed String: multi_region_key_type;
            ],
        )
        .blocks(&[
            BlockSchema::list("primary_key", MULTI_REGION_KEY).computed(),
            BlockSchema::list("replica_keys", MULTI_REGION_KEY).computed(),
        ])
        .computed(),
        BlockSchema::list(
            "xks_key_configuration",
            attrs![
                computed String: id;
            ],
        )
        .computed(),
    ],
};

fn region_key(k: &MultiRegionKey) -> Value {
    Value::map([("arn", opt_str(k.arn())), ("region", opt_str(k.region()))])
}

fn key_data_state(config: &Value, m: &KeyMetadata) -> Value {
    let time = |t: Option<&aws_smithy_types::DateTime>| t.map_or(Value::Null, iso8601);
    let multi_region: Vec<Value> = m
        .multi_region_configuration()
        .map(|c| {
            Value::map([
                (
                    "multi_region_key_type",
                    opt_str(c.multi_region_key_type().map(|t| t.as_str())),
                ),
                (
                    "primary_key",
                    Value::List(c.primary_key().map(region_key).into_iter().collect()),
                ),
                (
                    "replica_keys",
                    Value::List(c.replica_keys().iter().map(region_key).collect()),
                ),
            ])
        })
        .into_iter()
        .collect();
    let xks: Vec<Value> = m
        .xks_key_configuration()
        .map(|x| Value::map([("id", opt_str(x.id()))]))
        .into_iter()
        .collect();
    state_object(
        &SCHEMA,
        [
            ("key_id", opt_str(get_str(config, "key_id"))),
            (
                "grant_tokens",
                config
                    .as_map()
                    .and_then(|c| c.get("grant_tokens"))
                    .cloned()
                    .unwrap_or(Value::Null),
            ),
            ("id", Value::string(m.key_id())),
            ("arn", opt_str(m.arn())),
            ("aws_account_id", opt_str(m.aws_account_id())),
            ("cloud_hsm_cluster_id", opt_str(m.cloud_hsm_cluster_id())),
            ("creation_date", time(m.creation_date())),
            ("custom_key_store_id", opt_str(m.custom_key_store_id())),
            // AWS reports the same value under its older name (deprecated in the SDK).
            (
                "customer_master_key_spec",
                opt_str(m.key_spec().map(|s| s.as_str())),
            ),
            ("deletion_date", time(m.deletion_date())),
            ("description", opt_str(m.description())),
            ("enabled", Value::Bool(m.enabled())),
            (
                "multi_region",
                Value::Bool(m.multi_region().unwrap_or(false)),
            ),
            (
                "expiration_model",
                opt_str(m.expiration_model().map(|e| e.as_str())),
            ),
            ("key_manager", opt_str(m.key_manager().map(|k| k.as_str()))),
            ("key_spec", opt_str(m.key_spec().map(|k| k.as_str()))),
            ("key_state", opt_str(m.key_state().map(|k| k.as_str()))),
            ("key_usage", opt_str(m.key_usage().map(|k| k.as_str()))),
            ("origin", opt_str(m.origin().map(|o| o.as_str()))),
            (
                "pending_deletion_window_in_days",
                m.pending_deletion_window_in_days()
                    .map_or(Value::Null, Value::number),
            ),
            ("valid_to", time(m.valid_to())),
            ("multi_region_configuration", Value::List(multi_region)),
            ("xks_key_configuration", Value::List(xks)),
        ],
    )
}

#[async_trait]
impl DataSource for KmsKeyData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let key_id = get_str(config, "key_id").unwrap_or_default();
        let grant_tokens = get_strings(config, "grant_tokens");
        let not_found = || {
            ApiError::new(
                ErrorKind::NotFound,
                "NotFoundException",
                format!("reading KMS Key ({key_id}): couldn't find resource"),
            )
        };
        let described = call(|| {
            clients
                .kms
                .describe_key()
                .key_id(key_id)
                .set_grant_tokens((!grant_tokens.is_empty()).then(|| grant_tokens.clone()))
                .send()
        })
        .await;
        let out = match described {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Err(not_found()),
            Err(e) => return Err(e),
        };
        let meta = out.key_metadata().ok_or_else(not_found)?;
        Ok(key_data_state(config, meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_kms::types::{KeyState, MultiRegionConfiguration, MultiRegionKeyType};

    #[test]
    fn a_key_pending_deletion_is_read_with_its_date_and_regions() {
        let meta = KeyMetadata::builder()
            .key_id("1234-ab")
            .arn("arn:aws:kms:eu-west-1:123456789012:key/1234-ab")
            .enabled(false)
            .key_state(KeyState::PendingDeletion)
            .deletion_date(aws_smithy_types::DateTime::from_secs(1_700_000_000))
            .pending_deletion_window_in_days(7)
            .multi_region(true)
            .multi_region_configuration(
                MultiRegionConfiguration::builder()
                    .multi_region_key_type(MultiRegionKeyType::Primary)
                    .primary_key(
                        MultiRegionKey::builder()
                            .arn("arn:aws:kms:eu-west-1:123456789012:key/1234-ab")
                            .region("eu-west-1")
                            .build(),
                    )
                    .build(),
            )
            .build()
            .unwrap();
        let config = SCHEMA.conformed([("key_id", Value::string("alias/app"))]);
        let s = key_data_state(&config, &meta);
        let m = s.as_map().unwrap();
        assert_eq!(m["id"], Value::string("1234-ab"));
        assert_eq!(m["key_id"], Value::string("alias/app"));
        assert_eq!(m["key_state"], Value::string("PendingDeletion"));
        assert_eq!(m["deletion_date"], Value::string("2023-11-14T22:13:20Z"));
        assert_eq!(m["pending_deletion_window_in_days"], Value::number(7));
        assert_eq!(m["enabled"], Value::Bool(false));
        let mr = &BlockSchema::items(&m["multi_region_configuration"])[0];
        assert_eq!(
            mr.as_map().unwrap()["multi_region_key_type"],
            Value::string("PRIMARY")
        );
        assert_eq!(
            BlockSchema::items(&mr.as_map().unwrap()["primary_key"])[0]
                .as_map()
                .unwrap()["region"],
            Value::string("eu-west-1")
        );
        assert_eq!(
            BlockSchema::items(&mr.as_map().unwrap()["replica_keys"]).len(),
            0
        );
        assert_eq!(m["xks_key_configuration"], Value::List(vec![]));
    }
}
