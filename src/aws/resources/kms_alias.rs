//! `aws_kms_alias`: a friendly name (`alias/...`) for a KMS key. Its id is the alias name;
//! `arn` is AWS's and `target_key_arn` the key's ARN, from the alias ARN and the key id.
//!
//! `name` (or a unique name from `name_prefix`, by default `alias/`) forces a new alias;
//! `target_key_id` changes in place (UpdateAlias). A `target_key_id` given as the key's ARN
//! compares equal to the key id AWS reports. Refresh lists every alias of the account with
//! one paginated ListAliases call, whatever the number of ids. Aliases have no tags: one
//! created before a crash is found again by its name. moto serves every call the type makes.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use aws_sdk_kms::types::AliasListEntry;

use super::kms_key::key_id_of;
use super::{changed, prefix_of_unique_name, read_created, recorded_id};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::{OrGone, Result};
use crate::aws::iam::name_or;
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct KmsAliasType;

/// The prefix every alias name has, and of the names made up when none is given.
const ALIAS_PREFIX: &str = "alias/";

static DECLARATION: Declaration = Declaration::new("aws_kms_alias", &SCHEMA, Adoption::Name)
    .generated_name("name", "name_prefix", ALIAS_PREFIX);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn target_key_arn;
        optional_computed String: name.force_new() name_prefix.force_new();
        required String: target_key_id;
    ],
    blocks: &[],
};

/// The ARN of key `key_id` in the alias's account and region: `arn:...:alias/NAME` →
/// `arn:...:key/KEY`.
pub(crate) fn target_key_arn(alias_arn: &str, key_id: &str) -> Option<String> {
    let (base, _) = alias_arn.rsplit_once(":alias/")?;
    Some(format!("{base}:key/{key_id}"))
}

fn alias_state(a: &AliasListEntry) -> Value {
    let name = a.alias_name().unwrap_or_default();
    let target_key_arn = match (a.alias_arn(), a.target_key_id()) {
        (Some(arn), Some(key)) => target_key_arn(arn, key),
        _ => None,
    };
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(name)),
            ("arn", opt_str(a.alias_arn())),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            ("target_key_id", opt_str(a.target_key_id())),
            ("target_key_arn", opt_str(target_key_arn)),
        ],
    )
}

pub(crate) async fn list_aliases(clients: &AwsClients) -> Result<Vec<AliasListEntry>> {
    call(|| {
        clients
            .kms
            .list_aliases()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
}

#[async_trait]
impl ResourceType for KmsAliasType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = get_str(planned, "name").map(String::from);
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "the alias name (`alias/...`)"
    }

    /// A key given by its ARN is the key id AWS reports.
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::String(k)) = m.get("target_key_id") {
            let id = key_id_of(k).to_string();
            m.insert("target_key_id".into(), Value::String(id));
        }
        Value::Map(m)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        Ok(list_aliases(clients)
            .await?
            .iter()
            .filter(|a| a.alias_name().is_some_and(|n| wanted.contains(n)))
            .map(|a| {
                (
                    a.alias_name().unwrap_or_default().to_string(),
                    alias_state(a),
                )
            })
            .collect::<BTreeMap<_, _>>())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = name_or(planned, ALIAS_PREFIX);
        let target = get_str(planned, "target_key_id").unwrap_or_default();
        call(|| {
            ctx.clients
                .kms
                .create_alias()
                .alias_name(&name)
                .target_key_id(target)
                .send()
        })
        .await?;
        read_created(self, ctx.clients, &name).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let name = recorded_id(self, prior)?;
        if changed(prior, planned, "target_key_id") {
            let target = get_str(planned, "target_key_id").unwrap_or_default();
            call(|| {
                ctx.clients
                    .kms
                    .update_alias()
                    .alias_name(&name)
                    .target_key_id(target)
                    .send()
            })
            .await?;
        }
        read_created(self, ctx.clients, &name).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let name = recorded_id(self, prior)?;
        call(|| ctx.clients.kms.delete_alias().alias_name(&name).send())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_key_arn_follows_from_the_alias_arn_and_a_key_arn_is_its_id() {
        let a = AliasListEntry::builder()
            .alias_name("alias/web")
            .alias_arn("arn:aws:kms:eu-west-1:123456789012:alias/web")
            .target_key_id("k-1")
            .build();
        let s = alias_state(&a);
        let m = s.as_map().unwrap();
        assert_eq!(
            m["target_key_arn"],
            Value::string("arn:aws:kms:eu-west-1:123456789012:key/k-1")
        );
        let config = Value::map([(
            "target_key_id",
            Value::string("arn:aws:kms:eu-west-1:123456789012:key/k-1"),
        )]);
        let n = KmsAliasType.normalize(config);
        assert_eq!(n.as_map().unwrap()["target_key_id"], Value::string("k-1"));
    }
}
