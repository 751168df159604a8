//! `fileset(path, pattern)`: the regular files under `path` whose paths relative to it match
//! `pattern`, as a set of slash-separated strings (sorted).
//!
//! Patterns are Terraform's (the `doublestar` library's): `*` and `?` match within one path
//! element, `**` as a whole element matches any number of directories (including none),
//! `[class]`, `[^class]`, `{alt1,alt2}` and `\` escapes. Matching is done by `globset`. Unlike
//! Terraform, characters in `path` are never pattern syntax, and directories reached through
//! symbolic links are not descended into (a cycle could otherwise never end); a symbolic link
//! to a file counts as the file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use super::args::string;
use super::filesystem::{clean, resolve};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[Function::new("fileset", 2, Some(2), fileset)];

fn is_literal(element: &str) -> bool {
    !element.contains(['*', '?', '[', '{', '\\'])
}

fn fileset(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let path = string(args, 0, "path")?;
    let raw = string(args, 1, "pattern")?;
    // Terraform joins the pattern to the path, which cleans it: `./x/*` is `x/*`.
    let pattern = clean(&format!("./{raw}"));
    let matcher = GlobBuilder::new(&pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| FuncError::call(format!("failed to glob pattern {raw:?}: {}", e.kind())))?;
    let root = resolve(ctx, &path)?;
    // Only the part of the tree the pattern can reach is read: from its literal leading
    // elements, and no deeper than it has elements unless it has `**` (or alternatives,
    // which may hold separators).
    let elements: Vec<&str> = pattern.split('/').collect();
    let literal = elements.iter().take_while(|e| is_literal(e)).count();
    let prefix = elements[..literal].join("/");
    let depth = if pattern.contains("**") || pattern.contains('{') {
        usize::MAX
    } else {
        elements.len() - literal
    };
    let mut found = BTreeSet::new();
    if literal == elements.len() {
        // No pattern syntax at all: the one path, if it is a file.
        if root.join(&prefix).is_file() {
            found.insert(prefix);
        }
    } else {
        walk(&root.join(&prefix), &prefix, depth, &matcher, &mut found);
    }
    Ok(Value::Set(found.into_iter().map(Value::String).collect()))
}

/// Collects the regular files under `dir` (shown as `shown/...`) that `matcher` accepts, down
/// to `depth` levels. Unreadable directories are skipped, as Go's glob skips them.
fn walk(
    dir: &Path,
    shown: &str,
    depth: usize,
    matcher: &GlobMatcher,
    found: &mut BTreeSet<String>,
) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if shown.is_empty() {
            name
        } else {
            format!("{shown}/{name}")
        };
        let full: PathBuf = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&full, &rel, depth - 1, matcher, found);
        } else if std::fs::metadata(&full).is_ok_and(|m| m.is_file()) && matcher.is_match(&rel) {
            found.insert(rel);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::super::args::testing::{call_with, s};
    use super::super::{FuncContext, FuncResult};
    use crate::lang::value::Value;

    fn no_templates(_: &str, _: &Path, _: &BTreeMap<String, Value>) -> Result<Value, String> {
        Err("no templates".into())
    }

    fn fileset_in(dir: &Path, path: &str, pattern: &str) -> FuncResult {
        let ctx = FuncContext {
            base_dir: dir,
            render_template: &no_templates,
            pure_only: false,
        };
        call_with("fileset", vec![s(path), s(pattern)], &ctx)
    }

    fn names(dir: &Path, path: &str, pattern: &str) -> Vec<String> {
        match fileset_in(dir, path, pattern).unwrap() {
            Value::Set(items) => items
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
            other => panic!("not a set: {other:?}"),
        }
    }

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for f in [
            "hello.txt",
            "hello.tmpl",
            ".hidden.txt",
            "b.txt",
            "sub/one.txt",
            "sub/two.json",
            "sub/deep/three.txt",
            "sub/deep/er/four.txt",
            "other/five.txt",
        ] {
            let full = p.join(f);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, "x").unwrap();
        }
        std::fs::create_dir(p.join("empty.txt")).unwrap();
        dir
    }

    #[test]
    fn star_stays_within_one_element() {
        let dir = fixture();
        let p = dir.path();
        assert_eq!(
            names(p, ".", "*.txt"),
            [".hidden.txt", "b.txt", "hello.txt"]
        );
        assert_eq!(names(p, ".", "hello.*"), ["hello.tmpl", "hello.txt"]);
        assert_eq!(names(p, ".", "sub/*"), ["sub/one.txt", "sub/two.json"]);
        assert_eq!(names(p, "sub", "*"), ["one.txt", "two.json"]);
        assert_eq!(names(p, ".", "*/*.txt"), ["other/five.txt", "sub/one.txt"]);
        assert_eq!(names(p, ".", "?.txt"), ["b.txt"]);
        // `**` inside an element is an ordinary `*`.
        assert_eq!(names(p, ".", "hel**.txt"), ["hello.txt"]);
        assert_eq!(names(p, ".", "[a-c].txt"), ["b.txt"]);
        assert_eq!(names(p, ".", "[^b]*.txt"), [".hidden.txt", "hello.txt"]);
    }

    #[test]
    fn double_star_crosses_directories_and_sorts() {
        let dir = fixture();
        let p = dir.path();
        assert_eq!(
            names(p, ".", "**/*.txt"),
            [
                ".hidden.txt",
                "b.txt",
                "hello.txt",
                "other/five.txt",
                "sub/deep/er/four.txt",
                "sub/deep/three.txt",
                "sub/one.txt",
            ]
        );
        assert_eq!(
            names(p, ".", "sub/**"),
            [
                "sub/deep/er/four.txt",
                "sub/deep/three.txt",
                "sub/one.txt",
                "sub/two.json",
            ]
        );
        assert_eq!(names(p, "sub", "**/t*"), ["deep/three.txt", "two.json"]);
        assert_eq!(names(p, ".", "sub/**/three.txt"), ["sub/deep/three.txt"]);
        assert_eq!(
            names(p, ".", "{hello,other/five}.txt"),
            ["hello.txt", "other/five.txt"]
        );
    }

    #[test]
    fn literals_dot_segments_and_misses() {
        let dir = fixture();
        let p = dir.path();
        assert_eq!(names(p, ".", "hello.txt"), ["hello.txt"]);
        assert_eq!(names(p, ".", "./sub/../hello.txt"), ["hello.txt"]);
        assert_eq!(names(p, "sub", "../*.tmpl"), ["../hello.tmpl"]);
        // Directories are not files, even when the name matches.
        assert!(names(p, ".", "empty.txt").is_empty());
        assert!(names(p, ".", "*.nope").is_empty());
        assert!(names(p, "missing", "*").is_empty());
        let abs = p.to_string_lossy().into_owned();
        assert_eq!(names(Path::new("/"), &abs, "sub/*.json"), ["sub/two.json"]);
    }

    #[test]
    fn bad_patterns_are_errors() {
        let dir = fixture();
        let e = fileset_in(dir.path(), ".", "[a").unwrap_err();
        assert!(
            e.message.starts_with("failed to glob pattern \"[a\": "),
            "{}",
            e.message
        );
    }
}
