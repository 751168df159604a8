//! Diagnostics: user-facing errors and warnings with a source location, a snippet and a hint.
//!
//! Everything that reads user input reports problems by appending a [`Diagnostic`] to a
//! [`Diagnostics`] list instead of returning early, so that one run shows every mistake.
//! Source text is kept in [`Sources`], which also turns byte offsets into line and column.
//! This module renders; it does not decide what is an error.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Identifies one source file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, range }
    }
}

struct SourceFile {
    /// Path as shown to users: relative to the working directory where possible.
    display: String,
    text: Arc<str>,
    line_starts: Vec<usize>,
}

/// Every source file read in a run, shared by the loader and the renderer.
#[derive(Clone, Default)]
pub struct Sources {
    files: Arc<RwLock<Vec<SourceFile>>>,
}

/// A resolved location: 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Sources {
    /// Registers a file's text and returns its id. `display` is how the path is shown.
    pub fn add(&self, display: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut files = self.files.write().expect("sources lock");
        files.push(SourceFile {
            display: display.into(),
            text,
            line_starts,
        });
        FileId(files.len() as u32 - 1)
    }

    /// Every file registered so far: (display path, text), in the order they were read.
    pub fn files(&self) -> Vec<(String, Arc<str>)> {
        self.files
            .read()
            .expect("sources lock")
            .iter()
            .map(|f| (f.display.clone(), f.text.clone()))
            .collect()
    }

    pub fn text(&self, file: FileId) -> Arc<str> {
        self.files.read().expect("sources lock")[file.0 as usize]
            .text
            .clone()
    }

    pub fn display(&self, file: FileId) -> String {
        self.files.read().expect("sources lock")[file.0 as usize]
            .display
            .clone()
    }

    /// Line (1-based) and column (1-based, in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let files = self.files.read().expect("sources lock");
        let f = &files[file.0 as usize];
        let offset = offset.min(f.text.len());
        let line = f.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = f.line_starts[line];
        let column = f.text[start..floor_char_boundary(&f.text, offset)]
            .chars()
            .count()
            + 1;
        (line + 1, column)
    }

    pub fn location(&self, span: &Span) -> Location {
        let (line, column) = self.line_col(span.file, span.range.start);
        Location {
            file: self.display(span.file),
            line,
            column,
        }
    }

    /// The text of a span (clamped to the file).
    pub fn snippet(&self, span: &Span) -> String {
        let text = self.text(span.file);
        let end = floor_char_boundary(&text, span.range.end.min(text.len()));
        let start = floor_char_boundary(&text, span.range.start.min(end));
        text[start..end].to_string()
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Shows `path` relative to `base` (with `../` steps where needed), as users wrote it.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = relative_path(path, base).unwrap_or_else(|| path.to_path_buf());
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// `path` relative to `base`, when both are absolute or both relative.
fn relative_path(path: &Path, base: &Path) -> Option<PathBuf> {
    if path.is_absolute() != base.is_absolute() {
        return None;
    }
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    Some(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the user's input. Boxed, so that `Result<_, Diagnostic>` stays small
/// on the hot evaluation paths; fields are reached through `Deref`.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic(Box<DiagnosticData>);

#[derive(Clone, Debug, PartialEq)]
pub struct DiagnosticData {
    pub severity: Severity,
    /// One line, in the user's words ("Reference to undeclared resource").
    pub summary: String,
    /// What exactly is wrong, with names.
    pub detail: String,
    pub span: Option<Span>,
    /// What to do about it.
    pub hint: Option<String>,
    /// Further places worth showing (e.g. the first definition of a duplicate).
    pub related: Vec<(String, Span)>,
}

impl std::ops::Deref for Diagnostic {
    type Target = DiagnosticData;
    fn deref(&self) -> &DiagnosticData {
        &self.0
    }
}

impl std::ops::DerefMut for Diagnostic {
    fn deref_mut(&mut self) -> &mut DiagnosticData {
        &mut self.0
    }
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic(Box::new(DiagnosticData {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            span: None,
            hint: None,
            related: Vec::new(),
        }))
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::error(summary, detail);
        d.severity = Severity::Warning;
        d
    }

    pub fn at(mut self, span: Option<Span>) -> Diagnostic {
        self.span = span;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn related(mut self, label: impl Into<String>, span: Option<Span>) -> Diagnostic {
        if let Some(span) = span {
            self.related.push((label.into(), span));
        }
        self
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, d: Diagnostic) {
        // The same mistake reached along two paths is reported once.
        if !self.0.contains(&d) {
            self.0.push(d);
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.0 {
            self.push(d);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Errors first, then by file and position, so output is stable run to run.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key =
                |d: &Diagnostic| (d.severity, d.span.as_ref().map(|s| (s.file, s.range.start)));
            key(a).cmp(&key(b))
        });
    }

    /// Renders every diagnostic, in order, with a trailing summary line when there are errors.
    pub fn render(&self, sources: &Sources, color: bool) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(&render_one(d, sources, color));
            out.push('\n');
        }
        let errors = self
            .0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if errors > 0 {
            let _ = writeln!(
                out,
                "{errors} error{} found.",
                if errors == 1 { "" } else { "s" }
            );
        }
        out
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

struct Palette {
    red: &'static str,
    yellow: &'static str,
    bold: &'static str,
    blue: &'static str,
    reset: &'static str,
}

const COLOR: Palette = Palette {
    red: "\x1b[31m",
    yellow: "\x1b[33m",
    bold: "\x1b[1m",
    blue: "\x1b[34m",
    reset: "\x1b[0m",
};
const PLAIN: Palette = Palette {
    red: "",
    yellow: "",
    bold: "",
    blue: "",
    reset: "",
};

/// One diagnostic, rustc-style:
///
/// ```text
/// Error: Reference to undeclared resource
///   --> main.tf:12:12
///    |
/// 12 |   vpc_id = aws_vpc.main.id
///    |            ^^^^^^^^^^^^
///    = A managed resource "aws_vpc" "main" has not been declared in the root module.
///    = hint: ...
/// ```
pub fn render_one(d: &Diagnostic, sources: &Sources, color: bool) -> String {
    let p = if color { &COLOR } else { &PLAIN };
    let (label, c) = match d.severity {
        Severity::Error => ("Error", p.red),
        Severity::Warning => ("Warning", p.yellow),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{c}{}{label}:{} {}{}",
        p.bold, p.reset, p.bold, d.summary
    );
    out.push_str(p.reset);
    let gutter_width = d
        .span
        .iter()
        .chain(d.related.iter().map(|(_, s)| s))
        .map(|s| sources.line_col(s.file, s.range.start).0.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(gutter_width);
    if let Some(span) = &d.span {
        write_snippet(&mut out, sources, span, &pad, c, p);
    }
    for line in d.detail.lines() {
        let _ = writeln!(out, "{pad} {}={} {line}", p.blue, p.reset);
    }
    for (label, span) in &d.related {
        let _ = writeln!(out, "{pad} {}={} {label}:", p.blue, p.reset);
        write_snippet(&mut out, sources, span, &pad, p.blue, p);
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "{pad} {}= hint:{} {hint}", p.blue, p.reset);
    }
    out
}

fn write_snippet(
    out: &mut String,
    sources: &Sources,
    span: &Span,
    pad: &str,
    c: &str,
    p: &Palette,
) {
    let loc = sources.location(span);
    let _ = writeln!(out, "{pad}{}-->{} {loc}", p.blue, p.reset);
    let text = sources.text(span.file);
    let line_text: Vec<char> = text
        .lines()
        .nth(loc.line - 1)
        .unwrap_or("")
        .replace('\t', " ")
        .chars()
        .collect();
    // A very long line (minified JSON, generated or hostile input) is shown as a window
    // around the column, so that one diagnostic stays readable.
    let col = (loc.column - 1).min(line_text.len());
    let start = if line_text.len() > SNIPPET_WIDTH {
        col.saturating_sub(SNIPPET_WIDTH / 3)
    } else {
        0
    };
    let end = (start + SNIPPET_WIDTH).min(line_text.len());
    let shown: String = line_text[start..end].iter().collect();
    let (before, after) = (
        if start > 0 { "…" } else { "" },
        if end < line_text.len() { "…" } else { "" },
    );
    let _ = writeln!(out, "{pad} {}|{}", p.blue, p.reset);
    let _ = writeln!(
        out,
        "{}{:>w$} |{} {before}{shown}{after}",
        p.blue,
        loc.line,
        p.reset,
        w = pad.len()
    );
    // Underline the span on its first line only (within the window); at least one marker.
    let snippet = sources.snippet(span);
    let span_chars = snippet.lines().next().unwrap_or("").chars().count();
    let width = span_chars.min(end.saturating_sub(col)).max(1);
    let _ = writeln!(
        out,
        "{pad} {}|{} {}{c}{}{}",
        p.blue,
        p.reset,
        " ".repeat(col - start + before.chars().count()),
        "^".repeat(width),
        p.reset
    );
}

/// How many characters of a source line a snippet shows at most.
const SNIPPET_WIDTH: usize = 160;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_shown_as_a_window_around_the_column() {
        let s = Sources::default();
        let line = format!("x = {}BAD{}", "[".repeat(5000), "]".repeat(5000));
        let f = s.add("main.tf", line.clone());
        let at = line.find("BAD").unwrap();
        let d = Diagnostic::error("Invalid", "bad").at(Some(Span::new(f, at..at + 3)));
        let out = render_one(&d, &s, false);
        assert!(out.len() < 1000, "{} bytes", out.len());
        let lines: Vec<&str> = out.lines().collect();
        let code = lines.iter().find(|l| l.contains("BAD")).unwrap();
        let marker = lines.iter().find(|l| l.contains("^^^")).unwrap();
        assert!(code.contains('…'));
        // The marker is under BAD.
        let col = |l: &str, pat: &str| l[..l.find(pat).unwrap()].chars().count();
        assert_eq!(col(code, "BAD"), col(marker, "^^^"));
    }

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let s = Sources::default();
        let f = s.add("main.tf", "a = 1\nbé = x\n");
        assert_eq!(s.line_col(f, 0), (1, 1));
        assert_eq!(s.line_col(f, 6), (2, 1));
        // 'x' is after a two-byte character.
        let x = "a = 1\nbé = x".find('x').unwrap();
        assert_eq!(s.line_col(f, x), (2, 6));
    }

    #[test]
    fn renders_snippet_with_marker_and_hint() {
        let s = Sources::default();
        let text = "resource \"aws_subnet\" \"a\" {\n  vpc_id = aws_vpc.main.id\n}\n";
        let f = s.add("main.tf", text);
        let start = text.find("aws_vpc.main").unwrap();
        let d = Diagnostic::error(
            "Reference to undeclared resource",
            "A managed resource \"aws_vpc\" \"main\" has not been declared in the root module.",
        )
        .at(Some(Span::new(f, start..start + 15)))
        .hint("Declare it or fix the reference.");
        let out = render_one(&d, &s, false);
        assert_eq!(
            out,
            "Error: Reference to undeclared resource\n --> main.tf:2:12\n  |\n2 |   vpc_id = aws_vpc.main.id\n  |            ^^^^^^^^^^^^^^^\n  = A managed resource \"aws_vpc\" \"main\" has not been declared in the root module.\n  = hint: Declare it or fix the reference.\n"
        );
    }

    #[test]
    fn paths_are_shown_relative_to_the_root() {
        let base = Path::new("/w/examples");
        assert_eq!(
            display_path(Path::new("/w/examples/ecs.tf"), base),
            "ecs.tf"
        );
        assert_eq!(
            display_path(Path::new("/w/modules/vpc/main.tf"), base),
            "../modules/vpc/main.tf"
        );
        assert_eq!(display_path(base, base), ".");
    }

    #[test]
    fn duplicates_are_reported_once_and_errors_sort_first() {
        let mut ds = Diagnostics::new();
        ds.push(Diagnostic::warning("w", ""));
        ds.push(Diagnostic::error("e", ""));
        ds.push(Diagnostic::error("e", ""));
        ds.sort();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.0[0].summary, "e");
        assert!(ds.has_errors());
    }
}
