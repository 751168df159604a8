//! The moto harness itself (`tests/it/support/moto.rs`): the server answers the EC2 API through
//! the SDK, `reset` forgets what was created, and the recorder counts API calls.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use support::moto::{exclusive, moto};

async fn ec2() -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&moto().sdk_config().await)
}

/// The CIDR blocks of every VPC moto knows, sorted.
async fn vpc_cidrs(ec2: &aws_sdk_ec2::Client) -> Vec<(String, bool)> {
    let out = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    let mut cidrs: Vec<(String, bool)> = out
        .vpcs()
        .iter()
        .map(|v| {
            (
                v.cidr_block().unwrap_or_default().to_string(),
                v.is_default().unwrap_or(false),
            )
        })
        .collect();
    cidrs.sort();
    cidrs
}

#[tokio::test]
async fn create_vpc_then_describe_it() {
    let _moto = exclusive();
    let m = moto();
    assert!(
        m.endpoint.starts_with("http://127.0.0.1:"),
        "{}",
        m.endpoint
    );
    let env = m.env();
    assert!(env.contains(&("AWS_ENDPOINT_URL".to_string(), m.endpoint.clone())));
    assert!(env.contains(&("AWS_REGION".to_string(), "eu-west-1".to_string())));

    let ec2 = ec2().await;
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.42.0.0/16")
        .send()
        .await
        .expect("CreateVpc")
        .vpc
        .expect("a VPC");
    let id = vpc.vpc_id().expect("a VPC id").to_string();
    assert!(id.starts_with("vpc-"), "{id}");

    let described = ec2
        .describe_vpcs()
        .vpc_ids(&id)
        .send()
        .await
        .expect("DescribeVpcs");
    assert_eq!(described.vpcs().len(), 1);
    assert_eq!(described.vpcs()[0].cidr_block(), Some("10.42.0.0/16"));
    assert!(vpc_cidrs(&ec2)
        .await
        .contains(&("10.42.0.0/16".to_string(), false)));
}

#[tokio::test]
async fn reset_forgets_created_vpcs() {
    let _moto = exclusive();
    let ec2 = ec2().await;
    ec2.create_vpc()
        .cidr_block("10.43.0.0/16")
        .send()
        .await
        .expect("CreateVpc");
    assert_eq!(vpc_cidrs(&ec2).await.len(), 2, "default VPC and ours");

    moto().reset();
    let left = vpc_cidrs(&ec2).await;
    assert_eq!(left.len(), 1, "only the default VPC remains: {left:?}");
    assert!(left[0].1, "the VPC left is the default one: {left:?}");
}

#[tokio::test]
async fn recorder_counts_calls() {
    let _moto = exclusive();
    let m = moto();
    let ec2 = ec2().await;
    // Not recorded: the recorder is off after exclusive().
    ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    assert!(m.recorded_calls().is_empty());

    m.recorder_start();
    for _ in 0..3 {
        ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    }
    ec2.describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets");
    m.recorder_stop();
    // Not recorded either: the recorder is stopped again.
    ec2.describe_vpcs().send().await.expect("DescribeVpcs");

    let calls = m.recorded_calls();
    assert_eq!(calls.len(), 4, "{calls:#?}");
    assert!(calls.iter().all(|c| c["method"] == "POST"), "{calls:#?}");
    assert_eq!(
        m.recorded_actions(),
        [
            "DescribeVpcs",
            "DescribeVpcs",
            "DescribeVpcs",
            "DescribeSubnets"
        ]
    );

    m.reset_recording();
    assert!(m.recorded_calls().is_empty());
}

#[test]
fn rest_calls_are_named_by_method_path_and_query_keys() {
    let call = |method: &str, url: &str| {
        support::moto::rest_call(&serde_json::json!({ "method": method, "url": url }))
    };
    assert_eq!(
        call(
            "GET",
            "http://127.0.0.1:5000/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=300"
        ),
        "GET /2013-04-01/hostedzone/{id}/rrset?maxitems"
    );
    assert_eq!(
        call("POST", "http://127.0.0.1:5000/2013-04-01/tags/hostedzone"),
        "POST /2013-04-01/tags/hostedzone"
    );
    assert_eq!(
        call(
            "GET",
            "http://127.0.0.1:5000/2013-04-01/tags/hostedzone/Z1ABC"
        ),
        "GET /2013-04-01/tags/hostedzone/{id}"
    );
    assert_eq!(
        call("GET", "http://127.0.0.1:5000/web-logs/?tagging"),
        "GET /{bucket}/?tagging"
    );
    assert_eq!(
        call(
            "PUT",
            "http://127.0.0.1:5000/web-logs/alb/key.txt?x-id=PutObject"
        ),
        "PUT /{bucket}/{key}/{key}?x-id"
    );
    assert_eq!(call("GET", "http://127.0.0.1:5000/"), "GET /");
    assert_eq!(
        call(
            "GET",
            "http://127.0.0.1:5000/2015-03-31/functions/imp-hook/policy"
        ),
        "GET /2015-03-31/functions/{id}/policy"
    );
    assert_eq!(
        call(
            "GET",
            "http://127.0.0.1:5000/2015-02-01/mount-targets?FileSystemId=fs-1"
        ),
        "GET /2015-02-01/mount-targets?FileSystemId"
    );
}
