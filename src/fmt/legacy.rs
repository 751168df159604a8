//! The rewrites `terraform fmt` makes beyond whitespace, which update pre-0.12 idioms:
//!
//! - an argument whose whole value is one interpolation, `"${var.name}"`, becomes
//!   `var.name` (wrapped in parentheses when it spans lines);
//! - block labels written as bare identifiers, `resource aws_vpc main {`, are quoted;
//! - in `variable` blocks, `type = "string"` (and `"list"`, `"map"`) becomes `string`
//!   (`list(string)`, `map(string)`), and bare `list`, `map`, `set` become `list(any)` etc.
//!
//! Each leaves the configuration's meaning as Terraform (and ecsform) evaluate it unchanged.
//! The walk over the token stream understands only the structure of a body (attributes and
//! blocks); when it meets anything else it gives up and rewrites nothing.

use super::lex::{Kind, Token};

/// A replacement of `tokens[range]` by new tokens.
struct Edit {
    range: std::ops::Range<usize>,
    with: Vec<Token>,
}

/// Applies the rewrites to a token stream of a file that parses.
pub fn rewrite(tokens: &mut Vec<Token>) {
    let mut edits = Vec::new();
    let mut walker = Walker {
        tokens: &tokens[..],
        edits: &mut edits,
    };
    let mut blocks = Vec::new();
    let Some(end) = walker.body(0, &mut blocks) else {
        return;
    };
    if end != tokens.len() {
        return;
    }
    for edit in edits.into_iter().rev() {
        let mut with = edit.with;
        if let Some(first) = with.first_mut() {
            first.space_before = tokens[edit.range.start].space_before.clone();
        }
        tokens.splice(edit.range, with);
    }
}

struct Walker<'a> {
    tokens: &'a [Token],
    edits: &'a mut Vec<Edit>,
}

impl Walker<'_> {
    fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    /// Walks the statements of a body from `i` to its closing brace (or the end of the file)
    /// and returns the position of that brace. `blocks` are the types of enclosing blocks.
    fn body(&mut self, mut i: usize, blocks: &mut Vec<String>) -> Option<usize> {
        loop {
            while matches!(self.kind(i), Some(Kind::Newline | Kind::Comment)) {
                i += 1;
            }
            match self.kind(i) {
                None | Some(Kind::CBrace) => return Some(i),
                Some(Kind::Ident) => {}
                Some(_) => return None,
            }
            let name = self.tokens[i].text.clone();
            if self.kind(i + 1) == Some(Kind::Equal) {
                let start = i + 2;
                let end = self.expression_end(start)?;
                self.attribute(&name, start..end, blocks);
                i = end;
            } else {
                i = self.labels(i + 1)?;
                blocks.push(name);
                let close = self.body(i + 1, blocks)?;
                blocks.pop();
                if self.kind(close) != Some(Kind::CBrace) {
                    return None;
                }
                i = close + 1;
            }
        }
    }

    /// Where the expression starting at `i` ends: the line break or line comment after it,
    /// or the closing brace of a one-line block.
    fn expression_end(&self, mut i: usize) -> Option<usize> {
        let mut depth = 0i32;
        while let Some(t) = self.tokens.get(i) {
            if depth == 0 && (t.ends_line() || t.kind == Kind::CBrace) {
                break;
            }
            depth += t.bracket_change()
                + match t.kind {
                    Kind::OQuote | Kind::OHeredoc => 1,
                    Kind::CQuote | Kind::CHeredoc => -1,
                    _ => 0,
                };
            if depth < 0 {
                return None;
            }
            i += 1;
        }
        Some(i)
    }

    /// Checks the labels from `i` up to the block's `{`, queues quoting of bare ones, and
    /// returns the position of the `{`.
    fn labels(&mut self, mut i: usize) -> Option<usize> {
        loop {
            match self.kind(i)? {
                Kind::OBrace => return Some(i),
                Kind::Comment if !self.tokens[i].ends_line() => i += 1,
                Kind::Ident => {
                    let name = self.tokens[i].text.clone();
                    self.edits.push(Edit {
                        range: i..i + 1,
                        with: quoted(&name),
                    });
                    i += 1;
                }
                Kind::OQuote => {
                    i += 1;
                    while self.kind(i)? == Kind::QuotedLit {
                        i += 1;
                    }
                    if self.kind(i)? != Kind::CQuote {
                        return None;
                    }
                    i += 1;
                }
                _ => return None,
            }
        }
    }

    fn attribute(&mut self, name: &str, expr: std::ops::Range<usize>, blocks: &[String]) {
        let toks = &self.tokens[expr.clone()];
        let with = if blocks == ["variable"] && name == "type" {
            type_expression(toks)
        } else {
            unwrap_interpolation(toks)
        };
        if let Some(with) = with {
            self.edits.push(Edit { range: expr, with });
        }
    }
}

fn quoted(s: &str) -> Vec<Token> {
    vec![
        Token::new(Kind::OQuote, "\""),
        Token::new(Kind::QuotedLit, s),
        Token::new(Kind::CQuote, "\""),
    ]
}

fn ident(s: &str) -> Token {
    Token::new(Kind::Ident, s)
}

/// `list(string)` and the like.
fn call(f: &str, arg: &str) -> Vec<Token> {
    vec![
        ident(f),
        Token::new(Kind::OParen, "("),
        ident(arg),
        Token::new(Kind::CParen, ")"),
    ]
}

/// The modern spelling of a legacy type constraint, if `toks` is one.
fn type_expression(toks: &[Token]) -> Option<Vec<Token>> {
    match toks {
        [t] if t.kind == Kind::Ident => match t.text.as_str() {
            "list" | "map" | "set" => Some(call(&t.text, "any")),
            _ => None,
        },
        [o, lit, c]
            if o.kind == Kind::OQuote && lit.kind == Kind::QuotedLit && c.kind == Kind::CQuote =>
        {
            match lit.text.as_str() {
                "string" => Some(vec![ident("string")]),
                "list" | "map" => Some(call(&lit.text, "string")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `"${expr}"` → `expr`, when the string is nothing but that one interpolation.
fn unwrap_interpolation(toks: &[Token]) -> Option<Vec<Token>> {
    let n = toks.len();
    if n < 5
        || toks[0].kind != Kind::OQuote
        || toks[1].kind != Kind::TemplateInterp
        || toks[n - 2].kind != Kind::TemplateSeqEnd
        || toks[n - 1].kind != Kind::CQuote
    {
        return None;
    }
    let inside = &toks[2..n - 2];
    // Nested strings may hold interpolations of their own; at the top level there must be
    // no other template sequence and no literal text.
    let mut quotes = 0;
    for t in inside {
        match t.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Kind::TemplateInterp
            | Kind::TemplateControl
            | Kind::TemplateSeqEnd
            | Kind::QuotedLit => return None,
            // A comment would swallow the closing paren we might add.
            Kind::Comment => return None,
            _ => {}
        }
    }
    let first = inside.iter().position(|t| t.kind != Kind::Newline)?;
    let last = inside.iter().rposition(|t| t.kind != Kind::Newline)?;
    let trimmed = &inside[first..=last];
    let mut out: Vec<Token> = trimmed.to_vec();
    out[0].space_before.clear();
    if trimmed.iter().any(|t| t.kind == Kind::Newline) && !parenthesized(trimmed) {
        // A line break would end the argument early unless it is inside brackets.
        out.insert(0, Token::new(Kind::OParen, "("));
        out.push(Token::new(Kind::CParen, ")"));
    }
    Some(out)
}

/// Whether `toks` is one parenthesised expression: its first `(` closes at its last token.
fn parenthesized(toks: &[Token]) -> bool {
    if toks.first().map(|t| t.kind) != Some(Kind::OParen) {
        return false;
    }
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate() {
        depth += t.bracket_change();
        if depth == 0 {
            return i == toks.len() - 1;
        }
    }
    false
}
