//! `random_string` and `random_password`: a string of `length` characters from the classes the
//! arguments allow, with at least `min_*` of each, in a random order. `random_password` is
//! the same with its `result` (and the `bcrypt_hash` of it) sensitive. The id is the string
//! (`random_string`) or `none` (`random_password`). Import takes the string itself, with the
//! defaults for every argument and `length` its length, as the provider's import does.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::RngExt;

use super::{declare, int, text, with, Generator};
use crate::aws::Declaration;
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::state_object;
use crate::provider::{attrs, Schema};

/// The provider's special characters when `override_special` is not set.
pub const SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";
const NUMERIC: &str = "0123456789";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// `golang.org/x/crypto/bcrypt.DefaultCost`, which the provider uses.
const GO_DEFAULT_COST: u32 = 10;

pub struct RandomString;
pub struct RandomPassword;

static STRING_TYPE: Declaration = declare("random_string", &STRING);
static PASSWORD_TYPE: Declaration = declare("random_password", &PASSWORD);

static STRING: Schema = Schema {
    version: 2,
    attributes: attrs![
        computed String: id result;
        optional StringMap: keepers.force_new();
        required Number: length.force_new();
        optional_computed Bool: special.force_new().default(Default::Bool(true))
            upper.force_new().default(Default::Bool(true))
            lower.force_new().default(Default::Bool(true));
        optional_computed Bool: number.force_new() numeric.force_new();
        optional_computed Number: min_numeric.force_new().default(Default::Number(0.0))
            min_upper.force_new().default(Default::Number(0.0))
            min_lower.force_new().default(Default::Number(0.0))
            min_special.force_new().default(Default::Number(0.0));
        optional String: override_special.force_new();
    ],
    blocks: &[],
};

static PASSWORD: Schema = Schema {
    version: 3,
    attributes: attrs![
        computed String: id result.sensitive() bcrypt_hash.sensitive();
        optional StringMap: keepers.force_new();
        required Number: length.force_new();
        optional_computed Bool: special.force_new().default(Default::Bool(true))
            upper.force_new().default(Default::Bool(true))
            lower.force_new().default(Default::Bool(true));
        optional_computed Bool: number.force_new() numeric.force_new();
        optional_computed Number: min_numeric.force_new().default(Default::Number(0.0))
            min_upper.force_new().default(Default::Number(0.0))
            min_lower.force_new().default(Default::Number(0.0))
            min_special.force_new().default(Default::Number(0.0));
        optional String: override_special.force_new();
    ],
    blocks: &[],
};

impl Generator for RandomString {
    fn normalize(&self, object: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
        number_and_numeric(object)
    }

    fn declaration(&self) -> &'static Declaration {
        &STRING_TYPE
    }

    fn generate(&self, planned: &Value) -> Result<Value, String> {
        let result = Value::string(create_string(planned)?);
        Ok(with(planned, [("id", result.clone()), ("result", result)]))
    }

    fn import_id_format(&self) -> Option<&'static str> {
        Some("the string itself (`length` is its length, every other argument its default)")
    }

    fn import(&self, id: &str) -> Result<Value, String> {
        let result = Value::string(id);
        Ok(imported(
            &STRING,
            id,
            [("id", result.clone()), ("result", result)],
        ))
    }
}

impl Generator for RandomPassword {
    fn normalize(&self, object: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
        number_and_numeric(object)
    }

    fn declaration(&self) -> &'static Declaration {
        &PASSWORD_TYPE
    }

    fn generate(&self, planned: &Value) -> Result<Value, String> {
        let result = create_string(planned)?;
        let hash = bcrypt_hash(&result)?;
        Ok(with(
            planned,
            [
                ("id", Value::string("none")),
                ("result", Value::string(result).mark_sensitive(true)),
                ("bcrypt_hash", Value::string(hash).mark_sensitive(true)),
            ],
        ))
    }

    fn import_id_format(&self) -> Option<&'static str> {
        Some("the password itself (`length` is its length, every other argument its default)")
    }

    fn import(&self, id: &str) -> Result<Value, String> {
        let hash = bcrypt_hash(id)?;
        Ok(imported(
            &PASSWORD,
            id,
            [
                ("id", Value::string("none")),
                ("result", Value::string(id).mark_sensitive(true)),
                ("bcrypt_hash", Value::string(hash).mark_sensitive(true)),
            ],
        ))
    }
}

/// The object an import of `id` records: every argument its default, `length` the length of
/// `id`, no keepers and no `override_special`.
fn imported(
    schema: &Schema,
    id: &str,
    results: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    let mut given = vec![("length", Value::number(id.chars().count() as f64))];
    for flag in ["special", "upper", "lower", "number", "numeric"] {
        given.push((flag, Value::Bool(true)));
    }
    for min in ["min_numeric", "min_upper", "min_lower", "min_special"] {
        given.push((min, Value::number(0.0)));
    }
    let object = state_object(schema, given);
    with(&object, results)
}

/// The provider's bcrypt hash of a password (of its first 72 bytes, bcrypt's limit), at Go's
/// default cost (10; the bcrypt crate's default is 12), in Go's `$2a$` form.
fn bcrypt_hash(password: &str) -> Result<String, String> {
    let bytes = password.as_bytes();
    let bytes = &bytes[..bytes.len().min(72)];
    bcrypt::hash_with_result(bytes, GO_DEFAULT_COST)
        .map(|parts| parts.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| format!("bcrypt: {e}"))
}

/// `number` and `numeric` are the same setting under two names: one set gives the other its
/// value, neither set is `true` (the provider's `NumberNumericAttributePlanModifier`). Only
/// for objects that have both.
pub(crate) fn number_and_numeric(mut m: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let (Some(number), Some(numeric)) = (m.get("number"), m.get("numeric")) else {
        return m;
    };
    let unset = |v: &Value| matches!(v, Value::Unknown | Value::Null);
    let (number, numeric) = match (unset(number), unset(numeric)) {
        (true, true) => (Value::Bool(true), Value::Bool(true)),
        (true, false) => (numeric.clone(), numeric.clone()),
        (false, true) => (number.clone(), number.clone()),
        (false, false) => return m,
    };
    m.insert("number".into(), number);
    m.insert("numeric".into(), numeric);
    m
}

/// The arguments' mistakes the provider's validators report: a length below 1 or below the
/// minimums' sum, no character class at all.
fn check(planned: &Value) -> Result<(), String> {
    let length = int(planned, "length");
    let mins: i64 = ["min_upper", "min_lower", "min_numeric", "min_special"]
        .iter()
        .map(|m| int(planned, m))
        .sum();
    if length < 1 {
        return Err(format!(
            "Attribute length value must be at least 1, got: {length}"
        ));
    }
    if length < mins {
        return Err(format!(
            "Attribute length value must be at least sum of min_upper + min_lower + min_numeric + min_special ({mins}), got: {length}"
        ));
    }
    Ok(())
}

/// The provider's algorithm: `min_*` characters of each class (whether or not the class is
/// enabled, as the provider does), the rest from every enabled class, then shuffled.
fn create_string(planned: &Value) -> Result<String, String> {
    check(planned)?;
    let flag = |name: &str| {
        planned
            .as_map()
            .and_then(|m| m.get(name))
            .and_then(Value::as_bool)
            .unwrap_or(true)
    };
    let special = match text(planned, "override_special") {
        "" => SPECIAL,
        given => given,
    };
    let mut chars = String::new();
    for (on, class) in [
        (flag("upper"), UPPER),
        (flag("lower"), LOWER),
        (flag("numeric"), NUMERIC),
        (flag("special"), special),
    ] {
        if on {
            chars.push_str(class);
        }
    }
    if chars.is_empty() {
        return Err("the character set specified is empty".into());
    }
    let mut rng = rand::rng();
    let mut pick = |set: &str, n: i64| -> Vec<char> {
        let set: Vec<char> = set.chars().collect();
        (0..n.max(0))
            .map(|_| set[rng.random_range(0..set.len())])
            .collect()
    };
    let mut result: Vec<char> = Vec::new();
    for (class, min) in [
        (NUMERIC, "min_numeric"),
        (LOWER, "min_lower"),
        (UPPER, "min_upper"),
        (special, "min_special"),
    ] {
        result.extend(pick(class, int(planned, min)));
    }
    let rest = int(planned, "length") - result.len() as i64;
    result.extend(pick(&chars, rest));
    result.shuffle(&mut rand::rng());
    Ok(result.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(args: &[(&str, Value)]) -> Value {
        let mut m = STRING
            .attributes
            .iter()
            .map(|a| (a.name.to_string(), Value::Null))
            .collect::<BTreeMap<_, _>>();
        for (k, v) in args {
            m.insert(k.to_string(), v.clone());
        }
        Value::Map(number_and_numeric(m))
    }

    #[test]
    fn strings_have_the_length_and_the_classes_asked_for() {
        let n = Value::number;
        let s = create_string(&planned(&[("length", n(40.0))])).unwrap();
        assert_eq!(s.chars().count(), 40);
        let s = create_string(&planned(&[
            ("length", n(64.0)),
            ("special", Value::Bool(false)),
            ("upper", Value::Bool(false)),
            ("numeric", Value::Bool(false)),
        ]))
        .unwrap();
        assert!(s.chars().all(|c| c.is_ascii_lowercase()), "{s}");
        let s = create_string(&planned(&[
            ("length", n(12.0)),
            ("upper", Value::Bool(false)),
            ("lower", Value::Bool(false)),
            ("numeric", Value::Bool(false)),
            ("override_special", Value::string("é#")),
            ("min_upper", n(3.0)),
            ("min_numeric", n(2.0)),
        ]))
        .unwrap();
        assert_eq!(s.chars().count(), 12);
        // The minimums are honoured even for a class that is off, as in the provider.
        assert_eq!(s.chars().filter(char::is_ascii_uppercase).count(), 3, "{s}");
        assert_eq!(s.chars().filter(char::is_ascii_digit).count(), 2, "{s}");
        assert!(s
            .chars()
            .filter(|c| !c.is_ascii_alphanumeric())
            .all(|c| "é#".contains(c)));
        // The default special characters only.
        let s = create_string(&planned(&[
            ("length", n(200.0)),
            ("upper", Value::Bool(false)),
            ("lower", Value::Bool(false)),
            ("numeric", Value::Bool(false)),
        ]))
        .unwrap();
        assert!(s.chars().all(|c| SPECIAL.contains(c)), "{s}");
        // Two draws differ.
        let a = create_string(&planned(&[("length", n(32.0))])).unwrap();
        let b = create_string(&planned(&[("length", n(32.0))])).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn impossible_strings_are_refused() {
        let n = Value::number;
        let off = Value::Bool(false);
        let e = create_string(&planned(&[
            ("length", n(4.0)),
            ("upper", off.clone()),
            ("lower", off.clone()),
            ("numeric", off.clone()),
            ("special", off),
        ]))
        .unwrap_err();
        assert!(e.contains("character set specified is empty"), "{e}");
        let e = create_string(&planned(&[("length", n(2.0)), ("min_lower", n(3.0))])).unwrap_err();
        assert!(e.contains("at least sum of"), "{e}");
        let e = create_string(&planned(&[("length", n(0.0))])).unwrap_err();
        assert!(e.contains("at least 1"), "{e}");
    }

    #[test]
    fn number_and_numeric_follow_each_other() {
        let m = |number: Value, numeric: Value| {
            let got = number_and_numeric(BTreeMap::from([
                ("number".to_string(), number),
                ("numeric".to_string(), numeric),
            ]));
            (got["number"].clone(), got["numeric"].clone())
        };
        let (t, f) = (Value::Bool(true), Value::Bool(false));
        assert_eq!(m(Value::Unknown, Value::Unknown), (t.clone(), t.clone()));
        assert_eq!(m(f.clone(), Value::Unknown), (f.clone(), f.clone()));
        assert_eq!(m(Value::Null, f.clone()), (f.clone(), f.clone()));
        assert_eq!(m(t.clone(), f.clone()), (t, f));
    }

    #[test]
    fn passwords_are_sensitive_with_a_matching_bcrypt_hash() {
        let got = RandomPassword
            .generate(&planned(&[("length", Value::number(80.0))]))
            .unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["id"], Value::string("none"));
        assert!(m["result"].contains_sensitive());
        assert!(m["bcrypt_hash"].contains_sensitive());
        let (result, _) = m["result"].clone().unmark();
        let (hash, _) = m["bcrypt_hash"].clone().unmark();
        assert!(hash.as_str().unwrap().starts_with("$2a$10$"));
        let result = result.as_str().unwrap().to_string();
        // The hash is of the first 72 bytes.
        assert!(bcrypt::verify(&result.as_bytes()[..72], hash.as_str().unwrap()).unwrap());
    }

    #[test]
    fn imports_take_the_value_and_the_defaults() {
        let got = RandomString.import("abc-123").unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["id"], Value::string("abc-123"));
        assert_eq!(m["result"], Value::string("abc-123"));
        assert_eq!(m["length"], Value::number(7.0));
        assert_eq!(m["lower"], Value::Bool(true));
        assert_eq!(m["min_special"], Value::number(0.0));
        assert_eq!(m["override_special"], Value::Null);
        let got = RandomPassword.import("s3cret").unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["id"], Value::string("none"));
        assert!(m["result"].contains_sensitive());
        let (hash, _) = m["bcrypt_hash"].clone().unmark();
        assert!(bcrypt::verify("s3cret", hash.as_str().unwrap()).unwrap());
    }
}
