//! Terraform's whitespace rules: indentation, spaces between tokens, and alignment of `=`
//! and trailing comments.
//!
//! The rules are those of HCL's canonical formatter (`hclwrite`), which `terraform fmt` uses,
//! restated here so that files formatted by either tool are left alone by the other:
//!
//! - The text is cut into lines at newlines and at `#`/`//` comments (a heredoc or a
//!   multi-line `/* */` comment stays inside the line where it starts). Each line has a
//!   *lead*, then optionally an *assign* cell (from the first `=` after the first token, when
//!   the rest of the line opens and closes as many brackets as it closes) and a *comment*
//!   cell (a trailing `#`/`//` comment after other tokens).
//! - Indentation is two spaces per open bracket level, counted line by line: a line that
//!   opens more brackets than it closes indents what follows by one level however many it
//!   opened; the line that closes them returns to its opener's level.
//! - Between tokens of one cell, one space or none, by the kinds of the neighbouring
//!   tokens (`spaces_between`).
//! - On consecutive lines with an assign cell, the `=` are aligned one space after the
//!   longest lead; on consecutive lines with a trailing comment, the comments are aligned.
//!   A blank line, a comment line, a block header or a multi-line value ends the run.
//!
//! Only the spacing before tokens changes; token texts are the caller's business.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::lex::{Kind, Token};

#[derive(Debug)]
struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<Range<usize>>,
}

/// Decides `spaces` of every token.
pub fn layout(tokens: &mut [Token]) {
    let lines = split_lines(tokens);
    indent(tokens, &lines);
    space(tokens, &lines);
    align(tokens, &lines);
}

fn split_lines(tokens: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.ends_line() {
            lines.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        lines.push(start..tokens.len());
    }
    lines
        .into_iter()
        .map(|mut lead| {
            let mut comment = None;
            if lead.len() > 1 && tokens[lead.end - 1].kind == Kind::Comment {
                comment = Some(lead.end - 1..lead.end);
                lead.end -= 1;
            }
            let mut assign = None;
            if let Some(eq) = (lead.start + 1..lead.end).find(|&i| tokens[i].kind == Kind::Equal) {
                let net: i32 = tokens[eq..lead.end].iter().map(Token::bracket_change).sum();
                if net == 0 {
                    assign = Some(eq..lead.end);
                    lead.end = eq;
                }
            }
            Line {
                lead,
                assign,
                comment,
            }
        })
        .collect()
}

fn indent(tokens: &mut [Token], lines: &[Line]) {
    // Each entry is one indentation level and the number of brackets that opened it.
    let mut levels: Vec<i32> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        let first = line.lead.start;
        if tokens[first].kind == Kind::Newline {
            tokens[first].spaces = 0;
            continue;
        }
        let mut net = 0;
        for t in &tokens[line.lead.clone()] {
            net += t.bracket_change();
            // A heredoc's content belongs to its string, not to the bracket structure.
            if t.kind == Kind::OHeredoc {
                break;
            }
        }
        if let Some(assign) = &line.assign {
            net += tokens[assign.clone()]
                .iter()
                .map(Token::bracket_change)
                .sum::<i32>();
        }
        if net > 0 {
            tokens[first].spaces = 2 * levels.len();
            levels.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = levels.last_mut() else { break };
            if closed >= *top {
                closed -= *top;
                levels.pop();
            } else {
                *top -= closed;
                closed = 0;
            }
        }
        tokens[first].spaces = 2 * levels.len();
    }
}

fn space(tokens: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.lead.clone());
        if let Some(assign) = &line.assign {
            // One space separates `=` from what it assigns to (widened by `align`).
            tokens[assign.start].spaces = 1;
            space_cell(tokens, assign.clone());
        }
    }
}

fn space_cell(tokens: &mut [Token], cell: Range<usize>) {
    for i in cell.start..cell.end.saturating_sub(1) {
        let before = (i > cell.start).then(|| tokens[i - 1].kind);
        let spaced = spaces_between(&tokens[i], before, &tokens[i + 1]);
        tokens[i + 1].spaces = usize::from(spaced);
    }
}

/// Whether one space separates `subject` from the `after` token that follows it on the same
/// line; `before` is the token before `subject` in the same cell.
fn spaces_between(subject: &Token, before: Option<Kind>, after: &Token) -> bool {
    use Kind::*;
    let (s, a) = (subject.kind, after.kind);
    match () {
        _ if a == Newline => false,
        // A function name and its parenthesis.
        _ if s == Ident && a == OParen => false,
        _ if s == Dot || a == Dot => false,
        _ if a == Comma || a == Ellipsis => false,
        _ if s == Comma => true,
        // Template literals carry their own spacing.
        _ if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc)
            || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc) =>
        {
            false
        }
        // `for x in [a, b]`: `in` is a keyword here, not something being indexed.
        _ if subject.is_keyword("in") && before == Some(Ident) => true,
        _ if a == OBrack && (s == Ident || s == NumberLit || subject.bracket_change() < 0) => false,
        _ if s == Bang => false,
        // A minus after something that cannot end an operand is a negation: `-1`, `a - -1`.
        _ if s == Minus => !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | GreaterThan
                    | GreaterThanEq
                    | LessThan
                    | LessThanEq
                    | And
                    | Or
                    | Bang
            )
        ),
        // Braces are spaced inside (`{ a = 1 }`), except when empty (`{}`).
        _ if s == OBrace || a == CBrace => !(s == OBrace && a == CBrace),
        // `${ {a = 1} }`: keep an object constructor apart from the template braces.
        _ if matches!(s, TemplateInterp | TemplateControl) && a == OBrace => true,
        _ if s == CBrace && a == TemplateSeqEnd => true,
        _ if s == TemplateSeqEnd && matches!(a, TemplateInterp | TemplateControl) => false,
        _ if subject.bracket_change() > 0 => false,
        _ if after.bracket_change() < 0 => false,
        _ => true,
    }
}

/// Width of a cell in columns (user-perceived characters).
fn columns(tokens: &[Token], cell: &Option<Range<usize>>) -> usize {
    cell.as_ref().map_or(0, |r| {
        tokens[r.clone()]
            .iter()
            .map(|t| t.spaces + t.text.graphemes(true).count())
            .sum()
    })
}

fn align(tokens: &mut [Token], lines: &[Line]) {
    let lead = |l: &Line| Some(l.lead.clone());
    // `=` first: moving them moves the comments after them.
    align_runs(
        tokens,
        lines,
        |l| l.assign.as_ref().map(|a| a.start),
        |t, l| columns(t, &lead(l)),
    );
    align_runs(
        tokens,
        lines,
        |l| l.comment.as_ref().map(|c| c.start),
        |t, l| columns(t, &lead(l)) + columns(t, &l.assign),
    );
}

/// For each run of consecutive lines that have the cell `cell`, places that cell one space
/// after the widest text before it (`width`).
fn align_runs(
    tokens: &mut [Token],
    lines: &[Line],
    cell: impl Fn(&Line) -> Option<usize>,
    width: impl Fn(&[Token], &Line) -> usize,
) {
    let mut i = 0;
    while i < lines.len() {
        if cell(&lines[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && cell(&lines[i]).is_some() {
            i += 1;
        }
        let run = &lines[start..i];
        let widest = run.iter().map(|l| width(tokens, l)).max().unwrap_or(0);
        for l in run {
            let w = width(tokens, l);
            if let Some(at) = cell(l) {
                tokens[at].spaces = widest - w + 1;
            }
        }
    }
}
