//! `aws_iam_access_key`: an access key of an IAM user.
//!
//! IAM returns the secret only once, in CreateAccessKey's response: `secret` (and the SES SMTP
//! password derived from it, `ses_smtp_password_v4`) are recorded then and kept by refresh
//! (`local`, sensitive). Only `status` changes in place (UpdateAccessKey). Refresh finds each
//! key's user with GetAccessKeyLastUsed, then lists the keys once per user (ListAccessKeys).
//! `pgp_key` (encrypting the secret for the state) is not supported: ecsform's state is a local
//! file with mode 0600, and the secret is masked in every output.

use std::collections::BTreeMap;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::{changed, read_created, retry_while, with_attrs};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::iam::{iam_eventually_consistent, iso8601, IAM_SETTLE_LIMIT};
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_str, state_object};
use crate::provider::Schema;

pub struct IamAccessKeyType;

static DECLARATION: Declaration = Declaration::new(
    "aws_iam_access_key",
    &SCHEMA,
    Adoption::Unfindable(UNFINDABLE),
);

/// Why a key created before a crash cannot be adopted.
const UNFINDABLE: &str = "cannot be found: AWS makes up the key id, keys carry no tags, and the \
    secret is shown only in the create response, so a key is useless without it";

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: user.force_new();
        optional String: status.default(Default::Str("Active"));
        computed String: secret.sensitive().local() ses_smtp_password_v4.sensitive().local();
        computed String: create_date;
    ],
    blocks: &[],
};

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut k = if key.len() > BLOCK {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(BLOCK, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// The SES SMTP password for a secret access key in `region` (AWS's documented SigV4
/// derivation, version byte 4).
pub fn ses_smtp_password_v4(secret: &str, region: &str) -> String {
    let mut sig = hmac_sha256(format!("AWS4{secret}").as_bytes(), b"11111111");
    for part in [region, "ses", "aws4_request", "SendRawEmail"] {
        sig = hmac_sha256(&sig, part.as_bytes());
    }
    let mut out = vec![0x04];
    out.extend(sig);
    base64::engine::general_purpose::STANDARD.encode(out)
}

fn key_state(id: &str, user: &str, status: &str, created: Value) -> Value {
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("user", Value::string(user)),
            ("status", Value::string(status)),
            ("create_date", created),
            ("secret", Value::Null.mark_sensitive(true)),
            ("ses_smtp_password_v4", Value::Null.mark_sensitive(true)),
        ],
    )
}

/// The user owning access key `id`, if the key exists.
async fn owner(clients: &AwsClients, id: &str) -> Result<Option<String>> {
    let r = call(|| {
        clients
            .iam
            .get_access_key_last_used()
            .access_key_id(id)
            .send()
    })
    .await;
    match r {
        Err(e) if e.is_not_found() || e.is_access_denied() => Ok(None),
        r => Ok(r?.user_name().map(String::from)),
    }
}

/// The keys of `user` as states, by id (none if the user is gone).
async fn user_keys(clients: &AwsClients, user: &str) -> Result<States> {
    let r = call(|| {
        clients
            .iam
            .list_access_keys()
            .user_name(user)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    let Some(keys) = r.found()? else {
        return Ok(BTreeMap::new());
    };
    Ok(keys
        .iter()
        .filter_map(|k| {
            let id = k.access_key_id()?;
            let status = k.status().map(|s| s.as_str()).unwrap_or("Active");
            let created = k.create_date().map(iso8601).unwrap_or(Value::Null);
            Some((id.to_string(), key_state(id, user, status, created)))
        })
        .collect())
}

async fn set_status(clients: &AwsClients, user: &str, id: &str, status: &str) -> Result<()> {
    call(|| {
        clients
            .iam
            .update_access_key()
            .user_name(user)
            .access_key_id(id)
            .status(status.into())
            .send()
    })
    .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for IamAccessKeyType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        _: &AwsClients,
        _: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        Ok(Vec::new())
    }

    fn import_id_format(&self) -> &'static str {
        "the access key id (`AKIA…`); the secret cannot be read back"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_user: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for id in ids {
            if let Some(user) = owner(clients, id).await? {
                by_user.entry(user).or_default().push(id);
            }
        }
        let mut out = BTreeMap::new();
        for (user, wanted) in by_user {
            let mut keys = user_keys(clients, &user).await?;
            for id in wanted {
                if let Some(k) = keys.remove(id) {
                    out.insert(id.clone(), k);
                }
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let user = get_str(planned, "user").unwrap_or_default();
        // The user may have been created a moment ago.
        let out = retry_while(
            &format!("an access key to be created for {user}"),
            IAM_SETTLE_LIMIT,
            iam_eventually_consistent,
            || async {
                clients
                    .iam
                    .create_access_key()
                    .user_name(user)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await?;
        let key = out
            .access_key()
            .ok_or_else(|| ApiError::malformed("CreateAccessKey returned no key"))?;
        let id = key.access_key_id().to_string();
        let secret = key.secret_access_key().to_string();
        if get_str(planned, "status") == Some("Inactive") {
            set_status(clients, user, &id, "Inactive").await?;
        }
        let state = read_created(self, clients, &id).await?;
        let smtp = ses_smtp_password_v4(&secret, &clients.region);
        Ok(with_attrs(
            state,
            [
                ("secret", Value::string(secret).mark_sensitive(true)),
                (
                    "ses_smtp_password_v4",
                    Value::string(smtp).mark_sensitive(true),
                ),
            ],
        ))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let user = get_str(prior, "user").unwrap_or_default();
        if changed(prior, planned, "status") {
            let status = get_str(planned, "status").unwrap_or("Active");
            set_status(ctx.clients, user, id, status).await?;
        }
        let state = read_created(self, ctx.clients, id).await?;
        let keep = |n: &'static str| (n, super::attr(prior, n));
        Ok(with_attrs(
            state,
            [keep("secret"), keep("ses_smtp_password_v4")],
        ))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let user = get_str(prior, "user").unwrap_or_default();
        call(|| {
            ctx.clients
                .iam
                .delete_access_key()
                .user_name(user)
                .access_key_id(id)
                .send()
        })
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn smtp_passwords_are_version_4_and_region_specific() {
        let a = ses_smtp_password_v4("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "eu-west-1");
        let b = ses_smtp_password_v4("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
        assert_ne!(a, b);
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&a)
            .unwrap();
        assert_eq!(raw.len(), 33);
        assert_eq!(raw[0], 4);
    }
}
