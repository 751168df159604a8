//! The map of the code: ecsform's top-level modules in layers, lowest first (numbered from 1
//! in messages, as in docs/development.md). A module may use
//! the modules of the layers below its own, never one of its own layer or above. This test
//! reads every `crate::` path in `src/` (comments and `#[cfg(test)]` code aside: a test may
//! reach anywhere) and fails on one that goes against the order, naming the file and line.
//!
//! Adding a top-level module means placing it here, in the layer it belongs to.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. The modules of one layer do not use each other.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations: diagnostics with source spans, Terraform addresses, Ctrl-C, timings",
        &["diag", "addrs", "interrupt", "timings"],
    ),
    (
        "reading: the module tree from *.tf files and inputs; the formatter",
        &["config", "fmt"],
    ),
    (
        "the language: values, evaluation, functions, types",
        &["lang"],
    ),
    (
        "the AWS provider's schemas, and helpers over values that follow them",
        &["provider"],
    ),
    (
        "the state (SQLite, S3); AWS: clients, errors, retries, the resource types and their registry",
        &["state", "aws"],
    ),
    (
        "the configuration graph and the evaluation walk",
        &["graph"],
    ),
    (
        "planning (pure) and saved plan files",
        &["plan"],
    ),
    (
        "rendering plans and state; applying a plan",
        &["render", "apply"],
    ),
    (
        "operations: load, refresh, recover, plan, apply, import",
        &["ops"],
    ),
    ("the command line", &["cli"]),
];

fn src_dir() -> PathBuf {
    crate::support::repo().join("src")
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `text` that are not test code: each `#[cfg(test)]` item is left out (a braced
/// item up to its closing brace; a `mod name;` is returned in `test_files` instead, with its
/// `#[path]` if it has one). Line numbers are kept (1-based).
fn non_test_lines(text: &str, test_files: &mut Vec<String>) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[cfg(test)]" {
            out.push((i + 1, lines[i].to_string()));
            i += 1;
            continue;
        }
        // Skip further attributes, remembering a #[path].
        let mut j = i + 1;
        let mut path_attr = None;
        while j < lines.len() && lines[j].trim_start().starts_with("#[") {
            let t = lines[j].trim();
            if let Some(rest) = t.strip_prefix("#[path = \"") {
                path_attr = rest.strip_suffix("\"]").map(str::to_string);
            }
            j += 1;
        }
        let item = lines.get(j).map(|l| l.trim()).unwrap_or("");
        if item.ends_with(';') {
            if let Some(name) = item
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ")
                .strip_prefix("mod ")
            {
                let name = name.trim_end_matches(';');
                test_files.push(path_attr.unwrap_or_else(|| format!("{name}.rs")));
            }
            i = j + 1;
            continue;
        }
        // A braced item: skip to the brace that closes it.
        let mut depth = 0i32;
        let mut opened = false;
        let mut k = j;
        while k < lines.len() {
            depth += braces(lines[k]);
            opened |= lines[k].contains('{');
            k += 1;
            if opened && depth <= 0 {
                break;
            }
        }
        i = k;
    }
    out
}

/// Net `{` minus `}` on a line, outside string and char literals and `//` comments.
fn braces(line: &str) -> i32 {
    let mut n = 0;
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_str => {
                chars.next();
            }
            '"' => in_str = !in_str,
            '\'' if !in_str => {
                // A char literal ('{', '\'') or a lifetime ('a): skip a literal whole.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\\") {
                    chars.nth(2);
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.nth(1);
                }
            }
            '/' if !in_str && chars.peek() == Some(&'/') => break,
            '{' if !in_str => n += 1,
            '}' if !in_str => n -= 1,
            _ => {}
        }
    }
    n
}

/// Every use of another top-level module from non-test code: (from, to) → "file:line".
fn dependencies() -> BTreeMap<(String, String), Vec<String>> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
    let mut deps: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut texts = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        let mut test_files = Vec::new();
        let lines = non_test_lines(&text, &mut test_files);
        let dir = file.parent().expect("parent");
        // `mod x;` in `a/mod.rs` is `a/x.rs`; in `a/b.rs` it is `a/b/x.rs`.
        let base = if file
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            dir.to_path_buf()
        } else {
            dir.join(file.file_stem().expect("stem"))
        };
        for t in test_files {
            test_only.insert(dir.join(&t));
            test_only.insert(base.join(&t));
        }
        texts.push((file.clone(), lines));
    }
    for (file, lines) in texts {
        if test_only.contains(&file) {
            continue;
        }
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("component");
        let from = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if from == "main" || from == "lib" {
            continue;
        }
        for (n, line) in lines {
            let code = line.split("//").next().unwrap_or("");
            for (at, _) in code.match_indices("crate::") {
                let before = code[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // `ecsform_crate::`, not ours
                }
                let to: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if to.is_empty() || to == from {
                    continue;
                }
                deps.entry((from.clone(), to))
                    .or_default()
                    .push(format!("src/{}:{n}", rel.display()));
            }
        }
    }
    deps
}

#[test]
fn every_top_level_module_has_a_layer() {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(src_dir()).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .to_string();
        if path.is_dir() || path.extension().is_some_and(|e| e == "rs") {
            modules.insert(name);
        }
    }
    modules.remove("main");
    modules.remove("lib");
    let missing: Vec<_> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "top-level modules with no layer in tests/it/architecture.rs: {missing:?}"
    );
    let listed: Vec<_> = LAYERS
        .iter()
        .flat_map(|(_, ms)| ms.iter())
        .filter(|m| !modules.contains(**m))
        .collect();
    assert!(
        listed.is_empty(),
        "layers name modules that do not exist: {listed:?}"
    );
}

#[test]
fn modules_use_only_lower_layers() {
    let deps = dependencies();
    // The scan sees real uses (so a broken scanner cannot pass by seeing nothing).
    for (from, to) in [
        ("ops", "plan"),
        ("plan", "graph"),
        ("aws", "provider"),
        ("cli", "ops"),
    ] {
        assert!(
            deps.contains_key(&(from.to_string(), to.to_string())),
            "expected {from} to use {to}; the scan found {:?}",
            deps.keys().collect::<Vec<_>>()
        );
    }
    let mut wrong = Vec::new();
    for ((from, to), places) in &deps {
        let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else {
            wrong.push(format!("{from} -> {to}: not in LAYERS ({})", places[0]));
            continue;
        };
        if lt >= lf {
            wrong.push(format!(
                "{from} (layer {}: {}) uses {to} (layer {}: {}) at {}",
                lf + 1,
                LAYERS[lf].0,
                lt + 1,
                LAYERS[lt].0,
                places.join(", ")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies against the layer order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn test_code_is_left_out_of_the_scan() {
    let text = "use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::z;\n    fn f() { let s = \"}\"; }\n}\n#[cfg(test)]\n#[path = \"x_tests.rs\"]\nmod x_tests;\nuse crate::b;\n";
    let mut files = Vec::new();
    let lines = non_test_lines(text, &mut files);
    let kept: Vec<_> = lines.iter().map(|(n, l)| (*n, l.as_str())).collect();
    assert_eq!(kept, vec![(1, "use crate::a;"), (10, "use crate::b;")]);
    assert_eq!(files, vec!["x_tests.rs".to_string()]);
}

/// Resource types with no AWS side, tested by their unit tests instead.
const NO_CONFORMANCE_TEST: &[(&str, &str)] =
    &[("null_resource", "no AWS side: src/aws/builtin.rs tests it")];

/// Adding a type is one file, one registry row and a conformance test against moto: every
/// registered resource type has a test in `tests/it/conformance_*.rs` named after it
/// (`aws_vpc_conforms`, `key_pair_lifecycle`: the type's name, with or without `aws_`, then
/// `_`).
#[test]
fn every_registered_resource_type_has_a_conformance_test() {
    let dir = crate::support::repo().join("tests/it");
    let mut tests = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("read tests/it") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        if !(name.starts_with("conformance_") && name.ends_with(".rs")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read test file");
        for (at, _) in text.match_indices("fn ") {
            let name: String = text[at + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            tests.insert(name);
        }
    }
    let mut missing = Vec::new();
    for r in ecsform::aws::RESOURCE_TYPES {
        let name = r.resource_type.type_name();
        if NO_CONFORMANCE_TEST.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let short = name.trim_start_matches("aws_");
        let found = tests
            .iter()
            .any(|t| t.starts_with(&format!("{name}_")) || t.starts_with(&format!("{short}_")));
        if !found {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "registered resource types without a conformance test in tests/it/conformance_*.rs: \
         {missing:?}"
    );
}
