//! `aws_secretsmanager_secret_version`: one version of a Secrets Manager secret, with its
//! value. Its id is the provider's `SECRET_ID|VERSION_ID` (the secret as `secret_id` names it,
//! usually its ARN), which is also its import ID.
//!
//! As in the AWS provider: create is one PutSecretValue with `secret_string` or
//! `secret_binary` (base64 in the configuration, bytes to AWS) and `version_stages`
//! (AWS attaches AWSCURRENT when none are given); `secret_id`, `secret_string` and
//! `secret_binary` force a new version; `version_stages` change in place with
//! UpdateSecretVersionStage (moving AWSCURRENT from the version that holds it, found with
//! ListSecretVersionIds; removing the others; AWSCURRENT is never removed, as AWS can only move
//! it). Delete removes the version's stages but AWSCURRENT: a version that holds AWSCURRENT stays
//! current, as the provider leaves it. Both values are sensitive. The write-only
//! `secret_string_wo` / `secret_string_wo_version` are not supported yet (refused where set).
//!
//! Read is GetSecretValue by secret and version, one call per version: AWS has no call that
//! returns chosen versions of several secrets (BatchGetSecretValue returns AWSCURRENT only), so
//! that is the floor. A version without stages (deprecated: AWS may drop it at any time), of
//! a secret scheduled for deletion, or not found, is gone.
//!
//! The ClientRequestToken AWS uses for idempotency becomes the version id: it is made once per
//! create and pinned into the planned `version_id` before the intent row is written
//! ([`ResourceType::pin_generated`]), so a resend reuses it (AWS then returns the same version),
//! and an interrupted create is found again by `secret_id` and that version id. moto serves
//! every call the type makes.

use std::collections::BTreeSet;

use async_trait::async_trait;
use base64::Engine as _;

use super::{changed, split_import_id, with_attrs};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::{wait_until, ApiError, ErrorKind, Result};
use crate::aws::resource_type::States;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::values::{get_str, get_strings, opt_str, state_object, string_set};
use crate::provider::{attrs, Schema};

pub struct SecretsmanagerSecretVersionType;

static DECLARATION: Declaration = Declaration::new(
    "aws_secretsmanager_secret_version",
    &SCHEMA,
    Adoption::Arguments,
);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn secret_arn version_id;
        required String: secret_id.force_new();
        optional String: secret_string.force_new().sensitive() secret_binary.force_new().sensitive();
        optional_computed StringSet: version_stages;
    ],
    blocks: &[],
};

/// The stage AWS can move to another version but never remove.
const CURRENT: &str = "AWSCURRENT";
/// The stage AWS gives the version AWSCURRENT moved from.
const PREVIOUS: &str = "AWSPREVIOUS";

/// How long a removed stage may still show on the version.
const DELETE_LIMIT: std::time::Duration = std::time::Duration::from_secs(2 * 60);

/// The provider's id: the secret as given, `|`, the version id.
fn version_key(secret_id: &str, version_id: &str) -> String {
    format!("{secret_id}|{version_id}")
}

fn parse_key(id: &str) -> Result<(&str, &str)> {
    split_import_id(id, '|', "SECRET_ID|VERSION_ID").map_err(|_| {
        ApiError::malformed(format!(
            "unexpected format of ID ({id}), expected SecretID|VersionID"
        ))
    })
}

/// True for the errors that say the secret is gone: not found, or deleted / scheduled for
/// deletion (an InvalidRequestException), as the provider reads them.
fn secret_gone(e: &ApiError) -> bool {
    e.is_not_found()
        || e.code == "InvalidRequestException"
            && (e.message.contains("deleted") || e.message.contains("marked for deletion"))
}

/// The version as GetSecretValue reads it, stages and all (`None` when it or its secret is
/// gone). `secret_id` is kept as the id gives it.
async fn read_version(clients: &AwsClients, id: &str) -> Result<Option<Value>> {
    let (secret_id, version_id) = parse_key(id)?;
    let out = match call(|| {
        clients
            .secretsmanager
            .get_secret_value()
            .secret_id(secret_id)
            .version_id(version_id)
            .send()
    })
    .await
    {
        Ok(out) => out,
        Err(e) if secret_gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let binary = out
        .secret_binary()
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b.as_ref()));
    let mut stages: Vec<&str> = out.version_stages().iter().map(String::as_str).collect();
    stages.sort_unstable();
    Ok(Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("arn", opt_str(out.arn())),
            ("secret_arn", opt_str(out.arn())),
            ("secret_id", Value::string(secret_id)),
            ("version_id", opt_str(out.version_id().or(Some(version_id)))),
            ("secret_string", secret(out.secret_string())),
            ("secret_binary", secret(binary)),
            ("version_stages", string_set(stages)),
        ],
    )))
}

/// A value the state keeps but no output shows (null stays plain null).
fn secret(v: Option<impl Into<String>>) -> Value {
    let present = v.is_some();
    opt_str(v).mark_sensitive(present)
}

fn stages_of(v: &Value) -> Vec<String> {
    get_strings(v, "version_stages")
}

/// The version that holds AWSCURRENT now, if any (ListSecretVersionIds, every page).
async fn current_version(clients: &AwsClients, secret_id: &str) -> Result<Option<String>> {
    let pages = call(|| {
        clients
            .secretsmanager
            .list_secret_version_ids()
            .secret_id(secret_id)
            .into_paginator()
            .send()
            .collect::<std::result::Result<Vec<_>, _>>()
    })
    .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.versions())
        .find(|v| v.version_stages().iter().any(|s| s == CURRENT))
        .and_then(|v| v.version_id().map(String::from)))
}

/// Takes staging label `stage` off the version.
async fn remove_stage(
    clients: &AwsClients,
    secret_id: &str,
    version_id: &str,
    stage: &str,
) -> Result<()> {
    call(|| {
        clients
            .secretsmanager
            .update_secret_version_stage()
            .secret_id(secret_id)
            .version_stage(stage)
            .remove_from_version_id(version_id)
            .send()
    })
    .await
    .map(|_| ())
}

/// The version's arguments checked as the provider's schema does before any call: at most one
/// value, and `secret_binary` in base64. Returns the binary decoded.
fn binary_value(planned: &Value) -> Result<Option<Vec<u8>>> {
    let invalid = |m: String| ApiError::new(ErrorKind::Invalid, "InvalidArguments", m);
    let binary = get_str(planned, "secret_binary");
    if binary.is_some() && get_str(planned, "secret_string").is_some() {
        return Err(invalid(
            "\"secret_binary\": conflicts with secret_string".into(),
        ));
    }
    binary
        .map(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| invalid(format!("\"secret_binary\": expected a base64 string ({e})")))
        })
        .transpose()
}

#[async_trait]
impl ResourceType for SecretsmanagerSecretVersionType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The ClientRequestToken of the create, made once: it becomes the version id, so the
    /// intent row records where the version will be.
    fn pin_generated(&self, planned: Value) -> Value {
        if get_str(&planned, "version_id").is_some() {
            return planned;
        }
        let token = uuid::Uuid::new_v4().to_string();
        with_attrs(planned, [("version_id", Value::string(token))])
    }

    /// The version the pinned token names, if it exists: only this create can have made it.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = get_str(planned, "secret_id")
            .zip(get_str(planned, "version_id"))
            .map(|(s, v)| version_key(s, v));
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`SECRET_ARN|VERSION_ID`"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        split_import_id(id, '|', "SECRET_ARN|VERSION_ID")?;
        Ok(id.to_string())
    }

    /// One GetSecretValue per version (the floor, see the module documentation).
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut out = States::new();
        for id in ids {
            if let Some(state) = read_version(clients, id).await? {
                if !stages_of(&state).is_empty() {
                    out.insert(id.clone(), state);
                }
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let secret_id =
            get_str(planned, "secret_id").ok_or_else(|| ApiError::malformed("no secret_id"))?;
        let token = get_str(planned, "version_id")
            .map(String::from)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let binary = binary_value(planned)?;
        let stages = stages_of(planned);
        let out = call(|| {
            clients
                .secretsmanager
                .put_secret_value()
                .secret_id(secret_id)
                .client_request_token(&token)
                .set_secret_string(get_str(planned, "secret_string").map(String::from))
                .set_secret_binary(binary.clone().map(aws_smithy_types::Blob::new))
                .set_version_stages((!stages.is_empty()).then(|| stages.clone()))
                .send()
        })
        .await?;
        let version_id = out.version_id().unwrap_or(&token);
        let id = version_key(secret_id, version_id);
        wait_until(
            &format!("Secrets Manager secret version {id} to become visible"),
            std::time::Duration::from_secs(1),
            std::time::Duration::from_secs(60),
            || read_version(clients, &id),
        )
        .await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let (secret_id, version_id) = parse_key(id)?;
        if changed(prior, planned, "version_stages") {
            let old: BTreeSet<String> = stages_of(prior).into_iter().collect();
            let new: BTreeSet<String> = stages_of(planned).into_iter().collect();
            let mut moved_current = false;
            for stage in new.difference(&old) {
                let remove_from = if stage == CURRENT && !moved_current {
                    moved_current = true;
                    current_version(clients, secret_id).await?
                } else {
                    None
                };
                call(|| {
                    clients
                        .secretsmanager
                        .update_secret_version_stage()
                        .secret_id(secret_id)
                        .version_stage(stage)
                        .move_to_version_id(version_id)
                        .set_remove_from_version_id(remove_from.clone())
                        .send()
                })
                .await?;
            }
            for stage in old.difference(&new) {
                // AWS can only move AWSCURRENT; and moving it here moved AWSPREVIOUS away.
                if stage == CURRENT || moved_current && stage == PREVIOUS {
                    continue;
                }
                remove_stage(clients, secret_id, version_id, stage).await?;
            }
        }
        read_version(clients, id).await?.ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "ResourceNotFoundException",
                format!("Secrets Manager secret version {id} disappeared during the update"),
            )
        })
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let (secret_id, version_id) = parse_key(id)?;
        // Only the recorded stages the version still holds: a second delete finds none.
        let Some(now) = read_version(clients, id).await? else {
            return Ok(());
        };
        let held = stages_of(&now);
        let removing: Vec<String> = stages_of(prior)
            .into_iter()
            .filter(|s| s != CURRENT && held.contains(s))
            .collect();
        for stage in &removing {
            match remove_stage(clients, secret_id, version_id, stage).await {
                Err(e) if secret_gone(&e) => return Ok(()),
                other => other?,
            }
        }
        wait_until(
            &format!("Secrets Manager secret version {id} to lose its stages"),
            std::time::Duration::from_secs(1),
            DELETE_LIMIT,
            || async {
                let left = read_version(clients, id).await?.map(|v| stages_of(&v));
                Ok(left
                    .is_none_or(|l| l.iter().all(|s| !removing.contains(s)))
                    .then_some(()))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_secret_and_the_version_joined_by_a_bar() {
        let arn = "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf";
        let id = version_key(arn, "v1");
        assert_eq!(parse_key(&id).unwrap(), (arn, "v1"));
        assert!(parse_key("no-bar").is_err());
        assert!(parse_key("|v1").is_err());
    }

    #[test]
    fn a_binary_value_is_base64_and_excludes_a_string() {
        let v =
            |pairs: &[(&str, &str)]| Value::map(pairs.iter().map(|(k, v)| (*k, Value::string(*v))));
        assert_eq!(
            binary_value(&v(&[("secret_binary", "AAEC")])).unwrap(),
            Some(vec![0, 1, 2])
        );
        let e = binary_value(&v(&[("secret_binary", "not base64!")])).unwrap_err();
        assert!(e.message.contains("base64"), "{e}");
        let e = binary_value(&v(&[("secret_binary", "AAEC"), ("secret_string", "s")])).unwrap_err();
        assert!(e.message.contains("conflicts with secret_string"), "{e}");
        assert_eq!(binary_value(&v(&[("secret_string", "s")])).unwrap(), None);
    }

    /// The token is made once: pinning a pinned value keeps it.
    #[test]
    fn the_client_request_token_is_pinned_as_the_version_id() {
        let t = SecretsmanagerSecretVersionType;
        let planned = Value::map([
            ("secret_id", Value::string("s")),
            ("version_id", Value::Unknown),
        ]);
        let pinned = t.pin_generated(planned);
        let token = get_str(&pinned, "version_id").unwrap().to_string();
        assert_eq!(token.len(), 36, "{token}");
        let again = t.pin_generated(pinned);
        assert_eq!(get_str(&again, "version_id"), Some(token.as_str()));
    }
}
