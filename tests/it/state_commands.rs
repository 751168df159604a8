//! The everyday state commands as users meet them: `state list`, `state show`, `state rm`,
//! `state mv`, `state history`, `output` and `show`, on a state built by a real `apply` of
//! `null_resource`s (no AWS calls) with outputs (one sensitive) and modules with `for_each`;
//! the rename-in-config + `state mv` refactoring giving a plan with no changes; and one apply
//! against moto whose VPC `state show` must show with its real ID.
//!
//! Every test takes `serial()`: the moto test sets process environment variables, which must
//! not happen while another test's CLI run reads them.

use crate::support;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use ecsform::state::StateStore;

/// Planted in a sensitive output; only `output password` may ever print it.
const SECRET: &str = "s3cr3t-planted-4f9a";

const ROOT: &str = r#"
provider "aws" {
  region = "eu-west-1"
}

variable "secret" {
  type      = string
  default   = "s3cr3t-planted-4f9a"
  sensitive = true
}

resource "null_resource" "single" {
  triggers = { name = "single" }
}

resource "null_resource" "counted" {
  count    = 3
  triggers = { index = count.index }
}

module "app" {
  source   = "./modules/sub"
  for_each = toset(["blue", "green"])
  name     = each.key
}

module "one" {
  source = "./modules/sub"
  name   = "one"
}

output "name" {
  value = "web"
}

output "ids" {
  value = null_resource.counted[*].id
}

output "password" {
  value     = var.secret
  sensitive = true
}

output "replicas" {
  value = 3
}
"#;

const MODULE: &str = r#"
variable "name" {
  type = string
}

resource "null_resource" "this" {
  triggers = { name = var.name }
}

resource "null_resource" "keyed" {
  for_each   = toset(["a", "b"])
  triggers   = { name = var.name, key = each.key }
  depends_on = [null_resource.this]
}
"#;

/// Every instance the configuration creates, in Terraform's order.
const ALL: &[&str] = &[
    "null_resource.counted[0]",
    "null_resource.counted[1]",
    "null_resource.counted[2]",
    "null_resource.single",
    "module.app[\"blue\"].null_resource.keyed[\"a\"]",
    "module.app[\"blue\"].null_resource.keyed[\"b\"]",
    "module.app[\"blue\"].null_resource.this",
    "module.app[\"green\"].null_resource.keyed[\"a\"]",
    "module.app[\"green\"].null_resource.keyed[\"b\"]",
    "module.app[\"green\"].null_resource.this",
    "module.one.null_resource.keyed[\"a\"]",
    "module.one.null_resource.keyed[\"b\"]",
    "module.one.null_resource.this",
];

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn write_config(dir: &Path, root: &str) {
    std::fs::create_dir_all(dir.join("modules/sub")).unwrap();
    std::fs::write(dir.join("main.tf"), root).unwrap();
    std::fs::write(dir.join("modules/sub/main.tf"), MODULE).unwrap();
}

/// A working directory with the configuration applied into `s.db`.
fn applied() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), ROOT);
    let out = ecs(dir.path(), &["apply", "-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Resources: 13 added"), "{}", out.stdout);
    dir
}

/// `ecsform -chdir=DIR COMMAND -no-color -state=s.db ARGS...`; `args[0]` is the command.
fn ecs(dir: &Path, args: &[&str]) -> support::Output {
    ecs_env(&[], dir, args)
}

/// [`ecs`] with `env` on top of the process's environment.
fn ecs_env(env: &[(String, String)], dir: &Path, args: &[&str]) -> support::Output {
    let mut extra: Vec<&str> = vec!["-state=s.db"];
    extra.extend(&args[1..]);
    support::run_in_env(dir, args[0], &extra, env)
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

fn list(dir: &Path) -> Vec<String> {
    let out = ecs(dir, &["state", "list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.lines().map(String::from).collect()
}

fn store(dir: &Path) -> StateStore {
    StateStore::open_existing(&dir.join("s.db"))
        .unwrap()
        .unwrap()
}

#[test]
fn list_filters_by_module_resource_and_instance() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();
    assert_eq!(list(d), ALL);

    let out = ecs(d, &["state", "list", "module.app"]);
    assert_eq!(out.code, 0);
    assert_eq!(lines(&out.stdout), ALL[4..10]);
    let out = ecs(d, &["state", "list", "module.app[\"green\"]"]);
    assert_eq!(lines(&out.stdout), ALL[7..10]);
    let out = ecs(d, &["state", "list", "null_resource.counted"]);
    assert_eq!(lines(&out.stdout), ALL[..3]);
    let out = ecs(
        d,
        &[
            "state",
            "list",
            "module.one.null_resource.keyed[\"b\"]",
            "null_resource.single",
        ],
    );
    assert_eq!(
        lines(&out.stdout),
        [
            "null_resource.single",
            "module.one.null_resource.keyed[\"b\"]"
        ]
    );
    // A resource name is not a prefix of another, nor a root resource one in a module.
    let out = ecs(d, &["state", "list", "null_resource.this"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("No matching objects found"),
        "{}",
        out.stderr
    );

    let out = ecs(d, &["state", "list", "module.ap"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert!(
        out.stderr.contains("Did you mean \"module.app\"?"),
        "{}",
        out.stderr
    );

    let out = ecs(d, &["state", "list", "-json", "module.one"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(json[0]["address"], "module.one.null_resource.keyed[\"a\"]");
    assert_eq!(json[0]["module"], "module.one");
    assert_eq!(json[0]["type"], "null_resource");
    assert_eq!(json[0]["name"], "keyed");
    assert_eq!(json[0]["index"], "a");
    assert_eq!(json[0]["status"], "ready");
    assert!(json[0]["id"].as_str().is_some_and(|id| !id.is_empty()));

    let out = ecs(d, &["state", "list", "aws_vpc"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("is not a valid address"),
        "{}",
        out.stderr
    );

    let out = ecs(d, &["state", "list", "-state=missing.db"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("No state file was found!"),
        "{}",
        out.stderr
    );
    assert!(!d.join("missing.db").exists());

    let out = ecs(d, &["state", "frobnicate"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("unknown subcommand"), "{}", out.stderr);
}

#[test]
fn tainted_and_creating_instances_are_flagged() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();
    let mut st = store(d);
    let mut tainted = st.resource("null_resource.single").unwrap().unwrap();
    tainted.status = ecsform::state::ResourceStatus::Tainted;
    st.put_resource(&tainted, "update", None).unwrap();
    let mut creating = st.resource("null_resource.counted[1]").unwrap().unwrap();
    creating.status = ecsform::state::ResourceStatus::Creating;
    creating.id = None;
    st.put_resource(&creating, "update", None).unwrap();

    let listed = list(d);
    assert_eq!(listed[1], "null_resource.counted[1] (creating)");
    assert_eq!(listed[3], "null_resource.single (tainted)");
    let out = ecs(d, &["state", "show", "null_resource.single"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .starts_with("# null_resource.single: (tainted)\n"),
        "{}",
        out.stdout
    );
    let out = ecs(d, &["state", "list", "-json", "null_resource.counted[1]"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json[0]["status"], "creating");
    assert_eq!(json[0]["id"], serde_json::Value::Null);
}

#[test]
fn state_show_prints_one_instance_or_explains() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();
    let id = store(d)
        .resource("module.app[\"blue\"].null_resource.keyed[\"a\"]")
        .unwrap()
        .unwrap()
        .id
        .unwrap();

    let out = ecs(
        d,
        &[
            "state",
            "show",
            "module.app[\"blue\"].null_resource.keyed[\"a\"]",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "# module.app[\"blue\"].null_resource.keyed[\"a\"]:\n\
             resource \"null_resource\" \"keyed\" {{\n    \
                 id       = \"{id}\"\n    \
                 triggers = {{\n        \
                     \"key\"  = \"a\"\n        \
                     \"name\" = \"blue\"\n    \
                 }}\n\
             }}\n"
        )
    );

    let out = ecs(
        d,
        &[
            "state",
            "show",
            "-json",
            "module.app[\"blue\"].null_resource.keyed[\"a\"]",
        ],
    );
    assert_eq!(out.code, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["values"]["id"], id.as_str());
    assert_eq!(json["values"]["triggers"]["name"], "blue");
    assert_eq!(json["index"], "a");
    assert_eq!(json["module_address"], "module.app[\"blue\"]");
    assert_eq!(
        json["depends_on"],
        serde_json::json!(["module.app[\"blue\"].null_resource.this"])
    );

    let out = ecs(d, &["state", "show", "null_resource.counted"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert!(
        out.stderr
            .contains("null_resource.counted has 3 instance(s)"),
        "{}",
        out.stderr
    );
    let out = ecs(d, &["state", "show", "null_resource.singel"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("Did you mean \"null_resource.single\"?"),
        "{}",
        out.stderr
    );
    let out = ecs(d, &["state", "show", "module.one"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is a module"), "{}", out.stderr);
    let out = ecs(d, &["state", "show"]);
    assert_eq!(out.code, 1);
}

#[test]
fn the_secret_appears_only_when_its_output_is_asked_for_by_name() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();
    let mut runs: Vec<Vec<String>> = vec![
        vec!["state".into(), "list".into()],
        vec!["state".into(), "list".into(), "-json".into()],
        vec!["state".into(), "history".into()],
        vec!["state".into(), "history".into(), "-json".into()],
        vec!["output".into()],
        vec!["output".into(), "-json".into()],
        vec!["show".into()],
        vec!["show".into(), "-json".into()],
    ];
    for a in ALL {
        runs.push(vec!["state".into(), "show".into(), a.to_string()]);
        runs.push(vec![
            "state".into(),
            "show".into(),
            "-json".into(),
            a.to_string(),
        ]);
    }
    for run in &runs {
        let args: Vec<&str> = run.iter().map(String::as_str).collect();
        let out = ecs(d, &args);
        assert_eq!(out.code, 0, "{run:?}: {}", out.stderr);
        assert!(
            !out.stdout.contains(SECRET) && !out.stderr.contains(SECRET),
            "{run:?} printed the secret:\n{}{}",
            out.stdout,
            out.stderr
        );
    }

    let out = ecs(d, &["output", "password"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "\"s3cr3t-planted-4f9a\"\n")
    );
    let out = ecs(d, &["output", "-raw", "password"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, SECRET));
    let out = ecs(d, &["output", "-json", "password"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "\"s3cr3t-planted-4f9a\"\n")
    );
}

#[test]
fn output_prints_all_one_json_and_raw() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();
    let ids: Vec<String> = (0..3)
        .map(|i| {
            store(d)
                .resource(&format!("null_resource.counted[{i}]"))
                .unwrap()
                .unwrap()
                .id
                .unwrap()
        })
        .collect();

    let out = ecs(d, &["output"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "ids = [\n  \"{}\",\n  \"{}\",\n  \"{}\",\n]\nname = \"web\"\npassword = <sensitive>\nreplicas = 3\n",
            ids[0], ids[1], ids[2]
        )
    );
    let out = ecs(d, &["output", "name"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "\"web\"\n"));
    let out = ecs(d, &["output", "-raw", "name"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "web"));
    let out = ecs(d, &["output", "-raw", "replicas"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "3"));
    let out = ecs(d, &["output", "-json", "ids"]);
    assert_eq!(out.code, 0);
    let parsed: Vec<String> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(parsed, ids);

    let out = ecs(d, &["output", "-json"]);
    assert_eq!(out.code, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["name"],
        serde_json::json!({"sensitive": false, "type": "string", "value": "web"})
    );
    assert_eq!(
        json["password"],
        serde_json::json!({"sensitive": true, "type": "string"})
    );
    assert_eq!(json["replicas"]["value"], 3);
    assert_eq!(json["ids"]["type"][0], "tuple");

    let out = ecs(d, &["output", "-raw", "ids"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert!(
        out.stderr.contains("Unsupported value for raw output"),
        "{}",
        out.stderr
    );
    let out = ecs(d, &["output", "-raw"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("output -raw NAME"), "{}", out.stderr);
    let out = ecs(d, &["output", "-raw", "-json", "name"]);
    assert_eq!(out.code, 1);
    let out = ecs(d, &["output", "nmae"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert!(
        out.stderr.contains("Output \"nmae\" not found"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Did you mean \"name\"?"),
        "{}",
        out.stderr
    );

    // No state at all: a warning and nothing to show, as in Terraform.
    let out = ecs(d, &["output", "-state=none.db"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert!(out.stderr.contains("No outputs found"), "{}", out.stderr);
    let out = ecs(d, &["output", "-json", "-state=none.db"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "{}\n"));
    let out = ecs(d, &["output", "name", "-state=none.db"]);
    assert_eq!(out.code, 1);
    assert!(!d.join("none.db").exists());
}

#[test]
fn rm_forgets_instances_resources_and_modules() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();

    // Nothing matching one of the addresses: an error, and nothing removed.
    let out = ecs(d, &["state", "rm", "null_resource.single", "module.nope"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("No matching objects found"),
        "{}",
        out.stderr
    );
    assert_eq!(list(d), ALL);

    // The lock is respected.
    let held = store(d).lock("apply", Duration::ZERO).unwrap();
    let out = ecs(d, &["state", "rm", "null_resource.single"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Error acquiring the state lock"),
        "{}",
        out.stderr
    );
    assert_eq!(list(d), ALL);
    drop(held);

    let serial_before = store(d).serial();
    let out = ecs(
        d,
        &[
            "state",
            "rm",
            "module.app[\"green\"]",
            "null_resource.counted[1]",
            "null_resource.counted",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "Removed null_resource.counted[0]\n\
         Removed null_resource.counted[1]\n\
         Removed null_resource.counted[2]\n\
         Removed module.app[\"green\"].null_resource.keyed[\"a\"]\n\
         Removed module.app[\"green\"].null_resource.keyed[\"b\"]\n\
         Removed module.app[\"green\"].null_resource.this\n\
         Successfully removed 6 resource instance(s).\n"
    );
    let remaining: Vec<&str> = ALL
        .iter()
        .copied()
        .filter(|a| !a.starts_with("null_resource.counted") && !a.contains("green"))
        .collect();
    assert_eq!(list(d), remaining);
    let st = store(d);
    assert_eq!(st.serial(), serial_before + 1, "one write for the whole rm");
    assert!(st.lock_holder().unwrap().is_none(), "the lock is released");

    let out = ecs(d, &["state", "history"]);
    assert_eq!(out.code, 0);
    let rows: Vec<&str> = out.stdout.lines().collect();
    assert!(rows[0].starts_with("SERIAL"), "{}", out.stdout);
    assert!(
        rows[1].contains("forget")
            && rows[1].contains("module.app[\"green\"].null_resource.this")
            && rows[1].contains("removed from the state by state rm"),
        "{}",
        out.stdout
    );
    assert_eq!(
        rows.iter().filter(|r| r.contains(" forget ")).count(),
        6,
        "{}",
        out.stdout
    );
    assert!(rows.last().unwrap().contains(" create "), "{}", out.stdout);

    let out = ecs(d, &["state", "rm"]);
    assert_eq!(out.code, 1);
    let out = ecs(d, &["state", "rm", "-json", "null_resource.single"]);
    assert_eq!(out.code, 1);
    assert!(list(d).contains(&"null_resource.single".to_string()));
}

#[test]
fn mv_moves_instances_resources_and_modules() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();
    let id_of = |addr: &str| store(d).resource(addr).unwrap().unwrap().id.unwrap();
    let single = id_of("null_resource.single");
    let counted2 = id_of("null_resource.counted[2]");
    let green_this = id_of("module.app[\"green\"].null_resource.this");

    // Instance to instance.
    let out = ecs(
        d,
        &[
            "state",
            "mv",
            "null_resource.single",
            "null_resource.named[\"x\"]",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "Move \"null_resource.single\" to \"null_resource.named[\"x\"]\"\nSuccessfully moved 1 object(s).\n"
    );
    assert_eq!(id_of("null_resource.named[\"x\"]"), single);

    // Resource to resource: every instance keeps its key.
    let out = ecs(
        d,
        &["state", "mv", "null_resource.counted", "null_resource.many"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("Successfully moved 3 object(s).\n"));
    assert_eq!(id_of("null_resource.many[2]"), counted2);

    // Module to module, each for_each instance keeping its key; dependencies follow.
    let out = ecs(d, &["state", "mv", "module.app", "module.web"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("Successfully moved 6 object(s).\n"));
    assert_eq!(
        id_of("module.web[\"green\"].null_resource.this"),
        green_this
    );
    let keyed = store(d)
        .resource("module.web[\"green\"].null_resource.keyed[\"b\"]")
        .unwrap()
        .unwrap();
    assert_eq!(
        keyed.dependencies,
        ["module.web[\"green\"].null_resource.this"]
    );
    assert_eq!(keyed.module_path, "module.web[\"green\"]");

    // A single module to a keyed one.
    let out = ecs(d, &["state", "mv", "module.one", "module.many[\"one\"]"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let moved = store(d)
        .resource("module.many[\"one\"].null_resource.keyed[\"a\"]")
        .unwrap()
        .unwrap();
    assert_eq!(moved.index_key, serde_json::json!("a"));

    let listed = list(d);
    assert_eq!(
        listed,
        [
            "null_resource.many[0]",
            "null_resource.many[1]",
            "null_resource.many[2]",
            "null_resource.named[\"x\"]",
            "module.many[\"one\"].null_resource.keyed[\"a\"]",
            "module.many[\"one\"].null_resource.keyed[\"b\"]",
            "module.many[\"one\"].null_resource.this",
            "module.web[\"blue\"].null_resource.keyed[\"a\"]",
            "module.web[\"blue\"].null_resource.keyed[\"b\"]",
            "module.web[\"blue\"].null_resource.this",
            "module.web[\"green\"].null_resource.keyed[\"a\"]",
            "module.web[\"green\"].null_resource.keyed[\"b\"]",
            "module.web[\"green\"].null_resource.this",
        ]
    );

    // Refused moves change nothing.
    let serial = store(d).serial();
    for (src, dst, why) in [
        (
            "null_resource.many[0]",
            "null_resource.named[\"x\"]",
            "already in the state",
        ),
        (
            "null_resource.many",
            "null_resource.named",
            "already in the state",
        ),
        (
            "module.web[\"blue\"]",
            "module.many[\"one\"]",
            "already in the state",
        ),
        (
            "null_resource.many",
            "null_resource.one[0]",
            "has 3 instances",
        ),
        (
            "null_resource.many[0]",
            "aws_vpc.main",
            "resource types don't match",
        ),
        (
            "module.web",
            "null_resource.x",
            "a module moves to a module address",
        ),
        (
            "null_resource.gone",
            "null_resource.x",
            "No matching objects found",
        ),
    ] {
        let out = ecs(d, &["state", "mv", src, dst]);
        assert_eq!(out.code, 1, "{src} -> {dst}");
        assert!(out.stderr.contains(why), "{src} -> {dst}: {}", out.stderr);
        assert_eq!(out.stdout, "");
        assert_eq!(list(d), listed, "{src} -> {dst} changed the state");
    }
    assert_eq!(store(d).serial(), serial);

    let out = ecs(d, &["state", "history", "-json"]);
    assert_eq!(out.code, 0);
    let history: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let newest = &history[0];
    assert_eq!(newest["action"], "move");
    assert_eq!(newest["address"], "module.many[\"one\"].null_resource.this");
    assert_eq!(newest["moved_from"], "module.one.null_resource.this");
    assert_eq!(newest["serial"], serial);
    let moves = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "move")
        .count();
    assert_eq!(moves, 1 + 3 + 6 + 3);
    let serials: Vec<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["serial"].as_i64().unwrap())
        .collect();
    assert!(serials.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let out = ecs(d, &["state", "mv", "null_resource.many[0]"]);
    assert_eq!(out.code, 1);
}

#[test]
fn renaming_in_config_and_moving_in_state_plans_no_changes() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();
    let renamed = ROOT
        .replace("\"counted\"", "\"workers\"")
        .replace("null_resource.counted[*]", "null_resource.workers[*]")
        .replace("module \"app\"", "module \"service\"");
    write_config(d, &renamed);

    let out = ecs(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Plan: 9 to add, 0 to change, 9 to destroy."),
        "{}",
        out.stdout
    );

    let out = ecs(
        d,
        &[
            "state",
            "mv",
            "null_resource.counted",
            "null_resource.workers",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = ecs(d, &["state", "mv", "module.app", "module.service"]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let out = ecs(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);
}

#[test]
fn show_prints_the_whole_state() {
    let _g = serial();
    let dir = applied();
    let d = dir.path();

    let out = ecs(d, &["show"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let blocks = out.stdout.matches("\nresource \"null_resource\" ").count();
    assert_eq!(blocks, ALL.len());
    assert!(out.stdout.starts_with("# null_resource.counted[0]:\n"));
    let positions: Vec<usize> = ALL
        .iter()
        .map(|a| out.stdout.find(&format!("# {a}:\n")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "in state order");
    let outputs = &out.stdout[out.stdout.find("\nOutputs:\n\n").unwrap()..];
    assert!(outputs.contains("name = \"web\"\n"), "{outputs}");
    assert!(
        outputs.contains("password = (sensitive value)\n"),
        "{outputs}"
    );
    assert!(outputs.contains("replicas = 3\n"), "{outputs}");

    let out = ecs(d, &["show", "-json"]);
    assert_eq!(out.code, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["format_version"], "1.0");
    let values = &json["values"];
    assert_eq!(
        values["outputs"]["password"],
        serde_json::json!({"sensitive": true, "type": "string"})
    );
    assert_eq!(values["outputs"]["name"]["value"], "web");
    let root = &values["root_module"];
    let root_addrs: Vec<&str> = root["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(root_addrs, ALL[..4]);
    let single = &root["resources"][3];
    assert_eq!(single["type"], "null_resource");
    assert_eq!(single["name"], "single");
    assert_eq!(
        single["provider_name"],
        "registry.terraform.io/hashicorp/null"
    );
    assert_eq!(single["values"]["triggers"]["name"], "single");
    assert_eq!(single["sensitive_values"], serde_json::json!({}));
    assert_eq!(root["resources"][1]["index"], 1);
    let children: Vec<&str> = root["child_modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        [
            "module.app[\"blue\"]",
            "module.app[\"green\"]",
            "module.one"
        ]
    );
    assert_eq!(
        root["child_modules"][1]["resources"][2]["address"],
        "module.app[\"green\"].null_resource.this"
    );

    let out = ecs(d, &["show", "plan.out"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert!(out.stderr.starts_with("Error: "), "{}", out.stderr);
    let out = ecs(d, &["show", "-markdown"]);
    assert_eq!(out.code, 1);

    let out = ecs(d, &["show", "-state=none.db"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "No state.\n"));
    StateStore::open(&d.join("empty.db")).unwrap();
    let out = ecs(d, &["show", "-state=empty.db"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            0,
            "The state file is empty. No resources are represented.\n"
        )
    );
}

/// A real apply against moto: `state show` of the VPC shows the ID AWS gave it, and the access
/// key's secret stays masked.
#[test]
fn state_show_of_a_real_vpc_shows_its_aws_id() {
    let _g = serial();
    let _moto = support::moto::exclusive();
    let moto = support::moto::moto();
    let env = moto.env();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.42.0.0/16"
  tags       = { Name = "state-show" }
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.42.1.0/24"
}

resource "aws_iam_user" "ci" {
  name = "state-show-ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
"#,
    )
    .unwrap();
    let out = ecs_env(&env, d, &["apply", "-auto-approve"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let vpc_id = rt.block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config().await);
        let vpcs = ec2
            .describe_vpcs()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("tag:Name")
                    .values("state-show")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        vpcs.vpcs()[0].vpc_id().unwrap().to_string()
    });
    assert!(vpc_id.starts_with("vpc-"), "{vpc_id}");

    let out = ecs_env(&env, d, &["state", "show", "aws_vpc.main"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("# aws_vpc.main:\nresource \"aws_vpc\" \"main\" {\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("    id ") && l.ends_with(&format!(" = \"{vpc_id}\""))),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\"10.42.0.0/16\""), "{}", out.stdout);
    assert!(
        out.stdout.contains("\"Name\" = \"state-show\""),
        "{}",
        out.stdout
    );
    let out = ecs_env(&env, d, &["state", "show", "aws_subnet.a"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains(&format!("= \"{vpc_id}\"\n")),
        "{}",
        out.stdout
    );

    let secret = store(d)
        .resource("aws_iam_access_key.ci")
        .unwrap()
        .unwrap()
        .attributes["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!secret.is_empty());
    let out = ecs_env(&env, d, &["state", "show", "aws_iam_access_key.ci"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("secret               = (sensitive value)\n"),
        "{}",
        out.stdout
    );
    for args in [
        vec!["show"],
        vec!["show", "-json"],
        vec!["state", "history", "-json"],
    ] {
        let out = ecs_env(&env, d, &args);
        assert_eq!(out.code, 0);
        assert!(!out.stdout.contains(&secret), "{args:?} printed the secret");
    }
    let out = ecs_env(&env, d, &["state", "list"]);
    assert_eq!(
        lines(&out.stdout),
        [
            "aws_iam_access_key.ci",
            "aws_iam_user.ci",
            "aws_subnet.a",
            "aws_vpc.main"
        ]
    );
}
