//! The plan as GitHub-flavoured markdown, ready to post as a pull-request comment:
//!
//! 1. a heading, Terraform's `Plan:` line and a table of counts;
//! 2. destructive changes (destroys and replacements) first, each with what forces it;
//! 3. one collapsible `<details>` block per changed resource, its diff in a ```` ```diff ````
//!    block (GitHub colours `+` lines green, `-` red and `!` orange, so `~` becomes `!`);
//! 4. objects changed outside ecsform (drift), each collapsible too;
//! 5. output changes.
//!
//! The diff lines are the text renderer's (one diff implementation), with each change symbol
//! moved into the first column. No ANSI codes, sensitive values masked, addresses and reasons
//! escaped where markdown or HTML would read them. A document longer than the limit drops whole
//! `<details>` blocks from the end and says so; the summary and the destructive list stay.

use std::fmt::Write as _;

use super::summary::short_reason;
use super::text::{self, Style, MARK};
use crate::plan::{Action, Drift, OutputChange, Plan, ResourceChange};

/// The largest comment [`super::plan`] writes, in bytes: GitHub rejects comments over 65,536
/// characters, and a character is at least one byte.
pub const COMMENT_LIMIT: usize = 65_000;

/// A hidden first line that lets CI scripts find (and update) an earlier plan comment.
const MARKER: &str = "<!-- ecsform plan -->";

/// Renders the plan, at most `limit` bytes long (unless the limit is too small for even the
/// summary, which is always written).
pub fn render(plan: &Plan, limit: usize) -> String {
    let mut doc = Doc::default();
    let changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || plan.rollout(&c.addr).is_some())
        .collect();
    let outputs: Vec<&OutputChange> = plan.outputs.iter().filter(|o| o.changed()).collect();

    let title = if plan.destroy {
        "ecsform plan (destroy)"
    } else {
        "ecsform plan"
    };
    doc.always(format!("{MARKER}\n### {title}\n\n"));
    if changes.is_empty() && outputs.is_empty() {
        doc.always(
            "**No changes.** Your infrastructure matches the configuration.\n\n".to_string(),
        );
    } else {
        doc.always(summary(plan, &changes));
    }

    let destructive: Vec<&ResourceChange> = ordered(&changes)
        .into_iter()
        .filter(|c| c.action == Action::Delete || c.action.is_replace())
        .collect();
    if !destructive.is_empty() || !plan.rollouts.is_empty() {
        let mut intro = Vec::new();
        if !destructive.is_empty() {
            intro.push(format!(
                "{} object{} will be destroyed{}",
                destructive.len(),
                plural(destructive.len()),
                if destructive.iter().any(|c| c.action.is_replace()) {
                    " (replacements included)"
                } else {
                    ""
                }
            ));
        }
        if !plan.rollouts.is_empty() {
            intro.push(format!(
                "the instances of {} Auto Scaling group{} will be replaced, draining their ECS tasks",
                plan.rollouts.len(),
                plural(plan.rollouts.len())
            ));
        }
        let mut intro = intro.join("; ");
        if let Some(first) = intro.get(..1) {
            intro = first.to_uppercase() + &intro[1..];
        }
        doc.always(format!(
            "#### ⚠️ Destructive changes\n\n{intro}:\n\n| Action | Resource | Why |\n| --- | --- | --- |\n",
        ));
        for c in &destructive {
            doc.destructive(destructive_row(plan, c));
        }
        for r in &plan.rollouts {
            doc.destructive(format!(
                "| `~` replace instances | {} | {}; {} |\n",
                code(&r.addr.to_string()),
                escape(&r.describe()),
                escape(&format!("because {}", r.cause))
            ));
        }
        doc.always("\n".to_string());
    }

    if !changes.is_empty() {
        doc.always("#### Resource changes\n\n".to_string());
        for c in ordered(&changes) {
            doc.detail(Kind::Resource, change_details(plan, c));
        }
    }

    if !plan.recovered.is_empty() {
        let mut text = "#### Found after an interrupted apply\n\n".to_string();
        for r in &plan.recovered {
            text.push_str(&format!("- `{}`\n", text::recovered_line(r)));
        }
        text.push('\n');
        doc.always(text);
    }

    if !plan.drift.is_empty() {
        doc.always(format!(
            "#### Changed outside ecsform\n\n{} object{} changed outside ecsform since the last apply. Unless you made equivalent changes to the configuration, this plan may undo {}.\n\n",
            plan.drift.len(),
            if plan.drift.len() == 1 { " has" } else { "s have" },
            if plan.drift.len() == 1 { "it" } else { "them" },
        ));
        for d in &plan.drift {
            doc.detail(Kind::Drift, drift_details(d));
        }
    }

    if !outputs.is_empty() {
        let lines = diff_lines(&text::output_lines(&outputs, Style::Marked));
        doc.detail(
            Kind::Outputs,
            format!("#### Changes to outputs\n\n{}\n", fenced("diff", &lines)),
        );
    }
    doc.finish(limit)
}

/// The `Plan:` line and the table of counts.
fn summary(plan: &Plan, changes: &[&ResourceChange]) -> String {
    let count = |f: &dyn Fn(Action) -> bool| changes.iter().filter(|c| f(c.action)).count();
    let counts = plan.counts();
    let mut out = String::new();
    if plan.destroy {
        let _ = writeln!(out, "**Plan:** {} to destroy.\n", counts.destroy);
    } else {
        let _ = writeln!(
            out,
            "**Plan:** {} to add, {} to change, {} to destroy.\n",
            counts.add, counts.change, counts.destroy
        );
    }
    if let Some(line) = text::rollout_summary(plan) {
        let _ = writeln!(out, "{}\n", escape(&line));
    }
    let reads = count(&|a| a == Action::Read);
    let mut head = vec!["Create", "Update in place", "Replace", "Destroy"];
    let mut row = vec![
        count(&|a| a == Action::Create),
        count(&|a| a == Action::Update),
        count(&|a| a.is_replace()),
        count(&|a| a == Action::Delete),
    ];
    if reads > 0 {
        head.push("Read during apply");
        row.push(reads);
    }
    head.push("Changed outside ecsform");
    row.push(plan.drift.len());
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", " ---: |".repeat(head.len()));
    let row: Vec<String> = row.iter().map(ToString::to_string).collect();
    let _ = writeln!(out, "| {} |\n", row.join(" | "));
    out
}

fn destructive_row(plan: &Plan, c: &ResourceChange) -> String {
    let action = match c.action {
        Action::DeleteThenCreate => "`-/+` replace",
        Action::CreateThenDelete => "`+/-` replace (create first)",
        _ => "`-` destroy",
    };
    let mut why = Vec::new();
    if !c.replace_paths.is_empty() {
        let paths: Vec<String> = c.replace_paths.iter().map(|p| code(p)).collect();
        why.push(format!("{} forces replacement", paths.join(", ")));
    }
    if let Some(reason) = short_reason(c) {
        why.push(escape(&reason));
    } else if plan.destroy {
        why.push("planned with `-destroy`".into());
    }
    format!(
        "| {action} | {} | {} |\n",
        code(&c.addr.to_string()),
        why.join("; ")
    )
}

/// Destroys, then replacements, updates, creations and reads; by address within each.
fn ordered<'a>(changes: &[&'a ResourceChange]) -> Vec<&'a ResourceChange> {
    let rank = |a: Action| match a {
        Action::Delete => 0,
        Action::DeleteThenCreate | Action::CreateThenDelete => 1,
        Action::Update => 2,
        Action::Create => 3,
        Action::Read => 4,
        Action::NoOp => 5,
    };
    let mut v = changes.to_vec();
    v.sort_by(|a, b| {
        rank(a.action)
            .cmp(&rank(b.action))
            .then_with(|| a.addr.cmp(&b.addr))
    });
    v
}

fn change_details(plan: &Plan, c: &ResourceChange) -> String {
    let (headline, block) = match plan.rollout(&c.addr) {
        Some(r) => (
            text::rollout_headline(c, r),
            text::rollout_block(c, r, Style::Marked),
        ),
        None => (text::headline(c), text::resource_block(c, Style::Marked)),
    };
    let headline = headline.trim_start_matches("# ");
    let lines = diff_lines(&block);
    let sym = match c.action {
        Action::NoOp => Action::Update.symbol(),
        a => a.symbol(),
    };
    details(sym, &c.addr.to_string(), headline, &lines)
}

fn drift_details(d: &Drift) -> String {
    let headline = text::drift_headline(d);
    let sym = if d.after.is_some() { "~" } else { "-" };
    let lines = diff_lines(&text::drift_block(d, Style::Marked));
    details(
        sym,
        &d.addr.to_string(),
        headline.trim_start_matches("# "),
        &lines,
    )
}

/// A collapsible block: the headline (`aws_x.y will be created`, address in code) as summary,
/// the diff inside.
fn details(sym: &str, addr: &str, headline: &str, diff: &str) -> String {
    let rest = headline.strip_prefix(addr).unwrap_or(headline);
    format!(
        "<details><summary><code>{}</code> <code>{}</code>{}</summary>\n\n{}\n</details>\n\n",
        html(sym),
        html(addr),
        html(rest),
        fenced("diff", diff)
    )
}

/// Text renderer lines (with [`MARK`]ed symbols) as diff lines GitHub colours: the symbol moves
/// to the first column, `~` becomes `!`. Replacement (`-/+`, `+/-`) and read (`<=`) symbols stay
/// where they are: they already start their line.
fn diff_lines(marked: &str) -> String {
    let mut out = String::new();
    for line in marked.lines() {
        let parts: Vec<&str> = line.splitn(3, MARK).collect();
        let line = if let [before, sym, after] = parts[..] {
            let after = after.replace(MARK, "");
            let marker = match sym {
                "+" => Some('+'),
                "-" => Some('-'),
                "~" => Some('!'),
                _ => None,
            };
            match marker {
                Some(m) if before.chars().all(|c| c == ' ') => {
                    let width = before.len() + sym.len() - 1;
                    format!("{m}{}{after}", " ".repeat(width))
                }
                _ => format!("{before}{sym}{after}"),
            }
        } else {
            let line = line.replace(MARK, "");
            // A line GitHub would colour that is not a change (never expected, as every other
            // line starts indented): keep it neutral.
            if line.starts_with(['+', '-', '!', '<', '>']) {
                format!(" {line}")
            } else {
                line
            }
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A fenced code block whose fence is longer than any run of backticks inside, so that no
/// value can close it early.
fn fenced(lang: &str, body: &str) -> String {
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    let body = body.strip_suffix('\n').unwrap_or(body);
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// An inline code span that survives backticks in the text and `|` in a table cell.
fn code(s: &str) -> String {
    let ticks = "`".repeat(longest_run(s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{}{pad}{ticks}", s.replace('|', "\\|"))
}

/// Plain text with the characters markdown (or a table) would read escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text inside HTML tags.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What a collapsible block shows, for the note on omitted blocks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Resource,
    Drift,
    Outputs,
}

enum Part {
    /// Always written: heading, summary, section headings.
    Always(String),
    /// A row of the destructive table: written unless even the rows do not fit.
    Destructive(String),
    /// A whole block dropped when the document is too long.
    Detail(Kind, String),
}

/// The document as parts, assembled under a size limit.
#[derive(Default)]
struct Doc {
    parts: Vec<Part>,
}

impl Doc {
    fn always(&mut self, s: String) {
        self.parts.push(Part::Always(s));
    }

    fn destructive(&mut self, s: String) {
        self.parts.push(Part::Destructive(s));
    }

    fn detail(&mut self, kind: Kind, s: String) {
        self.parts.push(Part::Detail(kind, s));
    }

    fn finish(self, limit: usize) -> String {
        let whole: usize = self.parts.iter().map(|p| p.text().len()).sum();
        if whole <= limit {
            return self.parts.iter().map(Part::text).collect();
        }
        let details = |k: Kind| {
            self.parts
                .iter()
                .filter(|p| matches!(p, Part::Detail(x, _) if *x == k))
                .count()
        };
        let rows = self
            .parts
            .iter()
            .filter(|p| matches!(p, Part::Destructive(_)))
            .count();
        // Reserve room for the notes as long as they can get (every block omitted).
        let reserve = omitted_note(details(Kind::Resource), details(Kind::Drift), true, limit)
            .len()
            + rows_note(rows).len();
        let always: usize = self
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Always(s) => Some(s.len()),
                _ => None,
            })
            .sum();
        let mut budget = limit.saturating_sub(always + reserve);
        // Destructive rows first (in order), then details in document order, each while it
        // fits; after the first that does not, nothing more of its kind.
        let mut keep = vec![false; self.parts.len()];
        let mut rows_full = false;
        for (i, p) in self.parts.iter().enumerate() {
            if let Part::Destructive(s) = p {
                if !rows_full && s.len() <= budget {
                    budget -= s.len();
                    keep[i] = true;
                } else {
                    rows_full = true;
                }
            }
        }
        // Kinds that ran out of room; a small later block (the outputs) may still fit.
        let mut full: Vec<Kind> = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            if let Part::Detail(kind, s) = p {
                if !rows_full && !full.contains(kind) && s.len() <= budget {
                    budget -= s.len();
                    keep[i] = true;
                } else {
                    full.push(*kind);
                }
            }
        }
        let omitted = |k: Kind| {
            self.parts
                .iter()
                .zip(&keep)
                .filter(|(p, kept)| !**kept && matches!(p, Part::Detail(x, _) if *x == k))
                .count()
        };
        let omitted_rows =
            rows - keep_count(&self.parts, &keep, |p| matches!(p, Part::Destructive(_)));
        let outputs_omitted = omitted(Kind::Outputs) > 0;
        let note = omitted_note(
            omitted(Kind::Resource),
            omitted(Kind::Drift),
            outputs_omitted,
            limit,
        );
        let mut out = String::new();
        let mut noted = false;
        let mut in_rows = false;
        for (i, p) in self.parts.iter().enumerate() {
            let is_row = matches!(p, Part::Destructive(_));
            if in_rows && !is_row && omitted_rows > 0 {
                out.push_str(&rows_note(omitted_rows));
            }
            in_rows = is_row;
            match p {
                Part::Always(s) => out.push_str(s),
                Part::Destructive(s) | Part::Detail(_, s) if keep[i] => out.push_str(s),
                Part::Destructive(_) => {}
                Part::Detail(..) => {
                    if !noted {
                        out.push_str(&note);
                        noted = true;
                    }
                }
            }
        }
        out
    }
}

impl Part {
    fn text(&self) -> &str {
        match self {
            Part::Always(s) | Part::Destructive(s) | Part::Detail(_, s) => s,
        }
    }
}

fn keep_count(parts: &[Part], keep: &[bool], f: impl Fn(&Part) -> bool) -> usize {
    parts.iter().zip(keep).filter(|(p, k)| **k && f(p)).count()
}

fn rows_note(n: usize) -> String {
    format!("\n…and {n} more destructive change{}.\n", plural(n))
}

/// Says what was left out and where to see it.
fn omitted_note(resources: usize, drift: usize, outputs: bool, limit: usize) -> String {
    let mut what = Vec::new();
    if resources > 0 {
        what.push(format!("{resources} resource change{}", plural(resources)));
    }
    if drift > 0 {
        what.push(format!(
            "{drift} object{} changed outside ecsform",
            plural(drift)
        ));
    }
    if outputs {
        what.push("the output changes".to_string());
    }
    let what = match what.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => what.join(""),
    };
    format!(
        "> [!NOTE]\n> Details of {what} were left out to keep this comment under {limit} characters. Run `ecsform plan`, or `ecsform show PLANFILE` on a saved plan, to see the whole plan.\n\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_move_to_the_first_column() {
        let m = MARK;
        let marked = format!(
            "{m}-/+{m} resource \"a\" \"b\" {{\n      {m}~{m} x = 1 -> 2\n      {m}+{m} y = 3\n        id = \"i\"\n  {m}+{m} resource \"c\" \"d\" {{\n {m}<={m} data \"e\" \"f\" {{\n"
        );
        assert_eq!(
            diff_lines(&marked),
            "-/+ resource \"a\" \"b\" {\n!       x = 1 -> 2\n+       y = 3\n        id = \"i\"\n+   resource \"c\" \"d\" {\n <= data \"e\" \"f\" {\n"
        );
    }

    #[test]
    fn fences_and_code_spans_outlast_backticks() {
        assert_eq!(fenced("diff", "a\n"), "```diff\na\n```\n");
        assert_eq!(fenced("diff", "x ```` y\n"), "`````diff\nx ```` y\n`````\n");
        assert_eq!(code("aws_x.y[\"a|b\"]"), "`aws_x.y[\"a\\|b\"]`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(escape("key [\"*x*\"] | y"), "key \\[\"\\*x\\*\"\\] \\| y");
        assert_eq!(html("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
