//! Snapshot tests of the rendered plan for each kind of change: create, update in place,
//! replace (both orders), delete with its reason, data read, drift, outputs and no-op; in the
//! human text, markdown (with truncation), JSON (validated against its schema) and summary
//! formats. No format may show a sensitive value.

use crate::support;

use ecsform::addrs::{InstanceKey, ModuleInstance, ResourceInstanceAddr};
use ecsform::config::{Mode, ResourceKey};
use ecsform::lang::Value;
use ecsform::plan::{Action, Drift, OutputChange, Plan, Recovered, RecoveryKind, ResourceChange};
use ecsform::render::text::render_plan;
use ecsform::render::{self, markdown, Format};

fn addr(module: &[&str], ty: &str, name: &str, key: Option<InstanceKey>) -> ResourceInstanceAddr {
    ResourceInstanceAddr {
        module: ModuleInstance(module.iter().map(|m| (m.to_string(), None)).collect()),
        resource: ResourceKey {
            mode: Mode::Managed,
            type_name: ty.into(),
            name: name.into(),
        },
        key,
    }
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn subnet(id: Option<&str>, cidr: &str, name: &str) -> Value {
    Value::map([
        ("id", id.map(s).unwrap_or(Value::Unknown)),
        (
            "arn",
            id.map(|i| s(&format!("arn:aws:ec2:eu-west-1:123456789012:subnet/{i}")))
                .unwrap_or(Value::Unknown),
        ),
        ("vpc_id", s("vpc-0a1b")),
        ("cidr_block", s(cidr)),
        ("availability_zone", s("eu-west-1a")),
        ("map_public_ip_on_launch", Value::Bool(true)),
        ("ipv6_cidr_block", Value::Null),
        ("tags", Value::map([("Name", s(name))])),
        (
            "tags_all",
            Value::map([("Name", s(name)), ("ManagedBy", s("ecsform"))]),
        ),
    ])
}

fn change(
    a: ResourceInstanceAddr,
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
) -> ResourceChange {
    ResourceChange {
        addr: a,
        action,
        before,
        after,
        replace_paths: Vec::new(),
        reason: None,
        dependencies: Vec::new(),
    }
}

fn plan(changes: Vec<ResourceChange>) -> Plan {
    Plan {
        changes,
        ..Plan::default()
    }
}

#[test]
fn create() {
    let p = plan(vec![change(
        addr(&["vpc"], "aws_subnet", "public", Some(InstanceKey::Int(0))),
        Action::Create,
        None,
        Some(subnet(None, "10.0.0.0/24", "public-a")),
    )]);
    insta::assert_snapshot!(render_plan(&p, false));
}

#[test]
fn update_in_place() {
    let p = plan(vec![change(
        addr(&[], "aws_subnet", "a", None),
        Action::Update,
        Some(subnet(Some("subnet-1"), "10.0.0.0/24", "old")),
        Some(subnet(Some("subnet-1"), "10.0.0.0/24", "new")),
    )]);
    insta::assert_snapshot!(render_plan(&p, false));
}

#[test]
fn replace_forced_by_an_attribute() {
    let mut c = change(
        addr(&[], "aws_subnet", "a", None),
        Action::DeleteThenCreate,
        Some(subnet(Some("subnet-1"), "10.0.0.0/24", "a")),
        Some(subnet(None, "10.0.9.0/24", "a")),
    );
    c.replace_paths = vec!["cidr_block".into()];
    let mut cbd = c.clone();
    cbd.addr = addr(&[], "aws_subnet", "b", None);
    cbd.action = Action::CreateThenDelete;
    insta::assert_snapshot!(render_plan(&plan(vec![c, cbd]), false));
}

#[test]
fn delete_with_reason() {
    let mut c = change(
        addr(&["vpc"], "aws_subnet", "private", Some(InstanceKey::Int(1))),
        Action::Delete,
        Some(subnet(Some("subnet-2"), "10.0.51.0/24", "private-b")),
        None,
    );
    c.reason = Some("index [1] is out of range for count".into());
    insta::assert_snapshot!(render_plan(&plan(vec![c]), false));
}

#[test]
fn drift_then_changes_and_outputs() {
    let gone = addr(&[], "aws_subnet", "gone", None);
    let tagged = addr(&[], "aws_subnet", "tagged", None);
    let p = Plan {
        changes: vec![change(
            gone.clone(),
            Action::Create,
            None,
            Some(subnet(None, "10.0.1.0/24", "gone")),
        )],
        drift: vec![
            Drift {
                addr: gone,
                before: subnet(Some("subnet-9"), "10.0.1.0/24", "gone"),
                after: None,
            },
            Drift {
                addr: tagged,
                before: subnet(Some("subnet-8"), "10.0.2.0/24", "tagged"),
                after: Some(subnet(Some("subnet-8"), "10.0.2.0/24", "changed-by-hand")),
            },
        ],
        recovered: vec![],
        outputs: vec![
            OutputChange {
                name: "subnet_id".into(),
                before: Some(s("subnet-9")),
                after: Some(Value::Unknown),
                sensitive: false,
            },
            OutputChange {
                name: "token".into(),
                before: None,
                after: Some(s("hunter2")),
                sensitive: true,
            },
        ],
        destroy: false,
        targets: Vec::new(),
        rollouts: Vec::new(),
    };
    let text = render_plan(&p, false);
    assert!(!text.contains("hunter2"));
    insta::assert_snapshot!(text);
}

/// Objects found after an interrupted apply come first; when they match the configuration,
/// the plan says apply only records them.
#[test]
fn objects_found_after_an_interrupted_apply() {
    let vpc = addr(&[], "aws_vpc", "main", None);
    let lt = addr(&[], "aws_launch_template", "web", None);
    let mut p = plan(vec![]);
    p.recovered = vec![
        Recovered {
            addr: vpc,
            id: "vpc-0abc".into(),
            kind: RecoveryKind::Adopted,
        },
        Recovered {
            addr: lt,
            id: "lt-0new".into(),
            kind: RecoveryKind::Replacement,
        },
    ];
    assert!(p.has_changes(), "apply has adoptions to record");
    insta::assert_snapshot!(render_plan(&p, false));
    insta::assert_snapshot!(
        "objects_found_markdown",
        markdown::render(&p, markdown::COMMENT_LIMIT)
    );
    insta::assert_snapshot!("objects_found_summary", render::summary::render(&p, false));
}

#[test]
fn no_changes() {
    let c = change(
        addr(&[], "aws_subnet", "a", None),
        Action::NoOp,
        Some(subnet(Some("subnet-1"), "10.0.0.0/24", "a")),
        Some(subnet(Some("subnet-1"), "10.0.0.0/24", "a")),
    );
    insta::assert_snapshot!(render_plan(&plan(vec![c]), false));
}

#[test]
fn sensitive_values_are_masked() {
    let before = Value::map([
        ("id", s("x")),
        ("password", s("old-secret").mark_sensitive(true)),
    ]);
    let after = Value::map([
        ("id", s("x")),
        ("password", s("new-secret").mark_sensitive(true)),
    ]);
    let p = plan(vec![change(
        addr(&[], "aws_iam_access_key", "k", None),
        Action::Update,
        Some(before),
        Some(after),
    )]);
    let text = render_plan(&p, false);
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains("(sensitive value)"));
}

#[test]
fn colour_only_when_asked() {
    let p = plan(vec![change(
        addr(&[], "aws_subnet", "a", None),
        Action::Create,
        None,
        Some(subnet(None, "10.0.0.0/24", "a")),
    )]);
    assert!(!render_plan(&p, false).contains('\x1b'));
    assert!(render_plan(&p, true).contains("\x1b[32m+"));
    // Padded outside the colour codes, so the block lines up as without colour.
    assert!(render_plan(&p, true).contains("\n  \x1b[32m+\x1b[0m resource \"aws_subnet\""));
}

// --- Markdown, JSON and summary -------------------------------------------------------------

/// Planted in sensitive values: no output format may contain it.
const SECRET: &str = "hunter2-planted-secret";

fn data_addr(ty: &str, name: &str) -> ResourceInstanceAddr {
    let mut a = addr(&[], ty, name, None);
    a.resource.mode = Mode::Data;
    a
}

fn key(k: &str) -> Option<InstanceKey> {
    Some(InstanceKey::Str(k.into()))
}

fn launch_template(id: Option<&str>, image: &str, user_data: &str) -> Value {
    Value::map([
        ("id", id.map(s).unwrap_or(Value::Unknown)),
        ("image_id", s(image)),
        ("instance_type", s("t3.small")),
        (
            "latest_version",
            id.map(|_| Value::number(3)).unwrap_or(Value::Unknown),
        ),
        ("user_data", s(user_data)),
    ])
}

fn access_key(secret: Value, status: &str) -> Value {
    Value::map([
        ("id", s("AKIAEXAMPLE")),
        ("user", s("deployer")),
        ("secret", secret),
        ("status", s(status)),
    ])
}

/// A plan with every action kind, drift of both kinds, sensitive and unknown values, output
/// changes (one sensitive), and addresses and values markdown would misread.
fn every_kind() -> Plan {
    let mut replace = change(
        addr(&[], "aws_subnet", "r", None),
        Action::DeleteThenCreate,
        Some(subnet(Some("subnet-3"), "10.0.3.0/24", "r")),
        Some(subnet(None, "10.0.30.0/24", "r")),
    );
    replace.replace_paths = vec!["cidr_block".into()];
    let mut cbd = change(
        addr(&["ecs"], "aws_launch_template", "lt", key("web")),
        Action::CreateThenDelete,
        Some(launch_template(
            Some("lt-1"),
            "ami-old",
            "#!/bin/bash\necho ECS_CLUSTER=old >> /etc/ecs/ecs.config\n",
        )),
        Some(launch_template(
            None,
            "ami-new",
            "#!/bin/bash\necho ECS_CLUSTER=new >> /etc/ecs/ecs.config\necho ```fenced```\n",
        )),
    );
    cbd.replace_paths = vec!["image_id".into()];
    let mut out_of_range = change(
        addr(&["vpc"], "aws_subnet", "private", Some(InstanceKey::Int(1))),
        Action::Delete,
        Some(subnet(Some("subnet-2"), "10.0.51.0/24", "private-b")),
        None,
    );
    out_of_range.reason = Some("index [1] is out of range for count".into());
    let mut odd_key = change(
        addr(&[], "aws_subnet", "odd", key("a|b*c")),
        Action::Delete,
        Some(subnet(Some("subnet-4"), "10.0.4.0/24", "odd")),
        None,
    );
    odd_key.reason = Some(r#"key ["a|b*c"] is not in for_each map"#.into());
    let mut gone_config = change(
        addr(&[], "aws_subnet", "legacy", None),
        Action::Delete,
        Some(subnet(Some("subnet-5"), "10.0.5.0/24", "legacy")),
        None,
    );
    gone_config.reason = Some("aws_subnet.legacy is not in configuration".into());
    let mut read = change(
        data_addr("aws_ami", "ecs"),
        Action::Read,
        None,
        Some(Value::map([
            ("id", Value::Unknown),
            ("owners", Value::List(vec![s("amazon")])),
            ("name_regex", Value::Unknown),
        ])),
    );
    read.reason = Some("config refers to values not yet known".into());
    let secret = |v: &str| s(v).mark_sensitive(true);
    let changes = vec![
        replace,
        change(
            addr(&[], "aws_subnet", "a", None),
            Action::Update,
            Some(subnet(Some("subnet-1"), "10.0.0.0/24", "by-hand")),
            Some(subnet(Some("subnet-1"), "10.0.0.0/24", "a")),
        ),
        change(
            addr(&[], "aws_subnet", "same", None),
            Action::NoOp,
            Some(subnet(Some("subnet-6"), "10.0.6.0/24", "same")),
            Some(subnet(Some("subnet-6"), "10.0.6.0/24", "same")),
        ),
        gone_config,
        odd_key,
        change(
            addr(&[], "aws_iam_access_key", "deploy", None),
            Action::Update,
            Some(access_key(secret(SECRET), "Active")),
            Some(access_key(secret(&format!("{SECRET}-2")), "Inactive")),
        ),
        read,
        cbd,
        change(
            addr(&["vpc"], "aws_subnet", "public", Some(InstanceKey::Int(0))),
            Action::Create,
            None,
            Some(subnet(None, "10.0.0.0/24", "public-a")),
        ),
        out_of_range,
    ];
    let mut changes = changes;
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    Plan {
        changes,
        drift: vec![
            Drift {
                addr: addr(&[], "aws_subnet", "a", None),
                before: subnet(Some("subnet-1"), "10.0.0.0/24", "a"),
                after: Some(subnet(Some("subnet-1"), "10.0.0.0/24", "by-hand")),
            },
            Drift {
                addr: addr(&[], "aws_subnet", "gone", None),
                before: subnet(Some("subnet-9"), "10.0.9.0/24", "gone"),
                after: None,
            },
        ],
        recovered: vec![],
        outputs: vec![
            OutputChange {
                name: "old".into(),
                before: Some(s("x")),
                after: None,
                sensitive: false,
            },
            OutputChange {
                name: "same".into(),
                before: Some(s("y")),
                after: Some(s("y")),
                sensitive: false,
            },
            OutputChange {
                name: "subnet_id".into(),
                before: Some(s("subnet-3")),
                after: Some(Value::Unknown),
                sensitive: false,
            },
            OutputChange {
                name: "token".into(),
                before: None,
                after: Some(s(SECRET)),
                sensitive: true,
            },
        ],
        destroy: false,
        targets: Vec::new(),
        rollouts: Vec::new(),
    }
}

/// Every `<details>` closed and every code fence closed, in order.
fn assert_balanced(md: &str) {
    let mut depth = 0i32;
    let mut fence: Option<usize> = None;
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match fence {
            Some(n) if ticks >= n && line[ticks..].trim().is_empty() => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                depth += line.matches("<details>").count() as i32;
                depth -= line.matches("</details>").count() as i32;
                assert!(depth >= 0, "</details> without <details>:\n{md}");
            }
        }
    }
    assert_eq!(fence, None, "unclosed code fence:\n{md}");
    assert_eq!(depth, 0, "unclosed <details>:\n{md}");
}

fn schema() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/plan-json.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("schema")
}

#[test]
fn markdown_every_kind() {
    let md = markdown::render(&every_kind(), markdown::COMMENT_LIMIT);
    assert!(!md.contains('\x1b') && !md.contains('\u{1}'));
    assert_balanced(&md);
    // Destructive changes come before the first resource's details.
    let destructive = md.find("Destructive changes").expect("destructive section");
    assert!(destructive < md.find("<details>").expect("details"));
    insta::assert_snapshot!(md);
}

#[test]
fn json_every_kind() {
    let doc = render::json::plan_json(&every_kind());
    support::json_schema::validate(&schema(), &doc).unwrap_or_else(|e| panic!("{e:#?}"));
    let text = render::plan(&every_kind(), Format::Json, false);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).ok(),
        Some(doc)
    );
    insta::assert_snapshot!(text);
}

#[test]
fn summary_every_kind() {
    let text = render::plan(&every_kind(), Format::Summary, false);
    assert!(!text.contains('\x1b'));
    assert!(render::plan(&every_kind(), Format::Summary, true).contains("\x1b[32m+"));
    insta::assert_snapshot!(text);
}

#[test]
fn no_format_shows_a_secret() {
    for format in [
        Format::Text,
        Format::Json,
        Format::Markdown,
        Format::Summary,
    ] {
        for color in [false, true] {
            let out = render::plan(&every_kind(), format, color);
            assert!(!out.contains(SECRET), "{format:?} shows the secret:\n{out}");
            if matches!(format, Format::Json | Format::Markdown) {
                assert!(!out.contains('\x1b'), "{format:?} has ANSI codes");
            }
        }
    }
    let md = render::plan(&every_kind(), Format::Markdown, false);
    assert!(md.contains("(sensitive value)"));
    let json = render::plan(&every_kind(), Format::Json, false);
    assert!(json.contains(r#""after_sensitive": true"#));
}

#[test]
fn every_format_is_deterministic() {
    for format in [
        Format::Text,
        Format::Json,
        Format::Markdown,
        Format::Summary,
    ] {
        assert_eq!(
            render::plan(&every_kind(), format, false),
            render::plan(&every_kind(), format, false)
        );
    }
}

#[test]
fn markdown_escapes_what_markdown_would_read() {
    let md = markdown::render(&every_kind(), markdown::COMMENT_LIMIT);
    // A `|` in an address must not split the destructive table's cell.
    assert!(md.contains(r#"| `aws_subnet.odd["a\|b*c"]` |"#), "{md}");
    assert!(
        md.contains(r#"key \["a\|b\*c"\] is not in for\_each map"#),
        "{md}"
    );
    // Backticks in a value lengthen the fence around it.
    assert!(md.contains("````diff\n"), "{md}");
}

#[test]
fn json_schema_rejects_what_it_should() {
    let schema = schema();
    let good = render::json::plan_json(&every_kind());
    assert!(support::json_schema::validate(&schema, &good).is_ok());
    let mut bad = good.clone();
    bad["resource_changes"][0]["change"]["actions"] = serde_json::json!(["replace"]);
    bad["resource_changes"][1]
        .as_object_mut()
        .expect("object")
        .remove("change");
    bad["resource_drift"][0]["change"]["actions"] = serde_json::json!(["create"]);
    bad["applyable"] = serde_json::json!("yes");
    bad["surprise"] = serde_json::json!(1);
    let errors = support::json_schema::validate(&schema, &bad).expect_err("invalid");
    assert_eq!(errors.len(), 5, "{errors:#?}");
    let empty = render::json::plan_json(&Plan::default());
    assert!(support::json_schema::validate(&schema, &empty).is_ok());
    assert_eq!(empty["applyable"], serde_json::json!(false));
}

#[test]
fn json_fields_match_terraform() {
    let doc = render::json::plan_json(&every_kind());
    let by_address = |a: &str| {
        doc["resource_changes"]
            .as_array()
            .and_then(|l| l.iter().find(|c| c["address"] == a))
            .cloned()
            .unwrap_or_else(|| panic!("{a} not in resource_changes"))
    };
    let r = by_address("aws_subnet.r");
    assert_eq!(
        r["change"]["actions"],
        serde_json::json!(["delete", "create"])
    );
    assert_eq!(
        r["change"]["replace_paths"],
        serde_json::json!([["cidr_block"]])
    );
    assert_eq!(r["action_reason"], "replace_because_cannot_update");
    assert_eq!(r["change"]["after_unknown"]["id"], true);
    let lt = by_address(r#"module.ecs.aws_launch_template.lt["web"]"#);
    assert_eq!(lt["module_address"], "module.ecs");
    assert_eq!(lt["index"], "web");
    assert_eq!(
        lt["change"]["actions"],
        serde_json::json!(["create", "delete"])
    );
    let private = by_address("module.vpc.aws_subnet.private[1]");
    assert_eq!(private["index"], 1);
    assert_eq!(private["action_reason"], "delete_because_count_index");
    assert_eq!(private["change"]["after"], serde_json::Value::Null);
    assert_eq!(
        by_address("aws_subnet.legacy")["action_reason"],
        "delete_because_no_resource_config"
    );
    let ami = by_address("data.aws_ami.ecs");
    assert_eq!(ami["mode"], "data");
    assert_eq!(ami["action_reason"], "read_because_config_unknown");
    let key = by_address("aws_iam_access_key.deploy");
    assert_eq!(key["change"]["before"]["secret"], serde_json::Value::Null);
    assert_eq!(
        key["change"]["before_sensitive"],
        serde_json::json!({"secret": true})
    );
    assert_eq!(
        by_address("aws_subnet.same")["change"]["actions"],
        serde_json::json!(["no-op"])
    );
    assert_eq!(
        doc["resource_drift"][1]["change"]["actions"],
        serde_json::json!(["delete"])
    );
    assert_eq!(doc["output_changes"]["token"]["after_sensitive"], true);
    assert_eq!(
        doc["output_changes"]["token"]["after"],
        serde_json::Value::Null
    );
    assert_eq!(
        doc["output_changes"]["same"]["actions"],
        serde_json::json!(["no-op"])
    );
    assert_eq!(doc["output_changes"]["subnet_id"]["after_unknown"], true);
    assert_eq!(doc["applyable"], true);
}

/// Many creations after the destructive changes: enough to need truncation at `limit`.
fn big_plan() -> Plan {
    let mut p = every_kind();
    for i in 0..40 {
        p.changes.push(change(
            addr(&["many"], "aws_subnet", "s", Some(InstanceKey::Int(i))),
            Action::Create,
            None,
            Some(subnet(None, &format!("10.1.{i}.0/24"), &format!("s-{i}"))),
        ));
    }
    p
}

#[test]
fn markdown_truncated_under_the_limit() {
    let plan = big_plan();
    let full = markdown::render(&plan, markdown::COMMENT_LIMIT);
    assert!(!full.contains("left out"));
    let limit = 9_000;
    assert!(full.len() > limit);
    let md = markdown::render(&plan, limit);
    assert!(md.len() <= limit, "{} > {limit}", md.len());
    assert_balanced(&md);
    assert!(md.contains("**Plan:** 43 to add, 2 to change, 5 to destroy."));
    for addr in [
        "`aws_subnet.r`",
        "`module.vpc.aws_subnet.private[1]`",
        "`aws_subnet.legacy`",
    ] {
        assert!(
            md.contains(&format!("| {addr} |")),
            "{addr} not listed:\n{md}"
        );
    }
    assert!(md.contains("<details>"), "no details kept at all:\n{md}");
    assert!(md.contains("were left out to keep this comment under 9000 characters"));
    insta::assert_snapshot!(md);
}

#[test]
fn markdown_truncates_the_destructive_list_last() {
    let mut plan = big_plan();
    for c in &mut plan.changes {
        if c.action == Action::Create {
            c.action = Action::Delete;
            c.before = c.after.take();
        }
    }
    let limit = 2_500;
    let md = markdown::render(&plan, limit);
    assert!(md.len() <= limit, "{} > {limit}", md.len());
    assert_balanced(&md);
    assert!(md.contains("**Plan:**"));
    assert!(!md.contains("<details>"));
    assert!(md.contains("more destructive changes."), "{md}");
    assert!(md.contains("Details of "), "{md}");
    insta::assert_snapshot!(md);
}

#[test]
fn no_changes_in_every_format() {
    let c = change(
        addr(&[], "aws_subnet", "a", None),
        Action::NoOp,
        Some(subnet(Some("subnet-1"), "10.0.0.0/24", "a")),
        Some(subnet(Some("subnet-1"), "10.0.0.0/24", "a")),
    );
    let p = plan(vec![c]);
    insta::assert_snapshot!(
        "no_changes_markdown",
        render::plan(&p, Format::Markdown, false)
    );
    assert_eq!(
        render::plan(&p, Format::Summary, false),
        "No changes. Your infrastructure matches the configuration.\n"
    );
    let doc = render::json::plan_json(&p);
    assert_eq!(doc["applyable"], false);
    assert_eq!(
        doc["resource_changes"][0]["change"]["actions"],
        serde_json::json!(["no-op"])
    );
}

#[test]
fn destroy_plans_say_so() {
    let p = Plan {
        destroy: true,
        ..plan(vec![change(
            addr(&[], "aws_subnet", "a", None),
            Action::Delete,
            Some(subnet(Some("subnet-1"), "10.0.0.0/24", "a")),
            None,
        )])
    };
    let md = markdown::render(&p, markdown::COMMENT_LIMIT);
    assert!(md.contains("### ecsform plan (destroy)"), "{md}");
    assert!(md.contains("**Plan:** 1 to destroy."), "{md}");
    assert!(
        md.contains("| `-` destroy | `aws_subnet.a` | planned with `-destroy` |"),
        "{md}"
    );
    assert!(render::plan(&p, Format::Summary, false).ends_with("\nPlan: 1 to destroy.\n"));
}

/// A group rolled because its launch template changes, and one rolled to finish an earlier
/// rollout (no change of its own), in every human format.
#[test]
fn rolling_replacements() {
    use ecsform::plan::rolling::{PlannedRollout, RolloutCause};
    let group = |version: &str| {
        Value::map([
            ("id", s("web")),
            ("max_size", Value::number(3)),
            (
                "launch_template",
                Value::List(vec![Value::map([
                    ("id", s("lt-1")),
                    ("version", s(version)),
                ])]),
            ),
        ])
    };
    let web = addr(&[], "aws_autoscaling_group", "web", None);
    let batch = addr(&[], "aws_autoscaling_group", "batch", None);
    let mut p = plan(vec![
        change(
            batch.clone(),
            Action::NoOp,
            Some(group("4")),
            Some(group("4")),
        ),
        change(
            web.clone(),
            Action::Update,
            Some(group("1")),
            Some(group("2")),
        ),
    ]);
    p.rollouts = vec![
        PlannedRollout {
            addr: batch,
            cause: RolloutCause::Unfinished("batch 1 of 2: draining i-1 in cluster main".into()),
            cluster: Some("main".into()),
            batch_size: 2,
            instances: None,
        },
        PlannedRollout {
            addr: web,
            cause: RolloutCause::GroupTemplateChanges,
            cluster: Some("main".into()),
            batch_size: 1,
            instances: Some(3),
        },
    ];
    insta::assert_snapshot!("rolling_text", render_plan(&p, false));
    insta::assert_snapshot!("rolling_markdown", markdown::render(&p, 65_000));
    insta::assert_snapshot!("rolling_summary", render::summary::render(&p, false));
}
