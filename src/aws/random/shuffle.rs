//! `random_shuffle`: `input` in a random order, `result_count` elements long (permutations
//! one after another when it is longer than `input`), from `seed` when set. The id is `-`.
//! The provider cannot import it.

use rand::seq::SliceRandom;

use super::{declare, seeded, text, with, Generator};
use crate::aws::Declaration;
use crate::lang::Value;
use crate::provider::{attrs, Schema};

pub struct RandomShuffle;

static TYPE: Declaration = declare("random_shuffle", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        optional StringMap: keepers.force_new();
        optional String: seed.force_new();
        required StringList: input.force_new();
        optional Number: result_count.force_new();
        computed StringList: result;
    ],
    blocks: &[],
};

impl Generator for RandomShuffle {
    fn declaration(&self) -> &'static Declaration {
        &TYPE
    }

    fn generate(&self, planned: &Value) -> Result<Value, String> {
        let m = planned.as_map().cloned().unwrap_or_default();
        let input = m
            .get("input")
            .and_then(Value::as_list)
            .unwrap_or(&[])
            .to_vec();
        let count = match m.get("result_count").and_then(Value::as_number) {
            Some(n) if n < 0.0 => {
                return Err(format!("result_count must not be negative, got: {n}"))
            }
            Some(n) => n as usize,
            None => input.len(),
        };
        let mut result = Vec::with_capacity(count);
        if !input.is_empty() {
            let mut rng = seeded(text(planned, "seed"));
            while result.len() < count {
                let mut permutation = input.clone();
                permutation.shuffle(&mut rng);
                result.extend(permutation.into_iter().take(count - result.len()));
            }
        }
        Ok(with(
            planned,
            [("id", Value::string("-")), ("result", Value::List(result))],
        ))
    }

    fn import_id_format(&self) -> Option<&'static str> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::values::strings;

    fn shuffle(input: &[&str], count: Value, seed: Value) -> Vec<String> {
        let got = RandomShuffle
            .generate(&Value::map([
                ("input", strings(input.iter().copied())),
                ("result_count", count),
                ("seed", seed),
            ]))
            .unwrap();
        got.as_map().unwrap()["result"]
            .as_list()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn shuffles_are_permutations_of_the_requested_length() {
        let input = ["a", "b", "c", "d", "e"];
        let mut got = shuffle(&input, Value::Null, Value::Null);
        got.sort();
        assert_eq!(got, input);
        assert_eq!(shuffle(&input, Value::number(2.0), Value::Null).len(), 2);
        // Longer than the input: whole permutations, so no element more than twice in 10.
        let long = shuffle(&input, Value::number(10.0), Value::Null);
        assert_eq!(long.len(), 10);
        for i in input {
            assert_eq!(long.iter().filter(|x| *x == i).count(), 2);
        }
        assert!(shuffle(&[], Value::number(3.0), Value::Null).is_empty());
        let seeded = |s: &str| shuffle(&input, Value::Null, Value::string(s));
        assert_eq!(seeded("x"), seeded("x"));
    }
}
