//! The configuration graph: one node per variable, local, resource, output and module call in
//! every module, with an edge for every reference and `depends_on`.
//!
//! Building it is also where references are checked: a reference to something not declared,
//! `count.index` outside a counted block, `self` outside a postcondition, an argument a module
//! does not declare — each becomes a located diagnostic. Cycles are reported with every node on
//! them. Evaluation order and resource-instance edges both come from this graph.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::dag::Dag;
use crate::config::{describe_module, Expr, Mode, Module, ModulePath, ResourceKey};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::lang::eval::suggest;
use crate::lang::refs::{self, RefError, Reference, Subject};

/// A node of the configuration graph. Module paths have no instance keys: one node stands for
/// every instance of its module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigNode {
    /// Expanding a module call (its count/for_each); `path` is the called module's path.
    ModuleExpand(ModulePath),
    Var(ModulePath, String),
    Local(ModulePath, String),
    Resource(ModulePath, ResourceKey),
    Output(ModulePath, String),
    /// A provider configuration of the root module: (name, alias).
    Provider(String, Option<String>),
}

fn prefix(path: &[String]) -> String {
    path.iter().map(|p| format!("module.{p}.")).collect()
}

impl fmt::Display for ConfigNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigNode::ModuleExpand(p) => {
                let (last, parent) = p.split_last().expect("module calls have a name");
                write!(f, "{}module.{last}", prefix(parent))
            }
            ConfigNode::Var(p, n) => write!(f, "{}var.{n}", prefix(p)),
            ConfigNode::Local(p, n) => write!(f, "{}local.{n}", prefix(p)),
            ConfigNode::Resource(p, k) => write!(f, "{}{k}", prefix(p)),
            ConfigNode::Output(p, n) => write!(f, "{}output.{n}", prefix(p)),
            ConfigNode::Provider(n, None) => write!(f, "provider[\"{n}\"]"),
            ConfigNode::Provider(n, Some(a)) => write!(f, "provider[\"{n}\"].{a}"),
        }
    }
}

/// What an expression may use besides the module's declarations.
#[derive(Clone, Copy, Default)]
struct Context {
    count: bool,
    for_each: bool,
    self_ok: bool,
    /// A variable's validation rules refer to the variable itself; that is no cycle.
    own_var_ok: bool,
}

/// Builds the configuration graph of `root`, reporting every invalid reference and cycle.
pub fn build(root: &Module) -> (Dag<ConfigNode>, Diagnostics) {
    let mut b = Builder {
        root,
        dag: Dag::new(),
        diags: Diagnostics::new(),
        ref_spans: BTreeMap::new(),
    };
    for (path, module) in root.walk() {
        b.module(&path, module);
    }
    b.report_cycles();
    (b.dag, b.diags)
}

struct Builder<'a> {
    root: &'a Module,
    dag: Dag<ConfigNode>,
    diags: Diagnostics,
    /// Where each edge's first reference is written, for cycle reports.
    ref_spans: BTreeMap<(ConfigNode, ConfigNode), Span>,
}

impl<'a> Builder<'a> {
    fn module(&mut self, path: &ModulePath, module: &'a Module) {
        let expand = (!path.is_empty()).then(|| ConfigNode::ModuleExpand(path.clone()));
        let parent_path: ModulePath = path
            .split_last()
            .map(|(_, p)| p.to_vec())
            .unwrap_or_default();
        let call = path
            .split_last()
            .and_then(|(name, parent)| self.root.descendant(parent)?.module_calls.get(name));

        if let (Some(expand), Some(call)) = (&expand, call) {
            self.dag.add(expand.clone());
            if !parent_path.is_empty() {
                self.dag
                    .depend(expand, &ConfigNode::ModuleExpand(parent_path.clone()));
            }
            let ctx = Context::default();
            for e in call.count.iter().chain(call.for_each.iter()) {
                self.expr_edges(expand, &parent_path, e, ctx);
            }
            for e in &call.depends_on {
                self.depends_on_edges(expand, &parent_path, e);
            }
        }

        for (name, var) in &module.variables {
            let node = ConfigNode::Var(path.clone(), name.clone());
            self.dag.add(node.clone());
            if let Some(expand) = &expand {
                self.dag.depend(&node, expand);
            }
            if let Some(default) = &var.default {
                let (found, errors) = refs::references(&default.expr);
                if !found.is_empty() || !errors.is_empty() {
                    self.diags.push(
                        Diagnostic::error(
                            "Variables not allowed",
                            format!("The default value of variable \"{name}\" must be a constant; it cannot refer to other objects."),
                        )
                        .at(default.span()),
                    );
                }
            }
            let validation = Context {
                own_var_ok: true,
                ..Context::default()
            };
            for v in &var.validations {
                self.expr_edges(&node, path, &v.condition, validation);
                self.expr_edges(&node, path, &v.error_message, validation);
            }
            if let Some(call) = call {
                let ctx = Context {
                    count: call.count.is_some(),
                    for_each: call.for_each.is_some(),
                    ..Context::default()
                };
                if let Some((e, _)) = call.inputs.get(name) {
                    self.expr_edges(&node, &parent_path, e, ctx);
                } else if var.default.is_none() {
                    self.diags.push(
                        Diagnostic::error(
                            "Missing required argument",
                            format!("The argument \"{name}\" is required by module \"{}\", but no definition was found.", call.name),
                        )
                        .at(call.span.clone())
                        .related("the variable is declared here", var.span.clone())
                        .hint(format!("Add {name} = ... to the module block, or give the variable a default.")),
                    );
                }
            }
        }
        if let Some(call) = call {
            for (name, (_, span)) in &call.inputs {
                if !module.variables.contains_key(name) {
                    let names: Vec<&str> = module.variables.keys().map(String::as_str).collect();
                    let mut d = Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument named \"{name}\" is not expected here: module \"{}\" declares no variable \"{name}\".", call.name),
                    )
                    .at(span.clone());
                    if let Some(s) = suggest(name, &names) {
                        d = d.hint(format!("Did you mean \"{s}\"?"));
                    }
                    self.diags.push(d);
                }
            }
        }

        for (name, local) in &module.locals {
            let node = ConfigNode::Local(path.clone(), name.clone());
            self.dag.add(node.clone());
            self.expr_edges(&node, path, &local.expr, Context::default());
        }

        for (key, res) in &module.resources {
            let node = ConfigNode::Resource(path.clone(), key.clone());
            self.dag.add(node.clone());
            if let Some(expand) = &expand {
                self.dag.depend(&node, expand);
            }
            let plain = Context::default();
            for e in res.count.iter().chain(res.for_each.iter()) {
                self.expr_edges(&node, path, e, plain);
            }
            let ctx = Context {
                count: res.count.is_some(),
                for_each: res.for_each.is_some(),
                ..Context::default()
            };
            let (found, errors) = refs::body_references(&res.config.body);
            self.add_refs(&node, path, res.config.file, found, errors, ctx);
            for c in &res.lifecycle.preconditions {
                self.expr_edges(&node, path, &c.condition, ctx);
                self.expr_edges(&node, path, &c.error_message, ctx);
            }
            let post = Context {
                self_ok: true,
                ..ctx
            };
            for c in &res.lifecycle.postconditions {
                self.expr_edges(&node, path, &c.condition, post);
                self.expr_edges(&node, path, &c.error_message, post);
            }
            for e in res
                .depends_on
                .iter()
                .chain(&res.lifecycle.replace_triggered_by)
            {
                self.depends_on_edges(&node, path, e);
            }
            if let Some((name, alias, span)) = &res.provider {
                self.check_provider(name, alias, span.clone());
            }
        }

        for (name, out) in &module.outputs {
            let node = ConfigNode::Output(path.clone(), name.clone());
            self.dag.add(node.clone());
            if let Some(expand) = &expand {
                self.dag.depend(&node, expand);
            }
            self.expr_edges(&node, path, &out.value, Context::default());
            for e in &out.depends_on {
                self.depends_on_edges(&node, path, e);
            }
        }

        if path.is_empty() {
            for p in &module.providers {
                let node = ConfigNode::Provider(p.name.clone(), p.alias.clone());
                self.dag.add(node.clone());
                let (found, errors) = refs::body_references(&p.body.body);
                self.add_refs(&node, path, p.body.file, found, errors, Context::default());
            }
        }
    }

    fn check_provider(&mut self, name: &str, alias: &str, span: Option<Span>) {
        if alias.is_empty() {
            return;
        }
        let declared = self
            .root
            .walk()
            .iter()
            .flat_map(|(_, m)| m.providers.iter())
            .any(|p| p.name == name && p.alias.as_deref() == Some(alias));
        if !declared {
            self.diags.push(
                Diagnostic::error(
                    "Provider configuration not present",
                    format!("This resource uses provider {name}.{alias}, but no provider \"{name}\" block with alias = \"{alias}\" is declared."),
                )
                .at(span)
                .hint(format!("Add provider \"{name}\" {{ alias = \"{alias}\" ... }} to the root module.")),
            );
        }
    }

    fn expr_edges(&mut self, node: &ConfigNode, path: &ModulePath, e: &Expr, ctx: Context) {
        let (found, errors) = refs::references(&e.expr);
        self.add_refs(node, path, e.file, found, errors, ctx);
    }

    fn add_refs(
        &mut self,
        node: &ConfigNode,
        path: &ModulePath,
        file: FileId,
        found: Vec<Reference>,
        errors: Vec<RefError>,
        ctx: Context,
    ) {
        for e in errors {
            self.diags.push(
                Diagnostic::error(e.summary, e.detail).at(e.span.map(|r| Span::new(file, r))),
            );
        }
        for r in found {
            let span = r.span.clone().map(|s| Span::new(file, s));
            match self.resolve(path, &r.subject, ctx) {
                Ok(targets) => {
                    for t in targets {
                        if ctx.own_var_ok && &t == node {
                            continue;
                        }
                        if let Some(span) = &span {
                            self.ref_spans
                                .entry((node.clone(), t.clone()))
                                .or_insert_with(|| span.clone());
                        }
                        self.dag.depend(node, &t);
                    }
                }
                Err(d) => self.diags.push(d.at(span)),
            }
        }
    }

    /// `depends_on` elements: whole resources, modules, local values or variables.
    fn depends_on_edges(&mut self, node: &ConfigNode, path: &ModulePath, e: &Expr) {
        let (found, errors) = refs::references(&e.expr);
        let mut ok = errors.is_empty() && found.len() == 1;
        if let Some(r) = found.first() {
            match &r.subject {
                Subject::Resource(..) => {}
                // A whole local value or variable, as Terraform accepts it (its references
                // become the dependencies); `local.x.attr` is not a whole object.
                Subject::Local(_) | Subject::Var(_) => ok &= operator_count(&e.expr) == r.consumed,
                Subject::Module(call, None) => {
                    let mut child = path.clone();
                    child.push(call.clone());
                    if let Some(m) = self.root.descendant(&child) {
                        // Everything inside the module, at any depth.
                        for (sub, module) in m.walk() {
                            let mut p = child.clone();
                            p.extend(sub);
                            for key in module.resources.keys() {
                                self.dag
                                    .depend(node, &ConfigNode::Resource(p.clone(), key.clone()));
                            }
                            for out in module.outputs.keys() {
                                self.dag
                                    .depend(node, &ConfigNode::Output(p.clone(), out.clone()));
                            }
                        }
                    }
                }
                _ => ok = false,
            }
        }
        if !ok {
            self.diags.push(
                Diagnostic::error(
                    "Invalid depends_on reference",
                    "depends_on may only refer to whole resources, data sources, modules, local values and variables, like aws_vpc.main or module.network — not to attributes of them.",
                )
                .at(e.span()),
            );
            return;
        }
        self.expr_edges(node, path, e, Context::default());
    }

    /// The nodes a reference in module `path` depends on, or why it is invalid.
    fn resolve(
        &self,
        path: &ModulePath,
        s: &Subject,
        ctx: Context,
    ) -> Result<Vec<ConfigNode>, Diagnostic> {
        let module = self
            .root
            .descendant(path)
            .expect("graph paths come from the module tree");
        let here = describe_module(path);
        let did_you_mean = |name: &str, names: Vec<&str>| {
            suggest(name, &names).map(|s| format!("Did you mean \"{s}\"?"))
        };
        match s {
            Subject::Var(n) => {
                if module.variables.contains_key(n) {
                    return Ok(vec![ConfigNode::Var(path.clone(), n.clone())]);
                }
                let mut d = Diagnostic::error(
                    "Reference to undeclared input variable",
                    format!("An input variable with the name \"{n}\" has not been declared in {here}. This variable can be declared with a variable \"{n}\" {{}} block."),
                );
                if let Some(h) =
                    did_you_mean(n, module.variables.keys().map(String::as_str).collect())
                {
                    d = d.hint(h);
                }
                Err(d)
            }
            Subject::Local(n) => {
                if module.locals.contains_key(n) {
                    return Ok(vec![ConfigNode::Local(path.clone(), n.clone())]);
                }
                let mut d = Diagnostic::error(
                    "Reference to undeclared local value",
                    format!("A local value with the name \"{n}\" has not been declared in {here}."),
                );
                if let Some(h) = did_you_mean(n, module.locals.keys().map(String::as_str).collect())
                {
                    d = d.hint(h);
                }
                Err(d)
            }
            Subject::Module(call, output) => {
                if module.rejected_module_calls.contains_key(call) {
                    // Declared but not loaded: that is reported at the call, once. There
                    // is nothing in it to depend on, and it evaluates to unknown.
                    return Ok(Vec::new());
                }
                let Some(c) = module.module_calls.get(call) else {
                    let mut d = Diagnostic::error(
                        "Reference to undeclared module",
                        format!("No module call named \"{call}\" is declared in {here}."),
                    );
                    if let Some(h) = did_you_mean(
                        call,
                        module.module_calls.keys().map(String::as_str).collect(),
                    ) {
                        d = d.hint(h);
                    }
                    return Err(d);
                };
                let mut child = path.clone();
                child.push(call.clone());
                let mut nodes = vec![ConfigNode::ModuleExpand(child.clone())];
                match output {
                    Some(o) if c.module.outputs.contains_key(o) => {
                        nodes.push(ConfigNode::Output(child, o.clone()));
                    }
                    Some(o) => {
                        let mut d = Diagnostic::error(
                            "Unsupported attribute",
                            format!("Module \"{call}\" has no output named \"{o}\"."),
                        );
                        let names: Vec<&str> =
                            c.module.outputs.keys().map(String::as_str).collect();
                        d = d.hint(match suggest(o, &names) {
                            Some(s) => format!("Did you mean \"{s}\"?"),
                            None => format!(
                                "Its outputs are: {}.",
                                if names.is_empty() {
                                    "(none)".to_string()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        });
                        return Err(d);
                    }
                    None => nodes.extend(
                        c.module
                            .outputs
                            .keys()
                            .map(|o| ConfigNode::Output(child.clone(), o.clone())),
                    ),
                }
                Ok(nodes)
            }
            Subject::Resource(mode, ty, name) => {
                let key = ResourceKey {
                    mode: mode.clone(),
                    type_name: ty.clone(),
                    name: name.clone(),
                };
                if module.resources.contains_key(&key) {
                    return Ok(vec![ConfigNode::Resource(path.clone(), key)]);
                }
                let (summary, what) = match mode {
                    Mode::Managed => ("Reference to undeclared resource", "A managed resource"),
                    Mode::Data => ("Reference to undeclared resource", "A data resource"),
                };
                let mut d = Diagnostic::error(
                    summary,
                    format!("{what} \"{ty}\" \"{name}\" has not been declared in {here}."),
                );
                let same: Vec<&str> = module
                    .resources
                    .keys()
                    .filter(|k| k.mode == *mode && &k.type_name == ty)
                    .map(|k| k.name.as_str())
                    .collect();
                if let Some(s) = suggest(name, &same) {
                    d = d.hint(format!(
                        "Did you mean {}?",
                        ResourceKey {
                            mode: mode.clone(),
                            type_name: ty.clone(),
                            name: s.to_string()
                        }
                    ));
                }
                Err(d)
            }
            Subject::Count(attr) => {
                if !ctx.count {
                    return Err(Diagnostic::error(
                        "Reference to \"count\" in non-counted context",
                        "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                    ));
                }
                if attr != "index" {
                    return Err(Diagnostic::error(
                        "Invalid \"count\" attribute",
                        format!("The \"count\" object does not have an attribute named \"{attr}\". The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set."),
                    ));
                }
                Ok(Vec::new())
            }
            Subject::Each(attr) => {
                if !ctx.for_each {
                    return Err(Diagnostic::error(
                        "Reference to \"each\" in context without for_each",
                        "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                    ));
                }
                if attr != "key" && attr != "value" {
                    return Err(Diagnostic::error(
                        "Invalid \"each\" attribute",
                        format!("The \"each\" object does not have an attribute named \"{attr}\". The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set."),
                    ));
                }
                Ok(Vec::new())
            }
            Subject::Path(attr) => {
                if ["module", "root", "cwd"].contains(&attr.as_str()) {
                    Ok(Vec::new())
                } else {
                    Err(Diagnostic::error(
                        "Invalid \"path\" attribute",
                        format!("The \"path\" object does not have an attribute named \"{attr}\". The supported attributes are path.module, path.root and path.cwd."),
                    ))
                }
            }
            Subject::Terraform(attr) => {
                if attr == "workspace" {
                    Ok(Vec::new())
                } else {
                    Err(Diagnostic::error(
                        "Invalid \"terraform\" attribute",
                        format!("The \"terraform\" object does not have an attribute named \"{attr}\". The only supported attribute is terraform.workspace."),
                    ))
                }
            }
            Subject::SelfRef => {
                if ctx.self_ok {
                    Ok(Vec::new())
                } else {
                    Err(Diagnostic::error(
                        "Invalid \"self\" reference",
                        "The \"self\" object is not available in this context. This object can be used only in resource postcondition blocks (ecsform runs no provisioners or connections).",
                    ))
                }
            }
            Subject::Bound(_) => Ok(Vec::new()),
        }
    }

    /// The shortest loop from the first node of a cycle back to it, staying inside the cycle.
    fn loop_through(&self, cycle: &[ConfigNode]) -> Vec<ConfigNode> {
        let start = &cycle[0];
        let mut came_from: BTreeMap<&ConfigNode, &ConfigNode> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for d in self.dag.dependencies(n) {
                if d == start {
                    let mut path = vec![n.clone()];
                    let mut cur = n;
                    while let Some(prev) = came_from.get(cur) {
                        path.push((*prev).clone());
                        cur = prev;
                    }
                    path.reverse();
                    return path;
                }
                if cycle.contains(d) && !came_from.contains_key(d) {
                    came_from.insert(d, n);
                    queue.push_back(d);
                }
            }
        }
        vec![start.clone()]
    }

    /// Where `from` refers to `to`, or failing that where `from` is declared.
    fn reference_span(&self, from: &ConfigNode, to: &ConfigNode) -> Option<Span> {
        self.ref_spans
            .get(&(from.clone(), to.clone()))
            .cloned()
            .or_else(|| cycle_span(self.root, from))
    }

    fn report_cycles(&mut self) {
        for cycle in self.dag.cycles() {
            let names: Vec<String> = cycle.iter().map(ToString::to_string).collect();
            if let [single] = cycle.as_slice() {
                self.diags.push(
                    Diagnostic::error(
                        "Self-referential block",
                        format!("Configuration for {single} may not refer to itself."),
                    )
                    .at(self.reference_span(single, single)),
                );
                continue;
            }
            // Show the loop in the order the references go, then any other members.
            let order = self.loop_through(&cycle);
            let chain: Vec<String> = order
                .iter()
                .chain(order.first())
                .map(ToString::to_string)
                .collect();
            let mut detail = format!(
                "These objects depend on each other in a loop: {}.",
                chain.join(" → ")
            );
            let rest: Vec<&String> = names.iter().filter(|n| !chain.contains(n)).collect();
            if !rest.is_empty() {
                let rest: Vec<&str> = rest.iter().map(|s| s.as_str()).collect();
                detail.push_str(&format!("\nAlso part of the loop: {}.", rest.join(", ")));
            }
            // One snippet per step: where each object refers to the next.
            let next = |i: usize| &order[(i + 1) % order.len()];
            let mut d = Diagnostic::error("Cycle in configuration", detail)
                .at(self.reference_span(&order[0], next(0)))
                .hint("Break the loop by removing one of the references, or by moving a value into a variable or local that does not depend on the others.");
            for (i, n) in order.iter().enumerate().skip(1) {
                d = d.related(
                    format!("{n} refers to {}", next(i)),
                    self.reference_span(n, next(i)),
                );
            }
            self.diags.push(d);
        }
    }
}

/// Where a node takes part in a cycle: for a module's input variable that is the argument
/// of the module call (where the parent's value comes in), otherwise the declaration.
fn cycle_span(root: &Module, node: &ConfigNode) -> Option<Span> {
    if let ConfigNode::Var(p, n) = node {
        if let Some((name, parent)) = p.split_last() {
            let call = root.descendant(parent)?.module_calls.get(name)?;
            if let Some((e, arg)) = call.inputs.get(n) {
                return arg.clone().or_else(|| e.span());
            }
        }
    }
    node_span(root, node)
}

/// Where a node is declared.
pub fn node_span(root: &Module, node: &ConfigNode) -> Option<Span> {
    match node {
        ConfigNode::ModuleExpand(p) => {
            let (name, parent) = p.split_last()?;
            root.descendant(parent)?
                .module_calls
                .get(name)?
                .span
                .clone()
        }
        ConfigNode::Var(p, n) => root.descendant(p)?.variables.get(n)?.span.clone(),
        ConfigNode::Local(p, n) => root.descendant(p)?.locals.get(n)?.span.clone(),
        ConfigNode::Resource(p, k) => root.descendant(p)?.resources.get(k)?.span.clone(),
        ConfigNode::Output(p, n) => root.descendant(p)?.outputs.get(n)?.span.clone(),
        ConfigNode::Provider(n, a) => root
            .providers
            .iter()
            .find(|p| &p.name == n && &p.alias == a)?
            .span
            .clone(),
    }
}

/// The resources a node depends on: `direct`ly (an edge to the resource: a reference in its
/// own expressions, or `depends_on`) and `indirect`ly, through variables, locals, outputs and
/// module expansions (but not through other resources). A resource may be in both.
pub fn resource_dependencies(
    dag: &Dag<ConfigNode>,
    node: &ConfigNode,
) -> (BTreeSet<ConfigNode>, BTreeSet<ConfigNode>) {
    let mut direct = BTreeSet::new();
    let mut indirect = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&ConfigNode> = Vec::new();
    for n in dag.dependencies(node) {
        match n {
            ConfigNode::Resource(..) => {
                direct.insert(n.clone());
            }
            _ => stack.push(n),
        }
    }
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        match n {
            ConfigNode::Resource(..) => {
                indirect.insert(n.clone());
            }
            _ => stack.extend(dag.dependencies(n)),
        }
    }
    (direct, indirect)
}

/// The traversal operators of a `depends_on` element (`local.x` has one, `local.x.y` two).
fn operator_count(expr: &hcl::edit::expr::Expression) -> usize {
    match expr {
        hcl::edit::expr::Expression::Traversal(t) => t.operators.len(),
        _ => 0,
    }
}
