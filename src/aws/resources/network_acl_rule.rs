//! `aws_network_acl_rule`: one entry of a network ACL, managed on its own. Every argument
//! replaces it.
//!
//! An entry has no AWS id. As in the AWS provider, its id is `nacl-` and the CRC-32 of the
//! ACL id, rule number, direction and protocol as configured (`tcp` and `6` give different
//! ids). Since `read_many` only gets these ids, it describes every network ACL (one paginated
//! `DescribeNetworkAcls`) and looks for the entries whose id, with the protocol spelled as a
//! number or as its name, is a wanted one; the spelling that matches is the state's
//! `protocol`. Actions are compared without case; ports for the `-1` protocol and ICMP type and
//! code for other protocols are not AWS's to keep, and are compared as unset. moto serves all
//! of it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{NetworkAcl, NetworkAclEntry};

use super::network_acl::{delete_entry, protocol_number, Entry, PROTOCOLS};
use crate::aws::adopt::find_by_arguments;
use crate::aws::ec2::describe_matching;
use crate::aws::error::{wait_until, ApiError, ErrorKind, Result};
use crate::aws::resource_type::States;
use crate::aws::ResourceType;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_i32, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct NetworkAclRuleType;

static DECLARATION: Declaration =
    Declaration::new("aws_network_acl_rule", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: network_acl_id.force_new() protocol.force_new() rule_action.force_new();
        required Number: rule_number.force_new();
        optional Bool: egress.force_new().default(Default::Bool(false));
        optional String: cidr_block.force_new() ipv6_cidr_block.force_new();
        optional Number: from_port.force_new() to_port.force_new();
        optional Number: icmp_type.force_new() icmp_code.force_new();
    ],
    blocks: &[],
};

/// The provider's id of the entry: `nacl-` and the CRC-32 (Terraform's `StringHashcode`) of
/// `ACL-RULE-EGRESS-PROTOCOL-`, the protocol as configured.
fn rule_id(acl: &str, rule_number: i32, egress: bool, protocol: &str) -> String {
    let key = format!("{acl}-{rule_number}-{egress}-{protocol}-");
    format!("nacl-{}", crc32fast::hash(key.as_bytes()))
}

/// The ways a configuration may spell the protocol AWS reports as `number`.
fn spellings(number: &str) -> Vec<String> {
    let mut out = vec![number.to_string()];
    if let Ok(n) = number.parse::<i32>() {
        out.extend(
            PROTOCOLS
                .iter()
                .filter(|(name, m)| *m == n && *name != number)
                .map(|(name, _)| name.to_string()),
        );
    }
    out
}

fn rule_state(acl: &str, e: &NetworkAclEntry, id: &str, protocol: &str) -> Value {
    let number = |n: Option<i32>| n.map_or(Value::Null, Value::number);
    let ports = e.port_range();
    let icmp = e.icmp_type_code();
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("network_acl_id", Value::string(acl)),
            ("rule_number", number(e.rule_number())),
            ("egress", Value::Bool(e.egress().unwrap_or(false))),
            ("protocol", Value::string(protocol)),
            (
                "rule_action",
                opt_str(e.rule_action().map(|a| a.as_str().to_ascii_lowercase())),
            ),
            ("cidr_block", opt_str(e.cidr_block())),
            ("ipv6_cidr_block", opt_str(e.ipv6_cidr_block())),
            ("from_port", number(ports.and_then(|p| p.from()))),
            ("to_port", number(ports.and_then(|p| p.to()))),
            ("icmp_type", number(icmp.and_then(|i| i.r#type()))),
            ("icmp_code", number(icmp.and_then(|i| i.code()))),
        ],
    )
}

/// The wanted entries among the ACLs', by id.
fn find_rules(acls: &[NetworkAcl], wanted: &BTreeSet<&str>) -> States {
    let mut found = BTreeMap::new();
    for acl in acls {
        let Some(acl_id) = acl.network_acl_id() else {
            continue;
        };
        for e in acl.entries() {
            let (Some(n), Some(p)) = (e.rule_number(), e.protocol()) else {
                continue;
            };
            let egress = e.egress().unwrap_or(false);
            for spelling in spellings(p) {
                let id = rule_id(acl_id, n, egress, &spelling);
                if wanted.contains(id.as_str()) {
                    let state = NetworkAclRuleType.normalize(rule_state(acl_id, e, &id, &spelling));
                    found.insert(id, state);
                }
            }
        }
    }
    found
}

/// The id the arguments give, or `None` while they are not all known.
fn id_of(v: &Value) -> Option<String> {
    Some(rule_id(
        get_str(v, "network_acl_id")?,
        get_i32(v, "rule_number")?,
        get_bool(v, "egress").unwrap_or(false),
        get_str(v, "protocol")?,
    ))
}

#[async_trait]
impl ResourceType for NetworkAclRuleType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// What AWS does not keep compares as unset: ports of a rule for all protocols, ICMP type
    /// and code of a rule for another protocol; the action's case does not count. What the
    /// provider sends for them when unset (0) is what AWS keeps otherwise.
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        let number = m
            .get("protocol")
            .and_then(Value::as_str)
            .and_then(protocol_number);
        let zero_if_null = |v: Option<&Value>| match v {
            None | Some(Value::Null) => Value::number(0),
            Some(v) => v.clone(),
        };
        if let Some(n) = number {
            for (names, kept) in [
                (["from_port", "to_port"], n != -1),
                (["icmp_type", "icmp_code"], n == 1 || n == 58),
            ] {
                for name in names {
                    let v = if kept {
                        zero_if_null(m.get(name))
                    } else {
                        Value::Null
                    };
                    m.insert(name.into(), v);
                }
            }
        }
        if let Some(a) = m.get("rule_action").and_then(Value::as_str) {
            let lower = a.to_ascii_lowercase();
            m.insert("rule_action".into(), Value::string(lower));
        }
        Value::Map(m)
    }

    /// One paginated `DescribeNetworkAcls` of every ACL.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let acls = describe_matching::<NetworkAcl>(clients, None, Vec::new()).await?;
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        Ok(find_rules(&acls, &wanted))
    }

    /// The id is the ACL, rule number, direction and protocol.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        find_by_arguments(self, clients, id_of(planned)).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = id_of(planned)
            .ok_or_else(|| ApiError::malformed("aws_network_acl_rule lacks its arguments"))?;
        let acl = get_str(planned, "network_acl_id").unwrap_or_default();
        let egress = get_bool(planned, "egress").unwrap_or(false);
        let entry = Entry::from_value(planned, egress, ["rule_action", "rule_number"])?;
        // AWS accepts a second create of an identical entry: refuse one that exists, as the
        // provider does, so that two resources never manage one entry.
        let ids = [id.clone()];
        if !self.read_many(clients, &ids).await?.is_empty() {
            return Err(ApiError::new(
                ErrorKind::AlreadyExists,
                "NetworkAclEntryAlreadyExists",
                format!(
                    "rule {} ({}) of network ACL {acl} exists already",
                    entry.rule_number,
                    if egress { "egress" } else { "ingress" }
                ),
            ));
        }
        entry.create(clients, acl).await?;
        wait_until(
            &format!("network ACL rule {id} to become visible"),
            Duration::from_secs(2),
            Duration::from_secs(120),
            || async { Ok(self.read_many(clients, &ids).await?.remove(&id)) },
        )
        .await
    }

    /// Every argument replaces the rule: there is nothing to change in place.
    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, _: &Value) -> Result<Value> {
        let id = super::recorded_id(self, prior)?;
        let mut found = self
            .read_many(ctx.clients, std::slice::from_ref(&id))
            .await?;
        found.remove(&id).ok_or_else(|| {
            ApiError::new(ErrorKind::NotFound, "InvalidNetworkAclEntry.NotFound", id)
        })
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let (Some(acl), Some(n)) = (
            get_str(prior, "network_acl_id"),
            get_i32(prior, "rule_number"),
        ) else {
            return Ok(());
        };
        let egress = get_bool(prior, "egress").unwrap_or(false);
        delete_entry(ctx.clients, acl, n, egress).await
    }

    fn import_id_format(&self) -> &'static str {
        "`NETWORK_ACL_ID:RULE_NUMBER:PROTOCOL:EGRESS` (`acl-0abc:100:tcp:false`)"
    }

    /// The provider's `ACL:RULE:PROTOCOL:EGRESS` names everything the id is the hash of.
    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let bad = || {
            ImportIdError::Malformed(
                "expected NETWORK_ACL_ID:RULE_NUMBER:PROTOCOL:EGRESS".to_string(),
            )
        };
        let parts: Vec<&str> = id.split(':').collect();
        let [acl, rule, protocol, egress] = parts.as_slice() else {
            return Err(bad());
        };
        if [acl, rule, protocol, egress].iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        let rule: i32 = rule.parse().map_err(|_| bad())?;
        let egress: bool = egress.parse().map_err(|_| bad())?;
        Ok(rule_id(acl, rule, egress, protocol))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{PortRange, RuleAction};

    #[test]
    fn ids_hash_the_protocol_as_configured() {
        let key = "acl-1-100-false-tcp-";
        assert_eq!(
            rule_id("acl-1", 100, false, "tcp"),
            format!("nacl-{}", crc32fast::hash(key.as_bytes()))
        );
        assert_ne!(
            rule_id("acl-1", 100, false, "tcp"),
            rule_id("acl-1", 100, false, "6")
        );
        assert_eq!(spellings("6"), vec!["6".to_string(), "tcp".to_string()]);
        assert_eq!(spellings("-1"), vec!["-1".to_string(), "all".to_string()]);
    }

    #[test]
    fn reads_find_an_entry_by_the_spelling_its_id_was_made_with() {
        let acl = NetworkAcl::builder()
            .network_acl_id("acl-1")
            .entries(
                NetworkAclEntry::builder()
                    .rule_number(100)
                    .egress(false)
                    .protocol("6")
                    .rule_action(RuleAction::Allow)
                    .cidr_block("10.0.0.0/8")
                    .port_range(PortRange::builder().from(443).to(443).build())
                    .build(),
            )
            .build();
        let id = rule_id("acl-1", 100, false, "tcp");
        let found = find_rules(&[acl], &BTreeSet::from([id.as_str()]));
        let state = found[&id].as_map().unwrap().clone();
        assert_eq!(state["protocol"], Value::string("tcp"));
        assert_eq!(state["from_port"], Value::number(443));
        assert_eq!(state["rule_action"], Value::string("allow"));
    }

    #[test]
    fn unset_ports_are_zero_and_those_aws_ignores_are_unset() {
        let t = NetworkAclRuleType;
        let v = t.normalize(Value::map([
            ("protocol", Value::string("-1")),
            ("from_port", Value::number(0)),
            ("rule_action", Value::string("ALLOW")),
        ]));
        let m = v.as_map().unwrap();
        assert_eq!(m["from_port"], Value::Null);
        assert_eq!(m["rule_action"], Value::string("allow"));
        let v = t.normalize(Value::map([("protocol", Value::string("icmp"))]));
        assert_eq!(v.as_map().unwrap()["icmp_type"], Value::number(0));
        assert_eq!(v.as_map().unwrap()["to_port"], Value::number(0));
    }
}
