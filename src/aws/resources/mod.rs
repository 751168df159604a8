//! AWS resource types, one file each, each implementing `aws::ResourceType`, and the few
//! helpers they share: batched Describe calls with a fallback for ids that are gone, reading
//! back an object that is not yet visible, retrying while AWS settles, EC2 ARNs, generated
//! unique names.

pub mod acm_certificate;
pub mod acm_certificate_validation;
pub mod appautoscaling_policy;
pub mod appautoscaling_scheduled_action;
pub mod appautoscaling_target;
pub mod autoscaling_attachment;
pub mod autoscaling_group;
pub mod autoscaling_lifecycle_hook;
pub mod autoscaling_policy;
pub mod autoscaling_schedule;
pub mod cloudwatch_event_rule;
pub mod cloudwatch_event_target;
pub mod cloudwatch_log_group;
pub mod cloudwatch_metric_alarm;
pub mod default_network_acl;
pub mod default_route_table;
pub mod default_security_group;
pub mod default_subnet;
pub mod default_vpc;
pub mod ecr_lifecycle_policy;
pub mod ecr_repository;
pub mod ecs_capacity_provider;
pub mod ecs_cluster;
pub mod ecs_cluster_capacity_providers;
pub mod ecs_container_definitions;
pub mod ecs_service;
pub mod ecs_task_definition;
pub mod efs_access_point;
pub mod efs_file_system;
pub mod efs_mount_target;
pub mod eip;
pub mod flow_log;
pub mod iam_access_key;
pub mod iam_inline_policy;
pub mod iam_instance_profile;
pub mod iam_policy;
pub mod iam_policy_attachment;
pub mod iam_role;
pub mod iam_role_policy_attachment;
pub mod iam_service_linked_role;
pub mod iam_user;
pub mod instance;
pub mod internet_gateway;
pub mod key_pair;
pub mod kms_alias;
pub mod kms_key;
pub mod lambda_function;
pub mod lambda_permission;
pub mod launch_configuration;
pub mod launch_template;
pub mod lb;
pub mod lb_actions;
pub mod lb_listener;
pub mod lb_listener_certificate;
pub mod lb_listener_rule;
pub mod lb_target_group;
pub mod lb_target_group_attachment;
pub mod main_route_table_association;
pub mod nat_gateway;
pub mod network_acl;
pub mod network_acl_rule;
pub mod route;
pub mod route53_record;
pub mod route53_zone;
pub mod route_table;
pub mod route_table_association;
pub mod s3_bucket;
pub mod s3_bucket_lifecycle_configuration;
pub mod s3_bucket_ownership_controls;
pub mod s3_bucket_policy;
pub mod s3_bucket_public_access_block;
pub mod s3_bucket_server_side_encryption_configuration;
pub mod s3_bucket_versioning;
pub mod scaling_blocks;
pub mod secretsmanager_secret;
pub mod secretsmanager_secret_version;
pub mod security_group;
pub mod security_group_rule;
pub mod service_discovery_private_dns_namespace;
pub mod service_discovery_service;
pub mod sg_permissions;
pub mod sns_topic;
pub mod sns_topic_policy;
pub mod sns_topic_subscription;
pub mod sqs_queue;
pub mod ssm_parameter;
pub mod subnet;
pub mod vpc;
pub mod vpc_endpoint;
pub mod vpc_security_group_egress_rule;
pub mod vpc_security_group_ingress_rule;
pub mod vpc_sg_rule;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

use super::error::{from_sdk, retry, wait_until, ApiError, ErrorKind, OrGone, RetryPolicy};
use super::AwsClients;
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::resource_type::States;
use crate::aws::{ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::values::get_str;

/// How long an id created a moment ago may stay invisible to other calls.
pub const VISIBILITY_LIMIT: Duration = Duration::from_secs(2 * 60);

/// How many ids (or filter values) one Describe request carries; AWS caps filter values at 200.
pub const DESCRIBE_CHUNK: usize = 200;

/// Describes `ids` with one call per `chunk` ids (`by_ids`; EC2 takes [`DESCRIBE_CHUNK`], ELB
/// [`DESCRIBE_TAGS_CHUNK`](crate::aws::elbv2_tags::DESCRIBE_TAGS_CHUNK)). AWS fails a whole
/// by-id request when one id no longer exists, so on a NotFound the chunk is described again
/// another way (`fallback`: a filter on the id, or the full listing filtered), which simply
/// leaves missing ids out. Both are sent with the default retry policy.
pub async fn describe_batched<T, F1, Fut1, F2, Fut2>(
    ids: &[String],
    chunk: usize,
    by_ids: F1,
    fallback: F2,
) -> Result<Vec<T>>
where
    F1: Fn(Vec<String>) -> Fut1,
    Fut1: Future<Output = Result<Vec<T>>>,
    F2: Fn(Vec<String>) -> Fut2,
    Fut2: Future<Output = Result<Vec<T>>>,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(chunk) {
        let chunk = chunk.to_vec();
        let found = match retry(RetryPolicy::default(), || by_ids(chunk.clone())).await {
            Err(e) if e.is_not_found() => {
                retry(RetryPolicy::default(), || fallback(chunk.clone())).await?
            }
            other => other?,
        };
        out.extend(found);
    }
    Ok(out)
}

/// Reads back an object just created, retrying while it is not visible yet (EC2's Describe
/// calls are eventually consistent).
pub async fn read_created(rt: &dyn ResourceType, clients: &AwsClients, id: &str) -> Result<Value> {
    let ids = [id.to_string()];
    wait_until(
        &format!("{} {id} to become visible", rt.type_name()),
        Duration::from_secs(1),
        Duration::from_secs(60),
        || async {
            match rt.read_many(clients, &ids).await {
                Ok(mut found) => Ok(found.remove(id)),
                // Describe calls by id can say "not found" for a moment after a create.
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        },
    )
    .await
}

/// Waits until `id` no longer shows up in `rt.read_many` after its deletion (Describe calls
/// can show a deleted object for a while), for up to `limit`. `what` names it in messages.
pub async fn wait_gone(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    what: &str,
    id: &str,
    limit: Duration,
) -> Result<()> {
    let ids = [id.to_string()];
    wait_until(
        &format!("{what} {id} to disappear"),
        Duration::from_secs(2),
        limit,
        || async { Ok(rt.read_many(clients, &ids).await?.is_empty().then_some(())) },
    )
    .await
}

/// Deletes an EC2 object with the Delete call `request` builds, repeated while AWS refuses it
/// with DependencyViolation (what depends on the object is still being released) for up to
/// `dependency_limit`, then waits up to `settle_limit` until `rt.read_many` no longer shows
/// it. An object that is gone already counts as deleted. `what` names it in messages.
pub async fn delete_ec2<T, E, R, F, Fut>(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    (what, id): (&str, &str),
    (dependency_limit, settle_limit): (Duration, Duration),
    request: F,
) -> Result<()>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let deleted = retry_while(
        &format!("{what} {id} to be deleted (DependencyViolation)"),
        dependency_limit,
        ApiError::is_dependency_violation,
        || async { request().await.map_err(from_sdk) },
    )
    .await;
    if deleted.found()?.is_none() {
        return Ok(());
    }
    wait_gone(rt, clients, what, id, settle_limit).await
}

/// The id `state` records, or the error for a state of `rt` without one.
pub(crate) fn recorded_id(rt: &dyn ResourceType, state: &Value) -> Result<String> {
    get_str(state, "id")
        .map(String::from)
        .ok_or_else(|| ApiError::malformed(format!("{} state has no id", rt.type_name())))
}

/// Repeats `call` (whose throttling the SDK retries) while it fails with an error `settling`
/// accepts — an id another API cannot see yet, a dependency still being released — for up to
/// `limit`. `what` names the operation in the timeout message.
pub async fn retry_while<T, F, Fut>(
    what: &str,
    limit: Duration,
    settling: impl Fn(&ApiError) -> bool,
    call: F,
) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let attempt = || retry(RetryPolicy::default(), &call);
    // A timeout is better explained by the error AWS kept returning.
    let explain = |mut last: ApiError, timeout: ApiError| {
        last.message = format!("{} ({})", last.message, timeout.message);
        last
    };
    repeat_while(what, limit, settling, attempt, explain).await
}

/// Sends a create call, repeating it only while AWS rejected it outright because an id it
/// refers to (a VPC or route table created a moment ago) is not visible yet. Throttling was
/// retried by the SDK already; transient errors that outlast the SDK's retries are not
/// retried here, since the first request may have created the object after all: the
/// `ecsform:address` tag lets the engine adopt such an object instead.
pub async fn create_call<T, F, Fut>(what: &str, call: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let not_found = ApiError::is_not_found;
    repeat_while(what, VISIBILITY_LIMIT, not_found, call, |last, _| last).await
}

/// Makes `attempt` every 2 seconds while it fails with an error `settling` accepts, for up to
/// `limit`; a timeout is reported as `explain` makes it from the last such error and the
/// timeout.
async fn repeat_while<T, F, Fut>(
    what: &str,
    limit: Duration,
    settling: impl Fn(&ApiError) -> bool,
    attempt: F,
    explain: impl FnOnce(ApiError, ApiError) -> ApiError,
) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let last: Mutex<Option<ApiError>> = Mutex::new(None);
    let outcome = wait_until(what, Duration::from_secs(2), limit, || async {
        match attempt().await {
            Ok(v) => Ok(Some(v)),
            Err(e) if settling(&e) => {
                *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    })
    .await;
    match (
        outcome,
        last.into_inner().unwrap_or_else(|e| e.into_inner()),
    ) {
        (Err(timeout), Some(e)) if timeout.kind == ErrorKind::Timeout => Err(explain(e, timeout)),
        (outcome, _) => outcome,
    }
}

/// True if attribute `name` differs between `prior` and `planned` (null and unset alike).
pub fn changed(prior: &Value, planned: &Value, name: &str) -> bool {
    let get = |v: &Value| {
        v.as_map()
            .and_then(|m| m.get(name))
            .map(Value::unmarked)
            .cloned()
            .unwrap_or(Value::Null)
    };
    !get(prior).equals(&get(planned))
}

/// Sets attributes of a state object (e.g. arguments AWS does not store, taken from the
/// planned value).
pub(crate) fn with_attrs(
    mut state: Value,
    attrs: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    if let Value::Map(m) = &mut state {
        for (k, v) in attrs {
            m.insert(k.to_string(), v);
        }
    }
    state
}

/// An attribute of a planned value, or null.
pub(crate) fn attr(v: &Value, name: &str) -> Value {
    v.as_map()
        .and_then(|m| m.get(name))
        .cloned()
        .unwrap_or(Value::Null)
}

/// The AWS provider's unique names: `prefix` then a UTC timestamp with 4 fractional digits
/// and 8 hex digits (26 characters), so names sort by creation time.
pub(crate) fn unique_name(prefix: &str) -> String {
    let now = chrono::Utc::now();
    let frac = now.timestamp_subsec_nanos() / 100_000;
    let rand = &uuid::Uuid::new_v4().simple().to_string()[..8];
    format!("{prefix}{}{frac:04}{rand}", now.format("%Y%m%d%H%M%S"))
}

/// The suffix AWS wants in the names of FIFO topics and queues.
pub(crate) const FIFO_SUFFIX: &str = ".fifo";

/// The name to create an SNS topic or SQS queue with: `name`, else a unique name from
/// `name_prefix` (or `terraform-`), ending in `.fifo` when the boolean argument `fifo_flag`
/// is set, as the AWS provider makes them.
pub(crate) fn fifo_aware_name(planned: &Value, fifo_flag: &str) -> String {
    let fifo = crate::provider::values::get_bool(planned, fifo_flag) == Some(true);
    match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
        (Some(n), _) => n.to_string(),
        (None, prefix) => {
            let n = unique_name(prefix.unwrap_or("terraform-"));
            if fifo {
                format!("{n}{FIFO_SUFFIX}")
            } else {
                n
            }
        }
    }
}

/// `pin_generated` of a type named by [`fifo_aware_name`]: the name fixed before the create.
pub(crate) fn pin_fifo_aware_name(planned: Value, fifo_flag: &str) -> Value {
    if get_str(&planned, "name").is_some() {
        return planned;
    }
    let name = fifo_aware_name(&planned, fifo_flag);
    with_attrs(planned, [("name", Value::string(name))])
}

/// The prefix of a name made by [`unique_name`], if it is one.
pub(crate) fn prefix_of_unique_name(name: &str) -> Option<&str> {
    let split = name.len().checked_sub(26)?;
    let (prefix, suffix) = name.split_at_checked(split)?;
    let (digits, hex) = suffix.split_at(18);
    (digits.bytes().all(|b| b.is_ascii_digit())
        && hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then_some(prefix)
}

/// The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`...), as
/// `data "aws_partition"` tells it.
pub fn partition(region: &str) -> &'static str {
    crate::aws::data::partition::partition_of(region).0
}

/// The ARN of an EC2 object, e.g. `arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0abc`.
pub fn ec2_arn(region: &str, account: &str, kind: &str, id: &str) -> String {
    format!(
        "arn:{}:ec2:{region}:{account}:{kind}/{id}",
        partition(region)
    )
}

/// The account the credentials belong to (STS GetCallerIdentity), for ARNs AWS does not return
/// (key pairs). One call per use: callers ask once per batch, not per object.
pub async fn account_id(clients: &AwsClients) -> Result<String> {
    let out = call(|| clients.sts.get_caller_identity().send()).await?;
    out.account()
        .map(String::from)
        .ok_or_else(|| ApiError::malformed("GetCallerIdentity returned no account"))
}

/// An import ID that must start with `prefix` (`vpc-`, `arn:`...): taken as it is, or a
/// [`ImportIdError::Malformed`] naming what was expected.
pub(crate) fn expect_prefix(id: &str, prefix: &str, what: &str) -> Result<String, ImportIdError> {
    if id.starts_with(prefix) && id.len() > prefix.len() && !id.contains(char::is_whitespace) {
        Ok(id.to_string())
    } else {
        Err(ImportIdError::Malformed(format!(
            "expected {what}, which starts with \"{prefix}\""
        )))
    }
}

/// An import ID made of two non-empty parts joined by `sep` at its first occurrence
/// (`ROLE/POLICY_ARN`), or a [`ImportIdError::Malformed`] naming the expected `format`.
pub(crate) fn split_import_id<'a>(
    id: &'a str,
    sep: char,
    format: &str,
) -> Result<(&'a str, &'a str), ImportIdError> {
    match id.split_once(sep) {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a, b)),
        _ => Err(ImportIdError::Malformed(format!(
            "expected {format}, two parts joined by \"{sep}\""
        ))),
    }
}

/// The states of objects AWS keys by a parent and a name (a group's scheduled action) whose
/// ids, as the AWS provider's, are the name alone, read in batches across parents:
/// `found` is each object's id, its parent (for the message) and its state. An id two
/// parents share is an error naming them rather than a guess; `what` names the objects
/// (`"scheduled action"`), `parents` their parents (`"Auto Scaling groups"`).
pub(crate) fn states_by_unique_id(
    found: impl IntoIterator<Item = (String, String, Value)>,
    what: &str,
    parents: &str,
) -> Result<States> {
    let mut out = States::new();
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, parent, state) in found {
        seen.entry(id.clone()).or_default().push(parent);
        out.insert(id, state);
    }
    match seen.iter().find(|(_, p)| p.len() > 1) {
        Some((id, in_parents)) => Err(ApiError::new(
            ErrorKind::Other,
            "AmbiguousId",
            format!(
                "the {what} {id:?} is in the {parents} {}; ecsform identifies a {what} by \
                 its name, as the AWS provider does, and cannot tell them apart: give them \
                 distinct names",
                in_parents.join(", ")
            ),
        )),
        None => Ok(out),
    }
}

/// Clients that are never used to send (tests of request building).
#[cfg(test)]
pub(crate) fn offline_clients() -> AwsClients {
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .build();
    AwsClients::from_config(&config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_follow_the_region_partition() {
        assert_eq!(
            ec2_arn("eu-west-1", "123456789012", "vpc", "vpc-1"),
            "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1"
        );
        assert_eq!(
            ec2_arn("cn-north-1", "1", "subnet", "subnet-1"),
            "arn:aws-cn:ec2:cn-north-1:1:subnet/subnet-1"
        );
    }

    #[test]
    fn changed_treats_unset_as_null() {
        let a = Value::map([("x", Value::Null)]);
        let b = Value::map([("y", Value::Bool(true))]);
        assert!(!changed(&a, &b, "x"));
        assert!(changed(&a, &b, "y"));
    }

    #[tokio::test]
    async fn describe_batched_falls_back_to_the_filter_on_not_found() {
        let ids = vec!["a".to_string(), "gone".to_string()];
        let found = describe_batched(
            &ids,
            DESCRIBE_CHUNK,
            |ids: Vec<String>| async move {
                if ids.iter().any(|i| i == "gone") {
                    Err(ApiError::new(ErrorKind::NotFound, "X.NotFound", "gone"))
                } else {
                    Ok(ids)
                }
            },
            |ids: Vec<String>| async move { Ok(ids.into_iter().filter(|i| i != "gone").collect()) },
        )
        .await
        .unwrap();
        assert_eq!(found, vec!["a".to_string()]);
    }

    #[test]
    fn unique_names_keep_their_prefix_recoverable() {
        let n = unique_name("web-");
        assert_eq!(n.len(), 4 + 26);
        assert_eq!(prefix_of_unique_name(&n), Some("web-"));
        assert_eq!(prefix_of_unique_name("web"), None);
        assert_eq!(prefix_of_unique_name("my-fixed-security-group-name"), None);
    }
}
