//! `aws_ecs_service`: a long-running ECS service in a cluster.
//!
//! The id is the service ARN (`arn:aws:ecs:region:account:service/<cluster>/<name>`), which
//! names the cluster, so `read_many` groups ids by cluster and calls DescribeServices once per
//! 10 services (its limit). `cluster` is kept as the cluster's *name* and `task_definition` as
//! `family:revision` (ARNs given in the configuration are shortened the same way by
//! `normalize`), so `aws_ecs_cluster.x.arn` and `"x"` plan alike; a bare family (meaning "the
//! latest revision") reads back as `family:N` and shows as a change.
//!
//! Name, cluster, launch type, scheduling strategy, IAM role and load balancers force a new
//! service; the rest changes in place with UpdateService (`force_new_deployment` adds a new
//! deployment to every update; a change of the `triggers` map, which AWS does not store, redeploys
//! the same way). `wait_for_steady_state` waits after create and update until
//! one deployment remains and the running count matches the desired count. Deletion scales
//! the service to 0, deletes it (`force`) and waits until it is `INACTIVE`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem, DeploymentCircuitBreaker,
    DeploymentConfiguration, LaunchType, LoadBalancer, NetworkConfiguration, PlacementConstraint,
    PlacementConstraintType, PlacementStrategy, PlacementStrategyType, PropagateTags,
    SchedulingStrategy, Service, ServiceField, ServiceRegistry,
};

use super::{attr, changed, read_created, retry_while, split_import_id, wait_gone, with_attrs};
use crate::aws::call::call;
use crate::aws::ecs_api::{
    build_error, cluster_of_service_arn, find_live, from_ecs, live_arn, live_states, name_from_arn,
    strategy_state, strategy_to_ecs, to_ecs, update_ecs_tags, CAPACITY_PROVIDER_STRATEGY,
    PLACEMENT_CONSTRAINT,
};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone};
use crate::aws::object_ids::{created_id, state_id};
use crate::aws::resource_type::States;
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    get_blocks, get_bool, get_i32, get_str, get_strings, opt_str, state_object, string_map,
    string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct EcsServiceType;

static DECLARATION: Declaration =
    Declaration::new("aws_ecs_service", &SCHEMA, Adoption::NameAndTags);

static CIRCUIT_BREAKER: &[AttrSchema] = attrs![
    required Bool: enable rollback;
];

static LOAD_BALANCER: &[AttrSchema] = attrs![
    optional String: target_group_arn elb_name;
    required String: container_name;
    required Number: container_port;
];

static SERVICE_REGISTRY: &[AttrSchema] = attrs![
    required String: registry_arn;
    optional Number: port container_port;
    optional String: container_name;
];

static PLACEMENT_STRATEGY: &[AttrSchema] = attrs![
    required String: type;
    optional String: field;
];

static NETWORK_CONFIGURATION: &[AttrSchema] = attrs![
    required StringSet: subnets;
    optional StringSet: security_groups;
    optional Bool: assign_public_ip.default(Default::Bool(false));
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: name.force_new();
        optional_computed String: cluster.force_new();
        optional String: task_definition;
        optional Number: desired_count.default(Default::Number(0.0));
        optional_computed String: launch_type.force_new();
        optional String: scheduling_strategy.force_new().default(Default::Str("REPLICA"));
        optional Number: deployment_minimum_healthy_percent.default(Default::Number(100.0));
        optional Number: deployment_maximum_percent.default(Default::Number(200.0));
        optional_computed Number: health_check_grace_period_seconds;
        optional_computed String: iam_role.force_new();
        optional Bool: enable_ecs_managed_tags.default(Default::Bool(false));
        optional Bool: enable_execute_command.default(Default::Bool(false));
        optional String: propagate_tags.default(Default::Str("NONE"));
        optional Bool: force_new_deployment.default(Default::Bool(false)).local();
        optional Bool: wait_for_steady_state.default(Default::Bool(false)).local();
        optional_computed StringMap: triggers.local();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("deployment_circuit_breaker", CIRCUIT_BREAKER).max_items(1),
        BlockSchema::set("load_balancer", LOAD_BALANCER).force_new(),
        BlockSchema::list("ordered_placement_strategy", PLACEMENT_STRATEGY).max_items(5),
        BlockSchema::set("placement_constraints", PLACEMENT_CONSTRAINT).max_items(10),
        BlockSchema::set("capacity_provider_strategy", CAPACITY_PROVIDER_STRATEGY),
        BlockSchema::list("network_configuration", NETWORK_CONFIGURATION).max_items(1),
        BlockSchema::list("service_registries", SERVICE_REGISTRY).max_items(1),
    ],
};

/// DescribeServices takes at most 10 services per call.
const DESCRIBE_CHUNK: usize = 10;
/// The AWS provider's create, update and delete timeouts.
const STEADY_LIMIT: Duration = Duration::from_secs(20 * 60);
const DELETE_LIMIT: Duration = Duration::from_secs(20 * 60);
/// How long create retries while a role or target group just created is not usable yet.
const SETTLE_LIMIT: Duration = Duration::from_secs(2 * 60);

/// `arn:aws:ecs:r:a:task-definition/web:3` → `web:3`; anything else unchanged.
fn task_definition_short(v: &str) -> &str {
    if v.starts_with("arn:") {
        v.rsplit('/').next().unwrap_or(v)
    } else {
        v
    }
}

fn service_state(s: &Service) -> Option<(String, Value)> {
    let arn = s.service_arn()?.to_string();
    let deployment = s.deployment_configuration();
    let breaker: Vec<Value> = deployment
        .and_then(|d| d.deployment_circuit_breaker())
        .filter(|b| b.enable() || b.rollback())
        .map(|b| {
            Value::map([
                ("enable", Value::Bool(b.enable())),
                ("rollback", Value::Bool(b.rollback())),
            ])
        })
        .into_iter()
        .collect();
    let load_balancers: Vec<Value> = s
        .load_balancers()
        .iter()
        .map(|l| {
            Value::map([
                ("target_group_arn", opt_str(l.target_group_arn())),
                ("elb_name", opt_str(l.load_balancer_name())),
                ("container_name", opt_str(l.container_name())),
                (
                    "container_port",
                    l.container_port().map(Value::number).unwrap_or(Value::Null),
                ),
            ])
        })
        .collect();
    let registries: Vec<Value> = s
        .service_registries()
        .iter()
        .map(|r| {
            let number = |n: Option<i32>| n.map(Value::number).unwrap_or(Value::Null);
            Value::map([
                ("registry_arn", opt_str(r.registry_arn())),
                ("port", number(r.port())),
                ("container_name", opt_str(r.container_name())),
                ("container_port", number(r.container_port())),
            ])
        })
        .collect();
    let strategies: Vec<Value> = s
        .placement_strategy()
        .iter()
        .map(|p| {
            Value::map([
                ("type", opt_str(p.r#type().map(|t| t.as_str()))),
                ("field", opt_str(p.field())),
            ])
        })
        .collect();
    let constraints: Vec<Value> = s
        .placement_constraints()
        .iter()
        .map(|c| {
            Value::map([
                ("type", opt_str(c.r#type().map(|t| t.as_str()))),
                ("expression", opt_str(c.expression())),
            ])
        })
        .collect();
    let capacity = strategy_state(s.capacity_provider_strategy());
    let network: Vec<Value> = s
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|a| {
            Value::map([
                ("subnets", string_set(a.subnets().iter().cloned())),
                (
                    "security_groups",
                    if a.security_groups().is_empty() {
                        Value::Null
                    } else {
                        string_set(a.security_groups().iter().cloned())
                    },
                ),
                (
                    "assign_public_ip",
                    Value::Bool(a.assign_public_ip() == Some(&AssignPublicIp::Enabled)),
                ),
            ])
        })
        .into_iter()
        .collect();
    let percent = |v: Option<i32>, default: i32| Value::number(v.unwrap_or(default));
    let tags = string_map(&from_ecs(s.tags()));
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&arn)),
            ("name", opt_str(s.service_name())),
            ("cluster", opt_str(s.cluster_arn().map(name_from_arn))),
            (
                "task_definition",
                opt_str(s.task_definition().map(task_definition_short)),
            ),
            ("desired_count", Value::number(s.desired_count())),
            ("launch_type", opt_str(s.launch_type().map(|l| l.as_str()))),
            (
                "scheduling_strategy",
                Value::string(
                    s.scheduling_strategy()
                        .map(|s| s.as_str())
                        .unwrap_or("REPLICA"),
                ),
            ),
            // ECS always reports these; when a response lacks them, ECS's defaults apply.
            (
                "deployment_minimum_healthy_percent",
                percent(deployment.and_then(|d| d.minimum_healthy_percent()), 100),
            ),
            (
                "deployment_maximum_percent",
                percent(deployment.and_then(|d| d.maximum_percent()), 200),
            ),
            (
                "health_check_grace_period_seconds",
                s.health_check_grace_period_seconds()
                    .map(Value::number)
                    .unwrap_or(Value::Null),
            ),
            ("iam_role", opt_str(s.role_arn())),
            (
                "enable_ecs_managed_tags",
                Value::Bool(s.enable_ecs_managed_tags()),
            ),
            (
                "enable_execute_command",
                Value::Bool(s.enable_execute_command()),
            ),
            (
                "propagate_tags",
                Value::string(s.propagate_tags().map(|p| p.as_str()).unwrap_or("NONE")),
            ),
            ("force_new_deployment", Value::Bool(false)),
            ("wait_for_steady_state", Value::Bool(false)),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("deployment_circuit_breaker", Value::List(breaker)),
            ("load_balancer", Value::set(load_balancers)),
            ("ordered_placement_strategy", Value::List(strategies)),
            ("placement_constraints", Value::set(constraints)),
            ("capacity_provider_strategy", Value::set(capacity)),
            ("network_configuration", Value::List(network)),
            ("service_registries", Value::List(registries)),
        ],
    );
    Some((arn, state))
}

fn deployment_configuration(planned: &Value) -> DeploymentConfiguration {
    let breaker = get_blocks(planned, "deployment_circuit_breaker")
        .first()
        .map(|b| {
            DeploymentCircuitBreaker::builder()
                .enable(get_bool(b, "enable").unwrap_or(false))
                .rollback(get_bool(b, "rollback").unwrap_or(false))
                .build()
        })
        // Removing the block turns the breaker off.
        .unwrap_or_else(|| {
            DeploymentCircuitBreaker::builder()
                .enable(false)
                .rollback(false)
                .build()
        });
    DeploymentConfiguration::builder()
        .set_minimum_healthy_percent(get_i32(planned, "deployment_minimum_healthy_percent"))
        .set_maximum_percent(get_i32(planned, "deployment_maximum_percent"))
        .deployment_circuit_breaker(breaker)
        .build()
}

fn service_registries(planned: &Value) -> Vec<ServiceRegistry> {
    get_blocks(planned, "service_registries")
        .iter()
        .map(|r| {
            ServiceRegistry::builder()
                .set_registry_arn(get_str(r, "registry_arn").map(String::from))
                .set_port(get_i32(r, "port"))
                .set_container_name(get_str(r, "container_name").map(String::from))
                .set_container_port(get_i32(r, "container_port"))
                .build()
        })
        .collect()
}

fn load_balancers(planned: &Value) -> Vec<LoadBalancer> {
    get_blocks(planned, "load_balancer")
        .iter()
        .map(|l| {
            LoadBalancer::builder()
                .set_target_group_arn(get_str(l, "target_group_arn").map(String::from))
                .set_load_balancer_name(get_str(l, "elb_name").map(String::from))
                .set_container_name(get_str(l, "container_name").map(String::from))
                .set_container_port(get_i32(l, "container_port"))
                .build()
        })
        .collect()
}

fn placement_strategy(planned: &Value) -> Vec<PlacementStrategy> {
    get_blocks(planned, "ordered_placement_strategy")
        .iter()
        .map(|p| {
            PlacementStrategy::builder()
                .set_type(get_str(p, "type").map(PlacementStrategyType::from))
                .set_field(get_str(p, "field").map(String::from))
                .build()
        })
        .collect()
}

fn placement_constraints(planned: &Value) -> Vec<PlacementConstraint> {
    get_blocks(planned, "placement_constraints")
        .iter()
        .map(|c| {
            PlacementConstraint::builder()
                .set_type(get_str(c, "type").map(PlacementConstraintType::from))
                .set_expression(get_str(c, "expression").map(String::from))
                .build()
        })
        .collect()
}

fn capacity_provider_strategy(planned: &Value) -> Result<Vec<CapacityProviderStrategyItem>> {
    strategy_to_ecs(planned, "capacity_provider_strategy")
}

fn network_configuration(planned: &Value) -> Result<Option<NetworkConfiguration>> {
    let Some(n) = get_blocks(planned, "network_configuration")
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let groups = get_strings(&n, "security_groups");
    let awsvpc = AwsVpcConfiguration::builder()
        .set_subnets(Some(get_strings(&n, "subnets")))
        .set_security_groups((!groups.is_empty()).then_some(groups))
        .assign_public_ip(if get_bool(&n, "assign_public_ip") == Some(true) {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        })
        .build()
        .map_err(build_error)?;
    Ok(Some(
        NetworkConfiguration::builder()
            .awsvpc_configuration(awsvpc)
            .build(),
    ))
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// Describes the services `arns`, grouped by the cluster their ARN names.
async fn describe(clients: &AwsClients, arns: &[String]) -> Result<Vec<Service>> {
    let mut by_cluster: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for arn in arns {
        let cluster = cluster_of_service_arn(arn).unwrap_or("default");
        by_cluster.entry(cluster).or_default().push(arn.clone());
    }
    let mut out = Vec::new();
    for (cluster, arns) in by_cluster {
        for chunk in arns.chunks(DESCRIBE_CHUNK) {
            let found = call(|| {
                clients
                    .ecs
                    .describe_services()
                    .cluster(cluster)
                    .set_services(Some(chunk.to_vec()))
                    .include(ServiceField::Tags)
                    .send()
            })
            .await;
            // The cluster may be gone, and its services with it. Services that do not exist come
            // back as `failures` (reason MISSING).
            if let Some(found) = found.found()? {
                out.extend(found.services().iter().cloned());
            }
        }
    }
    Ok(out)
}

/// Steady: one deployment left and as many tasks running as desired (AWS's
/// `services-stable` waiter).
fn steady(s: &Service) -> bool {
    s.deployments().len() == 1 && s.running_count() == s.desired_count()
}

async fn wait_for_steady_state(clients: &AwsClients, arn: &str) -> Result<()> {
    let ids = [arn.to_string()];
    wait_until(
        &format!("ECS service {arn} to reach a steady state"),
        Duration::from_secs(15),
        STEADY_LIMIT,
        || async {
            let found = describe(clients, &ids).await?;
            Ok(found.first().filter(|s| steady(s)).map(|_| ()))
        },
    )
    .await
}

/// Errors that mean a service is already gone.
fn gone(e: &ApiError) -> bool {
    e.is_not_found() || e.is_service_not_active()
}

#[async_trait]
impl ResourceType for EcsServiceType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// `DescribeServices` by cluster and name, with tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let cluster = get_str(planned, "cluster").unwrap_or("default");
        let found = call(|| {
            clients
                .ecs
                .describe_services()
                .cluster(cluster)
                .services(name)
                .include(ServiceField::Tags)
                .send()
        })
        .await
        .found()?
        .map(|o| o.services().to_vec());
        find_live(self, clients, owner, &found.unwrap_or_default()).await
    }

    fn import_id_format(&self) -> &'static str {
        "`CLUSTER_NAME/SERVICE_NAME` (or the service ARN)"
    }

    /// The AWS provider's `CLUSTER/SERVICE` becomes the service's ARN (ecsform's id).
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        if id.starts_with("arn:") {
            return Ok(id.to_string());
        }
        let (cluster, service) = split_import_id(id, '/', "CLUSTER_NAME/SERVICE_NAME")?;
        let found = call(|| {
            clients
                .ecs
                .describe_services()
                .cluster(cluster)
                .services(service)
                .send()
        })
        .await?;
        live_arn(found.services())
    }

    /// The cluster by name, the task definition as `family:revision`, and a circuit breaker
    /// that is wholly off as no block (which is how ECS reports it).
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::String(s)) = m.get("cluster") {
            let name = name_from_arn(s).to_string();
            m.insert("cluster".into(), Value::String(name));
        }
        if let Some(Value::String(s)) = m.get("task_definition") {
            let short = task_definition_short(s).to_string();
            m.insert("task_definition".into(), Value::String(short));
        }
        if let Some(Value::List(blocks)) = m.get_mut("deployment_circuit_breaker") {
            blocks.retain(|b| {
                get_bool(b, "enable") != Some(false) || get_bool(b, "rollback") != Some(false)
            });
        }
        Value::Map(m)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        live_states(ids, || describe(clients, ids), service_state).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let network = network_configuration(planned)?;
        let capacity = capacity_provider_strategy(planned)?;
        let daemon = get_str(planned, "scheduling_strategy") == Some("DAEMON");
        // The same token on every attempt: a repeated request returns the same service.
        let token = uuid::Uuid::new_v4().to_string();
        let out = retry_while(
            "ECS service to be created (role or load balancer not usable yet)",
            SETTLE_LIMIT,
            |e| {
                e.is_ecs_invalid_parameter()
                    && (e.message.contains("Unable to assume role")
                        || e.message.contains("verify that the ECS service role")
                        || e.message
                            .contains("does not have an associated load balancer"))
            },
            || async {
                clients
                    .ecs
                    .create_service()
                    .client_token(&token)
                    .service_name(get_str(planned, "name").unwrap_or_default())
                    .set_cluster(get_str(planned, "cluster").map(String::from))
                    .set_task_definition(get_str(planned, "task_definition").map(String::from))
                    .set_desired_count(
                        (!daemon).then(|| get_i32(planned, "desired_count").unwrap_or(0)),
                    )
                    .set_launch_type(get_str(planned, "launch_type").map(LaunchType::from))
                    .set_scheduling_strategy(
                        get_str(planned, "scheduling_strategy").map(SchedulingStrategy::from),
                    )
                    .deployment_configuration(deployment_configuration(planned))
                    .set_health_check_grace_period_seconds(get_i32(
                        planned,
                        "health_check_grace_period_seconds",
                    ))
                    .set_role(get_str(planned, "iam_role").map(String::from))
                    .set_load_balancers(non_empty(load_balancers(planned)))
                    .set_service_registries(non_empty(service_registries(planned)))
                    .set_placement_strategy(non_empty(placement_strategy(planned)))
                    .set_placement_constraints(non_empty(placement_constraints(planned)))
                    .set_capacity_provider_strategy(non_empty(capacity.clone()))
                    .set_network_configuration(network.clone())
                    .enable_ecs_managed_tags(
                        get_bool(planned, "enable_ecs_managed_tags").unwrap_or(false),
                    )
                    .enable_execute_command(
                        get_bool(planned, "enable_execute_command").unwrap_or(false),
                    )
                    .set_propagate_tags(get_str(planned, "propagate_tags").map(PropagateTags::from))
                    .set_tags(to_ecs(&tags))
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await?;
        let arn = out.service().and_then(|s| s.service_arn());
        let arn = created_id(arn, "CreateService returned no service ARN")?;
        if get_bool(planned, "wait_for_steady_state") == Some(true) {
            wait_for_steady_state(clients, &arn).await?;
        }
        let state = read_created(self, clients, &arn).await?;
        Ok(keep_local(state, planned))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?.to_string();
        let cluster = get_str(prior, "cluster")
            .map(String::from)
            .or_else(|| cluster_of_service_arn(&arn).map(String::from))
            .unwrap_or_else(|| "default".into());
        let c = |name| changed(prior, planned, name);
        let daemon = get_str(planned, "scheduling_strategy") == Some("DAEMON");
        // A change of `triggers` redeploys (it is not sent: AWS does not store it).
        let force = get_bool(planned, "force_new_deployment") == Some(true) || c("triggers");
        let service_changed = [
            "task_definition",
            "desired_count",
            "deployment_minimum_healthy_percent",
            "deployment_maximum_percent",
            "deployment_circuit_breaker",
            "health_check_grace_period_seconds",
            "ordered_placement_strategy",
            "placement_constraints",
            "capacity_provider_strategy",
            "network_configuration",
            "service_registries",
            "enable_ecs_managed_tags",
            "enable_execute_command",
            "propagate_tags",
        ]
        .iter()
        .any(|name| c(name));
        if service_changed || force {
            let network = network_configuration(planned)?;
            let capacity = capacity_provider_strategy(planned)?;
            let deployment_changed = c("deployment_minimum_healthy_percent")
                || c("deployment_maximum_percent")
                || c("deployment_circuit_breaker");
            let mut req = clients
                .ecs
                .update_service()
                .cluster(&cluster)
                .service(&arn)
                .force_new_deployment(force);
            if c("task_definition") {
                req =
                    req.set_task_definition(get_str(planned, "task_definition").map(String::from));
            }
            if c("desired_count") && !daemon {
                req = req.desired_count(get_i32(planned, "desired_count").unwrap_or(0));
            }
            if deployment_changed {
                req = req.deployment_configuration(deployment_configuration(planned));
            }
            if c("health_check_grace_period_seconds") {
                req = req.set_health_check_grace_period_seconds(get_i32(
                    planned,
                    "health_check_grace_period_seconds",
                ));
            }
            // Empty lists remove the strategies and constraints.
            if c("ordered_placement_strategy") {
                req = req.set_placement_strategy(Some(placement_strategy(planned)));
            }
            if c("placement_constraints") {
                req = req.set_placement_constraints(Some(placement_constraints(planned)));
            }
            if c("capacity_provider_strategy") {
                req = req.set_capacity_provider_strategy(Some(capacity));
            }
            if c("network_configuration") {
                req = req.set_network_configuration(network);
            }
            // An empty list removes the registry.
            if c("service_registries") {
                req = req.set_service_registries(Some(service_registries(planned)));
            }
            if c("enable_ecs_managed_tags") {
                req = req.enable_ecs_managed_tags(
                    get_bool(planned, "enable_ecs_managed_tags").unwrap_or(false),
                );
            }
            if c("enable_execute_command") {
                req = req.enable_execute_command(
                    get_bool(planned, "enable_execute_command").unwrap_or(false),
                );
            }
            if c("propagate_tags") {
                req = req.set_propagate_tags(
                    get_str(planned, "propagate_tags").map(PropagateTags::from),
                );
            }
            call(|| req.clone().send()).await?;
        }
        if c("tags_all") {
            update_ecs_tags(clients, &arn, prior, planned).await?;
        }
        if get_bool(planned, "wait_for_steady_state") == Some(true) {
            wait_for_steady_state(clients, &arn).await?;
        }
        let state = read_created(self, clients, &arn).await?;
        Ok(keep_local(state, planned))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let Some(arn) = get_str(prior, "id") else {
            return Ok(());
        };
        let cluster = get_str(prior, "cluster")
            .map(String::from)
            .or_else(|| cluster_of_service_arn(arn).map(String::from))
            .unwrap_or_else(|| "default".into());
        if self
            .read_many(clients, &[arn.to_string()])
            .await?
            .is_empty()
        {
            return Ok(());
        }
        // A daemon service has no desired count to set.
        if get_str(prior, "scheduling_strategy") != Some("DAEMON") {
            let scaled = call(|| {
                clients
                    .ecs
                    .update_service()
                    .cluster(&cluster)
                    .service(arn)
                    .desired_count(0)
                    .send()
            })
            .await;
            match scaled {
                Err(e) if gone(&e) => return Ok(()),
                other => other?,
            };
        }
        let deleted = call(|| {
            clients
                .ecs
                .delete_service()
                .cluster(&cluster)
                .service(arn)
                .force(true)
                .send()
        })
        .await;
        match deleted {
            Err(e) if gone(&e) => return Ok(()),
            other => other?,
        };
        wait_gone(self, clients, "ECS service", arn, DELETE_LIMIT).await
    }
}

/// The state with the arguments AWS does not store taken from `planned`.
fn keep_local(state: Value, planned: &Value) -> Value {
    with_attrs(
        state,
        [
            (
                "force_new_deployment",
                attr(planned, "force_new_deployment"),
            ),
            (
                "wait_for_steady_state",
                attr(planned, "wait_for_steady_state"),
            ),
            ("triggers", {
                // Unset at creation (unknown, being computed): none.
                let t = attr(planned, "triggers");
                if t.is_known() {
                    t
                } else {
                    Value::Null
                }
            }),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_shortens_arns_and_drops_an_idle_breaker() {
        let config = SCHEMA.conformed([
            ("name", Value::string("web")),
            (
                "cluster",
                Value::string("arn:aws:ecs:eu-west-1:1:cluster/main"),
            ),
            (
                "task_definition",
                Value::string("arn:aws:ecs:eu-west-1:1:task-definition/web:3"),
            ),
            (
                "deployment_circuit_breaker",
                Value::List(vec![Value::map([
                    ("enable", Value::Bool(false)),
                    ("rollback", Value::Bool(false)),
                ])]),
            ),
        ]);
        let v = EcsServiceType.normalize(config);
        let m = v.as_map().unwrap();
        assert_eq!(m["cluster"], Value::string("main"));
        assert_eq!(m["task_definition"], Value::string("web:3"));
        assert_eq!(m["deployment_circuit_breaker"], Value::List(vec![]));
        assert_eq!(m["iam_role"], Value::Unknown);
    }

    #[test]
    fn state_from_a_described_service() {
        let s = Service::builder()
            .service_arn("arn:aws:ecs:eu-west-1:1:service/main/web")
            .service_name("web")
            .cluster_arn("arn:aws:ecs:eu-west-1:1:cluster/main")
            .task_definition("arn:aws:ecs:eu-west-1:1:task-definition/web:3")
            .desired_count(2)
            .status("ACTIVE")
            .build();
        let (id, v) = service_state(&s).unwrap();
        assert_eq!(id, "arn:aws:ecs:eu-west-1:1:service/main/web");
        let m = v.as_map().unwrap();
        assert_eq!(m["cluster"], Value::string("main"));
        assert_eq!(m["task_definition"], Value::string("web:3"));
        assert_eq!(m["deployment_maximum_percent"], Value::number(200));
        assert_eq!(m["propagate_tags"], Value::string("NONE"));
    }
}
