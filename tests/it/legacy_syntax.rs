//! Terraform 0.11-style configurations (quoted type hints, `"${...}"` everywhere, legacy `.*`
//! splats, `template_file` with a `vars {}` block) still load and evaluate.

use std::path::PathBuf;

use ecsform::lang::Value;
use ecsform::ops::load::{self, LoadOptions};

#[test]
fn legacy_configuration_evaluates() {
    let loaded = load::load(&LoadOptions {
        dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy"),
        ..LoadOptions::default()
    });
    assert!(
        !loaded.diags.has_errors(),
        "{}",
        loaded.diags.render(&loaded.sources, false)
    );
    let ev = &loaded.evaluated;
    let get = |addr: &str| {
        ev.instances
            .iter()
            .find(|(a, _)| a.to_string() == addr)
            .map(|(_, i)| i.config.clone())
            .unwrap_or_else(|| panic!("no {addr}"))
    };
    // A lone "${...}" keeps the type of its value: a map stays a map.
    let subnet = get("aws_subnet.subnet[1]");
    let subnet = subnet.as_map().unwrap();
    assert_eq!(subnet["cidr_block"], Value::string("10.0.2.0/24"));
    assert_eq!(subnet["availability_zone"], Value::string("eu-west-1b"));
    assert_eq!(
        subnet["tags"],
        Value::map([("Name", Value::string("x")), ("Team", Value::string("x"))])
    );
    // The vpc id is known only after apply.
    assert_eq!(subnet["vpc_id"], Value::Unknown);
    // template_file renders locally from its 0.11-style vars block.
    let lc = get("aws_launch_configuration.lc");
    assert_eq!(
        lc.as_map().unwrap()["user_data"],
        Value::string("#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n")
    );
    // join over a legacy splat of unknown ids is unknown.
    assert_eq!(ev.outputs["subnet_ids"].value, Value::Unknown);
    assert!(!ev.outputs["rendered"].sensitive);
}
