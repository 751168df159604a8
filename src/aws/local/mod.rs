//! Types whose objects are files on this machine, built in: the local provider's
//! (hashicorp/local 2.x) resource and data source `local_file` ([`file`]) and the archive
//! provider's (hashicorp/archive 2.x) data source and resource `archive_file` ([`archive`]).
//! Nothing of theirs is in AWS: the resource types read their files back at refresh
//! ([`crate::aws::ResourceType::read_recorded`]) and the data sources are read during
//! evaluation ([`crate::aws::DataSource::read_locally`]), so their values are known while
//! planning. Relative paths resolve against the working directory (after `-chdir`), as
//! Terraform's providers resolve them against theirs.
//!
//! What the two providers share lives here: the digests they report of a file's bytes, and
//! path resolution.

pub mod archive;
pub mod file;

use std::path::{Path, PathBuf};

use base64::Engine;
use md5::Md5;
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha512};

use crate::aws::error::{ApiError, ErrorKind};
use crate::lang::Value;

/// The digests both providers report of a file's bytes (their `genFileChecksums`): MD5, SHA-1,
/// SHA-256 and SHA-512 in hexadecimal, and SHA-256 and SHA-512 in base64.
#[derive(Clone, Debug, PartialEq)]
pub struct Checksums {
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    pub base64sha256: String,
    pub sha512: String,
    pub base64sha512: String,
}

impl Checksums {
    pub fn of(data: &[u8]) -> Checksums {
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let sha256 = Sha256::digest(data);
        let sha512 = Sha512::digest(data);
        Checksums {
            md5: hex::encode(Md5::digest(data)),
            sha1: hex::encode(Sha1::digest(data)),
            sha256: hex::encode(sha256),
            base64sha256: b64(&sha256),
            sha512: hex::encode(sha512),
            base64sha512: b64(&sha512),
        }
    }

    /// The digests as attributes, each named `prefix` + its provider's suffix (`content_md5`,
    /// `output_base64sha256`); `sha1` is named `sha1_name` (`content_sha1`, `output_sha`).
    pub fn attributes(&self, prefix: &str, sha1_name: &str) -> Vec<(String, Value)> {
        vec![
            (format!("{prefix}md5"), Value::string(&self.md5)),
            (sha1_name.to_string(), Value::string(&self.sha1)),
            (format!("{prefix}sha256"), Value::string(&self.sha256)),
            (
                format!("{prefix}base64sha256"),
                Value::string(&self.base64sha256),
            ),
            (format!("{prefix}sha512"), Value::string(&self.sha512)),
            (
                format!("{prefix}base64sha512"),
                Value::string(&self.base64sha512),
            ),
        ]
    }
}

/// `path` as the working directory `dir` resolves it: an absolute path as it is.
pub fn resolve(dir: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// A failure of the provider's `summary` kind ("Create local file error"), with its detail:
/// the error's code is the summary, as the providers' diagnostics name it.
pub(crate) fn failed(summary: &str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Invalid, summary, detail.to_string())
}

/// A locally read data source's configuration in its complete schema's shape: what ecsform
/// does not support yet refused, as the conformance of other data sources refuses it.
pub(crate) fn conformed(
    schema: &crate::provider::Schema,
    config: &Value,
) -> Result<Value, crate::diag::Diagnostic> {
    schema.conform(config).map_err(|errors| {
        let e = &errors[0];
        crate::diag::Diagnostic::error(e.summary.clone(), e.detail.clone())
    })
}

/// `object` with `given` set.
pub(crate) fn with(object: &Value, given: impl IntoIterator<Item = (String, Value)>) -> Value {
    let mut m = object.as_map().cloned().unwrap_or_default();
    for (k, v) in given {
        m.insert(k, v);
    }
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_are_the_providers_encodings() {
        let c = Checksums::of(b"hello");
        assert_eq!(c.md5, "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(c.sha1, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
        assert_eq!(
            c.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(
            c.base64sha256,
            "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
        );
        assert!(c.base64sha512.ends_with("=="), "{}", c.base64sha512);
        assert_eq!(c.sha512.len(), 128);
    }

    #[test]
    fn relative_paths_resolve_against_the_working_directory() {
        assert_eq!(
            resolve(Path::new("/w"), "./out/a.txt"),
            Path::new("/w/./out/a.txt")
        );
        assert_eq!(resolve(Path::new("/w"), "/tmp/a"), Path::new("/tmp/a"));
    }
}
