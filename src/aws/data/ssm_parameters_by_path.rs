//! `data "aws_ssm_parameters_by_path"`: every SSM parameter under `path` (below it too with
//! `recursive = true`), from every page of `GetParametersByPath`: their ARNs, names, types and
//! values as four lists in the same order, values decrypted unless `with_decryption = false`.
//! `values` is sensitive as a whole, as in the AWS provider. The id is the path.

use async_trait::async_trait;
use aws_sdk_ssm::types::Parameter;

use super::given;
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, state_object, strings};
use crate::provider::Schema;

pub struct SsmParametersByPath;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_ssm_parameters_by_path", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: path;
        optional Bool: recursive.default(Default::Bool(false));
        optional Bool: with_decryption.default(Default::Bool(true));
        computed String: id;
        computed StringList: arns names types values.sensitive();
    ],
    blocks: &[],
};

fn parameters_state(config: &Value, path: &str, found: &[Parameter]) -> Value {
    let each =
        |f: fn(&Parameter) -> Option<&str>| strings(found.iter().map(|p| f(p).unwrap_or("")));
    state_object(
        &SCHEMA,
        [
            given(config, "path"),
            given(config, "recursive"),
            given(config, "with_decryption"),
            ("id", Value::string(path)),
            ("arns", each(Parameter::arn)),
            ("names", each(Parameter::name)),
            ("types", each(|p| p.r#type().map(|t| t.as_str()))),
            ("values", each(Parameter::value).mark_sensitive(true)),
        ],
    )
}

#[async_trait]
impl DataSource for SsmParametersByPath {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let path = get_str(config, "path").unwrap_or_default();
        // The SDK has no item paginator for this call: every page, then their parameters.
        let pages: Vec<_> = call(|| {
            clients
                .ssm
                .get_parameters_by_path()
                .path(path)
                .recursive(get_bool(config, "recursive").unwrap_or(false))
                .with_decryption(get_bool(config, "with_decryption").unwrap_or(true))
                .into_paginator()
                .send()
                .try_collect()
        })
        .await?;
        let found: Vec<Parameter> = pages
            .iter()
            .flat_map(|page| page.parameters().iter().cloned())
            .collect();
        Ok(parameters_state(config, path, &found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ssm::types::ParameterType;

    #[test]
    fn four_lists_in_one_order_and_the_values_are_sensitive() {
        let config = SCHEMA.conformed([("path", Value::string("/app"))]);
        let found = [
            Parameter::builder()
                .name("/app/db")
                .r#type(ParameterType::SecureString)
                .value("s3cret")
                .arn("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db")
                .build(),
            Parameter::builder()
                .name("/app/host")
                .r#type(ParameterType::String)
                .value("db.internal")
                .build(),
        ];
        let s = parameters_state(&config, "/app", &found);
        let m = s.as_map().unwrap();
        assert_eq!(
            m["names"],
            Value::List(vec![Value::string("/app/db"), Value::string("/app/host")])
        );
        assert_eq!(
            m["types"],
            Value::List(vec![Value::string("SecureString"), Value::string("String")])
        );
        assert!(m["values"].contains_sensitive());
        assert!(!m["names"].contains_sensitive());
        assert_eq!(m["recursive"], Value::Bool(false));
        assert_eq!(m["with_decryption"], Value::Bool(true));
    }
}
