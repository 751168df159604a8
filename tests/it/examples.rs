//! The shipped example (`examples/ecs.tf` with the modules in `modules/`) validates, evaluates
//! to the expected resource instances, and its graph has the edges the configuration implies.

use std::path::PathBuf;

use base64::Engine as _;
use ecsform::config::inputs::VarArg;
use ecsform::graph::dot;
use ecsform::ops::load::{self, LoadOptions};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn load(extra: &[VarArg]) -> load::Loaded {
    let mut vars = vec![VarArg::File("ecs.tfvars".into())];
    vars.extend_from_slice(extra);
    let loaded = load::load(&LoadOptions {
        dir: examples(),
        vars,
        env: Vec::new(),
    });
    assert!(
        !loaded.diags.has_errors(),
        "{}",
        loaded.diags.render(&loaded.sources, false)
    );
    loaded
}

#[test]
fn example_expands_into_the_expected_instances() {
    let loaded = load(&[]);
    let addrs: Vec<String> = loaded
        .evaluated
        .instances
        .keys()
        .map(|a| a.to_string())
        .collect();
    // EXAMPLE_OBJECTS (support/example.rs) less the validation record, plus the hosted zone's
    // data source: the record's for_each keys come from the certificate's planned
    // domain_validation_options, which only planning against AWS works out.
    assert_eq!(addrs.len(), 63, "{addrs:#?}");
    assert!(!addrs.iter().any(|a| a.contains("web_validation")));
    for expected in [
        "aws_ecs_cluster.cluster",
        "module.vpc.module.network.module.public_subnet.aws_subnet.subnet[1]",
        "module.vpc.module.network.module.nat_gateway[0].aws_nat_gateway.nat[1]",
        "module.ecs_instances[\"batch\"].aws_cloudwatch_log_group.instance[\"ecs-agent\"]",
        "module.ecs_instances[\"default\"].aws_autoscaling_group.asg",
        "module.alb.aws_lb_listener.http",
        "module.alb.aws_lb_listener.https[0]",
        "aws_acm_certificate.web",
        "data.aws_route53_zone.main",
        "aws_acm_certificate_validation.web",
        "aws_route53_record.web",
        "module.ecs_events.aws_cloudwatch_event_target.task_stopped",
        "aws_ecs_task_definition.web",
        "aws_ecs_service.web",
        "aws_appautoscaling_target.web",
        "aws_appautoscaling_policy.web_cpu",
    ] {
        assert!(
            addrs.iter().any(|a| a == expected),
            "missing {expected}: {addrs:#?}"
        );
    }
    // No public key given: the key pair's count is 0.
    assert!(!addrs.iter().any(|a| a.starts_with("aws_key_pair")));
    let with_key = load(&[VarArg::Var("ssh_public_key=ssh-ed25519 AAAA test".into())]);
    assert!(with_key
        .evaluated
        .instances
        .keys()
        .any(|a| a.to_string() == "aws_key_pair.ecs[0]"));
}

#[test]
fn example_user_data_is_rendered_from_the_template() {
    let loaded = load(&[]);
    let lt = loaded
        .evaluated
        .instances
        .iter()
        .find(|(a, _)| {
            a.to_string() == "module.ecs_instances[\"default\"].aws_launch_template.instance"
        })
        .map(|(_, i)| i.config.clone())
        .expect("launch template");
    let user_data = lt.as_map().unwrap()["user_data"]
        .as_str()
        .unwrap()
        .to_string();
    let script = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(user_data)
            .unwrap(),
    )
    .unwrap();
    assert!(script.contains("ECS_CLUSTER=acc-web\n"), "{script}");
    assert!(
        script.contains(
            "echo \"log group: /ecs/acc-web/default/docker\" >> /var/log/ecsform-bootstrap.log\n"
        ),
        "{script}"
    );
    // Optional object attributes took their defaults.
    let asg = loaded
        .evaluated
        .instances
        .iter()
        .find(|(a, _)| a.to_string() == "module.ecs_instances[\"batch\"].aws_autoscaling_group.asg")
        .map(|(_, i)| i.config.clone())
        .unwrap();
    let asg = asg.as_map().unwrap();
    assert_eq!(asg["desired_capacity"].as_number(), Some(0.0));
    // Environment, Cluster and Name, one tag block each.
    assert_eq!(asg["tag"].as_list().unwrap().len(), 3);
}

#[test]
fn example_graph_has_the_edges_of_the_configuration() {
    let loaded = load(&[]);
    let dot = dot::render(&loaded.evaluated, false);
    for edge in [
        // References inside a module three levels deep.
        r#""module.vpc.module.network.module.public_subnet.aws_subnet.subnet[0]" -> "module.vpc.aws_vpc.vpc""#,
        r#""module.vpc.module.network.module.private_subnet.aws_route_table_association.subnet[1]" -> "module.vpc.module.network.module.private_subnet.aws_subnet.subnet[1]""#,
        // Module output -> input across modules.
        r#""module.alb.aws_lb.alb" -> "module.vpc.module.network.module.public_subnet.aws_subnet.subnet[1]""#,
        r#""module.vpc.module.network.aws_route.private_nat[0]" -> "module.vpc.module.network.module.nat_gateway[0].aws_nat_gateway.nat[0]""#,
        // A root resource referenced from inside a module.
        r#""module.ecs_events.aws_cloudwatch_event_rule.task_stopped" -> "aws_ecs_cluster.cluster""#,
        // depends_on = [module.vpc] on the module call reaches the module's last resources.
        r#""module.ecs_instances[\"default\"].aws_security_group.instance" -> "module.vpc.module.network.aws_route.private_nat[1]""#,
        // depends_on on a resource.
        r#""module.ecs_instances[\"batch\"].aws_autoscaling_group.asg" -> "module.ecs_instances[\"batch\"].aws_cloudwatch_log_group.instance[\"messages\"]""#,
    ] {
        assert!(dot.contains(edge), "missing edge {edge}\n{dot}");
    }
    // The reduction drops edges implied by longer paths (ALB -> VPC goes via its security group).
    assert!(!dot.contains(r#""module.alb.aws_lb.alb" -> "module.vpc.aws_vpc.vpc""#));
    let full = dot::render(&loaded.evaluated, true);
    assert!(
        full.contains(r#""module.alb.aws_lb_target_group.default" -> "module.vpc.aws_vpc.vpc""#)
    );
    assert!(full.matches(" -> ").count() > dot.matches(" -> ").count());
}
