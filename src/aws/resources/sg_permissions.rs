//! Security group permissions as small comparable pieces, shared by `aws_security_group`
//! (inline `ingress`/`egress` blocks) and `aws_security_group_rule`.
//!
//! AWS stores a group's rules as `IpPermission`s, each a port range with many sources, and
//! merges rules with the same port range. Configurations group sources differently again. To
//! compare the two we split both into [`Atom`]s — one port range and one source — each with
//! its description. Diffing atoms gives exactly the sources to revoke, authorize or
//! re-describe; [`to_permissions`] packs atoms back into as few `IpPermission`s as possible.
//!
//! This module owns the conversions and the `sgrule-<hash>` ids; it makes no API calls
//! besides [`apply_diff`], which sends a computed diff.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};

use crate::aws::error::Result;
use crate::aws::error::{from_sdk, retry, ApiError, RetryPolicy};
use crate::aws::AwsClients;
use crate::lang::Value;
use crate::provider::values::{get_bool, get_i32, get_str, get_strings, opt_str, string_set};

/// Which way traffic flows through a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "ingress" => Some(Direction::Ingress),
            "egress" => Some(Direction::Egress),
            _ => None,
        }
    }
}

/// A protocol and port range, normalised the way AWS reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub protocol: String,
    pub from: i32,
    pub to: i32,
}

impl PortRange {
    /// Normalises a configured protocol and ports: `all` becomes `-1`, protocol numbers of
    /// tcp/udp/icmp become their names (as the AWS provider does), and "all protocols" has
    /// no ports (AWS reports none; we say 0).
    pub fn new(protocol: &str, from: i32, to: i32) -> PortRange {
        let protocol = normalise_protocol(protocol);
        if protocol == "-1" {
            PortRange {
                protocol,
                from: 0,
                to: 0,
            }
        } else {
            PortRange { protocol, from, to }
        }
    }

    fn of(p: &IpPermission) -> PortRange {
        PortRange::new(
            p.ip_protocol().unwrap_or("-1"),
            p.from_port().unwrap_or(0),
            p.to_port().unwrap_or(0),
        )
    }
}

pub fn normalise_protocol(p: &str) -> String {
    let p = p.to_ascii_lowercase();
    match p.as_str() {
        "all" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        _ => p,
    }
}

/// Where traffic may come from (ingress) or go to (egress).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Cidr(String),
    Ipv6Cidr(String),
    PrefixList(String),
    /// Another (or the same) security group: `sg-1` or, across accounts, `123456789012/sg-1`.
    Group(String),
}

/// One port range and one source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Atom {
    pub ports: PortRange,
    pub source: Source,
}

/// A set of atoms with their descriptions.
pub type Atoms = BTreeMap<Atom, Option<String>>;

/// The atoms of one rule as configured (an inline block or an `aws_security_group_rule`):
/// `self = true` means the group `own_group_id` itself.
pub fn rule_atoms(rule: &Value, own_group_id: &str, groups_attr: &str) -> Atoms {
    let ports = PortRange::new(
        get_str(rule, "protocol").unwrap_or("-1"),
        get_i32(rule, "from_port").unwrap_or(0),
        get_i32(rule, "to_port").unwrap_or(0),
    );
    let description = get_str(rule, "description")
        .filter(|d| !d.is_empty())
        .map(String::from);
    rule_sources(rule, own_group_id, groups_attr)
        .into_iter()
        .map(|source| {
            (
                Atom {
                    ports: ports.clone(),
                    source,
                },
                description.clone(),
            )
        })
        .collect()
}

/// The sources a configured rule names, in the order the `sgrule-` hash wants them.
pub fn rule_sources(rule: &Value, own_group_id: &str, groups_attr: &str) -> Vec<Source> {
    let mut sources: Vec<Source> = Vec::new();
    sources.extend(
        get_strings(rule, "cidr_blocks")
            .into_iter()
            .map(Source::Cidr),
    );
    sources.extend(
        get_strings(rule, "ipv6_cidr_blocks")
            .into_iter()
            .map(Source::Ipv6Cidr),
    );
    sources.extend(
        get_strings(rule, "prefix_list_ids")
            .into_iter()
            .map(Source::PrefixList),
    );
    // `security_groups` (a set) inline, `source_security_group_id` (one) on the rule type.
    sources.extend(
        get_strings(rule, groups_attr)
            .into_iter()
            .map(Source::Group),
    );
    if let Some(g) = get_str(rule, groups_attr) {
        sources.push(Source::Group(g.to_string()));
    }
    if get_bool(rule, "self") == Some(true) {
        sources.push(Source::Group(own_group_id.to_string()));
    }
    sources
}

/// The atoms of one AWS permission. Groups owned by `owner_id` are named by id alone.
pub fn permission_atoms(p: &IpPermission, owner_id: Option<&str>) -> Atoms {
    let ports = PortRange::of(p);
    let desc = |d: Option<&str>| d.filter(|d| !d.is_empty()).map(String::from);
    let mut out = Atoms::new();
    let mut add = |source: Source, d: Option<String>| {
        out.insert(
            Atom {
                ports: ports.clone(),
                source,
            },
            d,
        );
    };
    for r in p.ip_ranges() {
        if let Some(c) = r.cidr_ip() {
            add(Source::Cidr(c.into()), desc(r.description()));
        }
    }
    for r in p.ipv6_ranges() {
        if let Some(c) = r.cidr_ipv6() {
            add(Source::Ipv6Cidr(c.into()), desc(r.description()));
        }
    }
    for r in p.prefix_list_ids() {
        if let Some(id) = r.prefix_list_id() {
            add(Source::PrefixList(id.into()), desc(r.description()));
        }
    }
    for g in p.user_id_group_pairs() {
        let Some(id) = g.group_id() else { continue };
        let name = match g.user_id() {
            Some(user) if Some(user) != owner_id => format!("{user}/{id}"),
            _ => id.to_string(),
        };
        add(Source::Group(name), desc(g.description()));
    }
    out
}

/// All atoms of a list of AWS permissions.
pub fn permissions_atoms(perms: &[IpPermission], owner_id: Option<&str>) -> Atoms {
    perms
        .iter()
        .flat_map(|p| permission_atoms(p, owner_id))
        .collect()
}

/// Packs atoms into `IpPermission`s, one per port range.
pub fn to_permissions<'a>(
    atoms: impl IntoIterator<Item = (&'a Atom, &'a Option<String>)>,
) -> Vec<IpPermission> {
    let mut by_ports: BTreeMap<&PortRange, Vec<(&Source, Option<String>)>> = BTreeMap::new();
    for (atom, desc) in atoms {
        by_ports
            .entry(&atom.ports)
            .or_default()
            .push((&atom.source, desc.clone()));
    }
    by_ports
        .into_iter()
        .map(|(ports, sources)| {
            let mut b = IpPermission::builder().ip_protocol(&ports.protocol);
            // "All protocols" has no ports; AWS rejects some when given.
            if ports.protocol != "-1" {
                b = b.from_port(ports.from).to_port(ports.to);
            }
            for (source, d) in sources {
                b = match source {
                    Source::Cidr(c) => {
                        b.ip_ranges(IpRange::builder().cidr_ip(c).set_description(d).build())
                    }
                    Source::Ipv6Cidr(c) => {
                        b.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(c).set_description(d).build())
                    }
                    Source::PrefixList(id) => b.prefix_list_ids(
                        PrefixListId::builder()
                            .prefix_list_id(id)
                            .set_description(d)
                            .build(),
                    ),
                    Source::Group(g) => {
                        let pair = match g.split_once('/') {
                            Some((user, id)) => {
                                UserIdGroupPair::builder().user_id(user).group_id(id)
                            }
                            None => UserIdGroupPair::builder().group_id(g),
                        };
                        b.user_id_group_pairs(pair.set_description(d).build())
                    }
                };
            }
            b.build()
        })
        .collect()
}

/// What to change to go from one set of atoms to another.
#[derive(Debug, Default, PartialEq)]
pub struct RuleDiff {
    pub revoke: Atoms,
    pub authorize: Atoms,
    /// Present on both sides with a different description (changed in place).
    pub redescribe: Atoms,
}

impl RuleDiff {
    pub fn is_empty(&self) -> bool {
        self.revoke.is_empty() && self.authorize.is_empty() && self.redescribe.is_empty()
    }
}

pub fn diff(prior: &Atoms, planned: &Atoms) -> RuleDiff {
    let mut d = RuleDiff::default();
    for (atom, desc) in prior {
        match planned.get(atom) {
            None => {
                d.revoke.insert(atom.clone(), desc.clone());
            }
            Some(new) if new != desc => {
                d.redescribe.insert(atom.clone(), new.clone());
            }
            Some(_) => {}
        }
    }
    for (atom, desc) in planned {
        if !prior.contains_key(atom) {
            d.authorize.insert(atom.clone(), desc.clone());
        }
    }
    d
}

/// What one call does to some of a group's rules of one direction.
#[derive(Clone, Copy)]
enum Change {
    Authorize,
    Revoke,
    Redescribe,
}

/// Sends the call that makes `change` to the permissions `perms` of the group's `direction`
/// rules, retried by the default policy; its error goes through `visible`.
async fn send_change(
    ec2: &aws_sdk_ec2::Client,
    group_id: &str,
    (change, direction): (Change, Direction),
    perms: Vec<IpPermission>,
    visible: impl Fn(ApiError) -> ApiError,
) -> Result<()> {
    retry(RetryPolicy::default(), || async {
        let perms = Some(perms.clone());
        macro_rules! send {
            ($operation:ident) => {
                ec2.$operation()
                    .group_id(group_id)
                    .set_ip_permissions(perms)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(from_sdk)
            };
        }
        match (change, direction) {
            (Change::Authorize, Direction::Ingress) => send!(authorize_security_group_ingress),
            (Change::Authorize, Direction::Egress) => send!(authorize_security_group_egress),
            (Change::Revoke, Direction::Ingress) => send!(revoke_security_group_ingress),
            (Change::Revoke, Direction::Egress) => send!(revoke_security_group_egress),
            (Change::Redescribe, Direction::Ingress) => {
                send!(update_security_group_rule_descriptions_ingress)
            }
            (Change::Redescribe, Direction::Egress) => {
                send!(update_security_group_rule_descriptions_egress)
            }
        }
        .map_err(&visible)
    })
    .await
}

/// Sends a diff for one direction of group `group_id`: revokes first (so that a source
/// moving between rules is never authorized twice), then authorizes, then re-describes.
/// A revoke of a permission that is already gone counts as done. NotFound for the group
/// itself is retried when `group_is_new` (it may not be visible yet right after its
/// creation).
pub async fn apply_diff(
    clients: &AwsClients,
    group_id: &str,
    direction: Direction,
    d: &RuleDiff,
    group_is_new: bool,
) -> Result<()> {
    send_diff(clients, group_id, direction, d, group_is_new, false).await
}

/// As [`apply_diff`], for a group's own (inline) rules, which form a set: a source that
/// exists already counts as authorized. AWS authorizes all of a call's permissions or none,
/// and refuses the call if one of them exists (when the call repeats one whose answer was
/// lost, or next to a rule added outside ecsform); each source is then authorized on its
/// own. (`aws_security_group_rule` keeps the refusal: a rule may be managed only once.)
pub async fn apply_set_diff(
    clients: &AwsClients,
    group_id: &str,
    direction: Direction,
    d: &RuleDiff,
    group_is_new: bool,
) -> Result<()> {
    send_diff(clients, group_id, direction, d, group_is_new, true).await
}

async fn send_diff(
    clients: &AwsClients,
    group_id: &str,
    direction: Direction,
    d: &RuleDiff,
    group_is_new: bool,
    tolerate_duplicates: bool,
) -> Result<()> {
    let visible = |e: ApiError| {
        if group_is_new {
            group_not_visible_yet(e)
        } else {
            e
        }
    };
    let ec2 = &clients.ec2;
    // A permission that is gone already (a rule removed outside ecsform) was revoked.
    let gone: fn(&ApiError) -> bool = ApiError::is_missing_permission;
    let revoke = (Change::Revoke, direction);
    send_each_if(ec2, group_id, revoke, &d.revoke, gone, &visible).await?;
    let duplicate: fn(&ApiError) -> bool = match tolerate_duplicates {
        true => ApiError::is_duplicate_permission,
        false => |_| false,
    };
    let authorize = (Change::Authorize, direction);
    send_each_if(ec2, group_id, authorize, &d.authorize, duplicate, &visible).await?;
    if !d.redescribe.is_empty() {
        let perms = to_permissions(&d.redescribe);
        send_change(ec2, group_id, (Change::Redescribe, direction), perms, |e| e).await?;
    }
    Ok(())
}

/// Sends `change` for all of `atoms` in one call (none: no call). AWS makes all of a call's
/// changes or none; when it refuses the call for one of them with an error `done` accepts
/// (the change is there already), each is sent on its own and such a refusal counts as done.
async fn send_each_if(
    ec2: &aws_sdk_ec2::Client,
    group_id: &str,
    change: (Change, Direction),
    atoms: &Atoms,
    done: fn(&ApiError) -> bool,
    visible: impl Fn(ApiError) -> ApiError,
) -> Result<()> {
    if atoms.is_empty() {
        return Ok(());
    }
    match send_change(ec2, group_id, change, to_permissions(atoms), &visible).await {
        Err(e) if done(&e) => {
            for one in atoms.iter().map(|a| to_permissions([a])) {
                match send_change(ec2, group_id, change, one, &visible).await {
                    Err(e) if done(&e) => {}
                    other => other?,
                }
            }
            Ok(())
        }
        other => other,
    }
}

/// Right after `CreateSecurityGroup`, EC2 may not know the group yet: retry instead of
/// failing.
fn group_not_visible_yet(e: ApiError) -> ApiError {
    if e.is_unknown_security_group() {
        crate::aws::error::eventually_consistent(e)
    } else {
        e
    }
}

/// The inline rule blocks of a group as AWS reports them: one block per port range and
/// description (the AWS provider's shape), sources sorted.
pub fn rule_blocks(atoms: &Atoms, own_group_id: &str) -> Vec<Value> {
    let mut groups: BTreeMap<(&PortRange, &Option<String>), Vec<&Source>> = BTreeMap::new();
    for (atom, desc) in atoms {
        groups
            .entry((&atom.ports, desc))
            .or_default()
            .push(&atom.source);
    }
    groups
        .into_iter()
        .map(|((ports, desc), sources)| {
            let mut cidrs = Vec::new();
            let mut cidrs6 = Vec::new();
            let mut lists = Vec::new();
            let mut groups = Vec::new();
            let mut is_self = false;
            for s in sources {
                match s {
                    Source::Cidr(c) => cidrs.push(c.clone()),
                    Source::Ipv6Cidr(c) => cidrs6.push(c.clone()),
                    Source::PrefixList(p) => lists.push(p.clone()),
                    Source::Group(g) if g == own_group_id => is_self = true,
                    Source::Group(g) => groups.push(g.clone()),
                }
            }
            Value::map([
                ("from_port", Value::number(ports.from)),
                ("to_port", Value::number(ports.to)),
                ("protocol", Value::string(&ports.protocol)),
                ("cidr_blocks", set_or_null(cidrs)),
                ("ipv6_cidr_blocks", set_or_null(cidrs6)),
                ("prefix_list_ids", set_or_null(lists)),
                ("security_groups", set_or_null(groups)),
                ("self", Value::Bool(is_self)),
                ("description", opt_str(desc.clone())),
            ])
        })
        .collect()
}

/// Unset source lists are null in a conformed configuration; report empty ones the same way
/// so that an unchanged rule shows no difference.
pub fn set_or_null(items: Vec<String>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        string_set(items)
    }
}

/// The AWS provider's id for an `aws_security_group_rule`: `sgrule-` and the CRC-32 (IEEE, as
/// Go's `crc32.ChecksumIEEE`) of the group, ports (only when positive), protocol, direction
/// and the sorted sources.
pub fn rule_id(
    group_id: &str,
    direction: Direction,
    ports: &PortRange,
    sources: &[Source],
) -> String {
    let mut s = format!("{group_id}-");
    if ports.from > 0 {
        s.push_str(&format!("{}-", ports.from));
    }
    if ports.to > 0 {
        s.push_str(&format!("{}-", ports.to));
    }
    s.push_str(&format!("{}-{}-", ports.protocol, direction.as_str()));
    let sorted = |f: fn(&Source) -> Option<&str>| {
        let mut v: Vec<&str> = sources.iter().filter_map(f).collect();
        v.sort_unstable();
        v
    };
    let kinds: [fn(&Source) -> Option<&str>; 3] = [
        |s| match s {
            Source::Cidr(c) => Some(c),
            _ => None,
        },
        |s| match s {
            Source::Ipv6Cidr(c) => Some(c),
            _ => None,
        },
        |s| match s {
            Source::PrefixList(c) => Some(c),
            _ => None,
        },
    ];
    for kind in kinds {
        for v in sorted(kind) {
            s.push_str(&format!("{v}-"));
        }
    }
    // Group pairs: the group id, then an empty group name (we never use names).
    let groups: Vec<&str> = sorted(|s| match s {
        Source::Group(g) => Some(g.rsplit('/').next().unwrap_or(g)),
        _ => None,
    });
    for g in groups {
        s.push_str(&format!("{g}--"));
    }
    format!("sgrule-{}", crc32fast::hash(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(from: i32, to: i32) -> PortRange {
        PortRange::new("tcp", from, to)
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
    }

    /// The AWS provider's own fixed expectations (`TestIPPermissionIDHash`).
    #[test]
    fn rule_ids_match_the_aws_provider() {
        let cidr = [Source::Cidr("10.0.0.0/8".into())];
        assert_eq!(
            rule_id("sg-12345", Direction::Ingress, &tcp(80, 8000), &cidr),
            "sgrule-3403497314"
        );
        assert_eq!(
            rule_id("sg-12345", Direction::Egress, &tcp(80, 8000), &cidr),
            "sgrule-1173186295"
        );
        assert_eq!(
            rule_id(
                "sg-12345",
                Direction::Egress,
                &PortRange::new("-1", 0, 0),
                &cidr
            ),
            "sgrule-766323498"
        );
        let groups = [
            Source::Group("987654321/sg-12345678".into()),
            Source::Group("123456789/sg-987654321".into()),
            Source::Group("123456789/sg-12345678".into()),
        ];
        assert_eq!(
            rule_id("sg-12345", Direction::Egress, &tcp(80, 8000), &groups),
            "sgrule-351225364"
        );
    }

    #[test]
    fn protocols_are_normalised() {
        assert_eq!(PortRange::new("ALL", 0, 65535), PortRange::new("-1", 0, 0));
        assert_eq!(PortRange::new("6", 22, 22), tcp(22, 22));
        assert_eq!(normalise_protocol("icmpv6"), "icmpv6");
    }

    fn rule(cidrs: &[&str], self_: bool, desc: Option<&str>) -> Value {
        Value::map([
            ("from_port", Value::number(443)),
            ("to_port", Value::number(443)),
            ("protocol", Value::string("tcp")),
            ("cidr_blocks", string_set(cidrs.iter().copied())),
            ("self", Value::Bool(self_)),
            ("description", opt_str(desc)),
        ])
    }

    #[test]
    fn diff_revokes_authorizes_and_redescribes_only_what_changed() {
        let prior = rule_atoms(
            &rule(&["10.0.0.0/8", "10.1.0.0/16"], true, None),
            "sg-1",
            "security_groups",
        );
        let planned = rule_atoms(
            &rule(&["10.0.0.0/8", "10.2.0.0/16"], true, Some("web")),
            "sg-1",
            "security_groups",
        );
        let d = diff(&prior, &planned);
        let names = |a: &Atoms| a.keys().map(|k| k.source.clone()).collect::<Vec<_>>();
        assert_eq!(names(&d.revoke), vec![Source::Cidr("10.1.0.0/16".into())]);
        assert_eq!(
            names(&d.authorize),
            vec![Source::Cidr("10.2.0.0/16".into())]
        );
        assert_eq!(
            names(&d.redescribe),
            vec![
                Source::Cidr("10.0.0.0/8".into()),
                Source::Group("sg-1".into())
            ]
        );
        assert!(diff(&planned, &planned).is_empty());
    }

    #[test]
    fn atoms_round_trip_through_permissions() {
        let mut atoms = rule_atoms(
            &rule(&["10.0.0.0/8"], true, Some("a")),
            "sg-1",
            "security_groups",
        );
        atoms.extend(rule_atoms(
            &Value::map([
                ("protocol", Value::string("all")),
                ("from_port", Value::number(0)),
                ("to_port", Value::number(0)),
                ("ipv6_cidr_blocks", string_set(["::/0"])),
            ]),
            "sg-1",
            "security_groups",
        ));
        let perms = to_permissions(&atoms);
        assert_eq!(perms.len(), 2);
        assert_eq!(permissions_atoms(&perms, Some("123")), atoms);
    }

    #[test]
    fn rule_blocks_group_by_ports_and_description() {
        let mut atoms = rule_atoms(
            &rule(&["10.0.0.0/8"], true, None),
            "sg-1",
            "security_groups",
        );
        atoms.extend(rule_atoms(
            &rule(&["10.9.0.0/16"], false, Some("vpn")),
            "sg-1",
            "security_groups",
        ));
        let blocks = rule_blocks(&atoms, "sg-1");
        assert_eq!(blocks.len(), 2);
        let first = blocks[0].as_map().unwrap();
        assert_eq!(first["self"], Value::Bool(true));
        assert_eq!(first["cidr_blocks"], string_set(["10.0.0.0/8"]));
        assert_eq!(first["security_groups"], Value::Null);
        assert_eq!(
            blocks[1].as_map().unwrap()["description"],
            Value::string("vpn")
        );
    }
}
