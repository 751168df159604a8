//! `aws_security_group_rule`: one ingress or egress rule of a security group, managed on its
//! own.
//!
//! A rule is not an AWS object with an id of its own: AWS merges it into the group's
//! permissions. Like the AWS provider, its id is `sgrule-<hash>` of the group, direction,
//! ports, protocol and sources ([`sg_permissions::rule_id`]). Since `read_many` only gets
//! these ids, it describes every security group (one paginated call) and looks for a set of
//! sources with the same port range and description whose hash is a wanted id. Everything
//! but `description` forces replacement; the description changes in place.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ec2::types::SecurityGroup;

use super::sg_permissions::{self as perms, Atoms, Direction, PortRange, Source};
use crate::aws::ec2::{describe_ec2, describe_matching};
use crate::aws::error::Result;
use crate::aws::error::{wait_until, ApiError, ErrorKind, OrGone};
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_i32, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct SecurityGroupRuleType;

static DECLARATION: Declaration =
    Declaration::new("aws_security_group_rule", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: type.force_new() security_group_id.force_new();
        required Number: from_port.force_new() to_port.force_new();
        required String: protocol.force_new();
        optional StringSet: cidr_blocks.force_new() ipv6_cidr_blocks.force_new();
        optional StringSet: prefix_list_ids.force_new();
        optional_computed String: source_security_group_id.force_new();
        optional Bool: self.force_new().default(Default::Bool(false));
        optional String: description;
    ],
    blocks: &[],
};

/// Buckets with at most this many sources are searched exhaustively (every subset); larger
/// ones only as a whole and source by source.
const EXHAUSTIVE_BUCKET: usize = 10;

/// What a rule value says: its group, direction, ports and atoms.
struct Rule {
    group_id: String,
    direction: Direction,
    ports: PortRange,
    sources: Vec<Source>,
    atoms: Atoms,
}

impl Rule {
    fn from_value(v: &Value) -> Result<Rule> {
        let invalid = |m: String| ApiError::new(ErrorKind::Invalid, "InvalidParameterValue", m);
        let group_id = get_str(v, "security_group_id")
            .ok_or_else(|| invalid("security_group_id is required".into()))?
            .to_string();
        let ty = get_str(v, "type").unwrap_or_default();
        let direction = Direction::parse(ty).ok_or_else(|| {
            invalid(format!(
                "type must be \"ingress\" or \"egress\", not \"{ty}\""
            ))
        })?;
        let ports = PortRange::new(
            get_str(v, "protocol").unwrap_or("-1"),
            get_i32(v, "from_port").unwrap_or(0),
            get_i32(v, "to_port").unwrap_or(0),
        );
        let sources = perms::rule_sources(v, &group_id, "source_security_group_id");
        if sources.is_empty() {
            return Err(invalid(
                "one of cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, source_security_group_id \
                 or self must be set"
                    .into(),
            ));
        }
        let atoms = perms::rule_atoms(v, &group_id, "source_security_group_id");
        Ok(Rule {
            group_id,
            direction,
            ports,
            sources,
            atoms,
        })
    }

    fn id(&self) -> String {
        perms::rule_id(&self.group_id, self.direction, &self.ports, &self.sources)
    }
}

/// Reads the AWS provider's import ID of a rule:
/// `SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*`.
fn parse_import_id(id: &str) -> Result<Rule, ImportIdError> {
    let bad = |why: &str| {
        ImportIdError::Malformed(format!(
            "{why}; expected SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*"
        ))
    };
    let parts: Vec<&str> = id.split('_').collect();
    let [group, ty, protocol, from, to, sources @ ..] = parts.as_slice() else {
        return Err(bad("too few parts"));
    };
    if sources.is_empty() {
        return Err(bad("too few parts"));
    }
    if !group.starts_with("sg-") {
        return Err(bad("the first part is not a security group id"));
    }
    let ty = ty.to_ascii_lowercase();
    if Direction::parse(&ty).is_none() {
        return Err(bad("the type must be ingress or egress"));
    }
    let port = |p: &str, what: &str| {
        p.parse::<i32>()
            .map_err(|_| bad(&format!("the {what} \"{p}\" is not a number")))
    };
    let (from, to) = (port(from, "from port")?, port(to, "to port")?);
    let mut cidrs = Vec::new();
    let mut cidrs6 = Vec::new();
    let mut lists = Vec::new();
    let mut group_source = None;
    let mut is_self = false;
    for source in sources.iter().copied() {
        if source == "self" {
            is_self = true;
        } else if source.contains("sg-") {
            group_source = Some(source);
        } else if source.starts_with("pl-") {
            lists.push(Value::string(source));
        } else if source.contains(':') {
            cidrs6.push(Value::string(source));
        } else if source.contains('.') && source.contains('/') {
            cidrs.push(Value::string(source));
        } else {
            return Err(bad(&format!(
                "the source \"{source}\" is neither a CIDR block, a prefix list, a security group id nor self"
            )));
        }
    }
    let set = |v: Vec<Value>| {
        if v.is_empty() {
            Value::Null
        } else {
            Value::set(v)
        }
    };
    let value = state_object(
        &SCHEMA,
        [
            ("type", Value::string(ty)),
            ("security_group_id", Value::string(*group)),
            ("from_port", Value::number(from)),
            ("to_port", Value::number(to)),
            ("protocol", Value::string(protocol.to_ascii_lowercase())),
            ("cidr_blocks", set(cidrs)),
            ("ipv6_cidr_blocks", set(cidrs6)),
            ("prefix_list_ids", set(lists)),
            ("source_security_group_id", opt_str(group_source)),
            ("self", Value::Bool(is_self)),
        ],
    );
    Rule::from_value(&value).map_err(|e| bad(&e.message))
}

fn rule_state(
    id: &str,
    group_id: &str,
    direction: Direction,
    ports: &PortRange,
    sources: &[&Source],
    description: &Option<String>,
) -> Value {
    let mut cidrs = Vec::new();
    let mut cidrs6 = Vec::new();
    let mut lists = Vec::new();
    let mut source_group = None;
    let mut is_self = false;
    for s in sources {
        match s {
            Source::Cidr(c) => cidrs.push(c.clone()),
            Source::Ipv6Cidr(c) => cidrs6.push(c.clone()),
            Source::PrefixList(p) => lists.push(p.clone()),
            Source::Group(g) if g == group_id => is_self = true,
            Source::Group(g) => source_group = Some(g.clone()),
        }
    }
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("type", Value::string(direction.as_str())),
            ("security_group_id", Value::string(group_id)),
            ("from_port", Value::number(ports.from)),
            ("to_port", Value::number(ports.to)),
            ("protocol", Value::string(&ports.protocol)),
            ("cidr_blocks", perms::set_or_null(cidrs)),
            ("ipv6_cidr_blocks", perms::set_or_null(cidrs6)),
            ("prefix_list_ids", perms::set_or_null(lists)),
            ("source_security_group_id", opt_str(source_group)),
            ("self", Value::Bool(is_self)),
            ("description", opt_str(description.clone())),
        ],
    )
}

/// The candidate source sets of one bucket (sources sharing group, direction, ports and
/// description): every non-empty subset of a small bucket, else each source and the whole.
/// A rule names at most one security group, so sets with two are skipped.
fn candidates(bucket: &[&Source]) -> Vec<Vec<usize>> {
    let n = bucket.len();
    let mut out: Vec<Vec<usize>> = if n <= EXHAUSTIVE_BUCKET {
        (1u32..(1 << n))
            .map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).collect())
            .collect()
    } else {
        let mut v: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        v.push((0..n).collect());
        v
    };
    out.retain(|set| {
        set.iter()
            .filter(|&&i| matches!(bucket[i], Source::Group(_)))
            .count()
            <= 1
    });
    out
}

/// Finds the wanted rule ids among the groups' permissions.
fn find_rules(groups: &[SecurityGroup], wanted: &BTreeSet<&str>) -> BTreeMap<String, Value> {
    let mut found = BTreeMap::new();
    for g in groups {
        let Some(group_id) = g.group_id() else {
            continue;
        };
        for direction in [Direction::Ingress, Direction::Egress] {
            let list = match direction {
                Direction::Ingress => g.ip_permissions(),
                Direction::Egress => g.ip_permissions_egress(),
            };
            let atoms = perms::permissions_atoms(list, g.owner_id());
            let mut buckets: BTreeMap<(&PortRange, &Option<String>), Vec<&Source>> =
                BTreeMap::new();
            for (atom, desc) in &atoms {
                buckets
                    .entry((&atom.ports, desc))
                    .or_default()
                    .push(&atom.source);
            }
            for ((ports, desc), bucket) in buckets {
                for set in candidates(&bucket) {
                    let sources: Vec<&Source> = set.iter().map(|&i| bucket[i]).collect();
                    let owned: Vec<Source> = sources.iter().map(|s| (*s).clone()).collect();
                    let id = perms::rule_id(group_id, direction, ports, &owned);
                    if wanted.contains(id.as_str()) && !found.contains_key(&id) {
                        let state = rule_state(&id, group_id, direction, ports, &sources, desc);
                        found.insert(id, state);
                    }
                }
            }
        }
    }
    found
}

impl SecurityGroupRuleType {
    /// Reads one rule of a known group, waiting while AWS does not show it yet.
    async fn read_in_group(&self, clients: &AwsClients, rule: &Rule) -> Result<Value> {
        let id = rule.id();
        let group = [rule.group_id.clone()];
        wait_until(
            &format!("{id} to appear in security group {}", rule.group_id),
            Duration::from_secs(2),
            Duration::from_secs(120),
            || async {
                let groups = describe_ec2::<SecurityGroup>(clients, &group).await?;
                Ok(find_rules(&groups, &BTreeSet::from([id.as_str()])).remove(&id))
            },
        )
        .await
    }
}

#[async_trait]
impl ResourceType for SecurityGroupRuleType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The id is the group, direction, protocol, ports and sources.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id: Option<String> = Rule::from_value(planned).ok().map(|r| r.id());
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*`, each source a CIDR block, an IPv6 CIDR block, a prefix list id, a security group id or `self` (`sg-0abc_ingress_tcp_80_80_10.0.0.0/8_192.168.0.0/16`)"
    }

    /// The AWS provider's long form names everything the rule's id is the hash of.
    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        parse_import_id(id).map(|rule| rule.id())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let groups = describe_matching::<SecurityGroup>(clients, None, Vec::new()).await?;
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        Ok(find_rules(&groups, &wanted))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let rule = Rule::from_value(planned)?;
        let d = perms::diff(&Atoms::new(), &rule.atoms);
        perms::apply_diff(ctx.clients, &rule.group_id, rule.direction, &d, true)
            .await
            .map_err(|mut e| {
                if e.is_duplicate_permission() {
                    e.message = format!(
                        "{} already allows some of these sources on these ports ({}). A rule \
                         may be managed only once: by one aws_security_group_rule or by the \
                         group's inline {} blocks. AWS said: {}",
                        rule.group_id,
                        ctx.address,
                        rule.direction.as_str(),
                        e.message
                    );
                }
                e
            })?;
        self.read_in_group(ctx.clients, &rule).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let before = Rule::from_value(prior)?;
        let after = Rule::from_value(planned)?;
        let d = perms::diff(&before.atoms, &after.atoms);
        if !d.is_empty() {
            perms::apply_diff(ctx.clients, &after.group_id, after.direction, &d, false).await?;
        }
        self.read_in_group(ctx.clients, &after).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let rule = Rule::from_value(prior)?;
        let d = perms::diff(&rule.atoms, &Atoms::new());
        perms::apply_diff(ctx.clients, &rule.group_id, rule.direction, &d, false)
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::values::string_set;
    use aws_sdk_ec2::types::{IpPermission, IpRange, UserIdGroupPair};

    fn planned(cidrs: &[&str], description: Option<&str>) -> Value {
        SCHEMA.conformed([
            ("type", Value::string("ingress")),
            ("security_group_id", Value::string("sg-1")),
            ("from_port", Value::number(80)),
            ("to_port", Value::number(8000)),
            ("protocol", Value::string("tcp")),
            ("cidr_blocks", string_set(cidrs.iter().copied())),
            ("description", opt_str(description)),
        ])
    }

    #[test]
    fn import_ids_in_the_providers_long_form() {
        let rule = parse_import_id(
            "sg-1_INGRESS_tcp_100_121_10.1.0.0/16_2001:db8::/48_pl-123_10.2.0.0/16",
        )
        .unwrap();
        assert_eq!(rule.direction, Direction::Ingress);
        assert_eq!((rule.ports.from, rule.ports.to), (100, 121));
        assert_eq!(rule.sources.len(), 4);
        let own = parse_import_id("sg-1_egress_all_0_0_self").unwrap();
        assert_eq!(own.ports.protocol, "-1");
        assert_eq!(own.sources, vec![Source::Group("sg-1".into())]);
        let other = parse_import_id("sg-1_ingress_6_443_443_sg-2").unwrap();
        assert_eq!(other.ports.protocol, "tcp");
        assert_eq!(other.sources, vec![Source::Group("sg-2".into())]);
        for bad in [
            "sg-1_ingress_tcp_80_80",
            "vpc-1_ingress_tcp_80_80_10.0.0.0/8",
            "sg-1_sideways_tcp_80_80_10.0.0.0/8",
            "sg-1_ingress_tcp_eighty_80_10.0.0.0/8",
            "sg-1_ingress_tcp_80_80_somewhere",
        ] {
            assert!(
                matches!(parse_import_id(bad), Err(ImportIdError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn rule_id_is_the_providers_hash() {
        // The AWS provider's import ID names the same rule.
        let imported =
            parse_import_id("sg-1_ingress_tcp_80_8000_10.0.0.0/8").expect("a valid import ID");
        let configured = Rule::from_value(&planned(&["10.0.0.0/8"], None)).unwrap();
        assert_eq!(imported.id(), configured.id());
        let r = Rule::from_value(&planned(&["10.0.0.0/8"], None)).unwrap();
        assert_eq!(
            r.id(),
            perms::rule_id(
                "sg-1",
                Direction::Ingress,
                &PortRange::new("tcp", 80, 8000),
                &[Source::Cidr("10.0.0.0/8".into())]
            )
        );
    }

    #[test]
    fn a_rule_without_sources_is_rejected() {
        let e = Rule::from_value(&planned(&[], None)).err().unwrap();
        assert_eq!(e.kind, ErrorKind::Invalid);
    }

    #[test]
    fn rules_are_found_inside_merged_permissions() {
        // Two rules on the same ports, merged by AWS into one permission, plus a self rule.
        let a = Rule::from_value(&planned(&["10.0.0.0/8"], None)).unwrap();
        let b = Rule::from_value(&planned(&["10.1.0.0/16", "10.2.0.0/16"], Some("b"))).unwrap();
        let range = |c: &str, d: Option<&str>| {
            IpRange::builder()
                .cidr_ip(c)
                .set_description(d.map(String::from))
                .build()
        };
        let perm = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(80)
            .to_port(8000)
            .ip_ranges(range("10.0.0.0/8", None))
            .ip_ranges(range("10.1.0.0/16", Some("b")))
            .ip_ranges(range("10.2.0.0/16", Some("b")))
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .user_id("123456789012")
                    .group_id("sg-1")
                    .build(),
            )
            .build();
        let group = SecurityGroup::builder()
            .group_id("sg-1")
            .owner_id("123456789012")
            .ip_permissions(perm)
            .build();
        let (ida, idb) = (a.id(), b.id());
        let found = find_rules(&[group], &BTreeSet::from([ida.as_str(), idb.as_str()]));
        assert_eq!(found.len(), 2);
        let fb = found[&idb].as_map().unwrap();
        assert_eq!(
            fb["cidr_blocks"],
            string_set(["10.1.0.0/16", "10.2.0.0/16"])
        );
        assert_eq!(fb["description"], Value::string("b"));
        assert_eq!(fb["self"], Value::Bool(false));
        assert_eq!(found[&ida].as_map().unwrap()["description"], Value::Null);
    }

    #[test]
    fn candidate_sets_hold_at_most_one_group() {
        let (g1, g2, c) = (
            Source::Group("sg-1".into()),
            Source::Group("sg-2".into()),
            Source::Cidr("10.0.0.0/8".into()),
        );
        let sets = candidates(&[&g1, &g2, &c]);
        // 7 subsets minus {g1, g2} and {g1, g2, c}.
        assert_eq!(sets.len(), 5);
    }
}
