//! `aws_default_network_acl`: the network ACL AWS made with a VPC, adopted into management.
//! Its id is the ACL's, `acl-…`, which is also the import ID.
//!
//! As in the AWS provider, nothing is created: the create finds the ACL
//! `default_network_acl_id` names (refusing one that is not a default ACL), makes its rules
//! exactly the configured `ingress`/`egress` (none configured: none, but AWS's catch-all
//! rules), associates the configured subnets and sets its tags to the configured ones. Unlike
//! `aws_network_acl`, the rules and `subnet_ids` are not computed: unset means none. A subnet
//! taken out of `subnet_ids` cannot be moved anywhere else (every subnet needs an ACL), so it
//! stays, as in the provider. A destroy only forgets the ACL. Refresh reads all ACLs in one
//! paginated `DescribeNetworkAcls`. moto serves all of it.

use async_trait::async_trait;
use aws_sdk_ec2::types::NetworkAcl;

use super::network_acl::{
    associate, associated_subnets, normalize_rule_blocks, rule_set, subnet_changes, sync_rules,
    RULE,
};
use super::{ec2_arn, read_created, recorded_id};
use crate::aws::adopt::find_by_arguments;
use crate::aws::ec2::{describe_ec2, Ec2Objects, Ec2Reads};
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::{adopt_ec2_tags, from_ec2, update_ec2_tags};
use crate::aws::ResourceType;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_blocks, get_str, opt_str, state_object, string_map, string_set};
use crate::provider::{BlockSchema, Schema};

pub struct DefaultNetworkAclType;

static DECLARATION: Declaration =
    Declaration::new("aws_default_network_acl", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn owner_id vpc_id;
        required String: default_network_acl_id.force_new();
        optional StringSet: subnet_ids;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::set("ingress", RULE),
        BlockSchema::set("egress", RULE),
    ],
};

fn acl_state(acl: &NetworkAcl, region: &str) -> Option<Value> {
    let id = acl.network_acl_id()?;
    let owner = acl.owner_id().unwrap_or_default();
    let tags = string_map(&from_ec2(acl.tags()));
    let subnets = associated_subnets(acl);
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("default_network_acl_id", Value::string(id)),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "network-acl", id)),
            ),
            ("owner_id", opt_str(acl.owner_id())),
            ("vpc_id", opt_str(acl.vpc_id())),
            // Optional, not computed, in the provider: no subnets reads as unset.
            (
                "subnet_ids",
                if subnets.is_empty() {
                    Value::Null
                } else {
                    string_set(subnets)
                },
            ),
            ("ingress", rule_set(acl, false)),
            ("egress", rule_set(acl, true)),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    ))
}

#[async_trait]
impl ResourceType for DefaultNetworkAclType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<NetworkAcl> = Ec2Objects {
            state: Some(acl_state),
        };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "network ACL id", "acl-"))
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_rule_blocks(value)
    }

    /// The ACL the arguments name: there is nothing else it could be.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = get_str(planned, "default_network_acl_id").map(String::from);
        find_by_arguments(self, clients, id).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = get_str(planned, "default_network_acl_id")
            .ok_or_else(|| ApiError::malformed("aws_default_network_acl has no id"))?
            .to_string();
        let found: Vec<NetworkAcl> = describe_ec2(clients, std::slice::from_ref(&id)).await?;
        let acl = found.first().ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "InvalidNetworkAclID.NotFound",
                format!("network ACL {id} does not exist"),
            )
        })?;
        if acl.is_default() != Some(true) {
            return Err(ApiError::new(
                ErrorKind::Invalid,
                "NotDefaultNetworkAcl",
                format!(
                    "{id} is not a default network ACL: use the `aws_network_acl` resource instead"
                ),
            ));
        }
        // The rules become exactly the configured ones.
        for (name, egress) in [("ingress", false), ("egress", true)] {
            let live = get_blocks(&Value::map([(name, rule_set(acl, egress))]), name);
            sync_rules(clients, &id, egress, &live, &get_blocks(planned, name)).await?;
        }
        let (add, _) = subnet_changes(&Value::Null, planned);
        associate(clients, &id, &add).await?;
        adopt_ec2_tags(clients, &id, acl.tags(), planned, ctx.extra_tags).await?;
        read_created(self, clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        for (name, egress) in [("ingress", false), ("egress", true)] {
            let (before, after) = (get_blocks(prior, name), get_blocks(planned, name));
            sync_rules(clients, &id, egress, &before, &after).await?;
        }
        // Subnets taken out have nowhere else to go: only added ones move.
        let (add, _) = subnet_changes(prior, planned);
        associate(clients, &id, &add).await?;
        update_ec2_tags(clients, &id, prior, planned).await?;
        read_created(self, clients, &id).await
    }

    /// The provider's too: a default network ACL cannot be deleted; it is only forgotten.
    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<()> {
        Ok(())
    }
}
