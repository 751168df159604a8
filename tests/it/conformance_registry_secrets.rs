//! Conformance of the container registry, configuration and secrets types against moto:
//! ECR repositories and lifecycle policies, SSM parameters, KMS keys and aliases, with what
//! changes in place and what replaces, and values that stay sensitive; and the data sources
//! that look these objects up (`aws_ecr_repository`, `aws_kms_key`, `aws_kms_alias`); Secrets
//! Manager secrets and their versions, whose values never show in plan or apply output.
//!
//! These services' tags are not EC2 tags: each test reads them with its own service's call
//! (a `TagReader`). Prerequisites are made with plain SDK calls.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::resources::{
    ecr_lifecycle_policy::EcrLifecyclePolicyType, ecr_repository::EcrRepositoryType,
    kms_alias::KmsAliasType, kms_key::KmsKeyType, secretsmanager_secret::SecretsmanagerSecretType,
    secretsmanager_secret_version::SecretsmanagerSecretVersionType,
    ssm_parameter::SsmParameterType,
};
use ecsform::aws::{AwsClients, CallContext, ResourceType};
use ecsform::lang::Value;
use ecsform::plan::Action;
use support::conformance::{
    conformance, conformance_with_tags, extra_tags, lifecycle_without_update, plan, read_data,
    Stage,
};
use support::moto::{exclusive, moto};

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

fn block(pairs: &[(&str, Value)]) -> Value {
    Value::List(vec![Value::map(pairs.iter().cloned())])
}

fn repository_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .ecr
            .list_tags_for_resource()
            .resource_arn(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListTagsForResource");
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
}

#[tokio::test]
async fn aws_ecr_repository_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("web")),
        (
            "image_scanning_configuration",
            block(&[("scan_on_push", Value::Bool(false))]),
        ),
        ("tags", tags(&[("Service", "web")])),
    ]);
    let update = Value::map([
        ("name", s("web")),
        ("image_tag_mutability", s("IMMUTABLE")),
        // Turned on: moto ignores a PutImageScanningConfiguration that turns it off (the SDK
        // leaves a false `scanOnPush` out of the request, and moto reads `{}` as no change).
        (
            "image_scanning_configuration",
            block(&[("scan_on_push", Value::Bool(true))]),
        ),
        ("force_delete", Value::Bool(true)),
        ("tags", tags(&[("Service", "web"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &EcrRepositoryType,
        &c,
        repository_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "web");
            assert!(attr_str(state, "arn").ends_with(":repository/web"));
            let registry = attr_str(state, "registry_id");
            assert!(!registry.is_empty());
            assert!(
                attr_str(state, "repository_url").starts_with(registry)
                    && attr_str(state, "repository_url").ends_with("/web")
            );
            // Left out of the configuration, AWS's choice is recorded.
            assert_eq!(
                attr(state, "encryption_configuration"),
                &block(&[("encryption_type", s("AES256")), ("kms_key", Value::Null)])
            );
            let (mutability, scan) = match stage {
                Stage::Created => ("MUTABLE", false),
                Stage::Updated => ("IMMUTABLE", true),
            };
            assert_eq!(attr_str(state, "image_tag_mutability"), mutability);
            assert_eq!(
                attr(state, "image_scanning_configuration"),
                &block(&[("scan_on_push", Value::Bool(scan))])
            );
        },
    )
    .await;
}

/// The encryption is set at creation only: a change replaces the repository. A repository
/// that holds images is deleted only with `force_delete`, and the error says so.
#[tokio::test]
async fn aws_ecr_repository_encryption_replaces_and_images_need_force_delete() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = &EcrRepositoryType;
    let config = Value::map([
        ("name", s("kms-images")),
        (
            "encryption_configuration",
            block(&[("encryption_type", s("KMS"))]),
        ),
    ]);
    let extra = extra_tags("aws_ecr_repository.images");
    let ctx = CallContext {
        clients: &c,
        address: "aws_ecr_repository.images",
        extra_tags: &extra,
    };
    let created = rt
        .create(&ctx, &plan(rt, &config, None).after)
        .await
        .unwrap();
    let encryption = &attr(&created, "encryption_configuration");
    let encryption = encryption.as_list().unwrap()[0].clone();
    assert_eq!(attr_str(&encryption, "encryption_type"), "KMS");
    assert!(attr_str(&encryption, "kms_key").starts_with("arn:"));
    assert_eq!(plan(rt, &config, Some(&created)).action, Action::NoOp);
    let aes = Value::map([
        ("name", s("kms-images")),
        (
            "encryption_configuration",
            block(&[("encryption_type", s("AES256"))]),
        ),
    ]);
    let planned = plan(rt, &aes, Some(&created));
    assert_eq!(
        planned.action,
        Action::DeleteThenCreate,
        "{:?}",
        planned.replace_paths
    );

    let manifest = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#;
    c.ecr
        .put_image()
        .repository_name("kms-images")
        .image_manifest(manifest)
        .image_tag("v1")
        .send()
        .await
        .expect("PutImage");
    let err = rt.delete(&ctx, &created).await.unwrap_err();
    assert!(err.message.contains("force_delete"), "{err}");
    let forced = with(&created, "force_delete", Value::Bool(true));
    rt.delete(&ctx, &forced).await.unwrap();
    let gone = rt.read_many(&c, &["kms-images".to_string()]).await.unwrap();
    assert!(gone.is_empty());
}

const LIFECYCLE: &str = r#"{
  "rules": [
    {
      "rulePriority": 2,
      "description": "keep 30 images",
      "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
      "action": {"type": "expire"}
    },
    {
      "rulePriority": 1,
      "description": "expire untagged",
      "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
      "action": {"type": "expire"}
    }
  ]
}"#;

#[tokio::test]
async fn aws_ecr_lifecycle_policy_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    c.ecr
        .create_repository()
        .repository_name("lifecycle")
        .send()
        .await
        .expect("CreateRepository");
    let config = Value::map([("repository", s("lifecycle")), ("policy", s(LIFECYCLE))]);
    let rt = &EcrLifecyclePolicyType;
    let created = lifecycle_without_update(rt, &c, config.clone()).await;
    assert_eq!(attr_str(&created, "id"), "lifecycle");
    assert!(!attr_str(&created, "registry_id").is_empty());
    // Rules in another order and formatting are the same policy; another count is not, and
    // replaces it, as in the provider.
    let reordered: serde_json::Value = serde_json::from_str(LIFECYCLE).unwrap();
    let mut rules = reordered["rules"].as_array().unwrap().clone();
    rules.reverse();
    let reordered = serde_json::json!({ "rules": rules }).to_string();
    let same = Value::map([("repository", s("lifecycle")), ("policy", s(&reordered))]);
    assert_eq!(plan(rt, &same, Some(&created)).action, Action::NoOp);
    let other = LIFECYCLE.replace("\"countNumber\": 30", "\"countNumber\": 40");
    let other = Value::map([("repository", s("lifecycle")), ("policy", s(&other))]);
    assert_eq!(
        plan(rt, &other, Some(&created)).action,
        Action::DeleteThenCreate
    );
}

fn parameter_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .ssm
            .list_tags_for_resource()
            .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Parameter)
            .resource_id(attr_str(state, "id"))
            .send()
            .await
            .expect("ListTagsForResource");
        out.tag_list()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
}

fn secret_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .secretsmanager
            .describe_secret()
            .secret_id(attr_str(state, "id"))
            .send()
            .await
            .expect("DescribeSecret");
        out.tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    })
}

#[tokio::test]
async fn aws_secretsmanager_secret_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let policy = |action: &str| {
        s(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::123456789012:root"}},"Action":"{action}","Resource":"*"}}]}}"#
        ))
    };
    let create = Value::map([
        ("name", s("db/password")),
        ("description", s("database password")),
        ("recovery_window_in_days", Value::Number(0.0)),
        ("tags", tags(&[("Service", "db")])),
    ]);
    let update = Value::map([
        ("name", s("db/password")),
        ("description", s("the database password")),
        ("policy", policy("secretsmanager:GetSecretValue")),
        ("recovery_window_in_days", Value::Number(7.0)),
        ("tags", tags(&[("Service", "db"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &SecretsmanagerSecretType,
        &c,
        secret_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr(state, "id"), attr(state, "arn"));
            assert!(attr_str(state, "arn").contains(":secret:db/password"));
            if stage == Stage::Updated {
                assert!(attr_str(state, "policy").contains("GetSecretValue"));
            }
        },
    )
    .await;
    // The update's recovery window scheduled the deletion: the secret is still there,
    // marked deleted, and can be restored.
    let held = c
        .secretsmanager
        .describe_secret()
        .secret_id("db/password")
        .send()
        .await
        .unwrap();
    assert!(held.deleted_date().is_some(), "{held:?}");
}

#[tokio::test]
async fn aws_secretsmanager_secret_with_no_recovery_window_is_deleted_at_once() {
    let _moto = exclusive();
    let c = clients().await;
    let config = Value::map([
        ("name_prefix", s("api-key-")),
        ("recovery_window_in_days", Value::Number(0.0)),
    ]);
    let rt = &SecretsmanagerSecretType;
    let planned = plan(rt, &config, None);
    let pinned = rt.pin_generated(planned.after.clone());
    let name = attr_str(&pinned, "name").to_string();
    assert!(name.starts_with("api-key-"), "{name}");
    let address = "aws_secretsmanager_secret.api_key";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let created = rt.create(&ctx, &pinned).await.unwrap();
    assert_eq!(attr_str(&created, "name"), name);
    assert_eq!(attr_str(&created, "name_prefix"), "api-key-");
    assert_eq!(
        attr(&created, "recovery_window_in_days"),
        &Value::Number(0.0)
    );
    rt.delete(&ctx, &created).await.unwrap();
    let gone = c
        .secretsmanager
        .describe_secret()
        .secret_id(attr_str(&created, "arn"))
        .send()
        .await;
    assert!(gone.is_err(), "{gone:?}");
}

#[tokio::test]
async fn data_aws_secretsmanager_secret_reads_one_secret_by_arn_or_name() {
    let _moto = exclusive();
    let c = clients().await;
    let made = c
        .secretsmanager
        .create_secret()
        .name("app/token")
        .description("api token")
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("Service")
                .value("app")
                .build(),
        )
        .send()
        .await
        .expect("CreateSecret");
    let arn = made.arn().unwrap().to_string();
    c.secretsmanager
        .put_resource_policy()
        .secret_id(&arn)
        .resource_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:DeleteSecret","Resource":"*"}]}"#)
        .send()
        .await
        .expect("PutResourcePolicy");
    for by in [("arn", arn.as_str()), ("name", "app/token")] {
        let d = read_data(
            &c,
            "aws_secretsmanager_secret",
            Value::map([(by.0, s(by.1))]),
        )
        .await
        .unwrap_or_else(|e| panic!("by {by:?}: {e}"));
        assert_eq!(attr_str(&d, "id"), arn);
        assert_eq!(attr_str(&d, "arn"), arn);
        assert_eq!(attr_str(&d, "name"), "app/token");
        assert_eq!(attr_str(&d, "description"), "api token");
        assert_eq!(attr(&d, "tags"), &tags(&[("Service", "app")]));
        assert!(attr_str(&d, "policy").contains("secretsmanager:DeleteSecret"));
        assert!(!attr_str(&d, "created_date").is_empty());
    }
    let e = read_data(
        &c,
        "aws_secretsmanager_secret",
        Value::map([("name", s("app/nosuch"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.message,
        "reading Secrets Manager Secret (app/nosuch): couldn't find resource"
    );
    // Scheduled for deletion: not found either, as in the provider.
    c.secretsmanager
        .delete_secret()
        .secret_id(&arn)
        .send()
        .await
        .expect("DeleteSecret");
    let e = read_data(
        &c,
        "aws_secretsmanager_secret",
        Value::map([("arn", s(&arn))]),
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("couldn't find resource"), "{e}");
}

/// A secret with a first value (holding AWSCURRENT) for versions to be added to; its ARN.
async fn secret_with_a_value(c: &AwsClients, name: &str) -> String {
    let made = c
        .secretsmanager
        .create_secret()
        .name(name)
        .secret_string("first")
        .send()
        .await
        .expect("CreateSecret");
    made.arn().unwrap().to_string()
}

/// The stages AWS holds for one version of a secret, sorted.
async fn stages_in_aws(c: &AwsClients, arn: &str, version: &str) -> Vec<String> {
    let out = c
        .secretsmanager
        .get_secret_value()
        .secret_id(arn)
        .version_id(version)
        .send()
        .await
        .expect("GetSecretValue");
    let mut stages = out.version_stages().to_vec();
    stages.sort();
    stages
}

fn stage_set(stages: &[&str]) -> Value {
    Value::set(stages.iter().map(|s| Value::string(*s)).collect())
}

/// A version with its own stage: created (value and stage in AWS), stages changed in place,
/// deleted (its stage removed: gone), then a change of value plans a new version.
#[tokio::test]
async fn aws_secretsmanager_secret_version_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let arn = secret_with_a_value(&c, "app/api-key").await;
    let create = Value::map([
        ("secret_id", s(&arn)),
        ("secret_string", s("v2-value")),
        ("version_stages", stage_set(&["candidate"])),
    ]);
    let update = Value::map([
        ("secret_id", s(&arn)),
        ("secret_string", s("v2-value")),
        ("version_stages", stage_set(&["approved", "candidate-2"])),
    ]);
    let rt = &SecretsmanagerSecretVersionType;
    let seen = std::sync::Mutex::new(Vec::new());
    conformance(rt, &c, create.clone(), update, |stage, state| {
        let version = attr_str(state, "version_id");
        assert_eq!(attr_str(state, "id"), format!("{arn}|{version}"));
        assert_eq!(attr_str(state, "arn"), arn);
        assert_eq!(attr_str(state, "secret_arn"), arn);
        assert!(attr(state, "secret_string").contains_sensitive(), "{state}");
        assert_eq!(attr(state, "secret_binary"), &Value::Null);
        seen.lock().unwrap().push((stage, version.to_string()));
    })
    .await;
    let seen = seen.into_inner().unwrap();
    let version = &seen[0].1;
    // The value is AWS's, and AWSCURRENT stayed with the first version throughout.
    let out = c
        .secretsmanager
        .get_secret_value()
        .secret_id(&arn)
        .version_id(version)
        .send()
        .await
        .unwrap();
    assert_eq!(out.secret_string(), Some("v2-value"));
    assert!(out.version_stages().is_empty(), "{out:?}");
    let current = c
        .secretsmanager
        .get_secret_value()
        .secret_id(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(current.secret_string(), Some("first"));

    // A new value, or another secret, is a new version.
    let address = "aws_secretsmanager_secret_version.conformance";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let planned = plan(rt, &create, None);
    let created = rt
        .create(&ctx, &rt.pin_generated(planned.after))
        .await
        .unwrap();
    for (name, value) in [
        ("secret_string", s("v3-value")),
        ("secret_id", s("app/other")),
    ] {
        let changed = with(&create, name, value);
        let p = plan(rt, &changed, Some(&created));
        assert_eq!(p.action, Action::DeleteThenCreate, "{name}");
    }
    rt.delete(&ctx, &created).await.unwrap();
}

/// Unset stages are AWSCURRENT; moving AWSCURRENT to another version in place gives the old
/// one AWSPREVIOUS; a binary value reads back as the base64 it was given; deleting the
/// current version leaves it current (AWS cannot remove AWSCURRENT), as the provider does.
#[tokio::test]
async fn aws_secretsmanager_secret_version_moves_and_keeps_awscurrent() {
    let _moto = exclusive();
    let c = clients().await;
    let arn = secret_with_a_value(&c, "app/cert").await;
    let rt = &SecretsmanagerSecretVersionType;
    let address = "aws_secretsmanager_secret_version.cert";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let config = Value::map([("secret_id", s(&arn)), ("secret_binary", s("AAEC/w=="))]);
    let pinned = rt.pin_generated(plan(rt, &config, None).after);
    let token = attr_str(&pinned, "version_id").to_string();
    let current = rt.create(&ctx, &pinned).await.unwrap();
    // The ClientRequestToken became the version id.
    assert_eq!(attr_str(&current, "version_id"), token);
    assert_eq!(
        attr(&current, "version_stages"),
        &stage_set(&["AWSCURRENT"])
    );
    assert_eq!(attr(&current, "secret_binary").unmarked(), &s("AAEC/w=="));
    assert!(attr(&current, "secret_binary").contains_sensitive());
    assert_eq!(plan(rt, &config, Some(&current)).action, Action::NoOp);
    // A resend of the same create (same token) returns the same version.
    let again = rt.create(&ctx, &pinned).await.unwrap();
    assert_eq!(attr(&again, "id"), attr(&current, "id"));
    // Found again by the pinned id after an interrupted create.
    let owner = ecsform::aws::Owner {
        address,
        lineage: "conformance",
    };
    let found = rt.find_created(&c, &pinned, &owner).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");

    // Another version takes AWSCURRENT in place.
    let staged = Value::map([
        ("secret_id", s(&arn)),
        ("secret_string", s("next")),
        ("version_stages", stage_set(&["next"])),
    ]);
    let next = rt
        .create(&ctx, &rt.pin_generated(plan(rt, &staged, None).after))
        .await
        .unwrap();
    let promoted = with(&staged, "version_stages", stage_set(&["AWSCURRENT"]));
    let p = plan(rt, &promoted, Some(&next));
    assert_eq!(p.action, Action::Update);
    let next = rt.update(&ctx, &next, &p.after).await.unwrap();
    assert_eq!(attr(&next, "version_stages"), &stage_set(&["AWSCURRENT"]));
    let old = attr_str(&current, "version_id");
    assert_eq!(stages_in_aws(&c, &arn, old).await, ["AWSPREVIOUS"]);

    // Deleting the current version leaves it current; the other loses its stages.
    rt.delete(&ctx, &next).await.unwrap();
    let version = attr_str(&next, "version_id");
    assert_eq!(stages_in_aws(&c, &arn, version).await, ["AWSCURRENT"]);
    let old_state = rt
        .read_many(&c, &[attr_str(&current, "id").to_string()])
        .await
        .unwrap();
    rt.delete(&ctx, &old_state[attr_str(&current, "id")])
        .await
        .unwrap();
    assert!(stages_in_aws(&c, &arn, old).await.is_empty());
    assert!(rt
        .read_many(&c, &[attr_str(&current, "id").to_string()])
        .await
        .unwrap()
        .is_empty());
    // A secret scheduled for deletion: its versions are gone.
    c.secretsmanager
        .delete_secret()
        .secret_id(&arn)
        .send()
        .await
        .unwrap();
    let ids = [attr_str(&next, "id").to_string()];
    assert!(rt.read_many(&c, &ids).await.unwrap().is_empty());
}

const SECRET_VALUE: &str = "hunter2-do-not-print";

/// The value never shows in plan or apply output, and the state read back plans no change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_secretsmanager_secret_version_value_never_shows_in_plan_output() {
    let _moto = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("main.tf"),
        format!(
            r#"
resource "aws_secretsmanager_secret" "db" {{
  name                    = "cli/db"
  recovery_window_in_days = 0
}}

resource "aws_secretsmanager_secret_version" "db" {{
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = "{SECRET_VALUE}"
}}
"#
        ),
    )
    .unwrap();
    let run = |command: &str, extra: &[&str]| {
        let out = tokio::task::block_in_place(|| {
            support::run_in_env(root, command, extra, &moto().env())
        });
        assert_eq!(out.code, 0, "{command}: {}\n{}", out.stdout, out.stderr);
        assert!(
            !out.stdout.contains(SECRET_VALUE) && !out.stderr.contains(SECRET_VALUE),
            "{command} shows the value:\n{}\n{}",
            out.stdout,
            out.stderr
        );
        out
    };
    let out = run("plan", &[]);
    assert!(out.stdout.contains("(sensitive value)"), "{}", out.stdout);
    assert!(out.stdout.contains("Plan: 2 to add"), "{}", out.stdout);
    run("apply", &["-auto-approve"]);
    let out = run("plan", &[]);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);
    // A new value: the old version is replaced, still without showing either value.
    let tf = std::fs::read_to_string(root.join("main.tf")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        tf.replace(SECRET_VALUE, &format!("{SECRET_VALUE}-2")),
    )
    .unwrap();
    let out = run("plan", &[]);
    assert!(out.stdout.contains("must be replaced"), "{}", out.stdout);
    run("destroy", &["-auto-approve"]);
}

/// The value is sensitive in the state; a new value or description is a new version.
#[tokio::test]
async fn aws_ssm_parameter_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("/ecs/web/db-password")),
        ("type", s("SecureString")),
        ("value", s("first-secret")),
        ("tags", tags(&[("Service", "web")])),
    ]);
    let update = Value::map([
        ("name", s("/ecs/web/db-password")),
        ("type", s("SecureString")),
        ("value", s("second-secret")),
        ("description", s("database password")),
        ("tags", tags(&[("Service", "web"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &SsmParameterType,
        &c,
        parameter_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "/ecs/web/db-password");
            assert!(attr_str(state, "arn").contains(":parameter/ecs/web/db-password"));
            assert!(matches!(attr(state, "value"), Value::Sensitive(_)));
            assert_eq!(attr(state, "insecure_value"), &Value::Null);
            assert!(!attr_str(state, "key_id").is_empty());
            assert_eq!(attr_str(state, "tier"), "Standard");
            let (value, version) = match stage {
                Stage::Created => ("first-secret", 1),
                Stage::Updated => ("second-secret", 2),
            };
            assert_eq!(attr(state, "value").unmarked(), &s(value));
            assert_eq!(attr(state, "version"), &Value::number(version));
        },
    )
    .await;
}

/// A plain parameter given as `insecure_value` keeps it there (shown, not sensitive), on
/// create, refresh and import alike; a changed type is an update in place.
#[tokio::test]
async fn aws_ssm_parameter_insecure_value_stays_where_the_configuration_has_it() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = &SsmParameterType;
    let config = Value::map([
        ("name", s("/ecs/web/hosts")),
        ("type", s("String")),
        ("insecure_value", s("a,b")),
    ]);
    let extra = extra_tags("aws_ssm_parameter.hosts");
    let ctx = CallContext {
        clients: &c,
        address: "aws_ssm_parameter.hosts",
        extra_tags: &extra,
    };
    let created = rt
        .create(&ctx, &plan(rt, &config, None).after)
        .await
        .unwrap();
    assert_eq!(attr(&created, "insecure_value"), &s("a,b"));
    assert_eq!(attr(&created, "value"), &Value::Null);
    let read = rt
        .read_many(&c, &["/ecs/web/hosts".to_string()])
        .await
        .unwrap()
        .remove("/ecs/web/hosts")
        .unwrap();
    let refreshed = rt.refreshed(read.clone(), &created);
    assert_eq!(refreshed, created);
    assert_eq!(plan(rt, &config, Some(&refreshed)).action, Action::NoOp);
    let imported = rt.imported(read, &rt.schema().conform(&config).unwrap());
    assert_eq!(attr(&imported, "insecure_value"), &s("a,b"));

    let list = Value::map([
        ("name", s("/ecs/web/hosts")),
        ("type", s("StringList")),
        ("insecure_value", s("a,b,c")),
    ]);
    let planned = plan(rt, &list, Some(&created));
    assert_eq!(planned.action, Action::Update);
    let updated = rt.update(&ctx, &created, &planned.after).await.unwrap();
    assert_eq!(attr_str(&updated, "type"), "StringList");
    assert_eq!(attr(&updated, "insecure_value"), &s("a,b,c"));
    assert_eq!(attr(&updated, "version"), &Value::number(2));
    rt.delete(&ctx, &updated).await.unwrap();
    assert!(rt
        .read_many(&c, &["/ecs/web/hosts".to_string()])
        .await
        .unwrap()
        .is_empty());
}

fn key_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .kms
            .list_resource_tags()
            .key_id(attr_str(state, "id"))
            .send()
            .await
            .expect("ListResourceTags");
        out.tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect()
    })
}

const KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "Root",
    "Effect": "Allow",
    "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
    "Action": ["kms:*"],
    "Resource": "*"
  }]
}"#;

/// A key's description, policy, rotation and tags change in place; destroy schedules the
/// deletion, after which the key reads as gone.
#[tokio::test]
async fn aws_kms_key_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("description", s("app secrets")),
        ("deletion_window_in_days", Value::number(7)),
        ("tags", tags(&[("Service", "app")])),
    ]);
    let update = Value::map([
        ("description", s("app secrets, rotated")),
        ("deletion_window_in_days", Value::number(7)),
        ("enable_key_rotation", Value::Bool(true)),
        ("policy", s(KEY_POLICY)),
        ("tags", tags(&[("Service", "app"), ("Env", "test")])),
    ]);
    conformance_with_tags(&KmsKeyType, &c, key_tags, create, update, |stage, state| {
        assert_eq!(attr(state, "id"), attr(state, "key_id"));
        assert!(attr_str(state, "arn").ends_with(&format!(":key/{}", attr_str(state, "id"))));
        assert_eq!(attr_str(state, "key_usage"), "ENCRYPT_DECRYPT");
        assert_eq!(
            attr_str(state, "customer_master_key_spec"),
            "SYMMETRIC_DEFAULT"
        );
        assert_eq!(attr(state, "is_enabled"), &Value::Bool(true));
        // Unset, KMS's default policy is recorded.
        assert!(attr_str(state, "policy").contains("kms:*"));
        let rotation = stage == Stage::Updated;
        assert_eq!(attr(state, "enable_key_rotation"), &Value::Bool(rotation));
    })
    .await;
}

/// A disabled key is enabled again in place; a key scheduled for deletion is gone to
/// refresh, and scheduling it again is no error.
#[tokio::test]
async fn aws_kms_key_can_be_disabled_and_is_gone_once_deletion_is_scheduled() {
    let _moto = exclusive();
    let c = clients().await;
    let rt = &KmsKeyType;
    let extra = extra_tags("aws_kms_key.off");
    let ctx = CallContext {
        clients: &c,
        address: "aws_kms_key.off",
        extra_tags: &extra,
    };
    let off = Value::map([("is_enabled", Value::Bool(false))]);
    let created = rt.create(&ctx, &plan(rt, &off, None).after).await.unwrap();
    assert_eq!(attr(&created, "is_enabled"), &Value::Bool(false));
    let on = Value::map([("is_enabled", Value::Bool(true))]);
    let planned = plan(rt, &on, Some(&created));
    assert_eq!(planned.action, Action::Update);
    let updated = rt.update(&ctx, &created, &planned.after).await.unwrap();
    assert_eq!(attr(&updated, "is_enabled"), &Value::Bool(true));
    let spec = Value::map([("customer_master_key_spec", s("RSA_2048"))]);
    assert_eq!(
        plan(rt, &spec, Some(&updated)).action,
        Action::DeleteThenCreate
    );
    rt.delete(&ctx, &updated).await.unwrap();
    let id = attr_str(&updated, "id").to_string();
    let key = c.kms.describe_key().key_id(&id).send().await.unwrap();
    let meta = key.key_metadata().unwrap();
    assert_eq!(
        meta.key_state(),
        Some(&aws_sdk_kms::types::KeyState::PendingDeletion)
    );
    assert!(rt.read_many(&c, &[id]).await.unwrap().is_empty());
    rt.delete(&ctx, &updated).await.unwrap();
}

#[tokio::test]
async fn aws_kms_alias_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let key = |description: &'static str| {
        let c = c.clone();
        async move {
            let out = c
                .kms
                .create_key()
                .description(description)
                .send()
                .await
                .expect("CreateKey");
            out.key_metadata().unwrap().arn().unwrap().to_string()
        }
    };
    let first = key("first").await;
    let second = key("second").await;
    // The first key by its ARN: the same as the key id AWS reports.
    let create = Value::map([("name", s("alias/app")), ("target_key_id", s(&first))]);
    let second_id = second.rsplit_once(":key/").unwrap().1.to_string();
    let update = Value::map([("name", s("alias/app")), ("target_key_id", s(&second_id))]);
    // Aliases have no tags: `conformance` never reads any.
    conformance(&KmsAliasType, &c, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "alias/app");
        assert!(attr_str(state, "arn").ends_with(":alias/app"));
        let target = match stage {
            Stage::Created => &first,
            Stage::Updated => &second,
        };
        assert_eq!(attr_str(state, "target_key_arn"), target);
    })
    .await;
}

/// The ECR repository data source reads a repository as the resource type does, with the
/// tags of its most recently pushed image; a missing repository is the provider's error.
#[tokio::test]
async fn data_aws_ecr_repository_reads_one_repository() {
    let _moto = exclusive();
    let c = clients().await;
    c.ecr
        .create_repository()
        .repository_name("web")
        .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Immutable)
        .tags(
            aws_sdk_ecr::types::Tag::builder()
                .key("Team")
                .value("ops")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateRepository");
    let read =
        |name: &'static str| read_data(&c, "aws_ecr_repository", Value::map([("name", s(name))]));
    let empty = read("web").await.expect("repository");
    assert_eq!(attr_str(&empty, "id"), "web");
    assert!(attr_str(&empty, "arn").ends_with(":repository/web"));
    assert!(attr_str(&empty, "repository_url").ends_with("/web"));
    assert_eq!(attr_str(&empty, "image_tag_mutability"), "IMMUTABLE");
    assert_eq!(attr(&empty, "tags"), &tags(&[("Team", "ops")]));
    assert_eq!(attr(&empty, "most_recent_image_tags"), &Value::List(vec![]));
    assert!(!attr_str(&empty, "registry_id").is_empty());

    // Two images, pushed one after the other: the second one's tags.
    for (tag, digest) in [("v1", "1"), ("v2", "2")] {
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"digest":"sha256:{}","size":1,"mediaType":"application/vnd.docker.container.image.v1+json"}},"layers":[]}}"#,
            digest.repeat(64)
        );
        c.ecr
            .put_image()
            .repository_name("web")
            .image_manifest(manifest)
            .image_tag(tag)
            .send()
            .await
            .expect("PutImage");
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    let pushed = read("web").await.expect("repository");
    assert_eq!(
        attr(&pushed, "most_recent_image_tags"),
        &Value::List(vec![s("v2")])
    );

    let e = read("nosuch").await.unwrap_err();
    assert_eq!(
        e.message,
        "reading ECR Repository (nosuch): couldn't find resource"
    );
}

/// The KMS key data source finds a key by id, ARN, alias name and alias ARN, and a key
/// pending deletion too; the alias data source gives the key an alias points to.
#[tokio::test]
async fn data_aws_kms_key_and_alias_find_a_key_by_each_name() {
    let _moto = exclusive();
    let c = clients().await;
    let key = c
        .kms
        .create_key()
        .description("app secrets")
        // AWS's default; moto reports no usage for a key created without one.
        .key_usage(aws_sdk_kms::types::KeyUsageType::EncryptDecrypt)
        .send()
        .await
        .expect("CreateKey");
    let meta = key.key_metadata().unwrap();
    let (id, arn) = (meta.key_id().to_string(), meta.arn().unwrap().to_string());
    c.kms
        .create_alias()
        .alias_name("alias/app")
        .target_key_id(&id)
        .send()
        .await
        .expect("CreateAlias");
    let alias_arn = arn.replace(&format!(":key/{id}"), ":alias/app");
    for by in [id.as_str(), arn.as_str(), "alias/app", alias_arn.as_str()] {
        let k = read_data(&c, "aws_kms_key", Value::map([("key_id", s(by))]))
            .await
            .unwrap_or_else(|e| panic!("by {by}: {e}"));
        assert_eq!(attr_str(&k, "id"), id, "by {by}");
        assert_eq!(attr_str(&k, "key_id"), by);
        assert_eq!(attr_str(&k, "arn"), arn);
        assert_eq!(attr_str(&k, "description"), "app secrets");
        assert_eq!(attr(&k, "enabled"), &Value::Bool(true));
        assert_eq!(attr_str(&k, "key_state"), "Enabled");
        assert_eq!(attr_str(&k, "key_usage"), "ENCRYPT_DECRYPT");
        assert_eq!(
            attr_str(&k, "customer_master_key_spec"),
            "SYMMETRIC_DEFAULT"
        );
        assert!(!attr_str(&k, "creation_date").is_empty());
        assert_eq!(attr(&k, "deletion_date"), &Value::Null);
    }

    let alias = read_data(&c, "aws_kms_alias", Value::map([("name", s("alias/app"))]))
        .await
        .expect("alias");
    assert_eq!(attr_str(&alias, "id"), alias_arn);
    assert_eq!(attr_str(&alias, "arn"), alias_arn);
    assert_eq!(attr_str(&alias, "target_key_id"), id);
    assert_eq!(attr_str(&alias, "target_key_arn"), arn);
    let e = read_data(
        &c,
        "aws_kms_alias",
        Value::map([("name", s("alias/nosuch"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.message,
        "reading KMS Alias (alias/nosuch): couldn't find resource"
    );

    c.kms
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .expect("ScheduleKeyDeletion");
    let pending = read_data(&c, "aws_kms_key", Value::map([("key_id", s(&id))]))
        .await
        .expect("a key pending deletion is found");
    assert_eq!(attr_str(&pending, "key_state"), "PendingDeletion");
    assert!(!attr_str(&pending, "deletion_date").is_empty());

    let gone = "00000000-0000-0000-0000-000000000000";
    let e = read_data(&c, "aws_kms_key", Value::map([("key_id", s(gone))]))
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        format!("reading KMS Key ({gone}): couldn't find resource")
    );
}
