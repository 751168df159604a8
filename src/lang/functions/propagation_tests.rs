//! Mark propagation across every built-in function.
//!
//! [`samples`] holds one valid call for every function in [`names`] (except `try`/`can`, which
//! live in the evaluator); [`every_function_has_a_sample`] fails when a function is registered
//! without a row, so new functions are covered automatically. For each row the tests check
//! Terraform's rules as [`call`] applies them:
//!
//! * the call succeeds with a known value;
//! * an unknown argument makes the result unknown;
//! * a sensitive argument (or a sensitive element inside one) makes the result sensitive, and
//!   no mark appears from nowhere;
//! * an unknown placed anywhere inside an argument never produces a wrong known value: the
//!   result must be a refinement of the result for the original element and for other values
//!   that element could have taken.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::args::testing::{n, nums, s, strs};
use super::{call, lookup, names, FuncContext, FuncResult, EVALUATOR_FUNCTIONS};
use crate::lang::value::Value;

/// Functions whose result is fresh on every call: only "known" can be asserted.
const NONDETERMINISTIC: &[&str] = &["uuid", "timestamp", "bcrypt"];

fn map(pairs: &[(&str, Value)]) -> Value {
    Value::map(pairs.iter().cloned())
}

fn b(v: bool) -> Value {
    Value::Bool(v)
}

/// One valid call per function.
fn samples() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        // strings
        ("join", vec![s(","), strs(&["a", "b"])]),
        ("split", vec![s(","), s("a,b")]),
        ("format", vec![s("%s-%d"), s("a"), n(1.0)]),
        ("formatlist", vec![s("%s-%s"), strs(&["a", "b"]), s("x")]),
        ("lower", vec![s("ABC")]),
        ("upper", vec![s("abc")]),
        ("title", vec![s("hello world")]),
        ("trimspace", vec![s("  a  ")]),
        ("trim", vec![s("?!a?"), s("?!")]),
        ("trimprefix", vec![s("helloworld"), s("hello")]),
        ("trimsuffix", vec![s("helloworld"), s("world")]),
        ("replace", vec![s("a-b-c"), s("-"), s("+")]),
        ("regex", vec![s("[a-z]+"), s("abc123")]),
        ("regexall", vec![s("[a-z]+"), s("ab 12 cd")]),
        ("substr", vec![s("hello"), n(1.0), n(3.0)]),
        ("startswith", vec![s("hello"), s("he")]),
        ("endswith", vec![s("hello"), s("lo")]),
        ("chomp", vec![s("hello\r\n")]),
        ("indent", vec![n(2.0), s("a\nb")]),
        ("strrev", vec![s("hello")]),
        ("strcontains", vec![s("hello"), s("ell")]),
        // collections
        ("length", vec![strs(&["a", "b"])]),
        ("element", vec![strs(&["a", "b", "c"]), n(1.0)]),
        ("concat", vec![strs(&["a"]), strs(&["b", "c"])]),
        (
            "lookup",
            vec![map(&[("a", s("x")), ("b", s("y"))]), s("a"), s("d")],
        ),
        (
            "merge",
            vec![map(&[("a", s("x"))]), map(&[("a", s("z")), ("b", s("y"))])],
        ),
        ("coalesce", vec![s(""), s("a"), s("b")]),
        ("coalescelist", vec![strs(&[]), strs(&["a", "b"])]),
        ("compact", vec![strs(&["a", "", "b"])]),
        ("distinct", vec![strs(&["a", "b", "a"])]),
        (
            "flatten",
            vec![Value::List(vec![strs(&["a"]), strs(&["b", "c"])])],
        ),
        ("keys", vec![map(&[("a", n(1.0)), ("b", n(2.0))])]),
        ("values", vec![map(&[("a", n(1.0)), ("b", n(2.0))])]),
        ("contains", vec![strs(&["a", "b"]), s("b")]),
        ("index", vec![strs(&["a", "b"]), s("b")]),
        ("slice", vec![strs(&["a", "b", "c"]), n(1.0), n(3.0)]),
        ("zipmap", vec![strs(&["a", "b"]), nums(&[1.0, 2.0])]),
        ("range", vec![n(1.0), n(4.0)]),
        ("reverse", vec![strs(&["a", "b"])]),
        ("sort", vec![strs(&["b", "a"])]),
        ("chunklist", vec![strs(&["a", "b", "c"]), n(2.0)]),
        ("setunion", vec![strs(&["a"]), strs(&["b"])]),
        (
            "setintersection",
            vec![strs(&["a", "b"]), strs(&["b", "c"])],
        ),
        ("setsubtract", vec![strs(&["a", "b"]), strs(&["b"])]),
        ("setproduct", vec![strs(&["a", "b"]), strs(&["x", "y"])]),
        (
            "matchkeys",
            vec![strs(&["x", "y", "z"]), strs(&["a", "b", "a"]), strs(&["a"])],
        ),
        (
            "transpose",
            vec![map(&[("a", strs(&["1", "2"])), ("b", strs(&["2"]))])],
        ),
        ("one", vec![strs(&["a"])]),
        ("alltrue", vec![Value::List(vec![b(true), b(true)])]),
        ("anytrue", vec![Value::List(vec![b(false), b(true)])]),
        // numeric
        ("min", vec![n(3.0), n(1.0), n(2.0)]),
        ("max", vec![n(3.0), n(1.0), n(2.0)]),
        ("abs", vec![n(-1.5)]),
        ("ceil", vec![n(1.2)]),
        ("floor", vec![n(1.8)]),
        ("signum", vec![n(-3.0)]),
        ("pow", vec![n(2.0), n(3.0)]),
        ("log", vec![n(8.0), n(2.0)]),
        ("sum", vec![nums(&[1.0, 2.0, 3.0])]),
        ("parseint", vec![s("ff"), n(16.0)]),
        // encoding
        (
            "jsonencode",
            vec![map(&[("a", Value::List(vec![n(1.0), s("x")]))])],
        ),
        ("jsondecode", vec![s(r#"{"a":1}"#)]),
        ("yamlencode", vec![map(&[("a", strs(&["x", "y"]))])]),
        ("yamldecode", vec![s("a: [x, 1]\nb: yes\n")]),
        ("base64encode", vec![s("hi")]),
        ("base64decode", vec![s("aGk=")]),
        ("base64gzip", vec![s("hi")]),
        ("textencodebase64", vec![s("hi"), s("UTF-16LE")]),
        ("textdecodebase64", vec![s("aABpAA=="), s("UTF-16LE")]),
        ("urlencode", vec![s("a b&c")]),
        ("csvdecode", vec![s("a,b\n1,2\n")]),
        // crypto and datetime
        ("md5", vec![s("x")]),
        ("sha1", vec![s("x")]),
        ("sha256", vec![s("x")]),
        ("sha512", vec![s("x")]),
        ("base64sha256", vec![s("x")]),
        ("base64sha512", vec![s("x")]),
        ("uuid", vec![]),
        ("uuidv5", vec![s("dns"), s("example.com")]),
        ("bcrypt", vec![s("x"), n(4.0)]),
        ("timestamp", vec![]),
        ("plantimestamp", vec![]),
        (
            "formatdate",
            vec![s("DD MMM YYYY"), s("2018-01-02T23:12:01Z")],
        ),
        ("timeadd", vec![s("2018-01-02T23:12:01Z"), s("1h")]),
        (
            "timecmp",
            vec![s("2018-01-02T23:12:01Z"), s("2018-01-02T23:12:01+01:00")],
        ),
        // filesystem (relative to the fixture directory)
        ("file", vec![s("hello.txt")]),
        ("fileexists", vec![s("hello.txt")]),
        ("filebase64", vec![s("hello.txt")]),
        ("fileset", vec![s("."), s("*.txt")]),
        ("filemd5", vec![s("hello.txt")]),
        ("filesha1", vec![s("hello.txt")]),
        ("filesha256", vec![s("hello.txt")]),
        ("filesha512", vec![s("hello.txt")]),
        ("filebase64sha256", vec![s("hello.txt")]),
        ("filebase64sha512", vec![s("hello.txt")]),
        ("basename", vec![s("a/b.txt")]),
        ("dirname", vec![s("a/b.txt")]),
        ("abspath", vec![s("a/b.txt")]),
        ("pathexpand", vec![s("~/a")]),
        (
            "templatefile",
            vec![s("greet.tpl"), map(&[("name", s("web"))])],
        ),
        // network
        ("cidrhost", vec![s("10.0.0.0/16"), n(5.0)]),
        ("cidrnetmask", vec![s("10.0.0.0/16")]),
        ("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(2.0)]),
        (
            "cidrsubnets",
            vec![s("10.0.0.0/16"), n(4.0), n(4.0), n(8.0)],
        ),
        // conversion
        ("tostring", vec![n(5.0)]),
        ("tonumber", vec![s("5")]),
        ("tobool", vec![s("true")]),
        ("tolist", vec![strs(&["a", "b"])]),
        ("toset", vec![strs(&["b", "a"])]),
        ("tomap", vec![map(&[("a", s("x")), ("b", s("y"))])]),
    ]
}

/// Substitutes `${name}` for every variable; the real renderer is tested in `eval_tests`.
fn render(src: &str, _: &Path, vars: &BTreeMap<String, Value>) -> Result<Value, String> {
    let mut out = src.to_string();
    for (k, v) in vars {
        let text = v
            .to_template_string()
            .ok_or_else(|| format!("variable {k} is not a string"))?;
        out = out.replace(&format!("${{{k}}}"), &text);
    }
    Ok(Value::String(out))
}

/// Holds the fixture directory the filesystem samples read from.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hello.txt"), "hello\n").unwrap();
        std::fs::write(dir.path().join("greet.tpl"), "hi ${name}").unwrap();
        Fixture { dir }
    }

    fn call(&self, name: &str, args: Vec<Value>) -> FuncResult {
        self.call_in(name, args, false)
    }

    fn call_in(&self, name: &str, args: Vec<Value>, pure_only: bool) -> FuncResult {
        let ctx = FuncContext {
            base_dir: self.dir.path(),
            render_template: &render,
            pure_only,
        };
        call(
            lookup(name).unwrap_or_else(|| panic!("{name} is not registered")),
            args,
            &ctx,
        )
    }

    fn ok(&self, name: &str, args: Vec<Value>) -> Value {
        let shown = show_args(&args);
        self.call(name, args)
            .unwrap_or_else(|e| panic!("{name}({shown}) failed: {}", e.message))
    }
}

/// Arguments as text, with marks made visible (Display would mask them).
fn show_args(args: &[Value]) -> String {
    args.iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The positions inside a value (not the value itself), as index paths into lists/sets and
/// maps (map keys by their sorted position).
fn inner_paths(v: &Value) -> Vec<Vec<usize>> {
    let children: Vec<&Value> = match v {
        Value::List(items) | Value::Set(items) => items.iter().collect(),
        Value::Map(m) => m.values().collect(),
        _ => vec![],
    };
    let mut out = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        out.push(vec![i]);
        for mut rest in inner_paths(child) {
            rest.insert(0, i);
            out.push(rest);
        }
    }
    out
}

/// The element at `path`.
fn get_at<'a>(v: &'a Value, path: &[usize]) -> &'a Value {
    let Some((&i, rest)) = path.split_first() else {
        return v;
    };
    match v {
        Value::List(items) | Value::Set(items) => get_at(&items[i], rest),
        Value::Map(m) => get_at(m.values().nth(i).unwrap(), rest),
        other => panic!("no element {i} in {other:?}"),
    }
}

/// `v` with the element at `path` replaced by `f(element)`. A set holding an unknown keeps its
/// slots (the unknown may differ from every other element); a wholly known one is rebuilt, so
/// duplicates collapse.
fn replace_at(v: &Value, path: &[usize], f: &dyn Fn(Value) -> Value) -> Value {
    let Some((&i, rest)) = path.split_first() else {
        return f(v.clone());
    };
    match v {
        Value::List(items) | Value::Set(items) => {
            let mut items = items.clone();
            items[i] = replace_at(&items[i], rest, f);
            if !matches!(v, Value::Set(_)) {
                Value::List(items)
            } else if items.iter().all(Value::is_wholly_known) {
                Value::set(items)
            } else {
                Value::Set(items)
            }
        }
        Value::Map(m) => {
            let mut m = m.clone();
            let slot = m.values_mut().nth(i).unwrap();
            *slot = replace_at(slot, rest, f);
            Value::Map(m)
        }
        other => panic!("no element {i} in {other:?}"),
    }
}

/// True if `r` (computed with some parts unknown) is consistent with `o` (computed with those
/// parts known): every known part of `r` agrees with `o`.
fn refines(r: &Value, o: &Value) -> bool {
    let (r, o) = (r.unmarked(), o.unmarked());
    match (r, o) {
        (Value::Unknown, _) => true,
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| refines(x, y))
        }
        (Value::Set(a), Value::Set(b)) if !r.is_wholly_known() => {
            // Unknown elements may turn out equal to others, so only bounds are certain.
            let known: Vec<&Value> = a.iter().filter(|x| x.is_wholly_known()).collect();
            known.iter().all(|x| b.iter().any(|y| x.equals(y)))
                && b.len() >= known.len()
                && b.len() <= a.len()
        }
        (Value::Map(a), Value::Map(b)) => {
            a.keys().eq(b.keys()) && a.values().zip(b.values()).all(|(x, y)| refines(x, y))
        }
        (Value::Number(x), Value::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => r.equals(o),
    }
}

/// Values the element `elem` of a container could also have taken: the container's other
/// elements (so sets may collapse) and a fresh value of the same kind.
fn alternatives(container: &Value, elem: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = match container {
        Value::List(items) | Value::Set(items) => items.clone(),
        Value::Map(m) => m.values().cloned().collect(),
        _ => vec![],
    };
    out.push(match elem {
        Value::String(t) => Value::string(format!("{t}zz")),
        Value::Number(x) => Value::Number(x + 7.0),
        Value::Bool(v) => Value::Bool(!v),
        Value::List(items) => Value::List(items.iter().rev().cloned().collect()),
        other => other.clone(),
    });
    out.retain(|alt| alt != elem);
    out
}

#[test]
fn every_function_has_a_sample() {
    let table: Vec<&str> = samples().iter().map(|(name, _)| *name).collect();
    let rows: BTreeSet<&str> = table.iter().copied().collect();
    assert_eq!(rows.len(), table.len(), "a function has two rows");
    let registered: BTreeSet<&str> = names()
        .into_iter()
        .filter(|n| !EVALUATOR_FUNCTIONS.contains(n))
        .collect();
    let missing: Vec<_> = registered.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "add a row to propagation_tests::samples for {missing:?}"
    );
    let unknown: Vec<_> = rows.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "rows for unregistered functions {unknown:?}"
    );
}

#[test]
fn samples_succeed_with_known_unmarked_values() {
    let fx = Fixture::new();
    for (name, args) in samples() {
        let v = fx.ok(name, args.clone());
        assert!(v.is_known(), "{name} returned unknown");
        assert!(!v.contains_sensitive(), "{name} invented a sensitive mark");
        if !NONDETERMINISTIC.contains(&name) {
            assert!(v.is_wholly_known(), "{name} returned {v:?}");
            assert_eq!(fx.ok(name, args), v, "{name} is not deterministic");
        }
    }
}

#[test]
fn an_unknown_argument_makes_the_result_unknown() {
    let fx = Fixture::new();
    for (name, args) in samples() {
        for i in 0..args.len() {
            let mut with = args.clone();
            with[i] = Value::Unknown;
            assert_eq!(
                fx.ok(name, with),
                Value::Unknown,
                "{name} with argument {i} unknown"
            );
            // Both marks at once: unknown, and still sensitive.
            let mut with = args.clone();
            with[i] = Value::Unknown.mark_sensitive(true);
            assert_eq!(
                fx.ok(name, with),
                Value::Unknown.mark_sensitive(true),
                "{name} with argument {i} unknown and sensitive"
            );
        }
    }
}

#[test]
fn a_sensitive_argument_makes_the_result_sensitive() {
    let fx = Fixture::new();
    for (name, args) in samples() {
        let plain = fx.ok(name, args.clone());
        for i in 0..args.len() {
            let mut with = args.clone();
            with[i] = with[i].clone().mark_sensitive(true);
            let v = fx.ok(name, with);
            assert!(
                v.contains_sensitive(),
                "{name} with argument {i} sensitive returned {v:?}"
            );
            if !NONDETERMINISTIC.contains(&name) {
                assert_eq!(v.unmarked(), &plain, "{name}: the mark changed the value");
            }
        }
    }
}

#[test]
fn a_sensitive_element_makes_the_result_sensitive() {
    let fx = Fixture::new();
    for (name, args) in samples() {
        for (i, arg) in args.iter().enumerate() {
            for path in inner_paths(arg) {
                let mut with = args.clone();
                with[i] = replace_at(arg, &path, &|e| e.mark_sensitive(true));
                let shown = show_args(&with);
                let v = fx.ok(name, with);
                assert!(
                    v.contains_sensitive(),
                    "{name}({shown}) lost the mark: {v:?}"
                );
            }
        }
    }
}

/// For every element anywhere inside every argument: with that element unknown, the call
/// succeeds and its result agrees with the result for every value the element could have had.
#[test]
fn an_unknown_element_never_yields_a_wrong_known_value() {
    let fx = Fixture::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, args) in samples().into_iter().chain(nested_probes()) {
        if NONDETERMINISTIC.contains(&name) {
            continue;
        }
        let f = lookup(name).unwrap();
        let original = fx.ok(name, args.clone());
        for (i, arg) in args.iter().enumerate() {
            for path in inner_paths(arg) {
                checked += 1;
                let mut with = args.clone();
                with[i] = replace_at(arg, &path, &|_| Value::Unknown);
                let shown = show_args(&with);
                let r = match fx.call(name, with) {
                    Ok(r) => r,
                    Err(e) => {
                        failures.push(format!("{name}({shown}) failed: {}", e.message));
                        continue;
                    }
                };
                if !f.nested_unknown && r != Value::Unknown {
                    failures.push(format!("{name}({shown}) = {r:?}, not unknown"));
                }
                if !refines(&r, &original) {
                    failures.push(format!(
                        "{name}({shown}) = {r:?}, but with the element known it is {original:?}"
                    ));
                }
                let (parent, last) = path.split_at(path.len() - 1);
                let container = get_at(arg, parent);
                for alt in alternatives(container, get_at(container, last)) {
                    let mut other = args.clone();
                    other[i] = replace_at(arg, &path, &|_| alt.clone());
                    // A value that makes the call fail says nothing about the result.
                    match fx.call(name, other) {
                        Ok(o) if !refines(&r, &o) => failures.push(format!(
                            "{name}({shown}) = {r:?}, but with {alt:?} there it is {o:?}"
                        )),
                        _ => {}
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 50, "only {checked} nested-unknown cases ran");
}

#[test]
fn nested_unknowns_in_functions_that_accept_them() {
    let fx = Fixture::new();
    let u = || Value::Unknown;
    assert_eq!(
        fx.ok("length", vec![Value::List(vec![u(), u()])]),
        n(2.0),
        "a list's length is known even when its elements are not"
    );
    assert_eq!(
        fx.ok("element", vec![Value::List(vec![u()]), n(0.0)]),
        Value::Unknown
    );
    assert_eq!(
        fx.ok("concat", vec![Value::List(vec![u()]), strs(&["a"])]),
        Value::List(vec![u(), s("a")])
    );
    assert_eq!(
        fx.ok("tolist", vec![Value::List(vec![u()])]),
        Value::List(vec![u()])
    );
    assert_eq!(
        fx.ok("keys", vec![map(&[("a", u())])]),
        strs(&["a"]),
        "keys are known even when values are not"
    );
    assert_eq!(
        fx.ok("formatlist", vec![s("%s!"), Value::List(vec![s("a"), u()])]),
        Value::List(vec![s("a!"), u()])
    );
    // Unknown set elements might equal each other, so a set's size is not known.
    assert_eq!(
        fx.ok("length", vec![Value::Set(vec![u(), u()])]),
        Value::Unknown
    );
    // Functions that do not opt in see no unknowns: the whole result is unknown.
    assert_eq!(
        fx.ok("join", vec![s(","), Value::List(vec![s("a"), u()])]),
        Value::Unknown
    );
    assert_eq!(fx.ok("sum", vec![Value::List(vec![u()])]), Value::Unknown);
}

/// Outside apply, the impure functions are unknown (keeping marks) and no other is affected.
#[test]
fn only_impure_functions_are_unknown_when_pure_only() {
    let fx = Fixture::new();
    let mut impure = Vec::new();
    for (name, args) in samples() {
        let marked: Vec<Value> = args
            .iter()
            .map(|a| a.clone().mark_sensitive(true))
            .collect();
        let pure = fx.call_in(name, marked.clone(), true).unwrap();
        if lookup(name).unwrap().impure {
            impure.push(name);
            let expect = Value::Unknown.mark_sensitive(!args.is_empty());
            assert_eq!(pure, expect, "{name}");
        } else if !NONDETERMINISTIC.contains(&name) {
            assert_eq!(pure, fx.ok(name, marked), "{name}");
        }
    }
    assert_eq!(impure, ["uuid", "bcrypt", "timestamp"]);
}

#[test]
fn flags_are_consistent_with_arity() {
    for name in names()
        .into_iter()
        .filter(|n| !EVALUATOR_FUNCTIONS.contains(n))
    {
        let f = lookup(name).unwrap();
        assert!(
            f.max_args.is_none_or(|max| max >= f.min_args),
            "{name}: max_args < min_args"
        );
    }
    for (name, args) in samples() {
        let f = lookup(name).unwrap();
        assert!(
            args.len() >= f.min_args && f.max_args.is_none_or(|max| args.len() <= max),
            "{name}: the sample has the wrong number of arguments"
        );
    }
}

/// Further calls of the functions that accept nested unknowns, with sets, maps, duplicates and
/// mixed element types, for [`an_unknown_element_never_yields_a_wrong_known_value`].
fn nested_probes() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("length", vec![Value::set(vec![s("a"), s("b")])]),
        ("length", vec![map(&[("a", s("x")), ("b", s("y"))])]),
        (
            "length",
            vec![Value::List(vec![strs(&["a"]), strs(&["b"])])],
        ),
        ("one", vec![Value::set(vec![s("a")])]),
        ("element", vec![strs(&["a", "b"]), n(3.0)]),
        ("lookup", vec![map(&[("a", s("x"))]), s("b"), s("d")]),
        ("lookup", vec![map(&[("a", strs(&["x", "y"]))]), s("a")]),
        ("merge", vec![map(&[("a", s("x"))]), map(&[("a", s("y"))])]),
        ("coalescelist", vec![strs(&["a"]), strs(&["b"])]),
        ("keys", vec![map(&[("a", s("x"))])]),
        ("values", vec![map(&[("a", s("x")), ("b", s("y"))])]),
        ("zipmap", vec![strs(&["a", "b"]), strs(&["x", "y"])]),
        ("zipmap", vec![strs(&["a", "a"]), strs(&["x", "y"])]),
        ("reverse", vec![Value::List(vec![n(1.0), s("a")])]),
        ("chunklist", vec![Value::set(vec![s("a"), s("b")]), n(1.0)]),
        ("slice", vec![strs(&["a", "b"]), n(0.0), n(1.0)]),
        ("alltrue", vec![Value::List(vec![b(true), s("true")])]),
        ("alltrue", vec![Value::List(vec![b(true), b(false)])]),
        ("anytrue", vec![Value::List(vec![b(false), b(false)])]),
        (
            "formatlist",
            vec![s("%s=%s"), strs(&["a", "b"]), strs(&["x", "y"])],
        ),
        ("formatlist", vec![s("%v"), Value::List(vec![strs(&["a"])])]),
        ("concat", vec![Value::List(vec![n(1.0)]), strs(&["a"])]),
        ("tolist", vec![Value::set(vec![s("a"), s("b")])]),
        ("tolist", vec![Value::List(vec![n(1.0), n(2.0)])]),
        ("tolist", vec![Value::List(vec![n(1.0), s("a")])]),
        ("toset", vec![strs(&["a", "b"])]),
        ("tomap", vec![map(&[("a", n(1.0)), ("b", s("x"))])]),
        (
            "tomap",
            vec![map(&[("a", strs(&["x"])), ("b", strs(&["y", "z"]))])],
        ),
        ("tostring", vec![s("x")]),
        (
            "formatlist",
            vec![s("%s!"), Value::set(vec![s("a"), s("b")])],
        ),
        ("alltrue", vec![Value::set(vec![b(true), b(false)])]),
        ("anytrue", vec![Value::set(vec![b(true), b(false)])]),
        (
            "zipmap",
            vec![Value::set(vec![s("a"), s("b")]), strs(&["x", "y"])],
        ),
        (
            "concat",
            vec![strs(&["a"]), Value::List(vec![map(&[("k", n(1.0))])])],
        ),
    ]
}

/// Terraform redacts sensitive arguments it would quote in an error (`lookup`, `file`,
/// `base64decode`...): `(sensitive value)` stands in for them.
#[test]
fn errors_do_not_quote_sensitive_arguments() {
    let fx = Fixture::new();
    let secret = || s("SECRETXYZ").mark_sensitive(true);
    let cases: Vec<(&str, Vec<Value>)> = vec![
        ("base64decode", vec![secret()]),
        ("lookup", vec![map(&[]), secret()]),
        ("lookup", vec![map(&[]), n(12345.0).mark_sensitive(true)]),
        ("file", vec![secret()]),
        ("templatefile", vec![secret(), map(&[])]),
        ("jsondecode", vec![secret()]),
        ("tonumber", vec![secret()]),
        ("index", vec![strs(&["a"]), secret()]),
        ("format", vec![s("%d"), Value::List(vec![secret()])]),
    ];
    for (name, args) in cases {
        let plain: Vec<Value> = args.iter().map(|a| a.clone().unmark_deep().0).collect();
        let e = fx.call(name, args).expect_err(name);
        assert!(
            !e.message.contains("SECRETXYZ") && !e.message.contains("12345"),
            "{name}: {}",
            e.message
        );
        // Only the mark hides the value.
        let shown = fx.call(name, plain).expect_err(name).message;
        if shown.contains("SECRETXYZ") || shown.contains("12345") {
            assert!(
                e.message.contains("(sensitive value)"),
                "{name}: {}",
                e.message
            );
        }
    }
}
