//! `aws_default_security_group`: the security group named `default` that AWS made with a VPC,
//! adopted into management. Its id is the group's, `sg-…`, which is also the import ID.
//!
//! As in the AWS provider, nothing is created: the create finds the VPC's `default` group
//! (without `vpc_id`, the group named `default` described as `default group`, as the provider
//! looks it up), sets its tags to the configured ones, revokes all its rules and authorizes the
//! configured `ingress`/`egress` (so unset blocks leave the group without rules of that
//! direction). Reads and updates are `aws_security_group`'s (one paginated
//! `DescribeSecurityGroups` for all ids). A destroy only forgets the group, as the provider's
//! (v6) does: its rules and tags stay; `revoke_rules_on_delete` is accepted and, as in the
//! provider, not used. moto serves all of it.

use async_trait::async_trait;
use aws_sdk_ec2::types::SecurityGroup;

use super::security_group::{
    group_state, planned_only, revoke_all_rules, sync_rules, SecurityGroupType, RULE,
};
use super::{read_created, with_attrs};
use crate::aws::adopt::find_by_arguments;
use crate::aws::ec2::{describe_matching, filter, Ec2Objects, Ec2Reads};
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::adopt_ec2_tags;
use crate::aws::ResourceType;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::get_str;
use crate::provider::{BlockSchema, Schema};

pub struct DefaultSecurityGroupType;

static DECLARATION: Declaration =
    Declaration::new("aws_default_security_group", &SCHEMA, Adoption::Arguments);

/// `aws_security_group`'s schema, but for the name and description, which are AWS's.
static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn owner_id name name_prefix description;
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

/// The name AWS gives every VPC's default group.
const DEFAULT_GROUP_NAME: &str = "default";

/// Finds the default group the configuration means: the VPC's, or without a VPC the one the
/// provider looks for.
async fn find_default_group(clients: &AwsClients, vpc: Option<&str>) -> Result<SecurityGroup> {
    let mut filters = vec![filter("group-name", vec![DEFAULT_GROUP_NAME.into()])];
    match vpc {
        Some(vpc) => filters.push(filter("vpc-id", vec![vpc.into()])),
        None => filters.push(filter("description", vec!["default group".into()])),
    }
    let mut found = describe_matching::<SecurityGroup>(clients, None, filters).await?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(ApiError::new(
            ErrorKind::NotFound,
            "InvalidGroup.NotFound",
            format!(
                "no default security group{}",
                vpc.map(|v| format!(" in {v}")).unwrap_or_default()
            ),
        )),
        n => Err(ApiError::new(
            ErrorKind::Invalid,
            "TooManyResults",
            format!("{n} default security groups match; set vpc_id"),
        )),
    }
}

#[async_trait]
impl ResourceType for DefaultSecurityGroupType {
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

    /// The VPC's default group: there is nothing else it could be.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let group = match find_default_group(clients, get_str(planned, "vpc_id")).await {
            Ok(g) => g,
            Err(e) if e.is_not_found() => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        find_by_arguments(self, clients, group.group_id().map(String::from)).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let group = find_default_group(clients, get_str(planned, "vpc_id")).await?;
        let id = group
            .group_id()
            .ok_or_else(|| ApiError::malformed("DescribeSecurityGroups returned no group id"))?;
        adopt_ec2_tags(clients, id, group.tags(), planned, ctx.extra_tags).await?;
        revoke_all_rules(clients, &group).await?;
        // From here the group has no rules: authorize the configured ones.
        let emptied = SecurityGroup::builder()
            .group_id(id)
            .set_owner_id(group.owner_id().map(String::from))
            .build();
        sync_rules(clients, &emptied, planned, false).await?;
        let state = read_created(self, clients, id).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    /// `aws_security_group`'s update: tags, then the configured rules against the live ones.
    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        SecurityGroupType.update(ctx, prior, planned).await
    }

    /// The provider's too: the default group cannot be deleted; it is only forgotten.
    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<()> {
        Ok(())
    }
}
