//! Filesystem functions: `file fileexists templatefile`. Relative paths resolve against
//! [`FuncContext::base_dir`] and a leading `~/` against `$HOME`; rendering templates is
//! delegated to [`FuncContext::render_template`].

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::args::{invalid, string, value};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("file", 1, Some(1), file),
    Function::new("fileexists", 1, Some(1), fileexists),
    Function::new("templatefile", 2, Some(2), templatefile),
];

/// The filesystem path a configuration path refers to.
fn resolve(ctx: &FuncContext, path: &str) -> PathBuf {
    let expanded = match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    };
    if expanded.is_absolute() {
        expanded
    } else {
        ctx.base_dir.join(expanded)
    }
}

/// Reads the UTF-8 file named by argument 0, returning its text and resolved path.
fn read_text(args: &[Value], ctx: &FuncContext) -> Result<(String, PathBuf), FuncError> {
    let path = string(args, 0, "path")?;
    let full = resolve(ctx, &path);
    let bytes = crate::lang::limits::read_file(&full).map_err(|e| match e.kind() {
        ErrorKind::NotFound => invalid(
            0,
            "path",
            format!(
                "no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"
            ),
        ),
        _ => invalid(0, "path", format!("failed to read file {path:?}: {e}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        invalid(
            0,
            "path",
            format!(
                "contents of {path:?} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
            ),
        )
    })?;
    Ok((text, full))
}

fn file(args: &[Value], ctx: &FuncContext) -> FuncResult {
    read_text(args, ctx).map(|(text, _)| Value::String(text))
}

fn fileexists(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let path = string(args, 0, "path")?;
    match std::fs::metadata(resolve(ctx, &path)) {
        Ok(meta) if meta.is_file() => Ok(Value::Bool(true)),
        Ok(meta) if meta.is_dir() => Err(invalid(
            0,
            "path",
            format!("{path:?} is a directory, not a file"),
        )),
        Ok(_) => Err(invalid(
            0,
            "path",
            format!("{path:?} is not a regular file"),
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(_) => Err(FuncError::call(format!("failed to stat {path:?}"))),
    }
}

/// HCL identifier rule for template variable names.
fn valid_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn templatefile(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let vars = value(args, 1, "vars")?
        .as_map()
        .ok_or_else(|| invalid(1, "vars", "invalid vars value: must be a map"))?;
    if let Some(bad) = vars.keys().find(|k| !valid_identifier(k)) {
        return Err(invalid(
            1,
            "vars",
            format!("invalid template variable name {bad:?}: must start with a letter, followed by zero or more letters, digits, and underscores"),
        ));
    }
    let (source, path) = read_text(args, ctx)?;
    (ctx.render_template)(&source, &path, vars).map_err(FuncError::call)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::super::args::testing::{call_with, s, strs};
    use super::super::{FuncContext, FuncResult};
    use crate::lang::value::Value;

    /// A fake renderer: replaces `${name}` with the variable's string form.
    fn render(source: &str, _: &Path, vars: &BTreeMap<String, Value>) -> Result<Value, String> {
        let mut out = source.to_string();
        for (k, v) in vars {
            let text = v.to_template_string().ok_or(format!("cannot render {k}"))?;
            out = out.replace(&format!("${{{k}}}"), &text);
        }
        if out.contains("${") {
            return Err("Invalid template interpolation: unknown variable".into());
        }
        Ok(Value::String(out))
    }

    fn run_in(dir: &Path, name: &str, args: Vec<Value>) -> FuncResult {
        let ctx = FuncContext {
            base_dir: dir,
            render_template: &render,
        };
        call_with(name, args, &ctx)
    }

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hello.txt"), "Hello World").unwrap();
        std::fs::write(dir.path().join("bad.bin"), [0xff, 0xfe]).unwrap();
        std::fs::write(dir.path().join("t.tpl"), "name=${name}").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        dir
    }

    #[test]
    fn file_reads_relative_to_base_dir() {
        let dir = fixture();
        let p = dir.path();
        assert_eq!(
            run_in(p, "file", vec![s("hello.txt")]).unwrap(),
            s("Hello World")
        );
        let abs = p.join("hello.txt").to_string_lossy().into_owned();
        assert_eq!(
            run_in(Path::new("/"), "file", vec![s(&abs)]).unwrap(),
            s("Hello World")
        );
        let missing = run_in(p, "file", vec![s("nope.txt")]).unwrap_err();
        assert_eq!(missing.arg, Some(0));
        assert!(missing.message.contains("no file exists at \"nope.txt\""));
        let bad = run_in(p, "file", vec![s("bad.bin")]).unwrap_err();
        assert!(bad.message.contains("are not valid UTF-8"));
        assert!(run_in(p, "file", vec![s("sub")])
            .unwrap_err()
            .message
            .contains("failed to read file"));
    }

    #[test]
    fn fileexists_reports_regular_files() {
        let dir = fixture();
        let p = dir.path();
        assert_eq!(
            run_in(p, "fileexists", vec![s("hello.txt")]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            run_in(p, "fileexists", vec![s("nope.txt")]).unwrap(),
            Value::Bool(false)
        );
        let e = run_in(p, "fileexists", vec![s("sub")]).unwrap_err();
        assert!(e.message.contains("\"sub\" is a directory, not a file"));
        assert!(run_in(p, "fileexists", vec![Value::Null]).is_err());
    }

    #[test]
    fn templatefile_renders_with_vars() {
        let dir = fixture();
        let p = dir.path();
        let vars = Value::map([("name", s("web"))]);
        assert_eq!(
            run_in(p, "templatefile", vec![s("t.tpl"), vars]).unwrap(),
            s("name=web")
        );
        let e = run_in(p, "templatefile", vec![s("t.tpl"), Value::map::<&str>([])]).unwrap_err();
        assert_eq!(e.arg, None);
        assert!(e.message.contains("unknown variable"));
        let e = run_in(p, "templatefile", vec![s("t.tpl"), strs(&["x"])]).unwrap_err();
        assert!(e.message.contains("invalid vars value: must be a map"));
        let e = run_in(
            p,
            "templatefile",
            vec![s("t.tpl"), Value::map([("1x", s("a"))])],
        )
        .unwrap_err();
        assert!(e.message.contains("invalid template variable name \"1x\""));
        let e = run_in(
            p,
            "templatefile",
            vec![s("none.tpl"), Value::map([("a", s("b"))])],
        )
        .unwrap_err();
        assert!(e.message.contains("no file exists"));
        let unknown = Value::map([("name", Value::Unknown)]);
        assert_eq!(
            run_in(p, "templatefile", vec![s("t.tpl"), unknown]).unwrap(),
            Value::Unknown
        );
    }
}
