//! Conformance of the load balancing types against moto: `aws_lb`, `aws_lb_target_group`,
//! `aws_lb_listener`, `aws_lb_listener_rule` (and their `aws_alb*` names), plus their batched
//! reads (ids that are gone skipped, one Describe per parent where the API has no batch).
//!
//! Prerequisites (VPC, subnets, security group, and the load balancer, target group or
//! listener a type hangs off) are made with plain SDK calls so that each test exercises one
//! type. ELB tags are read with ELB's own `DescribeTags`.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum, ProtocolEnum};
use ecsform::aws::resources::{
    lb::LbType, lb_listener::LbListenerType, lb_listener_certificate::LbListenerCertificateType,
    lb_listener_rule::LbListenerRuleType, lb_target_group::LbTargetGroupType,
    lb_target_group_attachment::LbTargetGroupAttachmentType,
};
use ecsform::aws::AwsClients;
use ecsform::aws::{resource_type, CallContext, ResourceType};
use ecsform::lang::Value;
use ecsform::plan::Action as PlanAction;
use support::conformance::{
    conformance_with_tags, extra_tags, lifecycle_without_update, plan, Stage,
};
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn n(v: i32) -> Value {
    Value::number(v)
}

fn set(items: &[&str]) -> Value {
    Value::set(items.iter().map(|i| s(i)).collect())
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn blocks(items: Vec<Value>) -> Value {
    Value::List(items)
}

fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    attr(state, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {state}"))
}

/// The tags ELB holds for an object (its id is its ARN), ecsform's own included.
fn elb_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let arn = attr_str(state, "id").to_string();
        let out = c
            .elbv2
            .describe_tags()
            .resource_arns(arn)
            .send()
            .await
            .expect("DescribeTags");
        out.tag_descriptions()
            .iter()
            .flat_map(|d| d.tags())
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    })
}

/// A VPC with three subnets in different zones and two security groups.
struct Network {
    vpc: String,
    subnets: [String; 3],
    sg: String,
    sg2: String,
}

async fn network(c: &AwsClients, cidr16: u8) -> Network {
    let vpc = c
        .ec2
        .create_vpc()
        .cidr_block(format!("10.{cidr16}.0.0/16"))
        .send()
        .await
        .expect("CreateVpc")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let mut subnets = Vec::new();
    for (i, zone) in ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        .iter()
        .enumerate()
    {
        let id = c
            .ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.{cidr16}.{i}.0/24"))
            .availability_zone(*zone)
            .send()
            .await
            .expect("CreateSubnet")
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        subnets.push(id);
    }
    let mut groups = Vec::new();
    for name in ["lb", "lb2"] {
        let id = c
            .ec2
            .create_security_group()
            .group_name(format!("{name}-{cidr16}"))
            .description("load balancer")
            .vpc_id(&vpc)
            .send()
            .await
            .expect("CreateSecurityGroup")
            .group_id()
            .expect("sg id")
            .to_string();
        groups.push(id);
    }
    Network {
        vpc,
        subnets: subnets.try_into().expect("three subnets"),
        sg: groups.remove(0),
        sg2: groups.remove(0),
    }
}

async fn load_balancer(c: &AwsClients, net: &Network, name: &str) -> String {
    c.elbv2
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(net.subnets[..2].to_vec()))
        .security_groups(&net.sg)
        .send()
        .await
        .expect("CreateLoadBalancer")
        .load_balancers()[0]
        .load_balancer_arn()
        .expect("lb arn")
        .to_string()
}

async fn target_group(c: &AwsClients, net: &Network, name: &str) -> String {
    c.elbv2
        .create_target_group()
        .name(name)
        .port(80)
        .protocol(ProtocolEnum::Http)
        .vpc_id(&net.vpc)
        .send()
        .await
        .expect("CreateTargetGroup")
        .target_groups()[0]
        .target_group_arn()
        .expect("tg arn")
        .to_string()
}

async fn listener(c: &AwsClients, lb: &str, tg: &str, port: i32) -> String {
    c.elbv2
        .create_listener()
        .load_balancer_arn(lb)
        .port(port)
        .protocol(ProtocolEnum::Http)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(tg)
                .build(),
        )
        .send()
        .await
        .expect("CreateListener")
        .listeners()[0]
        .listener_arn()
        .expect("listener arn")
        .to_string()
}

fn forward(tg: &str) -> Value {
    Value::map([("type", s("forward")), ("target_group_arn", s(tg))])
}

#[tokio::test]
async fn aws_lb_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 20).await;
    let two_zones = set(&[&net.subnets[0], &net.subnets[1]]);
    let three_zones = set(&[&net.subnets[0], &net.subnets[1], &net.subnets[2]]);
    let base = |extra: Vec<(&'static str, Value)>| {
        let mut pairs = vec![("name", s("web"))];
        pairs.extend(extra);
        Value::map(pairs)
    };
    let create = base(vec![
        ("subnets", two_zones.clone()),
        ("security_groups", set(&[&net.sg])),
        ("tags", tags(&[("Name", "web")])),
    ]);
    // Subnets and security groups change in place (SetSubnets, SetSecurityGroups).
    let update = base(vec![
        ("subnets", three_zones.clone()),
        ("security_groups", set(&[&net.sg, &net.sg2])),
        ("idle_timeout", n(120)),
        (
            "access_logs",
            blocks(vec![Value::map([
                ("bucket", s("lb-logs")),
                ("prefix", s("web")),
                ("enabled", Value::Bool(true)),
            ])]),
        ),
        ("tags", tags(&[("Name", "web"), ("Env", "test")])),
    ]);
    conformance_with_tags(&LbType, &c, elb_tags, create, update, |stage, state| {
        assert!(attr_str(state, "arn").starts_with("arn:aws:elasticloadbalancing:eu-west-1:"));
        assert_eq!(attr(state, "id"), attr(state, "arn"));
        assert!(attr_str(state, "arn_suffix").starts_with("app/web/"));
        assert!(!attr_str(state, "dns_name").is_empty());
        assert!(!attr_str(state, "zone_id").is_empty());
        assert_eq!(attr_str(state, "vpc_id"), net.vpc);
        assert_eq!(attr(state, "load_balancer_type"), &s("application"));
        assert_eq!(attr(state, "internal"), &Value::Bool(false));
        assert_eq!(attr(state, "enable_http2"), &Value::Bool(true));
        let idle = if stage == Stage::Created { 60 } else { 120 };
        assert_eq!(attr(state, "idle_timeout"), &n(idle));
        let subnets = if stage == Stage::Created {
            &two_zones
        } else {
            &three_zones
        };
        assert!(attr(state, "subnets").equals(subnets), "{state}");
        let logs = attr(state, "access_logs").as_list().unwrap();
        assert_eq!(logs.len(), usize::from(stage == Stage::Updated), "{state}");
    })
    .await;
}

/// A Network Load Balancer: cross-zone load balancing is off by default and turned on in place
/// (the `load_balancing.cross_zone.enabled` attribute).
#[tokio::test]
async fn aws_lb_network_cross_zone_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 28).await;
    let config = |cross_zone: Option<bool>, tag_pairs: &[(&str, &str)]| {
        let mut pairs = vec![
            ("name", s("nlb")),
            ("load_balancer_type", s("network")),
            ("subnets", set(&[&net.subnets[0], &net.subnets[1]])),
            ("tags", tags(tag_pairs)),
        ];
        pairs.extend(cross_zone.map(|on| ("enable_cross_zone_load_balancing", Value::Bool(on))));
        Value::map(pairs)
    };
    let create = config(None, &[("Name", "nlb")]);
    let update = config(Some(true), &[("Name", "nlb"), ("Env", "test")]);
    conformance_with_tags(&LbType, &c, elb_tags, create, update, |stage, state| {
        assert_eq!(attr(state, "load_balancer_type"), &s("network"));
        assert_eq!(attr(state, "idle_timeout"), &Value::Null);
        assert_eq!(
            attr(state, "enable_cross_zone_load_balancing"),
            &Value::Bool(stage == Stage::Updated)
        );
    })
    .await;
}

#[tokio::test]
async fn aws_lb_target_group_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 21).await;
    let group = |path: &str, extra: Vec<(&'static str, Value)>| {
        let mut pairs = vec![
            ("name", s("web")),
            ("port", n(80)),
            ("protocol", s("HTTP")),
            ("vpc_id", s(&net.vpc)),
            (
                "health_check",
                blocks(vec![Value::map([("path", s(path))])]),
            ),
        ];
        pairs.extend(extra);
        Value::map(pairs)
    };
    let create = group("/health", vec![("tags", tags(&[("Name", "web")]))]);
    let update = group(
        "/ready",
        vec![
            ("deregistration_delay", n(30)),
            ("tags", tags(&[("Name", "web")])),
        ],
    );
    conformance_with_tags(
        &LbTargetGroupType,
        &c,
        elb_tags,
        create,
        update,
        |stage, state| {
            assert!(attr_str(state, "arn_suffix").starts_with("targetgroup/web/"));
            assert_eq!(attr(state, "target_type"), &s("instance"));
            let check = &attr(state, "health_check").as_list().unwrap()[0];
            let (path, delay) = match stage {
                Stage::Created => ("/health", "300"),
                Stage::Updated => ("/ready", "30"),
            };
            assert_eq!(attr(check, "path"), &s(path));
            assert_eq!(attr(check, "healthy_threshold"), &n(3));
            // A string, as in the provider's schema.
            assert_eq!(attr(state, "deregistration_delay"), &s(delay));
            // Not written, so AWS's own stickiness settings are reported.
            let sticky = &attr(state, "stickiness").as_list().unwrap()[0];
            assert_eq!(attr(sticky, "type"), &s("lb_cookie"));
            assert_eq!(attr(sticky, "enabled"), &Value::Bool(false));
        },
    )
    .await;
}

/// A target group without a `health_check` block keeps what AWS chose, and plans no change.
#[tokio::test]
async fn aws_lb_target_group_without_health_check_keeps_aws_defaults() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 22).await;
    let config = Value::map([
        ("name_prefix", s("web-")),
        ("port", n(8080)),
        ("protocol", s("HTTP")),
        ("vpc_id", s(&net.vpc)),
        (
            "stickiness",
            blocks(vec![Value::map([
                ("type", s("lb_cookie")),
                ("cookie_duration", n(3600)),
            ])]),
        ),
    ]);
    let planned = plan(&LbTargetGroupType, &config, None);
    let extra = extra_tags("aws_lb_target_group.t");
    let ctx = CallContext {
        clients: &c,
        address: "aws_lb_target_group.t",
        extra_tags: &extra,
    };
    let created = LbTargetGroupType
        .create(&ctx, &planned.after)
        .await
        .unwrap();
    assert!(attr_str(&created, "name").starts_with("web-"));
    assert_eq!(attr(&created, "name_prefix"), &s("web-"));
    let check = &attr(&created, "health_check").as_list().unwrap()[0];
    assert_eq!(attr(check, "path"), &s("/"));
    let sticky = &attr(&created, "stickiness").as_list().unwrap()[0];
    assert_eq!(attr(sticky, "cookie_duration"), &n(3600));
    assert_eq!(attr(sticky, "enabled"), &Value::Bool(true));
    let again = plan(&LbTargetGroupType, &config, Some(&created));
    assert_eq!(again.action, PlanAction::NoOp, "{}", again.after);
    LbTargetGroupType.delete(&ctx, &created).await.unwrap();
}

#[tokio::test]
async fn aws_lb_listener_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 23).await;
    let lb = load_balancer(&c, &net, "listener-lb").await;
    let tg = target_group(&c, &net, "listener-tg").await;
    let create = Value::map([
        ("load_balancer_arn", s(&lb)),
        ("port", n(80)),
        ("protocol", s("HTTP")),
        ("default_action", blocks(vec![forward(&tg)])),
        ("tags", tags(&[("Name", "http")])),
    ]);
    let update = Value::map([
        ("load_balancer_arn", s(&lb)),
        ("port", n(80)),
        ("protocol", s("HTTP")),
        (
            "default_action",
            blocks(vec![Value::map([
                ("type", s("fixed-response")),
                (
                    "fixed_response",
                    blocks(vec![Value::map([
                        ("content_type", s("text/plain")),
                        ("message_body", s("not here")),
                        ("status_code", s("404")),
                    ])]),
                ),
            ])]),
        ),
        ("tags", tags(&[("Name", "http")])),
    ]);
    conformance_with_tags(
        &LbListenerType,
        &c,
        elb_tags,
        create,
        update,
        |stage, state| {
            assert!(attr_str(state, "arn").contains(":listener/app/listener-lb/"));
            let action = &attr(state, "default_action").as_list().unwrap()[0];
            assert_eq!(attr(action, "order"), &n(1));
            match stage {
                Stage::Created => assert_eq!(attr(action, "target_group_arn"), &s(&tg)),
                Stage::Updated => {
                    assert_eq!(attr(action, "type"), &s("fixed-response"));
                    assert_eq!(attr(action, "target_group_arn"), &Value::Null);
                    let fixed = &attr(action, "fixed_response").as_list().unwrap()[0];
                    assert_eq!(attr(fixed, "status_code"), &s("404"));
                    assert_eq!(attr(fixed, "message_body"), &s("not here"));
                }
            }
        },
    )
    .await;
}

/// A redirect written with only some settings reads back with AWS's defaults and plans no
/// change; the `aws_alb_listener` name does the same as `aws_lb_listener`.
#[tokio::test]
async fn aws_alb_listener_redirect_plans_no_perpetual_diff() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 24).await;
    let lb = load_balancer(&c, &net, "redirect-lb").await;
    let rt = resource_type("aws_alb_listener").expect("aws_alb_listener is registered");
    let config = Value::map([
        ("load_balancer_arn", s(&lb)),
        ("port", n(80)),
        ("protocol", s("HTTP")),
        (
            "default_action",
            blocks(vec![Value::map([
                ("type", s("redirect")),
                (
                    "redirect",
                    blocks(vec![Value::map([
                        ("port", s("443")),
                        ("protocol", s("HTTPS")),
                        ("status_code", s("HTTP_301")),
                    ])]),
                ),
            ])]),
        ),
    ]);
    let planned = plan(rt, &config, None);
    let extra = extra_tags("aws_alb_listener.http");
    let ctx = CallContext {
        clients: &c,
        address: "aws_alb_listener.http",
        extra_tags: &extra,
    };
    let created = rt.create(&ctx, &planned.after).await.unwrap();
    let action = &attr(&created, "default_action").as_list().unwrap()[0];
    let redirect = &attr(action, "redirect").as_list().unwrap()[0];
    assert_eq!(attr(redirect, "host"), &s("#{host}"));
    assert_eq!(attr(redirect, "port"), &s("443"));
    let again = plan(rt, &config, Some(&created));
    assert_eq!(again.action, PlanAction::NoOp, "{}", again.after);
    rt.delete(&ctx, &created).await.unwrap();
}

#[tokio::test]
async fn aws_lb_listener_rule_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 25).await;
    let lb = load_balancer(&c, &net, "rule-lb").await;
    let tg = target_group(&c, &net, "rule-tg").await;
    let http = listener(&c, &lb, &tg, 80).await;
    let rule = |priority: i32, path: &str| {
        Value::map([
            ("listener_arn", s(&http)),
            ("priority", n(priority)),
            ("action", blocks(vec![forward(&tg)])),
            (
                "condition",
                blocks(vec![
                    Value::map([(
                        "path_pattern",
                        blocks(vec![Value::map([("values", set(&[path]))])]),
                    )]),
                    Value::map([(
                        "http_request_method",
                        blocks(vec![Value::map([("values", set(&["GET", "HEAD"]))])]),
                    )]),
                ]),
            ),
            ("tags", tags(&[("Name", "api")])),
        ])
    };
    conformance_with_tags(
        &LbListenerRuleType,
        &c,
        elb_tags,
        rule(10, "/api/*"),
        rule(20, "/v2/*"),
        |stage, state| {
            assert!(attr_str(state, "arn").contains(":listener-rule/app/rule-lb/"));
            assert_eq!(attr_str(state, "listener_arn"), http);
            let (priority, path) = match stage {
                Stage::Created => (10, "/api/*"),
                Stage::Updated => (20, "/v2/*"),
            };
            assert_eq!(attr(state, "priority"), &n(priority));
            let conditions = attr(state, "condition").as_list().unwrap();
            assert!(
                conditions
                    .iter()
                    .filter_map(|c| attr(c, "path_pattern").as_list()?.first())
                    .any(|p| attr(p, "values").equals(&set(&[path]))),
                "{state}"
            );
        },
    )
    .await;
}

/// A rule without a priority takes the listener's highest plus one.
#[tokio::test]
async fn aws_lb_listener_rule_without_priority_goes_last() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 26).await;
    let lb = load_balancer(&c, &net, "prio-lb").await;
    let tg = target_group(&c, &net, "prio-tg").await;
    let http = listener(&c, &lb, &tg, 80).await;
    let extra = extra_tags("aws_lb_listener_rule.r");
    let ctx = CallContext {
        clients: &c,
        address: "aws_lb_listener_rule.r",
        extra_tags: &extra,
    };
    let rule = |priority: Option<i32>, host: &str| {
        let mut pairs = vec![
            ("listener_arn", s(&http)),
            ("action", blocks(vec![forward(&tg)])),
            (
                "condition",
                blocks(vec![Value::map([(
                    "host_header",
                    blocks(vec![Value::map([("values", set(&[host]))])]),
                )])]),
            ),
        ];
        if let Some(p) = priority {
            pairs.push(("priority", n(p)));
        }
        Value::map(pairs)
    };
    let first = plan(&LbListenerRuleType, &rule(Some(7), "a.example.com"), None);
    let first = LbListenerRuleType.create(&ctx, &first.after).await.unwrap();
    let config = rule(None, "b.example.com");
    let second = plan(&LbListenerRuleType, &config, None);
    let second = LbListenerRuleType
        .create(&ctx, &second.after)
        .await
        .unwrap();
    assert_eq!(attr(&second, "priority"), &n(8));
    let again = plan(&LbListenerRuleType, &config, Some(&second));
    assert_eq!(again.action, PlanAction::NoOp, "{}", again.after);
    for r in [&first, &second] {
        LbListenerRuleType.delete(&ctx, r).await.unwrap();
    }
}

/// Load balancers and target groups are read in one Describe (plus one per object for the
/// attributes, which have no batch form) and one DescribeTags; listeners and rules with one
/// Describe per parent. Ids that are gone are skipped.
#[tokio::test]
async fn reads_are_batched_and_skip_ids_that_are_gone() {
    let _moto = exclusive();
    let c = clients().await;
    let m = moto();
    let net = network(&c, 27).await;
    let lbs = [
        load_balancer(&c, &net, "batch-a").await,
        load_balancer(&c, &net, "batch-b").await,
    ];
    let tgs = [
        target_group(&c, &net, "batch-a").await,
        target_group(&c, &net, "batch-b").await,
    ];
    let listeners = [
        listener(&c, &lbs[0], &tgs[0], 80).await,
        listener(&c, &lbs[0], &tgs[0], 81).await,
        listener(&c, &lbs[1], &tgs[1], 80).await,
    ];

    m.recorder_start();
    let found = LbType.read_many(&c, &lbs).await.unwrap();
    m.recorder_stop();
    assert_eq!(found.len(), 2);
    assert_eq!(
        m.recorded_actions(),
        [
            "DescribeLoadBalancers",
            "DescribeTags",
            "DescribeLoadBalancerAttributes",
            "DescribeLoadBalancerAttributes",
        ]
    );

    m.reset_recording();
    m.recorder_start();
    let found = LbListenerType.read_many(&c, &listeners).await.unwrap();
    m.recorder_stop();
    assert_eq!(found.len(), 3);
    assert_eq!(
        m.recorded_actions(),
        ["DescribeListeners", "DescribeListeners", "DescribeTags"]
    );

    // A target group that is gone: the by-ARN request fails, the listing finds the rest.
    c.elbv2
        .delete_listener()
        .listener_arn(&listeners[2])
        .send()
        .await
        .unwrap();
    c.elbv2
        .delete_target_group()
        .target_group_arn(&tgs[1])
        .send()
        .await
        .unwrap();
    m.reset_recording();
    m.recorder_start();
    let found = LbTargetGroupType.read_many(&c, &tgs).await.unwrap();
    m.recorder_stop();
    assert_eq!(found.keys().collect::<Vec<_>>(), [&tgs[0]]);
    assert_eq!(
        m.recorded_actions(),
        [
            "DescribeTargetGroups",
            "DescribeTargetGroups",
            "DescribeTags",
            "DescribeTargetGroupAttributes",
        ]
    );

    // A load balancer that is gone takes its listeners with it.
    c.elbv2
        .delete_load_balancer()
        .load_balancer_arn(&lbs[1])
        .send()
        .await
        .unwrap();
    let found = LbType.read_many(&c, &lbs).await.unwrap();
    assert_eq!(found.keys().collect::<Vec<_>>(), [&lbs[0]]);
    let found = LbListenerType.read_many(&c, &listeners).await.unwrap();
    assert_eq!(found.len(), 2);
    assert!(!found.contains_key(&listeners[2]));
}

fn cli(root: &std::path::Path, command: &str, extra: &[&str]) -> support::Output {
    let out =
        tokio::task::block_in_place(|| support::run_in_env(root, command, extra, &moto().env()));
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

/// Listener actions in the provider's nested syntax, end to end through the CLI
/// (tests/fixtures/e2e/lb_actions): a redirect default action, a weighted forward to two
/// target groups with stickiness, a rule with a fixed response, a rule with a simple forward
/// and one with a one-group `forward` block. Applied, they are what AWS holds; planned again
/// (with a refresh), nothing changes; a weight change updates the listener in place and
/// converges again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_actions_apply_and_plan_no_changes() {
    let _moto = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    support::copy_dir(&support::fixtures("e2e/lb_actions"), &root);
    let c = clients().await;

    let out = cli(&root, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("Apply complete! Resources: 12 added, 0 changed, 0 destroyed."),
        "{}",
        out.stdout
    );

    let lb = c
        .elbv2
        .describe_load_balancers()
        .names("actions-lb")
        .send()
        .await
        .unwrap()
        .load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let listeners = c
        .elbv2
        .describe_listeners()
        .load_balancer_arn(&lb)
        .send()
        .await
        .unwrap()
        .listeners()
        .to_vec();
    let on = |port: i32| {
        listeners
            .iter()
            .find(|l| l.port() == Some(port))
            .unwrap_or_else(|| panic!("no listener on {port}"))
    };
    let redirect = on(80).default_actions()[0].redirect_config().unwrap();
    assert_eq!(redirect.port(), Some("443"));
    assert_eq!(redirect.protocol(), Some("HTTPS"));
    // The provider's defaults are sent, not left to AWS.
    assert_eq!(redirect.host(), Some("#{host}"));
    assert_eq!(redirect.path(), Some("/#{path}"));
    let app = on(8080);
    let forward = app.default_actions()[0].forward_config().unwrap();
    let mut weights: Vec<i32> = forward
        .target_groups()
        .iter()
        .filter_map(|g| g.weight())
        .collect();
    weights.sort();
    assert_eq!(weights, [20, 80]);
    let sticky = forward.target_group_stickiness_config().unwrap();
    assert_eq!(sticky.enabled(), Some(true));
    assert_eq!(sticky.duration_seconds(), Some(600));
    let rules = c
        .elbv2
        .describe_rules()
        .listener_arn(app.listener_arn().unwrap())
        .send()
        .await
        .unwrap()
        .rules()
        .to_vec();
    let rule = |priority: &str| {
        rules
            .iter()
            .find(|r| r.priority() == Some(priority))
            .unwrap_or_else(|| panic!("no rule with priority {priority}"))
            .actions()[0]
            .clone()
    };
    let fixed = rule("10").fixed_response_config().cloned().unwrap();
    assert_eq!(fixed.status_code(), Some("503"));
    assert_eq!(fixed.message_body(), Some("down for maintenance"));
    assert!(rule("20").target_group_arn().is_some());
    assert_eq!(
        rule("30").forward_config().unwrap().target_groups().len(),
        1
    );

    let out = cli(&root, "plan", &["-detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);

    // A weight change: the listener's default action changes in place.
    let out = cli(
        &root,
        "plan",
        &["-detailed-exitcode", "-var", "blue_weight=50"],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("aws_lb_listener.app will be updated in-place"),
        "{}",
        out.stdout
    );
    let out = cli(&root, "apply", &["-auto-approve", "-var", "blue_weight=50"]);
    assert_eq!(out.code, 0);
    let out = cli(
        &root,
        "plan",
        &["-detailed-exitcode", "-var", "blue_weight=50"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);

    let out = cli(
        &root,
        "destroy",
        &["-auto-approve", "-var", "blue_weight=50"],
    );
    assert_eq!(out.code, 0);
}

/// A target registered with an IP target group: the provider's id, the port read back, a
/// changed port planned as a replacement, and a target deregistered behind ecsform's back read
/// as gone.
#[tokio::test]
async fn aws_lb_target_group_attachment_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 29).await;
    let tg = c
        .elbv2
        .create_target_group()
        .name("ips")
        .port(8080)
        .protocol(ProtocolEnum::Http)
        .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Ip)
        .vpc_id(&net.vpc)
        .send()
        .await
        .expect("CreateTargetGroup")
        .target_groups()[0]
        .target_group_arn()
        .expect("tg arn")
        .to_string();
    let config = |target: &str, port: Option<i32>| {
        let mut pairs = vec![("target_group_arn", s(&tg)), ("target_id", s(target))];
        pairs.extend(port.map(|p| ("port", n(p))));
        Value::map(pairs)
    };
    let rt = &LbTargetGroupAttachmentType;
    let created = lifecycle_without_update(rt, &c, config("10.29.0.10", Some(9000))).await;
    assert_eq!(attr_str(&created, "id"), format!("{tg},10.29.0.10,9000"));
    assert_eq!(attr(&created, "port"), &n(9000));
    assert_eq!(attr(&created, "availability_zone"), &Value::Null);

    // Without a port: the id has none, and the port AWS chose (the group's) is not recorded.
    let alias = resource_type("aws_alb_target_group_attachment").expect("registered");
    let created = lifecycle_without_update(alias, &c, config("10.29.0.11", None)).await;
    assert_eq!(attr_str(&created, "id"), format!("{tg},10.29.0.11"));
    assert_eq!(attr(&created, "port"), &Value::Null);

    // Every argument forces a new attachment.
    let replaced = plan(rt, &config("10.29.0.11", Some(80)), Some(&created));
    assert_eq!(replaced.action, PlanAction::DeleteThenCreate);

    // Deregistered outside ecsform: gone for refresh; other targets stay.
    let extra = extra_tags("aws_lb_target_group_attachment.t");
    let ctx = CallContext {
        clients: &c,
        address: "aws_lb_target_group_attachment.t",
        extra_tags: &extra,
    };
    let planned = plan(rt, &config("10.29.0.12", None), None);
    let kept = rt.create(&ctx, &planned.after).await.unwrap();
    let planned = plan(rt, &config("10.29.0.13", None), None);
    let dropped = rt.create(&ctx, &planned.after).await.unwrap();
    c.elbv2
        .deregister_targets()
        .target_group_arn(&tg)
        .targets(
            aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                .id("10.29.0.13")
                .build(),
        )
        .send()
        .await
        .expect("DeregisterTargets");
    let ids = [
        attr_str(&kept, "id").to_string(),
        attr_str(&dropped, "id").to_string(),
        format!("{tg}-missing,10.29.0.14"),
    ];
    let read = rt.read_many(&c, &ids).await.unwrap();
    assert_eq!(read.keys().collect::<Vec<_>>(), vec![&ids[0]]);
    rt.delete(&ctx, &kept).await.unwrap();
    rt.delete(&ctx, &dropped).await.unwrap();
}

/// A certificate requested from ACM (moto) for an HTTPS listener's default.
async fn acm_certificate(c: &AwsClients, domain: &str) -> String {
    c.acm
        .request_certificate()
        .domain_name(domain)
        .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
        .send()
        .await
        .expect("RequestCertificate")
        .certificate_arn()
        .expect("certificate arn")
        .to_string()
}

/// An SNI certificate added to an HTTPS listener besides its default one, which refresh never
/// reads as an `aws_lb_listener_certificate`.
#[tokio::test]
async fn aws_lb_listener_certificate_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let net = network(&c, 30).await;
    let lb = load_balancer(&c, &net, "sni-lb").await;
    let default_cert = acm_certificate(&c, "www.example.com").await;
    let extra_cert = acm_certificate(&c, "api.example.com").await;
    let https = c
        .elbv2
        .create_listener()
        .load_balancer_arn(&lb)
        .port(443)
        .protocol(ProtocolEnum::Https)
        .certificates(
            aws_sdk_elasticloadbalancingv2::types::Certificate::builder()
                .certificate_arn(&default_cert)
                .build(),
        )
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    aws_sdk_elasticloadbalancingv2::types::FixedResponseActionConfig::builder()
                        .status_code("404")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateListener")
        .listeners()[0]
        .listener_arn()
        .expect("listener arn")
        .to_string();
    let rt = resource_type("aws_alb_listener_certificate").expect("registered");
    let config = Value::map([
        ("listener_arn", s(&https)),
        ("certificate_arn", s(&extra_cert)),
    ]);
    let created = lifecycle_without_update(rt, &c, config).await;
    assert_eq!(attr_str(&created, "id"), format!("{https}_{extra_cert}"));
    // The default certificate is the listener's, not an attachment.
    let default_id = format!("{https}_{default_cert}");
    let read = LbListenerCertificateType
        .read_many(&c, std::slice::from_ref(&default_id))
        .await
        .unwrap();
    assert!(read.is_empty(), "{read:?}");
}
