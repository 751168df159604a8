//! AWS errors, classified in one place, and the retry and wait loops built on that
//! classification.
//!
//! Every SDK error becomes an [`ApiError`] with the AWS error code and message and an
//! [`ErrorKind`]. Throttling and transient failures are retried by the SDK itself before an
//! error gets here (see [`retries`](super::retries)); [`retry`] repeats a call, with
//! exponential backoff and jitter, on what only ecsform can recognise: an object another API
//! cannot see yet ([`eventually_consistent`]). [`wait_until`] polls an asynchronous operation
//! (NAT gateway available, deletion complete) with an explicit time limit. [`OrGone`] says
//! "not found means gone" for callers that can do without the object, and `ApiError`'s
//! `is_*` predicates name the AWS error codes the resource types react to, so that those
//! codes are spelled here only.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

/// What kind of failure an AWS error is; decides retries and how the engine reacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The object does not exist (any more).
    NotFound,
    /// The object exists already.
    AlreadyExists,
    /// Rate limited: retry later.
    Throttled,
    /// A transient failure (HTTP 5xx, connection reset, timeouts): retry.
    Transient,
    /// Not visible yet after a create, or a dependency still settling (IAM, ENIs): retry.
    EventuallyConsistent,
    /// The request is wrong; retrying will not help.
    Invalid,
    /// A waiter ran out of time.
    Timeout,
    Other,
}

/// What an AWS call answers: its value, or the [`ApiError`] (another error where named).
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// An AWS API failure with its code, as shown to users: `InvalidSubnet.Conflict: The CIDR ...`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    /// How many retries were needed before this outcome (for reporting).
    pub retries: u32,
}

impl ApiError {
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            code: code.into(),
            message: message.into(),
            retries: 0,
        }
    }

    /// A response that lacked something the engine needs (e.g. no id after a create).
    pub fn malformed(what: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Other, "MalformedResponse", what)
    }

    /// No answer came to a create that is not sent twice (see
    /// [`NoAnswer`](super::retries::NoAnswer)): the object may exist.
    pub fn may_have_taken_effect(&self) -> bool {
        self.code == NO_ANSWER
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// Not found, including the way Auto Scaling says it: a `ValidationError` whose message
    /// says the named group or launch configuration was "not found".
    pub fn is_not_found_or_unknown_name(&self) -> bool {
        self.is_not_found() || self.is_validation_error() && self.message.contains("not found")
    }

    /// Whether the code is one of `codes`.
    fn code_is(&self, codes: &[&str]) -> bool {
        codes.contains(&self.code.as_str())
    }

    /// EC2's `DependencyViolation`: an object that something still depends on (often only
    /// until that dependency is released) cannot be deleted or detached.
    pub fn is_dependency_violation(&self) -> bool {
        self.code_is(&["DependencyViolation"])
    }

    /// EC2's `Gateway.NotAttached`: the internet gateway is not attached to that VPC.
    pub fn is_gateway_not_attached(&self) -> bool {
        self.code_is(&["Gateway.NotAttached"])
    }

    /// EC2's `Resource.AlreadyAssociated`: what a repeated attach or associate answers, the
    /// SDK's resend of one whose answer was lost among them.
    pub fn is_already_associated(&self) -> bool {
        self.code_is(&["Resource.AlreadyAssociated"])
    }

    /// EC2's `InvalidIPAddress.InUse`: the Elastic IP is still mapped to an address in use.
    pub fn is_address_in_use(&self) -> bool {
        self.code_is(&["InvalidIPAddress.InUse"])
    }

    /// EC2's answers to an association with an allocation or instance it does not know yet:
    /// `InvalidAllocationID.NotFound`, `InvalidInstanceID`.
    pub fn is_unknown_allocation_or_instance(&self) -> bool {
        self.code_is(&["InvalidAllocationID.NotFound", "InvalidInstanceID"])
    }

    /// EC2's answers to an instance launched (or associated) with an IAM instance profile,
    /// or a profile's role, that IAM has not propagated to EC2 yet: `InvalidParameterValue`
    /// "Invalid IAM Instance Profile ..." or "... has no associated IAM Roles".
    pub fn is_instance_profile_not_propagated(&self) -> bool {
        self.code_is(&["InvalidParameterValue"])
            && (self.message.contains("Invalid IAM Instance Profile")
                || self.message.contains("has no associated IAM Roles"))
    }

    /// EC2's `InvalidGroup.NotFound`: an unknown security group (or one not visible yet).
    pub fn is_unknown_security_group(&self) -> bool {
        self.code_is(&["InvalidGroup.NotFound"])
    }

    /// EC2's `InvalidPermission.Duplicate`: a security group rule that exists already.
    pub fn is_duplicate_permission(&self) -> bool {
        self.code_is(&["InvalidPermission.Duplicate"])
    }

    /// EC2's `InvalidPermission.NotFound`: a security group rule that does not exist.
    pub fn is_missing_permission(&self) -> bool {
        self.code_is(&["InvalidPermission.NotFound"])
    }

    /// Auto Scaling's and ELB's `ResourceInUse`: a launch configuration or target group that
    /// is still in use.
    pub fn is_resource_in_use(&self) -> bool {
        self.code_is(&["ResourceInUse"])
    }

    /// Auto Scaling's answers while a group is busy: `ScalingActivityInProgress`,
    /// `ResourceInUse`.
    pub fn is_scaling_busy(&self) -> bool {
        self.code_is(&["ScalingActivityInProgress", "ResourceInUse"])
    }

    /// Auto Scaling's `InstanceRefreshInProgress`: another instance refresh is running.
    pub fn is_instance_refresh_in_progress(&self) -> bool {
        self.code_is(&["InstanceRefreshInProgress"])
    }

    /// Auto Scaling's `ActiveInstanceRefreshNotFound`: there is no instance refresh to cancel.
    pub fn is_no_active_instance_refresh(&self) -> bool {
        self.code_is(&["ActiveInstanceRefreshNotFound"])
    }

    /// Application Auto Scaling's answer for a scalable target, policy or scheduled action it
    /// does not have: `ObjectNotFoundException` (moto says `ValidationException` "No
    /// scalable target found ..." / "No scaling policy found ...").
    pub fn is_unknown_scaling_object(&self) -> bool {
        self.is_not_found()
            || self.code_is(&["ValidationException"])
                && (self.message.starts_with("No scalable target")
                    || self.message.starts_with("No scaling policy"))
    }

    /// A `ValidationError` (Auto Scaling's, and other query APIs', invalid request).
    pub fn is_validation_error(&self) -> bool {
        self.code_is(&["ValidationError"])
    }

    /// ECS's answers while an object is being changed or is still used by another:
    /// `ResourceInUseException`, `UpdateInProgressException`.
    pub fn is_ecs_busy(&self) -> bool {
        self.code_is(&["ResourceInUseException", "UpdateInProgressException"])
    }

    /// ECS's answers to deleting a cluster that still holds container instances, services
    /// or tasks, or is busy ([`is_ecs_busy`](Self::is_ecs_busy)).
    pub fn is_ecs_cluster_in_use(&self) -> bool {
        self.is_ecs_busy()
            || self.code_is(&[
                "ClusterContainsContainerInstancesException",
                "ClusterContainsServicesException",
                "ClusterContainsTasksException",
            ])
    }

    /// ECS's `ServiceNotActiveException`: the service is draining or gone.
    pub fn is_service_not_active(&self) -> bool {
        self.code_is(&["ServiceNotActiveException"])
    }

    /// ECS's `ClientException`, which it also gives for missing or inactive task definitions.
    pub fn is_ecs_client_exception(&self) -> bool {
        self.code_is(&["ClientException"])
    }

    /// ECS's `InvalidParameterException`, which it also gives for roles and load balancers
    /// that are not usable yet.
    pub fn is_ecs_invalid_parameter(&self) -> bool {
        self.code_is(&["InvalidParameterException"])
    }

    /// IAM's `NoSuchEntity` (classified [`ErrorKind::NotFound`]).
    pub fn is_no_such_entity(&self) -> bool {
        self.code_is(&["NoSuchEntity"])
    }

    /// IAM's `MalformedPolicyDocument`.
    pub fn is_malformed_policy_document(&self) -> bool {
        self.code_is(&["MalformedPolicyDocument"])
    }

    /// IAM's `DeleteConflict`: the entity still has attached policies, keys or members.
    pub fn is_delete_conflict(&self) -> bool {
        self.code_is(&["DeleteConflict"])
    }

    /// IAM's `LimitExceeded` (e.g. a second role for an instance profile).
    pub fn is_limit_exceeded(&self) -> bool {
        self.code_is(&["LimitExceeded"])
    }

    /// `AccessDenied`.
    pub fn is_access_denied(&self) -> bool {
        self.code_is(&["AccessDenied"])
    }

    /// S3's answer to GetBucketTagging for a bucket without tags (not a missing bucket).
    pub fn is_no_tag_set(&self) -> bool {
        self.code_is(&["NoSuchTagSet"])
    }

    /// S3 refuses to delete a bucket that still holds objects (or object versions).
    pub fn is_bucket_not_empty(&self) -> bool {
        self.code_is(&["BucketNotEmpty"])
    }

    /// Whether [`retry`] tries again. Throttled and transient errors are not: the SDK has
    /// retried them already, up to its own limit, and retrying its final answer again would
    /// multiply the attempts (and hide them from the retry report).
    fn retryable(&self) -> bool {
        self.kind == ErrorKind::EventuallyConsistent
    }
}

/// What "not found" means to a caller that can do without the object: it is gone, or was never
/// there, which is no failure.
pub trait OrGone<T> {
    /// The value, or `None` where AWS said the object does not exist.
    fn found(self) -> Result<Option<T>>;

    /// `Ok(())` also where AWS said the object does not exist (a delete of what is gone
    /// already); the value is dropped.
    fn ok_if_gone(self) -> Result<()>;

    /// [`OrGone::ok_if_gone`] where `gone` tells the errors that say so (a service that says
    /// "not found" its own way: [`ApiError::is_not_found_or_unknown_name`]).
    fn ok_if(self, gone: fn(&ApiError) -> bool) -> Result<()>;
}

impl<T> OrGone<T> for Result<T> {
    fn found(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn ok_if_gone(self) -> Result<()> {
        self.found().map(|_| ())
    }

    fn ok_if(self, gone: fn(&ApiError) -> bool) -> Result<()> {
        match self {
            Err(e) if gone(&e) => Ok(()),
            r => r.map(|_| ()),
        }
    }
}

/// The code of an [`ApiError`] for a create that got no answer.
pub const NO_ANSWER: &str = "NoAnswer";

/// Classifies an AWS error code.
pub fn classify(code: &str, http_status: Option<u16>) -> ErrorKind {
    let c = code;
    if c.ends_with(".NotFound")
        || c.ends_with("NotFound")
        || c.ends_with("NotFoundException")
        || c == "NoSuchEntity"
        // Route 53's unknown zones, changes, health checks and delegation sets.
        || c == "NoSuchHostedZone"
        || c == "NoSuchChange"
        || c == "NoSuchHealthCheck"
        || c == "NoSuchDelegationSet"
        || c == "ResourceNotFoundException"
        // S3's unknown buckets, and a bucket's configurations that are not set.
        || c == "NoSuchBucket"
        || c == "NoSuchBucketPolicy"
        || c == "NoSuchPublicAccessBlockConfiguration"
        || c == "NoSuchLifecycleConfiguration"
        || c == "ServerSideEncryptionConfigurationNotFoundError"
        || c == "OwnershipControlsNotFoundError"
        || c == "ObjectLockConfigurationNotFoundError"
        // SQS's unknown queues (its query and JSON protocols name them differently).
        || c == "AWS.SimpleQueueService.NonExistentQueue"
        || c == "QueueDoesNotExist"
    {
        ErrorKind::NotFound
    } else if c.ends_with(".Duplicate")
        || c.ends_with("AlreadyExists")
        || c.ends_with("AlreadyExistsException")
        || c == "EntityAlreadyExists"
        // A repeated attach or associate (Resource.AlreadyAssociated), a repeated ELBv2 create
        // (DuplicateListener, DuplicateTargetGroupName...).
        || c.ends_with("AlreadyAssociated")
        || c.starts_with("Duplicate")
    {
        ErrorKind::AlreadyExists
    } else if matches!(
        c,
        "Throttling"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "RateExceeded"
            | "TooManyRequestsException"
            | "RequestThrottled"
            | "SlowDown"
            | "PriorRequestNotComplete"
    ) {
        ErrorKind::Throttled
    } else if matches!(
        c,
        "InternalError"
            | "InternalFailure"
            | "ServiceUnavailable"
            | "Unavailable"
            | "RequestTimeout"
            | "RequestTimeoutException"
            | "InsufficientInstanceCapacity"
    ) || http_status.is_some_and(|s| s >= 500)
    {
        ErrorKind::Transient
    } else if c.starts_with("Invalid") || c.starts_with("Missing") || c == "ValidationError" {
        ErrorKind::Invalid
    } else {
        ErrorKind::Other
    }
}

/// Converts any SDK error into an [`ApiError`].
pub fn from_sdk<E, R>(err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("Unknown").to_string();
            let message = e.message().unwrap_or_default().to_string();
            ApiError::new(classify(&code, None), code, message)
        }
        SdkError::TimeoutError(_) => ApiError::new(
            ErrorKind::Transient,
            "RequestTimeout",
            "the request timed out",
        ),
        SdkError::DispatchFailure(d) if no_answer(d).is_some() => ApiError::new(
            ErrorKind::Transient,
            NO_ANSWER,
            no_answer(d).map(ToString::to_string).unwrap_or_default(),
        ),
        SdkError::DispatchFailure(d) => ApiError::new(
            ErrorKind::Transient,
            "ConnectionError",
            format!("could not reach AWS: {d:?}"),
        ),
        SdkError::ResponseError(r) => ApiError::new(
            ErrorKind::Transient,
            "ResponseError",
            format!("unreadable response: {r:?}"),
        ),
        _ => {
            let code = err.code().unwrap_or("Unknown").to_string();
            let message = err
                .message()
                .map(String::from)
                .unwrap_or_else(|| err.to_string());
            ApiError::new(classify(&code, None), code, message)
        }
    }
}

/// The [`NoAnswer`](super::retries::NoAnswer) behind a dispatch failure, if that is what it is.
fn no_answer(
    d: &aws_smithy_runtime_api::client::result::DispatchFailure,
) -> Option<&super::retries::NoAnswer> {
    let mut source: Option<&(dyn std::error::Error + 'static)> =
        std::error::Error::source(d.as_connector_error()?);
    while let Some(e) = source {
        if let Some(n) = e.downcast_ref::<super::retries::NoAnswer>() {
            return Some(n);
        }
        source = e.source();
    }
    None
}

/// Re-classifies an error as eventually consistent so that [`retry`] tries again: for
/// errors that mean "not visible yet" in one particular context (a NotFound for a group
/// that was created a moment ago).
pub fn eventually_consistent(mut e: ApiError) -> ApiError {
    e.kind = ErrorKind::EventuallyConsistent;
    e
}

/// How long [`retry`] keeps trying, and how it backs off.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 8,
            base: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// Delay before attempt `n` (1-based retry count): exponential, capped, with full jitter.
pub(crate) fn backoff(policy: &RetryPolicy, n: u32) -> Duration {
    let exp = policy
        .base
        .saturating_mul(1u32 << n.min(16))
        .min(policy.max_delay);
    // Full jitter from a cheap source; the exact distribution does not matter.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let frac = (nanos % 1000) as f64 / 1000.0;
    exp.mul_f64(0.5 + frac / 2.0)
}

/// Runs `call` until it succeeds, fails with an error other than
/// [`ErrorKind::EventuallyConsistent`], or the policy's attempts run out. The returned error
/// carries the number of retries made.
pub async fn retry<T, F, Fut>(policy: RetryPolicy, mut call: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut retries = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(mut e) if e.retryable() && retries + 1 < policy.max_attempts => {
                retries += 1;
                tokio::time::sleep(backoff(&policy, retries)).await;
                e.retries = retries;
            }
            Err(mut e) => {
                e.retries = retries;
                return Err(e);
            }
        }
    }
}

/// The first delay between polls of [`wait_until`].
const FIRST_POLL: Duration = Duration::from_millis(250);
/// [`wait_until`] waits this fraction of the time waited so far before polling again.
const POLL_FRACTION: u32 = 8;

/// The delay before the next poll, `elapsed` into a wait: an eighth of the time waited so
/// far, at least [`FIRST_POLL`] and at most `interval`. A wait thus ends at most an eighth
/// (plus one call) after the awaited state arrived — short waits end soon after — with a
/// number of calls that grows with the logarithm of the wait, until `interval` caps it.
fn poll_delay(elapsed: Duration, interval: Duration) -> Duration {
    (elapsed / POLL_FRACTION).max(FIRST_POLL).min(interval)
}

/// Polls `check` until it returns `Some`, failing with a `Timeout` error that names `what`
/// after `limit`. Polls come quickly at first, then less often, at most `interval` apart
/// (see [`poll_delay`]).
pub async fn wait_until<T, F, Fut>(
    what: &str,
    interval: Duration,
    limit: Duration,
    mut check: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if start.elapsed() >= limit {
            return Err(ApiError::new(
                ErrorKind::Timeout,
                "WaiterTimeout",
                format!("gave up waiting for {what} after {}s", limit.as_secs()),
            ));
        }
        tokio::time::sleep(poll_delay(start.elapsed(), interval)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_codes() {
        assert_eq!(classify("InvalidVpcID.NotFound", None), ErrorKind::NotFound);
        assert_eq!(
            classify("InvalidSubnetID.NotFound", None),
            ErrorKind::NotFound
        );
        assert_eq!(
            classify("InvalidPermission.Duplicate", None),
            ErrorKind::AlreadyExists
        );
        assert_eq!(
            classify("Resource.AlreadyAssociated", None),
            ErrorKind::AlreadyExists
        );
        assert_eq!(
            classify("DuplicateListener", None),
            ErrorKind::AlreadyExists
        );
        assert_eq!(classify("RequestLimitExceeded", None), ErrorKind::Throttled);
        assert_eq!(classify("RateExceeded", None), ErrorKind::Throttled);
        assert_eq!(classify("InternalError", None), ErrorKind::Transient);
        assert_eq!(classify("InvalidParameterValue", None), ErrorKind::Invalid);
        assert_eq!(classify("Weird", Some(503)), ErrorKind::Transient);
    }

    #[test]
    fn s3_says_not_found_in_words_of_its_own_and_a_missing_tag_set_is_not_one() {
        for code in [
            "NoSuchBucket",
            "NotFound",
            "NoSuchBucketPolicy",
            "NoSuchPublicAccessBlockConfiguration",
            "ServerSideEncryptionConfigurationNotFoundError",
            "OwnershipControlsNotFoundError",
            "NoSuchLifecycleConfiguration",
        ] {
            assert_eq!(classify(code, None), ErrorKind::NotFound, "{code}");
        }
        assert_eq!(classify("NoSuchTagSet", None), ErrorKind::Other);
        assert_eq!(
            classify("BucketAlreadyOwnedByYou", None),
            ErrorKind::Other,
            "a create of a bucket of ours: the create reports it"
        );
        assert_eq!(
            classify("BucketAlreadyExists", None),
            ErrorKind::AlreadyExists
        );
    }

    #[test]
    fn auto_scaling_says_not_found_with_a_validation_error() {
        let e = ApiError::new(
            ErrorKind::Invalid,
            "ValidationError",
            "AutoScalingGroup name not found - AutoScalingGroup 'web' not found",
        );
        assert!(e.is_not_found_or_unknown_name());
        let e = ApiError::new(
            ErrorKind::Invalid,
            "ValidationError",
            "Max bound must be >= 0",
        );
        assert!(!e.is_not_found_or_unknown_name());
    }

    #[tokio::test]
    async fn retry_repeats_eventually_consistent_errors_then_succeeds() {
        let mut calls = 0;
        let policy = RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        };
        let r: Result<u32> = retry(policy, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(eventually_consistent(ApiError::new(
                        ErrorKind::NotFound,
                        "InvalidVpcID.NotFound",
                        "not visible yet",
                    )))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(r, Ok(3));
    }

    #[tokio::test]
    async fn retry_leaves_throttling_and_server_errors_to_the_sdk() {
        for (kind, code) in [
            (ErrorKind::Throttled, "RequestLimitExceeded"),
            (ErrorKind::Transient, "InternalError"),
        ] {
            let mut calls = 0;
            let r: Result<()> = retry(RetryPolicy::default(), || {
                calls += 1;
                async move { Err(ApiError::new(kind, code, "the SDK gave up")) }
            })
            .await;
            assert_eq!(calls, 1, "{code}");
            assert_eq!(r.unwrap_err().code, code);
        }
    }

    #[tokio::test]
    async fn retry_gives_up_on_invalid_requests_at_once() {
        let mut calls = 0;
        let r: Result<()> = retry(RetryPolicy::default(), || {
            calls += 1;
            async {
                Err(ApiError::new(
                    ErrorKind::Invalid,
                    "InvalidParameterValue",
                    "bad",
                ))
            }
        })
        .await;
        assert_eq!(calls, 1);
        assert_eq!(r.unwrap_err().retries, 0);
    }

    #[test]
    fn polls_soon_then_in_proportion_to_the_wait_up_to_the_interval() {
        let ten = Duration::from_secs(10);
        assert_eq!(poll_delay(Duration::ZERO, ten), FIRST_POLL);
        assert_eq!(
            poll_delay(Duration::from_secs(4), ten),
            Duration::from_millis(500)
        );
        assert_eq!(poll_delay(Duration::from_secs(600), ten), ten);
        let short = Duration::from_millis(1);
        assert_eq!(poll_delay(Duration::from_secs(4), short), short);
    }

    #[tokio::test]
    async fn wait_until_times_out_with_a_clear_message() {
        let r: Result<()> = wait_until(
            "nat-1 to become available",
            Duration::from_millis(1),
            Duration::from_millis(5),
            || async { Ok(None) },
        )
        .await;
        let e = r.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout);
        assert!(e.message.contains("nat-1 to become available"));
    }
}
