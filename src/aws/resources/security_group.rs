//! `aws_security_group`: a VPC security group with optional inline `ingress`/`egress` rules.
//!
//! The rule blocks are computed blocks: when the configuration sets none, ecsform leaves
//! whatever rules AWS has (other `aws_security_group_rule`s, AWS's default allow-all egress);
//! when it sets some (even `ingress = []`), the group's rules of that direction are made to
//! match exactly, authorizing and revoking the difference source by source
//! ([`sg_permissions`]). Like the AWS provider, a configured `egress` replaces AWS's default
//! allow-all egress rule at creation. Deletion waits while network interfaces still use the
//! group (`DependencyViolation`), which is normal for a few minutes after instances go away.

use std::time::Duration;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Ec2ResourceType, SecurityGroup};

use super::sg_permissions::{self as perms, Atoms, Direction};
use super::{attr, partition, prefix_of_unique_name, read_created, unique_name, with_attrs};
use crate::aws::call::call;
use crate::aws::ec2::describe_ec2;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{wait_until, ApiError, OrGone};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_blocks, get_bool, get_str, opt_str, state_object, string_map};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct SecurityGroupType;

static DECLARATION: Declaration = Declaration::new("aws_security_group", &SCHEMA, Adoption::Tags)
    .generated_name("name", "name_prefix", "ecsform-");

/// The description the AWS provider gives groups without one, in ecsform's words.
pub const DEFAULT_DESCRIPTION: &str = "Managed by ecsform";

/// How long deletion waits for network interfaces to let go of the group.
const DELETE_LIMIT: Duration = Duration::from_secs(10 * 60);

pub(crate) static RULE: &[AttrSchema] = attrs![
    required Number: from_port to_port;
    required String: protocol;
    optional StringSet: cidr_blocks ipv6_cidr_blocks prefix_list_ids security_groups;
    optional Bool: self.default(Default::Bool(false));
    optional String: description;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn owner_id;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional String: description.force_new().default(Default::Str(DEFAULT_DESCRIPTION));
        optional_computed String: vpc_id.force_new();
        optional Bool: revoke_rules_on_delete.default(Default::Bool(false)).local();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::set("ingress", RULE).computed(),
        BlockSchema::set("egress", RULE).computed(),
    ],
};

/// One group's rules of one direction, as atoms.
fn group_atoms(g: &SecurityGroup, direction: Direction) -> Atoms {
    let list = match direction {
        Direction::Ingress => g.ip_permissions(),
        Direction::Egress => g.ip_permissions_egress(),
    };
    perms::permissions_atoms(list, g.owner_id())
}

pub(crate) fn group_state(g: &SecurityGroup, region: &str) -> Option<(String, Value)> {
    let id = g.group_id()?.to_string();
    let owner = g.owner_id().unwrap_or_default();
    let arn = g.security_group_arn().map(String::from).unwrap_or_else(|| {
        format!(
            "arn:{}:ec2:{region}:{owner}:security-group/{id}",
            partition(region)
        )
    });
    let tags = string_map(&from_ec2(g.tags()));
    let name = g.group_name().unwrap_or_default();
    let blocks = |d| Value::set(perms::rule_blocks(&group_atoms(g, d), &id));
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            ("arn", Value::string(arn)),
            ("owner_id", Value::string(owner)),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            ("description", opt_str(g.description())),
            ("vpc_id", opt_str(g.vpc_id())),
            // Not stored by AWS: the default, until the planned value says otherwise.
            ("revoke_rules_on_delete", Value::Bool(false)),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("ingress", blocks(Direction::Ingress)),
            ("egress", blocks(Direction::Egress)),
        ],
    );
    Some((id, state))
}

/// The atoms `planned` asks for in `direction`, or `None` when its blocks are unknown
/// (not configured: leave AWS's rules alone).
fn planned_atoms(planned: &Value, direction: Direction, group_id: &str) -> Option<Atoms> {
    if !attr(planned, direction.as_str()).is_known() {
        return None;
    }
    Some(
        get_blocks(planned, direction.as_str())
            .iter()
            .flat_map(|b| perms::rule_atoms(b, group_id, "security_groups"))
            .collect(),
    )
}

/// Brings the rules of both configured directions of `group` to `planned`.
pub(crate) async fn sync_rules(
    clients: &AwsClients,
    group: &SecurityGroup,
    planned: &Value,
    group_is_new: bool,
) -> Result<()> {
    let id = group.group_id().unwrap_or_default();
    for direction in [Direction::Ingress, Direction::Egress] {
        if let Some(want) = planned_atoms(planned, direction, id) {
            let d = perms::diff(&group_atoms(group, direction), &want);
            if !d.is_empty() {
                perms::apply_set_diff(clients, id, direction, &d, group_is_new).await?;
            }
        }
    }
    Ok(())
}

/// Revokes every rule of `group`, both directions.
pub(crate) async fn revoke_all_rules(clients: &AwsClients, group: &SecurityGroup) -> Result<()> {
    let id = group.group_id().unwrap_or_default();
    for direction in [Direction::Ingress, Direction::Egress] {
        let d = perms::diff(&group_atoms(group, direction), &Atoms::new());
        if !d.is_empty() {
            perms::apply_set_diff(clients, id, direction, &d, false).await?;
        }
    }
    Ok(())
}

/// Reads one group right after its creation or an update, retrying while it is not visible.
async fn describe_created(clients: &AwsClients, id: &str) -> Result<SecurityGroup> {
    let ids = [id.to_string()];
    wait_until(
        &format!("security group {id} to become visible"),
        Duration::from_secs(2),
        Duration::from_secs(120),
        || async {
            Ok(describe_ec2::<SecurityGroup>(clients, &ids)
                .await
                .found()?
                .and_then(|groups| groups.into_iter().next()))
        },
    )
    .await
}

/// Attributes AWS does not store, carried over from the planned value.
pub(crate) fn planned_only(planned: &Value) -> [(&'static str, Value); 1] {
    [(
        "revoke_rules_on_delete",
        Value::Bool(get_bool(planned, "revoke_rules_on_delete").unwrap_or(false)),
    )]
}

#[async_trait]
impl ResourceType for SecurityGroupType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<SecurityGroup> = Ec2Objects {
            state: Some(|g, region| group_state(g, region).map(|(_, v)| v)),
        };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "security group id", "sg-"))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
            (Some(n), _) => n.to_string(),
            (None, Some(p)) => unique_name(p),
            (None, None) => unique_name("ecsform-"),
        };
        let description = get_str(planned, "description").unwrap_or(DEFAULT_DESCRIPTION);
        let tags = creation_tags(planned, ctx.extra_tags);
        let created = call(|| {
            ctx.clients
                .ec2
                .create_security_group()
                .group_name(&name)
                .description(description)
                .set_vpc_id(get_str(planned, "vpc_id").map(String::from))
                .tag_specifications(tag_spec(Ec2ResourceType::SecurityGroup, &tags))
                .send()
        })
        .await?;
        let id = created
            .group_id()
            .ok_or_else(|| ApiError::malformed("CreateSecurityGroup returned no group id"))?;
        // What AWS put there by itself (the default egress rule) is the starting point.
        if [Direction::Ingress, Direction::Egress]
            .iter()
            .any(|d| attr(planned, d.as_str()).is_known())
        {
            let group = describe_created(ctx.clients, id).await?;
            sync_rules(ctx.clients, &group, planned, true).await?;
        }
        let state = read_created(self, ctx.clients, id).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        if attr(prior, "tags_all") != attr(planned, "tags_all") {
            update_ec2_tags(ctx.clients, id, prior, planned).await?;
        }
        // Diff against the live rules, not the state: someone may have changed them.
        let group = describe_created(ctx.clients, id).await?;
        sync_rules(ctx.clients, &group, planned, false).await?;
        let state = read_created(self, ctx.clients, id).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(id) = get_str(prior, "id") else {
            return Ok(());
        };
        if get_bool(prior, "revoke_rules_on_delete") == Some(true) {
            // Rules naming other groups would keep those from being deleted (and vice versa).
            let Some(groups) = describe_ec2::<SecurityGroup>(ctx.clients, &[id.to_string()])
                .await
                .found()?
            else {
                return Ok(());
            };
            for g in &groups {
                revoke_all_rules(ctx.clients, g).await?;
            }
        }
        wait_until(
            &format!(
                "security group {id} to be deleted (network interfaces still use it: \
                 DependencyViolation)"
            ),
            Duration::from_secs(5),
            DELETE_LIMIT,
            || async {
                let r = call(|| ctx.clients.ec2.delete_security_group().group_id(id).send()).await;
                match r.ok_if_gone() {
                    Err(e) if e.is_dependency_violation() => Ok(None),
                    r => r.map(Some),
                }
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::values::string_set;

    #[test]
    fn unset_rule_blocks_are_left_alone_and_empty_ones_clear() {
        let conformed = SCHEMA.conformed([("name", Value::string("web"))]);
        assert_eq!(planned_atoms(&conformed, Direction::Ingress, "sg-1"), None);
        let conformed = SCHEMA.conformed([("ingress", Value::List(vec![]))]);
        assert_eq!(
            planned_atoms(&conformed, Direction::Ingress, "sg-1"),
            Some(Atoms::new())
        );
        assert_eq!(planned_atoms(&conformed, Direction::Egress, "sg-1"), None);
    }

    #[test]
    fn configured_egress_replaces_the_default_allow_all_rule() {
        let default_egress = perms::rule_atoms(
            &Value::map([
                ("protocol", Value::string("-1")),
                ("cidr_blocks", string_set(["0.0.0.0/0"])),
            ]),
            "sg-1",
            "security_groups",
        );
        let planned = SCHEMA.conformed([(
            "egress",
            Value::List(vec![Value::map([
                ("from_port", Value::number(443)),
                ("to_port", Value::number(443)),
                ("protocol", Value::string("tcp")),
                ("cidr_blocks", string_set(["0.0.0.0/0"])),
            ])]),
        )]);
        let want = planned_atoms(&planned, Direction::Egress, "sg-1").unwrap();
        let d = perms::diff(&default_egress, &want);
        assert_eq!(d.revoke, default_egress);
        assert_eq!(d.authorize, want);
    }
}
