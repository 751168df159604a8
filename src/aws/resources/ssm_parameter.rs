//! `aws_ssm_parameter`: a Systems Manager Parameter Store parameter (`String`, `StringList`
//! or `SecureString`). Its id is its name.
//!
//! The value is given as `value` (sensitive: never shown in plans, progress or `state show`)
//! or, for a parameter that is not a SecureString, as `insecure_value` (shown); the state
//! keeps the value under the argument the configuration uses, as the provider does. Changes
//! to the value, type, description, key, tier or allowed pattern are one PutParameter with
//! `Overwrite`, which makes a new `version`; `name` and `data_type` force a new parameter.
//! `overwrite` (deprecated in the provider, not stored by AWS) lets a create overwrite a
//! parameter that exists already; tags are then set with AddTagsToResource, as AWS takes no
//! tags on an overwriting PutParameter. The write-only `value_wo` is not supported yet.
//!
//! Refresh reads the parameters with GetParameters (with decryption, 10 names a call) and
//! their metadata (description, key, tier, pattern) with DescribeParameters filtered to the
//! names (50 a call, paginated); tags come from the Resource Groups Tagging API's
//! GetResources, one paginated call shared with the other types whose tags come from there
//! (`aws::refresh_batch`); a parameter missing there, and every other read, takes one
//! ListTagsForResource. moto serves every call the type makes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use aws_sdk_ssm::types::{
    Parameter, ParameterMetadata, ParameterStringFilter, ParameterTier, ParameterType,
    ResourceTypeForTagging, Tag,
};

use super::{changed, read_created, recorded_id, with_attrs};
use crate::aws::adopt::find_named;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, OrGone, Result};
use crate::aws::paged::in_chunks;
use crate::aws::refresh_batch::{RefreshBatch, TagsByArn};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::values::{get_bool, get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct SsmParameterType;

static DECLARATION: Declaration =
    Declaration::new("aws_ssm_parameter", &SCHEMA, Adoption::NameAndTags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required String: name.force_new() type;
        optional_computed String: value.sensitive() insecure_value;
        optional String: description allowed_pattern;
        optional_computed String: key_id tier data_type.force_new();
        optional Bool: overwrite.local();
        computed Number: version.changes_on_update();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// GetParameters takes at most 10 names per call.
const GET_CHUNK: usize = 10;
/// A DescribeParameters filter takes at most 50 values.
const DESCRIBE_CHUNK: usize = 50;

/// The arguments a PutParameter sends: a change to any of them is a new version.
const PUT_ARGUMENTS: &[&str] = &[
    "value",
    "insecure_value",
    "type",
    "description",
    "key_id",
    "tier",
    "allowed_pattern",
    "data_type",
];

/// The state of parameter `p` with its metadata `m`, the value as `value`.
fn parameter_state(
    p: &Parameter,
    m: Option<&ParameterMetadata>,
    tags: BTreeMap<String, String>,
) -> Value {
    let [tags, tags_all] = read_tags(tags);
    state_object(
        &SCHEMA,
        [
            ("id", opt_str(p.name())),
            ("arn", opt_str(p.arn())),
            ("name", opt_str(p.name())),
            ("type", opt_str(p.r#type().map(|t| t.as_str()))),
            ("value", opt_str(p.value()).mark_sensitive(true)),
            ("insecure_value", Value::Null),
            ("description", opt_str(m.and_then(|m| m.description()))),
            (
                "allowed_pattern",
                opt_str(m.and_then(|m| m.allowed_pattern())),
            ),
            ("key_id", opt_str(m.and_then(|m| m.key_id()))),
            (
                "tier",
                opt_str(m.and_then(|m| m.tier()).map(|t| t.as_str())),
            ),
            ("data_type", opt_str(p.data_type())),
            ("version", Value::number(p.version() as f64)),
            tags,
            tags_all,
        ],
    )
}

/// `state` with its value under `insecure_value` where `uses_insecure` says the
/// configuration (or the recorded state) gives it so, as the provider keeps it.
fn in_form(state: Value, uses_insecure: bool) -> Value {
    let secure = get_str(&state, "type") == Some(ParameterType::SecureString.as_str());
    if !uses_insecure || secure {
        return state;
    }
    let value = get_str(&state, "value").map(String::from);
    with_attrs(
        state,
        [("insecure_value", opt_str(value)), ("value", Value::Null)],
    )
}

fn uses_insecure(v: &Value) -> bool {
    get_str(v, "insecure_value").is_some()
        || v.as_map()
            .and_then(|m| m.get("insecure_value"))
            .is_some_and(|i| !i.is_wholly_known())
}

async fn get_parameters(clients: &AwsClients, names: Vec<String>) -> Result<Vec<Parameter>> {
    let out = call(|| {
        clients
            .ssm
            .get_parameters()
            .set_names(Some(names.clone()))
            .with_decryption(true)
            .send()
    })
    .await?;
    Ok(out.parameters().to_vec())
}

async fn describe_parameters(
    clients: &AwsClients,
    names: Vec<String>,
) -> Result<Vec<ParameterMetadata>> {
    let filter = ParameterStringFilter::builder()
        .key("Name")
        .option("Equals")
        .set_values(Some(names))
        .build()
        .map_err(|e| ApiError::malformed(e.to_string()))?;
    let pages = call(|| {
        clients
            .ssm
            .describe_parameters()
            .parameter_filters(filter.clone())
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.parameters().iter().cloned())
        .collect())
}

async fn tags_of(clients: &AwsClients, name: &str) -> Result<BTreeMap<String, String>> {
    let out = call(|| {
        clients
            .ssm
            .list_tags_for_resource()
            .resource_type(ResourceTypeForTagging::Parameter)
            .resource_id(name)
            .send()
    })
    .await?;
    Ok(out
        .tag_list()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

/// The parameters named `ids`, with their tags from `known` or, for parameters it lacks,
/// from one ListTagsForResource each.
async fn read_parameters(
    clients: &AwsClients,
    ids: &[String],
    known: &TagsByArn,
) -> Result<States> {
    let found = in_chunks(ids, GET_CHUNK, |names| get_parameters(clients, names)).await?;
    let names: Vec<String> = found
        .iter()
        .filter_map(|p| p.name())
        .map(String::from)
        .collect();
    let metadata: HashMap<String, ParameterMetadata> = in_chunks(&names, DESCRIBE_CHUNK, |names| {
        describe_parameters(clients, names)
    })
    .await?
    .into_iter()
    .filter_map(|m| Some((m.name()?.to_string(), m)))
    .collect();
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut out = BTreeMap::new();
    for p in &found {
        let Some(name) = p.name().filter(|n| wanted.contains(n)) else {
            continue;
        };
        let tags = match p.arn().and_then(|arn| known.get(arn)) {
            Some(tags) => tags.clone(),
            None => match tags_of(clients, name).await.found()? {
                Some(tags) => tags,
                None => continue,
            },
        };
        out.insert(
            name.to_string(),
            parameter_state(p, metadata.get(name), tags),
        );
    }
    Ok(out)
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// Sends PutParameter for `planned` (`overwrite` for an update, or where the configuration
/// says so), with `tags` when it creates.
async fn put(
    clients: &AwsClients,
    planned: &Value,
    overwrite: bool,
    tags: Option<Vec<Tag>>,
) -> Result<()> {
    let name = get_str(planned, "name").unwrap_or_default();
    let kind = get_str(planned, "type").unwrap_or_default();
    let value = get_str(planned, "value")
        .or_else(|| get_str(planned, "insecure_value"))
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::Invalid,
                "ValidationException",
                format!("{name}: one of value or insecure_value must be set"),
            )
        })?;
    let secure = kind == ParameterType::SecureString.as_str();
    if secure && get_str(planned, "insecure_value").is_some() {
        return Err(ApiError::new(
            ErrorKind::Invalid,
            "ValidationException",
            format!("{name}: a SecureString takes value, not insecure_value"),
        ));
    }
    call(|| {
        clients
            .ssm
            .put_parameter()
            .name(name)
            .r#type(ParameterType::from(kind))
            .value(value)
            .set_description(get_str(planned, "description").map(String::from))
            .set_allowed_pattern(get_str(planned, "allowed_pattern").map(String::from))
            .set_key_id(
                get_str(planned, "key_id")
                    .filter(|_| secure)
                    .map(String::from),
            )
            .set_tier(get_str(planned, "tier").map(ParameterTier::from))
            .set_data_type(get_str(planned, "data_type").map(String::from))
            .overwrite(overwrite)
            .set_tags(tags.clone())
            .send()
    })
    .await?;
    Ok(())
}

async fn update_tags(clients: &AwsClients, name: &str, changes: TagChanges) -> Result<()> {
    changes
        .send(
            |keys| {
                clients
                    .ssm
                    .remove_tags_from_resource()
                    .resource_type(ResourceTypeForTagging::Parameter)
                    .resource_id(name)
                    .set_tag_keys(Some(keys))
                    .send()
            },
            |tags| {
                clients
                    .ssm
                    .add_tags_to_resource()
                    .resource_type(ResourceTypeForTagging::Parameter)
                    .resource_id(name)
                    .set_tags(Some(to_tags(tags)))
                    .send()
            },
        )
        .await
}

/// The state to record after a create or update of `planned`.
fn recorded(state: Value, planned: &Value) -> Value {
    let state = in_form(state, uses_insecure(planned));
    with_attrs(
        state,
        [(
            "overwrite",
            get_bool(planned, "overwrite").map_or(Value::Null, Value::Bool),
        )],
    )
}

#[async_trait]
impl ResourceType for SsmParameterType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        find_named(self, clients, owner, name, || async {
            Ok(Some(tags_of(clients, name).await?))
        })
        .await
    }

    fn import_id_format(&self) -> &'static str {
        "the parameter name"
    }

    /// The value stays under the argument the state has it under.
    fn refreshed(&self, read: Value, recorded: &Value) -> Value {
        in_form(read, uses_insecure(recorded))
    }

    fn imported(&self, read: Value, config: &Value) -> Value {
        let read = in_form(read, uses_insecure(config));
        crate::aws::fill_local_from_config(self.schema(), read, config)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_parameters(clients, ids, &TagsByArn::new()).await
    }

    /// Tags from the refresh's GetResources call (shared with the other types whose tags
    /// come from the Tagging API); a parameter missing there is read with
    /// ListTagsForResource.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let tags = batch.tags(clients).await?;
        read_parameters(clients, ids, &tags).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = get_str(planned, "name").unwrap_or_default();
        let tags = creation_tags(planned, ctx.extra_tags);
        if get_bool(planned, "overwrite") == Some(true) {
            put(clients, planned, true, None).await?;
            let changes = TagChanges {
                set: tags,
                remove: Vec::new(),
            };
            update_tags(clients, name, changes).await?;
        } else {
            put(clients, planned, false, Some(to_tags(&tags))).await?;
        }
        let state = read_created(self, clients, name).await?;
        Ok(recorded(state, planned))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = recorded_id(self, prior)?;
        if PUT_ARGUMENTS.iter().any(|a| changed(prior, planned, a)) {
            put(clients, planned, true, None).await?;
        }
        update_tags(clients, &name, TagChanges::between(prior, planned)).await?;
        let state = read_created(self, clients, &name).await?;
        Ok(recorded(state, planned))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let name = recorded_id(self, prior)?;
        call(|| ctx.clients.ssm.delete_parameter().name(&name).send())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameter(kind: ParameterType) -> Parameter {
        Parameter::builder()
            .name("/app/url")
            .arn("arn:aws:ssm:eu-west-1:1:parameter/app/url")
            .r#type(kind)
            .value("https://example.com")
            .version(3)
            .data_type("text")
            .build()
    }

    #[test]
    fn the_value_is_sensitive_and_kept_under_the_configured_argument() {
        let read = parameter_state(&parameter(ParameterType::String), None, BTreeMap::new());
        let m = read.as_map().unwrap();
        assert!(matches!(m["value"], Value::Sensitive(_)));
        assert_eq!(m["version"], Value::number(3));
        let insecure = in_form(read.clone(), true);
        let m = insecure.as_map().unwrap();
        assert_eq!(m["insecure_value"], Value::string("https://example.com"));
        assert_eq!(m["value"], Value::Null);
        // A SecureString's value is never moved to insecure_value.
        let secure = parameter_state(
            &parameter(ParameterType::SecureString),
            None,
            BTreeMap::new(),
        );
        assert_eq!(in_form(secure.clone(), true), secure);
        assert_eq!(in_form(read.clone(), false), read);
    }
}
