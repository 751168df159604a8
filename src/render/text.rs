//! The human plan, in the shape Terraform users already read fluently:
//! `# aws_subnet.a[0] will be created`, `+ ~ - -/+ +/- <=`, `old -> new`,
//! `(known after apply)`, `(sensitive value)`, `# forces replacement`,
//! `# (N unchanged attributes hidden)`, and the `Plan: ...` summary.
//!
//! Reads only the [`Plan`]; colour only when asked (the CLI asks on a terminal).

use std::fmt::Write as _;

use crate::lang::value::format_number;
use crate::lang::Value;
use crate::plan::rolling::PlannedRollout;
use crate::plan::{Action, Drift, OutputChange, Plan, Recovered, RecoveryKind, ResourceChange};

/// Wraps each change symbol in [`Style::Marked`] text, so that the markdown renderer can
/// find the symbols (and only them) and move them into a diff block's first column. A control
/// character, so never part of a rendered value (strings are JSON-escaped; only raw multi-line
/// strings could hold one, and would merely lose their colour).
pub(crate) const MARK: char = '\u{1}';

/// How change symbols and emphasis are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Plain text.
    Plain,
    /// ANSI colours, for a terminal.
    Ansi,
    /// Plain text with every change symbol between two [`MARK`]s.
    Marked,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        match self {
            Style::Ansi => format!("\x1b[{code}m{s}\x1b[0m"),
            Style::Plain | Style::Marked => s.to_string(),
        }
    }

    pub(crate) fn symbol(&self, sym: &str) -> String {
        let code = match sym.trim() {
            "+" => "32",
            "-" => "31",
            "~" | "-/+" | "+/-" => "33",
            "<=" => "36",
            _ => return sym.to_string(),
        };
        match self {
            Style::Marked => format!("{MARK}{sym}{MARK}"),
            _ => self.paint(code, sym),
        }
    }

    /// A symbol right-aligned in three columns (`  +`, `-/+`), padded outside the colour codes
    /// so that coloured and plain output line up the same.
    pub(crate) fn symbol_col(&self, sym: &str) -> String {
        let pad = 3usize.saturating_sub(sym.chars().count());
        format!("{}{}", " ".repeat(pad), self.symbol(sym))
    }

    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

/// Renders a plan: drift first, then the actions, the summary line and output changes.
pub fn render_plan(plan: &Plan, color: bool) -> String {
    let st = if color { Style::Ansi } else { Style::Plain };
    let mut out = String::new();
    if !plan.recovered.is_empty() {
        for r in &plan.recovered {
            let _ = writeln!(out, "{}", recovered_line(r));
        }
        out.push('\n');
    }
    let drift: Vec<&Drift> = plan.drift.iter().collect();
    if !drift.is_empty() {
        out.push_str(&st.bold("Note: Objects have changed outside of ecsform"));
        out.push_str("\n\necsform detected the following changes made outside of ecsform since the last \"ecsform apply\":\n\n");
        for d in drift {
            render_drift(&mut out, &st, d);
        }
        out.push_str("Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.\n\n");
        out.push_str(&"─".repeat(77));
        out.push_str("\n\n");
    }
    let changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || plan.rollout(&c.addr).is_some())
        .collect();
    let output_changes: Vec<_> = plan.outputs.iter().filter(|o| o.changed()).collect();
    if changes.is_empty() && output_changes.is_empty() && !plan.recovered.is_empty() {
        out.push_str(&st.bold("No changes."));
        out.push_str(
            " The objects found above match the configuration; apply records them in the state.\n",
        );
        return out;
    }
    if changes.is_empty() && output_changes.is_empty() {
        out.push_str(&st.bold("No changes."));
        out.push_str(" Your infrastructure matches the configuration.\n\n");
        out.push_str("ecsform has compared your real infrastructure against your configuration and found no differences, so no changes are needed.\n");
        return out;
    }
    if !changes.is_empty() {
        out.push_str("ecsform will perform the following actions. Resource actions are indicated with the following symbols:\n");
        let mut used: Vec<Action> = changes
            .iter()
            .map(|c| match c.action {
                Action::NoOp => Action::Update,
                a => a,
            })
            .collect();
        used.sort();
        used.dedup();
        for a in used {
            let label = match a {
                Action::Create => "create",
                Action::Update => "update in-place",
                Action::Delete => "destroy",
                Action::DeleteThenCreate => "destroy and then create replacement",
                Action::CreateThenDelete => "create replacement and then destroy",
                Action::Read => "read (data resources)",
                Action::NoOp => continue,
            };
            let _ = writeln!(out, "{} {label}", st.symbol_col(a.symbol()));
        }
        out.push('\n');
        for c in &changes {
            match plan.rollout(&c.addr) {
                Some(r) => render_rollout(&mut out, &st, c, r),
                None => render_change(&mut out, &st, c),
            }
        }
    }
    let counts = plan.counts();
    if plan.destroy {
        let _ = writeln!(out, "{} {} to destroy.", st.bold("Plan:"), counts.destroy);
    } else {
        let _ = writeln!(
            out,
            "{} {} to add, {} to change, {} to destroy.",
            st.bold("Plan:"),
            counts.add,
            counts.change,
            counts.destroy
        );
    }
    if let Some(line) = rollout_summary(plan) {
        let _ = writeln!(out, "{line}");
    }
    if !output_changes.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        out.push_str(&output_lines(&output_changes, st));
    }
    out
}

/// `aws_vpc.main: Adopted vpc-0abc (created by an interrupted apply)`.
pub(crate) fn recovered_line(r: &Recovered) -> String {
    match r.kind {
        RecoveryKind::Adopted => format!(
            "{}: Adopted {} (created by an interrupted apply)",
            r.addr, r.id
        ),
        RecoveryKind::Replacement => format!(
            "{}: Found {}, the replacement an interrupted apply created; apply takes it instead of creating another",
            r.addr, r.id
        ),
    }
}

/// One line per changed output: `  + name = value`, `  ~ name = old -> new`.
pub(crate) fn output_lines(outputs: &[&OutputChange], st: Style) -> String {
    let mut out = String::new();
    let width = outputs.iter().map(|o| o.name.len()).max().unwrap_or(0);
    for o in outputs {
        let mask = |v: &Value| {
            if o.sensitive {
                Value::Sensitive(Box::new(v.clone()))
            } else {
                v.clone()
            }
        };
        let (sym, text) = match (&o.before, &o.after) {
            (None, Some(a)) => ("+", value_inline(&mask(a))),
            (Some(b), None) => ("-", format!("{} -> null", value_inline(&mask(b)))),
            (Some(b), Some(a)) => (
                "~",
                format!("{} -> {}", value_inline(&mask(b)), value_inline(&mask(a))),
            ),
            (None, None) => continue,
        };
        let _ = writeln!(out, "  {} {:<width$} = {text}", st.symbol(sym), o.name);
    }
    out
}

/// `# aws_subnet.a will be created`, as Terraform heads each change.
pub(crate) fn headline(c: &ResourceChange) -> String {
    let a = &c.addr;
    match c.action {
        Action::Create => format!("# {a} will be created"),
        Action::Update => format!("# {a} will be updated in-place"),
        Action::Delete => format!("# {a} will be destroyed"),
        Action::DeleteThenCreate | Action::CreateThenDelete
            if c.reason.as_deref() == Some(crate::plan::build::REPLACE_REQUESTED) =>
        {
            format!("# {a} will be replaced, as requested")
        }
        Action::DeleteThenCreate | Action::CreateThenDelete => format!("# {a} must be replaced"),
        Action::Read => format!("# {a} will be read during apply"),
        Action::NoOp => format!("# {a} is unchanged"),
    }
}

/// `# aws_autoscaling_group.x will be updated in-place, and its instances replaced: 3
/// instances, batches of 1, draining from cluster "main"`.
pub(crate) fn rollout_headline(c: &ResourceChange, r: &PlannedRollout) -> String {
    let what = match c.action {
        Action::Update => "will be updated in-place, and its instances replaced",
        _ => "will have its instances replaced",
    };
    format!("# {} {what}: {}", c.addr, r.describe())
}

/// The line under the `Plan:` line when groups are rolled: `Rolling replacement: 3 instances
/// of 1 group (aws_autoscaling_group.x).`
pub(crate) fn rollout_summary(plan: &Plan) -> Option<String> {
    if plan.rollouts.is_empty() {
        return None;
    }
    let known: Option<usize> = plan.rollouts.iter().map(|r| r.instances).sum();
    let count = match known {
        Some(1) => "1 instance".to_string(),
        Some(n) => format!("{n} instances"),
        None => "the instances".to_string(),
    };
    let groups = plan.rollouts.len();
    let names: Vec<String> = plan.rollouts.iter().map(|r| r.addr.to_string()).collect();
    Some(format!(
        "Rolling replacement: {count} of {groups} group{} ({}), drained from ECS first.",
        if groups == 1 { "" } else { "s" },
        names.join(", ")
    ))
}

fn render_rollout(out: &mut String, st: &Style, c: &ResourceChange, r: &PlannedRollout) {
    let _ = writeln!(out, "  {}", st.bold(&rollout_headline(c, r)));
    out.push_str(&rollout_block(c, r, *st));
    out.push('\n');
}

/// A rolled group below its headline: why, the steps, and the attribute diff if it changes.
pub(crate) fn rollout_block(c: &ResourceChange, r: &PlannedRollout, st: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  # (because {})", r.cause);
    let _ = writeln!(
        out,
        "  # each batch: launch {n} new instance{s}, wait until registered in the cluster, drain {n} old instance{s}, terminate {them}",
        n = r.batch_size,
        s = if r.batch_size == 1 { "" } else { "s" },
        them = if r.batch_size == 1 { "it" } else { "them" },
    );
    if c.action == Action::Update {
        out.push_str(&resource_block(c, st));
    }
    out
}

fn block_header(c: &crate::addrs::ResourceInstanceAddr) -> String {
    let kind = if c.is_data() { "data" } else { "resource" };
    format!(
        "{kind} \"{}\" \"{}\"",
        c.resource.type_name, c.resource.name
    )
}

fn render_change(out: &mut String, st: &Style, c: &ResourceChange) {
    let _ = writeln!(out, "  {}", st.bold(&headline(c)));
    out.push_str(&resource_block(c, *st));
    out.push('\n');
}

/// A change below its headline: the reason, if any, and the `resource "t" "n" { ... }` block
/// with one line per changed attribute.
pub(crate) fn resource_block(c: &ResourceChange, st: Style) -> String {
    let mut out = String::new();
    if let Some(reason) = c
        .reason
        .as_ref()
        .filter(|r| r.as_str() != crate::plan::build::REPLACE_REQUESTED)
    {
        if c.action == Action::Read {
            let _ = writeln!(out, "  # ({reason})");
        } else {
            let _ = writeln!(out, "  # (because {reason})");
        }
    }
    let sym = c.action.symbol();
    let _ = writeln!(out, "{} {} {{", st.symbol_col(sym), block_header(&c.addr));
    let lines = object_diff(
        &st,
        c.before.as_ref(),
        c.after.as_ref(),
        &c.replace_paths,
        6,
        c.action,
    );
    out.push_str(&lines);
    out.push_str("    }\n");
    out
}

/// `# aws_subnet.a has changed` or `# aws_subnet.a has been deleted`.
pub(crate) fn drift_headline(d: &Drift) -> String {
    match &d.after {
        None => format!("# {} has been deleted", d.addr),
        Some(_) => format!("# {} has changed", d.addr),
    }
}

fn render_drift(out: &mut String, st: &Style, d: &Drift) {
    let _ = writeln!(out, "  {}", st.bold(&drift_headline(d)));
    out.push_str(&drift_block(d, *st));
    out.push('\n');
}

/// A drifted object below its headline: its block with the attributes changed outside.
pub(crate) fn drift_block(d: &Drift, st: Style) -> String {
    let mut out = String::new();
    let st = &st;
    match &d.after {
        None => {
            let _ = writeln!(out, "{} {} {{", st.symbol_col("-"), block_header(&d.addr));
            out.push_str(&object_diff(
                st,
                Some(&d.before),
                None,
                &[],
                6,
                Action::Delete,
            ));
        }
        Some(after) => {
            let _ = writeln!(out, "{} {} {{", st.symbol_col("~"), block_header(&d.addr));
            out.push_str(&object_diff(
                st,
                Some(&d.before),
                Some(after),
                &[],
                6,
                Action::Update,
            ));
        }
    }
    out.push_str("    }\n");
    out
}

fn entries(v: Option<&Value>) -> Vec<(String, Value)> {
    v.and_then(|v| v.as_map())
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn is_empty(v: &Value) -> bool {
    match v.unmarked() {
        Value::Null => true,
        Value::List(l) | Value::Set(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// The attribute lines of one object, `indent` spaces in.
fn object_diff(
    st: &Style,
    before: Option<&Value>,
    after: Option<&Value>,
    replace_paths: &[String],
    indent: usize,
    action: Action,
) -> String {
    let pad = " ".repeat(indent);
    let b = entries(before);
    let a = entries(after);
    let mut names: Vec<String> = b
        .iter()
        .map(|(k, _)| k.clone())
        .chain(a.iter().map(|(k, _)| k.clone()))
        .collect();
    names.sort();
    names.dedup();
    let get = |list: &[(String, Value)], k: &str| {
        list.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    // Attributes first, then nested blocks (lists of objects), as Terraform prints them.
    let is_block = |v: &Option<Value>| {
        v.as_ref().and_then(|v| v.as_list()).is_some_and(|l| {
            !l.is_empty() && l.iter().all(|i| matches!(i.unmarked(), Value::Map(_)))
        })
    };
    let mut attr_lines: Vec<(String, String, String)> = Vec::new(); // (sym, name, text)
    let mut block_lines = String::new();
    let mut hidden = 0;
    let mut hidden_blocks = 0;
    for name in &names {
        let bv = get(&b, name);
        let av = get(&a, name);
        if is_block(&bv) || is_block(&av) {
            let (lines, unchanged) = blocks_diff(st, name, bv.as_ref(), av.as_ref(), indent);
            block_lines.push_str(&lines);
            hidden_blocks += unchanged;
            continue;
        }
        let forces = replace_paths.iter().any(|p| p == name);
        let suffix = if forces {
            format!(" {}", st.paint("31", "# forces replacement"))
        } else {
            String::new()
        };
        match (bv, av) {
            (None | Some(Value::Null), Some(av)) if action != Action::Delete => {
                if is_empty(&av) && !matches!(av, Value::Unknown) {
                    continue;
                }
                let sym = if before.is_some() { "~" } else { "+" };
                let text = if before.is_some() {
                    format!("null -> {}", value_block(st, None, &av, indent))
                } else {
                    value_block(st, None, &av, indent)
                };
                attr_lines.push((sym.into(), name.clone(), format!("{text}{suffix}")));
            }
            (Some(bv), None) | (Some(bv), Some(Value::Null)) => {
                if is_empty(&bv) {
                    continue;
                }
                let text = value_block(st, Some("-"), &bv, indent);
                attr_lines.push(("-".into(), name.clone(), format!("{text} -> null{suffix}")));
            }
            (Some(bv), Some(av)) => {
                if bv == av && !matches!(av, Value::Unknown) {
                    if name == "id" && action != Action::Create {
                        attr_lines.push((" ".into(), name.clone(), value_inline(&av)));
                    } else {
                        hidden += 1;
                    }
                    continue;
                }
                let text = change_text(st, &bv, &av, indent);
                attr_lines.push(("~".into(), name.clone(), format!("{text}{suffix}")));
            }
            (None, None) | (None, Some(_)) => {}
        }
    }
    let width = attr_lines
        .iter()
        .map(|(_, n, _)| n.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (sym, name, text) in attr_lines {
        let _ = writeln!(out, "{}{} {:<width$} = {text}", &pad, st.symbol(&sym), name);
    }
    out.push_str(&block_lines);
    if hidden_blocks > 0 {
        let _ = writeln!(
            out,
            "{pad}# ({hidden_blocks} unchanged block{} hidden)",
            if hidden_blocks == 1 { "" } else { "s" }
        );
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{pad}# ({hidden} unchanged attribute{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
    out
}

fn blocks_diff(
    st: &Style,
    name: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    indent: usize,
) -> (String, usize) {
    let pad = " ".repeat(indent);
    let items = |v: Option<&Value>| {
        v.and_then(|v| v.as_list())
            .map(<[Value]>::to_vec)
            .unwrap_or_default()
    };
    let b = items(before);
    let a = items(after);
    let mut out = String::new();
    let mut unchanged = 0;
    for item in &b {
        if !a.iter().any(|x| x == item) {
            let _ = writeln!(out, "{pad}{} {name} {{", st.symbol("-"));
            out.push_str(&object_diff(
                st,
                Some(item),
                None,
                &[],
                indent + 4,
                Action::Delete,
            ));
            let _ = writeln!(out, "{pad}  }}");
        } else {
            unchanged += 1;
        }
    }
    if matches!(after, Some(Value::Unknown)) {
        let _ = writeln!(out, "{pad}{} {name} = (known after apply)", st.symbol("~"));
    }
    for item in &a {
        if !b.iter().any(|x| x == item) {
            let _ = writeln!(out, "{pad}{} {name} {{", st.symbol("+"));
            out.push_str(&object_diff(
                st,
                None,
                Some(item),
                &[],
                indent + 4,
                Action::Create,
            ));
            let _ = writeln!(out, "{pad}  }}");
        }
    }
    let unchanged = if before.is_some() && after.is_some() {
        unchanged
    } else {
        0
    };
    (out, unchanged)
}

/// `old -> new`, or for maps a nested per-key diff, or for multi-line strings a line diff.
fn change_text(st: &Style, before: &Value, after: &Value, indent: usize) -> String {
    if let (Value::Map(b), Value::Map(a)) = (before.unmarked(), after.unmarked()) {
        if !matches!(before, Value::Sensitive(_)) && !matches!(after, Value::Sensitive(_)) {
            let pad = " ".repeat(indent + 4);
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            // Align over the keys shown, not the hidden unchanged ones.
            let width = keys
                .iter()
                .filter(|k| b.get(**k) != a.get(**k))
                .map(|k| k.len() + 2)
                .max()
                .unwrap_or(0);
            let mut out = String::from("{\n");
            let mut hidden = 0;
            for k in keys {
                let qk = format!("\"{k}\"");
                match (b.get(k), a.get(k)) {
                    (Some(x), Some(y)) if x == y => hidden += 1,
                    (Some(x), Some(y)) => {
                        let _ = writeln!(
                            out,
                            "{}{} {qk:<width$} = {} -> {}",
                            &pad,
                            st.symbol("~"),
                            value_inline(x),
                            value_inline(y)
                        );
                    }
                    (None, Some(y)) => {
                        let _ = writeln!(
                            out,
                            "{}{} {qk:<width$} = {}",
                            &pad,
                            st.symbol("+"),
                            value_inline(y)
                        );
                    }
                    (Some(x), None) => {
                        let _ = writeln!(
                            out,
                            "{}{} {qk:<width$} = {} -> null",
                            &pad,
                            st.symbol("-"),
                            value_inline(x)
                        );
                    }
                    (None, None) => {}
                }
            }
            if hidden > 0 {
                let _ = writeln!(
                    out,
                    "{pad}# ({hidden} unchanged element{} hidden)",
                    if hidden == 1 { "" } else { "s" }
                );
            }
            let _ = write!(out, "{}}}", " ".repeat(indent + 2));
            return out;
        }
    }
    if let (Value::String(b), Value::String(a)) = (before, after) {
        if b.contains('\n') || a.contains('\n') {
            return string_diff(st, b, a, indent);
        }
    }
    format!("{} -> {}", value_inline(before), value_inline(after))
}

/// Multi-line strings (user data, JSON documents) diffed line by line.
fn string_diff(st: &Style, before: &str, after: &str, indent: usize) -> String {
    let pad = " ".repeat(indent + 4);
    let mut out = String::from("<<-EOT\n");
    let diff = similar::TextDiff::from_lines(before, after);
    for change in diff.iter_all_changes() {
        let line = change.value().trim_end_matches('\n');
        let sym = match change.tag() {
            similar::ChangeTag::Delete => st.symbol("-"),
            similar::ChangeTag::Insert => st.symbol("+"),
            similar::ChangeTag::Equal => " ".into(),
        };
        let _ = writeln!(out, "{pad}{sym} {line}");
    }
    let _ = write!(out, "{}EOT", " ".repeat(indent + 2));
    out
}

/// A value on one line where short, or a multi-line block for maps, lists and long text.
fn value_block(st: &Style, sym: Option<&str>, v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent + 4);
    let mark = |s: &str| st.symbol(sym.unwrap_or(s));
    match v {
        Value::Map(m) if !m.is_empty() => {
            let width = m.keys().map(|k| k.len() + 2).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, x) in m {
                let _ = writeln!(
                    out,
                    "{}{} {:<width$} = {}",
                    &pad,
                    mark("+"),
                    format!("\"{k}\""),
                    value_inline(x)
                );
            }
            let _ = write!(out, "{}}}", " ".repeat(indent + 2));
            out
        }
        Value::List(l) | Value::Set(l) if !l.is_empty() => {
            let mut out = String::from("[\n");
            for x in l {
                let _ = writeln!(out, "{}{} {},", &pad, mark("+"), value_inline(x));
            }
            let _ = write!(out, "{}]", " ".repeat(indent + 2));
            out
        }
        Value::String(s) if s.contains('\n') => {
            let mut out = String::from("<<-EOT\n");
            for line in s.lines() {
                let _ = writeln!(out, "{pad}  {line}");
            }
            let _ = write!(out, "{}EOT", " ".repeat(indent + 2));
            out
        }
        other => value_inline(other),
    }
}

/// A value on one line: `"text"`, `5`, `true`, `null`, `["a", "b"]`, `{ "k" = "v" }`,
/// `(known after apply)`, `(sensitive value)`.
pub fn value_inline(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::Unknown => "(known after apply)".into(),
        Value::Sensitive(_) => "(sensitive value)".into(),
        Value::List(l) | Value::Set(l) => {
            if l.is_empty() {
                "[]".into()
            } else {
                format!(
                    "[{}]",
                    l.iter().map(value_inline).collect::<Vec<_>>().join(", ")
                )
            }
        }
        Value::Map(m) => {
            if m.is_empty() {
                "{}".into()
            } else {
                format!(
                    "{{ {} }}",
                    m.iter()
                        .map(|(k, v)| format!("\"{k}\" = {}", value_inline(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    }
}
