//! Values for the root module's input variables, as given — not yet evaluated.
//!
//! Sources in Terraform's precedence order (later wins): `TF_VAR_name` environment variables,
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` and `*.auto.tfvars.json` in
//! lexical order, then `-var` and `-var-file` in the order given on the command line.

use std::path::{Path, PathBuf};

use hcl::edit::structure::Structure;
use hcl::edit::Span as _;

use super::load::Loader;
use super::Expr;
use crate::diag::{display_path, Diagnostic, Diagnostics, Sources, Span};

/// A `-var` or `-var-file` flag, kept in command-line order.
#[derive(Clone, Debug, PartialEq)]
pub enum VarArg {
    /// `-var 'name=value'`
    Var(String),
    /// `-var-file=path`
    File(PathBuf),
}

/// Where a value was set, for messages ("set in ecs.tfvars:3:1").
#[derive(Clone, Debug, PartialEq)]
pub enum InputSource {
    Env(String),
    File(String),
    CommandLine,
}

impl std::fmt::Display for InputSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputSource::Env(name) => write!(f, "the environment variable {name}"),
            InputSource::File(path) => write!(f, "{path}"),
            InputSource::CommandLine => f.write_str("a -var option on the command line"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum RawValue {
    /// An expression from a `.tfvars` file (constants only).
    Expr(Expr),
    /// A `-var` or `TF_VAR_` string: taken literally for primitive types, parsed as HCL otherwise.
    Literal(String),
    /// A value from a `.tfvars.json` file.
    Json(serde_json::Value),
}

#[derive(Clone, Debug)]
pub struct RawInput {
    pub name: String,
    pub value: RawValue,
    pub source: InputSource,
    pub span: Option<Span>,
}

/// Collects every variable value in precedence order (later entries override earlier ones).
pub fn collect(
    root: &Path,
    args: &[VarArg],
    env: &[(String, String)],
    sources: &Sources,
    diags: &mut Diagnostics,
) -> Vec<RawInput> {
    let mut out = Vec::new();
    let mut env: Vec<_> = env
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("TF_VAR_")?.to_string(), k, v)))
        .collect();
    env.sort();
    for (name, key, value) in env {
        out.push(RawInput {
            name,
            value: RawValue::Literal(value.clone()),
            source: InputSource::Env(key.clone()),
            span: None,
        });
    }
    let mut loader = Loader {
        sources,
        base: root.to_path_buf(),
        diags: Diagnostics::new(),
        stack: Vec::new(),
        module_calls: 0,
    };
    for auto in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = root.join(auto);
        if p.is_file() {
            read_file(&mut loader, &p, &mut out);
        }
    }
    let mut autos: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    p.is_file() && (n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
                })
                .collect()
        })
        .unwrap_or_default();
    autos.sort();
    for p in autos {
        read_file(&mut loader, &p, &mut out);
    }
    for arg in args {
        match arg {
            VarArg::Var(s) => match s.split_once('=') {
                Some((name, value)) if !name.trim().is_empty() => out.push(RawInput {
                    name: name.trim().to_string(),
                    value: RawValue::Literal(value.to_string()),
                    source: InputSource::CommandLine,
                    span: None,
                }),
                _ => loader.diags.push(
                    Diagnostic::error(
                        "Invalid -var option",
                        format!("The given -var option \"{s}\" is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\"."),
                    ),
                ),
            },
            VarArg::File(path) => {
                let p = if path.is_absolute() {
                    path.clone()
                } else {
                    root.join(path)
                };
                if p.is_file() {
                    read_file(&mut loader, &p, &mut out);
                } else if p.exists() {
                    loader.diags.push(Diagnostic::error(
                        "Failed to read variables file",
                        format!(
                            "Given variables file {} is not a regular file{}.",
                            display_path(&p, root),
                            if p.is_dir() { " but a directory" } else { "" }
                        ),
                    ));
                } else {
                    loader.diags.push(
                        Diagnostic::error(
                            "Failed to read variables file",
                            format!(
                                "Given variables file {} does not exist.",
                                display_path(&p, root)
                            ),
                        )
                        .hint("Paths given to -var-file are relative to the working directory (-chdir)."),
                    );
                }
            }
        }
    }
    diags.extend(loader.diags);
    out
}

fn read_file(loader: &mut Loader, path: &Path, out: &mut Vec<RawInput>) {
    let display = display_path(path, &loader.base);
    if path.extension().is_some_and(|e| e == "json") {
        let Some((text, file)) = loader.read_source(path) else {
            return;
        };
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map)) => {
                for (name, value) in map {
                    // Point at the property's name (its first occurrence as a JSON string);
                    // the file's start if it is written with escapes.
                    let key = serde_json::to_string(&name).unwrap_or_default();
                    let span = match text.find(&key) {
                        Some(at) => at..at + key.len(),
                        None => 0..1,
                    };
                    out.push(RawInput {
                        name,
                        value: RawValue::Json(value),
                        source: InputSource::File(display.clone()),
                        span: Some(Span::new(file, span)),
                    });
                }
            }
            Ok(_) => loader.diags.push(
                Diagnostic::error(
                    "Invalid variables file",
                    format!(
                        "{display} must contain a JSON object whose properties are variable names."
                    ),
                )
                .at(Some(Span::new(file, 0..1))),
            ),
            Err(e) => {
                let offset = line_col_offset(&text, e.line(), e.column());
                let detail = if e.to_string().starts_with("recursion limit exceeded") {
                    "The JSON is nested more than 128 levels deep (arrays or objects inside each other), the most ecsform reads.".to_string()
                } else {
                    format!("{e}.")
                };
                loader.diags.push(
                    Diagnostic::error("Invalid JSON in variables file", detail)
                        .at(Some(Span::new(file, offset..offset + 1))),
                );
            }
        }
        return;
    }
    let Some((body, file)) = loader.parse_file(path) else {
        return;
    };
    for s in body.iter() {
        match s {
            Structure::Attribute(attr) => {
                let span = attr.key.span().map(|r| Span::new(file, r));
                // Messages about the value point at the value, so name its location.
                let loc = attr
                    .value
                    .span()
                    .map(|r| Span::new(file, r))
                    .or(span.clone())
                    .as_ref()
                    .map(|s| loader.sources.location(s).to_string())
                    .unwrap_or(display.clone());
                out.push(RawInput {
                    name: attr.key.to_string(),
                    value: RawValue::Expr(Expr {
                        expr: attr.value.clone(),
                        file,
                    }),
                    source: InputSource::File(loc),
                    span,
                });
            }
            Structure::Block(b) => loader.diags.push(
                Diagnostic::error(
                    "Unexpected block in variables file",
                    "A .tfvars file may only assign variables, like name = \"value\"; blocks are not allowed.",
                )
                .at(b.ident.span().map(|r| Span::new(file, r))),
            ),
        }
    }
}

fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + col.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_env_then_files_then_command_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("terraform.tfvars"), "a = \"file\"\n").unwrap();
        std::fs::write(dir.path().join("b.auto.tfvars.json"), r#"{"a": "auto"}"#).unwrap();
        std::fs::write(dir.path().join("x.tfvars"), "a = \"varfile\"\n").unwrap();
        let sources = Sources::default();
        let mut diags = Diagnostics::new();
        let inputs = collect(
            dir.path(),
            &[VarArg::File("x.tfvars".into()), VarArg::Var("a=cli".into())],
            &[
                ("TF_VAR_a".into(), "env".into()),
                ("HOME".into(), "/".into()),
            ],
            &sources,
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let order: Vec<String> = inputs.iter().map(|i| i.source.to_string()).collect();
        assert_eq!(
            order,
            [
                "the environment variable TF_VAR_a",
                "terraform.tfvars:1:5",
                "b.auto.tfvars.json",
                "x.tfvars:1:5",
                "a -var option on the command line"
            ]
        );
    }

    #[test]
    fn bad_var_option_and_missing_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let sources = Sources::default();
        let mut diags = Diagnostics::new();
        collect(
            dir.path(),
            &[
                VarArg::Var("novalue".into()),
                VarArg::File("nope.tfvars".into()),
            ],
            &[],
            &sources,
            &mut diags,
        );
        assert_eq!(diags.len(), 2);
    }
}
