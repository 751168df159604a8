//! Conformance of `aws_lambda_function` and `aws_lambda_permission` against moto: a function
//! created from a zip file, its configuration and code updated in place (checked in moto's
//! GetFunction), versions published; permissions added, read back from the function's policy
//! and removed; and the whole pattern through the CLI: an `archive_file` whose hash, stable from
//! run to run, is the function's `source_code_hash`, with a permission for EventBridge.
//!
//! moto creates functions without Docker (only invoking needs it) and wants the role to exist
//! in IAM; it answers Active/Successful at once, so the waiters' pending paths are not
//! exercised here. moto keeps no `dead_letter_config`, `logging_config` or (on update)
//! `tracing_config`, so those are checked in the resource type's unit tests only.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::pin::Pin;

use base64::Engine;
use sha2::Digest;

use ecsform::aws::resources::{
    lambda_function::LambdaFunctionType, lambda_permission::LambdaPermissionType,
};
use ecsform::aws::AwsClients;
use ecsform::aws::{CallContext, ResourceType};
use ecsform::lang::Value;
use support::conformance::{conformance_with_tags, extra_tags, lifecycle_without_update, Stage};
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    state.as_map().expect("an object")[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string: {state}"))
}

/// A role Lambda may assume, made with IAM directly; its ARN.
async fn role(c: &AwsClients, name: &str) -> String {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let out = c
        .iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("CreateRole");
    out.role().expect("a role").arn().to_string()
}

/// A zip file with one `index.py` of `body`, written to `path`; its base64 SHA-256.
fn zip_file(path: &Path, body: &str) -> String {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("index.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(body.as_bytes()).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    std::fs::write(path, &bytes).unwrap();
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes))
}

fn function_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .lambda
            .list_tags()
            .resource(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListTags (lambda)");
        out.tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    })
}

#[tokio::test]
async fn aws_lambda_function_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let role = role(&c, "ecsform-lambda-conforms").await;
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (dir.path().join("v1.zip"), dir.path().join("v2.zip"));
    let hash1 = zip_file(&v1, "def handler(event, context):\n    return 1\n");
    let hash2 = zip_file(&v2, "def handler(event, context):\n    return 2\n");
    let config = |file: &Path, hash: &str, memory: f64, stage: &str, more: Vec<(&str, Value)>| {
        let mut m = vec![
            ("function_name", s("ecsform-web")),
            ("role", s(&role)),
            ("handler", s("index.handler")),
            ("runtime", s("python3.12")),
            ("filename", s(&file.to_string_lossy())),
            ("source_code_hash", s(hash)),
            ("memory_size", Value::number(memory)),
            ("timeout", Value::number(10.0)),
            (
                "environment",
                Value::List(vec![Value::map([(
                    "variables",
                    Value::map([("STAGE", s(stage))]),
                )])]),
            ),
            ("tags", Value::map([("Service", s("web"))])),
        ];
        m.extend(more);
        Value::map(m)
    };
    let create = config(&v1, &hash1, 256.0, "test", vec![]);
    let update = config(
        &v2,
        &hash2,
        512.0,
        "prod",
        vec![
            ("description", s("the web handler")),
            (
                "tags",
                Value::map([("Service", s("web")), ("Env", s("test"))]),
            ),
        ],
    );
    let (h1, h2) = (hash1.clone(), hash2.clone());
    conformance_with_tags(
        &LambdaFunctionType,
        &c,
        function_tags,
        create,
        update,
        move |stage, state| {
            let arn = attr_str(state, "arn");
            assert!(arn.ends_with(":function:ecsform-web"), "{arn}");
            assert_eq!(attr_str(state, "id"), "ecsform-web");
            assert_eq!(
                attr_str(state, "invoke_arn"),
                format!(
                    "arn:aws:apigateway:{}:lambda:path/2015-03-31/functions/{arn}/invocations",
                    arn.split(':').nth(3).unwrap()
                )
            );
            assert_eq!(attr_str(state, "version"), "$LATEST");
            assert_eq!(attr_str(state, "qualified_arn"), format!("{arn}:$LATEST"));
            assert_eq!(attr_str(state, "package_type"), "Zip");
            // Code: moto reports the uploaded zip's SHA-256, as AWS does.
            let want = if stage == Stage::Created { &h1 } else { &h2 };
            assert_eq!(attr_str(state, "code_sha256"), want.as_str());
        },
    )
    .await;

    // moto's own view after an update: the configuration and code went through.
    let address = "aws_lambda_function.check";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let planned = support::conformance::plan(
        &LambdaFunctionType,
        &config(
            &v1,
            &hash1,
            256.0,
            "test",
            vec![("publish", Value::Bool(true))],
        ),
        None,
    )
    .after;
    let created = LambdaFunctionType.create(&ctx, &planned).await.unwrap();
    assert_eq!(attr_str(&created, "version"), "1");
    let planned = support::conformance::plan(
        &LambdaFunctionType,
        &config(
            &v2,
            &hash2,
            1024.0,
            "prod",
            vec![("publish", Value::Bool(true))],
        ),
        Some(&created),
    );
    assert_eq!(planned.action, ecsform::plan::Action::Update);
    let updated = LambdaFunctionType
        .update(&ctx, &created, &planned.after)
        .await
        .unwrap();
    assert_eq!(attr_str(&updated, "version"), "2");
    let got = c
        .lambda
        .get_function()
        .function_name("ecsform-web")
        .send()
        .await
        .unwrap();
    let conf = got.configuration().unwrap();
    assert_eq!(conf.memory_size(), Some(1024));
    assert_eq!(conf.code_sha256(), Some(hash2.as_str()));
    assert_eq!(
        conf.environment()
            .and_then(|e| e.variables())
            .and_then(|v| v.get("STAGE"))
            .map(String::as_str),
        Some("prod")
    );
    LambdaFunctionType.delete(&ctx, &updated).await.unwrap();
}

#[tokio::test]
async fn aws_lambda_function_refuses_what_the_provider_refuses() {
    let c = clients().await;
    let address = "aws_lambda_function.bad";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let base = |more: Vec<(&str, Value)>| {
        let mut m = vec![
            ("function_name", s("ecsform-bad")),
            ("role", s("arn:aws:iam::123456789012:role/none")),
        ];
        m.extend(more);
        support::conformance::plan(&LambdaFunctionType, &Value::map(m), None).after
    };
    let e = LambdaFunctionType
        .create(&ctx, &base(vec![("filename", s("f.zip"))]))
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "handler and runtime must be set when PackageType is Zip"
    );
    let e = LambdaFunctionType
        .create(
            &ctx,
            &base(vec![
                ("filename", s("f.zip")),
                ("s3_bucket", s("b")),
                ("s3_key", s("k")),
                ("handler", s("i.h")),
                ("runtime", s("python3.12")),
            ]),
        )
        .await
        .unwrap_err();
    assert!(e.message.contains("exactly one of"), "{e}");
    // Arguments ecsform does not implement yet are refused with the schema's error.
    let conformed = LambdaFunctionType.schema().conform(&Value::map([
        ("function_name", s("f")),
        ("role", s("r")),
        ("reserved_concurrent_executions", Value::number(5.0)),
    ]));
    let errors = conformed.unwrap_err();
    assert_eq!(errors[0].summary, "Argument not supported by ecsform yet");
}

#[tokio::test]
async fn aws_lambda_permission_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let role = role(&c, "ecsform-lambda-permission").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fn.zip");
    let hash = zip_file(&file, "def handler(event, context):\n    return 1\n");
    let address = "aws_lambda_function.target";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let function = support::conformance::plan(
        &LambdaFunctionType,
        &Value::map([
            ("function_name", s("ecsform-target")),
            ("role", s(&role)),
            ("handler", s("index.handler")),
            ("runtime", s("python3.12")),
            ("filename", s(&file.to_string_lossy())),
            ("source_code_hash", s(&hash)),
        ]),
        None,
    )
    .after;
    let function = LambdaFunctionType.create(&ctx, &function).await.unwrap();

    let rule = "arn:aws:events:us-east-1:123456789012:rule/nightly";
    let created = lifecycle_without_update(
        &LambdaPermissionType,
        &c,
        Value::map([
            ("statement_id", s("AllowEventBridge")),
            ("action", s("lambda:InvokeFunction")),
            ("function_name", s("ecsform-target")),
            ("principal", s("events.amazonaws.com")),
            ("source_arn", s(rule)),
        ]),
    )
    .await;
    assert_eq!(attr_str(&created, "id"), "AllowEventBridge");
    assert_eq!(attr_str(&created, "source_arn"), rule);

    // A statement id made from a prefix; read back through the recorded function, as refresh
    // reads it, next to one that is gone.
    let address = "aws_lambda_permission.prefixed";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let planned = support::conformance::plan(
        &LambdaPermissionType,
        &Value::map([
            ("statement_id_prefix", s("AllowS3-")),
            ("action", s("lambda:InvokeFunction")),
            ("function_name", s(attr_str(&function, "arn"))),
            ("principal", s("s3.amazonaws.com")),
            ("source_account", s("123456789012")),
        ]),
        None,
    )
    .after;
    let planned = LambdaPermissionType.pin_generated(planned);
    let sid = attr_str(&planned, "statement_id").to_string();
    assert!(
        sid.starts_with("AllowS3-") && sid.len() == "AllowS3-".len() + 26,
        "{sid}"
    );
    let made = LambdaPermissionType.create(&ctx, &planned).await.unwrap();
    assert_eq!(attr_str(&made, "statement_id_prefix"), "AllowS3-");
    assert_eq!(attr_str(&made, "function_name"), attr_str(&function, "arn"));
    assert_eq!(attr_str(&made, "source_account"), "123456789012");
    let policy = c
        .lambda
        .get_policy()
        .function_name("ecsform-target")
        .send()
        .await
        .unwrap();
    assert!(policy.policy().unwrap().contains(&sid));
    assert!(LambdaPermissionType.reads_recorded());
    let read = LambdaPermissionType
        .read_recorded(&c, &[made.clone(), created.clone()])
        .await
        .unwrap();
    assert_eq!(read, vec![Some(made.clone()), None]);
    LambdaPermissionType.delete(&ctx, &made).await.unwrap();
    LambdaFunctionType.delete(&ctx, &function).await.unwrap();
}

const PATTERN: &str = r#"
data "archive_file" "handler" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/handler.zip"
}

resource "aws_iam_role" "handler" {
  name = "ecsform-pattern-handler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_lambda_function" "handler" {
  function_name    = "ecsform-pattern"
  role             = aws_iam_role.handler.arn
  handler          = "index.handler"
  runtime          = "python3.12"
  filename         = data.archive_file.handler.output_path
  source_code_hash = data.archive_file.handler.output_base64sha256
  publish          = true

  environment {
    variables = {
      STAGE = "test"
    }
  }

  tags = {
    Service = "pattern"
  }
}

resource "aws_lambda_permission" "events" {
  statement_id  = "AllowExecutionFromEventBridge"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:us-east-1:123456789012:rule/nightly"
}

output "version" {
  value = aws_lambda_function.handler.version
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

/// The usual pattern through the CLI: the archive's hash is known in the plan and stays the
/// same from run to run, so a second plan changes nothing; a changed source is an in-place
/// code update that publishes version 2; destroy removes the permission and the function.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_lambda_function_with_archive_file_lifecycle() {
    let _moto = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("main.tf"), PATTERN).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("src/index.py"),
        "def handler(e, c):\n    return 1\n",
    )
    .unwrap();

    let out = cli(root, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = cli(root, "output", &["-raw", "version"]);
    assert_eq!(out.stdout.trim(), "1");
    let out = cli(root, "plan", &["-detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);

    let c = clients().await;
    let policy = c
        .lambda
        .get_policy()
        .function_name("ecsform-pattern")
        .send()
        .await
        .unwrap();
    assert!(policy
        .policy()
        .unwrap()
        .contains("AllowExecutionFromEventBridge"));

    std::fs::write(
        root.join("src/index.py"),
        "def handler(e, c):\n    return 2\n",
    )
    .unwrap();
    let out = cli(root, "plan", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("# aws_lambda_function.handler will be updated in-place"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("aws_lambda_permission.events"),
        "{}",
        out.stdout
    );
    let out = cli(root, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = cli(root, "output", &["-raw", "version"]);
    assert_eq!(out.stdout.trim(), "2");
    let zip = std::fs::read(root.join("build/handler.zip")).unwrap();
    let got = c
        .lambda
        .get_function()
        .function_name("ecsform-pattern")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.configuration().unwrap().code_sha256(),
        Some(
            base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha256::digest(&zip))
                .as_str()
        )
    );

    let out = cli(root, "destroy", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let gone = c
        .lambda
        .get_function()
        .function_name("ecsform-pattern")
        .send()
        .await;
    assert!(gone.is_err(), "the function is still there");
}
