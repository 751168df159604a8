//! `archive_file` (hashicorp/archive 2.x), the data source and the resource: a zip archive
//! of `source_file`, of the files under `source_dir` (less `excludes`, glob patterns on the
//! path relative to the directory, `**` included; an excluded directory is skipped whole), of
//! `source_content` named `source_content_filename`, or of `source` blocks, written to
//! `output_path` (its directory created), with the size and digests of the archive.
//!
//! The archive is deterministic, so that `source_code_hash =
//! data.archive_file.x.output_base64sha256` stays the same from run to run while the sources
//! do: entries in a fixed order (a directory's files in the order Go's `filepath.Walk` visits
//! them, names sorted in each directory; `source` blocks sorted by file name), every entry
//! deflated and dated 1980-01-01 00:00 (as the provider dates them: Go's zero time), the mode
//! the source file has (0644 for content) unless `output_file_mode` says otherwise. Entry
//! names and modes are the provider's; the compressed bytes are another compressor's than
//! Go's, so the digests differ from Terraform's for the same sources.
//!
//! The data source is read during evaluation, so its outputs are known while planning; like
//! the provider's, it writes `output_path` then (and only when the bytes differ from what is
//! there). The resource writes it at create and, as the provider's Read does, again at
//! refresh, recording the new digests; every argument forces a new archive, and delete leaves
//! the file, as the provider's does. Neither can be imported, as in the provider.
//!
//! Only `type = "zip"`: "tar.gz" is refused as not supported yet, and so is
//! `exclude_symlink_directories` (symbolic links are followed).

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{conformed, failed, resolve, with, Checksums};
use crate::aws::error::{ApiError, Result};
use crate::aws::resource_type::States;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, DataDeclaration, DataSource, Declaration,
    LocalRead, Owner, ResourceType,
};
use crate::diag::Diagnostic;
use crate::lang::Value;
use crate::provider::values::{get_blocks, get_str, get_strings};
use crate::provider::{attrs, AttrSchema, BlockSchema, Schema};

/// The data source.
pub struct ArchiveFileData;

/// The resource.
pub struct ArchiveFile;

static DATA_TYPE: DataDeclaration = DataDeclaration::new("archive_file", &DATA_SCHEMA);
static TYPE: Declaration = Declaration::new("archive_file", &SCHEMA, Adoption::NotInAws);

static DATA_SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        required String: type output_path;
        optional String: source_content source_content_filename source_file source_dir
            output_file_mode;
        optional StringSet: excludes;
        computed Number: output_size;
        computed String: id output_md5 output_sha output_sha256 output_base64sha256
            output_sha512 output_base64sha512;
    ],
    blocks: &[BlockSchema::set("source", SOURCE)],
};

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        required String: type.force_new() output_path.force_new();
        optional String: source_content.force_new() source_content_filename.force_new()
            source_file.force_new() source_dir.force_new() output_file_mode.force_new();
        optional StringSet: excludes.force_new();
        computed Number: output_size;
        computed String: id output_md5 output_sha output_sha256 output_base64sha256
            output_sha512 output_base64sha512;
    ],
    blocks: &[BlockSchema::set("source", SOURCE_FORCE_NEW)],
};

const SOURCE: &[AttrSchema] = attrs![required String: content filename;];
const SOURCE_FORCE_NEW: &[AttrSchema] =
    attrs![required String: content.force_new() filename.force_new();];

/// The computed attributes, unknown while an argument is.
const OUTPUTS: [&str; 8] = [
    "id",
    "output_size",
    "output_md5",
    "output_sha",
    "output_sha256",
    "output_base64sha256",
    "output_sha512",
    "output_base64sha512",
];

/// One entry of the archive: its name, mode and bytes.
#[derive(Debug, PartialEq)]
struct Entry {
    name: String,
    mode: u32,
    bytes: Vec<u8>,
}

fn creation_error(detail: impl std::fmt::Display) -> ApiError {
    failed(
        "Archive creation error",
        format!("error creating archive: {detail}"),
    )
}

/// Go's `strconv.ParseUint(s, 0, 32)`, as the provider reads `output_file_mode`: "0666" is
/// octal, "0x1b6" hexadecimal, "438" decimal.
fn parse_mode(text: &str) -> Option<u32> {
    let t = text.replace('_', "");
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        u32::from_str_radix(oct, 8).ok()
    } else if let Some(bin) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        u32::from_str_radix(bin, 2).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        u32::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o666
    }
}

/// The files under `dir` in the order Go's `filepath.Walk` visits them (names sorted in each
/// directory), less those `excludes` match (a matched directory is skipped whole), named by
/// their paths relative to `root` with `/` separators.
fn walk(
    root: &Path,
    dir: &Path,
    excludes: &globset::GlobSet,
    out: &mut Vec<Entry>,
) -> std::result::Result<(), String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("error encountered during file walk: {e}"))?
        .map(|d| d.map(|d| d.path()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| format!("error encountered during file walk: {e}"))?;
    names.sort();
    for path in names {
        let rel = path
            .strip_prefix(root)
            .map_err(|e| format!("error relativizing file for archival: {e}"))?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let meta = std::fs::metadata(&path)
            .map_err(|e| format!("error encountered during file walk: {e}"))?;
        let excluded = excludes.is_match(&rel);
        if meta.is_dir() {
            if !excluded {
                walk(root, &path, excludes, out)?;
            }
            continue;
        }
        if excluded {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("error reading file for archival: {e}"))?;
        out.push(Entry {
            name: rel,
            mode: mode_of(&meta),
            bytes,
        });
    }
    Ok(())
}

/// The entries `config` asks for (all known), each path resolved against `dir`.
fn entries(config: &Value, dir: &Path) -> Result<Vec<Entry>> {
    let kinds: Vec<&str> = ["source_dir", "source_file", "source_content_filename"]
        .into_iter()
        .filter(|a| get_str(config, a).is_some())
        .chain((!get_blocks(config, "source").is_empty()).then_some("source"))
        .collect();
    match kinds.len() {
        0 => {
            return Err(failed(
                "Invalid Attribute Combination",
                "At least one attribute out of [source,source_content_filename,source_file,source_dir] must be specified",
            ))
        }
        1 => {}
        _ => {
            return Err(failed(
                "Invalid Attribute Combination",
                format!(
                    "These attributes cannot be configured together: [{}]",
                    kinds.join(",")
                ),
            ))
        }
    }
    let mut out = Vec::new();
    match kinds[0] {
        "source_dir" => {
            let given = get_str(config, "source_dir").unwrap_or_default();
            let root = resolve(dir, given);
            if !root.is_dir() {
                return Err(creation_error(format!(
                    "error archiving directory: could not archive missing directory: {given}"
                )));
            }
            let mut set = globset::GlobSetBuilder::new();
            for pattern in get_strings(config, "excludes") {
                let glob = globset::GlobBuilder::new(&pattern)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        creation_error(format!("error archiving directory: excludes: {e}"))
                    })?;
                set.add(glob);
            }
            let set = set
                .build()
                .map_err(|e| creation_error(format!("error archiving directory: {e}")))?;
            walk(&root, &root, &set, &mut out)
                .map_err(|e| creation_error(format!("error archiving directory: {e}")))?;
        }
        "source_file" => {
            let given = get_str(config, "source_file").unwrap_or_default();
            let path = resolve(dir, given);
            let read = std::fs::metadata(&path)
                .and_then(|m| {
                    if m.is_dir() {
                        Err(std::io::Error::other(format!(
                            "could not archive directory as file: {given}"
                        )))
                    } else {
                        Ok((m, std::fs::read(&path)?))
                    }
                })
                .map_err(|e| creation_error(format!("error archiving file: {e}")))?;
            out.push(Entry {
                name: Path::new(given)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                mode: mode_of(&read.0),
                bytes: read.1,
            });
        }
        "source_content_filename" => out.push(Entry {
            name: get_str(config, "source_content_filename")
                .unwrap_or_default()
                .replace('\\', "/"),
            mode: 0o644,
            bytes: get_str(config, "source_content")
                .unwrap_or_default()
                .as_bytes()
                .to_vec(),
        }),
        _ => {
            for block in get_blocks(config, "source") {
                out.push(Entry {
                    name: get_str(&block, "filename")
                        .unwrap_or_default()
                        .replace('\\', "/"),
                    mode: 0o644,
                    bytes: get_str(&block, "content")
                        .unwrap_or_default()
                        .as_bytes()
                        .to_vec(),
                });
            }
            out.sort_by(|a, b| a.name.cmp(&b.name));
            out.dedup_by(|a, b| a.name == b.name);
        }
    }
    Ok(out)
}

/// The zip archive of `entries`: deflated, dated 1980-01-01 00:00, `mode` for every entry
/// when given.
fn zip(entries: &[Entry], mode: Option<u32>) -> Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for e in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(mode.unwrap_or(e.mode));
        writer
            .start_file(e.name.as_str(), options)
            .and_then(|()| writer.write_all(&e.bytes).map_err(Into::into))
            .map_err(|err| creation_error(format!("error creating file inside archive: {err}")))?;
    }
    writer
        .finish()
        .map(std::io::Cursor::into_inner)
        .map_err(creation_error)
}

/// Builds the archive `config` describes (all known), writes it to its `output_path` unless
/// the file there has the same bytes already, and returns `config` with the outputs.
fn build(config: &Value, dir: &Path) -> Result<Value> {
    match get_str(config, "type").unwrap_or_default() {
        "zip" => {}
        "tar.gz" => {
            return Err(failed(
                "Archive creation error",
                "type = \"tar.gz\" is not supported by ecsform yet; only \"zip\" archives are",
            ))
        }
        other => {
            return Err(creation_error(format!(
                "archive type not supported: {other}"
            )))
        }
    }
    let mode = match get_str(config, "output_file_mode") {
        Some(text) if !text.is_empty() => Some(parse_mode(text).ok_or_else(|| {
            creation_error(format!("error parsing output_file_mode value: {text}"))
        })?),
        _ => None,
    };
    let bytes = zip(&entries(config, dir)?, mode)?;
    let output = get_str(config, "output_path").unwrap_or_default();
    let path = resolve(dir, output);
    if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
        if let Some(parent) = path.parent().filter(|p| !p.exists()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                failed(
                    "Output path error",
                    format!("error creating output path: {e}"),
                )
            })?;
        }
        std::fs::write(&path, &bytes).map_err(|e| creation_error(format!("open {output}: {e}")))?;
    }
    let sums = Checksums::of(&bytes);
    let mut given = sums.attributes("output_", "output_sha");
    given.push(("id".into(), Value::string(&sums.sha1)));
    given.push(("output_size".into(), Value::number(bytes.len() as f64)));
    Ok(with(config, given))
}

#[async_trait]
impl DataSource for ArchiveFileData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DATA_TYPE
    }

    fn read_locally(
        &self,
        config: &Value,
        ctx: &LocalRead<'_>,
    ) -> Option<Result<Value, Diagnostic>> {
        let arguments_known = config.is_wholly_known();
        let config = match conformed(self.schema(), config) {
            Ok(c) => c,
            Err(d) => return Some(Err(d)),
        };
        if !arguments_known {
            return Some(Ok(with(
                &config,
                OUTPUTS.map(|o| (o.to_string(), Value::Unknown)),
            )));
        }
        let (plain, _) = config.clone().unmark_deep();
        Some(
            build(&plain, ctx.root_dir)
                .map_err(|e| Diagnostic::error(e.code.clone(), e.message.clone())),
        )
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let (plain, _) = config.clone().unmark_deep();
        build(&plain, &clients.working_dir)
    }
}

#[async_trait]
impl ResourceType for ArchiveFile {
    fn declaration(&self) -> &'static Declaration {
        &TYPE
    }

    /// The provider's Read builds the archive again and records what it now is.
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
            .map(|object| build(object, &clients.working_dir).map(Some))
            .collect()
    }

    async fn read_many(&self, _: &AwsClients, _: &[String]) -> Result<States> {
        // Refresh builds the archives again from their recorded arguments (`read_recorded`).
        Ok(States::new())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let (plain, _) = planned.clone().unmark_deep();
        let built = build(&plain, &ctx.clients.working_dir)?;
        // The arguments keep their marks (a sensitive `source_content`).
        let outputs = built
            .as_map()
            .into_iter()
            .flatten()
            .filter(|(k, _)| OUTPUTS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()));
        Ok(with(planned, outputs.collect::<Vec<_>>()))
    }

    async fn find_created(
        &self,
        _: &AwsClients,
        _: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        Ok(Vec::new())
    }

    async fn update(&self, _: &CallContext<'_>, _: &Value, planned: &Value) -> Result<Value> {
        Ok(planned.clone())
    }

    /// As the provider's: the archive stays where it is.
    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<()> {
        Ok(())
    }

    fn importable(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ecsform-archive-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn output_file_mode_is_read_as_go_parses_it() {
        assert_eq!(parse_mode("0666"), Some(0o666));
        assert_eq!(parse_mode("0x1b6"), Some(0o666));
        assert_eq!(parse_mode("438"), Some(0o666));
        assert_eq!(parse_mode("0"), Some(0));
        assert_eq!(parse_mode("rw"), None);
    }

    #[test]
    fn a_directory_is_walked_in_gos_order_less_its_excludes() {
        let d = temp("walk");
        let src = d.join("src");
        for f in ["b.txt", "a/x.py", "a-c/y.py", "skip/z.txt", "a/test_x.py"] {
            let p = src.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, f).unwrap();
        }
        let c = config(&[
            ("source_dir", Value::string("src")),
            (
                "excludes",
                Value::set(vec![Value::string("skip"), Value::string("**/test_*.py")]),
            ),
        ]);
        let names: Vec<String> = entries(&c, &d)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        // Walk order: "a" (and what is under it) before "a-c", although "a-c" < "a/x.py".
        assert_eq!(names, ["a/x.py", "a-c/y.py", "b.txt"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn the_archive_is_the_same_from_run_to_run_and_readable() {
        let d = temp("same");
        std::fs::write(d.join("index.py"), "def handler(e, c):\n    return 1\n").unwrap();
        let c = config(&[
            ("type", Value::string("zip")),
            ("source_file", Value::string("index.py")),
            ("output_path", Value::string("out/fn.zip")),
            ("output_file_mode", Value::string("0666")),
        ]);
        let first = build(&c, &d).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        std::fs::remove_file(d.join("out/fn.zip")).unwrap();
        let second = build(&c, &d).unwrap();
        assert_eq!(first, second);
        let bytes = std::fs::read(d.join("out/fn.zip")).unwrap();
        let m = first.as_map().unwrap();
        assert_eq!(m["output_size"], Value::number(bytes.len() as f64));
        assert_eq!(m["output_sha"], Value::string(Checksums::of(&bytes).sha1));
        assert_eq!(m["id"], m["output_sha"]);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let file = archive.by_index(0).unwrap();
        assert_eq!(file.name().unwrap(), "index.py");
        assert_eq!(file.unix_mode().map(|m| m & 0o777), Some(0o666));
        assert_eq!(file.compression(), zip::CompressionMethod::Deflated);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn only_zip_archives_of_one_kind_of_source_are_made() {
        let d = temp("refuse");
        let tgz = config(&[
            ("type", Value::string("tar.gz")),
            ("source_content", Value::string("x")),
            ("source_content_filename", Value::string("x")),
            ("output_path", Value::string("x.tgz")),
        ]);
        assert!(build(&tgz, &d)
            .unwrap_err()
            .message
            .contains("not supported by ecsform yet"));
        let none = config(&[
            ("type", Value::string("zip")),
            ("output_path", Value::string("x.zip")),
        ]);
        assert!(build(&none, &d)
            .unwrap_err()
            .message
            .starts_with("At least one attribute out of"));
        let rar = config(&[
            ("type", Value::string("rar")),
            ("output_path", Value::string("x")),
        ]);
        assert!(build(&rar, &d)
            .unwrap_err()
            .message
            .contains("archive type not supported: rar"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
