//! `aws_lb_listener_certificate` (and `aws_alb_listener_certificate`): an extra (SNI)
//! certificate of an HTTPS or TLS listener, besides its default one (the listener's own
//! `certificate_arn`).
//!
//! The id is the AWS provider's, `LISTENER_ARN_CERTIFICATE_ARN` (split at the first `_`:
//! listener ARNs have none), which is also the import ID. Both arguments force a new
//! attachment. Refresh lists each listener's certificates once (DescribeListenerCertificates,
//! all pages) for all the wanted ones of that listener — AWS has no call across listeners, so
//! one call per listener is the floor — leaving the default certificate out, as the provider
//! does. A certificate issued a moment ago may not be usable yet: adding it is retried while
//! AWS answers CertificateNotFound. moto counts the first certificate a listener was given as
//! its default, so an SNI certificate added to a listener created without one reads as the
//! default there (the conformance test uses an HTTPS listener, as AWS requires).

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::Certificate;

use super::{read_created, retry_while, split_import_id, VISIBILITY_LIMIT};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, Candidate, Declaration, Owner};
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, state_object};
use crate::provider::Schema;

pub struct LbListenerCertificateType;

static DECLARATION: Declaration =
    Declaration::new("aws_lb_listener_certificate", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: listener_arn.force_new() certificate_arn.force_new();
    ],
    blocks: &[],
};

fn id(listener: &str, certificate: &str) -> String {
    format!("{listener}_{certificate}")
}

/// The listener and certificate ARNs of an id.
fn parse_id(id: &str) -> Option<(&str, &str)> {
    id.split_once('_')
        .filter(|(l, c)| !l.is_empty() && !c.is_empty())
}

fn certificate_state(listener: &str, certificate: &str) -> Value {
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id(listener, certificate))),
            ("listener_arn", Value::string(listener)),
            ("certificate_arn", Value::string(certificate)),
        ],
    )
}

fn arguments(v: &Value) -> Result<(&str, &str)> {
    get_str(v, "listener_arn")
        .zip(get_str(v, "certificate_arn"))
        .ok_or_else(|| ApiError::malformed("listener_arn and certificate_arn are required"))
}

fn certificate(arn: &str) -> Certificate {
    Certificate::builder().certificate_arn(arn).build()
}

/// The ARNs of the listener's certificates other than its default (none if it is gone).
async fn extra_certificates(clients: &AwsClients, listener: &str) -> Result<BTreeSet<String>> {
    let listed = call(|| {
        clients
            .elbv2
            .describe_listener_certificates()
            .listener_arn(listener)
            .page_size(400)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .found()?;
    Ok(listed
        .unwrap_or_default()
        .iter()
        .filter(|c| c.is_default() != Some(true))
        .filter_map(|c| c.certificate_arn().map(String::from))
        .collect())
}

#[async_trait]
impl ResourceType for LbListenerCertificateType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = arguments(planned).ok().map(|(l, c)| id(l, c));
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`LISTENER_ARN_CERTIFICATE_ARN`, the two ARNs joined by `_`"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (listener, certificate) = split_import_id(id, '_', "LISTENER_ARN_CERTIFICATE_ARN")?;
        super::expect_prefix(listener, "arn:", "a listener ARN before the first \"_\"")?;
        super::expect_prefix(
            certificate,
            "arn:",
            "a certificate ARN after the first \"_\"",
        )?;
        Ok(id.to_string())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_listener: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (listener, certificate) in ids.iter().filter_map(|id| parse_id(id)) {
            by_listener.entry(listener).or_default().push(certificate);
        }
        let mut out = BTreeMap::new();
        for (listener, wanted) in by_listener {
            let live = extra_certificates(clients, listener).await?;
            for c in wanted.into_iter().filter(|c| live.contains(*c)) {
                out.insert(id(listener, c), certificate_state(listener, c));
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let (listener, cert) = arguments(planned)?;
        retry_while(
            &format!("certificate {cert} to be added to listener {listener}"),
            VISIBILITY_LIMIT,
            |e| e.code == "CertificateNotFound",
            || async {
                ctx.clients
                    .elbv2
                    .add_listener_certificates()
                    .listener_arn(listener)
                    .certificates(certificate(cert))
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await?;
        read_created(self, ctx.clients, &id(listener, cert)).await
    }

    async fn update(
        &self,
        _ctx: &CallContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value> {
        // Both arguments force a new attachment: nothing changes in place.
        Ok(planned.clone())
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let (listener, cert) = arguments(prior)?;
        // CertificateNotFound and ListenerNotFound: gone already.
        call(|| {
            ctx.clients
                .elbv2
                .remove_listener_certificates()
                .listener_arn(listener)
                .certificates(certificate(cert))
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
    fn ids_join_the_arns_with_an_underscore() {
        let l = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/a/b";
        let c = "arn:aws:acm:eu-west-1:1:certificate/0f-1";
        let id = id(l, c);
        assert_eq!(id, format!("{l}_{c}"));
        assert_eq!(parse_id(&id), Some((l, c)));
        assert_eq!(parse_id("nothing"), None);
        let s = certificate_state(l, c);
        assert_eq!(s.as_map().unwrap()["certificate_arn"], Value::string(c));
    }
}
