//! Rolling replacement of an Auto Scaling group's instances with ECS draining (issue 8),
//! against moto with the simulated ECS agent of `support::ecs_agent`: a 3-instance group
//! rolls to a new AMI in batches of 1 without its tasks dropping below the minimum; a
//! replacement that never registers fails the apply within its time limit, leaves the old
//! instances serving and marks the group, and a rerun completes the roll; `-no-rolling` only
//! updates the template; the plan shows the roll.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use support::ecs_agent::{Agent, AgentConfig};
use support::moto::{exclusive, moto};

const GROUP: &str = "roll-web";
const CLUSTER: &str = "roll-main";

const CONFIG: &str = r#"
variable "ami" {
  type = string
}

resource "aws_ecs_cluster" "main" {
  name = "roll-main"
}

resource "aws_launch_template" "web" {
  name          = "roll-web"
  image_id      = var.ami
  instance_type = "t3.micro"
}

resource "aws_autoscaling_group" "web" {
  name                      = "roll-web"
  min_size                  = 3
  max_size                  = 3
  desired_capacity          = 3
  availability_zones        = ["eu-west-1a"]
  wait_for_capacity_timeout = "30s"

  launch_template {
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }

  rolling_update {
    max_batch_size      = 1
    min_healthy_percent = 100
    drain_timeout       = "30s"
    instance_timeout    = "8s"
    pause               = "1s"
    ecs_cluster         = aws_ecs_cluster.main.name
  }
}
"#;

fn cli(root: &Path, command: &str, extra: &[String]) -> support::Output {
    let out = support::run_in_env(root, command, extra, &moto().env());
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

struct Setup {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    sdk: aws_config::SdkConfig,
    amis: (String, String),
}

impl Setup {
    fn args(&self, ami: &str, extra: &[&str]) -> Vec<String> {
        let mut v = vec!["-var".to_string(), format!("ami={ami}")];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    }

    async fn group_instances(&self) -> Vec<(String, String)> {
        let asg = aws_sdk_autoscaling::Client::new(&self.sdk);
        let ec2 = aws_sdk_ec2::Client::new(&self.sdk);
        let g = asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(GROUP)
            .send()
            .await
            .unwrap();
        let ids: Vec<String> = g.auto_scaling_groups()[0]
            .instances()
            .iter()
            .filter_map(|i| i.instance_id().map(String::from))
            .collect();
        if ids.is_empty() {
            return Vec::new();
        }
        let r = ec2
            .describe_instances()
            .set_instance_ids(Some(ids))
            .send()
            .await
            .unwrap();
        let mut out: Vec<(String, String)> = r
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .map(|i| {
                (
                    i.instance_id().unwrap().to_string(),
                    i.image_id().unwrap_or_default().to_string(),
                )
            })
            .collect();
        out.sort();
        out
    }

    async fn desired(&self) -> (i32, i32) {
        let asg = aws_sdk_autoscaling::Client::new(&self.sdk);
        let g = asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(GROUP)
            .send()
            .await
            .unwrap();
        let g = &g.auto_scaling_groups()[0];
        (g.desired_capacity().unwrap(), g.max_size().unwrap())
    }

    async fn container_statuses(&self) -> Vec<(String, String)> {
        let ecs = aws_sdk_ecs::Client::new(&self.sdk);
        let arns = ecs
            .list_container_instances()
            .cluster(CLUSTER)
            .send()
            .await
            .unwrap();
        if arns.container_instance_arns().is_empty() {
            return Vec::new();
        }
        let d = ecs
            .describe_container_instances()
            .cluster(CLUSTER)
            .set_container_instances(Some(arns.container_instance_arns().to_vec()))
            .send()
            .await
            .unwrap();
        d.container_instances()
            .iter()
            .map(|c| {
                (
                    c.ec2_instance_id().unwrap_or_default().to_string(),
                    c.status().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    fn agent(&self) -> Agent {
        Agent::start(
            &self.sdk,
            AgentConfig {
                cluster: CLUSTER.into(),
                group: GROUP.into(),
                task_definition: "app".into(),
                tasks: 3,
                drain_delay: Duration::from_millis(800),
            },
        )
    }
}

/// Resets moto, writes the configuration, applies it with the first AMI and registers the
/// fake tasks' definition.
async fn setup() -> Setup {
    moto().reset();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    std::fs::write(root.join("main.tf"), CONFIG).unwrap();
    let sdk = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let images = ec2.describe_images().owners("amazon").send().await.unwrap();
    let amis: Vec<String> = images
        .images()
        .iter()
        .filter_map(|i| i.image_id().map(String::from))
        .collect();
    assert!(amis.len() >= 2, "moto knows fewer than two AMIs");
    let s = Setup {
        _tmp: tmp,
        root,
        sdk,
        amis: (amis[0].clone(), amis[1].clone()),
    };
    let ecs = aws_sdk_ecs::Client::new(&s.sdk);
    ecs.register_task_definition()
        .family("app")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .cpu(64)
                .memory(64)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let args = s.args(&s.amis.0, &["-auto-approve"]);
    let out = tokio::task::block_in_place(|| cli(&s.root, "apply", &args));
    assert_eq!(out.code, 0, "first apply failed");
    s
}

fn old_ids(instances: &[(String, String)]) -> BTreeSet<String> {
    instances.iter().map(|(id, _)| id.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolls_to_a_new_ami_in_batches_of_one_keeping_the_tasks_up() {
    let _guard = exclusive();
    let s = setup().await;
    let agent = s.agent();
    agent.settled(3, Duration::from_secs(30)).await;
    let before = s.group_instances().await;
    assert_eq!(before.len(), 3);
    let (_, new_ami) = s.amis.clone();

    // The plan shows the roll, in text and markdown.
    let plan = tokio::task::block_in_place(|| cli(&s.root, "plan", &s.args(&new_ami, &[])));
    assert_eq!(plan.code, 0);
    assert!(
        plan.stdout.contains(
            "# aws_autoscaling_group.web will be updated in-place, and its instances replaced: 3 instances, batches of 1, draining from cluster \"roll-main\""
        ),
        "{}",
        plan.stdout
    );
    assert!(plan
        .stdout
        .contains("Rolling replacement: 3 instances of 1 group"));
    let md =
        tokio::task::block_in_place(|| cli(&s.root, "plan", &s.args(&new_ami, &["-markdown"])));
    assert!(
        md.stdout.contains("#### ⚠️ Destructive changes"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains(
        "| `~` replace instances | `aws_autoscaling_group.web` | 3 instances, batches of 1"
    ));
    let json = tokio::task::block_in_place(|| cli(&s.root, "plan", &s.args(&new_ami, &["-json"])));
    assert!(json
        .stdout
        .contains("\"action_reason\": \"replace_instances_rolling\""));

    let out = tokio::task::block_in_place(|| {
        cli(&s.root, "apply", &s.args(&new_ami, &["-auto-approve"]))
    });
    assert_eq!(out.code, 0, "the rollout failed");
    assert!(out
        .stdout
        .contains("Instances replaced in 1 Auto Scaling group."));
    for (id, _) in &before {
        assert!(
            out.stdout
                .contains(&format!("{id}: draining container instance")),
            "no drain line for {id}"
        );
        assert!(
            out.stdout.contains(&format!("{id} drained: 1 task moved")),
            "{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("batch 3/3"));

    let after = s.group_instances().await;
    assert_eq!(after.len(), 3, "{after:?}");
    assert!(after.iter().all(|(_, ami)| *ami == new_ami), "{after:?}");
    assert!(old_ids(&after).is_disjoint(&old_ids(&before)));
    assert_eq!(s.desired().await, (3, 3), "capacity and max are back");
    let log = agent.stop().await;
    assert!(log.errors.is_empty(), "{:?}", log.errors);
    assert_eq!(log.moved, 3);
    let min = log.running.iter().min().copied().unwrap_or(0);
    assert!(
        min >= 3,
        "tasks dropped to {min} during the rollout: {:?}",
        log.running
    );

    // Done: nothing pending, nothing to plan.
    let list = tokio::task::block_in_place(|| cli(&s.root, "state", &["list".to_string()]));
    assert!(!list.stdout.contains("rollout pending"));
    let plan = tokio::task::block_in_place(|| cli(&s.root, "plan", &s.args(&new_ami, &[])));
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_that_never_registers_fails_the_apply_and_a_rerun_completes() {
    let _guard = exclusive();
    let s = setup().await;
    let agent = s.agent();
    agent.settled(3, Duration::from_secs(30)).await;
    let before = s.group_instances().await;
    let (old_ami, new_ami) = s.amis.clone();
    agent.set_registering(false);

    let out = tokio::task::block_in_place(|| {
        cli(&s.root, "apply", &s.args(&new_ami, &["-auto-approve"]))
    });
    assert_eq!(out.code, 1);
    // It gave up after the configured instance_timeout, not the default 10 minutes.
    assert!(out.stderr.contains("after 8s"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Rolling replacement of aws_autoscaling_group.web failed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("waiting for the replacements of"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("WaiterTimeout"));
    assert!(out.stderr.contains("keep serving"));
    assert!(!out.stdout.contains("Apply complete!"));

    // The old instances serve on, the failed replacement is gone, capacity is back.
    let now = s.group_instances().await;
    assert_eq!(old_ids(&now), old_ids(&before), "{now:?}");
    assert!(now.iter().all(|(_, ami)| *ami == old_ami));
    assert_eq!(s.desired().await.0, 3);
    let statuses = s.container_statuses().await;
    for (id, _) in &before {
        assert!(
            statuses.contains(&(id.clone(), "ACTIVE".to_string())),
            "{statuses:?}"
        );
    }

    // State marks the group; the plan continues.
    let list = tokio::task::block_in_place(|| cli(&s.root, "state", &["list".to_string()]));
    assert!(
        list.stdout
            .contains("aws_autoscaling_group.web (rollout pending"),
        "{}",
        list.stdout
    );
    let show = tokio::task::block_in_place(|| {
        cli(
            &s.root,
            "state",
            &["show".to_string(), "aws_autoscaling_group.web".to_string()],
        )
    });
    assert!(show.stdout.contains("rollout_pending"), "{}", show.stdout);
    let plan = tokio::task::block_in_place(|| cli(&s.root, "plan", &s.args(&new_ami, &[])));
    assert!(
        plan.stdout
            .contains("# aws_autoscaling_group.web will have its instances replaced: 3 instances"),
        "{}",
        plan.stdout
    );
    assert!(plan
        .stdout
        .contains("an earlier rollout stopped before it finished"));

    // The agent is fixed: a rerun completes the roll.
    agent.set_registering(true);
    let out = tokio::task::block_in_place(|| {
        cli(&s.root, "apply", &s.args(&new_ami, &["-auto-approve"]))
    });
    assert_eq!(out.code, 0);
    let after = s.group_instances().await;
    assert_eq!(after.len(), 3);
    assert!(after.iter().all(|(_, ami)| *ami == new_ami), "{after:?}");
    let list = tokio::task::block_in_place(|| cli(&s.root, "state", &["list".to_string()]));
    assert!(!list.stdout.contains("rollout pending"));
    let log = agent.stop().await;
    let min = log.running.iter().min().copied().unwrap_or(0);
    assert!(min >= 3, "tasks dropped to {min}: {:?}", log.running);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_rolling_only_updates_the_template() {
    let _guard = exclusive();
    let s = setup().await;
    let before = s.group_instances().await;
    let (old_ami, new_ami) = s.amis.clone();
    let plan =
        tokio::task::block_in_place(|| cli(&s.root, "plan", &s.args(&new_ami, &["-no-rolling"])));
    assert!(
        plan.stdout
            .contains("# aws_autoscaling_group.web will be updated in-place\n"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("instances replaced"));
    let out = tokio::task::block_in_place(|| {
        cli(
            &s.root,
            "apply",
            &s.args(&new_ami, &["-auto-approve", "-no-rolling"]),
        )
    });
    assert_eq!(out.code, 0);
    assert!(!out.stdout.contains("Rolling:"));
    let after = s.group_instances().await;
    assert_eq!(after, before);
    assert!(after.iter().all(|(_, ami)| *ami == old_ami));
    let ec2 = aws_sdk_ec2::Client::new(&s.sdk);
    let v = ec2
        .describe_launch_template_versions()
        .launch_template_name("roll-web")
        .versions("$Latest")
        .send()
        .await
        .unwrap();
    let data = v.launch_template_versions()[0]
        .launch_template_data()
        .unwrap();
    assert_eq!(data.image_id(), Some(new_ami.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_rolling_update_settings_are_located() {
    let _guard = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let bad = CONFIG.replace(
        "drain_timeout       = \"30s\"",
        "drain_timeout       = \"30 seconds\"",
    );
    std::fs::write(tmp.path().join("main.tf"), bad).unwrap();
    let out = tokio::task::block_in_place(|| {
        cli(
            tmp.path(),
            "plan",
            &[
                "-var".to_string(),
                "ami=ami-1".to_string(),
                "-refresh=false".to_string(),
            ],
        )
    });
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Invalid rolling_update block"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("drain_timeout must be a duration"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("main.tf:32:"), "{}", out.stderr);
    let out = tokio::task::block_in_place(|| {
        cli(
            tmp.path(),
            "validate",
            &["-var".to_string(), "ami=ami-1".to_string()],
        )
    });
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("drain_timeout must be a duration"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("main.tf:32:"), "{}", out.stderr);
}
