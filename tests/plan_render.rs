//! Snapshot tests of the human plan text for each kind of change: create, update in place,
//! replace (both orders), delete with its reason, data read, drift, outputs and no-op.

use ecsform::addrs::{InstanceKey, ModuleInstance, ResourceInstanceAddr};
use ecsform::config::{Mode, ResourceKey};
use ecsform::lang::Value;
use ecsform::plan::{Action, Drift, OutputChange, Plan, ResourceChange};
use ecsform::render::text::render_plan;

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
    };
    let text = render_plan(&p, false);
    assert!(!text.contains("hunter2"));
    insta::assert_snapshot!(text);
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
}
