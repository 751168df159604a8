//! `aws_s3_bucket_lifecycle_configuration`: the lifecycle rules of an S3 bucket (when objects
//! expire or move to another storage class; how long old versions and unfinished uploads are
//! kept). Its id is the bucket name.
//!
//! The `rule` blocks and `transition_default_minimum_object_size` change in place
//! (PutBucketLifecycleConfiguration sets the whole configuration); a changed `bucket`
//! replaces it; delete is DeleteBucketLifecycle. Each rule has the provider's blocks
//! (`filter` with `and` and `tag`, `expiration`, `transition`, `noncurrent_version_expiration`,
//! `noncurrent_version_transition`, `abort_incomplete_multipart_upload`); what the
//! configuration leaves unset of the provider's optional+computed settings keeps what AWS
//! reports. Dates are RFC 3339 (`2026-01-01T00:00:00Z`), as in the provider.
//! `expected_bucket_owner` is not supported yet. Refresh reads each configuration with
//! GetBucketLifecycleConfiguration, one call per bucket (the floor). moto serves every call
//! the type makes.

use async_trait::async_trait;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleAndOperator, LifecycleRuleFilter,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, Tag, Transition,
    TransitionDefaultMinimumObjectSize, TransitionStorageClass,
};
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;

use crate::aws::call::call;
use crate::aws::error::{ApiError, Result};
use crate::aws::iam::iso8601;
use crate::aws::s3::{built, BucketPart};
use crate::aws::{Adoption, AwsClients, Declaration};
use crate::lang::Value;
use crate::provider::values::{
    get_block, get_blocks, get_bool, get_number, get_str, get_string_map, opt_bool, opt_number,
    opt_str, string_map,
};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

#[derive(Default)]
pub struct S3BucketLifecycleConfigurationType;

static DECLARATION: Declaration = Declaration::new(
    "aws_s3_bucket_lifecycle_configuration",
    &SCHEMA,
    Adoption::Arguments,
);

static ABORT: &[AttrSchema] = attrs![optional Number: days_after_initiation;];

static EXPIRATION: &[AttrSchema] = attrs![
    optional String: date;
    optional_computed Number: days;
    optional_computed Bool: expired_object_delete_marker;
];

static AND: &[AttrSchema] = attrs![
    optional_computed Number: object_size_greater_than object_size_less_than;
    optional_computed String: prefix;
    optional StringMap: tags;
];

static TAG: &[AttrSchema] = attrs![required String: key value;];

static FILTER: &[AttrSchema] = attrs![
    optional_computed Number: object_size_greater_than object_size_less_than;
    optional_computed String: prefix;
];

static FILTER_BLOCKS: &[BlockSchema] = &[
    BlockSchema::list("and", AND).max_items(1),
    BlockSchema::list("tag", TAG).max_items(1),
];

static NONCURRENT_EXPIRATION: &[AttrSchema] = attrs![
    optional_computed Number: newer_noncurrent_versions;
    required Number: noncurrent_days;
];

static NONCURRENT_TRANSITION: &[AttrSchema] = attrs![
    optional_computed Number: newer_noncurrent_versions;
    required Number: noncurrent_days;
    required String: storage_class;
];

static TRANSITION: &[AttrSchema] = attrs![
    optional String: date;
    optional_computed Number: days;
    required String: storage_class;
];

static RULE: &[AttrSchema] = attrs![
    required String: id status;
    optional_computed String: prefix;
];

static RULE_BLOCKS: &[BlockSchema] = &[
    BlockSchema::list("abort_incomplete_multipart_upload", ABORT).max_items(1),
    BlockSchema::list("expiration", EXPIRATION).max_items(1),
    BlockSchema::list("filter", FILTER)
        .blocks(FILTER_BLOCKS)
        .max_items(1),
    BlockSchema::list("noncurrent_version_expiration", NONCURRENT_EXPIRATION).max_items(1),
    BlockSchema::set("noncurrent_version_transition", NONCURRENT_TRANSITION),
    BlockSchema::set("transition", TRANSITION),
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: bucket.force_new();
        optional_computed String: transition_default_minimum_object_size;
    ],
    blocks: &[BlockSchema::list("rule", RULE)
        .blocks(RULE_BLOCKS)
        .min_items(1)],
};

fn one(v: Option<Value>) -> Value {
    Value::List(v.into_iter().collect())
}

fn opt_date(d: Option<&DateTime>) -> Value {
    d.map_or(Value::Null, iso8601)
}

fn tags_value(tags: &[Tag]) -> Value {
    string_map(
        &tags
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect(),
    )
}

fn filter_value(f: &LifecycleRuleFilter) -> Value {
    let and = f.and().map(|a| {
        Value::map([
            (
                "object_size_greater_than",
                opt_number(a.object_size_greater_than().map(|n| n as f64)),
            ),
            (
                "object_size_less_than",
                opt_number(a.object_size_less_than().map(|n| n as f64)),
            ),
            ("prefix", opt_str(a.prefix())),
            (
                "tags",
                if a.tags().is_empty() {
                    Value::Null
                } else {
                    tags_value(a.tags())
                },
            ),
        ])
    });
    let tag = f.tag().map(|t| {
        Value::map([
            ("key", Value::string(t.key())),
            ("value", Value::string(t.value())),
        ])
    });
    Value::map([
        (
            "object_size_greater_than",
            opt_number(f.object_size_greater_than().map(|n| n as f64)),
        ),
        (
            "object_size_less_than",
            opt_number(f.object_size_less_than().map(|n| n as f64)),
        ),
        ("prefix", opt_str(f.prefix())),
        ("and", one(and)),
        ("tag", one(tag)),
    ])
}

// The rule-level `prefix` is deprecated in the API as in the provider, which still has it.
#[allow(deprecated)]
fn rule_value(r: &LifecycleRule) -> Value {
    let abort = r.abort_incomplete_multipart_upload().map(|a| {
        Value::map([(
            "days_after_initiation",
            opt_number(a.days_after_initiation()),
        )])
    });
    let expiration = r.expiration().map(|e| {
        Value::map([
            ("date", opt_date(e.date())),
            ("days", opt_number(e.days())),
            (
                "expired_object_delete_marker",
                opt_bool(e.expired_object_delete_marker()),
            ),
        ])
    });
    let noncurrent_expiration = r.noncurrent_version_expiration().map(|e| {
        Value::map([
            (
                "newer_noncurrent_versions",
                opt_number(e.newer_noncurrent_versions()),
            ),
            ("noncurrent_days", opt_number(e.noncurrent_days())),
        ])
    });
    let noncurrent_transitions = r
        .noncurrent_version_transitions()
        .iter()
        .map(|t| {
            Value::map([
                (
                    "newer_noncurrent_versions",
                    opt_number(t.newer_noncurrent_versions()),
                ),
                ("noncurrent_days", opt_number(t.noncurrent_days())),
                (
                    "storage_class",
                    opt_str(t.storage_class().map(|c| c.as_str())),
                ),
            ])
        })
        .collect();
    let transitions = r
        .transitions()
        .iter()
        .map(|t| {
            Value::map([
                ("date", opt_date(t.date())),
                ("days", opt_number(t.days())),
                (
                    "storage_class",
                    opt_str(t.storage_class().map(|c| c.as_str())),
                ),
            ])
        })
        .collect();
    Value::map([
        ("id", opt_str(r.id())),
        ("status", Value::string(r.status().as_str())),
        ("prefix", opt_str(r.prefix())),
        ("abort_incomplete_multipart_upload", one(abort)),
        ("expiration", one(expiration)),
        ("filter", one(r.filter().map(filter_value))),
        ("noncurrent_version_expiration", one(noncurrent_expiration)),
        (
            "noncurrent_version_transition",
            Value::set(noncurrent_transitions),
        ),
        ("transition", Value::set(transitions)),
    ])
}

fn int(v: &Value, name: &str) -> Option<i32> {
    get_number(v, name).map(|n| n as i32)
}

fn long(v: &Value, name: &str) -> Option<i64> {
    get_number(v, name).map(|n| n as i64)
}

fn date(v: &Value) -> Result<Option<DateTime>> {
    get_str(v, "date")
        .map(|d| {
            DateTime::from_str(d, Format::DateTime)
                .map_err(|e| ApiError::malformed(format!("date {d:?} is not RFC 3339: {e}")))
        })
        .transpose()
}

fn tag_request(key: &str, value: &str) -> Result<Tag> {
    built(Tag::builder().key(key).value(value).build())
}

fn filter_request(f: &Value) -> Result<LifecycleRuleFilter> {
    let and = get_block(f, "and")
        .map(|a| -> Result<LifecycleRuleAndOperator> {
            let tags = get_string_map(a, "tags")
                .iter()
                .map(|(k, v)| tag_request(k, v))
                .collect::<Result<Vec<_>>>()?;
            Ok(LifecycleRuleAndOperator::builder()
                .set_prefix(get_str(a, "prefix").map(String::from))
                .set_tags((!tags.is_empty()).then_some(tags))
                .set_object_size_greater_than(long(a, "object_size_greater_than"))
                .set_object_size_less_than(long(a, "object_size_less_than"))
                .build())
        })
        .transpose()?;
    let tag = get_block(f, "tag")
        .map(|t| {
            tag_request(
                get_str(t, "key").unwrap_or_default(),
                get_str(t, "value").unwrap_or_default(),
            )
        })
        .transpose()?;
    Ok(LifecycleRuleFilter::builder()
        .set_prefix(get_str(f, "prefix").map(String::from))
        .set_object_size_greater_than(long(f, "object_size_greater_than"))
        .set_object_size_less_than(long(f, "object_size_less_than"))
        .set_and(and)
        .set_tag(tag)
        .build())
}

// The rule-level `prefix`: see `rule_value`.
#[allow(deprecated)]
fn rule_request(r: &Value) -> Result<LifecycleRule> {
    let abort = get_block(r, "abort_incomplete_multipart_upload").map(|a| {
        AbortIncompleteMultipartUpload::builder()
            .set_days_after_initiation(int(a, "days_after_initiation"))
            .build()
    });
    let expiration = get_block(r, "expiration")
        .map(|e| -> Result<LifecycleExpiration> {
            Ok(LifecycleExpiration::builder()
                .set_date(date(e)?)
                .set_days(int(e, "days"))
                .set_expired_object_delete_marker(get_bool(e, "expired_object_delete_marker"))
                .build())
        })
        .transpose()?;
    let noncurrent_expiration = get_block(r, "noncurrent_version_expiration").map(|e| {
        NoncurrentVersionExpiration::builder()
            .set_noncurrent_days(int(e, "noncurrent_days"))
            .set_newer_noncurrent_versions(int(e, "newer_noncurrent_versions"))
            .build()
    });
    let noncurrent_transitions = get_blocks(r, "noncurrent_version_transition")
        .iter()
        .map(|t| {
            NoncurrentVersionTransition::builder()
                .set_noncurrent_days(int(t, "noncurrent_days"))
                .set_newer_noncurrent_versions(int(t, "newer_noncurrent_versions"))
                .set_storage_class(get_str(t, "storage_class").map(TransitionStorageClass::from))
                .build()
        })
        .collect::<Vec<_>>();
    let transitions = get_blocks(r, "transition")
        .iter()
        .map(|t| -> Result<Transition> {
            Ok(Transition::builder()
                .set_date(date(t)?)
                .set_days(int(t, "days"))
                .set_storage_class(get_str(t, "storage_class").map(TransitionStorageClass::from))
                .build())
        })
        .collect::<Result<Vec<_>>>()?;
    let filter = get_block(r, "filter").map(filter_request).transpose()?;
    built(
        LifecycleRule::builder()
            .set_id(get_str(r, "id").map(String::from))
            .status(ExpirationStatus::from(
                get_str(r, "status").unwrap_or_default(),
            ))
            .set_prefix(get_str(r, "prefix").map(String::from))
            .set_filter(filter)
            .set_expiration(expiration)
            .set_abort_incomplete_multipart_upload(abort)
            .set_noncurrent_version_expiration(noncurrent_expiration)
            .set_noncurrent_version_transitions(
                (!noncurrent_transitions.is_empty()).then_some(noncurrent_transitions),
            )
            .set_transitions((!transitions.is_empty()).then_some(transitions))
            .build(),
    )
}

/// The request's configuration for `planned`.
fn configuration_request(planned: &Value) -> Result<BucketLifecycleConfiguration> {
    let rules = get_blocks(planned, "rule")
        .iter()
        .map(rule_request)
        .collect::<Result<Vec<_>>>()?;
    built(
        BucketLifecycleConfiguration::builder()
            .set_rules(Some(rules))
            .build(),
    )
}

#[async_trait]
impl BucketPart for S3BucketLifecycleConfigurationType {
    fn part_declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn get(&self, clients: &AwsClients, bucket: &str) -> Result<Vec<(&'static str, Value)>> {
        let out = call(|| {
            clients
                .s3
                .get_bucket_lifecycle_configuration()
                .bucket(bucket)
                .send()
        })
        .await?;
        let rules = out.rules().iter().map(rule_value).collect();
        Ok(vec![
            ("rule", Value::List(rules)),
            (
                "transition_default_minimum_object_size",
                opt_str(
                    out.transition_default_minimum_object_size()
                        .map(|s| s.as_str()),
                ),
            ),
        ])
    }

    async fn put(&self, clients: &AwsClients, bucket: &str, planned: &Value) -> Result<()> {
        let configuration = configuration_request(planned)?;
        let minimum = get_str(planned, "transition_default_minimum_object_size")
            .map(TransitionDefaultMinimumObjectSize::from);
        call(|| {
            clients
                .s3
                .put_bucket_lifecycle_configuration()
                .bucket(bucket)
                .lifecycle_configuration(configuration.clone())
                .set_transition_default_minimum_object_size(minimum.clone())
                .send()
        })
        .await
        .map(|_| ())
    }

    async fn remove(&self, clients: &AwsClients, bucket: &str, _prior: &Value) -> Result<()> {
        call(|| clients.s3.delete_bucket_lifecycle().bucket(bucket).send())
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Value {
        let one = |pairs: Vec<(&str, Value)>| Value::List(vec![Value::map(pairs)]);
        Value::map([
            ("id", Value::string("logs")),
            ("status", Value::string("Enabled")),
            (
                "filter",
                one(vec![(
                    "and",
                    one(vec![
                        ("prefix", Value::string("alb/")),
                        ("tags", Value::map([("class", Value::string("logs"))])),
                    ]),
                )]),
            ),
            (
                "expiration",
                one(vec![("date", Value::string("2027-01-01T00:00:00Z"))]),
            ),
            (
                "transition",
                Value::set(vec![Value::map([
                    ("days", Value::number(30)),
                    ("storage_class", Value::string("STANDARD_IA")),
                ])]),
            ),
        ])
    }

    /// What moto cannot show: the request carries the `and` operator's tags and the date,
    /// and a rule read back from that request is the rule configured.
    #[test]
    fn a_rule_round_trips_through_the_request_shape() {
        let request = rule_request(&rule()).unwrap();
        let and = request.filter().unwrap().and().unwrap();
        assert_eq!(and.prefix(), Some("alb/"));
        assert_eq!(and.tags()[0].key(), "class");
        assert_eq!(
            request.expiration().unwrap().date().unwrap().secs(),
            1_798_761_600
        );
        assert_eq!(
            request.transitions()[0].storage_class(),
            Some(&TransitionStorageClass::StandardIa)
        );
        let read = rule_value(&request);
        let m = read.as_map().unwrap();
        assert_eq!(
            m["expiration"].as_list().unwrap()[0].as_map().unwrap()["date"],
            Value::string("2027-01-01T00:00:00Z")
        );
        let and = &m["filter"].as_list().unwrap()[0].as_map().unwrap()["and"];
        assert_eq!(
            and.as_list().unwrap()[0].as_map().unwrap()["tags"],
            Value::map([("class", Value::string("logs"))])
        );
    }

    #[test]
    fn a_date_that_is_not_rfc_3339_is_refused_before_any_call() {
        let e = Value::map([("date", Value::string("2027-01-01"))]);
        assert!(date(&e).unwrap_err().message.contains("RFC 3339"));
    }
}
