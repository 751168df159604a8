//! Resource types with no AWS side whose results are generated once, when the object is
//! created, and then kept in state: the random provider's (`aws::random`) and the tls
//! provider's (`aws::tls`), built in. Every argument forces a new object (a new result),
//! `keepers` included; refresh has nothing to read. Import builds the object from the ID as
//! the provider's import does, where the provider can import the type.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{Adoption, CallContext, Candidate, Owner, ResourceType};
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resource_type::States;
use crate::aws::{AwsClients, Declaration};
use crate::lang::Value;

/// What one such type does; [`Generated`] makes it a [`ResourceType`].
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

    /// The type's own normalisation of an object (its arguments' equivalent spellings), after
    /// the common one.
    fn normalize(&self, object: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
        object
    }
}

/// A generated type as a resource type: create generates, update records the new arguments
/// (only `keepers` changing between null and empty can be updated in place), delete forgets.
pub struct Generated<G: 'static>(pub G);

#[async_trait]
impl<G: Generator> ResourceType for Generated<G> {
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
        Value::Map(self.0.normalize(m))
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

/// The declaration of a generated type: nothing in AWS to find again.
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
