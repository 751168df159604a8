//! `aws_default_vpc`: the region's default VPC, adopted into management. Its id is the VPC's,
//! `vpc-…`, which is also the import ID.
//!
//! As in the AWS provider (whose schema for this type, missing from the reference file, was
//! written from `internal/service/ec2/vpc_default_vpc.go`: `aws_vpc`'s, with `cidr_block` and
//! `instance_tenancy` computed, `enable_dns_hostnames` defaulting to true, no IPv4 IPAM
//! arguments, and `existing_default_vpc` and `force_destroy` added): the create finds the
//! region's default VPC (`is-default`) and only when there is none makes one with
//! CreateDefaultVpc; `existing_default_vpc` says which. It then applies the configured DNS
//! settings, IPv6 block and tags (tags the configuration lacks are removed, AWS's `aws:` ones
//! aside). Reads and updates are `aws_vpc`'s. A destroy only forgets the VPC, unless
//! `force_destroy` is set: then it is deleted as an `aws_vpc` is. The IPv6 IPAM arguments,
//! `ipv6_cidr_block_network_border_group` and `enable_network_address_usage_metrics` are not
//! supported yet. moto has a default VPC in each region and serves all of it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use std::time::Duration;

use aws_sdk_ec2::types::{Filter, Tag, Vpc, VpcState};

use super::vpc::VpcType;
use super::{read_created, recorded_id, with_attrs};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::ec2::{describe_ec2, describe_matching, Ec2Object};
use crate::aws::error::{wait_until, ApiError, OrGone, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::tags::adopt_ec2_tags;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::get_bool;
use crate::provider::Schema;

pub struct DefaultVpcType;

static DECLARATION: Declaration = Declaration::new("aws_default_vpc", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn cidr_block instance_tenancy;
        optional Bool: enable_dns_hostnames.default(Default::Bool(true));
        optional Bool: enable_dns_support.default(Default::Bool(true));
        optional Bool: assign_generated_ipv6_cidr_block.default(Default::Bool(false));
        optional StringMap: tags;
        computed StringMap: tags_all;
        computed String: owner_id main_route_table_id default_route_table_id;
        computed String: default_security_group_id default_network_acl_id dhcp_options_id;
        computed String: ipv6_cidr_block ipv6_association_id;
        computed Bool: existing_default_vpc.local();
        optional Bool: force_destroy.local().default(Default::Bool(false));
    ],
    blocks: &[],
};

/// The arguments the configuration sets on an adopted object: what the create applies.
const APPLIED: &[&str] = &[
    "enable_dns_hostnames",
    "enable_dns_support",
    "assign_generated_ipv6_cidr_block",
    "tags",
    "tags_all",
];

/// A state of `schema`'s shape from a state of a related type's (`aws_vpc`'s for
/// `aws_default_vpc`): the attributes both have, null for the rest (set by the caller).
pub(crate) fn reshaped(schema: &Schema, state: &Value) -> Value {
    let from = state.as_map().cloned().unwrap_or_default();
    let m: BTreeMap<String, Value> = schema
        .attributes
        .iter()
        .map(|a| {
            let v = from.get(a.name).cloned().unwrap_or(Value::Null);
            (a.name.to_string(), v)
        })
        .collect();
    Value::Map(m)
}

/// `current` (an object as read, in the related type's shape) with the arguments `names` as
/// `planned` has them: what an update of the related type takes to apply the configuration
/// to an adopted object, without touching what the configuration leaves to AWS.
pub(crate) fn applied(current: &Value, planned: &Value, names: &[&'static str]) -> Value {
    let pairs: Vec<(&'static str, Value)> = names
        .iter()
        .filter_map(|n| Some((*n, planned.as_map()?.get(*n)?.clone())))
        // What the plan does not know yet is AWS's to choose: the object keeps it.
        .filter(|(_, v)| v.is_wholly_known())
        .collect();
    with_attrs(current.clone(), pairs)
}

/// The region's default VPC, if there is one.
async fn find_default_vpc(clients: &AwsClients) -> Result<Option<Vpc>> {
    let filters = vec![Filter::builder().name("is-default").values("true").build()];
    let found = describe_matching::<Vpc>(clients, None, filters).await?;
    Ok(found.into_iter().next())
}

/// How a default object (a VPC, a subnet) is managed through the type of its kind: reads,
/// updates and a forced delete are that type's; `applied` are the arguments the create applies
/// to the adopted object; `existing` the computed attribute that says whether it was there.
pub(crate) struct Adopted {
    pub related: &'static dyn ResourceType,
    pub applied: &'static [&'static str],
    pub existing: &'static str,
}

static ADOPTED: Adopted = Adopted {
    related: &VpcType,
    applied: APPLIED,
    existing: "existing_default_vpc",
};

impl Adopted {
    /// The attributes AWS does not store: whether the object existed (`existing` at create,
    /// else as `planned` has it) and `force_destroy`.
    fn locals(&self, planned: &Value, existing: Option<bool>) -> [(&'static str, Value); 2] {
        let existing = existing
            .map(Value::Bool)
            .or_else(|| planned.as_map()?.get(self.existing).cloned())
            .unwrap_or(Value::Null);
        [
            (self.existing, existing),
            (
                "force_destroy",
                Value::Bool(get_bool(planned, "force_destroy").unwrap_or(false)),
            ),
        ]
    }

    /// Waits until the default object `id` that a create made is `available` (`T`'s
    /// `available` says so).
    pub(crate) async fn wait_available<T: Ec2Object>(
        &self,
        clients: &AwsClients,
        id: &str,
        available: fn(&T) -> bool,
    ) -> Result<()> {
        let ids = [id.to_string()];
        wait_until(
            &format!("{id} to become available"),
            Duration::from_secs(2),
            Duration::from_secs(10 * 60),
            || async {
                let found = describe_ec2::<T>(clients, &ids).await.found()?;
                Ok(found
                    .unwrap_or_default()
                    .iter()
                    .any(available)
                    .then_some(()))
            },
        )
        .await
    }

    /// The rest of a create once `id` is found or made (`existing` says which): its tags made
    /// the planned ones (but AWS's own), then the configured arguments applied through the
    /// related type's update, against the object as read. Returns `this` type's state.
    pub(crate) async fn configure(
        &self,
        this: &dyn ResourceType,
        ctx: &CallContext<'_>,
        (id, tags, existing): (&str, &[Tag], bool),
        planned: &Value,
    ) -> Result<Value> {
        let clients = ctx.clients;
        adopt_ec2_tags(clients, id, tags, planned, ctx.extra_tags).await?;
        let current = read_created(self.related, clients, id).await?;
        let wanted = applied(&current, planned, self.applied);
        self.related.update(ctx, &current, &wanted).await?;
        let state = read_created(this, clients, id).await?;
        Ok(with_attrs(state, self.locals(planned, Some(existing))))
    }

    /// The related type's read, in `schema`'s shape.
    pub(crate) async fn read(
        &self,
        schema: &Schema,
        clients: &AwsClients,
        ids: &[String],
    ) -> Result<States> {
        let read = self.related.read_many(clients, ids).await?;
        Ok(read
            .into_iter()
            .map(|(id, v)| (id, reshaped(schema, &v)))
            .collect())
    }

    /// The related type's update.
    pub(crate) async fn update(
        &self,
        this: &dyn ResourceType,
        ctx: &CallContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value> {
        let id = recorded_id(this, prior)?;
        self.related.update(ctx, prior, planned).await?;
        let state = read_created(this, ctx.clients, &id).await?;
        Ok(with_attrs(state, self.locals(planned, None)))
    }

    /// Forgotten, as in the provider, unless `force_destroy`: then deleted as the related
    /// type deletes.
    pub(crate) async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        if get_bool(prior, "force_destroy") == Some(true) {
            return self.related.delete(ctx, prior).await;
        }
        Ok(())
    }
}

#[async_trait]
impl ResourceType for DefaultVpcType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "VPC id", "vpc-"))
    }

    /// The region's default VPC: there is nothing else it could be.
    async fn find_created(
        &self,
        clients: &AwsClients,
        _planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let vpc = find_default_vpc(clients).await?;
        find_by_arguments(
            self,
            clients,
            vpc.and_then(|v| v.vpc_id().map(String::from)),
        )
        .await
    }

    /// `aws_vpc`'s read.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        ADOPTED.read(&SCHEMA, clients, ids).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let (vpc, existing) = match find_default_vpc(clients).await? {
            Some(vpc) => (vpc, true),
            None => {
                let out = call(|| clients.ec2.create_default_vpc().send()).await?;
                let vpc = out
                    .vpc()
                    .cloned()
                    .ok_or_else(|| ApiError::malformed("CreateDefaultVpc returned no VPC"))?;
                (vpc, false)
            }
        };
        let id = vpc
            .vpc_id()
            .ok_or_else(|| ApiError::malformed("the default VPC has no id"))?;
        if !existing {
            let available = |v: &Vpc| v.state() == Some(&VpcState::Available);
            ADOPTED.wait_available(clients, id, available).await?;
        }
        ADOPTED
            .configure(self, ctx, (id, vpc.tags(), existing), planned)
            .await
    }

    /// `aws_vpc`'s update.
    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        ADOPTED.update(self, ctx, prior, planned).await
    }

    /// Forgotten, as in the provider, unless `force_destroy`: then deleted as an `aws_vpc`.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        ADOPTED.delete(ctx, prior).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_arguments_are_applied() {
        let current = Value::map([
            ("enable_dns_hostnames", Value::Bool(false)),
            ("instance_tenancy", Value::string("default")),
        ]);
        let planned = Value::map([
            ("enable_dns_hostnames", Value::Bool(true)),
            ("instance_tenancy", Value::Unknown),
        ]);
        let v = applied(&current, &planned, APPLIED);
        assert_eq!(get_bool(&v, "enable_dns_hostnames"), Some(true));
        assert_eq!(
            crate::provider::values::get_str(&v, "instance_tenancy"),
            Some("default")
        );
        let shaped = reshaped(&SCHEMA, &v);
        assert_eq!(shaped.as_map().unwrap().len(), SCHEMA.attributes.len());
    }
}
