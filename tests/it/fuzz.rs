//! Fuzzing the loading and evaluation of configurations and variable files with proptest.
//!
//! Two generators feed `ecsform validate`:
//! - **mutations** of the corpus — every `.tf`, `.tfvars` and `.tfvars.json` in `modules/`,
//!   `examples/` and `tests/fixtures/` (including `tests/fixtures/fuzz/`, the cases fuzzing
//!   found): byte flips, truncation, splices between files, duplicated blocks, deep nesting,
//!   huge strings, odd unicode, CRLF, NULs, and tokens from an HCL dictionary;
//! - **generated expression trees**: literals, references, every built-in function, `for`
//!   expressions, templates and operators, nested, in locals, outputs, `count` and arguments.
//!
//! Each case runs the real binary in a child process with an address-space limit
//! ([`MEMORY_LIMIT_KB`]) and a time limit ([`TIME_LIMIT`]), and must exit 0 or 1 without a
//! panic, a crash or a hang; every error it prints must point at a `file:line:col`.
//!
//! By default each fuzz test runs for a few seconds (CI). `ECSFORM_FUZZ_SECS=600 cargo test
//! --test it fuzz:: -- --nocapture` runs each for that long. A failing case is written to
//! `$CARGO_TARGET_DIR/fuzz-failures/` (after proptest has shrunk it); keep it as a regression
//! case in `tests/fixtures/fuzz/` once fixed.

use crate::support;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Address space a case may use (the debug binary maps ~100 MB before it starts).
const MEMORY_LIMIT_KB: u64 = 3 * 1024 * 1024;
/// Wall-clock time a case may take (a debug build; the machine may be busy).
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// One input: files of a working directory, and whether to pass the variables file.
#[derive(Clone, Debug)]
struct Case {
    files: Vec<(String, Vec<u8>)>,
}

/// What running a case showed.
struct Outcome {
    code: Option<i32>,
    stderr: String,
    stdout: String,
    elapsed: Duration,
    timed_out: bool,
}

fn run_case(case: &Case) -> Outcome {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut var_files = Vec::new();
    for (name, bytes) in &case.files {
        std::fs::write(dir.path().join(name), bytes).expect("write case file");
        if (name.ends_with(".tfvars") || name.ends_with(".tfvars.json"))
            && name != "terraform.tfvars"
        {
            var_files.push(format!("-var-file={name}"));
        }
    }
    let bin = env!("CARGO_BIN_EXE_ecsform");
    let script = format!("ulimit -v {MEMORY_LIMIT_KB}; exec \"$0\" \"$@\"");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .arg(bin)
        .arg(format!("-chdir={}", dir.path().display()))
        .arg("validate")
        .arg("-no-color")
        .args(&var_files)
        .env("RUST_BACKTRACE", "0")
        .env_remove("TF_VAR_v")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn ecsform");
    // Read the pipes on threads so that a chatty child never blocks on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    Outcome {
        code: status.code(),
        stderr,
        stdout,
        elapsed,
        timed_out,
    }
}

/// The properties every case must have; the error says which one failed.
fn check(case: &Case) -> Result<(), String> {
    let o = run_case(case);
    if o.timed_out {
        return Err(format!("hang: no exit after {:?}", o.elapsed));
    }
    let tail = |s: &str| {
        s.chars()
            .rev()
            .take(3000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>()
    };
    match o.code {
        Some(0) | Some(1) => {}
        Some(c) => return Err(format!("exit code {c}; stderr:\n{}", tail(&o.stderr))),
        None => {
            return Err(format!(
                "killed by a signal (crash, stack overflow or out of memory); stderr:\n{}",
                tail(&o.stderr)
            ))
        }
    }
    if o.stderr.contains("panicked at") {
        return Err(format!("panic:\n{}", tail(&o.stderr)));
    }
    if o.code == Some(0) && !o.stdout.contains("Success!") {
        return Err(format!("exit 0 without success:\n{}", tail(&o.stdout)));
    }
    if o.code == Some(1) && !o.stderr.contains("Error: ") {
        return Err(format!("exit 1 without an error:\n{}", tail(&o.stderr)));
    }
    // Every error points at a place: the line after "Error: ..." is " --> FILE:LINE:COL".
    let lines: Vec<&str> = o.stderr.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(summary) = line.strip_prefix("Error: ") {
            let next = lines.get(i + 1).copied().unwrap_or("");
            let located = next.trim_start().strip_prefix("--> ").is_some_and(|loc| {
                let mut parts = loc.rsplitn(3, ':');
                let col = parts.next().unwrap_or("");
                let line = parts.next().unwrap_or("");
                col.parse::<u32>().is_ok() && line.parse::<u32>().is_ok()
            });
            if !located {
                return Err(format!(
                    "error without a location: {summary}\n{}",
                    lines[i..(i + 6).min(lines.len())].join("\n")
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The corpus and its mutations

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            collect(&p, out);
        } else if name.ends_with(".tf")
            || name.ends_with(".tfvars")
            || name.ends_with(".tfvars.json")
            || name.ends_with(".tftpl")
        {
            out.push(p);
        }
    }
}

/// Every corpus file's name and contents, sorted by path (the order seeds rely on).
fn corpus() -> &'static [(String, Vec<u8>)] {
    static CORPUS: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut paths = Vec::new();
        for d in ["modules", "examples", "tests/fixtures"] {
            collect(&support::repo().join(d), &mut paths);
        }
        paths
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).expect("read corpus file");
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, bytes)
            })
            .collect()
    })
}

/// Tokens that mean something to HCL, spliced into files.
const DICTIONARY: &[&str] = &[
    "${",
    "%{",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "<<EOF\n",
    "\nEOF\n",
    "<<-EOT\n",
    " for ",
    " in ",
    " : ",
    " => ",
    "...",
    "count",
    "for_each",
    "each.key",
    "each.value",
    "count.index",
    "var.",
    "local.",
    "module.",
    "data.",
    "self.",
    "null",
    "true",
    "? 1 : 2",
    "[*]",
    ".*",
    "#",
    "//",
    "/*",
    "*/",
    "\n",
    " = ",
    "~}",
    "%{ for x in [1] }",
    "%{ endfor }",
    "%{ if true }",
    "%{ else }",
    "%{ endif }",
    "-1",
    "1e308",
    "-0",
    "NaN",
    "0x10",
    "1.5",
    "\\",
    "\\u0000",
    "$${",
    "%%{",
    "path.module",
    "terraform.workspace",
    "range(1000)",
    "range(-5)",
    "format(\"%999d\", 1)",
    "templatefile(\"t.tftpl\", {})",
    "file(\"main.tf\")",
    "cidrsubnets(\"10.0.0.0/8\", 8, 8)",
    "jsondecode(\"[[[[1]]]]\")",
    "tolist(",
    "toset(",
    "tomap(",
    "merge(",
    "flatten(",
    "sensitive(",
    "nonsensitive(",
    "try(",
    "can(",
    "lookup(",
    "element(",
    "regex(\"(a+)+$\", ",
    "replace(",
    "join(\",\", ",
    "split(\",\", ",
    "module \"m\" { source = \"./\" }\n",
    "locals {\n",
    "variable \"v\" {\n",
    "output \"o\" {\n",
    "resource \"null_resource\" \"r\" {\n",
    "dynamic \"x\" {\n",
    "content {\n",
    "lifecycle {\n",
    "validation {\n",
    "sensitive = true\n",
    "type = ",
    "list(",
    "map(",
    "object({",
    "optional(",
    "any",
    "string",
    "number",
    "bool",
    "\u{feff}",
    "\u{202e}",
    "\u{0301}",
    "é",
    "日本",
    "\u{1F600}",
    "\r\n",
    "\t",
    "\0",
];

/// Strings with odd unicode: combining marks, right-to-left override, BOM, astral planes.
const UNICODE: &[&str] = &[
    "\u{feff}",
    "\u{202e}abc",
    "e\u{0301}\u{0301}\u{0301}",
    "\u{1F600}\u{1F3FD}",
    "\u{FFFD}",
    "\u{200B}",
    "Ω≈ç√",
    "\u{10FFFF}",
    "ǅ",
    "\u{2028}",
];

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace a byte.
    Flip { at: u32, byte: u8 },
    /// Cut the file.
    Truncate { at: u32 },
    /// Remove a range.
    Delete { at: u32, len: u16 },
    /// Insert a range of another corpus file.
    Splice {
        other: u32,
        from: u32,
        len: u16,
        at: u32,
    },
    /// Repeat a range (typically duplicating a block or argument).
    Duplicate { at: u32, len: u16, times: u8 },
    /// Insert a dictionary token.
    Token { which: u16, at: u32 },
    /// Wrap a position in many brackets, braces, calls or directives.
    Nest { kind: u8, depth: u16, at: u32 },
    /// Insert a huge string literal.
    Huge { len: u32, at: u32 },
    /// Insert odd unicode.
    Unicode { which: u8, at: u32 },
    /// Turn every line ending into CRLF (or lone CRs).
    LineEndings { lone_cr: bool },
    /// Insert a NUL byte.
    Nul { at: u32 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<u32>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        1 => any::<u32>().prop_map(|at| Mutation::Truncate { at }),
        2 => (any::<u32>(), 1..200u16).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => (any::<u32>(), any::<u32>(), 1..400u16, any::<u32>())
            .prop_map(|(other, from, len, at)| Mutation::Splice { other, from, len, at }),
        2 => (any::<u32>(), 1..400u16, 1..20u8)
            .prop_map(|(at, len, times)| Mutation::Duplicate { at, len, times }),
        4 => (any::<u16>(), any::<u32>()).prop_map(|(which, at)| Mutation::Token { which, at }),
        1 => (0..8u8, 1..120u16, any::<u32>())
            .prop_map(|(kind, depth, at)| Mutation::Nest { kind, depth, at }),
        1 => (0..3_000_000u32, any::<u32>()).prop_map(|(len, at)| Mutation::Huge { len, at }),
        1 => (any::<u8>(), any::<u32>()).prop_map(|(which, at)| Mutation::Unicode { which, at }),
        1 => any::<bool>().prop_map(|lone_cr| Mutation::LineEndings { lone_cr }),
        1 => any::<u32>().prop_map(|at| Mutation::Nul { at }),
    ]
}

fn pos(at: u32, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        at as usize % (len + 1)
    }
}

fn apply(m: &Mutation, data: &mut Vec<u8>) {
    let corpus = corpus();
    match *m {
        Mutation::Flip { at, byte } => {
            if !data.is_empty() {
                let i = at as usize % data.len();
                data[i] = byte;
            }
        }
        Mutation::Truncate { at } => data.truncate(pos(at, data.len())),
        Mutation::Delete { at, len } => {
            let i = pos(at, data.len());
            let end = (i + len as usize).min(data.len());
            data.drain(i..end);
        }
        Mutation::Splice {
            other,
            from,
            len,
            at,
        } => {
            let src = &corpus[other as usize % corpus.len()].1;
            let f = pos(from, src.len());
            let end = (f + len as usize).min(src.len());
            let i = pos(at, data.len());
            let piece = src[f..end].to_vec();
            data.splice(i..i, piece);
        }
        Mutation::Duplicate { at, len, times } => {
            let i = pos(at, data.len());
            let end = (i + len as usize).min(data.len());
            let piece = data[i..end].to_vec();
            for _ in 0..times {
                data.splice(end..end, piece.iter().copied());
            }
        }
        Mutation::Token { which, at } => {
            let t = DICTIONARY[which as usize % DICTIONARY.len()];
            let i = pos(at, data.len());
            data.splice(i..i, t.bytes());
        }
        Mutation::Nest { kind, depth, at } => {
            let (open, close) = match kind {
                0 => ("[", "]"),
                1 => ("(", ")"),
                2 => ("{a=", "}"),
                3 => ("abs(", ")"),
                4 => ("\"${", "}\""),
                5 => ("[for x in ", ": x]"),
                6 => ("\"%{if true}", "%{endif}\""),
                _ => ("x {\n", "}\n"),
            };
            let i = pos(at, data.len());
            let mut piece = open.repeat(depth as usize);
            piece.push('1');
            piece.push_str(&close.repeat(depth as usize));
            data.splice(i..i, piece.bytes());
        }
        Mutation::Huge { len, at } => {
            let i = pos(at, data.len());
            let mut piece = String::from("\"");
            piece.push_str(&"x".repeat(len as usize));
            piece.push('"');
            data.splice(i..i, piece.bytes());
        }
        Mutation::Unicode { which, at } => {
            let t = UNICODE[which as usize % UNICODE.len()];
            let i = pos(at, data.len());
            data.splice(i..i, t.bytes());
        }
        Mutation::LineEndings { lone_cr } => {
            let text = String::from_utf8_lossy(data).replace("\r\n", "\n");
            let to = if lone_cr { "\r" } else { "\r\n" };
            *data = text.replace('\n', to).into_bytes();
        }
        Mutation::Nul { at } => {
            let i = pos(at, data.len());
            data.insert(i, 0);
        }
    }
}

/// A configuration file and a variables file from the corpus, each mutated.
fn mutated_case() -> impl Strategy<Value = Case> {
    (
        any::<u32>(),
        prop::collection::vec(mutation(), 1..6),
        any::<u32>(),
        prop::collection::vec(mutation(), 0..3),
    )
        .prop_map(|(main, muts, vars, var_muts)| {
            let corpus = corpus();
            let (_, main_src) = &corpus[main as usize % corpus.len()];
            let mut main_bytes = main_src.clone();
            for m in &muts {
                apply(m, &mut main_bytes);
            }
            let mut files = vec![("main.tf".to_string(), main_bytes)];
            // A variables file: mutated, or the corpus file itself when the seed picks none.
            let (var_name, var_src) = &corpus[vars as usize % corpus.len()];
            if var_name.ends_with(".tfvars") || var_name.ends_with(".tfvars.json") {
                let mut bytes = var_src.clone();
                for m in &var_muts {
                    apply(m, &mut bytes);
                }
                let name = if var_name.ends_with(".json") {
                    "case.tfvars.json"
                } else {
                    "case.tfvars"
                };
                files.push((name.to_string(), bytes));
            }
            files.push((
                "t.tftpl".to_string(),
                b"${x} %{ for i in [1] }${i}%{ endfor }".to_vec(),
            ));
            Case { files }
        })
}

// ---------------------------------------------------------------------------------------
// Generated expression trees

/// Function names and how many arguments to give them (some calls get a wrong count).
const FUNCTIONS: &[(&str, usize)] = &[
    ("abs", 1),
    ("alltrue", 1),
    ("anytrue", 1),
    ("base64decode", 1),
    ("base64encode", 1),
    ("can", 1),
    ("ceil", 1),
    ("chunklist", 2),
    ("cidrhost", 2),
    ("cidrnetmask", 1),
    ("cidrsubnet", 3),
    ("cidrsubnets", 3),
    ("coalesce", 2),
    ("coalescelist", 2),
    ("compact", 1),
    ("concat", 2),
    ("contains", 2),
    ("distinct", 1),
    ("element", 2),
    ("endswith", 2),
    ("file", 1),
    ("fileexists", 1),
    ("flatten", 1),
    ("floor", 1),
    ("format", 2),
    ("formatlist", 2),
    ("index", 2),
    ("join", 2),
    ("jsondecode", 1),
    ("jsonencode", 1),
    ("keys", 1),
    ("length", 1),
    ("log", 2),
    ("lookup", 3),
    ("lower", 1),
    ("max", 2),
    ("md5", 1),
    ("merge", 2),
    ("min", 2),
    ("nonsensitive", 1),
    ("one", 1),
    ("pow", 2),
    ("range", 2),
    ("regex", 2),
    ("regexall", 2),
    ("replace", 3),
    ("reverse", 1),
    ("sensitive", 1),
    ("setintersection", 2),
    ("setsubtract", 2),
    ("setunion", 2),
    ("sha1", 1),
    ("sha256", 1),
    ("sha512", 1),
    ("signum", 1),
    ("slice", 3),
    ("sort", 1),
    ("split", 2),
    ("startswith", 2),
    ("substr", 3),
    ("sum", 1),
    ("templatefile", 2),
    ("timestamp", 0),
    ("title", 1),
    ("tobool", 1),
    ("tolist", 1),
    ("tomap", 1),
    ("tonumber", 1),
    ("toset", 1),
    ("tostring", 1),
    ("trim", 2),
    ("trimprefix", 2),
    ("trimspace", 1),
    ("trimsuffix", 2),
    ("try", 2),
    ("upper", 1),
    ("uuid", 0),
    ("values", 1),
    ("yamlencode", 1),
    ("zipmap", 2),
];

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        prop_oneof![
            Just(0.0f64),
            Just(-0.0),
            Just(1.0),
            Just(-1.0),
            Just(3.5),
            Just(1e308),
            Just(4294967296.0),
            Just(1e15),
            Just(255.0),
            Just(32.0),
            Just(1024.0),
        ]
        .prop_map(|n| format!("{n:?}")),
        (0..100_000i64).prop_map(|n| n.to_string()),
        "[a-z0-9 ,./%_\\-]{0,12}".prop_map(|s| format!("\"{s}\"")),
        prop::sample::select(vec![
            "\"10.0.0.0/16\"",
            "\"::/0\"",
            "\"%v %s %d\"",
            "\"%[2]s\"",
            "\"/(a|b)+/\"",
            "\"a,b,c\"",
            "\"${\"",
            "\"\\u00e9\\t\\\\\"",
            "\"%{ for i in [1,2] }${i}%{ endfor }\"",
            "\"{\\\"a\\\": [1, {\\\"b\\\": null}]}\"",
            "\"t.tftpl\"",
            "\"main.tf\"",
            "\"\\u202e\\ufeff\"",
            "\"e\\u0301\"",
        ])
        .prop_map(String::from),
        prop::sample::select(vec![
            "local.a",
            "local.b",
            "var.v",
            "var.s",
            "each.key",
            "each.value",
            "count.index",
            "path.module",
            "terraform.workspace",
            "null_resource.r",
            "null_resource.r[0].id",
            "null_resource.r[*].triggers",
            "x",
            "module.nope.x",
            "data.x.y.z",
            "local.missing",
        ])
        .prop_map(String::from),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z]{1,3}", inner.clone()), 0..4).prop_map(|v| {
                let items: Vec<String> = v.into_iter().map(|(k, e)| format!("{k} = {e}")).collect();
                format!("{{ {} }}", items.join(", "))
            }),
            (
                prop::sample::select(FUNCTIONS),
                prop::collection::vec(inner.clone(), 0..4),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|((name, arity), args, exact, expand)| {
                    // Mostly the right number of arguments; sometimes whatever was generated.
                    let args: Vec<String> = if exact {
                        args.iter().cloned().cycle().take(arity).collect()
                    } else {
                        args
                    };
                    let dots = if expand && !args.is_empty() {
                        "..."
                    } else {
                        ""
                    };
                    format!("{name}({}{dots})", args.join(", "))
                }),
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
            (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(c, v, cond)| {
                if cond {
                    format!("[for i, x in {c} : {v} if x != null]")
                } else {
                    format!("[for x in {c} : {v}]")
                }
            }),
            (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(c, v, group)| {
                format!(
                    "{{ for k, x in {c} : tostring(k) => {v}{} }}",
                    if group { "..." } else { "" }
                )
            }),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("\"${{{a}}}-%{{ if {b} }}y%{{ else }}n%{{ endif }}\"")),
            (inner.clone(), inner.clone())
                .prop_map(|(c, v)| format!("\"%{{ for x in {c} ~}}${{{v}}}%{{ endfor }}\"")),
            (inner.clone(), inner.clone()).prop_map(|(a, i)| format!("{a}[{i}]")),
            inner.clone().prop_map(|a| format!("{a}[*].id")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.prop_map(|a| format!("<<-EOT\n  ${{{a}}}\n  EOT\n")),
        ]
    })
}

/// A configuration using generated expressions in every kind of place.
fn generated_case() -> impl Strategy<Value = Case> {
    (prop::collection::vec(expression(), 6), any::<u8>()).prop_map(|(e, shape)| {
        let count = if shape % 3 == 0 {
            e[4].clone()
        } else {
            "2".into()
        };
        let main = format!(
            r#"variable "v" {{
  default = {{ a = [1, 2], b = "x" }}
}}
variable "s" {{
  type      = string
  default   = "secret"
  sensitive = true
}}
locals {{
  a = {}
  b = {}
}}
resource "null_resource" "r" {{
  count = {count}
  triggers = {{
    x = jsonencode({})
  }}
}}
output "o" {{
  value = {}
}}
output "p" {{
  value     = {}
  sensitive = true
}}
"#,
            e[0], e[1], e[2], e[3], e[5]
        );
        Case {
            files: vec![
                ("main.tf".into(), main.into_bytes()),
                (
                    "t.tftpl".into(),
                    b"${x} %{ for i in [1] }${i}%{ endfor }".to_vec(),
                ),
            ],
        }
    })
}

// ---------------------------------------------------------------------------------------
// Running

/// How long each fuzz test runs: `ECSFORM_FUZZ_SECS`, or a few seconds.
fn budget() -> Duration {
    let secs = std::env::var("ECSFORM_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(8);
    Duration::from_secs(secs)
}

fn failures_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| support::repo().join("target"));
    target.join("fuzz-failures")
}

/// Runs cases from `strategy` until the time budget is spent; fails with every shrunk case
/// found (a failing batch is reported and the run goes on with the next one).
fn fuzz(name: &str, strategy: impl Strategy<Value = Case>) {
    let deadline = Instant::now() + budget();
    let mut cases = 0u64;
    let mut batch = 0u64;
    let mut failures = Vec::new();
    let started = Instant::now();
    while Instant::now() < deadline {
        let config = Config {
            cases: 16,
            max_shrink_iters: 200,
            failure_persistence: None,
            ..Config::default()
        };
        // A fixed seed per batch, so that a run is reproducible from its output.
        let seed = std::env::var("ECSFORM_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0x5eed)
            .wrapping_add(batch);
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let rng = proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &bytes,
        );
        let mut runner = TestRunner::new_with_rng(config, rng);
        let result = runner.run(&strategy, |case| check(&case).map_err(TestCaseError::fail));
        cases += 16;
        batch += 1;
        if let Err(e) = result {
            let detail = match &e {
                proptest::test_runner::TestError::Fail(why, case) => {
                    let dir = failures_dir().join(format!("{name}-{seed}"));
                    let _ = std::fs::create_dir_all(&dir);
                    for (file, bytes) in &case.files {
                        let _ = std::fs::write(dir.join(file), bytes);
                    }
                    format!("{why}\ncase written to {}", dir.display())
                }
                other => other.to_string(),
            };
            eprintln!("{name}: batch seed {seed}: {detail}");
            failures.push(format!("batch seed {seed}: {detail}"));
        }
    }
    println!(
        "{name}: {cases} cases in {:.1}s, {} failing batches",
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n\n"));
}

#[test]
fn mutated_corpus() {
    assert!(corpus().len() > 50, "the corpus is there");
    fuzz("mutated", mutated_case());
}

#[test]
fn generated_expressions() {
    fuzz("generated", generated_case());
}

/// Every case fuzzing found (`tests/fixtures/fuzz/NAME/`) still passes.
#[test]
fn found_cases() {
    let dir = support::repo().join("tests/fixtures/fuzz");
    let mut n = 0;
    for case_dir in std::fs::read_dir(&dir)
        .expect("tests/fixtures/fuzz")
        .flatten()
    {
        let path = case_dir.path();
        if !path.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        for f in std::fs::read_dir(&path).expect("case dir").flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            files.push((name, std::fs::read(f.path()).expect("case file")));
        }
        if let Err(why) = check(&Case { files }) {
            panic!("{}: {why}", path.display());
        }
        n += 1;
    }
    assert!(n > 0, "no cases in {}", dir.display());
}
