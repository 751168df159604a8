//! `ecsform import` against moto: apply a configuration into state A, import every one of its
//! instances into an empty state B with the import ID a Terraform user would type (the AWS
//! provider's format for each type), then `plan -detailed-exitcode -state=B` must say "No
//! changes." and B must record what A recorded. The shipped ECS example covers most types;
//! `tests/fixtures/import/extra` covers every other registered type, and a test checks that
//! together they cover every registered type name (aliases included). Then the error cases.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ecsform::aws::AwsClients;
use ecsform::ops::refresh::{decode, refresh};
use ecsform::state::{ResourceRecord, StateStore};
use support::moto::{exclusive, moto};

use support::generated::TYPES_STACK_PUBLIC_KEY as PUBLIC_KEY;

/// A copy of a configuration under tests/fixtures/import.
fn fixture_workdir(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join(name);
    support::copy_dir(&support::fixtures("import").join(name), &root);
    (tmp, root)
}

fn cli(root: &Path, command: &str, extra: &[String]) -> support::Output {
    cli_env(root, command, extra, &moto().env())
}

/// [`cli`] in the environment `env` (on top of the process's).
fn cli_env(
    root: &Path,
    command: &str,
    extra: &[String],
    env: &[(String, String)],
) -> support::Output {
    let out = tokio::task::block_in_place(|| support::run_in_env(root, command, extra, env));
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

fn args(base: &[String], more: &[&str]) -> Vec<String> {
    more.iter()
        .map(|s| s.to_string())
        .chain(base.iter().cloned())
        .collect()
}

/// An AMI moto knows, so that autoscaling groups can launch instances.
async fn ami() -> String {
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let images = ec2.describe_images().owners("amazon").send().await.unwrap();
    images.images()[0].image_id().unwrap().to_string()
}

fn records(path: &Path) -> Vec<ResourceRecord> {
    StateStore::open(path).unwrap().resources().unwrap()
}

fn text(rec: &ResourceRecord, name: &str) -> Option<String> {
    rec.attributes
        .get(name)
        .and_then(|v| v.as_str())
        .map(String::from)
}

fn texts(rec: &ResourceRecord, name: &str) -> Vec<String> {
    rec.attributes
        .get(name)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The import ID a Terraform user would give for this object (the AWS provider's
/// documented format), built from what state A recorded.
fn terraform_import_id(rec: &ResourceRecord) -> String {
    let get = |name: &str| text(rec, name).unwrap_or_else(|| panic!("{}: no {name}", rec.address));
    match rec.type_name.as_str() {
        "aws_route" => {
            let destination = text(rec, "destination_cidr_block")
                .or_else(|| text(rec, "destination_ipv6_cidr_block"))
                .or_else(|| text(rec, "destination_prefix_list_id"))
                .expect("a destination");
            format!("{}_{destination}", get("route_table_id"))
        }
        "aws_route_table_association" => {
            let owner = text(rec, "subnet_id")
                .or_else(|| text(rec, "gateway_id"))
                .expect("a subnet or gateway");
            format!("{owner}/{}", get("route_table_id"))
        }
        "aws_security_group_rule" => {
            let protocol = match get("protocol").as_str() {
                "-1" => "all".to_string(),
                p => p.to_string(),
            };
            let port = |name: &str| rec.attributes[name].as_i64().expect("a port");
            let mut sources = texts(rec, "cidr_blocks");
            sources.extend(texts(rec, "ipv6_cidr_blocks"));
            sources.extend(texts(rec, "prefix_list_ids"));
            if rec.attributes["self"].as_bool() == Some(true) {
                sources.push("self".into());
            } else if let Some(g) = text(rec, "source_security_group_id") {
                sources.push(g);
            }
            format!(
                "{}_{}_{protocol}_{}_{}_{}",
                get("security_group_id"),
                get("type"),
                port("from_port"),
                port("to_port"),
                sources.join("_")
            )
        }
        // The AWS provider imports a default route table by its VPC's id.
        "aws_default_route_table" => get("vpc_id"),
        "aws_network_acl_rule" => format!(
            "{}:{}:{}:{}",
            get("network_acl_id"),
            rec.attributes["rule_number"]
                .as_i64()
                .expect("a rule number"),
            get("protocol"),
            rec.attributes["egress"].as_bool().unwrap_or(false)
        ),
        "aws_autoscaling_lifecycle_hook" => {
            format!("{}/{}", get("autoscaling_group_name"), get("name"))
        }
        "aws_ecs_cluster" | "aws_ecs_capacity_provider" => get("name"),
        "aws_ecs_service" => format!("{}/{}", get("cluster"), get("name")),
        "aws_service_discovery_private_dns_namespace" => {
            format!("{}:{}", rec.id.clone().expect("an id"), get("vpc"))
        }
        "aws_lambda_permission" => format!("{}/{}", get("function_name"), get("statement_id")),
        "aws_autoscaling_policy" => {
            format!("{}/{}", get("autoscaling_group_name"), get("name"))
        }
        "aws_autoscaling_schedule" => format!(
            "{}/{}",
            get("autoscaling_group_name"),
            get("scheduled_action_name")
        ),
        "aws_appautoscaling_target" => format!(
            "{}/{}/{}",
            get("service_namespace"),
            get("resource_id"),
            get("scalable_dimension")
        ),
        "aws_appautoscaling_policy" => format!(
            "{}/{}/{}/{}",
            get("service_namespace"),
            get("resource_id"),
            get("scalable_dimension"),
            get("name")
        ),
        "random_string" | "random_password" => get("result"),
        "random_id" => match text(rec, "prefix") {
            Some(prefix) => format!("{prefix},{}", get("id")),
            None => get("id"),
        },
        "random_integer" => {
            let n = |name: &str| rec.attributes[name].as_i64().expect("an integer");
            let mut id = format!("{},{},{}", n("result"), n("min"), n("max"));
            if let Some(seed) = text(rec, "seed") {
                id = format!("{id},{seed}");
            }
            id
        }
        _ => rec.id.clone().expect("recorded objects have ids"),
    }
}

/// Attributes state B legitimately lacks: what AWS returns only when the object is created.
fn unreadable(type_name: &str, attr: &str) -> bool {
    matches!(
        (type_name, attr),
        ("aws_iam_access_key", "secret" | "ses_smtp_password_v4")
            // Whether the create found the default VPC or subnet, or made it.
            | ("aws_default_vpc", "existing_default_vpc")
            | ("aws_default_subnet", "existing_default_subnet")
            // A hash with a new salt each time it is made.
            | ("random_password", "bcrypt_hash")
    )
}

/// Imports every instance recorded in `state_a` into the empty `state_b` (those of types that
/// cannot be imported: applied instead), checks that the next plan changes nothing and that B
/// records what a refresh of A reads (A's attributes as recorded at creation may be older:
/// rules added to a group since, attachments counted).
/// `default_tags` are the configuration's. Returns the types imported.
async fn import_everything(
    root: &Path,
    base: &[String],
    state_a: &Path,
    default_tags: &[(&str, &str)],
) -> BTreeSet<String> {
    let state_b = root.join("state/imported.sqlite");
    let flag_b = format!("-state={}", state_b.display());
    let a = records(state_a);
    assert!(!a.is_empty());
    let importable = |r: &ResourceRecord| {
        ecsform::aws::resource_type(&r.type_name)
            .expect("a supported type")
            .importable()
    };
    for rec in a.iter().filter(|r| importable(r)) {
        let id = terraform_import_id(rec);
        let mut import = args(base, &[&flag_b]);
        import.push(rec.address.clone());
        import.push(id.clone());
        let out = cli(root, "import", &import);
        assert_eq!(out.code, 0, "import {} {id}: {}", rec.address, out.stderr);
        assert!(
            out.stdout
                .contains(&format!("{}: Importing from ID \"{id}\"...", rec.address)),
            "{}",
            out.stdout
        );
        assert!(out
            .stdout
            .contains(&format!("{}: Import prepared!", rec.address)));
        assert!(out.stdout.contains("Import successful!"), "{}", out.stdout);
    }
    // What cannot be imported (an ACM certificate's validation, say) is what is left to
    // create, as in Terraform; an apply makes it, and then nothing is left to do.
    let left: Vec<&ResourceRecord> = a.iter().filter(|r| !importable(r)).collect();
    if !left.is_empty() {
        let plan = cli(root, "plan", &args(base, &[&flag_b]));
        assert!(
            plan.stdout.contains(&format!(
                "Plan: {} to add, 0 to change, 0 to destroy.",
                left.len()
            )),
            "{}",
            plan.stdout
        );
        for r in &left {
            assert!(
                plan.stdout
                    .contains(&format!("# {} will be created", r.address)),
                "{}",
                plan.stdout
            );
        }
        let out = cli(root, "apply", &args(base, &[&flag_b, "-auto-approve"]));
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let plan = cli(root, "plan", &args(base, &[&flag_b, "-detailed-exitcode"]));
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    assert_eq!(plan.code, 0, "{}", plan.stdout);

    let clients = AwsClients::from_config(&moto().sdk_config().await);
    let default_tags: BTreeMap<String, String> = default_tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (mut refreshed, diags) = decode(&a);
    assert!(!diags.has_errors());
    let diags = refresh(&a, &mut refreshed, &clients, &default_tags).await;
    assert!(!diags.has_errors());
    let b: BTreeMap<String, ResourceRecord> = records(&state_b)
        .into_iter()
        .map(|r| (r.address.clone(), r))
        .collect();
    assert_eq!(b.len(), a.len());
    let mut differences = Vec::new();
    for ra in &a {
        let rb = &b[&ra.address];
        assert_eq!(rb.type_name, ra.type_name);
        assert_eq!(rb.id, ra.id, "{}", ra.address);
        assert_eq!(rb.index_key, ra.index_key, "{}", ra.address);
        assert_eq!(rb.module_path, ra.module_path, "{}", ra.address);
        let deps = |r: &ResourceRecord| r.dependencies.iter().cloned().collect::<BTreeSet<_>>();
        assert_eq!(deps(rb), deps(ra), "dependencies of {}", ra.address);
        let current = refreshed
            .values()
            .find(|p| p.addr.to_string() == ra.address)
            .and_then(|p| p.current())
            .and_then(|v| v.to_json())
            .unwrap_or_else(|| panic!("{} is gone", ra.address));
        let (Some(attrs_a), Some(attrs_b)) = (current.as_object(), rb.attributes.as_object())
        else {
            panic!("attributes are objects");
        };
        for (name, va) in attrs_a {
            if unreadable(&ra.type_name, name) {
                continue;
            }
            let vb = attrs_b.get(name).unwrap_or(&serde_json::Value::Null);
            if !same_json(va, vb) {
                differences.push(format!("{}.{name}: A {va} B {vb}", ra.address));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "state B differs from A:\n{}",
        differences.join("\n")
    );
    // The import completed the state, so the outputs were recorded too.
    let outputs_a = StateStore::open(state_a).unwrap().outputs().unwrap();
    let outputs_b = StateStore::open(&state_b).unwrap().outputs().unwrap();
    assert_eq!(outputs_b, outputs_a);
    a.iter().map(|r| r.type_name.clone()).collect()
}

/// JSON equality where sets may come back in another order and `{}`/`[]` equal null.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len()
                && x.iter().all(|i| y.iter().any(|j| same_json(i, j)))
                && y.iter().all(|j| x.iter().any(|i| same_json(i, j)))
        }
        (J::Object(x), J::Object(y)) => x
            .keys()
            .chain(y.keys())
            .all(|k| same_json(x.get(k).unwrap_or(&J::Null), y.get(k).unwrap_or(&J::Null))),
        (J::Array(x), J::Null) | (J::Null, J::Array(x)) => x.is_empty(),
        (J::Object(x), J::Null) | (J::Null, J::Object(x)) => x.is_empty(),
        _ => a == b,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_instance_of_the_ecs_example_imports_and_then_plans_no_changes() {
    let _guard = exclusive();
    let (_tmp, root) = support::example::example_dir();
    let mut base = support::example::example_vars().await;
    base.push(format!("-var=ssh_public_key={PUBLIC_KEY}"));
    let out = cli(&root, "apply", &args(&base, &["-auto-approve"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let types = import_everything(
        &root,
        &base,
        &root.join("state/ecsform.sqlite"),
        &[("ManagedBy", "ecsform"), ("Environment", "acc")],
    )
    .await;
    assert!(types.contains("aws_key_pair"), "{types:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_resource_type_imports_and_then_plans_no_changes() {
    let _guard = exclusive();
    let (_tmp, root) = fixture_workdir("extra");
    let base = vec![
        format!("-var=ami_id={}", ami().await),
        format!("-var=public_key={PUBLIC_KEY}"),
    ];
    let state_a = root.join("state/a.sqlite");
    let flag_a = format!("-state={}", state_a.display());
    let out = cli(&root, "apply", &args(&base, &["-auto-approve", &flag_a]));
    assert_eq!(out.code, 0, "{}", out.stderr);

    // null_resource, random_pet, random_shuffle, tls_private_key, local_file, archive_file and
    // aws_acm_certificate_validation have no object to import, as in Terraform, nor have aws_autoscaling_attachment,
    // aws_appautoscaling_scheduled_action and aws_main_route_table_association an import in the
    // AWS provider: remove them from A first.
    let unimportable: Vec<ResourceRecord> = records(&state_a)
        .into_iter()
        .filter(|r| {
            !ecsform::aws::resource_type(&r.type_name)
                .expect("a supported type")
                .importable()
        })
        .collect();
    let names: BTreeSet<&str> = unimportable.iter().map(|r| r.type_name.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "aws_acm_certificate_validation",
            "aws_appautoscaling_scheduled_action",
            "aws_autoscaling_attachment",
            "aws_main_route_table_association",
            "archive_file",
            "local_file",
            "null_resource",
            "random_pet",
            "random_shuffle",
            "tls_private_key"
        ])
    );
    let mut store = StateStore::open(&state_a).unwrap();
    for r in &unimportable {
        store.remove_resource(&r.address, "delete", None).unwrap();
    }
    drop(store);
    for r in &unimportable {
        let out = cli(&root, "import", &args(&base, &[&r.address, "1234"]));
        assert_eq!(out.code, 1);
        assert!(
            out.stderr.contains("Resource type does not support import"),
            "{}",
            out.stderr
        );
    }
    // The other types: every instance imports, and the next plan proposes only the types
    // that cannot be imported.
    let types = import_everything_but_null(&root, &base, &state_a).await;
    for t in [
        "aws_alb",
        "aws_alb_listener",
        "aws_alb_listener_rule",
        "aws_alb_target_group",
        "aws_lb_listener_rule",
    ] {
        assert!(types.contains(t), "{t} not imported: {types:?}");
    }
}

/// `import_everything` for a configuration that ends with types that cannot be imported (from
/// its `null_resource` on), which stay to be created.
async fn import_everything_but_null(
    root: &Path,
    base: &[String],
    state_a: &Path,
) -> BTreeSet<String> {
    // The plan after the imports shows those to create, and nothing else: make the
    // configuration without them for the comparison.
    let main = root.join("main.tf");
    let config = std::fs::read_to_string(&main).unwrap();
    let without = config
        .split("resource \"null_resource\"")
        .next()
        .unwrap()
        .to_string();
    std::fs::write(&main, without).unwrap();
    import_everything(root, base, state_a, &[("ManagedBy", "ecsform")]).await
}

/// The example and the extra fixture together declare every registered resource type, so
/// that the two tests above import an instance of each (a new type without an import test
/// fails here).
#[test]
fn every_resource_type_has_an_import_test() {
    let mut declared = BTreeSet::new();
    for dir in [
        support::repo().join("examples"),
        support::fixtures("import/extra"),
    ] {
        let (module, diags) = ecsform::config::load_root(&dir, &ecsform::diag::Sources::default());
        assert!(!diags.has_errors());
        for (_, m) in module.walk() {
            for key in m.resources.keys() {
                if key.mode == ecsform::config::Mode::Managed {
                    declared.insert(key.type_name.clone());
                }
            }
        }
    }
    let missing: Vec<&str> = ecsform::aws::resource_type_names()
        .into_iter()
        .filter(|t| !declared.contains(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "resource types without an import test (add them to tests/fixtures/import/extra): {missing:?}"
    );
}

/// Runs `ecsform import ADDR ID` in `root` with the state at `state`.
fn import(root: &Path, state: &Path, addr: &str, id: &str) -> support::Output {
    import_env(root, state, addr, id, &moto().env())
}

/// [`import`] in the environment `env` (on top of the process's).
fn import_env(
    root: &Path,
    state: &Path,
    addr: &str,
    id: &str,
    env: &[(String, String)],
) -> support::Output {
    cli_env(
        root,
        "import",
        &[
            format!("-state={}", state.display()),
            addr.to_string(),
            id.to_string(),
        ],
        env,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_errors_are_clear_and_change_nothing() {
    let _guard = exclusive();
    let (_tmp, root) = fixture_workdir("errors");
    let state = root.join("state/b.sqlite");
    let config = moto().sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.30.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.30.0.0/24")
        .send()
        .await
        .unwrap();
    let subnet_id = subnet.subnet().unwrap().subnet_id().unwrap().to_string();

    // Addresses the configuration does not have: nothing is read, no state is created.
    let out = import(&root, &state, "aws_vpcc.main", &vpc_id);
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("Error: Configuration for import target does not exist"));
    assert!(
        out.stderr.contains("Did you mean \"aws_vpc.main\"?"),
        "{}",
        out.stderr
    );
    let out = import(&root, &state, "module.net.aws_vpc.main", &vpc_id);
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("module.net is not defined in the configuration"));
    let out = import(&root, &state, "aws_subnet.private", &subnet_id);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("has \"count\" set"), "{}", out.stderr);
    assert!(out
        .stderr
        .contains("Did you mean \"aws_subnet.private[0]\"?"));
    let out = import(&root, &state, "aws_vpc.main[0]", &vpc_id);
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("has neither \"count\" nor \"for_each\""));
    let out = import(&root, &state, "aws_subnet.private[2]", &subnet_id);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("Its instances are: aws_subnet.private[0], aws_subnet.private[1]."),
        "{}",
        out.stderr
    );
    let out = import(&root, &state, "data.aws_region.current", "eu-west-1");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is a data source"), "{}", out.stderr);
    let out = import(&root, &state, "not an address", &vpc_id);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Error: Invalid address"));
    let out = cli(&root, "import", &["aws_vpc.main".to_string()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("expects two arguments"),
        "{}",
        out.stderr
    );
    assert!(
        !state.exists(),
        "no state is created for an invalid address"
    );

    // A type ecsform does not implement.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(
        other.path().join("main.tf"),
        "resource \"aws_spot_instance_request\" \"web\" {\n  ami = \"ami-1\"\n}\n",
    )
    .unwrap();
    let out = import(
        other.path(),
        &state,
        "aws_spot_instance_request.web",
        "sir-0123456789abcdef0",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Error: Unsupported resource type"),
        "{}",
        out.stderr
    );
    assert!(!state.exists());

    // A good import, then errors that leave the state as it is.
    let out = import(&root, &state, "aws_vpc.main", &vpc_id);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let store = StateStore::open(&state).unwrap();
    let history = store.history(10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].action.as_str(), history[0].address.as_str()),
        ("import", "aws_vpc.main")
    );
    let serial = store.serial();
    drop(store);
    let unchanged = |what: &str| {
        let store = StateStore::open(&state).unwrap();
        assert_eq!(store.serial(), serial, "{what} changed the state");
        assert_eq!(store.resources().unwrap().len(), 1, "{what}");
    };

    let out = import(&root, &state, "aws_vpc.main", &vpc_id);
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("Error: Resource already managed by ecsform"));
    assert!(
        out.stderr.contains(&format!("(id \"{vpc_id}\")")),
        "{}",
        out.stderr
    );
    unchanged("importing to a managed address");

    let out = import(
        &root,
        &state,
        "aws_subnet.private[0]",
        "subnet-0000000000000000f",
    );
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("Error: Cannot import non-existent remote object"));
    assert!(out.stderr.contains(
        "ecsform found no aws_subnet with the import ID \"subnet-0000000000000000f\" in region eu-west-1"
    ), "{}", out.stderr);
    assert!(out.stderr.contains("the subnet id (`subnet-…`)"));
    unchanged("a missing object");

    let out = import(&root, &state, "aws_route.default", "rtb-0123456789abcdef0");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Error: Invalid import ID"));
    assert!(
        out.stderr.contains("ROUTETABLEID_DESTINATION"),
        "{}",
        out.stderr
    );
    unchanged("a malformed composite ID");

    let out = import(&root, &state, "aws_route.default", "vpc-1_0.0.0.0/0");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("expected a route table id"),
        "{}",
        out.stderr
    );
    unchanged("a composite ID with the wrong kind of id");

    let out = import(&root, &state, "aws_subnet.private[0]", &vpc_id);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Error: Invalid import ID"),
        "{}",
        out.stderr
    );
    unchanged("an id of another type");

    // An AWS error names the address and AWS's error code.
    let denied = denying_endpoint();
    let mut env = moto().env();
    env.push(("AWS_ENDPOINT_URL_ECS".to_string(), denied));
    let out = import_env(&root, &state, "aws_ecs_cluster.main", "main", &env);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("Error: Error importing aws_ecs_cluster.main"),
        "{}",
        out.stderr
    );
    assert!(out
        .stderr
        .contains("AccessDeniedException: User: test is not authorized"));
    unchanged("an AWS error");

    // One object at two addresses is refused.
    let out = import(&root, &state, "aws_subnet.private[0]", &subnet_id);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = import(&root, &state, "aws_subnet.private[1]", &subnet_id);
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("Error: Object already managed at another address"));
    assert!(out
        .stderr
        .contains("ecsform state mv aws_subnet.private[0] aws_subnet.private[1]"));
}

/// A loopback endpoint that answers every request (at most 20, then it stops) as AWS's JSON
/// APIs answer a caller without permission: HTTP 400 with `AccessDeniedException`.
fn denying_endpoint() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let reply = r#"{"__type":"AccessDeniedException","message":"User: test is not authorized to perform: ecs:DescribeClusters"}"#;
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    endpoint
}

/// The table of import IDs in docs/import.md says what each type's `import_id_format` says.
#[test]
fn the_docs_list_every_import_id() {
    let doc = std::fs::read_to_string(support::repo().join("docs/import.md")).unwrap();
    for (name, t) in ecsform::aws::named_resource_types() {
        if !t.importable() {
            continue;
        }
        let row = format!(
            "| `{name}` | {} |",
            t.import_id_format().replace('|', "\\|")
        );
        assert!(doc.contains(&row), "docs/import.md lacks the row\n{row}");
    }
}
