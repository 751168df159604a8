//! A lossless HCL tokenizer for the formatter.
//!
//! It splits source text into the same kinds of tokens that Terraform's HCL scanner produces
//! (brackets, operators, identifiers, template pieces, comments, newlines, heredoc markers),
//! and records for each token how much blank space came before it. Whitespace is the only
//! thing the formatter may change, so every other byte of the source must come back out of
//! [`Token::text`] unchanged: concatenating the tokens with their original spacing
//! reproduces the input. The input is assumed to have parsed already; on text that does not
//! parse the tokens are still lossless but may not be meaningful.

/// What a token is, named after HCL's scanner token types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    /// `"` opening a quoted template.
    OQuote,
    /// `"` closing a quoted template.
    CQuote,
    /// `<<EOT` or `<<-EOT` with the line ending after it.
    OHeredoc,
    /// The heredoc end marker line, with its indentation, without the line ending.
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    /// `=` of an attribute or object item.
    Equal,
    /// `==`
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    /// `${` or `${~`
    TemplateInterp,
    /// `%{` or `%{~`
    TemplateControl,
    /// `}` or `~}` closing an interpolation or directive.
    TemplateSeqEnd,
    /// Literal text of a quoted template (escapes included as written).
    QuotedLit,
    /// Literal text of a heredoc.
    StringLit,
    NumberLit,
    Ident,
    /// `# ...` and `// ...` (with their line ending, when there is one) or `/* ... */`.
    Comment,
    Newline,
    /// A character the scanner does not know; kept as it is.
    Invalid,
}

/// One token: its kind, its exact text, and the blank space (spaces and tabs) before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub text: String,
    /// The whitespace before the token as written; replaced by `spaces` spaces on output
    /// once the formatter has decided them.
    pub space_before: String,
    /// Spaces to write before the token (decided by the formatter).
    pub spaces: usize,
}

impl Token {
    pub fn new(kind: Kind, text: impl Into<String>) -> Token {
        Token {
            kind,
            text: text.into(),
            space_before: String::new(),
            spaces: 0,
        }
    }

    /// Whether this token ends a line: a newline, or a `#`/`//` comment that includes one.
    pub fn ends_line(&self) -> bool {
        self.kind == Kind::Newline || (self.kind == Kind::Comment && self.text.ends_with('\n'))
    }

    /// +1 for tokens that open a nesting level, -1 for those that close one.
    pub fn bracket_change(&self) -> i32 {
        match self.kind {
            Kind::OBrace
            | Kind::OBrack
            | Kind::OParen
            | Kind::TemplateControl
            | Kind::TemplateInterp => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }

    pub fn is_keyword(&self, word: &str) -> bool {
        self.kind == Kind::Ident && self.text == word
    }
}

enum Mode {
    /// Expressions and structure. `interp` is true inside `${ }`/`%{ }`, where the brace that
    /// closes the sequence must be told apart from object braces; `braces` counts those.
    Expr { interp: bool, braces: usize },
    /// Inside `"..."`.
    Quoted,
    /// Inside a heredoc, whose end marker is `marker`. `line_start` is true at the start of
    /// a line, the only place where the marker can end it.
    Heredoc { marker: String, line_start: bool },
}

/// Splits `src` into tokens. Blank space at the very end of the text is returned separately.
pub fn tokenize(src: &str) -> (Vec<Token>, String) {
    let mut lx = Lexer {
        src,
        pos: 0,
        tokens: Vec::new(),
        pending_space: String::new(),
        modes: vec![Mode::Expr {
            interp: false,
            braces: 0,
        }],
    };
    while lx.pos < src.len() {
        let before = (lx.pos, lx.modes.len());
        match lx.modes.last() {
            Some(Mode::Expr { .. }) | None => lx.expr(),
            Some(Mode::Quoted) => lx.quoted(),
            Some(Mode::Heredoc { .. }) => lx.heredoc(),
        }
        if (lx.pos, lx.modes.len()) == before {
            // Never loop without progress, whatever the input.
            let ch = lx.rest().chars().next().map_or(1, char::len_utf8);
            lx.push(Kind::Invalid, ch);
        }
    }
    (lx.tokens, lx.pending_space)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    pending_space: String,
    modes: Vec<Mode>,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn push(&mut self, kind: Kind, len: usize) {
        let text = &self.src[self.pos..self.pos + len];
        self.tokens.push(Token {
            kind,
            text: text.to_string(),
            space_before: std::mem::take(&mut self.pending_space),
            spaces: 0,
        });
        self.pos += len;
    }

    fn expr(&mut self) {
        let rest = self.rest();
        let b = rest.as_bytes();
        let c = b[0];
        let next = b.get(1).copied();
        match c {
            b' ' | b'\t' => {
                let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                self.pending_space.push_str(&rest[..n]);
                self.pos += n;
            }
            b'\n' => self.push(Kind::Newline, 1),
            b'\r' if next == Some(b'\n') => self.push(Kind::Newline, 2),
            b'#' => self.line_comment(),
            b'/' if next == Some(b'/') => self.line_comment(),
            b'/' if next == Some(b'*') => {
                let len = rest[2..].find("*/").map_or(rest.len(), |i| i + 4);
                self.push(Kind::Comment, len);
            }
            b'{' => {
                if let Some(Mode::Expr { braces, .. }) = self.modes.last_mut() {
                    *braces += 1;
                }
                self.push(Kind::OBrace, 1);
            }
            b'}' | b'~' => {
                let len = if c == b'~' {
                    if next != Some(b'}') {
                        self.push(Kind::Invalid, 1);
                        return;
                    }
                    2
                } else {
                    1
                };
                match self.modes.last_mut() {
                    Some(Mode::Expr {
                        interp: true,
                        braces: 0,
                    }) => {
                        self.modes.pop();
                        self.push(Kind::TemplateSeqEnd, len);
                    }
                    Some(Mode::Expr { braces, .. }) if len == 1 => {
                        *braces = braces.saturating_sub(1);
                        self.push(Kind::CBrace, 1);
                    }
                    _ => self.push(Kind::Invalid, len),
                }
            }
            b'[' => self.push(Kind::OBrack, 1),
            b']' => self.push(Kind::CBrack, 1),
            b'(' => self.push(Kind::OParen, 1),
            b')' => self.push(Kind::CParen, 1),
            b',' => self.push(Kind::Comma, 1),
            b'?' => self.push(Kind::Question, 1),
            b':' => self.push(Kind::Colon, 1),
            b'.' if rest.starts_with("...") => self.push(Kind::Ellipsis, 3),
            b'.' => self.push(Kind::Dot, 1),
            b'*' => self.push(Kind::Star, 1),
            b'/' => self.push(Kind::Slash, 1),
            b'%' => self.push(Kind::Percent, 1),
            b'+' => self.push(Kind::Plus, 1),
            b'-' => self.push(Kind::Minus, 1),
            b'=' if next == Some(b'=') => self.push(Kind::EqualOp, 2),
            b'=' if next == Some(b'>') => self.push(Kind::FatArrow, 2),
            b'=' => self.push(Kind::Equal, 1),
            b'!' if next == Some(b'=') => self.push(Kind::NotEqual, 2),
            b'!' => self.push(Kind::Bang, 1),
            b'<' if next == Some(b'<') => self.heredoc_start(),
            b'<' if next == Some(b'=') => self.push(Kind::LessThanEq, 2),
            b'<' => self.push(Kind::LessThan, 1),
            b'>' if next == Some(b'=') => self.push(Kind::GreaterThanEq, 2),
            b'>' => self.push(Kind::GreaterThan, 1),
            b'&' if next == Some(b'&') => self.push(Kind::And, 2),
            b'|' if next == Some(b'|') => self.push(Kind::Or, 2),
            b'"' => {
                self.push(Kind::OQuote, 1);
                self.modes.push(Mode::Quoted);
            }
            b'0'..=b'9' => {
                let len = number_len(rest);
                self.push(Kind::NumberLit, len);
            }
            _ => {
                let ch = rest.chars().next().unwrap_or(' ');
                if ch.is_alphabetic() || ch == '_' {
                    let len = rest
                        .char_indices()
                        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
                        .map_or(rest.len(), |(i, _)| i);
                    self.push(Kind::Ident, len);
                } else {
                    self.push(Kind::Invalid, ch.len_utf8());
                }
            }
        }
    }

    fn line_comment(&mut self) {
        let rest = self.rest();
        let len = rest.find('\n').map_or(rest.len(), |i| i + 1);
        self.push(Kind::Comment, len);
    }

    fn heredoc_start(&mut self) {
        let rest = self.rest();
        let mut i = 2;
        if rest[i..].starts_with('-') {
            i += 1;
        }
        let name_len = rest[i..]
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .map_or(rest.len() - i, |(n, _)| n);
        let marker = rest[i..i + name_len].to_string();
        let after = &rest[i + name_len..];
        let eol = if after.starts_with("\r\n") {
            2
        } else if after.starts_with('\n') {
            1
        } else {
            0
        };
        if marker.is_empty() || eol == 0 {
            // Not a heredoc after all: two less-than signs.
            self.push(Kind::LessThan, 1);
            return;
        }
        self.push(Kind::OHeredoc, i + name_len + eol);
        self.modes.push(Mode::Heredoc {
            marker,
            line_start: true,
        });
    }

    fn quoted(&mut self) {
        let rest = self.rest();
        if rest.starts_with('"') {
            self.modes.pop();
            self.push(Kind::CQuote, 1);
            return;
        }
        if let Some(len) = template_open(rest) {
            self.open_template(rest, len);
            return;
        }
        let b = rest.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'"' | b'\n' | b'\r' => break,
                b'\\' => i += 1 + rest[i + 1..].chars().next().map_or(0, char::len_utf8),
                b'$' | b'%' if rest[i..].starts_with("$${") || rest[i..].starts_with("%%{") => {
                    i += 3
                }
                b'$' | b'%' if i > 0 && template_open(&rest[i..]).is_some() => break,
                _ => i += rest[i..].chars().next().map_or(1, char::len_utf8),
            }
        }
        let i = i.min(rest.len());
        if i == 0 {
            // A line ending inside a quoted string is invalid; leave the string so that
            // the rest of the line is scanned normally.
            self.modes.pop();
            return;
        }
        self.push(Kind::QuotedLit, i);
    }

    fn open_template(&mut self, rest: &'a str, len: usize) {
        let kind = if rest.starts_with('$') {
            Kind::TemplateInterp
        } else {
            Kind::TemplateControl
        };
        self.push(kind, len);
        self.modes.push(Mode::Expr {
            interp: true,
            braces: 0,
        });
    }

    fn heredoc(&mut self) {
        let rest = self.rest();
        let Some(Mode::Heredoc { marker, line_start }) = self.modes.last_mut() else {
            return;
        };
        let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = &rest[..line_len];
        if *line_start && line.trim() == marker.as_str() {
            let body = line.trim_end_matches(['\n', '\r']);
            let body_len = body.len();
            self.modes.pop();
            self.push(Kind::CHeredoc, body_len);
            if line_len > body_len {
                self.push(Kind::Newline, line_len - body_len);
            }
            return;
        }
        *line_start = false;
        if let Some(len) = template_open(rest) {
            self.open_template(rest, len);
            return;
        }
        let b = rest.as_bytes();
        let mut i = 0;
        while i < line_len {
            match b[i] {
                b'$' | b'%' if rest[i..].starts_with("$${") || rest[i..].starts_with("%%{") => {
                    i += 3
                }
                b'$' | b'%' if template_open(&rest[i..]).is_some() => break,
                _ => i += 1,
            }
        }
        let i = i.min(line_len);
        if i == line_len {
            if let Some(Mode::Heredoc { line_start, .. }) = self.modes.last_mut() {
                *line_start = rest[..i].ends_with('\n');
            }
        }
        self.push(Kind::StringLit, i);
    }
}

/// Length of a `${`, `${~`, `%{` or `%{~` at the start of `s`.
fn template_open(s: &str) -> Option<usize> {
    if s.starts_with("${") || s.starts_with("%{") {
        Some(if s[2..].starts_with('~') { 3 } else { 2 })
    } else {
        None
    }
}

fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(0);
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i = digits(i + 1);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = digits(j);
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        tokenize(src)
            .0
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    /// Every byte of the input comes back out.
    fn lossless(src: &str) {
        let (tokens, tail) = tokenize(src);
        let mut out = String::new();
        for t in &tokens {
            out.push_str(&t.space_before);
            out.push_str(&t.text);
        }
        out.push_str(&tail);
        assert_eq!(out, src);
    }

    #[test]
    fn operators_and_literals() {
        use Kind::*;
        let k: Vec<Kind> = kinds("a = b.c[0] >= -1.5e3 && !d ? e... : f == g => h")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            k,
            vec![
                Ident,
                Equal,
                Ident,
                Dot,
                Ident,
                OBrack,
                NumberLit,
                CBrack,
                GreaterThanEq,
                Minus,
                NumberLit,
                And,
                Bang,
                Ident,
                Question,
                Ident,
                Ellipsis,
                Colon,
                Ident,
                EqualOp,
                Ident,
                FatArrow,
                Ident
            ]
        );
    }

    #[test]
    fn templates_and_escapes() {
        use Kind::*;
        assert_eq!(
            kinds(r#""a$${b}\"${ {x = "}"} }%{~ if c ~}d""#),
            vec![
                (OQuote, "\"".into()),
                (QuotedLit, r#"a$${b}\""#.into()),
                (TemplateInterp, "${".into()),
                (OBrace, "{".into()),
                (Ident, "x".into()),
                (Equal, "=".into()),
                (OQuote, "\"".into()),
                (QuotedLit, "}".into()),
                (CQuote, "\"".into()),
                (CBrace, "}".into()),
                (TemplateSeqEnd, "}".into()),
                (TemplateControl, "%{~".into()),
                (Ident, "if".into()),
                (Ident, "c".into()),
                (TemplateSeqEnd, "~}".into()),
                (QuotedLit, "d".into()),
                (CQuote, "\"".into()),
            ]
        );
    }

    #[test]
    fn heredocs() {
        use Kind::*;
        let src = "x = <<-EOT\n  a ${b}\n  EOTX\n  EOT\ny = 1\n";
        assert_eq!(
            kinds(src),
            vec![
                (Ident, "x".into()),
                (Equal, "=".into()),
                (OHeredoc, "<<-EOT\n".into()),
                (StringLit, "  a ".into()),
                (TemplateInterp, "${".into()),
                (Ident, "b".into()),
                (TemplateSeqEnd, "}".into()),
                (StringLit, "\n".into()),
                (StringLit, "  EOTX\n".into()),
                (CHeredoc, "  EOT".into()),
                (Newline, "\n".into()),
                (Ident, "y".into()),
                (Equal, "=".into()),
                (NumberLit, "1".into()),
                (Newline, "\n".into()),
            ]
        );
        lossless(src);
    }

    #[test]
    fn comments_and_crlf() {
        use Kind::*;
        let src = "# a\r\nb = 1 // c\r\n/* d\n */ e\t=\t2";
        assert_eq!(
            kinds(src),
            vec![
                (Comment, "# a\r\n".into()),
                (Ident, "b".into()),
                (Equal, "=".into()),
                (NumberLit, "1".into()),
                (Comment, "// c\r\n".into()),
                (Comment, "/* d\n */".into()),
                (Ident, "e".into()),
                (Equal, "=".into()),
                (NumberLit, "2".into()),
            ]
        );
        lossless(src);
    }

    #[test]
    fn lossless_on_odd_input() {
        for src in [
            "",
            "   ",
            "a = \"unterminated\nb = 1\n",
            "x = <<EOT\nno end",
            "a = 1 ~ 2 @ 3 & 4 | 5\n",
            "é = \"ü${ß}\"\n",
        ] {
            lossless(src);
        }
    }
}
