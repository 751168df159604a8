//! The example (`examples/ecs.tf` with `modules/`) as the moto tests run it: a copy in a
//! temporary directory, `ecsform` as a child process, and an audit of what AWS holds, read
//! through the SDK by ecsform's `ecsform:address`/`ecsform:lineage` tags rather than through
//! ecsform, compared with the state's records (every object exactly once, nothing orphaned).
//!
//! The audit reads moto directly (not through a fault proxy), so that what it sees is what
//! moto holds.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ecsform::state::{ResourceRecord, ResourceStatus, StateStore};

use super::moto::moto;

pub const ADDRESS: &str = "ecsform:address";

/// The resource instances of the example with examples/ecs.tfvars: two AZs (2 public + 2
/// private subnets, each with a route table and association; 2 NAT gateways with EIPs;
/// routes), two instance groups of 13 resources each, the load balancer with its HTTP and
/// HTTPS listeners, the certificate with its validation record and validation, the web name,
/// the stopped-task alerts, and the web service with its task definition, scalable target and
/// CPU policy.
pub const EXAMPLE_OBJECTS: usize = 63;
pub const LINEAGE: &str = "ecsform:lineage";

/// A copy of examples/ and modules/ side by side, as in the repository.
pub fn example_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    super::copy_dir(&repo.join("modules"), &tmp.path().join("modules"));
    let root = tmp.path().join("examples");
    std::fs::create_dir_all(&root).unwrap();
    for f in ["ecs.tf", "ecs.tfvars"] {
        std::fs::copy(repo.join("examples").join(f), root.join(f)).unwrap();
    }
    (tmp, root)
}

/// `ecsform COMMAND -no-color ARGS...` in `dir`, as a child process with `env` (the endpoint,
/// credentials and region: `moto().env()`, or `env_for` a proxy). `ECSFORM_TEST_BINARY` runs
/// another build than this one's (a copy kept for a long loop of runs while the tree is
/// rebuilt, say).
pub fn command(dir: &Path, command: &str, args: &[String], env: &[(String, String)]) -> Command {
    let binary = std::env::var_os("ECSFORM_TEST_BINARY")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_ecsform").into());
    let mut cmd = Command::new(binary);
    cmd.current_dir(dir)
        .arg(command)
        .arg("-no-color")
        .args(args)
        .envs(env.iter().cloned())
        .stdin(Stdio::null());
    cmd
}

/// How a child process ended and what it printed.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to the end, capturing its output.
pub fn run(mut cmd: Command) -> Ran {
    let out = cmd.output().expect("running ecsform");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The public hosted zone the example's `hosted_zone` names (examples/ecs.tfvars): a team
/// has it before it writes the configuration.
pub const HOSTED_ZONE: &str = "example.com";

/// Creates [`HOSTED_ZONE`] unless moto has it.
pub async fn create_hosted_zone(config: &aws_config::SdkConfig) {
    let r53 = aws_sdk_route53::Client::new(config);
    let zones = r53
        .list_hosted_zones_by_name()
        .dns_name(HOSTED_ZONE)
        .send()
        .await
        .unwrap();
    if zones
        .hosted_zones()
        .iter()
        .any(|z| z.name() == format!("{HOSTED_ZONE}."))
    {
        return;
    }
    r53.create_hosted_zone()
        .name(HOSTED_ZONE)
        .caller_reference(format!("example-{}", std::process::id()))
        .send()
        .await
        .unwrap();
}

/// The example's variables, with an AMI moto knows; creates the hosted zone the example
/// looks up.
pub async fn example_vars() -> Vec<String> {
    let config = moto().sdk_config().await;
    create_hosted_zone(&config).await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let images = ec2.describe_images().owners("amazon").send().await.unwrap();
    let ami = images.images()[0].image_id().unwrap().to_string();
    vec![
        "-var-file=ecs.tfvars".to_string(),
        "-var".to_string(),
        format!("ecs_ami_id={ami}"),
    ]
}

/// `-auto-approve` and `vars`.
pub fn apply_args(vars: &[String]) -> Vec<String> {
    let mut a = vec!["-auto-approve".to_string()];
    a.extend(vars.iter().cloned());
    a
}

/// The state file of a configuration in `dir`.
pub fn state_path(dir: &Path) -> PathBuf {
    dir.join("state/ecsform.sqlite")
}

/// The state's records (none without a state file).
pub fn records(dir: &Path) -> Vec<ResourceRecord> {
    match StateStore::open_existing(&state_path(dir)).unwrap() {
        Some(s) => s.resources().unwrap(),
        None => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The audit: what AWS holds, read through the SDK.

/// What AWS holds for one state, compared with its records.
#[derive(Debug, Default)]
pub struct Audit {
    /// Objects checked (the state's records).
    pub objects: usize,
    /// Objects of this lineage that the state does not record (`type address id`).
    pub orphaned: Vec<String>,
    /// Addresses with more than one object in AWS.
    pub duplicated: Vec<String>,
    /// Records whose object AWS does not have (or has under other tags).
    pub missing: Vec<String>,
}

/// Every object tagged with `lineage`, by address: (type family, id).
pub async fn tagged_objects(
    config: &aws_config::SdkConfig,
    lineage: &str,
) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut add = |tags: &BTreeMap<String, String>, kind: &str, id: &str| {
        if tags.get(LINEAGE).map(String::as_str) == Some(lineage) {
            let address = tags.get(ADDRESS).cloned().unwrap_or_default();
            out.entry(address)
                .or_default()
                .push((kind.to_string(), id.to_string()));
        }
    };

    // EC2: one DescribeTags for ecsform's two keys.
    let ec2 = aws_sdk_ec2::Client::new(config);
    let rows: Vec<aws_sdk_ec2::types::TagDescription> = ec2
        .describe_tags()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("key")
                .values(ADDRESS)
                .values(LINEAGE)
                .build(),
        )
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    let mut by_id: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for r in rows {
        by_id
            .entry(r.resource_id().unwrap_or_default().to_string())
            .or_default()
            .insert(
                r.key().unwrap_or_default().to_string(),
                r.value().unwrap_or_default().to_string(),
            );
    }
    for (id, tags) in &by_id {
        add(tags, "ec2", id);
    }

    // Load balancing: load balancers, target groups, listeners, and their tags.
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let lbs = elb.describe_load_balancers().send().await.unwrap();
    let mut arns: Vec<String> = Vec::new();
    for lb in lbs.load_balancers() {
        let arn = lb.load_balancer_arn().unwrap().to_string();
        let listeners = elb
            .describe_listeners()
            .load_balancer_arn(&arn)
            .send()
            .await
            .unwrap();
        arns.extend(
            listeners
                .listeners()
                .iter()
                .filter_map(|l| l.listener_arn().map(String::from)),
        );
        arns.push(arn);
    }
    let tgs = elb.describe_target_groups().send().await.unwrap();
    arns.extend(
        tgs.target_groups()
            .iter()
            .filter_map(|t| t.target_group_arn().map(String::from)),
    );
    for chunk in arns.chunks(20) {
        let tags = elb
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap();
        for d in tags.tag_descriptions() {
            let t = d
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            add(&t, "elbv2", d.resource_arn().unwrap_or_default());
        }
    }

    // ECS clusters.
    let ecs = aws_sdk_ecs::Client::new(config);
    let clusters = ecs.list_clusters().send().await.unwrap();
    if !clusters.cluster_arns().is_empty() {
        let described = ecs
            .describe_clusters()
            .set_clusters(Some(clusters.cluster_arns().to_vec()))
            .include(aws_sdk_ecs::types::ClusterField::Tags)
            .send()
            .await
            .unwrap();
        for c in described
            .clusters()
            .iter()
            .filter(|c| c.status() == Some("ACTIVE"))
        {
            let t = c
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            add(&t, "ecs", c.cluster_arn().unwrap_or_default());
        }
    }

    // CloudWatch Logs.
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    let groups: Vec<aws_sdk_cloudwatchlogs::types::LogGroup> = logs
        .describe_log_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    for g in groups {
        let arn = g
            .arn()
            .unwrap_or_default()
            .trim_end_matches(":*")
            .to_string();
        let tags = logs
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        add(&t, "logs", g.log_group_name().unwrap_or_default());
    }

    // IAM roles and instance profiles.
    let iam = aws_sdk_iam::Client::new(config);
    let roles = iam.list_roles().send().await.unwrap();
    for r in roles.roles() {
        let tags = iam
            .list_role_tags()
            .role_name(r.role_name())
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "iam", r.role_name());
    }
    // moto has no ListInstanceProfileTags; its list call carries the tags.
    let profiles = iam.list_instance_profiles().send().await.unwrap();
    for p in profiles.instance_profiles() {
        let t = p
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "iam", p.instance_profile_name());
    }

    // SNS topics.
    let sns = aws_sdk_sns::Client::new(config);
    let topics = sns.list_topics().send().await.unwrap();
    for topic in topics.topics() {
        let arn = topic.topic_arn().unwrap_or_default();
        let tags = sns
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "sns", arn);
    }

    // EventBridge rules (default bus).
    let events = aws_sdk_eventbridge::Client::new(config);
    let rules = events.list_rules().send().await.unwrap();
    for rule in rules.rules() {
        let tags = events
            .list_tags_for_resource()
            .resource_arn(rule.arn().unwrap_or_default())
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        add(&t, "events", rule.name().unwrap_or_default());
    }

    // ACM certificates.
    let acm = aws_sdk_acm::Client::new(config);
    let certs = acm.list_certificates().send().await.unwrap();
    for c in certs.certificate_summary_list() {
        let arn = c.certificate_arn().unwrap_or_default();
        let tags = acm
            .list_tags_for_certificate()
            .certificate_arn(arn)
            .send()
            .await
            .unwrap();
        let t = tags
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect();
        add(&t, "acm", arn);
    }

    // Auto Scaling groups.
    let asg = aws_sdk_autoscaling::Client::new(config);
    let groups = asg.describe_auto_scaling_groups().send().await.unwrap();
    for g in groups.auto_scaling_groups() {
        let t = g
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect();
        add(
            &t,
            "autoscaling",
            g.auto_scaling_group_name().unwrap_or_default(),
        );
    }
    out
}

/// The objects of the types AWS gives no tags to, by natural key, inside the parents the
/// state records (its route tables, roles and rules): `(type, key)`.
pub async fn untagged_objects(
    config: &aws_config::SdkConfig,
    recs: &[ResourceRecord],
) -> BTreeSet<(String, String)> {
    let ids_of = |t: &str| -> Vec<String> {
        recs.iter()
            .filter(|r| r.type_name == t)
            .filter_map(|r| r.id.clone())
            .collect()
    };
    let mut out = BTreeSet::new();
    let ec2 = aws_sdk_ec2::Client::new(config);
    let tables = ids_of("aws_route_table");
    if !tables.is_empty() {
        let described = ec2
            .describe_route_tables()
            .set_route_table_ids(Some(tables))
            .send()
            .await
            .unwrap();
        for t in described.route_tables() {
            let table = t.route_table_id().unwrap_or_default();
            for r in t.routes() {
                if r.origin() == Some(&aws_sdk_ec2::types::RouteOrigin::CreateRoute) {
                    let dest = r.destination_cidr_block().unwrap_or_default();
                    out.insert(("aws_route".into(), format!("{table} {dest}")));
                }
            }
            for a in t.associations() {
                if !a.main().unwrap_or(false) {
                    out.insert((
                        "aws_route_table_association".into(),
                        a.route_table_association_id().unwrap_or_default().into(),
                    ));
                }
            }
        }
    }
    let iam = aws_sdk_iam::Client::new(config);
    for role in ids_of("aws_iam_role") {
        let attached = iam
            .list_attached_role_policies()
            .role_name(&role)
            .send()
            .await
            .unwrap();
        for p in attached.attached_policies() {
            out.insert((
                "aws_iam_role_policy_attachment".into(),
                format!("{role}/{}", p.policy_arn().unwrap_or_default()),
            ));
        }
    }
    let events = aws_sdk_eventbridge::Client::new(config);
    // The web service and its scaling, checked by id (ECS keeps their tags, but the
    // application autoscaling objects have none to find them by): what the state records and
    // AWS still has.
    let ecs = aws_sdk_ecs::Client::new(config);
    for r in recs.iter().filter(|r| r.type_name == "aws_ecs_service") {
        let (Some(id), Some(cluster)) = (r.id.clone(), r.attributes["cluster"].as_str()) else {
            continue;
        };
        let d = ecs
            .describe_services()
            .cluster(cluster)
            .services(&id)
            .send()
            .await
            .unwrap();
        if d.services().iter().any(|s| s.status() == Some("ACTIVE")) {
            out.insert(("aws_ecs_service".into(), id));
        }
    }
    for id in ids_of("aws_ecs_task_definition") {
        let d = ecs
            .describe_task_definition()
            .task_definition(&id)
            .send()
            .await;
        let active = d
            .ok()
            .and_then(|d| d.task_definition().and_then(|t| t.status().cloned()));
        if active == Some(aws_sdk_ecs::types::TaskDefinitionStatus::Active) {
            out.insert(("aws_ecs_task_definition".into(), id));
        }
    }
    let scaling = aws_sdk_applicationautoscaling::Client::new(config);
    let ecs_ns = aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs;
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(ecs_ns.clone())
        .send()
        .await
        .unwrap();
    for t in targets.scalable_targets() {
        out.insert((
            "aws_appautoscaling_target".into(),
            t.resource_id().to_string(),
        ));
    }
    let policies = scaling
        .describe_scaling_policies()
        .service_namespace(ecs_ns)
        .send()
        .await
        .unwrap();
    for p in policies.scaling_policies() {
        out.insert((
            "aws_appautoscaling_policy".into(),
            p.policy_name().to_string(),
        ));
    }
    // Route 53 records (but the zone's own NS and SOA) in the zones the records name, and
    // the validations of issued certificates.
    let r53 = aws_sdk_route53::Client::new(config);
    let zones: BTreeSet<String> = recs
        .iter()
        .filter(|r| r.type_name == "aws_route53_record")
        .filter_map(|r| r.attributes.get("zone_id").and_then(|v| v.as_str()))
        .map(String::from)
        .collect();
    for zone in zones {
        let sets = r53
            .list_resource_record_sets()
            .hosted_zone_id(&zone)
            .send()
            .await
            .unwrap();
        for set in sets.resource_record_sets() {
            let ty = set.r#type().as_str();
            if ty == "NS" || ty == "SOA" {
                continue;
            }
            let name = set.name().trim_end_matches('.').to_ascii_lowercase();
            out.insert(("aws_route53_record".into(), format!("{zone}_{name}_{ty}")));
        }
    }
    let acm = aws_sdk_acm::Client::new(config);
    for r in recs
        .iter()
        .filter(|r| r.type_name == "aws_acm_certificate_validation")
    {
        let (Some(id), Some(arn)) = (r.id.clone(), r.attributes["certificate_arn"].as_str()) else {
            continue;
        };
        let d = acm.describe_certificate().certificate_arn(arn).send().await;
        let issued = d
            .ok()
            .and_then(|d| d.certificate().and_then(|c| c.status().cloned()));
        if issued == Some(aws_sdk_acm::types::CertificateStatus::Issued) {
            out.insert(("aws_acm_certificate_validation".into(), id));
        }
    }
    for rule in ids_of("aws_cloudwatch_event_rule") {
        let targets = events
            .list_targets_by_rule()
            .rule(&rule)
            .send()
            .await
            .unwrap();
        for t in targets.targets() {
            out.insert((
                "aws_cloudwatch_event_target".into(),
                format!("{rule}/{}", t.id()),
            ));
        }
    }
    out
}

/// The natural key of a record of an untagged type, as [`untagged_objects`] spells it.
pub fn untagged_key(r: &ResourceRecord) -> Option<String> {
    let a = |k: &str| r.attributes.get(k).and_then(|v| v.as_str()).unwrap_or("");
    match r.type_name.as_str() {
        "aws_route" => Some(format!(
            "{} {}",
            a("route_table_id"),
            a("destination_cidr_block")
        )),
        "aws_route_table_association"
        | "aws_iam_role_policy_attachment"
        | "aws_cloudwatch_event_target"
        | "aws_ecs_service"
        | "aws_ecs_task_definition"
        | "aws_appautoscaling_target"
        | "aws_appautoscaling_policy"
        | "aws_route53_record"
        | "aws_acm_certificate_validation" => r.id.clone(),
        _ => None,
    }
}

/// Compares what AWS holds with the state's records.
pub async fn audit(dir: &Path) -> Audit {
    let config = moto().sdk_config().await;
    let store = StateStore::open_existing(&state_path(dir))
        .unwrap()
        .unwrap();
    let lineage = store.lineage();
    let recs = store.resources().unwrap();
    let tagged = tagged_objects(&config, &lineage).await;
    let untagged = untagged_objects(&config, &recs).await;
    let mut a = Audit {
        objects: recs.len(),
        ..Audit::default()
    };
    for r in &recs {
        assert_eq!(
            r.status,
            ResourceStatus::Ready,
            "{} is {}",
            r.address,
            r.status
        );
    }
    let mut recorded_untagged = BTreeSet::new();
    for r in &recs {
        if let Some(key) = untagged_key(r) {
            recorded_untagged.insert((r.type_name.clone(), key.clone()));
            if !untagged.contains(&(r.type_name.clone(), key.clone())) {
                a.missing
                    .push(format!("{} {} {key}", r.type_name, r.address));
            }
            continue;
        }
        let found = tagged.get(&r.address).cloned().unwrap_or_default();
        let id = r.id.clone().unwrap_or_default();
        if !found.iter().any(|(_, i)| *i == id) {
            a.missing
                .push(format!("{} {} {id}", r.type_name, r.address));
        }
    }
    let recorded: BTreeMap<&str, &ResourceRecord> =
        recs.iter().map(|r| (r.address.as_str(), r)).collect();
    for (address, objects) in &tagged {
        if objects.len() > 1 {
            a.duplicated.push(format!("{address}: {objects:?}"));
        }
        for (kind, id) in objects {
            let ours = recorded
                .get(address.as_str())
                .is_some_and(|r| r.id.as_deref() == Some(id.as_str()));
            if !ours {
                a.orphaned.push(format!("{kind} {address} {id}"));
            }
        }
    }
    for (t, key) in untagged.difference(&recorded_untagged) {
        a.orphaned.push(format!("{t} {key}"));
    }
    a
}
