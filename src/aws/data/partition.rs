//! `data "aws_partition"`: the partition of the region in use (`aws`, `aws-cn`, `aws-us-gov`,
//! the isolated ones), with its DNS suffix and reverse DNS prefix. No AWS call: as the AWS
//! provider takes it from the SDK's endpoint metadata, it comes from the table below. The id
//! is the partition.

use async_trait::async_trait;

use crate::aws::error::Result;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::state_object;
use crate::provider::Schema;

pub struct Partition;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_partition", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id partition dns_suffix reverse_dns_prefix;
    ],
    blocks: &[],
};

/// The partitions of the AWS endpoint metadata: the region name's prefix, the partition, its
/// DNS suffix and reverse DNS prefix. Longer prefixes first (`us-isob-` before `us-iso-`).
static PARTITIONS: &[(&str, &str, &str, &str)] = &[
    ("us-gov-", "aws-us-gov", "amazonaws.com", "com.amazonaws"),
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov", "gov.ic.hci.csp"),
    ("us-iso-", "aws-iso", "c2s.ic.gov", "gov.ic.c2s"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk", "uk.adc-e.cloud"),
    ("eusc-", "aws-eusc", "amazonaws.eu", "eu.amazonaws"),
    ("cn-", "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"),
];

/// The partition of `region`: (partition, DNS suffix, reverse DNS prefix). A region of no
/// other partition is in `aws`, as the SDK's metadata says of unknown regions.
pub fn partition_of(region: &str) -> (&'static str, &'static str, &'static str) {
    PARTITIONS
        .iter()
        .find(|(prefix, ..)| region.starts_with(prefix))
        .map_or(("aws", "amazonaws.com", "com.amazonaws"), |(_, p, d, r)| {
            (*p, *d, *r)
        })
}

#[async_trait]
impl DataSource for Partition {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, _config: &Value) -> Result<Value> {
        let (partition, dns_suffix, reverse) = partition_of(&clients.region);
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(partition)),
                ("partition", Value::string(partition)),
                ("dns_suffix", Value::string(dns_suffix)),
                ("reverse_dns_prefix", Value::string(reverse)),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_in_their_partitions() {
        assert_eq!(
            partition_of("eu-west-1"),
            ("aws", "amazonaws.com", "com.amazonaws")
        );
        assert_eq!(partition_of("cn-north-1").0, "aws-cn");
        assert_eq!(partition_of("cn-northwest-1").1, "amazonaws.com.cn");
        assert_eq!(partition_of("us-gov-west-1").0, "aws-us-gov");
        assert_eq!(partition_of("us-iso-east-1").0, "aws-iso");
        assert_eq!(partition_of("us-isob-east-1").0, "aws-iso-b");
        assert_eq!(partition_of("us-isof-south-1").0, "aws-iso-f");
        assert_eq!(partition_of("eu-isoe-west-1").0, "aws-iso-e");
        assert_eq!(partition_of("eusc-de-east-1").0, "aws-eusc");
        assert_eq!(partition_of("us-east-1").0, "aws");
    }
}
