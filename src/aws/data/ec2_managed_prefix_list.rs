//! `data "aws_ec2_managed_prefix_list"`: one managed prefix list (AWS's own, such as
//! `com.amazonaws.eu-west-1.s3`, or the account's), found by `id`, `name` and `filter` blocks,
//! with its entries (`GetManagedPrefixListEntries`). No match, or several, is an error in the
//! AWS provider's words. As in the provider, `tags` is what AWS reports, not a filter.

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, ManagedPrefixList, PrefixListEntry};

use super::{filter, filter_blocks, lookup_one, with_filter_blocks, FILTER_BLOCK};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::tags::from_ec2;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_number, opt_str, state_object, string_map};
use crate::provider::{BlockSchema, Schema};

pub struct ManagedPrefixListData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_ec2_managed_prefix_list", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: id name;
        computed StringMap: tags;
        computed String: address_family arn owner_id;
        computed Number: max_entries version;
    ],
    blocks: &[
        FILTER_BLOCK,
        BlockSchema::set(
            "entries",
            attrs![
                computed String: cidr description;
            ],
        )
        .computed(),
    ],
};

/// The EC2 filters the configuration asks for (the id goes in `PrefixListIds`).
fn filters(config: &Value) -> Vec<Filter> {
    let mut out = filter_blocks(config);
    if let Some(name) = get_str(config, "name") {
        out.push(filter("prefix-list-name", name));
    }
    out
}

fn list_state(config: &Value, l: &ManagedPrefixList, entries: &[PrefixListEntry]) -> Value {
    let entries = entries
        .iter()
        .map(|e| {
            Value::map([
                ("cidr", opt_str(e.cidr())),
                ("description", opt_str(e.description())),
            ])
        })
        .collect();
    let state = state_object(
        &SCHEMA,
        [
            ("id", opt_str(l.prefix_list_id())),
            ("name", opt_str(l.prefix_list_name())),
            ("tags", string_map(&from_ec2(l.tags()))),
            ("address_family", opt_str(l.address_family())),
            ("arn", opt_str(l.prefix_list_arn())),
            ("owner_id", opt_str(l.owner_id())),
            ("max_entries", opt_number(l.max_entries())),
            ("version", opt_number(l.version().map(|v| v as f64))),
            ("entries", Value::set(entries)),
        ],
    );
    with_filter_blocks(state, config)
}

#[async_trait]
impl DataSource for ManagedPrefixListData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let list: ManagedPrefixList =
            lookup_one(clients, config, filters(config), "EC2 Managed Prefix List").await?;
        let id = list.prefix_list_id().unwrap_or_default();
        let entries: Vec<PrefixListEntry> = call(|| {
            clients
                .ec2
                .get_managed_prefix_list_entries()
                .prefix_list_id(id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
        })
        .await?;
        Ok(list_state(config, &list, &entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_only() {
        let config = Value::map([(
            "entries",
            Value::List(vec![Value::map([("cidr", Value::string("10.0.0.0/8"))])]),
        )]);
        let errors = ManagedPrefixListData.schema().conform(&config).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            format!("{errors:?}").contains("Invalid Configuration for Read-Only Attribute"),
            "{errors:?}"
        );
        let unset = Value::map([("name", Value::string("x"))]);
        assert!(ManagedPrefixListData.schema().conform(&unset).is_ok());
    }

    #[test]
    fn name_is_a_filter_and_entries_are_a_set() {
        let config = SCHEMA.conformed([("name", Value::string("com.amazonaws.eu-west-1.s3"))]);
        let names: Vec<_> = filters(&config)
            .iter()
            .map(|f| format!("{}={}", f.name().unwrap(), f.values().join(",")))
            .collect();
        assert_eq!(names, ["prefix-list-name=com.amazonaws.eu-west-1.s3"]);
        let list = ManagedPrefixList::builder()
            .prefix_list_id("pl-1")
            .max_entries(2)
            .version(3)
            .build();
        let entry = PrefixListEntry::builder().cidr("10.0.0.0/8").build();
        let s = list_state(&config, &list, &[entry]);
        let m = s.as_map().unwrap();
        assert_eq!(m["version"], Value::number(3));
        assert_eq!(
            m["entries"],
            Value::set(vec![Value::map([
                ("cidr", Value::string("10.0.0.0/8")),
                ("description", Value::Null),
            ])])
        );
    }
}
