//! `aws_acm_certificate`: a certificate requested from ACM (RequestCertificate), validated by
//! DNS or email.
//!
//! The id is the certificate's ARN, which is also the import ID. `domain_name`,
//! `subject_alternative_names`, `validation_method`, `key_algorithm` and `validation_option`
//! force a new certificate; `options` (UpdateCertificateOptions) and the tags change in place.
//! As in the provider, ACM adds `domain_name` to the SANs, so the planned SANs include it;
//! and a new DNS-validated certificate plans `domain_validation_options` with one element per
//! domain name (the name known, the records unknown until ACM assigns them), so that the
//! usual `for_each` over it plans its Route 53 records with known keys
//! ([`ResourceType::plan_new`]). Creating waits (up to 5 minutes, the provider's limit) until
//! ACM has assigned the validation records; it does not wait for the certificate to be
//! issued (that is `aws_acm_certificate_validation`'s job).
//!
//! Refresh reads each certificate with DescribeCertificate: ACM has no call that describes
//! several (ListCertificates returns summaries without validation records), so one call per
//! certificate is the floor. A certificate whose validation timed out reads as gone, as in
//! the provider. Tags come from the Resource Groups Tagging API's GetResources, one call
//! shared with the other types whose tags come from there; a certificate missing there, and
//! every other read, takes one ListTagsForCertificate. A certificate created before a crash is
//! found by its ecsform tags through GetResources.
//!
//! Not supported yet (refused where set): importing a certificate (`certificate_body`,
//! `private_key`, `certificate_chain`, `private_key_wo`...), a private CA's certificates
//! (`certificate_authority_arn`) and `early_renewal_duration`; `renewal_summary` is not read.
//! moto ignores `key_algorithm` (every certificate is RSA_2048), `validation_option` and
//! `validation_method` (it always answers DNS validation records), and has no
//! UpdateCertificateOptions: the options update is covered by a unit test of its request.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
// The SDK deprecates the transparency logging preference (AWS no longer lets public
// certificates opt out); the provider's schema still has it, so it is still sent and read.
#[allow(deprecated)]
use aws_sdk_acm::types::CertificateTransparencyLoggingPreference;
use aws_sdk_acm::types::{
    CertificateDetail, CertificateExport, CertificateOptions, CertificateStatus, CertificateType,
    DomainStatus, DomainValidationOption, KeyAlgorithm, Tag, ValidationMethod,
};

use super::{changed, read_created, recorded_id, retry_while, with_attrs};
use crate::aws::adopt::{read_judged, tagged_through_getresources};
use crate::aws::call::call;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::refresh_batch::{RefreshBatch, TagsByArn};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::{BlockSchema, Default};
use crate::provider::values::{
    block_object, get_blocks, get_str, get_strings, opt_str, state_object, string_set, strings,
};
use crate::provider::{attrs, AttrSchema, Schema};

pub struct AcmCertificateType;

static DECLARATION: Declaration = Declaration::new("aws_acm_certificate", &SCHEMA, Adoption::Tags);

static OPTIONS: &[AttrSchema] = attrs![
    optional String: certificate_transparency_logging_preference.default(Default::Str("ENABLED"));
    optional_computed String: export;
];

static VALIDATION_OPTION: &[AttrSchema] = attrs![
    required String: domain_name.force_new() validation_domain.force_new();
];

static DOMAIN_VALIDATION: &[AttrSchema] = attrs![
    computed String: domain_name resource_record_name resource_record_type resource_record_value;
];

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn status type not_after not_before renewal_eligibility;
        computed Bool: pending_renewal;
        computed StringList: validation_emails;
        required String: domain_name.force_new() validation_method.force_new();
        optional_computed String: key_algorithm.force_new();
        optional_computed StringSet: subject_alternative_names.force_new();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("options", OPTIONS)
            .max_items(1)
            .computed(),
        BlockSchema::set("validation_option", VALIDATION_OPTION)
            .force_new()
            .local(),
        BlockSchema::set("domain_validation_options", DOMAIN_VALIDATION).computed(),
    ],
};

/// The `service:type` of ACM certificates in the Resource Groups Tagging API.
pub const TAGGING_TYPE: &str = "acm:certificate";

/// How long creating waits for ACM to assign the validation records (the provider's).
const ASSIGNMENT_LIMIT: Duration = Duration::from_secs(5 * 60);

/// How long deleting retries while the certificate is still in use by a service that is
/// letting it go (the provider's cross-service propagation limit).
const IN_USE_LIMIT: Duration = Duration::from_secs(20 * 60);

/// A timestamp as the provider records `not_after`/`not_before` (RFC 3339, in seconds).
fn rfc3339(t: Option<&aws_smithy_types::DateTime>) -> Value {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), 0))
        .map(|t| Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
        .unwrap_or(Value::Null)
}

/// ACM's key algorithm as the provider records it: DescribeCertificate says `RSA-2048`
/// where the request takes `RSA_2048`.
fn key_algorithm(k: &KeyAlgorithm) -> String {
    k.as_str().replace('-', "_")
}

/// The validation method as the provider reads it: the first domain's, for a certificate
/// ACM issues; `NONE` otherwise.
fn validation_method(c: &CertificateDetail) -> &str {
    match (c.r#type(), c.domain_validation_options().first()) {
        (Some(CertificateType::AmazonIssued), Some(d)) => {
            d.validation_method().map_or("NONE", |m| m.as_str())
        }
        _ => "NONE",
    }
}

/// `domain_validation_options` and `validation_emails` of a certificate, as the provider
/// flattens them: a domain appears once ACM has assigned its DNS record.
fn domain_validations(c: &CertificateDetail) -> (Value, Value) {
    let mut options = Vec::new();
    let mut emails = Vec::new();
    for d in c.domain_validation_options() {
        if let Some(r) = d.resource_record() {
            options.push(block_object(
                DOMAIN_VALIDATION,
                [
                    ("domain_name", Value::string(d.domain_name())),
                    ("resource_record_name", Value::string(r.name())),
                    ("resource_record_type", Value::string(r.r#type().as_str())),
                    ("resource_record_value", Value::string(r.value())),
                ],
            ));
        }
        emails.extend(d.validation_emails().iter().cloned());
    }
    (Value::set(options), strings(emails))
}

#[allow(deprecated)]
fn options_block(o: &CertificateOptions) -> Value {
    block_object(
        OPTIONS,
        [
            (
                "certificate_transparency_logging_preference",
                opt_str(
                    o.certificate_transparency_logging_preference()
                        .map(|p| p.as_str()),
                ),
            ),
            ("export", opt_str(o.export().map(|e| e.as_str()))),
        ],
    )
}

/// The certificate's state from DescribeCertificate's answer and its tags.
fn certificate_state(c: &CertificateDetail, tags: BTreeMap<String, String>) -> Value {
    let (dvo, emails) = domain_validations(c);
    let [tags, tags_all] = read_tags(tags);
    let arn = c.certificate_arn().unwrap_or_default();
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("domain_name", opt_str(c.domain_name())),
            (
                "subject_alternative_names",
                string_set(c.subject_alternative_names().iter().cloned()),
            ),
            ("validation_method", Value::string(validation_method(c))),
            (
                "key_algorithm",
                opt_str(c.key_algorithm().map(key_algorithm)),
            ),
            ("status", opt_str(c.status().map(|s| s.as_str()))),
            ("type", opt_str(c.r#type().map(|t| t.as_str()))),
            ("not_after", rfc3339(c.not_after())),
            ("not_before", rfc3339(c.not_before())),
            (
                "renewal_eligibility",
                opt_str(c.renewal_eligibility().map(|r| r.as_str())),
            ),
            // Without `early_renewal_duration` (not supported yet) nothing is pending.
            ("pending_renewal", Value::Bool(false)),
            ("validation_emails", emails),
            ("domain_validation_options", dvo),
            (
                "options",
                Value::List(c.options().map(options_block).into_iter().collect()),
            ),
            tags,
            tags_all,
        ],
    )
}

/// DescribeCertificate's answer for `arn`; `None` when it is gone.
pub async fn describe(clients: &AwsClients, arn: &str) -> Result<Option<CertificateDetail>> {
    let out = clients
        .acm
        .describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .map_err(from_sdk)
        .found()?;
    Ok(out.and_then(|o| o.certificate))
}

/// The certificate's tags (ListTagsForCertificate), ecsform's own included.
pub async fn tags_of(clients: &AwsClients, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = call(|| {
        clients
            .acm
            .list_tags_for_certificate()
            .certificate_arn(arn)
            .send()
    })
    .await?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().unwrap_or("").to_string()))
        .collect())
}

/// Certificate `arn` with its tags (`tags` when known, else read); `None` when it is gone or
/// its validation timed out (the provider's "not found").
async fn get_certificate(
    clients: AwsClients,
    arn: String,
    tags: Option<BTreeMap<String, String>>,
) -> Result<Option<Value>> {
    let Some(c) = describe(&clients, &arn).await? else {
        return Ok(None);
    };
    if c.status() == Some(&CertificateStatus::ValidationTimedOut) {
        return Ok(None);
    }
    let tags = match tags {
        Some(t) => t,
        None => tags_of(&clients, &arn).await?,
    };
    Ok(Some(certificate_state(&c, tags)))
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// The `options` block as ACM takes it, if the configuration has one.
#[allow(deprecated)]
fn options_of(planned: &Value) -> Option<CertificateOptions> {
    let block = get_blocks(planned, "options").into_iter().next()?;
    Some(
        CertificateOptions::builder()
            .set_certificate_transparency_logging_preference(
                get_str(&block, "certificate_transparency_logging_preference")
                    .map(CertificateTransparencyLoggingPreference::from),
            )
            .set_export(get_str(&block, "export").map(CertificateExport::from))
            .build(),
    )
}

/// The `validation_option` blocks as ACM takes them.
fn validation_options_of(planned: &Value) -> Option<Vec<DomainValidationOption>> {
    let options: Vec<DomainValidationOption> = get_blocks(planned, "validation_option")
        .iter()
        .filter_map(|b| {
            DomainValidationOption::builder()
                .domain_name(get_str(b, "domain_name")?)
                .validation_domain(get_str(b, "validation_domain")?)
                .build()
                .ok()
        })
        .collect();
    (!options.is_empty()).then_some(options)
}

/// Whether ACM has assigned the validation records (or emails) a new certificate needs, the
/// provider's condition for a create to be done.
fn validations_available(c: &CertificateDetail) -> bool {
    match c.r#type() {
        Some(CertificateType::AmazonIssued) => c.domain_validation_options().iter().any(|d| {
            d.resource_record().is_some()
                || !d.validation_emails().is_empty()
                || d.validation_status() == Some(&DomainStatus::Success)
        }),
        Some(CertificateType::Private) => c.status() != Some(&CertificateStatus::PendingValidation),
        _ => true,
    }
}

/// The distinct domain names of a certificate: `domain_name`, then each SAN.
fn domains(domain_name: &str, sans: &[String]) -> Vec<String> {
    let mut out = vec![domain_name.to_string()];
    for s in sans {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

#[async_trait]
impl ResourceType for AcmCertificateType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// ACM adds `domain_name` to the SANs; a configuration's SANs are compared with it added,
    /// as the provider plans them.
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let (Some(Value::String(domain)), Some(Value::Set(sans))) =
            (m.get("domain_name"), m.get("subject_alternative_names"))
        {
            let mut sans = sans.clone();
            sans.push(Value::string(domain));
            m.insert("subject_alternative_names".into(), Value::set(sans));
        }
        Value::Map(m)
    }

    /// As the provider's CustomizeDiff: a new certificate's SANs are at least its domain name,
    /// and with DNS validation its `domain_validation_options` has one element per distinct
    /// domain, the records unknown until ACM assigns them.
    fn plan_new(&self, planned: Value, configured: &BTreeSet<String>) -> Value {
        let Value::Map(mut m) = planned else {
            return planned;
        };
        let Some(domain) = m
            .get("domain_name")
            .and_then(Value::as_str)
            .map(String::from)
        else {
            return Value::Map(m);
        };
        let sans: Vec<String> = match m.get("subject_alternative_names") {
            Some(Value::Set(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            // Unset: ACM's answer will be the domain name alone.
            _ if !configured.contains("subject_alternative_names") => {
                m.insert(
                    "subject_alternative_names".into(),
                    string_set([domain.clone()]),
                );
                Vec::new()
            }
            // Set to a value not known yet: neither are the domains.
            _ => return Value::Map(m),
        };
        if m.get("validation_method").and_then(Value::as_str) == Some("DNS") {
            let options = domains(&domain, &sans)
                .into_iter()
                .map(|d| {
                    block_object(
                        DOMAIN_VALIDATION,
                        [
                            ("domain_name", Value::String(d)),
                            ("resource_record_name", Value::Unknown),
                            ("resource_record_type", Value::Unknown),
                            ("resource_record_value", Value::Unknown),
                        ],
                    )
                })
                .collect();
            m.insert("domain_validation_options".into(), Value::set(options));
        }
        Value::Map(m)
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        _planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let found = tagged_through_getresources(clients, owner, TAGGING_TYPE)
            .await?
            .into_iter()
            .collect();
        read_judged(self, clients, owner, found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the certificate ARN"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, |clients, id| {
            get_certificate(clients, id, None)
        })
        .await
    }

    /// Tags from the refresh's GetResources call; a certificate missing there is read with
    /// ListTagsForCertificate.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let known: Arc<TagsByArn> = batch.tags(clients).await?;
        read_each(clients, ids, move |clients, id| {
            let tags = known.get(&id).cloned();
            get_certificate(clients, id, tags)
        })
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let domain = get_str(planned, "domain_name").unwrap_or_default();
        let sans = get_strings(planned, "subject_alternative_names");
        let tags = to_tags(&creation_tags(planned, ctx.extra_tags));
        let token = idempotency_token(ctx.address);
        let out = call(|| {
            clients
                .acm
                .request_certificate()
                .idempotency_token(&token)
                .domain_name(domain)
                .set_subject_alternative_names((!sans.is_empty()).then(|| sans.clone()))
                .set_validation_method(
                    get_str(planned, "validation_method").map(ValidationMethod::from),
                )
                .set_key_algorithm(get_str(planned, "key_algorithm").map(KeyAlgorithm::from))
                .set_options(options_of(planned))
                .set_domain_validation_options(validation_options_of(planned))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let arn = out
            .certificate_arn()
            .ok_or_else(|| ApiError::malformed("RequestCertificate returned no ARN"))?
            .to_string();
        wait_until(
            &format!("ACM certificate {arn} validation records"),
            Duration::from_secs(2),
            ASSIGNMENT_LIMIT,
            || async {
                Ok(describe(clients, &arn)
                    .await?
                    .filter(validations_available)
                    .map(|_| ()))
            },
        )
        .await?;
        let state = read_created(self, clients, &arn).await?;
        Ok(with_attrs(
            state,
            [(
                "validation_option",
                super::attr(planned, "validation_option"),
            )],
        ))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = recorded_id(self, prior)?;
        if changed(prior, planned, "options") {
            if let Some(options) = options_of(planned) {
                call(|| {
                    clients
                        .acm
                        .update_certificate_options()
                        .certificate_arn(&arn)
                        .options(options.clone())
                        .send()
                })
                .await?;
            }
        }
        TagChanges::between(prior, planned)
            .send(
                |keys| {
                    let tags = keys
                        .iter()
                        .filter_map(|k| Tag::builder().key(k).build().ok())
                        .collect();
                    clients
                        .acm
                        .remove_tags_from_certificate()
                        .certificate_arn(&arn)
                        .set_tags(Some(tags))
                        .send()
                },
                |tags| {
                    clients
                        .acm
                        .add_tags_to_certificate()
                        .certificate_arn(&arn)
                        .set_tags(Some(to_tags(tags)))
                        .send()
                },
            )
            .await?;
        let state = read_created(self, clients, &arn).await?;
        Ok(with_attrs(
            state,
            [(
                "validation_option",
                super::attr(planned, "validation_option"),
            )],
        ))
    }

    /// Deletes the certificate, retrying while a service that used it still holds it
    /// (ResourceInUseException), as the provider does; a certificate already gone is done.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let arn = recorded_id(self, prior)?;
        retry_while(
            &format!("ACM certificate {arn} to be released"),
            IN_USE_LIMIT,
            |e| e.code == "ResourceInUseException",
            || async {
                ctx.clients
                    .acm
                    .delete_certificate()
                    .certificate_arn(&arn)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await
        .ok_if_gone()
    }
}

/// The IdempotencyToken of one create: the SDK resends RequestCertificate after a lost answer,
/// and ACM answers a resend with this token (within an hour) with the certificate the first
/// attempt made instead of a second one. Unique to this create (its address and the moment),
/// so that a later create of the same address (a replacement) gets a certificate of its own.
fn idempotency_token(address: &str) -> String {
    use sha2::Digest as _;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let digest = sha2::Sha256::digest(format!("{address}|{now}|{}", std::process::id()));
    // ACM takes at most 32 word characters.
    hex::encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_tokens_are_short_word_characters_and_differ_by_create() {
        let a = idempotency_token("aws_acm_certificate.web");
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        std::thread::sleep(std::time::Duration::from_millis(1));
        assert_ne!(a, idempotency_token("aws_acm_certificate.web"));
    }
    use crate::plan::diff::{configured_paths, plan_instance, with_new_computed};

    fn config(sans: Option<&[&str]>, method: &str) -> Value {
        let mut m = vec![
            ("domain_name", Value::string("example.com")),
            ("validation_method", Value::string(method)),
        ];
        if let Some(sans) = sans {
            m.push((
                "subject_alternative_names",
                string_set(sans.iter().map(|s| s.to_string())),
            ));
        }
        Value::map(m)
    }

    fn planned_new(config: &Value) -> Value {
        let rt = &AcmCertificateType;
        let conformed = rt.normalize(rt.schema().conform(config).unwrap());
        let p = plan_instance(
            rt.schema(),
            &conformed,
            &configured_paths(config),
            None,
            &crate::config::Lifecycle::default(),
            &BTreeMap::new(),
        );
        with_new_computed(Some(rt), p, &configured_paths(config)).after
    }

    fn dvo_domains(planned: &Value) -> Vec<String> {
        let mut d: Vec<String> = get_blocks(planned, "domain_validation_options")
            .iter()
            .filter_map(|b| get_str(b, "domain_name").map(String::from))
            .collect();
        d.sort();
        d
    }

    #[test]
    fn a_new_dns_certificate_plans_one_validation_option_per_domain_with_unknown_records() {
        let planned = planned_new(&config(Some(&["*.example.com", "www.example.com"]), "DNS"));
        assert_eq!(
            dvo_domains(&planned),
            ["*.example.com", "example.com", "www.example.com"]
        );
        for b in get_blocks(&planned, "domain_validation_options") {
            for k in [
                "resource_record_name",
                "resource_record_type",
                "resource_record_value",
            ] {
                assert_eq!(b.as_map().unwrap()[k], Value::Unknown, "{k} in {b}");
            }
        }
        // ACM adds the domain name to the SANs; the plan says so.
        assert_eq!(
            get_strings(&planned, "subject_alternative_names").len(),
            3,
            "{planned}"
        );
    }

    #[test]
    fn without_sans_the_domain_name_alone_is_validated() {
        let planned = planned_new(&config(None, "DNS"));
        assert_eq!(dvo_domains(&planned), ["example.com"]);
    }

    #[test]
    fn email_validation_and_unknown_sans_leave_the_options_unknown() {
        let planned = planned_new(&config(None, "EMAIL"));
        assert_eq!(
            planned.as_map().unwrap()["domain_validation_options"],
            Value::Unknown
        );
        let mut unknown_sans = config(None, "DNS");
        if let Value::Map(m) = &mut unknown_sans {
            m.insert("subject_alternative_names".into(), Value::Unknown);
        }
        let planned = planned_new(&unknown_sans);
        assert_eq!(
            planned.as_map().unwrap()["domain_validation_options"],
            Value::Unknown
        );
    }

    #[test]
    fn an_update_keeps_the_recorded_validation_options() {
        let rt = &AcmCertificateType;
        let cfg = config(None, "DNS");
        let conformed = rt.normalize(rt.schema().conform(&cfg).unwrap());
        let recorded_dvo = Value::set(vec![block_object(
            DOMAIN_VALIDATION,
            [
                ("domain_name", Value::string("example.com")),
                ("resource_record_name", Value::string("_x.example.com.")),
                ("resource_record_type", Value::string("CNAME")),
                (
                    "resource_record_value",
                    Value::string("_y.acm-validations.aws."),
                ),
            ],
        )]);
        let mut prior = conformed.as_map().unwrap().clone();
        prior.insert("domain_validation_options".into(), recorded_dvo.clone());
        prior.insert("tags".into(), Value::map([("a", Value::string("b"))]));
        let p = plan_instance(
            rt.schema(),
            &conformed,
            &configured_paths(&cfg),
            Some(&Value::Map(prior)),
            &crate::config::Lifecycle::default(),
            &BTreeMap::new(),
        );
        let p = with_new_computed(Some(rt), p, &configured_paths(&cfg));
        assert_eq!(
            p.after.as_map().unwrap()["domain_validation_options"],
            recorded_dvo
        );
    }

    #[test]
    fn configured_sans_include_the_domain_name_once_normalized() {
        let v = AcmCertificateType.normalize(config(Some(&["www.example.com"]), "DNS"));
        assert_eq!(
            get_strings(&v, "subject_alternative_names"),
            ["example.com", "www.example.com"]
        );
    }

    #[test]
    #[allow(deprecated)]
    fn options_and_validation_options_requests() {
        let planned = Value::map([
            (
                "options",
                Value::List(vec![Value::map([
                    (
                        "certificate_transparency_logging_preference",
                        Value::string("DISABLED"),
                    ),
                    ("export", Value::Unknown),
                ])]),
            ),
            (
                "validation_option",
                Value::set(vec![Value::map([
                    ("domain_name", Value::string("www.example.com")),
                    ("validation_domain", Value::string("example.com")),
                ])]),
            ),
        ]);
        let o = options_of(&planned).unwrap();
        assert_eq!(
            o.certificate_transparency_logging_preference(),
            Some(&CertificateTransparencyLoggingPreference::Disabled)
        );
        assert_eq!(o.export(), None);
        let v = validation_options_of(&planned).unwrap();
        assert_eq!(v[0].domain_name(), "www.example.com");
        assert_eq!(v[0].validation_domain(), "example.com");
        assert!(options_of(&Value::map([("options", Value::List(vec![]))])).is_none());
    }

    #[test]
    fn key_algorithms_read_as_the_request_spells_them() {
        assert_eq!(key_algorithm(&KeyAlgorithm::from("RSA-2048")), "RSA_2048");
        assert_eq!(
            key_algorithm(&KeyAlgorithm::from("EC-prime256v1")),
            "EC_prime256v1"
        );
    }
}
