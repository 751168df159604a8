//! `aws_lambda_function`: a Lambda function. Its id is its name, and so is its import ID.
//!
//! The code comes from exactly one of `filename` (a zip file on this machine, relative to the
//! working directory, uploaded in the request), `s3_bucket` + `s3_key` (+ `s3_object_version`)
//! or `image_uri` (with `package_type = "Image"`); a Zip function needs `handler` and
//! `runtime`. None of `filename`, `s3_*` and `source_code_hash` is read back from AWS (the
//! provider does not read them either): they keep what was applied, and a change of any of
//! them, of `code_sha256`, `image_uri` or `architectures`, is an UpdateFunctionCode. A change
//! of the configuration (`role`, `handler`, `runtime`, `memory_size`, `timeout`,
//! `description`, `kms_key_arn`, `layers`, `environment`, `vpc_config`, `dead_letter_config`,
//! `tracing_config`, `ephemeral_storage`, `logging_config`) is an UpdateFunctionConfiguration
//! with what changed, sent as the provider sends it (a removed `environment` is an empty
//! one, a removed `dead_letter_config` an empty target, a removed `vpc_config` empty lists).
//! Each create and update waits for the function to be `Active` and its `LastUpdateStatus`
//! `Successful` (a `Failed` state is the error, with AWS's reason). With `publish = true`, a
//! create publishes version 1 and every code or configuration change (or turning `publish`
//! on) a new version. `function_name` and `package_type` force a new function; everything
//! else changes in place. Tags (ecsform's ownership tags among them) go in CreateFunction;
//! a function created before a crash is found again by its name and its tags. A role created
//! a moment ago that Lambda cannot assume yet is retried, as in the provider.
//!
//! `environment.variables` are not sensitive, as in the provider. `version` is the latest
//! published version (`$LATEST` when there is none), `qualified_arn` its ARN; `invoke_arn`,
//! `qualified_invoke_arn` and `response_streaming_invoke_arn` are API Gateway's ARNs for
//! them.
//!
//! Refresh is one paginated ListFunctions for every version of every function
//! (`FunctionVersion=ALL`: each function's configuration and its latest version at once),
//! with tags from the refresh's shared GetResources call; a function missing from either,
//! and the `image_uri` of Image functions (ListFunctions does not return code locations),
//! are read with GetFunction, one call per such function.
//!
//! Not supported yet (refused where set): `code_signing_config_arn`,
//! `reserved_concurrent_executions`, `publish_to`, `replace_security_groups_on_destroy`,
//! `replacement_security_group_ids`, `source_kms_key_arn`, `region` and the blocks
//! `capacity_provider_config`, `durable_config`, `file_system_config`, `image_config`,
//! `snap_start`, `tenancy_config` and `timeouts`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    ApplicationLogLevel, Architecture, DeadLetterConfig, Environment, EphemeralStorage,
    FunctionCode, FunctionConfiguration, FunctionVersion, LastUpdateStatus, LogFormat,
    LoggingConfig, PackageType, Runtime, State, SystemLogLevel, TracingConfig, TracingMode,
    VpcConfig,
};

use super::{changed, read_created, retry_while, with_attrs};
use crate::aws::adopt::read_judged;
use crate::aws::call::call;
use crate::aws::error::{wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::iam::{iam_eventually_consistent, read_each, IAM_SETTLE_LIMIT};
use crate::aws::local::resolve;
use crate::aws::paged::all_pages;
use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_block, get_bool, get_i32, get_str, get_string_map, get_strings, opt_number,
    opt_str, state_object, string_map, string_set, strings,
};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

pub struct LambdaFunctionType;

static DECLARATION: Declaration =
    Declaration::new("aws_lambda_function", &SCHEMA, Adoption::NameAndTags);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn invoke_arn response_streaming_invoke_arn signing_job_arn
            signing_profile_version_arn;
        computed String: last_modified.changes_on_update() version.changes_on_update()
            qualified_arn.changes_on_update() qualified_invoke_arn.changes_on_update();
        computed Number: source_code_size.changes_on_update();
        required String: function_name.force_new();
        required String: role;
        optional String: handler runtime description kms_key_arn image_uri;
        optional String: filename.local() s3_bucket.local() s3_key.local()
            s3_object_version.local();
        optional_computed String: source_code_hash.local() code_sha256.changes_on_update();
        optional String: package_type.force_new().default(Default::Str("Zip"));
        optional Number: memory_size.default(Default::Number(128.0))
            timeout.default(Default::Number(3.0));
        optional Bool: publish.local().default(Default::Bool(false))
            skip_destroy.local().default(Default::Bool(false));
        optional_computed StringList: architectures;
        optional StringList: layers;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("environment", ENVIRONMENT).max_items(1),
        BlockSchema::list("vpc_config", VPC_CONFIG).max_items(1),
        BlockSchema::list("dead_letter_config", DEAD_LETTER_CONFIG).max_items(1),
        BlockSchema::list("tracing_config", TRACING_CONFIG)
            .max_items(1)
            .computed(),
        BlockSchema::list("ephemeral_storage", EPHEMERAL_STORAGE)
            .max_items(1)
            .computed(),
        BlockSchema::list("logging_config", LOGGING_CONFIG)
            .max_items(1)
            .computed(),
    ],
};

const ENVIRONMENT: &[AttrSchema] = attrs![optional StringMap: variables;];
const VPC_CONFIG: &[AttrSchema] = attrs![
    required StringSet: subnet_ids security_group_ids;
    optional Bool: ipv6_allowed_for_dual_stack.default(Default::Bool(false));
    computed String: vpc_id;
];
const DEAD_LETTER_CONFIG: &[AttrSchema] = attrs![required String: target_arn;];
const TRACING_CONFIG: &[AttrSchema] = attrs![required String: mode;];
const EPHEMERAL_STORAGE: &[AttrSchema] = attrs![optional_computed Number: size;];
const LOGGING_CONFIG: &[AttrSchema] = attrs![
    required String: log_format;
    optional_computed String: log_group;
    optional String: application_log_level system_log_level;
];

/// The arguments whose change is an UpdateFunctionCode (the provider's
/// `needsFunctionCodeUpdate`).
const CODE_ARGUMENTS: &[&str] = &[
    "filename",
    "code_sha256",
    "source_code_hash",
    "s3_bucket",
    "s3_key",
    "s3_object_version",
    "image_uri",
    "architectures",
];

/// The arguments whose change is an UpdateFunctionConfiguration (the provider's
/// `needsFunctionConfigUpdate`, for what ecsform supports).
const CONFIGURATION_ARGUMENTS: &[&str] = &[
    "description",
    "handler",
    "logging_config",
    "memory_size",
    "role",
    "timeout",
    "kms_key_arn",
    "layers",
    "dead_letter_config",
    "tracing_config",
    "vpc_config",
    "runtime",
    "environment",
    "ephemeral_storage",
];

/// How long a create or an update may take to settle (the provider's default timeouts).
const SETTLE_LIMIT: Duration = Duration::from_secs(10 * 60);

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidConfiguration", message)
}

/// The provider's plan-time checks of the code arguments, made before the first call.
fn check_code(planned: &Value) -> Result<()> {
    let sources: Vec<&str> = ["filename", "image_uri", "s3_bucket"]
        .into_iter()
        .filter(|a| get_str(planned, a).is_some())
        .collect();
    if sources.len() != 1 {
        return Err(invalid(format!(
            "Invalid combination of arguments: exactly one of `filename,image_uri,s3_bucket` must be specified, {} given",
            if sources.is_empty() { "none".to_string() } else { format!("`{}`", sources.join(",")) }
        )));
    }
    if get_str(planned, "s3_bucket").is_some() != get_str(planned, "s3_key").is_some() {
        return Err(invalid(
            "Missing required argument: `s3_bucket` and `s3_key` must be specified together",
        ));
    }
    let zip = get_str(planned, "package_type").unwrap_or("Zip") == "Zip";
    if zip && (get_str(planned, "handler").is_none() || get_str(planned, "runtime").is_none()) {
        return Err(invalid(
            "handler and runtime must be set when PackageType is Zip",
        ));
    }
    Ok(())
}

/// The code of `planned`: the zip file's bytes, the S3 object or the image.
fn function_code(planned: &Value, dir: &std::path::Path) -> Result<FunctionCode> {
    let mut code = FunctionCode::builder();
    if let Some(file) = get_str(planned, "filename") {
        let bytes = std::fs::read(resolve(dir, file))
            .map_err(|e| invalid(format!("reading ZIP file ({file}): {e}")))?;
        code = code.zip_file(Blob::new(bytes));
    } else if let Some(image) = get_str(planned, "image_uri") {
        code = code.image_uri(image);
    } else {
        code = code
            .set_s3_bucket(get_str(planned, "s3_bucket").map(String::from))
            .set_s3_key(get_str(planned, "s3_key").map(String::from))
            .set_s3_object_version(get_str(planned, "s3_object_version").map(String::from));
    }
    Ok(code.build())
}

fn block(planned: &Value, name: &str) -> Option<Value> {
    get_block(planned, name).cloned()
}

fn environment(planned: &Value) -> Option<Environment> {
    let vars = get_string_map(&block(planned, "environment")?, "variables");
    (!vars.is_empty()).then(|| {
        Environment::builder()
            .set_variables(Some(vars.into_iter().collect()))
            .build()
    })
}

fn vpc_config(planned: &Value) -> Option<VpcConfig> {
    let b = block(planned, "vpc_config")?;
    Some(
        VpcConfig::builder()
            .set_subnet_ids(Some(get_strings(&b, "subnet_ids")))
            .set_security_group_ids(Some(get_strings(&b, "security_group_ids")))
            .ipv6_allowed_for_dual_stack(
                get_bool(&b, "ipv6_allowed_for_dual_stack").unwrap_or(false),
            )
            .build(),
    )
}

fn dead_letter_config(planned: &Value) -> Option<DeadLetterConfig> {
    let b = block(planned, "dead_letter_config")?;
    Some(
        DeadLetterConfig::builder()
            .set_target_arn(get_str(&b, "target_arn").map(String::from))
            .build(),
    )
}

fn tracing_config(planned: &Value) -> Option<TracingConfig> {
    let b = block(planned, "tracing_config")?;
    let mode = get_str(&b, "mode")?;
    Some(
        TracingConfig::builder()
            .mode(TracingMode::from(mode))
            .build(),
    )
}

fn ephemeral_storage(planned: &Value) -> Result<Option<EphemeralStorage>> {
    let Some(size) = block(planned, "ephemeral_storage").and_then(|b| get_i32(&b, "size")) else {
        return Ok(None);
    };
    EphemeralStorage::builder()
        .size(size)
        .build()
        .map(Some)
        .map_err(|e| invalid(e.to_string()))
}

fn logging_config(planned: &Value) -> Option<LoggingConfig> {
    let b = block(planned, "logging_config")?;
    let s = |n| get_str(&b, n).filter(|v| !v.is_empty());
    Some(
        LoggingConfig::builder()
            .set_log_format(s("log_format").map(LogFormat::from))
            .set_log_group(s("log_group").map(String::from))
            .set_application_log_level(s("application_log_level").map(ApplicationLogLevel::from))
            .set_system_log_level(s("system_log_level").map(SystemLogLevel::from))
            .build(),
    )
}

fn architectures(planned: &Value) -> Option<Vec<Architecture>> {
    let a = get_strings(planned, "architectures");
    (!a.is_empty()).then(|| a.iter().map(|s| Architecture::from(s.as_str())).collect())
}

fn lambda_tags(tags: &BTreeMap<String, String>) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// API Gateway's ARN for invoking `function_arn` (the provider's `invokeARN`), or its
/// response-streaming one.
fn apigateway_arn(function_arn: &str, path: &str) -> String {
    let mut parts = function_arn.splitn(6, ':');
    let (partition, region) = (parts.nth(1).unwrap_or("aws"), parts.nth(1).unwrap_or(""));
    format!(
        "arn:{partition}:apigateway:{region}:lambda:path/{path}/functions/{function_arn}/{}",
        if path == "2015-03-31" {
            "invocations"
        } else {
            "response-streaming-invocations"
        }
    )
}

/// A function's ARN without a version qualifier.
fn unqualified(arn: &str, version: Option<&str>) -> String {
    let mut a = arn.to_string();
    for q in [version.unwrap_or("$LATEST"), "$LATEST"] {
        if let Some(stripped) = a.strip_suffix(&format!(":{q}")) {
            if stripped.matches(':').count() == 6 {
                a = stripped.to_string();
            }
        }
    }
    a
}

/// What a read found of one function besides its configuration.
#[derive(Default)]
struct Extra {
    /// The latest published version's number, if any.
    latest_version: Option<String>,
    image_uri: Option<String>,
    tags: BTreeMap<String, String>,
}

/// The state of a function from its `$LATEST` configuration.
fn function_state(c: &FunctionConfiguration, extra: Extra) -> Value {
    let name = c.function_name().unwrap_or_default();
    let arn = unqualified(c.function_arn().unwrap_or_default(), c.version());
    let version = extra.latest_version.unwrap_or_else(|| "$LATEST".into());
    let qualified = format!("{arn}:{version}");
    let vpc = c
        .vpc_config()
        .filter(|v| !v.subnet_ids().is_empty() || !v.security_group_ids().is_empty())
        .map(|v| {
            Value::List(vec![block_object(
                VPC_CONFIG,
                [
                    ("subnet_ids", string_set(v.subnet_ids().iter().cloned())),
                    (
                        "security_group_ids",
                        string_set(v.security_group_ids().iter().cloned()),
                    ),
                    (
                        "ipv6_allowed_for_dual_stack",
                        Value::Bool(v.ipv6_allowed_for_dual_stack().unwrap_or(false)),
                    ),
                    ("vpc_id", opt_str(v.vpc_id().filter(|s| !s.is_empty()))),
                ],
            )])
        });
    // No variables is no `environment` block (the provider suppresses the difference).
    let environment = c
        .environment()
        .and_then(|e| e.variables())
        .filter(|v| !v.is_empty())
        .map(|v| {
            let vars: BTreeMap<String, String> =
                v.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            Value::List(vec![block_object(
                ENVIRONMENT,
                [("variables", string_map(&vars))],
            )])
        });
    let dead_letter = c
        .dead_letter_config()
        .and_then(|d| d.target_arn())
        .filter(|t| !t.is_empty())
        .map(|t| {
            Value::List(vec![block_object(
                DEAD_LETTER_CONFIG,
                [("target_arn", Value::string(t))],
            )])
        });
    let tracing = c
        .tracing_config()
        .and_then(|t| t.mode())
        .map_or("PassThrough", |m| m.as_str());
    let logging = c.logging_config().map(|l| {
        Value::List(vec![block_object(
            LOGGING_CONFIG,
            [
                ("log_format", opt_str(l.log_format().map(|f| f.as_str()))),
                ("log_group", opt_str(l.log_group())),
                (
                    "application_log_level",
                    opt_str(l.application_log_level().map(|f| f.as_str())),
                ),
                (
                    "system_log_level",
                    opt_str(l.system_log_level().map(|f| f.as_str())),
                ),
            ],
        )])
    });
    let layers: Vec<String> = c
        .layers()
        .iter()
        .filter_map(|l| l.arn())
        .map(String::from)
        .collect();
    let [tags, tags_all] = read_tags(extra.tags);
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(name)),
            ("function_name", Value::string(name)),
            ("arn", Value::string(&arn)),
            (
                "invoke_arn",
                Value::string(apigateway_arn(&arn, "2015-03-31")),
            ),
            (
                "response_streaming_invoke_arn",
                Value::string(apigateway_arn(&arn, "2021-11-15")),
            ),
            ("qualified_arn", Value::string(&qualified)),
            (
                "qualified_invoke_arn",
                Value::string(apigateway_arn(&qualified, "2015-03-31")),
            ),
            ("version", Value::string(version)),
            ("role", opt_str(c.role())),
            ("handler", opt_str(c.handler())),
            ("runtime", opt_str(c.runtime().map(|r| r.as_str()))),
            (
                "description",
                opt_str(c.description().filter(|d| !d.is_empty())),
            ),
            (
                "kms_key_arn",
                opt_str(c.kms_key_arn().filter(|d| !d.is_empty())),
            ),
            ("image_uri", opt_str(extra.image_uri)),
            (
                "package_type",
                Value::string(c.package_type().map_or("Zip", |p| p.as_str())),
            ),
            ("memory_size", opt_number(c.memory_size())),
            ("timeout", opt_number(c.timeout())),
            ("last_modified", opt_str(c.last_modified())),
            ("code_sha256", opt_str(c.code_sha256())),
            ("source_code_size", Value::number(c.code_size() as f64)),
            ("signing_job_arn", opt_str(c.signing_job_arn())),
            (
                "signing_profile_version_arn",
                opt_str(c.signing_profile_version_arn()),
            ),
            (
                "architectures",
                strings(c.architectures().iter().map(|a| a.as_str().to_string())),
            ),
            (
                "layers",
                if layers.is_empty() {
                    Value::Null
                } else {
                    strings(layers)
                },
            ),
            ("environment", environment.unwrap_or(Value::List(vec![]))),
            ("vpc_config", vpc.unwrap_or(Value::List(vec![]))),
            (
                "dead_letter_config",
                dead_letter.unwrap_or(Value::List(vec![])),
            ),
            (
                "tracing_config",
                Value::List(vec![block_object(
                    TRACING_CONFIG,
                    [("mode", Value::string(tracing))],
                )]),
            ),
            (
                "ephemeral_storage",
                Value::List(vec![block_object(
                    EPHEMERAL_STORAGE,
                    [(
                        "size",
                        Value::number(c.ephemeral_storage().map_or(512, |e| e.size())),
                    )],
                )]),
            ),
            ("logging_config", logging.unwrap_or(Value::List(vec![]))),
            ("publish", Value::Bool(false)),
            ("skip_destroy", Value::Bool(false)),
            tags,
            tags_all,
        ],
    )
}

/// One function read with GetFunction and ListVersionsByFunction (its latest version);
/// `None` when it does not exist.
async fn get_function(clients: AwsClients, name: String) -> Result<Option<Value>> {
    let out = call(|| clients.lambda.get_function().function_name(&name).send()).await;
    let Some(out) = out.found()? else {
        return Ok(None);
    };
    let Some(config) = out.configuration() else {
        return Ok(None);
    };
    let versions = all_pages(
        |marker| {
            clients
                .lambda
                .list_versions_by_function()
                .function_name(&name)
                .set_marker(marker)
                .send()
        },
        |p| p.versions(),
        |p| p.next_marker(),
    )
    .await?;
    let extra = Extra {
        latest_version: latest_version(versions.iter().filter_map(|v| v.version())),
        image_uri: out.code().and_then(|c| c.image_uri()).map(String::from),
        tags: out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    };
    Ok(Some(function_state(config, extra)))
}

/// The highest published version among `versions` (`$LATEST` is none).
fn latest_version<'a>(versions: impl Iterator<Item = &'a str>) -> Option<String> {
    versions
        .filter_map(|v| v.parse::<u64>().ok())
        .max()
        .map(|v| v.to_string())
}

/// Waits until the function is created (`Active`) and its last update done (`Successful`),
/// as the provider's waiters do; `Failed` is the error, with AWS's reason.
async fn wait_settled(clients: &AwsClients, name: &str) -> Result<()> {
    wait_until(
        &format!("Lambda function {name} to become active"),
        Duration::from_secs(5),
        SETTLE_LIMIT,
        || async {
            let out = call(|| {
                clients
                    .lambda
                    .get_function_configuration()
                    .function_name(name)
                    .send()
            })
            .await?;
            if out.state() == Some(&State::Failed) {
                return Err(ApiError::new(
                    ErrorKind::Invalid,
                    out.state_reason_code().map_or("Failed", |c| c.as_str()),
                    out.state_reason()
                        .unwrap_or("the function failed")
                        .to_string(),
                ));
            }
            if out.last_update_status() == Some(&LastUpdateStatus::Failed) {
                return Err(ApiError::new(
                    ErrorKind::Invalid,
                    out.last_update_status_reason_code()
                        .map_or("Failed", |c| c.as_str()),
                    out.last_update_status_reason()
                        .unwrap_or("the update failed")
                        .to_string(),
                ));
            }
            let active = matches!(
                out.state(),
                None | Some(State::Active) | Some(State::ActiveNonInvocable)
            );
            let updated = matches!(
                out.last_update_status(),
                None | Some(LastUpdateStatus::Successful)
            );
            Ok((active && updated).then_some(()))
        },
    )
    .await
}

/// Lambda errors that mean "try again soon": a role not assumable yet (IAM propagation), or
/// an update still in progress.
fn settling(e: &ApiError) -> bool {
    iam_eventually_consistent(e)
        || e.code == "ResourceConflictException"
        || e.message.contains("does not have permissions")
}

async fn publish_version(clients: &AwsClients, name: &str) -> Result<()> {
    retry_while(
        &format!("Lambda function {name} to publish a version"),
        SETTLE_LIMIT,
        |e| e.code == "ResourceConflictException",
        || async { call(|| clients.lambda.publish_version().function_name(name).send()).await },
    )
    .await?;
    Ok(())
}

/// The state to record: what AWS has, with the arguments AWS does not store as planned.
fn with_local(read: Value, planned: &Value) -> Value {
    let keep = |n: &str| {
        planned
            .as_map()
            .and_then(|m| m.get(n))
            .filter(|v| v.is_known())
            .cloned()
            .unwrap_or(Value::Null)
    };
    with_attrs(
        read,
        [
            ("filename", keep("filename")),
            ("s3_bucket", keep("s3_bucket")),
            ("s3_key", keep("s3_key")),
            ("s3_object_version", keep("s3_object_version")),
            ("source_code_hash", keep("source_code_hash")),
            (
                "publish",
                Value::Bool(get_bool(planned, "publish").unwrap_or(false)),
            ),
            (
                "skip_destroy",
                Value::Bool(get_bool(planned, "skip_destroy").unwrap_or(false)),
            ),
        ],
    )
}

fn name_of(v: &Value) -> Result<&str> {
    get_str(v, "function_name")
        .or_else(|| get_str(v, "id"))
        .ok_or_else(|| ApiError::malformed("no function name in state"))
}

#[async_trait]
impl ResourceType for LambdaFunctionType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_id_format(&self) -> &'static str {
        "the function name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_function).await
    }

    /// One ListFunctions for every version of every function, tags from the shared
    /// GetResources; GetFunction for what those leave out.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let all = all_pages(
            |marker| {
                clients
                    .lambda
                    .list_functions()
                    .function_version(FunctionVersion::All)
                    .set_marker(marker)
                    .send()
            },
            |p| p.functions(),
            |p| p.next_marker(),
        )
        .await?;
        let tags = batch.tags(clients).await?;
        let mut latest: BTreeMap<&str, &FunctionConfiguration> = BTreeMap::new();
        let mut versions: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in &all {
            let name = f.function_name().unwrap_or_default();
            match f.version() {
                Some("$LATEST") | None => {
                    latest.insert(name, f);
                }
                Some(v) => versions.entry(name).or_default().push(v),
            }
        }
        let mut out = States::new();
        let mut one_by_one = Vec::new();
        for id in ids {
            let found = latest.get(id.as_str()).and_then(|c| {
                let arn = unqualified(c.function_arn()?, c.version());
                let tags = tags.get(&arn)?.clone();
                let image = c.package_type() == Some(&PackageType::Image);
                (!image).then(|| {
                    function_state(
                        c,
                        Extra {
                            latest_version: latest_version(
                                versions.get(id.as_str()).into_iter().flatten().copied(),
                            ),
                            image_uri: None,
                            tags,
                        },
                    )
                })
            });
            match found {
                Some(state) => {
                    out.insert(id.clone(), state);
                }
                None => one_by_one.push(id.clone()),
            }
        }
        out.extend(read_each(clients, &one_by_one, get_function).await?);
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        check_code(planned)?;
        let clients = ctx.clients;
        let name = name_of(planned)?;
        let code = function_code(planned, &clients.working_dir)?;
        let package_type = get_str(planned, "package_type").unwrap_or("Zip");
        let zip = package_type == "Zip";
        let tags = lambda_tags(&creation_tags(planned, ctx.extra_tags));
        let storage = ephemeral_storage(planned)?;
        let s = |n| get_str(planned, n).map(String::from);
        retry_while(
            &format!("Lambda function {name} to be created"),
            IAM_SETTLE_LIMIT,
            settling,
            || async {
                call(|| {
                    clients
                        .lambda
                        .create_function()
                        .function_name(name)
                        .role(get_str(planned, "role").unwrap_or_default())
                        .code(code.clone())
                        .package_type(PackageType::from(package_type))
                        .set_handler(s("handler").filter(|_| zip))
                        .set_runtime(
                            s("runtime")
                                .filter(|_| zip)
                                .map(|r| Runtime::from(r.as_str())),
                        )
                        .set_description(s("description"))
                        .set_memory_size(get_i32(planned, "memory_size"))
                        .set_timeout(get_i32(planned, "timeout"))
                        .publish(get_bool(planned, "publish").unwrap_or(false))
                        .set_kms_key_arn(s("kms_key_arn"))
                        .set_layers(Some(get_strings(planned, "layers")).filter(|l| !l.is_empty()))
                        .set_architectures(architectures(planned))
                        .set_environment(environment(planned))
                        .set_vpc_config(vpc_config(planned))
                        .set_dead_letter_config(dead_letter_config(planned))
                        .set_tracing_config(tracing_config(planned))
                        .set_ephemeral_storage(storage.clone())
                        .set_logging_config(logging_config(planned))
                        .set_tags(Some(tags.clone()))
                        .send()
                })
                .await
            },
        )
        .await?;
        wait_settled(clients, name).await?;
        Ok(with_local(
            read_created(self, clients, name).await?,
            planned,
        ))
    }

    /// The function's name is the configuration's; its tags say whose it is.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let name = name_of(planned)?;
        let out = call(|| clients.lambda.get_function().function_name(name).send()).await;
        let Some(out) = out.found()? else {
            return Ok(Vec::new());
        };
        let tags = out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        read_judged(self, clients, owner, vec![(name.to_string(), tags)]).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = name_of(prior)?;
        let arn = get_str(prior, "arn").ok_or_else(|| ApiError::malformed("no arn in state"))?;
        let configuration = CONFIGURATION_ARGUMENTS
            .iter()
            .any(|a| changed(prior, planned, a));
        if configuration {
            let s = |n: &str| {
                changed(prior, planned, n)
                    .then(|| get_str(planned, n).unwrap_or_default().to_string())
            };
            let storage = if changed(prior, planned, "ephemeral_storage") {
                ephemeral_storage(planned)?
            } else {
                None
            };
            let environment = changed(prior, planned, "environment").then(|| {
                environment(planned).unwrap_or_else(|| {
                    Environment::builder()
                        .set_variables(Some(HashMap::new()))
                        .build()
                })
            });
            let dead_letter = changed(prior, planned, "dead_letter_config").then(|| {
                dead_letter_config(planned)
                    .unwrap_or_else(|| DeadLetterConfig::builder().target_arn("").build())
            });
            let vpc = changed(prior, planned, "vpc_config").then(|| {
                vpc_config(planned).unwrap_or_else(|| {
                    VpcConfig::builder()
                        .set_subnet_ids(Some(vec![]))
                        .set_security_group_ids(Some(vec![]))
                        .ipv6_allowed_for_dual_stack(false)
                        .build()
                })
            });
            let number = |n: &str| {
                changed(prior, planned, n)
                    .then(|| get_i32(planned, n))
                    .flatten()
            };
            retry_while(
                &format!("Lambda function {name} configuration to be updated"),
                IAM_SETTLE_LIMIT,
                settling,
                || async {
                    call(|| {
                        clients
                            .lambda
                            .update_function_configuration()
                            .function_name(name)
                            .set_role(s("role"))
                            .set_handler(s("handler"))
                            .set_runtime(s("runtime").map(|r| Runtime::from(r.as_str())))
                            .set_description(s("description"))
                            .set_kms_key_arn(s("kms_key_arn"))
                            .set_memory_size(number("memory_size"))
                            .set_timeout(number("timeout"))
                            .set_layers(
                                changed(prior, planned, "layers")
                                    .then(|| get_strings(planned, "layers")),
                            )
                            .set_environment(environment.clone())
                            .set_vpc_config(vpc.clone())
                            .set_dead_letter_config(dead_letter.clone())
                            .set_tracing_config(
                                changed(prior, planned, "tracing_config")
                                    .then(|| tracing_config(planned))
                                    .flatten(),
                            )
                            .set_ephemeral_storage(storage.clone())
                            .set_logging_config(
                                changed(prior, planned, "logging_config")
                                    .then(|| logging_config(planned))
                                    .flatten(),
                            )
                            .send()
                    })
                    .await
                },
            )
            .await?;
            wait_settled(clients, name).await?;
        }
        let code = CODE_ARGUMENTS.iter().any(|a| changed(prior, planned, a));
        if code {
            check_code(planned)?;
            let c = function_code(planned, &clients.working_dir)?;
            let arch = changed(prior, planned, "architectures")
                .then(|| architectures(planned))
                .flatten();
            retry_while(
                &format!("Lambda function {name} code to be updated"),
                SETTLE_LIMIT,
                |e| e.code == "ResourceConflictException",
                || async {
                    call(|| {
                        clients
                            .lambda
                            .update_function_code()
                            .function_name(name)
                            .set_zip_file(c.zip_file().cloned())
                            .set_image_uri(c.image_uri().map(String::from))
                            .set_s3_bucket(c.s3_bucket().map(String::from))
                            .set_s3_key(c.s3_key().map(String::from))
                            .set_s3_object_version(c.s3_object_version().map(String::from))
                            .set_architectures(arch.clone())
                            .send()
                    })
                    .await
                },
            )
            .await?;
            wait_settled(clients, name).await?;
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.lambda,
            untag_resource,
            tag_resource,
            resource(arn),
            lambda_tags
        )
        .await?;
        let publish = get_bool(planned, "publish").unwrap_or(false);
        if publish && (code || configuration || changed(prior, planned, "publish")) {
            publish_version(clients, name).await?;
        }
        Ok(with_local(
            read_created(self, clients, name).await?,
            planned,
        ))
    }

    /// With `skip_destroy`, the function stays in AWS and only leaves the state.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        if get_bool(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let clients = ctx.clients;
        let name = name_of(prior)?;
        call(|| clients.lambda.delete_function().function_name(name).send())
            .await
            .ok_if_gone()?;
        wait_until(
            &format!("Lambda function {name} to be deleted"),
            Duration::from_secs(5),
            SETTLE_LIMIT,
            || async {
                let out = call(|| clients.lambda.get_function().function_name(name).send()).await;
                Ok(out.found()?.is_none().then_some(()))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_code_source_and_a_handler_for_zip() {
        let conf = |pairs: &[(&str, &str)]| {
            SCHEMA.conformed(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::string(*v)))
                    .chain([
                        ("function_name".to_string(), Value::string("f")),
                        ("role".to_string(), Value::string("arn:aws:iam::1:role/r")),
                    ]),
            )
        };
        let ok = conf(&[
            ("filename", "f.zip"),
            ("handler", "i.h"),
            ("runtime", "python3.12"),
        ]);
        assert!(check_code(&ok).is_ok());
        let both = conf(&[
            ("filename", "f.zip"),
            ("image_uri", "x"),
            ("handler", "i.h"),
            ("runtime", "python3.12"),
        ]);
        assert!(check_code(&both)
            .unwrap_err()
            .message
            .contains("`filename,image_uri`"));
        let none = conf(&[("handler", "i.h"), ("runtime", "python3.12")]);
        assert!(check_code(&none)
            .unwrap_err()
            .message
            .contains("none given"));
        let no_key = conf(&[
            ("s3_bucket", "b"),
            ("handler", "i.h"),
            ("runtime", "python3.12"),
        ]);
        assert!(check_code(&no_key).unwrap_err().message.contains("s3_key"));
        let no_handler = conf(&[("filename", "f.zip")]);
        assert_eq!(
            check_code(&no_handler).unwrap_err().message,
            "handler and runtime must be set when PackageType is Zip"
        );
        let image = conf(&[
            ("image_uri", "1.dkr.ecr.eu-west-1.amazonaws.com/f:1"),
            ("package_type", "Image"),
        ]);
        assert!(check_code(&image).is_ok());
    }

    /// What moto does not keep (dead-letter, logging and, on update, tracing settings) is
    /// sent as the provider sends it.
    #[test]
    fn nested_blocks_become_the_requests_settings() {
        let planned = SCHEMA.conformed([
            ("function_name", Value::string("f")),
            ("role", Value::string("r")),
            (
                "dead_letter_config",
                Value::List(vec![Value::map([(
                    "target_arn",
                    Value::string("arn:aws:sqs:eu-west-1:1:dlq"),
                )])]),
            ),
            (
                "tracing_config",
                Value::List(vec![Value::map([("mode", Value::string("Active"))])]),
            ),
            (
                "logging_config",
                Value::List(vec![Value::map([
                    ("log_format", Value::string("JSON")),
                    ("application_log_level", Value::string("INFO")),
                    ("system_log_level", Value::string("")),
                ])]),
            ),
            (
                "vpc_config",
                Value::List(vec![Value::map([
                    ("subnet_ids", Value::set(vec![Value::string("subnet-1")])),
                    (
                        "security_group_ids",
                        Value::set(vec![Value::string("sg-1")]),
                    ),
                ])]),
            ),
            (
                "ephemeral_storage",
                Value::List(vec![Value::map([("size", Value::number(1024.0))])]),
            ),
            ("architectures", Value::List(vec![Value::string("arm64")])),
        ]);
        assert_eq!(
            dead_letter_config(&planned).unwrap().target_arn(),
            Some("arn:aws:sqs:eu-west-1:1:dlq")
        );
        assert_eq!(
            tracing_config(&planned).unwrap().mode(),
            Some(&TracingMode::Active)
        );
        let logging = logging_config(&planned).unwrap();
        assert_eq!(logging.log_format(), Some(&LogFormat::Json));
        assert_eq!(
            logging.application_log_level(),
            Some(&ApplicationLogLevel::Info)
        );
        assert_eq!(logging.system_log_level(), None);
        let vpc = vpc_config(&planned).unwrap();
        assert_eq!(vpc.subnet_ids(), ["subnet-1"]);
        assert_eq!(vpc.ipv6_allowed_for_dual_stack(), Some(false));
        assert_eq!(ephemeral_storage(&planned).unwrap().unwrap().size(), 1024);
        assert_eq!(architectures(&planned), Some(vec![Architecture::Arm64]));
        // No variables is no environment, as the provider sends it.
        assert!(environment(&planned).is_none());
    }

    #[test]
    fn arns_as_the_provider_builds_them() {
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:web";
        assert_eq!(
            apigateway_arn(arn, "2015-03-31"),
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:web/invocations"
        );
        assert!(apigateway_arn(arn, "2021-11-15")
            .ends_with(":function:web/response-streaming-invocations"));
        assert_eq!(unqualified(&format!("{arn}:$LATEST"), Some("$LATEST")), arn);
        assert_eq!(unqualified(&format!("{arn}:3"), Some("3")), arn);
        assert_eq!(unqualified(arn, Some("$LATEST")), arn);
        assert_eq!(
            latest_version(["$LATEST", "2", "10", "9"].into_iter()),
            Some("10".into())
        );
        assert_eq!(latest_version(["$LATEST"].into_iter()), None);
    }

    #[test]
    fn the_state_reads_the_configuration_as_the_provider_does() {
        let c = FunctionConfiguration::builder()
            .function_name("web")
            .function_arn("arn:aws:lambda:eu-west-1:1:function:web")
            .version("$LATEST")
            .runtime(Runtime::from("python3.12"))
            .handler("index.handler")
            .role("arn:aws:iam::1:role/r")
            .memory_size(256)
            .timeout(10)
            .code_size(42)
            .code_sha256("abc=")
            .description("")
            .environment(
                aws_sdk_lambda::types::EnvironmentResponse::builder()
                    .variables("STAGE", "prod")
                    .build(),
            )
            .build();
        let mut tags = BTreeMap::new();
        tags.insert("ecsform:address".to_string(), "x".to_string());
        tags.insert("Team".to_string(), "web".to_string());
        let state = function_state(
            &c,
            Extra {
                latest_version: Some("2".into()),
                image_uri: None,
                tags,
            },
        );
        let m = state.as_map().unwrap();
        assert_eq!(m["id"], Value::string("web"));
        assert_eq!(m["version"], Value::string("2"));
        assert_eq!(
            m["qualified_arn"],
            Value::string("arn:aws:lambda:eu-west-1:1:function:web:2")
        );
        assert_eq!(m["description"], Value::Null);
        assert_eq!(m["package_type"], Value::string("Zip"));
        assert_eq!(m["source_code_size"], Value::number(42.0));
        assert_eq!(
            m["tracing_config"],
            Value::List(vec![Value::map([("mode", Value::string("PassThrough"))])])
        );
        assert_eq!(
            m["environment"],
            Value::List(vec![Value::map([(
                "variables",
                Value::map([("STAGE", Value::string("prod"))])
            )])])
        );
        assert_eq!(m["tags"], Value::map([("Team", Value::string("web"))]));
        assert_eq!(m["vpc_config"], Value::List(vec![]));
    }
}
