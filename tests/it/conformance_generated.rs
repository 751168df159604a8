//! The generated types (built in, no AWS side): the random provider's and the tls provider's
//! `tls_private_key`. Results generated once at create and kept in state across plans,
//! `keepers` and every argument replacing the object (a new result), lengths and character
//! classes honoured, keys that an independent implementation (Python's `cryptography`, from
//! the test virtualenv) reads back, sensitive results masked in every output, and import with
//! the provider's import IDs. Nothing here talks to AWS.

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

/// Checks, with Python's `cryptography` (the test virtualenv's), that each key's encodings are
/// one key: the PEM, PKCS#8 and OpenSSH private keys give the recorded public key, its
/// OpenSSH line, fingerprints and id; prints nothing and exits 0 when they do.
const CHECK_KEYS: &str = r#"
import base64, hashlib, json, sys
from cryptography.hazmat.primitives import serialization as s
keys = json.load(sys.stdin)
for name, k in keys.items():
    pub_pem = k["public_key_pem"].encode()
    for field in ("private_key_pem", "private_key_pem_pkcs8"):
        key = s.load_pem_private_key(k[field].encode(), password=None)
        got = key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
        assert got == pub_pem, (name, field, got, pub_pem)
    der = s.load_pem_public_key(pub_pem).public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    assert k["id"] == hashlib.sha1(der).hexdigest(), (name, "id")
    if k["ecdsa_curve"] == "P224" and k["algorithm"] == "ECDSA":
        continue
    key = s.load_ssh_private_key(k["private_key_openssh"].encode(), password=None)
    line = key.public_key().public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH).decode()
    comment = k.get("openssh_comment") or ""
    want = line + (" " + comment if comment else "") + "\n"
    assert k["public_key_openssh"] == want, (name, k["public_key_openssh"], want)
    blob = base64.b64decode(line.split()[1])
    md5 = ":".join("%02x" % b for b in hashlib.md5(blob).digest())
    assert k["public_key_fingerprint_md5"] == md5, (name, "md5")
    sha = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert k["public_key_fingerprint_sha256"] == sha, (name, "sha256")
    if k["algorithm"] == "RSA":
        assert key.key_size == int(k["rsa_bits"]), (name, key.key_size)
    if k["algorithm"] == "ECDSA":
        assert key.curve.name == {"P256": "secp256r1", "P384": "secp384r1", "P521": "secp521r1"}[k["ecdsa_curve"]]
"#;

fn check_keys(keys: &serde_json::Value) {
    use std::io::Write;
    let mut child = std::process::Command::new(support::moto::python())
        .args(["-c", CHECK_KEYS])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting the virtualenv's python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(keys.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the keys do not read back:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tls_private_key_conforms() {
    let config = |bits: u32| {
        format!(
            r#"
terraform {{
  required_providers {{
    tls = {{
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }}
  }}
}}

resource "tls_private_key" "rsa" {{
  algorithm = "RSA"
  rsa_bits  = {bits}
}}

resource "tls_private_key" "ec" {{
  algorithm       = "ECDSA"
  ecdsa_curve     = "P384"
  openssh_comment = "ops@bastion"
}}

resource "tls_private_key" "ed" {{
  algorithm = "ED25519"
}}

resource "tls_private_key" "p224" {{
  algorithm = "ECDSA"
}}

resource "null_resource" "authorized" {{
  triggers = {{ key = tls_private_key.ed.public_key_openssh }}
}}

output "private" {{
  value     = tls_private_key.rsa.private_key_pem
  sensitive = true
}}
"#
        )
    };
    let dir = workdir(&config(2048));
    let d = dir.path();
    let mut outputs = vec![apply(d, &[])];
    let keys: serde_json::Map<String, serde_json::Value> = ["rsa", "ec", "ed", "p224"]
        .iter()
        .map(|k| {
            (
                k.to_string(),
                attributes(d, &format!("tls_private_key.{k}")),
            )
        })
        .collect();
    let pem_kind = |k: &str, field: &str| {
        text(&keys[k], field)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        pem_kind("rsa", "private_key_pem"),
        "-----BEGIN RSA PRIVATE KEY-----"
    );
    assert_eq!(
        pem_kind("ec", "private_key_pem"),
        "-----BEGIN EC PRIVATE KEY-----"
    );
    assert_eq!(
        pem_kind("ed", "private_key_pem"),
        "-----BEGIN PRIVATE KEY-----"
    );
    for k in ["rsa", "ec", "ed", "p224"] {
        assert_eq!(
            pem_kind(k, "private_key_pem_pkcs8"),
            "-----BEGIN PRIVATE KEY-----"
        );
        assert_eq!(pem_kind(k, "public_key_pem"), "-----BEGIN PUBLIC KEY-----");
        // The provider's defaults are recorded whatever the algorithm.
        assert_eq!(keys[k]["rsa_bits"], 2048, "{k}");
    }
    assert_eq!(keys["p224"]["ecdsa_curve"], "P224");
    for k in ["rsa", "ec", "ed"] {
        assert_eq!(
            pem_kind(k, "private_key_openssh"),
            "-----BEGIN OPENSSH PRIVATE KEY-----"
        );
    }
    // OpenSSH has no P-224 keys: empty strings, as in the provider.
    for field in [
        "private_key_openssh",
        "public_key_openssh",
        "public_key_fingerprint_md5",
        "public_key_fingerprint_sha256",
    ] {
        assert_eq!(keys["p224"][field], "", "{field}");
    }
    assert!(text(&keys["ec"], "public_key_openssh").ends_with(" ops@bastion\n"));
    assert!(text(&keys["ed"], "public_key_openssh").starts_with("ssh-ed25519 "));
    check_keys(&serde_json::Value::Object(keys.clone()));
    let uses = attributes(d, "null_resource.authorized");
    assert_eq!(uses["triggers"]["key"], keys["ed"]["public_key_openssh"]);
    no_changes(d, &[]);

    // The private keys are masked in every output.
    for (command, args) in [
        ("plan", vec![]),
        ("plan", vec!["-json"]),
        ("show", vec![]),
        ("show", vec!["-json"]),
        ("state", vec!["show", "tls_private_key.rsa"]),
        ("state", vec!["show", "-json", "tls_private_key.ed"]),
        ("output", vec!["-json"]),
    ] {
        let out = cli(d, command, &args);
        assert_eq!(out.code, 0, "{command} {args:?}: {}", out.stderr);
        outputs.push(out);
    }
    for out in &outputs {
        for k in keys.values() {
            for field in [
                "private_key_pem",
                "private_key_pem_pkcs8",
                "private_key_openssh",
            ] {
                // The body of the key, not its armour lines.
                let Some(body) = k[field].as_str().and_then(|p| p.lines().nth(1)) else {
                    continue;
                };
                assert!(
                    !out.stdout.contains(body) && !out.stderr.contains(body),
                    "{field} leaked:\n{}{}",
                    out.stdout,
                    out.stderr
                );
            }
        }
    }

    // Every argument forces a new key.
    std::fs::write(d.join("main.tf"), config(3072)).unwrap();
    let out = cli(d, "plan", &[]);
    assert!(
        has_line(&out.stdout, "# tls_private_key.rsa must be replaced"),
        "{}",
        out.stdout
    );
    apply(d, &[]);
    let rsa = attributes(d, "tls_private_key.rsa");
    assert_ne!(rsa["id"], keys["rsa"]["id"]);
    assert_eq!(rsa["rsa_bits"], 3072);
    check_keys(&serde_json::json!({ "rsa": rsa }));
    no_changes(d, &[]);

    // What the provider's validators refuse, in their words.
    let dir = workdir("resource \"tls_private_key\" \"k\" {\n  algorithm = \"DSA\"\n}\n");
    let out = cli(dir.path(), "apply", &["-auto-approve"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(
            r#"Attribute algorithm value must be one of: ["RSA" "ECDSA" "ED25519"], got: "DSA""#
        ),
        "{}",
        out.stderr
    );
    // The provider cannot import keys.
    let dir = workdir("resource \"tls_private_key\" \"k\" {\n  algorithm = \"RSA\"\n}\n");
    let out = import(dir.path(), "tls_private_key.k", "anything");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Resource type does not support import"),
        "{}",
        out.stderr
    );
}
