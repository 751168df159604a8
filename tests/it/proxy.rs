//! The fault proxy (`tests/it/support/proxy.rs`): how it reads requests and rewrites answers, and,
//! with moto behind it and the SDK in front, that each fault looks to the SDK (and to
//! ecsform's error classification) the way AWS's does.

// Each moto test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its
// own runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::time::{Duration, Instant};

use aws_smithy_types::retry::RetryConfig;
use ecsform::aws::error::{from_sdk, ErrorKind};
use ecsform::aws::ratelimit::RateLimiter;
use ecsform::aws::AwsClients;
use support::moto::{exclusive, moto, sdk_config_for};
use support::proxy::{
    created_id, form_decode, not_found_error, rewrite_pending, server_error, signing_service,
    throttling_error, top_level_elements, Call, Failure, Faults, Protocol, Proxy, Request,
    Throttle,
};

fn request(headers: &[(&str, &str)], body: &str) -> Request {
    Request {
        method: "POST".into(),
        path: "/".into(),
        version: "HTTP/1.1".into(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

fn auth(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=testing/20250101/eu-west-1/{service}/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=abc"
    )
}

fn call(service: &str, action: &str) -> Call {
    Call::identify(&request(
        &[("authorization", &auth(service)), ("content-type", FORM)],
        &format!("Action={action}&Version=2016-11-15"),
    ))
}

#[test]
fn identifies_query_calls_by_action_and_service() {
    let a = auth("elasticloadbalancing");
    let req = request(
        &[("Authorization", &a), ("Content-Type", FORM)],
        "Action=DescribeLoadBalancers&Version=2015-12-01&LoadBalancerArns.member.1=\
         arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A123%3Aloadbalancer%2Fapp%2Fweb%2F1",
    );
    let c = Call::identify(&req);
    assert_eq!(c.service, "elasticloadbalancing");
    assert_eq!(c.action, "DescribeLoadBalancers");
    assert_eq!(c.protocol, Protocol::Query);
    assert_eq!(
        c.id_params().collect::<Vec<_>>(),
        ["arn:aws:elasticloadbalancing:eu-west-1:123:loadbalancer/app/web/1"]
    );
    assert_eq!(call("ec2", "DescribeVpcs").protocol, Protocol::Ec2Query);
}

#[test]
fn identifies_json_calls_by_target() {
    let a = auth("ecs");
    let req = request(
        &[
            ("authorization", &a),
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "AmazonEC2ContainerServiceV20141113.CreateCluster",
            ),
        ],
        r#"{"clusterName":"web"}"#,
    );
    let c = Call::identify(&req);
    assert_eq!(
        (c.service.as_str(), c.action.as_str()),
        ("ecs", "CreateCluster")
    );
    assert_eq!(c.protocol, Protocol::Json);
    // Neither signed nor an AWS call: moto's own API.
    let c = Call::identify(&request(&[], ""));
    assert_eq!((c.action.as_str(), c.protocol), ("?", Protocol::Other));
}

#[test]
fn filters_do_not_name_objects() {
    let c = Call::identify(&request(
        &[("authorization", &auth("ec2")), ("content-type", FORM)],
        "Action=DescribeSubnets&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&SubnetId.1=subnet-2",
    ));
    assert_eq!(c.id_params().collect::<Vec<_>>(), ["subnet-2"]);
}

#[test]
fn decodes_forms_and_credential_scopes() {
    assert_eq!(
        form_decode("a=b+c&d=%2F%3a&e&bad=%zz%"),
        [
            ("a".to_string(), "b c".to_string()),
            ("d".to_string(), "/:".to_string()),
            ("e".to_string(), String::new()),
            ("bad".to_string(), "%zz%".to_string()),
        ]
    );
    assert_eq!(signing_service(&auth("logs")), Some("logs"));
    assert_eq!(signing_service("Basic abc"), None);
}

#[test]
fn errors_use_each_protocols_wire_format() {
    let ec2 = throttling_error(&call("ec2", "DescribeVpcs"));
    assert_eq!(ec2.status, 503);
    let body = String::from_utf8(ec2.body).unwrap();
    assert!(
        body.contains("<Response><Errors><Error><Code>RequestLimitExceeded</Code>"),
        "{body}"
    );

    let elb = throttling_error(&call("elasticloadbalancing", "DescribeLoadBalancers"));
    assert_eq!(elb.status, 400);
    let body = String::from_utf8(elb.body).unwrap();
    assert!(
        body.contains("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"),
        "{body}"
    );

    let ecs = Call::identify(&request(
        &[
            ("authorization", &auth("ecs")),
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "AmazonEC2ContainerServiceV20141113.ListClusters",
            ),
        ],
        "{}",
    ));
    let json = throttling_error(&ecs);
    assert_eq!(json.status, 400);
    let v: serde_json::Value = serde_json::from_slice(&json.body).unwrap();
    assert_eq!(v["__type"], "ThrottlingException");
    assert!(json
        .headers
        .contains(&("Content-Type".into(), "application/x-amz-json-1.1".into())));

    let e = server_error(&call("iam", "GetRole"), true);
    assert_eq!(e.status, 503);
    assert!(String::from_utf8(e.body)
        .unwrap()
        .contains("<Type>Receiver</Type><Code>ServiceUnavailable</Code>"));
    let e = server_error(&call("ec2", "CreateVpc"), false);
    assert_eq!(e.status, 500);
    assert!(String::from_utf8(e.body)
        .unwrap()
        .contains("<Code>InternalError</Code>"));
}

#[test]
fn not_found_codes_follow_the_kind_of_id() {
    let body = |r: Option<support::proxy::Response>| String::from_utf8(r.unwrap().body).unwrap();
    let ec2 = call("ec2", "DescribeVpcs");
    assert!(body(not_found_error(&ec2, "vpc-0a1b")).contains("InvalidVpcID.NotFound"));
    assert!(body(not_found_error(&ec2, "nat-0a1b")).contains("NatGatewayNotFound"));
    assert!(not_found_error(&ec2, "nothing").is_none());
    let elb = call("elasticloadbalancing", "DescribeTargetGroups");
    assert!(body(not_found_error(
        &elb,
        "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/2"
    ))
    .contains("TargetGroupNotFound"));
    assert!(not_found_error(&call("iam", "GetRole"), "web").is_none());
}

#[test]
fn creations_are_recognised_by_action() {
    let body = "<CreateNatGatewayResponse><natGateway><subnetId>subnet-1</subnetId>\
                <natGatewayId>nat-42</natGatewayId></natGateway></CreateNatGatewayResponse>";
    assert_eq!(
        created_id(&call("ec2", "CreateNatGateway"), body).as_deref(),
        Some("nat-42")
    );
    // A subnet's answer names its VPC, which was not created by this call.
    let body = "<subnet><vpcId>vpc-1</vpcId><subnetId>subnet-2</subnetId></subnet>";
    assert_eq!(
        created_id(&call("ec2", "CreateSubnet"), body).as_deref(),
        Some("subnet-2")
    );
    assert_eq!(created_id(&call("ec2", "DescribeSubnets"), body), None);
}

const NATS: &str = "<DescribeNatGatewaysResponse><natGatewaySet>\
    <item><natGatewayAddressSet><item><state>available</state></item></natGatewayAddressSet>\
    <natGatewayId>nat-old</natGatewayId><state>available</state></item>\
    <item><natGatewayAddressSet><item><allocationId>eipalloc-1</allocationId></item>\
    </natGatewayAddressSet><natGatewayId>nat-new</natGatewayId><state>available</state></item>\
    </natGatewaySet></DescribeNatGatewaysResponse>";

#[test]
fn fresh_nat_gateways_are_pending() {
    let describe = call("ec2", "DescribeNatGateways");
    let out = rewrite_pending(&describe, NATS, |id| id == "nat-new").unwrap();
    let items = top_level_elements(&out, "item");
    assert_eq!(items.len(), 2);
    let (old, new) = (&out[items[0].clone()], &out[items[1].clone()]);
    // The nested address item of the old gateway keeps its state; only the new one changes.
    assert!(old.ends_with("<natGatewayId>nat-old</natGatewayId><state>available</state></item>"));
    assert!(new.ends_with("<natGatewayId>nat-new</natGatewayId><state>pending</state></item>"));
    assert_eq!(out.len(), NATS.len() + "pending".len() - "available".len());
    assert_eq!(rewrite_pending(&describe, NATS, |_| false), None);
    assert_eq!(
        rewrite_pending(&call("ec2", "DescribeVpcs"), NATS, |_| true),
        None
    );
}

#[test]
fn fresh_load_balancers_are_provisioning() {
    let body = "<DescribeLoadBalancersResult><LoadBalancers><member>\
        <LoadBalancerArn>arn:lb/1</LoadBalancerArn><AvailabilityZones><member>\
        <ZoneName>eu-west-1a</ZoneName></member></AvailabilityZones>\
        <State><Code>active</Code></State></member></LoadBalancers></DescribeLoadBalancersResult>";
    let describe = call("elasticloadbalancing", "DescribeLoadBalancers");
    let out = rewrite_pending(&describe, body, |id| id == "arn:lb/1").unwrap();
    assert!(
        out.contains("<State><Code>provisioning</Code></State>"),
        "{out}"
    );
    assert_eq!(rewrite_pending(&describe, body, |_| false), None);
}

// --- With moto behind the proxy and the SDK in front.

fn start(faults: Faults) -> Proxy {
    Proxy::start(moto().port(), faults)
}

/// An EC2 client through the proxy; `attempts` 1 turns the SDK's retries off.
async fn ec2(proxy: &Proxy, attempts: u32) -> aws_sdk_ec2::Client {
    let config = sdk_config_for(&proxy.endpoint).await;
    let retry = if attempts <= 1 {
        RetryConfig::disabled()
    } else {
        RetryConfig::standard()
            .with_max_attempts(attempts)
            .with_initial_backoff(Duration::from_millis(50))
    };
    aws_sdk_ec2::Client::from_conf(
        aws_sdk_ec2::config::Builder::from(&config)
            .retry_config(retry)
            .build(),
    )
}

#[tokio::test]
async fn forwards_and_counts_with_added_latency() {
    let _moto = exclusive();
    let proxy = start(Faults {
        latency: Duration::from_millis(150),
        ..Faults::default()
    });
    let ec2 = ec2(&proxy, 1).await;
    let started = Instant::now();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.50.0.0/16")
        .send()
        .await
        .expect("CreateVpc through the proxy");
    let id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    let found = ec2.describe_vpcs().vpc_ids(&id).send().await.unwrap();
    assert_eq!(found.vpcs().len(), 1);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let stats = proxy.stats();
    assert_eq!(stats.count("CreateVpc"), 1);
    assert_eq!(stats.count("DescribeVpcs"), 1);
    assert_eq!(stats.total(), 2);

    let log = proxy.exchanges();
    assert!(log
        .iter()
        .all(|e| e.added_latency == Duration::from_millis(150)));

    // Changed at runtime: no latency any more (what the proxy adds, not how long moto and a
    // busy machine take, which no bound could promise).
    proxy.set_faults(Faults::default());
    ec2.describe_vpcs().send().await.unwrap();
    let log = proxy.exchanges();
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].added_latency, Duration::ZERO);
}

#[tokio::test]
async fn nat_gateways_are_pending_for_a_while_after_creation() {
    let _moto = exclusive();
    let pending = Duration::from_millis(1500);
    let proxy = start(Faults {
        pending,
        ..Faults::default()
    });
    let ec2 = ec2(&proxy, 1).await;
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.51.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().and_then(|v| v.vpc_id()).unwrap();
    let subnet = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block("10.51.1.0/24")
        .send()
        .await
        .unwrap();
    let subnet = subnet.subnet().and_then(|s| s.subnet_id()).unwrap();
    let eip = ec2.allocate_address().send().await.unwrap();
    let nat = ec2
        .create_nat_gateway()
        .subnet_id(subnet)
        .allocation_id(eip.allocation_id().unwrap())
        .send()
        .await
        .unwrap();
    // The proxy starts the clock before it answers.
    let created = Instant::now();
    let nat = nat.nat_gateway().and_then(|n| n.nat_gateway_id()).unwrap();
    let state = || async {
        let out = ec2
            .describe_nat_gateways()
            .nat_gateway_ids(nat)
            .send()
            .await;
        out.unwrap().nat_gateways()[0].state().cloned()
    };
    assert_eq!(
        state().await,
        Some(aws_sdk_ec2::types::NatGatewayState::Pending)
    );
    assert_eq!(proxy.stats().pending_answers, 1);
    tokio::time::sleep(pending.saturating_sub(created.elapsed())).await;
    assert_eq!(
        state().await,
        Some(aws_sdk_ec2::types::NatGatewayState::Available)
    );
    assert_eq!(proxy.stats().pending_answers, 1);
}

#[tokio::test]
async fn load_balancers_are_provisioning_for_a_while_after_creation() {
    let _moto = exclusive();
    let pending = Duration::from_millis(1500);
    let proxy = start(Faults {
        pending,
        ..Faults::default()
    });
    let config = sdk_config_for(&proxy.endpoint).await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.52.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().and_then(|v| v.vpc_id()).unwrap();
    let mut subnets = Vec::new();
    for (i, az) in ["eu-west-1a", "eu-west-1b"].iter().enumerate() {
        let s = ec2
            .create_subnet()
            .vpc_id(vpc)
            .availability_zone(*az)
            .cidr_block(format!("10.52.{i}.0/24"))
            .send()
            .await
            .unwrap();
        subnets.push(s.subnet().and_then(|s| s.subnet_id()).unwrap().to_string());
    }
    let lb = elb
        .create_load_balancer()
        .name("proxy-test")
        .set_subnets(Some(subnets))
        .send()
        .await
        .unwrap();
    // The proxy starts the clock before it answers.
    let created = Instant::now();
    let arn = lb.load_balancers()[0].load_balancer_arn().unwrap();
    let state = || async {
        let out = elb
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send()
            .await;
        out.unwrap().load_balancers()[0]
            .state()
            .and_then(|s| s.code())
            .cloned()
    };
    use aws_sdk_elasticloadbalancingv2::types::LoadBalancerStateEnum;
    assert_eq!(state().await, Some(LoadBalancerStateEnum::Provisioning));
    tokio::time::sleep(pending.saturating_sub(created.elapsed())).await;
    assert_eq!(state().await, Some(LoadBalancerStateEnum::Active));
    assert_eq!(proxy.stats().pending_answers, 1);
}

#[tokio::test]
async fn throttling_is_recognised_and_retried_by_the_sdk() {
    let _moto = exclusive();
    let throttle = |rate| Faults {
        throttle: Some(Throttle {
            rate,
            burst: 1.0,
            per_service: true,
        }),
        ..Faults::default()
    };
    // A token every 10 s: two calls in a row are one too many however slow moto is.
    let proxy = start(throttle(0.1));
    // Without retries, the second call in a row is throttled, and ecsform calls it that.
    let once = ec2(&proxy, 1).await;
    once.describe_vpcs()
        .send()
        .await
        .expect("the first call has a token");
    let e = once.describe_vpcs().send().await.unwrap_err();
    let e = from_sdk(e);
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Throttled, "RequestLimitExceeded")
    );
    // Other services have buckets of their own; their throttling codes classify the same.
    let config = sdk_config_for(&proxy.endpoint).await;
    let no_retry = |c: &aws_config::SdkConfig| {
        aws_sdk_ecs::config::Builder::from(c)
            .retry_config(RetryConfig::disabled())
            .build()
    };
    let ecs = aws_sdk_ecs::Client::from_conf(no_retry(&config));
    ecs.list_clusters()
        .send()
        .await
        .expect("ecs has its own bucket");
    let e = from_sdk(ecs.list_clusters().send().await.unwrap_err());
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Throttled, "ThrottlingException")
    );
    let iam = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(&config)
            .retry_config(RetryConfig::disabled())
            .build(),
    );
    iam.list_roles()
        .send()
        .await
        .expect("iam has its own bucket");
    let e = from_sdk(iam.list_roles().send().await.unwrap_err());
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Throttled, "Throttling")
    );

    // With the SDK's standard retries, throttled calls are repeated until they get through.
    proxy.set_faults(throttle(4.0));
    proxy.reset_stats();
    let retrying = ec2(&proxy, 10).await;
    for _ in 0..3 {
        retrying
            .describe_vpcs()
            .send()
            .await
            .expect("retried past throttling");
    }
    let stats = proxy.stats();
    assert!(stats.throttled >= 1, "{stats:?}");
    assert_eq!(
        stats.count("DescribeVpcs"),
        3 + stats.throttled,
        "{stats:?}"
    );
}

#[tokio::test]
async fn injected_errors_are_transient_and_reproducible() {
    let _moto = exclusive();
    let faults = Faults {
        error_rate: 0.5,
        only_actions: vec!["DescribeVpcs".into()],
        seed: 7,
        ..Faults::default()
    };
    let proxy = start(faults.clone());
    let ec2 = ec2(&proxy, 1).await;
    let mut outcomes = Vec::new();
    for _ in 0..20 {
        match ec2.describe_vpcs().send().await {
            Ok(_) => outcomes.push(None),
            Err(e) => {
                let e = from_sdk(e);
                assert_eq!(e.kind, ErrorKind::Transient, "{e:?}");
                assert!(
                    ["InternalError", "Unavailable"].contains(&e.code.as_str()),
                    "{e:?}"
                );
                outcomes.push(Some(e.code));
            }
        }
        // Not targeted: never fails.
        ec2.describe_subnets()
            .send()
            .await
            .expect("DescribeSubnets is spared");
    }
    let failed = outcomes.iter().filter(|o| o.is_some()).count();
    assert!((3..=17).contains(&failed), "{outcomes:?}");
    assert_eq!(proxy.stats().errors, failed as u64);

    // Same seed, same requests: same outcomes.
    proxy.set_faults(faults);
    let mut again = Vec::new();
    for _ in 0..20 {
        again.push(
            ec2.describe_vpcs()
                .send()
                .await
                .err()
                .map(|e| from_sdk(e).code),
        );
        ec2.describe_subnets()
            .send()
            .await
            .expect("DescribeSubnets is spared");
    }
    assert_eq!(again, outcomes);
}

#[tokio::test]
async fn dropped_connections_and_lost_answers() {
    let _moto = exclusive();
    let proxy = start(Faults {
        drop_rate: 1.0,
        only_actions: vec!["DescribeVpcs".into()],
        ..Faults::default()
    });
    let ec2 = ec2(&proxy, 1).await;
    let e = from_sdk(ec2.describe_vpcs().send().await.unwrap_err());
    assert_eq!(e.kind, ErrorKind::Transient, "{e:?}");
    assert_eq!(proxy.stats().dropped, 1);

    // A lost answer: the call took effect although the client saw it fail.
    proxy.set_faults(Faults {
        lose_response_rate: 1.0,
        only_actions: vec!["CreateVpc".into()],
        ..Faults::default()
    });
    let e = ec2.create_vpc().cidr_block("10.53.0.0/16").send().await;
    assert_eq!(from_sdk(e.unwrap_err()).kind, ErrorKind::Transient);
    assert_eq!(proxy.stats().lost_responses, 1);
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    assert!(vpcs
        .vpcs()
        .iter()
        .any(|v| v.cidr_block() == Some("10.53.0.0/16")));
}

#[tokio::test]
async fn new_objects_are_not_found_at_first() {
    let _moto = exclusive();
    let window = Duration::from_millis(800);
    let proxy = start(Faults {
        not_found_after_create: window,
        ..Faults::default()
    });
    let ec2 = ec2(&proxy, 1).await;
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.54.0.0/16")
        .send()
        .await
        .unwrap();
    let created = Instant::now();
    let id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap();
    let e = from_sdk(ec2.describe_vpcs().vpc_ids(id).send().await.unwrap_err());
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::NotFound, "InvalidVpcID.NotFound")
    );
    // A filter on the VPC is not a lookup by id: answered as moto answers.
    ec2.describe_subnets()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(id)
                .build(),
        )
        .send()
        .await
        .expect("filters are forwarded");
    tokio::time::sleep(window.saturating_sub(created.elapsed())).await;
    let found = ec2.describe_vpcs().vpc_ids(id).send().await.unwrap();
    assert_eq!(found.vpcs().len(), 1);
    assert_eq!(proxy.stats().not_found, 1);
}

#[tokio::test]
async fn permanent_failures_are_answered_every_time_and_not_retried() {
    let _moto = exclusive();
    let proxy = start(Faults {
        fail_actions: vec![Failure::new("CreateVpc", 400, "InvalidParameterValue")],
        ..Faults::default()
    });
    let ec2 = ec2(&proxy, 5).await;
    let e = from_sdk(
        ec2.create_vpc()
            .cidr_block("10.55.0.0/16")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Invalid, "InvalidParameterValue")
    );
    let stats = proxy.stats();
    assert_eq!(
        (stats.count("CreateVpc"), stats.failed),
        (1, 1),
        "{stats:?}"
    );
    // Other actions are forwarded.
    ec2.describe_vpcs().send().await.expect("forwarded");
}

#[tokio::test]
async fn a_create_without_idempotency_is_not_sent_again_after_a_lost_answer() {
    let _moto = exclusive();
    let proxy = start(Faults {
        lose_response_rate: 1.0,
        only_actions: vec!["CreateVpc".into()],
        ..Faults::default()
    });
    let config = sdk_config_for(&proxy.endpoint).await;
    let clients = AwsClients::with_rate_limiter(&config, RateLimiter::unlimited());
    let e = from_sdk(
        clients
            .ec2
            .create_vpc()
            .cidr_block("10.56.0.0/16")
            .send()
            .await
            .unwrap_err(),
    );
    assert!(e.may_have_taken_effect(), "{e:?}");
    assert_eq!(proxy.stats().count("CreateVpc"), 1);
    // It did take effect.
    let vpcs = clients.ec2.describe_vpcs().send().await.unwrap();
    let vpc = vpcs
        .vpcs()
        .iter()
        .find(|v| v.cidr_block() == Some("10.56.0.0/16"))
        .expect("the VPC was created");
    assert!(vpc.vpc_id().is_some());
}

// --- ecsform through the proxy.

const NAT_CONFIG: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.60.0.0/16"
}

resource "aws_subnet" "public" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.60.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat" {
  subnet_id     = aws_subnet.public.id
  allocation_id = aws_eip.nat.id
}
"#;

#[test]
fn apply_waits_for_a_pending_nat_gateway() {
    let _moto = exclusive();
    let pending = Duration::from_secs(2);
    let proxy = start(Faults {
        latency: Duration::from_millis(20),
        pending,
        ..Faults::default()
    });
    let env = support::moto::env_for(&proxy.endpoint);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), NAT_CONFIG).unwrap();
    let started = Instant::now();
    let out = support::run_in_env(dir.path(), "apply", &["-auto-approve"], &env);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(started.elapsed() >= pending);
    let stats = proxy.stats();
    // Pending at least once, then polled again until found available.
    assert!(stats.pending_answers >= 1, "{stats:?}");
    assert!(
        stats.count("DescribeNatGateways") > stats.pending_answers,
        "{stats:?}"
    );
    let nat = out
        .stdout
        .lines()
        .find(|l| l.starts_with("aws_nat_gateway.nat: Creation complete after"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(nat.contains("[id=nat-"), "{nat}");
}
