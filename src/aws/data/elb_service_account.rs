//! `data "aws_elb_service_account"`: the AWS account that Elastic Load Balancing writes access
//! logs from in a region (for an S3 bucket policy), from the AWS provider's table of the
//! regions that have one (AWS's "attach a policy to your bucket" page). No AWS call. Regions
//! opened since August 2022 have no such account (their buckets grant the
//! `logdelivery.elasticloadbalancing.amazonaws.com` service instead): for them, as for any
//! region not in the table, the read fails with the provider's "unsupported AWS Region".

use async_trait::async_trait;

use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::partition;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, state_object};
use crate::provider::Schema;

pub struct ElbServiceAccount;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_elb_service_account", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: region;
        computed String: id arn;
    ],
    blocks: &[],
};

/// The Elastic Load Balancing account of each region that has one.
static ACCOUNTS: &[(&str, &str)] = &[
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-southeast-3", "589379963580"),
    ("ca-central-1", "985666609251"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-gov-east-1", "190560391635"),
    ("us-gov-west-1", "048591011584"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
];

fn account_state(region: &str) -> Result<Value> {
    let Some((_, account)) = ACCOUNTS.iter().find(|(r, _)| *r == region) else {
        return Err(ApiError::new(
            ErrorKind::Invalid,
            "UnsupportedRegion",
            format!("unsupported AWS Region: {region}"),
        ));
    };
    Ok(state_object(
        &SCHEMA,
        [
            ("region", Value::string(region)),
            ("id", Value::string(*account)),
            (
                "arn",
                Value::string(format!("arn:{}:iam::{account}:root", partition(region))),
            ),
        ],
    ))
}

#[async_trait]
impl DataSource for ElbServiceAccount {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        account_state(get_str(config, "region").unwrap_or(&clients.region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_s_account_in_its_partition() {
        let s = account_state("cn-north-1").unwrap();
        let m = s.as_map().unwrap();
        assert_eq!(m["id"], Value::string("638102146993"));
        assert_eq!(m["arn"], Value::string("arn:aws-cn:iam::638102146993:root"));
        let gov = account_state("us-gov-west-1").unwrap();
        assert_eq!(
            gov.as_map().unwrap()["arn"],
            Value::string("arn:aws-us-gov:iam::048591011584:root")
        );
        let e = account_state("eu-south-2").unwrap_err();
        assert_eq!(e.message, "unsupported AWS Region: eu-south-2");
    }
}
