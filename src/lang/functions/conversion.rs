//! Type conversion functions: `tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`.
//!
//! Each is [`convert`] to one type constraint (`string`, ..., `list(any)`, `set(any)`,
//! `map(any)`) with Terraform's error wording for an explicit conversion ("cannot convert tuple
//! to string"). The conversion rules themselves live in `lang::types`; marks and unknown
//! arguments are handled by [`call`](super::call). All six accept unknown elements inside their
//! argument (`tolist([unknown])` is a known list with an unknown element), as Terraform's do.
//!
//! `tobool`/`tonumber` errors do not quote the rejected string, unlike Terraform: the
//! function never learns whether its argument was sensitive, so it must not echo it.

use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::types::{convert, type_of, Type};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("tostring", 1, Some(1), tostring).with_nested_unknown(),
    Function::new("tonumber", 1, Some(1), tonumber).with_nested_unknown(),
    Function::new("tobool", 1, Some(1), tobool).with_nested_unknown(),
    Function::new("tolist", 1, Some(1), tolist).with_nested_unknown(),
    Function::new("toset", 1, Some(1), toset).with_nested_unknown(),
    Function::new("tomap", 1, Some(1), tomap).with_nested_unknown(),
];

fn tostring(args: &[Value], _: &FuncContext) -> FuncResult {
    convert_to(&args[0], &Type::String)
}

fn tonumber(args: &[Value], _: &FuncContext) -> FuncResult {
    convert_to(&args[0], &Type::Number)
}

fn tobool(args: &[Value], _: &FuncContext) -> FuncResult {
    convert_to(&args[0], &Type::Bool)
}

fn tolist(args: &[Value], _: &FuncContext) -> FuncResult {
    convert_to(&args[0], &Type::list(Type::Any))
}

fn toset(args: &[Value], _: &FuncContext) -> FuncResult {
    convert_to(&args[0], &Type::set(Type::Any))
}

fn tomap(args: &[Value], _: &FuncContext) -> FuncResult {
    convert_to(&args[0], &Type::map(Type::Any))
}

/// Converts the single argument `v`, wording failures as Terraform's `to*` functions do.
fn convert_to(v: &Value, want: &Type) -> FuncResult {
    convert(v.clone(), want).map_err(|_| {
        let got = type_of(v);
        let reason = match (&got, want) {
            (Type::String, Type::Bool) => {
                "cannot convert string to bool; only the strings \"true\" or \"false\" are allowed"
                    .to_string()
            }
            (Type::String, Type::Number) => "cannot convert string to number; given string must \
                                             be a decimal representation of a number"
                .to_string(),
            _ => format!("cannot convert {} to {want}", got.friendly_name()),
        };
        FuncError::arg(0, format!("Invalid value for \"v\" parameter: {reason}."))
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{call, lookup};
    use super::*;

    fn run(name: &str, arg: Value) -> FuncResult {
        let render = |_: &str, _: &Path, _: &std::collections::BTreeMap<String, Value>| {
            Err::<Value, String>("no templates here".into())
        };
        let ctx = FuncContext {
            base_dir: Path::new("."),
            render_template: &render,
            pure_only: false,
        };
        call(lookup(name).expect("registered"), vec![arg], &ctx)
    }

    fn ok(name: &str, arg: Value) -> Value {
        run(name, arg).unwrap_or_else(|e| panic!("{name}: {}", e.message))
    }

    fn err(name: &str, arg: Value) -> String {
        let e = run(name, arg).expect_err("conversion should fail");
        assert_eq!(e.arg, Some(0));
        e.message
    }

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn n(v: f64) -> Value {
        Value::number(v)
    }

    #[test]
    fn all_six_are_registered_with_one_argument() {
        for name in ["tostring", "tonumber", "tobool", "tolist", "toset", "tomap"] {
            let f = lookup(name).expect(name);
            assert_eq!((f.min_args, f.max_args), (1, Some(1)), "{name}");
        }
        assert!(run("tostring", Value::Null).is_ok());
    }

    #[test]
    fn tostring_converts_primitives() {
        assert_eq!(ok("tostring", n(5.0)), s("5"));
        assert_eq!(ok("tostring", n(-0.25)), s("-0.25"));
        assert_eq!(ok("tostring", Value::Bool(false)), s("false"));
        assert_eq!(ok("tostring", s("x")), s("x"));
        assert_eq!(ok("tostring", Value::Null), Value::Null);
    }

    #[test]
    fn tostring_rejects_collections() {
        assert_eq!(
            err("tostring", Value::List(vec![s("a")])),
            "Invalid value for \"v\" parameter: cannot convert tuple to string."
        );
        assert_eq!(
            err("tostring", Value::map([("a", s("b"))])),
            "Invalid value for \"v\" parameter: cannot convert object to string."
        );
        assert_eq!(
            err("tostring", Value::set(vec![s("a")])),
            "Invalid value for \"v\" parameter: cannot convert set of string to string."
        );
        // A collection is no string even while its elements are unknown.
        assert!(err("tostring", Value::List(vec![Value::Unknown])).contains("tuple"));
    }

    #[test]
    fn tonumber_parses_decimal_strings() {
        assert_eq!(ok("tonumber", s("42")), n(42.0));
        assert_eq!(ok("tonumber", s("-1.5e3")), n(-1500.0));
        assert_eq!(ok("tonumber", n(3.0)), n(3.0));
        assert_eq!(ok("tonumber", Value::Null), Value::Null);
        assert_eq!(
            err("tonumber", s("abc")),
            "Invalid value for \"v\" parameter: cannot convert string to number; given string \
             must be a decimal representation of a number."
        );
        assert_eq!(
            err("tonumber", Value::Bool(true)),
            "Invalid value for \"v\" parameter: cannot convert bool to number."
        );
    }

    #[test]
    fn tobool_accepts_only_bool_strings() {
        assert_eq!(ok("tobool", s("true")), Value::Bool(true));
        assert_eq!(ok("tobool", s("false")), Value::Bool(false));
        assert_eq!(ok("tobool", Value::Bool(true)), Value::Bool(true));
        assert_eq!(ok("tobool", Value::Null), Value::Null);
        assert_eq!(
            err("tobool", s("yes")),
            "Invalid value for \"v\" parameter: cannot convert string to bool; only the \
             strings \"true\" or \"false\" are allowed."
        );
        assert_eq!(
            err("tobool", n(1.0)),
            "Invalid value for \"v\" parameter: cannot convert number to bool."
        );
    }

    #[test]
    fn tolist_unifies_element_types() {
        assert_eq!(
            ok("tolist", Value::List(vec![s("a"), n(1.0)])),
            Value::List(vec![s("a"), s("1")])
        );
        assert_eq!(ok("tolist", Value::List(vec![])), Value::List(vec![]));
        assert_eq!(
            ok("tolist", Value::set(vec![s("b"), s("a")])),
            Value::List(vec![s("a"), s("b")])
        );
        assert_eq!(
            err("tolist", Value::List(vec![n(1.0), Value::map::<&str>([])])),
            "Invalid value for \"v\" parameter: cannot convert tuple to list of any single type."
        );
        assert_eq!(
            err("tolist", s("a")),
            "Invalid value for \"v\" parameter: cannot convert string to list of any single type."
        );
    }

    #[test]
    fn tolist_keeps_unknown_elements_in_a_known_list() {
        let v = ok("tolist", Value::List(vec![Value::Unknown, s("a")]));
        assert_eq!(v, Value::List(vec![Value::Unknown, s("a")]));
        assert!(v.is_known());
        assert_eq!(ok("tolist", Value::Unknown), Value::Unknown);
    }

    #[test]
    fn toset_removes_duplicates() {
        assert_eq!(
            ok("toset", Value::List(vec![s("b"), s("a"), s("b")])),
            Value::Set(vec![s("a"), s("b")])
        );
        assert_eq!(
            ok("toset", Value::List(vec![n(1.0), s("1")])),
            Value::Set(vec![s("1")])
        );
        assert_eq!(
            ok("toset", Value::List(vec![s("a"), Value::Unknown])),
            Value::Unknown,
            "unknown elements make the whole set unknown"
        );
        assert_eq!(
            err("toset", Value::List(vec![n(1.0), Value::Bool(true)])),
            "Invalid value for \"v\" parameter: cannot convert tuple to set of any single type."
        );
    }

    #[test]
    fn tomap_unifies_values() {
        assert_eq!(
            ok("tomap", Value::map([("a", n(1.0)), ("b", s("x"))])),
            Value::map([("a", s("1")), ("b", s("x"))])
        );
        assert_eq!(ok("tomap", Value::map::<&str>([])), Value::map::<&str>([]));
        assert_eq!(
            ok("tomap", Value::map([("a", Value::Unknown)])),
            Value::map([("a", Value::Unknown)])
        );
        assert_eq!(
            err(
                "tomap",
                Value::map([("a", n(1.0)), ("b", Value::List(vec![]))])
            ),
            "Invalid value for \"v\" parameter: cannot convert object to map of any single type."
        );
        assert_eq!(
            err("tomap", Value::List(vec![])),
            "Invalid value for \"v\" parameter: cannot convert tuple to map of any single type."
        );
    }

    #[test]
    fn sensitive_arguments_give_sensitive_results() {
        assert_eq!(
            ok("tostring", n(1.0).mark_sensitive(true)),
            s("1").mark_sensitive(true)
        );
        let v = ok(
            "tolist",
            Value::List(vec![s("a"), s("pw").mark_sensitive(true)]),
        );
        assert!(v.contains_sensitive());
        assert_eq!(v.unmark_deep().0, Value::List(vec![s("a"), s("pw")]));
        // The error does not echo a (possibly sensitive) string.
        let e = err("tobool", s("hunter2").mark_sensitive(true));
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn unknown_arguments_give_unknown_results() {
        for name in ["tostring", "tonumber", "tobool", "tolist", "toset", "tomap"] {
            assert_eq!(ok(name, Value::Unknown), Value::Unknown, "{name}");
        }
    }
}
