//! `aws_lb` (also `aws_alb`): an Application, Network or Gateway Load Balancer, its subnets
//! and security groups, and the load balancer attributes the AWS provider exposes
//! (deletion protection, idle timeout, HTTP/2, invalid header dropping, cross-zone load
//! balancing, access logs).
//!
//! The object is made by `CreateLoadBalancer`; its attributes are set right after with
//! `ModifyLoadBalancerAttributes` and read back with `DescribeLoadBalancerAttributes`.
//! Creation waits until the load balancer is `active`, deletion until it is gone, each with an
//! explicit limit. Subnets, security groups, the IP address type, attributes and tags change
//! in place; name, scheme and type force a new load balancer.
//!
//! `idle_timeout`, `enable_http2` and `drop_invalid_header_fields` exist for Application Load
//! Balancers only: [`ResourceType::normalize`] nulls them for other types, so a network load
//! balancer plans no change for them. `enable_cross_zone_load_balancing` is the other way
//! round: Network and Gateway Load Balancers only, as Application Load Balancers always balance
//! across zones (the AWS provider suppresses the difference; ecsform nulls it the same way).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    IpAddressType, LoadBalancer, LoadBalancerAttribute, LoadBalancerSchemeEnum,
    LoadBalancerStateEnum, LoadBalancerTypeEnum,
};

use super::{attr, changed, create_call, expect_prefix, prefix_of_unique_name, read_created};
use crate::aws::call::call;
use crate::aws::elbv2_reads::{
    describe_attributes, describe_by_arns, find_tagged, modify_attributes, states_with_attributes,
    Pairs,
};
use crate::aws::elbv2_tags::{arn_resource, to_elb, update_tags, visible};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, ErrorKind, OrGone};
use crate::aws::iam::name_or;
use crate::aws::object_ids::{created_id, state_id};
use crate::aws::resource_type::States;
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    get_blocks, get_bool, get_number, get_str, get_strings, opt_str, state_object, string_map,
    string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct LbType;

static DECLARATION: Declaration = Declaration::new("aws_lb", &SCHEMA, Adoption::NameAndTags)
    .generated_name("name", "name_prefix", "tf-lb-");

pub(crate) static ACCESS_LOGS: &[AttrSchema] = attrs![
    required String: bucket;
    optional String: prefix;
    optional Bool: enabled.default(Default::Bool(false));
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn arn_suffix;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional Bool: internal.default(Default::Bool(false)).force_new();
        optional String: load_balancer_type.default(Default::Str("application")).force_new();
        optional_computed StringSet: security_groups subnets;
        optional_computed String: ip_address_type;
        optional Bool: enable_deletion_protection.default(Default::Bool(false));
        optional Number: idle_timeout.default(Default::Number(60.0));
        optional Bool: enable_http2.default(Default::Bool(true));
        optional Bool: drop_invalid_header_fields.default(Default::Bool(false));
        optional Bool: enable_cross_zone_load_balancing.default(Default::Bool(false));
        computed String: dns_name zone_id vpc_id;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[BlockSchema::list("access_logs", ACCESS_LOGS).max_items(1)],
};

/// The AWS provider allows 10 minutes for either transition.
const CREATE_LIMIT: Duration = Duration::from_secs(10 * 60);
const DELETE_LIMIT: Duration = Duration::from_secs(10 * 60);
const POLL: Duration = Duration::from_secs(5);

/// The attributes only Application Load Balancers have.
const ALB_ONLY: [&str; 3] = ["idle_timeout", "enable_http2", "drop_invalid_header_fields"];
/// The attributes Application Load Balancers do not have.
const NOT_ALB: [&str; 1] = ["enable_cross_zone_load_balancing"];

const DELETION_PROTECTION: &str = "deletion_protection.enabled";
const IDLE_TIMEOUT: &str = "idle_timeout.timeout_seconds";
const HTTP2: &str = "routing.http2.enabled";
const DROP_INVALID_HEADERS: &str = "routing.http.drop_invalid_header_fields.enabled";
const CROSS_ZONE: &str = "load_balancing.cross_zone.enabled";
const LOGS_ENABLED: &str = "access_logs.s3.enabled";
const LOGS_BUCKET: &str = "access_logs.s3.bucket";
const LOGS_PREFIX: &str = "access_logs.s3.prefix";

fn is_application(v: &Value) -> bool {
    get_str(v, "load_balancer_type").unwrap_or("application") == "application"
}

/// A number as ELB attributes spell it (`60`, not `60.0`).
pub(crate) fn num(n: f64) -> String {
    format!("{}", n as i64)
}

/// The load balancer attributes `v` asks for, as (key, value) pairs. The access-log keys come
/// as a group: all three, or (no `access_logs` block) none unless `with_logs_off`, which
/// spells out "logs off" (used to compare against a state that had logs).
fn attributes(v: &Value, with_logs_off: bool) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let flag = |name, default| get_bool(v, name).unwrap_or(default).to_string();
    out.insert(
        DELETION_PROTECTION,
        flag("enable_deletion_protection", false),
    );
    if is_application(v) {
        out.insert(
            IDLE_TIMEOUT,
            num(get_number(v, "idle_timeout").unwrap_or(60.0)),
        );
        out.insert(HTTP2, flag("enable_http2", true));
        out.insert(
            DROP_INVALID_HEADERS,
            flag("drop_invalid_header_fields", false),
        );
    } else {
        out.insert(CROSS_ZONE, flag("enable_cross_zone_load_balancing", false));
    }
    match get_blocks(v, "access_logs").first() {
        Some(logs) => {
            out.insert(
                LOGS_ENABLED,
                get_bool(logs, "enabled").unwrap_or(false).to_string(),
            );
            out.insert(LOGS_BUCKET, get_str(logs, "bucket").unwrap_or("").into());
            out.insert(LOGS_PREFIX, get_str(logs, "prefix").unwrap_or("").into());
        }
        None if with_logs_off => {
            out.insert(LOGS_ENABLED, "false".into());
            out.insert(LOGS_BUCKET, String::new());
            out.insert(LOGS_PREFIX, String::new());
        }
        None => {}
    }
    out
}

/// The attributes to send to bring the load balancer from `prior` to `planned`: those that
/// differ, with the access-log keys sent together when any of them differs.
fn attribute_changes(prior: &Value, planned: &Value) -> BTreeMap<&'static str, String> {
    let before = attributes(prior, true);
    let after = attributes(planned, true);
    let logs = [LOGS_ENABLED, LOGS_BUCKET, LOGS_PREFIX];
    let logs_changed = logs.iter().any(|k| before.get(k) != after.get(k));
    after
        .into_iter()
        .filter(|(k, v)| {
            if logs.contains(k) {
                logs_changed
            } else {
                before.get(k) != Some(v)
            }
        })
        .collect()
}

async fn modify_attributes(
    clients: &AwsClients,
    arn: &str,
    attrs: &BTreeMap<&'static str, String>,
) -> Result<()> {
    modify_attributes!(
        clients,
        modify_load_balancer_attributes,
        load_balancer_arn(arn),
        LoadBalancerAttribute,
        attrs
    )
    .await
}

fn lb_state(
    lb: &LoadBalancer,
    attrs: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
) -> Value {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let name = lb.load_balancer_name().unwrap_or_default();
    let kind = lb
        .r#type()
        .map(|t| t.as_str().to_string())
        .unwrap_or_else(|| "application".into());
    let application = kind == "application";
    let get = |k: &str| attrs.get(k).map(String::as_str);
    let flag = |k: &str, default: bool| Value::Bool(get(k).map_or(default, |v| v == "true"));
    let alb_only = |v: Value| if application { v } else { Value::Null };
    let not_alb = |v: Value| if application { Value::Null } else { v };
    let idle = get(IDLE_TIMEOUT)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(60.0);
    let bucket = get(LOGS_BUCKET).filter(|b| !b.is_empty());
    let logs_on = get(LOGS_ENABLED) == Some("true");
    let access_logs = if bucket.is_some() || logs_on {
        vec![Value::map([
            ("bucket", opt_str(bucket)),
            (
                "prefix",
                opt_str(get(LOGS_PREFIX).filter(|p| !p.is_empty())),
            ),
            ("enabled", Value::Bool(logs_on)),
        ])]
    } else {
        Vec::new()
    };
    let subnets = lb
        .availability_zones()
        .iter()
        .filter_map(|z| z.subnet_id())
        .collect::<Vec<_>>();
    let tags = string_map(&visible(tags));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("arn_suffix", opt_str(arn_resource(arn, "loadbalancer"))),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            (
                "internal",
                Value::Bool(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)),
            ),
            ("load_balancer_type", Value::string(kind)),
            ("security_groups", string_set(lb.security_groups().to_vec())),
            ("subnets", string_set(subnets)),
            (
                "ip_address_type",
                opt_str(lb.ip_address_type().map(|t| t.as_str())),
            ),
            (
                "enable_deletion_protection",
                flag(DELETION_PROTECTION, false),
            ),
            ("idle_timeout", alb_only(Value::Number(idle))),
            ("enable_http2", alb_only(flag(HTTP2, true))),
            (
                "drop_invalid_header_fields",
                alb_only(flag(DROP_INVALID_HEADERS, false)),
            ),
            (
                "enable_cross_zone_load_balancing",
                not_alb(flag(CROSS_ZONE, false)),
            ),
            ("access_logs", Value::List(access_logs)),
            ("dns_name", opt_str(lb.dns_name())),
            ("zone_id", opt_str(lb.canonical_hosted_zone_id())),
            ("vpc_id", opt_str(lb.vpc_id())),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    )
}

/// The name to create the load balancer with: `name`, or a unique name from `name_prefix`
/// (or the AWS provider's `tf-lb-`), 32 characters at most.
fn lb_name(planned: &Value) -> String {
    name_or(planned, "tf-lb-")
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
    name: &str,
    tags: &BTreeMap<String, String>,
) -> aws_sdk_elasticloadbalancingv2::operation::create_load_balancer::builders::CreateLoadBalancerFluentBuilder{
    let scheme = if get_bool(planned, "internal").unwrap_or(false) {
        LoadBalancerSchemeEnum::Internal
    } else {
        LoadBalancerSchemeEnum::InternetFacing
    };
    // Left out when unset: AWS then names the mistake (no subnets) or picks the VPC's
    // default security group.
    let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
    clients
        .elbv2
        .create_load_balancer()
        .name(name)
        .set_subnets(non_empty(get_strings(planned, "subnets")))
        .set_security_groups(non_empty(get_strings(planned, "security_groups")))
        .scheme(scheme)
        .r#type(LoadBalancerTypeEnum::from(
            get_str(planned, "load_balancer_type").unwrap_or("application"),
        ))
        .set_ip_address_type(get_str(planned, "ip_address_type").map(IpAddressType::from))
        .set_tags(Some(to_elb(tags)))
}

/// Describes load balancers by ARN (see [`describe_by_arns!`]).
async fn describe(clients: &AwsClients, arns: &[String]) -> Result<Vec<LoadBalancer>> {
    describe_by_arns!(
        clients,
        arns,
        describe_load_balancers,
        set_load_balancer_arns,
        load_balancer_arn
    )
    .await
}

/// The load balancer's attributes, `None` if it is gone.
async fn describe_attributes(clients: &AwsClients, arn: String) -> Result<Option<Pairs>> {
    describe_attributes!(
        clients,
        describe_load_balancer_attributes,
        load_balancer_arn(&arn)
    )
    .await
}

/// Waits until the load balancer is `active`; fails with AWS's reason if it `failed`.
async fn wait_active(clients: &AwsClients, arn: &str) -> Result<()> {
    let arns = [arn.to_string()];
    wait_until(
        &format!("load balancer {arn} to become active"),
        POLL,
        CREATE_LIMIT,
        || async {
            let Some(found) = describe(clients, &arns).await.found()? else {
                return Ok(None);
            };
            let Some(state) = found.first().and_then(|lb| lb.state()) else {
                return Ok(None);
            };
            match state.code() {
                Some(LoadBalancerStateEnum::Active) => Ok(Some(())),
                Some(LoadBalancerStateEnum::Failed) => Err(ApiError::new(
                    ErrorKind::Other,
                    "LoadBalancerFailed",
                    format!(
                        "load balancer {arn} failed: {}",
                        state.reason().unwrap_or("no reason given")
                    ),
                )),
                _ => Ok(None),
            }
        },
    )
    .await
}

#[async_trait]
impl ResourceType for LbType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// `DescribeLoadBalancers` by name, then its tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let out = call(|| clients.elbv2.describe_load_balancers().names(name).send()).await;
        let found = out.found()?.map(|o| o.load_balancers().to_vec());
        let arn = LoadBalancer::load_balancer_arn;
        find_tagged(self, clients, owner, &found.unwrap_or_default(), arn).await
    }

    fn import_id_format(&self) -> &'static str {
        "the load balancer ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "an ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        // Unknown (or absent, not yet defaulted) types are left as they are.
        let nulled = match attr(&value, "load_balancer_type").as_str() {
            Some("application") => NOT_ALB.as_slice(),
            Some(_) => ALB_ONLY.as_slice(),
            None => return value,
        };
        let mut value = value;
        if let Value::Map(m) = &mut value {
            for name in nulled {
                m.insert(name.to_string(), Value::Null);
            }
        }
        value
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let lbs = describe(clients, ids).await?;
        let arn = LoadBalancer::load_balancer_arn;
        let attributes = |arn| describe_attributes(clients, arn);
        states_with_attributes(clients, lbs, arn, attributes, lb_state).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let name = lb_name(planned);
        // Retried while subnets or security groups created a moment ago are not visible yet.
        let out = create_call("load balancer to be created", || async {
            create_request(clients, planned, &name, &tags)
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let arn = out
            .load_balancers()
            .first()
            .and_then(|lb| lb.load_balancer_arn());
        let arn = created_id(arn, "CreateLoadBalancer returned no ARN")?;
        modify_attributes(clients, &arn, &attributes(planned, false)).await?;
        wait_active(clients, &arn).await?;
        read_created(self, clients, &arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?.to_string();
        if changed(prior, planned, "security_groups") {
            let groups = get_strings(planned, "security_groups");
            call(|| {
                clients
                    .elbv2
                    .set_security_groups()
                    .load_balancer_arn(&arn)
                    .set_security_groups(Some(groups.clone()))
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "subnets") {
            let subnets = get_strings(planned, "subnets");
            call(|| {
                clients
                    .elbv2
                    .set_subnets()
                    .load_balancer_arn(&arn)
                    .set_subnets(Some(subnets.clone()))
                    .send()
            })
            .await?;
        }
        if let Some(kind) = get_str(planned, "ip_address_type")
            .filter(|_| changed(prior, planned, "ip_address_type"))
        {
            call(|| {
                clients
                    .elbv2
                    .set_ip_address_type()
                    .load_balancer_arn(&arn)
                    .ip_address_type(IpAddressType::from(kind))
                    .send()
            })
            .await?;
        }
        modify_attributes(clients, &arn, &attribute_changes(prior, planned)).await?;
        update_tags(clients, &arn, prior, planned).await?;
        wait_active(clients, &arn).await?;
        read_created(self, clients, &arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?.to_string();
        let deleted = call(|| {
            clients
                .elbv2
                .delete_load_balancer()
                .load_balancer_arn(&arn)
                .send()
        })
        .await;
        if deleted.found()?.is_none() {
            return Ok(());
        }
        let arns = [arn.clone()];
        wait_until(
            &format!("load balancer {arn} to disappear"),
            POLL,
            DELETE_LIMIT,
            || async {
                let found = describe(clients, &arns).await.found()?.unwrap_or_default();
                Ok(found.is_empty().then_some(()))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;
    use aws_sdk_elasticloadbalancingv2::types::{AvailabilityZone, LoadBalancerState};

    fn conform(config: Value) -> Value {
        LbType.normalize(SCHEMA.conform(&config).unwrap())
    }

    #[test]
    fn create_request_carries_scheme_type_and_tags() {
        let planned = conform(Value::map([
            ("internal", Value::Bool(true)),
            ("subnets", string_set(["subnet-1", "subnet-2"])),
        ]));
        let tags = BTreeMap::from([("ecsform:address".to_string(), "aws_lb.web".to_string())]);
        let req = create_request(&offline_clients(), &planned, "web", &tags);
        let input = req.as_input();
        assert_eq!(input.get_name().as_deref(), Some("web"));
        assert_eq!(input.get_scheme(), &Some(LoadBalancerSchemeEnum::Internal));
        assert_eq!(input.get_type(), &Some(LoadBalancerTypeEnum::Application));
        assert_eq!(input.get_subnets().as_ref().map(Vec::len), Some(2));
        assert_eq!(input.get_security_groups(), &None);
        assert_eq!(input.get_tags().as_ref().map(Vec::len), Some(1));
    }

    #[test]
    fn generated_names_fit_the_32_character_limit() {
        let planned = conform(Value::map([("subnets", string_set(["subnet-1"]))]));
        let name = lb_name(&planned);
        assert!(name.starts_with("tf-lb-") && name.len() == 32, "{name}");
        let planned = conform(Value::map([("name_prefix", Value::string("web-"))]));
        assert_eq!(prefix_of_unique_name(&lb_name(&planned)), Some("web-"));
    }

    #[test]
    fn attributes_of_an_application_load_balancer() {
        let planned = conform(Value::map([
            ("idle_timeout", Value::number(120)),
            (
                "access_logs",
                Value::List(vec![Value::map([("bucket", Value::string("logs"))])]),
            ),
        ]));
        let attrs = attributes(&planned, false);
        assert_eq!(attrs[IDLE_TIMEOUT], "120");
        assert_eq!(attrs[HTTP2], "true");
        assert_eq!(attrs[DROP_INVALID_HEADERS], "false");
        assert_eq!(attrs[DELETION_PROTECTION], "false");
        assert_eq!(attrs[LOGS_BUCKET], "logs");
        assert_eq!(attrs[LOGS_ENABLED], "false");
        assert_eq!(attrs[LOGS_PREFIX], "");
    }

    #[test]
    fn network_load_balancers_have_no_application_attributes() {
        let planned = conform(Value::map([(
            "load_balancer_type",
            Value::string("network"),
        )]));
        assert_eq!(attr(&planned, "idle_timeout"), Value::Null);
        assert_eq!(
            attr(&planned, "enable_cross_zone_load_balancing"),
            Value::Bool(false)
        );
        let attrs = attributes(&planned, false);
        assert_eq!(
            attrs.keys().collect::<Vec<_>>(),
            [&DELETION_PROTECTION, &CROSS_ZONE]
        );
        assert_eq!(attrs[CROSS_ZONE], "false");
        let on = conform(Value::map([
            ("load_balancer_type", Value::string("network")),
            ("enable_cross_zone_load_balancing", Value::Bool(true)),
        ]));
        assert_eq!(
            attribute_changes(&planned, &on),
            BTreeMap::from([(CROSS_ZONE, "true".to_string())])
        );
    }

    #[test]
    fn application_load_balancers_always_balance_across_zones() {
        let planned = conform(Value::map([(
            "enable_cross_zone_load_balancing",
            Value::Bool(true),
        )]));
        assert_eq!(
            attr(&planned, "enable_cross_zone_load_balancing"),
            Value::Null
        );
        assert!(!attributes(&planned, false).contains_key(CROSS_ZONE));
    }

    #[test]
    fn only_changed_attributes_are_sent_and_logs_go_together() {
        let prior = conform(Value::map([(
            "access_logs",
            Value::List(vec![Value::map([
                ("bucket", Value::string("logs")),
                ("enabled", Value::Bool(true)),
            ])]),
        )]));
        let planned = conform(Value::map([("idle_timeout", Value::number(30))]));
        let changes = attribute_changes(&prior, &planned);
        assert_eq!(changes[IDLE_TIMEOUT], "30");
        assert_eq!(changes[LOGS_ENABLED], "false");
        assert_eq!(changes[LOGS_BUCKET], "");
        assert!(!changes.contains_key(HTTP2));
        assert!(attribute_changes(&prior, &prior).is_empty());
    }

    #[test]
    fn state_from_a_described_load_balancer() {
        let lb = LoadBalancer::builder()
            .load_balancer_arn(
                "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/50dc6c495c0c9188",
            )
            .load_balancer_name("web")
            .scheme(LoadBalancerSchemeEnum::InternetFacing)
            .r#type(LoadBalancerTypeEnum::Application)
            .vpc_id("vpc-1")
            .dns_name("web-1.eu-west-1.elb.amazonaws.com")
            .canonical_hosted_zone_id("Z32O12XQLNTSW2")
            .ip_address_type(IpAddressType::Ipv4)
            .security_groups("sg-1")
            .availability_zones(AvailabilityZone::builder().subnet_id("subnet-1").build())
            .state(
                LoadBalancerState::builder()
                    .code(LoadBalancerStateEnum::Active)
                    .build(),
            )
            .build();
        let attrs = BTreeMap::from([
            (IDLE_TIMEOUT.to_string(), "90".to_string()),
            (LOGS_BUCKET.to_string(), String::new()),
        ]);
        let tags = BTreeMap::from([
            ("ecsform:lineage".to_string(), "x".to_string()),
            ("Name".to_string(), "web".to_string()),
        ]);
        let s = lb_state(&lb, &attrs, &tags);
        assert_eq!(
            attr(&s, "arn_suffix"),
            Value::string("app/web/50dc6c495c0c9188")
        );
        assert_eq!(attr(&s, "idle_timeout"), Value::number(90));
        assert_eq!(attr(&s, "enable_http2"), Value::Bool(true));
        assert_eq!(attr(&s, "enable_cross_zone_load_balancing"), Value::Null);
        assert_eq!(attr(&s, "internal"), Value::Bool(false));
        assert_eq!(attr(&s, "subnets"), string_set(["subnet-1"]));
        assert_eq!(attr(&s, "access_logs"), Value::List(Vec::new()));
        assert_eq!(attr(&s, "zone_id"), Value::string("Z32O12XQLNTSW2"));
        assert_eq!(
            attr(&s, "tags"),
            Value::map([("Name", Value::string("web"))])
        );
    }
}
