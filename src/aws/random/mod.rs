//! The random provider (hashicorp/random 3.x), built in: resource types with no AWS side whose
//! results are generated once, when the object is created, and then kept in state. Every
//! argument forces a new object (a new result), `keepers` included; refresh has nothing to
//! read. Import builds the object from the ID as the provider's import does.
//!
//! Strings, passwords and ids come from the thread-local CSPRNG (ChaCha12 seeded from the
//! operating system, `rand::rng`); a configured `seed` (`random_integer`, `random_shuffle`)
//! seeds a `StdRng` instead, so that the same seed gives the same result in ecsform (not the
//! same result as Terraform's, which uses Go's `math/rand`: the provider itself promises no
//! stability across versions).

use std::collections::BTreeMap;

use async_trait::async_trait;
use rand::SeedableRng;
use sha2::Digest;

use super::{Adoption, CallContext, Candidate, Owner, ResourceType};
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resource_type::States;
use crate::aws::{AwsClients, Declaration};
use crate::lang::Value;

pub mod id;
pub mod integer;
pub mod pet;
pub mod shuffle;
pub mod string;

/// What one random resource type does; [`Random`] makes it a [`ResourceType`].
pub trait Generator: Send + Sync {
    fn declaration(&self) -> &'static Declaration;

    /// The object for `planned` (its arguments, all known): the arguments with the results
    /// generated, or why they cannot be.
    fn generate(&self, planned: &Value) -> Result<Value, String>;

    /// The provider's import ID, or `None` where the provider cannot import the type.
    fn import_id_format(&self) -> Option<&'static str>;

    /// The object an import ID describes, as the provider's import builds it.
    fn import(&self, _id: &str) -> Result<Value, String> {
        Err("the type cannot be imported".into())
    }
}

/// A resource type of the random provider: create generates, update records the new
/// arguments (only `keepers` changing between null and empty can be updated in place), delete
/// forgets.
pub struct Random<G: 'static>(pub G);

#[async_trait]
impl<G: Generator> ResourceType for Random<G> {
    fn declaration(&self) -> &'static Declaration {
        self.0.declaration()
    }

    fn refreshes(&self) -> bool {
        false
    }

    /// `keepers` that keep nothing (`{}`, or only null values) are no keepers: going from one
    /// to the other replaces nothing, as in the provider (`RequiresReplaceIfValuesNotNull`).
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::Map(keepers)) = m.get("keepers") {
            if keepers.values().all(Value::is_null) {
                m.insert("keepers".into(), Value::Null);
            }
        }
        Value::Map(string::number_and_numeric(m))
    }

    async fn read_many(&self, _: &AwsClients, _: &[String]) -> Result<States> {
        Ok(BTreeMap::new())
    }

    async fn create(&self, _: &CallContext<'_>, planned: &Value) -> Result<Value> {
        self.0.generate(planned).map_err(|why| {
            ApiError::new(
                ErrorKind::Invalid,
                format!("Create {} error", self.type_name()),
                why,
            )
        })
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

    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<()> {
        Ok(())
    }

    fn importable(&self) -> bool {
        self.0.import_id_format().is_some()
    }

    fn import_id_format(&self) -> &'static str {
        self.0.import_id_format().unwrap_or("the object's id")
    }

    fn import_locally(&self, import_id: &str) -> Option<Result<Value, String>> {
        Some(self.0.import(import_id))
    }
}

/// The declaration of a random provider type: nothing in AWS to find again.
pub(crate) const fn declare(
    name: &'static str,
    schema: &'static crate::provider::Schema,
) -> Declaration {
    Declaration::new(name, schema, Adoption::NotInAws)
}

/// An integer argument of `planned` (0 when unset).
pub(crate) fn int(planned: &Value, name: &str) -> i64 {
    planned
        .as_map()
        .and_then(|m| m.get(name))
        .and_then(Value::as_number)
        .map_or(0, |n| n as i64)
}

/// A string argument of `planned` ("" when unset).
pub(crate) fn text<'a>(planned: &'a Value, name: &str) -> &'a str {
    planned
        .as_map()
        .and_then(|m| m.get(name))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `planned` with `given` set: the object to record.
pub(crate) fn with(
    planned: &Value,
    given: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    let mut m = planned.as_map().cloned().unwrap_or_default();
    for (k, v) in given {
        m.insert(k.to_string(), v);
    }
    Value::Map(m)
}

/// The generator for a `seed` argument: seeded from it when set (the same seed, the same
/// result), else the thread-local CSPRNG.
pub(crate) fn seeded(seed: &str) -> Box<dyn rand::Rng> {
    if seed.is_empty() {
        Box::new(rand::rng())
    } else {
        let digest: [u8; 32] = sha2::Sha256::digest(seed.as_bytes()).into();
        Box::new(rand::rngs::StdRng::from_seed(digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepers_that_keep_nothing_are_no_keepers() {
        let t = Random(pet::RandomPet);
        let n = |keepers: Value| {
            t.normalize(Value::map([("keepers", keepers)]))
                .as_map()
                .unwrap()["keepers"]
                .clone()
        };
        assert_eq!(n(Value::Map(BTreeMap::new())), Value::Null);
        assert_eq!(n(Value::map([("a", Value::Null)])), Value::Null);
        let kept = Value::map([("a", Value::string("1"))]);
        assert_eq!(n(kept.clone()), kept);
        assert_eq!(n(Value::Unknown), Value::Unknown);
    }

    #[test]
    fn a_seed_gives_the_same_numbers() {
        use rand::RngExt;
        let draw = |seed: &str| -> Vec<u32> {
            let mut r = seeded(seed);
            (0..8).map(|_| r.random_range(0..1000)).collect()
        };
        assert_eq!(draw("abc"), draw("abc"));
        assert_ne!(draw("abc"), draw("abd"));
    }
}
