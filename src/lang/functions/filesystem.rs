//! Filesystem functions: `file filebase64 filemd5 filesha1 filesha256 filesha512
//! filebase64sha256 filebase64sha512 fileexists templatefile` and the path functions `basename
//! dirname abspath pathexpand`. Relative paths resolve against [`FuncContext::base_dir`] and a
//! leading `~` against `$HOME`, as Terraform's `homedir.Expand` does; `dirname`, `abspath` and
//! `pathexpand` clean their results lexically like Go's `filepath.Clean`. Rendering templates
//! is delegated to [`FuncContext::render_template`]. `fileset` lives in `fileset.rs`.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::args::{invalid, string, value};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("file", 1, Some(1), file),
    Function::new("filebase64", 1, Some(1), filebase64),
    Function::new("filemd5", 1, Some(1), filemd5),
    Function::new("filesha1", 1, Some(1), filesha1),
    Function::new("filesha256", 1, Some(1), filesha256),
    Function::new("filesha512", 1, Some(1), filesha512),
    Function::new("filebase64sha256", 1, Some(1), filebase64sha256),
    Function::new("filebase64sha512", 1, Some(1), filebase64sha512),
    Function::new("fileexists", 1, Some(1), fileexists),
    Function::new("templatefile", 2, Some(2), templatefile),
    Function::new("basename", 1, Some(1), basename),
    Function::new("dirname", 1, Some(1), dirname),
    Function::new("abspath", 1, Some(1), abspath),
    Function::new("pathexpand", 1, Some(1), pathexpand),
];

/// Go's `filepath.Clean` for slash-separated paths: collapses repeated separators, drops `.`
/// elements, resolves `..` against the element before it (and drops it at the root), and
/// turns an empty result into `.`. Purely lexical: symbolic links are not consulted.
pub(super) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// `homedir.Expand`: a leading `~` alone or before a separator becomes the home directory;
/// `~user` forms are refused, as Terraform refuses them.
fn expand_home(path: &str) -> Result<String, String> {
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(path.to_string());
    };
    if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\')) {
        return Err("cannot expand user-specific home dir".into());
    }
    let home = std::env::var("HOME")
        .ok()
        .filter(|h| !h.is_empty())
        .ok_or("cannot find the home directory: HOME is not set")?;
    Ok(clean(&format!("{home}/{rest}")))
}

/// The filesystem path a configuration path refers to.
pub(super) fn resolve(ctx: &FuncContext, path: &str) -> Result<PathBuf, FuncError> {
    let expanded =
        expand_home(path).map_err(|e| FuncError::call(format!("failed to expand ~: {e}")))?;
    // Not cleaned, unlike Terraform: the path is shown in template diagnostics as joined.
    Ok(if Path::new(&expanded).is_absolute() {
        PathBuf::from(expanded)
    } else {
        ctx.base_dir.join(expanded)
    })
}

/// Reads the file named by argument 0, returning its bytes and resolved path.
fn read_bytes(args: &[Value], ctx: &FuncContext) -> Result<(Vec<u8>, PathBuf), FuncError> {
    let path = string(args, 0, "path")?;
    let full = resolve(ctx, &path)?;
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
    Ok((bytes, full))
}

/// Reads the UTF-8 file named by argument 0, returning its text and resolved path.
fn read_text(args: &[Value], ctx: &FuncContext) -> Result<(String, PathBuf), FuncError> {
    let (bytes, full) = read_bytes(args, ctx)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        let path = string(args, 0, "path").unwrap_or_default();
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

fn filebase64(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let (bytes, _) = read_bytes(args, ctx)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

fn file_hex<D: Digest>(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let (bytes, _) = read_bytes(args, ctx)?;
    Ok(Value::String(hex::encode(D::digest(&bytes))))
}

fn file_base64<D: Digest>(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let (bytes, _) = read_bytes(args, ctx)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(D::digest(&bytes)),
    ))
}

fn filemd5(args: &[Value], ctx: &FuncContext) -> FuncResult {
    file_hex::<Md5>(args, ctx)
}

fn filesha1(args: &[Value], ctx: &FuncContext) -> FuncResult {
    file_hex::<Sha1>(args, ctx)
}

fn filesha256(args: &[Value], ctx: &FuncContext) -> FuncResult {
    file_hex::<Sha256>(args, ctx)
}

fn filesha512(args: &[Value], ctx: &FuncContext) -> FuncResult {
    file_hex::<Sha512>(args, ctx)
}

fn filebase64sha256(args: &[Value], ctx: &FuncContext) -> FuncResult {
    file_base64::<Sha256>(args, ctx)
}

fn filebase64sha512(args: &[Value], ctx: &FuncContext) -> FuncResult {
    file_base64::<Sha512>(args, ctx)
}

fn fileexists(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let path = string(args, 0, "path")?;
    match std::fs::metadata(resolve(ctx, &path)?) {
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

/// `filepath.Base`: the last element, trailing separators ignored; `.` for an empty path and
/// `/` for a path of separators only.
fn basename(args: &[Value], _: &FuncContext) -> FuncResult {
    let path = string(args, 0, "path")?;
    if path.is_empty() {
        return Ok(Value::string("."));
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::string("/"));
    }
    let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
    Ok(Value::string(base))
}

/// `filepath.Dir`: everything before the last element, cleaned; `.` when there is none.
fn dirname(args: &[Value], _: &FuncContext) -> FuncResult {
    let path = string(args, 0, "path")?;
    let dir = match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".into(),
    };
    Ok(Value::String(dir))
}

/// `filepath.Abs`: a relative path is joined to the directory relative paths resolve against
/// (see [`FuncContext::base_dir`]; Terraform uses its working directory), then cleaned.
fn abspath(args: &[Value], ctx: &FuncContext) -> FuncResult {
    let path = string(args, 0, "path")?;
    if path.starts_with('/') {
        return Ok(Value::String(clean(&path)));
    }
    let base = if ctx.base_dir.is_absolute() {
        ctx.base_dir.to_path_buf()
    } else {
        let cwd = std::env::current_dir().map_err(|e| FuncError::call(format!("getwd: {e}")))?;
        cwd.join(ctx.base_dir)
    };
    let joined = format!("{}/{path}", base.to_string_lossy());
    Ok(Value::String(clean(&joined)))
}

fn pathexpand(args: &[Value], _: &FuncContext) -> FuncResult {
    let path = string(args, 0, "path")?;
    expand_home(&path)
        .map(Value::String)
        .map_err(FuncError::call)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::super::args::testing::{call_with, err, ok, s, strs};
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
            pure_only: false,
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
    fn file_hashes_and_base64_read_raw_bytes() {
        let dir = fixture();
        let p = dir.path();
        let one = |name: &str, file: &str| run_in(p, name, vec![s(file)]).unwrap();
        assert_eq!(one("filebase64", "hello.txt"), s("SGVsbG8gV29ybGQ="));
        // Not UTF-8: only `file` refuses it.
        assert_eq!(one("filebase64", "bad.bin"), s("//4="));
        assert_eq!(
            one("filemd5", "hello.txt"),
            s("b10a8db164e0754105b7a99be72e3fe5")
        );
        assert_eq!(
            one("filesha1", "hello.txt"),
            s("0a4d55a8d778e5022fab701977c5d840bbc486d0")
        );
        assert_eq!(
            one("filesha256", "hello.txt"),
            s("a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e")
        );
        assert_eq!(one("filesha512", "hello.txt").as_str().unwrap().len(), 128);
        assert_eq!(
            one("filebase64sha256", "hello.txt"),
            s("pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4=")
        );
        assert_eq!(
            one("filebase64sha512", "hello.txt"),
            s("LHT9F+2v2A6ER7DUZ0HuJDt+t03SFJoKsbkkb7MDgvJ+hT2FhXGeDmfL2g2qj1FnEGRhXWRa4nrLFb+xRH9Fmw==")
        );
        for name in ["filebase64", "filemd5", "filesha256", "filebase64sha512"] {
            let e = run_in(p, name, vec![s("nope.txt")]).unwrap_err();
            assert_eq!(e.arg, Some(0));
            assert!(
                e.message.contains("no file exists at \"nope.txt\""),
                "{name}"
            );
            assert!(run_in(p, name, vec![s("sub")])
                .unwrap_err()
                .message
                .contains("failed to read file"));
        }
    }

    #[test]
    fn home_is_expanded_but_not_for_other_users() {
        let e = run_in(Path::new("/"), "file", vec![s("~other/x")]).unwrap_err();
        assert_eq!(
            e.message,
            "failed to expand ~: cannot expand user-specific home dir"
        );
    }

    #[test]
    fn basename_and_dirname_follow_go_filepath() {
        let base = |p: &str| ok("basename", vec![s(p)]);
        let dir = |p: &str| ok("dirname", vec![s(p)]);
        assert_eq!(base("foo/bar/baz.txt"), s("baz.txt"));
        assert_eq!(base("foo/bar/"), s("bar"));
        assert_eq!(base("baz.txt"), s("baz.txt"));
        assert_eq!(base(""), s("."));
        assert_eq!(base("///"), s("/"));
        assert_eq!(dir("foo/bar/baz.txt"), s("foo/bar"));
        assert_eq!(dir("foo//bar/./baz.txt"), s("foo/bar"));
        assert_eq!(dir("baz.txt"), s("."));
        assert_eq!(dir("/baz.txt"), s("/"));
        assert_eq!(dir("/a/../../b"), s("/"));
        assert_eq!(dir("a/../../b"), s(".."));
        assert_eq!(dir(""), s("."));
        assert_eq!(dir("foo/bar/"), s("foo/bar"));
    }

    #[test]
    fn abspath_joins_the_base_dir_and_cleans() {
        let base = Path::new("/work/config");
        let abs = |p: &str| run_in(base, "abspath", vec![s(p)]).unwrap();
        assert_eq!(abs("modules/net/../vpc"), s("/work/config/modules/vpc"));
        assert_eq!(abs("/etc//hosts/"), s("/etc/hosts"));
        assert_eq!(abs("."), s("/work/config"));
        let cwd = std::env::current_dir().unwrap();
        let rel = run_in(Path::new("."), "abspath", vec![s("x")]).unwrap();
        assert_eq!(rel, s(&format!("{}/x", cwd.to_string_lossy())));
    }

    #[test]
    fn pathexpand_replaces_a_leading_tilde() {
        let home = std::env::var("HOME").unwrap();
        assert_eq!(
            ok("pathexpand", vec![s("~/.ssh/id_rsa")]),
            s(&format!("{home}/.ssh/id_rsa"))
        );
        assert_eq!(ok("pathexpand", vec![s("~")]), s(&super::clean(&home)));
        assert_eq!(ok("pathexpand", vec![s("/etc/~x")]), s("/etc/~x"));
        assert_eq!(ok("pathexpand", vec![s("a/../b")]), s("a/../b"));
        assert_eq!(
            err("pathexpand", vec![s("~root/x")]),
            "cannot expand user-specific home dir"
        );
    }

    #[test]
    fn clean_is_lexical() {
        for (input, want) in [
            ("", "."),
            ("/", "/"),
            ("a/b/../../..", ".."),
            ("/../a", "/a"),
            ("./a/./b/", "a/b"),
            ("a//b", "a/b"),
        ] {
            assert_eq!(super::clean(input), want, "{input:?}");
        }
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
