//! Loading a working directory end to end: configuration, variable values, the configuration
//! graph and the evaluation walk. Commands call [`load`]; they never reach into the stages.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::addrs::{ResourceInstanceAddr, ResourceKey};
use crate::aws;
use crate::config::inputs::{self, VarArg};
use crate::config::{self, BodyExpr, Expr, Mode, Module, ModulePath, Resource};
use crate::diag::{Diagnostic, Diagnostics, Sources, Span};
use crate::graph::build;
use crate::graph::walk::{self, Evaluated, InstanceHook, Settings};
pub use crate::graph::Loaded;
use crate::lang::eval::{EmptyScope, Evaluator};
use crate::lang::Value;
use hcl::edit::Span as _;

pub use crate::lang::TERRAFORM_LANGUAGE_VERSION;

/// Providers whose resource types ecsform implements (all but `aws` as built-ins: types with
/// no AWS side).
const SUPPORTED_PROVIDERS: &[&str] = &[
    "archive",
    "aws",
    "cloudinit",
    "local",
    "null",
    "random",
    "template",
    "tls",
];

/// "the aws, null, random and template providers", for messages.
fn supported_providers() -> String {
    match SUPPORTED_PROVIDERS.split_last() {
        Some((last, rest)) => format!("the {} and {last} providers", rest.join(", ")),
        None => String::new(),
    }
}

/// What to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The root module directory (the working directory after `-chdir`).
    pub dir: PathBuf,
    /// `-var` and `-var-file` in command-line order.
    pub vars: Vec<VarArg>,
    /// Environment variables (only `TF_VAR_*` are used).
    pub env: Vec<(String, String)>,
}

/// The instance values of the first evaluation (`validate`, and every command before it plans):
/// each instance's configuration in its type's shape — every argument, block and exported
/// attribute of the schema, with its configured value, its default, or unknown (computed) —
/// so that references to attributes the schema does not have are errors wherever the value
/// flows. What does not fit the schema is reported here, at the argument.
#[derive(Default)]
struct SchemaValues {
    diags: Diagnostics,
}

impl InstanceHook for SchemaValues {
    fn instance(
        &mut self,
        addr: &ResourceInstanceAddr,
        config: &Value,
        res: &Resource,
    ) -> Result<Value, Diagnostic> {
        let key = &addr.resource;
        let schema = match key.mode {
            Mode::Managed => aws::resource_type(&key.type_name).map(|t| t.schema()),
            Mode::Data => aws::data_source(&key.type_name).map(|t| t.schema()),
        };
        // An unsupported type is reported once, at its label: nothing is known of its values.
        let Some(schema) = schema else {
            return Ok(Value::Unknown);
        };
        let (value, errors) = schema.conform_partial(config);
        for e in errors {
            let at = res.config.locate(&e.path).or_else(|| res.span.clone());
            let name = e.path.last().map(String::as_str).unwrap_or_default();
            let d = if e.unexpected && res.config.is_block(&e.path) {
                Diagnostic::error(
                    "Unsupported block type",
                    format!("Blocks of type \"{name}\" are not expected here."),
                )
            } else if res.config.is_block(&e.path) && schema.is_attribute_path(&e.path) {
                // An argument written as a block (`tags { ... }`, Terraform 0.11's syntax).
                Diagnostic::error(
                    "Unsupported block type",
                    format!("Blocks of type \"{name}\" are not expected here. Did you mean to define argument \"{name}\"? If so, use the equals sign to assign it a value."),
                )
            } else {
                Diagnostic::error(e.summary, e.detail)
            };
            self.diags.push(d.at(at));
        }
        Ok(value)
    }
}

/// Loads, checks and evaluates the configuration in `opts.dir`. Every problem found is in
/// `diags`; evaluation is skipped when the configuration is structurally broken.
pub fn load(opts: &LoadOptions) -> Loaded {
    let sources = Sources::default();
    let dir = opts.dir.canonicalize().unwrap_or_else(|_| opts.dir.clone());
    let (module, mut diags) = config::load_root(&dir, &sources);
    check_requirements(&module, &sources, &mut diags);
    let inputs = inputs::collect(&dir, &opts.vars, &opts.env, &sources, &mut diags);
    let (config_graph, graph_diags) = build::build(&module);
    diags.extend(graph_diags);
    crate::timings::mark("configuration parsed");
    // Unsupported types do not stop evaluation: the other mistakes are worth reporting too,
    // and whether a block of such a type matters depends on its instances.
    let evaluate = !diags.has_errors();
    let evaluated = if !evaluate {
        Evaluated::default()
    } else {
        let settings = Settings {
            sources: &sources,
            root_dir: &dir,
            inputs: &inputs,
            defer_unknown_expansion: true,
            pure_only: true,
        };
        let mut hook = SchemaValues::default();
        let (evaluated, eval_diags) =
            walk::evaluate_with(&module, &config_graph, &settings, &mut hook);
        diags.extend(eval_diags);
        diags.extend(hook.diags);
        diags.extend(validate_instances(
            evaluated.instances.values().map(|i| (&i.addr, &i.config)),
            &module,
        ));
        evaluated
    };
    diags.extend(check_types(&module, evaluate.then_some(&evaluated)));
    diags.sort();
    Loaded {
        sources,
        dir,
        inputs,
        module,
        config_graph,
        evaluated,
        diags,
    }
}

/// Arguments and blocks of `provider "aws"` (those of the AWS provider that matter to
/// ecsform, plus the ones it accepts and ignores).
const AWS_PROVIDER_ARGUMENTS: &[&str] = &[
    "access_key",
    "alias",
    "allowed_account_ids",
    "assume_role",
    "assume_role_with_web_identity",
    "custom_ca_bundle",
    "default_tags",
    "ec2_metadata_service_endpoint",
    "endpoints",
    "forbidden_account_ids",
    "http_proxy",
    "ignore_tags",
    "insecure",
    "max_retries",
    "profile",
    "region",
    "retry_mode",
    "secret_key",
    "shared_config_files",
    "shared_credentials_files",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "skip_requesting_account_id",
    "sts_region",
    "token",
    "version",
];

/// `provider` blocks: only supported providers, only known `aws` arguments.
fn check_providers(root: &Module, diags: &mut Diagnostics) {
    for (_, module) in root.walk() {
        for p in &module.providers {
            if !SUPPORTED_PROVIDERS.contains(&p.name.as_str()) {
                diags.push(
                    Diagnostic::error(
                        "Unsupported provider",
                        format!(
                            "Provider \"{}\" is not supported: ecsform implements only {}.",
                            p.name,
                            supported_providers()
                        ),
                    )
                    .at(p.span.clone()),
                );
                continue;
            }
            if p.name != "aws" {
                continue;
            }
            for s in p.body.body.iter() {
                let (key, span) = match s {
                    hcl::edit::structure::Structure::Attribute(a) => (a.key.as_str(), a.key.span()),
                    hcl::edit::structure::Structure::Block(b) => (b.ident.as_str(), b.ident.span()),
                };
                if !AWS_PROVIDER_ARGUMENTS.contains(&key) {
                    let mut d = Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument or block named \"{key}\" is not expected in provider \"aws\"."),
                    )
                    .at(span.map(|r| crate::diag::Span::new(p.body.file, r)));
                    if let Some(s) = crate::lang::eval::suggest(key, AWS_PROVIDER_ARGUMENTS) {
                        d = d.hint(format!("Did you mean \"{s}\"?"));
                    }
                    diags.push(d);
                }
            }
        }
    }
}

/// What the resource types find wrong in their instances' configurations beyond their schemas
/// ([`aws::ResourceType::validate`]), each mistake at the argument it is about; a block
/// repeated by `count` or `for_each` is reported once.
fn validate_instances<'a>(
    instances: impl Iterator<Item = (&'a ResourceInstanceAddr, &'a Value)>,
    root: &Module,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut seen = std::collections::BTreeSet::new();
    for (addr, config) in instances {
        if addr.is_data() {
            continue;
        }
        let Some(rt) = aws::resource_type(&addr.resource.type_name) else {
            continue;
        };
        let errors = rt.validate(config);
        if errors.is_empty() {
            continue;
        }
        let resource = root
            .descendant(&addr.module.path())
            .and_then(|m| m.resources.get(&addr.resource));
        for e in errors {
            let span = resource.and_then(|r| {
                argument_span(&r.config, e.block, e.argument).or_else(|| r.span.clone())
            });
            if !seen.insert((format!("{span:?}"), e.message.clone())) {
                continue;
            }
            diags.push(
                Diagnostic::error(
                    format!("Invalid {} block", e.block),
                    format!("{addr}: {}", e.message),
                )
                .at(span),
            );
        }
    }
    diags
}

/// Where `argument` of the block `name` is written (the block itself for "").
fn argument_span(config: &BodyExpr, name: &str, argument: &str) -> Option<Span> {
    use hcl::edit::structure::Structure;
    let block = config.body.iter().find_map(|s| match s {
        Structure::Block(b) if b.ident.as_str() == name => Some(b),
        _ => None,
    })?;
    let range = block
        .body
        .iter()
        .find_map(|s| match s {
            Structure::Attribute(a) if a.key.as_str() == argument => a.value.span(),
            _ => None,
        })
        .or_else(|| block.ident.span())?;
    Some(Span::new(config.file, range))
}

/// Blocks of types ecsform does not implement. Published modules declare optional resources
/// behind `count = var.create_x ? 1 : 0`: such a block is an error (at its type label, once
/// per block) only when it has instances; the types of those without any are named in one
/// warning. Without an evaluation (the configuration is broken elsewhere), only blocks that
/// always have an instance — no `count` or `for_each` on them or on a module call above them —
/// are reported.
fn check_types(root: &Module, evaluated: Option<&Evaluated>) -> Diagnostics {
    let instantiated: HashSet<(ModulePath, &ResourceKey)> = evaluated
        .map(|e| {
            e.instances
                .keys()
                .map(|a| {
                    (
                        a.module.0.iter().map(|(n, _)| n.clone()).collect(),
                        &a.resource,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut diags = Diagnostics::new();
    // Blocks without instances, by mode and type, with where the first one is.
    let mut idle: Vec<(&ResourceKey, Option<Span>)> = Vec::new();
    for (path, module) in root.walk() {
        for (key, res) in &module.resources {
            let span = res.type_span.as_ref().or(res.span.as_ref());
            let Err(d) = crate::plan::build::schema_for(key, span) else {
                continue;
            };
            let has_instances = match evaluated {
                Some(_) => instantiated.contains(&(path.clone(), key)),
                None => {
                    res.count.is_none()
                        && res.for_each.is_none()
                        && always_instantiated(root, &path)
                }
            };
            if has_instances {
                diags.push(d);
            } else if evaluated.is_some() {
                idle.push((key, span.cloned()));
            }
        }
    }
    // A type already reported as an error (another block, or the same block in another
    // module call) is not named again.
    let reported: HashSet<(&Mode, &str)> = instantiated
        .iter()
        .map(|(_, k)| (&k.mode, k.type_name.as_str()))
        .collect();
    idle.retain(|(k, _)| !reported.contains(&(&k.mode, k.type_name.as_str())));
    let first_idle = idle.first().and_then(|(_, span)| span.clone());
    let mut types = BTreeSet::new();
    let mut data = BTreeSet::new();
    for (key, _) in idle {
        match key.mode {
            Mode::Managed => types.insert(format!("\"{}\"", key.type_name)),
            Mode::Data => data.insert(format!("\"{}\"", key.type_name)),
        };
    }
    let count = types.len() + data.len();
    if count > 0 {
        let list = |what: &str, names: BTreeSet<String>| match names.len() {
            0 => None,
            1 => Some(format!("{what} {}", names.into_iter().collect::<String>())),
            _ => Some(format!(
                "{what}s {}",
                names.into_iter().collect::<Vec<_>>().join(", ")
            )),
        };
        let named: Vec<String> = [list("resource type", types), list("data source", data)]
            .into_iter()
            .flatten()
            .collect();
        let (these, left) = match count {
            1 => ("this type", "it is"),
            _ => ("these types", "they are"),
        };
        // One warning for all of them, at the first such block.
        diags.push(
            Diagnostic::warning(
                "Blocks of unsupported types left out",
                format!(
                    "ecsform does not implement the {} yet. No block of {these} has instances \
                     here (the count or for_each of the block or of its module call is empty), \
                     so {left} left out; one that gets an instance is an error.",
                    named.join(" and the ")
                ),
            )
            .at(first_idle),
        );
    }
    diags
}

/// Whether every module call on `path` has neither `count` nor `for_each`.
fn always_instantiated(root: &Module, path: &[String]) -> bool {
    let mut module = root;
    for name in path {
        let Some(call) = module.module_calls.get(name) else {
            return false;
        };
        if call.count.is_some() || call.for_each.is_some() {
            return false;
        }
        module = &call.module;
    }
    true
}

/// `terraform { required_version, required_providers }` of every module.
fn check_requirements(root: &Module, sources: &Sources, diags: &mut Diagnostics) {
    check_providers(root, diags);
    for (_, module) in root.walk() {
        for tb in &module.terraform {
            if let Some(e) = &tb.required_version {
                check_required_version(e, sources, diags);
            }
            for (name, e) in &tb.required_providers {
                let source = provider_source(e, sources);
                let short = source
                    .as_deref()
                    .and_then(|s| s.rsplit('/').next())
                    .unwrap_or(name);
                if !SUPPORTED_PROVIDERS.contains(&short) {
                    diags.push(
                        Diagnostic::error(
                            "Unsupported provider",
                            format!(
                                "Provider \"{name}\" ({}) is not supported: ecsform manages AWS resources itself and implements only {}.",
                                source.unwrap_or_else(|| name.clone()),
                                supported_providers()
                            ),
                        )
                        .at(e.span()),
                    );
                }
            }
        }
    }
}

fn provider_source(e: &Expr, sources: &Sources) -> Option<String> {
    let v = Evaluator::new(&EmptyScope, sources, Path::new("."))
        .eval(e)
        .ok()?;
    v.as_map()?.get("source")?.as_str().map(String::from)
}

fn check_required_version(e: &Expr, sources: &Sources, diags: &mut Diagnostics) {
    let value = Evaluator::new(&EmptyScope, sources, Path::new(".")).eval(e);
    let Some(constraint) = value.ok().and_then(|v| v.as_str().map(String::from)) else {
        diags.push(
            Diagnostic::error(
                "Invalid required_version",
                "required_version must be a literal string of version constraints, like \">= 1.3\".",
            )
            .at(e.span()),
        );
        return;
    };
    match version_satisfies(&constraint, TERRAFORM_LANGUAGE_VERSION) {
        Ok(true) => {}
        Ok(false) => diags.push(
            Diagnostic::error(
                "Unsupported Terraform Core version",
                format!("This configuration requires Terraform \"{constraint}\", but ecsform implements the Terraform {TERRAFORM_LANGUAGE_VERSION} language."),
            )
            .at(e.span())
            .hint("Relax the required_version constraint if the configuration works with Terraform 1.x."),
        ),
        Err(msg) => diags.push(Diagnostic::error("Invalid required_version", msg).at(e.span())),
    }
}

/// Checks a Terraform version constraint (`">= 0.12, < 2.0"`, `"~> 1.3"`) against a version.
pub fn version_satisfies(constraint: &str, version: &str) -> Result<bool, String> {
    let v = parse_version(version).ok_or_else(|| format!("invalid version {version}"))?;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|r| (*op, r.trim())))
            .unwrap_or(("=", part));
        let given = rest.split('.').count();
        let c = parse_version(rest).ok_or_else(|| {
            format!("\"{part}\" is not a valid version constraint; use forms like \">= 1.3\" or \"~> 1.5.0\".")
        })?;
        let ok = match op {
            "=" => v == c,
            "!=" => v != c,
            ">" => v > c,
            ">=" => v >= c,
            "<" => v < c,
            "<=" => v <= c,
            // ~> 1.3 allows 1.x >= 1.3; ~> 1.3.0 allows 1.3.x.
            _ => {
                let upper = if given <= 2 {
                    (c.0 + 1, 0, 0)
                } else {
                    (c.0, c.1 + 1, 0)
                };
                v >= c && v < upper
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    let s = s.trim().trim_start_matches('v');
    let s = s.split(['-', '+']).next()?;
    let mut parts = s.split('.').map(|p| p.parse::<u64>());
    let major = parts.next()?.ok()?;
    let minor = parts.next().transpose().ok()?.unwrap_or(0);
    let patch = parts.next().transpose().ok()?.unwrap_or(0);
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constraints() {
        assert_eq!(version_satisfies(">= 0.12", "1.9.0"), Ok(true));
        assert_eq!(version_satisfies(">= 0.12, < 2.0", "1.9.0"), Ok(true));
        assert_eq!(version_satisfies("~> 1.3", "1.9.0"), Ok(true));
        assert_eq!(version_satisfies("~> 1.3.0", "1.9.0"), Ok(false));
        assert_eq!(version_satisfies("~> 0.12", "1.9.0"), Ok(false));
        assert_eq!(version_satisfies(">= 2.0", "1.9.0"), Ok(false));
        assert_eq!(version_satisfies("1.9.0", "1.9.0"), Ok(true));
        assert!(version_satisfies(">= banana", "1.9.0").is_err());
    }
}
