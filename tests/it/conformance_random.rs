//! The random provider's resource types (built in, no AWS side): results generated once at
//! create and kept in state across plans, `keepers` and every argument replacing the object
//! (a new result), lengths and character classes honoured, sensitive results masked in every
//! output, and import with the provider's import IDs. Nothing here talks to AWS.

use crate::support;

use std::path::Path;

use ecsform::state::StateStore;

fn workdir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    dir
}

fn cli(dir: &Path, command: &str, extra: &[&str]) -> support::Output {
    let out = support::run_in(dir, command, extra);
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}{}",
        out.code, out.stdout, out.stderr
    );
    out
}

fn apply(dir: &Path, extra: &[&str]) -> support::Output {
    let mut args = vec!["-auto-approve"];
    args.extend(extra);
    let out = cli(dir, "apply", &args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out
}

/// Asserts that the next plan changes nothing.
fn no_changes(dir: &Path, extra: &[&str]) {
    let mut args = vec!["-detailed-exitcode"];
    args.extend(extra);
    let out = cli(dir, "plan", &args);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);
}

/// The recorded attributes of `addr` in the working directory's state.
fn attributes(dir: &Path, addr: &str) -> serde_json::Value {
    let store = StateStore::open(&dir.join("state/ecsform.sqlite")).unwrap();
    store
        .resource(addr)
        .unwrap()
        .unwrap_or_else(|| panic!("{addr} is not in the state"))
        .attributes
}

fn text(attrs: &serde_json::Value, name: &str) -> String {
    attrs[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: {attrs}"))
        .to_string()
}

/// Whether `text` has the line `want`, spaces aside (plans align their `=`).
fn has_line(text: &str, want: &str) -> bool {
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    text.lines().any(|l| squeeze(l) == want)
}

/// Imports `addr` with `id` into the state of `dir`, which must not have it yet.
fn import(dir: &Path, addr: &str, id: &str) -> support::Output {
    cli(dir, "import", &[addr, id])
}

#[test]
fn random_string_conforms() {
    let dir = workdir(
        r##"
terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

variable "v" {
  type    = string
  default = "1"
}

resource "random_string" "s" {
  length    = 24
  special   = false
  min_upper = 3
  keepers   = { v = var.v }
}

resource "random_string" "specials" {
  length           = 40
  upper            = false
  lower            = false
  numeric          = false
  override_special = "#%"
}

output "s" {
  value = random_string.s.result
}
"##,
    );
    let d = dir.path();
    let out = cli(d, "validate", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The plan shows the defaults, and the result as known after apply.
    let out = cli(d, "plan", &["-var=v=1"]);
    for line in [
        "+ result = (known after apply)",
        "+ lower = true",
        "+ numeric = true",
        "+ number = true",
    ] {
        assert!(has_line(&out.stdout, line), "{line} not in\n{}", out.stdout);
    }
    apply(d, &["-var=v=1"]);
    let s = attributes(d, "random_string.s");
    let result = text(&s, "result");
    assert_eq!(text(&s, "id"), result);
    assert_eq!(result.chars().count(), 24);
    assert!(
        result.chars().all(|c| c.is_ascii_alphanumeric()),
        "{result}"
    );
    assert!(
        result.chars().filter(char::is_ascii_uppercase).count() >= 3,
        "{result}"
    );
    let specials = text(&attributes(d, "random_string.specials"), "result");
    assert_eq!(specials.len(), 40);
    assert!(specials.chars().all(|c| c == '#' || c == '%'), "{specials}");
    let out = cli(d, "output", &["-raw", "s"]);
    assert_eq!(out.stdout, result);

    // Kept in state: plans and applies change nothing.
    no_changes(d, &["-var=v=1"]);
    apply(d, &["-var=v=1"]);
    assert_eq!(text(&attributes(d, "random_string.s"), "result"), result);

    // A keeper changes: a new string.
    let out = cli(d, "plan", &["-var=v=2"]);
    assert!(
        out.stdout.contains("random_string.s must be replaced"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("# forces replacement"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("random_string.specials"),
        "{}",
        out.stdout
    );
    apply(d, &["-var=v=2"]);
    let renewed = text(&attributes(d, "random_string.s"), "result");
    assert_ne!(renewed, result);
    assert_eq!(renewed.len(), 24);
    assert_eq!(
        text(&attributes(d, "random_string.specials"), "result"),
        specials
    );

    // Import takes the string: length is its length, the rest the defaults.
    let dir = workdir("resource \"random_string\" \"imp\" {\n  length = 7\n}\n");
    let out = import(dir.path(), "random_string.imp", "abc-123");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let imp = attributes(dir.path(), "random_string.imp");
    assert_eq!(text(&imp, "result"), "abc-123");
    assert_eq!(imp["length"], 7);
    no_changes(dir.path(), &[]);
}

#[test]
fn random_password_conforms() {
    let dir = workdir(
        r#"
variable "rotation" {
  type    = string
  default = "1"
}

resource "random_password" "db" {
  length      = 32
  min_special = 4
  keepers     = { rotation = var.rotation }
}

resource "null_resource" "uses" {
  triggers = { password = random_password.db.result }
}

output "password" {
  value     = random_password.db.result
  sensitive = true
}
"#,
    );
    let d = dir.path();
    let mut outputs = vec![apply(d, &[])];
    let db = attributes(d, "random_password.db");
    let password = text(&db, "result");
    let hash = text(&db, "bcrypt_hash");
    assert_eq!(text(&db, "id"), "none");
    assert_eq!(password.chars().count(), 32);
    let specials = password
        .chars()
        .filter(|c| "!@#$%&*()-_=+[]{}<>:?".contains(*c))
        .count();
    assert!(specials >= 4, "{password}");
    assert!(bcrypt::verify(&password, &hash).unwrap());
    no_changes(d, &[]);

    // Every view of the plan and of the state masks the password and its hash.
    for fmt in [vec![], vec!["-json"], vec!["-markdown"]] {
        let mut args = vec!["-var=rotation=2"];
        args.extend(fmt);
        let out = cli(d, "plan", &args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        outputs.push(out);
    }
    assert!(
        outputs[1].stdout.contains("(sensitive value)"),
        "{}",
        outputs[1].stdout
    );
    for (command, args) in [
        ("show", vec![]),
        ("show", vec!["-json"]),
        ("state", vec!["show", "random_password.db"]),
        ("state", vec!["show", "-json", "random_password.db"]),
        ("state", vec!["show", "null_resource.uses"]),
        ("output", vec![]),
        ("output", vec!["-json"]),
    ] {
        let out = cli(d, command, &args);
        assert_eq!(out.code, 0, "{command} {args:?}: {}", out.stderr);
        outputs.push(out);
    }
    outputs.push(apply(d, &["-var=rotation=2"]));
    for out in &outputs {
        for secret in [&password, &hash] {
            assert!(
                !out.stdout.contains(secret.as_str()) && !out.stderr.contains(secret.as_str()),
                "a secret leaked:\n{}{}",
                out.stdout,
                out.stderr
            );
        }
    }
    // The rotation made a new password, which the dependent sees.
    let rotated = text(&attributes(d, "random_password.db"), "result");
    assert_ne!(rotated, password);
    let uses = attributes(d, "null_resource.uses");
    assert_eq!(uses["triggers"]["password"], rotated.as_str());
    // `output NAME` prints a sensitive output on request, as Terraform does.
    assert_eq!(cli(d, "output", &["-raw", "password"]).stdout, rotated);

    // Import takes the password; the hash is made from it.
    let dir = workdir("resource \"random_password\" \"imp\" {\n  length = 14\n}\n");
    let out = import(dir.path(), "random_password.imp", "securepassword");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let imp = attributes(dir.path(), "random_password.imp");
    assert_eq!(text(&imp, "id"), "none");
    assert!(bcrypt::verify("securepassword", &text(&imp, "bcrypt_hash")).unwrap());
    no_changes(dir.path(), &[]);
    let out = cli(dir.path(), "state", &["show", "random_password.imp"]);
    assert!(!out.stdout.contains("securepassword"), "{}", out.stdout);
}

#[test]
fn random_id_conforms() {
    let config = |prefix: &str| {
        format!(
            "resource \"random_id\" \"server\" {{\n  byte_length = 6\n  prefix      = \"{prefix}\"\n}}\n"
        )
    };
    let dir = workdir(&config("web-"));
    let d = dir.path();
    apply(d, &[]);
    let id = attributes(d, "random_id.server");
    let raw = text(&id, "id");
    assert_eq!(raw.len(), 8, "6 bytes are 8 base64 characters: {raw}");
    assert_eq!(text(&id, "b64_url"), format!("web-{raw}"));
    let hex = text(&id, "hex");
    assert!(hex.starts_with("web-") && hex.len() == 4 + 12, "{hex}");
    let dec: u64 = text(&id, "dec")["web-".len()..].parse().unwrap();
    assert_eq!(format!("web-{dec:012x}"), hex);
    no_changes(d, &[]);
    // The prefix forces a new id, as every argument does.
    std::fs::write(d.join("main.tf"), config("api-")).unwrap();
    let out = cli(d, "plan", &[]);
    assert!(out.stdout.contains("must be replaced"), "{}", out.stdout);
    apply(d, &[]);
    assert_ne!(text(&attributes(d, "random_id.server"), "id"), raw);

    // Import takes PREFIX,B64_URL.
    let dir = workdir(&config("my-prefix-").replace("= 6", "= 4"));
    let out = import(dir.path(), "random_id.server", "my-prefix-,***");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not URL-safe base64"), "{}", out.stderr);
    let out = import(dir.path(), "random_id.server", "my-prefix-,p-9hUg");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let imp = attributes(dir.path(), "random_id.server");
    assert_eq!(text(&imp, "hex"), "my-prefix-a7ef6152");
    no_changes(dir.path(), &[]);
}

#[test]
fn random_integer_conforms() {
    let dir = workdir(
        r#"
resource "random_integer" "priority" {
  min  = 1
  max  = 50000
  seed = "web"
}

resource "random_integer" "same_seed" {
  min  = 1
  max  = 50000
  seed = "web"
}

resource "random_integer" "small" {
  count = 20
  min   = -2
  max   = 2
}
"#,
    );
    let d = dir.path();
    apply(d, &[]);
    let p = attributes(d, "random_integer.priority");
    let result = p["result"].as_i64().unwrap();
    assert!((1..=50000).contains(&result));
    assert_eq!(text(&p, "id"), result.to_string());
    assert_eq!(attributes(d, "random_integer.same_seed")["result"], result);
    for i in 0..20 {
        let n = attributes(d, &format!("random_integer.small[{i}]"))["result"]
            .as_i64()
            .unwrap();
        assert!((-2..=2).contains(&n), "{n}");
    }
    no_changes(d, &[]);

    let dir = workdir(
        "resource \"random_integer\" \"p\" {\n  min  = 1\n  max  = 50000\n  seed = \"s\"\n}\n",
    );
    let out = import(dir.path(), "random_integer.p", "15390,1");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("RESULT,MIN,MAX"), "{}", out.stderr);
    let out = import(dir.path(), "random_integer.p", "15390,1,50000,s");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(attributes(dir.path(), "random_integer.p")["result"], 15390);
    no_changes(dir.path(), &[]);
}

#[test]
fn random_pet_conforms() {
    let dir = workdir(
        r#"
variable "k" {
  type    = string
  default = "a"
}

resource "random_pet" "name" {
  length    = 3
  separator = "_"
  prefix    = "svc"
  keepers   = { k = var.k }
}

resource "random_pet" "plain" {}
"#,
    );
    let d = dir.path();
    apply(d, &[]);
    let name = text(&attributes(d, "random_pet.name"), "id");
    let words: Vec<&str> = name.split('_').collect();
    assert_eq!(words.len(), 4, "{name}");
    assert_eq!(words[0], "svc");
    let plain = attributes(d, "random_pet.plain");
    assert_eq!(text(&plain, "id").split('-').count(), 2);
    assert_eq!(plain["length"], 2);
    assert_eq!(plain["separator"], "-");
    no_changes(d, &[]);
    apply(d, &["-var=k=b"]);
    assert_ne!(text(&attributes(d, "random_pet.name"), "id"), name);
    // The provider cannot import pets.
    let dir = workdir("resource \"random_pet\" \"p\" {}\n");
    let out = import(dir.path(), "random_pet.p", "happy-cat");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Resource type does not support import"),
        "{}",
        out.stderr
    );
}

#[test]
fn random_shuffle_conforms() {
    let config = |input: &str| {
        format!(
            "resource \"random_shuffle\" \"az\" {{\n  input        = [{input}]\n  result_count = 2\n}}\n\noutput \"az\" {{\n  value = random_shuffle.az.result\n}}\n"
        )
    };
    let dir = workdir(&config("\"a\", \"b\", \"c\""));
    let d = dir.path();
    apply(d, &[]);
    let az = attributes(d, "random_shuffle.az");
    let result: Vec<&str> = az["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(result.len(), 2);
    assert_ne!(result[0], result[1]);
    assert!(result.iter().all(|r| ["a", "b", "c"].contains(r)));
    assert_eq!(text(&az, "id"), "-");
    no_changes(d, &[]);
    std::fs::write(d.join("main.tf"), config("\"x\", \"y\"")).unwrap();
    apply(d, &[]);
    let mut result: Vec<String> = attributes(d, "random_shuffle.az")["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    result.sort();
    assert_eq!(result, ["x", "y"]);
}
