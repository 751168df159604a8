//! `aws_acm_certificate_validation`: waits until an ACM certificate is issued. There is no
//! AWS object of its own: creating checks that `validation_record_fqdns` (when set) cover the
//! certificate's DNS validation records, then waits until ACM reports the certificate
//! ISSUED, up to `timeouts.create` (the provider's 75 minutes by default); deleting only
//! drops it from state. Both arguments force a new validation.
//!
//! The id is the provider's: the certificate's issue time as the provider prints it (Go's
//! `time.Time` format, `2026-12-07 17:30:00 +0000 UTC`; the zero time while ACM has none).
//! The provider cannot import it, nor can ecsform. Refresh keeps the recorded object and
//! calls nothing: its id is no handle on AWS, and what it is about, the certificate, is
//! read by the certificate's own refresh (a replaced certificate replaces the validation
//! through `certificate_arn`). moto issues a DNS-validated certificate
//! `MOTO_ACM_VALIDATION_WAIT` seconds after the request, whatever the records say.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_acm::types::{CertificateDetail, CertificateStatus, CertificateType};

use super::acm_certificate::describe;
use super::autoscaling_group::parse_duration;
use crate::aws::error::{wait_until, ApiError, ErrorKind, Result};
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::BlockSchema;
use crate::provider::values::{get_block, get_str, get_strings, state_object};
use crate::provider::{attrs, AttrSchema, Schema};

pub struct AcmCertificateValidationType;

static DECLARATION: Declaration = Declaration::new(
    "aws_acm_certificate_validation",
    &SCHEMA,
    Adoption::NotInAws,
);

static TIMEOUTS: &[AttrSchema] = attrs![optional String: create;];

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: certificate_arn.force_new();
        optional StringSet: validation_record_fqdns.force_new();
    ],
    blocks: &[BlockSchema::single("timeouts", TIMEOUTS).local()],
};

/// The provider's default create timeout.
const CREATE_TIMEOUT: Duration = Duration::from_secs(75 * 60);

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "ValidationError", message)
}

/// A time as Go's `time.Time.String()` prints a UTC time, the provider's id: fractional
/// seconds only where there are some, without trailing zeros.
fn go_time(t: Option<&aws_smithy_types::DateTime>) -> String {
    let Some(t) = t else {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    };
    let Some(at) = chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()) else {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    };
    let mut s = at.format("%Y-%m-%d %H:%M:%S").to_string();
    if t.subsec_nanos() > 0 {
        let frac = format!("{:09}", t.subsec_nanos());
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// The provider's check: every DNS validation record of the certificate is among `fqdns`
/// (final dots aside). Its errors, one line per missing record.
fn check_records(c: &CertificateDetail, fqdns: &[String]) -> Result<()> {
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    for d in c.domain_validation_options() {
        match d.validation_method() {
            Some(m) if m.as_str() != "DNS" => {
                return Err(invalid(format!(
                    "validation_record_fqdns is not valid for {} validation",
                    m.as_str()
                )))
            }
            _ => {}
        }
        if let Some(r) = d.resource_record() {
            let name = r.name().trim_end_matches('.');
            if !name.is_empty() {
                missing.insert(name.to_string(), d.domain_name().to_string());
            }
        }
    }
    let given: BTreeSet<&str> = fqdns.iter().map(|f| f.trim_end_matches('.')).collect();
    missing.retain(|name, _| !given.contains(name.as_str()));
    if missing.is_empty() {
        return Ok(());
    }
    Err(invalid(
        missing
            .iter()
            .map(|(fqdn, domain)| format!("missing {domain} DNS validation record: {fqdn}"))
            .collect::<Vec<_>>()
            .join("\n"),
    ))
}

/// How long creating waits: `timeouts.create`, or the provider's 75 minutes.
fn create_timeout(planned: &Value) -> Result<Duration> {
    match get_block(planned, "timeouts").and_then(|t| get_str(t, "create")) {
        None => Ok(CREATE_TIMEOUT),
        Some(s) => parse_duration(s)
            .ok_or_else(|| invalid(format!("timeouts.create: {s:?} is not a duration"))),
    }
}

#[async_trait]
impl ResourceType for AcmCertificateValidationType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn refreshes(&self) -> bool {
        false
    }

    async fn read_many(&self, _: &AwsClients, _: &[String]) -> Result<States> {
        Ok(BTreeMap::new())
    }

    async fn find_created(
        &self,
        _: &AwsClients,
        _: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        Ok(Vec::new())
    }

    fn importable(&self) -> bool {
        false
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = get_str(planned, "certificate_arn").unwrap_or_default();
        let reading = |e: ApiError| ApiError {
            message: format!("reading ACM Certificate ({arn}): {}", e.message),
            ..e
        };
        let certificate = describe(clients, arn)
            .await
            .map_err(reading)?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::NotFound,
                    "ResourceNotFoundException",
                    format!("reading ACM Certificate ({arn}): not found"),
                )
            })?;
        match certificate.r#type() {
            Some(CertificateType::AmazonIssued) => {}
            other => {
                return Err(invalid(format!(
                    "ACM Certificate ({arn}) has type {}, no validation necessary",
                    other.map_or("", |t| t.as_str())
                )))
            }
        }
        let fqdns = get_strings(planned, "validation_record_fqdns");
        if !fqdns.is_empty() {
            check_records(&certificate, &fqdns)?;
        }
        let limit = create_timeout(planned)?;
        wait_until(
            &format!("ACM Certificate ({arn}) to be issued"),
            Duration::from_secs(5),
            limit,
            || async {
                let c = describe(clients, arn).await?;
                match c.as_ref().and_then(|c| c.status()) {
                    Some(CertificateStatus::Issued) => Ok(Some(())),
                    Some(CertificateStatus::PendingValidation) => Ok(None),
                    status => Err(invalid(format!(
                        "waiting for ACM Certificate ({arn}) to be issued: unexpected state '{}'{}",
                        status.map_or("", |s| s.as_str()),
                        c.as_ref()
                            .and_then(|c| c.failure_reason())
                            .map(|r| format!(": {}", r.as_str()))
                            .unwrap_or_default()
                    ))),
                }
            },
        )
        .await?;
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::String(go_time(certificate.issued_at()))),
                ("certificate_arn", Value::string(arn)),
                (
                    "validation_record_fqdns",
                    super::attr(planned, "validation_record_fqdns"),
                ),
                ("timeouts", super::attr(planned, "timeouts")),
            ],
        ))
    }

    /// Only `timeouts` can change without a new validation: recorded as planned.
    async fn update(&self, _: &CallContext<'_>, _: &Value, planned: &Value) -> Result<Value> {
        Ok(planned.clone())
    }

    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_acm::types::{DomainValidation, RecordType, ResourceRecord, ValidationMethod};

    fn certificate(records: &[(&str, &str)]) -> CertificateDetail {
        let mut c = CertificateDetail::builder().r#type(CertificateType::AmazonIssued);
        for (domain, name) in records {
            c = c.domain_validation_options(
                DomainValidation::builder()
                    .domain_name(*domain)
                    .validation_method(ValidationMethod::Dns)
                    .resource_record(
                        ResourceRecord::builder()
                            .name(*name)
                            .r#type(RecordType::Cname)
                            .value("_v.acm-validations.aws.")
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            );
        }
        c.build()
    }

    #[test]
    fn fqdns_must_cover_every_validation_record() {
        let c = certificate(&[
            ("example.com", "_a.example.com."),
            ("www.example.com", "_b.www.example.com."),
        ]);
        let all = vec![
            "_a.example.com".to_string(),
            "_b.www.example.com.".to_string(),
        ];
        assert!(check_records(&c, &all).is_ok());
        let e = check_records(&c, &all[..1]).unwrap_err();
        assert_eq!(
            e.message,
            "missing www.example.com DNS validation record: _b.www.example.com"
        );
    }

    #[test]
    fn email_validated_certificates_take_no_fqdns() {
        let c = CertificateDetail::builder()
            .r#type(CertificateType::AmazonIssued)
            .domain_validation_options(
                DomainValidation::builder()
                    .domain_name("example.com")
                    .validation_method(ValidationMethod::Email)
                    .build()
                    .unwrap(),
            )
            .build();
        let e = check_records(&c, &["x.example.com".to_string()]).unwrap_err();
        assert_eq!(
            e.message,
            "validation_record_fqdns is not valid for EMAIL validation"
        );
    }

    #[test]
    fn ids_are_go_times() {
        use aws_smithy_types::DateTime;
        assert_eq!(
            go_time(Some(&DateTime::from_secs(1_796_664_600))),
            "2026-12-07 17:30:00 +0000 UTC"
        );
        assert_eq!(
            go_time(Some(&DateTime::from_millis(1_796_664_600_250))),
            "2026-12-07 17:30:00.25 +0000 UTC"
        );
        assert_eq!(go_time(None), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn create_timeouts_follow_the_block() {
        let v = |t: &str| Value::map([("timeouts", Value::map([("create", Value::string(t))]))]);
        assert_eq!(
            create_timeout(&Value::map([("timeouts", Value::Null)])).unwrap(),
            CREATE_TIMEOUT
        );
        assert_eq!(create_timeout(&v("10m")).unwrap(), Duration::from_secs(600));
        assert!(create_timeout(&v("soon")).is_err());
    }
}
