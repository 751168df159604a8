//! The client-side rate limiter and the SDK's retries, as every client call goes through them:
//! - against moto, with the limiter scaled down, a burst of Describe calls waits for refills
//!   (a behaviour check with generous bounds, not a benchmark);
//! - against a stand-in AWS endpoint on 127.0.0.1 that throttles, then fails, then answers,
//!   the call succeeds, each retry waited for a token, and `retry_stats()` tells the causes.
// The moto test holds `exclusive()`'s guard across `.await`s: sound, as each `#[tokio::test]`
// has its own runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ecsform::aws::ratelimit::RateLimiter;
use ecsform::aws::retries::RetryCause;
use ecsform::aws::AwsClients;
use support::moto::{exclusive, moto};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn describe_calls_beyond_the_burst_wait_for_the_bucket_to_refill() {
    let _moto = exclusive();
    // DescribeVpcs draws from a bucket of 100 tokens refilled at 20 a second; scaled by 0.05:
    // 5 tokens, 1 a second. Ten calls: five at once, then five as tokens come back.
    let clients = AwsClients::with_rate_limiter(&moto().sdk_config().await, RateLimiter::new(0.05));
    let started = Instant::now();
    for _ in 0..10 {
        clients
            .ec2
            .describe_vpcs()
            .send()
            .await
            .expect("DescribeVpcs");
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(4_900),
        "10 DescribeVpcs calls took {elapsed:?}: the limiter should hold them to ≥ 5 s"
    );
    // That the limiter holds calls no longer than the refills need is asserted with a test
    // clock in `aws::ratelimit`'s unit tests; a wall-clock bound here would only measure how
    // busy the machine is.
    // Ten tokens from a bucket of five refilled at one a second take five seconds however
    // long moto takes to answer; how many calls had to wait depends on that.
    let stats = clients.rate_limiter_stats();
    assert_eq!(stats.requests, 10);
    assert!((1..=5).contains(&stats.delayed), "{stats:?}");

    // Another action has a bucket of its own: it goes out without waiting for a token.
    clients
        .ec2
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets");
    assert_eq!(clients.rate_limiter_stats().delayed, stats.delayed);
    assert_eq!(clients.retry_stats().total(), 0);
}

const THROTTLED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>"#;
const INTERNAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred.</Message></Error></Errors><RequestID>2</RequestID></Response>"#;
const VPCS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>3</requestId><vpcSet/></DescribeVpcsResponse>"#;

/// Serves `answers` (status, body) in turn, one per connection, then 500s; counts requests.
async fn stand_in_aws(answers: Vec<(u16, &'static str)>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let (status, body) = answers.get(n).copied().unwrap_or((500, INTERNAL));
            // Read the request: headers, then Content-Length bytes of body.
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let header_end = loop {
                let Ok(read) = sock.read(&mut chunk).await else {
                    break None;
                };
                if read == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..read]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i + 4);
                }
            };
            let Some(header_end) = header_end else {
                continue;
            };
            let headers = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
            let length: usize = headers
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < header_end + length {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(read) => buf.extend_from_slice(&chunk[..read]),
                }
            }
            let reason = if status == 200 { "OK" } else { "Error" };
            let response = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(response.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (endpoint, served)
}

#[tokio::test]
async fn throttled_and_failed_attempts_are_retried_through_the_limiter_and_counted() {
    let (endpoint, served) = stand_in_aws(vec![
        (503, THROTTLED),
        (503, THROTTLED),
        (500, INTERNAL),
        (200, VPCS),
    ])
    .await;
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .profile_files(
            #[allow(deprecated)]
            aws_config::profile::profile_file::ProfileFiles::builder()
                .with_contents(
                    aws_config::profile::profile_file::ProfileFileKind::Config,
                    "[default]\n",
                )
                .build(),
        )
        .profile_name("default")
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    let clients = AwsClients::with_rate_limiter(&config, RateLimiter::new(1.0));

    let out = clients.ec2.describe_vpcs().send().await;
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(served.load(Ordering::SeqCst), 4);

    // Every attempt, the three retries included, took a token.
    assert_eq!(clients.rate_limiter_stats().requests, 4);
    let retries = clients.retry_stats();
    assert_eq!(retries.total(), 3, "{retries:?}");
    assert_eq!(retries.count(RetryCause::Throttled), 2);
    assert_eq!(
        retries
            .by_code(RetryCause::Throttled)
            .get("RequestLimitExceeded"),
        Some(&2)
    );
    assert_eq!(retries.count(RetryCause::ServerError), 1);
    assert_eq!(
        retries
            .by_code(RetryCause::ServerError)
            .get("InternalError"),
        Some(&1)
    );
}
