//! `data "cloudinit_config"` (hashicorp/cloudinit) and `data "template_cloudinit_config"` (the
//! deprecated hashicorp/template provider's): `part` blocks rendered into one cloud-init MIME
//! multi-part document, gzipped and base64-encoded by default. No AWS: evaluation renders it
//! ([`DataSource::read_locally`]), so `rendered` is known while planning and flows into user
//! data.
//!
//! The document is byte for byte the providers' (Go's `mime/multipart` writer: the
//! `Content-Type` and `MIME-Version` lines, each part's headers sorted by name in Go's
//! canonical spelling, `\r\n` line ends). Gzipped output is a valid gzip of the same document
//! with the same header (no name, no time, OS "unknown") but another compressor's deflate
//! stream than Go's, so its bytes differ from Terraform's. The id is the CRC-32 of `rendered`
//! in decimal, as the providers make it.

use std::io::Write;

use async_trait::async_trait;
use base64::Engine;

use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::AwsClients;
use crate::aws::{DataDeclaration, DataSource, LocalRead};
use crate::diag::Diagnostic;
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::{attrs, BlockSchema, Schema};

/// The cloudinit provider's data source.
pub struct CloudinitConfig;

/// The template provider's data source (the cloudinit provider's ancestor): no `boundary`,
/// and a part's unset `content_type` stays null in its value.
pub struct TemplateCloudinitConfig;

static CLOUDINIT_TYPE: DataDeclaration = DataDeclaration::new("cloudinit_config", &CLOUDINIT);
static TEMPLATE_TYPE: DataDeclaration =
    DataDeclaration::new("template_cloudinit_config", &TEMPLATE);

static CLOUDINIT: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id rendered;
        optional_computed Bool: gzip.default(Default::Bool(true))
            base64_encode.default(Default::Bool(true));
        optional_computed String: boundary.default(Default::Str(BOUNDARY));
    ],
    blocks: &[BlockSchema::list(
        "part",
        attrs![
            optional_computed String: content_type.default(Default::Str(TEXT_PLAIN));
            required String: content;
            optional String: filename merge_type;
        ],
    )],
};

static TEMPLATE: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id rendered;
        optional Bool: gzip.default(Default::Bool(true))
            base64_encode.default(Default::Bool(true));
    ],
    blocks: &[BlockSchema::list(
        "part",
        attrs![
            optional String: content_type;
            required String: content;
            optional String: filename merge_type;
        ],
    )
    .min_items(1)],
};

const BOUNDARY: &str = "MIMEBOUNDARY";
const TEXT_PLAIN: &str = "text/plain";

/// One `part` block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Part {
    pub content_type: String,
    pub content: String,
    pub filename: String,
    pub merge_type: String,
}

/// The MIME multi-part document of `parts`, as the providers write it with Go's
/// `mime/multipart` (empty `content_type`s are `text/plain`).
pub fn mime_document(boundary: &str, parts: &[Part]) -> String {
    let mut out = format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\nMIME-Version: 1.0\r\n\r\n"
    );
    for (i, p) in parts.iter().enumerate() {
        out.push_str(if i == 0 { "--" } else { "\r\n--" });
        out.push_str(boundary);
        out.push_str("\r\n");
        // Go writes the headers sorted by their canonical names.
        let content_type = if p.content_type.is_empty() {
            TEXT_PLAIN
        } else {
            &p.content_type
        };
        if !p.filename.is_empty() {
            out.push_str(&format!(
                "Content-Disposition: attachment; filename=\"{}\"\r\n",
                p.filename
            ));
        }
        out.push_str("Content-Transfer-Encoding: 7bit\r\n");
        out.push_str(&format!("Content-Type: {content_type}\r\n"));
        out.push_str("Mime-Version: 1.0\r\n");
        if !p.merge_type.is_empty() {
            out.push_str(&format!("X-Merge-Type: {}\r\n", p.merge_type));
        }
        out.push_str("\r\n");
        out.push_str(&p.content);
    }
    out.push_str(&format!("\r\n--{boundary}--\r\n"));
    out
}

/// Go's `multipart.Writer.SetBoundary` rules: 1 to 70 characters of RFC 2046's set, not
/// ending in a space.
fn check_boundary(boundary: &str) -> std::result::Result<(), String> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err("mime: invalid boundary length".into());
    }
    let ok = |(i, c): (usize, char)| {
        c.is_ascii_alphanumeric()
            || "'()+_,-./:=?".contains(c)
            || c == ' ' && i + 1 < boundary.len()
    };
    if !boundary.chars().enumerate().all(ok) {
        return Err("mime: invalid boundary character".into());
    }
    Ok(())
}

/// `rendered`: the document, gzipped if asked, base64-encoded if asked.
pub fn render(
    boundary: &str,
    parts: &[Part],
    gzip: bool,
    base64_encode: bool,
) -> std::result::Result<String, String> {
    check_boundary(boundary)?;
    let document = mime_document(boundary, parts);
    let bytes = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder
            .write_all(document.as_bytes())
            .and_then(|()| encoder.finish())
            .map_err(|e| format!("gzip: {e}"))?
    } else {
        document.into_bytes()
    };
    Ok(if base64_encode {
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    } else {
        // Not gzipped (gzip needs base64_encode): the document itself.
        String::from_utf8(bytes).map_err(|e| e.to_string())?
    })
}

/// What differs between the two data sources.
struct Flavour {
    name: &'static str,
    /// Has `boundary`, and records a part's default `content_type`.
    cloudinit: bool,
    gzip_without_base64: &'static str,
}

const CLOUDINIT_FLAVOUR: Flavour = Flavour {
    name: "cloudinit_config",
    cloudinit: true,
    gzip_without_base64: "Expected base64_encode to be set to true when gzip is true.",
};

const TEMPLATE_FLAVOUR: Flavour = Flavour {
    name: "template_cloudinit_config",
    cloudinit: false,
    gzip_without_base64: "base64_encode is mandatory when gzip is enabled",
};

/// The data source's value for `config` (the arguments as evaluated): every attribute, the
/// defaults filled in, `rendered` and `id` unknown while an argument is.
fn read_config(flavour: &Flavour, config: &Value) -> std::result::Result<Value, String> {
    let m = config.as_map().cloned().unwrap_or_default();
    let get = |name: &str| m.get(name).cloned().unwrap_or(Value::Null);
    let or_default = |v: Value, d: Value| if v.is_null() { d } else { v };
    let gzip = or_default(get("gzip"), Value::Bool(true));
    let base64_encode = or_default(get("base64_encode"), Value::Bool(true));
    let boundary = or_default(get("boundary"), Value::string(BOUNDARY));
    let parts_value = match get("part").unmarked() {
        Value::List(items) | Value::Set(items) => items.clone(),
        Value::Map(_) => vec![get("part")],
        _ => Vec::new(),
    };
    let parts_value: Vec<Value> = parts_value
        .into_iter()
        .map(|p| {
            let pm = p.as_map().cloned().unwrap_or_default();
            let field = |name: &str| pm.get(name).cloned().unwrap_or(Value::Null);
            let content_type = match field("content_type") {
                v if flavour.cloudinit && (v.is_null() || v.as_str() == Some("")) => {
                    Value::string(TEXT_PLAIN)
                }
                v => v,
            };
            Value::map([
                ("content_type", content_type),
                ("content", field("content")),
                ("filename", field("filename")),
                ("merge_type", field("merge_type")),
            ])
        })
        .collect();
    if parts_value.is_empty() {
        return Err("No parts found: at least one part block is required.".into());
    }
    let mut out = Value::map([
        ("id", Value::Unknown),
        ("rendered", Value::Unknown),
        ("gzip", gzip.clone()),
        ("base64_encode", base64_encode.clone()),
        ("part", Value::List(parts_value.clone())),
    ]);
    if flavour.cloudinit {
        if let Value::Map(o) = &mut out {
            o.insert("boundary".into(), boundary.clone());
        }
    }
    let inputs = [&gzip, &base64_encode, &boundary];
    let all_known = inputs.iter().all(|v| v.is_wholly_known())
        && parts_value.iter().all(Value::is_wholly_known);
    if !all_known {
        return Ok(out);
    }
    let sensitive = inputs.iter().any(|v| v.contains_sensitive())
        || parts_value.iter().any(Value::contains_sensitive);
    let text =
        |v: &Value| -> String { v.clone().unmark_deep().0.as_str().unwrap_or("").to_string() };
    let flag = |v: &Value| v.clone().unmark_deep().0.as_bool().unwrap_or(true);
    let (gzip, base64_encode) = (flag(&gzip), flag(&base64_encode));
    if gzip && !base64_encode {
        return Err(flavour.gzip_without_base64.into());
    }
    let parts: Vec<Part> = parts_value
        .iter()
        .map(|p| {
            let pm = p.as_map().cloned().unwrap_or_default();
            let field = |name: &str| pm.get(name).map(text).unwrap_or_default();
            Part {
                content_type: field("content_type"),
                content: field("content"),
                filename: field("filename"),
                merge_type: field("merge_type"),
            }
        })
        .collect();
    let rendered = render(&text(&boundary), &parts, gzip, base64_encode)?;
    let id = crc32fast::hash(rendered.as_bytes()).to_string();
    if let Value::Map(o) = &mut out {
        o.insert("id".into(), Value::string(id));
        o.insert(
            "rendered".into(),
            Value::string(rendered).mark_sensitive(sensitive),
        );
    }
    Ok(out)
}

fn located(flavour: &Flavour, config: &Value) -> std::result::Result<Value, Diagnostic> {
    read_config(flavour, config)
        .map_err(|why| Diagnostic::error(format!("Invalid {} configuration", flavour.name), why))
}

fn api_error(d: Diagnostic) -> ApiError {
    ApiError::new(ErrorKind::Invalid, d.summary.clone(), d.detail.clone())
}

#[async_trait]
impl DataSource for CloudinitConfig {
    fn declaration(&self) -> &'static DataDeclaration {
        &CLOUDINIT_TYPE
    }

    fn read_locally(
        &self,
        config: &Value,
        _: &LocalRead<'_>,
    ) -> Option<std::result::Result<Value, Diagnostic>> {
        Some(located(&CLOUDINIT_FLAVOUR, config))
    }

    async fn read(&self, _: &AwsClients, config: &Value) -> Result<Value> {
        located(&CLOUDINIT_FLAVOUR, config).map_err(api_error)
    }
}

#[async_trait]
impl DataSource for TemplateCloudinitConfig {
    fn declaration(&self) -> &'static DataDeclaration {
        &TEMPLATE_TYPE
    }

    fn read_locally(
        &self,
        config: &Value,
        _: &LocalRead<'_>,
    ) -> Option<std::result::Result<Value, Diagnostic>> {
        Some(located(&TEMPLATE_FLAVOUR, config))
    }

    async fn read(&self, _: &AwsClients, config: &Value) -> Result<Value> {
        located(&TEMPLATE_FLAVOUR, config).map_err(api_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(content_type: &str, content: &str, filename: &str, merge_type: &str) -> Part {
        Part {
            content_type: content_type.into(),
            content: content.into(),
            filename: filename.into(),
            merge_type: merge_type.into(),
        }
    }

    /// The expected outputs of the cloudinit provider's own acceptance tests
    /// (`TestConfigDataSourceRender`), byte for byte.
    #[test]
    fn documents_are_the_providers_byte_for_byte() {
        let plain = |boundary: &str, parts: &[Part]| render(boundary, parts, false, false).unwrap();
        assert_eq!(
            plain("MIMEBOUNDARY", &[part("text/x-shellscript", "baz", "", "")]),
            "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\nbaz\r\n--MIMEBOUNDARY--\r\n"
        );
        assert_eq!(
            plain("MIMEBOUNDARY", &[part("", "baz", "", "")]),
            "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/plain\r\nMime-Version: 1.0\r\n\r\nbaz\r\n--MIMEBOUNDARY--\r\n"
        );
        assert_eq!(
            plain("MIMEBOUNDARY", &[part("text/x-shellscript", "baz", "foobar.sh", "")]),
            "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename=\"foobar.sh\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\nbaz\r\n--MIMEBOUNDARY--\r\n"
        );
        assert_eq!(
            plain(
                "MIMEBOUNDARY",
                &[
                    part("text/x-shellscript", "baz", "", ""),
                    part("text/x-shellscript", "ffbaz", "", "")
                ]
            ),
            "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\nbaz\r\n--MIMEBOUNDARY\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\nffbaz\r\n--MIMEBOUNDARY--\r\n"
        );
        assert_eq!(
            plain("//", &[part("text/x-shellscript", "baz", "", "")]),
            "Content-Type: multipart/mixed; boundary=\"//\"\nMIME-Version: 1.0\r\n\r\n--//\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\nbaz\r\n--//--\r\n"
        );
        assert_eq!(
            plain(
                "MIMEBOUNDARY",
                &[
                    part("text/x-shellscript", "foo1", "foofile1.txt", "list()+dict()+str()"),
                    part("text/x-shellscript", "bar1", "barfile1.txt", "list()+dict()+str()")
                ]
            ),
            "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename=\"foofile1.txt\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\nX-Merge-Type: list()+dict()+str()\r\n\r\nfoo1\r\n--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename=\"barfile1.txt\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\nX-Merge-Type: list()+dict()+str()\r\n\r\nbar1\r\n--MIMEBOUNDARY--\r\n"
        );
        assert_eq!(
            render("MIMEBOUNDARY", &[part("text/x-shellscript", "heythere", "", "")], false, true)
                .unwrap(),
            "Q29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5PSJNSU1FQk9VTkRBUlkiCk1JTUUtVmVyc2lvbjogMS4wDQoNCi0tTUlNRUJPVU5EQVJZDQpDb250ZW50LVRyYW5zZmVyLUVuY29kaW5nOiA3Yml0DQpDb250ZW50LVR5cGU6IHRleHQveC1zaGVsbHNjcmlwdA0KTWltZS1WZXJzaW9uOiAxLjANCg0KaGV5dGhlcmUNCi0tTUlNRUJPVU5EQVJZLS0NCg=="
        );
    }

    /// Gzipped: the provider's test expects Go's deflate bytes; ours decompress to the same
    /// document, behind the same gzip header.
    #[test]
    fn gzipped_documents_hold_the_same_document() {
        let parts = [part("text/x-shellscript", "heythere", "", "")];
        let ours = render("MIMEBOUNDARY", &parts, true, true).unwrap();
        let theirs = "H4sIAAAAAAAA/2TNuwrCQBCF4X5h32FJP0YrIWLhJYVFFEQFy1xGM5DMhtkJJG8vWkjQ8sDP+XaeFVnhMnaYuLZvlLpcNG5pwGrlCt9zlcu4jrJDlm5P1+N+c75H5r3ghhLIc+IWs7k11gBMI2u+35JzeKBAyqWviJ+JWxakk+CDKw4aDxBqbJpQCnVqTUYt/jk1jlqj4K8IYM0rAAD//0u6BO3QAAAA";
        let gunzip = |b64: &str| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            let mut out = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut out)
                .unwrap();
            (bytes, out)
        };
        let (our_bytes, our_doc) = gunzip(&ours);
        let (their_bytes, their_doc) = gunzip(theirs);
        assert_eq!(our_doc, their_doc);
        assert_eq!(our_doc, mime_document("MIMEBOUNDARY", &parts));
        assert_eq!(our_bytes[..10], their_bytes[..10], "the gzip header");
        // The trailer: CRC-32 and length of the document.
        assert_eq!(
            our_bytes[our_bytes.len() - 8..],
            their_bytes[their_bytes.len() - 8..]
        );
    }

    #[test]
    fn values_have_the_defaults_and_the_crc_as_id() {
        let config = Value::map([(
            "part",
            Value::List(vec![Value::map([("content", Value::string("baz"))])]),
        )]);
        let got = read_config(&CLOUDINIT_FLAVOUR, &config).unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["gzip"], Value::Bool(true));
        assert_eq!(m["boundary"], Value::string("MIMEBOUNDARY"));
        let part = &m["part"].as_list().unwrap()[0];
        assert_eq!(
            part.as_map().unwrap()["content_type"],
            Value::string("text/plain")
        );
        let rendered = m["rendered"].as_str().unwrap();
        assert_eq!(
            m["id"],
            Value::string(crc32fast::hash(rendered.as_bytes()).to_string())
        );
        // The template provider keeps the part as written, and has no boundary.
        let got = read_config(&TEMPLATE_FLAVOUR, &config).unwrap();
        let m = got.as_map().unwrap();
        assert!(!m.contains_key("boundary"));
        assert_eq!(
            m["part"].as_list().unwrap()[0].as_map().unwrap()["content_type"],
            Value::Null
        );
        // Unknown content: unknown until apply.
        let config = Value::map([(
            "part",
            Value::List(vec![Value::map([("content", Value::Unknown)])]),
        )]);
        let got = read_config(&CLOUDINIT_FLAVOUR, &config).unwrap();
        assert_eq!(got.as_map().unwrap()["rendered"], Value::Unknown);
        // Sensitive content: a sensitive document.
        let config = Value::map([
            ("gzip", Value::Bool(false)),
            (
                "part",
                Value::List(vec![Value::map([(
                    "content",
                    Value::string("secret").mark_sensitive(true),
                )])]),
            ),
        ]);
        let got = read_config(&CLOUDINIT_FLAVOUR, &config).unwrap();
        assert!(got.as_map().unwrap()["rendered"].contains_sensitive());
    }

    #[test]
    fn mistakes_are_refused() {
        let config = |gzip: bool, b64: bool, boundary: &str| {
            Value::map([
                ("gzip", Value::Bool(gzip)),
                ("base64_encode", Value::Bool(b64)),
                ("boundary", Value::string(boundary)),
                (
                    "part",
                    Value::List(vec![Value::map([("content", Value::string("x"))])]),
                ),
            ])
        };
        let e = read_config(&CLOUDINIT_FLAVOUR, &config(true, false, "B")).unwrap_err();
        assert!(e.contains("base64_encode"), "{e}");
        let e = read_config(&TEMPLATE_FLAVOUR, &config(true, false, "B")).unwrap_err();
        assert!(e.contains("mandatory"), "{e}");
        let e = read_config(&CLOUDINIT_FLAVOUR, &config(false, false, "a\"b")).unwrap_err();
        assert!(e.contains("invalid boundary character"), "{e}");
        let e = read_config(&CLOUDINIT_FLAVOUR, &config(false, false, "b ")).unwrap_err();
        assert!(e.contains("invalid boundary"), "{e}");
        let e = read_config(&CLOUDINIT_FLAVOUR, &Value::map::<&str>([])).unwrap_err();
        assert!(e.contains("No parts"), "{e}");
    }
}
