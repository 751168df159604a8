//! `aws_cloudwatch_log_group`: a CloudWatch Logs log group with its retention, KMS key and
//! tags. Its id is its name; `arn` is the ARN without the trailing `:*` AWS reports.
//!
//! `retention_in_days = 0` (the default) means never expire: DeleteRetentionPolicy.
//! `skip_destroy` (not stored by AWS) leaves the group, and its logs, in AWS on destroy.
//! Refresh lists the groups with one paginated DescribeLogGroups call per id (by name prefix,
//! filtered to the exact name) when there are at most [`PREFIX_READS`] ids, and one listing of
//! all groups otherwise. DescribeLogGroups does not return tags: a refresh takes them from the
//! Resource Groups Tagging API's GetResources, one paginated call shared with the other types
//! whose tags come from there (`aws::refresh_batch`); a group missing there (AWS lists tagged
//! objects only, and a moment after they are tagged), and every other read, takes one
//! ListTagsForResource.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::aws::adopt::read_judged;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::types::LogGroup;

use super::{changed, prefix_of_unique_name, read_created, with_attrs};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{ApiError, OrGone};
use crate::aws::iam::name_or_prefix;
use crate::aws::refresh_batch::{plain_arn, RefreshBatch, TagsByArn};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_i32, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct CloudwatchLogGroupType;

static DECLARATION: Declaration = Declaration::new(
    "aws_cloudwatch_log_group",
    &SCHEMA,
    Adoption::NameAndTags,
)
.generated_name("name", "name_prefix", "terraform-");

/// Up to this many ids, refresh asks for each by name prefix; beyond, it lists all groups.
const PREFIX_READS: usize = 3;

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional Number: retention_in_days.default(Default::Number(0.0));
        optional String: kms_key_id;
        optional Bool: skip_destroy.default(Default::Bool(false)).local();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// The group's ARN without the `:*` suffix (the form the tagging API takes).
fn group_arn(g: &LogGroup) -> Option<String> {
    g.log_group_arn()
        .map(String::from)
        .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()))
}

fn group_state(g: &LogGroup, tags: HashMap<String, String>) -> Value {
    let name = g.log_group_name().unwrap_or_default();
    let [tags, tags_all] = read_tags(tags);
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(name)),
            ("arn", opt_str(group_arn(g))),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            (
                "retention_in_days",
                Value::number(g.retention_in_days().unwrap_or(0)),
            ),
            ("kms_key_id", opt_str(g.kms_key_id())),
            ("skip_destroy", Value::Bool(false)),
            tags,
            tags_all,
        ],
    )
}

async fn describe(clients: &AwsClients, prefix: Option<&str>) -> Result<Vec<LogGroup>> {
    call(|| {
        clients
            .logs
            .describe_log_groups()
            .set_log_group_name_prefix(prefix.map(String::from))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
}

/// The groups named `ids`, with their tags from `known` or, for groups it lacks, from one
/// ListTagsForResource each.
async fn read_groups(clients: &AwsClients, ids: &[String], known: &TagsByArn) -> Result<States> {
    let mut groups = Vec::new();
    if ids.len() <= PREFIX_READS {
        for id in ids {
            groups.extend(describe(clients, Some(id)).await?);
        }
    } else {
        groups = describe(clients, None).await?;
    }
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut out = BTreeMap::new();
    for g in groups {
        let Some(name) = g.log_group_name().filter(|n| wanted.contains(n)) else {
            continue;
        };
        let arn = group_arn(&g);
        let tags = match arn.as_deref().map(|a| (a, known.get(plain_arn(a)))) {
            Some((_, Some(tags))) => tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Some((arn, None)) => match tags_of(clients, arn).await {
                Err(e) if e.is_not_found() => continue,
                other => other?,
            },
            None => HashMap::new(),
        };
        out.insert(name.to_string(), group_state(&g, tags));
    }
    Ok(out)
}

async fn tags_of(clients: &AwsClients, arn: &str) -> Result<HashMap<String, String>> {
    let out = call(|| {
        clients
            .logs
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
    })
    .await?;
    Ok(out.tags().cloned().unwrap_or_default())
}

async fn set_retention(clients: &AwsClients, name: &str, days: i32) -> Result<()> {
    if days > 0 {
        call(|| {
            clients
                .logs
                .put_retention_policy()
                .log_group_name(name)
                .retention_in_days(days)
                .send()
        })
        .await?;
    } else {
        call(|| {
            clients
                .logs
                .delete_retention_policy()
                .log_group_name(name)
                .send()
        })
        .await?;
    }
    Ok(())
}

fn planned_only(planned: &Value) -> [(&'static str, Value); 1] {
    [(
        "skip_destroy",
        Value::Bool(get_bool(planned, "skip_destroy").unwrap_or(false)),
    )]
}

#[async_trait]
impl ResourceType for CloudwatchLogGroupType {
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
        let mut found = Vec::new();
        for g in describe(clients, Some(name)).await? {
            if g.log_group_name() != Some(name) {
                continue;
            }
            let Some(arn) = group_arn(&g) else { continue };
            let Some(tags) = tags_of(clients, &arn).await.found()? else {
                continue;
            };
            found.push((name.to_string(), tags.into_iter().collect()));
        }
        read_judged(self, clients, owner, found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the log group name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_groups(clients, ids, &TagsByArn::new()).await
    }

    /// Tags from the refresh's GetResources call (shared with the other types whose tags
    /// come from the Tagging API); a group missing there is read with ListTagsForResource.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let tags = batch.tags(clients).await?;
        read_groups(clients, ids, &tags).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = name_or_prefix(planned);
        let tags: HashMap<String, String> =
            creation_tags(planned, ctx.extra_tags).into_iter().collect();
        call(|| {
            clients
                .logs
                .create_log_group()
                .log_group_name(&name)
                .set_kms_key_id(get_str(planned, "kms_key_id").map(String::from))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let days = get_i32(planned, "retention_in_days").unwrap_or(0);
        if days > 0 {
            set_retention(clients, &name, days).await?;
        }
        let state = read_created(self, clients, &name).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        if changed(prior, planned, "retention_in_days") {
            set_retention(
                clients,
                name,
                get_i32(planned, "retention_in_days").unwrap_or(0),
            )
            .await?;
        }
        if changed(prior, planned, "kms_key_id") {
            match get_str(planned, "kms_key_id") {
                Some(key) => {
                    call(|| {
                        clients
                            .logs
                            .associate_kms_key()
                            .log_group_name(name)
                            .kms_key_id(key)
                            .send()
                    })
                    .await?;
                }
                None => {
                    call(|| {
                        clients
                            .logs
                            .disassociate_kms_key()
                            .log_group_name(name)
                            .send()
                    })
                    .await?;
                }
            }
        }
        if let Some(arn) = get_str(prior, "arn") {
            send_tag_changes!(
                TagChanges::between(prior, planned),
                clients.logs,
                untag_resource,
                tag_resource,
                resource_arn(arn),
                |t: &BTreeMap<_, _>| t.clone().into_iter().collect()
            )
            .await?;
        }
        let state = read_created(self, clients, name).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        if get_bool(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let name = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        call(|| {
            ctx.clients
                .logs
                .delete_log_group()
                .log_group_name(name)
                .send()
        })
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_lose_the_wildcard_suffix_and_zero_retention_means_never() {
        let g = LogGroup::builder()
            .log_group_name("/ecs/web")
            .arn("arn:aws:logs:eu-west-1:1:log-group:/ecs/web:*")
            .build();
        let s = group_state(&g, HashMap::from([("ecsform:address".into(), "x".into())]));
        let m = s.as_map().unwrap();
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:logs:eu-west-1:1:log-group:/ecs/web")
        );
        assert_eq!(m["retention_in_days"], Value::number(0));
        assert_eq!(m["tags"], Value::Map(BTreeMap::new()));
    }
}
