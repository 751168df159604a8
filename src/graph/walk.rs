//! The evaluation walk: visits the configuration graph in dependency order, evaluates every
//! variable, local, module call, resource and output in every module instance, expands
//! `count`/`for_each` into resource instances, and builds the resource-instance graph.
//!
//! Values that exist only after apply (a resource's computed attributes) are unknown here. A
//! node whose evaluation failed is reported once; nodes depending on it are skipped silently so
//! that one mistake does not cascade into a page of errors.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};

use super::build::{resource_dependencies, ConfigNode};
use super::dag::Dag;
use crate::addrs::{InstanceKey, ModuleInstance, ResourceInstanceAddr};
use crate::aws;
use crate::aws::LocalRead;
use crate::config::inputs::{InputSource, RawInput, RawValue};
use crate::config::{Expr, Mode, Module, ModuleCall, ModulePath, Resource, ResourceKey, Variable};
use crate::diag::{display_path, Diagnostic, Diagnostics, Sources, Span};
use crate::lang::eval::{describe, to_number, Evaluator, Resolved, Scope, ScopeError};
use crate::lang::limits::MAX_INSTANCES;
use crate::lang::refs::Subject;
use crate::lang::types::{self, Type};
use crate::lang::value::format_number;
use crate::lang::Value;

/// What the walk needs besides the configuration.
pub struct Settings<'a> {
    pub sources: &'a Sources,
    /// The working directory (after `-chdir`): `path.root` and `path.cwd`, and where relative
    /// file paths resolve.
    pub root_dir: &'a Path,
    /// Root variable values in precedence order (later wins).
    pub inputs: &'a [RawInput],
    /// `validate`/`graph` semantics: a `count` or `for_each` that is not known yet (it
    /// depends on a data source or resource) expands to no instances instead of being an
    /// error, as `terraform validate` does. Plan and apply expand strictly.
    pub defer_unknown_expansion: bool,
    /// Impure functions (`timestamp`, `uuid`, `bcrypt`) evaluate to unknown, as Terraform's
    /// do in every walk but apply's: a plan cannot promise the value apply will get.
    pub pure_only: bool,
}

/// One resource or data source instance with its evaluated arguments.
#[derive(Clone, Debug)]
pub struct ResourceInstance {
    pub addr: ResourceInstanceAddr,
    /// Arguments and nested blocks; unknown where they depend on values known only after apply.
    pub config: Value,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct OutputValue {
    pub value: Value,
    pub sensitive: bool,
    pub description: Option<String>,
}

/// The evaluated configuration.
#[derive(Default)]
pub struct Evaluated {
    pub instances: BTreeMap<ResourceInstanceAddr, ResourceInstance>,
    /// Edges from each instance to the instances it depends on.
    pub graph: Dag<ResourceInstanceAddr>,
    /// Root module outputs.
    pub outputs: BTreeMap<String, OutputValue>,
    /// Root module variables after conversion and validation.
    pub variables: BTreeMap<String, Value>,
    /// Evaluated provider configurations of the root module: (name, alias) → arguments.
    pub providers: BTreeMap<(String, Option<String>), Value>,
}

/// Decides what a resource instance's value is, as seen by the expressions that refer to it.
///
/// The walk calls it once per instance, in dependency order, with the instance's evaluated
/// configuration. `validate` uses [`ConfigValues`] (the configuration itself; everything else
/// unknown); `plan` returns each instance's planned value, so that attributes kept from the
/// prior state are known to its dependents; `apply` returns the values applied so far. Not
/// called for data sources the walk computes itself ([`aws::DataSource::read_locally`]).
pub trait InstanceHook {
    fn instance(
        &mut self,
        addr: &ResourceInstanceAddr,
        config: &Value,
        res: &Resource,
    ) -> Result<Value, Diagnostic>;
}

/// The hook `validate` uses: an instance's value is its configuration.
pub struct ConfigValues;

impl InstanceHook for ConfigValues {
    fn instance(
        &mut self,
        _: &ResourceInstanceAddr,
        config: &Value,
        _: &Resource,
    ) -> Result<Value, Diagnostic> {
        Ok(config.clone())
    }
}

/// Evaluates the configuration. `dag` must be the acyclic configuration graph of `root`.
pub fn evaluate(
    root: &Module,
    dag: &Dag<ConfigNode>,
    settings: &Settings,
) -> (Evaluated, Diagnostics) {
    evaluate_with(root, dag, settings, &mut ConfigValues)
}

/// [`evaluate`], with a hook deciding the value of each resource instance.
pub fn evaluate_with(
    root: &Module,
    dag: &Dag<ConfigNode>,
    settings: &Settings,
    hook: &mut dyn InstanceHook,
) -> (Evaluated, Diagnostics) {
    let mut w = Walker {
        root,
        settings,
        hook,
        values: FxHashMap::default(),
        module_instances: FxHashMap::from_iter([(Vec::new(), vec![ModuleInstance::root()])]),
        module_children: FxHashMap::default(),
        each_values: FxHashMap::default(),
        failed: FxHashSet::default(),
        diags: Diagnostics::new(),
        out: Evaluated::default(),
        instance_nodes: FxHashMap::default(),
        instance_refs: FxHashMap::default(),
        expanded: 0,
    };
    w.undeclared_inputs();
    let Some(order) = dag.topo_order() else {
        return (w.out, w.diags);
    };
    for node in &order {
        if dag.dependencies(node).iter().any(|d| w.failed.contains(*d)) {
            w.failed.insert(node.clone());
            continue;
        }
        let before = w.diags.has_errors_count();
        w.node(node);
        if w.diags.has_errors_count() > before {
            w.failed.insert(node.clone());
        }
    }
    w.instance_graph(dag);
    // The walk's working maps hold as many values as the result: freed in the background.
    crate::timings::drop_in_background((
        std::mem::take(&mut w.values),
        std::mem::take(&mut w.instance_refs),
        std::mem::take(&mut w.instance_nodes),
        std::mem::take(&mut w.each_values),
    ));
    (w.out, w.diags)
}

trait ErrorCount {
    fn has_errors_count(&self) -> usize;
}

impl ErrorCount for Diagnostics {
    fn has_errors_count(&self) -> usize {
        self.iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .count()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Named {
    Var(String),
    Local(String),
    Output(String),
    Resource(ResourceKey),
}

/// `count.index` or `each.key`/`each.value` for one instance.
#[derive(Clone, Debug)]
enum Repetition {
    None,
    Count(usize),
    Each(String, Value),
}

impl Repetition {
    fn key(&self) -> Option<InstanceKey> {
        match self {
            Repetition::None => None,
            Repetition::Count(i) => Some(InstanceKey::Int(*i)),
            Repetition::Each(k, _) => Some(InstanceKey::Str(k.clone())),
        }
    }
}

/// The walk's state. Its maps hash with the Fx hasher (`rustc_hash`) rather than SipHash, which
/// was 12% of a 10,000-instance plan's CPU: their keys come from the configuration, not from an
/// attacker.
struct Walker<'a> {
    root: &'a Module,
    settings: &'a Settings<'a>,
    hook: &'a mut dyn InstanceHook,
    /// The values of variables, locals, outputs and resources, by module instance: a
    /// reference looks up its module instance once, without copying it into a key.
    values: FxHashMap<ModuleInstance, FxHashMap<Named, Value>>,
    module_instances: FxHashMap<ModulePath, Vec<ModuleInstance>>,
    /// The instances of each module call (by name) in each instance of its parent module.
    module_children: FxHashMap<(ModuleInstance, String), Vec<ModuleInstance>>,
    /// `each.value` of every instance of a module called with for_each.
    each_values: FxHashMap<ModuleInstance, Value>,
    failed: FxHashSet<ConfigNode>,
    diags: Diagnostics,
    out: Evaluated,
    /// The instances of each resource node, by module instance (so that the instance graph
    /// finds the instances in one module instance, or below it, without scanning them all).
    instance_nodes: FxHashMap<ConfigNode, InstancesByModule>,
    /// The resource instances each instance's arguments refer to (see [`Scope::note_instance`]):
    /// None for a reference to a resource as a whole.
    instance_refs: FxHashMap<ResourceInstanceAddr, Vec<(ResourceKey, Option<InstanceKey>)>>,
    /// Resource and module instances expanded so far, against `lang::limits`.
    expanded: usize,
}

struct InstanceScope<'w, 'a> {
    w: &'w Walker<'a>,
    mi: &'w ModuleInstance,
    module: &'w Module,
    rep: Repetition,
    notes: std::cell::RefCell<Vec<(ResourceKey, Option<InstanceKey>)>>,
}

impl Scope for InstanceScope<'_, '_> {
    fn note_instance(&self, s: &Subject, key: Option<&Value>) {
        let Subject::Resource(mode, ty, name) = s else {
            return;
        };
        let key = match key.map(Value::unmarked) {
            Some(Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => {
                Some(InstanceKey::Int(*n as usize))
            }
            Some(Value::String(k)) => Some(InstanceKey::Str(k.clone())),
            _ => None,
        };
        let res = ResourceKey {
            mode: mode.clone(),
            type_name: ty.clone(),
            name: name.clone(),
        };
        self.notes.borrow_mut().push((res, key));
    }

    fn get_ref(&self, s: &Subject) -> Option<(&Value, bool)> {
        let (named, of_resource) = match s {
            Subject::Var(n) => (Named::Var(n.clone()), false),
            Subject::Local(n) => (Named::Local(n.clone()), false),
            Subject::Resource(mode, ty, name) => (
                Named::Resource(ResourceKey {
                    mode: mode.clone(),
                    type_name: ty.clone(),
                    name: name.clone(),
                }),
                true,
            ),
            _ => return None,
        };
        let v = self.w.value(self.mi, &named)?;
        Some((v, of_resource))
    }

    fn get(&self, s: &Subject) -> Result<Resolved, ScopeError> {
        let missing = || ScopeError {
            summary: "Reference to undeclared object".into(),
            detail: format!("{s:?} is not available here."),
        };
        let stored = |n: Named| self.w.value(self.mi, &n).cloned();
        match s {
            Subject::Var(n) => stored(Named::Var(n.clone()))
                .map(Resolved::value)
                .ok_or_else(missing),
            Subject::Local(n) => stored(Named::Local(n.clone()))
                .map(Resolved::value)
                .ok_or_else(missing),
            Subject::Resource(mode, ty, name) => {
                let key = ResourceKey {
                    mode: mode.clone(),
                    type_name: ty.clone(),
                    name: name.clone(),
                };
                let value = stored(Named::Resource(key)).unwrap_or(Value::Unknown);
                Ok(Resolved {
                    value,
                    resource: true,
                })
            }
            Subject::Module(call, _) if self.module.rejected_module_calls.contains_key(call) => {
                // Declared but not loaded (reported at the call): nothing is known of it.
                Ok(Resolved::value(Value::Unknown))
            }
            Subject::Module(call, _) => {
                let c = self.module.module_calls.get(call).ok_or_else(missing)?;
                Ok(Resolved::value(self.w.module_value(self.mi, c)))
            }
            Subject::Count(_) => match self.rep {
                Repetition::Count(i) => Ok(Resolved::value(Value::Number(i as f64))),
                _ => Err(missing()),
            },
            Subject::Each(attr) => match &self.rep {
                Repetition::Each(k, v) => Ok(Resolved::value(if attr == "key" {
                    Value::String(k.clone())
                } else {
                    v.clone()
                })),
                _ => Err(missing()),
            },
            Subject::Path(attr) => {
                let root = self.w.settings.root_dir;
                Ok(Resolved::value(Value::String(match attr.as_str() {
                    "module" => display_path(&self.module.dir, root),
                    "root" => ".".into(),
                    _ => root.to_string_lossy().into_owned(),
                })))
            }
            Subject::Terraform(_) => Ok(Resolved::value(Value::string("default"))),
            // Postconditions run after apply; until then `self` is not known.
            Subject::SelfRef => Ok(Resolved {
                value: Value::Unknown,
                resource: true,
            }),
            Subject::Bound(_) => Err(missing()),
        }
    }
}

impl<'a> Walker<'a> {
    fn module(&self, path: &[String]) -> &'a Module {
        self.root
            .descendant(path)
            .expect("paths come from the module tree")
    }

    fn call(&self, path: &[String]) -> Option<&'a ModuleCall> {
        let (name, parent) = path.split_last()?;
        self.module(parent).module_calls.get(name)
    }

    /// The stored value of `named` in module instance `mi`.
    fn value(&self, mi: &ModuleInstance, named: &Named) -> Option<&Value> {
        self.values.get(mi)?.get(named)
    }

    fn set_value(&mut self, mi: ModuleInstance, named: Named, v: Value) {
        self.values.entry(mi).or_default().insert(named, v);
    }

    fn instances_of(&self, path: &[String]) -> Vec<ModuleInstance> {
        self.module_instances.get(path).cloned().unwrap_or_default()
    }

    fn evaluator<'s>(&'s self, scope: &'s InstanceScope<'s, 'a>) -> Evaluator<'s> {
        Evaluator::new(scope, self.settings.sources, self.settings.root_dir)
            .pure_only(self.settings.pure_only)
    }

    /// The module of module instance `mi`. Walks the module tree along `mi` rather than
    /// building its path first: this runs for every expression of every instance.
    fn module_of(&self, mi: &ModuleInstance) -> &'a Module {
        mi.0.iter().fold(self.root, |m, (name, _)| {
            let call = m
                .module_calls
                .get(name)
                .expect("module instances come from the module tree");
            &*call.module
        })
    }

    fn eval(&self, mi: &ModuleInstance, rep: Repetition, e: &Expr) -> Result<Value, Diagnostic> {
        let module = self.module_of(mi);
        // The scope borrows the walker immutably for the duration of one evaluation.
        let scope = InstanceScope {
            w: self,
            mi,
            module,
            rep,
            notes: Default::default(),
        };
        let mut ev = self.evaluator(&scope);
        ev.eval(e)
    }

    /// The value of `module.NAME` seen from `mi`: an object of outputs, or a list/map of them.
    fn module_value(&self, mi: &ModuleInstance, call: &ModuleCall) -> Value {
        let children = self
            .module_children
            .get(&(mi.clone(), call.name.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let outputs = |child: &ModuleInstance| {
            Value::Map(
                call.module
                    .outputs
                    .keys()
                    .map(|o| {
                        let v = self
                            .value(child, &Named::Output(o.clone()))
                            .cloned()
                            .unwrap_or(Value::Unknown);
                        (o.clone(), v)
                    })
                    .collect(),
            )
        };
        if call.count.is_some() {
            Value::List(children.iter().map(outputs).collect())
        } else if call.for_each.is_some() {
            Value::Map(
                children
                    .iter()
                    .filter_map(|c| match c.0.last()? {
                        (_, Some(InstanceKey::Str(k))) => Some((k.clone(), outputs(c))),
                        _ => None,
                    })
                    .collect(),
            )
        } else {
            children.first().map(outputs).unwrap_or(Value::Unknown)
        }
    }

    fn node(&mut self, node: &ConfigNode) {
        match node {
            ConfigNode::ModuleExpand(path) => self.expand_module(path),
            ConfigNode::Var(path, name) if path.is_empty() => self.root_variable(name),
            ConfigNode::Var(path, name) => self.module_variable(path, name),
            ConfigNode::Local(path, name) => {
                let local = &self.module(path).locals[name];
                for mi in self.instances_of(path) {
                    match self.eval(&mi, Repetition::None, &local.expr) {
                        Ok(v) => {
                            self.set_value(mi, Named::Local(name.clone()), v);
                        }
                        Err(d) => self.diags.push(d),
                    }
                }
            }
            ConfigNode::Resource(path, key) => {
                let res = &self.module(path).resources[key];
                for mi in self.instances_of(path) {
                    self.resource(node, &mi, res);
                }
            }
            ConfigNode::Output(path, name) => self.output(path, name),
            ConfigNode::Provider(name, alias) => {
                let Some(p) = self
                    .root
                    .providers
                    .iter()
                    .find(|p| &p.name == name && &p.alias == alias)
                else {
                    return;
                };
                let mi = ModuleInstance::root();
                let scope = InstanceScope {
                    w: self,
                    mi: &mi,
                    module: self.root,
                    rep: Repetition::None,
                    notes: Default::default(),
                };
                let result = self.evaluator(&scope).eval_body(&p.body.body, p.body.file);
                match result {
                    Ok(v) => {
                        self.out.providers.insert((name.clone(), alias.clone()), v);
                    }
                    Err(ds) => self.diags.extend(ds),
                }
            }
        }
    }

    /// Evaluates `count`/`for_each` of a module call in every instance of its parent.
    fn expand_module(&mut self, path: &ModulePath) {
        let call = self.call(path).expect("module call exists");
        let (name, parent) = path.split_last().expect("non-root");
        let mut children = Vec::new();
        for pi in self.instances_of(parent) {
            match self.repetitions(&pi, call.count.as_ref(), call.for_each.as_ref()) {
                Ok(reps) => {
                    if let Err(d) = self.count_expanded(reps.len(), call.span.clone()) {
                        self.diags.push(d);
                        break;
                    }
                    let mut kids = Vec::new();
                    for rep in reps {
                        let child = pi.child(name, rep.key());
                        if let Repetition::Each(_, v) = &rep {
                            self.each_values.insert(child.clone(), v.clone());
                        }
                        kids.push(child);
                    }
                    children.extend(kids.iter().cloned());
                    self.module_children.insert((pi, name.clone()), kids);
                }
                Err(d) => self.diags.push(d),
            }
        }
        self.module_instances.insert(path.clone(), children);
    }

    /// The instances `count` or `for_each` ask for, evaluated in module instance `mi`.
    fn repetitions(
        &self,
        mi: &ModuleInstance,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
    ) -> Result<Vec<Repetition>, Diagnostic> {
        let defer = |v: &Value| {
            self.settings.defer_unknown_expansion
                && !v.contains_sensitive()
                && (!v.is_known()
                    || matches!(v, Value::Set(items) if items.iter().any(|i| !i.is_known())))
        };
        if let Some(e) = count {
            let v = self.eval(mi, Repetition::None, e)?;
            if defer(&v) {
                return Ok(Vec::new());
            }
            return count_value(&v)
                .map(|n| (0..n).map(Repetition::Count).collect())
                .map_err(|(summary, detail)| Diagnostic::error(summary, detail).at(e.span()));
        }
        if let Some(e) = for_each {
            let v = self.eval(mi, Repetition::None, e)?;
            if defer(&v) {
                return Ok(Vec::new());
            }
            return for_each_value(&v)
                .map(|items| {
                    items
                        .into_iter()
                        .map(|(k, v)| Repetition::Each(k, v))
                        .collect()
                })
                .map_err(|(summary, detail, hint)| {
                    let d = Diagnostic::error(summary, detail).at(e.span());
                    match hint {
                        Some(h) => d.hint(h),
                        None => d,
                    }
                });
        }
        Ok(vec![Repetition::None])
    }

    /// The repetition of a module instance, for evaluating its call's arguments.
    fn module_repetition(&self, child: &ModuleInstance) -> Repetition {
        match child.0.last() {
            Some((_, Some(InstanceKey::Int(i)))) => Repetition::Count(*i),
            Some((_, Some(InstanceKey::Str(k)))) => Repetition::Each(
                k.clone(),
                self.each_values.get(child).cloned().unwrap_or(Value::Null),
            ),
            _ => Repetition::None,
        }
    }

    fn variable_type(&mut self, var: &Variable) -> Option<Type> {
        let e = var.type_expr.as_ref()?;
        match types::parse_type_expr(&e.expr) {
            Ok(t) => Some(t),
            Err(err) => {
                self.diags.push(
                    Diagnostic::error(err.summary, err.message)
                        .at(err.span.map(|r| Span::new(e.file, r)).or_else(|| e.span())),
                );
                None
            }
        }
    }

    /// Converts, checks nullability, marks sensitive and stores a variable's value, then runs
    /// its validation blocks.
    fn finish_variable(
        &mut self,
        mi: &ModuleInstance,
        var: &Variable,
        ty: Option<&Type>,
        value: Value,
        set_at: &str,
        value_span: Option<Span>,
    ) {
        let mut value = value;
        if value.is_null() && !var.nullable {
            match &var.default {
                Some(d) => match self.eval(mi, Repetition::None, d) {
                    Ok(v) => value = v,
                    Err(d) => return self.diags.push(d),
                },
                None => {
                    return self.diags.push(
                        Diagnostic::error(
                            "Invalid value for variable",
                            format!("The variable \"{}\" is not nullable (nullable = false), but null was set in {set_at}.", var.name),
                        )
                        .at(value_span.or(var.span.clone())),
                    )
                }
            }
        }
        if let Some(ty) = ty {
            match types::convert(value, ty) {
                Ok(v) => value = v,
                Err(e) => {
                    let declared = var
                        .span
                        .as_ref()
                        .map(|s| self.settings.sources.location(s).to_string())
                        .unwrap_or_default();
                    let mut d = Diagnostic::error(
                        "Invalid value for variable",
                        format!(
                            "The value set in {set_at} is not suitable for var.{} declared at {declared}: {e}.",
                            var.name
                        ),
                    )
                    .hint(format!("The variable's type is {}.", ty.to_hcl()));
                    d = match value_span {
                        Some(span) => d
                            .at(Some(span))
                            .related("the variable is declared here", var.span.clone()),
                        None => d.at(var.span.clone()),
                    };
                    return self.diags.push(d);
                }
            }
        }
        let value = value.mark_sensitive(var.sensitive);
        self.set_value(mi.clone(), Named::Var(var.name.clone()), value);
        for v in &var.validations {
            let ok = match self.eval(mi, Repetition::None, &v.condition) {
                Ok(c) => c,
                Err(d) => {
                    self.diags.push(d);
                    continue;
                }
            };
            if !ok.is_known() {
                continue;
            }
            match ok.as_bool() {
                Some(true) => {}
                Some(false) => {
                    let message = self
                        .eval(mi, Repetition::None, &v.error_message)
                        .ok()
                        .and_then(|m| condition_message(&m))
                        .unwrap_or_else(|| "The validation condition failed.".into());
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid value for variable",
                            format!("{message}\nThe value for var.{} was set in {set_at}; this was checked by the validation rule here.", var.name),
                        )
                        .at(v.condition.span())
                        .related("value set here", value_span.clone()),
                    );
                }
                None => self.diags.push(
                    Diagnostic::error(
                        "Invalid validation condition",
                        format!(
                            "The condition must be a bool, but {} was given.",
                            describe(&ok)
                        ),
                    )
                    .at(v.condition.span()),
                ),
            }
        }
    }

    fn root_variable(&mut self, name: &str) {
        let var = &self.root.variables[name];
        let ty = self.variable_type(var);
        let mi = ModuleInstance::root();
        let given = self.settings.inputs.iter().rev().find(|i| i.name == name);
        let (value, set_at, span) = match given {
            Some(input) => {
                let v = match &input.value {
                    RawValue::Json(j) => Ok(Value::from_json(j)),
                    RawValue::Expr(e) => self.constant(e),
                    RawValue::Literal(s) => {
                        if ty.as_ref().is_none_or(|t| t.is_primitive() || *t == Type::Any) {
                            Ok(Value::String(s.clone()))
                        } else {
                            let file = self.settings.sources.add(input.source.to_string(), s.as_str());
                            match hcl::edit::parser::parse_expr(s) {
                                Ok(expr) => self.constant(&Expr { expr, file }),
                                Err(e) => Err(Diagnostic::error(
                                    "Invalid value for variable",
                                    format!("The value for var.{name} given in {} is not a valid expression for type {}: {}", input.source, ty.as_ref().map(Type::to_hcl).unwrap_or_default(), e.message()),
                                )),
                            }
                        }
                    }
                };
                match v {
                    Ok(v) => {
                        // Point at the value itself when it is an expression in a file.
                        let span = match &input.value {
                            RawValue::Expr(e) => e.span().or(input.span.clone()),
                            _ => input.span.clone(),
                        };
                        (v, input.source.to_string(), span)
                    }
                    Err(d) => return self.diags.push(d),
                }
            }
            None => match &var.default {
                Some(d) => match self.constant(d) {
                    Ok(v) => (v, "its default".to_string(), d.span()),
                    Err(d) => return self.diags.push(d),
                },
                None => {
                    return self.diags.push(
                        Diagnostic::error(
                            "No value for required variable",
                            format!("The root module input variable \"{name}\" is not set, and has no default value."),
                        )
                        .at(var.span.clone())
                        .hint(format!("Set it with -var '{name}=...', in a .tfvars file given with -var-file, or with the environment variable TF_VAR_{name}.")),
                    )
                }
            },
        };
        self.finish_variable(&mi, var, ty.as_ref(), value, &set_at, span);
        if let Some(v) = self.value(&mi, &Named::Var(name.to_string())) {
            self.out.variables.insert(name.to_string(), v.clone());
        }
    }

    /// Evaluates a constant expression (tfvars values, defaults): no references allowed.
    fn constant(&self, e: &Expr) -> Result<Value, Diagnostic> {
        let mut ev = Evaluator::new(
            &ConstantScope,
            self.settings.sources,
            self.settings.root_dir,
        )
        .pure_only(self.settings.pure_only);
        ev.eval(e)
    }

    fn module_variable(&mut self, path: &ModulePath, name: &str) {
        let module = self.module(path);
        let var = &module.variables[name];
        let call = self.call(path).expect("module call");
        let ty = self.variable_type(var);
        for child in self.instances_of(path) {
            let (parent, _) = child.parent().expect("non-root");
            let (value, span) = match call.inputs.get(name) {
                Some((e, _)) => match self.eval(&parent, self.module_repetition(&child), e) {
                    Ok(v) => (v, e.span()),
                    Err(d) => {
                        self.diags.push(d);
                        continue;
                    }
                },
                None => match &var.default {
                    Some(d) => match self.constant(d) {
                        Ok(v) => (v, d.span()),
                        Err(d) => {
                            self.diags.push(d);
                            continue;
                        }
                    },
                    // Reported when the graph was built.
                    None => continue,
                },
            };
            let set_at = format!("the module \"{}\" block", call.name);
            self.finish_variable(&child, var, ty.as_ref(), value, &set_at, span);
        }
    }

    /// Counts `n` more instances (of resources and modules) against [`MAX_INSTANCES`]: the
    /// limit applies to the whole configuration, since module instances multiply.
    fn count_expanded(&mut self, n: usize, at: Option<Span>) -> Result<(), Diagnostic> {
        self.expanded = self.expanded.saturating_add(n);
        if self.expanded > MAX_INSTANCES {
            return Err(Diagnostic::error(
                "Too many instances",
                format!("The configuration expands to more than {MAX_INSTANCES} resource and module instances (count and for_each, multiplied through modules); ecsform stops here."),
            )
            .at(at));
        }
        Ok(())
    }

    /// The value of a data source computed from its arguments alone, such as `template_file`
    /// ([`aws::DataSource::read_locally`]); `None` for resources and for data sources read
    /// from AWS.
    fn read_locally(&self, key: &ResourceKey, config: &Value) -> Option<Result<Value, Diagnostic>> {
        if key.mode != Mode::Data {
            return None;
        }
        let ctx = LocalRead {
            sources: self.settings.sources,
            pure_only: self.settings.pure_only,
            root_dir: self.settings.root_dir,
            state_outputs,
        };
        aws::data_source(&key.type_name)?.read_locally(config, &ctx)
    }

    fn resource(&mut self, node: &ConfigNode, mi: &ModuleInstance, res: &Resource) {
        let reps = match self.repetitions(mi, res.count.as_ref(), res.for_each.as_ref()) {
            Ok(r) => r,
            Err(d) => return self.diags.push(d),
        };
        if let Err(d) = self.count_expanded(reps.len(), res.span.clone()) {
            return self.diags.push(d);
        }
        let mut objects: Vec<(Option<InstanceKey>, Value)> = Vec::new();
        for rep in reps {
            let key = rep.key();
            let module = self.module_of(mi);
            let scope = InstanceScope {
                w: self,
                mi,
                module,
                rep: rep.clone(),
                notes: Default::default(),
            };
            let result = self
                .evaluator(&scope)
                .eval_body(&res.config.body, res.config.file);
            let notes = scope.notes.take();
            let mut config = match result {
                Ok(v) => v,
                Err(ds) => {
                    self.diags.extend(ds);
                    continue;
                }
            };
            // A data source computed from its arguments alone has its value now: it is
            // the instance's value in every walk, whatever the hook.
            let local = match self.read_locally(&res.key, &config) {
                Some(Ok(value)) => {
                    config = value;
                    true
                }
                Some(Err(d)) => {
                    self.diags.push(d.at(res.span.clone()));
                    continue;
                }
                None => false,
            };
            for c in &res.lifecycle.preconditions {
                let ok = self.eval(mi, rep.clone(), &c.condition);
                if let Ok(Value::Bool(false)) = ok.as_ref().map(|v| v.unmarked().clone()) {
                    let msg = self
                        .eval(mi, rep.clone(), &c.error_message)
                        .ok()
                        .and_then(|m| condition_message(&m))
                        .unwrap_or_else(|| "The precondition failed.".into());
                    self.diags.push(
                        Diagnostic::error("Resource precondition failed", msg)
                            .at(c.condition.span()),
                    );
                }
            }
            let addr = ResourceInstanceAddr {
                module: mi.clone(),
                resource: res.key.clone(),
                key: key.clone(),
            };
            self.instance_nodes
                .entry(node.clone())
                .or_default()
                .entry(mi.clone())
                .or_default()
                .push(addr.clone());
            self.instance_refs.insert(addr.clone(), notes);
            let value = if local {
                config.clone()
            } else {
                match self.hook.instance(&addr, &config, res) {
                    Ok(v) => v,
                    Err(d) => {
                        self.diags.push(d);
                        continue;
                    }
                }
            };
            self.out.instances.insert(
                addr.clone(),
                ResourceInstance {
                    addr,
                    config,
                    span: res.span.clone(),
                },
            );
            objects.push((key, value));
        }
        let aggregate = if res.count.is_some() {
            Value::List(objects.into_iter().map(|(_, v)| v).collect())
        } else if res.for_each.is_some() {
            Value::Map(
                objects
                    .into_iter()
                    .filter_map(|(k, v)| match k {
                        Some(InstanceKey::Str(k)) => Some((k, v)),
                        _ => None,
                    })
                    .collect(),
            )
        } else {
            objects.pop().map(|(_, v)| v).unwrap_or(Value::Unknown)
        };
        self.set_value(mi.clone(), Named::Resource(res.key.clone()), aggregate);
    }

    fn output(&mut self, path: &ModulePath, name: &str) {
        let out = &self.module(path).outputs[name];
        for mi in self.instances_of(path) {
            let value = match self.eval(&mi, Repetition::None, &out.value) {
                Ok(v) => v,
                Err(d) => {
                    self.diags.push(d);
                    continue;
                }
            };
            if mi.is_root() {
                if value.contains_sensitive() && !out.sensitive {
                    self.diags.push(
                        Diagnostic::error(
                            "Output refers to sensitive values",
                            format!("Output \"{name}\" contains sensitive data, so it must be marked as sensitive to be shown masked."),
                        )
                        .at(out.span.clone())
                        .hint("Add sensitive = true to the output block, or use nonsensitive() if you are sure the value is safe to show."),
                    );
                    continue;
                }
                self.out.outputs.insert(
                    name.to_string(),
                    OutputValue {
                        value: value.clone(),
                        sensitive: out.sensitive,
                        description: out.description.clone(),
                    },
                );
            }
            let value = value.mark_sensitive(out.sensitive);
            self.set_value(mi, Named::Output(name.to_string()), value);
        }
    }

    /// Values given for variables the root module does not declare.
    fn undeclared_inputs(&mut self) {
        let mut seen = HashSet::new();
        for input in self.settings.inputs {
            if self.root.variables.contains_key(&input.name) || !seen.insert(&input.name) {
                continue;
            }
            match &input.source {
                InputSource::Env(_) => {}
                InputSource::File(f) => self.diags.push(
                    Diagnostic::warning(
                        "Value for undeclared variable",
                        format!("The root module does not declare a variable named \"{}\" but a value was found in {f}. If you meant to use this value, add a \"variable\" block to the configuration.", input.name),
                    )
                    .at(input.span.clone()),
                ),
                InputSource::CommandLine => self.diags.push(
                    Diagnostic::error(
                        "Value for undeclared variable",
                        format!("A variable named \"{}\" was assigned on the command line, but the root module does not declare a variable of that name.", input.name),
                    )
                    .hint(format!("To use this value, add a variable \"{}\" {{}} block to the configuration.", input.name)),
                ),
            }
        }
    }

    /// The instance graph: each instance depends on the instances of the resources its
    /// configuration node depends on. Where it referred to a resource of its own module only
    /// with known keys (`aws_vpc.v[0]`), only on those instances; otherwise on all of them
    /// (within its own module instance when the resource is in the same module or below).
    fn instance_graph(&mut self, dag: &Dag<ConfigNode>) {
        for (node, by_module) in &self.instance_nodes {
            let (direct, indirect) = resource_dependencies(dag, node);
            let ConfigNode::Resource(node_path, node_key) = node else {
                continue;
            };
            let has_depends_on = self
                .root
                .descendant(node_path)
                .and_then(|m| m.resources.get(node_key))
                .is_some_and(|r| !r.depends_on.is_empty());
            for addr in by_module.values().flatten() {
                self.out.graph.add(addr.clone());
                let notes = self.instance_refs.get(addr);
                for dep in direct.union(&indirect) {
                    let ConfigNode::Resource(dep_path, dep_key) = dep else {
                        continue;
                    };
                    let Some(dep_instances) = self.instance_nodes.get(dep) else {
                        continue;
                    };
                    let keys: Option<Vec<&Option<InstanceKey>>> =
                        (dep_path == node_path && !indirect.contains(dep) && !has_depends_on)
                            .then(|| {
                                notes
                                    .into_iter()
                                    .flatten()
                                    .filter(|(k, _)| k == dep_key)
                                    .map(|(_, key)| key)
                                    .collect::<Vec<_>>()
                            })
                            .filter(|keys| !keys.is_empty() && keys.iter().all(|k| k.is_some()));
                    let targets: Vec<&ResourceInstanceAddr> = match &keys {
                        // The named instances, in this module instance.
                        Some(keys) => dep_instances
                            .get(&addr.module)
                            .into_iter()
                            .flatten()
                            .filter(|t| keys.contains(&&t.key))
                            .collect(),
                        // Every instance in this module instance and below it.
                        None if dep_path.starts_with(node_path) => {
                            instances_within(dep_instances, &addr.module).collect()
                        }
                        None => dep_instances.values().flatten().collect(),
                    };
                    for target in targets {
                        self.out.graph.depend(addr, target);
                    }
                }
            }
        }
    }
}

/// Resource instances grouped by the module instance they are in.
type InstancesByModule = BTreeMap<ModuleInstance, Vec<ResourceInstanceAddr>>;

/// The instances in module instance `mi` and in the module instances below it: in the order
/// of module instances these are one contiguous run, starting at `mi`.
fn instances_within<'m>(
    instances: &'m InstancesByModule,
    mi: &'m ModuleInstance,
) -> impl Iterator<Item = &'m ResourceInstanceAddr> {
    instances
        .range(mi..)
        .take_while(|(m, _)| m.0.starts_with(&mi.0))
        .flat_map(|(_, addrs)| addrs)
}

/// Rejects references in constants (tfvars values, variable defaults).
struct ConstantScope;

impl Scope for ConstantScope {
    fn get(&self, _: &Subject) -> Result<Resolved, ScopeError> {
        Err(ScopeError {
            summary: "Variables not allowed".into(),
            detail: "Variables may not be used here: values in .tfvars files and variable defaults must be constants.".into(),
        })
    }
}

/// The text of a validation or condition's `error_message`. A message derived from a secret
/// would print the secret, so it is withheld.
fn condition_message(m: &Value) -> Option<String> {
    if m.contains_sensitive() {
        Some("(error message hidden: it refers to a sensitive value)".to_string())
    } else {
        m.to_template_string()
    }
}

fn count_value(v: &Value) -> Result<usize, (&'static str, String)> {
    let invalid = |detail: String| ("Invalid count argument", detail);
    if v.contains_sensitive() {
        return Err(invalid("Sensitive values, or values derived from sensitive values, cannot be used as count arguments.".into()));
    }
    match v {
        Value::Unknown => Err(invalid("The \"count\" value depends on resource attributes that cannot be determined until apply, so ecsform cannot predict how many instances will be created. Base the count on values known before apply, such as variables, locals or the length of a list written in the configuration.".into())),
        Value::Null => Err(invalid("The given \"count\" argument value is null. An integer is required.".into())),
        other => match to_number(other) {
            Some(n) if n > MAX_INSTANCES as f64 && n.fract() == 0.0 => Err(("Too many instances", format!("The \"count\" argument asks for {} instances; ecsform allows at most {MAX_INSTANCES} per resource or module block.", format_number(n)))),
            Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(n as usize),
            Some(n) if n < 0.0 => Err(invalid("The given \"count\" argument value is unsuitable: must be greater than or equal to zero.".into())),
            Some(_) => Err(invalid("The given \"count\" argument value is unsuitable: a whole number is required.".into())),
            None => Err(invalid(format!("The given \"count\" argument value is unsuitable: number required, but {} was given.", describe(other)))),
        },
    }
}

type ForEachError = (&'static str, String, Option<String>);

fn for_each_value(v: &Value) -> Result<Vec<(String, Value)>, ForEachError> {
    let invalid = |detail: String, hint: Option<&str>| {
        ("Invalid for_each argument", detail, hint.map(String::from))
    };
    let len = match v.unmarked() {
        Value::Map(m) => m.len(),
        Value::Set(items) => items.len(),
        _ => 0,
    };
    if len > MAX_INSTANCES {
        return Err(("Too many instances", format!("The \"for_each\" argument has {len} elements; ecsform allows at most {MAX_INSTANCES} instances per resource or module block."), None));
    }
    if v.contains_sensitive() && !matches!(v, Value::Map(_)) {
        return Err(invalid("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into(), None));
    }
    match v {
        Value::Unknown => Err(invalid("The \"for_each\" value depends on resource attributes that cannot be determined until apply, so ecsform cannot predict how many instances will be created.".into(), Some("Use only keys known before apply, such as names from variables or locals; resource attributes may appear in the values, but not in the keys."))),
        Value::Null => Err(invalid("The given \"for_each\" argument value is null. A map, or set of strings, is allowed.".into(), None)),
        Value::Map(m) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Value::Set(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok((s.clone(), i.clone())),
                Value::Unknown => Err(invalid("The given \"for_each\" argument value is unsuitable: the set includes values derived from resource attributes that cannot be determined until apply.".into(), None)),
                other => Err(invalid(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports sets of strings, but the set contains {}.", describe(other)), None)),
            })
            .collect(),
        other => Err(invalid(
            format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided {}.", describe(other)),
            matches!(other, Value::List(_)).then_some("Convert a list with toset(...), or build a map with a for expression: { for x in LIST : x.name => x }."),
        )),
    }
}

/// The outputs of the ecsform state at `path`, for `terraform_remote_state`.
fn state_outputs(path: &Path) -> Result<Vec<(String, serde_json::Value, bool)>, String> {
    let shown = path.display();
    match crate::state::StateStore::open_existing(path) {
        Ok(Some(store)) => store
            .outputs()
            .map_err(|e| format!("Cannot read the outputs of {shown}: {e}.")),
        Ok(None) => Ok(Vec::new()),
        Err(e) => Err(format!("Cannot read the ecsform state {shown}: {e}.")),
    }
}
