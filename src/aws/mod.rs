//! AWS access: clients built once from one `SdkConfig`, error classification and retries
//! ([`error`]), and the resource types and data sources ([`resources`], [`data`]).
//!
//! The endpoint comes from the SDK's own configuration (`AWS_ENDPOINT_URL`, or
//! `AWS_ENDPOINT_URL_EC2` and friends), so tests point ecsform at a local emulator without any
//! code path of its own.

pub mod adopt;
pub mod data;
pub mod ecs_api;
pub mod elbv2_tags;
pub mod error;
pub mod iam;
pub mod json_doc;
pub mod resources;
pub mod service_tags;
pub mod tags;

use aws_config::{BehaviorVersion, Region};

/// The service clients, built once per run.
#[derive(Clone, Debug)]
pub struct AwsClients {
    pub ec2: aws_sdk_ec2::Client,
    pub sts: aws_sdk_sts::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub iam: aws_sdk_iam::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub sns: aws_sdk_sns::Client,
    pub ssm: aws_sdk_ssm::Client,
    /// The region in use (from the provider block, or the environment).
    pub region: String,
}

impl AwsClients {
    pub fn from_config(config: &aws_config::SdkConfig) -> AwsClients {
        AwsClients {
            ec2: aws_sdk_ec2::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            autoscaling: aws_sdk_autoscaling::Client::new(config),
            ecs: aws_sdk_ecs::Client::new(config),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
            ssm: aws_sdk_ssm::Client::new(config),
            region: config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".into()),
        }
    }

    /// Loads the standard configuration (credential chain, `AWS_ENDPOINT_URL`...) with the
    /// region and profile of the `provider "aws"` block when it sets them.
    pub async fn load(region: Option<&str>, profile: Option<&str>) -> AwsClients {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(r) = region {
            loader = loader.region(Region::new(r.to_string()));
        }
        if let Some(p) = profile {
            loader = loader.profile_name(p);
        }
        AwsClients::from_config(&loader.load().await)
    }
}
