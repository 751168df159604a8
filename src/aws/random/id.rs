//! `random_id`: `byte_length` random bytes, shown base64 (URL-safe without padding, and
//! standard), hexadecimal and decimal, each after `prefix`. The id is the URL-safe base64
//! without the prefix. Import takes that base64 (`b64_url`), optionally after `PREFIX,`.

use base64::Engine;
use rand::Rng;

use super::{declare, int, text, with, Generator};
use crate::aws::Declaration;
use crate::lang::Value;
use crate::provider::values::state_object;
use crate::provider::{attrs, Schema};

pub struct RandomId;

static TYPE: Declaration = declare("random_id", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id b64_url b64_std hex dec;
        optional StringMap: keepers.force_new();
        required Number: byte_length.force_new();
        optional String: prefix.force_new();
    ],
    blocks: &[],
};

impl Generator for RandomId {
    fn declaration(&self) -> &'static Declaration {
        &TYPE
    }

    fn generate(&self, planned: &Value) -> Result<Value, String> {
        let length = int(planned, "byte_length");
        if length < 1 {
            return Err(format!(
                "Attribute byte_length value must be at least 1, got: {length}"
            ));
        }
        let mut bytes = vec![0u8; length as usize];
        rand::rng().fill_bytes(&mut bytes);
        Ok(with(planned, shown(&bytes, text(planned, "prefix"))))
    }

    fn import_id_format(&self) -> Option<&'static str> {
        Some("the id in URL-safe base64 (`b64_url` without the prefix), after `PREFIX,` if it has a prefix")
    }

    fn import(&self, id: &str) -> Result<Value, String> {
        let (prefix, b64) = id.rsplit_once(',').unwrap_or(("", id));
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|e| format!("the id is not URL-safe base64 ({e})"))?;
        let object = state_object(
            &SCHEMA,
            [
                ("byte_length", Value::number(bytes.len() as f64)),
                (
                    "prefix",
                    if prefix.is_empty() {
                        Value::Null
                    } else {
                        Value::string(prefix)
                    },
                ),
            ],
        );
        Ok(with(&object, shown(&bytes, prefix)))
    }
}

/// The computed attributes for `bytes`.
fn shown(bytes: &[u8], prefix: &str) -> [(&'static str, Value); 5] {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let url = URL_SAFE_NO_PAD.encode(bytes);
    [
        ("id", Value::string(url.clone())),
        ("b64_url", Value::string(format!("{prefix}{url}"))),
        (
            "b64_std",
            Value::string(format!("{prefix}{}", STANDARD.encode(bytes))),
        ),
        (
            "hex",
            Value::string(format!("{prefix}{}", hex::encode(bytes))),
        ),
        ("dec", Value::string(format!("{prefix}{}", decimal(bytes)))),
    ]
}

/// The big-endian unsigned integer `bytes` in decimal, without leading zeros (Go's
/// `big.Int.SetBytes(..).String()`).
fn decimal(bytes: &[u8]) -> String {
    // Base 10^9 limbs, least significant first.
    let mut limbs: Vec<u32> = Vec::new();
    for &b in bytes {
        let mut carry = u64::from(b);
        for limb in limbs.iter_mut() {
            let v = u64::from(*limb) * 256 + carry;
            *limb = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    }
    let Some((last, rest)) = limbs.split_last() else {
        return "0".into();
    };
    let mut s = last.to_string();
    for limb in rest.iter().rev() {
        s.push_str(&format!("{limb:09}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_is_the_big_endian_integer() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0, 0]), "0");
        assert_eq!(decimal(&[1, 0]), "256");
        assert_eq!(decimal(&[0xff; 8]), u64::MAX.to_string());
        let mut sixteen = [0u8; 16];
        sixteen[0] = 0x80;
        assert_eq!(decimal(&sixteen), (1u128 << 127).to_string());
    }

    #[test]
    fn ids_show_the_same_bytes_every_way() {
        let planned = Value::map([
            ("byte_length", Value::number(8.0)),
            ("prefix", Value::string("p-")),
        ]);
        let got = RandomId.generate(&planned).unwrap();
        let m = got.as_map().unwrap();
        let id = m["id"].as_str().unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id)
            .unwrap();
        assert_eq!(bytes.len(), 8);
        assert_eq!(m["b64_url"], Value::string(format!("p-{id}")));
        assert_eq!(
            m["hex"],
            Value::string(format!("p-{}", hex::encode(&bytes)))
        );
        let n = u64::from_be_bytes(bytes.try_into().unwrap());
        assert_eq!(m["dec"], Value::string(format!("p-{n}")));
    }

    /// The provider's documented example: `p-9hUg` is the bytes a7 ef 61 52.
    #[test]
    fn imports_decode_the_url_safe_base64() {
        let got = RandomId.import("my-prefix-,p-9hUg").unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["id"], Value::string("p-9hUg"));
        assert_eq!(m["prefix"], Value::string("my-prefix-"));
        assert_eq!(m["byte_length"], Value::number(4.0));
        assert_eq!(m["b64_url"], Value::string("my-prefix-p-9hUg"));
        assert_eq!(m["b64_std"], Value::string("my-prefix-p+9hUg=="));
        assert_eq!(m["hex"], Value::string("my-prefix-a7ef6152"));
        assert_eq!(m["dec"], Value::string("my-prefix-2817483090"));
        let got = RandomId.import("p-9hUg").unwrap();
        assert_eq!(got.as_map().unwrap()["prefix"], Value::Null);
        assert!(RandomId.import("not base64!").is_err());
    }
}
