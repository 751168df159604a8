//! Unit tests of the evaluator with a small in-memory scope.

use super::*;

struct TestScope {
    vars: BTreeMap<String, Value>,
}

impl Scope for TestScope {
    fn get(&self, s: &Subject) -> Result<Resolved, ScopeError> {
        match s {
            Subject::Var(n) => self
                .vars
                .get(n)
                .cloned()
                .map(Resolved::value)
                .ok_or(ScopeError {
                    summary: "Reference to undeclared input variable".into(),
                    detail: n.clone(),
                }),
            Subject::Resource(_, t, n) if t == "aws_vpc" => Ok(Resolved {
                value: Value::map([
                    ("cidr_block", Value::string(format!("{n}-cidr"))),
                    ("id", Value::Unknown),
                ]),
                resource: true,
            }),
            Subject::Resource(_, t, _) if t == "aws_subnet" => Ok(Resolved {
                value: Value::List(vec![
                    Value::map([("cidr_block", Value::string("a")), ("id", Value::Unknown)]),
                    Value::map([("cidr_block", Value::string("b")), ("id", Value::Unknown)]),
                ]),
                resource: true,
            }),
            _ => Err(ScopeError {
                summary: "nope".into(),
                detail: format!("{s:?}"),
            }),
        }
    }
}

fn scope() -> TestScope {
    TestScope {
        vars: BTreeMap::from([
            ("n".to_string(), Value::number(3)),
            ("s".to_string(), Value::string("web")),
            (
                "pw".to_string(),
                Value::string("hunter2").mark_sensitive(true),
            ),
            ("u".to_string(), Value::Unknown),
            (
                "m".to_string(),
                Value::map([("a", Value::number(1)), ("b", Value::number(2))]),
            ),
            (
                "l".to_string(),
                Value::List(vec![Value::string("x"), Value::string("y")]),
            ),
            ("t".to_string(), Value::Bool(true)),
        ]),
    }
}

fn eval(src: &str) -> Result<Value, Diagnostic> {
    let sources = Sources::default();
    let file = sources.add("test.tf", format!("x = {src}\n"));
    let body = hcl::edit::parser::parse_body(&format!("x = {src}\n")).expect("parses");
    let attr = body.get_attribute("x").unwrap();
    let sc = scope();
    let mut ev = Evaluator::new(&sc, &sources, Path::new("."));
    ev.eval_in(&attr.value, file)
}

fn ok(src: &str) -> Value {
    eval(src).unwrap_or_else(|d| panic!("{src}: {d:?}"))
}

fn s(v: &str) -> Value {
    Value::string(v)
}

#[test]
fn literals_and_collections() {
    assert_eq!(ok("null"), Value::Null);
    assert_eq!(ok("1.5"), Value::number(1.5));
    assert_eq!(
        ok("[1, \"a\", true]"),
        Value::List(vec![Value::number(1), s("a"), Value::Bool(true)])
    );
    assert_eq!(
        ok("{ a = 1, \"b\" = 2, (var.s) = 3 }"),
        Value::map([
            ("a", Value::number(1)),
            ("b", Value::number(2)),
            ("web", Value::number(3))
        ])
    );
}

#[test]
fn templates_interpolate_and_escape() {
    assert_eq!(ok("\"${var.s}-${var.n}\""), s("web-3"));
    assert_eq!(ok("\"$${literal}\""), s("${literal}"));
    assert_eq!(ok("\"%{ if var.t }yes%{ else }no%{ endif }\""), s("yes"));
    assert_eq!(
        ok("\"%{ for k, v in var.m }${k}=${v};%{ endfor }\""),
        s("a=1;b=2;")
    );
}

#[test]
fn template_strip_markers_trim_whitespace() {
    assert_eq!(ok("\"a  %{~ if true ~}  b  %{~ endif ~}  c\""), s("abc"));
    assert_eq!(
        ok("<<EOT\n%{ for x in var.l ~}\n${x}\n%{ endfor ~}\nEOT"),
        s("x\ny\n")
    );
}

#[test]
fn a_lone_interpolation_keeps_its_type() {
    assert_eq!(ok("\"${var.l}\""), Value::List(vec![s("x"), s("y")]));
    assert_eq!(ok("\"${var.n}\""), Value::number(3));
    assert_eq!(ok("\"${var.n}!\""), s("3!"));
    assert_eq!(
        eval("\"${var.l}!\"").unwrap_err().summary,
        "Invalid template interpolation value"
    );
}

#[test]
fn heredocs_including_indented() {
    assert_eq!(ok("<<EOT\nhello ${var.s}\nEOT"), s("hello web\n"));
    assert_eq!(
        ok("<<-EOT\n    {\n      \"a\": 1\n    }\n    EOT"),
        s("{\n  \"a\": 1\n}\n")
    );
}

#[test]
fn arithmetic_logic_and_comparison() {
    assert_eq!(ok("var.n * 2 + 1"), Value::number(7));
    assert_eq!(ok("7 % 4"), Value::number(3));
    assert_eq!(ok("\"2\" + 1"), Value::number(3));
    assert_eq!(ok("-var.n"), Value::number(-3));
    assert_eq!(ok("var.n > 2 && !false"), Value::Bool(true));
    assert_eq!(ok("1 == \"1\""), Value::Bool(false));
    assert_eq!(ok("[1, 2] == [1, 2]"), Value::Bool(true));
    assert!(eval("1 / 0").is_err());
    assert!(eval("\"a\" + 1").is_err());
}

#[test]
fn conditionals() {
    assert_eq!(ok("var.n > 1 ? \"big\" : \"small\""), s("big"));
    assert_eq!(ok("var.u ? 1 : 2"), Value::Unknown);
    // Only the chosen branch is evaluated; with an unknown condition neither can fail.
    assert_eq!(ok("var.t ? 1 : var.l[9]"), Value::number(1));
    assert_eq!(ok("var.u ? var.l[9] : 2"), Value::Unknown);
    let err = eval("5 ? 1 : 2").unwrap_err();
    assert_eq!(err.summary, "Incorrect condition type");
}

#[test]
fn for_expressions_lists_maps_filters_and_grouping() {
    assert_eq!(
        ok("[for x in var.l : \"${x}!\"]"),
        Value::List(vec![s("x!"), s("y!")])
    );
    assert_eq!(
        ok("[for i, x in var.l : i]"),
        Value::List(vec![Value::number(0), Value::number(1)])
    );
    assert_eq!(
        ok("{for k, v in var.m : k => v * 10 if v > 1}"),
        Value::map([("b", Value::number(20))])
    );
    assert_eq!(
        ok("{for x in [\"a\", \"b\", \"a\"] : x => x...}"),
        Value::map([
            ("a", Value::List(vec![s("a"), s("a")])),
            ("b", Value::List(vec![s("b")]))
        ])
    );
    assert_eq!(
        eval("{for x in [\"a\", \"a\"] : x => x}")
            .unwrap_err()
            .summary,
        "Duplicate object key"
    );
    assert_eq!(ok("[for x in var.u : x]"), Value::Unknown);
}

#[test]
fn splats_index_and_legacy_forms() {
    assert_eq!(
        ok("aws_subnet.a[*].cidr_block"),
        Value::List(vec![s("a"), s("b")])
    );
    assert_eq!(
        ok("aws_subnet.a.*.cidr_block"),
        Value::List(vec![s("a"), s("b")])
    );
    assert_eq!(ok("aws_subnet.a.1.cidr_block"), s("b"));
    assert_eq!(ok("aws_subnet.a[0].cidr_block"), s("a"));
    assert_eq!(
        ok("aws_subnet.a[*].id"),
        Value::List(vec![Value::Unknown, Value::Unknown])
    );
    assert_eq!(ok("var.m[\"a\"]"), Value::number(1));
    assert_eq!(ok("var.l[1]"), s("y"));
    assert_eq!(ok("var.s[*]"), Value::List(vec![s("web")]));
    assert_eq!(eval("var.l[5]").unwrap_err().summary, "Invalid index");
    assert_eq!(
        eval("var.m.zzz").unwrap_err().summary,
        "Unsupported attribute"
    );
}

#[test]
fn resource_values_have_their_schema_attributes_and_no_others() {
    assert_eq!(ok("aws_vpc.main.cidr_block"), s("main-cidr"));
    assert_eq!(ok("aws_vpc.main.id"), Value::Unknown);
    assert_eq!(ok("\"vpc-${aws_vpc.main.id}\""), Value::Unknown);
    // Read directly from a resource: Terraform's wording for schema objects.
    let e = eval("aws_vpc.main.cidr").unwrap_err();
    assert_eq!(e.summary, "Unsupported attribute");
    assert_eq!(
        e.detail,
        "This object has no argument, nested block, or exported attribute named \"cidr\". Did you mean \"cidr_block\"?"
    );
    // The same object after a `for`: still complete, so still an error (HCL's wording).
    let e = eval("[for v in [aws_vpc.main] : v.cidr]").unwrap_err();
    assert_eq!(
        e.detail,
        "This object does not have an attribute named \"cidr\". Did you mean \"cidr_block\"?"
    );
    assert_eq!(
        ok("[for v in aws_subnet.a : v.id]"),
        Value::List(vec![Value::Unknown, Value::Unknown])
    );
}

#[test]
fn sensitive_values_stay_sensitive() {
    assert!(matches!(ok("var.pw"), Value::Sensitive(_)));
    assert!(matches!(ok("\"pw=${var.pw}\""), Value::Sensitive(_)));
    assert!(matches!(ok("var.pw == \"x\""), Value::Sensitive(_)));
    assert!(ok("[var.pw]").contains_sensitive());
    assert!(matches!(ok("[for c in [var.pw] : c]"), Value::List(_)));
}

#[test]
fn unknown_propagates_through_operators() {
    assert_eq!(ok("var.u + 1"), Value::Unknown);
    assert_eq!(ok("var.u == 1"), Value::Unknown);
    assert_eq!(ok("false && var.u"), Value::Bool(false));
    assert_eq!(ok("var.u || true"), Value::Bool(true));
    assert_eq!(
        ok("[var.u, 1]"),
        Value::List(vec![Value::Unknown, Value::number(1)])
    );
}

#[test]
fn try_and_can() {
    assert_eq!(ok("try(var.m.zzz, \"fallback\")"), s("fallback"));
    assert_eq!(ok("can(var.l[5])"), Value::Bool(false));
    assert_eq!(ok("can(var.l[0])"), Value::Bool(true));
    assert_eq!(ok("can(var.u)"), Value::Unknown);
}

#[test]
fn errors_point_at_the_offending_expression() {
    let d = eval("var.missing").unwrap_err();
    assert_eq!(d.summary, "Reference to undeclared input variable");
    let span = d.span.clone().unwrap();
    assert_eq!(span.range, 4..15);
    let d = eval("nosuchfn(1)").unwrap_err();
    assert_eq!(d.summary, "Call to unknown function");
}

#[test]
fn dynamic_blocks_expand() {
    let sources = Sources::default();
    let text = "ingress {\n  port = 22\n}\ndynamic \"ingress\" {\n  for_each = var.l\n  iterator = p\n  content {\n    port = p.value\n    idx = p.key\n  }\n}\n";
    let file = sources.add("test.tf", text);
    let body = hcl::edit::parser::parse_body(text).unwrap();
    let sc = scope();
    let mut ev = Evaluator::new(&sc, &sources, Path::new("."));
    let v = ev.eval_body(&body, file).unwrap();
    let ingress = v.as_map().unwrap()["ingress"].as_list().unwrap().to_vec();
    assert_eq!(ingress.len(), 3);
    assert_eq!(
        ingress[2],
        Value::map([("port", s("y")), ("idx", Value::number(1))])
    );
}

#[test]
fn templatefile_renders_with_only_its_variables() {
    let sources = Sources::default();
    let vars = BTreeMap::from([
        ("name".to_string(), s("web")),
        (
            "ports".to_string(),
            Value::List(vec![Value::number(80), Value::number(443)]),
        ),
    ]);
    let out = render_template_file(
        &sources,
        "svc=${name}\n%{ for p in ports ~}\nport ${p}\n%{ endfor ~}\n",
        Path::new("t.tpl"),
        &vars,
        false,
    )
    .unwrap();
    assert_eq!(out, s("svc=web\nport 80\nport 443\n"));
    let err =
        render_template_file(&sources, "${var.x}", Path::new("t.tpl"), &vars, false).unwrap_err();
    assert!(err.contains("Invalid reference in template"), "{err}");
}

#[test]
fn suggestions_find_close_names() {
    assert_eq!(suggest("lenght", &["length", "lower"]), Some("length"));
    assert_eq!(suggest("zzzzzz", &["length"]), None);
}

#[test]
fn sensitive_and_nonsensitive_set_and_clear_marks() {
    assert!(matches!(ok("sensitive(var.s)"), Value::Sensitive(_)));
    assert_eq!(ok("nonsensitive(var.pw)"), s("hunter2"));
    assert!(!ok("nonsensitive([var.pw])").contains_sensitive());
}

#[test]
fn function_calls_propagate_marks() {
    let v = ok("upper(var.pw)");
    assert!(matches!(v, Value::Sensitive(_)), "{v:?}");
    assert_eq!(v.unmarked(), &s("HUNTER2"));
    assert!(matches!(ok("length([var.pw])"), Value::Sensitive(_)));
    assert!(matches!(ok("\"${upper(var.pw)}!\""), Value::Sensitive(_)));
    assert_eq!(ok("join(\",\", [var.u])"), Value::Unknown);
    assert_eq!(ok("join(\",\", [\"a\", var.u])"), Value::Unknown);
    assert_eq!(ok("length([var.u])"), Value::number(1));
    assert_eq!(ok("length([var.u, var.u])"), Value::number(2));
    assert_eq!(ok("format(\"%s\", var.u)"), Value::Unknown);
    assert_eq!(ok("upper(lower(var.u))"), Value::Unknown);
    assert_eq!(ok("\"${upper(var.s)}\""), s("WEB"));
    assert_eq!(ok("\"${upper(var.s)}-${var.u}\""), Value::Unknown);
    assert_eq!(ok("element([var.u, \"a\"], 1)"), s("a"));
    assert_eq!(ok("element([var.u, \"a\"], 0)"), Value::Unknown);
    assert_eq!(
        ok("concat([var.u], [\"a\"])"),
        Value::List(vec![Value::Unknown, s("a")])
    );
    // Both marks at once.
    assert_eq!(
        ok("upper(var.u == var.pw ? \"a\" : \"b\")"),
        Value::Unknown.mark_sensitive(true)
    );
}

#[test]
fn expanding_function_arguments() {
    assert_eq!(ok("max([1, 5, 3]...)"), Value::number(5));
    assert_eq!(ok("max(7, [1, 5, 3]...)"), Value::number(7));
    assert_eq!(ok("min([for x in [4, 2, 8] : x]...)"), Value::number(2));
    assert_eq!(ok("join(\"-\", [var.l]...)"), s("x-y"));
    assert_eq!(
        ok("concat([[\"a\"], [\"b\"]]...)"),
        Value::List(vec![s("a"), s("b")])
    );
    // An unknown list expands to an unknown number of arguments; an unknown element is just
    // an unknown argument.
    assert_eq!(ok("max(var.u...)"), Value::Unknown);
    assert_eq!(ok("max([1, var.u]...)"), Value::Unknown);
    // A sensitive list marks every argument it expands to.
    let v = ok("upper([var.pw]...)");
    assert!(matches!(v, Value::Sensitive(_)), "{v:?}");
    assert!(matches!(ok("upper(tolist([var.s])...)"), Value::String(_)));
    let d = eval("max(1...)").unwrap_err();
    assert_eq!(d.summary, "Invalid expanding argument value");
    assert_eq!(blamed("max(1...)", &d), "1");
}

/// The source text a diagnostic points at, for an expression given to [`eval`].
fn blamed(src: &str, d: &Diagnostic) -> String {
    let text = format!("x = {src}\n");
    let range = d
        .span
        .as_ref()
        .expect("diagnostic has a span")
        .range
        .clone();
    text[range].to_string()
}

#[test]
fn function_errors_point_at_the_offending_argument() {
    let src = "cidrsubnet(\"10.0.0.0/16\", 30, 0)";
    let d = eval(src).unwrap_err();
    assert!(d
        .detail
        .starts_with("Call to function \"cidrsubnet\" failed: "));
    assert!(d.detail.contains("prefix of 16 by 30"), "{}", d.detail);
    assert_eq!(blamed(src, &d), "30");

    let src = "cidrsubnet(\"10.0.0.0/16\", 2, 4)";
    let d = eval(src).unwrap_err();
    assert!(d.detail.contains("subnet numbered 4"), "{}", d.detail);
    assert_eq!(blamed(src, &d), "4");

    let src = "cidrhost(\"10.0.0.0/33\", 1)";
    let d = eval(src).unwrap_err();
    assert!(d.detail.contains("invalid CIDR address"), "{}", d.detail);
    assert_eq!(blamed(src, &d), "\"10.0.0.0/33\"");

    let src = "element([], 0)";
    let d = eval(src).unwrap_err();
    assert!(d.detail.contains("empty list"), "{}", d.detail);
    assert_eq!(blamed(src, &d), "[]");

    let src = "element(var.l, -1)";
    let d = eval(src).unwrap_err();
    assert!(d.detail.contains("negative index"), "{}", d.detail);
    assert_eq!(blamed(src, &d), "-1");

    let src = "upper(var.l)";
    let d = eval(src).unwrap_err();
    assert_eq!(d.summary, "Invalid function argument");
    assert_eq!(blamed(src, &d), "var.l");

    // Errors in arguments expanded from a list point at that list.
    let src = "max(1, [2, \"x\"]...)";
    let d = eval(src).unwrap_err();
    assert!(d.detail.contains("number required"), "{}", d.detail);
    assert_eq!(blamed(src, &d), "[2, \"x\"]");

    // An error about the call as a whole points at the whole call.
    let src = "upper(\"a\", \"b\")";
    let d = eval(src).unwrap_err();
    assert_eq!(d.summary, "Error in function call");
    assert_eq!(blamed(src, &d), src);
}
