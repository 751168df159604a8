//! `data "aws_region"`: the region in use (or the one named), with its EC2 endpoint and
//! description.
//!
//! The endpoint comes from EC2 `DescribeRegions`, which also checks that a named region
//! exists; the description ("Europe (Ireland)") is not in any API response, so it comes
//! from the table below, as the AWS provider takes it from the SDK's endpoint metadata.

use async_trait::async_trait;

use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct Region;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_region", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        optional_computed String: name endpoint;
        computed String: description;
    ],
    blocks: &[],
};

/// Region descriptions, as in the AWS partition metadata.
static DESCRIPTIONS: &[(&str, &str)] = &[
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("sa-east-1", "South America (Sao Paulo)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
];

fn description(region: &str) -> Option<&'static str> {
    DESCRIPTIONS
        .iter()
        .find(|(name, _)| *name == region)
        .map(|(_, d)| *d)
}

#[async_trait]
impl DataSource for Region {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let name = get_str(config, "name").unwrap_or(&clients.region);
        let out = call(|| {
            clients
                .ec2
                .describe_regions()
                .all_regions(true)
                .region_names(name)
                .send()
        })
        .await?;
        let region = out
            .regions()
            .iter()
            .find(|r| r.region_name() == Some(name))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::NotFound,
                    "InvalidRegion.NotFound",
                    format!("no AWS region named \"{name}\""),
                )
            })?;
        let endpoint = region.endpoint();
        if let Some(want) = get_str(config, "endpoint") {
            if Some(want) != endpoint {
                return Err(ApiError::new(
                    ErrorKind::Invalid,
                    "InvalidParameterValue",
                    format!(
                        "region {name} has endpoint {}, not {want}",
                        endpoint.unwrap_or("(none)")
                    ),
                ));
            }
        }
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(name)),
                ("name", Value::string(name)),
                ("endpoint", opt_str(endpoint)),
                ("description", opt_str(description(name))),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_known_for_common_regions() {
        assert_eq!(description("eu-west-1"), Some("Europe (Ireland)"));
        assert_eq!(description("mars-north-1"), None);
        let mut names: Vec<_> = DESCRIPTIONS.iter().map(|(n, _)| n).collect();
        let sorted = names.clone();
        names.sort();
        assert_eq!(names, sorted, "keep the table sorted");
    }
}
