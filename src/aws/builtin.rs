//! Types that need no AWS: the resource `null_resource` (a placeholder whose `triggers` force
//! replacement, as in Terraform's null provider) and the data source `template_file` (the
//! template provider's, rendered from its arguments alone).

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;

use super::{Adoption, CallContext, Candidate, DataSource, LocalRead, Owner, ResourceType};
use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::Declaration;
use crate::diag::{Diagnostic, Sources};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::state_object;
use crate::provider::Schema;

pub struct NullResource;

/// The template provider's `template_file` data source: `template` rendered with `vars` as
/// `templatefile` renders a file. It has no AWS side: evaluation renders it
/// ([`DataSource::read_locally`]).
pub struct TemplateFile;

static TEMPLATE_FILE_TYPE: DataDeclaration = DataDeclaration::new("template_file", &TEMPLATE_FILE);

static TEMPLATE_FILE: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        optional String: template filename;
        optional StringMap: vars;
        computed String: rendered;
    ],
    blocks: &[],
};

static NULL_RESOURCE: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        optional StringMap: triggers.force_new();
    ],
    blocks: &[],
};

static NULL_RESOURCE_TYPE: Declaration =
    Declaration::new("null_resource", &NULL_RESOURCE, Adoption::NotInAws);

#[async_trait]
impl ResourceType for NullResource {
    fn declaration(&self) -> &'static Declaration {
        &NULL_RESOURCE_TYPE
    }

    fn refreshes(&self) -> bool {
        false
    }

    async fn read_many(&self, _: &AwsClients, _: &[String]) -> Result<States> {
        Ok(BTreeMap::new())
    }

    async fn create(&self, _: &CallContext<'_>, planned: &Value) -> Result<Value> {
        // Terraform's null provider uses a random decimal id.
        let id = (uuid::Uuid::new_v4().as_u128() % 10u128.pow(19)).to_string();
        let triggers = planned
            .as_map()
            .and_then(|m| m.get("triggers"))
            .cloned()
            .unwrap_or(Value::Null);
        Ok(state_object(
            &NULL_RESOURCE,
            [("id", Value::String(id)), ("triggers", triggers)],
        ))
    }

    async fn find_created(
        &self,
        _: &AwsClients,
        _: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        Ok(Vec::new())
    }

    async fn update(&self, _: &CallContext<'_>, _: &Value, planned: &Value) -> Result<Value> {
        Ok(planned.clone())
    }

    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<()> {
        Ok(())
    }

    /// As in Terraform's null provider: there is no object to import; `apply` creates one
    /// without calling anything.
    fn importable(&self) -> bool {
        false
    }
}

#[async_trait]
impl DataSource for TemplateFile {
    fn declaration(&self) -> &'static DataDeclaration {
        &TEMPLATE_FILE_TYPE
    }

    fn read_locally(
        &self,
        config: &Value,
        ctx: &LocalRead<'_>,
    ) -> Option<Result<Value, Diagnostic>> {
        Some(rendered(ctx, config))
    }

    /// The same rendering outside an evaluation (impure functions get their values); ecsform
    /// itself renders during evaluation.
    async fn read(&self, _: &AwsClients, config: &Value) -> Result<Value> {
        let ctx = LocalRead {
            sources: &Sources::default(),
            pure_only: false,
            root_dir: Path::new("."),
            state_outputs: crate::aws::resource_type::no_state_outputs,
        };
        rendered(&ctx, config)
            .map_err(|d| ApiError::new(ErrorKind::Invalid, d.summary.clone(), d.detail.clone()))
    }
}

/// The configuration as evaluated (not conformed: Terraform 0.11's `vars { ... }` block stays
/// as written) with `rendered` added; `rendered` is unknown while the template or a variable
/// is.
fn rendered(ctx: &LocalRead<'_>, config: &Value) -> Result<Value, Diagnostic> {
    let rendered = render(ctx.sources, ctx.pure_only, config)
        .map_err(|msg| Diagnostic::error("Error rendering template_file", msg))?;
    let mut value = config.clone();
    if let Value::Map(m) = &mut value {
        m.insert("rendered".into(), rendered);
    }
    Ok(value)
}

/// The `rendered` attribute for the arguments in `config`.
fn render(sources: &Sources, pure_only: bool, config: &Value) -> Result<Value, String> {
    let map = config.as_map().cloned().unwrap_or_default();
    let template = map.get("template").cloned().unwrap_or(Value::Null);
    // `vars = {...}` or the 0.11-style `vars { ... }` block.
    let vars = match map.get("vars").map(Value::unmarked) {
        Some(Value::List(blocks)) => blocks
            .first()
            .cloned()
            .unwrap_or(Value::Map(BTreeMap::new())),
        Some(v) => v.clone(),
        None => Value::Map(BTreeMap::new()),
    };
    if !template.is_known() || !vars.is_wholly_known() {
        return Ok(Value::Unknown);
    }
    let sensitive = template.contains_sensitive() || vars.contains_sensitive();
    let (template, _) = template.unmark_deep();
    let Some(src) = template.as_str() else {
        return Err("The \"template\" argument is required and must be a string.".into());
    };
    let (vars, _) = vars.unmark_deep();
    let Some(vars) = vars.as_map() else {
        return Err("The \"vars\" argument must be a map.".into());
    };
    let rendered = crate::lang::eval::render_template_file(
        sources,
        src,
        Path::new("template_file"),
        vars,
        pure_only,
    )?;
    Ok(rendered.mark_sensitive(sensitive))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(config: Value) -> Result<Value, Diagnostic> {
        let ctx = LocalRead {
            sources: &Sources::default(),
            pure_only: true,
            root_dir: Path::new("."),
            state_outputs: crate::aws::resource_type::no_state_outputs,
        };
        TemplateFile.read_locally(&config, &ctx).unwrap()
    }

    #[test]
    fn template_file_renders_its_vars_into_the_configuration() {
        // Terraform 0.11's `vars { ... }` block is a list of one object, and stays one.
        let vars = Value::List(vec![Value::map([("name", Value::string("web"))])]);
        let got = read(Value::map([
            ("template", Value::string("cluster=${name}")),
            ("vars", vars.clone()),
        ]))
        .unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["rendered"], Value::string("cluster=web"));
        assert_eq!(m["vars"], vars);
        // Unknown until apply while a variable is.
        let got = read(Value::map([
            ("template", Value::string("cluster=${name}")),
            ("vars", Value::map([("name", Value::Unknown)])),
        ]))
        .unwrap();
        assert_eq!(got.as_map().unwrap()["rendered"], Value::Unknown);
        let e = read(Value::map([("vars", Value::Map(BTreeMap::new()))])).unwrap_err();
        assert_eq!(e.summary, "Error rendering template_file");
        assert!(
            e.detail.contains("\"template\" argument is required"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn only_the_data_sources_without_aws_calls_are_read_locally() {
        let ctx = LocalRead {
            sources: &Sources::default(),
            pure_only: true,
            root_dir: Path::new("."),
            state_outputs: crate::aws::resource_type::no_state_outputs,
        };
        for ds in crate::aws::DATA_SOURCES {
            let local = ds
                .read_locally(&Value::Map(BTreeMap::new()), &ctx)
                .is_some();
            let without_aws = [
                "template_file",
                "cloudinit_config",
                "template_cloudinit_config",
                "terraform_remote_state",
                "local_file",
                "archive_file",
            ];
            assert_eq!(
                local,
                without_aws.contains(&ds.type_name()),
                "{}",
                ds.type_name()
            );
        }
    }
}
