//! `aws_lambda_permission`: one statement of a Lambda function's resource policy, added with
//! AddPermission and removed with RemovePermission. Its id is the statement id (`statement_id`,
//! or one made from `statement_id_prefix`, "terraform-" by default, pinned before the call so
//! that an interrupted create is found again by its arguments); every argument forces a new
//! permission, as in the provider. The import ID is the provider's,
//! `FUNCTION_NAME/STATEMENT_ID` (or `FUNCTION_NAME:QUALIFIER/STATEMENT_ID`).
//!
//! Reads take the function's policy (GetPolicy) and find the statement, reading it back as the
//! provider does: the principal from `Principal` (`AWS` or `Service`), `source_arn` from the
//! `ArnLike` condition, `source_account`, `principal_org_id`, `event_source_token` and
//! `function_url_auth_type` from `StringEquals`, `invoked_via_function_url` from `Bool`, the
//! function name and qualifier from the statement's `Resource`. A statement id alone does not
//! say whose policy it is in, so refresh reads each permission through the function its state
//! records ([`ResourceType::read_recorded`]), one GetPolicy per function and qualifier for all
//! of its permissions. Reads by id alone (an import, after the import ID named the function;
//! finding an interrupted create) look through the functions of the account.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_lambda::types::FunctionUrlAuthType;
use serde_json::Value as Json;

use super::{read_created, retry_while};
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, OrGone, Result};
use crate::aws::paged::all_pages;
use crate::aws::resource_type::States;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::values::{get_bool, get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct LambdaPermissionType;

static DECLARATION: Declaration = Declaration::new(
    "aws_lambda_permission",
    &SCHEMA,
    Adoption::Arguments,
)
.generated_name("statement_id", "statement_id_prefix", "terraform-");

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: action.force_new() function_name.force_new() principal.force_new();
        optional String: event_source_token.force_new() function_url_auth_type.force_new()
            principal_org_id.force_new() qualifier.force_new() source_account.force_new()
            source_arn.force_new();
        optional Bool: invoked_via_function_url.force_new();
        optional_computed String: statement_id.force_new() statement_id_prefix.force_new();
    ],
    blocks: &[],
};

/// How long a function created a moment ago may be unknown to AddPermission, or a policy
/// change in progress (the provider's `lambdaPropagationTimeout`).
const PROPAGATION: Duration = Duration::from_secs(5 * 60);

/// The provider's import ID, split: function name, qualifier, statement id.
fn parse_import_id(id: &str) -> std::result::Result<(String, Option<String>, String), String> {
    let parts: Vec<&str> = id.split('/').collect();
    if parts.len() != 2 || parts[0].is_empty() || parts[1].is_empty() {
        return Err(format!(
            "Unexpected format of ID ({id:?}), expected FUNCTION_NAME/STATEMENT_ID or FUNCTION_NAME:QUALIFIER/STATEMENT_ID"
        ));
    }
    let (function, qualifier) = match parts[0].split_once(':') {
        Some((f, q)) if !parts[0].starts_with("arn:") => (f.to_string(), Some(q.to_string())),
        _ => (parts[0].to_string(), None),
    };
    Ok((function, qualifier, parts[1].to_string()))
}

/// The function name and qualifier of a statement's `Resource` ARN
/// (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`).
fn function_of(resource: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = resource.split(':').collect();
    match parts.as_slice() {
        [.., "function", name] => (name.to_string(), None),
        [.., "function", name, qualifier] => (name.to_string(), Some(qualifier.to_string())),
        _ => (resource.to_string(), None),
    }
}

/// A condition value of a statement (`Condition.<operator>.<key>`), case-insensitively on the
/// key as IAM reads it.
fn condition<'a>(statement: &'a Json, operator: &str, key: &str) -> Option<&'a str> {
    statement
        .get("Condition")?
        .get(operator)?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))?
        .1
        .as_str()
}

/// The permission's state from its statement; `configured_function` is the `function_name` the
/// state has (an ARN stays an ARN, as in the provider).
fn permission_state(statement: &Json, configured_function: Option<&str>) -> Value {
    let sid = statement
        .get("Sid")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let resource = statement
        .get("Resource")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let (name, qualifier) = function_of(resource);
    let function_name = match configured_function {
        Some(f) if f.starts_with("arn:") => match &qualifier {
            Some(q) => resource
                .strip_suffix(&format!(":{q}"))
                .unwrap_or(resource)
                .to_string(),
            None => resource.to_string(),
        },
        _ => name,
    };
    let principal = match statement.get("Principal") {
        Some(Json::Object(p)) => p
            .get("AWS")
            .or_else(|| p.get("Service"))
            .and_then(Json::as_str)
            .map(String::from),
        Some(Json::String(s)) => Some(s.clone()),
        _ => None,
    };
    let action = match statement.get("Action") {
        Some(Json::String(a)) => Some(a.clone()),
        Some(Json::Array(a)) => a.first().and_then(Json::as_str).map(String::from),
        _ => None,
    };
    let invoked = condition(statement, "Bool", "lambda:InvokedViaFunctionUrl")
        .map(|v| Value::Bool(v.eq_ignore_ascii_case("true")))
        .unwrap_or(Value::Null);
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(sid)),
            ("statement_id", Value::string(sid)),
            (
                "statement_id_prefix",
                opt_str(super::prefix_of_unique_name(sid)),
            ),
            ("function_name", Value::string(function_name)),
            ("qualifier", opt_str(qualifier)),
            ("action", opt_str(action)),
            ("principal", opt_str(principal)),
            (
                "source_arn",
                opt_str(condition(statement, "ArnLike", "AWS:SourceArn")),
            ),
            (
                "source_account",
                opt_str(condition(statement, "StringEquals", "AWS:SourceAccount")),
            ),
            (
                "principal_org_id",
                opt_str(condition(statement, "StringEquals", "aws:PrincipalOrgID")),
            ),
            (
                "event_source_token",
                opt_str(condition(
                    statement,
                    "StringEquals",
                    "lambda:EventSourceToken",
                )),
            ),
            (
                "function_url_auth_type",
                opt_str(condition(
                    statement,
                    "StringEquals",
                    "lambda:FunctionUrlAuthType",
                )),
            ),
            ("invoked_via_function_url", invoked),
        ],
    )
}

/// The statements of a function's policy (for `qualifier`), none when the function or its
/// policy does not exist.
async fn statements(
    clients: &AwsClients,
    function: &str,
    qualifier: Option<&str>,
) -> Result<Vec<Json>> {
    let out = call(|| {
        clients
            .lambda
            .get_policy()
            .function_name(function)
            .set_qualifier(qualifier.map(String::from))
            .send()
    })
    .await;
    let Some(out) = out.found()? else {
        return Ok(Vec::new());
    };
    let policy: Json = serde_json::from_str(out.policy().unwrap_or("{}"))
        .map_err(|e| ApiError::malformed(format!("GetPolicy of {function}: {e}")))?;
    Ok(match policy.get("Statement") {
        Some(Json::Array(s)) => s.clone(),
        Some(s @ Json::Object(_)) => vec![s.clone()],
        _ => Vec::new(),
    })
}

/// The permission `sid` of `function`, if its policy has it.
async fn read_statement(
    clients: &AwsClients,
    function: &str,
    qualifier: Option<&str>,
    sid: &str,
) -> Result<Option<Value>> {
    Ok(statements(clients, function, qualifier)
        .await?
        .iter()
        .find(|s| s.get("Sid").and_then(Json::as_str) == Some(sid))
        .map(|s| permission_state(s, Some(function))))
}

/// The functions of the account whose policies have statement `sid` (one ListFunctions, a
/// GetPolicy per function).
async fn search(clients: &AwsClients, sid: &str) -> Result<Vec<Value>> {
    let functions = all_pages(
        |marker| clients.lambda.list_functions().set_marker(marker).send(),
        |p| p.functions(),
        |p| p.next_marker(),
    )
    .await?;
    let mut found = Vec::new();
    for f in &functions {
        let Some(name) = f.function_name() else {
            continue;
        };
        for s in statements(clients, name, None).await? {
            if s.get("Sid").and_then(Json::as_str) == Some(sid) {
                found.push(permission_state(&s, None));
            }
        }
    }
    Ok(found)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidConfiguration", message)
}

#[async_trait]
impl ResourceType for LambdaPermissionType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_id_format(&self) -> &'static str {
        "`FUNCTION_NAME/STATEMENT_ID` (or `FUNCTION_NAME:QUALIFIER/STATEMENT_ID`)"
    }

    /// The statement id, once the function's policy shows it.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (function, qualifier, sid) = parse_import_id(id).map_err(ImportIdError::Malformed)?;
        if read_statement(clients, &function, qualifier.as_deref(), &sid)
            .await?
            .is_none()
        {
            return Err(ImportIdError::NotFound);
        }
        Ok(sid)
    }

    /// The function (and qualifier) the import ID names: the import reads the permission
    /// through them ([`ResourceType::read_recorded`]), as refresh does.
    fn import_id_arguments(&self, import_id: &str) -> Vec<(&'static str, Value)> {
        match parse_import_id(import_id) {
            Ok((function, qualifier, _)) => vec![
                ("function_name", Value::string(function)),
                ("qualifier", opt_str(qualifier.as_deref())),
            ],
            Err(_) => Vec::new(),
        }
    }

    /// By statement id alone: every function of the account (refresh and import read through
    /// the recorded function instead, [`ResourceType::read_recorded`]); a statement id found in
    /// several functions' policies is an error naming them.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut out = States::new();
        for sid in ids {
            let found = search(clients, sid).await?;
            match found.as_slice() {
                [] => {}
                [one] => {
                    out.insert(sid.clone(), one.clone());
                }
                many => {
                    let names: Vec<&str> = many
                        .iter()
                        .filter_map(|v| get_str(v, "function_name"))
                        .collect();
                    return Err(invalid(format!(
                        "the statement id {sid:?} is in the policies of several functions ({}); import it with FUNCTION_NAME/STATEMENT_ID",
                        names.join(", ")
                    )));
                }
            }
        }
        Ok(out)
    }

    fn reads_recorded(&self) -> bool {
        true
    }

    /// One GetPolicy per function and qualifier, for all of its permissions.
    async fn read_recorded(
        &self,
        clients: &AwsClients,
        recorded: &[Value],
    ) -> Result<Vec<Option<Value>>> {
        let mut policies: BTreeMap<(String, Option<String>), Vec<Json>> = BTreeMap::new();
        let mut out = Vec::with_capacity(recorded.len());
        for r in recorded {
            let function = get_str(r, "function_name").unwrap_or_default().to_string();
            let qualifier = get_str(r, "qualifier").map(String::from);
            let key = (function.clone(), qualifier.clone());
            if !policies.contains_key(&key) {
                let s = statements(clients, &function, qualifier.as_deref()).await?;
                policies.insert(key.clone(), s);
            }
            let sid = get_str(r, "id");
            out.push(
                policies[&key]
                    .iter()
                    .find(|s| s.get("Sid").and_then(Json::as_str) == sid)
                    .map(|s| permission_state(s, Some(&function))),
            );
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let function = get_str(planned, "function_name").unwrap_or_default();
        let sid = get_str(planned, "statement_id")
            .ok_or_else(|| invalid("no statement_id (it is pinned before the create)"))?;
        let qualifier = get_str(planned, "qualifier");
        let s = |n| get_str(planned, n).map(String::from);
        // A function created a moment ago, or another change of its policy in progress.
        retry_while(
            &format!("Lambda permission {function}/{sid} to be added"),
            PROPAGATION,
            |e| e.code == "ResourceConflictException" || e.is_not_found(),
            || async {
                call(|| {
                    clients
                        .lambda
                        .add_permission()
                        .function_name(function)
                        .statement_id(sid)
                        .set_action(s("action"))
                        .set_principal(s("principal"))
                        .set_event_source_token(s("event_source_token"))
                        .set_function_url_auth_type(
                            s("function_url_auth_type")
                                .map(|t| FunctionUrlAuthType::from(t.as_str())),
                        )
                        .set_invoked_via_function_url(get_bool(planned, "invoked_via_function_url"))
                        .set_principal_org_id(s("principal_org_id"))
                        .set_qualifier(s("qualifier"))
                        .set_source_account(s("source_account"))
                        .set_source_arn(s("source_arn"))
                        .send()
                })
                .await
            },
        )
        .await?;
        let read = crate::aws::error::wait_until(
            &format!("Lambda permission {function}/{sid} to become visible"),
            Duration::from_secs(1),
            Duration::from_secs(60),
            || read_statement(clients, function, qualifier, sid),
        )
        .await?;
        Ok(keep_configured(read, planned))
    }

    /// The permission its arguments name, if the function's policy has it.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let (Some(function), Some(sid)) = (
            get_str(planned, "function_name"),
            get_str(planned, "statement_id"),
        ) else {
            return Ok(Vec::new());
        };
        let found = read_statement(clients, function, get_str(planned, "qualifier"), sid).await?;
        Ok(found
            .map(|v| Candidate::Ours(keep_configured(v, planned)))
            .into_iter()
            .collect())
    }

    /// Every argument forces a new permission: nothing changes in place.
    async fn update(
        &self,
        ctx: &CallContext<'_>,
        prior: &Value,
        _planned: &Value,
    ) -> Result<Value> {
        let id = get_str(prior, "id").unwrap_or_default();
        read_created(self, ctx.clients, id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let function = get_str(prior, "function_name").unwrap_or_default();
        let sid = get_str(prior, "id").unwrap_or_default();
        let qualifier = get_str(prior, "qualifier");
        retry_while(
            &format!("Lambda permission {function}/{sid} to be removed"),
            PROPAGATION,
            |e| e.code == "ResourceConflictException",
            || async {
                call(|| {
                    clients
                        .lambda
                        .remove_permission()
                        .function_name(function)
                        .statement_id(sid)
                        .set_qualifier(qualifier.map(String::from))
                        .send()
                })
                .await
                .ok_if_gone()
            },
        )
        .await
    }
}

/// The state read back, with what the policy cannot tell as configured: the
/// `event_source_token` (AWS keeps it in a condition, moto drops it) and
/// `invoked_via_function_url` when unset.
fn keep_configured(read: Value, planned: &Value) -> Value {
    let mut m = read.as_map().cloned().unwrap_or_default();
    if let Some(p) = planned.as_map() {
        for name in ["event_source_token", "invoked_via_function_url"] {
            if m.get(name).is_none_or(Value::is_null) {
                if let Some(v) = p.get(name).filter(|v| v.is_known()) {
                    m.insert(name.to_string(), v.clone());
                }
            }
        }
    }
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_are_the_providers() {
        assert_eq!(
            parse_import_id("web/AllowApiGateway").unwrap(),
            ("web".to_string(), None, "AllowApiGateway".to_string())
        );
        assert_eq!(
            parse_import_id("web:live/AllowApiGateway").unwrap(),
            (
                "web".to_string(),
                Some("live".to_string()),
                "AllowApiGateway".to_string()
            )
        );
        for bad in ["web", "web/", "/sid", "a/b/c"] {
            assert!(
                parse_import_id(bad)
                    .unwrap_err()
                    .contains("expected FUNCTION_NAME/STATEMENT_ID"),
                "{bad}"
            );
        }
    }

    #[test]
    fn statements_read_back_as_the_provider_reads_them() {
        let statement: Json = serde_json::json!({
            "Sid": "terraform-20260101000000000000000001",
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:web:live",
            "Condition": {
                "ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:eu-west-1:123456789012:abc/*"},
                "StringEquals": {"AWS:SourceAccount": "123456789012"}
            }
        });
        let state = permission_state(&statement, Some("web"));
        let m = state.as_map().unwrap();
        assert_eq!(
            m["id"],
            Value::string("terraform-20260101000000000000000001")
        );
        assert_eq!(m["statement_id_prefix"], Value::string("terraform-"));
        assert_eq!(m["function_name"], Value::string("web"));
        assert_eq!(m["qualifier"], Value::string("live"));
        assert_eq!(m["principal"], Value::string("apigateway.amazonaws.com"));
        assert_eq!(m["source_account"], Value::string("123456789012"));
        assert!(get_str(&state, "source_arn").unwrap().ends_with("abc/*"));
        // A function given by ARN keeps its ARN, without the qualifier.
        let state = permission_state(
            &statement,
            Some("arn:aws:lambda:eu-west-1:123456789012:function:web"),
        );
        assert_eq!(
            get_str(&state, "function_name"),
            Some("arn:aws:lambda:eu-west-1:123456789012:function:web")
        );
    }
}
