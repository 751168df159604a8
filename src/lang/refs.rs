//! References: what an expression refers to (`var.x`, `aws_vpc.main`, `module.net.ids`...).
//!
//! [`parse_traversal`] reads the root of a traversal into a [`Reference`]; [`references`]
//! finds every reference in an expression or body without evaluating it, skipping names bound
//! locally by `for` expressions and `dynamic` blocks. The graph uses these to draw edges; the
//! evaluator uses the same parser so both agree on what a reference means.

use std::ops::Range;

use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Body, Structure};
use hcl::edit::template::{Directive, Element, Template};
use hcl::edit::Span as _;

use crate::config::Mode;

/// What a reference points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Var(String),
    Local(String),
    /// `module.NAME`, with the output named right after it (or after its index), if any.
    Module(String, Option<String>),
    Resource(Mode, String, String),
    Count(String),
    Each(String),
    Path(String),
    Terraform(String),
    SelfRef,
    /// A name bound by a `for` expression, `dynamic` block or template variable.
    Bound(String),
}

/// A reference found in source, with the byte range of the part that names its subject.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub subject: Subject,
    pub span: Option<Range<usize>>,
    /// How many traversal operators the subject consumed (the rest apply to its value).
    pub consumed: usize,
}

/// A traversal that does not form a valid reference (`var` alone, `data.aws_ami`).
#[derive(Clone, Debug, PartialEq)]
pub struct RefError {
    pub summary: &'static str,
    pub detail: String,
    pub span: Option<Range<usize>>,
}

fn attr_name(op: &TraversalOperator) -> Option<&str> {
    match op {
        TraversalOperator::GetAttr(a) => Some(a.as_str()),
        _ => None,
    }
}

fn join_span(a: Option<Range<usize>>, b: Option<Range<usize>>) -> Option<Range<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
        (a, b) => a.or(b),
    }
}

/// Parses the subject of a traversal rooted at the variable `root`. `bound` names shadow
/// everything else (they are `for`/`dynamic` iterator names).
pub fn parse_traversal(
    root: &hcl::edit::Decorated<hcl::edit::Ident>,
    ops: &[hcl::edit::Decorated<TraversalOperator>],
    bound: &[String],
) -> Result<Reference, RefError> {
    let name = root.as_str();
    let root_span = root.span();
    let span_to = |n: usize| {
        ops.iter()
            .take(n)
            .fold(root_span.clone(), |acc, op| join_span(acc, op.span()))
    };
    if bound.iter().any(|b| b == name) {
        return Ok(Reference {
            subject: Subject::Bound(name.to_string()),
            span: root_span,
            consumed: 0,
        });
    }
    let first = ops.first().and_then(|o| attr_name(o.value()));
    let need_attr = |what: &str, example: &str| RefError {
        summary: "Invalid reference",
        detail: format!(
            "A reference to {what} must be followed by an attribute access, like {example}."
        ),
        span: span_to(ops.len().min(1)),
    };
    let simple = |subject: Subject| Reference {
        subject,
        span: span_to(1),
        consumed: 1,
    };
    match name {
        "var" => first
            .map(|a| simple(Subject::Var(a.into())))
            .ok_or_else(|| need_attr("\"var\"", "var.region")),
        "local" => first
            .map(|a| simple(Subject::Local(a.into())))
            .ok_or_else(|| need_attr("\"local\"", "local.name")),
        "count" => first
            .map(|a| simple(Subject::Count(a.into())))
            .ok_or_else(|| need_attr("\"count\"", "count.index")),
        "each" => first
            .map(|a| simple(Subject::Each(a.into())))
            .ok_or_else(|| need_attr("\"each\"", "each.key")),
        "path" => first
            .map(|a| simple(Subject::Path(a.into())))
            .ok_or_else(|| need_attr("\"path\"", "path.module")),
        "terraform" => first
            .map(|a| simple(Subject::Terraform(a.into())))
            .ok_or_else(|| need_attr("\"terraform\"", "terraform.workspace")),
        "self" => Ok(Reference {
            subject: Subject::SelfRef,
            span: root_span,
            consumed: 0,
        }),
        "module" => {
            let Some(call) = first else {
                return Err(need_attr("\"module\"", "module.network.vpc_id"));
            };
            // module.x.out, module.x[0].out, module.x["k"].out
            let (output, end) = match ops.get(1).map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(a)) => (Some(a.to_string()), 2),
                Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => (
                    ops.get(2)
                        .and_then(|o| attr_name(o.value()))
                        .map(String::from),
                    3,
                ),
                _ => (None, 1),
            };
            Ok(Reference {
                subject: Subject::Module(call.into(), output.clone()),
                // Through the output name, which is what a missing output is about.
                span: span_to(if output.is_some() { end } else { 1 }),
                consumed: 1,
            })
        }
        "data" => {
            let ty = first.ok_or_else(|| need_attr("\"data\"", "data.aws_ami.ecs"))?;
            let Some(n) = ops.get(1).and_then(|o| attr_name(o.value())) else {
                return Err(RefError {
                    summary: "Invalid reference",
                    detail: format!("A reference to a data source must give its type and name, like data.{ty}.NAME."),
                    span: span_to(1),
                });
            };
            Ok(Reference {
                subject: Subject::Resource(Mode::Data, ty.into(), n.into()),
                span: span_to(2),
                consumed: 2,
            })
        }
        ty => {
            let Some(n) = first else {
                return Err(RefError {
                    summary: "Invalid reference",
                    detail: format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name, like {ty}.NAME. \"{ty}\" is not a variable in this scope."),
                    span: root_span,
                });
            };
            Ok(simple(Subject::Resource(
                Mode::Managed,
                ty.into(),
                n.into(),
            )))
        }
    }
}

/// Every reference in an expression, in source order. Invalid traversals are returned as errors
/// alongside, so that one pass reports them all.
pub fn references(expr: &Expression) -> (Vec<Reference>, Vec<RefError>) {
    let mut w = Walker::default();
    w.expr(expr);
    (w.refs, w.errors)
}

/// Every reference in a block body (arguments, nested and `dynamic` blocks).
pub fn body_references(body: &Body) -> (Vec<Reference>, Vec<RefError>) {
    let mut w = Walker::default();
    w.body(body);
    (w.refs, w.errors)
}

/// References in an expression where some names are already bound (e.g. template variables).
pub fn references_with_bound(
    expr: &Expression,
    bound: &[String],
) -> (Vec<Reference>, Vec<RefError>) {
    let mut w = Walker {
        bound: bound.to_vec(),
        ..Walker::default()
    };
    w.expr(expr);
    (w.refs, w.errors)
}

#[derive(Default)]
struct Walker {
    bound: Vec<String>,
    refs: Vec<Reference>,
    errors: Vec<RefError>,
}

impl Walker {
    fn with_bound(&mut self, names: &[String], f: impl FnOnce(&mut Walker)) {
        let n = self.bound.len();
        self.bound.extend(names.iter().cloned());
        f(self);
        self.bound.truncate(n);
    }

    fn traversal(
        &mut self,
        root: &hcl::edit::Decorated<hcl::edit::Ident>,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
    ) {
        match parse_traversal(root, ops, &self.bound) {
            Ok(r) => {
                if !matches!(r.subject, Subject::Bound(_)) {
                    self.refs.push(r);
                }
            }
            Err(e) => self.errors.push(e),
        }
        for op in ops {
            if let TraversalOperator::Index(e) = op.value() {
                self.expr(e);
            }
        }
    }

    fn expr(&mut self, expr: &Expression) {
        match expr {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Array(items) => items.iter().for_each(|e| self.expr(e)),
            Expression::Object(obj) => {
                for (k, v) in obj.iter() {
                    if let hcl::edit::expr::ObjectKey::Expression(k) = k {
                        // A bare identifier key is a literal name, not a reference.
                        if !matches!(k, Expression::Variable(_)) {
                            self.expr(k);
                        }
                    }
                    self.expr(v.expr());
                }
            }
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => self.traversal(v, &[]),
            Expression::Conditional(c) => {
                self.expr(&c.cond_expr);
                self.expr(&c.true_expr);
                self.expr(&c.false_expr);
            }
            Expression::FuncCall(f) => f.args.iter().for_each(|a| self.expr(a)),
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(root) => self.traversal(root, &t.operators),
                other => {
                    self.expr(other);
                    for op in &t.operators {
                        if let TraversalOperator::Index(e) = op.value() {
                            self.expr(e);
                        }
                    }
                }
            },
            Expression::UnaryOp(u) => self.expr(&u.expr),
            Expression::BinaryOp(b) => {
                self.expr(&b.lhs_expr);
                self.expr(&b.rhs_expr);
            }
            Expression::ForExpr(f) => {
                self.expr(&f.intro.collection_expr);
                let mut names = vec![f.intro.value_var.to_string()];
                if let Some(k) = &f.intro.key_var {
                    names.push(k.to_string());
                }
                self.with_bound(&names, |w| {
                    if let Some(k) = &f.key_expr {
                        w.expr(k);
                    }
                    w.expr(&f.value_expr);
                    if let Some(c) = &f.cond {
                        w.expr(&c.expr);
                    }
                });
            }
        }
    }

    fn template(&mut self, t: &Template) {
        for el in t.iter() {
            match el {
                Element::Literal(_) => {}
                Element::Interpolation(i) => self.expr(&i.expr),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        self.expr(&d.if_expr.cond_expr);
                        self.template(&d.if_expr.template);
                        if let Some(e) = &d.else_expr {
                            self.template(&e.template);
                        }
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        self.expr(&f.collection_expr);
                        let mut names = vec![f.value_var.to_string()];
                        if let Some(k) = &f.key_var {
                            names.push(k.to_string());
                        }
                        self.with_bound(&names, |w| w.template(&f.template));
                    }
                },
            }
        }
    }

    fn body(&mut self, body: &Body) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => self.expr(&a.value),
                Structure::Block(b) if b.ident.as_str() == "dynamic" => {
                    let label = b.labels.first().map(|l| l.as_str().to_string());
                    let mut iterator = label.clone().unwrap_or_default();
                    for a in b.body.attributes() {
                        match a.key.as_str() {
                            "for_each" => self.expr(&a.value),
                            "iterator" => {
                                if let Expression::Variable(v) = &a.value {
                                    iterator = v.to_string();
                                }
                            }
                            _ => {}
                        }
                    }
                    self.with_bound(&[iterator], |w| {
                        for a in b.body.attributes() {
                            if a.key.as_str() == "labels" {
                                w.expr(&a.value);
                            }
                        }
                        for inner in b.body.blocks() {
                            if inner.ident.as_str() == "content" {
                                w.body(&inner.body);
                            }
                        }
                    });
                }
                Structure::Block(b) => self.body(&b.body),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subjects(src: &str) -> Vec<Subject> {
        let e = hcl::edit::parser::parse_expr(src).unwrap();
        let (refs, errors) = references(&e);
        assert!(errors.is_empty(), "{errors:?}");
        refs.into_iter().map(|r| r.subject).collect()
    }

    #[test]
    fn finds_every_kind_of_reference() {
        assert_eq!(
            subjects("\"${var.a}-${local.b}\""),
            [Subject::Var("a".into()), Subject::Local("b".into())]
        );
        assert_eq!(
            subjects("module.net[0].ids"),
            [Subject::Module("net".into(), Some("ids".into()))]
        );
        assert_eq!(
            subjects("data.aws_ami.ecs.id"),
            [Subject::Resource(
                Mode::Data,
                "aws_ami".into(),
                "ecs".into()
            )]
        );
        assert_eq!(
            subjects("aws_subnet.a.*.id"),
            [Subject::Resource(
                Mode::Managed,
                "aws_subnet".into(),
                "a".into()
            )]
        );
    }

    #[test]
    fn for_variables_are_not_references() {
        assert_eq!(
            subjects("[for s in var.subnets : s.id if s.public]"),
            [Subject::Var("subnets".into())]
        );
        assert_eq!(
            subjects("\"%{ for k, v in local.m }${k}=${v}%{ endfor }\""),
            [Subject::Local("m".into())]
        );
    }

    #[test]
    fn dynamic_iterators_are_bound() {
        let body = hcl::edit::parser::parse_body(
            "dynamic \"ingress\" {\n  for_each = var.ports\n  content {\n    from_port = ingress.value\n  }\n}\n",
        )
        .unwrap();
        let (refs, errors) = body_references(&body);
        assert!(errors.is_empty());
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].subject, Subject::Var("ports".into()));
    }

    #[test]
    fn incomplete_references_are_errors() {
        for src in ["var", "data.aws_ami", "aws_vpc"] {
            let e = hcl::edit::parser::parse_expr(src).unwrap();
            let (_, errors) = references(&e);
            assert_eq!(errors.len(), 1, "{src}");
        }
    }
}
