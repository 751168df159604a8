//! `ecsform state list|show|rm|mv|history|rollback`: read and edit the state without touching
//! AWS.
//!
//! Thin: addresses are matched by `addrs::pattern`, moves worked out by `addrs::moves`, the
//! edits made by `StateStore` in one transaction each (under the state lock), and the text
//! and JSON come from `render::state`. Also home of the helpers `show` and `output` share:
//! opening the state for reading and printing an error diagnostic.

use std::collections::BTreeSet;

use super::args::Format;
use super::{print_diags, Ctx, Io};
use crate::addrs::moves::plan_moves;
use crate::addrs::pattern::{terraform_order, AddrPattern};
use crate::addrs::ResourceInstanceAddr;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::eval::suggest;
use crate::render::state as view;
use crate::state::{ResourceRecord, StateError, StateLock, StateStore};

const SUBCOMMANDS: &[&str] = &["list", "show", "rm", "mv", "history", "rollback"];

pub fn run(ctx: &Ctx, io: &mut Io) -> u8 {
    let Some((sub, args)) = ctx.cmd.args.split_first() else {
        return usage(
            ctx,
            io,
            "\"ecsform state\" needs a subcommand: list, show, rm, mv, history or rollback.".into(),
        );
    };
    if sub != "rollback" && (ctx.cmd.serial.is_some() || ctx.cmd.auto_approve) {
        return usage(
            ctx,
            io,
            format!("-serial and -auto-approve are options of \"state rollback\", not of \"state {sub}\"."),
        );
    }
    match sub.as_str() {
        "list" => list(ctx, args, io),
        "show" => show(ctx, args, io),
        "rm" => rm(ctx, args, io),
        "mv" => mv(ctx, args, io),
        "history" => history(ctx, args, io),
        "rollback" => rollback(ctx, args, io),
        other => {
            let hint = suggest(other, SUBCOMMANDS)
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            usage(
                ctx,
                io,
                format!(
                    "unknown subcommand \"state {other}\". Subcommands: list, show, rm, mv, history, rollback.{hint}"
                ),
            )
        }
    }
}

/// Prints a usage mistake like the argument parser does; exit code 1.
fn usage(_ctx: &Ctx, io: &mut Io, message: String) -> u8 {
    let _ = writeln!(
        io.err,
        "Error: {message}\n\nRun \"ecsform state -help\" for usage."
    );
    1
}

/// Prints one error diagnostic; exit code 1.
pub(super) fn fail(ctx: &Ctx, io: &mut Io, d: Diagnostic) -> u8 {
    print_diags(io, &Diagnostics(vec![d]), None, ctx.color);
    1
}

/// Prints a warning diagnostic.
pub(super) fn warn(ctx: &Ctx, io: &mut Io, d: Diagnostic) {
    print_diags(io, &Diagnostics(vec![d]), None, ctx.color);
}

fn state_error(ctx: &Ctx, io: &mut Io, e: StateError) -> u8 {
    let summary = match &e {
        StateError::Locked { .. } => "Error acquiring the state lock",
        StateError::CannotRollBack { .. } => "Cannot roll back the state",
        _ => "Error reading or writing the state",
    };
    fail(ctx, io, Diagnostic::error(summary, e.to_string()))
}

/// Releases the state lock after a successful edit; a lock that stays behind is worth a
/// warning, since the next command would find the state locked.
fn release(ctx: &Ctx, io: &mut Io, lock: StateLock) {
    let id = lock.info().id.clone();
    if let Err(e) = lock.release() {
        warn(
            ctx,
            io,
            Diagnostic::warning(
                "Failed to release the state lock",
                format!("{e}. The change was saved; run \"ecsform force-unlock {id}\" to release the lock."),
            ),
        );
    }
}

/// Opens the state file if there is one (`Ok(None)` when there is none); an unreadable file
/// is reported and turned into exit code 1.
pub(super) fn open_state(ctx: &Ctx, io: &mut Io) -> Result<Option<StateStore>, u8> {
    StateStore::open_existing(&ctx.state_path).map_err(|e| state_error(ctx, io, e))
}

/// Opens the state file, or reports Terraform's "No state file was found!" with exit code 1.
fn require_state(ctx: &Ctx, io: &mut Io) -> Result<StateStore, u8> {
    match open_state(ctx, io)? {
        Some(store) => Ok(store),
        None => Err(fail(
            ctx,
            io,
            Diagnostic::error(
                "No state file was found!",
                format!(
                    "There is no state file at {}. State management commands need one: run this \
                     command in the directory where ecsform apply has run, or point -state=PATH \
                     at the state file.",
                    ctx.state_path.display()
                ),
            ),
        )),
    }
}

/// Every record with its parsed address, sorted in Terraform's order; records whose address
/// does not parse (which only a damaged state has) come last, by text.
pub(super) fn sorted(
    records: &[ResourceRecord],
) -> Vec<(Option<ResourceInstanceAddr>, &ResourceRecord)> {
    let mut out: Vec<_> = records
        .iter()
        .map(|r| (ResourceInstanceAddr::parse(&r.address), r))
        .collect();
    out.sort_by(|(a, ra), (b, rb)| match (a, b) {
        (Some(a), Some(b)) => terraform_order(a, b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => ra.address.cmp(&rb.address),
    });
    out
}

fn parse_patterns(ctx: &Ctx, io: &mut Io, args: &[String]) -> Result<Vec<AddrPattern>, u8> {
    let mut patterns = Vec::new();
    for a in args {
        match AddrPattern::parse(a) {
            Ok(p) => patterns.push(p),
            Err(e) => return Err(fail(ctx, io, Diagnostic::error("Invalid address", e))),
        }
    }
    Ok(patterns)
}

/// The closest address in the state (an instance, a resource or a module) to `wanted`.
fn did_you_mean(wanted: &str, records: &[ResourceRecord]) -> Option<String> {
    let mut names = BTreeSet::new();
    for r in records {
        names.insert(r.address.clone());
        if let Some(a) = ResourceInstanceAddr::parse(&r.address) {
            let mut resource = a.clone();
            resource.key = None;
            names.insert(resource.to_string());
            let mut m = a.module;
            while !m.is_root() {
                names.insert(m.to_string());
                let mut keyless = m.clone();
                if let Some(last) = keyless.0.last_mut() {
                    last.1 = None;
                }
                names.insert(keyless.to_string());
                m = match m.parent() {
                    Some((parent, _)) => parent,
                    None => break,
                };
            }
        }
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    suggest(wanted, &names).map(|s| format!("Did you mean \"{s}\"?"))
}

fn no_match(wanted: &AddrPattern, records: &[ResourceRecord]) -> Diagnostic {
    let d = Diagnostic::error(
        "No matching objects found",
        format!(
            "The state has no resource instance at {wanted}. \"ecsform state list\" shows the \
             addresses in the state."
        ),
    );
    match did_you_mean(&wanted.to_string(), records) {
        Some(hint) => d.hint(hint),
        None => d,
    }
}

pub(super) fn print_json(io: &mut Io, doc: &serde_json::Value) {
    let text = serde_json::to_string_pretty(doc).expect("JSON values always serialise");
    let _ = writeln!(io.out, "{text}");
}

fn no_json(ctx: &Ctx, io: &mut Io, sub: &str) -> Option<u8> {
    (ctx.cmd.format == Format::Json).then(|| {
        usage(
            ctx,
            io,
            format!("-json is for state list, state show and state history, not state {sub}."),
        )
    })
}

/// `state list [ADDR...]`: every instance, or those inside the given modules, resources or
/// instances.
fn list(ctx: &Ctx, args: &[String], io: &mut Io) -> u8 {
    let patterns = match parse_patterns(ctx, io, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let store = match require_state(ctx, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let records = match store.resources() {
        Ok(r) => r,
        Err(e) => return state_error(ctx, io, e),
    };
    let shown: Vec<&ResourceRecord> = sorted(&records)
        .into_iter()
        .filter(|(addr, _)| {
            patterns.is_empty()
                || addr
                    .as_ref()
                    .is_some_and(|a| patterns.iter().any(|p| p.matches(a)))
        })
        .map(|(_, r)| r)
        .collect();
    for p in &patterns {
        let any = records
            .iter()
            .filter_map(|r| ResourceInstanceAddr::parse(&r.address))
            .any(|a| p.matches(&a));
        if !any {
            let d = Diagnostic::warning(
                "No matching objects found",
                format!("The state has no resource instance at {p}."),
            );
            let d = match did_you_mean(&p.to_string(), &records) {
                Some(hint) => d.hint(hint),
                None => d,
            };
            warn(ctx, io, d);
        }
    }
    if ctx.cmd.format == Format::Json {
        print_json(io, &view::list_json(&shown));
    } else {
        let _ = io.out.write_all(view::list_text(&shown).as_bytes());
    }
    0
}

/// `state show ADDR`: one instance's attributes.
fn show(ctx: &Ctx, args: &[String], io: &mut Io) -> u8 {
    let [arg] = args else {
        return usage(
            ctx,
            io,
            "\"ecsform state show\" takes exactly one resource instance address.".into(),
        );
    };
    let pattern = match AddrPattern::parse(arg) {
        Ok(p) => p,
        Err(e) => return fail(ctx, io, Diagnostic::error("Invalid address", e)),
    };
    let Some(instance) = pattern.instance() else {
        return fail(
            ctx,
            io,
            Diagnostic::error(
                "Not a resource instance address",
                format!(
                    "{pattern} is a module. \"ecsform state show\" shows one resource instance; \
                     \"ecsform state list {pattern}\" lists the instances in it."
                ),
            ),
        );
    };
    let store = match require_state(ctx, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let found = match store.resource(&instance.to_string()) {
        Ok(found) => found,
        Err(e) => return state_error(ctx, io, e),
    };
    let Some(rec) = found else {
        let records = match store.resources() {
            Ok(r) => r,
            Err(e) => return state_error(ctx, io, e),
        };
        let instances: Vec<String> = sorted(&records)
            .into_iter()
            .filter(|(a, _)| a.as_ref().is_some_and(|a| pattern.matches(a)))
            .map(|(_, r)| r.address.clone())
            .collect();
        if !instances.is_empty() {
            return fail(
                ctx,
                io,
                Diagnostic::error(
                    "Not a single instance",
                    format!(
                        "{pattern} has {} instance(s): {}. Name one of them.",
                        instances.len(),
                        instances.join(", ")
                    ),
                ),
            );
        }
        return fail(ctx, io, no_match(&pattern, &records));
    };
    if ctx.cmd.format == Format::Json {
        print_json(io, &view::instance_detail_json(&rec));
    } else {
        let _ = io.out.write_all(view::instance_text(&rec).as_bytes());
    }
    0
}

/// `state rm ADDR...`: forget every instance under the addresses; AWS is not touched.
fn rm(ctx: &Ctx, args: &[String], io: &mut Io) -> u8 {
    if let Some(code) = no_json(ctx, io, "rm") {
        return code;
    }
    if args.is_empty() {
        return usage(
            ctx,
            io,
            "\"ecsform state rm\" needs at least one address to remove.".into(),
        );
    }
    let patterns = match parse_patterns(ctx, io, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut store = match require_state(ctx, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let lock = match store.lock("state rm", ctx.cmd.lock_timeout) {
        Ok(l) => l,
        Err(e) => return state_error(ctx, io, e),
    };
    let records = match store.resources() {
        Ok(r) => r,
        Err(e) => return state_error(ctx, io, e),
    };
    let all = sorted(&records);
    let mut chosen: Vec<String> = Vec::new();
    for p in &patterns {
        let hits: Vec<&String> = all
            .iter()
            .filter(|(a, _)| a.as_ref().is_some_and(|a| p.matches(a)))
            .map(|(_, r)| &r.address)
            .collect();
        if hits.is_empty() {
            return fail(ctx, io, no_match(p, &records));
        }
        chosen.extend(hits.into_iter().cloned());
    }
    // In the state's order, each once.
    let chosen: BTreeSet<String> = chosen.into_iter().collect();
    let addresses: Vec<String> = all
        .iter()
        .map(|(_, r)| r.address.clone())
        .filter(|a| chosen.contains(a))
        .collect();
    if let Err(e) = store.remove_resources(&addresses) {
        return state_error(ctx, io, e);
    }
    release(ctx, io, lock);
    for a in &addresses {
        let _ = writeln!(io.out, "Removed {a}");
    }
    let _ = writeln!(
        io.out,
        "Successfully removed {} resource instance(s).",
        addresses.len()
    );
    0
}

/// `state mv SOURCE DEST`: give an instance, a resource or a module a new address.
fn mv(ctx: &Ctx, args: &[String], io: &mut Io) -> u8 {
    if let Some(code) = no_json(ctx, io, "mv") {
        return code;
    }
    let [src, dst] = args else {
        return usage(
            ctx,
            io,
            "\"ecsform state mv\" takes two addresses: SOURCE and DESTINATION.".into(),
        );
    };
    let patterns = match parse_patterns(ctx, io, &[src.clone(), dst.clone()]) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (src, dst) = (&patterns[0], &patterns[1]);
    let mut store = match require_state(ctx, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let lock = match store.lock("state mv", ctx.cmd.lock_timeout) {
        Ok(l) => l,
        Err(e) => return state_error(ctx, io, e),
    };
    let records = match store.resources() {
        Ok(r) => r,
        Err(e) => return state_error(ctx, io, e),
    };
    let existing: Vec<ResourceInstanceAddr> = records
        .iter()
        .filter_map(|r| ResourceInstanceAddr::parse(&r.address))
        .collect();
    if !existing.iter().any(|a| src.matches(a)) {
        return fail(ctx, io, no_match(src, &records));
    }
    let moves = match plan_moves(src, dst, &existing) {
        Ok(m) => m,
        Err(e) => return fail(ctx, io, Diagnostic::error("Invalid state move request", e)),
    };
    if let Err(e) = store.move_resources(&moves) {
        return state_error(ctx, io, e);
    }
    release(ctx, io, lock);
    for (from, to) in &moves {
        let _ = writeln!(io.out, "Move \"{from}\" to \"{to}\"");
    }
    let _ = writeln!(io.out, "Successfully moved {} object(s).", moves.len());
    0
}

/// `state history`: every recorded change, newest first.
fn history(ctx: &Ctx, args: &[String], io: &mut Io) -> u8 {
    if !args.is_empty() {
        return usage(
            ctx,
            io,
            "\"ecsform state history\" takes no arguments.".into(),
        );
    }
    let store = match require_state(ctx, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let entries = match store.history(usize::MAX) {
        Ok(h) => h,
        Err(e) => return state_error(ctx, io, e),
    };
    if ctx.cmd.format == Format::Json {
        print_json(io, &view::history_json(&entries));
    } else if entries.is_empty() {
        let _ = writeln!(io.out, "The state has no recorded changes yet.");
    } else {
        let _ = io.out.write_all(view::history_text(&entries).as_bytes());
    }
    0
}

/// `state rollback [-serial=N] [-auto-approve]`: put the resources and outputs back as they
/// were at serial N (default: the serial before), as a new serial, after showing what changes.
fn rollback(ctx: &Ctx, args: &[String], io: &mut Io) -> u8 {
    if let Some(code) = no_json(ctx, io, "rollback") {
        return code;
    }
    if !args.is_empty() {
        return usage(
            ctx,
            io,
            "\"ecsform state rollback\" takes no arguments; choose the serial with -serial=N \
             (see \"ecsform state history\")."
                .into(),
        );
    }
    let mut store = match require_state(ctx, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let lock = match store.lock("state rollback", ctx.cmd.lock_timeout) {
        Ok(l) => l,
        Err(e) => return state_error(ctx, io, e),
    };
    let plan = match store.rollback_plan(ctx.cmd.serial) {
        Ok(p) => p,
        Err(e) => return state_error(ctx, io, e),
    };
    if plan.is_empty() {
        release(ctx, io, lock);
        let _ = writeln!(
            io.out,
            "The state at serial {} already has the resources and outputs it had at serial {}; \
             nothing to roll back.",
            plan.current_serial, plan.target_serial
        );
        return 0;
    }
    let _ = io.out.write_all(view::rollback_text(&plan).as_bytes());
    if !ctx.cmd.auto_approve {
        let question = format!(
            "\nDo you want to roll the state back to serial {}?\n  Only 'yes' will be accepted \
             to approve.",
            plan.target_serial
        );
        match io.confirm(&question) {
            None => {
                let _ = writeln!(
                    io.err,
                    "\nError: No terminal to confirm with\n\n  ecsform state rollback asks for \
                     confirmation, but its input is not a terminal. Review the changes above and \
                     run again with -auto-approve to make them without asking."
                );
                return 1;
            }
            Some(false) => {
                let _ = writeln!(
                    io.err,
                    "\nError: Rollback cancelled\n\n  Only 'yes' is accepted; nothing was changed."
                );
                return 1;
            }
            Some(true) => {}
        }
    }
    let serial = match store.rollback(&plan) {
        Ok(s) => s,
        Err(e) => return state_error(ctx, io, e),
    };
    release(ctx, io, lock);
    let _ = writeln!(
        io.out,
        "\nRolled back: serial {serial} has the resources and outputs of serial {}. \
         \"ecsform state history\" lists the rollback; \"ecsform state rollback\" again undoes it.",
        plan.target_serial
    );
    0
}
