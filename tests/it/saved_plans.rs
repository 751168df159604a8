//! Saved plans (`plan -out`, `apply FILE`), `-target` and `-replace`.
//!
//! Most tests use `null_resource` (no AWS calls), so they exercise the engine and the plan
//! file without an emulator; one applies a saved plan of real AWS objects against moto.

use crate::support;

use std::path::{Path, PathBuf};

use ecsform::state::StateStore;
use support::Output;

const SECRET: &str = "hunter2-planted-secret";

const MAIN_TF: &str = r#"
variable "n" {
  type    = number
  default = 2
}

variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2-planted-secret"
}

resource "null_resource" "a" {
  count = var.n
  triggers = {
    index    = count.index
    password = var.password
  }
}

resource "null_resource" "b" {
  triggers = {
    first = null_resource.a[0].id
  }
}

module "m" {
  source = "./modules/m"
  name   = "x"
}

output "ids" {
  value = null_resource.a[*].id
}

output "password" {
  value     = var.password
  sensitive = true
}
"#;

const MODULE_TF: &str = r#"
variable "name" {
  type = string
}

resource "null_resource" "this" {
  triggers = {
    name = var.name
  }
}
"#;

struct Work {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Work {
    fn new() -> Work {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir_all(root.join("modules/m")).unwrap();
        std::fs::write(root.join("main.tf"), MAIN_TF).unwrap();
        std::fs::write(root.join("modules/m/main.tf"), MODULE_TF).unwrap();
        std::fs::write(root.join("vars.tfvars"), "n = 2\n").unwrap();
        Work { _tmp: tmp, root }
    }

    fn run(&self, command: &str, extra: &[&str]) -> Output {
        let out = support::run_in(&self.root, command, extra);
        eprintln!(
            "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
            out.code, out.stdout, out.stderr
        );
        out
    }

    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }

    /// (serial, addresses) of the state, or None when there is no state file.
    fn state(&self) -> Option<(i64, Vec<String>)> {
        let store = StateStore::open_existing(&self.path("state/ecsform.sqlite")).unwrap()?;
        let addrs = store
            .resources()
            .unwrap()
            .into_iter()
            .map(|r| r.address)
            .collect();
        Some((store.serial(), addrs))
    }

    fn edit(&self, file: &str, f: impl FnOnce(String) -> String) {
        let p = self.path(file);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, f(text)).unwrap();
    }
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET),
        "{what} holds the sensitive value in clear text"
    );
}

#[test]
fn a_saved_plan_applies_exactly_and_holds_no_secret() {
    let w = Work::new();
    let plan = w.run("plan", &["-out=tf.plan", "-var-file=vars.tfvars"]);
    assert_eq!(plan.code, 0);
    assert!(plan
        .stdout
        .contains("Plan: 4 to add, 0 to change, 0 to destroy."));
    assert!(plan.stdout.contains("Saved the plan to: tf.plan"));
    assert!(plan.stdout.contains("ecsform apply \"tf.plan\""));
    let file = std::fs::read_to_string(w.path("tf.plan")).unwrap();
    assert_no_secret("the plan file", &file);
    assert!(
        file.contains("\"$sensitive\""),
        "sensitive values are marked"
    );
    assert!(w.state().is_none(), "plan writes no state");

    // `show` renders the saved plan again, as plan printed it, in every format.
    let shown = w.run("show", &["tf.plan"]);
    assert_eq!(shown.code, 0);
    assert!(
        plan.stdout.starts_with(&shown.stdout) && shown.stdout.contains("Plan: 4 to add"),
        "show prints the plan as plan did:\n{}",
        shown.stdout
    );
    let json = w.run("show", &["-json", "tf.plan"]);
    assert_eq!(json.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["resource_changes"].as_array().unwrap().len(), 4);
    let markdown = w.run("show", &["-markdown", "tf.plan"]);
    assert_eq!(markdown.code, 0);
    assert!(markdown.stdout.contains("<details>"));
    for out in [&shown, &json, &markdown] {
        assert_no_secret("show output", &out.stdout);
    }

    let apply = w.run("apply", &["tf.plan"]);
    assert_eq!(apply.code, 0);
    assert!(
        !apply.stdout.contains("Do you want to perform"),
        "a saved plan is applied without asking"
    );
    assert!(apply
        .stdout
        .contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."));
    assert_no_secret("apply output", &(apply.stdout.clone() + &apply.stderr));
    let (_, addrs) = w.state().unwrap();
    assert_eq!(
        addrs.len(),
        4,
        "every planned object is in state: {addrs:?}"
    );
    // The sensitive trigger reached the object although the plan file did not hold it: the
    // next plan sees no difference.
    let again = w.run("plan", &["-detailed-exitcode", "-var-file=vars.tfvars"]);
    assert_eq!(again.code, 0, "no changes after applying the saved plan");
    assert!(again.stdout.contains("No changes."));
}

#[test]
fn a_stale_plan_is_refused_when_the_state_changed() {
    let w = Work::new();
    assert_eq!(w.run("apply", &["-auto-approve"]).code, 0);
    let planned_at = w.state().unwrap().0;
    assert_eq!(w.run("plan", &["-out=p", "-var=n=3"]).code, 0);
    // Someone else applies first.
    assert_eq!(w.run("apply", &["-auto-approve", "-var=n=1"]).code, 0);
    let before = w.state().unwrap();
    let out = w.run("apply", &["-var=n=3", "p"]);
    assert_eq!(out.code, 1);
    let expected = format!("state changed: serial {planned_at} → {}", before.0);
    assert!(
        out.stderr.contains("Saved plan is stale") && out.stderr.contains(&expected),
        "names the serials ({expected}): {}",
        out.stderr
    );
    assert!(out.stderr.contains("Nothing was changed."));
    assert_eq!(w.state().unwrap(), before, "the state is untouched");
}

#[test]
fn a_stale_plan_is_refused_when_a_configuration_file_changed() {
    let w = Work::new();
    assert_eq!(w.run("plan", &["-out=p"]).code, 0);
    w.edit("modules/m/main.tf", |t| {
        t.replace("name = var.name", "name = \"${var.name}-2\"")
    });
    let out = w.run("apply", &["p"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("modules/m/main.tf changed"),
        "{}",
        out.stderr
    );
    assert!(w.state().is_none(), "nothing was created");

    // A new file in the root module counts too.
    let w = Work::new();
    assert_eq!(w.run("plan", &["-out=p"]).code, 0);
    std::fs::write(
        w.path("extra.tf"),
        "resource \"null_resource\" \"extra\" {}\n",
    )
    .unwrap();
    let out = w.run("apply", &["p"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("extra.tf is new"), "{}", out.stderr);
}

#[test]
fn a_stale_plan_is_refused_when_a_variable_value_changed() {
    let w = Work::new();
    assert_eq!(w.run("plan", &["-out=p", "-var-file=vars.tfvars"]).code, 0);
    w.edit("vars.tfvars", |_| "n = 3\n".into());
    let out = w.run("apply", &["p"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("vars.tfvars changed"), "{}", out.stderr);
    assert!(
        out.stderr.contains("variable \"n\" changed"),
        "{}",
        out.stderr
    );
    assert!(w.state().is_none());
}

#[test]
fn sensitive_var_flags_are_not_stored_and_must_be_given_again() {
    let w = Work::new();
    let other = "another-planted-secret";
    let pw = format!("-var=password={other}");
    assert_eq!(w.run("plan", &["-out=p", &pw]).code, 0);
    let file = std::fs::read_to_string(w.path("p")).unwrap();
    assert!(!file.contains(other), "the -var value is not stored");
    assert!(file.contains("\"sensitive_var\": \"password\""));

    let out = w.run("apply", &["p"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("variable \"password\" changed: it is sensitive"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(other));
    let wrong = w.run("apply", &["-var=password=wrong", "p"]);
    assert_eq!(wrong.code, 1);
    assert!(w.state().is_none());
    let out = w.run("apply", &[&pw, "p"]);
    assert_eq!(out.code, 0, "the same value again applies the plan");
    assert_eq!(
        w.run("plan", &["-detailed-exitcode", &pw]).code,
        0,
        "the applied objects got the sensitive value"
    );
}

#[test]
fn a_saved_destroy_plan_destroys() {
    let w = Work::new();
    assert_eq!(w.run("apply", &["-auto-approve"]).code, 0);
    assert_eq!(w.run("plan", &["-destroy", "-out=d"]).code, 0);
    let out = w.run("apply", &["d"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("Destroy complete! Resources: 4 destroyed."),
        "{}",
        out.stdout
    );
    assert!(w.state().unwrap().1.is_empty());
}

#[test]
fn bad_plan_files_and_flags_are_refused() {
    let w = Work::new();
    std::fs::write(w.path("junk"), "not json").unwrap();
    let out = w.run("apply", &["junk"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("is not an ecsform plan file"),
        "{}",
        out.stderr
    );
    std::fs::write(w.path("other.json"), "{\"format_version\": \"1.2\"}").unwrap();
    let out = w.run("apply", &["other.json"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("plan -out=FILE"), "{}", out.stderr);
    let out = w.run("apply", &["missing.plan"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("could not read"), "{}", out.stderr);

    assert_eq!(w.run("plan", &["-out=p"]).code, 0);
    let text = std::fs::read_to_string(w.path("p")).unwrap();
    std::fs::write(
        w.path("newer"),
        text.replace("\"format_version\": 1", "\"format_version\": 99"),
    )
    .unwrap();
    let out = w.run("apply", &["newer"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("newer ecsform"), "{}", out.stderr);
    let out = w.run("apply", &["-target=null_resource.b", "p"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("-target cannot be used with a saved plan"),
        "{}",
        out.stderr
    );
    assert!(w.state().is_none(), "nothing was applied");
}

/// Addresses of the changes a plan prints (`# ADDR will be ...`).
fn planned(out: &Output) -> Vec<String> {
    out.stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# "))
        .filter(|l| l.contains(" will be ") || l.contains(" must be "))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect()
}

#[test]
fn target_plans_the_selected_instances_and_their_dependencies() {
    let w = Work::new();
    // b refers to null_resource.a[0] (a known key): it depends on that instance only.
    let out = w.run("plan", &["-target=null_resource.b"]);
    assert_eq!(out.code, 0);
    assert_eq!(planned(&out), ["null_resource.a[0]", "null_resource.b"]);
    assert!(out.stderr.contains("Resource targeting is in effect"));
    let out = w.run("plan", &["-target=module.m"]);
    assert_eq!(planned(&out), ["module.m.null_resource.this"]);
    let out = w.run("plan", &["-target=null_resource.a"]);
    assert_eq!(planned(&out), ["null_resource.a[0]", "null_resource.a[1]"]);

    let out = w.run("apply", &["-auto-approve", "-target=null_resource.a[1]"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Resources: 1 added"), "{}", out.stdout);
    assert_eq!(w.state().unwrap().1, ["null_resource.a[1]"]);

    let out = w.run("plan", &["-target=null_resource.nope"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("selects no resource instance"),
        "{}",
        out.stderr
    );
    let out = w.run("plan", &["-target=not an address"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("is not a valid address"),
        "{}",
        out.stderr
    );

    // A targeted destroy takes what depends on the target with it.
    assert_eq!(w.run("apply", &["-auto-approve"]).code, 0);
    let out = w.run("destroy", &["-auto-approve", "-target=null_resource.a[0]"]);
    assert_eq!(out.code, 0);
    let (_, left) = w.state().unwrap();
    assert!(!left.contains(&"null_resource.a[0]".to_string()));
    assert!(
        !left.contains(&"null_resource.b".to_string()),
        "b depends on a[0]"
    );
    assert!(left.contains(&"null_resource.a[1]".to_string()));
    assert!(left.contains(&"module.m.null_resource.this".to_string()));
}

#[test]
fn replace_forces_a_replacement() {
    let w = Work::new();
    assert_eq!(w.run("apply", &["-auto-approve"]).code, 0);
    let out = w.run("plan", &["-replace=module.m.null_resource.this"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("# module.m.null_resource.this will be replaced, as requested"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("Plan: 1 to add, 0 to change, 1 to destroy."));
    let id_before = |w: &Work| {
        let store = StateStore::open_existing(&w.path("state/ecsform.sqlite"))
            .unwrap()
            .unwrap();
        store
            .resource("module.m.null_resource.this")
            .unwrap()
            .unwrap()
            .id
    };
    let old = id_before(&w);
    let out = w.run(
        "apply",
        &["-auto-approve", "-replace=module.m.null_resource.this"],
    );
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("1 added, 0 changed, 1 destroyed"));
    assert_ne!(id_before(&w), old, "a new object");
    let out = w.run("plan", &["-replace=null_resource.zzz"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no such resource instance"),
        "{}",
        out.stderr
    );
    let out = w.run("plan", &["-replace=module.m"]);
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("not a managed resource instance address"));
}

/// Against moto: a saved plan of real AWS objects applies, and the objects exist.
#[test]
fn a_saved_plan_of_aws_objects_applies_against_moto() {
    let _guard = support::moto::exclusive();
    let moto = support::moto::moto();
    let env = moto.env();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("main.tf"),
        r#"
provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.42.0.0/16"
  tags = {
    Name = "saved-plan"
  }
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.42.1.0/24"
}
"#,
    )
    .unwrap();
    let run = |command: &str, extra: &[&str]| {
        let out = support::run_in_env(root, command, extra, &env);
        eprintln!(
            "--- {command} {extra:?} -> {}\n{}\n{}",
            out.code, out.stdout, out.stderr
        );
        out
    };
    assert_eq!(run("plan", &["-out=vpc.plan"]).code, 0);
    let out = run("apply", &["vpc.plan"]);
    assert_eq!(out.code, 0);
    let store = StateStore::open_existing(&root.join("state/ecsform.sqlite"))
        .unwrap()
        .unwrap();
    let vpc_id = store.resource("aws_vpc.main").unwrap().unwrap().id.unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let found = rt.block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config().await);
        ec2.describe_vpcs()
            .vpc_ids(&vpc_id)
            .send()
            .await
            .unwrap()
            .vpcs()
            .len()
    });
    assert_eq!(found, 1, "the VPC exists in AWS");
    assert_eq!(run("plan", &["-detailed-exitcode"]).code, 0);
    // The applied plan cannot be applied twice.
    let out = run("apply", &["vpc.plan"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("state changed"));
    assert_eq!(run("destroy", &["-auto-approve"]).code, 0);
    let _ = Path::new(root);
}

/// `plantimestamp()` is the plan's time: applying the saved plan a moment later evaluates it
/// to the same value (a different one would be refused as a configuration that changed).
#[test]
fn plantimestamp_is_the_saved_plans_time() {
    let w = Work::new();
    std::fs::write(
        w.path("main.tf"),
        r#"
resource "null_resource" "t" {
  triggers = {
    at = plantimestamp()
  }
}

output "at" {
  value = null_resource.t.triggers.at
}
"#,
    )
    .unwrap();
    assert_eq!(w.run("plan", &["-out=p"]).code, 0);
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("p")).unwrap()).unwrap();
    let created = file["created_at"].as_str().unwrap().to_string();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let apply = w.run("apply", &["p"]);
    assert_eq!(apply.code, 0);
    assert!(
        apply.stdout.contains(&format!("at = \"{created}\"")),
        "the output is the plan's time {created}: {}",
        apply.stdout
    );
}

/// `uuid()` and `timestamp()` are unknown until apply, as in Terraform: a plan cannot promise
/// the value apply will get (a known planned value would be refused at apply as changed).
#[test]
fn impure_functions_are_known_after_apply() {
    let w = Work::new();
    std::fs::write(
        w.path("main.tf"),
        r#"
resource "null_resource" "t" {
  triggers = {
    u = uuid()
    t = timestamp()
  }
}

output "u" {
  value = null_resource.t.triggers.u
}
"#,
    )
    .unwrap();
    let plan = w.run("plan", &["-out=p"]);
    assert_eq!(plan.code, 0);
    assert!(
        plan.stdout.contains("\"u\" = (known after apply)")
            && plan.stdout.contains("\"t\" = (known after apply)"),
        "{}",
        plan.stdout
    );
    let apply = w.run("apply", &["p"]);
    assert_eq!(apply.code, 0);
    let line = apply
        .stdout
        .lines()
        .find(|l| l.starts_with("u = "))
        .unwrap_or_else(|| panic!("no output u: {}", apply.stdout));
    assert_eq!(line.len(), "u = \"\"".len() + 36, "{line}");
    // Without a saved plan too.
    assert_eq!(w.run("apply", &["-auto-approve"]).code, 0);
}
