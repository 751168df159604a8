//! AWS access: clients built once from one `SdkConfig`, error classification ([`error`]), the
//! SDK's retry policy and the account of its retries ([`retries`]), sending one request with
//! ecsform's own retries ([`call`]), client-side rate limits ([`ratelimit`]); the boundary every
//! resource type and data source implements ([`resource_type`]: [`ResourceType`],
//! [`DataSource`]), the types themselves ([`resources`], [`data`], [`builtin`]) and the
//! registry that lists them ([`registry`]).
//!
//! The endpoint comes from the SDK's own configuration (`AWS_ENDPOINT_URL`, or
//! `AWS_ENDPOINT_URL_EC2` and friends), so tests point ecsform at a local emulator without any
//! code path of its own: the `ecsform` binary with its process environment, a command run
//! in-process with an environment given explicitly ([`AwsEnv`]).

pub mod adopt;
pub mod adoption;
pub mod builtin;
pub mod call;
pub mod data;
pub mod ec2;
pub mod ecs_api;
pub mod elbv2_reads;
pub mod elbv2_tags;
pub mod error;
pub mod generated;
pub mod iam;
pub mod json_doc;
pub mod local;
pub mod object_ids;
pub mod paged;
pub mod random;
pub mod ratelimit;
pub mod refresh_batch;
pub mod registry;
pub mod resource_type;
pub mod resources;
pub mod retries;
pub mod rollout;
pub mod route53;
pub mod s3;
pub mod service_tags;
pub mod tags;
pub mod tls;

pub use adoption::{Adoption, Candidate, Owner};
pub use registry::{
    data_source, data_source_names, named_resource_types, resource_type, resource_type_names,
    Registered, DATA_SOURCES, RESOURCE_TYPES,
};
pub use resource_type::{
    fill_local_from_config, CallContext, DataDeclaration, DataSource, Declaration, IdPrefix,
    ImportIdError, LocalRead, ResourceType, SettingError,
};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region};
use aws_smithy_runtime::client::identity::IdentityCache;

use ratelimit::{RateLimitedIdentityCache, RateLimiter, RateLimiterStats};
use retries::{ExtraThrottlingCodes, NoBlindRetries, RetryAccounting, RetryStats, RetrySummary};

/// The environment variables the clients are configured from: the SDK's (`AWS_ENDPOINT_URL`
/// and `AWS_ENDPOINT_URL_<SERVICE>`, credentials, region, profile...) and ecsform's
/// (`ECSFORM_RATE_LIMIT_SCALE`, and `AWS_MAX_ATTEMPTS` or `AWS_RETRY_MODE`: see [`retries`]).
#[derive(Clone, Debug, Default)]
pub enum AwsEnv {
    /// The process's environment, as the `ecsform` binary has it.
    #[default]
    Process,
    /// These variables and no others: for a caller that runs commands in-process, each with an
    /// environment of its own (the integration tests), where the process's environment is
    /// shared by every command at once.
    Vars(Arc<HashMap<String, String>>),
}

impl AwsEnv {
    /// An environment of exactly `vars` (a later value of a name wins).
    pub fn vars(vars: impl IntoIterator<Item = (String, String)>) -> AwsEnv {
        AwsEnv::Vars(Arc::new(vars.into_iter().collect()))
    }
}

/// The service clients, built once per run. Every call of every client waits for the
/// client-side rate limits and is retried by the policy of [`retries`]; clones share both.
#[derive(Clone, Debug)]
pub struct AwsClients {
    pub ec2: aws_sdk_ec2::Client,
    pub sts: aws_sdk_sts::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    /// Application Auto Scaling (scalable targets and policies of ECS services and others).
    pub appautoscaling: aws_sdk_applicationautoscaling::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub iam: aws_sdk_iam::Client,
    pub kms: aws_sdk_kms::Client,
    /// Lambda (functions and their permissions).
    pub lambda: aws_sdk_lambda::Client,
    /// CloudWatch (metric alarms).
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub sns: aws_sdk_sns::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub secretsmanager: aws_sdk_secretsmanager::Client,
    pub ssm: aws_sdk_ssm::Client,
    /// The Resource Groups Tagging API (refresh reads the tags of some types through it).
    pub tagging: aws_sdk_resourcegroupstagging::Client,
    pub route53: aws_sdk_route53::Client,
    pub acm: aws_sdk_acm::Client,
    /// S3 (buckets and their configurations; the S3 state backend reads and writes with it).
    pub s3: aws_sdk_s3::Client,
    /// EFS (file systems, mount targets, access points).
    pub efs: aws_sdk_efs::Client,
    /// Cloud Map (service discovery namespaces and services).
    pub servicediscovery: aws_sdk_servicediscovery::Client,
    /// The region in use (from the provider block, or the environment).
    pub region: String,
    /// The provider block's `default_tags`, as `data "aws_default_tags"` reads them.
    pub default_tags: BTreeMap<String, String>,
    /// The working directory (after `-chdir`), where the relative paths of the types whose
    /// objects are files on this machine ([`local`]) resolve, as Terraform's providers resolve
    /// them against theirs.
    pub working_dir: std::path::PathBuf,
    limiter: RateLimiter,
    retries: RetryStats,
}

/// Builds one service's client from the shared config with ecsform's rate limiter, retry
/// policy and retry accounting.
macro_rules! client {
    ($sdk:ident, $config:expr, $hooks:expr) => {{
        let hooks: &ClientHooks = $hooks;
        let mut builder = $sdk::config::Builder::from($config)
            .identity_cache(hooks.identity_cache.clone())
            .interceptor(hooks.accounting.clone())
            .interceptor(NoBlindRetries)
            .retry_classifier(ExtraThrottlingCodes)
            .retry_partition(retries::retry_partition(stringify!($sdk)));
        if let Some(r) = &hooks.retry_config {
            builder = builder.retry_config(r.clone());
        }
        $sdk::Client::from_conf(builder.build())
    }};
}

/// What every client gets besides the shared `SdkConfig`.
struct ClientHooks {
    identity_cache: aws_smithy_runtime_api::client::identity::SharedIdentityCache,
    accounting: RetryAccounting,
    retry_config: Option<aws_smithy_types::retry::RetryConfig>,
}

impl AwsClients {
    /// Clients for `config`, rate-limited as `ECSFORM_RATE_LIMIT_SCALE` says (AWS's published
    /// limits when unset).
    pub fn from_config(config: &aws_config::SdkConfig) -> AwsClients {
        AwsClients::with_rate_limiter(config, RateLimiter::from_env())
    }

    /// Clients for `config` whose calls wait for tokens of `limiter`.
    pub fn with_rate_limiter(config: &aws_config::SdkConfig, limiter: RateLimiter) -> AwsClients {
        AwsClients::build(config, limiter, retries::retry_config())
    }

    /// Clients for `config` with `limiter` and, unless `None` (then the SDK's reading of the
    /// environment), `retry_config`.
    fn build(
        config: &aws_config::SdkConfig,
        limiter: RateLimiter,
        retry_config: Option<aws_smithy_types::retry::RetryConfig>,
    ) -> AwsClients {
        let retries = RetryStats::default();
        let inner_cache = config
            .identity_cache()
            .unwrap_or_else(|| IdentityCache::lazy().build());
        let hooks = ClientHooks {
            identity_cache: aws_smithy_runtime_api::client::identity::SharedIdentityCache::new(
                RateLimitedIdentityCache::new(limiter.clone(), inner_cache),
            ),
            accounting: RetryAccounting::new(retries.clone()),
            retry_config,
        };
        AwsClients {
            ec2: client!(aws_sdk_ec2, config, &hooks),
            sts: client!(aws_sdk_sts, config, &hooks),
            autoscaling: client!(aws_sdk_autoscaling, config, &hooks),
            appautoscaling: client!(aws_sdk_applicationautoscaling, config, &hooks),
            ecr: client!(aws_sdk_ecr, config, &hooks),
            ecs: client!(aws_sdk_ecs, config, &hooks),
            elbv2: client!(aws_sdk_elasticloadbalancingv2, config, &hooks),
            events: client!(aws_sdk_eventbridge, config, &hooks),
            iam: client!(aws_sdk_iam, config, &hooks),
            kms: client!(aws_sdk_kms, config, &hooks),
            lambda: client!(aws_sdk_lambda, config, &hooks),
            cloudwatch: client!(aws_sdk_cloudwatch, config, &hooks),
            logs: client!(aws_sdk_cloudwatchlogs, config, &hooks),
            sns: client!(aws_sdk_sns, config, &hooks),
            sqs: client!(aws_sdk_sqs, config, &hooks),
            secretsmanager: client!(aws_sdk_secretsmanager, config, &hooks),
            ssm: client!(aws_sdk_ssm, config, &hooks),
            tagging: client!(aws_sdk_resourcegroupstagging, config, &hooks),
            route53: client!(aws_sdk_route53, config, &hooks),
            acm: client!(aws_sdk_acm, config, &hooks),
            s3: client!(aws_sdk_s3, config, &hooks),
            efs: client!(aws_sdk_efs, config, &hooks),
            servicediscovery: client!(aws_sdk_servicediscovery, config, &hooks),
            region: config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".into()),
            default_tags: BTreeMap::new(),
            working_dir: std::path::PathBuf::from("."),
            limiter,
            retries,
        }
    }

    /// These clients for a provider block with `default_tags`.
    pub fn with_default_tags(mut self, default_tags: BTreeMap<String, String>) -> AwsClients {
        self.default_tags = default_tags;
        self
    }

    /// These clients for a run in `dir` (see [`AwsClients::working_dir`]).
    pub fn with_working_dir(mut self, dir: impl Into<std::path::PathBuf>) -> AwsClients {
        self.working_dir = dir.into();
        self
    }

    /// The retries the SDK has made for these clients so far, by cause and error code.
    pub fn retry_stats(&self) -> RetrySummary {
        self.retries.summary()
    }

    /// Counts a create that apply sends again after it got no answer and its object was not
    /// found (see `NoBlindRetries`): a retry like the SDK's own, of a timeout or connection
    /// error, reported with them.
    pub fn count_resent_create(&self, resource_type: &str) {
        self.retries.record(retries::RetryKind {
            cause: retries::RetryCause::Transient,
            service: resource_type.to_string(),
            code: Some(crate::aws::error::NO_ANSWER.to_string()),
        });
    }

    /// What the client-side rate limiter has done so far.
    pub fn rate_limiter_stats(&self) -> RateLimiterStats {
        self.limiter.stats()
    }

    /// Loads the standard configuration (credential chain, `AWS_ENDPOINT_URL`...) from `env`
    /// with the region and profile of the `provider "aws"` block when it sets them.
    pub async fn load(region: Option<&str>, profile: Option<&str>, env: &AwsEnv) -> AwsClients {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let AwsEnv::Vars(vars) = env {
            loader = loader.env(aws_types::os_shim_internal::Env::from(HashMap::clone(vars)));
        }
        if let Some(r) = region {
            loader = loader.region(Region::new(r.to_string()));
        }
        if let Some(p) = profile {
            loader = loader.profile_name(p);
        }
        let config = loader.load().await;
        match env {
            AwsEnv::Process => AwsClients::from_config(&config),
            AwsEnv::Vars(vars) => AwsClients::build(
                &config,
                RateLimiter::from_setting(vars.get(ratelimit::SCALE_ENV).map(String::as_str)),
                retries::retry_config_where(|name| vars.get(name).is_some_and(|v| !v.is_empty())),
            ),
        }
    }
}
