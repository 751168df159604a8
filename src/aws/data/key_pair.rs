//! `data "aws_key_pair"`: one EC2 key pair, found by `key_name`, `key_pair_id` and `filter`
//! blocks. No match, or several, is an error in the AWS provider's words. The public key is
//! reported only with `include_public_key = true`; as in the provider, `tags` is what AWS
//! reports, not a filter. The id is the key pair's id (`key-...`).

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, KeyPairInfo};

use super::{exactly_one, filter, filter_blocks, found, given, with_filter_blocks, FILTER_BLOCK};
use crate::aws::ec2::describe_matching;
use crate::aws::error::Result;
use crate::aws::iam::iso8601;
use crate::aws::resources::{account_id, ec2_arn};
use crate::aws::tags::from_ec2;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct KeyPairData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_key_pair", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: key_name key_pair_id;
        optional Bool: include_public_key.default(Default::Bool(false));
        computed String: id arn create_time fingerprint key_type public_key;
        computed StringMap: tags;
    ],
    blocks: &[FILTER_BLOCK],
};

/// The EC2 filters the configuration asks for (the name goes in `KeyNames`).
fn filters(config: &Value) -> Vec<Filter> {
    let mut out = filter_blocks(config);
    if let Some(id) = get_str(config, "key_pair_id") {
        out.push(filter("key-pair-id", id));
    }
    out
}

fn key_state(config: &Value, k: &KeyPairInfo, region: &str, account: &str) -> Value {
    let name = k.key_name().unwrap_or_default();
    let include = get_bool(config, "include_public_key").unwrap_or(false);
    let state = state_object(
        &SCHEMA,
        [
            ("key_name", Value::string(name)),
            ("key_pair_id", opt_str(k.key_pair_id())),
            given(config, "include_public_key"),
            ("id", opt_str(k.key_pair_id())),
            (
                "arn",
                Value::string(ec2_arn(region, account, "key-pair", name)),
            ),
            ("create_time", k.create_time().map_or(Value::Null, iso8601)),
            ("fingerprint", opt_str(k.key_fingerprint())),
            ("key_type", opt_str(k.key_type().map(|t| t.as_str()))),
            (
                "public_key",
                opt_str(k.public_key().filter(|_| include).map(str::trim)),
            ),
            ("tags", string_map(&from_ec2(k.tags()))),
        ],
    );
    with_filter_blocks(state, config)
}

#[async_trait]
impl DataSource for KeyPairData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let name = get_str(config, "key_name").map(|n| vec![n.to_string()]);
        let described = describe_matching(clients, name, filters(config)).await;
        let key: KeyPairInfo = exactly_one("EC2 Key Pair", found(described)?)?;
        let account = account_id(clients).await?;
        Ok(key_state(config, &key, &clients.region, &account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_key_only_when_asked_for() {
        let key = KeyPairInfo::builder()
            .key_name("deploy")
            .key_pair_id("key-1")
            .public_key("ssh-ed25519 AAAA\n")
            .create_time(aws_smithy_types::DateTime::from_secs(1_700_000_000))
            .build();
        let config = SCHEMA.conformed([("key_name", Value::string("deploy"))]);
        let s = key_state(&config, &key, "eu-west-1", "123456789012");
        let m = s.as_map().unwrap();
        assert_eq!(m["public_key"], Value::Null);
        assert_eq!(m["id"], Value::string("key-1"));
        assert_eq!(m["create_time"], Value::string("2023-11-14T22:13:20Z"));
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:key-pair/deploy")
        );
        let config = SCHEMA.conformed([
            ("key_name", Value::string("deploy")),
            ("include_public_key", Value::Bool(true)),
        ]);
        let s = key_state(&config, &key, "eu-west-1", "123456789012");
        assert_eq!(
            s.as_map().unwrap()["public_key"],
            Value::string("ssh-ed25519 AAAA")
        );
    }
}
