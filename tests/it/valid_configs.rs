//! Valid configurations under `tests/fixtures/valid/`: a full ECS stack (three levels of
//! modules, count, for_each, a conditional, heredoc, templatefile, jsonencode, cidrsubnet, a
//! dynamic block, `depends_on` a module) must validate and produce exactly the expected
//! dependency graph; variable values must follow Terraform's precedence; sensitive and
//! unknown values must flow through evaluation; bare `list`/`map` types must work as in
//! Terraform; and the CLI's flag forms, usage errors, `-version` and `-help` must behave.

use crate::support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use ecsform::config::inputs::VarArg;
use ecsform::lang::value::Value;
use ecsform::ops::load::{self, LoadOptions, Loaded};

fn valid(name: &str) -> PathBuf {
    support::fixtures("valid").join(name)
}

/// Loads a fixture and fails the test with the rendered diagnostics if it has any.
fn load(name: &str, vars: Vec<VarArg>, env: &[(&str, &str)]) -> Loaded {
    let loaded = load::load(&LoadOptions {
        dir: valid(name),
        vars,
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    });
    assert!(
        loaded.diags.is_empty(),
        "{name}:\n{}",
        loaded.diags.render(&loaded.sources, false)
    );
    loaded
}

/// The evaluated arguments of the resource instance with this address.
fn instance<'a>(loaded: &'a Loaded, addr: &str) -> &'a Value {
    loaded
        .evaluated
        .instances
        .values()
        .find(|i| i.addr.to_string() == addr)
        .map(|i| &i.config)
        .unwrap_or_else(|| {
            let all: Vec<String> = loaded
                .evaluated
                .instances
                .keys()
                .map(ToString::to_string)
                .collect();
            panic!("no instance {addr}; instances: {all:#?}")
        })
}

/// One argument of an evaluated resource instance.
fn arg<'a>(config: &'a Value, name: &str) -> &'a Value {
    config
        .as_map()
        .and_then(|m| m.get(name))
        .unwrap_or_else(|| panic!("no argument {name} in {config:?}"))
}

/// The `"a" -> "b"` lines of a DOT graph.
fn edges(dot: &str) -> BTreeSet<String> {
    dot.lines()
        .map(str::trim)
        .filter(|l| l.contains(" -> "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect()
}

const N: &str = "module.network";
const S: &str = "module.network.module.subnets";
const P: &str = "module.network.module.subnets.module.private";

/// The edges of `ecs-stack`, worked out by reading its configuration: an instance depends
/// on the one instance it names with a known key (`aws_iam_role.this[each.key]`), otherwise
/// on every instance of each resource it refers to, directly or through variables, locals,
/// module inputs and outputs, and on everything in a module it names in `depends_on`.
fn expected_stack_edges() -> BTreeSet<String> {
    let mut e: Vec<(String, String)> = Vec::new();
    let mut add = |from: &str, to: &str| e.push((from.to_string(), to.to_string()));
    for k in ["api", "web"] {
        // role = aws_iam_role.this[each.key].id: that role only
        add(
            &format!("aws_iam_role_policy.logs[\"{k}\"]"),
            &format!("aws_iam_role.this[\"{k}\"]"),
        );
        // cluster = aws_ecs_cluster.main.id, iam_role = aws_iam_role.this[each.key].arn
        add(
            &format!("aws_ecs_service.svc[\"{k}\"]"),
            "aws_ecs_cluster.main",
        );
        add(
            &format!("aws_ecs_service.svc[\"{k}\"]"),
            &format!("aws_iam_role.this[\"{k}\"]"),
        );
    }
    // image_id = data.aws_ami.ecs.id; templatefile(..., { cluster = aws_ecs_cluster.main.name })
    add("aws_launch_template.ecs", "data.aws_ami.ecs");
    add("aws_launch_template.ecs", "aws_ecs_cluster.main");
    // vpc_id = module.network.vpc_id
    add("aws_security_group.web", &format!("{N}.aws_vpc.this"));
    for i in 0..2 {
        let node = format!("aws_launch_template.node[{i}]");
        add(&node, "data.aws_ami.ecs");
        add(&node, "aws_security_group.web");
        add(&node, "aws_launch_template.ecs");
        // subnet_id = module.network.subnet_ids[count.index] and depends_on = [module.network]
        add(&node, &format!("{N}.aws_vpc.this"));
        add(&node, &format!("{S}.aws_route_table.this"));
        for j in 0..2 {
            add(&node, &format!("{P}.aws_subnet.this[{j}]"));
            add(&node, &format!("{P}.aws_route_table_association.this[{j}]"));
        }
        // vpc_id = var.vpc_id, passed down from module.network's aws_vpc.this.id
        add(
            &format!("{P}.aws_subnet.this[{i}]"),
            &format!("{N}.aws_vpc.this"),
        );
        // subnet_id = aws_subnet.this[count.index].id (that subnet only),
        // route_table_id = var.route_table_id
        let assoc = format!("{P}.aws_route_table_association.this[{i}]");
        add(&assoc, &format!("{S}.aws_route_table.this"));
        add(&assoc, &format!("{P}.aws_subnet.this[{i}]"));
    }
    add(
        &format!("{S}.aws_route_table.this"),
        &format!("{N}.aws_vpc.this"),
    );
    e.into_iter()
        .map(|(a, b)| format!("{:?} -> {:?}", a, b))
        .collect()
}

#[test]
fn ecs_stack_validates_and_has_the_expected_graph() {
    let dir = valid("ecs-stack");
    let out = support::run_in(&dir, "validate", &[] as &[&str]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert!(
        out.stdout
            .contains("valid (18 resource instances in 4 modules)"),
        "{}",
        out.stdout
    );

    // -full prints every dependency edge, which is what the configuration implies.
    let out = support::run_in(&dir, "graph", &["-full"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("digraph ecsform {"),
        "{}",
        out.stdout
    );
    let got = edges(&out.stdout);
    // The default output is the transitive reduction: a subset, without edges implied by
    // longer paths (the instances reach the AMI through the launch template).
    let reduced = edges(&support::run_in(&dir, "graph", &[] as &[&str]).stdout);
    assert!(reduced.is_subset(&got));
    assert!(reduced.len() < got.len());
    assert!(!reduced.contains(r#""aws_launch_template.node[0]" -> "data.aws_ami.ecs""#));
    assert!(got.contains(r#""aws_launch_template.node[0]" -> "data.aws_ami.ecs""#));
    let want = expected_stack_edges();
    assert_eq!(want.len(), 34);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing edges: {missing:#?}\nunexpected edges: {extra:#?}"
    );
    for node in [
        "\"module.network.module.subnets.module.private.aws_subnet.this[0]\"",
        "\"aws_iam_role.this[\\\"web\\\"]\"",
        "\"data.aws_ami.ecs\" [shape = \"ellipse\"]",
        "label = \"module.network.module.subnets.module.private\"",
    ] {
        assert!(out.stdout.contains(node), "no {node} in:\n{}", out.stdout);
    }
}

#[test]
fn ecs_stack_evaluates_functions_heredocs_and_dynamic_blocks() {
    let loaded = load("ecs-stack", Vec::new(), &[]);
    let addrs: BTreeSet<String> = loaded
        .evaluated
        .instances
        .keys()
        .map(ToString::to_string)
        .collect();
    for a in [
        "module.network.module.subnets.module.private.aws_subnet.this[0]",
        "module.network.module.subnets.module.private.aws_subnet.this[1]",
        "aws_iam_role.this[\"web\"]",
        "aws_iam_role.this[\"api\"]",
        "aws_launch_template.node[1]",
    ] {
        assert!(addrs.contains(a), "no {a} in {addrs:#?}");
    }

    // cidrsubnet with count.index, three modules down.
    let subnet = instance(&loaded, &format!("{P}.aws_subnet.this[1]"));
    assert_eq!(arg(subnet, "cidr_block"), &Value::string("10.0.1.0/24"));

    // The conditional picked the prod instance type; count.index in a template.
    let node = instance(&loaded, "aws_launch_template.node[1]");
    assert_eq!(arg(node, "instance_type"), &Value::string("m5.large"));
    assert_eq!(
        arg(arg(node, "tags"), "Name"),
        &Value::string("ecs-prod-node-1")
    );

    // Heredoc JSON policy and jsonencode.
    let role = instance(&loaded, "aws_iam_role.this[\"web\"]");
    let policy: serde_json::Value =
        serde_json::from_str(arg(role, "assume_role_policy").as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Action"], "sts:AssumeRole");
    let logs = instance(&loaded, "aws_iam_role_policy.logs[\"api\"]");
    let policy: serde_json::Value =
        serde_json::from_str(arg(logs, "policy").as_str().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][0]["Action"],
        serde_json::json!(["logs:CreateLogStream", "logs:PutLogEvents"])
    );

    // templatefile, then base64encode.
    let lt = instance(&loaded, "aws_launch_template.ecs");
    let user_data = arg(lt, "user_data").as_str().unwrap();
    assert_eq!(
        user_data,
        "IyEvYmluL2Jhc2gKZWNobyBFQ1NfQ0xVU1RFUj1lY3MtcHJvZCA+PiAvZXRjL2Vjcy9lY3MuY29uZmlnCg==",
        "base64 of the rendered user_data.sh.tpl"
    );

    // The dynamic block made one ingress block per service, in key order.
    let sg = instance(&loaded, "aws_security_group.web");
    let ports: Vec<&Value> = arg(sg, "ingress")
        .as_list()
        .expect("ingress blocks")
        .iter()
        .map(|b| arg(b, "from_port"))
        .collect();
    assert_eq!(ports, [&Value::number(8080), &Value::number(80)]);

    // for_each over a map: each.value in a conditional.
    let svc = instance(&loaded, "aws_ecs_service.svc[\"api\"]");
    assert_eq!(arg(svc, "desired_count"), &Value::number(2));
}

#[test]
fn variable_precedence_env_tfvars_auto_var_file_var() {
    let loaded = load(
        "precedence",
        vec![
            VarArg::File("extra.tfvars".into()),
            VarArg::Var("from_var=-var".into()),
        ],
        &[
            ("TF_VAR_from_env", "env"),
            ("TF_VAR_from_tfvars", "env"),
            ("TF_VAR_from_auto", "env"),
            ("TF_VAR_from_var_file", "env"),
            ("TF_VAR_from_var", "env"),
            ("HOME", "/root"),
        ],
    );
    let vars = &loaded.evaluated.variables;
    let get = |name: &str| vars[name].as_str().unwrap().to_string();
    assert_eq!(get("from_default"), "default");
    assert_eq!(get("from_env"), "env");
    assert_eq!(get("from_tfvars"), "terraform.tfvars");
    // *.auto.tfvars in lexical order: b after a.
    assert_eq!(get("from_auto"), "b.auto.tfvars");
    assert_eq!(get("from_var_file"), "extra.tfvars");
    assert_eq!(get("from_var"), "-var");
    assert_eq!(vars["instances"], Value::number(3));
}

#[test]
fn command_line_variables_apply_in_the_order_given() {
    let loaded = load(
        "precedence",
        vec![
            VarArg::Var("from_var=-var".into()),
            VarArg::File("extra.tfvars".into()),
        ],
        &[],
    );
    let vars = &loaded.evaluated.variables;
    assert_eq!(vars["from_var"], Value::string("extra.tfvars"));
    assert_eq!(vars["from_env"], Value::string("default"));
}

#[test]
fn typed_env_variable_is_converted() {
    let loaded = load("precedence", Vec::new(), &[("TF_VAR_instances", "5")]);
    assert_eq!(loaded.evaluated.variables["instances"], Value::number(5));
    assert_eq!(loaded.evaluated.instances.len(), 5);
}

#[test]
fn sensitive_values_stay_sensitive_and_unknowns_flow() {
    let loaded = load("sensitive-unknown", Vec::new(), &[]);
    assert_eq!(
        loaded.evaluated.variables["db_password"],
        Value::string("hunter2").mark_sensitive(true)
    );
    let db = instance(&loaded, "aws_iam_user.db");
    assert_eq!(
        arg(arg(db, "tags"), "password"),
        &Value::string("hunter2").mark_sensitive(true)
    );
    assert!(!arg(arg(db, "tags"), "owner").contains_sensitive());
    // aws_vpc.x.id is known only after apply, so the whole template is unknown.
    assert_eq!(arg(db, "name"), &Value::Unknown);
    assert!(loaded.evaluated.outputs["password"].sensitive);
    assert!(loaded.evaluated.outputs["password"]
        .value
        .contains_sensitive());

    // length() of a splat over unknown ids is known: count = 3.
    for i in 0..3 {
        let a = instance(&loaded, &format!("aws_route_table_association.a[{i}]"));
        assert_eq!(arg(a, "subnet_id"), &Value::Unknown);
    }
    assert_eq!(loaded.evaluated.instances.len(), 1 + 3 + 1 + 3);
    // A known attribute of the same resource stays known.
    let s = instance(&loaded, "aws_subnet.s[2]");
    assert_eq!(arg(s, "cidr_block"), &Value::string("10.0.2.0/24"));
}

#[test]
fn bare_list_and_map_types_are_list_any_and_map_any() {
    let loaded = load("legacy-types", Vec::new(), &[]);
    let vars = &loaded.evaluated.variables;
    assert_eq!(
        vars["azs"],
        Value::List(vec![
            Value::string("eu-west-1a"),
            Value::string("eu-west-1b")
        ])
    );
    let subnet = instance(&loaded, "aws_subnet.first");
    assert_eq!(
        arg(subnet, "availability_zone"),
        &Value::string("eu-west-1a")
    );
    let node = instance(&loaded, "aws_launch_template.node");
    assert_eq!(
        arg(node, "image_id"),
        &Value::string("ami-0123456789abcdef0")
    );
    assert_eq!(loaded.evaluated.outputs["az_count"].value, Value::number(2));

    // Values are converted as for list(any) and map(any): to one element type.
    let loaded = load(
        "legacy-types",
        vec![
            VarArg::Var(r#"azs=[1, "b"]"#.into()),
            VarArg::Var("region=us-east-1".into()),
        ],
        &[],
    );
    assert_eq!(
        loaded.evaluated.variables["azs"],
        Value::List(vec![Value::string("1"), Value::string("b")])
    );
    let node = instance(&loaded, "aws_launch_template.node");
    assert_eq!(
        arg(node, "image_id"),
        &Value::string("ami-0fedcba9876543210")
    );
}

#[test]
fn depends_on_a_local_value_depends_on_what_it_refers_to() {
    let dir = valid("depends-on-values");
    let out = support::run_in(&dir, "graph", &["-full"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = edges(&out.stdout);
    assert!(
        got.contains("\"aws_security_group.after_vpc\" -> \"aws_vpc.main\""),
        "{got:#?}"
    );
    assert!(
        !got.iter()
            .any(|e| e.contains("after_vpc\" -> \"aws_cloudwatch")),
        "{got:#?}"
    );
    // An attribute of a local value is not a whole object.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("main.tf"),
        "locals {\n  x = { a = 1 }\n}\n\nresource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n  depends_on = [local.x.a]\n}\n",
    )
    .unwrap();
    let out = support::run_in(tmp.path(), "validate", &[] as &[&str]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("Invalid depends_on reference"),
        "{}",
        out.stderr
    );
}

#[test]
fn var_file_flag_forms_are_the_same() {
    let dir = valid("precedence");
    let a = support::run_in(&dir, "graph", &["-var-file=extra.tfvars"]);
    let b = support::run_in(&dir, "graph", &["--var-file", "extra.tfvars"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(
        (a.code, &a.stdout, &a.stderr),
        (b.code, &b.stdout, &b.stderr)
    );
    // The file took effect: instances = 3.
    assert!(
        a.stdout.contains("\"null_resource.node[2]\""),
        "{}",
        a.stdout
    );
}

#[test]
fn usage_errors_exit_1_with_a_clear_message() {
    let out = support::run(&["frobnicate"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("Error: unknown command \"frobnicate\". Commands: plan, apply, destroy, show, output, state, import, fmt, validate, graph, force-unlock, providers."),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Run \"ecsform -help\" for usage."));

    let out = support::run(&["validate", "-bogus"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("Error: unknown flag -bogus for \"ecsform validate\"."),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn version_and_help_exit_0() {
    let out = support::run(&["-version"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("ecsform v"), "{}", out.stdout);
    assert!(out.stdout.contains("Terraform language 1.9"));

    let out = support::run(&["-help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("Usage: ecsform"), "{}", out.stdout);
    assert!(out.stdout.contains("validate") && out.stdout.contains("graph"));
    assert_eq!(out.stderr, "");
}

#[test]
fn computed_attributes_flow_through_each_value_for_modules_and_functions() {
    let loaded = load("computed-attributes", Vec::new(), &[]);
    let outputs = &loaded.evaluated.outputs;
    // Known after apply, wherever the resource value went.
    assert_eq!(
        outputs["arns"].value,
        Value::List(vec![Value::Unknown, Value::Unknown])
    );
    assert_eq!(outputs["private_subnet_id"].value, Value::Unknown);
    assert_eq!(outputs["first_public_arn"].value, Value::Unknown);
    assert_eq!(outputs["by_cidr"].value, Value::Unknown);
    // Configured arguments stay known through a module output.
    assert_eq!(
        outputs["private_subnet_cidr"].value,
        Value::string("10.0.1.0/24")
    );
    // A conditional resource with no instance: one() is null, try() falls back.
    assert_eq!(outputs["extra_arn"].value, Value::Null);
    assert_eq!(outputs["extra_or_none"].value, Value::string("none"));
    for key in ["a", "b"] {
        let a = instance(
            &loaded,
            &format!("aws_route_table_association.a[\"{key}\"]"),
        );
        assert_eq!(arg(a, "subnet_id"), &Value::Unknown);
    }
}

#[test]
fn providers_schema_json_prints_terraform_s_format() {
    let out = support::run(&["providers", "schema", "-json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["format_version"], "1.0");
    let aws = &doc["provider_schemas"]["registry.terraform.io/hashicorp/aws"];
    let subnet = &aws["resource_schemas"]["aws_subnet"]["block"]["attributes"];
    assert_eq!(subnet["vpc_id"]["required"], true);
    assert_eq!(subnet["arn"]["computed"], true);
    assert!(aws["data_source_schemas"]["aws_ami"].is_object());

    let out = support::run(&["providers", "schema"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("requires the -json flag"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

/// Where ecsform's schema of a type differs from the AWS provider's: one line per difference,
/// `TYPE PATH: what`, for `providers schema -json` output compared with the reference.
fn schema_differences(
    ours: &serde_json::Value,
    references: &[(String, serde_json::Value)],
) -> Vec<String> {
    use serde_json::Value as Json;
    fn flags(a: &Json) -> String {
        [
            "required",
            "optional",
            "computed",
            "sensitive",
            "deprecated",
        ]
        .into_iter()
        .filter(|k| a[*k] == true)
        .collect::<Vec<_>>()
        .join("+")
    }
    fn walk(ty: &str, path: &str, ours: &Json, theirs: &Json, out: &mut Vec<String>) {
        let at = |name: &str| {
            if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        };
        let empty = serde_json::Map::new();
        let map = |b: &Json, k: &str| b[k].as_object().cloned().unwrap_or_else(|| empty.clone());
        let (oa, ta) = (map(ours, "attributes"), map(theirs, "attributes"));
        let (ob, tb) = (map(ours, "block_types"), map(theirs, "block_types"));
        for (name, a) in &oa {
            match ta.get(name) {
                None if tb.contains_key(name) => out.push(format!(
                    "{ty} {}: an attribute, the provider's is a block",
                    at(name)
                )),
                None => out.push(format!("{ty} {}: not in the provider's schema", at(name))),
                Some(t) => {
                    if a["type"] != t["type"] {
                        out.push(format!(
                            "{ty} {}: type {} (provider: {})",
                            at(name),
                            a["type"],
                            t["type"]
                        ));
                    }
                    if flags(a) != flags(t) {
                        out.push(format!(
                            "{ty} {}: {} (provider: {})",
                            at(name),
                            flags(a),
                            flags(t)
                        ));
                    }
                }
            }
        }
        for name in ta
            .keys()
            .filter(|n| !oa.contains_key(*n) && !ob.contains_key(*n))
        {
            out.push(format!("{ty} {}: missing", at(name)));
        }
        for (name, b) in &ob {
            match tb.get(name) {
                None if ta.contains_key(name) => out.push(format!(
                    "{ty} {}: a block, the provider's is an attribute",
                    at(name)
                )),
                None => out.push(format!("{ty} {}: not in the provider's schema", at(name))),
                Some(t) => {
                    for k in ["nesting_mode", "min_items", "max_items"] {
                        if b[k] != t[k] {
                            out.push(format!(
                                "{ty} {}: {k} {} (provider: {})",
                                at(name),
                                b[k],
                                t[k]
                            ));
                        }
                    }
                    walk(ty, &at(name), &b["block"], &t["block"], out);
                }
            }
        }
        for name in tb
            .keys()
            .filter(|n| !ob.contains_key(*n) && !oa.contains_key(*n))
        {
            out.push(format!("{ty} {}: missing", at(name)));
        }
    }
    /// The differences of one provider's types.
    fn provider_differences(ours: &Json, reference: &Json, out: &mut Vec<String>) {
        for kind in ["resource_schemas", "data_source_schemas"] {
            for (name, schema) in ours[kind].as_object().expect("an object") {
                // The provider's aliases (`aws_alb_listener`) have their target's schema.
                let theirs = &reference[kind][name];
                let theirs = if theirs.is_null() {
                    &reference[kind][name.replacen("aws_alb", "aws_lb", 1)]
                } else {
                    theirs
                };
                let label = if kind == "resource_schemas" {
                    name.to_string()
                } else {
                    format!("data.{name}")
                };
                if theirs.is_null() {
                    out.push(format!("{label}: not in the provider's schema"));
                    continue;
                }
                walk(&label, "", &schema["block"], &theirs["block"], out);
            }
        }
    }
    let mut out = Vec::new();
    for (provider, reference) in references {
        let ours = &ours["provider_schemas"][format!("registry.terraform.io/hashicorp/{provider}")];
        provider_differences(ours, reference, &mut out);
    }
    out
}

/// The providers whose schemas are compared, each with its reference document
/// (`schema/PROVIDER-provider.json`): every built-in provider that has one.
fn schema_references() -> Vec<(String, serde_json::Value)> {
    let root = env!("CARGO_MANIFEST_DIR");
    [
        "archive",
        "aws",
        "cloudinit",
        "local",
        "random",
        "template",
        "tls",
    ]
    .into_iter()
    .map(|p| {
        let path = format!("{root}/schema/{p}-provider.json");
        let text = std::fs::read_to_string(&path).expect("reference");
        (p.to_string(), serde_json::from_str(&text).expect("JSON"))
    })
    .collect()
}

/// Every supported type's schema is its provider's (schema/aws-provider.json, from
/// `terraform providers schema -json` of hashicorp/aws 6.x; schema/random-provider.json for
/// hashicorp/random), path by path, except for the differences listed with their reasons in
/// tests/fixtures/provider-schema-allowlist.txt.
#[test]
fn every_supported_type_has_the_aws_provider_s_schema() {
    let out = support::run(&["providers", "schema", "-json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ours: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let root = env!("CARGO_MANIFEST_DIR");
    let reference = schema_references();
    let allowlist = std::fs::read_to_string(format!(
        "{root}/tests/fixtures/provider-schema-allowlist.txt"
    ))
    .expect("allowlist");
    let mut allowed = std::collections::BTreeMap::new();
    for line in allowlist.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (difference, reason) = line
            .split_once(" -- ")
            .unwrap_or_else(|| panic!("allowlist entry without a reason (\" -- why\"): {line}"));
        assert!(!reason.trim().is_empty(), "empty reason: {line}");
        allowed.insert(difference.trim().to_string(), reason.trim().to_string());
    }
    let differences = schema_differences(&ours, &reference);
    let unexplained: Vec<&String> = differences
        .iter()
        .filter(|d| !allowed.contains_key(*d))
        .collect();
    let stale: Vec<&String> = allowed
        .keys()
        .filter(|a| !differences.contains(*a))
        .collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "schema differences not in the allowlist:\n{}\n\nallowlist entries that are no longer differences:\n{}",
        unexplained.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n"),
        stale.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n"),
    );
    // The comparison itself finds differences: a changed flag, a removed block.
    let mut changed = ours.clone();
    let aws = &mut changed["provider_schemas"]["registry.terraform.io/hashicorp/aws"];
    aws["resource_schemas"]["aws_vpc"]["block"]["attributes"]["arn"]["optional"] = true.into();
    let blocks = aws["resource_schemas"]["aws_autoscaling_group"]["block"]["block_types"]
        .as_object_mut()
        .expect("blocks");
    blocks.remove("tag");
    let random = &mut changed["provider_schemas"]["registry.terraform.io/hashicorp/random"];
    random["resource_schemas"]["random_password"]["block"]["attributes"]["result"]["sensitive"] =
        false.into();
    let found = schema_differences(&changed, &reference);
    assert!(
        found.contains(
            &"random_password result: computed (provider: computed+sensitive)".to_string()
        ),
        "{found:?}"
    );
    assert!(
        found.contains(&"aws_vpc arn: optional+computed (provider: computed)".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"aws_autoscaling_group tag: missing".to_string()),
        "{found:?}"
    );
}

#[test]
fn unsupported_types_without_instances_are_left_out_with_one_warning() {
    let loaded = load::load(&LoadOptions {
        dir: valid("unsupported-types-unused"),
        ..LoadOptions::default()
    });
    let rendered = loaded.diags.render(&loaded.sources, false);
    assert!(!loaded.diags.has_errors(), "{rendered}");
    assert_eq!(rendered.matches("Warning: ").count(), 1, "{rendered}");
    for name in [
        "resource types \"aws_rds_cluster\", \"aws_rds_cluster_instance\"",
        "data source \"aws_rds_engine_version\"",
        "--> optional/main.tf:5:10",
    ] {
        assert!(rendered.contains(name), "{name} not in:\n{rendered}");
    }
    // References to them evaluate as Terraform's do: empty collections, untaken branches.
    let out = |name: &str| loaded.evaluated.outputs[name].value.clone();
    assert_eq!(out("conditional"), Value::Null);
    assert_eq!(out("splat"), Value::List(Vec::new()));
    assert_eq!(out("one"), Value::Null);
    assert_eq!(out("count"), Value::number(0));
    assert_eq!(out("ids"), Value::List(Vec::new()));
    assert_eq!(out("tried"), Value::string("none"));
}

#[test]
fn terraform_remote_state_reads_ecsform_and_terraform_states_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    // Another ecsform configuration's state, as its apply leaves it.
    let state_dir = tmp.path().join("network/state");
    std::fs::create_dir_all(&state_dir).unwrap();
    let mut store = ecsform::state::StateStore::open(&state_dir.join("ecsform.sqlite")).unwrap();
    store
        .set_outputs(&[
            ("vpc_id".into(), serde_json::json!("vpc-0abc"), false),
            (
                "subnets".into(),
                serde_json::json!(["subnet-a", "subnet-b"]),
                false,
            ),
            ("token".into(), serde_json::json!("s3cr3t"), true),
        ])
        .unwrap();
    drop(store);
    // A Terraform state (format version 4), read-only.
    std::fs::write(
        tmp.path().join("dns.tfstate"),
        r#"{"version":4,"terraform_version":"1.9.5","serial":7,"lineage":"l",
            "outputs":{"zone_id":{"value":"Z123","type":"string"}},"resources":[]}"#,
    )
    .unwrap();
    let root = tmp.path().join("app");
    std::fs::create_dir_all(root.join("modules/lookup")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        r#"
data "terraform_remote_state" "network" {
  backend = "local"
  config = {
    path = "../network/state/ecsform.sqlite"
  }
  defaults = {
    region = "eu-west-1"
  }
}

# Relative paths resolve from the working directory, in a module too (as in Terraform).
module "lookup" {
  source = "./modules/lookup"
}

output "vpc" {
  value = data.terraform_remote_state.network.outputs.vpc_id
}

output "second_subnet" {
  value = data.terraform_remote_state.network.outputs.subnets[1]
}

output "region" {
  value = data.terraform_remote_state.network.outputs.region
}

output "token" {
  value     = data.terraform_remote_state.network.outputs.token
  sensitive = true
}

output "zone" {
  value = module.lookup.zone
}
"#,
    )
    .unwrap();
    std::fs::write(
        root.join("modules/lookup/main.tf"),
        r#"
data "terraform_remote_state" "dns" {
  backend = "local"
  config = {
    path = "../dns.tfstate"
  }
}

output "zone" {
  value = data.terraform_remote_state.dns.outputs.zone_id
}
"#,
    )
    .unwrap();
    let loaded = load::load(&LoadOptions {
        dir: root.clone(),
        ..LoadOptions::default()
    });
    assert!(
        loaded.diags.is_empty(),
        "{}",
        loaded.diags.render(&loaded.sources, false)
    );
    let out = |name: &str| &loaded.evaluated.outputs[name];
    assert_eq!(out("vpc").value, Value::string("vpc-0abc"));
    assert_eq!(out("second_subnet").value, Value::string("subnet-b"));
    assert_eq!(out("region").value, Value::string("eu-west-1"));
    assert_eq!(out("zone").value, Value::string("Z123"));
    assert!(out("token").value.contains_sensitive());

    // Without `sensitive = true`, an output of the sensitive value is refused, as in Terraform.
    let text = std::fs::read_to_string(root.join("main.tf")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        text.replace("  sensitive = true\n", ""),
    )
    .unwrap();
    let loaded = load::load(&LoadOptions {
        dir: root,
        ..LoadOptions::default()
    });
    let rendered = loaded.diags.render(&loaded.sources, false);
    assert!(
        rendered.contains("Error: Output refers to sensitive values"),
        "{rendered}"
    );
    assert!(!rendered.contains("s3cr3t"), "{rendered}");
}
