//! `aws_network_acl`: a VPC network ACL with inline `ingress`/`egress` rules and the subnets it
//! is associated with; and what `aws_default_network_acl` and `aws_network_acl_rule` share
//! with it: rules as the provider writes them ([`RULE`], protocols as IANA numbers), sending
//! rule changes, and moving subnets between ACLs. Its id is AWS's, `acl-…`.
//!
//! As in the provider, `ingress`/`egress` and `subnet_ids` are computed: unset, they keep what
//! AWS has; set, the rules are made to match (entries removed, then added; AWS's catch-all
//! rules 32767 and 32768 are never shown nor touched) and the subnets moved here. A subnet
//! taken out of the list goes back to the VPC's default network ACL, as does every subnet of an
//! ACL being deleted. Refresh reads all ACLs in one paginated `DescribeNetworkAcls`. Protocols
//! are compared as numbers (`tcp` is `6`), actions without case, ICMP type and code only for
//! ICMP rules. moto serves all of it.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IcmpTypeCode, NetworkAcl, NetworkAclEntry, PortRange, ResourceType as Ec2Type, RuleAction,
};

use super::{create_call, delete_ec2, ec2_arn, read_created, recorded_id};
use crate::aws::call::call;
use crate::aws::ec2::{describe_ec2, describe_matching, filter, Ec2Objects, Ec2Reads};
use crate::aws::error::{from_sdk, ApiError, ErrorKind, Result};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::{Adoption, AwsClients, CallContext, Declaration, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_blocks, get_i32, get_str, get_strings, opt_str};
use crate::provider::values::{state_object, string_map, string_set};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct NetworkAclType;

static DECLARATION: Declaration = Declaration::new("aws_network_acl", &SCHEMA, Adoption::Tags);

/// One `ingress` or `egress` rule, as the provider writes it.
pub(crate) static RULE: &[AttrSchema] = attrs![
    required Number: from_port to_port rule_no;
    required String: action protocol;
    optional String: cidr_block ipv6_cidr_block;
    optional Number: icmp_code icmp_type;
];

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn owner_id;
        required String: vpc_id.force_new();
        optional_computed StringSet: subnet_ids;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::set("ingress", RULE).computed(),
        BlockSchema::set("egress", RULE).computed(),
    ],
};

/// The rule numbers of AWS's catch-all deny rules (IPv4, IPv6), which cannot be changed.
const CATCH_ALL: [i32; 2] = [32767, 32768];

/// How long a deletion may be refused while AWS releases what used the ACL.
const DELETE_LIMIT: Duration = Duration::from_secs(5 * 60);
const SETTLE_LIMIT: Duration = Duration::from_secs(2 * 60);

/// IANA protocol names the provider accepts for network ACL rules, with their numbers.
pub(crate) const PROTOCOLS: &[(&str, i32)] = &[
    ("all", -1),
    ("hopopt", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("ggp", 3),
    ("ipv4", 4),
    ("st", 5),
    ("tcp", 6),
    ("cbt", 7),
    ("egp", 8),
    ("igp", 9),
    ("bbn-rcc-mon", 10),
    ("nvp-ii", 11),
    ("pup", 12),
    ("argus", 13),
    ("emcon", 14),
    ("xnet", 15),
    ("chaos", 16),
    ("udp", 17),
    ("mux", 18),
    ("dcn-meas", 19),
    ("hmp", 20),
    ("prm", 21),
    ("xns-idp", 22),
    ("trunk-1", 23),
    ("trunk-2", 24),
    ("leaf-1", 25),
    ("leaf-2", 26),
    ("rdp", 27),
    ("irtp", 28),
    ("iso-tp4", 29),
    ("netblt", 30),
    ("mfe-nsp", 31),
    ("merit-inp", 32),
    ("dccp", 33),
    ("3pc", 34),
    ("idpr", 35),
    ("xtp", 36),
    ("ddp", 37),
    ("idpr-cmtp", 38),
    ("tp++", 39),
    ("il", 40),
    ("ipv6", 41),
    ("sdrp", 42),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("idrp", 45),
    ("rsvp", 46),
    ("gre", 47),
    ("dsr", 48),
    ("bna", 49),
    ("esp", 50),
    ("ah", 51),
    ("i-nlsp", 52),
    ("swipe", 53),
    ("narp", 54),
    ("mobile", 55),
    ("tlsp", 56),
    ("ipv6-icmp", 58),
    ("ipv6-nonxt", 59),
    ("ipv6-opts", 60),
    ("61", 61),
    ("cftp", 62),
    ("63", 63),
    ("sat-expak", 64),
    ("kryptolan", 65),
    ("rvd", 66),
    ("ippc", 67),
    ("68", 68),
    ("sat-mon", 69),
    ("visa", 70),
    ("ipcv", 71),
    ("cpnx", 72),
    ("cphb", 73),
    ("wsn", 74),
    ("pvp", 75),
    ("br-sat-mon", 76),
    ("sun-nd", 77),
    ("wb-mon", 78),
    ("wb-expak", 79),
    ("iso-ip", 80),
    ("vmtp", 81),
    ("secure-vmtp", 82),
    ("vines", 83),
    ("ttp", 84),
    ("nsfnet-igp", 85),
    ("dgp", 86),
    ("tcf", 87),
    ("eigrp", 88),
    ("ospfigp", 89),
    ("sprite-rpc", 90),
    ("larp", 91),
    ("mtp", 92),
    ("ax.25", 93),
    ("ipip", 94),
    ("micp", 95),
    ("scc-sp", 96),
    ("etherip", 97),
    ("encap", 98),
    ("99", 99),
    ("gmtp", 100),
    ("ifmp", 101),
    ("pnni", 102),
    ("pim", 103),
    ("aris", 104),
    ("scps", 105),
    ("qnx", 106),
    ("a/n", 107),
    ("ipcomp", 108),
    ("snp", 109),
    ("compaq-peer", 110),
    ("ipx-in-ip", 111),
    ("vrrp", 112),
    ("pgm", 113),
    ("114", 114),
    ("l2tp", 115),
    ("dd", 116),
    ("iatp", 117),
    ("stp", 118),
    ("srp", 119),
    ("uti", 120),
    ("smp", 121),
    ("sm", 122),
    ("ptp", 123),
    ("isis-over-ipv4", 124),
    ("fire", 125),
    ("crtp", 126),
    ("crudp", 127),
    ("sscopmce", 128),
    ("iplt", 129),
    ("sps", 130),
    ("pipe", 131),
    ("sctp", 132),
    ("fc", 133),
    ("rsvp-e2e-ignore", 134),
    ("mobility-header", 135),
    ("udplite", 136),
    ("mpls-in-ip", 137),
    ("manet", 138),
    ("hip", 139),
    ("shim6", 140),
    ("wesp", 141),
    ("rohc", 142),
    ("253", 253),
    ("254", 254),
];

/// A protocol as the provider takes it (an IANA name or number) as its number, or `None` for
/// one the provider does not know.
pub(crate) fn protocol_number(p: &str) -> Option<i32> {
    match p.parse::<i32>() {
        Ok(n) => PROTOCOLS.iter().any(|(_, m)| *m == n).then_some(n),
        Err(_) => PROTOCOLS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(p))
            .map(|(_, n)| *n),
    }
}

fn is_icmp(protocol: i32) -> bool {
    protocol == 1 || protocol == 58
}

/// A rule (block or `aws_network_acl_rule`) in the form AWS reports it: the protocol as its
/// number, the action in lower case, ICMP type and code only for ICMP. `names` are the
/// attribute names of the action and rule number (`action`/`rule_no` in a block,
/// `rule_action`/`rule_number` for `aws_network_acl_rule`). Unknown parts pass through.
pub(crate) fn normalize_rule(rule: Value, action: &str) -> Value {
    let Value::Map(mut m) = rule else {
        return rule;
    };
    let number = m
        .get("protocol")
        .and_then(Value::as_str)
        .and_then(protocol_number);
    if let Some(n) = number {
        m.insert("protocol".into(), Value::string(n.to_string()));
        if !is_icmp(n) {
            m.insert("icmp_type".into(), Value::Null);
            m.insert("icmp_code".into(), Value::Null);
        }
    }
    if let Some(a) = m.get(action).and_then(Value::as_str) {
        let lower = a.to_ascii_lowercase();
        m.insert(action.into(), Value::string(lower));
    }
    Value::Map(m)
}

/// `value` with the rules of its `ingress` and `egress` blocks normalised.
pub(crate) fn normalize_rule_blocks(value: Value) -> Value {
    let Value::Map(mut m) = value else {
        return value;
    };
    for name in ["ingress", "egress"] {
        if let Some(Value::Set(items) | Value::List(items)) = m.get(name) {
            let rules = items
                .iter()
                .map(|r| normalize_rule(r.clone(), "action"))
                .collect();
            m.insert(name.into(), Value::set(rules));
        }
    }
    Value::Map(m)
}

/// An entry as a rule block: the provider's shape, ports 0 where AWS reports none.
fn entry_block(e: &NetworkAclEntry) -> Value {
    let protocol = e.protocol().unwrap_or("-1");
    let ports = e.port_range();
    let icmp = e.icmp_type_code();
    let number = |n: Option<i32>| n.map_or(Value::Null, Value::number);
    let block = Value::map([
        ("rule_no", number(e.rule_number())),
        (
            "action",
            opt_str(e.rule_action().map(|a| a.as_str().to_ascii_lowercase())),
        ),
        ("protocol", Value::string(protocol)),
        ("cidr_block", opt_str(e.cidr_block())),
        ("ipv6_cidr_block", opt_str(e.ipv6_cidr_block())),
        (
            "from_port",
            Value::number(ports.and_then(|p| p.from()).unwrap_or(0)),
        ),
        (
            "to_port",
            Value::number(ports.and_then(|p| p.to()).unwrap_or(0)),
        ),
        ("icmp_type", number(icmp.and_then(|i| i.r#type()))),
        ("icmp_code", number(icmp.and_then(|i| i.code()))),
    ]);
    normalize_rule(block, "action")
}

/// The ACL's rules of one direction, AWS's catch-all rules left out.
pub(crate) fn rule_set(acl: &NetworkAcl, egress: bool) -> Value {
    Value::set(
        acl.entries()
            .iter()
            .filter(|e| e.egress() == Some(egress))
            .filter(|e| !e.rule_number().is_some_and(|n| CATCH_ALL.contains(&n)))
            .map(entry_block)
            .collect(),
    )
}

/// The subnets associated with the ACL.
pub(crate) fn associated_subnets(acl: &NetworkAcl) -> Vec<&str> {
    acl.associations()
        .iter()
        .filter_map(|a| a.subnet_id())
        .collect()
}

fn acl_state(acl: &NetworkAcl, region: &str) -> Option<Value> {
    let id = acl.network_acl_id()?;
    let owner = acl.owner_id().unwrap_or_default();
    let tags = string_map(&from_ec2(acl.tags()));
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "network-acl", id)),
            ),
            ("owner_id", opt_str(acl.owner_id())),
            ("vpc_id", opt_str(acl.vpc_id())),
            ("subnet_ids", string_set(associated_subnets(acl))),
            ("ingress", rule_set(acl, false)),
            ("egress", rule_set(acl, true)),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    ))
}

/// An entry to create or delete, from a rule value whose attributes are named as in a block
/// (`names`: action, rule number) or as in `aws_network_acl_rule`.
pub(crate) struct Entry {
    pub rule_number: i32,
    pub egress: bool,
    pub protocol: String,
    pub action: String,
    pub cidr_block: Option<String>,
    pub ipv6_cidr_block: Option<String>,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub icmp_type: Option<i32>,
    pub icmp_code: Option<i32>,
}

impl Entry {
    /// The entry a rule value describes; `[action, rule_no]` name those attributes.
    pub(crate) fn from_value(
        v: &Value,
        egress: bool,
        [action, rule_no]: [&str; 2],
    ) -> Result<Entry> {
        let invalid = |m: String| ApiError::new(ErrorKind::Invalid, "InvalidParameterValue", m);
        let given = get_str(v, "protocol").unwrap_or_default();
        let protocol = protocol_number(given)
            .ok_or_else(|| invalid(format!("unsupported network ACL protocol: {given}")))?;
        let (from_port, to_port) = (get_i32(v, "from_port"), get_i32(v, "to_port"));
        if protocol == -1 && (from_port.unwrap_or(0) != 0 || to_port.unwrap_or(0) != 0) {
            return Err(invalid(format!(
                "to_port ({}) and from_port ({}) must both be 0 to use the 'all' \"-1\" protocol",
                to_port.unwrap_or(0),
                from_port.unwrap_or(0)
            )));
        }
        Ok(Entry {
            rule_number: get_i32(v, rule_no).unwrap_or_default(),
            egress,
            protocol: protocol.to_string(),
            action: get_str(v, action).unwrap_or("allow").to_ascii_lowercase(),
            cidr_block: get_str(v, "cidr_block").map(String::from),
            ipv6_cidr_block: get_str(v, "ipv6_cidr_block").map(String::from),
            from_port,
            to_port,
            icmp_type: is_icmp(protocol).then(|| get_i32(v, "icmp_type")).flatten(),
            icmp_code: is_icmp(protocol).then(|| get_i32(v, "icmp_code")).flatten(),
        })
    }

    pub(crate) fn create_request(
        &self,
        clients: &AwsClients,
        acl: &str,
    ) -> aws_sdk_ec2::operation::create_network_acl_entry::builders::CreateNetworkAclEntryFluentBuilder
    {
        let icmp = (self.icmp_type.is_some() || self.icmp_code.is_some()).then(|| {
            IcmpTypeCode::builder()
                .set_type(self.icmp_type)
                .set_code(self.icmp_code)
                .build()
        });
        clients
            .ec2
            .create_network_acl_entry()
            .network_acl_id(acl)
            .rule_number(self.rule_number)
            .egress(self.egress)
            .protocol(&self.protocol)
            .rule_action(RuleAction::from(self.action.as_str()))
            .set_cidr_block(self.cidr_block.clone())
            .set_ipv6_cidr_block(self.ipv6_cidr_block.clone())
            .port_range(
                PortRange::builder()
                    .set_from(self.from_port)
                    .set_to(self.to_port)
                    .build(),
            )
            .set_icmp_type_code(icmp)
    }

    /// Adds the entry (retrying while a new ACL is not visible yet).
    pub(crate) async fn create(&self, clients: &AwsClients, acl: &str) -> Result<()> {
        let request = self.create_request(clients, acl);
        create_call(
            &format!(
                "rule {} of network ACL {acl} to be created",
                self.rule_number
            ),
            || async { request.clone().send().await.map_err(from_sdk) },
        )
        .await?;
        Ok(())
    }

    /// Removes the entry; one already gone is not an error.
    pub(crate) async fn delete(&self, clients: &AwsClients, acl: &str) -> Result<()> {
        delete_entry(clients, acl, self.rule_number, self.egress).await
    }
}

/// Removes entry `rule_number` of one direction of `acl`; one already gone is not an error.
pub(crate) async fn delete_entry(
    clients: &AwsClients,
    acl: &str,
    rule_number: i32,
    egress: bool,
) -> Result<()> {
    let deleted = call(|| {
        clients
            .ec2
            .delete_network_acl_entry()
            .network_acl_id(acl)
            .rule_number(rule_number)
            .egress(egress)
            .send()
    })
    .await;
    crate::aws::error::OrGone::ok_if_gone(deleted)
}

/// Brings the rules of one direction of `acl` from `prior` to `planned` (rule blocks): the
/// rules only in `prior` are removed, then those only in `planned` added.
pub(crate) async fn sync_rules(
    clients: &AwsClients,
    acl: &str,
    egress: bool,
    prior: &[Value],
    planned: &[Value],
) -> Result<()> {
    let normal = |v: &Value| normalize_rule(v.clone(), "action");
    let prior: Vec<Value> = prior.iter().map(normal).collect();
    let planned: Vec<Value> = planned.iter().map(normal).collect();
    let names = ["action", "rule_no"];
    for gone in prior
        .iter()
        .filter(|p| !planned.iter().any(|n| n.equals(p)))
    {
        let entry = Entry::from_value(gone, egress, names)?;
        if !CATCH_ALL.contains(&entry.rule_number) {
            entry.delete(clients, acl).await?;
        }
    }
    for new in planned
        .iter()
        .filter(|n| !prior.iter().any(|p| p.equals(n)))
    {
        Entry::from_value(new, egress, names)?
            .create(clients, acl)
            .await?;
    }
    Ok(())
}

/// The network ACLs that `filters` select.
async fn acls_where(
    clients: &AwsClients,
    name: &str,
    values: Vec<String>,
) -> Result<Vec<NetworkAcl>> {
    describe_matching::<NetworkAcl>(clients, None, vec![filter(name, values)]).await
}

/// Moves each of `subnets` to `acl`, replacing the association it has (every subnet has one).
pub(crate) async fn associate(clients: &AwsClients, acl: &str, subnets: &[String]) -> Result<()> {
    if subnets.is_empty() {
        return Ok(());
    }
    let current = acls_where(clients, "association.subnet-id", subnets.to_vec()).await?;
    for subnet in subnets {
        let association = current
            .iter()
            .flat_map(|a| a.associations())
            .find(|a| a.subnet_id() == Some(subnet.as_str()))
            .and_then(|a| a.network_acl_association_id())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::NotFound,
                    "InvalidAssociationID.NotFound",
                    format!("subnet {subnet} has no network ACL association"),
                )
            })?;
        call(|| {
            clients
                .ec2
                .replace_network_acl_association()
                .association_id(association)
                .network_acl_id(acl)
                .send()
        })
        .await?;
    }
    Ok(())
}

/// Moves each of `subnets` back to `vpc`'s default network ACL.
pub(crate) async fn associate_with_default(
    clients: &AwsClients,
    vpc: &str,
    subnets: &[String],
) -> Result<()> {
    if subnets.is_empty() {
        return Ok(());
    }
    let defaults = describe_matching::<NetworkAcl>(
        clients,
        None,
        vec![
            filter("vpc-id", vec![vpc.to_string()]),
            filter("default", vec!["true".into()]),
        ],
    )
    .await?;
    let default = defaults
        .iter()
        .find_map(|a| a.network_acl_id())
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "InvalidNetworkAclID.NotFound",
                format!("{vpc} has no default network ACL"),
            )
        })?;
    associate(clients, default, subnets).await
}

/// The subnets added to and removed from `subnet_ids` between `prior` and `planned` (nothing
/// when the planned list is unknown or unset and computed).
pub(crate) fn subnet_changes(prior: &Value, planned: &Value) -> (Vec<String>, Vec<String>) {
    let known = planned
        .as_map()
        .and_then(|m| m.get("subnet_ids"))
        .is_some_and(Value::is_wholly_known);
    if !known {
        return (Vec::new(), Vec::new());
    }
    let before = get_strings(prior, "subnet_ids");
    let after = get_strings(planned, "subnet_ids");
    (
        after
            .iter()
            .filter(|s| !before.contains(s))
            .cloned()
            .collect(),
        before
            .iter()
            .filter(|s| !after.contains(s))
            .cloned()
            .collect(),
    )
}

/// The planned rule blocks of one direction, or `None` when unknown (unset and computed:
/// keep what AWS has).
pub(crate) fn planned_rules(planned: &Value, name: &str) -> Option<Vec<Value>> {
    let known = planned
        .as_map()
        .and_then(|m| m.get(name))
        .is_some_and(Value::is_wholly_known);
    known.then(|| get_blocks(planned, name))
}

/// Brings both directions' rules of `acl` from `prior` to `planned`.
pub(crate) async fn sync_both(
    clients: &AwsClients,
    acl: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    for (name, egress) in [("ingress", false), ("egress", true)] {
        if let Some(want) = planned_rules(planned, name) {
            sync_rules(clients, acl, egress, &get_blocks(prior, name), &want).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl ResourceType for NetworkAclType {
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

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let vpc = get_str(planned, "vpc_id")
            .ok_or_else(|| ApiError::malformed("aws_network_acl has no vpc_id"))?;
        let tags = creation_tags(planned, ctx.extra_tags);
        let out = create_call(&format!("network ACL in {vpc} to be created"), || async {
            clients
                .ec2
                .create_network_acl()
                .vpc_id(vpc)
                .tag_specifications(tag_spec(Ec2Type::NetworkAcl, &tags))
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let id = out
            .network_acl()
            .and_then(|a| a.network_acl_id())
            .ok_or_else(|| ApiError::malformed("CreateNetworkAcl returned no id"))?
            .to_string();
        let empty = BTreeMap::<String, Value>::new();
        sync_both(clients, &id, &Value::Map(empty), planned).await?;
        let (add, _) = subnet_changes(&Value::Null, planned);
        associate(clients, &id, &add).await?;
        read_created(self, clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        sync_both(clients, &id, prior, planned).await?;
        let (add, remove) = subnet_changes(prior, planned);
        if let Some(vpc) = get_str(prior, "vpc_id") {
            associate_with_default(clients, vpc, &remove).await?;
        }
        associate(clients, &id, &add).await?;
        update_ec2_tags(clients, &id, prior, planned).await?;
        read_created(self, clients, &id).await
    }

    /// Subnets go back to the VPC's default ACL first (AWS refuses to delete an ACL in use).
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let live: Vec<NetworkAcl> = describe_ec2(clients, std::slice::from_ref(&id)).await?;
        let Some(acl) = live.first() else {
            return Ok(());
        };
        let subnets: Vec<String> = associated_subnets(acl)
            .into_iter()
            .map(String::from)
            .collect();
        if let Some(vpc) = acl.vpc_id() {
            associate_with_default(clients, vpc, &subnets).await?;
        }
        delete_ec2(
            self,
            clients,
            ("network ACL", &id),
            (DELETE_LIMIT, SETTLE_LIMIT),
            || clients.ec2.delete_network_acl().network_acl_id(&id).send(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    fn rule(protocol: &str, action: &str) -> Value {
        Value::map([
            ("rule_no", Value::number(100)),
            ("action", Value::string(action)),
            ("protocol", Value::string(protocol)),
            ("cidr_block", Value::string("10.0.0.0/8")),
            ("from_port", Value::number(443)),
            ("to_port", Value::number(443)),
            ("icmp_type", Value::number(0)),
            ("icmp_code", Value::Null),
            ("ipv6_cidr_block", Value::Null),
        ])
    }

    #[test]
    fn protocols_are_numbers_actions_lower_case_and_icmp_only_for_icmp() {
        assert_eq!(protocol_number("tcp"), Some(6));
        assert_eq!(protocol_number("-1"), Some(-1));
        assert_eq!(protocol_number("all"), Some(-1));
        assert_eq!(protocol_number("57"), None);
        assert_eq!(protocol_number("bogus"), None);
        let a = normalize_rule(rule("tcp", "Allow"), "action");
        let b = normalize_rule(rule("6", "allow"), "action");
        assert!(a.equals(&b));
        let m = a.as_map().unwrap();
        assert_eq!(m["protocol"], Value::string("6"));
        assert_eq!(m["icmp_type"], Value::Null);
        let icmp = normalize_rule(rule("icmp", "deny"), "action");
        assert_eq!(icmp.as_map().unwrap()["icmp_type"], Value::number(0));
    }

    #[test]
    fn entries_are_sent_with_protocol_numbers_and_all_protocol_rules_need_zero_ports() {
        let clients = offline_clients();
        let e = Entry::from_value(&rule("udp", "DENY"), true, ["action", "rule_no"]).unwrap();
        let r = e.create_request(&clients, "acl-1");
        let input = r.as_input();
        assert_eq!(input.get_protocol().as_deref(), Some("17"));
        assert_eq!(input.get_rule_action(), &Some(RuleAction::Deny));
        assert_eq!(input.get_egress(), &Some(true));
        assert_eq!(input.get_icmp_type_code(), &None);
        assert_eq!(
            input.get_port_range().as_ref().and_then(|p| p.from()),
            Some(443)
        );
        assert!(Entry::from_value(&rule("-1", "allow"), false, ["action", "rule_no"]).is_err());
    }

    #[test]
    fn catch_all_rules_are_not_shown() {
        let entry = |n: i32, egress: bool| {
            NetworkAclEntry::builder()
                .rule_number(n)
                .egress(egress)
                .protocol("-1")
                .rule_action(RuleAction::Deny)
                .cidr_block("0.0.0.0/0")
                .build()
        };
        let acl = NetworkAcl::builder()
            .network_acl_id("acl-1")
            .entries(entry(32767, false))
            .entries(entry(100, false))
            .entries(entry(100, true))
            .build();
        let ingress = rule_set(&acl, false);
        let items = ingress.as_list().unwrap();
        assert_eq!(items.len(), 1);
        let m = items[0].as_map().unwrap();
        assert_eq!(m["rule_no"], Value::number(100));
        assert_eq!(m["from_port"], Value::number(0));
        assert_eq!(m["action"], Value::string("deny"));
    }
}
