//! A simulated ECS agent for moto, which has none: a tokio task that, every few hundred
//! milliseconds, registers each InService instance of one Auto Scaling group in a cluster
//! (`RegisterContainerInstance` with an instance identity document naming the EC2 instance),
//! keeps a fixed number of fake tasks running (`StartTask` on ACTIVE container instances),
//! moves the tasks off DRAINING instances after a delay (a new task is started elsewhere
//! before the old one is stopped, as an ECS service with a maximum percent above 100 does),
//! and deregisters the container instances of instances that left the group.
//!
//! It records the number of running tasks at every tick, so that tests can check that a
//! rollout never went below the healthy minimum. `set_registering(false)` makes it ignore
//! new instances (an AMI whose agent cannot reach the cluster).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the agent simulates.
#[derive(Clone, Debug)]
pub struct AgentConfig {
    pub cluster: String,
    pub group: String,
    /// A registered task definition (family or ARN) for the fake tasks.
    pub task_definition: String,
    /// How many tasks the "service" keeps running.
    pub tasks: usize,
    /// How long tasks stay on a DRAINING instance before they are moved.
    pub drain_delay: Duration,
}

/// What the agent saw.
#[derive(Clone, Debug, Default)]
pub struct AgentLog {
    /// Running tasks at each tick once all tasks were first placed.
    pub running: Vec<usize>,
    /// Instances it registered, in order.
    pub registered: Vec<String>,
    /// Tasks moved off draining instances.
    pub moved: usize,
    /// Errors from AWS calls (the agent keeps going).
    pub errors: Vec<String>,
}

/// A running simulated agent; stopped when dropped.
pub struct Agent {
    stop: Arc<AtomicBool>,
    registering: Arc<AtomicBool>,
    log: Arc<Mutex<AgentLog>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl Agent {
    /// Starts the agent on the current tokio runtime.
    pub fn start(sdk: &aws_config::SdkConfig, config: AgentConfig) -> Agent {
        let stop = Arc::new(AtomicBool::new(false));
        let registering = Arc::new(AtomicBool::new(true));
        let log = Arc::new(Mutex::new(AgentLog::default()));
        let ecs = aws_sdk_ecs::Client::new(sdk);
        let asg = aws_sdk_autoscaling::Client::new(sdk);
        let (s, r, l) = (stop.clone(), registering.clone(), log.clone());
        let handle = tokio::spawn(async move {
            let mut sim = Sim {
                ecs,
                asg,
                config,
                registering: r,
                log: l,
                tasks: BTreeMap::new(),
                draining_since: BTreeMap::new(),
                placed: false,
            };
            while !s.load(Ordering::SeqCst) {
                if let Err(e) = sim.tick().await {
                    sim.log.lock().unwrap().errors.push(e);
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        });
        Agent {
            stop,
            registering,
            log,
            handle: Some(handle),
        }
    }

    /// Whether new instances get registered.
    pub fn set_registering(&self, on: bool) {
        self.registering.store(on, Ordering::SeqCst);
    }

    pub fn log(&self) -> AgentLog {
        self.log.lock().unwrap().clone()
    }

    /// Waits until `n` instances are registered and all tasks placed.
    pub async fn settled(&self, n: usize, timeout: Duration) {
        let start = Instant::now();
        loop {
            let log = self.log();
            if log.registered.len() >= n && !log.running.is_empty() {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "the simulated agent did not settle: {log:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn stop(mut self) -> AgentLog {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        self.log()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

struct Sim {
    ecs: aws_sdk_ecs::Client,
    asg: aws_sdk_autoscaling::Client,
    config: AgentConfig,
    registering: Arc<AtomicBool>,
    log: Arc<Mutex<AgentLog>>,
    /// Our running tasks: task ARN → container instance ARN.
    tasks: BTreeMap<String, String>,
    draining_since: BTreeMap<String, Instant>,
    /// All tasks were placed once.
    placed: bool,
}

#[derive(Debug)]
struct Ci {
    arn: String,
    ec2: String,
    status: String,
}

impl Sim {
    async fn tick(&mut self) -> Result<(), String> {
        let cluster = self.config.cluster.clone();
        let groups = self
            .asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(&self.config.group)
            .send()
            .await
            .map_err(|e| format!("DescribeAutoScalingGroups: {e:?}"))?;
        let in_service: BTreeSet<String> = groups
            .auto_scaling_groups()
            .iter()
            .flat_map(|g| g.instances())
            .filter(|i| i.lifecycle_state().map(|s| s.as_str()) == Some("InService"))
            .filter_map(|i| i.instance_id().map(String::from))
            .collect();
        let mut cis = self.container_instances(&cluster).await?;

        // Register new instances.
        let known: BTreeSet<String> = cis.iter().map(|c| c.ec2.clone()).collect();
        let registered_before: BTreeSet<String> = self
            .log
            .lock()
            .unwrap()
            .registered
            .iter()
            .cloned()
            .collect();
        for id in in_service.difference(&known) {
            if registered_before.contains(id) || !self.registering.load(Ordering::SeqCst) {
                continue;
            }
            let doc = serde_json::json!({
                "instanceId": id,
                "region": "eu-west-1",
                "accountId": "123456789012",
            });
            self.ecs
                .register_container_instance()
                .cluster(&cluster)
                .instance_identity_document(doc.to_string())
                .send()
                .await
                .map_err(|e| format!("RegisterContainerInstance: {e:?}"))?;
            self.log.lock().unwrap().registered.push(id.clone());
        }
        cis = self.container_instances(&cluster).await?;

        // Instances that left the group: their agent is gone.
        for ci in cis.iter().filter(|c| !in_service.contains(&c.ec2)) {
            let ours = self.tasks.values().filter(|a| **a == ci.arn).count();
            if ours == 0 {
                let _ = self
                    .ecs
                    .deregister_container_instance()
                    .cluster(&cluster)
                    .container_instance(&ci.arn)
                    .force(true)
                    .send()
                    .await;
            }
        }
        let active: Vec<&Ci> = cis
            .iter()
            .filter(|c| c.status == "ACTIVE" && in_service.contains(&c.ec2))
            .collect();
        let load = |tasks: &BTreeMap<String, String>, arn: &str| {
            tasks.values().filter(|a| a.as_str() == arn).count()
        };

        // Keep the service's tasks running: place the missing ones on the least loaded.
        while self.tasks.len() < self.config.tasks && !active.is_empty() {
            let target = active
                .iter()
                .min_by_key(|c| load(&self.tasks, &c.arn))
                .map(|c| c.arn.clone())
                .expect("not empty");
            self.start_on(&cluster, &target).await?;
        }
        if self.tasks.len() >= self.config.tasks {
            self.placed = true;
        }

        // Move tasks off draining instances after the delay.
        let now = Instant::now();
        for ci in cis.iter().filter(|c| c.status == "DRAINING") {
            let since = *self.draining_since.entry(ci.arn.clone()).or_insert(now);
            if now.duration_since(since) < self.config.drain_delay {
                continue;
            }
            let on_it: Vec<String> = self
                .tasks
                .iter()
                .filter(|(_, a)| **a == ci.arn)
                .map(|(t, _)| t.clone())
                .collect();
            for task in on_it {
                let Some(target) = active
                    .iter()
                    .min_by_key(|c| load(&self.tasks, &c.arn))
                    .map(|c| c.arn.clone())
                else {
                    break;
                };
                // Start the new task before stopping the old one.
                self.start_on(&cluster, &target).await?;
                self.ecs
                    .stop_task()
                    .cluster(&cluster)
                    .task(&task)
                    .reason("container instance is draining")
                    .send()
                    .await
                    .map_err(|e| format!("StopTask: {e:?}"))?;
                self.tasks.remove(&task);
                self.log.lock().unwrap().moved += 1;
            }
        }
        if self.placed {
            // Count what ECS says is running on the container instances.
            let running: usize = self
                .container_counts(&cluster)
                .await?
                .values()
                .map(|n| *n as usize)
                .sum();
            self.log.lock().unwrap().running.push(running);
        }
        Ok(())
    }

    async fn start_on(&mut self, cluster: &str, ci_arn: &str) -> Result<(), String> {
        let out = self
            .ecs
            .start_task()
            .cluster(cluster)
            .task_definition(&self.config.task_definition)
            .container_instances(ci_arn)
            .started_by("simulated-service")
            .send()
            .await
            .map_err(|e| format!("StartTask: {e:?}"))?;
        for t in out.tasks() {
            if let Some(arn) = t.task_arn() {
                self.tasks.insert(arn.to_string(), ci_arn.to_string());
            }
        }
        Ok(())
    }

    /// Every container instance of `cluster`, described.
    async fn described(
        &self,
        cluster: &str,
    ) -> Result<Vec<aws_sdk_ecs::types::ContainerInstance>, String> {
        let arns = self
            .ecs
            .list_container_instances()
            .cluster(cluster)
            .send()
            .await
            .map_err(|e| format!("ListContainerInstances: {e:?}"))?;
        if arns.container_instance_arns().is_empty() {
            return Ok(Vec::new());
        }
        let out = self
            .ecs
            .describe_container_instances()
            .cluster(cluster)
            .set_container_instances(Some(arns.container_instance_arns().to_vec()))
            .send()
            .await
            .map_err(|e| format!("DescribeContainerInstances: {e:?}"))?;
        Ok(out.container_instances().to_vec())
    }

    async fn container_instances(&self, cluster: &str) -> Result<Vec<Ci>, String> {
        Ok(self
            .described(cluster)
            .await?
            .iter()
            .filter_map(|c| {
                Some(Ci {
                    arn: c.container_instance_arn()?.to_string(),
                    ec2: c.ec2_instance_id()?.to_string(),
                    status: c.status().unwrap_or_default().to_string(),
                })
            })
            .collect())
    }

    /// Running tasks per container instance, as ECS reports them.
    async fn container_counts(&self, cluster: &str) -> Result<BTreeMap<String, i32>, String> {
        Ok(self
            .described(cluster)
            .await?
            .iter()
            .filter_map(|c| {
                Some((
                    c.container_instance_arn()?.to_string(),
                    c.running_tasks_count(),
                ))
            })
            .collect())
    }
}
