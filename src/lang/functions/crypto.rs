//! Hash and identifier functions: `md5 sha1 sha256 sha512` (lowercase hex of the string's UTF-8
//! bytes), `base64sha256 base64sha512` (the raw digest in standard Base64), `uuid` (a random
//! version 4 UUID), `uuidv5` (a name-based version 5 UUID) and `bcrypt` (a salted hash in
//! Go's `$2a$` form). `uuid` and `bcrypt` give a new value on every call, so they are unknown
//! until apply.

use base64::Engine as _;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::args::{integer, invalid, string};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("md5", 1, Some(1), md5),
    Function::new("sha1", 1, Some(1), sha1),
    Function::new("sha256", 1, Some(1), sha256),
    Function::new("sha512", 1, Some(1), sha512),
    Function::new("base64sha256", 1, Some(1), base64sha256),
    Function::new("base64sha512", 1, Some(1), base64sha512),
    Function::new("uuid", 0, Some(0), uuid).impure(),
    Function::new("uuidv5", 2, Some(2), uuidv5),
    // More than two arguments is reported in Terraform's words, not as an arity error.
    Function::new("bcrypt", 1, None, bcrypt).impure(),
];

fn hex_digest<D: Digest>(args: &[Value]) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::String(hex::encode(D::digest(text.as_bytes()))))
}

fn md5(args: &[Value], _: &FuncContext) -> FuncResult {
    hex_digest::<Md5>(args)
}

fn sha1(args: &[Value], _: &FuncContext) -> FuncResult {
    hex_digest::<Sha1>(args)
}

fn sha256(args: &[Value], _: &FuncContext) -> FuncResult {
    hex_digest::<Sha256>(args)
}

fn sha512(args: &[Value], _: &FuncContext) -> FuncResult {
    hex_digest::<Sha512>(args)
}

fn base64_digest<D: Digest>(args: &[Value]) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(D::digest(text.as_bytes())),
    ))
}

fn base64sha256(args: &[Value], _: &FuncContext) -> FuncResult {
    base64_digest::<Sha256>(args)
}

fn base64sha512(args: &[Value], _: &FuncContext) -> FuncResult {
    base64_digest::<Sha512>(args)
}

fn uuid(_: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

/// Checks a namespace as Google's `uuid.Parse` does, in its words: 36 characters with
/// hyphens, 38 in braces, 45 as a `urn:uuid:`, or 32 hex digits.
fn parse_namespace(text: &str) -> Result<uuid::Uuid, String> {
    match text.len() {
        45 if !text[..9].eq_ignore_ascii_case("urn:uuid:") => {
            return Err(format!("invalid urn prefix: {:?}", &text[..9]))
        }
        32 | 36 | 38 | 45 => {}
        n => return Err(format!("invalid UUID length: {n}")),
    }
    uuid::Uuid::try_parse(text).map_err(|_| "invalid UUID format".to_string())
}

fn uuidv5(args: &[Value], _: &FuncContext) -> FuncResult {
    let namespace = string(args, 0, "namespace")?;
    let name = string(args, 1, "name")?;
    let ns = match namespace.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => parse_namespace(other).map_err(|e| {
            FuncError::call(format!(
                "uuidv5() doesn't support namespace {other:?} ({e})"
            ))
        })?,
    };
    let mut hasher = Sha1::new();
    hasher.update(ns.as_bytes());
    hasher.update(name.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let id = uuid::Builder::from_sha1_bytes(bytes).into_uuid();
    Ok(Value::String(id.to_string()))
}

/// Go's `bcrypt.GenerateFromPassword`: a cost below 4 means the default 10, above 31 is an
/// error, and so is a password over 72 bytes (which bcrypt could not tell apart).
fn bcrypt(args: &[Value], _: &FuncContext) -> FuncResult {
    let password = string(args, 0, "str")?;
    let mut cost = 10;
    if args.len() > 1 {
        cost = integer(args, 1, "cost")?;
    }
    if args.len() > 2 {
        return Err(FuncError::call("bcrypt() takes no more than two arguments"));
    }
    let failed = |e: &str| FuncError::call(format!("error occured generating password {e}"));
    if password.len() > 72 {
        return Err(failed("bcrypt: password length exceeds 72 bytes"));
    }
    if cost < 4 {
        cost = 10;
    }
    if cost > 31 {
        return Err(failed(&format!(
            "crypto/bcrypt: cost {cost} is outside allowed inclusive range 4..31"
        )));
    }
    let parts = bcrypt::hash_with_result(password.as_bytes(), cost as u32)
        .map_err(|e| invalid(1, "cost", e))?;
    Ok(Value::String(
        parts.format_for_version(bcrypt::Version::TwoA),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, ok, run, s};
    use crate::lang::value::Value;

    #[test]
    fn hashes_are_hex_of_utf8() {
        assert_eq!(
            ok("md5", vec![s("hello world")]),
            s("5eb63bbbe01eeed093cb22bb8f5acdc3")
        );
        assert_eq!(
            ok("sha1", vec![s("hello world")]),
            s("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")
        );
        assert_eq!(
            ok("sha256", vec![s("hello world")]),
            s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        assert_eq!(
            ok("md5", vec![s("")]),
            s("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert!(ok("sha512", vec![s("x")]).as_str().unwrap().len() == 128);
        assert!(err("sha256", vec![Value::List(vec![])]).contains("string required"));
        assert_eq!(
            ok("md5", vec![s("x").mark_sensitive(true)]),
            s("9dd4e461268c8034f5c8564e155c67a6").mark_sensitive(true)
        );
    }

    #[test]
    fn base64_hashes_encode_the_raw_digest() {
        // Terraform's documented examples.
        assert_eq!(
            ok("base64sha256", vec![s("hello world")]),
            s("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        );
        assert_eq!(
            ok("base64sha512", vec![s("hello world")]),
            s("MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==")
        );
        assert_eq!(
            ok("base64sha256", vec![n(5.0)]),
            ok("base64sha256", vec![s("5")])
        );
    }

    #[test]
    fn uuidv5_hashes_the_name_in_the_namespace() {
        // Terraform's documented examples.
        assert_eq!(
            ok("uuidv5", vec![s("dns"), s("www.terraform.io")]),
            s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
        );
        assert_eq!(
            ok("uuidv5", vec![s("url"), s("https://www.terraform.io/")]),
            s("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5")
        );
        assert_eq!(
            ok(
                "uuidv5",
                vec![
                    s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                    s("www.terraform.io")
                ]
            ),
            ok("uuidv5", vec![s("dns"), s("www.terraform.io")])
        );
        assert_eq!(
            ok(
                "uuidv5",
                vec![
                    s("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"),
                    s("www.terraform.io")
                ]
            ),
            ok("uuidv5", vec![s("dns"), s("www.terraform.io")])
        );
        assert_eq!(
            ok("uuidv5", vec![s("oid"), s("1.3.6.1.4.1.343")]),
            s("6aab0456-7392-582a-b92a-ba5a7096945d")
        );
        assert_eq!(
            err("uuidv5", vec![s("DNS"), s("x")]),
            "uuidv5() doesn't support namespace \"DNS\" (invalid UUID length: 3)"
        );
        assert_eq!(
            err(
                "uuidv5",
                vec![s("zzzzzzzz-9dad-11d1-80b4-00c04fd430c8"), s("x")]
            ),
            "uuidv5() doesn't support namespace \"zzzzzzzz-9dad-11d1-80b4-00c04fd430c8\" (invalid UUID format)"
        );
    }

    #[test]
    fn bcrypt_hashes_in_go_form() {
        let hash = ok("bcrypt", vec![s("hello world"), n(4.0)]);
        let text = hash.as_str().unwrap();
        assert!(text.starts_with("$2a$04$"), "{text}");
        assert_eq!(text.len(), 60);
        assert!(bcrypt::verify("hello world", text).unwrap());
        assert_ne!(ok("bcrypt", vec![s("hello world"), n(4.0)]), hash);
        // Below the minimum cost Go uses its default.
        let low = ok("bcrypt", vec![s("x"), n(1.0)]);
        assert!(low.as_str().unwrap().starts_with("$2a$10$"));
        assert_eq!(
            err("bcrypt", vec![s("x"), n(32.0)]),
            "error occured generating password crypto/bcrypt: cost 32 is outside allowed inclusive range 4..31"
        );
        assert_eq!(
            err("bcrypt", vec![s(&"x".repeat(73)), n(4.0)]),
            "error occured generating password bcrypt: password length exceeds 72 bytes"
        );
        assert!(run("bcrypt", vec![s(&"x".repeat(72)), n(4.0)]).is_ok());
        assert_eq!(
            err("bcrypt", vec![s("x"), n(4.0), n(5.0)]),
            "bcrypt() takes no more than two arguments"
        );
        assert!(err("bcrypt", vec![s("x"), n(4.5)]).contains("whole number"));
    }

    #[test]
    fn uuid_is_v4_and_fresh() {
        let a = ok("uuid", vec![]);
        let b = ok("uuid", vec![]);
        let text = a.as_str().unwrap();
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert_ne!(a, b);
        assert!(run("uuid", vec![s("x")]).is_err());
    }
}
