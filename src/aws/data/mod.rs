//! AWS data sources, one file each, each implementing `aws::DataSource`, and the pieces
//! the EC2 lookups share: `filter` blocks and the "exactly one match" rule.

pub mod acm_certificate;
pub mod ami;
pub mod availability_zones;
pub mod caller_identity;
pub mod cloudinit_config;
pub mod default_tags;
pub mod ec2_managed_prefix_list;
pub mod ecr_repository;
pub mod ecs_cluster;
pub mod ecs_task_definition;
pub mod elb_service_account;
pub mod iam_account_alias;
pub mod iam_policy;
pub mod iam_policy_document;
pub mod iam_role;
pub mod key_pair;
pub mod kms_alias;
pub mod kms_key;
pub mod launch_template;
pub mod lb;
pub mod lb_target_group;
pub mod partition;
pub mod region;
pub mod route53_zone;
pub mod secretsmanager_secret;
pub mod security_group;
pub mod ssm_parameter;
pub mod ssm_parameters_by_path;
pub mod subnet;
pub mod subnets;
pub mod terraform_remote_state;
pub mod vpc;
pub mod vpc_endpoint;

use aws_sdk_ec2::types::Filter;

use std::collections::BTreeMap;

use super::ec2::{describe_matching, Ec2Object};
use super::elbv2_tags::describe_tags;
use super::error::{ApiError, ErrorKind};
use super::AwsClients;
use crate::aws::error::Result;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::state_object;
use crate::provider::values::{get_blocks, get_bool, get_str, get_string_map, get_strings};
use crate::provider::{BlockSchema, Schema};

/// The `filter { name = ..., values = [...] }` blocks of EC2 lookups.
pub(crate) static FILTER_BLOCK: BlockSchema = BlockSchema::set(
    "filter",
    attrs![
        required String: name;
        required StringSet: values;
    ],
);

/// The configuration's `filter` blocks as EC2 filters.
pub(crate) fn filter_blocks(config: &Value) -> Vec<Filter> {
    get_blocks(config, "filter")
        .iter()
        .map(|f| {
            Filter::builder()
                .set_name(get_str(f, "name").map(String::from))
                .set_values(Some(get_strings(f, "values")))
                .build()
        })
        .collect()
}

/// The EC2 filters an EC2 lookup's configuration asks for: its `filter` blocks, then for each
/// of `strings` (argument, filter) and of `flags` (a boolean argument, filter) that is set a
/// filter on its value, then one for each of its `tags`. The `id` goes in the request's ids.
pub(crate) fn lookup_filters(
    config: &Value,
    strings: &[(&str, &str)],
    flags: &[(&str, &str)],
) -> Vec<Filter> {
    let mut out = filter_blocks(config);
    for (arg, name) in strings {
        if let Some(v) = get_str(config, arg) {
            out.push(filter(name, v));
        }
    }
    for (arg, name) in flags {
        if let Some(v) = get_bool(config, arg) {
            out.push(filter(name, v.to_string()));
        }
    }
    for (k, v) in get_string_map(config, "tags") {
        out.push(filter(&format!("tag:{k}"), v));
    }
    out
}

/// The one object of type `T` with the configuration's `id` (if set) that `filters` select
/// ([`exactly_one`], `what` naming it).
pub(crate) async fn lookup_one<T: Ec2Object>(
    clients: &AwsClients,
    config: &Value,
    filters: Vec<Filter>,
    what: &str,
) -> Result<T> {
    let id = get_str(config, "id").map(|id| vec![id.to_string()]);
    exactly_one(what, found(describe_matching(clients, id, filters).await)?)
}

/// What a lookup found: nothing when AWS answers that an id it was asked for does not exist
/// (`InvalidSubnetID.NotFound`), as the AWS provider's finders count it.
pub(crate) fn found<T>(described: Result<Vec<T>>) -> Result<Vec<T>> {
    match described {
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        other => other,
    }
}

/// A lookup's result `state` with the configuration's `filter` blocks, as they were given.
pub(crate) fn with_filter_blocks(mut state: Value, config: &Value) -> Value {
    if let (Value::Map(m), Some(f)) = (&mut state, config.as_map().and_then(|c| c.get("filter"))) {
        m.insert("filter".into(), f.clone());
    }
    state
}

/// A data source's result made of the state of the resource type it looks up: each of the
/// data source's attributes and blocks that the resource's state has, the rest as
/// [`state_object`] leaves them, then `extra` (the data source's own).
pub(crate) fn from_resource_state(
    schema: &Schema,
    resource: &Value,
    extra: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    let names = schema.attributes.iter().map(|a| a.name);
    let names = names.chain(schema.blocks.iter().map(|b| b.name));
    let shared = names.filter_map(|name| Some((name, resource.as_map()?.get(name)?.clone())));
    state_object(schema, shared.collect::<Vec<_>>().into_iter().chain(extra))
}

/// An EC2 filter with one value.
pub(crate) fn filter(name: &str, value: impl Into<String>) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The one object a lookup found, or the error Terraform users know: `what` is the name the
/// AWS provider gives the object in these messages ("EC2 Subnet"), and the wording is its
/// own (`tfresource.SingularDataSourceFindError`).
pub(crate) fn exactly_one<T>(what: &str, mut found: Vec<T>) -> Result<T> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(ApiError::new(
            ErrorKind::NotFound,
            "NoMatch",
            format!("no matching {what} found"),
        )),
        _ => Err(ApiError::new(
            ErrorKind::Invalid,
            "MultipleMatches",
            format!("multiple {what}s matched; use additional constraints to reduce matches to a single {what}"),
        )),
    }
}

/// The one ELB object (load balancer, target group) of `arns` whose tags include every one
/// of `tags`, or the AWS provider's error for its ELB lookups ("Search returned 2 results,
/// please revise so only one is returned"). Tags are read with batched `DescribeTags`.
pub(crate) async fn one_elbv2(
    clients: &AwsClients,
    arns: Vec<String>,
    tags: &BTreeMap<String, String>,
) -> Result<String> {
    let mut arns = arns;
    if !tags.is_empty() {
        let found = describe_tags(clients, &arns).await?;
        arns.retain(|arn| {
            found
                .get(arn)
                .is_some_and(|have| tags.iter().all(|(k, v)| have.get(k) == Some(v)))
        });
    }
    match arns.len() {
        1 => Ok(arns.remove(0)),
        n => Err(ApiError::new(
            if n == 0 {
                ErrorKind::NotFound
            } else {
                ErrorKind::Invalid
            },
            "NoSingleMatch",
            format!("Search returned {n} results, please revise so only one is returned"),
        )),
    }
}

/// The configuration's value of `name` (null if unset), to echo back in a data source's
/// result.
pub(crate) fn given(config: &Value, name: &'static str) -> (&'static str, Value) {
    (
        name,
        config
            .as_map()
            .and_then(|m| m.get(name))
            .cloned()
            .unwrap_or(Value::Null),
    )
}
