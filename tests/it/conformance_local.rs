//! The types whose objects are files on this machine (built in, no AWS side): the local
//! provider's `local_file` and the archive provider's `archive_file`, resources and data
//! sources. Files written where the configuration says (relative to the working directory),
//! with their modes and the providers' digests; a file deleted or changed outside ecsform
//! written again, as the provider does; archives that stay byte for byte the same from run to
//! run, so that a `source_code_hash` made from one plans no change. Nothing here talks to AWS.

use crate::support;

use std::path::Path;

use base64::Engine;
use sha1::Digest;

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

fn apply(dir: &Path) -> support::Output {
    let out = cli(dir, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out
}

fn plan(dir: &Path) -> support::Output {
    let out = cli(dir, "plan", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out
}

/// Asserts that the next plan changes nothing.
fn no_changes(dir: &Path) {
    let out = cli(dir, "plan", &["-detailed-exitcode"]);
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

fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(sha1::Sha1::digest(bytes))
}

fn base64sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn local_file_conforms() {
    let config = |greeting: &str| {
        format!(
            r#"
terraform {{
  required_providers {{
    local = {{
      source  = "hashicorp/local"
      version = "~> 2.5"
    }}
  }}
}}

data "local_file" "input" {{
  filename = "${{path.module}}/input.txt"
}}

resource "local_file" "greeting" {{
  filename        = "${{path.module}}/out/sub/greeting.txt"
  content         = "{greeting}\n"
  file_permission = "0640"
}}

# The same bytes as greeting's at first: the same id, another file.
resource "local_file" "twin" {{
  filename = "out/twin.txt"
  content  = "hello\n"
}}

resource "local_file" "binary" {{
  filename       = "out/binary.bin"
  content_base64 = "AAEC/w=="
}}

resource "local_file" "copy" {{
  filename = "out/copy.txt"
  source   = data.local_file.input.filename
}}

output "input_sha" {{
  value = data.local_file.input.content_sha256
}}
"#
        )
    };
    let dir = workdir(&config("hello"));
    let d = dir.path();
    std::fs::write(d.join("input.txt"), "from input\n").unwrap();
    apply(d);

    let greeting = d.join("out/sub/greeting.txt");
    assert_eq!(std::fs::read_to_string(&greeting).unwrap(), "hello\n");
    #[cfg(unix)]
    assert_eq!(mode(&greeting), 0o640);
    assert_eq!(
        std::fs::read(d.join("out/binary.bin")).unwrap(),
        [0, 1, 2, 0xff]
    );
    assert_eq!(
        std::fs::read_to_string(d.join("out/copy.txt")).unwrap(),
        "from input\n"
    );
    let a = attributes(d, "local_file.greeting");
    assert_eq!(a["id"], sha1_hex(b"hello\n"));
    assert_eq!(a["content_sha1"], a["id"]);
    assert_eq!(a["content_base64sha256"], base64sha256(b"hello\n"));
    assert_eq!(a["file_permission"], "0640");
    assert_eq!(a["directory_permission"], "0777");
    assert_eq!(attributes(d, "local_file.twin")["id"], a["id"]);
    assert_eq!(
        attributes(d, "local_file.binary")["id"],
        sha1_hex(&[0, 1, 2, 0xff])
    );
    let out = cli(d, "output", &["-raw", "input_sha"]);
    assert_eq!(
        out.stdout.trim(),
        hex::encode(sha2::Sha256::digest(b"from input\n"))
    );
    no_changes(d);

    // Changed outside ecsform: the provider takes the file as gone and writes it again; its
    // twin (same id) is untouched.
    std::fs::write(&greeting, "tampered\n").unwrap();
    std::fs::remove_file(d.join("out/binary.bin")).unwrap();
    let out = plan(d);
    assert!(
        out.stdout.contains("# local_file.greeting will be created"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("# local_file.binary will be created"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("local_file.twin will"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("2 to add, 0 to change, 0 to destroy"),
        "{}",
        out.stdout
    );
    apply(d);
    assert_eq!(std::fs::read_to_string(&greeting).unwrap(), "hello\n");
    assert_eq!(
        std::fs::read(d.join("out/binary.bin")).unwrap(),
        [0, 1, 2, 0xff]
    );
    no_changes(d);

    // New content replaces the file.
    std::fs::write(d.join("main.tf"), config("bonjour")).unwrap();
    let out = plan(d);
    assert!(
        out.stdout
            .contains("# local_file.greeting must be replaced"),
        "{}",
        out.stdout
    );
    apply(d);
    assert_eq!(std::fs::read_to_string(&greeting).unwrap(), "bonjour\n");
    assert_eq!(
        attributes(d, "local_file.greeting")["id"],
        sha1_hex(b"bonjour\n")
    );
    no_changes(d);

    // Destroy removes the files; a file already gone is no error.
    std::fs::remove_file(d.join("out/twin.txt")).unwrap();
    let out = cli(d, "destroy", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for f in [
        "out/sub/greeting.txt",
        "out/twin.txt",
        "out/binary.bin",
        "out/copy.txt",
    ] {
        assert!(!d.join(f).exists(), "{f} is still there");
    }
    assert!(d.join("input.txt").exists());
}

#[test]
fn local_file_refuses_what_the_provider_refuses() {
    let dir = workdir(
        r#"
resource "local_file" "both" {
  filename = "out/both.txt"
  content  = "a"
  source   = "main.tf"
}

data "local_file" "missing" {
  filename = "nowhere.txt"
}
"#,
    );
    let out = cli(dir.path(), "plan", &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("Read local file data source error"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("main.tf:"), "{}", out.stderr);
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"local_file\" \"both\" {\n  filename = \"out/both.txt\"\n  content  = \"a\"\n  source   = \"main.tf\"\n}\n",
    )
    .unwrap();
    let out = cli(dir.path(), "apply", &["-auto-approve"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stderr.contains("local_file.both"), "{}", out.stderr);
    assert!(
        out.stderr.contains("2 attributes specified when one (and only one) of [content,sensitive_content,content_base64,source] is required"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("out/both.txt").exists());
}

#[test]
fn archive_file_conforms() {
    let config = r#"
terraform {
  required_providers {
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

data "archive_file" "function" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  excludes    = ["**/*.pyc"]
  output_path = "${path.module}/build/function.zip"
}

resource "null_resource" "code" {
  triggers = { source_code_hash = data.archive_file.function.output_base64sha256 }
}

resource "archive_file" "bundle" {
  type = "zip"
  source {
    content  = "b"
    filename = "b.txt"
  }
  source {
    content  = "a"
    filename = "dir/a.txt"
  }
  output_file_mode = "0644"
  output_path      = "build/bundle.zip"
}

output "hash" {
  value = data.archive_file.function.output_base64sha256
}
"#;
    let dir = workdir(config);
    let d = dir.path();
    let write_sources = |handler: &str| {
        std::fs::create_dir_all(d.join("src/lib/__pycache__")).unwrap();
        std::fs::write(d.join("src/index.py"), handler).unwrap();
        std::fs::write(d.join("src/lib/util.py"), "X = 1\n").unwrap();
        std::fs::write(d.join("src/lib/__pycache__/util.cpython-312.pyc"), "junk").unwrap();
    };
    write_sources("def handler(event, context):\n    return 1\n");

    // The data source is read while planning: the hash is known in the plan.
    let zip = d.join("build/function.zip");
    let out = plan(d);
    let bytes = std::fs::read(&zip).unwrap();
    let hash = base64sha256(&bytes);
    assert!(out.stdout.contains(&hash), "{}", out.stdout);
    let names = |bytes: Vec<u8>| -> Vec<String> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(bytes), ["index.py", "lib/util.py"]);

    apply(d);
    let out = cli(d, "output", &["-raw", "hash"]);
    assert_eq!(out.stdout.trim(), hash);
    let bundle = d.join("build/bundle.zip");
    let bundle_bytes = std::fs::read(&bundle).unwrap();
    let a = attributes(d, "archive_file.bundle");
    assert_eq!(a["output_size"], bundle_bytes.len());
    assert_eq!(a["output_sha"], sha1_hex(&bundle_bytes));
    assert_eq!(a["id"], a["output_sha"]);
    assert_eq!(a["output_base64sha256"], base64sha256(&bundle_bytes));
    assert_eq!(names(bundle_bytes), ["b.txt", "dir/a.txt"]);
    no_changes(d);

    // The same sources written again later (new modification times) make the same archive.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::remove_file(&zip).unwrap();
    write_sources("def handler(event, context):\n    return 1\n");
    no_changes(d);
    assert_eq!(base64sha256(&std::fs::read(&zip).unwrap()), hash);

    // The resource's archive deleted: refresh builds it again, as the provider's Read does.
    std::fs::remove_file(&bundle).unwrap();
    no_changes(d);
    assert!(bundle.exists());

    // A changed source changes the hash, and what depends on it.
    write_sources("def handler(event, context):\n    return 2\n");
    let out = plan(d);
    assert!(
        out.stdout.contains("# null_resource.code must be replaced"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("archive_file.bundle"),
        "{}",
        out.stdout
    );
    apply(d);

    // As the provider's, destroying the resource leaves its archive.
    let out = cli(d, "destroy", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(bundle.exists());
}

#[test]
fn archive_file_refuses_what_it_does_not_support() {
    let dir = workdir(
        r#"
data "archive_file" "tgz" {
  type                    = "tar.gz"
  source_content          = "x"
  source_content_filename = "x.txt"
  output_path             = "x.tgz"
}
"#,
    );
    let out = cli(dir.path(), "plan", &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("type = \"tar.gz\" is not supported by ecsform yet"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("main.tf:"), "{}", out.stderr);
    assert!(!dir.path().join("x.tgz").exists());
    std::fs::write(
        dir.path().join("main.tf"),
        "data \"archive_file\" \"x\" {\n  type = \"zip\"\n  source_dir = \"src\"\n  exclude_symlink_directories = true\n  output_path = \"x.zip\"\n}\n",
    )
    .unwrap();
    let out = cli(dir.path(), "validate", &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("exclude_symlink_directories"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("not supported"), "{}", out.stderr);
}
