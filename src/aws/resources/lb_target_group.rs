//! `aws_lb_target_group` (also `aws_alb_target_group`): a target group, its health check and
//! the target group attributes the AWS provider exposes (deregistration delay, slow start,
//! proxy protocol v2, stickiness).
//!
//! The health check travels with `CreateTargetGroup` / `ModifyTargetGroup`; the attributes
//! with `ModifyTargetGroupAttributes` and are read back with `DescribeTargetGroupAttributes`
//! (one call per group: it has no batch form). Name, port, protocol, VPC and target type
//! force a new group.
//!
//! `health_check` and `stickiness` are computed blocks: left out, they keep what AWS chose.
//! Inside a written `health_check`, the settings whose AWS default depends on the protocol
//! (`protocol`, `path`, `timeout`, `matcher`) are filled in by [`ResourceType::normalize`]
//! as AWS fills them, so a block that sets only `path` plans no perpetual change.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroup, TargetGroupAttribute, TargetTypeEnum,
};

use super::lb::num;
use super::{attr, create_call, expect_prefix, prefix_of_unique_name, read_created, retry_while};
use crate::aws::call::call;
use crate::aws::elbv2_reads::{
    describe_attributes, describe_by_arns, find_tagged, modify_attributes, states_with_attributes,
    Pairs,
};
use crate::aws::elbv2_tags::{to_elb, update_tags, visible};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
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
    get_blocks, get_bool, get_i32, get_number, get_str, opt_str, state_object, string_map,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct LbTargetGroupType;

static DECLARATION: Declaration = Declaration::new(
    "aws_lb_target_group",
    &SCHEMA,
    Adoption::NameAndTags,
)
.generated_name("name", "name_prefix", "tf-");

pub(crate) static HEALTH_CHECK: &[AttrSchema] = attrs![
    optional Bool: enabled.default(Default::Bool(true));
    optional String: path port.default(Default::Str("traffic-port")) protocol;
    optional Number: interval.default(Default::Number(30.0)) timeout;
    optional Number: healthy_threshold.default(Default::Number(3.0));
    optional Number: unhealthy_threshold.default(Default::Number(3.0));
    optional String: matcher;
];

pub(crate) static STICKINESS: &[AttrSchema] = attrs![
    required String: type;
    optional Number: cookie_duration.default(Default::Number(86400.0));
    optional String: cookie_name;
    optional Bool: enabled.default(Default::Bool(true));
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn arn_suffix;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional Number: port.force_new();
        optional String: protocol.force_new() vpc_id.force_new();
        optional String: target_type.default(Default::Str("instance")).force_new();
        // A string in the provider's schema (numbers convert), seconds.
        optional String: deregistration_delay.default(Default::Str("300"));
        optional Number: slow_start.default(Default::Number(0.0));
        optional Bool: proxy_protocol_v2.default(Default::Bool(false));
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("health_check", HEALTH_CHECK)
            .max_items(1)
            .computed(),
        BlockSchema::list("stickiness", STICKINESS)
            .max_items(1)
            .computed(),
    ],
};

/// How long deletion retries while a listener or rule deleted a moment ago still uses the
/// group (`ResourceInUse`).
const IN_USE_LIMIT: Duration = Duration::from_secs(2 * 60);

const DEREGISTRATION_DELAY: &str = "deregistration_delay.timeout_seconds";
const SLOW_START: &str = "slow_start.duration_seconds";
const PROXY_PROTOCOL_V2: &str = "proxy_protocol_v2.enabled";
const STICKY_ENABLED: &str = "stickiness.enabled";
const STICKY_TYPE: &str = "stickiness.type";
const LB_COOKIE_DURATION: &str = "stickiness.lb_cookie.duration_seconds";
const APP_COOKIE_DURATION: &str = "stickiness.app_cookie.duration_seconds";
const APP_COOKIE_NAME: &str = "stickiness.app_cookie.cookie_name";

fn is_http(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("HTTP" | "HTTPS"))
}

/// Protocols of Network Load Balancer target groups.
fn is_layer4(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("TCP" | "TLS" | "UDP" | "TCP_UDP"))
}

/// The health check settings AWS picks for a target group of `protocol` when the request
/// leaves them out: (protocol, timeout).
fn health_check_defaults(protocol: &str) -> Option<(&'static str, f64)> {
    match protocol {
        "HTTP" | "HTTPS" => Some(("HTTP", 5.0)),
        "TCP" | "TLS" | "UDP" | "TCP_UDP" => Some(("TCP", 10.0)),
        "GENEVE" => Some(("TCP", 5.0)),
        _ => None,
    }
}

/// Fills a written health check's protocol-dependent settings as AWS would.
fn normalize_health_check(check: Value, tg_protocol: &str) -> Value {
    let Value::Map(mut m) = check else {
        return check;
    };
    let Some((protocol, timeout)) = health_check_defaults(tg_protocol) else {
        return Value::Map(m);
    };
    let fill = |m: &mut BTreeMap<String, Value>, name: &str, v: Value| {
        if m.get(name).is_none_or(Value::is_null) {
            m.insert(name.to_string(), v);
        }
    };
    fill(&mut m, "protocol", Value::string(protocol));
    fill(&mut m, "timeout", Value::Number(timeout));
    if is_http(m.get("protocol").and_then(Value::as_str)) {
        fill(&mut m, "path", Value::string("/"));
        fill(&mut m, "matcher", Value::string("200"));
    }
    Value::Map(m)
}

/// The target group attributes `v` asks for, as (key, value) pairs. Slow start and proxy
/// protocol v2 exist for some protocols only: they are sent for those, or when set to
/// something other than off (so that AWS reports the mistake).
fn attributes(v: &Value) -> BTreeMap<&'static str, String> {
    let protocol = get_str(v, "protocol");
    let mut out = BTreeMap::new();
    if get_str(v, "target_type") != Some("lambda") {
        out.insert(
            DEREGISTRATION_DELAY,
            get_str(v, "deregistration_delay")
                .unwrap_or("300")
                .to_string(),
        );
    }
    let slow_start = get_number(v, "slow_start").unwrap_or(0.0);
    if is_http(protocol) || slow_start != 0.0 {
        out.insert(SLOW_START, num(slow_start));
    }
    let proxy = get_bool(v, "proxy_protocol_v2").unwrap_or(false);
    if is_layer4(protocol) || proxy {
        out.insert(PROXY_PROTOCOL_V2, proxy.to_string());
    }
    if let Some(sticky) = get_blocks(v, "stickiness").first() {
        let kind = get_str(sticky, "type").unwrap_or("lb_cookie");
        out.insert(
            STICKY_ENABLED,
            get_bool(sticky, "enabled").unwrap_or(true).to_string(),
        );
        out.insert(STICKY_TYPE, kind.to_string());
        let duration = num(get_number(sticky, "cookie_duration").unwrap_or(86400.0));
        match kind {
            "lb_cookie" => {
                out.insert(LB_COOKIE_DURATION, duration);
            }
            "app_cookie" => {
                out.insert(APP_COOKIE_DURATION, duration);
                if let Some(name) = get_str(sticky, "cookie_name") {
                    out.insert(APP_COOKIE_NAME, name.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

async fn modify_attributes(
    clients: &AwsClients,
    arn: &str,
    attrs: &BTreeMap<&'static str, String>,
) -> Result<()> {
    modify_attributes!(
        clients,
        modify_target_group_attributes,
        target_group_arn(arn),
        TargetGroupAttribute,
        attrs
    )
    .await
}

fn health_check_state(tg: &TargetGroup) -> Value {
    let n = |v: Option<i32>| v.map(Value::number).unwrap_or(Value::Null);
    let matcher = tg.matcher().and_then(|m| m.http_code().or(m.grpc_code()));
    Value::map([
        (
            "enabled",
            Value::Bool(tg.health_check_enabled().unwrap_or(true)),
        ),
        ("path", opt_str(tg.health_check_path())),
        ("port", opt_str(tg.health_check_port())),
        (
            "protocol",
            opt_str(tg.health_check_protocol().map(|p| p.as_str())),
        ),
        ("interval", n(tg.health_check_interval_seconds())),
        ("timeout", n(tg.health_check_timeout_seconds())),
        ("healthy_threshold", n(tg.healthy_threshold_count())),
        ("unhealthy_threshold", n(tg.unhealthy_threshold_count())),
        ("matcher", opt_str(matcher)),
    ])
}

fn stickiness_state(attrs: &BTreeMap<String, String>) -> Vec<Value> {
    let Some(kind) = attrs.get(STICKY_TYPE).filter(|t| !t.is_empty()) else {
        return Vec::new();
    };
    let duration_key = if kind == "app_cookie" {
        APP_COOKIE_DURATION
    } else {
        LB_COOKIE_DURATION
    };
    let duration = attrs
        .get(duration_key)
        .and_then(|d| d.parse::<f64>().ok())
        .unwrap_or(86400.0);
    let cookie_name = if kind == "app_cookie" {
        attrs.get(APP_COOKIE_NAME).filter(|n| !n.is_empty())
    } else {
        None
    };
    vec![Value::map([
        ("type", Value::string(kind)),
        ("cookie_duration", Value::Number(duration)),
        ("cookie_name", opt_str(cookie_name)),
        (
            "enabled",
            Value::Bool(attrs.get(STICKY_ENABLED).is_some_and(|v| v == "true")),
        ),
    ])]
}

fn target_group_state(
    tg: &TargetGroup,
    attrs: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
) -> Value {
    let arn = tg.target_group_arn().unwrap_or_default();
    let name = tg.target_group_name().unwrap_or_default();
    let number = |k: &str, default: f64| {
        Value::Number(
            attrs
                .get(k)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(default),
        )
    };
    let tags = string_map(&visible(tags));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            // `targetgroup/NAME/ID`, as CloudWatch metrics name the group.
            ("arn_suffix", opt_str(arn.rsplit(':').next())),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            ("port", tg.port().map(Value::number).unwrap_or(Value::Null)),
            ("protocol", opt_str(tg.protocol().map(|p| p.as_str()))),
            ("vpc_id", opt_str(tg.vpc_id())),
            (
                "target_type",
                Value::string(tg.target_type().map_or("instance", |t| t.as_str())),
            ),
            (
                "deregistration_delay",
                Value::string(
                    attrs
                        .get(DEREGISTRATION_DELAY)
                        .map_or("300", String::as_str),
                ),
            ),
            ("slow_start", number(SLOW_START, 0.0)),
            (
                "proxy_protocol_v2",
                Value::Bool(attrs.get(PROXY_PROTOCOL_V2).is_some_and(|v| v == "true")),
            ),
            ("health_check", Value::List(vec![health_check_state(tg)])),
            ("stickiness", Value::List(stickiness_state(attrs))),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    )
}

/// The health check settings of a written `health_check` block, as request fields.
struct HealthCheck {
    enabled: Option<bool>,
    path: Option<String>,
    port: Option<String>,
    protocol: Option<ProtocolEnum>,
    interval: Option<i32>,
    timeout: Option<i32>,
    healthy: Option<i32>,
    unhealthy: Option<i32>,
    matcher: Option<Matcher>,
}

fn health_check(planned: &Value) -> Option<HealthCheck> {
    let check = get_blocks(planned, "health_check").into_iter().next()?;
    let s = |name| get_str(&check, name).map(String::from);
    Some(HealthCheck {
        enabled: get_bool(&check, "enabled"),
        path: s("path"),
        port: s("port"),
        protocol: get_str(&check, "protocol").map(ProtocolEnum::from),
        interval: get_i32(&check, "interval"),
        timeout: get_i32(&check, "timeout"),
        healthy: get_i32(&check, "healthy_threshold"),
        unhealthy: get_i32(&check, "unhealthy_threshold"),
        matcher: get_str(&check, "matcher").map(|m| Matcher::builder().http_code(m).build()),
    })
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
    name: &str,
    tags: &BTreeMap<String, String>,
) -> aws_sdk_elasticloadbalancingv2::operation::create_target_group::builders::CreateTargetGroupFluentBuilder{
    let mut req = clients
        .elbv2
        .create_target_group()
        .name(name)
        .set_port(get_i32(planned, "port"))
        .set_protocol(get_str(planned, "protocol").map(ProtocolEnum::from))
        .set_vpc_id(get_str(planned, "vpc_id").map(String::from))
        .target_type(TargetTypeEnum::from(
            get_str(planned, "target_type").unwrap_or("instance"),
        ))
        .set_tags(Some(to_elb(tags)));
    if let Some(hc) = health_check(planned) {
        req = req
            .set_health_check_enabled(hc.enabled)
            .set_health_check_path(hc.path)
            .set_health_check_port(hc.port)
            .set_health_check_protocol(hc.protocol)
            .set_health_check_interval_seconds(hc.interval)
            .set_health_check_timeout_seconds(hc.timeout)
            .set_healthy_threshold_count(hc.healthy)
            .set_unhealthy_threshold_count(hc.unhealthy)
            .set_matcher(hc.matcher);
    }
    req
}

/// Describes target groups by ARN (see [`describe_by_arns!`]).
async fn describe(clients: &AwsClients, arns: &[String]) -> Result<Vec<TargetGroup>> {
    describe_by_arns!(
        clients,
        arns,
        describe_target_groups,
        set_target_group_arns,
        target_group_arn
    )
    .await
}

/// The group's attributes, `None` if it is gone.
async fn describe_attributes(clients: &AwsClients, arn: String) -> Result<Option<Pairs>> {
    describe_attributes!(
        clients,
        describe_target_group_attributes,
        target_group_arn(&arn)
    )
    .await
}

#[async_trait]
impl ResourceType for LbTargetGroupType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// `DescribeTargetGroups` by name, then its tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let out = call(|| clients.elbv2.describe_target_groups().names(name).send()).await;
        let found = out.found()?.map(|o| o.target_groups().to_vec());
        let arn = TargetGroup::target_group_arn;
        find_tagged(self, clients, owner, &found.unwrap_or_default(), arn).await
    }

    fn import_id_format(&self) -> &'static str {
        "the target group ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "an ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        let protocol = attr(&value, "protocol");
        let (Some(protocol), Value::Map(mut m)) = (protocol.as_str(), value.clone()) else {
            return value;
        };
        if let Some(Value::List(checks)) = m.get("health_check") {
            let checks = checks
                .iter()
                .cloned()
                .map(|c| normalize_health_check(c, protocol))
                .collect();
            m.insert("health_check".into(), Value::List(checks));
        }
        Value::Map(m)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let groups = describe(clients, ids).await?;
        let arn = TargetGroup::target_group_arn;
        let attributes = |arn| describe_attributes(clients, arn);
        states_with_attributes(clients, groups, arn, attributes, target_group_state).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        // `name`, or a unique name from `name_prefix` (or the AWS provider's `tf-`), 32
        // characters at most.
        let name = name_or(planned, "tf-");
        // Retried while a VPC created a moment ago is not visible yet.
        let out = create_call("target group to be created", || async {
            create_request(clients, planned, &name, &tags)
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|tg| tg.target_group_arn());
        let arn = created_id(arn, "CreateTargetGroup returned no ARN")?;
        modify_attributes(clients, &arn, &attributes(planned)).await?;
        read_created(self, clients, &arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?.to_string();
        if super::changed(prior, planned, "health_check") {
            if let Some(hc) = health_check(planned) {
                call(|| {
                    clients
                        .elbv2
                        .modify_target_group()
                        .target_group_arn(&arn)
                        .set_health_check_enabled(hc.enabled)
                        .set_health_check_path(hc.path.clone())
                        .set_health_check_port(hc.port.clone())
                        .set_health_check_protocol(hc.protocol.clone())
                        .set_health_check_interval_seconds(hc.interval)
                        .set_health_check_timeout_seconds(hc.timeout)
                        .set_healthy_threshold_count(hc.healthy)
                        .set_unhealthy_threshold_count(hc.unhealthy)
                        .set_matcher(hc.matcher.clone())
                        .send()
                })
                .await?;
            }
        }
        let before = attributes(prior);
        let changes: BTreeMap<_, _> = attributes(planned)
            .into_iter()
            .filter(|(k, v)| before.get(k) != Some(v))
            .collect();
        modify_attributes(clients, &arn, &changes).await?;
        update_tags(clients, &arn, prior, planned).await?;
        read_created(self, clients, &arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?.to_string();
        retry_while(
            &format!("target group {arn} to be deleted (ResourceInUse)"),
            IN_USE_LIMIT,
            ApiError::is_resource_in_use,
            || async {
                clients
                    .elbv2
                    .delete_target_group()
                    .target_group_arn(&arn)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    fn conform(config: Value) -> Value {
        LbTargetGroupType.normalize(SCHEMA.conform(&config).unwrap())
    }

    fn http_group(extra: Vec<(&'static str, Value)>) -> Value {
        let mut pairs = vec![
            ("port", Value::number(80)),
            ("protocol", Value::string("HTTP")),
            ("vpc_id", Value::string("vpc-1")),
        ];
        pairs.extend(extra);
        conform(Value::map(pairs))
    }

    #[test]
    fn an_unwritten_health_check_is_left_to_aws() {
        let planned = http_group(vec![]);
        assert_eq!(attr(&planned, "health_check"), Value::Unknown);
        let req = create_request(&offline_clients(), &planned, "web", &BTreeMap::new());
        let input = req.as_input();
        assert_eq!(input.get_health_check_path(), &None);
        assert_eq!(input.get_port(), &Some(80));
        assert_eq!(input.get_protocol(), &Some(ProtocolEnum::Http));
        assert_eq!(input.get_target_type(), &Some(TargetTypeEnum::Instance));
    }

    #[test]
    fn a_written_health_check_gets_the_protocol_defaults() {
        let planned = http_group(vec![(
            "health_check",
            Value::List(vec![Value::map([("path", Value::string("/health"))])]),
        )]);
        let check = &get_blocks(&planned, "health_check")[0];
        assert_eq!(attr(check, "protocol"), Value::string("HTTP"));
        assert_eq!(attr(check, "timeout"), Value::number(5));
        assert_eq!(attr(check, "matcher"), Value::string("200"));
        assert_eq!(attr(check, "path"), Value::string("/health"));
        assert_eq!(attr(check, "port"), Value::string("traffic-port"));
        let req = create_request(&offline_clients(), &planned, "web", &BTreeMap::new());
        let input = req.as_input();
        assert_eq!(input.get_health_check_path().as_deref(), Some("/health"));
        assert_eq!(input.get_healthy_threshold_count(), &Some(3));
        assert_eq!(input.get_health_check_timeout_seconds(), &Some(5));
        assert_eq!(
            input.get_matcher().as_ref().and_then(|m| m.http_code()),
            Some("200")
        );

        let tcp = conform(Value::map([
            ("port", Value::number(443)),
            ("protocol", Value::string("TCP")),
            (
                "health_check",
                Value::List(vec![Value::map([("interval", Value::number(10))])]),
            ),
        ]));
        let check = &get_blocks(&tcp, "health_check")[0];
        assert_eq!(attr(check, "protocol"), Value::string("TCP"));
        assert_eq!(attr(check, "timeout"), Value::number(10));
        assert_eq!(attr(check, "path"), Value::Null);
    }

    #[test]
    fn attributes_follow_the_protocol() {
        let http = attributes(&http_group(vec![(
            "stickiness",
            Value::List(vec![Value::map([("type", Value::string("lb_cookie"))])]),
        )]));
        assert_eq!(http[DEREGISTRATION_DELAY], "300");
        assert_eq!(http[SLOW_START], "0");
        assert!(!http.contains_key(PROXY_PROTOCOL_V2));
        assert_eq!(http[STICKY_TYPE], "lb_cookie");
        assert_eq!(http[STICKY_ENABLED], "true");
        assert_eq!(http[LB_COOKIE_DURATION], "86400");

        let tcp = attributes(&conform(Value::map([
            ("protocol", Value::string("TCP")),
            ("deregistration_delay", Value::number(30)),
            ("proxy_protocol_v2", Value::Bool(true)),
        ])));
        assert_eq!(tcp[DEREGISTRATION_DELAY], "30");
        assert_eq!(tcp[PROXY_PROTOCOL_V2], "true");
        assert!(!tcp.contains_key(SLOW_START));
    }

    #[test]
    fn state_from_a_described_group() {
        let tg = TargetGroup::builder()
            .target_group_arn("arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/73e2d6bc")
            .target_group_name("web")
            .protocol(ProtocolEnum::Http)
            .port(80)
            .vpc_id("vpc-1")
            .target_type(TargetTypeEnum::Ip)
            .health_check_enabled(true)
            .health_check_protocol(ProtocolEnum::Http)
            .health_check_port("traffic-port")
            .health_check_path("/")
            .health_check_interval_seconds(30)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(5)
            .unhealthy_threshold_count(2)
            .matcher(Matcher::builder().http_code("200").build())
            .build();
        let attrs = BTreeMap::from([
            (DEREGISTRATION_DELAY.to_string(), "60".to_string()),
            (STICKY_TYPE.to_string(), "lb_cookie".to_string()),
            (STICKY_ENABLED.to_string(), "false".to_string()),
        ]);
        let s = target_group_state(&tg, &attrs, &BTreeMap::new());
        assert_eq!(
            attr(&s, "arn_suffix"),
            Value::string("targetgroup/web/73e2d6bc")
        );
        assert_eq!(attr(&s, "deregistration_delay"), Value::string("60"));
        assert_eq!(attr(&s, "slow_start"), Value::number(0));
        assert_eq!(attr(&s, "target_type"), Value::string("ip"));
        let check = &get_blocks(&s, "health_check")[0];
        assert_eq!(attr(check, "unhealthy_threshold"), Value::number(2));
        assert_eq!(attr(check, "matcher"), Value::string("200"));
        let sticky = &get_blocks(&s, "stickiness")[0];
        assert_eq!(attr(sticky, "cookie_duration"), Value::number(86400));
        assert_eq!(attr(sticky, "enabled"), Value::Bool(false));
    }
}
