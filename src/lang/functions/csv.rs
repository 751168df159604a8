//! The CSV reader behind `csvdecode`: RFC 4180 as Go's `encoding/csv` reads it, which is what
//! Terraform uses. Fields are separated by commas and records by `\n` or `\r\n`; a field may be
//! quoted with `"`, doubling a quote to include one, and may then span lines. Blank lines are
//! skipped, a `\r\n` inside a quoted field reads as `\n`, and every record must have as many
//! fields as the first. A quote inside an unquoted field, or text after a closing quote, is an
//! error (Go's `LazyQuotes` is off). Private to `functions`.

use std::collections::BTreeMap;

use crate::lang::value::Value;

/// Why a record could not be read, with the 1-based line Go would report.
#[derive(Debug, PartialEq)]
struct ParseError {
    line: usize,
    problem: &'static str,
}

const BARE_QUOTE: &str = "bare \" in non-quoted-field";
const QUOTE: &str = "extraneous or missing \" in quoted-field";
const FIELD_COUNT: &str = "wrong number of fields";

struct Reader<'a> {
    rest: &'a str,
    /// Lines read so far.
    line: usize,
}

impl<'a> Reader<'a> {
    /// The next line with its newline (`\r\n` normalised to `\n`; a final `\r` dropped), or
    /// None at the end of the input.
    fn read_line(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            return None;
        }
        let end = self.rest.find('\n').map_or(self.rest.len(), |i| i + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.line += 1;
        let mut line = line.to_string();
        if line.ends_with("\r\n") {
            line.truncate(line.len() - 2);
            line.push('\n');
        } else if !line.ends_with('\n') && line.ends_with('\r') {
            line.pop();
        }
        Some(line)
    }

    /// The next record's fields and the line it started on, or None at the end.
    fn read_record(&mut self) -> Result<Option<(Vec<String>, usize)>, ParseError> {
        let mut line = loop {
            match self.read_line() {
                None => return Ok(None),
                Some(l) if l == "\n" => continue,
                Some(l) => break l,
            }
        };
        let start = self.line;
        let mut fields = Vec::new();
        let mut pos = 0;
        loop {
            let rest = &line[pos..];
            if !rest.starts_with('"') {
                let end = rest.find(',').unwrap_or(rest.trim_end_matches('\n').len());
                let field = &rest[..end];
                if field.contains('"') {
                    return Err(ParseError {
                        line: self.line,
                        problem: BARE_QUOTE,
                    });
                }
                fields.push(field.to_string());
                if rest[end..].starts_with(',') {
                    pos += end + 1;
                    continue;
                }
                return Ok(Some((fields, start)));
            }
            // A quoted field, possibly over several lines.
            let mut field = String::new();
            pos += 1;
            loop {
                let rest = &line[pos..];
                if let Some(q) = rest.find('"') {
                    field.push_str(&rest[..q]);
                    let after = &rest[q + 1..];
                    if after.starts_with('"') {
                        field.push('"');
                        pos += q + 2;
                    } else if after.starts_with(',') {
                        fields.push(std::mem::take(&mut field));
                        pos += q + 2;
                        break;
                    } else if after.is_empty() || after == "\n" {
                        fields.push(field);
                        return Ok(Some((fields, start)));
                    } else {
                        return Err(ParseError {
                            line: self.line,
                            problem: QUOTE,
                        });
                    }
                } else {
                    field.push_str(rest);
                    match self.read_line() {
                        Some(next) => {
                            line = next;
                            pos = 0;
                        }
                        None => {
                            return Err(ParseError {
                                line: self.line,
                                problem: QUOTE,
                            })
                        }
                    }
                }
            }
        }
    }
}

/// `csvdecode`: the first record names the columns; every later record becomes an object of
/// strings. The error is the message Terraform gives.
pub(super) fn decode(text: &str) -> Result<Value, String> {
    let mut reader = Reader {
        rest: text,
        line: 0,
    };
    let wrap = |e: ParseError| format!("CSV parse error on line {}: {}", e.line, e.problem);
    let Some((headers, _)) = reader.read_record().map_err(wrap)? else {
        return Err("missing header line".into());
    };
    for (i, name) in headers.iter().enumerate() {
        if headers[..i].contains(name) {
            return Err(format!("duplicate column name {name:?}"));
        }
    }
    let mut rows = Vec::new();
    while let Some((fields, start)) = reader.read_record().map_err(wrap)? {
        if fields.len() != headers.len() {
            return Err(wrap(ParseError {
                line: start,
                problem: FIELD_COUNT,
            }));
        }
        let row: BTreeMap<String, Value> = headers
            .iter()
            .cloned()
            .zip(fields.into_iter().map(Value::String))
            .collect();
        rows.push(Value::Map(row));
    }
    Ok(Value::List(rows))
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::lang::value::Value;

    fn rows(text: &str) -> Vec<Vec<(String, String)>> {
        let Value::List(rows) = decode(text).unwrap() else {
            panic!("not a list")
        };
        rows.iter()
            .map(|r| {
                r.as_map()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect()
            })
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_a_header_and_rows() {
        assert_eq!(
            rows("a,b,c\n1,2,3\n4,5,6"),
            vec![
                pairs(&[("a", "1"), ("b", "2"), ("c", "3")]),
                pairs(&[("a", "4"), ("b", "5"), ("c", "6")]),
            ]
        );
        assert_eq!(rows("a,b\n"), Vec::<Vec<(String, String)>>::new());
        assert_eq!(
            rows("a,b\r\n1,2\r\n"),
            vec![pairs(&[("a", "1"), ("b", "2")])]
        );
        assert_eq!(rows("a,b\n,\n"), vec![pairs(&[("a", ""), ("b", "")])]);
        // Spaces are data; blank lines are skipped.
        assert_eq!(
            rows("\n\na, b\n\n 1 ,2\n\n"),
            vec![pairs(&[(" b", "2"), ("a", " 1 ")])]
        );
    }

    #[test]
    fn quoted_fields_escape_and_span_lines() {
        assert_eq!(
            rows("a,b\n\"x, \"\"y\"\"\",\"line1\r\nline2\"\n"),
            vec![pairs(&[("a", "x, \"y\""), ("b", "line1\nline2")])]
        );
        assert_eq!(rows("\"a\"\n\"\""), vec![pairs(&[("a", "")])]);
    }

    #[test]
    fn errors_are_worded_like_terraform() {
        assert_eq!(decode("").unwrap_err(), "missing header line");
        assert_eq!(decode("\n\n").unwrap_err(), "missing header line");
        assert_eq!(
            decode("a,b\n1,2\n3\n").unwrap_err(),
            "CSV parse error on line 3: wrong number of fields"
        );
        assert_eq!(
            decode("a,b\n1,2,3").unwrap_err(),
            "CSV parse error on line 2: wrong number of fields"
        );
        assert_eq!(
            decode("a,a\n1,2").unwrap_err(),
            "duplicate column name \"a\""
        );
        assert_eq!(
            decode("a\nx\"y\n").unwrap_err(),
            "CSV parse error on line 2: bare \" in non-quoted-field"
        );
        assert_eq!(
            decode("a\n\"x\"y\n").unwrap_err(),
            "CSV parse error on line 2: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            decode("a\n\"x\n\ny").unwrap_err(),
            "CSV parse error on line 4: extraneous or missing \" in quoted-field"
        );
    }
}
