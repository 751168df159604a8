//! A catalogue of bad inputs beyond `tests/fixtures/invalid/`: variable files, flags, state
//! files, plan files and configurations that push limits. Each case must exit with the
//! documented code (1 unless noted), print a clear message (asserted by a key phrase, and by
//! `file:line:col` where a file is involved), and change nothing: every file in the working
//! directory is hashed before and after, and a valid state is compared row by row (its serial,
//! lineage, instances, outputs, history and lock), since taking and releasing the lock touches
//! the file's bytes.
//!
//! Everything here runs without AWS (`null_resource` only); `AWS_ENDPOINT_URL` points at a
//! closed local port in case anything tried.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

const MAIN: &str = r#"
variable "name" {
  type    = string
  default = "web"
  validation {
    condition     = length(var.name) < 10
    error_message = "The name must be shorter than 10 characters."
  }
}

variable "replicas" {
  type    = number
  default = 2
}

variable "zones" {
  type    = list(string)
  default = ["a"]
}

variable "token" {
  type      = string
  sensitive = true
  default   = "tok-default"
}

resource "null_resource" "a" {
  count    = var.replicas
  triggers = { name = var.name }
}

output "ids" {
  value = null_resource.a[*].id
}

output "zones" {
  value = var.zones
}

output "t" {
  value     = var.token
  sensitive = true
}
"#;

/// The environment of every command here. Nothing here talks to AWS; if something tried, it
/// would meet a closed local port.
fn offline() -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "eu-west-1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A working directory with `main.tf`, an applied state (two instances, serial > 0) and a
/// saved plan `p.plan` that adds a third instance (`-var replicas=3`), made once and copied
/// for every case.
fn template() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), MAIN).unwrap();
        let out = support::run_in_env(dir.path(), "apply", &["-auto-approve"], &offline());
        assert_eq!(out.code, 0, "template apply: {}", out.stderr);
        let out = support::run_in_env(
            dir.path(),
            "plan",
            &["-var", "replicas=3", "-out=p.plan"],
            &offline(),
        );
        assert_eq!(out.code, 0, "template plan: {}", out.stderr);
        dir
    })
    .path()
}

fn state_path(dir: &Path) -> PathBuf {
    dir.join("state/ecsform.sqlite")
}

/// Every file below `dir` (path → SHA-256 and mode), with a valid state file's rows instead of
/// its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                out.insert(format!("{rel}/"), format!("dir {mode:o}"));
                walk(&p, root, out);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap_or_default();
            let content = match state_rows(&p) {
                Some(rows) => rows,
                None => hex(&Sha256::digest(&bytes)),
            };
            out.insert(rel, format!("{mode:o} {content}"));
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The rows of every table of an ecsform state, or None when the file is not one.
fn state_rows(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if !name.ends_with(".sqlite") {
        return None;
    }
    let uri = format!("file:{}?immutable=1", path.display());
    let conn = rusqlite::Connection::open_with_flags(
        uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
    )
    .ok()?;
    conn.query_row("SELECT lineage FROM meta", [], |r| r.get::<_, String>(0))
        .ok()?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .ok()?
        .query_map([], |r| r.get(0))
        .ok()?
        .flatten()
        .collect();
    let mut dump = String::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).ok()?;
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut row = Vec::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    row.push(format!("{v:?}"));
                }
                Ok(row.join("|"))
            })
            .ok()?
            .flatten()
            .collect();
        rows.sort();
        dump.push_str(&format!("[{t}] {}\n", rows.join("\n")));
    }
    Some(format!(
        "state rows sha256 {}",
        hex(&Sha256::digest(dump.as_bytes()))
    ))
}

/// One bad input.
struct Case {
    name: &'static str,
    /// Changes the copied working directory before the run.
    setup: fn(&Path),
    /// The command line after `-chdir=DIR`.
    args: &'static [&'static str],
    code: u8,
    /// Phrases the output (stderr, then stdout) must contain.
    phrases: &'static [&'static str],
    /// A `file:line:col` prefix the output must contain.
    location: Option<&'static str>,
}

fn none(_: &Path) {}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn with_state_bytes(dir: &Path, f: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let p = state_path(dir);
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, f(bytes)).unwrap();
}

/// Edits the saved plan and gives it the checksum of its new contents, as a tool that edits
/// plans on purpose would: what is checked then is the plan's meaning, not its checksum.
fn edit_plan(dir: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let p = dir.join("p.plan");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    f(&mut doc);
    if let Some(sum) = ecsform::plan::planfile::PlanFile::checksum_of(&doc) {
        doc["checksum"] = sum.into();
    }
    std::fs::write(&p, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

/// Replaces the state with another application's SQLite database in WAL mode, with its `-wal`
/// (holding its tables) and `-shm` left over, as a copy taken while it was open leaves them.
fn foreign_with_wal(dir: &Path) {
    let p = state_path(dir);
    std::fs::remove_file(&p).unwrap();
    let side = |suffix: &str| PathBuf::from(format!("{}{suffix}", p.display()));
    let conn = rusqlite::Connection::open(&p).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; \
         CREATE TABLE moz_places (id INTEGER, url TEXT); INSERT INTO moz_places VALUES (1, 'x');",
    )
    .unwrap();
    let copies: Vec<(PathBuf, Vec<u8>)> = ["", "-wal", "-shm"]
        .iter()
        .map(|s| (side(s), std::fs::read(side(s)).unwrap()))
        .collect();
    drop(conn);
    for (path, bytes) in copies {
        std::fs::write(path, bytes).unwrap();
    }
}

/// Leaves the state locked by this (live) test process, as a running apply would.
fn lock_state(dir: &Path) {
    let store = ecsform::state::StateStore::open(&state_path(dir)).unwrap();
    let lock = store.lock("apply", Duration::ZERO).unwrap();
    let info = lock.info().clone();
    lock.release().unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(state_path(dir)).unwrap();
    conn.execute(
        "INSERT INTO lock (slot, id, pid, host, command, created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![info.id, info.pid, info.host, info.command, info.created_at],
    )
    .unwrap();
}

fn change_mut<'a>(doc: &'a mut serde_json::Value, addr: &str) -> &'a mut serde_json::Value {
    doc["plan"]["changes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["address"] == addr)
        .unwrap_or_else(|| panic!("no change for {addr}"))
}

fn cases() -> Vec<Case> {
    vec![
        // ---------------------------------------------------------------- variable files
        Case {
            name: "tfvars syntax error",
            setup: |d| write(d, "bad.tfvars", "name = \"web\"\nreplicas = \n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Invalid HCL syntax", "invalid expression"],
            location: Some("bad.tfvars:2:12"),
        },
        Case {
            name: "tfvars unterminated string",
            setup: |d| write(d, "bad.tfvars", "name = \"web\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Unterminated template string", "no closing quote"],
            location: Some("bad.tfvars:1:8"),
        },
        Case {
            name: "tfvars wrong type",
            setup: |d| write(d, "bad.tfvars", "replicas = \"many\"\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Invalid value for variable", "a number is required"],
            location: Some("bad.tfvars:1:12"),
        },
        Case {
            name: "tfvars list for a string",
            setup: |d| write(d, "bad.tfvars", "name = [\"a\", \"b\"]\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Invalid value for variable", "string required"],
            location: Some("bad.tfvars:1:8"),
        },
        Case {
            name: "tfvars reference to a variable",
            setup: |d| write(d, "bad.tfvars", "name = var.token\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Variables not allowed"],
            location: Some("bad.tfvars:1:8"),
        },
        Case {
            name: "tfvars reference to a resource",
            setup: |d| write(d, "bad.tfvars", "name = null_resource.a[0].id\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Variables not allowed"],
            location: Some("bad.tfvars:1:8"),
        },
        Case {
            name: "tfvars block",
            setup: |d| write(d, "bad.tfvars", "name {\n}\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Unexpected block in variables file"],
            location: Some("bad.tfvars:1:1"),
        },
        Case {
            name: "tfvars variable set twice",
            setup: |d| write(d, "bad.tfvars", "name = \"a\"\nname = \"b\"\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Attribute redefined"],
            location: Some("bad.tfvars:2:1"),
        },
        Case {
            name: "tfvars value failing validation",
            setup: |d| write(d, "bad.tfvars", "name = \"much-too-long-a-name\"\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Invalid value for variable", "shorter than 10 characters"],
            location: Some("main.tf:"),
        },
        Case {
            name: "tfvars not UTF-8",
            setup: |d| write(d, "bad.tfvars", b"name = \"w\xffb\"\n"),
            args: &["plan", "-var-file=bad.tfvars"],
            code: 1,
            phrases: &["Invalid character encoding", "not valid UTF-8"],
            location: Some("bad.tfvars:1:10"),
        },
        Case {
            name: "tfvars larger than the file limit",
            setup: |d| {
                let mut text = String::from("name = \"");
                text.push_str(&"x".repeat(17 * 1024 * 1024));
                text.push_str("\"\n");
                write(d, "huge.tfvars", text)
            },
            args: &["plan", "-var-file=huge.tfvars"],
            code: 1,
            phrases: &["Could not read huge.tfvars", "larger than 16 MiB"],
            location: None,
        },
        Case {
            name: "tfvars missing",
            setup: none,
            args: &["plan", "-var-file=missing.tfvars"],
            code: 1,
            phrases: &["Given variables file missing.tfvars does not exist"],
            location: None,
        },
        Case {
            name: "tfvars is a directory",
            setup: |d| std::fs::create_dir(d.join("vars.tfvars")).unwrap(),
            args: &["plan", "-var-file=vars.tfvars"],
            code: 1,
            phrases: &["is not a regular file but a directory"],
            location: None,
        },
        Case {
            name: "JSON tfvars truncated",
            setup: |d| write(d, "bad.tfvars.json", "{\"name\": \"web\""),
            args: &["plan", "-var-file=bad.tfvars.json"],
            code: 1,
            phrases: &["Invalid JSON in variables file", "EOF while parsing"],
            location: Some("bad.tfvars.json:1:14"),
        },
        Case {
            name: "JSON tfvars not an object",
            setup: |d| write(d, "bad.tfvars.json", "[1, 2]"),
            args: &["plan", "-var-file=bad.tfvars.json"],
            code: 1,
            phrases: &["must contain a JSON object whose properties are variable names"],
            location: Some("bad.tfvars.json:1:1"),
        },
        Case {
            name: "JSON tfvars wrong type",
            setup: |d| write(d, "bad.tfvars.json", "{\"replicas\": {\"a\": 1}}"),
            args: &["plan", "-var-file=bad.tfvars.json"],
            code: 1,
            phrases: &["Invalid value for variable", "number required"],
            location: Some("bad.tfvars.json:1:2"),
        },
        Case {
            name: "JSON tfvars nested 200 levels",
            setup: |d| {
                let text = format!("{{\"zones\": {}{}}}", "[".repeat(200), "]".repeat(200));
                write(d, "deep.tfvars.json", text)
            },
            args: &["plan", "-var-file=deep.tfvars.json"],
            code: 1,
            phrases: &[
                "Invalid JSON in variables file",
                "nested more than 128 levels",
            ],
            location: Some("deep.tfvars.json:1:"),
        },
        Case {
            name: "JSON tfvars with a NUL and junk after",
            setup: |d| write(d, "bad.tfvars.json", "{\"name\": \"web\"}\0garbage"),
            args: &["plan", "-var-file=bad.tfvars.json"],
            code: 1,
            phrases: &["Invalid JSON in variables file", "trailing characters"],
            location: Some("bad.tfvars.json:1:16"),
        },
        Case {
            name: "terraform.tfvars broken is read automatically",
            setup: |d| write(d, "terraform.tfvars", "replicas = [\n"),
            args: &["plan"],
            code: 1,
            phrases: &["terraform.tfvars"],
            location: Some("terraform.tfvars:1:"),
        },
        // ---------------------------------------------------------------- -var
        Case {
            name: "-var for an undeclared variable",
            setup: none,
            args: &["plan", "-var", "nope=1"],
            code: 1,
            phrases: &["Value for undeclared variable", "\"nope\""],
            location: None,
        },
        Case {
            name: "-var without a value",
            setup: none,
            args: &["plan", "-var", "name"],
            code: 1,
            phrases: &["Invalid -var option", "separated by an equals sign"],
            location: None,
        },
        Case {
            name: "-var of the wrong type",
            setup: none,
            args: &["plan", "-var", "replicas=abc"],
            code: 1,
            phrases: &["Invalid value for variable", "a number is required"],
            location: None,
        },
        Case {
            name: "-var with broken HCL for a list",
            setup: none,
            args: &["plan", "-var", "zones=[\"a\","],
            code: 1,
            phrases: &["zones"],
            location: None,
        },
        Case {
            name: "-var referring to another variable",
            setup: none,
            args: &["plan", "-var", "zones=[var.name]"],
            code: 1,
            phrases: &["Variables not allowed"],
            location: None,
        },
        // ---------------------------------------------------------------- flags
        Case {
            name: "unknown command",
            setup: none,
            args: &["frobnicate"],
            code: 1,
            phrases: &["unknown command \"frobnicate\""],
            location: None,
        },
        Case {
            name: "unknown flag",
            setup: none,
            args: &["plan", "-bogus"],
            code: 1,
            phrases: &["unknown flag -bogus for \"ecsform plan\""],
            location: None,
        },
        Case {
            name: "flag of another command",
            setup: none,
            args: &["validate", "-out=x.plan"],
            code: 1,
            phrases: &["unknown flag -out for \"ecsform validate\""],
            location: None,
        },
        Case {
            name: "flag missing its value",
            setup: none,
            args: &["plan", "-out"],
            code: 1,
            phrases: &["flag -out needs a value"],
            location: None,
        },
        Case {
            name: "bad duration",
            setup: none,
            args: &["plan", "-lock-timeout=5parsecs"],
            code: 1,
            phrases: &["invalid duration \"5parsecs\""],
            location: None,
        },
        Case {
            name: "zero parallelism",
            setup: none,
            args: &["apply", "-parallelism=0", "-auto-approve"],
            code: 1,
            phrases: &["-parallelism needs a positive number"],
            location: None,
        },
        Case {
            name: "conflicting output formats",
            setup: none,
            args: &["plan", "-json", "-markdown"],
            code: 1,
            phrases: &["choose one of -json, -markdown and -summary"],
            location: None,
        },
        Case {
            name: "malformed -target",
            setup: none,
            args: &["plan", "-target=null_resource."],
            code: 1,
            phrases: &["Invalid target address", "is not a valid address"],
            location: None,
        },
        Case {
            name: "-target selecting nothing",
            setup: none,
            args: &["plan", "-target=null_resource.nope"],
            code: 1,
            phrases: &["selects no resource instance"],
            location: None,
        },
        Case {
            name: "malformed -replace",
            setup: none,
            args: &["plan", "-replace=null_resource.a["],
            code: 1,
            phrases: &["Invalid replace address"],
            location: None,
        },
        Case {
            name: "-replace of an unknown instance",
            setup: none,
            args: &["apply", "-replace=null_resource.a[7]", "-auto-approve"],
            code: 1,
            phrases: &["Invalid replace address", "no such resource instance"],
            location: None,
        },
        Case {
            name: "-chdir to a missing directory",
            setup: none,
            args: &["-chdir=does-not-exist", "plan"],
            code: 1,
            phrases: &["is not a directory"],
            location: None,
        },
        Case {
            name: "apply without a terminal or -auto-approve",
            setup: none,
            args: &["apply", "-var", "replicas=3"],
            code: 1,
            phrases: &["No terminal to confirm with"],
            location: None,
        },
        Case {
            name: "-target with a saved plan",
            setup: none,
            args: &["apply", "-target=null_resource.a", "p.plan"],
            code: 1,
            phrases: &["-target cannot be used with a saved plan"],
            location: None,
        },
        Case {
            name: "state show of a malformed address",
            setup: none,
            args: &["state", "show", "null_resource.a[x"],
            code: 1,
            phrases: &["Invalid address", "is not a valid address"],
            location: None,
        },
        Case {
            name: "state rm of an unknown address",
            setup: none,
            args: &["state", "rm", "null_resource.a[0]", "null_resource.nope"],
            code: 1,
            phrases: &["No matching objects found", "null_resource.nope"],
            location: None,
        },
        Case {
            name: "state mv onto an existing instance",
            setup: none,
            args: &["state", "mv", "null_resource.a[0]", "null_resource.a[1]"],
            code: 1,
            phrases: &["Invalid state move request", "is already in the state"],
            location: None,
        },
        Case {
            name: "state mv to another type",
            setup: none,
            args: &["state", "mv", "null_resource.a[0]", "aws_vpc.x"],
            code: 1,
            phrases: &["resource types don't match"],
            location: None,
        },
        Case {
            name: "force-unlock with no lock",
            setup: none,
            args: &["force-unlock", "1234"],
            code: 1,
            phrases: &["is not locked; there is nothing to unlock"],
            location: None,
        },
        Case {
            name: "output that does not exist",
            setup: none,
            args: &["output", "nope"],
            code: 1,
            phrases: &["Output \"nope\" not found"],
            location: None,
        },
        Case {
            name: "output -raw of a list",
            setup: none,
            args: &["output", "-raw", "zones"],
            code: 1,
            phrases: &["zones"],
            location: None,
        },
        Case {
            name: "import of a malformed address",
            setup: none,
            args: &["import", "foo", "bar"],
            code: 1,
            phrases: &["Invalid address", "is not a resource instance address"],
            location: None,
        },
        // ---------------------------------------------------------------- state files
        Case {
            name: "state truncated",
            setup: |d| with_state_bytes(d, |b| b[..b.len() / 2].to_vec()),
            args: &["plan"],
            code: 1,
            phrases: &["is damaged", "left untouched"],
            location: None,
        },
        Case {
            name: "state truncated, state list",
            setup: |d| with_state_bytes(d, |b| b[..b.len() / 2].to_vec()),
            args: &["state", "list"],
            code: 1,
            phrases: &["is damaged", "left untouched"],
            location: None,
        },
        Case {
            name: "state header only",
            setup: |d| with_state_bytes(d, |b| b[..100].to_vec()),
            args: &["plan"],
            code: 1,
            phrases: &["left untouched"],
            location: None,
        },
        Case {
            name: "state of random bytes",
            setup: |d| {
                with_state_bytes(d, |b| {
                    let mut x = 0x2545f4914f6cdd1du64;
                    b.iter()
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            x as u8
                        })
                        .collect()
                })
            },
            args: &["apply", "-auto-approve"],
            code: 1,
            phrases: &["is not an ecsform state file", "left untouched"],
            location: None,
        },
        Case {
            name: "state pages overwritten",
            setup: |d| {
                with_state_bytes(d, |mut b| {
                    for x in b.iter_mut().skip(4096).take(8192) {
                        *x = 0x5a;
                    }
                    b
                })
            },
            args: &["state", "list"],
            code: 1,
            phrases: &["state file"],
            location: None,
        },
        Case {
            name: "state from another SQLite application",
            setup: |d| {
                let p = state_path(d);
                std::fs::remove_file(&p).unwrap();
                let conn = rusqlite::Connection::open(&p).unwrap();
                conn.execute_batch("CREATE TABLE moz_places (id INTEGER, url TEXT); INSERT INTO moz_places VALUES (1, 'x');")
                    .unwrap();
            },
            args: &["apply", "-auto-approve"],
            code: 1,
            phrases: &["is not an ecsform state file", "left untouched"],
            location: None,
        },
        Case {
            name: "state from a newer ecsform",
            setup: |d| {
                let conn = rusqlite::Connection::open(state_path(d)).unwrap();
                conn.execute("UPDATE meta SET schema_version = schema_version + 5", [])
                    .unwrap();
            },
            args: &["plan"],
            code: 1,
            phrases: &["written by a newer ecsform", "left untouched"],
            location: None,
        },
        Case {
            name: "state from a newer ecsform, state rm",
            setup: |d| {
                let conn = rusqlite::Connection::open(state_path(d)).unwrap();
                conn.execute("UPDATE meta SET schema_version = schema_version + 5", [])
                    .unwrap();
            },
            args: &["state", "rm", "null_resource.a[0]"],
            code: 1,
            phrases: &["written by a newer ecsform"],
            location: None,
        },
        Case {
            name: "state path is a directory",
            setup: |d| std::fs::create_dir(d.join("statedir")).unwrap(),
            args: &["plan", "-state=statedir"],
            code: 1,
            phrases: &["statedir is not an ecsform state file", "it is a directory"],
            location: None,
        },
        Case {
            name: "state zero-length",
            setup: |d| with_state_bytes(d, |_| Vec::new()),
            args: &["apply", "-auto-approve"],
            code: 1,
            phrases: &["it is empty, 0 bytes", "left untouched"],
            location: None,
        },
        Case {
            name: "state zero-length, state list",
            setup: |d| with_state_bytes(d, |_| Vec::new()),
            args: &["state", "list"],
            code: 1,
            phrases: &["it is empty, 0 bytes"],
            location: None,
        },
        Case {
            name: "state with random bytes in the middle",
            setup: |d| {
                with_state_bytes(d, |mut b| {
                    let mut x = 0x9e3779b97f4a7c15u64;
                    let middle = b.len() / 2;
                    for byte in b.iter_mut().skip(middle - 2048).take(4096) {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        *byte = x as u8;
                    }
                    b
                })
            },
            args: &["apply", "-auto-approve", "-var", "replicas=3"],
            code: 1,
            phrases: &["is damaged", "left untouched"],
            location: None,
        },
        Case {
            name: "state truncated, state rollback",
            setup: |d| with_state_bytes(d, |b| b[..b.len() / 2].to_vec()),
            args: &["state", "rollback", "-auto-approve"],
            code: 1,
            phrases: &["is damaged", "left untouched"],
            location: None,
        },
        Case {
            name: "state from another SQLite application, its WAL left over",
            setup: foreign_with_wal,
            args: &["apply", "-auto-approve"],
            code: 1,
            phrases: &[
                "is not an ecsform state file",
                "its write-ahead log",
                "was not read",
                "left untouched",
            ],
            location: None,
        },
        Case {
            name: "state with a WAL file that is not one",
            setup: |d| {
                write(
                    d,
                    "state/ecsform.sqlite-wal",
                    "leftover bytes, not a WAL header",
                );
            },
            args: &["plan"],
            code: 1,
            phrases: &[
                "ecsform.sqlite-wal is not an SQLite WAL file",
                "left untouched",
            ],
            location: None,
        },
        Case {
            name: "state WAL left over without its state file",
            setup: |d| {
                foreign_with_wal(d);
                std::fs::remove_file(state_path(d)).unwrap();
            },
            args: &["apply", "-auto-approve"],
            code: 1,
            phrases: &["the file is missing but its write-ahead log"],
            location: None,
        },
        Case {
            name: "state rollback to a serial that is not earlier",
            setup: none,
            args: &["state", "rollback", "-serial=99", "-auto-approve"],
            code: 1,
            phrases: &[
                "Cannot roll back the state",
                "cannot roll back to serial 99",
            ],
            location: None,
        },
        Case {
            name: "state rollback without a terminal to confirm",
            setup: none,
            args: &["state", "rollback"],
            code: 1,
            phrases: &["No terminal to confirm with", "-auto-approve"],
            location: None,
        },
        Case {
            name: "state rollback -serial of a word",
            setup: none,
            args: &["state", "rollback", "-serial=first"],
            code: 1,
            phrases: &["-serial needs a state serial"],
            location: None,
        },
        Case {
            name: "force-unlock with another lock's ID",
            setup: lock_state,
            args: &["force-unlock", "ID-FROM-LOCK"],
            code: 1,
            phrases: &["lock ID ID-FROM-LOCK does not match"],
            location: None,
        },
        Case {
            name: "state path is a directory, output",
            setup: |d| std::fs::create_dir(d.join("statedir")).unwrap(),
            args: &["output", "-state=statedir"],
            code: 1,
            phrases: &["it is a directory"],
            location: None,
        },
        Case {
            name: "state locked by a live process",
            setup: lock_state,
            args: &["apply", "-auto-approve", "-var", "replicas=3"],
            code: 1,
            phrases: &[
                "Error acquiring the state lock",
                "is locked by ecsform apply",
                "force-unlock",
            ],
            location: None,
        },
        Case {
            name: "state locked, state mv",
            setup: lock_state,
            args: &["state", "mv", "null_resource.a[0]", "null_resource.b"],
            code: 1,
            phrases: &["is locked by ecsform apply"],
            location: None,
        },
        // ---------------------------------------------------------------- plan files
        Case {
            name: "plan file truncated",
            setup: |d| {
                let p = d.join("p.plan");
                let b = std::fs::read(&p).unwrap();
                std::fs::write(&p, &b[..b.len() / 2]).unwrap();
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["Failed to read the saved plan", "not valid JSON"],
            location: None,
        },
        Case {
            name: "plan file truncated, show",
            setup: |d| {
                let p = d.join("p.plan");
                let b = std::fs::read(&p).unwrap();
                std::fs::write(&p, &b[..b.len() / 3]).unwrap();
            },
            args: &["show", "p.plan"],
            code: 1,
            phrases: &["not valid JSON"],
            location: None,
        },
        Case {
            name: "plan file of random bytes",
            setup: |d| write(d, "p.plan", [0x8b, 0x1f, 0x00, 0xff, 0x13, 0x37]),
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["not valid JSON"],
            location: None,
        },
        Case {
            name: "plan file with a wrong format field",
            setup: |d| edit_plan(d, |doc| doc["format"] = "terraform-plan".into()),
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["no \"format\": \"ecsform-plan\" field"],
            location: None,
        },
        Case {
            name: "plan file from a newer ecsform",
            setup: |d| edit_plan(d, |doc| doc["format_version"] = 99.into()),
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["99"],
            location: None,
        },
        Case {
            name: "plan file with an edited resource address",
            setup: |d| {
                edit_plan(d, |doc| {
                    change_mut(doc, "null_resource.a[2]")["address"] = "null_resource.zzz[2]".into()
                })
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &[
                "Saved plan does not match the configuration",
                "null_resource.zzz[2] is not declared in the configuration",
                "Nothing was changed",
            ],
            location: None,
        },
        Case {
            name: "plan file with an edited instance key",
            setup: |d| {
                edit_plan(d, |doc| {
                    change_mut(doc, "null_resource.a[2]")["address"] = "null_resource.a[9]".into()
                })
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["null_resource.a[9] is not an instance of the configuration"],
            location: None,
        },
        Case {
            name: "plan file deleting an instance the state does not have",
            setup: |d| {
                edit_plan(d, |doc| {
                    let c = change_mut(doc, "null_resource.a[2]");
                    c["action"] = "delete".into();
                    c["address"] = "null_resource.ghost".into();
                })
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["null_resource.ghost is not in the state"],
            location: None,
        },
        Case {
            name: "plan file with a malformed address",
            setup: |d| {
                edit_plan(d, |doc| {
                    change_mut(doc, "null_resource.a[2]")["address"] = "not an address".into()
                })
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &[
                "is not an ecsform plan file",
                "invalid address \"not an address\"",
            ],
            location: None,
        },
        Case {
            name: "plan file with an unknown action",
            setup: |d| {
                edit_plan(d, |doc| {
                    change_mut(doc, "null_resource.a[2]")["action"] = "explode".into()
                })
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["is not an ecsform plan file", "unknown action \"explode\""],
            location: None,
        },
        Case {
            name: "plan file edited by hand (checksum no longer matches)",
            setup: |d| {
                let p = d.join("p.plan");
                let text = std::fs::read_to_string(&p).unwrap();
                std::fs::write(&p, text.replace("null_resource.a[2]", "null_resource.b[2]"))
                    .unwrap();
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &[
                "was changed after ecsform wrote it",
                "checksum does not match",
            ],
            location: None,
        },
        Case {
            name: "plan file without its checksum",
            setup: |d| {
                let p = d.join("p.plan");
                let mut doc: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
                doc.as_object_mut().unwrap().remove("checksum");
                std::fs::write(&p, serde_json::to_vec(&doc).unwrap()).unwrap();
            },
            args: &["show", "p.plan"],
            code: 1,
            phrases: &["it has no checksum"],
            location: None,
        },
        Case {
            name: "plan file with an edited planned value",
            setup: |d| {
                edit_plan(d, |doc| {
                    change_mut(doc, "null_resource.a[2]")["after"]["triggers"]["name"] =
                        "evil".into()
                })
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["null_resource.a[2]"],
            location: None,
        },
        Case {
            name: "plan file from another directory's configuration",
            setup: |d| {
                // The plan file stays; the configuration is another one.
                write(d, "main.tf", MAIN.replace("\"web\"", "\"api\""));
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &[
                "Saved plan is stale",
                "main.tf changed",
                "Nothing was changed",
            ],
            location: None,
        },
        Case {
            name: "plan file after the state changed",
            setup: |d| {
                let out =
                    support::run_in_env(d, "state", &["rm", "null_resource.a[1]"], &offline());
                assert_eq!(out.code, 0, "{}", out.stderr);
            },
            args: &["apply", "p.plan"],
            code: 1,
            phrases: &["Saved plan is stale", "state changed: serial"],
            location: None,
        },
        Case {
            name: "plan file is a directory",
            setup: |d| std::fs::create_dir(d.join("dir.plan")).unwrap(),
            args: &["apply", "dir.plan"],
            code: 1,
            phrases: &["Failed to read the saved plan", "Is a directory"],
            location: None,
        },
        Case {
            name: "plan file missing",
            setup: none,
            args: &["show", "missing.plan"],
            code: 1,
            phrases: &["could not read", "No such file"],
            location: None,
        },
        // ---------------------------------------------------------------- configurations
        Case {
            name: "configuration not UTF-8",
            setup: |d| write(d, "extra.tf", b"locals {\n  x = \"caf\xe9\"\n}\n"),
            args: &["plan"],
            code: 1,
            phrases: &["Invalid character encoding"],
            location: Some("extra.tf:2:11"),
        },
        Case {
            name: "configuration larger than the file limit",
            setup: |d| {
                let mut text = String::from("locals {\n  x = \"");
                text.push_str(&"y".repeat(17 * 1024 * 1024));
                text.push_str("\"\n}\n");
                write(d, "huge.tf", text)
            },
            args: &["validate"],
            code: 1,
            phrases: &["Could not read huge.tf", "larger than 16 MiB"],
            location: None,
        },
        Case {
            name: "a 10 MB line is read, and its error shown in a window",
            setup: |d| {
                let mut text = String::from("locals {\n  x = \"");
                text.push_str(&"y".repeat(10 * 1024 * 1024));
                text.push_str("\" + 1\n}\n");
                write(d, "long.tf", text)
            },
            args: &["validate"],
            code: 1,
            phrases: &["Invalid operand"],
            location: Some("long.tf:2:"),
        },
        Case {
            name: "expression nested 100 levels",
            setup: |d| {
                write(
                    d,
                    "deep.tf",
                    format!(
                        "locals {{\n  x = {}1{}\n}}\n",
                        "[".repeat(100),
                        "]".repeat(100)
                    ),
                )
            },
            args: &["validate"],
            code: 1,
            phrases: &["Nesting too deep", "nesting depth"],
            location: Some("deep.tf:2:"),
        },
        Case {
            name: "blocks nested 100 levels",
            setup: |d| {
                let text = format!(
                    "resource \"null_resource\" \"deep\" {{\n{}{}}}\n",
                    "x {\n".repeat(100),
                    "}\n".repeat(100)
                );
                write(d, "deep.tf", text)
            },
            args: &["validate"],
            code: 1,
            phrases: &["Nesting too deep", "at most 64 nested levels"],
            location: Some("deep.tf:"),
        },
        Case {
            name: "function calls nested 100 levels",
            setup: |d| {
                write(
                    d,
                    "deep.tf",
                    format!(
                        "locals {{\n  x = {}1{}\n}}\n",
                        "abs(".repeat(100),
                        ")".repeat(100)
                    ),
                )
            },
            args: &["validate"],
            code: 1,
            phrases: &["Nesting too deep"],
            location: Some("deep.tf:2:"),
        },
        Case {
            name: "for expressions nested 100 levels",
            setup: |d| {
                write(
                    d,
                    "deep.tf",
                    format!(
                        "locals {{\n  x = {}[1]{}\n}}\n",
                        "[for x in ".repeat(100),
                        " : x]".repeat(100)
                    ),
                )
            },
            args: &["validate"],
            code: 1,
            phrases: &["Nesting too deep"],
            location: Some("deep.tf:2:"),
        },
        Case {
            name: "template directives nested 100 levels",
            setup: |d| {
                write(
                    d,
                    "deep.tf",
                    format!(
                        "locals {{\n  x = \"{}x{}\"\n}}\n",
                        "%{ if true }".repeat(100),
                        "%{ endif }".repeat(100)
                    ),
                )
            },
            args: &["validate"],
            code: 1,
            phrases: &["Nesting too deep"],
            location: Some("deep.tf:2:"),
        },
        Case {
            name: "binary operators chained 1000 times",
            setup: |d| {
                write(
                    d,
                    "deep.tf",
                    format!("locals {{\n  x = 1{}\n}}\n", " + 1".repeat(1000)),
                )
            },
            args: &["validate"],
            code: 1,
            phrases: &["Nesting too deep", "128 chained binary operators"],
            location: Some("deep.tf:2:"),
        },
        Case {
            name: "template file nested 100 levels",
            setup: |d| {
                write(
                    d,
                    "deep.tftpl",
                    format!(
                        "{}x{}",
                        "%{ if true }".repeat(100),
                        "%{ endif }".repeat(100)
                    ),
                );
                write(
                    d,
                    "t.tf",
                    "output \"tpl\" {\n  value = templatefile(\"deep.tftpl\", {})\n}\n",
                );
            },
            args: &["validate"],
            code: 1,
            phrases: &["deep.tftpl:1:", "nesting depth"],
            location: Some("t.tf:2:"),
        },
        Case {
            name: "value nested through locals",
            setup: |d| {
                let mut text = String::from("locals {\n  l0 = 1\n");
                for i in 1..30 {
                    text.push_str(&format!("  l{i} = [[[[[[local.l{}]]]]]]\n", i - 1));
                }
                text.push_str("}\n");
                write(d, "deep.tf", text)
            },
            args: &["validate"],
            code: 1,
            phrases: &["Value nested too deeply", "more than 128 levels"],
            location: Some("deep.tf:"),
        },
        Case {
            name: "module that calls itself",
            setup: |d| write(d, "loop.tf", "module \"again\" {\n  source = \"./\"\n}\n"),
            args: &["validate"],
            code: 1,
            phrases: &["Module calls itself", "already being loaded"],
            location: Some("loop.tf:2:12"),
        },
        Case {
            name: "two modules calling each other",
            setup: |d| {
                std::fs::create_dir_all(d.join("m1")).unwrap();
                std::fs::create_dir_all(d.join("m2")).unwrap();
                write(d, "m1/main.tf", "module \"b\" {\n  source = \"../m2\"\n}\n");
                write(d, "m2/main.tf", "module \"a\" {\n  source = \"../m1\"\n}\n");
                write(d, "mods.tf", "module \"a\" {\n  source = \"./m1\"\n}\n");
            },
            args: &["validate"],
            code: 1,
            phrases: &["Module calls itself", "\"m1\" → \"m2\" → \"m1\""],
            location: Some("m2/main.tf:2:12"),
        },
        Case {
            name: "count of a billion",
            setup: |d| {
                write(
                    d,
                    "many.tf",
                    "resource \"null_resource\" \"many\" {\n  count = 1000000000\n}\n",
                )
            },
            args: &["plan"],
            code: 1,
            phrases: &["Too many instances", "at most 100000"],
            location: Some("many.tf:2:11"),
        },
        Case {
            name: "for_each over a huge map",
            setup: |d| {
                write(d, "many.tf", "resource \"null_resource\" \"many\" {\n  for_each = { for i in range(1000) : tostring(i) => i }\n}\nmodule \"m\" {\n  source = \"./m\"\n  count  = 1000\n}\n");
                std::fs::create_dir_all(d.join("m")).unwrap();
                write(
                    d,
                    "m/main.tf",
                    "resource \"null_resource\" \"x\" {\n  count = 200\n}\n",
                );
            },
            args: &["validate"],
            code: 1,
            phrases: &[
                "Too many instances",
                "more than 100000 resource and module instances",
            ],
            location: Some("m/main.tf:1:1"),
        },
        Case {
            name: "range of a billion",
            setup: |d| write(d, "r.tf", "locals {\n  r = range(1000000000)\n}\n"),
            args: &["validate"],
            code: 1,
            phrases: &["more than 1024 values were generated"],
            location: Some("r.tf:2:"),
        },
        Case {
            name: "format with a huge width",
            setup: |d| write(d, "f.tf", "locals {\n  f = format(\"%999999999d\", 1)\n}\n"),
            args: &["validate"],
            code: 1,
            phrases: &["width is larger than 65535"],
            location: Some("f.tf:2:7"),
        },
        Case {
            name: "nested for expressions over a billion iterations",
            setup: |d| {
                write(d, "f.tf", "locals {\n  f = [for i in range(1000) : [for j in range(1000) : [for k in range(1000) : k]]]\n}\n")
            },
            args: &["validate"],
            code: 1,
            phrases: &["Expression too expensive"],
            location: Some("f.tf:2:"),
        },
        Case {
            name: "string doubled through locals",
            setup: |d| {
                let mut text = String::from("locals {\n  s0 = \"0123456789abcdef\"\n");
                for i in 1..40 {
                    text.push_str(&format!(
                        "  s{i} = \"${{local.s{0}}}${{local.s{0}}}\"\n",
                        i - 1
                    ));
                }
                text.push_str("}\n");
                write(d, "s.tf", text)
            },
            args: &["validate"],
            code: 1,
            phrases: &["String too long", "limited to 16 MiB"],
            location: Some("s.tf:"),
        },
        Case {
            name: "templatefile including itself",
            setup: |d| {
                write(d, "t.tftpl", "${templatefile(\"t.tftpl\", {})}");
                write(
                    d,
                    "t.tf",
                    "output \"tpl\" {\n  value = templatefile(\"t.tftpl\", {})\n}\n",
                );
            },
            args: &["validate"],
            code: 1,
            phrases: &["cannot recursively call templatefile"],
            location: Some("t.tf:2:"),
        },
        Case {
            name: "file() of a directory",
            setup: |d| {
                std::fs::create_dir(d.join("adir")).unwrap();
                write(d, "f.tf", "output \"f\" {\n  value = file(\"adir\")\n}\n");
            },
            args: &["validate"],
            code: 1,
            phrases: &["it is a directory"],
            location: Some("f.tf:2:16"),
        },
        Case {
            name: "sensitive value in a failing validation is masked",
            setup: |d| {
                write(d, "v.tf", "variable \"pin\" {\n  type      = string\n  sensitive = true\n  validation {\n    condition     = length(var.pin) == 4\n    error_message = \"The pin ${var.pin} must have four digits.\"\n  }\n}\n");
            },
            args: &["plan", "-var", "pin=SECRET-PIN-991"],
            code: 1,
            phrases: &["Invalid value for variable"],
            location: Some("v.tf:"),
        },
    ]
}

#[test]
fn every_bad_input_gives_a_clear_located_error_and_changes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("work");
        support::copy_dir(template(), &dir);
        (case.setup)(&dir);
        let before = snapshot(&dir);
        let mut args = vec![format!("-chdir={}", dir.display())];
        let (globals, rest): (Vec<&str>, Vec<&str>) =
            case.args.iter().partition(|a| a.starts_with("-chdir="));
        args.extend(globals.iter().map(|g| {
            let d = g.trim_start_matches("-chdir=");
            format!("-chdir={}", dir.join(d).display())
        }));
        if let Some((command, extra)) = rest.split_first() {
            args.push(command.to_string());
            args.push("-no-color".into());
            args.extend(extra.iter().map(|s| s.to_string()));
        }
        let out = support::run_env(&args, &offline());
        let after = snapshot(&dir);
        let text = format!("{}{}", out.stderr, out.stdout);
        let mut problems = Vec::new();
        if out.code != case.code {
            problems.push(format!("exit code {} (expected {})", out.code, case.code));
        }
        for p in case.phrases {
            if !text.contains(p) {
                problems.push(format!("no {p:?} in the output"));
            }
        }
        if let Some(loc) = case.location {
            if !text.contains(&format!("--> {loc}")) {
                problems.push(format!("no location {loc:?}"));
            }
        }
        if text.contains("SECRET-PIN-991") || text.contains("tok-default") {
            problems.push("a sensitive value is in the output".into());
        }
        if before != after {
            let changed: Vec<String> = before
                .keys()
                .chain(after.keys())
                .filter(|k| before.get(*k) != after.get(*k))
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            problems.push(format!("files changed: {changed:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n--- output ---\n{}",
                case.name,
                problems.join("; "),
                text.chars().take(1500).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Whether file permissions stop this process from writing (they do not stop root).
fn writes_are_refused(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o444)).unwrap();
    let refused = std::fs::OpenOptions::new()
        .write(true)
        .open(&probe)
        .is_err();
    std::fs::remove_file(&probe).unwrap();
    refused
}

/// The unprivileged user the read-only case runs the CLI as when the tests run as root.
const NOBODY: u32 = 65534;

fn chown_all(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(uid)).unwrap();
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap().flatten() {
            chown_all(&e.path(), uid);
        }
    }
}

/// `ecsform -chdir=DIR COMMAND -no-color EXTRA...`: in-process, or as the `ecsform` binary
/// running as user `uid`.
fn run_as(uid: Option<u32>, dir: &Path, command: &str, extra: &[&str]) -> support::Output {
    let Some(uid) = uid else {
        return support::run_in_env(dir, command, extra, &offline());
    };
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // The build's binary may lie under a directory the user cannot enter (a target dir in
    // root's home): run a copy from a directory anyone can read.
    let bin_dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::set_permissions(bin_dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("making the binary's directory readable");
    let bin = bin_dir.path().join("ecsform");
    std::fs::copy(env!("CARGO_BIN_EXE_ecsform"), &bin).expect("copying the ecsform binary");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755))
        .expect("making the binary executable");
    let out = std::process::Command::new(&bin)
        .arg(format!("-chdir={}", dir.display()))
        .arg(command)
        .arg("-no-color")
        .args(extra)
        .envs(offline())
        .env("HOME", dir)
        .uid(uid)
        .gid(uid)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("running ecsform as an unprivileged user");
    support::Output {
        code: out
            .status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(255),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_read_only_state_is_reported_and_left_as_it_is() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("work");
    support::copy_dir(template(), &dir);
    // Root writes whatever the permissions say: then the commands run as an ordinary user
    // who owns the copy, for whom the permissions hold.
    let user = (!writes_are_refused(&dir)).then_some(NOBODY);
    if let Some(uid) = user {
        chown_all(tmp.path(), uid);
    }
    let state_dir = dir.join("state");
    std::fs::set_permissions(state_path(&dir), std::fs::Permissions::from_mode(0o400)).unwrap();
    std::fs::set_permissions(&state_dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    let before = snapshot(&dir);
    let out = run_as(
        user,
        &dir,
        "apply",
        &["-auto-approve", "-var", "replicas=3"],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("is read-only"), "{}", out.stderr);
    // Reading still works.
    let list = run_as(user, &dir, "state", &["list"]);
    let after = snapshot(&dir);
    std::fs::set_permissions(&state_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(before, after);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stdout.contains("null_resource.a[0]"),
        "{}",
        list.stdout
    );
}
