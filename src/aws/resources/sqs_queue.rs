//! `aws_sqs_queue`: an SQS queue. Its id is the queue URL, which is also its import ID.
//!
//! As in the AWS provider: `name`, `name_prefix` and `fifo_queue` force a new queue (a
//! generated name of a FIFO queue ends in `.fifo`); every other argument changes in place,
//! the attributes in one SetQueueAttributes call (an attribute removed from the configuration
//! is set to the empty string, SQS's "unset"), the tags with TagQueue/UntagQueue. CreateQueue
//! carries the attributes and the tags (ecsform's ownership tags among them), and is repeated
//! while SQS refuses a name deleted less than a minute ago (`QueueDeletedRecently`). SQS
//! applies attributes with a delay of up to a minute: create and update wait until
//! GetQueueAttributes reports what was sent, as the provider does. Delete waits until the
//! queue is gone. `policy` is compared in canonical policy form, `redrive_policy` and
//! `redrive_allow_policy` in canonical JSON. `kms_data_key_reuse_period_seconds` reads as
//! 300 where SQS reports none (the provider's backwards compatibility).
//!
//! An interrupted create is found again by the pinned name (GetQueueUrl), checked against
//! its `ecsform:lineage` tag. Refresh reads each queue with GetQueueAttributes (`All`) and
//! ListQueueTags: SQS has no call for several queues' attributes, so one call per queue is
//! the floor. moto serves every call the type makes.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::types::QueueAttributeName;

use super::{
    changed, expect_prefix, fifo_aware_name, prefix_of_unique_name, read_created, FIFO_SUFFIX,
};
use crate::aws::adopt::find_named;
use crate::aws::call::call;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::json_doc::{canonical_json, canonical_policy, normalize_attr};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError};
use crate::aws::{Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_number, get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct SqsQueueType;

static DECLARATION: Declaration = Declaration::new("aws_sqs_queue", &SCHEMA, Adoption::NameAndTags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn url;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional Bool: fifo_queue.force_new().default(Default::Bool(false))
            content_based_deduplication.default(Default::Bool(false));
        optional_computed String: deduplication_scope fifo_throughput_limit policy
            redrive_allow_policy redrive_policy;
        optional Number: delay_seconds.default(Default::Number(0.0))
            max_message_size.default(Default::Number(262_144.0))
            message_retention_seconds.default(Default::Number(345_600.0))
            receive_wait_time_seconds.default(Default::Number(0.0))
            visibility_timeout_seconds.default(Default::Number(30.0));
        optional_computed Number: kms_data_key_reuse_period_seconds;
        optional String: kms_master_key_id;
        optional_computed Bool: sqs_managed_sse_enabled;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// How an attribute is written in SQS's string map.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Flag,
    /// A policy document (canonical policy form).
    Policy,
    /// Another JSON document (canonical JSON).
    Json,
}

/// The queue attributes ecsform manages: argument, SQS name, kind.
const ATTRIBUTES: &[(&str, &str, Kind)] = &[
    (
        "content_based_deduplication",
        "ContentBasedDeduplication",
        Kind::Flag,
    ),
    ("deduplication_scope", "DeduplicationScope", Kind::Text),
    ("delay_seconds", "DelaySeconds", Kind::Number),
    ("fifo_throughput_limit", "FifoThroughputLimit", Kind::Text),
    (
        "kms_data_key_reuse_period_seconds",
        "KmsDataKeyReusePeriodSeconds",
        Kind::Number,
    ),
    ("kms_master_key_id", "KmsMasterKeyId", Kind::Text),
    ("max_message_size", "MaximumMessageSize", Kind::Number),
    (
        "message_retention_seconds",
        "MessageRetentionPeriod",
        Kind::Number,
    ),
    ("policy", "Policy", Kind::Policy),
    (
        "receive_wait_time_seconds",
        "ReceiveMessageWaitTimeSeconds",
        Kind::Number,
    ),
    ("redrive_allow_policy", "RedriveAllowPolicy", Kind::Json),
    ("redrive_policy", "RedrivePolicy", Kind::Json),
    (
        "sqs_managed_sse_enabled",
        "SqsManagedSseEnabled",
        Kind::Flag,
    ),
    (
        "visibility_timeout_seconds",
        "VisibilityTimeout",
        Kind::Number,
    ),
];

/// How long SQS may take to show attributes it was sent, and to forget a deleted queue.
const PROPAGATION_LIMIT: Duration = Duration::from_secs(2 * 60);

/// The kms_data_key_reuse_period_seconds the provider records where SQS reports none.
const DEFAULT_KMS_REUSE: f64 = 300.0;

/// The queue's name: the last segment of its URL.
fn name_of_url(url: &str) -> &str {
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// The value of argument `name` of `planned` as SQS writes it (`None` where it is unset).
fn sqs_value(planned: &Value, name: &str, kind: Kind) -> Option<String> {
    match kind {
        Kind::Number => get_number(planned, name).map(|n| format!("{}", n as i64)),
        Kind::Flag => get_bool(planned, name).map(|b| b.to_string()),
        _ => get_str(planned, name).map(String::from),
    }
}

/// The attributes of CreateQueue: every one the configuration sets, as the provider sends
/// them (no `false` flags but a configured `sqs_managed_sse_enabled`; `FifoQueue` for FIFO
/// queues only, since SQS refuses it on standard queues).
fn create_attributes(planned: &Value) -> HashMap<QueueAttributeName, String> {
    let mut out = HashMap::new();
    for (attr, sqs, kind) in ATTRIBUTES {
        let Some(v) = sqs_value(planned, attr, *kind) else {
            continue;
        };
        if *kind == Kind::Flag && v == "false" && *attr != "sqs_managed_sse_enabled" {
            continue;
        }
        out.insert(QueueAttributeName::from(*sqs), v);
    }
    if get_bool(planned, "fifo_queue") == Some(true) {
        out.insert(QueueAttributeName::FifoQueue, "true".into());
    }
    out
}

/// The attributes of SetQueueAttributes: those that change, a removed one as `""`.
fn update_attributes(prior: &Value, planned: &Value) -> HashMap<QueueAttributeName, String> {
    ATTRIBUTES
        .iter()
        .filter(|(attr, _, _)| changed(prior, planned, attr))
        .filter(|(attr, _, _)| {
            planned
                .as_map()
                .is_some_and(|m| m.get(*attr).is_some_and(Value::is_wholly_known))
        })
        .map(|(attr, sqs, kind)| {
            let v = sqs_value(planned, attr, *kind).unwrap_or_default();
            (QueueAttributeName::from(*sqs), v)
        })
        .collect()
}

/// Whether SQS's attributes `held` show every one of `sent`.
fn propagated(
    sent: &HashMap<QueueAttributeName, String>,
    held: &HashMap<QueueAttributeName, String>,
) -> bool {
    sent.iter().all(|(k, v)| {
        let got = held.get(k).map(String::as_str).unwrap_or_default();
        match k {
            QueueAttributeName::Policy => canonical_policy(got) == canonical_policy(v),
            QueueAttributeName::RedrivePolicy | QueueAttributeName::RedriveAllowPolicy => {
                canonical_json(got) == canonical_json(v)
            }
            _ => got.eq_ignore_ascii_case(v),
        }
    })
}

fn queue_state(
    url: &str,
    attrs: &HashMap<QueueAttributeName, String>,
    tags: &HashMap<String, String>,
) -> Value {
    let get = |k: QueueAttributeName| attrs.get(&k).map(String::as_str).filter(|v| !v.is_empty());
    let number = |k| {
        get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(Value::Null, Value::Number)
    };
    let flag = |k| Value::Bool(get(k).is_some_and(|v| v.eq_ignore_ascii_case("true")));
    let fifo = get(QueueAttributeName::FifoQueue).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let fifo_only = |k| if fifo { opt_str(get(k)) } else { Value::Null };
    let name = name_of_url(url);
    let [tags, tags_all] = read_tags(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    let reuse = match number(QueueAttributeName::KmsDataKeyReusePeriodSeconds) {
        Value::Number(n) if n != 0.0 => Value::Number(n),
        _ => Value::Number(DEFAULT_KMS_REUSE),
    };
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(url)),
            ("url", Value::string(url)),
            ("arn", opt_str(get(QueueAttributeName::QueueArn))),
            ("name", Value::string(name)),
            (
                "name_prefix",
                opt_str(prefix_of_unique_name(name.trim_end_matches(FIFO_SUFFIX))),
            ),
            ("fifo_queue", Value::Bool(fifo)),
            (
                "content_based_deduplication",
                flag(QueueAttributeName::ContentBasedDeduplication),
            ),
            (
                "deduplication_scope",
                fifo_only(QueueAttributeName::DeduplicationScope),
            ),
            (
                "fifo_throughput_limit",
                fifo_only(QueueAttributeName::FifoThroughputLimit),
            ),
            ("delay_seconds", number(QueueAttributeName::DelaySeconds)),
            ("kms_data_key_reuse_period_seconds", reuse),
            (
                "kms_master_key_id",
                opt_str(get(QueueAttributeName::KmsMasterKeyId)),
            ),
            (
                "max_message_size",
                number(QueueAttributeName::MaximumMessageSize),
            ),
            (
                "message_retention_seconds",
                number(QueueAttributeName::MessageRetentionPeriod),
            ),
            (
                "policy",
                opt_str(get(QueueAttributeName::Policy).map(canonical_policy)),
            ),
            (
                "receive_wait_time_seconds",
                number(QueueAttributeName::ReceiveMessageWaitTimeSeconds),
            ),
            (
                "redrive_allow_policy",
                opt_str(get(QueueAttributeName::RedriveAllowPolicy).map(canonical_json)),
            ),
            (
                "redrive_policy",
                opt_str(get(QueueAttributeName::RedrivePolicy).map(canonical_json)),
            ),
            (
                "sqs_managed_sse_enabled",
                flag(QueueAttributeName::SqsManagedSseEnabled),
            ),
            (
                "visibility_timeout_seconds",
                number(QueueAttributeName::VisibilityTimeout),
            ),
            tags,
            tags_all,
        ],
    )
}

async fn attributes_of(
    clients: &AwsClients,
    url: &str,
) -> Result<HashMap<QueueAttributeName, String>> {
    let out = clients
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(out.attributes().cloned().unwrap_or_default())
}

async fn tags_of(clients: &AwsClients, url: &str) -> Result<HashMap<String, String>> {
    let out = clients
        .sqs
        .list_queue_tags()
        .queue_url(url)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(out.tags().cloned().unwrap_or_default())
}

async fn get_queue(clients: AwsClients, url: String) -> Result<Option<Value>> {
    let attrs = attributes_of(&clients, &url).await?;
    let tags = tags_of(&clients, &url).await?;
    Ok(Some(queue_state(&url, &attrs, &tags)))
}

/// Waits until SQS shows the attributes `sent` to queue `url`.
async fn wait_propagated(
    clients: &AwsClients,
    url: &str,
    sent: &HashMap<QueueAttributeName, String>,
) -> Result<()> {
    if sent.is_empty() {
        return Ok(());
    }
    wait_until(
        &format!("the attributes of SQS queue {url} to apply"),
        Duration::from_secs(5),
        PROPAGATION_LIMIT,
        || async {
            let held = attributes_of(clients, url).await?;
            Ok(propagated(sent, &held).then_some(()))
        },
    )
    .await
}

fn to_sqs_tags(tags: &BTreeMap<String, String>) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[async_trait]
impl ResourceType for SqsQueueType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn pin_generated(&self, planned: Value) -> Value {
        super::pin_fifo_aware_name(planned, "fifo_queue")
    }

    /// The queue with the pinned name, judged by its tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let url = call(|| clients.sqs.get_queue_url().queue_name(name).send())
            .await
            .found()?
            .and_then(|o| o.queue_url().map(String::from));
        let Some(url) = url else {
            return Ok(Vec::new());
        };
        find_named(self, clients, owner, &url, || async {
            let tags = tags_of(clients, &url).await?;
            Ok(Some(tags.into_iter().collect()))
        })
        .await
    }

    fn import_id_format(&self) -> &'static str {
        "the queue URL"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "http", "a queue URL")
    }

    fn normalize(&self, value: Value) -> Value {
        let value = normalize_attr(value, "policy", canonical_policy);
        let value = normalize_attr(value, "redrive_policy", canonical_json);
        normalize_attr(value, "redrive_allow_policy", canonical_json)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_queue).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = fifo_aware_name(planned, "fifo_queue");
        let attrs = create_attributes(planned);
        let tags = to_sqs_tags(&creation_tags(planned, ctx.extra_tags));
        let out = super::retry_while(
            &format!("SQS to accept the name {name} again (QueueDeletedRecently)"),
            PROPAGATION_LIMIT,
            |e| e.code.contains("QueueDeletedRecently"),
            || async {
                call(|| {
                    clients
                        .sqs
                        .create_queue()
                        .queue_name(&name)
                        .set_attributes(Some(attrs.clone()))
                        .set_tags(Some(tags.clone()))
                        .send()
                })
                .await
            },
        )
        .await?;
        let url = out
            .queue_url()
            .ok_or_else(|| ApiError::malformed("CreateQueue returned no queue URL"))?
            .to_string();
        wait_propagated(clients, &url, &attrs).await?;
        read_created(self, clients, &url).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let url = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let attrs = update_attributes(prior, planned);
        if !attrs.is_empty() {
            call(|| {
                clients
                    .sqs
                    .set_queue_attributes()
                    .queue_url(url)
                    .set_attributes(Some(attrs.clone()))
                    .send()
            })
            .await?;
            wait_propagated(clients, url, &attrs).await?;
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.sqs,
            untag_queue,
            tag_queue,
            queue_url(url),
            to_sqs_tags
        )
        .await?;
        read_created(self, clients, url).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let url = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let deleted = call(|| ctx.clients.sqs.delete_queue().queue_url(url).send()).await;
        if deleted.found()?.is_none() {
            return Ok(());
        }
        super::wait_gone(self, ctx.clients, "SQS queue", url, PROPAGATION_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_fifo_names_end_in_fifo_and_keep_their_prefix() {
        let planned = SCHEMA.conformed([
            ("name_prefix", Value::string("jobs-")),
            ("fifo_queue", Value::Bool(true)),
        ]);
        let name = fifo_aware_name(&planned, "fifo_queue");
        assert!(
            name.starts_with("jobs-") && name.ends_with(".fifo"),
            "{name}"
        );
        let url = format!("https://sqs.eu-west-1.amazonaws.com/1/{name}");
        let attrs = HashMap::from([
            (QueueAttributeName::FifoQueue, "true".to_string()),
            (QueueAttributeName::DeduplicationScope, "queue".to_string()),
        ]);
        let state = queue_state(&url, &attrs, &HashMap::new());
        let m = state.as_map().unwrap();
        assert_eq!(m["name"], Value::string(&name));
        assert_eq!(m["name_prefix"], Value::string("jobs-"));
        assert_eq!(m["deduplication_scope"], Value::string("queue"));
        assert_eq!(m["kms_data_key_reuse_period_seconds"], Value::Number(300.0));
    }

    #[test]
    fn create_sends_what_is_set_and_fifo_only_for_fifo_queues() {
        let planned = SCHEMA.conformed([
            ("name", Value::string("jobs")),
            ("visibility_timeout_seconds", Value::Number(60.0)),
        ]);
        let attrs = create_attributes(&planned);
        assert_eq!(attrs[&QueueAttributeName::VisibilityTimeout], "60");
        assert_eq!(attrs[&QueueAttributeName::DelaySeconds], "0");
        assert!(!attrs.contains_key(&QueueAttributeName::FifoQueue));
        assert!(!attrs.contains_key(&QueueAttributeName::ContentBasedDeduplication));
        assert!(!attrs.contains_key(&QueueAttributeName::Policy));
    }

    #[test]
    fn a_removed_attribute_is_set_to_the_empty_string() {
        let prior = SCHEMA.conformed([
            ("name", Value::string("jobs")),
            ("kms_master_key_id", Value::string("alias/jobs")),
        ]);
        let planned = SCHEMA.conformed([("name", Value::string("jobs"))]);
        let attrs = update_attributes(&prior, &planned);
        assert_eq!(attrs.len(), 1, "{attrs:?}");
        assert_eq!(attrs[&QueueAttributeName::KmsMasterKeyId], "");
    }

    #[test]
    fn names_come_from_urls() {
        assert_eq!(
            name_of_url("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"),
            "jobs"
        );
    }
}
