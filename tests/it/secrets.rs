//! Secrets never leak: unique secrets planted through a sensitive variable (`-var`, a
//! `.tfvars` file, `TF_VAR_`), a sensitive output, a sensitive attribute (the secret of an
//! `aws_iam_access_key`, created in moto) and a SecureString read by the `aws_ssm_parameter`
//! data source (data sources are not kept in the state) are looked for in every output format — plan text,
//! `-json`, `-markdown`, `-summary`, the plan file and `show` of it, apply and destroy progress,
//! `show`, `state show`, `state list`, `state history`, `output` — and in error messages that
//! would quote them. Only `output NAME` and `output -raw NAME` may print a sensitive output.
//! The state file (and its `-wal`/`-shm` side files) must be mode 0600.
//!
//! The AWS part runs against moto (`support::moto`); everything stays on 127.0.0.1.

use crate::support;

use std::path::Path;

use support::moto::moto;

/// Set with `-var`.
const VAR_SECRET: &str = "pw-VAR-7f3a9c1e";
/// Set in a `.tfvars` file.
const FILE_SECRET: &str = "key-FILE-2b8d4e6a";
/// Set with `TF_VAR_env_secret`.
const ENV_SECRET: &str = "tok-ENV-9c5e1f3b";
/// A second `-var` value, to make a plan that changes sensitive attributes.
const VAR_SECRET_2: &str = "pw-VAR2-4d2c8e0f";
/// A SecureString parameter in SSM, read by the `aws_ssm_parameter` data source.
const SSM_SECRET: &str = "ssm-SECURE-8e2b5d7c";
/// Planted where an error message would quote it.
const ERR_SECRET: &str = "bad-ERR-6a1f0c9d";

/// `REGION` is replaced with the region moto's SDK config uses.
const CONFIG: &str = r#"
provider "aws" {
  region = "REGION"
}

data "aws_ssm_parameter" "db" {
  name = "/secrets-test/db"
}

variable "db_password" {
  type      = string
  sensitive = true
  validation {
    condition     = !startswith(var.db_password, "bad-")
    error_message = "The password ${var.db_password} is not allowed."
  }
}

variable "api_key" {
  type      = string
  sensitive = true
}

variable "env_secret" {
  type      = string
  sensitive = true
}

resource "aws_iam_user" "u" {
  name = "secrets-test"
}

resource "aws_iam_access_key" "k" {
  user = aws_iam_user.u.name
}

resource "null_resource" "n" {
  triggers = {
    password = var.db_password
    key      = var.api_key
    env      = var.env_secret
    ssm      = data.aws_ssm_parameter.db.value
    user     = aws_iam_user.u.name
  }
}

output "password" {
  value     = var.db_password
  sensitive = true
}

output "access_secret" {
  value     = aws_iam_access_key.k.secret
  sensitive = true
}

output "all" {
  value     = { key = var.api_key, env = var.env_secret }
  sensitive = true
}

output "user" {
  value = aws_iam_user.u.name
}
"#;

/// Errors whose messages would quote a sensitive value.
const ERRORS_CONFIG: &str = r#"
variable "s" {
  type      = string
  sensitive = true
}

variable "n" {
  type      = number
  sensitive = true
  default   = 1
}

locals {
  mask   = cidrnetmask(var.s)
  subnet = cidrsubnet(var.s, 8, 1)
  pick   = { a = 1 }[var.s]
  number = tonumber(var.s)
  json   = jsondecode(var.s)
  path   = file(var.s)
  fmt    = format("%d", var.s)
  host   = cidrhost("10.0.0.0/8", var.s)
  b64    = base64decode(var.s)
}

resource "null_resource" "r" {
  triggers = { s = var.s }
  lifecycle {
    precondition {
      condition     = var.s == "never"
      error_message = "The value ${var.s} failed the precondition."
    }
  }
}
"#;

struct Run {
    label: String,
    out: support::Output,
}

fn cli(dir: &Path, label: &str, command: &str, extra: &[&str]) -> Run {
    cli_env(&[], dir, label, command, extra)
}

/// [`cli`] with `env` on top of the process's environment.
fn cli_env(
    env: &[(String, String)],
    dir: &Path,
    label: &str,
    command: &str,
    extra: &[&str],
) -> Run {
    let out = support::run_in_env(dir, command, extra, env);
    eprintln!(
        "--- {label}: ecsform {command} {extra:?} -> {}\n{}{}",
        out.code, out.stdout, out.stderr
    );
    Run {
        label: label.to_string(),
        out,
    }
}

/// Fails naming every run whose output holds one of `secrets`.
fn assert_no_secret(runs: &[Run], secrets: &[&str]) {
    let mut leaks = Vec::new();
    for r in runs {
        for s in secrets {
            for (stream, text) in [("stdout", &r.out.stdout), ("stderr", &r.out.stderr)] {
                if text.contains(s) {
                    leaks.push(format!("{}: {s} on {stream}", r.label));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

fn assert_file_has_no_secret(path: &Path, secrets: &[&str]) {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    for s in secrets {
        assert!(!text.contains(s), "{} holds {s}", path.display());
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn secrets_never_appear_in_any_output() {
    let _moto = support::moto::exclusive();
    let moto = moto();
    moto.reset();
    let mut env = moto.env();
    env.push(("TF_VAR_env_secret".to_string(), ENV_SECRET.to_string()));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let ssm = aws_sdk_ssm::Client::new(&moto.sdk_config().await);
            ssm.put_parameter()
                .name("/secrets-test/db")
                .value(SSM_SECRET)
                .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
                .send()
                .await
                .unwrap();
        });
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("main.tf"),
        CONFIG.replace("REGION", support::moto::REGION),
    )
    .unwrap();
    std::fs::write(
        d.join("secrets.tfvars"),
        format!("api_key = \"{FILE_SECRET}\"\n"),
    )
    .unwrap();
    let var1 = format!("db_password={VAR_SECRET}");
    let var2 = format!("db_password={VAR_SECRET_2}");
    let vars1: Vec<&str> = vec!["-var", &var1, "-var-file=secrets.tfvars"];
    let vars2: Vec<&str> = vec!["-var", &var2, "-var-file=secrets.tfvars"];
    let with = |base: &[&'static str], vars: &[&str]| -> Vec<String> {
        base.iter()
            .map(|s| s.to_string())
            .chain(vars.iter().map(|s| s.to_string()))
            .collect()
    };
    let run = |label: &str, command: &str, extra: Vec<String>| {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        cli_env(&env, d, label, command, &extra)
    };
    let mut runs = Vec::new();

    // Before anything exists: every plan format, a saved plan and show of it.
    for fmt in ["", "-json", "-markdown", "-summary"] {
        let base: Vec<&'static str> = if fmt.is_empty() { vec![] } else { vec![fmt] };
        runs.push(run(&format!("plan {fmt}"), "plan", with(&base, &vars1)));
    }
    runs.push(run(
        "plan -out",
        "plan",
        with(&["-out=create.plan"], &vars1),
    ));
    assert_eq!(runs.last().unwrap().out.code, 0);
    for fmt in ["", "-json", "-markdown", "-summary"] {
        let mut extra = vec![];
        if !fmt.is_empty() {
            extra.push(fmt.to_string());
        }
        extra.push("create.plan".into());
        runs.push(run(&format!("show {fmt} create.plan"), "show", extra));
    }

    // The apply of the saved plan (progress lines and outputs).
    // A sensitive -var is not stored in the plan file: it is given again.
    runs.push(run(
        "apply create.plan",
        "apply",
        vec!["-var".into(), var1.clone(), "create.plan".into()],
    ));
    assert_eq!(runs.last().unwrap().out.code, 0, "apply failed");

    // The access key's secret, as AWS (moto) gave it, is in the state: plant it in the list.
    let state_path = d.join("state/ecsform.sqlite");
    let store = ecsform::state::StateStore::open(&state_path).unwrap();
    let key = store
        .resource("aws_iam_access_key.k")
        .unwrap()
        .expect("the access key is in the state");
    let aws_secret = key.attributes["secret"]
        .as_str()
        .expect("the secret is recorded")
        .to_string();
    // The other secrets really are in the state: the test would see them if they leaked.
    let n = store.resource("null_resource.n").unwrap().unwrap();
    for s in [VAR_SECRET, FILE_SECRET, ENV_SECRET, SSM_SECRET] {
        assert!(n.attributes.to_string().contains(s), "{s} planted");
    }
    drop(store);
    assert!(aws_secret.len() >= 20, "a real secret: {aws_secret:?}");

    // The state file and its side files are private.
    #[cfg(unix)]
    {
        assert_eq!(mode(&state_path), 0o600, "state file mode");
        for suffix in ["-wal", "-shm"] {
            let side = d.join(format!("state/ecsform.sqlite{suffix}"));
            if side.exists() {
                assert_eq!(mode(&side), 0o600, "{}", side.display());
            }
        }
    }

    // Everything that reads the state.
    for (label, command, extra) in [
        ("show", "show", vec![]),
        ("show -json", "show", vec!["-json"]),
        ("state list", "state", vec!["list"]),
        ("state list -json", "state", vec!["list", "-json"]),
        (
            "state show key",
            "state",
            vec!["show", "aws_iam_access_key.k"],
        ),
        (
            "state show -json key",
            "state",
            vec!["show", "-json", "aws_iam_access_key.k"],
        ),
        ("state show null", "state", vec!["show", "null_resource.n"]),
        (
            "state show -json null",
            "state",
            vec!["show", "-json", "null_resource.n"],
        ),
        ("state history", "state", vec!["history"]),
        ("state history -json", "state", vec!["history", "-json"]),
        ("output", "output", vec![]),
        ("output -json", "output", vec!["-json"]),
        ("output user", "output", vec!["user"]),
    ] {
        runs.push(cli_env(&env, d, label, command, &extra));
        assert_eq!(runs.last().unwrap().out.code, 0, "{label}");
    }

    // A plan that changes the sensitive values (a new password, the key replaced): before and
    // after are both secrets.
    let replace = with(&["-replace=aws_iam_access_key.k"], &vars2);
    for fmt in ["", "-json", "-markdown", "-summary"] {
        let mut extra = replace.clone();
        if !fmt.is_empty() {
            extra.push(fmt.into());
        }
        runs.push(run(&format!("plan {fmt} (changes)"), "plan", extra));
        assert_eq!(runs.last().unwrap().out.code, 0);
    }
    let mut extra = replace.clone();
    extra.push("-out=change.plan".into());
    runs.push(run("plan -out (changes)", "plan", extra));
    for fmt in ["", "-json", "-markdown", "-summary"] {
        let mut extra = vec![];
        if !fmt.is_empty() {
            extra.push(fmt.to_string());
        }
        extra.push("change.plan".into());
        runs.push(run(&format!("show {fmt} change.plan"), "show", extra));
    }
    // Plan files hold no secret at all, not even the password given with -var.
    let all = [
        VAR_SECRET,
        FILE_SECRET,
        ENV_SECRET,
        SSM_SECRET,
        VAR_SECRET_2,
        ERR_SECRET,
        aws_secret.as_str(),
    ];
    assert_file_has_no_secret(&d.join("create.plan"), &all);
    assert_file_has_no_secret(&d.join("change.plan"), &all);

    let mut extra = vec!["-auto-approve".to_string()];
    extra.extend(replace.clone());
    runs.push(run("apply (changes)", "apply", extra));
    assert_eq!(runs.last().unwrap().out.code, 0);
    let new_secret = {
        let store = ecsform::state::StateStore::open(&state_path).unwrap();
        let rec = store.resource("aws_iam_access_key.k").unwrap().unwrap();
        rec.attributes["secret"].as_str().unwrap().to_string()
    };
    assert_ne!(new_secret, aws_secret, "the key was replaced");
    runs.push(cli_env(
        &env,
        d,
        "state history -json (after changes)",
        "state",
        &["history", "-json"],
    ));
    runs.push(cli_env(
        &env,
        d,
        "show -json (after changes)",
        "show",
        &["-json"],
    ));

    // Errors that would quote a sensitive value.
    let bad = format!("db_password={ERR_SECRET}");
    runs.push(cli_env(
        &env,
        d,
        "validation error",
        "plan",
        &["-var", &bad, "-var-file=secrets.tfvars"],
    ));
    assert_eq!(runs.last().unwrap().out.code, 1);
    assert!(runs
        .last()
        .unwrap()
        .out
        .stderr
        .contains("Invalid value for variable"));
    let errs = tempfile::tempdir().unwrap();
    std::fs::write(errs.path().join("main.tf"), ERRORS_CONFIG).unwrap();
    let s_var = format!("s={ERR_SECRET}");
    let n_var = format!("n={ERR_SECRET}");
    runs.push(cli_env(
        &env,
        errs.path(),
        "function errors",
        "plan",
        &["-var", &s_var],
    ));
    let out = &runs.last().unwrap().out;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cidrnetmask"), "{}", out.stderr);
    assert!(out.stderr.contains("(sensitive value)"), "{}", out.stderr);
    runs.push(cli_env(
        &env,
        errs.path(),
        "type error",
        "plan",
        &["-var", &s_var, "-var", &n_var],
    ));
    assert_eq!(runs.last().unwrap().out.code, 1);
    std::fs::write(
        errs.path().join("main.tf"),
        ERRORS_CONFIG.split("locals {").next().unwrap().to_string()
            + "resource \"null_resource\" \"r\" {\n  triggers = { s = var.s }\n  lifecycle {\n    precondition {\n      condition     = var.s == \"never\"\n      error_message = \"The value ${var.s} failed.\"\n    }\n  }\n}\n",
    )
    .unwrap();
    runs.push(cli_env(
        &env,
        errs.path(),
        "precondition",
        "apply",
        &["-auto-approve", "-var", &s_var],
    ));
    assert_eq!(runs.last().unwrap().out.code, 1);
    // An AWS error that quotes the argument it rejects.
    std::fs::write(
        errs.path().join("main.tf"),
        format!(
            "provider \"aws\" {{\n  region = \"{}\"\n}}\n\nvariable \"s\" {{\n  type      = string\n  sensitive = true\n}}\n\nresource \"aws_vpc\" \"v\" {{\n  cidr_block = var.s\n}}\n",
            support::moto::REGION
        ),
    )
    .unwrap();
    runs.push(cli_env(
        &env,
        errs.path(),
        "AWS error",
        "apply",
        &["-auto-approve", "-var", &s_var],
    ));
    assert_eq!(runs.last().unwrap().out.code, 1);

    // Destroy progress.
    let mut extra = vec!["-auto-approve".to_string()];
    extra.extend(vars2.iter().map(|s| s.to_string()));
    runs.push(run("destroy", "destroy", extra));
    assert_eq!(runs.last().unwrap().out.code, 0);

    let secrets = [
        VAR_SECRET,
        FILE_SECRET,
        ENV_SECRET,
        SSM_SECRET,
        VAR_SECRET_2,
        ERR_SECRET,
        aws_secret.as_str(),
        new_secret.as_str(),
    ];
    assert_no_secret(&runs, &secrets);
}

/// `output NAME` and `output -raw NAME` are the one place a sensitive output is shown, since
/// it was asked for by name; `output` and `output -json` mask it.
#[test]
fn a_sensitive_output_is_shown_only_when_asked_for_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("main.tf"),
        format!(
            "variable \"s\" {{\n  type      = string\n  sensitive = true\n  default   = \"{VAR_SECRET}\"\n}}\n\nresource \"null_resource\" \"n\" {{\n  triggers = {{ s = var.s }}\n}}\n\noutput \"s\" {{\n  value     = var.s\n  sensitive = true\n}}\n"
        ),
    )
    .unwrap();
    let apply = cli(d, "apply", "apply", &["-auto-approve"]);
    assert_eq!(apply.out.code, 0);
    let all = cli(d, "output", "output", &[]);
    let json = cli(d, "output -json", "output", &["-json"]);
    assert_no_secret(&[apply, all, json], &[VAR_SECRET]);
    let named = cli(d, "output s", "output", &["s"]);
    assert!(
        named.out.stdout.contains(VAR_SECRET),
        "{}",
        named.out.stdout
    );
    let raw = cli(d, "output -raw s", "output", &["-raw", "s"]);
    assert_eq!(raw.out.stdout, VAR_SECRET);
}

/// ecsform has no logging of its own; with `RUST_LOG` set (which the AWS SDK's tracing would
/// read if a subscriber were installed) the binary prints nothing more, and no secret.
#[test]
fn debug_logging_prints_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("main.tf"),
        "variable \"s\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"null_resource\" \"n\" {\n  triggers = { s = var.s }\n}\n",
    )
    .unwrap();
    let var = format!("s={VAR_SECRET}");
    for command in ["plan", "apply"] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ecsform"));
        cmd.arg(format!("-chdir={}", d.display()))
            .arg(command)
            .arg("-no-color")
            .args(["-var", &var])
            .env("RUST_LOG", "trace")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1");
        if command == "apply" {
            cmd.arg("-auto-approve");
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{command}: {text}");
        assert!(
            !text.contains(VAR_SECRET),
            "{command} with RUST_LOG=trace:\n{text}"
        );
        assert!(
            !text.to_lowercase().contains("trace"),
            "{command} logs: {text}"
        );
    }
}

/// Secrets written as plain literals into the sensitive arguments of resource types (an SSM
/// SecureString's `value`) are masked by the schema alone: no plan (text, `-json`,
/// `-markdown`), apply progress, `show`, `state show` or `destroy` prints them, before or
/// after a change of the value.
#[test]
fn secret_arguments_of_resources_never_appear_in_any_output() {
    const FIRST: &str = "res-SECRET-5c1e9a2f";
    const SECOND: &str = "res-SECRET2-0b7d4e6c";
    let _moto = support::moto::exclusive();
    let moto = moto();
    moto.reset();
    let env = moto.env();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let config = |secret: &str| {
        format!(
            r#"
provider "aws" {{
  region = "{}"
}}

resource "aws_ssm_parameter" "db" {{
  name  = "/secrets-test/resource-db"
  type  = "SecureString"
  value = "{secret}"
}}
"#,
            support::moto::REGION
        )
    };
    let mut runs = Vec::new();
    for secret in [FIRST, SECOND] {
        std::fs::write(d.join("main.tf"), config(secret)).unwrap();
        for (label, command, extra) in [
            ("plan", "plan", vec![]),
            ("plan -json", "plan", vec!["-json"]),
            ("plan -markdown", "plan", vec!["-markdown"]),
            ("apply", "apply", vec!["-auto-approve"]),
            ("show", "show", vec![]),
            ("state show", "state", vec!["show", "aws_ssm_parameter.db"]),
        ] {
            let run = cli_env(&env, d, label, command, &extra);
            assert_eq!(run.out.code, 0, "{label}: {}", run.out.stderr);
            runs.push(run);
        }
    }
    // The change of value was planned and applied, shown only as sensitive.
    let changed = &runs[6].out.stdout;
    assert!(
        changed.contains("aws_ssm_parameter.db will be updated in-place"),
        "{changed}"
    );
    assert!(changed.contains("(sensitive value)"), "{changed}");
    let destroy = cli_env(&env, d, "destroy", "destroy", &["-auto-approve"]);
    assert_eq!(destroy.out.code, 0, "{}", destroy.out.stderr);
    runs.push(destroy);
    assert_no_secret(&runs, &[FIRST, SECOND]);
}
