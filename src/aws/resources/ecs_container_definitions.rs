//! The `container_definitions` JSON of `aws_ecs_task_definition`: its canonical form, and its
//! conversion to and from the SDK's `ContainerDefinition`s.
//!
//! The canonical form is what the planner compares, so that a configuration differing from
//! what ECS returns only by key order, whitespace or the defaults ECS fills in has no diff:
//! nulls dropped, ECS's defaults spelled out (`essential: true`, `cpu: 0`, empty
//! `portMappings`/`environment`/`mountPoints`/`volumesFrom`, port protocol `tcp`, a host port
//! equal to the container port in `awsvpc` and `host` modes, health check interval 30,
//! timeout 5, retries 3), other empty lists and objects and `readOnly: false` dropped,
//! `environment` and `secrets` sorted by name, whole numbers as integers, keys sorted, no
//! whitespace.
//!
//! The SDK types have no JSON (de)serialisation, so the fields are mapped by hand. The common
//! ones are supported (see [`CONTAINER_KEYS`]); a key outside that list is an error naming it
//! rather than something silently dropped.

use std::collections::HashMap;

use aws_sdk_ecs::types::{
    ApplicationProtocol, ContainerCondition, ContainerDefinition, ContainerDependency,
    EnvironmentFile, EnvironmentFileType, FirelensConfiguration, FirelensConfigurationType,
    HealthCheck, HostEntry, KernelCapabilities, KeyValuePair, LinuxParameters, LogConfiguration,
    LogDriver, MountPoint, PortMapping, RepositoryCredentials, ResourceRequirement,
    ResourceType as EcsResourceType, Secret, SystemControl, TransportProtocol, Ulimit, UlimitName,
    VolumeFrom,
};
use serde_json::{Map, Value as Json};

use crate::aws::ecs_api::build_error;
use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};

type Obj = Map<String, Json>;

/// The container keys ecsform maps to the ECS API.
pub const CONTAINER_KEYS: &[&str] = &[
    "name",
    "image",
    "repositoryCredentials",
    "cpu",
    "memory",
    "memoryReservation",
    "links",
    "portMappings",
    "essential",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "linuxParameters",
    "secrets",
    "dependsOn",
    "startTimeout",
    "stopTimeout",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "healthCheck",
    "systemControls",
    "resourceRequirements",
    "firelensConfiguration",
];

/// Lists ECS always returns for a container, empty when unset.
const ALWAYS_LISTED: &[&str] = &["portMappings", "environment", "mountPoints", "volumesFrom"];

// ---------------------------------------------------------------------------------------
// Canonical form
// ---------------------------------------------------------------------------------------

/// The canonical text of a container definitions document, `None` if it is not JSON.
/// `network_mode` is the task definition's (`None` when not known yet).
pub fn canonical(text: &str, network_mode: Option<&str>) -> Option<String> {
    let json: Json = serde_json::from_str(text).ok()?;
    Some(canonical_json(json, network_mode).to_string())
}

fn canonical_json(json: Json, network_mode: Option<&str>) -> Json {
    match json {
        Json::Array(items) => Json::Array(
            items
                .into_iter()
                .map(|c| match c {
                    Json::Object(o) => canonical_container(o, network_mode),
                    other => tidy(other),
                })
                .collect(),
        ),
        other => tidy(other),
    }
}

fn canonical_container(mut c: Obj, network_mode: Option<&str>) -> Json {
    c.retain(|_, v| !v.is_null());
    c.entry("essential").or_insert(Json::Bool(true));
    c.entry("cpu").or_insert(Json::from(0));
    for key in ALWAYS_LISTED {
        c.entry(*key).or_insert(Json::Array(Vec::new()));
    }
    if let Some(Json::Array(ports)) = c.get_mut("portMappings") {
        for p in ports.iter_mut() {
            let Json::Object(p) = p else { continue };
            p.retain(|_, v| !v.is_null());
            p.entry("protocol").or_insert(Json::from("tcp"));
            let same_port = matches!(network_mode, Some("awsvpc") | Some("host"));
            match (p.get("hostPort"), p.get("containerPort").cloned()) {
                (None, Some(container)) if same_port => {
                    p.insert("hostPort".into(), container);
                }
                // In bridge mode 0 asks for a dynamic host port, as no host port does.
                (Some(h), _) if !same_port && is_zero(h) => {
                    p.remove("hostPort");
                }
                _ => {}
            }
        }
    }
    for key in ["mountPoints", "volumesFrom"] {
        if let Some(Json::Array(items)) = c.get_mut(key) {
            for m in items.iter_mut().filter_map(Json::as_object_mut) {
                if m.get("readOnly") == Some(&Json::Bool(false)) {
                    m.remove("readOnly");
                }
            }
        }
    }
    if let Some(Json::Object(h)) = c.get_mut("healthCheck") {
        h.retain(|_, v| !v.is_null());
        h.entry("interval").or_insert(Json::from(30));
        h.entry("timeout").or_insert(Json::from(5));
        h.entry("retries").or_insert(Json::from(3));
    }
    for key in ["environment", "secrets"] {
        if let Some(Json::Array(items)) = c.get_mut(key) {
            items.sort_by(|a, b| {
                let name = |v: &Json| v.get("name").and_then(Json::as_str).map(String::from);
                name(a).cmp(&name(b))
            });
        }
    }
    let mut out = Obj::new();
    let mut keys: Vec<String> = c.keys().cloned().collect();
    keys.sort();
    for k in keys {
        let v = c.remove(&k).expect("key listed");
        let always = ALWAYS_LISTED.contains(&k.as_str());
        let v = tidy(v);
        if always || !is_empty(&v) {
            out.insert(k, v);
        }
    }
    Json::Object(out)
}

fn is_zero(v: &Json) -> bool {
    v.as_f64() == Some(0.0)
}

fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Sorted keys, no nulls or empty members, whole numbers as integers, all the way down.
fn tidy(v: Json) -> Json {
    match v {
        Json::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let mut out = Obj::new();
            for k in keys {
                let v = tidy(o[k].clone());
                if !is_empty(&v) {
                    out.insert(k.clone(), v);
                }
            }
            Json::Object(out)
        }
        Json::Array(items) => Json::Array(items.into_iter().map(tidy).collect()),
        Json::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() && f.fract() == 0.0 && f.abs() < 1e15 => {
                Json::from(f as i64)
            }
            _ => Json::Number(n),
        },
        other => other,
    }
}

// ---------------------------------------------------------------------------------------
// JSON → SDK
// ---------------------------------------------------------------------------------------

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidContainerDefinitions", msg)
}

/// Reads the members of one JSON object, naming it in errors.
struct Fields<'a> {
    obj: &'a Obj,
    what: String,
}

impl<'a> Fields<'a> {
    fn new(v: &'a Json, what: impl Into<String>, allowed: &[&str]) -> Result<Self> {
        let what = what.into();
        let obj = v
            .as_object()
            .ok_or_else(|| invalid(format!("{what}: an object is expected")))?;
        if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(invalid(format!(
                "{what}: \"{k}\" is not supported by ecsform (supported: {})",
                allowed.join(", ")
            )));
        }
        Ok(Fields { obj, what })
    }

    fn get(&self, k: &str) -> Option<&'a Json> {
        self.obj.get(k).filter(|v| !v.is_null())
    }

    fn err(&self, k: &str, expected: &str) -> ApiError {
        invalid(format!("{}.{k}: {expected} is expected", self.what))
    }

    fn str(&self, k: &str) -> Result<Option<String>> {
        self.get(k)
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| self.err(k, "a string"))
            })
            .transpose()
    }

    fn req_str(&self, k: &str) -> Result<String> {
        self.str(k)?.ok_or_else(|| self.err(k, "a string"))
    }

    fn int(&self, k: &str) -> Result<Option<i32>> {
        self.get(k)
            .map(|v| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i32)
                    .ok_or_else(|| self.err(k, "a whole number"))
            })
            .transpose()
    }

    fn bool(&self, k: &str) -> Result<Option<bool>> {
        self.get(k)
            .map(|v| v.as_bool().ok_or_else(|| self.err(k, "true or false")))
            .transpose()
    }

    fn strings(&self, k: &str) -> Result<Option<Vec<String>>> {
        self.get(k)
            .map(|v| {
                v.as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|s| s.as_str().map(String::from))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| self.err(k, "a list of strings"))
            })
            .transpose()
    }

    fn string_map(&self, k: &str) -> Result<Option<HashMap<String, String>>> {
        self.get(k)
            .map(|v| {
                v.as_object()
                    .and_then(|o| {
                        o.iter()
                            .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect::<Option<HashMap<_, _>>>()
                    })
                    .ok_or_else(|| self.err(k, "an object of strings"))
            })
            .transpose()
    }

    /// The objects of list member `k`, each read by `f` with its allowed keys.
    fn list<T>(
        &self,
        k: &str,
        allowed: &[&str],
        f: impl Fn(&Fields) -> Result<T>,
    ) -> Result<Option<Vec<T>>> {
        let Some(v) = self.get(k) else {
            return Ok(None);
        };
        let items = v.as_array().ok_or_else(|| self.err(k, "a list"))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                f(&Fields::new(
                    item,
                    format!("{}.{k}[{i}]", self.what),
                    allowed,
                )?)
            })
            .collect::<Result<Vec<T>>>()
            .map(Some)
    }

    fn object(&self, k: &str, allowed: &[&str]) -> Result<Option<Fields<'a>>> {
        self.get(k)
            .map(|v| Fields::new(v, format!("{}.{k}", self.what), allowed))
            .transpose()
    }
}

fn secrets(f: &Fields, k: &str) -> Result<Option<Vec<Secret>>> {
    f.list(k, &["name", "valueFrom"], |s| {
        Secret::builder()
            .name(s.req_str("name")?)
            .value_from(s.req_str("valueFrom")?)
            .build()
            .map_err(build_error)
    })
}

/// Parses a container definitions document into the SDK's types.
pub fn to_sdk(text: &str) -> Result<Vec<ContainerDefinition>> {
    let json: Json = serde_json::from_str(text)
        .map_err(|e| invalid(format!("container_definitions is not valid JSON: {e}")))?;
    let items = json
        .as_array()
        .ok_or_else(|| invalid("container_definitions must be a JSON list of containers"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, c)| container(&Fields::new(c, format!("container {i}"), CONTAINER_KEYS)?))
        .collect()
}

fn container(f: &Fields) -> Result<ContainerDefinition> {
    let ports = f.list(
        "portMappings",
        &[
            "containerPort",
            "hostPort",
            "protocol",
            "name",
            "appProtocol",
            "containerPortRange",
        ],
        |p| {
            Ok(PortMapping::builder()
                .set_container_port(p.int("containerPort")?)
                .set_host_port(p.int("hostPort")?)
                .set_protocol(p.str("protocol")?.as_deref().map(TransportProtocol::from))
                .set_name(p.str("name")?)
                .set_app_protocol(
                    p.str("appProtocol")?
                        .as_deref()
                        .map(ApplicationProtocol::from),
                )
                .set_container_port_range(p.str("containerPortRange")?)
                .build())
        },
    )?;
    let environment = f.list("environment", &["name", "value"], |e| {
        Ok(KeyValuePair::builder()
            .set_name(e.str("name")?)
            .set_value(e.str("value")?)
            .build())
    })?;
    let environment_files = f.list("environmentFiles", &["value", "type"], |e| {
        EnvironmentFile::builder()
            .value(e.req_str("value")?)
            .r#type(EnvironmentFileType::from(e.req_str("type")?.as_str()))
            .build()
            .map_err(build_error)
    })?;
    let mount_points = f.list(
        "mountPoints",
        &["sourceVolume", "containerPath", "readOnly"],
        |m| {
            Ok(MountPoint::builder()
                .set_source_volume(m.str("sourceVolume")?)
                .set_container_path(m.str("containerPath")?)
                .set_read_only(m.bool("readOnly")?)
                .build())
        },
    )?;
    let volumes_from = f.list("volumesFrom", &["sourceContainer", "readOnly"], |v| {
        Ok(VolumeFrom::builder()
            .set_source_container(v.str("sourceContainer")?)
            .set_read_only(v.bool("readOnly")?)
            .build())
    })?;
    let linux = match f.object(
        "linuxParameters",
        &[
            "capabilities",
            "initProcessEnabled",
            "sharedMemorySize",
            "maxSwap",
            "swappiness",
        ],
    )? {
        None => None,
        Some(l) => {
            let caps = match l.object("capabilities", &["add", "drop"])? {
                None => None,
                Some(c) => Some(
                    KernelCapabilities::builder()
                        .set_add(c.strings("add")?)
                        .set_drop(c.strings("drop")?)
                        .build(),
                ),
            };
            Some(
                LinuxParameters::builder()
                    .set_capabilities(caps)
                    .set_init_process_enabled(l.bool("initProcessEnabled")?)
                    .set_shared_memory_size(l.int("sharedMemorySize")?)
                    .set_max_swap(l.int("maxSwap")?)
                    .set_swappiness(l.int("swappiness")?)
                    .build(),
            )
        }
    };
    let depends_on = f.list("dependsOn", &["containerName", "condition"], |d| {
        ContainerDependency::builder()
            .container_name(d.req_str("containerName")?)
            .condition(ContainerCondition::from(d.req_str("condition")?.as_str()))
            .build()
            .map_err(build_error)
    })?;
    let extra_hosts = f.list("extraHosts", &["hostname", "ipAddress"], |h| {
        HostEntry::builder()
            .hostname(h.req_str("hostname")?)
            .ip_address(h.req_str("ipAddress")?)
            .build()
            .map_err(build_error)
    })?;
    let ulimits = f.list("ulimits", &["name", "softLimit", "hardLimit"], |u| {
        Ulimit::builder()
            .name(UlimitName::from(u.req_str("name")?.as_str()))
            .soft_limit(u.int("softLimit")?.unwrap_or(0))
            .hard_limit(u.int("hardLimit")?.unwrap_or(0))
            .build()
            .map_err(build_error)
    })?;
    let log = match f.object(
        "logConfiguration",
        &["logDriver", "options", "secretOptions"],
    )? {
        None => None,
        Some(l) => Some(
            LogConfiguration::builder()
                .log_driver(LogDriver::from(l.req_str("logDriver")?.as_str()))
                .set_options(l.string_map("options")?)
                .set_secret_options(secrets(&l, "secretOptions")?)
                .build()
                .map_err(build_error)?,
        ),
    };
    let health = match f.object(
        "healthCheck",
        &["command", "interval", "timeout", "retries", "startPeriod"],
    )? {
        None => None,
        Some(h) => Some(
            HealthCheck::builder()
                .set_command(h.strings("command")?)
                .set_interval(h.int("interval")?)
                .set_timeout(h.int("timeout")?)
                .set_retries(h.int("retries")?)
                .set_start_period(h.int("startPeriod")?)
                .build()
                .map_err(build_error)?,
        ),
    };
    let system_controls = f.list("systemControls", &["namespace", "value"], |s| {
        Ok(SystemControl::builder()
            .set_namespace(s.str("namespace")?)
            .set_value(s.str("value")?)
            .build())
    })?;
    let resources = f.list("resourceRequirements", &["type", "value"], |r| {
        ResourceRequirement::builder()
            .r#type(EcsResourceType::from(r.req_str("type")?.as_str()))
            .value(r.req_str("value")?)
            .build()
            .map_err(build_error)
    })?;
    let firelens = match f.object("firelensConfiguration", &["type", "options"])? {
        None => None,
        Some(fl) => Some(
            FirelensConfiguration::builder()
                .r#type(FirelensConfigurationType::from(
                    fl.req_str("type")?.as_str(),
                ))
                .set_options(fl.string_map("options")?)
                .build()
                .map_err(build_error)?,
        ),
    };
    let credentials = match f.object("repositoryCredentials", &["credentialsParameter"])? {
        None => None,
        Some(r) => Some(
            RepositoryCredentials::builder()
                .credentials_parameter(r.req_str("credentialsParameter")?)
                .build()
                .map_err(build_error)?,
        ),
    };
    Ok(ContainerDefinition::builder()
        .set_name(f.str("name")?)
        .set_image(f.str("image")?)
        .set_repository_credentials(credentials)
        .set_cpu(f.int("cpu")?)
        .set_memory(f.int("memory")?)
        .set_memory_reservation(f.int("memoryReservation")?)
        .set_links(f.strings("links")?)
        .set_port_mappings(ports)
        .set_essential(f.bool("essential")?)
        .set_entry_point(f.strings("entryPoint")?)
        .set_command(f.strings("command")?)
        .set_environment(environment)
        .set_environment_files(environment_files)
        .set_mount_points(mount_points)
        .set_volumes_from(volumes_from)
        .set_linux_parameters(linux)
        .set_secrets(secrets(f, "secrets")?)
        .set_depends_on(depends_on)
        .set_start_timeout(f.int("startTimeout")?)
        .set_stop_timeout(f.int("stopTimeout")?)
        .set_hostname(f.str("hostname")?)
        .set_user(f.str("user")?)
        .set_working_directory(f.str("workingDirectory")?)
        .set_disable_networking(f.bool("disableNetworking")?)
        .set_privileged(f.bool("privileged")?)
        .set_readonly_root_filesystem(f.bool("readonlyRootFilesystem")?)
        .set_dns_servers(f.strings("dnsServers")?)
        .set_dns_search_domains(f.strings("dnsSearchDomains")?)
        .set_extra_hosts(extra_hosts)
        .set_docker_security_options(f.strings("dockerSecurityOptions")?)
        .set_interactive(f.bool("interactive")?)
        .set_pseudo_terminal(f.bool("pseudoTerminal")?)
        .set_docker_labels(f.string_map("dockerLabels")?)
        .set_ulimits(ulimits)
        .set_log_configuration(log)
        .set_health_check(health)
        .set_system_controls(system_controls)
        .set_resource_requirements(resources)
        .set_firelens_configuration(firelens)
        .build())
}

// ---------------------------------------------------------------------------------------
// SDK → JSON
// ---------------------------------------------------------------------------------------

/// Builds one JSON object, leaving out what is unset.
#[derive(Default)]
struct Out(Obj);

impl Out {
    fn put(mut self, k: &str, v: Option<Json>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.to_string(), v);
        }
        self
    }

    fn done(self) -> Json {
        Json::Object(self.0)
    }
}

fn s(v: Option<&str>) -> Option<Json> {
    v.map(Json::from)
}

fn i(v: Option<i32>) -> Option<Json> {
    v.map(Json::from)
}

fn b(v: Option<bool>) -> Option<Json> {
    v.map(Json::from)
}

fn strs(v: &Option<Vec<String>>) -> Option<Json> {
    v.as_ref().map(|v| Json::from(v.clone()))
}

fn smap(v: Option<&HashMap<String, String>>) -> Option<Json> {
    v.map(|m| {
        Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
                .collect(),
        )
    })
}

fn list<T>(v: &Option<Vec<T>>, f: impl Fn(&T) -> Json) -> Option<Json> {
    v.as_ref()
        .map(|items| Json::Array(items.iter().map(f).collect()))
}

fn secret_json(s: &Secret) -> Json {
    Out::default()
        .put("name", Some(Json::from(s.name())))
        .put("valueFrom", Some(Json::from(s.value_from())))
        .done()
}

/// The container definitions ECS returned, as a JSON document (not yet canonical).
pub fn from_sdk(containers: &[ContainerDefinition]) -> Json {
    Json::Array(containers.iter().map(container_json).collect())
}

fn container_json(c: &ContainerDefinition) -> Json {
    Out::default()
        .put("name", s(c.name.as_deref()))
        .put("image", s(c.image.as_deref()))
        .put(
            "repositoryCredentials",
            c.repository_credentials.as_ref().map(|r| {
                Out::default()
                    .put(
                        "credentialsParameter",
                        Some(Json::from(r.credentials_parameter())),
                    )
                    .done()
            }),
        )
        .put("cpu", Some(Json::from(c.cpu)))
        .put("memory", i(c.memory))
        .put("memoryReservation", i(c.memory_reservation))
        .put("links", strs(&c.links))
        .put(
            "portMappings",
            list(&c.port_mappings, |p| {
                Out::default()
                    .put("containerPort", i(p.container_port))
                    .put("hostPort", i(p.host_port))
                    .put("protocol", s(p.protocol.as_ref().map(|p| p.as_str())))
                    .put("name", s(p.name.as_deref()))
                    .put(
                        "appProtocol",
                        s(p.app_protocol.as_ref().map(|p| p.as_str())),
                    )
                    .put("containerPortRange", s(p.container_port_range.as_deref()))
                    .done()
            }),
        )
        .put("essential", b(c.essential))
        .put("entryPoint", strs(&c.entry_point))
        .put("command", strs(&c.command))
        .put(
            "environment",
            list(&c.environment, |e| {
                Out::default()
                    .put("name", s(e.name.as_deref()))
                    .put("value", s(e.value.as_deref()))
                    .done()
            }),
        )
        .put(
            "environmentFiles",
            list(&c.environment_files, |e| {
                Out::default()
                    .put("value", Some(Json::from(e.value())))
                    .put("type", Some(Json::from(e.r#type().as_str())))
                    .done()
            }),
        )
        .put(
            "mountPoints",
            list(&c.mount_points, |m| {
                Out::default()
                    .put("sourceVolume", s(m.source_volume.as_deref()))
                    .put("containerPath", s(m.container_path.as_deref()))
                    .put("readOnly", b(m.read_only))
                    .done()
            }),
        )
        .put(
            "volumesFrom",
            list(&c.volumes_from, |v| {
                Out::default()
                    .put("sourceContainer", s(v.source_container.as_deref()))
                    .put("readOnly", b(v.read_only))
                    .done()
            }),
        )
        .put(
            "linuxParameters",
            c.linux_parameters.as_ref().map(|l| {
                Out::default()
                    .put(
                        "capabilities",
                        l.capabilities.as_ref().map(|k| {
                            Out::default()
                                .put("add", strs(&k.add))
                                .put("drop", strs(&k.drop))
                                .done()
                        }),
                    )
                    .put("initProcessEnabled", b(l.init_process_enabled))
                    .put("sharedMemorySize", i(l.shared_memory_size))
                    .put("maxSwap", i(l.max_swap))
                    .put("swappiness", i(l.swappiness))
                    .done()
            }),
        )
        .put("secrets", list(&c.secrets, secret_json))
        .put(
            "dependsOn",
            list(&c.depends_on, |d| {
                Out::default()
                    .put("containerName", Some(Json::from(d.container_name())))
                    .put("condition", Some(Json::from(d.condition().as_str())))
                    .done()
            }),
        )
        .put("startTimeout", i(c.start_timeout))
        .put("stopTimeout", i(c.stop_timeout))
        .put("hostname", s(c.hostname.as_deref()))
        .put("user", s(c.user.as_deref()))
        .put("workingDirectory", s(c.working_directory.as_deref()))
        .put("disableNetworking", b(c.disable_networking))
        .put("privileged", b(c.privileged))
        .put("readonlyRootFilesystem", b(c.readonly_root_filesystem))
        .put("dnsServers", strs(&c.dns_servers))
        .put("dnsSearchDomains", strs(&c.dns_search_domains))
        .put(
            "extraHosts",
            list(&c.extra_hosts, |h| {
                Out::default()
                    .put("hostname", Some(Json::from(h.hostname())))
                    .put("ipAddress", Some(Json::from(h.ip_address())))
                    .done()
            }),
        )
        .put("dockerSecurityOptions", strs(&c.docker_security_options))
        .put("interactive", b(c.interactive))
        .put("pseudoTerminal", b(c.pseudo_terminal))
        .put("dockerLabels", smap(c.docker_labels.as_ref()))
        .put(
            "ulimits",
            list(&c.ulimits, |u| {
                Out::default()
                    .put("name", Some(Json::from(u.name().as_str())))
                    .put("softLimit", Some(Json::from(u.soft_limit())))
                    .put("hardLimit", Some(Json::from(u.hard_limit())))
                    .done()
            }),
        )
        .put(
            "logConfiguration",
            c.log_configuration.as_ref().map(|l| {
                Out::default()
                    .put("logDriver", Some(Json::from(l.log_driver().as_str())))
                    .put("options", smap(l.options()))
                    .put(
                        "secretOptions",
                        Some(Json::Array(
                            l.secret_options().iter().map(secret_json).collect(),
                        )),
                    )
                    .done()
            }),
        )
        .put(
            "healthCheck",
            c.health_check.as_ref().map(|h| {
                Out::default()
                    .put("command", Some(Json::from(h.command().to_vec())))
                    .put("interval", i(h.interval()))
                    .put("timeout", i(h.timeout()))
                    .put("retries", i(h.retries()))
                    .put("startPeriod", i(h.start_period()))
                    .done()
            }),
        )
        .put(
            "systemControls",
            list(&c.system_controls, |s_| {
                Out::default()
                    .put("namespace", s(s_.namespace()))
                    .put("value", s(s_.value()))
                    .done()
            }),
        )
        .put(
            "resourceRequirements",
            list(&c.resource_requirements, |r| {
                Out::default()
                    .put("type", Some(Json::from(r.r#type().as_str())))
                    .put("value", Some(Json::from(r.value())))
                    .done()
            }),
        )
        .put(
            "firelensConfiguration",
            c.firelens_configuration.as_ref().map(|f| {
                Out::default()
                    .put("type", Some(Json::from(f.r#type().as_str())))
                    .put("options", smap(f.options()))
                    .done()
            }),
        )
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let a = r#"[{"name": "web", "image": "nginx", "memory": 128}]"#;
        let b = "[\n  {\n    \"memory\": 128,\n    \"image\": \"nginx\",\n    \"name\": \"web\"\n  }\n]";
        assert_eq!(canonical(a, Some("bridge")), canonical(b, Some("bridge")));
        let c = canonical(a, Some("bridge")).unwrap();
        assert!(!c.contains(' '), "{c}");
    }

    #[test]
    fn ecs_defaults_are_spelled_out() {
        let written = r#"[{"name":"web","image":"nginx","memory":128,
            "portMappings":[{"containerPort":80}],
            "environment":[{"name":"B","value":"2"},{"name":"A","value":"1"}],
            "logConfiguration":null, "command": []}]"#;
        let returned = r#"[{"name":"web","image":"nginx","memory":128,"cpu":0,"essential":true,
            "portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}],
            "environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
            "mountPoints":[],"volumesFrom":[],"systemControls":[]}]"#;
        assert_eq!(
            canonical(written, Some("awsvpc")),
            canonical(returned, Some("awsvpc"))
        );
        // In bridge mode no host port means a dynamic one, not the container port.
        assert_ne!(
            canonical(written, Some("bridge")),
            canonical(returned, Some("bridge"))
        );
        let c = canonical(written, Some("awsvpc")).unwrap();
        assert_eq!(
            c,
            r#"[{"cpu":0,"environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"essential":true,"image":"nginx","memory":128,"mountPoints":[],"name":"web","portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}],"volumesFrom":[]}]"#
        );
    }

    #[test]
    fn a_real_change_stays_a_change() {
        let a = r#"[{"name":"web","image":"nginx:1.25","memory":128}]"#;
        let b = r#"[{"name":"web","image":"nginx:1.27","memory":128}]"#;
        assert_ne!(canonical(a, None), canonical(b, None));
        let not_essential =
            r#"[{"name":"web","image":"nginx:1.25","memory":128,"essential":false}]"#;
        assert_ne!(canonical(a, None), canonical(not_essential, None));
    }

    #[test]
    fn not_json_is_left_alone() {
        assert_eq!(canonical("[{", None), None);
    }

    #[test]
    fn round_trips_through_the_sdk_types() {
        let text = r#"[{"name":"web","image":"nginx","cpu":256,"memory":512,"essential":true,
            "portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}],
            "environment":[{"name":"A","value":"1"}],
            "secrets":[{"name":"S","valueFrom":"arn:aws:ssm:eu-west-1:1:parameter/s"}],
            "mountPoints":[{"sourceVolume":"data","containerPath":"/data","readOnly":true}],
            "volumesFrom":[],
            "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/web"}},
            "healthCheck":{"command":["CMD-SHELL","true"],"interval":10},
            "dependsOn":[{"containerName":"init","condition":"SUCCESS"}],
            "ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":4096}],
            "linuxParameters":{"initProcessEnabled":true,"capabilities":{"add":["SYS_PTRACE"]}},
            "dockerLabels":{"team":"web"}}]"#;
        let sdk = to_sdk(text).unwrap();
        let back = from_sdk(&sdk).to_string();
        assert_eq!(
            canonical(&back, Some("bridge")),
            canonical(text, Some("bridge"))
        );
    }

    #[test]
    fn unsupported_keys_are_named() {
        let e = to_sdk(r#"[{"name":"web","image":"nginx","gpuCount":1}]"#).unwrap_err();
        assert!(e.message.contains("\"gpuCount\""), "{e}");
        let e = to_sdk(r#"[{"name":"web","memory":"512"}]"#).unwrap_err();
        assert!(e.message.contains("container 0.memory"), "{e}");
        assert!(to_sdk(r#"{"name":"web"}"#).is_err());
    }
}
