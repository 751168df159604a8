//! Canonical formatting of HCL files, as `terraform fmt` does it.
//!
//! [`format_hcl`] is pure: text in, text out. It refuses a file that does not parse, and
//! checks its own result: the formatted text must parse to the same configuration as the
//! input (comments aside, which the parser drops but the tokenizer keeps verbatim). Files
//! and command-line behaviour are the business of `cli::fmt`.
//!
//! The work is done on tokens ([`lex`]): first Terraform's rewrites of legacy idioms
//! ([`legacy`]), then its whitespace rules ([`layout`]). Beyond Terraform, the result has no
//! trailing whitespace after `#`/`//` comments and ends with exactly one line break.

mod layout;
mod legacy;
mod lex;

use hcl::template::{Element, Template};
use hcl::{BlockLabel, Body, Expression, Structure};

/// Why a file was not formatted.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file is not valid HCL; it is reported like any syntax error.
    #[error("{0}")]
    Syntax(Box<hcl::edit::parser::Error>),
    /// The formatted text would not mean the same as the input. This is a bug in the
    /// formatter; the file must be left as it is.
    #[error("formatting would change the meaning of this file ({0})")]
    Unsafe(String),
}

/// Formats one `.tf` or `.tfvars` file.
pub fn format_hcl(src: &str) -> Result<String, FormatError> {
    hcl::edit::parser::parse_body(src).map_err(|e| FormatError::Syntax(Box::new(e)))?;
    let out = format_tokens(src);
    check_same_meaning(src, &out)?;
    Ok(out)
}

fn format_tokens(src: &str) -> String {
    let (mut tokens, _trailing_space) = lex::tokenize(src);
    legacy::rewrite(&mut tokens);
    for t in &mut tokens {
        if t.kind == lex::Kind::Comment && !t.text.starts_with("/*") {
            t.text = trim_comment_end(&t.text);
        }
    }
    layout::layout(&mut tokens);
    let mut out = String::with_capacity(src.len() + src.len() / 8);
    for t in &tokens {
        out.extend(std::iter::repeat_n(' ', t.spaces));
        out.push_str(&t.text);
    }
    let newline = match tokens.iter().find(|t| t.kind == lex::Kind::Newline) {
        Some(t) if t.text == "\r\n" => "\r\n",
        _ => "\n",
    };
    let end = out.trim_end_matches([' ', '\t', '\r', '\n']).len();
    out.truncate(end);
    if !out.is_empty() {
        out.push_str(newline);
    }
    out
}

/// `# text   \n` → `# text\n`.
fn trim_comment_end(text: &str) -> String {
    let body = text.trim_end_matches(['\n', '\r']);
    let eol = &text[body.len()..];
    format!("{}{eol}", body.trim_end_matches([' ', '\t']))
}

fn check_same_meaning(before: &str, after: &str) -> Result<(), FormatError> {
    let parse = |s: &str| hcl::from_str::<Body>(s).map(canonical_body);
    let a = parse(before).map_err(|e| FormatError::Unsafe(format!("input: {e}")))?;
    let b =
        parse(after).map_err(|e| FormatError::Unsafe(format!("the result does not parse: {e}")))?;
    if a != b {
        return Err(FormatError::Unsafe(
            "the result parses to a different configuration".into(),
        ));
    }
    Ok(())
}

/// A body with the differences that `legacy` rewrites (and that Terraform does not tell
/// apart) evened out: labels as strings, `"${x}"` as `x`, redundant parentheses around whole
/// argument values, and legacy type constraints in their modern spelling.
fn canonical_body(body: Body) -> Body {
    canonical_in(body, &mut Vec::new())
}

fn canonical_in(body: Body, blocks: &mut Vec<String>) -> Body {
    body.0
        .into_iter()
        .map(|s| match s {
            Structure::Attribute(mut a) => {
                let var_type =
                    blocks.len() == 1 && blocks[0] == "variable" && a.key.as_str() == "type";
                a.expr = canonical_value(a.expr);
                if var_type {
                    a.expr = canonical_type(a.expr);
                }
                Structure::Attribute(a)
            }
            Structure::Block(mut b) => {
                b.labels = b
                    .labels
                    .into_iter()
                    .map(|l| match l {
                        BlockLabel::Identifier(id) => BlockLabel::String(id.to_string()),
                        other => other,
                    })
                    .collect();
                blocks.push(b.identifier.to_string());
                b.body = canonical_in(b.body, blocks);
                blocks.pop();
                Structure::Block(b)
            }
        })
        .collect::<Vec<_>>()
        .into()
}

fn canonical_value(expr: Expression) -> Expression {
    let mut expr = canonical_expr(expr);
    loop {
        expr = match expr {
            Expression::Parenthesis(inner) => *inner,
            Expression::TemplateExpr(t) => match Template::from_expr(&t) {
                Ok(tpl) => match tpl.elements() {
                    [Element::Interpolation(i)] => i.expr.clone(),
                    _ => return Expression::TemplateExpr(t),
                },
                Err(_) => return Expression::TemplateExpr(t),
            },
            other => return other,
        }
    }
}

/// `expr` with every template rewritten from its parsed form, so that the spacing inside
/// `${ }` (which the formatter normalises) does not count as a difference.
fn canonical_expr(expr: Expression) -> Expression {
    use hcl::expr::{ObjectKey, Operation, TemplateExpr, TraversalOperator};
    match expr {
        Expression::Array(items) => {
            Expression::Array(items.into_iter().map(canonical_expr).collect())
        }
        Expression::Object(items) => Expression::Object(
            items
                .into_iter()
                .map(|(k, v)| {
                    let k = match k {
                        ObjectKey::Expression(e) => ObjectKey::Expression(canonical_expr(e)),
                        other => other,
                    };
                    (k, canonical_expr(v))
                })
                .collect(),
        ),
        Expression::TemplateExpr(t) => {
            let Ok(mut tpl) = Template::from_expr(&t) else {
                return Expression::TemplateExpr(t);
            };
            for el in tpl.elements_mut() {
                if let Element::Interpolation(i) = el {
                    i.expr = canonical_expr(i.expr.clone());
                }
            }
            let Ok(text) = hcl::format::to_string(&tpl) else {
                return Expression::TemplateExpr(t);
            };
            Expression::TemplateExpr(Box::new(match *t {
                TemplateExpr::QuotedString(_) => TemplateExpr::QuotedString(text),
                TemplateExpr::Heredoc(mut h) => {
                    h.template = text;
                    TemplateExpr::Heredoc(h)
                }
            }))
        }
        Expression::FuncCall(mut f) => {
            f.args = std::mem::take(&mut f.args)
                .into_iter()
                .map(canonical_expr)
                .collect();
            Expression::FuncCall(f)
        }
        Expression::Parenthesis(inner) => Expression::Parenthesis(Box::new(canonical_expr(*inner))),
        Expression::Conditional(mut c) => {
            c.cond_expr = canonical_expr(c.cond_expr);
            c.true_expr = canonical_expr(c.true_expr);
            c.false_expr = canonical_expr(c.false_expr);
            Expression::Conditional(c)
        }
        Expression::Operation(mut op) => {
            match op.as_mut() {
                Operation::Unary(u) => u.expr = canonical_expr(u.expr.clone()),
                Operation::Binary(b) => {
                    b.lhs_expr = canonical_expr(b.lhs_expr.clone());
                    b.rhs_expr = canonical_expr(b.rhs_expr.clone());
                }
            }
            Expression::Operation(op)
        }
        Expression::ForExpr(mut f) => {
            f.collection_expr = canonical_expr(f.collection_expr);
            f.key_expr = f.key_expr.map(canonical_expr);
            f.value_expr = canonical_expr(f.value_expr);
            f.cond_expr = f.cond_expr.map(canonical_expr);
            Expression::ForExpr(f)
        }
        Expression::Traversal(mut t) => {
            t.expr = canonical_expr(t.expr);
            for op in &mut t.operators {
                if let TraversalOperator::Index(e) = op {
                    *e = canonical_expr(e.clone());
                }
            }
            Expression::Traversal(t)
        }
        other => other,
    }
}

fn canonical_type(expr: Expression) -> Expression {
    use hcl::expr::{FuncCall, Variable};
    let call = |f: &str, arg: &str| {
        Expression::FuncCall(Box::new(
            FuncCall::builder(f)
                .arg(Expression::Variable(Variable::unchecked(arg)))
                .build(),
        ))
    };
    match &expr {
        Expression::String(s) if s == "string" => {
            Expression::Variable(Variable::unchecked("string"))
        }
        Expression::String(s) if s == "list" || s == "map" => call(s, "string"),
        Expression::Variable(v) if ["list", "map", "set"].contains(&v.as_str()) => {
            call(v.as_str(), "any")
        }
        _ => expr,
    }
}

#[cfg(test)]
mod tests;
