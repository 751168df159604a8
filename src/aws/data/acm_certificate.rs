//! `data "aws_acm_certificate"`: one ACM certificate, by `domain`, `tags` it must carry,
//! `statuses` (ISSUED unless given), `types`, `key_types` and `most_recent`, as the provider
//! looks it up: ListCertificates (all pages, filtered by status and key type), each candidate
//! described (and its tags read when `tags` is given), in the provider's words when nothing
//! or several match ("no ACM Certificate matching domain (DOMAIN)", "multiple ACM
//! Certificates matching input criteria"...). `most_recent` keeps the latest by `not_before`
//! (issued certificates) or creation time (others). The id is the certificate's ARN;
//! `certificate` and `certificate_chain` are read (GetCertificate) for an issued one.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_acm::types::{
    CertificateDetail, CertificateStatus, CertificateSummary, CertificateType, Filters,
    KeyAlgorithm,
};

use super::given;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::acm_certificate::{describe, tags_of};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{
    get_bool, get_str, get_string_map, get_strings, opt_str, state_object, string_map,
};
use crate::provider::Schema;

pub struct AcmCertificateData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_acm_certificate", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        optional_computed String: domain;
        optional StringSet: key_types;
        optional Bool: most_recent;
        optional StringList: statuses types;
        optional_computed StringMap: tags;
        computed String: id arn certificate certificate_chain status;
    ],
    blocks: &[],
};

fn no_match(message: String) -> ApiError {
    ApiError::new(ErrorKind::NotFound, "NoMatch", message)
}

fn several(message: String) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "MultipleMatches", message)
}

async fn list(clients: &AwsClients, config: &Value) -> Result<Vec<CertificateSummary>> {
    let statuses: Vec<CertificateStatus> = match get_strings(config, "statuses") {
        s if s.is_empty() => vec![CertificateStatus::Issued],
        s => s
            .iter()
            .map(|v| CertificateStatus::from(v.as_str()))
            .collect(),
    };
    let key_types: Vec<KeyAlgorithm> = get_strings(config, "key_types")
        .iter()
        .map(|k| KeyAlgorithm::from(k.as_str()))
        .collect();
    let includes =
        (!key_types.is_empty()).then(|| Filters::builder().set_key_types(Some(key_types)).build());
    call(|| {
        clients
            .acm
            .list_certificates()
            .set_certificate_statuses(Some(statuses.clone()))
            .set_includes(includes.clone())
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
}

/// The later of two candidates for `most_recent`, as the provider compares them.
fn more_recent(a: CertificateDetail, b: CertificateDetail) -> Result<CertificateDetail> {
    if a.status() != b.status() {
        return Err(several(
            "most_recent filtering on different ACM certificate statues is not supported".into(),
        ));
    }
    let key = |c: &CertificateDetail| {
        if c.status() == Some(&CertificateStatus::Issued) {
            c.not_before().map(|t| (t.secs(), t.subsec_nanos()))
        } else {
            c.created_at().map(|t| (t.secs(), t.subsec_nanos()))
        }
    };
    Ok(if key(&a) > key(&b) { a } else { b })
}

/// The one certificate of `matching`, `most_recent` choosing among several.
fn choose(matching: Vec<CertificateDetail>, most_recent: bool) -> Result<CertificateDetail> {
    let mut chosen: Option<CertificateDetail> = None;
    for c in matching {
        chosen = Some(match chosen {
            None => c,
            Some(prev) if most_recent => more_recent(c, prev)?,
            Some(_) => {
                return Err(several(
                    "multiple ACM Certificates matching input criteria".into(),
                ))
            }
        });
    }
    chosen.ok_or_else(|| no_match("no ACM Certificate found matching input criteria".into()))
}

#[async_trait]
impl DataSource for AcmCertificateData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let domain = get_str(config, "domain");
        let want_tags = get_string_map(config, "tags");
        let by_tags = !want_tags.is_empty();
        let most_recent = get_bool(config, "most_recent") == Some(true);
        let types: Vec<CertificateType> = get_strings(config, "types")
            .iter()
            .map(|t| CertificateType::from(t.as_str()))
            .collect();
        let arns: Vec<String> = list(clients, config)
            .await?
            .iter()
            .filter(|s| domain.is_none_or(|d| s.domain_name() == Some(d)))
            .filter_map(|s| s.certificate_arn().map(String::from))
            .collect();
        if let (Some(d), false) = (domain, by_tags) {
            if arns.is_empty() {
                return Err(no_match(format!(
                    "no ACM Certificate matching domain ({d})"
                )));
            }
            if !most_recent && types.is_empty() && arns.len() > 1 {
                return Err(several(format!(
                    "multiple ACM Certificates matching domain ({d})"
                )));
            }
        }
        let mut matching = Vec::new();
        let mut tags_by_arn: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for arn in arns {
            let Some(c) = describe(clients, &arn).await? else {
                continue;
            };
            if by_tags {
                let tags = tags_of(clients, &arn).await?;
                let contains = want_tags.iter().all(|(k, v)| tags.get(k) == Some(v));
                tags_by_arn.insert(arn.clone(), tags);
                if !contains {
                    continue;
                }
            }
            if !types.is_empty() && !c.r#type().is_some_and(|t| types.contains(t)) {
                continue;
            }
            matching.push(c);
        }
        let c = choose(matching, most_recent)?;
        let arn = c.certificate_arn().unwrap_or_default().to_string();
        let (certificate, chain) = if c.status() == Some(&CertificateStatus::Issued) {
            let out = call(|| clients.acm.get_certificate().certificate_arn(&arn).send()).await?;
            (opt_str(out.certificate()), opt_str(out.certificate_chain()))
        } else {
            (Value::Null, Value::Null)
        };
        let tags = match tags_by_arn.remove(&arn) {
            Some(t) => t,
            None => tags_of(clients, &arn).await?,
        };
        let tags: BTreeMap<String, String> = tags
            .into_iter()
            .filter(|(k, _)| !k.starts_with("aws:"))
            .collect();
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(&arn)),
                ("arn", Value::string(&arn)),
                ("domain", opt_str(c.domain_name())),
                ("status", opt_str(c.status().map(|s| s.as_str()))),
                ("certificate", certificate),
                ("certificate_chain", chain),
                ("tags", string_map(&tags)),
                given(config, "key_types"),
                given(config, "most_recent"),
                given(config, "statuses"),
                given(config, "types"),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::DateTime;

    fn cert(arn: &str, status: CertificateStatus, not_before: i64) -> CertificateDetail {
        CertificateDetail::builder()
            .certificate_arn(arn)
            .status(status)
            .not_before(DateTime::from_secs(not_before))
            .created_at(DateTime::from_secs(-not_before))
            .build()
    }

    #[test]
    fn most_recent_picks_the_latest_and_refuses_mixed_statuses() {
        let a = cert("a", CertificateStatus::Issued, 10);
        let b = cert("b", CertificateStatus::Issued, 20);
        let chosen = choose(vec![a.clone(), b.clone()], true).unwrap();
        assert_eq!(chosen.certificate_arn(), Some("b"));
        let e = choose(vec![a.clone(), b], false).unwrap_err();
        assert_eq!(
            e.message,
            "multiple ACM Certificates matching input criteria"
        );
        // Pending ones go by creation time.
        let p = cert("p", CertificateStatus::PendingValidation, 10);
        let q = cert("q", CertificateStatus::PendingValidation, 20);
        assert_eq!(
            choose(vec![p.clone(), q], true).unwrap().certificate_arn(),
            Some("p")
        );
        let e = choose(vec![a, p], true).unwrap_err();
        assert!(e.message.contains("different ACM certificate statues"));
        let e = choose(vec![], true).unwrap_err();
        assert_eq!(
            e.message,
            "no ACM Certificate found matching input criteria"
        );
    }
}
