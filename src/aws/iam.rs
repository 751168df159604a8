//! What the IAM resource types share, and what other types need to know about IAM.
//!
//! * [`iam_eventually_consistent`]: the errors that mean "an IAM object created a moment ago is
//!   not usable yet". IAM is eventually consistent across regions and services: an instance
//!   profile, a role or a trust policy may be rejected by EC2, Auto Scaling, ECS or Lambda for
//!   several seconds after IAM accepted it. Consumers (launch templates, Auto Scaling groups,
//!   ECS services...) repeat their call with `resources::retry_while(.., iam_eventually_consistent,
//!   ..)`; the IAM types use it themselves right after a create.
//! * IAM tags ([`to_iam_tags`], [`tag_pairs`]).
//! * [`read_each`]: per-object reads, run a few at a time. IAM's list calls (ListRoles,
//!   ListUsers, ListInstanceProfiles, ListPolicies) leave out tags and permissions boundaries,
//!   and ListPolicies the document too, so refreshing N objects from a list call alone still
//!   takes N further calls; one Get call per object (which returns everything) is the cheaper
//!   choice there. A refresh reads most IAM types from GetAccountAuthorizationDetails instead
//!   (`aws::refresh_batch`), and only what that call lacks with these per-object reads.
//! * [`iso8601`] for the `create_date` attributes.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::types::Tag;

use super::error::{retry, ApiError, OrGone, RetryPolicy};
use super::AwsClients;
use crate::lang::Value;

/// How long an IAM object may stay unusable after its creation (AWS documents "a few
/// seconds"; in practice up to about a minute, more across regions).
pub const IAM_SETTLE_LIMIT: Duration = Duration::from_secs(2 * 60);

/// How many per-object reads [`read_each`] runs at once.
const READ_CONCURRENCY: usize = 8;

/// True for errors that mean an IAM role, instance profile or policy created a moment ago is
/// not visible or usable yet, here or in another service:
///
/// * IAM `NoSuchEntity` (right after the create, the object may not be readable yet);
/// * IAM `MalformedPolicyDocument: Invalid principal in policy` (a trust policy naming a role
///   created a moment ago);
/// * EC2 / Auto Scaling `Invalid IamInstanceProfile` / `Invalid IAM Instance Profile`, and
///   Auto Scaling's "not authorized to perform: iam:PassRole" while a role propagates;
/// * ECS "Unable to assume role", "unable to assume the service linked role" and Lambda's
///   "The role defined for the function cannot be assumed".
///
/// Only use it where the referenced object is known to exist (it was just created, or the
/// configuration names it): otherwise a real mistake is retried until the time limit.
pub fn iam_eventually_consistent(e: &ApiError) -> bool {
    if e.is_no_such_entity() {
        return true;
    }
    let m = e.message.to_ascii_lowercase();
    (e.is_malformed_policy_document() && m.contains("invalid principal"))
        || m.contains("invalid iaminstanceprofile")
        || m.contains("invalid iam instance profile")
        || (m.contains("iaminstanceprofile") && m.contains("is invalid"))
        || m.contains("cannot be assumed")
        || m.contains("unable to assume")
        || m.contains("not authorized to perform: iam:passrole")
}

/// Tags in IAM's shape.
pub fn to_iam_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// Key/value pairs of IAM tags.
pub fn tag_pairs(tags: &[Tag]) -> impl Iterator<Item = (String, String)> + '_ {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
}

/// A timestamp as the AWS provider shows it (RFC 3339).
pub fn iso8601(t: &aws_smithy_types::DateTime) -> Value {
    t.fmt(aws_smithy_types::date_time::Format::DateTime)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

/// Reads each id with `read` (retried on throttling; a NotFound counts as "gone"), a few at
/// a time, and returns the states of those that exist.
pub async fn read_each<F, Fut>(
    clients: &AwsClients,
    ids: &[String],
    read: F,
) -> Result<BTreeMap<String, Value>, ApiError>
where
    F: Fn(AwsClients, String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Value>, ApiError>> + Send + 'static,
{
    let limit = Arc::new(tokio::sync::Semaphore::new(READ_CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for id in ids {
        let (clients, id, read, limit) = (clients.clone(), id.clone(), read.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let found = retry(RetryPolicy::default(), || read(clients.clone(), id.clone())).await;
            (id, found)
        });
    }
    let mut out = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (id, found) = joined.map_err(|e| ApiError::malformed(format!("read task: {e}")))?;
        if let Some(v) = found.found()?.flatten() {
            out.insert(id, v);
        }
    }
    Ok(out)
}

/// The name to create an object with: `name`, else a unique name from `name_prefix` (or
/// `terraform-`, as the AWS provider does).
pub fn name_or_prefix(planned: &Value) -> String {
    use crate::provider::values::get_str;
    match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
        (Some(n), _) => n.to_string(),
        (None, Some(p)) => super::resources::unique_name(p),
        (None, None) => super::resources::unique_name("terraform-"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::error::ErrorKind;

    fn err(code: &str, message: &str) -> ApiError {
        ApiError::new(ErrorKind::Invalid, code, message)
    }

    #[test]
    fn recognises_iam_propagation_errors() {
        assert!(iam_eventually_consistent(&err(
            "InvalidParameterValue",
            "Value (web) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
        )));
        assert!(iam_eventually_consistent(&err(
            "ValidationError",
            "Invalid IamInstanceProfile: arn:aws:iam::1:instance-profile/web"
        )));
        assert!(iam_eventually_consistent(&err(
            "InvalidParameterValueException",
            "The role defined for the function cannot be assumed by Lambda."
        )));
        assert!(iam_eventually_consistent(&err(
            "MalformedPolicyDocument",
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::1:role/x\""
        )));
        assert!(iam_eventually_consistent(&err("NoSuchEntity", "no role")));
        assert!(!iam_eventually_consistent(&err(
            "MalformedPolicyDocument",
            "Syntax errors in policy."
        )));
        assert!(!iam_eventually_consistent(&err(
            "InvalidParameterValue",
            "Invalid value 't9.huge' for InstanceType."
        )));
    }
}
