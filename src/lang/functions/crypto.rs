//! Hash and identifier functions: `md5 sha1 sha256 sha512` (lowercase hex of the string's UTF-8
//! bytes), `base64sha256 base64sha512` (the raw digest in standard Base64) and `uuid` (a
//! random version 4 UUID; fresh on every call, so unknown until apply).

use base64::Engine as _;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::args::string;
use super::{FuncContext, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("md5", 1, Some(1), md5),
    Function::new("sha1", 1, Some(1), sha1),
    Function::new("sha256", 1, Some(1), sha256),
    Function::new("sha512", 1, Some(1), sha512),
    Function::new("base64sha256", 1, Some(1), base64sha256),
    Function::new("base64sha512", 1, Some(1), base64sha512),
    Function::new("uuid", 0, Some(0), uuid).impure(),
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
