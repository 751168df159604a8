//! Configuration as written: the module tree read from `*.tf` files, with source spans.
//!
//! `config` parses and checks structure (block kinds, labels, duplicate arguments, module
//! sources) but evaluates nothing: expressions are kept as parsed HCL ([`Expr`]) for `lang`.
//! Variable values given on the command line or in `.tfvars` files are read here too, also
//! unevaluated ([`inputs`]).

pub mod inputs;
mod load;

use std::collections::BTreeMap;
use std::path::PathBuf;

use hcl::edit::expr::Expression;
use hcl::edit::structure::Body;
use hcl::edit::Span as _;

use crate::diag::{FileId, Span};

pub(crate) use load::syntax_diagnostic;
pub use load::{load_root, Loader};

/// An expression together with the file it was read from, so that spans can be resolved.
#[derive(Clone, Debug)]
pub struct Expr {
    pub expr: Expression,
    pub file: FileId,
}

impl Expr {
    pub fn span(&self) -> Option<Span> {
        self.expr.span().map(|r| Span::new(self.file, r))
    }
}

/// A block body (resource arguments, nested blocks) kept for evaluation.
#[derive(Clone, Debug)]
pub struct BodyExpr {
    pub body: Body,
    pub file: FileId,
}

impl BodyExpr {
    /// Where the argument or nested block at `path` (names from the top of the body:
    /// `["ingress", "from_port"]`) is written: the first block of that name that has it, else
    /// the closest enclosing block. None when not even the first name is written literally
    /// (a `dynamic` block, say).
    pub fn locate(&self, path: &[String]) -> Option<Span> {
        fn find(body: &Body, path: &[String]) -> Option<std::ops::Range<usize>> {
            let (first, rest) = path.split_first()?;
            if rest.is_empty() {
                if let Some(a) = body.get_attribute(first) {
                    return a.key.span();
                }
            }
            let mut enclosing = None;
            for block in body.get_blocks(first) {
                if rest.is_empty() {
                    return block.ident.span();
                }
                if let Some(r) = find(&block.body, rest) {
                    return Some(r);
                }
                enclosing = enclosing.or_else(|| block.ident.span());
            }
            enclosing
        }
        find(&self.body, path).map(|r| Span::new(self.file, r))
    }

    /// True if the last name of `path` is written as a nested block (`tags { ... }`) rather
    /// than as an argument, inside the blocks the other names lead to.
    pub fn is_block(&self, path: &[String]) -> bool {
        fn find(body: &Body, path: &[String]) -> bool {
            match path.split_first() {
                None => false,
                Some((last, [])) => body.get_blocks(last).next().is_some(),
                Some((first, rest)) => body.get_blocks(first).any(|b| find(&b.body, rest)),
            }
        }
        find(&self.body, path)
    }
}

/// A module: the root, or one loaded from a local `source`.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// Directory on disk.
    pub dir: PathBuf,
    /// Directory as shown to users (relative to the root module).
    pub display_dir: String,
    pub terraform: Vec<TerraformBlock>,
    pub providers: Vec<Provider>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    /// Managed resources and data sources, keyed by (mode, type, name).
    pub resources: BTreeMap<ResourceKey, Resource>,
    pub outputs: BTreeMap<String, Output>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    /// Module calls declared here but not loaded (an unsupported or missing source, a module
    /// including itself, a limit), by name, with where each is declared. Why was reported
    /// once, at the call; references to them are not reported again as undeclared.
    pub rejected_module_calls: BTreeMap<String, Option<Span>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// `(mode, type, name)`: how a resource block is identified inside its module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
}

impl std::fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mode {
            Mode::Managed => write!(f, "{}.{}", self.type_name, self.name),
            Mode::Data => write!(f, "data.{}.{}", self.type_name, self.name),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct TerraformBlock {
    pub required_version: Option<Expr>,
    /// `required_providers { aws = { source = "hashicorp/aws", version = "~> 5.0" } }`
    pub required_providers: Vec<(String, Expr)>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Provider {
    pub name: String,
    pub alias: Option<String>,
    /// Every argument (region, profile, ...) and nested block (default_tags, ...).
    pub body: BodyExpr,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    /// The `type` constraint expression, parsed by `lang::types`.
    pub type_expr: Option<Expr>,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<Validation>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Expr,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub value: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<Expr>,
    pub span: Option<Span>,
}

/// A `resource` or `data` block.
#[derive(Clone, Debug)]
pub struct Resource {
    pub key: ResourceKey,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// `provider = aws.west`: (provider name, alias).
    pub provider: Option<(String, String, Option<Span>)>,
    pub lifecycle: Lifecycle,
    /// Arguments and nested blocks, meta-arguments removed.
    pub config: BodyExpr,
    /// The block header (`resource "aws_vpc" "main"`).
    pub span: Option<Span>,
    /// The type label (`"aws_vpc"`).
    pub type_span: Option<Span>,
}

#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    /// Attribute names, or `["*"]` for `ignore_changes = all`.
    pub ignore_changes: Vec<String>,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<Validation>,
    /// Postconditions may refer to `self`.
    pub postconditions: Vec<Validation>,
}

#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub source_span: Option<Span>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// Input variable values, by name, in source order.
    pub inputs: BTreeMap<String, (Expr, Option<Span>)>,
    pub span: Option<Span>,
    /// The loaded child module.
    pub module: Box<Module>,
}

/// A module's place in the tree of module calls: `["network", "subnets"]` for
/// `module.network.module.subnets`. Empty for the root.
pub type ModulePath = Vec<String>;

impl Module {
    /// The module at `path` below this one.
    pub fn descendant(&self, path: &[String]) -> Option<&Module> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => self.module_calls.get(first)?.module.descendant(rest),
        }
    }

    /// Every module in the tree with its path, parents before children.
    pub fn walk(&self) -> Vec<(ModulePath, &Module)> {
        let mut out = vec![(Vec::new(), self)];
        let mut i = 0;
        while i < out.len() {
            let (path, module) = out[i].clone();
            for (name, call) in &module.module_calls {
                let mut p = path.clone();
                p.push(name.clone());
                out.push((p, &call.module));
            }
            i += 1;
        }
        out
    }
}

/// `module.a.module.b` for a module path, or "the root module".
pub fn describe_module(path: &[String]) -> String {
    if path.is_empty() {
        "the root module".into()
    } else {
        path.iter()
            .map(|p| format!("module.{p}"))
            .collect::<Vec<_>>()
            .join(".")
    }
}
