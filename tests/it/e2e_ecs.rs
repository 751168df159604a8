//! End to end on the shipped example (`examples/ecs.tf`, all four modules) against moto:
//! apply → every object exists (checked through the SDK) → plan says no changes → a second
//! apply makes no mutating API call → changing an instance type is a new launch template
//! version and an update of its autoscaling group, nothing else → destroy leaves nothing.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::path::Path;

use support::moto::{exclusive, moto};

fn cli(root: &Path, command: &str, extra: &[String]) -> support::Output {
    let out = support::run_in_env(root, command, extra, &moto().env());
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

/// Read-only calls are Describe*, List*, Get* (and a REST protocol's GET, and Route 53's
/// ListTagsForResources, a POST); everything else changes something.
fn mutating(actions: &[String]) -> Vec<String> {
    let read = |a: &str| {
        ["Describe", "List", "Get", "GET "]
            .iter()
            .any(|p| a.starts_with(p))
            // Route 53's ListTagsForResources
            || a == "POST /2013-04-01/tags/hostedzone"
    };
    actions.iter().filter(|a| !read(a)).cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecs_example_lifecycle() {
    let _guard = exclusive();
    let (_tmp, root) = support::example::example_dir();
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    // An AMI moto knows, so that the autoscaling groups can launch instances; the hosted zone.
    let base = support::example::example_vars().await;

    let mut apply = vec!["-auto-approve".to_string()];
    apply.extend(base.clone());
    let out = tokio::task::block_in_place(|| cli(&root, "apply", &apply));
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Apply complete!"));
    assert!(out.stdout.contains("alb_dns_name = \""), "{}", out.stdout);
    assert!(
        out.stdout.contains("cluster_arn = \"arn:aws:ecs:"),
        "{}",
        out.stdout
    );

    // Every layer exists, checked through the SDK.
    let ecs = aws_sdk_ecs::Client::new(&config);
    let clusters = ecs
        .describe_clusters()
        .clusters("acc-web")
        .send()
        .await
        .unwrap();
    assert_eq!(clusters.clusters()[0].status(), Some("ACTIVE"));
    let asg = aws_sdk_autoscaling::Client::new(&config);
    let groups = asg.describe_auto_scaling_groups().send().await.unwrap();
    let mut names: Vec<&str> = groups
        .auto_scaling_groups()
        .iter()
        .filter_map(|g| g.auto_scaling_group_name())
        .collect();
    names.sort();
    assert_eq!(names, ["acc-web_batch", "acc-web_default"]);
    let default = groups
        .auto_scaling_groups()
        .iter()
        .find(|g| g.auto_scaling_group_name() == Some("acc-web_default"))
        .unwrap();
    assert_eq!(default.max_size(), Some(3));
    assert_eq!(default.vpc_zone_identifier().unwrap().split(',').count(), 2);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let lbs = elb
        .describe_load_balancers()
        .names("acc-web-alb")
        .send()
        .await
        .unwrap();
    let lb_arn = lbs.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let listeners = elb
        .describe_listeners()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .unwrap();
    // HTTPS: the certificate is issued, the HTTPS listener serves it and forwards, HTTP
    // redirects to HTTPS, and the web name is an alias of the load balancer.
    let acm = aws_sdk_acm::Client::new(&config);
    let certs = acm.list_certificates().send().await.unwrap();
    let cert = certs
        .certificate_summary_list()
        .iter()
        .find(|c| c.domain_name() == Some("web.acc.example.com"))
        .expect("the web certificate");
    assert_eq!(
        cert.status(),
        Some(&aws_sdk_acm::types::CertificateStatus::Issued)
    );
    let by_port = |port: i32| {
        listeners
            .listeners()
            .iter()
            .find(|l| l.port() == Some(port))
            .unwrap_or_else(|| panic!("no listener on {port}: {listeners:?}"))
    };
    assert_eq!(listeners.listeners().len(), 2);
    let https = by_port(443);
    assert_eq!(https.protocol().map(|p| p.as_str()), Some("HTTPS"));
    assert_eq!(
        https.certificates()[0].certificate_arn(),
        cert.certificate_arn()
    );
    assert_eq!(
        https.default_actions()[0].r#type().map(|t| t.as_str()),
        Some("forward")
    );
    let redirect = by_port(80).default_actions()[0].redirect_config().unwrap();
    assert_eq!(
        (redirect.protocol(), redirect.port()),
        (Some("HTTPS"), Some("443"))
    );
    let r53 = aws_sdk_route53::Client::new(&config);
    let zone = r53
        .list_hosted_zones_by_name()
        .dns_name(support::example::HOSTED_ZONE)
        .send()
        .await
        .unwrap()
        .hosted_zones()[0]
        .id()
        .to_string();
    let sets = r53
        .list_resource_record_sets()
        .hosted_zone_id(&zone)
        .send()
        .await
        .unwrap();
    let alias = sets
        .resource_record_sets()
        .iter()
        .find(|r| r.name() == "web.acc.example.com." && r.r#type().as_str() == "A")
        .and_then(|r| r.alias_target())
        .expect("the web name's alias record");
    assert_eq!(
        alias.dns_name().trim_end_matches('.'),
        lbs.load_balancers()[0].dns_name().unwrap()
    );
    assert!(out
        .stdout
        .contains("web_url = \"https://web.acc.example.com\""));
    let iam = aws_sdk_iam::Client::new(&config);
    let role = iam
        .get_role()
        .role_name("acc-web_default_ecs_instance_role")
        .send()
        .await
        .unwrap();
    assert!(role.role().unwrap().assume_role_policy_document().is_some());
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix("/ecs/acc-web/default/")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups().len(), 5);
    assert!(groups
        .log_groups()
        .iter()
        .all(|g| g.retention_in_days() == Some(30)));
    let events = aws_sdk_eventbridge::Client::new(&config);
    let rule = events
        .describe_rule()
        .name("acc-web_task_stopped")
        .send()
        .await
        .unwrap();
    assert!(rule
        .event_pattern()
        .unwrap()
        .contains("ECS Task State Change"));
    // The web service behind the default target group, its desired count scaled on CPU.
    let services = ecs
        .describe_services()
        .cluster("acc-web")
        .services("web")
        .send()
        .await
        .unwrap();
    let web = &services.services()[0];
    assert_eq!(web.status(), Some("ACTIVE"));
    assert_eq!(web.desired_count(), 2);
    assert!(web.load_balancers()[0]
        .target_group_arn()
        .unwrap()
        .contains(":targetgroup/acc-web-alb-default/"));
    let scaling = aws_sdk_applicationautoscaling::Client::new(&config);
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .resource_ids("service/acc-web/web")
        .send()
        .await
        .unwrap();
    let target = &targets.scalable_targets()[0];
    assert_eq!((target.min_capacity(), target.max_capacity()), (2, 6));
    let policies = scaling
        .describe_scaling_policies()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .resource_id("service/acc-web/web")
        .send()
        .await
        .unwrap();
    let tracking = policies.scaling_policies()[0]
        .target_tracking_scaling_policy_configuration()
        .unwrap();
    assert_eq!(tracking.target_value(), 60.0);
    assert_eq!(
        tracking
            .predefined_metric_specification()
            .unwrap()
            .predefined_metric_type()
            .as_str(),
        "ECSServiceAverageCPUUtilization"
    );

    // Nothing to do now, and a second apply changes nothing in AWS.
    let mut plan = vec!["-detailed-exitcode".to_string()];
    plan.extend(base.clone());
    let out = tokio::task::block_in_place(|| cli(&root, "plan", &plan));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("No changes."));
    moto().reset_recording();
    moto().recorder_start();
    let out = tokio::task::block_in_place(|| cli(&root, "apply", &apply));
    moto().recorder_stop();
    assert_eq!(out.code, 0);
    let calls = moto().recorded_actions();
    assert!(!calls.is_empty());
    assert_eq!(mutating(&calls), Vec::<String>::new());

    // A new instance type: a new launch template version and the group's update, nothing else.
    let changed = std::fs::read_to_string(root.join("ecs.tfvars"))
        .unwrap()
        .replace(
            "min     = 1\n    max     = 3",
            "instance_type = \"m5.large\"\n    min     = 1\n    max     = 3",
        );
    std::fs::write(root.join("ecs.tfvars"), changed).unwrap();
    let out = tokio::task::block_in_place(|| cli(&root, "plan", &plan));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.contains("# module.ecs_instances[\"default\"].aws_launch_template.instance will be updated in-place"), "{}", out.stdout);
    assert!(out.stdout.contains(
        "# module.ecs_instances[\"default\"].aws_autoscaling_group.asg will be updated in-place"
    ));
    assert!(
        out.stdout
            .contains("Plan: 0 to add, 2 to change, 0 to destroy."),
        "{}",
        out.stdout
    );
    let out = tokio::task::block_in_place(|| cli(&root, "apply", &apply));
    assert_eq!(out.code, 0);
    let lts = ec2
        .describe_launch_templates()
        .launch_template_names("acc-web_default_")
        .send()
        .await;
    if let Ok(lts) = lts {
        for lt in lts.launch_templates() {
            assert_eq!(lt.latest_version_number(), Some(2));
        }
    }

    // Destroy leaves nothing.
    let mut destroy = vec!["-auto-approve".to_string()];
    destroy.extend(base);
    let out = tokio::task::block_in_place(|| cli(&root, "destroy", &destroy));
    assert_eq!(out.code, 0);
    let groups = asg.describe_auto_scaling_groups().send().await.unwrap();
    assert!(groups.auto_scaling_groups().is_empty());
    assert!(elb
        .describe_load_balancers()
        .send()
        .await
        .unwrap()
        .load_balancers()
        .is_empty());
    assert!(acm
        .list_certificates()
        .send()
        .await
        .unwrap()
        .certificate_summary_list()
        .is_empty());
    let left = r53
        .list_resource_record_sets()
        .hosted_zone_id(&zone)
        .send()
        .await
        .unwrap();
    assert!(
        left.resource_record_sets()
            .iter()
            .all(|r| matches!(r.r#type().as_str(), "NS" | "SOA")),
        "{left:?}"
    );
    let clusters = ecs
        .describe_clusters()
        .clusters("acc-web")
        .send()
        .await
        .unwrap();
    assert!(clusters
        .clusters()
        .iter()
        .all(|c| c.status() != Some("ACTIVE")));
    assert!(scaling
        .describe_scalable_targets()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .send()
        .await
        .unwrap()
        .scalable_targets()
        .is_empty());
    assert!(logs
        .describe_log_groups()
        .log_group_name_prefix("/ecs/acc-web/default/")
        .send()
        .await
        .unwrap()
        .log_groups()
        .is_empty());
    assert!(iam
        .get_role()
        .role_name("acc-web_default_ecs_instance_role")
        .send()
        .await
        .is_err());
    let vpcs = ec2
        .describe_vpcs()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:Environment")
                .values("acc")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(vpcs.vpcs().is_empty());
}
