//! Conformance of the ACM types against moto: `aws_acm_certificate` (DNS validation, SANs,
//! tags in place) through the conformance run, and `aws_acm_certificate_validation` in the
//! pattern every HTTPS configuration uses — a certificate, one Route 53 record per
//! `domain_validation_options` element by `for_each`, and the validation over their `fqdn`s —
//! planned with known instance keys before the certificate exists, applied, and planned again
//! with no changes. moto issues a certificate `MOTO_ACM_VALIDATION_WAIT` (3) seconds after
//! the request (tests/it/support/moto.rs).

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use ecsform::aws::resources::acm_certificate::AcmCertificateType;
use ecsform::aws::AwsClients;
use ecsform::lang::Value;
use support::conformance::{conformance_with_tags, Stage};
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

/// The tags ACM holds for a certificate, ecsform's own included.
fn certificate_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let arn = attr(state, "id").as_str().unwrap();
        let out = c
            .acm
            .list_tags_for_certificate()
            .certificate_arn(arn)
            .send()
            .await
            .expect("ListTagsForCertificate");
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().unwrap_or("").to_string()))
            .collect()
    })
}

#[tokio::test]
async fn aws_acm_certificate_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let config = |tags: &[(&str, &str)]| {
        Value::map([
            ("domain_name", s("conformance.example.com")),
            (
                "subject_alternative_names",
                Value::set(vec![s("*.conformance.example.com")]),
            ),
            ("validation_method", s("DNS")),
            ("tags", Value::map(tags.iter().map(|(k, v)| (*k, s(v))))),
        ])
    };
    conformance_with_tags(
        &AcmCertificateType,
        &c,
        certificate_tags,
        config(&[("Name", "cert")]),
        config(&[("Name", "cert"), ("Env", "test")]),
        |stage, state| {
            let arn = attr(state, "arn").as_str().unwrap();
            assert!(arn.starts_with("arn:aws:acm:"), "{arn}");
            assert_eq!(attr(state, "id").as_str(), Some(arn));
            assert_eq!(attr(state, "type").as_str(), Some("AMAZON_ISSUED"));
            assert_eq!(attr(state, "key_algorithm").as_str(), Some("RSA_2048"));
            if stage == Stage::Created {
                assert_eq!(attr(state, "status").as_str(), Some("PENDING_VALIDATION"));
            }
            // ACM adds the domain name to the SANs.
            let sans = attr(state, "subject_alternative_names").as_list().unwrap();
            assert_eq!(sans.len(), 2, "{state}");
            // One validation record per domain, the wildcard's the same as its base domain's.
            let dvo = attr(state, "domain_validation_options").as_list().unwrap();
            let by_domain: BTreeMap<&str, &Value> = dvo
                .iter()
                .map(|o| (attr(o, "domain_name").as_str().unwrap(), o))
                .collect();
            assert_eq!(
                by_domain.keys().copied().collect::<Vec<_>>(),
                ["*.conformance.example.com", "conformance.example.com"]
            );
            for o in by_domain.values() {
                assert_eq!(attr(o, "resource_record_type").as_str(), Some("CNAME"));
                let name = attr(o, "resource_record_name").as_str().unwrap();
                assert!(name.ends_with(".conformance.example.com."), "{name}");
            }
            assert!(attr(state, "not_after").as_str().unwrap().ends_with('Z'));
            let options = attr(state, "options").as_list().unwrap();
            assert_eq!(
                attr(&options[0], "certificate_transparency_logging_preference").as_str(),
                Some("ENABLED")
            );
        },
    )
    .await;
}

const PATTERN: &str = r#"
resource "aws_route53_zone" "this" {
  name = "https.example.com"
}

resource "aws_acm_certificate" "cert" {
  domain_name               = "https.example.com"
  subject_alternative_names = ["www.https.example.com"]
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = {
    for dvo in aws_acm_certificate.cert.domain_validation_options : dvo.domain_name => {
      name   = dvo.resource_record_name
      record = dvo.resource_record_value
      type   = dvo.resource_record_type
    }
  }
  allow_overwrite = true
  name            = each.value.name
  records         = [each.value.record]
  ttl             = 60
  type            = each.value.type
  zone_id         = aws_route53_zone.this.zone_id
}

resource "aws_acm_certificate_validation" "cert" {
  certificate_arn         = aws_acm_certificate.cert.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]

  timeouts {
    create = "2m"
  }
}

output "validated_arn" {
  value = aws_acm_certificate_validation.cert.certificate_arn
}
"#;

fn cli(root: &Path, command: &str, extra: &[&str]) -> support::Output {
    let out =
        tokio::task::block_in_place(|| support::run_in_env(root, command, extra, &moto().env()));
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

/// The whole DNS validation pattern: the plan knows the record instances' keys before the
/// certificate exists; apply creates the records and waits for the certificate; a second
/// plan has nothing to do; destroy removes it all (the validation only from state).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_acm_certificate_validation_conforms() {
    let _moto = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("main.tf"), PATTERN).unwrap();

    let out = cli(root, "plan", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for key in ["https.example.com", "www.https.example.com"] {
        assert!(
            out.stdout.contains(&format!(
                "aws_route53_record.validation[\"{key}\"] will be created"
            )),
            "{}",
            out.stdout
        );
    }
    assert!(
        out.stdout
            .contains("Plan: 5 to add, 0 to change, 0 to destroy."),
        "{}",
        out.stdout
    );

    let out = cli(root, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let c = clients().await;
    let certs = c.acm.list_certificates().send().await.unwrap();
    let summary = certs
        .certificate_summary_list()
        .iter()
        .find(|s| s.domain_name() == Some("https.example.com"))
        .expect("the certificate");
    let arn = summary.certificate_arn().unwrap();
    let described = c
        .acm
        .describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .unwrap();
    let cert = described.certificate().unwrap();
    assert_eq!(cert.status().map(|s| s.as_str()), Some("ISSUED"));
    // The records the validation asked for are in the zone.
    let zones = c.route53.list_hosted_zones().send().await.unwrap();
    let zone = zones
        .hosted_zones()
        .iter()
        .find(|z| z.name() == "https.example.com.")
        .unwrap();
    let sets = c
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(zone.id())
        .send()
        .await
        .unwrap();
    for d in cert.domain_validation_options() {
        let r = d.resource_record().unwrap();
        assert!(
            sets.resource_record_sets()
                .iter()
                .any(|s| s.name() == r.name() && s.r#type().as_str() == "CNAME"),
            "no record {} in {:?}",
            r.name(),
            sets.resource_record_sets()
        );
    }
    let out = cli(root, "output", &["-raw", "validated_arn"]);
    assert_eq!(out.stdout.trim(), arn);
    let out = cli(
        root,
        "state",
        &["show", "aws_acm_certificate_validation.cert"],
    );
    assert!(out.stdout.contains("+0000 UTC"), "{}", out.stdout);

    let out = cli(root, "plan", &["-detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);

    let out = cli(
        root,
        "import",
        &["aws_acm_certificate_validation.cert", "whatever"],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);

    let out = cli(root, "destroy", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let gone = c
        .acm
        .describe_certificate()
        .certificate_arn(arn)
        .send()
        .await;
    assert!(gone.is_err(), "the certificate is still there");
}

/// The provider's check: validation_record_fqdns that miss a validation record are an error
/// naming the domain and the record, before any wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_acm_certificate_validation_names_missing_records() {
    let _moto = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("main.tf"),
        r#"
resource "aws_acm_certificate" "cert" {
  domain_name       = "missing.example.com"
  validation_method = "DNS"
}

resource "aws_acm_certificate_validation" "cert" {
  certificate_arn         = aws_acm_certificate.cert.arn
  validation_record_fqdns = ["_wrong.missing.example.com"]
}
"#,
    )
    .unwrap();
    let out = cli(root, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("missing missing.example.com DNS validation record: _"),
        "{}",
        out.stderr
    );
    let out = cli(root, "destroy", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}
