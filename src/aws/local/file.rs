//! `local_file` (hashicorp/local 2.x), the resource and the data source.
//!
//! The resource writes `filename` (creating missing parent directories with
//! `directory_permission`) with `content`, `sensitive_content` (deprecated in the provider,
//! sensitive), `content_base64` (decoded) or the bytes of the file `source`, mode
//! `file_permission` (before the umask; both default to "0777"). Its id is the SHA-1 of the
//! bytes, with the provider's other digests beside it. Every argument forces a new file. At
//! refresh a file that is gone, or whose bytes no longer have the recorded SHA-1 (changed
//! outside ecsform), is gone, and the plan writes it again, as the provider's Read does.
//! Delete removes the file (already gone is success). The provider cannot import the type,
//! and neither can ecsform.
//!
//! The data source reads `filename` during evaluation: its `content` (invalid UTF-8 replaced
//! with U+FFFD), `content_base64` and the same digests; a file that cannot be read is the
//! provider's error, located at the data block.
//!
//! The provider checks "exactly one of" the four content arguments and the permissions' form
//! when it plans; ecsform checks them when the file is written, with the provider's words.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use async_trait::async_trait;
use base64::Engine;

use super::{conformed, failed, resolve, with, Checksums};
use crate::aws::error::{ApiError, Result};
use crate::aws::resource_type::States;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, DataDeclaration, DataSource, Declaration,
    LocalRead, Owner, ResourceType,
};
use crate::diag::Diagnostic;
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::get_str;
use crate::provider::{attrs, Schema};

/// The resource.
pub struct LocalFile;

/// The data source.
pub struct LocalFileData;

static TYPE: Declaration = Declaration::new("local_file", &SCHEMA, Adoption::NotInAws);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        required String: filename.force_new();
        optional String: content.force_new() content_base64.force_new() source.force_new();
        optional String: sensitive_content.force_new().sensitive();
        optional_computed String: file_permission.force_new().default(Default::Str("0777"))
            directory_permission.force_new().default(Default::Str("0777"));
        computed String: id content_md5 content_sha1 content_sha256 content_base64sha256
            content_sha512 content_base64sha512;
    ],
    blocks: &[],
};

static DATA_TYPE: DataDeclaration = DataDeclaration::new("local_file", &DATA_SCHEMA);

static DATA_SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        required String: filename;
        computed String: id content content_base64 content_md5 content_sha1 content_sha256
            content_base64sha256 content_sha512 content_base64sha512;
    ],
    blocks: &[],
};

/// The content arguments, of which exactly one must be set, in the provider's order.
const CONTENT_ARGUMENTS: [&str; 4] = ["content", "sensitive_content", "content_base64", "source"];

const CREATE_ERROR: &str = "Create local file error";

/// The file's bytes for `planned`'s content argument; `dir` resolves `source`.
fn content_of(planned: &Value, dir: &Path) -> Result<Vec<u8>> {
    let set: Vec<&str> = CONTENT_ARGUMENTS
        .into_iter()
        .filter(|a| get_str(planned, a).is_some())
        .collect();
    if set.len() != 1 {
        let found = if set.is_empty() {
            "No attribute specified".to_string()
        } else {
            format!("{} attributes specified", set.len())
        };
        return Err(failed(
            "Invalid Attribute Combination",
            format!(
                "{found} when one (and only one) of [{}] is required",
                CONTENT_ARGUMENTS.join(",")
            ),
        ));
    }
    let value = get_str(planned, set[0]).unwrap_or_default();
    match set[0] {
        "content_base64" => base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|e| {
                failed(
                    CREATE_ERROR,
                    format!("An unexpected error occurred while parsing local file content: {e}"),
                )
            }),
        "source" => std::fs::read(resolve(dir, value)).map_err(|e| {
            failed(
                CREATE_ERROR,
                format!("An unexpected error occurred while parsing local file content: open {value}: {e}"),
            )
        }),
        _ => Ok(value.as_bytes().to_vec()),
    }
}

/// A permission argument ("0644"): three or four octal digits, as the provider's
/// file-permission type accepts.
fn permission(planned: &Value, name: &str) -> Result<u32> {
    let text = get_str(planned, name).unwrap_or("0777");
    let valid = (3..=4).contains(&text.len()) && text.chars().all(|c| ('0'..='7').contains(&c));
    match u32::from_str_radix(text, 8) {
        Ok(mode) if valid => Ok(mode),
        _ => Err(failed(
            "Invalid File Permission String Value",
            format!(
                "{name}: {text:?} is not a valid file permission: it must be a string of 3 or 4 octal digits (\"0644\")"
            ),
        )),
    }
}

/// Writes `path` with `bytes` as the provider does: missing parent directories first (mode
/// `dir_mode`), then the file (mode `file_mode` when it is new; an existing file keeps its
/// mode, as Go's `os.WriteFile` keeps it).
fn write_file(path: &Path, bytes: &[u8], file_mode: u32, dir_mode: u32) -> Result<()> {
    #[cfg(unix)]
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            builder.mode(dir_mode);
            #[cfg(not(unix))]
            let _ = dir_mode;
            builder.create(parent).map_err(|e| {
                failed(
                    CREATE_ERROR,
                    format!(
                        "An unexpected error occurred while creating file directory {}: {e}",
                        parent.display()
                    ),
                )
            })?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(file_mode);
    #[cfg(not(unix))]
    let _ = file_mode;
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| {
            failed(
                CREATE_ERROR,
                format!(
                    "An unexpected error occurred while writing the file {}: {e}",
                    path.display()
                ),
            )
        })
}

#[async_trait]
impl ResourceType for LocalFile {
    fn declaration(&self) -> &'static Declaration {
        &TYPE
    }

    /// Each recorded file as it is: as recorded when its bytes still have the recorded SHA-1,
    /// gone otherwise (the provider's Read).
    fn reads_recorded(&self) -> bool {
        true
    }

    async fn read_recorded(
        &self,
        clients: &AwsClients,
        recorded: &[Value],
    ) -> Result<Vec<Option<Value>>> {
        recorded
            .iter()
            .map(|object| {
                let path = resolve(
                    &clients.working_dir,
                    get_str(object, "filename").unwrap_or(""),
                );
                let bytes = match std::fs::read(&path) {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => {
                        return Err(failed(
                            "Read local file error",
                            format!(
                                "An unexpected error occurred while reading the file {}: {e}",
                                path.display()
                            ),
                        ))
                    }
                };
                let intact = Some(Checksums::of(&bytes).sha1.as_str()) == get_str(object, "id");
                Ok(intact.then(|| object.clone()))
            })
            .collect()
    }

    async fn read_many(&self, _: &AwsClients, _: &[String]) -> Result<States> {
        // Refresh reads the files by their recorded paths (`read_recorded`); an id alone
        // does not name a file.
        Ok(BTreeMap::new())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let dir = &ctx.clients.working_dir;
        let bytes = content_of(planned, dir)?;
        let file_mode = permission(planned, "file_permission")?;
        let dir_mode = permission(planned, "directory_permission")?;
        let path = resolve(dir, get_str(planned, "filename").unwrap_or(""));
        write_file(&path, &bytes, file_mode, dir_mode)?;
        let sums = Checksums::of(&bytes);
        let mut given = sums.attributes("content_", "content_sha1");
        given.push(("id".into(), Value::string(&sums.sha1)));
        Ok(with(planned, given))
    }

    async fn find_created(
        &self,
        _: &AwsClients,
        _: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        Ok(Vec::new())
    }

    /// Every argument forces a new file: nothing changes in place.
    async fn update(&self, _: &CallContext<'_>, _: &Value, planned: &Value) -> Result<Value> {
        Ok(planned.clone())
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let path = resolve(
            &ctx.clients.working_dir,
            get_str(prior, "filename").unwrap_or(""),
        );
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(failed(
                "Delete local file error",
                format!("{}: {e}", path.display()),
            )),
        }
    }

    /// As in the provider: there is no import.
    fn importable(&self) -> bool {
        false
    }
}

#[async_trait]
impl DataSource for LocalFileData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DATA_TYPE
    }

    fn read_locally(
        &self,
        config: &Value,
        ctx: &LocalRead<'_>,
    ) -> Option<Result<Value, Diagnostic>> {
        Some(conformed(self.schema(), config).and_then(|c| read_data(&c, ctx.root_dir)))
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        read_data(config, &clients.working_dir).map_err(|d| {
            ApiError::new(
                crate::aws::error::ErrorKind::Invalid,
                d.summary.clone(),
                d.detail.clone(),
            )
        })
    }
}

/// The data source's value for `config`: unknown results while `filename` is.
fn read_data(config: &Value, dir: &Path) -> Result<Value, Diagnostic> {
    let filename = config.as_map().and_then(|m| m.get("filename"));
    let computed = [
        "id",
        "content",
        "content_base64",
        "content_md5",
        "content_sha1",
        "content_sha256",
        "content_base64sha256",
        "content_sha512",
        "content_base64sha512",
    ];
    let Some(name) = filename
        .filter(|f| f.is_known())
        .and_then(|f| f.unmarked().as_str())
    else {
        return Ok(with(
            config,
            computed.map(|c| (c.to_string(), Value::Unknown)),
        ));
    };
    let bytes = std::fs::read(resolve(dir, name)).map_err(|e| {
        Diagnostic::error(
            "Read local file data source error",
            format!("The file at given path cannot be read.\n\nOriginal Error: open {name}: {e}"),
        )
    })?;
    let sums = Checksums::of(&bytes);
    let mut given = sums.attributes("content_", "content_sha1");
    given.push(("id".into(), Value::string(&sums.sha1)));
    given.push((
        "content".into(),
        Value::string(String::from_utf8_lossy(&bytes)),
    ));
    given.push((
        "content_base64".into(),
        Value::string(base64::engine::general_purpose::STANDARD.encode(&bytes)),
    ));
    Ok(with(config, given))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(pairs: &[(&str, &str)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::string(*v)))
                .collect(),
        )
    }

    #[test]
    fn exactly_one_content_argument_is_taken() {
        let dir = Path::new(".");
        assert_eq!(
            content_of(&planned(&[("content", "a")]), dir).unwrap(),
            b"a"
        );
        assert_eq!(
            content_of(&planned(&[("content_base64", "aGk=")]), dir).unwrap(),
            b"hi"
        );
        assert_eq!(
            content_of(&planned(&[("sensitive_content", "s")]), dir).unwrap(),
            b"s"
        );
        let none = content_of(&planned(&[]), dir).unwrap_err();
        assert_eq!(none.code, "Invalid Attribute Combination");
        assert!(none.message.starts_with("No attribute specified when one (and only one) of [content,sensitive_content,content_base64,source]"), "{}", none.message);
        let two = content_of(&planned(&[("content", "a"), ("source", "b")]), dir).unwrap_err();
        assert!(
            two.message.starts_with("2 attributes specified"),
            "{}",
            two.message
        );
    }

    #[test]
    fn permissions_are_three_or_four_octal_digits() {
        assert_eq!(
            permission(&planned(&[("file_permission", "0644")]), "file_permission").unwrap(),
            0o644
        );
        assert_eq!(
            permission(&planned(&[("file_permission", "600")]), "file_permission").unwrap(),
            0o600
        );
        assert_eq!(permission(&planned(&[]), "file_permission").unwrap(), 0o777);
        for bad in ["0888", "64", "06440", "rw-"] {
            let e =
                permission(&planned(&[("file_permission", bad)]), "file_permission").unwrap_err();
            assert!(
                e.message.contains("3 or 4 octal digits"),
                "{bad}: {}",
                e.message
            );
        }
    }

    #[test]
    fn the_data_source_reads_a_file_and_waits_for_an_unknown_name() {
        let dir = std::env::temp_dir().join(format!("ecsform-local-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.bin"), [0x68, 0x69, 0xff]).unwrap();
        let got = read_data(&planned(&[("filename", "a.bin")]), &dir).unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["content"], Value::string("hi\u{fffd}"));
        assert_eq!(m["content_base64"], Value::string("aGn/"));
        assert_eq!(m["id"], m["content_sha1"]);
        let unknown = read_data(&Value::map([("filename", Value::Unknown)]), &dir).unwrap();
        assert_eq!(unknown.as_map().unwrap()["content"], Value::Unknown);
        let e = read_data(&planned(&[("filename", "missing")]), &dir).unwrap_err();
        assert_eq!(e.summary, "Read local file data source error");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
