//! End to end on the shipped example (`examples/ecs.tf`, all four modules) against moto:
//! apply → every object exists (checked through the SDK) → plan says no changes → a second
//! apply makes no mutating API call → changing an instance type is a new launch template
//! version and an update of its autoscaling group, nothing else → destroy leaves nothing.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::path::{Path, PathBuf};

use support::moto::{exclusive, moto};

/// A copy of examples/ and modules/ side by side, as in the repository.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    support::copy_dir(&repo.join("modules"), &tmp.path().join("modules"));
    let root = tmp.path().join("examples");
    std::fs::create_dir_all(&root).unwrap();
    for f in ["ecs.tf", "ecs.tfvars"] {
        std::fs::copy(repo.join("examples").join(f), root.join(f)).unwrap();
    }
    (tmp, root)
}

fn cli(root: &Path, command: &str, extra: &[String]) -> support::Output {
    let out = support::run_in_env(root, command, extra, &moto().env());
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

/// Read-only calls are Describe*, List*, Get*; everything else changes something.
fn mutating(actions: &[String]) -> Vec<String> {
    actions
        .iter()
        .filter(|a| !(a.starts_with("Describe") || a.starts_with("List") || a.starts_with("Get")))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecs_example_lifecycle() {
    let _guard = exclusive();
    let (_tmp, root) = workdir();
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    // An AMI moto knows, so that the autoscaling groups can launch instances.
    let images = ec2.describe_images().owners("amazon").send().await.unwrap();
    let ami = images.images()[0].image_id().unwrap().to_string();
    let base = vec![
        "-var-file=ecs.tfvars".to_string(),
        "-var".to_string(),
        format!("ecs_ami_id={ami}"),
    ];

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
    assert_eq!(listeners.listeners()[0].port(), Some(80));
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
