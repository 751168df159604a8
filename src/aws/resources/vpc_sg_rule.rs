//! What `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule` share:
//! the AWS provider gives both one schema and one implementation, which differ only in the
//! Authorize/Revoke calls of their direction. Each type file is a thin [`VpcSgRule`] of its
//! [`Direction`].
//!
//! Unlike `aws_security_group_rule`, these rules are AWS objects with ids of their own
//! (`sgr-…`, the state id and the import ID) and tags. One rule has one source (exactly one of
//! `cidr_ipv4`, `cidr_ipv6`, `prefix_list_id`, `referenced_security_group_id`): created by
//! AuthorizeSecurityGroupIngress/Egress with one permission and the rule's tags (ecsform's
//! ownership tags among them) in its TagSpecifications, read by one paginated
//! DescribeSecurityGroupRules for all ids of a refresh, changed in place by
//! ModifySecurityGroupRules (everything but `security_group_id`; a change of the source's kind
//! replaces the rule, as the provider's plan does), deleted by Revoke with the rule id.
//!
//! `ip_protocol` compares as the provider's does (`6` is `tcp`, `all` is `-1`). AWS reports
//! ports of `-1` where a rule has none (all protocols, or ICMP without a type): as in the
//! provider, such a `-1` is recorded as unset where the configuration or state left the port
//! unset. moto serves all of it (its ModifySecurityGroupRules changes the protocol, ports,
//! description and IPv4 CIDR, and requires both ports).

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType as Ec2ResourceType,
    SecurityGroupRule, SecurityGroupRuleRequest, SecurityGroupRuleUpdate, UserIdGroupPair,
};

use super::sg_permissions::{normalise_protocol, Direction};
use super::{attr, changed, create_call, ec2_arn, read_created, recorded_id};
use crate::aws::call::call;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::{from_sdk, ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::{Adoption, CallContext, Declaration, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_i32, get_str, opt_number, opt_str, state_object, string_map};
use crate::provider::Schema;

/// The provider's schema of both types.
pub static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn security_group_rule_id;
        required String: security_group_id.force_new() ip_protocol;
        optional String: cidr_ipv4.force_new_when_set_or_unset() cidr_ipv6.force_new_when_set_or_unset();
        optional String: prefix_list_id.force_new_when_set_or_unset();
        optional String: referenced_security_group_id.force_new_when_set_or_unset();
        optional String: description;
        optional Number: from_port to_port;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// The arguments ModifySecurityGroupRules changes.
const RULE_ARGUMENTS: [&str; 8] = [
    "cidr_ipv4",
    "cidr_ipv6",
    "description",
    "from_port",
    "ip_protocol",
    "prefix_list_id",
    "referenced_security_group_id",
    "to_port",
];

/// The arguments naming a rule's source, of which exactly one is set.
const SOURCES: [&str; 4] = [
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
];

/// One of the two types: [`Direction::Ingress`] or [`Direction::Egress`].
pub struct VpcSgRule {
    pub declaration: &'static Declaration,
    pub direction: Direction,
}

/// The declaration of the type of `name`.
pub const fn declaration(name: &'static str) -> Declaration {
    Declaration::new(name, &SCHEMA, Adoption::Tags)
}

/// A rule as a state of the type of `direction` (`None` for the other direction's).
fn rule_state(rule: &SecurityGroupRule, region: &str, direction: Direction) -> Option<Value> {
    let id = rule.security_group_rule_id()?;
    if rule.is_egress().unwrap_or(false) != (direction == Direction::Egress) {
        return None;
    }
    let owner = rule.group_owner_id().unwrap_or_default();
    let referenced = rule.referenced_group_info().and_then(|r| {
        let group = r.group_id()?;
        Some(match r.user_id() {
            Some(user) if !user.is_empty() && !owner.is_empty() && user != owner => {
                format!("{user}/{group}")
            }
            _ => group.to_string(),
        })
    });
    let tags = string_map(&from_ec2(rule.tags()));
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("security_group_rule_id", Value::string(id)),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "security-group-rule", id)),
            ),
            ("security_group_id", opt_str(rule.group_id())),
            (
                "ip_protocol",
                opt_str(rule.ip_protocol().map(normalise_protocol)),
            ),
            ("cidr_ipv4", opt_str(rule.cidr_ipv4())),
            ("cidr_ipv6", opt_str(rule.cidr_ipv6())),
            ("prefix_list_id", opt_str(rule.prefix_list_id())),
            ("referenced_security_group_id", opt_str(referenced)),
            ("description", opt_str(rule.description())),
            ("from_port", opt_number(rule.from_port())),
            ("to_port", opt_number(rule.to_port())),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    ))
}

/// `read` with its ports of `-1` unset where `reference` (the configuration or the recorded
/// state) leaves them unset: AWS reports `-1` for a rule without ports, as the provider reads.
pub fn ports_as_configured(read: Value, reference: &Value) -> Value {
    let Value::Map(mut m) = read else {
        return read;
    };
    for port in ["from_port", "to_port"] {
        let unset = matches!(attr(reference, port), Value::Null);
        if unset && m.get(port).and_then(Value::as_number) == Some(-1.0) {
            m.insert(port.to_string(), Value::Null);
        }
    }
    Value::Map(m)
}

/// The rule's one source, or why the configuration names none or several.
fn source(planned: &Value) -> Result<&'static str> {
    let set: Vec<&'static str> = SOURCES
        .into_iter()
        .filter(|s| get_str(planned, s).is_some())
        .collect();
    match set.as_slice() {
        [one] => Ok(one),
        _ => Err(ApiError::new(
            ErrorKind::Invalid,
            "InvalidParameterCombination",
            format!(
                "exactly one of {} must be set, not {}",
                SOURCES.join(", "),
                set.len()
            ),
        )),
    }
}

/// A referenced group as `[USER_ID/]GROUP_ID`.
fn user_and_group(referenced: &str) -> (Option<&str>, &str) {
    match referenced.split_once('/') {
        Some((user, group)) => (Some(user), group),
        None => (None, referenced),
    }
}

/// The permission AuthorizeSecurityGroupIngress/Egress gets for the planned rule.
fn permission(planned: &Value) -> Result<IpPermission> {
    let description = get_str(planned, "description").map(String::from);
    let value = |name| get_str(planned, name).unwrap_or_default();
    let p = IpPermission::builder()
        .set_ip_protocol(get_str(planned, "ip_protocol").map(String::from))
        .set_from_port(get_i32(planned, "from_port"))
        .set_to_port(get_i32(planned, "to_port"));
    Ok(match source(planned)? {
        "cidr_ipv4" => p.ip_ranges(
            IpRange::builder()
                .cidr_ip(value("cidr_ipv4"))
                .set_description(description)
                .build(),
        ),
        "cidr_ipv6" => p.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(value("cidr_ipv6"))
                .set_description(description)
                .build(),
        ),
        "prefix_list_id" => p.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(value("prefix_list_id"))
                .set_description(description)
                .build(),
        ),
        _ => {
            let (user, group) = user_and_group(value("referenced_security_group_id"));
            p.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(group)
                    .set_user_id(user.map(String::from))
                    .set_description(description)
                    .build(),
            )
        }
    }
    .build())
}

/// The ModifySecurityGroupRules request body for the planned rule, as the provider sends it.
fn rule_request(planned: &Value) -> SecurityGroupRuleRequest {
    let s = |name| get_str(planned, name).map(String::from);
    SecurityGroupRuleRequest::builder()
        .set_cidr_ipv4(s("cidr_ipv4"))
        .set_cidr_ipv6(s("cidr_ipv6"))
        .set_description(s("description"))
        .set_from_port(get_i32(planned, "from_port"))
        .set_ip_protocol(s("ip_protocol"))
        .set_prefix_list_id(s("prefix_list_id"))
        .set_referenced_group_id(s("referenced_security_group_id"))
        .set_to_port(get_i32(planned, "to_port"))
        .build()
}

fn group_id(planned: &Value) -> Result<&str> {
    get_str(planned, "security_group_id")
        .ok_or_else(|| ApiError::malformed("security group rule has no security_group_id"))
}

#[async_trait]
impl ResourceType for VpcSgRule {
    fn declaration(&self) -> &'static Declaration {
        self.declaration
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static INGRESS: Ec2Objects<SecurityGroupRule> = Ec2Objects {
            state: Some(|r, region| rule_state(r, region, Direction::Ingress)),
        };
        static EGRESS: Ec2Objects<SecurityGroupRule> = Ec2Objects {
            state: Some(|r, region| rule_state(r, region, Direction::Egress)),
        };
        Some(match self.direction {
            Direction::Ingress => &INGRESS,
            Direction::Egress => &EGRESS,
        })
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "security group rule id", "sgr-"))
    }

    /// `6` and `tcp`, `all` and `-1` are the same protocol (the provider's semantic equality).
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::String(p)) = m.get("ip_protocol") {
            let p = normalise_protocol(p);
            m.insert("ip_protocol".into(), Value::string(p));
        }
        Value::Map(m)
    }

    fn refreshed(&self, read: Value, recorded: &Value) -> Value {
        ports_as_configured(read, recorded)
    }

    fn imported(&self, read: Value, config: &Value) -> Value {
        ports_as_configured(read, config)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let group = group_id(planned)?;
        let permission = permission(planned)?;
        let tags = tag_spec(
            Ec2ResourceType::SecurityGroupRule,
            &creation_tags(planned, ctx.extra_tags),
        );
        let ec2 = &ctx.clients.ec2;
        let what = format!("security group {group} to accept a rule");
        let rules = match self.direction {
            Direction::Ingress => {
                create_call(&what, || async {
                    let request = ec2
                        .authorize_security_group_ingress()
                        .group_id(group)
                        .ip_permissions(permission.clone())
                        .tag_specifications(tags.clone());
                    let out = request.send().await.map_err(from_sdk)?;
                    Ok(out.security_group_rules.unwrap_or_default())
                })
                .await?
            }
            Direction::Egress => {
                create_call(&what, || async {
                    let request = ec2
                        .authorize_security_group_egress()
                        .group_id(group)
                        .ip_permissions(permission.clone())
                        .tag_specifications(tags.clone());
                    let out = request.send().await.map_err(from_sdk)?;
                    Ok(out.security_group_rules.unwrap_or_default())
                })
                .await?
            }
        };
        let id = rules
            .first()
            .and_then(|r| r.security_group_rule_id())
            .ok_or_else(|| ApiError::malformed("the authorization returned no rule id"))?;
        let state = read_created(self, ctx.clients, id).await?;
        Ok(ports_as_configured(state, planned))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = recorded_id(self, prior)?;
        if RULE_ARGUMENTS.iter().any(|a| changed(prior, planned, a)) {
            let update = SecurityGroupRuleUpdate::builder()
                .security_group_rule_id(&id)
                .security_group_rule(rule_request(planned))
                .build();
            call(|| {
                ctx.clients
                    .ec2
                    .modify_security_group_rules()
                    .group_id(group_id(planned).unwrap_or_default())
                    .security_group_rules(update.clone())
                    .send()
            })
            .await?;
        }
        update_ec2_tags(ctx.clients, &id, prior, planned).await?;
        let state = read_created(self, ctx.clients, &id).await?;
        Ok(ports_as_configured(state, planned))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = recorded_id(self, prior)?;
        let group = group_id(prior)?;
        let ec2 = &ctx.clients.ec2;
        match self.direction {
            Direction::Ingress => call(|| {
                ec2.revoke_security_group_ingress()
                    .group_id(group)
                    .security_group_rule_ids(&id)
                    .send()
            })
            .await
            .ok_if_gone(),
            Direction::Egress => call(|| {
                ec2.revoke_security_group_egress()
                    .group_id(group)
                    .security_group_rule_ids(&id)
                    .send()
            })
            .await
            .ok_if_gone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{ReferencedSecurityGroup, Tag};

    fn planned(pairs: &[(&str, Value)]) -> Value {
        let mut all = vec![
            ("security_group_id", Value::string("sg-1")),
            ("ip_protocol", Value::string("tcp")),
            ("from_port", Value::number(443)),
            ("to_port", Value::number(443)),
        ];
        all.extend(pairs.iter().cloned());
        SCHEMA.conformed(all)
    }

    #[test]
    fn one_permission_with_the_one_source() {
        let p = permission(&planned(&[
            (
                "referenced_security_group_id",
                Value::string("123456789012/sg-2"),
            ),
            ("description", Value::string("from the ALB")),
        ]))
        .unwrap();
        assert_eq!(p.ip_protocol(), Some("tcp"));
        assert_eq!((p.from_port(), p.to_port()), (Some(443), Some(443)));
        let pair = &p.user_id_group_pairs()[0];
        assert_eq!(pair.group_id(), Some("sg-2"));
        assert_eq!(pair.user_id(), Some("123456789012"));
        assert_eq!(pair.description(), Some("from the ALB"));
        assert!(p.ip_ranges().is_empty());

        let p = permission(&planned(&[("prefix_list_id", Value::string("pl-1"))])).unwrap();
        assert_eq!(p.prefix_list_ids()[0].prefix_list_id(), Some("pl-1"));
        let p = permission(&planned(&[("cidr_ipv6", Value::string("::/0"))])).unwrap();
        assert_eq!(p.ipv6_ranges()[0].cidr_ipv6(), Some("::/0"));
    }

    #[test]
    fn exactly_one_source() {
        assert!(permission(&planned(&[])).is_err());
        let two = planned(&[
            ("cidr_ipv4", Value::string("10.0.0.0/8")),
            ("prefix_list_id", Value::string("pl-1")),
        ]);
        assert_eq!(permission(&two).unwrap_err().kind, ErrorKind::Invalid);
    }

    #[test]
    fn all_protocols_send_no_ports() {
        let p = permission(&SCHEMA.conformed([
            ("security_group_id", Value::string("sg-1")),
            ("ip_protocol", Value::string("-1")),
            ("cidr_ipv4", Value::string("0.0.0.0/0")),
        ]))
        .unwrap();
        assert_eq!((p.from_port(), p.to_port()), (None, None));
    }

    #[test]
    fn modify_request_carries_every_rule_argument() {
        let r = rule_request(&planned(&[
            ("cidr_ipv4", Value::string("10.0.0.0/8")),
            ("description", Value::string("d")),
        ]));
        assert_eq!(r.cidr_ipv4(), Some("10.0.0.0/8"));
        assert_eq!(r.description(), Some("d"));
        assert_eq!(r.ip_protocol(), Some("tcp"));
        assert_eq!((r.from_port(), r.to_port()), (Some(443), Some(443)));
        assert_eq!(r.referenced_group_id(), None);
    }

    fn aws_rule(egress: bool) -> SecurityGroupRule {
        SecurityGroupRule::builder()
            .security_group_rule_id("sgr-1")
            .group_id("sg-1")
            .group_owner_id("123456789012")
            .is_egress(egress)
            .ip_protocol("-1")
            .from_port(-1)
            .to_port(-1)
            .referenced_group_info(
                ReferencedSecurityGroup::builder()
                    .group_id("sg-2")
                    .user_id("123456789012")
                    .build(),
            )
            .tags(Tag::builder().key("Name").value("r").build())
            .tags(Tag::builder().key("ecsform:address").value("x").build())
            .build()
    }

    #[test]
    fn a_rule_reads_as_its_direction_only() {
        assert!(rule_state(&aws_rule(true), "eu-west-1", Direction::Ingress).is_none());
        let v = rule_state(&aws_rule(false), "eu-west-1", Direction::Ingress).unwrap();
        let m = v.as_map().unwrap();
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:security-group-rule/sgr-1")
        );
        // The same account's group is named by its id alone.
        assert_eq!(m["referenced_security_group_id"], Value::string("sg-2"));
        assert_eq!(m["tags"], Value::map([("Name", Value::string("r"))]));
        assert_eq!(m["from_port"], Value::number(-1));
    }

    #[test]
    fn ports_of_minus_one_stay_unset_where_the_configuration_left_them_unset() {
        let read = rule_state(&aws_rule(false), "eu-west-1", Direction::Ingress).unwrap();
        let unset = Value::map([
            ("ip_protocol", Value::string("-1")),
            ("from_port", Value::Null),
        ]);
        let v = ports_as_configured(read.clone(), &unset);
        assert_eq!(attr(&v, "from_port"), Value::Null);
        assert_eq!(attr(&v, "to_port"), Value::Null);
        // An ICMP rule configured with -1 (every type) keeps it.
        let icmp = Value::map([
            ("from_port", Value::number(-1)),
            ("to_port", Value::number(-1)),
        ]);
        let v = ports_as_configured(read, &icmp);
        assert_eq!(attr(&v, "from_port"), Value::number(-1));
    }

    #[test]
    fn protocols_compare_by_meaning() {
        let rt = VpcSgRule {
            declaration: &DECL,
            direction: Direction::Ingress,
        };
        static DECL: Declaration = declaration("aws_vpc_security_group_ingress_rule");
        let v = rt.normalize(Value::map([("ip_protocol", Value::string("6"))]));
        assert_eq!(attr(&v, "ip_protocol"), Value::string("tcp"));
        let v = rt.normalize(Value::map([("ip_protocol", Value::string("all"))]));
        assert_eq!(attr(&v, "ip_protocol"), Value::string("-1"));
    }
}
