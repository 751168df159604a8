//! AWS access: clients built once from one `SdkConfig`, error classification and retries
//! ([`error`]), and the resource types and data sources ([`resources`], [`data`]).
//!
//! The endpoint comes from the SDK's own configuration (`AWS_ENDPOINT_URL`, or
//! `AWS_ENDPOINT_URL_EC2` and friends), so tests point ecsform at a local emulator without any
//! code path of its own.

pub mod data;
pub mod error;
pub mod resources;
pub mod tags;

use aws_config::{BehaviorVersion, Region};

/// The service clients, built once per run.
#[derive(Clone, Debug)]
pub struct AwsClients {
    pub ec2: aws_sdk_ec2::Client,
    pub sts: aws_sdk_sts::Client,
    /// The region in use (from the provider block, or the environment).
    pub region: String,
}

impl AwsClients {
    pub fn from_config(config: &aws_config::SdkConfig) -> AwsClients {
        AwsClients {
            ec2: aws_sdk_ec2::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
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
