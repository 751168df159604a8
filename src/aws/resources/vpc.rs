//! `aws_vpc`: a VPC with its DNS attributes, tenancy and optional Amazon-provided IPv6 block.
//!
//! Reading reports the objects AWS creates with every VPC (main route table, default security
//! group and network ACL) as computed attributes; it does not manage them.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, NetworkAcl, ResourceType as Ec2Type, RouteTable, SecurityGroup, Tenancy,
    Vpc, VpcAttributeName, VpcCidrBlockStateCode, VpcState,
};

use super::{changed, create_call, delete_ec2, ec2_arn, read_created, recorded_id, DESCRIBE_CHUNK};
use crate::aws::call::call;
use crate::aws::ec2::{describe_ec2, describe_matching, filter, Ec2Object};
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone};
use crate::aws::resource_type::id_prefix;
use crate::aws::resource_type::States;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct VpcType;

static DECLARATION: Declaration = Declaration::new("aws_vpc", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required String: cidr_block.force_new();
        optional String: instance_tenancy.default(Default::Str("default"));
        optional Bool: enable_dns_hostnames.default(Default::Bool(false));
        optional Bool: enable_dns_support.default(Default::Bool(true));
        optional Bool: assign_generated_ipv6_cidr_block.default(Default::Bool(false));
        optional StringMap: tags;
        computed StringMap: tags_all;
        computed String: owner_id main_route_table_id default_route_table_id;
        computed String: default_security_group_id default_network_acl_id dhcp_options_id;
        computed String: ipv6_cidr_block ipv6_association_id;
    ],
    blocks: &[],
};

/// How long a VPC may take to become available, or to disappear after deletion.
const SETTLE_LIMIT: Duration = Duration::from_secs(5 * 60);
/// How long deletion keeps retrying while dependencies (ENIs, gateways) are being released.
const DEPENDENCY_LIMIT: Duration = Duration::from_secs(5 * 60);

/// What reading a VPC needs besides `DescribeVpcs`.
#[derive(Clone, Debug, PartialEq)]
struct VpcExtras {
    enable_dns_hostnames: bool,
    enable_dns_support: bool,
    main_route_table_id: Option<String>,
    default_security_group_id: Option<String>,
    default_network_acl_id: Option<String>,
}

/// The state of one VPC.
fn vpc_state(vpc: &Vpc, extras: &VpcExtras, region: &str) -> Value {
    let id = vpc.vpc_id().unwrap_or_default();
    let owner = vpc.owner_id().unwrap_or_default();
    let ipv6 = vpc.ipv6_cidr_block_association_set().iter().find(|a| {
        a.ipv6_cidr_block_state().and_then(|s| s.state())
            == Some(&VpcCidrBlockStateCode::Associated)
    });
    // Only an Amazon-provided block counts as "generated"; a BYOIP/IPAM block does not.
    let generated = ipv6.is_some_and(|a| a.ipv6_pool().is_none_or(|p| p == "Amazon"));
    let tags = string_map(&from_ec2(vpc.tags()));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("arn", Value::string(ec2_arn(region, owner, "vpc", id))),
            ("cidr_block", opt_str(vpc.cidr_block())),
            (
                "instance_tenancy",
                opt_str(vpc.instance_tenancy().map(Tenancy::as_str)),
            ),
            (
                "enable_dns_hostnames",
                Value::Bool(extras.enable_dns_hostnames),
            ),
            ("enable_dns_support", Value::Bool(extras.enable_dns_support)),
            ("assign_generated_ipv6_cidr_block", Value::Bool(generated)),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("owner_id", opt_str(vpc.owner_id())),
            (
                "main_route_table_id",
                opt_str(extras.main_route_table_id.clone()),
            ),
            (
                "default_route_table_id",
                opt_str(extras.main_route_table_id.clone()),
            ),
            (
                "default_security_group_id",
                opt_str(extras.default_security_group_id.clone()),
            ),
            (
                "default_network_acl_id",
                opt_str(extras.default_network_acl_id.clone()),
            ),
            ("dhcp_options_id", opt_str(vpc.dhcp_options_id())),
            (
                "ipv6_cidr_block",
                opt_str(ipv6.and_then(|a| a.ipv6_cidr_block())),
            ),
            (
                "ipv6_association_id",
                opt_str(ipv6.and_then(|a| a.association_id())),
            ),
        ],
    )
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> aws_sdk_ec2::operation::create_vpc::builders::CreateVpcFluentBuilder {
    clients
        .ec2
        .create_vpc()
        .set_cidr_block(get_str(planned, "cidr_block").map(String::from))
        .set_instance_tenancy(get_str(planned, "instance_tenancy").map(Tenancy::from))
        .set_amazon_provided_ipv6_cidr_block(
            get_bool(planned, "assign_generated_ipv6_cidr_block").filter(|b| *b),
        )
        .tag_specifications(tag_spec(Ec2Type::Vpc, tags))
}

/// A VPC's DNS attribute, as DescribeVpcAttribute reports it (one call per VPC and attribute:
/// there is no batch API).
pub(crate) async fn dns_attribute(
    clients: &AwsClients,
    id: &str,
    attribute: VpcAttributeName,
) -> Result<Option<bool>> {
    let out = call(|| {
        clients
            .ec2
            .describe_vpc_attribute()
            .vpc_id(id)
            .attribute(attribute.clone())
            .send()
    })
    .await?;
    let value = match attribute {
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        _ => out.enable_dns_support(),
    };
    Ok(value.and_then(|v| v.value()))
}

/// The main route table, default security group and default network ACL of each VPC, with one
/// filtered Describe call each for all of them.
async fn default_objects(
    clients: &AwsClients,
    vpc_ids: &[String],
) -> Result<BTreeMap<String, VpcExtras>> {
    let mut out: BTreeMap<String, VpcExtras> = BTreeMap::new();
    for chunk in vpc_ids.chunks(DESCRIBE_CHUNK) {
        let tables = defaults_in(
            clients,
            chunk,
            ("association.main", "true"),
            RouteTable::vpc_id,
        );
        for (vpc, id) in tables.await? {
            extras_for(&mut out, &vpc).main_route_table_id = Some(id);
        }
        let groups = defaults_in(
            clients,
            chunk,
            ("group-name", "default"),
            SecurityGroup::vpc_id,
        );
        for (vpc, id) in groups.await? {
            extras_for(&mut out, &vpc).default_security_group_id = Some(id);
        }
        let acls = defaults_in(clients, chunk, ("default", "true"), NetworkAcl::vpc_id);
        for (vpc, id) in acls.await? {
            extras_for(&mut out, &vpc).default_network_acl_id = Some(id);
        }
    }
    Ok(out)
}

/// The objects of type `T` in the VPCs `vpc_ids` that the filter `(name, value)` selects (the
/// VPCs' default ones), as (VPC id, object id); `vpc_of` gives an object's VPC.
pub(crate) async fn defaults_in<T: Ec2Object>(
    clients: &AwsClients,
    vpc_ids: &[String],
    (name, value): (&str, &str),
    vpc_of: fn(&T) -> Option<&str>,
) -> Result<Vec<(String, String)>> {
    let filters = vec![
        filter("vpc-id", vpc_ids.to_vec()),
        filter(name, vec![value.to_string()]),
    ];
    let found = describe_matching::<T>(clients, None, filters).await?;
    Ok(found
        .iter()
        .filter_map(|o| Some((vpc_of(o)?.to_string(), o.ec2_id()?.to_string())))
        .collect())
}

fn extras_for<'m>(out: &'m mut BTreeMap<String, VpcExtras>, vpc: &str) -> &'m mut VpcExtras {
    out.entry(vpc.to_string()).or_insert(VpcExtras {
        enable_dns_hostnames: false,
        enable_dns_support: true,
        main_route_table_id: None,
        default_security_group_id: None,
        default_network_acl_id: None,
    })
}

async fn set_dns_attribute(
    clients: &AwsClients,
    id: &str,
    attribute: VpcAttributeName,
    value: bool,
) -> Result<()> {
    let v = AttributeBooleanValue::builder().value(value).build();
    call(|| {
        let req = clients.ec2.modify_vpc_attribute().vpc_id(id);
        let req = match attribute {
            VpcAttributeName::EnableDnsHostnames => req.enable_dns_hostnames(v.clone()),
            _ => req.enable_dns_support(v.clone()),
        };
        req.send()
    })
    .await?;
    Ok(())
}

/// Waits until the VPC's IPv6 association reaches `target` (or, for `Disassociated`, is gone).
async fn wait_ipv6(clients: &AwsClients, id: &str, target: VpcCidrBlockStateCode) -> Result<()> {
    let ids = [id.to_string()];
    wait_until(
        &format!("the IPv6 block of {id} to be {}", target.as_str()),
        Duration::from_secs(2),
        SETTLE_LIMIT,
        || async {
            let vpcs = describe_ec2::<Vpc>(clients, &ids).await?;
            let states: Vec<VpcCidrBlockStateCode> = vpcs
                .iter()
                .flat_map(|v| v.ipv6_cidr_block_association_set())
                .filter_map(|a| a.ipv6_cidr_block_state()?.state().cloned())
                .collect();
            let done = match target {
                VpcCidrBlockStateCode::Disassociated => states
                    .iter()
                    .all(|s| *s == VpcCidrBlockStateCode::Disassociated),
                _ => states.contains(&target),
            };
            Ok(done.then_some(()))
        },
    )
    .await
}

#[async_trait]
impl ResourceType for VpcType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<Vpc> = Ec2Objects { state: None };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "VPC id", "vpc-"))
    }

    /// One `DescribeVpcs` for all ids plus one filtered call each for the default objects;
    /// the DNS attributes have no batch API, so they cost two calls per VPC.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let vpcs: Vec<Vpc> = describe_ec2::<Vpc>(clients, ids)
            .await?
            .into_iter()
            .filter(|v| v.state() != Some(&VpcState::from("deleted")))
            .collect();
        let found: Vec<String> = vpcs
            .iter()
            .filter_map(|v| v.vpc_id().map(String::from))
            .collect();
        let mut extras = default_objects(clients, &found).await?;
        let mut out = BTreeMap::new();
        for vpc in &vpcs {
            let Some(id) = vpc.vpc_id() else { continue };
            let e = extras_for(&mut extras, id);
            e.enable_dns_hostnames =
                dns_attribute(clients, id, VpcAttributeName::EnableDnsHostnames)
                    .await?
                    .unwrap_or(false);
            e.enable_dns_support = dns_attribute(clients, id, VpcAttributeName::EnableDnsSupport)
                .await?
                .unwrap_or(false);
            out.insert(id.to_string(), vpc_state(vpc, e, &clients.region));
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let out = create_call("VPC to be created", || async {
            create_request(clients, planned, &tags)
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| ApiError::malformed("CreateVpc returned no VPC id"))?
            .to_string();
        let ids = [id.clone()];
        wait_until(
            &format!("VPC {id} to become available"),
            Duration::from_secs(2),
            SETTLE_LIMIT,
            || async {
                let vpcs = describe_ec2::<Vpc>(clients, &ids).await;
                Ok(vpcs.found()?.and_then(|v| {
                    v.iter()
                        .any(|v| v.state() == Some(&VpcState::Available))
                        .then_some(())
                }))
            },
        )
        .await?;
        // Hostnames need DNS support, so support is set first.
        if get_bool(planned, "enable_dns_support") == Some(false) {
            set_dns_attribute(clients, &id, VpcAttributeName::EnableDnsSupport, false).await?;
        }
        if get_bool(planned, "enable_dns_hostnames") == Some(true) {
            set_dns_attribute(clients, &id, VpcAttributeName::EnableDnsHostnames, true).await?;
        }
        if get_bool(planned, "assign_generated_ipv6_cidr_block") == Some(true) {
            wait_ipv6(clients, &id, VpcCidrBlockStateCode::Associated).await?;
        }
        read_created(self, clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        if changed(prior, planned, "enable_dns_support") {
            let v = get_bool(planned, "enable_dns_support").unwrap_or(true);
            set_dns_attribute(clients, &id, VpcAttributeName::EnableDnsSupport, v).await?;
        }
        if changed(prior, planned, "enable_dns_hostnames") {
            let v = get_bool(planned, "enable_dns_hostnames").unwrap_or(false);
            set_dns_attribute(clients, &id, VpcAttributeName::EnableDnsHostnames, v).await?;
        }
        if changed(prior, planned, "instance_tenancy") {
            // AWS only allows moving from `dedicated` to `default`; it rejects anything else.
            let tenancy = get_str(planned, "instance_tenancy").unwrap_or("default");
            call(|| {
                clients
                    .ec2
                    .modify_vpc_tenancy()
                    .vpc_id(&id)
                    .instance_tenancy(tenancy.into())
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "assign_generated_ipv6_cidr_block") {
            if get_bool(planned, "assign_generated_ipv6_cidr_block") == Some(true) {
                call(|| {
                    clients
                        .ec2
                        .associate_vpc_cidr_block()
                        .vpc_id(&id)
                        .amazon_provided_ipv6_cidr_block(true)
                        .send()
                })
                .await?;
                wait_ipv6(clients, &id, VpcCidrBlockStateCode::Associated).await?;
            } else if let Some(assoc) = get_str(prior, "ipv6_association_id") {
                call(|| {
                    clients
                        .ec2
                        .disassociate_vpc_cidr_block()
                        .association_id(assoc)
                        .send()
                })
                .await?;
                wait_ipv6(clients, &id, VpcCidrBlockStateCode::Disassociated).await?;
            }
        }
        update_ec2_tags(clients, &id, prior, planned).await?;
        read_created(self, clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let limits = (DEPENDENCY_LIMIT, SETTLE_LIMIT);
        delete_ec2(self, clients, ("VPC", &id), limits, || {
            clients.ec2.delete_vpc().vpc_id(&id).send()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;
    use aws_sdk_ec2::types::{Tag, VpcCidrBlockState, VpcIpv6CidrBlockAssociation};

    #[test]
    fn create_request_carries_cidr_tenancy_ipv6_and_tags() {
        let planned = SCHEMA.conformed([
            ("cidr_block", Value::string("10.0.0.0/16")),
            ("assign_generated_ipv6_cidr_block", Value::Bool(true)),
            ("tags", Value::map([("Name", Value::string("main"))])),
        ]);
        let tags = BTreeMap::from([("Name".to_string(), "main".to_string())]);
        let req = create_request(&offline_clients(), &planned, &tags);
        let input = req.as_input();
        assert_eq!(input.get_cidr_block().as_deref(), Some("10.0.0.0/16"));
        assert_eq!(input.get_instance_tenancy(), &Some(Tenancy::Default));
        assert_eq!(input.get_amazon_provided_ipv6_cidr_block(), &Some(true));
        let spec = &input.get_tag_specifications().as_ref().unwrap()[0];
        assert_eq!(spec.resource_type(), Some(&Ec2Type::Vpc));
        assert_eq!(spec.tags()[0].key(), Some("Name"));
    }

    #[test]
    fn state_hides_ecsform_tags_and_reports_the_amazon_ipv6_block() {
        let vpc = Vpc::builder()
            .vpc_id("vpc-1")
            .owner_id("123456789012")
            .cidr_block("10.0.0.0/16")
            .instance_tenancy(Tenancy::Default)
            .dhcp_options_id("dopt-1")
            .ipv6_cidr_block_association_set(
                VpcIpv6CidrBlockAssociation::builder()
                    .association_id("vpc-cidr-assoc-1")
                    .ipv6_cidr_block("2600:1f18::/56")
                    .ipv6_pool("Amazon")
                    .ipv6_cidr_block_state(
                        VpcCidrBlockState::builder()
                            .state(VpcCidrBlockStateCode::Associated)
                            .build(),
                    )
                    .build(),
            )
            .tags(Tag::builder().key("Name").value("main").build())
            .tags(
                Tag::builder()
                    .key("ecsform:address")
                    .value("aws_vpc.main")
                    .build(),
            )
            .build();
        let extras = VpcExtras {
            enable_dns_hostnames: true,
            enable_dns_support: true,
            main_route_table_id: Some("rtb-1".into()),
            default_security_group_id: Some("sg-1".into()),
            default_network_acl_id: Some("acl-1".into()),
        };
        let s = vpc_state(&vpc, &extras, "eu-west-1");
        let m = s.as_map().unwrap();
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1")
        );
        assert_eq!(m["tags"], Value::map([("Name", Value::string("main"))]));
        assert_eq!(m["tags_all"], m["tags"]);
        assert_eq!(m["assign_generated_ipv6_cidr_block"], Value::Bool(true));
        assert_eq!(m["ipv6_cidr_block"], Value::string("2600:1f18::/56"));
        assert_eq!(m["default_route_table_id"], Value::string("rtb-1"));
        assert_eq!(m["enable_dns_hostnames"], Value::Bool(true));
        assert_eq!(m["instance_tenancy"], Value::string("default"));
    }
}
