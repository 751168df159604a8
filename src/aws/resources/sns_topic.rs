//! `aws_sns_topic`: an SNS topic. Its id is its ARN.
//!
//! `policy` is optional and computed (SNS gives every topic a default access policy) and is
//! compared in canonical policy form; `delivery_policy` in canonical JSON. In-place changes
//! are one SetTopicAttributes call per attribute; an attribute removed from the configuration
//! is set to the empty string, which SNS takes as "unset". A FIFO topic's name must end in
//! `.fifo`; generated names (from `name_prefix` or none) get the suffix. Refresh reads each
//! topic with GetTopicAttributes (ListTopics returns ARNs only; SNS has no call for the
//! attributes of several topics), and takes tags from the Resource Groups Tagging API's
//! GetResources, one paginated call shared with the other types whose tags come from there
//! (`aws::refresh_batch`); other reads, and topics missing there, take ListTagsForResource.

use std::collections::{BTreeMap, HashMap};

use crate::aws::adopt::read_judged;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_sns::types::Tag;

use super::{
    changed, expect_prefix, fifo_aware_name, prefix_of_unique_name, read_created, FIFO_SUFFIX,
};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::iam::read_each;
use crate::aws::json_doc::{canonical_json, canonical_policy, normalize_attr};
use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct SnsTopicType;

static DECLARATION: Declaration = Declaration::new("aws_sns_topic", &SCHEMA, Adoption::NameAndTags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn owner;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional String: display_name;
        optional_computed String: policy;
        optional String: delivery_policy kms_master_key_id;
        optional Bool: fifo_topic.force_new().default(Default::Bool(false));
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// The topic attributes ecsform manages, with their SNS attribute names.
const ATTRIBUTES: &[(&str, &str)] = &[
    ("display_name", "DisplayName"),
    ("policy", "Policy"),
    ("delivery_policy", "DeliveryPolicy"),
    ("kms_master_key_id", "KmsMasterKeyId"),
];

fn topic_state(arn: &str, attrs: &HashMap<String, String>, tags: &[Tag]) -> Value {
    let get = |k: &str| attrs.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let name = arn.rsplit(':').next().unwrap_or_default();
    let [tags, tags_all] = read_tags(
        tags.iter()
            .map(|t| (t.key().to_string(), t.value().to_string())),
    );
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("owner", opt_str(get("Owner"))),
            ("name", Value::string(name)),
            (
                "name_prefix",
                opt_str(prefix_of_unique_name(name.trim_end_matches(FIFO_SUFFIX))),
            ),
            ("display_name", opt_str(get("DisplayName"))),
            ("policy", opt_str(get("Policy").map(canonical_policy))),
            (
                "delivery_policy",
                opt_str(get("DeliveryPolicy").map(canonical_json)),
            ),
            ("kms_master_key_id", opt_str(get("KmsMasterKeyId"))),
            ("fifo_topic", Value::Bool(get("FifoTopic") == Some("true"))),
            tags,
            tags_all,
        ],
    )
}

async fn get_topic(clients: AwsClients, arn: String) -> Result<Option<Value>> {
    get_topic_tagged(clients, arn, None).await
}

/// The topic's attributes, and its tags: `tags` when known, else from ListTagsForResource.
async fn get_topic_tagged(
    clients: AwsClients,
    arn: String,
    tags: Option<Vec<Tag>>,
) -> Result<Option<Value>> {
    let attrs = clients
        .sns
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .map_err(from_sdk)?;
    let tags = match tags {
        Some(t) => t,
        None => clients
            .sns
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .map_err(from_sdk)?
            .tags()
            .to_vec(),
    };
    Ok(Some(topic_state(
        &arn,
        attrs.attributes().unwrap_or(&HashMap::new()),
        &tags,
    )))
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

#[async_trait]
impl ResourceType for SnsTopicType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn pin_generated(&self, planned: Value) -> Value {
        super::pin_fifo_aware_name(planned, "fifo_topic")
    }

    /// The topic's ARN follows from its name; its tags say whose it is.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let account = super::account_id(clients).await?;
        let arn = format!(
            "arn:{}:sns:{}:{account}:{name}",
            super::partition(&clients.region),
            clients.region
        );
        let out = call(|| {
            clients
                .sns
                .list_tags_for_resource()
                .resource_arn(&arn)
                .send()
        })
        .await;
        let Some(out) = out.found()? else {
            return Ok(Vec::new());
        };
        let tags: BTreeMap<String, String> = out
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        read_judged(self, clients, owner, vec![(arn, tags)]).await
    }

    fn import_id_format(&self) -> &'static str {
        "the topic ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "an ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        let value = normalize_attr(value, "policy", canonical_policy);
        normalize_attr(value, "delivery_policy", canonical_json)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_topic).await
    }

    /// Tags from the refresh's GetResources call (shared with the other types whose tags
    /// come from the Tagging API); a topic missing there is read with ListTagsForResource.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let known = batch.tags(clients).await?;
        read_each(clients, ids, move |clients, arn| {
            let tags = known.get(&arn).map(to_tags);
            get_topic_tagged(clients, arn, tags)
        })
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = fifo_aware_name(planned, "fifo_topic");
        let mut attrs: HashMap<String, String> = ATTRIBUTES
            .iter()
            .filter_map(|(a, sns)| Some((sns.to_string(), get_str(planned, a)?.to_string())))
            .collect();
        if get_bool(planned, "fifo_topic") == Some(true) {
            attrs.insert("FifoTopic".into(), "true".into());
        }
        let tags = to_tags(&creation_tags(planned, ctx.extra_tags));
        let out = call(|| {
            ctx.clients
                .sns
                .create_topic()
                .name(&name)
                .set_attributes(Some(attrs.clone()))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let arn = out
            .topic_arn()
            .ok_or_else(|| ApiError::malformed("CreateTopic returned no ARN"))?;
        read_created(self, ctx.clients, arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        for (a, sns) in ATTRIBUTES {
            if !changed(prior, planned, a) {
                continue;
            }
            let value = get_str(planned, a).unwrap_or_default();
            call(|| {
                clients
                    .sns
                    .set_topic_attributes()
                    .topic_arn(arn)
                    .attribute_name(*sns)
                    .attribute_value(value)
                    .send()
            })
            .await?;
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.sns,
            untag_resource,
            tag_resource,
            resource_arn(arn),
            to_tags
        )
        .await?;
        read_created(self, clients, arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        call(|| ctx.clients.sns.delete_topic().topic_arn(arn).send())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_fifo_names_end_in_fifo() {
        let planned = SCHEMA.conformed([
            ("name_prefix", Value::string("orders-")),
            ("fifo_topic", Value::Bool(true)),
        ]);
        let name = fifo_aware_name(&planned, "fifo_topic");
        assert!(
            name.starts_with("orders-") && name.ends_with(".fifo"),
            "{name}"
        );
        let state = topic_state(
            &format!("arn:aws:sns:eu-west-1:1:{name}"),
            &HashMap::from([("FifoTopic".to_string(), "true".to_string())]),
            &[],
        );
        let m = state.as_map().unwrap();
        assert_eq!(m["name_prefix"], Value::string("orders-"));
        assert_eq!(m["fifo_topic"], Value::Bool(true));
        assert_eq!(m["display_name"], Value::Null);
    }
}
