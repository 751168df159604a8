//! The expression evaluator: turns parsed HCL into [`Value`]s against a [`Scope`].
//!
//! The evaluator implements HCL's expression language — literals, templates and directives,
//! heredocs, operators, conditionals, `for` expressions, splats, indexing, function calls,
//! `try`/`can` and `dynamic` blocks — with Terraform's unknown and sensitive propagation. It
//! does not know where values come from: the caller's [`Scope`] answers references.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use hcl::edit::expr::{
    BinaryOperator, Expression, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::template::{Directive, Element, Template};
use hcl::edit::Span as _;

use super::functions::{self, FuncContext};
use super::limits::{self, Budget, LimitError};
use super::refs::{parse_traversal, Subject};
use super::value::{format_number, mask_secrets, sensitive_texts, Value};
pub use super::value::{to_bool, to_number};
use crate::config::Expr;
use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, Span};

/// A value a scope resolved, and whether it is a resource's value (an object of its type's
/// schema: a missing attribute is reported in Terraform's words for resources).
pub struct Resolved {
    pub value: Value,
    pub resource: bool,
}

impl Resolved {
    pub fn value(value: Value) -> Resolved {
        Resolved {
            value,
            resource: false,
        }
    }
}

/// Why a reference could not be resolved, in the user's words.
#[derive(Debug, Clone)]
pub struct ScopeError {
    pub summary: String,
    pub detail: String,
}

/// Answers references for the evaluator.
pub trait Scope {
    fn get(&self, subject: &Subject) -> Result<Resolved, ScopeError>;

    /// The value by reference (and whether it is a resource's, as in [`Resolved`]), for scopes that
    /// store it: the evaluator then indexes into large values — every instance of a
    /// resource — without copying them. `None` means: use [`Scope::get`].
    fn get_ref(&self, _subject: &Subject) -> Option<(&Value, bool)> {
        None
    }

    /// Told which instance of a resource an expression refers to: `Some(key)` when the
    /// reference indexes it with a known key (`aws_subnet.a[0]`), None when it uses the
    /// resource as a whole (`aws_subnet.a[*].id`, an unknown index). Lets the walk record
    /// dependencies between instances rather than whole resources.
    fn note_instance(&self, _subject: &Subject, _key: Option<&Value>) {}
}

/// A scope with nothing in it: only bound names (template variables) can be used.
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn get(&self, _: &Subject) -> Result<Resolved, ScopeError> {
        Err(ScopeError {
            summary: "Invalid reference in template".into(),
            detail: "A template rendered by templatefile can refer only to the variables passed in its second argument.".into(),
        })
    }
}

type EvalResult = Result<Value, Diagnostic>;

/// Evaluates expressions from one file at a time against a scope.
pub struct Evaluator<'a> {
    scope: &'a dyn Scope,
    sources: &'a Sources,
    base_dir: &'a Path,
    file: FileId,
    bound: Vec<(String, Value)>,
    /// What this evaluator's expressions have built so far (see `lang::limits`).
    budget: Budget,
    /// Rendering a `templatefile` template, where `templatefile` itself is not allowed.
    in_template: bool,
    /// Impure functions (`timestamp`, `uuid`, `bcrypt`) evaluate to unknown: every walk but
    /// apply's (see [`functions`]).
    pure_only: bool,
}

impl<'a> Evaluator<'a> {
    pub fn new(scope: &'a dyn Scope, sources: &'a Sources, base_dir: &'a Path) -> Evaluator<'a> {
        Evaluator {
            scope,
            sources,
            base_dir,
            file: FileId(0),
            bound: Vec::new(),
            budget: Budget::default(),
            in_template: false,
            pure_only: false,
        }
    }

    /// Makes impure functions evaluate to unknown (or not), as Terraform does outside apply.
    pub fn pure_only(mut self, pure_only: bool) -> Evaluator<'a> {
        self.pure_only = pure_only;
        self
    }

    /// Binds a name (like a template variable) for the evaluations that follow.
    pub fn bind(&mut self, name: impl Into<String>, value: Value) {
        self.bound.push((name.into(), value));
    }

    pub fn eval(&mut self, e: &Expr) -> EvalResult {
        self.file = e.file;
        self.expr(&e.expr)
    }

    pub fn eval_in(&mut self, expr: &Expression, file: FileId) -> EvalResult {
        self.file = file;
        self.expr(expr)
    }

    /// Evaluates a block body to an object: arguments by name, nested blocks (including
    /// `dynamic` ones) as lists of objects under their type name. Every error is reported.
    pub fn eval_body(&mut self, body: &Body, file: FileId) -> Result<Value, Diagnostics> {
        self.file = file;
        let mut diags = Diagnostics::new();
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => match self.expr(&a.value) {
                    Ok(v) => {
                        out.insert(a.key.to_string(), v);
                    }
                    Err(d) => diags.push(d),
                },
                Structure::Block(b) if b.ident.as_str() == "dynamic" => {
                    match self.dynamic_block(b, file) {
                        Ok((name, blocks)) => push_blocks(&mut out, name, blocks),
                        Err(ds) => diags.extend(ds),
                    }
                }
                Structure::Block(b) => match self.eval_body(&b.body, file) {
                    Ok(v) => push_blocks(&mut out, b.ident.to_string(), Value::List(vec![v])),
                    Err(ds) => diags.extend(ds),
                },
            }
        }
        self.file = file;
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(Value::Map(out))
        }
    }

    fn dynamic_block(&mut self, b: &Block, file: FileId) -> Result<(String, Value), Diagnostics> {
        let span = self.span(&b.ident);
        let Some(name) = b.labels.first().map(|l| l.as_str().to_string()) else {
            return Err(Diagnostic::error(
                "Missing block type for dynamic block",
                "A dynamic block needs one label: the type of the blocks it generates, like dynamic \"ingress\" { ... }.",
            )
            .at(span)
            .into());
        };
        let mut for_each = None;
        let mut iterator = name.clone();
        for a in b.body.attributes() {
            match a.key.as_str() {
                "for_each" => for_each = Some(&a.value),
                "iterator" => match &a.value {
                    Expression::Variable(v) => iterator = v.to_string(),
                    other => {
                        return Err(Diagnostic::error(
                            "Invalid dynamic iterator name",
                            "The iterator argument must be a single name, without quotes.",
                        )
                        .at(self.span(other))
                        .into())
                    }
                },
                "labels" => {}
                other => {
                    return Err(Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument named \"{other}\" is not expected in a dynamic block; only for_each, iterator, labels and a content block are."),
                    )
                    .at(self.span(&a.key))
                    .into())
                }
            }
        }
        let content = b.body.blocks().find(|c| c.ident.as_str() == "content");
        let (Some(for_each), Some(content)) = (for_each, content) else {
            return Err(Diagnostic::error(
                "Incomplete dynamic block",
                format!(
                    "The dynamic \"{name}\" block needs a for_each argument and a content block."
                ),
            )
            .at(span)
            .into());
        };
        let collection = self.expr(for_each).map_err(Diagnostics::from)?;
        let (collection, sensitive) = collection.unmark();
        if !collection.is_known() {
            return Ok((name, Value::Unknown));
        }
        let items = iteration_items(&collection).map_err(|msg| {
            Diagnostics::from(
                Diagnostic::error("Invalid dynamic for_each value", msg).at(self.span(for_each)),
            )
        })?;
        if let Err(e) = self.budget.charge_iterations(items.len()) {
            return Err(self.limit(for_each, e).into());
        }
        let mut blocks = Vec::new();
        let mut diags = Diagnostics::new();
        for (key, value) in items {
            let it = Value::map([("key", key), ("value", value)]).mark_sensitive(sensitive);
            self.bound.push((iterator.clone(), it));
            match self.eval_body(&content.body, file) {
                Ok(v) => blocks.push(v),
                Err(ds) => diags.extend(ds),
            }
            self.bound.pop();
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok((name, Value::List(blocks)))
    }

    /// A crossed limit as a diagnostic at `node`.
    fn limit(&self, node: &impl hcl::edit::Span, e: LimitError) -> Diagnostic {
        Diagnostic::error(e.summary, e.detail).at(self.span(node))
    }

    /// Charges a value just built to the budget (see `lang::limits`).
    fn charge(&mut self, v: Value, node: &impl hcl::edit::Span) -> EvalResult {
        match self.budget.charge_value(&v) {
            Ok(()) => Ok(v),
            Err(e) => Err(self.limit(node, e)),
        }
    }

    fn span(&self, node: &impl hcl::edit::Span) -> Option<Span> {
        node.span().map(|r| Span::new(self.file, r))
    }

    fn span_of(&self, r: Option<Range<usize>>) -> Option<Span> {
        r.map(|r| Span::new(self.file, r))
    }

    fn err(
        &self,
        node: &impl hcl::edit::Span,
        summary: &str,
        detail: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(summary, detail).at(self.span(node))
    }

    fn expr(&mut self, expr: &Expression) -> EvalResult {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(**b)),
            Expression::Number(n) => Ok(Value::Number(n.as_f64().unwrap_or(f64::NAN))),
            Expression::String(s) => Ok(Value::String(s.to_string())),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    out.push(self.expr(item)?);
                }
                self.charge(Value::List(out), expr)
            }
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                let mut unknown_key = false;
                for (k, v) in obj.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.to_string(),
                        ObjectKey::Expression(Expression::Variable(id)) => id.to_string(),
                        ObjectKey::Expression(e) => {
                            let kv = self.expr(e)?;
                            if !kv.is_known() {
                                unknown_key = true;
                                continue;
                            }
                            kv.to_template_string().ok_or_else(|| {
                                self.err(
                                    e,
                                    "Invalid object key",
                                    format!(
                                        "An object key must be a string; a {} was given.",
                                        kv.type_name()
                                    ),
                                )
                            })?
                        }
                    };
                    let value = self.expr(v.expr())?;
                    out.insert(key, value);
                }
                if unknown_key {
                    Ok(Value::Unknown)
                } else {
                    self.charge(Value::Map(out), expr)
                }
            }
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => self.traversal(v, &[], expr),
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(root) => self.traversal(root, &t.operators, expr),
                inner => {
                    let v = self.expr(inner)?;
                    self.apply_ops(v, &t.operators, false)
                }
            },
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr)?;
                let (cond, sensitive) = cond.unmark();
                match cond {
                    // As in HCL, a branch that may not be taken cannot fail the expression
                    // (`var.on ? aws_x.y[0].id : ""` with count = 0 is fine).
                    Value::Unknown => Ok(Value::Unknown.mark_sensitive(sensitive)),
                    other => {
                        let b = to_bool(&other).ok_or_else(|| {
                            self.err(&c.cond_expr, "Incorrect condition type", format!("The condition expression must be of type bool; a {} was given.", other.type_name()))
                        })?;
                        let v = if b {
                            self.expr(&c.true_expr)?
                        } else {
                            self.expr(&c.false_expr)?
                        };
                        Ok(v.mark_sensitive(sensitive))
                    }
                }
            }
            Expression::FuncCall(f) => self.func_call(f, expr),
            Expression::UnaryOp(u) => {
                let v = self.expr(&u.expr)?;
                let (v, sensitive) = v.unmark();
                if !v.is_known() {
                    return Ok(Value::Unknown.mark_sensitive(sensitive));
                }
                let out = match u.operator.value() {
                    UnaryOperator::Neg => Value::Number(-to_number(&v).ok_or_else(|| {
                        self.err(&u.expr, "Invalid operand", format!("Unsuitable value for unary operand: a number is required, but a {} was given.", v.type_name()))
                    })?),
                    UnaryOperator::Not => Value::Bool(!to_bool(&v).ok_or_else(|| {
                        self.err(&u.expr, "Invalid operand", format!("Unsuitable value for unary operand: a bool is required, but a {} was given.", v.type_name()))
                    })?),
                };
                Ok(out.mark_sensitive(sensitive))
            }
            Expression::BinaryOp(b) => {
                let op = *b.operator.value();
                let lhs = self.expr(&b.lhs_expr)?;
                let rhs = self.expr(&b.rhs_expr)?;
                self.binary(op, lhs, rhs, &b.lhs_expr, &b.rhs_expr, expr)
            }
            Expression::ForExpr(f) => {
                let v = self.for_expr(f)?;
                self.charge(v, expr)
            }
        }
    }

    fn binary(
        &self,
        op: BinaryOperator,
        lhs: Value,
        rhs: Value,
        lhs_expr: &Expression,
        rhs_expr: &Expression,
        whole: &Expression,
    ) -> EvalResult {
        use BinaryOperator as B;
        let sensitive = lhs.contains_sensitive() || rhs.contains_sensitive();
        let (lhs, _) = lhs.unmark_deep();
        let (rhs, _) = rhs.unmark_deep();
        if matches!(op, B::Eq | B::NotEq) {
            let out = match lhs.equals_partial(&rhs) {
                Some(eq) => Value::Bool(if op == B::Eq { eq } else { !eq }),
                None => Value::Unknown,
            };
            return Ok(out.mark_sensitive(sensitive));
        }
        if matches!(op, B::And | B::Or) {
            let operand = |v: &Value, e: &Expression| -> Result<Option<bool>, Diagnostic> {
                if !v.is_known() {
                    return Ok(None);
                }
                to_bool(v).map(Some).ok_or_else(|| {
                    self.err(e, "Invalid operand", format!("Unsuitable value for {} operand: a bool is required, but a {} was given.", if op == B::And { "left/right \"&&\"" } else { "left/right \"||\"" }, v.type_name()))
                })
            };
            let (l, r) = (operand(&lhs, lhs_expr)?, operand(&rhs, rhs_expr)?);
            let out = match (op, l, r) {
                (B::And, Some(false), _) | (B::And, _, Some(false)) => Value::Bool(false),
                (B::Or, Some(true), _) | (B::Or, _, Some(true)) => Value::Bool(true),
                (_, Some(a), Some(b)) => Value::Bool(if op == B::And { a && b } else { a || b }),
                _ => Value::Unknown,
            };
            return Ok(out.mark_sensitive(sensitive));
        }
        let number = |v: &Value, e: &Expression| -> Result<Option<f64>, Diagnostic> {
            if !v.is_known() {
                return Ok(None);
            }
            to_number(v).map(Some).ok_or_else(|| {
                self.err(e, "Invalid operand", format!("Unsuitable value for arithmetic or comparison: a number is required, but {} was given.", describe(v)))
            })
        };
        let (a, b) = (number(&lhs, lhs_expr)?, number(&rhs, rhs_expr)?);
        let (Some(a), Some(b)) = (a, b) else {
            return Ok(Value::Unknown.mark_sensitive(sensitive));
        };
        let out = match op {
            B::Plus => Value::Number(a + b),
            B::Minus => Value::Number(a - b),
            B::Mul => Value::Number(a * b),
            B::Div | B::Mod if b == 0.0 => {
                return Err(self.err(
                    whole,
                    "Arithmetic operation failed",
                    "Can't divide by zero.",
                ))
            }
            B::Div => Value::Number(a / b),
            B::Mod => Value::Number(a % b),
            B::Less => Value::Bool(a < b),
            B::LessEq => Value::Bool(a <= b),
            B::Greater => Value::Bool(a > b),
            B::GreaterEq => Value::Bool(a >= b),
            B::Eq | B::NotEq | B::And | B::Or => unreachable!("handled above"),
        };
        Ok(out.mark_sensitive(sensitive))
    }

    fn traversal(
        &mut self,
        root: &hcl::edit::Decorated<hcl::edit::Ident>,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
        whole: &Expression,
    ) -> EvalResult {
        let bound: Vec<String> = self.bound.iter().map(|(n, _)| n.clone()).collect();
        let r = parse_traversal(root, ops, &bound).map_err(|e| {
            Diagnostic::error(e.summary, e.detail).at(self.span_of(e.span.or_else(|| whole.span())))
        })?;
        let scope: &'a dyn Scope = self.scope;
        let resource = matches!(r.subject, Subject::Resource(..));
        if !matches!(r.subject, Subject::Bound(_)) {
            if let Some((root, of_resource)) = scope.get_ref(&r.subject) {
                let note = resource.then_some(&r.subject);
                return self.apply_ops_ref(root, &ops[r.consumed..], of_resource, note);
            }
        }
        if resource {
            scope.note_instance(&r.subject, None);
        }
        let resolved = match &r.subject {
            Subject::Bound(name) => Resolved::value(
                self.bound
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Null),
            ),
            subject => self.scope.get(subject).map_err(|e| {
                Diagnostic::error(e.summary, e.detail).at(self.span_of(r.span.clone()))
            })?,
        };
        self.apply_ops(resolved.value, &ops[r.consumed..], resolved.resource)
    }

    /// [`Self::apply_ops`] on a borrowed value: follows attribute and index steps by reference
    /// and copies only what they lead to. Anything else (splats, marks, errors) is left to
    /// `apply_ops`, so the outcome is the same.
    /// With `note`, the scope is told which instance of that resource the first step selects.
    fn apply_ops_ref(
        &mut self,
        root: &'a Value,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
        of_resource: bool,
        note: Option<&Subject>,
    ) -> EvalResult {
        if let Some(subject) = note {
            let first = ops.first().map(|o| o.value());
            let key = match first {
                Some(TraversalOperator::Index(e)) => Some(self.expr(e)?),
                Some(TraversalOperator::LegacyIndex(n)) => Some(Value::Number(*n.value() as f64)),
                _ => None,
            };
            self.scope.note_instance(subject, key.as_ref());
        }
        let mut cur = root;
        for (i, op) in ops.iter().enumerate() {
            let next = match op.value() {
                TraversalOperator::GetAttr(name) => match cur {
                    Value::Map(m) => m.get(name.as_str()),
                    _ => None,
                },
                TraversalOperator::LegacyIndex(n) => match cur {
                    Value::List(items) => items.get(*n.value() as usize),
                    _ => None,
                },
                TraversalOperator::Index(e) => {
                    let key = self.expr(e)?;
                    let found = match (cur, &key) {
                        (Value::List(items), Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => {
                            items.get(*n as usize)
                        }
                        (Value::Map(m), Value::String(k)) => m.get(k),
                        _ => None,
                    };
                    match found {
                        Some(v) => Some(v),
                        None => {
                            // The key is evaluated already: index the copy with it.
                            let v = self.index(cur.clone(), key, e)?;
                            return self.apply_ops(v, &ops[i + 1..], of_resource);
                        }
                    }
                }
                _ => None,
            };
            match next {
                Some(v) => cur = v,
                None => return self.apply_ops(cur.clone(), &ops[i..], of_resource),
            }
        }
        Ok(cur.clone())
    }

    /// Applies attribute access, indexing and splats to a value.
    fn apply_ops(
        &mut self,
        mut value: Value,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
        of_resource: bool,
    ) -> EvalResult {
        for (i, op) in ops.iter().enumerate() {
            match op.value() {
                TraversalOperator::GetAttr(name) => {
                    value = self.get_attr(value, name.as_str(), op, of_resource)?;
                }
                TraversalOperator::Index(e) => {
                    let key = self.expr(e)?;
                    value = self.index(value, key, e)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    value = self.index(value, Value::Number(*n.value() as f64), op)?;
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let attr_only = matches!(op.value(), TraversalOperator::AttrSplat(_));
                    let rest = &ops[i + 1..];
                    let n = if attr_only {
                        rest.iter()
                            .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                            .count()
                    } else {
                        rest.len()
                    };
                    let (v, sensitive) = value.unmark();
                    let items = match v {
                        Value::Unknown => return Ok(Value::Unknown.mark_sensitive(sensitive)),
                        Value::Null => Vec::new(),
                        Value::List(items) | Value::Set(items) => items,
                        other => vec![other],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply_ops(item, &rest[..n], of_resource)?);
                    }
                    let splatted = Value::List(out).mark_sensitive(sensitive);
                    return self.apply_ops(splatted, &rest[n..], false);
                }
            }
        }
        Ok(value)
    }

    fn get_attr(
        &self,
        value: Value,
        name: &str,
        node: &impl hcl::edit::Span,
        of_resource: bool,
    ) -> EvalResult {
        let (v, sensitive) = value.unmark();
        let out = match v {
            Value::Unknown => Value::Unknown,
            Value::Map(mut map) => match map.remove(name) {
                Some(v) => v,
                None => {
                    let names: Vec<&str> = map.keys().map(String::as_str).collect();
                    let hint = suggest_attribute(name, &names)
                        .map(|s| format!(" Did you mean \"{s}\"?"))
                        .unwrap_or_default();
                    let detail = if of_resource {
                        format!("This object has no argument, nested block, or exported attribute named \"{name}\".{hint}")
                    } else {
                        format!("This object does not have an attribute named \"{name}\".{hint}")
                    };
                    return Err(self.err(node, "Unsupported attribute", detail));
                }
            },
            Value::Null => {
                return Err(self.err(
                    node,
                    "Attempt to get attribute from null value",
                    "This value is null, so it does not have any attributes.",
                ))
            }
            Value::List(_) | Value::Set(_) => {
                return Err(self.err(
                    node,
                    "Unsupported attribute",
                    format!("Can't access attributes on a list of objects. Did you mean to access attribute \"{name}\" for a specific element of the list, or across all elements of the list with [*].{name}?"),
                ))
            }
            other => {
                return Err(self.err(
                    node,
                    "Unsupported attribute",
                    format!("Can't access attribute \"{name}\" on a {} value.", other.type_name()),
                ))
            }
        };
        Ok(out.mark_sensitive(sensitive))
    }

    fn index(&self, value: Value, key: Value, node: &impl hcl::edit::Span) -> EvalResult {
        let (v, s1) = value.unmark();
        let (key, s2) = key.unmark();
        let sensitive = s1 || s2;
        if !v.is_known() || !key.is_known() {
            return Ok(Value::Unknown.mark_sensitive(sensitive));
        }
        let invalid = |detail: String| self.err(node, "Invalid index", detail);
        let out = match v {
            Value::List(mut items) => {
                let n = to_number(&key).ok_or_else(|| {
                    invalid(format!("The given key does not identify an element in this collection value: a number is required, but {} was given.", describe(&key)))
                })?;
                if n.fract() != 0.0 || n < 0.0 || n as usize >= items.len() {
                    return Err(invalid(format!(
                        "The given key does not identify an element in this collection value: index {} is out of range for a list of {} element(s).",
                        format_number(n),
                        items.len()
                    )));
                }
                items.swap_remove(n as usize)
            }
            Value::Map(mut map) => {
                let k = key.to_template_string().ok_or_else(|| {
                    invalid(format!("A map or object is indexed by a string, but {} was given.", describe(&key)))
                })?;
                map.remove(&k).ok_or_else(|| {
                    if s2 {
                        invalid("The given key does not identify an element in this collection value: there is no element with the given key (sensitive value).".into())
                    } else {
                        invalid(format!("The given key does not identify an element in this collection value: there is no element with key \"{k}\"."))
                    }
                })?
            }
            Value::Set(_) => {
                return Err(invalid("Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.".into()))
            }
            Value::Null => {
                return Err(self.err(node, "Attempt to index null value", "This value is null, so it does not have any indices."))
            }
            other => {
                return Err(invalid(format!("This value does not have any indices: it is a {}.", other.type_name())))
            }
        };
        Ok(out.mark_sensitive(sensitive))
    }

    fn for_expr(&mut self, f: &hcl::edit::expr::ForExpr) -> EvalResult {
        let collection = self.expr(&f.intro.collection_expr)?;
        let (collection, sensitive) = collection.unmark();
        if !collection.is_known() {
            return Ok(Value::Unknown.mark_sensitive(sensitive));
        }
        let items = iteration_items(&collection).map_err(|m| {
            self.err(
                &f.intro.collection_expr,
                "Iteration over non-iterable value",
                m,
            )
        })?;
        if let Err(e) = self.budget.charge_iterations(items.len()) {
            return Err(self.limit(&f.intro.collection_expr, e));
        }
        let value_var = f.intro.value_var.to_string();
        let key_var = f.intro.key_var.as_ref().map(|k| k.to_string());
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        for (k, v) in items {
            let depth = self.bound.len();
            if let Some(kv) = &key_var {
                self.bound.push((kv.clone(), k.clone()));
            }
            self.bound.push((value_var.clone(), v));
            let result = self.for_item(f, &mut list, &mut map, &mut groups, &mut unknown);
            self.bound.truncate(depth);
            result?;
        }
        if unknown {
            return Ok(Value::Unknown.mark_sensitive(sensitive));
        }
        let out = if f.key_expr.is_some() {
            if f.grouping {
                Value::Map(
                    groups
                        .into_iter()
                        .map(|(k, v)| (k, Value::List(v)))
                        .collect(),
                )
            } else {
                Value::Map(map)
            }
        } else {
            Value::List(list)
        };
        Ok(out.mark_sensitive(sensitive))
    }

    fn for_item(
        &mut self,
        f: &hcl::edit::expr::ForExpr,
        list: &mut Vec<Value>,
        map: &mut BTreeMap<String, Value>,
        groups: &mut BTreeMap<String, Vec<Value>>,
        unknown: &mut bool,
    ) -> Result<(), Diagnostic> {
        if let Some(cond) = &f.cond {
            let c = self.expr(&cond.expr)?;
            if !c.is_known() {
                *unknown = true;
                return Ok(());
            }
            let b = to_bool(c.unmarked()).ok_or_else(|| {
                self.err(
                    &cond.expr,
                    "Invalid for expression condition",
                    format!(
                        "The condition must be a bool, but {} was given.",
                        describe(&c)
                    ),
                )
            })?;
            if !b {
                return Ok(());
            }
        }
        let value = self.expr(&f.value_expr)?;
        match &f.key_expr {
            None => list.push(value),
            Some(ke) => {
                let k = self.expr(ke)?;
                if !k.is_known() {
                    *unknown = true;
                    return Ok(());
                }
                let key = k.to_template_string().ok_or_else(|| {
                    self.err(
                        ke,
                        "Invalid object key",
                        format!(
                            "The key expression produced {}, but a string is required.",
                            describe(&k)
                        ),
                    )
                })?;
                if f.grouping {
                    groups.entry(key).or_default().push(value);
                } else {
                    match map.entry(key) {
                        std::collections::btree_map::Entry::Occupied(e) => {
                            return Err(self.err(ke, "Duplicate object key", format!("Two different items produced the key \"{}\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.", e.key())));
                        }
                        std::collections::btree_map::Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn template(&mut self, t: &Template) -> EvalResult {
        // `"${expr}"` alone is the value of expr itself, not converted to a string (HCL spec;
        // 0.11-style configurations rely on it for lists and maps).
        if let (1, Some(Element::Interpolation(i))) = (t.len(), t.iter().next()) {
            return self.expr(&i.expr);
        }
        let mut out = TemplateOut::default();
        self.render(t, &mut out)?;
        if let Err(e) = self.budget.charge(out.text.len()) {
            return Err(self.limit(t, e));
        }
        Ok(if out.unknown {
            Value::Unknown
        } else {
            Value::String(out.text)
        }
        .mark_sensitive(out.sensitive))
    }

    fn render(&mut self, t: &Template, out: &mut TemplateOut) -> Result<(), Diagnostic> {
        for el in t.iter() {
            match el {
                Element::Literal(lit) => out.literal(lit.as_str()),
                Element::Interpolation(i) => {
                    out.strip_before(i.strip.strip_start());
                    let v = self.expr(&i.expr)?;
                    self.interpolate(v, &i.expr, out)?;
                    out.trim_next = i.strip.strip_end();
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        out.strip_before(d.if_expr.strip.strip_start());
                        let c = self.expr(&d.if_expr.cond_expr)?;
                        let (c, sensitive) = c.unmark();
                        out.sensitive |= sensitive;
                        let branch = if !c.is_known() {
                            out.unknown = true;
                            None
                        } else {
                            Some(to_bool(&c).ok_or_else(|| {
                                self.err(
                                    &d.if_expr.cond_expr,
                                    "Invalid template if condition",
                                    format!(
                                        "The condition must be a bool, but {} was given.",
                                        describe(&c)
                                    ),
                                )
                            })?)
                        };
                        match branch {
                            Some(true) => {
                                out.trim_next = d.if_expr.strip.strip_end();
                                self.render(&d.if_expr.template, out)?;
                                if let Some(e) = &d.else_expr {
                                    out.strip_before(e.strip.strip_start());
                                }
                            }
                            Some(false) => {
                                if let Some(e) = &d.else_expr {
                                    out.trim_next = e.strip.strip_end();
                                    self.render(&e.template, out)?;
                                }
                            }
                            None => {}
                        }
                        out.strip_before(d.endif_expr.strip.strip_start());
                        out.trim_next = d.endif_expr.strip.strip_end();
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        out.strip_before(f.strip.strip_start());
                        let c = self.expr(&f.collection_expr)?;
                        let (c, sensitive) = c.unmark();
                        out.sensitive |= sensitive;
                        if !c.is_known() {
                            out.unknown = true;
                        } else {
                            let items = iteration_items(&c).map_err(|m| {
                                self.err(&f.collection_expr, "Iteration over non-iterable value", m)
                            })?;
                            if let Err(e) = self.budget.charge_iterations(items.len()) {
                                return Err(self.limit(&f.collection_expr, e));
                            }
                            for (k, v) in items {
                                let depth = self.bound.len();
                                if let Some(kv) = &f.key_var {
                                    self.bound.push((kv.to_string(), k));
                                }
                                self.bound.push((f.value_var.to_string(), v));
                                out.trim_next = f.strip.strip_end();
                                let r = self.render(&f.template, out);
                                self.bound.truncate(depth);
                                r?;
                                if let Err(e) = limits::check_string_len(out.text.len()) {
                                    return Err(self.limit(&f.collection_expr, e));
                                }
                                out.strip_before(d.endfor_expr.strip.strip_start());
                            }
                        }
                        out.trim_next = d.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(())
    }

    fn interpolate(
        &self,
        v: Value,
        e: &Expression,
        out: &mut TemplateOut,
    ) -> Result<(), Diagnostic> {
        let (v, sensitive) = v.unmark();
        out.sensitive |= sensitive;
        match &v {
            Value::Unknown => out.unknown = true,
            Value::Null => {
                return Err(self.err(e, "Invalid template interpolation value", "The expression result is null. Cannot include a null value in a string template."))
            }
            other => match other.to_template_string() {
                Some(s) => {
                    if let Err(l) = limits::check_string_len(out.text.len() + s.len()) {
                        return Err(self.limit(e, l));
                    }
                    out.text.push_str(&s)
                }
                None => {
                    return Err(self.err(e, "Invalid template interpolation value", format!("Cannot include the given value in a string template: string required, but {} was given.", describe(other))))
                }
            },
        }
        out.trim_next = false;
        Ok(())
    }

    fn func_call(&mut self, f: &FuncCall, whole: &Expression) -> EvalResult {
        let name = f.name.name.as_str();
        if !f.name.namespace.is_empty() {
            return Err(self.err(
                &f.name.name,
                "Call to unknown function",
                format!(
                    "Provider-defined functions (\"{}::{name}\") are not supported by ecsform.",
                    f.name
                        .namespace
                        .iter()
                        .map(|n| n.as_str())
                        .collect::<Vec<_>>()
                        .join("::")
                ),
            ));
        }
        let args: Vec<&Expression> = f.args.iter().collect();
        match name {
            "try" => return self.call_try(&args, whole),
            "can" => return self.call_can(&args, whole),
            "sensitive" | "nonsensitive" => {
                let [arg] = args.as_slice() else {
                    return Err(self.err(
                        whole,
                        "Error in function call",
                        format!(
                            "Call to function \"{name}\" failed: exactly one argument is required."
                        ),
                    ));
                };
                let v = self.expr(arg)?;
                return Ok(if name == "sensitive" {
                    v.mark_sensitive(true)
                } else {
                    v.unmark_deep().0
                });
            }
            _ => {}
        }
        if name == "templatefile" && self.in_template {
            return Err(self.err(
                whole,
                "Error in function call",
                "Call to function \"templatefile\" failed: cannot recursively call templatefile from inside a templatefile call.",
            ));
        }
        let Some(func) = functions::lookup(name) else {
            let removed = match name {
                "map" => Some("The \"map\" function was removed in Terraform 0.15; write a map literal instead, such as tomap({ Name = \"x\" })."),
                "list" => Some("The \"list\" function was removed in Terraform 0.15; write a list literal instead, such as tolist([\"a\", \"b\"])."),
                _ => None,
            };
            if let Some(hint) = removed {
                return Err(self
                    .err(
                        &f.name.name,
                        "Call to unknown function",
                        format!("There is no function named \"{name}\"."),
                    )
                    .hint(hint));
            }
            let hint = suggest(name, &functions::names());
            let mut d = self.err(
                &f.name.name,
                "Call to unknown function",
                format!("There is no function named \"{name}\"."),
            );
            if let Some(s) = hint {
                d = d.hint(format!("Did you mean \"{s}\"?"));
            }
            return Err(d);
        };
        let mut values = Vec::with_capacity(args.len());
        for a in &args {
            values.push(self.expr(a)?);
        }
        if f.args.expand_final() {
            let last = values.pop().unwrap_or(Value::Null);
            let (last, sensitive) = last.unmark();
            match last {
                Value::List(items) | Value::Set(items) => {
                    values.extend(items.into_iter().map(|v| v.mark_sensitive(sensitive)))
                }
                Value::Unknown => return Ok(Value::Unknown.mark_sensitive(sensitive)),
                other => {
                    return Err(self.err(args.last().copied().unwrap_or(whole), "Invalid expanding argument value", format!("The expanding argument (indicated by ...) must be of a tuple, list, or set type, but {} was given.", describe(&other))))
                }
            }
        }
        let sources = self.sources.clone();
        let pure_only = self.pure_only;
        let render = move |src: &str, path: &Path, vars: &BTreeMap<String, Value>| {
            render_template_file(&sources, src, path, vars, pure_only)
        };
        let ctx = FuncContext {
            base_dir: self.base_dir,
            render_template: &render,
            pure_only,
        };
        let expanded = f.args.expand_final();
        // A function's message may quote its arguments ("invalid CIDR address: ..."): the
        // texts of sensitive ones are masked in it.
        let secrets: Vec<String> = values.iter().flat_map(sensitive_texts).collect();
        let result = functions::call(func, values, &ctx).map_err(|mut e| {
            e.message = mask_secrets(e.message, &secrets);
            // Arguments expanded from the final `...` argument all come from that expression.
            let source = e.arg.map(|i| {
                if expanded {
                    i.min(args.len().saturating_sub(1))
                } else {
                    i
                }
            });
            let node: &dyn SpanNode = match source.and_then(|i| args.get(i)) {
                Some(a) => *a,
                None => whole,
            };
            Diagnostic::error(
                if e.arg.is_some() {
                    "Invalid function argument"
                } else {
                    "Error in function call"
                },
                format!("Call to function \"{name}\" failed: {}", e.message),
            )
            .at(node.span_in(self.file))
        })?;
        self.charge(result, whole)
    }

    fn call_try(&mut self, args: &[&Expression], whole: &Expression) -> EvalResult {
        if args.is_empty() {
            return Err(self.err(
                whole,
                "Error in function call",
                "Call to function \"try\" failed: at least one argument is required.",
            ));
        }
        for a in args {
            if let Ok(v) = self.expr(a) {
                // A value that might still fail later can't be chosen yet.
                if !v.is_wholly_known() {
                    return Ok(Value::Unknown);
                }
                return Ok(v);
            }
        }
        Err(self.err(
            whole,
            "Error in function call",
            "Call to function \"try\" failed: no expression succeeded.",
        ))
    }

    fn call_can(&mut self, args: &[&Expression], whole: &Expression) -> EvalResult {
        if args.len() != 1 {
            return Err(self.err(
                whole,
                "Error in function call",
                "Call to function \"can\" failed: exactly one argument is required.",
            ));
        }
        Ok(match self.expr(args[0]) {
            Ok(v) if !v.is_wholly_known() => Value::Unknown,
            Ok(_) => Value::Bool(true),
            Err(_) => Value::Bool(false),
        })
    }
}

/// Lets errors point at either an argument expression or the whole call.
trait SpanNode {
    fn span_in(&self, file: FileId) -> Option<Span>;
}

impl SpanNode for Expression {
    fn span_in(&self, file: FileId) -> Option<Span> {
        self.span().map(|r| Span::new(file, r))
    }
}

#[derive(Default)]
struct TemplateOut {
    text: String,
    unknown: bool,
    sensitive: bool,
    /// The previous marker ended with `~`: strip leading whitespace of the next literal.
    trim_next: bool,
}

impl TemplateOut {
    fn literal(&mut self, s: &str) {
        if self.trim_next {
            self.text.push_str(s.trim_start());
        } else {
            self.text.push_str(s);
        }
        self.trim_next = false;
    }

    fn strip_before(&mut self, strip: bool) {
        if strip {
            let len = self.text.trim_end().len();
            self.text.truncate(len);
        }
    }
}

fn push_blocks(out: &mut BTreeMap<String, Value>, name: String, blocks: Value) {
    match (out.get_mut(&name), blocks) {
        (Some(Value::List(existing)), Value::List(new)) => existing.extend(new),
        (Some(slot), Value::Unknown) => *slot = Value::Unknown,
        (Some(Value::Unknown), _) => {}
        (_, blocks) => {
            out.insert(name, blocks);
        }
    }
}

/// Key/value pairs of a collection, as `for` and `dynamic` iterate it: lists by index, maps by
/// key, sets by value.
pub fn iteration_items(v: &Value) -> Result<Vec<(Value, Value)>, String> {
    match v.unmarked() {
        Value::List(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v.clone()))
            .collect()),
        Value::Set(items) => Ok(items.iter().map(|v| (v.clone(), v.clone())).collect()),
        Value::Map(map) => Ok(map
            .iter()
            .map(|(k, v)| (Value::String(k.clone()), v.clone()))
            .collect()),
        other => Err(format!(
            "A for expression or dynamic block needs a list, set, map or object, but {} was given.",
            describe(other)
        )),
    }
}

/// "a string", "null", "a list" — for messages.
pub fn describe(v: &Value) -> String {
    match v.unmarked() {
        Value::Null => "null".into(),
        Value::Unknown => "an unknown value".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Bool(_) => "a bool".into(),
        Value::List(_) => "a list".into(),
        Value::Set(_) => "a set".into(),
        Value::Map(_) => "an object".into(),
        Value::Sensitive(_) => unreachable!(),
    }
}

/// The closest name within a small edit distance (2, or a quarter of the name's length for
/// long names), for "did you mean" hints.
pub fn suggest<'n>(name: &str, candidates: &[&'n str]) -> Option<&'n str> {
    let limit = (name.chars().count() / 4).max(2);
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// [`suggest`] for attribute names, preferring the shortest candidate that extends `name` with a
/// suffix (`cidr` → `cidr_block`, where edit distance alone would offer `id`).
pub fn suggest_attribute<'n>(name: &str, candidates: &[&'n str]) -> Option<&'n str> {
    candidates
        .iter()
        .filter(|c| {
            c.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('_'))
        })
        .min_by_key(|c| (c.len(), **c))
        .copied()
        .or_else(|| suggest(name, candidates))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Renders a template file for `templatefile`: parse, bind the variables, evaluate (with
/// impure functions unknown when `pure_only`, see [`Evaluator::pure_only`]).
pub fn render_template_file(
    sources: &Sources,
    src: &str,
    path: &Path,
    vars: &BTreeMap<String, Value>,
    pure_only: bool,
) -> Result<Value, String> {
    let display = path.to_string_lossy().to_string();
    let file = sources.add(display.clone(), src);
    let template = hcl::edit::parser::parse_template(src).map_err(|e| {
        format!(
            "{display}:{}:{}: invalid template: {}",
            e.location().line(),
            e.location().column(),
            e.message()
        )
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut ev = Evaluator::new(&EmptyScope, sources, base).pure_only(pure_only);
    ev.file = file;
    ev.in_template = true;
    for (k, v) in vars {
        ev.bind(k.clone(), v.clone());
    }
    ev.template(&template).map_err(|d| match &d.span {
        Some(span) => format!("{}: {}: {}", sources.location(span), d.summary, d.detail),
        None => format!("{display}: {}: {}", d.summary, d.detail),
    })
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
