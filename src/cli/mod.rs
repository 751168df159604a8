//! The command-line interface: parse flags, run one command, map the outcome to an exit code.
//!
//! Commands are thin: they call [`crate::ops::load`] and render. Diagnostics go to stderr,
//! results to stdout. Exit codes: 0 success, 1 errors (usage errors included).

mod apply;
pub mod args;
mod fmt;
mod force_unlock;
mod graph;
mod import;
mod output;
mod plan;
mod providers;
mod show;
mod state_cmd;
mod validate;

use std::io::{IsTerminal, Write};

use std::path::PathBuf;

use args::{Command, CommandName, Invocation};

use crate::aws::AwsEnv;
use crate::diag::{Diagnostics, Sources};
use crate::ops;
use crate::ops::load::{self, LoadOptions, Loaded};

/// Where command output goes; tests capture it.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Whether stderr is a terminal (colour allowed).
    pub color: bool,
    /// Where confirmations are read from: the terminal, or None when there is none (then
    /// apply and destroy refuse to run without -auto-approve).
    pub input: Option<&'a mut dyn std::io::BufRead>,
    /// The environment variables the command sees (`TF_VAR_*`, `NO_COLOR`, the AWS
    /// settings), or None for the process's own. A caller that runs commands in-process
    /// gives each its own, as a process would have.
    pub env: Option<&'a [(String, String)]>,
}

impl Io<'_> {
    /// Asks `question` on stdout, as Terraform does (`Enter a value:`), and reads the answer:
    /// `None` when there is no terminal to ask on, otherwise whether the answer is `yes`.
    pub fn confirm(&mut self, question: &str) -> Option<bool> {
        let input = self.input.as_mut()?;
        let _ = write!(self.out, "{question}\n\n  Enter a value: ");
        let _ = self.out.flush();
        let mut answer = String::new();
        let _ = input.read_line(&mut answer);
        Some(answer.trim() == "yes")
    }
}

/// What every command needs besides its output streams.
pub struct Ctx<'a> {
    pub cmd: &'a Command,
    /// The configuration directory and variable sources.
    pub load: LoadOptions,
    /// The state file, resolved against the working directory.
    pub state_path: PathBuf,
    /// Colour allowed (a terminal, no -no-color, no NO_COLOR).
    pub color: bool,
    /// Where the AWS clients read their environment variables.
    pub aws_env: AwsEnv,
}

impl Ctx<'_> {
    /// A path from the command line, relative to the working directory (after `-chdir`).
    pub fn resolve(&self, p: &std::path::Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.load.dir.join(p)
        }
    }

    /// Options for plan, apply, destroy and import.
    pub fn run_options(&self, command: &'static str) -> ops::RunOptions {
        ops::RunOptions {
            load: self.load.clone(),
            state_path: self.state_path.clone(),
            lock_timeout: self.cmd.lock_timeout,
            refresh: self.cmd.refresh,
            destroy: self.cmd.destroy,
            parallelism: self.cmd.parallelism,
            command,
            targets: self.cmd.targets.clone(),
            replace: self.cmd.replace.clone(),
            no_rolling: self.cmd.no_rolling,
            aws_env: self.aws_env.clone(),
        }
    }
}

/// Runs the command line (without the program name) and returns the exit code.
pub fn run(argv: &[String], io: &mut Io) -> u8 {
    let inv = match args::parse(argv) {
        Ok(inv) => inv,
        Err(e) => {
            let _ = writeln!(io.err, "Error: {e}\n\nRun \"ecsform -help\" for usage.");
            return 1;
        }
    };
    match inv {
        Invocation::Version => {
            let _ = writeln!(
                io.out,
                "ecsform v{} (Terraform language {})",
                env!("CARGO_PKG_VERSION"),
                load::TERRAFORM_LANGUAGE_VERSION
            );
            0
        }
        Invocation::Help(cmd) => {
            let _ = io.out.write_all(help(cmd).as_bytes());
            0
        }
        Invocation::Run(cmd) => {
            let no_color = match io.env {
                Some(env) => env.iter().any(|(k, _)| k == "NO_COLOR"),
                None => std::env::var_os("NO_COLOR").is_some(),
            };
            let color = io.color && !cmd.no_color && !no_color;
            let dir = match &cmd.chdir {
                Some(d) => d.clone(),
                None => std::env::current_dir().unwrap_or_else(|_| ".".into()),
            };
            if !dir.is_dir() {
                let _ = writeln!(
                    io.err,
                    "Error: -chdir: {} is not a directory.",
                    dir.display()
                );
                return 1;
            }
            let (env, aws_env) = match io.env {
                Some(env) => (env.to_vec(), AwsEnv::vars(env.iter().cloned())),
                None => (std::env::vars().collect(), AwsEnv::Process),
            };
            let opts = LoadOptions {
                dir,
                vars: cmd.vars.clone(),
                env,
            };
            let state_path = match &cmd.state {
                Some(p) if p.is_absolute() => p.clone(),
                Some(p) => opts.dir.join(p),
                None => opts.dir.join(crate::state::DEFAULT_PATH),
            };
            let ctx = Ctx {
                cmd: &cmd,
                load: opts,
                state_path,
                color,
                aws_env,
            };
            match cmd.name {
                CommandName::Validate => validate::run(&ctx.load, color, io),
                CommandName::Graph => graph::run(&ctx.load, cmd.full, color, io),
                CommandName::Plan => plan::run(&ctx, io),
                CommandName::Apply => apply::run(&ctx, "apply", io),
                CommandName::Destroy => apply::run(&ctx, "destroy", io),
                CommandName::ForceUnlock => {
                    force_unlock::run(&ctx.state_path, cmd.lock_id.as_deref(), cmd.force, io)
                }
                CommandName::Show => show::run(&ctx, io),
                CommandName::Output => output::run(&ctx, io),
                CommandName::State => state_cmd::run(&ctx, io),
                CommandName::Import => import::run(&ctx, io),
                CommandName::Fmt => fmt::run(&ctx, io),
                CommandName::Providers => providers::run(&cmd, io),
            }
        }
    }
}

/// Loads the configuration and prints its diagnostics (warnings too) to stderr. `None` when
/// there were errors.
fn load_reporting(opts: &LoadOptions, color: bool, io: &mut Io) -> Option<load::Loaded> {
    let loaded = load::load(opts);
    if !loaded.diags.is_empty() {
        let _ = io
            .err
            .write_all(loaded.diags.render(&loaded.sources, color).as_bytes());
    }
    (!loaded.diags.has_errors()).then_some(loaded)
}

/// Prints diagnostics to stderr, with snippets when the sources are at hand.
fn print_diags(io: &mut Io, diags: &Diagnostics, loaded: Option<&Loaded>, color: bool) {
    if diags.is_empty() {
        return;
    }
    let empty = Sources::default();
    let sources = loaded.map(|l| &l.sources).unwrap_or(&empty);
    let _ = io.err.write_all(diags.render(sources, color).as_bytes());
}

/// The async runtime for commands that talk to AWS.
fn runtime(io: &mut Io) -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            let _ = writeln!(io.err, "Error: could not start the async runtime: {e}");
            None
        }
    }
}

/// Set by [`main`]: this process is the `ecsform` binary, whose apply handles Ctrl-C itself.
/// Commands run in-process (tests) leave SIGINT alone.
static HANDLES_SIGNALS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn handles_signals() -> bool {
    HANDLES_SIGNALS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The process entry point used by `main.rs`: runs this process's command line and returns
/// its exit code.
pub fn main() -> u8 {
    HANDLES_SIGNALS.store(true, std::sync::atomic::Ordering::Relaxed);
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let color = stderr.is_terminal();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    // Locked only for a terminal: piped input stays readable by `fmt -`.
    let mut stdin_lock = interactive.then(|| stdin.lock());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        color,
        input: stdin_lock.as_mut().map(|l| l as &mut dyn std::io::BufRead),
        env: None,
    };
    run(&argv, &mut io)
}

const STATE_FLAGS: &str = "  -state=PATH         The state file (default state/ecsform.sqlite).
  -lock-timeout=30s   Wait this long for the state lock instead of failing at once.
";

const TARGET_FLAGS: &str = "  -target=ADDR        Plan only ADDR (a resource, instance or module) and what it\n                      depends on; repeatable.
  -replace=ADDR       Replace this resource instance even if nothing forces it; repeatable.
";

const ROLLING_FLAGS: &str = "  -no-rolling         Update launch templates and Auto Scaling groups, but do not\n                      replace instances (no rolling_update), as Terraform does.
";

const VAR_FLAGS: &str = "  -var 'NAME=VALUE'   Set a root module variable; repeatable.
  -var-file=FILE      Load variable values from a .tfvars or .tfvars.json file; repeatable.
  -no-color           Do not colour the output.
";

fn help(cmd: Option<CommandName>) -> String {
    match cmd {
        None => {
            let mut s = String::from(
                "Usage: ecsform [global options] <command> [options]\n\n\
                 ecsform plans and applies AWS ECS-on-EC2 infrastructure described in\n\
                 Terraform-style HCL, with direct AWS API calls.\n\nCommands:\n",
            );
            for (name, _, about) in CommandName::ALL {
                s.push_str(&format!("  {name:<10} {about}\n"));
            }
            s.push_str(
                "\nGlobal options (before the command):\n  \
                 -chdir=DIR   Use DIR as the working directory (root module, tfvars, state).\n  \
                 -help        Show this help; \"ecsform COMMAND -help\" shows a command's options.\n  \
                 -version     Show the version.\n\n\
                 Flags accept -flag=value, -flag value, --flag=value and --flag value.\n",
            );
            s
        }
        Some(CommandName::Validate) => format!(
            "Usage: ecsform [global options] validate [options]\n\n\
             Loads every *.tf file in the working directory and its local modules, evaluates\n\
             variables, expressions, count and for_each, and checks every reference.\n\
             Reports every problem found, with file, line and column. Exit code 0 when valid,\n\
             1 otherwise.\n\nOptions:\n{VAR_FLAGS}"
        ),
        Some(CommandName::Plan) => format!(
            "Usage: ecsform [global options] plan [options]\n\n\
             Reads every managed object from AWS (unless -refresh=false), compares it with the\n\
             configuration and shows what apply would do. Changes nothing.\n\nOptions:\n\
             -out=FILE           Save the plan to FILE; \"ecsform apply FILE\" applies exactly it.\n  \
             -json               Print the plan as JSON (close to \"terraform show -json\").\n  \
             -markdown           Print the plan as GitHub markdown for a pull-request comment.\n  \
             -summary            Print one line per changed resource.\n  \
             -destroy            Plan to destroy everything in the state.\n  \
             -detailed-exitcode  Exit 0 with no changes, 1 on error, 2 with changes.\n  \
             -refresh=false      Do not read objects from AWS first.\n{ROLLING_FLAGS}{TARGET_FLAGS}{STATE_FLAGS}{VAR_FLAGS}"
        ),
        Some(CommandName::Apply) => format!(
            "Usage: ecsform [global options] apply [options] [PLANFILE]\n\n\
             Plans, shows the plan, asks for confirmation and applies it with direct AWS API\n\
             calls in dependency order. State is written after every call.\n\n\
             With PLANFILE (from \"ecsform plan -out=PLANFILE\"), applies exactly that plan without\n\
             planning again or asking; refuses, changing nothing, if the state, a configuration\n\
             file or a variable value changed since the plan was made.\n\nOptions:\n\
             -auto-approve       Do not ask for confirmation (required without a terminal).\n  \
             -parallelism=N      At most N calls at once (default 10).\n  \
             -refresh=false      Do not read objects from AWS first.\n{ROLLING_FLAGS}{TARGET_FLAGS}{STATE_FLAGS}{VAR_FLAGS}"
        ),
        Some(CommandName::Destroy) => format!(
            "Usage: ecsform [global options] destroy [options]\n\n\
             Destroys every object in the state, dependents first.\n\nOptions:\n\
             -auto-approve       Do not ask for confirmation (required without a terminal).\n  \
             -parallelism=N      At most N calls at once (default 10).\n  \
             -target=ADDR        Destroy only ADDR and what depends on it; repeatable.\n{STATE_FLAGS}{VAR_FLAGS}"
        ),
        Some(CommandName::ForceUnlock) => format!(
            "Usage: ecsform [global options] force-unlock [options] LOCK_ID\n\n\
             Releases the state lock with this ID, left behind by an ecsform process that was\n\
             killed. Make sure no other ecsform is running. Asks for confirmation.\n\nOptions:\n  \
             -force              Do not ask for confirmation (required without a terminal).\n{STATE_FLAGS}"
        ),
        Some(CommandName::Show) => "Usage: ecsform [global options] show [options] [PLANFILE]\n\n\
             With PLANFILE, renders a saved plan again. Without, shows every resource in the\n\
             state and the outputs. Sensitive values are masked.\n\nOptions:\n  \
             -json               JSON (close to \"terraform show -json\").\n  \
             -markdown           GitHub markdown (plans only).\n  \
             -summary            One line per changed resource (plans only).\n  \
             -no-color           Do not colour the output.\n  \
             -state=PATH         The state file (default state/ecsform.sqlite).\n"
            .to_string(),
        Some(CommandName::Output) => "Usage: ecsform [global options] output [options] [NAME]\n\n\
             Prints the root module's outputs from the state, or one of them. Sensitive outputs\n\
             are masked in the list and shown only when asked for by name.\n\nOptions:\n  \
             -json               Print as JSON.\n  \
             -raw                Print NAME's value as a plain string (strings, numbers, bools).\n  \
             -no-color           Do not colour the output.\n  \
             -state=PATH         The state file (default state/ecsform.sqlite).\n"
            .to_string(),
        Some(CommandName::State) => format!(
            "Usage: ecsform [global options] state <subcommand> [options] [args]\n\n\
             Subcommands:\n  \
             list [ADDR-PREFIX]  List the resource instances in the state.\n  \
             show ADDR           Show one resource instance's attributes.\n  \
             rm ADDR...          Forget ADDR (every instance under it); the AWS object stays.\n  \
             mv SOURCE DEST      Move an instance, resource or module to a new address.\n  \
             history             The recorded changes, newest first.\n  \
             rollback            Put the resources and outputs back as they were at an earlier\n                      \
             serial, written as a new serial; AWS objects are not touched.\n\nOptions:\n  \
             -json               JSON output (list, show, history).\n  \
             -serial=N           rollback: the serial to go back to (default: the one before).\n  \
             -auto-approve       rollback: do not ask for confirmation (required without a\n                      \
             terminal).\n{STATE_FLAGS}"
        ),
        Some(CommandName::Import) => format!(
            "Usage: ecsform [global options] import [options] ADDR ID\n\n\
             Reads the existing AWS object ID and records it in the state at ADDR, which must be\n\
             declared in the configuration. The next plan shows only the differences between the\n\
             object and the configuration. docs/import.md lists the ID each resource type takes.\n\n\
             Options:\n{STATE_FLAGS}{VAR_FLAGS}"
        ),
        Some(CommandName::Fmt) => "Usage: ecsform [global options] fmt [options] [PATH...]\n\n\
             Rewrites .tf and .tfvars files in the canonical format (two-space indents, aligned\n\
             equals signs), as terraform fmt does, and lists the files it changed. Without PATH,\n\
             formats the working directory; with - as PATH, formats standard input to standard\n\
             output. A file with a syntax error is reported and left unchanged.\n\nOptions:\n  \
             -check              Change nothing; exit 3 if any file is not formatted.\n  \
             -diff               Print the changes as a diff.\n  \
             -recursive          Also format subdirectories.\n"
            .to_string(),
        Some(CommandName::Providers) => "Usage: ecsform [global options] providers schema -json\n\n\
             Prints the schemas of every resource type and data source ecsform supports, in\n\
             the format of \"terraform providers schema -json\" (providers hashicorp/archive,\n\
             hashicorp/aws, hashicorp/cloudinit, hashicorp/local, hashicorp/null,\n\
             hashicorp/random, hashicorp/template and hashicorp/tls), for editors and\n\
             linters.\n"
            .to_string(),
        Some(CommandName::Graph) => format!(
            "Usage: ecsform [global options] graph [options]\n\n\
             Prints the dependency graph of resource instances in Graphviz DOT. An edge\n\
             A -> B means A depends on B. Edges implied by longer paths are left out unless\n\
             -full is given. Render it with: ecsform graph | dot -Tsvg > graph.svg\n\n\
             Options:\n  -full               Print every dependency edge, not the transitive reduction.\n{VAR_FLAGS}"
        ),
    }
}
