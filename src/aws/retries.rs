//! The SDK's retries for every client, and an account of the retries it made.
//!
//! Throttling, 5xx responses, timeouts and dropped connections are retried by the SDK itself,
//! in one place for every call: standard mode, [`MAX_ATTEMPTS`] attempts, exponential backoff
//! with full jitter from 1 s, capped at [`MAX_BACKOFF`]. (ecsform's own
//! [`retry`](super::error::retry) loop is only for eventual consistency, which the SDK cannot
//! recognise.) The SDK's retry quota, a bucket meant to stop retry storms, is turned off: every
//! attempt already waits for a token of the client-side rate limiter
//! ([`ratelimit`](super::ratelimit)), and a quota run dry would fail a long apply under
//! throttling that would otherwise complete. `AWS_MAX_ATTEMPTS` or `AWS_RETRY_MODE` in the
//! environment replace this policy with the SDK's reading of them.
//!
//! [`RetryAccounting`], an interceptor on every client, records each retry with its cause —
//! throttled (and the error code AWS gave), a server error, or a timeout or connection error —
//! in [`RetryStats`], which `AwsClients::retry_stats` returns and apply reports.
//!
//! One exception to the SDK's retries: a create that AWS cannot recognise when it comes again
//! (no name unique in its scope, no idempotency token AWS honours: [`NOT_RETRIED_BLINDLY`])
//! would make a second object if it were sent again after its answer was lost. When such a
//! call gets no answer (connection closed or timed out), [`NoBlindRetries`] turns the failure
//! into a [`NoAnswer`] error that the SDK does not retry; apply then looks for the object by
//! its tags before it creates again (see `apply`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime::client::retries::classifiers::run_classifiers_on_ctx;
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextMut,
    FinalizerInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata, OrchestratorError};
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryReason,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::retry::{ErrorKind as SdkErrorKind, RetryConfig};

/// Attempts per call: the first and up to nine retries.
pub const MAX_ATTEMPTS: u32 = 10;
/// The longest pause between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Throttling codes some AWS documentation names that the SDK does not know: Auto Scaling's API
/// reference says it answers a throttled request with `RateExceeded`.
const EXTRA_THROTTLING_CODES: &[&str] = &["RateExceeded"];

/// The retry policy for every client; `None` when the environment sets its own
/// (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`), which the SDK then reads.
pub fn retry_config() -> Option<RetryConfig> {
    retry_config_where(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// [`retry_config`] for an environment in which `set(NAME)` tells whether `NAME` has a
/// non-empty value.
pub fn retry_config_where(set: impl Fn(&str) -> bool) -> Option<RetryConfig> {
    if set("AWS_MAX_ATTEMPTS") || set("AWS_RETRY_MODE") {
        return None;
    }
    Some(
        RetryConfig::standard()
            .with_max_attempts(MAX_ATTEMPTS)
            .with_max_backoff(MAX_BACKOFF),
    )
}

/// A retry partition for one client with no retry quota (see the module docs).
pub fn retry_partition(client: &'static str) -> RetryPartition {
    RetryPartition::custom(client)
        .token_bucket(TokenBucket::unlimited())
        .build()
}

/// Creates (service and operation, as the SDK's operation metadata names them) that make a new
/// object each time they are sent: no name unique in its scope makes a second call fail, and
/// AWS honours no idempotency token for them (or the SDK's automatic one cannot be relied on:
/// emulators ignore it). Creates of named objects (security groups, launch templates, load
/// balancers, roles...) are left to the SDK: a repeated call is refused as a duplicate, and
/// apply then takes the object it made.
pub const NOT_RETRIED_BLINDLY: &[(&str, &str)] = &[
    ("EC2", "CreateVpc"),
    ("EC2", "CreateSubnet"),
    ("EC2", "CreateInternetGateway"),
    ("EC2", "CreateRouteTable"),
    ("EC2", "AllocateAddress"),
    ("EC2", "CreateNatGateway"),
    ("EC2", "RunInstances"),
    ("Elastic Load Balancing v2", "CreateRule"),
    // AWS answers a repeat with the same settings with the existing object, but moto makes a
    // second one: looking it up by its tags is right for both.
    ("Elastic Load Balancing v2", "CreateLoadBalancer"),
    ("Elastic Load Balancing v2", "CreateTargetGroup"),
    ("Elastic Load Balancing v2", "CreateListener"),
];

/// A create of [`NOT_RETRIED_BLINDLY`] got no answer: it may or may not have taken effect.
#[derive(Debug, thiserror::Error)]
#[error("no answer to {operation}: the connection failed after the request was sent, so it may have taken effect")]
pub struct NoAnswer {
    pub operation: String,
}

/// The interceptor that keeps the SDK from sending a create of [`NOT_RETRIED_BLINDLY`] again
/// when its attempt got no answer: the failure becomes a [`NoAnswer`] error, which no retry
/// classifier retries.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoBlindRetries;

impl Intercept for NoBlindRetries {
    fn name(&self) -> &'static str {
        "ecsform::NoBlindRetries"
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(meta) = cfg.load::<Metadata>() else {
            return Ok(());
        };
        if !NOT_RETRIED_BLINDLY.contains(&(meta.service(), meta.name())) {
            return Ok(());
        }
        let ctx = context.inner_mut();
        if ctx.response().is_some() {
            return Ok(());
        }
        let no_answer = match ctx.output_or_error() {
            Some(Err(e)) => {
                // Closed connections, timeouts, incomplete answers: anything but a request
                // the client could not build.
                e.is_timeout_error() || e.as_connector_error().is_some_and(|c| !c.is_user())
            }
            _ => false,
        };
        if no_answer {
            ctx.set_output_or_error(Err(OrchestratorError::other(NoAnswer {
                operation: meta.name().to_string(),
            })));
        }
        Ok(())
    }
}

/// Why the SDK retried an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RetryCause {
    /// AWS refused the request for its rate (`RequestLimitExceeded`, `Throttling`...).
    Throttled,
    /// AWS answered with a server error (HTTP 5xx).
    ServerError,
    /// No usable answer: a timeout or a connection error (or a transient 4xx code such as
    /// `RequestTimeout`).
    Transient,
}

/// One kind of retry: its cause, the service, and AWS's error code when it gave one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RetryKind {
    pub cause: RetryCause,
    /// The SDK's service name (`"EC2"`, `"Elastic Load Balancing v2"`); for a create that
    /// apply sent again after it got no answer, the resource type (`"aws_subnet"`).
    pub service: String,
    /// AWS's error code (`"RequestLimitExceeded"`); `None` without a response.
    pub code: Option<String>,
}

/// How many retries the SDK made, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetrySummary {
    pub counts: BTreeMap<RetryKind, u64>,
}

impl RetrySummary {
    /// All retries.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Retries with this cause.
    pub fn count(&self, cause: RetryCause) -> u64 {
        self.counts
            .iter()
            .filter(|(k, _)| k.cause == cause)
            .map(|(_, n)| n)
            .sum()
    }

    /// Retries with this cause by error code, over all services (`"?"` for none).
    pub fn by_code(&self, cause: RetryCause) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (k, n) in self.counts.iter().filter(|(k, _)| k.cause == cause) {
            let code = k.code.clone().unwrap_or_else(|| "?".to_string());
            *out.entry(code).or_insert(0) += n;
        }
        out
    }
}

/// The retries of one set of clients, shared by clones.
#[derive(Clone, Debug, Default)]
pub struct RetryStats {
    counts: Arc<Mutex<BTreeMap<RetryKind, u64>>>,
}

impl RetryStats {
    pub(crate) fn record(&self, kind: RetryKind) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry(kind).or_insert(0) += 1;
    }

    /// The retries so far.
    pub fn summary(&self) -> RetrySummary {
        RetrySummary {
            counts: self
                .counts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }
}

/// A failed attempt the SDK may retry; a retry is counted when the next attempt starts.
#[derive(Clone, Debug)]
struct FailedAttempt(RetryKind);

impl Storable for FailedAttempt {
    type Storer = StoreReplace<FailedAttempt>;
}

/// The interceptor that fills [`RetryStats`]: after an attempt it notes a failure the SDK's
/// retry classifiers call retryable; before the next attempt of the same call it counts it.
#[derive(Clone, Debug, Default)]
pub struct RetryAccounting {
    stats: RetryStats,
}

impl RetryAccounting {
    pub fn new(stats: RetryStats) -> RetryAccounting {
        RetryAccounting { stats }
    }
}

impl Intercept for RetryAccounting {
    fn name(&self) -> &'static str {
        "ecsform::RetryAccounting"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(FailedAttempt(kind)) = cfg.load::<FailedAttempt>().cloned() {
            self.stats.record(kind);
            cfg.interceptor_state().unset::<FailedAttempt>();
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ctx = context.inner();
        if !ctx.is_failed() {
            return Ok(());
        }
        let action = run_classifiers_on_ctx(runtime_components.retry_classifiers(), ctx);
        let RetryAction::RetryIndicated(RetryReason::RetryableError { kind, .. }) = action else {
            return Ok(());
        };
        let response = ctx.response();
        let status = response.map(|r| r.status().as_u16());
        let cause = match (kind, status) {
            (SdkErrorKind::ThrottlingError, _) => RetryCause::Throttled,
            (_, Some(s)) if s >= 500 => RetryCause::ServerError,
            (SdkErrorKind::ServerError, _) => RetryCause::ServerError,
            _ => RetryCause::Transient,
        };
        let service = cfg
            .load::<Metadata>()
            .map(|m| m.service().to_string())
            .unwrap_or_default();
        let code = response.and_then(error_code);
        cfg.interceptor_state().store_put(FailedAttempt(RetryKind {
            cause,
            service,
            code,
        }));
        Ok(())
    }
}

/// Marks the throttling codes in [`EXTRA_THROTTLING_CODES`] for retry, as the SDK does its own.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExtraThrottlingCodes;

impl ClassifyRetry for ExtraThrottlingCodes {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        if !ctx.is_failed() {
            return RetryAction::NoActionIndicated;
        }
        match ctx.response().and_then(error_code) {
            Some(code) if EXTRA_THROTTLING_CODES.contains(&code.as_str()) => {
                RetryAction::throttling_error()
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "ecsform::ExtraThrottlingCodes"
    }
}

/// AWS's error code in an error response, whatever the service's protocol: the
/// `x-amzn-ErrorType` header or `__type` field (JSON protocols: ECS, CloudWatch Logs,
/// EventBridge, SSM), or the first `<Code>` element (query protocols: EC2, ELB, IAM, SNS,
/// Auto Scaling, STS).
pub fn error_code(response: &HttpResponse) -> Option<String> {
    if let Some(t) = response.headers().get("x-amzn-errortype") {
        return short_code(t.split(':').next().unwrap_or(t));
    }
    let body = response.body().bytes()?;
    let text = std::str::from_utf8(body).ok()?.trim_start();
    if text.starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        let t = ["__type", "code", "Code"]
            .iter()
            .find_map(|k| json.get(k).and_then(|v| v.as_str()))?;
        return short_code(t);
    }
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text[start..].find("</Code>")?;
    short_code(&text[start..start + len])
}

/// `com.amazonaws.ecs#ThrottlingException` → `ThrottlingException`.
fn short_code(raw: &str) -> Option<String> {
    let code = raw.rsplit('#').next().unwrap_or(raw).trim();
    (!code.is_empty()).then(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    fn response(status: u16, header: Option<&str>, body: &str) -> HttpResponse {
        let mut r = HttpResponse::new(
            StatusCode::try_from(status).expect("status"),
            SdkBody::from(body),
        );
        if let Some(h) = header {
            r.headers_mut().insert("x-amzn-ErrorType", h.to_string());
        }
        r
    }

    #[test]
    fn reads_the_error_code_of_each_protocol() {
        let ec2 = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>"#;
        assert_eq!(
            error_code(&response(503, None, ec2)).as_deref(),
            Some("RequestLimitExceeded")
        );
        let query = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>";
        assert_eq!(
            error_code(&response(400, None, query)).as_deref(),
            Some("Throttling")
        );
        let json =
            r#"{"__type":"com.amazonaws.ecs#ThrottlingException","message":"Rate exceeded"}"#;
        assert_eq!(
            error_code(&response(400, None, json)).as_deref(),
            Some("ThrottlingException")
        );
        assert_eq!(
            error_code(&response(
                400,
                Some("ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"),
                "{}"
            ))
            .as_deref(),
            Some("ThrottlingException")
        );
        assert_eq!(error_code(&response(502, None, "Bad Gateway")), None);
    }

    #[test]
    fn the_summary_counts_by_cause_and_code() {
        let stats = RetryStats::default();
        let kind = |cause, service: &str, code: Option<&str>| RetryKind {
            cause,
            service: service.to_string(),
            code: code.map(String::from),
        };
        for _ in 0..3 {
            stats.record(kind(
                RetryCause::Throttled,
                "EC2",
                Some("RequestLimitExceeded"),
            ));
        }
        stats.record(kind(
            RetryCause::Throttled,
            "ECS",
            Some("ThrottlingException"),
        ));
        stats.record(kind(RetryCause::ServerError, "EC2", Some("InternalError")));
        stats.record(kind(RetryCause::Transient, "IAM", None));
        let s = stats.summary();
        assert_eq!(s.total(), 6);
        assert_eq!(s.count(RetryCause::Throttled), 4);
        assert_eq!(s.count(RetryCause::ServerError), 1);
        assert_eq!(
            s.by_code(RetryCause::Throttled)
                .into_iter()
                .collect::<Vec<_>>(),
            [
                ("RequestLimitExceeded".to_string(), 3),
                ("ThrottlingException".to_string(), 1)
            ]
        );
        assert_eq!(s.by_code(RetryCause::Transient)["?"], 1);
    }
}
