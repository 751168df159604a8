//! Conformance of the storage types against moto: S3 buckets and the configurations of a
//! bucket that the provider manages as types of their own.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::resources::s3_bucket::S3BucketType;
use ecsform::aws::{AwsClients, CallContext, ResourceType};
use ecsform::lang::Value;
use ecsform::plan::Action;

use crate::support;
use support::conformance::{conformance_with_tags, extra_tags, plan, Stage};
use support::moto::{exclusive, moto, REGION};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    attr(state, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {state}"))
}

/// `state` with attribute `name` set to `value`.
fn with(state: &Value, name: &str, value: Value) -> Value {
    let mut m = state.as_map().expect("state is an object").clone();
    m.insert(name.to_string(), value);
    Value::Map(m)
}

fn bucket_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out =
            c.s3.get_bucket_tagging()
                .bucket(attr_str(state, "id"))
                .send()
                .await
                .expect("GetBucketTagging");
        out.tag_set()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
}

async fn put_object(c: &AwsClients, bucket: &str, key: &str) {
    c.s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"log line"))
        .send()
        .await
        .expect("PutObject");
}

/// A bucket in the client's region, with its derived names; tags change in place, and
/// ecsform's own tags stay on the bucket through a tag update (PutBucketTagging replaces the
/// whole set).
#[tokio::test]
async fn aws_s3_bucket_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("bucket", s("ecsform-lb-logs")),
        ("tags", tags(&[("Service", "web")])),
    ]);
    let update = Value::map([
        ("bucket", s("ecsform-lb-logs")),
        ("force_destroy", Value::Bool(true)),
        ("tags", tags(&[("Service", "web"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &S3BucketType,
        &c,
        bucket_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "ecsform-lb-logs");
            assert_eq!(attr_str(state, "arn"), "arn:aws:s3:::ecsform-lb-logs");
            assert_eq!(attr_str(state, "region"), REGION);
            assert_eq!(attr_str(state, "bucket_region"), REGION);
            assert_eq!(
                attr_str(state, "bucket_regional_domain_name"),
                format!("ecsform-lb-logs.s3.{REGION}.amazonaws.com")
            );
            assert_eq!(
                attr_str(state, "bucket_domain_name"),
                "ecsform-lb-logs.s3.amazonaws.com"
            );
            assert_eq!(attr_str(state, "hosted_zone_id"), "Z1BKCTXD74EZPE");
            assert_eq!(attr(state, "object_lock_enabled"), &Value::Bool(false));
            assert_eq!(attr(state, "bucket_prefix"), &Value::Null);
            let forced = stage == Stage::Updated;
            assert_eq!(attr(state, "force_destroy"), &Value::Bool(forced));
        },
    )
    .await;
}

/// A bucket that holds objects (and versions of them) is deleted only with `force_destroy`,
/// which empties it first; `bucket_prefix` makes a unique name; a changed
/// `object_lock_enabled` replaces the bucket.
#[tokio::test]
async fn aws_s3_bucket_force_destroy_empties_versions_and_prefix_names_it() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = &S3BucketType;
    let config = Value::map([("bucket_prefix", s("logs-"))]);
    let extra = extra_tags("aws_s3_bucket.logs");
    let ctx = CallContext {
        clients: &c,
        address: "aws_s3_bucket.logs",
        extra_tags: &extra,
    };
    let planned = rt.pin_generated(plan(rt, &config, None).after);
    let created = rt.create(&ctx, &planned).await.expect("create");
    let name = attr_str(&created, "id").to_string();
    assert!(name.starts_with("logs-"), "{name}");
    assert_eq!(attr_str(&created, "bucket_prefix"), "logs-");
    assert_eq!(plan(rt, &config, Some(&created)).action, Action::NoOp);
    let locked = Value::map([
        ("bucket_prefix", s("logs-")),
        ("object_lock_enabled", Value::Bool(true)),
    ]);
    assert_eq!(
        plan(rt, &locked, Some(&created)).action,
        Action::DeleteThenCreate
    );

    c.s3.put_bucket_versioning()
        .bucket(&name)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("PutBucketVersioning");
    put_object(&c, &name, "a.log").await;
    put_object(&c, &name, "a.log").await;
    put_object(&c, &name, "b.log").await;
    c.s3.delete_object()
        .bucket(&name)
        .key("b.log")
        .send()
        .await
        .expect("DeleteObject");

    let err = rt.delete(&ctx, &created).await.unwrap_err();
    assert_eq!(err.code, "BucketNotEmpty", "{err}");
    let ids = [name.clone()];
    assert_eq!(rt.read_many(&c, &ids).await.unwrap().len(), 1);
    let forced = with(&created, "force_destroy", Value::Bool(true));
    rt.delete(&ctx, &forced)
        .await
        .expect("delete with force_destroy");
    assert!(rt.read_many(&c, &ids).await.unwrap().is_empty());
}

/// A refresh of several buckets lists them once; a bucket gone since is absent, the others
/// read as one at a time.
#[tokio::test]
async fn aws_s3_bucket_refresh_of_many_reads_each_present_bucket() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = &S3BucketType;
    let mut ids = Vec::new();
    for name in ["refresh-a", "refresh-b"] {
        let address = format!("aws_s3_bucket.{name}");
        let extra = extra_tags(&address);
        let ctx = CallContext {
            clients: &c,
            address: &address,
            extra_tags: &extra,
        };
        let config = Value::map([("bucket", s(name)), ("tags", tags(&[("Name", name)]))]);
        let created = rt
            .create(&ctx, &plan(rt, &config, None).after)
            .await
            .expect("create");
        ids.push(attr_str(&created, "id").to_string());
    }
    ids.push("refresh-never-made".to_string());
    let read = rt.read_many(&c, &ids).await.expect("read_many");
    assert_eq!(
        read.keys().collect::<Vec<_>>(),
        ["refresh-a", "refresh-b"],
        "{read:?}"
    );
    assert_eq!(
        attr(&read["refresh-b"], "tags"),
        &tags(&[("Name", "refresh-b")])
    );
    for id in &ids[..2] {
        c.s3.delete_bucket()
            .bucket(id)
            .send()
            .await
            .expect("cleanup");
    }
}

/// A bucket for a configuration's test, made directly (not through the type under test).
async fn make_bucket(c: &AwsClients, name: &str) {
    c.s3.create_bucket()
        .bucket(name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket");
}

/// No tags on these types: the tag reader is never called.
fn no_tags<'a>(
    _c: &'a AwsClients,
    _state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async { BTreeMap::new() })
}

fn block(pairs: &[(&str, Value)]) -> Value {
    Value::List(vec![Value::map(pairs.iter().cloned())])
}

const LOG_DELIVERY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::156460612806:root"},
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::policy-bucket/alb/*"
    }
  ]
}"#;

/// The policy round-trips in canonical form (formatting and key order are no change) and
/// changes in place.
#[tokio::test]
async fn aws_s3_bucket_policy_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    make_bucket(&c, "policy-bucket").await;
    let reformatted: serde_json::Value = serde_json::from_str(LOG_DELIVERY).unwrap();
    let create = Value::map([("bucket", s("policy-bucket")), ("policy", s(LOG_DELIVERY))]);
    let other = LOG_DELIVERY.replace("alb/*", "logs/*");
    let update = Value::map([("bucket", s("policy-bucket")), ("policy", s(&other))]);
    let rt = &ecsform::aws::resources::s3_bucket_policy::S3BucketPolicyType;
    conformance_with_tags(rt, &c, no_tags, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "policy-bucket");
        let policy: serde_json::Value = serde_json::from_str(attr_str(state, "policy")).unwrap();
        let resource = match stage {
            Stage::Created => "arn:aws:s3:::policy-bucket/alb/*",
            Stage::Updated => "arn:aws:s3:::policy-bucket/logs/*",
        };
        assert_eq!(policy["Statement"][0]["Resource"], resource);
    })
    .await;
    let compact = Value::map([
        ("bucket", s("policy-bucket")),
        ("policy", s(&reformatted.to_string())),
    ]);
    let created = rt
        .create(
            &CallContext {
                clients: &c,
                address: "aws_s3_bucket_policy.p",
                extra_tags: &extra_tags("aws_s3_bucket_policy.p"),
            },
            &plan(rt, &compact, None).after,
        )
        .await
        .expect("create");
    let pretty = Value::map([("bucket", s("policy-bucket")), ("policy", s(LOG_DELIVERY))]);
    assert_eq!(plan(rt, &pretty, Some(&created)).action, Action::NoOp);
    let moved = Value::map([("bucket", s("another-bucket")), ("policy", s(LOG_DELIVERY))]);
    assert_eq!(
        plan(rt, &moved, Some(&created)).action,
        Action::DeleteThenCreate
    );
}

#[tokio::test]
async fn aws_s3_bucket_public_access_block_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    make_bucket(&c, "pab-bucket").await;
    let create = Value::map([
        ("bucket", s("pab-bucket")),
        ("block_public_acls", Value::Bool(true)),
        ("block_public_policy", Value::Bool(true)),
    ]);
    let update = Value::map([
        ("bucket", s("pab-bucket")),
        ("block_public_acls", Value::Bool(true)),
        ("block_public_policy", Value::Bool(true)),
        ("ignore_public_acls", Value::Bool(true)),
        ("restrict_public_buckets", Value::Bool(true)),
    ]);
    let rt = &ecsform::aws::resources::s3_bucket_public_access_block::S3BucketPublicAccessBlockType;
    conformance_with_tags(rt, &c, no_tags, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "pab-bucket");
        let all = stage == Stage::Updated;
        assert_eq!(attr(state, "block_public_acls"), &Value::Bool(true));
        assert_eq!(attr(state, "ignore_public_acls"), &Value::Bool(all));
        assert_eq!(attr(state, "restrict_public_buckets"), &Value::Bool(all));
    })
    .await;
}

/// How many versions the bucket keeps of `key`.
async fn versions(c: &AwsClients, bucket: &str, key: &str) -> usize {
    let out =
        c.s3.list_object_versions()
            .bucket(bucket)
            .prefix(key)
            .send()
            .await
            .expect("ListObjectVersions");
    out.versions().len()
}

/// moto answers GetBucketVersioning with a root element the SDK refuses (see the type's
/// docs), so the reads are covered by the type's unit test and this test checks what the
/// writes do: `Disabled` on a new bucket sends nothing (a second write keeps one version),
/// `Enabled` makes S3 keep every version, and delete suspends versioning (S3 cannot turn it
/// off), as with the provider: a later write replaces the `null` version instead of adding one.
#[tokio::test]
async fn aws_s3_bucket_versioning_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let bucket = "versioned-bucket";
    make_bucket(&c, bucket).await;
    let rt = &ecsform::aws::resources::s3_bucket_versioning::S3BucketVersioningType;
    let config = |status: &str| {
        Value::map([
            ("bucket", s(bucket)),
            ("versioning_configuration", block(&[("status", s(status))])),
        ])
    };
    use ecsform::aws::s3::BucketPart;

    let disabled = plan(rt, &config("Disabled"), None).after;
    rt.put(&c, bucket, &disabled).await.expect("put Disabled");
    put_object(&c, bucket, "a").await;
    put_object(&c, bucket, "a").await;
    assert_eq!(versions(&c, bucket, "a").await, 1, "not versioned");

    let enabled = plan(rt, &config("Enabled"), None).after;
    rt.put(&c, bucket, &enabled).await.expect("put Enabled");
    put_object(&c, bucket, "b").await;
    put_object(&c, bucket, "b").await;
    assert_eq!(versions(&c, bucket, "b").await, 2, "versioned");

    rt.remove(&c, bucket, &enabled).await.expect("delete");
    put_object(&c, bucket, "c").await;
    put_object(&c, bucket, "c").await;
    assert_eq!(versions(&c, bucket, "c").await, 1, "suspended");
    // A configuration that was never enabled leaves the bucket alone on delete.
    rt.remove(&c, bucket, &disabled)
        .await
        .expect("delete Disabled");

    // Updating in place, not replacing: only the status changed.
    let prior = ecsform::provider::values::state_object(
        rt.declared_schema(),
        [
            ("id", s(bucket)),
            ("bucket", s(bucket)),
            (
                "versioning_configuration",
                block(&[("status", s("Enabled")), ("mfa_delete", Value::Null)]),
            ),
        ],
    );
    assert_eq!(
        plan(rt, &config("Suspended"), Some(&prior)).action,
        Action::Update
    );
    assert_eq!(
        plan(rt, &config("Enabled"), Some(&prior)).action,
        Action::NoOp
    );
}

#[tokio::test]
async fn aws_s3_bucket_server_side_encryption_configuration_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    make_bucket(&c, "encrypted-bucket").await;
    let rule = |algorithm: &str, bucket_key: bool| {
        Value::set(vec![Value::map([
            ("bucket_key_enabled", Value::Bool(bucket_key)),
            (
                "apply_server_side_encryption_by_default",
                block(&[("sse_algorithm", s(algorithm))]),
            ),
        ])])
    };
    let create = Value::map([
        ("bucket", s("encrypted-bucket")),
        ("rule", rule("AES256", false)),
    ]);
    let update = Value::map([
        ("bucket", s("encrypted-bucket")),
        ("rule", rule("aws:kms", true)),
    ]);
    let rt = &ecsform::aws::resources::s3_bucket_server_side_encryption_configuration::S3BucketServerSideEncryptionConfigurationType;
    conformance_with_tags(rt, &c, no_tags, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "encrypted-bucket");
        let rules = attr(state, "rule").as_list().map(<[Value]>::to_vec);
        let rules = rules.unwrap_or_else(|| panic!("rule is a collection: {state}"));
        assert_eq!(rules.len(), 1);
        let by_default = attr(&rules[0], "apply_server_side_encryption_by_default")
            .as_list()
            .unwrap()[0]
            .clone();
        let want = match stage {
            Stage::Created => "AES256",
            Stage::Updated => "aws:kms",
        };
        assert_eq!(attr_str(&by_default, "sse_algorithm"), want);
    })
    .await;
}

#[tokio::test]
async fn aws_s3_bucket_ownership_controls_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    make_bucket(&c, "owned-bucket").await;
    let config = |ownership: &str| {
        Value::map([
            ("bucket", s("owned-bucket")),
            ("rule", block(&[("object_ownership", s(ownership))])),
        ])
    };
    let rt = &ecsform::aws::resources::s3_bucket_ownership_controls::S3BucketOwnershipControlsType;
    conformance_with_tags(
        rt,
        &c,
        no_tags,
        config("BucketOwnerPreferred"),
        config("BucketOwnerEnforced"),
        |stage, state| {
            let want = match stage {
                Stage::Created => "BucketOwnerPreferred",
                Stage::Updated => "BucketOwnerEnforced",
            };
            assert_eq!(
                attr(state, "rule"),
                &block(&[("object_ownership", s(want))])
            );
        },
    )
    .await;
}

/// Rules change in place; an `and` filter with tags, a transition and an expiration read back
/// as configured.
#[tokio::test]
async fn aws_s3_bucket_lifecycle_configuration_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    make_bucket(&c, "lifecycle-bucket").await;
    let rule = |days: i32| {
        Value::map([
            ("id", s("expire-logs")),
            ("status", s("Enabled")),
            (
                "filter",
                block(&[(
                    "and",
                    block(&[("prefix", s("alb/")), ("tags", tags(&[("class", "logs")]))]),
                )]),
            ),
            ("expiration", block(&[("days", Value::number(days))])),
            (
                "transition",
                Value::set(vec![Value::map([
                    ("days", Value::number(30)),
                    ("storage_class", s("STANDARD_IA")),
                ])]),
            ),
        ])
    };
    let config = |days: i32| {
        Value::map([
            ("bucket", s("lifecycle-bucket")),
            ("rule", Value::List(vec![rule(days)])),
        ])
    };
    let rt = &ecsform::aws::resources::s3_bucket_lifecycle_configuration::S3BucketLifecycleConfigurationType;
    conformance_with_tags(rt, &c, no_tags, config(90), config(365), |stage, state| {
        assert_eq!(attr_str(state, "id"), "lifecycle-bucket");
        let rules = attr(state, "rule").as_list().unwrap();
        let expiration = attr(&rules[0], "expiration").as_list().unwrap()[0].clone();
        let days = match stage {
            Stage::Created => 90,
            Stage::Updated => 365,
        };
        assert_eq!(attr(&expiration, "days"), &Value::number(days));
    })
    .await;
}

fn cli(root: &std::path::Path, command: &str, extra: &[&str]) -> support::Output {
    let out = support::run_in_env(root, command, extra, &moto().env());
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

/// The load balancer access-log pattern end to end through the CLI
/// (tests/fixtures/e2e/lb_logs): a bucket named from a prefix, its public access block, a
/// policy for the region's ELB account, and an ALB logging to the bucket. Applied, the ALB
/// logs to the bucket and the policy names the ELB account; planned again, nothing changes;
/// destroyed (the bucket holds a log object by then: `force_destroy`), nothing is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_balancer_logs_to_a_bucket_apply_plan_and_destroy() {
    let _moto = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    support::copy_dir(&support::fixtures("e2e/lb_logs"), &root);
    let c = clients().await;

    let out = tokio::task::block_in_place(|| cli(&root, "apply", &["-auto-approve"]));
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("Apply complete! Resources: 7 added, 0 changed, 0 destroyed."),
        "{}",
        out.stdout
    );

    let buckets = c.s3.list_buckets().send().await.unwrap();
    let bucket = buckets
        .buckets()
        .iter()
        .filter_map(|b| b.name())
        .find(|n| n.starts_with("lb-logs-"))
        .expect("the bucket")
        .to_string();
    let policy =
        c.s3.get_bucket_policy()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    // eu-west-1's ELB account, from the provider's table.
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::156460612806:root"
    );
    let lb = c
        .elbv2
        .describe_load_balancers()
        .names("logs-lb")
        .send()
        .await
        .unwrap()
        .load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let attributes = c
        .elbv2
        .describe_load_balancer_attributes()
        .load_balancer_arn(&lb)
        .send()
        .await
        .unwrap();
    let attribute = |key: &str| {
        attributes
            .attributes()
            .iter()
            .find(|a| a.key() == Some(key))
            .and_then(|a| a.value())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(attribute("access_logs.s3.enabled"), "true");
    assert_eq!(attribute("access_logs.s3.bucket"), bucket);
    assert_eq!(attribute("access_logs.s3.prefix"), "alb");

    let out = tokio::task::block_in_place(|| cli(&root, "plan", &["-detailed-exitcode"]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);

    put_object(&c, &bucket, "alb/AWSLogs/log.gz").await;
    let out = tokio::task::block_in_place(|| cli(&root, "destroy", &["-auto-approve"]));
    assert_eq!(out.code, 0);
    let left = c.s3.list_buckets().send().await.unwrap();
    assert!(
        left.buckets()
            .iter()
            .all(|b| b.name() != Some(bucket.as_str())),
        "the bucket is left"
    );
}
