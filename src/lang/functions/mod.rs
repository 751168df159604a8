//! The built-in functions configurations call (`length`, `cidrsubnet`, `templatefile`...).
//!
//! Each family lives in its own file and exports a `FUNCTIONS` list; [`lookup`] searches them
//! all. Marks are handled once, in [`call`]: every argument is stripped of sensitive marks and
//! the result is re-marked if any argument carried one; an argument that is itself unknown
//! makes the result unknown; unless a function declares [`Function::nested_unknown`], an
//! unknown anywhere inside an argument makes the result unknown too. Implementations therefore
//! see plain values and only the functions that opt in ever see `Value::Unknown` (as an element).
//! An error message that quotes a sensitive argument has the quoted value redacted.
//!
//! The impure functions (`timestamp uuid bcrypt`: a new value on every call) return unknown
//! when [`FuncContext::pure_only`] is set, as Terraform's do in every walk but apply's: a plan
//! shows "known after apply" for them rather than a value apply could never reproduce.
//!
//! `try`, `can`, `sensitive` and `nonsensitive` are not here: they need unevaluated arguments
//! or handle marks themselves, and live in the evaluator.

use std::collections::BTreeMap;
use std::path::Path;

use super::value::Value;

mod args;
mod charsets;
pub mod collections;
mod conversion;
pub mod crypto;
mod csv;
pub mod datetime;
pub mod encoding;
pub mod fileset;
pub mod filesystem;
pub mod network;
pub mod numeric;
mod printf;
#[cfg(test)]
mod propagation_tests;
pub mod strings;
mod yaml;

/// What a function may use besides its arguments.
pub struct FuncContext<'a> {
    /// Directory that relative file paths resolve against (Terraform uses the working directory).
    pub base_dir: &'a Path,
    /// Renders template source with the given variables (used by `templatefile`).
    /// The error is a complete, human-readable message.
    pub render_template: &'a RenderTemplate,
    /// Impure functions return unknown (see the module docs): set for every evaluation but
    /// apply's.
    pub pure_only: bool,
}

/// Renders template source (`templatefile`'s file contents) at a path with the given variables.
pub type RenderTemplate = dyn Fn(&str, &Path, &BTreeMap<String, Value>) -> Result<Value, String>;

/// A failed call: which argument was wrong (zero-based), if one was, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncError {
    pub arg: Option<usize>,
    pub message: String,
}

impl FuncError {
    /// An error about argument `index`.
    pub fn arg(index: usize, message: impl Into<String>) -> FuncError {
        FuncError {
            arg: Some(index),
            message: message.into(),
        }
    }

    /// An error about the call as a whole.
    pub fn call(message: impl Into<String>) -> FuncError {
        FuncError {
            arg: None,
            message: message.into(),
        }
    }
}

pub type FuncResult = Result<Value, FuncError>;
pub type FuncImpl = fn(&[Value], &FuncContext) -> FuncResult;

/// One built-in function.
pub struct Function {
    pub name: &'static str,
    /// Minimum number of arguments.
    pub min_args: usize,
    /// Maximum number of arguments; `None` for variadic functions.
    pub max_args: Option<usize>,
    /// The implementation copes with unknown elements inside its arguments (e.g. `length`).
    pub nested_unknown: bool,
    /// A new value on every call (`uuid`): unknown under [`FuncContext::pure_only`].
    pub impure: bool,
    pub imp: FuncImpl,
}

impl Function {
    /// A function taking `min_args` to `max_args` arguments (`None`: any number more) that sees
    /// only wholly known arguments.
    pub const fn new(
        name: &'static str,
        min_args: usize,
        max_args: Option<usize>,
        imp: FuncImpl,
    ) -> Function {
        Function {
            name,
            min_args,
            max_args,
            nested_unknown: false,
            impure: false,
            imp,
        }
    }

    /// The same function, declared to cope with unknown elements inside its arguments.
    pub const fn with_nested_unknown(mut self) -> Function {
        self.nested_unknown = true;
        self
    }

    /// The same function, declared impure (see [`Function::impure`]).
    pub const fn impure(mut self) -> Function {
        self.impure = true;
        self
    }
}

/// Every family's list, searched by [`lookup`].
const FAMILIES: &[&[Function]] = &[
    strings::FUNCTIONS,
    collections::FUNCTIONS,
    numeric::FUNCTIONS,
    encoding::FUNCTIONS,
    crypto::FUNCTIONS,
    datetime::FUNCTIONS,
    filesystem::FUNCTIONS,
    fileset::FUNCTIONS,
    network::FUNCTIONS,
    conversion::FUNCTIONS,
];

/// Finds a built-in function by name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FAMILIES
        .iter()
        .flat_map(|f| f.iter())
        .find(|f| f.name == name)
}

/// Functions the evaluator implements itself (see the module docs).
pub const EVALUATOR_FUNCTIONS: &[&str] = &["can", "try", "sensitive", "nonsensitive"];

/// All function names, sorted (for "did you mean" hints and documentation).
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<_> = FAMILIES
        .iter()
        .flat_map(|f| f.iter())
        .map(|f| f.name)
        .collect();
    names.extend_from_slice(EVALUATOR_FUNCTIONS);
    names.sort_unstable();
    names
}

/// Calls `f` with Terraform's mark semantics (see the module docs). Arity is checked here.
pub fn call(f: &Function, args: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    if args.len() < f.min_args || f.max_args.is_some_and(|max| args.len() > max) {
        let expected = match f.max_args {
            Some(max) if max == f.min_args => format!("exactly {max}"),
            Some(max) => format!("between {} and {max}", f.min_args),
            None => format!("at least {}", f.min_args),
        };
        return Err(FuncError::call(format!(
            "Function \"{}\" expects {expected} argument(s), but {} were given.",
            f.name,
            args.len()
        )));
    }
    let mut sensitive = false;
    let mut unknown = false;
    let mut secrets = Vec::new();
    let plain: Vec<Value> = args
        .into_iter()
        .map(|a| {
            collect_secrets(&a, false, &mut secrets);
            let (v, s) = a.unmark_deep();
            sensitive |= s;
            unknown |= !v.is_known() || (!f.nested_unknown && !v.is_wholly_known());
            v
        })
        .collect();
    if unknown || (f.impure && ctx.pure_only) {
        return Ok(Value::Unknown.mark_sensitive(sensitive));
    }
    (f.imp)(&plain, ctx)
        .map(|v| v.mark_sensitive(sensitive))
        .map_err(|e| redact(e, &secrets))
}

/// The text of every primitive under a sensitive mark in `v`.
fn collect_secrets(v: &Value, marked: bool, out: &mut Vec<String>) {
    match v {
        Value::Sensitive(inner) => collect_secrets(inner, true, out),
        Value::List(items) | Value::Set(items) => {
            items.iter().for_each(|i| collect_secrets(i, marked, out))
        }
        Value::Map(map) => map.values().for_each(|i| collect_secrets(i, marked, out)),
        other if marked => out.extend(other.to_template_string()),
        _ => {}
    }
}

/// Replaces quoted sensitive arguments in an error message with `(sensitive value)`, as
/// Terraform's functions do when they would name the value (`lookup failed to find key ...`).
/// Implementations quote the values they echo (`{:?}`), so the quoted form is what is hidden;
/// unquoted text is left alone, since a short secret could match ordinary words.
fn redact(mut e: FuncError, secrets: &[String]) -> FuncError {
    for secret in secrets {
        e.message = e
            .message
            .replace(&format!("{secret:?}"), "(sensitive value)");
    }
    e
}

#[cfg(test)]
mod docs_tests {
    /// docs/language.md lists exactly the built-in functions: the block under "## Functions".
    #[test]
    fn the_docs_list_every_function() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md"),
        )
        .unwrap();
        let section = doc
            .split("\n## Functions\n")
            .nth(1)
            .expect("docs/language.md has a \"## Functions\" section");
        let listed = section
            .split("```text\n")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .expect("the section starts with a ```text block of names");
        let listed: Vec<&str> = listed.split_whitespace().collect();
        assert_eq!(
            listed,
            super::names(),
            "docs/language.md's list of functions"
        );
    }
}
