//! `random_pet`: a name of `length` words (adverbs, an adjective, an animal: `sharply-calm-gnu`)
//! joined by `separator`, after `prefix`. The id is the name. The provider cannot import it.
//! The words come from the `petname` crate's English lists, not the Go library's the provider
//! uses: a name is random either way.

use super::{declare, int, text, with, Generator};
use crate::aws::Declaration;
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::{attrs, Schema};

pub struct RandomPet;

static TYPE: Declaration = declare("random_pet", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        optional StringMap: keepers.force_new();
        optional_computed Number: length.force_new().default(Default::Number(2.0));
        optional String: prefix.force_new();
        optional_computed String: separator.force_new().default(Default::Str("-"));
    ],
    blocks: &[],
};

impl Generator for RandomPet {
    fn declaration(&self) -> &'static Declaration {
        &TYPE
    }

    fn generate(&self, planned: &Value) -> Result<Value, String> {
        let length = int(planned, "length");
        let words = u8::try_from(length)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                format!("Attribute length value must be between 1 and 255, got: {length}")
            })?;
        let separator = text(planned, "separator");
        let mut name = String::new();
        petname::Generator::generate_into(
            &petname::Petnames::default(),
            &mut name,
            &mut rand::rng(),
            words,
            separator,
        );
        let name = name.to_lowercase();
        let name = match text(planned, "prefix") {
            "" => name,
            prefix => format!("{prefix}{separator}{name}"),
        };
        Ok(with(planned, [("id", Value::string(name))]))
    }

    fn import_id_format(&self) -> Option<&'static str> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_the_words_asked_for() {
        let name = |length: f64, separator: &str, prefix: Value| {
            let got = RandomPet
                .generate(&Value::map([
                    ("length", Value::number(length)),
                    ("separator", Value::string(separator)),
                    ("prefix", prefix),
                ]))
                .unwrap();
            got.as_map().unwrap()["id"].as_str().unwrap().to_string()
        };
        assert_eq!(name(2.0, "-", Value::Null).split('-').count(), 2);
        let n = name(3.0, "_", Value::string("web"));
        let words: Vec<&str> = n.split('_').collect();
        assert_eq!(words.len(), 4, "{n}");
        assert_eq!(words[0], "web");
        assert!(words
            .iter()
            .all(|w| !w.is_empty() && *w == w.to_lowercase()));
        assert!(RandomPet
            .generate(&Value::map([("length", Value::number(0.0))]))
            .is_err());
    }
}
