//! Argument helpers shared by the function families: typed access to arguments with
//! Terraform's automatic conversions (`5` → `"5"`, `"5"` → `5`, `"true"` → `true`) and its
//! wording for argument errors. Private to `functions`.

use std::fmt::Display;

use unicode_segmentation::UnicodeSegmentation;

use super::FuncError;
use crate::lang::value::Value;

/// An error about argument `index`, worded as Terraform does:
/// `Invalid value for "<param>" parameter: <msg>.`
pub fn invalid(index: usize, param: &str, msg: impl Display) -> FuncError {
    FuncError::arg(
        index,
        format!("Invalid value for \"{param}\" parameter: {msg}."),
    )
}

/// Argument `index`, which must not be null.
pub fn value<'a>(args: &'a [Value], index: usize, param: &str) -> Result<&'a Value, FuncError> {
    match args.get(index).map(Value::unmarked) {
        None => Err(FuncError::call(format!(
            "missing value for the \"{param}\" parameter"
        ))),
        Some(Value::Null) => Err(invalid(index, param, "argument must not be null")),
        Some(v) => Ok(v),
    }
}

pub use crate::lang::value::{to_bool, to_number};

pub fn string(args: &[Value], index: usize, param: &str) -> Result<String, FuncError> {
    value(args, index, param)?
        .to_template_string()
        .ok_or_else(|| invalid(index, param, "string required"))
}

pub fn number(args: &[Value], index: usize, param: &str) -> Result<f64, FuncError> {
    to_number(value(args, index, param)?).ok_or_else(|| invalid(index, param, "number required"))
}

/// A number that must be whole (Terraform: "value must be a whole number").
pub fn whole(args: &[Value], index: usize, param: &str) -> Result<f64, FuncError> {
    let n = number(args, index, param)?;
    if n.is_finite() && n.fract() == 0.0 {
        Ok(n)
    } else {
        Err(invalid(index, param, "value must be a whole number"))
    }
}

/// A whole number that fits in an `i64`.
pub fn integer(args: &[Value], index: usize, param: &str) -> Result<i64, FuncError> {
    let n = whole(args, index, param)?;
    if n.abs() < 9.2e18 {
        Ok(n as i64)
    } else {
        Err(invalid(
            index,
            param,
            "value must be a whole number, in the range of a 64-bit integer",
        ))
    }
}

/// Elements of a list, tuple or set argument.
pub fn sequence<'a>(
    args: &'a [Value],
    index: usize,
    param: &str,
) -> Result<&'a [Value], FuncError> {
    value(args, index, param)?
        .as_list()
        .ok_or_else(|| invalid(index, param, "list of any single type required"))
}

/// Converts each element to a string, reporting the element's position on failure.
pub fn elements_as_strings(
    items: &[Value],
    index: usize,
    param: &str,
) -> Result<Vec<String>, FuncError> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v.unmarked() {
            Value::Null => Err(invalid(
                index,
                param,
                format!("element {i}: argument must not be null"),
            )),
            other => other
                .to_template_string()
                .ok_or_else(|| invalid(index, param, format!("element {i}: string required"))),
        })
        .collect()
}

/// Turns a list of strings into a list value.
pub fn string_list(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::String).collect())
}

/// Number of user-perceived characters (grapheme clusters), as Terraform counts them.
pub fn grapheme_count(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Terraform's type unification for primitives: when strings are mixed with numbers or bools,
/// everything converts to string (`[1, "a"]` as a set of string is `["1", "a"]`).
pub fn unify_primitives(values: Vec<Value>) -> Vec<Value> {
    let has_string = values.iter().any(|v| matches!(v, Value::String(_)));
    let has_other = values
        .iter()
        .any(|v| matches!(v, Value::Number(_) | Value::Bool(_)));
    if !(has_string && has_other) {
        return values;
    }
    values
        .into_iter()
        .map(|v| match v {
            Value::Number(_) | Value::Bool(_) => {
                Value::String(v.to_template_string().unwrap_or_default())
            }
            other => other,
        })
        .collect()
}

/// Helpers for the families' unit tests.
#[cfg(test)]
pub mod testing {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::super::{call, lookup, FuncContext, FuncResult};
    use crate::lang::value::Value;

    fn no_templates(_: &str, _: &Path, _: &BTreeMap<String, Value>) -> Result<Value, String> {
        Err("templates are not available in this test".into())
    }

    /// Calls the named function through [`call`] with the given context.
    pub fn call_with(name: &str, args: Vec<Value>, ctx: &FuncContext) -> FuncResult {
        let f = lookup(name).unwrap_or_else(|| panic!("no function named {name}"));
        call(f, args, ctx)
    }

    /// Calls the named function with a context rooted at `.` and no template renderer.
    pub fn run(name: &str, args: Vec<Value>) -> FuncResult {
        let ctx = FuncContext {
            base_dir: Path::new("."),
            render_template: &no_templates,
            pure_only: false,
        };
        call_with(name, args, &ctx)
    }

    /// The result of a call that must succeed.
    pub fn ok(name: &str, args: Vec<Value>) -> Value {
        run(name, args).unwrap_or_else(|e| panic!("{name} failed: {}", e.message))
    }

    /// The message of a call that must fail.
    pub fn err(name: &str, args: Vec<Value>) -> String {
        match run(name, args) {
            Ok(v) => panic!("{name} unexpectedly returned {v}"),
            Err(e) => e.message,
        }
    }

    pub fn s(text: &str) -> Value {
        Value::string(text)
    }

    pub fn n(num: f64) -> Value {
        Value::Number(num)
    }

    pub fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|x| Value::string(*x)).collect())
    }

    pub fn nums(items: &[f64]) -> Value {
        Value::List(items.iter().map(|x| Value::Number(*x)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_terraform() {
        assert_eq!(to_number(&Value::string("2.5")), Some(2.5));
        assert_eq!(to_number(&Value::string("inf")), None);
        assert_eq!(to_bool(&Value::string("true")), Some(true));
        assert_eq!(to_bool(&Value::string("yes")), None);
        let args = [Value::Number(3.0), Value::Null, Value::Number(1.5)];
        assert_eq!(string(&args, 0, "s").unwrap(), "3");
        assert!(string(&args, 1, "s")
            .unwrap_err()
            .message
            .contains("must not be null"));
        assert_eq!(
            integer(&args, 2, "i").unwrap_err().message,
            "Invalid value for \"i\" parameter: value must be a whole number."
        );
    }

    #[test]
    fn unify_converts_only_mixed_primitives() {
        let mixed = unify_primitives(vec![Value::Number(1.0), Value::string("a")]);
        assert_eq!(mixed, vec![Value::string("1"), Value::string("a")]);
        let nums = unify_primitives(vec![Value::Number(1.0), Value::Number(2.0)]);
        assert_eq!(nums, vec![Value::Number(1.0), Value::Number(2.0)]);
    }
}
