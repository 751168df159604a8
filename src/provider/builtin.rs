//! Resource types that need no AWS: `null_resource` (a placeholder whose `triggers` force
//! replacement, as in Terraform's null provider).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::values::state_object;
use super::{Adoption, AttrSchema, AttrType, CallContext, Candidate, Owner, ResourceType, Schema};
use crate::aws::error::ApiError;
use crate::aws::AwsClients;
use crate::lang::Value;

pub struct NullResource;

/// The template provider's `template_file` data source, rendered locally by the evaluation
/// walk (it has no AWS side); its schema is listed by `providers schema -json`.
pub static TEMPLATE_FILE: Schema = Schema {
    version: 0,
    attributes: &[
        AttrSchema::computed("id", AttrType::String),
        AttrSchema::optional("template", AttrType::String),
        AttrSchema::optional("filename", AttrType::String),
        AttrSchema::optional("vars", AttrType::StringMap),
        AttrSchema::computed("rendered", AttrType::String),
    ],
    blocks: &[],
};

static NULL_RESOURCE: Schema = Schema {
    version: 1,
    attributes: &[
        AttrSchema::computed("id", AttrType::String),
        AttrSchema::optional("triggers", AttrType::StringMap).force_new(),
    ],
    blocks: &[],
};

#[async_trait]
impl ResourceType for NullResource {
    fn type_name(&self) -> &'static str {
        "null_resource"
    }

    fn declared_schema(&self) -> &'static Schema {
        &NULL_RESOURCE
    }

    fn refreshes(&self) -> bool {
        false
    }

    async fn read_many(
        &self,
        _: &AwsClients,
        _: &[String],
    ) -> Result<BTreeMap<String, Value>, ApiError> {
        Ok(BTreeMap::new())
    }

    async fn create(&self, _: &CallContext<'_>, planned: &Value) -> Result<Value, ApiError> {
        // Terraform's null provider uses a random decimal id.
        let id = (uuid::Uuid::new_v4().as_u128() % 10u128.pow(19)).to_string();
        let triggers = planned
            .as_map()
            .and_then(|m| m.get("triggers"))
            .cloned()
            .unwrap_or(Value::Null);
        Ok(state_object(
            &NULL_RESOURCE,
            [("id", Value::String(id)), ("triggers", triggers)],
        ))
    }

    fn adoption(&self) -> Adoption {
        Adoption::NotInAws
    }

    async fn find_created(
        &self,
        _: &AwsClients,
        _: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>, ApiError> {
        Ok(Vec::new())
    }

    async fn update(
        &self,
        _: &CallContext<'_>,
        _: &Value,
        planned: &Value,
    ) -> Result<Value, ApiError> {
        Ok(planned.clone())
    }

    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<(), ApiError> {
        Ok(())
    }

    /// As in Terraform's null provider: there is no object to import; `apply` creates one
    /// without calling anything.
    fn importable(&self) -> bool {
        false
    }
}
