//! `aws_key_pair`: an EC2 key pair imported from a public key (`ImportKeyPair`).
//!
//! As in the AWS provider, the id is the key's name (EC2 also gives it a `key-…` id, exposed
//! as `key_pair_id`, which is what tag calls take). Everything but the tags forces a new key.
//! AWS may hand the public key back reformatted, so `public_key` keeps the recorded value on
//! refresh (`local`); a changed configuration still replaces the key.

use std::collections::BTreeMap;

use crate::aws::adopt::{ec2_tag_map, read_judged};
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ec2::types::{KeyPairInfo, ResourceType as Ec2Type};

use super::{
    account_id, attr, create_call, ec2_arn, prefix_of_unique_name, read_created, unique_name,
    with_attrs,
};
use crate::aws::call::call;
use crate::aws::ec2::describe_ec2;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::resource_type::States;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct KeyPairType;

static DECLARATION: Declaration = Declaration::new("aws_key_pair", &SCHEMA, Adoption::NameAndTags)
    .generated_name("key_name", "key_name_prefix", "ecsform-");

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional_computed String: key_name.force_new() key_name_prefix.force_new();
        required String: public_key.force_new().local();
        computed String: fingerprint key_pair_id key_type;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

fn key_state(k: &KeyPairInfo, region: &str, account: &str) -> Option<(String, Value)> {
    let name = k.key_name()?.to_string();
    let tags = string_map(&from_ec2(k.tags()));
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            (
                "arn",
                Value::string(ec2_arn(region, account, "key-pair", &name)),
            ),
            ("key_name", Value::string(&name)),
            ("key_name_prefix", opt_str(prefix_of_unique_name(&name))),
            ("public_key", opt_str(k.public_key().map(str::trim))),
            ("fingerprint", opt_str(k.key_fingerprint())),
            ("key_pair_id", opt_str(k.key_pair_id())),
            ("key_type", opt_str(k.key_type().map(|t| t.as_str()))),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    );
    Some((name, state))
}

/// The name to create: `key_name`, else a unique name from `key_name_prefix` (or ecsform's).
fn key_name(planned: &Value) -> String {
    match (
        get_str(planned, "key_name"),
        get_str(planned, "key_name_prefix"),
    ) {
        (Some(n), _) => n.to_string(),
        (None, Some(p)) => unique_name(p),
        (None, None) => unique_name("ecsform-"),
    }
}

#[async_trait]
impl ResourceType for KeyPairType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "key_name") else {
            return Ok(Vec::new());
        };
        let found = describe_ec2::<KeyPairInfo>(clients, &[name.to_string()])
            .await?
            .iter()
            .filter_map(|k| Some((k.key_name()?.to_string(), ec2_tag_map(k.tags()))))
            .collect();
        read_judged(self, clients, owner, found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the key pair name"
    }

    /// AWS returns the public key, possibly reformatted (another comment, no comment): when
    /// its type and key material are the configuration's, the configuration's text is
    /// recorded, so the next plan does not replace the key over formatting. A different key
    /// stays as AWS has it and shows as a replacement.
    fn imported(&self, read: Value, config: &Value) -> Value {
        fn material(v: &Value) -> Option<Vec<&str>> {
            get_str(v, "public_key").map(|k| k.split_whitespace().take(2).collect())
        }
        match (material(&read), material(config)) {
            (Some(a), Some(b)) if a == b => {
                with_attrs(read, [("public_key", attr(config, "public_key"))])
            }
            _ => read,
        }
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let found: Vec<KeyPairInfo> = describe_ec2(clients, ids).await?;
        if found.is_empty() {
            return Ok(BTreeMap::new());
        }
        let account = account_id(clients).await?;
        Ok(found
            .iter()
            .filter_map(|k| key_state(k, &clients.region, &account))
            .filter(|(id, _)| ids.contains(id))
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = key_name(planned);
        let public_key = get_str(planned, "public_key").unwrap_or_default();
        let tags = creation_tags(planned, ctx.extra_tags);
        create_call("key pair to be imported", || async {
            ctx.clients
                .ec2
                .import_key_pair()
                .key_name(&name)
                .public_key_material(aws_smithy_types::Blob::new(public_key.as_bytes()))
                .tag_specifications(tag_spec(Ec2Type::KeyPair, &tags))
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let state = read_created(self, ctx.clients, &name).await?;
        Ok(with_attrs(
            state,
            [("public_key", attr(planned, "public_key"))],
        ))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let name = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        // Tag calls take the key pair id, not the name.
        let key_id = get_str(prior, "key_pair_id")
            .ok_or_else(|| ApiError::malformed("no key_pair_id in state"))?;
        if attr(prior, "tags_all") != attr(planned, "tags_all") {
            update_ec2_tags(ctx.clients, key_id, prior, planned).await?;
        }
        let state = read_created(self, ctx.clients, name).await?;
        Ok(with_attrs(
            state,
            [("public_key", attr(planned, "public_key"))],
        ))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(name) = get_str(prior, "id") else {
            return Ok(());
        };
        // DeleteKeyPair succeeds for names that do not exist.
        call(|| ctx.clients.ec2.delete_key_pair().key_name(name).send())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{KeyType, Tag};

    #[test]
    fn state_from_a_described_key() {
        let k = KeyPairInfo::builder()
            .key_name("deployer-20240101000000000012345678")
            .key_pair_id("key-1")
            .key_fingerprint("ab:cd")
            .key_type(KeyType::Rsa)
            .public_key("ssh-rsa AAAA deployer\n")
            .tags(Tag::builder().key("ecsform:lineage").value("x").build())
            .tags(Tag::builder().key("Name").value("deployer").build())
            .build();
        let (id, v) = key_state(&k, "eu-west-1", "123456789012").unwrap();
        assert_eq!(id, "deployer-20240101000000000012345678");
        let m = v.as_map().unwrap();
        assert_eq!(
            m["arn"],
            Value::string(
                "arn:aws:ec2:eu-west-1:123456789012:key-pair/deployer-20240101000000000012345678"
            )
        );
        assert_eq!(m["key_name_prefix"], Value::string("deployer-"));
        assert_eq!(m["public_key"], Value::string("ssh-rsa AAAA deployer"));
        assert_eq!(m["key_type"], Value::string("rsa"));
        assert_eq!(m["tags"], Value::map([("Name", Value::string("deployer"))]));
    }

    #[test]
    fn names_come_from_the_name_or_the_prefix() {
        let named = Value::map([("key_name", Value::string("deployer"))]);
        assert_eq!(key_name(&named), "deployer");
        let prefixed = Value::map([("key_name_prefix", Value::string("ci-"))]);
        let n = key_name(&prefixed);
        assert_eq!(prefix_of_unique_name(&n), Some("ci-"));
    }
}
