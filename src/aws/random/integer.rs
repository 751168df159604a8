//! `random_integer`: an integer between `min` and `max` inclusive, from `seed` when set. The
//! id is the result in decimal. Import takes `RESULT,MIN,MAX` or `RESULT,MIN,MAX,SEED`.

use rand::RngExt;

use super::{declare, int, seeded, text, with, Generator};
use crate::aws::Declaration;
use crate::lang::Value;
use crate::provider::values::state_object;
use crate::provider::{attrs, Schema};

pub struct RandomInteger;

static TYPE: Declaration = declare("random_integer", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        optional StringMap: keepers.force_new();
        required Number: min.force_new() max.force_new();
        optional String: seed.force_new();
        computed Number: result;
    ],
    blocks: &[],
};

impl Generator for RandomInteger {
    fn declaration(&self) -> &'static Declaration {
        &TYPE
    }

    fn generate(&self, planned: &Value) -> Result<Value, String> {
        let (min, max) = (int(planned, "min"), int(planned, "max"));
        if max < min {
            return Err(
                "The minimum (min) value needs to be smaller than or equal to maximum (max) value."
                    .into(),
            );
        }
        let n = seeded(text(planned, "seed")).random_range(min..=max);
        Ok(with(
            planned,
            [
                ("id", Value::string(n.to_string())),
                ("result", Value::number(n as f64)),
            ],
        ))
    }

    fn import_id_format(&self) -> Option<&'static str> {
        Some("`RESULT,MIN,MAX` or `RESULT,MIN,MAX,SEED`")
    }

    fn import(&self, id: &str) -> Result<Value, String> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 3 && parts.len() != 4 {
            return Err("expecting {result},{min},{max} or {result},{min},{max},{seed}".into());
        }
        let number = |i: usize, what: &str| {
            parts[i]
                .parse::<i64>()
                .map(|n| Value::number(n as f64))
                .map_err(|e| format!("the {what} value could not be parsed as an integer ({e})"))
        };
        let seed = parts.get(3).map_or(Value::Null, |s| Value::string(*s));
        Ok(state_object(
            &SCHEMA,
            [
                ("id", Value::string(parts[0])),
                ("result", number(0, "result")?),
                ("min", number(1, "min")?),
                ("max", number(2, "max")?),
                ("seed", seed),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(min: f64, max: f64, seed: Value) -> Result<Value, String> {
        RandomInteger.generate(&Value::map([
            ("min", Value::number(min)),
            ("max", Value::number(max)),
            ("seed", seed),
        ]))
    }

    #[test]
    fn integers_fall_in_the_range_and_a_seed_fixes_them() {
        for _ in 0..200 {
            let got = draw(-3.0, 4.0, Value::Null).unwrap();
            let m = got.as_map().unwrap();
            let n = m["result"].as_number().unwrap();
            assert!((-3.0..=4.0).contains(&n), "{n}");
            assert_eq!(m["id"], Value::string((n as i64).to_string()));
        }
        let a = draw(1.0, 1_000_000.0, Value::string("s")).unwrap();
        let b = draw(1.0, 1_000_000.0, Value::string("s")).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            draw(7.0, 7.0, Value::Null).unwrap().as_map().unwrap()["result"],
            Value::number(7.0)
        );
        assert!(draw(2.0, 1.0, Value::Null)
            .unwrap_err()
            .contains("smaller than or equal"));
    }

    #[test]
    fn imports_take_result_min_max_and_seed() {
        let got = RandomInteger.import("15390,1,50000").unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["id"], Value::string("15390"));
        assert_eq!(m["result"], Value::number(15390.0));
        assert_eq!(m["max"], Value::number(50000.0));
        assert_eq!(m["seed"], Value::Null);
        let got = RandomInteger.import("5,1,9,abc").unwrap();
        assert_eq!(got.as_map().unwrap()["seed"], Value::string("abc"));
        assert!(RandomInteger.import("5,1").is_err());
        assert!(RandomInteger
            .import("x,1,9")
            .unwrap_err()
            .contains("result"));
    }
}
