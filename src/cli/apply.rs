//! `ecsform apply` and `ecsform destroy`: plan, show, confirm, apply with Terraform-style
//! progress, and report.

use std::time::Duration;

use super::{print_diags, runtime, Ctx, Io};
use crate::addrs::ResourceInstanceAddr;
use crate::apply::{ApplyHooks, Phase};
use crate::aws::error::ApiError;
use crate::aws::retries::{RetryCause, RetrySummary};
use crate::ops;
use crate::plan::planfile::PlanFile;
use crate::render::text;

struct Progress<'a> {
    out: &'a mut dyn std::io::Write,
}

fn secs(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

impl ApplyHooks for Progress<'_> {
    fn pre(&mut self, addr: &ResourceInstanceAddr, phase: Phase) {
        let verb = match phase {
            Phase::Create => "Creating...",
            Phase::Update => "Modifying...",
            Phase::Delete => "Destroying...",
        };
        let _ = writeln!(self.out, "{addr}: {verb}");
    }

    fn still(&mut self, addr: &ResourceInstanceAddr, phase: Phase, elapsed: Duration) {
        let verb = match phase {
            Phase::Create => "creating",
            Phase::Update => "modifying",
            Phase::Delete => "destroying",
        };
        let _ = writeln!(
            self.out,
            "{addr}: Still {verb}... [{} elapsed]",
            secs(elapsed)
        );
    }

    fn post(
        &mut self,
        addr: &ResourceInstanceAddr,
        phase: Phase,
        outcome: Result<Option<&str>, &ApiError>,
        elapsed: Duration,
    ) {
        let Ok(id) = outcome else {
            return;
        };
        let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        let done = match phase {
            Phase::Create => "Creation complete",
            Phase::Update => "Modifications complete",
            Phase::Delete => "Destruction complete",
        };
        let _ = writeln!(self.out, "{addr}: {done} after {}{id}", secs(elapsed));
    }

    fn adopted(&mut self, addr: &ResourceInstanceAddr, id: Option<&str>) {
        let _ = writeln!(
            self.out,
            "{addr}: Adopted {} (created by an interrupted apply)",
            id.unwrap_or("the object")
        );
    }

    fn rollout(&mut self, addr: &ResourceInstanceAddr, message: &str) {
        let _ = writeln!(self.out, "{addr}: Rolling: {message}");
    }

    fn interrupted(&mut self, count: u8) {
        let _ = if count == 1 {
            writeln!(
                self.out,
                "\nInterrupt received.\nPlease wait for ecsform to exit or data loss may occur.\nGracefully shutting down...\n"
            )
        } else {
            writeln!(
                self.out,
                "\nTwo interrupts received. Exiting immediately. Running calls are abandoned; the next plan finds what they did.\n"
            )
        };
        let _ = self.out.flush();
    }
}

pub fn run(ctx: &Ctx, command: &'static str, io: &mut Io) -> u8 {
    let opts = &ctx.run_options(command);
    let color = ctx.color;
    let rt = match runtime(io) {
        Some(rt) => rt,
        None => return 1,
    };
    let mut planned = match ctx.cmd.args.first() {
        Some(file) => match load_saved(ctx, opts, &rt, file, io) {
            Some(p) => p,
            None => return 1,
        },
        None => match plan_and_confirm(ctx, opts, &rt, io) {
            Ok(p) => p,
            Err(code) => return code,
        },
    };
    let destroying = planned.plan.destroy;
    let _ = writeln!(io.out);
    let parallelism = opts.parallelism;
    let interrupt = crate::interrupt::Interrupt::new();
    if super::handles_signals() {
        let _in_runtime = rt.enter();
        interrupt.listen_for_ctrl_c();
    }
    let summary = {
        let mut progress = Progress { out: &mut *io.out };
        rt.block_on(ops::apply(
            &mut planned,
            parallelism,
            Some(interrupt),
            &mut progress,
        ))
    };
    let adopted = if summary.adopted > 0 {
        format!("{} adopted, ", summary.adopted)
    } else {
        String::new()
    };
    if !summary.diags.is_empty() {
        let _ = writeln!(io.err);
        print_diags(io, &summary.diags, Some(&planned.loaded), color);
    }
    let retried = retry_report(&planned.clients.retry_stats());
    if summary.interrupted {
        let _ = writeln!(
            io.out,
            "\nApply interrupted. Resources: {adopted}{} added, {} changed, {} destroyed; what finished is recorded in state. Run apply again to finish.",
            summary.added, summary.changed, summary.destroyed
        );
        if let Some(line) = &retried {
            let _ = writeln!(io.out, "{line}");
        }
        return 1;
    }
    if summary.diags.has_errors() {
        let _ = writeln!(
            io.out,
            "\nApply stopped with errors. Resources: {adopted}{} added, {} changed, {} destroyed; what succeeded is recorded in state.",
            summary.added, summary.changed, summary.destroyed
        );
        if let Some(line) = retried {
            let _ = writeln!(io.out, "{line}");
        }
        return 1;
    }
    if destroying {
        let _ = writeln!(
            io.out,
            "\nDestroy complete! Resources: {} destroyed.",
            summary.destroyed
        );
    } else {
        let _ = writeln!(
            io.out,
            "\nApply complete! Resources: {adopted}{} added, {} changed, {} destroyed.",
            summary.added, summary.changed, summary.destroyed
        );
        if summary.rolled > 0 {
            let _ = writeln!(
                io.out,
                "Instances replaced in {} Auto Scaling group{}.",
                summary.rolled,
                if summary.rolled == 1 { "" } else { "s" }
            );
        }
    }
    if let Some(line) = retried {
        let _ = writeln!(io.out, "{line}");
    }
    if !destroying {
        print_outputs(io, &planned);
    }
    0
}

/// `AWS retried 12 requests (10 throttled: RequestLimitExceeded ×10; 2 server errors).`, or
/// nothing when the SDK retried nothing in this run (plan and refresh included).
fn retry_report(retries: &RetrySummary) -> Option<String> {
    let total = retries.total();
    if total == 0 {
        return None;
    }
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    let throttled = retries.count(RetryCause::Throttled);
    if throttled > 0 {
        let codes: Vec<String> = retries
            .by_code(RetryCause::Throttled)
            .into_iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect();
        parts.push(format!("{throttled} throttled: {}", codes.join(", ")));
    }
    let server = retries.count(RetryCause::ServerError);
    if server > 0 {
        parts.push(plural(server, "server error", "server errors"));
    }
    let transient = retries.count(RetryCause::Transient);
    if transient > 0 {
        parts.push(plural(
            transient,
            "timeout or connection error",
            "timeouts or connection errors",
        ));
    }
    Some(format!(
        "AWS retried {} ({}).",
        plural(total, "request", "requests"),
        parts.join("; ")
    ))
}

/// Plans, shows the plan and asks for confirmation. `Err(exit code)` when there is nothing
/// to apply or the user said no.
fn plan_and_confirm(
    ctx: &Ctx,
    opts: &ops::RunOptions,
    rt: &tokio::runtime::Runtime,
    io: &mut Io,
) -> Result<ops::Planned, u8> {
    let color = ctx.color;
    let planned = match rt.block_on(ops::plan(opts)) {
        Err((diags, loaded)) => {
            print_diags(io, &diags, loaded.as_ref(), color);
            return Err(1);
        }
        Ok(p) => p,
    };
    print_diags(io, &planned.loaded.diags, Some(&planned.loaded), color);
    print_diags(io, &planned.warnings, Some(&planned.loaded), color);
    let _ = io
        .out
        .write_all(text::render_plan(&planned.plan, color).as_bytes());
    let destroying = opts.destroy;
    if !planned.plan.has_changes() {
        return Err(0);
    }
    if !ctx.cmd.auto_approve {
        let question = if destroying && opts.targets.is_empty() {
            "Do you really want to destroy all resources?\n  ecsform will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm."
        } else if destroying {
            "Do you really want to destroy the targeted resources?\n  ecsform will destroy the resources shown above.\n  There is no undo. Only 'yes' will be accepted to confirm."
        } else {
            "Do you want to perform these actions?\n  ecsform will perform the actions described above.\n  Only 'yes' will be accepted to approve."
        };
        match io.confirm(&format!("\n{question}")) {
            None => {
                let _ = writeln!(
                    io.err,
                    "\nError: No terminal to confirm with\n\n  ecsform {} asks for confirmation, but its input is not a terminal. Review the plan above and run again with -auto-approve to apply it without asking.",
                    opts.command
                );
                return Err(1);
            }
            Some(false) => {
                let _ = writeln!(
                    io.err,
                    "\nError: {} cancelled\n\n  Only 'yes' is accepted; nothing was changed.",
                    if destroying { "Destroy" } else { "Apply" }
                );
                return Err(1);
            }
            Some(true) => {}
        }
    }
    Ok(planned)
}

/// Reads a saved plan and checks it still holds. None (after printing why) when it cannot be
/// applied.
fn load_saved(
    ctx: &Ctx,
    opts: &ops::RunOptions,
    rt: &tokio::runtime::Runtime,
    file: &str,
    io: &mut Io,
) -> Option<ops::Planned> {
    let misplaced: Vec<&str> = [
        (!ctx.cmd.targets.is_empty(), "-target"),
        (!ctx.cmd.replace.is_empty(), "-replace"),
        (!ctx.cmd.refresh, "-refresh=false"),
    ]
    .into_iter()
    .filter_map(|(given, flag)| given.then_some(flag))
    .collect();
    if !misplaced.is_empty() {
        let _ = writeln!(
            io.err,
            "Error: {} cannot be used with a saved plan\n\n  The plan file already records what to do. Give these options to \"ecsform plan -out=FILE\" instead.",
            misplaced.join(", ")
        );
        return None;
    }
    let saved = match PlanFile::read(&ctx.resolve(std::path::Path::new(file))) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(io.err, "Error: Failed to read the saved plan\n\n  {e}.");
            return None;
        }
    };
    match rt.block_on(ops::saved(opts, &saved)) {
        Err((diags, loaded)) => {
            print_diags(io, &diags, loaded.as_ref(), ctx.color);
            None
        }
        Ok(p) => {
            print_diags(io, &p.loaded.diags, Some(&p.loaded), ctx.color);
            Some(p)
        }
    }
}

fn print_outputs(io: &mut Io, planned: &ops::Planned) {
    let Some(state) = &planned.state else { return };
    let Ok(outputs) = state.outputs() else { return };
    if outputs.is_empty() {
        return;
    }
    let _ = writeln!(io.out, "\nOutputs:\n");
    for (name, value, sensitive) in outputs {
        let v = crate::lang::Value::from_json(&value).mark_sensitive(sensitive);
        let _ = writeln!(io.out, "{name} = {}", text::value_inline(&v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::retries::RetryKind;

    fn summary(entries: &[(RetryCause, &str, Option<&str>, u64)]) -> RetrySummary {
        RetrySummary {
            counts: entries
                .iter()
                .map(|(cause, service, code, n)| {
                    (
                        RetryKind {
                            cause: *cause,
                            service: service.to_string(),
                            code: code.map(String::from),
                        },
                        *n,
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn no_retries_no_line() {
        assert_eq!(retry_report(&RetrySummary::default()), None);
    }

    #[test]
    fn the_line_counts_retries_by_cause_and_throttling_code() {
        let s = summary(&[
            (
                RetryCause::Throttled,
                "EC2",
                Some("RequestLimitExceeded"),
                10,
            ),
            (RetryCause::ServerError, "EC2", Some("InternalError"), 1),
            (RetryCause::ServerError, "ECS", None, 1),
        ]);
        assert_eq!(
            retry_report(&s).as_deref(),
            Some("AWS retried 12 requests (10 throttled: RequestLimitExceeded ×10; 2 server errors).")
        );
        let s = summary(&[
            (
                RetryCause::Throttled,
                "EC2",
                Some("RequestLimitExceeded"),
                2,
            ),
            (
                RetryCause::Throttled,
                "Elastic Load Balancing v2",
                Some("Throttling"),
                1,
            ),
            (RetryCause::Throttled, "EC2", Some("Throttling"), 1),
            (RetryCause::Transient, "IAM", None, 1),
        ]);
        assert_eq!(
            retry_report(&s).as_deref(),
            Some("AWS retried 5 requests (4 throttled: RequestLimitExceeded ×2, Throttling ×2; 1 timeout or connection error).")
        );
        let s = summary(&[(RetryCause::ServerError, "SNS", Some("InternalError"), 1)]);
        assert_eq!(
            retry_report(&s).as_deref(),
            Some("AWS retried 1 request (1 server error).")
        );
    }
}
