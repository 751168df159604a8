//! `aws_ecs_cluster`: an ECS cluster with its settings (Container Insights), its ECS Exec
//! configuration and its Service Connect default namespace.
//!
//! The provider's syntax: `configuration { execute_command_configuration { kms_key_id, logging,
//! log_configuration { cloud_watch_log_group_name, s3_bucket_name, .. } },
//! managed_storage_configuration { kms_key_id, fargate_ephemeral_storage_kms_key_id } }`.
//! `logging` and the two encryption switches have the values AWS applies when a request leaves
//! them out (`DEFAULT`, false), as the provider's state shows them; a `configuration` or
//! `log_configuration` block with nothing in it means the same as none. Settings,
//! configuration and Service Connect defaults change in place (one UpdateCluster call, the
//! configuration sent whole); the name forces a new cluster. A deleted cluster stays visible
//! as `INACTIVE` for a while and counts as gone.

use std::time::Duration;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ecs::types::{
    Cluster, ClusterConfiguration, ClusterField, ClusterServiceConnectDefaultsRequest,
    ClusterSetting, ClusterSettingName, ExecuteCommandConfiguration,
    ExecuteCommandLogConfiguration, ExecuteCommandLogging, ManagedStorageConfiguration,
};

use super::{changed, read_created, retry_while, wait_gone};
use crate::aws::call::call;
use crate::aws::ecs_api::{
    build_error, find_live, from_ecs, live_arn, live_states, to_ecs, update_ecs_tags,
};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::object_ids::{created_id, state_id};
use crate::aws::paged::in_chunks;
use crate::aws::resource_type::States;
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    get_block, get_blocks, get_bool, get_str, nested_object, opt_str, state_object, string_map,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct EcsClusterType;

static DECLARATION: Declaration =
    Declaration::new("aws_ecs_cluster", &SCHEMA, Adoption::NameAndTags);

pub(crate) static SETTING: &[AttrSchema] = attrs![
    required String: name value;
];

static LOG_CONFIGURATION: &[AttrSchema] = attrs![
    optional Bool: cloud_watch_encryption_enabled.default(Default::Bool(false));
    optional String: cloud_watch_log_group_name;
    optional Bool: s3_bucket_encryption_enabled.default(Default::Bool(false));
    optional String: s3_bucket_name s3_key_prefix;
];

static EXECUTE_COMMAND_CONFIGURATION: BlockSchema = BlockSchema::list(
    "execute_command_configuration",
    attrs![
        optional String: kms_key_id logging.default(Default::Str("DEFAULT"));
    ],
)
.max_items(1)
.blocks(&[BlockSchema::list("log_configuration", LOG_CONFIGURATION).max_items(1)]);

static MANAGED_STORAGE_CONFIGURATION: BlockSchema = BlockSchema::list(
    "managed_storage_configuration",
    attrs![
        optional String: fargate_ephemeral_storage_kms_key_id kms_key_id;
    ],
)
.max_items(1);

static CONFIGURATION: BlockSchema = BlockSchema::list("configuration", &[])
    .max_items(1)
    .blocks(&[EXECUTE_COMMAND_CONFIGURATION, MANAGED_STORAGE_CONFIGURATION]);

pub(crate) static SERVICE_CONNECT_DEFAULTS: &[AttrSchema] = attrs![
    required String: namespace;
];

static SCHEMA: Schema = Schema {
    version: 2,
    attributes: attrs![
        computed String: id arn;
        required String: name.force_new();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        // AWS reports `containerInsights` whether or not it was set.
        BlockSchema::set("setting", SETTING).computed(),
        CONFIGURATION,
        BlockSchema::list("service_connect_defaults", SERVICE_CONNECT_DEFAULTS).max_items(1),
    ],
};

/// DescribeClusters takes at most 100 clusters per call.
const DESCRIBE_CHUNK: usize = 100;
/// How long deletion waits for services, tasks and container instances to go first.
const DELETE_LIMIT: Duration = Duration::from_secs(10 * 60);

pub(crate) fn cluster_state(c: &Cluster) -> Option<(String, Value)> {
    let arn = c.cluster_arn()?.to_string();
    let settings: Vec<Value> = c
        .settings()
        .iter()
        .map(|s| {
            Value::map([
                ("name", opt_str(s.name().map(|n| n.as_str()))),
                ("value", opt_str(s.value())),
            ])
        })
        .collect();
    let configuration = configuration_blocks(c.configuration());
    let service_connect: Vec<Value> = c
        .service_connect_defaults()
        .and_then(|d| d.namespace())
        .filter(|n| !n.is_empty())
        .map(|n| Value::map([("namespace", Value::string(n))]))
        .into_iter()
        .collect();
    let tags = string_map(&from_ecs(c.tags()));
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&arn)),
            ("arn", Value::string(&arn)),
            ("name", opt_str(c.cluster_name())),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("setting", Value::set(settings)),
            ("configuration", configuration),
            ("service_connect_defaults", Value::List(service_connect)),
        ],
    );
    Some((arn, state))
}

/// The `configuration` blocks of what AWS holds, in the provider's shape.
fn configuration_blocks(c: Option<&ClusterConfiguration>) -> Value {
    let one = |v: Option<Value>| Value::List(v.into_iter().collect());
    let configuration = c.map(|c| {
        let exec = c.execute_command_configuration().map(|e| {
            let log = e.log_configuration().map(|l| {
                let log_block = &EXECUTE_COMMAND_CONFIGURATION.blocks[0];
                nested_object(
                    log_block,
                    [
                        (
                            "cloud_watch_encryption_enabled",
                            Value::Bool(l.cloud_watch_encryption_enabled()),
                        ),
                        (
                            "cloud_watch_log_group_name",
                            opt_str(l.cloud_watch_log_group_name()),
                        ),
                        (
                            "s3_bucket_encryption_enabled",
                            Value::Bool(l.s3_encryption_enabled()),
                        ),
                        ("s3_bucket_name", opt_str(l.s3_bucket_name())),
                        ("s3_key_prefix", opt_str(l.s3_key_prefix())),
                    ],
                )
            });
            nested_object(
                &EXECUTE_COMMAND_CONFIGURATION,
                [
                    ("kms_key_id", opt_str(e.kms_key_id())),
                    (
                        "logging",
                        Value::string(
                            e.logging()
                                .unwrap_or(&ExecuteCommandLogging::Default)
                                .as_str(),
                        ),
                    ),
                    ("log_configuration", one(log)),
                ],
            )
        });
        let storage = c.managed_storage_configuration().map(|m| {
            nested_object(
                &MANAGED_STORAGE_CONFIGURATION,
                [
                    (
                        "fargate_ephemeral_storage_kms_key_id",
                        opt_str(m.fargate_ephemeral_storage_kms_key_id()),
                    ),
                    ("kms_key_id", opt_str(m.kms_key_id())),
                ],
            )
        });
        nested_object(
            &CONFIGURATION,
            [
                ("execute_command_configuration", one(exec)),
                ("managed_storage_configuration", one(storage)),
            ],
        )
    });
    normalize_configuration(one(configuration))
}

/// `configuration` blocks in canonical form: a `log_configuration` with nothing but AWS's
/// defaults in it, and then a `configuration` with no blocks in it, are left out (AWS may
/// report an empty one for none, or none for an empty one). Unknown parts pass through.
fn normalize_configuration(v: Value) -> Value {
    fn is_empty_log(l: &Value) -> bool {
        l.as_map().is_some_and(|m| {
            m.values()
                .all(|v| matches!(v, Value::Null | Value::Bool(false)))
        })
    }
    fn blocks_of(v: &Value, name: &str) -> Option<Vec<Value>> {
        match v.as_map()?.get(name)? {
            Value::List(items) => Some(items.clone()),
            _ => None,
        }
    }
    let Value::List(items) = v else { return v };
    let items = items
        .into_iter()
        .map(|c| {
            let Value::Map(mut m) = c else { return c };
            if let Some(Value::List(execs)) = m.remove("execute_command_configuration") {
                let execs = execs
                    .into_iter()
                    .map(|e| {
                        let Some(logs) = blocks_of(&e, "log_configuration") else {
                            return e;
                        };
                        let mut e = e.as_map().cloned().unwrap_or_default();
                        let logs: Vec<Value> =
                            logs.into_iter().filter(|l| !is_empty_log(l)).collect();
                        e.insert("log_configuration".into(), Value::List(logs));
                        Value::Map(e)
                    })
                    .collect();
                m.insert("execute_command_configuration".into(), Value::List(execs));
            }
            Value::Map(m)
        })
        .filter(|c| {
            let empty = |name| blocks_of(c, name).is_some_and(|b| b.is_empty());
            !(empty("execute_command_configuration") && empty("managed_storage_configuration"))
        })
        .collect();
    Value::List(items)
}

fn settings(planned: &Value) -> Vec<ClusterSetting> {
    get_blocks(planned, "setting")
        .iter()
        .map(|s| {
            ClusterSetting::builder()
                .set_name(get_str(s, "name").map(ClusterSettingName::from))
                .set_value(get_str(s, "value").map(String::from))
                .build()
        })
        .collect()
}

fn configuration(planned: &Value) -> Option<ClusterConfiguration> {
    let c = get_block(planned, "configuration")?;
    let exec = get_block(c, "execute_command_configuration").map(|e| {
        let log = get_block(e, "log_configuration").map(|l| {
            let s = |name| get_str(l, name).map(String::from);
            ExecuteCommandLogConfiguration::builder()
                .cloud_watch_encryption_enabled(
                    get_bool(l, "cloud_watch_encryption_enabled").unwrap_or(false),
                )
                .set_cloud_watch_log_group_name(s("cloud_watch_log_group_name"))
                .s3_encryption_enabled(get_bool(l, "s3_bucket_encryption_enabled").unwrap_or(false))
                .set_s3_bucket_name(s("s3_bucket_name"))
                .set_s3_key_prefix(s("s3_key_prefix"))
                .build()
        });
        ExecuteCommandConfiguration::builder()
            .set_kms_key_id(get_str(e, "kms_key_id").map(String::from))
            .set_logging(get_str(e, "logging").map(ExecuteCommandLogging::from))
            .set_log_configuration(log)
            .build()
    });
    let storage = get_block(c, "managed_storage_configuration").map(|m| {
        ManagedStorageConfiguration::builder()
            .set_fargate_ephemeral_storage_kms_key_id(
                get_str(m, "fargate_ephemeral_storage_kms_key_id").map(String::from),
            )
            .set_kms_key_id(get_str(m, "kms_key_id").map(String::from))
            .build()
    });
    if exec.is_none() && storage.is_none() {
        return None;
    }
    Some(
        ClusterConfiguration::builder()
            .set_execute_command_configuration(exec)
            .set_managed_storage_configuration(storage)
            .build(),
    )
}

fn service_connect_defaults(
    planned: &Value,
) -> Result<Option<ClusterServiceConnectDefaultsRequest>> {
    get_blocks(planned, "service_connect_defaults")
        .first()
        .map(|d| {
            ClusterServiceConnectDefaultsRequest::builder()
                .namespace(get_str(d, "namespace").unwrap_or_default())
                .build()
                .map_err(build_error)
        })
        .transpose()
}

pub(crate) async fn describe(clients: &AwsClients, ids: &[String]) -> Result<Vec<Cluster>> {
    in_chunks(ids, DESCRIBE_CHUNK, |chunk| async move {
        let found = call(|| {
            clients
                .ecs
                .describe_clusters()
                .set_clusters(Some(chunk.clone()))
                .include(ClusterField::Settings)
                .include(ClusterField::Configurations)
                .include(ClusterField::Tags)
                .send()
        })
        .await?;
        // Clusters that do not exist come back as `failures` (reason MISSING).
        Ok(found.clusters().to_vec())
    })
    .await
}

#[async_trait]
impl ResourceType for EcsClusterType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(c) = m.remove("configuration") {
            m.insert("configuration".into(), normalize_configuration(c));
        }
        Value::Map(m)
    }

    /// `DescribeClusters` by name, with tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let found = describe(clients, &[name.to_string()]).await?;
        find_live(self, clients, owner, &found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the cluster name (or its ARN)"
    }

    /// The AWS provider imports clusters by name; ecsform's id is the ARN.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        if id.starts_with("arn:") {
            return Ok(id.to_string());
        }
        live_arn(&describe(clients, &[id.to_string()]).await?)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        live_states(ids, || describe(clients, ids), cluster_state).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let name = get_str(planned, "name").unwrap_or_default();
        let settings = settings(planned);
        let scd = service_connect_defaults(planned)?;
        let out = call(|| {
            clients
                .ecs
                .create_cluster()
                .cluster_name(name)
                .set_settings((!settings.is_empty()).then(|| settings.clone()))
                .set_configuration(configuration(planned))
                .set_service_connect_defaults(scd.clone())
                .set_tags(to_ecs(&tags))
                .send()
        })
        .await?;
        let arn = out.cluster().and_then(|c| c.cluster_arn());
        let arn = created_id(arn, "CreateCluster returned no cluster ARN")?;
        read_created(self, clients, &arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?.to_string();
        let settings_changed = changed(prior, planned, "setting");
        let configuration_changed = changed(prior, planned, "configuration");
        let scd_changed = changed(prior, planned, "service_connect_defaults");
        if settings_changed || configuration_changed || scd_changed {
            let settings = settings(planned);
            // A removed block is reset to AWS's defaults: DEFAULT logging, no namespace
            // (an empty namespace removes the Service Connect defaults). The API has no way
            // to take managed storage encryption away again.
            let config = configuration_changed.then(|| {
                let planned = configuration(planned);
                let exec = planned
                    .as_ref()
                    .and_then(|c| c.execute_command_configuration())
                    .cloned()
                    .unwrap_or_else(|| {
                        ExecuteCommandConfiguration::builder()
                            .logging(ExecuteCommandLogging::Default)
                            .build()
                    });
                ClusterConfiguration::builder()
                    .execute_command_configuration(exec)
                    .set_managed_storage_configuration(
                        planned.and_then(|c| c.managed_storage_configuration().cloned()),
                    )
                    .build()
            });
            let scd = if scd_changed {
                Some(
                    service_connect_defaults(planned)?.unwrap_or(
                        ClusterServiceConnectDefaultsRequest::builder()
                            .namespace("")
                            .build()
                            .map_err(build_error)?,
                    ),
                )
            } else {
                None
            };
            call(|| {
                clients
                    .ecs
                    .update_cluster()
                    .cluster(&arn)
                    .set_settings(
                        (settings_changed && !settings.is_empty()).then(|| settings.clone()),
                    )
                    .set_configuration(config.clone())
                    .set_service_connect_defaults(scd.clone())
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "tags_all") {
            update_ecs_tags(clients, &arn, prior, planned).await?;
        }
        read_created(self, clients, &arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let Some(arn) = get_str(prior, "id") else {
            return Ok(());
        };
        let deleted = retry_while(
            &format!("ECS cluster {arn} to be deleted (still in use)"),
            DELETE_LIMIT,
            ApiError::is_ecs_cluster_in_use,
            || async {
                clients
                    .ecs
                    .delete_cluster()
                    .cluster(arn)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await;
        if deleted.found()?.is_none() {
            return Ok(());
        }
        wait_gone(self, clients, "ECS cluster", arn, DELETE_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{ClusterServiceConnectDefaults, Tag};

    #[test]
    fn state_from_a_described_cluster() {
        let c = Cluster::builder()
            .cluster_arn("arn:aws:ecs:eu-west-1:1:cluster/main")
            .cluster_name("main")
            .status("ACTIVE")
            .settings(
                ClusterSetting::builder()
                    .name(ClusterSettingName::ContainerInsights)
                    .value("enabled")
                    .build(),
            )
            .service_connect_defaults(
                ClusterServiceConnectDefaults::builder()
                    .namespace("arn:aws:servicediscovery:eu-west-1:1:namespace/ns-1")
                    .build(),
            )
            .tags(Tag::builder().key("ecsform:address").value("x").build())
            .tags(Tag::builder().key("Env").value("test").build())
            .build();
        let (id, v) = cluster_state(&c).unwrap();
        assert_eq!(id, "arn:aws:ecs:eu-west-1:1:cluster/main");
        let m = v.as_map().unwrap();
        assert_eq!(m["arn"], Value::string(&id));
        assert_eq!(m["setting"].as_list().unwrap().len(), 1);
        assert_eq!(m["configuration"], Value::List(vec![]));
        assert_eq!(m["service_connect_defaults"].as_list().unwrap().len(), 1);
        assert_eq!(m["tags"].as_map().unwrap().len(), 1);
    }

    fn conformed(configuration: Value) -> Value {
        EcsClusterType.normalize(SCHEMA.conformed([
            ("name", Value::string("main")),
            ("configuration", Value::List(vec![configuration])),
        ]))
    }

    fn block(pairs: Vec<(&str, Value)>) -> Value {
        Value::List(vec![Value::map(pairs)])
    }

    #[test]
    fn configuration_is_sent_in_the_providers_nesting() {
        let planned = conformed(Value::map([
            (
                "execute_command_configuration",
                block(vec![
                    ("kms_key_id", Value::string("key")),
                    ("logging", Value::string("OVERRIDE")),
                    (
                        "log_configuration",
                        block(vec![
                            ("cloud_watch_log_group_name", Value::string("/ecs/exec")),
                            ("s3_bucket_encryption_enabled", Value::Bool(true)),
                            ("s3_bucket_name", Value::string("logs")),
                        ]),
                    ),
                ]),
            ),
            (
                "managed_storage_configuration",
                block(vec![(
                    "fargate_ephemeral_storage_kms_key_id",
                    Value::string("fkey"),
                )]),
            ),
        ]));
        let c = configuration(&planned).unwrap();
        let e = c.execute_command_configuration().unwrap();
        assert_eq!(e.kms_key_id(), Some("key"));
        assert_eq!(e.logging(), Some(&ExecuteCommandLogging::Override));
        let l = e.log_configuration().unwrap();
        assert_eq!(l.cloud_watch_log_group_name(), Some("/ecs/exec"));
        assert!(l.s3_encryption_enabled());
        assert!(!l.cloud_watch_encryption_enabled());
        assert_eq!(l.s3_bucket_name(), Some("logs"));
        let m = c.managed_storage_configuration().unwrap();
        assert_eq!(m.fargate_ephemeral_storage_kms_key_id(), Some("fkey"));
        assert_eq!(m.kms_key_id(), None);
        // Read back, it is what was configured.
        assert_eq!(
            configuration_blocks(Some(&c)),
            planned.as_map().unwrap()["configuration"]
        );
    }

    #[test]
    fn configuration_sends_no_empty_log_configuration() {
        let planned = conformed(Value::map([(
            "execute_command_configuration",
            block(vec![("kms_key_id", Value::string("key"))]),
        )]));
        let c = configuration(&planned).unwrap();
        let e = c.execute_command_configuration().unwrap();
        assert_eq!(e.logging(), Some(&ExecuteCommandLogging::Default));
        assert!(e.log_configuration().is_none());
        assert!(c.managed_storage_configuration().is_none());
    }

    #[test]
    fn empty_blocks_mean_the_same_as_none() {
        // What AWS may report for a cluster configured without a log configuration.
        let aws = ClusterConfiguration::builder()
            .execute_command_configuration(
                ExecuteCommandConfiguration::builder()
                    .logging(ExecuteCommandLogging::Default)
                    .log_configuration(ExecuteCommandLogConfiguration::builder().build())
                    .build(),
            )
            .build();
        let planned = conformed(Value::map([(
            "execute_command_configuration",
            block(vec![(
                "log_configuration",
                Value::List(vec![Value::map::<&str>([])]),
            )]),
        )]));
        assert_eq!(
            configuration_blocks(Some(&aws)),
            planned.as_map().unwrap()["configuration"]
        );
        let empty = conformed(Value::map::<&str>([]));
        assert_eq!(
            empty.as_map().unwrap()["configuration"],
            Value::List(vec![])
        );
        assert!(configuration(&empty).is_none());
        assert_eq!(
            configuration_blocks(Some(&ClusterConfiguration::builder().build())),
            Value::List(vec![])
        );
    }

    #[test]
    fn the_flat_leaves_are_gone() {
        let errors = SCHEMA
            .conform(&Value::map([
                ("name", Value::string("main")),
                (
                    "configuration",
                    block(vec![("execute_command_logging", Value::string("OVERRIDE"))]),
                ),
            ]))
            .unwrap_err();
        assert_eq!(errors[0].path, ["configuration", "execute_command_logging"]);
    }
}
