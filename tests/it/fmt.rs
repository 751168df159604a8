//! `ecsform fmt`: the canonical layout (compared with Terraform's), `-check`, `-diff`,
//! rewriting in place, `-recursive`, standard input, and syntax errors.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ecsform::fmt::format_hcl;

const UGLY: &str = "a=1\nlong_name = \"x\"\nblock {\nb= [1,2]\n}\n";
const PRETTY: &str = "a         = 1\nlong_name = \"x\"\nblock {\n  b = [1, 2]\n}\n";

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
    p
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap()
}

/// The fixture's expected text is `terraform fmt` 1.11's output for the input, except that
/// ecsform also trims the spaces after the last comment and adds the final line break.
#[test]
fn formats_like_terraform() {
    let dir = support::repo().join("tests/fixtures/fmt");
    let input = read(&dir.join("unformatted.tf.in"));
    let want = read(&dir.join("formatted.tf"));
    assert_eq!(format_hcl(&input).unwrap(), want);
    assert_eq!(format_hcl(&want).unwrap(), want);
}

/// Checks the fixture against a real `terraform fmt`, so that it cannot drift from what
/// Terraform does. Needs `terraform` on PATH, so it runs only when asked:
/// `cargo test --test it fmt:: -- --ignored`.
#[test]
#[ignore = "needs terraform on PATH: cargo test --test it fmt:: -- --ignored"]
fn fixture_matches_installed_terraform() {
    let dir = support::repo().join("tests/fixtures/fmt");
    let Ok(mut child) = Command::new("terraform")
        .args(["fmt", "-no-color", "-"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        panic!("terraform is not on PATH: this test compares the fixture with terraform fmt");
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(read(&dir.join("unformatted.tf.in")).as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let terraform = String::from_utf8(out.stdout).unwrap();
    // The two documented differences: trailing spaces of the last comment, final newline.
    let terraform = format!(
        "{}\n",
        terraform.trim_end().trim_end_matches("# c").trim_end()
    );
    let ours = read(&dir.join("formatted.tf"));
    let ours = format!("{}\n", ours.trim_end().trim_end_matches("# c").trim_end());
    assert_eq!(ours, terraform);
    // And Terraform leaves our output alone.
    assert_eq!(
        format_hcl(&ours).unwrap(),
        ours,
        "ecsform is stable on its own output"
    );
}

#[test]
fn check_reports_unformatted_files_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.tf", PRETTY);
    let out = support::run_in(dir.path(), "fmt", &["-check"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);

    let bad = write(dir.path(), "bad.tf", UGLY);
    write(dir.path(), "vars.tfvars", "x=1\n");
    let out = support::run_in(dir.path(), "fmt", &["-check"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.stdout, "bad.tf\nvars.tfvars\n");
    assert_eq!(read(&bad), UGLY);
    assert_eq!(read(&good), PRETTY);
}

#[test]
fn diff_prints_a_unified_diff() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "main.tf", UGLY);
    let out = support::run_in(dir.path(), "fmt", &["-check", "-diff"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    // The same text as `terraform fmt -check -diff` prints.
    assert_eq!(
        out.stdout,
        "main.tf\n--- old/main.tf\n+++ new/main.tf\n@@ -1,5 +1,5 @@\n-a=1\n+a         = 1\n long_name = \"x\"\n block {\n-b= [1,2]\n+  b = [1, 2]\n }\n"
    );
    assert_eq!(read(&bad), UGLY, "-check writes nothing");

    // Without -check, -diff shows the change and makes it.
    let out = support::run_in(dir.path(), "fmt", &["-diff"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("+++ new/main.tf"));
    assert_eq!(read(&bad), PRETTY);
}

#[test]
fn rewrites_files_in_place_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.tf", UGLY);
    let b = write(dir.path(), "b.tf", PRETTY);
    let notes = write(dir.path(), "notes.txt", UGLY);
    let out = support::run_in(dir.path(), "fmt", &[] as &[&str]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "a.tf\n"),
        "{}",
        out.stderr
    );
    assert_eq!(read(&a), PRETTY);
    assert_eq!(read(&b), PRETTY);
    assert_eq!(read(&notes), UGLY);
    // A second run has nothing to do.
    let out = support::run_in(dir.path(), "fmt", &[] as &[&str]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));

    // Files may be named; other kinds of file are refused.
    write(dir.path(), "c.tf", UGLY);
    let out = support::run_in(dir.path(), "fmt", &["c.tf"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "c.tf\n"),
        "{}",
        out.stderr
    );
    let out = support::run_in(dir.path(), "fmt", &["notes.txt"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("notes.txt: only .tf and .tfvars files can be formatted"),
        "{}",
        out.stderr
    );
    let out = support::run_in(dir.path(), "fmt", &["missing"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("There is no file or directory at missing"),
        "{}",
        out.stderr
    );
}

#[test]
fn recursive_descends_into_subdirectories_except_tool_directories() {
    let dir = tempfile::tempdir().unwrap();
    let top = write(dir.path(), "main.tf", UGLY);
    let sub = write(dir.path(), "modules/net/main.tf", UGLY);
    let cache = write(dir.path(), ".terraform/modules/x/main.tf", UGLY);
    let git = write(dir.path(), ".git/x.tf", UGLY);
    let target = write(dir.path(), "target/x.tf", UGLY);

    let out = support::run_in(dir.path(), "fmt", &[] as &[&str]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "main.tf\n"));
    assert_eq!(read(&sub), UGLY, "not recursive by default");

    let out = support::run_in(dir.path(), "fmt", &["-recursive"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "modules/net/main.tf\n"),
        "{}",
        out.stderr
    );
    assert_eq!(read(&top), PRETTY);
    assert_eq!(read(&sub), PRETTY);
    for skipped in [cache, git, target] {
        assert_eq!(read(&skipped), UGLY, "{}", skipped.display());
    }

    // A directory argument is listed relative to the working directory.
    write(dir.path(), "modules/net/more.tf", UGLY);
    let out = support::run_in(dir.path(), "fmt", &["-check", "modules"]);
    assert_eq!(out.code, 0, "not recursive: modules/ itself has no files");
    let out = support::run_in(dir.path(), "fmt", &["-check", "-recursive", "modules"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (3, "modules/net/more.tf\n")
    );
}

#[test]
fn syntax_error_is_located_and_the_file_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let broken_text = "resource \"a\" \"b\" {\n  x = [1, 2\n}\n";
    let broken = write(dir.path(), "broken.tf", broken_text);
    let other = write(dir.path(), "other.tf", UGLY);
    let out = support::run_in(dir.path(), "fmt", &[] as &[&str]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Error: "), "{}", out.stderr);
    assert!(out.stderr.contains("--> broken.tf:2:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("broken.tf was not changed."),
        "{}",
        out.stderr
    );
    assert_eq!(read(&broken), broken_text);
    // The other files are still formatted.
    assert_eq!(out.stdout, "other.tf\n");
    assert_eq!(read(&other), PRETTY);
}

#[test]
fn standard_input_to_standard_output() {
    let out = support::run_answering(&["fmt", "-"], UGLY);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, PRETTY),
        "{}",
        out.stderr
    );
    let out = support::run_answering(&["fmt", "-check", "-"], UGLY);
    assert_eq!((out.code, out.stdout.as_str()), (3, ""));
    let out = support::run_answering(&["fmt", "-check", "-"], PRETTY);
    assert_eq!(out.code, 0);
    let out = support::run_answering(&["fmt", "-"], "a = {\n");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("<stdin>:"), "{}", out.stderr);

    // The same through the binary with a pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecsform"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(UGLY.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), PRETTY);
}

/// The shipped modules and examples stay formatted.
#[test]
fn modules_and_examples_are_formatted() {
    let out = support::run_in(
        support::repo(),
        "fmt",
        &["-check", "-recursive", "modules", "examples"],
    );
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", ""),
        "run `ecsform fmt -recursive modules examples`"
    );
}

/// Terraform's rewrites of legacy idioms (`"${x}"`, quoted type names) keep what the
/// configuration evaluates to.
#[test]
fn rewrites_keep_what_the_legacy_fixture_evaluates_to() {
    use ecsform::ops::load::{self, LoadOptions};
    let src = support::repo().join("tests/fixtures/legacy");
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&src, dir.path());
    let evaluate = |dir: &Path| {
        let loaded = load::load(&LoadOptions {
            dir: dir.to_path_buf(),
            ..LoadOptions::default()
        });
        assert!(
            !loaded.diags.has_errors(),
            "{}",
            loaded.diags.render(&loaded.sources, false)
        );
        let mut configs: Vec<(String, String)> = loaded
            .evaluated
            .instances
            .iter()
            .map(|(a, i)| (a.to_string(), format!("{:?}", i.config)))
            .collect();
        configs.sort();
        configs
    };
    let before = evaluate(dir.path());
    let out = support::run_in(dir.path(), "fmt", &[] as &[&str]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "main.tf\n"),
        "{}",
        out.stderr
    );
    let text = read(&dir.path().join("main.tf"));
    assert!(
        text.contains("vpc_id            = aws_vpc.vpc.id\n"),
        "{text}"
    );
    assert!(text.contains("type    = list(string)"), "{text}");
    assert_eq!(evaluate(dir.path()), before);
}
