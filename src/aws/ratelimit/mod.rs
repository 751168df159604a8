//! Client-side rate limits: token buckets sized like AWS's own throttling buckets, so that a
//! large plan or apply stays under AWS's request rates instead of provoking
//! `RequestLimitExceeded` and backing off.
//!
//! [`limits`] says which buckets an operation draws from (with the sources of the numbers),
//! [`bucket`] is the token bucket, and [`RateLimiter`] keeps one bucket per (service, bucket
//! name) for the life of an [`AwsClients`](super::AwsClients) — one per run, so the limits hold
//! for the whole process whatever apply's parallelism.
//!
//! # How every call waits for its token
//!
//! Every attempt of every SDK call, retries included, waits in
//! [`RateLimitedIdentityCache`] before it is signed and sent. The SDK offers no better hook
//! that is both asynchronous and knows the operation:
//! - interceptors know the operation but are synchronous: blocking a runtime thread in one
//!   would stall the other calls on it;
//! - a retry strategy can delay the initial request (`should_attempt_initial_request`), but a
//!   custom strategy can only be installed through a crate-private runtime-plugin setter of
//!   each service's config, and it is not consulted before retries in standard mode;
//! - a wrapping HTTP connector is asynchronous, but it sees neither the operation (only bytes)
//!   nor the config bag, and it runs after signing, so a long wait could outlive the
//!   signature's validity.
//!
//! Resolving the caller's identity is the one asynchronous step of each attempt that gets the
//! operation's config bag (with the SDK's `Metadata`: service and operation name) and comes
//! before signing. The wrapper waits for a token there and then hands over to the SDK's own
//! identity cache unchanged. Without credentials there is no identity to resolve, and no
//! request AWS would accept either.
//!
//! # Scaling
//!
//! `ECSFORM_RATE_LIMIT_SCALE` multiplies every bucket's size and rate (a bucket keeps room for
//! at least one request): `0.5` for an account shared with other heavy API users, a small value
//! such as `0.05` in tests that check the limiter is in the path, `off` to send without
//! client-side limits (against an emulator). Unset, or not a positive number: `1`, AWS's
//! published sizes.

pub mod bucket;
pub mod limits;

use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::identity::{
    IdentityFuture, ResolveCachedIdentity, SharedIdentityCache, SharedIdentityResolver,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;

use bucket::TokenBucket;

/// The environment variable that scales every bucket (see the module docs).
pub const SCALE_ENV: &str = "ECSFORM_RATE_LIMIT_SCALE";

/// Where the limiter reads the time and waits: [`TokioClock`], or a test's own.
pub trait Clock: Debug + Send + Sync {
    fn now(&self) -> Instant;
    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The real clock, waiting with tokio's timer.
#[derive(Debug, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(
            deadline,
        )))
    }
}

/// Token buckets for every (service, bucket) an operation draws from, shared by clones.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    clock: Arc<dyn Clock>,
    /// `None`: no client-side limits.
    scale: Option<f64>,
    buckets: Mutex<HashMap<(String, String), TokenBucket>>,
    requests: AtomicU64,
    delayed: AtomicU64,
    delay_micros: AtomicU64,
}

/// What the limiter has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateLimiterStats {
    /// Requests (attempts, retries included) that took a token.
    pub requests: u64,
    /// How many of them had to wait for it.
    pub delayed: u64,
    /// Their waits added up.
    pub total_delay: Duration,
}

impl RateLimiter {
    /// A limiter with AWS's bucket sizes multiplied by `scale` (1: as published).
    pub fn new(scale: f64) -> RateLimiter {
        RateLimiter::with_scale(Some(scale))
    }

    /// A limiter that never waits (it still counts requests).
    pub fn unlimited() -> RateLimiter {
        RateLimiter::with_scale(None)
    }

    /// A limiter as `ECSFORM_RATE_LIMIT_SCALE` asks: scaled, off, or (unset or not a
    /// positive number) AWS's published sizes.
    pub fn from_env() -> RateLimiter {
        RateLimiter::from_setting(std::env::var(SCALE_ENV).ok().as_deref())
    }

    /// A limiter as `value`, the `ECSFORM_RATE_LIMIT_SCALE` of an environment given explicitly,
    /// asks (read like [`from_env`](Self::from_env)).
    pub fn from_setting(value: Option<&str>) -> RateLimiter {
        RateLimiter::with_scale(parse_scale(value))
    }

    /// A limiter scaled like [`new`](Self::new) that reads the time from `clock`.
    pub fn with_clock(scale: f64, clock: Arc<dyn Clock>) -> RateLimiter {
        RateLimiter::build(Some(scale), clock)
    }

    fn with_scale(scale: Option<f64>) -> RateLimiter {
        RateLimiter::build(scale, Arc::new(TokioClock))
    }

    fn build(scale: Option<f64>, clock: Arc<dyn Clock>) -> RateLimiter {
        RateLimiter {
            inner: Arc::new(Inner {
                clock,
                scale,
                buckets: Mutex::new(HashMap::new()),
                requests: AtomicU64::new(0),
                delayed: AtomicU64::new(0),
                delay_micros: AtomicU64::new(0),
            }),
        }
    }

    /// Waits until every bucket `operation` draws from holds a token, then takes one from
    /// each. Waiting callers re-check after their wait, so a bucket never goes below zero.
    pub async fn acquire(&self, service: &str, operation: &str) {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let Some(scale) = self.inner.scale else {
            return;
        };
        let specs = limits::buckets(service, operation);
        let clock = &self.inner.clock;
        let started = clock.now();
        let mut slept = false;
        loop {
            let (wait, now) = {
                let mut buckets = self.inner.buckets.lock().unwrap_or_else(|e| e.into_inner());
                let now = clock.now();
                let mut wait = Duration::ZERO;
                for spec in &specs {
                    let bucket = buckets
                        .entry((service.to_string(), spec.name.to_string()))
                        .or_insert_with(|| TokenBucket::new(spec.limit.scaled(scale), now));
                    wait = wait.max(bucket.time_to_token(now));
                }
                if wait.is_zero() {
                    for spec in &specs {
                        if let Some(b) =
                            buckets.get_mut(&(service.to_string(), spec.name.to_string()))
                        {
                            b.take();
                        }
                    }
                }
                (wait, now)
            };
            if wait.is_zero() {
                break;
            }
            clock.sleep_until(now + wait).await;
            slept = true;
        }
        if slept {
            let waited = clock.now().saturating_duration_since(started);
            self.inner.delayed.fetch_add(1, Ordering::Relaxed);
            self.inner
                .delay_micros
                .fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
        }
    }

    /// What the limiter has done so far.
    pub fn stats(&self) -> RateLimiterStats {
        RateLimiterStats {
            requests: self.inner.requests.load(Ordering::Relaxed),
            delayed: self.inner.delayed.load(Ordering::Relaxed),
            total_delay: Duration::from_micros(self.inner.delay_micros.load(Ordering::Relaxed)),
        }
    }
}

/// `None` for "off"; the number when it is a positive finite number; `1` otherwise.
fn parse_scale(value: Option<&str>) -> Option<f64> {
    match value.map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("off") => None,
        Some(v) => match v.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 => Some(s),
            _ => Some(1.0),
        },
        None => Some(1.0),
    }
}

/// The SDK's identity cache with a wait for a [`RateLimiter`] token in front: see the module
/// docs for why this is where calls wait.
#[derive(Debug)]
pub struct RateLimitedIdentityCache {
    limiter: RateLimiter,
    inner: SharedIdentityCache,
}

impl RateLimitedIdentityCache {
    /// Wraps `inner`, the identity cache the clients would use otherwise.
    pub fn new(limiter: RateLimiter, inner: SharedIdentityCache) -> RateLimitedIdentityCache {
        RateLimitedIdentityCache { limiter, inner }
    }
}

impl ResolveCachedIdentity for RateLimitedIdentityCache {
    fn resolve_cached_identity<'a>(
        &'a self,
        resolver: SharedIdentityResolver,
        runtime_components: &'a RuntimeComponents,
        config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        IdentityFuture::new_boxed(Box::pin(async move {
            // Every SDK operation stores its Metadata; a call without it is not one of ours
            // to classify, and goes through unlimited.
            if let Some(m) = config_bag.load::<Metadata>() {
                self.limiter.acquire(m.service(), m.name()).await;
            }
            self.inner
                .resolve_cached_identity(resolver, runtime_components, config_bag)
                .await
        }))
    }

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner
            .validate_base_client_config(runtime_components, cfg)
    }

    fn validate_final_config(
        &self,
        runtime_components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(runtime_components, cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::limits::{service, Basis};
    use super::*;

    /// A clock that only moves when someone sleeps: a sleeper moves it to its deadline at
    /// once (never back), then lets the other tasks run.
    #[derive(Debug)]
    struct ManualClock {
        start: Instant,
        now: Mutex<Instant>,
    }

    impl ManualClock {
        fn new() -> Arc<ManualClock> {
            let start = Instant::now();
            Arc::new(ManualClock {
                start,
                now: Mutex::new(start),
            })
        }

        fn elapsed(&self) -> Duration {
            self.now() - self.start
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> Instant {
            *self.now.lock().unwrap()
        }

        fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
            Box::pin(async move {
                {
                    let mut now = self.now.lock().unwrap();
                    *now = (*now).max(deadline);
                }
                tokio::task::yield_now().await;
            })
        }
    }

    fn limiter(scale: f64) -> (RateLimiter, Arc<ManualClock>) {
        let clock = ManualClock::new();
        (RateLimiter::with_clock(scale, clock.clone()), clock)
    }

    #[test]
    fn the_scale_comes_from_the_environment_value() {
        assert_eq!(parse_scale(None), Some(1.0));
        assert_eq!(parse_scale(Some("0.01")), Some(0.01));
        assert_eq!(parse_scale(Some(" 2 ")), Some(2.0));
        assert_eq!(parse_scale(Some("off")), None);
        assert_eq!(parse_scale(Some("OFF")), None);
        assert_eq!(parse_scale(Some("0")), Some(1.0));
        assert_eq!(parse_scale(Some("-1")), Some(1.0));
        assert_eq!(parse_scale(Some("fast")), Some(1.0));
        assert_eq!(parse_scale(Some("NaN")), Some(1.0));
    }

    #[tokio::test]
    async fn a_burst_beyond_the_bucket_waits_for_refills() {
        // DescribeVpcs: 100 at once, 20 a second; scaled by 0.1: 10 at once, 2 a second.
        let (limiter, clock) = limiter(0.1);
        for _ in 0..10 {
            limiter.acquire(service::EC2, "DescribeVpcs").await;
        }
        assert_eq!(
            clock.elapsed(),
            Duration::ZERO,
            "the burst goes out at once"
        );
        for _ in 0..4 {
            limiter.acquire(service::EC2, "DescribeVpcs").await;
        }
        // Four more tokens at two a second.
        assert_eq!(clock.elapsed(), Duration::from_secs(2));
        let stats = limiter.stats();
        assert_eq!(stats.requests, 14);
        assert_eq!(stats.delayed, 4);
        assert_eq!(stats.total_delay, Duration::from_secs(2));
    }

    #[tokio::test]
    async fn ec2_actions_have_buckets_of_their_own() {
        let (limiter, clock) = limiter(0.1);
        for _ in 0..10 {
            limiter.acquire(service::EC2, "DescribeVpcs").await;
        }
        limiter.acquire(service::EC2, "DescribeSubnets").await;
        assert_eq!(clock.elapsed(), Duration::ZERO);
    }

    #[tokio::test]
    async fn ecs_actions_of_one_category_share_a_bucket() {
        // Cluster read actions: 50 at once, 20 a second; scaled: 5 at once, 2 a second.
        let (limiter, clock) = limiter(0.1);
        for _ in 0..5 {
            limiter.acquire(service::ECS, "DescribeClusters").await;
        }
        limiter.acquire(service::ECS, "ListClusters").await;
        assert_eq!(clock.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test]
    async fn an_elbv2_call_waits_for_the_account_bucket_too() {
        // The account bucket (40, 10/s) scaled by 0.1 holds 4; Non-mutating also 4.
        let (limiter, clock) = limiter(0.1);
        for _ in 0..4 {
            limiter
                .acquire(service::ELBV2, "DescribeLoadBalancers")
                .await;
        }
        // The Registration bucket is full, but the account bucket is empty: wait 1 s for it.
        limiter.acquire(service::ELBV2, "RegisterTargets").await;
        assert_eq!(clock.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn concurrent_callers_share_the_rate() {
        // CreateNatGateway: 10 at once, 1 a second; scaled by 0.2: 2 at once, one every 5 s.
        let (limiter, clock) = limiter(0.2);
        let calls: Vec<_> = (0..4)
            .map(|_| {
                let (l, c) = (limiter.clone(), clock.clone());
                tokio::spawn(async move {
                    l.acquire(service::EC2, "CreateNatGateway").await;
                    c.elapsed()
                })
            })
            .collect();
        let mut done = Vec::new();
        for c in calls {
            done.push(c.await.expect("task"));
        }
        done.sort();
        assert_eq!(
            done,
            [0, 0, 5, 10].map(Duration::from_secs).to_vec(),
            "two at once, then one every five seconds"
        );
    }

    #[tokio::test]
    async fn an_unlimited_limiter_never_waits() {
        let limiter = RateLimiter::unlimited();
        let t0 = Instant::now();
        for _ in 0..1000 {
            limiter.acquire(service::EC2, "RunInstances").await;
        }
        assert!(t0.elapsed() < Duration::from_secs(1));
        assert_eq!(limiter.stats().requests, 1000);
        assert_eq!(limiter.stats().delayed, 0);
    }

    /// Every SDK operation ecsform's code calls (found by reading the source: a client field
    /// name, a dot, a method) has a bucket from the tables, not the small fallback for
    /// operations nobody classified. A new call to an ECS or ELBv2 action missing from the
    /// tables fails here; EC2 and the services without published numbers classify every
    /// action by rule.
    #[test]
    fn every_operation_ecsform_calls_is_classified() {
        let services = [
            ("ec2", service::EC2),
            ("ecs", service::ECS),
            ("elbv2", service::ELBV2),
            ("autoscaling", service::AUTO_SCALING),
            ("appautoscaling", service::APPLICATION_AUTO_SCALING),
            ("cloudwatch", service::CLOUDWATCH),
            ("logs", service::LOGS),
            ("events", service::EVENTS),
            ("iam", service::IAM),
            ("sns", service::SNS),
            ("ssm", service::SSM),
            ("sts", service::STS),
            ("tagging", service::TAGGING),
            ("route53", service::ROUTE53),
            ("acm", service::ACM),
            ("efs", service::EFS),
            ("servicediscovery", service::SERVICE_DISCOVERY),
        ];
        let call = regex::Regex::new(
            r"\b(ec2|ecs|elbv2|autoscaling|appautoscaling|cloudwatch|logs|events|iam|sns|ssm|sts|tagging|route53|acm|efs|servicediscovery)\s*\.\s*([a-z][a-z0-9_]*)\s*\(",
        )
        .expect("regex");
        let mut found = std::collections::BTreeSet::new();
        let mut pending = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read source");
                    for c in call.captures_iter(&text) {
                        let service = services
                            .iter()
                            .find(|(field, _)| *field == &c[1])
                            .map(|(_, s)| *s)
                            .expect("listed");
                        found.insert((service, pascal_case(&c[2])));
                    }
                }
            }
        }
        assert!(found.len() > 100, "the scan found only {found:?}");
        let unclassified: Vec<_> = found
            .iter()
            .filter(|(service, op)| {
                limits::buckets(service, op)
                    .iter()
                    .any(|b| b.basis == Basis::Unclassified)
            })
            .collect();
        assert!(
            unclassified.is_empty(),
            "operations without a bucket in src/aws/ratelimit/limits.rs: {unclassified:?}"
        );
    }

    fn pascal_case(snake: &str) -> String {
        snake
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }
}
