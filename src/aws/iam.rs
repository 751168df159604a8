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
//! * What several types send alike: [`remove_listed`] (what keeps IAM from deleting a role or
//!   a user), [`update_permissions_boundary`], [`find_iam_named!`] (adoption by name),
//!   [`send_per_entity!`] (the same call for a role, a user or a group) and [`planned_switch`].
//! * The attributes roles and instance profiles share: [`named_object_schema!`],
//!   [`named_object_state`].

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::Tag;

use super::call::call;
use super::error::{retry, ApiError, OrGone, RetryPolicy};
use super::resources::prefix_of_unique_name;
use super::AwsClients;
use crate::aws::error::Result;
use crate::aws::resource_type::States;
use crate::lang::Value;
use crate::provider::values::{get_bool, opt_str};

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
pub async fn read_each<F, Fut>(clients: &AwsClients, ids: &[String], read: F) -> Result<States>
where
    F: Fn(AwsClients, String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Value>>> + Send + 'static,
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
    name_or(planned, "terraform-")
}

/// [`name_or_prefix`] for a type whose default prefix is `default_prefix` (the AWS
/// provider's `tf-lb-` for load balancers).
pub fn name_or(planned: &Value, default_prefix: &str) -> String {
    use crate::provider::values::get_str;
    match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
        (Some(n), _) => n.to_string(),
        (None, p) => super::resources::unique_name(p.unwrap_or(default_prefix)),
    }
}

/// Removes what an IAM role or user holds that keeps IAM from deleting it, one kind after
/// the other, as a table: each row `$list => $key => $remove.$item;` lists the kind with
/// `$list` (all pages; `list_access_keys`), takes each listed item's key with `$key` (items
/// without one are passed over; `|k| k.access_key_id()`) and removes the item with `$remove`,
/// giving the key to `$item` (`delete_access_key.access_key_id`). Every request names the owner
/// with `$owner($name)` (`user_name(name)`). Each call is sent by [`call`]; what is gone
/// already counts as removed.
macro_rules! remove_listed {
    ($iam:expr, $owner:ident($name:expr);
     $($list:ident => $key:expr => $remove:ident.$item:ident;)+) => {
        async {
            $($crate::aws::iam::remove_each(
                || {
                    $iam.$list()
                        .$owner($name)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                },
                $key,
                |k| $iam.$remove().$owner($name).$item(k).send(),
            )
            .await?;)+
            Ok::<(), $crate::aws::error::ApiError>(())
        }
    };
}
pub(crate) use remove_listed;

/// [`remove_listed!`] with the list call `list` (a paginator's items, collected).
pub async fn remove_each<T, L, LFut, LE, LR, D, DFut, DT, DE, DR>(
    list: L,
    key: impl Fn(&T) -> Option<&str>,
    mut remove: D,
) -> Result<()>
where
    L: FnMut() -> LFut,
    LFut: Future<Output = Result<Vec<T>, SdkError<LE, LR>>>,
    LE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    LR: std::fmt::Debug,
    D: FnMut(&str) -> DFut,
    DFut: Future<Output = Result<DT, SdkError<DE, DR>>>,
    DE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    DR: std::fmt::Debug,
{
    for item in call(list).await? {
        if let Some(k) = key(&item) {
            call(|| remove(k)).await.ok_if_gone()?;
        }
    }
    Ok(())
}

/// Brings a role's or user's permissions boundary to the planned one: `put` with its ARN, or
/// `delete` where the plan has none. Each is sent by [`call`].
pub async fn update_permissions_boundary<P, PFut, PT, PE, PR, D, DFut, DT, DE, DR>(
    planned: &Value,
    mut put: P,
    delete: D,
) -> Result<()>
where
    P: FnMut(&str) -> PFut,
    PFut: Future<Output = Result<PT, SdkError<PE, PR>>>,
    PE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    PR: std::fmt::Debug,
    D: FnMut() -> DFut,
    DFut: Future<Output = Result<DT, SdkError<DE, DR>>>,
    DE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    DR: std::fmt::Debug,
{
    match crate::provider::values::get_str(planned, "permissions_boundary") {
        Some(arn) => call(|| put(arn)).await.map(drop),
        None => call(delete).await.map(drop),
    }
}

/// `find_created` of an IAM type whose objects are read by name: `$get` (`get_role`, which
/// takes the name with `$id`, `role_name`) answers `$object` (`role`), judged by its tags
/// (see [`find_named`](super::adopt::find_named)).
macro_rules! find_iam_named {
    ($rt:expr, $clients:expr, $owner:expr, $name:expr, $get:ident, $id:ident, $object:ident) => {
        $crate::aws::adopt::find_named($rt, $clients, $owner, $name, || async {
            let out = $crate::aws::call::call(|| $clients.iam.$get().$id($name).send()).await?;
            Ok(out
                .$object()
                .map(|x| $crate::aws::iam::tag_pairs(x.tags()).collect()))
        })
    };
}
pub(crate) use find_iam_named;

/// Sends the IAM call that differs by the kind of entity it is about (role, user, group) only
/// in its name and in how it names the entity: `$kind` picks the arm (`Kind::Role =>
/// put_role_policy(role_name)`), whose request names the entity `$who`; `|$request|
/// $arguments` adds what is the same for all (`|r| r.policy_name(name)`). The answer is
/// dropped: a `Result<()>`.
macro_rules! send_per_entity {
    ($iam:expr, $kind:expr, $who:expr,
     { $($variant:path => $call:ident($id:ident)),+ $(,)? },
     |$request:ident| $arguments:expr) => {
        match $kind {
            $($variant => {
                let $request = $iam.$call().$id($who);
                $arguments
            }
            .send()
            .await
            .map(drop)
            .map_err($crate::aws::error::from_sdk),)+
        }
    };
}
pub(crate) use send_per_entity;

/// The schema of an IAM object that has a name or a name prefix, a path and tags, as the AWS
/// provider has it for roles and instance profiles: `id` (the name), `arn`, `unique_id`,
/// `create_date`, `name`, `name_prefix` and `path`, then the type's own arguments
/// (`$own`), then `tags` and `tags_all`.
macro_rules! named_object_schema {
    ($($own:expr),* $(,)?) => {
        $crate::provider::Schema {
            version: 1,
            attributes: &[
                AttrSchema::computed("id", AttrType::String),
                AttrSchema::computed("arn", AttrType::String),
                AttrSchema::computed("unique_id", AttrType::String),
                AttrSchema::computed("create_date", AttrType::String),
                AttrSchema::optional_computed("name", AttrType::String).force_new(),
                AttrSchema::optional_computed("name_prefix", AttrType::String).force_new(),
                AttrSchema::optional("path", AttrType::String)
                    .force_new()
                    .default($crate::provider::schema::Default::Str("/")),
                $($own,)*
                AttrSchema::optional("tags", AttrType::StringMap),
                AttrSchema::computed("tags_all", AttrType::StringMap),
            ],
            blocks: &[],
        }
    };
}
pub(crate) use named_object_schema;

/// The identity of an object of a [`named_object_schema!`]: its name (also its id, and the
/// prefix it was made from), ARN, unique id, creation date and path.
pub fn named_object_state(
    name: &str,
    arn: &str,
    unique_id: &str,
    created: &aws_smithy_types::DateTime,
    path: &str,
) -> [(&'static str, Value); 7] {
    [
        ("id", Value::string(name)),
        ("arn", Value::string(arn)),
        ("unique_id", Value::string(unique_id)),
        ("create_date", iso8601(created)),
        ("name", Value::string(name)),
        ("name_prefix", opt_str(prefix_of_unique_name(name))),
        ("path", Value::string(path)),
    ]
}

/// A switch AWS does not store (`force_destroy`, `force_detach_policies`), as planned
/// (off when unset), to record with the state read back.
pub fn planned_switch(planned: &Value, name: &'static str) -> [(&'static str, Value); 1] {
    [(name, Value::Bool(get_bool(planned, name).unwrap_or(false)))]
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
